"""Simulated benchmark problems shared by the benchmark scripts.

The design of Friedman, Hastie & Tibshirani (2010), "Regularization paths for
generalized linear models via coordinate descent", J. Stat. Softw. 33(1), section 5:
Gaussian features with equal pairwise correlation ``rho``, coefficients
``beta_j = (-1)^j exp(-2 (j - 1) / 20)``, and noise scaled for a signal-to-noise ratio
of 3. Columns are standardized (mean 0, 1/n variance 1) so that no solver needs to
standardize; the gaussian response is centred and scaled to 1/n variance 1, so an
intercept is zero at every lambda and glmnet's internal scaling of y is the identity.

>>> from benchmarks.problems import make_problem
>>> prob = make_problem(n=200, p=20, rho=0.5, kind="gaussian_lasso", seed=0)
>>> prob.X.shape, len(prob.lambdas)
((200, 20), 100)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SHAPES = [(1000, 100), (5000, 100), (100, 1000), (100, 5000), (1000, 1000), (10000, 500)]
RHOS = [0.0, 0.5, 0.9]
KINDS = {
    # name: (family, l1_ratio)
    "gaussian_lasso": ("gaussian", 1.0),
    "gaussian_enet": ("gaussian", 0.5),
    "binomial_lasso": ("binomial", 1.0),
}
QUICK_SHAPES = [(1000, 100), (100, 1000)]
QUICK_RHOS = [0.5]


@dataclass(frozen=True)
class Problem:
    """One benchmark problem: data, the model, and the common lambda grid."""

    name: str
    family: str
    l1_ratio: float
    X: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    lambdas: np.ndarray = field(repr=False)
    rho: float = 0.0

    @property
    def shape(self) -> tuple[int, int]:
        return self.X.shape


def simulate(
    n: int, p: int, rho: float, family: str, seed: int = 0, beta: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Equicorrelated design and response of Friedman, Hastie & Tibshirani (2010).

    ``beta``: the (p,) true coefficients; None for theirs, ``(-1)^j exp(-2 (j-1)/20)``
    (the noise is scaled for a signal-to-noise ratio of 3 either way)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, p))
    common = rng.standard_normal((n, 1))
    X = np.sqrt(1.0 - rho) * z + np.sqrt(rho) * common
    if beta is None:
        j = np.arange(1, p + 1)
        beta = (-1.0) ** j * np.exp(-2.0 * (j - 1) / 20.0)
    beta = np.asarray(beta, dtype=float)
    # population variance of x'beta under equicorrelation: (1-rho)|b|^2 + rho (sum b)^2
    signal_var = (1.0 - rho) * beta @ beta + rho * beta.sum() ** 2
    noise_sd = np.sqrt(signal_var / 3.0)
    eta = X @ beta + noise_sd * rng.standard_normal(n)
    X = standardize_columns(X)
    if family == "gaussian":
        y = eta - eta.mean()
        y = y / np.sqrt(np.mean(y**2))
    else:
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    return np.asfortranarray(X), y


def standardize_columns(X: np.ndarray) -> np.ndarray:
    X = X - X.mean(axis=0)
    return X / np.sqrt(np.mean(X**2, axis=0))


def glmnet_lambdas(
    X: np.ndarray, y: np.ndarray, l1_ratio: float, nlambda: int = 100
) -> np.ndarray:
    """glmnet's default grid: lambda_max from the gradient at the intercept-only model
    (l1_ratio floored at 1e-3), log-spaced down to 1e-4 (n > p) or 1e-2 of it."""
    n, p = X.shape
    resid = y - y.mean()
    lam_max = np.abs(X.T @ resid).max() / n / max(l1_ratio, 1e-3)
    ratio = 1e-4 if n > p else 1e-2
    return lam_max * np.geomspace(1.0, ratio, nlambda)


def make_problem(n: int, p: int, rho: float, kind: str, seed: int = 0) -> Problem:
    family, l1_ratio = KINDS[kind]
    X, y = simulate(n, p, rho, family, seed=seed)
    return Problem(
        name=f"{kind} n={n} p={p} rho={rho:g}",
        family=family,
        l1_ratio=l1_ratio,
        X=X,
        y=y,
        lambdas=glmnet_lambdas(X, y, l1_ratio),
        rho=rho,
    )


def problem_grid(
    shapes=SHAPES, rhos=RHOS, kinds=tuple(KINDS), seed: int = 0
) -> list[tuple[str, int, int, float, str]]:
    """Descriptions (name, n, p, rho, kind) of every problem; data made on demand."""
    return [
        (f"{kind} n={n} p={p} rho={rho:g}", n, p, rho, kind)
        for kind in kinds
        for (n, p) in shapes
        for rho in rhos
    ]


def objective(prob: Problem, lam: float, intercept: float, coef: np.ndarray) -> float:
    """glmnet's objective with unit weights (docs/developer/architecture.md); the
    columns are already standardized, so the penalty is on the coefficients as given."""
    eta = prob.X @ coef + intercept
    if prob.family == "gaussian":
        loss = 0.5 * np.mean((prob.y - eta) ** 2)
    else:
        loss = -np.mean(prob.y * eta - np.logaddexp(0.0, eta))
    a = prob.l1_ratio
    return float(loss + lam * (a * np.abs(coef).sum() + 0.5 * (1 - a) * coef @ coef))
