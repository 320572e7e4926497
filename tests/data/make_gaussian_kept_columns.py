"""Reference paths of the gaussian kernel's naive scheme on wide problems, for
tests/solver/test_kernel_kept_columns.py: ``gaussian_kept_columns.json``.

Run with the kernel whose paths the file records (it was made with the kernel before
the strong set, the KKT check and the entrant search read the kept columns after a
full gradient; the new kernel must give the same paths):

    python tests/data/make_gaussian_kept_columns.py [path/to/_gaussian.so]

Each coefficient is stored as ``float.hex`` (exact), the nonzero ones only.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

#: (name, n, p, options): the problems, built by :func:`problem`
CASES = [
    ("lasso", 31, 1500, {}),
    ("weights", 35, 1200, {"weights": True}),
    ("enet", 28, 900, {"l1_ratio": 0.5}),
    ("factors", 40, 1000, {"factors": True}),
    ("limits", 30, 800, {"limits": True}),
    ("user_grid", 33, 1100, {"grid": [1.0, 0.6, 0.25, 0.1, 0.04, 0.015]}),
    ("early_stop", 25, 2000, {"early_stop": True}),
]


def problem(name: str, n: int, p: int, opts: dict, seed: int):
    """The standardized arrays and the kernel's arguments of one case."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 40:80] += 0.8 * X[:, :40]
    y = X[:, :5] @ np.array([1.5, -1.0, 0.8, 0.5, -0.4]) + 0.5 * rng.standard_normal(n)
    w = rng.uniform(0.2, 3.0, n) if opts.get("weights") else np.ones(n)
    w = w / w.sum()
    Xc = X - w @ X
    Xs = np.asfortranarray(Xc / np.sqrt(w @ Xc**2))
    yc = y - w @ y
    yk = yc / np.sqrt(w @ yc**2)
    pf = np.ones(p)
    if opts.get("factors"):
        pf[3] = 0.0
        pf[100:400] = 3.0
        pf *= p / pf.sum()
    a = opts.get("l1_ratio", 1.0)
    free = pf > 0
    lam_max = np.max(np.abs(Xs[:, free].T @ (w * yk)) / pf[free]) / a
    if "grid" in opts:
        lams = lam_max * np.asarray(opts["grid"])
    else:
        lams = lam_max * np.logspace(0, -2, 60)
    kw = {}
    if opts.get("limits"):
        kw = {"lower": np.full(p, -0.3), "upper": np.full(p, 0.5)}
    return Xs, yk, w, pf, a, lams, bool(opts.get("early_stop")), kw


def run(kernel, args, screen: bool = True):
    """(lambdas fitted, coefficients, deviances) of the kernel on ``args``."""
    Xs, yk, w, pf, a, lams, early, kw = args
    nlam, p = lams.size, Xs.shape[1]
    coefs, b0, dev = np.zeros((nlam, p)), np.zeros(nlam), np.zeros(nlam)
    iters, conv = np.zeros(nlam, np.int32), np.zeros(nlam, np.uint8)
    n_fit = kernel(
        Xs, yk, w, pf, a, lams, True, early, 1e-9, 100_000, coefs, b0, dev, iters,
        conv, screen=screen, **kw,
    )  # fmt: skip
    return int(n_fit), coefs[:n_fit], dev[:n_fit]


def main() -> None:
    if len(sys.argv) > 1:
        spec = importlib.util.spec_from_file_location("_gaussian", sys.argv[1])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        from penstat.solver._cd import _gaussian as module
    out = {}
    for seed, (name, n, p, opts) in enumerate(CASES):
        n_fit, coefs, dev = run(module.gaussian_path, problem(name, n, p, opts, seed))
        rows, cols = np.nonzero(coefs)
        out[name] = {
            "n_fit": n_fit,
            "rows": rows.tolist(),
            "cols": cols.tolist(),
            "values": [float(v).hex() for v in coefs[rows, cols]],
            "deviance": [float(v).hex() for v in dev],
        }
    target = Path(__file__).with_name("gaussian_kept_columns.json")
    target.write_text(json.dumps(out) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
