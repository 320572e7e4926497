"""The CV folds fitted on the columns their paths move (solve_compact) give the
fold values of the whole paths (solve, then the held-out predictions), bit for bit."""

import numpy as np
import pytest

from penstat.selection.cv import _predict_rows, cv_path
from penstat.selection.measures import nan_weighted_mean, raw_measure
from penstat.solver import solve
from penstat.spec import FitSpec


def _whole_path_fold_values(X, y, spec, folds, measure, rows):
    """Each fold's measure per lambda from its whole (nlambda, p) path."""
    lambdas = spec.lambdas
    out = []
    for k in range(int(folds.max()) + 1):
        test = folds == k
        train = np.flatnonzero(~test)
        path = solve(X, y[train], spec.take(train), rows=rows[train])
        held = rows[test]
        eta = np.empty((held.size, lambdas.size))
        fitted = path.intercepts.shape[0]
        eta[:, :fitted] = _predict_rows(X, held, path.coefs) + path.intercepts
        if spec.offset is not None:
            eta[:, :fitted] += spec.offset[test][:, None]
        eta[:, fitted:] = eta[:, fitted - 1 : fitted]
        w = np.ones(held.size) if spec.weights is None else spec.weights[test]
        out.append(nan_weighted_mean(raw_measure(eta, y[test], measure, spec.family), w))
    return np.array(out)


@pytest.mark.parametrize(
    "family, n, p, measure, extras",
    [
        ("gaussian", 60, 1500, "mse", ()),  # kept columns: the compact product
        ("gaussian", 60, 1500, "mae", ("weights", "offset")),
        ("gaussian", 80, 30, "mse", ()),  # small: the dense product
        ("binomial", 90, 1200, "deviance", ("weights",)),
        ("binomial", 90, 800, "class", ("offset",)),
    ],
)
def test_fold_values_equal_whole_paths(family, n, p, measure, extras):
    rng = np.random.default_rng(n + p)
    X = np.asfortranarray(rng.standard_normal((n + 11, p)))
    eta = X[:, :4] @ np.array([1.0, -0.8, 0.6, 0.5])
    if family == "gaussian":
        y = eta + rng.standard_normal(n + 11)
    else:
        y = (rng.random(n + 11) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    rows = np.sort(rng.choice(n + 11, size=n, replace=False))  # a split's rows
    opts = {}
    if "weights" in extras:
        opts["weights"] = rng.uniform(0.3, 2.0, n)
    if "offset" in extras:
        opts["offset"] = 0.2 * rng.standard_normal(n)
    spec = FitSpec.build(n, p, family=family, **opts)
    path = solve(X, y[rows], spec, rows=rows)
    folds = rng.permutation(np.arange(n) % 10)
    cv = cv_path(path, X, y[rows], folds, measure, n_jobs=1, progress=False, rows=rows)
    expected = _whole_path_fold_values(
        X, y[rows], spec.with_grid(path.lambdas), folds, measure, rows
    )
    assert cv.fold_values.shape == expected.shape
    assert np.array_equal(cv.fold_values, expected)


@pytest.mark.parametrize(
    "backend, seed, n, p, nfolds",
    [
        # the folds share one pool of kernel buffers: concurrent folds take their own
        ("threading", 11, 60, 1500, 10),
        # the folds' data (with its pool of kernel buffers) is pickled to the workers
        ("loky", 12, 50, 1200, 5),
    ],
)
def test_fold_values_the_same_on_two_workers(backend, seed, n, p, nfolds):
    import joblib

    rng = np.random.default_rng(seed)
    X = np.asfortranarray(rng.standard_normal((n, p)))
    y = X[:, :3] @ np.array([1.0, -1.0, 0.5]) + rng.standard_normal(n)
    path = solve(X, y, FitSpec.build(n, p))
    folds = np.arange(n) % nfolds
    one = cv_path(path, X, y, folds, "mse", n_jobs=1, progress=False)
    with joblib.parallel_config(backend=backend):
        two = cv_path(path, X, y, folds, "mse", n_jobs=2, progress=False)
    assert np.array_equal(one.fold_values, two.fold_values)
