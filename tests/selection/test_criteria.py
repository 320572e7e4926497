"""Information criteria: hand computation, statsmodels at lambda -> 0, ridge df."""

import math

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.linear_model import Ridge

from penstat._errors import ArgumentError, DataError
from penstat.selection import select_lambda
from penstat.selection.criteria import best_index, criteria_table, effective_df
from penstat.solver import fit_path

TOL = 1e-13


def gaussian_data(n=60, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, p)
    y = X[:, 0] - 0.5 * X[:, 1] + 2.0 + rng.normal(size=n)
    return X, y


def binomial_data(n=150, p=5, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    eta = 0.8 * X[:, 0] - 0.6 * X[:, 2] - 0.3
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    return X, y


def test_gaussian_lasso_criteria_by_hand():
    X, y = gaussian_data()
    n, p = X.shape
    path = fit_path(X, y, nlambda=20)
    table = criteria_table(path, X, y, gamma=0.5)
    for k in range(0, len(path.lambdas), 3):
        resid = y - path.intercepts[k] - X @ path.coefs[k]
        rss = float(resid @ resid)
        loglik = -n / 2 * math.log(2 * math.pi * rss / n) - n / 2
        nnz = int(np.count_nonzero(path.coefs[k]))
        k_par = nnz + 1
        row = table.iloc[k]
        assert row["df"] == nnz and row["edf"] == k_par
        assert row["loglik"] == pytest.approx(loglik, rel=1e-12)
        assert row["aic"] == pytest.approx(-2 * loglik + 2 * k_par, rel=1e-12)
        assert row["bic"] == pytest.approx(-2 * loglik + math.log(n) * k_par, rel=1e-12)
        ebic = -2 * loglik + math.log(n) * k_par + 2 * 0.5 * math.log(math.comb(p, nnz))
        assert row["ebic"] == pytest.approx(ebic, rel=1e-12)


def test_binomial_weighted_criteria_by_hand():
    X, y = binomial_data()
    w = np.random.default_rng(5).uniform(0.5, 2.0, y.size)
    path = fit_path(X, y, family="binomial", weights=w, nlambda=15)
    table = criteria_table(path, X, y)
    k = 10
    eta = path.intercepts[k] + X @ path.coefs[k]
    prob = 1 / (1 + np.exp(-eta))
    loglik = float(w @ (y * np.log(prob) + (1 - y) * np.log(1 - prob)))
    k_par = np.count_nonzero(path.coefs[k]) + 1
    assert table.loc[k, "loglik"] == pytest.approx(loglik, rel=1e-10)
    assert table.loc[k, "bic"] == pytest.approx(-2 * loglik + math.log(y.size) * k_par)


def test_gaussian_matches_statsmodels_ols_at_tiny_lambda():
    # statsmodels' OLS aic / bic count k = p + 1 (coefficients and intercept, not the
    # variance) with the variance profiled out: the same convention as ours.
    X, y = gaussian_data(n=80, p=5)
    path = fit_path(X, y, lambdas=[1.0, 1e-9], tol=TOL)
    table = criteria_table(path, X, y)
    ols = sm.OLS(y, sm.add_constant(X)).fit()
    assert table.loc[1, "edf"] == X.shape[1] + 1
    assert table.loc[1, "loglik"] == pytest.approx(ols.llf, rel=1e-8)
    assert table.loc[1, "aic"] == pytest.approx(ols.aic, rel=1e-8)
    assert table.loc[1, "bic"] == pytest.approx(ols.bic, rel=1e-8)


def test_binomial_matches_statsmodels_logit_at_tiny_lambda():
    X, y = binomial_data()
    path = fit_path(X, y, family="binomial", lambdas=[0.1, 1e-9], tol=TOL)
    table = criteria_table(path, X, y)
    logit = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-12)
    assert table.loc[1, "loglik"] == pytest.approx(logit.llf, rel=1e-7)
    assert table.loc[1, "aic"] == pytest.approx(logit.aic, rel=1e-7)
    assert table.loc[1, "bic"] == pytest.approx(logit.bic, rel=1e-7)


@pytest.mark.parametrize("weighted", [False, True])
def test_ridge_df_is_trace_of_hat_matrix(weighted):
    # Independent reference: scikit-learn's Ridge on the standardized design with the
    # penalty the path solves (glmnet's gaussian convention divides it by sd(y)),
    # checked first on the coefficients, then df = sum d^2 / (d^2 + a) from the SVD.
    X, y = gaussian_data(n=50, p=7, seed=2)
    n = y.size
    w = np.random.default_rng(3).uniform(0.3, 2.0, n) if weighted else np.ones(n)
    v = w / w.sum()
    lambdas = [5.0, 1.0, 0.2]
    path = fit_path(
        X, y, l1_ratio=0.0, lambdas=lambdas, weights=w if weighted else None, tol=TOL
    )
    df = effective_df(path, X, y)
    xm, ym = v @ X, v @ y
    xs = np.sqrt(v @ (X - xm) ** 2)
    ys = np.sqrt(v @ (y - ym) ** 2)
    xw = (X - xm) / xs * np.sqrt(v)[:, None]
    for k, lam in enumerate(lambdas):
        a = lam / ys
        ridge = Ridge(alpha=a, fit_intercept=False, tol=1e-14).fit(
            xw, (y - ym) * np.sqrt(v)
        )
        np.testing.assert_allclose(ridge.coef_ / xs, path.coefs[k], rtol=1e-6, atol=1e-9)
        d = np.linalg.svd(xw, compute_uv=False)
        assert df[k] == pytest.approx(np.sum(d**2 / (d**2 + a)), rel=1e-10)


def test_lasso_df_counts_nonzero_and_enet_df_is_smaller():
    X, y = gaussian_data()
    lasso = fit_path(X, y, nlambda=10)
    np.testing.assert_array_equal(effective_df(lasso, X), np.count_nonzero(lasso.coefs, 1))
    enet = fit_path(X, y, l1_ratio=0.5, nlambda=10)
    df = effective_df(enet, X, y=y)
    nnz = np.count_nonzero(enet.coefs, 1)
    assert np.all(df <= nnz + 1e-12) and np.all(df[nnz > 0] > 0)


def test_binomial_enet_df_between_zero_and_active_size():
    X, y = binomial_data()
    path = fit_path(X, y, family="binomial", l1_ratio=0.3, nlambda=10)
    df = effective_df(path, X)
    nnz = np.count_nonzero(path.coefs, 1)
    assert np.all(df <= nnz + 1e-12) and np.all(df >= 0)
    assert np.all(np.diff(df) >= -1e-9)  # grows as lambda falls


def test_criteria_defined_when_n_le_p_plus_one():
    rng = np.random.default_rng(4)
    n, p = 20, 30
    X = rng.normal(size=(n, p))
    y = X[:, 0] - X[:, 1] + 0.5 * rng.normal(size=n)
    path = fit_path(X, y)
    table = criteria_table(path, X, y)
    edf = table["edf"].to_numpy()
    assert np.all(np.isfinite(table["bic"].to_numpy()[edf < n]))
    assert np.all(np.isnan(table["bic"].to_numpy()[edf >= n]))
    sel = select_lambda(path, X, y, rule="ebic")
    assert sel.gamma == 1.0  # p > n
    row = table.iloc[sel.index]
    assert np.isfinite(row["ebic"]) and row["ebic"] == np.nanmin(table["ebic"])
    k = 5
    resid = y - path.intercepts[k] - X @ path.coefs[k]
    loglik = -n / 2 * (math.log(2 * math.pi * (resid @ resid) / n) + 1)
    assert table.loc[k, "loglik"] == pytest.approx(loglik, rel=1e-12)


def test_all_saturated_raises():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 8))
    y = rng.normal(size=5)
    path = fit_path(X, y, lambdas=[1e-2, 1e-3])  # 4 nonzero + intercept = n
    with pytest.raises(DataError, match="aic is undefined"):
        select_lambda(path, X, y, rule="aic")


def test_ties_go_to_the_largest_lambda():
    lambdas = np.array([1.0, 0.5, 0.25, 0.1])
    assert best_index(np.array([3.0, 1.0, 1.0, 2.0]), lambdas) == 1
    assert best_index(np.array([np.nan, 2.0, 1.0, 1.0]), lambdas) == 2
    assert best_index(np.array([np.nan, np.nan]), lambdas[:2]) == -1


@pytest.mark.parametrize("gamma", [-0.1, 1.5, "high"])
def test_gamma_must_be_in_unit_interval(gamma):
    X, y = gaussian_data()
    path = fit_path(X, y, nlambda=5)
    with pytest.raises(ArgumentError, match="gamma"):
        select_lambda(path, X, y, rule="ebic", gamma=gamma)


def _resample(n, seed=3):
    return np.random.default_rng(seed).integers(0, n, n)


@pytest.mark.parametrize(
    "family, options",
    [
        ("gaussian", {}),
        ("gaussian", {"l1_ratio": 0.5}),
        ("gaussian", {"l1_ratio": 0.5, "fit_intercept": False}),
        ("binomial", {"l1_ratio": 0.3}),
        ("gaussian", {"groups": [0, 0, 1, 1, 2, 2]}),
        ("binomial", {"groups": [0, 0, 1, 1, 2]}),
    ],
)
def test_criteria_on_rows_equal_criteria_on_their_copy(family, options):
    # a bootstrap draw (repeated rows) read in place gives the table of its copy
    X, y = gaussian_data() if family == "gaussian" else binomial_data()
    rows = _resample(X.shape[0])
    Xr, yr = X[rows], y[rows]
    path = fit_path(Xr, yr, family=family, nlambda=15, **options)
    expected = criteria_table(path, Xr, yr)
    got = criteria_table(path, X, yr, rows=rows)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        effective_df(path, X, yr, rows=rows), effective_df(path, Xr, yr), rtol=1e-12
    )


def test_criteria_on_rows_of_a_sparse_design():
    import scipy.sparse as sp

    X, y = gaussian_data()
    rows = _resample(X.shape[0])
    path = fit_path(X[rows], y[rows], nlambda=10, l1_ratio=0.5)
    got = criteria_table(path, sp.csc_matrix(X), y[rows], rows=rows)
    expected = criteria_table(path, X[rows], y[rows])
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-10)


def test_criterion_on_rows_does_not_copy_the_rows():
    # the memory traced while choosing lambda by BIC on a resample of the rows stays
    # far below one copy of X (it was one copy: X[rows])
    import tracemalloc

    from penstat.selection.rules import choose
    from penstat.spec import SelectSpec

    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.normal(size=(50000, 40)))
    y = X[:, 0] + rng.normal(size=50000)
    rows = _resample(50000)
    path = fit_path(X[rows], y[rows], nlambda=5, l1_ratio=0.5)
    tracemalloc.start()
    try:
        choose(path, X, y[rows], SelectSpec(rule="bic"), rows=rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.5 * X.nbytes
