"""The Dask backend at scale: a CV lasso on Parquet files larger than the workers'
memory, timed against a plain Dask column-sum pass over the same files.

Writes ``n`` rows x 50 numeric columns (plus the response) as Parquet files of
``--rows-per-file`` rows, starts a ``LocalCluster`` of 2 worker processes (one thread
each) whose memory limit is below the data size, fits ``y ~ .`` with 10-fold CV
(gaussian, and binomial with ``--family both`` / ``binomial``), and reports the wall
time, the passes over the data, the time per pass, the peak resident memory of the
workers, and the time of ``ddf.sum().compute()`` (one plain pass). Target: a fit's
time per pass within 2x of the plain pass.

    python benchmarks/dask_scale.py                  # n = 1e7 (about 4 GB of rows)
    python benchmarks/dask_scale.py --n 5e7          # about 20 GB
    python benchmarks/dask_scale.py --n 2e6 --family both

Not a test; the machine it runs on is said with the table.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import resource
import shutil
import sys
import tempfile
import time

# benchmarks/sparse.py would shadow the sparse package Dask imports
_HERE = pathlib.Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if pathlib.Path(p or ".").resolve() != _HERE]

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

P = 50


def write_files(root: pathlib.Path, n: int, rows_per_file: int, family: str, seed: int = 0):
    """Parquet files of a sparse linear model (5 true columns of 50)."""
    rng = np.random.default_rng(seed)
    beta = np.zeros(P)
    beta[:5] = [1.0, -0.8, 0.6, -0.4, 0.2]
    root.mkdir(parents=True, exist_ok=True)
    for i, start in enumerate(range(0, n, rows_per_file)):
        m = min(rows_per_file, n - start)
        X = rng.standard_normal((m, P))
        eta = X @ beta
        if family == "gaussian":
            y = eta + rng.standard_normal(m)
        else:
            y = (rng.random(m) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
        cols = {f"x{j + 1}": X[:, j] for j in range(P)}
        cols["y"] = y
        pq.write_table(pa.table(cols), root / f"part-{i:05d}.parquet")
    return n * (P + 1) * 8


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run(args) -> list[dict]:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import penstat as ps

    n = int(float(args.n))
    families = ["gaussian", "binomial"] if args.family == "both" else [args.family]
    rows = []
    tmp = pathlib.Path(args.dir or tempfile.mkdtemp(prefix="penstat-dask-"))
    try:
        for family in families:
            root = tmp / family
            t0 = time.perf_counter()
            nbytes = write_files(root, n, args.rows_per_file, family)
            t_write = time.perf_counter() - t0
            limit = int(max(args.memory_fraction * nbytes, args.min_memory * 2**20))
            with (
                LocalCluster(
                    n_workers=2,
                    threads_per_worker=1,
                    processes=True,
                    memory_limit=limit,
                    dashboard_address=None,
                ) as cluster,
                Client(cluster) as client,
            ):
                ddf = dd.read_parquet(str(root))
                t0 = time.perf_counter()
                ddf.sum().compute()
                t_sum = time.perf_counter() - t0
                t0 = time.perf_counter()
                fit = ps.fit(
                    "y ~ .",
                    ddf,
                    family=family,
                    select="cv_1se",
                    seed=1,
                    nlambda=args.nlambda,
                )
                t_fit = time.perf_counter() - t0
                peak = max(client.run(_peak_rss).values())
            rows.append(
                {
                    "family": family,
                    "n": n,
                    "data_MB": nbytes / 2**20,
                    "files": ddf.npartitions,
                    "worker_limit_MB": limit / 2**20,
                    "write_s": t_write,
                    "fit_s": t_fit,
                    "passes": fit.passes,
                    "s_per_pass": t_fit / fit.passes,
                    "sum_pass_s": t_sum,
                    "ratio": t_fit / fit.passes / t_sum,
                    "peak_worker_MB": peak / 2**20,
                    "nlambda": len(fit.path.lambdas),
                    "selected": len(fit.selected),
                }
            )
            print(_table(rows[-1:]), flush=True)
    finally:
        if args.dir is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return rows


def _table(rows: list[dict]) -> str:
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for r in rows:
        cells = [f"{v:.3g}" if isinstance(v, float) else str(v) for v in r.values()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--n", default="1e7", help="rows (default 1e7; 5e7 for the big run)"
    )
    parser.add_argument(
        "--family", default="gaussian", choices=["gaussian", "binomial", "both"]
    )
    parser.add_argument("--rows-per-file", type=int, default=50_000)
    parser.add_argument("--nlambda", type=int, default=100)
    parser.add_argument(
        "--memory-fraction",
        type=float,
        default=0.3,
        help="each worker's memory limit as a fraction of the data size",
    )
    parser.add_argument(
        "--min-memory", type=float, default=700, help="MB, floor of the limit"
    )
    parser.add_argument("--dir", default=None, help="where to write the files (kept)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    rows = run(args)
    print()
    print(_table(rows))


if __name__ == "__main__":
    main()
