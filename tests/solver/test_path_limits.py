"""Coefficient limits of penstat.solver.fit_path (glmnet's lower.limits / upper.limits).

Independent checks: the optimality conditions of the box-constrained problem (as a
fixed point of the clipped coordinate update), scikit-learn's positive lasso and
elastic net, SciPy's bound-constrained L-BFGS-B, the unconstrained path when the
limits cannot bind, and a column held at 0 against the fit without it. The R glmnet
references with limits are in test_path_glmnet.py.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.linear_model import ElasticNet, Lasso

from penstat import ArgumentError, PenstatError, SeparationWarning
from penstat.solver import fit_path

# ---- problems --------------------------------------------------------------------------


def simulate(n, p, rho, seed, family="gaussian", scale=1.0):
    """Equicorrelated columns with unequal scales and means; beta_j alternates in sign
    and decays (Friedman, Hastie & Tibshirani 2010), so that limits of either sign
    bind."""
    rng = np.random.default_rng(seed)
    X = np.sqrt(1 - rho) * rng.standard_normal((n, p)) + np.sqrt(rho) * rng.standard_normal(
        (n, 1)
    )
    beta = np.array([(-1) ** j * np.exp(-2 * (j - 1) / 20) for j in range(1, p + 1)])
    beta[12:] = 0.0
    eta = scale * (X @ beta)
    col_scale = rng.uniform(0.5, 3.0, p)
    X = X * col_scale + rng.uniform(-2.0, 2.0, p)
    if family == "gaussian":
        y = 0.7 + eta + rng.standard_normal(n)
    else:
        y = (rng.random(n) < expit(eta - 0.3)).astype(float)
    return X, y


def mixed_limits(p, seed):
    """Per column: free, a negative lower limit, a positive upper limit, or both (the
    limits are on the original scale, where coefficients are about beta / col_scale)."""
    rng = np.random.default_rng(seed)
    kind = np.arange(p) % 4
    lo = np.where((kind == 1) | (kind == 3), -rng.uniform(0.05, 0.25, p), -np.inf)
    hi = np.where((kind == 2) | (kind == 3), rng.uniform(0.05, 0.25, p), np.inf)
    return lo, hi


# ---- the problem as the kernel sees it, rebuilt here -----------------------------------


def kernel_scale(X, y, family, weights, standardize, fit_intercept):
    """Columns and response as glmnet standardizes them: weighted 1/n sd of the
    centred columns (also without intercept, where columns are not centred), gaussian
    y centred (with intercept) and scaled to unit weighted sd."""
    n = X.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    wn = w / w.sum()
    mean = wn @ X
    xs = np.sqrt(wn @ (X - mean) ** 2) if standardize else np.ones(X.shape[1])
    xs[np.ptp(X[w > 0], axis=0) == 0] = 1.0
    Xs = ((X - mean) if fit_intercept else X) / xs
    if family == "gaussian":
        ym = wn @ y if fit_intercept else 0.0
        ys = float(np.sqrt(wn @ (y - ym) ** 2))
    else:
        ys = 1.0
    return wn, Xs, xs, ys


def broadcast_limits(lower, upper, p):
    lo = np.broadcast_to(np.asarray(-np.inf if lower is None else lower, float), p)
    hi = np.broadcast_to(np.asarray(np.inf if upper is None else upper, float), p)
    return lo, hi


def rescaled_pf(penalty_factor, p):
    pf = np.ones(p) if penalty_factor is None else np.asarray(penalty_factor, float)
    return pf * p / pf.sum()


def on(b, limit):
    """b on a finite limit: clipped on the kernel's scale and scaled back, to rounding."""
    return np.isfinite(limit) & (np.abs(b - limit) <= 1e-14 * np.abs(limit))


def soft_threshold(z, t):
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def fixed_point_report(X, y, path, *, family, weights=None, penalty_factor=None,
                       lower=None, upper=None, offset=None):  # fmt: skip
    """Optimality of every point of ``path`` for the box-constrained problem.

    On the kernel's scale (b_k = b xs / ys, lam_k = lam / ys), with g_j the negative
    gradient of the smooth loss and v_j the curvature of coordinate j, each b_j must
    equal its clipped coordinate update
    clip(S(g_j + v_j b_j, lam_k a pf_j) / (v_j + lam_k (1 - a) pf_j), lo_j, hi_j):
    inside the box the usual subgradient equality, on a limit a gradient pushing out
    of the box, at 0 on a limit of 0 at most lam_k a pf_j into it. Returns the largest
    |b_j - update_j| relative to max(1, |b|), the largest intercept gradient, the
    largest violation of the limits, and how many (lambda, column) pairs the limits
    hold (on a nonzero limit, or at 0 against a gradient beyond the threshold).
    """
    p = X.shape[1]
    wn, Xs, xs, ys = kernel_scale(
        X, y, family, weights, path.standardize, path.fit_intercept
    )
    lo, hi = broadcast_limits(lower, upper, p)
    lo_k, hi_k = lo * xs / ys, hi * xs / ys
    pf = rescaled_pf(penalty_factor, p)
    a = path.l1_ratio
    off = 0.0 if offset is None else offset
    fixed = icpt = outside = 0.0
    held = 0
    for lam, b0, b in zip(path.lambdas, path.intercepts, path.coefs, strict=True):
        eta = off + b0 + X @ b
        if family == "gaussian":
            resid = (y - eta) / ys
            v = wn @ Xs**2
        else:
            mu = expit(eta)
            resid = y - mu
            v = (wn * mu * (1 - mu)) @ Xs**2
        g = Xs.T @ (wn * resid)
        bk = b * xs / ys
        lam_k = lam / ys
        update = soft_threshold(g + v * bk, lam_k * a * pf) / (v + lam_k * (1 - a) * pf)
        update = np.clip(update, lo_k, hi_k)
        fixed = max(fixed, np.abs(bk - update).max() / max(1.0, np.abs(bk).max()))
        if path.fit_intercept:
            icpt = max(icpt, abs(wn @ resid))
        outside = max(outside, np.maximum(np.maximum(lo - b, b - hi), 0.0).max())
        on_limit = (b != 0) & (on(b, lo) | on(b, hi))
        blocked = (b == 0) & (
            ((lo == 0) & (g < -lam_k * a * pf * 1.001))
            | ((hi == 0) & (g > lam_k * a * pf * 1.001))
        )
        held += int(np.sum(on_limit | blocked))
    return fixed, icpt, outside, held


def objective(X, y, path, k, *, family, weights=None, penalty_factor=None, offset=None,
              lam=None, b0=None, b=None):  # fmt: skip
    """The objective fit_path minimizes at lambda ``lam`` (default path.lambdas[k]),
    on the original scale: gaussian with glmnet's ridge term divided by sd(y)."""
    p = X.shape[1]
    wn, _, xs, ys = kernel_scale(
        X, y, family, weights, path.standardize, path.fit_intercept
    )
    lam = path.lambdas[k] if lam is None else lam
    b0 = path.intercepts[k] if b0 is None else b0
    b = path.coefs[k] if b is None else b
    eta = (0.0 if offset is None else offset) + b0 + X @ b
    if family == "gaussian":
        loss = 0.5 * wn @ (y - eta) ** 2
        ridge_scale = 1.0 / ys
    else:
        loss = wn @ (np.logaddexp(0.0, eta) - y * eta)
        ridge_scale = 1.0
    bs = b * xs
    a = path.l1_ratio
    pen = rescaled_pf(penalty_factor, p) @ (
        a * np.abs(bs) + 0.5 * (1 - a) * ridge_scale * bs**2
    )
    return loss + lam * pen


# ---- the kernels' variants -------------------------------------------------------------


@pytest.fixture
def gaussian_mode(request, monkeypatch):
    """Run fit_path's gaussian kernel in one update scheme (0 naive, 1 covariance),
    and record what it was given."""
    from penstat.solver._cd._gaussian import gaussian_path

    import penstat.solver.fit as path_module

    mode = request.param
    calls = []
    original = path_module._kernel

    def kernel(family):
        if family != "gaussian":
            return original(family)

        def run(*args, **kwargs):
            calls.append(kwargs)
            return gaussian_path(*args, mode=mode, **kwargs)

        return run

    monkeypatch.setattr(path_module, "_kernel", kernel)
    return calls


@pytest.fixture
def binomial_blocked(request, binomial_kernel_options):
    """Run fit_path's binomial kernel with its active-set cycles by blocks (as from
    many rows on) or one column at a time."""
    calls = binomial_kernel_options(blocked_min_n=1 if request.param else 10**9)
    yield request.param
    assert calls, "the binomial kernel with the forced option did not run"


# ---- optimality with limits (tol 1e-13) ------------------------------------------------

TIGHT = 1e-13
# The binomial kernel's tol bounds the objective (a relative duality gap): at 1e-13
# its paths without limits leave coordinate updates of up to ~3e-8 too.
BINOMIAL_FIXED_TOL = 1e-7

# name: n, p, rho, seed, l1_ratio, limits, weights, penalty factors, intercept, standardize
SCENARIOS = {
    "lasso_nonnegative": (100, 15, 0.5, 1, 1.0, "nonnegative", False, False, True, True),
    "enet_mixed_weights_pf": (120, 16, 0.6, 2, 0.5, "mixed", True, True, True, True),
    "lasso_mixed_p_gt_n": (40, 90, 0.3, 3, 1.0, "mixed", False, False, True, True),
    "enet_scalar_no_intercept": (90, 12, 0.4, 4, 0.7, "scalar", True, False, False, True),
    "lasso_nonpositive_unstandardized": (80, 10, 0.5, 5, 1.0, "nonpositive", False, True,
                                         True, False),
}  # fmt: skip


def scenario(name, family):
    n, p, rho, seed, a, kind, weighted, with_pf, intercept, standardize = SCENARIOS[name]
    X, y = simulate(n, p, rho, seed, family, scale=2.0 if family == "binomial" else 1.0)
    rng = np.random.default_rng(seed + 100)
    kwargs = dict(l1_ratio=a, fit_intercept=intercept, standardize=standardize)
    if weighted:
        kwargs["weights"] = rng.uniform(0.2, 3.0, n)
    pf = None
    if with_pf:
        pf = rng.choice([0.5, 1.0, 2.0], p)
        pf[[0, 5]] = 0.0  # unpenalized, and free
    kwargs["penalty_factor"] = pf
    if kind == "nonnegative":
        lower, upper = 0.0, None
    elif kind == "nonpositive":
        lower, upper = None, np.where(np.arange(p) % 3 == 0, 0.0, np.inf)
    elif kind == "scalar":
        lower, upper = -0.15, 0.2
    else:
        lower, upper = mixed_limits(p, seed)
    if pf is not None:
        # finite limits are refused on unpenalized columns
        lower = np.where(
            pf == 0, -np.inf, np.broadcast_to(-np.inf if lower is None else lower, p)
        )
        upper = np.where(
            pf == 0, np.inf, np.broadcast_to(np.inf if upper is None else upper, p)
        )
    kwargs["lower_limits"], kwargs["upper_limits"] = lower, upper
    return X, y, kwargs


def check_optimal(X, y, path, family, kwargs, fixed_tol):
    fixed, icpt, outside, held = fixed_point_report(
        X,
        y,
        path,
        family=family,
        weights=kwargs.get("weights"),
        penalty_factor=kwargs.get("penalty_factor"),
        lower=kwargs.get("lower_limits"),
        upper=kwargs.get("upper_limits"),
        offset=kwargs.get("offset"),
    )
    assert path.converged.all()
    assert fixed <= fixed_tol, (
        f"clipped coordinate update moves a coefficient by {fixed:.3g}"
    )
    assert held >= 5, "the limits must hold some coefficients for the test to mean anything"
    assert icpt <= 1e-10, f"intercept gradient {icpt:.3g}"
    assert outside <= 1e-14, f"a coefficient is {outside:.3g} outside its limits"
    return fixed


@pytest.mark.parametrize(
    "gaussian_mode", [0, 1], indirect=True, ids=["naive", "covariance"]
)
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_gaussian_optimal_with_limits(gaussian_mode, name):
    X, y, kwargs = scenario(name, "gaussian")
    path = fit_path(X, y, nlambda=40, tol=TIGHT, **kwargs)
    assert len(gaussian_mode) == 1 and "lower" in gaussian_mode[0]  # the forced kernel ran
    assert len(path.lambdas) >= 10
    check_optimal(X, y, path, "gaussian", kwargs, fixed_tol=1e-8)


@pytest.mark.parametrize(
    "binomial_blocked", [False, True], indirect=True, ids=["cd", "blocked"]
)
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_binomial_optimal_with_limits(binomial_blocked, name):
    X, y, kwargs = scenario(name, "binomial")
    # a given grid: the binomial early stop can end a path whose first points are all
    # the null model (see test_binomial_lower_zero_path_is_not_cut_to_null_models)
    lam_max = fit_path(X, y, family="binomial", nlambda=2, **kwargs).lambdas[0]
    lams = lam_max * np.geomspace(1.0, 0.01 if X.shape[0] < X.shape[1] else 1e-3, 40)
    path = fit_path(X, y, family="binomial", lambdas=lams, tol=TIGHT, **kwargs)
    check_optimal(X, y, path, "binomial", kwargs, fixed_tol=BINOMIAL_FIXED_TOL)


def test_binomial_optimal_with_limits_and_offset():
    X, y, kwargs = scenario("enet_mixed_weights_pf", "binomial")
    kwargs["offset"] = np.random.default_rng(7).normal(0.3, 1.0, X.shape[0])
    path = fit_path(X, y, family="binomial", nlambda=40, tol=TIGHT, **kwargs)
    check_optimal(X, y, path, "binomial", kwargs, fixed_tol=BINOMIAL_FIXED_TOL)


def test_optimality_check_sees_wrong_limits():
    """The fixed-point check fails for a path fitted with other limits than those it
    is checked against (here: upper limits scaled by 1.5)."""
    X, y, kwargs = scenario("enet_mixed_weights_pf", "gaussian")
    path = fit_path(X, y, nlambda=40, tol=TIGHT, **kwargs)
    wrong = dict(kwargs, upper_limits=kwargs["upper_limits"] * 1.5)
    with pytest.raises(AssertionError, match="clipped coordinate update"):
        check_optimal(X, y, path, "gaussian", wrong, fixed_tol=1e-8)


# ---- scikit-learn: the positive lasso and elastic net ---------------------------------


def centred_problem(seed, p=12):
    X, y = simulate(90, p, 0.5, seed)
    return X - X.mean(axis=0), y


@pytest.mark.parametrize("shape", [(90, 12), (30, 60)])
def test_nonnegative_lasso_matches_sklearn_positive(shape):
    # standardize=False: sklearn's alpha is lam (the lasso objective is glmnet's as is)
    X, y = simulate(*shape, 0.5, seed=11)
    X = X - X.mean(axis=0)
    path = fit_path(X, y, lower_limits=0, standardize=False, nlambda=30, tol=TIGHT)
    negative_somewhere = False
    for k, lam in enumerate(path.lambdas):
        ref = Lasso(alpha=lam, positive=True, tol=1e-14, max_iter=1_000_000).fit(X, y)
        free = Lasso(alpha=lam, tol=1e-12, max_iter=1_000_000).fit(X, y)
        negative_somewhere |= bool(np.any(free.coef_ < -1e-6))
        np.testing.assert_allclose(path.coefs[k], ref.coef_, atol=1e-8)
        np.testing.assert_allclose(path.intercepts[k], ref.intercept_, atol=1e-8)
        ours = objective(X, y, path, k, family="gaussian")
        theirs = objective(X, y, path, k, family="gaussian", b0=ref.intercept_, b=ref.coef_)
        assert ours <= theirs * (1 + 1e-12)
    assert negative_somewhere  # the limit binds
    assert np.all(path.coefs >= 0.0)


def test_nonnegative_elastic_net_matches_sklearn_positive():
    # y at unit sd: glmnet's ridge term (divided by sd(y)) is sklearn's
    X, y = centred_problem(12)
    y = (y - y.mean()) / y.std()
    path = fit_path(
        X, y, l1_ratio=0.5, lower_limits=0.0, standardize=False, nlambda=30, tol=TIGHT
    )
    for k, lam in enumerate(path.lambdas):
        ref = ElasticNet(
            alpha=lam, l1_ratio=0.5, positive=True, tol=1e-14, max_iter=1_000_000
        ).fit(X, y)
        np.testing.assert_allclose(path.coefs[k], ref.coef_, atol=1e-8)
        np.testing.assert_allclose(path.intercepts[k], ref.intercept_, atol=1e-8)
    assert np.any(
        ElasticNet(alpha=path.lambdas[-1], l1_ratio=0.5).fit(X, y).coef_ < -1e-3
    )  # the limit binds


def test_nonpositive_lasso_is_the_mirrored_positive_lasso():
    # upper_limits=0 on X is lower_limits=0 on -X
    X, y = centred_problem(13)
    up = fit_path(X, y, upper_limits=0, standardize=False, nlambda=30, tol=TIGHT)
    for k, lam in enumerate(up.lambdas):
        ref = Lasso(alpha=lam, positive=True, tol=1e-14, max_iter=1_000_000).fit(-X, y)
        np.testing.assert_allclose(up.coefs[k], -ref.coef_, atol=1e-8)


# ---- SciPy's bound-constrained minimizer: general boxes -------------------------------


def box_reference(X, y, family, lam, a, pf, lo, hi, ys=1.0):
    """Minimize the objective with L-BFGS-B on b = u - v, 0 <= u <= hi, 0 <= v <= -lo
    (|b| = u + v at the optimum), intercept free; X already on the penalized scale."""
    n, p = X.shape
    wn = np.full(n, 1.0 / n)

    def f(z):
        b0, u, v = z[0], z[1 : p + 1], z[p + 1 :]
        b = u - v
        eta = b0 + X @ b
        if family == "gaussian":
            r = eta - y
            loss, dl = 0.5 * wn @ r**2, wn * r
        else:
            loss, dl = wn @ (np.logaddexp(0.0, eta) - y * eta), wn * (expit(eta) - y)
        gb = X.T @ dl + lam * (1 - a) * pf * b / ys
        val = loss + lam * pf @ (a * (u + v) + 0.5 * (1 - a) * b**2 / ys)
        grad = np.concatenate([[dl.sum()], gb + lam * a * pf, -gb + lam * a * pf])
        return val, grad

    bounds = [(None, None)] + [(0, h if np.isfinite(h) else None) for h in hi]
    bounds += [(0, -lo_j if np.isfinite(lo_j) else None) for lo_j in lo]
    res = minimize(
        f,
        np.zeros(2 * p + 1),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options=dict(ftol=1e-16, gtol=1e-13, maxiter=100_000, maxcor=30),
    )
    return res.x[0], res.x[1 : p + 1] - res.x[p + 1 :]


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_box_limits_match_lbfgsb(family, l1_ratio):
    X, y = simulate(120, 10, 0.5, seed=21, family=family, scale=2.0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    if family == "gaussian":
        y = (y - y.mean()) / y.std()  # ys = 1: lam is on the same scale everywhere
    lo, hi = mixed_limits(10, seed=21)
    lo[4] = 0.0
    full = fit_path(X, y, family=family, l1_ratio=l1_ratio, nlambda=2, standardize=False)
    lams = full.lambdas[0] * np.array([0.3, 0.1, 0.03, 0.01])
    path = fit_path(
        X, y, family=family, l1_ratio=l1_ratio, lambdas=lams, standardize=False,
        lower_limits=lo, upper_limits=hi, tol=TIGHT,
    )  # fmt: skip
    held = 0
    for k, lam in enumerate(lams):
        b0, b = box_reference(X, y, family, lam, l1_ratio, np.ones(10), lo, hi)
        ours = objective(X, y, path, k, family=family)
        theirs = objective(X, y, path, k, family=family, b0=b0, b=b)
        assert ours <= theirs + 1e-13 * abs(theirs)
        assert theirs - ours <= 1e-9 * abs(theirs)
        np.testing.assert_allclose(path.coefs[k], b, atol=1e-6)
        held += int(np.sum((path.coefs[k] == lo) | (path.coefs[k] == hi)))
    assert held >= 3


# ---- the default tol -------------------------------------------------------------------


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("rho", [0.5, 0.9])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_default_tol_objective_within_1e6(family, rho, l1_ratio):
    X, y = simulate(150, 30, rho, seed=31, family=family, scale=2.0)
    lo, hi = mixed_limits(30, seed=31)
    lo[::5] = 0.0  # a non-negative lasso on some columns
    kwargs = dict(family=family, l1_ratio=l1_ratio, lower_limits=lo, upper_limits=hi)
    lam_max = fit_path(X, y, nlambda=2, **kwargs).lambdas[0]
    lams = lam_max * np.geomspace(1.0, 1e-3, 40)
    path = fit_path(X, y, lambdas=lams, **kwargs)
    tight = fit_path(X, y, lambdas=lams, tol=1e-14, **kwargs)
    assert np.all(path.coefs >= lo * (1 + 1e-14)) and np.all(path.coefs <= hi * (1 + 1e-14))
    for k in range(len(lams)):
        ours = objective(X, y, path, k, family=family)
        best = objective(X, y, tight, k, family=family)
        assert (ours - best) / best <= 1e-6, f"lambda[{k}]"
    fixed, *_, held = fixed_point_report(X, y, tight, family=family, lower=lo, upper=hi)
    assert held >= 20 and fixed <= 1e-7


# ---- limits that cannot bind -----------------------------------------------------------

# Two different fits of one problem agree to about their tolerance (the kernels take
# other steps with limits: clipped updates, and polish, conjugate-gradient and secant
# steps that respect the limits). At 1e-16
# binomial coefficients still differ by ~3e-9 (relative); at 1e-20 by ~3e-11.
VERY_TIGHT = 1e-20


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_limits_that_never_bind_give_the_unconstrained_path(family, l1_ratio):
    X, y = simulate(100, 20, 0.5, seed=41, family=family)
    w = np.random.default_rng(41).uniform(0.2, 3.0, 100)
    common = dict(family=family, l1_ratio=l1_ratio, weights=w, nlambda=40, tol=VERY_TIGHT)
    free = fit_path(X, y, **common)
    wide = fit_path(X, y, lower_limits=-1e6, upper_limits=np.full(20, 1e6), **common)
    infinite = fit_path(X, y, lower_limits=-np.inf, upper_limits=np.inf, **common)
    assert free.lower_limits is None and free.upper_limits is None
    assert infinite.lower_limits is None and infinite.upper_limits is None
    np.testing.assert_array_equal(wide.lower_limits, np.full(20, -1e6))
    np.testing.assert_array_equal(wide.upper_limits, np.full(20, 1e6))
    # the same grid; with limits the early stop keeps only its deviance-ratio rule,
    # so the path goes on at least as far
    k = len(free.lambdas)
    assert len(wide.lambdas) >= k
    np.testing.assert_array_equal(wide.lambdas[:k], free.lambdas)
    size = np.abs(free.coefs).max()
    np.testing.assert_allclose(wide.coefs[:k], free.coefs, rtol=0, atol=1e-9 * size)
    np.testing.assert_allclose(
        wide.intercepts[:k], free.intercepts, rtol=0, atol=1e-9 * size
    )
    np.testing.assert_allclose(wide.dev_ratio[:k], free.dev_ratio, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(wide.df[:k], free.df)
    np.testing.assert_array_equal(infinite.coefs, free.coefs)


# ---- a column held at 0 ----------------------------------------------------------------


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_columns_with_both_limits_zero_are_left_out(family, l1_ratio):
    X, y = simulate(100, 12, 0.5, seed=51, family=family)
    held_out = [0, 1]  # the strongest columns, of either sign
    w = np.random.default_rng(51).uniform(0.2, 3.0, 100)
    lo, hi = np.full(12, -np.inf), np.full(12, np.inf)
    lo[held_out] = hi[held_out] = 0.0
    common = dict(family=family, l1_ratio=l1_ratio, weights=w, tol=VERY_TIGHT)
    free = fit_path(X, y, nlambda=30, **common)
    lams = free.lambdas
    # the limits change something: both columns enter the free path, one each way
    assert free.coefs[:, 0].min() < 0 < free.coefs[:, 1].max()
    held = fit_path(X, y, lambdas=lams, lower_limits=lo, upper_limits=hi, **common)
    without = fit_path(np.delete(X, held_out, axis=1), y, lambdas=lams, **common)
    assert np.all(held.coefs[:, held_out] == 0.0)
    rest = np.delete(held.coefs, held_out, axis=1)
    size = np.abs(without.coefs).max()
    np.testing.assert_allclose(rest, without.coefs, rtol=0, atol=1e-9 * size)
    np.testing.assert_allclose(
        held.intercepts, without.intercepts, rtol=0, atol=1e-9 * size
    )
    np.testing.assert_allclose(held.dev_ratio, without.dev_ratio, rtol=1e-9, atol=1e-12)


# ---- inputs --------------------------------------------------------------------------


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_inputs_not_modified(family):
    X, y = simulate(60, 8, 0.3, seed=61, family=family)
    X = np.asfortranarray(X)
    rng = np.random.default_rng(61)
    w = rng.uniform(0.2, 3.0, 60)
    pf = np.array([1.0, 2.0, 0.5, 1.0, 1.0, 1.0, 0.0, 1.0])
    lo = np.array([0.0, -0.1, -np.inf, -0.2, 0.0, -np.inf, -np.inf, -0.3])
    hi = np.array([np.inf, 0.1, 0.2, np.inf, 0.0, 0.3, np.inf, np.inf])
    extra = {"offset": rng.normal(size=60)} if family == "binomial" else {}
    inputs = dict(X=X, y=y, weights=w, penalty_factor=pf, lower_limits=lo, upper_limits=hi)
    inputs.update(extra)
    before = {key: value.copy() for key, value in inputs.items()}
    path = fit_path(family=family, nlambda=20, **inputs)
    for key, value in inputs.items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)
    assert X.flags.f_contiguous
    # the path keeps its own copies of the limits
    assert not np.shares_memory(path.lower_limits, lo)
    assert not np.shares_memory(path.upper_limits, hi)
    np.testing.assert_array_equal(path.lower_limits, lo)
    np.testing.assert_array_equal(path.upper_limits, hi)


def test_limits_accept_lists_and_one_side():
    X, y = simulate(60, 4, 0.3, seed=62)
    as_list = fit_path(X, y, lower_limits=[0, 0, -np.inf, 0], nlambda=10)
    as_array = fit_path(X, y, lower_limits=np.array([0.0, 0.0, -np.inf, 0.0]), nlambda=10)
    np.testing.assert_array_equal(as_list.coefs, as_array.coefs)
    np.testing.assert_array_equal(as_list.upper_limits, np.full(4, np.inf))


# ---- errors --------------------------------------------------------------------------


BAD_LIMITS = {
    "lower_positive": (dict(lower_limits=0.1), "lower_limits"),
    "lower_positive_one_column": (dict(lower_limits=[0, -1, 0.5, -1]), "lower_limits"),
    "upper_negative": (dict(upper_limits=-0.1), "upper_limits"),
    "upper_negative_one_column": (dict(upper_limits=[1, 1, 1, -1e-9]), "upper_limits"),
    "lower_nan": (dict(lower_limits=[0, np.nan, 0, 0]), "lower_limits"),
    "upper_nan": (dict(upper_limits=np.nan), "upper_limits"),
    "lower_wrong_length": (dict(lower_limits=[0, 0, 0]), "lower_limits"),
    "upper_wrong_length": (dict(upper_limits=np.ones(5)), "upper_limits"),
    "lower_2d": (dict(lower_limits=np.zeros((4, 1))), "lower_limits"),
    "upper_2d": (dict(upper_limits=np.ones((1, 4))), "upper_limits"),
    "lower_text": (dict(lower_limits="none"), "lower_limits"),
    "upper_object": (dict(upper_limits=object()), "upper_limits"),
    "upper_text_list": (dict(upper_limits=["a", 1, 1, 1]), "upper_limits"),
    "lower_on_unpenalized": (
        dict(lower_limits=[-1, -1, -1, 0], penalty_factor=[1, 1, 1, 0]),
        "lower_limits",
    ),
    "upper_on_unpenalized": (
        dict(upper_limits=[np.inf, 2.0, np.inf, np.inf], penalty_factor=[1, 0, 1, 1]),
        "upper_limits",
    ),
}


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("case", list(BAD_LIMITS))
def test_bad_limits_are_argument_errors_naming_the_argument(case, family):
    X, y = simulate(40, 4, 0.3, seed=71, family=family)
    kwargs, name = BAD_LIMITS[case]
    with pytest.raises(ArgumentError) as info:
        fit_path(X, y, family=family, **kwargs)
    assert isinstance(info.value, PenstatError) and isinstance(info.value, ValueError)
    assert name in str(info.value)


def test_free_limits_on_unpenalized_column_are_accepted():
    X, y = simulate(40, 4, 0.3, seed=72)
    path = fit_path(
        X, y, penalty_factor=[0, 1, 1, 1], lower_limits=[-np.inf, 0, 0, 0],
        upper_limits=[np.inf, 1, 1, 1], nlambda=10,
    )  # fmt: skip
    assert np.all(path.coefs[:, 0] != 0.0) and np.all(path.coefs[:, 1:] >= 0.0)


# ---- the path along glmnet's grid ------------------------------------------------------


@functools.cache
def nonnegative_binomial_problem():
    """A binomial problem whose strongest column has a negative effect: with
    lower_limits=0 the first lambdas of the default grid give the null model."""
    X, y = simulate(200, 10, 0.3, seed=81, family="binomial", scale=1.5)
    return X, y


def test_binomial_lower_zero_path_is_not_cut_to_null_models():
    """The default grid starts at lambda_max computed without the limits, so with
    lower_limits=0 its first points can all be the null model (here the strongest
    column has a negative effect). The early stop must not end the path there: glmnet
    sets fdev = 0 whenever a limit is 0 (glmnet.R: ``if (any(cl == 0))``), leaving
    only the stops at a decreasing deviance ratio or one above 0.999."""
    X, y = nonnegative_binomial_problem()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = fit_path(X, y, family="binomial", lower_limits=0)
    assert path.df[0] == 0 and path.df[4] == 0  # the premise: null at the start
    assert path.df.max() > 0, f"{len(path.lambdas)} lambdas, all the null model"
    assert np.all(path.coefs >= 0.0)


# ---- lambda = 0: the separation check sees the limits ----------------------------------
# At lambda = 0 a binomial path is the maximum likelihood estimate over the box. When
# the limits close every separating direction it exists and is finite (glmnet gives
# the same), so no SeparationWarning; when they leave one open, the warning stays.


def _separation_warnings(X, y, **limits):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = fit_path(X, y, family="binomial", lambdas=[0.1, 0.0], **limits)
    return path, [w for w in caught if issubclass(w.category, SeparationWarning)]


def test_no_separation_warning_when_lower_limit_blocks_the_separating_direction():
    # y = 1 exactly where x < 0: only a negative coefficient separates, and
    # lower_limits=0 forbids it. The constrained MLE is the intercept-only model
    # (coefficient 0, finite intercept: glmnet's lower.limits = 0 gives the same).
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 1))
    y = (X[:, 0] < 0).astype(float)
    path, caught = _separation_warnings(X, y, lower_limits=0)
    assert path.coefs[-1, 0] == 0.0
    ybar = y.mean()
    assert abs(path.intercepts[-1] - np.log(ybar / (1 - ybar))) < 1e-6
    assert not caught, str(caught[0].message)


def test_no_separation_warning_when_every_column_is_boxed():
    # a finite box on every column: the constrained MLE always exists
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    y = (X[:, 0] > 0).astype(float)
    path, caught = _separation_warnings(X, y, lower_limits=-1, upper_limits=1)
    assert path.coefs[-1, 0] == 1.0  # held at its limit, a finite optimum
    assert not caught, str(caught[0].message)


def test_separation_warning_kept_when_limits_allow_the_separating_direction():
    # the separating direction is allowed by lower_limits=0: the warning stays
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 1))
    y = (X[:, 0] > 0).astype(float)
    _, caught = _separation_warnings(X, y, lower_limits=0)
    assert caught
