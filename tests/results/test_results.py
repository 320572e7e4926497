import pickle
import re

import numpy as np
import pandas as pd
import pytest
from conftest import make_mixed_frame

import penstat as ps
from penstat import ArgumentError
from penstat.resampling import BootstrapResult


@pytest.fixture(scope="module")
def data():
    df = make_mixed_frame(100, seed=4)
    df.loc[[3, 8, 20], "x2"] = np.nan
    return df


@pytest.fixture(scope="module")
def gfit(data):
    return ps.lasso("y ~ x1 + x2 + x3 + C(region) + flag", data, lam=0.1)


def test_coefficient_attributes(gfit):
    d = gfit.design
    coef = gfit.coef
    assert list(coef.index) == ["Intercept", *d.columns]
    assert coef["Intercept"] == gfit.intercept
    nonzero = [c for c in d.columns if coef[c] != 0]
    assert gfit.selected == nonzero
    assert gfit.df == len(nonzero)
    assert gfit.selected_terms == [
        t for t, cols in d.terms.items() if any(coef[c] != 0 for c in cols)
    ]
    assert gfit.n_obs == 97 and gfit.n_dropped == 3
    assert gfit.dev_ratio == gfit.path.dev_ratio[gfit.index]
    assert gfit.path.column_names == d.columns
    assert gfit.family.name == "gaussian" and gfit.selection is None and gfit.cv is None


def test_summary_tables(gfit, data):
    s = gfit.summary()
    header = s.tables["header"]["value"]
    assert header["formula"] == "y ~ x1 + x2 + x3 + C(region) + flag"
    assert header["observations used"] == "97"
    assert header["rows dropped (missing values)"] == "3"
    assert header["lambda chosen by"] == "fixed by the user"
    assert float(header["lambda"]) == pytest.approx(0.1)
    coefs = s.tables["coefficients"]
    assert list(coefs.index) == gfit.selected
    # standardized coefficient = coefficient * (1/n) standard deviation of the column
    X = gfit.design.X
    sd = pd.Series(X.std(axis=0), index=gfit.design.columns)
    np.testing.assert_allclose(
        coefs["std_coef"], coefs["coef"] * sd[coefs.index], rtol=1e-12
    )
    assert coefs.loc[gfit.selected[0], "term"] == gfit.design.term_of()[gfit.selected[0]]
    everything = gfit.summary(all=True).tables["coefficients"]
    assert list(everything.index) == gfit.design.columns
    terms = s.tables["terms"]
    assert terms.loc["C(region)", "n_columns"] == 3
    text = str(s)
    assert "C(region)" in text and "Terms" in text and "fixed by the user" in text
    html = s._repr_html_()
    assert html.count("<table") == 3 and "std_coef" in html


def test_weighted_standardized_coefficients(data):
    w = np.linspace(0.5, 2.0, len(data))
    fit = ps.lasso("y ~ x1 + x3", data, lam=0.05, weights=w)
    x = data["x1"].to_numpy()  # x2 (with the missing values) is not used: no row dropped
    ww = w / w.sum()
    sd = np.sqrt(ww @ (x - ww @ x) ** 2)
    got = fit.summary(all=True).tables["coefficients"].loc["x1", "std_coef"]
    assert got == pytest.approx(fit.coef["x1"] * sd, rel=1e-12)
    assert fit.summary().tables["header"].loc["weights", "value"] == "yes"


def test_binomial_summary_states_positive_class(data):
    fit = ps.fit(
        "outcome ~ x1 + x3", data, family="binomial", lam=0.01, positive_class="no"
    )
    header = fit.summary().tables["header"]["value"]
    assert "positive class: 'no'" in header["family"]
    p = fit.predict(data, type="response")
    labels = fit.predict(data, type="class")
    assert set(labels.dropna()) <= {"yes", "no"}
    assert (labels[p > 0.5] == "no").all() and (labels[p < 0.5] == "yes").all()
    # rows with a missing predictor: NaN / None
    assert p.isna().sum() == 0  # x2 is not in this formula
    with pytest.raises(ArgumentError, match="type='class'"):
        ps.lasso("y ~ x1", data, lam=0.1).predict(data, type="class")
    with pytest.raises(ArgumentError, match="type='prob'"):
        fit.predict(data, type="prob")


def test_summary_with_cv_selection(data):
    fit = ps.lasso("y ~ x1 + x2 + x3 + region", data, select="cv_min", nfolds=5, seed=2)
    header = fit.summary().tables["header"]["value"]
    assert "5-fold" in header["lambda chosen by"]
    row = fit.selection.table.iloc[fit.index]
    assert header["CV mse"].startswith(f"{row['cv_mean']:.6g}")
    assert float(header["lambda (1-SE rule)"]) == pytest.approx(fit.selection.lam_1se, 1e-5)


def test_summary_shows_bootstrap_columns(gfit):
    cols = gfit.design.columns
    columns = pd.DataFrame(
        {
            "freq": np.linspace(0, 1, len(cols)),
            "sign_consistency": 1.0,
            "median": 0.5,
            "lower": 0.1,
            "upper": 0.9,
        },
        index=cols,
    )
    terms = pd.DataFrame(
        {"freq": np.linspace(0, 1, len(gfit.design.terms))}, index=list(gfit.design.terms)
    )
    # a BootstrapResult made from chosen tables (the summary reads it through the
    # export record, which reads every field of it)
    gfit.bootstrap_result = BootstrapResult(
        n_boot=10,
        fixed_lam=True,
        level=0.95,
        columns=columns,
        terms=terms,
        model_size=pd.Series({len(cols): 10}),
        coefs=np.zeros((10, len(cols))),
        seed_entropy=0,
    )
    try:
        s = gfit.summary(all=True)
        table = s.tables["coefficients"]
        np.testing.assert_array_equal(table["freq"], columns["freq"])
        assert list(table.columns[-5:]) == [
            "freq",
            "sign_consistency",
            "median",
            "lower",
            "upper",
        ]
        np.testing.assert_array_equal(s.tables["terms"]["freq"], terms["freq"])
        assert "sign_consistency" in str(s)
    finally:
        gfit.bootstrap_result = None


def test_predict_missing_rows_give_nan(gfit, data):
    pred = gfit.predict(data)
    assert pred.isna().sum() == 3
    assert list(pred.index[pred.isna()]) == [3, 8, 20]
    np.testing.assert_allclose(pred.dropna().to_numpy(), gfit.predict().to_numpy())


def test_pickled_fit_predicts_the_same(gfit, data):
    back = pickle.loads(pickle.dumps(gfit))
    np.testing.assert_array_equal(
        back.predict(data).to_numpy(), gfit.predict(data).to_numpy()
    )


def test_refit_rows_rejects_unknown_mode(gfit):
    with pytest.raises(ArgumentError, match="fixed_lam='maybe'"):
        ps.lasso("y ~ x1 + x3", make_mixed_frame(40), seed=0, nfolds=3).refit_rows(
            np.arange(20), fixed_lam="maybe"
        )


def test_refit_rows_same_reapplies_rule(data):
    fit = ps.lasso("y ~ x1 + x3 + region", data, select="bic")
    rows = np.arange(0, fit.n_obs, 2)
    X, y = fit.design.X[rows], fit.design.y[rows]
    path = ps.fit_path(X, y)
    from penstat.selection import select_lambda

    sel = select_lambda(path, X, y, rule="bic")
    np.testing.assert_allclose(fit.refit_rows(rows, fixed_lam=False), path.coefs[sel.index])


def test_repr_mentions_formula(gfit):
    assert "y ~ x1" in repr(gfit) and "lasso" in repr(gfit)


# -- results an R user can read ----------------------------------------------------------


def test_coef_at_is_labelled_and_takes_the_cv_lambdas():
    df = ps.datasets.load("diabetes")
    fit = ps.lasso("y ~ .", df, seed=0, nfolds=5)
    at_min = fit.coef_at("lambda.min")
    assert isinstance(at_min, pd.Series)
    assert at_min.index.tolist() == ["Intercept", *fit.design.columns]
    k = fit.cv.index_min
    assert at_min["Intercept"] == fit.path.intercepts[k]
    assert np.array_equal(at_min.to_numpy()[1:], fit.path.coefs[k])
    assert fit.coef_at("lambda.1se").equals(fit.coef)  # the 1-SE rule chose it
    assert fit.coef_at().equals(fit.coef)
    # between two lambdas of the path: glmnet's interpolation, as Path.coef_at
    mid = float(np.sqrt(fit.path.lambdas[3] * fit.path.lambdas[4]))
    b0, b = fit.path.coef_at(mid)
    assert np.array_equal(fit.coef_at(mid).to_numpy(), np.concatenate([[b0], b]))
    # predict reads the same coefficients
    pred = fit.predict(df.head(3), lam="lambda.min")
    X = fit.design.transform(df.head(3))
    np.testing.assert_allclose(pred, X @ at_min.to_numpy()[1:] + at_min["Intercept"])


def test_coef_at_named_lambda_needs_a_cv_fit():
    fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), select="bic")
    with pytest.raises(ArgumentError, match="'lambda.min' names a lambda of cross-"):
        fit.coef_at("lambda.min")
    cv_fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), seed=0)
    with pytest.raises(ArgumentError, match="'lambda.max': give a number, 'lambda.min'"):
        cv_fit.coef_at("lambda.max")


def _null_fit():
    """A fit at the null model whose deviance ratio is -4.4e-16 (rounding)."""
    rng = np.random.default_rng(0)
    df = pd.DataFrame({k: rng.standard_normal(50) for k in ("y", "a", "b")})
    fit = ps.lasso("y ~ a + b", df, lam=100.0)
    assert np.signbit(fit.dev_ratio)
    return fit, df


def test_no_negative_zero_in_the_summary():
    fit, _ = _null_fit()
    text = str(fit.summary(all=True))
    assert re.search(r"\ndeviance explained +0\.0000\n", text)
    assert "-0.0000" not in text and " -0 " not in text
    assert "-0.0000" not in fit.summary()._repr_html_()


def test_summary_shows_the_stability_results():
    fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
    assert "Stability selection" not in str(fit.summary())
    stab = fit.stability_selection(10, seed=0, progress=False)
    summary = fit.summary()
    text = str(summary)
    assert "Stability selection" in text
    assert (
        f"stable columns (max selection probability >= 0.75): {', '.join(stab.stable)}"
        in text
    )
    assert f"expected false selections <= {stab.pfer:.3g} (q = 3" in text
    assert f"seed {stab.seed_entropy}" in text
    assert summary.tables["stability"]["stable"].sum() == len(stab.stable)
    assert "<h4>Stability selection</h4>" in summary._repr_html_()
