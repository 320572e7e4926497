"""Simulation: coverage of multi-split intervals, penstat's against R's hdi, on the
same data sets.

Run by hand (never in CI; needs R with glmnet and hdi):

    python benchmarks/split_hdi.py                          # 50 data sets per scenario
    python benchmarks/split_hdi.py --reps 20 --scenarios gauss-p20-rho0
    python benchmarks/split_hdi.py --selector cv             # hdi's default lasso.cv

The data sets are the first ``--reps`` replicates of ``benchmarks/coverage.py``'s
scenarios (same seeds, so penstat's rows equal that study's ``split`` rows for these
replicates): the lasso at the scenario's fixed lambda, then
``fit.inference("split", level, n_splits=B)``. R's ``hdi::multi.split`` runs on the
same X and y (``benchmarks/split_hdi.R``) with B splits, its least-squares refit and
``ci.level = level``, selecting with the lasso at the same fixed lambda (glmnet;
``--selector fixed``, the default) or with its own default, the cross-validated
lasso (``--selector cv``). The splits themselves are drawn independently by each
(numpy's and R's generators), so the two agree in distribution, not data set by data
set. Every column's interval is checked against the true coefficient; coverage is
pooled over columns and data sets, with the data set as the unit of its Monte Carlo
standard error (:func:`benchmarks.coverage.cluster_se`), and reported also over the
active and the inactive columns, with the share of infinite intervals.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import limit_threads_from_argv  # noqa: E402

THREADS = limit_threads_from_argv(default=1)

import argparse  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.coverage import SCENARIOS, Scenario, cluster_se, draw  # noqa: E402

R_SCRIPT = Path(__file__).with_name("split_hdi.R")


def penstat_split(scenario: Scenario, seed, x, y, level: float, splits: int):
    """penstat's split intervals of one data set, as ``coverage.replicate`` runs them
    (the method's seed: the first child of the replicate's seed)."""
    import penstat as ps

    names = [f"x{j + 1}" for j in range(scenario.p)]
    frame = pd.DataFrame(x, columns=names)
    frame["y"] = y
    fit = ps.lasso("y ~ .", frame, family=scenario.family, lam=scenario.lam)
    if not fit.selected:
        return None
    child = seed.spawn(1)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit.inference(
            "split", level=level, seed=child, n_jobs=1, progress=False, n_splits=splits
        )
    table = res.table.reindex(names)
    return table["ci_lower"].to_numpy(), table["ci_upper"].to_numpy()


def run(scenario: Scenario, reps: int, level: float, splits: int, selector: str, seed):
    k = list(SCENARIOS).index(scenario.name)  # coverage.py's seed of the scenario
    seeds = np.random.SeedSequence([seed, k]).spawn(reps)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.process_time()
        for r, s in enumerate(seeds):
            x, _, y = draw(scenario, np.random.default_rng(s))
            np.asfortranarray(x).ravel(order="F").astype("<f8").tofile(tmp / f"x_{r}.bin")
            y.astype("<f8").tofile(tmp / f"y_{r}.bin")
            got = penstat_split(scenario, s, x, y, level, splits)
            if got is not None:
                for j, (lo, hi) in enumerate(zip(*got, strict=True)):
                    rows.append(("penstat", r, j, lo, hi))
        penstat_cpu = time.process_time() - start
        pd.DataFrame(
            {
                "n": [scenario.n],
                "p": [scenario.p],
                "reps": [reps],
                "lam": [repr(scenario.lam)],
                "B": [splits],
                "level": [level],
                "gamma_min": [0.05],
                "selector": [selector],
            }
        ).to_csv(tmp / "meta.csv", index=False)
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            ["Rscript", str(R_SCRIPT), str(tmp)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        r_wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        r_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise RuntimeError(f"split_hdi.R failed:\n{done.stderr[-2000:]}")
        hdi = pd.read_csv(tmp / "hdi.csv")
    for row in hdi.itertuples():
        rows.append(("hdi", row.replicate, row.column - 1, row.lci, row.uci))
    frame = pd.DataFrame(rows, columns=["who", "replicate", "column", "lo", "hi"])
    beta = scenario.beta
    frame["covered"] = (frame["lo"] <= beta[frame["column"]]) & (
        beta[frame["column"]] <= frame["hi"]
    )
    frame["active"] = beta[frame["column"]] != 0
    frame["infinite"] = ~np.isfinite(frame["hi"] - frame["lo"])
    times = {"penstat": penstat_cpu, "hdi": r_cpu, "hdi_wall": r_wall}
    return frame, times


def summarize(scenario: Scenario, frame: pd.DataFrame, selector: str) -> list[dict]:
    out = []
    for who, part in frame.groupby("who", sort=False):
        label = "penstat" if who == "penstat" else f"hdi ({selector} lambda)"
        entry = {"scenario": scenario.name, "implementation": label}
        entry["replicates"] = part["replicate"].nunique()
        entry["coverage"] = part["covered"].mean()
        entry["se"] = cluster_se(part["covered"], part["replicate"])
        for kind, mask in (("active", part["active"]), ("inactive", ~part["active"])):
            sub = part[mask]
            entry[kind] = sub["covered"].mean()
            entry[f"{kind}_se"] = cluster_se(sub["covered"], sub["replicate"])
            entry[f"{kind}_inf"] = sub["infinite"].mean()
        finite = part[~part["infinite"]]
        entry["width"] = (
            float(np.median(finite["hi"] - finite["lo"])) if len(finite) else np.nan
        )
        out.append(entry)
    return out


def markdown(results: list[dict], level: float) -> str:
    pct = f"{100 * level:g}%"
    lines = [
        f"| scenario | implementation | data sets | {pct} coverage, all columns (cluster "
        "s.e.) | active columns | inactive columns | infinite intervals: active / "
        "inactive | median finite width |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        lines.append(
            f"| {r['scenario']} | {r['implementation']} | {r['replicates']} | "
            f"{r['coverage']:.3f} ({r['se']:.3f}) | {r['active']:.3f} "
            f"({r['active_se']:.3f}) | {r['inactive']:.4f} ({r['inactive_se']:.4f}) | "
            f"{r['active_inf']:.2f} / {r['inactive_inf']:.3f} | {r['width']:.3g} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=50, help="data sets per scenario")
    parser.add_argument(
        "--scenarios", default="gauss-p20-rho0,gauss-p200-rho0", help="comma-separated"
    )
    parser.add_argument("--level", type=float, default=0.9)
    parser.add_argument("--splits", type=int, default=50, help="B, for both")
    parser.add_argument("--selector", choices=("fixed", "cv"), default="fixed")
    parser.add_argument("--seed", type=int, default=2024, help="coverage.py's seed")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    parser.add_argument("--rows", type=Path, help="write every interval to this CSV")
    args = parser.parse_args(argv)
    results, frames = [], []
    for name in args.scenarios.split(","):
        scenario = SCENARIOS[name]
        frame, times = run(
            scenario, args.reps, args.level, args.splits, args.selector, args.seed
        )
        frames.append(frame.assign(scenario=name))
        results += summarize(scenario, frame, args.selector)
        print(
            f"{name}: penstat {times['penstat']:.1f} s CPU (fits, splits, writing the "
            f"data), R {times['hdi']:.1f} s CPU ({times['hdi_wall']:.0f} s wall, with "
            "R's start and loading hdi)",
            file=sys.stderr,
        )
    header = (
        f"Multi-split {100 * args.level:g}% intervals, penstat and hdi::multi.split "
        f"on the same data sets (coverage.py's first {args.reps} replicates, seed "
        f"{args.seed}), B = {args.splits}, lasso at the scenario's fixed lambda "
        f"(hdi: {args.selector} selector)."
    )
    table = markdown(results, args.level)
    print(header + "\n\n" + table)
    if args.out is not None:
        args.out.write_text(header + "\n\n" + table + "\n", encoding="utf-8")
    if args.rows is not None:
        pd.concat(frames).to_csv(args.rows, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
