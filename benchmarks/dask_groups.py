"""What the gaussian group lasso and sparse-group lasso cost on a Dask DataFrame,
beside the Dask lasso and the in-memory group fits, in the same run.

On a ``LocalCluster`` of 2 workers (one thread each, in this process), a Dask
DataFrame of ``--n`` rows x 40 numeric columns in ``--partitions`` partitions,
the columns put in 8 groups of 5 (``groups=`` merging the terms), 10-fold CV and
``nlambda=100``:

* Dask: the lasso (CV, the baseline), the group lasso (CV, BIC), the sparse-group
  lasso (``l1_within=0.5``, CV);
* in memory (the same frame as pandas, the Dask fit's folds): the group lasso and the
  sparse-group lasso (CV);
* the solve alone: the group path from the merged statistics
  (``gaussian_path_from_stats``) against ``solve()`` on the rows;
* binomial (``--n-binomial`` rows, the same columns and groups, 5-fold CV,
  ``nlambda=30``): the Dask lasso, the Dask group lasso and sparse-group lasso (IRLS
  by passes, the group kernel on each Newton model), and the in-memory group lasso.

Reports the median over ``--repeat`` runs (after a warm-up) of the wall time and
the CPU time of this process (the workers run in it), the passes, and the largest
difference of the Dask path from the in-memory one (relative to the largest
coefficient). Ratios are read side by side from the one run.

    python benchmarks/dask_groups.py
    python benchmarks/dask_groups.py --n 1000000

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

P, SIZE = 40, 5
REPEAT = 3


def binomial_frame(n: int, seed: int = 1) -> pd.DataFrame:
    df = frame(n, seed)
    eta = df["y"].to_numpy()
    df["y"] = (np.random.default_rng(seed).random(n) < 1 / (1 + np.exp(-eta))) * 1.0
    return df


def frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.standard_normal((n, 1))
    X = rng.standard_normal((n, P)) + 0.5 * common
    beta = np.zeros(P)
    beta[:SIZE] = [1.0, -0.8, 0.6, -0.4, 0.2]
    beta[2 * SIZE : 2 * SIZE + 2] = [0.5, -0.5]
    df = pd.DataFrame(X, columns=[f"x{j + 1}" for j in range(P)])
    df["y"] = X @ beta + rng.standard_normal(n)
    return df


def timed(label, make, rows, base=None):
    """Run ``make()`` ``REPEAT`` times; print and keep the median wall and CPU."""
    walls, cpus = [], []
    for _ in range(REPEAT):
        t0, c0 = time.perf_counter(), time.process_time()
        out = make()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    wall, cpu = float(np.median(walls)), float(np.median(cpus))
    ratio = "" if base is None else f"{cpu / rows[base][2]:.2f}"
    passes = getattr(out, "passes", "")
    rows.append((label, wall, cpu, passes, ratio))
    print(f"{label:55s} wall {wall:7.3f} s cpu {cpu:7.3f} s passes {passes!s:>3} "
          f"{ratio}", flush=True)  # fmt: skip
    return out


def gap(dfit, mfit) -> float:
    a, b = np.asarray(dfit.path.coefs), np.asarray(mfit.path.coefs)
    if a.shape != b.shape:
        return float("inf")
    return float(np.abs(a - b).max() / np.abs(b).max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--n-binomial", type=int, default=50_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3, help="runs per fit (median)")
    args = parser.parse_args()
    global REPEAT
    REPEAT = args.repeat

    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import penstat as ps
    from penstat.distributed import hash_folds
    from penstat.solver import solve
    from penstat.solver.gram import GramStats, gaussian_path_from_stats
    from penstat.spec import FitSpec

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    client = Client(cluster)
    print(f"load average before: {os.getloadavg()}", flush=True)
    names = [f"x{j + 1}" for j in range(P)]
    formula = "y ~ " + " + ".join(names)
    groups = {c: f"G{j // SIZE}" for j, c in enumerate(names)}
    df = frame(args.n)
    ddf = dd.from_pandas(df, npartitions=args.partitions).persist()
    hashed = df.assign(h=hash_folds(np.arange(len(df)), 10, 1))
    cv = dict(nfolds=10, seed=1, select="cv_min")
    mcv = dict(foldid="h", select="cv_min")
    grp = dict(penalty="group", groups=groups)
    rows: list = []

    ps.fit(formula, ddf, **cv)  # warm-up: imports and setup
    timed("Dask lasso, 10-fold CV", lambda: ps.fit(formula, ddf, **cv), rows)
    dg = timed("Dask group lasso, 10-fold CV",
               lambda: ps.fit(formula, ddf, **grp, **cv), rows, 0)  # fmt: skip
    sgl = dict(l1_within=0.5, **grp)
    ds = timed("Dask sparse-group lasso (l1_within=0.5), 10-fold CV",
               lambda: ps.fit(formula, ddf, **sgl, **cv), rows, 0)  # fmt: skip
    timed("Dask group lasso, BIC",
          lambda: ps.fit(formula, ddf, select="bic", **grp), rows, 0)  # fmt: skip
    mg = timed("in memory group lasso, 10-fold CV",
               lambda: ps.fit(formula, hashed, **grp, **mcv), rows, 0)  # fmt: skip
    ms = timed("in memory sparse-group lasso, 10-fold CV",
               lambda: ps.fit(formula, hashed, **sgl, **mcv), rows, 0)  # fmt: skip

    X = np.asfortranarray(df[names].to_numpy())
    y = df["y"].to_numpy()
    labels = np.repeat(np.arange(P // SIZE), SIZE)
    stats = GramStats.from_arrays(X, y)
    n = X.shape[0]
    for label, extra in (("group lasso", {}), ("sparse-group lasso", {"l1_within": 0.5})):
        spec = FitSpec.build(n, P, groups=labels, **extra)
        first = len(rows)
        timed(f"solve on the rows: {label} path", lambda s=spec: solve(X, y, s), rows)
        timed(f"from the statistics: {label} path",
              lambda s=spec: gaussian_path_from_stats(stats, s), rows, first)  # fmt: skip

    b = binomial_frame(args.n_binomial)
    bdf = dd.from_pandas(b, npartitions=args.partitions).persist()
    bh = b.assign(h=hash_folds(np.arange(len(b)), 5, 1))
    bcv = dict(family="binomial", nfolds=5, seed=1, select="cv_min", nlambda=30)
    bmcv = dict(family="binomial", foldid="h", select="cv_min", nlambda=30)
    first = len(rows)
    timed("binomial: Dask lasso, 5-fold CV", lambda: ps.fit(formula, bdf, **bcv), rows)
    bg = timed("binomial: Dask group lasso, 5-fold CV",
               lambda: ps.fit(formula, bdf, **grp, **bcv), rows, first)  # fmt: skip
    timed("binomial: Dask sparse-group lasso (l1_within=0.5), 5-fold CV",
          lambda: ps.fit(formula, bdf, **sgl, **bcv), rows, first)  # fmt: skip
    bm = timed("binomial: in memory group lasso, 5-fold CV",
               lambda: ps.fit(formula, bh, **grp, **bmcv), rows, first)  # fmt: skip
    print(f"load average after: {os.getloadavg()}", flush=True)
    print(f"binomial group lasso, Dask / in memory: path difference {gap(bg, bm):.1e} "
          f"(default tol), IRLS passes {bg.irls_passes}, same lambda "
          f"{bg.index == bm.index}")  # fmt: skip
    print(f"\nlargest path difference, Dask / in memory: group lasso {gap(dg, mg):.1e}, "
          f"sparse-group lasso {gap(ds, ms):.1e}; lambda chosen equal: "
          f"{dg.index == mg.index and ds.index == ms.index}")  # fmt: skip

    print("\n| fit | wall s | CPU s | passes | CPU / its baseline |")
    print("|---|---|---|---|---|")
    for label, wall, cpu, passes, ratio in rows:
        print(f"| {label} | {wall:.3f} | {cpu:.3f} | {passes} | {ratio or '1'} |")
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
