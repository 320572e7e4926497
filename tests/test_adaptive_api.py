"""The adaptive lasso (``penalty_factor="adaptive"``) through the formula API.

Checked against a manual two-step fit (the same factors passed explicitly), against R
(``lm`` / ``glm`` initial coefficients and the glmnet path with
``penalty.factor = 1 / |b|``, stored by scripts/glmnet_reference/relax.R), against
penstat's own ridge CV for the p > n initial fit, and for bad input.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import penstat as ps
from penstat import ArgumentError
from penstat.engine import ADAPTIVE_FACTOR_CAP
from penstat.results.export import fit_to_dict

DATA = Path(__file__).parent / "data"


def _frame(n=120, p=6, seed=0, binomial=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    eta = 2 * X[:, 0] - 1.5 * X[:, 1] + 0.5 * X[:, 2]
    if binomial:
        df["y"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int)
    else:
        df["y"] = 1.0 + eta + rng.normal(size=n)
    return df


def test_equals_the_two_step_fit_exactly():
    df = _frame()
    fit = ps.lasso("y ~ .", df, penalty_factor="adaptive", seed=4, nfolds=5)
    init = fit.adaptive_init
    assert init.method == "ols" and init.lam is None
    two_step = ps.lasso("y ~ .", df, penalty_factor=init.penalty_factor, seed=4, nfolds=5)
    assert np.array_equal(fit.coef.to_numpy(), two_step.coef.to_numpy())
    assert fit.lam == two_step.lam
    # the initial fit is least squares on every column, the factors 1 / |b|
    Z = np.column_stack([np.ones(len(df)), df.drop(columns="y").to_numpy()])
    ols = np.linalg.lstsq(Z, df["y"].to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(init.coef, ols[1:], rtol=1e-10)
    np.testing.assert_allclose(init.penalty_factor, 1 / np.abs(ols[1:]), rtol=1e-10)


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_against_r_glmnet(family):
    with open(DATA / f"glmnet_adaptive_{family}.json") as f:
        d = {
            k: np.asarray(v) if isinstance(v, list) else v for k, v in json.load(f).items()
        }
    X, y = d["X"], d["y"]
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])]).assign(y=y)
    fit = ps.fit("y ~ .", df, family=family, penalty_factor="adaptive",
                 lambdas=d["lambda"], select=None, tol=1e-16)  # fmt: skip
    init = fit.adaptive_init
    assert init.method == ("ols" if family == "gaussian" else "logistic")
    np.testing.assert_allclose(init.coef, d["init_coef"][1:], rtol=1e-8)
    np.testing.assert_allclose(init.intercept, d["init_coef"][0], rtol=1e-8)
    np.testing.assert_allclose(init.penalty_factor, d["penalty_factor"], rtol=1e-8)
    size = np.abs(d["beta"]).max()
    np.testing.assert_allclose(fit.path.coefs, d["beta"], rtol=0, atol=1e-6 * size)
    np.testing.assert_allclose(fit.path.intercepts, d["a0"], rtol=0, atol=1e-6)


def test_p_greater_than_n_uses_ridge_by_cv():
    df = _frame(n=30, p=40, seed=2)
    fit = ps.lasso("y ~ .", df, penalty_factor="adaptive", seed=7, nfolds=5)
    init = fit.adaptive_init
    assert init.method == "ridge" and init.seed == 7
    ridge = ps.ridge("y ~ .", df, select="cv_min", seed=7, nfolds=5)
    assert init.lam == ridge.lam
    np.testing.assert_allclose(init.coef, ridge.coef.to_numpy()[1:], rtol=1e-12)
    assert int(np.argmin(init.penalty_factor)) in (0, 1)


def test_folds_of_the_ridge_start_are_not_called_ignored():
    # under a criterion the ridge start still chooses its lambda on the folds
    # given: they were said to be ignored
    df = _frame(n=30, p=40, seed=2)
    df["h"] = np.arange(30) % 3
    options = dict(penalty_factor="adaptive", select="bic")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        fit = ps.lasso("y ~ .", df, foldid="h", **options)
        ps.lasso("y ~ .", df.drop(columns="h"), nfolds=3, **options)
    ridge = ps.ridge("y ~ .", df, select="cv_min", foldid="h")
    assert fit.adaptive_init.method == "ridge" and fit.adaptive_init.lam == ridge.lam
    # an unpenalized start uses no folds: the warning stays
    with pytest.warns(UserWarning, match="foldid is ignored with select='bic'"):
        ps.lasso("y ~ .", _frame().assign(h=np.arange(120) % 3), foldid="h",
                 **options)  # fmt: skip


def test_factors_are_capped():
    df = _frame(seed=3)
    fit = ps.lasso("y ~ .", df, penalty_factor="adaptive", adaptive_gamma=8.0,
                   select="bic")  # fmt: skip
    init = fit.adaptive_init
    pf = init.penalty_factor
    assert init.capped.any() and not init.capped.all()
    np.testing.assert_allclose(pf[init.capped], ADAPTIVE_FACTOR_CAP * pf.min())
    b = np.abs(init.coef)
    free = ~init.capped
    np.testing.assert_allclose(pf[free], b[free] ** -8.0, rtol=1e-12)
    assert (b[init.capped] ** -8.0 > ADAPTIVE_FACTOR_CAP * pf.min()).all()


def test_separated_binomial_falls_back_to_ridge():
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    df = pd.DataFrame({"x": x, "z": rng.normal(size=50), "y": (x > 0).astype(int)})
    fit = ps.lasso("y ~ x + z", df, family="binomial", penalty_factor="adaptive", seed=0,
                   nfolds=5)  # fmt: skip
    assert fit.adaptive_init.method == "ridge"
    assert "separate" in fit.adaptive_init.reason


def test_summary_and_json_report_the_initial_fit():
    fit = ps.lasso("y ~ .", _frame(binomial=True), family="binomial",
                   penalty_factor="adaptive", select="bic")  # fmt: skip
    assert "1/|b|^1, b from logistic regression" in str(fit.summary())
    record = json.loads(json.dumps(fit_to_dict(fit), allow_nan=False))
    init = record["model"]["adaptive_init"]
    assert init["method"] == "logistic"
    assert [c["penalty_factor"] for c in init["columns"]] == pytest.approx(
        fit.adaptive_init.penalty_factor.tolist()
    )
    frame = fit.adaptive_init.to_frame()
    assert frame.index.tolist() == fit.design.columns


@pytest.mark.parametrize(
    "options, word",
    [
        ({"penalty_factor": "adaptive", "adaptive_gamma": 0}, "adaptive_gamma"),
        ({"penalty_factor": "adaptive", "adaptive_gamma": -1.0}, "adaptive_gamma"),
        ({"penalty_factor": "adaptive", "adaptive_gamma": np.inf}, "adaptive_gamma"),
        ({"penalty_factor": "adaptive", "adaptive_gamma": "1"}, "adaptive_gamma"),
        ({"penalty_factor": {"x0": "adaptive"}}, "every column"),
        ({"penalty_factor": ["adaptive"] * 6}, "every column"),
        ({"penalty_factor": {"x0": 0}, "adaptive_gamma": 2.0}, "adaptive_gamma"),
        ({"penalty_factor": "adaptiv"}, "'adaptive'"),
    ],
)
def test_bad_input(options, word):
    with pytest.raises(ArgumentError, match=word):
        ps.lasso("y ~ .", _frame(), select="bic", **options)


def test_report_states_the_initial_fit(tmp_path):
    fit = ps.lasso("y ~ .", _frame(), penalty_factor="adaptive", select="bic")
    text = fit.report(tmp_path / "fit.md").read_text()
    # the Markdown report escapes "_" and "|"
    assert "adaptive lasso: penalty\\_factor = 1/\\|b\\|^1, b from least squares" in text
