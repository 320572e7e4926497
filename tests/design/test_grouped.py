"""Grouped binomial responses: ``cbind(successes, failures)`` and a proportion with
its trials as weights (glmnet's two-column y, R's ``cbind(s, f) ~ x``)."""

import warnings

import numpy as np
import pandas as pd
import pytest

from penstat import ArgumentError, DataError, FormulaError
from penstat.design import build_design
from penstat.design.response import cbind_parts


def counts_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "s": [1, 0, 3, 2, 0, 5],
            "f": [3, 0, 1, 2, 4, 0],
            "x": [0.1, 0.4, -0.3, 1.2, 0.7, -1.0],
            "z": [1.0, 2.0, 0.5, 0.0, 1.5, 2.5],
            "w": [1.0, 1.0, 2.0, 0.5, 1.0, 1.0],
            "region": ["a", "b", "a", "b", "a", "b"],
        }
    )


def test_cbind_gives_proportions_and_trials_as_weights():
    df = counts_frame()
    with pytest.warns(UserWarning, match="1 row of 'cbind\\(s, f\\)' with no trials"):
        d = build_design("cbind(s, f) ~ x", df, "binomial")
    assert d.y.tolist() == [0.25, 0.75, 0.5, 0.0, 1.0]
    assert d.weights.tolist() == [4.0, 4.0, 4.0, 4.0, 5.0]
    assert d.row_index.tolist() == [0, 2, 3, 4, 5] and d.n_no_trials == 1
    assert d.n_dropped == 0 and d.X.shape == (5, 1)
    assert d.response_kind == "counts"
    assert d.response_label == "successes s of trials s + f"
    assert d.classes == ("failure", "success")


def test_cbind_multiplies_the_weights_and_leaves_its_columns_out_of_dot():
    df = counts_frame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = build_design("cbind(s, f) ~ .", df, "binomial", weights="w")
    assert d.columns == ["region[T.b]", "x", "z"]
    assert d.weights.tolist() == [4.0, 8.0, 2.0, 4.0, 5.0]


def test_cbind_takes_expressions():
    df = counts_frame().assign(n=lambda d: d.s + d.f).drop(columns="f")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = build_design("cbind(s, n - s) ~ x", df, "binomial")
    assert d.y.tolist() == [0.25, 0.75, 0.5, 0.0, 1.0]
    assert d.response_label == "successes s of trials s + n - s"


def test_proportion_with_weights_as_trials():
    df = counts_frame().iloc[[0, 2, 3, 4, 5]]
    df = df.assign(n=df.s + df.f, p=df.s / (df.s + df.f))
    d = build_design("p ~ x", df, "binomial", weights="n")
    assert d.y.tolist() == [0.25, 0.75, 0.5, 0.0, 1.0]
    assert d.weights.tolist() == [4.0, 4.0, 4.0, 4.0, 5.0]
    assert d.response_kind == "proportions"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        counts = build_design("cbind(s, f) ~ x", counts_frame(), "binomial")
    np.testing.assert_array_equal(d.X, counts.X)


def test_labels_with_weights_stay_labels():
    df = pd.DataFrame({"y": [0, 1, 1, 0], "x": [1.0, 2.0, 3.0, 4.0], "w": [1, 2, 3, 4]})
    d = build_design("y ~ x", df, "binomial", weights="w")
    assert d.response_kind is None and d.classes == (0, 1)
    assert d.weights.tolist() == [1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize(
    "formula, kwargs, error, words",
    [
        ("cbind(s, f) ~ x", {"family": "gaussian"}, FormulaError, "family='binomial'"),
        ("cbind(s) ~ x", {}, FormulaError, "cbind\\(successes, failures\\)"),
        ("cbind(s, f, x) ~ x", {}, FormulaError, "it has 3"),
        ("cbind(s, -f) ~ x", {}, DataError, "'-f' in the response .* counts >= 0"),
        ("cbind(s, region) ~ x", {}, DataError, "'region' in the response .* numbers"),
        ("cbind(s, f) ~ x", {"positive_class": 1}, ArgumentError, "positive_class="),
        ("z ~ x", {}, DataError, "cbind\\(successes, failures\\).*weights="),
    ],
)
def test_grouped_mistakes_are_named(formula, kwargs, error, words):
    kwargs = {"family": "binomial", **kwargs}
    family = kwargs.pop("family")
    with pytest.raises(error, match=words):
        build_design(formula, counts_frame(), family, **kwargs)


def test_no_trials_anywhere_is_refused():
    df = pd.DataFrame({"s": [0, 0], "f": [0, 0], "x": [1.0, 2.0]})
    with pytest.raises(DataError, match="no trials in any row"):
        build_design("cbind(s, f) ~ x", df, "binomial")


def test_data_not_modified():
    df = counts_frame()
    before = df.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_design("cbind(s, f) ~ x", df, "binomial", weights="w")
    pd.testing.assert_frame_equal(df, before)


def test_cbind_parts():
    assert cbind_parts('cbind(Q("a,b"), f(x, 2))') == ('Q("a,b")', "f(x, 2)")
    assert cbind_parts("np.log(y)") is None


def test_counts_response_in_the_safe_mode_and_the_cli(tmp_path):
    # the command line evaluates every formula in the safe mode: R's cbind response
    # of grouped data is one of its listed functions
    import subprocess
    import sys

    import penstat as ps

    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"x1": rng.normal(size=60), "x2": rng.normal(size=60)})
    trials = rng.integers(1, 10, 60)
    s = rng.binomial(trials, 1 / (1 + np.exp(-frame["x1"])))
    frame = frame.assign(s=s, f=trials - s)
    formula = "cbind(s, f) ~ x1 + x2"
    safe = ps.fit(formula, frame, family="binomial", lam=0.01, formula_env="safe")
    plain = ps.fit(formula, frame, family="binomial", lam=0.01)
    np.testing.assert_array_equal(safe.coef, plain.coef)
    data = tmp_path / "grouped.csv"
    frame.to_csv(data, index=False)
    out = subprocess.run(
        [sys.executable, "-m", "penstat", "fit", str(data), formula, "--family",
         "binomial", "--select", "bic"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "successes s of trials s + f" in out.stdout
