"""``penstat fit --dask --bootstrap N`` without ``--bootstrap-fixed-lam``: the lambda
rule inside every replicate for a gaussian fit (the numbers of the Python call), and
where it is refused (a binomial elastic net's criteria) the message naming the
flag."""

import json

import dask.dataframe as dd
import dask_testing
import numpy as np
import pandas as pd
import pytest
from dask_testing import make_frame

import penstat as ps
from penstat.cli import _child_seed, main

client = dask_testing.client  # the module's cluster (a fixture)

FORMULA = "y ~ x1 + x2 + x3 + x4"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    df = make_frame(1200, seed=9).drop(columns=["g"])
    df["yes"] = np.where(df["y"] > df["y"].median(), "yes", "no")
    out = tmp_path_factory.mktemp("parts")
    for i, start in enumerate(range(0, 1200, 400)):
        df.iloc[start : start + 400].to_parquet(out / f"part-{i}.parquet")
    return out, df


def test_cli_dask_bootstrap_rule_gaussian(client, folder, tmp_path):
    parts, df = folder
    out = tmp_path / "fit.json"
    code = main(
        ["fit", str(parts), FORMULA, "--dask", client.scheduler.address, "--select",
         "bic", "--bootstrap", "3", "--seed", "4", "--json", str(out)]
    )  # fmt: skip
    assert code == 0
    record = json.loads(out.read_text())
    assert record["bootstrap"]["n_boot"] == 3 and not record["bootstrap"]["fixed_lam"]
    # the same replicates as the Python call on the same files, seeded the same way
    ddf = dd.read_parquet(str(parts))
    fit = ps.fit(FORMULA, ddf, select="bic", formula_env="safe")
    boot = fit.bootstrap(n_boot=3, fixed_lam=False, seed=_child_seed(4, 1))
    got = pd.DataFrame(record["bootstrap"]["columns"]).set_index("column")
    cols = list(fit.design.columns)
    np.testing.assert_allclose(got.loc[cols, "freq"], boot.columns.loc[cols, "freq"])
    np.testing.assert_allclose(
        got.loc[cols, "median"], boot.columns.loc[cols, "median"], rtol=1e-10
    )


def test_cli_dask_bootstrap_rule_binomial_names_the_flag(client, folder, tmp_path, capsys):
    parts, _ = folder
    code = main(
        ["fit", str(parts), "yes ~ x1 + x2", "--dask", client.scheduler.address,
         "--family", "binomial", "--select", "bic", "--penalty", "elasticnet",
         "--l1-ratio", "0.5", "--bootstrap", "2", "--json", str(tmp_path / "fit.json")]
    )  # fmt: skip
    assert code != 0
    assert "--bootstrap-fixed-lam" in capsys.readouterr().err
