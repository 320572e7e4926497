"""The group lasso, group elastic net and sparse-group lasso of ps.fit on a Dask
DataFrame equal the in-memory fit's on a real 2-worker cluster (paths to 1e-8
at every lambda, the same lambda, CV curves to 1e-10, the criteria's tables), and
hold the group KKT conditions on the rows; binomial (IRLS by passes, the group
kernel on each Newton model) at a tight tol."""

import dask.dataframe as dd
import dask_testing
import numpy as np
import pandas as pd
import pytest
from dask_testing import SEED, frame_with_base, same_cv, same_path, with_hash_folds

import penstat as ps
from penstat._errors import ArgumentError

client = dask_testing.client  # the module's cluster (a fixture)

FORMULA = "y ~ x1 + x2 + x3 + x4 + x5 + g + x1:g"
KKT_TOL = 1e-7


@pytest.fixture(scope="module")
def frames():
    df = frame_with_base(31)
    return df, dd.from_pandas(df, npartitions=4), with_hash_folds(df)


def _pair(frames, formula=FORMULA, **options):
    df, ddf, hashed = frames
    dfit = ps.fit(formula, ddf, penalty="group", weights="w", nfolds=5, seed=SEED,
                  **options)  # fmt: skip
    cv = options.get("select", "cv_1se").startswith("cv") and "lam" not in options
    mfit = ps.fit(formula, hashed if cv else df, penalty="group", weights="w",
                  foldid="h" if cv else None, **options)  # fmt: skip
    return dfit, mfit


@pytest.mark.parametrize(
    "options",
    [
        {"select": "cv_1se"},
        {"select": "cv_min", "l1_within": 0.4},
        {"select": "cv_min", "l1_ratio": 0.5},
        {
            "select": "cv_1se",
            "groups": {"x1": "first", "x2": "first"},
            "penalty_factor": {"x3": 0, "g": 2},
        },
        {"select": "cv_min", "offset": "base", "l1_within": 0.2},
    ],  # fmt: skip
    ids=["group-lasso", "sparse-group", "group-enet", "merged-and-factors", "offset"],
)
def test_cv_equals_the_in_memory_fit(client, frames, options):
    dfit, mfit = _pair(frames, **options)
    same_path(dfit, mfit)
    same_cv(dfit, mfit)
    assert dfit.passes == 2
    assert dfit.group_names == mfit.group_names
    pd.testing.assert_frame_equal(
        dfit.group_norm_path(), mfit.group_norm_path(), rtol=1e-8, atol=1e-10
    )


@pytest.mark.parametrize("rule", ["aic", "bic", "ebic"])
@pytest.mark.parametrize("l1_within", [0.0, 0.5])
def test_criteria_equal_the_in_memory_tables(client, frames, rule, l1_within):
    """Yuan & Lin's degrees of freedom (group lasso) and the column count
    (sparse-group lasso) from the statistics; EBIC counts groups or columns."""
    dfit, mfit = _pair(frames, select=rule, l1_within=l1_within)
    same_path(dfit, mfit)
    assert dfit.index == mfit.index
    cols = ["df", "edf", "loglik", "aic", "bic", "ebic"]
    np.testing.assert_allclose(
        dfit.selection.table[cols], mfit.selection.table[cols], rtol=1e-9
    )
    if l1_within == 0.0:
        # the group df is not the count of nonzero columns: the test can tell them apart
        assert not np.allclose(
            dfit.selection.table["edf"], dfit.selection.table["df"] + 1.0
        )


@pytest.mark.parametrize(
    ("formula", "options"),
    [
        (FORMULA, {"select": "cv_min", "relax": True}),
        (FORMULA, {"select": "bic", "penalty_factor": "adaptive"}),
        (FORMULA, {"lam": 0.02, "l1_within": 0.3}),
        (FORMULA, {"select": "cv_min", "cv_grid": "glmnet"}),
        (FORMULA, {"select": "cv_1se", "l1_ratio": [0.4, 1.0]}),
        ("y ~ 0 + x1 + x2 + x3 + g", {"select": "cv_min", "l1_within": 0.3}),
    ],
    ids=[
        "relaxed",
        "adaptive",
        "fixed-lam",
        "cv-grid-glmnet",
        "l1-ratio-list",
        "no-intercept",
    ],  # fmt: skip
)
def test_options_equal_the_in_memory_fit(client, frames, formula, options):
    dfit, mfit = _pair(frames, formula, **options)
    same_path(dfit, mfit)
    if dfit.cv is not None:
        same_cv(dfit, mfit)
    assert dfit.index == mfit.index
    np.testing.assert_allclose(dfit.coef, mfit.coef, rtol=1e-8, atol=1e-10)
    if options.get("relax"):
        assert dfit.gamma == mfit.gamma
    if options.get("penalty_factor") == "adaptive":
        np.testing.assert_allclose(
            dfit.adaptive_init.penalty_factor, mfit.adaptive_init.penalty_factor,
            rtol=1e-8,
        )  # fmt: skip


def _standardized(df, fit):
    """The rows of the in-memory design on the kernel's scale: (Xs, yk, v)."""
    X = np.asarray(fit.design.X, dtype=float)
    y = np.asarray(fit.design.y, dtype=float)
    w = np.asarray(fit.design.weights, dtype=float)
    v = w / w.sum()
    Xc = X - v @ X
    xs = np.sqrt(v @ Xc**2)
    yc = y - v @ y
    ys = np.sqrt(v @ yc**2)
    return Xc / xs, yc / ys, v, xs, ys


@pytest.mark.parametrize("l1_within", [0.0, 0.4])
def test_dask_path_holds_the_group_kkt_conditions(client, frames, l1_within):
    """Optimality of the Dask path itself, on the rows it never saw together: the
    gradient of the loss on the standardized scale against the group (and, for the
    sparse-group lasso, the column) subgradients."""
    df, ddf, _ = frames
    dfit = ps.fit(FORMULA, ddf, penalty="group", weights="w", select="bic",
                  l1_within=l1_within)  # fmt: skip
    mfit = ps.fit(FORMULA, df, penalty="group", weights="w", select="bic", lam=0.1)
    Xs, yk, v, xs, ys = _standardized(df, mfit)
    groups = dfit.spec.groups
    sizes = np.bincount(groups)
    a = l1_within
    worst = 0.0
    for lam, b in zip(dfit.path.lambdas, np.asarray(dfit.path.coefs), strict=True):
        bk, lk = b * xs / ys, lam / ys
        grad = Xs.T @ (v * (yk - Xs @ bk))
        for g in range(sizes.size):
            cols = groups == g
            bg, gg, wg = bk[cols], grad[cols], np.sqrt(sizes[g])
            norm = np.linalg.norm(bg)
            if norm == 0:
                shrunk = np.maximum(np.abs(gg) - lk * a, 0.0)
                worst = max(worst, np.linalg.norm(shrunk) - lk * (1 - a) * wg)
                continue
            nz = bg != 0
            target = lk * (1 - a) * wg * bg / norm + lk * a * np.sign(bg)
            worst = max(worst, np.abs(gg[nz] - target[nz]).max())
            if (~nz).any():
                worst = max(worst, (np.abs(gg[~nz]) - lk * a).max())
    assert worst < KKT_TOL


@pytest.fixture(scope="module")
def binomial_frames():
    df = frame_with_base(32, "binomial")
    return df, dd.from_pandas(df, npartitions=4), with_hash_folds(df)


BINOMIAL = "y ~ x1 + x2 + x3 + g + x1:g"


@pytest.mark.parametrize(
    "options",
    [
        {"select": "cv_min"},
        {"select": "cv_1se", "l1_within": 0.4, "offset": "base"},
        {"select": "bic", "l1_ratio": [0.5, 1.0]},
        {"select": "cv_min", "relax": True},
        {"select": "cv_min", "penalty_factor": "adaptive", "cv_grid": "glmnet"},
    ],
    ids=[
        "group-cv",
        "sparse-group-cv-offset",
        "group-and-enet-bic",
        "relaxed",
        "adaptive-cv-grid-glmnet",
    ],  # fmt: skip
)
def test_binomial_equals_the_in_memory_fit(client, binomial_frames, options):
    """IRLS by passes, the group kernel on each Newton model: the in-memory binomial
    group fit (at a tight tol, as the binomial lasso's tests); the group lasso's
    criteria take one more pass (the IRLS statistics at every lambda)."""
    df, ddf, hashed = binomial_frames
    common = dict(family="binomial", penalty="group", weights="w", tol=1e-16,
                  nlambda=15, **options)  # fmt: skip
    dfit = ps.fit(BINOMIAL, ddf, nfolds=5, seed=SEED, **common)
    cv = options["select"].startswith("cv")
    mfit = ps.fit(BINOMIAL, hashed if cv else df, foldid="h" if cv else None, **common)
    same_path(dfit, mfit)
    assert dfit.index == mfit.index
    if cv:
        same_cv(dfit, mfit)
    else:
        cols = ["df", "edf", "loglik", "aic", "bic", "ebic"]
        np.testing.assert_allclose(
            dfit.selection.table[cols], mfit.selection.table[cols], rtol=1e-9
        )
    assert dfit.irls_passes > 0
    np.testing.assert_allclose(dfit.coef, mfit.coef, rtol=1e-8, atol=1e-10)
    if options.get("relax"):
        assert dfit.gamma == mfit.gamma


def test_binomial_bootstrap_rule_with_group_criteria_is_refused(client, binomial_frames):
    _, ddf, _ = binomial_frames
    fit = ps.fit(BINOMIAL, ddf, family="binomial", penalty="group", select="bic",
                 nlambda=10)  # fmt: skip
    with pytest.raises(ArgumentError, match="binomial group lasso on a Dask DataFrame"):
        fit.bootstrap(n_boot=2, fixed_lam=False, seed=1)


def test_group_options_are_checked_before_any_pass(client, frames):
    """The in-memory fit's checks of the options."""
    _, gddf, _ = frames
    with pytest.raises(ArgumentError, match="needs groups"):
        ps.fit("y ~ x1 + x2 + g", gddf, l1_within=0.3)
    with pytest.raises(ArgumentError, match="groups= is for the group lasso"):
        ps.fit("y ~ x1 + x2 + g", gddf, groups={"x1": "a"})
    with pytest.raises(ArgumentError, match="keep l1_ratio=1"):
        ps.fit("y ~ x1 + g", gddf, penalty="group", l1_within=0.3, l1_ratio=[0.5, 1])
    with pytest.raises(ArgumentError, match="'x9', which is not a formula term"):
        ps.fit("y ~ x1 + g", gddf, penalty="group", groups={"x9": "a"})


@pytest.mark.parametrize("l1_within", [0.0, 0.6])
def test_fit_path_of_dask_arrays_with_groups(client, l1_within):
    import dask.array as da

    rng = np.random.default_rng(8)
    X = rng.standard_normal((900, 7)) + rng.standard_normal(7)
    y = X[:, 0] - 0.5 * X[:, 1] + 0.3 * X[:, 4] + rng.standard_normal(900)
    w = rng.uniform(0.5, 2.0, 900)
    groups = [0, 0, 1, 1, 2, 2, 3]
    memory = ps.fit_path(X, y, weights=w, groups=groups, l1_within=l1_within)
    dpath = ps.fit_path(
        da.from_array(X, chunks=(300, 7)), da.from_array(y, chunks=300),
        weights=da.from_array(w, chunks=300), groups=groups, l1_within=l1_within,
    )  # fmt: skip
    np.testing.assert_allclose(dpath.lambdas, memory.lambdas, rtol=1e-10)
    scale = np.abs(memory.coefs).max()
    np.testing.assert_allclose(dpath.coefs, memory.coefs, rtol=1e-8, atol=1e-8 * scale)
    np.testing.assert_allclose(dpath.intercepts, memory.intercepts, rtol=1e-8)


def test_poisson_bootstrap_replicates_are_weighted_group_fits(client, frames):
    """Each replicate of a sparse-group fit's Poisson bootstrap is the in-memory
    sparse-group path with the weights times the replicate's counts, at the fit's
    lambdas."""
    from penstat.distributed.design import poisson_counts

    df, ddf, _ = frames
    fit = ps.fit(FORMULA, ddf, penalty="group", weights="w", select="bic",
                 l1_within=0.3)  # fmt: skip
    boot = fit.bootstrap(n_boot=3, seed=11)
    mfit = ps.fit(FORMULA, df, penalty="group", weights="w", select="bic", l1_within=0.3)
    d = mfit.design
    lambdas = np.asarray(fit.path.lambdas[: fit.index + 1])
    for r in range(3):
        w = d.weights * poisson_counts(d.row_positions, 11, r)
        ref = ps.fit_path(d.X, d.y, weights=w, lambdas=lambdas, groups=mfit.spec.groups,
                          l1_within=0.3).coefs[-1]  # fmt: skip
        np.testing.assert_allclose(boot.coefs[r], ref, rtol=1e-8, atol=1e-10)
    assert np.any(boot.coefs != boot.coefs[0])
