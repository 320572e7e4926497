"""The gaussian group lasso, group elastic net and sparse-group lasso from
sufficient statistics (``gaussian_path_from_stats`` with ``groups``: the group
kernel on the square-root rows of the Gram) equal ``solve()`` on the rows, and
satisfy the group KKT conditions on the rows."""

import numpy as np
import pytest
from test_group_path import group_weights, kernel_scale, kkt_violation, problem
from test_sparse_group_path import group_factors, sgl_kkt_violation

from penstat._errors import ArgumentError
from penstat.solver import solve
from penstat.solver.gram import (
    GramStats,
    binomial_paths_by_passes,
    gaussian_path_from_stats,
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


def test_binomial_groups_are_refused_by_name():
    X, y, groups, w = _case(4)
    yb = (y > np.median(y)).astype(float)
    spec = FitSpec.build(X.shape[0], X.shape[1], groups=groups, family="binomial")
    with pytest.raises(ArgumentError, match="available for gaussian paths"):
        binomial_paths_by_passes([GramStats.from_arrays(X, yb)], spec, lambda r: [])
