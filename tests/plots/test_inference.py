"""The forest plot of inference after selection (Agg backend)."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import penstat as ps  # noqa: E402
from penstat.inference import InferenceResult  # noqa: E402
from penstat.plots.inference import plot_intervals  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _table():
    return pd.DataFrame(
        {
            "estimate": [2.0, -1.0, 0.3, np.nan],
            "ci_lower": [1.0, -np.inf, -0.2, np.nan],
            "ci_upper": [3.0, -0.4, 0.9, np.nan],
        },
        index=["first", "second", "third", "fourth"],
    )


def _segments(ax):
    """(y, x0, x1) of each drawn interval."""
    out = []
    for collection in ax.collections:
        for seg in collection.get_segments():
            out.append((seg[0][1], seg[0][0], seg[1][0]))
    return sorted(out)


def test_intervals_and_estimates_are_drawn_where_they_are():
    ax = plot_intervals(_table(), method="split", level=0.9)
    assert ax.get_title() == "split: 90% intervals"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ticks = list(ax.get_yticks())
    # the first column at the top
    assert labels[ticks.index(max(ticks))] == "first"
    y = dict(zip(labels, ticks, strict=True))
    left, right = ax.get_xlim()
    segs = {round(s[0]): s[1:] for s in _segments(ax)}
    assert segs[y["first"]] == (1.0, 3.0)
    assert segs[y["third"]] == (-0.2, 0.9)
    # the open side runs to the edge, with an arrow there
    assert segs[y["second"]] == (left, -0.4)
    arrows = [ln for ln in ax.get_lines() if ln.get_marker() == "<"]
    assert len(arrows) == 1 and arrows[0].get_xdata()[0] == left
    # no interval for the column without one; three estimates
    assert round(y["fourth"]) not in segs
    dots = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert sorted(ln.get_xdata()[0] for ln in dots) == [-1.0, 0.3, 2.0]
    assert left < -1.0 and right > 3.0


def test_intervals_crossing_zero_are_grey():
    ax = plot_intervals(_table())
    colors = {}
    for collection in ax.collections:
        y = collection.get_segments()[0][0][1]
        colors[round(y)] = matplotlib.colors.to_hex(collection.get_colors()[0])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    y = dict(zip(labels, ax.get_yticks(), strict=True))
    assert colors[round(y["third"])] == "#8a9099"
    assert colors[round(y["first"])] == colors[round(y["second"])] == "#1f6fb2"


def test_scale_multiplies_each_column():
    scale = pd.Series({"first": 2.0, "second": 1.0, "third": 10.0, "fourth": 1.0})
    ax = plot_intervals(_table(), scale=scale)
    assert "standardized" in ax.get_xlabel()
    starts = sorted(s[1] for s in _segments(ax) if np.isfinite(s[1]))
    assert -2.0 in starts and 2.0 in starts


def test_dollar_names_are_drawn_literally(tmp_path):
    table = _table()
    table.index = ["$\\frac{$", "a$b$", "price$", "plain"]
    ax = plot_intervals(table, method="$x$")
    fig = ax.figure
    fig.savefig(tmp_path / "f.svg")  # mathtext would fail to parse the first name
    drawn = [t.get_text() for t in ax.get_yticklabels()]
    for label in drawn:  # no label is mathtext: each "$" is escaped
        assert not matplotlib.cbook.is_math_text(label)
    assert not matplotlib.cbook.is_math_text(ax.get_title())
    assert drawn[0] == "$\\frac{$".replace("$", "\\$")


def test_missing_columns_are_named():
    with pytest.raises(ps.ArgumentError, match="ci_upper"):
        plot_intervals(pd.DataFrame({"estimate": [1.0], "ci_lower": [0.0]}))


def test_result_plot_and_max_columns():
    table = pd.DataFrame(
        {"estimate": np.arange(5.0), "ci_lower": np.arange(5.0) - 1,
         "ci_upper": np.arange(5.0) + 1, "p_value": 0.5, "p_adjusted": np.nan,
         "std_error": 0.5},
        index=[f"c{j}" for j in range(5)],
    )  # fmt: skip
    res = InferenceResult("debiased", table, 0.95, 0.1, "nothing")
    ax = res.plot()
    assert ax.get_title() == "debiased: 95% intervals"
    ax = plot_intervals(table, max_columns=3)
    assert len(ax.get_yticklabels()) == 3
    assert "first 3 of 5" in ax.get_title()


def test_naive_result_plots():
    fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = fit.inference("naive")
    ax = res.plot()
    assert [t.get_text() for t in ax.get_yticklabels()] == fit.selected
