"""Choosing lambda on a path: a cross-validation rule or an information criterion.

>>> import numpy as np
>>> from penstat.solver import fit_path
>>> from penstat.selection import select_lambda
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((80, 6))
>>> y = X[:, 0] - X[:, 1] + rng.standard_normal(80)
>>> sel = select_lambda(fit_path(X, y), X, y, rule="bic")
>>> sel.rule, int(sel.table["df"][sel.index])
('bic', 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from penstat._errors import DataError
from penstat._validation import CRITERIA, check_gamma, check_measure, check_rule
from penstat.selection.criteria import best_index, criteria_table
from penstat.selection.cv import check_data, cv_path
from penstat.selection.folds import resolve_folds
from penstat.selection.result import Selection
from penstat.solver import Path
from penstat.spec import SelectSpec

__all__ = ["choose", "select_lambda"]


def select_lambda(
    path: Path,
    X: Any,
    y: Any,
    rule: str | float = "cv_1se",
    nfolds: int = 10,
    foldid: Any = None,
    measure: str | None = None,
    stratify: bool | None = None,
    gamma: float | None = None,
    seed: Any = None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    cv_grid: str = "full",
) -> Selection:
    """Choose lambda on ``path`` by cross-validation or an information criterion.

    Parameters
    ----------
    path : Path
        The full-data path (from :func:`penstat.fit_path`); CV refits every fold
        with its spec (penalty, limits, weights, offset).
    X, y : arrays
        The data ``path`` was fitted on.
    rule : str or float
        ``"cv_1se"`` (largest lambda within one SE of the minimum CV error),
        ``"cv_min"``, ``"aic"``, ``"bic"``, ``"ebic"``, or a number: that lambda.
    nfolds : int
        Number of random folds (3 to n) when ``foldid`` is not given.
    foldid : array, optional
        Fold label of each observation (any labels, at least three distinct).
    measure : str, optional
        gaussian ``"mse"`` (default) or ``"mae"``; binomial ``"deviance"``
        (default), ``"class"``, ``"auc"`` (also ``"mse"``, ``"mae"``).
    stratify : bool, optional
        Stratify random folds by class; default true for binomial.
    gamma : float, optional
        EBIC parameter; default 1 when p > n, else 0.5.
    seed : int, numpy Generator or None
        Randomness of the folds (``numpy.random.default_rng(seed)``).
    n_jobs : int, optional
        Folds fitted in parallel through joblib; results do not depend on it.
    progress : bool, optional
        Progress bar over folds; default: only when stderr is a terminal.
    cv_grid : {"full", "glmnet"}
        ``"full"``: every fold is fitted at the path's lambdas (as
        ``cv.glmnet(..., lambda = fit$lambda)``); ``"glmnet"``: each fold on its own
        grid, predicted at the path's lambdas by interpolation (``cv.glmnet``'s
        default). The same for a path fitted on a user's grid.

    Returns
    -------
    Selection

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> X = np.random.default_rng(1).standard_normal((50, 4))
    >>> y = X[:, 0] + np.random.default_rng(2).standard_normal(50)
    >>> sel = select_lambda(fit_path(X, y), X, y, rule="cv_min", nfolds=5, seed=1)
    >>> sel.lam == sel.cv.lam_min
    True
    """
    X, y = check_data(X, y, path)
    rule = check_rule(rule)
    if not isinstance(rule, str):
        select = SelectSpec(rule=None, lam=rule)
    else:
        select = SelectSpec.build(
            path.family,
            rule=rule,
            nfolds=nfolds,
            foldid=foldid,
            measure=measure,
            stratify=stratify,
            gamma=gamma,
            seed=seed,
            n_jobs=n_jobs,
            progress=progress,
            cv_grid=cv_grid,
        )
    return choose(path, X, y, select)


def choose(
    path: Path, X: np.ndarray, y: np.ndarray, select: SelectSpec, rows=None
) -> Selection:
    """:func:`select_lambda` on checked arrays and a :class:`~penstat.spec.SelectSpec`
    (``select.lam``: a fixed lambda, the nearest grid point is reported). ``rows``:
    ``path`` was fitted on the rows ``X[rows]`` (``y`` is theirs); CV folds are cut
    from those rows and a criterion reads them, both without a copy of the rows.

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> X = np.eye(5)[:, :3] + np.arange(5)[:, None] / 10
    >>> y = np.array([1.0, 0.0, 2.0, 1.0, 3.0])
    >>> choose(fit_path(X, y), X, y, SelectSpec(rule=None, lam=0.1)).rule
    'fixed'
    """
    lambdas = np.asarray(path.lambdas, dtype=float)
    if select.rule is None:
        lam = float(lambdas[-1]) if select.lam is None else select.lam
        nonzero = np.count_nonzero(np.asarray(path.coefs), axis=1)
        table = pd.DataFrame({"lam": lambdas, "df": nonzero})
        return Selection(
            rule="fixed", lam=lam, index=_nearest_index(lambdas, lam), table=table
        )
    if select.rule in CRITERIA:
        return _by_criterion(path, X, y, select.rule, select.gamma, rows)
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
    cv = cv_path(
        path,
        X,
        y,
        folds,
        measure,
        select.n_jobs,
        select.progress,
        select.cv_grid,
        rows=rows,
    )
    index = cv.index_1se if select.rule == "cv_1se" else cv.index_min
    return Selection(
        rule=select.rule,
        lam=float(lambdas[index]),
        index=index,
        table=cv.to_frame(),
        lam_min=cv.lam_min,
        lam_1se=cv.lam_1se,
        cv=cv,
        measure=cv.measure,
    )


def _by_criterion(path: Path, X, y, rule: str, gamma, rows=None) -> Selection:
    table = criteria_table(path, X, y, gamma=gamma, rows=rows)
    index = best_index(table[rule].to_numpy(), path.lambdas)
    seen = y if path.spec.weights is None else y[path.spec.weights > 0]
    if index < 0 and np.ptp(seen) == 0:
        # y is constant: the null model fits it exactly (a zero deviance has no log
        # likelihood); nothing is selected, as at the first lambda
        index = 0
    if index < 0:
        raise DataError(
            f"{rule} is undefined at every lambda of the path (the fits are saturated: "
            "as many parameters as observations); use a CV rule"
        )
    w = path.spec.weights
    n_obs = y.shape[0] if w is None else int(np.count_nonzero(w > 0))
    return Selection(
        rule=rule,
        lam=float(path.lambdas[index]),
        index=index,
        table=table,
        measure=rule,
        family=path.family,
        gamma=check_gamma(gamma, n_obs, X.shape[1]),
    )


def _nearest_index(lambdas: np.ndarray, lam: float) -> int:
    """Grid point nearest to ``lam`` on the log scale (the smallest lambda for 0)."""
    positive = lambdas > 0
    if lam <= 0 or not positive.any():
        return int(np.argmin(lambdas))
    gaps = np.full(lambdas.shape, np.inf)
    gaps[positive] = np.abs(np.log(lambdas[positive]) - np.log(lam))
    return int(np.argmin(gaps))
