"""Adaptive and relaxed group lasso against the group lasso: a simulation of
estimation and prediction error and of group selection error rates, and the time
of each fit.

Gaussian linear model on ``g`` factors of four levels each (three treatment dummies
per factor, so 3g columns in g groups), levels drawn independently and uniformly;
the first ``k`` factors have level effects (0, 1, -1, 0.5) times ``size``, the
others none; noise for a signal-to-noise ratio ``snr`` (var(x'b) / sigma^2). Every
method is fitted by the formula API (``y ~ C(f0) + ... ``, one group per factor)
with 10-fold CV on the same folds (``seed``):

* group lasso, ``cv_min`` and ``cv_1se``;
* relaxed group lasso (``relax=True``), ``cv_1se`` (lambda and gamma together);
* adaptive group lasso (``penalty_factor="adaptive"``: OLS initial fit when n > p,
  ridge by CV otherwise), ``cv_1se``.

Reported per method (mean over replicates, with the Monte Carlo standard error):
relative estimation error ``|b_hat - b|^2 / |b|^2``, relative test error
``E(y_new - x'b_hat)^2 / sigma^2`` on 5000 fresh rows (1 is the oracle), the number
of false positive groups (a factor without effect selected) and false negative
groups, and the median time of one fit (CV included).

Usage::

    python benchmarks/group_adaptive_relax.py --reps 40
    python benchmarks/group_adaptive_relax.py --quick          # 10 replicates
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
    "group lasso cv_min": {"select": "cv_min"},
    "group lasso cv_1se": {"select": "cv_1se"},
    "relaxed group cv_1se": {"select": "cv_1se", "relax": True},
    "adaptive group cv_1se": {"select": "cv_1se", "penalty_factor": "adaptive"},
}

SETTINGS = [
    {"n": 100, "g": 10, "k": 3, "size": 0.5, "snr": 0.5},
    {"n": 100, "g": 10, "k": 3, "size": 0.5, "snr": 2.0},
    {"n": 60, "g": 25, "k": 3, "size": 0.5, "snr": 2.0},
]
EFFECT = np.array([0.0, 1.0, -1.0, 0.5])


def simulate(rng, n, g, k, size, snr, n_test=5000):
    effects = np.zeros((g, 4))
    effects[:k] = size * EFFECT

    def draw(m):
        levels = rng.integers(0, 4, size=(m, g))
        mu = effects[np.arange(g), levels].sum(axis=1)
        return levels, mu

    levels, mu = draw(n)
    test_levels, test_mu = draw(n_test)
    # var(x'b) of the population: each factor's effect variance over uniform levels
    signal_var = float(effects[:k].var(axis=1).sum())
    sigma = np.sqrt(signal_var / snr)
    y = mu + sigma * rng.standard_normal(n)
    return levels, y, test_levels, test_mu, effects, sigma


def frame(levels, y=None):
    df = pd.DataFrame(
        {
            f"f{j}": pd.Categorical(levels[:, j], categories=range(4))
            for j in range(levels.shape[1])
        }
    )
    if y is not None:
        df["y"] = y
    return df


def run_setting(setting, reps, seed):
    rng = np.random.default_rng(seed)
    rows = {name: [] for name in METHODS}
    g, k = setting["g"], setting["k"]
    formula = "y ~ " + " + ".join(f"C(f{j})" for j in range(g))
    for rep in range(reps):
        levels, y, test_levels, test_mu, effects, sigma = simulate(rng, **setting)
        df, test = frame(levels, y), frame(test_levels)
        # treatment coding against level 0: the true coefficients of the dummies
        beta = (effects[:, 1:] - effects[:, :1]).ravel()
        truth = np.arange(g) < k
        for name, options in METHODS.items():
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = ps.group_lasso(formula, df, seed=rep, progress=False, **options)
            elapsed = time.perf_counter() - start
            b = fit.coef.to_numpy()[1:]
            pred = fit.predict(test).to_numpy()
            chosen = np.array([f"C(f{j})" in fit.selected_terms for j in range(g)])
            rows[name].append(
                {
                    "est": np.sum((b - beta) ** 2) / np.sum(beta**2),
                    "test": 1 + np.mean((pred - test_mu) ** 2) / sigma**2,
                    "fp": int(np.count_nonzero(chosen & ~truth)),
                    "fn": int(np.count_nonzero(~chosen & truth)),
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
    header = [
        "setting",
        "method",
        "estimation error",
        "test error / sigma^2",
        "false positive groups",
        "false negative groups",
        "time per fit (s)",
    ]
    table = []
    for setting in SETTINGS:
        label = ", ".join(f"{k}={v:g}" for k, v in setting.items())
        found = run_setting(setting, reps, args.seed)
        for name, result in found.items():
            table.append(
                [
                    label,
                    name,
                    fmt(result["est"]),
                    fmt(result["test"]),
                    fmt(result["fp"]),
                    fmt(result["fn"]),
                    f"{result['time'].median():.3f}",
                ]  # fmt: skip
            )
            print(" | ".join(table[-1]), flush=True)
    text = (
        f"# Adaptive and relaxed group lasso: {reps} replicates per setting\n\n"
        f"Machine: {machine_description()} (shared with other jobs while it ran; "
        "times are indicative).\n\n"
        "Mean (Monte Carlo standard error) over replicates; 10-fold CV in every fit.\n\n"
        + markdown_table(header, table)
        + "\n"
    )
    write_report(text, args.out, "group-adaptive-relax")


if __name__ == "__main__":
    main()
