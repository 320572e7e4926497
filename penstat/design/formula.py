"""Formula text and patsy glue: quoting column names, the frame patsy reads, errors.

>>> from penstat.design.formula import quote_column
>>> quote_column("x1"), quote_column("my col")
('x1', 'Q("my col")')
"""

from __future__ import annotations

import difflib
import keyword
import re
import unicodedata

import numpy as np
import pandas as pd

from penstat._errors import DataError, FormulaError

__all__ = [
    "close_matches",
    "column_in",
    "numeric_as_arrays",
    "patsy_frame",
    "quote_column",
    "simple_name",
    "translate_patsy_error",
    "unknown_name",
]

# -- formula text --------------------------------------------------------------


def quote_column(column: str) -> str:
    """The code naming ``column`` in a formula: the bare name when Python reads it as
    that name, else ``Q("...")`` (``Q('...')`` with escapes when the name holds a
    quote, a backslash or a character that is not printable).

    Examples
    --------
    >>> quote_column("age"), quote_column("my col"), quote_column("C:\\temp")
    ('age', 'Q("my col")', "Q('C:\\\\temp')")
    """
    if (
        column.isidentifier()
        and not keyword.iskeyword(column)
        and unicodedata.normalize("NFKC", column) == column
    ):
        return column
    if '"' in column or "\\" in column or not column.isprintable():
        return f"Q({column!r})"
    return f'Q("{column}")'


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
    # one copy per dtype, not one pandas lookup per column (20,000 columns)
    blocks: dict = {}
    for name, dtype in frame.dtypes.items():
        if isinstance(dtype, np.dtype) and _plain_number(dtype):
            blocks.setdefault(dtype, []).append(name)
    arrays = {}
    for dtype, names in blocks.items():
        block = np.asfortranarray(frame[names].to_numpy(dtype=dtype))
        arrays.update((name, block[:, j]) for j, name in enumerate(names))
    return {name: arrays[name] if name in arrays else frame[name] for name in frame.columns}


def _plain_number(dtype) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


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
    frame = data[list(columns)]  # a new frame; converted in place below
    for c, dtype in frame.dtypes.items():
        s = frame[c] if _needs_conversion(dtype) else None
        if s is None:
            continue
        if isinstance(dtype, pd.CategoricalDtype):
            levels = _python_scalars(dtype.categories)
            if levels is not None:
                frame[c] = s.cat.rename_categories(levels)
        elif pd.api.types.is_object_dtype(dtype):
            values = _python_scalars(s)
            if values is not None:
                frame[c] = pd.Series(values, s.index, object, c)
        elif pd.api.types.is_bool_dtype(dtype):
            frame[c] = s.astype(object if s.isna().any() else bool)
        elif pd.api.types.is_string_dtype(dtype):
            frame[c] = s.astype(object).where(s.notna(), None)
        elif pd.api.types.is_numeric_dtype(dtype):
            frame[c] = s.astype("float64")
    return frame


def _needs_conversion(dtype) -> bool:
    """Object columns and categories (numpy scalars in them) and pandas' own dtypes."""
    return isinstance(
        dtype, pd.api.extensions.ExtensionDtype
    ) or pd.api.types.is_object_dtype(dtype)


def _python_scalars(values) -> list | None:
    """``values`` with numpy scalars as Python ones, or None when there are none."""
    if not any(isinstance(v, np.generic) for v in values):
        return None
    return [v.item() if isinstance(v, np.generic) else v for v in values]


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
    if "bitwise_xor" in msg or "for ^" in msg:
        msg += "; inside I(), ^ is Python's exclusive or: write a power as ** (I(x**2))"
    if where:
        return FormulaError(f"in formula {formula!r} at {where!r}: {msg}")
    return FormulaError(f"in formula {formula!r}: {msg}")
