"""Bad input to the Python API: each mistake gets a PenstatError (or a warning where
the input is legal) naming the culprit and saying what to do; the input is unchanged."""

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import frame_fingerprint

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
    with pytest.warns(UserWarning, match=r"penalty_factor\[0\] = 1e-300 is positive but "
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


@pytest.mark.parametrize("name", ["a$b\\c$", "cost $ per $ unit", "$\\alpha$", "x$"])
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
