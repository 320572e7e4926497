"""The response, weights and offset columns of a design.

>>> import pandas as pd
>>> from penstat.design.namespace import default_env
>>> from penstat.design.response import response_values
>>> from penstat.family import get_family
>>> df = pd.DataFrame({"ok": ["no", "yes", "no"]})
>>> response_values("ok", df, get_family("binomial"), None, default_env(), ["ok"])[1]
('no', 'yes')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy

from penstat._errors import ArgumentError, DataError, FormulaError
from penstat._validation import (
    align_rows,
    check_offset_scale,
    check_response_scale,
    check_weight_range,
    real_values,
    refuse_text_or_bool,
)
from penstat.design.formula import column_in, translate_patsy_error

__all__ = [
    "GroupedResponse",
    "cbind_parts",
    "grouped_response",
    "offset_rows",
    "offset_values",
    "response_values",
    "split_top_level",
    "weight_values",
]

# -- the response --------------------------------------------------------------


def response_values(lhs, frame, fam, positive_class, env, columns):
    """The response ``y`` (float64) and, for the binomial family, its class labels.

    Parameters
    ----------
    lhs : str
        The left-hand side of the formula: a column, or an expression patsy
        evaluates to one numeric column (e.g. ``np.log(y)``).
    frame : pandas.DataFrame
        The rows used (missing values already dropped).
    fam : Family
    positive_class : optional
        Binomial: the value coded 1 (default: the second of the two sorted values);
        must be None for the gaussian family.
    env : patsy.EvalEnvironment
    columns : list of str
        The data's columns (for the messages).

    Returns
    -------
    y : numpy.ndarray
        Gaussian: the values; binomial: 1.0 where the response is
        ``positive_class``.
    classes : tuple or None
        Binomial: ``(negative, positive)``; gaussian: None.

    Examples
    --------
    >>> from penstat.design.namespace import default_env
    >>> from penstat.family import get_family
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0], "ok": ["no", "yes", "no"]})
    >>> gaussian, binomial = get_family("gaussian"), get_family("binomial")
    >>> response_values("np.log2(y)", df, gaussian, None, default_env(), ["y", "ok"])
    (array([0., 1., 2.]), None)
    >>> response_values("ok", df, binomial, "no", default_env(), ["y", "ok"])
    (array([1., 0., 1.]), ('yes', 'no'))
    """
    values = _lhs_values(lhs, frame, env, columns)
    if fam.name == "gaussian":
        if positive_class is not None:
            raise ArgumentError(
                "positive_class= applies only to family='binomial' (it names the "
                "response value coded 1)"
            )
        if not _is_number(values):
            raise DataError(
                f"the response {lhs!r} has dtype {values.dtype}; family='gaussian' needs "
                "a numeric response (use family='binomial' for a two-level outcome)"
            )
        y = values.to_numpy(dtype=float)
        if not np.isfinite(y).all():
            raise DataError(f"the response {lhs!r} has infinite values")
        check_response_scale(y, f"the response {lhs!r}")
        return np.ascontiguousarray(y), None
    return _binary_response(lhs, values, positive_class)


def _lhs_values(lhs, frame, env, columns) -> pd.Series:
    """The values of a column, or of an expression patsy evaluates to one column."""
    name = column_in(lhs, columns)
    if name is not None:
        return frame[name]
    try:
        mat = patsy.dmatrix(
            f"{lhs} - 1",
            frame,
            eval_env=env,
            NA_action="raise",
            return_type="dataframe",
        )
    except patsy.PatsyError as exc:
        raise translate_patsy_error(exc, lhs, columns) from None
    if mat.shape[1] != 1:
        raise FormulaError(
            f"the response {lhs!r} must be one numeric column; it gives {mat.shape[1]}"
        )
    return mat.iloc[:, 0]


def _is_number(values: pd.Series) -> bool:
    """Numeric and not bool."""
    return pd.api.types.is_numeric_dtype(values.dtype) and not (
        pd.api.types.is_bool_dtype(values.dtype)
    )


def _binary_response(lhs, values: pd.Series, positive_class):
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.unique())
        levels = [c for c in values.cat.categories if c in present]
    else:
        levels = sorted(values.unique().tolist(), key=_sort_key)
    if len(levels) != 2:
        shown = levels[:10]
        raise DataError(
            f"family='binomial' needs a response with exactly two values; {lhs!r} has "
            f"{len(levels)}: {shown}" + (" ..." if len(levels) > 10 else "") + "; for "
            "grouped data write cbind(successes, failures) ~ ..., or give a proportion "
            "with its trials as weights= (e.g. weights='n')"
        )
    positive = positive_class
    if positive is None:
        positive = levels[1]
    elif positive not in levels:
        raise ArgumentError(
            f"positive_class={positive!r} is not a value of {lhs!r}: {levels}"
        )
    negative = levels[0] if positive == levels[1] else levels[1]
    y = (values == positive).to_numpy(dtype=float)
    return np.ascontiguousarray(y), (_plain(negative), _plain(positive))


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _sort_key(value):
    return (
        (str(type(value)), value)
        if not isinstance(value, (int, float, bool))
        else ("", value)
    )


# -- grouped binomial data ----------------------------------------------------------

SUCCESS_LABELS = ("failure", "success")


@dataclass(frozen=True)
class GroupedResponse:
    """A binomial response given as counts or proportions, as glmnet takes it.

    Attributes
    ----------
    y : numpy.ndarray
        The proportion of successes of each row (0 where a row has no trials).
    trials : numpy.ndarray or None
        Counts: successes + failures of each row (they multiply the weights);
        proportions: None (the weights are the trials).
    kind : {"counts", "proportions"}
    label : str
        The response in words: ``"successes s of trials s + f"``.

    Examples
    --------
    >>> from penstat.design.namespace import default_env
    >>> df = pd.DataFrame({"s": [1, 0, 3], "f": [3, 0, 1]})
    >>> g = grouped_response("cbind(s, f)", df, "binomial", None, default_env(),
    ...                      ["s", "f"], has_weights=False)
    >>> g.y.tolist(), g.trials.tolist(), g.label
    ([0.25, 0.0, 0.75], [4.0, 0.0, 4.0], 'successes s of trials s + f')
    """

    y: np.ndarray
    trials: np.ndarray | None
    kind: str
    label: str

    def take(self, rows: np.ndarray) -> GroupedResponse:
        """The response of the rows ``rows`` (a boolean mask or positions)."""
        trials = None if self.trials is None else self.trials[rows]
        return GroupedResponse(self.y[rows], trials, self.kind, self.label)


def split_top_level(text: str) -> list[str]:
    """``text`` split at the commas outside parentheses, brackets and quotes.

    Examples
    --------
    >>> split_top_level('a, f(b, c), Q("d,e")')
    ['a', ' f(b, c)', ' Q("d,e")']
    """
    parts, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def cbind_parts(lhs: str) -> tuple[str, str] | None:
    """The two arguments of a response ``cbind(successes, failures)`` (R's two-column
    binomial response), or None when ``lhs`` is not a ``cbind(...)``.

    Examples
    --------
    >>> cbind_parts("cbind(s, n - s)"), cbind_parts("y")
    (('s', 'n - s'), None)
    """
    m = re.fullmatch(r"\s*cbind\s*\((.*)\)\s*", lhs, flags=re.DOTALL)
    if m is None:
        return None
    parts = [part.strip() for part in split_top_level(m.group(1))]
    if len(parts) != 2 or not all(parts):
        raise FormulaError(
            f"the response {lhs!r} must be cbind(successes, failures): two columns or "
            f"expressions, e.g. cbind(s, n - s); it has {len(parts)}"
        )
    return parts[0], parts[1]


def grouped_response(lhs, frame, fam, positive_class, env, columns, has_weights):
    """The binomial response of grouped data, or None for any other response.

    ``cbind(s, f)`` gives counts: y = s / (s + f), and the trials s + f multiply the
    weights (glmnet's two-column y). A numeric response in [0, 1] with a value
    strictly inside and ``weights=`` given is a proportion, its trials the weights.

    Parameters
    ----------
    lhs, frame, fam, positive_class, env, columns
        As for :func:`response_values`.
    has_weights : bool
        Whether ``weights=`` was given.

    Returns
    -------
    GroupedResponse or None

    Examples
    --------
    >>> from penstat.design.namespace import default_env
    >>> df = pd.DataFrame({"p": [0.2, 0.5, 1.0], "n": [5, 2, 1]})
    >>> g = grouped_response("p", df, "binomial", None, default_env(), ["p", "n"], True)
    >>> g.kind, g.y.tolist(), g.trials
    ('proportions', [0.2, 0.5, 1.0], None)
    """
    fam = getattr(fam, "name", fam)
    parts = cbind_parts(lhs)
    if parts is None:
        if fam != "binomial" or not has_weights:
            return None
        values = _lhs_values(lhs, frame, env, columns)
        if not _is_number(values):
            return None
        y = values.to_numpy(dtype=float)
        if np.all((y == 0) | (y == 1)) or not np.all((y >= 0) & (y <= 1)):
            return None
        _no_positive_class(positive_class, lhs)
        label = f"proportion {lhs} of trials given by the weights"
        return GroupedResponse(np.ascontiguousarray(y), None, "proportions", label)
    if fam != "binomial":
        raise FormulaError(
            f"the response {lhs!r} is binomial counts; use family='binomial'"
        )
    _no_positive_class(positive_class, lhs)
    succ, fail = (_counts(text, lhs, frame, env, columns) for text in parts)
    trials = succ + fail
    y = np.divide(succ, trials, out=np.zeros_like(trials), where=trials > 0)
    label = f"successes {parts[0]} of trials {parts[0]} + {parts[1]}"
    return GroupedResponse(np.ascontiguousarray(y), trials, "counts", label)


def _no_positive_class(positive_class, lhs) -> None:
    if positive_class is not None:
        raise ArgumentError(
            f"positive_class= does not apply to the response {lhs!r}: it gives "
            "successes and trials, and the model is of the probability of a success"
        )


def _counts(text, lhs, frame, env, columns) -> np.ndarray:
    """One argument of ``cbind``: finite non-negative numbers. An expression is
    arithmetic, as in R (``n - s``), not patsy's term algebra."""
    expr = text if column_in(text, columns) is not None else f"I({text})"
    values = _lhs_values(expr, frame, env, columns)
    if not _is_number(values):
        raise DataError(
            f"{text!r} in the response {lhs!r} has dtype {values.dtype}; cbind() needs "
            "the counts of successes and failures as numbers"
        )
    counts = values.to_numpy(dtype=float)
    if not np.isfinite(counts).all() or (counts < 0).any():
        raise DataError(
            f"{text!r} in the response {lhs!r} has negative or infinite values; "
            "cbind(successes, failures) needs counts >= 0"
        )
    return counts


def weight_values(weights, data, keep):
    """The observation weights of the rows ``keep`` (boolean mask over ``data``),
    checked: finite, non-negative, not all zero. ``weights`` is a column name of
    ``data``, one weight per row of ``data``, or None (returned as None).

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0, 2.0, 0.5]})
    >>> keep = np.array([True, False, True])
    >>> weight_values("w", df, keep), weight_values([1, 2, 3], df, keep)
    (array([1. , 0.5]), array([1., 3.]))
    """
    if weights is None:
        return None
    name = weights if isinstance(weights, str) else "weights"
    if isinstance(weights, str):
        raw = data[weights]
        if pd.api.types.is_bool_dtype(raw.dtype):
            raise DataError(
                f"weights column {weights!r} holds booleans ({raw.dtype}); weights must "
                "be numbers: convert the column first if you mean 0 / 1 (e.g. "
                f"data[{weights!r}].astype(float)), or drop the rows of weight 0"
            )
        if not pd.api.types.is_numeric_dtype(raw.dtype):
            raise DataError(f"weights column {weights!r} is not numeric ({raw.dtype})")
        real_values(raw, f"weights column {weights!r}")
        arr = raw.to_numpy(dtype=float, na_value=np.nan)
    else:
        real_values(weights, "weights")
        refuse_text_or_bool(weights, "weights")  # "2" and True cast to floats silently
        weights = align_rows(weights, getattr(data, "index", None), "weights")
        arr = np.asarray(weights, dtype=float)
        if arr.ndim != 1 or arr.shape[0] != len(data):
            raise ArgumentError(
                f"weights has shape {arr.shape}; give one weight per row of the data "
                f"({len(data)} rows)"
            )
    arr = arr[keep]
    if not np.isfinite(arr).all():
        raise DataError(f"{name!r} has missing or infinite values; weights must be finite")
    if (arr < 0).any():
        raise DataError(f"{name!r} has negative values; weights must be >= 0")
    if not (arr > 0).any():
        raise DataError(f"{name!r} is zero for every row used")
    check_weight_range(arr, f"weights {name!r}" if isinstance(weights, str) else name)
    return np.ascontiguousarray(arr)


def offset_values(offset, frame, arg: str = "offset", where: str = "the data"):
    """An offset as floats (NaN where missing) and its name for messages: the column
    ``offset`` of ``frame``, or the numbers given (their shape is the caller's to
    check). Non-numeric values are refused, naming the column or ``arg``.

    Examples
    --------
    >>> offset_values("off", pd.DataFrame({"off": [0.0, 0.5]}))
    (array([0. , 0.5]), "offset column 'off'")
    >>> offset_values([1, 2], None)
    (array([1., 2.]), 'offset')
    """
    if isinstance(offset, str):
        raw = frame[offset]
        if not _is_number(raw):
            of = "" if where == "the data" else f" of {where}"
            raise DataError(
                f"offset column {offset!r}{of} is not numeric ({raw.dtype}); the offset "
                "is added to the linear predictor and must be a number per row"
            )
        real_values(raw, f"offset column {offset!r}")
        return raw.to_numpy(dtype=float, na_value=np.nan), f"offset column {offset!r}"
    real_values(offset, arg)
    offset = align_rows(offset, getattr(frame, "index", None), arg)
    try:
        values = np.asarray(offset, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"{arg} must be a column name of {where} or one number per row; "
            "it has values that are not numbers"
        ) from None
    refuse_text_or_bool(offset, arg)  # "0.5" and True cast to floats silently
    return values, arg


def offset_rows(offset, data, keep):
    """The offset of the rows ``keep`` (boolean mask over ``data``), checked finite.
    ``offset`` is a column name of ``data``, one number per row of ``data``, or None
    (returned as None).

    Examples
    --------
    >>> df = pd.DataFrame({"off": [0.0, 0.5, 1.0]})
    >>> offset_rows("off", df, np.array([True, False, True]))
    array([0., 1.])
    """
    if offset is None:
        return None
    arr, name = offset_values(offset, data)
    if not isinstance(offset, str) and (arr.ndim != 1 or arr.shape[0] != len(data)):
        raise ArgumentError(
            f"offset has shape {arr.shape}; give one number per row of the data "
            f"({len(data)} rows), or the name of a column"
        )
    arr = arr[keep]
    bad = ~np.isfinite(arr)
    if bad.any():
        raise DataError(
            f"{name} has missing or infinite values in {int(bad.sum())} of the rows used; "
            "the offset must be finite: impute it, or drop those rows from the data"
        )
    check_offset_scale(arr, name)
    return np.ascontiguousarray(arr)
