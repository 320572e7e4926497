"""Checks of the data frame and of the columns a formula uses, before patsy sees them.

A column whose type patsy would code wrongly (a datetime as one dummy per timestamp,
numbers stored as text with one stray cell as one dummy per value) or cannot code
(timedelta, complex, period) is refused here, naming the column and what to do.

>>> import pandas as pd
>>> from penstat.design.columns import check_frame
>>> check_frame(pd.DataFrame({"y": [1.0], "x": [2.0]}))
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from penstat._errors import DataError
from penstat.design.formula import simple_name

__all__ = ["bare_columns", "check_frame", "check_formula_columns", "check_newdata_types"]

# an object column at least this parseable as numbers holds numbers stored as text
_NUMERIC_TEXT_SHARE = 0.9


def check_frame(data: pd.DataFrame) -> None:
    """Refuse a data frame without rows or with MultiIndex columns.

    Examples
    --------
    >>> check_frame(pd.DataFrame({"y": []}))
    Traceback (most recent call last):
    ...
    penstat._errors.DataError: data has no rows; a model needs at least one row of data
    """
    if isinstance(data.columns, pd.MultiIndex):
        raise DataError(
            f"data has MultiIndex columns (levels {list(data.columns.names)}), which "
            "are not supported; flatten them first, e.g. data.columns = "
            "['_'.join(map(str, c)) for c in data.columns]"
        )
    if len(data) == 0:
        raise DataError("data has no rows; a model needs at least one row of data")


def bare_columns(parsed) -> list[str]:
    """The columns a parsed formula uses as a factor by themselves (``x``, not
    ``C(x)`` or ``np.log(x)``), the response's included.

    Examples
    --------
    >>> from penstat.design.terms import parse_formula
    >>> bare_columns(parse_formula("y ~ x + C(g) + np.log(z)", ["y", "x", "g", "z"]))
    ['y', 'x']
    """
    used = set(parsed.response_columns) | set(parsed.columns)
    names = [simple_name(parsed.response)] + [
        simple_name(code) for codes in parsed.rhs_codes for code in codes
    ]
    return [c for c in dict.fromkeys(names) if c is not None and c in used]


def check_formula_columns(parsed, data: pd.DataFrame, keep: np.ndarray) -> None:
    """Refuse the columns of ``data`` the formula cannot use as written: a right-hand
    column named ``Intercept``, and columns used by themselves (:func:`bare_columns`)
    that are timedelta, complex, period or datetime, or text that is numbers but for
    a few cells (checked on the rows ``keep``).

    Examples
    --------
    >>> from penstat.design.terms import parse_formula
    >>> df = pd.DataFrame({"y": [1.0, 2.0], "t": pd.date_range("2020-01-01", periods=2)})
    >>> try:
    ...     check_formula_columns(parse_formula("y ~ t", ["y", "t"]), df, [True, True])
    ... except DataError as exc:
    ...     print(str(exc)[:36])
    column 't' is a datetime (datetime64
    """
    if "Intercept" in parsed.columns:
        raise DataError(
            "the column 'Intercept' clashes with the name of the intercept in coef and "
            "the summary; rename it, e.g. data.rename(columns={'Intercept': 'intercept_'})"
        )
    dtypes = dict(zip(data.columns, data.dtypes, strict=True))
    for column in bare_columns(parsed):
        dtype = dtypes[column]
        if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
            continue  # plain numbers and bools: the common case, checked at once
        problem = _dtype_problem(column, dtype)
        if problem is not None:
            raise DataError(problem)
        if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype):
            _check_numeric_text(column, data[column][np.asarray(keep, bool)])


def _dtype_problem(column: str, dtype) -> str | None:
    """The message refusing a column of ``dtype`` used by itself, or None."""
    q = f"column {column!r}"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return (
            f"{q} is a timedelta ({dtype}), which a formula cannot code; convert it to a "
            f"number first, e.g. data[{column!r}].dt.total_seconds() / 86400 for days"
        )
    if pd.api.types.is_complex_dtype(dtype):
        return (
            f"{q} holds complex numbers ({dtype}), which a model cannot use; take "
            f"the part you mean first, e.g. np.real({column}) or np.abs({column})"
        )
    if isinstance(dtype, pd.PeriodDtype):
        return (
            f"{q} is a period ({dtype}), which a formula cannot code; convert it first, "
            f"e.g. to a timestamp with data[{column!r}].dt.to_timestamp(), then to a "
            "number (such as days since an origin)"
        )
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return (
            f"{q} is a datetime ({dtype}), which a formula would code as one dummy per "
            "timestamp; convert it to a number first, e.g. days since an origin: "
            f"(data[{column!r}] - pd.Timestamp('2000-01-01')).dt.days, or write "
            f"C({column}) if each timestamp is a category"
        )
    return None


def _check_numeric_text(column: str, values: pd.Series) -> None:
    """Refuse a text column whose values are numbers but for a few cells: it would
    become one dummy per distinct value."""
    values = values[values.notna()]
    if values.empty:
        return
    numbers = pd.to_numeric(values.astype(str).str.strip(), errors="coerce")
    parsed = numbers.notna().to_numpy()
    if parsed.all() or parsed.mean() <= _NUMERIC_TEXT_SHARE:
        return
    first = int(np.flatnonzero(~parsed)[0])
    raise DataError(
        f"column {column!r} is text, but {parsed.mean():.0%} of its values are numbers; "
        f"the first that is not is {values.iloc[first]!r} in row "
        f"{values.index[first]!r}. Fix or remove such cells and convert the column "
        f"with pd.to_numeric(data[{column!r}], errors='coerce') (the bad cells become "
        f"missing), or write C({column}) if its values are categories"
    )


def check_newdata_types(newdata: pd.DataFrame, columns, fitted: pd.DataFrame) -> None:
    """Refuse a column of ``newdata`` that was numeric in the ``fitted`` frame but
    arrives as text, bools or any other dtype that is not a number.

    Examples
    --------
    >>> fitted = pd.DataFrame({"x": [1.0, 2.0]})
    >>> try:
    ...     check_newdata_types(pd.DataFrame({"x": [True, False]}), ["x"], fitted)
    ... except DataError as exc:
    ...     print(str(exc)[:40])
    newdata column 'x' has dtype bool, but t
    """
    for column in columns:
        if column not in fitted.columns:
            continue
        before, now = fitted[column].dtype, newdata[column].dtype
        if not _plain_number(before) or _plain_number(now):
            continue
        if not _plain_number(now):
            raise DataError(
                f"newdata column {column!r} has dtype {now}, but the model was fitted "
                f"with it as numbers ({before}); convert it first, e.g. "
                f"newdata[{column!r}] = pd.to_numeric(newdata[{column!r}])"
            )


def _plain_number(dtype) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
