"""The L1 / L2 mix and lambda chosen together (glmnetUtils' ``cva.glmnet``).

>>> import numpy as np
>>> from penstat.selection import select_l1_ratio
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((60, 5))
>>> y = X[:, 0] + rng.standard_normal(60)
>>> search = select_l1_ratio(X, y, [0.5, 1.0], rule="bic")
>>> search.table["l1_ratio"].tolist()
[0.5, 1.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError, DataError
from penstat._validation import RULES, check_l1_ratio, check_measure, check_rule
from penstat.selection.criteria import best_index
from penstat.selection.folds import resolve_folds
from penstat.selection.result import L1RatioSearch, Selection
from penstat.selection.rules import choose
from penstat.solver import solve
from penstat.solver.fit import checked
from penstat.spec import FitSpec, SelectSpec

__all__ = ["search_l1_ratio", "select_l1_ratio"]


def select_l1_ratio(
    X: Any,
    y: Any,
    l1_ratios: Any,
    rule: str = "cv_min",
    nfolds: int = 10,
    foldid: Any = None,
    measure: str | None = None,
    stratify: bool | None = None,
    gamma: float | None = None,
    seed: Any = None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    **options: Any,
) -> L1RatioSearch:
    """Search the L1 / L2 mix and lambda together, every mix on the same folds.

    As glmnetUtils' ``cva.glmnet``: each ``l1_ratio`` gets its own path (its own
    lambda grid) and is cross-validated on one shared set of folds. The mix with the
    best CV error at its ``lam_min`` (highest AUC for ``"auc"``) wins, and ``rule``
    then picks lambda within it (``"cv_min"`` or ``"cv_1se"``). For ``"aic"``,
    ``"bic"`` and ``"ebic"`` the mix with the smallest criterion at its chosen lambda
    wins. Ties go to the larger ``l1_ratio`` (the sparser model).

    Parameters
    ----------
    X, y : arrays
    l1_ratios : sequence of float in [0, 1]
    rule : str
        ``"cv_min"`` (default), ``"cv_1se"``, ``"aic"``, ``"bic"`` or ``"ebic"``.
    nfolds, foldid, measure, stratify, gamma, seed, n_jobs, progress
        As :func:`select_lambda`.
    **options
        :func:`penstat.fit_path` keyword arguments other than ``l1_ratio``
        (family, weights, offset, penalty_factor, nlambda, tol, ...): every mix's
        path, CV folds and criteria use them.

    Returns
    -------
    L1RatioSearch
        ``(l1_ratio, path, selection, table)``: the chosen mix, its path and its
        :class:`Selection`, and a DataFrame with one row per mix (``l1_ratio``,
        ``lam``, ``lam_min``, ``lam_1se``, ``cv_mean``, ``cv_se`` at the chosen
        lambda, ``cv_best`` for CV; ``lam``, ``edf`` and the criterion for criteria;
        ``chosen``).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> X = rng.standard_normal((60, 4))
    >>> y = X[:, 0] + rng.standard_normal(60)
    >>> search = select_l1_ratio(X, y, [0.1, 0.5, 1.0], nfolds=5, seed=0)
    >>> search.l1_ratio in (0.1, 0.5, 1.0)
    True
    """
    rule = check_rule(rule)
    if not isinstance(rule, str):
        raise ArgumentError(
            "a fixed lambda cannot be combined with a search over l1_ratio; "
            f"use one of: {', '.join(RULES)}"
        )
    ratios = _check_l1_ratios(l1_ratios)
    Xa, ya, spec = checked(X, y, **options)
    select = SelectSpec.build(
        spec.family,
        rule=rule,
        nfolds=nfolds,
        foldid=foldid,
        measure=measure,
        stratify=stratify,
        gamma=gamma,
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
    )
    return search_l1_ratio(Xa, ya, spec, select, tuple(ratios))


def search_l1_ratio(
    X: np.ndarray, y: np.ndarray, spec: FitSpec, select: SelectSpec, ratios, rows=None
) -> L1RatioSearch:
    """:func:`select_l1_ratio` on checked arrays and specs: every mix gets its own
    path (its own grid) and the same folds. ``rows``: fit the rows ``X[rows]``
    (``y``, ``spec`` and ``select`` are theirs) without copying them.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5))
    >>> y = X[:, 0] + rng.standard_normal(60)
    >>> Xa, ya, spec = checked(X, y)
    >>> found = search_l1_ratio(Xa, ya, spec, SelectSpec(rule="bic"), (0.5, 1.0))
    >>> found.l1_ratio, found.table["chosen"].tolist()
    (1.0, [False, True])
    """
    if select.is_cv:
        check_measure(select.measure, spec.family)
        folds = resolve_folds(
            y.shape[0],
            y,
            spec.family,
            select.nfolds,
            select.foldid,
            select.stratify,
            select.seed,
            spec.weights,
        )
        select = select.with_folds(folds)
    table_rows, fits = [], []
    for ratio in ratios:
        path = solve(X, y, spec.with_l1_ratio(ratio), rows=rows)
        selection = choose(path, X, y, select, rows=rows)
        fits.append((path, selection))
        table_rows.append(_mix_row(ratio, selection))
    table = pd.DataFrame(table_rows)
    score = table["score"].to_numpy(dtype=float)
    best = best_index(score, np.asarray(ratios))
    if best < 0:
        raise DataError("no l1_ratio gave a finite CV error or criterion")
    table = table.drop(columns="score")
    table["chosen"] = np.arange(len(ratios)) == best
    path, selection = fits[best]
    return L1RatioSearch(float(ratios[best]), path, selection, table)


def _mix_row(ratio: float, selection: Selection) -> dict:
    row = selection.table.iloc[selection.index]
    if selection.cv is not None:
        cv = selection.cv
        cv_best = float(cv.cvm[cv.index_min])
        return {
            "l1_ratio": ratio,
            "lam": selection.lam,
            "lam_min": cv.lam_min,
            "lam_1se": cv.lam_1se,
            "cv_mean": float(row["cv_mean"]),
            "cv_se": float(row["cv_se"]),
            "cv_best": cv_best,
            "score": -cv_best if cv.measure == "auc" else cv_best,
        }
    value = float(row[selection.rule])
    return {
        "l1_ratio": ratio,
        "lam": selection.lam,
        "edf": float(row["edf"]),
        selection.rule: value,
        "score": value,
    }


def _check_l1_ratios(l1_ratios) -> np.ndarray:
    """The mixes to search: a non-empty list, each checked as ``fit_path`` checks one."""
    values = np.asarray(l1_ratios, dtype=object)
    if values.ndim > 1 or values.size == 0:
        raise ArgumentError(
            f"l1_ratios={l1_ratios!r} must be a non-empty list of numbers in [0, 1]"
        )
    ratios = np.array([check_l1_ratio(v) for v in np.atleast_1d(values)])
    if np.unique(ratios).size != ratios.size:
        raise ArgumentError(f"l1_ratios repeat a value: {ratios.tolist()}; give each once")
    return ratios
