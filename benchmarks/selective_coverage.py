"""Coverage and error rates of ``fit.inference("selective")`` by simulation.

Each setting draws ``--reps`` data sets from a fixed design, fits the lasso at a fixed
lambda, and records, over every selected column:

* coverage: how often the interval holds the partial target (the coefficient of the
  column in the population least-squares fit (gaussian) or maximum-likelihood fit
  (binomial, computed on a large sample) of the selected model);
* type I error: how often p <= 0.05 for a column whose partial target is 0 (a null
  column whose selected model holds every true column: then its target is exactly 0);
* the median interval length.

Settings: gaussian with sigma known and estimated (n > p: the OLS residual), with
weights and an unpenalized column, and binomial (the approximate method).

    python benchmarks/selective_coverage.py --reps 300
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import limit_threads_from_argv, markdown_table  # noqa: E402

limit_threads_from_argv()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsmodels.api as sm  # noqa: E402

import penstat as ps  # noqa: E402

N, P = 100, 10
BETA = np.array([1.0, -0.7, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
TRUE = set(np.flatnonzero(BETA))
COLS = [f"x{j}" for j in range(P)]


def _design(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((N, P))
    return 0.8 * z + 0.6 * z[:, [0]] * (np.arange(P) % 2)  # some correlation


def _gaussian_target(X, mu, w, chosen, unpen):
    cols = sorted(set(unpen) | set(chosen))
    XM = np.column_stack([np.ones(len(mu)), X[:, cols]])
    coef = sm.WLS(mu, XM, weights=w).fit().params[1:]
    return {c: coef[cols.index(c)] for c in chosen}


def _binomial_target(X, chosen, rng):
    # the population maximum-likelihood fit of the selected model, from a large sample
    # of rows drawn from the design
    idx = rng.integers(0, N, 200_000)
    Xb = X[idx]
    prob = 1 / (1 + np.exp(-(Xb @ BETA * 0.8)))
    yb = (rng.uniform(size=idx.size) < prob).astype(float)
    XM = sm.add_constant(Xb[:, chosen])
    coef = sm.GLM(yb, XM, family=sm.families.Binomial()).fit().params[1:]
    return dict(zip(chosen, coef, strict=True))


def run_setting(name: str, reps: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    X = _design(seed)
    w = rng.uniform(0.5, 2.0, N) if "weights" in name else np.ones(N)
    binomial = name.startswith("binomial")
    unpen = [0] if "unpenalized" in name else []
    covered, nulls, lengths = [], [], []
    target_cache: dict = {}
    for _ in range(reps):
        df = pd.DataFrame(X, columns=COLS)
        if binomial:
            prob = 1 / (1 + np.exp(-(X @ BETA * 0.8)))
            df["y"] = (rng.uniform(size=N) < prob).astype(float)
        else:
            df["y"] = X @ BETA + rng.standard_normal(N) / np.sqrt(w)
        df["w"] = w
        options = {"weights": "w"} if "weights" in name else {}
        if unpen:
            options["penalty_factor"] = {COLS[j]: 0 for j in unpen}
        lam = 0.04 if binomial else 0.15
        fam = "binomial" if binomial else "gaussian"
        fit = ps.lasso("y ~ " + " + ".join(COLS), df, family=fam, lam=lam, **options)
        sigma = 1.0 if "known" in name else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = fit.inference("selective", sigma=sigma, level=0.9)
        chosen = [COLS.index(c) for c in res.table.index]
        if not chosen:
            continue
        key = tuple(chosen)
        if key not in target_cache:
            target_cache[key] = (
                _binomial_target(X, chosen, np.random.default_rng(1))
                if binomial
                else _gaussian_target(X, X @ BETA, w, chosen, unpen)
            )
        target = target_cache[key]
        model_has_truth = TRUE <= set(chosen) | set(unpen)
        for j, (_, row) in zip(chosen, res.table.iterrows(), strict=True):
            covered.append(row["ci_lower"] <= target[j] <= row["ci_upper"])
            lengths.append(row["ci_upper"] - row["ci_lower"])
            if j not in TRUE and model_has_truth:
                nulls.append(row["p_value"] <= 0.05)
    return [
        name,
        str(len(covered)),
        f"{np.mean(covered):.3f}",
        f"{np.median(lengths):.3g}",
        str(len(nulls)),
        f"{np.mean(nulls):.3f}" if nulls else "-",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    settings = [
        "gaussian, sigma known",
        "gaussian, sigma estimated",
        "gaussian, sigma known, weights, unpenalized x0",
        "binomial (approximate)",
    ]
    rows = [run_setting(s, args.reps, args.seed + k) for k, s in enumerate(settings)]
    header = [
        "setting",
        "intervals",
        "coverage (90%)",
        "median length",
        "null tests",
        "type I error (5%)",
    ]
    print(f"n = {N}, p = {P}, 3 true columns, {args.reps} data sets per setting")
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
