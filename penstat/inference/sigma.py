"""The noise level of a gaussian fit, for the inference methods that need it."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from penstat._errors import CollinearityWarning, warn_user
from penstat._validation import dependent_columns
from penstat.engine import run
from penstat.spec import SelectSpec

__all__ = ["estimate_sigma"]

#: The end of the first CV grid of the lasso estimator, relative to lambda_max.
SHORT_RATIO = 1e-2


def spec_ratio(n: int, p: int) -> float:
    """glmnet's default ``lambda.min.ratio``: 1e-2 when ``n < p``, else 1e-4."""
    return 1e-2 if n < p else 1e-4


def estimate_sigma(fit: Any, seed: Any = 0) -> tuple[float, str]:
    """The noise standard deviation of a gaussian fit, and how it was estimated.

    With ``n > p + 10`` rows it is the residual standard error of the least-squares
    fit on every design column (statsmodels' WLS with the fit's weights and
    offset). Otherwise it is the cross-validated lasso residual estimator of Reid,
    Tibshirani & Friedman (2016, Statistica Sinica 26, eq. 7):
    ``RSS(lam_cv) / (n - df(lam_cv))`` at the lambda minimizing 10-fold CV error.
    Its grid (when the fit's spec sets no ``lambda_min_ratio``) ends at 1e-2 of
    lambda_max, and is extended to glmnet's 1e-4 only when the CV minimum is that
    last point.

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

        # the residuals do not depend on the columns' scales: each column divided by
        # its largest value, so that columns of extreme scale (1e-300, 1e300) do not
        # look rank-deficient to the least-squares solver
        top = np.max(np.abs(X), axis=0) if n else np.ones(p)
        Xu = X / np.where(top > 0, top, 1.0)
        exog = sm.add_constant(Xu, has_constant="add") if fit.spec.fit_intercept else Xu
        names = list(d.columns)
        names = ["(Intercept)", *names] if fit.spec.fit_intercept else names
        used = w > 0
        dependent = dependent_columns(exog[used] * np.sqrt(w[used])[:, None], names)
        if dependent:
            # the residuals are those of the independent columns: drop the others
            # (statsmodels would warn that the design is rank-deficient)
            warn_user(
                f"the sigma estimate: the columns {dependent} are linear combinations "
                "of the columns before them (constant, copies or sums); sigma is the "
                "residual standard error of least squares on the other columns "
                "(its degrees of freedom count independent columns only)",
                CollinearityWarning,
            )
            exog = exog[:, [j for j, c in enumerate(names) if c not in dependent]]
        ols = sm.WLS(target, exog, weights=w).fit()
        return float(np.sqrt(ols.scale)), "OLS residual"
    spec = fit.spec.with_l1_ratio(1.0).with_grid(None)
    select = SelectSpec(rule="cv_min", seed=seed, n_jobs=1, progress=False)
    if spec.lambda_min_ratio is None:
        # the CV minimum is far above glmnet's 1e-4 lambda_max (n >= p), where the
        # fold fits (p columns on 0.9 n rows) near interpolation are slow: the grid
        # ends at 1e-2 (glmnet's n < p default), and goes on to 1e-4 only when the
        # minimum is its last point
        short = dataclasses.replace(spec, lambda_min_ratio=SHORT_RATIO)
        out = run(X, y, short, select)
        if out.index == out.path.lambdas.size - 1 and spec_ratio(n, p) < SHORT_RATIO:
            out = run(X, y, spec, select)
    else:
        out = run(X, y, spec, select)
    fitted = out.path.intercepts[out.index] + X @ out.coef
    resid = target - fitted
    df = np.count_nonzero(out.coef) + int(fit.spec.fit_intercept)
    dof = max(n - df, 1)
    sigma = float(np.sqrt(np.sum(w * resid**2) / dof))
    return sigma, "CV lasso residual (Reid et al. 2016)"
