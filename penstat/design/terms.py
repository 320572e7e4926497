"""A formula read into patsy's terms: R's ``.`` and ``^``, every term checked before
anything is evaluated, and mistakes shown with a caret under the formula.

The terms are built as patsy objects (``ModelDesc`` / ``Term`` / ``EvalFactor``), not
as one long formula string, so ``y ~ .`` on tens of thousands of columns costs one
term per column and no deep recursion.

>>> parsed = parse_formula("y ~ .^2 - b", ["y", "a", "b", "c"])
>>> [term.name() for term in parsed.rhs.rhs_termlist]
['Intercept', 'a', 'c', 'a:b', 'a:c', 'b:c']
>>> parsed.expanded
'y ~ (a + b + c)^2 - b'
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import patsy
from patsy.desc import Evaluator, IntermediateExpr
from patsy.parse_formula import Operator
from patsy.parse_formula import parse_formula as patsy_parse

from penstat._errors import FormulaError
from penstat.design.formula import quote_column
from penstat.design.namespace import check_expression

__all__ = ["ParsedFormula", "parse_formula"]

# explicit one-factor terms that re-code a column: with '.', they replace the column
RECODINGS = frozenset(
    {"C", "poly", "ns", "bs", "cr", "cc", "scale", "center", "standardize"}
)


@dataclass(frozen=True)
class ParsedFormula:
    """A formula read against the data's columns.

    Attributes
    ----------
    response : str
        The left-hand side as written.
    response_columns : list of str
        The data columns the left-hand side uses.
    rhs : patsy.ModelDesc
        The right-hand side's terms (intercept included unless removed).
    rhs_codes : tuple of tuple of str
        The code of each right-hand term's factors (the intercept is ``()``).
    columns : list of str
        The data columns the right-hand side uses, in order of first use.
    dot : list of str
        The columns ``.`` stood for (empty when the formula has no ``.``).
    covered : dict
        Column -> the explicit term that took its place in ``.``.
    expanded : str
        The formula with ``.`` written out.
    self_predictors : list of (str, str)
        ``(column, term)`` for each term on the right that uses a response column
        (``y ~ log(y)``); :meth:`check_response_not_predictor` refuses them.

    Examples
    --------
    >>> p = parse_formula("y ~ . + C(g)", ["y", "x", "g"])
    >>> p.dot, p.covered, p.columns
    (['x'], {'g': 'C(g)'}, ['x', 'g'])
    """

    response: str
    response_columns: list
    rhs: patsy.ModelDesc
    rhs_codes: tuple
    columns: list
    dot: list = field(default_factory=list)
    covered: dict = field(default_factory=dict)
    expanded: str = ""
    self_predictors: list = field(default_factory=list)

    def check_response_not_predictor(self) -> None:
        """Refuse a predictor made of a response column (``y ~ y``, ``y ~ log(y)``,
        ``y ~ x:y``, ``y ~ . + y``): the response would predict itself."""
        if not self.self_predictors:
            return
        column, code = self.self_predictors[0]
        which = f"{column!r}" if code == column else f"{column!r} (in the term {code!r})"
        raise FormulaError(
            f"the response column {which} is also a predictor: the response would "
            "predict itself. Remove it from the right of '~'"
        )

    @property
    def has_intercept(self) -> bool:
        """Whether the right-hand side keeps the intercept."""
        return any(not term.factors for term in self.rhs.rhs_termlist)


def _caret_error(message: str, origin) -> FormulaError:
    if origin is None:
        return FormulaError(message)
    return FormulaError(f"{message}\n{origin.caretize(indent=4)}")


def _patsy_error(exc: patsy.PatsyError) -> FormulaError:
    origin = getattr(exc, "origin", None)
    return _caret_error(f"cannot read the formula: {exc.message}", origin)


def _tree(formula: str):
    try:
        tree = patsy_parse(formula, extra_operators=[Operator("^", 2, 500)])
    except patsy.PatsyError as exc:
        raise _patsy_error(exc) from None
    stack = [tree]
    while stack:  # R's ^ is patsy's ** (a**2: main effects and pairwise interactions)
        node = stack.pop()
        if node.type == "^":
            node.type = "**"
        stack.extend(node.args)
    return tree


def _referenced(node: ast.AST, columns) -> list:
    """Columns an expression uses: names (not called ones) and ``Q("...")``."""
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    found = []
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and n.id in columns and id(n) not in called:
            found.append(n.id)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "Q":
            if (
                n.args
                and isinstance(n.args[0], ast.Constant)
                and n.args[0].value in columns
            ):
                found.append(n.args[0].value)
    return found


def _is_q(node) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Q"
    )


class _Reader:
    """Evaluates a parsed formula into patsy's terms, checking each term once."""

    def __init__(self, formula: str, columns: list, safe: bool):
        self.formula, self.columns, self.safe = formula, columns, safe
        self.colset = set(columns)
        self.uses: dict[str, list] = {}  # factor code -> columns it uses
        self.asts: dict[str, ast.AST] = {}
        self.dot_terms: list | None = None
        self.dot_origins: list = []
        self.evaluator = Evaluator()
        self.evaluator.add_op("PYTHON_EXPR", 0, self._leaf)
        self.evaluator.add_op("+", 2, self._plus)

    def read(self, tree, dot_columns=None):
        self.dot_terms = None
        if dot_columns is not None:
            self.dot_terms = []
            for c in dot_columns:
                code = quote_column(c)
                self.uses[code] = [c]
                self.dot_terms.append(patsy.Term([patsy.EvalFactor(code)]))
        self.dot_origins = []
        try:
            return self.evaluator.eval(tree)
        except patsy.PatsyError as exc:
            raise _patsy_error(exc) from None

    def _leaf(self, evaluator, tree):
        code = tree.token.extra
        if code == ".":
            if self.dot_terms is None:
                raise _caret_error("'.' may appear only on the right of '~'", tree.origin)
            self.dot_origins.append(tree.origin)
            return IntermediateExpr(False, None, False, self.dot_terms)
        factor = patsy.EvalFactor(code, origin=tree.origin)
        if factor.code not in self.uses:
            self._check(factor.code, tree.origin)
        return IntermediateExpr(False, None, False, [patsy.Term([factor])])

    def _check(self, code: str, origin) -> None:
        try:
            node = ast.parse(code.strip(), mode="eval")
        except SyntaxError as exc:
            raise _caret_error(
                f"the term {code!r} is not valid Python: {exc.msg}", origin
            ) from None
        if self.safe:
            try:
                check_expression(code, self.colset)
            except FormulaError as exc:
                if getattr(exc, "without_caret", False):
                    raise
                raise _caret_error(str(exc), origin) from None
        self.asts[code] = node
        self.uses[code] = _referenced(node, self.colset)

    def _plus(self, evaluator, tree):
        # a + b + c + ... without recursion: a long sum is a deep left-nested tree
        rights, node = [], tree
        while node.type == "+" and len(node.args) == 2:
            rights.append(node.args[1])
            node = node.args[0]
        left = evaluator.eval(node)
        intercept = (left.intercept, left.intercept_origin, left.intercept_removed)
        terms = list(left.terms)
        for right in reversed(rights):
            if right.type == "ZERO":
                intercept = (False, None, True)
                continue
            expr = evaluator.eval(right)
            if expr.intercept:
                intercept = (True, expr.intercept_origin, False)
            terms.extend(expr.terms)
        return IntermediateExpr(*intercept, terms)

    def covered(self, expr, candidates) -> dict:
        """Columns of ``candidates`` an explicit one-factor term re-codes (``C(g)``,
        ``poly(x, 2)``, ...) -> that term's name."""
        out = {}
        bare = {t.factors[0].code for t in expr.terms if len(t.factors) == 1}
        for term in expr.terms:
            if len(term.factors) != 1:
                continue
            code = term.factors[0].code
            node = self.asts.get(code)
            body = getattr(node, "body", None)
            if (
                isinstance(body, ast.Call)
                and isinstance(body.func, ast.Name)
                and body.func.id in RECODINGS
                and body.args
            ):
                cols = _referenced(ast.Expression(body.args[0]), self.colset)
                if (
                    len(cols) == 1
                    and cols[0] in candidates
                    and quote_column(cols[0]) not in bare
                ):
                    out.setdefault(cols[0], term.name())
        return out


def parse_formula(formula: str, columns: list, exclude=(), safe: bool = False):
    """Read ``formula`` against the data's ``columns`` into a :class:`ParsedFormula`.

    ``.`` stands for every column that is not used on the left, not in ``exclude``
    and not re-coded by an explicit one-factor term (``C(g)``, ``poly(x, 2)``, ...:
    the explicit term wins). ``^`` is R's (``(a + b + c)^2``: main effects and
    pairwise interactions). With ``safe=True`` every term must pass
    :func:`~penstat.design.namespace.check_expression`. Nothing is evaluated.

    Examples
    --------
    >>> p = parse_formula("log(y) ~ (a + b)^2", ["y", "a", "b"], safe=True)
    >>> p.response, p.response_columns, p.rhs_codes
    ('log(y)', ['y'], ((), ('a',), ('b',), ('a', 'b')))
    """
    tree = _tree(formula)
    if tree.type != "~" or len(tree.args) != 2:
        raise FormulaError(
            f"formula {formula!r} has no response; write it as 'response ~ predictors'"
        )
    lhs_tree, rhs_tree = tree.args
    reader = _Reader(formula, columns, safe)
    lhs = reader.read(lhs_tree)
    response_columns = _uses(reader, lhs.terms)
    others = [c for c in columns if c not in response_columns and c not in set(exclude)]
    covered = reader.covered(reader.read(rhs_tree, []), set(others))
    dot = [c for c in others if c not in covered]
    expr = reader.read(rhs_tree, dot)
    if reader.dot_origins and not dot:
        raise _caret_error(
            "'.' in the formula stands for no column: the data has no others",
            reader.dot_origins[0],
        )
    terms = list(expr.terms)
    if not expr.intercept_removed:
        terms.insert(0, patsy.INTERCEPT)
    return ParsedFormula(
        response=formula[: tree.token.origin.start].strip(),
        response_columns=response_columns,
        rhs=patsy.ModelDesc([], terms),
        rhs_codes=tuple(tuple(f.code for f in t.factors) for t in terms),
        columns=_uses(reader, expr.terms),
        dot=dot if reader.dot_origins else [],
        covered=covered if reader.dot_origins else {},
        expanded=_expanded(formula, reader.dot_origins, dot),
        self_predictors=_self_predictors(reader, terms, response_columns),
    )


def _self_predictors(reader: _Reader, terms, response_columns) -> list:
    """``(column, term)`` for each right-hand factor using a response column."""
    return [
        (c, factor.code)
        for term in terms
        for factor in term.factors
        for c in reader.uses.get(factor.code, ())
        if c in response_columns
    ]


def _uses(reader: _Reader, terms) -> list:
    found = [c for t in terms for f in t.factors for c in reader.uses.get(f.code, ())]
    return list(dict.fromkeys(found))


def _expanded(formula: str, origins, dot) -> str:
    """The formula with each ``.`` replaced by ``(a + b + ...)``."""
    text = "(" + " + ".join(quote_column(c) for c in dot) + ")"
    out, last = [], 0
    for origin in sorted(origins, key=lambda o: o.start):
        out.append(formula[last : origin.start])
        out.append(text)
        last = origin.end
    out.append(formula[last:])
    return "".join(out)
