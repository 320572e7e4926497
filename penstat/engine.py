"""The one fit engine: a path and its lambda rule, run from a :class:`~penstat.spec.FitSpec`
and a :class:`~penstat.spec.SelectSpec` on checked arrays.

Every fit runs through :func:`run`: the formula API, the scikit-learn estimators, and
the resampling replicates (through :func:`run_rows`). The three ways lambda is
settled are

* a fixed ``lam``: the path is fitted down to it with ``lam`` on the grid, so the
  solution at ``lam`` is exact (:func:`penstat.solver.fixed_lam.lam_path`);
* a list of ``l1_ratio``: every mix gets its own path and the rule chooses mix and
  lambda together on shared folds (:func:`penstat.selection.l1_ratio.search_l1_ratio`);
* a rule (CV or a criterion) on one path, or none (the smallest lambda).

>>> import numpy as np
>>> from penstat.engine import run
>>> from penstat.spec import FitSpec, SelectSpec
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((60, 4))
>>> y = X[:, 0] + rng.standard_normal(60)
>>> out = run(X, y, FitSpec(), SelectSpec(rule="bic"))
>>> out.selection.rule, bool(out.lam == out.path.lambdas[out.index])
('bic', True)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from penstat.selection.l1_ratio import search_l1_ratio
from penstat.selection.result import Selection
from penstat.selection.rules import choose
from penstat.solver import Path, solve
from penstat.solver.fixed_lam import lam_path
from penstat.spec import FitSpec, SelectSpec

__all__ = ["EngineFit", "RowPaths", "RowRefit", "path_rows", "run", "run_rows"]


@dataclass(frozen=True, eq=False)
class EngineFit:
    """What :func:`run` returns.

    Attributes
    ----------
    path : Path
        The fitted path (of the chosen mix).
    index : int
        Position of the chosen lambda in ``path.lambdas``.
    selection : Selection or None
        The rule's choice and the table behind it (None for a fixed lambda or no
        rule).
    l1_ratio : float
        The mix of ``path``.
    l1_ratio_table : pandas.DataFrame or None
        One row per mix searched.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 4))
    >>> y = X[:, 0] + rng.standard_normal(60)
    >>> out = run(X, y, FitSpec(), SelectSpec(rule="bic"))
    >>> out.index, round(out.lam, 4), np.flatnonzero(out.coef).tolist()
    (20, 0.138, [0])
    >>> out = run(X, y, FitSpec(), SelectSpec(rule="bic", l1_ratios=(0.5, 1.0)))
    >>> out.l1_ratio, out.l1_ratio_table["chosen"].tolist()
    (1.0, [False, True])
    """

    path: Path
    index: int
    selection: Selection | None = None
    l1_ratio: float = 1.0
    l1_ratio_table: pd.DataFrame | None = None

    @property
    def lam(self) -> float:
        """The chosen lambda."""
        return float(self.path.lambdas[self.index])

    @property
    def coef(self) -> np.ndarray:
        """(p,) coefficients at the chosen lambda (no intercept)."""
        return np.asarray(self.path.coefs[self.index], dtype=float)


def run(
    X: np.ndarray,
    y: np.ndarray,
    spec: FitSpec,
    select: SelectSpec,
    full_grid: bool = True,
    rows: np.ndarray | None = None,
) -> EngineFit:
    """Fit the path of ``spec`` and settle lambda as ``select`` says.

    ``X`` and ``y`` are checked arrays (:func:`penstat.solver.fit.checked`); ``spec``
    and ``select`` are built for these rows. For a fixed lambda, ``full_grid`` fits
    the whole path with ``lam`` inserted (the formula API: the path shows both sides
    of ``lam``); otherwise the grid (``spec.lambdas`` or glmnet's) is cut at ``lam``
    and ends on it (the estimators, and resampling at the fit's lambda). ``rows``:
    run on the rows ``X[rows]`` (``y``, ``spec`` and ``select`` are theirs) without
    copying them (each fit gathers its one standardized copy from ``X``).

    Examples
    --------
    >>> X = np.random.default_rng(1).standard_normal((30, 3))
    >>> y = X[:, 2] - 1.0
    >>> run(X, y, FitSpec(), SelectSpec(rule=None, lam=0.05)).lam
    0.05
    """
    if select.l1_ratios is not None:
        found = search_l1_ratio(X, y, spec, select, select.l1_ratios, rows=rows)
        return EngineFit(
            found.path,
            int(found.selection.index),
            found.selection,
            found.l1_ratio,
            found.table,
        )
    if select.lam is not None:
        path, index = lam_path(X, y, select.lam, spec, full_grid=full_grid, rows=rows)
        return EngineFit(path, index, None, spec.l1_ratio)
    path = solve(X, y, spec, rows=rows)
    if select.rule is None:
        return EngineFit(path, len(path.lambdas) - 1, None, spec.l1_ratio)
    selection = choose(path, X, y, select, rows=rows)
    return EngineFit(path, int(selection.index), selection, spec.l1_ratio)


def run_rows(
    X: np.ndarray,
    y: np.ndarray,
    spec: FitSpec,
    select: SelectSpec,
    rows: np.ndarray,
    fixed: tuple[float, float, np.ndarray] | None = None,
    seed=None,
) -> EngineFit:
    """:func:`run` on the rows ``rows`` of ``X`` (repeats allowed: a bootstrap draw).

    The rows' weights, offset and fold labels come with them. ``fixed``, a tuple
    ``(lam, l1_ratio, grid)``, fits at that lambda and mix on ``grid`` cut at ``lam``
    (resampling at the fit's own lambda); otherwise the rule is re-applied inside
    the replicate, its folds drawn from ``seed``, on one job and without progress.
    The rows are not copied: every fit gathers its one standardized copy from ``X``.

    Examples
    --------
    >>> X = np.random.default_rng(2).standard_normal((40, 3))
    >>> y = X[:, 0] + 0.1
    >>> out = run_rows(X, y, FitSpec(), SelectSpec(rule="bic"), np.arange(20))
    >>> out.path.spec.weights is None
    True
    """
    rows = np.asarray(rows, dtype=np.intp)
    spec_r = spec.take(rows)
    foldid = None if select.foldid is None else select.foldid[rows]
    if fixed is not None:
        lam, l1_ratio, grid = fixed
        spec_r = spec_r.with_l1_ratio(l1_ratio).with_grid(np.asarray(grid, dtype=float))
        fixed_select = SelectSpec(rule=None, lam=lam)
        return run(X, y[rows], spec_r, fixed_select, full_grid=False, rows=rows)
    select_r = dataclasses.replace(
        select, foldid=foldid, seed=seed, n_jobs=1, progress=False
    )
    return run(X, y[rows], spec_r, select_r, rows=rows)


def path_rows(
    X: np.ndarray, y: np.ndarray, spec: FitSpec, rows: np.ndarray, lambdas: np.ndarray
) -> Path:
    """The path of ``spec`` on the rows ``rows`` of ``X`` at the grid ``lambdas``
    (strictly decreasing, checked by the caller).

    Examples
    --------
    >>> X = np.random.default_rng(3).standard_normal((40, 3))
    >>> path_rows(X, X[:, 0], FitSpec(), np.arange(20), np.array([0.5, 0.1])).df.tolist()
    [1, 1]
    """
    rows = np.asarray(rows, dtype=np.intp)
    return solve(X, y[rows], spec.take(rows).with_grid(lambdas), rows=rows)


@dataclass(frozen=True, eq=False)
class RowRefit:
    """A fit re-run on rows: ``refit(rows, seed)`` is the coefficient vector (p,) of
    :func:`run_rows` on ``rows``. It holds the arrays and specs only (no data frame),
    so it is what a resampling task sends to a worker.

    Examples
    --------
    >>> X = np.random.default_rng(2).standard_normal((40, 3))
    >>> refit = RowRefit(X, X[:, 0] + 0.1, FitSpec(), SelectSpec(rule="bic"))
    >>> np.flatnonzero(refit(np.arange(20), seed=0)).tolist()
    [0]
    """

    X: np.ndarray
    y: np.ndarray
    spec: FitSpec
    select: SelectSpec
    fixed: tuple[float, float, np.ndarray] | None = None

    def __call__(self, rows: np.ndarray, seed=None) -> np.ndarray:
        out = run_rows(self.X, self.y, self.spec, self.select, rows, self.fixed, seed)
        return out.coef.copy()


@dataclass(frozen=True, eq=False)
class RowPaths:
    """Paths on rows: ``paths(rows, lambdas)`` is :func:`path_rows`. Arrays and spec
    only, as :class:`RowRefit`.

    Examples
    --------
    >>> X = np.random.default_rng(3).standard_normal((40, 3))
    >>> paths = RowPaths(X, X[:, 0], FitSpec())
    >>> paths(np.arange(20), np.array([0.5, 0.1])).df.tolist()
    [1, 1]
    """

    X: np.ndarray
    y: np.ndarray
    spec: FitSpec

    def __call__(self, rows: np.ndarray, lambdas: np.ndarray) -> Path:
        return path_rows(self.X, self.y, self.spec, rows, lambdas)
