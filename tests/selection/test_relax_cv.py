"""The relaxed lasso's CV, fold by fold: the curve of every gamma equals the one
computed from the held-out predictions of all the rows at once."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from penstat.selection.cv import cv_from_predictions
from penstat.selection.relax import cv_relaxed
from penstat.solver import fit_path, solve
from penstat.solver.relax import RELAX_GAMMAS, blend, relax_path


def _held_out_curves(path, X, y, folds, measure):
    """Every row's lasso and refit predictions from the fold paths (fitted on the
    full data's lambdas), then the CV curve of each gamma from them."""
    lambdas = path.lambdas
    spec = path.spec.with_grid(lambdas)
    n = y.shape[0]
    eta_lasso, eta_refit = np.empty((n, lambdas.size)), np.empty((n, lambdas.size))
    for k in range(int(folds.max()) + 1):
        test = folds == k
        train = np.flatnonzero(~test)
        fold = solve(X[train], y[train], spec.take(train))
        rel = relax_path(fold, X[train], y[train])
        fitted = fold.intercepts.shape[0]
        for eta, b0, b in (
            (eta_lasso, fold.intercepts, fold.coefs),
            (eta_refit, rel.intercepts, rel.coefs),
        ):
            eta[test, :fitted] = X[test] @ b.T + b0
            if spec.offset is not None:
                eta[test, :fitted] += spec.offset[test][:, None]
            eta[test, fitted:] = eta[test, fitted - 1 : fitted]
    w = np.ones(n) if spec.weights is None else spec.weights
    return [
        cv_from_predictions(
            blend(g, eta_lasso, eta_lasso, eta_refit, eta_refit)[1],
            y,
            w,
            folds,
            lambdas,
            measure,
            path,
        )
        for g in RELAX_GAMMAS
    ]


@pytest.mark.parametrize(
    ("family", "measure", "n", "nfolds"),
    [
        ("gaussian", "mse", 150, 5),
        ("gaussian", "mae", 20, 10),  # fewer than 3 rows per fold: ungrouped
        ("binomial", "deviance", 150, 5),
        ("binomial", "auc", 150, 5),
    ],
)
def test_fold_by_fold_curves_equal_the_held_out_predictions(family, measure, n, nfolds):
    rng = np.random.default_rng(11)
    X = rng.standard_normal((n, 5))
    eta = X[:, 0] - X[:, 1]
    if family == "gaussian":
        y = eta + rng.standard_normal(n)
    else:
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    weights = rng.uniform(0.5, 2.0, n)
    offset = 0.2 * rng.standard_normal(n)
    path = fit_path(X, y, family=family, nlambda=10, weights=weights, offset=offset)
    folds = np.arange(n) % nfolds
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = cv_relaxed(path, X, y, folds, measure)
        want = _held_out_curves(path, X, y, folds, measure)
    assert got.gammas == RELAX_GAMMAS
    for cv_got, cv_want in zip(got.cvs, want, strict=True):
        assert cv_got.grouped == cv_want.grouped
        np.testing.assert_allclose(cv_got.cvm, cv_want.cvm, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(cv_got.cvsd, cv_want.cvsd, rtol=1e-10, atol=1e-14)
