"""fit_path on scipy.sparse designs: the same path as the dense array (to 1e-10 along
the whole path), the KKT conditions computed on the sparse matrix itself, and
scikit-learn's sparse Lasso / ElasticNet as an independent reference."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import ElasticNet, Lasso

from penstat._errors import ArgumentError, DataError
from penstat.engine import run, run_rows
from penstat.solver import fit_path
from penstat.spec import FitSpec, SelectSpec

# tight enough that both kernels are at the optimum to round-off (the sparse kernel is
# plain coordinate descent, the dense one polishes on the support)
TIGHT = 1e-24


def sparse_problem(n, p, family, density=0.1, seed=0):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, random_state=rng, format="csc")
    X.data = 3.0 * X.data + 0.5  # uncentred, unequal scales
    beta = np.zeros(p)
    beta[:5] = [2.0, -1.5, 1.0, 0.5, -1.0]
    eta = X @ beta
    if family == "gaussian":
        y = eta + rng.standard_normal(n)
    else:
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(eta - eta.mean())))).astype(float)
    return X, y


def both(X, y, **kw):
    dense = fit_path(X.toarray(), y, tol=TIGHT, **kw)
    sparse = fit_path(X, y, tol=TIGHT, lambdas=dense.lambdas, **kw)
    return dense, sparse


def assert_same_path(dense, sparse, atol=1e-10):
    assert sparse.coefs.shape == dense.coefs.shape
    np.testing.assert_allclose(sparse.coefs, dense.coefs, rtol=0, atol=atol)
    np.testing.assert_allclose(sparse.intercepts, dense.intercepts, rtol=0, atol=atol)
    np.testing.assert_allclose(sparse.deviance, dense.deviance, rtol=1e-9, atol=1e-12)
    assert sparse.converged.all()


def sparse_kkt_violation(X, y, path, weights=None):
    """Largest violation of the subgradient conditions (relative to lam * max pf),
    with every product taken on the sparse matrix (centring and scaling explicit)."""
    n, p = X.shape
    w = np.ones(n) if weights is None else weights
    wn = w / w.sum()
    mean = X.T @ wn
    if path.standardize:
        scale = np.sqrt(np.maximum(X.multiply(X).T @ wn - mean**2, 0.0))
        scale[scale == 0] = 1.0
    else:
        scale = np.ones(p)
    ym = wn @ y if path.fit_intercept else 0.0
    sd_y = np.sqrt(wn @ (y - ym) ** 2) if path.family == "gaussian" else 1.0
    a, pf = path.l1_ratio, path.penalty_factor
    worst = 0.0
    for k, lam in enumerate(path.lambdas):
        eta = path.intercepts[k] + X @ path.coefs[k]
        mu = eta if path.family == "gaussian" else 1.0 / (1.0 + np.exp(-eta))
        r = wn * (y - mu)
        g = (X.T @ r - (mean * r.sum() if path.fit_intercept else 0.0)) / scale / sd_y
        b = path.coefs[k] * scale / sd_y
        lam_k = lam / sd_y
        target = lam_k * pf * (a * np.sign(b) + (1 - a) * b)
        slack = np.maximum(np.abs(g) - lam_k * pf * a, 0.0)
        viol = np.where(b != 0, np.abs(g - target), slack)
        worst = max(worst, viol.max() / (lam_k * pf.max()))
    return worst


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("shape", [(200, 40), (60, 200)])
@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sparse_path_equals_dense(family, shape, standardize, fit_intercept):
    X, y = sparse_problem(*shape, family)
    dense, sparse = both(
        X, y, family=family, standardize=standardize, fit_intercept=fit_intercept
    )
    assert_same_path(dense, sparse)
    assert sparse_kkt_violation(X, y, sparse) < 1e-8


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.3])
def test_sparse_path_equals_dense_with_weights_and_factors(family, l1_ratio):
    X, y = sparse_problem(150, 60, family, seed=1)
    rng = np.random.default_rng(2)
    w = rng.uniform(0.2, 3.0, 150)
    w[:5] = 0.0
    pf = np.ones(60)
    pf[[1, 7]] = 0.0  # unpenalized: always in the model
    pf[10:20] = 2.5
    dense, sparse = both(
        X, y, family=family, weights=w, penalty_factor=pf, l1_ratio=l1_ratio
    )
    # binomial: here the dense kernel stops at KKT violations of about 1e-9, the sparse
    # one at 5e-11 (checked below), so the paths agree to 1e-8 only
    assert_same_path(dense, sparse, atol=1e-10 if family == "gaussian" else 1e-8)
    assert np.all(sparse.coefs[:, [1, 7]] != 0)
    assert sparse_kkt_violation(X, y, sparse, weights=w) < 1e-9


def test_default_grid_and_early_stop_match_dense():
    X, y = sparse_problem(300, 50, "gaussian", seed=3)
    dense = fit_path(X.toarray(), y, tol=1e-14)
    sparse = fit_path(X, y, tol=1e-20)
    np.testing.assert_allclose(sparse.lambdas, dense.lambdas, rtol=1e-13)
    np.testing.assert_allclose(sparse.coefs, dense.coefs, atol=1e-9)
    assert (sparse.early_stop is None) == (dense.early_stop is None)


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_sparse_offset_and_limits_equal_dense(family):
    X, y = sparse_problem(120, 30, family, seed=4)
    offset = np.random.default_rng(5).normal(scale=0.5, size=120)
    lower = np.full(30, -0.3)
    upper = np.full(30, np.inf)
    upper[:3] = 0.8
    dense, sparse = both(
        X, y, family=family, offset=offset, lower_limits=lower, upper_limits=upper
    )
    assert_same_path(dense, sparse)
    assert sparse.coefs.min() >= -0.3 and sparse.coefs[:, :3].max() <= 0.8
    assert np.any(sparse.coefs == -0.3)  # some coefficients sit at their limit


def test_constant_and_empty_columns_stay_zero():
    X, y = sparse_problem(100, 20, "gaussian", seed=6)
    X = sp.hstack([X, sp.csc_matrix((100, 1)), sp.csc_matrix(np.full((100, 1), 2.0))])
    X = X.tocsc()
    dense, sparse = both(X, y)
    assert_same_path(dense, sparse)
    assert np.all(sparse.coefs[:, -2:] == 0.0)


def test_p_much_larger_than_n_matches_dense():
    X, y = sparse_problem(50, 2000, "gaussian", density=0.02, seed=7)
    dense, sparse = both(X, y, nlambda=30)
    assert_same_path(dense, sparse)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_matches_sklearn_on_sparse_input(l1_ratio):
    # standardize=False and y with unit sd: sklearn's alpha is penstat's lam; sklearn
    # centres the sparse X implicitly too
    X, y = sparse_problem(200, 50, "gaussian", seed=8)
    y = 2.0 + (y - y.mean()) / y.std()
    lams = [0.2, 0.05, 0.01]
    path = fit_path(X, y, l1_ratio=l1_ratio, lambdas=lams, standardize=False, tol=1e-16)
    for k, lam in enumerate(lams):
        if l1_ratio == 1.0:
            ref = Lasso(alpha=lam, tol=1e-14, max_iter=1_000_000)
        else:
            ref = ElasticNet(alpha=lam, l1_ratio=l1_ratio, tol=1e-14, max_iter=1_000_000)
        ref.fit(X, y)
        np.testing.assert_allclose(path.coefs[k], ref.coef_, atol=1e-8)
        np.testing.assert_allclose(path.intercepts[k], ref.intercept_, atol=1e-8)


def test_formats_are_converted_and_inputs_not_modified():
    X, y = sparse_problem(80, 15, "gaussian", seed=9)
    ref = fit_path(X, y, tol=1e-16)
    coo = X.tocoo()
    # duplicated entries (summed by scipy) and unsorted indices
    dup = sp.coo_matrix(
        (
            np.r_[coo.data / 2, coo.data / 2],
            (np.r_[coo.row, coo.row], np.r_[coo.col, coo.col]),
        ),
        shape=X.shape,
    )
    for form in (X.tocsr(), coo, dup, sp.csc_array(X)):
        before = form.copy()
        path = fit_path(form, y, tol=1e-16)
        np.testing.assert_allclose(path.coefs, ref.coefs, atol=1e-12)
        assert form.format == before.format and form.nnz == before.nnz
        assert np.array_equal(form.toarray(), before.toarray())
    csc = X.copy()
    fit_path(csc, y)
    assert np.array_equal(csc.data, X.data) and np.array_equal(csc.indices, X.indices)


def test_nonfinite_sparse_entries_are_refused():
    X, _ = sparse_problem(30, 5, "gaussian", seed=10)
    X = X.tocsc()
    X.data[3] = np.nan
    with pytest.raises(DataError, match="NaN or inf"):
        fit_path(X, np.zeros(30))


def test_predict_on_sparse_rows():
    X, y = sparse_problem(100, 20, "binomial", seed=11)
    path = fit_path(X, y, family="binomial", nlambda=10)
    np.testing.assert_allclose(
        path.predict(X, type="response"), path.predict(X.toarray(), type="response")
    )


# ---- through the engine: CV, criteria, resampling rows -------------------------------


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("rule", ["cv_min", "cv_1se", "bic"])
def test_engine_selection_on_sparse_equals_dense(family, rule):
    X, y = sparse_problem(150, 40, family, seed=12)
    spec = FitSpec.build(150, 40, family=family, l1_ratio=0.5, tol=1e-16)
    select = SelectSpec.build(family, rule=rule, seed=3, nfolds=5, progress=False)
    dense = run(X.toarray(), y, spec, select)
    sparse = run(X, y, spec, select)
    assert sparse.index == dense.index
    np.testing.assert_allclose(sparse.coef, dense.coef, atol=1e-9)
    np.testing.assert_allclose(
        sparse.selection.table.drop(columns="lam").to_numpy(dtype=float),
        dense.selection.table.drop(columns="lam").to_numpy(dtype=float),
        rtol=1e-7,
        atol=1e-10,
    )


def test_bootstrap_rows_on_sparse_equal_dense():
    X, y = sparse_problem(120, 30, "gaussian", seed=13)
    spec = FitSpec.build(120, 30, tol=1e-16)
    select = SelectSpec.build("gaussian", rule="bic")
    rows = np.random.default_rng(14).integers(0, 120, 120)  # a bootstrap draw
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dense = run_rows(X.toarray(), y, spec, select, rows)
        sparse = run_rows(X, y, spec, select, rows)
    assert sparse.index == dense.index
    np.testing.assert_allclose(sparse.coef, dense.coef, atol=1e-9)


@pytest.mark.parametrize(
    "options",
    [{"rule": "cv_min", "seed": 3, "l1_ratios": (0.5, 1.0)}, {"rule": None, "lam": 0.05}],
)
def test_engine_l1_ratio_search_and_fixed_lam_on_sparse(options):
    X, y = sparse_problem(150, 40, "gaussian", seed=12)
    spec = FitSpec.build(150, 40, tol=1e-16)
    select = SelectSpec.build("gaussian", progress=False, **options)
    dense = run(X.toarray(), y, spec, select)
    sparse = run(X, y, spec, select)
    assert (sparse.l1_ratio, sparse.index) == (dense.l1_ratio, dense.index)
    np.testing.assert_allclose(sparse.path.lambdas, dense.path.lambdas, rtol=1e-13)
    np.testing.assert_allclose(sparse.coef, dense.coef, atol=1e-9)


def test_constant_response_and_empty_matrix():
    X, _ = sparse_problem(50, 10, "gaussian", seed=15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning: nothing to fit
        path = fit_path(X, np.full(50, 2.0), nlambda=5)
        empty = fit_path(sp.csc_matrix((50, 3)), np.arange(50.0), nlambda=3)
    assert np.all(path.coefs == 0) and np.allclose(path.intercepts, 2.0)
    assert np.all(empty.coefs == 0) and np.allclose(empty.intercepts, 24.5)


def test_groups_with_a_sparse_X_are_refused():
    X = sp.random(30, 4, density=0.5, format="csc", random_state=0)
    y = np.arange(30.0)
    with pytest.raises(ArgumentError, match="groups= needs a dense X"):
        fit_path(X, y, groups=[0, 0, 1, 1])


# ---- the gaussian kernel's covariance mode (sparse Gram) -----------------------------


def one_hot_problem(n, factors, levels, seed, numeric=True):
    """Treatment-coded factors (level 0 dropped: no exact collinearity, so the lasso
    solution is unique), plus a sparse numeric column."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, levels, (n, factors))
    blocks = []
    for f in range(factors):
        keep = codes[:, f] > 0
        rows = np.flatnonzero(keep)
        blocks.append(
            sp.csc_matrix(
                (np.ones(rows.size), (rows, codes[keep, f] - 1)), shape=(n, levels - 1)
            )
        )
    if numeric:
        blocks.append(sp.random(n, 1, density=0.3, random_state=rng, format="csc") * 4)
    X = sp.hstack(blocks).tocsc()
    effect = np.where(rng.random(X.shape[1]) < 0.3, rng.standard_normal(X.shape[1]), 0)
    return X, X @ effect + rng.standard_normal(n)


def both_modes(monkeypatch, X, y, **kw):
    """The same sparse path in residual mode and in covariance mode."""
    from penstat.solver import fit as fit_module

    out = []
    for mode in (False, True):
        monkeypatch.setattr(fit_module, "_sparse_cov_mode", lambda X, m=mode: m)
        out.append(fit_path(X, y, **kw))
    return out


def test_sparse_gram_equals_scipy_products():
    from penstat.solver._cd._sparse import sparse_gram

    rng = np.random.default_rng(20)
    X = sp.random(300, 40, density=0.08, random_state=rng, format="csc")
    X = sp.hstack([X, sp.csc_matrix((300, 2))]).tocsc()  # empty columns
    X = (sp.diags((np.arange(300) >= 10).astype(float)) @ X).tocsc()  # empty rows
    X.eliminate_zeros()
    w = rng.uniform(0.0, 2.0, 300)
    gx, gi, gp = sparse_gram(X.data, X.indices, X.indptr.astype(np.int64), 300, w)
    G = sp.csc_matrix((gx, gi, gp), shape=(42, 42)).toarray()
    np.testing.assert_allclose(G, (X.T @ sp.diags(w) @ X).toarray(), rtol=1e-14, atol=0)
    assert gi.size == (X.T @ X).nnz  # only the stored products


@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.4])
def test_covariance_mode_equals_residual_mode(
    monkeypatch, standardize, fit_intercept, l1_ratio
):
    X, y = one_hot_problem(1500, 3, 25, seed=21)
    res, cov = both_modes(
        monkeypatch,
        X,
        y,
        tol=TIGHT,
        standardize=standardize,
        fit_intercept=fit_intercept,
        l1_ratio=l1_ratio,
    )
    assert_same_path(res, cov)
    assert sparse_kkt_violation(X, y, cov) < 1e-8


def test_covariance_mode_with_weights_factors_and_limits(monkeypatch):
    X, y = one_hot_problem(1200, 3, 20, seed=22)
    p = X.shape[1]
    rng = np.random.default_rng(23)
    w = rng.uniform(0.2, 3.0, 1200)
    w[:7] = 0.0
    pf = np.ones(p)
    pf[[0, 25, p - 1]] = 0.0  # unpenalized: in the model from the first lambda
    pf[30:40] = 2.0
    kw = {"tol": TIGHT, "weights": w, "penalty_factor": pf}
    res, cov = both_modes(monkeypatch, X, y, **kw)
    assert_same_path(res, cov)
    assert np.all(cov.coefs[:, [0, 25, p - 1]] != 0)
    assert sparse_kkt_violation(X, y, cov, weights=w) < 1e-8
    lower, upper = np.full(p, -0.4), np.full(p, np.inf)
    lower[pf == 0] = -np.inf
    res, cov = both_modes(monkeypatch, X, y, lower_limits=lower, upper_limits=upper, **kw)
    assert_same_path(res, cov)
    assert np.any(cov.coefs == -0.4)  # some coefficients sit at their limit
    assert cov.coefs[:, pf > 0].min() >= -0.4


def test_covariance_mode_at_the_default_tol_is_as_close_to_the_optimum(monkeypatch):
    # the covariance mode skips a sweep whose moves would all be below the threshold;
    # its objective stays as close to the optimum as the residual mode's
    X, y = one_hot_problem(4000, 3, 40, seed=24, numeric=False)
    y = (y - y.mean()) / y.std()
    lams = fit_path(X, y, standardize=False).lambdas
    best = fit_path(X, y, standardize=False, lambdas=lams, tol=TIGHT)

    def objective(path):
        r = y[None, :] - path.intercepts[:, None] - (X @ path.coefs.T).T
        return 0.5 * (r * r).mean(1) + lams * np.abs(path.coefs).sum(1)

    f_best = objective(best)
    res, cov = both_modes(monkeypatch, X, y, standardize=False, lambdas=lams)
    gap_res = np.max((objective(res) - f_best) / f_best)
    gap_cov = np.max((objective(cov) - f_best) / f_best)
    assert gap_cov < 1e-8 and gap_cov < 10 * max(gap_res, 1e-12)


def test_covariance_mode_is_chosen_for_one_hot_designs(monkeypatch):
    from penstat.solver import fit as fit_module

    calls = []
    gram = fit_module._sparse_gram
    monkeypatch.setattr(fit_module, "_sparse_gram", lambda *a: calls.append(1) or gram(*a))
    X, y = one_hot_problem(2000, 3, 30, seed=25, numeric=False)
    fit_path(X, y, nlambda=5)
    assert calls == [1]
    # many nonzeros per row: a Gram with far more entries than X
    fit_path(*sparse_problem(300, 60, "gaussian", density=0.3, seed=26), nlambda=5)
    assert calls == [1]
    fit_path(X, (y > 0).astype(float), family="binomial", nlambda=5)
    assert calls == [1]  # the binomial kernel has no covariance mode
