"""Information criteria along a regularization path: AIC, BIC and extended BIC.

Definitions (documented in ``docs/user-guide/lambda-selection.md``)::

    AIC  = -2 loglik + 2 k
    BIC  = -2 loglik + log(n) k
    EBIC = BIC + 2 gamma log(choose(p, n_nonzero))       (Chen & Chen 2008, eq. 2)

with ``k = edf`` the effective degrees of freedom of the fit, intercept included:

- lasso (``l1_ratio == 1``): the number of nonzero coefficients, an unbiased
  estimate of the degrees of freedom (Zou, Hastie & Tibshirani 2007, Theorem 1);
- elastic net and ridge: the trace of the ridge hat matrix on the active set
  ``A`` (Zou & Hastie 2005, section 3.4; Tibshirani & Taylor 2012, eq. 29),
  ``tr[(X_A' M X_A + D_A)^{-1} X_A' M X_A]`` with ``X_A`` centred (when there is an
  intercept) with the ``M``-weighted mean and
  ``D_A = lam (1 - l1_ratio) diag(pf_j s_j^2) / s_y``, the ridge part of the
  penalty written on the original scale: ``s_j`` is the scale of column ``j`` used
  by :func:`penstat.fit_path` (the 1/n weighted standard deviation, or the root mean
  square without an intercept; 1 when ``standardize=False``), ``pf`` the penalty
  factors rescaled to sum to p, and ``s_y`` the weighted standard deviation of
  ``y`` for gaussian (glmnet solves the gaussian problem for ``y / s_y``, which
  divides its ridge term by ``s_y``) and 1 for binomial. ``M = diag(v)`` for
  gaussian and ``diag(v mu (1 - mu))`` (the IRLS weights at the fit) for binomial,
  ``v`` the weights normalized to sum to 1;
- group lasso (a path fitted with ``groups``): the estimator of Yuan & Lin (2006,
  JRSS-B 68(1), eq. 6.1 / section 6), derived for orthonormal groups,
  ``sum_g 1(||b_g|| > 0) + sum_g (||b_g|| / ||b_g^LS||) (p_g - 1)``, with
  ``b_g^LS = b_g + H_g^{-1} g_g`` the least-squares (binomial: IRLS) fit of the
  group's columns to the partial residual of the other groups (``H_g`` the
  ``M``-weighted Gram of the group's centred columns and ``g_g`` the gradient of
  the log-likelihood there), the norms taken on the scale the penalty applies to
  (the standardized columns unless ``standardize=False``). For orthonormal groups
  ``b_g^LS`` is the groups' least-squares estimate and the formula is Yuan & Lin's
  exactly; otherwise it is their approximation. The same formula is used for the
  group elastic net (``l1_ratio < 1``); EBIC then counts groups:
  ``log(choose(G, nonzero groups))``;
- sparse-group lasso (``l1_within > 0``): the number of nonzero coefficients, the
  lasso's unbiased df (Zou, Hastie & Tibshirani 2007) used as an approximation
  (the group norm adds shrinkage that this count ignores); EBIC counts columns,
  ``log(choose(p, nonzero))``, as the penalty selects columns;
- plus one for the intercept when it is fitted. The gaussian error variance is
  profiled out and not counted (as statsmodels' OLS ``aic`` / ``bic``).

With coefficient limits (a path fitted with ``lower_limits`` / ``upper_limits``) a
coefficient sitting exactly at a nonzero limit is held there by the constraint, as
one at 0 is held by the L1 kink: small changes of ``y`` leave it where it is, so it
adds nothing to the divergence of the fit (the df of Stein's lemma). Both counts
above then run over the *free* set, the nonzero coefficients strictly inside their
limits (:func:`penstat._limits.at_limit` finds the others); without limits the free
set is the active set and nothing changes. EBIC's ``log(choose(p, .))`` still
counts the nonzero coefficients: it sizes the space of supports searched.

A path fitted with an ``offset`` is evaluated with it: the linear predictor (and so
the log-likelihood and the binomial IRLS weights) includes the offset, and the
gaussian ``s_y`` is that of ``y - offset``, the response the path was fitted to.

The log-likelihood is :meth:`penstat.family.Family.loglik`: gaussian with
``sigma^2 = RSS_w / sum(w)``, binomial ``sum w [y eta - log(1 + e^eta)]``
(``-deviance / 2`` for 0/1 labels; for grouped data, proportions ``y`` with their
trials in the weights, the log-likelihood of the counts without the constant
``sum log C(trials, successes)``, which does not depend on lambda: R's ``glm`` and
statsmodels include it, so their AIC is larger by twice that sum). Gaussian criteria are
left undefined (NaN) where ``k >= n``: there the residual variance cannot be
estimated (RSS is zero or nearly so). ``n`` is the number of rows with a
positive weight (for grouped data the groups, as R's ``nobs`` of a binomial
``glm``).

>>> import numpy as np
>>> from penstat.selection.criteria import log_choose
>>> round(float(np.exp(log_choose(5, 2))), 9)
10.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse
from scipy.special import gammaln

from penstat._errors import ArgumentError
from penstat._limits import at_limit
from penstat._validation import check_gamma
from penstat.family import get_family
from penstat.solver import Path

__all__ = ["best_index", "criteria_table", "effective_df", "log_choose"]


def log_choose(p: int, k) -> np.ndarray:
    """``log(choose(p, k))`` through the log-gamma function (``k`` may be an array).

    Examples
    --------
    >>> np.exp(log_choose(5, [0, 1, 2])).round(9).tolist()
    [1.0, 5.0, 10.0]
    """
    k = np.asarray(k, dtype=float)
    return gammaln(p + 1.0) - gammaln(k + 1.0) - gammaln(p - k + 1.0)


def linear_predictor(
    path, X: np.ndarray, offset: np.ndarray | None = None, rows=None
) -> np.ndarray:
    """``eta`` of every lambda of ``path`` at the rows of ``X`` (``X[rows]`` when
    ``rows`` is given, gathered a block of rows at a time), shape (n, nlam), plus
    ``offset`` (n,) of those rows when given."""
    coefs = np.asarray(path.coefs, dtype=float)
    if rows is None:
        eta = np.asarray(_design(X) @ coefs.T)
    else:
        eta = np.empty((rows.size, coefs.shape[0]))
        step = _block(X.shape[1])
        for a in range(0, rows.size, step):
            eta[a : a + step] = X[rows[a : a + step]] @ coefs.T
    eta += np.asarray(path.intercepts, dtype=float)
    if offset is not None:
        eta = eta + np.asarray(offset, dtype=float)[:, None]
    return eta


def column_scales(
    X: np.ndarray, v: np.ndarray, center: bool = True, rows=None
) -> np.ndarray:
    """1/n weighted standard deviation (root mean square if not ``center``) per column
    (of ``X[rows]`` when ``rows`` is given, a block of columns at a time).

    ``v`` sums to 1; these are the scales :func:`penstat.fit_path` standardizes with.
    """
    if rows is not None:
        step = _block(rows.size)
        return np.concatenate(
            [
                column_scales(
                    X[np.ix_(rows, np.arange(j, min(j + step, X.shape[1])))], v, center
                )
                for j in range(0, X.shape[1], step)
            ]
        )
    if scipy.sparse.issparse(X):
        mean = X.T @ v if center else np.zeros(X.shape[1])
        second = X.multiply(X).T @ v
        return np.sqrt(np.maximum(second - mean**2, 0.0))
    mean = v @ X if center else 0.0
    Xc = X - mean
    with np.errstate(over="ignore", under="ignore"):
        sd = np.sqrt(np.maximum(v @ Xc**2, 0.0))
    # a column whose squares under- or overflow: divided by its largest value first
    for j in np.flatnonzero(~((sd > 1e-150) & (sd < 1e150))):
        big = float(np.max(np.abs(Xc[:, j])))
        if big > 0:
            sd[j] = big * np.sqrt(v @ (Xc[:, j] / big) ** 2)
    return sd


def _design(X):
    """A design as the criteria read it: sparse as it is, else a float array."""
    return X if scipy.sparse.issparse(X) else np.asarray(X, dtype=float)


def _block(length: int) -> int:
    """How many rows (or columns) of ``length`` values make a block of about 1 MB:
    the criteria read the rows of a resample a block at a time, never all at once."""
    return max(1, (1 << 17) // max(1, length))


def _rows_and_columns(X, rows, cols: np.ndarray):
    """``X[rows][:, cols]``, gathered without the copy of all the columns of the
    rows (``X[:, cols]`` when ``rows`` is None)."""
    return X[:, cols] if rows is None else X[np.ix_(rows, cols)]


def _settle_rows(X, rows):
    """The design and row positions the criteria read: a sparse design's rows are
    taken (a copy of their nonzeros), a dense one's are read in place."""
    X = _design(X)
    if rows is None:
        return X, None
    rows = np.asarray(rows, dtype=np.intp)
    if scipy.sparse.issparse(X):
        return X[rows], None
    return X, rows


def effective_df(
    path: Path, X: np.ndarray, y: np.ndarray | None = None, rows=None
) -> np.ndarray:
    """Effective degrees of freedom of the coefficients at each lambda (no intercept).

    Parameters
    ----------
    path : Path
        A fitted path.
    X : array (n, p)
        The design the path was fitted on (its weights and offset come with the
        path's spec).
    y : array (n,), optional
        The response; needed for the gaussian elastic net and ridge (its scale
        enters the ridge term as fitted, see the module docstring).
    rows : array of int, optional
        The path was fitted on the rows ``X[rows]`` (``y`` is theirs); they are
        read from ``X`` without a copy of all of them.

    Returns
    -------
    numpy.ndarray (nlam,)
        Number of nonzero coefficients for the lasso; trace of the ridge hat matrix
        on the active set for the elastic net and ridge (see the module docstring).
        With coefficient limits, coefficients at a nonzero limit are left out of
        both (the free set).

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> X = np.random.default_rng(0).normal(size=(40, 3))
    >>> float(effective_df(fit_path(X, X[:, 0] + X[:, 1]), X)[-1])
    2.0
    """
    X, rows = _settle_rows(X, rows)
    p = X.shape[1]
    n = X.shape[0] if rows is None else rows.size
    spec = path.spec
    offset, weights = spec.offset, spec.weights
    coefs = np.asarray(path.coefs, dtype=float)
    nonzero = coefs != 0
    if spec.has_limits:
        # the free set: a coefficient held at a limit is fixed like one at 0
        nonzero &= ~at_limit(coefs, spec.lower_limits, spec.upper_limits)
    counts = nonzero.sum(axis=1).astype(float)
    if spec.is_group and spec.l1_within > 0:
        return counts  # the sparse-group lasso: the documented approximation
    if spec.is_group:
        return _group_df(path, X, y, rows)
    l1_ratio = float(path.l1_ratio)
    if l1_ratio >= 1.0:
        return counts
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    v = w / w.sum()
    pf = path.penalty_factor * (p / path.penalty_factor.sum())
    fit_intercept = spec.fit_intercept
    if spec.standardize:
        scales = column_scales(X, v, center=fit_intercept, rows=rows)
    else:
        scales = np.ones(p)
    family = get_family(path.family)
    eta = linear_predictor(path, X, offset, rows) if family.name == "binomial" else None
    y_scale = 1.0
    if family.name == "gaussian":
        if y is None:
            raise ArgumentError("effective_df needs y for a gaussian elastic net or ridge")
        yc = np.asarray(y, dtype=float)[:, None]
        if offset is not None:
            yc = yc - offset[:, None]
        y_scale = float(column_scales(yc, v, center=fit_intercept)[0])
        y_scale = y_scale if y_scale > 0 else 1.0
    df = np.empty(len(counts))
    for k, lam in enumerate(np.asarray(path.lambdas, dtype=float)):
        active = np.flatnonzero(nonzero[k])
        if active.size == 0:
            df[k] = 0.0
            continue
        if family.name == "binomial":
            mu = family.linkinv(eta[:, k])
            m = v * mu * (1.0 - mu)
        else:
            m = v
        if spec.standardize:
            # on the standardized scale (the trace is the same): columns of scale
            # 1e200 or 1e-200 would overflow or underflow the Gram matrix
            unit = np.where(scales[active] > 0, scales[active], 1.0)
            ridge = lam * (1.0 - l1_ratio) * pf[active] * (scales[active] / unit) ** 2
            ridge = ridge / y_scale
        else:
            unit = np.ones(active.size)
            ridge = lam * (1.0 - l1_ratio) * pf[active] * scales[active] ** 2 / y_scale
        if scipy.sparse.issparse(X):
            xa = X[:, active] @ scipy.sparse.diags(1.0 / unit)
            gram = _weighted_gram(xa, m, fit_intercept)
        else:
            gram = _blocked_gram(X, rows, active, unit, m, fit_intercept)
        df[k] = _trace_ridge_hat(gram, ridge)
    return df


def _group_df(path: Path, X: np.ndarray, y: np.ndarray | None, rows=None) -> np.ndarray:
    """Yuan & Lin's degrees of freedom of a group lasso path (module docstring)."""
    spec = path.spec
    n = X.shape[0] if rows is None else rows.size
    w = np.ones(n) if spec.weights is None else np.asarray(spec.weights, dtype=float)
    v = w / w.sum()
    scales = (
        column_scales(X, v, center=spec.fit_intercept, rows=rows)
        if spec.standardize
        else None
    )
    if scales is not None:
        scales = np.where(scales > 0, scales, 1.0)
    family = get_family(path.family)
    eta = linear_predictor(path, X, spec.offset, rows)
    if family.name == "gaussian" and y is None:
        raise ArgumentError("effective_df needs y for a gaussian group lasso")
    groups = spec.groups
    members = [np.flatnonzero(groups == g) for g in range(groups.max() + 1)]
    df = np.zeros(path.lambdas.size)
    for k in range(path.lambdas.size):
        b = np.asarray(path.coefs[k], dtype=float)
        if family.name == "binomial":
            mu = family.linkinv(eta[:, k])
            m, score = v * mu * (1.0 - mu), v * (np.asarray(y, float) - mu)
        else:
            m, score = v, v * (np.asarray(y, dtype=float) - eta[:, k])  # eta: offset in
        for cols in members:
            bg = b[cols]
            if not np.any(bg != 0):
                continue
            xg = _rows_and_columns(X, rows, cols)
            if spec.fit_intercept:
                xg = xg - (m @ xg) / m.sum()
            gram = xg.T @ (m[:, None] * xg)
            b_ls = bg + np.linalg.pinv(gram, hermitian=True) @ (xg.T @ score)
            if scales is not None:
                bg, b_ls = bg * scales[cols], b_ls * scales[cols]
            ratio = np.linalg.norm(bg) / max(np.linalg.norm(b_ls), np.finfo(float).tiny)
            df[k] += 1.0 + ratio * (cols.size - 1)
    return df


def _blocked_gram(X, rows, cols, unit, m: np.ndarray, center: bool) -> np.ndarray:
    """:func:`_weighted_gram` of the columns ``cols`` of the rows ``rows`` of a dense
    ``X`` (all rows for None), divided by ``unit``, read a block of rows at a time:
    never a copy of all the rows of the columns (the m-weighted means first, then the
    centred blocks)."""
    n = X.shape[0] if rows is None else rows.size
    step = _block(cols.size)

    def block(a):
        r = slice(a, a + step) if rows is None else rows[a : a + step]
        return (X[r, cols] if rows is None else X[np.ix_(r, cols)]) / unit

    mean = 0.0
    if center:
        mean = sum(m[a : a + step] @ block(a) for a in range(0, n, step)) / m.sum()
    gram = np.zeros((cols.size, cols.size))
    for a in range(0, n, step):
        xb = block(a) - mean
        gram += xb.T @ (m[a : a + step, None] * xb)
    return gram


def _weighted_gram(xa, m: np.ndarray, center: bool) -> np.ndarray:
    """``xa' M xa`` (M = diag(m)), columns centred by their m-weighted means when
    ``center``; a sparse ``xa`` stays sparse (the centring enters as a rank-one
    correction)."""
    if scipy.sparse.issparse(xa):
        gram = np.asarray((xa.T @ scipy.sparse.diags(m) @ xa).todense())
        if center:
            mx = np.asarray(xa.T @ m).ravel()
            gram -= np.outer(mx, mx) / m.sum()
        return gram
    if center:
        xa = xa - (m @ xa) / m.sum()
    return xa.T @ (m[:, None] * xa)


def _trace_ridge_hat(gram: np.ndarray, ridge: np.ndarray) -> float:
    """``tr((G + diag(ridge))^{-1} G)`` for a symmetric positive semidefinite ``G``."""
    system = gram + np.diag(ridge)
    try:
        sol = np.linalg.solve(system, gram)
    except np.linalg.LinAlgError:
        sol = np.linalg.pinv(system, hermitian=True) @ gram
    return float(np.trace(sol))


def criteria_table(
    path: Path, X: np.ndarray, y: np.ndarray, gamma=None, rows=None
) -> pd.DataFrame:
    """Log-likelihood, AIC, BIC and EBIC at every lambda of ``path``.

    Parameters
    ----------
    path : Path
        A fitted path.
    X, y : arrays
        The data the path was fitted on (its weights and offset come with the
        path's spec; the offset is part of the linear predictor).
    gamma : float, optional
        EBIC parameter in [0, 1]; default 1 when ``p > n``, else 0.5.
    rows : array of int, optional
        The path was fitted on the rows ``X[rows]`` (repeats allowed: a bootstrap
        draw; ``y`` is theirs): they are read from ``X`` a block at a time, without
        a copy of all of them.

    Returns
    -------
    pandas.DataFrame
        One row per lambda: ``lam``, ``df`` (nonzero coefficients), ``edf``
        (the ``k`` of the criteria: effective df plus the intercept), ``loglik``,
        ``aic``, ``bic``, ``ebic``.

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> X = np.random.default_rng(0).normal(size=(50, 4))
    >>> y = X[:, 0] + np.random.default_rng(1).normal(size=50)
    >>> table = criteria_table(fit_path(X, y), X, y)
    >>> table.columns.tolist()
    ['lam', 'df', 'edf', 'loglik', 'aic', 'bic', 'ebic']
    """
    X, rows = _settle_rows(X, rows)
    y = np.asarray(y, dtype=float).ravel()
    n, p = y.shape[0], X.shape[1]
    w = path.spec.weights
    n_obs = n if w is None else int(np.count_nonzero(w > 0))
    gamma = check_gamma(gamma, n_obs, p)
    offset = path.spec.offset
    family = get_family(path.family)
    eta = linear_predictor(path, X, offset, rows)
    loglik = np.array([family.loglik(y, eta[:, k], w) for k in range(eta.shape[1])])
    nonzero = np.count_nonzero(np.asarray(path.coefs), axis=1)
    intercept = 1.0 if path.fit_intercept else 0.0
    edf = effective_df(path, X, y, rows) + intercept
    aic = -2.0 * loglik + 2.0 * edf
    bic = -2.0 * loglik + np.log(n_obs) * edf
    if path.spec.is_group and path.spec.l1_within == 0:
        groups = path.spec.groups
        n_groups = int(groups.max()) + 1
        chosen = [
            np.count_nonzero(np.bincount(groups, weights=np.abs(b), minlength=n_groups))
            for b in np.asarray(path.coefs)
        ]
        ebic = bic + 2.0 * gamma * log_choose(n_groups, np.array(chosen))
    else:
        ebic = bic + 2.0 * gamma * log_choose(p, nonzero)
    if family.name == "gaussian":
        undefined = (edf >= n_obs) | ~np.isfinite(loglik)
        for values in (loglik, aic, bic, ebic):
            values[undefined] = np.nan
    return pd.DataFrame(
        {
            "lam": np.asarray(path.lambdas, dtype=float),
            "df": nonzero,
            "edf": edf,
            "loglik": loglik,
            "aic": aic,
            "bic": bic,
            "ebic": ebic,
        }
    )


def best_index(values: np.ndarray, lambdas: np.ndarray) -> int:
    """Position of the smallest value, the largest lambda among ties; NaN ignored
    (-1 when every value is NaN).

    Examples
    --------
    >>> best_index(np.array([3.0, 1.0, 1.0]), np.array([3.0, 2.0, 1.0]))
    1
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    if not finite.any():
        return -1
    best = np.min(values[finite])
    ties = np.flatnonzero(finite & (values <= best))
    lambdas = np.asarray(lambdas, dtype=float)
    return int(ties[np.argmax(lambdas[ties])])
