"""Time of ``fit.inference("split")`` (multi-sample splitting) against R's
``hdi::multi.split`` on the riboflavin data, wall clock and CPU time, in one run.

    python benchmarks/inference_split.py              # B = 50, BLAS on one thread
    python benchmarks/inference_split.py --splits 10 --threads 0
    python benchmarks/inference_split.py --profile --splits 20 --skip-r
    python benchmarks/inference_split.py --repeat 2     # penstat, R, penstat, R

``--profile`` also runs the inference once under cProfile (CPU time) and prints where
it goes, by stage (the profiled run is slower than the timed one; the shares are what
it is for).

The data are read from R's hdi package (n = 71, p = 4088; a simulated problem of the
same shape without R, as ``benchmarks/inference.py``). penstat: ``ps.lasso("y ~ .",
select="cv_1se")`` then ``fit.inference("split", n_splits=B)`` on one job, timed
around the inference call; R: ``multi.split(x, y, B = B)`` (its defaults: a
``cv.glmnet`` lambda.1se selection per split, least-squares refits, intervals), timed
inside R. Both run on one core. The CPU time of each process (``time.process_time``,
R's ``user.self + sys.self``) is what one idle core would take, whatever else a shared
machine runs; the wall clock is printed beside it. On a loaded machine the CPU time
itself moves with the load (shared caches and cores), so ``--repeat N`` times both N
times, alternately, and prints each pair's ratio with the ratio of the minima.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import limit_threads_from_argv  # noqa: E402

THREADS = limit_threads_from_argv(default=1)

import argparse  # noqa: E402
import cProfile  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from inference import have_hdi, riboflavin_or_simulated  # noqa: E402

R_SPLIT = """
suppressMessages(library(hdi))
d <- read.csv("{data}")
y <- d[, 1]
x <- as.matrix(d[, -1])
set.seed(1)
t <- system.time(ms <- multi.split(x, y, B = {splits}))
cat(sprintf("%.6f %.6f %d\\n", t[["elapsed"]], t[["user.self"]] + t[["sys.self"]],
            sum(ms$pval.corr <= 0.05)))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-r", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    import penstat as ps

    use_r = not args.skip_r and have_hdi()
    with tempfile.TemporaryDirectory() as tmp_:
        tmp = Path(tmp_)
        df, name = riboflavin_or_simulated(tmp, use_r)
        fit = ps.lasso("y ~ .", df, select="cv_1se", seed=1)
        if use_r:
            data = tmp / "data.csv"
            df.to_csv(data, index=False)
            script = tmp / "split.R"
            script.write_text(R_SPLIT.format(data=data, splits=args.splits))
        runs = []
        for _ in range(max(1, args.repeat)):
            wall, cpu = time.perf_counter(), time.process_time()
            res = fit.inference(
                "split", n_splits=args.splits, seed=1, n_jobs=1, progress=False
            )
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            runs.append((cpu, wall) + (_time_r(script) if use_r else (np.nan, np.nan, -1)))
        found = int((res.table["p_adjusted"] <= 0.05).sum())
    cpu, wall, r_cpu, r_wall, r_found = runs[-1]
    if len(runs) > 1:
        print("| run | penstat CPU (s) | R hdi CPU (s) | ratio |")
        print("|---|---|---|---|")
        for k, (c, _, rc, _, _) in enumerate(runs, 1):
            print(f"| {k} | {c:.2f} | {rc:.2f} | {c / rc:.3f} |")
        cpu = min(r[0] for r in runs)
        r_cpu = min(r[2] for r in runs)
        wall = min(r[1] for r in runs)
        r_wall = min(r[3] for r in runs)
        print("\n(below: the minimum over the runs of each)\n")
    print(
        f"{name}, n = {df.shape[0]}, p = {df.shape[1] - 1}, B = {args.splits}; BLAS "
        f"threads {THREADS}; {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at the end (shared machine)\n"
    )
    print("| | penstat | R hdi | penstat / hdi |")
    print("|---|---|---|---|")
    print(f"| CPU time (s) | {cpu:.2f} | {r_cpu:.2f} | {cpu / r_cpu:.3f} |")
    print(f"| wall clock (s) | {wall:.2f} | {r_wall:.2f} | {wall / r_wall:.3f} |")
    print(
        f"| columns found (FWER 0.05) | {found} | {int(r_found)} | |\n\n"
        f"penstat: {res.details['n_failed']} failed splits"
    )
    if args.profile:
        profile(fit, args.splits)


def _time_r(script: Path) -> tuple[float, float, int]:
    """(CPU, wall, columns found) of R's multi.split, timed inside R."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(["Rscript", str(script)], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        return np.nan, np.nan, -1
    r_wall, r_cpu, r_found = (float(v) for v in out.stdout.split())
    return r_cpu, r_wall, int(r_found)


#: the stages of the profile: (label, function names as pstats keys them)
STAGES = (
    ("CD kernel (11 paths per split)", ("_run_kernel",)),
    ("standardized copies of the rows", ("_standardize",)),
    (
        "paths on the original scale (whole paths; CV folds: kept columns)",
        ("_to_path", "_to_compact"),
    ),
    ("held-out predictions", ("_predict_rows", "_predict_compact")),
    ("least-squares refits (statsmodels)", ("_refit",)),
    ("interval aggregation", ("aggregate_intervals",)),
    ("p-value aggregation", ("aggregate_pvalues",)),
)


def profile(fit, splits: int) -> None:
    """Where the CPU time of ``fit.inference("split")`` goes, by stage."""
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    fit.inference("split", n_splits=splits, seed=1, n_jobs=1, progress=False)
    prof.disable()
    stats = pstats.Stats(prof).stats
    total = max(v[3] for v in stats.values())
    print(f"\nprofile (cProfile, CPU), B = {splits}: {total:.2f} s in all\n")
    print("| stage | CPU (s) | share |")
    print("|---|---|---|")
    rest = total
    for label, names in STAGES:
        spent = sum(v[3] for (_, _, name), v in stats.items() if name in names)
        rest -= spent
        print(f"| {label} | {spent:.2f} | {spent / total:.0%} |")
    print(
        f"| the rest (fold bookkeeping, CV curves, Python) | {rest:.2f} "
        f"| {rest / total:.0%} |"
    )


if __name__ == "__main__":
    main()
