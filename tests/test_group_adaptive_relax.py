"""The adaptive group lasso (``penalty_factor="adaptive"`` with ``penalty="group"``,
Wang & Leng 2008) and the relaxed group lasso (``relax=True`` with groups), through
the formula API: against the two-step fit done by hand, statsmodels refits on the
selected terms' columns, and the CV choice of (lambda, gamma) computed by hand on
the same folds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from conftest import make_group_frame

import penstat as ps
from penstat import ArgumentError
from penstat.engine import ADAPTIVE_FACTOR_CAP
from penstat.results.export import fit_to_dict
from penstat.solver.relax import GAMMA_FLOOR, RELAX_GAMMAS

FORMULA = "y ~ x1 + x2 + x3 + C(region) + poly(age, 3)"


@pytest.fixture(scope="module")
def frame():
    return make_group_frame()


def _term_index(fit):
    return {
        t: [fit.design.columns.index(c) for c in cols]
        for t, cols in fit.design.terms.items()
    }


# ---- the adaptive group lasso ----------------------------------------------------


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_adaptive_equals_the_two_step_fit_by_hand(frame, family):
    formula = FORMULA if family == "gaussian" else FORMULA.replace("y ~", "b ~")
    options = {"family": family, "seed": 4, "nfolds": 5}
    fit = ps.group_lasso(formula, frame, penalty_factor="adaptive", **options)
    init = fit.adaptive_init
    assert init.method == ("ols" if family == "gaussian" else "logistic")
    # the initial fit by hand: statsmodels on every design column
    Z = sm.add_constant(fit.design.X, has_constant="add")
    if family == "gaussian":
        b = sm.WLS(fit.design.y, Z, weights=np.ones(len(Z))).fit().params[1:]
    else:
        b = (
            sm.GLM(
                fit.design.y, Z, family=sm.families.Binomial(), var_weights=np.ones(len(Z))
            )
            .fit(tol=1e-12, maxiter=200)
            .params[1:]
        )
    np.testing.assert_allclose(init.coef, b, rtol=1e-9, atol=1e-12)
    # one factor per term: 1 / ||b_term||_2 (original scale), as the lasso's 1 / |b_j|
    factors = {t: float(np.linalg.norm(b[j]) ** -1.0) for t, j in _term_index(fit).items()}
    frame_terms = init.term_frame()
    for term, f in factors.items():
        assert frame_terms.loc[term, "penalty_factor"] == pytest.approx(f, rel=1e-9)
        j = _term_index(fit)[term]
        assert np.all(init.penalty_factor[j] == frame_terms.loc[term, "penalty_factor"])
    # then the group lasso with those term factors: the same fit, bit for bit
    by_term = {t: float(frame_terms.loc[t, "penalty_factor"]) for t in factors}
    two_step = ps.group_lasso(formula, frame, penalty_factor=by_term, **options)
    assert np.array_equal(fit.coef.to_numpy(), two_step.coef.to_numpy())
    assert fit.lam == two_step.lam
    assert np.array_equal(fit.path.coefs, two_step.path.coefs)


def test_adaptive_groups_of_one_are_the_adaptive_lasso(frame):
    formula = "y ~ x1 + x2 + x3 + age"
    grouped = ps.group_lasso(formula, frame, penalty_factor="adaptive", select="bic")
    lasso = ps.lasso(formula, frame, penalty_factor="adaptive", select="bic")
    assert np.array_equal(
        grouped.adaptive_init.penalty_factor, lasso.adaptive_init.penalty_factor
    )
    np.testing.assert_allclose(grouped.path.coefs, lasso.path.coefs, rtol=0, atol=1e-6)
    assert grouped.lam == pytest.approx(lasso.lam, rel=1e-12)


def test_adaptive_merged_terms_share_one_factor(frame):
    fit = ps.group_lasso(
        FORMULA, frame, penalty_factor="adaptive", groups={"x2": "n", "x3": "n"}, lam=0.1
    )
    init = fit.adaptive_init
    j2, j3 = fit.design.columns.index("x2"), fit.design.columns.index("x3")
    norm = np.hypot(init.coef[j2], init.coef[j3])
    assert init.penalty_factor[j2] == init.penalty_factor[j3] == pytest.approx(1 / norm)
    table = init.term_frame()
    assert table.loc["x2", "group"] == table.loc["x3", "group"]


def test_a_group_with_a_zero_initial_norm_is_capped_and_said(frame):
    # more columns than rows: the initial fit is ridge, whose coefficient of a
    # constant column is 0 exactly
    rng = np.random.default_rng(5)
    n = 25
    wide = pd.DataFrame(rng.normal(size=(n, 30)), columns=[f"x{j}" for j in range(30)])
    wide["flat"] = 3.0
    wide["y"] = wide["x0"] - wide["x1"] + 0.3 * rng.normal(size=n)
    formula = "y ~ " + " + ".join([f"x{j}" for j in range(30)]) + " + flat"
    fit = ps.group_lasso(formula, wide, penalty_factor="adaptive", seed=0, nfolds=5)
    init = fit.adaptive_init
    assert init.method == "ridge"
    table = init.term_frame()
    assert table.loc["flat", "init_norm"] == 0.0 and table.loc["flat", "capped"]
    assert table["capped"].sum() == 1
    cap = ADAPTIVE_FACTOR_CAP * table["penalty_factor"].min()
    assert table.loc["flat", "penalty_factor"] == pytest.approx(cap, rel=1e-12)
    assert fit.coef["flat"] == 0.0
    assert "1 group factor(s) capped" in init.describe()
    assert "1 group factor(s) capped" in str(fit.summary())
    record = fit_to_dict(fit)["model"]["adaptive_init"]
    assert record["unit"] == "group"
    flat = next(r for r in record["terms"] if r["term"] == "flat")
    assert flat["capped"] is True and flat["init_norm"] == 0.0


def test_adaptive_per_term_in_json_summary_and_report(frame, tmp_path):
    fit = ps.group_lasso(FORMULA, frame, penalty_factor="adaptive", lam=0.1)
    record = fit_to_dict(fit)["model"]["adaptive_init"]
    assert record["unit"] == "group"
    table = fit.adaptive_init.term_frame()
    assert [r["term"] for r in record["terms"]] == table.index.tolist()
    for r in record["terms"]:
        assert r["penalty_factor"] == table.loc[r["term"], "penalty_factor"]
        assert r["init_norm"] == table.loc[r["term"], "init_norm"]
    summary = fit.summary()
    assert "adaptive group lasso: penalty_factor = 1/||b_g||^1 per group" in str(summary)
    terms = summary.tables["terms"]
    for term in terms.index:
        assert terms.loc[term, "adaptive_factor"] == table.loc[term, "penalty_factor"]
    text = fit.report(tmp_path / "r.html").read_text()
    assert "adaptive group lasso" in text


def test_adaptive_with_term_factors_is_refused(frame):
    with pytest.raises(ArgumentError, match="adaptive"):
        ps.group_lasso(FORMULA, frame, penalty_factor={"x1": "adaptive"}, lam=0.1)


# ---- the relaxed group lasso ------------------------------------------------------


def _refit_by_hand(X, y, family):
    """statsmodels' unpenalized fit with an intercept: (intercept, coefficients)."""
    Z = sm.add_constant(X, has_constant="add")
    if family == "gaussian":
        beta = sm.OLS(y, Z).fit().params
    else:
        beta = sm.Logit(y, Z).fit(disp=0, method="newton", tol=1e-12, maxiter=200).params
    return float(beta[0]), np.asarray(beta[1:])


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_relaxed_at_gamma_zero_is_the_refit_on_the_selected_terms(frame, family):
    formula = FORMULA if family == "gaussian" else FORMULA.replace("y ~", "b ~")
    fit = ps.group_lasso(formula, frame, family=family, relax=True, seed=2, nfolds=5)
    rel = fit.relax.relaxed
    chosen = fit.selected_terms
    assert chosen and len(chosen) < len(fit.design.terms)
    cols = [c for t in chosen for c in fit.design.terms[t]]
    j = [fit.design.columns.index(c) for c in cols]
    b0, b = _refit_by_hand(fit.design.X[:, j], fit.design.y, family)
    k = fit.index
    np.testing.assert_allclose(rel.coefs[k, j], b, rtol=1e-7, atol=1e-9)
    assert rel.intercepts[k] == pytest.approx(b0, rel=1e-7, abs=1e-9)
    others = np.setdiff1d(np.arange(len(fit.design.columns)), j)
    assert np.all(rel.coefs[k, others] == 0)
    # the fit's coefficients are the blend at its gamma
    g = max(fit.gamma, GAMMA_FLOOR)
    np.testing.assert_allclose(
        fit.coef.to_numpy()[1:], g * fit.path.coefs[k] + (1 - g) * rel.coefs[k], atol=1e-12
    )


@pytest.fixture(scope="module")
def noisy(frame):
    # a weaker signal than ``frame``'s, so that the minimum and the 1-SE choices differ
    rng = np.random.default_rng(9)
    out = frame.copy()
    out["y"] = (
        0.4 * out["x1"] + 0.3 * (out["region"] == "south") + rng.normal(size=len(out))
    )
    return out


@pytest.mark.parametrize("rule", ["cv_min", "cv_1se"])
def test_relaxed_cv_choice_equals_a_computation_by_hand(noisy, rule):
    foldid = np.arange(len(noisy)) % 4
    fit = ps.group_lasso(FORMULA, noisy, relax=True, select=rule, foldid=foldid)
    rcv = fit.relax.cv
    assert (rcv.index_min, rcv.gamma_min) != (rcv.index_1se, rcv.gamma_1se)
    X, y, lambdas = fit.design.X, fit.design.y, fit.path.lambdas
    groups = fit.spec.groups
    n, nlam = len(y), lambdas.size
    eta_lasso, eta_refit = np.empty((n, nlam)), np.empty((n, nlam))
    for k in range(4):
        train, test = foldid != k, foldid == k
        path = ps.fit_path(X[train], y[train], groups=groups, lambdas=lambdas)
        for m in range(nlam):
            mask = path.coefs[m] != 0
            eta_lasso[test, m] = X[test] @ path.coefs[m] + path.intercepts[m]
            if mask.any():
                b0, b = _refit_by_hand(X[train][:, mask], y[train], "gaussian")
                eta_refit[test, m] = X[test][:, mask] @ b + b0
            else:
                eta_refit[test, m] = eta_lasso[test, m]
    cvm, cvsd = [], []
    for gamma in RELAX_GAMMAS:
        g = max(gamma, GAMMA_FLOOR)
        eta = g * eta_lasso + (1 - g) * eta_refit
        per_fold = np.array(
            [
                ((y - eta[:, m]) ** 2)[foldid == k].mean()
                for k in range(4)
                for m in range(nlam)
            ]
        ).reshape(4, nlam)
        sizes = np.bincount(foldid).astype(float)
        mean = sizes @ per_fold / sizes.sum()
        var = sizes @ (per_fold - mean) ** 2 / sizes.sum()
        cvm.append(mean)
        cvsd.append(np.sqrt(var / 3))
    cvm, cvsd = np.array(cvm), np.array(cvsd)
    np.testing.assert_allclose(cvm[-1], fit.relax.cv.cv_of(1.0).cvm, rtol=1e-9)
    np.testing.assert_allclose(cvm[0], fit.relax.cv.cv_of(0.0).cvm, rtol=1e-9)
    # glmnet's joint choice: the minimum (ties: larger lambda, then larger gamma);
    # 1-SE: the largest lambda, then gamma, within one SE of the minimum
    gi, mi = np.unravel_index(np.argmin(cvm), cvm.shape)
    if rule == "cv_min":
        want_m, want_g = mi, gi
    else:
        ok = cvm <= cvm[gi, mi] + cvsd[gi, mi]
        want_m = int(np.flatnonzero(ok.any(axis=0))[0])
        want_g = int(np.flatnonzero(ok[:, want_m])[-1])
    assert fit.index == want_m and fit.gamma == RELAX_GAMMAS[want_g]
    assert fit.lam == lambdas[want_m]


def test_relaxed_group_fit_in_summary_and_json(frame):
    fit = ps.group_lasso(FORMULA, frame, relax=True, seed=2, nfolds=5)
    record = fit_to_dict(fit)
    assert record["model"]["relax"]["gamma"] == fit.gamma
    assert f"relaxed (gamma={fit.gamma:g})" in str(fit.summary())
    # the group norms of the record are those of the relaxed coefficients
    norms = {g["group"]: g["norm"] for g in record["model"]["groups"]["groups"]}
    sd = fit.design.column_sd()
    j = _term_index(fit)["x1"]
    assert norms["x1"] == pytest.approx(abs(fit.coef["x1"]) * sd[j[0]], rel=1e-12)


def test_relaxed_group_lasso_needs_a_cv_rule(frame):
    with pytest.raises(ArgumentError, match="relax=True chooses lambda and gamma"):
        ps.group_lasso(FORMULA, frame, relax=True, select="bic")
