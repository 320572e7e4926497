"""Benchmark: the same 100-lambda path with penstat and every peer.

Run by hand (never in CI):

    python benchmarks/paths.py --quick
    python benchmarks/paths.py --repeats 5 --problems "gaussian_lasso n=1000"
    python benchmarks/paths.py --solvers penstat,glmnet,sklearn

Every solver gets the identical problem: the standardized simulation of
``benchmarks/problems.py``, glmnet's objective (docs/developer/architecture.md), the
same decreasing lambda grid, an unpenalized intercept, and no standardization of its
own. For each problem it prints, per solver, the median time over repeats, the ratio
to penstat, and the worst relative objective gap over the path to the best objective
any solver reached at that lambda. The Markdown table and the raw numbers go to
``benchmarks/results/``.

BLAS and OpenMP are limited to one thread (``--threads`` to change), as glmnet is
single-threaded.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import limit_threads_from_argv  # noqa: E402

THREADS = limit_threads_from_argv(default=1)

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import _common  # noqa: E402
from benchmarks.problems import (  # noqa: E402
    KINDS,
    QUICK_RHOS,
    QUICK_SHAPES,
    RHOS,
    SHAPES,
    Problem,
    make_problem,
    objective,
    problem_grid,
)

# A fit returns (intercepts (nlam,), coefs (nlam, p)).
Fit = tuple[np.ndarray, np.ndarray]


class NotApplicable(Exception):
    """The solver cannot fit this objective (reported, not an error)."""


class TooSlow(Exception):
    """The solver ran past its time budget (reported, not an error)."""


def check_budget(start: float, budget: float, k: int, nlam: int) -> None:
    elapsed = time.perf_counter() - start
    if elapsed > budget:
        raise TooSlow(f"stopped after {elapsed:.0f} s at lambda {k + 1} of {nlam}")


# ---- solvers -------------------------------------------------------------------------


def fit_penstat(prob: Problem, tol: float | None = None, **limits) -> Fit:
    """penstat's path on glmnet's objective and grid; ``limits``: ``lower_limits`` /
    ``upper_limits`` (benchmarks/limits.py)."""
    import penstat

    kwargs = {} if tol is None else {"tol": tol}
    path = penstat.fit_path(
        prob.X,
        prob.y,
        family=prob.family,
        l1_ratio=prob.l1_ratio,
        lambdas=prob.lambdas,
        standardize=False,
        fit_intercept=True,
        **limits,
        **kwargs,
    )
    return np.asarray(path.intercepts), np.asarray(path.coefs)


def fit_sklearn(prob: Problem) -> Fit:
    from sklearn.linear_model import LogisticRegression, enet_path

    n, p = prob.X.shape
    if prob.family == "gaussian":
        # 1/(2n)|y - Xb|^2 + alpha (l1_ratio |b|_1 + (1 - l1_ratio)/2 |b|^2): glmnet's
        # objective with alpha = lam; X and y are centred, so the intercept is 0.
        _, coefs, _ = enet_path(prob.X, prob.y, l1_ratio=prob.l1_ratio, alphas=prob.lambdas)
        return np.zeros(len(prob.lambdas)), coefs.T
    if prob.l1_ratio != 1.0:
        raise NotApplicable("elastic-net logistic path not benchmarked")
    # C sum(logloss) + |b|_1 is n C times glmnet's objective at lam = 1 / (n C).
    # saga leaves the intercept unpenalized (liblinear would penalize it).
    model = LogisticRegression(l1_ratio=1.0, solver="saga", warm_start=True, max_iter=1000)
    intercepts, coefs = [], []
    for lam in prob.lambdas:
        model.set_params(C=1.0 / (n * lam))
        model.fit(prob.X, prob.y)
        intercepts.append(model.intercept_[0])
        coefs.append(model.coef_[0].copy())
    return np.array(intercepts), np.array(coefs)


def fit_glum(prob: Problem, **bounds) -> Fit:
    """glum's path; ``bounds``: ``lower_bounds`` / ``upper_bounds``
    (benchmarks/limits.py)."""
    from glum import GeneralizedLinearRegressor

    # glum: 1/(sum w) sum w deviance/2 + alpha (l1_ratio |b|_1 + (1-l1_ratio)/2 |b|^2),
    # which is glmnet's objective for the normal and binomial families.
    model = GeneralizedLinearRegressor(
        family="normal" if prob.family == "gaussian" else "binomial",
        l1_ratio=prob.l1_ratio,
        alpha_search=True,
        alphas=prob.lambdas,
        fit_intercept=True,
        scale_predictors=False,
        **bounds,
    )
    model.fit(prob.X, prob.y)
    return np.asarray(model.intercept_path_), np.asarray(model.coef_path_)


def fit_skglm(prob: Problem) -> Fit:
    import skglm

    if prob.family == "gaussian":
        # skglm's Lasso / ElasticNet use scikit-learn's scaling (alpha = lam).
        if prob.l1_ratio == 1.0:
            model = skglm.Lasso(fit_intercept=False)
        else:
            model = skglm.ElasticNet(l1_ratio=prob.l1_ratio, fit_intercept=False)
        out = model.path(prob.X, prob.y, prob.lambdas)
        return np.zeros(len(prob.lambdas)), np.asarray(out[1]).T
    if prob.l1_ratio != 1.0:
        raise NotApplicable("elastic-net logistic path not benchmarked")
    # mean logistic loss + alpha |b|_1, intercept unpenalized, warm-started along the grid
    model = skglm.SparseLogisticRegression(fit_intercept=True, warm_start=True)
    intercepts, coefs = [], []
    for lam in prob.lambdas:
        model.set_params(alpha=lam)
        model.fit(prob.X, prob.y)
        intercepts.append(float(np.ravel(model.intercept_)[0]))
        coefs.append(np.ravel(model.coef_).copy())
    return np.array(intercepts), np.array(coefs)


def fit_celer(prob: Problem) -> Fit:
    import celer

    if prob.family != "gaussian":
        raise NotApplicable("celer's logistic regression fits no intercept")
    # celer_path: scikit-learn's scaling (alpha = lam), no intercept (data centred)
    _, coefs, _ = celer.celer_path(
        prob.X, prob.y, pb="lasso", alphas=prob.lambdas, l1_ratio=prob.l1_ratio
    )
    return np.zeros(len(prob.lambdas)), np.asarray(coefs).T


def fit_statsmodels(prob: Problem) -> Fit:
    import statsmodels.api as sm

    n, p = prob.X.shape
    nlam = len(prob.lambdas)
    intercepts, coefs = [], []
    start_time = time.perf_counter()
    if prob.family == "gaussian":
        # OLS.fit_regularized: RSS/(2n) + alpha ((1-L1_wt)/2 |b|^2 + L1_wt |b|_1)
        model = sm.OLS(prob.y, prob.X)
        start = np.zeros(p)
        for k, lam in enumerate(prob.lambdas):
            check_budget(start_time, STATSMODELS_BUDGET, k, nlam)
            res = model.fit_regularized(
                method="elastic_net", alpha=lam, L1_wt=prob.l1_ratio, start_params=start
            )
            start = np.asarray(res.params)
            intercepts.append(0.0)
            coefs.append(start.copy())
        return np.array(intercepts), np.array(coefs)
    if prob.l1_ratio != 1.0:
        raise NotApplicable("elastic-net logistic path not benchmarked")
    # Logit.fit_regularized(method="l1"): -loglik + sum alpha_j |b_j|, so alpha = n lam,
    # with 0 on the constant column to leave the intercept unpenalized.
    design = np.column_stack([np.ones(n), prob.X])
    model = sm.Logit(prob.y, design)
    weights = np.r_[0.0, np.ones(p)]
    start = np.zeros(p + 1)
    for k, lam in enumerate(prob.lambdas):
        check_budget(start_time, STATSMODELS_BUDGET, k, nlam)
        res = model.fit_regularized(
            method="l1", alpha=n * lam * weights, start_params=start, disp=0
        )
        start = np.asarray(res.params)
        intercepts.append(start[0])
        coefs.append(start[1:].copy())
    return np.array(intercepts), np.array(coefs)


PYTHON_SOLVERS: dict[str, Callable[[Problem], Fit]] = {
    "penstat": fit_penstat,
    "sklearn": fit_sklearn,
    "glum": fit_glum,
    "skglm": fit_skglm,
    "celer": fit_celer,
    "statsmodels": fit_statsmodels,
}
PEER_MODULES = {
    "penstat": "penstat.solver",
    "sklearn": "sklearn.linear_model",
    "glum": "glum",
    "skglm": "skglm",
    "celer": "celer",
    "statsmodels": "statsmodels.api",
}
# statsmodels is about 1000x slower: only on problems with n * p up to this
STATSMODELS_MAX_SIZE = 100_000
# and a path is abandoned after this many seconds
STATSMODELS_BUDGET = 120.0


def run_glmnet(
    prob: Problem,
    repeats: int,
    threshes: list[float],
    slow: float,
    limits: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, dict]:
    """Time R glmnet through Rscript; one entry per convergence threshold.

    ``limits``: (lower, upper) (p,) coefficient limits, passed to glmnet as
    ``lower.limits`` / ``upper.limits`` (None: none, glmnet's default)."""
    if _common.rscript() is None:
        return {"glmnet": {"status": "missing (Rscript or glmnet not installed)"}}
    n, p = prob.X.shape

    def read(tmp, proc):
        results = {}
        for i, thresh in enumerate(threshes, start=1):
            name = "glmnet" if i == 1 else f"glmnet thresh={thresh:g}"
            times_file = tmp / f"times_{i}.txt"
            if proc.returncode != 0 or not times_file.exists():
                results[name] = _common.r_failed(proc)
                continue
            times = [float(t) for t in times_file.read_text().split()]
            raw = np.fromfile(tmp / f"coef_{i}.bin", dtype="<f8")
            nlam = raw.size // (p + 1)
            intercepts = raw[:nlam]
            coefs = raw[nlam:].reshape(nlam, p)  # column-major p x nlam = row-major
            results[name] = {"times": times, "fit": (intercepts, coefs), "status": "ok"}
        return results

    files = _common.xy_files(prob.X, prob.y)
    files["lambdas.bin"] = prob.lambdas.astype("<f8")
    if limits is not None:
        for side, values in zip(("lower", "upper"), limits, strict=True):
            files[f"{side}.bin"] = np.broadcast_to(values, (p,)).astype("<f8")
    args = [n, p, prob.family, repr(prob.l1_ratio), repeats,
            ",".join(repr(t) for t in threshes), repr(slow)]  # fmt: skip
    return _common.run_r_script("glmnet_path.R", files, args, read)


# ---- one problem ---------------------------------------------------------------------


def warm_up_problem(prob: Problem) -> Problem:
    """A small problem of the same model, for the untimed first call of a solver."""
    kind = next(k for k, v in KINDS.items() if v == (prob.family, prob.l1_ratio))
    return make_problem(60, 12, prob.rho, kind, seed=1)


def run_problem(
    prob: Problem, solvers: list[str], repeats: int, slow: float, threshes: list[float],
    skip: dict[str, str],
) -> dict[str, dict]:  # fmt: skip
    results: dict[str, dict] = {}
    size = prob.X.shape[0] * prob.X.shape[1]
    for name in solvers:
        if name == "glmnet":
            results.update(run_glmnet(prob, repeats, threshes, slow))
            continue
        if name in skip:
            results[name] = {"status": skip[name]}
            continue
        if name == "statsmodels" and size > STATSMODELS_MAX_SIZE:
            results[name] = {"status": "not run (small problems only)"}
            continue
        results[name] = time_solver(
            PYTHON_SOLVERS[name],
            PEER_MODULES[name],
            prob,
            lambda: warm_up_problem(prob),
            (name, prob.family, prob.l1_ratio),
            repeats,
            slow,
        )
    add_gaps(prob, results)
    return results


def time_solver(
    fn: Callable[[Problem], Fit],
    module: str,
    prob: Problem,
    warm_up: Callable[[], Problem],
    key: tuple,
    repeats: int,
    slow: float,
) -> dict:
    """Time one Python solver on ``prob``: its module imported and one fit of the
    problem ``warm_up()`` made (once per ``key`` and process), both untimed; a solver
    that is missing, not applicable, too slow or failing is reported in ``status``."""
    try:
        importlib.import_module(module)  # import time is not timed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _common.warm_up_once(key, lambda: fn(warm_up()))
            times, fit = _common.time_call(lambda: fn(prob), repeats, slow)
        return {"times": times, "fit": fit, "status": "ok"}
    except NotApplicable as exc:
        return {"status": f"n/a ({exc})"}
    except TooSlow as exc:
        return {"status": f"too slow ({exc})"}
    except ImportError as exc:
        return {"status": f"missing ({exc.name})"}
    except Exception as exc:  # noqa: BLE001 - a failing peer is reported
        traceback.print_exc(limit=2, file=sys.stderr)
        return {"status": f"failed: {type(exc).__name__}: {exc}"[:200]}


def add_gaps(prob: Problem, results: dict[str, dict]) -> None:
    """Worst relative objective gap over the path to the best objective any solver
    reached at each lambda."""
    nlam = len(prob.lambdas)
    values = {}
    for name, res in results.items():
        if res.get("status") != "ok":
            continue
        intercepts, coefs = res["fit"]
        if coefs.shape != (nlam, prob.X.shape[1]):
            res["status"] = f"failed: path of shape {coefs.shape}"
            continue
        points = zip(prob.lambdas, intercepts, coefs, strict=True)
        values[name] = np.array([objective(prob, lam, b0, b) for lam, b0, b in points])
    if not values:
        return
    best = np.min(np.vstack(list(values.values())), axis=0)
    for name, vals in values.items():
        results[name]["gap"] = float(np.max((vals - best) / np.abs(best)))


# ---- output ------------------------------------------------------------------------------


def cell(res: dict, base: float | None) -> str:
    if res.get("status") != "ok":
        return res.get("status", "?")
    t = _common.median(res["times"])
    ratio = f" ({t / base:.1f}x)" if base else ""
    gap = res.get("gap", float("nan"))
    gap_text = "0" if gap <= 0 else f"{gap:.0e}"
    return f"{t:.3g} s{ratio}, gap {gap_text}"


def format_tables(
    all_results: list[tuple[Problem, dict]],
    names: list[str],
    kinds=tuple(KINDS),
    cell_text: Callable[[dict, float | None], str] = cell,
) -> str:
    """One Markdown table per kind (problem names start with the kind)."""
    header = ["problem", *names]
    blocks = []
    for kind in kinds:
        rows = []
        for prob, res in all_results:
            if not prob.name.startswith(kind + " "):
                continue
            pen = res.get("penstat", {})
            base = _common.median(pen["times"]) if pen.get("status") == "ok" else None
            row = [prob.name.removeprefix(kind + " ")]
            row += [cell_text(res[n], base) if n in res else "" for n in names]
            rows.append(row)
        if rows:
            blocks.append(f"### {kind}\n\n" + _common.markdown_table(header, rows))
    return "\n\n".join(blocks)


def progress(res: dict) -> str:
    """One line per problem: each solver's median time and gap, or its status."""
    return ", ".join(
        f"{s} {_common.median(r['times']):.3g}s gap {r.get('gap', float('nan')):.1e}"
        if r.get("status") == "ok"
        else f"{s} {r.get('status')}"
        for s, r in res.items()
    )


def run_grid(
    argv: list[str] | None,
    *,
    description: str,
    all_kinds,
    shapes,
    rhos,
    solvers: str,
    make: Callable,
    run: Callable,
    prefix: str,
    known_solvers=None,
    show: Callable[[dict], str] = progress,
    never_skip=("penstat",),
    write_options: dict | None = None,
) -> None:
    """The command line and the loop over the grid shared by the benchmark scripts:
    parse ``argv``, make each problem (``make(n, p, rho, kind, seed=)``), time it
    (``run(prob, solvers, repeats, slow, threshes, skip)``), skip a solver on the
    larger problems of a kind once it took ``--give-up`` seconds, and write the
    tables after every problem (``write_results`` with ``write_options``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a small subset of the grid")
    parser.add_argument(
        "--problems", default="", help="only problems whose name contains this text"
    )
    parser.add_argument("--kinds", default=",".join(all_kinds), help="comma-separated")
    parser.add_argument("--rhos", default=None, help="comma-separated correlations")
    parser.add_argument(
        "--shapes",
        default=None,
        help='shapes instead of the grid\'s, e.g. "20000x50,50000x200"',
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--solvers", default=solvers)
    parser.add_argument(
        "--glmnet-thresh",
        default="1e-7,1e-10",
        help="glmnet thresholds; the first is glmnet's default, later ones try to "
        "reach penstat's objective gap",
    )
    parser.add_argument(
        "--slow", type=float, default=30.0, help="stop repeating after a run this long (s)"
    )
    parser.add_argument(
        "--give-up",
        type=float,
        default=120.0,
        help="skip a solver on larger problems of a kind once a run took this long (s)",
    )
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="Markdown output file")
    args = parser.parse_args(argv)

    if args.quick:
        shapes, rhos = QUICK_SHAPES, QUICK_RHOS
    if args.rhos:
        rhos = [float(r) for r in args.rhos.split(",")]
    if args.shapes:
        shapes = [tuple(int(v) for v in s.split("x")) for s in args.shapes.split(",")]
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = sorted(set(kinds) - set(all_kinds))
    if unknown:
        parser.error(f"unknown kinds {unknown}; choose from {', '.join(all_kinds)}")
    chosen = [s for s in args.solvers.split(",") if s]
    if known_solvers is not None:
        unknown = sorted(set(chosen) - set(known_solvers) - {"glmnet"})
        if unknown:
            parser.error(
                f"unknown solvers {unknown}; choose from {', '.join(known_solvers)}, glmnet"
            )
    threshes = [float(t) for t in args.glmnet_thresh.split(",")]
    grid = problem_grid(shapes, rhos, kinds, seed=args.seed)
    grid = [g for g in grid if args.problems in g[0]]
    # within a kind, smaller problems first so that --give-up can skip larger ones
    grid.sort(key=lambda g: (kinds.index(g[4]), g[1] * g[2], g[3]))

    names = ["penstat"] + [s for s in chosen if s != "penstat"]
    if "glmnet" in names:
        i = names.index("glmnet")
        names[i + 1 : i + 1] = [f"glmnet thresh={t:g}" for t in threshes[1:]]

    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else _common.RESULTS / f"{prefix}-{stamp}.md"
    blas = args.threads or "default"
    print(f"# machine: {_common.machine_description()}; BLAS threads: {blas}")
    all_results: list[tuple[Problem, dict]] = []
    skip: dict[str, dict[str, str]] = {k: {} for k in kinds}
    options = {"kinds": list(kinds), **(write_options or {})}
    started = time.time()
    for name, n, p, rho, kind in grid:
        prob = make(n, p, rho, kind, seed=args.seed)
        res = run(prob, chosen, args.repeats, args.slow, threshes, skip[kind])
        for solver, r in res.items():
            if solver in never_skip:
                continue  # the reference columns are never skipped
            if r.get("status") == "ok" and max(r["times"]) > args.give_up:
                skip[kind][solver] = f"skipped (> {args.give_up:g} s on a smaller problem)"
        all_results.append((prob, res))
        print(f"[{time.time() - started:7.1f}s] {name}: {show(res)}", flush=True)
        # partial results survive a stop
        write_results(all_results, names, args, out, **options)
    text = write_results(all_results, names, args, out, **options)
    print()
    print(text)
    print(f"written: {out} and {out.with_suffix('.json')}")


def main(argv: list[str] | None = None) -> None:
    run_grid(
        argv,
        description=__doc__.split("\n\n")[0],
        all_kinds=list(KINDS),
        shapes=SHAPES,
        rhos=RHOS,
        solvers="penstat,glmnet,sklearn,glum,skglm,celer,statsmodels",
        make=make_problem,
        run=run_problem,
        prefix="paths",
    )


LEGEND = (
    "Each cell: median seconds for the 100-lambda path (ratio to penstat), worst "
    "relative objective gap over the path to the best objective any solver reached."
)


def write_results(
    all_results,
    names,
    args,
    out: Path,
    *,
    kinds=tuple(KINDS),
    cell_text: Callable[[dict, float | None], str] = cell,
    modules=("penstat", "sklearn", "glum", "skglm", "celer", "statsmodels"),
    legend: str = LEGEND,
) -> str:
    """Write the tables (``out``, Markdown) and every time and gap (``out`` .json)."""
    tables = format_tables(all_results, names, kinds, cell_text)
    vers = _common.versions(list(modules))
    vers["R glmnet"] = _common.r_glmnet_version()
    blas = args.threads or "default"
    header = (
        f"Machine: {_common.machine_description()}; BLAS threads: {blas}; "
        f"repeats: {args.repeats} (median; a run over {args.slow:g} s is not repeated).\n\n"
        "Versions: " + ", ".join(f"{k} {v}" for k, v in vers.items()) + ".\n\n" + legend
    )
    text = header + "\n\n" + tables + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    raw = {
        prob.name: {s: {k: v for k, v in r.items() if k != "fit"} for s, r in res.items()}
        for prob, res in all_results
    }
    out.with_suffix(".json").write_text(json.dumps(raw, indent=1))
    return text


if __name__ == "__main__":
    main()
