"""penstat.fit_path against R glmnet paths stored in tests/data/glmnet_path_*.json.

The reference files are written by ``scripts/make_glmnet_reference.sh`` (which runs
``scripts/glmnet_reference/paths.R``) with glmnet's convergence threshold at 1e-30,
so the stored coefficients are the optimum to double precision; ``test_reference_*``
checks that claim on the files themselves, independently of penstat.

glmnet's ``alpha`` is penstat's ``l1_ratio`` and glmnet's ``lambda`` is ``lam``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"
CASE_FILES = sorted(DATA.glob("glmnet_path_*.json"))
CASES = [f.stem.removeprefix("glmnet_path_") for f in CASE_FILES]

# At the default tol the objective must be within this of the optimum at every lambda
# (issue 2's contract); at TIGHT_TOL coefficients must match glmnet's to COEF_TOL.
# penstat's tol bounds the objective (a relative duality gap), so coefficients are
# accurate only to about sqrt(tol / curvature): a tol far below the default is needed
# to compare them at 1e-6 where the problem is badly conditioned (duplicated columns,
# nearly separable classes).
DEFAULT_OBJECTIVE_RTOL = 1e-6
TIGHT_TOL = 1e-16
COEF_TOL = 1e-6


@functools.cache
def load_case(name: str) -> dict:
    case = json.loads((DATA / f"glmnet_path_{name}.json").read_text())
    nlam = len(case["lambda"])
    case["X"] = np.asarray(case["X"], dtype=float)
    case["y"] = np.asarray(case["y"], dtype=float)
    for key in ("lambda", "a0", "dev_ratio", "df"):
        case[key] = np.asarray(case[key], dtype=float)
    case["beta"] = np.asarray(case["beta"], dtype=float).reshape(nlam, case["p"])
    if case["weights"] is not None:
        case["weights"] = np.asarray(case["weights"], dtype=float)
    if case["penalty_factor"] is not None:
        case["penalty_factor"] = np.asarray(case["penalty_factor"], dtype=float)
    if case["lambda_given"] is not None:
        case["lambda_given"] = np.asarray(case["lambda_given"], dtype=float)
    # only the cases fitted with an offset carry the key
    case["offset"] = (
        np.asarray(case["offset"], dtype=float) if "offset" in case else np.zeros(case["n"])
    )
    case["has_offset"] = bool(np.any(case["offset"] != 0))
    case["duplicate_columns"] = [
        [int(j) for j in group] for group in case["duplicate_columns"] or []
    ]
    case["constant_columns"] = [int(j) for j in case["constant_columns"] or []]
    return case


def first_point_is_exact(case: dict) -> bool:
    """glmnet fits the first point of its own grid at lambda = infinity (all
    coefficients zero, or 1e-36 for ridge) and reports lambda_max. For l1_ratio below
    glmnet's 1e-3 floor lambda_max does not zero the coefficients, so that point is
    not the optimum at the reported lambda and is left out of exact comparisons."""
    return case["user_lambda"] or case["l1_ratio"] >= 1e-3


def compared_rows(case: dict, nlam: int) -> slice:
    return slice(0 if first_point_is_exact(case) else 1, nlam)


def lasso_split_is_unique(case: dict) -> bool:
    return not (case["duplicate_columns"] and case["l1_ratio"] == 1.0)


# ---- an objective independent of penstat -------------------------------------------


def column_scale(case: dict) -> np.ndarray:
    """The scale glmnet penalizes on: weighted 1/n standard deviation (centred, even
    without an intercept) when standardizing, else 1."""
    X = case["X"]
    if not case["standardize"]:
        return np.ones(X.shape[1])
    w = normalized_weights(case)
    centred = X - w @ X
    scale = np.sqrt(w @ centred**2)
    return np.where(scale > 1e-10 * (1.0 + np.abs(X).max(axis=0)), scale, 0.0)


def normalized_weights(case: dict) -> np.ndarray:
    n = case["n"]
    w = np.ones(n) if case["weights"] is None else case["weights"]
    return w / w.sum()


def rescaled_penalty_factor(case: dict) -> np.ndarray:
    p = case["p"]
    pf = np.ones(p) if case["penalty_factor"] is None else case["penalty_factor"]
    return pf * p / pf.sum()


def objective(case: dict, lam: float, intercept: float, coef: np.ndarray) -> float:
    """glmnet's objective (DESIGN.md) on the original scale of X."""
    X, y = case["X"], case["y"]
    w = normalized_weights(case)
    eta = case["offset"] + intercept + X @ coef
    if case["family"] == "gaussian":
        loss = 0.5 * w @ (y - eta) ** 2
    else:
        loss = -(w @ (y * eta - np.logaddexp(0.0, eta)))
    b = coef * column_scale(case)
    a = case["l1_ratio"]
    penalty = rescaled_penalty_factor(case) @ (a * np.abs(b) + 0.5 * (1 - a) * b**2)
    return loss + lam * penalty


def kkt_residual(case: dict, lam: float, intercept: float, coef: np.ndarray) -> float:
    """Largest violation of the subgradient conditions on the penalized scale."""
    X, y = case["X"], case["y"]
    w = normalized_weights(case)
    eta = case["offset"] + intercept + X @ coef
    mu = eta if case["family"] == "gaussian" else 1.0 / (1.0 + np.exp(-eta))
    scale = column_scale(case)
    used = scale > 0
    grad = -(X[:, used].T @ (w * (y - mu))) / scale[used]
    b = (coef * scale)[used]
    pf = rescaled_penalty_factor(case)[used]
    a = case["l1_ratio"]
    active = b != 0
    residual = np.where(
        active,
        np.abs(grad + lam * pf * (a * np.sign(b) + (1 - a) * b)),
        np.maximum(np.abs(grad) - lam * pf * a, 0.0),
    )
    if case["fit_intercept"]:
        residual = np.append(residual, abs(w @ (y - mu)))
    return float(residual.max(initial=0.0))


# ---- the stored references are optima (no penstat involved) --------------------------


def test_reference_files_present():
    assert len(CASES) >= 20, "run scripts/make_glmnet_reference.sh to regenerate"


@pytest.mark.parametrize("name", CASES)
def test_reference_is_optimal(name):
    case = load_case(name)
    rows = compared_rows(case, len(case["lambda"]))
    for lam, a0, b in zip(
        case["lambda"][rows], case["a0"][rows], case["beta"][rows], strict=True
    ):
        # glmnet clips fitted probabilities at 1e-9 on nearly separable data, which
        # leaves gradient residuals of that order; elsewhere they are ~1e-12 * lambda.
        assert kkt_residual(case, lam, a0, b) <= 1e-7 * lam + 1e-10


@pytest.mark.parametrize("name", CASES)
def test_reference_null_deviance(name):
    """glmnet's nulldev is the deviance of the intercept-only model (eta = 0 without an
    intercept) with the weights as given; with an offset, of the intercept fitted with
    it (gaussian: of y - offset)."""
    case = load_case(name)
    y, off = case["y"], case["offset"]
    w = np.ones(case["n"]) if case["weights"] is None else case["weights"]
    if case["family"] == "gaussian":
        y = y - off
        centre = (w @ y) / w.sum() if case["fit_intercept"] else 0.0
        expected = w @ (y - centre) ** 2
    else:

        def deviance(b0):
            eta = off + b0
            return 2 * (w @ (np.logaddexp(0.0, eta) - y * eta))

        if case["fit_intercept"] and case["has_offset"]:
            from scipy.optimize import minimize_scalar

            expected = minimize_scalar(deviance, bracket=(-5, 5), tol=1e-12).fun
        elif case["fit_intercept"]:
            prob = (w @ y) / w.sum()
            expected = deviance(np.log(prob / (1 - prob)))
        else:
            expected = deviance(0.0)
    np.testing.assert_allclose(case["nulldev"], expected, rtol=1e-10)


# ---- penstat against the references -------------------------------------------------


@functools.cache
def penstat_path(name: str, tol: float | None):
    import penstat

    case = load_case(name)
    kwargs = dict(
        family=case["family"],
        l1_ratio=float(case["l1_ratio"]),
        penalty_factor=case["penalty_factor"],
        weights=case["weights"],
        standardize=case["standardize"],
        fit_intercept=case["fit_intercept"],
    )
    if case["has_offset"]:
        kwargs["offset"] = case["offset"].copy()
    if case["user_lambda"]:
        kwargs["lambdas"] = case["lambda_given"]
    else:
        kwargs["nlambda"] = int(case["nlambda"])
        if case["lambda_min_ratio"] is not None:
            kwargs["lambda_min_ratio"] = float(case["lambda_min_ratio"])
    if tol is not None:
        kwargs["tol"] = tol
    X = np.asfortranarray(case["X"].copy())
    y = case["y"].copy()
    path = penstat.fit_path(X, y, **kwargs)
    np.testing.assert_array_equal(X, case["X"])  # inputs untouched
    np.testing.assert_array_equal(y, case["y"])
    return path


@pytest.mark.parametrize("name", CASES)
def test_lambda_grid_and_early_stop(name):
    case = load_case(name)
    path = penstat_path(name, None)
    lambdas = np.asarray(path.lambdas)
    if case["user_lambda"]:
        np.testing.assert_allclose(lambdas, case["lambda_given"], rtol=1e-14)
    else:
        # glmnet's grid, and the same early stop: the length must agree too
        assert len(lambdas) == len(case["lambda"]), (
            f"penstat fitted {len(lambdas)} lambdas, glmnet {len(case['lambda'])}"
        )
        np.testing.assert_allclose(lambdas, case["lambda"], rtol=1e-10)


@pytest.mark.parametrize("name", CASES)
def test_objective_at_default_tol(name):
    """At the default tol every point of the path is within 1e-6 (relative) of the
    optimum glmnet found at threshold 1e-30, or better."""
    case = load_case(name)
    path = penstat_path(name, None)
    nlam = min(len(path.lambdas), len(case["lambda"]))
    coefs = np.asarray(path.coefs)
    for k in range(nlam):
        lam = case["lambda"][k]
        ours = objective(case, lam, path.intercepts[k], coefs[k])
        ref = objective(case, lam, case["a0"][k], case["beta"][k])
        assert (ours - ref) / ref <= DEFAULT_OBJECTIVE_RTOL, (
            f"lambda[{k}] = {lam:.4g}: objective {ours!r} vs glmnet {ref!r}"
        )


@pytest.mark.parametrize("name", CASES)
def test_coefficients_at_tight_tol(name):
    case = load_case(name)
    path = penstat_path(name, TIGHT_TOL)
    nlam = len(case["lambda"])
    assert len(path.lambdas) == nlam
    rows = compared_rows(case, nlam)
    coefs = np.asarray(path.coefs)[rows]
    ref = case["beta"][rows]
    size = max(1.0, np.abs(ref).max())
    np.testing.assert_allclose(
        np.asarray(path.intercepts)[rows], case["a0"][rows], rtol=COEF_TOL, atol=COEF_TOL
    )
    if lasso_split_is_unique(case):
        np.testing.assert_allclose(coefs, ref, rtol=COEF_TOL, atol=COEF_TOL * size)
    else:
        # the lasso may split a duplicated pair any way with a common sign: compare the
        # fitted values, the sums over each pair and everything outside the pairs
        np.testing.assert_allclose(
            coefs @ case["X"].T, ref @ case["X"].T, rtol=COEF_TOL, atol=COEF_TOL * size
        )
        in_groups = [j for group in case["duplicate_columns"] for j in group]
        rest = [j for j in range(case["p"]) if j not in in_groups]
        np.testing.assert_allclose(
            coefs[:, rest], ref[:, rest], rtol=COEF_TOL, atol=COEF_TOL * size
        )
        for group in case["duplicate_columns"]:
            np.testing.assert_allclose(
                coefs[:, group].sum(axis=1),
                ref[:, group].sum(axis=1),
                rtol=COEF_TOL,
                atol=COEF_TOL * size,
            )
    for j in case["constant_columns"]:
        assert np.all(np.asarray(path.coefs)[:, j] == 0.0)


@pytest.mark.parametrize("name", CASES)
def test_objective_at_tight_tol_not_worse(name):
    case = load_case(name)
    path = penstat_path(name, TIGHT_TOL)
    rows = range(len(case["lambda"]))[compared_rows(case, len(case["lambda"]))]
    coefs = np.asarray(path.coefs)
    for k in rows:
        lam = case["lambda"][k]
        ours = objective(case, lam, path.intercepts[k], coefs[k])
        ref = objective(case, lam, case["a0"][k], case["beta"][k])
        assert ours <= ref * (1 + 1e-12) + 1e-15, f"lambda[{k}] = {lam:.4g}"


@pytest.mark.parametrize("name", CASES)
def test_df_dev_ratio_and_null_deviance(name):
    case = load_case(name)
    path = penstat_path(name, TIGHT_TOL)
    rows = compared_rows(case, len(case["lambda"]))
    if lasso_split_is_unique(case):
        np.testing.assert_array_equal(np.asarray(path.df)[rows], case["df"][rows])
    np.testing.assert_allclose(
        np.asarray(path.dev_ratio)[rows], case["dev_ratio"][rows], rtol=1e-6, atol=1e-9
    )
    np.testing.assert_allclose(path.null_deviance, case["nulldev"], rtol=1e-10)
    np.testing.assert_allclose(
        np.asarray(path.deviance)[rows],
        case["nulldev"] * (1 - case["dev_ratio"][rows]),
        rtol=1e-6,
        atol=1e-9 * case["nulldev"],
    )
