"""The noise level of a gaussian fit, for the inference methods that need it."""

from __future__ import annotations

from typing import Any

import numpy as np

from penstat.engine import run
from penstat.spec import SelectSpec

__all__ = ["estimate_sigma"]


def estimate_sigma(fit: Any, seed: Any = 0) -> tuple[float, str]:
    """The noise standard deviation of a gaussian fit, and how it was estimated.

    With ``n > p + 10`` rows it is the residual standard error of the least-squares
    fit on every design column (statsmodels' WLS with the fit's weights and
    offset). Otherwise it is the cross-validated lasso residual estimator of Reid,
    Tibshirani & Friedman (2016, Statistica Sinica 26, eq. 7):
    ``RSS(lam_cv) / (n - df(lam_cv))`` at the lambda minimizing 10-fold CV error.

    Parameters
    ----------
    fit : PenalizedFit
        A gaussian fit.
    seed : int
        Seed of the CV folds of the lasso estimator.

    Returns
    -------
    sigma : float
    method : str

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
    >>> sigma, how = estimate_sigma(fit)
    >>> round(sigma, 2), how
    (54.15, 'OLS residual')
    """
    d = fit.design
    X, y = d.X, d.y
    n, p = X.shape
    w = np.ones(n) if fit.spec.weights is None else np.asarray(fit.spec.weights)
    target = y if fit.spec.offset is None else y - fit.spec.offset
    if n > p + 10:
        import statsmodels.api as sm

        exog = sm.add_constant(X, has_constant="add") if fit.spec.fit_intercept else X
        ols = sm.WLS(target, exog, weights=w).fit()
        return float(np.sqrt(ols.scale)), "OLS residual"
    spec = fit.spec.with_l1_ratio(1.0).with_grid(None)
    out = run(X, y, spec, SelectSpec(rule="cv_min", seed=seed, n_jobs=1, progress=False))
    fitted = out.path.intercepts[out.index] + X @ out.coef
    resid = target - fitted
    df = np.count_nonzero(out.coef) + int(fit.spec.fit_intercept)
    dof = max(n - df, 1)
    sigma = float(np.sqrt(np.sum(w * resid**2) / dof))
    return sigma, "CV lasso residual (Reid et al. 2016)"
