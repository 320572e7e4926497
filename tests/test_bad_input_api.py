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
