"""The truncated-normal pivot of selective inference, accurate far in the tails.

For ``T ~ N(mu, sigma^2)`` truncated to ``[a, b]`` the pivot is

    F(x; mu, sigma, a, b) = (Phi((x - mu)/sigma) - Phi((a - mu)/sigma))
                            / (Phi((b - mu)/sigma) - Phi((a - mu)/sigma)),

uniform on (0, 1) at the true ``mu`` (Lee, Sun, Sun & Taylor 2016, Ann. Statist.
44(3), Theorem 5.2; Tibshirani, Taylor, Lockhart & Tibshirani 2016, JASA 111). Its
naive evaluation returns 0/0 once ``[a, b]`` lies a few standard deviations in a
tail, which is where confidence-interval ends are found. Here both numerator and
denominator are written in log space from the upper-tail function
``Q(z) = exp(-z^2/2) erfcx(z/sqrt 2)/2``, so that ratios of tail masses become

    log Q(hi) - log Q(lo) = -(hi - lo)(hi + lo)/2 + log erfcx(hi/sqrt 2)
                            - log erfcx(lo/sqrt 2),

with ``hi - lo`` taken from the raw points (no cancellation when ``mu`` is far away)
and the Mills-ratio factor ``erfcx`` bounded and smooth. The pivot is then accurate
to a few ulps in log space for truncation points hundreds of standard deviations
away, and never NaN.

>>> round(truncnorm_cdf(0.5, 0.0, 1.0, -1.0, 1.0), 6)
0.780453
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import erf, erfcx, log_ndtr

__all__ = [
    "log_pivots",
    "selective_interval",
    "selective_intervals",
    "selective_p_value",
    "selective_p_values",
    "truncnorm_cdf",
    "truncnorm_sf",
]

_SQRT2 = math.sqrt(2.0)
# bracket expansion for the interval ends stops this many sigma away from the
# observation: an end further out is beyond double precision (it is reported as
# infinite only when the observation sits on a truncation point)
_MAX_STEPS = 1e150
# Gauss-Legendre rule for the mass of a short interval (see _log_upper_mass)
# (12 nodes: the integrand's log varies by less than 1 on the interval, so the rule's
# error, of order 1/24!, is far below round-off); plain floats, the rule runs per call
_GL_NODES, _GL_WEIGHTS = (v.tolist() for v in np.polynomial.legendre.leggauss(12))
_GL_RULE = tuple(zip(_GL_NODES, _GL_WEIGHTS, strict=True))
_LOG_SQRT_HALF_PI = 0.5 * math.log(math.pi / 2.0)


def _log1mexp(x: float) -> float:
    """log(1 - exp(x)) for x <= 0 (Maechler 2012, "Accurately computing log(1 -
    exp(-|a|))")."""
    if x >= 0.0:
        return -math.inf
    if x > -math.log(2.0):
        return math.log(-math.expm1(x))
    return math.log1p(-math.exp(x))


def _log_erfcx(z: float) -> float:
    return math.log(erfcx(z / _SQRT2))


def _tail_ratio(lo: float, hi: float, width: float) -> float:
    """log Q(hi) - log Q(lo) for 0 <= lo <= hi, ``width = hi - lo`` from raw points."""
    if hi == math.inf:
        return -math.inf
    if width <= 0.0:
        return 0.0
    return -0.5 * width * (hi + lo) + _log_erfcx(hi) - _log_erfcx(lo)


def _log_upper_mass(lo: float, hi: float, width: float) -> float:
    """log(Q(lo) - Q(hi)) - log Q(lo) for 0 <= lo <= hi: the log of the share of the
    upper tail beyond ``lo`` that lies below ``hi``."""
    if width <= 0.0:
        return -math.inf
    if width * (lo + 0.5 * width) < 1.0:
        # a short interval: 1 - exp(D) would lose the digits of a small D, so the
        # mass phi(lo) int_0^w exp(-lo u - u^2/2) du is integrated by Gauss-Legendre
        # (the integrand varies by less than a factor e: exact to round-off), and
        # divided by Q(lo) = phi(lo) sqrt(pi/2) erfcx(lo/sqrt 2)
        half = 0.5 * width
        total = 0.0
        for node, weight in _GL_RULE:
            u = half * (node + 1.0)
            total += weight * math.exp(-u * (lo + 0.5 * u))
        integral = half * total
        return math.log(integral) - _LOG_SQRT_HALF_PI - _log_erfcx(lo)
    return _log1mexp(_tail_ratio(lo, hi, width))


def _log_mass(lo: float, hi: float, width: float) -> float:
    """log(Phi(hi) - Phi(lo)) for lo <= hi (standardized points)."""
    if width <= 0.0:
        return -math.inf
    if lo >= 0.0:
        return float(log_ndtr(-lo)) + _log_upper_mass(lo, hi, width)
    if hi <= 0.0:
        return float(log_ndtr(hi)) + _log_upper_mass(-hi, -lo, width)
    # lo < 0 < hi: two positive halves, no cancellation
    return math.log(0.5 * (math.erf(hi / _SQRT2) + math.erf(-lo / _SQRT2)))


def _log_pivots(x: float, mu: float, sigma: float, a: float, b: float, want: int = 2):
    """(log F, log (1 - F)) of the truncated normal at ``x``; ``want`` 0 or 1
    computes only that one (the other is returned as NaN), 2 both."""
    if not sigma > 0:
        raise ValueError(f"sigma must be positive, got {sigma!r}")
    if not a <= b:
        raise ValueError(f"truncation bounds a={a!r} > b={b!r}")
    x = min(max(x, a), b)
    wa = (x - a) / sigma  # inf when a is -inf
    wb = (b - x) / sigma
    wab = (b - a) / sigma
    if wab == 0.0:
        # a point mass: the pivot is undefined; the midpoint keeps p-values finite
        return math.log(0.5), math.log(0.5)
    alpha, xi, beta = (a - mu) / sigma, (x - mu) / sigma, (b - mu) / sigma
    log_f = log_s = math.nan
    if alpha >= 0.0:
        # right tail: every mass is a share of Q(alpha); Q(alpha) cancels
        den = _log_upper_mass(alpha, beta, wab)
        if want != 1:
            log_f = _log_upper_mass(alpha, xi, wa) - den
        if want != 0:
            log_s = _tail_ratio(alpha, xi, wa) + _log_upper_mass(xi, beta, wb) - den
        return log_f, log_s
    if beta <= 0.0:
        # left tail: the mirror image of the right tail
        log_s, log_f = _log_pivots(-x, -mu, sigma, -b, -a, 2 if want == 2 else 1 - want)
        return log_f, log_s
    den = _log_mass(alpha, beta, wab)
    if want != 1:
        log_f = _log_mass(alpha, xi, wa) - den
    if want != 0:
        log_s = _log_mass(xi, beta, wb) - den
    return log_f, log_s


def truncnorm_cdf(x: float, mu: float, sigma: float, a: float, b: float) -> float:
    """F(x): the distribution function of N(mu, sigma^2) truncated to [a, b].

    Accurate to a few ulps in relative terms also when ``[a, b]`` lies far in a
    tail (see the module notes); ``a = -inf`` or ``b = inf`` are allowed. ``x``
    outside ``[a, b]`` is moved to the nearer end.

    Parameters
    ----------
    x, mu : float
    sigma : float
        Positive.
    a, b : float
        Truncation bounds, ``a <= b``.

    Returns
    -------
    float

    Examples
    --------
    >>> truncnorm_cdf(10.5, 0.0, 1.0, 10.0, float("inf"))  # doctest: +ELLIPSIS
    0.99...
    >>> truncnorm_cdf(30.0, 0.0, 1.0, 29.9, 30.1) > 0.9
    True
    """
    log_f = _log_pivots(float(x), float(mu), float(sigma), float(a), float(b), 0)[0]
    return min(1.0, math.exp(log_f))


def truncnorm_sf(x: float, mu: float, sigma: float, a: float, b: float) -> float:
    """1 - F(x), computed directly (accurate when it is tiny).

    Examples
    --------
    >>> import math
    >>> math.log10(truncnorm_sf(12.0, 0.0, 1.0, 10.0, float("inf"))) < -8
    True
    """
    log_s = _log_pivots(float(x), float(mu), float(sigma), float(a), float(b), 1)[1]
    return min(1.0, math.exp(log_s))


def selective_p_value(
    t: float,
    sigma: float,
    a: float,
    b: float,
    alternative: str = "two-sided",
    sign: int = 1,
) -> float:
    """The p-value of ``mu = 0`` for an observation ``t`` of N(mu, sigma^2) truncated
    to ``[a, b]``.

    Parameters
    ----------
    t : float
        The observed statistic (``eta'y``).
    sigma : float
        Its standard deviation before truncation.
    a, b : float
        The truncation bounds (V-, V+).
    alternative : {"two-sided", "sign"}
        Two-sided: ``2 min(F, 1 - F)``; ``"sign"``: one-sided towards ``sign``
        (``1 - F`` tests ``mu > 0`` for ``sign = 1``, ``F`` tests ``mu < 0``).
    sign : int
        +1 or -1, the direction of the one-sided alternative.

    Returns
    -------
    float

    Examples
    --------
    >>> round(selective_p_value(2.0, 1.0, 1.0, float("inf")), 4)
    0.2868
    """
    log_f, log_s = _log_pivots(float(t), 0.0, float(sigma), float(a), float(b))
    if alternative == "sign":
        return min(1.0, math.exp(log_s if sign > 0 else log_f))
    return min(1.0, 2.0 * math.exp(min(log_f, log_s)))


def _end(g, t: float, sigma: float, direction: float) -> float:
    """The root of the increasing-in-``direction`` function ``g`` beyond ``t``: the
    bracket ``[t, t + direction * step * sigma]`` doubles until ``g`` changes sign."""
    g0 = g(t)
    if g0 == 0.0:
        return t
    if (g0 > 0) == (direction > 0):
        # the root lies on the other side of t: search there
        direction = -direction
    step = 1.0
    inner = t
    while step <= _MAX_STEPS:
        outer = t + direction * step * sigma
        if (g(outer) > 0) != (g0 > 0):
            lo, hi = sorted((inner, outer))
            return brentq(g, lo, hi, xtol=1e-12 * sigma, rtol=1e-15, maxiter=500)
        inner = outer
        step *= 2.0
    return direction * math.inf


def selective_interval(
    t: float, sigma: float, a: float, b: float, level: float = 0.95
) -> tuple[float, float]:
    """The equal-tailed confidence interval for ``mu`` from an observation ``t`` of
    N(mu, sigma^2) truncated to ``[a, b]``: the ``mu`` with
    ``level/2 + 1/2 >= F(t; mu) >= 1/2 - level/2`` (F decreases in ``mu``).

    Each end is a root of the pivot in ``mu``, found in log space by Brent's method
    after bracket expansion (no grid). An end is infinite only when ``t`` sits on a
    truncation point (the pivot is then constant in ``mu``).

    Parameters
    ----------
    t, sigma, a, b : float
        As :func:`selective_p_value`.
    level : float
        Coverage in (0, 1).

    Returns
    -------
    (float, float)

    Examples
    --------
    >>> lo, hi = selective_interval(0.0, 1.0, float("-inf"), float("inf"))
    >>> round(lo, 4), round(hi, 4)
    (-1.96, 1.96)
    """
    t, sigma, a, b = float(t), float(sigma), float(a), float(b)
    t = min(max(t, a), b)
    log_tail = math.log((1.0 - level) / 2.0)

    def clip(v: float) -> float:
        return min(max(v, -1e300), 1e300)

    # lower end: 1 - F(t; mu) = (1 - level)/2; 1 - F increases with mu
    def g_lower(mu: float) -> float:
        return clip(_log_pivots(t, mu, sigma, a, b, 1)[1] - log_tail)

    # upper end: F(t; mu) = (1 - level)/2; F decreases with mu
    def g_upper(mu: float) -> float:
        return clip(log_tail - _log_pivots(t, mu, sigma, a, b, 0)[0])

    if not a < t < b:
        # on a truncation point the pivot is constant in mu: no information
        return -math.inf, math.inf
    lower = _end(g_lower, t, sigma, -1.0)
    upper = _end(g_upper, t, sigma, 1.0)
    return lower, upper


# --- the same pivot on arrays: every column of a selective table at once ---------

_GL_NODES_A = np.array(_GL_NODES)
_GL_WEIGHTS_A = np.array(_GL_WEIGHTS)


def _log1mexp_a(x: np.ndarray) -> np.ndarray:
    """:func:`_log1mexp` elementwise."""
    out = np.full(x.shape, -math.inf)
    near = (x < 0.0) & (x > -math.log(2.0))
    far = x <= -math.log(2.0)
    out[near] = np.log(-np.expm1(x[near]))
    out[far] = np.log1p(-np.exp(x[far]))
    return out


def _tail_ratio_a(lo: np.ndarray, hi: np.ndarray, width: np.ndarray) -> np.ndarray:
    """:func:`_tail_ratio` elementwise."""
    out = np.zeros(lo.shape)
    out[hi == math.inf] = -math.inf
    ok = (hi != math.inf) & (width > 0.0)
    l, h, w = lo[ok], hi[ok], width[ok]
    out[ok] = -0.5 * w * (h + l) + np.log(erfcx(h / _SQRT2)) - np.log(erfcx(l / _SQRT2))
    return out


def _log_upper_mass_a(lo: np.ndarray, hi: np.ndarray, width: np.ndarray) -> np.ndarray:
    """:func:`_log_upper_mass` elementwise (the same two regimes)."""
    out = np.full(lo.shape, -math.inf)
    pos = width > 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        short = pos & (width * (lo + 0.5 * width) < 1.0)
    long_ = pos & ~short
    if short.any():
        l, half = lo[short], 0.5 * width[short]
        u = half[:, None] * (_GL_NODES_A + 1.0)
        total = np.exp(-u * (l[:, None] + 0.5 * u)) @ _GL_WEIGHTS_A
        out[short] = np.log(half * total) - _LOG_SQRT_HALF_PI - np.log(erfcx(l / _SQRT2))
    if long_.any():
        out[long_] = _log1mexp_a(_tail_ratio_a(lo[long_], hi[long_], width[long_]))
    return out


def _log_mass_a(lo: np.ndarray, hi: np.ndarray, width: np.ndarray) -> np.ndarray:
    """:func:`_log_mass` elementwise."""
    out = np.full(lo.shape, -math.inf)
    pos = width > 0.0
    right = pos & (lo >= 0.0)
    left = pos & ~right & (hi <= 0.0)
    mid = pos & ~right & ~left
    if right.any():
        l, h, w = lo[right], hi[right], width[right]
        out[right] = log_ndtr(-l) + _log_upper_mass_a(l, h, w)
    if left.any():
        l, h, w = lo[left], hi[left], width[left]
        out[left] = log_ndtr(h) + _log_upper_mass_a(-h, -l, w)
    if mid.any():
        out[mid] = np.log(0.5 * (erf(hi[mid] / _SQRT2) + erf(-lo[mid] / _SQRT2)))
    return out


def log_pivots(x, mu, sigma, a, b) -> tuple[np.ndarray, np.ndarray]:
    """``(log F, log (1 - F))`` of N(mu, sigma^2) truncated to ``[a, b]`` at ``x``,
    elementwise over arrays (broadcast): the computation of :func:`truncnorm_cdf` and
    :func:`truncnorm_sf`, branch for branch, for many points at once.

    Parameters
    ----------
    x, mu, sigma, a, b : array_like
        ``sigma > 0`` and ``a <= b`` everywhere.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)

    Examples
    --------
    >>> log_f, log_s = log_pivots([0.5, 12.0], 0.0, 1.0, [-1.0, 10.0], [1.0, np.inf])
    >>> np.exp(log_f).round(6).tolist(), float(np.exp(log_s[1]) < 1e-6)
    ([0.780453, 1.0], 1.0)
    """
    x, mu, sigma, a, b = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (x, mu, sigma, a, b))
    )
    if not np.all(sigma > 0):
        raise ValueError("sigma must be positive")
    if not np.all(a <= b):
        raise ValueError("truncation bounds with a > b")
    x = np.minimum(np.maximum(x, a), b)
    with np.errstate(invalid="ignore"):
        wa, wb, wab = (x - a) / sigma, (b - x) / sigma, (b - a) / sigma
        alpha, xi, beta = (a - mu) / sigma, (x - mu) / sigma, (b - mu) / sigma
    log_f = np.full(x.shape, math.nan)
    log_s = np.full(x.shape, math.nan)
    point = wab == 0.0
    log_f[point] = log_s[point] = math.log(0.5)
    right = ~point & (alpha >= 0.0)
    left = ~point & ~right & (beta <= 0.0)
    mid = ~point & ~right & ~left
    for part, (al, x_, be, w_a, w_b, w_ab), flip in (
        (right, (alpha, xi, beta, wa, wb, wab), False),
        # the left tail is the mirror image of the right one
        (left, (-beta, -xi, -alpha, wb, wa, wab), True),
    ):
        if not part.any():
            continue
        al, x_, be = al[part], x_[part], be[part]
        w_a, w_b, w_ab = w_a[part], w_b[part], w_ab[part]
        den = _log_upper_mass_a(al, be, w_ab)
        lf = _log_upper_mass_a(al, x_, w_a) - den
        ls = _tail_ratio_a(al, x_, w_a) + _log_upper_mass_a(x_, be, w_b) - den
        if flip:
            lf, ls = ls, lf
        log_f[part], log_s[part] = lf, ls
    if mid.any():
        al, x_, be = alpha[mid], xi[mid], beta[mid]
        den = _log_mass_a(al, be, wab[mid])
        log_f[mid] = _log_mass_a(al, x_, wa[mid]) - den
        log_s[mid] = _log_mass_a(x_, be, wb[mid]) - den
    return log_f, log_s


def selective_p_values(t, sigma, a, b, alternative: str = "two-sided", sign=1):
    """:func:`selective_p_value` elementwise over arrays.

    Parameters
    ----------
    t, sigma, a, b : array_like
        As :func:`selective_p_value` (broadcast together).
    alternative : {"two-sided", "sign"}
    sign : array_like
        +1 or -1 per entry, the direction of the one-sided alternative.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> selective_p_values([2.0, 0.0], 1.0, [1.0, -np.inf], np.inf).round(4).tolist()
    [0.2868, 1.0]
    """
    log_f, log_s = log_pivots(t, 0.0, sigma, a, b)
    if alternative == "sign":
        return np.minimum(1.0, np.exp(np.where(np.asarray(sign) > 0, log_s, log_f)))
    return np.minimum(1.0, 2.0 * np.exp(np.minimum(log_f, log_s)))


def selective_intervals(t, sigma, a, b, level: float = 0.95):
    """:func:`selective_interval` elementwise over arrays: both ends of every
    interval found together, each bracketed as there (steps of ``sigma`` doubling
    away from ``t``) and then narrowed to ``1e-12 sigma`` (plus ``4e-16 |end|``).

    Parameters
    ----------
    t, sigma, a, b : array_like
        As :func:`selective_interval` (broadcast together).
    level : float
        Coverage in (0, 1).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The lower and upper ends; both infinite where ``t`` sits on a truncation
        point.

    Examples
    --------
    >>> lo, hi = selective_intervals([0.0, 1.0], [1.0, 2.0], -np.inf, np.inf)
    >>> lo.round(4).tolist(), hi.round(4).tolist()
    ([-1.96, -2.9199], [1.96, 4.9199])
    """
    t, sigma, a, b = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (t, sigma, a, b))
    )
    t = np.minimum(np.maximum(t, a), b)
    k = t.size
    lower = np.full(k, -math.inf)
    upper = np.full(k, math.inf)
    inside = ((a < t) & (t < b)).ravel()
    if inside.any():
        idx = np.flatnonzero(inside)
        m = idx.size
        tt = np.tile(t.ravel()[idx], 2)
        ss = np.tile(sigma.ravel()[idx], 2)
        aa = np.tile(a.ravel()[idx], 2)
        bb = np.tile(b.ravel()[idx], 2)
        # the first m solve 1 - F(t; mu) = tail (increasing in mu), the rest
        # F(t; mu) = tail (decreasing)
        is_up = np.arange(2 * m) >= m
        log_tail = math.log((1.0 - level) / 2.0)

        def g(mu, sel):
            log_f, log_s = log_pivots(tt[sel], mu, ss[sel], aa[sel], bb[sel])
            val = np.where(is_up[sel], log_tail - log_f, log_s - log_tail)
            return np.clip(val, -1e300, 1e300)

        ends = _roots(g, tt, ss, np.where(is_up, 1.0, -1.0))
        lower[idx], upper[idx] = ends[:m], ends[m:]
    return lower.reshape(t.shape), upper.reshape(t.shape)


def _roots(g, t, sigma, direction):
    """The root of each increasing-in-``direction`` function ``g(mu, sel)`` beyond
    ``t``: :func:`_end` elementwise, with the Illinois method (bisection-safeguarded)
    in place of Brent's."""
    n = t.size
    out = np.full(n, math.nan)
    every = np.arange(n)
    g0 = g(t, every)
    out[g0 == 0.0] = t[g0 == 0.0]
    direction = np.where((g0 > 0) == (direction > 0), -direction, direction)
    lo, hi, g_lo = t.copy(), t.copy(), g0.copy()
    todo = np.flatnonzero(g0 != 0.0)
    inner = t.copy()
    step = 1.0
    while todo.size and step <= _MAX_STEPS:
        outer = t[todo] + direction[todo] * step * sigma[todo]
        found = (g(outer, todo) > 0) != (g0[todo] > 0)
        hit = todo[found]
        lo[hit] = np.minimum(inner[hit], outer[found])
        hi[hit] = np.maximum(inner[hit], outer[found])
        inner[todo] = outer
        todo = todo[~found]
        step *= 2.0
    out[todo] = direction[todo] * math.inf
    # Illinois (regula falsi, the value at an end that stays put halved) inside the
    # bracket; after three moves of the same end in a row, a bisection step
    todo = np.flatnonzero(np.isnan(out))
    g_lo = g(lo[todo], todo)
    g_hi = g(hi[todo], todo)
    lo, hi = lo[todo], hi[todo]
    run = np.zeros(todo.size, np.int64)  # > 0: lo moved run times in a row; < 0: hi
    for _ in range(4400):
        mid = 0.5 * (lo + hi)
        tol = 1e-12 * sigma[todo] + 4e-16 * np.abs(mid)
        done = (hi - lo) <= 2.0 * tol
        out[todo[done]] = mid[done]
        keep = ~done
        todo, lo, hi, g_lo, g_hi = todo[keep], lo[keep], hi[keep], g_lo[keep], g_hi[keep]
        run, mid = run[keep], mid[keep]
        if not todo.size:
            break
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            x = (lo * g_hi - hi * g_lo) / (g_hi - g_lo)
        x = np.where((np.abs(run) >= 3) | ~((lo < x) & (x < hi)), mid, x)
        gx = g(x, todo)
        exact = gx == 0.0
        out[todo[exact]] = x[exact]
        left = ((gx > 0) == (g_lo > 0)) & ~exact  # the root is above x
        right = ~left & ~exact
        g_hi = np.where(left & (run > 0), 0.5 * g_hi, g_hi)
        g_lo = np.where(right & (run < 0), 0.5 * g_lo, g_lo)
        lo = np.where(left, x, lo)
        g_lo = np.where(left, gx, g_lo)
        hi = np.where(right, x, hi)
        g_hi = np.where(right, gx, g_hi)
        run = np.where(left, np.maximum(run, 0) + 1, np.minimum(run, 0) - 1)
        keep = ~exact
        todo, lo, hi, g_lo, g_hi = todo[keep], lo[keep], hi[keep], g_lo[keep], g_hi[keep]
        run = run[keep]
    return out
