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
            fit, elapsed = fit_quietly(
                ps.group_lasso, formula, df, seed=rep, progress=False, **options
            )
            b = fit.coef.to_numpy()[1:]
            pred = fit.predict(test).to_numpy()
            chosen = np.array([f"C(f{j})" in fit.selected_terms for j in range(g)])
            fp = np.count_nonzero(chosen & ~truth)
            fn = np.count_nonzero(~chosen & truth)
            rows[name].append(error_record(b, beta, pred, test_mu, sigma, fp, fn, elapsed))
    return {name: pd.DataFrame(r) for name, r in rows.items()}


def main() -> None:
    simulation_main(
        __doc__, SETTINGS, run_setting, "Adaptive and relaxed group lasso", " groups",
        "group-adaptive-relax",
    )  # fmt: skip


if __name__ == "__main__":
    main()
