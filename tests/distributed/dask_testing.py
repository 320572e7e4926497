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
