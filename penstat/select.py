"""Choosing lambda on a path: cross-validation (as ``cv.glmnet``) and information criteria.

>>> import numpy as np, penstat as ps  # doctest: +SKIP
>>> from penstat.select import select_lambda  # doctest: +SKIP
>>> path = ps.fit_path(X, y)  # doctest: +SKIP
>>> sel = select_lambda(path, X, y, rule="cv_1se", seed=0)  # doctest: +SKIP
>>> sel.lam, sel.cv.lam_min, sel.describe()  # doctest: +SKIP

Cross-validation reproduces ``cv.glmnet`` number for number (with ``grouped=TRUE``
and the full data's lambda sequence given to every fold): each fold refits the path
on the other folds, the held-out fold is predicted at every lambda, the measure is
averaged within each fold with the observation weights, ``cvm`` is the mean of the
fold values weighted by the fold's total weight and ``cvsd`` their weighted standard
deviation divided by ``sqrt(K - 1)``. With fewer than three observations per fold
the measure is averaged over observations instead (glmnet's ``grouped=FALSE``), with
a warning. ``"auc"`` is computed within each fold and needs at least ten observations
per fold; otherwise, as glmnet, the deviance is used with a warning.

A path fitted with an ``offset`` is cross-validated with it, as ``cv.glmnet``: each
fold is fitted with the offset of its training rows and the held-out rows are
predicted with their own offset, so every measure sees predictions that include it.
The information criteria use the offset in the log-likelihood.

A path fitted with coefficient limits (``lower_limits`` / ``upper_limits``) is
cross-validated with them: every fold is fitted with the path's limits (taken from
the path when ``fit_options`` leaves them out). The criteria count as free only the
coefficients strictly inside their limits (see :mod:`penstat.criteria`).
"""

from __future__ import annotations

import numbers
import sys
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError, DataError, warn_user
from penstat._folds import check_foldid, check_nfolds, check_stratify, make_folds
from penstat._limits import path_limits
from penstat.criteria import (
    CRITERIA,
    best_index,
    check_gamma,
    check_offset,
    criteria_table,
)
from penstat.family import get_family
from penstat.penalty import check_l1_ratio

CV_RULES = ("cv_1se", "cv_min")
RULES = CV_RULES + CRITERIA
MEASURES = {
    "gaussian": ("mse", "mae"),
    "binomial": ("deviance", "class", "auc", "mse", "mae"),
}
MEASURE_NAMES = {
    "mse": "mean squared error",
    "mae": "mean absolute error",
    "deviance": "binomial deviance",
    "class": "misclassification error",
    "auc": "AUC",
}
# glmnet's cv.lognet clips probabilities to [1e-5, 1 - 1e-5] for the deviance
PROB_MIN = 1e-5
# fit_path options that describe the lambda grid, replaced by the full path's lambdas
_GRID_OPTIONS = ("lambdas", "nlambda", "lambda_min_ratio")


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
        """One row per lambda: lambda, df, cv_mean, cv_se, cv_lo, cv_up, n_folds."""
        return pd.DataFrame(
            {
                "lambda": self.lambdas,
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
        from penstat.plots.selection import plot_cv

        return plot_cv(self, ax=ax)


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
        Per lambda: ``lambda``, ``df`` and either ``cv_mean``, ``cv_se``, ``cv_lo``,
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
        if self.cv is not None:
            return self.cv.plot(ax=ax)
        from penstat.plots.selection import plot_criteria

        return plot_criteria(self, ax=ax)


class L1RatioSearch(NamedTuple):
    """Result of :func:`select_l1_ratio`: the chosen mix, its path and selection."""

    l1_ratio: float
    path: Any
    selection: Selection
    table: pd.DataFrame


def _fmt(x) -> str:
    return "nan" if x is None or not np.isfinite(x) else f"{x:.4g}"


# --------------------------------------------------------------------------- checks


def check_rule(rule) -> str | float:
    """Return the rule name, or the float lambda of a fixed rule."""
    if isinstance(rule, str):
        if rule not in RULES:
            raise ArgumentError(
                f"select={rule!r} is not a rule; use one of: {', '.join(RULES)}, "
                "or a number (a fixed lambda)"
            )
        return rule
    if isinstance(rule, numbers.Real) and not isinstance(rule, bool):
        lam = float(rule)
        if not np.isfinite(lam) or lam < 0:
            raise ArgumentError(
                f"a fixed lambda must be finite and >= 0, got select={rule!r}"
            )
        return lam
    raise ArgumentError(
        f"select={rule!r} is not a rule; use one of: {', '.join(RULES)}, "
        "or a number (a fixed lambda)"
    )


def check_measure(measure, family: str) -> str:
    """Validate ``measure`` for ``family`` (default: mse or deviance)."""
    valid = MEASURES[family]
    if measure is None:
        return valid[0]
    if not isinstance(measure, str) or measure not in MEASURE_NAMES:
        raise ArgumentError(
            f"measure={measure!r} is not a CV measure; use one of: "
            + ", ".join(MEASURE_NAMES)
        )
    if measure not in valid:
        raise ArgumentError(
            f"measure={measure!r} is not available for the {family} family; "
            f"use one of: {', '.join(valid)}"
        )
    return measure


def _check_data(X, y, weights):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if X.ndim != 2:
        raise DataError(f"X must be a 2-d array, got shape {X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise DataError(f"y has shape {y.shape} but X has {X.shape[0]} rows")
    if weights is not None:
        weights = np.asarray(weights, dtype=float)
        if weights.shape != y.shape:
            raise DataError(f"weights has shape {weights.shape}, expected ({y.shape[0]},)")
    return X, y, weights


def _options_from_path(path, fit_options) -> dict:
    if fit_options is None:
        options = {
            "family": _family_name(path.family),
            "l1_ratio": path.l1_ratio,
            "penalty_factor": getattr(path, "penalty_factor", None),
            "standardize": getattr(path, "standardize", True),
            "fit_intercept": getattr(path, "fit_intercept", True),
        }
    else:
        options = dict(fit_options)
    for key in _GRID_OPTIONS:
        options.pop(key, None)
    return _with_path_limits(path, options)


_LIMIT_OPTIONS = ("lower_limits", "upper_limits")


def _with_path_limits(path, options: dict) -> dict:
    """``options`` with the coefficient limits ``path`` was fitted with, so that
    every fold is fitted with them; limits in ``options`` that differ are refused."""
    if not any(hasattr(path, key) for key in _LIMIT_OPTIONS):
        return options  # not a penstat Path: the options are all there is
    limits = path_limits(path)
    p = np.asarray(path.coefs).shape[-1]
    for key, side, mine in zip(
        _LIMIT_OPTIONS,
        (-np.inf, np.inf),
        (None, None) if limits is None else limits,
        strict=True,
    ):
        given = options.pop(key, None)
        if given is not None:
            try:
                values = np.broadcast_to(np.asarray(given, dtype=float), (p,))
            except (TypeError, ValueError):
                values = None
            expected = np.full(p, side) if mine is None else mine
            if values is None or not np.array_equal(values, expected):
                raise ArgumentError(
                    f"fit_options {key} differs from the {key} the path was fitted "
                    "with; cross-validation refits with the path's own (leave it out "
                    "of fit_options)"
                )
        if mine is not None:
            options[key] = mine
    return options


def _offset_argument(offset, fit_options):
    """``offset``, or the one given among ``fit_options`` (as ``fit_path`` takes it)."""
    if offset is None and fit_options is not None:
        return fit_options.get("offset")
    return offset


def _family_name(family) -> str:
    return get_family(family).name


def _n_obs(weights, n: int) -> int:
    return n if weights is None else int(np.count_nonzero(weights > 0))


def _nearest_index(lambdas: np.ndarray, lam: float) -> int:
    """Grid point nearest to ``lam`` on the log scale (the smallest lambda for 0)."""
    positive = lambdas > 0
    if lam <= 0 or not positive.any():
        return int(np.argmin(lambdas))
    gaps = np.full(lambdas.shape, np.inf)
    gaps[positive] = np.abs(np.log(lambdas[positive]) - np.log(lam))
    return int(np.argmin(gaps))


# --------------------------------------------------------------------------- select


def select_lambda(
    path,
    X,
    y,
    rule: str | float = "cv_1se",
    weights=None,
    fit_options: dict | None = None,
    nfolds: int = 10,
    foldid=None,
    measure: str | None = None,
    stratify: bool | None = None,
    gamma: float | None = None,
    seed: int | np.random.Generator | None = None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    offset=None,
) -> Selection:
    """Choose lambda on ``path`` by cross-validation or an information criterion.

    Parameters
    ----------
    path : Path
        The full-data path (from :func:`penstat.fit_path`).
    X, y : arrays
        The data ``path`` was fitted on.
    rule : str or float
        ``"cv_1se"`` (largest lambda within one SE of the minimum CV error),
        ``"cv_min"``, ``"aic"``, ``"bic"``, ``"ebic"``, or a number: that lambda.
    weights : array, optional
        Observation weights used for the fit.
    fit_options : dict, optional
        The :func:`penstat.fit_path` keyword arguments that produced ``path``
        (family, l1_ratio, penalty_factor, standardize, fit_intercept, tol,
        max_iter); each fold refits with them at ``path.lambdas``. Default: read
        from ``path``.
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
    offset : array (n,), optional
        The offset ``path`` was fitted with (required then, refused otherwise; may
        also come in ``fit_options``). CV folds are fitted and predicted with the
        offset of their rows; the criteria include it in the log-likelihood.

    Returns
    -------
    Selection

    Examples
    --------
    >>> sel = select_lambda(path, X, y, rule="cv_min", nfolds=5, seed=1)  # doctest: +SKIP
    >>> sel.lam == sel.cv.lam_min  # doctest: +SKIP
    True
    """
    rule = check_rule(rule)
    X, y, weights = _check_data(X, y, weights)
    offset = _offset_argument(offset, fit_options)
    lambdas = np.asarray(path.lambdas, dtype=float)
    family = _family_name(path.family)
    nonzero = np.count_nonzero(np.asarray(path.coefs), axis=1)
    if isinstance(rule, float):
        index = _nearest_index(lambdas, rule)
        table = pd.DataFrame({"lambda": lambdas, "df": nonzero})
        return Selection(rule="fixed", lam=rule, index=index, table=table)
    if rule in CRITERIA:
        table = criteria_table(path, X, y, weights, gamma=gamma, offset=offset)
        index = best_index(table[rule].to_numpy(), lambdas)
        if index < 0:
            raise DataError(
                f"{rule} is undefined at every lambda of the path (the fits are saturated: "
                "as many parameters as observations); use a CV rule"
            )
        return Selection(
            rule=rule,
            lam=float(lambdas[index]),
            index=index,
            table=table,
            measure=rule,
            family=family,
            gamma=check_gamma(gamma, _n_obs(weights, X.shape[0]), X.shape[1]),
        )
    cv = cross_validate(
        path,
        X,
        y,
        weights=weights,
        fit_options=fit_options,
        nfolds=nfolds,
        foldid=foldid,
        measure=measure,
        stratify=stratify,
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
        offset=offset,
    )
    index = cv.index_1se if rule == "cv_1se" else cv.index_min
    return Selection(
        rule=rule,
        lam=float(lambdas[index]),
        index=index,
        table=cv.to_frame(),
        lam_min=cv.lam_min,
        lam_1se=cv.lam_1se,
        cv=cv,
        measure=cv.measure,
    )


def resolve_folds(
    n, y, family, nfolds=10, foldid=None, stratify=None, seed=None, weights=None
):
    """Fold labels ``0 .. K-1``: the user's ``foldid``, or random (stratified) folds.

    Stratified folds deal the classes over the rows of positive weight only (see
    :func:`penstat._folds.make_folds`).
    """
    if foldid is not None:
        return check_foldid(foldid, n)
    nfolds = check_nfolds(nfolds, n)
    stratify = check_stratify(stratify, family)
    if stratify is None:
        stratify = family == "binomial"
    return make_folds(n, nfolds, y=y, stratify=bool(stratify), seed=seed, weights=weights)


def cross_validate(
    path,
    X,
    y,
    weights=None,
    fit_options=None,
    nfolds=10,
    foldid=None,
    measure=None,
    stratify=None,
    seed=None,
    n_jobs=None,
    progress=None,
    offset=None,
) -> CVResult:
    """K-fold cross-validation of ``path`` as ``cv.glmnet`` does it.

    Arguments as :func:`select_lambda`. Returns a :class:`CVResult`.
    """
    X, y, weights = _check_data(X, y, weights)
    family = _family_name(path.family)
    measure = check_measure(measure, family)
    n = X.shape[0]
    options = _options_from_path(path, fit_options)
    offset = check_offset(path, _offset_argument(offset, options), n)
    options.pop("offset", None)
    if "weights" in options:
        given = options.pop("weights")
        weights = weights if weights is not None else given
        if weights is not None:
            weights = np.asarray(weights, dtype=float)
    folds = resolve_folds(n, y, family, nfolds, foldid, stratify, seed, weights)
    lambdas = np.asarray(path.lambdas, dtype=float)
    eta = _fold_predictions(
        X, y, weights, folds, lambdas, options, n_jobs, progress, offset
    )
    w = np.ones(n) if weights is None else weights
    return _cv_statistics(eta, y, w, folds, lambdas, measure, path)


def _fold_predictions(
    X, y, weights, folds, lambdas, options, n_jobs, progress, offset=None
) -> np.ndarray:
    """Held-out linear predictor of every observation at every lambda, (n, nlam),
    offset included (each fold is fitted with its training rows' offset)."""
    from joblib import Parallel, delayed

    nfold = int(folds.max()) + 1
    tasks = []
    for k in range(nfold):
        train = folds != k
        wk = None if weights is None else weights[train]
        ok = None if offset is None else offset[train]
        tasks.append(delayed(_fit_fold)(X[train], y[train], wk, lambdas, options, k, ok))
    results = Parallel(n_jobs=n_jobs, return_as="generator")(tasks)
    if _show_progress(progress):
        from tqdm.auto import tqdm

        results = tqdm(results, total=nfold, desc="cross-validation", unit="fold")
    eta = np.empty((X.shape[0], lambdas.size))
    for k, (intercepts, coefs) in enumerate(results):
        test = folds == k
        fitted = intercepts.shape[0]
        eta[test, :fitted] = _predict(X[test], coefs) + intercepts
        if offset is not None:
            eta[test, :fitted] += offset[test][:, None]
        # a fold that stopped early is carried forward at its last lambda, as glmnet
        eta[test, fitted:] = eta[test, fitted - 1 : fitted]
    return eta


def _predict(X: np.ndarray, coefs: np.ndarray) -> np.ndarray:
    """``X @ coefs.T``. Small products avoid multithreaded BLAS, whose start-up costs
    more than the product itself (and much more on a busy machine)."""
    if X.shape[0] * X.shape[1] * coefs.shape[0] < 5_000_000:
        return np.einsum("ij,kj->ik", X, coefs)
    return X @ coefs.T


def _fit_fold(X, y, weights, lambdas, options, k, offset=None):
    from penstat.path import fit_path

    try:
        fold_path = fit_path(
            X, y, lambdas=lambdas, weights=weights, offset=offset, **options
        )
    except DataError as exc:
        raise DataError(f"fitting the path without CV fold {k} failed: {exc}") from exc
    return np.asarray(fold_path.intercepts, dtype=float), np.asarray(
        fold_path.coefs, dtype=float
    )


def _show_progress(progress) -> bool:
    if progress is None:
        return bool(getattr(sys.stderr, "isatty", lambda: False)())
    return bool(progress)


def _cv_statistics(eta, y, w, folds, lambdas, measure, path) -> CVResult:
    n = y.shape[0]
    nfold = int(folds.max()) + 1
    fold_weights = np.bincount(folds, weights=w, minlength=nfold)
    grouped = True
    if measure == "auc" and n / nfold < 10:
        warn_user(
            "fewer than 10 observations per fold for measure='auc'; using measure="
            "'deviance' instead (as cv.glmnet). Use fewer folds to get the AUC.",
            UserWarning,
        )
        measure = "deviance"
    if measure == "auc":
        fold_values = np.array(
            [
                _auc_columns(y[folds == k], eta[folds == k], w[folds == k])
                for k in range(nfold)
            ]
        )
        cvm, cvsd, counts = _weighted_stats(fold_values, fold_weights)
    else:
        raw = _raw_measure(eta, y, measure, _family_name(path.family))
        fold_values = np.array(
            [_nan_weighted_mean(raw[folds == k], w[folds == k]) for k in range(nfold)]
        )
        if n / nfold < 3:
            warn_user(
                "fewer than 3 observations per fold: the CV error is averaged over "
                "observations (cv.glmnet's grouped=FALSE)",
                UserWarning,
            )
            grouped = False
            cvm, cvsd, counts = _weighted_stats(raw, w)
            counts = np.full(lambdas.size, nfold)
        else:
            cvm, cvsd, counts = _weighted_stats(fold_values, fold_weights)
    index_min, index_1se = _optimal_indices(
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


def _raw_measure(eta, y, measure, family) -> np.ndarray:
    """Per observation and lambda loss (glmnet's cvelnet / cvlognet ``cvraw``)."""
    yc = y[:, None]
    if family == "gaussian":
        resid = yc - eta
        return resid**2 if measure == "mse" else np.abs(resid)
    prob = _expit(eta)
    if measure == "deviance":
        prob = np.clip(prob, PROB_MIN, 1.0 - PROB_MIN)
        return -2.0 * (yc * np.log(prob) + (1.0 - yc) * np.log1p(-prob))
    if measure == "class":
        return yc * (prob <= 0.5) + (1.0 - yc) * (prob > 0.5)
    # glmnet sums the loss over both columns of the one-hot response: twice (y - p)
    resid = yc - prob
    return 2.0 * resid**2 if measure == "mse" else 2.0 * np.abs(resid)


def _expit(eta):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-eta))


def _nan_weighted_mean(values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Column means weighted by ``w``, skipping NaN and inf (R's weighted.mean, na.rm)."""
    ok = np.isfinite(values)
    wm = np.where(ok, w[:, None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.where(ok, values, 0.0) * wm).sum(axis=0) / wm.sum(axis=0)


def _weighted_stats(values: np.ndarray, w: np.ndarray):
    """glmnet's cvstats: weighted mean and ``sqrt(weighted var / (N - 1))`` per column."""
    ok = np.isfinite(values)
    counts = ok.sum(axis=0)
    cvm = _nan_weighted_mean(values, w)
    dev2 = (values - cvm) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        cvsd = np.sqrt(_nan_weighted_mean(dev2, w) / (counts - 1))
    return cvm, cvsd, counts


def _optimal_indices(lambdas, cvm, cvsd, larger_is_better=False):
    """glmnet's getOptcv.glmnet: lambda.min (largest on ties) and lambda.1se."""
    score = -cvm if larger_is_better else cvm
    finite = np.isfinite(score)
    if not finite.any():
        raise DataError("the CV error is undefined at every lambda; check the folds")
    cvmin = np.min(score[finite])
    index_min = _largest_lambda(lambdas, finite & (score <= cvmin))
    bound = score[index_min] + cvsd[index_min]
    index_1se = _largest_lambda(lambdas, finite & (score <= bound))
    return index_min, index_1se


def _largest_lambda(lambdas, mask) -> int:
    candidates = np.flatnonzero(mask)
    return int(candidates[np.argmax(lambdas[candidates])])


def _auc_columns(y, eta, w) -> np.ndarray:
    """Weighted AUC of each column of ``eta`` (glmnet's auc.mat, survival's concordance).

    AUC = sum over pairs (negative i, positive j) of w_i w_j ([p_j > p_i] + [p_j == p_i]/2)
    over the sum of w_i w_j; ``p`` the predicted probabilities, as in glmnet.
    """
    pos = y == 1
    wp, wn = w[pos], w[~pos]
    denom = wp.sum() * wn.sum()
    out = np.full(eta.shape[1], np.nan)
    if denom <= 0:
        return out
    prob = _expit(eta)
    for j in range(eta.shape[1]):
        neg_scores = prob[~pos, j]
        order = np.argsort(neg_scores, kind="stable")
        sorted_scores = neg_scores[order]
        cum = np.concatenate([[0.0], np.cumsum(wn[order])])
        pos_scores = prob[pos, j]
        below = np.searchsorted(sorted_scores, pos_scores, side="left")
        upto = np.searchsorted(sorted_scores, pos_scores, side="right")
        less = cum[below]
        tied = cum[upto] - cum[below]
        out[j] = float(wp @ (less + 0.5 * tied)) / denom
    return out


# --------------------------------------------------------------------------- mix search


def select_l1_ratio(
    X,
    y,
    l1_ratios,
    rule: str = "cv_min",
    weights=None,
    fit_options: dict | None = None,
    nfolds: int = 10,
    foldid=None,
    measure: str | None = None,
    stratify: bool | None = None,
    gamma: float | None = None,
    seed: int | np.random.Generator | None = None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    offset=None,
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
    fit_options : dict, optional
        :func:`penstat.fit_path` keyword arguments other than ``l1_ratio`` and
        ``weights`` (family, penalty_factor, nlambda, tol, ...).
    weights, nfolds, foldid, measure, stratify, gamma, seed, n_jobs, progress
        As :func:`select_lambda`.
    offset : array (n,), optional
        Known part of each row's linear predictor (fixed coefficient 1): every
        mix's path, CV folds and criteria use it.

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
    >>> search = select_l1_ratio(X, y, [0.1, 0.5, 1.0], nfolds=5, seed=0)  # doctest: +SKIP
    >>> search.l1_ratio, search.selection.lam  # doctest: +SKIP
    """
    from penstat.path import fit_path

    rule = check_rule(rule)
    if not isinstance(rule, str):
        raise ArgumentError(
            "a fixed lambda cannot be combined with a search over l1_ratio; "
            f"use one of: {', '.join(RULES)}"
        )
    ratios = _check_l1_ratios(l1_ratios)
    X, y, weights = _check_data(X, y, weights)
    options = dict(fit_options or {})
    options.pop("l1_ratio", None)
    given = options.pop("offset", None)
    offset = given if offset is None else offset
    if offset is not None:
        offset = np.asarray(offset, dtype=float)
        if offset.shape != y.shape:
            raise DataError(f"offset has shape {offset.shape}, expected ({y.shape[0]},)")
    if "weights" in options:
        given = options.pop("weights")
        if weights is None and given is not None:
            weights = np.asarray(given, dtype=float)
    family = get_family(options.get("family", "gaussian")).name
    folds = None
    if rule in CV_RULES:
        measure = check_measure(measure, family)
        folds = resolve_folds(
            X.shape[0], y, family, nfolds, foldid, stratify, seed, weights
        )
    rows, fits = [], []
    for ratio in ratios:
        path = fit_path(X, y, l1_ratio=ratio, weights=weights, offset=offset, **options)
        selection = select_lambda(
            path,
            X,
            y,
            rule=rule,
            weights=weights,
            offset=offset,
            fit_options={**options, "l1_ratio": ratio},
            foldid=folds,
            measure=measure,
            gamma=gamma,
            n_jobs=n_jobs,
            progress=progress,
        )
        fits.append((path, selection))
        rows.append(_mix_row(ratio, selection))
    table = pd.DataFrame(rows)
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
