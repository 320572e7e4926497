"""The de-sparsified lasso (method="debiased")."""

import dataclasses
import json
import pathlib

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import penstat as ps
from penstat.inference import InferenceRequest
from penstat.inference.debiased import nodewise_residuals, run_debiased

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"


def _frame(X, y, name="y"):
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    df[name] = y
    return df


def _correlated(n, p, seed, rho=0.6):
    rng = np.random.default_rng(seed)
    C = rho ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    return rng, rng.standard_normal((n, p)) @ np.linalg.cholesky(C).T


def test_low_dimensional_limit_equals_ols():
    # n >> p and a tiny lambda: the lasso is least squares, the nodewise regressions
    # are too (CV picks a lambda near 0), and the intervals are OLS's
    rng, X = _correlated(20000, 5, seed=1)
    y = 1.0 * X[:, 0] - 0.5 * X[:, 1] + rng.standard_normal(X.shape[0])
    fit = ps.lasso("y ~ .", _frame(X, y), lam=1e-7)
    res = fit.inference("debiased", seed=1, progress=False)
    ols = sm.OLS(y, sm.add_constant(X)).fit()
    ci = np.asarray(ols.conf_int())[1:]
    got = res.table[["ci_lower", "ci_upper"]].to_numpy()
    width = ci[:, 1] - ci[:, 0]
    # relative to each interval's width (bounds near 0 have no relative scale)
    assert np.max(np.abs(got - ci) / width[:, None]) < 1e-2
    np.testing.assert_allclose(res.table["std_error"], ols.bse[1:], rtol=1e-2)
    np.testing.assert_allclose(res.table["estimate"], ols.params[1:], rtol=1e-2, atol=1e-4)
    assert res.sigma_method == "OLS residual"


def test_low_dimensional_limit_binomial_near_logit():
    rng, X = _correlated(20000, 4, seed=2)
    eta = X[:, 0] - X[:, 1]
    y = (rng.random(X.shape[0]) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    fit = ps.lasso("y ~ .", _frame(X, y), family="binomial", lam=1e-7)
    res = fit.inference("debiased", seed=1, progress=False)
    logit = sm.Logit(y, sm.add_constant(X)).fit(disp=0)
    np.testing.assert_allclose(res.table["std_error"], logit.bse[1:], rtol=2e-2)
    ci = np.asarray(logit.conf_int())[1:]
    got = res.table[["ci_lower", "ci_upper"]].to_numpy()
    assert np.max(np.abs(got - ci) / (ci[:, 1] - ci[:, 0])[:, None]) < 2e-2
    assert res.approximate is True and res.sigma is None


def test_matches_hdi_lasso_proj_at_fixed_lambdas():
    # scripts/hdi_reference/debiased.R: hdi's lasso.proj given the same initial
    # estimate, sigma and nodewise lasso (glmnet) at one fixed lambda
    ref = json.loads((DATA / "hdi_lasso_proj.json").read_text())
    X = np.asarray(ref["X"], float)
    n = X.shape[0]
    fit = ps.lasso("y ~ .", _frame(X, ref["y"]), lam=ref["lam"])
    np.testing.assert_allclose(fit.coef.to_numpy()[1:], ref["beta"], atol=1e-6)
    request = InferenceRequest.build(
        "debiased", sigma=ref["sigma"], seed=0, progress=False, initial="lasso"
    )
    # hdi scales the columns to sd 1 with n - 1; penstat to mean square 1 with n
    res = run_debiased(fit, request, nodewise_lam=ref["lam_node"] * np.sqrt(n / (n - 1)))
    t = res.table
    np.testing.assert_allclose(t["estimate"], ref["bhat"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(t["std_error"], ref["se"], rtol=1e-5)
    np.testing.assert_allclose(t["p_value"], ref["pval"], rtol=1e-4, atol=1e-10)
    np.testing.assert_allclose(t["p_adjusted"], ref["pval_corr"], rtol=1e-4, atol=1e-10)
    assert res.sigma == ref["sigma"] and res.sigma_method == "given"


def test_nodewise_residuals_kkt_and_scaling():
    rng, X = _correlated(60, 12, seed=3)
    Xs = (X - X.mean(0)) / X.std(0)
    lam = 0.1
    Z, tau2 = nodewise_residuals(Xs, lam)
    n = Xs.shape[0]
    np.testing.assert_allclose(np.einsum("ij,ij->j", Z, Xs) / n, 1.0, rtol=1e-12)
    for j in range(Xs.shape[1]):
        r = Z[:, j] * tau2[j]  # the nodewise lasso residual X_j - X_-j gamma_j
        Xo = np.delete(Xs, j, axis=1)
        grad = Xo.T @ r / n
        gamma = np.linalg.lstsq(Xo, Xs[:, j] - r, rcond=None)[0]
        active = np.abs(gamma) > 1e-8
        # KKT: |X_k' r / n| <= lam, with equality and the sign of gamma_k if active
        assert np.all(np.abs(grad) <= lam * (1 + 1e-5))
        np.testing.assert_allclose(grad[active], lam * np.sign(gamma[active]), rtol=1e-4)


def test_high_dimensional_signal_and_holm():
    rng, X = _correlated(80, 150, seed=4, rho=0.3)
    y = 2.0 * X[:, 0] - 1.5 * X[:, 3] + rng.standard_normal(80)
    fit = ps.lasso("y ~ .", _frame(X, y), select="cv_min", seed=0)
    res = fit.inference("debiased", seed=2, progress=False)
    t = res.table
    assert t.loc["x0", "p_adjusted"] < 1e-6 and t.loc["x3", "p_adjusted"] < 1e-6
    # one data set: within 3 standard errors of the truth (not a coverage check,
    # which is benchmarks/coverage.py's)
    assert abs(t.loc["x0", "estimate"] - 2.0) < 3 * t.loc["x0", "std_error"]
    assert abs(t.loc["x3", "estimate"] + 1.5) < 3 * t.loc["x3", "std_error"]
    assert ((t["p_value"] >= 0) & (t["p_value"] <= 1)).all()
    from statsmodels.stats.multitest import multipletests

    np.testing.assert_allclose(
        t["p_adjusted"], multipletests(t["p_value"], method="holm")[1]
    )
    assert res.adjustment == "Holm" and res.sigma_method.startswith("CV lasso")


def test_same_numbers_for_any_n_jobs():
    rng, X = _correlated(50, 30, seed=5)
    y = X[:, 0] + rng.standard_normal(50)
    fit = ps.lasso("y ~ .", _frame(X, y), lam=0.1)
    one = fit.inference("debiased", seed=3, n_jobs=1, progress=False)
    two = fit.inference("debiased", seed=3, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(one.table, two.table)
    pd.testing.assert_frame_equal(one.details["nodewise_cv"], two.details["nodewise_cv"])


def test_weights_are_the_sqrt_weight_transform():
    # integer weights act as repeated rows
    rng, X = _correlated(300, 4, seed=6)
    y = X[:, 0] + rng.standard_normal(300)
    w = rng.integers(1, 3, size=300).astype(float)
    df = _frame(X, y)
    req = InferenceRequest.build("debiased", sigma=1.0, seed=0, progress=False)
    weighted = run_debiased(ps.lasso("y ~ .", df, lam=1e-6, weights=w), req, 1e-6)
    rep = df.loc[df.index.repeat(w.astype(int))].reset_index(drop=True)
    repeated = run_debiased(ps.lasso("y ~ .", rep, lam=1e-6), req, 1e-6)
    cols = ["estimate", "ci_lower", "ci_upper"]
    np.testing.assert_allclose(weighted.table[cols], repeated.table[cols], rtol=1e-5)


def test_sign_alternative_halves_the_two_sided_pvalue():
    rng, X = _correlated(100, 5, seed=7)
    y = X[:, 0] + rng.standard_normal(100)
    fit = ps.lasso("y ~ .", _frame(X, y), lam=0.05)
    two = fit.inference("debiased", seed=0, progress=False)
    one = fit.inference("debiased", alternative="sign", seed=0, progress=False)
    np.testing.assert_allclose(one.table["p_value"], two.table["p_value"] / 2)


def test_constant_column_gets_no_inference():
    rng, X = _correlated(60, 4, seed=8)
    X[:, 2] = 1.0
    y = X[:, 0] + rng.standard_normal(60)
    fit = ps.lasso("y ~ .", _frame(X, y), lam=0.05)
    res = fit.inference("debiased", seed=0, progress=False)
    assert res.table.loc["x2", "p_value"] == 1.0
    assert np.isinf(res.table.loc["x2", "ci_upper"])
    assert any("x2" in note for note in res.notes)


def test_bad_sigma_named():
    rng, X = _correlated(40, 3, seed=9)
    fit = ps.lasso("y ~ .", _frame(X, X[:, 0]), lam=0.05)
    with pytest.raises(ps.ArgumentError, match="sigma"):
        fit.inference("debiased", sigma=-1.0)


def test_nodewise_residuals_equal_sklearn_lasso_on_the_other_columns():
    # each column's regression runs on the whole design with its own column held
    # at 0: the same as scikit-learn's lasso on the other columns
    from sklearn.linear_model import Lasso

    rng, X = _correlated(70, 15, seed=10)
    Xs = (X - X.mean(0)) / X.std(0)
    n, lam = Xs.shape[0], 0.05
    Z, tau2 = nodewise_residuals(Xs, lam)
    for j in range(Xs.shape[1]):
        Xo = np.delete(Xs, j, axis=1)
        ref = Lasso(alpha=lam, fit_intercept=False, tol=1e-12, max_iter=100_000)
        r = Xs[:, j] - Xo @ ref.fit(Xo, Xs[:, j]).coef_
        np.testing.assert_allclose(Z[:, j] * tau2[j], r, atol=1e-6)
        np.testing.assert_allclose(tau2[j], Xs[:, j] @ r / n, rtol=1e-6)


def test_zhang_zhang_lambda_bounds_the_variance():
    # p <= 50: every column takes part, so V(lam) can be recomputed independently
    from sklearn.linear_model import Lasso

    from penstat.inference.debiased import ZZ_INFLATION, nodewise_lambda

    rng, X = _correlated(60, 10, seed=11, rho=0.5)
    Xs = (X - X.mean(0)) / X.std(0)
    n = Xs.shape[0]
    lam_cv, cv, none = nodewise_lambda(Xs, seed=4, rule="cv")
    lam, cv2, var = nodewise_lambda(Xs, seed=4)
    assert none is None and lam_cv == cv["lam"][cv["cv_mean"].idxmin()]
    pd.testing.assert_frame_equal(cv, cv2)
    assert var["lam"].iloc[0] == lam_cv and lam < lam_cv

    def variance(at):
        v = []
        for j in range(Xs.shape[1]):
            Xo = np.delete(Xs, j, axis=1)
            fit = Lasso(alpha=at, fit_intercept=False, tol=1e-12, max_iter=100_000)
            z = Xs[:, j] - Xo @ fit.fit(Xo, Xs[:, j]).coef_
            v.append(n * (z @ z) / (z @ Xs[:, j]) ** 2)
        return np.mean(v)

    chosen = variance(lam) / variance(lam_cv)
    np.testing.assert_allclose(chosen, var["ratio"][var["lam"] == lam].item(), rtol=1e-5)
    # the smallest lambda of the grid with at most 1.25 times the CV variance
    assert chosen < ZZ_INFLATION
    assert (var["ratio"][var["lam"] < lam] >= ZZ_INFLATION).all()


def test_nodewise_rule_is_said_and_the_cv_rule_keeps_the_cv_minimum():
    rng, X = _correlated(80, 30, seed=12)
    y = X[:, 0] + rng.standard_normal(80)
    fit = ps.lasso("y ~ .", _frame(X, y), lam=0.1)
    zz = fit.inference("debiased", seed=5, progress=False)
    cv = fit.inference("debiased", seed=5, progress=False, nodewise="cv")
    table = cv.details["nodewise_cv"]
    assert cv.details["nodewise_lam"] == table["lam"][table["cv_mean"].idxmin()]
    assert cv.details["nodewise_variance"] is None and cv.details["nodewise"] == "cv"
    assert zz.details["nodewise"] == "zz"
    assert zz.details["nodewise_lam"] <= cv.details["nodewise_lam"]
    assert any("Zhang & Zhang" in note for note in zz.notes)
    # less bias for at most 25% more variance (on average over the sampled columns)
    assert (zz.table["std_error"] >= cv.table["std_error"] * (1 - 1e-9)).mean() > 0.9


def test_bad_nodewise_rule_named():
    rng, X = _correlated(40, 3, seed=13)
    fit = ps.lasso("y ~ .", _frame(X, X[:, 0] + rng.standard_normal(40)), lam=0.05)
    with pytest.raises(ps.ArgumentError, match="nodewise='lasso' is not one of 'zz'"):
        fit.inference("debiased", nodewise="lasso")
    with pytest.raises(ps.ArgumentError, match="nodewise"):
        InferenceRequest.build("debiased", nodewise=None)


def test_refit_initial_equals_an_independent_one_step_from_least_squares():
    # p > n: the default starts from least squares on the lasso's selected columns;
    # recomputed with numpy's lstsq and scikit-learn's lasso for the nodewise fits
    from sklearn.linear_model import Lasso

    rng, X = _correlated(60, 90, seed=14, rho=0.4)
    beta = np.zeros(90)
    beta[[0, 30, 60]] = [1.5, -1.0, 0.8]
    y = 0.7 + X @ beta + rng.standard_normal(60)
    fit = ps.lasso("y ~ .", _frame(X, y), lam=0.25)
    S = np.flatnonzero(fit.coef.to_numpy()[1:])
    assert 0 < S.size < 20
    node_lam = 0.15
    req = InferenceRequest.build("debiased", sigma=1.3, seed=0, progress=False)
    res = run_debiased(fit, req, nodewise_lam=node_lam)
    assert req.initial == "refit" and res.details["initial_method"] == "refit"
    assert any("refitted without penalty" in note for note in res.notes)

    n = X.shape[0]
    E = np.column_stack([np.ones(n), X[:, S]])
    coef = np.linalg.lstsq(E, y, rcond=None)[0]
    init = np.zeros(90)
    init[S] = coef[1:]
    np.testing.assert_allclose(res.details["initial"], init, atol=1e-8)
    r = y - E @ coef
    Xc = X - X.mean(0)
    scale = np.sqrt((Xc**2).mean(0))
    Xs = Xc / scale
    est, se = np.empty(90), np.empty(90)
    for j in range(90):
        Xo = np.delete(Xs, j, axis=1)
        las = Lasso(alpha=node_lam, fit_intercept=False, tol=1e-12, max_iter=100_000)
        z = Xs[:, j] - Xo @ las.fit(Xo, Xs[:, j]).coef_
        z = z / (z @ Xs[:, j] / n)
        est[j] = init[j] + (z @ r / n) / scale[j]
        se[j] = 1.3 * np.linalg.norm(z) / n / scale[j]
    np.testing.assert_allclose(res.table["estimate"], est, atol=1e-5)
    np.testing.assert_allclose(res.table["std_error"], se, rtol=1e-5)
    # the lasso start gives other estimates (its shrinkage), the same standard errors
    lasso = run_debiased(
        fit,
        InferenceRequest.build(
            "debiased", sigma=1.3, seed=0, progress=False, initial="lasso"
        ),
        nodewise_lam=node_lam,
    )
    np.testing.assert_allclose(lasso.table["std_error"], se, rtol=1e-5)
    assert np.max(np.abs(lasso.table["estimate"] - est)) > 1e-3
    assert lasso.details["initial_method"] == "lasso"


def test_refit_initial_binomial_is_the_logistic_mle_on_the_selected_columns():
    from sklearn.linear_model import LogisticRegression

    rng, X = _correlated(300, 20, seed=15)
    eta = 1.2 * X[:, 0] - X[:, 5]
    y = (rng.random(300) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    fit = ps.lasso("y ~ .", _frame(X, y), family="binomial", lam=0.05)
    S = np.flatnonzero(fit.coef.to_numpy()[1:])
    res = fit.inference("debiased", seed=0, progress=False)
    mle = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X[:, S], y)
    init = np.zeros(20)
    init[S] = mle.coef_[0]
    np.testing.assert_allclose(res.details["initial"], init, atol=1e-5)


def test_refit_impossible_falls_back_to_the_lasso_with_a_note():
    # as many selected columns as rows: no least-squares refit
    rng, X = _correlated(25, 60, seed=16)
    y = X[:, 0] + rng.standard_normal(25)
    fit = ps.lasso("y ~ .", _frame(X, y), lam=1e-4)
    assert fit.coef.to_numpy()[1:].nonzero()[0].size >= 24
    req = InferenceRequest.build("debiased", sigma=1.0, seed=0, progress=False)
    res = run_debiased(fit, req, nodewise_lam=0.2)
    lasso = run_debiased(fit, dataclasses.replace(req, initial="lasso"), 0.2)
    assert res.details["initial_method"] == "lasso"
    assert any("as many parameters as rows" in note for note in res.notes)
    pd.testing.assert_frame_equal(res.table, lasso.table)


def test_bad_initial_named():
    rng, X = _correlated(40, 3, seed=17)
    fit = ps.lasso("y ~ .", _frame(X, X[:, 0] + rng.standard_normal(40)), lam=0.05)
    with pytest.raises(ps.ArgumentError, match="initial='ols' is not one of 'refit'"):
        fit.inference("debiased", initial="ols")


def test_separated_logistic_refit_falls_back_to_the_lasso_with_a_note():
    rng, X = _correlated(60, 4, seed=18)
    y = (X[:, 0] > 0).astype(float)  # x0 separates the classes
    fit = ps.lasso("y ~ .", _frame(X, y), family="binomial", lam=0.05)
    assert "x0" in fit.selected
    res = fit.inference("debiased", seed=0, progress=False)
    assert res.details["initial_method"] == "lasso"
    assert any("logistic refit" in note for note in res.notes)
    np.testing.assert_allclose(res.details["initial"], fit.coef.to_numpy()[1:])


def test_holm_is_statsmodels_holm_bit_for_bit():
    from statsmodels.stats.multitest import multipletests

    from penstat.inference.debiased import _holm

    rng = np.random.default_rng(3)
    cases = [
        rng.random(200) ** 4,
        np.array([0.01, 0.01, 0.2, 0.01, 1.0, 0.0]),  # ties, 0 and 1
        np.array([0.3]),
        np.array([]),
        rng.random(50) * 1e-12,
    ]
    for pv in cases:
        expected = multipletests(pv, method="holm")[1] if pv.size else pv
        np.testing.assert_array_equal(_holm(pv), expected)


def test_debiased_p_adjusted_is_holm_of_its_p_values():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(4)
    X = rng.standard_normal((60, 30))
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(30)])
    df["y"] = X[:, 0] - X[:, 3] + rng.standard_normal(60)
    fit = ps.lasso("y ~ .", df, lam=0.1)
    tab = fit.inference("debiased", seed=0, progress=False).table
    expected = multipletests(tab["p_value"].to_numpy(), method="holm")[1]
    np.testing.assert_array_equal(tab["p_adjusted"].to_numpy(), expected)
