"""The noise level of a gaussian fit (estimate_sigma)."""

import numpy as np
import pandas as pd
import statsmodels.api as sm

import penstat as ps
from penstat.inference import estimate_sigma


def _frame(X, y):
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    df["y"] = y
    return df


def _reid(df, seed, ratio):
    """RSS / (n - df) at the 10-fold CV minimum of the lasso on the grid ending at
    ``ratio`` of lambda_max (Reid, Tibshirani & Friedman 2016, eq. 7), through the
    formula API."""
    cv = ps.lasso("y ~ .", df, select="cv_min", seed=seed, lambda_min_ratio=ratio)
    resid = df["y"].to_numpy() - cv.predict(df)
    k = np.count_nonzero(cv.coef.to_numpy()[1:]) + 1
    return np.sqrt(resid @ resid / (len(df) - k)), cv


def test_many_rows_ols_residual():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 4))
    y = X[:, 0] + 0.5 * rng.standard_normal(60)
    fit = ps.lasso("y ~ .", _frame(X, y), lam=0.1)
    sigma, how = estimate_sigma(fit)
    ols = sm.OLS(y, sm.add_constant(X)).fit()
    assert how == "OLS residual"
    np.testing.assert_allclose(sigma, np.sqrt(ols.scale), rtol=1e-10)


def test_wide_cv_lasso_on_the_short_grid():
    # the CV minimum of a sparse problem lies well inside the grid ending at 1e-2
    rng = np.random.default_rng(1)
    n, p = 80, 120
    X = rng.standard_normal((n, p))
    y = X[:, :3] @ np.array([1.0, -1.0, 0.5]) + rng.standard_normal(n)
    df = _frame(X, y)
    fit = ps.lasso("y ~ .", df, lam=0.2)
    sigma, how = estimate_sigma(fit, seed=3)
    ref, cv = _reid(df, 3, 1e-2)
    assert cv.lam > cv.path.lambdas[-1]
    assert how.startswith("CV lasso")
    np.testing.assert_allclose(sigma, ref, rtol=1e-8)


def test_minimum_at_the_end_of_the_short_grid_extends_it():
    # n <= p + 10 with n > p and a dense truth of tiny noise: the CV minimum is at
    # the smallest lambda, and the grid goes on to glmnet's 1e-4 (n >= p)
    rng = np.random.default_rng(2)
    n, p = 50, 45
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + 0.01 * rng.standard_normal(n)
    df = _frame(X, y)
    _, short = _reid(df, 4, 1e-2)
    assert short.lam == short.path.lambdas[-1]
    fit = ps.lasso("y ~ .", df, lam=0.1)
    sigma, _ = estimate_sigma(fit, seed=4)
    ref, _ = _reid(df, 4, 1e-4)
    np.testing.assert_allclose(sigma, ref, rtol=1e-8)
