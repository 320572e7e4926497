import dask.dataframe as dd
import dask_testing
import numpy as np
from dask_testing import make_frame

import penstat as ps
from penstat.design import build_design
from penstat.distributed.design import poisson_counts

client = dask_testing.client  # the module's cluster (a fixture)

FORMULA = "y ~ x1 + x2 + x3 + g"


def test_poisson_counts_are_poisson_one():
    c = poisson_counts(np.arange(200_000), seed=5, replicate=0)
    assert abs(c.mean() - 1.0) < 0.01 and abs(c.var() - 1.0) < 0.02
    assert abs((c == 0).mean() - np.exp(-1.0)) < 0.005
    # replicates and seeds differ; a position's count is a function of it alone
    other = poisson_counts(np.arange(200_000), seed=5, replicate=1)
    assert np.corrcoef(c, other)[0, 1] < 0.01
    np.testing.assert_array_equal(poisson_counts(np.arange(50, 80), 5, 0), c[50:80])


def test_replicates_equal_in_memory_weighted_fits(client):
    df = make_frame(1500, seed=3)
    ddf = dd.from_pandas(df, npartitions=3)
    fit = ps.fit(FORMULA, ddf, weights="w", select="bic")
    boot = fit.bootstrap(n_boot=4, seed=9)
    assert fit.bootstrap_result is boot and boot.coefs.shape == (4, 5)
    d = build_design(FORMULA, df, "gaussian", weights="w", exclude=["w"])
    lambdas = fit.path.lambdas[: fit.index + 1]
    for r in range(4):
        w = d.weights * poisson_counts(d.row_positions, 9, r)
        ref = ps.fit_path(d.X, d.y, weights=w, lambdas=lambdas).coefs[-1]
        np.testing.assert_allclose(boot.coefs[r], ref, rtol=1e-8, atol=1e-10)
    assert "freq" in boot.columns.columns
