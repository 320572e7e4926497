"""binomial_path_groups: several groups of binomial problems (one l1_ratio, or one
bootstrap replicate, per group) driven by the same passes equal each group solved
alone, and solve() on the rows, with the KKT conditions checked on X."""

import numpy as np
from test_gram import TIGHT, _binomial_case, _kkt_binomial, _same_path

from penstat.solver import solve
from penstat.solver.gram import (
    GramStats,
    binomial_path_groups,
    binomial_paths_by_passes,
    irls_pass_stats,
)
from penstat.spec import FitSpec


class _GroupPasses:
    """run_pass for groups: problem (g, k) has rows ``rows[k]`` and weights
    ``weights[g]``; counts its calls."""

    def __init__(self, X, y, weights, off, rows):
        self.X, self.y, self.weights, self.off, self.rows = X, y, weights, off, rows
        self.calls = 0

    def __call__(self, requests):
        self.calls += 1
        out = []
        for (g, k), b0, beta in requests:
            r = self.rows[k]
            out.append(
                irls_pass_stats(
                    self.X[r], self.y[r], self.weights[g][r], self.off[r], b0, beta
                )
            )
        return out


def test_mixes_with_folds_in_lockstep_equal_each_alone():
    X, y, w, off = _binomial_case(300, 10, 21)
    n, p = X.shape
    folds = np.arange(n) % 3
    rows = [np.arange(n)] + [np.flatnonzero(folds != k) for k in range(3)]
    base = [GramStats.from_arrays(X[r], y[r], w[r]) for r in rows]
    ratios = (0.3, 0.7, 1.0)
    specs = [
        FitSpec.build(n, p, family="binomial", weights=w, offset=off, tol=TIGHT,
                      l1_ratio=a)
        for a in ratios
    ]  # fmt: skip
    run = _GroupPasses(X, y, [w] * 3, off, rows)
    paths, passes = binomial_path_groups([(base, s) for s in specs], run)
    assert passes == run.calls
    alone_passes = []
    for g, spec in enumerate(specs):
        single = _GroupPasses(X, y, [w], off, rows)

        def one(requests, single=single):
            return single([((0, k), b0, b) for k, b0, b in requests])

        ref, n_alone = binomial_paths_by_passes(base, spec, one)
        alone_passes.append(n_alone)
        for k in range(4):  # the same steps: the same numbers, bit for bit
            np.testing.assert_array_equal(paths[g][k].coefs, ref[k].coefs)
            np.testing.assert_array_equal(paths[g][k].intercepts, ref[k].intercepts)
        # and the in-memory kernel's solution, optimal on X
        full = solve(X, y, spec)
        _same_path(paths[g][0], full)
        _kkt_binomial(paths[g][0], X, y, w, off)
    # lockstep: as many passes as the slowest group alone
    assert passes == max(alone_passes) < sum(alone_passes)


def test_replicate_groups_with_their_own_weights():
    X, y, w, off = _binomial_case(250, 8, 22)
    n, p = X.shape
    rng = np.random.default_rng(5)
    weights = [w * rng.poisson(1.0, n) for _ in range(3)]
    grid = np.geomspace(0.1, 0.005, 8)
    spec = FitSpec.build(n, p, family="binomial", lambdas=grid, tol=TIGHT)
    base = [[GramStats.from_arrays(X, y, wg)] for wg in weights]
    run = _GroupPasses(X, y, weights, off, [np.arange(n)])
    paths, _ = binomial_path_groups([(b, spec) for b in base], run)
    for g, wg in enumerate(weights):
        ref = solve(X, y, FitSpec.build(n, p, family="binomial", weights=wg, offset=off,
                                        lambdas=grid, tol=TIGHT))  # fmt: skip
        _same_path(paths[g][0], ref)
        _kkt_binomial(paths[g][0], X, y, wg, off)
