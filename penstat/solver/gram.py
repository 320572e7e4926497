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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse

from penstat._errors import ArgumentError, DataError
from penstat._runner import limit_blas
from penstat.solver._cd._gaussian import gaussian_path
from penstat.solver.fit import _early_stop, _outputs, _warn_unconverged
from penstat.solver.grid import lambda_grid, lambda_max_of
from penstat.solver.path import Path
from penstat.spec import FitSpec

__all__ = ["GramStats", "gaussian_cv_loss", "gaussian_path_from_stats"]

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
    e, V = np.linalg.eigh((G + G.T) / 2.0)
    keep = e > max(float(e.max(initial=0.0)), 0.0) * p * np.finfo(float).eps
    root = np.sqrt(np.where(keep, e, 0.0))
    R = root[:, None] * V.T
    proj = V.T @ c
    z = np.where(keep, proj / np.where(keep, root, 1.0), 0.0)
    rest = max(yy - float(z @ z), 0.0)
    k = p + 1
    scale = np.sqrt(k)
    Xt = np.zeros((k, p), order="F")
    Xt[:p] = R * scale
    yt = np.empty(k)
    yt[:p] = z * scale
    yt[p] = np.sqrt(rest) * scale
    return Xt, yt, np.full(k, 1.0 / k)


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
    if spec.is_group:
        raise ArgumentError(
            "groups= is not available for paths from statistics; fit the path "
            "without groups, or in memory with penstat.solver.fit_path"
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
    """
    _check_spec(stats, spec, "gaussian")
    p = stats.p
    n = stats.n_rows
    pf = spec.penalty.factors(p)
    s = _gaussian_standardized(stats, spec)
    with limit_blas(1):
        lams_orig, lams_k, early_stop = _gaussian_grid(s, spec, pf, n, p)
        Xt, yt, wt = _square_root_problem(s.G, s.c, s.yy)
        coefs, b0, dev, n_iter, conv = _outputs(lams_k.size, p)
        extra = {}
        limits_k = None
        if spec.has_limits:
            limits_k = (
                np.ascontiguousarray(spec.lower_limits * (s.xs / s.ys)),
                np.ascontiguousarray(spec.upper_limits * (s.xs / s.ys)),
            )
            extra["lower"], extra["upper"] = limits_k
            extra["stop_on_change"] = False  # as solve(): see fit._run_kernel
        n_fit = int(
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
    path = _gaussian_to_path(
        s, spec, pf, lams_orig, coefs, dev, n_iter, conv, n_fit, limits_k
    )
    if early_stop and path.lambdas.size < lams_k.size:
        path = dataclasses.replace(path, early_stop=_early_stop(path, lams_k.size))
    _warn_unconverged(spec, path)
    return path


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
