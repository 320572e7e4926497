"""Plots of bootstrap frequencies and stability paths (Agg backend)."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from penstat.plots.stability import (  # noqa: E402
    plot_selection_frequency,
    plot_stability_path,
)
from penstat.resampling import run_bootstrap, run_stability_selection  # noqa: E402


class TableFit:
    """Stand-in fit whose replicates return preset coefficient vectors in turn."""

    def __init__(self, coefs):
        self.coefs = np.asarray(coefs, dtype=float)
        p = self.coefs.shape[1]
        columns = [f"c{j}" for j in range(p)]
        self.design = SimpleNamespace(
            X=np.zeros((20, p)),
            y=np.zeros(20),
            columns=columns,
            terms={c: [c] for c in columns},
        )
        self.lam = 0.1
        self.path = SimpleNamespace(
            lambdas=np.geomspace(1, 0.01, 6), l1_ratio=1.0, penalty_factor=np.ones(p)
        )
        self.family = SimpleNamespace(name="gaussian")
        self.calls = 0

    def refitter(self, fixed_lam=False):
        # one job: the replicates run in order in this process
        def refit(rows, seed=None):
            out = self.coefs[self.calls % len(self.coefs)]
            self.calls += 1
            return out

        return refit

    def subpaths(self):
        def paths(rows, lambdas):
            coefs = np.zeros((len(lambdas), self.coefs.shape[1]))
            for k in range(len(lambdas)):
                coefs[k, : k + 1] = 1.0
            return SimpleNamespace(coefs=coefs)

        return paths


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_selection_frequency_plot():
    coefs = [[1.0, -2.0, 0.0, 0.0], [1.5, 0.0, 0.0, 0.3], [0.8, -1.0, 0.0, 0.0]]
    boot = run_bootstrap(TableFit(coefs), n_boot=3, seed=0, progress=False)
    ax = plot_selection_frequency(boot)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == ["c0", "c1", "c2", "c3"]
    assert labels[-1] == "c0"  # most frequent on top
    xs = sorted(line.get_xdata()[0] for line in ax.lines if line.get_linestyle() in "--:")
    assert 0.5 in xs and 0.9 in xs
    points = ax.collections[-1].get_offsets()
    assert sorted(np.round(points[:, 0], 6)) == sorted(
        np.round(boot.columns["freq"].to_numpy(), 6)
    )


def test_selection_frequency_plot_on_given_axes_and_limit():
    coefs = np.eye(50)[:3]
    boot = run_bootstrap(TableFit(coefs), n_boot=3, seed=0, progress=False)
    fig, ax = plt.subplots()
    assert plot_selection_frequency(boot, ax=ax, max_columns=10) is ax
    assert len(ax.get_yticklabels()) == 10


def test_stability_path_plot():
    stab = run_stability_selection(
        TableFit(np.zeros((1, 5))), n_subsamples=3, q=2, cutoff=0.8, progress=False
    )
    ax = plot_stability_path(stab)
    coloured = [line for line in ax.lines if line.get_label() in stab.stable]
    assert len(coloured) == len(stab.stable) == 2
    assert any(
        np.allclose(line.get_ydata(), stab.cutoff)
        for line in ax.lines
        if len(line.get_ydata()) == 2
    )
    assert stab.plot() is not None


def test_selection_frequency_plot_of_a_group_lasso_has_one_dot_per_term():
    import penstat as ps

    data = ps.datasets.load("diabetes")
    data["sex"] = data["sex"].map({data["sex"].min(): "a", data["sex"].max(): "b"})
    data["bmi_band"] = np.digitize(data["bmi"], np.quantile(data["bmi"], [0.33, 0.66]))
    formula = "y ~ C(bmi_band) + sex + bp + s5 + poly(age, 2)"
    fit = ps.group_lasso(formula, data, lam=5.0)
    boot = fit.bootstrap(n_boot=12, seed=0, progress=False)
    assert boot.unit == "group"
    from penstat.results.export import fit_to_dict

    assert fit_to_dict(fit)["bootstrap"]["unit"] == "group"
    assert len(boot.terms) < len(boot.columns)  # terms of several columns
    assert ((boot.terms["freq"] > 0) & (boot.terms["freq"] < 1)).any()
    ax = boot.plot()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == sorted(boot.terms.index)
    points = ax.collections[-1].get_offsets()
    plotted = dict(zip(labels, points[np.argsort(points[:, 1]), 0], strict=True))
    for term, freq in boot.terms["freq"].items():
        assert plotted[term] == pytest.approx(freq, abs=1e-12)
    assert "term" in ax.get_title()
    # the same data by lasso: one dot per column
    lasso = ps.lasso(formula, data, lam=5.0).bootstrap(n_boot=4, seed=0, progress=False)
    assert lasso.unit == "column"
    labels = [t.get_text() for t in lasso.plot().get_yticklabels()]
    assert sorted(labels) == sorted(lasso.columns.index)
