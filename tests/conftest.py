"""Shared fixtures: small data frames with every kind of column."""

import hashlib
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import penstat as ps


def make_mixed_frame(n: int = 80, seed: int = 0) -> pd.DataFrame:
    """Numeric, string, categorical and bool columns, a gaussian and a binary response."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    x3 = rng.uniform(1.0, 3.0, size=n)
    region = rng.choice(["north", "south", "east", "west"], size=n)
    grade = pd.Categorical(
        rng.choice(["lo", "mid", "hi"], size=n), categories=["lo", "mid", "hi"]
    )
    flag = rng.random(n) < 0.4
    effect = {"north": 0.0, "south": 1.0, "east": -1.0, "west": 0.5}
    eta = 1.5 * x1 - 2.0 * x2 + np.vectorize(effect.get)(region) + 0.8 * flag
    y = eta + rng.normal(scale=0.7, size=n)
    outcome = np.where(eta + rng.logistic(size=n) > 0, "yes", "no")
    return pd.DataFrame(
        {
            "y": y,
            "x1": x1,
            "x2": x2,
            "x3": x3,
            "region": region,
            "grade": grade,
            "flag": flag,
            "outcome": outcome,
        }
    )


REGION_EFFECT = {"north": 0.0, "south": 1.0, "east": -1.0, "west": 0.5}


def make_region_frame(
    n: int, seed: int, scales: tuple[float, ...] = (1.0, 1.0, 1.0)
) -> tuple[pd.DataFrame, np.random.Generator]:
    """The terms of the group-lasso tests: numeric x1, x2, ... (normal, sd
    ``scales``), ``age`` (uniform on 20-70, for a spline or polynomial term) and a
    four-level ``region`` (north, south, east, west). Returns the frame and the
    generator, to draw the response next (``REGION_EFFECT`` maps region to an
    effect)."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {f"x{j}": rng.normal(scale=s, size=n) for j, s in enumerate(scales, 1)}
        | {
            "age": rng.uniform(20, 70, size=n),
            "region": rng.choice(["north", "south", "east", "west"], size=n),
        }
    )
    return df, rng


def make_group_frame() -> pd.DataFrame:
    """300 rows of :func:`make_region_frame`, a gaussian response ``y`` on x1 and
    region, and a binary ``b`` (0 / 1) that follows y."""
    n = 300
    df, rng = make_region_frame(n, seed=0)
    effect = df["region"].map(REGION_EFFECT)
    df["y"] = 2 * df["x1"] + effect + 0.5 * rng.normal(size=n)
    df["b"] = (df["y"] + rng.normal(size=n) > 0).astype(int)
    return df


@pytest.fixture
def mixed():
    return make_mixed_frame()


def corpus_frame(n: int) -> pd.DataFrame:
    """The bad-input corpora's small frame: numeric, factor, 0/1, weight, offset and
    text columns (seed 3)."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "y": 2 * x + rng.normal(size=n),
            "x": x,
            "z": rng.normal(size=n),
            "g": rng.choice(["a", "b", "c"], size=n),
            "b": np.tile([0, 1], n // 2),
            "wt": rng.uniform(0.5, 2.0, size=n),
            "off": rng.normal(size=n) * 0.1,
            "s": ["t"] * n,
        }
    )


def frame_fingerprint(df: pd.DataFrame) -> str:
    """Hash of a DataFrame's values, index, dtypes and column names."""
    h = hashlib.sha256()
    h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    h.update(repr(list(df.dtypes.astype(str))).encode())
    h.update(repr(list(df.columns)).encode())
    return h.hexdigest()


@pytest.fixture
def fixed_bootstrap():
    """``run(fit, n_boot, seed)``: ``fit.bootstrap(fixed_lam=True)`` with the rows each
    replicate drew (recorded from the function ``fit.refitter`` returns) and the grid
    a replicate is fitted on: the fit's lambdas above its ``lam``, then ``lam``."""

    def run(fit, n_boot, seed):
        drawn = []
        original = fit.refitter

        def refitter(fixed_lam=False):
            refit = original(fixed_lam)

            def recording(rows, **kwargs):
                drawn.append(np.array(rows))
                return refit(rows, **kwargs)

            return recording

        fit.refitter = refitter
        boot = fit.bootstrap(
            n_boot=n_boot, fixed_lam=True, seed=seed, n_jobs=1, progress=False
        )
        assert len(drawn) == n_boot
        lambdas = fit.path.lambdas
        grid = np.append(lambdas[lambdas > fit.lam * (1 + 1e-10)], fit.lam)
        return boot, drawn, grid

    return run


@pytest.fixture
def binomial_kernel_options(monkeypatch):
    """``force(**options)``: from then on (for the test) ``fit_path`` calls the binomial
    kernel with these keyword options of ``binomial_path`` (``simd``,
    ``blocked_min_n``); returns the list of the keyword arguments of those calls, so a
    test can tell that the forced kernel ran."""
    from penstat.solver._cd._binomial import binomial_path

    import penstat.solver.fit as path_module

    original = path_module._kernel

    def force(**options):
        calls = []

        def run(*args, **kwargs):
            calls.append(kwargs)
            return binomial_path(*args, **kwargs, **options)

        monkeypatch.setattr(
            path_module,
            "_kernel",
            lambda family: run if family == "binomial" else original(family),
        )
        return calls

    return force


# hypothesis profiles for tests/test_fuzz.py: "ci" (the default) is bounded; "long"
# (HYPOTHESIS_PROFILE=long) runs about ten minutes, see benchmarks/README.md
try:
    import os

    from hypothesis import settings as _settings

    _settings.register_profile("ci", max_examples=12, deadline=None, derandomize=True)
    _settings.register_profile("long", max_examples=600, deadline=None)
    _settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass


class HalfFailingPaths:
    """Subsample paths (``paths(rows, lambdas)``) that fail on any half holding both
    rows 0 and 1 (one half of about every other complementary pair), for stability
    selection with failed fits."""

    def __init__(self, paths):
        self.paths = paths

    def __call__(self, rows, lambdas):
        from penstat._errors import DataError

        if np.isin([0, 1], rows).all():
            raise DataError("rows 0 and 1 together")
        return self.paths(rows, lambdas)


def _snapshot(obj):
    """What ``check_refused`` compares: a frame's fingerprint, a copy of an array
    (a sparse matrix densified), a dict's repr."""
    if isinstance(obj, pd.DataFrame):
        return frame_fingerprint(obj)
    if sp.issparse(obj):
        return obj.toarray().copy()
    if isinstance(obj, dict):
        return repr(obj)
    return np.array(obj, copy=True)


def _same(obj, before) -> bool:
    now = _snapshot(obj)
    if isinstance(before, np.ndarray):
        return np.array_equal(now, before, equal_nan=before.dtype.kind in "fc")
    return now == before


def check_refused(call, error, match, *objects):
    """``call()`` raises ``error`` (a PenstatError) matching ``match``; the frames,
    arrays and dicts in ``objects`` are unchanged."""
    assert issubclass(error, ps.PenstatError)
    before = [_snapshot(o) for o in objects]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=match):
            call()
    assert all(_same(o, b) for o, b in zip(objects, before, strict=True))
