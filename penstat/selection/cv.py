"""K-fold cross-validation of a path, as ``cv.glmnet`` does it.

Each fold refits the path on the other folds at the full data's lambdas, the
held-out fold is predicted at every lambda, the measure is averaged within each fold
with the observation weights, ``cvm`` is the mean of the fold values weighted by the
fold's total weight and ``cvsd`` their weighted standard deviation divided by
``sqrt(K - 1)`` (``grouped=TRUE``). With fewer than three observations per fold the
measure is averaged over observations instead (``grouped=FALSE``), with a warning.
``"auc"`` is computed within each fold and needs at least ten observations per fold;
otherwise, as glmnet, the deviance is used with a warning.

Every fold is fitted with the path's own :class:`~penstat.spec.FitSpec` restricted
to its training rows: the same penalty factors, limits, weights and offset (the
held-out rows are predicted with their own offset, as ``cv.glmnet``).

``cv_grid`` says at which lambdas a fold is fitted. ``"full"`` (the default): at the
full data's lambdas, as ``cv.glmnet(..., lambda = fit$lambda)``. ``"glmnet"``: on the
fold's own grid (its own lambda_max and early stop), the held-out rows predicted at
the full data's lambdas by glmnet's linear interpolation, as ``cv.glmnet`` does when
no ``lambda`` is given (its fold fits receive the user's ``lambda`` argument, NULL
by default). A path fitted on a user's grid is the same either way.

>>> import numpy as np
>>> from penstat.solver import fit_path
>>> from penstat.selection import cross_validate
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((60, 5))
>>> y = X[:, 0] + rng.standard_normal(60)
>>> cv = cross_validate(fit_path(X, y, nlambda=20), X, y, nfolds=5, seed=1)
>>> cv.nfolds, cv.measure
(5, 'mse')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse

from penstat._errors import DataError, warn_user
from penstat._runner import maps_arrays, run_tasks
from penstat._validation import check_cv_grid, check_measure
from penstat.selection.folds import resolve_folds
from penstat.selection.measures import (
    auc_columns,
    nan_weighted_mean,
    optimal_indices,
    raw_measure,
    weighted_stats,
)
from penstat.selection.result import CVResult
from penstat.solver import Path, solve
from penstat.solver.fit import CompactPath, KernelScratch, solve_compact

__all__ = ["check_data", "cross_validate", "cv_from_predictions", "cv_path"]


def cross_validate(
    path: Path,
    X: Any,
    y: Any,
    nfolds: int = 10,
    foldid: Any = None,
    measure: str | None = None,
    stratify: bool | None = None,
    seed: Any = None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    cv_grid: str = "full",
) -> CVResult:
    """K-fold cross-validation of ``path`` (fitted on ``X``, ``y``) as ``cv.glmnet``.

    Parameters
    ----------
    path : Path
        The full-data path; its spec (penalty, limits, weights, offset) refits
        every fold.
    X, y : arrays
        The data ``path`` was fitted on.
    nfolds, foldid, measure, stratify, seed, n_jobs, progress, cv_grid
        As :func:`~penstat.selection.select_lambda`.

    Returns
    -------
    CVResult

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> X = np.random.default_rng(2).standard_normal((40, 3))
    >>> y = X[:, 1] + 0.5
    >>> cross_validate(fit_path(X, y), X, y, foldid=np.arange(40) % 4).nfolds
    4
    """
    X, y = check_data(X, y, path)
    family = path.family
    measure = check_measure(measure, family)
    weights = path.spec.weights
    cv_grid = check_cv_grid(cv_grid)
    folds = resolve_folds(X.shape[0], y, family, nfolds, foldid, stratify, seed, weights)
    return cv_path(path, X, y, folds, measure, n_jobs, progress, cv_grid)


def cv_path(
    path: Path,
    X,
    y,
    folds,
    measure: str,
    n_jobs=None,
    progress=None,
    cv_grid="full",
    rows=None,
) -> CVResult:
    """:func:`cross_validate` on checked arrays, fold labels ``0 .. K-1``, a checked
    measure and a checked ``cv_grid``. ``rows``: ``path`` was fitted on the rows
    ``X[rows]`` (``y``, the folds and the path's spec are theirs); each fold is
    fitted from ``X`` and its row positions, without a copy of the rows.

    Each fold is one task of the parallel runner: it fits the path without the fold,
    predicts the fold and returns its measure per lambda, so the held-out
    predictions of all the rows are never held at once.

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5))
    >>> y = X[:, 0] + rng.standard_normal(60)
    >>> cv = cv_path(fit_path(X, y, nlambda=20), X, y, np.arange(60) % 5, "mae")
    >>> cv.nfolds, cv.measure, cv.fold_values.shape == (5, cv.lambdas.size)
    (5, 'mae', True)
    """
    n = y.shape[0]
    nfold = int(folds.max()) + 1
    lambdas = np.asarray(path.lambdas, dtype=float)
    measure, grouped = _settle_measure(measure, n, nfold)
    # "glmnet": the fold gets the user's grid (None: its own), as cv.glmnet's folds
    spec = path.spec if cv_grid == "glmnet" else path.spec.with_grid(lambdas)
    data = _Folds(
        X,
        y,
        spec.weights,
        spec,
        folds,
        lambdas,
        measure,
        path.family,
        grouped,
        rows,
        KernelScratch(),
    )
    results = run_tasks(
        _fold_task,
        data,
        range(nfold),
        n_jobs,
        progress,
        "cross-validation",
        "fold",
        prefer="threads",
        mapped=maps_arrays(X),
    )
    fold_values = np.array([values for values, _ in results])
    w = np.ones(n) if path.spec.weights is None else path.spec.weights
    raw = None
    if not grouped:
        raw = np.empty((n, lambdas.size))
        for k, (_, raw_k) in enumerate(results):
            raw[folds == k] = raw_k
    return _cv_statistics(fold_values, raw, w, folds, lambdas, measure, path)


@dataclass(frozen=True)
class _Folds:
    """What every fold task reads: the data (``X`` whole, ``rows`` the positions of
    the rows the path was fitted on, or None for all; ``w`` the weights, None for
    unit weights), the spec, the fold labels and the measure."""

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray | None
    spec: Any
    folds: np.ndarray
    lambdas: np.ndarray
    measure: str
    family: str
    grouped: bool
    rows: np.ndarray | None
    scratch: KernelScratch | None = None


def _fold_task(data: _Folds, k: int):
    """Fold ``k``'s measure per lambda (its AUC, or the weighted mean of its loss),
    and, for the ungrouped CV error, the loss of each of its rows."""
    test = data.folds == k
    intercepts, coefs = _fit_fold(data, np.flatnonzero(~test), k)
    rows = np.flatnonzero(test) if data.rows is None else data.rows[test]
    fitted = intercepts.shape[0]
    eta = np.empty((rows.size, data.lambdas.size))
    if isinstance(coefs, CompactPath):
        eta[:, :fitted] = _predict_compact(data.X, rows, coefs) + intercepts
    else:
        eta[:, :fitted] = _predict_rows(data.X, rows, coefs) + intercepts
    if data.spec.offset is not None:
        eta[:, :fitted] += data.spec.offset[test][:, None]
    # a fold that stopped early is carried forward at its last lambda, as glmnet
    eta[:, fitted:] = eta[:, fitted - 1 : fitted]
    y = data.y[test]
    w = np.ones(y.size) if data.w is None else data.w[test]
    if data.measure == "auc":
        return auc_columns(y, eta, w), None
    raw = raw_measure(eta, y, data.measure, data.family)
    return nan_weighted_mean(raw, w), None if data.grouped else raw


def check_data(X: Any, y: Any, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and ``y`` as the arrays ``path`` was fitted on (shapes checked).

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> X = np.eye(4)
    >>> check_data(X, [1, 2, 3, 4], fit_path(X, [1, 2, 3, 4]))[1].tolist()
    [1.0, 2.0, 3.0, 4.0]
    """
    X = X if scipy.sparse.issparse(X) else np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if X.ndim != 2:
        raise DataError(f"X must be a 2-d array, got shape {X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise DataError(f"y has shape {y.shape} but X has {X.shape[0]} rows")
    if X.shape[1] != path.coefs.shape[1]:
        raise DataError(
            f"X has {X.shape[1]} columns but the path was fitted with {path.coefs.shape[1]}"
        )
    for name in ("weights", "offset"):
        values = getattr(path.spec, name)
        if values is not None and values.shape[0] != y.shape[0]:
            raise DataError(
                f"the path was fitted with {name} for {values.shape[0]} rows but X has "
                f"{y.shape[0]} rows; pass the data the path was fitted on"
            )
    return X, y


def _predict(X: np.ndarray, coefs: np.ndarray) -> np.ndarray:
    """``X @ coefs.T``. Small products avoid multithreaded BLAS, whose start-up costs
    more than the product itself (and much more on a busy machine)."""
    if scipy.sparse.issparse(X):
        return np.asarray(X @ coefs.T)
    if X.shape[0] * X.shape[1] * coefs.shape[0] < 5_000_000:
        return np.einsum("ij,kj->ik", X, coefs)
    return X @ coefs.T


def _predict_rows(X, rows: np.ndarray, coefs: np.ndarray) -> np.ndarray:
    """``X[rows] @ coefs.T`` from the columns of ``coefs`` that are nonzero somewhere
    (few on a path with p >> n: the held-out rows are not gathered whole)."""
    if scipy.sparse.issparse(X) or coefs.shape[0] * coefs.shape[1] < 100_000:
        return _predict(X[rows], coefs)
    cols = np.flatnonzero(coefs.any(axis=0))
    if 2 * cols.size >= coefs.shape[1]:
        return _predict(X[rows], coefs)
    return _predict(X[np.ix_(rows, cols)], coefs[:, cols])


def _predict_compact(X, rows: np.ndarray, path: CompactPath) -> np.ndarray:
    """:func:`_predict_rows` of the dense coefficients of ``path``, the same numbers
    (the same products on the same arrays), from its kept columns."""
    coefs = path.coefs
    n_fit, p = coefs.shape[0], path.p
    if scipy.sparse.issparse(X) or n_fit * p < 100_000 or 2 * path.cols.size >= p:
        return _predict_rows(X, rows, path.dense())
    return _predict(X[np.ix_(rows, path.cols)], coefs)


def _fit_fold(data: _Folds, train: np.ndarray, k: int):
    """Intercepts and coefficients of the path on the rows ``train`` (positions among
    the path's rows; all but fold ``k``): as fitted when the fold's grid is the
    path's lambdas (then a :class:`~penstat.solver.fit.CompactPath`: the columns the
    path moves), else interpolated at them (glmnet's ``predict(..., s = lambda)``)."""
    spec = data.spec
    rows = train if data.rows is None else data.rows[train]
    try:
        if spec.lambdas is not None:
            fold_path = solve_compact(
                data.X, data.y[train], spec.take(train), rows=rows, scratch=data.scratch
            )
            return fold_path.intercepts, fold_path
        fold_path = solve(data.X, data.y[train], spec.take(train), rows=rows)
    except DataError as exc:
        raise DataError(f"fitting the path without CV fold {k} failed: {exc}") from exc
    b0, b = fold_path.coef_at(data.lambdas)
    return np.asarray(b0, dtype=float), np.asarray(b, dtype=float)


def cv_from_predictions(eta, y, w, folds, lambdas, measure: str, path: Path) -> CVResult:
    """The CV curve from the held-out linear predictors ``eta`` (n, nlambda) of every
    row (each predicted by the path fitted without its fold): what :func:`cv_path`
    computes fold by fold, for callers that predict all rows at once (the relaxed
    fit's CV, which blends two predictions per row).

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> X = np.random.default_rng(1).standard_normal((40, 3))
    >>> y = X[:, 0] + np.random.default_rng(2).standard_normal(40)
    >>> path = fit_path(X, y, nlambda=5)
    >>> eta = np.tile(y.mean(), (40, 5))
    >>> cv = cv_from_predictions(eta, y, np.ones(40), np.arange(40) % 4, path.lambdas,
    ...                          "mse", path)
    >>> cv.nfolds
    4
    """
    n = y.shape[0]
    nfold = int(folds.max()) + 1
    measure, grouped = _settle_measure(measure, n, nfold)
    if measure == "auc":
        fold_values = np.array(
            [
                auc_columns(y[folds == k], eta[folds == k], w[folds == k])
                for k in range(nfold)
            ]
        )
        raw = None
    else:
        raw = raw_measure(eta, y, measure, path.family)
        fold_values = np.array(
            [nan_weighted_mean(raw[folds == k], w[folds == k]) for k in range(nfold)]
        )
        raw = None if grouped else raw
    return _cv_statistics(fold_values, raw, w, folds, lambdas, measure, path)


def _settle_measure(measure: str, n: int, nfold: int) -> tuple[str, bool]:
    """The measure the folds can support, and whether the CV error is averaged over
    folds (cv.glmnet's ``grouped``): the AUC needs 10 rows per fold (else deviance,
    with a warning), a per-fold mean 3."""
    if measure == "auc" and n / nfold < 10:
        warn_user(
            "fewer than 10 observations per fold for measure='auc'; using measure="
            "'deviance' instead (as cv.glmnet). Use fewer folds to get the AUC.",
            UserWarning,
        )
        measure = "deviance"
    return measure, measure == "auc" or n / nfold >= 3


def _cv_statistics(fold_values, raw, w, folds, lambdas, measure, path) -> CVResult:
    """The CV curve from the folds' values (``raw``: the loss of every row, when the
    error is averaged over rows instead of folds)."""
    nfold = fold_values.shape[0]
    fold_weights = np.bincount(folds, weights=w, minlength=nfold)
    grouped = raw is None
    if grouped:
        cvm, cvsd, counts = weighted_stats(fold_values, fold_weights)
    else:
        warn_user(
            "fewer than 3 observations per fold: the CV error is averaged over "
            "observations (cv.glmnet's grouped=FALSE)",
            UserWarning,
        )
        cvm, cvsd, counts = weighted_stats(raw, w)
        counts = np.full(lambdas.size, nfold)
    index_min, index_1se = optimal_indices(
        lambdas, cvm, cvsd, larger_is_better=measure == "auc"
    )
    return CVResult(
        lambdas=lambdas,
        cvm=cvm,
        cvsd=cvsd,
        cvup=cvm + cvsd,
        cvlo=cvm - cvsd,
        df=np.count_nonzero(np.asarray(path.coefs), axis=1),
        fold_values=fold_values,
        fold_weights=fold_weights,
        n_folds=counts,
        foldid=folds,
        measure=measure,
        grouped=grouped,
        lam_min=float(lambdas[index_min]),
        lam_1se=float(lambdas[index_1se]),
        index_min=index_min,
        index_1se=index_1se,
    )
