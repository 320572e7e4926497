"""Benchmark: 100-lambda paths with coefficient limits (glmnet's lower.limits /
upper.limits), penstat against R glmnet, scikit-learn and glum.

Run by hand (never in CI):

    python benchmarks/limits.py --quick
    python benchmarks/limits.py --repeats 3
    python benchmarks/limits.py --problems box_ --solvers penstat,glmnet

The problems are those of ``benchmarks/paths.py`` (the standardized simulation of
``benchmarks/problems.py``, glmnet's objective and lambda grid, an unpenalized
intercept, no standardization by any solver) with limits on every coefficient:

- ``nonneg``: ``lower_limits = 0`` (the non-negative lasso / elastic net), with
  ``beta_j = s_j exp(-2 (j - 1) / 20)``, ``s_j = -1`` for every fourth of the first 20
  columns (j = 4, 8, ..., 20) and for every column after the 20th, ``+1`` for the
  other 15, so that the lower limit binds;
- ``box``: every coefficient in ``[-0.1, 0.1]``, with the alternating
  ``beta_j = (-1)^j exp(-2 (j - 1) / 20)`` of ``problems.py``, so that many
  coefficients sit at a limit at the end of the path.

Solvers: penstat (default ``tol``), R glmnet with ``lower.limits`` / ``upper.limits``
(at ``thresh`` 1e-7 and 1e-10, as in ``paths.py``), scikit-learn's
``enet_path(positive=True)`` (non-negative gaussian problems only; it has no other
limits, and ``LogisticRegression`` none at all), and glum with ``lower_bounds`` /
``upper_bounds``. The objective gap of a solution is taken to the best objective of
any feasible solution at that lambda, penstat's at ``tol=1e-13`` (fitted once per
problem, untimed) included; a solution with a coefficient outside its limits by more
than 1e-12 is reported as infeasible, with its largest violation, and has no gap.

BLAS and OpenMP are limited to one thread (``--threads`` to change).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import limit_threads_from_argv  # noqa: E402

THREADS = limit_threads_from_argv(default=1)

import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import _common, paths  # noqa: E402
from benchmarks.paths import Fit, NotApplicable  # noqa: E402
from benchmarks.problems import (  # noqa: E402
    Problem,
    glmnet_lambdas,
    simulate,
)

SHAPES = [(1000, 100), (5000, 100), (100, 1000), (1000, 1000), (10000, 500)]
RHOS = [0.0, 0.5]
KINDS = {
    # name: (limits, family, l1_ratio)
    "nonneg_gaussian_lasso": ("nonneg", "gaussian", 1.0),
    "nonneg_gaussian_enet": ("nonneg", "gaussian", 0.5),
    "nonneg_binomial_lasso": ("nonneg", "binomial", 1.0),
    "box_gaussian_lasso": ("box", "gaussian", 1.0),
    "box_binomial_lasso": ("box", "binomial", 1.0),
}
BOX = 0.1
# a coefficient further than this outside its limits makes the solution infeasible;
# within it, the coefficient is clipped to the limit before the objective is computed
VIOLATION_TOL = 1e-12
REFERENCE_TOL = 1e-13
REFERENCE = f"penstat tol={REFERENCE_TOL:g} (reference)"


@dataclass(frozen=True)
class LimitsProblem(Problem):
    """A benchmark problem with (p,) coefficient limits on the scale of ``X``."""

    limits: str = ""
    lower: np.ndarray = field(default=None, repr=False)
    upper: np.ndarray = field(default=None, repr=False)


def nonneg_beta(p: int) -> np.ndarray:
    """``s_j exp(-2 (j - 1) / 20)``: s_j = +1 for 15 of the first 20 columns, -1 for
    j = 4, 8, 12, 16, 20 and every j > 20."""
    j = np.arange(1, p + 1)
    sign = np.where((j <= 20) & (j % 4 != 0), 1.0, -1.0)
    return sign * np.exp(-2.0 * (j - 1) / 20.0)


def make_limits_problem(
    n: int, p: int, rho: float, kind: str, seed: int = 0
) -> LimitsProblem:
    limits, family, l1_ratio = KINDS[kind]
    if limits == "nonneg":
        beta, lower, upper = nonneg_beta(p), np.zeros(p), np.full(p, np.inf)
    else:
        beta, lower, upper = None, np.full(p, -BOX), np.full(p, BOX)
    X, y = simulate(n, p, rho, family, seed=seed, beta=beta)
    return LimitsProblem(
        name=f"{kind} n={n} p={p} rho={rho:g}",
        family=family,
        l1_ratio=l1_ratio,
        X=X,
        y=y,
        lambdas=glmnet_lambdas(X, y, l1_ratio),  # lambda_max without limits, as glmnet
        rho=rho,
        limits=limits,
        lower=lower,
        upper=upper,
    )


# ---- solvers -------------------------------------------------------------------------


def fit_penstat(prob: LimitsProblem, tol: float | None = None) -> Fit:
    return paths.fit_penstat(prob, tol, lower_limits=prob.lower, upper_limits=prob.upper)


def fit_sklearn(prob: LimitsProblem) -> Fit:
    from sklearn.linear_model import enet_path

    if prob.family != "gaussian":
        raise NotApplicable("LogisticRegression takes no limits")
    if prob.limits != "nonneg":
        raise NotApplicable("only positive=True")
    # As in paths.py: alpha = lam, X and y centred so that the intercept is 0 (it is
    # unpenalized and unconstrained); positive=True is lower_limits = 0.
    _, coefs, _ = enet_path(
        prob.X, prob.y, l1_ratio=prob.l1_ratio, alphas=prob.lambdas, positive=True
    )
    return np.zeros(len(prob.lambdas)), coefs.T


def fit_glum(prob: LimitsProblem) -> Fit:
    # As in paths.py (glum's objective is glmnet's with alpha = lam), with the limits
    # as bounds; a side without a finite bound is not passed.
    lower = prob.lower if np.isfinite(prob.lower).any() else None
    upper = prob.upper if np.isfinite(prob.upper).any() else None
    return paths.fit_glum(prob, lower_bounds=lower, upper_bounds=upper)


SOLVERS: dict[str, Callable[[LimitsProblem], Fit]] = {
    "penstat": fit_penstat,
    "sklearn": fit_sklearn,
    "glum": fit_glum,
}


# ---- one problem ---------------------------------------------------------------------


def run_problem(
    prob: LimitsProblem, solvers: list[str], repeats: int, slow: float,
    threshes: list[float], skip: dict[str, str],
) -> dict[str, dict]:  # fmt: skip
    results: dict[str, dict] = {}
    kind = prob.name.split()[0]
    for name in solvers:
        if name == "glmnet":
            limits = (prob.lower, prob.upper)
            results.update(paths.run_glmnet(prob, repeats, threshes, slow, limits=limits))
            continue
        if name in skip:
            results[name] = {"status": skip[name]}
            continue
        warm_up = lambda: make_limits_problem(60, 12, prob.rho, kind, seed=1)  # noqa: E731
        module = paths.PEER_MODULES[name]
        key = (name, kind)
        results[name] = paths.time_solver(
            SOLVERS[name], module, prob, warm_up, key, repeats, slow
        )
    results[REFERENCE] = reference_fit(prob)
    add_gaps(prob, results)
    return results


def reference_fit(prob: LimitsProblem) -> dict:
    """penstat at ``tol=1e-13``, once, for the objective gaps only."""
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = fit_penstat(prob, tol=REFERENCE_TOL)
    except Exception as exc:  # noqa: BLE001 - the gaps are then to the solvers' best
        return {"status": f"failed: {type(exc).__name__}: {exc}"[:200]}
    return {"times": [time.perf_counter() - start], "fit": fit, "status": "ok"}


def add_gaps(prob: LimitsProblem, results: dict[str, dict]) -> None:
    """Check every solution against the limits, then the gaps of ``paths.add_gaps``
    among the feasible ones (a coefficient within 1e-12 of its box is clipped to it).

    Each result gets ``violation``: the largest amount by which a coefficient of the
    path leaves its limits (0 when none does)."""
    nlam, p = len(prob.lambdas), prob.X.shape[1]
    feasible = {}
    for name, res in results.items():
        if res.get("status") != "ok":
            continue
        intercepts, coefs = (np.asarray(a, dtype=float) for a in res["fit"])
        if coefs.shape != (nlam, p):
            res["status"] = f"failed: path of shape {coefs.shape}"
            continue
        if not np.isfinite(coefs).all():
            res["status"] = "failed: coefficients not finite"
            continue
        excess = np.maximum(prob.lower - coefs, coefs - prob.upper)
        res["violation"] = float(max(0.0, excess.max()))
        if res["violation"] > VIOLATION_TOL:
            continue
        res["fit"] = (intercepts, np.clip(coefs, prob.lower, prob.upper))
        feasible[name] = res
    paths.add_gaps(prob, feasible)


# ---- output ------------------------------------------------------------------------------


def cell(res: dict, base: float | None) -> str:
    """``paths.cell``, or the time and ``infeasible (max violation v)``."""
    if res.get("status") == "ok" and res.get("violation", 0.0) > VIOLATION_TOL:
        t = _common.median(res["times"])
        ratio = f" ({t / base:.1f}x)" if base else ""
        return f"{t:.3g} s{ratio}, infeasible (max violation {res['violation']:.0e})"
    return paths.cell(res, base)


def progress(res: dict) -> str:
    parts = []
    for name, r in res.items():
        if r.get("status") != "ok":
            parts.append(f"{name} {r.get('status')}")
            continue
        t = _common.median(r["times"])
        if r.get("violation", 0.0) > VIOLATION_TOL:
            parts.append(f"{name} {t:.3g}s infeasible {r['violation']:.1e}")
        else:
            parts.append(f"{name} {t:.3g}s gap {r.get('gap', float('nan')):.1e}")
    return ", ".join(parts)


LEGEND = (
    "Limits: `nonneg`, every coefficient >= 0 (true coefficients positive on 15 of "
    "the first 20 columns, negative elsewhere); `box`, every coefficient in "
    f"[-{BOX:g}, {BOX:g}] (the alternating coefficients of paths.py).\n\n"
    "Each cell: median seconds for the 100-lambda path (ratio to penstat), worst "
    "relative objective gap over the path to the best objective of any feasible "
    f"solution (penstat's at tol={REFERENCE_TOL:g}, fitted once, included); "
    f"`infeasible` when a coefficient leaves its limits by more than {VIOLATION_TOL:g} "
    "(its largest violation given)."
)


def main(argv: list[str] | None = None) -> None:
    paths.run_grid(
        argv,
        description=__doc__.split("\n\n")[0],
        all_kinds=list(KINDS),
        shapes=SHAPES,
        rhos=RHOS,
        solvers="penstat,glmnet,sklearn,glum",
        make=make_limits_problem,
        run=run_problem,
        prefix="limits",
        known_solvers=list(SOLVERS),
        show=progress,
        never_skip=("penstat", REFERENCE),
        write_options={
            "cell_text": cell,
            "legend": LEGEND,
            "modules": ("penstat", "sklearn", "glum"),
        },
    )


if __name__ == "__main__":
    main()
