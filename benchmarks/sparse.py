"""Benchmark: lasso paths on sparse designs, penstat against scikit-learn and R glmnet.

Run by hand (never in CI):

    python benchmarks/sparse.py --quick          # small problems, a minute
    python benchmarks/sparse.py                  # the full size (run it once)
    python benchmarks/sparse.py --clock cpu --sklearn-tol ""   # CPU time, no sklearn

Two gaussian problems, both kept sparse by every solver (scipy CSC for penstat and
scikit-learn, a Matrix dgCMatrix for glmnet):

* ``random``: X of shape (1e5, 1e4) with density 1e-3 (entries uniform on [0, 1)),
  y from 20 nonzero coefficients plus standard normal noise;
* ``one-hot``: three factors with 1000 levels each (uniform), one indicator column
  per level (p = 3000, three nonzeros per row), n = 1e5; y from 5% of the levels
  having a normal effect, plus noise.

Every solver fits the same objective, ``1/(2n) |y - b0 - X b|^2 + lam |b|_1`` (an
unpenalized intercept, no standardization of its own), at the same lambdas: the path
penstat fits on glmnet's default grid (100 values down to 1e-4 lambda_max, ended by
glmnet's early stop). scikit-learn is ``Lasso(alpha=lam, warm_start=True)`` over the
grid (its sparse coordinate descent centres X implicitly too). Each cell reports the
time of the whole path (median over ``--repeats``; wall clock, or with ``--clock
cpu`` each process's CPU time, steadier on a loaded machine), the ratio to penstat at its
default, and the worst relative objective gap over the path to the best objective
any solver reached at that lambda. BLAS is limited to one thread.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import limit_threads_from_argv  # noqa: E402

THREADS = limit_threads_from_argv(default=1)

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from benchmarks import _common  # noqa: E402


def random_problem(n: int, p: int, density: float, seed: int):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, random_state=rng, format="csc")
    beta = np.zeros(p)
    beta[rng.choice(p, 20, replace=False)] = 3.0 * rng.standard_normal(20)
    return X, X @ beta + rng.standard_normal(n)


def one_hot_problem(n: int, factors: int, levels: int, seed: int):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, levels, (n, factors)) + levels * np.arange(factors)
    rows = np.repeat(np.arange(n), factors)
    X = sp.csc_matrix(
        (np.ones(n * factors), (rows, codes.ravel())), shape=(n, factors * levels)
    )
    p = factors * levels
    effect = np.where(rng.random(p) < 0.05, rng.standard_normal(p), 0.0)
    return X, X @ effect + rng.standard_normal(n)


def objective(X, y, lam, b0, b) -> float:
    r = y - b0 - X @ b
    return 0.5 * float(r @ r) / y.size + lam * float(np.abs(b).sum())


def fit_penstat(X, y, lambdas, tol):
    import penstat

    path = penstat.fit_path(X, y, lambdas=lambdas, standardize=False, tol=tol)
    return path.intercepts, path.coefs


def fit_sklearn(X, y, lambdas, tol):
    from sklearn.linear_model import Lasso

    model = Lasso(alpha=lambdas[0], warm_start=True, tol=tol, max_iter=100_000)
    b0, b = [], []
    for lam in lambdas:
        model.set_params(alpha=lam)
        model.fit(X, y)
        b0.append(model.intercept_)
        b.append(model.coef_.copy())
    return np.array(b0), np.array(b)


def run_glmnet(X, y, lambdas, repeats: int, thresh: float, clock: str = "wall") -> dict:
    n, p = X.shape

    def read(tmp, proc):
        if proc.returncode != 0 or not (tmp / "times.txt").exists():
            return _common.r_failed(proc)
        times = [float(t) for t in (tmp / "times.txt").read_text().split()]
        raw = np.fromfile(tmp / "coef.bin", dtype="<f8")
        nlam = raw.size // (p + 1)
        return {
            "times": times,
            "fit": (raw[:nlam], raw[nlam:].reshape(nlam, p)),
            "status": "ok",
        }

    files = {
        "i.bin": X.indices.astype("<i4"),
        "p.bin": X.indptr.astype("<i4"),
        "x.bin": X.data.astype("<f8"),
        "y.bin": y.astype("<f8"),
        "lambdas.bin": lambdas.astype("<f8"),
    }
    args = [n, p, X.nnz, "gaussian", repeats, repr(thresh), clock]
    return _common.run_r_script("glmnet_sparse.R", files, args, read, "penstat-sparse-")


def time_python(fn, repeats: int, clock: str = "wall") -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if clock == "wall":
            times, fit = _common.time_call(fn, repeats, slow=30.0)
        else:
            # CPU time of this process (BLAS runs on one thread): on a loaded
            # machine it is what each solver used, where wall time counts waiting
            times, fit = [], None
            for _ in range(max(1, repeats)):
                start = time.process_time()
                fit = fn()
                times.append(time.process_time() - start)
                if times[-1] > 30.0:
                    break
    return {"times": times, "fit": fit, "status": "ok"}


def run_problem(name, X, y, args) -> dict[str, dict]:
    import penstat

    # warm-up (untimed): imports and first calls
    small = X[:200].tocsc()
    fit_penstat(small, y[:200], None, 1e-7)
    fit_sklearn(small, y[:200], np.array([1.0, 0.5]), 1e-4)
    lambdas = penstat.fit_path(X, y, standardize=False).lambdas
    results: dict[str, dict] = {}
    for tol in args.penstat_tol:
        results[f"penstat tol={tol:g}"] = time_python(
            lambda tol=tol: fit_penstat(X, y, lambdas, tol), args.repeats, args.clock
        )
    for tol in args.sklearn_tol:
        results[f"sklearn tol={tol:g}"] = time_python(
            lambda tol=tol: fit_sklearn(X, y, lambdas, tol), args.repeats, args.clock
        )
    for thresh in args.glmnet_thresh:
        results[f"glmnet thresh={thresh:g}"] = run_glmnet(
            X, y, lambdas, args.repeats, thresh, args.clock
        )
    values = {}
    for solver, res in results.items():
        if res["status"] != "ok":
            continue
        b0, b = res.pop("fit")
        if b.shape[0] != lambdas.size:
            res["status"] = f"failed: {b.shape[0]} of {lambdas.size} lambdas"
            continue
        values[solver] = np.array(
            [objective(X, y, lam, b0[k], b[k]) for k, lam in enumerate(lambdas)]
        )
    best = np.min(np.vstack(list(values.values())), axis=0)
    for solver, vals in values.items():
        results[solver]["gap"] = float(np.max((vals - best) / np.abs(best)))
    shape = f"({X.shape[0]}, {X.shape[1]}), nnz {X.nnz}, {lambdas.size} lambdas"
    return {"problem": f"{name} {shape}", "results": results}


def table(rows: list[dict], base_name: str) -> str:
    names = list(rows[0]["results"])
    lines = []
    for row in rows:
        res = row["results"]
        base = res.get(base_name, {})
        base_t = _common.median(base["times"]) if base.get("status") == "ok" else None
        cells = [row["problem"]]
        for s in names:
            r = res[s]
            if r["status"] != "ok":
                cells.append(r["status"])
                continue
            t = _common.median(r["times"])
            ratio = f" ({t / base_t:.2f}x)" if base_t else ""
            gap = "0" if r["gap"] <= 0 else f"{r['gap']:.0e}"
            cells.append(f"{t:.3g} s{ratio}, gap {gap}")
        lines.append(cells)
    return _common.markdown_table(["problem", *names], lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="problems 10x smaller")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--penstat-tol", default="1e-7,1e-2")
    parser.add_argument("--sklearn-tol", default="1e-4")
    parser.add_argument("--glmnet-thresh", default="1e-7,1e-12")
    parser.add_argument(
        "--problems", default="random,one-hot", help="comma-separated: random, one-hot"
    )
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="time by the wall clock, or by each process's CPU time (loaded machines)",
    )
    parser.add_argument("--out", default=None, help="Markdown output file")
    args = parser.parse_args(argv)
    for name in ("penstat_tol", "sklearn_tol", "glmnet_thresh"):
        setattr(args, name, [float(v) for v in getattr(args, name).split(",") if v])
    scale = 10 if args.quick else 1
    print(f"# machine: {_common.machine_description()}; BLAS threads: {args.threads}")
    rows = []
    problems = [
        (
            "random",
            lambda: random_problem(100_000 // scale, 10_000 // scale, 1e-3, args.seed),
        ),
        ("one-hot", lambda: one_hot_problem(100_000 // scale, 3, 1000 // scale, args.seed)),
    ]
    wanted = args.problems.split(",")
    for name, make in problems:
        if name not in wanted:
            continue
        X, y = make()
        started = time.perf_counter()
        rows.append(run_problem(name, X, y, args))
        print(f"[{time.perf_counter() - started:6.1f}s] {rows[-1]['problem']}", flush=True)
    vers = _common.versions(["penstat", "sklearn", "scipy"])
    vers["R glmnet"] = _common.r_glmnet_version()
    text = (
        f"Machine: {_common.machine_description()}; BLAS threads: {args.threads}; "
        f"repeats: {args.repeats} (median); clock: {args.clock}.\n\nVersions: "
        + ", ".join(f"{k} {v}" for k, v in vers.items())
        + ".\n\nEach cell: seconds for the path (ratio to penstat at tol=1e-7), worst "
        "relative objective gap over the path to the best objective reached.\n\n"
        + table(rows, f"penstat tol={args.penstat_tol[0]:g}")
        + "\n"
    )
    _common.write_report(text, args.out, "sparse")


if __name__ == "__main__":
    main()
