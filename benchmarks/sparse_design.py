"""Building a design with many-level factors: patsy's dense matrix, penstat's sparse
blocks (``sparse=True``) and formulaic's sparse output, and the lasso fit on each.

Each build runs in a child process so its peak memory (max RSS) is its own. The
data: n rows, three factors of ``--levels`` levels each and two numeric columns.

    python benchmarks/sparse_design.py                 # n = 100,000, 1000 levels
    python benchmarks/sparse_design.py --n 20000 --fit # and time the CV lasso

Not run in CI.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time

import numpy as np
import pandas as pd
from _common import markdown_table


def frame(n: int, levels: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {f"f{k}": rng.integers(0, levels, n).astype(str) for k in range(3)}
        | {"x1": rng.normal(size=n), "x2": rng.normal(size=n)}
    )
    effect = (df.f0 == "3") * 1.5 - (df.f1 == "7") * 1.0
    df["y"] = df.x1 + effect + rng.normal(size=n)
    return df


FORMULA = "y ~ x1 + x2 + f0 + f1 + f2"


def _child(kind: str, n: int, levels: int, fit: bool, out) -> None:
    import penstat as ps
    from penstat.design import build_design

    df = frame(n, levels)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    if kind == "formulaic":
        import formulaic

        X = formulaic.model_matrix(FORMULA.split("~")[1], df, output="sparse")
        shape = X.shape
    else:
        d = build_design(FORMULA, df, sparse=kind == "penstat sparse")
        shape = d.X.shape
    build = time.perf_counter() - t0
    t_fit = None
    if fit and kind != "formulaic":
        t0 = time.perf_counter()
        ps.fit(FORMULA, df, sparse=kind == "penstat sparse", seed=0, n_jobs=1)
        t_fit = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.put(
        {
            "build": kind,
            "shape": list(shape),
            "build_s": round(build, 3),
            "fit_s": None if t_fit is None else round(t_fit, 2),
            "peak_rise_MiB": round((peak - base) / 1024, 1),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--levels", type=int, default=1000)
    parser.add_argument("--fit", action="store_true", help="also time ps.fit (CV)")
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    rows = []
    for kind in ("patsy dense", "penstat sparse", "formulaic"):
        queue = ctx.Queue()
        proc = ctx.Process(target=_child, args=(kind, args.n, args.levels, args.fit, queue))
        proc.start()
        rows.append(queue.get())
        proc.join()
    print(json.dumps({"n": args.n, "levels": args.levels}))
    header = list(rows[0])
    print(markdown_table(header, [[str(r[k]) for k in header] for r in rows]))


if __name__ == "__main__":
    main()
