"""Choosing lambda and gamma of the relaxed lasso together by cross-validation, as
``cv.glmnet(..., relax = TRUE)``.

Every fold refits the path on its training rows and the unpenalized fits of the
fold path's active sets (:func:`penstat.solver.relax.relax_path`); the held-out rows
are predicted at every (lambda, gamma) of the grid, on the same folds. The CV curve
of each gamma is computed as for the lasso (:mod:`penstat.selection.cv`). The choice
is glmnet's ``getOptcv.relaxed``: the minimum over all (lambda, gamma) (ties to the
larger lambda, then the larger gamma), and for the 1-SE rule the largest lambda,
then largest gamma, whose CV error is within one standard error (taken at the
minimum) of the minimum.

>>> import numpy as np
>>> from penstat.solver import fit_path
>>> from penstat.selection.relax import cv_relaxed
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((80, 6))
>>> y = X[:, 0] - X[:, 1] + rng.standard_normal(80)
>>> path = fit_path(X, y, nlambda=20)
>>> rcv = cv_relaxed(path, X, y, np.arange(80) % 5, "mse")
>>> rcv.gammas, len(rcv.cvs)
((0.0, 0.25, 0.5, 0.75, 1.0), 5)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from penstat._errors import DataError
from penstat._runner import run_tasks
from penstat._validation import check_measure
from penstat.selection.cv import _cv_statistics, _predict, _settle_measure
from penstat.selection.folds import resolve_folds
from penstat.selection.measures import auc_columns, nan_weighted_mean, raw_measure
from penstat.selection.result import CVResult, Selection
from penstat.solver import Path, solve
from penstat.solver.relax import RELAX_GAMMAS, RelaxedPath, blend, relax_path
from penstat.spec import SelectSpec

__all__ = ["RelaxedCV", "RelaxedFit", "choose_relaxed", "cv_relaxed", "relaxed_optimum"]


@dataclass(frozen=True, eq=False)
class RelaxedCV:
    """The CV curves of the relaxed fits, one per gamma, and the joint choice.

    Attributes
    ----------
    gammas : tuple of float
    cvs : tuple of CVResult
        The curve of each gamma (``cvs[-1]`` is the lasso's when the last gamma is 1).
    index_min, index_1se : int
        Positions in the path's lambdas of the minimum and of the 1-SE choice.
    gamma_min, gamma_1se : float

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> X = np.random.default_rng(1).standard_normal((60, 4))
    >>> y = X[:, 0] + np.random.default_rng(2).standard_normal(60)
    >>> rcv = cv_relaxed(fit_path(X, y, nlambda=10), X, y, np.arange(60) % 4, "mse")
    >>> rcv.to_frame().columns.tolist()[:4]
    ['gamma', 'lam', 'df', 'cv_mean']
    """

    gammas: tuple[float, ...]
    cvs: tuple[CVResult, ...]
    index_min: int
    gamma_min: float
    index_1se: int
    gamma_1se: float

    def to_frame(self) -> pd.DataFrame:
        """One row per (gamma, lambda): gamma, then the columns of
        :meth:`CVResult.to_frame`."""
        frames = [
            cv.to_frame().assign(gamma=g)
            for g, cv in zip(self.gammas, self.cvs, strict=True)
        ]
        table = pd.concat(frames, ignore_index=True)
        return table[["gamma", *[c for c in table.columns if c != "gamma"]]]

    def cv_of(self, gamma: float) -> CVResult:
        """The CV curve of ``gamma`` (one of :attr:`gammas`)."""
        return self.cvs[self.gammas.index(gamma)]


@dataclass(frozen=True, eq=False)
class RelaxedFit:
    """A relaxed fit: the refits of the path, the chosen gamma and lambda.

    Attributes
    ----------
    relaxed : RelaxedPath
    gamma : float
        The chosen (or fixed) gamma.
    index : int
        Position of the chosen lambda in the path.
    cv : RelaxedCV or None
        The CV behind the choice (None when gamma and lambda were fixed).

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> X = np.random.default_rng(1).standard_normal((60, 4))
    >>> y = X[:, 0] + np.random.default_rng(2).standard_normal(60)
    >>> path = fit_path(X, y, nlambda=10)
    >>> fit = RelaxedFit(relax_path(path, X, y), 0.0, 5)
    >>> bool(np.allclose(fit.coef, fit.relaxed.coefs[5], atol=1e-4))
    True
    """

    relaxed: RelaxedPath
    gamma: float
    index: int
    cv: RelaxedCV | None = None

    @property
    def intercept(self) -> float:
        """The relaxed intercept at the chosen lambda and gamma."""
        return float(self.relaxed.blend(self.gamma)[0][self.index])

    @property
    def coef(self) -> np.ndarray:
        """(p,) relaxed coefficients at the chosen lambda and gamma."""
        return np.asarray(self.relaxed.blend(self.gamma)[1][self.index], dtype=float)

    def describe(self) -> str:
        """``"relaxed (gamma=...)"``."""
        return f"relaxed (gamma={self.gamma:g})"


def relaxed_optimum(
    lambdas: np.ndarray,
    gammas: tuple[float, ...],
    cvs: list[CVResult],
    larger_is_better: bool = False,
) -> tuple[int, float, int, float]:
    """glmnet's ``getOptcv.relaxed``: ``(index_min, gamma_min, index_1se, gamma_1se)``.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> lams = np.array([1.0, 0.5, 0.1])
    >>> cvs = [NS(cvm=np.array([3.0, 1.0, 1.2]), cvsd=np.full(3, 0.3)),
    ...        NS(cvm=np.array([3.0, 1.1, 1.0]), cvsd=np.full(3, 0.3))]
    >>> relaxed_optimum(lams, (0.0, 1.0), cvs)
    (1, 0.0, 1, 1.0)
    """
    lam = np.repeat(np.asarray(lambdas, dtype=float)[None, :], len(gammas), axis=0)
    gam = np.repeat(np.asarray(gammas, dtype=float)[:, None], lam.shape[1], axis=1)
    cvm = np.array([cv.cvm for cv in cvs], dtype=float)
    cvsd = np.array([cv.cvsd for cv in cvs], dtype=float)
    score = -cvm if larger_is_better else cvm
    finite = np.isfinite(score)
    if not finite.any():
        raise DataError("the CV error is undefined at every lambda; check the folds")

    def first(mask):
        # order(lambda, gamma, decreasing = TRUE)[1] among the candidates
        g, k = np.nonzero(mask)
        best = np.lexsort((-gam[g, k], -lam[g, k]))[0]
        return int(g[best]), int(k[best])

    g_min, k_min = first(finite & (score <= np.min(score[finite])))
    bound = score[g_min, k_min] + cvsd[g_min, k_min]
    g_1se, k_1se = first(finite & (score <= bound))
    return k_min, float(gammas[g_min]), k_1se, float(gammas[g_1se])


def cv_relaxed(
    path: Path,
    X: np.ndarray,
    y: np.ndarray,
    folds: np.ndarray,
    measure: str,
    gammas: tuple[float, ...] = RELAX_GAMMAS,
    n_jobs=None,
    progress=None,
    cv_grid: str = "full",
    rows: np.ndarray | None = None,
) -> RelaxedCV:
    """The CV curve of every gamma of the relaxed path on fold labels ``folds``
    (``0 .. K-1``), a checked ``measure`` and ``cv_grid``. ``rows``: ``path`` was
    fitted on the rows ``X[rows]`` (``y``, the folds and the path's spec are
    theirs); each fold is fitted and predicted from ``X`` and its row positions,
    without a copy of the rows.

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> X = np.random.default_rng(3).standard_normal((60, 4))
    >>> y = X[:, 1] + np.random.default_rng(4).standard_normal(60)
    >>> rcv = cv_relaxed(fit_path(X, y, nlambda=10), X, y, np.arange(60) % 3, "mae")
    >>> rcv.cv_of(1.0).measure
    'mae'
    """
    nfold = int(folds.max()) + 1
    lambdas = np.asarray(path.lambdas, dtype=float)
    spec = path.spec if cv_grid == "glmnet" else path.spec.with_grid(lambdas)

    n = y.shape[0]
    w = np.ones(n) if spec.weights is None else spec.weights
    measure, grouped = _settle_measure(measure, n, nfold)
    gammas = tuple(gammas)
    data = _RelaxedFolds(
        X, y, w, spec, folds, lambdas, rows, gammas, measure, path.family, grouped
    )
    results = run_tasks(
        _relaxed_fold,
        data,
        range(nfold),
        n_jobs,
        progress,
        "cross-validation",
        "fold",
        prefer="threads",
    )
    cvs = []
    for i in range(len(gammas)):
        fold_values = np.array([res[i][0] for res in results])
        raw = None
        if not grouped:
            raw = np.empty((n, lambdas.size))
            for k, res in enumerate(results):
                raw[folds == k] = res[i][1]
        cvs.append(_cv_statistics(fold_values, raw, w, folds, lambdas, measure, path))
    best = relaxed_optimum(lambdas, gammas, cvs, measure == "auc")
    return RelaxedCV(tuple(float(g) for g in gammas), tuple(cvs), *best)


@dataclass(frozen=True)
class _RelaxedFolds:
    """What every fold task of :func:`cv_relaxed` reads: the data (``X`` whole,
    ``rows`` the positions of the path's rows, or None for all), the spec, the fold
    labels, the gammas and the settled measure."""

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    spec: object
    folds: np.ndarray
    lambdas: np.ndarray
    rows: np.ndarray | None
    gammas: tuple[float, ...]
    measure: str
    family: str
    grouped: bool


def _relaxed_fold(data: _RelaxedFolds, k: int) -> list:
    """One fold of :func:`cv_relaxed` (a module-level task: picklable): for each
    gamma, the fold's measure per lambda and, for the ungrouped CV error, the loss
    of each of its rows. Only the fold's own held-out predictions are made."""
    test = data.folds == k
    spec, lambdas = data.spec, data.lambdas
    b0, b, b0r, br = _fit_fold(data.X, data.y, spec, ~test, k, lambdas, data.rows)
    X_test = data.X[test] if data.rows is None else data.X[data.rows[test]]
    fitted = b0.shape[0]
    etas = []
    for i0, coef in ((b0, b), (b0r, br)):
        eta = np.empty((X_test.shape[0], lambdas.size))
        eta[:, :fitted] = _predict(X_test, coef) + i0
        if spec.offset is not None:
            eta[:, :fitted] += spec.offset[test][:, None]
        # a fold that stopped early is carried forward at its last lambda, as glmnet
        eta[:, fitted:] = eta[:, fitted - 1 : fitted]
        etas.append(eta)
    y, w = data.y[test], data.w[test]
    out = []
    for g in data.gammas:
        # the relaxed linear predictor is the same blend of the two (offset included)
        eta = blend(g, etas[0], etas[0], etas[1], etas[1])[1]
        if data.measure == "auc":
            out.append((auc_columns(y, eta, w), None))
            continue
        raw = raw_measure(eta, y, data.measure, data.family)
        out.append((nan_weighted_mean(raw, w), None if data.grouped else raw))
    return out


def _fit_fold(X, y, spec, train, k, lambdas, rows=None):
    """Lasso and refit intercepts and coefficients of the fold path without fold
    ``k``, at ``lambdas`` (interpolated when the fold had its own grid). ``rows``:
    the positions in ``X`` of the rows of ``y`` (None: all)."""
    train = np.flatnonzero(train)
    at = train if rows is None else rows[train]
    yk = y[train]
    try:
        fold_path = solve(X, yk, spec.take(train), rows=at)
    except DataError as exc:
        raise DataError(f"fitting the path without CV fold {k} failed: {exc}") from exc
    rel = relax_path(fold_path, X, yk, rows=at)
    if spec.lambdas is None:
        b0, b = fold_path.coef_at(lambdas)
        b0r, br = dataclasses.replace(
            fold_path, intercepts=rel.intercepts, coefs=rel.coefs
        ).coef_at(lambdas)
    else:
        b0, b = fold_path.intercepts, fold_path.coefs
        b0r, br = rel.intercepts, rel.coefs
    return tuple(np.asarray(v, dtype=float) for v in (b0, b, b0r, br))


def choose_relaxed(
    path: Path,
    X: np.ndarray,
    y: np.ndarray,
    select: SelectSpec,
    rows: np.ndarray | None = None,
) -> tuple[Selection, RelaxedFit]:
    """The relaxed refits of ``path`` and the (lambda, gamma) chosen by the CV rule of
    ``select`` (``cv_min`` or ``cv_1se``). ``rows``: ``path`` was fitted on the rows
    ``X[rows]`` (``y`` and ``select``'s fold labels are theirs), read from ``X``
    without a copy.

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> X = np.random.default_rng(5).standard_normal((60, 4))
    >>> y = X[:, 0] + np.random.default_rng(6).standard_normal(60)
    >>> sel, rel = choose_relaxed(fit_path(X, y, nlambda=10), X, y,
    ...                           SelectSpec(rule="cv_min", nfolds=5, seed=0, relax=True))
    >>> sel.lam == sel.lam_min, rel.gamma in (0.0, 0.25, 0.5, 0.75, 1.0)
    (True, True)
    """
    family = path.family
    measure = check_measure(select.measure, family)
    folds = resolve_folds(
        y.shape[0],
        y,
        family,
        select.nfolds,
        select.foldid,
        select.stratify,
        select.seed,
        path.spec.weights,
    )
    rel = relax_path(path, X, y, rows=rows)
    rcv = cv_relaxed(
        path,
        X,
        y,
        folds,
        measure,
        RELAX_GAMMAS,
        select.n_jobs,
        select.progress,
        select.cv_grid,
        rows=rows,
    )
    if select.rule == "cv_1se":
        index, gamma = rcv.index_1se, rcv.gamma_1se
    else:
        index, gamma = rcv.index_min, rcv.gamma_min
    cv = rcv.cv_of(gamma)
    lambdas = np.asarray(path.lambdas, dtype=float)
    selection = Selection(
        rule=select.rule,
        lam=float(lambdas[index]),
        index=index,
        table=cv.to_frame(),
        lam_min=float(lambdas[rcv.index_min]),
        lam_1se=float(lambdas[rcv.index_1se]),
        cv=cv,
        measure=cv.measure,
    )
    return selection, RelaxedFit(rel, gamma, index, rcv)
