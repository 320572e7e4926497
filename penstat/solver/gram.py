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

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse
import scipy.special
from scipy.linalg.blas import dsyrk as _syrk

from penstat._errors import ArgumentError, DataError
from penstat._runner import limit_blas
from penstat._validation.arrays import as_offset, row_values
from penstat.penalty import group_factors, group_weights
from penstat.solver._cd._gaussian import gaussian_path
from penstat.solver._cd._gram import gram_cd
from penstat.solver._cd._group import group_gaussian_path
from penstat.solver.fit import (
    _early_stop,
    _group_blocks,
    _group_cov_mode,
    _group_gaussian,
    _limit_args,
    _outputs,
    _warn_unconverged,
)
from penstat.solver.grid import group_lambda_max_of, lambda_grid, lambda_max_of
from penstat.solver.path import Path
from penstat.spec import FitSpec

__all__ = [
    "GramStats",
    "binomial_path_groups",
    "binomial_paths_by_passes",
    "gaussian_cv_loss",
    "gaussian_path_from_stats",
    "irls_pass_stats",
    "irls_pass_stats_folds",
]

# rows densified at a time when the statistics of a sparse X are computed
_SPARSE_BLOCK = 4096
# rows of X scaled at a time for the IRLS cross products (1.7 MB at p = 50)
_PIECE = 4096


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
        unit = w is None
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
        # rows scaled by sqrt(w): the cross products are one symmetric product
        # (unit weights: nothing to scale)
        if unit:
            yr = yc
        else:
            root = np.sqrt(w)
            Xc *= root[:, None]
            yr = yc * root
        Xp, yp = (X, y) if pos.all() else (X[pos], y[pos])
        return cls(
            n_rows=n,
            sum_w=sw,
            x_mean=xm,
            y_mean=ym,
            xx=Xc.T @ Xc,
            xy=Xc.T @ yr,
            yy=float(yr @ yr),
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


@dataclass
class _Standardized:
    """The standardized problem of some statistics (the scale of the kernels):
    Gram ``G`` (p, p) and ``c = Xs' W yk`` (p,) with the weights summing to 1,
    ``yy = yk' W yk``, and the way back (``xm``, ``xs``, ``ym``, ``ys``)."""

    G: np.ndarray
    c: np.ndarray
    yy: float
    xm: np.ndarray
    xs: np.ndarray
    constant: np.ndarray
    ym: float
    ys: float
    sw: float


def _column_scales(stats: GramStats, spec: FitSpec):
    """(xm, xs, constant): the centring (the weighted means with an intercept, else
    0), the weighted 1/n standard deviations (always of the centred columns, as
    glmnet; 1 without standardization or for a constant column), and the columns
    constant over the rows of positive weight."""
    p = stats.p
    constant = stats.x_min == stats.x_max
    if spec.standardize:
        xs = np.sqrt(np.maximum(np.diag(stats.xx), 0.0) / stats.sum_w)
    else:
        xs = np.ones(p)
    xs[constant | ~(xs > 0)] = 1.0
    xm = stats.x_mean if spec.fit_intercept else np.zeros(p)
    return xm, xs, constant


def _gaussian_standardized(stats: GramStats, spec: FitSpec) -> _Standardized:
    """What ``penstat.solver.fit._standardize`` makes of the rows, from their
    statistics alone."""
    sw = stats.sum_w
    xm, xs, constant = _column_scales(stats, spec)
    m, my = stats.x_mean, stats.y_mean
    if spec.fit_intercept:
        G = stats.xx / sw
        cy = stats.xy / sw
        ym = my
        if stats.y_min == stats.y_max:
            # a constant y: its value exactly, as the in-memory solver takes it
            ym = float(stats.y_min)
        yy = stats.yy / sw + (my - ym) ** 2
    else:
        # uncentred second moments (without an intercept nothing is centred)
        G = stats.xx / sw + np.outer(m, m)
        cy = stats.xy / sw + m * my
        ym = 0.0
        yy = stats.yy / sw + my * my
    ys = float(np.sqrt(yy))
    if not ys > 0:
        ys = 1.0
    G = G / np.outer(xs, xs)
    c = cy / (xs * ys)
    G[constant, :] = 0.0
    G[:, constant] = 0.0
    c[constant] = 0.0
    return _Standardized(G, c, yy / (ys * ys), xm, xs, constant, ym, ys, sw)


def _square_root_problem(G: np.ndarray, c: np.ndarray, yy: float):
    """Rows ``(R, z)`` with ``R'R = G``, ``R'z = c`` and ``z'z = yy`` (p + 1 rows,
    weights ``1 / (p + 1)``): a least-squares problem with the same quadratic as
    ``(G, c, yy)``, from the eigendecomposition ``G = V diag(e) V'``:
    ``R = [diag(sqrt(e)) V'; 0]``, ``z = [diag(1/sqrt(e)) V'c; sqrt(yy - |.|^2)]``
    (directions with ``e`` at round-off level dropped: ``c`` has no component there
    beyond round-off, as ``c = X'W y`` lies in the range of ``G = X'W X``)."""
    p = G.shape[0]
    R, z, rest = _square_root(G, c, yy)
    k = p + 1
    scale = np.sqrt(k)
    Xt = np.zeros((k, p), order="F")
    Xt[:p] = R * scale
    yt = np.empty(k)
    yt[:p] = z * scale
    yt[p] = np.sqrt(rest) * scale
    return Xt, yt, np.full(k, 1.0 / k)


def _square_root(G: np.ndarray, c: np.ndarray, yy: float):
    """``(R, z, rest)``: ``R = diag(sqrt(e)) V'`` from ``G = V diag(e) V'`` (so
    ``R'R = G``, a singular ``G`` included), ``z`` with ``R'z = c`` and
    ``rest = yy - z'z`` (clipped at 0), as ``_square_root_problem`` uses them."""
    p = G.shape[0]
    e, V = np.linalg.eigh((G + G.T) / 2.0)
    keep = e > max(float(e.max(initial=0.0)), 0.0) * p * np.finfo(float).eps
    root = np.sqrt(np.where(keep, e, 0.0))
    R = root[:, None] * V.T
    proj = V.T @ c
    z = np.where(keep, proj / np.where(keep, root, 1.0), 0.0)
    rest = max(yy - float(z @ z), 0.0)
    return R, z, rest


def _group_square_root_rows(s: _Standardized):
    """The rows the gaussian group kernel takes (rows already multiplied by the
    root of their weights, columns centred): ``(p + 1, p)`` ``[R; 0]`` and
    ``[z; sqrt(yy - z'z)]``, so that ``||rows_y - rows_X b||^2 = yy - 2 c'b + b'G b``,
    the in-memory fit's ``||sqrt(w) (yk - Xs b)||^2`` for every ``b``, and the null
    deviance ``yy`` is the same."""
    p = s.G.shape[0]
    R, z, rest = _square_root(s.G, s.c, s.yy)
    Xk = np.zeros((p + 1, p), order="F")
    Xk[:p] = R
    yk = np.empty(p + 1)
    yk[:p] = z
    yk[p] = np.sqrt(rest)
    return Xk, yk


def _check_spec(stats: GramStats, spec: FitSpec, family: str) -> None:
    if spec.family != family:
        other = (
            "binomial_paths_by_passes"
            if family == "gaussian"
            else "gaussian_path_from_stats"
        )
        raise ArgumentError(
            f"spec.family={spec.family!r}: this solver fits the {family} family; use "
            f"{other}"
        )
    if spec.penalty_factor is not None and spec.penalty_factor.shape[0] != stats.p:
        raise ArgumentError(
            f"spec.penalty_factor has {spec.penalty_factor.shape[0]} values but the "
            f"statistics have {stats.p} columns"
        )
    if spec.lower_limits is not None and spec.lower_limits.shape[0] != stats.p:
        raise ArgumentError(
            f"spec's limits have {spec.lower_limits.shape[0]} values but the "
            f"statistics have {stats.p} columns"
        )
    if not stats.sum_w > 0:
        raise DataError(
            "the statistics have no rows of positive weight: there is nothing to fit"
        )
    if spec.weights is not None:
        w = spec.weights
        if w.shape[0] != stats.n_rows or not np.isclose(
            float(w.sum()), stats.sum_w, rtol=1e-9, atol=0.0
        ):
            raise ArgumentError(
                f"spec.weights ({w.shape[0]} rows, sum {float(w.sum()):.6g}) are not "
                f"those of the statistics ({stats.n_rows} rows, sum "
                f"{stats.sum_w:.6g}); the weights enter through the statistics: "
                "build them with the same weights, or pass a spec without weights"
            )


def gaussian_path_from_stats(stats: GramStats, spec: FitSpec) -> Path:
    """The gaussian path of ``spec`` from the statistics of the rows alone: equal
    to :func:`penstat.solver.solve` on the rows (same grid, standardization,
    intercept, penalty factors, limits, early stop, deviances).

    The rows' weights and offset enter through the statistics: ``stats`` are
    those of ``(X, y - offset)`` with the weights (:meth:`GramStats.from_arrays`).
    ``spec.offset`` is not read (it stays on the returned path, whose
    :meth:`~penstat.solver.Path.predict` then asks for the new rows' offset);
    ``spec.weights``, when given, must be those of the statistics (their count and
    sum are checked). The default ``lambda_min_ratio`` compares ``stats.n_rows``
    (every row given, as in memory) with p.

    The standardized Gram ``G`` and ``c = Xs'W yk`` are made from the centred
    statistics, and penstat's gaussian kernel (covariance mode: strong rules, KKT
    check of every column, warm starts, exact polish of the active set) runs on
    ``p + 1`` rows with the same quadratic, a square root of ``G`` (see
    ``_square_root_problem``). Costs O(p^3) on top of the path, nothing in n.

    With ``spec.groups`` (the group lasso, group elastic net, and with
    ``spec.l1_within`` the sparse-group lasso) the in-memory group kernel runs on
    the ``p + 1`` rows ``[R; 0]``, ``[z; sqrt(yy - z'z)]`` (``R'R = G``, ``R'z = c``):
    their least-squares part equals the rows' for every ``b``, so the path is the
    in-memory group path (grid from the group lambda_max of the null gradient,
    group weights ``sqrt(p_g)`` times the penalty factor).

    Examples
    --------
    >>> import numpy as np
    >>> from penstat.solver import solve
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5))
    >>> y = X @ np.array([1.0, -2.0, 0.0, 0.0, 0.5]) + rng.standard_normal(200)
    >>> spec = FitSpec(nlambda=30)
    >>> path = gaussian_path_from_stats(GramStats.from_arrays(X, y), spec)
    >>> bool(np.allclose(path.coefs, solve(np.asfortranarray(X), y, spec).coefs,
    ...                  rtol=1e-8, atol=1e-12))
    True
    >>> grouped = FitSpec.build(200, 5, groups=[0, 0, 1, 1, 2], nlambda=30)
    >>> gpath = gaussian_path_from_stats(GramStats.from_arrays(X, y), grouped)
    >>> bool(np.allclose(gpath.coefs, solve(np.asfortranarray(X), y, grouped).coefs,
    ...                  rtol=1e-8, atol=1e-12))
    True
    """
    _check_spec(stats, spec, "gaussian")
    p = stats.p
    n = stats.n_rows
    pf = spec.penalty.factors(p)
    s = _gaussian_standardized(stats, spec)
    with limit_blas(1):
        lams_orig, lams_k, early_stop = _gaussian_grid(s, spec, pf, n, p)
        coefs, b0, dev, n_iter, conv = _outputs(lams_k.size, p)
        extra = {}
        limits_k = _limit_args(spec, s.xs, s.ys, extra)
        if spec.is_group:
            n_fit = _group_path_from_standardized(
                s, spec, pf, lams_k, early_stop, n, (coefs, dev, n_iter, conv)
            )
        else:
            Xt, yt, wt = _square_root_problem(s.G, s.c, s.yy)
            n_fit = _gaussian_kernel_on_rows(
                Xt, yt, wt, spec, pf, lams_k, early_stop, extra,
                (coefs, b0, dev, n_iter, conv),
            )  # fmt: skip
    path = _gaussian_to_path(
        s, spec, pf, lams_orig, coefs, dev, n_iter, conv, n_fit, limits_k
    )
    if early_stop and path.lambdas.size < lams_k.size:
        path = dataclasses.replace(path, early_stop=_early_stop(path, lams_k.size))
    _warn_unconverged(spec, path)
    return path


def _gaussian_kernel_on_rows(Xt, yt, wt, spec: FitSpec, pf, lams_k, early_stop, extra,
                             out) -> int:  # fmt: skip
    """penstat's gaussian kernel (covariance mode) on the square-root rows."""
    coefs, b0, dev, n_iter, conv = out
    return int(
        gaussian_path(
            Xt,
            yt,
            wt,
            np.ascontiguousarray(pf),
            spec.l1_ratio,
            lams_k,
            False,  # the statistics are centred already
            early_stop,
            spec.tol,
            spec.max_iter,
            coefs,
            b0,
            dev,
            n_iter,
            conv,
            mode=1,
            **extra,
        )
    )


def _group_path_from_standardized(s: _Standardized, spec: FitSpec, pf, lams_k,
                                  early_stop, n_rows: int, out) -> int:  # fmt: skip
    """The group lasso (and the sparse-group lasso) of the standardized statistics:
    penstat's gaussian group kernel (``penstat/solver/_cd/_group.pyx``, the one the
    in-memory fit runs) on the ``p + 1`` rows of ``_group_square_root_rows``, whose
    least-squares part equals the in-memory one for every ``b``, with the columns
    reordered so that every group is one block, the group weights
    ``sqrt(p_g) f_g`` and the covariance mode the in-memory fit of ``n_rows`` rows
    takes. Fills ``out = (coefs, dev, n_iter, conv)``; returns the lambdas fitted."""

    coefs = out[0]
    p = s.G.shape[0]
    order, starts, wg, sgl = _group_blocks(spec, pf)
    Xk, yk = _group_square_root_rows(s)
    n_fit = _group_gaussian(
        Xk[:, order], yk, starts, wg, sgl, spec, lams_k, early_stop, out,
        _group_cov_mode(n_rows, p),
    )  # fmt: skip
    coefs[:, order] = coefs.copy()
    return n_fit


def _gaussian_grid(s: _Standardized, spec: FitSpec, pf, n: int, p: int):
    """fit._grid from the standardized statistics."""
    early_stop = spec.lambdas is None
    if spec.lambdas is None:
        unpen = np.flatnonzero(pf == 0)
        grad = s.c
        if unpen.size:
            # the gradient at the least-squares fit of the unpenalized columns
            Guu = s.G[np.ix_(unpen, unpen)]
            beta = np.linalg.lstsq(Guu, s.c[unpen], rcond=None)[0]
            grad = s.c - s.G[:, unpen] @ beta
            left = s.yy - float(s.c[unpen] @ beta)
            # (in memory the residual itself is tested against 1e-20; from the Gram
            # the residual sum of squares is a difference, exact to ~1e-16 only)
            if s.yy > 0 and left <= 1e-13 * s.yy:
                with_b0 = " with the intercept" if spec.fit_intercept else ""
                raise ArgumentError(
                    f"penalty_factor: the {unpen.size} unpenalized columns "
                    f"(penalty_factor 0){with_b0}"
                    " fit y exactly, so the penalized columns have nothing left to "
                    "explain and the unpenalized coefficients are not determined; give "
                    "fewer columns penalty_factor 0"
                )
        if spec.is_group:
            lam_max = _group_lambda_max(grad, spec, pf)
        else:
            lam_max = lambda_max_of(grad, pf, spec.penalty)
        if not lam_max > 0:
            lam_max = 1.0
        lams_orig = lambda_grid(lam_max, spec.nlambda, spec.lambda_min_ratio, n, p) * s.ys
    else:
        lams_orig = spec.lambdas
    lams_k = np.ascontiguousarray(lams_orig / s.ys)
    if spec.lambdas is None:
        lams_k[0] *= 1.0 + 1e-6  # as fit._grid: lambda_max lets no column in
    return lams_orig, lams_k, early_stop


def _group_lambda_max(grad, spec: FitSpec, pf) -> float:
    """:func:`penstat.solver.grid.group_lambda_max` from the null gradient."""

    groups = spec.groups
    return group_lambda_max_of(
        grad,
        groups,
        group_weights(groups, pf),
        spec.penalty,
        spec.l1_within,
        group_factors(groups, pf),
    )


def _gaussian_to_path(s, spec, pf, lams_orig, coefs_k, dev, n_iter, conv, n_fit, limits_k):
    """fit._to_path from the standardized statistics."""
    with np.errstate(over="ignore", invalid="ignore"):
        coefs = coefs_k[:n_fit] * (s.ys / s.xs)
    coefs[:, s.constant] = 0.0
    if limits_k is not None:
        lo_k, hi_k = limits_k
        lo, hi = spec.lower_limits, spec.upper_limits
        kern = coefs_k[:n_fit]
        coefs = np.where((kern == lo_k) & (lo_k != 0), lo, coefs)
        coefs = np.where((kern == hi_k) & (hi_k != 0), hi, coefs)
        np.clip(coefs, lo, hi, out=coefs)
    if not np.isfinite(coefs).all():
        raise DataError(
            "a coefficient overflows float64: a column's scale is too small for the "
            "response's; rescale the column or the response"
        )
    if spec.fit_intercept:
        intercepts = s.ym - coefs @ s.xm
    else:
        intercepts = np.zeros(n_fit)
    deviance = dev[:n_fit] * (s.ys * s.ys * s.sw)
    null_dev = s.yy * s.ys * s.ys * s.sw
    dev_ratio = 1.0 - deviance / null_dev if null_dev > 0 else np.zeros(n_fit)
    return Path(
        lambdas=np.array(lams_orig[:n_fit], dtype=float),
        intercepts=intercepts,
        coefs=coefs,
        df=np.count_nonzero(coefs, axis=1),
        dev_ratio=dev_ratio,
        deviance=deviance,
        null_deviance=float(null_dev),
        n_iter=n_iter[:n_fit].astype(np.int64),
        converged=conv[:n_fit].astype(bool),
        spec=spec,
        penalty_factor=pf,
    )


def gaussian_cv_loss(path: Path, held_out: GramStats) -> np.ndarray:
    """Weighted sum of squared errors of every lambda's fit of ``path`` on the
    held-out rows, from their statistics alone (a quadratic form per lambda):
    ``sum_i w_i (y_i - b0 - x_i'b)^2 = yy - 2 b'xy + b'xx b + sum_w d^2`` with
    ``d = y_mean - b0 - x_mean'b``. For a path with an offset, the held-out
    statistics are those of ``y - offset``, as for the fit.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> X, y = rng.standard_normal((80, 3)), rng.standard_normal(80)
    >>> path = gaussian_path_from_stats(GramStats.from_arrays(X[:60], y[:60]),
    ...                                 FitSpec(nlambda=5))
    >>> loss = gaussian_cv_loss(path, GramStats.from_arrays(X[60:], y[60:]))
    >>> direct = ((y[60:, None] - path.intercepts - X[60:] @ path.coefs.T) ** 2).sum(0)
    >>> bool(np.allclose(loss, direct, rtol=1e-10))
    True
    """
    if path.family != "gaussian":
        raise ArgumentError(
            f"gaussian_cv_loss needs a gaussian path, got family {path.family!r}"
        )
    B = np.asarray(path.coefs, dtype=float)
    if B.shape[1] != held_out.p:
        raise ArgumentError(
            f"the path has {B.shape[1]} columns but the held-out statistics "
            f"{held_out.p}; they must be of the same design"
        )
    if not held_out.sum_w > 0:
        return np.zeros(B.shape[0])
    quad = np.einsum("kj,jl,kl->k", B, held_out.xx, B)
    d = (held_out.y_mean - path.intercepts - B @ held_out.x_mean) + (
        held_out.y_mean_lo - B @ held_out._xlo
    )
    loss = held_out.yy - 2.0 * (B @ held_out.xy) + quad + held_out.sum_w * d * d
    return np.maximum(loss, 0.0)


# ---- binomial: IRLS driven by passes over the data ---------------------------------

# as penstat/solver/_cd/_binomial.pyx: the working weights' floor (glmnet's 1e-5
# probability clip), the scale of tol against the convergence measure, the step
# halvings allowed
_PMIN = 1e-5
_VFLOOR = _PMIN * (1.0 - _PMIN)
_TOL_SCALE = 5e-3
_MAX_HALVINGS = 30
# Newton steps of the null fits (intercept with the offset, unpenalized columns)
_NULL_STEPS = 100
# Newton steps (passes, halvings apart) allowed per lambda: the kernel counts only
# sweeps (max_iter), but a pass is a scan of the data
_LAMBDA_STEPS = 200
# glmnet.control(): devmax, fdev, mnlam (penstat/solver/_cd/_common.pxd)
_DEV_MAX, _DEV_CHANGE_MIN, _MIN_LAMBDAS = 0.999, 1e-5, 5


def irls_pass_stats(
    X: Any, y: Any, w: Any, offset: Any, intercept: float, beta: np.ndarray
) -> GramStats:
    """The statistics of one IRLS (Newton) step on these rows at the point
    ``(intercept, beta)`` (original scale of ``X``): weights
    ``w_i max(p_i (1 - p_i), 1e-5 (1 - 1e-5))`` (the floor of penstat's binomial
    kernel, glmnet's), working response ``z_i = eta_i + (y_i - p_i) / (p_i (1 - p_i))``
    (same floor) with ``eta_i = intercept + x_i'beta`` *without* the offset (which
    enters ``p_i`` only), and ``extra`` the binomial deviance
    ``2 sum_i w_i (log(1 + exp(f_i)) - y_i f_i + y_i log y_i + (1 - y_i) log(1 - y_i))``
    of these rows at that point, ``f_i = eta_i + offset_i`` (``y`` 0/1, or proportions
    of successes with their trials in ``w``). ``offset`` None: none. The weighted least
    squares fit of ``z`` on ``X`` with these weights is the Newton step of the
    logistic log-likelihood; the statistics of blocks of rows merge.

    Examples
    --------
    >>> X, y = np.array([[0.0], [1.0], [2.0]]), np.array([0.0, 1.0, 1.0])
    >>> s = irls_pass_stats(X, y, None, None, 0.0, np.zeros(1))
    >>> s.sum_w, round(s.extra, 6)  # weights 1/4 each; deviance 6 log 2
    (0.75, 4.158883)
    """
    beta = np.asarray(beta, dtype=float)
    if scipy.sparse.issparse(X):
        eta = np.asarray(X @ beta).ravel() + intercept
    else:
        X = np.asarray(X, dtype=float)
        eta = X @ beta + intercept
    n = eta.shape[0]
    y = _as_vector(y, n, "y")
    w = np.ones(n) if w is None else _as_weights(w, n)
    full = eta if offset is None else eta + as_offset(offset, n)
    q = scipy.special.expit(full)
    v = np.maximum(q * (1.0 - q), _VFLOOR)
    z = eta + (y - q) / v
    # from the saturated model (its log-likelihood is 0 for 0/1 labels; glmnet's
    # for proportions), as the binomial kernel's deviance
    sat = scipy.special.xlogy(y, y) + scipy.special.xlogy(1.0 - y, 1.0 - y)
    dev = 2.0 * float(w @ (np.logaddexp(0.0, full) - y * full + sat))
    return GramStats.from_arrays(X, z, w * v, extra=dev)


def irls_pass_stats_folds(
    X: Any,
    y: Any,
    w: Any,
    offset: Any,
    fold: Any,
    requests: list[tuple],
) -> list[GramStats]:
    """:func:`irls_pass_stats` of several problems on the same block of rows, in one
    go: request ``(k, intercept, beta)`` asks for problem ``k``'s statistics at that
    point, problem 0 being all the rows and problem ``k >= 1`` the rows whose
    ``fold`` label is not ``k - 1`` (the training rows of CV fold ``k - 1``;
    ``fold`` None: every problem has all the rows). Equal to calling
    :func:`irls_pass_stats` on each problem's rows, to round-off.

    The work is shared: the rows are sorted by fold once (a problem's rows are then
    two slices), every problem's linear predictor comes from one product
    ``X B`` (``B`` the p x m coefficients), the column minima and maxima of each
    fold from one scan, and the columns are centred once at the block's mean ``c``.
    Each exact problem then costs one scaled copy of its rows and one symmetric
    product: the cross products of ``sqrt(v) [x - c, z - c_z, 1]``, whose last
    column holds ``sum v (x - c)`` and ``sum v``; the centred products at the
    weighted mean ``m`` follow by the shift ``sum v (x - m)(x - m)' = sum v (x -
    c)(x - c)' - sum v (m - c)(m - c)'`` (Chan, Golub & LeVeque 1979, eq. 2.1, with
    one side a single point), which loses no digits while ``m - c`` is of the order
    of the columns' spread, and the mean ``c + (m - c)`` is kept as a double-double.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((300, 3))
    >>> y = (X[:, 0] > 0).astype(float)
    >>> fold = np.arange(300) % 3
    >>> reqs = [(0, 0.1, np.zeros(3)), (2, -0.2, np.array([0.5, 0.0, 0.1]))]
    >>> many = irls_pass_stats_folds(X, y, None, None, fold, reqs)
    >>> one = irls_pass_stats(X[fold != 1], y[fold != 1], None, None, -0.2, reqs[1][2])
    >>> bool(np.allclose(many[1].xx, one.xx, rtol=1e-12)), many[1].n_rows
    (True, 200)
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise DataError(f"X must be a 2-d array, got shape {X.shape}")
    n, p = X.shape
    y = _as_vector(y, n, "y")
    w = np.ones(n) if w is None else _as_weights(w, n)
    off = None if offset is None else as_offset(offset, n)
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise DataError("X and y must be finite (NaN or inf found)")
    m = len(requests)
    if m == 0:
        return []
    ks = [int(r[0]) for r in requests]
    # rows sorted by fold: fold j is the slice bounds[j]:bounds[j + 1]
    if fold is None:
        order = None
        bounds = np.array([0, n])
        nfold = 1
    else:
        fold = np.asarray(fold, dtype=np.int64)
        nfold = max(int(fold.max(initial=-1)) + 1, max(ks))
        order = np.argsort(fold, kind="stable")
        bounds = np.searchsorted(fold[order], np.arange(nfold + 1), side="left")
        y, w = y[order], w[order]
        off = None if off is None else off[order]
    pos = w > 0
    all_pos = bool(pos.all())
    sw_all = float(w.sum())
    B = np.column_stack([np.asarray(r[2], dtype=float) for r in requests])
    b0 = np.array([float(r[1]) for r in requests])
    # the columns in fold order (column by column: X is Fortran-ordered), each
    # fold's minima and maxima over its rows of positive weight, and the columns
    # centred at the block's weighted mean c
    Xc = np.empty((n, p), order="F")
    fold_min = np.full((nfold, p), np.inf)
    fold_max = np.full((nfold, p), -np.inf)
    starts = bounds[:-1]
    filled = np.flatnonzero(np.diff(bounds) > 0)
    wn = w / sw_all if sw_all > 0 else np.full(n, 1.0 / max(n, 1))
    c = np.empty(p)
    for j in range(p):
        col = Xc[:, j]
        if order is None:
            col[:] = X[:, j]
        else:
            np.take(X[:, j], order, out=col)
        if filled.size:
            masked = col if all_pos else np.where(pos, col, np.inf)
            fold_min[filled, j] = np.minimum.reduceat(masked, starts[filled])
            masked = col if all_pos else np.where(pos, col, -np.inf)
            fold_max[filled, j] = np.maximum.reduceat(masked, starts[filled])
        c[j] = wn @ col
        col -= c[j]
    # every problem's linear predictor, without the offset, from one product
    E = Xc @ B
    E += c @ B + b0
    F = E if off is None else E + off[:, None]
    Q = scipy.special.expit(F)
    V = np.maximum(Q * (1.0 - Q), _VFLOOR)
    Z = E + (y[:, None] - Q) / V
    D = np.logaddexp(0.0, F) - y[:, None] * F
    if not np.all((y == 0.0) | (y == 1.0)):
        D += (scipy.special.xlogy(y, y) + scipy.special.xlogy(1.0 - y, 1.0 - y))[:, None]
    D *= w[:, None]
    V *= w[:, None]

    def fold_sums(A, op=np.add, empty=0.0):
        # (nfold, ...) reductions of the rows of each fold (empty folds: ``empty``)
        out = np.full((nfold,) + A.shape[1:], empty)
        if filled.size:
            out[filled] = op.reduceat(A, starts[filled], axis=0)
        return out

    # per problem: its rows (all, or all but one fold), deviance, weights and the
    # centre of its working response, from the sums of each fold
    fold_d, fold_v, fold_vz = fold_sums(D), fold_sums(V), fold_sums(V * Z)
    Zp = Z if all_pos else np.where(pos[:, None], Z, np.inf)
    fold_zmin = fold_sums(Zp, np.minimum, np.inf)
    Zp = Z if all_pos else np.where(pos[:, None], Z, -np.inf)
    fold_zmax = fold_sums(Zp, np.maximum, -np.inf)
    info = []
    for col, k in enumerate(ks):
        held = None if fold is None or k == 0 else k - 1
        kept = np.arange(nfold) != (-1 if held is None else held)
        nk = n if held is None else n - int(bounds[held + 1] - bounds[held])
        dev = 2.0 * float(fold_d[kept, col].sum())
        sw = float(fold_v[kept, col].sum())
        cz = float(fold_vz[kept, col].sum()) / sw if sw > 0 else 0.0
        info.append((held, kept, nk, dev, sw, cz))
    # the cross products of sqrt(v) [x - c, z - c_z, 1] of each problem,
    # accumulated over pieces of rows small enough to stay in cache across the
    # problems (each piece within one fold, so that it belongs to a problem whole
    # or not at all)
    exact = [col for col in range(m) if info[col][4] > 0]
    Ms = {col: np.zeros((p + 2, p + 2), order="F") for col in exact}
    R = None
    if exact:
        R = np.sqrt(V if len(exact) == V.shape[1] else V[:, exact])
    piece = np.empty((_PIECE, p + 2), order="F")
    for j in range(nfold):
        for a in range(bounds[j], bounds[j + 1], _PIECE):
            b = min(a + _PIECE, bounds[j + 1])
            A = piece if b - a == _PIECE else np.empty((b - a, p + 2), order="F")
            Xa = Xc[a:b]
            for e, col in enumerate(exact):
                if info[col][0] == j:
                    continue
                root = R[a:b, e]
                np.multiply(Xa, root[:, None], out=A[:, :p])
                np.multiply(Z[a:b, col] - info[col][5], root, out=A[:, p])
                A[:, p + 1] = root
                Ms[col] = _syrk(1.0, A, beta=1.0, c=Ms[col], trans=1, overwrite_c=1)
    # the working responses' range per fold, over rows of positive weight
    out = []
    for col, (_, keep, nk, dev, sw, cz) in enumerate(info):
        if not sw > 0:
            out.append(_replace(GramStats.empty(p), n_rows=nk, extra=dev))
            continue
        M = np.triu(Ms[col])
        M = M + np.triu(M, 1).T
        sx, sz = M[:p, p + 1], M[p, p + 1]
        cxx, cxz, czz = M[:p, :p], M[:p, p], M[p, p]
        dx, dz = sx / sw, sz / sw
        xm, xlo = _two_sum(c, dx)
        ym, ylo = _two_sum(cz, dz)
        out.append(
            GramStats(
                n_rows=nk,
                sum_w=sw,
                x_mean=xm,
                y_mean=float(ym),
                xx=cxx - np.outer(sx, sx) / sw,
                xy=cxz - sx * dz,
                yy=float(czz - sz * dz),
                extra=dev,
                x_min=fold_min[keep].min(axis=0),
                x_max=fold_max[keep].max(axis=0),
                y_min=float(fold_zmin[keep, col].min()),
                y_max=float(fold_zmax[keep, col].max()),
                x_mean_lo=xlo,
                y_mean_lo=float(ylo),
            )
        )
    return out


@dataclass
class _Lead:
    """What the fold problems read from problem 0 (the full path): its grid once
    made, and the number of lambdas it fitted once done."""

    grid: np.ndarray | None = None
    n_fit: int | None = None


_WAIT = None  # a problem waiting for the lead's grid asks for no pass


class _BinomialProblem:
    """One binomial path, driven as a generator: it yields the points
    ``(intercept, beta)`` (original scale) it needs a pass at, or ``_WAIT``, and is
    sent the merged :func:`irls_pass_stats` of its rows there (None after a wait);
    it returns its :class:`Path`. Solves penstat's binomial kernel's problem on the
    kernel's scale (columns centred and scaled with the original weights, the loss
    divided by their sum)."""

    def __init__(self, base: GramStats, spec: FitSpec, lead: _Lead, is_lead: bool):
        self.spec = spec
        self.lead = lead
        self.is_lead = is_lead
        self.p = p = base.p
        self.sw0 = base.sum_w
        self.n = base.n_rows
        self.xm, self.xs, self.constant = _column_scales(base, spec)
        self.usable = ~self.constant & (np.diag(base.xx) > 0)
        self.pf = spec.penalty.factors(p)
        self.a = spec.l1_ratio
        self.lo = self.hi = None
        if spec.has_limits:
            self.lo = np.ascontiguousarray(spec.lower_limits * self.xs)
            self.hi = np.ascontiguousarray(spec.upper_limits * self.xs)
        self.b = np.zeros(p)  # kernel scale
        self.icpt = 0.0  # original scale
        self.W = np.zeros(p, dtype=bool)  # working set (never shrinks, as the kernel's)

    # -- scales ---------------------------------------------------------------------
    def beta(self, b: np.ndarray) -> np.ndarray:
        out = b / self.xs
        out[self.constant] = 0.0
        return out

    def penalty(self, b: np.ndarray, lam: float) -> float:
        if not np.isfinite(lam):
            return 0.0
        pf, a = self.pf, self.a
        return lam * float(pf @ (a * np.abs(b) + 0.5 * (1.0 - a) * b * b))

    def model(self, S: GramStats):
        """(G, c, xmz) of the Newton model at the point of ``S`` (kernel scale:
        ``1/2 b'Gb - c'b``, the intercept profiled out) and the intercept's
        curvature."""
        sw0, xs = self.sw0, self.xs
        if self.spec.fit_intercept:
            Hxx, Hxz = S.xx, S.xy
        else:
            Hxx = S.xx + S.sum_w * np.outer(S.x_mean, S.x_mean)
            Hxz = S.xy + S.sum_w * S.x_mean * S.y_mean
        G = Hxx / np.outer(xs, xs) / sw0
        c = Hxz / xs / sw0
        G[~self.usable, :] = 0.0
        G[:, ~self.usable] = 0.0
        c[~self.usable] = 0.0
        return np.ascontiguousarray(G), c, S.sum_w / sw0

    def gradient(self, S: GramStats, icpt: float, b: np.ndarray) -> np.ndarray:
        """The exact gradient ``Xs'W(y - p) / sum w`` at the point of ``S``."""
        beta = self.beta(b)
        resid = S.sum_w * (S.y_mean - icpt - S.x_mean @ beta)  # sum w (y - p)
        if self.spec.fit_intercept:
            # sum v (x - xm)(z - eta'), eta' = icpt + x'beta without the offset
            g = (S.xy - S.xx @ beta) + (S.x_mean - self.xm) * resid
        else:
            g = (
                S.xy
                + S.x_mean * (S.sum_w * S.y_mean)
                - (S.xx + S.sum_w * np.outer(S.x_mean, S.x_mean)) @ beta
            )
        g = g / self.xs / self.sw0
        g[~self.usable] = 0.0
        return g

    def newton_target(self, S, lam, thr, max_sweeps):
        """The minimizer of the Newton model at ``S`` (working set grown by the
        model's KKT conditions over every usable column), its intercept (original
        scale), the step measure ``max(G_jj d_j^2, xmz d0^2)`` and the sweeps."""
        G, c, xmz = self.model(S)
        b = self.b.copy()
        g = c - G @ b
        l1 = self.a * lam if np.isfinite(lam) else np.inf
        l2 = (1.0 - self.a) * lam if np.isfinite(lam) else 0.0
        sweeps = 0
        while True:
            ws = np.flatnonzero(self.W).astype(np.intc)
            sweeps += gram_cd(
                G, self.pf, l1, l2, b, g, ws, thr, max_sweeps - sweeps, self.lo, self.hi
            )
            if not np.isfinite(lam) or sweeps >= max_sweeps:
                break
            out = ~self.W & self.usable
            viol = out & _kkt_violated(g, l1, self.pf, self.lo, self.hi)
            if not viol.any():
                break
            self.W |= viol
        beta = self.beta(b)
        icpt = S.y_mean - S.x_mean @ beta if self.spec.fit_intercept else 0.0
        d0 = (icpt + beta @ self.xm) - (self.icpt + self.beta(self.b) @ self.xm)
        db = b - self.b
        dlx = max(float(np.max(np.diag(G) * db * db, initial=0.0)), xmz * d0 * d0)
        return b, icpt, dlx, sweeps

    # -- the protocol ---------------------------------------------------------------
    def run(self):
        spec, p = self.spec, self.p
        # the null model: intercept only (with the offset), as the kernel's
        S = yield (0.0, np.zeros(p))
        if spec.fit_intercept:
            # without an offset, p = 1/2 here and z = 4 (y - 1/2): logit of the
            # weighted mean of y is the null intercept (with one, a start for Newton)
            ybar = 0.5 + S.y_mean / 4.0
            start = np.log(ybar / (1.0 - ybar)) if 0.0 < ybar < 1.0 else S.y_mean
            S = yield from self._halved_move(S, float(start), self.b, np.inf)
            for it in range(_NULL_STEPS + 1):
                step = S.y_mean - self.icpt  # sum w (y - p) / sum v: Newton's step
                if abs(step) <= 1e-13 * (1.0 + abs(self.icpt)):
                    break
                if it == _NULL_STEPS:
                    raise DataError(
                        "the intercept-only logistic fit did not converge: the rows "
                        "of positive weight need both classes (and a finite offset)"
                    )
                f = S.extra
                S = yield from self._halved_move(S, self.icpt + step, self.b, np.inf)
                if f - S.extra <= 1e-15 * f:
                    break  # no measurable decrease left: converged to round-off
        dev0 = S.extra
        # unpenalized columns: their (logistic) fit with the intercept
        unpen = (self.pf == 0) & self.usable
        self.W |= unpen
        if unpen.any():
            S = yield from self._null_columns(S)
        lams_orig, lams_k, early_stop = yield from self._grid(S)
        n_lam = lams_k.size
        coefs = np.zeros((n_lam, p))
        icpts = np.zeros(n_lam)
        devs = np.zeros(n_lam)
        iters = np.zeros(n_lam, dtype=np.int64)
        conv = np.zeros(n_lam, dtype=bool)
        kern = np.zeros((n_lam, p))
        stop_change = not spec.has_limits
        devr_prev = 0.0
        n_fit = 0
        for m in range(n_lam):
            if not self.is_lead and self.lead.n_fit is not None and m >= self.lead.n_fit:
                break
            lam = lams_k[m]
            lam_prev = lams_k[m - 1] if m > 0 else lam
            g = self.gradient(S, self.icpt, self.b)
            cut = self.a * (2.0 * lam - lam_prev)  # sequential strong rule
            self.W |= self.usable & (_movable(g, self.lo, self.hi) > cut * self.pf)
            S, sweeps, done = yield from self._solve_lambda(S, lam)
            coefs[m] = self.beta(self.b)
            icpts[m] = self.icpt
            devs[m] = S.extra
            iters[m] = sweeps
            conv[m] = done
            kern[m] = self.b
            n_fit = m + 1
            devr = 1.0 - S.extra / dev0 if dev0 > 0 else 1.0
            if early_stop and _early_stop_reached(m, devr, devr_prev, stop_change):
                break
            devr_prev = devr
        if self.is_lead:
            self.lead.n_fit = n_fit
        elif self.lead.n_fit is not None:
            n_fit = min(n_fit, self.lead.n_fit)
        return self._path(
            lams_orig, lams_k, coefs, kern, icpts, devs, iters, conv, n_fit, dev0
        )

    def _halved_move(self, S, icpt, b, lam):
        """A pass at the new point, halving the step towards the current one while
        the objective increases (as the kernel); the current point moves there."""
        f_cur = S.extra / (2.0 * self.sw0) + self.penalty(self.b, lam)
        f_scale = abs(f_cur)
        icpt0, b0 = self.icpt, self.b
        for _ in range(_MAX_HALVINGS + 1):
            S_new = yield (float(icpt), self.beta(b))
            f_new = S_new.extra / (2.0 * self.sw0) + self.penalty(b, lam)
            if f_new <= f_cur + 1e-15 * f_scale:
                break
            icpt, b = 0.5 * (icpt + icpt0), 0.5 * (b + b0)
        self.icpt, self.b = float(icpt), b
        return S_new

    def _null_columns(self, S):
        """Newton steps on the intercept and the unpenalized columns (the others
        at 0) until the step is at round-off level."""
        for _ in range(_NULL_STEPS):
            f = S.extra / (2.0 * self.sw0)
            b, icpt, dlx, _ = self.newton_target(S, np.inf, 1e-30 * max(f, 1e-300), 10_000)
            if dlx <= 1e-26 * max(f, 1e-300):
                return S
            S = yield from self._halved_move(S, icpt, b, np.inf)
            if f - S.extra / (2.0 * self.sw0) <= 1e-15 * f:
                return S  # no measurable decrease left: converged to round-off
        raise ArgumentError(
            "penalty_factor: the logistic fit of the unpenalized columns (penalty_factor "
            f"0){' with the intercept' if self.spec.fit_intercept else ''} did not "
            f"converge in {_NULL_STEPS} Newton steps: they may separate the two "
            "classes, so that their coefficients have no finite estimate; give those "
            "columns a positive penalty_factor"
        )

    def _grid(self, S):
        spec = self.spec
        if spec.lambdas is not None:
            lams_orig = spec.lambdas
            return lams_orig, np.array(lams_orig, dtype=float), False
        if not self.is_lead:
            while self.lead.grid is None:
                got = yield _WAIT
                assert got is None
            return self.lead.grid, np.array(self.lead.grid, dtype=float), False
        lam_max = self._lambda_max(self.gradient(S, self.icpt, self.b))
        if not lam_max > 0:
            lam_max = 1.0
        lams_orig = lambda_grid(
            lam_max, spec.nlambda, spec.lambda_min_ratio, self.n, self.p
        )
        self.lead.grid = lams_orig
        lams_k = lams_orig.copy()
        lams_k[0] *= 1.0 + 1e-6  # as fit._grid: lambda_max lets no column in
        return lams_orig, lams_k, True

    def _lambda_max(self, g) -> float:
        return lambda_max_of(g, self.pf, self.spec.penalty)

    def _solve_lambda(self, S, lam):
        """Newton steps at ``lam`` from the current point until the step the model
            asks for has no coordinate move with ``h_j d^2 >= tol * 5e-3 * F`` (``h_j``
            the curvature, ``F`` the objective at the warm start): the binomial kernel's
            measure. One pass per step (more when a step is halved); at most 200 steps
        (not converged then, as when ``max_iter`` sweeps are reached)."""
        spec = self.spec
        shr = self._step_bound(S, lam)
        sweeps = 0
        for _ in range(_LAMBDA_STEPS):
            left = spec.max_iter - sweeps
            b, icpt, dlx, used = self.newton_target(S, lam, 0.1 * shr, left)
            sweeps += used
            if sweeps > spec.max_iter or used >= left:
                return S, spec.max_iter, False
            if dlx < shr:
                return S, sweeps, True
            S = yield from self._halved_move(S, icpt, b, lam)
        return S, sweeps, False

    def _step_bound(self, S, lam) -> float:
        f_start = S.extra / (2.0 * self.sw0) + self.penalty(self.b, lam)
        return self.spec.tol * _TOL_SCALE * f_start

    def _path(self, lams_orig, lams_k, coefs, kern, icpts, devs, iters, conv, n_fit, dev0):
        spec = self.spec
        coefs = coefs[:n_fit]
        if spec.has_limits:
            # at its limit in the kernel's scale, reported at exactly that limit
            lo, hi = spec.lower_limits, spec.upper_limits
            kern = kern[:n_fit]
            coefs = np.where((kern == self.lo) & (self.lo != 0), lo, coefs)
            coefs = np.where((kern == self.hi) & (self.hi != 0), hi, coefs)
            np.clip(coefs, lo, hi, out=coefs)
        intercepts = icpts[:n_fit] if spec.fit_intercept else np.zeros(n_fit)
        deviance = devs[:n_fit]
        dev_ratio = 1.0 - deviance / dev0 if dev0 > 0 else np.zeros(n_fit)
        path = Path(
            lambdas=np.array(lams_orig[:n_fit], dtype=float),
            intercepts=np.array(intercepts, dtype=float),
            coefs=coefs,
            df=np.count_nonzero(coefs, axis=1),
            dev_ratio=dev_ratio,
            deviance=deviance,
            null_deviance=float(dev0),
            n_iter=iters[:n_fit],
            converged=conv[:n_fit],
            spec=spec,
            penalty_factor=self.pf,
        )
        if self.is_lead and spec.lambdas is None and n_fit < lams_k.size:
            path = dataclasses.replace(path, early_stop=_early_stop(path, lams_k.size))
        return path


class _GroupBinomialProblem(_BinomialProblem):
    """:class:`_BinomialProblem` with groups (the group lasso, group elastic net and
    sparse-group lasso of ``spec.groups``): the penalty of the group kernel
    (``penstat/solver/_cd/_group.pyx``), each Newton model solved by that kernel
    on the square-root rows of its Gram (``_group_square_root_rows``), the grid
    from the group lambda_max of the null gradient. The null fits (intercept,
    unpenalized groups) are the lasso's (no penalty there)."""

    def __init__(self, base: GramStats, spec: FitSpec, lead: _Lead, is_lead: bool):
        super().__init__(base, spec, lead, is_lead)
        groups = spec.groups
        self.order = np.argsort(groups, kind="stable")
        self.starts = np.zeros(groups.max() + 2, dtype=np.int32)
        np.cumsum(np.bincount(groups), out=self.starts[1:])
        self.wg = np.ascontiguousarray(group_weights(groups, self.pf))
        self.fg = group_factors(groups, self.pf)
        self.sgl = {}
        if spec.l1_within > 0:
            self.sgl = {"l1_within": spec.l1_within, "pfg": self.fg}

    def penalty(self, b: np.ndarray, lam: float) -> float:
        if not np.isfinite(lam):
            return 0.0
        groups, a = self.spec.groups, self.a
        norms = np.sqrt(np.bincount(groups, weights=b * b, minlength=self.wg.size))
        if self.spec.l1_within > 0:
            s = self.spec.l1_within
            l1 = np.bincount(groups, weights=np.abs(b), minlength=self.wg.size)
            return lam * float(self.wg @ ((1.0 - s) * norms) + self.fg @ (s * l1))
        return lam * float(self.wg @ (a * norms + 0.5 * (1.0 - a) * norms * norms))

    def newton_target(self, S, lam, thr, max_sweeps):
        if not np.isfinite(lam):
            return super().newton_target(S, lam, thr, max_sweeps)
        G, c, xmz = self.model(S)
        # the model 1/2 b'Gb - c'b as rows: 1/2 ||z - R b||^2 up to a constant; the
        # kernel's sweeps stop at d'H_g d < tol 1e-7 ||z||^2 (its TOL_SCALE)
        Xk, yk = _group_square_root_rows(_Standardized(G, c, 0.0, *([None] * 6)))
        yk[-1] = 1.0
        dev0 = float(yk @ yk)
        Xk = np.asfortranarray(Xk[:, self.order])
        one = np.array([lam])
        coefs, dev = np.zeros((1, self.p)), np.zeros(1)
        n_iter, conv = np.zeros(1, np.intc), np.zeros(1, np.uint8)
        group_gaussian_path(
            Xk, np.ascontiguousarray(yk), self.wg, self.starts, self.a, one, False,
            thr / (1e-7 * dev0), max(int(max_sweeps), 1), coefs, dev, n_iter, conv,
            True, **self.sgl,
        )  # fmt: skip
        b = np.zeros(self.p)
        b[self.order] = coefs[0]
        beta = self.beta(b)
        icpt = S.y_mean - S.x_mean @ beta if self.spec.fit_intercept else 0.0
        d0 = (icpt + beta @ self.xm) - (self.icpt + self.beta(self.b) @ self.xm)
        db = b - self.b
        dlx = max(float(np.max(np.diag(G) * db * db, initial=0.0)), xmz * d0 * d0)
        return b, icpt, dlx, int(n_iter[0])

    def _step_bound(self, S, lam) -> float:
        """The bound of :meth:`_BinomialProblem._solve_lambda` for the group kernel: a
        step is the last when it moves a coordinate by less than
        ``h_j d^2 < tol 1e-7 D0`` (``D0`` the null model's deviance over the sum of
        the weights), the kernel's IRLS bound (its TOL_SCALE)."""
        return self.spec.tol * 1e-7 * max(self.dev0n, 1e-300)

    def _grid(self, S):
        self.dev0n = S.extra / self.sw0  # the null model's deviance (normalized)
        return (yield from super()._grid(S))

    def _lambda_max(self, g) -> float:
        return _group_lambda_max(g, self.spec, self.pf)


def _movable(g, lo, hi) -> np.ndarray:
    """|g_j| in a direction the limits allow (see _common.pxd's movable)."""
    if lo is None:
        return np.abs(g)
    return np.where(g > 0, np.where(hi > 0, g, 0.0), np.where(lo < 0, -g, 0.0))


def _kkt_violated(g, l1, pf, lo, hi) -> np.ndarray:
    return _movable(g, lo, hi) > l1 * pf


def _early_stop_reached(m: int, devr: float, devr_prev: float, on_change: bool) -> bool:
    """glmnet's early stop with lognet's absolute change (_common.pxd)."""
    if m + 1 < _MIN_LAMBDAS:
        return False
    if devr > _DEV_MAX:
        return True
    return on_change and devr - devr_prev < _DEV_CHANGE_MIN


def binomial_paths_by_passes(
    base: list[GramStats],
    spec: FitSpec,
    run_pass: Callable[[list[tuple]], list[GramStats]],
) -> tuple[list[Path], int]:
    """Binomial paths of several problems (e.g. the full data and its CV folds)
    driven by passes over the data, all in lockstep: one ``run_pass`` call is one
    pass, serving every problem that needs one.

    ``base[k]`` are the statistics of problem k's rows with their original weights
    (any ``y``): they give the standardization (weighted means and 1/n standard
    deviations, as in memory). ``run_pass(requests)``, with ``requests`` a list of
    ``(k, intercept, beta)`` (original scale), returns for each the merged
    :func:`irls_pass_stats` of problem k's rows at that point (their weights and
    offset included there). Problem 0 fits ``spec`` (glmnet's grid from its null
    model, with the early stop, unless ``spec.lambdas`` is given); the others are
    fitted on problem 0's grid in full up to where problem 0 stopped, as
    in-memory CV fits its folds (``penstat.selection.cv``). ``spec.weights`` and
    ``spec.offset`` are not read (they stay on the returned paths, so that
    :meth:`~penstat.solver.Path.predict` asks for an offset when there is one).

    Each lambda runs proximal Newton steps as glmnet's covariance mode: a pass at
    the current point gives the quadratic model (Gram of the IRLS weights), which is
    minimized in core by coordinate descent (``_cd/_gram.pyx``) on the working set
    (sequential strong rule from the exact gradient, grown by the KKT check of
    every column), then a pass at the new point gives its deviance (a step that
    raises the objective is halved, one pass per halving) and the next model. A
    lambda has converged when the step the model asks for moves no coordinate by
    ``d`` with ``h_j d^2 >= tol * 5e-3 * F``: the binomial kernel's measure.

    With ``spec.groups`` (the group lasso, group elastic net, sparse-group lasso)
    each model is minimized by the group kernel (``_cd/_group.pyx``) on its
    square-root rows, the grid starts at the group lambda_max, and a lambda has
    converged at the group kernel's bound, ``h_j d^2 < tol * 1e-7 * D0`` (``D0``
    the null deviance over the sum of the weights).

    Returns the paths (problem order) and the number of passes. Differences from
    :func:`penstat.solver.solve`: no separation warning at a grid ending at
    lambda 0; unpenalized columns that separate the classes are refused when
    their fit does not converge (in memory: an exact separation check, and a
    warning for quasi-complete separation); ``n_iter`` counts the in-core sweeps.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 4))
    >>> y = (X[:, 0] + rng.standard_normal(200) > 0).astype(float)
    >>> base = [GramStats.from_arrays(X, y)]
    >>> def run_pass(requests):
    ...     return [irls_pass_stats(X, y, None, None, b0, b) for _, b0, b in requests]
    >>> spec = FitSpec(family="binomial", nlambda=20)
    >>> (path,), passes = binomial_paths_by_passes(base, spec, run_pass)
    >>> path.coefs.shape, passes < 3 * path.lambdas.size + 10
    ((15, 4), True)
    """
    if not base:
        raise ArgumentError("binomial_paths_by_passes needs at least one problem")
    # one group of problems: the lockstep driver of binomial_path_groups
    paths, passes = binomial_path_groups(
        [(base, spec)],
        lambda requests: run_pass([(k, *rest) for (_, k), *rest in requests]),
    )
    return paths[0], passes


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
    return row_values(v, n, name)


def _as_weights(w: Any, n: int) -> np.ndarray:
    """Weights of a block of rows: as ``as_weights`` checks them, except that a
    block may have only zero weights (a partition of such rows merges as nothing)."""
    w = row_values(w, n, "w")
    if not (np.isfinite(w).all() and (w >= 0).all()):
        raise DataError("w (the rows' weights) must be finite and non-negative")
    return w


def binomial_path_groups(
    groups: list[tuple[list[GramStats], FitSpec]],
    run_pass: Callable[[list[tuple]], list[GramStats]],
) -> tuple[list[list[Path]], int]:
    """:func:`binomial_paths_by_passes` for several groups of problems at once, all
    in lockstep: group ``g`` is ``(base, spec)`` (its problem 0 leads, its others
    follow problem 0's grid, as there), each group with its own spec (e.g. one
    ``l1_ratio`` per group, or one bootstrap replicate per group). One ``run_pass``
    call is one pass serving every problem of every group that needs one; its
    requests are ``((g, k), intercept, beta)``.

    Returns the paths (``paths[g][k]``) and the number of passes.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 4))
    >>> y = (X[:, 0] + rng.standard_normal(200) > 0).astype(float)
    >>> base = [GramStats.from_arrays(X, y)]
    >>> def run_pass(requests):
    ...     return [irls_pass_stats(X, y, None, None, b0, b) for _, b0, b in requests]
    >>> groups = [(base, FitSpec(family="binomial", nlambda=10, l1_ratio=a))
    ...           for a in (0.5, 1.0)]
    >>> paths, passes = binomial_path_groups(groups, run_pass)
    >>> one, alone = binomial_paths_by_passes(base, groups[1][1], run_pass)
    >>> bool(np.array_equal(paths[1][0].coefs, one[0].coefs)), passes >= alone
    (True, True)
    """
    if not groups:
        raise ArgumentError("binomial_path_groups needs at least one group")
    problems: dict[tuple[int, int], Any] = {}
    specs = []
    for g, (base, spec) in enumerate(groups):
        if not base:
            raise ArgumentError(f"group {g} has no problem")
        specs.append(spec)
        lead = _Lead()
        for k, b in enumerate(base):
            _check_spec(b, dataclasses.replace(spec, weights=None), "binomial")
            if b.p != base[0].p:
                raise ArgumentError(
                    f"group {g}, problem {k} has {b.p} columns, problem 0 {base[0].p}: "
                    "the problems of a group must share the design's columns"
                )
            kind = _GroupBinomialProblem if spec.is_group else _BinomialProblem
            problems[(g, k)] = kind(b, spec, lead, is_lead=(k == 0)).run()
    asks: dict[tuple[int, int], Any] = {}
    paths: dict[tuple[int, int], Path] = {}

    def advance(key, value: Any) -> None:
        try:
            asks[key] = problems[key].send(value)
        except StopIteration as stop:
            paths[key] = stop.value
            asks.pop(key, None)

    for key in problems:
        advance(key, None)
    passes = 0
    while asks:
        order = sorted(asks)
        requests = [(key, *asks[key]) for key in order if asks[key] is not _WAIT]
        if not requests:
            raise RuntimeError("binomial_path_groups: every problem is waiting")
        points = [(key, float(b0), np.array(b)) for key, b0, b in requests]
        results = run_pass(points)
        passes += 1
        if len(results) != len(requests):
            raise ArgumentError(
                f"run_pass returned {len(results)} statistics for {len(requests)} "
                "requests; it must return one per request, in order"
            )
        answered = {key: st for (key, _, _), st in zip(requests, results, strict=True)}
        for key in order:  # problem 0 of a group first: its folds may wait for its grid
            if key in answered:
                advance(key, answered[key])
            elif key in asks:
                advance(key, None)
        # a problem that waited on one advanced after it asks again now, not a pass
        # later
        waiting = [key for key in order if key in asks and asks[key] is _WAIT]
        while waiting:
            for key in waiting:
                advance(key, None)
            still = [key for key in waiting if key in asks and asks[key] is _WAIT]
            if len(still) == len(waiting):
                break
            waiting = still
    out = [[paths[(g, k)] for k in range(len(base))] for g, (base, _) in enumerate(groups)]
    for g, group in enumerate(out):
        for path in group:
            _warn_unconverged(specs[g], path)
    return out, passes
