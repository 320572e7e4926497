"""Time of ``fit.inference("selective")`` on top of a fit at a fixed lambda, side by
side with R's ``selectiveInference::fixedLassoInf`` in the same run.

The problem is the shared simulation (Friedman, Hastie & Tibshirani 2010; equicorrelated
columns, rho 0.5) at (n, p) = (1000, 1000) by default, its columns standardized (mean
0, 1/n variance 1, so that glmnet's internal standardization changes nothing and
``fixedLassoInf``'s lambda is ``n * lam``), fitted once with ``ps.lasso(..., lam=...)``
at lambdas selecting about 10, 30 and 100 columns; each inference is timed (median of
``--repeats``, after one untimed warm-up call) with ``sigma`` given (the selective
stage alone: the polyhedron, the truncation bounds and one interval and p-value per
selected column), in wall clock and in the process's CPU time (what one idle core
would take on a shared machine); with ``--estimate-sigma`` also once with ``sigma``
estimated (which adds ``estimate_sigma``: with p >= n - 10, a 10-fold CV lasso).

R (when Rscript and selectiveInference are installed, unless ``--skip-r``):
``fixedLassoInf(x, y, beta, lambda = n * lam, sigma = 1)`` with penstat's solution
as ``beta`` (the same partial-coefficient target, intervals and p-values), timed
inside R (median of ``--repeats``) on one BLAS thread.

    python benchmarks/inference_selective.py                # (1000, 1000)
    python benchmarks/inference_selective.py --n 300 --p 300 --estimate-sigma
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import (  # noqa: E402
    limit_threads_from_argv,
    machine_description,
    markdown_table,
    median,
    rscript,
)

THREADS = limit_threads_from_argv()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from problems import simulate  # noqa: E402

import penstat as ps  # noqa: E402

R_TIMING = """
suppressMessages(library(selectiveInference))
x <- as.matrix(read.csv("{x}", header = FALSE))
y <- scan("{y}", quiet = TRUE)
fits <- read.csv("{fits}", header = FALSE)
n <- nrow(x)
for (k in seq_len(nrow(fits))) {{
  lam <- fits[k, 1]
  beta <- as.numeric(unlist(fits[k, -1]))
  times <- numeric({repeats})
  cpus <- numeric({repeats})
  for (r in seq_len({repeats})) {{
    t <- system.time(out <- fixedLassoInf(x, y, beta, lambda = n * lam, sigma = 1))
    times[r] <- t[["elapsed"]]
    cpus[r] <- t[["user.self"]] + t[["sys.self"]]
  }}
  cat(sprintf("%.6f %.6f %d\\n", median(times), median(cpus), length(out$vars)))
}}
"""


def have_selective_inference() -> bool:
    exe = rscript()
    if exe is None:
        return False
    probe = subprocess.run(
        [
            exe,
            "-e",
            "quit(status = !requireNamespace('selectiveInference', quietly = TRUE))",
        ],
        capture_output=True,
    )
    return probe.returncode == 0


def time_r(X: np.ndarray, y: np.ndarray, fits: list, repeats: int) -> list:
    """(median seconds, median CPU seconds, selected count) of fixedLassoInf per
    (lam, coef) of ``fits``."""
    with tempfile.TemporaryDirectory() as tmp_:
        tmp = Path(tmp_)
        np.savetxt(tmp / "x.csv", X, delimiter=",")
        np.savetxt(tmp / "y.txt", y)
        np.savetxt(
            tmp / "fits.csv", np.array([[lam, *b] for lam, b in fits]), delimiter=","
        )
        script = tmp / "timing.R"
        script.write_text(
            R_TIMING.format(
                x=tmp / "x.csv", y=tmp / "y.txt", fits=tmp / "fits.csv", repeats=repeats
            )
        )
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        res = subprocess.run(
            [rscript(), str(script)], capture_output=True, text=True, env=env
        )
    if res.returncode != 0:
        print(res.stderr[-2000:], file=sys.stderr)
        return [(float("nan"), float("nan"), -1)] * len(fits)
    lines = [line.split() for line in res.stdout.split("\n") if line]
    return [(float(t), float(c), int(k)) for t, c, k in lines]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--p", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-r", action="store_true")
    parser.add_argument(
        "--estimate-sigma",
        action="store_true",
        help="also time the run with sigma estimated (a CV lasso when p >= n - 10)",
    )
    args = parser.parse_args()
    X, y = simulate(args.n, args.p, 0.5, "gaussian", seed=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    cols = [f"x{j}" for j in range(args.p)]
    df = pd.DataFrame(X, columns=cols)
    df["y"] = y
    path = ps.fit_path(X, y, nlambda=200)
    rows, fits = [], []
    for target_df in (10, 30, 100):
        k = int(np.argmin(np.abs(path.df - target_df)))
        lam = float(path.lambdas[k])
        start = time.perf_counter()
        fit = ps.lasso("y ~ .", df, lam=lam)
        fit_time = time.perf_counter() - start
        fits.append((lam, fit.coef[cols].to_numpy(dtype=float)))
        fit.inference("selective", sigma=1.0)  # warm-up
        times, cpus = [], []
        for _ in range(args.repeats):
            start, cpu = time.perf_counter(), time.process_time()
            res = fit.inference("selective", sigma=1.0)
            times.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
        row = [
            f"{lam:.4g}",
            str(len(res.table)),
            f"{fit_time:.3f}",
            f"{median(times):.4f}",
            f"{median(cpus):.4f}",
        ]
        if args.estimate_sigma:
            start = time.perf_counter()
            est = fit.inference("selective")
            row.append(f"{time.perf_counter() - start:.3f} ({est.sigma_method})")
        rows.append(row)
    header = ["lam", "selected", "fit (s)", "selective (s)", "selective, CPU (s)"]
    if args.estimate_sigma:
        header.append("selective, sigma estimated (s)")
    if not args.skip_r and have_selective_inference():
        r_times = time_r(X, y, fits, args.repeats)
        for row, (t_r, c_r, k_r) in zip(rows, r_times, strict=True):
            ours, ours_cpu = float(row[3]), float(row[4])
            row += [
                f"{t_r:.4f}",
                f"{c_r:.4f}",
                str(k_r),
                f"{ours / t_r:.3f}",
                f"{ours_cpu / c_r:.3f}",
            ]
        header += ["R (s)", "R, CPU (s)", "R selected", "penstat / R", "penstat / R, CPU"]
    print(f"(n, p) = ({args.n}, {args.p}), BLAS threads {THREADS}")
    print(machine_description())
    print(f"load average {os.getloadavg()[0]:.1f} (shared machine)")
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
