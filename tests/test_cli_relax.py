"""``penstat fit --relax`` and ``--adaptive``: the same fit as the API, in the
summary and the JSON."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import penstat as ps
from penstat.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_relax(capsys, tmp_path):
    out_json = tmp_path / "fit.json"
    code, out, _ = run(capsys, "fit", "--dataset", "diabetes", "y ~ .", "--relax",
                       "--seed", 5, "--nfolds", 5, "--json", out_json)  # fmt: skip
    assert code == 0
    fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), relax=True, seed=5, nfolds=5)
    assert f"relaxed (gamma={fit.gamma:g})" in out
    record = json.loads(out_json.read_text())
    assert record["model"]["relax"]["gamma"] == fit.gamma
    got = {c["column"]: c["coef"] for c in record["coefficients"]}
    np.testing.assert_allclose([got[c] for c in fit.design.columns], fit.coef[1:])


def test_adaptive(capsys, tmp_path):
    out_json = tmp_path / "fit.json"
    argv = ["--adaptive", "--adaptive-gamma", 2, "--select", "bic", "--json", out_json]
    code, out, _ = run(capsys, "fit", "--dataset", "diabetes", "y ~ .", *argv)
    assert code == 0
    assert "1/|b|^2, b from least squares" in out
    record = json.loads(out_json.read_text())
    assert record["model"]["adaptive_init"]["gamma"] == 2.0


def test_adaptive_ridge_start_takes_the_folds_under_a_criterion(capsys, tmp_path):
    # more columns than rows: the start's ridge lambda is chosen by CV on --nfolds
    # folds (the option was dropped, with a warning that it was ignored)
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        rng.standard_normal((30, 40)), columns=[f"v{j}" for j in range(40)]
    )
    frame["y"] = 2.0 * frame["v0"] - frame["v1"] + 0.3 * rng.standard_normal(30)
    path, out_json = tmp_path / "wide.csv", tmp_path / "fit.json"
    frame.to_csv(path, index=False)
    code, _, err = run(capsys, "fit", path, "y ~ .", "--adaptive", "--select", "bic",
                       "--nfolds", 3, "--seed", 5, "--json", out_json)  # fmt: skip
    assert code == 0, err
    assert "ignored" not in err
    fit = ps.lasso(
        "y ~ .", frame, penalty_factor="adaptive", select="bic", nfolds=3, seed=5
    )
    record = json.loads(out_json.read_text())["model"]["adaptive_init"]
    assert record["method"] == fit.adaptive_init.method == "ridge"
    assert record["lam"] == pytest.approx(fit.adaptive_init.lam, rel=1e-12)


@pytest.mark.parametrize(
    "argv, word",
    [
        (("--relax", "--select", "bic"), "--relax chooses lambda"),
        (("--adaptive-gamma", "2"), "--adaptive-gamma applies to --adaptive"),
        (("--adaptive", "--adaptive-gamma", "0"), "--adaptive-gamma 0 must be"),
    ],
)
def test_bad_options(capsys, argv, word):
    code, _, err = run(capsys, "fit", "--dataset", "diabetes", "y ~ .", *argv)
    assert code != 0 and word in err and "Traceback" not in err
