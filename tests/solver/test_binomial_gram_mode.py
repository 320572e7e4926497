"""The binomial kernel's covariance (Gram) mode against its residual mode.

Both modes minimize the same quadratic model of each Newton step, so at a tight
``tol`` they give the same path. Checked at every lambda, with observation weights
(some 0), an offset, unpenalized columns, coefficient limits, the elastic net and
no intercept, and the KKT conditions on the original X.
"""

import numpy as np
import pytest
from scipy.special import expit

from penstat import fit_path
from penstat.solver._cd import _binomial

TIGHT = 1e-22


def design(n, p, rho, seed):
    rng = np.random.default_rng(seed)
    X = np.sqrt(1 - rho) * rng.standard_normal((n, p))
    X += np.sqrt(rho) * rng.standard_normal((n, 1))
    X = X * np.linspace(0.5, 2.0, p) + np.linspace(-1.0, 1.0, p)
    beta = np.array([(-1) ** j * np.exp(-2 * (j - 1) / 5) for j in range(1, p + 1)])
    y = (rng.random(n) < expit(X @ beta - 0.3)).astype(float)
    return X, y


def fit(monkeypatch, gram_max_k, X, y, **kwargs):
    monkeypatch.setattr(_binomial, "_GRAM_MAX_K", gram_max_k)
    _binomial._gram_steps()
    path = fit_path(
        X, y, family="binomial", tol=TIGHT, nlambda=40, standardize=False, **kwargs
    )
    return path, _binomial._gram_steps()


def assert_kkt(path, X, y, w, offset, atol):
    """Subgradient conditions at every lambda on the unstandardized X, with limits."""
    wn = w / w.sum()
    a = path.l1_ratio
    pf = path.penalty_factor
    lo = path.lower_limits if path.lower_limits is not None else np.full(pf.shape, -np.inf)
    hi = path.upper_limits if path.upper_limits is not None else np.full(pf.shape, np.inf)
    for lam, b0, b in zip(path.lambdas, path.intercepts, path.coefs, strict=True):
        res = wn * (y - expit(b0 + offset + X @ b))
        g = X.T @ res - lam * pf * (1 - a) * b
        if path.fit_intercept:
            assert abs(res.sum()) <= atol
        free = (b != 0) & (b != lo) & (b != hi)
        assert np.all(np.abs(g[free] - lam * pf[free] * a * np.sign(b[free])) <= atol)
        zero = b == 0
        assert np.all(np.abs(g[zero]) <= lam * pf[zero] * a + atol)
        # at a limit, the gradient may only push further out
        assert np.all(g[(b == hi) & (b != 0)] >= lam * pf[(b == hi) & (b != 0)] * a - atol)
        assert np.all(g[(b == lo) & (b != 0)] <= -lam * pf[(b == lo) & (b != 0)] * a + atol)


CASES = {
    "lasso": {},
    "weights": {"weights": "w"},
    "offset": {"offset": "off"},
    "unpenalized": {"penalty_factor": "pf"},
    "limits": {"lower_limits": -0.3, "upper_limits": 0.25},
    "enet": {"l1_ratio": 0.5},
    "no_intercept": {"fit_intercept": False},
}


@pytest.mark.parametrize("case", list(CASES))
def test_gram_mode_equals_residual_mode(monkeypatch, case):
    n, p = 400, 12
    X, y = design(n, p, 0.5, seed=7)
    rng = np.random.default_rng(1)
    w = rng.uniform(0.2, 3.0, n)
    w[:25] = 0.0
    off = 0.4 * rng.standard_normal(n)
    pf = np.ones(p)
    pf[[0, 5]] = 0.0
    values = {"w": w, "off": off, "pf": pf}
    kwargs = {
        k: values.get(v, v) if isinstance(v, str) else v for k, v in CASES[case].items()
    }
    resid, steps_resid = fit(monkeypatch, 0, X, y, **kwargs)
    gram, steps_gram = fit(monkeypatch, -1, X, y, **kwargs)
    assert steps_resid == 0
    assert steps_gram > 0
    assert len(gram.lambdas) == len(resid.lambdas) > 10
    np.testing.assert_allclose(gram.lambdas, resid.lambdas, rtol=0, atol=0)
    np.testing.assert_allclose(gram.coefs, resid.coefs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(gram.intercepts, resid.intercepts, rtol=0, atol=1e-10)
    assert np.all(gram.converged)
    ww = kwargs.get("weights", np.ones(n))
    oo = kwargs.get("offset", np.zeros(n))
    assert_kkt(gram, X, y, ww, oo, atol=1e-9)


def test_mode_switches_along_the_path(monkeypatch):
    # covariance mode while the working set has at most 4 columns, residual mode after
    X, y = design(300, 15, 0.3, seed=2)
    resid, _ = fit(monkeypatch, 0, X, y)
    mixed, steps = fit(monkeypatch, 4, X, y)
    full, steps_full = fit(monkeypatch, -1, X, y)
    assert 0 < steps < steps_full
    np.testing.assert_allclose(mixed.coefs, resid.coefs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(mixed.intercepts, resid.intercepts, rtol=0, atol=1e-10)


def test_gram_mode_with_more_columns_than_rows(monkeypatch):
    # 60 rows, 40 columns: late working sets outgrow n / 2 (the default rule's limit)
    # and the Gram of a full working set is singular; forced, the mode still agrees
    X, y = design(60, 40, 0.0, seed=4)
    resid, _ = fit(monkeypatch, 0, X, y)
    gram, steps = fit(monkeypatch, -1, X, y)
    assert steps > 0
    np.testing.assert_allclose(gram.coefs, resid.coefs, rtol=0, atol=1e-8)
    np.testing.assert_allclose(gram.intercepts, resid.intercepts, rtol=0, atol=1e-8)
