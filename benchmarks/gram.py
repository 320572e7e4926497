"""Benchmark: paths from sufficient statistics (``penstat.solver.gram``) against the
in-memory solver.

Run by hand (never in CI):

    python benchmarks/gram.py --quick     # small problems, well under a minute
    python benchmarks/gram.py             # the sizes of the performance page (once)

Gaussian: the time to make the statistics (``GramStats.from_arrays`` on blocks of
20000 rows, merged: what a pass over partitions does, here in one process), the
time of ``gaussian_path_from_stats`` on them, and the time of ``solve(X, y, spec)``
on the same Fortran-ordered X, at (n, p) = (200000, 50) and (50000, 500), glmnet's
default grid, tol 1e-7. Rows: equicorrelated normal columns (rho 0.5), 5 nonzero
coefficients, unit noise. Also the largest difference of the coefficients (relative
to the path's largest coefficient). Times are the best of ``--repeats`` runs.

Binomial: the number of passes ``binomial_paths_by_passes`` makes on glmnet's
default grid (tol 1e-7) with an in-memory ``run_pass``, for the full data alone and
for the full data with 5 CV folds in lockstep, and the lambdas fitted. BLAS is
limited to one thread.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import limit_threads_from_argv  # noqa: E402

THREADS = limit_threads_from_argv(default=1)

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from penstat.solver import solve  # noqa: E402
from penstat.solver.gram import (  # noqa: E402
    GramStats,
    binomial_paths_by_passes,
    gaussian_path_from_stats,
    irls_pass_stats,
)
from penstat.spec import FitSpec  # noqa: E402

BLOCK = 20_000


def design(n: int, p: int, seed: int, rho: float = 0.5):
    rng = np.random.default_rng(seed)
    X = np.sqrt(1 - rho) * rng.standard_normal((n, p)) + np.sqrt(rho) * rng.standard_normal(
        (n, 1)
    )
    beta = np.zeros(p)
    beta[:5] = [1.0, -0.8, 0.6, -0.4, 0.2]
    return np.asfortranarray(X), X @ beta, rng


def stats_by_blocks(X, y, w=None):
    n = X.shape[0]
    return GramStats.merge_all(
        GramStats.from_arrays(
            X[i : i + BLOCK], y[i : i + BLOCK], None if w is None else w[i : i + BLOCK]
        )
        for i in range(0, n, BLOCK)
    )


def best_of(repeats: int, fn):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def gaussian_row(n: int, p: int, repeats: int) -> str:
    X, eta, rng = design(n, p, seed=n + p)
    y = eta + rng.standard_normal(n)
    spec = FitSpec()
    t_stats, stats = best_of(repeats, lambda: stats_by_blocks(X, y))
    t_path, path = best_of(repeats, lambda: gaussian_path_from_stats(stats, spec))
    t_solve, ref = best_of(repeats, lambda: solve(X, y, spec))
    k = min(path.lambdas.size, ref.lambdas.size)
    diff = np.max(np.abs(path.coefs[:k] - ref.coefs[:k])) / np.max(np.abs(ref.coefs))
    return (
        f"| {n} x {p} | {t_stats:.3g} s | {t_path:.3g} s | {t_stats + t_path:.3g} s "
        f"| {t_solve:.3g} s | {path.lambdas.size} / {ref.lambdas.size} | {diff:.1e} |"
    )


class InMemoryPasses:
    """run_pass over numpy rows (each problem's rows in blocks of BLOCK, merged)."""

    def __init__(self, X, y, rows):
        self.X, self.y, self.rows = X, y, rows

    def __call__(self, requests):
        out = []
        for k, b0, beta in requests:
            r = self.rows[k]
            out.append(
                GramStats.merge_all(
                    irls_pass_stats(
                        self.X[r[i : i + BLOCK]],
                        self.y[r[i : i + BLOCK]],
                        None,
                        None,
                        b0,
                        beta,
                    )
                    for i in range(0, r.size, BLOCK)
                )
            )
        return out


def binomial_rows(n: int, p: int) -> list[str]:
    X, eta, rng = design(n, p, seed=7 * n + p)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    spec = FitSpec(family="binomial")
    folds = np.arange(n) % 5
    rows = [np.arange(n)] + [np.flatnonzero(folds != k) for k in range(5)]
    out = []
    for label, use in (("full data", rows[:1]), ("full + 5 folds", rows)):
        base = [stats_by_blocks(X[r], y[r]) for r in use]
        t0 = time.perf_counter()
        paths, passes = binomial_paths_by_passes(base, spec, InMemoryPasses(X, y, use))
        elapsed = time.perf_counter() - t0
        ref = solve(X, y, spec)
        path = paths[0]
        k = min(path.lambdas.size, ref.lambdas.size)
        diff = np.max(np.abs(path.coefs[:k] - ref.coefs[:k])) / np.max(np.abs(ref.coefs))
        out.append(
            f"| {n} x {p} | {label} | {passes} | {path.lambdas.size} | "
            f"{passes / path.lambdas.size:.2f} | {elapsed:.3g} s | {diff:.1e} |"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small problems")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default=None, help="BLAS threads (default 1)")
    args = parser.parse_args()
    sizes = [(20_000, 50), (5000, 200)] if args.quick else [(200_000, 50), (50_000, 500)]
    bsizes = [(5000, 20)] if args.quick else [(20_000, 50), (5000, 200)]
    print(f"BLAS threads: {THREADS}")
    print()
    print(
        "| n x p | statistics | path from stats | stats + path | solve() | lambdas "
        "| max coef diff |"
    )
    print("|---|---|---|---|---|---|---|")
    for n, p in sizes:
        print(gaussian_row(n, p, args.repeats), flush=True)
    print()
    print(
        "| n x p | problems | passes | lambdas | passes / lambda | time (in memory) "
        "| max coef diff vs solve() |"
    )
    print("|---|---|---|---|---|---|---|")
    for n, p in bsizes:
        for row in binomial_rows(n, p):
            print(row, flush=True)


if __name__ == "__main__":
    main()
