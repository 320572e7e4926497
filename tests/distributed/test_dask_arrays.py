import dask.array as da
import dask_testing
import numpy as np
import pytest

import penstat as ps
from penstat._errors import ArgumentError

client = dask_testing.client  # the module's cluster (a fixture)


def test_fit_path_of_dask_arrays_equals_numpy(client):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3000, 6))
    y = X[:, 0] - X[:, 1] + rng.standard_normal(3000)
    w = rng.uniform(0.5, 2.0, 3000)
    # column chunks and y / weights chunked differently from X's rows
    dpath = ps.fit_path(
        da.from_array(X, chunks=(700, 3)),
        da.from_array(y, chunks=500),
        weights=da.from_array(w, chunks=1000),
        l1_ratio=0.5,
    )
    mpath = ps.fit_path(X, y, weights=w, l1_ratio=0.5)
    np.testing.assert_allclose(dpath.lambdas, mpath.lambdas, rtol=1e-12)
    np.testing.assert_allclose(dpath.coefs, mpath.coefs, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(dpath.intercepts, mpath.intercepts, rtol=1e-8)
    np.testing.assert_allclose(dpath.deviance, mpath.deviance, rtol=1e-8)


def test_refused_for_dask_arrays(client):
    X = da.ones((10, 2), chunks=5)
    with pytest.raises(ArgumentError, match="offset= is not available for Dask arrays"):
        ps.fit_path(X, da.ones(10, chunks=5), offset=np.zeros(10))
    with pytest.raises(ArgumentError, match="y has shape"):
        ps.fit_path(X, da.ones(9, chunks=5))
