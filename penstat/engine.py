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
import scipy.sparse as sp
import statsmodels.api as sm

from penstat._errors import ArgumentError, CollinearityWarning, DataError, warn_user
from penstat._validation import dependent_columns
from penstat.selection.l1_ratio import search_l1_ratio
from penstat.selection.relax import RelaxedFit, choose_relaxed
from penstat.selection.result import Selection
from penstat.selection.rules import choose
from penstat.solver import Path, solve
from penstat.solver.fixed_lam import lam_path
from penstat.solver.relax import relax_path
from penstat.solver.separation import binomial_null_fit
from penstat.spec import FitSpec, SelectSpec

__all__ = [
    "ADAPTIVE_FACTOR_CAP",
    "AdaptiveInit",
    "EngineFit",
    "RowPaths",
    "RowRefit",
    "adaptive_init",
    "group_norms",
    "path_rows",
    "run",
    "run_rows",
]


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
    relax : RelaxedFit or None
        The relaxed lasso's refits and gamma (``select.relax``); :attr:`coef` and
        :attr:`intercept` are then the relaxed ones.

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
    relax: RelaxedFit | None = None

    @property
    def lam(self) -> float:
        """The chosen lambda."""
        return float(self.path.lambdas[self.index])

    @property
    def coef(self) -> np.ndarray:
        """(p,) coefficients at the chosen lambda (no intercept); relaxed ones for a
        relaxed fit."""
        if self.relax is not None:
            return self.relax.coef
        return np.asarray(self.path.coefs[self.index], dtype=float)

    @property
    def intercept(self) -> float:
        """The intercept at the chosen lambda (relaxed for a relaxed fit)."""
        if self.relax is not None:
            return self.relax.intercept
        return float(self.path.intercepts[self.index])


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
        relax = None
        if select.relax:
            gamma = 1.0 if select.relax_gamma is None else float(select.relax_gamma)
            relax = RelaxedFit(relax_path(path, X, y, rows=rows), gamma, index)
        return EngineFit(path, index, None, spec.l1_ratio, relax=relax)
    path = solve(X, y, spec, rows=rows)
    if select.relax:
        # the refits read their rows' active columns from X, the folds their rows
        selection, relax = choose_relaxed(path, X, y, select, rows=rows)
        return EngineFit(path, int(selection.index), selection, spec.l1_ratio, relax=relax)
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
    fixed: tuple | None = None,
    seed=None,
) -> EngineFit:
    """:func:`run` on the rows ``rows`` of ``X`` (repeats allowed: a bootstrap draw).

    The rows' weights, offset and fold labels come with them. ``fixed``, a tuple
    ``(lam, l1_ratio, grid)`` (or ``(lam, l1_ratio, grid, gamma)`` for a relaxed
    fit), fits at that lambda and mix on ``grid`` cut at ``lam`` (resampling at the
    fit's own lambda and gamma); otherwise the rule is re-applied inside
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
        lam, l1_ratio, grid = fixed[:3]
        gamma = fixed[3] if len(fixed) > 3 else None
        spec_r = spec_r.with_l1_ratio(l1_ratio).with_grid(np.asarray(grid, dtype=float))
        at = SelectSpec(rule=None, lam=lam, relax=gamma is not None, relax_gamma=gamma)
        return run(X, y[rows], spec_r, at, full_grid=False, rows=rows)
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


#: the largest adaptive penalty factor, relative to the smallest one (the column with
#: the largest initial coefficient): a zero or tiny initial coefficient gets this
ADAPTIVE_FACTOR_CAP = 1e6


@dataclass(frozen=True, eq=False)
class AdaptiveInit:
    """The initial fit of the adaptive lasso and the penalty factors made from it.

    Attributes
    ----------
    method : {"ols", "logistic", "ridge"}
        Unpenalized least squares / logistic regression (statsmodels) when there are
        more observations than columns (and, binomial, the classes are not
        separated), else ridge with lambda by CV (``cv_min``) on the engine.
    coef : numpy.ndarray
        (p,) initial coefficients (original scale).
    intercept : float
    lam : float or None
        The ridge lambda (None for an unpenalized initial fit).
    gamma : float
        The exponent: ``penalty_factor = 1 / |coef| ** gamma``.
    penalty_factor : numpy.ndarray
        (p,) the factors, capped at :data:`ADAPTIVE_FACTOR_CAP` times the smallest.
    capped : numpy.ndarray
        (p,) bool: the factor was capped (a zero or tiny initial coefficient).
    reason : str
        Why this method was used.
    seed : int or None
        The seed of the ridge CV folds.
    columns : list of str or None
        Names of the columns (set by the formula layer).
    groups : numpy.ndarray or None
        (p,) group index of each column for the adaptive group lasso (Wang & Leng
        2008): every column of group ``g`` then has the group's factor
        ``1 / ||coef_g||_2 ** gamma`` (and ``capped`` the group's flag); None for the
        adaptive lasso.
    terms : dict or None
        Formula term -> its columns (set by the formula layer), for
        :meth:`term_frame`.

    Examples
    --------
    >>> X = np.random.default_rng(0).standard_normal((40, 3))
    >>> init = adaptive_init(X, X @ [1.0, 0.5, 0.0], FitSpec(), SelectSpec())
    >>> init.method, init.penalty_factor.round(3)[:2].tolist()
    ('ols', [1.0, 2.0])
    """

    method: str
    coef: np.ndarray
    intercept: float
    lam: float | None
    gamma: float
    penalty_factor: np.ndarray
    capped: np.ndarray
    reason: str
    seed: int | None = None
    columns: list[str] | None = None
    groups: np.ndarray | None = None
    terms: dict | None = None

    def with_names(self, columns, terms=None) -> AdaptiveInit:
        """The same result with its columns (and formula terms) named."""
        terms = None if terms is None else {t: list(c) for t, c in dict(terms).items()}
        return dataclasses.replace(self, columns=list(columns), terms=terms)

    @property
    def init_norm(self) -> np.ndarray:
        """(p,) the size the factor of each column is made from: ``|coef_j|``, or for
        the adaptive group lasso the norm ``||coef_g||_2`` of the column's group."""
        if self.groups is None:
            return np.abs(self.coef)
        return group_norms(self.coef, self.groups)[self.groups]

    def term_frame(self) -> pd.DataFrame:
        """One row per formula term (the formula layer's names): ``group`` (the
        group index; None for the adaptive lasso), ``n_columns``, ``init_norm`` (the
        group's ``||coef_g||_2``; for the lasso the norm of the term's columns),
        ``penalty_factor`` and ``capped`` (of the group; for the lasso, the largest
        factor of the term's columns and whether any was capped).

        Examples
        --------
        >>> X = np.random.default_rng(0).standard_normal((40, 3))
        >>> spec = FitSpec.build(40, 3, groups=[0, 0, 1])
        >>> init = adaptive_init(X, X @ [3.0, 4.0, 1.0], spec, SelectSpec())
        >>> init = init.with_names(["a", "b", "c"], {"ab": ["a", "b"], "c": ["c"]})
        >>> init.term_frame()[["init_norm", "penalty_factor"]].round(6).values.tolist()
        [[5.0, 0.2], [1.0, 1.0]]
        """
        if self.terms is None or self.columns is None:
            raise ArgumentError("term_frame needs the names of the formula's terms")
        position = {c: j for j, c in enumerate(self.columns)}
        rows = {}
        for term, cols in self.terms.items():
            j = [position[c] for c in cols]
            if not j:
                continue
            rows[term] = {
                "group": None if self.groups is None else int(self.groups[j[0]]),
                "n_columns": len(j),
                "init_norm": float(np.linalg.norm(self.coef[j]))
                if self.groups is None
                else float(self.init_norm[j[0]]),
                "penalty_factor": float(np.max(self.penalty_factor[j])),
                "capped": bool(np.any(self.capped[j])),
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("term")

    def to_frame(self) -> pd.DataFrame:
        """One row per column: ``init_coef``, ``penalty_factor``, ``capped``."""
        return pd.DataFrame(
            {
                "init_coef": self.coef,
                "penalty_factor": self.penalty_factor,
                "capped": self.capped,
            },
            index=pd.Index(self.columns, name="column") if self.columns else None,
        )

    def describe(self) -> str:
        """The initial fit in words."""
        what = {
            "ols": "least squares",
            "logistic": "logistic regression",
            "ridge": "ridge, lambda by CV (minimum)",
        }[self.method]
        lam = "" if self.lam is None else f", lambda={self.lam:.4g}"
        if self.groups is not None:
            first = np.unique(self.groups, return_index=True)[1]
            capped = int(np.count_nonzero(self.capped[first]))
            cap = f"; {capped} group factor(s) capped" if capped else ""
            return (
                f"adaptive group lasso: penalty_factor = 1/||b_g||^{self.gamma:g} per "
                f"group, b from {what}{lam}{cap}"
            )
        capped = int(np.count_nonzero(self.capped))
        cap = f"; {capped} factor(s) capped" if capped else ""
        return (
            f"adaptive lasso: penalty_factor = 1/|b|^{self.gamma:g}, b from {what}"
            f"{lam}{cap}"
        )


def adaptive_init(
    X: np.ndarray,
    y: np.ndarray,
    spec: FitSpec,
    select: SelectSpec,
    gamma: float = 1.0,
    columns=None,
) -> AdaptiveInit:
    """The adaptive lasso's initial fit (Zou 2006, section 3.1: weights
    ``1 / |b_init| ** gamma``) on checked arrays, with the weights, offset and
    intercept of ``spec``.

    With more observations (of positive weight) than parameters, ``b_init`` is the
    unpenalized fit (statsmodels WLS, or the logistic GLM when the columns do not
    separate the classes); otherwise, for a sparse X, and when columns are linearly
    dependent (the unpenalized fit is not unique: a :class:`CollinearityWarning`
    names them, ``columns`` being the names of X's columns), ridge on the engine,
    lambda by CV (``cv_min``, the folds, measure and seed of ``select``). A factor
    larger than :data:`ADAPTIVE_FACTOR_CAP` times the smallest (a zero or tiny
    coefficient) is set to that bound: the column can still enter, far down the path.

    With groups (``spec.groups``, the group lasso) the factor is one per group,
    ``1 / ||b_init,g||_2 ** gamma`` (the adaptive group lasso of Wang & Leng 2008),
    the norm taken on the original scale of the columns as the lasso's ``|b_j|``,
    and given to every column of the group; the cap applies to the groups.

    Examples
    --------
    >>> X = np.random.default_rng(1).standard_normal((20, 30))
    >>> y = X[:, 0] + 0.1 * np.random.default_rng(2).standard_normal(20)
    >>> init = adaptive_init(X, y, FitSpec(), SelectSpec(nfolds=5, seed=0))
    >>> init.method, int(np.argmin(init.penalty_factor))
    ('ridge', 0)
    """
    n, p = X.shape
    w = np.ones(n) if spec.weights is None else np.asarray(spec.weights, dtype=float)
    off = None if spec.offset is None else np.asarray(spec.offset, dtype=float)
    rows = w > 0
    n_obs = int(np.count_nonzero(rows))
    b0, b, lam, seed = 0.0, None, None, None
    if sp.issparse(X):
        # statsmodels' refit needs X dense; ridge runs on the sparse kernels
        method, reason = "ridge", "a sparse design (ridge needs no dense copy)"
    elif n_obs > p + int(spec.fit_intercept):
        method, reason = _unpenalized(X[rows], y[rows], w[rows], off, rows, spec, columns)
        if method != "ridge":
            b0, b = reason
            reason = f"{n_obs} observations > {p} columns"
    else:
        method, reason = "ridge", f"{n_obs} observations <= {p} columns"
    if method == "ridge":
        ridge_spec = FitSpec(
            family=spec.family,
            l1_ratio=0.0,
            weights=spec.weights,
            offset=spec.offset,
            standardize=spec.standardize,
            fit_intercept=spec.fit_intercept,
            tol=spec.tol,
            max_iter=spec.max_iter,
        )
        ridge_select = dataclasses.replace(
            select, rule="cv_min", lam=None, l1_ratios=None, relax=False, gamma=None
        ).with_seed()
        out = run(X, y, ridge_spec, ridge_select)
        b0, b, lam, seed = out.intercept, out.coef, out.lam, ridge_select.seed
    b = np.asarray(b, dtype=float)
    groups = spec.groups
    if groups is None:
        size = np.abs(b)
    else:
        # Wang & Leng (2008): one factor per group, from the norm of its initial
        # coefficients (original scale, as the lasso's |b_j|)
        size = group_norms(b, groups)[groups]
    if not np.any(size > 0):
        raise DataError(
            "penalty_factor='adaptive': every coefficient of the initial fit is 0, so "
            "no column can be weighted; check the response, or give penalty_factor"
        )
    cap = ADAPTIVE_FACTOR_CAP * float(np.max(size)) ** -gamma
    with np.errstate(divide="ignore"):
        factor = size**-gamma
    capped = factor > cap
    factor = np.where(capped, cap, factor)
    return AdaptiveInit(
        method=method,
        coef=b,
        intercept=float(b0),
        lam=lam,
        gamma=float(gamma),
        penalty_factor=factor,
        capped=capped,
        reason=reason,
        seed=seed,
        groups=groups,
    )


def group_norms(coef: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """The Euclidean norm of each group's coefficients.

    ``groups`` numbers the groups ``0 .. G-1``; the result has one norm per group,
    each taken over the group's columns in their order.

    Examples
    --------
    >>> group_norms(np.array([3.0, 4.0, -2.0]), np.array([0, 0, 1])).tolist()
    [5.0, 2.0]
    """
    coef = np.asarray(coef, dtype=float)
    return np.array(
        [np.linalg.norm(coef[groups == g]) for g in range(int(groups.max()) + 1)]
    )


def _unpenalized(X, y, w, off, rows, spec: FitSpec, columns=None):
    """``("ols" | "logistic", (intercept, coefs))``, or ``("ridge", reason)`` when the
    classes are separated (no finite logistic estimate) or columns are linearly
    dependent (no unique estimate)."""
    off = None if off is None else off[rows]
    Z = sm.add_constant(X, has_constant="add") if spec.fit_intercept else X
    names = [f"column {j}" for j in range(X.shape[1])] if columns is None else columns
    names = ["(Intercept)", *names] if spec.fit_intercept else list(names)
    dependent = dependent_columns(Z * np.sqrt(w)[:, None], names)
    if dependent:
        warn_user(
            f"penalty_factor='adaptive': the columns {dependent} are linear "
            "combinations of the columns before them (constant, copies or sums), so "
            "the unpenalized initial fit has no unique coefficients; the initial fit "
            "is ridge (lambda by CV) instead. Drop those columns to use least squares",
            CollinearityWarning,
        )
        return "ridge", f"the columns {dependent} are linearly dependent"
    if spec.family == "gaussian":
        target = y if off is None else y - off
        beta = np.asarray(sm.WLS(target, Z, weights=w).fit().params, dtype=float)
        method = "ols"
    else:
        if binomial_null_fit(X, y, w / w.sum(), spec.fit_intercept, offset=off)[1]:
            return "ridge", "the columns separate the classes"
        model = sm.GLM(y, Z, family=sm.families.Binomial(), var_weights=w, offset=off)
        beta = np.asarray(model.fit(tol=1e-12, maxiter=200).params, dtype=float)
        method = "logistic"
    if spec.fit_intercept:
        return method, (float(beta[0]), beta[1:])
    return method, (0.0, beta)


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
