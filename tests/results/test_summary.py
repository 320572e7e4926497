"""The summary's inference section: every p-value is shown with its method."""

import warnings

import numpy as np
import pandas as pd
import pytest

import penstat as ps
from penstat.inference import TABLE_COLUMNS, InferenceResult


@pytest.fixture
def fit():
    return ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)


def _selective_like(fit, columns=None):
    """A hand-built result of another method: no standard errors, an adjusted
    p-value, and a column the fit did not select."""
    columns = columns or [*fit.selected[:3], "age"]
    k = len(columns)
    table = pd.DataFrame(
        {
            "estimate": np.arange(1.0, k + 1),
            "std_error": np.nan,
            "ci_lower": np.arange(k) - 0.5,
            "ci_upper": np.arange(k) + 2.5,
            "p_value": np.linspace(0.001, 0.4, k),
            "p_adjusted": np.minimum(1, 3 * np.linspace(0.001, 0.4, k)),
        },
        index=pd.Index(columns, name="column"),
    )
    return InferenceResult(
        "selective",
        table,
        level=0.9,
        lam=fit.lam,
        conditioning="the selected set and signs at lambda = 1",
        sigma=54.1,
        sigma_method="OLS residual",
        adjustment="Holm",
        notes=("the guarantee holds for a lambda fixed in advance",),
    )


def test_no_inference_section_without_inference(fit):
    summary = fit.summary()
    assert summary.inference == ()
    assert "inference" not in summary.tables
    assert "p_value" not in str(summary)
    assert not any("p_value" in c for c in summary.tables["coefficients"].columns)


def test_given_result_is_shown_with_its_method(fit):
    result = _selective_like(fit)
    summary = fit.summary(inference=result)
    text = str(summary)
    lines = summary.inference
    assert lines[0] == (
        "Inference after selection: selective, 90% intervals, two-sided p-values"
    )
    assert "Conditioning: the selected set and signs at lambda = 1" in lines
    assert "sigma = 54.1 (OLS residual)" in lines
    assert "p_adjusted: Holm" in lines
    assert "Note: the guarantee holds for a lambda fixed in advance" in lines
    assert "lambda of the selection: 1" in lines
    for line in lines[:3]:
        assert line in text
    coefs = summary.tables["coefficients"]
    # the method's columns, each named after it; all-NaN std_error left out
    added = [c for c in coefs.columns if c.startswith("selective ")]
    assert added == [f"selective {c}" for c in TABLE_COLUMNS if c != "std_error"]
    assert not any(c.startswith("p_") or c == "p_value" for c in coefs.columns)
    # the unselected column the method reports on is shown, with coef 0
    assert coefs.loc["age", "coef"] == 0
    np.testing.assert_array_equal(
        coefs.loc[result.table.index, "selective p_value"], result.table["p_value"]
    )
    # the other selected columns have no inference numbers
    rest = [c for c in fit.selected if c not in result.table.index]
    assert coefs.loc[rest, "selective p_value"].isna().all()
    pd.testing.assert_frame_equal(
        summary.tables["inference"], result.table, check_names=False
    )
    assert summary.tables["inference"].attrs["method"] == "selective"
    html = summary._repr_html_()
    assert "Inference after selection" in html and "selective p_value" in html
    # the fit is not changed by showing a result
    assert fit.inference_result is None


def test_kept_result_is_shown_unless_false(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        kept = fit.inference("naive", level=0.8)
    summary = fit.summary()
    assert summary.inference[0].startswith("Inference after selection: naive, 80%")
    assert any("invalid" in line for line in summary.inference)
    assert "naive p_value" in summary.tables["coefficients"].columns
    np.testing.assert_array_equal(
        summary.tables["coefficients"].loc[kept.table.index, "naive p_value"],
        kept.p_values,
    )
    off = fit.summary(inference=False)
    assert off.inference == () and "naive p_value" not in str(off)
    # by name: the kept result of that method, not a new run
    assert fit.summary(inference="naive").inference == summary.inference


def test_method_name_runs_the_method_without_keeping_it(fit):
    with pytest.warns(UserWarning, match="ignore"):
        summary = fit.summary(inference="naive")
    assert summary.inference[0].startswith("Inference after selection: naive, 95%")
    assert fit.inference_result is None


@pytest.mark.parametrize("bad", ["bayes", 3, True])
def test_bad_inference_argument_is_named(fit, bad):
    with pytest.raises(ps.ArgumentError, match="inference="):
        fit.summary(inference=bad)


def test_a_method_that_is_not_installed_is_named(fit, monkeypatch):
    from penstat.inference import run as inference_run

    monkeypatch.delitem(inference_run.RUNNERS, "naive")
    with pytest.raises(ps.ArgumentError, match="inference='naive': this penstat has no"):
        fit.summary(inference="naive")
