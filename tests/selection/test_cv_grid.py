"""``cv_grid``: folds at the full data's lambdas, or on their own grids as
``cv.glmnet`` does by default (stored by scripts/glmnet_reference/cv_grid.R)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import penstat as ps
from penstat._errors import ArgumentError
from penstat.selection import cross_validate, select_lambda
from penstat.solver import fit_path

DATA = Path(__file__).parents[1] / "data"
CASES = ("boston_enet", "binomial_lasso")
TOL = 1e-12  # glmnet ran with thresh=1e-30


def load(case):
    with open(DATA / f"glmnet_cvgrid_{case}.json") as f:
        d = json.load(f)
    for key in ("X", "y", "foldid", "lambda", "cvm", "cvsd", "cvm_full", "cvsd_full"):
        d[key] = np.asarray(d[key], dtype=float)
    return d


def select(d, cv_grid):
    path = fit_path(d["X"], d["y"], family=d["family"], l1_ratio=d["l1_ratio"], tol=TOL)
    np.testing.assert_allclose(path.lambdas, d["lambda"], rtol=1e-10)
    return select_lambda(
        path,
        d["X"],
        d["y"],
        rule="cv_min",
        foldid=d["foldid"].astype(int),
        measure=d["measure"],
        cv_grid=cv_grid,
    )


@pytest.mark.parametrize("case", CASES)
def test_cv_grid_glmnet_matches_cv_glmnet_default(case):
    d = load(case)
    cv = select(d, "glmnet").cv
    np.testing.assert_allclose(cv.cvm, d["cvm"], rtol=1e-7)
    np.testing.assert_allclose(cv.cvsd, d["cvsd"], rtol=1e-6)
    assert (cv.index_min, cv.index_1se) == (d["index_min"], d["index_1se"])
    assert cv.lam_min == pytest.approx(d["lambda_min"], rel=1e-10)


@pytest.mark.parametrize("case", CASES)
def test_cv_grid_full_matches_cv_glmnet_given_the_lambdas(case):
    d = load(case)
    cv = select(d, "full").cv
    np.testing.assert_allclose(cv.cvm, d["cvm_full"], rtol=1e-7)
    assert (cv.index_min, cv.index_1se) == (d["index_min_full"], d["index_1se_full"])
    # the two grids give different curves: the option is not a no-op
    assert np.max(np.abs(cv.cvm - d["cvm"]) / d["cvm"]) > 1e-4


def test_cv_grid_same_on_a_user_grid():
    d = load("boston_enet")
    path = fit_path(d["X"], d["y"], l1_ratio=0.5, lambdas=d["lambda"][:30])
    folds = d["foldid"].astype(int)
    full = cross_validate(path, d["X"], d["y"], foldid=folds)
    own = cross_validate(path, d["X"], d["y"], foldid=folds, cv_grid="glmnet")
    assert np.array_equal(full.cvm, own.cvm)


def test_cv_grid_through_fit_and_refused_when_unknown():
    d = load("boston_enet")
    df = pd.DataFrame(d["X"], columns=d["columns"]).assign(medv=d["y"])
    foldid = d["foldid"].astype(int)
    fit = ps.elastic_net("medv ~ .", df, foldid=foldid, cv_grid="glmnet", tol=TOL)
    np.testing.assert_allclose(fit.cv.cvm, d["cvm"], rtol=1e-7)
    assert fit.select_spec.cv_grid == "glmnet"
    with pytest.raises(ArgumentError, match="cv_grid='folds'.*'full'.*'glmnet'"):
        ps.lasso("medv ~ .", df, cv_grid="folds")
