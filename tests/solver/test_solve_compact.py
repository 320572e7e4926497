"""solve_compact (the CV folds' path on the columns it moves) against solve: the
same coefficients, intercepts and lambdas bit for bit, the same warnings and
errors, whatever the kernel's reused buffer held before."""

import warnings

import numpy as np
import pytest

from penstat._errors import ConvergenceWarning, DataError
from penstat.solver.fit import CompactPath, KernelScratch, solve, solve_compact
from penstat.spec import FitSpec


def _problem(name: str):
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    n, p = (40, 300) if "wide" in name else (120, 15)
    X = rng.standard_normal((n, p))
    X[:, 1] = 0.7 * X[:, 0] + 0.3 * X[:, 1]
    eta = X[:, :3] @ np.array([1.0, -0.7, 0.5])
    if "binomial" in name:
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
        family = "binomial"
    else:
        y = eta + 0.5 * rng.standard_normal(n)
        family = "gaussian"
    opts: dict = {"family": family}
    if "weights" in name:
        opts["weights"] = rng.uniform(0.2, 3.0, n)
    if "offset" in name:
        opts["offset"] = 0.3 * rng.standard_normal(n)
    if "pf" in name:
        pf = np.ones(p)
        pf[[2, 5]] = 0.0
        pf[7] = 2.5
        opts["penalty_factor"] = pf
    if "enet" in name:
        opts["l1_ratio"] = 0.4
    if "noint" in name:
        opts["fit_intercept"] = False
    if "unstd" in name:
        opts["standardize"] = False
    if "constant" in name:
        X[:, 4] = 2.0
    if "limits" in name:
        opts["lower_limits"] = -0.2
    if "groups" in name:
        opts["groups"] = np.arange(p) // 3
    return X, y, opts


NAMES = [
    "gaussian-wide",
    "gaussian-wide-weights-pf",
    "gaussian-wide-enet-offset",
    "gaussian-tall",
    "gaussian-tall-noint-unstd",
    "gaussian-wide-constant",
    "binomial-wide",
    "binomial-tall-weights-offset",
    "gaussian-wide-limits",
    "gaussian-tall-groups",
]


def _dirty_scratch(nlam: int, p: int) -> KernelScratch:
    # a buffer full of NaN: a kernel row not written would show in the result
    scratch = KernelScratch()
    scratch.give(np.full((nlam + 5, p), np.nan))
    return scratch


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("grid", ["own", "given"])
def test_same_path_as_solve(name, grid):
    X, y, opts = _problem(name)
    n, p = X.shape
    rows = np.sort(np.random.default_rng(3).choice(n, size=n - 7, replace=False))
    spec = FitSpec.build(
        rows.size,
        p,
        nlambda=60,
        **{k: (v[rows] if k in ("weights", "offset") else v) for k, v in opts.items()},
    )
    if grid == "given":
        lams = solve(X, y[rows], spec, rows=rows).lambdas
        spec = spec.with_grid(np.asarray(lams) * 0.9)
    full = solve(X, y[rows], spec, rows=rows)
    scratch = _dirty_scratch(60, p)
    for _ in range(2):  # the second fit reuses the first one's buffer
        small = solve_compact(X, y[rows], spec, rows=rows, scratch=scratch)
        assert isinstance(small, CompactPath)
        assert np.array_equal(small.lambdas, full.lambdas)
        assert np.array_equal(small.intercepts, full.intercepts)
        assert np.array_equal(small.cols, np.flatnonzero(full.coefs.any(axis=0)))
        assert np.array_equal(small.dense(), full.coefs)
        # the layout of the dense path's columns, so products with them are the same
        kept = full.coefs[:, small.cols]
        assert small.coefs.flags.f_contiguous == kept.flags.f_contiguous
        assert small.coefs.flags.c_contiguous == kept.flags.c_contiguous


def test_of_path_round_trip():
    X, y, opts = _problem("gaussian-wide")
    full = solve(X, y, FitSpec.build(*X.shape, nlambda=20, **opts))
    small = CompactPath.of(full)
    assert small.cols.size < X.shape[1]
    assert np.array_equal(small.dense(), full.coefs)


def test_scratch_hands_out_one_buffer_per_fit():
    scratch = KernelScratch()
    a = scratch.take(4, 3)
    b = scratch.take(4, 3)  # a is in use: a new one
    assert a is not b
    scratch.give(a)
    assert scratch.take(2, 3) is a  # large enough
    assert scratch.take(9, 3) is not a  # too few rows: a new one


def test_same_warning_when_not_converged():
    X, y, opts = _problem("gaussian-wide")
    spec = FitSpec.build(*X.shape, nlambda=15, max_iter=1, **opts)
    with warnings.catch_warnings(record=True) as got_full:
        warnings.simplefilter("always")
        solve(X, y, spec)
    with warnings.catch_warnings(record=True) as got_small:
        warnings.simplefilter("always")
        solve_compact(X, y, spec)
    full = [str(w.message) for w in got_full if issubclass(w.category, ConvergenceWarning)]
    small = [
        str(w.message) for w in got_small if issubclass(w.category, ConvergenceWarning)
    ]
    assert full and small == full


def test_same_error_when_a_coefficient_overflows():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((30, 60))
    X[:, 9] *= 1e-300
    y = 1e10 * X[:, 9] / 1e-300 + rng.standard_normal(30)
    spec = FitSpec.build(*X.shape, nlambda=10)
    with pytest.raises(DataError) as full:
        solve(X, y, spec)
    with pytest.raises(DataError) as small:
        solve_compact(X, y, spec)
    assert str(small.value) == str(full.value)
    assert small.value.column == full.value.column == 9


@pytest.mark.parametrize("shape", [(30, 200), (200, 20)])  # naive and covariance modes
@pytest.mark.parametrize("limits", [False, True])
def test_kernel_compact_rows_are_the_dense_rows(shape, limits):
    from penstat.solver._cd._gaussian import gaussian_path

    n, p = shape
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, p))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = X[:, :3] @ np.array([1.0, -1.0, 0.5]) + rng.standard_normal(n)
    y = (y - y.mean()) / y.std()
    X = np.asfortranarray(X)
    w = np.full(n, 1.0 / n)
    pf = np.ones(p)
    lmax = np.abs(X.T @ (w * y)).max()
    lams = lmax * np.logspace(0, -2, 40)
    extra = {}
    if limits:
        extra = {"lower": np.full(p, -0.1), "upper": np.full(p, np.inf)}

    def outputs():
        return (
            np.zeros(40),
            np.zeros(40),
            np.zeros(40, dtype=np.int32),
            np.zeros(40, dtype=np.uint8),
        )

    dense = np.zeros((40, p))
    n_fit = gaussian_path(
        X, y, w, pf, 0.8, lams, True, True, 1e-7, 10**5, dense, *outputs(), **extra
    )
    rows = np.full((40, p), np.nan)  # entries the kernel must not need
    active, n_active = np.full(p, -1, dtype=np.int32), np.zeros(40, dtype=np.int32)
    n_fit_c = gaussian_path(
        X,
        y,
        w,
        pf,
        0.8,
        lams,
        True,
        True,
        1e-7,
        10**5,
        rows,
        *outputs(),
        active_out=active,
        n_active_out=n_active,
        **extra,
    )
    assert n_fit_c == n_fit
    assert np.all(np.diff(n_active[:n_fit]) >= 0) and n_active[n_fit - 1] > 0
    rebuilt = np.zeros((n_fit, p))
    for m in range(n_fit):
        k = n_active[m]
        rebuilt[m, active[:k]] = rows[m, :k]
    assert np.array_equal(rebuilt, dense[:n_fit])
    final = active[: n_active[n_fit - 1]]
    assert np.unique(final).size == final.size and final.min() >= 0
    assert set(np.flatnonzero(dense[:n_fit].any(axis=0))) <= set(final.tolist())


@pytest.mark.parametrize(
    "scale", [1e-321, 1e-310, 1e-300, 1e-200, 1e-8, 1.0, 3.7, 1e12, 1e290]
)
@pytest.mark.parametrize("weighted", [False, True])
def test_constant_columns_found_from_the_sd_as_by_comparison(scale, weighted):
    from penstat.solver.fit import _column_sd, _constant_among, _constant_columns

    rng = np.random.default_rng(7)
    n, p = 200, 40
    X = scale * rng.standard_normal((n, p))
    X[:, 3] = scale * 0.3  # constant
    X[:, 4] = 0.0
    X[:, 5] = -scale * 1.1
    X[::2, 6] = scale * 2.0  # constant on the rows of positive weight only
    X[1::2, 6] = scale * 5.0
    X[:, 7] = scale * 2.0
    X[11, 7] = np.nextafter(scale * 2.0, np.inf)  # one ulp apart: not constant
    rows = np.sort(rng.choice(n, size=150, replace=False))
    w = None
    if weighted:
        w = rng.uniform(0.5, 2.0, rows.size)
        w[rows % 2 == 1] = 0.0
    Xr = X[rows]
    wn = np.full(rows.size, 1.0 / rows.size) if w is None else w / w.sum()
    mean = wn @ Xr
    sd = _column_sd(Xr - mean, wn)
    expected = _constant_columns(Xr, w)
    assert expected[[3, 4, 5]].all() and expected[6] == weighted
    assert np.array_equal(_constant_among(X, rows, w, mean, sd), expected)
