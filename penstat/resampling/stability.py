"""Stability selection (Meinshausen & Bühlmann 2010; Shah & Samworth 2013): lasso
paths on subsamples of half the rows, the selection probability of each column along
the path, the stable set and a bound on the expected number of false selections.

References
----------
Meinshausen, N. and Bühlmann, P. (2010). Stability selection. JRSS B 72, 417-473.
Shah, R. D. and Samworth, R. J. (2013). Variable selection with error control:
another look at stability selection. JRSS B 75, 55-80.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError, DataError, PenstatError, warn_user
from penstat._runner import maps_arrays, run_tasks
from penstat._validation import check_int, check_n_jobs, fresh_seed, seed_sequence
from penstat.resampling.bounds import check_cutoff, stability_parameters
from penstat.resampling.result import StabilitySelection
from penstat.spec import check_bool

__all__ = ["DEFAULT_PFER", "Subsampleable", "run_stability_selection"]

#: The bound on the expected number of false selections when neither ``pfer`` nor
#: ``q`` is given: the stable set holds at most one false selection on average.
DEFAULT_PFER = 1.0

SAMPLINGS = ("complementary_pairs", "subsample")
ASSUMPTIONS = ("unimodal", "none")


class Subsampleable(Protocol):
    """What stability selection reads from a fit (a :class:`~penstat.PenalizedFit`)."""

    design: Any
    path: Any
    lam: float

    def subpaths(self) -> Callable[[np.ndarray, np.ndarray], Any]:
        """A picklable ``f(rows, lambdas)``: the fit's path on design rows ``rows``
        at ``lambdas`` (what each subsample runs, in a worker)."""
        ...


def run_stability_selection(
    fit: Subsampleable,
    n_subsamples: int = 50,
    cutoff: float | None = None,
    pfer: float | None = None,
    q: float | None = None,
    sampling: str = "complementary_pairs",
    lambdas=None,
    seed=None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    assumption: str | None = None,
    stratify: bool | None = None,
) -> StabilitySelection:
    """Stability selection with error control on the fit's lasso path.

    Fits the path on subsamples of ``floor(n/2)`` design rows, estimates each
    column's selection probability at every lambda, and keeps the columns whose
    maximum probability over the region ``Lambda = {lam >= region_end}`` reaches
    ``cutoff``. ``region_end`` is the smallest grid value at which the subsamples
    select, on average, at most ``q`` columns over ``Lambda`` (the ``q`` of
    Meinshausen & Bühlmann 2010). The expected number of falsely selected columns
    is then at most ``pfer``.

    Which of ``cutoff``, ``pfer`` and ``q`` is computed (as R's stabs):

    * two given: the third follows from the bound (:func:`stability_parameters`);
    * only ``q`` or only ``pfer``: ``cutoff = 0.75`` and the other is computed;
    * none, or only ``cutoff``: ``pfer = 1`` (:data:`DEFAULT_PFER`; ``cutoff``
      0.75 unless given) and ``q`` is the largest integer whose bound is at most
      1, so the stable set holds at most one false selection in expectation
      (10 to 16 candidate columns give ``q = 3``);
    * all three: an error.

    A :class:`UserWarning` says when the bound exceeds the number of columns kept
    (it then allows every kept column to be a false selection).

    Called as the method ``fit.stability_selection(...)``, the result is also kept in
    ``fit.stability_result``.

    Parameters
    ----------
    fit : PenalizedFit
        A fit with an L1 penalty (``l1_ratio > 0``); anything with its ``design``,
        ``path``, ``lam`` and ``subpaths`` (:class:`Subsampleable`).
    n_subsamples : int
        Complementary pairs (``2 * n_subsamples`` fits, ``B`` of Shah & Samworth) or
        independent subsamples.
    cutoff : float in (0.5, 1], optional
    pfer : float, optional
        Bound on the expected number of false selections.
    q : float, optional
        Bound on the average number of columns selected over ``Lambda``.
    sampling : {"complementary_pairs", "subsample"}
        ``"subsample"`` uses the bound of Meinshausen & Bühlmann only.
    lambdas : array, optional
        The grid; by default the fit's path grid.
    seed, n_jobs, progress
        As in :func:`run_bootstrap`.
    assumption : {"unimodal", "none"}, optional
        Bound used to compute the missing parameter; default ``"unimodal"`` for
        complementary pairs (as stabs) and ``"none"`` for subsampling. Both bounds
        are always reported.
    stratify : bool, optional
        Draw each subsample as half of each class (binomial 0/1 labels), so that
        both halves of a pair hold the data's events evenly however rare they are.
        None (default): stratified for a binomial fit with 0/1 labels. A subsample
        whose path cannot be fitted is left out and counted (``n_failed``), with a
        warning quoting the data's class counts.

    Returns
    -------
    StabilitySelection

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
    >>> stab = run_stability_selection(fit, n_subsamples=10, cutoff=0.75, pfer=1, seed=0,
    ...                                progress=False)
    >>> stab.stable
    ['bmi', 's5']
    """
    n_subsamples = check_int(n_subsamples, "n_subsamples", 2)
    n_jobs = check_n_jobs(n_jobs)
    # an int drawn from fresh entropy when none is given, recorded as seed_entropy
    seq = seed_sequence(fresh_seed() if seed is None else seed)
    assumption = _check_options(sampling, assumption, cutoff, pfer, q)
    columns = list(fit.design.columns)
    path = fit.path
    if float(path.l1_ratio) <= 0.0:
        raise ArgumentError(
            "stability selection needs an L1 penalty; ridge (l1_ratio=0) selects every "
            "column. Use penalty='l1' or 'elasticnet'"
        )
    lambdas = np.asarray(path.lambdas if lambdas is None else lambdas, dtype=float)
    if lambdas.ndim != 1 or lambdas.size < 1 or not np.all(lambdas > 0):
        raise ArgumentError("lambdas must be a 1-d array of positive values")
    lambdas = np.sort(lambdas)[::-1]
    penalized = np.asarray(path.penalty_factor, dtype=float) > 0
    # the group lasso selects whole groups: q, p and the bound count groups
    groups = getattr(getattr(path, "spec", None), "groups", None)
    unit = "column" if groups is None else "group"
    unit_penalized = penalized if groups is None else _group_any(penalized, groups)
    p = int(unit_penalized.sum())
    if p < 1:
        raise ArgumentError(f"every {unit} is unpenalized; nothing to select")
    if q is not None and not 0 < q <= p:
        raise ArgumentError(f"q must be in (0, {p}] ({p} penalized {unit}s), got {q!r}")
    n = np.asarray(fit.design.y).shape[0]
    if n // 2 < 2:
        raise ArgumentError(f"stability selection needs at least 4 rows, got {n}")

    y = np.asarray(fit.design.y)
    stratify = _check_stratify(stratify, fit, y)
    strata = [np.flatnonzero(y == v) for v in np.unique(y)] if stratify else None
    support, failures, fitted = _subsample_support(
        fit, lambdas, n, n_subsamples, sampling, seq, n_jobs, progress, strata
    )
    n_tasks = fitted.size
    if failures:
        _report_failures(failures, n_tasks, y, len(support) > 0)
    n_pairs = None
    notes: list[str] = []
    if sampling == "complementary_pairs":
        support, n_pairs = _complete_pairs(support, fitted, failures, notes)
    prob = support.mean(axis=0)
    # a group is selected when any of its columns is (all of them, but for a
    # constant column, which stays at 0)
    unit_support = support if groups is None else _group_any(support, groups)
    unit_prob = unit_support.mean(axis=0)
    # number of penalized columns (groups) ever selected down to each lambda, per fit
    ever = np.logical_or.accumulate(unit_support[:, :, unit_penalized], axis=1).sum(axis=2)
    mean_ever = ever.mean(axis=0)  # (nlam,), nondecreasing
    params, stop = _region(
        mean_ever,
        p,
        cutoff,
        pfer,
        q,
        n_subsamples if n_pairs is None else n_pairs,
        sampling,
        assumption,
        notes,
    )
    max_prob = prob[: stop + 1].max(axis=0)
    unit_max = unit_prob[: stop + 1].max(axis=0)
    unit_stable = (unit_max >= params["cutoff"] - 1e-12) & unit_penalized
    if groups is None:
        stable_mask = unit_stable
    else:  # the columns of the stable groups
        stable_mask = unit_stable[groups]
    _warn_vacuous(float(params["pfer"]), int(unit_stable.sum()), unit)
    table_g = None
    if groups is not None:
        table_g = _group_table(fit, groups, unit_max, unit_stable, unit_penalized)
    idx = pd.Index(columns, name="column")
    table = pd.DataFrame(
        {"max_probability": max_prob, "stable": stable_mask, "penalized": penalized},
        index=idx,
    )
    return StabilitySelection(
        sampling=sampling,
        n_subsamples=n_subsamples,
        n_fits=support.shape[0],
        lambdas=lambdas,
        probabilities=pd.DataFrame(prob, index=pd.Index(lambdas, name="lam"), columns=idx),
        region_end=float(lambdas[stop]),
        max_probability=pd.Series(max_prob, index=idx, name="max_probability"),
        cutoff=float(params["cutoff"]),
        q=float(params["q"]),
        pfer=float(params["pfer"]),
        q_observed=float(mean_ever[stop]),
        pfer_mb=float(params["pfer_mb"]),
        pfer_unimodal=float(params["pfer_unimodal"]),
        assumption=params.get("assumption", assumption),
        stable=[c for c, s in zip(columns, stable_mask, strict=True) if s],
        table=table,
        terms=_term_table(fit.design, max_prob, stable_mask, groups, unit_max, unit_stable),
        p=p,
        seed_entropy=seq.entropy,
        notes=notes,
        stratify=stratify,
        n_failed=len(failures),
        failures=failures,
        n_pairs=n_pairs,
        unit=unit,
        groups=None if table_g is None else table_g,
        group_probabilities=None
        if table_g is None
        else pd.DataFrame(
            unit_prob,
            index=pd.Index(lambdas, name="lam"),
            columns=pd.Index(table_g.index, name="group"),
        ),
    )


def _group_any(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Along the last axis (columns), whether any column of each group is True:
    (..., p) -> (..., G)."""
    member = np.zeros((groups.size, int(groups.max()) + 1))
    member[np.arange(groups.size), groups] = 1.0
    return (np.asarray(values, dtype=float) @ member) > 0


def _group_table(fit, groups, unit_max, unit_stable, unit_penalized) -> pd.DataFrame:
    """Per penalty group: its terms, size, ``max_probability``, ``stable`` and
    ``penalized``."""
    names = getattr(fit, "group_names", None) or [
        f"group {g}" for g in range(unit_max.size)
    ]
    position = {c: j for j, c in enumerate(fit.design.columns)}
    terms: list[list[str]] = [[] for _ in range(unit_max.size)]
    for term, cols in dict(fit.design.terms).items():
        if cols:
            terms[int(groups[position[cols[0]]])].append(term)
    return pd.DataFrame(
        {
            "terms": [", ".join(t) for t in terms],
            "size": np.bincount(groups),
            "max_probability": unit_max,
            "stable": unit_stable,
            "penalized": unit_penalized,
        },
        index=pd.Index(names, name="group"),
    )


def _check_options(sampling, assumption, cutoff, pfer, q) -> str:
    """The bound's assumption (default by ``sampling``), after the checks that need
    no data."""
    if sampling not in SAMPLINGS:
        raise ArgumentError(
            f"sampling must be 'complementary_pairs' or 'subsample', not {sampling!r}"
        )
    if assumption is None:
        assumption = "unimodal" if sampling == "complementary_pairs" else "none"
    if assumption not in ASSUMPTIONS:
        raise ArgumentError(f"assumption must be 'unimodal' or 'none', not {assumption!r}")
    if sampling == "subsample" and assumption == "unimodal":
        raise ArgumentError(
            "the unimodal bound holds for complementary pairs only; "
            "use sampling='complementary_pairs' or assumption='none'"
        )
    if cutoff is not None:
        check_cutoff(cutoff)
    if sum(v is not None for v in (cutoff, pfer, q)) == 3:
        raise ArgumentError(
            "give at most two of cutoff, pfer and q; the third is computed from them"
        )
    return assumption


def _subsample_support(
    fit, lambdas, n, n_subsamples, sampling, seq, n_jobs, progress, strata=None
):
    """(n_fits, nlam, p) nonzero pattern of the path on every subsample of half the
    rows (both halves of each permutation for complementary pairs), and the messages
    of the fits that failed (left out)."""
    children = seq.spawn(n_subsamples)
    if sampling == "complementary_pairs":
        tasks = [(2 * b + k, child, k) for b, child in enumerate(children) for k in (0, 1)]
    else:
        tasks = [(b, child, 0) for b, child in enumerate(children)]
    plan = _Plan(fit.subpaths(), n, lambdas, strata)
    results = run_tasks(
        _subsample,
        plan,
        tasks,
        n_jobs,
        progress,
        "stability selection",
        prefer="threads",
        mapped=maps_arrays(fit.design.X),
    )
    failures = tuple(
        f"subsample fit {i}: {res}" for i, res in enumerate(results) if isinstance(res, str)
    )
    kept = [res for res in results if not isinstance(res, str)]
    fitted = np.array([not isinstance(res, str) for res in results])
    p = len(fit.design.columns)
    support = np.asarray(kept, dtype=bool).reshape(len(kept), lambdas.size, p)
    return support, failures, fitted


def _complete_pairs(support, fitted, failures, notes) -> tuple[np.ndarray, int]:
    """The fits of the complementary pairs whose two halves were both fitted, and
    their number. The bounds of Shah & Samworth (2013) are proved for the average
    over ``B`` complementary pairs; a pair with one half left out would weigh its
    other half alone, so that half is left out too and ``B`` counts whole pairs."""
    whole = fitted.reshape(-1, 2).all(axis=1)
    n_pairs = int(whole.sum())
    if n_pairs == whole.size:
        return support, n_pairs
    if n_pairs == 0:
        raise DataError(
            f"no complementary pair of stability selection had both halves fitted "
            f"({len(failures)} of {fitted.size} subsample fits failed); the error bound "
            f"needs whole pairs. The first failure: {failures[0]}"
        )
    # positions among the fitted subsamples of the halves of whole pairs
    keep = np.repeat(whole, 2)[fitted]
    orphans = int(fitted.sum() - 2 * n_pairs)
    notes.append(
        f"{whole.size - n_pairs} of {whole.size} complementary pairs had a half that "
        f"could not be fitted; they are left out whole ({orphans} fitted half(s) with "
        f"them), and the probabilities and bounds are those of the {n_pairs} whole "
        f"pairs (B = {n_pairs})."
    )
    return support[keep], n_pairs


@dataclass(frozen=True)
class _Plan:
    """What every subsample task reads: the path function (arrays and spec, no data
    frame), the number of rows, the grid and the rows of each class (stratified)."""

    paths: Callable[[np.ndarray, np.ndarray], Any]
    n: int
    lambdas: np.ndarray
    strata: list | None


def _subsample(plan: _Plan, task) -> np.ndarray | str:
    """The nonzero pattern of one subsample's path, or the message of its error."""
    _, child, which = task
    rng = np.random.default_rng(child)
    if plan.strata is None:
        half = plan.n // 2
        perm = rng.permutation(plan.n)
        rows = np.sort(perm[half * which : half * (which + 1)])
    else:
        # half of each class: both halves of a pair hold the events evenly
        parts = []
        for idx in plan.strata:
            half = idx.size // 2
            perm = rng.permutation(idx)
            parts.append(perm[half * which : half * (which + 1)])
        rows = np.sort(np.concatenate(parts))
    try:
        sub_path = plan.paths(rows, plan.lambdas)
    except PenstatError as exc:
        return str(exc)
    return _padded_support(np.asarray(sub_path.coefs), plan.lambdas.size)


def _check_stratify(stratify, fit, y: np.ndarray) -> bool:
    """Whether each subsample takes half of each class (None: yes for 0/1 binomial)."""
    family = getattr(getattr(fit, "family", None), "name", None) or getattr(
        fit.path, "family", None
    )
    labels = bool(np.all((y == 0) | (y == 1)))
    if stratify is None:
        return family == "binomial" and labels
    stratify = check_bool(stratify, "stratify")
    if stratify and (family != "binomial" or not labels):
        raise ArgumentError(
            "stratify=True needs a binomial fit with 0/1 labels (it splits each class "
            "in half); leave stratify=None"
        )
    return stratify


def _report_failures(failures, n_fits, y, any_kept) -> None:
    """Warn (some subsample fits failed) or raise (all did), with the data's class
    counts."""
    counts = ""
    if np.all((y == 0) | (y == 1)) and np.unique(y).size <= 2:
        events = int(np.sum(y == 1))
        counts = (
            f" The data has {events} events (y == 1) and {y.size - events} non-events "
            f"in {y.size} rows."
        )
    if not any_kept:
        raise DataError(
            f"none of the {n_fits} subsample fits of stability selection could be "
            f"fitted.{counts} The first, on half of the rows: {failures[0]}"
        )
    warn_user(
        f"{len(failures)} of {n_fits} subsample fits of stability selection failed and "
        f"are left out; the probabilities are over the others (complementary pairs: "
        f"over the pairs with both halves fitted).{counts} "
        "StabilitySelection.failures has each fit's message.",
        UserWarning,
    )


def _region(mean_ever, p, cutoff, pfer, q, n_pairs, sampling, assumption, notes):
    """The bound's parameters and the last index of the lambda region."""
    if q is None and pfer is None:
        pfer = DEFAULT_PFER
        notes.append(
            f"Neither q nor pfer was given: pfer = {pfer:g} (at most {pfer:g} expected "
            "false selection), and q follows from it and the cutoff."
        )
    if cutoff is None and (q is None or pfer is None):
        cutoff = 0.75
        notes.append("cutoff was not given; the default 0.75 is used.")
    params = stability_parameters(
        p, cutoff=cutoff, pfer=pfer, q=q, n_pairs=n_pairs, assumption=assumption
    )
    if sampling == "subsample":
        params["pfer_unimodal"] = float("nan")
    q_target = params["q"]
    within = np.flatnonzero(mean_ever <= q_target + 1e-12)
    if within.size == 0:
        raise ArgumentError(
            f"even the largest lambda selects {mean_ever[0]:.3g} columns on average, "
            f"more than q={q_target:.4g}; raise q (or pfer), or pass a grid with "
            "larger lambdas"
        )
    return params, int(within[-1])


def _warn_vacuous(pfer: float, n_kept: int, unit: str = "column") -> None:
    """Warn when the bound on false selections exceeds the number of columns
    (groups) kept."""
    if pfer > n_kept:
        warn_user(
            f"stability selection kept {n_kept} {unit}(s) with at most {pfer:.3g} "
            f"expected false selections: the bound allows every kept {unit} to be a "
            "false selection. Lower pfer (or q), or raise cutoff, for a bound that "
            "says more.",
            UserWarning,
        )


def _term_table(
    design, max_prob, stable_mask, groups=None, unit_max=None, unit_stable=None
) -> pd.DataFrame:
    position = {name: j for j, name in enumerate(design.columns)}
    term_rows = {}
    for term, term_columns in dict(design.terms).items():
        j = [position[c] for c in term_columns if c in position]
        if j and groups is not None:  # a term of the group lasso: its group's
            g = int(groups[j[0]])
            term_rows[term] = (float(unit_max[g]), bool(unit_stable[g]))
        elif j:
            term_rows[term] = (float(max_prob[j].max()), bool(stable_mask[j].any()))
    return pd.DataFrame(
        list(term_rows.values()),
        columns=["max_probability", "stable"],
        index=pd.Index(list(term_rows), name="term"),
    )


def _padded_support(coefs: np.ndarray, nlam: int) -> np.ndarray:
    """Nonzero pattern (nlam, p); a path stopped early repeats its last row."""
    support = coefs != 0
    if support.shape[0] < nlam:
        last = support[-1:] if support.shape[0] else np.zeros((1, coefs.shape[1]), bool)
        support = np.vstack([support, np.repeat(last, nlam - support.shape[0], axis=0)])
    return support
