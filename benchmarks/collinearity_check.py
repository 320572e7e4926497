"""Cost of the collinearity check (``penstat._validation.dependent_columns``, one
QR of the unit-scaled design) beside the statsmodels least-squares fit it guards
(the sigma estimate and the adaptive lasso's start), in CPU time, side by side in
one run. ``python benchmarks/collinearity_check.py [--quick]``."""

from __future__ import annotations

import argparse
import time

import numpy as np
import statsmodels.api as sm

from penstat._validation import dependent_columns


def cpu(run, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.process_time()
        run()
        best = min(best, time.process_time() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = (
        [(1000, 20), (5000, 100)] if args.quick else [(1000, 20), (5000, 100), (20000, 200)]
    )
    repeat = 3
    print("| n | p | WLS fit (s) | check (s) | check / WLS |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for n, p in sizes:
        X = sm.add_constant(rng.standard_normal((n, p)), has_constant="add")
        y = X[:, 1] + rng.standard_normal(n)
        w = np.ones(n)
        names = [f"c{j}" for j in range(p + 1)]

        def wls(y=y, X=X, w=w):
            return sm.WLS(y, X, weights=w).fit()

        def check(X=X, w=w, names=names):
            return dependent_columns(X * np.sqrt(w)[:, None], names)

        t_wls = cpu(wls, repeat)
        t_chk = cpu(check, repeat)
        print(f"| {n} | {p} | {t_wls:.4f} | {t_chk:.4f} | {t_chk / t_wls:.2f} |")


if __name__ == "__main__":
    main()
