"""The penalized path, its CV and its lambda rule on a Dask DataFrame, by passes.

* pass 1 (:mod:`penstat.distributed.design`): rows per partition, levels, classes
  and fold labels;
* gaussian, pass 2: the weighted centred sufficient statistics
  (:class:`~penstat.solver.gram.GramStats`) of every CV fold at once; the full path
  is solved from their merge, fold ``k``'s path (on the full path's grid) from the
  merge of the other folds, and its CV error from fold ``k``'s own statistics
  (:func:`~penstat.solver.gram.gaussian_cv_loss`): two passes in all;
* binomial: pass 2 the base statistics of every fold, then IRLS for the full problem
  and every fold problem in lockstep, one pass per IRLS step
  (:func:`~penstat.solver.gram.binomial_paths_by_passes`), then one pass that
  scores every fold's held-out rows at every lambda.

Rows are never gathered: a pass returns only the merged summaries.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError, DataError
from penstat._validation import CRITERIA, check_gamma, check_measure
from penstat.design import Design
from penstat.distributed.design import (
    DataFacts,
    PartitionDesign,
    facts_of_partition,
    make_partition_design,
    merge_facts,
    plan_design,
    poisson_counts,
)
from penstat.distributed.passes import Scan
from penstat.engine import EngineFit
from penstat.family import get_family
from penstat.selection.criteria import best_index, log_choose
from penstat.selection.measures import optimal_indices, raw_measure, weighted_stats
from penstat.selection.result import CVResult, Selection
from penstat.solver import Path
from penstat.solver.gram import GramStats
from penstat.spec import FitSpec, SelectSpec

__all__ = ["DaskDesign", "bootstrap_stats", "fit_frame"]


@dataclass(frozen=True, eq=False)
class DaskDesign(Design):
    """The :class:`~penstat.design.Design` of a fit on a Dask DataFrame: the coding
    (``DesignInfo``, columns, terms, classes) of the whole data, and its counts and
    column scales from the passes; it holds no rows (``X`` has none).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import penstat as ps
    >>> df = ps.datasets.load("diabetes")
    >>> fit = ps.fit("y ~ bmi + bp", dd.from_pandas(df, npartitions=3), select="bic")
    >>> fit.design.n_obs, fit.design.X.shape
    (442, (0, 2))
    """

    n_used: int = 0
    sd: np.ndarray | None = None

    @property
    def n_obs(self) -> int:
        """Number of rows used (all partitions)."""
        return self.n_used

    def column_sd(self) -> np.ndarray:
        """Weighted 1/n standard deviation of each design column, from the passes."""
        return self.sd


@dataclass(frozen=True)
class DaskRun:
    """What :func:`fit_frame` returns: the design, the engine's result, the specs and
    the passes made."""

    design: DaskDesign
    result: EngineFit
    spec: FitSpec
    select: SelectSpec
    passes: int
    npartitions: int
    scheduler: str
    partition_design: PartitionDesign
    irls_passes: int = 0
    starts: np.ndarray | None = None


# -- pass functions (module level: every scheduler pickles them) --------------------


def _facts_task(part, start, shared):
    used, level_cols = shared
    n, levels, sample, kept = facts_of_partition(part, used, level_cols)
    return [n], levels, sample, kept


def _merge_list(a, b):
    return [x.merge(y) for x, y in zip(a, b, strict=True)]


def _stats(X, y, w, p, positive=None):
    if X.shape[0] == 0:
        return GramStats.empty(p)
    return GramStats.from_arrays(X, y, w, extra=float(positive))


def _fold_stats_task(part, start, shared):
    """Per fold (one "fold" without CV): the stats of its rows; ``extra`` counts
    the rows of positive weight."""
    pdesign, nfold, y_as_offset = shared
    b = pdesign.block(part, start)
    X, y, w = b["X"], b["y"], b["w"]
    if y_as_offset and b["offset"] is not None:
        y = y - b["offset"]
    out = []
    for k in range(nfold):
        rows = (
            np.ones(y.shape[0], bool) if b["fold"] is None or nfold == 1 else b["fold"] == k
        )
        wk = None if w is None else w[rows]
        npos = int(rows.sum()) if wk is None else int(np.count_nonzero(wk > 0))
        out.append(_stats(X[rows], y[rows], wk, pdesign.p, npos))
    return out


def _irls_task(part, start, shared):
    from penstat.solver.gram import irls_pass_stats_folds

    pdesign, requests = shared
    b = pdesign.block(part, start)
    return irls_pass_stats_folds(b["X"], b["y"], b["w"], b["offset"], b["fold"], requests)


_BINOMIAL_MEASURES = ("deviance", "class", "mse", "mae")


def _score_task(part, start, shared):
    """Weighted sums of every binomial measure per (fold, lambda) on the held-out
    rows, and each fold's total weight."""
    pdesign, intercepts, coefs, family = shared
    b = pdesign.block(part, start)
    X, y, w, off, fold = b["X"], b["y"], b["w"], b["offset"], b["fold"]
    nfold, nlam = intercepts.shape
    sums = np.zeros((len(_BINOMIAL_MEASURES), nfold, nlam))
    weights = np.zeros(nfold)
    for k in range(nfold):
        rows = fold == k
        if not rows.any():
            continue
        eta = X[rows] @ coefs[k].T + intercepts[k]
        if off is not None:
            eta += off[rows][:, None]
        wk = np.ones(int(rows.sum())) if w is None else w[rows]
        weights[k] += wk.sum()
        for m, measure in enumerate(_BINOMIAL_MEASURES):
            sums[m, k] += wk @ raw_measure(eta, y[rows], measure, family)
    return sums, weights


def _bootstrap_task(part, start, shared):
    """Every replicate's statistics of this partition: the weights times the rows'
    Poisson(1) counts (:func:`~penstat.distributed.design.poisson_counts`)."""
    pdesign, n_boot, seed = shared
    b = pdesign.block(part, start)
    X, y, w = b["X"], b["y"], b["w"]
    positions = b["positions"]
    base = np.ones(y.shape[0]) if w is None else w
    return [
        _stats(X, y, base * poisson_counts(positions, seed, r), pdesign.p, 0)
        for r in range(n_boot)
    ]


def bootstrap_stats(
    ddf, pdesign: PartitionDesign, starts, n_boot: int, seed: int, client=None
):
    """One pass: the statistics of every Poisson bootstrap replicate.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp", dd.from_pandas(ps.datasets.load("diabetes"), 2),
    ...                select="bic")
    >>> stats = bootstrap_stats(fit.data, fit.partition_design, fit.starts, 5, seed=0)
    >>> len(stats), stats[0].n_rows
    (5, 442)
    """
    scan = Scan(ddf, client)
    return scan.run(_bootstrap_task, (pdesign, n_boot, seed), _merge_list, starts=starts)


def _add_pair(a, b):
    return a[0] + b[0], a[1] + b[1]


# -- the fit --------------------------------------------------------------------------


def fit_frame(
    formula: str,
    ddf,
    family: str,
    spec_options: dict,
    select: SelectSpec,
    weights=None,
    offset=None,
    foldid=None,
    positive_class=None,
    formula_env: str | None = None,
    client=None,
    penalty_factor=None,
) -> DaskRun:
    """Fit ``formula`` on the Dask DataFrame ``ddf`` by passes (module docstring).

    ``spec_options`` are the arguments of :meth:`FitSpec.build` other than ``n``,
    ``p``, the weights, the offset, the penalty factors and the intercept;
    ``select`` the checked lambda rule; ``penalty_factor`` a function of the
    design (the template's, whose columns are the fit's) giving the factors.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import penstat as ps
    >>> from penstat.spec import SelectSpec
    >>> ddf = dd.from_pandas(ps.datasets.load("diabetes"), npartitions=4)
    >>> run = fit_frame("y ~ bmi + bp + s5", ddf, "gaussian", {"nlambda": 20},
    ...                 SelectSpec.build("gaussian", rule="bic"))
    >>> run.passes, run.npartitions, run.design.columns
    (2, 4, ['bmi', 'bp', 's5'])
    """
    if offset is not None:
        raise ArgumentError("offset= is not available for a fit on a Dask DataFrame")
    fam = get_family(family)
    meta = ddf._meta
    used, level_cols = plan_design(
        formula, meta, fam.name, weights, offset, foldid, formula_env
    )
    scan = Scan(ddf, client)
    n_parts, levels, sample, n_kept = scan.run(
        _facts_task, (used, level_cols), _merge_facts_task
    )
    if n_kept == 0:
        raise DataError(
            f"no rows left after dropping rows with missing values in {used}; every row "
            "has a missing value in at least one of these columns"
        )
    facts = DataFacts(np.asarray(n_parts, dtype=np.int64), levels, sample, n_kept)
    scan.starts = facts.starts
    cv = select.rule is not None and select.rule not in CRITERIA and select.lam is None
    seed = 0 if select.seed is None else int(select.seed)
    pdesign = make_partition_design(
        formula, meta, facts, fam.name, used, weights, offset, foldid,
        positive_class, formula_env, select.nfolds if cv else 0, seed,
    )  # fmt: skip
    nfold = pdesign.nfolds if cv else 1
    irls_passes = 0
    p = pdesign.p
    gaussian = fam.name == "gaussian"
    fold_stats = scan.run(_fold_stats_task, (pdesign, nfold, gaussian), _merge_list)
    total = GramStats.merge_all(fold_stats)
    n_pos = int(round(sum(s.extra for s in fold_stats)))
    if total.sum_w <= 0:
        raise DataError(f"weights column {weights!r} is zero for every row used")
    pf = None if penalty_factor is None else penalty_factor(pdesign.design)
    spec = FitSpec.build(
        total.n_rows,
        p,
        **spec_options,
        penalty_factor=pf,
        fit_intercept=pdesign.design.has_intercept,
    )
    sd = np.sqrt(np.maximum(np.diag(total.xx) / total.sum_w, 0.0))
    if gaussian:
        from penstat.solver.gram import gaussian_path_from_stats

        path = gaussian_path_from_stats(total, spec)
        fold_paths = None
        if cv:
            grid = spec.with_grid(np.asarray(path.lambdas, dtype=float))
            fold_paths = [
                gaussian_path_from_stats(_others(fold_stats, k), grid) for k in range(nfold)
            ]
    else:
        from penstat.solver.gram import binomial_paths_by_passes

        base = [total] + ([_others(fold_stats, k) for k in range(nfold)] if cv else [])

        def run_pass(requests):
            return scan.run(_irls_task, (pdesign, list(requests)), _merge_list)

        paths, irls_passes = binomial_paths_by_passes(base, spec, run_pass)
        path, fold_paths = paths[0], (paths[1:] if cv else None)
    selection, index = _select(
        path, select, fold_paths, fold_stats, scan, pdesign, total, n_pos, p
    )
    result = EngineFit(path, index, selection, spec.l1_ratio)
    design = _dask_design(pdesign.design, facts, total.n_rows, sd)
    scheduler = "distributed" if scan.client is not None else "dask default"
    return DaskRun(
        design,
        result,
        spec,
        select,
        scan.passes,
        len(scan.parts),
        scheduler,
        pdesign,
        irls_passes,
        facts.starts,
    )


def _merge_facts_task(a, b):
    return merge_facts(a, b)


def _others(fold_stats, k):
    return GramStats.merge_all([s for j, s in enumerate(fold_stats) if j != k])


def _dask_design(template: Design, facts: DataFacts, n_used: int, sd) -> DaskDesign:
    values = {f.name: getattr(template, f.name) for f in dataclasses.fields(Design)}
    n_rows = int(facts.lengths.sum())
    values.update(
        X=np.empty((0, len(template.columns)), order="F"),
        y=np.empty(0),
        weights=None,
        n_dropped=n_rows - n_used,
        dropped_rows=pd.Index([]),
        row_index=pd.Index([]),
        row_positions=np.empty(0, dtype=np.int64),
        n_data_rows=n_rows,
        missing={},
    )
    return DaskDesign(**values, n_used=n_used, sd=sd)


def _carry(values: np.ndarray, nlam: int) -> np.ndarray:
    """A fold's values at the path's lambdas: one that stopped early is carried
    forward at its last lambda, as glmnet."""
    values = np.asarray(values, dtype=float)
    if values.size >= nlam:
        return values[:nlam]
    return np.concatenate([values, np.full(nlam - values.size, values[-1])])


def _select(
    path: Path, select: SelectSpec, fold_paths, fold_stats, scan, pdesign, total, n_pos, p
):
    lambdas = np.asarray(path.lambdas, dtype=float)
    nlam = lambdas.size
    nonzero = np.count_nonzero(np.asarray(path.coefs), axis=1)
    if select.lam is not None:
        raise ArgumentError(
            "lam= (a fixed lambda) is not available on a Dask DataFrame yet; use "
            "select='cv_1se', 'cv_min', a criterion, or select=None and read "
            "fit.path.coef_at(lam)"
        )
    if select.rule is None:
        return None, nlam - 1
    if select.rule in CRITERIA:
        sel = _criteria(path, select, total, n_pos, p)
        return sel, sel.index
    measure = check_measure(select.measure, path.family)
    nfold = len(fold_stats)
    fold_weights = np.array([s.sum_w for s in fold_stats])
    if path.family == "gaussian":
        from penstat.solver.gram import gaussian_cv_loss

        if measure != "mse":
            raise ArgumentError(
                f"measure={measure!r} is not available on a Dask DataFrame for the "
                "gaussian family (its CV error comes from the folds' statistics); use "
                "measure='mse'"
            )
        fold_values = np.array(
            [
                _carry(gaussian_cv_loss(fold_paths[k], fold_stats[k]), nlam)
                / fold_weights[k]
                for k in range(nfold)
            ]
        )
    else:
        if measure not in _BINOMIAL_MEASURES:
            raise ArgumentError(
                f"measure={measure!r} is not available on a Dask DataFrame; use one of "
                f"{list(_BINOMIAL_MEASURES)}"
            )
        intercepts = np.array([_carry(fp.intercepts, nlam) for fp in fold_paths])
        coefs = np.array(
            [
                np.concatenate(
                    [
                        np.asarray(fp.coefs, float)[:nlam],
                        np.repeat(
                            np.asarray(fp.coefs, float)[-1:],
                            max(0, nlam - len(fp.lambdas)),
                            0,
                        ),
                    ]
                )
                for fp in fold_paths
            ]
        )
        sums, weights = scan.run(
            _score_task, (pdesign, intercepts, coefs, path.family), _add_pair
        )
        fold_values = sums[_BINOMIAL_MEASURES.index(measure)] / weights[:, None]
        fold_weights = weights
    cvm, cvsd, counts = weighted_stats(fold_values, fold_weights)
    index_min, index_1se = optimal_indices(lambdas, cvm, cvsd)
    cvres = CVResult(
        lambdas=lambdas,
        cvm=cvm,
        cvsd=cvsd,
        cvup=cvm + cvsd,
        cvlo=cvm - cvsd,
        df=nonzero,
        fold_values=fold_values,
        fold_weights=fold_weights,
        n_folds=counts,
        foldid=np.empty(0, dtype=np.int64),
        measure=measure,
        grouped=True,
        lam_min=float(lambdas[index_min]),
        lam_1se=float(lambdas[index_1se]),
        index_min=index_min,
        index_1se=index_1se,
    )
    index = index_1se if select.rule == "cv_1se" else index_min
    sel = Selection(
        rule=select.rule,
        lam=float(lambdas[index]),
        index=index,
        table=cvres.to_frame(),
        lam_min=cvres.lam_min,
        lam_1se=cvres.lam_1se,
        cv=cvres,
        measure=measure,
    )
    return sel, index


def _gaussian_enet_df(path: Path, total: GramStats) -> np.ndarray:
    """The gaussian elastic net's effective degrees of freedom from the statistics:
    :func:`penstat.selection.criteria.effective_df` with ``X' M X`` (M the weights
    normalized to sum 1, columns centred with an intercept) read from ``total``."""
    spec = path.spec
    sw = total.sum_w
    gram = total.xx / sw
    y2 = total.yy / sw
    if not spec.fit_intercept:
        gram = gram + np.outer(total.x_mean, total.x_mean)
        y2 = y2 + total.y_mean**2
    p = gram.shape[0]
    scales = np.sqrt(np.maximum(np.diag(gram), 0.0)) if spec.standardize else np.ones(p)
    y_scale = float(np.sqrt(max(y2, 0.0))) or 1.0
    pf = path.penalty_factor * (p / path.penalty_factor.sum())
    l1_ratio = float(path.l1_ratio)
    coefs = np.asarray(path.coefs, dtype=float)
    df = np.zeros(coefs.shape[0])
    for k, lam in enumerate(np.asarray(path.lambdas, dtype=float)):
        active = np.flatnonzero(coefs[k] != 0)
        if active.size == 0:
            continue
        unit = np.where(scales[active] > 0, scales[active], 1.0)
        g = gram[np.ix_(active, active)] / np.outer(unit, unit)
        ridge = lam * (1.0 - l1_ratio) * pf[active] * (scales[active] / unit) ** 2 / y_scale
        df[k] = float(np.trace(np.linalg.solve(g + np.diag(ridge), g)))
    return df


def _criteria(
    path: Path, select: SelectSpec, total: GramStats, n_pos: int, p: int
) -> Selection:
    """AIC / BIC / EBIC from the path's deviance and degrees of freedom (the lasso's
    nonzero count), as :func:`penstat.selection.criteria.criteria_table`."""
    if float(path.l1_ratio) < 1.0 and path.family != "gaussian":
        raise ArgumentError(
            f"select={select.rule!r} needs the effective degrees of freedom of the "
            "binomial elastic net (the IRLS weights at every lambda), not available on "
            "a Dask DataFrame; use a CV rule, or l1_ratio=1"
        )
    lambdas = np.asarray(path.lambdas, dtype=float)
    nonzero = np.count_nonzero(np.asarray(path.coefs), axis=1)
    deviance = np.asarray(path.deviance, dtype=float)
    if path.family == "gaussian":
        sw = total.sum_w
        with np.errstate(divide="ignore"):
            loglik = -0.5 * sw * (np.log(2.0 * np.pi * deviance / sw) + 1.0)
    else:
        loglik = -0.5 * deviance
    if float(path.l1_ratio) < 1.0:
        edf = _gaussian_enet_df(path, total)
    else:
        edf = nonzero.astype(float)
    edf = edf + (1.0 if path.fit_intercept else 0.0)
    gamma = check_gamma(select.gamma, n_pos, p)
    aic = -2.0 * loglik + 2.0 * edf
    bic = -2.0 * loglik + np.log(n_pos) * edf
    ebic = bic + 2.0 * gamma * log_choose(p, nonzero)
    if path.family == "gaussian":
        undefined = (edf >= n_pos) | ~np.isfinite(loglik)
        for values in (loglik, aic, bic, ebic):
            values[undefined] = np.nan
    table = pd.DataFrame(
        {
            "lam": lambdas,
            "df": nonzero,
            "edf": edf,
            "loglik": loglik,
            "aic": aic,
            "bic": bic,
            "ebic": ebic,
        }
    )
    index = best_index(table[select.rule].to_numpy(), lambdas)
    if index < 0:
        raise DataError(
            f"{select.rule} is undefined at every lambda of the path; use a CV rule"
        )
    return Selection(
        rule=select.rule,
        lam=float(lambdas[index]),
        index=index,
        table=table,
        measure=select.rule,
        family=path.family,
        gamma=gamma,
    )
