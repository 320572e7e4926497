# ruff: noqa: E501
"""Benchmark: peak memory of cross-validation, bootstrap, stability selection and the
l1_ratio search, in multiples of the size of X.

Run by hand (never in CI), each case in its own child process:

    python benchmarks/memory.py                       # the default sizes
    python benchmarks/memory.py --n 400000 --p 100 --family gaussian --cases cv1,cv2
    python benchmarks/memory.py --n 200000 --cases cv2 --backend loky  # a process backend
    python benchmarks/memory.py --n 200000 --cases cv2 --allocator both  # side by side

The child makes X and y, imports penstat, then samples, every 20 ms, the
proportional set size (PSS: shared pages divided among the processes mapping them)
summed over itself and every process it started (joblib's workers), while one
resampling call runs. The table reports the rise of that sum over its value just
before the call, divided by the bytes of X: a call that copies X once more adds 1.0.
The data the call reads (X, y and, for a formula fit, its design and data frame) is
in the baseline. With no joblib backend configured, the resampling tasks run in
threads of the calling process and read its X in place; with ``--backend loky`` (a
process backend), joblib shares X with its workers through a memory-mapped file,
and the workers' share of its pages is counted.

``--allocator``: ``mapped`` (default) leaves penstat's own choice, numpy's large
arrays of a resampling task in memory mappings of their own (``penstat._taskmem``);
``glibc`` turns that off in the child (numpy's default allocator, glibc's malloc),
and ``both`` runs each case both ways, one after the other, to compare them side by
side. The CPU seconds (all threads of the child, during the call) are printed beside
the wall seconds: on a shared machine they are the fairer comparison.

The module imports penstat from ``PYTHONPATH`` as set by the caller, so the same
script measures two trees side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    """
    import json, sys, threading, time, warnings
    import numpy as np, psutil
    warnings.simplefilter("ignore")
    case, family, n, p, nlambda, backend, allocator = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
    import contextlib, joblib
    import pandas as pd
    import penstat as ps
    import penstat._runner
    if allocator == "glibc":
        penstat._runner._taskmem = None
    from penstat.engine import run
    from penstat.solver.fit import checked
    from penstat.spec import SelectSpec

    def tree_pss():
        me = psutil.Process()
        total = 0
        for proc in [me] + me.children(recursive=True):
            try:
                total += proc.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        return total

    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((n, p)))
    eta = X[:, :5] @ np.array([1.0, -1.0, 0.5, 0.5, -0.5])
    if family == "gaussian":
        y = eta + rng.standard_normal(n)
    else:
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    jobs = int(case[-1])
    kind = case[:-1]
    fit = None
    if kind in ("boot", "bbic", "stab"):
        df = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
        df.insert(0, "y", y)
        rule = dict(select="bic") if kind == "bbic" else dict(select="cv_min", nfolds=10)
        fit = ps.lasso("y ~ .", df, family=family, nlambda=nlambda, seed=0, progress=False, n_jobs=1,
                       **rule)
        del df
    Xa, ya, spec = checked(X, y, family=family, nlambda=nlambda)

    def call():
        if kind == "cv":
            run(Xa, ya, spec, SelectSpec(rule="cv_min", nfolds=10, seed=0, n_jobs=jobs, progress=False))
        elif kind == "l1r":
            run(Xa, ya, spec, SelectSpec(rule="cv_min", nfolds=10, seed=0, n_jobs=jobs, progress=False, l1_ratios=(0.5, 1.0)))
        elif kind in ("boot", "bbic"):
            fit.bootstrap(2, seed=0, n_jobs=jobs, progress=False)
        elif kind == "stab":
            fit.stability_selection(2, cutoff=0.75, pfer=1, seed=0, n_jobs=jobs, progress=False)

    config = contextlib.nullcontext() if backend == "default" else joblib.parallel_config(backend=backend)
    if jobs > 1 and backend != "default":
        # start the workers (and their imports) before the baseline: the table counts
        # the data the call adds, not the interpreters
        with joblib.parallel_config(backend=backend):
            joblib.Parallel(n_jobs=jobs)(joblib.delayed(__import__)("penstat.engine") for _ in range(4))
    import gc; gc.collect()
    base = tree_pss()
    peak = [base]
    done = threading.Event()
    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], tree_pss())
            time.sleep(0.02)
    t = threading.Thread(target=sample, daemon=True); t.start()
    start, cpu = time.perf_counter(), time.process_time()
    with config:
        call()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    done.set(); t.join()
    print("RESULT", json.dumps({"base": base, "peak": peak[0], "x_bytes": X.nbytes, "seconds": elapsed, "cpu": cpu}))
    """
)

CASES = {
    "cv1": "10-fold CV, 1 job",
    "cv2": "10-fold CV, 2 jobs",
    "l1r1": "l1_ratio search (0.5, 1), 10-fold CV, 1 job",
    "l1r2": "l1_ratio search (0.5, 1), 10-fold CV, 2 jobs",
    "boot1": "bootstrap, 2 replicates with 10-fold CV inside, 1 job",
    "boot2": "bootstrap, 2 replicates with 10-fold CV inside, 2 jobs",
    "bbic1": "bootstrap, 2 replicates with BIC inside, 1 job",
    "bbic2": "bootstrap, 2 replicates with BIC inside, 2 jobs",
    "stab1": "stability selection, 2 complementary pairs, 1 job",
    "stab2": "stability selection, 2 complementary pairs, 2 jobs",
}


def run_case(
    case: str,
    family: str,
    n: int,
    p: int,
    nlambda: int,
    timeout: float,
    backend: str,
    allocator: str = "mapped",
):
    argv = [case, family, str(n), str(p), str(nlambda), backend, allocator]
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": (proc.stderr or proc.stdout)[-400:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", default="gaussian")
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--p", type=int, default=100)
    parser.add_argument("--nlambda", type=int, default=30)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--backend",
        default="default",
        help="joblib backend of the call ('default': none configured, penstat's own choice)",
    )
    parser.add_argument(
        "--allocator",
        default="mapped",
        choices=["mapped", "glibc", "both"],
        help="numpy's allocator in the resampling tasks: penstat's mappings (default), "
        "numpy's default (glibc's malloc), or both side by side",
    )
    args = parser.parse_args()
    gib = args.n * args.p * 8 / 2**30
    print(
        f"{args.label} {args.family} X {args.n} x {args.p} ({gib:.2f} GiB), "
        f"nlambda {args.nlambda}, backend {args.backend}"
    )
    allocators = ["mapped", "glibc"] if args.allocator == "both" else [args.allocator]
    print("| case | allocator | peak rise / size of X | seconds | CPU seconds |")
    print("|---|---|---|---|---|")
    for case in args.cases.split(","):
        for allocator in allocators:
            out = run_case(
                case,
                args.family,
                args.n,
                args.p,
                args.nlambda,
                args.timeout,
                args.backend,
                allocator,
            )
            if "error" in out:
                error = out["error"].splitlines()[-1] if out["error"] else "?"
                print(f"| {CASES[case]} | {allocator} | failed: {error} | | |")
                continue
            rise = (out["peak"] - out["base"]) / out["x_bytes"]
            print(
                f"| {CASES[case]} | {allocator} | {rise:.2f} | {out['seconds']:.1f} "
                f"| {out['cpu']:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
