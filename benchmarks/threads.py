# ruff: noqa: E501
"""Benchmark: BLAS threads and penstat's solver calls, default environment against
one pinned thread.

Run by hand (never in CI):

    python benchmarks/threads.py [--repeats 5]

Each setting runs in its own child process, one after the other in the same run:
``default`` leaves OpenBLAS's thread count as the machine sets it (one per core),
``pinned`` sets ``OPENBLAS_NUM_THREADS=1`` (and the other BLAS variables) before
numpy is imported. Timed: a gaussian lasso path on a (2000, 200) problem (median of
``--repeats``), and a bootstrap of 20 replicates with 10-fold CV inside each on a
(1000, 100) problem, with 1 and 2 jobs. The child imports penstat from
``PYTHONPATH``, so two trees can be compared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

CHILD = textwrap.dedent(
    """
    import json, statistics, sys, time, warnings
    import numpy as np, pandas as pd
    warnings.simplefilter("ignore")
    import penstat as ps
    from threadpoolctl import threadpool_info
    repeats = int(sys.argv[1])
    rng = np.random.default_rng(0)
    cov = 0.5 ** np.abs(np.subtract.outer(np.arange(200), np.arange(200)))
    X = rng.multivariate_normal(np.zeros(200), cov, size=2000)
    y = X[:, :10] @ rng.standard_normal(10) + rng.standard_normal(2000)
    ps.fit_path(X[:100], y[:100])  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter(); ps.fit_path(X, y); times.append(time.perf_counter() - start)
    out = {"path": statistics.median(times)}
    Xb = X[:1000, :100]
    df = pd.DataFrame(Xb, columns=[f"x{j}" for j in range(100)]).assign(y=y[:1000])
    fit = ps.lasso("y ~ .", df, select="cv_1se", seed=0, progress=False)
    for jobs in (1, 2):
        start = time.perf_counter()
        fit.bootstrap(20, seed=1, n_jobs=jobs, progress=False)
        out[f"boot{jobs}"] = time.perf_counter() - start
    out["blas_threads"] = max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
    print("RESULT", json.dumps(out))
    """
)


def run(setting: str, repeats: int) -> dict:
    env = dict(os.environ)
    for var in THREAD_VARS:
        env.pop(var, None)
        if setting == "pinned":
            env[var] = "1"
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(repeats)],
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(proc.stderr[-800:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    print(
        f"| {args.label} BLAS | threads | path (2000, 200) | bootstrap 20, 1 job | 2 jobs |"
    )
    print("|---|---|---|---|---|")
    for setting in ("default", "pinned"):
        out = run(setting, args.repeats)
        print(
            f"| {setting} | {out['blas_threads']} | {out['path']:.3f} s | "
            f"{out['boot1']:.2f} s | {out['boot2']:.2f} s |",
            flush=True,
        )


if __name__ == "__main__":
    main()
