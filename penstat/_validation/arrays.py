"""Array arguments: X, y, weights, offsets, lambda grids, coefficient limits."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse

from penstat._errors import ArgumentError, DataError
from penstat._validation.scalars import limit_value

__all__ = [
    "as_lambdas",
    "as_limits",
    "as_design",
    "as_matrix",
    "as_sparse",
    "as_offset",
    "as_response",
    "as_weights",
    "align_rows",
    "dependent_columns",
    "check_weight_extremes",
    "refuse_text_or_bool",
    "check_response_scale",
    "check_offset_scale",
    "check_two_classes",
    "check_weight_range",
    "real_values",
    "row_values",
]


# Beyond this magnitude the squares of a gaussian response (its deviance, the
# residual sums of squares of CV and the criteria) overflow float64 (~1.8e308).
RESPONSE_MAX = 1e150
RESPONSE_MIN_SPREAD = 1e-150
# The largest ratio of two positive weights: beyond 1 / machine epsilon the rows of
# the small weights vanish in round-off beside the large ones.
WEIGHT_RATIO_MAX = 1e15

# -- arrays ------------------------------------------------------------------------


def as_matrix(X: Any, name: str = "X") -> np.ndarray:
    """``X`` as a finite float64 2-D array (a copy only where a conversion needs one).

    Examples
    --------
    >>> as_matrix([[1, 2], [3, 4]]).dtype
    dtype('float64')
    """
    if hasattr(X, "toarray") and not isinstance(X, np.ndarray):
        raise ArgumentError(f"{name} is a sparse matrix; pass a dense array (X.toarray())")
    if np.iscomplexobj(X):
        raise DataError(
            f"{name} holds complex numbers; pass the real part you mean "
            f"(np.real({name}) or np.abs({name}))"
        )
    try:
        Xa = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be a numeric 2-D array: {exc}") from exc
    if Xa.ndim != 2:
        raise DataError(f"{name} must be 2-dimensional (n, p), got shape {Xa.shape}")
    if not np.all(np.isfinite(Xa)):
        bad = np.argwhere(~np.isfinite(Xa))[0]
        raise DataError(
            f"{name} contains NaN or inf (first at row {bad[0]}, column {bad[1]}); "
            "remove or impute those values"
        )
    return Xa


def as_sparse(X: Any, name: str = "X"):
    """A scipy.sparse ``X`` as a CSC matrix of finite float64 with sorted, unique
    indices, the form the sparse kernels take. CSR and the other formats are
    converted once, never densified; ``X`` itself is not modified (a copy is made
    where duplicates must be summed or indices sorted; a CSC float64 input shares
    its arrays, which penstat only reads).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> Xc = as_sparse(sp.csr_matrix([[1, 0], [0, 2]]))
    >>> Xc.format, Xc.dtype.name, Xc.nnz
    ('csc', 'float64', 2)
    """
    if X.ndim != 2:
        raise DataError(f"{name} must be 2-dimensional (n, p), got shape {X.shape}")
    if np.iscomplexobj(X.dtype.type(0)):
        raise DataError(
            f"{name} holds complex numbers; pass the real part you mean "
            f"(np.real({name}) or abs({name}))"
        )
    try:
        Xc = scipy.sparse.csc_matrix(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be a numeric sparse matrix: {exc}") from exc
    if not Xc.has_canonical_format:
        Xc = Xc.copy()
        Xc.sum_duplicates()  # also sorts the indices
    if not np.all(np.isfinite(Xc.data)):
        k = int(np.flatnonzero(~np.isfinite(Xc.data))[0])
        col = int(np.searchsorted(Xc.indptr, k, side="right") - 1)
        raise DataError(
            f"{name} contains NaN or inf (first at row {int(Xc.indices[k])}, column "
            f"{col}); remove or impute those values"
        )
    return Xc


def as_design(X: Any, name: str = "X"):
    """``X`` as :func:`as_sparse` gives it when it is a scipy.sparse matrix or array,
    else as :func:`as_matrix` does.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> as_design(sp.eye(3)).format, as_design([[1.0]]).shape
    ('csc', (1, 1))
    """
    if scipy.sparse.issparse(X):
        return as_sparse(X, name)
    return as_matrix(X, name)


def as_response(y: Any, n: int, family: str) -> np.ndarray:
    """``y`` as n finite floats; in [0, 1] for the binomial family (0/1 labels, or
    proportions of successes whose trials are the weights, as glmnet's).

    Examples
    --------
    >>> as_response([0, 1, 1], 3, "binomial").tolist()
    [0.0, 1.0, 1.0]
    >>> as_response([0.25, 1, 0.5], 3, "binomial").tolist()
    [0.25, 1.0, 0.5]
    """
    real_values(y, "y")
    try:
        ya = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"y must be a numeric 1-D array: {exc}") from exc
    if ya.ndim == 2 and ya.shape[1] == 1:
        ya = ya[:, 0]
    if ya.ndim != 1:
        raise DataError(f"y must be 1-dimensional, got shape {ya.shape}")
    if ya.shape[0] != n:
        raise DataError(f"y has {ya.shape[0]} values but X has {n} rows; they must match")
    if not np.all(np.isfinite(ya)):
        raise DataError(
            f"y contains NaN or inf (first at row {int(np.argmin(np.isfinite(ya)))}); "
            "remove those rows"
        )
    if family == "gaussian":
        check_response_scale(ya, "y")
    if family == "binomial" and not np.all((ya >= 0) & (ya <= 1)):
        bad = ya[(ya < 0) | (ya > 1)][0]
        raise DataError(
            f"y must be 0/1 for family='binomial' (or a proportion of successes in "
            f"[0, 1], its trials given as weights), found {bad:g}; recode the response"
        )
    return ya


def check_response_scale(y: np.ndarray, name: str) -> None:
    """A gaussian response (finite floats) must stay below 1e150 in absolute value,
    and, unless constant, vary by more than 1e-150: its squares (the deviance, the
    residual sums of squares) would overflow or underflow to 0.

    Examples
    --------
    >>> check_response_scale(np.array([1e100, -3.0]), "y")
    """
    big = float(np.max(np.abs(y))) if y.size else 0.0
    if big > RESPONSE_MAX:
        at = int(np.argmax(np.abs(y)))
        raise DataError(
            f"{name} has values as large as {y[at]:.3g} (row {at}); beyond "
            f"{RESPONSE_MAX:g} the sums of squares of a gaussian fit overflow float64. "
            f"Rescale it (e.g. divide it by 1e{int(np.floor(np.log10(big)))}): the "
            "coefficients scale with it"
        )
    spread = float(np.ptp(y)) if y.size else 0.0
    if 0 < spread < RESPONSE_MIN_SPREAD:
        raise DataError(
            f"{name} varies by only {spread:.3g} (largest minus smallest); below "
            f"{RESPONSE_MIN_SPREAD:g} the sums of squares of a gaussian fit underflow to "
            f"0. Rescale it (e.g. multiply it by 1e{-int(np.floor(np.log10(spread)))}): "
            "the coefficients scale with it"
        )


def check_weight_range(w: np.ndarray, name: str = "weights") -> None:
    """Finite non-negative weights (some positive) must have a finite sum and span at
    most 1e15 (largest / smallest positive): only their ratios enter the fit, and
    rows whose weight is below round-off beside the largest would count for nothing.

    Examples
    --------
    >>> check_weight_range(np.array([0.0, 1e-3, 1e9]))
    """
    positive = w[w > 0]
    with np.errstate(over="ignore"):
        total = np.sum(w)
    if not np.isfinite(total):
        raise DataError(
            f"{name} sum to more than float64 holds (largest {positive.max():.3g}); "
            "divide them by their largest value (the path depends on their ratios "
            "only)"
        )
    ratio = positive.max() / positive.min()
    if ratio > WEIGHT_RATIO_MAX:
        hi, lo = int(np.argmax(w)), int(np.flatnonzero(w == positive.min())[0])
        raise DataError(
            f"{name} span a ratio of {ratio:.3g} (largest {w[hi]:.3g} in row {hi}, "
            f"smallest positive {w[lo]:.3g} in row {lo}), more than {WEIGHT_RATIO_MAX:g}: "
            "the rows of small weight vanish in round-off beside the large ones and "
            "the weighted sums of squares overflow. Give weights within a ratio of "
            "1e15 (set a weight to 0 to drop its row)"
        )


def check_weight_extremes(
    largest: float, smallest: float, total: float, name: str = "weights"
) -> None:
    """:func:`check_weight_range` from the weights' summaries only (largest and
    smallest positive weight, sum), as a pass over partitions gives them.

    Examples
    --------
    >>> check_weight_extremes(2.0, 0.5, 10.0)
    """
    if not np.isfinite(total):
        raise DataError(
            f"{name} sum to more than float64 holds (largest {largest:.3g}); "
            "divide them by their largest value (the path depends on their ratios "
            "only)"
        )
    if smallest > 0 and largest / smallest > WEIGHT_RATIO_MAX:
        raise DataError(
            f"{name} span a ratio of {largest / smallest:.3g} (largest {largest:.3g}, "
            f"smallest positive {smallest:.3g}), more than {WEIGHT_RATIO_MAX:g}: the "
            "rows of small weight vanish in round-off beside the large ones and the "
            "weighted sums of squares overflow. Give weights within a ratio of 1e15 "
            "(set a weight to 0 to drop its row)"
        )


def refuse_text_or_bool(values: Any, name: str, what: str = "numbers") -> None:
    """Refuse text (``"1"``) and booleans where numbers are meant: a cast to float
    would silently read ``"1"`` as 1 and True as 1.

    Examples
    --------
    >>> refuse_text_or_bool([0.5, 1], "offset")
    >>> refuse_text_or_bool(["1"], "lower_limits")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    penstat._errors.ArgumentError: lower_limits holds text ('1'); ...
    """
    if isinstance(values, (str, bytes)):
        items = [values]
    else:
        try:
            arr = np.asarray(values)
        except (TypeError, ValueError):
            return  # ragged or odd input: the cast that follows explains it
        if arr.dtype.kind in "biufc":
            if arr.dtype.kind == "b":
                raise ArgumentError(
                    f"{name} holds booleans; {name} must be {what}: convert them "
                    f"first if you mean 0 / 1 (e.g. np.asarray({name}, dtype=float))"
                )
            return
        items = arr.ravel().tolist() if arr.dtype.kind in "OUS" else []
    for v in items:
        if isinstance(v, (str, bytes)):
            raise ArgumentError(
                f"{name} holds text ({v!r}); {name} must be {what}, not strings: "
                "convert them first (e.g. float(v))"
            )
        if isinstance(v, (bool, np.bool_)):
            raise ArgumentError(f"{name} holds booleans ({v!r}); {name} must be {what}")


def dependent_columns(Z: np.ndarray, names: Any) -> list[str]:
    """The columns of ``Z`` (n, k) that are linear combinations of the columns before
    them (a constant column after the intercept, a copy, a sum): ``names[j]`` of
    each, in order. Columns are scaled to unit length first, so that their scales
    do not matter; a column counts as dependent when its part orthogonal to the
    columns before it is below 1e-9 of its length.

    Examples
    --------
    >>> Z = np.column_stack([np.ones(4), [1.0, 2, 3, 4], [2.0, 4, 6, 8]])
    >>> dependent_columns(Z, ["(Intercept)", "x", "2x"])
    ['2x']
    """
    Z = np.asarray(Z, dtype=float)
    if Z.size == 0:
        return []
    top = np.max(np.abs(Z), axis=0) if Z.shape[0] else np.zeros(Z.shape[1])
    Z = Z / np.where(top > 0, top, 1.0)
    norms = np.sqrt(np.sum(Z * Z, axis=0))
    unit = Z / np.where(norms > 0, norms, 1.0)
    r = np.abs(np.diag(np.linalg.qr(unit, mode="r"))) if Z.shape[0] else np.zeros(0)
    r = np.concatenate([r, np.zeros(Z.shape[1] - r.size)])
    return [str(names[j]) for j in range(Z.shape[1]) if norms[j] == 0 or r[j] < 1e-9]


def align_rows(values: Any, index: Any, name: str) -> Any:
    """A pandas Series of per-row values (weights, offset) aligned to the data's
    row ``index`` by label; anything else is returned as given (taken by position).
    Labels of the data missing from the Series, or a Series with duplicated labels
    that differs from the data's index, are refused naming the argument.

    Examples
    --------
    >>> s = pd.Series([1.0, 2.0], index=[1, 0])
    >>> align_rows(s, pd.RangeIndex(2), "weights").tolist()
    [2.0, 1.0]
    """
    if not isinstance(values, pd.Series) or not isinstance(index, pd.Index):
        return values
    if values.index.equals(index):
        return values
    if not values.index.is_unique:
        raise ArgumentError(
            f"{name} is a pandas Series whose index differs from the data's and has "
            "duplicated labels, so it cannot be aligned to the data's rows; give it "
            "the data's index, or pass a plain array (taken by position)"
        )
    missing = index[~index.isin(values.index)]
    if len(missing):
        shown = ", ".join(repr(v) for v in missing[:3].tolist())
        raise ArgumentError(
            f"{name} is a pandas Series without a value for {len(missing)} row "
            f"label(s) of the data (e.g. {shown}); a Series is aligned to the data by "
            "its index: give one value per row label, or pass a plain array (taken "
            "by position)"
        )
    return values.reindex(index)


def check_two_classes(y: np.ndarray, w: np.ndarray) -> None:
    """A binomial response needs both classes among the rows of positive weight:
    some success (y > 0) and some failure (y < 1), as proportions may give them.

    Examples
    --------
    >>> check_two_classes(np.array([0.0, 1.0]), np.ones(2))
    >>> check_two_classes(np.array([0.5, 1.0]), np.ones(2))
    """
    seen = y[w > 0]
    if np.all(seen == 0) or np.all(seen == 1):
        raise DataError(
            f"y has only one class ({seen[0]:g}) among rows with positive weight; "
            "family='binomial' needs both 0 and 1"
        )


def real_values(values: Any, name: str) -> None:
    """Refuse per-row numbers that a cast to float would silently change: complex
    numbers (the imaginary part would be dropped), dates and durations (they would
    become nanosecond counts).

    Examples
    --------
    >>> real_values([0.5, 1], "offset")
    >>> real_values(np.array([1j]), "offset")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    penstat._errors.DataError: offset holds complex numbers (complex128); take the ...
    """
    dtype = getattr(values, "dtype", None)
    if dtype is None:
        try:
            dtype = np.asarray(values).dtype
        except (TypeError, ValueError):
            return  # ragged or odd input: the cast that follows explains it
    kind = getattr(dtype, "kind", "")
    if kind == "c":
        raise DataError(
            f"{name} holds complex numbers ({dtype}); take the part you mean first, "
            f"e.g. np.real({name}) or np.abs({name})"
        )
    if kind in ("m", "M"):
        what = "durations" if kind == "m" else "dates"
        raise DataError(
            f"{name} holds {what} ({dtype}), which a model cannot add to the linear "
            "predictor as they are; convert them to numbers first, e.g. "
            + (
                "s.dt.total_seconds()"
                if kind == "m"
                else "days since an origin: (s - pd.Timestamp('2000-01-01')).dt.days"
            )
        )


def check_offset_scale(offset: np.ndarray, name: str = "offset") -> None:
    """An offset (finite floats) must stay below 1e150 in absolute value, as a
    gaussian response: the working response ``y - offset`` and the linear predictor
    would overflow their sums of squares, and ``y`` would be lost in round-off.

    Examples
    --------
    >>> check_offset_scale(np.array([1e100, -3.0]))
    """
    big = float(np.max(np.abs(offset))) if offset.size else 0.0
    if big > RESPONSE_MAX:
        at = int(np.argmax(np.abs(offset)))
        raise DataError(
            f"{name} has values as large as {offset[at]:.3g} (row {at}); beyond "
            f"{RESPONSE_MAX:g} the linear predictor's sums of squares overflow float64 "
            "and the response is lost in round-off beside it. Rescale the offset (and "
            "the response with it), or centre it: a constant part is the intercept's"
        )


def row_values(values: Any, n: int, name: str) -> np.ndarray:
    """``values`` as n floats, one per row (weights, offset), else a DataError.

    Examples
    --------
    >>> row_values([1, 2], 2, "weights").tolist()
    [1.0, 2.0]
    """
    real_values(values, name)
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be numeric: {exc}") from exc
    if arr.ndim != 1 or arr.shape[0] != n:
        raise DataError(f"{name} must have shape ({n},) like y, got {arr.shape}")
    return arr


def as_weights(weights: Any, n: int) -> np.ndarray:
    """Observation weights: n finite non-negative numbers, not all zero (default ones).

    Examples
    --------
    >>> as_weights(None, 2).tolist()
    [1.0, 1.0]
    """
    if weights is None:
        return np.ones(n)
    w = row_values(weights, n, "weights")
    if not np.all(np.isfinite(w)):
        raise DataError("weights contain NaN or inf; use finite non-negative weights")
    if np.any(w < 0):
        raise DataError(
            f"weights must be non-negative, found {w.min():g} at row {int(np.argmin(w))}"
        )
    if not np.any(w > 0):
        raise DataError("weights are all zero; at least one row needs a positive weight")
    check_weight_range(w)
    return w


def as_offset(offset: Any, n: int) -> np.ndarray:
    """An offset: n finite numbers.

    Examples
    --------
    >>> as_offset([0.5, -1], 2).tolist()
    [0.5, -1.0]
    """
    off = row_values(offset, n, "offset")
    if not np.all(np.isfinite(off)):
        bad = int(np.flatnonzero(~np.isfinite(off))[0])
        raise DataError(
            f"offset contains NaN or inf (first at row {bad}); it must be finite"
        )
    check_offset_scale(off)
    return off


def as_lambdas(lambdas: Any) -> np.ndarray:
    """A user's lambda grid: strictly decreasing finite numbers >= 0.

    Examples
    --------
    >>> as_lambdas([1.0, 0.1]).tolist()
    [1.0, 0.1]
    """
    try:
        lam = np.array(lambdas, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"lambdas must be a sequence of numbers: {exc}") from exc
    if lam.ndim > 1:
        raise ArgumentError(
            f"lambdas must be 1-D (one decreasing sequence of numbers), got shape "
            f"{lam.shape}; pass a flat list or array"
        )
    lam = lam.ravel()
    if lam.size == 0:
        raise ArgumentError("lambdas is empty; give at least one value or None")
    if not np.all(np.isfinite(lam)):
        raise ArgumentError("lambdas contain NaN or inf")
    if np.any(lam < 0):
        raise ArgumentError(f"lambdas must be non-negative, found {lam.min():g}")
    if lam.size > 1 and not np.all(np.diff(lam) < 0):
        raise ArgumentError(
            "lambdas must be strictly decreasing (warm starts run from large to small); "
            "pass np.unique(lambdas)[::-1]"
        )
    return lam


def as_limits(lower: Any, upper: Any, p: int, pf: np.ndarray):
    """Coefficient limits per column: ``(lower, upper)`` as (p,) arrays, or None when
    neither side limits anything. ``pf``: the penalty factors (a column with factor 0
    cannot take a finite limit).

    Examples
    --------
    >>> lo, hi = as_limits(0, None, 2, np.ones(2))
    >>> lo.tolist(), hi.tolist()
    ([0.0, 0.0], [inf, inf])
    """
    if lower is None and upper is None:
        return None
    out = []
    for value, name, side in ((lower, "lower_limits", -1.0), (upper, "upper_limits", 1.0)):
        if value is None:
            out.append(np.full(p, side * np.inf))
            continue
        refuse_text_or_bool(value, name)
        try:
            arr = np.array(value, dtype=float)
        except (TypeError, ValueError):
            raise ArgumentError(
                f"{name} must be a number or one number per column"
            ) from None
        if arr.ndim == 0:
            arr = np.full(p, float(arr))
        if arr.shape != (p,):
            raise ArgumentError(
                f"{name} has shape {arr.shape}; give one number, or one per column "
                f"of X ({p})"
            )
        for j in range(p):
            limit_value(arr[j], f"{name}[{j}]", side)
        out.append(arr)
    lo, hi = out
    if np.isinf(lo).all() and np.isinf(hi).all():
        return None
    bound_free = np.flatnonzero((pf == 0) & (np.isfinite(lo) | np.isfinite(hi)))
    if bound_free.size:
        j = int(bound_free[0])
        name = "lower_limits" if np.isfinite(lo[j]) else "upper_limits"
        raise ArgumentError(
            f"{name}[{j}]: column {j} is unpenalized (penalty_factor 0) and has a finite "
            "limit; limits apply to penalized columns only: give -inf / inf there"
        )
    return lo, hi
