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

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import (  # noqa: E402
    limit_threads_from_argv,
    machine_description,
    markdown_table,
    write_report,
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
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = ps.lasso("y ~ .", df, seed=rep, progress=False, **options)
            elapsed = time.perf_counter() - start
            b = fit.coef.to_numpy()[1:]
            pred = fit.intercept + X_test @ b
            rows[name].append(
                {
                    "est": np.sum((b - beta) ** 2) / np.sum(beta**2),
                    "test": 1 + np.mean((pred - mu_test) ** 2) / sigma**2,
                    "fp": np.count_nonzero((b != 0) & (beta == 0)),
                    "fn": np.count_nonzero((b == 0) & (beta != 0)),
                    "time": elapsed,
                }
            )
    return {name: pd.DataFrame(r) for name, r in rows.items()}


def fmt(values):
    mean = values.mean()
    se = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else np.nan
    return f"{mean:.3f} ({se:.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="10 replicates")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    reps = 10 if args.quick else args.reps
    header = ["setting", "method", "estimation error", "test error / sigma^2",
              "false positives", "false negatives", "time per fit (s)"]  # fmt: skip
    table = []
    for setting in SETTINGS:
        label = ", ".join(f"{k}={v:g}" for k, v in setting.items())
        found = run_setting(setting, reps, args.seed)
        for name, frame in found.items():
            table.append(
                [
                    label,
                    name,
                    fmt(frame["est"]),
                    fmt(frame["test"]),
                    fmt(frame["fp"]),
                    fmt(frame["fn"]),
                    f"{frame['time'].median():.3f}",
                ]  # fmt: skip
            )
            print(" | ".join(table[-1]), flush=True)
    text = (
        f"# Relaxed and adaptive lasso: {reps} replicates per setting\n\n"
        f"Machine: {machine_description()} (shared with other jobs while it ran; "
        "times are indicative).\n\n"
        "Mean (Monte Carlo standard error) over replicates; 10-fold CV in every fit.\n\n"
        + markdown_table(header, table)
        + "\n"
    )
    write_report(text, args.out, "relax-adaptive")


if __name__ == "__main__":
    main()
