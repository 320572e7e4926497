"""The gaussian kernel's naive scheme on wide problems: after a full gradient, the
strong set, the KKT check and the entrant search read only the columns kept by the
screening (when those hold every candidate). The paths must be those of the kernel
before that change (stored, bit for bit up to 1e-12), those of full checks
(``screen=False``), and optimal."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from penstat.solver._cd._gaussian import gaussian_path

DATA = Path(__file__).resolve().parents[1] / "data"
sys.path.insert(0, str(DATA))

from make_gaussian_kept_columns import CASES, problem, run  # noqa: E402

REFERENCE = json.loads((DATA / "gaussian_kept_columns.json").read_text())


def kkt_excess(args, coefs) -> float:
    """Largest violation of the elastic net's optimality conditions on the kernel's
    scale (1/2 sum w r^2 + lam sum pf (a |b| + (1 - a)/2 b^2)), relative to lam, with
    the limits' conditions for a coefficient held at one."""
    Xs, yk, w, pf, a, lams, _, kw = args
    lo, hi = kw.get("lower"), kw.get("upper")
    worst = 0.0
    for k in range(coefs.shape[0]):
        lam, b = lams[k], coefs[k]
        g = Xs.T @ (w * (yk - Xs @ b)) - lam * (1 - a) * pf * b
        l1 = lam * a * pf
        at_lo = np.zeros(b.size, bool) if lo is None else b == lo
        at_hi = np.zeros(b.size, bool) if hi is None else b == hi
        free = (b != 0) & ~at_lo & ~at_hi
        zero = b == 0
        excess = np.concatenate(
            [
                np.abs(g[free] - l1[free] * np.sign(b[free])),
                np.abs(g[zero]) - l1[zero],
                g[at_lo & (b != 0)] - l1[at_lo & (b != 0)] * np.sign(b[at_lo & (b != 0)]),
                -(
                    g[at_hi & (b != 0)]
                    - l1[at_hi & (b != 0)] * np.sign(b[at_hi & (b != 0)])
                ),
            ]
        )
        worst = max(worst, float(excess.max(initial=0.0)) / lam)
    return worst


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c[0] for c in CASES])
def test_paths_equal_the_stored_kernel_and_full_checks_and_are_optimal(index):
    name, n, p, opts = CASES[index]
    args = problem(name, n, p, opts, index)
    n_fit, coefs, dev = run(gaussian_path, args)
    ref = REFERENCE[name]
    assert n_fit == ref["n_fit"]
    stored = np.zeros_like(coefs)
    stored[ref["rows"], ref["cols"]] = [float.fromhex(v) for v in ref["values"]]
    np.testing.assert_array_equal(coefs != 0, stored != 0)
    np.testing.assert_allclose(coefs, stored, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dev, [float.fromhex(v) for v in ref["deviance"]], rtol=1e-12)
    full = run(gaussian_path, args, screen=False)
    assert full[0] == n_fit
    np.testing.assert_allclose(coefs, full[1], rtol=0, atol=1e-12)
    assert np.count_nonzero(coefs[-1]) > 10  # the path reaches a large working set
    assert kkt_excess(args, coefs) < 1e-6
