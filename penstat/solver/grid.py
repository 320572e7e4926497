"""The lambda grid: the null model, lambda_max and glmnet's log-spaced grid.

>>> from penstat.solver.grid import lambda_grid
>>> lambda_grid(1.0, 3, 0.01, 10, 5).tolist()
[1.0, 0.1, 0.01]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit

from penstat._errors import ArgumentError, SeparationWarning, warn_user
from penstat._validation import check_nlambda, positive_number
from penstat.penalty import Penalty
from penstat.solver.separation import binomial_null_fit

__all__ = [
    "group_lambda_max",
    "group_lambda_max_of",
    "lambda_grid",
    "lambda_max",
    "lambda_max_of",
    "null_residual",
]

# glmnet's defaults for the computed grid
LAMBDA_MIN_RATIO_TALL = 1e-4  # n >= p (glmnet: 1e-2 only when n < p)
LAMBDA_MIN_RATIO_WIDE = 1e-2  # n < p


def lambda_grid(lam_max: float, nlambda: Any, lambda_min_ratio: Any, n: int, p: int):
    """glmnet's default grid: ``nlambda`` values log-spaced from ``lam_max`` down to
    ``lambda_min_ratio * lam_max`` (None: 1e-4 when n >= p, else 1e-2).

    Examples
    --------
    >>> lambda_grid(1.0, 3, 0.01, 10, 5).tolist()
    [1.0, 0.1, 0.01]
    """
    nlambda = check_nlambda(nlambda)
    ratio = lambda_min_ratio
    if ratio is None:
        ratio = LAMBDA_MIN_RATIO_TALL if n >= p else LAMBDA_MIN_RATIO_WIDE
    ratio = positive_number(ratio, "lambda_min_ratio")
    if ratio >= 1:
        raise ArgumentError(f"lambda_min_ratio={lambda_min_ratio!r} must be in (0, 1)")
    if nlambda == 1:
        return np.array([lam_max])
    return lam_max * ratio ** (np.arange(nlambda) / (nlambda - 1))


def null_residual(Xs, yk, wn, pf, family: str, fit_intercept: bool, offset=None):
    """y minus the fit of the null model: the intercept and the unpenalized columns
    (pf == 0), least squares or logistic (standardized scale); a binomial ``offset``
    is part of its linear predictor (a gaussian one is already subtracted from yk).

    Raises an ``ArgumentError`` when unpenalized columns fit y exactly (gaussian) or
    separate its classes (binomial) while the intercept alone does not: the penalized
    columns then have nothing left to explain, the unpenalized coefficients are not
    determined (or infinite), and coordinate descent would only crawl along them.

    ``Xs`` is (n, p) standardized, ``yk`` (n,) the response, ``wn`` (n,) the weights
    normalized to sum to 1 and ``pf`` (p,) the penalty factors.

    Examples
    --------
    >>> Xs = np.array([[1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [-1.0, -1.0]])
    >>> yk, wn = np.array([3.0, 1.0, 4.0, 0.0]), np.full(4, 0.25)
    >>> null_residual(Xs, yk, wn, np.ones(2), "gaussian", True).tolist()
    [1.0, -1.0, 2.0, -2.0]
    >>> null_residual(Xs, yk, wn, np.array([0.0, 1.0]), "gaussian", True).tolist()
    [-0.5, 0.5, 0.5, -0.5]
    """
    unpen = np.flatnonzero(pf == 0)
    Xu = Xs[:, unpen]
    if family == "gaussian":
        resid = yk - (wn @ yk if fit_intercept else 0.0)
        if unpen.size:
            spread = float(wn @ resid**2)
            sq = np.sqrt(wn)
            beta = np.linalg.lstsq(Xu * sq[:, None], resid * sq, rcond=None)[0]
            resid = resid - Xu @ beta
            exact = spread > 0 and float(wn @ resid**2) <= 1e-20 * spread
    else:
        eta, found = binomial_null_fit(Xu, yk, wn, fit_intercept, offset=offset)
        resid = yk - expit(eta)
        exact = found == "complete"
        if found == "quasi":
            warn_user(
                f"penalty_factor: the unpenalized columns (penalty_factor 0)"
                f"{' with the intercept' if fit_intercept else ''} separate the two "
                "classes on part of the observations, the rest tie (quasi-complete "
                "separation, as from an unpenalized factor level whose observations "
                "all have one class): those coefficients have no finite estimate and "
                "are reported at a large value set by tol; the other coefficients fit "
                "the tied observations. Give those columns a positive penalty_factor "
                "for finite estimates",
                SeparationWarning,
            )
    if unpen.size and exact:
        what = "fit y exactly" if family == "gaussian" else "separate the two classes"
        raise ArgumentError(
            f"penalty_factor: the {unpen.size} unpenalized columns (penalty_factor 0)"
            f"{' with the intercept' if fit_intercept else ''} {what} on the "
            f"{int(np.count_nonzero(wn))} observations with positive weight, so the "
            "penalized columns have nothing left to explain and the unpenalized "
            "coefficients are not determined; give fewer columns penalty_factor 0 "
            "(far fewer than there are observations)"
        )
    return resid


def lambda_max(Xs, resid, wn, pf, penalty: Penalty):
    """Smallest lambda with every penalized coefficient at 0 (standardized scale):
    the gradient of the loss at the null model (``resid`` from `null_residual`),
    divided by pf_j and max(l1_ratio, 1e-3).

    Examples
    --------
    >>> from penstat.penalty import Penalty
    >>> Xs = np.array([[1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [-1.0, -1.0]])
    >>> yk, wn, pf = np.array([3.0, 1.0, 4.0, 0.0]), np.full(4, 0.25), np.ones(2)
    >>> resid = null_residual(Xs, yk, wn, pf, "gaussian", True)
    >>> lambda_max(Xs, resid, wn, pf, Penalty(1.0))
    1.5
    >>> lambda_max(Xs, resid, wn, pf, Penalty(0.5))  # divided by l1_ratio
    3.0
    """
    return lambda_max_of(Xs.T @ (wn * resid), pf, penalty)


def lambda_max_of(grad, pf, penalty: Penalty) -> float:
    """:func:`lambda_max` from the gradient ``grad`` (p,) of the loss at the null
    model (standardized scale).

    Examples
    --------
    >>> from penstat.penalty import Penalty
    >>> lambda_max_of(np.array([1.5, -3.0]), np.array([1.0, 2.0]), Penalty(1.0))
    1.5
    """
    grad = np.abs(grad)
    penalized = pf > 0
    return float(np.max(grad[penalized] / pf[penalized])) / penalty.lambda_max_divisor


def group_lambda_max(Xs, resid, wn, groups, wg, penalty: Penalty, l1_within=0.0, pfg=None):
    """Smallest lambda with every penalized group at 0 (standardized scale): the
    largest ``||grad_g||_2 / wg_g`` over the penalized groups at the null model,
    divided by max(l1_ratio, 1e-3).

    Examples
    --------
    >>> from penstat.penalty import Penalty
    >>> Xs = np.array([[1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [-1.0, -1.0]])
    >>> resid, wn = np.array([1.0, -1.0, 2.0, -2.0]), np.full(4, 0.25)
    >>> lam = group_lambda_max(Xs, resid, wn, np.array([0, 0]), np.array([2.0]), Penalty())
    >>> round(lam, 6)  # ||(1.5, 0.5)|| / 2
    0.790569
    """
    grad = Xs.T @ (wn * resid)
    return group_lambda_max_of(grad, groups, wg, penalty, l1_within, pfg)


def group_lambda_max_of(grad, groups, wg, penalty: Penalty, l1_within=0.0, pfg=None):
    """:func:`group_lambda_max` from the null gradient ``grad`` (p,) on the
    standardized scale (what a path from sufficient statistics has in place of the
    rows).

    Examples
    --------
    >>> from penstat.penalty import Penalty
    >>> grad = np.array([1.5, 0.5])
    >>> round(group_lambda_max_of(grad, np.array([0, 0]), np.array([2.0]), Penalty()), 6)
    0.790569
    """
    norms = np.sqrt(np.bincount(groups, weights=grad * grad))
    penalized = wg > 0
    if not penalized.any():
        return 0.0
    if l1_within > 0:
        return _sgl_lambda_max(grad, groups, wg, pfg, l1_within, penalized)
    return float(np.max(norms[penalized] / wg[penalized])) / penalty.lambda_max_divisor


def _sgl_lambda_max(grad, groups, wg, pfg, a, penalized) -> float:
    """The sparse-group lasso's lambda_max: the largest over penalized groups of the
    root of ``||S(grad_g, lam a f_g)||_2 = lam (1 - a) w_g`` (the left side minus
    the right decreases in lam), by bisection to round-off."""
    ng = wg.size
    top = np.zeros(ng)
    np.maximum.at(top, groups, np.abs(grad))
    lo = np.zeros(ng)
    hi = np.where(penalized, top / (a * np.where(pfg > 0, pfg, 1.0)), 0.0)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        shr = np.maximum(np.abs(grad) - mid[groups] * a * pfg[groups], 0.0)
        excess = np.sqrt(np.bincount(groups, weights=shr * shr, minlength=ng))
        excess -= mid * (1 - a) * wg
        lo = np.where(excess > 0, mid, lo)
        hi = np.where(excess > 0, hi, mid)
    return float(np.max(hi[penalized]))
