"""A CSV written by R's write.csv has a first column of row names with an empty
header: the command takes it as the row index (with a note on stderr), not as a
predictor; --index-col names such a column, --no-index-col keeps it as data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from penstat.cli import main, read_data

MTCARS = Path(__file__).parent / "data" / "mtcars_write_csv.csv"  # R's write.csv


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def r_layout(path, frame: pd.DataFrame, row_names) -> Path:
    """``frame`` written as R's write.csv writes it: a quoted empty header for the
    row names, every name and string quoted, numbers bare."""
    out = frame.copy()
    out.index = [str(r) for r in row_names]
    out.to_csv(path, index_label="", quoting=csv.QUOTE_NONNUMERIC)
    return path


def small(n=30, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame({"y": 2 * x + rng.normal(size=n), "x": x, "z": rng.normal(size=n)})


def json_of(capsys, tmp_path, *argv):
    out = tmp_path / "fit.json"
    code, _, err = run(capsys, "fit", *argv, "--select", "bic", "--json", out)
    assert code == 0, err
    return json.loads(out.read_text()), err


def test_r_write_csv_row_names_are_the_index(capsys, tmp_path):
    record, err = json_of(capsys, tmp_path, MTCARS, "mpg ~ .")
    assert "has no name and holds row names" in err and "--no-index-col" in err
    columns = [c["column"] for c in record["coefficients"] if c["column"] != "Intercept"]
    assert columns == [
        "cyl",
        "disp",
        "hp",
        "drat",
        "wt",
        "qsec",
        "vs",
        "am",
        "gear",
        "carb",
    ]
    frame = read_data(str(MTCARS))
    assert frame.index[0] == "Mazda RX4" and frame.index.name is None
    assert list(frame.columns) == ["mpg", *columns]


@pytest.mark.parametrize("row_names", ["integers", "strings"])
def test_r_layout_written_by_pandas(capsys, tmp_path, row_names):
    df = small()
    names = range(1, 31) if row_names == "integers" else [f"id{k}" for k in range(30)]
    path = r_layout(tmp_path / "d.csv", df, names)
    assert path.read_text().splitlines()[0] == '"","y","x","z"'
    record, err = json_of(capsys, tmp_path, path, "y ~ .")
    assert "holds row names" in err
    assert record["data"]["expanded_formula"] == "y ~ (x + z)"


def test_no_index_col_keeps_the_column(capsys, tmp_path):
    path = r_layout(tmp_path / "d.csv", small(), range(1, 31))
    record, err = json_of(capsys, tmp_path, path, "y ~ .", "--no-index-col")
    assert "row names" not in err
    assert 'Q("Unnamed: 0")' in record["data"]["expanded_formula"]


def test_index_col_by_name_and_by_position(capsys, tmp_path):
    df = small().assign(id=[f"r{k}" for k in range(30)])[["id", "y", "x", "z"]]
    path = tmp_path / "named.csv"
    df.to_csv(path, index=False)
    for given in ("id", "1"):
        record, err = json_of(capsys, tmp_path, path, "y ~ .", "--index-col", given)
        assert record["data"]["expanded_formula"] == "y ~ (x + z)"
        assert "row names" not in err
    # without the option a named column is data
    record, _ = json_of(capsys, tmp_path, path, "y ~ x + z")
    assert read_data(str(path)).columns[0] == "id"


def test_unnamed_column_that_is_not_row_names_stays(capsys, tmp_path):
    df = small().set_index(pd.Index(np.arange(30) % 3))  # repeated values
    path = tmp_path / "d.csv"
    df.to_csv(path, index_label="")
    frame = read_data(str(path))
    assert frame.columns[0] == "Unnamed: 0"
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--index-col", "idx"], "--index-col 'idx' is not a column of data file"),
        (["--index-col", "9"], "--index-col 9: data file .* has columns 1 to 4"),
        (["--index-col", "1", "--no-index-col"], "not allowed with argument"),
    ],
)
def test_index_col_mistakes(capsys, tmp_path, extra, message):
    path = r_layout(tmp_path / "d.csv", small(), range(1, 31))
    code, out, err = run(capsys, "fit", path, "y ~ .", *extra)
    assert code == 2 and out == "" and err.startswith("penstat: error: ")
    assert pd.Series([err]).str.contains(message).all(), err


def test_index_col_with_a_dataset_is_a_usage_error(capsys):
    code, _, err = run(capsys, "fit", "--dataset", "diabetes", "y ~ .", "--index-col", "1")
    assert code == 2 and "apply to a data file" in err
