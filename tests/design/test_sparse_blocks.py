"""Sparse blocks for factors with many levels (``sparse=True``): coded exactly as
patsy codes the dense design, and fitted to the same solution."""

import numpy as np
import pandas as pd
import patsy
import pytest
import scipy.sparse as sp

import penstat as ps
from penstat._errors import ArgumentError, DataError
from penstat.design import build_design
from penstat.design.namespace import default_env
from penstat.design.sparse import SPARSE_MIN_LEVELS, build_rhs
from penstat.inference import run as inference_run


def _frame(n=400, levels=60, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "z": rng.normal(size=n),
            "g": rng.choice([f"l{i}" for i in range(levels)], n),
            "h": rng.choice(["u", "v", "w"], n),
        }
    )
    effect = np.where(df.g.isin(["l3", "l7"]), 2.0, 0.0)
    df["y"] = df.x - 0.5 * df.z + effect + rng.normal(size=n)
    df["b"] = (df.y > 0.3).astype(int)
    return df


def _dense_rhs(formula, df):
    mat = patsy.dmatrix(formula, df, eval_env=default_env())
    info = mat.design_info
    mat = np.asarray(mat)
    if "Intercept" in info.term_name_slices:
        mat = np.delete(mat, info.term_name_slices["Intercept"].start, axis=1)
    return mat, info


@pytest.mark.parametrize(
    "formula",
    [
        "x + g",
        "0 + g",
        "g:h",
        "g * h",
        "g:x + h",
        "x + g:h:z",
        "C(g, Sum) + poly(x, 2)",
        "C(g, levels=sorted(set(g), reverse=True))",
        "g + h - 1 + x:z",
        "C(h, Helmert):g",
    ],
)
@pytest.mark.parametrize("min_levels", [2, 1000])
def test_build_rhs_equals_patsy(formula, min_levels):
    df = _frame(levels=7)
    dense, info = _dense_rhs(formula, df)
    X = build_rhs(info, df, min_levels=min_levels)
    assert sp.isspmatrix_csc(X)
    assert X.shape == dense.shape
    np.testing.assert_array_equal(X.toarray(), dense)


def test_design_sparse_block_and_dense_otherwise():
    df = _frame()
    d1 = build_design("y ~ x + g + h", df, sparse=True)
    d0 = build_design("y ~ x + g + h", df)
    assert sp.issparse(d1.X) and not sp.issparse(d0.X)
    assert d1.columns == d0.columns and d1.terms == d0.terms
    np.testing.assert_array_equal(d1.X.toarray(), d0.X)
    np.testing.assert_allclose(d1.column_sd(), d0.column_sd(), rtol=1e-12)
    # no factor with SPARSE_MIN_LEVELS coded columns: dense as usual
    small = build_design("y ~ x + h", df, sparse=True)
    assert not sp.issparse(small.X)
    assert SPARSE_MIN_LEVELS == 50


def test_transform_new_data_with_missing_rows_and_unseen_levels():
    df = _frame()
    d1 = build_design("y ~ x + g + h", df, sparse=True)
    d0 = build_design("y ~ x + g + h", df)
    new = df.head(6).copy()
    new.loc[new.index[[1, 4]], "x"] = np.nan
    before = new.copy()
    T1, T0 = d1.transform(new), d0.transform(new)
    assert sp.issparse(T1)
    np.testing.assert_array_equal(T1.toarray(), T0)  # NaN rows in the same places
    pd.testing.assert_frame_equal(new, before)
    bad = df.head(2).assign(g="never-seen")
    with pytest.raises(DataError, match="never-seen"):
        d1.transform(bad)


@pytest.mark.parametrize("family,response", [("gaussian", "y"), ("binomial", "b")])
def test_fit_equals_dense_fit(family, response):
    df = _frame()
    kw = dict(family=family, seed=3, nfolds=5, tol=1e-16)
    f1 = ps.fit(f"{response} ~ x + z + g + h", df, sparse=True, **kw)
    f0 = ps.fit(f"{response} ~ x + z + g + h", df, **kw)
    assert f1.lam == pytest.approx(f0.lam, rel=1e-12)
    np.testing.assert_allclose(f1.path.deviance, f0.path.deviance, rtol=1e-10)
    assert _kkt_violation(f1) < 1e-9 and _kkt_violation(f0) < 1e-9
    # with 60 small levels the binomial optimum is flat: KKT holds to 1e-10 for both
    # while coefficients differ at 1e-7
    atol = 1e-9 if family == "gaussian" else 1e-6
    np.testing.assert_allclose(f1.path.coefs, f0.path.coefs, rtol=0, atol=atol)
    assert f1.selected == f0.selected
    np.testing.assert_allclose(f1.predict(df.head(30)), f0.predict(df.head(30)), atol=1e-9)
    np.testing.assert_allclose(f1.predict(), f0.predict(), atol=1e-9)


def _kkt_violation(fit) -> float:
    """Largest violation of the lasso's optimality conditions over the path, on the
    standardized scale, computed on the dense design."""
    X = np.asarray(fit.design.X.toarray() if sp.issparse(fit.design.X) else fit.design.X)
    y, n, path = fit.design.y, fit.design.n_obs, fit.path
    sd = X.std(axis=0)
    worst = 0.0
    for k, lam in enumerate(path.lambdas):
        eta = path.intercepts[k] + X @ path.coefs[k]
        mu = eta if fit.family.name == "gaussian" else 1 / (1 + np.exp(-eta))
        grad = X.T @ (y - mu) / n / sd
        b = path.coefs[k]
        on = b != 0
        worst = max(
            worst,
            np.max(np.abs(grad[on] - lam * np.sign(b[on])), initial=0.0),
            np.max(np.abs(grad[~on]) - lam, initial=0.0),
        )
    return worst


def test_inference_on_sparse_design_equals_dense():
    df = _frame()
    kw = dict(seed=3, tol=1e-16, lam=0.15)
    f1 = ps.fit("y ~ x + z + g + h", df, sparse=True, **kw)
    f0 = ps.fit("y ~ x + z + g + h", df, **kw)
    for method, extra in (("selective", {}), ("naive", {}), ("split", {"n_splits": 4})):
        with pytest.warns(UserWarning) if method == "naive" else _no_check():
            a = f1.inference(method=method, seed=1, **extra).table
        with pytest.warns(UserWarning) if method == "naive" else _no_check():
            b = f0.inference(method=method, seed=1, **extra).table
        pd.testing.assert_frame_equal(a, b, rtol=1e-7)
    assert sp.issparse(f1.design.X)  # the fit keeps its sparse design


def test_inference_refuses_a_dense_copy_past_the_limit(monkeypatch):
    df = _frame()
    fit = ps.fit("y ~ x + g", df, sparse=True, lam=0.2)
    monkeypatch.setattr(inference_run, "DENSE_LIMIT", 1000)
    with pytest.raises(DataError, match="sparse design needs it dense"):
        fit.inference(method="selective")


def test_adaptive_on_a_sparse_design_starts_from_ridge():
    df = _frame()
    fit = ps.fit("y ~ x + z + g", df, sparse=True, penalty_factor="adaptive", seed=0)
    assert fit.adaptive_init.method == "ridge"
    assert "sparse" in fit.adaptive_init.reason


def test_many_levels_build_without_a_dense_block():
    rng = np.random.default_rng(1)
    n = 20_000
    df = pd.DataFrame(
        {f"f{k}": rng.integers(0, 1000, n).astype(str) for k in range(3)}
    ).assign(y=rng.normal(size=n))
    d = build_design("y ~ f0 + f1 + f2", df, sparse=True)
    assert sp.issparse(d.X)
    assert d.X.shape == (n, 3 * 999)
    assert d.X.nnz <= 3 * n  # one entry per row and factor (none for the reference)


def test_sparse_must_be_a_bool():
    df = _frame()
    with pytest.raises(ArgumentError, match="sparse='yes'"):
        ps.fit("y ~ x + g", df, sparse="yes")


class _no_check:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_group_lasso_on_a_sparse_design_is_refused():
    df = _frame()
    before = df.copy()
    with pytest.raises(ArgumentError, match="penalty='group' is not available with sparse"):
        ps.fit("y ~ x + g", df, penalty="group", sparse=True)
    pd.testing.assert_frame_equal(df, before)


def test_an_infinite_value_is_refused_naming_its_column():
    df = _frame().assign(z2=lambda d: d.z)
    df.loc[df.index[5], "z2"] = np.inf
    with pytest.raises(DataError, match=r"\['z2'\] have NaN or infinite"):
        build_design("y ~ x + g + z2", df, sparse=True)
