"""Paths from weighted sufficient statistics: :class:`GramStats` and the solvers
that take them instead of ``X``.

For data touched only through passes over its rows (out of core, distributed),
the gaussian path needs only the weighted means and the centred cross products of
``(X, y)``; the binomial path needs those of the IRLS working problem at each
Newton step, one pass each. The statistics of blocks of rows merge exactly
(Chan, Golub & LeVeque 1979), so they can be computed block by block, in any
order, and summed without losing digits to large column means.

>>> import numpy as np
>>> from penstat.solver.gram import GramStats
>>> rng = np.random.default_rng(0)
>>> X, y = rng.standard_normal((100, 3)) + 1e6, rng.standard_normal(100)
>>> whole = GramStats.from_arrays(X, y)
>>> parts = GramStats.merge_all([GramStats.from_arrays(X[:30], y[:30]),
...                              GramStats.from_arrays(X[30:], y[30:])])
>>> bool(np.allclose(parts.xx, whole.xx, rtol=1e-12, atol=0))
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse

from penstat._errors import ArgumentError, DataError

__all__ = ["GramStats"]

# rows densified at a time when the statistics of a sparse X are computed
_SPARSE_BLOCK = 4096


@dataclass(frozen=True, eq=False)
class GramStats:
    """Weighted sufficient statistics of rows of ``(X, y)``, mergeable exactly.

    Centred, never raw sums: two blocks merge by the pairwise update of Chan, Golub
    & LeVeque (1979, "Updating formulae and a pairwise algorithm for computing
    sample variances", eq. 2.1, in its weighted and cross-product form), so that a
    column of mean 1e6 and standard deviation 1 keeps all its digits, which sums of
    squares would lose (their difference cancels 12 of 16).

    Attributes
    ----------
    n_rows : int
        Rows counted (all rows given, whatever their weight).
    sum_w : float
        Sum of the weights.
    x_mean : (p,) weighted column means.
    y_mean : float
        Weighted mean of ``y``.
    xx : (p, p) ``sum_i w_i (x_i - x_mean)(x_i - x_mean)'``.
    xy : (p,) ``sum_i w_i (x_i - x_mean)(y_i - y_mean)``.
    yy : float
        ``sum_i w_i (y_i - y_mean)^2``.
    extra : float
        A summed scalar riding along (e.g. a deviance), merged by ``+``.
    x_min, x_max : (p,) smallest and largest value of each column over the rows of
        positive weight (``+inf`` / ``-inf`` when there are none): they tell a
        constant column exactly, as the in-memory solver does (its weighted mean
        can miss the value by an ulp, its centred squares not be exactly 0).
    y_min, y_max : float
        The same for ``y``.
    x_mean_lo, y_mean_lo : the low-order parts of the means (``x_mean + x_mean_lo``
        is the mean to about twice float64's precision, a double-double). A mean of
        1e6 is stored to 1e-10 only; the difference of two blocks' means, which the
        merge multiplies into the cross products, needs the digits below that.

    Examples
    --------
    >>> s = GramStats.from_arrays(np.array([[1.0], [3.0]]), np.array([0.0, 2.0]))
    >>> s.sum_w, s.x_mean.tolist(), s.xx.tolist(), s.xy.tolist(), s.yy
    (2.0, [2.0], [[2.0]], [2.0], 2.0)
    """

    n_rows: int
    sum_w: float
    x_mean: np.ndarray
    y_mean: float
    xx: np.ndarray
    xy: np.ndarray
    yy: float
    extra: float = 0.0
    x_min: np.ndarray | None = None
    x_max: np.ndarray | None = None
    y_min: float = np.inf
    y_max: float = -np.inf
    x_mean_lo: np.ndarray | None = None
    y_mean_lo: float = 0.0

    @property
    def p(self) -> int:
        """Number of columns."""
        return int(self.x_mean.shape[0])

    @classmethod
    def empty(cls, p: int) -> GramStats:
        """The statistics of no rows (the identity of :meth:`merge`).

        Examples
        --------
        >>> GramStats.empty(2).merge(GramStats.from_arrays(np.eye(2), [1.0, 0.0])).n_rows
        2
        """
        return cls(
            n_rows=0,
            sum_w=0.0,
            x_mean=np.zeros(p),
            y_mean=0.0,
            xx=np.zeros((p, p)),
            xy=np.zeros(p),
            yy=0.0,
            extra=0.0,
            x_min=np.full(p, np.inf),
            x_max=np.full(p, -np.inf),
            x_mean_lo=np.zeros(p),
        )

    @classmethod
    def from_arrays(cls, X: Any, y: Any, w: Any = None, extra: float = 0.0) -> GramStats:
        """The statistics of the rows of ``X`` (dense or scipy.sparse), ``y`` and the
        weights ``w`` (None: ones), by two passes (means, then centred products).

        A sparse ``X`` is densified ``4096`` rows at a time and the blocks merged,
        so its statistics are as exact as a dense array's. Nothing is modified.

        Examples
        --------
        >>> s = GramStats.from_arrays(np.array([[1.0], [3.0], [5.0]]), [0.0, 1.0, 5.0],
        ...                           w=[1.0, 1.0, 0.0])
        >>> s.n_rows, s.sum_w, s.x_mean.tolist(), float(s.x_max[0])
        (3, 2.0, [2.0], 3.0)
        """
        if scipy.sparse.issparse(X):
            Xs = scipy.sparse.csr_matrix(X)
            n = Xs.shape[0]
            y = _as_vector(y, n, "y")
            w = np.ones(n) if w is None else _as_weights(w, n)
            if n <= _SPARSE_BLOCK:
                return cls.from_arrays(Xs.toarray(), y, w, extra)
            blocks = [
                cls.from_arrays(
                    Xs[i : i + _SPARSE_BLOCK].toarray(),
                    y[i : i + _SPARSE_BLOCK],
                    w[i : i + _SPARSE_BLOCK],
                )
                for i in range(0, n, _SPARSE_BLOCK)
            ]
            merged = cls.merge_all(blocks)
            return _replace(merged, extra=float(extra))
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise DataError(f"X must be a 2-d array, got shape {X.shape}")
        n, p = X.shape
        y = _as_vector(y, n, "y")
        w = np.ones(n) if w is None else _as_weights(w, n)
        if not (np.isfinite(X).all() and np.isfinite(y).all()):
            raise DataError("X and y must be finite (NaN or inf found)")
        sw = float(w.sum())
        pos = w > 0
        if not pos.any():
            out = cls.empty(p)
            return _replace(out, n_rows=n, extra=float(extra))
        wn = w / sw
        xm = wn @ X
        ym = float(wn @ y)
        # a second pass on the centred values gives the means' round-off (Chan, Golub
        # & LeVeque 1983, the corrected two-pass algorithm), kept as their low parts
        Xc = X - xm
        yc = y - ym
        dx = wn @ Xc
        dy = float(wn @ yc)
        Xc -= dx
        yc = yc - dy
        xm, xlo = _two_sum(xm, dx)
        ym, ylo = _two_sum(ym, dy)
        Wc = Xc * w[:, None]
        Xp, yp = X[pos], y[pos]
        return cls(
            n_rows=n,
            sum_w=sw,
            x_mean=xm,
            y_mean=ym,
            xx=Wc.T @ Xc,
            xy=Wc.T @ yc,
            yy=float((w * yc) @ yc),
            extra=float(extra),
            x_min=Xp.min(axis=0),
            x_max=Xp.max(axis=0),
            y_min=float(yp.min()),
            y_max=float(yp.max()),
            x_mean_lo=xlo,
            y_mean_lo=float(ylo),
        )

    def merge(self, other: GramStats) -> GramStats:
        """The statistics of the rows of both (Chan, Golub & LeVeque 1979, eq. 2.1:
        means moved by ``delta w_b / w``, cross products by
        ``delta_x delta_y' w_a w_b / w``, ``delta`` the difference of the means).

        Examples
        --------
        >>> X, y = np.arange(8.0).reshape(4, 2), np.array([1.0, 0.0, 2.0, 5.0])
        >>> a = GramStats.from_arrays(X[:1], y[:1])
        >>> b = GramStats.from_arrays(X[1:], y[1:])
        >>> bool(np.allclose(a.merge(b).xx, GramStats.from_arrays(X, y).xx))
        True
        """
        if other.p != self.p:
            raise ArgumentError(
                f"cannot merge statistics of {self.p} and {other.p} columns: they are "
                "of different designs"
            )
        n_rows = self.n_rows + other.n_rows
        extra = self.extra + other.extra
        if other.sum_w <= 0:
            return _replace(self, n_rows=n_rows, extra=extra)
        if self.sum_w <= 0:
            return _replace(other, n_rows=n_rows, extra=extra)
        wa, wb = self.sum_w, other.sum_w
        sw = wa + wb
        fb = wb / sw
        # the difference of the means from both parts of each (double-double)
        dx = (other.x_mean - self.x_mean) + (other._xlo - self._xlo)
        dy = (other.y_mean - self.y_mean) + (other.y_mean_lo - self.y_mean_lo)
        c = wa * fb  # wa wb / (wa + wb)
        cdx = c * dx
        xm, xlo = _two_sum(self.x_mean, self._xlo + fb * dx)
        ym, ylo = _two_sum(self.y_mean, self.y_mean_lo + fb * dy)
        return GramStats(
            n_rows=n_rows,
            sum_w=sw,
            x_mean=xm,
            y_mean=float(ym),
            xx=self.xx + other.xx + np.outer(cdx, dx),
            xy=self.xy + other.xy + cdx * dy,
            yy=self.yy + other.yy + c * dy * dy,
            extra=extra,
            x_min=np.minimum(self.x_min, other.x_min),
            x_max=np.maximum(self.x_max, other.x_max),
            y_min=min(self.y_min, other.y_min),
            y_max=max(self.y_max, other.y_max),
            x_mean_lo=xlo,
            y_mean_lo=float(ylo),
        )

    @property
    def _xlo(self) -> np.ndarray:
        return np.zeros(self.p) if self.x_mean_lo is None else self.x_mean_lo

    @staticmethod
    def merge_all(items: Iterable[GramStats]) -> GramStats:
        """All of ``items`` merged, pairwise as a balanced tree (the error of the
        merged statistics then grows with log of their number).

        Examples
        --------
        >>> X, y = np.arange(12.0).reshape(6, 2), np.arange(6.0) ** 2
        >>> parts = [GramStats.from_arrays(X[i:i + 2], y[i:i + 2]) for i in (0, 2, 4)]
        >>> float(GramStats.merge_all(parts).yy) == float(GramStats.from_arrays(X, y).yy)
        True
        """
        level = list(items)
        if not level:
            raise ArgumentError("merge_all needs at least one GramStats")
        while len(level) > 1:
            nxt = [level[i].merge(level[i + 1]) for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                nxt.append(level[-1])
            level = nxt
        return level[0]


def _two_sum(a, b):
    """``(s, e)`` with ``s = fl(a + b)`` and ``s + e = a + b`` exactly (Knuth's
    TwoSum)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _replace(s: GramStats, **changes: Any) -> GramStats:
    fields = {k: getattr(s, k) for k in s.__dataclass_fields__}
    fields.update(changes)
    return GramStats(**fields)


def _as_vector(v: Any, n: int, name: str) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    if v.ndim != 1 or v.shape[0] != n:
        raise DataError(
            f"{name} must have one value per row of X ({n}), got shape {v.shape}"
        )
    return v


def _as_weights(w: Any, n: int) -> np.ndarray:
    w = _as_vector(w, n, "w")
    if not (np.isfinite(w).all() and (w >= 0).all()):
        raise DataError("w must be finite and non-negative")
    return w
