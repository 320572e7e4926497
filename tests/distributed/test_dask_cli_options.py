"""``penstat fit --dask`` takes the options a Dask fit now supports (a fixed lambda,
limits, an offset column, the relaxed and adaptive lasso, the bootstrap), with the
numbers of the in-memory fit."""

import json

import dask_testing
import numpy as np
import pytest
from dask_testing import make_frame

import penstat as ps
from penstat.cli import main

client = dask_testing.client  # the module's cluster (a fixture)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    df = make_frame(1200, seed=8).drop(columns=["g"])
    df["base"] = np.linspace(-1.0, 1.0, len(df))
    out = tmp_path_factory.mktemp("parts")
    for i, start in enumerate(range(0, 1200, 400)):
        df.iloc[start : start + 400].to_parquet(out / f"part-{i}.parquet")
    return out, df


def _coefs(path):
    record = json.loads(path.read_text())
    return record, {c["column"]: c["coef"] for c in record["coefficients"]}


@pytest.mark.parametrize(
    ("args", "options"),
    [
        (
            ["--select", "0.05", "--lower-limits", "0", "--offset", "base"],
            dict(lam=0.05, lower_limits=0, offset="base"),
        ),
        (
            [
                "--select",
                "bic",
                "--adaptive",
                "--bootstrap",
                "4",
                "--seed",
                "3",
                "--bootstrap-fixed-lam",
            ],  # fmt: skip
            dict(select="bic", penalty_factor="adaptive"),
        ),
    ],
)
def test_cli_dask_options(client, folder, tmp_path, args, options):
    parts, df = folder
    out = tmp_path / "fit.json"
    formula = "y ~ x1 + x2 + x3 + x4"
    code = main(
        ["fit", str(parts), formula, "--dask", client.scheduler.address,
         "--json", str(out), *args]
    )  # fmt: skip
    assert code == 0
    record, got = _coefs(out)
    mfit = ps.fit(formula, df, formula_env="safe", **options)
    cols = mfit.design.columns
    np.testing.assert_allclose([got[c] for c in cols], mfit.coef[cols], rtol=1e-8)
    assert record["data"]["backend"]["name"] == "dask"
    if "--bootstrap" in args:
        assert record["bootstrap"]["n_boot"] == 4
