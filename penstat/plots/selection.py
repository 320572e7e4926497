"""Plots of lambda selection: the CV curve and the information-criteria curves.

>>> import penstat as ps
>>> from penstat.plots.selection import plot_criteria, plot_cv
>>> df = ps.datasets.load("diabetes")
>>> ax = plot_cv(ps.lasso("y ~ .", df, seed=0, nfolds=5).cv)
>>> ax = plot_criteria(ps.lasso("y ~ .", df, select="bic").selection)
"""

from __future__ import annotations

import numpy as np

from penstat._errors import ArgumentError
from penstat.plots import require_matplotlib
from penstat.plots._protocols import CriteriaLike, CVLike

_MEASURE_LABELS = {
    "mse": "Mean squared error",
    "mae": "Mean absolute error",
    "deviance": "Binomial deviance",
    "class": "Misclassification error",
    "auc": "AUC",
}
_N_TOP_TICKS = 8


__all__ = ["plot_criteria", "plot_cv", "plot_lambda_choice"]


def plot_cv(cv: CVLike, ax=None):
    """The CV curve as ``plot.cv.glmnet`` draws it, mirrored.

    Mean CV error against lambda (log scale) with one-standard-error bars, dashed
    vertical lines at ``lam_min`` and ``lam_1se``, and the number of nonzero
    coefficients along the top axis. As in every penstat plot, the largest lambda
    is on the left and the model grows to the right (glmnet draws lambda increasing
    to the right); the legend sits outside the axes, on the right.

    Parameters
    ----------
    cv : CVLike
        From :func:`penstat.selection.select_lambda` (``selection.cv``).
    ax : matplotlib Axes, optional
        Drawn into a new figure when omitted.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), seed=0, nfolds=5)
    >>> plot_cv(fit.cv).get_ylabel()
    'Mean squared error'
    """
    plt = require_matplotlib()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.4))
    lambdas = np.asarray(cv.lambdas, dtype=float)
    cvm = np.asarray(cv.cvm, dtype=float)
    ax.errorbar(
        lambdas,
        cvm,
        yerr=np.vstack([cvm - np.asarray(cv.cvlo), np.asarray(cv.cvup) - cvm]),
        fmt="o",
        color="tab:red",
        ecolor="0.6",
        markersize=3.5,
        capsize=2,
        linewidth=0.8,
    )
    ax.set_xscale("log")
    ax.axvline(cv.lam_min, color="0.3", linestyle="--", linewidth=1, label="lambda min")
    ax.axvline(cv.lam_1se, color="0.3", linestyle=":", linewidth=1.2, label="lambda 1se")
    ax.set_xlabel("lambda")
    ax.set_ylabel(_MEASURE_LABELS.get(cv.measure, cv.measure))
    _lambda_axis_and_legend(ax)
    _df_top_axis(ax, lambdas, np.asarray(cv.df))
    return ax


def plot_criteria(selection: CriteriaLike, ax=None, criteria=("aic", "bic", "ebic")):
    """AIC, BIC and EBIC along the path, each minimum marked, the chosen lambda dashed.

    The largest lambda is on the left, as in :func:`plot_cv`; the legend sits
    outside the axes, on the right.

    Parameters
    ----------
    selection : CriteriaLike
        A selection by ``"aic"``, ``"bic"`` or ``"ebic"`` (its table holds the criteria).
    ax : matplotlib Axes, optional
    criteria : sequence of str
        Which curves to draw.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), select="bic")
    >>> len(plot_criteria(fit.selection).get_lines()) >= 3
    True
    """
    table = selection.table
    missing = [c for c in criteria if c not in table.columns]
    if missing:
        raise ArgumentError(
            "plot_criteria needs a selection made with select='aic', 'bic' or 'ebic' "
            f"(the table has no {', '.join(missing)}); for CV use plot_cv"
        )
    plt = require_matplotlib()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.4))
    lambdas = table["lam"].to_numpy(dtype=float)
    for name in criteria:
        values = table[name].to_numpy(dtype=float)
        (line,) = ax.plot(lambdas, values, label=name.upper(), linewidth=1.4)
        if np.isfinite(values).any():
            best = np.nanargmin(values)
            ax.plot(lambdas[best], values[best], "o", color=line.get_color(), markersize=5)
    ax.set_xscale("log")
    ax.axvline(selection.lam, color="0.3", linestyle="--", linewidth=1)
    ax.set_xlabel("lambda")
    ax.set_ylabel("criterion")
    _lambda_axis_and_legend(ax)
    _df_top_axis(ax, lambdas, table["df"].to_numpy())
    return ax


def plot_lambda_choice(selection: CriteriaLike, ax=None):
    """How lambda was chosen: the CV curve of a CV rule (:func:`plot_cv`), else the
    information criteria along the path (:func:`plot_criteria`).

    Parameters
    ----------
    selection : CriteriaLike
        A :class:`~penstat.selection.Selection` (``fit.selection``).
    ax : matplotlib Axes, optional

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.fit("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), select="bic")
    >>> plot_lambda_choice(fit.selection).get_ylabel()
    'criterion'
    """
    if selection.cv is not None:
        return plot_cv(selection.cv, ax=ax)
    return plot_criteria(selection, ax=ax)


def _lambda_axis_and_legend(ax) -> None:
    """Largest lambda on the left, as in every plot of penstat (the model grows to
    the right); the legend outside the axes, on the right, so it covers no data."""
    low, high = sorted(ax.get_xlim())
    ax.set_xlim(high, low)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)


def _df_top_axis(ax, lambdas: np.ndarray, df: np.ndarray) -> None:
    """Number of nonzero coefficients at a few lambdas along the top of ``ax``."""
    keep = lambdas > 0
    lambdas, df = lambdas[keep], df[keep]
    if lambdas.size == 0:
        return
    top = ax.twiny()
    top.set_xscale("log")
    top.set_xlim(ax.get_xlim())
    picks = np.unique(
        np.linspace(0, lambdas.size - 1, min(_N_TOP_TICKS, lambdas.size)).round()
    )
    picks = picks.astype(int)
    top.set_xticks(lambdas[picks])
    top.set_xticklabels([str(int(d)) for d in df[picks]], fontsize="small")
    top.minorticks_off()
    top.set_xlabel("nonzero coefficients", fontsize="small")
