"""The elastic-net penalty: the L1 / L2 mix and per-column penalty factors.

The penalty on the coefficients ``b`` (never on the intercept) is glmnet's::

    lam * sum_j f_j * (l1_ratio * |b_j| + (1 - l1_ratio) / 2 * b_j**2)

``l1_ratio = 1`` is the lasso, ``0`` is ridge. The factors ``f_j`` are rescaled to sum
to the number of columns, as glmnet does, so that only their ratios matter; a factor
of 0 leaves a column unpenalized (always in the model).

>>> from penstat.penalty import Penalty, resolve_penalty
>>> Penalty(l1_ratio=0.5, penalty_factor=[0, 1, 1]).factors(3)
array([0. , 1.5, 1.5])
>>> resolve_penalty("elasticnet", [0.2, 0.8])
(0.2, 0.8)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from penstat._errors import ArgumentError, warn_user
from penstat._validation import check_l1_ratio, check_lam, check_rule

__all__ = [
    "Penalty",
    "as_groups",
    "as_penalty_factor",
    "floor_tiny_factors",
    "group_factors",
    "group_weights",
    "resolve_penalty",
    "resolve_select",
]

# A positive factor below this fraction of the largest one is taken as 0: lambda_max
# divides by the factor, so a factor of 1e-300 put the whole grid near 1e300 and the
# other columns never entered (glmnet does the same); its penalty is below round-off.
TINY_FACTOR = 1e-8

# glmnet computes lambda_max with max(l1_ratio, 1e-3), so that ridge gets a finite grid.
L1_RATIO_FLOOR = 1e-3

PENALTIES = ("l1", "l2", "elasticnet", "group")
# the mix each named penalty stands for (elasticnet: given by the user, default 0.5)
_FIXED_MIX = {"l1": 1.0, "l2": 0.0}
DEFAULT_MIX = 0.5


def as_penalty_factor(value: Any, p: int | None = None) -> np.ndarray | None:
    """Penalty factors as given by the user, checked: non-negative, finite, not all
    zero, and (when ``p`` is given) one per column. None stays None (all ones).

    Examples
    --------
    >>> as_penalty_factor([0, 1, 2], 3).tolist()
    [0.0, 1.0, 2.0]
    """
    if value is None:
        return None
    try:
        pf = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(
            "penalty_factor must be a sequence of non-negative numbers, one per column"
        ) from exc
    if pf.ndim != 1:
        raise ArgumentError(f"penalty_factor must be one-dimensional, got shape {pf.shape}")
    if not np.all(np.isfinite(pf)):
        raise ArgumentError("penalty_factor contains NaN or inf; use finite values")
    if np.any(pf < 0):
        raise ArgumentError(
            "penalty_factor must be non-negative (0 = unpenalized); got "
            f"{pf.min():g} at position {int(np.argmin(pf))}"
        )
    if pf.size and not np.any(pf > 0):
        raise ArgumentError(
            "penalty_factor is zero for every column, so nothing is penalized; "
            "give at least one column a positive factor"
        )
    if p is not None and pf.shape[0] != p:
        raise ArgumentError(
            f"penalty_factor has {pf.shape[0]} entries but X has {p} columns; give "
            "one factor per column"
        )
    pf.setflags(write=False)
    return pf


def as_groups(value: Any, p: int, penalty_factor: np.ndarray | None = None) -> np.ndarray:
    """Group labels, one per column, as the group index ``0 .. G-1`` of each column
    (groups numbered in order of first appearance), checked: one label per column,
    and penalty factors (when given) equal within every group.

    Examples
    --------
    >>> as_groups(["a", "b", "a"], 3).tolist()
    [0, 1, 0]
    """
    try:
        labels = np.asarray(value)
    except (TypeError, ValueError) as exc:  # pragma: no cover - numpy takes anything
        raise ArgumentError("groups must give one group label per column") from exc
    if labels.ndim != 1 or labels.shape[0] != p:
        raise ArgumentError(
            f"groups has shape {labels.shape}; give one group label per column ({p})"
        )
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ArgumentError("groups contains NaN or inf; give a label to every column")
    _, first, index = np.unique(labels, return_index=True, return_inverse=True)
    # renumber in order of first appearance, so that group 0 holds column 0
    rank = np.empty(first.size, dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    out = rank[index.ravel()].astype(np.int32)
    if penalty_factor is not None:
        pf = np.asarray(penalty_factor, dtype=float)
        for g in range(first.size):
            values = np.unique(pf[out == g])
            if values.size > 1:
                cols = np.flatnonzero(out == g).tolist()
                label = labels[cols[0]]
                label = label.item() if isinstance(label, np.generic) else label
                raise ArgumentError(
                    f"penalty_factor differs inside group {label!r} (columns "
                    f"{cols}: {values.tolist()}); a group lasso penalizes a group "
                    "as a whole, so give one penalty_factor per group"
                )
    out.setflags(write=False)
    return out


def floor_tiny_factors(
    pf: np.ndarray, keep: np.ndarray | None = None, names=None
) -> np.ndarray:
    """Checked factors with every positive factor below ``TINY_FACTOR`` (1e-8) times
    the largest set to 0 (unpenalized), with a ``UserWarning`` naming them.

    ``keep`` (bool per column) marks columns left as they are (those with
    coefficient limits, which an unpenalized column cannot take). ``names`` (one per
    column, e.g. the design's columns) names them in the warning; without them, by
    position.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     floor_tiny_factors(np.array([1e-300, 1.0, 1.0])).tolist()
    [0.0, 1.0, 1.0]
    >>> str(caught[0].message)[:40]
    'penalty_factor[0] = 1e-300 is positive b'
    """
    tiny = (pf > 0) & (pf < TINY_FACTOR * pf.max())
    if keep is not None:
        tiny &= ~keep
    if not tiny.any():
        return pf
    where = np.flatnonzero(tiny)
    label = (
        (lambda j: f"penalty_factor of {names[j]!r}")
        if names is not None
        else (lambda j: f"penalty_factor[{j}]")
    )
    shown = ", ".join(f"{label(j)} = {pf[j]:.3g}" for j in where[:3])
    more = f" (and {where.size - 3} more)" if where.size > 3 else ""
    warn_user(
        f"{shown}{more} is positive but below {TINY_FACTOR:g} times the largest "
        f"factor ({pf.max():.3g}); it is taken as 0 (unpenalized). A factor that small "
        "has a penalty below round-off, and since lambda_max divides by it, it would "
        "push the lambda grid so high that the other columns never enter. Pass 0 to "
        "leave a column unpenalized, or a larger factor",
        UserWarning,
    )
    out = pf.copy()
    out[tiny] = 0.0
    out.setflags(write=False)
    return out


def group_factors(groups: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """The penalty factor of each group (equal on its columns; as rescaled by
    :meth:`Penalty.factors`): the L1 weight of its columns in the sparse-group lasso.

    Examples
    --------
    >>> group_factors(np.array([0, 0, 1]), np.array([2.0, 2.0, 0.5])).tolist()
    [2.0, 0.5]
    """
    first = np.unique(groups, return_index=True)[1]  # groups are 0 .. G-1
    return np.ascontiguousarray(np.asarray(factors, float)[first])


def group_weights(groups: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """The weight of each group's penalty: sqrt(group size) times its factor
    (Yuan & Lin 2006), from column factors rescaled as :meth:`Penalty.factors`.

    Examples
    --------
    >>> group_weights(np.array([0, 0, 0, 0, 1]), np.ones(5)).tolist()
    [2.0, 1.0]
    """
    sizes = np.bincount(groups)
    first = np.unique(groups, return_index=True)[1]  # groups are 0 .. G-1
    return np.sqrt(sizes) * factors[first]


@dataclass(frozen=True, eq=False)
class Penalty:
    """An elastic-net penalty: ``l1_ratio`` and optional per-column factors.

    Parameters
    ----------
    l1_ratio
        Mix between L1 (1.0, lasso) and L2 (0.0, ridge); a number in [0, 1].
    penalty_factor
        Non-negative factor per column, or None for all ones. Stored as a read-only
        copy; :meth:`factors` returns them rescaled to sum to p.

    Examples
    --------
    >>> Penalty(1.0).factors(2)
    array([1., 1.])
    """

    l1_ratio: float = 1.0
    penalty_factor: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "l1_ratio", check_l1_ratio(self.l1_ratio))
        object.__setattr__(self, "penalty_factor", as_penalty_factor(self.penalty_factor))

    def factors(self, p: int) -> np.ndarray:
        """Penalty factors for ``p`` columns, rescaled to sum to ``p`` (glmnet).

        Examples
        --------
        >>> Penalty(1.0, [1, 3]).factors(2)
        array([0.5, 1.5])
        """
        if self.penalty_factor is None:
            return np.ones(p)
        pf = as_penalty_factor(self.penalty_factor, p)
        return pf * (p / pf.sum())

    @property
    def lambda_max_divisor(self) -> float:
        """max(l1_ratio, 1e-3): divides the null gradient in lambda_max (glmnet)."""
        return max(self.l1_ratio, L1_RATIO_FLOOR)

    def value(self, coefs: np.ndarray, lam: float, factors: np.ndarray) -> float:
        """The penalty ``lam * sum_j f_j (l1_ratio |b_j| + (1 - l1_ratio)/2 b_j^2)``.

        Examples
        --------
        >>> Penalty(1.0).value(np.array([1.0, -2.0]), 0.5, np.ones(2))
        1.5
        """
        b = np.asarray(coefs, dtype=float)
        a = self.l1_ratio
        return float(lam * np.dot(factors, a * np.abs(b) + 0.5 * (1.0 - a) * b * b))


def resolve_penalty(penalty: Any, l1_ratio: Any) -> float | tuple[float, ...]:
    """The mix meant by ``penalty`` and ``l1_ratio``: one float, or a tuple to search.

    ``"l1"`` is ``l1_ratio=1`` and ``"l2"`` is ``0`` (an explicit ``l1_ratio`` must
    agree); ``"elasticnet"`` takes ``l1_ratio`` (default 0.5) and ``"group"`` (the
    group lasso) too (default 1); only these two take a list. A one-element list is
    that mix.

    Examples
    --------
    >>> resolve_penalty("l2", None)
    0.0
    >>> resolve_penalty("elasticnet", [0.3])
    0.3
    """
    if not isinstance(penalty, str) or penalty not in PENALTIES:
        raise ArgumentError(f"penalty={penalty!r}; use one of: {', '.join(PENALTIES)}")
    if isinstance(l1_ratio, (list, tuple, np.ndarray)):
        if penalty not in ("elasticnet", "group"):
            raise ArgumentError(
                f"a list of l1_ratio needs penalty='elasticnet' (or 'group'), not "
                f"penalty={penalty!r}"
            )
        values = tuple(check_l1_ratio(v) for v in l1_ratio)
        if not values:
            raise ArgumentError("l1_ratio is an empty list; give at least one mix")
        return values if len(values) > 1 else values[0]
    if penalty in _FIXED_MIX:
        mix = _FIXED_MIX[penalty]
        if l1_ratio is not None and check_l1_ratio(l1_ratio) != mix:
            raise ArgumentError(
                f"penalty={penalty!r} means l1_ratio={mix:g}, got l1_ratio={l1_ratio!r}; "
                "use penalty='elasticnet' for a mix"
            )
        return mix
    if penalty == "group":  # the group lasso; an l1_ratio < 1 is the group elastic net
        return 1.0 if l1_ratio is None else check_l1_ratio(l1_ratio)
    return DEFAULT_MIX if l1_ratio is None else check_l1_ratio(l1_ratio)


def resolve_select(select: Any, lam: Any) -> tuple[str | None, float | None]:
    """``(rule, None)`` for a selection rule, ``(None, lam)`` for a fixed lambda.

    ``lam`` wins over ``select``; a number given as ``select`` is a fixed lambda;
    ``(None, None)`` (``select=None``) means the smallest lambda of the path.

    Examples
    --------
    >>> resolve_select("bic", None)
    ('bic', None)
    >>> resolve_select("cv_1se", 0.5)
    (None, 0.5)
    """
    if lam is not None:
        return None, check_lam(lam, "lam")
    if select is None:
        return None, None
    if isinstance(select, str):
        return check_rule(select), None
    return None, check_lam(select, "select")
