"""The group lasso / group elastic-net path (``fit_path(..., groups=...)``, kernel
``penstat/solver/_cd/_group.pyx``): optimality (KKT at group level), the closed
form on orthonormal groups, groups of one against the lasso path, and the binomial
objective against a general-purpose convex solver (scipy). The comparison with
adelie is in test_group_adelie.py."""

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import expit

from penstat import ArgumentError, fit_path

KKT_TOL = 1e-7


def problem(seed=0, n=120, sizes=(3, 1, 4, 2, 5, 1), family="gaussian", rho=0.4):
    rng = np.random.default_rng(seed)
    p = sum(sizes)
    common = rng.normal(size=(n, 1))
    X = rng.normal(size=(n, p)) + rho * common + rng.normal(size=p)
    groups = np.repeat(np.arange(len(sizes)), sizes)
    beta = np.zeros(p)
    beta[groups == 0] = rng.normal(size=sizes[0])
    beta[groups == 2] = 0.5 * rng.normal(size=sizes[2])
    eta = X @ beta
    if family == "gaussian":
        y = eta + rng.normal(size=n)
    else:
        y = rng.binomial(1, expit(eta - eta.mean())).astype(float)
    return X, y, groups


def kernel_scale(X, y, path, weights=None):
    """The standardized problem the kernel solves: (Xs, coefficients per lambda on
    that scale, lambdas on that scale, the negative gradient of the loss per lambda)."""
    n = X.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    v = w / w.sum()
    xm = v @ X
    xs = np.sqrt(v @ (X - xm) ** 2)
    Xs = (X - xm) / xs
    b = path.coefs * xs
    lams = path.lambdas.copy()
    if path.family == "gaussian":
        ym = v @ y
        ys = np.sqrt(v @ (y - ym) ** 2)
        b, lams = b / ys, lams / ys
        resid = ((y - ym) / ys)[:, None] - Xs @ b.T
        resid -= v @ resid  # the intercept of the kernel's problem
    else:
        eta = path.intercepts + X @ path.coefs.T
        resid = y[:, None] - expit(eta)
    grad = (Xs.T @ (v[:, None] * resid)).T
    return b, lams, grad


def group_weights(groups, pf=None):
    p = groups.size
    pf = np.ones(p) if pf is None else np.asarray(pf, float) * p / np.sum(pf)
    sizes = np.bincount(groups)
    first = np.array([np.flatnonzero(groups == g)[0] for g in range(sizes.size)])
    return np.sqrt(sizes) * pf[first]


def kkt_violation(b, lams, grad, groups, wg, l1_ratio):
    """Largest violation of the group KKT conditions over the path:
    ||grad_g|| <= lam a w_g for a zero group, and
    grad_g = lam w_g (a b_g / ||b_g|| + (1 - a) b_g) for a nonzero one."""
    worst = 0.0
    for k, lam in enumerate(lams):
        for g in range(wg.size):
            cols = groups == g
            bg, gg = b[k, cols], grad[k, cols]
            norm = np.linalg.norm(bg)
            if norm == 0:
                excess = np.linalg.norm(gg) - lam * l1_ratio * wg[g]
                worst = max(worst, excess)
            else:
                target = lam * wg[g] * (l1_ratio * bg / norm + (1 - l1_ratio) * bg)
                worst = max(worst, np.abs(gg - target).max())
    return worst


@pytest.mark.parametrize(
    "family, l1_ratio", [("gaussian", 1.0), ("binomial", 1.0), ("binomial", 0.5)]
)
def test_kkt_at_group_level(family, l1_ratio):
    X, y, groups = problem(family=family)
    path = fit_path(X, y, family=family, l1_ratio=l1_ratio, groups=groups, nlambda=40)
    b, lams, grad = kernel_scale(X, y, path)
    wg = group_weights(groups)
    assert kkt_violation(b, lams, grad, groups, wg, l1_ratio) < KKT_TOL
    # groups are zero or nonzero as a whole
    for k in range(lams.size):
        for g in range(wg.size):
            nz = b[k, groups == g] != 0
            assert nz.all() or not nz.any()
    assert path.df[0] == 0 and path.df[-1] > 0


def test_kkt_gaussian_group_elastic_net_on_the_scaled_response():
    """glmnet's convention (penstat's objective): the gaussian problem is solved for
    y / sd(y) with lam / sd(y), so the ridge part is on that scale."""
    X, y, groups = problem(seed=3)
    path = fit_path(X, y, l1_ratio=0.3, groups=groups, nlambda=30)
    b, lams, grad = kernel_scale(X, y, path)
    assert kkt_violation(b, lams, grad, groups, group_weights(groups), 0.3) < KKT_TOL


def test_kkt_with_weights_penalty_factor_and_unpenalized_group():
    X, y, groups = problem(seed=4, family="binomial")
    w = np.random.default_rng(9).uniform(0.2, 3.0, size=y.size)
    pf = np.where(groups == 1, 0.0, np.where(groups == 3, 2.0, 1.0))
    path = fit_path(
        X, y, family="binomial", groups=groups, penalty_factor=pf, weights=w, nlambda=30
    )
    b, lams, grad = kernel_scale(X, y, path, weights=w)
    assert kkt_violation(b, lams, grad, groups, group_weights(groups, pf), 1.0) < KKT_TOL
    assert np.all(path.coefs[:, groups == 1] != 0)  # unpenalized: always in


def test_lambda_max_is_the_first_lambda_with_every_group_at_zero():
    X, y, groups = problem(seed=5)
    path = fit_path(X, y, groups=groups, nlambda=20)
    assert path.df[0] == 0 and path.df[1] > 0
    b, lams, grad = kernel_scale(X, y, path)
    wg = group_weights(groups)
    norms = [np.linalg.norm(grad[0, groups == g]) / wg[g] for g in range(wg.size)]
    np.testing.assert_allclose(max(norms), lams[0], rtol=1e-10)


def orthonormal_problem(seed=0, n=60, sizes=(3, 2, 4, 1)):
    """X with centred columns and X'X / n = I: on it the group lasso is groupwise
    soft-thresholding of z_g = X_g'y / n (Yuan & Lin 2006, section 2.1)."""
    rng = np.random.default_rng(seed)
    p = sum(sizes)
    A = rng.normal(size=(n, p))
    A -= A.mean(axis=0)
    Q, _ = np.linalg.qr(A)
    X = Q * np.sqrt(n)
    groups = np.repeat(np.arange(len(sizes)), sizes)
    y = X @ np.r_[1.0, -2.0, 0.5, 0.3, 0.0, 0.2, 0.1, -0.1, 0.05, 1.5] + rng.normal(size=n)
    return X, y, groups


@pytest.mark.parametrize("standardize", [True, False])
def test_orthonormal_groups_are_groupwise_soft_thresholding(standardize):
    X, y, groups = orthonormal_problem()
    n = y.size
    path = fit_path(X, y, groups=groups, nlambda=25, standardize=standardize)
    z = X.T @ (y - y.mean()) / n
    wg = group_weights(groups)
    expected = np.zeros_like(path.coefs)
    for k, lam in enumerate(path.lambdas):
        for g in range(wg.size):
            cols = groups == g
            norm = np.linalg.norm(z[cols])
            expected[k, cols] = max(0.0, 1.0 - lam * wg[g] / norm) * z[cols]
    np.testing.assert_allclose(path.coefs, expected, rtol=0, atol=1e-10)
    np.testing.assert_allclose(path.intercepts, y.mean(), atol=1e-10)


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.4])
def test_groups_of_one_are_the_lasso_path(family, l1_ratio):
    X, y, _ = problem(seed=6, family=family)
    p = X.shape[1]
    w = np.random.default_rng(1).uniform(0.5, 2.0, size=y.size)
    lasso = fit_path(X, y, family=family, l1_ratio=l1_ratio, weights=w, tol=1e-12)
    group = fit_path(
        X,
        y,
        family=family,
        l1_ratio=l1_ratio,
        weights=w,
        groups=np.arange(p),
        lambdas=lasso.lambdas,
        tol=1e-12,
    )
    # the same solutions to solver precision: the smallest lambdas (1e-4 lambda_max)
    # leave directions so flat that two exact solvers differ there by ~1e-7 in the
    # coefficients while their objectives agree to 1e-14
    np.testing.assert_allclose(group.coefs, lasso.coefs, rtol=0, atol=1e-6)
    np.testing.assert_allclose(group.intercepts, lasso.intercepts, rtol=0, atol=1e-6)
    np.testing.assert_allclose(group.deviance, lasso.deviance, rtol=1e-7)
    wg = np.ones(p)
    b_l, lams, grad_l = kernel_scale(X, y, lasso, weights=w)
    b_g, _, grad_g = kernel_scale(X, y, group, weights=w)
    assert kkt_violation(b_g, lams, grad_g, np.arange(p), wg, l1_ratio) < KKT_TOL


def test_default_grid_of_groups_of_one_is_glmnets():
    X, y, _ = problem(seed=7)
    lasso = fit_path(X, y, nlambda=30)
    group = fit_path(X, y, nlambda=30, groups=np.arange(X.shape[1]))
    np.testing.assert_allclose(group.lambdas, lasso.lambdas, rtol=1e-12)


def binomial_objective(b0, b, X, y, v, lam, groups, wg, l1_ratio):
    eta = b0 + X @ b
    loss = v @ (np.logaddexp(0.0, eta) - y * eta)
    pen = 0.0
    for g in range(wg.size):
        bg = b[groups == g]
        pen += wg[g] * (l1_ratio * np.linalg.norm(bg) + 0.5 * (1 - l1_ratio) * bg @ bg)
    return loss + lam * pen


@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_binomial_objective_matches_a_general_convex_solver(l1_ratio):
    """The epigraph form (min loss + lam sum w_g (a t_g + ...) with ||b_g|| <= t_g),
    solved by scipy's SLSQP from penstat's solution moved away, on unpenalized
    standardize=False data; penstat's objective is no larger and the two agree."""
    X, y, groups = problem(seed=8, n=80, sizes=(2, 3, 1, 2), family="binomial")
    v = np.full(y.size, 1.0 / y.size)
    wg = group_weights(groups)
    path = fit_path(
        X,
        y,
        family="binomial",
        groups=groups,
        l1_ratio=l1_ratio,
        standardize=False,
        nlambda=12,
        tol=1e-12,
    )
    ng, p = wg.size, X.shape[1]
    for k in (2, 5, path.lambdas.size - 1):
        lam = path.lambdas[k]

        def f(u, lam=lam):
            b0, b, t = u[0], u[1 : p + 1], u[p + 1 :]
            eta = b0 + X @ b
            loss = v @ (np.logaddexp(0.0, eta) - y * eta)
            return loss + lam * (
                wg @ (l1_ratio * t)
                + 0.5
                * (1 - l1_ratio)
                * wg
                @ (np.bincount(groups, weights=b * b, minlength=ng))
            )

        cons = [
            {
                "type": "ineq",
                "fun": lambda u, g=g: (
                    u[p + 1 + g] ** 2 - np.sum(u[1 : p + 1][groups == g] ** 2)
                ),
            }
            for g in range(ng)
        ]
        start = np.r_[0.0, np.full(p, 0.1), np.full(ng, 1.0)]
        res = minimize(
            f,
            start,
            constraints=cons,
            method="SLSQP",
            bounds=[(None, None)] * (p + 1) + [(0, None)] * ng,
            options={"ftol": 1e-14, "maxiter": 2000},
        )
        ref = binomial_objective(
            res.x[0], res.x[1 : p + 1], X, y, v, lam, groups, wg, l1_ratio
        )
        ours = binomial_objective(
            path.intercepts[k], path.coefs[k], X, y, v, lam, groups, wg, l1_ratio
        )
        assert ours <= ref + 1e-12
        assert ref - ours < 1e-6 * abs(ours)
        np.testing.assert_allclose(path.coefs[k], res.x[1 : p + 1], atol=1e-3)


def test_limits_are_refused_with_groups():
    X, y, groups = problem()
    with pytest.raises(ArgumentError, match="not available with groups"):
        fit_path(X, y, groups=groups, lower_limits=0)


def test_penalty_factor_must_be_equal_inside_a_group():
    X, y, groups = problem()
    pf = np.ones(X.shape[1])
    pf[1] = 2.0  # the second column of group 0
    with pytest.raises(ArgumentError, match=r"penalty_factor differs inside group 0"):
        fit_path(X, y, groups=groups, penalty_factor=pf)


def test_groups_need_one_label_per_column():
    X, y, groups = problem()
    with pytest.raises(ArgumentError, match="one group label per column"):
        fit_path(X, y, groups=groups[:-1])


def test_groups_in_any_column_order():
    """Groups need not be contiguous: columns are reordered for the kernel and back."""
    X, y, groups = problem(seed=2)
    perm = np.random.default_rng(0).permutation(X.shape[1])
    a = fit_path(X, y, groups=groups, nlambda=15, tol=1e-12)
    b = fit_path(X[:, perm], y, groups=groups[perm], lambdas=a.lambdas, tol=1e-12)
    np.testing.assert_allclose(b.coefs, a.coefs[:, perm], rtol=0, atol=1e-9)


def test_binomial_offset_kkt():
    X, y, groups = problem(seed=11, family="binomial")
    off = np.random.default_rng(2).normal(scale=0.5, size=y.size)
    path = fit_path(X, y, family="binomial", groups=groups, offset=off, nlambda=25)
    n = y.size
    v = np.full(n, 1.0 / n)
    xm = v @ X
    xs = np.sqrt(v @ (X - xm) ** 2)
    Xs = (X - xm) / xs
    eta = off[:, None] + path.intercepts + X @ path.coefs.T
    grad = (Xs.T @ (v[:, None] * (y[:, None] - expit(eta)))).T
    wg = group_weights(groups)
    assert kkt_violation(path.coefs * xs, path.lambdas, grad, groups, wg, 1.0) < KKT_TOL
    # the intercept is optimal too: the weighted residuals sum to 0
    np.testing.assert_allclose(v @ (y[:, None] - expit(eta)), 0.0, atol=1e-9)


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_groups_of_one_without_intercept_are_the_lasso_path(family):
    X, y, _ = problem(seed=12, family=family)
    lasso = fit_path(X, y, family=family, fit_intercept=False, tol=1e-12, nlambda=30)
    group = fit_path(
        X,
        y,
        family=family,
        fit_intercept=False,
        groups=np.arange(X.shape[1]),
        lambdas=lasso.lambdas,
        tol=1e-12,
    )
    np.testing.assert_allclose(group.coefs, lasso.coefs, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(group.intercepts, 0.0)
    np.testing.assert_allclose(group.deviance, lasso.deviance, rtol=1e-7)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_gaussian_covariance_mode_is_the_residual_mode(monkeypatch, l1_ratio):
    """The gaussian kernel's covariance mode (Gram columns, chosen when n >> p) and
    its residual mode give the same path, with weights and an unpenalized group."""
    import penstat.solver.fit as fit_module

    X, y, groups = problem(seed=13, n=200)
    w = np.random.default_rng(3).uniform(0.3, 2.0, size=y.size)
    pf = np.where(groups == 3, 0.0, 1.0)
    paths = {}
    for cov in (True, False):
        monkeypatch.setattr(fit_module, "_group_cov_mode", lambda n, p, c=cov: c)
        paths[cov] = fit_path(
            X,
            y,
            groups=groups,
            weights=w,
            penalty_factor=pf,
            l1_ratio=l1_ratio,
            nlambda=40,
            tol=1e-10,
        )
    a, b = paths[True], paths[False]
    np.testing.assert_array_equal(a.lambdas, b.lambdas)
    np.testing.assert_allclose(a.coefs, b.coefs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(a.intercepts, b.intercepts, rtol=0, atol=1e-9)
    np.testing.assert_allclose(a.deviance, b.deviance, rtol=1e-9)
    bs, lams, grad = kernel_scale(X, y, a, weights=w)
    wg = group_weights(groups, pf)
    assert kkt_violation(bs, lams, grad, groups, wg, l1_ratio) < KKT_TOL


@pytest.mark.parametrize(
    "n, sizes, l1_ratio, l1_within",
    [
        # the strong set stays small: covariance mode for the whole path
        (150, (3, 1, 4, 2, 5, 1), 1.0, 0.0),
        (150, (3, 1, 4, 2, 5, 1), 0.5, 0.0),
        (150, (3, 1, 4, 2, 5, 1), 1.0, 0.3),
        # more columns than half the rows: the kernel leaves covariance mode
        (60, (3,) * 12, 1.0, 0.0),
    ],
)
def test_binomial_covariance_mode_is_the_residual_mode(
    monkeypatch, n, sizes, l1_ratio, l1_within
):
    """The binomial kernel's covariance mode over the strong set (Gram of the
    working columns, refreshed with the IRLS weights) and its residual mode give the
    same path, with weights (one of them 0), an offset and an unpenalized group;
    the path satisfies the group KKT conditions."""
    import penstat.solver.fit as fit_module

    X, y, groups = problem(seed=21, n=n, sizes=sizes, family="binomial")
    rng = np.random.default_rng(5)
    w = rng.uniform(0.3, 2.0, size=n)
    w[3] = 0.0
    offset = 0.3 * rng.normal(size=n)
    pf = np.where(groups == 1, 0.0, 1.0)
    paths = {}
    for cov in (True, False):
        monkeypatch.setattr(fit_module, "_group_binomial_cov_mode", lambda n, p, c=cov: c)
        paths[cov] = fit_path(
            X,
            y,
            family="binomial",
            groups=groups,
            weights=w,
            offset=offset,
            penalty_factor=pf,
            l1_ratio=l1_ratio,
            l1_within=l1_within,
            nlambda=40,
            lambda_min_ratio=0.05,
            tol=1e-16,
        )
    a, b = paths[True], paths[False]
    np.testing.assert_array_equal(a.lambdas, b.lambdas)
    np.testing.assert_allclose(a.coefs, b.coefs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(a.intercepts, b.intercepts, rtol=0, atol=1e-10)
    np.testing.assert_allclose(a.deviance, b.deviance, rtol=1e-10)
    assert np.all(a.coefs[:, groups == 1] != 0)  # unpenalized: always in
    if l1_within == 0.0:
        v = w / w.sum()
        xm = v @ X
        xs = np.sqrt(v @ (X - xm) ** 2)
        bs = a.coefs * xs
        eta = a.intercepts + X @ a.coefs.T + offset[:, None]
        grad = (((X - xm) / xs).T @ (v[:, None] * (y[:, None] - expit(eta)))).T
        wg = group_weights(groups, pf)
        assert kkt_violation(bs, a.lambdas, grad, groups, wg, l1_ratio) < KKT_TOL
