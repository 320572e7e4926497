"""Relaxed and adaptive lasso against the lasso: a simulation of estimation and
prediction error and of selection error rates, and the time of each fit.

Gaussian linear model, n rows, p equicorrelated columns (rho), k nonzero
coefficients of size 1 (alternating signs), noise for a signal-to-noise ratio
``snr`` (var(x'b) / sigma^2). For each replicate every method is fitted with 10-fold
CV on the same folds (``seed``):

* lasso, ``cv_min`` and ``cv_1se``;
* relaxed lasso (``relax=True``), ``cv_1se`` (lambda and gamma together);
* adaptive lasso (``penalty_factor="adaptive"``, OLS initial fit when n > p, ridge
  by CV otherwise), ``cv_1se``.

Reported per method (mean over replicates, with the Monte Carlo standard error of the
mean): relative estimation error ``|b_hat - b|^2 / |b|^2``, relative test error
``E(y_new - x'b_hat)^2 / sigma^2`` on 5000 fresh rows (1 is the oracle), the number
of false positives (nonzero where b is 0) and false negatives (zero where b is
not), and the median time of one fit (the formula API, CV included).

Usage::

    python benchmarks/relax_adaptive.py --reps 40
    python benchmarks/relax_adaptive.py --quick          # 10 replicates
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import (  # noqa: E402
    error_record,
    fit_quietly,
    limit_threads_from_argv,
    simulation_main,
)

limit_threads_from_argv(1)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import penstat as ps  # noqa: E402

METHODS = {
    "lasso cv_min": {"select": "cv_min"},
    "lasso cv_1se": {"select": "cv_1se"},
    "relaxed cv_1se": {"select": "cv_1se", "relax": True},
    "adaptive cv_1se": {"select": "cv_1se", "penalty_factor": "adaptive"},
}

SETTINGS = [
    {"n": 100, "p": 20, "k": 5, "rho": 0.5, "snr": 1.0},
    {"n": 100, "p": 20, "k": 5, "rho": 0.5, "snr": 4.0},
    {"n": 100, "p": 200, "k": 5, "rho": 0.5, "snr": 4.0},
]


def simulate(rng, n, p, k, rho, snr, n_test=5000):
    beta = np.zeros(p)
    beta[:k] = (-1.0) ** np.arange(k)
    signal_var = rho * beta.sum() ** 2 + (1 - rho) * beta @ beta
    sigma = np.sqrt(signal_var / snr)

    def draw(m):
        z = rng.standard_normal((m, p))
        X = np.sqrt(1 - rho) * z + np.sqrt(rho) * rng.standard_normal((m, 1))
        return X, X @ beta + sigma * rng.standard_normal(m)

    X, y = draw(n)
    X_test, _ = draw(n_test)
    return X, y, X_test, beta, sigma


def run_setting(setting, reps, seed):
    rng = np.random.default_rng(seed)
    rows = {name: [] for name in METHODS}
    for rep in range(reps):
        X, y, X_test, beta, sigma = simulate(rng, **setting)
        cols = [f"x{j}" for j in range(X.shape[1])]
        df = pd.DataFrame(X, columns=cols).assign(y=y)
        mu_test = X_test @ beta
        for name, options in METHODS.items():
            fit, elapsed = fit_quietly(
                ps.lasso, "y ~ .", df, seed=rep, progress=False, **options
            )
            b = fit.coef.to_numpy()[1:]
            pred = fit.intercept + X_test @ b
            fp = np.count_nonzero((b != 0) & (beta == 0))
            fn = np.count_nonzero((b == 0) & (beta != 0))
            rows[name].append(error_record(b, beta, pred, mu_test, sigma, fp, fn, elapsed))
    return {name: pd.DataFrame(r) for name, r in rows.items()}


def main() -> None:
    simulation_main(
        __doc__, SETTINGS, run_setting, "Relaxed and adaptive lasso", "",
        "relax-adaptive",
    )  # fmt: skip


if __name__ == "__main__":
    main()
