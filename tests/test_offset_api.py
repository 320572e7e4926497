"""An offset through the formula API: fit, selection, criteria, prediction, resampling.

The gaussian checks rest on an identity: with an offset ``o`` the fit is that of
``y - o`` without one (glmnet's definition), so every number (coefficients, CV
curve, criteria, bootstrap replicates) must equal the fit of a frame whose response
is ``y - o``, and predictions must differ from that fit's by exactly ``o``. The
binomial ones compare with statsmodels' Logit / GLM with an offset and with the CV
fold deviance computed by hand.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.special import expit
from sklearn.metrics import roc_auc_score

import penstat as ps
from penstat import ArgumentError, DataError
from penstat.selection import cross_validate

FORMULA = "y ~ x1 + x2 + x3 + x4"
XCOLS = ["x1", "x2", "x3", "x4"]


def gaussian_frame(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    o = 3.0 * rng.normal(size=n) + 1.0
    y = 2.0 * X[:, 0] - X[:, 1] + 0.3 * X[:, 2] + o + rng.normal(size=n)
    df = pd.DataFrame(X, columns=XCOLS)
    df["o"] = o
    df["y"] = y
    return df


def binomial_frame(n=300, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    o = 1.5 * rng.normal(size=n)
    eta = -0.3 + 1.0 * X[:, 0] - 0.8 * X[:, 1] + o
    df = pd.DataFrame(X, columns=XCOLS)
    df["o"] = o
    df["y"] = (rng.random(n) < expit(eta)).astype(float)
    return df


@pytest.fixture(scope="module")
def gdf():
    return gaussian_frame()


@pytest.fixture(scope="module")
def bdf():
    return binomial_frame()


def shifted(df):
    """The frame whose response is y - o (the offset column left in, unused)."""
    return df.assign(y=df["y"] - df["o"])


# -- fitting --------------------------------------------------------------------


@pytest.mark.parametrize(
    "penalty, l1_ratio", [("l1", None), ("l2", None), ("elasticnet", 0.4)]
)
def test_gaussian_offset_is_the_fit_of_y_minus_offset(gdf, penalty, l1_ratio):
    with_offset = ps.fit(
        FORMULA, gdf, penalty=penalty, l1_ratio=l1_ratio, offset="o", lam=0.1
    )
    plain = ps.fit(FORMULA, shifted(gdf), penalty=penalty, l1_ratio=l1_ratio, lam=0.1)
    np.testing.assert_allclose(with_offset.coef, plain.coef, rtol=0, atol=1e-10)
    np.testing.assert_allclose(with_offset.dev_ratio, plain.dev_ratio, atol=1e-10)
    # the offset matters: ignoring it gives another fit
    ignored = ps.fit(FORMULA, gdf, penalty=penalty, l1_ratio=l1_ratio, lam=0.1)
    assert np.abs(ignored.coef.to_numpy() - plain.coef.to_numpy()).max() > 0.05
    # predictions differ by exactly the offset: new data, and the training rows
    new = gaussian_frame(n=15, seed=7)
    diff = with_offset.predict(new, type="link") - plain.predict(new, type="link")
    np.testing.assert_allclose(diff, new["o"], atol=1e-10)
    np.testing.assert_allclose(
        with_offset.predict() - plain.predict(), gdf["o"], atol=1e-10
    )


def test_shortcuts_and_array_offset_agree_with_fit(gdf):
    ref = ps.fit(FORMULA, gdf, penalty="l2", offset="o", lam=0.5)
    as_array = ps.ridge(FORMULA, gdf, offset=gdf["o"].to_numpy(), lam=0.5)
    np.testing.assert_allclose(as_array.coef, ref.coef, atol=1e-12)
    lasso = ps.lasso(FORMULA, gdf, offset="o", lam=0.1)
    np.testing.assert_allclose(
        lasso.coef, ps.fit(FORMULA, shifted(gdf), lam=0.1).coef, atol=1e-10
    )
    enet = ps.elastic_net(FORMULA, gdf, l1_ratio=0.3, offset="o", lam=0.1)
    np.testing.assert_allclose(
        enet.coef,
        ps.fit(FORMULA, shifted(gdf), penalty="elasticnet", l1_ratio=0.3, lam=0.1).coef,
        atol=1e-10,
    )


def test_offset_column_is_not_a_predictor_of_dot(gdf):
    fit = ps.lasso("y ~ .", gdf, offset="o", lam=0.1)
    assert fit.design.columns == XCOLS
    assert fit.design.offset_column == "o"
    np.testing.assert_array_equal(fit.design.offset, gdf["o"].to_numpy())
    # as a predictor it can still be named explicitly
    explicit = ps.lasso("y ~ . + o", gdf, offset="o", lam=0.1)
    assert "o" in explicit.design.columns


def test_binomial_offset_matches_statsmodels_logit_l1(bdf):
    # Logit.fit_regularized(method="l1"): -loglik + sum_j alpha_j |b_j| is glmnet's
    # objective times n when alpha_j = n lam (0 for the constant); standardize=False
    n, lam = len(bdf), 0.01
    X = bdf[XCOLS].to_numpy()
    fit = ps.fit(
        FORMULA, bdf, family="binomial", offset="o", lam=lam, standardize=False, tol=1e-12
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm.Logit(bdf["y"], sm.add_constant(X), offset=bdf["o"]).fit_regularized(
            method="l1",
            alpha=n * lam * np.r_[0.0, np.ones(4)],
            trim_mode="off",
            acc=1e-14,
            maxiter=2000,
            disp=0,
        )
    params = np.asarray(ref.params)
    np.testing.assert_allclose(fit.coef.to_numpy(), params, atol=1e-6)
    assert 0 < fit.df < 4  # some coefficients are exactly zero
    # predictions: expit of the linear predictor with the new rows' offset
    new = binomial_frame(n=10, seed=9)
    expected = expit(params[0] + new[XCOLS].to_numpy() @ params[1:] + new["o"])
    np.testing.assert_allclose(fit.predict(new), expected, atol=1e-6)


def test_binomial_unpenalized_fit_is_the_glm_mle_with_offset(bdf):
    fit = ps.fit(FORMULA, bdf, family="binomial", offset="o", lam=0.0, tol=1e-12)
    glm = sm.GLM(
        bdf["y"],
        sm.add_constant(bdf[XCOLS].to_numpy()),
        family=sm.families.Binomial(),
        offset=bdf["o"],
    ).fit(tol=1e-12)
    np.testing.assert_allclose(fit.coef.to_numpy(), np.asarray(glm.params), atol=1e-6)
    # the fit's deviance ratio is against the null model with the offset
    null = sm.GLM(
        bdf["y"], np.ones((len(bdf), 1)), family=sm.families.Binomial(), offset=bdf["o"]
    ).fit(tol=1e-12)
    np.testing.assert_allclose(fit.dev_ratio, 1 - glm.deviance / null.deviance, atol=1e-8)


# -- cross-validation and criteria ----------------------------------------------------


def folds_of(n, k=5):
    return np.arange(n) % k


@pytest.mark.parametrize("rule", ["cv_min", "cv_1se"])
def test_gaussian_cv_with_offset_equals_cv_of_shifted_response(gdf, rule):
    foldid = folds_of(len(gdf))
    a = ps.lasso(FORMULA, gdf, offset="o", select=rule, foldid=foldid)
    b = ps.lasso(FORMULA, shifted(gdf), select=rule, foldid=foldid)
    np.testing.assert_allclose(a.cv.cvm, b.cv.cvm, rtol=1e-10)
    np.testing.assert_allclose(a.cv.fold_values, b.cv.fold_values, rtol=1e-10)
    assert a.lam == b.lam
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-10)
    mae = ps.lasso(FORMULA, gdf, offset="o", measure="mae", foldid=foldid)
    mae_ref = ps.lasso(FORMULA, shifted(gdf), measure="mae", foldid=foldid)
    np.testing.assert_allclose(mae.cv.cvm, mae_ref.cv.cvm, rtol=1e-10)


def _fold_by_hand(df, foldid, k, lambdas, measure):
    """Measure of held-out fold ``k`` at every lambda: the path on the other folds
    with their offset, the fold predicted with its own offset."""
    train, test = foldid != k, foldid == k
    X = df[XCOLS].to_numpy()
    y = df["y"].to_numpy()
    o = df["o"].to_numpy()
    path = ps.fit_path(
        X[train], y[train], family="binomial", lambdas=lambdas, offset=o[train]
    )
    prob = expit(X[test] @ path.coefs.T + path.intercepts + o[test][:, None])
    yt = y[test][:, None]
    if measure == "deviance":
        p = np.clip(prob, 1e-5, 1 - 1e-5)
        return (-2 * (yt * np.log(p) + (1 - yt) * np.log(1 - p))).mean(axis=0)
    if measure == "class":
        return (yt != (prob > 0.5)).mean(axis=0)
    if measure == "mse":
        return (2 * (yt - prob) ** 2).mean(axis=0)
    if measure == "mae":
        return (2 * np.abs(yt - prob)).mean(axis=0)
    return np.array([roc_auc_score(y[test], prob[:, j]) for j in range(prob.shape[1])])


@pytest.mark.parametrize("measure", ["deviance", "class", "auc", "mse", "mae"])
def test_binomial_cv_fold_values_include_the_offset(bdf, measure):
    foldid = folds_of(len(bdf))
    fit = ps.fit(
        FORMULA, bdf, family="binomial", offset="o", measure=measure, foldid=foldid,
        select="cv_min", nlambda=20,
    )  # fmt: skip
    for k in (0, 3):
        expected = _fold_by_hand(bdf, foldid, k, fit.path.lambdas, measure)
        np.testing.assert_allclose(fit.cv.fold_values[k], expected, rtol=1e-9, atol=1e-12)
    # without the held-out offset the fold values would be far off
    no_offset = ps.fit(
        FORMULA, bdf, family="binomial", measure=measure, foldid=foldid, select="cv_min",
        nlambda=20,
    )  # fmt: skip
    assert not np.allclose(no_offset.cv.cvm[-5:], fit.cv.cvm[-5:], rtol=1e-3)


def test_cross_validate_refuses_rows_other_than_the_paths(bdf):
    X, y, o = bdf[XCOLS].to_numpy(), bdf["y"].to_numpy(), bdf["o"].to_numpy()
    path = ps.fit_path(X, y, family="binomial", offset=o, nlambda=10)
    assert path.has_offset and path.spec.offset is not o  # a copy travels with the path
    with pytest.raises(DataError, match="offset for 300 rows but X has 290"):
        cross_validate(path, X[:-10], y[:-10], foldid=folds_of(len(y) - 10))


@pytest.mark.parametrize("rule", ["aic", "bic", "ebic"])
@pytest.mark.parametrize("penalty, l1_ratio", [("l1", None), ("elasticnet", 0.5)])
def test_gaussian_criteria_with_offset_equal_those_of_shifted_response(
    gdf, rule, penalty, l1_ratio
):
    a = ps.fit(FORMULA, gdf, penalty=penalty, l1_ratio=l1_ratio, offset="o", select=rule)
    b = ps.fit(FORMULA, shifted(gdf), penalty=penalty, l1_ratio=l1_ratio, select=rule)
    cols = ["edf", "loglik", "aic", "bic", "ebic"]
    np.testing.assert_allclose(
        a.selection.table[cols].to_numpy(), b.selection.table[cols].to_numpy(), rtol=1e-9
    )
    assert a.lam == b.lam


def test_binomial_criteria_loglik_is_half_the_path_deviance_with_offset(bdf):
    fit = ps.fit(FORMULA, bdf, family="binomial", offset="o", select="bic")
    table = fit.selection.table
    np.testing.assert_allclose(table["loglik"], -fit.path.deviance / 2, rtol=1e-10)
    # by hand at the chosen lambda
    eta = fit.design.X @ fit.path.coefs[fit.index] + fit.intercept + bdf["o"].to_numpy()
    y = bdf["y"].to_numpy()
    loglik = np.sum(y * eta - np.logaddexp(0.0, eta))
    np.testing.assert_allclose(table["loglik"].iloc[fit.index], loglik, rtol=1e-10)


def test_binomial_elastic_net_edf_uses_the_probabilities_with_offset(bdf):
    # edf = tr((Xc' M Xc + lam (1 - l1_ratio) I)^-1 Xc' M Xc) + 1 on the active set
    # (docs/user-guide/lambda-selection.md), M = diag(v mu (1 - mu)) with mu from
    # eta + offset
    fit = ps.fit(
        FORMULA, bdf, family="binomial", penalty="elasticnet", l1_ratio=0.5,
        offset="o", select="aic", standardize=False, nlambda=20,
    )  # fmt: skip
    X, o = fit.design.X, bdf["o"].to_numpy()
    v = np.full(len(bdf), 1.0 / len(bdf))

    def edf(k, offset):
        active = fit.path.coefs[k] != 0
        mu = expit(X @ fit.path.coefs[k] + fit.path.intercepts[k] + offset)
        m = v * mu * (1 - mu)
        xa = X[:, active] - (m @ X[:, active]) / m.sum()
        gram = xa.T @ (m[:, None] * xa)
        ridge = fit.path.lambdas[k] * 0.5 * np.eye(int(active.sum()))
        return np.trace(np.linalg.solve(gram + ridge, gram)) + 1.0

    for k in (3, 7, len(fit.path.lambdas) - 1):
        assert fit.path.coefs[k].any()
        np.testing.assert_allclose(
            fit.selection.table["edf"].iloc[k], edf(k, o), rtol=1e-10
        )
        assert abs(edf(k, o) - edf(k, 0.0)) > 1e-3  # the offset matters here


def test_l1_ratio_search_with_offset_equals_search_on_shifted_response(gdf):
    foldid = folds_of(len(gdf))
    a = ps.elastic_net(FORMULA, gdf, l1_ratio=[0.2, 0.6, 1.0], offset="o", foldid=foldid)
    b = ps.elastic_net(FORMULA, shifted(gdf), l1_ratio=[0.2, 0.6, 1.0], foldid=foldid)
    pd.testing.assert_frame_equal(a.l1_ratio_table, b.l1_ratio_table, rtol=1e-9)
    assert (a.l1_ratio, a.lam) == (b.l1_ratio, b.lam)
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-10)
    bic = ps.elastic_net(FORMULA, gdf, l1_ratio=[0.5, 1.0], offset="o", select="bic")
    bic_ref = ps.elastic_net(FORMULA, shifted(gdf), l1_ratio=[0.5, 1.0], select="bic")
    pd.testing.assert_frame_equal(bic.l1_ratio_table, bic_ref.l1_ratio_table, rtol=1e-9)


# -- prediction ---------------------------------------------------------------------


def test_predict_reads_the_offset_column_of_newdata(bdf):
    fit = ps.fit(FORMULA, bdf, family="binomial", offset="o", lam=0.02)
    new = binomial_frame(n=8, seed=3)
    b0, b = fit.intercept, fit.path.coefs[fit.index]
    eta = new[XCOLS].to_numpy() @ b + b0 + new["o"].to_numpy()
    np.testing.assert_allclose(fit.predict(new, type="link"), eta, atol=1e-12)
    np.testing.assert_allclose(fit.predict(new), expit(eta), atol=1e-12)
    labels = fit.predict(new, type="class")
    np.testing.assert_array_equal(labels.to_numpy(), np.where(eta > 0, 1.0, 0.0))
    # the training rows take their own offset
    train_eta = fit.design.X @ b + b0 + bdf["o"].to_numpy()
    np.testing.assert_allclose(fit.predict(type="link"), train_eta, atol=1e-12)
    # an explicit offset= overrides the column: here, offset 0 for every row
    zero = fit.predict(new, type="link", offset=np.zeros(len(new)))
    np.testing.assert_allclose(zero, eta - new["o"].to_numpy(), atol=1e-12)
    # newdata as a dict of columns, as predict takes it without an offset
    as_dict = {c: new[c].tolist() for c in new.columns}
    np.testing.assert_allclose(fit.predict(as_dict, type="link"), eta, atol=1e-12)


def test_predict_errors_name_the_offset(gdf):
    fit = ps.lasso(FORMULA, gdf, offset="o", lam=0.1)
    new = gaussian_frame(n=5, seed=4)
    with pytest.raises(DataError, match="newdata has no column 'o'"):
        fit.predict(new.drop(columns="o"))
    with pytest.raises(DataError, match="'o'.*not numeric"):
        fit.predict(new.assign(o="a"))
    with pytest.raises(ArgumentError, match=r"offset= has shape \(3,\).*\(5\)"):
        fit.predict(new, offset=[1.0, 2.0, 3.0])
    # a missing offset gives NaN for its row only, like a missing predictor
    pred = fit.predict(new.assign(o=[1.0, np.nan, 0.0, 2.0, 1.0]))
    assert np.isnan(pred.iloc[1]) and np.isfinite(pred.drop(pred.index[1])).all()

    from_array = ps.lasso(FORMULA, gdf, offset=gdf["o"].to_numpy(), lam=0.1)
    with pytest.raises(ArgumentError, match="given as an array.*offset="):
        from_array.predict(new)
    np.testing.assert_allclose(
        from_array.predict(new, offset=new["o"].to_numpy()), fit.predict(new), atol=1e-12
    )
    np.testing.assert_allclose(from_array.predict(), fit.predict(), atol=1e-12)

    no_offset = ps.lasso(FORMULA, gdf, lam=0.1)
    with pytest.raises(ArgumentError, match="no offset"):
        no_offset.predict(new, offset=new["o"].to_numpy())


# -- input checks --------------------------------------------------------------------


def test_offset_input_errors(gdf):
    with pytest.raises(ArgumentError, match=r"offset='oo' is not a column.*'o'"):
        ps.lasso(FORMULA, gdf, offset="oo", lam=0.1)
    with pytest.raises(ArgumentError, match=r"offset has shape \(3,\).*120 rows"):
        ps.lasso(FORMULA, gdf, offset=[1.0, 2.0, 3.0], lam=0.1)
    with pytest.raises(ArgumentError, match="offset.*not numbers"):
        ps.lasso(FORMULA, gdf, offset=["a"] * len(gdf), lam=0.1)
    text = gdf.assign(o=gdf["o"].astype(str))
    with pytest.raises(DataError, match="offset column 'o' is not numeric"):
        ps.lasso(FORMULA, text, offset="o", lam=0.1)
    with pytest.raises(DataError, match="offset column 'o' is not numeric"):
        ps.lasso(FORMULA, gdf.assign(o=gdf["o"] > 0), offset="o", lam=0.1)
    with pytest.raises(DataError, match="offset column 'o' has missing or infinite"):
        ps.lasso(FORMULA, gdf.assign(o=gdf["o"].where(gdf.index != 3, np.inf)),
                 offset="o", lam=0.1)  # fmt: skip


def test_missing_offset_is_refused_unless_the_row_is_dropped(gdf):
    df = gdf.copy()
    df.loc[5, "o"] = np.nan
    # a row used with a missing offset is refused whatever na_action, like weights
    for na_action in ("drop", "raise"):
        with pytest.raises(DataError, match=r"offset column 'o'.*1 of the rows used"):
            ps.lasso(FORMULA, df, offset="o", lam=0.1, na_action=na_action)
    array = df["o"].to_numpy()
    with pytest.raises(DataError, match="offset has missing"):
        ps.lasso(FORMULA, df, offset=array, lam=0.1)
    # a row dropped for a missing predictor may have a missing offset
    df.loc[5, "x1"] = np.nan
    df.loc[9, "x2"] = np.nan
    fit = ps.lasso(FORMULA, df, offset="o", lam=0.1)
    assert fit.n_obs == len(df) - 2
    kept = df.drop(index=[5, 9])
    ref = ps.lasso(FORMULA, shifted(kept), lam=0.1)
    np.testing.assert_allclose(fit.coef, ref.coef, atol=1e-10)
    np.testing.assert_array_equal(fit.design.offset, kept["o"].to_numpy())
    # an array offset is aligned with the rows of data before dropping
    by_array = ps.lasso(FORMULA, df, offset=array, lam=0.1)
    np.testing.assert_allclose(by_array.coef, fit.coef, atol=1e-12)


def test_data_frame_is_not_modified(bdf):
    df = bdf.copy()
    df.loc[0, "x1"] = np.nan
    before = df.copy()
    array = df["o"].to_numpy().copy()
    fit = ps.fit("y ~ .", df, family="binomial", offset="o", nfolds=3, seed=0)
    fit.predict(df)
    ps.fit("y ~ .", df, family="binomial", offset=array, select="bic")
    pd.testing.assert_frame_equal(df, before)
    np.testing.assert_array_equal(array, before["o"].to_numpy())


def test_summary_names_the_offset(gdf):
    header = ps.lasso(FORMULA, gdf, offset="o", lam=0.1).summary().tables["header"]
    assert header.loc["offset", "value"] == "column 'o'"
    header = ps.lasso(FORMULA, gdf, offset=gdf["o"].to_numpy(), lam=0.1).summary()
    assert header.tables["header"].loc["offset", "value"] == "array"
    assert "offset" not in ps.lasso(FORMULA, gdf, lam=0.1).summary().tables["header"].index


# -- resampling ---------------------------------------------------------------------


def test_bootstrap_replicates_use_the_resampled_offset(bdf, fixed_bootstrap):
    fit = ps.fit(FORMULA, bdf, family="binomial", offset="o", lam=0.02)
    boot, drawn, grid = fixed_bootstrap(fit, n_boot=4, seed=3)
    X, y, o = fit.design.X, fit.design.y, bdf["o"].to_numpy()
    for coefs, rows in zip(boot.coefs, drawn, strict=True):
        direct = ps.fit_path(
            X[rows], y[rows], family="binomial", lambdas=grid, offset=o[rows]
        )
        np.testing.assert_allclose(coefs, direct.coefs[-1], rtol=0, atol=1e-12)
        ignored = ps.fit_path(X[rows], y[rows], family="binomial", lambdas=grid)
        assert np.abs(coefs - ignored.coefs[-1]).max() > 1e-3


def test_bootstrap_with_cv_equals_that_of_shifted_response(gdf):
    a = ps.lasso(FORMULA, gdf, offset="o", nfolds=5, seed=0)
    b = ps.lasso(FORMULA, shifted(gdf), nfolds=5, seed=0)
    boot_a = a.bootstrap(n_boot=5, fixed_lam=False, seed=2, progress=False)
    boot_b = b.bootstrap(n_boot=5, fixed_lam=False, seed=2, progress=False)
    np.testing.assert_allclose(boot_a.coefs, boot_b.coefs, atol=1e-10)


def test_stability_selection_paths_use_the_subsampled_offset(bdf, gdf):
    fit = ps.fit(FORMULA, bdf, family="binomial", offset="o", nlambda=15, seed=0)
    rows = np.arange(0, len(bdf), 2)
    path = fit.path_rows(rows, fit.path.lambdas)
    X, y, o = fit.design.X, fit.design.y, bdf["o"].to_numpy()
    direct = ps.fit_path(
        X[rows], y[rows], family="binomial", lambdas=fit.path.lambdas, offset=o[rows]
    )
    np.testing.assert_allclose(path.coefs, direct.coefs, atol=1e-12)
    assert path.has_offset
    # gaussian: the whole stability selection equals that of y - o
    a = ps.lasso(FORMULA, gdf, offset="o", lam=0.1)
    b = ps.lasso(FORMULA, shifted(gdf), lam=0.1)
    sa = a.stability_selection(n_subsamples=10, q=2, seed=5, progress=False)
    sb = b.stability_selection(n_subsamples=10, q=2, seed=5, progress=False)
    pd.testing.assert_frame_equal(sa.probabilities, sb.probabilities)
    assert sa.stable == sb.stable
