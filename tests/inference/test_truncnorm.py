"""The truncated-normal pivot against mpmath at 50 digits, far into the tails."""

import math

import mpmath as mp
import numpy as np
import pytest

from penstat.inference.truncnorm import (
    log_pivots,
    selective_interval,
    selective_intervals,
    selective_p_value,
    selective_p_values,
    truncnorm_cdf,
    truncnorm_sf,
)

mp.mp.dps = 50
INF = math.inf


def _q(z):
    """Upper tail at 50 digits (erfc keeps relative accuracy far out)."""
    if z == INF:
        return mp.mpf(0)
    if z == -INF:
        return mp.mpf(1)
    return mp.erfc(z / mp.sqrt(2)) / 2


def _mass(lo, hi):
    if lo >= 0:
        return _q(lo) - _q(hi)
    if hi <= 0:
        return _q(-hi) - _q(-lo)
    return 1 - _q(hi) - _q(-lo)


def _std(v, mu, sigma):
    return v if v in (INF, -INF) else (mp.mpf(v) - mp.mpf(mu)) / sigma


def ref_cdf_sf(x, mu, sigma, a, b):
    za, zx, zb = (_std(v, mu, sigma) for v in (a, x, b))
    den = _mass(za, zb)
    return _mass(za, zx) / den, _mass(zx, zb) / den


def _rel(got, want):
    want = float(want)
    return abs(got - want) / abs(want)


# (x, mu, sigma, a, b): the truncation interval 0, 10, 20 and 40 sigma from mu, on
# either side, bounded or one-sided, short and long
CASES = [
    (0.5, 0.0, 1.0, -1.0, 1.0),
    (10.5, 0.0, 1.0, 10.0, INF),
    (12.0, 0.0, 1.0, 10.0, INF),
    (20.3, 0.0, 1.0, 20.0, 21.0),
    (40.01, 0.0, 1.0, 40.0, INF),
    (40.5, 0.0, 1.0, 40.0, 45.0),
    (-40.5, 0.0, 1.0, -INF, -40.0),
    (-20.5, 0.0, 1.0, -21.0, -20.0),
    (-10.2, 0.0, 1.0, -INF, -10.0),
    (3.0, 0.0, 1.0, -35.0, 4.0),
    (0.3, -1000.0, 2.0, 0.1, 5.0),
    (5.0, 100.0, 1.0, -INF, 6.0),
    (1e-4, 0.0, 1.0, -2e-4, 3e-4),
    (1e-9, 0.0, 1.0, 0.0, 1e-8),
    (7.0, 2.0, 0.5, 6.99, 7.02),
    (2.0, 0.0, 3.0, -INF, INF),
]


@pytest.mark.parametrize(("x", "mu", "sigma", "a", "b"), CASES)
def test_cdf_and_survival_match_mpmath(x, mu, sigma, a, b):
    want_f, want_s = ref_cdf_sf(x, mu, sigma, a, b)
    assert _rel(truncnorm_cdf(x, mu, sigma, a, b), want_f) < 1e-12
    assert _rel(truncnorm_sf(x, mu, sigma, a, b), want_s) < 1e-12


def test_survival_far_beyond_the_bound_keeps_its_digits():
    # 1 - F is ~1e-87 here: from F it would be 0
    x, a = 30.0, 10.0
    want = ref_cdf_sf(x, 0.0, 1.0, a, INF)[1]
    assert float(want) < 1e-80
    assert _rel(truncnorm_sf(x, 0.0, 1.0, a, INF), want) < 1e-12


@pytest.mark.parametrize(
    ("t", "sigma", "a", "b", "alternative", "sign"),
    [
        (2.0, 1.0, 1.0, INF, "two-sided", 1),
        (10.5, 1.0, 10.0, INF, "two-sided", 1),
        (21.0, 1.0, 20.0, INF, "sign", 1),
        (-40.2, 1.0, -INF, -40.0, "sign", -1),
        (-40.2, 1.0, -INF, -40.0, "sign", 1),
        (0.4, 0.5, -0.2, 3.0, "two-sided", 1),
    ],
)
def test_p_values_match_mpmath(t, sigma, a, b, alternative, sign):
    f, s = ref_cdf_sf(t, 0.0, sigma, a, b)
    if alternative == "sign":
        want = s if sign > 0 else f
    else:
        want = min(1, 2 * min(f, s))
    assert _rel(selective_p_value(t, sigma, a, b, alternative, sign), want) < 1e-12


@pytest.mark.parametrize(
    ("t", "sigma", "a", "b", "level"),
    [
        (0.0, 1.0, -INF, INF, 0.95),
        (1.3, 1.0, 0.5, INF, 0.95),
        (1.3, 1.0, 1.29, INF, 0.9),
        (10.5, 1.0, 10.0, INF, 0.95),
        (-40.4, 1.0, -INF, -40.0, 0.95),
        (20.5, 1.0, 20.0, 21.0, 0.8),
        (1e-6, 1.0, 0.0, INF, 0.95),
        (0.2, 0.3, -0.1, 0.25, 0.95),
    ],
)
def test_interval_ends_solve_the_pivot_at_50_digits(t, sigma, a, b, level):
    lo, hi = selective_interval(t, sigma, a, b, level)
    assert math.isfinite(lo) and math.isfinite(hi) and lo < hi
    tail = (1 - level) / 2
    # the exact pivot at the reported ends: 1 - F(t; lo) = F(t; hi) = (1 - level)/2
    s_lo = ref_cdf_sf(t, lo, sigma, a, b)[1]
    f_hi = ref_cdf_sf(t, hi, sigma, a, b)[0]
    assert float(s_lo) == pytest.approx(tail, rel=1e-8)
    assert float(f_hi) == pytest.approx(tail, rel=1e-8)


def test_interval_end_from_mpmath_root():
    """An end found independently: mpmath's root of the 50-digit pivot."""
    t, sigma, a, b, level = 10.5, 1.0, 10.0, INF, 0.95
    lo, hi = selective_interval(t, sigma, a, b, level)
    root = mp.findroot(lambda mu: ref_cdf_sf(t, mu, sigma, a, b)[0] - mp.mpf(0.025), hi)
    assert hi == pytest.approx(float(root), rel=1e-9)
    root = mp.findroot(lambda mu: ref_cdf_sf(t, mu, sigma, a, b)[1] - mp.mpf(0.025), lo)
    assert lo == pytest.approx(float(root), rel=1e-9)


def test_unbounded_truncation_gives_the_classical_interval():
    lo, hi = selective_interval(1.0, 2.0, -INF, INF, 0.95)
    assert lo == pytest.approx(1.0 - 1.959963984540054 * 2.0, rel=1e-10)
    assert hi == pytest.approx(1.0 + 1.959963984540054 * 2.0, rel=1e-10)


def test_infinite_only_on_a_truncation_point():
    assert selective_interval(1.0, 1.0, 1.0, INF) == (-INF, INF)
    lo, hi = selective_interval(1.0 + 1e-9, 1.0, 1.0, INF)
    assert math.isfinite(lo) and math.isfinite(hi)


def test_never_nan():
    rng = np.random.default_rng(0)
    for _ in range(2000):
        mu = rng.normal(0, 10) * 10 ** rng.integers(0, 4)
        x = rng.normal(0, 50)
        a = x - abs(rng.normal()) * 10.0 ** rng.integers(-12, 2)
        b = x + abs(rng.normal()) * 10.0 ** rng.integers(-12, 2)
        if rng.uniform() < 0.2:
            a = -INF
        if rng.uniform() < 0.2:
            b = INF
        if rng.uniform() < 0.05:
            x = a if a > -INF else b
        sigma = 10.0 ** rng.uniform(-3, 3)
        f = truncnorm_cdf(x, mu, sigma, a, b)
        s = truncnorm_sf(x, mu, sigma, a, b)
        p = selective_p_value(x, sigma, a, b)
        assert 0.0 <= f <= 1.0 and 0.0 <= s <= 1.0 and 0.0 <= p <= 1.0
        assert not (math.isnan(f) or math.isnan(s) or math.isnan(p))


# --- the array versions (every selected column at once) --------------------------

INTERVAL_CASES = [
    (0.0, 1.0, -INF, INF, 0.95),
    (1.3, 1.0, 0.5, INF, 0.95),
    (1.3, 1.0, 1.29, INF, 0.9),
    (10.5, 1.0, 10.0, INF, 0.95),
    (-40.4, 1.0, -INF, -40.0, 0.95),
    (20.5, 1.0, 20.0, 21.0, 0.8),
    (1e-6, 1.0, 0.0, INF, 0.95),
    (0.2, 0.3, -0.1, 0.25, 0.95),
]


def test_array_pivots_match_mpmath_on_every_case_at_once():
    x, mu, sigma, a, b = (np.array(v) for v in zip(*CASES, strict=True))
    log_f, log_s = log_pivots(x, mu, sigma, a, b)
    for k, case in enumerate(CASES):
        want_f, want_s = ref_cdf_sf(*case)
        assert _rel(math.exp(log_f[k]), want_f) < 1e-12, case
        assert _rel(math.exp(log_s[k]), want_s) < 1e-12, case


def test_array_pivots_agree_with_the_scalar_ones_on_random_points():
    rng = np.random.default_rng(1)
    pts = []
    for _ in range(1500):
        x = rng.normal(0, 50)
        a = x - abs(rng.normal()) * 10.0 ** rng.integers(-12, 2)
        b = x + abs(rng.normal()) * 10.0 ** rng.integers(-12, 2)
        a = -INF if rng.uniform() < 0.2 else a
        b = INF if rng.uniform() < 0.2 else b
        mu = rng.normal(0, 10) * 10 ** rng.integers(0, 4)
        pts.append((x, mu, 10.0 ** rng.uniform(-3, 3), a, b))
    log_f, log_s = log_pivots(*np.array(pts).T)
    for k, pt in enumerate(pts):
        f, s = (math.exp(v) for v in log_pivots_scalar(*pt))
        assert math.exp(log_f[k]) == pytest.approx(f, rel=1e-12, abs=1e-300)
        assert math.exp(log_s[k]) == pytest.approx(s, rel=1e-12, abs=1e-300)


def log_pivots_scalar(x, mu, sigma, a, b):
    from penstat.inference.truncnorm import _log_pivots

    return _log_pivots(x, mu, sigma, a, b)


def test_array_p_values_match_mpmath():
    t = np.array([2.0, 10.5, 21.0, -40.2, -40.2, 0.4])
    sigma = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.5])
    a = np.array([1.0, 10.0, 20.0, -INF, -INF, -0.2])
    b = np.array([INF, INF, INF, -40.0, -40.0, 3.0])
    two = selective_p_values(t, sigma, a, b)
    sign = np.array([1, 1, 1, -1, 1, 1])
    one = selective_p_values(t, sigma, a, b, "sign", sign)
    for k in range(t.size):
        f, s = ref_cdf_sf(t[k], 0.0, sigma[k], a[k], b[k])
        assert _rel(two[k], min(1, 2 * min(f, s))) < 1e-12
        assert _rel(one[k], s if sign[k] > 0 else f) < 1e-12


def test_array_interval_ends_solve_the_pivot_at_50_digits():
    t, sigma, a, b, level = (np.array(v) for v in zip(*INTERVAL_CASES, strict=True))
    for lev in np.unique(level):
        pick = level == lev
        lo, hi = selective_intervals(t[pick], sigma[pick], a[pick], b[pick], lev)
        tail = (1 - lev) / 2
        for k, (tk, sk, ak, bk) in enumerate(
            zip(t[pick], sigma[pick], a[pick], b[pick], strict=True)
        ):
            assert math.isfinite(lo[k]) and math.isfinite(hi[k]) and lo[k] < hi[k]
            assert float(ref_cdf_sf(tk, lo[k], sk, ak, bk)[1]) == pytest.approx(
                tail, rel=1e-8
            )
            assert float(ref_cdf_sf(tk, hi[k], sk, ak, bk)[0]) == pytest.approx(
                tail, rel=1e-8
            )
            # and the scalar search finds the same ends (Brent's method, 1e-12 sigma)
            want = selective_interval(tk, sk, ak, bk, lev)
            assert abs(lo[k] - want[0]) <= 1e-10 * sk * (1 + abs(want[0]))
            assert abs(hi[k] - want[1]) <= 1e-10 * sk * (1 + abs(want[1]))


def test_array_intervals_infinite_only_on_a_truncation_point():
    lo, hi = selective_intervals(
        [1.0, 1.0 + 1e-9, 2.0], 1.0, [1.0, 1.0, 1.5], [INF, INF, 2.0]
    )
    assert (lo[0], hi[0]) == (-INF, INF) and (lo[2], hi[2]) == (-INF, INF)
    assert math.isfinite(lo[1]) and math.isfinite(hi[1])
