"""penstat.solver.fit_path against scikit-learn, closed forms and the KKT conditions."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from penstat.solver._cd._gaussian import gaussian_path
from sklearn.linear_model import ElasticNet, Lasso, enet_path

from penstat import (
    ArgumentError,
    ConvergenceWarning,
    DataError,
    PenstatError,
    SeparationWarning,
)
from penstat.solver import Path, fit_path
from penstat.solver.separation import separation as _separation

# ---- helpers -------------------------------------------------------------------------


def simulate(n=60, p=10, rho=0.0, seed=0):
    """Equicorrelated features, beta_j = (-1)^j exp(-2(j-1)/20), SNR 3 (FHT 2010)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    X = np.sqrt(rho) * z[:, None] + np.sqrt(1 - rho) * rng.standard_normal((n, p))
    beta = np.array([(-1) ** j * np.exp(-2 * (j - 1) / 20) for j in range(1, p + 1)])
    f = X @ beta
    y = f + np.sqrt(f.var() / 3) * rng.standard_normal(n)
    return X, y


def standardized(X):
    return (X - X.mean(0)) / X.std(0)


def objective(X, y, b0, b, lam, l1_ratio, w=None, pf=None):
    """glmnet's gaussian objective on the scale given (weights normalized to sum 1)."""
    n, p = X.shape
    w = np.full(n, 1.0 / n) if w is None else w / w.sum()
    pf = np.ones(p) if pf is None else pf
    r = y - b0 - X @ b
    pen = pf @ (l1_ratio * np.abs(b) + 0.5 * (1 - l1_ratio) * b * b)
    return 0.5 * w @ (r * r) + lam * pen


def kkt_violation(X, y, path: Path, weights=None, family="gaussian"):
    """Largest violation of the subgradient conditions over the whole path.

    For the smooth part L (gaussian 1/(2 sum w) RSS, binomial -loglik / sum w) on the
    scale glmnet penalizes (columns divided by their weighted sd when standardizing),
    with g_j = -dL/db_j: active j need g_j = lam pf_j (l1 sign b_j + l2 b_j), inactive
    |g_j| <= lam pf_j l1. Returned relative to lam * max(pf). Gaussian lambdas are on
    glmnet's scale: the problem is solved for y / sd(y), so g is divided by sd(y).
    """
    n, p = X.shape
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    wn = w / w.sum()
    if path.standardize:
        centred = X - wn @ X
        scale = np.sqrt(wn @ centred**2)
        scale[scale == 0] = 1.0
    else:
        scale = np.ones(p)
    # constant columns (over the rows of positive weight) get coefficient 0 and no
    # gradient; their weighted sd can be round-off, not 0, so they are set apart here
    scale[np.ptp(X[w > 0], axis=0) == 0] = np.inf
    ym = wn @ y if path.fit_intercept else 0.0
    sd_y = np.sqrt(wn @ (y - ym) ** 2) if family == "gaussian" else 1.0
    a = path.l1_ratio
    worst = 0.0
    for k, lam in enumerate(path.lambdas):
        eta = path.intercepts[k] + X @ path.coefs[k]
        mu = eta if family == "gaussian" else 1 / (1 + np.exp(-eta))
        g = (X / scale).T @ (wn * (y - mu)) / sd_y
        b = path.coefs[k] * np.where(np.isinf(scale), 0.0, scale) / sd_y  # penalized scale
        lam_k = lam / sd_y
        pf = path.penalty_factor
        target = lam_k * pf * (a * np.sign(b) + (1 - a) * b)
        active = b != 0
        slack = np.maximum(np.abs(g) - lam_k * pf * a, 0)
        viol = np.where(active, np.abs(g - target), slack)
        worst = max(worst, viol.max() / (lam_k * pf.max()))
    return worst


def sklearn_lambdas(X, y, l1_ratio, n=20):
    lam_max = np.abs(X.T @ (y - y.mean())).max() / len(y) / max(l1_ratio, 1e-3)
    return lam_max * np.logspace(0, -2, n)


# ---- scikit-learn at matched objectives ---------------------------------------------


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.1])
@pytest.mark.parametrize("shape", [(80, 12), (30, 60)])
def test_matches_sklearn_enet_path(shape, l1_ratio):
    # standardize=False and y with unit sd: glmnet's y scaling is the identity, so
    # sklearn's alpha is our lam exactly
    X, y = simulate(*shape, rho=0.5, seed=1)
    X = standardized(X)
    y = (y - y.mean()) / y.std()
    lams = sklearn_lambdas(X, y, l1_ratio)
    path = fit_path(X, y, l1_ratio=l1_ratio, lambdas=lams, standardize=False, tol=1e-12)
    _, ref, _ = enet_path(X, y, l1_ratio=l1_ratio, alphas=lams, tol=1e-14, max_iter=100_000)
    for k, lam in enumerate(lams):
        ours = objective(X, y, path.intercepts[k], path.coefs[k], lam, l1_ratio)
        theirs = objective(X, y, 0.0, ref[:, k], lam, l1_ratio)
        assert ours <= theirs * (1 + 1e-10)
    np.testing.assert_allclose(path.coefs, ref.T, atol=1e-5)
    np.testing.assert_allclose(path.intercepts, 0.0, atol=1e-12)


def test_matches_sklearn_lasso_and_elastic_net_with_intercept():
    X, y = simulate(100, 8, rho=0.3, seed=2)
    X = X * np.arange(1, 9) + 3.0  # uncentred, unscaled: the intercept must absorb it
    y = 5.0 + (y - y.mean()) / y.std()  # unit sd: lam means the same in both
    for model, l1_ratio in [(Lasso, 1.0), (ElasticNet, 0.4)]:
        lam = 0.05
        kwargs = {"l1_ratio": l1_ratio} if model is ElasticNet else {}
        ref = model(alpha=lam, tol=1e-14, max_iter=100_000, **kwargs).fit(X, y)
        path = fit_path(
            X, y, l1_ratio=l1_ratio, lambdas=[lam], standardize=False, tol=1e-12
        )
        np.testing.assert_allclose(path.coefs[0], ref.coef_, atol=1e-7)
        np.testing.assert_allclose(path.intercepts[0], ref.intercept_, atol=1e-7)


# ---- statsmodels at matched objectives ----------------------------------------------


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_matches_statsmodels_elastic_net_with_unpenalized_intercept(l1_ratio):
    # OLS.fit_regularized: RSS / (2n) + sum_j alpha_j ((1 - L1_wt)/2 b_j^2 + L1_wt |b_j|),
    # glmnet's objective when alpha_j = lam (0 for the constant) and y has unit sd
    X, y = simulate(120, 8, rho=0.3, seed=5)
    X = X * np.linspace(0.5, 2.0, 8) + 1.0
    y = 2.0 + (y - y.mean()) / y.std()
    lams = [0.3 / l1_ratio, 0.1, 0.02]
    path = fit_path(X, y, l1_ratio=l1_ratio, lambdas=lams, standardize=False, tol=1e-12)
    design = sm.add_constant(X)
    for k, lam in enumerate(lams):
        ref = sm.OLS(y, design).fit_regularized(
            method="elastic_net",
            alpha=lam * np.r_[0.0, np.ones(8)],
            L1_wt=l1_ratio,
            cnvrg_tol=1e-14,
            maxiter=10_000,
        )
        b = np.asarray(ref.params)
        ours = objective(X, y, path.intercepts[k], path.coefs[k], lam, l1_ratio)
        assert ours <= objective(X, y, b[0], b[1:], lam, l1_ratio) * (1 + 1e-12)
        np.testing.assert_allclose(path.coefs[k], b[1:], atol=1e-8)
        np.testing.assert_allclose(path.intercepts[k], b[0], atol=1e-8)
    assert 0 < np.count_nonzero(path.coefs[0]) < 8  # some coefficients are exactly 0


def test_both_update_schemes_agree():
    X, y = simulate(80, 20, rho=0.5, seed=3)
    X = np.asfortranarray(standardized(X))
    yc = (y - y.mean()) / y.std()
    w = np.full(80, 1 / 80)
    lams = sklearn_lambdas(X, yc, 0.7)
    out = {}
    for mode in (0, 1):
        coefs = np.zeros((20, 20))
        args = (np.zeros(20), np.zeros(20), np.zeros(20, np.int32), np.zeros(20, np.uint8))
        n_fit = gaussian_path(
            X,
            yc,
            w,
            np.ones(20),
            0.7,
            lams,
            True,
            False,
            1e-13,
            100_000,
            coefs,
            *args,
            mode=mode,
        )
        assert n_fit == 20
        out[mode] = coefs
    np.testing.assert_allclose(out[0], out[1], atol=1e-6)


@pytest.mark.parametrize(
    "case", ["lasso", "weights", "enet", "factors", "limits", "late_grid"]
)
def test_screened_checks_give_the_unscreened_path_and_kkt(case, monkeypatch):
    # p >> n (naive scheme): between full gradients the checks read only the columns
    # kept at the last one, while the Cauchy-Schwarz bound rules out the others; the
    # path must be the one of full checks at every lambda, and optimal
    import penstat.solver.fit as fit_module

    rng = np.random.default_rng(21)
    n, p = 30, 2500
    X = rng.standard_normal((n, p))
    X[:, 40:80] += 0.8 * X[:, :40]
    y = X[:, :4] @ np.array([1.5, -1.0, 0.8, 0.5]) + 0.5 * rng.standard_normal(n)
    kw = {"tol": 1e-12}
    if case == "weights":
        kw["weights"] = rng.uniform(0.2, 3.0, n)
    elif case == "enet":
        kw["l1_ratio"] = 0.5
    elif case == "factors":
        pf = np.ones(p)
        pf[3] = 0.0
        pf[100:900] = 3.0
        kw["penalty_factor"] = pf
    elif case == "limits":
        kw["lower_limits"] = -0.3
    elif case == "late_grid":
        # a user's grid with large steps: the strong rule's cut goes below 0
        kw["lambdas"] = np.array([2.0, 0.8, 0.3, 0.1, 0.03, 0.01])
    screened = fit_path(X, y, **kw)
    monkeypatch.setattr(
        fit_module, "_kernel", lambda family: functools.partial(gaussian_path, screen=False)
    )
    full = fit_path(X, y, **kw)
    np.testing.assert_array_equal(screened.df, full.df)
    np.testing.assert_allclose(screened.coefs, full.coefs, rtol=1e-10, atol=1e-12)
    assert screened.df.max() > 10
    if case != "limits":
        assert kkt_violation(X, y, screened, weights=kw.get("weights")) < 1e-6


# ---- objective accuracy at the default tol ------------------------------------------


@pytest.mark.parametrize("shape", [(60, 30), (40, 120)])
@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_default_tol_objective_within_1e6(shape, rho, l1_ratio):
    X, y = simulate(*shape, rho=rho, seed=4)
    # a pre-standardized problem: lambdas are then on scikit-learn's scale
    Xs, yc = standardized(X), (y - y.mean()) / y.std()
    path = fit_path(Xs, yc, l1_ratio=l1_ratio, nlambda=30, standardize=False)
    lams = path.lambdas
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn may stop short of tol=1e-12
        _, ref, _ = enet_path(
            Xs, yc, l1_ratio=l1_ratio, alphas=lams, tol=1e-12, max_iter=20_000
        )
    tight = fit_path(Xs, yc, l1_ratio=l1_ratio, lambdas=lams, standardize=False, tol=1e-14)
    for k, lam in enumerate(lams):
        ours = objective(Xs, yc, path.intercepts[k], path.coefs[k], lam, l1_ratio)
        sk = objective(Xs, yc, 0, ref[:, k], lam, l1_ratio)
        best = objective(Xs, yc, tight.intercepts[k], tight.coefs[k], lam, l1_ratio)
        assert best <= sk * (1 + 1e-10)  # the tight path is at least as good
        assert (ours - best) / best <= 1e-6


def weighted_standardized(X, y, w):
    """Columns and response centred and scaled by the weights (summing to 1), as
    ``fit_path`` hands them to the kernel."""
    Xc = X - w @ X
    yc = y - w @ y
    return Xc / np.sqrt(w @ Xc**2), yc / np.sqrt(w @ yc**2)


def run_kernel(X, y, w, lams, l1_ratio, mode, tol=1e-13):
    n, p = X.shape
    coefs = np.zeros((lams.size, p))
    outs = (
        np.zeros(lams.size),
        np.zeros(lams.size),
        np.zeros(lams.size, np.int32),
        np.zeros(lams.size, np.uint8),
    )
    n_fit = gaussian_path(
        np.asfortranarray(X), y, w, np.ones(p), l1_ratio, lams, True, False, tol,
        100_000, coefs, *outs, mode=mode,
    )  # fmt: skip
    assert n_fit == lams.size and outs[3].all()
    return coefs


@pytest.mark.parametrize("mode", [0, 1])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_many_columns_entering_at_once_match_sklearn(mode, l1_ratio):
    # two far-apart lambdas: every column enters at the second one (more than the
    # initial working-set and Gram-block sizes), in both update schemes
    n, p = 300, 150
    X, y = simulate(n, p, rho=0.3, seed=8)
    Xs, yc = standardized(X), (y - y.mean()) / y.std()
    lam_max = np.abs(Xs.T @ yc).max() / n / l1_ratio
    lams = lam_max * np.array([0.5, 1e-3])
    coefs = run_kernel(Xs, yc, np.full(n, 1 / n), lams, l1_ratio, mode)
    for k, lam in enumerate(lams):
        ref = ElasticNet(
            alpha=lam, l1_ratio=l1_ratio, fit_intercept=False, tol=1e-14, max_iter=100_000
        ).fit(Xs, yc)
        np.testing.assert_allclose(coefs[k], ref.coef_, atol=1e-7)
    assert np.count_nonzero(coefs[1]) > 100


def test_wide_elastic_net_with_large_active_set_matches_sklearn():
    n, p = 60, 300
    X, y = simulate(n, p, rho=0.5, seed=9)
    Xs, yc = standardized(X), (y - y.mean()) / y.std()
    lams = np.abs(Xs.T @ yc).max() / n / 0.3 * np.logspace(0, -2.5, 15)
    path = fit_path(Xs, yc, l1_ratio=0.3, lambdas=lams, standardize=False, tol=1e-13)
    _, ref, _ = enet_path(Xs, yc, l1_ratio=0.3, alphas=lams, tol=1e-14, max_iter=100_000)
    np.testing.assert_allclose(path.coefs, ref.T, atol=1e-6)
    assert path.df.max() > 64


@pytest.mark.parametrize("mode", [0, 1])
def test_square_elastic_net_path_matches_sklearn(mode):
    # n = p with a dense support: the exact solves reuse Cholesky factors across
    # lambdas (conjugate gradients), drop variables from them and join new ones
    n = p = 150
    X, y = simulate(n, p, rho=0.5, seed=11)
    Xs, yc = standardized(X), (y - y.mean()) / y.std()
    lams = np.abs(Xs.T @ yc).max() / n / 0.5 * np.logspace(0, -2, 40)
    coefs = run_kernel(Xs, yc, np.full(n, 1 / n), lams, 0.5, mode)
    _, ref, _ = enet_path(Xs, yc, l1_ratio=0.5, alphas=lams, tol=1e-14, max_iter=100_000)
    np.testing.assert_allclose(coefs, ref.T, atol=1e-7)
    assert np.count_nonzero(coefs[-1]) > 100
    # the default tol keeps every objective within 1e-6 of the tight solution
    loose = run_kernel(Xs, yc, np.full(n, 1 / n), lams, 0.5, mode, tol=1e-7)
    for k, lam in enumerate(lams):
        best = objective(Xs, yc, 0.0, coefs[k], lam, 0.5)
        assert objective(Xs, yc, 0.0, loose[k], lam, 0.5) <= best * (1 + 1e-6)


def test_naive_scheme_with_weights_and_many_entering_columns():
    # more columns join at once than one Gram block of the naive scheme holds
    n, p = 120, 100
    X, y = simulate(n, p, rho=0.3, seed=12)
    w = np.random.default_rng(2).uniform(0.2, 2.0, n)
    w /= w.sum()
    Xs, yc = weighted_standardized(X, y, w)
    lams = np.abs(Xs.T @ (w * yc)).max() * np.array([0.6, 1e-3, 5e-4])
    coefs = run_kernel(Xs, yc, w, lams, 1.0, mode=0)
    assert np.count_nonzero(coefs[1]) > 64
    for k in (1, 2):
        ref = Lasso(alpha=lams[k], tol=1e-14, max_iter=100_000).fit(
            Xs, yc, sample_weight=w * n
        )
        np.testing.assert_allclose(coefs[k], ref.coef_, atol=1e-6)


def test_both_update_schemes_agree_with_weights():
    n, p = 70, 25
    X, y = simulate(n, p, rho=0.7, seed=10)
    w = np.random.default_rng(1).uniform(0.2, 2.0, n)
    w /= w.sum()
    Xs, yc = weighted_standardized(X, y, w)
    lams = np.abs(Xs.T @ (w * yc)).max() / 0.8 * np.logspace(0, -3, 25)
    naive, cov = (run_kernel(Xs, yc, w, lams, 0.8, mode) for mode in (0, 1))
    np.testing.assert_allclose(naive, cov, atol=1e-8)
    # and both against scikit-learn with the same (normalized) weights
    for k in (5, 15, 24):
        ref = ElasticNet(alpha=lams[k], l1_ratio=0.8, tol=1e-14, max_iter=100_000).fit(
            Xs, yc, sample_weight=w * n
        )
        np.testing.assert_allclose(cov[k], ref.coef_, atol=1e-6)


def test_covariance_scheme_completing_the_gram_matrix_with_weights():
    # tall data with most columns entering: the covariance scheme computes the Gram
    # columns of all remaining variables at once (by symmetry and one dsyrk); with
    # unequal weights, a column of zeros (a constant column after centring) and a
    # duplicated column it must agree with the naive scheme
    n, p = 400, 60
    X, y = simulate(n, p, rho=0.4, seed=21)
    X[:, 7] = X[:, 3]
    w = np.random.default_rng(2).uniform(0.1, 3.0, n)
    w /= w.sum()
    Xs, yc = weighted_standardized(X, y, w)
    Xs[:, 11] = 0.0
    lams = np.abs(Xs.T @ (w * yc)).max() / 0.6 * np.logspace(0, -4, 40)
    naive, cov = (run_kernel(Xs, yc, w, lams, 0.6, mode) for mode in (0, 1))
    assert np.count_nonzero(cov[-1]) > p // 2
    assert np.all(cov[:, 11] == 0.0)
    np.testing.assert_allclose(naive, cov, atol=1e-8)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.01])
@pytest.mark.parametrize("shape", [(50, 10), (20, 60)])
def test_first_lambda_of_computed_grid_is_exactly_null(shape, l1_ratio):
    X, y = simulate(*shape, rho=0.5, seed=11)
    pf = np.ones(shape[1])
    pf[1] = 0.0
    path = fit_path(X, y, l1_ratio=l1_ratio, nlambda=10, penalty_factor=pf)
    assert np.all(path.coefs[0, pf > 0] == 0.0)
    assert path.coefs[0, 1] != 0.0
    assert np.all(path.df[1:] >= 1)


# ---- KKT -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"l1_ratio": 0.3},
        {"standardize": False},
        {"fit_intercept": False},
        {"penalty_factor": [0, 1, 1, 2, 1, 1, 0.5, 1, 1, 1]},
        {"weights": "random"},
    ],
)
def test_kkt_conditions_hold(kwargs):
    X, y = simulate(50, 10, rho=0.5, seed=5)
    X = X * np.linspace(0.5, 4, 10) + 1.0
    if kwargs.get("weights") == "random":
        kwargs = {"weights": np.random.default_rng(0).uniform(0.1, 3, 50)}
    path = fit_path(X, y, tol=1e-13, **kwargs)
    assert kkt_violation(X, y, path, weights=kwargs.get("weights")) < 1e-5


def test_p_greater_than_n_kkt_and_grid():
    X, y = simulate(25, 80, rho=0.2, seed=6)
    path = fit_path(X, y, tol=1e-13)
    assert kkt_violation(X, y, path) < 1e-5
    assert path.df.max() <= 25
    # glmnet's grid for n < p ends at 1e-2 lambda_max (unless stopped early)
    ratio = path.lambdas[1] / path.lambdas[0]
    np.testing.assert_allclose(ratio, 0.01 ** (1 / 99), rtol=1e-12)


def test_p_much_larger_than_n_original_scale_from_the_kernel():
    # the scale change, intercepts and counts are made from the columns nonzero
    # somewhere on the path: recomputed here from the kernel on a standardization
    # written out, with a constant column and columns of scales 1e-3 and 1e3
    rng = np.random.default_rng(8)
    n, p = 30, 1500
    X = rng.standard_normal((n, p)) + 3.0
    X[:, 4] = 2.5
    X[:, 7] *= 1e-3
    X[:, 9] *= 1e3
    y = X[:, 7] * 1e3 - 2 * X[:, 9] * 1e-3 + X[:, 11] + 0.3 * rng.standard_normal(n)
    path = fit_path(X, y, tol=1e-12)
    xm = X.mean(0)
    xs = X.std(0)
    xs[4] = 1.0
    Xs = np.asfortranarray((X - xm) / xs)
    Xs[:, 4] = 0.0
    ym, ys = y.mean(), y.std()
    nl = path.lambdas.size
    out = (np.zeros((nl, p)), np.zeros(nl), np.zeros(nl), np.zeros(nl, np.int32),
           np.zeros(nl, np.uint8))  # fmt: skip
    lams = path.lambdas / ys
    lams[0] *= 1.0 + 1e-6  # as solve() (the first lambda zeroes every coefficient)
    gaussian_path(Xs, (y - ym) / ys, np.full(n, 1 / n), np.ones(p), 1.0, lams, True,
                  False, 1e-12, 100_000, *out)  # fmt: skip
    expect = out[0] * ys / xs
    np.testing.assert_allclose(path.coefs, expect, rtol=1e-8, atol=1e-12)
    assert np.all(path.coefs[:, 4] == 0)
    assert np.count_nonzero(path.coefs[:, 9]) and path.df.max() > 10
    np.testing.assert_array_equal(path.df, np.count_nonzero(expect, axis=1))
    intercepts = ym + ys * out[1] - expect @ xm
    np.testing.assert_allclose(path.intercepts, intercepts, rtol=1e-9, atol=1e-9)
    assert kkt_violation(X, y, path) < 1e-5


# ---- weights, penalty factors, degenerate columns -----------------------------------


def test_integer_weights_equal_repeated_rows():
    X, y = simulate(30, 6, seed=7)
    counts = np.random.default_rng(1).integers(1, 4, size=30)
    weighted = fit_path(X, y, weights=counts, tol=1e-13, nlambda=20)
    repeated = fit_path(
        np.repeat(X, counts, axis=0),
        np.repeat(y, counts),
        lambdas=weighted.lambdas,
        tol=1e-13,
    )
    np.testing.assert_allclose(weighted.coefs, repeated.coefs, atol=1e-6)
    np.testing.assert_allclose(weighted.intercepts, repeated.intercepts, atol=1e-6)
    np.testing.assert_allclose(weighted.deviance, repeated.deviance, rtol=1e-6)


def test_zero_weight_rows_are_ignored():
    X, y = simulate(40, 5, seed=8)
    w = np.ones(40)
    w[:10] = 0
    a = fit_path(X, y, weights=w, tol=1e-13, nlambda=10)
    b = fit_path(X[10:], y[10:], lambdas=a.lambdas, tol=1e-13)
    np.testing.assert_allclose(a.coefs, b.coefs, atol=1e-6)


def test_unpenalized_columns_always_in_model_and_factors_rescaled():
    X, y = simulate(60, 8, seed=9)
    pf = np.array([0, 1, 1, 1, 1, 1, 1, 3.0])
    path = fit_path(X, y, penalty_factor=pf, tol=1e-13)
    assert np.all(path.coefs[:, 0] != 0)
    np.testing.assert_allclose(path.penalty_factor, pf * 8 / pf.sum())
    # at lambda_max only the unpenalized column is in: its least-squares fit
    Xc = X[:, 0] - X[:, 0].mean()
    slope = Xc @ (y - y.mean()) / (Xc @ Xc)
    np.testing.assert_allclose(path.coefs[0, 0], slope, rtol=1e-8)
    assert np.all(path.coefs[0, 1:] == 0)


def test_constant_and_duplicated_columns():
    X, y = simulate(50, 6, seed=10)
    X = np.column_stack([X, np.full(50, 3.0), X[:, 0]])
    path = fit_path(X, y, tol=1e-13)
    assert np.all(path.coefs[:, 6] == 0)
    assert np.all(np.isfinite(path.coefs))
    # the duplicated pair shares the coefficient of the column alone
    alone = fit_path(X[:, :6], y, lambdas=path.lambdas, tol=1e-13)
    pair = path.coefs[:, 0] + path.coefs[:, 7]
    np.testing.assert_allclose(pair, alone.coefs[:, 0], atol=1e-6)


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_constant_column_under_weights_keeps_kkt(family):
    # a constant column whose weighted sd is round-off (not 0) is still constant
    X, y = simulate(80, 6, seed=12)
    X = np.column_stack([X, np.full(80, 2.5)])
    y = (y > np.median(y)).astype(float) if family == "binomial" else y
    w = np.random.default_rng(12).uniform(0, 2, 80)
    w[::9] = 0.0
    path = fit_path(X, y, family=family, weights=w, tol=1e-12, nlambda=20)
    assert np.all(path.coefs[:, 6] == 0)
    assert kkt_violation(X, y, path, weights=w, family=family) < 1e-4


def test_ridge_matches_closed_form():
    X, y = simulate(40, 6, seed=11)
    Xs = standardized(X)
    yc = (y - y.mean()) / y.std()
    lams = np.array([1.0, 0.3, 0.1, 0.01])
    path = fit_path(Xs, yc, l1_ratio=0.0, lambdas=lams, standardize=False, tol=1e-14)
    for k, lam in enumerate(lams):
        beta = np.linalg.solve(Xs.T @ Xs / 40 + lam * np.eye(6), Xs.T @ yc / 40)
        np.testing.assert_allclose(path.coefs[k], beta, atol=1e-9)
    # ridge gets a finite computed grid (glmnet's 1e-3 floor in lambda_max)
    grid = fit_path(X, y, l1_ratio=0.0, nlambda=5)
    lam_max = np.abs(Xs.T @ (y - y.mean())).max() / 40 / 1e-3
    np.testing.assert_allclose(grid.lambdas[0], lam_max, rtol=1e-10)


def test_lambda_grid_and_early_stop():
    X, y = simulate(200, 5, seed=12)
    path = fit_path(X, y)
    lam_max = np.abs(standardized(X).T @ (y - y.mean())).max() / 200
    np.testing.assert_allclose(path.lambdas[0], lam_max, rtol=1e-10)
    assert path.df[0] == 0
    # the path stops once the deviance ratio no longer changes
    assert len(path.lambdas) < 100
    assert np.all(np.diff(path.dev_ratio) >= -1e-12)
    full = fit_path(X, y, lambdas=path.lambdas[0] * np.logspace(0, -4, 100))
    assert len(full.lambdas) == 100


def test_deviance_and_dev_ratio():
    X, y = simulate(40, 5, seed=13)
    w = np.random.default_rng(2).uniform(0.5, 2, 40)
    path = fit_path(X, y, weights=w, nlambda=10)
    resid = y - path.intercepts[:, None] - path.coefs @ X.T
    np.testing.assert_allclose(path.deviance, (resid**2) @ w, rtol=1e-10)
    ym = w @ y / w.sum()
    np.testing.assert_allclose(path.null_deviance, w @ (y - ym) ** 2)
    np.testing.assert_allclose(path.dev_ratio, 1 - path.deviance / path.null_deviance)


# ---- Path methods ----------------------------------------------------------------------


def test_predict_coef_at_and_frame():
    X, y = simulate(30, 4, seed=14)
    path = fit_path(X, y, nlambda=10)
    eta = path.predict(X)
    np.testing.assert_allclose(eta, path.intercepts + X @ path.coefs.T)
    mid = 0.5 * (path.lambdas[3] + path.lambdas[4])
    b0, b = path.coef_at(mid)
    np.testing.assert_allclose(b, 0.5 * (path.coefs[3] + path.coefs[4]))
    np.testing.assert_allclose(b0, 0.5 * (path.intercepts[3] + path.intercepts[4]))
    np.testing.assert_allclose(path.coef_at(10 * path.lambdas[0])[1], path.coefs[0])
    np.testing.assert_allclose(path.predict(X, lam=mid), b0 + X @ b)
    assert path.predict(X, lam=[mid, mid]).shape == (30, 2)
    frame = path.to_frame()
    assert list(frame.columns[:7]) == [
        "lam",
        "df",
        "dev_ratio",
        "deviance",
        "n_iter",
        "converged",
        "intercept",
    ]
    np.testing.assert_allclose(frame["x2"], path.coefs[:, 2])


# ---- properties -------------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    scale=st.floats(1e-3, 1e3),
    column=st.integers(0, 4),
)
def test_rescaling_a_column_leaves_predictions_unchanged(seed, scale, column):
    X, y = simulate(30, 5, seed=seed)
    path = fit_path(X, y, nlambda=10, tol=1e-13)
    Xr = X.copy()
    Xr[:, column] *= scale
    other = fit_path(Xr, y, lambdas=path.lambdas, tol=1e-13)
    np.testing.assert_allclose(other.predict(Xr), path.predict(X), atol=1e-7)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), l1_ratio=st.sampled_from([1.0, 0.5, 0.0]))
def test_permuting_columns_permutes_coefficients(seed, l1_ratio):
    X, y = simulate(30, 6, seed=seed)
    perm = np.random.default_rng(seed).permutation(6)
    path = fit_path(X, y, l1_ratio=l1_ratio, nlambda=10, tol=1e-13)
    other = fit_path(X[:, perm], y, l1_ratio=l1_ratio, lambdas=path.lambdas, tol=1e-13)
    np.testing.assert_allclose(other.coefs, path.coefs[:, perm], atol=1e-6)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_doubling_weights_changes_nothing(seed):
    X, y = simulate(30, 5, seed=seed)
    w = np.random.default_rng(seed).uniform(0.1, 2, 30)
    a = fit_path(X, y, weights=w, nlambda=10, tol=1e-13)
    b = fit_path(X, y, weights=2 * w, nlambda=10, tol=1e-13)
    np.testing.assert_allclose(a.lambdas, b.lambdas, rtol=1e-12)
    np.testing.assert_allclose(a.coefs, b.coefs, atol=1e-6)
    np.testing.assert_allclose(a.dev_ratio, b.dev_ratio, atol=1e-10)


# ---- inputs and errors -----------------------------------------------------------------


def test_inputs_are_not_modified():
    X, y = simulate(30, 5, seed=15)
    X = np.asfortranarray(X)
    w = np.linspace(0.5, 1.5, 30)
    pf = np.array([0.0, 1, 1, 2, 1])
    lams = np.array([0.5, 0.1, 0.01])
    copies = [a.copy() for a in (X, y, w, pf, lams)]
    fit_path(X, y, weights=w, penalty_factor=pf, lambdas=lams)
    fit_path(X, y, weights=w, penalty_factor=pf, standardize=False, fit_intercept=False)
    for before, after in zip(copies, (X, y, w, pf, lams), strict=True):
        np.testing.assert_array_equal(before, after)


def test_convergence_warning_at_max_iter():
    X, y = simulate(40, 30, rho=0.9, seed=16)
    with pytest.warns(ConvergenceWarning, match="max_iter") as caught:
        path = fit_path(X, y, max_iter=1, tol=1e-12)
    assert not path.converged.all()
    assert caught[0].filename == __file__  # the caller's line, not penstat's


def test_no_warning_when_converged():
    X, y = simulate(40, 5, seed=17)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fit_path(X, y).converged.all()


X0, Y0 = simulate(20, 3, seed=18)


@pytest.mark.parametrize(
    "kwargs, error, word",
    [
        ({"X": np.where(np.eye(20, 3) == 1, np.nan, X0)}, DataError, "X"),
        ({"X": np.where(np.eye(20, 3) == 1, np.inf, X0)}, DataError, "X"),
        ({"y": np.r_[np.nan, Y0[1:]]}, DataError, "y"),
        ({"y": Y0[:-1]}, DataError, "y"),
        ({"X": X0[:, 0]}, DataError, "X"),
        ({"X": X0[:0]}, DataError, "X"),
        ({"family": "poisson"}, ArgumentError, "family"),
        ({"family": "binomial", "y": np.arange(20) % 3}, DataError, "0/1"),
        ({"family": "binomial", "y": np.ones(20)}, DataError, "one class"),
        ({"weights": -np.ones(20)}, DataError, "weights"),
        ({"weights": np.zeros(20)}, DataError, "weights"),
        ({"weights": np.ones(19)}, DataError, "weights"),
        ({"weights": np.r_[np.nan, np.ones(19)]}, DataError, "weights"),
        ({"l1_ratio": 1.5}, ArgumentError, "l1_ratio"),
        ({"l1_ratio": -0.1}, ArgumentError, "l1_ratio"),
        ({"l1_ratio": "lasso"}, ArgumentError, "l1_ratio"),
        ({"lambdas": [0.1, -0.1]}, ArgumentError, "non-negative"),
        ({"lambdas": [0.1, 0.2]}, ArgumentError, "decreasing"),
        ({"lambdas": [0.1, 0.1]}, ArgumentError, "decreasing"),
        ({"lambdas": []}, ArgumentError, "lambdas"),
        ({"penalty_factor": [1, 1]}, ArgumentError, "penalty_factor"),
        ({"penalty_factor": [1, -1, 1]}, ArgumentError, "penalty_factor"),
        ({"penalty_factor": [0, 0, 0]}, ArgumentError, "penalty_factor"),
        ({"nlambda": 0}, ArgumentError, "nlambda"),
        ({"lambda_min_ratio": 2.0}, ArgumentError, "lambda_min_ratio"),
        ({"tol": 0}, ArgumentError, "tol"),
        ({"max_iter": 0}, ArgumentError, "max_iter"),
    ],
)
def test_errors_name_the_argument(kwargs, error, word):
    args = {"X": X0, "y": Y0, **kwargs}
    with pytest.raises(error, match=word) as info:
        fit_path(args.pop("X"), args.pop("y"), **args)
    assert isinstance(info.value, PenstatError)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("lambdas", [None, [0.5, 0.1]])
def test_unpenalized_columns_that_fit_y_exactly_are_refused(lambdas):
    # 12 unpenalized columns and the intercept interpolate 12 rows: nothing is left
    # for the penalty, the unpenalized coefficients are not determined, and coordinate
    # descent would crawl to max_iter along them
    rng = np.random.default_rng(40)
    X, y = rng.standard_normal((12, 30)), rng.standard_normal(12)
    pf = np.r_[np.zeros(12), np.ones(18)]
    with pytest.raises(ArgumentError, match="penalty_factor: the 12 unpenalized columns"):
        fit_path(X, y, penalty_factor=pf, lambdas=lambdas)
    # the same columns on 40 rows leave a residual: fitted as before, KKT holds
    X, y = rng.standard_normal((40, 30)), rng.standard_normal(40)
    path = fit_path(X, y, penalty_factor=pf, nlambda=10)
    assert np.all(path.coefs[:, :12] != 0)
    assert kkt_violation(X, y, path) < 1e-4


def test_unpenalized_column_that_separates_the_classes_is_refused():
    rng = np.random.default_rng(41)
    X = rng.standard_normal((50, 4))
    y = (X[:, 0] > 0).astype(float)
    with pytest.raises(ArgumentError, match="separate the two classes"):
        fit_path(X, y, family="binomial", penalty_factor=[0, 1, 1, 1])
    # penalized, the same column is fine (the penalty keeps it finite)
    path = fit_path(X, y, family="binomial", nlambda=5)
    assert np.all(np.isfinite(path.coefs))


def _quasi_separated(seed: int, n: int = 60):
    # x0 orders the classes except on the rows where it is 0, which hold both: the
    # likelihood of an unpenalized x0 keeps rising as its coefficient grows
    rng = np.random.default_rng(seed)
    x0 = np.round(rng.standard_normal(n))
    y = (x0 > 0).astype(float)
    tie = np.flatnonzero(x0 == 0)
    y[tie] = np.arange(tie.size) % 2
    return np.column_stack([x0, rng.standard_normal((n, 3))]), y


@pytest.mark.parametrize("intercept", [True, False])
def test_quasi_complete_separation_by_unpenalized_columns_warns(intercept):
    X, y = _quasi_separated(42)
    if not intercept:
        X[:, 0] += np.where(X[:, 0] == 0, 0.0, np.sign(X[:, 0]))  # keep signs apart
    tie = X[:, 0] == 0
    kwargs = {
        "family": "binomial",
        "fit_intercept": intercept,
        "standardize": False,
        "tol": 1e-10,
    }
    with pytest.warns(SeparationWarning, match="quasi-complete separation"):
        path = fit_path(X, y, penalty_factor=[0, 1, 1, 1], nlambda=8, **kwargs)
    assert np.all(np.isfinite(path.coefs)) and np.all(path.coefs[:, 0] > 5)
    # the separated rows' loss vanishes in the limit, so the other coefficients are
    # the fit on the tied rows alone (x0 is 0 there), at lambda times n / n_tie (the
    # loss is a mean) and times 4/3 (penalty factors are rescaled to sum to p)
    lambdas = path.lambdas * y.size / tie.sum() * 4 / 3
    alone = fit_path(X[tie][:, 1:], y[tie], lambdas=lambdas, **kwargs)
    np.testing.assert_allclose(path.coefs[:, 1:], alone.coefs, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(path.intercepts, alone.intercepts, rtol=1e-4, atol=1e-6)
    # the separating direction need not be a column: x0 - x1 and x1 unpenalized
    Xr = np.column_stack([X[:, 0] + X[:, 1], X[:, 1], X[:, 2:]])
    with pytest.warns(SeparationWarning):
        fit_path(Xr, y, penalty_factor=[0, 0, 1, 1], **kwargs)


def test_one_crossing_row_is_not_separation():
    # the same data with one row on the wrong side: a finite maximum exists, even
    # with the unpenalized column duplicated (a direction of no change, not one of
    # separation); the row's zero weight makes it quasi-complete separation again
    X, y = _quasi_separated(43)
    row = int(np.flatnonzero(X[:, 0] >= 1)[0])
    y[row] = 0.0
    Xd = np.column_stack([X[:, 0], X])
    pf = [0, 0, 1, 1, 1]
    # the optimum is flat along x0 (fitted probabilities near 0 and 1): a tighter tol
    # than the default for the gradient test (the default's objective is within 1e-11)
    path = fit_path(Xd, y, family="binomial", penalty_factor=pf, nlambda=10, tol=1e-10)
    assert np.all(np.isfinite(path.coefs)) and np.all(np.abs(path.coefs) < 100)
    assert kkt_violation(Xd, y, path, family="binomial") < 1e-4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit_path(Xd, y, family="binomial", penalty_factor=pf, nlambda=10)
    w = np.ones(y.size)
    w[row] = 0.0
    with pytest.warns(SeparationWarning):
        fit_path(Xd, y, family="binomial", penalty_factor=pf, weights=w, nlambda=10)


def test_row_fitted_almost_perfectly_is_not_separation():
    # a far-out row fitted with probability 1 - 1e-30 by a finite maximum: the exact
    # check of separation runs and must find none
    rng = np.random.default_rng(44)
    x0 = np.r_[rng.standard_normal(80), 30.0]
    y = np.r_[(rng.random(80) < 1 / (1 + np.exp(-3 * x0[:80]))).astype(float), 1.0]
    # x0 twice (scaled): the null space of these columns is no separating direction
    X = np.column_stack([x0, 3.0 * x0, rng.standard_normal((81, 2))])
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeparationWarning)
        path = fit_path(X, y, family="binomial", penalty_factor=[0, 0, 1, 1], nlambda=5)
    eta = path.intercepts[0] + X[-1] @ path.coefs[0]
    assert np.all(np.isfinite(path.coefs)) and eta > 25


def test_separation_linear_programs():
    # _separation on hand-made rows: the sign of each row is its class
    z = np.arange(-3.0, 4.0)  # -3 .. 3
    ones = np.ones(z.size)
    s = np.sign(z) + (z == 0)  # z = 0 is class +1: z orders the classes strictly
    assert _separation(np.column_stack([ones, z]), s) == "complete"
    s_cross = np.r_[s[:-1], -1.0]  # the row at z = 3 in class -1 crosses: none
    assert _separation(np.column_stack([ones, z]), s_cross) is None
    zt = np.r_[z, 0.0]  # a second row at z = 0 with the other class: a tie
    s_quasi = np.r_[s, -1.0]
    assert _separation(np.column_stack([np.ones(zt.size), zt]), s_quasi) == "quasi"
    # a column and its multiple: their difference is a direction of no change
    rng = np.random.default_rng(45)
    x = rng.standard_normal(40)
    y = np.where(rng.random(40) < 0.5, 1.0, -1.0)
    dup = np.column_stack([np.ones(40), x, 3.0 * x])
    assert _separation(dup, y) is None
    # continuous columns, classes split by the sign of one of them
    zc = rng.standard_normal(60)
    Zc = np.column_stack([np.ones(60), zc, rng.standard_normal(60)])
    assert _separation(Zc, np.where(zc > 0, 1.0, -1.0)) == "complete"


@pytest.mark.parametrize("offset", [0.0, 1e7])
def test_lambda_zero_separation_is_found_behind_an_offset(offset):
    # dates as seconds: x = 1e7 + z separates the classes at z = 0
    rng = np.random.default_rng(46)
    z = rng.standard_normal(60)
    X = np.column_stack([offset + z, rng.standard_normal(60)])
    y = (z > 0).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.warns(SeparationWarning, match="completely"):
            fit_path(X, y, family="binomial", lambdas=[0.05, 0.0], max_iter=2000)
        # more columns than rows: the linear programs decide directly
        wide = offset + rng.standard_normal((10, 12))
        with pytest.warns(SeparationWarning, match="completely"):
            fit_path(wide, np.arange(10) % 2.0, family="binomial", lambdas=[0.05, 0.0])


def test_lambda_zero_quasi_separation_by_a_penalized_level():
    # every column penalized; at lambda = 0 a 4-row level of one class has no finite
    # coefficient, although the fit converges with margins of only about 14
    rng = np.random.default_rng(5)
    x = rng.standard_normal((200, 2))
    y = (rng.random(200) < 1 / (1 + np.exp(-x[:, 0]))).astype(float)
    y[:4] = 1.0
    X = np.column_stack([np.r_[np.ones(4), np.zeros(196)], x])
    with pytest.warns(SeparationWarning, match="on part of the observations"):
        fit_path(X, y, family="binomial", lambdas=[0.05, 0.0])
    with warnings.catch_warnings():  # at a positive lambda the penalty keeps it finite
        warnings.simplefilter("error", SeparationWarning)
        fit_path(X, y, family="binomial", lambdas=[0.05, 0.001])


def test_unpenalized_one_row_level_in_large_data_warns():
    # one row of its level, y = 1, among 20000: the null fit's loss stops decreasing
    # measurably before the row's margin is large; its Newton steps still move
    rng = np.random.default_rng(1)
    n = 20_000
    x = rng.standard_normal((n, 2))
    y = (rng.random(n) < 1 / (1 + np.exp(-x[:, 0]))).astype(float)
    y[0] = 1.0
    X = np.column_stack([np.r_[1.0, np.zeros(n - 1)], x])
    with pytest.warns(SeparationWarning, match="quasi-complete"):
        fit_path(X, y, family="binomial", penalty_factor=[0, 1, 1], nlambda=5)


def test_binomial_one_class_among_weighted_rows():
    y = (np.arange(20) % 2).astype(float)
    w = np.where(y == 1, 1.0, 0.0)
    with pytest.raises(DataError, match="one class"):
        fit_path(X0, y, family="binomial", weights=w)


@pytest.mark.parametrize("n, p", [(20000, 64), (80000, 8)])
def test_rows_are_gathered_without_a_second_copy(n, p):
    # a fold's standardized copy is gathered straight from X: the memory traced on
    # the way stays below a tenth of the copy (blocks of 32 MB were the whole copy
    # here, 0.2 X to 0.4 X of a fold at 200k x 100 or 50k x 200)
    import tracemalloc

    from penstat.solver.fit import _gather_rows

    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.normal(size=(n, p)))
    rows = np.sort(rng.integers(0, n, size=9 * n // 10))
    out = np.empty((rows.size, p), order="F")
    tracemalloc.start()
    try:
        _gather_rows(X, rows, out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(out, X[rows])
    assert peak < 0.1 * out.nbytes
