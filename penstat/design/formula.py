"""Formula text: R's ``.``, the columns a formula uses, and patsy's frame and errors.

>>> from penstat.design.formula import expand_dot
>>> expand_dot(". - x2", ["x1", "x2", "x3"])
'(x1 + x2 + x3) - x2'
"""

from __future__ import annotations

import difflib
import io
import keyword
import re
import tokenize

import numpy as np
import pandas as pd
import patsy

from penstat._errors import DataError, FormulaError

__all__ = [
    "close_matches",
    "column_in",
    "default_env",
    "expand_dot",
    "numeric_as_arrays",
    "patsy_frame",
    "referenced_columns",
    "simple_name",
    "translate_patsy_error",
    "unknown_name",
]

# -- formula text --------------------------------------------------------------


def _tokens(text: str):
    try:
        return [
            t
            for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
        ]
    except (tokenize.TokenError, SyntaxError) as exc:
        raise FormulaError(f"cannot parse formula {text!r}: {exc}") from None


def _is_dot(tokens, i) -> bool:
    tok = tokens[i]
    if tok.type != tokenize.OP or tok.string != ".":
        return False
    prev = tokens[i - 1] if i > 0 else None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    attribute = prev is not None and (
        prev.type in (tokenize.NAME, tokenize.NUMBER) or prev.string in (")", "]")
    )
    return not attribute and not (nxt is not None and nxt.type == tokenize.NAME)


def _quote(column: str) -> str:
    if column.isidentifier() and not keyword.iskeyword(column):
        return column
    return f'Q("{column}")' if '"' not in column else f"Q({column!r})"


def expand_dot(rhs: str, others: list[str]) -> str:
    """Replace a stand-alone ``.`` by every other column, joined with ``+``.

    A ``.`` that is part of a name or an attribute (``np.log``, ``1.5``) stays.
    Columns that are not Python names are quoted as ``Q("...")``.

    Parameters
    ----------
    rhs : str
        The right-hand side of a formula.
    others : list of str
        The columns ``.`` stands for (the data's, less the response and the
        excluded ones).

    Examples
    --------
    >>> expand_dot(". + np.log(x1)", ["x1", "my col"])
    '(x1 + Q("my col")) + np.log(x1)'
    """
    tokens = _tokens(rhs)
    dots = [i for i in range(len(tokens)) if _is_dot(tokens, i)]
    if not dots:
        return rhs
    if not others:
        raise FormulaError(
            "'.' in the formula stands for no column: the data has no others"
        )
    expansion = "(" + " + ".join(_quote(c) for c in others) + ")"
    # rebuild from character offsets (single-line formulas)
    lines = rhs.splitlines() or [rhs]
    if len(lines) > 1:
        rhs = " ".join(lines)
        return expand_dot(rhs, others)
    out, last = [], 0
    for i in dots:
        start, end = tokens[i].start[1], tokens[i].end[1]
        out.append(rhs[last:start])
        out.append(expansion)
        last = end
    out.append(rhs[last:])
    return "".join(out)


def referenced_columns(text: str, columns: list[str]) -> list[str]:
    """Data columns a formula side uses: bare names and ``Q("...")`` arguments.

    In order of first use, each once; attribute names (``np.log``) do not count.

    Examples
    --------
    >>> referenced_columns('np.log(x) + Q("my col") + C(g)', ["x", "my col", "g", "y"])
    ['x', 'my col', 'g']
    """
    tokens = _tokens(text)
    colset = set(columns)
    found = []
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i > 0 else None
        if tok.type == tokenize.NAME and tok.string in colset:
            if prev is not None and prev.string == ".":
                continue  # attribute such as np.log
            found.append(tok.string)
        elif tok.type == tokenize.STRING and i >= 2 and tokens[i - 2].string == "Q":
            try:
                value = eval(tok.string, {"__builtins__": {}})  # a string literal
            except Exception:  # pragma: no cover - malformed literal
                continue
            if value in colset:
                found.append(value)
    return list(dict.fromkeys(found))


def simple_name(text: str) -> str | None:
    """The column name when ``text`` is a bare name or ``Q("...")``, else None.

    Examples
    --------
    >>> simple_name(' Q("my col") '), simple_name("x1"), simple_name("np.log(x1)")
    ('my col', 'x1', None)
    """
    text = text.strip()
    m = re.fullmatch(r"Q\(\s*(['\"])(.*)\1\s*\)", text)
    if m:
        return m.group(2)
    return text if text.isidentifier() else None


def column_in(text: str, columns: list[str]) -> str | None:
    """The column ``text`` names when it is a bare name or ``Q("...")`` of one of
    ``columns``, else None.

    Examples
    --------
    >>> column_in("y", ["x", "y"]), column_in("np.log(y)", ["x", "y"])
    ('y', None)
    """
    name = simple_name(text)
    return name if name is not None and name in columns else None


# -- patsy glue ----------------------------------------------------------------


def default_env():
    """The patsy environment formulas are evaluated in by default: numpy as ``np``
    and ``numpy``, plus patsy's built-ins.

    Examples
    --------
    >>> float(default_env().eval("np.sqrt(4.0)"))
    2.0
    """
    return patsy.EvalEnvironment([{"np": np, "numpy": np}])


def numeric_as_arrays(frame: pd.DataFrame) -> dict:
    """The frame's columns for patsy, numeric ones (not bool) as numpy arrays: patsy
    wraps every pandas factor it evaluates in new pandas objects (a third of its time
    on 100 numeric columns); the values, and the design, are the same.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [1.0, 2.0], "g": ["a", "b"], "b": [True, False]})
    >>> {k: type(v).__name__ for k, v in numeric_as_arrays(df).items()}
    {'x': 'ndarray', 'g': 'Series', 'b': 'Series'}
    """
    return {
        name: (
            values.to_numpy()
            if pd.api.types.is_numeric_dtype(values.dtype)
            and not pd.api.types.is_bool_dtype(values.dtype)
            else values
        )
        for name, values in frame.items()
    }


def patsy_frame(data: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A new frame with the given columns in dtypes patsy handles.

    pandas' nullable and string dtypes hold ``pd.NA``, which patsy's level sorting
    cannot compare; strings go to object, nullable numbers to float, nullable bools
    to bool (after missing rows were dropped).

    Examples
    --------
    >>> df = pd.DataFrame({"n": pd.array([1, None], dtype="Int64"),
    ...                    "s": pd.array(["a", None], dtype="string")})
    >>> patsy_frame(df, ["n", "s"]).dtypes.astype(str).to_dict()
    {'n': 'float64', 's': 'object'}

    numpy scalars in object columns and categories become Python scalars, so that
    factor levels are named as the user wrote them (``g[T.2]``, not numpy's repr
    ``g[T.np.int64(2)]``):

    >>> g = pd.DataFrame({"g": pd.Series([np.int64(1), np.int64(2)], dtype=object)})
    >>> type(patsy_frame(g, ["g"])["g"].iloc[0]).__name__
    'int'
    """

    def plain(values):
        if not any(isinstance(v, np.generic) for v in values):
            return None
        return [v.item() if isinstance(v, np.generic) else v for v in values]

    out = {}
    for c in columns:
        s = data[c]
        dtype = s.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            levels = plain(dtype.categories) if dtype.categories.dtype == object else None
            out[c] = s if levels is None else s.cat.rename_categories(levels)
        elif pd.api.types.is_object_dtype(dtype):
            values = plain(s)
            out[c] = s if values is None else pd.Series(values, s.index, object, c)
        elif pd.api.types.is_bool_dtype(dtype):
            out[c] = s.astype(object if s.isna().any() else bool)
        elif pd.api.types.is_string_dtype(dtype):
            out[c] = s.astype(object).where(s.notna(), None)
        elif pd.api.types.is_numeric_dtype(dtype) and isinstance(
            dtype, pd.api.extensions.ExtensionDtype
        ):
            out[c] = s.astype("float64")
        else:
            out[c] = s
    return pd.DataFrame(out, index=data.index)


def close_matches(name: str, columns) -> str:
    """``"; did you mean ...?"`` naming up to three columns spelled like ``name``, or
    ``""``: the end of an error message.

    Examples
    --------
    >>> close_matches("agee", ["age", "sex"]), close_matches("zzz", ["age"])
    ("; did you mean 'age'?", '')
    """
    close = difflib.get_close_matches(str(name), [str(c) for c in columns], n=3, cutoff=0.5)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def unknown_name(name: str, columns, what: str = "") -> FormulaError:
    """The error (returned, not raised) for a name in a formula that is not a column;
    ``what`` comes first in the message (e.g. ``"response "``).

    Examples
    --------
    >>> unknown_name("agee", ["age", "sex"])
    FormulaError("'agee' in the formula is not a column of the data; did you mean 'age'?")
    """
    return FormulaError(
        f"{what}{name!r} in the formula is not a column of the data"
        + close_matches(name, columns)
    )


def translate_patsy_error(exc, formula: str, columns) -> Exception:
    """A penstat error (returned, not raised) for a ``patsy.PatsyError`` raised while
    building ``formula`` on data with ``columns``: an unknown name, an unseen factor
    level, missing values from a transform, or patsy's message with its location.

    Examples
    --------
    >>> import patsy
    >>> df = pd.DataFrame({"y": [1.0, 2.0], "x": [1.0, 2.0]})
    >>> try:
    ...     patsy.dmatrix("x + z", df)
    ... except patsy.PatsyError as exc:
    ...     err = translate_patsy_error(exc, "y ~ x + z", df.columns)
    >>> err
    FormulaError("'z' in the formula is not a column of the data")
    """
    msg = getattr(exc, "message", str(exc))
    m = re.search(r"name '([^']+)' is not defined", msg)
    if m:
        return unknown_name(m.group(1), columns)
    origin = getattr(exc, "origin", None)
    where = ""
    if origin is not None:
        where = origin.code[origin.start : origin.end]
    m = re.search(
        r"observation with value (.+?) does not match any of the expected "
        r"levels \(expected: (.*)\)",
        msg,
    )
    if m:
        return DataError(
            f"factor {where!r} has the level {m.group(1)}, not seen when the model was "
            f"fitted (levels: {m.group(2)}); drop those rows or refit with them"
        )
    if "missing values" in msg:
        return DataError(
            f"{where!r} evaluates to missing values (NaN) for some rows; "
            "check the transform's domain (e.g. log of a non-positive value)"
        )
    if where:
        return FormulaError(f"in formula {formula!r} at {where!r}: {msg}")
    return FormulaError(f"in formula {formula!r}: {msg}")
