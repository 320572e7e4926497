"""Every argument check, in one place, so that each user mistake has one message.

Each function takes the value and the name the user gave it, and returns the value
in the form the pipeline uses, or raises a :class:`~penstat.PenstatError` subclass
that names the argument and says what to do.

>>> from penstat._validation import check_l1_ratio, positive_int
>>> check_l1_ratio(1)
1.0
>>> positive_int(3, "nlambda")
3
"""

from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np

from penstat._errors import ArgumentError, DataError

__all__ = [
    "CRITERIA",
    "CV_RULES",
    "MEASURES",
    "MEASURE_NAMES",
    "MIN_FOLDS",
    "RULES",
    "as_lambdas",
    "as_limits",
    "as_matrix",
    "as_offset",
    "as_response",
    "as_weights",
    "check_factor",
    "check_foldid",
    "check_formula_env",
    "check_gamma",
    "check_int",
    "check_l1_ratio",
    "check_lam",
    "check_measure",
    "check_n_jobs",
    "check_nfolds",
    "check_rule",
    "check_source",
    "check_stratify",
    "check_two_classes",
    "CV_GRIDS",
    "check_cv_grid",
    "fresh_seed",
    "resolve_seed",
    "limit_value",
    "positive_int",
    "positive_number",
    "real_number",
    "row_values",
    "seed_sequence",
]

# -- vocabulary of the lambda rules and CV measures ---------------------------------

CRITERIA = ("aic", "bic", "ebic")
CV_RULES = ("cv_1se", "cv_min")
RULES = CV_RULES + CRITERIA
MEASURES = {
    "gaussian": ("mse", "mae"),
    "binomial": ("deviance", "class", "auc", "mse", "mae"),
}
MEASURE_NAMES = {
    "mse": "mean squared error",
    "mae": "mean absolute error",
    "deviance": "binomial deviance",
    "class": "misclassification error",
    "auc": "AUC",
}
MIN_FOLDS = 3  # cv.glmnet refuses fewer than three folds
CV_GRIDS = ("full", "glmnet")  # the lambdas a CV fold is fitted at


# -- scalars -----------------------------------------------------------------------


def real_number(value: Any, name: str, expected: str = "a number") -> float:
    """``value`` as a float if it is a real number (not a bool), else an ``ArgumentError``.

    Examples
    --------
    >>> real_number(3, "nfolds")
    3.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentError(f"{name}={value!r} must be {expected}")
    return float(value)


def positive_number(value: Any, name: str) -> float:
    """``value`` as a positive finite float.

    Examples
    --------
    >>> positive_number(1e-7, "tol")
    1e-07
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentError(f"{name}={value!r} must be a number > 0")
    value = float(value)
    if not (value > 0 and np.isfinite(value)):
        raise ArgumentError(f"{name}={value!r} must be a positive finite number")
    return value


def positive_int(value: Any, name: str) -> int:
    """``value`` as an int >= 1.

    Examples
    --------
    >>> positive_int(100, "nlambda")
    100
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ArgumentError(f"{name}={value!r} must be a positive integer")
    return int(value)


def check_int(value: Any, name: str, low: int) -> int:
    """``value`` as an int >= ``low``.

    Examples
    --------
    >>> check_int(200, "n_boot", 2)
    200
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ArgumentError(f"{name}={value!r} must be an integer >= {low}")
    return int(value)


def check_n_jobs(value: Any) -> int | None:
    """joblib's ``n_jobs``: None (joblib's default), a positive count, or a negative
    one (-1: every core).

    Examples
    --------
    >>> check_n_jobs(-1)
    -1
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentError(f"n_jobs={value!r} must be an integer (-1: every core) or None")
    if value == 0:
        raise ArgumentError(
            "n_jobs=0 runs nothing; use 1, a positive count, or -1 (all cores)"
        )
    return int(value)


def check_l1_ratio(value: Any) -> float:
    """``value`` as a float in [0, 1], or an ``ArgumentError`` naming ``l1_ratio``.

    Examples
    --------
    >>> check_l1_ratio(0.5)
    0.5
    """
    v = real_number(value, "l1_ratio", "a number in [0, 1]")
    if not 0.0 <= v <= 1.0:
        raise ArgumentError(f"l1_ratio={value!r} must be in [0, 1] (1 = lasso, 0 = ridge)")
    return v


def check_lam(value: Any, name: str = "lam") -> float:
    """``value`` as a finite lambda >= 0, or an ``ArgumentError`` naming ``name``.

    Examples
    --------
    >>> check_lam(2)
    2.0
    """
    v = real_number(value, name, "a number >= 0 (a lambda)")
    if not np.isfinite(v) or v < 0:
        raise ArgumentError(f"{name}={value!r} must be a finite lambda >= 0")
    return v


def limit_value(value: Any, name: str, side: float) -> float:
    """One coefficient limit: a number on its side of 0 (``side`` -1 for a lower
    limit, +1 for an upper one), ``-inf`` / ``inf`` for none.

    Examples
    --------
    >>> limit_value(0, "lower_limits", -1.0)
    0.0
    """
    if isinstance(value, (np.generic, np.ndarray)) and np.ndim(value) == 0:
        value = value.item()
    v = real_number(value, name, "a number (-inf / inf for no limit)")
    if np.isnan(v):
        raise ArgumentError(f"{name} is NaN; use -inf / inf for no limit")
    if side * v < 0:
        word = "<= 0" if side < 0 else ">= 0"
        raise ArgumentError(
            f"{name}={value!r}: limits must be {word} (as glmnet's), so that a "
            "coefficient of 0 stays allowed; use -inf / inf for no limit"
        )
    return v


def check_factor(value: Any, name: str) -> float:
    """One penalty factor: a finite number >= 0 (0 leaves the column unpenalized).

    Examples
    --------
    >>> check_factor(0, "penalty_factor['age']")
    0.0
    """
    if isinstance(value, (np.generic, np.ndarray)) and np.ndim(value) == 0:
        value = value.item()
    v = real_number(value, name, "a finite number >= 0 (0 = unpenalized)")
    if not np.isfinite(v) or v < 0:
        raise ArgumentError(
            f"{name}={value!r} must be a finite number >= 0 (0 = unpenalized)"
        )
    return v


def check_gamma(gamma: Any, n: int, p: int) -> float:
    """The EBIC parameter: ``gamma`` in [0, 1], default 1 when p > n else 0.5.

    Examples
    --------
    >>> check_gamma(None, 100, 10)
    0.5
    """
    if gamma is None:
        return 1.0 if p > n else 0.5
    value = real_number(gamma, "gamma", "a number in [0, 1]")
    if not 0.0 <= value <= 1.0:
        raise ArgumentError(f"gamma must be in [0, 1] (Chen & Chen 2008), got {gamma!r}")
    return value


def seed_sequence(seed: Any) -> np.random.SeedSequence:
    """The root of every random draw of a run, from an int, a list of ints, a numpy
    ``Generator``, a ``SeedSequence`` or None (fresh entropy).

    Examples
    --------
    >>> seed_sequence(0).entropy
    0
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(0, 2**63)))
    if seed is None or isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.SeedSequence(None if seed is None else int(seed))
    if isinstance(seed, (list, tuple)) and all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in seed
    ):
        return np.random.SeedSequence([int(s) for s in seed])
    raise ArgumentError(
        f"seed must be an int, a list of ints, a numpy Generator or None, got {seed!r}"
    )


def fresh_seed() -> int:
    """A seed in [0, 2**32) drawn from fresh entropy (the operating system): short
    enough to print and pass back as ``seed=``.

    Examples
    --------
    >>> 0 <= fresh_seed() < 2**32
    True
    """
    return int(np.random.SeedSequence().generate_state(1, np.uint32)[0])


def resolve_seed(seed: Any) -> Any:
    """The seed a run records and uses: a new :func:`fresh_seed` for None, an int drawn
    from a numpy ``Generator``, any other accepted seed (:func:`seed_sequence`) as
    given; passing the result back as ``seed=`` repeats the run.

    Examples
    --------
    >>> resolve_seed(7)
    7
    >>> isinstance(resolve_seed(None), int)
    True
    """
    if seed is None:
        return fresh_seed()
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**32))
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if seed < 0:
            raise ArgumentError(f"seed={seed!r} must be a non-negative int")
        return int(seed)
    seed_sequence(seed)  # refuses what numpy cannot seed from
    return seed


def check_cv_grid(cv_grid: Any) -> str:
    """``cv_grid``: ``"full"`` (folds fitted at the full data's lambdas) or
    ``"glmnet"`` (each fold on its own grid, as ``cv.glmnet`` by default).

    Examples
    --------
    >>> check_cv_grid("glmnet")
    'glmnet'
    """
    if cv_grid not in CV_GRIDS:
        raise ArgumentError(
            f"cv_grid={cv_grid!r}: use 'full' (every fold fitted at the full data's "
            "lambdas) or 'glmnet' (each fold on its own grid, cv.glmnet's default)"
        )
    return cv_grid


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
    if family == "binomial" and not np.all((ya >= 0) & (ya <= 1)):
        bad = ya[(ya < 0) | (ya > 1)][0]
        raise DataError(
            f"y must be 0/1 for family='binomial' (or a proportion of successes in "
            f"[0, 1], its trials given as weights), found {bad:g}; recode the response"
        )
    return ya


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


def row_values(values: Any, n: int, name: str) -> np.ndarray:
    """``values`` as n floats, one per row (weights, offset), else a DataError.

    Examples
    --------
    >>> row_values([1, 2], 2, "weights").tolist()
    [1.0, 2.0]
    """
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
    return off


def as_lambdas(lambdas: Any) -> np.ndarray:
    """A user's lambda grid: strictly decreasing finite numbers >= 0.

    Examples
    --------
    >>> as_lambdas([1.0, 0.1]).tolist()
    [1.0, 0.1]
    """
    try:
        lam = np.array(lambdas, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"lambdas must be a sequence of numbers: {exc}") from exc
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


# -- lambda rules and folds --------------------------------------------------------


def check_rule(rule: Any) -> str | float:
    """The rule name, or the float lambda of a fixed rule.

    Examples
    --------
    >>> check_rule("bic"), check_rule(0.5)
    ('bic', 0.5)
    """
    if isinstance(rule, str):
        if rule not in RULES:
            raise ArgumentError(
                f"select={rule!r} is not a rule; use one of: {', '.join(RULES)}, "
                "or a number (a fixed lambda)"
            )
        return rule
    if isinstance(rule, numbers.Real) and not isinstance(rule, bool):
        lam = float(rule)
        if not np.isfinite(lam) or lam < 0:
            raise ArgumentError(
                f"a fixed lambda must be finite and >= 0, got select={rule!r}"
            )
        return lam
    raise ArgumentError(
        f"select={rule!r} is not a rule; use one of: {', '.join(RULES)}, "
        "or a number (a fixed lambda)"
    )


def check_measure(measure: Any, family: str) -> str:
    """``measure`` checked for ``family`` (default: mse or deviance).

    Examples
    --------
    >>> check_measure(None, "binomial")
    'deviance'
    """
    valid = MEASURES[family]
    if measure is None:
        return valid[0]
    if not isinstance(measure, str) or measure not in MEASURE_NAMES:
        raise ArgumentError(
            f"measure={measure!r} is not a CV measure; use one of: "
            + ", ".join(MEASURE_NAMES)
        )
    if measure not in valid:
        raise ArgumentError(
            f"measure={measure!r} is not available for the {family} family; "
            f"use one of: {', '.join(valid)}"
        )
    return measure


def check_nfolds(nfolds: Any, n: int) -> int:
    """``nfolds`` checked against the number of observations ``n``.

    Examples
    --------
    >>> check_nfolds(10, 100)
    10
    """
    if isinstance(nfolds, bool) or not isinstance(nfolds, numbers.Integral):
        raise ArgumentError(f"nfolds must be an integer, got {nfolds!r}")
    nfolds = int(nfolds)
    if nfolds < MIN_FOLDS:
        raise ArgumentError(
            f"nfolds={nfolds} is too small: cross-validation needs at least "
            f"{MIN_FOLDS} folds (10 is recommended)"
        )
    if nfolds > n:
        raise ArgumentError(
            f"nfolds={nfolds} is larger than the number of observations ({n}); "
            f"use nfolds <= {n}"
        )
    return nfolds


def check_foldid(foldid: Any, n: int) -> np.ndarray:
    """A user's fold labels, recoded to ``0 .. K-1``.

    Any labels are accepted (integers, strings); folds are ordered by sorted label.

    Examples
    --------
    >>> check_foldid([3, 1, 2, 3, 1, 2], 6).tolist()
    [2, 0, 1, 2, 0, 1]
    """
    labels = np.asarray(foldid)
    if labels.ndim != 1:
        raise ArgumentError(f"foldid must be one-dimensional, got shape {labels.shape}")
    if labels.shape[0] != n:
        raise ArgumentError(
            f"foldid has length {labels.shape[0]} but the data have {n} observations; "
            "give one fold label per row"
        )
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ArgumentError("foldid contains NaN or inf; give every row a fold label")
    if labels.dtype == object and any(v is None for v in labels):
        raise ArgumentError("foldid contains missing labels; give every row a fold label")
    try:
        _, codes = np.unique(labels, return_inverse=True)
    except TypeError as exc:
        raise ArgumentError(
            "foldid labels must be comparable (all numbers or all strings)"
        ) from exc
    codes = codes.astype(np.intp).ravel()
    k = int(codes.max()) + 1 if n else 0
    if k < MIN_FOLDS:
        raise ArgumentError(
            f"foldid has {k} distinct fold{'s' if k != 1 else ''}; cross-validation "
            f"needs at least {MIN_FOLDS}"
        )
    return codes


def check_stratify(stratify: Any, family: str) -> bool | None:
    """``stratify`` as None (the family's default) or a bool, checked against ``family``.

    Examples
    --------
    >>> check_stratify(None, "gaussian") is None, check_stratify(True, "binomial")
    (True, True)
    """
    if stratify is None:
        return None
    if not isinstance(stratify, (bool, np.bool_)):
        raise ArgumentError(f"stratify={stratify!r} must be True, False or None")
    if stratify and family != "binomial":
        raise ArgumentError(
            "stratify=True is for the binomial family only (it deals the two classes over "
            f"the folds); family={family!r} has no classes, so leave stratify=None"
        )
    return bool(stratify)


def check_source(source: Any) -> str | None:
    """``source`` (where a report's data came from) as a str, or None.

    A file name (a str or a path) or ``"dataset:<name>"``; the text is only shown,
    never opened.

    Examples
    --------
    >>> import pathlib
    >>> check_source(pathlib.Path("data") / "trial.csv")
    'data/trial.csv'
    >>> check_source(None) is None
    True
    """
    if source is None:
        return None
    if isinstance(source, (str, os.PathLike)):
        text = os.fspath(source)
        if isinstance(text, str) and text.strip():
            return text
    raise ArgumentError(
        f"source={source!r} must name the data: a file name (e.g. 'trial.csv') or "
        "'dataset:<name>' for a penstat dataset; leave it out if there is none"
    )


def check_formula_env(value: Any, eval_env: Any = None) -> str | None:
    """``formula_env``: None, ``"caller"`` or ``"safe"`` (not with an ``eval_env``).

    Examples
    --------
    >>> check_formula_env("safe"), check_formula_env(None)
    ('safe', None)
    """
    if value is not None and value not in ("caller", "safe"):
        raise ArgumentError(
            f"formula_env={value!r}; use 'caller' (names that are not columns are looked "
            "up where penstat was called, as in R) or 'safe' (only the columns and the "
            "listed formula functions; nothing else can run)"
        )
    if value is not None and eval_env is not None:
        raise ArgumentError(f"give eval_env= or formula_env={value!r}, not both")
    return value
