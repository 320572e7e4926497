"""Hashes of resampling results, to compare two trees bit for bit.

    PYTHONPATH=/path/to/tree python benchmarks/resampling_hash.py [--jobs 1]

Bootstrap and stability selection are run unstratified (``stratify=False``), as
older versions did. Prints one SHA-256 (of the raw float64 bytes) per result: CV
curves (gaussian and binomial, array level), the l1_ratio search table, bootstrap
coefficients (CV inside the replicates, and at a fixed lambda) and
stability-selection probabilities. Run it on both trees with the same BLAS thread
setting; equal lines mean identical numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import warnings

import numpy as np


def digest(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(np.asarray(a, dtype=float)).tobytes())
    return h.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    import pandas as pd

    import penstat as ps
    from penstat.engine import run
    from penstat.solver.fit import checked
    from penstat.spec import SelectSpec

    jobs = args.jobs
    rng = np.random.default_rng(0)
    n, p = 3000, 40
    X = np.asfortranarray(rng.standard_normal((n, p)))
    eta = X[:, :4] @ np.array([1.0, -0.8, 0.5, 0.3])
    yg = eta + rng.standard_normal(n)
    yb = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    for family, y in (("gaussian", yg), ("binomial", yb)):
        Xa, ya, spec = checked(X, y, family=family, nlambda=40)
        out = run(
            Xa, ya, spec, SelectSpec(rule="cv_min", seed=1, n_jobs=jobs, progress=False)
        )
        cv = out.selection.cv
        print(
            f"cv {family}: {digest(cv.cvm, cv.cvsd, cv.fold_values)} lam_min {cv.lam_min!r}"
        )
        sel = SelectSpec(
            rule="cv_1se", seed=1, n_jobs=jobs, progress=False, l1_ratios=(0.5, 1.0)
        )
        out = run(Xa, ya, spec, sel)
        table = out.l1_ratio_table.select_dtypes("number")
        print(f"l1_ratio {family}: {digest(table.to_numpy())} chosen {out.l1_ratio}")
    small = 600
    df = pd.DataFrame(X[:small, :12], columns=[f"x{j}" for j in range(12)])
    for family, y in (("gaussian", yg[:small]), ("binomial", yb[:small])):
        data = df.assign(y=y)
        fit = ps.lasso(
            "y ~ .", data, family=family, select="cv_1se", seed=2, progress=False
        )
        # unstratified, the only resampling of older versions
        plain = {"stratify": False}
        boot = fit.bootstrap(12, seed=3, n_jobs=jobs, progress=False, **plain)
        print(f"bootstrap cv {family}: {digest(boot.coefs)}")
        boot = fit.bootstrap(
            12, fixed_lam=True, seed=3, n_jobs=jobs, progress=False, **plain
        )
        print(f"bootstrap fixed {family}: {digest(boot.coefs)}")
        options = dict(cutoff=0.75, pfer=1, seed=4, n_jobs=jobs, progress=False)
        try:
            stab = fit.stability_selection(10, **options, **plain)
        except TypeError:  # a version without stratified subsamples
            stab = fit.stability_selection(10, **options)
        print(f"stability {family}: {digest(stab.probabilities.to_numpy())}")


if __name__ == "__main__":
    main()
