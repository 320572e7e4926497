"""method="naive": the unpenalized refit on the selected columns, checked against
closed-form least squares, scikit-learn's unpenalized logistic regression and the
observed Fisher information computed here."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.linear_model import LogisticRegression

import penstat as ps
from penstat.inference.naive import NAIVE_CONDITIONING, naive_inference
from penstat.inference.request import InferenceRequest
from penstat.inference.run import RUNNERS


def _quiet(fit, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fit.inference(*args, **kwargs)


def _frame(n=120, p=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = 2.0 * X[:, 0] - 1.5 * X[:, 1] + 0.5 * X[:, 2] + rng.standard_normal(n)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    frame["y"] = y
    frame["w"] = rng.uniform(0.5, 2.0, n)
    frame["off"] = rng.normal(size=n)
    frame["yb"] = (X[:, 0] - X[:, 1] + rng.logistic(size=n) > 0).astype(int)
    return frame


def test_registered_and_warns():
    assert RUNNERS["naive"] is naive_inference
    fit = ps.lasso("y ~ .", _frame().drop(columns=["w", "off", "yb"]), lam=0.1)
    with pytest.warns(UserWarning, match="ignore that the lasso chose"):
        res = fit.inference("naive")
    assert res.method == "naive"
    assert res.conditioning == NAIVE_CONDITIONING
    assert "not valid" in res.conditioning
    assert any("invalid" in note for note in res.notes)
    assert "invalid" in str(res)


def test_gaussian_matches_weighted_least_squares():
    frame = _frame()
    fit = ps.fit(
        "y ~ x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7",
        frame,
        weights=frame["w"].to_numpy(),
        offset="off",
        lam=0.15,
    )
    res = _quiet(fit, "naive", level=0.9)
    chosen = fit.selected
    assert 0 < len(chosen) < 8
    assert res.table.index.tolist() == chosen
    # closed form: beta = (X'WX)^-1 X'W(y - offset), sigma^2 = RSS_w / (n - k)
    X = np.column_stack([np.ones(len(frame)), frame[chosen].to_numpy()])
    w = frame["w"].to_numpy()
    target = frame["y"].to_numpy() - frame["off"].to_numpy()
    gram = X.T @ (w[:, None] * X)
    beta = np.linalg.solve(gram, X.T @ (w * target))
    resid = target - X @ beta
    df = len(frame) - X.shape[1]
    sigma2 = np.sum(w * resid**2) / df
    se = np.sqrt(sigma2 * np.diag(np.linalg.inv(gram)))
    q = stats.t.ppf(0.95, df)
    np.testing.assert_allclose(res.table["estimate"], beta[1:], rtol=1e-9)
    np.testing.assert_allclose(res.table["std_error"], se[1:], rtol=1e-9)
    np.testing.assert_allclose(res.table["ci_lower"], beta[1:] - q * se[1:], rtol=1e-9)
    np.testing.assert_allclose(res.table["ci_upper"], beta[1:] + q * se[1:], rtol=1e-9)
    p = 2 * stats.t.sf(np.abs(beta[1:] / se[1:]), df)
    np.testing.assert_allclose(res.table["p_value"], p, rtol=1e-8)
    assert res.sigma == pytest.approx(np.sqrt(sigma2))
    assert res.table["p_adjusted"].isna().all()


def test_gaussian_with_given_sigma_uses_z_intervals():
    frame = _frame(seed=1)
    fit = ps.lasso("y ~ x0 + x1 + x2 + x3", frame, lam=0.2)
    res = _quiet(fit, "naive", sigma=1.3, level=0.8)
    X = np.column_stack([np.ones(len(frame)), frame[fit.selected].to_numpy()])
    se = 1.3 * np.sqrt(np.diag(np.linalg.inv(X.T @ X)))[1:]
    np.testing.assert_allclose(res.table["std_error"], se, rtol=1e-9)
    half = stats.norm.ppf(0.9) * se
    np.testing.assert_allclose(
        res.table["ci_upper"] - res.table["ci_lower"], 2 * half, rtol=1e-9
    )
    assert (res.sigma, res.sigma_method) == (1.3, "given")


def test_sign_alternative_is_one_sided_towards_the_estimate():
    frame = _frame(seed=2)
    fit = ps.lasso("y ~ x0 + x1 + x2", frame, lam=0.05)
    two = _quiet(fit, "naive")
    one = _quiet(fit, "naive", alternative="sign")
    np.testing.assert_allclose(one.p_values, two.p_values / 2, rtol=1e-9)
    positive = one.table["estimate"] > 0
    assert np.isinf(one.table.loc[positive, "ci_upper"]).all()
    assert np.isinf(one.table.loc[~positive, "ci_lower"]).all()
    assert (~positive).any() and positive.any()


def test_binomial_matches_unpenalized_logistic_regression():
    frame = _frame(n=300, seed=3)
    fit = ps.fit("yb ~ x0 + x1 + x2 + x3 + x4", frame, family="binomial", lam=0.02)
    res = _quiet(fit, "naive")
    chosen = fit.selected
    assert res.table.index.tolist() == chosen
    X = frame[chosen].to_numpy()
    ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000)
    ref.fit(X, frame["yb"])
    np.testing.assert_allclose(res.table["estimate"], ref.coef_[0], rtol=1e-5)
    # standard errors from the Fisher information at sklearn's estimate
    design = np.column_stack([np.ones(len(X)), X])
    prob = ref.predict_proba(X)[:, 1]
    info = design.T @ ((prob * (1 - prob))[:, None] * design)
    se = np.sqrt(np.diag(np.linalg.inv(info)))[1:]
    np.testing.assert_allclose(res.table["std_error"], se, rtol=1e-4)
    p = 2 * stats.norm.sf(np.abs(ref.coef_[0] / se))
    np.testing.assert_allclose(res.p_values, p, rtol=1e-3)
    assert res.sigma is None and res.approximate


def test_unpenalized_columns_are_refitted_and_lam_is_honoured():
    frame = _frame(seed=4)
    formula = "y ~ x0 + x1 + x2 + x3 + x4 + x5"
    fit = ps.lasso(formula, frame, penalty_factor={"x5": 0}, lam=0.3)
    res = _quiet(fit, "naive")
    assert "x5" in res.table.index
    # at a smaller lambda more columns enter: the refit uses the selection there
    other = _quiet(fit, "naive", lam=0.01)
    at_small = ps.lasso(formula, frame, penalty_factor={"x5": 0}, lam=0.01).selected
    assert other.table.index.tolist() == at_small
    assert len(at_small) > len(res.table)
    assert other.lam == 0.01


def test_more_parameters_than_rows_is_a_data_error():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        rng.standard_normal((12, 30)), columns=[f"v{j}" for j in range(30)]
    )
    frame["y"] = frame["v0"] + rng.standard_normal(12)
    fit = ps.lasso("y ~ .", frame, lam=1e-4)
    assert len(fit.selected) >= 11
    with pytest.raises(ps.DataError, match="more rows than parameters"):
        naive_inference(fit, InferenceRequest.build("naive"))
    with pytest.raises(ps.DataError, match="more rows than parameters"):
        _quiet(fit, "naive")


def test_separated_logistic_refit_says_so():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(60)
    frame = pd.DataFrame({"x": x, "z": rng.standard_normal(60), "y": (x > 0) * 1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ps.fit("y ~ x + z", frame, family="binomial", lam=0.01)
        res = naive_inference(fit, InferenceRequest.build("naive"))
    assert "x" in res.table.index
    assert any("separation" in note for note in res.notes)
    # a fit whose refit is not separated carries no such note
    frame["y"] = (x + rng.logistic(size=60) > 0) * 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ps.fit("y ~ x + z", frame, family="binomial", lam=0.01)
        res = naive_inference(fit, InferenceRequest.build("naive"))
    assert not any("separation" in note for note in res.notes)
