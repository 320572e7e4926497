"""The scikit-learn estimators on scipy.sparse input: the same fit as on the dense
array (lambda chosen by CV or a criterion), predictions on sparse rows."""

import numpy as np
import pytest
import scipy.sparse as sp

from penstat.sklearn import PenalizedClassifier, PenalizedRegressor


def problem(family, seed=0):
    rng = np.random.default_rng(seed)
    X = sp.random(200, 60, density=0.1, random_state=rng, format="csr")
    X.data = 2.0 * X.data + 0.5
    eta = X @ np.r_[2.0, -1.5, 1.0, np.zeros(57)]
    if family == "gaussian":
        return X, eta + rng.standard_normal(200)
    return X, np.where(rng.random(200) < 1 / (1 + np.exp(-(eta - eta.mean()))), "a", "b")


@pytest.mark.parametrize("select", ["cv_min", "bic"])
@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_regressor_sparse_equals_dense(select, penalty):
    X, y = problem("gaussian")
    kw = {"select": select, "penalty": penalty, "seed": 1}
    if penalty == "elasticnet":
        kw["l1_ratio"] = 0.5
    dense = PenalizedRegressor(tol=1e-14, **kw).fit(X.toarray(), y)
    sparse = PenalizedRegressor(tol=1e-20, **kw).fit(X, y)
    assert sparse.lam_ == pytest.approx(dense.lam_, rel=1e-12)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-9)
    np.testing.assert_allclose(sparse.predict(X), dense.predict(X.toarray()), atol=1e-8)


def test_classifier_sparse_equals_dense_with_weights():
    X, y = problem("binomial", seed=2)
    w = np.random.default_rng(3).uniform(0.5, 2.0, 200)
    dense = PenalizedClassifier(seed=1, tol=1e-14).fit(X.toarray(), y, sample_weight=w)
    sparse = PenalizedClassifier(seed=1, tol=1e-20).fit(X.tocsc(), y, sample_weight=w)
    assert sparse.lam_ == pytest.approx(dense.lam_, rel=1e-12)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-8)
    np.testing.assert_allclose(
        sparse.predict_proba(X), dense.predict_proba(X.toarray()), atol=1e-9
    )
    assert sparse.__sklearn_tags__().input_tags.sparse


def test_relaxed_fit_on_a_sparse_X_equals_the_dense_one():
    rng = np.random.default_rng(0)
    X = sp.random(120, 15, density=0.3, format="csr", random_state=1)
    y = np.asarray(X @ np.r_[2.0, -2.0, 1.5, np.zeros(12)]).ravel()
    y = y + 0.3 * rng.standard_normal(120)
    sparse = PenalizedRegressor(relax=True, seed=0).fit(X, y)
    dense = PenalizedRegressor(relax=True, seed=0).fit(X.toarray(), y)
    assert sparse.relax_gamma_ == dense.relax_gamma_
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-8, atol=1e-10)
