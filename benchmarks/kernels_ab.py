"""Benchmark: the group and sparse kernels of two source trees side by side (A/B).

For a change to the compiled kernels that must not change their speed (a refactor):
build both trees in place (``python setup.py build_ext --inplace``), then

    python benchmarks/kernels_ab.py --a /path/to/tree-before --b /path/to/tree-after
    python benchmarks/kernels_ab.py --a ... --b ... --quick     # 10x smaller problems
    python benchmarks/kernels_ab.py --a ... --b ... --scale 3   # 3x smaller

Each round runs one process per tree, A then B, and each process times every
problem's ``fit_path`` (CPU seconds of the process, the best of ``--repeats``, one
BLAS thread) after one untimed call. The table gives each tree's best over the
rounds and the ratio B / A: CPU time, so that the ratio holds on a shared machine;
alternating the trees spreads the machine's load over both. The paths of both trees
are compared too (``same`` when every coefficient, intercept and deviance is equal
to the bit).

Problems (columns equicorrelated, rho 0.3; the gaussian response has noise sd 1):

- group gaussian, residual mode: 2000 x 1000 in 200 groups of 5
- group gaussian, covariance mode: 20000 x 200 in 20 groups of 10
- group binomial: 5000 x 500 in 50 groups of 10
- sparse-group gaussian (``l1_within=0.5``): 1000 x 500 in 100 groups of 5
- sparse gaussian: 100000 x 5000 CSC, density 1e-3
- sparse gaussian, covariance mode: 100000 one-hot columns of 3 factors, 1000 levels
- sparse binomial: 100000 x 5000 CSC, density 1e-3

``--set dense``: the dense gaussian and binomial kernels (``fit_path``, and a CV
fold's fit, ``solve`` with ``rows``), small and large: gaussian covariance mode
1000 x 100 and 100000 x 100, naive mode 100 x 1000 and 1000 x 3000 (with
weights), binomial 1000 x 100, 50000 x 200 and 20000 x 100 with weights and an
offset. ``--set identity``: 48 small problems, timed as one, for the bit-for-bit
comparison: both families; 200 x 20 (covariance mode), 60 x 150 and 150 x 100
(naive mode); no weights or random weights; no offset or an offset; l1_ratio 1 and
0.5; each with one of coefficient limits, no intercept or no standardization
(in turn); every one also fitted as a CV fold (96 paths).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import limit_threads_from_argv  # noqa: E402

limit_threads_from_argv(1)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def _dense(rng, n, p, rho=0.3):
    return np.sqrt(1 - rho) * rng.standard_normal((n, p)) + np.sqrt(
        rho
    ) * rng.standard_normal((n, 1))


def _response(rng, eta, family):
    if family == "gaussian":
        return eta + rng.standard_normal(eta.size)
    return (rng.random(eta.size) < 1 / (1 + np.exp(-eta))).astype(float)


def problems(scale: int) -> dict:
    """name -> (X, y, fit_path keyword arguments); sizes divided by ``scale``."""
    import scipy.sparse as sp

    out = {}
    rng = np.random.default_rng(0)
    for name, family, n, p, k, extra in [
        ("group gaussian, residual mode", "gaussian", 2000, 1000, 5, {}),
        ("group gaussian, covariance mode", "gaussian", 20000, 200, 10, {}),
        ("group binomial", "binomial", 5000, 500, 10, {}),
        ("sparse-group gaussian", "gaussian", 1000, 500, 5, {"l1_within": 0.5}),
    ]:
        n, p = n // scale, max(p // scale // k, 4) * k
        X = _dense(rng, n, p)
        beta = np.zeros(p)
        beta[: 2 * k] = rng.standard_normal(2 * k)
        y = _response(rng, X @ beta, family)
        groups = np.repeat(np.arange(p // k), k)
        out[name] = (X, y, {"family": family, "groups": groups, **extra})
    n, p = 100_000 // scale, 5000 // scale
    for family in ("gaussian", "binomial"):
        X = sp.random(n, p, density=1e-3, format="csc", random_state=1, dtype=float)
        beta = np.zeros(p)
        beta[:20] = 3.0
        y = _response(rng, X @ beta - (X @ beta).mean(), family)
        out[f"sparse {family}"] = (X, y, {"family": family})
    levels = 1000 // scale
    codes = rng.integers(0, levels, size=(n, 3))
    cols = (codes + levels * np.arange(3)).ravel()
    rows = np.repeat(np.arange(n), 3)
    X = sp.csc_matrix((np.ones(rows.size), (rows, cols)), shape=(n, 3 * levels))
    y = _response(rng, X @ rng.standard_normal(3 * levels) * 0.3, "gaussian")
    out["sparse gaussian, covariance mode"] = (X, y, {"family": "gaussian"})
    return out


def dense_problems(scale: int) -> dict:
    """name -> (X, y, fit_path keyword arguments): the dense kernels, small and
    large (sizes divided by ``scale``)."""
    out = {}
    rng = np.random.default_rng(0)
    for name, family, n, p, extra in [
        ("gaussian covariance 1000 x 100", "gaussian", 1000, 100, {}),
        ("gaussian covariance 100000 x 100", "gaussian", 100_000, 100, {}),
        ("gaussian naive 100 x 1000", "gaussian", 100, 1000, {}),
        ("gaussian naive 1000 x 3000, weights", "gaussian", 1000, 3000, {"weights": 1}),
        ("binomial 1000 x 100", "binomial", 1000, 100, {}),
        ("binomial 50000 x 200", "binomial", 50_000, 200, {}),
        ("binomial 20000 x 100, weights, offset", "binomial", 20_000, 100,
         {"weights": 1, "offset": 1}),
    ]:  # fmt: skip
        n, p = max(n // scale, 40), max(p // scale, 10)
        out[name] = _dense_problem(rng, family, n, p, extra)
    return out


def _dense_problem(rng, family, n, p, extra):
    X = _dense(rng, n, p)
    beta = np.zeros(p)
    beta[:10] = rng.standard_normal(10)
    kwargs = dict(extra, family=family)
    if "weights" in extra:
        kwargs["weights"] = rng.uniform(0.2, 2.0, n)
    if "offset" in extra:
        kwargs["offset"] = 0.3 * rng.standard_normal(n)
    return X, _response(rng, X @ beta, family), kwargs


def identity_problems() -> dict:
    """The 48 small problems of ``--set identity`` (see the module docstring)."""
    out = {}
    rng = np.random.default_rng(1)
    k = 0
    for family in ("gaussian", "binomial"):
        for n, p in ((200, 20), (60, 150), (150, 100)):
            for weights in (False, True):
                for offset in (False, True):
                    for l1_ratio in (1.0, 0.5):
                        extra = {"l1_ratio": l1_ratio}
                        if weights:
                            extra["weights"] = 1
                        if offset:
                            extra["offset"] = 1
                        X, y, kwargs = _dense_problem(rng, family, n, p, extra)
                        variant = ("limits", "no intercept", "unstandardized")[k % 3]
                        k += 1
                        if variant == "limits":
                            kwargs["lower_limits"] = -0.5
                            kwargs["upper_limits"] = 0.8
                        elif variant == "no intercept":
                            kwargs["fit_intercept"] = False
                        else:
                            kwargs["standardize"] = False
                        name = (
                            f"{family} {n}x{p} w{int(weights)} o{int(offset)} "
                            f"a{l1_ratio} {variant}"
                        )
                        out[name] = (X, y, kwargs)
    return out


def _fold_path(penstat, X, y, kwargs):
    """The fit of a CV fold: ``solve`` on the rows of nine folds of ten."""
    from penstat.solver.fit import checked, solve

    Xa, ya, spec = checked(X, y, **kwargs)
    rows = np.flatnonzero(np.arange(ya.shape[0]) % 10 != 3)
    return solve(Xa, ya[rows], spec.take(rows), rows=rows)


def worker(root: str, scale: int, repeats: int, save: str, which: str = "groups") -> None:
    """Time every problem with the penstat of ``root``; print JSON, save the paths."""
    sys.path.insert(0, root)
    import penstat

    assert Path(penstat.__file__).resolve().is_relative_to(Path(root).resolve())
    times, arrays = {}, {}
    if which == "groups":
        todo = problems(scale)
    elif which == "dense":
        todo = dense_problems(scale)
    else:
        todo = identity_problems()
    fits = [("", penstat.fit_path)]
    if which != "groups":
        fits.append((" (CV fold)", lambda X, y, **kw: _fold_path(penstat, X, y, kw)))
    if which == "identity":
        # one timing for the whole set, every path kept for the comparison
        start = time.process_time()
        for name, (X, y, kwargs) in todo.items():
            for suffix, fit in fits:
                path = fit(X, y, **kwargs)
                for field in ("coefs", "intercepts", "deviance", "lambdas"):
                    arrays[f"{name}{suffix}/{field}"] = np.asarray(getattr(path, field))
        print(
            json.dumps({"48 problems, each also as a CV fold": time.process_time() - start})
        )
        np.savez(save, **arrays)
        return
    for name, (X, y, kwargs) in todo.items():
        for suffix, fit in fits:
            fit(X, y, **kwargs)  # untimed: first-call costs
            best = np.inf
            for _ in range(repeats):
                start = time.process_time()
                path = fit(X, y, **kwargs)
                best = min(best, time.process_time() - start)
            times[name + suffix] = best
            for field in ("coefs", "intercepts", "deviance", "lambdas"):
                arrays[f"{name}{suffix}/{field}"] = np.asarray(getattr(path, field))
    np.savez(save, **arrays)
    print(json.dumps(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", required=True, help="tree A (before)")
    parser.add_argument("--b", required=True, help="tree B (after)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="problems 10x smaller")
    parser.add_argument("--scale", type=int, default=1, help="problems N times smaller")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None)
    parser.add_argument(
        "--set",
        default="groups",
        choices=["groups", "dense", "identity"],
        help="problems: the group and sparse kernels (default), the dense gaussian and "
        "binomial kernels, or the 48 small dense problems of the bit-for-bit check",
    )
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--save", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    scale = 10 if args.quick else args.scale
    if args.worker:
        worker(args.worker, scale, args.repeats, args.save, args.set)
        return

    import tempfile

    from _common import machine_description, markdown_table, write_report

    best: dict[str, dict[str, float]] = {"A": {}, "B": {}}
    with tempfile.TemporaryDirectory(prefix="penstat-ab-") as tmp:
        for r in range(args.rounds):
            for label, root in (("A", args.a), ("B", args.b)):
                cmd = [
                    sys.executable,
                    __file__,
                    "--a",
                    args.a,
                    "--b",
                    args.b,
                    "--worker",
                    root,
                    "--save",
                    f"{tmp}/{label}.npz",
                    "--repeats",
                    str(args.repeats),
                    "--threads",
                    str(args.threads),
                ]
                cmd += ["--scale", str(scale), "--set", args.set]
                out = subprocess.run(cmd, capture_output=True, text=True)
                if out.returncode != 0:
                    sys.exit(f"tree {label} ({root}) failed:\n{out.stderr}")
                for name, t in json.loads(out.stdout.splitlines()[-1]).items():
                    best[label][name] = min(best[label].get(name, np.inf), t)
                print(f"round {r + 1} {label}: {os.getloadavg()[0]:.1f} load", flush=True)
        a, b = np.load(f"{tmp}/A.npz"), np.load(f"{tmp}/B.npz")
        names = sorted({key.rsplit("/", 1)[0] for key in a.files})
        equal = {
            name: all(
                a[f"{name}/{f}"].tobytes() == b[f"{name}/{f}"].tobytes()
                and a[f"{name}/{f}"].shape == b[f"{name}/{f}"].shape
                for f in ("coefs", "intercepts", "deviance", "lambdas")
            )
            for name in names
        }
        differ = [name for name in names if not equal[name]]
        if args.set == "identity":
            same = {key: not differ for key in best["A"]}
            print(f"{len(names)} paths compared, {len(differ)} differ: {differ}")
        else:
            same = equal
    rows = [
        [name, f"{best['A'][name]:.4f}", f"{best['B'][name]:.4f}",
         f"{best['B'][name] / best['A'][name]:.3f}", "same" if same[name] else "differ"]
        for name in best["A"]
    ]  # fmt: skip
    total_a, total_b = sum(best["A"].values()), sum(best["B"].values())
    rows.append(["all", f"{total_a:.4f}", f"{total_b:.4f}", f"{total_b / total_a:.3f}", ""])
    header = ["problem", "A: CPU s", "B: CPU s", "B / A", "paths"]
    text = (
        f"Machine: {machine_description()} (shared; load {os.getloadavg()[0]:.0f} at "
        f"the end); {args.rounds} rounds, best of {args.repeats} per round, one BLAS "
        f"thread{f', sizes / {scale}' if scale > 1 else ''}.\n\n"
        + markdown_table(header, rows)
        + "\n"
    )
    write_report(text, args.out, "kernels-ab")


if __name__ == "__main__":
    main()
