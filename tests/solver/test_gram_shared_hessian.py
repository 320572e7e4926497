"""Binomial CV problems on one shared Hessian (binomial_path_groups with
shared_hessian=True): the quasi-Newton statistics of irls_pass_stats_folds against
a direct computation, and the paths against the exact-Hessian driver, solve() on
the rows and the KKT conditions on X."""

import numpy as np
import pytest
import scipy.special
from test_gram import TIGHT, _binomial_case, _check_same, _kkt_binomial, _same_path

from penstat.solver import solve
from penstat.solver.gram import (
    GramStats,
    binomial_path_groups,
    binomial_paths_by_passes,
    irls_pass_stats,
    irls_pass_stats_folds,
)
from penstat.spec import FitSpec

_FLOOR = 1e-5 * (1 - 1e-5)


def _quasi_reference(X, y, w, off, b0, beta, anchor):
    """The statistics of the quasi-Newton model, computed directly: weights at the
    anchor, working response eta + (y - p) / v_anchor at the point, its deviance."""
    eta = X @ beta + b0
    f = eta if off is None else eta + off
    fa = X @ anchor[1] + anchor[0] + (0.0 if off is None else off)
    qa = scipy.special.expit(fa)
    va = np.maximum(qa * (1 - qa), _FLOOR)
    z = eta + (y - scipy.special.expit(f)) / va
    dev = irls_pass_stats(X, y, w, off, b0, beta).extra
    return GramStats.from_arrays(X, z, w * va, extra=dev)


@pytest.mark.parametrize("mean", [0.0, 1e6])
@pytest.mark.parametrize("weights,offset", [(True, True), (False, False)])
def test_anchored_statistics_equal_a_direct_computation(mean, weights, offset):
    X, y, w, off = _binomial_case(500, 5, 31, weights=weights, offset=offset)
    X = np.asfortranarray(X + mean)
    rng = np.random.default_rng(32)
    fold = rng.choice([0, 1, 2, 4], size=500)  # fold 3 has no row in this block
    wt = w if weights else None
    anchors = [
        (0.3 - mean * 0.01, rng.normal(size=5) * 0.01),
        (-0.1 - mean * 0.01, rng.normal(size=5) * 0.01),
    ]
    # two anchors, exact requests among them, every kind of problem
    requests = []
    for i, k in enumerate((0, 1, 4, 2, 3, 5, 1, 2)):
        point = (float(rng.normal()) * 0.1 - mean * 0.01, rng.normal(size=5) * 0.01)
        anchor = None if i in (3, 6) else anchors[i % 2]
        requests.append((k, *point, anchor))
    got = irls_pass_stats_folds(X, y, wt, off, fold, requests)
    assert len(got) == len(requests)
    for (k, b0, beta, anchor), stats in zip(requests, got, strict=True):
        rows = np.ones(500, bool) if k == 0 else fold != k - 1
        wk = np.ones(rows.sum()) if wt is None else wt[rows]
        ok = None if off is None else off[rows]
        if anchor is None:
            ref = irls_pass_stats(X[rows], y[rows], wk, ok, b0, beta)
        else:
            ref = _quasi_reference(X[rows], y[rows], wk, ok, b0, beta, anchor)
        # the working response's range to round-off (eta summed in another order)
        assert stats.y_min == pytest.approx(ref.y_min, rel=1e-12)
        assert stats.y_max == pytest.approx(ref.y_max, rel=1e-12)
        ref = GramStats(
            **{
                f: getattr(ref, f)
                for f in ref.__dataclass_fields__
                if f not in ("y_min", "y_max")
            },
            y_min=stats.y_min,
            y_max=stats.y_max,
        )
        _check_same(stats, ref, tol=1e-10)


def test_anchored_statistics_give_the_exact_gradient():
    X, y, w, off = _binomial_case(300, 4, 33)
    b0, beta = 0.4, np.array([0.5, -0.3, 0.1, 0.0])
    anchor = (-0.2, np.array([1.5, 0.2, -0.4, 0.3]))  # far from the point
    (s,) = irls_pass_stats_folds(X, y, w, off, None, [(0, b0, beta, anchor)])
    q = scipy.special.expit(b0 + X @ beta + off)
    resid = s.sum_w * (s.y_mean - b0 - s.x_mean @ beta)
    grad = (s.xy - s.xx @ beta) + s.x_mean * resid
    np.testing.assert_allclose(grad, X.T @ (w * (y - q)), rtol=1e-10, atol=1e-10)
    qa = scipy.special.expit(anchor[0] + X @ anchor[1] + off)
    assert s.sum_w == pytest.approx(w @ np.maximum(qa * (1 - qa), _FLOOR), rel=1e-13)


class _FoldPasses:
    """run_pass of CV problems by irls_pass_stats_folds on two blocks of rows
    (merged as partitions), counting calls; ``bend`` scales the anchors'
    coefficients (a Hessian far from every problem's own)."""

    def __init__(self, X, y, w, off, fold, bend=1.0):
        self.X, self.y, self.w, self.off, self.fold = X, y, w, off, fold
        self.bend = bend
        self.calls = 0

    def __call__(self, requests):
        self.calls += 1
        if self.bend != 1.0:
            requests = [
                r if len(r) < 4 or r[3] is None or r[0] == 0 else (*r[:3], self._bent(r[3]))
                for r in requests
            ]
        h = self.X.shape[0] // 3
        parts = [
            irls_pass_stats_folds(
                self.X[s], self.y[s], self.w[s], self.off[s], self.fold[s], requests
            )
            for s in (slice(0, h), slice(h, None))
        ]
        return [a.merge(b) for a, b in zip(*parts, strict=True)]

    def _bent(self, anchor):
        return (anchor[0], anchor[1] * self.bend)


def _cv_case(n=600, p=12, seed=41, nfold=5):
    X, y, w, off = _binomial_case(n, p, seed)
    fold = np.arange(n) % nfold
    rows = [np.arange(n)] + [np.flatnonzero(fold != k) for k in range(nfold)]
    base = [GramStats.from_arrays(X[r], y[r], w[r]) for r in rows]
    return X, y, w, off, fold, rows, base


@pytest.mark.parametrize("bend", [1.0, 6.0])
def test_shared_hessian_paths_equal_solve_on_the_rows(bend):
    X, y, w, off, fold, rows, base = _cv_case()
    n, p = X.shape
    spec = FitSpec.build(n, p, family="binomial", weights=w, offset=off, tol=TIGHT)
    run = _FoldPasses(X, y, w, off, fold, bend)
    counts = {}
    paths, passes = binomial_paths_by_passes(
        base, spec, run, shared_hessian=True, counts=counts
    )
    assert passes == run.calls
    full = solve(X, y, spec)
    _same_path(paths[0], full)
    for k, path in enumerate(paths[1:]):
        train = rows[k + 1]
        ref = solve(
            np.asfortranarray(X[train]), y[train], spec.take(train).with_grid(full.lambdas)
        )
        _same_path(path, ref)
        _kkt_binomial(path, X[train], y[train], w[train], off[train])
    if bend == 1.0:
        # the problems' Hessians are close to the lead's: no step failed
        assert counts["fallbacks"] == 0
    else:
        # a Hessian six times off: quasi-Newton steps fail and are redone on the
        # problem's own Hessian, and the paths still reach the optimum
        assert counts["fallbacks"] > 0
        assert counts["exact_requests"] >= counts["fallbacks"]


def test_shared_hessian_groups_and_the_exact_driver_agree():
    # two l1_ratio groups of CV problems, each on its own lead's Hessian
    X, y, w, off, fold, rows, base = _cv_case(n=500, p=8, seed=43, nfold=4)
    n, p = X.shape
    spec = FitSpec.build(n, p, family="binomial", weights=w, offset=off, tol=TIGHT)
    groups = [(base, spec.with_l1_ratio(a)) for a in (0.5, 1.0)]

    def run(requests):
        return _FoldPasses(X, y, w, off, fold)([(k, *rest) for (_, k), *rest in requests])

    shared, _ = binomial_path_groups(groups, run, shared_hessian=True)
    exact, _ = binomial_path_groups(groups, run)
    for g in range(2):
        for a, b in zip(shared[g], exact[g], strict=True):
            _same_path(a, b)
