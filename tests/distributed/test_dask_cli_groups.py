"""``penstat fit --dask --penalty group`` (and ``--l1-within``, the sparse-group
lasso) on a folder of Parquet files gives the in-memory fit's coefficients, for
both families."""

import json

import dask_testing
import numpy as np
import pytest
from dask_testing import make_frame, with_hash_folds

import penstat as ps
from penstat.cli import main

client = dask_testing.client  # the module's cluster (a fixture)

FORMULA = "y ~ x1 + x2 + x3 + x4 + g"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    df = make_frame(1500, seed=12).dropna().reset_index(drop=True)
    out = tmp_path_factory.mktemp("group-parts")
    for i, start in enumerate(range(0, len(df), 500)):
        df.iloc[start : start + 500].to_parquet(out / f"part-{i}.parquet")
    return out, df


@pytest.mark.parametrize(
    ("args", "options"),
    [
        (["--select", "bic", "--l1-within", "0.3"], dict(select="bic", l1_within=0.3)),
        (["--select", "cv_min", "--nfolds", "5", "--seed", "4"], dict(select="cv_min")),
    ],
    ids=["sparse-group-bic", "group-cv"],
)
def test_cli_dask_group_lasso(client, folder, tmp_path, args, options):
    parts, df = folder
    out = tmp_path / "fit.json"
    code = main(
        ["fit", str(parts), FORMULA, "--dask", client.scheduler.address,
         "--penalty", "group", "--json", str(out), *args]
    )  # fmt: skip
    assert code == 0
    record = json.loads(out.read_text())
    got = {c["column"]: c["coef"] for c in record["coefficients"]}
    if options["select"].startswith("cv"):
        df = with_hash_folds(df, 5, 4)
        options["foldid"] = "h"
    mfit = ps.fit(FORMULA, df, penalty="group", formula_env="safe", **options)
    cols = mfit.design.columns
    np.testing.assert_allclose([got.get(c, 0.0) for c in cols], mfit.coef[cols],
                               rtol=1e-8, atol=1e-12)  # fmt: skip
    assert record["data"]["backend"]["name"] == "dask"
    assert mfit.coef.abs().sum() > 0


def test_cli_dask_binomial_group_lasso(client, folder, tmp_path):
    parts, df = folder
    folder_b = tmp_path / "b"
    folder_b.mkdir()
    df = df.assign(y=np.where(df["y"] > 0, "yes", "no"))
    df.to_parquet(folder_b / "p.parquet")
    out = tmp_path / "fit.json"
    code = main(
        ["fit", str(folder_b), FORMULA, "--dask", client.scheduler.address,
         "--family", "binomial", "--penalty", "group", "--select", "bic",
         "--json", str(out)]
    )  # fmt: skip
    assert code == 0
    got = {c["column"]: c["coef"] for c in json.loads(out.read_text())["coefficients"]}
    mfit = ps.fit(FORMULA, df, family="binomial", penalty="group", select="bic",
                  formula_env="safe")  # fmt: skip
    cols = mfit.design.columns
    # the default tol: the two IRLS loops stop at their own points, within it
    np.testing.assert_allclose([got.get(c, 0.0) for c in cols], mfit.coef[cols],
                               rtol=1e-5, atol=1e-7)  # fmt: skip
    assert mfit.coef.abs().sum() > 0
