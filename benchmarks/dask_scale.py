"""The Dask backend at scale: a CV lasso on Parquet files larger than the workers'
memory, each pass timed against a plain Dask column-sum pass over the same files.

Writes ``n`` rows x 50 numeric columns and two responses (``y`` gaussian, ``yb``
0/1 from a logistic model) as Parquet files of ``--rows-per-file`` rows, starts a
``LocalCluster`` of 2 worker processes (one thread each) whose memory limit is below
the data size, and fits ``y ~ x1 + ... + x50`` (gaussian) and ``yb ~ ...``
(binomial) with 10-fold CV. Every pass over the data is timed by kind (levels, fold
statistics, IRLS step, held-out scores); the plain pass is ``ddf.sum().compute()``,
timed before, between and after the fits (the mean of the two around a fit is its
reference). Reported: the wall
time, the passes, the time of each kind of pass against the plain pass, and the peak
resident memory of the workers. Target: a fit's time per pass within 2x of the plain
pass.

``--max-irls-passes N`` stops a binomial fit after N IRLS passes: its time per
pass is measured, and the pass count of the whole fit is taken from the same
driver (:func:`penstat.solver.gram.binomial_paths_by_passes`) run in this process on
the first ``--mem-n`` rows (the count depends on the data's model, little on n).
``--mem-n`` rows are also fitted in memory (pandas), for the time against the
Dask fit of the same rows.

    python benchmarks/dask_scale.py --n 1e7
    python benchmarks/dask_scale.py --n 5e7 --max-irls-passes 3
    python benchmarks/dask_scale.py --n 1e6 --mem-n 1e6
    python benchmarks/dask_scale.py --profile     # CPU time of a pass's steps

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
BETA = np.r_[1.0, -0.8, 0.6, -0.4, 0.2, np.zeros(P - 5)]
RHS = " + ".join(f"x{j + 1}" for j in range(P))
FORMULA = {"gaussian": "y ~ " + RHS, "binomial": "yb ~ " + RHS}
_KINDS = {
    "_facts_task": "levels",
    "_fold_stats_task": "fold stats",
    "_irls_task": "IRLS",
    "_score_task": "scores",
}


def make_rows(rng: np.random.Generator, m: int) -> dict[str, np.ndarray]:
    """``m`` rows of a sparse linear model (5 true columns of 50), both responses.

    The draws are made column by column (a ``(P, m)`` block), so every column is
    one contiguous array that Arrow takes without a copy."""
    X = rng.standard_normal((P, m))
    eta = BETA @ X
    cols = {f"x{j + 1}": X[j] for j in range(P)}
    cols["y"] = eta + rng.standard_normal(m)
    cols["yb"] = (rng.random(m) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    return cols


def write_files(root: pathlib.Path, n: int, rows_per_file: int, seed: int = 0) -> int:
    """Parquet files of ``n`` rows; returns the bytes of the float64 values.

    One generator draw per file, written by Arrow without compression or
    dictionaries (random doubles do not compress), no pandas in between."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    for i, start in enumerate(range(0, n, rows_per_file)):
        m = min(rows_per_file, n - start)
        pq.write_table(
            pa.table(make_rows(rng, m)),
            root / f"part-{i:05d}.parquet",
            compression="none",
            use_dictionary=False,
        )
    return n * (P + 2) * 8


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def workers_cpu(client) -> float:
    """CPU seconds used so far by the worker processes, summed."""
    return float(sum(client.run(_cpu).values()))


class _Stop(Exception):
    pass


class PassClock:
    """Times every ``Scan.run`` (one pass) by the kind of its task; stops a fit
    after ``max_irls`` IRLS passes when given."""

    def __init__(self, max_irls: int | None = None, client=None):
        self.max_irls = max_irls
        self.client = client
        self.times: list[tuple[str, float]] = []
        self.cpu: list[tuple[str, float]] = []

    def __enter__(self):
        from penstat.distributed import passes

        self._orig = passes.Scan.run
        clock = self

        def run(scan, func, shared, combine, starts=None):
            kind = _KINDS.get(getattr(func, "__name__", ""), "other")
            if (
                kind == "IRLS"
                and clock.max_irls is not None
                and sum(k == "IRLS" for k, _ in clock.times) >= clock.max_irls
            ):
                raise _Stop
            c0 = workers_cpu(clock.client) if clock.client else 0.0
            t0 = time.perf_counter()
            out = clock._orig(scan, func, shared, combine, starts)
            clock.times.append((kind, time.perf_counter() - t0))
            c1 = workers_cpu(clock.client) if clock.client else 0.0
            clock.cpu.append((kind, c1 - c0))
            print(
                f"  pass {len(clock.times)} ({kind}): {clock.times[-1][1]:.1f} s, "
                f"workers' CPU {c1 - c0:.1f} s",
                flush=True,
            )
            return out

        passes.Scan.run = run
        return self

    def __exit__(self, *exc):
        from penstat.distributed import passes

        passes.Scan.run = self._orig
        return False

    def by_kind(self, cpu: bool = False) -> dict[str, tuple[int, float]]:
        out: dict[str, list[float]] = {}
        for kind, t in self.cpu if cpu else self.times:
            out.setdefault(kind, []).append(t)
        return {k: (len(v), float(np.mean(v))) for k, v in out.items()}


def count_binomial_passes(n_rows: int, nlambda: int, seed: int = 0) -> int:
    """The passes a 10-fold CV binomial fit makes on ``n_rows`` rows of the same
    model: the Dask fit's driver run in this process (IRLS passes, plus the levels,
    fold statistics and scores passes)."""
    from penstat.distributed.design import hash_folds
    from penstat.solver.gram import (
        GramStats,
        binomial_paths_by_passes,
        irls_pass_stats_folds,
    )
    from penstat.spec import FitSpec

    cols = make_rows(np.random.default_rng(seed), n_rows)
    X = np.asfortranarray(np.column_stack([cols[f"x{j + 1}"] for j in range(P)]))
    y = cols["yb"]
    fold = hash_folds(np.arange(n_rows), 10, 1)
    stats = [GramStats.from_arrays(X[fold == k], y[fold == k]) for k in range(10)]
    base = [GramStats.merge_all(stats)] + [
        GramStats.merge_all([s for j, s in enumerate(stats) if j != k]) for k in range(10)
    ]
    spec = FitSpec.build(n_rows, P, family="binomial", nlambda=nlambda)
    _, passes = binomial_paths_by_passes(
        base,
        spec,
        lambda req: irls_pass_stats_folds(X, y, None, None, fold, req),
    )
    return passes + 3


def plain_pass(ddf, client=None) -> tuple[float, float]:
    """Wall and workers' CPU seconds of ``ddf.sum().compute()``."""
    c0 = workers_cpu(client) if client else 0.0
    t0 = time.perf_counter()
    ddf.sum().compute()
    took = time.perf_counter() - t0
    cpu = (workers_cpu(client) - c0) if client else float("nan")
    print(f"  plain pass: {took:.1f} s, workers' CPU {cpu:.1f} s", flush=True)
    return took, cpu


def in_memory(root: pathlib.Path, n_rows: int, family: str, nlambda: int) -> float:
    """Seconds of the in-memory fit of the first ``n_rows`` rows (pandas)."""
    import pandas as pd

    import penstat as ps

    frames, got = [], 0
    for f in sorted(root.glob("*.parquet")):
        frames.append(pd.read_parquet(f))
        got += len(frames[-1])
        if got >= n_rows:
            break
    df = pd.concat(frames, ignore_index=True).iloc[:n_rows]
    t0 = time.perf_counter()
    ps.fit(FORMULA[family], df, family=family, select="cv_1se", seed=1, nlambda=nlambda)
    return time.perf_counter() - t0


def run(args) -> list[dict]:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import penstat as ps

    n = int(float(args.n))
    families = ["gaussian", "binomial"] if args.family == "both" else [args.family]
    rows = []
    tmp = pathlib.Path(args.dir or tempfile.mkdtemp(prefix="penstat-dask-"))
    root = tmp / "data"
    try:
        t0 = time.perf_counter()
        if args.keep and root.exists():
            nbytes = n * (P + 2) * 8
        else:
            nbytes = write_files(root, n, args.rows_per_file)
        print(
            f"wrote {nbytes / 2**20:.0f} MB in {time.perf_counter() - t0:.0f} s", flush=True
        )
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
            # plain passes before, between and after the fits: each fit's reference
            # is the mean of the one before it and the one after it
            before = plain_pass(ddf, client)
            for family in families:
                t_sum = [before]
                clock = PassClock(
                    args.max_irls_passes if family == "binomial" else None, client
                )
                stopped = False
                t0 = time.perf_counter()
                with clock:
                    try:
                        fit = ps.fit(
                            FORMULA[family],
                            ddf,
                            family=family,
                            select="cv_1se",
                            seed=1,
                            nlambda=args.nlambda,
                        )
                    except _Stop:
                        stopped, fit = True, None
                t_fit = time.perf_counter() - t0
                before = plain_pass(ddf, client)
                t_sum.append(before)
                peak = max(client.run(_peak_rss).values())
                plain = float(np.mean([t for t, _ in t_sum]))
                plain_cpu = float(np.mean([c for _, c in t_sum]))
                kinds = clock.by_kind()
                kinds_cpu = clock.by_kind(cpu=True)
                measured = len(clock.times)
                if stopped:
                    total = count_binomial_passes(int(float(args.mem_n)), args.nlambda)
                    per_pass = t_fit / measured
                    irls_s = kinds["IRLS"][1]
                    est = sum(t for _, t in clock.times) + irls_s * (total - measured)
                else:
                    total, per_pass, est = fit.passes, t_fit / fit.passes, t_fit
                row = {
                    "family": family,
                    "n": n,
                    "data_MB": nbytes / 2**20,
                    "files": ddf.npartitions,
                    "worker_limit_MB": limit / 2**20,
                    "fit_s": t_fit if not stopped else float("nan"),
                    "fit_s_estimated": est,
                    "passes": total,
                    "passes_run": measured,
                    "s_per_pass": per_pass,
                    "plain_pass_s": plain,
                    "ratio": per_pass / plain,
                    "plain_pass_cpu_s": plain_cpu,
                    "peak_worker_MB": peak / 2**20,
                }
                for kind, (count, mean) in kinds.items():
                    row[f"{kind} ratio (x{count})"] = mean / plain
                for kind, (_, mean) in kinds_cpu.items():
                    row[f"{kind} CPU ratio"] = mean / plain_cpu
                if fit is not None and family == "binomial":
                    row["lambda_1se"] = float(fit.lam)
                rows.append(row)
                print(_table(rows[-1:]), flush=True)
        if args.mem_n and not args.no_in_memory:
            m = int(float(args.mem_n))
            for family in families:
                t_mem = in_memory(root, m, family, args.nlambda)
                print(f"in memory, {family}, {m} rows: {t_mem:.1f} s", flush=True)
                rows[families.index(family)]["in_memory_rows"] = m
                rows[families.index(family)]["in_memory_s"] = t_mem
    finally:
        if args.dir is None or not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        if args.dir is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return rows


def profile_partition(rows: int, reps: int = 5) -> list[dict]:
    """CPU seconds (``time.process_time``, one BLAS thread, median of ``reps``) of
    each step of a pass on one partition of ``rows`` rows, in this process: the
    plain pass's read and sum, the coding of the partition, the gaussian fold
    statistics, and the binomial IRLS statistics of the 11 problems (full data and
    10 folds) one problem at a time (``irls_pass_stats`` on each problem's rows)
    and together (``irls_pass_stats_folds``), with the 11 Gram products alone."""
    import dataclasses

    import dask.dataframe as dd
    import pandas as pd
    from threadpoolctl import threadpool_limits

    import penstat as ps
    from penstat.solver.gram import GramStats, irls_pass_stats, irls_pass_stats_folds

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="penstat-dask-profile-"))
    try:
        write_files(tmp, rows, rows)
        f = next(tmp.glob("*.parquet"))
        part = pd.read_parquet(f)
        small = dd.from_pandas(part.iloc[:2000], npartitions=1)
        fit = ps.fit(FORMULA["binomial"], small, family="binomial", select="bic", nlambda=5)
        pdesign = dataclasses.replace(fit.partition_design, nfolds=10, seed=1)
        b = pdesign.block(part, 0)
        X, y, fold = b["X"], b["y"], b["fold"]
        rng = np.random.default_rng(0)
        reqs = [(k, -0.1, BETA + 0.02 * rng.standard_normal(P)) for k in range(11)]
        A = np.asfortranarray(rng.standard_normal((int(0.9 * rows), P + 2)))

        def one_at_a_time():
            for k, b0, beta in reqs:
                r = np.ones(rows, bool) if k == 0 else fold != k - 1
                irls_pass_stats(X[r], y[r], None, None, b0, beta)

        steps = {
            "plain: read the file and sum": lambda: pd.read_parquet(f).sum(),
            "code the partition": lambda: pdesign.block(part, 0),
            "gaussian: 10 folds' statistics": lambda: [
                GramStats.from_arrays(X[fold == k], y[fold == k]) for k in range(10)
            ],
            "binomial: 11 problems, one at a time (two rounds ago)": one_at_a_time,
            "binomial: 11 problems together": lambda: irls_pass_stats_folds(
                X, y, None, None, fold, reqs
            ),
            "of which: 11 Gram products (0.9 rows x 52)": lambda: [
                A.T @ A for _ in range(11)
            ],
        }
        times: dict[str, list[float]] = {k: [] for k in steps}
        with threadpool_limits(1):
            for _ in range(reps):
                for name, fn in steps.items():
                    t0 = time.process_time()
                    fn()
                    times[name].append(time.process_time() - t0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    plain = float(np.median(times["plain: read the file and sum"]))
    return [
        {"step": k, "cpu_s": float(np.median(v)), "x plain": float(np.median(v)) / plain}
        for k, v in times.items()
    ]


def _table(rows: list[dict]) -> str:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for r in rows:
        cells = [
            f"{r[k]:.3g}" if isinstance(r.get(k), float) else str(r.get(k, ""))
            for k in keys
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--n", default="1e7", help="rows (default 1e7; 5e7 for the big run)"
    )
    parser.add_argument(
        "--family", default="both", choices=["gaussian", "binomial", "both"]
    )
    parser.add_argument("--rows-per-file", type=int, default=50_000)
    parser.add_argument("--nlambda", type=int, default=100)
    parser.add_argument(
        "--max-irls-passes",
        type=int,
        default=None,
        help="stop a binomial fit after this many IRLS passes (the rest estimated)",
    )
    parser.add_argument(
        "--mem-n",
        default="2e5",
        help="rows of the in-memory fit and of the in-process pass count",
    )
    parser.add_argument("--no-in-memory", action="store_true")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="only the CPU time of each step of a pass on one partition",
    )
    parser.add_argument(
        "--memory-fraction",
        type=float,
        default=0.3,
        help="each worker's memory limit as a fraction of the data size",
    )
    parser.add_argument(
        "--min-memory", type=float, default=700, help="MB, floor of the limit"
    )
    parser.add_argument("--dir", default=None, help="where to write the files")
    parser.add_argument(
        "--keep", action="store_true", help="keep the files in --dir (and reuse them)"
    )
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if args.profile:
        print(_table(profile_partition(args.rows_per_file)))
        return
    rows = run(args)
    print()
    print(_table(rows))


if __name__ == "__main__":
    main()
