"""CPU time of each step of one partition's pass, two versions of penstat side by
side: the plain read and sum, the read of the formula's columns, the levels task,
the coding of the partition, the gaussian fold statistics task and the binomial IRLS
task (11 problems, own Hessians), on one Parquet file of 50,000 rows x 50 columns
written as ``dask_scale.py`` writes them.

Each version runs in its own process (``PYTHONPATH`` its tree), the versions
alternating, ``--rounds`` processes each, each step's median of ``--repeats`` per
process; the table gives the median over the processes.

    python benchmarks/dask_pass_ab.py --before /tmp/old-tree --after .

Not a test; the machine it runs on is said with the table.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

_HERE = pathlib.Path(__file__).resolve().parent
# benchmarks/sparse.py would shadow the sparse package Dask imports
sys.path[:] = [p for p in sys.path if pathlib.Path(p or ".").resolve() != _HERE]

import numpy as np  # noqa: E402


def profile(path: str, repeats: int) -> dict[str, float]:
    """This process's penstat on the file ``path``: each step's median CPU seconds."""
    import dataclasses

    import dask.dataframe as dd
    import pandas as pd
    from threadpoolctl import threadpool_limits

    import penstat as ps
    from penstat.distributed import fit as F

    sys.path.append(str(_HERE))
    import dask_scale as ds

    part = pd.read_parquet(path)
    small = dd.from_pandas(part.iloc[:2000], npartitions=1)
    fitg = ps.fit(ds.FORMULA["gaussian"], small, select="bic", nlambda=5)
    fitb = ps.fit(ds.FORMULA["binomial"], small, family="binomial", select="bic", nlambda=5)
    pg = dataclasses.replace(fitg.partition_design, nfolds=10, seed=1)
    pb = dataclasses.replace(fitb.partition_design, nfolds=10, seed=1)
    rng = np.random.default_rng(0)
    reqs = [((0, k), -0.1, ds.BETA + 0.02 * rng.standard_normal(ds.P)) for k in range(11)]
    cols = list(dict.fromkeys(pb.used))
    steps = {
        "plain: read every column and sum": lambda: pd.read_parquet(path).sum(),
        "read the formula's columns": lambda: pd.read_parquet(path, columns=cols),
        "levels task": lambda: F._facts_task(part, 0, (pb.used, ["yb"])),
        "code the partition (binomial, 10 folds)": lambda: pb.block(part, 0),
        "fold statistics task (gaussian, 10 folds)": lambda: F._fold_stats_task(
            part, 0, (pg, 10, True)
        ),
        "IRLS task (11 problems, own Hessians)": lambda: F._irls_task(
            part, 0, (pb, reqs, None)
        ),
    }
    times: dict[str, list[float]] = {k: [] for k in steps}
    with threadpool_limits(1):
        for _ in range(repeats):
            for name, fn in steps.items():
                t0 = time.process_time()
                fn()
                times[name].append(time.process_time() - t0)
    return {k: float(np.median(v)) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="tree of the first version")
    parser.add_argument("--after", default=".", help="tree of the second version")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(profile(args.child, args.repeats)))
        return
    sys.path.append(str(_HERE))
    import dask_scale as ds

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="penstat-pass-ab-"))
    try:
        ds.write_files(tmp, args.rows, args.rows)
        path = str(next(tmp.glob("*.parquet")))
        trees = {"before": args.before, "after": args.after}
        res: dict[str, list[dict]] = {k: [] for k in trees}
        for r in range(args.rounds):
            for name, tree in trees.items():
                env = dict(
                    os.environ,
                    PYTHONPATH=str(pathlib.Path(tree).resolve()),
                    OMP_NUM_THREADS="1",
                )
                out = subprocess.run(
                    [sys.executable, __file__, "--before", "-", "--child", path,
                     "--repeats", str(args.repeats)],
                    env=env, capture_output=True, text=True, check=True,
                )  # fmt: skip
                res[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(name, r, res[name][-1], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    steps = list(res["before"][0])
    med = {n: {s: float(np.median([d[s] for d in res[n]])) for s in steps} for n in res}
    plain = {n: med[n][steps[0]] for n in med}
    print("| step | before CPU ms | after CPU ms | after / before | before / plain "
          "| after / plain |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for s in steps:
        b, a = med["before"][s], med["after"][s]
        print(
            f"| {s} | {b * 1e3:.1f} | {a * 1e3:.1f} | {a / b:.2f} | "
            f"{b / plain['before']:.2f} | {a / plain['after']:.2f} |"
        )


if __name__ == "__main__":
    main()
