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
``--adelie-tol`` sets adelie's ``tol`` and ``irls_tol`` (default 1e-7, adelie's
own), to compare the two at a similar accuracy.
Times are wall-clock seconds of the path (the best of ``--repeats``), one thread
(BLAS and adelie's ``n_threads``). The objective gap of each solver is its largest
relative excess over the better of the two objectives along the path.

adelie pins numpy < 2, so it runs in its own environment (``--adelie-python``) in a
subprocess that reads the problem from .npy files; its time is measured inside
that process, around ``grpnet`` only.
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
best = None
tol = meta["tol"]
for _ in range(meta["repeats"]):
    glm = ad.glm.gaussian(y) if meta["family"] == "gaussian" else ad.glm.binomial(y)
    t0 = time.perf_counter()
    state = ad.grpnet(X, glm, groups=starts, lmda_path=lambdas, early_exit=False,
                      intercept=True, n_threads=1, progress_bar=False, tol=tol,
                      irls_tol=tol)
    t = time.perf_counter() - t0
    best = t if best is None else min(best, t)
np.save(d + "/adelie_coefs.npy", np.asarray(state.betas.toarray()))
np.save(d + "/adelie_intercepts.npy", np.asarray(state.intercepts))
json.dump({"time": best, "version": ad.__version__}, open(d + "/adelie.json", "w"))
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


def run(name, spec, repeats, adelie_python, adelie_tol=1e-7):
    family, n, p, size = spec
    X, y, groups = make(family, n, p, size)
    grid = fit_path(
        X, y, family=family, groups=groups, standardize=False, lambda_min_ratio=1e-2
    ).lambdas
    best = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        path = fit_path(X, y, family=family, groups=groups, standardize=False, lambdas=grid)
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    ours = objective(X, y, path.intercepts, path.coefs, grid, groups, family)
    row = {"problem": name, "nlam": grid.size, "penstat_s": best}
    if adelie_python:
        with tempfile.TemporaryDirectory() as d:
            np.save(f"{d}/X.npy", X)
            np.save(f"{d}/y.npy", y)
            np.save(f"{d}/lambdas.npy", grid)
            json.dump(
                {"family": family, "size": size, "repeats": repeats, "tol": adelie_tol},
                open(f"{d}/meta.json", "w"),
            )
            subprocess.run(
                [adelie_python, "-c", ADELIE_RUNNER, d],
                check=True,
                env={**os.environ, "PYTHONPATH": ""},
            )
            info = json.load(open(f"{d}/adelie.json"))
            theirs = objective(
                X,
                y,
                np.load(f"{d}/adelie_intercepts.npy"),
                np.load(f"{d}/adelie_coefs.npy"),
                grid,
                groups,
                family,
            )
        low = np.minimum(ours, theirs)
        row.update(
            adelie_s=info["time"],
            ratio=best / info["time"],
            penstat_gap=float(np.max((ours - low) / np.abs(low))),
            adelie_gap=float(np.max((theirs - low) / np.abs(low))),
        )
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--problems", default="")
    parser.add_argument("--adelie-python", default="/work/adelie-venv/bin/python")
    parser.add_argument(
        "--adelie-tol",
        type=float,
        default=1e-7,
        help="adelie's tol and irls_tol (its default 1e-7; smaller for equal accuracy)",
    )
    args = parser.parse_args()
    problems = QUICK if args.quick else PROBLEMS
    adelie = args.adelie_python if Path(args.adelie_python).exists() else None
    print(
        "| problem | lambdas | penstat (s) | adelie (s) | penstat / adelie "
        "| penstat gap | adelie gap |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, spec in problems.items():
        if args.problems and not any(k in name for k in args.problems.split(",")):
            continue
        r = run(name, spec, args.repeats, adelie, args.adelie_tol)
        if adelie:
            print(
                f"| {name} | {r['nlam']} | {r['penstat_s']:.3f} | {r['adelie_s']:.3f} "
                f"| {r['ratio']:.2f} | {r['penstat_gap']:.1e} | {r['adelie_gap']:.1e} |",
                flush=True,
            )
        else:
            print(
                f"| {name} | {r['nlam']} | {r['penstat_s']:.3f} | - | - | - | - |",
                flush=True,
            )


if __name__ == "__main__":
    main()
