"""The formula entry points: :func:`fit`, :func:`lasso`, :func:`ridge`, :func:`elastic_net`.

>>> import penstat as ps
>>> df = ps.datasets.load("diabetes")
>>> fit = ps.lasso("y ~ .", df, lam=5.0)
>>> fit.selected
['sex', 'bmi', 'bp', 's3', 's5']
"""

from __future__ import annotations

import dataclasses
import numbers
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError, ConvergenceWarning, SeparationWarning
from penstat._fixed_lam import path_to_lam
from penstat._folds import check_stratify
from penstat.design import build_design
from penstat.family import get_family
from penstat.penalty import real_number, resolve_penalty, resolve_select
from penstat.results import FitRecipe, PenalizedFit

__all__ = ["fit", "lasso", "ridge", "elastic_net", "fit_arrays", "resolve_limits"]


def fit(
    formula: str,
    data: pd.DataFrame,
    family: str = "gaussian",
    penalty: str = "l1",
    l1_ratio: float | list[float] | None = None,
    lam: float | None = None,
    select: str | float | None = "cv_1se",
    nlambda: int = 100,
    lambda_min_ratio: float | None = None,
    lambdas=None,
    penalty_factor=None,
    weights=None,
    standardize: bool = True,
    na_action: str = "drop",
    positive=None,
    nfolds: int = 10,
    foldid=None,
    stratify: bool | None = None,
    measure: str | None = None,
    gamma: float | None = None,
    seed=None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    tol: float = 1e-7,
    max_iter: int = 100_000,
    offset=None,
    lower_limits=None,
    upper_limits=None,
) -> PenalizedFit:
    """Fit a penalized regression from a formula and a DataFrame.

    The objective is glmnet's (see ``DESIGN.md``): columns are standardized
    internally, coefficients are reported on the original scale, and the intercept
    is not penalized.

    Parameters
    ----------
    formula : str
        ``"response ~ terms"`` with patsy syntax; ``.`` means every other column
        (``y ~ . - x3``, ``y ~ . + a:b``); ``- 1`` removes the intercept.
    data : pandas.DataFrame
        Not modified.
    family : {"gaussian", "binomial"}
    penalty : {"l1", "l2", "elasticnet"}
    l1_ratio : float or list of float, optional
        The L1 / L2 mix: 1 for ``"l1"``, 0 for ``"l2"``, default 0.5 for
        ``"elasticnet"``. A list (elastic net) chooses the mix with ``select``.
    lam : float, optional
        Fix lambda: the path is fitted down to ``lam`` (the grid plus ``lam``) and
        the exact solution at ``lam`` is reported; no selection is run.
    select : {"cv_1se", "cv_min", "aic", "bic", "ebic"}, float or None
        How lambda is chosen; a number is the same as ``lam=``; None takes the
        smallest lambda of the path.
    nlambda, lambda_min_ratio, lambdas
        The lambda grid (glmnet's defaults: 100 values down to 1e-4 of the largest,
        or 1e-2 when n < p).
    penalty_factor : dict or array, optional
        Relative penalty per design column; a dict (or a pandas Series labelled by
        name) may name design columns or formula terms (a term applies to all its
        columns), others get 1. 0 = unpenalized.
    weights : str or array, optional
        A column name of ``data`` or one non-negative weight per row.
    standardize : bool
    na_action : {"drop", "raise"}
        Rows with missing values in a variable of the formula are dropped (and
        counted) or refused.
    positive : optional
        Binomial: the response value coded 1 (default the second sorted value).
    nfolds, foldid, measure, gamma, seed, n_jobs, progress
        Passed to :func:`penstat.select.select_lambda`; ``foldid`` may be a column
        name (grouped folds) or one label per row of ``data``.
    stratify : bool, optional
        Random CV folds dealt by class so that every fold holds both classes among
        its rows of positive weight; binomial only, and the default there.
        Resampling replicates (``bootstrap``) use the default.
    tol, max_iter
        Solver tolerance and the limit on coordinate-descent sweeps.
    offset : str or array, optional
        A column name of ``data`` or one number per row of ``data``, added to each
        row's linear predictor with a fixed coefficient of 1 (glmnet's ``offset``):
        gaussian fits ``y - offset``, binomial adds it to the log-odds. Left out of
        ``.``; it enters the null model, lambda_max, the deviances, every CV fold
        (split with the rows) and the information criteria. As for ``weights``, a
        missing or infinite offset in a row that is used is refused, whatever
        ``na_action``. :meth:`PenalizedFit.predict` reads an offset column from
        ``newdata``; an array offset needs ``offset=`` there.
    lower_limits, upper_limits : number, dict or array, optional
        Limits on the coefficients, on the original scale of the design columns
        (glmnet's ``lower.limits`` / ``upper.limits``); ``lower_limits <= 0 <=
        upper_limits``, ``-np.inf`` / ``np.inf`` leave a side free. A number applies
        to every penalized column (unpenalized ones stay free); a dict may name
        formula terms (all their columns) or design columns (a column's own entry
        wins), others are free, and so may a pandas Series labelled by name; an
        array gives one value per design column. Columns
        with ``penalty_factor`` 0 cannot take a finite limit. ``lower_limits=0`` is
        the non-negative lasso. CV folds, the ``l1_ratio`` search, the criteria and
        the resampling replicates all fit with the same limits.

    Returns
    -------
    PenalizedFit

    Examples
    --------
    >>> import penstat as ps
    >>> df = ps.datasets.load("diabetes")
    >>> shifted = ps.fit("y ~ bmi + bp", df.assign(base=100.0), offset="base", lam=1.0)
    >>> round(shifted.intercept - ps.fit("y ~ bmi + bp", df, lam=1.0).intercept, 6)
    -100.0
    >>> df = ps.datasets.load("breast_cancer")
    >>> fit = ps.fit("diagnosis ~ radius_mean + texture_mean", df, family="binomial",
    ...              lam=0.01)
    >>> fit.design.positive
    'malignant'
    """
    fam = get_family(family)
    stratify = check_stratify(stratify, fam.name)
    l1 = resolve_penalty(penalty, l1_ratio)
    rule, lam = resolve_select(select, lam)
    if isinstance(l1, tuple) and lam is not None:
        raise ArgumentError(
            "a list of l1_ratio is chosen by a selection rule; give a single l1_ratio "
            "with lam=, or drop lam= and use select='cv_1se' (or another rule)"
        )
    exclude = [c for c in (weights, foldid, offset) if isinstance(c, str)]
    design = build_design(
        formula,
        data,
        fam,
        weights=weights,
        na_action=na_action,
        positive=positive,
        exclude=exclude,
        eval_env=_caller_env(),
        offset=offset,
    )
    folds = None if foldid is None else design.rows_of(foldid, "foldid")
    pf = resolve_penalty_factor(penalty_factor, design)
    lower, upper = resolve_limits(lower_limits, upper_limits, design, pf)
    recipe = FitRecipe(
        formula=formula,
        family=fam.name,
        penalty=penalty,
        l1_ratio=l1,
        lam=lam,
        select=rule,
        nlambda=_check_int(nlambda, "nlambda", 1),
        lambda_min_ratio=lambda_min_ratio,
        lambdas=None if lambdas is None else tuple(np.asarray(lambdas, float).ravel()),
        penalty_factor=pf,
        weights=design.weights,
        standardize=bool(standardize),
        fit_intercept=design.has_intercept,
        na_action=na_action,
        positive=design.positive,
        nfolds=nfolds,
        foldid=folds,
        measure=measure,
        gamma=gamma,
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
        tol=float(tol),
        max_iter=_check_int(max_iter, "max_iter", 1),
        stratify=stratify,
        offset=design.offset,
        offset_column=design.offset_column,
        lower_limits=lower,
        upper_limits=upper,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fit_arrays(
            design.X, design.y, design.weights, folds, recipe, offset=design.offset
        )
    path = dataclasses.replace(out.path, column_names=list(design.columns))
    return PenalizedFit(
        design,
        path,
        out.index,
        recipe,
        selection=out.selection,
        l1_ratio=out.l1_ratio,
        l1_ratio_table=out.l1_ratio_table,
        warnings=_replay(caught),
    )


def _replay(caught) -> tuple[str, ...]:
    """Show the warnings recorded during a fit again, each distinct one once (a CV
    fold raises the same warning as the full fit), and return the texts of
    penstat's own (separation, convergence) for the summary and the report."""
    seen: set = set()
    kept: list[str] = []
    for w in caught:
        key = (w.category, str(w.message), w.filename, w.lineno)
        if key in seen:
            continue
        seen.add(key)
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        text = str(w.message)
        if issubclass(w.category, (SeparationWarning, ConvergenceWarning)):
            if text not in kept:
                kept.append(text)
    return tuple(kept)


def lasso(formula: str, data: pd.DataFrame, **kwargs) -> PenalizedFit:
    """L1-penalized regression; :func:`fit` with ``penalty="l1"``.

    Examples
    --------
    >>> import penstat as ps
    >>> ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0).df
    3
    """
    _no_override(kwargs, "penalty", "lasso")
    return fit(formula, data, penalty="l1", **kwargs)


def ridge(formula: str, data: pd.DataFrame, **kwargs) -> PenalizedFit:
    """L2-penalized (ridge) regression; :func:`fit` with ``penalty="l2"``.

    Examples
    --------
    >>> import penstat as ps
    >>> ps.ridge("y ~ .", ps.datasets.load("diabetes"), lam=10.0).df
    10
    """
    _no_override(kwargs, "penalty", "ridge")
    return fit(formula, data, penalty="l2", **kwargs)


def elastic_net(
    formula: str, data: pd.DataFrame, l1_ratio: float | list[float] = 0.5, **kwargs
) -> PenalizedFit:
    """Elastic net; :func:`fit` with ``penalty="elasticnet"`` (``l1_ratio`` default 0.5).

    Examples
    --------
    >>> import penstat as ps
    >>> ps.elastic_net("y ~ .", ps.datasets.load("diabetes"), lam=1.0).l1_ratio
    0.5
    """
    _no_override(kwargs, "penalty", "elastic_net")
    return fit(formula, data, penalty="elasticnet", l1_ratio=l1_ratio, **kwargs)


# -- the engine shared by the fit and its resampling replicates --------------------


@dataclass
class ArrayFit:
    """What :func:`fit_arrays` returns: the path, the position of the chosen lambda."""

    path: Any
    index: int
    selection: Any = None
    l1_ratio: float = 1.0
    l1_ratio_table: pd.DataFrame | None = None


def fit_arrays(
    X, y, weights, foldid, recipe: FitRecipe, grid=None, offset=None
) -> ArrayFit:
    """Run the recipe's path and lambda rule on arrays.

    With a fixed ``recipe.lam`` the path is fitted on the default grid (or
    ``recipe.lambdas``) with ``lam`` inserted, so the solution at ``lam`` is exact.
    ``grid`` (resampling at a fixed lambda) replaces that grid by its values above
    ``lam`` followed by ``lam``. ``recipe.stratify`` is passed to the
    cross-validation (None: stratified for binomial). ``offset`` is the offset of
    these rows (like ``weights`` and ``foldid``); it is required when the recipe
    has one (``recipe.offset`` is that of the full design's rows). The coefficient
    limits are per column, not per row: they come with the recipe
    (``recipe.lower_limits`` / ``recipe.upper_limits``, through
    :meth:`FitRecipe.path_options`) into every path, fold and replicate.
    """
    from penstat.path import fit_path

    if (offset is None) != (recipe.offset is None):
        raise ArgumentError(
            "offset: the recipe was fitted with an offset, pass offset= for these rows"
            if offset is None
            else "offset: the recipe has no offset; fit with offset= to use one"
        )

    options = recipe.path_options()
    user_grid = None if recipe.lambdas is None else np.asarray(recipe.lambdas, float)
    grid_options = {"nlambda": recipe.nlambda, "lambda_min_ratio": recipe.lambda_min_ratio}

    if isinstance(recipe.l1_ratio, tuple):
        from penstat.select import select_l1_ratio

        found = select_l1_ratio(
            X,
            y,
            list(recipe.l1_ratio),
            rule=recipe.select,
            weights=weights,
            fit_options={**options, **grid_options, "lambdas": user_grid},
            offset=offset,
            nfolds=recipe.nfolds,
            foldid=foldid,
            stratify=recipe.stratify,
            measure=recipe.measure,
            gamma=recipe.gamma,
            seed=recipe.seed,
            n_jobs=recipe.n_jobs,
            progress=recipe.progress,
        )
        l1, path, selection, table = found
        return ArrayFit(path, int(selection.index), selection, float(l1), table)

    l1 = float(recipe.l1_ratio)
    if recipe.lam is not None:
        path, index = path_to_lam(
            X,
            y,
            recipe.lam,
            l1_ratio=l1,
            weights=weights,
            path_options=options,
            lambdas=user_grid if grid is None else grid,
            full_grid=grid is None,
            offset=offset,
            **grid_options,
        )
        return ArrayFit(path, index, None, l1)

    path = fit_path(
        X,
        y,
        l1_ratio=l1,
        lambdas=user_grid,
        weights=weights,
        offset=offset,
        **grid_options,
        **options,
    )
    if recipe.select is None:
        return ArrayFit(path, len(path.lambdas) - 1, None, l1)
    from penstat.select import select_lambda

    selection = select_lambda(
        path,
        X,
        y,
        rule=recipe.select,
        weights=weights,
        fit_options={**options, "l1_ratio": l1},
        offset=offset,
        nfolds=recipe.nfolds,
        foldid=foldid,
        stratify=recipe.stratify,
        measure=recipe.measure,
        gamma=recipe.gamma,
        seed=recipe.seed,
        n_jobs=recipe.n_jobs,
        progress=recipe.progress,
    )
    return ArrayFit(path, int(selection.index), selection, l1)


# -- argument resolution -------------------------------------------------------------


def resolve_penalty_factor(penalty_factor, design) -> np.ndarray | None:
    """Penalty factors per design column from a dict (columns or terms) or an array.

    Examples
    --------
    >>> import pandas as pd
    >>> from penstat.design import build_design
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 5], "x": [1.0, 0, 2, 3],
    ...                    "g": ["a", "b", "c", "a"]})
    >>> d = build_design("y ~ x + g", df)
    >>> resolve_penalty_factor({"g": 0, "x": 2}, d).tolist()
    [0.0, 0.0, 2.0]
    """
    if penalty_factor is None:
        return None
    p = len(design.columns)
    penalty_factor = _labels_as_dict(penalty_factor)
    if isinstance(penalty_factor, dict):
        pf = np.ones(p)
        for key, cols in _named_columns(penalty_factor, design, "penalty_factor"):
            value = _factor_value(penalty_factor[key], key)
            for j, _ in cols:
                pf[j] = value
        return pf
    arr = np.asarray(penalty_factor, dtype=float)
    if arr.shape != (p,):
        raise ArgumentError(
            f"penalty_factor has shape {arr.shape}; give one value per design column "
            f"({p}: {design.columns}) or a dict of column / term names"
        )
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ArgumentError("penalty_factor values must be finite and >= 0")
    return arr


def _named_columns(mapping, design, name: str) -> list[tuple[str, list[tuple[int, str]]]]:
    """The keys of a dict naming formula terms or design columns, each with its
    columns as (position, name): terms first, then columns, so that a column's own
    entry, applied last, wins over its term's. Unknown names are refused."""
    position = {c: j for j, c in enumerate(design.columns)}
    unknown = [k for k in mapping if k not in design.terms and k not in position]
    if unknown:
        valid = list(dict.fromkeys([*design.terms, *design.columns]))
        raise ArgumentError(
            f"{name} names {unknown} that are neither formula terms nor design "
            f"columns; valid names: {valid}"
        )
    keys = sorted(mapping, key=lambda k: k in position and k not in design.terms)
    return [(k, [(position[c], c) for c in design.terms.get(k, [k])]) for k in keys]


def _labels_as_dict(value):
    """A pandas Series labelled by names (not by position) as the dict it means, so
    that its values go to the columns or terms its labels name, whatever its order."""
    if isinstance(value, pd.Series) and not pd.api.types.is_integer_dtype(value.index):
        return value.to_dict()
    return value


def resolve_limits(lower_limits, upper_limits, design, penalty_factor=None):
    """Coefficient limits per design column: ``(lower, upper)``, each a (p,) array or
    None when that side limits nothing.

    A number applies to the penalized columns (``penalty_factor`` > 0; unpenalized
    columns and the intercept stay free); a dict names formula terms (all their
    columns) or design columns (a column's own entry wins over its term's), others
    are free; an array has one value per design column. ``-inf`` / ``inf`` leave a
    side free. A finite limit named for an unpenalized column is refused.

    Examples
    --------
    >>> import pandas as pd
    >>> from penstat.design import build_design
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 5], "x": [1.0, 0, 2, 3],
    ...                    "g": ["a", "b", "c", "a"]})
    >>> d = build_design("y ~ x + g", df)
    >>> lower, upper = resolve_limits({"g": 0}, {"x": 2}, d)
    >>> lower.tolist(), upper.tolist()
    ([0.0, 0.0, -inf], [inf, inf, 2.0])
    """
    p = len(design.columns)
    pf = np.ones(p) if penalty_factor is None else np.asarray(penalty_factor, float)
    penalized = pf > 0
    out = []
    for value, name, side in (
        (lower_limits, "lower_limits", -1.0),
        (upper_limits, "upper_limits", 1.0),
    ):
        arr = _limit_side(value, name, side, design, penalized)
        out.append(None if arr is None or np.isinf(arr).all() else arr)
    return out[0], out[1]


def _limit_side(value, name, side, design, penalized) -> np.ndarray | None:
    """One side of the limits as a (p,) array (see :func:`resolve_limits`)."""
    if value is None:
        return None
    value = _labels_as_dict(value)
    columns = list(design.columns)
    p = len(columns)
    free = side * np.inf
    if isinstance(value, Mapping):
        arr = np.full(p, free)
        source = {}
        for key, cols in _named_columns(value, design, name):
            limit = _limit_value(value[key], f"{name}[{key!r}]", side)
            for j, c in cols:
                arr[j] = limit
                source[c] = key
        _refuse_unpenalized(arr, name, columns, penalized, source)
        return arr
    if np.ndim(value) == 0:
        if isinstance(value, str):
            raise ArgumentError(
                f"{name}={value!r} must be a number, a dict of term / column names, "
                "or one number per design column"
            )
        limit = _limit_value(value, name, side)
        return np.where(penalized, limit, free)
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"{name} must be a number, a dict of term / column names, or one number "
            f"per design column ({p}: {columns})"
        ) from None
    if arr.shape != (p,):
        raise ArgumentError(
            f"{name} has shape {arr.shape}; give one value per design column "
            f"({p}: {columns}), a number, or a dict of column / term names"
        )
    for j, c in enumerate(columns):
        _limit_value(arr[j], f"{name}[{c!r}]", side)
    _refuse_unpenalized(arr, name, columns, penalized, {})
    return arr


def _limit_value(value, name, side) -> float:
    if isinstance(value, (np.generic, np.ndarray)) and np.ndim(value) == 0:
        value = value.item()
    v = real_number(value, name, "a number (-inf / inf for no limit)")
    if np.isnan(v):
        raise ArgumentError(f"{name} is NaN; use -inf / inf for no limit")
    if side * v < 0:
        word = "<= 0" if side < 0 else ">= 0"
        raise ArgumentError(
            f"{name}={value!r}: limits must be {word} (as glmnet's), so that a "
            "coefficient of 0 stays allowed; use -inf / inf for no limit"
        )
    return v


def _refuse_unpenalized(arr, name, columns, penalized, source) -> None:
    bad = [c for j, c in enumerate(columns) if not penalized[j] and np.isfinite(arr[j])]
    if not bad:
        return
    given = {source.get(c, c) for c in bad}
    via = "" if given <= set(bad) else f" (through {sorted(given)})"
    raise ArgumentError(
        f"{name} gives a finite limit to unpenalized column(s) {bad}{via}; limits "
        "apply to penalized columns only: leave them out, give -inf / inf there, or "
        "give them a penalty_factor > 0"
    )


def _factor_value(value, name) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ArgumentError(f"penalty_factor[{name!r}]={value!r} is not a number") from None
    if not np.isfinite(v) or v < 0:
        raise ArgumentError(f"penalty_factor[{name!r}]={value!r} must be finite and >= 0")
    return v


def _check_int(value, name, low) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ArgumentError(f"{name}={value!r} must be an integer >= {low}")
    return int(value)


def _caller_env():
    """The namespace of the code that called the public entry point, plus ``np``.

    Names in a formula that are not columns (a user's own function, say) are looked
    up there, as R looks them up in the formula's environment.
    """
    import sys

    import patsy

    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    if frame is None:  # pragma: no cover - called from this module only
        return patsy.EvalEnvironment([{"np": np}])
    return patsy.EvalEnvironment([frame.f_locals, frame.f_globals, {"np": np}])


def _no_override(kwargs, key, where):
    if key in kwargs:
        raise ArgumentError(f"{where}() sets {key}; use penstat.fit() to choose it")
