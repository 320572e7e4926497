"""The options of a Dask fit that share passes: an l1_ratio search, the relaxed lasso
and the binomial bootstrap, against fitting each problem in passes of its own.

On a ``LocalCluster`` of 2 workers (one thread each, in this process), a Dask
DataFrame of ``--n`` rows x 20 numeric columns in ``--partitions`` partitions:

* gaussian, 5-fold CV: one ``l1_ratio``; a list of 4 (every mix from the same
  statistics); the same 4 mixes as 4 separate fits; the relaxed lasso;
* binomial (``--n-binomial`` rows), 5-fold CV, ``nlambda=--nlambda``: one mix; a list
  of 3 (every (mix, fold) problem in the same IRLS passes); the same 3 mixes as 3
  separate fits; a Poisson bootstrap of 8 replicates (all in the same passes).

Reports wall time and passes; ratios are read side by side from the one run.

    python benchmarks/dask_options.py
    python benchmarks/dask_options.py --n 400000 --n-binomial 100000

Not a test; the machine it runs on (and its load) is said with the table.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time

# benchmarks/sparse.py would shadow the sparse package Dask imports
_HERE = pathlib.Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if pathlib.Path(p or ".").resolve() != _HERE]

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

P = 20


def frame(n: int, family: str, seed: int = 0, base: bool = False) -> pd.DataFrame:
    """``n`` rows of 20 standard normal columns ``x1`` ... and the response ``y``
    (five nonzero coefficients); ``base``: an offset column ``base`` as well
    (``benchmarks/dask_more_options.py``)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, P))
    beta = np.zeros(P)
    beta[:5] = [1.0, -0.8, 0.6, -0.4, 0.2]
    eta = X @ beta
    if family == "gaussian":
        y = eta + rng.standard_normal(n)
    else:
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    df = pd.DataFrame(X, columns=[f"x{j + 1}" for j in range(P)])
    df["y"] = y
    if base:
        df["base"] = 0.1 * rng.standard_normal(n)
    return df


def timed(label, make, rows):
    t0 = time.perf_counter()
    fit = make()
    wall = time.perf_counter() - t0
    fits = fit if isinstance(fit, list) else [fit]
    passes = sum(f.passes for f in fits)
    irls = sum(f.irls_passes for f in fits)
    rows.append((label, wall, passes, irls))
    print(f"{label:55s} {wall:8.2f} s  passes {passes:4d}  irls {irls:4d}", flush=True)
    return fits


def size_arguments(description: str) -> argparse.ArgumentParser:
    """The command line of the Dask option benchmarks: the rows, partitions and
    lambdas of the frames (``benchmarks/dask_more_options.py`` adds its own)."""
    parser = argparse.ArgumentParser(description=description.split("\n")[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--n-binomial", type=int, default=50_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--nlambda", type=int, default=20)
    return parser


def main() -> None:
    args = size_arguments(__doc__).parse_args()

    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import penstat as ps

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    client = Client(cluster)
    print(f"load average {os.getloadavg()}", flush=True)
    rows: list = []
    g = dd.from_pandas(frame(args.n, "gaussian"), npartitions=args.partitions)
    common = dict(nfolds=5, seed=1, select="cv_min")
    ratios = [0.25, 0.5, 0.75, 1.0]
    ps.fit("y ~ .", g, select="bic")  # warm-up: the workers' imports, not timed
    timed("gaussian CV, l1_ratio=1", lambda: ps.fit("y ~ .", g, **common), rows)
    one = timed(
        "gaussian CV, l1_ratio list of 4",
        lambda: ps.fit("y ~ .", g, penalty="elasticnet", l1_ratio=ratios, **common),
        rows,
    )[0]
    alone = timed(
        "gaussian CV, the 4 mixes as 4 fits",
        lambda: [
            ps.fit("y ~ .", g, penalty="elasticnet", l1_ratio=r, **common) for r in ratios
        ],
        rows,
    )
    best = alone[ratios.index(one.l1_ratio)]
    gap = float(np.max(np.abs(np.asarray(one.path.coefs) - best.path.coefs)))
    print(f"  search vs separate fit of the chosen mix: max |coef diff| {gap:.1e}")
    timed("gaussian CV, relax=True", lambda: ps.fit("y ~ .", g, relax=True, **common), rows)

    b = dd.from_pandas(frame(args.n_binomial, "binomial"), npartitions=args.partitions)
    bopt = dict(family="binomial", nlambda=args.nlambda, **common)
    bratios = [0.5, 0.75, 1.0]
    timed("binomial CV, l1_ratio=1", lambda: ps.fit("y ~ .", b, **bopt), rows)
    timed(
        "binomial CV, l1_ratio list of 3 (lockstep)",
        lambda: ps.fit("y ~ .", b, penalty="elasticnet", l1_ratio=bratios, **bopt),
        rows,
    )
    timed(
        "binomial CV, the 3 mixes as 3 fits",
        lambda: [
            ps.fit("y ~ .", b, penalty="elasticnet", l1_ratio=r, **bopt) for r in bratios
        ],
        rows,
    )
    fit = ps.fit("y ~ .", b, family="binomial", nlambda=args.nlambda, select="bic")
    before = fit.passes
    t0 = time.perf_counter()
    fit.bootstrap(n_boot=8, seed=2)
    wall = time.perf_counter() - t0
    rows.append(("binomial Poisson bootstrap, 8 replicates", wall, fit.passes - before, 0))
    print(f"binomial bootstrap 8 replicates {wall:8.2f} s  passes {fit.passes - before}")
    print(f"load average {os.getloadavg()}", flush=True)
    print("\n| run | wall | passes |\n|---|---|---|")
    for label, wall, passes, _ in rows:
        print(f"| {label} | {wall:.1f} s | {passes} |")
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
