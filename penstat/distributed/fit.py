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
  (:func:`~penstat.solver.gram.binomial_path_groups`), then one pass that
  scores every fold's held-out rows at every lambda.

The options share those passes: an ``l1_ratio`` list solves every mix from the
same gaussian statistics (binomial: every (mix, fold) problem in the same IRLS
passes, one scoring pass for all); the relaxed lasso's refits and the adaptive
lasso's least-squares (or ridge) start are solves of the same Gram; a fixed ``lam``
refits the path with ``lam`` on its grid, as in memory; limits and an offset column
go into every problem. The Poisson bootstrap (:func:`bootstrap_coefs`) makes every
replicate's statistics in one pass; with the lambda rule in every replicate
(:func:`bootstrap_rule_coefs`) every replicate's statistics of every fold.

Binomial options by more passes: the relaxed lasso's logistic refits of every
distinct active set (of the full path and of every fold path) advance by Newton
steps, one pass a step for all of them (:func:`_logistic_relax`); the elastic net's
criteria take one pass for the IRLS-weighted Gram of every lambda's active columns
(:func:`_active_grams`); the adaptive lasso's ridge start (no more observations
than columns) is a binomial ridge path and its CV. ``cv_grid="glmnet"`` fits every
fold on its own grid (binomial: every fold its own lead problem in the same passes);
``na_action="raise"`` adds one counting pass.

Rows are never gathered: a pass returns only the merged summaries.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError, DataError
from penstat._validation import (
    CRITERIA,
    check_gamma,
    check_measure,
    check_weight_extremes,
)
from penstat.design import Design
from penstat.design.columns import check_frame
from penstat.design.named import resolve_limits
from penstat.distributed.design import (
    DataFacts,
    PartitionDesign,
    caller_names,
    facts_of_partition,
    make_partition_design,
    merge_facts,
    plan_design,
    poisson_counts,
    read_columns,
)
from penstat.distributed.passes import Scan, partition_fold_stats
from penstat.engine import EngineFit
from penstat.family import get_family
from penstat.selection.criteria import best_index, log_choose
from penstat.selection.measures import optimal_indices, raw_measure, weighted_stats
from penstat.selection.result import CVResult, Selection
from penstat.solver import Path
from penstat.solver.gram import GramStats, gaussian_cv_loss, gaussian_path_from_stats
from penstat.spec import FitSpec, SelectSpec

__all__ = [
    "DaskDesign",
    "bootstrap_coefs",
    "bootstrap_rule_coefs",
    "bootstrap_stats",
    "fit_frame",
]


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
    total: GramStats | None = None
    adaptive_init: object = None
    relaxed_deviance: float | None = None
    group_labels: list | None = None


# -- pass functions (module level: every scheduler pickles them) --------------------


def _facts_task(part, start, shared):
    used, level_cols = shared
    n, levels, sample, kept = facts_of_partition(part, used, level_cols)
    return [n], levels, sample, kept


def _na_count_task(part, start, used):
    """Per column of ``used``: the rows of this partition missing a value there."""
    return part[used].isna().sum().to_numpy(dtype=np.int64) if used else np.zeros(0, int)


def _sum_task(a, b):
    return a + b


def _merge_list(a, b):
    return [x.merge(y) for x, y in zip(a, b, strict=True)]


def _stats(X, y, w, p, positive=None):
    if X.shape[0] == 0:
        return GramStats.empty(p)
    return GramStats.from_arrays(X, y, w, extra=float(positive))


@dataclass(frozen=True)
class _WeightSpan:
    """The largest and smallest positive weight of some rows, and their sum (the
    weight-range check of the in-memory path, from partial summaries)."""

    largest: float = 0.0
    smallest: float = np.inf
    total: float = 0.0

    @classmethod
    def of(cls, w) -> _WeightSpan:
        if w is None or not (w > 0).any():
            return cls()
        positive = w[w > 0]
        with np.errstate(over="ignore"):
            total = float(np.sum(w))
        return cls(float(positive.max()), float(positive.min()), total)

    def merge(self, other: _WeightSpan) -> _WeightSpan:
        with np.errstate(over="ignore"):
            total = self.total + other.total
        return _WeightSpan(
            max(self.largest, other.largest), min(self.smallest, other.smallest), total
        )


def _fold_stats_task(part, start, shared):
    """Per fold (one "fold" without CV): the stats of its rows; ``extra`` counts
    the rows of positive weight. The last item is the rows' :class:`_WeightSpan`."""
    pdesign, nfold, y_as_offset = shared
    b = pdesign.block(part, start)
    X, y, w = b["X"], b["y"], b["w"]
    if y_as_offset and b["offset"] is not None:
        y = y - b["offset"]
    return [*partition_fold_stats(X, y, w, b["fold"], nfold), _WeightSpan.of(w)]


def _irls_task(part, start, shared):
    """The IRLS statistics of every requested problem ``((g, k), b0, beta)``: ``k``
    0 the full data, else the rows outside fold ``k - 1``; with a bootstrap seed,
    group ``g`` is replicate ``g`` (the rows' weights times their Poisson counts).
    The problems of one group share their weights, so each group's statistics come
    from one :func:`~penstat.solver.gram.irls_pass_stats_folds` call."""
    from penstat.solver.gram import irls_pass_stats_folds

    pdesign, requests, boot_seed = shared
    b = pdesign.block(part, start)
    X, y, w, off, fold = b["X"], b["y"], b["w"], b["offset"], b["fold"]
    by_group: dict = {}
    for i, ((g, k), *point) in enumerate(requests):
        by_group.setdefault(g if boot_seed is not None else None, []).append(
            (i, (k, *point))
        )
    out: list = [None] * len(requests)
    for g, items in by_group.items():
        wk = w
        if g is not None:
            counts = poisson_counts(b["positions"], boot_seed, g)
            wk = counts if w is None else w * counts
        stats = irls_pass_stats_folds(X, y, wk, off, fold, [r for _, r in items])
        for (i, _), st in zip(items, stats, strict=True):
            out[i] = st
    return out


_BINOMIAL_MEASURES = ("deviance", "class", "mse", "mae")


def _score_task(part, start, shared):
    """Per block (one per l1_ratio): weighted sums of every binomial measure per
    (fold, lambda) on the held-out rows, and each fold's total weight. With
    ``boot = (seed, replicates)``, block ``i``'s rows are weighted by their
    Poisson counts of replicate ``replicates[i]``."""
    pdesign, blocks, family, *boot = shared
    b = pdesign.block(part, start)
    X, y, w0, off, fold = b["X"], b["y"], b["w"], b["offset"], b["fold"]
    out = []
    for i, (intercepts, coefs) in enumerate(blocks):
        w = w0
        if boot:
            seed, replicates = boot[0]
            counts = poisson_counts(b["positions"], seed, replicates[i])
            w = counts if w0 is None else w0 * counts
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
        out.append((sums, weights))
    return out


def _bootstrap_task(part, start, shared):
    """Every replicate's statistics of this partition: the weights times the rows'
    Poisson(1) counts (:func:`~penstat.distributed.design.poisson_counts`)."""
    pdesign, n_boot, seed = shared
    b = pdesign.block(part, start)
    X, y, w = b["X"], b["y"], b["w"]
    if b["offset"] is not None and pdesign.design.family.name == "gaussian":
        y = y - b["offset"]
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
    scan = Scan(ddf, client, columns=pdesign.columns_read)
    return scan.run(_bootstrap_task, (pdesign, n_boot, seed), _merge_list, starts=starts)


def bootstrap_coefs(
    ddf,
    pdesign: PartitionDesign,
    starts,
    spec: FitSpec,
    lambdas,
    n_boot: int,
    seed: int,
    gamma: float | None = None,
    client=None,
) -> tuple[np.ndarray, int]:
    """The coefficients of every Poisson bootstrap replicate at the last of
    ``lambdas`` (the fit's grid down to its lambda) and the passes made.

    One pass makes every replicate's statistics; gaussian: each replicate's path is
    solved from them; binomial: every replicate is a problem of
    :func:`~penstat.solver.gram.binomial_path_groups`, all in lockstep, one pass per
    IRLS step (a replicate's rows weighted by their Poisson counts, made again from
    the same hash on the workers). ``gamma``: a relaxed fit's gamma (gaussian), the
    replicate's coefficients then blended with its least-squares refit.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp", dd.from_pandas(ps.datasets.load("diabetes"), 2),
    ...                select="bic")
    >>> coefs, passes = bootstrap_coefs(fit.data, fit.partition_design, fit.starts,
    ...     fit.spec, fit.path.lambdas[: fit.index + 1], 3, seed=0)
    >>> coefs.shape, passes
    ((3, 2), 1)
    """
    from penstat.solver.gram import binomial_path_groups
    from penstat.solver.relax import blend

    scan = Scan(ddf, client, columns=pdesign.columns_read)
    scan.starts = starts
    stats = scan.run(_bootstrap_task, (pdesign, n_boot, seed), _merge_list)
    grid = spec.with_grid(np.asarray(lambdas, dtype=float))
    if spec.family == "gaussian":
        paths = [gaussian_path_from_stats(s, grid) for s in stats]
    else:

        def run_pass(requests):
            return scan.run(_irls_task, (pdesign, list(requests), seed), _merge_list)

        groups, _ = binomial_path_groups([([s], grid) for s in stats], run_pass)
        paths = [g[0] for g in groups]
    coefs = []
    for s, path in zip(stats, paths, strict=True):
        b = np.asarray(path.coefs, dtype=float)[-1]
        if gamma is not None:
            rel = _relax_from_stats(path, s)
            b = blend(gamma, path.intercepts, path.coefs, rel.intercepts, rel.coefs)[1][-1]
        coefs.append(b)
    return np.array(coefs), scan.passes


def _bootstrap_fold_task(part, start, shared):
    """Every replicate's statistics of every CV fold's rows (one "fold" without
    CV): the weights times the rows' Poisson(1) counts; ``extra`` counts the rows of
    positive weight (gaussian: the statistics of ``y - offset``)."""
    pdesign, n_boot, seed, nfold = shared
    b = pdesign.block(part, start)
    X, y, w, fold = b["X"], b["y"], b["w"], b["fold"]
    if b["offset"] is not None and pdesign.design.family.name == "gaussian":
        y = y - b["offset"]
    base = np.ones(y.shape[0]) if w is None else w
    rows = [
        np.ones(y.shape[0], bool) if fold is None or nfold == 1 else fold == k
        for k in range(nfold)
    ]
    out = []
    for r in range(n_boot):
        wr = base * poisson_counts(b["positions"], seed, r)
        out.append(
            [
                _stats(X[m], y[m], wr[m], pdesign.p, np.count_nonzero(wr[m] > 0))
                for m in rows
            ]
        )
    return out


def _merge_nested(a, b):
    return [_merge_list(x, y) for x, y in zip(a, b, strict=True)]


def bootstrap_rule_coefs(
    ddf,
    pdesign: PartitionDesign,
    starts,
    spec: FitSpec,
    select: SelectSpec,
    n_boot: int,
    seed: int,
    client=None,
) -> tuple[np.ndarray, int]:
    """The Poisson bootstrap with the lambda rule re-applied inside every replicate
    (``fixed_lam=False``): one pass makes the statistics of every (replicate, CV
    fold). Gaussian: each replicate's path (on its own grid, unless the fit's
    ``spec`` has the user's), its CV (the fit's folds: a hash of the row position,
    held-out errors from the fold's statistics) or criterion, and its relaxed
    (lambda, gamma) or mix, are solved from them (no more pass). Binomial (CV rules
    and the lasso's criteria; the others are refused): every (replicate, mix, fold)
    problem by IRLS passes in lockstep, then one scoring pass. Returns the
    coefficients (n_boot, p) and the passes.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp + s5", dd.from_pandas(ps.datasets.load("diabetes"),
    ...                2), nfolds=5, seed=1)
    >>> coefs, passes = bootstrap_rule_coefs(fit.data, fit.partition_design, fit.starts,
    ...     fit.run_spec, fit.select_spec, 3, seed=0)
    >>> coefs.shape, passes
    ((3, 3), 1)
    """
    gaussian = spec.family == "gaussian"
    ratios = select.l1_ratios if select.l1_ratios is not None else (spec.l1_ratio,)
    enet_criteria = select.rule in CRITERIA and min(ratios) < 1.0
    if not gaussian and (select.relax or select.cv_grid == "glmnet" or enet_criteria):
        raise ArgumentError(BOOTSTRAP_RULE_REFUSAL)
    _check_bootstrap_rule_groups(spec, select)
    cv = select.is_cv and select.lam is None
    nfold = pdesign.nfolds if cv else 1
    scan = Scan(ddf, client, columns=pdesign.columns_read)
    scan.starts = starts  # every pass's rows at their global positions
    stats = scan.run(_bootstrap_fold_task, (pdesign, n_boot, seed, nfold), _merge_nested)
    specs = [spec.with_l1_ratio(r) for r in ratios]
    if not gaussian:
        return _binomial_bootstrap_rule(scan, pdesign, stats, specs, select, seed, cv)
    coefs = []
    for fold_stats in stats:
        total = GramStats.merge_all(fold_stats)
        n_pos = int(round(sum(s.extra for s in fold_stats)))
        result = _gaussian_rule(total, fold_stats if cv else [], specs, select, n_pos)
        coefs.append(np.asarray(result.coef, dtype=float))
    return np.array(coefs), scan.passes


def _binomial_bootstrap_rule(scan, pdesign, stats, specs, select, seed, cv):
    """:func:`bootstrap_rule_coefs`, binomial: every (replicate, mix, fold) problem
    a problem of :func:`~penstat.solver.gram.binomial_path_groups` in lockstep (the
    rows weighted by the replicate's Poisson counts, made again on the workers),
    then one scoring pass of every replicate's folds with its weights."""
    from penstat.solver.gram import binomial_path_groups

    nmix = len(specs)

    def run_pass(requests):
        # group g is (replicate g // nmix, mix g % nmix): the replicate sets the counts
        asked = [((g // nmix, k), b0, b) for (g, k), b0, b in requests]
        return scan.run(_irls_task, (pdesign, asked, seed), _merge_list)

    totals = [GramStats.merge_all(fold_stats) for fold_stats in stats]
    groups = []
    for fold_stats, total in zip(stats, totals, strict=True):
        others = [_others(fold_stats, k) for k in range(len(fold_stats))] if cv else []
        groups += [([total, *others], s) for s in specs]
    paths, _ = binomial_path_groups(groups, run_pass)
    values = [None] * len(stats)
    if cv:
        measure = _check_cv_measure(select, "binomial")
        blocks = []
        for path, *fps in paths:
            nlam = path.lambdas.size
            blocks.append(
                (
                    np.array([_carry(fp.intercepts, nlam) for fp in fps]),
                    np.array([_carry_rows(fp.coefs, nlam) for fp in fps]),
                )
            )
        replicates = [g // nmix for g in range(len(blocks))]
        shared = (pdesign, blocks, "binomial", (seed, replicates))
        scored = scan.run(_score_task, shared, _add_pairs)
        m = _BINOMIAL_MEASURES.index(measure)
        values = [
            [(sums[m] / weights[:, None], weights, measure)
             for sums, weights in scored[r * nmix : (r + 1) * nmix]]
            for r in range(len(stats))
        ]  # fmt: skip
    coefs = []
    ratios = [s.l1_ratio for s in specs]
    for r, (fold_stats, total) in enumerate(zip(stats, totals, strict=True)):
        n_pos = int(round(sum(s.extra for s in fold_stats)))
        result = _choose(
            [g[0] for g in paths[r * nmix : (r + 1) * nmix]], values[r], select,
            total, n_pos, total.p, ratios, None, None,
        )  # fmt: skip
        coefs.append(np.asarray(result.coef, dtype=float))
    return np.array(coefs), scan.passes


#: what the binomial bootstrap with the rule in every replicate leaves out
BOOTSTRAP_RULE_REFUSAL = (
    "fixed_lam=False (the lambda rule inside every replicate) of a binomial fit on a "
    "Dask DataFrame takes the lasso or elastic-net CV rules and the lasso's "
    "criteria; a relaxed fit, cv_grid='glmnet' and the elastic net's criteria "
    "would need passes of their own for every replicate, which are not implemented; "
    "use fixed_lam=True (on the command line, add --bootstrap-fixed-lam)"
)


def _check_bootstrap_rule_groups(spec: FitSpec, select: SelectSpec) -> None:
    """The binomial group lasso's criteria inside every bootstrap replicate would
    need a pass of their own per replicate (Yuan & Lin's df at each lambda's IRLS
    weights): refused."""
    if (
        spec.family != "gaussian"
        and spec.is_group
        and spec.l1_within == 0
        and select.rule in CRITERIA
    ):
        raise ArgumentError(
            "fixed_lam=False with a criterion (select='aic', 'bic', 'ebic') of a "
            "binomial group lasso on a Dask DataFrame: its degrees of freedom at "
            "every replicate's lambdas would need passes of their own, which are not "
            "implemented; use fixed_lam=True (on the command line, add "
            "--bootstrap-fixed-lam), or a CV rule"
        )


def _add_pairs(a, b):
    return [(x[0] + y[0], x[1] + y[1]) for x, y in zip(a, b, strict=True)]


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
    lower_limits=None,
    upper_limits=None,
    adaptive_gamma: float | None = None,
    caller_env=None,
    na_action: str = "drop",
    groups=None,
) -> DaskRun:
    """Fit ``formula`` on the Dask DataFrame ``ddf`` by passes (module docstring).

    ``spec_options`` are the arguments of :meth:`FitSpec.build` other than ``n``,
    ``p``, the weights, the offset, the penalty factors, the limits and the
    intercept; ``select`` the checked lambda rule (a fixed ``lam``, a list of
    ``l1_ratios``, ``relax``); ``penalty_factor`` a function of the design (the
    template's, whose columns are the fit's) giving the factors;
    ``lower_limits`` / ``upper_limits`` as :func:`penstat.fit` takes them;
    ``adaptive_gamma`` (not None) the adaptive lasso's exponent (gaussian: the
    initial fit from the statistics); ``offset`` a column name; ``caller_env`` (a
    patsy ``EvalEnvironment``) the caller's namespace, whose names the formula uses
    are sent to the workers (:func:`penstat.distributed.design.caller_names`);
    ``na_action="raise"``: one more pass counts the missing values of every
    variable the formula uses, and any is a :class:`~penstat.DataError` naming the
    columns and their counts (as in memory). ``select.cv_grid="glmnet"``: every
    fold's path on its own grid (its own lambda_max and early stop), predicted at
    the full path's lambdas by glmnet's interpolation. ``groups`` (gaussian) a
    function of the design giving each column's group label: the group lasso (with
    ``spec_options["l1_within"]`` the sparse-group lasso) by the group kernel
    (:func:`~penstat.solver.gram.gaussian_path_from_stats`).

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
    fam = get_family(family)
    meta = ddf._meta
    used, level_cols = plan_design(
        formula, meta, fam.name, weights, offset, foldid, formula_env
    )
    shipped = {}
    if caller_env is not None:
        exclude = [c for c in (weights, offset, foldid) if c is not None]
        shipped = caller_names(formula, meta, exclude, caller_env)
    scan = Scan(ddf, client, columns=read_columns(used, weights, offset, foldid))
    if na_action == "raise":
        _raise_on_missing(scan, used)
    n_parts, levels, sample, n_kept = scan.run(
        _facts_task, (used, level_cols), _merge_facts_task
    )
    if int(np.sum(n_parts)) == 0:
        check_frame(meta.iloc[:0])  # the in-memory message for a frame without rows
    if n_kept == 0:
        raise DataError(
            f"no rows left after dropping rows with missing values in {used}; every row "
            "has a missing value in at least one of these columns"
        )
    facts = DataFacts(np.asarray(n_parts, dtype=np.int64), levels, sample, n_kept)
    scan.starts = facts.starts
    cv = select.is_cv and select.lam is None
    seed = 0 if select.seed is None else int(select.seed)
    pdesign = make_partition_design(
        formula, meta, facts, fam.name, used, weights, offset, foldid,
        positive_class, formula_env, select.nfolds, seed, shipped,
    )  # fmt: skip
    p = pdesign.p
    gaussian = fam.name == "gaussian"
    has_intercept = pdesign.design.has_intercept
    # the adaptive lasso's ridge start chooses its lambda by CV: the statistics of
    # the folds then come with the same pass. The rows kept bound the rows of
    # positive weight, which decide (_ridge_start)
    ridge_start = adaptive_gamma is not None and _ridge_start(n_kept, p, has_intercept)
    nfold = pdesign.nfolds if (cv or ridge_start) else 1
    folded = pdesign
    if nfold == 1:
        pdesign = dataclasses.replace(pdesign, nfolds=0, foldid=None)
    *fold_stats, span = scan.run(_fold_stats_task, (pdesign, nfold, gaussian), _merge_list)
    n_pos = int(round(sum(s.extra for s in fold_stats)))
    if nfold == 1 and adaptive_gamma is not None and _ridge_start(n_pos, p, has_intercept):
        # rows of weight 0 leave too few observations: one more pass for the folds
        pdesign, nfold = folded, folded.nfolds
        *fold_stats, span = scan.run(
            _fold_stats_task, (pdesign, nfold, gaussian), _merge_list
        )
    if weights is not None and span.largest > 0:
        check_weight_extremes(
            span.largest, span.smallest, span.total, f"weights {weights!r}"
        )
    total = GramStats.merge_all(fold_stats)
    if total.sum_w <= 0:
        raise DataError(f"weights column {weights!r} is zero for every row used")
    design = pdesign.design
    adaptive = adaptive_gamma is not None
    pf = None if adaptive or penalty_factor is None else penalty_factor(design)
    lower, upper = resolve_limits(lower_limits, upper_limits, design, pf)
    group_labels, group_options = _group_options(groups, design)

    def build(factors):
        return FitSpec.build(
            total.n_rows,
            p,
            **spec_options,
            penalty_factor=factors,
            lower_limits=lower,
            upper_limits=upper,
            fit_intercept=design.has_intercept,
            **group_options,
        )

    spec = build(pf)
    irls_passes = 0

    def run_pass(requests, boot_seed=None):
        return scan.run(_irls_task, (pdesign, list(requests), boot_seed), _merge_list)

    def binomial_groups(groups, problems=None):
        """Paths of the groups by IRLS passes; ``problems[g]`` (optional) the
        problem of :func:`_irls_task` whose rows group ``g`` (of one problem) has:
        0 the full data, ``k + 1`` the rows outside fold ``k``."""
        nonlocal irls_passes
        from penstat.solver.gram import binomial_path_groups

        def mapped(requests):
            return run_pass([((0, problems[g]), b0, b) for (g, _), b0, b in requests])

        paths, n = binomial_path_groups(groups, run_pass if problems is None else mapped)
        irls_passes += n
        return paths

    def cv_paths(specs, own_grid, with_folds=cv):
        """Every spec's full path and (with CV) its fold paths: on the full path's
        grid, or (``own_grid``) each on its own grid, then also at the full path's
        lambdas by interpolation; ``(paths, fold paths as fitted, at the lambdas)``."""
        others = [_others(fold_stats, k) for k in range(nfold)] if with_folds else []
        if gaussian:
            return _gaussian_paths(total, others, specs, own_grid, with_folds)
        if own_grid:
            # every fold leads its own group: its own grid and early stop
            size = 1 + len(others)
            groups = binomial_groups(
                [([b], s) for s in specs for b in (total, *others)],
                [k for _ in specs for k in range(size)],
            )
            paths = [groups[r * size][0] for r in range(len(specs))]
            fold_paths = [
                [g[0] for g in groups[r * size + 1 : (r + 1) * size]]
                if with_folds
                else None
                for r in range(len(specs))
            ]
        else:
            groups = binomial_groups([([total, *others], s) for s in specs])
            paths = [g[0] for g in groups]
            fold_paths = [g[1:] if with_folds else None for g in groups]
        return paths, fold_paths, _all_at_lambdas(paths, fold_paths, own_grid)

    def ridge_cv(ridge_spec, ridge_select):
        """The adaptive lasso's ridge start: the ridge path and its CV (cv_min)."""
        own = ridge_select.cv_grid == "glmnet" and ridge_spec.lambdas is None
        (path,), _, (folds,) = cv_paths([ridge_spec], own, True)
        values = _fold_values([path], [folds], fold_stats, scan, pdesign, ridge_select)
        nonzero = np.count_nonzero(np.asarray(path.coefs), axis=1)
        return path, _cv_result(np.asarray(path.lambdas), *values[0], nonzero)

    def solve_full(s):
        if gaussian:
            return gaussian_path_from_stats(total, s)
        return binomial_groups([([total], s)])[0][0]

    init = None
    if adaptive:
        init, steps = _adaptive_start(
            total, fold_stats, spec, select, adaptive_gamma, n_pos, run_pass, ridge_cv
        )
        irls_passes += steps
        spec = build(init.penalty_factor)
    ratios = select.l1_ratios if select.l1_ratios is not None else (spec.l1_ratio,)
    specs = [spec.with_l1_ratio(r) for r in ratios]

    if select.lam is not None:
        path, index = _lam_path(solve_full, spec, select.lam)
        result = EngineFit(path, index, None, spec.l1_ratio)
    elif gaussian:
        result = _gaussian_rule(total, fold_stats if cv else [], specs, select, n_pos)
    else:
        own_grid = cv and select.cv_grid == "glmnet" and spec.lambdas is None
        paths, own_paths, fold_paths = cv_paths(specs, own_grid)
        others = [_others(fold_stats, k) for k in range(nfold)] if cv else []
        values = None
        if cv and not select.relax:
            values = _fold_values(paths, fold_paths, fold_stats, scan, pdesign, select)

        def relax_choice(r):
            nonlocal irls_passes
            path = paths[r]
            items = [((0, 0), path, total.n_rows - 3)] + [
                ((0, k + 1), fp, o.n_rows - 3)
                for k, (fp, o) in enumerate(zip(own_paths[r], others, strict=True))
            ]
            (full, *rels), n = _logistic_relax(items, run_pass, spec.fit_intercept)
            irls_passes += n
            measure = _check_cv_measure(select, "binomial")
            values_of = _scored_relaxed_values(scan, pdesign, measure, path.lambdas.size)
            return _choose_relaxed(path, full, rels, select, values_of, own_grid)

        def edf_of(path):
            if path.spec.is_group:
                return _group_df(path, total, _group_hessians(path, run_pass))
            return _enet_df(path, total, _active_grams(path, scan, pdesign))

        result = _choose(
            paths, values, select, total, n_pos, p, ratios, relax_choice, edf_of
        )
    relaxed_deviance = None
    if result.relax is not None and not gaussian:
        # the relaxed coefficients' own deviance (the fit's dev_ratio): one pass
        (S,) = run_pass([((0, 0), result.intercept, result.coef)])
        relaxed_deviance = float(S.extra)
    sd = np.sqrt(np.maximum(np.diag(total.xx) / total.sum_w, 0.0))
    design = _dask_design(pdesign, facts, total.n_rows, sd)
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
        total,
        init,
        relaxed_deviance,
        group_labels,
    )


def _group_options(groups, design) -> tuple[list | None, dict]:
    """The group labels (``groups(design)``) and the options of
    :meth:`FitSpec.build` they give (the column names with them, as in memory);
    ``(None, {})`` without groups."""
    if groups is None:
        return None, {}
    labels = groups(design)
    return labels, {"groups": labels, "columns": design.columns}


def _gaussian_paths(total, others, specs, own_grid: bool, with_folds: bool = True):
    """Every spec's gaussian path from ``total`` and its fold paths from ``others``
    (each fold's training statistics): on the full path's grid, or (``own_grid``)
    each on its own; ``(paths, fold paths as fitted, fold paths at the lambdas)``."""
    paths = [gaussian_path_from_stats(total, s) for s in specs]
    fold_paths = [
        [
            gaussian_path_from_stats(
                o, s if own_grid else s.with_grid(np.asarray(path.lambdas))
            )
            for o in others
        ]
        if with_folds
        else None
        for s, path in zip(specs, paths, strict=True)
    ]
    return paths, fold_paths, _all_at_lambdas(paths, fold_paths, own_grid)


def _all_at_lambdas(paths, fold_paths, own_grid: bool):
    """The fold paths at their full path's lambdas (:func:`_at_lambdas`) when fitted
    on their own grids, else as they are."""
    if not own_grid or fold_paths[0] is None:
        return fold_paths
    return [
        [_at_lambdas(fp, np.asarray(path.lambdas)) for fp in fps]
        for path, fps in zip(paths, fold_paths, strict=True)
    ]


def _gaussian_rule(total, fold_stats, specs, select: SelectSpec, n_pos: int) -> EngineFit:
    """The gaussian path of every spec (mix) from ``total``, and the lambda rule of
    ``select`` (CV from ``fold_stats``, the folds' own statistics; a criterion; the
    relaxed lasso's (lambda, gamma)), then the mix: no pass."""
    cv = bool(fold_stats)
    own_grid = cv and select.cv_grid == "glmnet" and specs[0].lambdas is None
    others = [_others(fold_stats, k) for k in range(len(fold_stats))]
    paths, own_paths, fold_paths = _gaussian_paths(total, others, specs, own_grid, cv)
    values = None
    if cv and not select.relax:
        values = _fold_values(paths, fold_paths, fold_stats, None, None, select)

    def relax_choice(r):
        full = _relax_from_stats(paths[r], total)
        rels = [
            _relax_from_stats(fp, o) for fp, o in zip(own_paths[r], others, strict=True)
        ]
        values_of = _gaussian_relaxed_values(fold_stats)
        return _choose_relaxed(paths[r], full, rels, select, values_of, own_grid)

    ratios = [s.l1_ratio for s in specs]
    return _choose(
        paths, values, select, total, n_pos, total.p, ratios, relax_choice,
        lambda path: _enet_df(path, total),
    )  # fmt: skip


def _raise_on_missing(scan: Scan, used: list[str]) -> None:
    """``na_action="raise"``: one pass counting the missing values of each column of
    ``used``; the in-memory fit's error when any."""
    counts = scan.run(_na_count_task, used, _sum_task)
    if np.any(counts > 0):
        desc = ", ".join(f"{c!r} ({int(k)} rows)" for c, k in zip(used, counts, strict=True)
                         if k > 0)  # fmt: skip
        raise DataError(
            f"missing values in {desc}; drop or impute them, or use na_action='drop'"
        )


def _at_lambdas(fold_path: Path, lambdas: np.ndarray) -> Path:
    """A fold's path fitted on its own grid (``cv_grid="glmnet"``) at the full
    path's ``lambdas``, by glmnet's interpolation (:meth:`Path.coef_at`)."""
    b0, b = fold_path.coef_at(lambdas)
    return dataclasses.replace(
        fold_path,
        lambdas=np.asarray(lambdas, dtype=float),
        intercepts=np.asarray(b0, dtype=float),
        coefs=np.asarray(b, dtype=float),
    )


def _lam_path(solve_full, spec: FitSpec, lam: float):
    """:func:`penstat.solver.fixed_lam.lam_path` with ``full_grid=True`` (the
    formula API's): the whole path, then, unless ``lam`` is on its grid, the path
    again on its grid with ``lam`` inserted; ``solve_full(spec)`` fits a path."""
    from penstat.solver.fixed_lam import _ON_GRID

    base = solve_full(spec)
    grid = np.asarray(base.lambdas, float)
    close = np.flatnonzero(np.isclose(grid, lam, rtol=_ON_GRID, atol=0.0))
    if close.size:
        return base, int(close[0])
    path = solve_full(spec.with_grid(np.sort(np.append(grid, lam))[::-1]))
    return path, int(np.flatnonzero(np.asarray(path.lambdas) == lam)[0])


def _merge_facts_task(a, b):
    return merge_facts(a, b)


def _others(fold_stats, k):
    return GramStats.merge_all([s for j, s in enumerate(fold_stats) if j != k])


def _dask_design(pdesign: PartitionDesign, facts: DataFacts, n_used: int, sd) -> DaskDesign:
    template = pdesign.design
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
        offset=None,
        offset_column=pdesign.offset,
    )
    return DaskDesign(**values, n_used=n_used, sd=sd)


def _carry(values: np.ndarray, nlam: int) -> np.ndarray:
    """A fold's values at the path's lambdas: one that stopped early is carried
    forward at its last lambda, as glmnet."""
    values = np.asarray(values, dtype=float)
    if values.size >= nlam:
        return values[:nlam]
    return np.concatenate([values, np.full(nlam - values.size, values[-1])])


def _carry_rows(values: np.ndarray, nlam: int) -> np.ndarray:
    """:func:`_carry` for the rows of a (lambdas, p) array."""
    values = np.asarray(values, dtype=float)[:nlam]
    return np.concatenate([values, np.repeat(values[-1:], nlam - len(values), 0)])


def _check_cv_measure(select: SelectSpec, family: str) -> str:
    measure = check_measure(select.measure, family)
    if family == "gaussian" and measure != "mse":
        raise ArgumentError(
            f"measure={measure!r} is not available on a Dask DataFrame for the "
            "gaussian family (its CV error comes from the folds' statistics, which "
            "give squared errors only); use measure='mse'"
        )
    if measure == "auc":
        raise ArgumentError(
            "measure='auc' is not available on a Dask DataFrame: a fold's AUC ranks "
            "all its held-out predictions against each other at every lambda, which "
            "needs those predictions together (a sort of the fold's rows), not a sum "
            "that partitions can merge; an approximation would not equal the "
            "in-memory fit. Use measure='deviance' (or 'class', 'mse', 'mae')"
        )
    if measure not in _BINOMIAL_MEASURES:
        raise ArgumentError(
            f"measure={measure!r} is not available on a Dask DataFrame; use one of "
            f"{list(_BINOMIAL_MEASURES)}"
        )
    return measure


def _fold_values(paths, fold_paths, fold_stats, scan, pdesign, select):
    """Per l1_ratio: the CV folds' errors at every lambda and their weights
    (gaussian: from the held-out statistics; binomial: one scoring pass for all
    mixes and folds)."""
    family = paths[0].family
    measure = _check_cv_measure(select, family)
    nfold = len(fold_stats)
    if family == "gaussian":
        fold_weights = np.array([s.sum_w for s in fold_stats])
        return [
            (
                np.array(
                    [
                        _carry(gaussian_cv_loss(fps[k], fold_stats[k]), path.lambdas.size)
                        / fold_weights[k]
                        for k in range(nfold)
                    ]
                ),
                fold_weights,
                measure,
            )
            for path, fps in zip(paths, fold_paths, strict=True)
        ]
    blocks = []
    for path, fps in zip(paths, fold_paths, strict=True):
        nlam = path.lambdas.size
        intercepts = np.array([_carry(fp.intercepts, nlam) for fp in fps])
        coefs = np.array([_carry_rows(fp.coefs, nlam) for fp in fps])
        blocks.append((intercepts, coefs))
    scored = scan.run(_score_task, (pdesign, blocks, family), _add_pairs)
    m = _BINOMIAL_MEASURES.index(measure)
    return [(sums[m] / weights[:, None], weights, measure) for sums, weights in scored]


def _cv_result(lambdas, fold_values, fold_weights, measure, nonzero) -> CVResult:
    cvm, cvsd, counts = weighted_stats(fold_values, fold_weights)
    index_min, index_1se = optimal_indices(lambdas, cvm, cvsd)
    return CVResult(
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


def _cv_selection(rule: str, cvres: CVResult, index: int | None = None, lam_min=None,
                  lam_1se=None) -> Selection:  # fmt: skip
    if index is None:
        index = cvres.index_1se if rule == "cv_1se" else cvres.index_min
    return Selection(
        rule=rule,
        lam=float(cvres.lambdas[index]),
        index=index,
        table=cvres.to_frame(),
        lam_min=cvres.lam_min if lam_min is None else lam_min,
        lam_1se=cvres.lam_1se if lam_1se is None else lam_1se,
        cv=cvres,
        measure=cvres.measure,
    )


def _choose(paths, values, select, total, n_pos, p, ratios, relax_choice, edf_of):
    """The lambda rule on every mix's path, then the mix (as
    :func:`penstat.selection.l1_ratio.search_l1_ratio`); the relaxed fit's
    (lambda, gamma) for ``select.relax`` (``relax_choice(r)`` of mix ``r``);
    ``edf_of(path)`` the elastic net's effective degrees of freedom."""
    from penstat.selection.l1_ratio import _mix_row

    fits = []
    for r, path in enumerate(paths):
        lambdas = np.asarray(path.lambdas, dtype=float)
        if select.rule is None:
            fits.append((None, lambdas.size - 1, None))
        elif select.rule in CRITERIA:
            sel = _criteria(path, select, total, n_pos, p, edf_of)
            fits.append((sel, sel.index, None))
        elif select.relax:
            sel, relax = relax_choice(r)
            fits.append((sel, sel.index, relax))
        else:
            fold_values, fold_weights, measure = values[r]
            nonzero = np.count_nonzero(np.asarray(path.coefs), axis=1)
            cvres = _cv_result(lambdas, fold_values, fold_weights, measure, nonzero)
            sel = _cv_selection(select.rule, cvres)
            fits.append((sel, sel.index, None))
    if len(paths) == 1:
        sel, index, relax = fits[0]
        return EngineFit(paths[0], int(index), sel, float(ratios[0]), relax=relax)
    table = pd.DataFrame(
        [_mix_row(r, sel) for r, (sel, _, _) in zip(ratios, fits, strict=True)]
    )
    best = best_index(table["score"].to_numpy(dtype=float), np.asarray(ratios))
    if best < 0:
        raise DataError("no l1_ratio gave a finite CV error or criterion")
    table = table.drop(columns="score")
    table["chosen"] = np.arange(len(ratios)) == best
    sel, index, _ = fits[best]
    return EngineFit(paths[best], int(index), sel, float(ratios[best]), table)


def _weighted_gram(stats: GramStats, sum_w: float, fit_intercept: bool) -> np.ndarray:
    """``X' M X / sum_w`` from ``stats`` (made with the weights ``M``), columns
    centred at their ``M``-weighted means with an intercept, raw without."""
    gram = stats.xx
    if not fit_intercept:
        gram = gram + stats.sum_w * np.outer(stats.x_mean, stats.x_mean)
    return gram / sum_w


def _free_set(path: Path) -> np.ndarray:
    """(nlam, p) the nonzero coefficients strictly inside their limits (the set
    :func:`penstat.selection.criteria.effective_df` counts)."""
    from penstat._limits import at_limit

    coefs = np.asarray(path.coefs, dtype=float)
    free = coefs != 0
    if path.spec.has_limits:
        free &= ~at_limit(coefs, path.spec.lower_limits, path.spec.upper_limits)
    return free


def _enet_df(path: Path, total: GramStats, grams=None) -> np.ndarray:
    """The elastic net's effective degrees of freedom from the statistics:
    :func:`penstat.selection.criteria.effective_df` with ``X' M X`` (M the weights
    normalized to sum 1; columns centred with an intercept): gaussian read from
    ``total``; binomial ``grams[k]`` the statistics of the free columns of lambda
    ``k`` with the IRLS weights ``w mu (1 - mu)`` at its solution
    (:func:`_active_grams`). The column scales come from ``total``."""
    spec = path.spec
    sw = total.sum_w
    gram = _weighted_gram(total, sw, spec.fit_intercept)
    y2 = total.yy / sw + (0.0 if spec.fit_intercept else total.y_mean**2)
    p = gram.shape[0]
    scales = np.sqrt(np.maximum(np.diag(gram), 0.0)) if spec.standardize else np.ones(p)
    y_scale = float(np.sqrt(max(y2, 0.0))) or 1.0
    if grams is not None:
        y_scale = 1.0  # binomial: no response scale in the ridge term
    pf = path.penalty_factor * (p / path.penalty_factor.sum())
    l1_ratio = float(path.l1_ratio)
    free = _free_set(path)
    df = np.zeros(free.shape[0])
    for k, lam in enumerate(np.asarray(path.lambdas, dtype=float)):
        active = np.flatnonzero(free[k])
        if active.size == 0:
            continue
        unit = np.where(scales[active] > 0, scales[active], 1.0)
        if grams is None:
            g = gram[np.ix_(active, active)] / np.outer(unit, unit)
        else:
            g = _weighted_gram(grams[k], sw, spec.fit_intercept) / np.outer(unit, unit)
        ridge = lam * (1.0 - l1_ratio) * pf[active] * (scales[active] / unit) ** 2 / y_scale
        df[k] = float(np.trace(np.linalg.solve(g + np.diag(ridge), g)))
    return df


def _criteria(
    path: Path, select: SelectSpec, total: GramStats, n_pos: int, p: int, edf_of
) -> Selection:
    """AIC / BIC / EBIC from the path's deviance and degrees of freedom (the lasso's
    nonzero count; the elastic net's ``edf_of(path)``), as
    :func:`penstat.selection.criteria.criteria_table`."""
    lambdas = np.asarray(path.lambdas, dtype=float)
    nonzero = np.count_nonzero(np.asarray(path.coefs), axis=1)
    deviance = np.asarray(path.deviance, dtype=float)
    if path.family == "gaussian":
        sw = total.sum_w
        with np.errstate(divide="ignore"):
            loglik = -0.5 * sw * (np.log(2.0 * np.pi * deviance / sw) + 1.0)
    else:
        loglik = -0.5 * deviance
    if path.spec.is_group and path.spec.l1_within == 0:
        edf = _group_df(path, total) if path.family == "gaussian" else edf_of(path)
    elif float(path.l1_ratio) < 1.0:
        edf = edf_of(path)
    else:
        edf = _free_set(path).sum(axis=1).astype(float)
    edf = edf + (1.0 if path.fit_intercept else 0.0)
    gamma = check_gamma(select.gamma, n_pos, p)
    aic = -2.0 * loglik + 2.0 * edf
    bic = -2.0 * loglik + np.log(n_pos) * edf
    ebic = bic + 2.0 * gamma * log_choose(*_ebic_choices(path, p, nonzero))
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


def _group_df(path: Path, total: GramStats, hessians=None) -> np.ndarray:
    """Yuan & Lin's degrees of freedom of a group lasso path from the statistics
    (:func:`penstat.selection.criteria.effective_df` for groups): per nonzero
    group ``1 + (||b_g|| / ||b_g^LS||) (p_g - 1)``, ``b_g^LS = b_g + H_g^+ g_g``
    with ``H_g`` the group's block of ``X' M X`` and ``g_g`` its block of
    ``X' V (y - mu)`` (``V`` the weights summing to 1, ``M = V`` for gaussian and
    ``V mu (1 - mu)`` for binomial, read from ``hessians[k]``, the IRLS
    statistics at lambda ``k``'s solution: :func:`_group_hessians`; columns
    centred at their ``M``-weighted means with an intercept), the norms on the
    standardized scale unless ``standardize=False``."""
    spec = path.spec
    sw = total.sum_w
    gram = _weighted_gram(total, sw, spec.fit_intercept)
    cross = total.xy / sw
    if not spec.fit_intercept:
        cross = cross + total.x_mean * total.y_mean
    scales = None
    if spec.standardize:
        scales = np.sqrt(np.maximum(np.diag(gram), 0.0))
        scales = np.where(scales > 0, scales, 1.0)
    groups = spec.groups
    members = [np.flatnonzero(groups == g) for g in range(groups.max() + 1)]
    coefs = np.asarray(path.coefs, dtype=float)
    df = np.zeros(coefs.shape[0])
    for k, b in enumerate(coefs):
        if hessians is None:
            score = cross - gram @ b
        elif hessians[k] is None:
            continue
        else:
            gram, score = _irls_gram_and_score(hessians[k], b, sw, spec.fit_intercept)
        for cols in members:
            bg = b[cols]
            if not np.any(bg != 0):
                continue
            hg = gram[np.ix_(cols, cols)]
            b_ls = bg + np.linalg.pinv(hg, hermitian=True) @ score[cols]
            if scales is not None:
                bg, b_ls = bg * scales[cols], b_ls * scales[cols]
            ratio = np.linalg.norm(bg) / max(np.linalg.norm(b_ls), np.finfo(float).tiny)
            df[k] += 1.0 + ratio * (cols.size - 1)
    return df


def _irls_gram_and_score(S: GramStats, beta, sum_w: float, fit_intercept: bool):
    """From the IRLS statistics ``S`` at a point (weights ``w mu (1 - mu)``,
    working response; :func:`~penstat.solver.gram.irls_pass_stats`): ``X' M X``
    and ``X' V (y - mu)`` (``V = w / sum_w``), centred at the ``M``-weighted means
    with an intercept, raw without."""
    if fit_intercept:
        return S.xx / sum_w, (S.xy - S.xx @ beta) / sum_w
    raw = S.xx + S.sum_w * np.outer(S.x_mean, S.x_mean)
    score = S.xy + S.x_mean * (S.sum_w * S.y_mean) - raw @ beta
    return raw / sum_w, score / sum_w


def _group_hessians(path: Path, run_pass) -> list:
    """One pass: the IRLS statistics at every lambda of a binomial group path
    with a nonzero coefficient (None at the others), what its degrees of freedom
    need (:func:`_group_df`)."""
    coefs = np.asarray(path.coefs, dtype=float)
    ks = [k for k in range(coefs.shape[0]) if np.any(coefs[k] != 0)]
    got = (
        run_pass([((0, 0), float(path.intercepts[k]), coefs[k]) for k in ks]) if ks else []
    )
    out: list = [None] * coefs.shape[0]
    for k, S in zip(ks, got, strict=True):
        out[k] = S
    return out


def _ebic_choices(path: Path, p: int, nonzero: np.ndarray):
    """EBIC's ``(space, chosen)`` of ``log(choose(space, chosen))``: the groups of
    a group lasso (:func:`penstat.selection.criteria.criteria_table`), else the
    columns."""
    spec = path.spec
    if not (spec.is_group and spec.l1_within == 0):
        return p, nonzero
    groups = spec.groups
    n_groups = int(groups.max()) + 1
    chosen = [
        np.count_nonzero(np.bincount(groups, weights=np.abs(b), minlength=n_groups))
        for b in np.asarray(path.coefs)
    ]
    return n_groups, np.array(chosen)


# -- the relaxed lasso and the adaptive start, from the statistics (gaussian) ---------


def _least_squares(stats: GramStats, mask: np.ndarray, fit_intercept: bool):
    """(intercept, coefficients) of the weighted least-squares fit of ``y`` on the
    columns ``mask``, from the statistics (the normal equations of the centred
    cross products; uncentred without an intercept), or None when not finite."""
    if fit_intercept:
        A = stats.xx[np.ix_(mask, mask)]
        c = stats.xy[mask]
    else:
        m = stats.x_mean[mask]
        A = stats.xx[np.ix_(mask, mask)] + stats.sum_w * np.outer(m, m)
        c = stats.xy[mask] + stats.sum_w * m * stats.y_mean
    beta = np.linalg.lstsq(A, c, rcond=None)[0]
    if not np.all(np.isfinite(beta)):
        return None
    if not fit_intercept:
        return 0.0, beta
    b0 = (stats.y_mean - stats.x_mean[mask] @ beta) + (
        stats.y_mean_lo - stats._xlo[mask] @ beta
    )
    return float(b0), beta


def _relax_from_stats(path: Path, stats: GramStats):
    """:func:`penstat.solver.relax.relax_path` of a gaussian path from the
    statistics of its rows (those of ``y - offset``): the least-squares refit of
    every distinct active set, with relax.glmnet's size limit ``n - 3`` and the
    extend rule."""
    from penstat.solver.relax import _relax_active_sets

    def refit(mask):
        found = _least_squares(stats, mask, path.spec.fit_intercept)
        return "failed" if found is None else found

    return _relax_active_sets(path, stats.n_rows - 3, refit)


def _choose_relaxed(path, full_rel, fold_rels, select, fold_values_of, own_grid):
    """:func:`penstat.selection.relax.choose_relaxed` from the passes: ``full_rel``
    the full path's refits, ``fold_rels`` every fold path's refits (on its own grid
    with ``own_grid``, then interpolated at the full path's lambdas), and
    ``fold_values_of(mixed)`` the folds' held-out errors of the blends
    ``mixed[g][k]`` (gamma ``g``, fold ``k``): ``(values (gammas, folds, lambdas),
    fold weights)``."""
    from penstat.selection.relax import RelaxedCV, RelaxedFit, relaxed_optimum
    from penstat.solver.relax import RELAX_GAMMAS, blend

    measure = _check_cv_measure(select, path.family)
    lambdas = np.asarray(path.lambdas, dtype=float)
    mixed = []
    for gamma in RELAX_GAMMAS:
        row = []
        for rel in fold_rels:
            fp = rel.path
            b0, b = blend(gamma, fp.intercepts, fp.coefs, rel.intercepts, rel.coefs)
            m = dataclasses.replace(fp, intercepts=b0, coefs=b)
            row.append(_at_lambdas(m, lambdas) if own_grid else m)
        mixed.append(row)
    values, fold_weights = fold_values_of(mixed)
    nonzero = np.count_nonzero(np.asarray(path.coefs), axis=1)
    cvs = [
        _cv_result(lambdas, values[g], fold_weights, measure, nonzero)
        for g in range(len(RELAX_GAMMAS))
    ]
    best = relaxed_optimum(lambdas, RELAX_GAMMAS, cvs)
    rcv = RelaxedCV(tuple(float(g) for g in RELAX_GAMMAS), tuple(cvs), *best)
    if select.rule == "cv_1se":
        index, gamma = rcv.index_1se, rcv.gamma_1se
    else:
        index, gamma = rcv.index_min, rcv.gamma_min
    sel = _cv_selection(
        select.rule,
        rcv.cv_of(gamma),
        index,
        float(lambdas[rcv.index_min]),
        float(lambdas[rcv.index_1se]),
    )
    return sel, RelaxedFit(full_rel, gamma, index, rcv)


def _gaussian_relaxed_values(fold_stats):
    """``fold_values_of`` of :func:`_choose_relaxed` for gaussian: each blend's
    held-out error from the fold's statistics (a quadratic form: no pass)."""
    fold_weights = np.array([s.sum_w for s in fold_stats])

    def values_of(mixed):
        values = np.array(
            [
                [
                    _carry(gaussian_cv_loss(m, fold_stats[k]), m.lambdas.size)
                    / fold_weights[k]
                    for k, m in enumerate(row)
                ]
                for row in mixed
            ]
        )
        return values, fold_weights

    return values_of


def _scored_relaxed_values(scan, pdesign, measure, nlam):
    """``fold_values_of`` of :func:`_choose_relaxed` for binomial: one scoring pass
    of every fold's held-out rows at every (gamma, lambda)."""

    def values_of(mixed):
        blocks = [
            (
                np.array([_carry(m.intercepts, nlam) for m in row]),
                np.array([_carry_rows(m.coefs, nlam) for m in row]),
            )
            for row in mixed
        ]
        scored = scan.run(_score_task, (pdesign, blocks, "binomial"), _add_pairs)
        i = _BINOMIAL_MEASURES.index(measure)
        values = np.array([sums[i] / weights[:, None] for sums, weights in scored])
        return values, scored[0][1]

    return values_of


_REFIT_STEPS = 100


def _logistic_relax(items, run_pass, fit_intercept: bool):
    """:func:`penstat.solver.relax.relax_path` of binomial paths from passes: item
    ``(key, path, maxp)`` a path of the problem ``key`` (``(0, 0)`` the full data,
    ``(0, k + 1)`` the rows outside fold ``k``; :func:`_irls_task`) and relax.glmnet's
    size limit. Every distinct active set of every path is refitted without a
    penalty by Newton (IRLS) steps from the lasso's coefficients there; a step is
    the weighted least-squares fit of the working response on the active columns,
    and one pass makes the statistics of every active set still moving. An active
    set whose steps do not settle (to round-off) in 100 passes has no finite
    estimate (separated classes): ``"separation"``, as in memory. Returns the
    :class:`~penstat.solver.relax.RelaxedPath` of each item and the passes."""
    from penstat.solver.relax import _relax_active_sets

    live: dict = {}
    for i, (key, path, maxp) in enumerate(items):
        coefs = np.asarray(path.coefs, dtype=float)
        for k in range(coefs.shape[0]):
            mask = coefs[k] != 0
            t = (i, mask.tobytes())
            if mask.any() and mask.sum() <= maxp and t not in live:
                live[t] = [
                    key,
                    mask,
                    float(path.intercepts[k]),
                    np.where(mask, coefs[k], 0.0),
                ]
    found: dict = {}
    passes = 0
    while live and passes < _REFIT_STEPS:
        order = list(live)
        stats = run_pass([(live[t][0], live[t][2], live[t][3]) for t in order])
        passes += 1
        for t, S in zip(order, stats, strict=True):
            key, mask, b0, beta = live[t]
            step = _least_squares(S, mask, fit_intercept)
            if step is None:
                found[t] = "failed"
                del live[t]
                continue
            nb0, nb = step
            new = np.zeros_like(beta)
            new[mask] = nb
            move = max(abs(nb0 - b0), float(np.max(np.abs(new - beta))))
            live[t][2:] = [nb0, new]
            if move <= 1e-13 * (1.0 + max(abs(nb0), float(np.max(np.abs(nb))))):
                found[t] = (nb0, nb)
                del live[t]
    for t in live:
        found[t] = "separation"
    rels = [
        _relax_active_sets(path, maxp, lambda mask, i=i: found[(i, mask.tobytes())])
        for i, (_, path, maxp) in enumerate(items)
    ]
    return rels, passes


def _active_gram_task(part, start, shared):
    """Per point ``(intercept, beta, cols)``: the statistics of the columns
    ``cols`` weighted by ``w mu (1 - mu)`` at that point (the offset in ``mu``)."""
    import scipy.special

    pdesign, points = shared
    b = pdesign.block(part, start)
    X, w, off = b["X"], b["w"], b["offset"]
    out = []
    for b0, beta, cols in points:
        nz = np.flatnonzero(beta)
        eta = X[:, nz] @ beta[nz] + b0
        if off is not None:
            eta = eta + off
        mu = scipy.special.expit(eta)
        m = mu * (1.0 - mu) if w is None else w * mu * (1.0 - mu)
        out.append(_stats(X[:, cols], np.zeros(eta.shape[0]), m, cols.size, 0))
    return out


def _active_grams(path: Path, scan, pdesign) -> list:
    """One pass: at every lambda of a binomial path, the statistics of its free
    columns (:func:`_free_set`) with the IRLS weights ``w mu (1 - mu)`` at its
    solution: what the binomial elastic net's effective degrees of freedom need
    (:func:`_enet_df`). Lambdas with no free column get None."""
    free = _free_set(path)
    coefs = np.asarray(path.coefs, dtype=float)
    ks = [k for k in range(coefs.shape[0]) if free[k].any()]
    points = [(float(path.intercepts[k]), coefs[k], np.flatnonzero(free[k])) for k in ks]
    grams = scan.run(_active_gram_task, (pdesign, points), _merge_list) if ks else []
    out: list = [None] * coefs.shape[0]
    for k, g in zip(ks, grams, strict=True):
        out[k] = g
    return out


def _logistic_start(total: GramStats, fit_intercept: bool, run_pass):
    """The unpenalized logistic fit by Newton (IRLS) steps, one pass each: the
    weighted least-squares fit of the working response is the next point, until it
    stops moving (to round-off); ``(intercept, coefficients, passes)``."""
    p = total.p
    b0, beta = 0.0, np.zeros(p)
    every = np.ones(p, bool)
    for step in range(1, 101):
        (S,) = run_pass([((0, 0), b0, beta)])
        found = _least_squares(S, every, fit_intercept)
        if found is None:
            break
        nb0, nbeta = found
        move = max(abs(nb0 - b0), float(np.max(np.abs(nbeta - beta))))
        b0, beta = nb0, nbeta
        if move <= 1e-13 * (1.0 + max(abs(b0), float(np.max(np.abs(beta))))):
            return b0, beta, step
    raise DataError(
        "penalty_factor='adaptive': the unpenalized logistic start did not converge: "
        "the columns may separate the classes (no finite estimate); give "
        "penalty_factor (e.g. from a ridge fit) instead"
    )


def _ridge_start(n_obs: int, p: int, fit_intercept: bool) -> bool:
    """Whether the adaptive lasso starts from ridge: no more observations of
    positive weight than parameters (:func:`penstat.engine.adaptive_init`'s rule)."""
    return n_obs <= p + int(fit_intercept)


def _adaptive_start(
    total, fold_stats, spec: FitSpec, select: SelectSpec, gamma, n_pos, run_pass, ridge_cv
):
    """:func:`penstat.engine.adaptive_init` from the statistics and the passes:
    with more observations than parameters the weighted least-squares fit
    (gaussian, from the Gram) or the logistic fit (binomial, Newton steps of one
    pass each); otherwise ridge with lambda by CV (``cv_min``) on the folds:
    ``ridge_cv(ridge spec, select)`` (gaussian from the folds' statistics, binomial
    by IRLS passes and a scoring pass). Returns the start and the IRLS passes."""
    from penstat.engine import ADAPTIVE_FACTOR_CAP, AdaptiveInit

    p = total.p
    b0, lam, seed, steps = 0.0, None, None, 0
    many = not _ridge_start(n_pos, p, spec.fit_intercept)
    if many and spec.family != "gaussian":
        method, reason = "logistic", f"{n_pos} observations > {p} columns"
        b0, b, steps = _logistic_start(total, spec.fit_intercept, run_pass)
    elif many:
        method, reason = "ols", f"{n_pos} observations > {p} columns"
        found = _least_squares(total, np.ones(p, bool), spec.fit_intercept)
        if found is None:
            raise DataError(
                "penalty_factor='adaptive': the least-squares start is not finite"
            )
        b0, b = found
    else:
        method, reason = "ridge", f"{n_pos} observations <= {p} columns"
        if len(fold_stats) < 3:
            raise DataError(
                "penalty_factor='adaptive' with no more observations than columns "
                "starts from ridge with lambda by CV, which needs the folds; use "
                "select='cv_min' or 'cv_1se', or give penalty_factor"
            )
        ridge_spec = FitSpec(
            family=spec.family,
            l1_ratio=0.0,
            standardize=spec.standardize,
            fit_intercept=spec.fit_intercept,
            tol=spec.tol,
            max_iter=spec.max_iter,
        )
        ridge_select = dataclasses.replace(
            select, rule="cv_min", lam=None, l1_ratios=None, relax=False, gamma=None
        )
        path, cvres = ridge_cv(ridge_spec, ridge_select)
        index = cvres.index_min
        b0, b = float(path.intercepts[index]), np.asarray(path.coefs[index], float)
        lam, seed = float(path.lambdas[index]), select.seed
    b = np.asarray(b, dtype=float)
    size = _adaptive_sizes(b, spec.groups)
    if not np.any(size > 0):
        raise DataError(
            "penalty_factor='adaptive': every coefficient of the initial fit is 0, so "
            "no column can be weighted; check the response, or give penalty_factor"
        )
    cap = ADAPTIVE_FACTOR_CAP * float(np.max(size)) ** -gamma
    with np.errstate(divide="ignore"):
        factor = size**-gamma
    capped = factor > cap
    init = AdaptiveInit(
        method=method,
        coef=b,
        intercept=float(b0),
        lam=lam,
        gamma=float(gamma),
        penalty_factor=np.where(capped, cap, factor),
        capped=capped,
        reason=reason,
        seed=seed,
        groups=spec.groups,
    )
    return init, steps


def _adaptive_sizes(b: np.ndarray, groups) -> np.ndarray:
    """What the adaptive factors are powers of: ``|b_j|``, or with groups the
    norm of the column's group (Wang & Leng 2008), as
    :func:`penstat.engine.adaptive_init`."""
    from penstat.engine import group_norms

    if groups is None:
        return np.abs(b)
    return group_norms(b, groups)[groups]
