"""The binomial path on small versions of the hardest problems of
benchmarks/binomial_sweep.py: strongly correlated columns (rho 0.8), 5% positives,
a dense truth, observation weights and the elastic net, at 10 and at 100 rows per
column (residual mode and covariance mode of the kernel).

At a tight ``tol`` the path satisfies the KKT conditions on X at every lambda; at the
default ``tol`` every lambda's objective is within 1e-6 (relative) of the tight path's.
"""

import numpy as np
import pytest
from scipy.special import expit

from penstat import fit_path


def sweep_like(n, p, rho, dense, rare, seed):
    rng = np.random.default_rng(seed)
    X = np.sqrt(1 - rho) * rng.standard_normal((n, p))
    X += np.sqrt(rho) * rng.standard_normal((n, 1))
    if dense:
        beta = rng.standard_normal(p)
    else:
        beta = np.zeros(p)
        beta[:10] = (-1.0) ** np.arange(10)
    eta = X @ beta
    eta = 3.0 * eta / eta.std()
    shift = -4.0 if rare else 0.0
    y = (rng.random(n) < expit(eta + shift)).astype(float)
    return X, y


SHAPES = {
    # name: (n, p, rho, dense truth, 5% positives, weights, l1_ratio)
    "n/p 10, dense, rare, rho 0.8": (600, 60, 0.8, True, True, False, 1.0),
    "n/p 10, sparse, weights, enet": (600, 60, 0.8, False, False, True, 0.5),
    "n/p 100, dense, rare, weights": (3000, 30, 0.8, True, True, True, 1.0),
    "n/p 100, sparse, rare, enet": (3000, 30, 0.5, False, True, False, 0.5),
}


def objective(X, y, wn, a, lam, b0, b):
    eta = b0 + X @ b
    loss = -(wn @ (y * eta - np.logaddexp(0.0, eta)))
    return loss + lam * (a * np.abs(b).sum() + 0.5 * (1 - a) * b @ b)


@pytest.mark.parametrize("name", list(SHAPES))
def test_hard_sweep_shapes_kkt_and_gap(name):
    n, p, rho, dense, rare, weighted, a = SHAPES[name]
    X, y = sweep_like(n, p, rho, dense, rare, seed=n + p)
    w = np.random.default_rng(3).uniform(0.25, 1.75, n) if weighted else np.ones(n)
    wn = w / w.sum()
    kwargs = {"family": "binomial", "l1_ratio": a, "standardize": False}
    kwargs["weights"] = w if weighted else None
    tight = fit_path(X, y, tol=1e-18, **kwargs)
    default = fit_path(X, y, lambdas=tight.lambdas, **kwargs)
    assert len(tight.lambdas) > 30
    assert np.all(tight.converged) and np.all(default.converged)
    assert len(default.lambdas) == len(tight.lambdas)
    for lam, b0, b in zip(tight.lambdas, tight.intercepts, tight.coefs, strict=True):
        res = wn * (y - expit(b0 + X @ b))
        g = X.T @ res - lam * (1 - a) * b
        assert abs(res.sum()) <= 1e-9
        on = b != 0
        np.testing.assert_allclose(g[on], lam * a * np.sign(b[on]), rtol=0, atol=1e-9)
        assert np.all(np.abs(g[~on]) <= lam * a + 1e-9)
    gaps = [
        objective(X, y, wn, a, lam, d0, d) / objective(X, y, wn, a, lam, t0, t) - 1.0
        for lam, d0, d, t0, t in zip(
            tight.lambdas,
            default.intercepts,
            default.coefs,
            tight.intercepts,
            tight.coefs,
            strict=True,
        )
    ]
    assert max(gaps) <= 1e-6
    assert min(gaps) >= -1e-12
