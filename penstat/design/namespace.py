"""What a name in a formula can mean: the formula functions, the closed ("safe")
namespace and its whitelist check, and the caller's namespace.

A formula term such as ``log(x)`` is a Python expression that patsy evaluates. In
the safe mode (the command line's, ``formula_env="safe"``) every term is read with
Python's :mod:`ast` before anything is evaluated, and only the node types, names and
calls listed here pass: the data's columns, :data:`FUNCTIONS`, ``np.`` followed by
one of :data:`NUMPY_FUNCTIONS`, numbers, strings, operators and comparisons.

>>> check_expression("log(x) + I(x ** 2)", ["x"])
>>> check_expression("__import__('os')", ["x"])
Traceback (most recent call last):
...
penstat._errors.FormulaError: calling '__import__' is not allowed in a formula in the ...
"""

from __future__ import annotations

import ast
import os
import sys
import threading
import types

import numpy as np
import patsy
import patsy.builtins

from penstat._errors import FormulaError
from penstat.design.formula import close_matches
from penstat.design.transforms import ns, poly, scale

#: Held while a formula is parsed into Python ``ast`` objects (penstat's checks
#: and patsy's design building). CPython 3.11 keeps the ``ast`` constructor's
#: recursion counter per interpreter, not per thread, so two threads parsing at
#: once (threaded Dask workers, a thread backend) can fail with "SystemError: AST
#: constructor recursion depth mismatch" (CPython gh-106905).
FORMULA_LOCK = threading.RLock()

__all__ = [
    "FUNCTIONS",
    "NUMPY_FUNCTIONS",
    "caller_env",
    "check_expression",
    "default_env",
    "safe_env",
]


def _categorical(data, contrast=None, levels=None):
    """patsy's ``C``, with numeric arrays handed over as Python numbers, so that the
    levels of ``C(g)`` on an integer column are named as written (``C(g)[T.2]``, not
    numpy's repr ``C(g)[T.np.int64(2)]``)."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        data = data.tolist()
    return patsy.builtins.C(data, contrast, levels)


def _cbind(*columns):
    """R's ``cbind``: the columns side by side (a response ``cbind(successes,
    failures)`` of grouped binomial data is read by the design stage itself)."""
    return np.column_stack(columns)


#: The functions a formula may call in every mode (and the only ones in safe mode).
FUNCTIONS: dict = {
    "log": np.log,
    "log1p": np.log1p,
    "log2": np.log2,
    "log10": np.log10,
    "exp": np.exp,
    "expm1": np.expm1,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "scale": scale,
    "center": patsy.center,
    "standardize": patsy.standardize,
    "poly": poly,
    "ns": ns,
    "bs": patsy.bs,
    "cr": patsy.cr,
    "cc": patsy.cc,
    "cbind": _cbind,
    "I": patsy.builtins.I,
    "Q": patsy.builtins.Q,
    "C": _categorical,
    "Treatment": patsy.Treatment,
    "Sum": patsy.Sum,
    "Helmert": patsy.Helmert,
    "Poly": patsy.Poly,
    "Diff": patsy.Diff,
}


#: The attributes of ``np`` a safe formula may use (``np.log(x)``).


NUMPY_FUNCTIONS = (
    "abs", "arctan", "ceil", "clip", "cos", "exp", "expm1", "floor", "log", "log10",
    "log1p", "log2", "maximum", "minimum", "sign", "sin", "sqrt", "square", "tanh",
)  # fmt: skip

# keyword arguments of the functions above (a safe formula may pass no others)
_KEYWORDS = frozenset(
    "df knots degree include_intercept lower_bound upper_bound constraints raw center "
    "rescale ddof reference levels contrast diff omit".split()
)
_OPERATORS = (
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.USub,
    ast.UAdd, ast.Not, ast.Invert, ast.BitAnd, ast.BitOr, ast.BitXor, ast.Eq,
    ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.And, ast.Or,
)  # fmt: skip
_NODES = (
    ast.Expression, ast.Name, ast.Load, ast.Call, ast.keyword, ast.Constant,
    ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.Tuple, ast.List,
    ast.Attribute,
) + _OPERATORS  # fmt: skip
_MAX_POWER = 100
_SAFE_NP = types.SimpleNamespace(**{name: getattr(np, name) for name in NUMPY_FUNCTIONS})


def _refuse(what: str, code: str) -> FormulaError:
    return FormulaError(
        f"{what} is not allowed in a formula in the safe mode; a term may use the "
        "data's columns, the functions "
        + ", ".join(FUNCTIONS)
        + f", np.<{'|'.join(NUMPY_FUNCTIONS)}>, numbers, strings and operators "
        f"(in the term {code!r}; see the user guide's security page)"
    )


def _shown(node: ast.AST, code: str, name: str) -> str:
    """``name`` quoted, with the text the user wrote when Python read it differently
    (NFKC: a fullwidth or other look-alike letter)."""
    text = ast.get_source_segment(code, node) or name
    text = text.split("(")[0].strip()
    return repr(name) if text == name else f"{text!r} (Python reads it as {name!r})"


def check_expression(code: str, columns) -> None:
    """Refuse a term that is not made of columns, listed functions, literals and
    operators (the safe mode's whitelist), naming the offending name or construct.

    Nothing is evaluated. ``Q("...")`` must quote one of ``columns``.

    Parameters
    ----------
    code : str
        One factor of a formula (a Python expression such as ``"log(x)"``).
    columns : collection of str
        The data's columns.

    Examples
    --------
    >>> check_expression('C(g, Treatment("b")) + Q("my col")', ["g", "my col"])
    >>> check_expression("x.__class__", ["x"])
    Traceback (most recent call last):
    ...
    penstat._errors.FormulaError: the attribute '__class__' is not allowed ...
    """
    try:
        with FORMULA_LOCK:
            tree = ast.parse(code.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"the term {code!r} is not valid: {exc.msg}") from None
    columns = set(columns)
    np_bases = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    parents = {id(c): p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    for node in ast.walk(tree):
        if not isinstance(node, _NODES):
            raise _refuse(_describe(node), code)
        if isinstance(node, ast.Name):
            if node.id not in columns and node.id not in FUNCTIONS and node.id != "np":
                err = FormulaError(
                    f"{_shown(node, code, node.id)} in the formula is neither a column "
                    "of the data nor a formula function" + close_matches(node.id, columns)
                )
                err.without_caret = True  # the name says where (one line, as in R)
                raise err
            if node.id == "np" and id(node) not in np_bases and "np" not in columns:
                raise _refuse("'np' on its own (only np.<function>)", code)
        elif isinstance(node, ast.Attribute):
            _check_attribute(node, code)
        elif isinstance(node, ast.Call):
            _check_call(node, code, columns)
        elif isinstance(node, ast.Constant):
            _check_constant(node, parents.get(id(node)), code)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            _check_power(node.right, code)


def _check_constant(node: ast.Constant, parent, code: str) -> None:
    value = node.value
    if not isinstance(value, (int, float, str, bool, type(None))):
        raise _refuse(f"the constant {value!r}", code)
    # a string is a name or a level (Q("a b"), Treatment("b"), g == "b"), never an
    # operand of arithmetic ("a" * 10**9)
    if isinstance(value, str) and not isinstance(
        parent, (ast.Call, ast.keyword, ast.List, ast.Tuple, ast.Compare)
    ):
        raise _refuse(f"the string {value!r} in an expression", code)


def _check_power(power: ast.AST, code: str) -> None:
    """A power of numbers only must be one small number (``2 ** 10 ** 10`` would run
    for ever); a power that uses a column is numpy's, element by element."""
    if any(isinstance(n, ast.Name) for n in ast.walk(power)):
        return
    if isinstance(power, ast.UnaryOp) and isinstance(power.op, (ast.USub, ast.UAdd)):
        power = power.operand
    value = power.value if isinstance(power, ast.Constant) else None
    if not (isinstance(value, (int, float)) and abs(value) <= _MAX_POWER):
        shown = ast.get_source_segment(code, power) or "this power"
        raise _refuse(f"the power {shown!r} (a number up to {_MAX_POWER})", code)


def _describe(node: ast.AST) -> str:
    return {
        "Lambda": "lambda",
        "NamedExpr": "the walrus operator :=",
        "JoinedStr": "an f-string",
        "FormattedValue": "an f-string",
        "Subscript": "indexing with []",
        "ListComp": "a comprehension",
        "SetComp": "a comprehension",
        "DictComp": "a comprehension",
        "GeneratorExp": "a comprehension",
        "Starred": "unpacking with *",
        "IfExp": "an if-expression",
        "Dict": "a dict",
        "Set": "a set",
    }.get(type(node).__name__, f"the Python construct {type(node).__name__}")


def _check_attribute(node: ast.Attribute, code: str) -> None:
    base_np = isinstance(node.value, ast.Name) and node.value.id == "np"
    if not base_np or node.attr not in NUMPY_FUNCTIONS:
        raise _refuse(f"the attribute {node.attr!r}", code)


def _check_call(node: ast.Call, code: str, columns) -> None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return  # np.<listed function>, checked as an attribute
    if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
        name = func.id if isinstance(func, ast.Name) else type(func).__name__
        raise _refuse(f"calling {_shown(func, code, name)}", code)
    for kw in node.keywords:
        if kw.arg is None or kw.arg not in _KEYWORDS:
            raise _refuse(f"the keyword argument {kw.arg or '**'!r}", code)
    if func.id == "Q":
        args = node.args
        ok = len(args) == 1 and not node.keywords and isinstance(args[0], ast.Constant)
        if not ok or args[0].value not in columns:
            shown = repr(args[0].value) if ok else "an expression"
            raise FormulaError(
                f'Q("...") in the safe mode takes one column name as a plain string; '
                f"{shown} in the term {code!r} is not a column of the data"
            )


def safe_env() -> patsy.EvalEnvironment:
    """The closed namespace of the safe mode: :data:`FUNCTIONS` and ``np`` with only
    :data:`NUMPY_FUNCTIONS` (every term is checked by :func:`check_expression`
    first).

    Examples
    --------
    >>> env = safe_env()
    >>> float(env.eval("np.sqrt(4.0)")), "os" in env.namespace
    (2.0, False)
    """
    return patsy.EvalEnvironment([{**FUNCTIONS, "np": _SAFE_NP}])


def default_env() -> patsy.EvalEnvironment:
    """The namespace without the caller's: :data:`FUNCTIONS`, numpy as ``np`` and
    ``numpy``, plus patsy's built-ins.

    Examples
    --------
    >>> float(default_env().eval("log(np.exp(2.0))"))
    2.0
    """
    return patsy.EvalEnvironment([{**FUNCTIONS, "np": np, "numpy": np}])


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def caller_env() -> patsy.EvalEnvironment:
    """The namespace of the code that called into penstat, then :func:`default_env`'s.

    Names in a formula that are not columns (a user's own function, say) are looked
    up there first, as R looks them up in the formula's environment.

    Examples
    --------
    >>> def double(v):
    ...     return 2 * v
    >>> float(caller_env().eval("double(log(1.0)) + 1"))
    1.0
    """
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
        _PACKAGE_DIR
    ):
        frame = frame.f_back
    outer = {**FUNCTIONS, "np": np, "numpy": np}
    if frame is None:  # pragma: no cover - always called from outside penstat
        return patsy.EvalEnvironment([outer])
    return patsy.EvalEnvironment([frame.f_locals, frame.f_globals, outer])
