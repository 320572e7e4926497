import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from conftest import make_mixed_frame  # noqa: E402

import penstat as ps  # noqa: E402
from penstat import ArgumentError  # noqa: E402
from penstat.plots.path import plot_path  # noqa: E402


@pytest.fixture(scope="module")
def fit():
    return ps.lasso("y ~ x1 + x2 + x3 + region", make_mixed_frame(80, seed=9), lam=0.2)


def test_fit_plot_marks_lambda_and_labels_selected(fit):
    ax = fit.plot()
    try:
        assert isinstance(ax, matplotlib.axes.Axes)
        assert len(ax.lines) >= len(fit.design.columns)
        # one dashed vertical line at log(lam)
        vlines = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
        assert len(vlines) == 1 and vlines[0].get_xdata()[0] == pytest.approx(
            np.log(fit.lam)
        )
        # the selected columns are named, and so are the lines that grow after lam
        labels = {t.get_text() for t in ax.texts}
        assert set(fit.selected) <= labels
        ends = fit.path.coefs[-1]
        assert labels == {
            c for c, v in zip(fit.design.columns, ends, strict=True) if v != 0
        }
        lo, hi = ax.get_xlim()
        assert lo > hi  # largest lambda on the left
    finally:
        plt.close("all")


@pytest.mark.parametrize("xvar", ["log_lambda", "l1_norm", "dev_ratio"])
def test_plot_path_xvars_and_columns(fit, xvar):
    fig, ax = plt.subplots()
    try:
        out = plot_path(fit.path, ax=ax, columns=["x1", "x2"], xvar=xvar, label=False)
        assert out is ax
        coloured = [ln for ln in ax.lines if len(ln.get_xdata()) == len(fit.path.lambdas)]
        assert len(coloured) == 2
        j = fit.design.columns.index("x1")
        np.testing.assert_array_equal(coloured[0].get_ydata(), fit.path.coefs[:, j])
        assert not ax.texts
    finally:
        plt.close(fig)


def test_plot_path_bad_arguments(fit):
    with pytest.raises(ArgumentError, match="xvar='norm'"):
        plot_path(fit.path, xvar="norm")
    with pytest.raises(ArgumentError, match="'x9'"):
        plot_path(fit.path, columns=["x9"])
    plt.close("all")
