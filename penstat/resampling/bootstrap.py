"""The pairs bootstrap of a fit: selection frequency, sign and coefficient spread.

Every replicate's random numbers are drawn up front from one
``numpy.random.SeedSequence(seed)``, so a seed gives identical numbers for any
``n_jobs`` and any joblib backend (including Dask).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError, DataError, PenstatError, warn_user
from penstat._runner import maps_arrays, run_tasks
from penstat._validation import (
    check_int,
    check_n_jobs,
    fresh_seed,
    real_number,
    seed_sequence,
)
from penstat.resampling.result import BootstrapResult
from penstat.spec import check_bool

__all__ = ["run_bootstrap"]


class Refittable(Protocol):
    """What the bootstrap reads from a fit (:class:`~penstat.results.PenalizedFit`)."""

    design: Any
    family: Any

    def refitter(self, fixed_lam: bool = False) -> Callable[..., np.ndarray]:
        """A picklable ``f(rows, seed=...)``: the coefficients (p,) of the whole fit
        re-run on design rows ``rows`` (what each replicate runs, in a worker)."""
        ...


def run_bootstrap(
    fit: Refittable,
    n_boot: int = 200,
    fixed_lam: bool = False,
    seed=None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    stratify: bool | None = None,
    level: float = 0.95,
) -> BootstrapResult:
    """Pairs bootstrap of a fit: selection frequency, sign and coefficient spread.

    Each replicate draws ``n`` design rows with replacement and re-runs the whole
    fit on them through ``fit.refitter`` (the same penalty, limits, weights and
    offset; the same lambda rule, with CV folds drawn inside the replicate, unless
    ``fixed_lam``). Called as the method ``fit.bootstrap(...)``, the result is also
    kept in ``fit.bootstrap_result`` and shown by the summary and the report.

    A replicate that cannot be fitted (say, too few events of a rare class for its
    CV folds) is left out and counted (``n_failed``, with its message in
    ``failures``); the others are kept, and a warning quotes the data's class
    counts. If none can be fitted, a :class:`~penstat.DataError` says why.

    Parameters
    ----------
    fit : PenalizedFit
    n_boot : int
        Number of replicates (at least 2).
    fixed_lam : bool
        False (default): the fit's lambda rule is re-applied inside each replicate
        (CV nested in the resample); True: the fit's own lambda is reused (faster).
    seed : int, numpy.random.SeedSequence or None
        Same seed, same numbers, for any ``n_jobs`` and joblib backend.
    n_jobs : int, optional
        joblib workers (``-1``: all cores); None follows ``joblib.parallel_config``.
    progress : bool, optional
        None: a progress bar when stderr is a terminal; False: never; True: always.
    stratify : bool, optional
        Resample within each class, keeping the class counts (binomial 0/1 only).
        None (default): stratified for a binomial fit with 0/1 labels, so that every
        replicate holds the data's number of events, however rare (a plain resample
        of 15 events in 1000 rows has fewer than 10 events one time in four, too few
        for stratified 10-fold CV); not stratified otherwise. Grouped data
        (proportions of trials) has no classes: its rows, the groups, are resampled
        as they are.
    level : float
        Coverage of the percentile interval.

    Returns
    -------
    BootstrapResult

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0)
    >>> boot = run_bootstrap(fit, n_boot=20, seed=0, progress=False)
    >>> float(boot.columns.loc["bmi", "freq"])
    1.0
    """
    n_boot = check_int(n_boot, "n_boot", 2)
    n_jobs = check_n_jobs(n_jobs)
    # an int drawn from fresh entropy when none is given, recorded as seed_entropy
    seq = seed_sequence(fresh_seed() if seed is None else seed)
    fixed_lam = check_bool(fixed_lam, "fixed_lam")
    level = real_number(level, "level", "a number in (0, 1)")
    if not 0.0 < level < 1.0:
        raise ArgumentError(f"level must be in (0, 1), got {level!r}")
    design = fit.design
    y = np.asarray(design.y)
    n = y.shape[0]
    columns = list(design.columns)

    stratify = _check_stratify(stratify, fit.family.name, y)
    strata = [np.flatnonzero(y == v) for v in np.unique(y)] if stratify else None

    tasks = list(enumerate(seq.spawn(n_boot)))
    plan = _Plan(fit.refitter(fixed_lam), n, strata)
    results = run_tasks(
        _replicate,
        plan,
        tasks,
        n_jobs,
        progress,
        "bootstrap",
        prefer="threads",
        mapped=maps_arrays(design.X),
    )
    failures = tuple(
        f"replicate {i}: {res}" for i, res in enumerate(results) if isinstance(res, str)
    )
    kept = [res for res in results if not isinstance(res, str)]
    if failures:
        _report_failures(failures, n_boot, fit.family.name, y, stratify, bool(kept))
    coefs = np.asarray(kept, dtype=float).reshape(len(kept), len(columns))
    result = _summarize_bootstrap(
        coefs, columns, design.terms, fixed_lam, level, seq, stratify, failures
    )
    # the group lasso selects whole penalty groups
    spec = getattr(getattr(fit, "path", None), "spec", None)
    if getattr(spec, "groups", None) is not None:
        result = replace(result, unit="group")
    return result


def _check_stratify(stratify, family: str, y: np.ndarray) -> bool:
    """Whether to resample within each class (None: yes for 0/1 binomial data)."""
    labels = bool(np.all((y == 0) | (y == 1)))
    if stratify is None:
        return family == "binomial" and labels
    stratify = check_bool(stratify, "stratify")
    if stratify and family != "binomial":
        raise ArgumentError("stratify=True needs a binomial fit (it keeps class counts)")
    if stratify and not labels:
        raise ArgumentError(
            "stratify=True keeps class counts, and grouped data (successes of "
            "trials) has no classes; leave stratify=None or False: the groups (rows) "
            "are resampled"
        )
    return stratify


@dataclass(frozen=True)
class _Plan:
    """What every bootstrap task reads: the refit (arrays and specs, no data
    frame), the number of rows and the row positions of each class (stratified)."""

    refit: Callable[..., np.ndarray]
    n: int
    strata: list | None


def _replicate(plan: _Plan, task) -> np.ndarray | str:
    """One replicate's coefficients, or the message of the error that stopped it."""
    _, child = task
    rng = np.random.default_rng(child)
    rows = _bootstrap_rows(rng, plan.n, plan.strata)
    seed_k = int(rng.integers(0, 2**31 - 1))
    try:
        return plan.refit(rows, seed=seed_k)
    except PenstatError as exc:
        return str(exc)


def _report_failures(failures, n_boot, family, y, stratify, any_kept) -> None:
    """Warn (some replicates failed) or raise (all did), quoting the data's class
    counts: a replicate's own counts would mislead."""
    counts = ""
    if family == "binomial" and np.all((y == 0) | (y == 1)):
        events = int(np.sum(y == 1))
        counts = (
            f" The data has {events} events (y == 1) and {y.size - events} non-events "
            f"in {y.size} rows"
            + ("; each replicate keeps these counts." if stratify else ".")
        )
    if not any_kept:
        raise DataError(
            f"none of the {n_boot} bootstrap replicates could be fitted.{counts} "
            f"The first, in a resample of the data: {failures[0]}. Use fewer CV folds "
            "(nfolds=), fixed_lam=True, or more data."
        )
    warn_user(
        f"{len(failures)} of {n_boot} bootstrap replicates could not be fitted and are "
        f"left out; the frequencies are over the other {n_boot - len(failures)}."
        f"{counts} A resample can hold fewer events than the data (too few for its "
        "CV folds, or none); BootstrapResult.failures has each replicate's message.",
        UserWarning,
    )


def _summarize_bootstrap(coefs, columns, terms, fixed_lam, level, seq, stratify, failures):
    n_boot = coefs.shape[0]
    nonzero = coefs != 0
    n_sel = nonzero.sum(axis=0)
    n_pos = (coefs > 0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sign_consistency = np.where(
            n_sel > 0, np.maximum(n_pos, n_sel - n_pos) / np.maximum(n_sel, 1), np.nan
        )
    tail = (1.0 - level) / 2.0
    lower, median, upper = np.quantile(coefs, [tail, 0.5, 1.0 - tail], axis=0)
    col_table = pd.DataFrame(
        {
            "freq": n_sel / n_boot,
            "sign_consistency": sign_consistency,
            "median": median,
            "lower": lower,
            "upper": upper,
        },
        index=pd.Index(columns, name="column"),
    )
    position = {name: j for j, name in enumerate(columns)}
    term_freq = {}
    for term, term_columns in dict(terms).items():
        idx = [position[c] for c in term_columns if c in position]
        if idx:
            term_freq[term] = float(nonzero[:, idx].any(axis=1).mean())
    term_table = pd.DataFrame(
        {"freq": pd.Series(term_freq, dtype=float)}, index=pd.Index(term_freq, name="term")
    )
    sizes = nonzero.sum(axis=1)
    model_size = (
        pd.Series(sizes)
        .value_counts()
        .sort_index()
        .rename("replicates")
        .rename_axis("size")
    )
    return BootstrapResult(
        n_boot=n_boot + len(failures),
        fixed_lam=fixed_lam,
        level=level,
        columns=col_table,
        terms=term_table,
        model_size=model_size,
        coefs=coefs,
        seed_entropy=seq.entropy,
        stratify=stratify,
        n_failed=len(failures),
        failures=failures,
    )


def _bootstrap_rows(rng, n, strata):
    if strata is None:
        return rng.integers(0, n, size=n)
    rows = [idx[rng.integers(0, idx.size, size=idx.size)] for idx in strata]
    return np.sort(np.concatenate(rows))
