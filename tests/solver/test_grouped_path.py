"""Binomial paths on proportions with their trials as weights (grouped data). The
comparison with R glmnet's two-column y is in test_path_glmnet.py (the cases
binomial_grouped*); here: the same path as the data with one row per trial, the
deviance from the saturated model, the checks of the response, and separation."""

import warnings

import numpy as np
import pytest

from penstat import DataError, SeparationWarning, fit_path
from penstat.family import get_family


def grouped(seed=0, n=40, p=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    trials = rng.integers(1, 12, size=n)
    prob = 1 / (1 + np.exp(-(X[:, 0] - 0.5 * X[:, 1])))
    s = rng.binomial(trials, prob)
    return X, s, trials


def expanded(X, s, trials):
    """One row per trial: s rows of 1 and trials - s rows of 0 per group."""
    rows = np.repeat(np.arange(len(s)), trials)
    y = np.concatenate(
        [np.r_[np.ones(k), np.zeros(t - k)] for k, t in zip(s, trials, strict=True)]
    )
    return X[rows], y


def test_path_equals_the_path_of_one_row_per_trial():
    X, s, trials = grouped()
    # tol 1e-18: the two fits reach their common optimum by different routes (the
    # expanded data in the kernel's covariance mode), so both must be near it
    path = fit_path(X, s / trials, family="binomial", weights=trials, tol=1e-18)
    Xe, ye = expanded(X, s, trials)
    ref = fit_path(Xe, ye, family="binomial", lambdas=path.lambdas, tol=1e-18)
    np.testing.assert_allclose(path.coefs, ref.coefs, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(path.intercepts, ref.intercepts, rtol=1e-8, atol=1e-10)


def test_deviance_is_from_the_saturated_model():
    X, s, trials = grouped(seed=1)
    y = s / trials
    path = fit_path(X, y, family="binomial", weights=trials)
    fam = get_family("binomial")
    eta = path.intercepts[-1] + X @ path.coefs[-1]
    mu = 1 / (1 + np.exp(-eta))
    # 2 sum [s log(s / (n mu)) + f log(f / (n (1 - mu)))], 0 log 0 = 0
    f = trials - s
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(s > 0, s * np.log(s / (trials * mu)), 0.0) + np.where(
            f > 0, f * np.log(f / (trials * (1 - mu))), 0.0
        )
    np.testing.assert_allclose(path.deviance[-1], 2 * terms.sum(), rtol=1e-6)
    np.testing.assert_allclose(
        path.deviance[-1], fam.deviance(y, mu, trials.astype(float)), rtol=1e-10
    )
    assert 0 < path.dev_ratio[-1] < 1


def test_proportions_accepted_and_other_values_refused():
    X, s, trials = grouped()
    path = fit_path(X, np.full(len(s), 0.5), family="binomial", weights=trials)
    assert np.all(path.coefs == 0)  # a constant proportion: nothing to explain
    with pytest.raises(DataError, match="0/1 .* proportion"):
        fit_path(X, s / trials + 1, family="binomial")
    with pytest.raises(DataError, match="one class"):
        fit_path(X, np.zeros(len(s)), family="binomial", weights=trials)


def test_proportions_cannot_be_separated():
    # 0/1 at x = -1, 2; proportions at 0 and 1: read as failures they would be
    # separated by x > 1.5, but no direction separates a group of both outcomes
    X = np.array([[-1.0], [0.0], [1.0], [2.0]])
    y = np.array([0.0, 0.5, 0.5, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeparationWarning)
        path = fit_path(X, y, family="binomial", weights=[1, 4, 4, 1], lambdas=[0.1, 0.0])
    assert np.isfinite(path.coefs).all() and abs(path.coefs[-1, 0]) < 10


def test_one_proportion_between_separated_labels_is_quasi_separation():
    # y = 0 below, 1 above, one group of both at the boundary: the slope runs off
    X = np.array([[-2.0], [-1.0], [0.0], [1.0], [2.0]])
    y = np.array([0.0, 0.0, 0.5, 1.0, 1.0])
    with pytest.warns(SeparationWarning, match="on part of the observations"):
        fit_path(X, y, family="binomial", weights=[1, 1, 6, 1, 1], lambdas=[0.1, 0.0])


def test_unpenalized_column_with_proportions_is_not_refused():
    X = np.array([[-1.0, 0.3], [0.0, -0.2], [1.0, 0.5], [2.0, -0.1]])
    y = np.array([0.0, 0.5, 0.5, 1.0])
    path = fit_path(X, y, family="binomial", weights=[1, 4, 4, 1], penalty_factor=[0, 1])
    assert np.isfinite(path.coefs).all()
