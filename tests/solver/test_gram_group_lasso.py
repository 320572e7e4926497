"""The group lasso, group elastic net and sparse-group lasso from sufficient
statistics (gaussian: ``gaussian_path_from_stats`` with ``groups``, the group kernel
on the square-root rows of the Gram; binomial: ``binomial_paths_by_passes``, the
group kernel on each Newton model's square-root rows) equal ``solve()`` on the
rows, and satisfy the group KKT conditions on the rows."""

import numpy as np
import pytest
from test_group_path import group_weights, kernel_scale, kkt_violation, problem
from test_sparse_group_path import group_factors, sgl_kkt_violation

from penstat.solver import solve
from penstat.solver.gram import (
    GramStats,
    binomial_paths_by_passes,
    gaussian_path_from_stats,
    irls_pass_stats,
)
from penstat.spec import FitSpec

KKT_TOL = 1e-7


def _case(seed=0, n=400):
    X, y, groups = problem(seed=seed, n=n)
    w = np.random.default_rng(seed + 50).uniform(0.3, 3.0, n)
    return X, y + 5.0, groups, w


def _both(X, y, w, **options):
    n, p = X.shape
    memory = solve(np.asfortranarray(X), y, FitSpec.build(n, p, weights=w, **options))
    stats = gaussian_path_from_stats(
        GramStats.from_arrays(X, y, w), FitSpec.build(n, p, **options)
    )
    return memory, stats


def _assert_same(memory, stats, rtol=1e-8):
    assert stats.lambdas.size == memory.lambdas.size
    np.testing.assert_allclose(stats.lambdas, memory.lambdas, rtol=1e-10)
    scale = np.abs(memory.coefs).max()
    np.testing.assert_allclose(stats.coefs, memory.coefs, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(stats.intercepts, memory.intercepts, rtol=rtol)
    np.testing.assert_allclose(stats.deviance, memory.deviance, rtol=1e-9)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"l1_ratio": 0.4},
        {"l1_within": 0.3},
        {"l1_within": 0.8, "standardize": False},
        {"penalty_factor": "unpenalized-and-double"},
    ],
    ids=["group-lasso", "group-enet", "sgl", "sgl-unstandardized", "factors"],
)
def test_equals_the_in_memory_group_path_and_kkt(options):
    X, y, groups, w = _case(1)
    if options.get("penalty_factor") == "unpenalized-and-double":
        options = {"penalty_factor": np.where(groups == 1, 0.0, 1.0 + (groups == 3))}
    memory, stats = _both(X, y, w, groups=groups, **options)
    _assert_same(memory, stats)
    b, lams, grad = kernel_scale(X, y, stats, weights=w)
    pf = options.get("penalty_factor")
    wg = group_weights(groups, pf)
    if "l1_within" in options:
        if options.get("standardize") is False:
            return  # kernel_scale standardizes; the equality above covers this case
        a = options["l1_within"]
        fg = group_factors(groups, pf)
        assert sgl_kkt_violation(b, lams, grad, groups, wg, fg, a) < KKT_TOL
    else:
        ratio = options.get("l1_ratio", 1.0)
        assert kkt_violation(b, lams, grad, groups, wg, ratio) < KKT_TOL


def test_singular_gram_duplicate_and_constant_columns():
    """A column repeated (scaled) in another group and a constant column: the Gram
    is singular, its square root drops the null directions."""
    X, y, groups, w = _case(2)
    X = np.column_stack([X, 2.0 * X[:, 0] - 1.0, np.full(X.shape[0], 3.0)])
    groups = np.append(groups, [groups.max() + 1, groups.max() + 2])
    for options in ({}, {"l1_within": 0.5}):
        memory, stats = _both(X, y, w, groups=groups, **options)
        _assert_same(memory, stats)
        assert np.all(stats.coefs[:, -1] == 0)


def test_without_intercept_and_a_given_grid():
    X, y, groups, w = _case(3)
    memory, stats = _both(X, y, w, groups=groups, fit_intercept=False)
    _assert_same(memory, stats)
    grid = np.geomspace(memory.lambdas[0], memory.lambdas[0] * 1e-3, 15)
    memory, stats = _both(X, y, w, groups=groups, lambdas=grid, l1_within=0.2)
    _assert_same(memory, stats)


def _binomial_by_passes(X, y, w, **options):
    """(in memory, by passes) binomial group paths at a tight tol."""
    n, p = X.shape

    def run_pass(requests):
        return [irls_pass_stats(X, y, w, None, b0, b) for _, b0, b in requests]

    spec = FitSpec.build(n, p, family="binomial", weights=w, tol=1e-16, **options)
    memory = solve(np.asfortranarray(X), y, spec)
    (passes,), _ = binomial_paths_by_passes(
        [GramStats.from_arrays(X, y, w)], spec, run_pass
    )
    return memory, passes


@pytest.mark.parametrize(
    "options",
    [{}, {"l1_ratio": 0.5}, {"l1_within": 0.4}],
    ids=["group-lasso", "group-enet", "sgl"],
)
def test_binomial_by_passes_equals_the_in_memory_group_path_and_kkt(options):
    """The IRLS driver with the group kernel on each Newton model: the in-memory
    binomial group path (same grid), and the group KKT conditions on the rows."""
    X, y, groups = problem(seed=6, n=300, family="binomial")
    w = np.random.default_rng(7).uniform(0.3, 3.0, y.size)
    memory, passes = _binomial_by_passes(X, y, w, groups=groups, **options)
    _assert_same(memory, passes)
    b, lams, grad = kernel_scale(X, y, passes, weights=w)
    wg = group_weights(groups)
    if "l1_within" in options:
        fg = group_factors(groups)
        viol = sgl_kkt_violation(b, lams, grad, groups, wg, fg, options["l1_within"])
    else:
        viol = kkt_violation(b, lams, grad, groups, wg, options.get("l1_ratio", 1.0))
    assert viol < KKT_TOL
    assert passes.df[-1] > 0 and passes.df[0] == 0
