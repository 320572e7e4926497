"""The group lasso's path plot: one line per penalty group, its norm ||b_g||_2 on the
standardized scale against log lambda, labelled by term."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import penstat as ps  # noqa: E402
from penstat import ArgumentError  # noqa: E402
from penstat.plots.path import plot_group_path  # noqa: E402


@pytest.fixture(scope="module")
def fit():
    rng = np.random.default_rng(1)
    n = 150
    df = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.normal(scale=5.0, size=n),
            "age": rng.uniform(20, 70, size=n),
            "region": rng.choice(list("abcd"), size=n),
        }
    )
    df["y"] = df["x1"] + 0.2 * df["x2"] + (df["region"] == "b") + rng.normal(size=n)
    return ps.group_lasso("y ~ x1 + x2 + C(region) + poly(age, 3)", df, lam=0.05)


def test_plotted_lines_are_the_group_norms(fit):
    ax = fit.plot()
    try:
        X, coefs = fit.design.X, fit.path.coefs
        sd = X.std(axis=0)  # the 1/n standard deviation the solver scales by
        x = np.log(fit.path.lambdas)
        terms = list(fit.design.terms)
        lines = ax.lines[: len(terms)]
        for term, line in zip(terms, lines, strict=True):
            j = [fit.design.columns.index(c) for c in fit.design.terms[term]]
            want = np.linalg.norm(coefs[:, j] * sd[j], axis=1)
            np.testing.assert_allclose(line.get_ydata(), want, rtol=1e-12, atol=0)
            np.testing.assert_allclose(line.get_xdata(), x, rtol=1e-15)
        assert ax.get_ylabel() == "group norm ||b_g|| (standardized scale)"
        # labelled by term; the chosen lambda dashed
        labels = {t.get_text() for t in ax.texts}
        assert set(fit.selected_terms) <= labels <= set(terms)
        dashed = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
        assert len(dashed) == 1 and dashed[0].get_xdata()[0] == pytest.approx(
            np.log(fit.lam)
        )
        lo, hi = ax.get_xlim()
        assert lo > hi  # largest lambda on the left, as every penstat plot
    finally:
        plt.close("all")


def test_group_norm_path_table(fit):
    table = fit.group_norm_path()
    assert table.columns.tolist() == list(fit.design.terms)
    np.testing.assert_array_equal(table.index.to_numpy(), fit.path.lambdas)
    # lambda_max: every group zero (the group that sets it may keep a round-off)
    np.testing.assert_allclose(table.iloc[0], 0.0, rtol=0, atol=1e-12)
    assert (table.iloc[-1] > 0).all()


def test_a_lasso_fit_still_plots_coefficients():
    fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    try:
        assert fit.plot().get_ylabel() == "coefficient"
        assert fit.group_norm_path() is None and fit.group_table() is None
    finally:
        plt.close("all")


def test_bad_norms_and_scale_are_refused(fit):
    with pytest.raises(ArgumentError, match="scale='raw'"):
        plot_group_path(fit.group_norm_path(), scale="raw")
    with pytest.raises(ArgumentError, match="norms must be a table"):
        plot_group_path(pd.DataFrame(np.zeros((0, 2))))
    plt.close("all")
