"""Benchmark: bootstrap stability with CV inside every replicate, penstat against R.

Run by hand (never in CI):

    python benchmarks/bootstrap.py            # n_boot = 200 on the (1000, 100) problem
    python benchmarks/bootstrap.py --n-boot 50 --jobs 1,2

penstat: ``ps.lasso("y ~ .", df, select="cv_1se")`` then
``fit.bootstrap(n_boot)`` (10-fold CV re-run in each replicate), with
1 and 2 jobs. R: the equivalent loop of ``cv.glmnet`` on resampled rows, timed inside
R. Both report selection frequencies; the largest difference between the two is
printed as a sanity check (different random resamples, so only roughly equal).
BLAS is limited to one thread per process.
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

from benchmarks import _common  # noqa: E402
from benchmarks.problems import make_problem  # noqa: E402


def run_penstat(prob, n_boot: int, n_jobs: int, seed: int) -> dict:
    try:
        import pandas as pd

        import penstat as ps

        cols = {f"x{j + 1}": prob.X[:, j] for j in range(prob.X.shape[1])}
        df = pd.DataFrame({"y": prob.y, **cols})
        fit = ps.lasso("y ~ .", df, family=prob.family, select="cv_1se", seed=seed)
        start = time.perf_counter()
        result = fit.bootstrap(
            n_boot=n_boot, fixed_lam=False, seed=seed, n_jobs=n_jobs, progress=False
        )
        elapsed = time.perf_counter() - start
    except ImportError as exc:
        return {"status": f"missing ({exc.name})"}
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        return {"status": f"failed: {type(exc).__name__}: {exc}"[:200]}
    freq = selection_frequency(result, list(cols))
    return {"status": "ok", "time": elapsed, "freq": freq}


def selection_frequency(result, columns: list[str]) -> np.ndarray | None:
    """Per-column selection frequency from a BootstrapResult (its ``columns`` table)."""
    try:
        freq = result.columns["freq"]
        return np.array([float(freq[c]) for c in columns])
    except Exception:  # noqa: BLE001 - the frequency check is optional
        return None


def run_r(prob, n_boot: int, seed: int) -> dict:
    n, p = prob.X.shape

    def read(tmp, proc):
        if proc.returncode != 0:
            return _common.r_failed(proc)
        elapsed = float((tmp / "time.txt").read_text())
        freq = np.array([float(v) for v in (tmp / "freq.txt").read_text().split()])
        return {"status": "ok", "time": elapsed, "freq": freq}

    args = [n, p, prob.family, n_boot, seed]
    return _common.run_r_script(
        "glmnet_bootstrap.R", _common.xy_files(prob.X, prob.y), args, read
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-boot", type=int, default=200)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--p", type=int, default=100)
    parser.add_argument("--rho", type=float, default=0.5)
    parser.add_argument("--kind", default="gaussian_lasso")
    parser.add_argument("--jobs", default="1,2", help="comma-separated n_jobs for penstat")
    parser.add_argument("--no-r", action="store_true", help="skip the R loop")
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    prob = make_problem(args.n, args.p, args.rho, args.kind, seed=args.seed)
    results = {}
    for jobs in [int(j) for j in args.jobs.split(",")]:
        results[f"penstat, {jobs} job{'s' if jobs > 1 else ''}"] = run_penstat(
            prob, args.n_boot, jobs, args.seed
        )
        print(f"{prob.name} penstat n_jobs={jobs}: {results[list(results)[-1]]['status']}")
    if not args.no_r:
        results["R cv.glmnet loop, 1 process"] = run_r(prob, args.n_boot, args.seed)

    first = next(iter(results.values()))
    base = first["time"] if first["status"] == "ok" else None
    r_freq = results.get("R cv.glmnet loop, 1 process", {}).get("freq")
    rows = []
    for name, res in results.items():
        if res["status"] != "ok":
            rows.append([name, res["status"], "", "", ""])
            continue
        t = res["time"]
        per = t / args.n_boot
        ratio = f"{t / base:.2f}x" if base else ""
        diff = ""
        if res.get("freq") is not None and r_freq is not None and name[0] != "R":
            diff = f"{np.max(np.abs(res['freq'] - r_freq)):.2f}"
        rows.append([name, f"{t:.3g} s", f"{per * 1000:.1f} ms", ratio, diff])
    header = (
        f"Machine: {_common.machine_description()}; BLAS threads per process: "
        f"{args.threads}. Problem: {prob.name}, {args.n_boot} bootstrap replicates, "
        "10-fold CV with the 1-SE rule inside each.\n\n"
    )
    table = _common.markdown_table(
        ["run", "total", "per replicate", "time / first row", "max |freq - R freq|"],
        rows,
    )
    text = header + table + "\n"
    _common.write_report(text, args.out, "bootstrap")


if __name__ == "__main__":
    main()
