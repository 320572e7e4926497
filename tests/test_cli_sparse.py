"""``penstat fit --sparse``: the same fit as ``ps.fit(..., sparse=True)`` and as the
dense fit, in the JSON."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

import penstat as ps
from penstat.cli import main


def test_sparse_flag_gives_the_dense_fit(capsys, tmp_path):
    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame(
        {"g": np.char.add("L", rng.integers(0, 60, n).astype(str)), "x": rng.normal(size=n)}
    ).assign(y=lambda d: d.x + (d.g == "L5") * 2 + rng.normal(size=n))
    data, out_json = tmp_path / "d.csv", tmp_path / "fit.json"
    df.to_csv(data, index=False)
    argv = ["fit", str(data), "y ~ x + g", "--sparse", "--seed", "4", "--nfolds", "5"]
    assert main([*argv, "--json", str(out_json)]) == 0
    capsys.readouterr()
    record = json.loads(out_json.read_text())
    assert 0 < record["data"]["sparse_density"] < 0.05
    got = {c["column"]: c["coef"] for c in record["coefficients"]}
    csv = pd.read_csv(data)
    dense = ps.fit("y ~ x + g", csv, seed=4, nfolds=5)
    sparse = ps.fit("y ~ x + g", csv, seed=4, nfolds=5, sparse=True)
    assert record["model"]["lam"] == sparse.lam
    np.testing.assert_allclose([got[c] for c in dense.design.columns], dense.coef[1:],
                               atol=1e-6)  # fmt: skip


def test_dense_fit_records_no_density(capsys, tmp_path):
    out_json = tmp_path / "fit.json"
    argv = ["fit", "--dataset", "diabetes", "y ~ bmi + bp", "--select", "bic"]
    assert main([*argv, "--json", str(out_json)]) == 0
    assert "sparse" not in capsys.readouterr().out
    assert json.loads(out_json.read_text())["data"]["sparse_density"] is None
