"""Plots of bootstrap selection frequencies and of stability paths.

>>> import penstat as ps
>>> from penstat.plots.stability import plot_selection_frequency
>>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=2.0)
>>> boot = fit.bootstrap(n_boot=10, seed=0, progress=False)
>>> plot_selection_frequency(boot).get_xlabel()
'selection frequency (10 bootstrap replicates)'
"""

from __future__ import annotations

import numpy as np

from penstat.plots import plain_text, require_matplotlib
from penstat.plots._protocols import BootstrapLike, StabilityLike

__all__ = ["plot_selection_frequency", "plot_stability_path"]


def plot_selection_frequency(
    bootstrap_result: BootstrapLike, ax=None, max_columns: int = 40
):
    """Dot chart of bootstrap selection frequencies, with the 50% and 90% lines.

    The legend sits outside the axes, on the right. One dot per column, coloured by
    the sign of its bootstrap median; for the group lasso (``unit == "group"``),
    which selects whole groups, one dot per formula term: the share of replicates
    selecting any of its columns (``terms["freq"]``).

    Parameters
    ----------
    bootstrap_result : BootstrapLike
        A :class:`~penstat.resampling.BootstrapResult`.
    ax : matplotlib.axes.Axes, optional
    max_columns : int
        Show at most this many columns (terms), the most frequently selected.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=2.0)
    >>> ax = plot_selection_frequency(fit.bootstrap(n_boot=10, seed=0, progress=False))
    >>> len(ax.get_yticklabels())
    3
    """
    plt = require_matplotlib()
    # the group lasso selects whole groups: one dot per term, its share of replicates
    # selecting any of its columns
    by_term = getattr(bootstrap_result, "unit", "column") == "group"
    table = bootstrap_result.terms if by_term else bootstrap_result.columns
    freq = table["freq"].sort_values(ascending=True, kind="stable")
    if len(freq) > max_columns:
        freq = freq.iloc[-max_columns:]
    if by_term:  # a term of several columns has no one sign
        signs = np.zeros(len(freq))
    else:
        signs = np.sign(table.loc[freq.index, "median"].to_numpy())
    if ax is None:
        height = max(2.5, 0.28 * len(freq) + 1.2)
        _, ax = plt.subplots(figsize=(6.4, height))
    positions = np.arange(len(freq))
    ax.hlines(positions, 0, freq.to_numpy(), color="#c8ccd2", linewidth=1.2, zorder=1)
    colors = np.where(signs > 0, "#1f6fb2", np.where(signs < 0, "#c0392b", "#7f8c8d"))
    ax.scatter(freq.to_numpy(), positions, c=list(colors), s=36, zorder=2)
    for x, style in ((0.5, "--"), (0.9, ":")):
        ax.axvline(x, color="#555555", linestyle=style, linewidth=1, zorder=0)
    ax.set_yticks(positions)
    ax.set_yticklabels([plain_text(i) for i in freq.index])
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.7, len(freq) - 0.3)
    ax.set_xlabel(f"selection frequency ({bootstrap_result.n_boot} bootstrap replicates)")
    ax.set_title(f"How often each {'term' if by_term else 'column'} is selected")
    from matplotlib.lines import Line2D

    dots = [
        ("#1f6fb2", "median > 0"),
        ("#c0392b", "median < 0"),
        ("#7f8c8d", "median = 0"),
    ]
    handles = [
        *(
            Line2D([], [], marker="o", linestyle="", color=color, label=label)
            for color, label in ([("#7f8c8d", "term")] if by_term else dots)
        ),
        Line2D([], [], color="#555555", linestyle="--", label="50%"),
        Line2D([], [], color="#555555", linestyle=":", label="90%"),
    ]
    # outside the axes, on the right: a legend inside would cover the dots at 100%
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize="small",
        frameon=False,
    )
    return ax


def plot_stability_path(
    stability_result: StabilityLike, ax=None, label_stable: bool = True
):
    """Selection probability of each column along the lambda path.

    For the group lasso (a result with ``group_probabilities``) one line per penalty
    group, named by the group. Stable columns (groups) are drawn in colour, the
    others in grey; the horizontal line is
    the cutoff and the shaded band the lambda region used. The largest lambda is on
    the left, as in every penstat plot; the legend of the stable columns sits
    outside the axes, on the right.

    Parameters
    ----------
    stability_result : StabilityLike
        A :class:`~penstat.resampling.StabilitySelection`.
    ax : matplotlib.axes.Axes, optional
    label_stable : bool
        Name the stable columns at the right end of the region.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=2.0)
    >>> stab = fit.stability_selection(10, cutoff=0.75, pfer=1, seed=0, progress=False)
    >>> plot_stability_path(stab).get_ylabel()
    'selection probability'
    """
    plt = require_matplotlib()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2))
    probs = stability_result.probabilities
    stable = set(stability_result.stable)
    by_group = getattr(stability_result, "group_probabilities", None)
    if by_group is not None:  # the group lasso: one line per group
        probs, stable = by_group, set(stability_result.stable_groups)
    log_lam = np.log(np.asarray(probs.index, dtype=float))
    cmap = plt.get_cmap("tab10")
    k = 0
    for name in probs.columns:
        values = probs[name].to_numpy()
        if name in stable:
            ax.plot(
                log_lam, values, color=cmap(k % 10), linewidth=1.8, label=plain_text(name)
            )
            k += 1
        else:
            ax.plot(log_lam, values, color="#b0b4ba", linewidth=0.8)
    ax.axhline(stability_result.cutoff, color="#333333", linestyle="--", linewidth=1)
    ax.axvspan(
        np.log(stability_result.region_end), log_lam.max(), color="#e8f0f8", zorder=0
    )
    ax.set_xlim(log_lam.max(), log_lam.min())
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("log(lambda)")
    ax.set_ylabel("selection probability")
    ax.set_title(
        f"Stability path (cutoff {stability_result.cutoff:.2f}, "
        f"E(false selections) <= {stability_result.pfer:.2g})"
    )
    if label_stable and stable:
        # outside the axes: inside, it would cover the probabilities at 1
        ax.legend(
            loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False
        )
    return ax
