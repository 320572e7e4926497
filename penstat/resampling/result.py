"""What resampling returns: :class:`BootstrapResult` and :class:`StabilitySelection`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from penstat.plots.stability import plot_selection_frequency, plot_stability_path

__all__ = ["BootstrapResult", "StabilitySelection"]


@dataclass(frozen=True, eq=False)
class BootstrapResult:
    """Selection frequencies and coefficient spread over bootstrap replicates.

    Attributes
    ----------
    n_boot : int
        Number of replicates.
    fixed_lam : bool
        False: the lambda rule was re-applied in each replicate; True: the fit's
        own lambda was reused.
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
        (n_boot - n_failed, p) coefficient of every replicate fitted, original scale.
    seed_entropy : int or list of int
        Entropy of the seed sequence; ``seed=seed_entropy`` repeats the run.
    stratify : bool
        Whether replicates were drawn within each class (binomial).
    n_failed : int
        Replicates that could not be fitted and were left out: the frequencies,
        intervals and ``coefs`` are over the ``n_boot - n_failed`` others.
    failures : tuple of str
        The message of each replicate left out.
    unit : {"column", "group"}
        ``"group"`` for a group lasso fit, which selects whole penalty groups: its
        plot then shows one dot per formula term (the ``terms`` frequency).

    Examples
    --------
    Returned by :meth:`penstat.PenalizedFit.bootstrap`:

    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0)
    >>> boot = fit.bootstrap(20, seed=0, progress=False)
    >>> boot
    BootstrapResult(n_boot=20, fixed_lam=False, columns selected in >= 50% of
    replicates: 3 of 3)
    >>> boot.columns.columns.tolist(), boot.coefs.shape
    (['freq', 'sign_consistency', 'median', 'lower', 'upper'], (20, 3))
    """

    n_boot: int
    fixed_lam: bool
    level: float
    columns: Any
    terms: Any
    model_size: Any
    coefs: np.ndarray
    seed_entropy: Any
    stratify: bool = False
    n_failed: int = 0
    failures: tuple = ()
    n_pairs: int | None = None
    unit: str = "column"

    def plot(self, ax=None):
        """Dot chart of the selection frequencies; see
        :func:`penstat.plots.stability.plot_selection_frequency`."""
        return plot_selection_frequency(self, ax=ax)

    def __repr__(self) -> str:
        freq = self.columns["freq"]
        failed = f", n_failed={self.n_failed}" if self.n_failed else ""
        return (
            f"BootstrapResult(n_boot={self.n_boot}{failed}, fixed_lam={self.fixed_lam}, "
            f"columns selected in >= 50% of replicates: {int((freq >= 0.5).sum())} "
            f"of {len(freq)})"
        )


@dataclass(frozen=True, eq=False)
class StabilitySelection:
    """Stability selection (Meinshausen & Bühlmann 2010; Shah & Samworth 2013).

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
    region_end : float
        Smallest lambda of the region used, ``Lambda = {lam >= region_end}``.
    max_probability : pandas.Series
        Maximum selection probability over ``Lambda`` per design column.
    cutoff, q, pfer : float
        The threshold on ``max_probability``, the bound ``q`` on the average number
        of columns selected over ``Lambda``, and the bound on the expected number of
        falsely selected columns (per-family error rate) under ``assumption``.
    q_observed : float
        Average number of columns selected over ``Lambda`` (at most ``q``).
    pfer_mb, pfer_unimodal : float
        The bound of Meinshausen & Bühlmann and the unimodal bound of
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
    seed_entropy : int or list of int
        Entropy of the seed sequence; ``seed=seed_entropy`` repeats the run.
    notes : list of str
        How the parameters were determined.
    stratify : bool
        Whether each subsample took half of each class (binomial).
    n_failed : int
        Subsample fits that failed and were left out (the probabilities are over the
        ``n_fits`` others).
    failures : tuple of str
        The message of each fit left out.
    unit : {"column", "group"}
        What is selected and counted: columns, or for the group lasso its penalty
        groups (then ``q``, ``q_observed``, ``p`` and the bounds count groups, a
        group is stable when its selection probability reaches ``cutoff``, and
        ``stable`` lists the columns of the stable groups).
    groups : pandas.DataFrame or None
        The group lasso: per penalty group, its ``terms``, ``size``,
        ``max_probability``, ``stable`` and ``penalized``.
    group_probabilities : pandas.DataFrame or None
        The group lasso: the selection probability per lambda (rows) and group.
    n_pairs : int or None
        Complementary pairs: the pairs whose two halves were both fitted, the ``B``
        of the bounds and of the probabilities (a pair one of whose halves failed is
        left out whole, so the estimate stays the average over complementary pairs
        the bound of Shah & Samworth is proved for); ``n_subsamples`` when none
        failed. None for independent subsamples.

    Examples
    --------
    Returned by :meth:`penstat.PenalizedFit.stability_selection`:

    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
    >>> stab = fit.stability_selection(10, cutoff=0.75, pfer=1, seed=0, progress=False)
    >>> stab
    StabilitySelection(cutoff=0.75, q=3, pfer<=1, stable=['bmi', 's5'])
    >>> stab.n_fits, stab.p, float(stab.max_probability["bmi"])
    (20, 10, 1.0)
    """

    sampling: str
    n_subsamples: int
    n_fits: int
    lambdas: np.ndarray
    probabilities: Any
    region_end: float
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
    stratify: bool = False
    n_failed: int = 0
    failures: tuple = ()
    n_pairs: int | None = None
    unit: str = "column"
    groups: Any = None
    group_probabilities: Any = None

    @property
    def stable_groups(self) -> list:
        """The group lasso: the names of the stable groups (empty otherwise)."""
        if self.groups is None:
            return []
        return [str(g) for g, s in self.groups["stable"].items() if s]

    def plot(self, ax=None):
        """Stability path; see :func:`penstat.plots.stability.plot_stability_path`."""
        return plot_stability_path(self, ax=ax)

    def __repr__(self) -> str:
        return (
            f"StabilitySelection(cutoff={self.cutoff:.3g}, q={self.q:.3g}, "
            f"pfer<={self.pfer:.3g}, stable={self.stable})"
        )
