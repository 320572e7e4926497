import json

import dask_testing
import numpy as np
from dask_testing import make_frame

import penstat as ps
from penstat.cli import main

client = dask_testing.client  # the module's cluster (a fixture)


def test_fit_parquet_files_on_a_cluster(client, tmp_path, capsys):
    df = make_frame(1200, seed=4).drop(columns=["g"])
    folder = tmp_path / "parts"
    folder.mkdir()
    for i, start in enumerate(range(0, 1200, 400)):
        df.iloc[start : start + 400].to_parquet(folder / f"part-{i}.parquet")
    out = tmp_path / "fit.json"
    address = client.scheduler.address
    code = main(
        ["fit", str(folder), "y ~ x1 + x2 + x3", "--dask", address, "--select", "bic",
         "--json", str(out)]
    )  # fmt: skip
    assert code == 0
    record = json.loads(out.read_text())
    mfit = ps.fit("y ~ x1 + x2 + x3", df, select="bic")
    got = {c["column"]: c["coef"] for c in record["coefficients"]}
    cols = mfit.design.columns
    np.testing.assert_allclose([got[c] for c in cols], mfit.coef[cols], rtol=1e-8)
    assert record["data"]["n_obs"] == 1200 - 3
    assert "Penalized regression" in capsys.readouterr().out


def test_no_parquet_files(client, tmp_path, capsys):
    code = main(["fit", str(tmp_path), "y ~ x1", "--dask", client.scheduler.address])
    assert code == 2
    assert "no Parquet files match" in capsys.readouterr().err
