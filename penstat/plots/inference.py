"""Forest plot of the estimates and confidence intervals of inference after selection.

The plot reads a table (a DataFrame indexed by column name with ``estimate``,
``ci_lower`` and ``ci_upper``), not the result class, so that the inference stage's
:meth:`~penstat.inference.InferenceResult.plot` and the report can both call it.

>>> import pandas as pd
>>> from penstat.plots.inference import plot_intervals
>>> table = pd.DataFrame({"estimate": [1.0, -0.5], "ci_lower": [0.2, -1.5],
...                       "ci_upper": [1.8, 0.5]}, index=["x1", "x2"])
>>> ax = plot_intervals(table, method="naive", level=0.9)
>>> ax.get_title()
'naive: 90% intervals'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError
from penstat.plots import plain_text, require_matplotlib

__all__ = ["plot_intervals"]

_NEEDED = ("estimate", "ci_lower", "ci_upper")


def plot_intervals(
    table: pd.DataFrame,
    ax=None,
    method: str | None = None,
    level: float | None = None,
    scale: pd.Series | None = None,
    max_columns: int = 40,
):
    """Forest plot: each column's estimate (dot) and confidence interval (line).

    The columns are drawn top to bottom in the table's order; an interval with an
    open side (a one-sided interval, or one that does not exist) runs to the edge
    of the axes and ends in an arrow. A dashed line marks zero. An interval that
    does not cross it is drawn in colour, one that does in grey.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by column name, with ``estimate``, ``ci_lower`` and ``ci_upper``
        (NaN or infinite where undefined), as
        :attr:`penstat.inference.InferenceResult.table`.
    ax : matplotlib.axes.Axes, optional
    method : str, optional
        The method's name, for the title.
    level : float, optional
        The intervals' coverage, for the title.
    scale : pandas.Series, optional
        Multiply each column's numbers by this (e.g. the column's standard
        deviation, to compare standardized effects); the axis label says so.
    max_columns : int
        Draw at most this many columns (the first of the table).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> table = pd.DataFrame({"estimate": [2.0, 0.1], "ci_lower": [1.0, -np.inf],
    ...                       "ci_upper": [3.0, 0.4]}, index=["a$b$", "x"])
    >>> ax = plot_intervals(table)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['a\\\\$b\\\\$', 'x']
    """
    plt = require_matplotlib()
    missing = [c for c in _NEEDED if c not in table.columns]
    if missing:
        raise ArgumentError(
            f"the table to plot lacks the columns {missing}; it needs {list(_NEEDED)}"
        )
    shown = table.iloc[:max_columns]
    names = [str(i) for i in shown.index]
    factor = np.ones(len(shown))
    if scale is not None:
        factor = np.asarray(pd.Series(scale).reindex(shown.index), dtype=float)
    est = shown["estimate"].to_numpy(dtype=float) * factor
    lower = shown["ci_lower"].to_numpy(dtype=float) * factor
    upper = shown["ci_upper"].to_numpy(dtype=float) * factor
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, max(2.2, 0.32 * len(shown) + 1.2)))
    rows = np.arange(len(shown))[::-1]  # the first column at the top
    finite = np.concatenate([v[np.isfinite(v)] for v in (est, lower, upper)] + [[0.0]])
    lo, hi = float(finite.min()), float(finite.max())
    pad = 0.08 * (hi - lo) if hi > lo else 1.0
    left, right = lo - pad, hi + pad
    crosses = ~((lower > 0) | (upper < 0))
    for y, e, a, b, grey in zip(rows, est, lower, upper, crosses, strict=True):
        color = "#8a9099" if grey else "#1f6fb2"
        if not (np.isnan(a) and np.isnan(b)):
            start = a if np.isfinite(a) else left
            end = b if np.isfinite(b) else right
            ax.hlines(y, start, end, color=color, linewidth=2.0, zorder=2)
            if not np.isfinite(a):
                ax.plot([left], [y], marker="<", color=color, markersize=6, zorder=3)
            if not np.isfinite(b):
                ax.plot([right], [y], marker=">", color=color, markersize=6, zorder=3)
        if np.isfinite(e):
            ax.plot([e], [y], marker="o", color=color, markersize=5.5, zorder=4)
    ax.axvline(0.0, color="#555555", linestyle="--", linewidth=1, zorder=1)
    ax.set_yticks(rows)
    ax.set_yticklabels([plain_text(n) for n in names])
    ax.set_xlim(left, right)
    ax.set_ylim(-0.7, len(shown) - 0.3)
    ax.set_xlabel(
        "coefficient" if scale is None else "standardized coefficient (x column sd)"
    )
    title = plain_text(method) if method is not None else "estimates"
    if level is not None:
        title += f": {100 * level:.3g}% intervals"
    if len(table) > len(shown):
        title += f" (first {len(shown)} of {len(table)} columns)"
    ax.set_title(title)
    return ax
