"""The options of ps.fit on a Dask DataFrame equal the in-memory fit's: a fixed lam,
coefficient limits, an offset column, l1_ratio lists, the caller's formula names,
the relaxed lasso and the adaptive start (gaussian), on a real 2-worker cluster."""

import threading
import warnings

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
from penstat._errors import ArgumentError, FormulaError

client = dask_testing.client  # the module's cluster (a fixture)


@pytest.fixture(scope="module")
def gframe():
    return frame_with_base(11)


@pytest.fixture(scope="module")
def bframe():
    return frame_with_base(12, "binomial")


# -- a fixed lambda -------------------------------------------------------------------


def test_fixed_lam_gaussian_off_and_on_the_grid(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=4)
    for lam in (0.0123, None):
        if lam is None:  # a lambda of the grid itself: no second path
            lam = float(ps.fit(FORMULA, gframe, weights="w", select=None).path.lambdas[7])
        dfit = ps.fit(FORMULA, ddf, weights="w", lam=lam)
        mfit = ps.fit(FORMULA, gframe, weights="w", lam=lam)
        same_path(dfit, mfit)
        assert dfit.index == mfit.index and dfit.lam == pytest.approx(lam, rel=1e-12)
        assert dfit.selection is None and mfit.selection is None
        pd.testing.assert_series_equal(dfit.coef, mfit.coef, rtol=1e-8, atol=1e-10)
        assert dfit.passes == 2
    # on a grid of the user's, and select= a number (the same as lam=)
    grid = np.geomspace(1.0, 0.001, 12)
    dfit = ps.fit(FORMULA, ddf, lambdas=grid, select=0.05)
    mfit = ps.fit(FORMULA, gframe, lambdas=grid, select=0.05)
    same_path(dfit, mfit)
    assert dfit.index == mfit.index and len(dfit.path.lambdas) == 13


def test_fixed_lam_binomial(client, bframe):
    ddf = dd.from_pandas(bframe, npartitions=3)
    options = dict(family="binomial", nlambda=12, tol=1e-16, lam=0.0123)
    dfit = ps.fit(BINOMIAL, ddf, **options)
    mfit = ps.fit(BINOMIAL, bframe, **options)
    same_path(dfit, mfit)
    assert dfit.index == mfit.index and dfit.lam == 0.0123
    assert dfit.passes == 2 + dfit.irls_passes


# -- coefficient limits ---------------------------------------------------------------


def test_limits_gaussian_cv(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=4)
    df = with_hash_folds(gframe)
    options = dict(weights="w", lower_limits={"x1": 0, "x2": 0}, upper_limits=0.3)
    dfit = ps.fit(FORMULA, ddf, nfolds=5, seed=SEED, select="cv_min", **options)
    mfit = ps.fit(FORMULA, df, foldid="h", select="cv_min", **options)
    same_path(dfit, mfit)
    same_cv(dfit, mfit)
    # the limits bind: x2's coefficient is negative without them, x1's is above 0.3
    coefs = np.asarray(dfit.path.coefs)
    j1, j2 = (dfit.design.columns.index(c) for c in ("x1", "x2"))
    assert coefs[:, j2].min() == 0.0 and coefs[:, j1].max() == pytest.approx(0.3)
    pd.testing.assert_frame_equal(dfit.limits, mfit.limits)
    assert dfit.passes == 2


def test_limits_binomial(client, bframe):
    ddf = dd.from_pandas(bframe, npartitions=3)
    options = dict(family="binomial", nlambda=10, tol=1e-16, upper_limits=0.4, select="bic")
    dfit = ps.fit(BINOMIAL, ddf, **options)
    mfit = ps.fit(BINOMIAL, bframe, **options)
    same_path(dfit, mfit)
    assert dfit.index == mfit.index
    assert np.asarray(dfit.path.coefs).max() == pytest.approx(0.4)


# -- an offset column -----------------------------------------------------------------


def test_offset_gaussian_cv_and_predict(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=4)
    df = with_hash_folds(gframe)
    dfit = ps.fit(FORMULA, ddf, offset="base", nfolds=5, seed=SEED, select="cv_1se")
    mfit = ps.fit(FORMULA, df, offset="base", foldid="h", select="cv_1se")
    same_path(dfit, mfit)
    same_cv(dfit, mfit)
    assert dfit.has_offset and dfit.design.offset_column == "base"
    pred = dfit.predict(ddf, type="link")
    assert isinstance(pred, dd.Series)
    np.testing.assert_allclose(
        pred.compute().to_numpy(), mfit.predict(df, type="link").to_numpy(), rtol=1e-9
    )
    # a pandas frame goes through the in-memory predict, offset read the same way
    np.testing.assert_allclose(
        dfit.predict(gframe.head(50)).to_numpy(),
        mfit.predict(gframe.head(50)).to_numpy(),
        rtol=1e-9,
    )
    with pytest.raises(ArgumentError, match="offset"):
        dfit.predict(ddf.drop(columns="base"))
    # the offset changes the fit: it is not ignored
    plain = ps.fit(FORMULA, ddf, nfolds=5, seed=SEED, select="cv_1se")
    assert dfit.path.null_deviance > 1.5 * plain.path.null_deviance


def test_offset_binomial_cv_and_criteria(client, bframe):
    ddf = dd.from_pandas(bframe, npartitions=3)
    options = dict(family="binomial", offset="base", nlambda=10, tol=1e-16)
    dfit = ps.fit(BINOMIAL, ddf, foldid="fold", select="cv_min", **options)
    mfit = ps.fit(BINOMIAL, bframe, foldid="fold", select="cv_min", **options)
    same_path(dfit, mfit)
    same_cv(dfit, mfit, rtol=1e-8)
    dbic = ps.fit(BINOMIAL, ddf, select="bic", **options)
    mbic = ps.fit(BINOMIAL, bframe, select="bic", **options)
    assert dbic.index == mbic.index
    np.testing.assert_allclose(
        dbic.selection.table["bic"], mbic.selection.table["bic"], rtol=1e-8
    )
    with pytest.raises(ArgumentError, match="must name a column"):
        ps.fit(BINOMIAL, ddf, family="binomial", offset=np.zeros(len(bframe)))


# -- l1_ratio lists -------------------------------------------------------------------


def test_l1_ratio_list_gaussian_cv_needs_no_extra_pass(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=4)
    df = with_hash_folds(gframe)
    ratios = [0.2, 0.6, 1.0]
    dfit = ps.fit(FORMULA, ddf, l1_ratio=ratios, penalty="elasticnet", nfolds=5,
                  seed=SEED, weights="w")  # fmt: skip
    mfit = ps.fit(FORMULA, df, l1_ratio=ratios, penalty="elasticnet", foldid="h",
                  weights="w")  # fmt: skip
    assert dfit.passes == 2
    assert dfit.l1_ratio == mfit.l1_ratio
    pd.testing.assert_frame_equal(
        dfit.l1_ratio_table, mfit.l1_ratio_table, rtol=1e-10, check_dtype=False
    )
    same_path(dfit, mfit)
    same_cv(dfit, mfit)


def test_l1_ratio_list_gaussian_criteria(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=3)
    ratios = [0.5, 1.0]
    dfit = ps.fit(FORMULA, ddf, l1_ratio=ratios, penalty="elasticnet", select="bic")
    mfit = ps.fit(FORMULA, gframe, l1_ratio=ratios, penalty="elasticnet", select="bic")
    assert dfit.l1_ratio == mfit.l1_ratio
    pd.testing.assert_frame_equal(
        dfit.l1_ratio_table, mfit.l1_ratio_table, rtol=1e-8, check_dtype=False
    )


def test_l1_ratio_list_binomial_in_lockstep(client, bframe):
    ddf = dd.from_pandas(bframe, npartitions=3)
    ratios = [0.5, 1.0]
    options = dict(family="binomial", foldid="fold", nlambda=10, tol=1e-16)
    dfit = ps.fit(BINOMIAL, ddf, l1_ratio=ratios, penalty="elasticnet", **options)
    mfit = ps.fit(BINOMIAL, bframe, l1_ratio=ratios, penalty="elasticnet", **options)
    assert dfit.l1_ratio == mfit.l1_ratio
    pd.testing.assert_frame_equal(
        dfit.l1_ratio_table, mfit.l1_ratio_table, rtol=1e-7, check_dtype=False
    )
    same_path(dfit, mfit)
    same_cv(dfit, mfit, rtol=1e-8)
    # every (mix, fold) problem advances in the same passes: the search takes as
    # many IRLS passes as its slowest mix alone, and one scoring pass for all
    alone = [
        ps.fit(BINOMIAL, ddf, l1_ratio=r, penalty="elasticnet", **options).irls_passes
        for r in ratios
    ]
    assert dfit.irls_passes == max(alone) < sum(alone)
    assert dfit.passes == 3 + dfit.irls_passes


# -- the formula's names from the caller's namespace ----------------------------------


def squash(v):
    """A user's function (module level: it pickles by reference)."""
    return np.tanh(v / 2.0)


class _Locked:
    """A callable that cannot be pickled (it holds a lock)."""

    def __init__(self):
        self.lock = threading.Lock()

    def __call__(self, v):
        return v


def test_caller_names_are_sent_to_the_workers(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=3)
    local_scale = 3.0

    def shrink(v):  # a closure: cloudpickle sends it by value
        return v / local_scale

    formula = "y ~ squash(x1) + shrink(x2) + x3 + g"
    dfit = ps.fit(formula, ddf, select="bic")
    mfit = ps.fit(formula, gframe, select="bic")
    same_path(dfit, mfit)
    assert dfit.index == mfit.index
    assert "squash(x1)" in dfit.design.columns
    np.testing.assert_allclose(
        dfit.predict(ddf).compute().to_numpy(), mfit.predict(gframe).to_numpy(), rtol=1e-9
    )
    # the safe mode knows no caller's names
    with pytest.raises(FormulaError, match="squash"):
        ps.fit(formula, ddf, select="bic", formula_env="safe")


def test_caller_names_that_shadow_formula_functions_and_builtins(client, gframe):
    # the caller's own log and max stand in for penstat's log and Python's max in
    # memory; the workers must use the same objects, not their namespace's
    ddf = dd.from_pandas(gframe, npartitions=3)

    def log(v):  # noqa: F841 - the formula names it
        return np.tanh(v) + 100.0

    def max(a, b):  # noqa: A001 - shadows the built-in on purpose
        return a - 2.0 * b

    for formula in ("y ~ log(x1) + x2 + g", "y ~ max(x1, x3) + x2"):
        dfit = ps.fit(formula, ddf, select="bic")
        mfit = ps.fit(formula, gframe, select="bic")
        same_path(dfit, mfit)
        assert dfit.index == mfit.index
        np.testing.assert_allclose(
            dfit.predict(ddf).compute().to_numpy(),
            mfit.predict(gframe).to_numpy(),
            rtol=1e-9,
        )
    # the safe mode stays closed: the caller's max is neither used nor sent
    with pytest.raises(FormulaError, match="calling 'max' is not allowed"):
        ps.fit("y ~ max(x1, x3) + x2", ddf, select="bic", formula_env="safe")


def test_caller_name_that_cannot_travel_is_refused(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=2)
    locked = _Locked()  # noqa: F841 - the formula names it
    with pytest.raises(FormulaError, match="'locked' from your namespace"):
        ps.fit("y ~ locked(x1) + x2", ddf, select="bic")


# -- the relaxed lasso and the adaptive lasso (gaussian) ------------------------------


def test_relax_gaussian_cv(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=4)
    df = with_hash_folds(gframe)
    for rule in ("cv_min", "cv_1se"):
        dfit = ps.fit(FORMULA, ddf, relax=True, weights="w", nfolds=5, seed=SEED,
                      select=rule)  # fmt: skip
        mfit = ps.fit(FORMULA, df, relax=True, weights="w", foldid="h", select=rule)
        same_path(dfit, mfit)
        assert dfit.gamma == mfit.gamma and dfit.index == mfit.index
        drcv, mrcv = dfit.relax.cv, mfit.relax.cv
        for dcv, mcv in zip(drcv.cvs, mrcv.cvs, strict=True):
            np.testing.assert_allclose(dcv.cvm, mcv.cvm, rtol=1e-9)
            np.testing.assert_allclose(dcv.cvsd, mcv.cvsd, rtol=1e-8)
        np.testing.assert_allclose(
            dfit.relax.relaxed.coefs, mfit.relax.relaxed.coefs, rtol=1e-8, atol=1e-10
        )
        pd.testing.assert_series_equal(dfit.coef, mfit.coef, rtol=1e-8, atol=1e-10)
        assert dfit.dev_ratio == pytest.approx(mfit.dev_ratio, rel=1e-10)
        assert dfit.passes == 2


def test_adaptive_gaussian_least_squares_start(client, gframe):
    ddf = dd.from_pandas(gframe, npartitions=4)
    dfit = ps.fit(FORMULA, ddf, penalty_factor="adaptive", weights="w", select="bic",
                  adaptive_gamma=0.5)  # fmt: skip
    mfit = ps.fit(FORMULA, gframe, penalty_factor="adaptive", weights="w",
                  select="bic", adaptive_gamma=0.5)  # fmt: skip
    assert dfit.adaptive_init.method == mfit.adaptive_init.method == "ols"
    np.testing.assert_allclose(
        dfit.adaptive_init.penalty_factor, mfit.adaptive_init.penalty_factor, rtol=1e-9
    )
    same_path(dfit, mfit)
    assert dfit.index == mfit.index and dfit.passes == 2


def test_adaptive_binomial_logistic_start(client, bframe):
    ddf = dd.from_pandas(bframe, npartitions=3)
    options = dict(family="binomial", penalty_factor="adaptive", weights="w",
                   offset="base", select="bic", nlambda=10, tol=1e-16)  # fmt: skip
    dfit = ps.fit(BINOMIAL, ddf, **options)
    mfit = ps.fit(BINOMIAL, bframe, **options)
    assert dfit.adaptive_init.method == mfit.adaptive_init.method == "logistic"
    np.testing.assert_allclose(
        dfit.adaptive_init.coef, mfit.adaptive_init.coef, rtol=1e-9, atol=1e-11
    )
    np.testing.assert_allclose(
        dfit.adaptive_init.penalty_factor, mfit.adaptive_init.penalty_factor, rtol=1e-9
    )
    same_path(dfit, mfit)
    assert dfit.index == mfit.index
    assert dfit.passes == 2 + dfit.irls_passes


def test_adaptive_gaussian_ridge_start(client):
    # more columns than rows: the start is ridge with lambda by CV on the folds
    rng = np.random.default_rng(5)
    n, p = 30, 40
    df = pd.DataFrame(rng.standard_normal((n, p)), columns=[f"v{j}" for j in range(p)])
    df["y"] = 2.0 * df["v0"] - df["v1"] + 0.3 * rng.standard_normal(n)
    ddf = dd.from_pandas(df, npartitions=2)
    dfit = ps.fit("y ~ .", ddf, penalty_factor="adaptive", nfolds=3, seed=SEED,
                  select="cv_min")  # fmt: skip
    mfit = ps.fit("y ~ .", with_hash_folds(df, 3), penalty_factor="adaptive",
                  foldid="h", select="cv_min")  # fmt: skip
    assert dfit.adaptive_init.method == mfit.adaptive_init.method == "ridge"
    assert dfit.adaptive_init.lam == pytest.approx(mfit.adaptive_init.lam, rel=1e-12)
    np.testing.assert_allclose(
        dfit.adaptive_init.penalty_factor, mfit.adaptive_init.penalty_factor, rtol=1e-7
    )
    same_path(dfit, mfit, rtol=1e-7)
    assert dfit.index == mfit.index


def test_adaptive_ridge_start_counts_the_rows_of_positive_weight(client):
    # 60 rows, 40 columns, 25 rows of weight 0: 35 observations, so the start is
    # ridge with lambda by CV, as in memory (the Dask fit had counted 60 rows, not
    # computed the folds, and refused the fit under a criterion)
    rng = np.random.default_rng(6)
    n, p = 60, 40
    df = pd.DataFrame(rng.standard_normal((n, p)), columns=[f"v{j}" for j in range(p)])
    df["y"] = 2.0 * df["v0"] - df["v1"] + 0.3 * rng.standard_normal(n)
    df["w"] = np.where(np.arange(n) % 12 < 5, 0.0, rng.uniform(0.5, 2.0, n))
    df = with_hash_folds(df, 3)
    options = dict(penalty_factor="adaptive", weights="w", foldid="h", select="bic")
    formula = "y ~ . - h"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dfit = ps.fit(formula, dd.from_pandas(df, npartitions=2), **options)
        mfit = ps.fit(formula, df, **options)
    # the start's ridge lambda is chosen on the folds: they are not ignored
    assert not [w for w in caught if "is ignored" in str(w.message)]
    assert dfit.adaptive_init.method == mfit.adaptive_init.method == "ridge"
    assert dfit.adaptive_init.reason == mfit.adaptive_init.reason
    assert "35 observations <= 40 columns" in mfit.adaptive_init.reason
    assert dfit.adaptive_init.lam == pytest.approx(mfit.adaptive_init.lam, rel=1e-12)
    np.testing.assert_allclose(
        dfit.adaptive_init.penalty_factor, mfit.adaptive_init.penalty_factor, rtol=1e-7
    )
    same_path(dfit, mfit, rtol=1e-7)
    assert dfit.index == mfit.index


# -- what stays refused ---------------------------------------------------------------


def test_refusals_name_the_argument(client, bframe):
    ddf = dd.from_pandas(bframe, npartitions=2)
    with pytest.raises(ArgumentError, match="measure='auc'.*sort"):
        ps.fit(BINOMIAL, ddf, family="binomial", measure="auc")
    with pytest.raises(ArgumentError, match="relax=True refits"):
        ps.fit("y ~ x1 + x2", ddf.assign(y=ddf.x3), relax=True, lower_limits=0)


# -- the Poisson bootstrap of a binomial fit and of a relaxed fit ---------------------


def test_binomial_bootstrap_replicates_in_lockstep(client, bframe):
    from penstat.design import build_design
    from penstat.distributed.design import poisson_counts

    ddf = dd.from_pandas(bframe, npartitions=3)
    options = dict(family="binomial", weights="w", nlambda=8, tol=1e-16)
    fit = ps.fit(BINOMIAL, ddf, select="bic", **options)
    before = fit.passes
    boot = fit.bootstrap(n_boot=3, seed=21)
    assert boot.coefs.shape == (3, len(fit.design.columns))
    # one pass for the replicates' statistics, then one per IRLS step of them all
    assert fit.passes - before >= 2
    d = build_design(BINOMIAL, bframe, "binomial", weights="w", exclude=["w"])
    lambdas = fit.path.lambdas[: fit.index + 1]
    for r in range(3):
        w = d.weights * poisson_counts(d.row_positions, 21, r)
        ref = ps.fit_path(
            d.X, d.y, family="binomial", weights=w, lambdas=lambdas, tol=1e-16
        ).coefs[-1]
        np.testing.assert_allclose(boot.coefs[r], ref, rtol=1e-8, atol=1e-9)
    assert not np.allclose(boot.coefs[0], boot.coefs[1])


def test_relaxed_bootstrap_blends_each_replicate(client, gframe):
    from penstat.design import build_design
    from penstat.distributed.design import poisson_counts
    from penstat.solver.relax import relax_path

    ddf = dd.from_pandas(gframe, npartitions=3)
    fit = ps.fit(FORMULA, ddf, relax=True, nfolds=5, seed=SEED, select="cv_min")
    boot = fit.bootstrap(n_boot=3, seed=5)
    d = build_design(FORMULA, gframe, "gaussian")
    lambdas = fit.path.lambdas[: fit.index + 1]
    for r in range(3):
        w = poisson_counts(d.row_positions, 5, r)
        path = ps.fit_path(d.X, d.y, weights=w, lambdas=lambdas)
        rel = relax_path(path, d.X, d.y)
        want = rel.blend(fit.gamma)[1][-1]
        np.testing.assert_allclose(boot.coefs[r], want, rtol=1e-8, atol=1e-10)
