"""The relaxed lasso against R glmnet (``relax = TRUE``), stored by
scripts/glmnet_reference/relax.R: the unpenalized refits and the blended coefficients
at every (lambda, gamma) of glmnet's grid, and ``cv.glmnet(relax = TRUE)``'s curves
and joint choice of lambda and gamma on the same folds."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from penstat.selection.relax import choose_relaxed
from penstat.solver import fit_path
from penstat.solver.relax import relax_path
from penstat.spec import SelectSpec

DATA = Path(__file__).parents[1] / "data"
# the p > n case warns about its large active sets (test_large_active_sets_warn)
pytestmark = pytest.mark.filterwarnings("ignore:relaxed fit:UserWarning")
FAMILIES = ["gaussian", "binomial", "gaussian_p_gt_n"]
TOL = 1e-16  # glmnet ran with thresh=1e-30 (as tests/solver/test_path_glmnet.py)


def load(case):
    with open(DATA / f"glmnet_relax_{case}.json") as f:
        d = json.load(f)
    return {
        k: np.asarray(v, dtype=float) if isinstance(v, list) else v for k, v in d.items()
    }


def fitted(d):
    # R's first lambda is lambda_max from glmnet's own arithmetic; there penstat's
    # rounding can leave a coefficient of 1e-16 (a one-column active set instead of
    # none), so it is raised by 1e-12 relative: both paths start at the null model
    lambdas = d["lambda"].copy()
    lambdas[0] *= 1 + 1e-12
    path = fit_path(d["X"], d["y"], family=d["family"], lambdas=lambdas, tol=TOL)
    return path, relax_path(path, d["X"], d["y"])


@pytest.mark.parametrize("family", FAMILIES)
def test_lasso_path_matches(family):
    d = load(family)
    path, _ = fitted(d)
    np.testing.assert_allclose(path.coefs, d["beta"], rtol=0, atol=1e-6)
    assert (np.count_nonzero(path.coefs, axis=1) == np.count_nonzero(d["beta"], 1)).all()


@pytest.mark.parametrize("family", FAMILIES)
def test_refits_match_glmnet_at_every_lambda(family):
    d = load(family)
    _, rel = fitted(d)
    df = np.count_nonzero(d["beta"], axis=1)
    # relax.glmnet refits the active sets of at most n - 3 columns (maxp)
    np.testing.assert_array_equal(rel.refitted, (df > 0) & (df <= d["n"] - 3))
    kept = np.isin(d["lambda"], d["relaxed_lambda"])
    assert kept.sum() == len(d["relaxed_lambda"])
    np.testing.assert_allclose(rel.coefs[kept], d["relaxed_beta"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(rel.intercepts[kept], d["relaxed_a0"], rtol=0, atol=1e-6)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("gamma", [0.0, 0.25, 0.5, 0.75])
def test_blend_matches_coef_gamma(family, gamma):
    d = load(family)
    path, rel = fitted(d)
    b0, b = rel.blend(gamma)
    want = d[f"blend_{gamma:g}"]
    np.testing.assert_allclose(b0, want[:, 0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(b, want[:, 1:], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(rel.blend(1.0)[1], path.coefs)


@pytest.mark.parametrize("family", FAMILIES)
def test_refits_are_unpenalized_optima(family):
    # KKT of the unpenalized fit on the active set: the score is zero there
    d = load(family)
    _, rel = fitted(d)
    X, y = d["X"], d["y"]
    for k in np.flatnonzero(rel.refitted):
        eta = rel.intercepts[k] + X @ rel.coefs[k]
        mu = eta if d["family"] == "gaussian" else 1 / (1 + np.exp(-eta))
        active = rel.coefs[k] != 0
        score = X[:, active].T @ (y - mu) / len(y)
        assert np.max(np.abs(score)) < 1e-9
        assert abs(np.mean(y - mu)) < 1e-9


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("rule", ["cv_min", "cv_1se"])
def test_cv_matches_cv_glmnet_relax(family, rule):
    d = load(family)
    path, _ = fitted(d)
    select = SelectSpec(
        rule=rule, foldid=d["foldid"].astype(int), measure=d["measure"], relax=True
    )
    selection, relax = choose_relaxed(path, d["X"], d["y"], select)
    rcv = relax.cv
    assert rcv.gammas == tuple(d["gammas"])
    cvm = np.array([cv.cvm for cv in rcv.cvs])
    cvsd = np.array([cv.cvsd for cv in rcv.cvs])
    np.testing.assert_allclose(cvm, d["cvm"], rtol=1e-6)
    np.testing.assert_allclose(cvsd, d["cvsd"], rtol=1e-6)
    assert rcv.index_min == d["index_min"] and rcv.gamma_min == d["gamma_min"]
    assert rcv.index_1se == d["index_1se"] and rcv.gamma_1se == d["gamma_1se"]
    assert selection.lam_min == pytest.approx(d["lambda_min"], rel=1e-12)
    assert selection.lam_1se == pytest.approx(d["lambda_1se"], rel=1e-12)
    want_gamma = d["gamma_min"] if rule == "cv_min" else d["gamma_1se"]
    want_lam = d["lambda_min"] if rule == "cv_min" else d["lambda_1se"]
    assert relax.gamma == want_gamma
    assert selection.lam == pytest.approx(want_lam, rel=1e-12)


@pytest.mark.parametrize("family", FAMILIES)
def test_cv_on_fold_grids_matches_cv_glmnet_default(family):
    # cv_grid="glmnet": the full path and every fold on their own grids, the folds
    # predicted at the full data's lambdas by interpolation (cv.glmnet without lambda)
    d = load(family)
    path = fit_path(d["X"], d["y"], family=d["family"], tol=TOL)
    np.testing.assert_allclose(path.lambdas, d["lambda"], rtol=1e-10)
    select = SelectSpec(
        rule="cv_min",
        foldid=d["foldid"].astype(int),
        measure=d["measure"],
        relax=True,
        cv_grid="glmnet",
    )
    _, relax = choose_relaxed(path, d["X"], d["y"], select)
    rcv = relax.cv
    cvm = np.array([cv.cvm for cv in rcv.cvs])
    np.testing.assert_allclose(cvm, d["cvm_grid"], rtol=1e-6)
    np.testing.assert_allclose(np.array([cv.cvsd for cv in rcv.cvs]), d["cvsd_grid"],
                               rtol=1e-6)  # fmt: skip
    assert (rcv.index_min, rcv.gamma_min) == (d["index_min_grid"], d["gamma_min_grid"])
    assert (rcv.index_1se, rcv.gamma_1se) == (d["index_1se_grid"], d["gamma_1se_grid"])
    # the fold grids change the curves: the option is not a no-op here
    assert np.max(np.abs(cvm - d["cvm"]) / d["cvm"]) > 1e-6


def test_large_active_sets_warn():
    d = load("gaussian_p_gt_n")
    path = fit_path(d["X"], d["y"], lambdas=d["lambda"], tol=TOL)
    with pytest.warns(UserWarning, match="more than n - 3 columns"):
        rel = relax_path(path, d["X"], d["y"])
    assert rel.skipped == "size"
    small = load("gaussian")
    path = fit_path(small["X"], small["y"], lambdas=small["lambda"], tol=TOL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert relax_path(path, small["X"], small["y"]).skipped is None
