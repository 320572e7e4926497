"""Bad input to the Python API: each mistake gets a PenstatError (or a warning where
the input is legal) naming the culprit and saying what to do; the input is unchanged."""

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import check_refused, corpus_frame, frame_fingerprint

import penstat as ps
from penstat.solver import fit_path


@pytest.fixture
def df():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {"y": rng.normal(size=30), "x": rng.normal(size=30), "z": rng.normal(size=30)}
    )


def refused(error, match, call, *frames):
    """``call()`` raises ``error`` matching ``match``; ``frames`` are unchanged."""
    before = [frame_fingerprint(f) for f in frames]
    with pytest.raises(error, match=match):
        call()
    assert [frame_fingerprint(f) for f in frames] == before


# 1. no rows


def test_zero_row_frame_says_the_data_has_no_rows(df):
    empty = df.iloc[:0]
    refused(ps.DataError, r"data has no rows", lambda: ps.lasso("y ~ x", empty), empty)


# 2. no predictors


def test_intercept_only_formula_says_there_are_no_predictors(df):
    refused(
        ps.FormulaError,
        r"'y ~ 1' has no predictors \(only an intercept\)",
        lambda: ps.lasso("y ~ 1", df),
        df,
    )
    refused(ps.FormulaError, r"'y ~ 0' has no predictors \(no terms\)",
            lambda: ps.lasso("y ~ 0", df), df)  # fmt: skip


# 3. MultiIndex columns


def test_multiindex_columns_are_refused_with_how_to_flatten(df):
    mi = df.copy()
    mi.columns = pd.MultiIndex.from_tuples([("a", "y"), ("a", "x"), ("b", "z")])
    refused(
        ps.DataError,
        r"MultiIndex columns .* not supported; flatten them .*'_'.join",
        lambda: ps.lasso("y ~ x", mi),
        mi,
    )


# 4. a column named Intercept


@pytest.mark.parametrize("formula", ["y ~ x + Intercept", "y ~ ."])
def test_column_named_intercept_is_refused(df, formula):
    data = df.rename(columns={"z": "Intercept"})
    refused(
        ps.DataError,
        r"column .Intercept. clashes with the name of the intercept in coef and the "
        r"summary; rename",
        lambda: ps.lasso(formula, data),
        data,
    )


def test_unused_column_named_intercept_is_fine(df):
    data = df.rename(columns={"z": "Intercept"})
    assert list(ps.lasso("y ~ x", data, lam=0.01).coef.index) == ["Intercept", "x"]


# 5. timedelta, complex, period


@pytest.mark.parametrize(
    ("values", "match"),
    [
        (pd.to_timedelta(np.arange(30), unit="D"), r"'v' is a timedelta .*total_seconds"),
        (np.arange(30) + 1j, r"'v' holds complex numbers .*np.real\(v\)"),
        (
            pd.period_range("2020-01", periods=30, freq="M"),
            r"'v' is a period .*to_timestamp\(\), then to a number",
        ),
    ],
)
def test_uncodable_column_types_are_refused_by_name(df, values, match):
    data = df.assign(v=values)
    refused(ps.DataError, match, lambda: ps.lasso("y ~ x + v", data), data)


def test_complex_response_is_refused(df):
    data = df.assign(y=df.y + 1j)
    refused(
        ps.DataError, r"'y' holds complex numbers", lambda: ps.lasso("y ~ x", data), data
    )


def test_a_conversion_inside_the_formula_is_allowed(df):
    data = df.assign(v=pd.to_timedelta(np.arange(30), unit="D"))
    fit = ps.lasso("y ~ x + I(v.dt.days)", data, lam=0.01)
    assert "I(v.dt.days)" in fit.coef.index


def test_complex_X_in_fit_path_is_refused(df):
    X = df[["x", "z"]].to_numpy() + 0.5j
    kept = X.copy()
    with pytest.raises(ps.DataError, match=r"X holds complex numbers; pass the real part"):
        fit_path(X, df.y.to_numpy())
    np.testing.assert_array_equal(X, kept)


# 6. datetime


def test_datetime_column_is_refused_with_conversions(df):
    data = df.assign(when=pd.date_range("2020-01-01", periods=30))
    refused(
        ps.DataError,
        r"column 'when' is a datetime .*one dummy per timestamp.*days since an origin"
        r".*C\(when\)",
        lambda: ps.lasso("y ~ x + when", data),
        data,
    )


def test_datetime_column_as_explicit_category_is_allowed(df):
    data = df.assign(when=np.repeat(pd.date_range("2020-01-01", periods=3), 10))
    fit = ps.lasso("y ~ x + C(when)", data, lam=0.01)
    assert len(fit.coef) == 4


# 7. numbers stored as text with a stray cell


def test_numbers_as_text_with_a_stray_cell_name_the_cell(df):
    data = df.assign(s=[f"{v:.2f}" for v in df.z], x=df.x)
    data.index = [f"r{i}" for i in range(30)]
    data.loc["r5", "s"] = "n/a "
    refused(
        ps.DataError,
        r"column 's' is text, but 97% of its values are numbers; the first that is not "
        r"is 'n/a ' in row 'r5'.*pd.to_numeric",
        lambda: ps.lasso("y ~ x + s", data),
        data,
    )


def test_text_categories_and_explicit_c_are_not_numbers_as_text(df):
    mostly = df.assign(s=["1"] * 27 + ["a", "b", "c"])  # 90% numbers: not more
    assert ps.lasso("y ~ x + s", mostly, lam=0.01).coef.size == 5
    stray = df.assign(s=["1", "2"] * 14 + ["a", "b"])
    assert ps.lasso("y ~ x + C(s)", stray, lam=0.01).coef.size == 5


# 8. 2-D lambdas


def test_two_dimensional_lambdas_are_refused(df):
    grid = np.array([[0.5, 0.1], [0.05, 0.01]])
    with pytest.raises(ps.ArgumentError, match=r"lambdas must be 1-D .*shape \(2, 2\)"):
        ps.fit("y ~ x + z", df, lambdas=grid)
    with pytest.raises(ps.ArgumentError, match=r"lambdas must be 1-D"):
        fit_path(df[["x", "z"]].to_numpy(), df.y.to_numpy(), lambdas=grid)


# 9. gamma


def test_gamma_outside_unit_interval_is_refused_under_any_rule(df):
    for select in ("cv_min", "ebic", 0.1):
        with pytest.raises(ps.ArgumentError, match=r"gamma must be in \[0, 1\]"):
            ps.lasso("y ~ x + z", df, select=select, gamma=5)


@pytest.mark.parametrize(("select", "said"), [("cv_1se", "select='cv_1se'"),
                                              ("bic", "select='bic'"),
                                              (0.1, "a fixed lambda")])  # fmt: skip
def test_gamma_with_a_rule_other_than_ebic_warns(df, select, said):
    with pytest.warns(UserWarning, match=rf"gamma=0.5 is ignored with {said}.*'ebic'"):
        ps.lasso("y ~ x + z", df, select=select, gamma=0.5)


def test_gamma_with_ebic_does_not_warn(df):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ps.lasso("y ~ x + z", df, select="ebic", gamma=0.5)


# 10. predict with a numeric column as text or bools


@pytest.mark.parametrize(
    ("convert", "dtype"),
    [(lambda s: s.astype(str), "(str|object)"), (lambda s: s > 0, "bool")],
)
def test_predict_with_numeric_column_as_text_or_bool_names_it(df, convert, dtype):
    fit = ps.lasso("y ~ x + z", df, lam=0.01)
    new = df.assign(x=convert(df.x))
    refused(
        ps.DataError,
        rf"newdata column 'x' has dtype {dtype}, but the model was fitted with it as "
        r"numbers \(float64\).*pd.to_numeric",
        lambda: fit.predict(new),
        new,
    )


def test_predict_with_an_object_column_of_numbers_names_it(df):
    # patsy failed on it with an AttributeError
    fit = ps.lasso("y ~ x + z", df, lam=0.01)
    new = df.assign(x=df.x.astype(object))
    refused(
        ps.DataError, r"newdata column 'x' has dtype object", lambda: fit.predict(new), new
    )


# 11. a tiny positive penalty factor


@pytest.fixture
def three(df):
    rng = np.random.default_rng(1)
    w = rng.normal(size=30)
    return df.assign(w=w, y=df.y + 2 * df.x - 1.5 * df.z + w)


def test_a_tiny_penalty_factor_is_taken_as_zero_with_a_warning(three):
    # was: lambda_max divided by 1e-300 put the grid near 1e300, so z and w never
    # entered the model and the selected lambda hid it
    # the formula API names the column (fit_path, without names, its position)
    with pytest.warns(UserWarning, match=r"penalty_factor of 'x' = 1e-300 is positive but "
                      r"below 1e-08 times the largest factor .* taken as 0"):  # fmt: skip
        tiny = ps.lasso("y ~ x + z + w", three, penalty_factor=[1e-300, 1, 1], select="bic")
    zero = ps.lasso("y ~ x + z + w", three, penalty_factor=[0, 1, 1], select="bic")
    assert tiny.path.lambdas[0] < 10  # the scale of the data, not 1e300
    np.testing.assert_allclose(tiny.path.lambdas, zero.path.lambdas, rtol=1e-12)
    np.testing.assert_allclose(tiny.coef, zero.coef, rtol=1e-10)
    assert {"z", "w"} <= set(tiny.selected)


def test_small_but_not_tiny_penalty_factors_are_kept(three):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = ps.lasso("y ~ x + z + w", three, penalty_factor=[1e-6, 1, 1], select="bic")
    assert fit.spec.penalty_factor[0] == 1e-6


def test_fit_path_floors_tiny_factors_too(three):
    X, y = three[["x", "z", "w"]].to_numpy(), three.y.to_numpy()
    with pytest.warns(UserWarning, match=r"penalty_factor\[1\] = 1e-20"):
        path = fit_path(X, y, penalty_factor=[1, 1e-20, 1], nlambda=5)
    assert path.coefs[0, 1] != 0 and path.coefs[0, [0, 2]].tolist() == [0, 0]


# 12. columns of extreme scale keep their coefficients


@pytest.mark.parametrize("scale", [1e-170, 1e-200, 1e170, 1e250, 1e-300])
def test_a_column_of_extreme_scale_is_fitted_as_at_unit_scale(three, scale):
    # a column of scale below ~1e-162 had squares that underflowed: it was zeroed
    data = three.assign(x=three.x * scale)
    ref = ps.lasso("y ~ x + z + w", three, select="bic")
    got = ps.lasso("y ~ x + z + w", data, select="bic")
    assert got.lam == pytest.approx(ref.lam, rel=1e-9)
    assert got.coef["x"] * scale == pytest.approx(ref.coef["x"], rel=1e-8)
    np.testing.assert_allclose(got.coef[["z", "w"]], ref.coef[["z", "w"]], rtol=1e-8)
    assert three.x.abs().max() < 10  # the caller's frame was not scaled


# 13. overflow: a huge response or weights


@pytest.mark.parametrize("select", ["bic", "cv_min", 0.1])
@pytest.mark.parametrize("size", [1e151, 1e200, 1e300])
def test_a_response_beyond_1e150_is_refused_naming_it(df, select, size):
    # was "the fits are saturated", a NaN intercept or "CV error undefined"
    data = df.assign(y=df.y * size)
    refused(ps.DataError, r"the response 'y' has values as large as .*beyond 1e\+150 "
            r"the sums of squares .* overflow float64\. Rescale it",
            lambda: ps.lasso("y ~ x + z", data, select=select, seed=0), data)  # fmt: skip


@pytest.mark.parametrize("select", ["bic", "cv_min"])
def test_a_response_varying_below_1e150_is_refused_naming_it(df, select):
    # was: 100 lambdas at max_iter with a ConvergenceWarning and every coefficient 0
    data = df.assign(y=df.y * 1e-300)
    refused(ps.DataError, r"the response 'y' varies by only .*below 1e-150 the sums "
            r"of squares .* underflow to 0\. Rescale it \(e.g. multiply it by 1e300\)",
            lambda: ps.lasso("y ~ x + z", data, select=select, seed=0), data)  # fmt: skip


@pytest.mark.parametrize("penalty", ["l2", "elasticnet"])
@pytest.mark.parametrize("scale", [1e-250, 1e250])
def test_criteria_of_ridge_and_elastic_net_on_columns_of_extreme_scale(df, penalty, scale):
    # the effective degrees of freedom overflowed the Gram matrix: a column of scale
    # 1e200 was dropped under bic with an L2 part
    ref = ps.fit("y ~ x + z", df, penalty=penalty, select="bic")
    got = ps.fit("y ~ x + z", df.assign(x=df.x * scale), penalty=penalty, select="bic")
    assert got.lam == pytest.approx(ref.lam, rel=1e-9)
    np.testing.assert_allclose(got.selection.table["bic"], ref.selection.table["bic"],
                               rtol=1e-8)  # fmt: skip
    assert got.coef["x"] * scale == pytest.approx(ref.coef["x"], rel=1e-8)


def test_fit_path_refuses_a_huge_y_by_name(df):
    with pytest.raises(ps.DataError, match=r"^y has values as large as"):
        fit_path(df[["x", "z"]].to_numpy(), df.y.to_numpy() * 1e200)


def test_a_response_of_1e140_is_fitted_exactly_as_scaled(df):
    big = ps.lasso("y ~ x + z", df.assign(y=df.y * 1e140), select="bic")
    ref = ps.lasso("y ~ x + z", df, select="bic")
    np.testing.assert_allclose(big.coef / 1e140, ref.coef, rtol=1e-9)


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize(
    ("top", "match"),
    [
        (1e308, r"weights 'wt' span a ratio of 1e\+308 \(largest 1e\+308 in row 0"),
        (1e16, r"weights 'wt' span a ratio of 1e\+16"),
    ],
)
def test_weights_spanning_more_than_1e15_are_refused(df, family, top, match):
    # a weight of 1e308 gave "fits are saturated", or a binomial intercept of -706
    wt = np.ones(30)
    wt[0] = top
    data = df.assign(wt=wt, b=(df.y > 0).astype(int))
    refused(ps.DataError, match + r".*set a weight to 0 to drop its row",
            lambda: ps.fit("b ~ x + z" if family == "binomial" else "y ~ x + z", data,
                           family=family, weights="wt", select="bic"), data)  # fmt: skip


def test_weights_whose_sum_overflows_are_refused(df):
    data = df.assign(wt=np.full(30, 1e308))
    refused(ps.DataError, r"weights 'wt' sum to more than float64 holds.*divide them",
            lambda: ps.lasso("y ~ x + z", data, weights="wt"), data)  # fmt: skip
    with pytest.raises(ps.DataError, match=r"^weights sum to more than float64"):
        fit_path(df[["x", "z"]].to_numpy(), df.y.to_numpy(), weights=np.full(30, 1e308))


def test_weights_within_1e15_fit_as_their_ratios(df):
    # the path depends on the ratios of the weights only
    wt = np.linspace(1.0, 1e14, 30)
    a = ps.lasso("y ~ x + z", df.assign(wt=wt), weights="wt", lam=0.05)
    b = ps.lasso("y ~ x + z", df.assign(wt=wt / 1e14), weights="wt", lam=0.05)
    assert a.coef["x"] != 0
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-8)


# 14. column names that matplotlib would read as mathtext


@pytest.mark.parametrize("name", ["a$b\\c$", "cost $ per $ unit"])
def test_dollar_names_are_drawn_literally_in_every_plot(df, tmp_path, name):
    # was a ParseException from matplotlib after the whole bootstrap
    pytest.importorskip("matplotlib")
    data = df.rename(columns={"x": name})
    before = frame_fingerprint(data)
    fit = ps.lasso("y ~ .", data, select="cv_min", seed=0, nfolds=3)
    fit.bootstrap(n_boot=4, seed=0, progress=False, n_jobs=1)
    fit.stability_selection(n_subsamples=4, seed=0, progress=False, n_jobs=1)
    out = fit.report(tmp_path / "r.html")
    assert out.exists() and frame_fingerprint(data) == before
    column = fit.coef.index[1]  # the design's name, e.g. Q('a$b\\c$')
    assert "$" in column
    ax = fit.plot()
    assert column in [t.get_text().replace("\\$", "$") for t in ax.texts]
    assert all("\\$" in t.get_text() for t in ax.texts if "$" in t.get_text())
    ax.figure.canvas.draw()  # mathtext would raise here
    from penstat.plots.stability import plot_selection_frequency

    ax = plot_selection_frequency(fit.bootstrap_result)
    ax.figure.canvas.draw()
    assert any(t.get_text() == column.replace("$", "\\$") for t in ax.get_yticklabels())


# 15. fit.report to a path that cannot be written, refused before any drawing


@pytest.fixture
def no_render(monkeypatch):
    import penstat.report as report

    def refuse(*args, **kwargs):
        raise AssertionError("the report was rendered before its path was checked")

    monkeypatch.setattr(report, "render_report", refuse)


def test_report_to_a_folder_is_refused_before_rendering(df, tmp_path, no_render):
    fit = ps.lasso("y ~ x + z", df, lam=0.1)
    folder = tmp_path / "out.html"
    folder.mkdir()
    with pytest.raises(ps.ArgumentError, match=r"report path .* is a folder; give a file"):
        fit.report(folder)
    with pytest.raises(ps.ArgumentError, match=r"must end in .html, .htm or .md"):
        fit.report(tmp_path)


def test_report_under_a_file_or_unwritable_is_refused(df, tmp_path, no_render):
    fit = ps.lasso("y ~ x + z", df, lam=0.1)
    blocker = tmp_path / "notes.txt"
    blocker.write_text("keep")
    with pytest.raises(ps.ArgumentError, match=r"notes.txt' is a file, not a folder"):
        fit.report(blocker / "r.html")
    with pytest.raises(ps.ArgumentError, match=r"cannot be written: No such file"):
        fit.report("/proc/self/r.html")  # a folder nobody can create files in
    (tmp_path / "r_files").write_text("in the way")
    with pytest.raises(ps.ArgumentError, match=r"r_files', which is a file"):
        fit.report(tmp_path / "r.md")
    assert blocker.read_text() == "keep" and not (tmp_path / "r.html").exists()


def test_report_check_leaves_an_existing_file_and_creates_none(df, tmp_path, no_render):
    fit = ps.lasso("y ~ x + z", df, lam=0.1)
    old = tmp_path / "old.html"
    old.write_text("previous")
    for target in (old, tmp_path / "new.html"):
        with pytest.raises(AssertionError, match="rendered before"):  # checks passed
            fit.report(target)
    assert old.read_text() == "previous" and not (tmp_path / "new.html").exists()


# 16. nlambda bound, early stop recorded


def test_nlambda_has_an_upper_bound(df):
    refused(ps.ArgumentError, r"nlambda=10001 is too many lambdas \(at most 10,000\)",
            lambda: ps.lasso("y ~ x + z", df, nlambda=10_001), df)  # fmt: skip


def test_a_path_stopped_early_records_why(df):
    fit = ps.lasso("y ~ x + z", df, select="bic", nlambda=100)
    stop = fit.path.early_stop
    assert stop is not None and stop.rule in ("dev_change", "dev_ratio")
    assert stop.n_fitted == fit.path.lambdas.size < stop.n_grid == 100
    from penstat.results.export import fit_to_dict

    assert fit_to_dict(fit)["model"]["early_stop"]["rule"] == stop.rule


# -- the corpus: every entry point against wrong types, values and shapes ------------
#
# Each case must raise a PenstatError whose message matches (it names the argument or
# column), or, where the input is legal, give the documented warning or result; and
# the caller's frame and arrays must be unchanged afterwards.


def _corpus_frame():
    return corpus_frame(24)


ENTRY = {
    "fit": lambda f, d, **k: ps.fit(f, d, **k),
    "lasso": lambda f, d, **k: ps.lasso(f, d, **k),
    "ridge": lambda f, d, **k: ps.ridge(f, d, **k),
    "elastic_net": lambda f, d, **k: ps.elastic_net(f, d, **k),
}

E, A, D, F = ps.PenstatError, ps.ArgumentError, ps.DataError, ps.FormulaError

# (id, keyword arguments, error, what the message must contain); formula "y ~ x + z"
OPTION_CASES = [
    ("lam-negative", {"lam": -1.0}, A, r"lam"),
    ("lam-nan", {"lam": np.nan}, A, r"lam"),
    ("lam-inf", {"lam": np.inf}, A, r"lam"),
    ("lam-text", {"lam": "big"}, A, r"lam"),
    ("lam-list", {"lam": [0.1, 0.2]}, A, r"lam"),
    ("select-unknown", {"select": "cv_max"}, A, r"select"),
    ("select-negative", {"select": -0.5}, A, r"select|lam"),
    ("select-nan", {"select": np.nan}, A, r"select|lam"),
    ("nlambda-zero", {"nlambda": 0, "select": "bic"}, A, r"nlambda"),
    ("nlambda-negative", {"nlambda": -3, "select": "bic"}, A, r"nlambda"),
    ("nlambda-float", {"nlambda": 2.5, "select": "bic"}, A, r"nlambda"),
    ("nlambda-text", {"nlambda": "10", "select": "bic"}, A, r"nlambda"),
    ("nlambda-huge", {"nlambda": 10**6, "select": "bic"}, A, r"nlambda"),
    ("lmr-zero", {"lambda_min_ratio": 0.0}, A, r"lambda_min_ratio"),
    ("lmr-one", {"lambda_min_ratio": 1.0}, A, r"lambda_min_ratio"),
    ("lmr-negative", {"lambda_min_ratio": -0.1}, A, r"lambda_min_ratio"),
    ("lmr-nan", {"lambda_min_ratio": np.nan}, A, r"lambda_min_ratio"),
    ("lambdas-empty", {"lambdas": []}, A, r"lambdas"),
    ("lambdas-increasing", {"lambdas": [0.1, 1.0]}, A, r"lambdas"),
    ("lambdas-negative", {"lambdas": [1.0, -0.1]}, A, r"lambdas"),
    ("lambdas-nan", {"lambdas": [1.0, np.nan]}, A, r"lambdas"),
    ("lambdas-text", {"lambdas": ["a", "b"]}, A, r"lambdas"),
    ("lambdas-2d", {"lambdas": [[1.0], [0.1]]}, A, r"lambdas"),
    ("nfolds-zero", {"nfolds": 0}, A, r"nfolds"),
    ("nfolds-one", {"nfolds": 1}, A, r"nfolds"),
    ("nfolds-more-than-rows", {"nfolds": 100}, D, r"nfolds=100 is larger.*too few rows"),
    ("nfolds-float", {"nfolds": 2.5}, A, r"nfolds"),
    ("seed-negative", {"seed": -1}, A, r"seed"),
    ("seed-float", {"seed": 1.5}, A, r"seed"),
    ("seed-text", {"seed": "abc"}, A, r"seed"),
    ("n_jobs-zero", {"n_jobs": 0}, A, r"n_jobs"),
    ("n_jobs-float", {"n_jobs": 1.5}, A, r"n_jobs"),
    ("n_jobs-text", {"n_jobs": "all"}, A, r"n_jobs"),
    ("tol-zero", {"tol": 0.0}, A, r"tol"),
    ("tol-negative", {"tol": -1e-7}, A, r"tol"),
    ("tol-nan", {"tol": np.nan}, A, r"tol"),
    ("max_iter-zero", {"max_iter": 0}, A, r"max_iter"),
    ("max_iter-float", {"max_iter": 10.5}, A, r"max_iter"),
    ("standardize-text", {"standardize": "yes"}, A, r"standardize"),
    ("standardize-int", {"standardize": 2}, A, r"standardize"),
    ("weights-missing-column", {"weights": "nope"}, E, r"nope"),
    ("weights-text-column", {"weights": "s"}, D, r"'s'"),
    ("weights-short", {"weights": [1.0, 2.0]}, A, r"weights"),
    ("weights-negative", {"weights": np.r_[-1.0, np.ones(23)]}, D, r"weights"),
    ("weights-zero", {"weights": np.zeros(24)}, D, r"weights"),
    ("weights-nan", {"weights": np.r_[np.nan, np.ones(23)]}, D, r"weights"),
    ("weights-huge", {"weights": np.r_[1e308, np.ones(23)]}, D, r"weights"),
    ("offset-missing-column", {"offset": "nope"}, E, r"nope"),
    ("offset-short", {"offset": [0.1, 0.2]}, E, r"offset"),
    ("offset-nan", {"offset": np.r_[np.nan, np.zeros(23)]}, D, r"offset"),
    ("pf-unknown-name", {"penalty_factor": {"nope": 0}}, E, r"nope"),
    ("pf-negative", {"penalty_factor": {"x": -1}}, A, r"penalty_factor"),
    ("pf-nan", {"penalty_factor": {"x": np.nan}}, A, r"penalty_factor"),
    ("pf-all-zero", {"penalty_factor": {"x": 0, "z": 0}}, A, r"penalty_factor"),
    ("pf-wrong-length", {"penalty_factor": [1.0, 1.0, 1.0]}, A, r"penalty_factor"),
    ("pf-text", {"penalty_factor": "x"}, A, r"penalty_factor"),
    ("lower-positive", {"lower_limits": 1.0}, A, r"lower_limits"),
    ("upper-negative", {"upper_limits": -1.0}, A, r"upper_limits"),
    ("lower-unknown-name", {"lower_limits": {"nope": 0}}, E, r"nope"),
    ("positive_class-gaussian", {"positive_class": 1}, A, r"positive_class"),
    ("na_action-unknown", {"na_action": "impute"}, A, r"na_action"),
    ("gamma-big", {"gamma": 2.0, "select": "ebic"}, A, r"gamma"),
    ("measure-unknown", {"measure": "r2"}, A, r"measure"),
    ("measure-auc-gaussian", {"measure": "auc"}, A, r"measure|auc"),
    ("foldid-short", {"foldid": [0, 1]}, E, r"foldid"),
    ("foldid-missing-column", {"foldid": "nope"}, E, r"nope"),
    ("family-unknown", {"family": "poisson"}, A, r"family"),
    ("family-number", {"family": 1}, A, r"family"),
    ("cv_grid-unknown", {"cv_grid": "half"}, A, r"cv_grid"),
    ("formula_env-unknown", {"formula_env": "global"}, A, r"formula_env"),
    ("stratify-gaussian", {"stratify": True}, A, r"stratify"),
    ("progress-text", {"progress": "yes"}, A, r"progress"),
]

ENTRY_ONLY = {  # options the shortcuts fix themselves
    "lasso": {"l1_ratio", "penalty"},
    "ridge": {"l1_ratio", "penalty"},
    "elastic_net": {"penalty"},
}


@pytest.mark.parametrize("entry", list(ENTRY))
@pytest.mark.parametrize(
    ("options", "error", "match"),
    [pytest.param(*case[1:], id=case[0]) for case in OPTION_CASES],
)
def test_corpus_options(entry, options, error, match):
    data = _corpus_frame()
    arrays = [v for v in options.values() if isinstance(v, np.ndarray)]
    check_refused(
        lambda: ENTRY[entry]("y ~ x + z", data, **options), error, match, data, *arrays
    )


MIX_CASES = [
    ("l1_ratio-negative", "fit", {"penalty": "elasticnet", "l1_ratio": -0.1}),
    ("l1_ratio-above-one", "fit", {"penalty": "elasticnet", "l1_ratio": 1.5}),
    ("l1_ratio-nan", "elastic_net", {"l1_ratio": np.nan}),
    ("l1_ratio-text", "elastic_net", {"l1_ratio": "half"}),
    ("l1_ratio-empty-list", "elastic_net", {"l1_ratio": []}),
    ("l1_ratio-with-l1", "fit", {"penalty": "l1", "l1_ratio": 0.5}),
    ("penalty-unknown", "fit", {"penalty": "l3"}),
    ("penalty-number", "fit", {"penalty": 2}),
    ("l1_ratio-on-lasso", "lasso", {"l1_ratio": 0.5}),
    ("penalty-on-ridge", "ridge", {"penalty": "l1"}),
]


@pytest.mark.parametrize(
    ("entry", "options"), [pytest.param(*c[1:], id=c[0]) for c in MIX_CASES]
)
def test_corpus_penalty_mix(entry, options):
    data = _corpus_frame()
    check_refused(
        lambda: ENTRY[entry]("y ~ x + z", data, **options),
        E,
        r"l1_ratio|penalty",
        data,
    )


FORMULA_CASES = [
    ("not-a-string", 123, E, r"formula"),
    ("none", None, E, r"formula"),
    ("list", ["y ~ x"], E, r"formula"),
    ("empty", "", F, r"formula|~"),
    ("no-tilde", "y x", F, r"~"),
    ("no-response", "~ x", F, r"response|left"),
    ("no-rhs", "y ~", F, r""),
    ("missing-column", "y ~ nope", F, r"nope"),
    ("missing-response", "nope ~ x", F, r"nope"),
    ("dangling-plus", "y ~ x +", F, r""),
    ("unbalanced", "y ~ log(x", F, r""),
    ("intercept-only", "y ~ 1", F, r"no predictors"),
    ("text-response", "s ~ x", D, r"'s'"),
    ("two-tildes", "y ~ x ~ z", F, r""),
    ("unknown-function", "y ~ frobnicate(x)", F, r"frobnicate"),
    ("response-as-predictor", "y ~ y", F, r"response column 'y' is also a predictor"),
    ("response-in-dot", "y ~ . + y", F, r"response column 'y' is also a predictor"),
    ("response-transformed", "y ~ x + np.log(y)", F, r"'y' \(in the term 'np.log\(y\)'\)"),
    ("response-interaction", "y ~ x + x:y", F, r"response column 'y'"),
    ("response-transformed-both", "np.log(y) ~ x + y", F, r"response column 'y'"),
]


@pytest.mark.parametrize(
    ("formula", "error", "match"), [pytest.param(*c[1:], id=c[0]) for c in FORMULA_CASES]
)
@pytest.mark.parametrize("entry", ["fit", "lasso"])
def test_corpus_formulas(entry, formula, error, match):
    data = _corpus_frame()
    check_refused(lambda: ENTRY[entry](formula, data, lam=0.1), error, match, data)


def _data_cases():
    base = _corpus_frame()
    nan_y = base.assign(y=np.nan)
    inf_x = base.assign(x=np.r_[np.inf, base.x[1:]])
    return [
        ("data-none", None, E, r"data"),
        ("data-list", [[1, 2], [3, 4]], E, r"data"),
        ("data-array", base.to_numpy(), E, r"data"),
        ("data-dict", {"y": [1.0, 2.0], "x": [1.0, 2.0]}, E, r"data"),
        ("data-series", base.y, E, r"data"),
        ("data-no-rows", base.iloc[:0], D, r"no rows"),
        ("data-one-row", base.iloc[:1], D, r"1 row to fit.*at least 2 rows"),
        (
            "data-one-row-left",
            base.assign(x=np.r_[1.0, np.full(23, np.nan)]),
            D,
            r"1 row to fit \(23 row\(s\) with missing values were left out\)",
        ),
        ("y-all-nan", nan_y, D, r"row|missing|NaN"),
        ("x-inf", inf_x, D, r"'x'|infinite|inf"),
        ("y-inf", base.assign(y=np.r_[np.inf, base.y[1:]]), D, r"response|'y'"),
        ("y-huge", base.assign(y=base.y * 1e200), D, r"'y'"),
        ("y-complex", base.assign(y=base.y + 1j), D, r"'y'"),
        ("y-text", base.assign(y="a"), D, r"'y'|response"),
        ("x-complex", base.assign(x=base.x + 2j), D, r"'x'"),
        ("seed-negative-list", base, E, r"seed"),
        ("x-datetime", base.assign(x=pd.date_range("2020", periods=24)), D, r"'x'"),
        ("x-timedelta", base.assign(x=pd.to_timedelta(np.arange(24), "h")), D, r"'x'"),
        ("x-all-nan", base.assign(x=np.nan), D, r"row"),
        (
            "integer-names-dot",
            base[["y", "x"]].rename(columns={"x": 5}),
            D,
            r"'\.' cannot stand for the columns \[5\]: their names are not strings",
        ),
        (
            "multiindex",
            base.set_axis(pd.MultiIndex.from_product([["a"], base.columns]), axis=1),
            D,
            r"MultiIndex",
        ),  # fmt: skip
    ]


@pytest.mark.parametrize(
    ("data", "error", "match"), [pytest.param(*c[1:], id=c[0]) for c in _data_cases()]
)
@pytest.mark.parametrize("entry", ["fit", "ridge"])
def test_corpus_data(entry, data, error, match):
    frames = [data] if isinstance(data, pd.DataFrame) else []
    if match == r"seed":  # a seed list with a negative int (numpy refused it)
        check_refused(lambda: ENTRY[entry]("y ~ x", data, seed=[1, -2]), error, match, data)
        return
    columns = list(getattr(data, "columns", []))
    formula = "y ~ x + z" if "z" in columns else "y ~ ." if 5 in columns else "y ~ x"
    check_refused(lambda: ENTRY[entry](formula, data, lam=0.1), error, match, *frames)


BINOMIAL_CASES = [
    ("three-classes", "g ~ x + z", {}, D, r"'g'|two|classes|levels"),
    ("one-class", "s ~ x + z", {}, D, r"'s'|class|levels"),
    ("positive_class-unknown", "b ~ x + z", {"positive_class": 7}, E, r"positive_class"),
    ("y-out-of-range", "y ~ x + z", {}, D, r"'y'|0/1|two"),
    ("weights-huge", "b ~ x + z", {"weights": np.r_[1e300, np.ones(23)]}, D, r"weights"),
]


@pytest.mark.parametrize(
    ("formula", "options", "error", "match"),
    [pytest.param(*c[1:], id=c[0]) for c in BINOMIAL_CASES],
)
def test_corpus_binomial(formula, options, error, match):
    data = _corpus_frame()
    check_refused(
        lambda: ps.fit(formula, data, family="binomial", lam=0.01, **options),
        error,
        match,
        data,
    )


@pytest.fixture(scope="module")
def corpus_fit():
    return ps.lasso("y ~ x + z + g", _corpus_frame(), select="bic", nlambda=10)


def _predict_cases():
    base = _corpus_frame()
    return [
        ("missing-column", {"newdata": base.drop(columns="x")}, E, r"'x'"),
        ("x-text", {"newdata": base.assign(x=base.x.astype(str))}, D, r"'x'"),
        ("new-level", {"newdata": base.assign(g="zzz")}, E, r"g|zzz|level"),
        ("list", {"newdata": [[1.0, 2.0]]}, E, r"newdata"),
        ("array", {"newdata": base.to_numpy()}, E, r"newdata"),
        ("type-unknown", {"newdata": base, "type": "probability"}, A, r"type"),
        ("lam-negative", {"newdata": base, "lam": -1.0}, A, r"lam"),
        ("lam-text", {"newdata": base, "lam": "cv_max"}, A, r"lam"),
        ("lam-nan", {"newdata": base, "lam": np.nan}, A, r"lam"),
        ("offset-unexpected", {"newdata": base, "offset": np.zeros(24)}, E, r"offset"),
        ("x-inf", {"newdata": base.assign(x=np.inf)}, D, r"'x'|inf"),
        ("x-complex", {"newdata": base.assign(x=base.x + 1j)}, D, r"'x'"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"), [pytest.param(*c[1:], id=c[0]) for c in _predict_cases()]
)
def test_corpus_predict(corpus_fit, kwargs, error, match):
    frames = [v for v in kwargs.values() if isinstance(v, pd.DataFrame)]
    check_refused(lambda: corpus_fit.predict(**kwargs), error, match, *frames)


RESAMPLING_CASES = [
    ("boot-zero", "bootstrap", {"n_boot": 0}, r"n_boot"),
    ("boot-one", "bootstrap", {"n_boot": 1}, r"n_boot"),
    ("boot-negative", "bootstrap", {"n_boot": -5}, r"n_boot"),
    ("boot-float", "bootstrap", {"n_boot": 2.5}, r"n_boot"),
    ("boot-text", "bootstrap", {"n_boot": "10"}, r"n_boot"),
    ("boot-seed-negative", "bootstrap", {"n_boot": 2, "seed": -1}, r"seed"),
    ("boot-seed-text", "bootstrap", {"n_boot": 2, "seed": "x"}, r"seed"),
    ("boot-jobs-zero", "bootstrap", {"n_boot": 2, "n_jobs": 0}, r"n_jobs"),
    ("boot-level-zero", "bootstrap", {"n_boot": 2, "level": 0.0}, r"level"),
    ("boot-level-one", "bootstrap", {"n_boot": 2, "level": 1.0}, r"level"),
    ("boot-level-nan", "bootstrap", {"n_boot": 2, "level": np.nan}, r"level"),
    ("boot-fixed-text", "bootstrap", {"n_boot": 2, "fixed_lam": "yes"}, r"fixed_lam"),
    ("boot-stratify-text", "bootstrap", {"n_boot": 2, "stratify": "y"}, r"stratify"),
    ("stab-zero", "stability_selection", {"n_subsamples": 0}, r"n_subsamples"),
    ("stab-float", "stability_selection", {"n_subsamples": 2.5}, r"n_subsamples"),
    ("stab-cutoff-low", "stability_selection", {"cutoff": 0.4}, r"cutoff"),
    ("stab-cutoff-high", "stability_selection", {"cutoff": 1.5}, r"cutoff"),
    ("stab-pfer-negative", "stability_selection", {"pfer": -1.0}, r"pfer"),
    ("stab-q-zero", "stability_selection", {"q": 0}, r"\bq\b"),
    ("stab-sampling", "stability_selection", {"sampling": "jackknife"}, r"sampling"),
    ("stab-assumption", "stability_selection", {"assumption": "normal"}, r"assumption"),
    ("stab-seed-negative", "stability_selection", {"seed": -3}, r"seed"),
    ("stab-jobs-zero", "stability_selection", {"n_jobs": 0}, r"n_jobs"),
    (
        "stab-all-three",
        "stability_selection",
        {"cutoff": 0.8, "pfer": 1, "q": 2},
        r"cutoff|pfer|q",
    ),  # fmt: skip
]


@pytest.mark.parametrize(
    ("method", "kwargs", "match"), [pytest.param(*c[1:], id=c[0]) for c in RESAMPLING_CASES]
)
def test_corpus_resampling(corpus_fit, method, kwargs, match):
    options = {"progress": False, **kwargs}
    check_refused(lambda: getattr(corpus_fit, method)(**options), E, match)


RESULT_CASES = [
    ("coef_at-text", lambda f: f.coef_at("cv_max"), r"lam"),
    ("coef_at-negative", lambda f: f.coef_at(-1.0), r"lam"),
    ("coef_at-nan", lambda f: f.coef_at(np.nan), r"lam"),
    ("report-suffix", lambda f: f.report("out.pdf"), r"\.html"),
    (
        "summary-all-text",
        lambda f: f.summary(all="yes"),
        r"all='yes' must be True or False",
    ),
    ("summary-all-int", lambda f: f.summary(all=1), r"all=1 must be True or False"),
    ("report-no-folder", lambda f: f.report("/no/such/folder/r.html"), r"does not exist"),
    ("report-number", lambda f: f.report(123), r"report"),
    ("report-none", lambda f: f.report(None), r"report"),
    ("report-source-number", lambda f: f.report("r.html", source=5), r"source"),
    ("plot-unknown-column", lambda f: f.path.plot(columns=["nope"]), r"nope"),
    ("refit-rows-out-of-range", lambda f: f.refit_rows([0, 999]), r"rows"),
    ("refit-rows-text", lambda f: f.refit_rows(["a"]), r"rows"),
]


@pytest.mark.parametrize(
    ("call", "match"), [pytest.param(*c[1:], id=c[0]) for c in RESULT_CASES]
)
def test_corpus_results(corpus_fit, call, match):
    check_refused(lambda: call(corpus_fit), E, match)


def _sklearn_cases():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    yb = (y > 0).astype(int)
    X_nan = X.copy()
    X_nan[2, 1] = np.nan
    from penstat.sklearn import PenalizedClassifier as C
    from penstat.sklearn import PenalizedRegressor as R

    return [
        ("reg-X-nan", lambda: R(lam=0.1).fit(X_nan, y), (X_nan, y)),
        ("reg-X-1d", lambda: R(lam=0.1).fit(X[:, 0], y), (X, y)),
        ("reg-X-3d", lambda: R(lam=0.1).fit(X[:, :, None], y), (X, y)),
        ("reg-X-text", lambda: R(lam=0.1).fit(np.full((20, 2), "a"), y), (y,)),
        ("reg-y-short", lambda: R(lam=0.1).fit(X, y[:5]), (X, y)),
        ("reg-y-nan", lambda: R(lam=0.1).fit(X, np.r_[np.nan, y[1:]]), (X,)),
        ("reg-y-huge", lambda: R(lam=0.1).fit(X, y * 1e200), (X, y)),
        ("reg-lam-negative", lambda: R(lam=-1.0).fit(X, y), (X, y)),
        ("reg-l1-ratio", lambda: R(penalty="elasticnet", l1_ratio=2.0).fit(X, y), (X, y)),
        ("reg-penalty", lambda: R(penalty="l3").fit(X, y), (X, y)),
        ("reg-nlambda", lambda: R(nlambda=0, select="bic").fit(X, y), (X, y)),
        ("reg-seed", lambda: R(seed=-1).fit(X, y), (X, y)),
        ("reg-n_jobs", lambda: R(n_jobs=0).fit(X, y), (X, y)),
        ("reg-select", lambda: R(select="best").fit(X, y), (X, y)),
        ("reg-weights-short", lambda: R(lam=0.1).fit(X, y, sample_weight=[1.0]), (X, y)),
        (
            "reg-weights-neg",
            lambda: R(lam=0.1).fit(X, y, sample_weight=-np.ones(20)),
            (X, y),
        ),  # fmt: skip
        ("reg-pf-length", lambda: R(lam=0.1, penalty_factor=[1, 1]).fit(X, y), (X, y)),
        ("reg-predict-width", lambda: R(lam=0.1).fit(X, y).predict(X[:, :2]), (X, y)),
        ("reg-predict-nan", lambda: R(lam=0.1).fit(X, y).predict(X_nan), (X, X_nan, y)),
        ("reg-empty", lambda: R(lam=0.1).fit(X[:0], y[:0]), (X, y)),
        ("clf-three-classes", lambda: C(lam=0.1).fit(X, np.arange(20) % 3), (X,)),
        ("clf-one-class", lambda: C(lam=0.1).fit(X, np.zeros(20)), (X,)),
        ("clf-X-nan", lambda: C(lam=0.1).fit(X_nan, yb), (X_nan, yb)),
        ("clf-y-short", lambda: C(lam=0.1).fit(X, yb[:3]), (X, yb)),
        ("clf-predict-width", lambda: C(lam=0.1).fit(X, yb).predict(X[:, :1]), (X, yb)),
        ("clf-measure", lambda: C(measure="mse2").fit(X, yb), (X, yb)),
    ]


@pytest.mark.parametrize(
    ("call", "arrays"), [pytest.param(*c[1:], id=c[0]) for c in _sklearn_cases()]
)
def test_corpus_sklearn(call, arrays):
    check_refused(call, E, r"", *arrays)


def _fit_path_cases():
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(15, 3)), rng.normal(size=15)
    return [
        ("X-1d", (X[:, 0], y), {}, r"X"),
        ("X-empty", (X[:0], y[:0]), {}, r"X"),
        ("X-no-columns", (X[:, :0], y), {}, r"X"),
        ("X-text", (np.full((15, 3), "a"), y), {}, r"X"),
        ("X-inf", (np.where(X > 1.5, np.inf, X), y), {}, r"X"),
        ("X-complex", (X + 1j, y), {}, r"X"),
        ("y-2d", (X, np.c_[y, y]), {}, r"y"),
        ("y-short", (X, y[:3]), {}, r"y"),
        ("y-nan", (X, np.r_[np.nan, y[1:]]), {}, r"y"),
        ("y-huge", (X, y * 1e300), {}, r"y"),
        ("y-binomial-2", (X, np.full(15, 2.0)), {"family": "binomial"}, r"y"),
        ("y-binomial-one-class", (X, np.ones(15)), {"family": "binomial"}, r"class"),
        ("family", (X, y), {"family": "cox"}, r"family"),
        ("weights-2d", (X, y), {"weights": np.ones((15, 2))}, r"weights"),
        ("weights-huge", (X, y), {"weights": np.r_[1e308, np.ones(14)]}, r"weights"),
        ("offset-inf", (X, y), {"offset": np.r_[np.inf, np.zeros(14)]}, r"offset"),
        ("pf-length", (X, y), {"penalty_factor": [1, 1]}, r"penalty_factor"),
        ("limits-length", (X, y), {"lower_limits": [0, 0]}, r"lower_limits"),
        ("lambdas-increasing", (X, y), {"lambdas": [0.1, 0.2]}, r"lambdas"),
        ("sparse-groups", (None, y), {"groups": [0, 0, 1]}, r"groups= needs a dense X"),
    ]


@pytest.mark.parametrize(
    ("args", "kwargs", "match"), [pytest.param(*c[1:], id=c[0]) for c in _fit_path_cases()]
)
def test_corpus_fit_path(args, kwargs, match):
    X, y = args
    if X is None:
        sparse = pytest.importorskip("scipy.sparse")
        X = sparse.csr_matrix(np.eye(15, 3))
        check_refused(lambda: fit_path(X, y, **kwargs), E, match, y)
        return
    arrays = [a for a in (X, y, *kwargs.values()) if isinstance(a, np.ndarray)]
    check_refused(lambda: fit_path(X, y, **kwargs), E, match, *arrays)


# legal but unusual input: the documented warning or result, the frame unchanged

LEGAL_CASES = [
    # was: round-off in the mean set lambda_max near 1e-17 and the columns entered
    (
        "y-constant-bic",
        lambda d: ps.lasso("y ~ x + z", d.assign(y=1.0), select="bic"),
        lambda fit: fit.selected == [] and fit.intercept == 1.0,
    ),
    (
        "y-constant-lam0",
        lambda d: ps.lasso("y ~ x + z", d.assign(y=0.1), lam=0.0),
        lambda fit: fit.selected == [] and fit.intercept == 0.1,
    ),  # fmt: skip
    (
        "x-constant",
        lambda d: ps.lasso("y ~ x + z", d.assign(z=3.0), select="bic"),
        lambda fit: fit.coef["z"] == 0,
    ),  # fmt: skip
    (
        "y-some-nan-dropped",
        lambda d: ps.lasso("y ~ x", d.assign(y=np.r_[np.nan, d.y[1:]]), lam=0.1),
        lambda fit: fit.n_dropped == 1,
    ),  # fmt: skip
    (
        "unicode-names",
        lambda d: ps.lasso(
            "y ~ .", d[["y", "x"]].rename(columns={"x": "größe λ"}), lam=0.1
        ),
        lambda fit: any("größe λ" in c for c in fit.coef.index),
    ),
    (
        "predict-nan-row",
        lambda d: ps.lasso("y ~ x", d, lam=0.1).predict(d.assign(x=np.r_[np.nan, d.x[1:]])),
        lambda pred: np.isnan(pred.iloc[0]) and np.isfinite(pred.iloc[1:]).all(),
    ),  # fmt: skip
    (
        "predict-no-rows",
        lambda d: ps.lasso("y ~ x", d, lam=0.1).predict(d.iloc[:0]),
        lambda pred: pred.size == 0,
    ),  # fmt: skip
    (
        "tiny-x",
        lambda d: ps.lasso("y ~ x", d.assign(x=d.x * 1e-200), lam=0.1),
        lambda fit: abs(fit.coef["x"]) > 1e190,
    ),  # fmt: skip
    (
        "bool-predictor",
        lambda d: ps.lasso("y ~ x + flag", d.assign(flag=d.x > 0), lam=0.01),
        lambda fit: "flag[T.True]" in fit.coef.index,
    ),  # fmt: skip
    (
        "lam-zero",
        lambda d: ps.lasso("y ~ x + z", d, lam=0.0),
        lambda fit: fit.selected == ["x", "z"],
    ),  # fmt: skip
]


@pytest.mark.parametrize(
    ("call", "check"), [pytest.param(*c[1:], id=c[0]) for c in LEGAL_CASES]
)
def test_corpus_legal_input(call, check):
    data = _corpus_frame()
    before = frame_fingerprint(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fit = call(data)
    assert check(fit)
    if isinstance(fit, ps.PenalizedFit):
        assert np.isfinite(fit.coef).all()
    assert frame_fingerprint(data) == before


# 17. found by tests/test_fuzz.py (the long profile)


def test_cv_1se_without_a_spread_at_the_minimum_takes_lambda_min():
    # the CV errors of a response near 1e140 overflowed their spread to NaN, and the
    # 1se rule raised "attempt to get argmax of an empty sequence"
    rng = np.random.default_rng(4)
    data = pd.DataFrame({"y": rng.normal(size=18) * 1e140, "a": rng.normal(size=18),
                         "d": rng.integers(-4, 5, size=18)})  # fmt: skip
    before = frame_fingerprint(data)
    with pytest.warns(UserWarning, match="fewer than 3 observations per fold"):
        fit = ps.fit("y ~ . - 1", data, select="cv_1se", nlambda=8, penalty="elasticnet",
                     seed=0)  # fmt: skip
    assert np.isfinite(fit.coef).all()
    assert np.isfinite(fit.cv.cvsd).all()
    assert fit.lam in fit.path.lambdas
    assert frame_fingerprint(data) == before


def test_a_coefficient_beyond_float64_is_refused_naming_the_column():
    # was: coefficients -inf / inf returned without a word
    data = pd.DataFrame({"y": [0.0] * 17 + [1e20], "x": [0.0] * 17 + [1e-300]})
    refused(ps.DataError, r"the coefficient of column 'x' overflows float64 .* rescale the "
            r"column \(e.g. multiply it by 1e\d+\) or the response",
            lambda: ps.fit("y ~ .", data, lam=0.0), data)  # fmt: skip
    with pytest.raises(ps.DataError, match=r"the coefficient of column 0 overflows"):
        fit_path(data[["x"]].to_numpy(), data.y.to_numpy(), lambdas=[1.0, 0.0])


# legal input that is ignored or altered: a warning naming the argument

WARNED_CASES = [
    (
        "nfolds-with-bic",
        lambda d: ps.lasso("y ~ x + z", d, select="bic", nfolds=5),
        r"nfolds=5 is ignored with select='bic'",
    ),
    (
        "nfolds-with-fixed-lam",
        lambda d: ps.lasso("y ~ x + z", d, lam=0.1, nfolds=5),
        r"nfolds=5 is ignored with a fixed lambda",
    ),
    (
        "foldid-with-aic",
        lambda d: ps.lasso("y ~ x + z", d, select="aic", foldid=np.arange(24) % 3),
        r"foldid is ignored with select='aic'",
    ),
    (
        "nfolds-with-ebic-mix",
        lambda d: ps.elastic_net(
            "y ~ x + z", d, l1_ratio=[0.5, 1], select="ebic", nfolds=4
        ),
        r"nfolds=4 is ignored with select='ebic'",
    ),
    (
        "tiny-penalty-factor-named",
        lambda d: ps.lasso("y ~ x + z", d, lam=0.1, penalty_factor={"z": 1e-300}),
        r"penalty_factor of 'z' = 1e-300 is positive but below",
    ),
]


@pytest.mark.parametrize(
    ("call", "match"), [pytest.param(*c[1:], id=c[0]) for c in WARNED_CASES]
)
def test_corpus_warned_input(call, match):
    data = _corpus_frame()
    before = frame_fingerprint(data)
    with pytest.warns(UserWarning, match=match):
        call(data)
    assert frame_fingerprint(data) == before


def test_no_fold_warning_when_the_rule_cross_validates():
    data = _corpus_frame()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ps.lasso("y ~ x + z", data, nfolds=3, seed=0)
