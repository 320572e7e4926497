import dask.dataframe as dd
import dask_testing
import numpy as np
import pandas as pd
import pytest
from dask_testing import make_frame

import penstat as ps
from penstat._errors import ArgumentError
from penstat.distributed import hash_folds
from penstat.distributed.passes import Scan

client = dask_testing.client  # the module's cluster (a fixture)

FORMULA = "y ~ x1 + x2 + x3 + x4 + x5 + g + x1:g"


def _same_path(dfit, mfit, rtol=1e-8):
    np.testing.assert_allclose(dfit.path.lambdas, mfit.path.lambdas, rtol=1e-10)
    scale = np.abs(np.asarray(mfit.path.coefs)).max()
    np.testing.assert_allclose(
        dfit.path.coefs, mfit.path.coefs, rtol=rtol, atol=rtol * scale
    )
    np.testing.assert_allclose(dfit.path.intercepts, mfit.path.intercepts, rtol=rtol)


@pytest.fixture(scope="module")
def gaussian_frame():
    return make_frame(3000, seed=1)


@pytest.fixture
def sizes(monkeypatch):
    """The pickled size of what every pass returns to the caller."""
    import pickle

    seen = []
    run = Scan.run

    def recording(self, func, shared, combine, starts=None):
        out = run(self, func, shared, combine, starts)
        seen.append(len(pickle.dumps(out)))
        return out

    monkeypatch.setattr(Scan, "run", recording)
    return seen


def test_gaussian_cv_equals_in_memory(client, gaussian_frame, sizes, monkeypatch):
    df = gaussian_frame
    ddf = dd.from_pandas(df, npartitions=6)
    # the rows are never gathered: computing the frame would fail
    monkeypatch.setattr(type(ddf), "compute", lambda *a, **k: pytest.fail("gathered"))
    dfit = ps.fit(FORMULA, ddf, weights="w", foldid="fold", select="cv_min")
    mfit = ps.fit(FORMULA, df, weights="w", foldid="fold", select="cv_min")
    _same_path(dfit, mfit)
    assert dfit.index == mfit.index and dfit.lam == pytest.approx(mfit.lam, rel=1e-12)
    assert dfit.cv.index_1se == mfit.cv.index_1se
    np.testing.assert_allclose(dfit.cv.cvm, mfit.cv.cvm, rtol=1e-10)
    np.testing.assert_allclose(dfit.cv.cvsd, mfit.cv.cvsd, rtol=1e-10)
    np.testing.assert_allclose(dfit.cv.fold_values, mfit.cv.fold_values, rtol=1e-10)
    assert dfit.n_obs == mfit.n_obs and dfit.n_dropped == mfit.n_dropped == 5
    assert dfit.passes == 2 and dfit.scheduler == "distributed"
    pd.testing.assert_series_equal(dfit.coef, mfit.coef, rtol=1e-8, atol=1e-10)
    # only merged summaries travel: each is far smaller than the data
    data_bytes = df.memory_usage(deep=True).sum()
    assert len(sizes) == 2 and max(sizes) < data_bytes / 10
    assert "lambda" in str(dfit.summary())


def test_gaussian_hash_folds_and_predict(client, gaussian_frame):
    df = gaussian_frame
    ddf = dd.from_pandas(df, npartitions=4)
    dfit = ps.fit(FORMULA, ddf, nfolds=5, seed=11, select="cv_1se")
    folds = hash_folds(np.arange(len(df)), 5, 11)
    mfit = ps.fit(FORMULA, df.assign(h=folds), foldid="h", select="cv_1se")
    _same_path(dfit, mfit)
    assert dfit.index == mfit.index and dfit.lam == pytest.approx(mfit.lam, rel=1e-12)
    np.testing.assert_allclose(dfit.cv.cvm, mfit.cv.cvm, rtol=1e-10)
    pred = dfit.predict(ddf)
    assert isinstance(pred, dd.Series)
    got = pred.compute()
    want = mfit.predict(df)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-9)
    assert got.index.equals(want.index)


def test_gaussian_criteria(client, gaussian_frame):
    df = gaussian_frame
    ddf = dd.from_pandas(df, npartitions=3)
    for rule in ("aic", "bic", "ebic"):
        dfit = ps.fit(FORMULA, ddf, weights="w", select=rule)
        mfit = ps.fit(FORMULA, df, weights="w", select=rule)
        assert dfit.index == mfit.index and dfit.lam == pytest.approx(mfit.lam, rel=1e-12)
        cols = ["loglik", "aic", "bic", "ebic", "edf"]
        np.testing.assert_allclose(
            dfit.selection.table[cols], mfit.selection.table[cols], rtol=1e-9
        )
    assert dfit.passes == 2


def test_refused_on_a_dask_fit(client, gaussian_frame):
    ddf = dd.from_pandas(gaussian_frame, npartitions=2)
    with pytest.raises(ArgumentError, match="not available for a fit on a Dask"):
        ps.fit("y ~ x1 + x2", ddf, stratify=True)
    fit = ps.fit("y ~ x1 + x2", ddf, select="bic")
    with pytest.warns(UserWarning, match="nfolds=5 is ignored with select='bic'"):
        ps.fit("y ~ x1 + x2", ddf, select="bic", nfolds=5)
    for method in ("stability_selection", "inference", "refitter"):
        with pytest.raises(ArgumentError, match=method):
            getattr(fit, method)()


@pytest.fixture(scope="module")
def binomial_frame():
    return make_frame(1600, seed=2, family="binomial")


def test_binomial_cv_equals_in_memory(client, binomial_frame):
    df = binomial_frame
    ddf = dd.from_pandas(df, npartitions=4)
    formula = "y ~ x1 + x2 + x3 + g"
    options = dict(family="binomial", weights="w", foldid="fold", nlambda=10, tol=1e-16)
    dfit = ps.fit(formula, ddf, select="cv_min", **options)
    mfit = ps.fit(formula, df, select="cv_min", **options)
    _same_path(dfit, mfit)
    assert dfit.index == mfit.index
    np.testing.assert_allclose(dfit.cv.cvm, mfit.cv.cvm, rtol=1e-8)
    np.testing.assert_allclose(dfit.cv.cvsd, mfit.cv.cvsd, rtol=1e-7)
    assert dfit.design.classes == mfit.design.classes
    # levels, base statistics, one pass per IRLS step (all problems in lockstep),
    # the held-out scores
    assert dfit.passes == 3 + dfit.irls_passes
    pred = dfit.predict(ddf, type="class").compute()
    pd.testing.assert_series_equal(pred, mfit.predict(df, type="class"))


def test_gaussian_elastic_net_criteria(client, gaussian_frame):
    df = gaussian_frame
    ddf = dd.from_pandas(df, npartitions=3)
    dfit = ps.fit(FORMULA, ddf, weights="w", select="bic", penalty="elasticnet")
    mfit = ps.fit(FORMULA, df, weights="w", select="bic", penalty="elasticnet")
    assert dfit.index == mfit.index
    cols = ["edf", "loglik", "bic"]
    np.testing.assert_allclose(
        dfit.selection.table[cols], mfit.selection.table[cols], rtol=1e-8
    )


def test_backend_and_passes_in_the_record_and_summary(client, gaussian_frame):
    from penstat.results.export import fit_to_dict

    ddf = dd.from_pandas(gaussian_frame, npartitions=3)
    dfit = ps.fit(FORMULA, ddf, weights="w", select="bic")
    backend = fit_to_dict(dfit)["data"]["backend"]
    assert backend == {
        "name": "dask",
        "scheduler": dfit.scheduler,
        "npartitions": 3,
        "passes": dfit.passes,
    }
    assert dfit.passes == 2
    assert f"3 partitions, {dfit.passes} passes over the data" in str(dfit.summary())
    mfit = ps.fit(FORMULA, gaussian_frame, weights="w", select="bic")
    assert fit_to_dict(mfit)["data"]["backend"] is None
    assert "passes over the data" not in str(mfit.summary())


def test_sparse_true_has_no_effect_and_says_so(client, gaussian_frame):
    ddf = dd.from_pandas(gaussian_frame, npartitions=3)
    with pytest.warns(UserWarning, match="sparse=True has no effect"):
        dfit = ps.fit(FORMULA, ddf, weights="w", select="bic", sparse=True)
    plain = ps.fit(FORMULA, ddf, weights="w", select="bic")
    np.testing.assert_array_equal(dfit.path.coefs, plain.path.coefs)
