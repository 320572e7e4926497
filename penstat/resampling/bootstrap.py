"""The pairs bootstrap of a fit: selection frequency, sign and coefficient spread.

Every replicate's random numbers are drawn up front from one
``numpy.random.SeedSequence(seed)``, so a seed gives identical numbers for any
``n_jobs`` and any joblib backend (including Dask).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError
from penstat._runner import run_chunks
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

    def refit_rows(
        self, rows: np.ndarray, fixed_lam: bool = False, seed=None
    ) -> np.ndarray:
        """Coefficients (p,) of the whole fit re-run on design rows ``rows``."""
        ...


def run_bootstrap(
    fit: Refittable,
    n_boot: int = 200,
    fixed_lam: bool = False,
    seed=None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    stratify: bool = False,
    level: float = 0.95,
) -> BootstrapResult:
    """Pairs bootstrap of a fit: selection frequency, sign and coefficient spread.

    Each replicate draws ``n`` design rows with replacement and re-runs the whole
    fit on them through ``fit.refit_rows`` (the same penalty, limits, weights and
    offset; the same lambda rule, with CV folds drawn inside the replicate, unless
    ``fixed_lam``). Called as the method ``fit.bootstrap(...)``, the result is also
    kept in ``fit.bootstrap_result`` and shown by the summary and the report.

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
    stratify : bool
        Binomial only: resample within each class, keeping the class counts. Not
        for grouped data (proportions of trials), whose rows, the groups, are
        resampled as they are.
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

    strata = None
    if stratify:
        if fit.family.name != "binomial":
            raise ArgumentError(
                "stratify=True needs a binomial fit (it keeps class counts)"
            )
        if not np.all((y == 0) | (y == 1)):
            raise ArgumentError(
                "stratify=True keeps class counts, and grouped data (successes of "
                "trials) has no classes; leave stratify=False: the groups (rows) are "
                "resampled"
            )
        strata = [np.flatnonzero(y == level_) for level_ in np.unique(y)]

    children = seq.spawn(n_boot)
    tasks = [(i, child) for i, child in enumerate(children)]

    def job(chunk):
        out = []
        for _, child in chunk:
            rng = np.random.default_rng(child)
            rows = _bootstrap_rows(rng, n, strata)
            seed_k = int(rng.integers(0, 2**31 - 1))
            out.append(fit.refit_rows(rows, fixed_lam=fixed_lam, seed=seed_k))
        return out

    coefs = np.asarray(
        run_chunks(job, tasks, n_jobs, progress, "bootstrap"), dtype=float
    ).reshape(n_boot, len(columns))
    return _summarize_bootstrap(
        coefs, columns, design.terms, fixed_lam, level, seq, stratify
    )


def _summarize_bootstrap(coefs, columns, terms, fixed_lam, level, seq, stratify):
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
        n_boot=n_boot,
        fixed_lam=fixed_lam,
        level=level,
        columns=col_table,
        terms=term_table,
        model_size=model_size,
        coefs=coefs,
        seed_entropy=seq.entropy,
        stratify=stratify,
    )


def _bootstrap_rows(rng, n, strata):
    if strata is None:
        return rng.integers(0, n, size=n)
    rows = [idx[rng.integers(0, idx.size, size=idx.size)] for idx in strata]
    return np.sort(np.concatenate(rows))
