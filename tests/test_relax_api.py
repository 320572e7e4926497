"""The relaxed lasso through the formula API (``relax=True``).

The relaxed coefficients are checked against an independent computation: the lasso
coefficients of the fit's own path at the chosen lambda, blended with a weighted
least-squares solution (numpy) on the active set. R glmnet's values are checked in
tests/selection/test_relax_glmnet.py.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import penstat as ps
from penstat import ArgumentError
from penstat._errors import SeparationWarning
from penstat.results.export import fit_to_dict


def _frame(n=150, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(6)])
    df["y"] = 1.0 + 2 * X[:, 0] - 1.5 * X[:, 1] + X[:, 2] + rng.normal(size=n)
    df["w"] = rng.uniform(0.2, 3.0, size=n)
    return df


@pytest.fixture(scope="module")
def relaxed():
    return ps.lasso("y ~ .", _frame(), relax=True, weights="w", seed=3, nfolds=5)


def test_coefficients_are_the_blend_with_the_weighted_refit(relaxed):
    fit = relaxed
    assert fit.gamma in (0.0, 0.25, 0.5, 0.75, 1.0)
    X, y, w = fit.design.X, fit.design.y, fit.spec.weights
    k = fit.index
    active = fit.path.coefs[k] != 0
    Z = np.column_stack([np.ones(len(y)), X[:, active]])
    sw = np.sqrt(w)
    ols = np.linalg.lstsq(Z * sw[:, None], y * sw, rcond=None)[0]
    g = max(fit.gamma, 1e-5)
    want = np.zeros(X.shape[1])
    want[active] = g * fit.path.coefs[k][active] + (1 - g) * ols[1:]
    want0 = g * fit.path.intercepts[k] + (1 - g) * ols[0]
    np.testing.assert_allclose(fit.coef.to_numpy()[1:], want, rtol=1e-10, atol=1e-12)
    assert fit.intercept == pytest.approx(want0, rel=1e-10)
    assert fit.selected == [c for c, a in zip(fit.design.columns, active, strict=True) if a]


def test_predict_and_coef_at_use_the_relaxed_fit(relaxed):
    fit = relaxed
    link = fit.predict(type="link").to_numpy()
    np.testing.assert_allclose(link, fit.design.X @ fit.coef.to_numpy()[1:] + fit.intercept)
    assert np.allclose(fit.coef_at(fit.lam), fit.coef)
    # lambda.min is the joint minimum over (lambda, gamma)
    rcv = fit.relax.cv
    k = rcv.index_min
    b0, b = fit.relax.relaxed.blend(rcv.gamma_min)
    np.testing.assert_allclose(fit.coef_at("lambda.min").to_numpy()[1:], b[k])
    assert fit.lam == fit.path.lambdas[rcv.index_1se]
    assert fit.gamma == rcv.gamma_1se


def test_refit_at_its_own_lambda_and_gamma(relaxed):
    fit = relaxed
    again = fit.refit_rows(np.arange(fit.n_obs), fixed_lam=True)
    np.testing.assert_allclose(again, fit.coef.to_numpy()[1:], rtol=1e-8, atol=1e-10)


def test_summary_and_json_say_relaxed(relaxed):
    text = str(relaxed.summary())
    assert f"relaxed (gamma={relaxed.gamma:g})" in text
    record = json.loads(json.dumps(fit_to_dict(relaxed), allow_nan=False))
    assert record["model"]["estimator"] == f"relaxed (gamma={relaxed.gamma:g})"
    assert record["model"]["relax"]["gamma"] == relaxed.gamma
    coefs = {c["column"]: c["coef"] for c in record["coefficients"]}
    assert coefs["x0"] == pytest.approx(relaxed.coef["x0"])
    plain = ps.lasso("y ~ .", _frame(), lam=0.1)
    assert fit_to_dict(plain)["model"]["relax"] is None


def test_elastic_net_and_cv_min():
    fit = ps.elastic_net("y ~ .", _frame(), l1_ratio=0.5, relax=True, select="cv_min",
                         seed=1, nfolds=5)  # fmt: skip
    assert fit.lam == fit.selection.lam_min
    assert fit.gamma == fit.relax.cv.gamma_min


def test_separated_active_set_does_not_crash():
    rng = np.random.default_rng(5)
    x = rng.normal(size=60)
    df = pd.DataFrame({"x": x, "z": rng.normal(size=60), "y": (x > 0).astype(int)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = ps.lasso("y ~ x + z", df, family="binomial", relax=True, seed=0, nfolds=5)
    assert any(issubclass(w.category, SeparationWarning) for w in caught)
    assert np.isfinite(fit.coef).all()
    rel = fit.relax.relaxed
    assert rel.skipped is not None and "separation" in rel.skipped
    # where no refit exists, the refit of the last lambda that has one is used (here
    # the intercept-only model of the first lambdas)
    have = rel.refitted | (fit.path.df == 0)
    last = np.flatnonzero(have)[-1]
    missing = np.flatnonzero(~have)
    assert missing.size > 50
    for k in missing:
        assert np.array_equal(rel.coefs[k], rel.coefs[last])
        assert rel.intercepts[k] == rel.intercepts[last]


@pytest.mark.parametrize(
    "options, word",
    [
        ({"select": "bic"}, "cross-validation"),
        ({"lam": 0.1}, "fixed lambda"),
        ({"l1_ratio": [0.5, 1.0]}, "single l1_ratio"),
        ({"lower_limits": 0}, "limits"),
        ({"relax": "yes"}, "relax"),
    ],
)
def test_bad_input(options, word):
    options = {"relax": True, **options}
    with pytest.raises(ArgumentError, match=word):
        ps.fit("y ~ .", _frame(), penalty="elasticnet" if "l1_ratio" in options else "l1",
               **options)  # fmt: skip


def test_report_states_the_estimator(relaxed, tmp_path):
    text = relaxed.report(tmp_path / "fit.md").read_text()
    assert f"relaxed (gamma={relaxed.gamma:g})" in text
