"""The group lasso path against adelie (Yang & Hastie), whose objective is penstat's
with ``standardize=False`` (values made by scripts/adelie_reference.py, run in
adelie's own environment): at every lambda penstat's objective is within 1e-6
(relative) of adelie's, or lower, and the coefficients agree."""

import json
import pathlib

import numpy as np
import pytest

from penstat import fit_path

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
CASES = ["gaussian", "gaussian_wide", "binomial", "binomial_enet"]


def objective(X, y, b0, b, lam, groups, l1_ratio, family):
    eta = b0 + X @ b
    if family == "gaussian":
        loss = 0.5 * np.mean((y - eta) ** 2)
    else:
        loss = np.mean(np.logaddexp(0.0, eta) - y * eta)
    pen = 0.0
    for g in np.unique(groups):
        bg = b[groups == g]
        pen += np.sqrt(bg.size) * (
            l1_ratio * np.linalg.norm(bg) + 0.5 * (1 - l1_ratio) * bg @ bg
        )
    return loss + lam * pen


@pytest.mark.parametrize("name", CASES)
def test_objective_matches_adelie_at_every_lambda(name):
    ref = json.loads((DATA / f"adelie_group_{name}.json").read_text())
    X, y = np.array(ref["X"]), np.array(ref["y"])
    groups = np.array(ref["groups"])
    lambdas = np.array(ref["lambdas"])
    family, l1_ratio = ref["family"], ref["l1_ratio"]
    path = fit_path(
        X,
        y,
        family=family,
        l1_ratio=l1_ratio,
        groups=groups,
        lambdas=lambdas,
        standardize=False,
    )
    assert path.lambdas.size == lambdas.size
    ours = np.array(
        [
            objective(
                X, y, path.intercepts[k], path.coefs[k], lam, groups, l1_ratio, family
            )
            for k, lam in enumerate(lambdas)
        ]
    )
    theirs = np.array(ref["objective"])
    # the stored objective is adelie's solution evaluated with this same formula
    np.testing.assert_allclose(
        [
            objective(X, y, b0, np.array(b), lam, groups, l1_ratio, family)
            for b0, b, lam in zip(ref["intercepts"], ref["coefs"], lambdas, strict=True)
        ],
        theirs,
        rtol=1e-12,
    )
    assert np.all(np.abs(ours - theirs) / np.abs(theirs) <= 1e-6)
    np.testing.assert_allclose(path.coefs, np.array(ref["coefs"]), rtol=0, atol=1e-4)
    # the same groups are selected (but for a group entering at that lambda, whose
    # norm is still below the agreement of the two solvers)
    ng = groups.max() + 1
    norms = [
        np.sqrt(np.array([np.bincount(groups, weights=b * b, minlength=ng) for b in c]))
        for c in (path.coefs, np.array(ref["coefs"]))
    ]
    clear = np.maximum(*norms) > 1e-4
    assert np.array_equal((norms[0] > 0)[clear], (norms[1] > 0)[clear])
    assert (norms[0] > 0).any() and not (norms[0] > 0).all()
