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
from penstat.plots import plain_text, require_matplotlib
from penstat.plots._protocols import PathLike

__all__ = ["plot_group_path", "plot_path"]

_XVARS = ("log_lambda", "l1_norm", "dev_ratio")
_LABEL_SIZE = 8


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
        only); the columns nonzero there are labelled first.
    columns : list of str, optional
        Only these design columns (default: all).
    label : bool
        Name the lines at the right edge, each label joined to its line's end by a
        thin line: the columns nonzero at ``lam`` (or at the smallest lambda), then
        the others nonzero at the right end, largest first, as many as fit.
    xvar : {"log_lambda", "l1_norm", "dev_ratio"}
        The horizontal axis. For ``"log_lambda"`` the axis runs from the largest
        lambda on the left to the smallest on the right, as coefficients grow (in
        every penstat plot; glmnet draws the mirror image).
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

    if label and keep:
        at = _nearest(lambdas, lam) if lam is not None else len(lambdas) - 1
        right = int(np.argmax(x)) if xvar != "log_lambda" else len(lambdas) - 1
        _label_lines(ax, names, lines, coefs, at, right, x[right])

    # number of nonzero coefficients along the top
    top = ax.twiny()
    top.set_xlim(ax.get_xlim())
    nonzero = np.count_nonzero(coefs, axis=1)
    ticks = np.unique(np.linspace(0, len(x) - 1, num=min(6, len(x))).round().astype(int))
    top.set_xticks(x[ticks])
    top.set_xticklabels([str(nonzero[k]) for k in ticks])
    top.set_xlabel("nonzero coefficients", fontsize=9)
    return ax


def plot_group_path(
    norms,
    ax=None,
    lam: float | None = None,
    label: bool = True,
    scale: str = "standardized",
):
    """Plot the group norms of a group lasso path, one line per group.

    Each line is a penalty group's norm ``||b_g||_2`` against log lambda (largest
    lambda on the left), labelled by the group's name (its formula term).

    Parameters
    ----------
    norms : pandas.DataFrame
        Rows indexed by lambda (decreasing), one column per group, as
        :meth:`penstat.PenalizedFit.group_norm_path` returns.
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted.
    lam : float, optional
        The chosen lambda, marked with a vertical dashed line; the groups nonzero
        there are labelled first.
    label : bool
        Name the lines at the right edge (as :func:`plot_path`).
    scale : {"standardized", "original"}
        The scale of the norms, stated on the vertical axis.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.group_lasso("y ~ bmi + bp + poly(age, 3)", ps.datasets.load("diabetes"),
    ...                      lam=1.0)
    >>> ax = plot_group_path(fit.group_norm_path(), lam=fit.lam)
    >>> len(ax.get_lines())  # three groups, the zero line and the chosen lambda
    5
    """
    plt = require_matplotlib()
    if scale not in ("standardized", "original"):
        raise ArgumentError(f"scale={scale!r}; use 'standardized' or 'original'")
    values = np.asarray(norms, dtype=float)
    if values.ndim != 2 or values.shape[0] < 1:
        raise ArgumentError("norms must be a table of lambdas (rows) by groups (columns)")
    lambdas = np.asarray(norms.index, dtype=float)
    names = [str(c) for c in norms.columns]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    x = np.log(np.maximum(lambdas, np.finfo(float).tiny))
    lines = {g: ax.plot(x, values[:, g], lw=1.4)[0] for g in range(len(names))}
    ax.axhline(0.0, color="0.6", lw=0.6)
    ax.set_xlabel("log(lambda)")
    ax.set_ylabel(f"group norm ||b_g|| ({scale} scale)")
    ax.invert_xaxis()
    if lam is not None and lam > 0:
        ax.axvline(np.log(lam), color="k", ls="--", lw=1.0)
    if label and names:
        at = _nearest(lambdas, lam) if lam is not None else len(lambdas) - 1
        _label_lines(ax, names, lines, values, at, len(lambdas) - 1, x[-1])
    top = ax.twiny()
    top.set_xlim(ax.get_xlim())
    nonzero = np.count_nonzero(values, axis=1)
    ticks = np.unique(np.linspace(0, len(x) - 1, num=min(6, len(x))).round().astype(int))
    top.set_xticks(x[ticks])
    top.set_xticklabels([str(nonzero[k]) for k in ticks])
    top.set_xlabel("nonzero groups", fontsize=9)
    return ax


def _label_lines(ax, names, lines, coefs, at: int, right: int, x_end: float) -> None:
    """Name the lines at the right edge, each label joined to its line's end.

    The columns nonzero at ``at`` (the chosen lambda) come first, then the others
    nonzero at the right end, largest first, as many as fit the axes' height.
    """
    fig = ax.figure
    height_pt = ax.get_position().height * fig.get_figheight() * 72
    room = max(1, int(height_pt / (_LABEL_SIZE * 1.3)))
    ends = {j: coefs[right, j] for j in lines if coefs[right, j] != 0}
    first = sorted((j for j in ends if coefs[at, j] != 0), key=lambda j: -abs(ends[j]))
    rest = sorted((j for j in ends if coefs[at, j] == 0), key=lambda j: -abs(ends[j]))
    chosen = (first + rest)[:room]
    if not chosen:
        return
    low, high = ax.get_ylim()
    gap = (high - low) * _LABEL_SIZE * 1.3 / height_pt
    heights = _spread([ends[j] for j in chosen], gap, low, high)
    for j, height in zip(chosen, heights, strict=True):
        color = lines[j].get_color()
        ax.annotate(
            plain_text(names[j]),
            xy=(x_end, ends[j]),
            xytext=(1.04, height),
            textcoords=("axes fraction", "data"),
            va="center",
            fontsize=_LABEL_SIZE,
            color=color,
            annotation_clip=False,
            arrowprops={
                "arrowstyle": "-",
                "color": color,
                "lw": 0.6,
                "shrinkA": 1,
                "shrinkB": 0,
            },
        )
    ax.set_ylim(low, high)


def _nearest(lambdas: np.ndarray, lam: float) -> int:
    logs = np.log(np.maximum(lambdas, np.finfo(float).tiny))
    return int(np.argmin(np.abs(logs - np.log(max(lam, np.finfo(float).tiny)))))


def _spread(values: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label heights as near ``values`` as they can be, at least ``gap`` apart and
    inside ``[low, high]`` (``gap`` shrinks when they cannot all fit).

    Neighbours closer than ``gap`` form a block centred on their values (the least
    squares placement), merged until no blocks overlap; then the blocks are moved
    inside the limits.
    """
    order = np.argsort(values, kind="stable")
    target = np.asarray(values, dtype=float)[order]
    n = target.size
    gap = min(gap, (high - low) / max(n, 1))
    blocks: list[list[float]] = []  # [sum of (target - rank in block * gap), size]
    for value in target:
        blocks.append([value, 1])
        while len(blocks) > 1:
            (s0, n0), (s1, n1) = blocks[-2], blocks[-1]
            if s0 / n0 + n0 * gap <= s1 / n1:
                break
            blocks[-2:] = [[s0 + s1 - n1 * n0 * gap, n0 + n1]]
    placed = np.concatenate([s / k + gap * np.arange(k) for s, k in blocks])
    half = gap / 2
    for k in range(n - 1, -1, -1):  # below the top limit
        placed[k] = min(placed[k], high - half - (n - 1 - k) * gap)
    for k in range(n):  # above the bottom limit
        placed[k] = max(placed[k], low + half + k * gap)
    out = np.empty(n)
    out[order] = placed
    return out.tolist()
