"""The sparse-group lasso path (``fit_path(..., groups=..., l1_within=a)``, kernel
``penstat/solver/_cd/_group.pyx``): its subgradient (KKT) conditions at both levels,
``a = 0`` is the group lasso path and ``a = 1`` the lasso path, and the objective
against an independent accelerated proximal-gradient solve run to 1e-14 (no R
package SGL can be built here: CRAN is out of reach and Debian does not ship it)."""

import numpy as np
import pytest
from scipy.special import expit
from test_group_path import group_weights, kernel_scale, problem

from penstat import ArgumentError, fit_path

KKT_TOL = 1e-7


def sgl_kkt_violation(b, lams, grad, groups, wg, fg, a):
    """Largest violation of the sparse-group lasso's subgradient conditions (Simon
    et al. 2013, section 2): a zero group has ||S(grad_g, lam a f_g)|| <= lam (1-a)
    w_g; in a nonzero group a zero coefficient has |grad_j| <= lam a f_g and a
    nonzero one grad_j = lam (1-a) w_g b_j / ||b_g|| + lam a f_g sign(b_j)."""
    worst = 0.0
    for k, lam in enumerate(lams):
        for g in range(wg.size):
            cols = groups == g
            bg, gg = b[k, cols], grad[k, cols]
            norm = np.linalg.norm(bg)
            c1 = lam * a * fg[g]
            if norm == 0:
                soft = np.maximum(np.abs(gg) - c1, 0.0)
                worst = max(worst, np.linalg.norm(soft) - lam * (1 - a) * wg[g])
                continue
            nz = bg != 0
            target = lam * (1 - a) * wg[g] * bg[nz] / norm + c1 * np.sign(bg[nz])
            worst = max(worst, np.abs(gg[nz] - target).max())
            if (~nz).any():
                worst = max(worst, (np.abs(gg[~nz]) - c1).max())
    return worst


def group_factors(groups, pf=None):
    p = groups.size
    pf = np.ones(p) if pf is None else np.asarray(pf, float) * p / np.sum(pf)
    return np.array([pf[np.flatnonzero(groups == g)[0]] for g in range(groups.max() + 1)])


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("a", [0.2, 0.7])
def test_kkt_at_group_and_column_level(family, a):
    X, y, groups = problem(seed=21, family=family)
    path = fit_path(X, y, family=family, groups=groups, l1_within=a, nlambda=40)
    b, lams, grad = kernel_scale(X, y, path)
    viol = sgl_kkt_violation(
        b, lams, grad, groups, group_weights(groups), group_factors(groups), a
    )
    assert viol < KKT_TOL
    # the penalty is sparse inside groups: some selected group has a zero column
    partly = [
        (b[k, groups == g] != 0).any() and not (b[k, groups == g] != 0).all()
        for k in range(lams.size)
        for g in range(groups.max() + 1)
    ]
    assert any(partly)
    assert path.df[0] == 0 and path.df[-1] > 0


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_kkt_with_weights_penalty_factor_offset_and_unpenalized_group(family):
    X, y, groups = problem(seed=22, family=family)
    rng = np.random.default_rng(5)
    w = rng.uniform(0.2, 3.0, size=y.size)
    pf = np.where(groups == 1, 0.0, np.where(groups == 3, 2.0, 1.0))
    off = rng.normal(scale=0.5, size=y.size) if family == "binomial" else None
    path = fit_path(
        X,
        y,
        family=family,
        groups=groups,
        l1_within=0.5,
        penalty_factor=pf,
        weights=w,
        offset=off,
        nlambda=30,
    )
    if off is None:
        b, lams, grad = kernel_scale(X, y, path, weights=w)
    else:
        v = w / w.sum()
        xm = v @ X
        xs = np.sqrt(v @ (X - xm) ** 2)
        eta = off[:, None] + path.intercepts + X @ path.coefs.T
        grad = (((X - xm) / xs).T @ (v[:, None] * (y[:, None] - expit(eta)))).T
        b, lams = path.coefs * xs, path.lambdas
    viol = sgl_kkt_violation(
        b, lams, grad, groups, group_weights(groups, pf), group_factors(groups, pf), 0.5
    )
    assert viol < KKT_TOL
    assert np.all(path.coefs[:, groups == 1] != 0)  # unpenalized: always in


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_zero_l1_within_is_the_group_lasso_path(family):
    """a = 0 runs the group lasso's exact block update (the same path, bit for bit);
    a tiny a > 0 runs the sparse-group block solve and the strong rule / KKT with
    soft-thresholded gradients, and must land on the group lasso path too."""
    X, y, groups = problem(seed=23, family=family)
    group = fit_path(X, y, family=family, groups=groups, nlambda=30, tol=1e-12)
    zero = fit_path(
        X, y, family=family, groups=groups, l1_within=0.0, nlambda=30, tol=1e-12
    )
    tiny = fit_path(
        X,
        y,
        family=family,
        groups=groups,
        l1_within=1e-10,
        lambdas=group.lambdas,
        tol=1e-12,
    )
    np.testing.assert_array_equal(zero.coefs, group.coefs)
    np.testing.assert_array_equal(zero.intercepts, group.intercepts)
    np.testing.assert_allclose(tiny.coefs, group.coefs, rtol=0, atol=1e-6)


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_full_l1_within_is_the_lasso_path(family):
    X, y, groups = problem(seed=24, family=family)
    w = np.random.default_rng(1).uniform(0.5, 2.0, size=y.size)
    pf = np.where(groups == 2, 3.0, 1.0)
    lasso = fit_path(
        X, y, family=family, weights=w, penalty_factor=pf, nlambda=40, tol=1e-12
    )
    sgl = fit_path(
        X,
        y,
        family=family,
        weights=w,
        penalty_factor=pf,
        groups=groups,
        l1_within=1.0,
        nlambda=40,
        tol=1e-12,
    )
    # the same default grid (lambda_max of the lasso) and the same solutions
    np.testing.assert_allclose(sgl.lambdas, lasso.lambdas, rtol=1e-10)
    np.testing.assert_allclose(sgl.coefs, lasso.coefs, rtol=0, atol=1e-6)
    np.testing.assert_allclose(sgl.deviance, lasso.deviance, rtol=1e-7)


def sgl_objective(b0, b, X, y, lam, groups, wg, fg, a, family):
    eta = b0 + X @ b
    if family == "gaussian":
        loss = 0.5 * np.mean((y - eta) ** 2)
    else:
        loss = np.mean(np.logaddexp(0.0, eta) - y * eta)
    norms = np.sqrt(np.bincount(groups, weights=b * b))
    return loss + lam * ((1 - a) * wg @ norms + a * fg[groups] @ np.abs(b))


def fista(X, y, lam, groups, wg, fg, a, family, iters=50_000):
    """Accelerated proximal gradient (Beck & Teboulle 2009, with restarts) on the
    unstandardized objective, intercept unpenalized; the prox of the penalty is the
    soft-threshold followed by the group shrinkage (Simon et al. 2013, eq. 12)."""
    n, p = X.shape
    Z = np.column_stack([np.ones(n), X])
    L = np.linalg.eigvalsh(Z.T @ Z / n).max() * (1.0 if family == "gaussian" else 0.25)

    def grad(u):
        eta = Z @ u
        res = (eta - y) if family == "gaussian" else (expit(eta) - y)
        return Z.T @ res / n

    def prox(u, t):
        out = u.copy()
        bb = u[1:]
        bb = np.sign(bb) * np.maximum(np.abs(bb) - t * lam * a * fg[groups], 0.0)
        norms = np.sqrt(np.bincount(groups, weights=bb * bb))
        shrink = np.where(
            norms > 0,
            np.maximum(0.0, 1 - t * lam * (1 - a) * wg / np.where(norms > 0, norms, 1)),
            0,
        )
        out[1:] = bb * shrink[groups]
        return out

    def f(u):
        return sgl_objective(u[0], u[1:], X, y, lam, groups, wg, fg, a, family)

    x = np.zeros(p + 1)
    yk, mom, fx, stall = x.copy(), 1.0, f(x), 0
    for _ in range(iters):
        x_new = prox(yk - grad(yk) / L, 1.0 / L)
        f_new = f(x_new)
        # stop once the objective has not gone down by more than round-off for
        # 50 steps in a row (it then moves in its last bits only)
        stall = stall + 1 if f_new >= fx - 1e-15 * abs(fx) else 0
        if stall >= 50:
            break
        if f_new > fx:  # restart the momentum (O'Donoghue & Candes 2015)
            yk, mom = x.copy(), 1.0
            continue
        mom_new = 0.5 * (1 + np.sqrt(1 + 4 * mom * mom))
        yk = x_new + (mom - 1) / mom_new * (x_new - x)
        x, fx, mom = x_new, f_new, mom_new
    return x, fx


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_objective_matches_an_accelerated_proximal_gradient_solve(family):
    X, y, groups = problem(seed=25, n=70, sizes=(3, 2, 4, 1), family=family)
    if family == "gaussian":
        y = y / np.std(y)  # sd 1: the gaussian problem is then the literal objective
    a = 0.4
    wg, fg = group_weights(groups), group_factors(groups)
    path = fit_path(
        X,
        y,
        family=family,
        groups=groups,
        l1_within=a,
        standardize=False,
        nlambda=15,
        tol=1e-12,
    )
    for k in (3, 7, path.lambdas.size - 1):
        lam = path.lambdas[k]
        ref_u, ref = fista(X, y, lam, groups, wg, fg, a, family)
        ours = sgl_objective(
            path.intercepts[k], path.coefs[k], X, y, lam, groups, wg, fg, a, family
        )
        assert ours <= ref + 1e-12
        assert ref - ours <= 1e-8 * abs(ref)
        np.testing.assert_allclose(path.coefs[k], ref_u[1:], atol=1e-5)


def test_l1_within_out_of_range_is_refused():
    X, y, groups = problem()
    for bad in (-0.1, 1.5, "half"):
        with pytest.raises(ArgumentError, match="l1_within"):
            fit_path(X, y, groups=groups, l1_within=bad)


def test_l1_within_needs_groups_and_no_ridge_part():
    X, y, groups = problem()
    with pytest.raises(ArgumentError, match=r"l1_within=0.5 .*needs groups"):
        fit_path(X, y, l1_within=0.5)
    with pytest.raises(ArgumentError, match=r"l1_within=0.5 .*l1_ratio=0.5"):
        fit_path(X, y, groups=groups, l1_within=0.5, l1_ratio=0.5)


def test_correlated_path_is_reached_in_few_sweeps():
    """Equicorrelated columns (rho 0.3), groups of 5: block coordinate descent alone
    crawls at the small lambdas (about 12,750 sweeps on this path); the Newton step
    on the nonzero coordinates of the active groups brings the same path (objective
    within 1e-9 of a tight accelerated proximal-gradient solve, KKT at both levels)
    in well under 2,000."""
    rng = np.random.default_rng(0)
    n, p, k = 333, 165, 5
    X = np.sqrt(0.7) * rng.standard_normal((n, p)) + np.sqrt(0.3) * rng.standard_normal(
        (n, 1)
    )
    beta = np.zeros(p)
    beta[: 2 * k] = rng.standard_normal(2 * k)
    y = X @ beta + rng.standard_normal(n)
    groups = np.repeat(np.arange(p // k), k)
    a = 0.5
    path = fit_path(X, y, groups=groups, l1_within=a)
    assert path.converged.all()
    assert np.sum(path.n_iter) < 2000
    b, lams, grad = kernel_scale(X, y, path)
    wg, fg = group_weights(groups), group_factors(groups)
    assert sgl_kkt_violation(b, lams, grad, groups, wg, fg, a) < KKT_TOL
    # the kernel's problem: standardized columns, centred response of sd 1
    xs = (X - X.mean(0)) / X.std(0)
    ys = (y - y.mean()) / y.std()
    for j in (lams.size // 2, lams.size - 10, lams.size - 1):
        ref_u, ref = fista(xs, ys, lams[j], groups, wg, fg, a, "gaussian")
        ours = sgl_objective(0.0, b[j], xs, ys, lams[j], groups, wg, fg, a, "gaussian")
        assert abs(ours - ref) <= 1e-9 * abs(ref)
