"""Benchmark: 10-fold cross-validated lasso, penstat against cv.glmnet and scikit-learn.

Run by hand (never in CI):

    python benchmarks/cv.py --quick
    python benchmarks/cv.py --repeats 3

All solvers see the same folds and glmnet's default 100-lambda grid and standardize
internally (their defaults). Timed per problem:

- ``penstat``: ``fit_path`` + ``select.select_lambda(rule="cv_1se")`` on arrays;
- ``penstat formula``: ``ps.lasso("y ~ .", df, select="cv_1se")`` (patsy included);
- ``cv.glmnet``: single-threaded, through Rscript, timed inside R;
- ``sklearn``: ``LassoCV`` / ``LogisticRegressionCV`` (saga, L1) with the same folds.

The chosen ``lambda.min`` / ``lambda.1se`` of penstat and cv.glmnet are printed side
by side as a check. BLAS is limited to one thread (``--threads`` to change).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import limit_threads_from_argv  # noqa: E402

THREADS = limit_threads_from_argv(default=1)

import argparse  # noqa: E402
import functools  # noqa: E402
import importlib  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import _common  # noqa: E402
from benchmarks.problems import make_problem  # noqa: E402

SHAPES = [(1000, 100), (5000, 100), (100, 1000), (1000, 1000)]
QUICK_SHAPES = [(1000, 100)]
KINDS = ["gaussian_lasso", "binomial_lasso"]


def make_folds(prob, nfolds: int, seed: int) -> np.ndarray:
    """Fold labels 0..K-1 (stratified by class for binomial), shared by all solvers."""
    rng = np.random.default_rng(seed)
    n = prob.X.shape[0]
    foldid = np.empty(n, dtype=int)
    groups = [np.arange(n)] if prob.family == "gaussian" else [
        np.flatnonzero(prob.y == c) for c in (0.0, 1.0)
    ]  # fmt: skip
    offset = 0
    for idx in groups:
        idx = rng.permutation(idx)
        foldid[idx] = (np.arange(idx.size) + offset) % nfolds
        offset += idx.size
    return foldid


def run_penstat(prob, foldid):
    import penstat
    from penstat.selection import select_lambda

    path = penstat.fit_path(prob.X, prob.y, family=prob.family)
    sel = select_lambda(
        path, prob.X, prob.y, rule="cv_1se", foldid=foldid, n_jobs=1, progress=False
    )
    return sel.lam_min, sel.lam_1se


def run_penstat_formula(prob, foldid):
    import pandas as pd

    import penstat as ps

    cols = {f"x{j + 1}": prob.X[:, j] for j in range(prob.X.shape[1])}
    df = pd.DataFrame({"y": prob.y, **cols})
    fit = ps.lasso(
        "y ~ .", df, family=prob.family, select="cv_1se", foldid=foldid, n_jobs=1,
        progress=False,
    )  # fmt: skip
    return fit.selection.lam_min, fit.selection.lam_1se


def run_sklearn(prob, foldid):
    from sklearn.linear_model import LassoCV, LogisticRegressionCV
    from sklearn.model_selection import PredefinedSplit

    n, p = prob.X.shape
    cv = PredefinedSplit(foldid)
    if prob.family == "gaussian":
        eps = 1e-4 if n > p else 1e-2
        try:
            model = LassoCV(eps=eps, alphas=100, cv=cv, n_jobs=1)  # scikit-learn >= 1.7
        except TypeError:
            model = LassoCV(eps=eps, n_alphas=100, cv=cv, n_jobs=1)
        model.fit(prob.X, prob.y)
        return model.alpha_, float("nan")
    # the same grid as lambdas: C = 1 / (n_train * lam), n_train ~ 0.9 n
    Cs = 1.0 / (0.9 * n * prob.lambdas)
    model = LogisticRegressionCV(
        Cs=Cs, l1_ratios=(1.0,), solver="saga", cv=cv, n_jobs=1, scoring="neg_log_loss"
    )
    model.fit(prob.X, prob.y)
    return 1.0 / (0.9 * n * float(np.ravel(model.C_)[0])), float("nan")


def run_cv_glmnet(prob, foldid, repeats):
    n, p = prob.X.shape

    def read(tmp, proc):
        if proc.returncode != 0:
            return _common.r_failed(proc)
        times = [float(t) for t in (tmp / "times.txt").read_text().split()]
        choice = [float(t) for t in (tmp / "choice.txt").read_text().split()]
        return {"status": "ok", "times": times, "choice": tuple(choice)}

    files = _common.xy_files(prob.X, prob.y)
    files["foldid.bin"] = (foldid + 1).astype("<f8")
    return _common.run_r_script("glmnet_cv.R", files, [n, p, prob.family, repeats], read)


def run_small(fn, kind, rho):
    """``fn`` on a small problem of the same model (the untimed first call)."""
    small = make_problem(100, 10, rho, kind, seed=1)
    return fn(small, make_folds(small, 10, 1))


def timed(fn, repeats, slow):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            times, choice = _common.time_call(fn, repeats, slow)
        return {"status": "ok", "times": times, "choice": choice}
    except ImportError as exc:
        return {"status": f"missing ({exc.name})"}
    except Exception as exc:  # noqa: BLE001 - a failing solver is reported
        return {"status": f"failed: {type(exc).__name__}: {exc}"[:200]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rho", type=float, default=0.5)
    parser.add_argument("--problems", default="")
    parser.add_argument("--solvers", default="penstat,penstat formula,cv.glmnet,sklearn")
    parser.add_argument("--slow", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    solvers = args.solvers.split(",")
    shapes = QUICK_SHAPES if args.quick else SHAPES

    for module in ("pandas", "penstat.solver", "penstat.selection", "penstat.api"):
        try:  # imports are not timed
            importlib.import_module(module)
        except ImportError:
            pass
    rows = []
    for kind in KINDS:
        for n, p in shapes:
            prob = make_problem(n, p, args.rho, kind, seed=args.seed)
            if args.problems not in prob.name:
                continue
            foldid = make_folds(prob, 10, args.seed)
            runners = {
                "penstat": (run_penstat, args.repeats),
                "penstat formula": (run_penstat_formula, args.repeats),
                "sklearn": (run_sklearn, 1),  # one run: it is the slowest by far
            }
            res = {}
            for s in solvers:
                if s == "cv.glmnet":
                    res[s] = run_cv_glmnet(prob, foldid, args.repeats)
                elif s in runners:
                    fn, repeats = runners[s]
                    warm = functools.partial(run_small, fn, kind, args.rho)
                    _common.warm_up_once((s, kind), warm)
                    res[s] = timed(functools.partial(fn, prob, foldid), repeats, args.slow)
            base = res.get("penstat", {})
            base_t = _common.median(base["times"]) if base.get("status") == "ok" else None
            row = [prob.name]
            for s in solvers:
                r = res.get(s, {"status": "not run"})
                if r["status"] != "ok":
                    row.append(r["status"])
                    continue
                t = _common.median(r["times"])
                ratio = f" ({t / base_t:.1f}x)" if base_t else ""
                lam_min, lam_1se = r["choice"]
                row.append(f"{t:.3g} s{ratio}; min {lam_min:.4g}, 1se {lam_1se:.4g}")
            rows.append(row)
            print(" | ".join(row), flush=True)

    header = (
        f"Machine: {_common.machine_description()}; BLAS threads: {args.threads}; "
        f"repeats: {args.repeats} (median); rho = {args.rho:g}; 10 folds, the same "
        "folds for every solver.\n\nEach cell: seconds (ratio to penstat); the lambda "
        "chosen by the CV minimum and the 1-SE rule (scikit-learn: minimum only).\n\n"
    )
    text = header + _common.markdown_table(["problem", *solvers], rows) + "\n"
    _common.write_report(text, args.out, "cv")


if __name__ == "__main__":
    main()
