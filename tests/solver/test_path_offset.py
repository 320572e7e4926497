"""``fit_path(offset=...)``: a known part of the linear predictor, coefficient 1.

References independent of penstat: the fit of ``y - offset`` (gaussian, glmnet's
definition), statsmodels' GLM with an offset (the binomial maximum likelihood
estimate and null deviance), and the subgradient (KKT) conditions of the objective
with the offset inside the linear predictor. R glmnet paths with offsets are
compared in ``test_path_glmnet.py`` (cases ``*_offset*``).
"""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from scipy.special import expit

from penstat import ArgumentError, DataError, SeparationWarning, fit_path


def logistic_data(n=300, p=6, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    off = rng.normal(0.0, 1.0, n)
    y = (rng.random(n) < expit(0.3 + X[:, 0] - 0.5 * X[:, 1] + off)).astype(float)
    return X, y, off


def kkt_residual(X, y, w, off, family, lam, l1_ratio, b0, b, pf, fit_intercept=True):
    """Largest subgradient violation relative to lam, on the standardized scale (the
    columns' weighted centred sd); ``pf`` as rescaled by the fit."""
    wn = w / w.sum()
    eta = off + b0 + X @ b
    mu = eta if family == "gaussian" else expit(eta)
    scale = np.sqrt(wn @ (X - wn @ X) ** 2)
    grad = -(X.T @ (wn * (y - mu))) / scale
    bs = b * scale
    a = l1_ratio
    viol = np.where(
        bs != 0,
        np.abs(grad + lam * pf * (a * np.sign(bs) + (1 - a) * bs)),
        np.maximum(np.abs(grad) - lam * pf * a, 0.0),
    )
    out = float(viol.max()) / lam
    if fit_intercept:
        out = max(out, abs(float(wn @ (y - mu))) / lam)
    return out


def test_zero_offset_is_no_offset():
    """The binomial kernel's offset code (null intercept by Newton, offset added at
    every recomputation) gives the plain fit when the offset is 0. (The gaussian
    family only subtracts the offset from y.)"""
    X, y, _ = logistic_data()
    a = fit_path(X, y, family="binomial")
    b = fit_path(X, y, family="binomial", offset=np.zeros(len(y)))
    assert b.has_offset and not a.has_offset
    np.testing.assert_array_equal(a.lambdas, b.lambdas)
    np.testing.assert_allclose(b.coefs, a.coefs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.intercepts, a.intercepts, rtol=0, atol=1e-12)


def test_null_deviance_with_an_offset_beyond_the_probability_clip():
    """One row whose offset contradicts its class by 60: its null deviance is about
    120, which probabilities clipped at 1e-15 cannot give; the deviance ratio stays
    in [0, 1]."""
    from scipy.optimize import minimize_scalar

    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 3))
    y = (rng.random(200) < 0.5).astype(float)
    off = np.zeros(200)
    off[0] = 60.0 if y[0] == 0 else -60.0

    def deviance(b0):
        eta = off + b0
        return 2 * np.sum(np.logaddexp(0.0, eta) - y * eta)

    expected = minimize_scalar(deviance, bracket=(-2, 2), tol=1e-12).fun
    path = fit_path(X, y, family="binomial", offset=off)
    np.testing.assert_allclose(path.null_deviance, expected, rtol=1e-10)
    assert np.all(path.dev_ratio >= 0) and np.all(path.dev_ratio < 1)
    np.testing.assert_allclose(path.deviance[0], expected, rtol=1e-8)


def test_gaussian_offset_is_the_fit_of_y_minus_offset():
    X, _, off = logistic_data()
    rng = np.random.default_rng(0)
    y = X @ np.array([1.0, -2, 0, 0, 0.5, 0]) + 3 * off + rng.standard_normal(len(off))
    w = rng.uniform(0.5, 2.0, len(y))
    with_off = fit_path(X, y, weights=w, l1_ratio=0.5, offset=off)
    shifted = fit_path(X, y - off, weights=w, l1_ratio=0.5)
    np.testing.assert_array_equal(with_off.lambdas, shifted.lambdas)
    np.testing.assert_allclose(with_off.coefs, shifted.coefs, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(with_off.dev_ratio, shifted.dev_ratio, rtol=1e-12)
    np.testing.assert_allclose(with_off.null_deviance, shifted.null_deviance, rtol=1e-12)
    np.testing.assert_allclose(
        with_off.predict(X, offset=off), shifted.predict(X) + off[:, None], atol=1e-12
    )


def test_binomial_mle_and_null_deviance_match_statsmodels_glm():
    X, y, off = logistic_data()
    path = fit_path(X, y, family="binomial", offset=off, lambdas=[0.05, 0.0], tol=1e-12)
    glm = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(), offset=off)
    mle = glm.fit(tol=1e-14)
    np.testing.assert_allclose(path.coefs[-1], mle.params[1:], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(path.intercepts[-1], mle.params[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(path.deviance[-1], mle.deviance, rtol=1e-9)
    null = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Binomial(), offset=off)
    np.testing.assert_allclose(path.null_deviance, null.fit(tol=1e-14).deviance, rtol=1e-10)
    # without the offset the same data give other estimates: the offset was used
    plain = fit_path(X, y, family="binomial", lambdas=[0.05, 0.0], tol=1e-12)
    assert np.abs(plain.coefs[-1] - mle.params[1:]).max() > 1e-2


def test_binomial_lambda_max_is_the_gradient_at_the_null_fit_with_offset():
    X, y, off = logistic_data()
    path = fit_path(X, y, family="binomial", offset=off)
    null = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Binomial(), offset=off)
    mu = null.fit(tol=1e-14).fittedvalues
    xc = X - X.mean(axis=0)
    grad = np.abs(xc.T @ (y - mu)) / len(y) / np.sqrt((xc**2).mean(axis=0))
    np.testing.assert_allclose(path.lambdas[0], grad.max(), rtol=1e-8)
    assert path.df[0] == 0 and path.df[1] >= 1


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_kkt_holds_with_offset_weights_and_penalty_factors(family, fit_intercept):
    X, y, off = logistic_data(n=200, p=15, seed=7)
    rng = np.random.default_rng(1)
    # the gaussian elastic net scales its ridge part by sd(y) (glmnet): lasso there
    a = 1.0 if family == "gaussian" else 0.7
    if family == "gaussian":
        y = X[:, :4] @ np.array([1.0, -1, 0.5, 2]) + off + rng.normal(size=len(y))
    w = rng.uniform(0.2, 3.0, len(y))
    pf = np.ones(15)
    pf[[2, 9]] = 0.0
    path = fit_path(
        X,
        y,
        family=family,
        l1_ratio=a,
        weights=w,
        offset=off,
        penalty_factor=pf,
        fit_intercept=fit_intercept,
        tol=1e-13,
    )
    for k in range(1, len(path.lambdas), 7):
        b0, b = path.intercepts[k], path.coefs[k]
        args = (path.lambdas[k], a, b0, b, path.penalty_factor, fit_intercept)
        assert kkt_residual(X, y, w, off, family, *args) <= 1e-6, k
        assert b[2] != 0 and b[9] != 0


def test_offset_that_orders_the_classes_is_not_separation():
    """An offset that alone separates the classes does not make the model's columns
    separate them: the null fit with an unpenalized column has a finite maximum."""
    rng = np.random.default_rng(5)
    n = 200
    y = (rng.random(n) < 0.5).astype(float)
    off = np.where(y == 1, 4.0, -4.0) + rng.normal(0, 0.5, n)
    X = rng.standard_normal((n, 4))
    pf = np.array([0.0, 1, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeparationWarning)
        path = fit_path(X, y, family="binomial", offset=off, penalty_factor=pf, tol=1e-12)
    assert np.all(np.isfinite(path.coefs)) and np.abs(path.coefs[:, 0]).max() < 5
    for k in (10, len(path.lambdas) - 1):
        args = (
            path.lambdas[k],
            1.0,
            path.intercepts[k],
            path.coefs[k],
            path.penalty_factor,
        )
        assert kkt_residual(X, y, np.ones(n), off, "binomial", *args) <= 1e-6


def test_separation_by_an_unpenalized_column_is_still_seen_with_an_offset():
    rng = np.random.default_rng(6)
    n = 120
    X = rng.standard_normal((n, 3))
    y = (rng.random(n) < 0.5).astype(float)
    level = np.zeros(n)
    level[np.flatnonzero(y == 1)[:5]] = 1.0  # a rare level whose rows are all y = 1
    X = np.column_stack([level, X])
    off = rng.normal(0, 1, n)
    with pytest.warns(SeparationWarning, match="quasi-complete"):
        fit_path(X, y, family="binomial", offset=off, penalty_factor=[0, 1, 1, 1])


def test_offset_is_not_modified_and_errors_name_it():
    X, y, off = logistic_data(n=50)
    kept = off.copy()
    path = fit_path(X, y, family="binomial", offset=off)
    np.testing.assert_array_equal(off, kept)
    with pytest.raises(DataError, match="offset must have shape"):
        fit_path(X, y, offset=off[:-1])
    bad = off.copy()
    bad[3] = np.nan
    with pytest.raises(DataError, match="offset contains NaN or inf .*row 3"):
        fit_path(X, y, offset=bad)
    with pytest.raises(DataError, match="offset must be numeric"):
        fit_path(X, y, offset=["a"] * 50)
    with pytest.raises(ArgumentError, match="fitted with an offset"):
        path.predict(X)
    with pytest.raises(ArgumentError, match="fitted without an offset"):
        fit_path(X, y, family="binomial").predict(X, offset=off)
    # link and response, whole path and one lambda
    lam = path.lambdas[5]
    eta = path.predict(X, lam=lam, offset=off)
    b0, b = path.coef_at(lam)
    np.testing.assert_allclose(eta, off + b0 + X @ b, atol=1e-12)
    np.testing.assert_allclose(
        path.predict(X, offset=off, type="response")[:, 5], expit(eta), atol=1e-12
    )
