"""Benchmark: the time of the de-sparsified lasso with each initial estimate.

Run by hand (never in CI):

    python benchmarks/debiased_initial.py                 # riboflavin, all genes
    python benchmarks/debiased_initial.py --genes 500

On the riboflavin data (n = 71; hdi's, read through R when hdi is installed, else a
simulated problem of the same shape), ``ps.lasso("y ~ .", select="cv_1se")`` then
``fit.inference("debiased", initial=...)`` for ``"refit"`` (least squares on the
lasso's selected columns, the default) and ``"lasso"`` (the lasso's coefficients),
one job, BLAS on one thread, CPU and wall time of the inference call, the two
initials alternated in one run. The refit itself is also timed alone (it is one
statsmodels least-squares fit of at most n - 1 columns; the rest, the nodewise
regressions and sigma, is the same work for both).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import limit_threads_from_argv  # noqa: E402

THREADS = limit_threads_from_argv(default=1)

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    import penstat as ps
    from benchmarks.inference import have_hdi, riboflavin_or_simulated
    from penstat.inference.debiased import _refit_initial

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--genes", type=int, default=0, help="first genes (0: all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per initial")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        df, name = riboflavin_or_simulated(Path(tmp), have_hdi())
    if args.genes:
        df = df.iloc[:, : args.genes + 1]
    fit = ps.lasso("y ~ .", df, select="cv_1se", seed=1)
    n, p = fit.design.X.shape
    print(f"{name}: n = {n}, p = {p}, {len(fit.selected)} selected; BLAS threads "
          f"{THREADS}", file=sys.stderr)  # fmt: skip
    times: dict[str, list[tuple[float, float]]] = {"refit": [], "lasso": []}
    for _ in range(args.repeat):
        for initial in times:
            wall, cpu = time.perf_counter(), time.process_time()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit.inference("debiased", initial=initial, seed=0, n_jobs=1,
                              progress=False)  # fmt: skip
            times[initial].append((time.process_time() - cpu, time.perf_counter() - wall))
    beta = fit.coef.to_numpy()[1:]
    w = np.ones(n)
    reps = 20
    cpu = time.process_time()
    for _ in range(reps):
        _refit_initial(fit, fit.intercept, beta, w)
    refit_alone = (time.process_time() - cpu) / reps
    lines = [
        "| data | initial | CPU s | wall s | ratio to lasso (CPU) |",
        "|---|---|--:|--:|--:|",
    ]
    base = min(c for c, _ in times["lasso"])
    for initial, runs in times.items():
        c = min(r[0] for r in runs)
        w_ = min(r[1] for r in runs)
        lines.append(f"| {name}, p = {p} | {initial} | {c:.2f} | {w_:.2f} | "
                     f"{c / base:.3f} |")  # fmt: skip
    lines.append(f"| {name}, p = {p} | the refit alone | {refit_alone:.4f} | | |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
