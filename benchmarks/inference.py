"""Benchmark: multi-split and de-sparsified lasso inference, penstat against R's hdi,
and a small simulation of their error rates and coverage.

Run by hand (never in CI):

    python benchmarks/inference.py                       # timing + simulation
    python benchmarks/inference.py --skip-sim --splits 50
    python benchmarks/inference.py --skip-timing --sim-reps 50

Timing, on the riboflavin data (n = 71, p = 4088; Bühlmann, Kalisch & Meier 2014),
read from R's hdi package when R and hdi are installed, else on a simulated problem
of the same shape (Toeplitz correlation 0.8, three active columns):

* penstat: ``ps.lasso("y ~ .", select="cv_1se")`` then
  ``fit.inference("split", n_splits=B)`` and ``fit.inference("debiased")`` on one
  job (BLAS on one thread), timed around the inference call;
* R: ``hdi::multi.split(x, y, B = B)`` and ``hdi::lasso.proj(x, y)`` (their
  defaults: ``cv.glmnet`` lambda.1se selection, nodewise lasso at the pooled CV
  lambda.min), timed inside R on one core in the same run.

Simulation (``--sim-reps`` data sets): n = 100, p = 200, Toeplitz correlation 0.5,
active columns 1, 2, 3 with coefficients 1, 1, 1 and noise sd 1 (the shape of van
de Geer et al. 2014, section 4); the fit is ``select="cv_1se"``. Reported: the
multi-split family-wise error rate (any inactive column with ``p_adjusted <= 0.05``)
and power (active columns found), and the de-sparsified lasso's average coverage of
95% intervals over the active and the inactive columns, its FWER from Holm's
``p_adjusted`` and its power.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import limit_threads_from_argv  # noqa: E402

THREADS = limit_threads_from_argv(default=1)

import argparse  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

R_RIBOFLAVIN = """
suppressMessages(library(hdi))
data(riboflavin)
x <- as.matrix(riboflavin$x)
write.csv(data.frame(y = riboflavin$y, x), "{out}", row.names = FALSE)
"""

R_TIMING = """
suppressMessages({{ library(hdi); library(glmnet) }})
d <- read.csv("{data}")
y <- d[, 1]
x <- as.matrix(d[, -1])
set.seed(1)
t_split <- system.time(ms <- multi.split(x, y, B = {splits}))[["elapsed"]]
message(sprintf("hdi multi.split: %.2f s", t_split))
t_proj <- NA
if ({proj}) {{
  set.seed(1)
  t_proj <- system.time(suppressMessages(lp <- lasso.proj(x, y)))[["elapsed"]]
  message(sprintf("hdi lasso.proj: %.2f s", t_proj))
}}
cat(sprintf("%.6f %.6f %d\\n", t_split, t_proj, sum(ms$pval.corr <= 0.05)))
"""


def have_hdi() -> bool:
    if shutil.which("Rscript") is None:
        return False
    res = subprocess.run(
        ["Rscript", "-e", "quit(status = !requireNamespace('hdi', quietly = TRUE))"],
        capture_output=True,
    )
    return res.returncode == 0


def riboflavin_or_simulated(tmp: Path, use_r: bool) -> tuple[pd.DataFrame, str]:
    if use_r:
        out = tmp / "riboflavin.csv"
        script = tmp / "ribo.R"
        script.write_text(R_RIBOFLAVIN.format(out=out))
        res = subprocess.run(["Rscript", str(script)], capture_output=True, text=True)
        if res.returncode == 0 and out.exists():
            df = pd.read_csv(out)
            df.columns = ["y"] + [f"g{j + 1}" for j in range(df.shape[1] - 1)]
            return df, "riboflavin (hdi)"
    rng = np.random.default_rng(71)
    n, p = 71, 4088
    X = _toeplitz(rng, n, p, 0.8)
    y = X[:, :3] @ np.array([1.0, -1.0, 0.5]) + 0.5 * rng.standard_normal(n)
    df = pd.DataFrame(X, columns=[f"g{j + 1}" for j in range(p)])
    df.insert(0, "y", y)
    return df, "simulated, riboflavin shape"


def _toeplitz(rng, n: int, p: int, rho: float) -> np.ndarray:
    # an AR(1) column process: corr(X_j, X_k) = rho^|j - k|
    X = np.empty((n, p))
    X[:, 0] = rng.standard_normal(n)
    scale = np.sqrt(1 - rho * rho)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + scale * rng.standard_normal(n)
    return X


def time_penstat(df: pd.DataFrame, splits: int) -> dict:
    import penstat as ps

    start = time.perf_counter()
    fit = ps.lasso("y ~ .", df, select="cv_1se", seed=1)
    t_fit = time.perf_counter() - start
    start = time.perf_counter()
    split = fit.inference("split", n_splits=splits, seed=1, n_jobs=1, progress=False)
    t_split = time.perf_counter() - start
    start = time.perf_counter()
    deb = fit.inference("debiased", seed=1, n_jobs=1, progress=False)
    t_deb = time.perf_counter() - start
    return {
        "fit": t_fit,
        "split": t_split,
        "debiased": t_deb,
        "split_found": int((split.table["p_adjusted"] <= 0.05).sum()),
        "split_failed": split.details["n_failed"],
        "debiased_found": int((deb.table["p_adjusted"] <= 0.05).sum()),
        "nodewise_lam": deb.details["nodewise_lam"],
    }


def time_hdi(df: pd.DataFrame, tmp: Path, splits: int, proj: bool) -> dict:
    data = tmp / "data.csv"
    df.to_csv(data, index=False)
    script = tmp / "timing.R"
    script.write_text(
        R_TIMING.format(data=data, splits=splits, proj="TRUE" if proj else "FALSE")
    )
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    res = subprocess.run(
        ["Rscript", str(script)], stdout=subprocess.PIPE, stderr=None, text=True, env=env
    )
    if res.returncode != 0:
        return {"status": f"failed (exit {res.returncode})"}
    t_split, t_proj, found = res.stdout.split()
    return {
        "status": "ok",
        "split": float(t_split),
        "debiased": float(t_proj),
        "split_found": int(found),
    }


def simulate(reps: int, splits: int, seed: int = 0) -> pd.DataFrame:
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    import penstat as ps

    n, p, active = 100, 200, np.array([0, 1, 2])
    beta = np.zeros(p)
    beta[active] = 1.0
    inactive = np.setdiff1d(np.arange(p), active)
    rows = []
    for rep in range(reps):
        rng = np.random.default_rng([seed, rep])
        X = _toeplitz(rng, n, p, 0.5)
        y = X @ beta + rng.standard_normal(n)
        df = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
        df["y"] = y
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ps.lasso("y ~ .", df, select="cv_1se", seed=rep)
            split = fit.inference("split", n_splits=splits, seed=rep, progress=False)
            deb = fit.inference("debiased", seed=rep, progress=False)
        ps_ = split.table["p_adjusted"].to_numpy()
        t = deb.table
        cover = (t["ci_lower"].to_numpy() <= beta) & (beta <= t["ci_upper"].to_numpy())
        pd_ = t["p_adjusted"].to_numpy()
        # the same intervals and Holm p-values with the true sigma (1): se scales
        # with sigma
        se1 = t["std_error"].to_numpy() / deb.sigma
        est = t["estimate"].to_numpy()
        z = stats.norm.ppf(0.975)
        cover1 = np.abs(est - beta) <= z * se1
        p1 = multipletests(2 * stats.norm.sf(np.abs(est / se1)), method="holm")[1]
        rows.append(
            {
                "split_fwer": bool((ps_[inactive] <= 0.05).any()),
                "split_power": float((ps_[active] <= 0.05).mean()),
                "deb_cover_active": float(cover[active].mean()),
                "deb_cover_inactive": float(cover[inactive].mean()),
                "deb_fwer": bool((pd_[inactive] <= 0.05).any()),
                "deb_power": float((pd_[active] <= 0.05).mean()),
                "sigma_hat": float(deb.sigma),
                "known_cover_active": float(cover1[active].mean()),
                "known_cover_inactive": float(cover1[inactive].mean()),
                "known_fwer": bool((p1[inactive] <= 0.05).any()),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", type=int, default=50)
    parser.add_argument("--sim-reps", type=int, default=20)
    parser.add_argument("--sim-splits", type=int, default=20)
    parser.add_argument("--skip-sim", action="store_true")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--skip-r", action="store_true")
    parser.add_argument("--skip-r-debiased", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} (shared machine); BLAS threads {THREADS}"
    )
    if not args.skip_timing:
        use_r = not args.skip_r and have_hdi()
        with tempfile.TemporaryDirectory() as tmp_:
            tmp = Path(tmp_)
            df, name = riboflavin_or_simulated(tmp, use_r)
            print(f"\n## Timing on {name}, n = {df.shape[0]}, p = {df.shape[1] - 1}\n")
            ours = time_penstat(df, args.splits)
            print(
                f"penstat: lasso fit {ours['fit']:.2f} s, split {ours['split']:.2f} s, "
                f"debiased {ours['debiased']:.2f} s",
                flush=True,
            )
            theirs = (
                time_hdi(df, tmp, args.splits, not args.skip_r_debiased)
                if use_r
                else {"status": "R hdi not installed"}
            )
        print("| method | penstat (s) | hdi (s) | ratio |")
        print("|---|---|---|---|")
        for key, label in (
            ("split", f"split, B = {args.splits}"),
            ("debiased", "debiased"),
        ):
            r = (
                theirs.get(key, float("nan"))
                if theirs.get("status") == "ok"
                else float("nan")
            )
            print(f"| {label} | {ours[key]:.2f} | {r:.2f} | {ours[key] / r:.3f} |")
        print(
            f"\npenstat: lasso fit {ours['fit']:.2f} s; split found {ours['split_found']} "
            f"columns (FWER 0.05), {ours['split_failed']} failed splits; debiased found "
            f"{ours['debiased_found']} (Holm 0.05), nodewise lambda "
            f"{ours['nodewise_lam']:.4g}"
        )
        if theirs.get("status") == "ok":
            print(f"hdi: multi.split found {theirs['split_found']} columns (FWER 0.05)")
        else:
            print(f"hdi: {theirs.get('status')}")
    if not args.skip_sim:
        start = time.perf_counter()
        sim = simulate(args.sim_reps, args.sim_splits)
        print(
            f"\n## Simulation: {args.sim_reps} data sets, n = 100, p = 200, Toeplitz 0.5, "
            f"3 active columns (coefficient 1), split B = {args.sim_splits} "
            f"({time.perf_counter() - start:.0f} s)\n"
        )
        print("| quantity | value |")
        print("|---|---|")
        print(f"| split: FWER (target <= 0.05) | {sim['split_fwer'].mean():.3f} |")
        print(f"| split: power (active found) | {sim['split_power'].mean():.3f} |")
        print(
            f"| debiased: coverage, active (95%) | {sim['deb_cover_active'].mean():.3f} |"
        )
        inactive = sim["deb_cover_inactive"].mean()
        print(f"| debiased: coverage, inactive (95%) | {inactive:.3f} |")
        print(f"| debiased: FWER, Holm (target <= 0.05) | {sim['deb_fwer'].mean():.3f} |")
        print(f"| debiased: power (active found) | {sim['deb_power'].mean():.3f} |")
        print(
            f"| debiased: mean estimated sigma (true 1) | {sim['sigma_hat'].mean():.3f} |"
        )
        print(
            f"| debiased, sigma known: coverage, active | "
            f"{sim['known_cover_active'].mean():.3f} |"
        )
        print(
            f"| debiased, sigma known: coverage, inactive | "
            f"{sim['known_cover_inactive'].mean():.3f} |"
        )
        print(f"| debiased, sigma known: FWER, Holm | {sim['known_fwer'].mean():.3f} |")


if __name__ == "__main__":
    main()
