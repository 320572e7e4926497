"""More options of ps.fit on a Dask DataFrame equal the in-memory fit's, on a real
2-worker cluster: na_action="raise", cv_grid="glmnet", an offset given as a Dask
Series or array, the binomial relaxed lasso, the binomial elastic net's criteria,
the binomial adaptive lasso's ridge start, the gaussian bootstrap with the lambda
rule inside every replicate; and the exact messages of what stays refused."""

import re

import dask.array as da
import dask.dataframe as dd
import dask_testing
import numpy as np
import pandas as pd
import pytest
from dask_testing import (
    BINOMIAL,
    FORMULA,
    SEED,
    frame_with_base,
    same_cv,
    same_path,
    with_hash_folds,
)

import penstat as ps
from penstat._errors import ArgumentError, DataError
from penstat.distributed.design import poisson_counts

client = dask_testing.client  # the module's cluster (a fixture)


@pytest.fixture(scope="module")
def gframe():
    return frame_with_base(21)


@pytest.fixture(scope="module")
def bframe():
    return frame_with_base(22, "binomial")


# -- na_action="raise" ----------------------------------------------------------------


def test_na_action_raise_names_columns_and_counts(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=4)
    with pytest.raises(DataError) as mem:
        ps.fit(FORMULA, gframe, na_action="raise")
    with pytest.raises(DataError) as dsk:
        ps.fit(FORMULA, ddf, na_action="raise")
    assert str(dsk.value) == str(mem.value)
    assert "'x2' (3 rows), 'g' (2 rows)" in str(dsk.value)
    # complete data: the same fit as na_action="drop", one counting pass more
    clean = gframe.dropna().reset_index(drop=True)
    cdf = dd.from_pandas(clean, npartitions=3)
    dfit = ps.fit(FORMULA, cdf, na_action="raise", select="bic")
    mfit = ps.fit(FORMULA, clean, na_action="raise", select="bic")
    same_path(dfit, mfit)
    assert dfit.index == mfit.index and dfit.passes == 3


# -- cv_grid="glmnet" -----------------------------------------------------------------


def test_cv_grid_glmnet_gaussian(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=4)
    df = with_hash_folds(gframe)
    for rule in ("cv_min", "cv_1se"):
        dfit = ps.fit(FORMULA, ddf, weights="w", nfolds=5, seed=SEED, select=rule,
                      cv_grid="glmnet")  # fmt: skip
        mfit = ps.fit(FORMULA, df, weights="w", foldid="h", select=rule,
                      cv_grid="glmnet")  # fmt: skip
        same_path(dfit, mfit)
        same_cv(dfit, mfit)
        assert dfit.passes == 2
    # the folds' own grids change the curve: the option is not ignored
    full = ps.fit(FORMULA, ddf, weights="w", nfolds=5, seed=SEED, select="cv_1se")
    assert not np.allclose(full.cv.cvm, dfit.cv.cvm, rtol=1e-6)


def test_cv_grid_glmnet_binomial_and_relaxed(client, bframe):
    ddf = dd.from_pandas(bframe, npartitions=3)
    options = dict(family="binomial", foldid="fold", nlambda=12, tol=1e-16,
                   cv_grid="glmnet", select="cv_min")  # fmt: skip
    dfit = ps.fit(BINOMIAL, ddf, **options)
    mfit = ps.fit(BINOMIAL, bframe, **options)
    same_path(dfit, mfit)
    same_cv(dfit, mfit, rtol=1e-8)
    drel = ps.fit(BINOMIAL, ddf, relax=True, **options)
    mrel = ps.fit(BINOMIAL, bframe, relax=True, **options)
    assert drel.gamma == mrel.gamma and drel.index == mrel.index
    for dcv, mcv in zip(drel.relax.cv.cvs, mrel.relax.cv.cvs, strict=True):
        np.testing.assert_allclose(dcv.cvm, mcv.cvm, rtol=1e-8)


# -- an offset as a Dask Series or array ----------------------------------------------


def test_offset_dask_series_and_array(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=4)
    df = with_hash_folds(gframe)
    mfit = ps.fit(FORMULA, df, offset=gframe["base"].to_numpy(), foldid="h")
    dfit = ps.fit(FORMULA, ddf, offset=ddf["base"], nfolds=5, seed=SEED)
    same_path(dfit, mfit)
    same_cv(dfit, mfit)
    lengths = tuple(ddf.map_partitions(len).compute())
    arr = da.from_array(gframe["base"].to_numpy(), chunks=(lengths,))
    afit = ps.fit(FORMULA, ddf, offset=arr, nfolds=5, seed=SEED)
    same_path(afit, mfit)
    # predictions take the new data's offset the same way
    pred = dfit.predict(ddf, type="link", offset=ddf["base"]).compute().to_numpy()
    want = mfit.predict(df, type="link", offset=gframe["base"].to_numpy()).to_numpy()
    np.testing.assert_allclose(pred, want, rtol=1e-9)
    # the offset is used: a fit without one differs
    assert dfit.path.null_deviance > 1.5 * ps.fit(FORMULA, ddf).path.null_deviance


def test_offset_dask_misaligned_is_refused(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=4)
    other = dd.from_pandas(gframe["base"], npartitions=3)
    with pytest.raises(ArgumentError, match="offset has 3 partitions but the data 4"):
        ps.fit(FORMULA, ddf, offset=other)
    lengths = list(ddf.map_partitions(len).compute())
    shifted = (lengths[0] + 1, lengths[1] - 1, *lengths[2:])
    arr = da.from_array(gframe["base"].to_numpy(), chunks=(shifted,))
    with pytest.raises(DataError, match="partition of the data has .* rows but the"):
        ps.fit(FORMULA, ddf, offset=arr)
    with pytest.raises(ArgumentError, match="must name a column of the data or be a"):
        ps.fit(FORMULA, ddf, offset=gframe["base"].to_numpy())


# -- the binomial relaxed lasso -------------------------------------------------------


def test_relax_binomial_cv(client, bframe):
    ddf = dd.from_pandas(bframe, npartitions=3)
    df = with_hash_folds(bframe)
    options = dict(family="binomial", relax=True, nlambda=12, tol=1e-16, weights="w",
                   offset="base")  # fmt: skip
    for rule in ("cv_min", "cv_1se"):
        dfit = ps.fit(BINOMIAL, ddf, nfolds=5, seed=SEED, select=rule, **options)
        mfit = ps.fit(BINOMIAL, df, foldid="h", select=rule, **options)
        same_path(dfit, mfit)
        assert dfit.gamma == mfit.gamma and dfit.index == mfit.index
        for dcv, mcv in zip(dfit.relax.cv.cvs, mfit.relax.cv.cvs, strict=True):
            np.testing.assert_allclose(dcv.cvm, mcv.cvm, rtol=1e-8)
            np.testing.assert_allclose(dcv.cvsd, mcv.cvsd, rtol=1e-7)
        drel, mrel = dfit.relax.relaxed, mfit.relax.relaxed
        np.testing.assert_array_equal(drel.refitted, mrel.refitted)
        np.testing.assert_allclose(drel.coefs, mrel.coefs, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(drel.intercepts, mrel.intercepts, rtol=1e-8)
        pd.testing.assert_series_equal(dfit.coef, mfit.coef, rtol=1e-8, atol=1e-10)
        assert dfit.dev_ratio == pytest.approx(mfit.dev_ratio, rel=1e-9)


def test_relax_binomial_refit_is_the_logistic_mle(client, bframe):
    # the refit of the chosen lambda's active set is statsmodels' logistic fit, and
    # its score is 0 (the KKT conditions of the unpenalized problem)
    import statsmodels.api as sm

    ddf = dd.from_pandas(bframe, npartitions=3)
    dfit = ps.fit(BINOMIAL, ddf, family="binomial", relax=True, nlambda=12, tol=1e-16,
                  foldid="fold", select="cv_min")  # fmt: skip
    d = ps.fit(BINOMIAL, bframe, family="binomial", lam=0.02).design
    rel, k = dfit.relax.relaxed, dfit.index
    active = np.flatnonzero(dfit.path.coefs[k])
    assert rel.refitted[k] and active.size >= 3
    res = sm.GLM(d.y, sm.add_constant(d.X[:, active]), family=sm.families.Binomial()
                 ).fit(tol=1e-14)  # fmt: skip
    np.testing.assert_allclose(rel.coefs[k, active], res.params[1:], rtol=1e-8)
    assert rel.intercepts[k] == pytest.approx(res.params[0], rel=1e-8)
    eta = rel.intercepts[k] + d.X @ rel.coefs[k]
    resid = d.y - 1.0 / (1.0 + np.exp(-eta))
    assert abs(resid.sum()) < 1e-9 * len(d.y)
    assert np.abs(d.X[:, active].T @ resid).max() < 1e-9 * len(d.y)


# -- the binomial elastic net's information criteria ----------------------------------


def test_binomial_enet_criteria(client, bframe):
    ddf = dd.from_pandas(bframe, npartitions=3)
    options = dict(family="binomial", l1_ratio=0.4, penalty="elasticnet", nlambda=12,
                   tol=1e-16, weights="w", offset="base")  # fmt: skip
    for rule in ("bic", "aic", "ebic"):
        dfit = ps.fit(BINOMIAL, ddf, select=rule, **options)
        mfit = ps.fit(BINOMIAL, bframe, select=rule, **options)
        same_path(dfit, mfit)
        assert dfit.index == mfit.index
        cols = ["edf", "loglik", "aic", "bic", "ebic"]
        np.testing.assert_allclose(
            dfit.selection.table[cols], mfit.selection.table[cols], rtol=1e-8
        )
    # the effective df is below the nonzero count (the ridge part shrinks)
    table = dfit.selection.table
    assert (table["edf"] < table["df"] + 1).iloc[-1]
    # with limits: the free set (a coefficient at its limit adds nothing)
    lim = dict(options, upper_limits=0.3)
    dfit = ps.fit(BINOMIAL, ddf, select="bic", **lim)
    mfit = ps.fit(BINOMIAL, bframe, select="bic", **lim)
    np.testing.assert_allclose(
        dfit.selection.table["edf"], mfit.selection.table["edf"], rtol=1e-8
    )


# -- the binomial adaptive lasso with p >= n ------------------------------------------


def test_adaptive_binomial_ridge_start(client):
    rng = np.random.default_rng(8)
    n, p = 40, 45
    df = pd.DataFrame(rng.standard_normal((n, p)), columns=[f"v{j}" for j in range(p)])
    eta = 1.5 * df["v0"] - df["v1"]
    df["y"] = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    ddf = dd.from_pandas(df, npartitions=2)
    options = dict(family="binomial", penalty_factor="adaptive", select="cv_min",
                   nlambda=15, tol=1e-16)  # fmt: skip
    dfit = ps.fit("y ~ .", ddf, nfolds=4, seed=SEED, **options)
    mfit = ps.fit("y ~ .", with_hash_folds(df, 4), foldid="h", **options)
    assert dfit.adaptive_init.method == mfit.adaptive_init.method == "ridge"
    assert dfit.adaptive_init.lam == pytest.approx(mfit.adaptive_init.lam, rel=1e-12)
    np.testing.assert_allclose(
        dfit.adaptive_init.coef, mfit.adaptive_init.coef, rtol=1e-8, atol=1e-10
    )
    np.testing.assert_allclose(
        dfit.adaptive_init.penalty_factor, mfit.adaptive_init.penalty_factor, rtol=1e-8
    )
    # the factors carry the start's round-off (a few 1e-9) into lambda_max
    np.testing.assert_allclose(dfit.path.lambdas, mfit.path.lambdas, rtol=1e-8)
    scale = np.abs(np.asarray(mfit.path.coefs)).max()
    np.testing.assert_allclose(
        dfit.path.coefs, mfit.path.coefs, rtol=1e-8, atol=1e-8 * scale
    )
    assert dfit.index == mfit.index


# -- the bootstrap with the lambda rule inside every replicate (gaussian) -------------


def test_bootstrap_rule_in_every_replicate(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=3)
    df = with_hash_folds(gframe)
    cases = [
        (dict(nfolds=5, seed=SEED, select="cv_min"), dict(foldid="h", select="cv_min")),
        (dict(select="bic", l1_ratio=0.5, penalty="elasticnet"),
         dict(select="bic", l1_ratio=0.5, penalty="elasticnet")),
        (dict(nfolds=5, seed=SEED, relax=True), dict(foldid="h", relax=True)),
    ]  # fmt: skip
    for doptions, moptions in cases:
        fit = ps.fit(FORMULA, ddf, weights="w", offset="base", **doptions)
        before = fit.passes
        boot = fit.bootstrap(n_boot=3, fixed_lam=False, seed=13)
        assert fit.passes == before + 1 and not boot.fixed_lam
        for r in range(3):
            wr = gframe["w"] * poisson_counts(np.arange(len(gframe)), 13, r)
            ref = ps.fit(FORMULA, df.assign(wr=wr), weights="wr", offset="base",
                         **moptions)  # fmt: skip
            want = ref.coef[list(fit.design.columns)].to_numpy()
            np.testing.assert_allclose(boot.coefs[r], want, rtol=1e-8, atol=1e-10)
        assert not np.allclose(boot.coefs[0], boot.coefs[1])


def test_binomial_bootstrap_rule_in_every_replicate(client, bframe):
    ddf = dd.from_pandas(bframe, npartitions=3)
    df = with_hash_folds(bframe)
    common = dict(family="binomial", weights="w", offset="base", nlambda=10, tol=1e-16)
    cases = [
        (dict(nfolds=5, seed=SEED, select="cv_min"), dict(foldid="h", select="cv_min")),
        (dict(select="bic"), dict(select="bic")),
    ]
    for doptions, moptions in cases:
        fit = ps.fit(BINOMIAL, ddf, **common, **doptions)
        boot = fit.bootstrap(n_boot=2, fixed_lam=False, seed=17)
        assert not boot.fixed_lam
        for r in range(2):
            wr = bframe["w"] * poisson_counts(np.arange(len(bframe)), 17, r)
            ref = ps.fit(BINOMIAL, df.assign(wr=wr), **dict(common, weights="wr"),
                         **moptions)  # fmt: skip
            want = ref.coef[list(fit.design.columns)].to_numpy()
            np.testing.assert_allclose(boot.coefs[r], want, rtol=1e-8, atol=1e-9)
        assert not np.allclose(boot.coefs[0], boot.coefs[1])


# -- what stays refused, and why ------------------------------------------------------


def _exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def test_refusal_messages_are_exact(client, bframe):
    ddf = dd.from_pandas(bframe, npartitions=2)
    auc = (
        "measure='auc' is not available on a Dask DataFrame: a fold's AUC ranks "
        "all its held-out predictions against each other at every lambda, which "
        "needs those predictions together (a sort of the fold's rows), not a sum "
        "that partitions can merge; an approximation would not equal the "
        "in-memory fit. Use measure='deviance' (or 'class', 'mse', 'mae')"
    )
    with pytest.raises(ArgumentError, match=_exactly(auc)):
        ps.fit(BINOMIAL, ddf, family="binomial", measure="auc")
    stratify = (
        "stratify=True is not available for a fit on a Dask DataFrame: the in-memory "
        "folds deal the rows of each class at random, a permutation of all the rows "
        "of a class that partitions cannot draw on their own, so the folds (and the "
        "CV curve) could not equal the in-memory fit's. The Dask folds are a seeded "
        "hash of each row's position (the same for any partitioning); drop stratify, "
        "or give foldid= (a column of fold labels, e.g. one you stratified yourself)"
    )
    with pytest.raises(ArgumentError, match=_exactly(stratify)):
        ps.fit(BINOMIAL, ddf, family="binomial", stratify=True)
    boot = (
        "fixed_lam=False (the lambda rule inside every replicate) of a binomial fit on "
        "a Dask DataFrame takes the lasso or elastic-net CV rules and the lasso's "
        "criteria; a relaxed fit, cv_grid='glmnet' and the elastic net's criteria "
        "would need passes of their own for every replicate, which are not "
        "implemented; use fixed_lam=True (on the command line, add "
        "--bootstrap-fixed-lam)"
    )
    fit = ps.fit(BINOMIAL, ddf, family="binomial", select="bic", nlambda=5,
                 l1_ratio=0.5, penalty="elasticnet")  # fmt: skip
    with pytest.raises(ArgumentError, match=_exactly(boot)):
        fit.bootstrap(n_boot=2, fixed_lam=False)
