"""weights=None (unit weights, never held as a vector of ones) gives the same path as
an explicit vector of ones, to the last bit, on every route of ``solve``."""

import numpy as np
import pytest
import scipy.sparse

from penstat.selection import cross_validate
from penstat.solver import fit_path
from penstat.solver.fit import checked, solve

FIELDS = ("lambdas", "intercepts", "coefs", "deviance", "dev_ratio", "df", "n_iter")


def _data(family, n=120, p=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 3] *= 50.0
    eta = X[:, 0] - 0.5 * X[:, 1] + 0.02 * X[:, 3]
    if family == "gaussian":
        y = eta + rng.standard_normal(n)
    else:
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y


def _same(a, b):
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.null_deviance == b.null_deviance


CASES = [
    {},
    {"fit_intercept": False},
    {"standardize": False},
    {"l1_ratio": 0.5, "penalty_factor": [0, 1, 1, 1, 2, 1, 1, 1]},
    {"lower_limits": -0.3, "upper_limits": 0.4},
    {"groups": [0, 0, 1, 1, 2, 2, 3, 3]},
    {"sparse": True},
]


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(c) or "plain")
@pytest.mark.parametrize("offset", [False, True])
def test_unit_weights_equal_ones_bit_for_bit(family, case, offset):
    X, y = _data(family)
    options = dict(case)
    if options.pop("sparse", False):
        X = scipy.sparse.csc_matrix(np.where(np.abs(X) > 0.7, X, 0.0))
    if offset:
        options["offset"] = np.linspace(-0.5, 0.5, y.size)
    n = y.size
    unit = fit_path(X, y, family=family, nlambda=25, **options)
    ones = fit_path(X, y, family=family, nlambda=25, weights=np.ones(n), **options)
    assert unit.spec.weights is None and ones.spec.weights is not None
    _same(unit, ones)


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_rows_and_cv_with_unit_weights_equal_ones(family):
    X, y = _data(family, n=200)
    n = y.size
    rows = np.random.default_rng(3).integers(0, n, n)
    Xa, ya, spec_unit = checked(X, y, family=family, nlambda=20)
    _, _, spec_ones = checked(X, y, family=family, nlambda=20, weights=np.ones(n))
    # a bootstrap replicate's rows, read from X in place
    _same(
        solve(Xa, ya[rows], spec_unit.take(rows), rows=rows),
        solve(Xa, ya[rows], spec_ones.take(rows), rows=rows),
    )
    a, b = solve(Xa, ya, spec_unit), solve(Xa, ya, spec_ones)
    cv_a = cross_validate(a, X, y, nfolds=5, seed=1, n_jobs=1, progress=False)
    cv_b = cross_validate(b, X, y, nfolds=5, seed=1, n_jobs=1, progress=False)
    for name in ("cvm", "cvsd", "fold_values", "fold_weights"):
        np.testing.assert_array_equal(getattr(cv_a, name), getattr(cv_b, name))
    assert cv_a.lam_min == cv_b.lam_min


def test_caller_arrays_untouched_with_unit_weights():
    X, y = _data("gaussian")
    X0, y0 = X.copy(), y.copy()
    fit_path(X, y, nlambda=10)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
