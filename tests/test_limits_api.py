"""Coefficient limits through the formula API: fit, selection, criteria, resampling.

Every layer above ``fit_path`` must fit with the limits the user gave, mapped to
design columns: the formula fit must equal ``fit_path`` on its design matrix with
the same per-column limits, every CV fold must equal ``fit_path`` on the fold's
training rows with them, and every bootstrap or subsample replicate must equal
``fit_path`` on its rows with them. The degrees of freedom of the criteria leave
out coefficients held at a nonzero limit; on an orthogonal design the constrained
lasso has a closed form, so they are checked against numbers computed by hand.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import hadamard
from scipy.special import expit

import penstat as ps
from penstat import ArgumentError, PenstatError
from penstat.selection import cross_validate
from penstat.selection.criteria import criteria_table, effective_df

FORMULA = "y ~ x1 + x2 + x3 + x4 + g"
XCOLS = ["x1", "x2", "x3", "x4"]
LOWER = {"x2": -0.5, "g": 0}  # the term g: both of its dummy columns
UPPER = {"x1": 0.9}


def _frame(n, seed, binomial):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    g = rng.choice(["a", "b", "c"], size=n)
    effect = pd.Series({"a": 0.0, "b": -1.0, "c": 0.8})[g].to_numpy()
    df = pd.DataFrame(X, columns=XCOLS)
    df["g"] = g
    if binomial:
        eta = -0.3 + 1.5 * X[:, 0] - 1.0 * X[:, 1] + 0.3 * X[:, 2] + effect
        df["y"] = (rng.random(n) < expit(eta)).astype(float)
    else:
        df["y"] = 2.0 * X[:, 0] - X[:, 1] + 0.3 * X[:, 2] + effect + rng.normal(size=n)
    return df


@pytest.fixture(scope="module")
def gdf():
    return _frame(120, 0, binomial=False)


@pytest.fixture(scope="module")
def bdf():
    return _frame(300, 1, binomial=True)


def column_limits(fit):
    """The per-column (lower, upper) arrays LOWER / UPPER stand for, by hand."""
    cols = list(fit.design.columns)
    lower = np.full(len(cols), -np.inf)
    upper = np.full(len(cols), np.inf)
    lower[cols.index("x2")] = -0.5
    lower[cols.index("g[T.b]")] = 0.0
    lower[cols.index("g[T.c]")] = 0.0
    upper[cols.index("x1")] = 0.9
    return lower, upper


def folds_of(n, k=4):
    return np.arange(n) % k


# -- fitting -------------------------------------------------------------------------


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("penalty, l1_ratio", [("l1", None), ("elasticnet", 0.5)])
@pytest.mark.parametrize("grid", ["default", "given"])
def test_formula_fit_equals_fit_path_on_the_design(
    gdf, bdf, family, penalty, l1_ratio, grid
):
    df = gdf if family == "gaussian" else bdf
    # a grid down to small lambdas (the default one may stop early)
    lambdas = None if grid == "default" else np.geomspace(2.0, 0.002, 25)
    fit = ps.fit(
        FORMULA, df, family=family, penalty=penalty, l1_ratio=l1_ratio,
        lower_limits=LOWER, upper_limits=UPPER, select=None, lambdas=lambdas,
    )  # fmt: skip
    lower, upper = column_limits(fit)
    np.testing.assert_array_equal(fit.spec.lower_limits, lower)
    np.testing.assert_array_equal(fit.spec.upper_limits, upper)
    direct = ps.fit_path(
        fit.design.X, fit.design.y, family=family, l1_ratio=fit.l1_ratio,
        lower_limits=lower, upper_limits=upper, lambdas=lambdas,
    )  # fmt: skip
    np.testing.assert_array_equal(fit.path.lambdas, direct.lambdas)
    np.testing.assert_allclose(fit.path.coefs, direct.coefs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fit.path.intercepts, direct.intercepts, atol=1e-12)
    np.testing.assert_array_equal(fit.path.lower_limits, lower)
    if grid == "default":
        return
    # the limits bind: x2 is held at -0.5 and the dummy of level b at 0
    coef = fit.coef
    assert coef["x2"] == pytest.approx(-0.5, abs=1e-12)
    assert coef["g[T.b]"] == 0.0
    assert "x2" in fit.at_limit
    free = ps.fit(FORMULA, df, family=family, penalty=penalty, l1_ratio=l1_ratio,
                  select=None, lambdas=lambdas)  # fmt: skip
    assert free.coef["x2"] < -0.8 and free.coef["g[T.b]"] < -0.4
    assert free.spec.lower_limits is None and free.path.lower_limits is None


def test_fixed_lam_and_wrappers_fit_with_the_limits(gdf):
    lam = 0.05
    fit = ps.lasso(FORMULA, gdf, lam=lam, lower_limits=LOWER, upper_limits=UPPER)
    lower, upper = column_limits(fit)
    direct = ps.fit_path(
        fit.design.X, fit.design.y, lambdas=fit.path.lambdas, lower_limits=lower,
        upper_limits=upper,
    )  # fmt: skip
    np.testing.assert_allclose(fit.coef.iloc[1:], direct.coefs[fit.index], atol=1e-12)
    assert fit.lam == lam
    assert fit.coef["x1"] == pytest.approx(0.9, abs=1e-12)
    assert "x1" in fit.at_limit
    for shortcut in (ps.ridge, ps.elastic_net):
        a = shortcut(FORMULA, gdf, lam=lam, lower_limits=LOWER, upper_limits=UPPER)
        b = ps.fit(
            FORMULA, gdf, penalty="l2" if shortcut is ps.ridge else "elasticnet",
            l1_ratio=None if shortcut is ps.ridge else 0.5, lam=lam,
            lower_limits=LOWER, upper_limits=UPPER,
        )  # fmt: skip
        pd.testing.assert_series_equal(a.coef, b.coef)
        assert a.coef["x2"] >= -0.5 - 1e-12 and a.coef["x1"] <= 0.9 + 1e-12


def test_a_number_applies_to_the_penalized_columns_only(gdf):
    pf = {"x2": 0}
    fit = ps.lasso(FORMULA, gdf, lower_limits=0, penalty_factor=pf, lam=0.05)
    cols = list(fit.design.columns)
    expected = np.where(np.array(cols) == "x2", -np.inf, 0.0)
    np.testing.assert_array_equal(fit.spec.lower_limits, expected)
    assert np.isinf(fit.spec.upper_limits).all()  # that side limits nothing
    # the unpenalized x2 (and the intercept) stay free: both negative here
    assert fit.coef["x2"] < -0.8 and fit.intercept < 0
    assert (fit.coef.drop(["Intercept", "x2"]) >= 0).all()
    direct = ps.fit_path(
        fit.design.X, fit.design.y, lambdas=fit.path.lambdas, lower_limits=expected,
        penalty_factor=fit.spec.penalty_factor,
    )  # fmt: skip
    np.testing.assert_allclose(fit.path.coefs, direct.coefs, atol=1e-12)
    # the number applies to every penalized column when none is unpenalized
    upper = ps.lasso(FORMULA, gdf, upper_limits=1.5, lam=0.05).spec.upper_limits
    np.testing.assert_array_equal(upper, np.full(len(cols), 1.5))


def test_a_term_name_covers_its_dummy_columns_and_a_column_entry_wins(gdf):
    fit = ps.lasso(FORMULA, gdf, lower_limits={"g": 0}, lam=0.05)
    lower = pd.Series(fit.spec.lower_limits, index=fit.design.columns)
    assert fit.design.terms["g"] == ["g[T.b]", "g[T.c]"]
    assert (lower[["g[T.b]", "g[T.c]"]] == 0).all()
    assert np.isinf(lower.drop(["g[T.b]", "g[T.c]"])).all()
    # a column's own entry wins over its term's, whatever the order of the dict
    for spec in ({"g": 0, "g[T.c]": -0.25}, {"g[T.c]": -0.25, "g": 0}):
        lower = ps.lasso(FORMULA, gdf, lower_limits=spec, lam=0.05).spec.lower_limits
        lower = pd.Series(lower, index=fit.design.columns)
        assert lower["g[T.b]"] == 0 and lower["g[T.c]"] == -0.25


def test_one_value_per_design_column_equals_the_dict(gdf):
    by_name = ps.lasso(FORMULA, gdf, lower_limits=LOWER, upper_limits=UPPER, lam=0.05)
    lower, upper = column_limits(by_name)
    by_array = ps.lasso(FORMULA, gdf, lower_limits=lower, upper_limits=upper, lam=0.05)
    pd.testing.assert_series_equal(by_name.coef, by_array.coef)
    np.testing.assert_array_equal(by_array.spec.lower_limits, lower)


def test_limits_that_limit_nothing_give_the_fit_without_limits(gdf):
    plain = ps.lasso(FORMULA, gdf, nfolds=5, seed=0)
    for kwargs in (
        {"lower_limits": -np.inf},
        {"upper_limits": {"x1": np.inf}},
        {"lower_limits": np.full(6, -np.inf), "upper_limits": np.inf},
    ):
        fit = ps.lasso(FORMULA, gdf, nfolds=5, seed=0, **kwargs)
        assert not fit.spec.has_limits and fit.limits is None
        pd.testing.assert_series_equal(fit.coef, plain.coef)
        assert "limits" not in fit.summary().tables["header"].index
        assert "at_limit" not in fit.summary().tables["coefficients"].columns


# -- selection ---------------------------------------------------------------------


def _cv_fold_by_hand(fit, foldid, k, measure):
    """Measure on held-out fold ``k`` of ``fit_path`` on the other folds, same limits."""
    X, y = fit.design.X, fit.design.y
    lower, upper = fit.spec.lower_limits, fit.spec.upper_limits
    train, test = foldid != k, foldid == k
    path = ps.fit_path(
        X[train], y[train], family=fit.family.name, l1_ratio=fit.l1_ratio,
        lambdas=fit.path.lambdas, lower_limits=lower, upper_limits=upper,
    )  # fmt: skip
    eta = X[test] @ path.coefs.T + path.intercepts
    yt = y[test][:, None]
    if measure == "mse":
        return ((yt - eta) ** 2).mean(axis=0)
    prob = np.clip(expit(eta), 1e-5, 1 - 1e-5)
    return (-2 * (yt * np.log(prob) + (1 - yt) * np.log(1 - prob))).mean(axis=0)


@pytest.mark.parametrize("family, measure", [("gaussian", "mse"), ("binomial", "deviance")])
def test_cv_curve_with_limits_equals_cv_by_hand(gdf, bdf, family, measure):
    df = gdf if family == "gaussian" else bdf
    foldid = folds_of(len(df))
    fit = ps.fit(
        FORMULA, df, family=family, lower_limits=LOWER, upper_limits=UPPER,
        foldid=foldid, measure=measure, select="cv_min", nlambda=30,
    )  # fmt: skip
    for k in (0, 2):
        expected = _cv_fold_by_hand(fit, foldid, k, measure)
        np.testing.assert_allclose(fit.cv.fold_values[k], expected, rtol=1e-9, atol=1e-12)
    # folds fitted without the limits would give another curve
    plain = ps.fit(FORMULA, df, family=family, foldid=foldid, measure=measure,
                   select="cv_min", lambdas=fit.path.lambdas)  # fmt: skip
    assert not np.allclose(plain.cv.cvm[-5:], fit.cv.cvm[-5:], rtol=1e-3)


def test_cross_validate_refits_folds_with_the_paths_limits(gdf):
    fit = ps.lasso(FORMULA, gdf, lower_limits=LOWER, upper_limits=UPPER, select=None)
    X, y = fit.design.X, fit.design.y
    lower, upper = column_limits(fit)
    path = ps.fit_path(X, y, lower_limits=lower, upper_limits=upper, nlambda=20)
    foldid = folds_of(len(y))
    from_path = cross_validate(path, X, y, foldid=foldid)  # the path's spec refits
    np.testing.assert_array_equal(path.spec.lower_limits, lower)
    expected = np.mean([_cv_fold_by_hand(fit_like(path, fit), foldid, k, "mse")
                        for k in range(4)], axis=0)  # fmt: skip
    np.testing.assert_allclose(from_path.cvm, expected, rtol=1e-9)
    free = ps.fit_path(X, y, lambdas=path.lambdas)
    assert not np.allclose(cross_validate(free, X, y, foldid=foldid).cvm, from_path.cvm)


def fit_like(path, fit):
    """A stand-in for ``_cv_fold_by_hand``: ``fit`` with another path."""
    clone = copy.copy(fit)
    clone.path = path
    return clone


def test_l1_ratio_search_fits_every_mix_and_fold_with_the_limits(gdf):
    foldid = folds_of(len(gdf))
    fit = ps.elastic_net(
        FORMULA, gdf, l1_ratio=[0.3, 1.0], lower_limits=LOWER, upper_limits=UPPER,
        foldid=foldid, select="cv_min",
    )  # fmt: skip
    lower, upper = column_limits(fit)
    direct = ps.fit_path(
        fit.design.X, fit.design.y, l1_ratio=fit.l1_ratio, lower_limits=lower,
        upper_limits=upper,
    )  # fmt: skip
    np.testing.assert_allclose(fit.path.coefs, direct.coefs, atol=1e-12)
    for k in (1, 3):
        expected = _cv_fold_by_hand(fit, foldid, k, "mse")
        np.testing.assert_allclose(fit.cv.fold_values[k], expected, rtol=1e-9)
    bic = ps.elastic_net(FORMULA, gdf, l1_ratio=[0.3, 1.0], lower_limits=LOWER,
                         upper_limits=UPPER, select="bic")  # fmt: skip
    assert bic.coef["x2"] >= -0.5 - 1e-12 and bic.coef["x1"] <= 0.9 + 1e-12


# -- degrees of freedom ------------------------------------------------------------


Z = np.array([0.625, 0.5625, -0.3125])  # x_j'y / n of the orthogonal problem


def orthogonal_problem():
    """Three centred orthogonal columns with 1/n variance 1 (n = 8), and a response
    with ``x_j'y / n = Z``: the lasso with limits is then
    ``clip(soft_threshold(Z_j, lam), lower_j, upper_j)``."""
    H = hadamard(8).astype(float)
    X = H[:, 1:4]
    y = 1.0 + X @ Z + H[:, 4:6] @ np.array([0.3, -0.2])  # plus a residual
    return X, y


def test_lasso_df_leaves_out_coefficients_at_a_limit_by_hand():
    X, y = orthogonal_problem()
    z = X.T @ y / 8
    np.testing.assert_allclose(z, Z, rtol=1e-15)
    lower = np.array([-np.inf, -np.inf, -0.1])
    upper = np.array([0.6, np.inf, np.inf])
    lambdas = np.array([0.8, 0.3, 0.05])
    path = ps.fit_path(X, y, lambdas=lambdas, standardize=False, lower_limits=lower,
                       upper_limits=upper, tol=1e-14)  # fmt: skip
    soft = np.sign(z) * np.maximum(np.abs(z) - lambdas[:, None], 0.0)
    expected = np.clip(soft, lower, upper)
    np.testing.assert_allclose(path.coefs, expected, atol=1e-12)
    # by hand from Z = (0.625, 0.5625, -0.3125):
    # lam 0.8: all zero -> 0; lam 0.3: b = (0.325, 0.2625, -0.0125), all free -> 3;
    # lam 0.05: b = (0.575, 0.5125, -0.2625 -> -0.1 at its limit) -> 2
    np.testing.assert_allclose(effective_df(path, X), [0, 3, 2])
    table = criteria_table(path, X, y)
    np.testing.assert_allclose(table["edf"], [1, 4, 3])
    np.testing.assert_array_equal(table["df"], [0, 3, 3])  # still the nonzero count
    # AIC by hand at lam 0.05: gaussian loglik with the variance profiled out
    b = expected[2]
    b0 = y.mean()  # centred columns
    rss = np.sum((y - b0 - X @ b) ** 2)
    loglik = -8 / 2 * (np.log(2 * np.pi * rss / 8) + 1)
    assert table["aic"].iloc[2] == pytest.approx(-2 * loglik + 2 * 3, rel=1e-10)
    # an upper limit that is reached: lam 0.01 puts x1 at 0.6
    at_upper = ps.fit_path(X, y, lambdas=[0.01], standardize=False, upper_limits=upper,
                           tol=1e-14)  # fmt: skip
    assert at_upper.coefs[0, 0] == pytest.approx(0.6, abs=1e-12)
    np.testing.assert_allclose(effective_df(at_upper, X), [2])
    # without limits every nonzero coefficient counts, as before
    free = ps.fit_path(X, y, lambdas=lambdas, standardize=False, tol=1e-14)
    np.testing.assert_allclose(effective_df(free, X), [0, 3, 3])


def test_elastic_net_edf_is_the_trace_over_the_free_set_by_hand():
    X, y = orthogonal_problem()
    lower = np.array([-np.inf, -np.inf, -0.1])
    path = ps.fit_path(X, y, l1_ratio=0.5, lambdas=[2.0, 0.1], standardize=False,
                       lower_limits=lower, tol=1e-14)  # fmt: skip
    b = path.coefs[1]
    assert b[2] == pytest.approx(-0.1, abs=1e-12) and b[0] > 0 and b[1] > 0
    # X_F' M X_F = I on the orthogonal free set F = {0, 1}, M = I / n; the ridge part
    # is lam (1 - l1_ratio) / s_y (s_j = 1 without standardization): each free
    # column adds 1 / (1 + lam (1 - l1_ratio) / s_y)
    s_y = y.std()
    expected = 2.0 / (1.0 + 0.1 * 0.5 / s_y)
    np.testing.assert_allclose(effective_df(path, X, y=y), [0.0, expected], rtol=1e-12)
    table = criteria_table(path, X, y)
    assert table["edf"].iloc[1] == pytest.approx(expected + 1, rel=1e-12)


def test_binomial_lasso_df_and_fit_criteria_use_the_free_set(bdf):
    fit = ps.fit(FORMULA, bdf, family="binomial", lower_limits=LOWER,
                 upper_limits=UPPER, select="bic")  # fmt: skip
    table = fit.selection.table
    coefs = fit.path.coefs
    lower, upper = column_limits(fit)
    held = (np.abs(coefs - lower) < 1e-9) | (np.abs(coefs - upper) < 1e-9)
    free = ((coefs != 0) & ~held).sum(axis=1)
    assert (held & (coefs != 0)).any()
    np.testing.assert_array_equal(table["edf"], free + 1.0)
    np.testing.assert_array_equal(table["df"], (coefs != 0).sum(axis=1))
    bic = -2 * table["loglik"] + np.log(len(bdf)) * (free + 1.0)
    np.testing.assert_allclose(table["bic"], bic, rtol=1e-12)


def test_paths_without_limits_keep_their_criteria(gdf):
    fit = ps.elastic_net(FORMULA, gdf, select="aic")
    unlimited = ps.elastic_net(FORMULA, gdf, select="aic", upper_limits=np.inf)
    pd.testing.assert_frame_equal(fit.selection.table, unlimited.selection.table)


# -- resampling ----------------------------------------------------------------------


def test_bootstrap_replicates_equal_fit_path_on_the_resampled_rows(bdf, fixed_bootstrap):
    fit = ps.fit(FORMULA, bdf, family="binomial", lam=0.01, lower_limits=LOWER,
                 upper_limits=UPPER)  # fmt: skip
    boot, drawn, grid = fixed_bootstrap(fit, n_boot=4, seed=3)
    X, y = fit.design.X, fit.design.y
    lower, upper = column_limits(fit)
    held = 0
    for coefs, rows in zip(boot.coefs, drawn, strict=True):
        direct = ps.fit_path(X[rows], y[rows], family="binomial", lambdas=grid,
                             lower_limits=lower, upper_limits=upper)  # fmt: skip
        np.testing.assert_allclose(coefs, direct.coefs[-1], rtol=0, atol=1e-12)
        assert np.all(coefs >= lower - 1e-12) and np.all(coefs <= upper + 1e-12)
        held += int(np.isclose(coefs, -0.5).any())
    assert held > 0


def test_bootstrap_with_cv_inside_fits_the_replicate_with_the_limits(gdf):
    fit = ps.lasso(FORMULA, gdf, nfolds=5, seed=0, lower_limits=LOWER,
                   upper_limits=UPPER)  # fmt: skip
    rows = np.random.default_rng(7).integers(0, len(gdf), size=len(gdf))
    replicate = fit.refit_rows(rows, fixed_lam=False, seed=11)
    again = ps.lasso(FORMULA, gdf.iloc[rows].reset_index(drop=True), nfolds=5, seed=11,
                     lower_limits=LOWER, upper_limits=UPPER)  # fmt: skip
    np.testing.assert_allclose(replicate, again.coef.iloc[1:], atol=1e-12)


def test_stability_selection_subsample_paths_use_the_limits(gdf):
    fit = ps.lasso(FORMULA, gdf, lower_limits=LOWER, upper_limits=UPPER, nlambda=15,
                   seed=0)  # fmt: skip
    rows = np.arange(0, len(gdf), 2)
    path = fit.path_rows(rows, fit.path.lambdas)
    lower, upper = column_limits(fit)
    direct = ps.fit_path(fit.design.X[rows], fit.design.y[rows], lambdas=fit.path.lambdas,
                         lower_limits=lower, upper_limits=upper)  # fmt: skip
    np.testing.assert_allclose(path.coefs, direct.coefs, atol=1e-12)
    np.testing.assert_array_equal(path.upper_limits, upper)
    stab = fit.stability_selection(n_subsamples=5, q=2, seed=1, progress=False)
    assert stab.n_fits == 10


# -- what the user sees ------------------------------------------------------------


def test_summary_names_the_limits_and_marks_coefficients_at_one(gdf):
    fit = ps.lasso(FORMULA, gdf, lower_limits=LOWER, upper_limits=UPPER, lam=0.05)
    summary = fit.summary(all=True)
    header = summary.tables["header"]["value"]
    assert header["limits"] == "g >= 0; x1 <= 0.9; x2 >= -0.5"
    assert header["nonzero coefficients"] == "5 of 6 (2 at a limit)"
    table = summary.tables["coefficients"]
    assert table.loc["x1", "at_limit"] == "upper"
    assert table.loc["x2", "at_limit"] == "lower"
    # a coefficient at a limit of 0 is a zero coefficient, not one held at a limit
    assert table.loc["g[T.b]", "at_limit"] == ""
    assert fit.at_limit == ["x1", "x2"]
    text = str(summary)
    assert "limits" in text and "at_limit" in text
    limits = fit.limits
    assert limits.loc["x1"].tolist() == [-np.inf, 0.9]
    assert limits.loc["g[T.c]"].tolist() == [0.0, np.inf]
    nonneg = ps.lasso(FORMULA, gdf, lower_limits=0, lam=0.05).summary()
    assert nonneg.tables["header"].loc["limits", "value"] == "every penalized column >= 0"
    assert "limits" in nonneg._repr_html_()


# -- errors and inputs ---------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"lower_limits": {"x9": 0}},
            r"lower_limits names \['x9'\].*valid names: \['g', 'x1'",
        ),
        ({"upper_limits": {"g[T.d]": 1, "x1": 1}}, r"upper_limits names \['g\[T.d\]'\]"),
        ({"lower_limits": 0.5}, r"lower_limits=0.5: limits must be <= 0"),
        ({"lower_limits": {"x1": 0.5}}, r"lower_limits\['x1'\]=0.5: limits must be <= 0"),
        ({"upper_limits": {"g": -1}}, r"upper_limits\['g'\]=-1: limits must be >= 0"),
        ({"upper_limits": [1, 1, -1, 1, 1, 1]}, r"upper_limits\['x1'\]=-1.0: .* >= 0"),
        ({"lower_limits": np.nan}, r"lower_limits is NaN"),
        ({"lower_limits": {"x1": float("nan")}}, r"lower_limits\['x1'\] is NaN"),
        ({"lower_limits": "0"}, r"lower_limits='0' must be a number"),
        ({"lower_limits": {"x1": "a"}}, r"lower_limits\['x1'\]='a' must be a number"),
        ({"lower_limits": {"x1": True}}, r"lower_limits\['x1'\]=True must be a number"),
        ({"upper_limits": [1.0, 2.0]}, r"upper_limits has shape \(2,\); give one value"),
    ],
)
def test_limit_errors_name_the_argument(gdf, kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        ps.lasso(FORMULA, gdf, lam=0.1, **kwargs)


def test_finite_limit_on_an_unpenalized_column_is_refused(gdf):
    pf = {"x1": 0}
    with pytest.raises(ArgumentError, match=r"unpenalized column\(s\) \['x1'\]"):
        ps.lasso(FORMULA, gdf, lam=0.1, penalty_factor=pf, lower_limits={"x1": -1})
    with pytest.raises(PenstatError, match=r"upper_limits .*unpenalized .*\['x1'\]"):
        ps.lasso(FORMULA, gdf, lam=0.1, penalty_factor=pf, upper_limits=np.ones(6) * 2)
    # through a term: named with the term it came from
    with pytest.raises(ArgumentError, match=r"\['g\[T.b\]'\] \(through \['g'\]\)"):
        ps.lasso(FORMULA, gdf, lam=0.1, penalty_factor={"g[T.b]": 0}, lower_limits=LOWER)
    # -inf / inf there is fine, and so is a number (it skips unpenalized columns)
    ok = ps.lasso(FORMULA, gdf, lam=0.1, penalty_factor=pf,
                  lower_limits={"x1": -np.inf, "x2": 0})  # fmt: skip
    assert ok.spec.lower_limits[list(ok.design.columns).index("x2")] == 0


def test_the_data_frame_and_the_dicts_are_not_modified(gdf):
    df = gdf.copy()
    before = df.copy()
    lower = {"x2": -0.5, "g": 0}
    upper = {"x1": 0.9}
    lower_copy, upper_copy = dict(lower), dict(upper)
    arr = np.full(6, np.inf)
    arr_copy = arr.copy()
    fit = ps.lasso(FORMULA, df, lower_limits=lower, upper_limits=upper, nfolds=3, seed=0)
    fit.bootstrap(n_boot=2, seed=0, progress=False)
    ps.lasso(FORMULA, df, upper_limits=arr, lam=0.1)
    pd.testing.assert_frame_equal(df, before)
    assert lower == lower_copy and upper == upper_copy
    np.testing.assert_array_equal(arr, arr_copy)


def test_sklearn_positive_is_a_lower_limit_of_zero_on_penalized_columns(gdf):
    from penstat.sklearn import PenalizedClassifier, PenalizedRegressor

    X, y = gdf[XCOLS].to_numpy(), gdf["y"].to_numpy()
    est = PenalizedRegressor(positive=True, lam=0.05).fit(X, y)
    direct = ps.fit_path(X, y, lambdas=est.path_.lambdas, lower_limits=0.0)
    np.testing.assert_allclose(est.coef_, direct.coefs[-1], atol=1e-12)
    assert est.coef_[1] == 0.0 and (est.coef_ >= 0).all()
    # an unpenalized column stays free
    pf = np.array([1.0, 0.0, 1.0, 1.0])
    est = PenalizedRegressor(positive=True, penalty_factor=pf, select="bic").fit(X, y)
    assert est.coef_[1] < -0.5
    np.testing.assert_array_equal(est.path_.lower_limits, [0, -np.inf, 0, 0])
    assert PenalizedRegressor().get_params()["positive"] is False
    clf = PenalizedClassifier(positive=True, nfolds=3, seed=0).fit(X, y > 0)
    assert (clf.coef_ >= 0).all() and clf.path_.lower_limits is not None
    with pytest.raises(ArgumentError, match="positive"):
        PenalizedRegressor(positive="yes").fit(X, y)


def test_labelled_series_is_read_by_name_for_limits_and_penalty_factor():
    # a Series labelled by column names means what the dict with those names means,
    # whatever its order; one indexed by position stays positional
    df = pd.DataFrame(
        {
            "y": [1.0, 2.0, 3.5, 5.0, 4.0, 6.5, 7.0, 9.0],
            "x1": [1.0, 0.0, 2.0, 3.0, 2.5, 4.0, 5.0, 6.0],
            "x2": [0.5, 1.0, -1.0, 2.0, 0.0, 1.5, -0.5, 1.0],
        }
    )
    backwards = pd.Series([0.0, -np.inf], index=["x2", "x1"])
    by_label = ps.lasso("y ~ x1 + x2", df, lower_limits=backwards, lam=0.05)
    by_dict = ps.lasso("y ~ x1 + x2", df, lower_limits={"x2": 0.0}, lam=0.05)
    assert by_label.spec.lower_limits.tolist() == [-np.inf, 0.0]
    np.testing.assert_array_equal(by_label.coef, by_dict.coef)
    positional = ps.lasso(
        "y ~ x1 + x2", df, lower_limits=pd.Series([0.0, -np.inf]), lam=0.05
    )
    assert positional.spec.lower_limits.tolist() == [0.0, -np.inf]
    pf = ps.lasso(
        "y ~ x1 + x2",
        df,
        penalty_factor=pd.Series([2.0, 1.0], index=["x2", "x1"]),
        lam=0.05,
    )
    pf_dict = ps.lasso("y ~ x1 + x2", df, penalty_factor={"x2": 2.0}, lam=0.05)
    np.testing.assert_array_equal(pf.spec.penalty_factor, pf_dict.spec.penalty_factor)
    np.testing.assert_array_equal(backwards.to_numpy(), [0.0, -np.inf])  # unchanged
