"""Binomial (logistic) paths: the compiled kernel through ``fit_path``.

References are independent of penstat: scikit-learn's LogisticRegression,
statsmodels' L1-penalized Logit, and a smooth bound-constrained reformulation of the
same objective solved by scipy's L-BFGS-B (b = b_plus - b_minus, b_plus, b_minus >= 0),
at matched objectives.
"""

import warnings

import numpy as np
import pytest
from penstat.solver._cd._binomial import _has_avx2 as _binomial_has_avx2
from penstat.solver._cd._binomial import _logistic_loss, binomial_path
from scipy.optimize import minimize
from scipy.special import expit

from penstat import fit_path


def equicorrelated(n, p, rho, seed):
    """Friedman, Hastie & Tibshirani (2010) simulation with a logistic response."""
    rng = np.random.default_rng(seed)
    X = np.sqrt(1 - rho) * rng.standard_normal((n, p))
    X += np.sqrt(rho) * rng.standard_normal((n, 1))
    beta = np.array([(-1) ** j * np.exp(-2 * (j - 1) / 20) for j in range(1, p + 1)])
    y = (rng.random(n) < expit(X @ beta)).astype(float)
    return X, y


def objective(X, y, w, b0, b, lam, l1_ratio, pf):
    """-1/(sum w) loglik + lam * sum_j pf_j (l1_ratio |b_j| + (1 - l1_ratio)/2 b_j^2)."""
    eta = b0 + X @ b
    loss = w @ (np.logaddexp(0.0, eta) - y * eta) / w.sum()
    return loss + lam * np.sum(pf * (l1_ratio * np.abs(b) + 0.5 * (1 - l1_ratio) * b * b))


def lbfgs_reference(X, y, w, lam, l1_ratio, pf, fit_intercept=True):
    """Optimum of the objective by L-BFGS-B on the split (smooth) formulation."""
    n, p = X.shape
    wn = w / w.sum()

    def fun(z):
        b0 = z[0] if fit_intercept else 0.0
        bp, bm = z[1 : p + 1], z[p + 1 :]
        b = bp - bm
        eta = b0 + X @ b
        loss = wn @ (np.logaddexp(0.0, eta) - y * eta)
        pen = lam * np.sum(pf * (l1_ratio * (bp + bm) + 0.5 * (1 - l1_ratio) * b * b))
        res = wn * (expit(eta) - y)
        gb = X.T @ res + lam * pf * (1 - l1_ratio) * b
        g = np.concatenate(
            [
                [res.sum() if fit_intercept else 0.0],
                gb + lam * pf * l1_ratio,
                -gb + lam * pf * l1_ratio,
            ]
        )
        return loss + pen, g

    bounds = [(None, None)] + [(0.0, None)] * (2 * p)
    out = minimize(
        fun,
        np.zeros(2 * p + 1),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 50_000, "maxcor": 50, "ftol": 1e-16, "gtol": 1e-12},
    )
    z = out.x
    return (z[0] if fit_intercept else 0.0), z[1 : p + 1] - z[p + 1 :], out.fun


def assert_near_reference(path, X, y, w, k, l1_ratio):
    """The objective at ``path.lambdas[k]`` is within 1e-6 (relative) of the L-BFGS
    optimum; returns that optimum's (b0, b)."""
    lam, pf = path.lambdas[k], path.penalty_factor
    b0_ref, b_ref, f_ref = lbfgs_reference(X, y, w, lam, l1_ratio, pf)
    f = objective(X, y, w, path.intercepts[k], path.coefs[k], lam, l1_ratio, pf)
    assert f <= f_ref * (1 + 1e-6)
    return b0_ref, b_ref


def assert_kkt(path, X, y, w, atol):
    """Subgradient conditions of the (unstandardized) problem at every lambda."""
    wn = w / w.sum()
    a = path.l1_ratio
    pf = path.penalty_factor
    for lam, b0, b in zip(path.lambdas, path.intercepts, path.coefs, strict=True):
        res = wn * (y - expit(b0 + X @ b))
        g = X.T @ res  # minus the gradient of the loss
        if path.fit_intercept:
            assert abs(res.sum()) <= atol
        nz = b != 0
        want = lam * pf * (a * np.sign(b) + (1 - a) * b)
        assert np.all(np.abs(g[nz] - want[nz]) <= atol * (1 + np.abs(want[nz])))
        assert np.all(np.abs(g[~nz]) <= lam * pf[~nz] * a + atol)


@pytest.fixture(scope="module")
def correlated():
    X, y = equicorrelated(150, 12, 0.9, seed=3)
    return X, y


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_matches_lbfgs_optimum_on_correlated_design(correlated, l1_ratio):
    X, y = correlated
    X = X * np.linspace(0.5, 3.0, X.shape[1])  # unequal scales, no standardization
    w = np.ones(len(y))
    path = fit_path(
        X,
        y,
        family="binomial",
        l1_ratio=l1_ratio,
        nlambda=30,
        lambda_min_ratio=1e-3,
        standardize=False,
    )
    for k in range(0, len(path.lambdas), 4):
        # at the default tol each objective is within 1e-6 (relative) of the optimum
        _, b_ref = assert_near_reference(path, X, y, w, k, l1_ratio)
        np.testing.assert_allclose(
            path.coefs[k], b_ref, atol=2e-3 * max(1, abs(b_ref).max())
        )


def test_matches_sklearn_l1_and_elasticnet():
    from sklearn.linear_model import LogisticRegression

    X, y = equicorrelated(120, 8, 0.5, seed=1)
    n = len(y)
    pf = np.ones(X.shape[1])
    for l1_ratio in (1.0, 0.5):
        lam = 0.02
        path = fit_path(
            X,
            y,
            family="binomial",
            l1_ratio=l1_ratio,
            lambdas=[0.2, lam],
            standardize=False,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kwargs = {"penalty": "elasticnet", "l1_ratio": l1_ratio}
            sk = LogisticRegression(
                C=1.0 / (n * lam), solver="saga", tol=1e-12, max_iter=100_000, **kwargs
            ).fit(X, y)
        f_sk = objective(X, y, np.ones(n), sk.intercept_[0], sk.coef_[0], lam, l1_ratio, pf)
        f = objective(
            X, y, np.ones(n), path.intercepts[1], path.coefs[1], lam, l1_ratio, pf
        )
        assert f <= f_sk * (1 + 1e-6)
        np.testing.assert_allclose(path.coefs[1], sk.coef_[0], atol=1e-4)
        np.testing.assert_allclose(path.intercepts[1], sk.intercept_[0], atol=1e-4)


def test_matches_statsmodels_logit_l1():
    # Logit.fit_regularized(method="l1"): -loglik + sum_j alpha_j |b_j|, glmnet's
    # objective times n when alpha_j = n lam (0 for the constant)
    import statsmodels.api as sm

    X, y = equicorrelated(150, 8, 0.3, seed=4)
    X = X * np.linspace(0.5, 2.0, 8) + 1.0
    n, p = X.shape
    lams = [0.05, 0.02, 0.005]
    path = fit_path(X, y, family="binomial", lambdas=lams, standardize=False, tol=1e-12)
    for k, lam in enumerate(lams):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = sm.Logit(y, sm.add_constant(X)).fit_regularized(
                method="l1",
                alpha=n * lam * np.r_[0.0, np.ones(p)],
                trim_mode="off",
                acc=1e-14,
                maxiter=2000,
                disp=0,
            )
        b = np.asarray(ref.params)
        ones = np.ones(n)
        f = objective(X, y, ones, path.intercepts[k], path.coefs[k], lam, 1.0, np.ones(p))
        assert f <= objective(X, y, ones, b[0], b[1:], lam, 1.0, np.ones(p)) * (1 + 1e-12)
        np.testing.assert_allclose(path.coefs[k], b[1:], atol=1e-6)
        np.testing.assert_allclose(path.intercepts[k], b[0], atol=1e-6)
    assert 0 < np.count_nonzero(path.coefs[0]) < p  # some coefficients are exactly 0


def test_lambda_zero_is_the_maximum_likelihood_estimate():
    # unpenalized, the fit is statsmodels' Logit MLE; on separated classes (here by
    # construction, and always when p >= n) no MLE exists and a warning says so
    import statsmodels.api as sm

    from penstat import ConvergenceWarning, SeparationWarning

    X, y = equicorrelated(150, 6, 0.3, seed=6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = fit_path(X, y, family="binomial", lambdas=[0.05, 0.0], tol=1e-12)
    mle = np.asarray(sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-12).params)
    np.testing.assert_allclose(path.coefs[1], mle[1:], atol=1e-6)
    np.testing.assert_allclose(path.intercepts[1], mle[0], atol=1e-6)
    # the solver then runs to max_iter along the separating direction
    separated = (X[:, 0] + X[:, 1] > 0).astype(float)
    with (
        pytest.warns(ConvergenceWarning),
        pytest.warns(SeparationWarning, match="lambda=0 .* completely"),
    ):
        fit_path(X, separated, family="binomial", lambdas=[0.05, 0.0], max_iter=200)
    # p > n: the solver stops where the loss is flat (deviance ratio above 0.999)
    wide, y_wide = equicorrelated(20, 30, 0.3, seed=6)
    with pytest.warns(SeparationWarning, match="lambda=0"):
        path = fit_path(wide, y_wide, family="binomial", lambdas=[0.1, 0.0])
    assert path.dev_ratio[-1] > 0.999


def test_kkt_along_default_path_standardized():
    X, y = equicorrelated(200, 30, 0.5, seed=7)
    X = X * np.arange(1, 31)
    for l1_ratio in (1.0, 0.3):
        path = fit_path(X, y, family="binomial", l1_ratio=l1_ratio)
        # KKT on the standardized scale: coefficients times the column sd
        sd = np.sqrt(((X - X.mean(0)) ** 2).mean(0))
        std_path = type("P", (), {})()
        std_path.lambdas = path.lambdas
        std_path.intercepts = path.intercepts + path.coefs @ X.mean(0)
        std_path.coefs = path.coefs * sd
        std_path.l1_ratio = l1_ratio
        std_path.penalty_factor = path.penalty_factor
        std_path.fit_intercept = True
        Xs = (X - X.mean(0)) / sd
        assert_kkt(std_path, Xs, y, np.ones(len(y)), atol=5e-5)
        assert np.all(path.converged)
        assert path.df[0] == 0 and path.df[-1] > 0


def test_kkt_p_greater_than_n():
    X, y = equicorrelated(40, 120, 0.3, seed=11)
    path = fit_path(X, y, family="binomial", standardize=False)
    assert np.all(np.isfinite(path.coefs))
    assert_kkt(path, X, y, np.ones(len(y)), atol=5e-5)
    assert_near_reference(path, X, y, np.ones(len(y)), len(path.lambdas) // 2, 1.0)


def test_integer_weights_equal_repeated_rows():
    X, y = equicorrelated(60, 6, 0.5, seed=5)
    counts = np.random.default_rng(0).integers(0, 4, size=len(y))
    lambdas = np.geomspace(0.2, 0.002, 15)
    weighted = fit_path(
        X, y, family="binomial", weights=counts, lambdas=lambdas, l1_ratio=0.7
    )
    rows = np.repeat(np.arange(len(y)), counts)
    repeated = fit_path(X[rows], y[rows], family="binomial", lambdas=lambdas, l1_ratio=0.7)
    np.testing.assert_allclose(weighted.coefs, repeated.coefs, atol=1e-6)
    np.testing.assert_allclose(weighted.intercepts, repeated.intercepts, atol=1e-6)
    doubled = fit_path(
        X, y, family="binomial", weights=2.0 * counts, lambdas=lambdas, l1_ratio=0.7
    )
    np.testing.assert_allclose(doubled.coefs, weighted.coefs, atol=1e-9)


def test_penalty_factor_zero_is_always_in_the_model():
    X, y = equicorrelated(100, 8, 0.5, seed=2)
    pf = np.array([0.0, 1, 1, 1, 1, 1, 1, 2.0])
    path = fit_path(
        X, y, family="binomial", penalty_factor=pf, nlambda=20, standardize=False
    )
    assert np.all(path.coefs[:, 0] != 0)
    assert np.all(path.coefs[0, 1:] == 0)
    np.testing.assert_allclose(path.penalty_factor.sum(), 8.0)
    assert_kkt(path, X, y, np.ones(len(y)), atol=5e-5)
    k = 10
    _, b_ref = assert_near_reference(path, X, y, np.ones(len(y)), k, 1.0)
    np.testing.assert_allclose(path.coefs[k], b_ref, atol=1e-3)


def test_constant_and_duplicated_columns():
    X, y = equicorrelated(100, 5, 0.3, seed=4)
    Xd = np.column_stack([X, np.full(len(y), 3.0), X[:, 1]])
    lambdas = np.geomspace(0.1, 0.001, 10)
    base = fit_path(X, y, family="binomial", lambdas=lambdas)
    for l1_ratio in (1.0, 0.5):
        path = fit_path(Xd, y, family="binomial", lambdas=lambdas, l1_ratio=l1_ratio)
        assert np.all(path.coefs[:, 5] == 0)
        eta = path.intercepts[:, None] + path.coefs @ Xd.T
        assert np.all(np.isfinite(eta))
        if l1_ratio == 1.0:
            # the lasso splits a duplicated column arbitrarily; the fit is the same
            eta_base = base.intercepts[:, None] + base.coefs @ X.T
            np.testing.assert_allclose(eta, eta_base, atol=1e-4)
        else:
            # the ridge part makes the equal split the unique optimum; the objective is
            # flat along b_1 - b_6 (curvature lam (1 - l1_ratio)), so only to ~1%
            np.testing.assert_allclose(path.coefs[:, 1], path.coefs[:, 6], rtol=0.02)


def test_separable_data_stays_finite_and_stops():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = (X[:, 0] > 0).astype(float)
    path = fit_path(X, y, family="binomial")
    assert len(path.lambdas) < 100  # glmnet's early stop: deviance ratio > 0.999
    assert np.all(np.isfinite(path.coefs)) and np.all(np.isfinite(path.intercepts))
    assert path.dev_ratio[-1] > 0.99
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tiny = fit_path(
            X, y, family="binomial", lambdas=np.geomspace(1.0, 1e-8, 12), max_iter=2000
        )
    assert len(tiny.lambdas) == 12
    assert np.all(np.isfinite(tiny.coefs)) and np.all(np.isfinite(tiny.intercepts))


def test_no_intercept_matches_reference():
    X, y = equicorrelated(90, 6, 0.5, seed=8)
    X = X + 0.7  # uncentred columns
    lam = 0.01
    path = fit_path(
        X,
        y,
        family="binomial",
        lambdas=[0.1, lam],
        fit_intercept=False,
        standardize=False,
        l1_ratio=0.5,
    )
    assert np.all(path.intercepts == 0)
    _, b_ref, f_ref = lbfgs_reference(
        X, y, np.ones(len(y)), lam, 0.5, path.penalty_factor, fit_intercept=False
    )
    f = objective(X, y, np.ones(len(y)), 0.0, path.coefs[1], lam, 0.5, path.penalty_factor)
    assert f <= f_ref * (1 + 1e-6)
    np.testing.assert_allclose(path.coefs[1], b_ref, atol=1e-3)


def test_inputs_are_not_modified():
    X, y = equicorrelated(50, 4, 0.5, seed=9)
    w = np.random.default_rng(1).random(50)
    pf = np.array([1.0, 0.0, 2.0, 1.0])
    copies = [a.copy() for a in (X, y, w, pf)]
    fit_path(X, y, family="binomial", weights=w, penalty_factor=pf, nlambda=10)
    for a, c in zip((X, y, w, pf), copies, strict=True):
        np.testing.assert_array_equal(a, c)


def test_kernel_leaves_standardized_x_alone_and_zero_columns_at_zero():
    X, y = equicorrelated(80, 5, 0.5, seed=6)
    w = np.full(80, 1 / 80)
    Xs = X - w @ X
    Xs /= np.sqrt(w @ Xs**2)
    Xs[:, 2] = 0.0
    Xs = np.asfortranarray(Xs)
    before = Xs.copy()
    lambdas = np.geomspace(0.2, 0.002, 8)
    coefs = np.full((8, 5), np.nan)
    out = [np.zeros(8), np.zeros(8), np.zeros(8, np.int32), np.zeros(8, np.uint8)]
    k = binomial_path(
        Xs, y, w, np.ones(5), 1.0, lambdas, True, False, 1e-7, 10_000, coefs, *out
    )
    assert k == 8
    np.testing.assert_array_equal(Xs, before)
    assert np.all(coefs[:, 2] == 0)
    assert np.all(out[3] == 1) and np.all(out[2] > 0)
    # deviance output is -2 sum w loglik with the normalized weights
    eta = out[0][-1] + Xs @ coefs[-1]
    np.testing.assert_allclose(
        out[1][-1], 2 * w @ (np.logaddexp(0, eta) - y * eta), rtol=1e-12
    )


def test_weighted_elastic_net_with_penalty_factors_matches_reference():
    X, y = equicorrelated(120, 10, 0.7, seed=12)
    w = np.random.default_rng(3).uniform(0.2, 3.0, size=len(y))
    pf = np.array([0.0, 0.5, 1, 1, 1, 1, 1, 1, 2, 2])
    path = fit_path(
        X,
        y,
        family="binomial",
        l1_ratio=0.4,
        weights=w,
        penalty_factor=pf,
        nlambda=25,
        standardize=False,
    )
    assert_kkt(path, X, y, w, atol=5e-5)
    for k in (6, len(path.lambdas) - 1):
        _, b_ref = assert_near_reference(path, X, y, w, k, 0.4)
        np.testing.assert_allclose(path.coefs[k], b_ref, atol=2e-3)


def test_ridge_p_greater_than_n_matches_reference():
    X, y = equicorrelated(30, 80, 0.5, seed=13)
    lambdas = np.geomspace(1.0, 1e-3, 12)
    path = fit_path(
        X, y, family="binomial", l1_ratio=0.0, lambdas=lambdas, standardize=False
    )
    assert np.all(path.df == 80)
    for k in (3, 11):
        _, b_ref = assert_near_reference(path, X, y, np.ones(30), k, 0.0)
        np.testing.assert_allclose(path.coefs[k], b_ref, atol=1e-3)


def test_kernel_reports_max_iter_reached():
    X, y = equicorrelated(100, 20, 0.9, seed=14)
    w = np.full(100, 0.01)
    Xs = X - w @ X
    Xs = np.asfortranarray(Xs / np.sqrt(w @ Xs**2))
    lambdas = np.geomspace(0.05, 0.001, 5)
    coefs = np.zeros((5, 20))
    out = [np.zeros(5), np.zeros(5), np.zeros(5, np.int32), np.zeros(5, np.uint8)]
    k = binomial_path(
        Xs, y, w, np.ones(20), 1.0, lambdas, True, False, 1e-7, 2, coefs, *out
    )
    assert k == 5
    assert np.all(out[2] <= 2) and not np.all(out[3] == 1)
    assert np.all(np.isfinite(coefs))


@pytest.fixture
def kernel_loops(request, binomial_kernel_options):
    """Run fit_path's binomial kernel with its portable C loops (as on CPUs without
    AVX2) and/or its active-set cycles by blocks (as from 4000 rows on)."""
    portable, blocked = request.param
    calls = binomial_kernel_options(
        simd=not portable, blocked_min_n=0 if blocked else 10**9
    )
    yield
    assert calls, "the binomial kernel with the forced options did not run"


@pytest.mark.parametrize(
    "kernel_loops",
    [(True, False), (True, True), (False, True)],
    ids=["portable", "portable-blocked", "blocked"],
    indirect=True,
)
@pytest.mark.parametrize("shape", [(203, 37), (45, 131)])
def test_kernel_loop_variants_solve_the_same_problem(kernel_loops, shape):
    """Every variant of the kernel's loops meets KKT along the path and agrees with
    the reference, with weights, an unpenalized column and the elastic net too."""
    X, y = equicorrelated(*shape, 0.5, seed=5)
    w = np.ones(len(y))
    path = fit_path(X, y, family="binomial", standardize=False)
    assert_kkt(path, X, y, w, atol=5e-5)
    assert_near_reference(path, X, y, w, len(path.lambdas) // 2, 1.0)

    w = np.random.default_rng(4).uniform(0.2, 3.0, size=len(y))
    pf = np.ones(shape[1])
    pf[3] = 0.0
    enet = fit_path(
        X, y, family="binomial", l1_ratio=0.5, weights=w, penalty_factor=pf, nlambda=30
    )
    assert np.all(enet.coefs[:, 3] != 0)
    assert np.all(enet.converged)
    Xs = (X - np.average(X, axis=0, weights=w)) / np.sqrt(
        np.average((X - np.average(X, axis=0, weights=w)) ** 2, axis=0, weights=w)
    )
    std = fit_path(
        Xs,
        y,
        family="binomial",
        l1_ratio=0.5,
        weights=w,
        penalty_factor=pf,
        lambdas=enet.lambdas,
        standardize=False,
    )
    assert_kkt(std, Xs, y, w, atol=5e-5)


def test_default_tol_near_separation_with_more_active_columns_than_curvature():
    """200 rows (20 at weight 0), 60 correlated columns, all active at the end of the
    path, where only about 40 rows still carry curvature: coordinate moves are tiny
    while the distance to the optimum is not. At the default tol every lambda must
    still be within 1e-6 (relative) of the optimum (11 lambdas were not, up to
    2.4e-6, before the conjugate-gradient check of such supports)."""
    rng = np.random.default_rng(104)
    n, p = 200, 60
    # the random search that found this problem drew n and p first
    rng.choice([30, 80, 200]), rng.choice([5, 20, 60])
    X = rng.standard_normal((n, p)) + 0.5 * rng.standard_normal((n, 1))
    off = rng.choice([0.5, 2.0, 6.0]) * rng.standard_normal(n) + rng.normal()
    y = (rng.random(n) < expit(X[:, 0] - X[:, 1] + off)).astype(float)
    w = rng.uniform(0, 2, n) * (rng.random(n) > 0.1)
    ref = fit_path(X, y, family="binomial", weights=w, tol=1e-13)
    path = fit_path(X, y, family="binomial", weights=w, lambdas=ref.lambdas)
    wn = w / w.sum()
    scale = np.sqrt(wn @ (X - wn @ X) ** 2)
    assert ref.df[-1] == p
    for k, lam in enumerate(ref.lambdas):
        best = objective(
            X / scale, y, w, ref.intercepts[k], ref.coefs[k] * scale, lam, 1, 1
        )
        ours = objective(
            X / scale, y, w, path.intercepts[k], path.coefs[k] * scale, lam, 1, 1
        )
        assert (ours - best) / best <= 1e-6, (k, (ours - best) / best)


def _loss_cases():
    rng = np.random.default_rng(7)
    edges = [0.0, -0.0, 1e-300, -1e-300, 1e-10, -1e-10, np.log(2.0), -np.log(2.0),
             np.nextafter(np.log(2.0), 1.0), 36.0, -36.0, 707.9, -707.9, 708.5, -708.5,
             745.2, -745.2, 800.0, -800.0, 1e5, -1e5]  # fmt: skip
    return np.concatenate([edges, rng.normal(0, 3, 300), rng.uniform(-750, 750, 300)])


@pytest.mark.skipif(not _binomial_has_avx2(), reason="the CPU has no AVX2/FMA loops")
def test_vector_loss_matches_the_c_library_elementwise():
    """The kernel's AVX2 loss loop (own exp and log1p) against numpy's logaddexp and
    scipy's expit, value by value: probabilities and losses within a few ulp (of
    the terms log(1 + exp(eta)) and y eta, whose difference cancels)."""
    eta = _loss_cases()
    _, q = _logistic_loss(eta, np.zeros(eta.size), np.ones(eta.size))
    ref_q = expit(eta)
    assert np.all(np.abs(q - ref_q) <= 4 * np.spacing(ref_q) + 1e-300), eta[
        np.abs(q - ref_q) > 4 * np.spacing(ref_q) + 1e-300
    ]
    # one row at a time (weight 1 on it, 0 on three copies that fill the vector)
    for e in eta:
        for y in (0.0, 1.0):
            loss, _ = _logistic_loss(np.full(4, e), np.full(4, y), [1.0, 0.0, 0.0, 0.0])
            softplus = np.logaddexp(0.0, e)
            ref = softplus - y * e
            # the difference cancels: its rounding is relative to the terms
            scale = np.spacing(softplus + abs(y * e))
            assert abs(loss - ref) <= 4 * scale + 1e-300, (e, y, loss, ref)


def test_vector_and_portable_loss_agree_on_long_vectors():
    """The whole-vector sums (AVX2 or not) agree with the portable loop up to the
    rounding of a sum of 1001 terms, and the probabilities up to a few ulp."""
    rng = np.random.default_rng(3)
    eta = rng.normal(0, 4, 1001)
    y = (rng.random(1001) < 0.4).astype(float)
    w = rng.random(1001)
    fast = _logistic_loss(eta, y, w, simd=True)
    slow = _logistic_loss(eta, y, w, simd=False)
    assert abs(fast[0] - slow[0]) <= 1e-13 * abs(slow[0])
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-15, atol=0)
