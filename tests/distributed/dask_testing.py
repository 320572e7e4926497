"""A real dask.distributed cluster for the Dask backend's tests: two workers in this
process (``processes=False``: worker processes would start a Python each, slow on a
small CI machine), one thread each, one per test module (each imports it: a
conftest.py here would shadow the tests' own ``conftest`` module); and the frames
the tests fit."""

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        dashboard_address=":0",
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def make_frame(n: int = 3000, seed: int = 0, family: str = "gaussian") -> pd.DataFrame:
    """Numeric columns, a factor, weights and a few rows with missing values."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 5))
    g = rng.choice(["north", "south", "east"], n)
    eta = X[:, 0] - 0.7 * X[:, 1] + 0.4 * X[:, 2] + 0.8 * (g == "south")
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(1, 6)])
    df["g"] = g
    df["w"] = rng.uniform(0.5, 2.0, n)
    if family == "gaussian":
        df["y"] = eta + rng.standard_normal(n)
    else:
        df["y"] = np.where(rng.random(n) < 1 / (1 + np.exp(-eta)), "yes", "no")
    df["fold"] = rng.integers(0, 5, n)
    df.loc[[5, n // 7, n // 2 + 3], "x2"] = np.nan
    df.loc[[12, n - n // 5], "g"] = None
    return df


FORMULA = "y ~ x1 + x2 + x3 + x4 + x5 + g"
BINOMIAL = "y ~ x1 + x2 + x3 + g"
SEED = 7


def same_path(dfit, mfit, rtol=1e-8):
    """The Dask fit's path equals the in-memory fit's: the same lambdas (1e-10),
    coefficients and intercepts to ``rtol``."""
    assert len(dfit.path.lambdas) == len(mfit.path.lambdas)
    np.testing.assert_allclose(dfit.path.lambdas, mfit.path.lambdas, rtol=1e-10)
    scale = np.abs(np.asarray(mfit.path.coefs)).max()
    np.testing.assert_allclose(
        dfit.path.coefs, mfit.path.coefs, rtol=rtol, atol=rtol * scale
    )
    np.testing.assert_allclose(dfit.path.intercepts, mfit.path.intercepts, rtol=rtol)


def same_cv(dfit, mfit, rtol=1e-10):
    """The same lambda chosen, and the CV curve and its spread to ``rtol``."""
    assert dfit.index == mfit.index
    assert dfit.lam == pytest.approx(mfit.lam, rel=1e-12)
    np.testing.assert_allclose(dfit.cv.cvm, mfit.cv.cvm, rtol=rtol)
    np.testing.assert_allclose(dfit.cv.cvsd, mfit.cv.cvsd, rtol=max(rtol, 1e-9))


def with_hash_folds(df, nfolds=5, seed=SEED):
    """The in-memory frame with the Dask fit's folds (a hash of the row position)."""
    from penstat.distributed import hash_folds

    return df.assign(h=hash_folds(np.arange(len(df)), nfolds, seed))


def frame_with_base(seed: int, family: str = "gaussian") -> pd.DataFrame:
    """:func:`make_frame` (2000 gaussian or 1200 binomial rows) with an offset
    column ``base``."""
    if family == "gaussian":
        df = make_frame(2000, seed=seed)
        df["base"] = np.random.default_rng(3).normal(0.0, 2.0, len(df))
    else:
        df = make_frame(1200, seed=seed, family="binomial")
        df["base"] = np.random.default_rng(4).normal(0.0, 0.5, len(df))
    return df
