"""Bootstrap selection frequencies and stability selection.

Two answers to "would we pick the same features on another sample?":

* :func:`run_bootstrap` re-runs the whole recipe of a fit on pairs-bootstrap
  resamples of the design rows and reports, per design column and per formula term,
  how often it was selected, with which sign, and the spread of its coefficient.
* :func:`run_stability_selection` follows Meinshausen & Buehlmann (2010) and
  Shah & Samworth (2013): lasso paths on subsamples of half the rows, the selection
  probability of each column along the path, the stable set and a bound on the
  expected number of falsely selected columns.

Both draw every replicate's random numbers up front from one
``numpy.random.SeedSequence(seed)``, so a seed gives identical numbers for any
``n_jobs`` and any joblib backend (including Dask).

References
----------
Meinshausen, N. and Buehlmann, P. (2010). Stability selection. JRSS B 72, 417-473.
Shah, R. D. and Samworth, R. J. (2013). Variable selection with error control:
another look at stability selection. JRSS B 75, 55-80.

Examples
--------
>>> import penstat as ps
>>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), seed=0)  # doctest: +SKIP
>>> boot = fit.bootstrap(n_boot=100, seed=1)  # doctest: +SKIP
>>> boot.columns["freq"]  # doctest: +SKIP
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from penstat._errors import ArgumentError

__all__ = [
    "BootstrapResult",
    "StabilitySelection",
    "run_bootstrap",
    "run_stability_selection",
    "stability_parameters",
    "mb_bound",
    "unimodal_bound",
]


# ----------------------------------------------------------------------------------
# results


@dataclass(frozen=True, eq=False)
class BootstrapResult:
    """Selection frequencies and coefficient spread over bootstrap replicates.

    Attributes
    ----------
    n_boot : int
        Number of replicates.
    select : str
        ``"same"`` (the lambda rule re-applied in each replicate) or ``"fixed"``
        (the original lambda reused).
    level : float
        Coverage of the percentile interval (``lower``, ``upper``).
    columns : pandas.DataFrame
        Indexed by design column: ``freq`` (share of replicates with a nonzero
        coefficient), ``sign_consistency`` (share of those selections with the
        majority sign; NaN when never selected), ``median``, ``lower``, ``upper``
        (bootstrap median and percentile interval of the coefficient, zeros
        included). The interval is descriptive: percentile intervals are not valid
        confidence intervals for lasso coefficients, least of all near zero.
    terms : pandas.DataFrame
        Indexed by formula term: ``freq``, the share of replicates in which any of
        the term's columns was selected.
    model_size : pandas.Series
        Number of replicates (values) selecting each number of columns (index).
    coefs : numpy.ndarray
        (n_boot, p) coefficient of every replicate, original scale.
    seed_entropy : int or list of int
        Entropy of the seed sequence; ``seed=seed_entropy`` repeats the run.
    """

    n_boot: int
    select: str
    level: float
    columns: Any
    terms: Any
    model_size: Any
    coefs: np.ndarray
    seed_entropy: Any
    stratify: bool = False

    def plot(self, ax=None):
        """Dot chart of the selection frequencies; see
        :func:`penstat.plots.stability.plot_selection_frequency`."""
        from penstat.plots.stability import plot_selection_frequency

        return plot_selection_frequency(self, ax=ax)

    def __repr__(self) -> str:
        freq = self.columns["freq"]
        return (
            f"BootstrapResult(n_boot={self.n_boot}, select={self.select!r}, "
            f"columns selected in >= 50% of replicates: {int((freq >= 0.5).sum())} "
            f"of {len(freq)})"
        )


@dataclass(frozen=True, eq=False)
class StabilitySelection:
    """Stability selection (Meinshausen & Buehlmann 2010; Shah & Samworth 2013).

    Attributes
    ----------
    sampling : str
        ``"complementary_pairs"`` or ``"subsample"``.
    n_subsamples : int
        Number of draws (pairs for complementary pairs; ``n_fits`` is twice that).
    n_fits : int
        Number of lasso paths fitted.
    lambdas : numpy.ndarray
        The lambda grid, decreasing.
    probabilities : pandas.DataFrame
        Selection probability per lambda (rows, indexed by lambda) and design column.
    lambda_min : float
        Smallest lambda of the region used, ``Lambda = {lam >= lambda_min}``.
    max_probability : pandas.Series
        Maximum selection probability over ``Lambda`` per design column.
    cutoff, q, pfer : float
        The threshold on ``max_probability``, the bound ``q`` on the average number
        of columns selected over ``Lambda``, and the bound on the expected number of
        falsely selected columns (per-family error rate) under ``assumption``.
    q_observed : float
        Average number of columns selected over ``Lambda`` (at most ``q``).
    pfer_mb, pfer_unimodal : float
        The bound of Meinshausen & Buehlmann and the unimodal bound of
        Shah & Samworth (NaN when it does not apply) at ``q``.
    assumption : str
        ``"unimodal"`` or ``"none"``.
    stable : list of str
        Columns with ``max_probability >= cutoff``.
    table : pandas.DataFrame
        Per column: ``max_probability``, ``stable``, ``penalized``.
    terms : pandas.DataFrame
        Per term: ``max_probability`` (over the term's columns) and ``stable``.
    p : int
        Number of penalized columns (the ``p`` of the bounds).
    notes : list of str
        How the parameters were determined.
    """

    sampling: str
    n_subsamples: int
    n_fits: int
    lambdas: np.ndarray
    probabilities: Any
    lambda_min: float
    max_probability: Any
    cutoff: float
    q: float
    pfer: float
    q_observed: float
    pfer_mb: float
    pfer_unimodal: float
    assumption: str
    stable: list
    table: Any
    terms: Any
    p: int
    seed_entropy: Any
    notes: list = field(default_factory=list)

    def plot(self, ax=None):
        """Stability path; see :func:`penstat.plots.stability.plot_stability_path`."""
        from penstat.plots.stability import plot_stability_path

        return plot_stability_path(self, ax=ax)

    def __repr__(self) -> str:
        return (
            f"StabilitySelection(cutoff={self.cutoff:.3g}, q={self.q:.3g}, "
            f"pfer<={self.pfer:.3g}, stable={self.stable})"
        )


# ----------------------------------------------------------------------------------
# error bounds


def mb_bound(q: float, p: int, cutoff: float) -> float:
    """Meinshausen & Buehlmann (2010, Theorem 1): ``E(V) <= q^2 / ((2 cutoff - 1) p)``.

    Also valid without further assumptions for complementary pairs (Shah & Samworth
    2013, Theorem 1).

    >>> mb_bound(q=5, p=50, cutoff=0.75)
    1.0
    """
    _check_cutoff(cutoff)
    return q**2 / ((2.0 * cutoff - 1.0) * p)


def _unimodal_constant(cutoff: float, n_pairs: int, theta: float) -> float | None:
    """``1 / C(cutoff, B)`` of Shah & Samworth (2013, Theorem 3, eq. 8), or None when
    ``cutoff`` is outside the range where the unimodal bound holds."""
    b = float(n_pairs)
    if cutoff <= 0.75:
        if cutoff < 0.5 + min(theta**2, 1.0 / (2.0 * b) + 0.75 * theta**2):
            return None
        return 2.0 * (2.0 * cutoff - 1.0 - 1.0 / (2.0 * b))
    if cutoff > 1.0:
        return None
    return (1.0 + 1.0 / b) / (4.0 * (1.0 - cutoff + 1.0 / (2.0 * b)))


def unimodal_bound(q: float, p: int, cutoff: float, n_pairs: int) -> float:
    """Shah & Samworth (2013, eq. 8) bound for complementary pairs under unimodality.

    ``E(V) <= C(cutoff, B) q^2 / p`` with, for ``B`` complementary pairs,
    ``C = 1 / (2 (2 cutoff - 1 - 1/(2B)))`` when
    ``cutoff in (1/2 + min(theta^2, 1/(2B) + 3/4 theta^2), 3/4]`` (``theta = q/p``) and
    ``C = 4 (1 - cutoff + 1/(2B)) / (1 + 1/B)`` when ``cutoff in (3/4, 1]``.

    Returns NaN when ``cutoff`` is outside that range.

    >>> round(unimodal_bound(q=5, p=50, cutoff=0.75, n_pairs=50), 6)
    0.510204
    """
    const = _unimodal_constant(cutoff, n_pairs, q / p)
    return float("nan") if const is None else q**2 / p / const


def stability_parameters(
    p: int,
    cutoff: float | None = None,
    pfer: float | None = None,
    q: float | None = None,
    n_pairs: int = 50,
    assumption: str = "unimodal",
) -> dict:
    """The third of ``cutoff``, ``pfer`` and ``q`` from the other two, as R's stabs.

    Parameters
    ----------
    p : int
        Number of (penalized) candidate columns.
    cutoff, pfer, q : float, optional
        Exactly two must be given. ``q`` from ``cutoff`` and ``pfer`` is the largest
        integer whose bound is at most ``pfer``; ``cutoff`` from ``q`` and ``pfer``
        is, under ``"unimodal"``, the smallest multiple of ``1/(2B)`` above 1/2 whose
        bound is below ``pfer`` and, under ``"none"``, ``(q^2 / (pfer p) + 1) / 2``.
    n_pairs : int
        ``B``, the number of complementary pairs (used by the unimodal bound).
    assumption : {"unimodal", "none"}
        ``"none"``: the Meinshausen & Buehlmann bound.

    Returns
    -------
    dict with ``cutoff``, ``q``, ``pfer`` (the bound at those values), ``pfer_mb``,
    ``pfer_unimodal``.

    Examples
    --------
    >>> stability_parameters(p=50, cutoff=0.75, q=5, assumption="none")["pfer"]
    1.0
    """
    given = sum(v is not None for v in (cutoff, pfer, q))
    if given != 2:
        raise ArgumentError(
            "give exactly two of cutoff, pfer and q (the third is computed from them)"
        )
    if assumption not in ("unimodal", "none"):
        raise ArgumentError(f"assumption must be 'unimodal' or 'none', not {assumption!r}")
    if cutoff is not None:
        _check_cutoff(cutoff)
    if pfer is not None and not pfer > 0:
        raise ArgumentError(f"pfer must be positive, got {pfer!r}")
    if q is not None and not 0 < q <= p:
        raise ArgumentError(
            f"q must be in (0, p] with p = {p} candidate columns, got {q!r}"
        )

    if q is None:
        q = _q_from(p, cutoff, pfer, n_pairs, assumption)
    elif cutoff is None:
        cutoff = _cutoff_from(p, q, pfer, n_pairs, assumption)
    bound_mb = mb_bound(q, p, cutoff)
    bound_um = unimodal_bound(q, p, cutoff, n_pairs)
    if assumption == "unimodal" and math.isnan(bound_um):
        raise ArgumentError(
            f"cutoff={cutoff:.4g} is below the range where the unimodal bound of Shah & "
            f"Samworth holds for q={q:.4g}, p={p}; raise cutoff or use assumption='none'"
        )
    bound = bound_um if assumption == "unimodal" else bound_mb
    return {
        "cutoff": float(cutoff),
        "q": float(q),
        "pfer": float(bound),
        "pfer_mb": float(bound_mb),
        "pfer_unimodal": float(bound_um),
    }


def _check_cutoff(cutoff: float) -> None:
    if not 0.5 < cutoff <= 1.0:
        raise ArgumentError(
            f"cutoff must be in (0.5, 1], got {cutoff!r}; values 0.6 to 0.9 are usual"
        )


def _q_from(p, cutoff, pfer, n_pairs, assumption) -> int:
    if assumption == "none":
        q = math.floor(math.sqrt(pfer * (2.0 * cutoff - 1.0) * p))
    else:
        # The constant does not depend on theta inside its range; q is capped so
        # that cutoff stays inside the range (Shah & Samworth 2013, Theorem 3).
        const = _unimodal_constant(cutoff, n_pairs, 0.0)
        if const is None:
            raise ArgumentError(
                f"cutoff={cutoff:.4g} is too close to 1/2 for the unimodal bound with "
                f"{n_pairs} pairs; raise cutoff or use more subsamples"
            )
        q = math.floor(math.sqrt(pfer * p * const) + 1e-12)
        while q > 0 and _unimodal_constant(cutoff, n_pairs, q / p) is None:
            q -= 1
    q = min(q, p)
    if q < 1:
        raise ArgumentError(
            f"pfer={pfer:.4g} with cutoff={cutoff:.4g} allows fewer than one selected "
            f"column on average among p={p}; raise pfer or lower cutoff"
        )
    return q


def _cutoff_from(p, q, pfer, n_pairs, assumption) -> float:
    if assumption == "none":
        cutoff = (q**2 / (pfer * p) + 1.0) / 2.0
        if cutoff > 1.0:
            raise ArgumentError(
                f"no cutoff <= 1 bounds the error by pfer={pfer:.4g} with q={q:.4g} and "
                f"p={p} (it would need {cutoff:.4g}); raise pfer or lower q"
            )
        return cutoff
    # stabs: cutoffs on the grid 1/2 + k/(2B), k = 2..B, first with bound < pfer.
    for k in range(2, n_pairs + 1):
        cutoff = 0.5 + k / (2.0 * n_pairs)
        const = _unimodal_constant(cutoff, n_pairs, q / p)
        if const is not None and q**2 / p / const < pfer:
            return cutoff
    raise ArgumentError(
        f"no cutoff <= 1 bounds the error by pfer={pfer:.4g} with q={q:.4g} and p={p} "
        "under the unimodal bound; raise pfer or lower q"
    )


# ----------------------------------------------------------------------------------
# bootstrap


def run_bootstrap(
    fit,
    n_boot: int = 200,
    select: str = "same",
    seed=None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    stratify: bool = False,
    level: float = 0.95,
) -> BootstrapResult:
    """Pairs bootstrap of a fit: selection frequency, sign and coefficient spread.

    Each replicate draws ``n`` design rows with replacement and re-runs the fit's
    whole recipe on them through ``fit.refit_rows``.

    Parameters
    ----------
    fit : PenalizedFit
    n_boot : int
        Number of replicates (at least 2).
    select : {"same", "fixed"}
        ``"same"`` re-applies the fit's lambda rule inside each replicate (CV nested
        in the resample); ``"fixed"`` reuses the original lambda (faster).
    seed : int, numpy.random.SeedSequence or None
        Same seed, same numbers, for any ``n_jobs`` and joblib backend.
    n_jobs : int, optional
        joblib workers (``-1``: all cores); None follows ``joblib.parallel_config``.
    progress : bool, optional
        None: a progress bar when stderr is a terminal; False: never; True: always.
    stratify : bool
        Binomial only: resample within each class, keeping the class counts.
    level : float
        Coverage of the percentile interval.

    Returns
    -------
    BootstrapResult

    Examples
    --------
    >>> boot = run_bootstrap(fit, n_boot=100, seed=0)  # doctest: +SKIP
    >>> boot.columns.loc["bmi", "freq"]  # doctest: +SKIP
    """
    n_boot = _check_count(n_boot, "n_boot", 2)
    if select not in ("same", "fixed"):
        raise ArgumentError(f"select must be 'same' or 'fixed', not {select!r}")
    if not 0.0 < level < 1.0:
        raise ArgumentError(f"level must be in (0, 1), got {level!r}")
    design = fit.design
    y = np.asarray(design.y)
    n = y.shape[0]
    columns = list(design.columns)

    strata = None
    if stratify:
        if _family_name(fit) != "binomial":
            raise ArgumentError(
                "stratify=True needs a binomial fit (it keeps class counts)"
            )
        strata = [np.flatnonzero(y == level_) for level_ in np.unique(y)]

    seq = _seed_sequence(seed)
    children = seq.spawn(n_boot)
    tasks = [(i, child) for i, child in enumerate(children)]

    def job(chunk):
        out = []
        for _, child in chunk:
            rng = np.random.default_rng(child)
            rows = _bootstrap_rows(rng, n, strata)
            out.append(fit.refit_rows(rows, select=select, seed=_int_seed(rng)))
        return out

    coefs = np.asarray(
        _run_chunks(job, tasks, n_jobs, progress, "bootstrap"), dtype=float
    ).reshape(n_boot, len(columns))
    return _summarize_bootstrap(coefs, columns, design.terms, select, level, seq, stratify)


def _summarize_bootstrap(coefs, columns, terms, select, level, seq, stratify):
    import pandas as pd

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
        select=select,
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


# ----------------------------------------------------------------------------------
# stability selection


def run_stability_selection(
    fit,
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
) -> StabilitySelection:
    """Stability selection with error control on the fit's lasso path.

    Fits the path on subsamples of ``floor(n/2)`` design rows, estimates each
    column's selection probability at every lambda, and keeps the columns whose
    maximum probability over the region ``Lambda = {lam >= lambda_min}`` reaches
    ``cutoff``. ``lambda_min`` is the smallest grid value at which the subsamples
    select, on average, at most ``q`` columns over ``Lambda`` (the ``q`` of
    Meinshausen & Buehlmann 2010). The expected number of falsely selected columns
    is then at most ``pfer``.

    Which of ``cutoff``, ``pfer`` and ``q`` is computed (as R's stabs):

    * two given: the third follows from the bound (:func:`stability_parameters`);
    * only ``q`` or only ``pfer``: ``cutoff = 0.75`` and the other is computed;
    * none, or only ``cutoff`` (default 0.75): ``Lambda`` runs from the top of the
      grid down to the fit's chosen lambda, ``q`` is the average number of columns
      the subsamples select there, and ``pfer`` is the bound at that ``q``;
    * all three: an error.

    Parameters
    ----------
    fit : PenalizedFit
        A fit with an L1 penalty (``l1_ratio > 0``).
    n_subsamples : int
        Complementary pairs (``2 * n_subsamples`` fits, ``B`` of Shah & Samworth) or
        independent subsamples.
    cutoff : float in (0.5, 1], optional
    pfer : float, optional
        Bound on the expected number of false selections.
    q : float, optional
        Bound on the average number of columns selected over ``Lambda``.
    sampling : {"complementary_pairs", "subsample"}
        ``"subsample"`` uses the bound of Meinshausen & Buehlmann only.
    lambdas : array, optional
        The grid; by default the fit's path grid.
    seed, n_jobs, progress
        As in :func:`run_bootstrap`.
    assumption : {"unimodal", "none"}, optional
        Bound used to compute the missing parameter; default ``"unimodal"`` for
        complementary pairs (as stabs) and ``"none"`` for subsampling. Both bounds
        are always reported.

    Returns
    -------
    StabilitySelection

    Examples
    --------
    >>> stab = run_stability_selection(fit, cutoff=0.75, pfer=1, seed=0)  # doctest: +SKIP
    >>> stab.stable  # doctest: +SKIP
    """
    import pandas as pd

    n_subsamples = _check_count(n_subsamples, "n_subsamples", 2)
    if sampling not in ("complementary_pairs", "subsample"):
        raise ArgumentError(
            f"sampling must be 'complementary_pairs' or 'subsample', not {sampling!r}"
        )
    if assumption is None:
        assumption = "unimodal" if sampling == "complementary_pairs" else "none"
    if assumption not in ("unimodal", "none"):
        raise ArgumentError(f"assumption must be 'unimodal' or 'none', not {assumption!r}")
    if sampling == "subsample" and assumption == "unimodal":
        raise ArgumentError(
            "the unimodal bound holds for complementary pairs only; "
            "use sampling='complementary_pairs' or assumption='none'"
        )
    if cutoff is not None:
        _check_cutoff(cutoff)
    if sum(v is not None for v in (cutoff, pfer, q)) == 3:
        raise ArgumentError(
            "give at most two of cutoff, pfer and q; the third is computed from them"
        )

    design = fit.design
    columns = list(design.columns)
    path = fit.path
    if float(getattr(path, "l1_ratio", 1.0)) <= 0.0:
        raise ArgumentError(
            "stability selection needs an L1 penalty; ridge (l1_ratio=0) selects every "
            "column. Use penalty='l1' or 'elasticnet'"
        )
    lambdas = np.asarray(path.lambdas if lambdas is None else lambdas, dtype=float)
    if lambdas.ndim != 1 or lambdas.size < 1 or not np.all(lambdas > 0):
        raise ArgumentError("lambdas must be a 1-d array of positive values")
    lambdas = np.sort(lambdas)[::-1]

    penalty_factor = getattr(path, "penalty_factor", None)
    penalized = (
        np.ones(len(columns), dtype=bool)
        if penalty_factor is None
        else np.asarray(penalty_factor, dtype=float) > 0
    )
    p = int(penalized.sum())
    if p < 1:
        raise ArgumentError("every column is unpenalized; nothing to select")
    for name, value in (("q", q),):
        if value is not None and not 0 < value <= p:
            raise ArgumentError(
                f"{name} must be in (0, {p}] ({p} penalized columns), got {value!r}"
            )

    y = np.asarray(design.y)
    n = y.shape[0]
    half = n // 2
    if half < 2:
        raise ArgumentError(f"stability selection needs at least 4 rows, got {n}")

    seq = _seed_sequence(seed)
    children = seq.spawn(n_subsamples)
    if sampling == "complementary_pairs":
        tasks = [(2 * b + k, child, k) for b, child in enumerate(children) for k in (0, 1)]
    else:
        tasks = [(b, child, 0) for b, child in enumerate(children)]

    def job(chunk):
        out = []
        for _, child, which in chunk:
            perm = np.random.default_rng(child).permutation(n)
            rows = np.sort(perm[half * which : half * (which + 1)])
            sub_path = fit.path_rows(rows, lambdas)
            out.append(_padded_support(np.asarray(sub_path.coefs), lambdas.size))
        return out

    support = np.asarray(_run_chunks(job, tasks, n_jobs, progress, "stability selection"))
    # support: (n_fits, nlam, p_all) booleans
    n_fits = support.shape[0]
    prob = support.mean(axis=0)
    # number of penalized columns ever selected down to each lambda, per fit
    ever = np.logical_or.accumulate(support[:, :, penalized], axis=1).sum(axis=2)
    mean_ever = ever.mean(axis=0)  # (nlam,), nondecreasing

    notes: list[str] = []
    n_pairs = n_subsamples
    if q is None and pfer is None:
        cutoff = 0.75 if cutoff is None else cutoff
        lam_fit = float(fit.lam)
        stop = int(np.sum(lambdas >= lam_fit * (1 - 1e-10))) - 1
        stop = max(stop, 0)
        q_target = max(float(mean_ever[stop]), 1e-12)
        notes.append(
            f"Neither q nor pfer was given: the lambda region runs down to the fit's "
            f"lambda ({lam_fit:.4g}); q is the average number of columns selected there."
        )
        params = _params_at(p, cutoff, q_target, n_pairs, sampling, assumption, notes)
    else:
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
        stop = int(within[-1])
    cutoff = params["cutoff"]
    region = slice(0, stop + 1)
    max_prob = prob[region].max(axis=0)
    stable_mask = (max_prob >= cutoff - 1e-12) & penalized

    idx = pd.Index(columns, name="column")
    table = pd.DataFrame(
        {"max_probability": max_prob, "stable": stable_mask, "penalized": penalized},
        index=idx,
    )
    position = {name: j for j, name in enumerate(columns)}
    term_rows = {}
    for term, term_columns in dict(design.terms).items():
        j = [position[c] for c in term_columns if c in position]
        if j:
            term_rows[term] = (float(max_prob[j].max()), bool(stable_mask[j].any()))
    terms = pd.DataFrame(
        [v for v in term_rows.values()],
        columns=["max_probability", "stable"],
        index=pd.Index(list(term_rows), name="term"),
    )
    return StabilitySelection(
        sampling=sampling,
        n_subsamples=n_subsamples,
        n_fits=n_fits,
        lambdas=lambdas,
        probabilities=pd.DataFrame(
            prob, index=pd.Index(lambdas, name="lambda"), columns=idx
        ),
        lambda_min=float(lambdas[stop]),
        max_probability=pd.Series(max_prob, index=idx, name="max_probability"),
        cutoff=float(cutoff),
        q=float(params["q"]),
        pfer=float(params["pfer"]),
        q_observed=float(mean_ever[stop]),
        pfer_mb=float(params["pfer_mb"]),
        pfer_unimodal=float(params["pfer_unimodal"]),
        assumption=params.get("assumption", assumption),
        stable=[c for c, s in zip(columns, stable_mask, strict=True) if s],
        table=table,
        terms=terms,
        p=p,
        seed_entropy=seq.entropy,
        notes=notes,
    )


def _params_at(p, cutoff, q, n_pairs, sampling, assumption, notes) -> dict:
    bound_mb = mb_bound(q, p, cutoff)
    bound_um = (
        unimodal_bound(q, p, cutoff, n_pairs)
        if sampling == "complementary_pairs"
        else float("nan")
    )
    used = assumption
    if assumption == "unimodal" and math.isnan(bound_um):
        used = "none"
        notes.append(
            "The unimodal bound does not hold at this cutoff and q; the bound of "
            "Meinshausen & Buehlmann is reported."
        )
    return {
        "cutoff": cutoff,
        "q": q,
        "pfer": bound_um if used == "unimodal" else bound_mb,
        "pfer_mb": bound_mb,
        "pfer_unimodal": bound_um,
        "assumption": used,
    }


def _padded_support(coefs: np.ndarray, nlam: int) -> np.ndarray:
    """Nonzero pattern (nlam, p); a path stopped early repeats its last row."""
    support = coefs != 0
    if support.shape[0] < nlam:
        last = support[-1:] if support.shape[0] else np.zeros((1, coefs.shape[1]), bool)
        support = np.vstack([support, np.repeat(last, nlam - support.shape[0], axis=0)])
    return support


# ----------------------------------------------------------------------------------
# shared helpers


def _check_count(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ArgumentError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _seed_sequence(seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(0, 2**63)))
    if seed is None or isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.SeedSequence(None if seed is None else int(seed))
    if isinstance(seed, (list, tuple)) and all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in seed
    ):
        return np.random.SeedSequence([int(s) for s in seed])
    raise ArgumentError(
        f"seed must be an int, a list of ints, a numpy Generator or None, got {seed!r}"
    )


def _int_seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


def _family_name(fit) -> str:
    family = getattr(fit, "family", "gaussian")
    return str(getattr(family, "name", family))


def _show_progress(progress) -> bool:
    if progress is None:
        return bool(getattr(sys.stderr, "isatty", lambda: False)())
    return bool(progress)


def _run_chunks(job, tasks, n_jobs, progress, desc):
    """Run ``job`` over chunks of ``tasks``; results in task order, flat list."""
    import joblib

    show = _show_progress(progress)
    workers = joblib.effective_n_jobs(n_jobs) if n_jobs != 1 else 1
    if workers <= 1:
        bar = _progress_bar(len(tasks), desc) if show else None
        out = []
        for task in tasks:
            out.extend(job([task]))
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        return out

    # A few chunks per worker: little pickling overhead, some load balancing.
    n_chunks = min(len(tasks), 4 * workers)
    bounds = np.linspace(0, len(tasks), n_chunks + 1).astype(int)
    chunks = [tasks[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
    parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator" if show else "list")
    results = parallel(joblib.delayed(job)(chunk) for chunk in chunks)
    out = []
    bar = _progress_bar(len(tasks), desc) if show else None
    for chunk, res in zip(chunks, results, strict=True):
        out.extend(res)
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    return out


def _progress_bar(total: int, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="fit", leave=False)
