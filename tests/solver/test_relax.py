"""The unpenalized refits of the relaxed lasso with weights, an offset and without an
intercept: each refit is checked by its optimality conditions (the weighted score on
the active set, and on the intercept, is zero), not against the library it uses."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from penstat.solver import fit_path
from penstat.solver.relax import GAMMA_FLOOR, blend, relax_path


def _data(family, seed=0, n=150, p=8):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    eta = X[:, 0] - X[:, 1] + 0.5 * X[:, 2]
    offset = rng.uniform(-0.5, 0.5, size=n)
    w = rng.uniform(0.0, 2.0, size=n)
    w[:5] = 0.0  # rows of weight 0 take no part
    if family == "gaussian":
        y = 1.0 + eta + offset + rng.normal(size=n)
    else:
        y = (rng.uniform(size=n) < expit(eta + offset - 0.3)).astype(float)
    return X, y, w, offset


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_refits_solve_the_weighted_score_equations(family, fit_intercept):
    X, y, w, offset = _data(family)
    path = fit_path(X, y, family=family, weights=w, offset=offset,
                    fit_intercept=fit_intercept, nlambda=30)  # fmt: skip
    rel = relax_path(path, X, y)
    assert rel.refitted[path.df > 0].all() and rel.skipped is None
    checked = 0
    for k in np.flatnonzero(rel.refitted):
        active = path.coefs[k] != 0
        np.testing.assert_array_equal(rel.coefs[k] != 0, active)
        eta = rel.intercepts[k] + X @ rel.coefs[k] + offset
        mu = eta if family == "gaussian" else expit(eta)
        score = X[:, active].T @ (w * (y - mu))
        assert np.max(np.abs(score)) < 1e-8 * len(y)
        if fit_intercept:
            assert abs(np.sum(w * (y - mu))) < 1e-8 * len(y)
        else:
            assert rel.intercepts[k] == 0.0
        checked += 1
    assert checked > 10


def test_blend_floors_gamma_as_glmnet():
    b0, b = blend(0.0, np.array([1.0]), np.array([[1.0]]), np.array([0.0]),
                  np.array([[0.0]]))  # fmt: skip
    assert b[0, 0] == GAMMA_FLOOR and b0[0] == GAMMA_FLOOR
    assert blend(0.5, 1.0, 1.0, 0.0, 0.0)[1] == 0.5
