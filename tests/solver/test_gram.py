"""Paths from sufficient statistics (penstat.solver.gram) against the in-memory
solver and direct computations."""

import dataclasses

import numpy as np
import pytest
import scipy.sparse

from penstat._errors import ArgumentError, DataError
from penstat.solver.gram import GramStats


def _rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    scale = max(float(np.max(np.abs(b))), 1e-300)
    return float(np.max(np.abs(a - b))) / scale


def _check_same(a: GramStats, b: GramStats, tol=1e-12):
    assert a.n_rows == b.n_rows
    assert a.sum_w == pytest.approx(b.sum_w, rel=1e-14)
    for name in ("x_mean", "xx", "xy"):
        assert _rel(getattr(a, name), getattr(b, name)) < tol, name
    assert _rel(a.y_mean, b.y_mean) < tol
    assert _rel(a.yy, b.yy) < tol
    assert _rel(a.extra, b.extra) < tol
    np.testing.assert_array_equal(a.x_min, b.x_min)
    np.testing.assert_array_equal(a.x_max, b.x_max)
    assert (a.y_min, a.y_max) == (b.y_min, b.y_max)


def _data(n=300, p=6, seed=0, mean=0.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + mean
    y = X[:, 0] - 0.5 * X[:, 1] + rng.standard_normal(n) + mean
    w = rng.uniform(0.2, 3.0, n)
    w[rng.choice(n, n // 10, replace=False)] = 0.0
    return X, y, w


def _centred_reference(X, y, w):
    """Centred statistics in extended precision (numpy longdouble)."""
    Xl, yl, wl = (np.asarray(a, np.longdouble) for a in (X, y, w))
    sw = wl.sum()
    xm = (wl @ Xl) / sw
    ym = (wl @ yl) / sw
    Xc, yc = Xl - xm, yl - ym
    return xm, ym, (Xc * wl[:, None]).T @ Xc, (Xc * wl[:, None]).T @ yc, (wl * yc) @ yc


@pytest.mark.parametrize("mean", [0.0, 1e6])
def test_merge_of_any_split_equals_whole(mean):
    X, y, w = _data(mean=mean)
    whole = GramStats.from_arrays(X, y, w, extra=3.5)
    rng = np.random.default_rng(1)
    for trial in range(5):
        cuts = np.sort(rng.choice(np.arange(1, X.shape[0]), size=trial + 1, replace=False))
        bounds = [0, *cuts.tolist(), X.shape[0]]
        extras = np.diff(np.linspace(0.0, 3.5, len(bounds)))
        parts = [
            GramStats.from_arrays(X[a:b], y[a:b], w[a:b], extra=float(e))
            for a, b, e in zip(bounds[:-1], bounds[1:], extras, strict=True)
        ]
        _check_same(GramStats.merge_all(parts), whole)
        # sequential merging in any order (left fold, with an empty start)
        acc = GramStats.empty(X.shape[1])
        for part in parts[::-1]:
            acc = acc.merge(part)
        _check_same(acc, whole)


def test_large_means_keep_their_digits():
    # mean 1e6, sd 1: raw sums of squares (1e12 per row) would lose ~12 digits
    X, y, w = _data(n=2000, mean=1e6, seed=3)
    xm, ym, xx, xy, yy = _centred_reference(X, y, w)
    parts = [
        GramStats.from_arrays(X[i : i + 7], y[i : i + 7], w[i : i + 7])
        for i in range(0, 2000, 7)
    ]
    merged = GramStats.merge_all(parts)
    for s in (merged, GramStats.from_arrays(X, y, w)):
        assert _rel(s.x_mean, xm.astype(float)) < 1e-14
        assert _rel(s.xx, xx.astype(float)) < 1e-12
        assert _rel(s.xy, xy.astype(float)) < 1e-12
        assert _rel(s.yy, float(yy)) < 1e-12
    # the raw-sum route really would have failed this check
    raw = (X * w[:, None]).T @ X - w.sum() * np.outer(xm.astype(float), xm.astype(float))
    assert _rel(raw, xx.astype(float)) > 1e-8


def test_weights_and_zero_weight_rows():
    X, y, w = _data(seed=5)
    s = GramStats.from_arrays(X, y, w)
    # zero-weight rows change nothing but the row count
    keep = w > 0
    t = GramStats.from_arrays(X[keep], y[keep], w[keep])
    assert s.n_rows == X.shape[0] and t.n_rows == int(keep.sum())
    for name in ("x_mean", "xx", "xy"):
        assert _rel(getattr(s, name), getattr(t, name)) < 1e-12
    # the ranges (which tell constant columns) are over the rows of positive weight
    np.testing.assert_array_equal(s.x_max, X[keep].max(axis=0))
    assert (s.y_min, s.y_max) == (y[keep].min(), y[keep].max())
    # integer weights equal repeated rows
    wi = np.random.default_rng(2).integers(0, 4, X.shape[0]).astype(float)
    rep = np.repeat(np.arange(X.shape[0]), wi.astype(int))
    a, b = GramStats.from_arrays(X, y, wi), GramStats.from_arrays(X[rep], y[rep])
    for name in ("x_mean", "xx", "xy", "yy"):
        assert _rel(getattr(a, name), getattr(b, name)) < 1e-12
    # a block of only zero-weight rows merges as the identity
    z = GramStats.from_arrays(X[:5], y[:5], np.zeros(5))
    m = s.merge(z)
    assert m.n_rows == s.n_rows + 5
    assert _rel(m.xx, s.xx) == 0.0 and m.sum_w == s.sum_w


def test_sparse_equals_dense():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((9000, 5)) * (rng.random((9000, 5)) < 0.2) + 1e3 * (
        rng.random((9000, 5)) < 0.01
    )
    y = rng.standard_normal(9000)
    w = rng.uniform(0, 2, 9000)
    _check_same(
        GramStats.from_arrays(scipy.sparse.csc_matrix(X), y, w),
        GramStats.from_arrays(X, y, w),
        tol=1e-12,
    )


def test_merge_refuses_other_widths():
    with pytest.raises(ArgumentError, match="different designs"):
        GramStats.empty(2).merge(GramStats.empty(3))


# ---- gaussian paths from statistics ------------------------------------------------


def _same_path(a, b, tol=1e-8, check_iter=False):
    """Path ``a`` equals ``b`` to ``tol`` relative at every lambda."""
    assert a.lambdas.size == b.lambdas.size
    np.testing.assert_allclose(a.lambdas, b.lambdas, rtol=1e-12, atol=0)
    scale = max(float(np.max(np.abs(b.coefs))), 1e-300)
    for k in range(b.lambdas.size):
        err = float(np.max(np.abs(a.coefs[k] - b.coefs[k]), initial=0.0))
        assert err <= tol * max(
            float(np.max(np.abs(b.coefs[k]), initial=0.0)), 1e-3 * scale
        ), k
    np.testing.assert_allclose(a.intercepts, b.intercepts, rtol=tol, atol=tol * (1 + scale))
    np.testing.assert_allclose(a.deviance, b.deviance, rtol=tol, atol=0)
    np.testing.assert_allclose(a.dev_ratio, b.dev_ratio, rtol=0, atol=tol)
    assert a.null_deviance == pytest.approx(b.null_deviance, rel=1e-10)
    np.testing.assert_array_equal(a.df, b.df)
    np.testing.assert_array_equal(a.converged, b.converged)
    assert (a.early_stop is None) == (b.early_stop is None)
    if a.early_stop is not None:
        assert a.early_stop.rule == b.early_stop.rule


def _kkt_gaussian(path, X, y, w, tol=1e-7):
    """glmnet's optimality conditions checked on X itself at every lambda (kernel
    scale: columns standardized, y scaled by sd_y, penalty lam / sd_y)."""
    spec = path.spec
    sw = w.sum()
    wn = w / sw
    ya = y if spec.offset is None else y - spec.offset
    mean = wn @ X
    xs = np.sqrt(wn @ (X - mean) ** 2) if spec.standardize else np.ones(X.shape[1])
    ym = wn @ ya if spec.fit_intercept else 0.0
    ys = np.sqrt(wn @ (ya - ym) ** 2)
    pf, a = path.penalty_factor, spec.l1_ratio
    for k, lam in enumerate(path.lambdas):
        r = ya - path.intercepts[k] - X @ path.coefs[k]
        if spec.fit_intercept:
            assert abs(wn @ r) <= 1e-9 * ys
        g = (X.T @ (wn * r)) / (xs * ys)  # Xs' W rk
        lk = lam / ys
        bk = path.coefs[k] * xs / ys
        nz = bk != 0
        want = lk * pf[nz] * (a * np.sign(bk[nz]) + (1 - a) * bk[nz])
        assert np.all(np.abs(g[nz] - want) <= tol * max(lk, 1e-12)), k
        assert np.all(np.abs(g[~nz]) <= lk * a * pf[~nz] + tol * max(lk, 1e-12)), k


def _gaussian_case(n, p, seed, weights=False, rho=0.5, offset=False):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    X = np.sqrt(1 - rho) * Z + np.sqrt(rho) * rng.standard_normal((n, 1))
    X = X * rng.uniform(0.5, 3.0, p) + rng.uniform(-5, 5, p)
    beta = np.zeros(p)
    beta[: min(5, p)] = [2.0, -1.5, 1.0, 0.5, -0.25][: min(5, p)]
    y = X @ beta + rng.standard_normal(n) + 3.0
    w = rng.uniform(0.1, 2.0, n) if weights else np.ones(n)
    if weights:
        w[rng.choice(n, max(1, n // 20), replace=False)] = 0.0
    off = rng.standard_normal(n) if offset else None
    return np.asfortranarray(X), y, w, off


GAUSSIAN_CASES = {
    "tall": dict(n=300, p=20, seed=0),
    "p_near_n": dict(n=60, p=55, seed=1),
    "wide": dict(n=50, p=200, seed=2),
    "weights": dict(n=200, p=30, seed=3, weights=True),
    "offset": dict(n=150, p=10, seed=4, weights=True, offset=True),
}


@pytest.mark.parametrize("case", sorted(GAUSSIAN_CASES))
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"standardize": False},
        {"fit_intercept": False},
        {"l1_ratio": 0.5},
        {"l1_ratio": 0.0},
        {"penalty_factor": "zeros"},
        {"lambdas": "given"},
    ],
    ids=["lasso", "no_std", "no_b0", "enet", "ridge", "pf0", "lambdas"],
)
def test_gaussian_path_equals_solve(case, options):
    from penstat.solver import solve
    from penstat.solver.gram import gaussian_path_from_stats
    from penstat.spec import FitSpec

    X, y, w, off = _gaussian_case(**GAUSSIAN_CASES[case])
    n, p = X.shape
    opts = dict(options)
    if opts.get("penalty_factor") == "zeros":
        pf = np.ones(p)
        pf[[1, 3]] = 0.0
        pf[2] = 2.5
        opts["penalty_factor"] = pf
    if opts.get("lambdas") == "given":
        opts["lambdas"] = np.geomspace(2.0, 0.002, 25)
    if opts.get("l1_ratio", 1.0) < 1.0:
        # with an L2 part both solvers stop within tol of the optimum (different
        # iterates: in memory the naive scheme when p > n / 2), so they are compared
        # at a tight tol; the lasso's active set is solved exactly at any tol
        opts["tol"] = 1e-12
    spec = FitSpec.build(n, p, weights=w, offset=off, **opts)
    ref = solve(X, y, spec)
    stats = GramStats.from_arrays(X, y if off is None else y - off, w)
    path = gaussian_path_from_stats(stats, spec)
    _same_path(path, ref)
    # the lasso's active set is solved exactly; with an L2 part the default tol
    # (a heuristic) leaves the KKT residuals near 1e-7 relative
    _kkt_gaussian(path, X, y, w, tol=1e-8 if spec.l1_ratio == 1 else 1e-5)


def test_gaussian_limits_and_large_means():
    from penstat.solver import solve
    from penstat.solver.gram import gaussian_path_from_stats
    from penstat.spec import FitSpec

    X, y, w, _ = _gaussian_case(400, 12, 7, weights=True)
    X = X + 1e6  # the statistics stay exact: the path does not move
    spec = FitSpec.build(400, 12, weights=w, lower_limits=-0.5, upper_limits=1.0)
    ref = solve(np.asfortranarray(X), y, spec)
    parts = [
        GramStats.from_arrays(X[i : i + 50], y[i : i + 50], w[i : i + 50])
        for i in range(0, 400, 50)
    ]
    path = gaussian_path_from_stats(GramStats.merge_all(parts), spec)
    _same_path(path, ref)
    assert path.coefs.min() >= -0.5 and path.coefs.max() <= 1.0


def test_gaussian_refusals():
    from penstat.solver.gram import gaussian_path_from_stats
    from penstat.spec import FitSpec

    X, y, w, _ = _gaussian_case(50, 4, 8)
    stats = GramStats.from_arrays(X, y)
    with pytest.raises(ArgumentError, match="binomial_paths_by_passes"):
        gaussian_path_from_stats(stats, FitSpec.build(50, 4, family="binomial"))
    with pytest.raises(ArgumentError, match="weights"):
        gaussian_path_from_stats(stats, FitSpec.build(50, 4, weights=np.arange(50.0)))
    with pytest.raises(ArgumentError, match="fit y exactly"):
        Xe = np.column_stack([y, X])
        gaussian_path_from_stats(
            GramStats.from_arrays(Xe, y),
            FitSpec.build(50, 5, penalty_factor=[0, 1, 1, 1, 1]),
        )


def test_gaussian_cv_loss_is_the_held_out_sse():
    from penstat.solver.gram import gaussian_cv_loss, gaussian_path_from_stats
    from penstat.spec import FitSpec

    X, y, w, _ = _gaussian_case(300, 15, 9, weights=True)
    X = X + 1e4
    train, test = np.arange(300) % 4 != 0, np.arange(300) % 4 == 0
    path = gaussian_path_from_stats(
        GramStats.from_arrays(X[train], y[train], w[train]), FitSpec(nlambda=40)
    )
    parts = [
        GramStats.from_arrays(X[test][i : i + 10], y[test][i : i + 10], w[test][i : i + 10])
        for i in range(0, 75, 10)
    ]
    loss = gaussian_cv_loss(path, GramStats.merge_all(parts))
    resid = y[test, None] - path.intercepts - X[test] @ path.coefs.T
    direct = w[test] @ resid**2
    np.testing.assert_allclose(loss, direct, rtol=1e-9)


def test_gaussian_constant_columns():
    from penstat.solver import solve
    from penstat.solver.gram import gaussian_path_from_stats
    from penstat.spec import FitSpec

    X, y, w, _ = _gaussian_case(120, 6, 10, weights=True)
    # a constant column's weighted mean (and the merges') can miss its value by an
    # ulp: its centred squares are then ~1e-33, not 0, and standardizing them would
    # make noise of unit variance; the ranges tell it exactly
    X[:, 2] = 1.0 / 3.0
    X[:, 4] = 7.1
    X[w == 0, 4] = np.arange(int((w == 0).sum())) + 100.0  # varies only where w = 0
    spec = FitSpec.build(120, 6, weights=w)
    ref = solve(np.asfortranarray(X), y, spec)
    parts = [
        GramStats.from_arrays(X[i : i + 7], y[i : i + 7], w[i : i + 7])
        for i in range(0, 120, 7)
    ]
    stats = GramStats.merge_all(parts)
    assert stats.xx[2, 2] != 0.0  # (the case this test is about)
    path = gaussian_path_from_stats(stats, spec)
    _same_path(path, ref)
    assert not path.coefs[:, [2, 4]].any()


# ---- binomial paths by passes ------------------------------------------------------


def _binomial_case(n, p, seed, weights=True, offset=True, rho=0.3):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    X = np.sqrt(1 - rho) * Z + np.sqrt(rho) * rng.standard_normal((n, 1))
    X = X * rng.uniform(0.5, 3.0, p) + rng.uniform(-3, 3, p)
    Xc = X - X.mean(0)
    eta = Xc[:, 0] - 0.7 * Xc[:, 1] + 0.4 * Xc[:, 2] + 0.3
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    w = rng.uniform(0.2, 2.0, n) if weights else np.ones(n)
    if weights:
        w[rng.choice(n, n // 20, replace=False)] = 0.0
    off = 0.5 * rng.standard_normal(n) if offset else None
    return np.asfortranarray(X), y, w, off


def _kkt_binomial(path, X, y, w, off, tol=1e-7):
    """The optimality conditions of every lambda checked on X itself (kernel
    scale: loss / sum w, columns standardized with the original weights)."""
    from scipy.special import expit

    spec = path.spec
    wn = w / w.sum()
    mean = wn @ X
    xs = np.sqrt(wn @ (X - mean) ** 2) if spec.standardize else np.ones(X.shape[1])
    pf, a = path.penalty_factor, spec.l1_ratio
    lo = hi = None
    if spec.has_limits:
        lo, hi = spec.lower_limits, spec.upper_limits
    for k, lam in enumerate(path.lambdas):
        eta = path.intercepts[k] + X @ path.coefs[k] + (0 if off is None else off)
        r = wn * (y - expit(eta))
        if spec.fit_intercept:
            assert abs(r.sum()) <= tol * lam
        g = (X.T @ r) / xs
        bk = path.coefs[k] * xs
        free = bk != 0
        if lo is not None:
            free &= (path.coefs[k] > lo) & (path.coefs[k] < hi)
        want = lam * pf * (a * np.sign(bk) + (1 - a) * bk)
        assert np.all(np.abs(g - want)[free] <= tol * lam), k
        zero = bk == 0
        assert np.all(np.abs(g[zero]) <= lam * a * pf[zero] + tol * lam), k


class _Passes:
    """An in-memory run_pass over the rows of each problem (numpy), counting calls."""

    def __init__(self, X, y, w, off, rows):
        self.X, self.y, self.w, self.off, self.rows = X, y, w, off, rows
        self.calls = 0

    def __call__(self, requests):
        from penstat.solver.gram import irls_pass_stats

        self.calls += 1
        out = []
        for k, b0, beta in requests:
            r = self.rows[k]
            off = None if self.off is None else self.off[r]
            # two blocks merged, as partitions would be
            h = r.size // 2
            parts = [
                irls_pass_stats(
                    self.X[r[s]],
                    self.y[r[s]],
                    self.w[r[s]],
                    None if off is None else off[s],
                    b0,
                    beta,
                )
                for s in (slice(0, h), slice(h, None))
            ]
            out.append(GramStats.merge_all(parts))
        return out


# The convergence measure of both solvers is quadratic in the last step
# (h_j d^2 < tol * 5e-3 * F), so each is within about sqrt(tol * 5e-3) of the optimum
# in its coefficients: 1e-8 agreement needs tol near 1e-16; 1e-18 is used.
TIGHT = 1e-18


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"fit_intercept": False},
        {"standardize": False},
        {"l1_ratio": 0.5},
        {"penalty_factor": "zeros"},
        {"lambdas": "given"},
        {"limits": True},
        {"no_offset": True},
        {"wide": True},
        {"proportions": True},
    ],
    ids=[
        "lasso",
        "no_b0",
        "no_std",
        "enet",
        "pf0",
        "lambdas",
        "limits",
        "no_offset",
        "wide",
        "proportions",
    ],
)
def test_binomial_path_equals_solve(options):
    from penstat.solver import solve
    from penstat.solver.gram import binomial_paths_by_passes
    from penstat.spec import FitSpec

    opts = dict(options)
    n, p = (50, 80) if opts.pop("wide", False) else (300, 12)
    X, y, w, off = _binomial_case(n, p, 11, offset=not opts.pop("no_offset", False))
    if opts.pop("proportions", False):
        # proportions of successes, their trials as weights (glmnet's grouped data)
        trials = np.random.default_rng(3).integers(1, 6, n)
        y = np.random.default_rng(4).binomial(trials, 0.3 + 0.4 * y) / trials
        w = trials.astype(float)
    n, p = X.shape
    if opts.get("penalty_factor") == "zeros":
        pf = np.ones(p)
        pf[[1, 4]] = 0.0
        opts["penalty_factor"] = pf
    if opts.get("lambdas") == "given":
        opts["lambdas"] = np.geomspace(0.2, 0.001, 20)
    if opts.pop("limits", False):
        opts["lower_limits"] = -0.3
        opts["upper_limits"] = 0.5
    spec = FitSpec.build(n, p, family="binomial", weights=w, offset=off, tol=TIGHT, **opts)
    ref = solve(X, y, spec)
    run = _Passes(X, y, w, off, [np.arange(n)])
    (path,), passes = binomial_paths_by_passes([GramStats.from_arrays(X, y, w)], spec, run)
    assert passes == run.calls
    _same_path(path, ref)
    _kkt_binomial(path, X, y, w, off)
    # a sensible number of passes: a few per lambda (no secant warm start)
    assert passes <= 5 * path.lambdas.size + 20


def test_binomial_folds_in_lockstep_equal_separate_solves():
    from penstat.solver import solve
    from penstat.solver.gram import binomial_paths_by_passes
    from penstat.spec import FitSpec

    X, y, w, off = _binomial_case(400, 15, 12)
    n, p = X.shape
    folds = np.arange(n) % 4
    spec = FitSpec.build(n, p, family="binomial", weights=w, offset=off, tol=TIGHT)
    rows = [np.arange(n)] + [np.flatnonzero(folds != k) for k in range(4)]
    base = [GramStats.from_arrays(X[r], y[r], w[r]) for r in rows]
    run = _Passes(X, y, w, off, rows)
    paths, passes = binomial_paths_by_passes(base, spec, run)
    full = solve(X, y, spec)
    _same_path(paths[0], full)
    for k in range(4):
        train = rows[k + 1]
        ref = solve(
            np.asfortranarray(X[train]), y[train], spec.take(train).with_grid(full.lambdas)
        )
        _same_path(paths[k + 1], ref)
    # lockstep: one pass serves every problem, so the five problems cost about as many
    # passes as the slowest of them alone
    alone = _Passes(X, y, w, off, rows[:1])
    _, passes_alone = binomial_paths_by_passes(base[:1], spec, alone)
    assert passes_alone <= passes < 2 * passes_alone


def test_irls_pass_stats_give_the_gradient_and_hessian():
    from scipy.special import expit

    from penstat.solver.gram import irls_pass_stats

    X, y, w, off = _binomial_case(200, 5, 13)
    # eta from about 6 to 23: the working weights' floor (1e-5 (1 - 1e-5)) applies
    # to part of the rows
    b0, beta = 2.0, np.array([-4.0, -0.1, 0.0, 0.2, 0.05])
    s = irls_pass_stats(X, y, w, off, b0, beta)
    q = expit(b0 + X @ beta + off)
    floored = q * (1 - q) < 1e-5 * (1 - 1e-5)
    assert 0 < floored.sum() < floored.size
    v = w * np.maximum(q * (1 - q), 1e-5 * (1 - 1e-5))
    # sum v x (z - eta) is the log-likelihood's gradient X'w(y - q)
    resid = s.sum_w * (s.y_mean - b0 - s.x_mean @ beta)
    grad = (s.xy - s.xx @ beta) + s.x_mean * resid
    np.testing.assert_allclose(grad, X.T @ (w * (y - q)), rtol=1e-10, atol=1e-10)
    assert resid == pytest.approx(w @ (y - q), rel=1e-10, abs=1e-12)
    xm = v @ X / v.sum()
    np.testing.assert_allclose(s.xx, (X - xm).T @ ((X - xm) * v[:, None]), rtol=1e-12)
    dev = 2 * w @ (np.logaddexp(0, b0 + X @ beta + off) - y * (b0 + X @ beta + off))
    assert s.extra == pytest.approx(dev, rel=1e-12)


def test_binomial_refusals():
    from penstat.solver.gram import binomial_paths_by_passes
    from penstat.spec import FitSpec

    X, y, w, off = _binomial_case(100, 4, 14)
    base = [GramStats.from_arrays(X, y, w)]
    run = _Passes(X, y, w, off, [np.arange(100)])
    with pytest.raises(ArgumentError, match="gaussian_path_from_stats"):
        binomial_paths_by_passes(base, FitSpec(), run)
    with pytest.raises(ArgumentError, match="columns"):
        binomial_paths_by_passes(
            base + [GramStats.from_arrays(X[:, :3], y, w)], FitSpec(family="binomial"), run
        )
    with pytest.raises(ArgumentError, match="one per request"):
        binomial_paths_by_passes(base, FitSpec(family="binomial"), lambda reqs: [])


def test_sparse_rows_give_the_same_paths():
    from penstat.solver import solve
    from penstat.solver.gram import gaussian_path_from_stats, irls_pass_stats
    from penstat.spec import FitSpec

    rng = np.random.default_rng(15)
    X = rng.standard_normal((5000, 8)) * (rng.random((5000, 8)) < 0.3)
    y = X[:, 0] - X[:, 1] + rng.standard_normal(5000)
    Xs = scipy.sparse.csc_matrix(X)
    # (the in-memory sparse kernel has no exact polish: compared at a tight tol)
    spec = FitSpec(nlambda=30, tol=1e-12)
    path = gaussian_path_from_stats(GramStats.from_arrays(Xs, y), spec)
    _same_path(path, solve(Xs, y, spec))
    beta = rng.standard_normal(8) * 0.3
    yb = (y > 0).astype(float)
    _check_same(
        irls_pass_stats(Xs, yb, None, None, 0.1, beta),
        irls_pass_stats(X, yb, None, None, 0.1, beta),
    )


def test_binomial_problems_on_a_given_grid_are_independent():
    from penstat.solver import solve
    from penstat.solver.gram import binomial_paths_by_passes
    from penstat.spec import FitSpec

    X, y, w, off = _binomial_case(240, 6, 16)
    n, p = X.shape
    lambdas = np.geomspace(0.1, 0.002, 12)
    spec = FitSpec.build(
        n, p, family="binomial", weights=w, offset=off, tol=TIGHT, lambdas=lambdas
    )
    rows = [np.arange(n), np.arange(0, n, 2), np.arange(1, n, 3)]
    base = [GramStats.from_arrays(X[r], y[r], w[r]) for r in rows]
    paths, passes = binomial_paths_by_passes(base, spec, _Passes(X, y, w, off, rows))
    for r, path in zip(rows, paths, strict=True):
        ref = solve(np.asfortranarray(X[r]), y[r], spec.take(r))
        _same_path(path, ref)
        assert path.lambdas.size == lambdas.size


@pytest.mark.parametrize("mean", [0.0, 1e6])
@pytest.mark.parametrize("weights,offset", [(True, True), (False, False)])
def test_irls_pass_stats_folds_equal_one_problem_at_a_time(mean, weights, offset):
    from penstat.solver.gram import irls_pass_stats, irls_pass_stats_folds

    X, y, w, off = _binomial_case(400, 5, 21, weights=weights, offset=offset)
    X = np.asfortranarray(X + mean)
    rng = np.random.default_rng(22)
    # fold 3 of 5 has no row in this block; requests in any order, one repeated
    fold = rng.choice([0, 1, 2, 4], size=400)
    requests = [
        (k, float(rng.normal()) - mean * 0.01, rng.normal(size=5) * 0.01)
        for k in (0, 1, 4, 2, 3, 5, 1)
    ]
    wt = w if weights else None
    many = irls_pass_stats_folds(X, y, wt, off, fold, requests)
    assert len(many) == len(requests)
    for (k, b0, beta), got in zip(requests, many, strict=True):
        rows = np.ones(400, bool) if k == 0 else fold != k - 1
        ref = irls_pass_stats(
            X[rows],
            y[rows],
            None if wt is None else wt[rows],
            None if off is None else off[rows],
            b0,
            beta,
        )
        # the working response's range to round-off (X beta is summed in another
        # order); the columns' range exactly
        assert got.y_min == pytest.approx(ref.y_min, rel=1e-13)
        assert got.y_max == pytest.approx(ref.y_max, rel=1e-13)
        ref = dataclasses.replace(ref, y_min=got.y_min, y_max=got.y_max)
        _check_same(got, ref, tol=1e-11)
        # the means to double-double precision against extended precision
        f = X[rows] @ beta + b0 + (0.0 if off is None else off[rows])
        with np.errstate(over="ignore"):
            q = 1 / (1 + np.exp(-np.asarray(f, np.longdouble)))
        vl = np.asarray(1.0 if wt is None else wt[rows], np.longdouble) * np.maximum(
            q * (1 - q), 1e-5 * (1 - 1e-5)
        )
        xm = (vl @ np.asarray(X[rows], np.longdouble)) / vl.sum()
        dd = np.asarray(got.x_mean, np.longdouble) + np.asarray(got.x_mean_lo)
        # (float64 means alone would miss by about 1e-10 at a mean of 1e6)
        assert float(np.max(np.abs(dd - xm))) < 2e-15 + 2e-18 * mean
    # no folds: every problem has every row
    alone = irls_pass_stats_folds(X, y, wt, off, None, requests[:2])
    ref = irls_pass_stats(X, y, wt, off, *requests[1][1:])
    ref = dataclasses.replace(ref, y_min=alone[1].y_min, y_max=alone[1].y_max)
    _check_same(alone[1], ref, tol=1e-11)
    # a block whose rows all have zero weight, and an empty block
    zero = irls_pass_stats_folds(X[:4], y[:4], np.zeros(4), None, fold[:4], requests[:1])
    assert zero[0].n_rows == 4 and zero[0].sum_w == 0.0
    empty = irls_pass_stats_folds(X[:0], y[:0], None, None, fold[:0], requests[:2])
    assert [s.n_rows for s in empty] == [0, 0]
    assert all(type(s.n_rows) is int for s in many + alone + zero + empty)
    with pytest.raises(DataError, match="finite"):
        irls_pass_stats_folds(np.where(X > mean + 2, np.nan, X), y, wt, off, fold, requests)
