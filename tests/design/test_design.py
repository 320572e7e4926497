import pickle

import numpy as np
import pandas as pd
import patsy
import pytest
import statsmodels.formula.api as smf
from conftest import frame_fingerprint, make_mixed_frame

from penstat import ArgumentError, DataError, FormulaError, PenstatError
from penstat.design import build_design

EXPLICIT_DOT = "x1 + x2 + x3 + region + grade + flag + outcome"


def patsy_x(formula, df):
    """patsy's own design without the intercept column."""
    _, X = patsy.dmatrices(formula, df, return_type="dataframe", NA_action="drop")
    return X.drop(columns=[c for c in X.columns if c == "Intercept"])


def statsmodels_x(formula, df):
    exog = smf.ols(formula, df).exog_names
    X = pd.DataFrame(smf.ols(formula, df).exog, columns=exog)
    return X.drop(columns=[c for c in X.columns if c == "Intercept"])


@pytest.mark.parametrize(
    "formula, reference",
    [
        ("y ~ .", f"y ~ {EXPLICIT_DOT}"),
        ("y ~ . - x3", "y ~ x1 + x2 + region + grade + flag + outcome"),
        ("y ~ . + x1:region", f"y ~ {EXPLICIT_DOT} + x1:region"),
        ("y ~ x1 + C(region)", None),
        ('y ~ x1 + C(region, Treatment("south"))', None),
        ("y ~ x1:x2 + region:grade", None),
        ("y ~ x1 * region", None),
        ("y ~ I(x1**2) + np.log(x3)", None),
        ("y ~ center(x1) + standardize(x2) + bs(x3, df=4)", None),
        ("y ~ x1 + region - 1", None),
        ("y ~ 0 + x1 + x2", None),
    ],
)
def test_design_equals_patsy_and_statsmodels(mixed, formula, reference):
    d = build_design(formula, mixed, "gaussian")
    ref = patsy_x(reference or formula, mixed)
    assert d.columns == list(ref.columns)
    # patsy gets the numeric columns as numpy arrays: stateful transforms (center,
    # standardize) then sum in numpy's order, not pandas', equal to the last bit or two
    np.testing.assert_allclose(d.X, ref.to_numpy(), rtol=1e-14, atol=1e-15)
    assert d.X.flags.f_contiguous and d.X.dtype == np.float64
    if "bs(" not in formula:  # statsmodels builds the same patsy design
        sm = statsmodels_x(reference or formula, mixed)
        np.testing.assert_allclose(d.X, sm.to_numpy(), rtol=0, atol=0)
    np.testing.assert_array_equal(d.y, mixed["y"].to_numpy())
    assert d.has_intercept == ("- 1" not in formula and "0 +" not in formula)


def test_terms_map_columns_in_design_order(mixed):
    d = build_design("y ~ x1 * region + C(grade)", mixed, "gaussian")
    assert [c for cols in d.terms.values() for c in cols] == d.columns
    assert d.terms["region"] == ["region[T.north]", "region[T.south]", "region[T.west]"]
    assert d.terms["x1:region"] == [f"x1:region[T.{r}]" for r in ("north", "south", "west")]
    assert d.terms["C(grade)"] == ["C(grade)[T.mid]", "C(grade)[T.hi]"]
    assert d.term_of()["x1:region[T.west]"] == "x1:region"


def test_dot_quotes_awkward_names_and_skips_weights_column():
    df = pd.DataFrame(
        {"y": [1.0, 2, 3, 5, 4], "my col": [1.0, 0, 2, 3, 1], "w": [1.0, 2, 1, 1, 2]}
    )
    d = build_design("y ~ .", df, "gaussian", weights="w")
    assert d.columns == ['Q("my col")']
    np.testing.assert_array_equal(d.weights, df["w"].to_numpy())


def test_dot_skips_offset_column_and_pickles_it():
    df = pd.DataFrame(
        {"y": [1.0, 2, 3, 5, 4], "x": [1.0, 0, 2, 3, 1], "off": [0.5, 0, 1, 2, 1]}
    )
    d = build_design("y ~ .", df, "gaussian", offset="off")
    assert d.columns == ["x"] and d.offset_column == "off"
    np.testing.assert_array_equal(d.offset, df["off"].to_numpy())
    back = pickle.loads(pickle.dumps(d))
    np.testing.assert_array_equal(back.offset, d.offset)
    np.testing.assert_array_equal(back.transform(df), d.X)
    by_array = build_design("y ~ .", df.drop(columns="off"), offset=df["off"].to_numpy())
    assert by_array.columns == ["x"] and by_array.offset_column is None
    np.testing.assert_array_equal(by_array.offset, d.offset)


def test_pandas_string_dtypes_with_missing_values():
    df = make_mixed_frame(40, seed=3)
    df["region"] = df["region"].astype("string")  # pd.NA-backed
    df.loc[[2, 7], "region"] = pd.NA
    df.loc[5, "x1"] = np.nan
    d = build_design("y ~ x1 + region", df, "gaussian")
    assert d.n_dropped == 3
    assert list(d.dropped_rows) == [2, 5, 7]
    ref = patsy_x("y ~ x1 + region", df.dropna().astype({"region": object}))
    np.testing.assert_array_equal(d.X, ref.to_numpy())
    assert list(d.row_index) == [i for i in df.index if i not in (2, 5, 7)]


def test_na_only_in_used_columns_drops_rows(mixed):
    df = mixed.copy()
    df.loc[0, "x3"] = np.nan  # not used
    df.loc[1, "x1"] = np.nan
    d = build_design("y ~ x1 + x2", df, "gaussian")
    assert d.n_dropped == 1 and list(d.dropped_rows) == [1]
    assert d.n_obs == len(df) - 1


def test_na_action_raise_names_columns(mixed):
    df = mixed.copy()
    df.loc[[1, 4], "x2"] = np.nan
    with pytest.raises(DataError, match="'x2' \\(2 rows\\)"):
        build_design("y ~ x1 + x2", df, "gaussian", na_action="raise")


def test_binomial_responses():
    df = make_mixed_frame(50, seed=1)
    d = build_design("outcome ~ x1", df, "binomial")
    assert d.classes == ("no", "yes")
    np.testing.assert_array_equal(d.y, (df["outcome"] == "yes").to_numpy(float))
    d = build_design("outcome ~ x1", df, "binomial", positive_class="no")
    assert d.classes == ("yes", "no")
    np.testing.assert_array_equal(d.y, (df["outcome"] == "no").to_numpy(float))
    d = build_design("flag ~ x1", df, "binomial")
    assert d.classes == (False, True)
    np.testing.assert_array_equal(d.y, df["flag"].to_numpy(float))
    df["z"] = (df["x2"] > 0).astype(int)
    d = build_design("z ~ x1", df, "binomial")
    assert d.classes == (0, 1)
    np.testing.assert_array_equal(d.y, df["z"].to_numpy(float))
    df["c"] = pd.Categorical(df["outcome"], categories=["yes", "no"])
    assert build_design("c ~ x1", df, "binomial").classes == ("yes", "no")


def test_transform_reuses_training_state(mixed):
    d = build_design("y ~ center(x1) + region + np.log(x3)", mixed, "gaussian")
    new = mixed.iloc[[5, 2, 9]]
    np.testing.assert_array_equal(d.transform(new), d.X[[5, 2, 9]])
    # centring uses the training mean, not the new data's
    one = d.transform(mixed.iloc[[3]])
    assert one[0, d.columns.index("center(x1)")] == pytest.approx(
        mixed["x1"].iloc[3] - mixed["x1"].mean()
    )


def test_transform_missing_values_give_nan_rows(mixed):
    d = build_design("y ~ x1 + region", mixed, "gaussian")
    new = mixed.iloc[:4].copy()
    new.loc[1, "x1"] = np.nan
    out = d.transform(new)
    assert np.isnan(out[1]).all()
    np.testing.assert_array_equal(out[[0, 2, 3]], d.X[[0, 2, 3]])


def test_transform_errors_name_culprit(mixed):
    d = build_design("y ~ x1 + C(region)", mixed, "gaussian")
    new = mixed.iloc[:3].copy()
    new["region"] = ["north", "mars", "east"]
    with pytest.raises(DataError, match="C\\(region\\).*'mars'"):
        d.transform(new)
    with pytest.raises(DataError, match="'x1'"):
        d.transform(mixed.drop(columns="x1"))
    with pytest.raises(ArgumentError, match="DataFrame"):
        d.transform(np.zeros((2, 2)))


def test_pickle_round_trip_rebuilds_design_info(mixed):
    d = build_design("y ~ standardize(x1) + bs(x3, df=3) + region", mixed, "gaussian")
    back = pickle.loads(pickle.dumps(d))
    np.testing.assert_array_equal(back.transform(mixed.iloc[::7]), d.X[::7])


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(formula="y ~ x1 + x9"), FormulaError, "'x9'.*'x1'"),
        (dict(formula="yy ~ x1"), FormulaError, "'yy'.*did you mean 'y'"),
        (dict(formula="region ~ x1"), DataError, "'region'.*numeric"),
        (dict(formula="flag ~ x1"), DataError, "'flag'.*numeric"),
        (dict(formula="region ~ x1", family="binomial"), DataError, "'region' has 4"),
        (
            dict(formula="outcome ~ x1", family="binomial", positive_class="maybe"),
            ArgumentError,
            "positive_class='maybe'",
        ),
        (dict(formula="~ x1"), FormulaError, "no response"),
        (dict(formula="y x1"), FormulaError, "no response"),
        (dict(formula="y ~ (x1"), FormulaError, "\\("),
        (dict(formula="y ~ np.log(x2)"), DataError, "np.log\\(x2\\)"),
        (dict(formula="y ~ x1", weights="wt"), ArgumentError, "weights='wt'"),
        (dict(formula="y ~ x1", weights="neg"), DataError, "'neg'.*negative"),
        (dict(formula="y ~ x1", weights="nan_w"), DataError, "'nan_w'.*missing"),
        (dict(formula="y ~ x1", weights=[1.0, 2.0]), ArgumentError, "weights has shape"),
        (dict(formula="y ~ x1 + allna"), DataError, "no rows left.*'allna'"),
        (dict(formula="y ~ x1", na_action="keep"), ArgumentError, "na_action='keep'"),
        (dict(formula=3), ArgumentError, "formula"),
    ],
)
def test_bad_inputs_raise_named_errors(mixed, kwargs, error, pattern):
    df = mixed.copy()
    df["neg"] = -1.0
    df["nan_w"] = np.where(np.arange(len(df)) == 3, np.nan, 1.0)
    df["allna"] = np.nan
    before = frame_fingerprint(df)
    kwargs = {"family": "gaussian", **kwargs}
    formula = kwargs.pop("formula")
    with pytest.raises(error, match=pattern) as info:
        build_design(formula, df, **kwargs)
    assert isinstance(info.value, PenstatError) and isinstance(info.value, ValueError)
    assert frame_fingerprint(df) == before


def test_build_design_does_not_modify_the_frame():
    df = make_mixed_frame(30, seed=5)
    df["region"] = df["region"].astype("string")
    df.loc[3, "x1"] = np.nan
    before = frame_fingerprint(df)
    d = build_design("outcome ~ . + x1:region", df, "binomial")
    d.transform(df)
    assert frame_fingerprint(df) == before


@pytest.mark.parametrize(
    "value, pattern",
    [(np.nan, "design columns \\['h'\\] have NaN or infinite"), (np.inf, "\\['h'\\]")],
)
def test_nan_or_inf_from_outside_the_frame_is_refused(mixed, value, pattern):
    # patsy's own NaN scan is skipped (the frame's missing values are handled before);
    # a NaN or inf that reaches the design from a caller's array is still caught
    h = np.ones(len(mixed))
    h[5] = value
    env = patsy.EvalEnvironment([{"h": h, "np": np}])
    with pytest.raises(DataError, match=pattern):
        build_design("y ~ x1 + h", mixed, "gaussian", eval_env=env)
