"""What the options a Dask fit no longer refuses cost, in passes and time, beside the
fit without them in the same run.

On a ``LocalCluster`` of 2 workers (one thread each, in this process), Dask
DataFrames of ``--n`` rows (gaussian) and ``--n-binomial`` rows (binomial) x 20
numeric columns in ``--partitions`` partitions, 5-fold CV, ``nlambda=--nlambda``:

* gaussian: CV; CV with ``na_action="raise"``; CV with ``cv_grid="glmnet"``; CV with
  an offset given as a Dask Series; the bootstrap of 20 replicates at the fit's
  lambda and with the rule in every replicate (``fixed_lam=False``);
* binomial: CV; CV with ``cv_grid="glmnet"``; the relaxed lasso (CV); BIC for the
  lasso and for the elastic net (``l1_ratio=0.5``, one more pass).

Reports the median over ``--repeat`` runs (after a warm-up fit) of the wall time
and the CPU time of this process (the workers run in it: every pass's work), the
passes and the IRLS passes. Ratios are read side by side from the one run.

    python benchmarks/dask_more_options.py
    python benchmarks/dask_more_options.py --n 400000 --n-binomial 100000

Not a test; the machine it runs on (and its load) is said with the table.
"""

from __future__ import annotations

import os
import pathlib
import sys
import time

# benchmarks/sparse.py would shadow the sparse package Dask imports: the repository
# root on the path instead, for benchmarks.dask_options
_HERE = pathlib.Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if pathlib.Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import numpy as np  # noqa: E402

from benchmarks.dask_options import P, frame, size_arguments  # noqa: E402

REPEAT = 3


def timed(label, make, rows, base=None):
    """Run ``make()`` (a fit, or a function of one returning the passes it added)
    ``REPEAT`` times; print and keep the median wall and CPU, passes and IRLS
    passes."""
    walls, cpus = [], []
    for _ in range(REPEAT):
        t0, c0 = time.perf_counter(), time.process_time()
        out = make()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    wall, cpu = float(np.median(walls)), float(np.median(cpus))
    if isinstance(out, tuple):  # (passes, irls) of a bootstrap
        passes, irls = out
    else:
        passes, irls = out.passes, out.irls_passes
    ratio = "" if base is None else f"{cpu / rows[base][2]:.2f}"
    rows.append((label, wall, cpu, passes, irls, ratio))
    print(f"{label:50s} wall {wall:7.2f} s cpu {cpu:7.2f} s passes {passes:4d} "
          f"irls {irls:4d} {ratio}", flush=True)  # fmt: skip
    return out


def main() -> None:
    parser = size_arguments(__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per fit (median)")
    args = parser.parse_args()
    global REPEAT
    REPEAT = args.repeat

    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import penstat as ps

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    client = Client(cluster)
    print(f"load average before: {os.getloadavg()}", flush=True)
    formula = "y ~ " + " + ".join(f"x{j + 1}" for j in range(P))
    rows: list = []

    g = dd.from_pandas(
        frame(args.n, "gaussian", base=True), npartitions=args.partitions
    ).persist()
    cv = dict(nfolds=5, seed=1, nlambda=args.nlambda, select="cv_min")
    ps.fit(formula, g, **cv)  # warm-up: the first fit pays for imports and setup
    timed("gaussian CV", lambda: ps.fit(formula, g, **cv), rows)
    timed("gaussian CV, na_action='raise'",
          lambda: ps.fit(formula, g, na_action="raise", **cv), rows, 0)  # fmt: skip
    timed("gaussian CV, cv_grid='glmnet'",
          lambda: ps.fit(formula, g, cv_grid="glmnet", **cv), rows, 0)  # fmt: skip
    timed("gaussian CV, offset a Dask Series",
          lambda: ps.fit(formula, g, offset=g["base"], **cv), rows, 0)  # fmt: skip
    fit = ps.fit(formula, g, **cv)

    def boot(fixed):
        before = fit.passes
        fit.bootstrap(n_boot=20, fixed_lam=fixed, seed=2)
        return fit.passes - before, 0

    timed("gaussian bootstrap 20, fixed_lam=True", lambda: boot(True), rows)
    timed("gaussian bootstrap 20, fixed_lam=False", lambda: boot(False), rows, 4)

    b = dd.from_pandas(
        frame(args.n_binomial, "binomial", base=True), npartitions=args.partitions
    ).persist()
    bcv = dict(family="binomial", **cv)
    first = len(rows)
    timed("binomial CV", lambda: ps.fit(formula, b, **bcv), rows)
    timed("binomial CV, cv_grid='glmnet'",
          lambda: ps.fit(formula, b, cv_grid="glmnet", **bcv), rows, first)  # fmt: skip
    timed("binomial relaxed lasso (CV)",
          lambda: ps.fit(formula, b, relax=True, **bcv), rows, first)  # fmt: skip
    bic = dict(family="binomial", nlambda=args.nlambda, select="bic")
    timed("binomial BIC, lasso", lambda: ps.fit(formula, b, **bic), rows)
    timed("binomial BIC, l1_ratio=0.5",
          lambda: ps.fit(formula, b, l1_ratio=0.5, penalty="elasticnet", **bic), rows,
          len(rows) - 1)  # fmt: skip
    print(f"load average after: {os.getloadavg()}", flush=True)

    print("\n| fit | wall s | CPU s | passes | IRLS passes | CPU / its baseline |")
    print("|---|---|---|---|---|---|")
    for label, wall, cpu, passes, irls, ratio in rows:
        print(f"| {label} | {wall:.2f} | {cpu:.2f} | {passes} | {irls} | {ratio or '1'} |")
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
