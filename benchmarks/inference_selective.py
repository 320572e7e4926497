"""Time of ``fit.inference("selective")`` on top of a fit at a fixed lambda.

The problem is the shared simulation (Friedman, Hastie & Tibshirani 2010; equicorrelated
columns, rho 0.5) at (n, p) = (1000, 1000) by default, fitted once with ``ps.lasso(...,
lam=...)`` at lambdas selecting about 10, 30 and 100 columns; each inference is timed
(median of ``--repeats``, after one untimed warm-up call) with ``sigma`` given (the
selective stage alone: the polyhedron, the truncation bounds and one interval and
p-value per selected column); with ``--estimate-sigma`` also once with ``sigma``
estimated (which adds ``estimate_sigma``: with p >= n - 10, a 10-fold CV lasso).

    python benchmarks/inference_selective.py                # (1000, 1000)
    python benchmarks/inference_selective.py --n 300 --p 300 --estimate-sigma
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import (  # noqa: E402
    limit_threads_from_argv,
    machine_description,
    markdown_table,
    median,
)

limit_threads_from_argv()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from problems import simulate  # noqa: E402

import penstat as ps  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--p", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--estimate-sigma",
        action="store_true",
        help="also time the run with sigma estimated (a CV lasso when p >= n - 10)",
    )
    args = parser.parse_args()
    X, y = simulate(args.n, args.p, 0.5, "gaussian", seed=0)
    cols = [f"x{j}" for j in range(args.p)]
    df = pd.DataFrame(X, columns=cols)
    df["y"] = y
    path = ps.fit_path(X, y, nlambda=200)
    rows = []
    for target_df in (10, 30, 100):
        k = int(np.argmin(np.abs(path.df - target_df)))
        lam = float(path.lambdas[k])
        start = time.perf_counter()
        fit = ps.lasso("y ~ .", df, lam=lam)
        fit_time = time.perf_counter() - start
        fit.inference("selective", sigma=1.0)  # warm-up
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            res = fit.inference("selective", sigma=1.0)
            times.append(time.perf_counter() - start)
        row = [f"{lam:.4g}", str(len(res.table)), f"{fit_time:.3f}", f"{median(times):.4f}"]
        if args.estimate_sigma:
            start = time.perf_counter()
            est = fit.inference("selective")
            row.append(f"{time.perf_counter() - start:.3f} ({est.sigma_method})")
        rows.append(row)
    header = [
        "lam",
        "selected",
        "fit (s)",
        "selective, sigma given (s)",
    ]
    if args.estimate_sigma:
        header.append("selective, sigma estimated (s)")
    print(f"(n, p) = ({args.n}, {args.p}), threads {args.threads}")
    print(machine_description())
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
