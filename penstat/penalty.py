"""The elastic-net penalty: the L1 / L2 mix and per-column penalty factors.

The penalty on the coefficients ``b`` (never on the intercept) is glmnet's::

    lam * sum_j f_j * (l1_ratio * |b_j| + (1 - l1_ratio) / 2 * b_j**2)

``l1_ratio = 1`` is the lasso, ``0`` is ridge. The factors ``f_j`` are rescaled to sum
to the number of columns, as glmnet does, so that only their ratios matter; a factor
of 0 leaves a column unpenalized (always in the model).

>>> from penstat.penalty import Penalty
>>> Penalty(l1_ratio=0.5, penalty_factor=[0, 1, 1]).factors(3)
array([0. , 1.5, 1.5])
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from penstat._errors import ArgumentError

# glmnet computes lambda_max with max(l1_ratio, 1e-3), so that ridge gets a finite grid.
L1_RATIO_FLOOR = 1e-3


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
        a = self.l1_ratio
        if isinstance(a, bool) or not isinstance(a, numbers.Real):
            raise ArgumentError(f"l1_ratio must be a number in [0, 1], got {a!r}")
        a = float(a)
        if not 0.0 <= a <= 1.0:
            raise ArgumentError(
                f"l1_ratio must be in [0, 1] (1 = lasso, 0 = ridge), got {a!r}"
            )
        object.__setattr__(self, "l1_ratio", a)
        if self.penalty_factor is not None:
            try:
                pf = np.array(self.penalty_factor, dtype=float)
            except (TypeError, ValueError) as exc:
                raise ArgumentError(
                    "penalty_factor must be a sequence of non-negative numbers, one per "
                    "column"
                ) from exc
            if pf.ndim != 1:
                raise ArgumentError(
                    f"penalty_factor must be one-dimensional, got shape {pf.shape}"
                )
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
            pf.setflags(write=False)
            object.__setattr__(self, "penalty_factor", pf)

    def factors(self, p: int) -> np.ndarray:
        """Penalty factors for ``p`` columns, rescaled to sum to ``p`` (glmnet).

        Examples
        --------
        >>> Penalty(1.0, [1, 3]).factors(2)
        array([0.5, 1.5])
        """
        if self.penalty_factor is None:
            return np.ones(p)
        pf = self.penalty_factor
        if pf.shape[0] != p:
            raise ArgumentError(
                f"penalty_factor has {pf.shape[0]} entries but X has {p} columns; give "
                "one factor per column"
            )
        return pf * (p / pf.sum())

    @property
    def lambda_max_divisor(self) -> float:
        """max(l1_ratio, 1e-3): divides the null gradient in lambda_max (glmnet)."""
        return max(self.l1_ratio, L1_RATIO_FLOOR)

    def value(self, coefs: np.ndarray, lam: float, factors: np.ndarray) -> float:
        """The penalty ``lam * sum_j f_j (l1_ratio |b_j| + (1 - l1_ratio)/2 b_j^2)``."""
        b = np.asarray(coefs, dtype=float)
        a = self.l1_ratio
        return float(lam * np.dot(factors, a * np.abs(b) + 0.5 * (1.0 - a) * b * b))
