"""The typed options of a fit: :class:`FitSpec` (the path) and :class:`SelectSpec`
(how lambda is chosen).

Both are frozen and validated once, where the user's arguments come in
(:meth:`FitSpec.build`, :meth:`SelectSpec.build`). Every inner fit (a CV fold, a
resampling replicate, a mix of the ``l1_ratio`` search) derives its spec from a
validated one with :meth:`FitSpec.take` or :meth:`FitSpec.with_l1_ratio`, which
check nothing again.

>>> import numpy as np
>>> from penstat.spec import FitSpec
>>> spec = FitSpec.build(n=4, p=2, l1_ratio=0.5, weights=[1, 1, 2, 2])
>>> spec.take(np.array([0, 2])).weights.tolist()
[1.0, 2.0]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from penstat._errors import ArgumentError, warn_user
from penstat._validation import (
    as_lambdas,
    as_limits,
    as_offset,
    as_weights,
    check_cv_grid,
    check_gamma,
    check_l1_ratio,
    check_l1_within,
    check_lam,
    check_measure,
    check_n_jobs,
    check_nlambda,
    check_rule,
    check_stratify,
    positive_int,
    positive_number,
    refuse_text_or_bool,
    resolve_seed,
    row_values,
    seed_sequence,
)
from penstat.family import get_family
from penstat.penalty import Penalty, as_groups, as_penalty_factor, floor_tiny_factors

__all__ = ["FitSpec", "SelectSpec", "check_bool"]


def check_bool(value: Any, name: str) -> bool:
    """``value`` as a bool; anything but True / False (numpy's too) is refused.

    Examples
    --------
    >>> check_bool(True, "standardize")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentError(f"{name}={value!r} must be True or False")
    return bool(value)


def _own(values: np.ndarray) -> np.ndarray:
    """A read-only copy: a spec never shares memory with the caller's arrays."""
    out = np.array(values, dtype=float)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class FitSpec:
    """Every option of a regularization path, validated.

    Attributes
    ----------
    family : {"gaussian", "binomial"}
    l1_ratio : float
        The L1 / L2 mix in [0, 1] (1 lasso, 0 ridge).
    lambdas : numpy.ndarray or None
        A strictly decreasing grid fitted in full, or None for glmnet's grid.
    nlambda : int
        Size of glmnet's grid.
    lambda_min_ratio : float or None
        End of glmnet's grid relative to lambda_max (None: 1e-4, or 1e-2 when n < p).
    penalty_factor : numpy.ndarray or None
        (p,) non-negative factors as given (the solver rescales them to sum to p).
    lower_limits, upper_limits : numpy.ndarray or None
        (p,) coefficient limits on the original scale (infinite where free); both
        None for a fit without limits.
    weights : numpy.ndarray or None
        (n,) observation weights, or None for ones.
    offset : numpy.ndarray or None
        (n,) known part of each row's linear predictor, or None.
    standardize, fit_intercept : bool
    tol : float
    max_iter : int
    groups : numpy.ndarray or None
        (p,) group index ``0 .. G-1`` of each column for the group lasso (one penalty
        ``sqrt(size) ||b_g||`` per group), or None for the per-column penalty.
    l1_within : float
        The sparse-group lasso's L1 share ``a`` in [0, 1] (groups only, with
        ``l1_ratio`` 1): the penalty is
        ``lam * sum_g ((1 - a) w_g ||b_g||_2 + a f_g ||b_g||_1)``; 0 is the group
        lasso.

    Examples
    --------
    >>> FitSpec.build(n=10, p=3, family="binomial").family
    'binomial'
    """

    family: str = "gaussian"
    l1_ratio: float = 1.0
    lambdas: np.ndarray | None = None
    nlambda: int = 100
    lambda_min_ratio: float | None = None
    penalty_factor: np.ndarray | None = None
    lower_limits: np.ndarray | None = None
    upper_limits: np.ndarray | None = None
    weights: np.ndarray | None = None
    offset: np.ndarray | None = None
    standardize: bool = True
    fit_intercept: bool = True
    tol: float = 1e-7
    max_iter: int = 100_000
    groups: np.ndarray | None = None
    l1_within: float = 0.0

    @classmethod
    def build(
        cls,
        n: int,
        p: int,
        family: Any = "gaussian",
        l1_ratio: Any = 1.0,
        lambdas: Any = None,
        nlambda: Any = 100,
        lambda_min_ratio: Any = None,
        penalty_factor: Any = None,
        lower_limits: Any = None,
        upper_limits: Any = None,
        weights: Any = None,
        offset: Any = None,
        standardize: Any = True,
        fit_intercept: Any = True,
        tol: Any = 1e-7,
        max_iter: Any = 100_000,
        groups: Any = None,
        columns: Any = None,
        l1_within: Any = 0.0,
    ) -> FitSpec:
        """A spec for data of ``n`` rows and ``p`` columns from the user's arguments,
        each checked (a ``PenstatError`` names the first bad one). ``columns``: the
        names of the columns, for the warnings (not kept).

        Examples
        --------
        >>> FitSpec.build(n=5, p=2, lower_limits=0).lower_limits.tolist()
        [0.0, 0.0]
        """
        pf = as_penalty_factor(penalty_factor, p)
        factors = np.ones(p) if pf is None else pf
        limits = as_limits(lower_limits, upper_limits, p, factors)
        if pf is not None:
            bounded = None
            if limits is not None:
                bounded = np.isfinite(limits[0]) | np.isfinite(limits[1])
            pf = floor_tiny_factors(pf, bounded, columns)
        if groups is not None:
            if limits is not None:
                raise ArgumentError(
                    "lower_limits / upper_limits are not available with groups (the "
                    "group lasso): a limit on one coefficient of a group has no exact "
                    "block update; drop the limits or use the per-column penalty"
                )
            groups = as_groups(groups, p, pf)
        l1_within = check_l1_within(l1_within)
        if l1_within > 0 and groups is None:
            raise ArgumentError(
                f"l1_within={l1_within!r} is the sparse-group lasso's L1 share and "
                "needs groups (penalty='group'); give groups, or drop l1_within"
            )
        if l1_within > 0 and check_l1_ratio(l1_ratio) < 1:
            raise ArgumentError(
                f"l1_within={l1_within!r} (sparse-group lasso) cannot be combined with "
                f"l1_ratio={l1_ratio!r} (group elastic net); keep l1_ratio=1 or drop "
                "l1_within"
            )
        ratio = lambda_min_ratio
        if ratio is not None:
            ratio = positive_number(ratio, "lambda_min_ratio")
            if ratio >= 1:
                raise ArgumentError(
                    f"lambda_min_ratio={lambda_min_ratio!r} must be in (0, 1)"
                )
        for value, name in ((weights, "weights"), (offset, "offset")):
            if value is None:
                continue
            try:  # "1" and True would pass the cast to float
                refuse_text_or_bool(value, name)
            except ArgumentError:
                row_values(value, n, name)  # text that is no number: the cast's error
                raise
        return cls(
            family=get_family(family).name,
            l1_ratio=check_l1_ratio(l1_ratio),
            lambdas=None if lambdas is None else _own(as_lambdas(lambdas)),
            nlambda=check_nlambda(nlambda),
            lambda_min_ratio=ratio,
            penalty_factor=None if pf is None else _own(pf),
            lower_limits=None if limits is None else _own(limits[0]),
            upper_limits=None if limits is None else _own(limits[1]),
            weights=None if weights is None else _own(as_weights(weights, n)),
            offset=None if offset is None else _own(as_offset(offset, n)),
            standardize=check_bool(standardize, "standardize"),
            fit_intercept=check_bool(fit_intercept, "fit_intercept"),
            tol=positive_number(tol, "tol"),
            max_iter=positive_int(max_iter, "max_iter"),
            groups=groups,
            l1_within=l1_within,
        )

    @property
    def penalty(self) -> Penalty:
        """The penalty: ``l1_ratio`` and the factors."""
        return Penalty(self.l1_ratio, self.penalty_factor)

    @property
    def has_limits(self) -> bool:
        """Whether some coefficient has a finite limit."""
        return self.lower_limits is not None

    @property
    def is_group(self) -> bool:
        """Whether the penalty is the group lasso (``groups`` given)."""
        return self.groups is not None

    @property
    def has_offset(self) -> bool:
        """Whether the fit has an offset."""
        return self.offset is not None

    def take(self, rows: np.ndarray) -> FitSpec:
        """The spec of the rows ``rows`` (repeats allowed): their weights and offset.

        Examples
        --------
        >>> FitSpec.build(n=3, p=1, offset=[1, 2, 3]).take([2, 2]).offset.tolist()
        [3.0, 3.0]
        """
        rows = np.asarray(rows, dtype=np.intp)
        return dataclasses.replace(
            self,
            weights=None if self.weights is None else self.weights[rows],
            offset=None if self.offset is None else self.offset[rows],
        )

    def with_grid(self, lambdas: np.ndarray | None) -> FitSpec:
        """The same spec on the (already checked) grid ``lambdas``."""
        return dataclasses.replace(self, lambdas=lambdas)

    def with_l1_ratio(self, l1_ratio: float) -> FitSpec:
        """The same spec with another (already checked) mix."""
        return dataclasses.replace(self, l1_ratio=float(l1_ratio))


@dataclass(frozen=True, eq=False)
class SelectSpec:
    """How lambda (and a list of ``l1_ratio``) is chosen, validated.

    Attributes
    ----------
    rule : str or None
        ``"cv_1se"``, ``"cv_min"``, ``"aic"``, ``"bic"``, ``"ebic"``, or None: a fixed
        ``lam``, or (without one) the smallest lambda of the path.
    lam : float or None
        A fixed lambda, solved exactly (the path is fitted down to it).
    l1_ratios : tuple of float or None
        Mixes searched by the rule (each with its own path, on shared folds).
    nfolds : int
    foldid : numpy.ndarray or None
        Fold labels ``0 .. K-1`` per row, or None for random folds.
    measure : str or None
        CV measure (None: the family's default).
    stratify : bool or None
        Random folds dealt by class (None: binomial's default, True).
    gamma : float or None
        EBIC's parameter (None: from n and p).
    seed : Any
        Root of the folds' randomness (an int once :meth:`with_seed` has settled it).
    n_jobs : int or None
    progress : bool or None
    cv_grid : {"full", "glmnet"}
        The lambdas a CV fold is fitted at: the full data's (``"full"``), or the
        fold's own grid, interpolated at the full data's lambdas (``"glmnet"``,
        ``cv.glmnet``'s default).
    relax : bool
        The relaxed lasso: lambda and gamma chosen together by the CV rule
        (``cv.glmnet(relax = TRUE)``), see :mod:`penstat.selection.relax`.
    relax_gamma : float or None
        With ``relax`` and a fixed ``lam``: the fixed gamma (resampling at a relaxed
        fit's own lambda and gamma).

    Examples
    --------
    >>> SelectSpec.build("gaussian", rule="bic").rule
    'bic'
    """

    rule: str | None = "cv_1se"
    lam: float | None = None
    l1_ratios: tuple[float, ...] | None = None
    nfolds: int = 10
    foldid: np.ndarray | None = None
    measure: str | None = None
    stratify: bool | None = None
    gamma: float | None = None
    seed: Any = None
    n_jobs: int | None = None
    progress: bool | None = None
    cv_grid: str = "full"
    relax: bool = False
    relax_gamma: float | None = None

    @classmethod
    def build(
        cls,
        family: str,
        rule: Any = "cv_1se",
        lam: Any = None,
        l1_ratios: Any = None,
        nfolds: Any = 10,
        foldid: Any = None,
        measure: Any = None,
        stratify: Any = None,
        gamma: Any = None,
        seed: Any = None,
        n_jobs: Any = None,
        progress: Any = None,
        cv_grid: Any = "full",
        relax: Any = False,
    ) -> SelectSpec:
        """A spec from the user's arguments (``rule``: a rule name, a number (a fixed
        lambda) or None), each checked.

        Examples
        --------
        >>> SelectSpec.build("gaussian", rule=0.5).lam
        0.5
        """
        if lam is not None:
            rule, lam = None, check_lam(lam, "lam")
        elif rule is not None:
            rule = check_rule(rule)
            if not isinstance(rule, str):
                rule, lam = None, rule
        if l1_ratios is not None:
            l1_ratios = tuple(check_l1_ratio(v) for v in l1_ratios)
            if rule is None:
                raise ArgumentError(
                    "a list of l1_ratio is chosen by a selection rule; give a single "
                    "l1_ratio with lam=, or use select='cv_1se' (or another rule)"
                )
        if measure is not None:
            measure = check_measure(measure, family)
        if gamma is not None:
            gamma = check_gamma(gamma, 1, 1)
            if rule != "ebic":
                used = f"select={rule!r}" if rule is not None else "a fixed lambda"
                warn_user(
                    f"gamma={gamma:g} is ignored with {used}: only select='ebic' uses "
                    "it; drop gamma or use select='ebic'",
                    UserWarning,
                )
        n_jobs = check_n_jobs(n_jobs)
        relax = check_bool(relax, "relax")
        if relax and rule not in ("cv_1se", "cv_min"):
            used = f"select={rule!r}" if rule is not None else "a fixed lambda"
            raise ArgumentError(
                f"relax=True chooses lambda and gamma together by cross-validation, "
                f"but the fit has {used}; use select='cv_1se' or 'cv_min' with relax"
            )
        if relax and l1_ratios is not None:
            raise ArgumentError(
                "relax=True takes a single l1_ratio; give one mix (or drop relax to "
                "search a list of l1_ratio)"
            )
        if seed is not None and not isinstance(seed, np.random.Generator):
            seed_sequence(seed)  # refuses what cannot seed (a Generator is not drawn from)
        return cls(
            rule=rule,
            lam=lam,
            l1_ratios=l1_ratios,
            nfolds=nfolds,
            foldid=foldid,
            measure=measure,
            stratify=check_stratify(stratify, family),
            gamma=gamma,
            seed=seed,
            n_jobs=n_jobs,
            progress=None if progress is None else check_bool(progress, "progress"),
            cv_grid=check_cv_grid(cv_grid),
            relax=relax,
        )

    @property
    def is_cv(self) -> bool:
        """Whether the rule cross-validates."""
        return self.rule in ("cv_1se", "cv_min")

    @property
    def draws_folds(self) -> bool:
        """Whether the rule draws random CV folds (a CV rule without ``foldid``)."""
        return self.is_cv and self.foldid is None

    def with_folds(self, foldid: np.ndarray | None) -> SelectSpec:
        """The same spec on fixed fold labels (already checked)."""
        return dataclasses.replace(self, foldid=foldid)

    def with_seed(self) -> SelectSpec:
        """The same spec with the seed settled: when it draws random folds or a seed
        was given, an int (fresh entropy for None, see
        :func:`penstat._validation.resolve_seed`), so that the fit can record it
        and ``seed=`` repeats the run; otherwise unchanged.

        Examples
        --------
        >>> isinstance(SelectSpec.build("gaussian").with_seed().seed, int)
        True
        >>> SelectSpec.build("gaussian", rule="bic").with_seed().seed is None
        True
        """
        if self.seed is None and not self.draws_folds:
            return self
        return dataclasses.replace(self, seed=resolve_seed(self.seed))
