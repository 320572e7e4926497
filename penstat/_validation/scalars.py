"""Scalar arguments: numbers, mixes, lambdas, limits, factors, seeds."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from penstat._errors import ArgumentError

__all__ = [
    "check_adaptive",
    "check_factor",
    "check_gamma",
    "check_int",
    "check_l1_ratio",
    "check_l1_within",
    "check_lam",
    "check_n_jobs",
    "check_nlambda",
    "fresh_seed",
    "limit_value",
    "positive_int",
    "positive_number",
    "real_number",
    "resolve_seed",
    "seed_sequence",
]


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


MAX_NLAMBDA = 10_000


def check_nlambda(value: Any) -> int:
    """The size of glmnet's grid: an int in [1, 10,000].

    A finer grid gains nothing: glmnet's early stop compares the deviance of
    consecutive lambdas, so on a grid a million values long it ends the path after a
    few percent of the range, before the true predictors enter, and the path array
    (``nlambda`` by the number of columns) can exhaust memory.

    Examples
    --------
    >>> check_nlambda(100)
    100
    """
    value = positive_int(value, "nlambda")
    if value > MAX_NLAMBDA:
        raise ArgumentError(
            f"nlambda={value} is too many lambdas (at most {MAX_NLAMBDA:,}): the early "
            "stop compares consecutive lambdas, so a grid this fine ends the path "
            "before its end, and the path takes nlambda x columns floats; use the "
            "default 100, or pass lambdas= with the values you need"
        )
    return value


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


def check_l1_within(value: Any) -> float:
    """``value`` as a float in [0, 1], or an ``ArgumentError`` naming ``l1_within``
    (the sparse-group lasso's L1 share).

    Examples
    --------
    >>> check_l1_within(0.25)
    0.25
    """
    v = real_number(value, "l1_within", "a number in [0, 1]")
    if not 0.0 <= v <= 1.0:
        raise ArgumentError(
            f"l1_within={value!r} must be in [0, 1] (0 = group lasso, 1 = lasso)"
        )
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
        if seed is not None and seed < 0:
            raise ArgumentError(f"seed={seed!r} must be a non-negative int")
        return np.random.SeedSequence(None if seed is None else int(seed))
    if isinstance(seed, (list, tuple)) and all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in seed
    ):
        if any(s < 0 for s in seed):
            raise ArgumentError(f"seed={seed!r}: every int of a seed list must be >= 0")
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


def check_adaptive(penalty_factor: Any, adaptive_gamma: Any) -> tuple[bool, float | None]:
    """Whether ``penalty_factor`` asks for the adaptive lasso, and its exponent
    ``adaptive_gamma`` (None: 1) checked; ``(False, None)`` otherwise.

    ``"adaptive"`` applies to every column: it cannot be one entry of a dict or an
    array, and ``adaptive_gamma`` is refused without it.

    Examples
    --------
    >>> check_adaptive("adaptive", None)
    (True, 1.0)
    >>> check_adaptive({"x": 0}, None)
    (False, None)
    """
    if isinstance(penalty_factor, str):
        if penalty_factor != "adaptive":
            raise ArgumentError(
                f"penalty_factor={penalty_factor!r}: give 'adaptive', a dict of column "
                "or term names, or one number per design column"
            )
        gamma = (
            1.0
            if adaptive_gamma is None
            else positive_number(adaptive_gamma, "adaptive_gamma")
        )
        return True, gamma
    values = penalty_factor.values() if isinstance(penalty_factor, dict) else None
    if values is None and penalty_factor is not None:
        values = np.asarray(penalty_factor, dtype=object).ravel().tolist()
    if values is not None and any(isinstance(v, str) for v in values):
        raise ArgumentError(
            "penalty_factor='adaptive' weighs every column (with penalty='group', "
            "every group) from one initial fit and cannot be given per column or "
            "term; to keep some unpenalized, fit with penalty_factor='adaptive', take "
            "fit.adaptive_init.penalty_factor, set those columns (for the group "
            "lasso: all columns of those terms) to 0 and refit with that penalty_factor"
        )
    if adaptive_gamma is not None:
        raise ArgumentError(
            f"adaptive_gamma={adaptive_gamma!r} is used only with "
            "penalty_factor='adaptive'; add it or drop adaptive_gamma"
        )
    return False, None
