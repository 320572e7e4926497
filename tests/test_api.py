import inspect

import numpy as np
import pandas as pd
import patsy
import pytest
from conftest import frame_fingerprint, make_mixed_frame
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, Ridge

import penstat as ps
from penstat import ArgumentError, DataError, FormulaError, PenstatError
from penstat.report import render_report

FORMULA = "y ~ x1 + x2 + x3 + C(region) + grade + flag + x1:x2"


def design_of(formula, df):
    _, X = patsy.dmatrices(formula, df, return_type="dataframe")
    return X.drop(columns="Intercept")


def standardize(X, w=None):
    X = np.asarray(X, dtype=float)
    w = np.ones(len(X)) if w is None else np.asarray(w, float)
    w = w / w.sum()
    mean = w @ X
    sd = np.sqrt(w @ (X - mean) ** 2)
    return (X - mean) / sd, sd


def sklearn_gaussian(X, y, lam, l1_ratio, w=None):
    """glmnet's gaussian problem as scikit-learn's ElasticNet on standardized X.

    glmnet solves for y / sd_y with penalty lam / sd_y, so the ridge part of the
    penalty is effectively lam * (1 - l1_ratio) / sd_y (see penstat.fit_path).
    """
    Xs, sd = standardize(X, w)
    _, sd_y = standardize(np.asarray(y, float)[:, None], w)
    l1 = lam * l1_ratio
    l2 = lam * (1.0 - l1_ratio) / sd_y[0]
    if l1_ratio == 1.0:
        model = Lasso(alpha=lam, tol=1e-14, max_iter=1_000_000)
    else:
        model = ElasticNet(
            alpha=l1 + l2, l1_ratio=l1 / (l1 + l2), tol=1e-14, max_iter=1_000_000
        )
    model.fit(Xs, y, sample_weight=w)
    return model.coef_ / sd


@pytest.fixture(scope="module")
def df():
    return make_mixed_frame(120, seed=7)


@pytest.mark.parametrize("l1_ratio, lam", [(1.0, 0.05), (1.0, 0.3), (0.5, 0.1)])
def test_gaussian_matches_sklearn_and_fit_path(df, l1_ratio, lam):
    if l1_ratio == 1.0:
        fit = ps.lasso(FORMULA, df, lam=lam, tol=1e-13)
    else:
        fit = ps.elastic_net(FORMULA, df, l1_ratio=l1_ratio, lam=lam, tol=1e-13)
    X = design_of(FORMULA, df)
    assert list(fit.coef.index) == ["Intercept", *X.columns]
    assert fit.lam == lam and fit.l1_ratio == l1_ratio
    ref = sklearn_gaussian(X, df["y"].to_numpy(), lam, l1_ratio)
    np.testing.assert_allclose(fit.coef.to_numpy()[1:], ref, atol=1e-6)
    # the same design and grid straight into the path solver
    path = ps.fit_path(
        X.to_numpy(),
        df["y"].to_numpy(),
        l1_ratio=l1_ratio,
        lambdas=fit.path.lambdas,
        tol=1e-13,
    )
    np.testing.assert_allclose(fit.coef.to_numpy()[1:], path.coefs[fit.index], atol=1e-12)
    assert fit.intercept == pytest.approx(path.intercepts[fit.index], abs=1e-12)
    assert fit.selected == [c for c, b in zip(X.columns, ref, strict=True) if abs(b) > 1e-8]


def test_weighted_gaussian_matches_sklearn(df):
    w = np.random.default_rng(0).uniform(0.2, 3.0, size=len(df))
    fit = ps.lasso("y ~ x1 + x2 + x3 + region", df, lam=0.08, weights=w, tol=1e-13)
    X = design_of("y ~ x1 + x2 + x3 + region", df)
    ref = sklearn_gaussian(X, df["y"].to_numpy(), 0.08, 1.0, w=w)
    np.testing.assert_allclose(fit.coef.to_numpy()[1:], ref, atol=1e-6)
    # a weights column gives the same fit
    with_col = df.assign(wt=w)
    fit2 = ps.lasso(
        "y ~ x1 + x2 + x3 + region", with_col, lam=0.08, weights="wt", tol=1e-13
    )
    np.testing.assert_allclose(fit2.coef.to_numpy(), fit.coef.to_numpy(), atol=1e-12)


def test_ridge_matches_closed_form_ridge(df):
    lam = 0.5
    fit = ps.ridge(FORMULA, df, lam=lam, tol=1e-13)
    X = design_of(FORMULA, df)
    Xs, sd = standardize(X)
    sd_y = df["y"].std(ddof=0)
    # (1/2n) RSS + lam/(2 sd_y) ||b||^2 (glmnet's gaussian convention, see
    # sklearn_gaussian) is sklearn's Ridge with alpha = n * lam / sd_y
    ref = Ridge(alpha=len(df) * lam / sd_y, solver="cholesky").fit(Xs, df["y"]).coef_ / sd
    # the solver's tol bounds squared coordinate changes (glmnet's rule): ~sqrt(tol)
    np.testing.assert_allclose(fit.coef.to_numpy()[1:], ref, atol=1e-6)
    assert fit.df == X.shape[1]


@pytest.mark.parametrize("l1_ratio, lam", [(1.0, 0.02), (0.0, 0.05)])
def test_binomial_matches_sklearn_logistic(df, l1_ratio, lam):
    formula = "outcome ~ x1 + x2 + region + flag"
    fit = ps.fit(
        formula,
        df,
        family="binomial",
        penalty="l1" if l1_ratio else "l2",
        lam=lam,
        tol=1e-13,
    )
    assert fit.design.classes == ("no", "yes")
    _, X = patsy.dmatrices("y ~ x1 + x2 + region + flag", df, return_type="dataframe")
    X = X.drop(columns="Intercept")
    Xs, sd = standardize(X)
    y = (df["outcome"] == "yes").to_numpy(int)
    # -(1/n) loglik + lam * pen  ==  pen + C * sum logloss  with C = 1 / (n lam)
    C = 1.0 / (len(df) * lam)
    solver = "saga" if l1_ratio else "lbfgs"
    model = LogisticRegression(
        C=C, l1_ratio=l1_ratio, solver=solver, tol=1e-12, max_iter=200_000
    ).fit(Xs, y)
    np.testing.assert_allclose(fit.coef.to_numpy()[1:], model.coef_[0] / sd, atol=2e-5)
    eta = model.decision_function(Xs)
    np.testing.assert_allclose(fit.predict(type="link").to_numpy(), eta, atol=2e-5)


def test_select_number_is_lam_and_lam_off_grid_is_exact(df):
    a = ps.lasso(FORMULA, df, select=0.123)
    b = ps.lasso(FORMULA, df, lam=0.123)
    np.testing.assert_array_equal(a.coef.to_numpy(), b.coef.to_numpy())
    assert a.selection is None and a.lam == 0.123
    # the full grid is kept around the inserted lambda
    assert a.path.lambdas[0] > 0.123 > a.path.lambdas[-1]


def test_penalty_factor_by_term_and_column(df):
    fit = ps.lasso(FORMULA, df, lam=0.2, penalty_factor={"C(region)": 0, "x3": 2.0})
    cols = fit.design.columns
    pf = np.ones(len(cols))
    pf[[cols.index(c) for c in fit.design.terms["C(region)"]]] = 0.0
    pf[cols.index("x3")] = 2.0
    path = ps.fit_path(
        fit.design.X, fit.design.y, lambdas=fit.path.lambdas, penalty_factor=pf
    )
    np.testing.assert_allclose(fit.coef.to_numpy()[1:], path.coefs[fit.index], atol=1e-12)
    assert set(fit.design.terms["C(region)"]) <= set(fit.selected)


def test_unpenalized_factor_level_of_one_class_warns_and_fits():
    # the 4 rows of level "rare" all have y = 1: its unpenalized coefficient has no
    # finite estimate (quasi-complete separation); cross-validation still runs
    rng = np.random.default_rng(5)
    data = pd.DataFrame(rng.standard_normal((200, 3)), columns=["x0", "x1", "x2"])
    data["g"] = np.r_[["rare"] * 4, rng.choice(["a", "b"], 196)]
    data["y"] = (rng.random(200) < 1 / (1 + np.exp(-data.x0))).astype(int)
    data.loc[:3, "y"] = 1
    before = data.copy()
    with pytest.warns(ps.SeparationWarning, match="penalty_factor") as caught:
        fit = ps.lasso("y ~ .", data, family="binomial", penalty_factor={"g": 0}, seed=0)
    assert fit.coef["g[T.rare]"] > 5 and np.all(np.isfinite(fit.coef.to_numpy()))
    pd.testing.assert_frame_equal(data, before)
    # raised in every fold's fit, shown once, attributed to the caller's line
    assert len(caught) == 1 and caught[0].filename == __file__
    # the summary and the report repeat it; a fit without warnings has no such section
    assert fit.warnings == (str(caught[0].message),)
    assert "Warnings\n- penalty_factor: the unpenalized columns" in str(fit.summary())
    assert "quasi-complete separation" in fit.summary()._repr_html_()
    assert "quasi-complete separation" in render_report(fit, fmt="md")
    clean = ps.lasso("y ~ x0 + x1", data, family="binomial", seed=0)
    assert clean.warnings == () and "Warnings" not in str(clean.summary())


def test_no_intercept_formula(df):
    fit = ps.lasso("y ~ x1 + x2 - 1", df, lam=0.1)
    assert not fit.design.has_intercept and fit.intercept == 0.0
    path = ps.fit_path(
        fit.design.X, fit.design.y, lambdas=fit.path.lambdas, fit_intercept=False
    )
    np.testing.assert_allclose(fit.coef.to_numpy()[1:], path.coefs[fit.index], atol=1e-12)


def test_predict_training_frame_equals_fitted_values(df):
    fit = ps.lasso(FORMULA, df, lam=0.05)
    X = design_of(FORMULA, df).to_numpy()
    fitted = fit.intercept + X @ fit.coef.to_numpy()[1:]
    np.testing.assert_allclose(fit.predict(df).to_numpy(), fitted, rtol=1e-12)
    np.testing.assert_allclose(fit.predict().to_numpy(), fitted, rtol=1e-12)
    assert list(fit.predict(df).index) == list(df.index)


def test_predict_shuffled_subset_with_absent_levels(df):
    fit = ps.fit("outcome ~ x1 + C(region) + grade", df, family="binomial", lam=0.01)
    full = fit.predict(df, type="response")
    rng = np.random.default_rng(3)
    sub = df[df["region"].isin(["north", "east"]) & (df["grade"] != "hi")]
    sub = sub.iloc[rng.permutation(len(sub))]
    for kind in ("link", "response", "class"):
        got = fit.predict(sub, type=kind)
        want = fit.predict(df, type=kind).loc[sub.index]
        assert got.index.equals(sub.index)
        if kind == "class":
            assert list(got) == list(want)
        else:
            np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
    labels = fit.predict(df, type="class")
    assert list(labels) == list(np.where(full > 0.5, "yes", "no"))


def test_predict_between_path_lambdas_uses_glmnet_interpolation(df):
    fit = ps.lasso(FORMULA, df, lam=0.05)
    lams = fit.path.lambdas
    k = 10
    lam = 0.3 * lams[k] + 0.7 * lams[k + 1]
    frac = (lam - lams[k + 1]) / (lams[k] - lams[k + 1])
    b = frac * fit.path.coefs[k] + (1 - frac) * fit.path.coefs[k + 1]
    b0 = frac * fit.path.intercepts[k] + (1 - frac) * fit.path.intercepts[k + 1]
    X = fit.design.X
    np.testing.assert_allclose(
        fit.predict(df, type="link", lam=lam).to_numpy(), b0 + X @ b, rtol=1e-10
    )
    # on the path: the exact solution at that lambda
    np.testing.assert_allclose(
        fit.predict(df, lam=lams[k]).to_numpy(),
        fit.path.intercepts[k] + X @ fit.path.coefs[k],
        rtol=1e-12,
    )


def test_refit_rows_and_path_rows_reproduce_the_fit(df):
    fit = ps.lasso(FORMULA, df, lam=0.1, tol=1e-13)
    rows = np.arange(fit.n_obs)
    np.testing.assert_allclose(
        fit.refit_rows(rows, fixed_lam=True), fit.coef[1:], atol=1e-8
    )
    np.testing.assert_allclose(
        fit.refit_rows(rows, fixed_lam=False), fit.coef[1:], atol=1e-8
    )
    path = fit.path_rows(rows, fit.path.lambdas)
    np.testing.assert_allclose(path.coefs, fit.path.coefs, atol=1e-8)
    assert list(path.column_names) == fit.design.columns
    # a bootstrap-like draw equals the fit on the resampled rows
    draw = np.random.default_rng(1).integers(0, fit.n_obs, fit.n_obs)
    ref = ps.fit_path(fit.design.X[draw], fit.design.y[draw], lambdas=[0.1], tol=1e-13)
    np.testing.assert_allclose(
        fit.refit_rows(draw, fixed_lam=True), ref.coefs[0], atol=1e-6
    )


def test_cv_selection_with_grouped_foldid_column(df):
    data = df.assign(group=np.arange(len(df)) % 5)
    fit = ps.lasso("y ~ x1 + x2 + x3 + region", data, foldid="group", seed=0)
    assert "group" not in fit.design.input_columns
    assert fit.selection.rule == "cv_1se"
    assert fit.lam == fit.selection.lam == fit.path.lambdas[fit.index]
    assert fit.cv is fit.selection.cv
    np.testing.assert_array_equal(fit.select_spec.foldid, data["group"].to_numpy())


def test_information_criterion_selection(df):
    fit = ps.lasso("y ~ .", df.drop(columns="outcome"), select="bic")
    assert fit.selection.rule == "bic"
    assert fit.lam == fit.selection.lam
    assert "BIC" in str(fit.summary())


def test_dropped_rows_and_foldid_alignment(df):
    data = df.assign(group=np.arange(len(df)) % 4)
    data.loc[[0, 5], "x1"] = np.nan
    fit = ps.lasso("y ~ x1 + x2", data, foldid=data["group"].to_numpy(), seed=1)
    assert fit.n_dropped == 2 and fit.n_obs == len(df) - 2
    keep = data["x1"].notna().to_numpy()
    np.testing.assert_array_equal(fit.select_spec.foldid, data["group"].to_numpy()[keep])


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(penalty="lasso"), ArgumentError, "penalty='lasso'"),
        (dict(penalty="l1", l1_ratio=0.5), ArgumentError, "l1_ratio=0.5"),
        (dict(penalty="l2", l1_ratio=1.0), ArgumentError, "l1_ratio=1.0"),
        (dict(penalty="elasticnet", l1_ratio=1.5), ArgumentError, "l1_ratio=1.5"),
        (dict(penalty="l1", l1_ratio=[0.2, 0.8]), ArgumentError, "l1_ratio"),
        (dict(penalty="elasticnet", l1_ratio=[0.2, 0.8], lam=0.1), ArgumentError, "lam="),
        (dict(lam=-1.0), ArgumentError, "lam=-1.0"),
        (dict(select="best"), ArgumentError, "select='best'"),
        (dict(penalty_factor={"x9": 0}), ArgumentError, "\\['x9'\\].*'C\\(region\\)'"),
        (dict(penalty_factor={"x1": -1}), ArgumentError, "penalty_factor\\['x1'\\]"),
        (dict(penalty_factor=[1.0, 2.0]), ArgumentError, "penalty_factor has shape"),
        (dict(foldid="fold"), ArgumentError, "foldid='fold'"),
        (dict(nlambda=0), ArgumentError, "nlambda=0"),
        (dict(stratify=True), ArgumentError, "stratify=True.*family='gaussian'"),
        (dict(stratify="no"), ArgumentError, "stratify='no'"),
        (dict(family="poisson"), ArgumentError, "family='poisson'"),
        (dict(weights="wt"), ArgumentError, "weights='wt'"),
        (dict(formula="y ~ x1 + x9"), FormulaError, "'x9'"),
        (dict(formula="region ~ x1"), DataError, "'region'"),
    ],
)
def test_bad_arguments(df, kwargs, error, pattern):
    before = frame_fingerprint(df)
    kwargs = {"formula": "y ~ x1 + x2 + C(region)", "lam": 0.1, **kwargs}
    if "select" in kwargs:
        kwargs.pop("lam")
    formula = kwargs.pop("formula")
    with pytest.raises(error, match=pattern) as info:
        ps.fit(formula, df, **kwargs)
    assert isinstance(info.value, PenstatError)
    assert frame_fingerprint(df) == before


def test_lasso_does_not_take_penalty(df):
    with pytest.raises(ArgumentError, match="penalty"):
        ps.lasso("y ~ x1", df, penalty="l2", lam=0.1)


def test_user_function_in_formula_is_found():
    def double(x):
        return 2 * x

    data = make_mixed_frame(40, seed=2)
    fit = ps.lasso("y ~ double(x1) + x2", data, lam=0.05)
    assert fit.design.columns == ["double(x1)", "x2"]
    np.testing.assert_array_equal(fit.design.X[:, 0], 2 * data["x1"].to_numpy())


def test_public_calls_leave_the_frame_untouched(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    data = make_mixed_frame(60, seed=11)
    data["region"] = data["region"].astype("string")
    data.loc[4, "x2"] = np.nan
    data["wt"] = np.linspace(0.5, 2.0, len(data))
    before = frame_fingerprint(data)
    fits = [
        ps.fit("y ~ . - outcome", data, lam=0.1, weights="wt"),
        ps.lasso("y ~ x1 + region", data, select="cv_min", nfolds=3, seed=0),
        ps.ridge("y ~ x1 * region", data, lam=0.3),
        ps.elastic_net("outcome ~ x1 + x2 + grade", data, family="binomial", lam=0.02),
    ]
    assert frame_fingerprint(data) == before
    for fit in fits:
        fit.predict(data)
        fit.predict(data.iloc[::2], lam=fit.lam * 1.5)
        fit.summary(all=True)._repr_html_()
        fit.plot()
        fit.refit_rows(np.arange(10, fit.n_obs), fixed_lam=True)
        fit.design.transform(data)
        assert frame_fingerprint(data) == before
    import matplotlib.pyplot as plt

    plt.close("all")


def test_l1_ratio_list_is_searched(df):
    fit = ps.elastic_net(
        "y ~ x1 + x2 + x3 + region",
        df,
        l1_ratio=[0.2, 1.0],
        select="cv_min",
        nfolds=4,
        seed=3,
        tol=1e-13,
    )
    table = fit.l1_ratio_table
    assert list(table["l1_ratio"]) == [0.2, 1.0]
    assert fit.l1_ratio == table.loc[table["chosen"], "l1_ratio"].item()
    assert fit.path.l1_ratio == fit.l1_ratio
    assert "0.2, 1" in fit.summary().tables["header"].loc["l1_ratio chosen from", "value"]
    # a replicate at the fixed lambda uses the chosen mix
    ref = ps.fit_path(
        fit.design.X, fit.design.y, l1_ratio=fit.l1_ratio, lambdas=[fit.lam], tol=1e-13
    )
    np.testing.assert_allclose(
        fit.refit_rows(np.arange(fit.n_obs), fixed_lam=True), ref.coefs[0], atol=1e-6
    )


# -- reproducible by default ----------------------------------------------------------


def test_fit_records_a_fresh_seed_and_repeats_with_it():
    df = ps.datasets.load("diabetes")
    a = ps.lasso("y ~ .", df, nfolds=5)
    b = ps.lasso("y ~ .", df, nfolds=5)
    assert isinstance(a.seed, int) and isinstance(b.seed, int)
    assert a.seed != b.seed
    again = ps.lasso("y ~ .", df, nfolds=5, seed=a.seed)
    assert again.seed == a.seed
    assert np.array_equal(again.cv.foldid, a.cv.foldid)
    assert np.array_equal(again.cv.cvm, a.cv.cvm)
    assert np.array_equal(again.coef.to_numpy(), a.coef.to_numpy())
    assert ps.fit_to_dict(a)["model"]["seed"] == a.seed
    assert a.summary().tables["header"].loc["seed", "value"] == str(a.seed)


def test_seed_recorded_only_for_a_fit_that_draws_or_is_given_one():
    df = ps.datasets.load("diabetes")
    assert ps.lasso("y ~ bmi + bp", df, select="bic").seed is None
    assert ps.lasso("y ~ bmi + bp", df, lam=1.0).seed is None
    assert ps.lasso("y ~ bmi + bp", df, select="bic", seed=3).seed == 3
    folds = np.arange(len(df)) % 5
    assert ps.lasso("y ~ bmi + bp", df, foldid=folds).seed is None
    # a Generator gives an int drawn from it, which repeats the fit
    fit = ps.lasso("y ~ bmi + bp", df, seed=np.random.default_rng(4))
    assert isinstance(fit.seed, int)
    assert np.array_equal(ps.lasso("y ~ bmi + bp", df, seed=fit.seed).cv.cvm, fit.cv.cvm)
    with pytest.raises(ArgumentError, match="seed=-1 must be a non-negative int"):
        ps.lasso("y ~ bmi + bp", df, seed=-1)


def test_resampling_records_a_fresh_seed_and_repeats_with_it():
    fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0)
    a = fit.bootstrap(5, progress=False)
    b = fit.bootstrap(5, progress=False)
    assert isinstance(a.seed_entropy, int) and a.seed_entropy < 2**32
    assert a.seed_entropy != b.seed_entropy
    assert np.array_equal(
        fit.bootstrap(5, seed=a.seed_entropy, progress=False).coefs, a.coefs
    )
    fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
    s = fit.stability_selection(5, progress=False)
    again = fit.stability_selection(5, seed=s.seed_entropy, progress=False)
    assert isinstance(s.seed_entropy, int)
    assert np.array_equal(again.probabilities.to_numpy(), s.probabilities.to_numpy())


# -- the shortcuts' documentation ---------------------------------------------------------


@pytest.mark.parametrize("function", [ps.lasso, ps.ridge, ps.elastic_net, ps.group_lasso])
def test_shortcuts_document_their_arguments_and_list_fits(function):
    doc = function.__doc__
    assert "Parameters" in doc and "Examples" in doc and "Returns" in doc
    assert "formula : str" in doc and "data : pandas.DataFrame" in doc
    for name in inspect.signature(ps.fit).parameters:
        if name not in ("formula", "data"):
            assert f"``{name}``" in doc, name
    assert "{options}" not in doc
    assert "\n    **options\n" in doc  # the numpydoc layout, not indented twice
