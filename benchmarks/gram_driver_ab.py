"""Benchmark: the binomial pass statistics and the lockstep driver of
``penstat/solver/gram.py`` at another revision (A, default ``main``) against this
tree's (B), side by side in one process.

A is the module's source at ``--base`` (``git show REV:penstat/solver/gram.py``),
loaded beside this tree's; both import the rest of penstat from this tree. Rounds
alternate A and B, one BLAS thread, CPU seconds of the process (the median over
``--reps`` rounds). Timed:

* ``irls_pass_stats_folds`` of the 11 problems of 10-fold CV (the full data and
  each fold's training rows, every one at its own point) on ``--rows`` rows x
  ``--p`` columns: one partition's statistics of a Dask IRLS pass;
* ``binomial_path_groups`` on ``--path-rows`` rows, the full path and its 10 folds
  in lockstep, ``--nlambda`` lambdas, each pass served in process.

Both must give the same numbers bit for bit (the table says whether they do) and
the driver the same number of passes.

    python benchmarks/gram_driver_ab.py
    python benchmarks/gram_driver_ab.py --base 3f35b04 --rows 100000

Not a test; the machine it runs on (and its load) is said with the table.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import limit_threads_from_argv  # noqa: E402

limit_threads_from_argv(1)

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def load_revision(rev: str):
    """``penstat.solver.gram`` as it was at ``rev``, as a module of its own."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:penstat/solver/gram.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(source)
    try:
        spec = importlib.util.spec_from_file_location("_gram_at_revision", f.name)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    finally:
        os.unlink(f.name)
    return module


def cv_data(n: int, p: int, nfold: int, seed: int):
    rng = np.random.default_rng(seed)
    X = np.asfortranarray(rng.standard_normal((n, p)))
    beta = np.zeros(p)
    beta[:5] = [1.0, -0.8, 0.6, -0.4, 0.2]
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ beta)))).astype(float)
    w = rng.uniform(0.5, 2.0, n)
    fold = rng.integers(0, nfold, n)
    return X, y, w, fold, beta


def stats_vector(s) -> np.ndarray:
    return np.concatenate(
        [s.xx.ravel(), s.xy, s.x_mean, [s.y_mean, s.yy, s.extra, s.sum_w, s.n_rows]]
    )


def time_ab(a, b, reps: int) -> tuple[list[float], list[float], object, object]:
    """CPU seconds of ``a()`` and ``b()`` alternating, and their last results."""
    ta, tb, ra, rb = [], [], None, None
    for r in range(reps):
        for which, fn, times in (
            (("a", a, ta), ("b", b, tb))
            if r % 2 == 0
            else (
                ("b", b, tb),
                ("a", a, ta),
            )
        ):
            c0 = time.process_time()
            out = fn()
            times.append(time.process_time() - c0)
            if which == "a":
                ra = out
            else:
                rb = out
    return ta, tb, ra, rb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="main", help="revision A (default main)")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--p", type=int, default=50)
    parser.add_argument("--path-rows", type=int, default=5_000)
    parser.add_argument("--nlambda", type=int, default=30)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    args = parser.parse_args()

    from penstat.solver import gram as gram_b
    from penstat.spec import FitSpec

    gram_a = load_revision(args.base)
    rows = []

    # one partition's statistics of an IRLS pass: 11 problems at their own points
    X, y, w, fold, beta = cv_data(args.rows, args.p, 10, seed=0)
    rng = np.random.default_rng(1)
    reqs = [(k, -0.1, beta + 0.02 * rng.standard_normal(args.p)) for k in range(11)]
    ta, tb, ra, rb = time_ab(
        lambda: gram_a.irls_pass_stats_folds(X, y, w, None, fold, reqs),
        lambda: gram_b.irls_pass_stats_folds(X, y, w, None, fold, reqs),
        args.reps,
    )
    same = all(
        np.array_equal(stats_vector(sa), stats_vector(sb))
        for sa, sb in zip(ra, rb, strict=True)
    )
    rows.append(
        (f"irls_pass_stats_folds, {args.rows} x {args.p}, 11 problems", ta, tb, same, "")
    )

    # the lockstep driver: the full path and its 10 folds
    X, y, w, fold, _ = cv_data(args.path_rows, args.p, 10, seed=2)
    spec = FitSpec(family="binomial", nlambda=args.nlambda)

    def driver(module):
        stats = module.GramStats.from_arrays
        base = [stats(X, y, w)] + [
            stats(X[fold != k], y[fold != k], w[fold != k]) for k in range(10)
        ]

        def run_pass(requests):
            return module.irls_pass_stats_folds(
                X, y, w, None, fold, [(k, b0, b) for (_, k), b0, b in requests]
            )

        return module.binomial_path_groups([(base, spec)], run_pass)

    ta, tb, ra, rb = time_ab(lambda: driver(gram_a), lambda: driver(gram_b), args.reps)
    (paths_a, passes_a), (paths_b, passes_b) = ra, rb
    same = passes_a == passes_b and all(
        np.array_equal(pa.coefs, pb.coefs)
        and np.array_equal(pa.intercepts, pb.intercepts)
        and np.array_equal(pa.lambdas, pb.lambdas)
        for pa, pb in zip(paths_a[0], paths_b[0], strict=True)
    )
    rows.append(
        (
            f"binomial_path_groups, {args.path_rows} x {args.p}, 11 problems, "
            f"{args.nlambda} lambdas",
            ta,
            tb,
            same,
            f"{passes_a} / {passes_b}",
        )
    )

    print(f"A = {args.base}, B = this tree; load average {os.getloadavg()}")
    print("| call | A CPU s | B CPU s | B / A | bit-identical | passes A / B |")
    print("|---|--:|--:|--:|---|---|")
    for label, ta, tb, same, passes in rows:
        a, b = float(np.median(ta)), float(np.median(tb))
        print(f"| {label} | {a:.4f} | {b:.4f} | {b / a:.3f} | {same} | {passes} |")


if __name__ == "__main__":
    main()
