"""What lambda selection returns: :class:`CVResult`, :class:`Selection` and
:class:`L1RatioSearch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from penstat._validation import CRITERIA
from penstat.plots.selection import plot_cv, plot_lambda_choice

__all__ = ["CVResult", "L1RatioSearch", "Selection"]


@dataclass(frozen=True, eq=False)
class CVResult:
    """Cross-validation curve of one path, as ``cv.glmnet`` reports it.

    Attributes
    ----------
    lambdas : array (nlam,)
    cvm, cvsd : arrays (nlam,)
        Mean CV measure and its standard error.
    cvup, cvlo : arrays (nlam,)
        ``cvm + cvsd`` and ``cvm - cvsd``.
    df : array (nlam,)
        Nonzero coefficients of the full-data fit.
    fold_values : array (K, nlam)
        Measure of each held-out fold (weighted mean within the fold; AUC of the fold).
    fold_weights : array (K,)
        Total observation weight of each fold.
    n_folds : array (nlam,)
        Folds contributing at each lambda.
    foldid : array (n,)
        Fold label ``0 .. K-1`` of each observation.
    measure : str
    grouped : bool
        False when the measure was averaged over observations (fewer than three per fold).
    lam_min, lam_1se : float
    index_min, index_1se : int
        Positions of ``lam_min`` and ``lam_1se`` in ``lambdas``.

    Examples
    --------
    Returned by :func:`penstat.selection.cross_validate`:

    >>> from penstat.selection import cross_validate
    >>> from penstat.solver import fit_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5))
    >>> y = X[:, 0] + rng.standard_normal(60)
    >>> cv = cross_validate(fit_path(X, y, nlambda=20), X, y, nfolds=5, seed=1)
    >>> cv.nfolds, cv.lam_1se >= cv.lam_min
    (5, True)
    >>> cv.to_frame().columns.tolist()
    ['lam', 'df', 'cv_mean', 'cv_se', 'cv_lo', 'cv_up', 'n_folds']
    """

    lambdas: np.ndarray
    cvm: np.ndarray
    cvsd: np.ndarray
    cvup: np.ndarray
    cvlo: np.ndarray
    df: np.ndarray
    fold_values: np.ndarray
    fold_weights: np.ndarray
    n_folds: np.ndarray
    foldid: np.ndarray
    measure: str
    grouped: bool
    lam_min: float
    lam_1se: float
    index_min: int
    index_1se: int

    @property
    def nfolds(self) -> int:
        """Number of folds."""
        return int(self.fold_values.shape[0])

    def to_frame(self) -> pd.DataFrame:
        """One row per lambda: lam, df, cv_mean, cv_se, cv_lo, cv_up, n_folds."""
        return pd.DataFrame(
            {
                "lam": self.lambdas,
                "df": self.df,
                "cv_mean": self.cvm,
                "cv_se": self.cvsd,
                "cv_lo": self.cvlo,
                "cv_up": self.cvup,
                "n_folds": self.n_folds,
            }
        )

    def plot(self, ax=None):
        """The CV curve with error bars; see :func:`penstat.plots.selection.plot_cv`."""
        return plot_cv(self, ax=ax)

    def __repr__(self) -> str:
        return (
            f"CVResult: {self.nfolds}-fold CV, {self.measure}, {self.lambdas.size} "
            f"lambdas\n{_cv_choices(self)}\n"
            + _head(self.to_frame()[["lam", "df", "cv_mean", "cv_se", "n_folds"]])
        )


@dataclass(frozen=True, eq=False)
class Selection:
    """The chosen lambda and the table behind the choice.

    Attributes
    ----------
    rule : str
        ``"cv_1se"``, ``"cv_min"``, ``"aic"``, ``"bic"``, ``"ebic"`` or ``"fixed"``.
    lam : float
        The chosen lambda.
    index : int
        Its position in ``path.lambdas`` (for ``"fixed"``, the nearest grid point).
    table : pandas.DataFrame
        Per lambda: ``lam``, ``df`` and either ``cv_mean``, ``cv_se``, ``cv_lo``,
        ``cv_up``, ``n_folds`` (CV rules) or ``edf``, ``loglik``, ``aic``, ``bic``,
        ``ebic`` (criteria).
    lam_min, lam_1se : float or None
        The CV minimum and 1-SE lambdas (CV rules only).
    cv : CVResult or None
    measure : str or None
        CV measure, or the criterion name.
    gamma : float or None
        EBIC parameter used (criteria rules).
    family : str or None
        Response family (criteria rules; the gaussian variance is profiled out).

    Examples
    --------
    Returned by :func:`penstat.selection.select_lambda`:

    >>> from penstat.selection import select_lambda
    >>> from penstat.solver import fit_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5))
    >>> y = X[:, 0] + rng.standard_normal(60)
    >>> sel = select_lambda(fit_path(X, y, nlambda=20), X, y, rule="bic")
    >>> sel.rule, bool(sel.lam == sel.table["lam"].iloc[sel.index])
    ('bic', True)
    >>> sel.describe()
    'BIC 173.4 (lambda 0.1412, edf 2; variance RSS/n profiled out)'
    """

    rule: str
    lam: float
    index: int
    table: pd.DataFrame
    lam_min: float | None = None
    lam_1se: float | None = None
    cv: CVResult | None = None
    measure: str | None = None
    gamma: float | None = None
    family: str | None = None

    def describe(self) -> str:
        """One line for summaries, e.g. ``10-fold CV, 1-SE rule, mse 2931 +- 210``."""
        row = self.table.iloc[self.index]
        if self.cv is not None:
            rule = "1-SE rule" if self.rule == "cv_1se" else "minimum"
            other = self.lam_min if self.rule == "cv_1se" else self.lam_1se
            other_name = "lambda.min" if self.rule == "cv_1se" else "lambda.1se"
            return (
                f"{self.cv.nfolds}-fold CV, {rule}, {self.measure} "
                f"{_fmt(row['cv_mean'])} +- {_fmt(row['cv_se'])} "
                f"(lambda {_fmt(self.lam)}; {other_name} {_fmt(other)})"
            )
        if self.rule in CRITERIA:
            extra = f", gamma {self.gamma:g}" if self.rule == "ebic" else ""
            if self.family == "gaussian":
                extra += "; variance RSS/n profiled out"
            return (
                f"{self.rule.upper()} {_fmt(row[self.rule])} (lambda {_fmt(self.lam)}, "
                f"edf {row['edf']:.3g}{extra})"
            )
        return f"fixed lambda {_fmt(self.lam)}"

    def plot(self, ax=None):
        """The CV curve (CV rules) or the criteria curves."""
        return plot_lambda_choice(self, ax=ax)

    def __repr__(self) -> str:
        text = f"Selection: rule {self.rule}, lambda {_fmt(self.lam)} (index {self.index})"
        if self.measure is not None:
            text += f", measure {self.measure}"
        if self.cv is not None:
            text += f"\n{_cv_choices(self.cv)}"
            table = self.table[["lam", "df", "cv_mean", "cv_se", "n_folds"]]
        else:
            table = self.table
        return f"{text}\n{_head(table)}"


class L1RatioSearch(NamedTuple):
    """Result of :func:`select_l1_ratio`: the chosen mix, its path and selection.

    A named tuple ``(l1_ratio, path, selection, table)``; ``table`` has one row per
    mix searched.

    Examples
    --------
    >>> from penstat.selection import select_l1_ratio
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5))
    >>> y = X[:, 0] + rng.standard_normal(60)
    >>> search = select_l1_ratio(X, y, [0.5, 1.0], rule="bic")
    >>> search.l1_ratio, search.selection.rule, search.table["chosen"].tolist()
    (1.0, 'bic', [False, True])
    """

    l1_ratio: float
    path: Any
    selection: Selection
    table: pd.DataFrame


def _cv_choices(cv: CVResult) -> str:
    lam_min, lam_1se = _fmt(cv.lam_min), _fmt(cv.lam_1se)
    return (
        f"lambda.min {lam_min} (index {cv.index_min}, {cv.measure} "
        f"{_fmt(cv.cvm[cv.index_min])}), lambda.1se {lam_1se} (index {cv.index_1se}, "
        f"{cv.measure} {_fmt(cv.cvm[cv.index_1se])})"
    )


def _head(table: pd.DataFrame, rows: int = 5) -> str:
    """The first ``rows`` rows of ``table`` as text, and how many more there are."""
    text = table.head(rows).to_string(float_format=lambda v: _fmt(v))
    more = len(table) - rows
    return text + (f"\n... {more} more rows" if more > 0 else "")


def _fmt(x) -> str:
    if x is None or not np.isfinite(x):
        return "nan"
    text = f"{x:.4g}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text
