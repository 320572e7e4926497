"""Paths from sufficient statistics (penstat.solver.gram) against the in-memory
solver and direct computations."""

import numpy as np
import pytest
import scipy.sparse

from penstat._errors import ArgumentError
from penstat.solver.gram import GramStats


def _rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    scale = max(float(np.max(np.abs(b))), 1e-300)
    return float(np.max(np.abs(a - b))) / scale


def _check_same(a: GramStats, b: GramStats, tol=1e-12):
    assert a.n_rows == b.n_rows
    assert a.sum_w == pytest.approx(b.sum_w, rel=1e-14)
    for name in ("x_mean", "xx", "xy"):
        assert _rel(getattr(a, name), getattr(b, name)) < tol, name
    assert _rel(a.y_mean, b.y_mean) < tol
    assert _rel(a.yy, b.yy) < tol
    assert _rel(a.extra, b.extra) < tol
    np.testing.assert_array_equal(a.x_min, b.x_min)
    np.testing.assert_array_equal(a.x_max, b.x_max)
    assert (a.y_min, a.y_max) == (b.y_min, b.y_max)


def _data(n=300, p=6, seed=0, mean=0.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + mean
    y = X[:, 0] - 0.5 * X[:, 1] + rng.standard_normal(n) + mean
    w = rng.uniform(0.2, 3.0, n)
    w[rng.choice(n, n // 10, replace=False)] = 0.0
    return X, y, w


def _centred_reference(X, y, w):
    """Centred statistics in extended precision (numpy longdouble)."""
    Xl, yl, wl = (np.asarray(a, np.longdouble) for a in (X, y, w))
    sw = wl.sum()
    xm = (wl @ Xl) / sw
    ym = (wl @ yl) / sw
    Xc, yc = Xl - xm, yl - ym
    return xm, ym, (Xc * wl[:, None]).T @ Xc, (Xc * wl[:, None]).T @ yc, (wl * yc) @ yc


@pytest.mark.parametrize("mean", [0.0, 1e6])
def test_merge_of_any_split_equals_whole(mean):
    X, y, w = _data(mean=mean)
    whole = GramStats.from_arrays(X, y, w, extra=3.5)
    rng = np.random.default_rng(1)
    for trial in range(5):
        cuts = np.sort(rng.choice(np.arange(1, X.shape[0]), size=trial + 1, replace=False))
        bounds = [0, *cuts.tolist(), X.shape[0]]
        extras = np.diff(np.linspace(0.0, 3.5, len(bounds)))
        parts = [
            GramStats.from_arrays(X[a:b], y[a:b], w[a:b], extra=float(e))
            for a, b, e in zip(bounds[:-1], bounds[1:], extras, strict=True)
        ]
        _check_same(GramStats.merge_all(parts), whole)
        # sequential merging in any order (left fold, with an empty start)
        acc = GramStats.empty(X.shape[1])
        for part in parts[::-1]:
            acc = acc.merge(part)
        _check_same(acc, whole)


def test_large_means_keep_their_digits():
    # mean 1e6, sd 1: raw sums of squares (1e12 per row) would lose ~12 digits
    X, y, w = _data(n=2000, mean=1e6, seed=3)
    xm, ym, xx, xy, yy = _centred_reference(X, y, w)
    parts = [
        GramStats.from_arrays(X[i : i + 7], y[i : i + 7], w[i : i + 7])
        for i in range(0, 2000, 7)
    ]
    merged = GramStats.merge_all(parts)
    for s in (merged, GramStats.from_arrays(X, y, w)):
        assert _rel(s.x_mean, xm.astype(float)) < 1e-14
        assert _rel(s.xx, xx.astype(float)) < 1e-12
        assert _rel(s.xy, xy.astype(float)) < 1e-12
        assert _rel(s.yy, float(yy)) < 1e-12
    # the raw-sum route really would have failed this check
    raw = (X * w[:, None]).T @ X - w.sum() * np.outer(xm.astype(float), xm.astype(float))
    assert _rel(raw, xx.astype(float)) > 1e-8


def test_weights_and_zero_weight_rows():
    X, y, w = _data(seed=5)
    s = GramStats.from_arrays(X, y, w)
    # zero-weight rows change nothing but the row count
    keep = w > 0
    t = GramStats.from_arrays(X[keep], y[keep], w[keep])
    assert s.n_rows == X.shape[0] and t.n_rows == int(keep.sum())
    for name in ("x_mean", "xx", "xy"):
        assert _rel(getattr(s, name), getattr(t, name)) < 1e-12
    # the ranges (which tell constant columns) are over the rows of positive weight
    np.testing.assert_array_equal(s.x_max, X[keep].max(axis=0))
    assert (s.y_min, s.y_max) == (y[keep].min(), y[keep].max())
    # integer weights equal repeated rows
    wi = np.random.default_rng(2).integers(0, 4, X.shape[0]).astype(float)
    rep = np.repeat(np.arange(X.shape[0]), wi.astype(int))
    a, b = GramStats.from_arrays(X, y, wi), GramStats.from_arrays(X[rep], y[rep])
    for name in ("x_mean", "xx", "xy", "yy"):
        assert _rel(getattr(a, name), getattr(b, name)) < 1e-12
    # a block of only zero-weight rows merges as the identity
    z = GramStats.from_arrays(X[:5], y[:5], np.zeros(5))
    m = s.merge(z)
    assert m.n_rows == s.n_rows + 5
    assert _rel(m.xx, s.xx) == 0.0 and m.sum_w == s.sum_w


def test_sparse_equals_dense():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((9000, 5)) * (rng.random((9000, 5)) < 0.2) + 1e3 * (
        rng.random((9000, 5)) < 0.01
    )
    y = rng.standard_normal(9000)
    w = rng.uniform(0, 2, 9000)
    _check_same(
        GramStats.from_arrays(scipy.sparse.csc_matrix(X), y, w),
        GramStats.from_arrays(X, y, w),
        tol=1e-12,
    )


def test_merge_refuses_other_widths():
    with pytest.raises(ArgumentError, match="different designs"):
        GramStats.empty(2).merge(GramStats.empty(3))
