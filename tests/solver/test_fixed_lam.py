"""penstat.solver.path_to_lam: the path through a fixed lambda."""

import numpy as np
import pytest
from sklearn.linear_model import Lasso

from penstat import ArgumentError
from penstat.solver import fit_path, path_to_lam

LAM = 0.07
OPTIONS = {"standardize": False, "tol": 1e-13}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((80, 6))
    y = 2.0 * X[:, 0] - X[:, 3] + 0.5 + rng.standard_normal(80)
    return X, y


def lasso_reference(X, y, lam):
    """scikit-learn's Lasso minimizes the same 1/(2n) RSS + lam |b|_1."""
    model = Lasso(alpha=lam, tol=1e-14, max_iter=1_000_000).fit(X, y)
    return model.intercept_, model.coef_


def test_cut_grid_ends_at_lam_and_is_exact(data):
    X, y = data
    path, index = path_to_lam(X, y, LAM, l1_ratio=1.0, **OPTIONS)
    lambdas = np.asarray(path.lambdas)
    assert index == lambdas.size - 1 and lambdas[-1] == LAM
    # glmnet's default grid above lam, as fit_path makes it
    default = np.asarray(fit_path(X, y, standardize=False).lambdas)
    np.testing.assert_allclose(lambdas[:-1], default[default > LAM], rtol=1e-12)
    b0, b = lasso_reference(X, y, LAM)
    np.testing.assert_allclose(path.coefs[index], b, atol=1e-8)
    np.testing.assert_allclose(path.intercepts[index], b0, atol=1e-8)


def test_cut_grid_is_one_fit_and_lam_above_lambda_max_is_the_null_model(data, monkeypatch):
    import penstat.solver.fit as path_module

    kernel = path_module._kernel
    calls = []

    def counting(family):
        calls.append(family)
        return kernel(family)

    monkeypatch.setattr(path_module, "_kernel", counting)
    X, y = data
    path_to_lam(X, y, LAM, l1_ratio=1.0, **OPTIONS)
    assert calls == ["gaussian"]
    top = fit_path(X, y, standardize=False, nlambda=1).lambdas[0]
    path, index = path_to_lam(X, y, 2 * top, l1_ratio=1.0, **OPTIONS)
    np.testing.assert_array_equal(path.lambdas, [2 * top])
    assert index == 0 and not np.any(path.coefs)


def test_full_grid_keeps_both_sides_of_lam(data):
    X, y = data
    path, index = path_to_lam(
        X, y, LAM, l1_ratio=1.0, **OPTIONS, nlambda=30, full_grid=True
    )
    lambdas = np.asarray(path.lambdas)
    assert lambdas[index] == LAM and lambdas[0] > LAM > lambdas[-1]
    default = np.asarray(fit_path(X, y, nlambda=30, standardize=False).lambdas)
    np.testing.assert_allclose(np.delete(lambdas, index), default, rtol=1e-12)
    np.testing.assert_allclose(path.coefs[index], lasso_reference(X, y, LAM)[1], atol=1e-8)


def test_lam_already_on_the_grid_is_not_inserted(data):
    X, y = data
    grid = np.geomspace(1.0, 0.01, 12)
    path, index = path_to_lam(X, y, grid[5], l1_ratio=0.5, lambdas=grid, full_grid=True)
    np.testing.assert_array_equal(path.lambdas, grid)
    assert index == 5


def test_given_grid_is_cut_at_lam(data):
    X, y = data
    grid = np.geomspace(1.0, 0.01, 12)
    path, index = path_to_lam(X, y, 0.3, l1_ratio=1.0, lambdas=grid, **OPTIONS)
    np.testing.assert_array_equal(path.lambdas, np.append(grid[grid > 0.3], 0.3))
    assert index == path.lambdas.size - 1
    np.testing.assert_allclose(path.coefs[index], lasso_reference(X, y, 0.3)[1], atol=1e-8)


@pytest.mark.parametrize(
    "grid_options, pattern",
    [
        ({"nlambda": 0}, "nlambda=0 must be a positive integer"),
        ({"nlambda": 2.5}, "nlambda=2.5"),
        ({"lambda_min_ratio": 1.5}, r"lambda_min_ratio=1.5 must be in \(0, 1\)"),
        ({"lambda_min_ratio": "small"}, "lambda_min_ratio='small' must be a number"),
    ],
)
def test_grid_errors(data, grid_options, pattern):
    X, y = data
    with pytest.raises(ArgumentError, match=pattern):
        path_to_lam(X, y, LAM, l1_ratio=1.0, **grid_options)


@pytest.mark.parametrize("lam", [-1.0, float("nan"), "0.1"])
def test_lam_is_checked(data, lam):
    X, y = data
    with pytest.raises(ArgumentError, match="lam="):
        path_to_lam(X, y, lam, l1_ratio=1.0)
