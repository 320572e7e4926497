"""Coefficient paths of a regularization path.

>>> import penstat as ps
>>> from penstat.plots.path import plot_path
>>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0)
>>> ax = plot_path(fit.path, lam=fit.lam)
>>> len(ax.get_lines()) >= 3
True
"""

from __future__ import annotations

import numpy as np

from penstat._errors import ArgumentError
from penstat.plots import require_matplotlib
from penstat.plots._protocols import PathLike

__all__ = ["plot_path"]

_XVARS = ("log_lambda", "l1_norm", "dev_ratio")


def plot_path(
    path: PathLike,
    ax=None,
    lam: float | None = None,
    columns: list[str] | None = None,
    label: bool = True,
    xvar: str = "log_lambda",
):
    """Plot each coefficient (original scale) along the path.

    Parameters
    ----------
    path : PathLike
        A :class:`penstat.Path` (what is read: :class:`~penstat.plots._protocols.PathLike`).
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted.
    lam : float, optional
        A chosen lambda, marked with a vertical dashed line (``xvar="log_lambda"``
        only); the columns nonzero there are labelled at the right edge.
    columns : list of str, optional
        Only these design columns (default: all).
    label : bool
        Label the selected columns (nonzero at ``lam``, or at the smallest lambda).
    xvar : {"log_lambda", "l1_norm", "dev_ratio"}
        The horizontal axis. For ``"log_lambda"`` the axis runs from the largest
        lambda on the left to the smallest on the right, as coefficients grow.
        The number of nonzero coefficients is shown along the top.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
    >>> ax = plot_path(fit.path, lam=fit.lam, xvar="dev_ratio")
    >>> ax.get_xlabel()
    'fraction of deviance explained'
    """
    plt = require_matplotlib()
    if xvar not in _XVARS:
        raise ArgumentError(f"xvar={xvar!r}; use one of: {', '.join(_XVARS)}")
    coefs = np.asarray(path.coefs, dtype=float)
    lambdas = np.asarray(path.lambdas, dtype=float)
    names = list(path.column_names or [f"x{j}" for j in range(coefs.shape[1])])
    if columns is not None:
        unknown = [c for c in columns if c not in names]
        if unknown:
            raise ArgumentError(f"columns {unknown} are not in the path; columns: {names}")
        keep = [names.index(c) for c in columns]
    else:
        keep = list(range(len(names)))
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))

    if xvar == "log_lambda":
        x = np.log(np.maximum(lambdas, np.finfo(float).tiny))
        xlabel = "log(lambda)"
    elif xvar == "l1_norm":
        x = np.abs(coefs).sum(axis=1)
        xlabel = "L1 norm of the coefficients"
    else:
        x = np.asarray(path.dev_ratio, dtype=float)
        xlabel = "fraction of deviance explained"

    lines = {j: ax.plot(x, coefs[:, j], lw=1.2)[0] for j in keep}
    ax.axhline(0.0, color="0.6", lw=0.6)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("coefficient")
    if xvar == "log_lambda":
        ax.invert_xaxis()
        if lam is not None and lam > 0:
            ax.axvline(np.log(lam), color="k", ls="--", lw=1.0)

    # columns selected at the chosen lambda, labelled at the right edge
    if label and keep:
        at = _nearest(lambdas, lam) if lam is not None else len(lambdas) - 1
        right = int(np.argmax(x)) if xvar != "log_lambda" else len(lambdas) - 1
        chosen = [j for j in keep if coefs[at, j] != 0]
        low, high = ax.get_ylim()
        heights = _spread([coefs[right, j] for j in chosen], 0.04 * (high - low))
        edge = ax.get_xlim()[1]
        for j, height in zip(chosen, heights, strict=True):
            ax.annotate(
                names[j],
                xy=(edge, height),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color=lines[j].get_color(),
                annotation_clip=False,
            )

    # number of nonzero coefficients along the top
    top = ax.twiny()
    top.set_xlim(ax.get_xlim())
    nonzero = np.count_nonzero(coefs, axis=1)
    ticks = np.unique(np.linspace(0, len(x) - 1, num=min(6, len(x))).round().astype(int))
    top.set_xticks(x[ticks])
    top.set_xticklabels([str(nonzero[k]) for k in ticks])
    top.set_xlabel("nonzero coefficients", fontsize=9)
    return ax


def _nearest(lambdas: np.ndarray, lam: float) -> int:
    logs = np.log(np.maximum(lambdas, np.finfo(float).tiny))
    return int(np.argmin(np.abs(logs - np.log(max(lam, np.finfo(float).tiny)))))


def _spread(values: list[float], gap: float) -> list[float]:
    """Label heights near ``values`` with at least ``gap`` between neighbours."""
    order = np.argsort(values)
    placed = np.asarray(values, dtype=float)[order]
    for k in range(1, placed.size):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    out = np.empty_like(placed)
    out[order] = placed
    return out.tolist()
