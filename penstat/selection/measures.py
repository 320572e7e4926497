"""CV measures per observation and lambda (glmnet's ``cvraw``), their fold
statistics (``cvstats``), the weighted AUC, and lambda.min / lambda.1se.

>>> import numpy as np
>>> from penstat.selection.measures import raw_measure
>>> raw_measure(np.array([[0.0]]), np.array([1.0]), "mse", "gaussian").tolist()
[[1.0]]
"""

from __future__ import annotations

import numpy as np

from penstat._errors import DataError
from penstat.family import saturated_loglik

__all__ = [
    "auc_columns",
    "nan_weighted_mean",
    "optimal_indices",
    "raw_measure",
    "weighted_stats",
]

# glmnet's cv.lognet clips probabilities to [1e-5, 1 - 1e-5] for the deviance
PROB_MIN = 1e-5


def raw_measure(eta, y, measure, family) -> np.ndarray:
    """Per observation and lambda loss (glmnet's cvelnet / cvlognet ``cvraw``).

    Parameters
    ----------
    eta : numpy.ndarray
        (n, nlam) held-out linear predictor.
    y : numpy.ndarray
        (n,) response (0/1 for the binomial family).
    measure : str
        ``"mse"`` or ``"mae"``; binomial also ``"deviance"`` or ``"class"``.
    family : str
        ``"gaussian"`` or ``"binomial"``.

    Returns
    -------
    numpy.ndarray
        (n, nlam) loss.

    Examples
    --------
    >>> eta = np.array([[0.0, 2.0], [0.0, 2.0]])
    >>> raw_measure(eta, np.array([1.0, 0.0]), "class", "binomial").tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    yc = y[:, None]
    if family == "gaussian":
        resid = yc - eta
        return resid**2 if measure == "mse" else np.abs(resid)
    prob = _expit(eta)
    if measure == "deviance":
        # cv.lognet: from the saturated model, which has loss for proportions
        prob = np.clip(prob, PROB_MIN, 1.0 - PROB_MIN)
        loglik = yc * np.log(prob) + (1.0 - yc) * np.log1p(-prob)
        return 2.0 * (saturated_loglik(yc) - loglik)
    if measure == "class":
        return yc * (prob <= 0.5) + (1.0 - yc) * (prob > 0.5)
    # glmnet sums the loss over both columns of the one-hot response: twice (y - p)
    resid = yc - prob
    return 2.0 * resid**2 if measure == "mse" else 2.0 * np.abs(resid)


def _expit(eta):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-eta))


def nan_weighted_mean(values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Column means weighted by ``w``, skipping NaN and inf (R's weighted.mean, na.rm).

    ``values`` is (n, k) and ``w`` (n,); a column without a finite value gives NaN.

    Examples
    --------
    >>> nan_weighted_mean(np.array([[1.0, np.nan], [3.0, 4.0]]), np.array([1.0, 3.0]))
    array([2.5, 4. ])
    """
    ok = np.isfinite(values)
    wm = np.where(ok, w[:, None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.where(ok, values, 0.0) * wm).sum(axis=0) / wm.sum(axis=0)


def weighted_stats(values: np.ndarray, w: np.ndarray):
    """glmnet's cvstats: weighted mean and ``sqrt(weighted var / (N - 1))`` per column.

    Returns ``(cvm, cvsd, counts)``: the mean, its standard error and ``N``, the
    number of finite values, of each column of ``values`` (N, k).

    Examples
    --------
    >>> values = np.array([[1.0, 2.0], [3.0, 2.0], [5.0, 2.0]])
    >>> cvm, cvsd, counts = weighted_stats(values, np.ones(3))
    >>> cvm.tolist(), cvsd.round(4).tolist(), counts.tolist()
    ([3.0, 2.0], [1.1547, 0.0], [3, 3])
    """
    ok = np.isfinite(values)
    counts = ok.sum(axis=0)
    # errors beyond 1e100 (a response near 1e150) are scaled before squaring, so
    # that the spread does not overflow; others are computed as they are
    big = float(np.max(np.abs(values[ok]))) if ok.any() else 1.0
    scale = big if big > 1e100 else 1.0
    cvm = nan_weighted_mean(values / scale, w)
    dev2 = (values / scale - cvm) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        cvsd = np.sqrt(nan_weighted_mean(dev2, w) / (counts - 1))
    return cvm * scale, cvsd * scale, counts


def optimal_indices(lambdas, cvm, cvsd, larger_is_better=False):
    """glmnet's getOptcv.glmnet: lambda.min (largest on ties) and lambda.1se.

    Returns the positions ``(index_min, index_1se)`` in ``lambdas``: the minimum of
    ``cvm`` (the maximum with ``larger_is_better``, as for the AUC), and the largest
    lambda whose ``cvm`` is within one ``cvsd`` (taken at the minimum) of it.

    Examples
    --------
    >>> lambdas = np.array([1.0, 0.5, 0.25, 0.1])
    >>> optimal_indices(lambdas, np.array([3.0, 2.1, 2.0, 2.05]), np.full(4, 0.2))
    (2, 1)
    """
    score = -cvm if larger_is_better else cvm
    finite = np.isfinite(score)
    if not finite.any():
        raise DataError("the CV error is undefined at every lambda; check the folds")
    cvmin = np.min(score[finite])
    index_min = _largest_lambda(lambdas, finite & (score <= cvmin))
    bound = score[index_min] + cvsd[index_min]
    if np.isnan(bound):
        # no spread at the minimum (one fold with a value there): lambda.min
        bound = score[index_min]
    index_1se = _largest_lambda(lambdas, finite & (score <= bound))
    return index_min, index_1se


def _largest_lambda(lambdas, mask) -> int:
    candidates = np.flatnonzero(mask)
    return int(candidates[np.argmax(lambdas[candidates])])


def auc_columns(y, eta, w) -> np.ndarray:
    """Weighted AUC of each column of ``eta`` (glmnet's auc.mat, survival's concordance).

    AUC = sum over pairs (negative i, positive j) of w_i w_j ([p_j > p_i] + [p_j == p_i]/2)
    over the sum of w_i w_j; ``p`` the predicted probabilities, as in glmnet.

    ``y`` (n,) is 0/1, ``eta`` (n, k) and ``w`` (n,); NaN for every column when
    either class has no weight. A proportion ``y`` (grouped data, the trials in
    ``w``) counts as a failure of weight ``w (1 - y)`` and a success of weight
    ``w y`` with the same prediction (glmnet's auc.mat).

    Examples
    --------
    >>> eta = np.array([[0.1, 1.0], [0.4, 0.0], [0.35, 0.0], [0.8, -1.0]])
    >>> auc_columns(np.array([0.0, 0.0, 1.0, 1.0]), eta, np.ones(4)).tolist()
    [0.75, 0.125]
    >>> auc_columns(np.array([0.25, 0.75]), eta[:2], np.array([4.0, 4.0])).tolist()
    [0.75, 0.25]
    """
    if not np.all((y == 0) | (y == 1)):
        y, eta, w = (
            np.r_[np.zeros(y.size), np.ones(y.size)],
            np.vstack([eta, eta]),
            np.r_[w * (1.0 - y), w * y],
        )
    pos = y == 1
    wp, wn = w[pos], w[~pos]
    denom = wp.sum() * wn.sum()
    out = np.full(eta.shape[1], np.nan)
    if denom <= 0:
        return out
    prob = _expit(eta)
    for j in range(eta.shape[1]):
        neg_scores = prob[~pos, j]
        order = np.argsort(neg_scores, kind="stable")
        sorted_scores = neg_scores[order]
        cum = np.concatenate([[0.0], np.cumsum(wn[order])])
        pos_scores = prob[pos, j]
        below = np.searchsorted(sorted_scores, pos_scores, side="left")
        upto = np.searchsorted(sorted_scores, pos_scores, side="right")
        less = cum[below]
        tied = cum[upto] - cum[below]
        out[j] = float(wp @ (less + 0.5 * tied)) / denom
    return out
