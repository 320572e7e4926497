"""The formula functions against R (poly, ns, scale) and the R syntax of formulas."""

import json
import pathlib
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import penstat as ps
from penstat import FormulaError
from penstat.design import build_design

R = json.loads(
    (pathlib.Path(__file__).parents[1] / "data" / "r_formula_transforms.json").read_text()
)
X = np.array(R["x"])


def frame(**extra):
    rng = np.random.default_rng(0)
    return pd.DataFrame({"y": rng.normal(size=len(X)), "x": X, **extra})


def test_poly_matches_r_on_training_and_new_data():
    d = build_design("y ~ poly(x, 3)", frame())
    np.testing.assert_allclose(d.X, np.array(R["poly3"]).T, rtol=0, atol=1e-12)
    new = d.transform(pd.DataFrame({"x": R["new_x"]}))
    np.testing.assert_allclose(new, np.array(R["poly3_new"]).T, rtol=0, atol=1e-11)
    d1 = build_design("y ~ poly(x, 1)", frame())
    np.testing.assert_allclose(d1.X, np.array(R["poly1"]).T, rtol=0, atol=1e-12)


def test_poly_raw_and_bad_degree():
    d = build_design("y ~ poly(x, 2, raw=True)", frame())
    np.testing.assert_allclose(d.X, np.column_stack([X, X**2]))
    with pytest.raises(FormulaError, match="degree 15 must be less than the number"):
        build_design("y ~ poly(x, 15)", frame())


def test_ns_spans_what_r_ns_spans_with_the_intercept():
    d = build_design("y ~ ns(x, df=4)", frame())
    assert d.X.shape == (len(X), 4)
    ours = np.column_stack([np.ones(len(X)), d.X])
    r_ns = np.array(R["ns4"]).T
    fitted, *_ = np.linalg.lstsq(ours, r_ns, rcond=None)
    np.testing.assert_allclose(ours @ fitted, r_ns, atol=1e-10)
    assert np.linalg.matrix_rank(np.column_stack([ours, r_ns])) == 5


def test_scale_is_r_scale_and_remembers_the_training_state():
    d = build_design("y ~ scale(x)", frame())
    np.testing.assert_allclose(d.X[:, 0], R["scale"], atol=1e-13)
    new = d.transform(pd.DataFrame({"x": [X.mean()]}))
    assert new[0, 0] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("env", ["caller", "safe"])
def test_r_functions_in_both_modes(env):
    df = frame(g=list("abc") * 5)
    formula = (
        "y ~ log(x) + log1p(x) + exp(x / 10) + sqrt(x) + abs(x - 5) + bs(x, df=4)"
        " + C(g, Sum) + I(x ** 2) + np.log2(x)"
    )
    fit = ps.fit(formula, df, lam=0.1, formula_env=env)
    assert fit.design.terms["log(x)"] == ["log(x)"]
    np.testing.assert_allclose(
        fit.design.X[:, fit.design.columns.index("sqrt(x)")], np.sqrt(X)
    )
    assert fit.design.terms["C(g, Sum)"] == ["C(g, Sum)[S.a]", "C(g, Sum)[S.b]"]


def test_user_function_works_in_the_api_but_not_in_safe_mode():
    def cube(v):
        return v**3

    fit = ps.fit("y ~ cube(x)", frame(), lam=0.1)
    np.testing.assert_allclose(fit.design.X[:, 0], X**3)
    with pytest.raises(FormulaError, match="calling 'cube' is not allowed"):
        ps.fit("y ~ cube(x)", frame(), lam=0.1, formula_env="safe")


def test_pickled_design_rebuilds_poly_and_ns():
    d = build_design("y ~ poly(x, 3) + ns(x, df=3)", frame(), formula_env="safe")
    new = pd.DataFrame({"x": R["new_x"]})
    again = pickle.loads(pickle.dumps(d))
    np.testing.assert_allclose(again.transform(new), d.transform(new))


def test_dot_power_and_parenthesised_power():
    df = pd.DataFrame({"y": X, "a": X**0.5, "b": np.sin(X), "c": np.cos(X)})
    d = build_design("y ~ .^2", df)
    assert list(d.terms) == ["a", "b", "c", "a:b", "a:c", "b:c"]
    assert list(build_design("y ~ (a + b + c)^2", df).terms) == list(d.terms)
    assert list(build_design("y ~ (a + b + c)**2", df).terms) == list(d.terms)
    assert list(build_design("y ~ .^2 - a:c", df).terms) == ["a", "b", "c", "a:b", "b:c"]


def test_explicit_term_wins_over_dot_with_a_warning():
    df = pd.DataFrame({"low": X, "age": X**2, "race": [1, 2, 3] * 5})
    with pytest.warns(UserWarning, match="'.' leaves out 'race' because .*'C\\(race\\)'"):
        d = build_design("low ~ . + C(race)", df)
    assert list(d.terms) == ["C(race)", "age"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        both = build_design("low ~ . + race + C(race)", df)
        assert set(both.terms) == {"age", "race", "C(race)"}
        assert set(build_design("low ~ . + log(age)", df).terms) == {
            "age",
            "race",
            "log(age)",
        }


@pytest.mark.parametrize(
    "name", ["a\\", "C:\\temp", "$\\beta$", "two\nlines", 'say "hi"', "ｘ", "my col"]
)
def test_dot_quotes_any_column_name(name):
    df = pd.DataFrame({"y": X, name: X**2, "z": np.sin(X)})
    d = build_design("y ~ .", df)
    assert d.X.shape == (len(X), 2)
    np.testing.assert_allclose(d.X[:, 0], X**2)
    d.transform(df)  # the same column is found in new data
    safe = build_design("y ~ .", df, formula_env="safe")
    np.testing.assert_allclose(safe.X, d.X)


def test_dot_refuses_columns_whose_names_are_not_strings():
    df = pd.DataFrame({"y": X, "a": X**2, 3: np.sin(X)})
    with pytest.raises(ps.DataError, match="'.' cannot stand for the columns \\[3\\]"):
        build_design("y ~ .", df)
    assert build_design("y ~ a", df).columns == ["a"]


def test_dot_warns_about_an_identifier_column():
    df = frame(patient=[f"p{i}" for i in range(len(X))])
    with pytest.warns(UserWarning, match="'.' includes 'patient', which has a different"):
        build_design("y ~ .", df)


@pytest.mark.parametrize(
    "formula, pattern",
    [
        ("y ~ I(x +* 2)", "the term 'I\\(x \\+ \\* 2\\)' is not valid Python"),
        ("y ~ log(x", "unclosed bracket"),
        ("y ~ x +", "expected a noun"),
        ("y ~ x + (", "unclosed|expected"),
        ("y ~ .^x", "positive integer"),
    ],
)
def test_syntax_errors_show_the_formula_with_a_caret(formula, pattern):
    with pytest.raises(FormulaError, match=pattern) as info:
        build_design(formula, frame())
    lines = str(info.value).splitlines()
    assert lines[1].strip() == formula
    assert "^" in lines[2] and set(lines[2].strip()) == {"^"}
    assert "TokenError" not in str(info.value) and "EOF in" not in str(info.value)


def test_a_long_sum_written_out_is_read_without_recursion():
    df = pd.DataFrame(np.random.default_rng(1).normal(size=(20, 3001)))
    df.columns = ["y"] + [f"x{i}" for i in range(3000)]
    d = build_design("y ~ " + " + ".join(df.columns[1:]), df)
    assert d.X.shape == (20, 3000)


def test_dot_on_20000_columns_p_much_larger_than_n():
    # '.' used to become one nested expression: patsy recursed past ~490 columns
    rng = np.random.default_rng(2)
    X = rng.normal(size=(71, 20_000))
    df = pd.DataFrame(X, columns=[f"g{j}" for j in range(20_000)])
    df.insert(0, "y", X[:, 0] - 2 * X[:, 1] + rng.normal(scale=0.1, size=71))
    fit = ps.lasso("y ~ .", df, lam=0.3)
    assert fit.design.X.shape == (71, 20_000)
    np.testing.assert_array_equal(fit.design.X, X)
    assert {"g0", "g1"} <= set(fit.selected)


def test_design_pickled_without_stored_terms_rebuilds_from_its_formula_text():
    d = build_design("y ~ x + log(x)", frame())
    state = d.__getstate__()
    del state["rhs_codes"], state["formula_env"]
    old = object.__new__(type(d))
    old.__setstate__(state)
    new = pd.DataFrame({"x": [2.0, 3.0]})
    np.testing.assert_allclose(old.transform(new), d.transform(new))


def test_r_power_inside_i_says_to_write_two_stars():
    with pytest.raises(FormulaError, match="write a power as \\*\\* \\(I\\(x\\*\\*2\\)\\)"):
        build_design("y ~ I(x^2)", frame())
