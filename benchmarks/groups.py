"""Benchmark: group lasso paths, penstat against adelie (Yang & Hastie).

Run by hand (never in CI):

    python benchmarks/groups.py --quick
    python benchmarks/groups.py --repeats 1
    python benchmarks/groups.py --adelie-python /work/adelie-venv/bin/python

Problems (rows x columns in equal groups; columns equicorrelated with correlation
0.3; the first four groups carry signal, normal coefficients; gaussian noise sd 1,
binomial through the logistic link):

- gauss_1000x1000_g5: 1000 x 1000 in 200 groups of 5
- gauss_10000x500_g10: 10000 x 500 in 50 groups of 10
- gauss_100x5000_g5: 100 x 5000 in 1000 groups of 5
- binom_5000x500_g10: binomial, 5000 x 500 in 50 groups of 10

Both solvers fit the same problem: penstat's group objective with
``standardize=False`` and adelie's ``grpnet`` (default weights 1/n, group penalty
sqrt(size)), an unpenalized intercept, at the same lambdas: penstat's default grid
(100 values down to 1e-2 of lambda_max, as adelie's ``min_ratio``, cut where
penstat's early stop ends it), given to both (adelie with ``early_exit=False``).
Equal precision: each solver is run at several tols (``--penstat-tols``,
``--adelie-tols``; adelie's ``tol`` and ``irls_tol`` together), the reference at
each lambda is the lowest objective any run of either solver reached, and each
solver is timed at the loosest tol whose worst relative gap over the path is at most
``--target`` (1e-6). Times are CPU seconds of the path (process time, the best of
``--repeats``), one thread (BLAS and adelie's ``n_threads``), so that the ratio
holds on a shared machine where wall-clock time depends on the other processes;
wall-clock seconds are printed beside them.

adelie pins numpy < 2, so it runs in its own environment (``--adelie-python``) in a
subprocess that reads the problem from .npy files; its time is measured inside
that process, around ``grpnet`` only. penstat's time is that of ``fit_path``
(validation and standardization included).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from penstat import fit_path  # noqa: E402

PROBLEMS = {
    "gauss_1000x1000_g5": ("gaussian", 1000, 1000, 5),
    "gauss_10000x500_g10": ("gaussian", 10000, 500, 10),
    "gauss_100x5000_g5": ("gaussian", 100, 5000, 5),
    "binom_5000x500_g10": ("binomial", 5000, 500, 10),
}
QUICK = {
    "gauss_1000x1000_g5": ("gaussian", 200, 200, 5),
    "gauss_10000x500_g10": ("gaussian", 1000, 100, 10),
    "gauss_100x5000_g5": ("gaussian", 50, 500, 5),
    "binom_5000x500_g10": ("binomial", 500, 100, 10),
}

ADELIE_RUNNER = r"""
import json, sys, time
import numpy as np
import adelie as ad
d = sys.argv[1]
X = np.asfortranarray(np.load(d + "/X.npy"))
y = np.load(d + "/y.npy")
lambdas = np.load(d + "/lambdas.npy")
meta = json.load(open(d + "/meta.json"))
starts = np.arange(0, X.shape[1], meta["size"])
out = {"version": ad.__version__, "times": [], "walls": []}
for k, tol in enumerate(meta["tols"]):
    best = None
    for _ in range(meta["repeats"]):
        glm = ad.glm.gaussian(y) if meta["family"] == "gaussian" else ad.glm.binomial(y)
        t0, c0 = time.perf_counter(), time.process_time()
        state = ad.grpnet(X, glm, groups=starts, lmda_path=lambdas, early_exit=False,
                          intercept=True, n_threads=1, progress_bar=False, tol=tol,
                          irls_tol=tol)
        t = (time.process_time() - c0, time.perf_counter() - t0)
        best = t if best is None else min(best, t)
    np.save(d + f"/adelie_coefs_{k}.npy", np.asarray(state.betas.toarray()))
    np.save(d + f"/adelie_intercepts_{k}.npy", np.asarray(state.intercepts))
    out["times"].append(best[0])
    out["walls"].append(best[1])
json.dump(out, open(d + "/adelie.json", "w"))
"""


def make(family, n, p, size, seed=0):
    rng = np.random.default_rng(seed)
    X = np.sqrt(0.7) * rng.standard_normal((n, p)) + np.sqrt(0.3) * rng.standard_normal(
        (n, 1)
    )
    beta = np.zeros(p)
    beta[: 4 * size] = rng.standard_normal(4 * size) * 0.5
    eta = X @ beta
    if family == "gaussian":
        y = eta + rng.standard_normal(n)
    else:
        y = rng.binomial(1, 1 / (1 + np.exp(-eta))).astype(float)
    return np.asfortranarray(X), y, np.repeat(np.arange(p // size), size)


def objective(X, y, b0, B, lambdas, groups, family):
    eta = X @ B.T + b0
    if family == "gaussian":
        loss = 0.5 * np.mean((y[:, None] - eta) ** 2, axis=0)
    else:
        loss = np.mean(np.logaddexp(0.0, eta) - y[:, None] * eta, axis=0)
    sizes = np.bincount(groups)
    norms = np.sqrt(np.array([np.bincount(groups, weights=b * b) for b in B]))
    return loss + lambdas * (norms @ np.sqrt(sizes))


def _chosen(tols, times, objs, low, target):
    """The loosest tol whose worst relative gap over the path is <= target (None if
    none is), with its time and gap; ``tols`` run from loose to tight."""
    gaps = [float(np.max((o - low) / np.abs(low))) for o in objs]
    for tol, t, gap in zip(tols, times, gaps, strict=True):
        if gap <= target:
            return tol, t, gap, gaps
    return None, None, None, gaps


def run(name, spec, repeats, adelie_python, penstat_tols, adelie_tols, target, save_ref):
    family, n, p, size = spec
    X, y, groups = make(family, n, p, size)
    grid = fit_path(
        X, y, family=family, groups=groups, standardize=False, lambda_min_ratio=1e-2
    ).lambdas
    times, walls, objs = [], [], []
    for tol in penstat_tols:
        best = None
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            path = fit_path(
                X, y, family=family, groups=groups, standardize=False, lambdas=grid, tol=tol
            )
            t = (time.process_time() - c0, time.perf_counter() - t0)
            best = t if best is None else min(best, t)
        times.append(best[0])
        walls.append(best[1])
        objs.append(objective(X, y, path.intercepts, path.coefs, grid, groups, family))
    a_times, a_walls, a_objs = [], [], []
    version = None
    if adelie_python:
        with tempfile.TemporaryDirectory() as d:
            np.save(f"{d}/X.npy", X)
            np.save(f"{d}/y.npy", y)
            np.save(f"{d}/lambdas.npy", grid)
            json.dump(
                {"family": family, "size": size, "repeats": repeats, "tols": adelie_tols},
                open(f"{d}/meta.json", "w"),
            )
            subprocess.run(
                [adelie_python, "-c", ADELIE_RUNNER, d],
                check=True,
                env={**os.environ, "PYTHONPATH": ""},
            )
            info = json.load(open(f"{d}/adelie.json"))
            version, a_times, a_walls = info["version"], info["times"], info["walls"]
            for k in range(len(adelie_tols)):
                coefs = np.load(f"{d}/adelie_coefs_{k}.npy")
                b0 = np.load(f"{d}/adelie_intercepts_{k}.npy")
                a_objs.append(objective(X, y, b0, coefs, grid, groups, family))
    # the reference: the lowest objective any run of either solver reached
    low = np.min(np.array(objs + a_objs), axis=0)
    if save_ref:
        np.save(Path(save_ref) / f"{name}.npy", low)
    row = {"problem": name, "nlam": grid.size, "adelie_version": version}
    tol, t, gap, gaps = _chosen(penstat_tols, times, objs, low, target)
    wall = walls[penstat_tols.index(tol)] if tol is not None else None
    row.update(penstat_tol=tol, penstat_s=t, penstat_wall=wall, penstat_gap=gap)
    row["penstat_all"] = (times, walls, gaps)
    if adelie_python:
        tol, t, gap, gaps = _chosen(adelie_tols, a_times, a_objs, low, target)
        wall = a_walls[adelie_tols.index(tol)] if tol is not None else None
        row.update(adelie_tol=tol, adelie_s=t, adelie_wall=wall, adelie_gap=gap)
        row["adelie_all"] = (a_times, a_walls, gaps)
    return row


def _fmt(x, spec):
    return "-" if x is None else format(x, spec)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--problems", default="")
    parser.add_argument("--adelie-python", default="/work/adelie-venv/bin/python")
    parser.add_argument(
        "--penstat-tols",
        default="1e-1,1e-2,1e-3,1e-4,1e-5,1e-7",
        help="penstat tols searched, loose to tight",
    )
    parser.add_argument(
        "--adelie-tols",
        default="1e-7,1e-8,1e-9,1e-10,1e-11,1e-12",
        help="adelie tols (tol and irls_tol) searched, loose to tight",
    )
    parser.add_argument("--target", type=float, default=1e-6, help="worst relative gap")
    parser.add_argument(
        "--save-ref", default="", help="folder to save each problem's reference objective"
    )
    args = parser.parse_args()
    p_tols = [float(t) for t in args.penstat_tols.split(",")]
    a_tols = [float(t) for t in args.adelie_tols.split(",")]
    problems = QUICK if args.quick else PROBLEMS
    adelie = args.adelie_python if Path(args.adelie_python).exists() else None
    print(
        "| problem | lambdas | penstat tol | penstat CPU (s) | penstat gap | adelie tol "
        "| adelie CPU (s) | adelie gap | penstat / adelie, CPU | penstat / adelie, wall |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    details = []
    for name, spec in problems.items():
        if args.problems and not any(k in name for k in args.problems.split(",")):
            continue
        r = run(
            name, spec, args.repeats, adelie, p_tols, a_tols, args.target, args.save_ref
        )
        ratio = wall_ratio = None
        if adelie and r["penstat_s"] is not None and r["adelie_s"] is not None:
            ratio = r["penstat_s"] / r["adelie_s"]
            wall_ratio = r["penstat_wall"] / r["adelie_wall"]
        print(
            f"| {name} | {r['nlam']} | {_fmt(r['penstat_tol'], 'g')} "
            f"| {_fmt(r['penstat_s'], '.3f')} | {_fmt(r['penstat_gap'], '.1e')} "
            f"| {_fmt(r.get('adelie_tol'), 'g')} | {_fmt(r.get('adelie_s'), '.3f')} "
            f"| {_fmt(r.get('adelie_gap'), '.1e')} | {_fmt(ratio, '.2f')} "
            f"| {_fmt(wall_ratio, '.2f')} |",
            flush=True,
        )
        details.append(r)
    print("\nEvery tol (CPU s / wall s / worst gap):\n")
    for r in details:
        cells = [
            f"penstat {t:g}: {s:.3f} / {w:.3f} / {g:.1e}"
            for t, s, w, g in zip(p_tols, *r["penstat_all"], strict=True)
        ]
        if "adelie_all" in r:
            cells += [
                f"adelie {t:g}: {s:.3f} / {w:.3f} / {g:.1e}"
                for t, s, w, g in zip(a_tols, *r["adelie_all"], strict=True)
            ]
        print(f"- {r['problem']}: " + "; ".join(cells))


if __name__ == "__main__":
    main()
