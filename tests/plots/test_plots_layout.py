"""Layout of the plots: one lambda direction, legends that cover no data, path labels
joined to their lines (Agg backend)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from conftest import make_mixed_frame  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import penstat as ps  # noqa: E402
from penstat.plots.path import _spread, plot_path  # noqa: E402
from penstat.plots.selection import plot_criteria, plot_cv  # noqa: E402
from penstat.plots.stability import (  # noqa: E402
    plot_selection_frequency,
    plot_stability_path,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def binomial_fit():
    data = ps.datasets.load("breast_cancer")
    return ps.fit("diagnosis ~ .", data, family="binomial", nfolds=5, seed=0)


@pytest.fixture(scope="module")
def gaussian_fit():
    fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), nfolds=5, seed=0)
    fit.bootstrap(n_boot=10, seed=1, progress=False)
    fit.stability_selection(n_subsamples=10, pfer=1.0, seed=2, progress=False)
    return fit


def _drawn(ax):
    ax.figure.tight_layout()
    ax.figure.canvas.draw()
    return ax.figure.canvas.get_renderer()


def _assert_legend_outside(ax):
    renderer = _drawn(ax)
    legend = ax.get_legend()
    assert legend is not None
    box = legend.get_window_extent(renderer)
    assert not box.overlaps(ax.get_window_extent(renderer))


def test_legends_cover_no_data(binomial_fit, gaussian_fit):
    _assert_legend_outside(plot_cv(binomial_fit.cv))
    bic = ps.lasso("y ~ .", ps.datasets.load("diabetes"), select="bic")
    _assert_legend_outside(plot_criteria(bic.selection))
    _assert_legend_outside(plot_stability_path(gaussian_fit.stability_result))
    _assert_legend_outside(plot_selection_frequency(gaussian_fit.bootstrap_result))


def test_largest_lambda_on_the_left_in_every_plot(gaussian_fit):
    bic = ps.lasso("y ~ .", ps.datasets.load("diabetes"), select="bic")
    axes = {
        "cv": plot_cv(gaussian_fit.cv),
        "criteria": plot_criteria(bic.selection),
        "path": plot_path(gaussian_fit.path, lam=gaussian_fit.lam),
        "stability": plot_stability_path(gaussian_fit.stability_result),
    }
    for name, ax in axes.items():
        left, right = ax.get_xlim()
        assert left > right, name


def test_cv_plot_on_an_inverted_axes_stays_inverted(gaussian_fit):
    fig, ax = plt.subplots()
    ax.invert_xaxis()
    left, right = plot_cv(gaussian_fit.cv, ax=ax).get_xlim()
    assert left > right


def test_path_labels_are_joined_to_their_lines():
    # a large lambda: few columns selected there, many large lines after it
    fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=20.0)
    ax = plot_path(fit.path, lam=fit.lam)
    renderer = _drawn(ax)
    names = fit.design.columns
    ends = dict(zip(names, fit.path.coefs[-1], strict=True))
    x_end = np.log(fit.path.lambdas[-1])
    labelled = {t.get_text(): t for t in ax.texts}
    # every line nonzero at the end is named (ten fit), the selected ones among them
    assert set(labelled) == {c for c, v in ends.items() if v != 0}
    assert set(fit.selected) <= set(labelled)
    for name, text in labelled.items():
        assert text.xy == pytest.approx((x_end, ends[name]))
        assert text.arrow_patch is not None
    low, high = ax.get_ylim()
    # the text alone (an annotation's extent includes its leader line)
    boxes = sorted(
        (Text.get_window_extent(t, renderer) for t in labelled.values()),
        key=lambda b: b.y0,
    )
    for below, above in zip(boxes, boxes[1:], strict=False):
        assert below.y1 <= above.y0 + 0.5  # no two labels overlap
    heights = [t.xyann[1] for t in labelled.values()]
    assert min(heights) >= low and max(heights) <= high


def test_path_labels_fit_the_axes_height():
    fit = ps.lasso("y ~ x1 + x2 + x3 + region + grade", make_mixed_frame(80), lam=0.01)
    fig, ax = plt.subplots(figsize=(6, 1.2))
    plot_path(fit.path, ax=ax, lam=fit.lam)
    assert 0 < len(ax.texts) < np.count_nonzero(fit.path.coefs[-1])
    # the columns selected at lam are named first
    assert {t.get_text() for t in ax.texts} <= set(fit.selected)


def test_spread_keeps_order_gap_and_limits():
    values = [0.0, 0.01, 0.02, 5.0, 10.0, 10.01]
    placed = np.array(_spread(values, 1.0, -1.0, 10.5))
    order = np.argsort(values)
    assert np.all(np.diff(placed[order]) >= 1.0 - 1e-12)
    assert placed.min() >= -1.0 and placed.max() <= 10.5
    # a crowded group is centred on its values, not pushed one way
    centred = _spread(values, 1.0, -5.0, 20.0)
    assert np.mean(centred[:3]) == pytest.approx(0.01)
    assert centred[3] == 5.0
    assert _spread([3.0, 1.0, 2.0], 0.1, 0.0, 10.0) == [3.0, 1.0, 2.0]
    crowded = np.array(_spread([0.0] * 30, 1.0, 0.0, 10.0))
    assert crowded.min() >= 0.0 and crowded.max() <= 10.0
    assert np.all(np.diff(np.sort(crowded)) > 0.3)
