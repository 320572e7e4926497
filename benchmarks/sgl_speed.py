"""Benchmark: the sparse-group lasso path of two source trees side by side (A/B).

For the convergence of the sparse-group lasso (``fit_path(..., groups=...,
l1_within=0.5)``) on equicorrelated columns (rho 0.3, groups of 5, 10 true effects,
noise sd 1), where block coordinate descent alone crawls at the small lambdas.
Build both trees in place (``python setup.py build_ext --inplace``), then

    python benchmarks/sgl_speed.py --a /path/to/tree-before --b /path/to/tree-after

Each round runs one process per tree, A then B; each times every size's
``fit_path`` (CPU seconds of the process, the best of ``--repeats``, one BLAS
thread, after one untimed call on the smallest problem) and records the sweeps
(``n_iter`` summed over the path). The table gives each tree's best CPU time, the
ratio B / A, the sweeps, and how far the paths are apart: the largest relative
difference of the penalized objective per lambda (on the kernel's standardized
scale), B minus A (negative: B lower).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import limit_threads_from_argv  # noqa: E402

limit_threads_from_argv(1)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

SIZES = [(200, 100), (333, 165), (666, 330), (1000, 500)]
K, A_L1 = 5, 0.5


def problem(n: int, p: int):
    rng = np.random.default_rng(0)
    X = np.sqrt(0.7) * rng.standard_normal((n, p)) + np.sqrt(0.3) * rng.standard_normal(
        (n, 1)
    )
    beta = np.zeros(p)
    beta[: 2 * K] = rng.standard_normal(2 * K)
    y = X @ beta + rng.standard_normal(n)
    return X, y, np.repeat(np.arange(p // K), K)


def objectives(X, y, groups, path) -> np.ndarray:
    """The penalized objective per lambda on the kernel's scale (standardized columns,
    centred response of sd 1; group weights sqrt(5), column factors 1)."""
    xs, ys = X.std(0), y.std()
    Xs, yc = (X - X.mean(0)) / xs, (y - y.mean()) / ys
    b = path.coefs * xs / ys
    lams = path.lambdas / ys
    loss = 0.5 * np.mean((yc[:, None] - Xs @ b.T) ** 2, axis=0)
    norms = np.sqrt(np.stack([np.bincount(groups, weights=r * r) for r in b]))
    pen = (1 - A_L1) * np.sqrt(K) * norms.sum(1) + A_L1 * np.abs(b).sum(1)
    return loss + lams * pen


def worker(root: str, repeats: int) -> None:
    sys.path.insert(0, root)
    import penstat

    assert Path(penstat.__file__).resolve().is_relative_to(Path(root).resolve())
    out = {}
    X, y, groups = problem(*SIZES[0])
    penstat.fit_path(X, y, groups=groups, l1_within=A_L1)  # untimed: first-call costs
    for n, p in SIZES:
        X, y, groups = problem(n, p)
        best = np.inf
        for _ in range(repeats):
            start = time.process_time()
            path = penstat.fit_path(X, y, groups=groups, l1_within=A_L1)
            best = min(best, time.process_time() - start)
        out[f"{n} x {p}"] = {
            "cpu": best,
            "sweeps": int(np.sum(path.n_iter)),
            "max_sweeps": int(np.max(path.n_iter)),
            "obj": objectives(X, y, groups, path).tolist(),
        }
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", required=True, help="tree A (before)")
    parser.add_argument("--b", required=True, help="tree B (after)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.repeats)
        return

    from _common import machine_description, markdown_table, write_report

    best: dict[str, dict] = {"A": {}, "B": {}}
    loads = []
    for r in range(args.rounds):
        for label, root in (("A", args.a), ("B", args.b)):
            cmd = [sys.executable, __file__, "--a", args.a, "--b", args.b,
                   "--worker", root, "--repeats", str(args.repeats),
                   "--threads", str(args.threads)]  # fmt: skip
            out = subprocess.run(cmd, capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"tree {label} ({root}) failed:\n{out.stderr}")
            for name, rec in json.loads(out.stdout.splitlines()[-1]).items():
                old = best[label].get(name)
                if old is None or rec["cpu"] < old["cpu"]:
                    best[label][name] = rec
            loads.append(os.getloadavg()[0])
            print(f"round {r + 1} {label}: load {loads[-1]:.1f}", flush=True)
    rows = []
    for name in best["A"]:
        a, b = best["A"][name], best["B"][name]
        oa, ob = np.array(a["obj"]), np.array(b["obj"])
        gap = (ob - oa) / np.abs(oa)
        rows.append([name, f"{a['cpu']:.3f}", f"{b['cpu']:.3f}",
                     f"{b['cpu'] / a['cpu']:.3f}", f"{a['sweeps']} ({a['max_sweeps']})",
                     f"{b['sweeps']} ({b['max_sweeps']})",
                     f"{gap[np.argmax(np.abs(gap))]:.1e}"])  # fmt: skip
    header = ["n x p", "A: CPU s", "B: CPU s", "B / A", "A: sweeps (max per lambda)",
              "B: sweeps (max per lambda)", "objective B - A (relative)"]  # fmt: skip
    text = (
        f"Machine: {machine_description()} (shared; load {min(loads):.1f} to "
        f"{max(loads):.1f}); {args.rounds} rounds, best of {args.repeats} per round, "
        f"one BLAS thread; l1_within = {A_L1}, groups of {K}, rho 0.3.\n\n"
        + markdown_table(header, rows)
        + "\n"
    )
    write_report(text, args.out, "sgl-speed")


if __name__ == "__main__":
    main()
