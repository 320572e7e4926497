"""Multi-sample-splitting inference: :func:`run_split` (``method="split"``).

Meinshausen, Meier & Bühlmann (2009), "P-values for high-dimensional regression",
JASA 104, 1671-1681. Each of ``B`` random half splits selects columns on one half
with the fit's own rule and refits the selected columns by least squares (gaussian)
or logistic regression (binomial) on the other half; the per-split p-values,
Bonferroni-adjusted by the size of the selected set, are aggregated over the splits
by quantiles (their eq. 2.3). The aggregated p-values control the family-wise error
rate over all columns. The confidence intervals invert the aggregated per-split
tests (section 2.3; the construction of R's ``hdi::multi.split``).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from penstat._errors import ArgumentError, DataError
from penstat._runner import run_tasks
from penstat._validation import seed_sequence
from penstat.engine import run_rows
from penstat.inference.request import InferenceRequest
from penstat.inference.result import InferenceResult
from penstat.inference.run import RUNNERS

__all__ = ["aggregate_intervals", "aggregate_pvalues", "run_split"]

ADJUSTMENT = "FWER (multi-split, Meinshausen et al. 2009)"


def run_split(fit: Any, request: InferenceRequest) -> InferenceResult:
    """Multi-sample-splitting p-values and intervals of a fit (``method="split"``).

    Each of ``request.n_splits`` random splits draws ``floor(n / 2)`` rows without
    replacement and re-runs the whole fit on them (the same penalty, ``l1_ratio``,
    penalty factors, weights, offset and lambda rule; at ``request.lam`` when
    given). The selected columns, with the unpenalized ones, are refitted on the
    other rows with statsmodels (WLS, or a binomial GLM), with the intercept when
    the fit has one. A column's p-value in a split is the refit's, times the size
    of the selected set (Bonferroni), capped at 1; 1 when not selected. A split
    whose refit is impossible (more refit parameters than rows, a rank-deficient
    selected design, a separated or failed logistic refit) gives p = 1 for every
    column and is counted in ``details["n_failed"]``.

    Parameters
    ----------
    fit : PenalizedFit
    request : InferenceRequest

    Returns
    -------
    InferenceResult
        ``p_adjusted`` (and ``p_value``, the same numbers) are the aggregated
        p-values (:func:`aggregate_pvalues`), family-wise error adjusted over all
        columns; ``ci_lower`` / ``ci_upper`` the aggregated intervals
        (:func:`aggregate_intervals`), each at ``level`` for its own column (not
        simultaneous); ``estimate`` the median over the splits of the refit
        coefficient (0 where not selected); ``p_single`` the aggregated p-value
        without the Bonferroni factor (the test the intervals invert);
        ``selection_freq`` the share of splits that selected the column.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), select="bic")
    >>> res = fit.inference("split", n_splits=10, seed=0, progress=False)
    >>> res.details["n_splits"], bool(res.table.loc["bmi", "p_adjusted"] < 1e-4)
    (10, True)
    """
    if request.alternative != "two-sided":
        raise ArgumentError(
            f"alternative={request.alternative!r}: method='split' gives two-sided "
            "p-values only; use alternative='two-sided'"
        )
    design = fit.design
    X = np.asarray(design.X, dtype=float)
    y = np.asarray(design.y, dtype=float)
    n, p = X.shape
    columns = list(design.columns)
    spec = fit.spec
    family = spec.family
    n_select = n // 2
    n_refit = n - n_select
    if n_select < 2 or n_refit < 2 + int(spec.fit_intercept):
        raise DataError(
            f"method='split' needs enough rows to halve: {n} rows leave {n_refit} for "
            "the refit; use more data or another method"
        )
    lam = fit.lam if request.lam is None else request.lam
    fixed = None
    if request.lam is not None or fit.select_spec.lam is not None:
        fixed = (lam, fit.l1_ratio, np.asarray(fit.path.lambdas, dtype=float))
    pf = spec.penalty_factor
    unpenalized = np.zeros(p, bool) if pf is None else np.asarray(pf) == 0

    seq = seed_sequence(request.seed)
    children = seq.spawn(request.n_splits)

    shared = (X, y, spec, fit.select_spec, n, n_select, fixed, unpenalized)
    splits = run_tasks(
        _split_task, shared, children, request.n_jobs, request.progress, "sample splits",
        "split",
    )  # fmt: skip
    failed = np.array([s.failed for s in splits])
    if failed.all():
        reasons = sorted({s.reason for s in splits})
        raise DataError(
            f"method='split': the refit was impossible in all {len(splits)} splits "
            f"({'; '.join(reasons)}); the selection on {n_select} rows keeps too many "
            f"columns for a refit on {n_refit} rows: use a larger lambda (lam=), a "
            "sparser rule (select='cv_1se' or 'bic'), or method='debiased'"
        )
    pvals = np.vstack([s.pvals for s in splits])
    centers = np.vstack([s.centers for s in splits])
    ses = np.vstack([s.ses for s in splits])
    dfs = np.array([s.df for s in splits])
    selected = np.vstack([s.selected for s in splits])
    p_adj = aggregate_pvalues(pvals, request.gamma_min)
    single = np.vstack([s.raw for s in splits])
    p_single = aggregate_pvalues(single, request.gamma_min)
    lower, upper = aggregate_intervals(centers, ses, dfs, request.level, request.gamma_min)
    ok = ~failed
    estimate = np.median(np.where(np.isnan(centers[ok]), 0.0, centers[ok]), axis=0)
    freq = selected.mean(axis=0)
    table = pd.DataFrame(
        {
            "estimate": estimate,
            "std_error": np.nan,
            "ci_lower": lower,
            "ci_upper": upper,
            "p_value": p_adj,
            "p_adjusted": p_adj,
            "p_single": p_single,
            "selection_freq": freq,
        },
        index=pd.Index(columns, name="column"),
    )
    refit = "least squares (WLS)" if family == "gaussian" else "logistic regression (GLM)"
    notes = [
        "p_value repeats p_adjusted: the aggregated multi-split p-values are "
        "family-wise error adjusted over all columns; p_single is the aggregate "
        "without the Bonferroni factor, the test the intervals invert",
        f"intervals cover each column at {request.level:.0%} on its own (not "
        "simultaneously); infinite where too few splits selected the column",
    ]
    if failed.any():
        notes.append(
            f"{int(failed.sum())} of {len(splits)} splits could not refit "
            f"({'; '.join(sorted({s.reason for s in splits if s.failed}))}) and "
            "count with p = 1 for every column"
        )
    if family == "binomial":
        notes.append("the per-split logistic p-values and intervals are Wald (asymptotic)")
    return InferenceResult(
        method="split",
        table=table,
        level=request.level,
        lam=float(lam),
        conditioning=(
            f"{len(splits)} random half splits: selection on {n_select} rows, "
            f"{refit} on the other {n_refit}; p-values aggregated over the splits "
            f"(gamma_min = {request.gamma_min:g})"
        ),
        alternative="two-sided",
        adjustment=ADJUSTMENT,
        approximate=family == "binomial",
        notes=tuple(notes),
        details={
            "n_splits": len(splits),
            "n_failed": int(failed.sum()),
            "selection_frequency": pd.Series(freq, index=columns, name="freq"),
            "selected_size": np.array([int(s.selected.sum()) for s in splits]),
            "gamma_min": request.gamma_min,
            "n_select_rows": n_select,
            "n_refit_rows": n_refit,
            "seed": request.seed,
            "pvalues_per_split": pvals,
        },
    )


class _Split:
    """One split's outcome; arrays (p,) with p = 1, NaN centre where not refitted."""

    __slots__ = ("centers", "df", "failed", "pvals", "raw", "reason", "selected", "ses")

    def __init__(self, p: int):
        self.pvals = np.ones(p)
        self.raw = np.ones(p)
        self.centers = np.full(p, np.nan)
        self.ses = np.full(p, np.nan)
        self.selected = np.zeros(p, bool)
        self.df = np.inf
        self.failed = False
        self.reason = ""

    def fail(self, reason: str) -> _Split:
        self.failed = True
        self.reason = reason
        return self


def _split_task(shared, child):
    """One random half split (a module-level task: picklable)."""
    X, y, spec, select_spec, n, n_select, fixed, unpenalized = shared
    rng = np.random.default_rng(child)
    perm = rng.permutation(n)
    seed_k = int(rng.integers(0, 2**31 - 1))
    return _one_split(
        X, y, spec, select_spec, perm[:n_select], perm[n_select:], fixed, seed_k,
        unpenalized,
    )  # fmt: skip


def _one_split(X, y, spec, select, rows_sel, rows_fit, fixed, seed, unpenalized):
    n, p = X.shape
    out = _Split(p)
    try:
        coef = run_rows(X, y, spec, select, np.sort(rows_sel), fixed=fixed, seed=seed).coef
    except DataError as err:  # e.g. one class only in the selection half
        return out.fail(f"selection failed: {str(err).split(';')[0]}")
    chosen = (coef != 0) | unpenalized
    out.selected = chosen
    cols = np.flatnonzero(chosen)
    if cols.size == 0:
        return out
    rows = np.sort(rows_fit)
    Xr = X[np.ix_(rows, cols)]
    if spec.fit_intercept:
        Xr = np.column_stack([np.ones(rows.size), Xr])
    k = Xr.shape[1]
    if k >= rows.size:
        return out.fail(f"{cols.size} selected columns for {rows.size} refit rows")
    if np.linalg.matrix_rank(Xr) < k:
        return out.fail("selected columns collinear in the refit half")
    refit = _refit(Xr, y[rows], spec, rows)
    if refit is None:
        return out.fail("logistic refit separated or did not converge")
    params, bse, pv, df = refit
    first = int(spec.fit_intercept)
    out.centers[cols] = params[first:]
    out.ses[cols] = bse[first:]
    out.raw[cols] = pv[first:]
    out.pvals[cols] = np.minimum(pv[first:] * cols.size, 1.0)
    out.df = df
    return out


def _refit(Xr, yr, spec, rows):
    """(params, standard errors, p-values, residual df) of the classical refit, or
    None when a logistic refit fails."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    w = None if spec.weights is None else np.asarray(spec.weights)[rows]
    off = None if spec.offset is None else np.asarray(spec.offset)[rows]
    if spec.family == "gaussian":
        target = yr if off is None else yr - off
        res = sm.WLS(target, Xr, weights=1.0 if w is None else w).fit()
        return res.params, res.bse, res.pvalues, float(res.df_resid)
    if np.ptp(yr) == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            model = sm.GLM(yr, Xr, family=sm.families.Binomial(), offset=off, var_weights=w)
            res = model.fit()
        except (PerfectSeparationError, PerfectSeparationWarning, ConvergenceWarning):
            return None
        except np.linalg.LinAlgError:
            return None
    if not np.all(np.isfinite(res.bse)) or not np.all(np.isfinite(res.params)):
        return None
    return res.params, res.bse, res.pvalues, np.inf


def _gamma_grid(n_splits: int, gamma_min: float) -> tuple[np.ndarray, float]:
    """The quantile levels k / B in [gamma_min, 1] and the factor of eq. 2.3."""
    k0 = max(1, math.ceil(gamma_min * n_splits - 1e-9))
    gammas = np.arange(k0, n_splits + 1) / n_splits
    factor = 1.0 - math.log(gamma_min) if gammas.size > 1 else 1.0
    return gammas, factor


def aggregate_pvalues(pvals: np.ndarray, gamma_min: float = 0.05) -> np.ndarray:
    """Aggregate per-split p-values into one p-value per column (Meinshausen, Meier &
    Bühlmann 2009, eq. 2.3).

    ``P_j = min(1, (1 - log gamma_min) min_gamma q_gamma(P_j^(b) / gamma))`` over
    the levels ``gamma = k / B`` in ``[gamma_min, 1]``, with ``q_gamma`` the
    empirical quantile (linear interpolation, R's type 7, as ``hdi::multi.split``).
    With a single level the factor is 1.

    Parameters
    ----------
    pvals : (B, p) array
        One row per split.
    gamma_min : float
        The smallest quantile level, in (0, 1).

    Returns
    -------
    numpy.ndarray
        (p,) aggregated p-values.

    Examples
    --------
    >>> import numpy as np
    >>> P = np.array([[0.01, 1.0], [0.02, 1.0], [0.03, 0.5], [0.04, 1.0]])
    >>> aggregate_pvalues(P, gamma_min=0.25).round(4).tolist()
    [0.0955, 1.0]
    """
    P = np.asarray(pvals, dtype=float)
    gammas, factor = _gamma_grid(P.shape[0], gamma_min)
    q = np.quantile(P, gammas, axis=0, method="linear") / gammas[:, None]
    return np.minimum(1.0, factor * q.min(axis=0))


def aggregate_intervals(
    centers: np.ndarray,
    ses: np.ndarray,
    dfs: np.ndarray,
    level: float = 0.95,
    gamma_min: float = 0.05,
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence intervals aggregated over splits by inverting the aggregated
    p-value (Meinshausen, Meier & Bühlmann 2009, section 2.3), as
    ``hdi::multi.split``'s single-testing intervals.

    A value ``b`` is in column ``j``'s interval when, ranking the splits that
    refitted ``j`` by ``|b - centre| / half-width`` (rank ``r`` over all ``B``
    splits, the largest first, ``gamma_r = r / B``), ``b`` lies in every such
    split's interval at level ``1 - (1 - level) gamma_r / (1 - log gamma_min)``
    whose ``gamma_r`` exceeds the smallest quantile level. The bounds are found
    by bisection. A column refitted in at most ``gamma_min B`` splits gets
    ``(-inf, inf)``.

    Parameters
    ----------
    centers, ses : (B, p) arrays
        Per-split refit coefficients and standard errors (NaN where not refitted).
    dfs : (B,) array
        Residual degrees of freedom of each split's refit (inf: normal quantiles).
    level, gamma_min : float

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper bounds, (p,) each.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[1.0], [1.2], [0.9], [1.1]])
    >>> lo, hi = aggregate_intervals(c, np.full((4, 1), 0.1), np.full(4, np.inf),
    ...                              gamma_min=0.25)
    >>> bool(lo[0] < 0.9 and hi[0] > 1.2)
    True
    """
    C = np.asarray(centers, dtype=float)
    S = np.asarray(ses, dtype=float)
    D = np.broadcast_to(np.asarray(dfs, dtype=float), (C.shape[0],))
    B, p = C.shape
    gammas, factor = _gamma_grid(B, gamma_min)
    g0 = float(gammas[0])
    alpha = 1.0 - level
    lower = np.full(p, -np.inf)
    upper = np.full(p, np.inf)
    for j in range(p):
        ok = np.isfinite(C[:, j]) & np.isfinite(S[:, j])
        n_inf = B - int(ok.sum())
        if n_inf == B or n_inf >= (1.0 - g0) * B:
            continue
        info = _CoverInfo(C[ok, j], S[ok, j], D[ok], B, g0, factor, alpha)
        lower[j], upper[j] = info.interval()
    return lower, upper


class _CoverInfo:
    """The splits' intervals of one column and hdi's coverage rule
    (``does.it.cover.gammamin``), evaluated at many values at once. The t quantiles
    of the rule at the integer ranks are tabulated once per column (``table[i, r -
    1]``: split ``i`` at rank ``r``); a tie (an average rank) computes its own."""

    def __init__(self, c, s, df, B, g0, factor, alpha):
        self.c, self.s, self.df = c, s, df
        self.B, self.g0, self.factor, self.alpha = B, g0, factor, alpha
        self.half = _tq(1.0 - alpha / 2.0, df) * s
        m = c.size
        gamma = np.arange(1, m + 1, dtype=float) / B
        tail = alpha * gamma / (2.0 * factor)
        # the refits' df take few distinct values: one row of quantiles for each
        levels, which = np.unique(df, return_inverse=True)
        self.table = _tq(1.0 - tail[None, :], levels[:, None]).reshape(-1, m)[which]

    def covers_many(self, bs: np.ndarray) -> np.ndarray:
        """(k,) bool: whether each value of ``bs`` (k,) is covered."""
        bs = np.asarray(bs, dtype=float)
        dist = np.abs(bs[:, None] - self.c)
        z = dist / self.half
        rank = _average_ranks(-z)
        gamma = rank / self.B
        keep = gamma > self.g0
        whole = rank == np.floor(rank)
        m = self.c.size
        r = np.where(whole & keep, rank, 1.0).astype(np.intp) - 1
        fac = self.table[np.broadcast_to(np.arange(m), r.shape), r]
        odd = keep & ~whole
        if odd.any():
            tail = self.alpha * gamma[odd] / (2.0 * self.factor)
            split = np.broadcast_to(np.arange(m), r.shape)[odd]
            fac[odd] = _tq(1.0 - tail, self.df[split])
        ok = (dist <= fac * self.s) | ~keep
        return ok.all(axis=1)

    def interval(self) -> tuple[float, float]:
        inner = self._inside_point()
        if inner is None:
            return np.nan, np.nan
        lo = self._bound(inner, float(np.min(self.c - self.half)))
        hi = self._bound(inner, float(np.max(self.c + self.half)))
        return lo, hi

    def _inside_point(self) -> float | None:
        # the first covered value of ever finer grids between the centres
        low, high = float(self.c.min()), float(self.c.max())
        for size in (10, 100, 1000, 10000):
            grid = np.linspace(low, high, size)
            for start in range(0, size, 1000):
                part = grid[start : start + 1000]
                hit = np.flatnonzero(self.covers_many(part))
                if hit.size:
                    return float(part[hit[0]])
        return None

    def _bound(self, inner: float, outer: float) -> float:
        # widen until a point is outside, then narrow the bracket (the set is an
        # interval): each call of covers_many tests SECTIONS points at once, so the
        # bracket shrinks SECTIONS + 1 times per call instead of twice
        step = outer - inner
        if step == 0:
            step = float(np.max(self.half))
        start, k = outer, 0
        while True:
            # outer, outer + step, outer + 3 step, outer + 7 step, ...
            points = start + step * (np.exp2(np.arange(k, k + WIDEN)) - 1.0)
            covered = self.covers_many(points)
            if not covered.all():
                first = int(np.argmin(covered))
                if first > 0:
                    inner = float(points[first - 1])
                outer = float(points[first])
                break
            inner = float(points[-1])
            k += WIDEN
        tol = 1e-10 * (1.0 + abs(inner) + float(np.max(self.half)))
        fractions = np.arange(1, SECTIONS + 1) / (SECTIONS + 1)
        while abs(outer - inner) > tol:
            points = inner + (outer - inner) * fractions
            covered = self.covers_many(points)
            first = int(np.argmin(covered)) if not covered.all() else SECTIONS
            if first > 0:
                inner = float(points[first - 1])
            if first < SECTIONS:
                outer = float(points[first])
        return 0.5 * (inner + outer)


#: points tested per call while narrowing an interval's bound, and while widening it
SECTIONS = 63
WIDEN = 24


def _average_ranks(a: np.ndarray) -> np.ndarray:
    """Ranks (from 1) along the rows of ``a`` (k, m), ties given their average rank:
    ``scipy.stats.rankdata(a, axis=1)`` without its per-call overhead (a row with a
    NaN is all NaN, as there)."""
    k, m = a.shape
    order = np.argsort(a, axis=1, kind="stable")
    # (a's values in that order; the checks below only compare them for equality)
    s = np.sort(a, axis=1)
    if not (s[:, 1:] == s[:, :-1]).any():
        # no ties (the usual case): the ranks are the sorted positions
        ranks = np.empty((k, m))
        ranks[np.arange(k)[:, None], order] = np.arange(1.0, m + 1.0)
        ranks[np.isnan(a).any(axis=1)] = np.nan
        return ranks
    pos = np.broadcast_to(np.arange(m), (k, m))
    starts = np.ones((k, m), bool)
    starts[:, 1:] = s[:, 1:] != s[:, :-1]
    ends = np.ones((k, m), bool)
    ends[:, :-1] = starts[:, 1:]
    first = np.maximum.accumulate(np.where(starts, pos, 0), axis=1)
    last = np.minimum.accumulate(np.where(ends, pos, m - 1)[:, ::-1], axis=1)[:, ::-1]
    ranks = np.empty((k, m))
    np.put_along_axis(ranks, order, 0.5 * (first + last) + 1.0, axis=1)
    ranks[np.isnan(a).any(axis=1)] = np.nan
    return ranks


def _tq(q, df):
    """Quantile ``q`` of Student's t with ``df`` degrees of freedom (normal at inf)."""
    df = np.asarray(df, dtype=float)
    q = np.asarray(q, dtype=float)
    finite_df = np.where(np.isinf(df), 1.0, df)
    if np.all((q > 0) & (q < 1)) and np.all(finite_df > 0):
        # the special functions scipy.stats' ppf calls for these arguments (the
        # same numbers), without its per-call argument handling
        return np.where(np.isinf(df), special.ndtri(q), special.stdtrit(finite_df, q))
    return np.where(np.isinf(df), stats.norm.ppf(q), stats.t.ppf(q, finite_df))


RUNNERS["split"] = run_split
