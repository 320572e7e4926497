"""Benchmark: the binomial path against R glmnet on a sweep of problems like the
performance page's (5000, 100) rho 0.5 and (10000, 500) rho 0.2.

Run by hand (never in CI):

    python benchmarks/binomial_sweep.py                      # all problems, one run each
    python benchmarks/binomial_sweep.py --rerun-worst 5 --from results/....json
    python benchmarks/binomial_sweep.py --only S01,S07 --residual

The problems vary one thing at a time around those two: n / p from 10 to 1000 (n 2000
to 100000, p 20 to 1000), equicorrelated columns with rho 0, 0.2, 0.5 or 0.8, the
truth of Friedman, Hastie & Tibshirani (2010) (``fht``), 10 nonzero coefficients
(``sparse``) or all p nonzero (``dense``), balanced classes or 5% positives
(``rare``), unit or random weights (uniform on [0.25, 1.75]), and the lasso or
``l1_ratio`` 0.5. The design and the truth come from ``benchmarks/problems.py``: the
two problems of the page are its binomial problems as they are; the others take its
gaussian response (the linear predictor plus noise at a signal-to-noise ratio of 3,
standardized), times 3, plus the intercept that gives 50% or 5% positives, as the
log-odds. glmnet's grid of 100 lambdas (``problems.glmnet_lambdas``).

For each problem, one run each (R start-up, data transfer and a warm-up excluded):

- penstat ``fit_path`` at its default ``tol`` with BLAS pinned to one thread
  (threadpoolctl), and with the default BLAS threads;
- R glmnet at its default ``thresh`` (1e-7), ``standardize = FALSE``, with
  ``OPENBLAS_NUM_THREADS=1`` (glmnet's Fortran does not call BLAS);
- a reference path, penstat at ``tol = 1e-13``;

and prints CPU time (process time: user + system of all threads) and wall time, the
ratios penstat / glmnet, and both solvers' worst relative objective gap over the
lambdas both fitted, to the best objective any of the three reached (glmnet's
objective with the weights normalized to sum 1). ``--residual`` adds penstat with
covariance mode off (``gram_max_k=0``) beside the default. Results go to
``benchmarks/results/binomial-sweep-<time>.{md,json}``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from benchmarks import _common  # noqa: E402
from benchmarks.problems import glmnet_lambdas, simulate  # noqa: E402

# log-odds = LOGIT_SCALE * (standardized gaussian response) + intercept
LOGIT_SCALE = 3.0
RARE = 0.05


@dataclass(frozen=True)
class Spec:
    """One problem of the sweep."""

    name: str
    n: int
    p: int
    rho: float
    truth: str  # "fht", "sparse" or "dense"
    positives: str  # "balanced" or "rare"
    weights: bool
    l1_ratio: float

    @property
    def label(self) -> str:
        parts = [
            f"{self.n}x{self.p}",
            f"rho {self.rho:g}",
            self.truth,
            self.positives,
            "weights" if self.weights else "",
            "enet" if self.l1_ratio < 1 else "",
        ]
        return " ".join(s for s in parts if s)


def _spec(name, n, p, rho, truth="fht", pos="balanced", w=False, a=1.0) -> Spec:
    return Spec(name, n, p, rho, truth, pos, w, a)


SWEEP = [
    # the performance page's two problems, as benchmarks/problems.py makes them
    _spec("S01", 5000, 100, 0.5),
    _spec("S02", 10000, 500, 0.2),
    # n / p 10 to 1000, one or two things changed at a time
    _spec("S03", 2000, 20, 0.0, "sparse"),
    _spec("S04", 2000, 200, 0.8, "dense", "rare"),
    _spec("S05", 5000, 100, 0.8, "sparse", "rare", w=True),
    _spec("S06", 5000, 500, 0.0, "dense", a=0.5),
    _spec("S07", 10000, 100, 0.2, "dense", "rare", w=True),
    _spec("S08", 10000, 500, 0.5, "sparse", w=True, a=0.5),
    _spec("S09", 10000, 1000, 0.2, "sparse", "rare"),
    _spec("S10", 20000, 20, 0.8, "dense"),
    _spec("S11", 20000, 200, 0.0, "sparse", "rare", a=0.5),
    _spec("S12", 20000, 1000, 0.5, "dense"),
    _spec("S13", 50000, 50, 0.5, "sparse", "rare", w=True),
    _spec("S14", 50000, 200, 0.2, "dense", w=True),
    _spec("S15", 100000, 100, 0.0, "sparse", a=0.5),
    _spec("S16", 100000, 100, 0.8, "dense", "rare"),
    _spec("S17", 5000, 250, 0.5, "dense", w=True),
    _spec("S18", 2000, 100, 0.2, "sparse"),
    _spec("S19", 20000, 500, 0.8, "sparse"),
    _spec("S20", 3000, 300, 0.5, "fht", "rare", a=0.5),
    _spec("S21", 8000, 40, 0.0, "fht", w=True),
    _spec("S22", 30000, 60, 0.2, "sparse", w=True, a=0.5),
    _spec("S23", 15000, 150, 0.8, "dense", "rare", w=True, a=0.5),
    _spec("S24", 5000, 50, 0.0, "fht", "rare"),
    _spec("S25", 40000, 400, 0.5, "sparse", "rare", a=0.5),
    _spec("S26", 2000, 40, 0.5, "dense", w=True, a=0.5),
    _spec("S27", 60000, 60, 0.8, "sparse"),
    _spec("S28", 10000, 500, 0.5, "fht"),
]


@dataclass
class Data:
    X: np.ndarray
    y: np.ndarray
    w: np.ndarray | None
    lambdas: np.ndarray


def make(spec: Spec, seed: int = 0) -> Data:
    n, p = spec.n, spec.p
    rng = np.random.default_rng([seed, n, p, int(100 * spec.rho)])
    if spec.truth == "fht" and spec.positives == "balanced" and not spec.weights:
        X, y = simulate(n, p, spec.rho, "binomial", seed=seed)
    else:
        beta = None
        if spec.truth == "sparse":
            beta = np.zeros(p)
            beta[:10] = (-1.0) ** np.arange(10)
        elif spec.truth == "dense":
            beta = rng.standard_normal(p)
        X, z = simulate(n, p, spec.rho, "gaussian", seed=seed, beta=beta)
        logit = LOGIT_SCALE * z
        target = 0.5 if spec.positives == "balanced" else RARE
        lo, hi = -30.0, 30.0
        for _ in range(100):  # the intercept that gives the target share, by bisection
            mid = 0.5 * (lo + hi)
            if np.mean(1.0 / (1.0 + np.exp(-(logit + mid)))) < target:
                lo = mid
            else:
                hi = mid
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(logit + lo)))).astype(float)
    w = rng.uniform(0.25, 1.75, n) if spec.weights else None
    return Data(X, y, w, glmnet_lambdas(X, y, spec.l1_ratio))


def objectives(d: Data, a: float, b0: np.ndarray, B: np.ndarray) -> np.ndarray:
    """glmnet's objective at each fitted lambda (weights normalized to sum 1)."""
    wn = np.full(d.y.size, 1.0 / d.y.size) if d.w is None else d.w / d.w.sum()
    k = b0.size
    eta = d.X @ B[:k].T + b0
    loss = -(wn @ (d.y[:, None] * eta - np.logaddexp(0.0, eta)))
    pen = d.lambdas[:k] * (a * np.abs(B[:k]).sum(1) + 0.5 * (1 - a) * (B[:k] ** 2).sum(1))
    return loss + pen


def run_penstat(d: Data, a: float, tol: float | None = None, pinned: bool = True):
    import penstat

    kwargs = {} if tol is None else {"tol": tol}

    def fit():
        return penstat.fit_path(
            d.X, d.y, family="binomial", l1_ratio=a, lambdas=d.lambdas, weights=d.w,
            standardize=False, fit_intercept=True, **kwargs,
        )  # fmt: skip

    with threadpool_limits(1 if pinned else None):
        c0, t0 = time.process_time(), time.perf_counter()
        path = fit()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"cpu": cpu, "wall": wall, "b0": np.asarray(path.intercepts),
            "B": np.asarray(path.coefs)}  # fmt: skip


def run_glmnet(d: Data, a: float, thresh: float = 1e-7) -> dict:
    exe = _common.rscript()
    if exe is None:
        raise SystemExit("Rscript with glmnet is needed")
    n, p = d.X.shape
    with tempfile.TemporaryDirectory(prefix="penstat-sweep-") as tmp:
        tmp = Path(tmp)
        d.X.ravel(order="F").astype("<f8").tofile(tmp / "x.bin")
        d.y.astype("<f8").tofile(tmp / "y.bin")
        d.lambdas.astype("<f8").tofile(tmp / "lambdas.bin")
        if d.w is not None:
            d.w.astype("<f8").tofile(tmp / "weights.bin")
        script = Path(__file__).with_name("glmnet_binomial_sweep.R")
        env = {**os.environ, **{v: "1" for v in _common.THREAD_VARS}}
        cmd = [exe, str(script), str(tmp), str(n), str(p), repr(a), repr(thresh)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-500:])
        wall, cpu = (float(t) for t in (tmp / "times.txt").read_text().split())
        raw = np.fromfile(tmp / "coef.bin", dtype="<f8")
    k = raw.size // (p + 1)
    return {"cpu": cpu, "wall": wall, "b0": raw[:k], "B": raw[k:].reshape(k, p)}


# kernel settings of a variant (--variant): module attributes of _binomial
SETTINGS = {
    "max_k": "_GRAM_MAX_K",
    "min_rows": "_GRAM_MIN_ROWS",
    "solve": "_GRAM_SOLVE",
    "drift": "_GRAM_DRIFT",
}


def parse_variant(text: str) -> tuple[str, dict]:
    """``label:key=value,...`` (keys of SETTINGS) -> (label, {attribute: value})."""
    label, _, rest = text.partition(":")
    out = {}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        out[SETTINGS[key]] = float(value) if key == "drift" else int(value)
    return label, out


def run_variant(d: Data, a: float, settings: dict) -> dict:
    from penstat.solver._cd import _binomial

    for attr, value in settings.items():
        setattr(_binomial, attr, value)
    try:
        return run_penstat(d, a)
    finally:
        for attr in settings:
            setattr(_binomial, attr, None)


def run_one(spec: Spec, variants: list[tuple[str, dict]], seed: int = 0) -> dict:
    d = make(spec, seed)
    a = spec.l1_ratio
    runs = {"glmnet": run_glmnet(d, a)}
    runs["penstat"] = run_penstat(d, a)
    runs["penstat default BLAS"] = run_penstat(d, a, pinned=False)
    for label, settings in variants:
        runs[f"penstat {label}"] = run_variant(d, a, settings)
    runs["reference"] = run_penstat(d, a, tol=1e-13)
    k = min(r["b0"].size for r in runs.values())
    objs = {s: objectives(d, a, r["b0"][:k], r["B"][:k]) for s, r in runs.items()}
    best = np.min(np.vstack(list(objs.values())), axis=0)
    out = {"spec": asdict(spec), "label": spec.label, "lambdas": k,
           "positives": float(d.y.mean())}  # fmt: skip
    for s, r in runs.items():
        out[s] = {
            "cpu": r["cpu"],
            "wall": r["wall"],
            "nlam": int(r["b0"].size),
            "gap": float(np.max((objs[s] - best) / np.abs(best))),
        }
    g = out["glmnet"]
    for s in runs:
        if s.startswith("penstat"):
            out[s]["cpu_ratio"] = out[s]["cpu"] / g["cpu"]
            out[s]["wall_ratio"] = out[s]["wall"] / g["wall"]
    return out


def profile(spec: Spec, variants: list[tuple[str, dict]], seed: int = 0) -> None:
    """Print the kernel's profile counters (a build with
    ``CFLAGS=-DPENSTAT_BINOMIAL_PROFILE=1``) of penstat's pinned run, by variant."""
    from penstat.solver._cd import _binomial

    d = make(spec, seed)
    for mode, settings in [("default", {}), *variants]:
        _binomial._profile_counters()
        run = run_variant(d, spec.l1_ratio, settings)
        c = _binomial._profile_counters()
        if c is None:
            raise SystemExit("the kernel was built without -DPENSTAT_BINOMIAL_PROFILE=1")
        total = c["t_total"]
        shares = ", ".join(
            f"{k[2:]} {100 * v / total:.0f}%"
            for k, v in c.items()
            if k.startswith("t_") and k != "t_total" and v > 0.005 * total
        )
        counts = ", ".join(
            f"{k} {v:.0f}" for k, v in c.items() if not k.startswith("t_") and v
        )
        print(
            f"{spec.name} {spec.label} [{mode}]: CPU {run['cpu']:.3g} s, kernel "
            f"{total:.3g} s: {shares}; {counts}",
            flush=True,
        )


def table(results: list[dict]) -> str:
    variants = [
        s for s in results[0] if s.startswith("penstat ") and s != "penstat default BLAS"
    ]
    header = [
        "problem", "shape / rho / truth / classes / weights / mix", "penstat CPU s",
        "glmnet CPU s", "CPU ratio", "wall ratio", "default BLAS: CPU / wall ratio",
        "penstat gap", "glmnet gap",
    ]  # fmt: skip
    for k, s in enumerate(variants):
        header.insert(5 + k, s.removeprefix("penstat ") + ": CPU ratio (gap)")
    rows = []
    for r in results:
        pen, glm, dflt = r["penstat"], r["glmnet"], r["penstat default BLAS"]
        row = [
            r["spec"]["name"], r["label"], f"{pen['cpu']:.3g}", f"{glm['cpu']:.3g}",
            f"{pen['cpu_ratio']:.2f}", f"{pen['wall_ratio']:.2f}",
            f"{dflt['cpu_ratio']:.2f} / {dflt['wall_ratio']:.2f}",
            f"{max(pen['gap'], 0):.1e}", f"{max(glm['gap'], 0):.1e}",
        ]  # fmt: skip
        for k, s in enumerate(variants):
            row.insert(5 + k, f"{r[s]['cpu_ratio']:.2f} ({max(r[s]['gap'], 0):.1e})")
        rows.append(row)
    return _common.markdown_table(header, rows)


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="comma-separated problem names")
    parser.add_argument(
        "--residual", action="store_true", help="add residual mode (max_k=0)"
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="add penstat with other kernel settings, LABEL:key=value,... (keys: "
        + ", ".join(SETTINGS)
        + "), e.g. 'old rule:solve=0,min_rows=50'",
    )
    parser.add_argument("--from", dest="source", default=None, help="a sweep's JSON")
    parser.add_argument(
        "--rerun-worst", type=int, default=0, help="rerun the K worst CPU ratios of --from"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print the kernel's counters only"
    )
    parser.add_argument(
        "--merge", default="", help="comma-separated JSON files: print one table of them"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="Markdown output file")
    args = parser.parse_args(argv)
    specs = SWEEP
    if args.only:
        names = set(args.only.split(","))
        specs = [s for s in SWEEP if s.name in names]
    if args.rerun_worst:
        old = json.loads(Path(args.source).read_text())["results"]
        old.sort(key=lambda r: -r["penstat"]["cpu_ratio"])
        names = {r["spec"]["name"] for r in old[: args.rerun_worst]}
        specs = [s for s in specs if s.name in names]
    if args.merge:
        merged = []
        for name in args.merge.split(","):
            merged += json.loads(Path(name).read_text())["results"]
        order = [s.name for s in SWEEP]
        merged.sort(key=lambda r: order.index(r["spec"]["name"]))
        print(table(merged))
        return
    variants = [parse_variant(v) for v in args.variant]
    if args.residual:
        variants.append(("residual", {"_GRAM_MAX_K": 0}))
    if args.profile:
        run_penstat(make(_spec("warm-up", 500, 10, 0.5, "sparse", w=True, a=0.5)), 0.5)
        for spec in specs:
            profile(spec, variants, args.seed)
        return
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else _common.RESULTS / f"binomial-sweep-{stamp}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    head = f"Machine: {_common.machine_description()}; load at start {load_average()}"
    print(head, flush=True)
    # one untimed fit first: the first call in a process pays one-time costs
    run_penstat(make(_spec("warm-up", 500, 10, 0.5, "sparse", w=True, a=0.5)), 0.5)
    results = []
    for spec in specs:
        res = run_one(spec, variants, args.seed)
        res["load"] = load_average()
        results.append(res)
        pen, glm = res["penstat"], res["glmnet"]
        print(
            f"{spec.name} {spec.label}: penstat {pen['cpu']:.3g} s CPU, glmnet "
            f"{glm['cpu']:.3g} s, ratio {pen['cpu_ratio']:.2f} (wall "
            f"{pen['wall_ratio']:.2f}), gaps {pen['gap']:.1e} / {glm['gap']:.1e}, "
            f"lambdas {res['lambdas']}, load {res['load']}",
            flush=True,
        )
        text = head + f", at end {load_average()}\n\n" + table(results) + "\n"
        out.write_text(text)
        out.with_suffix(".json").write_text(json.dumps({"results": results}, indent=1))
    print()
    print(text)
    print(f"written: {out} and {out.with_suffix('.json')}")


if __name__ == "__main__":
    main()
