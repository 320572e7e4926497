"""Factor levels are named as the user wrote them: ``C(g)[T.2]``, ``g[T.True]``,
never numpy's repr of its scalars (``np.int64(2)``, ``np.True_``), in the design,
the summary, the JSON record, penalty factor names and error messages."""

import json
import re

import numpy as np
import pandas as pd
import pytest

import penstat as ps
from penstat import DataError
from penstat.design import build_design

NUMPY_REPR = re.compile(r"np\.\w+\(|np\.(True|False)_")


def frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = np.tile(np.array([1, 2, 3], dtype=np.int64), n // 3)
    df = pd.DataFrame({"x": rng.normal(size=n), "g": g})
    # object columns holding numpy scalars (as from .apply, .map or a numpy array)
    df["site"] = pd.Series([np.int64(v) for v in g], dtype=object)
    df["flag"] = pd.Series([np.bool_(v) for v in g > 1], dtype=object)
    df["dose"] = np.tile(np.array([0.5, 1.5, 2.5]), n // 3)
    df["kind"] = pd.Categorical(df["site"])  # categories of numpy scalars
    df["y"] = df["x"] + 0.5 * g + rng.normal(size=n)
    return df


@pytest.mark.parametrize(
    "term, expected",
    [
        ("C(g)", ["C(g)[T.2]", "C(g)[T.3]"]),
        ("site", ["site[T.2]", "site[T.3]"]),
        ("C(site)", ["C(site)[T.2]", "C(site)[T.3]"]),
        ("flag", ["flag[T.True]"]),
        ("C(dose)", ["C(dose)[T.1.5]", "C(dose)[T.2.5]"]),
        ("kind", ["kind[T.2]", "kind[T.3]"]),
        ("C(g, Treatment(2))", ["C(g, Treatment(2))[T.1]", "C(g, Treatment(2))[T.3]"]),
    ],
)
def test_levels_print_as_written(term, expected):
    design = build_design(f"y ~ x + {term}", frame())
    assert design.columns == ["x", *expected] or design.columns == [*expected, "x"]
    assert design.terms[term] == expected


def test_level_names_reach_summary_json_and_penalty_factor():
    df = frame()
    fit = ps.fit("y ~ x + C(g) + site", df, lam=0.05, penalty_factor={"C(g)[T.2]": 0})
    assert list(fit.coef.index[1:]) == [
        "C(g)[T.2]", "C(g)[T.3]", "site[T.2]", "site[T.3]", "x",
    ]  # fmt: skip
    assert fit.spec.penalty_factor.tolist() == [0.0, 1.0, 1.0, 1.0, 1.0]
    text = str(fit.summary(all=True))
    record = json.dumps(ps.fit_to_dict(fit))
    for out in (text, record):
        assert "C(g)[T.2]" in out and "site[T.3]" in out
        assert not NUMPY_REPR.search(out)


def test_unknown_level_names_it_as_written():
    fit = ps.fit("y ~ x + C(g)", frame(), lam=0.05)
    new = pd.DataFrame({"x": [0.0], "g": np.array([7], dtype=np.int64)})
    with pytest.raises(DataError, match=r"the level 7, .*levels: \[1, 2, 3\]") as info:
        fit.predict(new)
    assert not NUMPY_REPR.search(str(info.value))


def test_predictions_unchanged_by_the_names():
    df = frame()
    fit = ps.fit("y ~ x + C(g) + site + flag", df, lam=0.05)
    fresh = df.copy()
    fresh["site"] = fresh["site"].astype(int).astype(object)  # Python ints
    np.testing.assert_array_equal(fit.predict(df), fit.predict(fresh))
    np.testing.assert_array_equal(fit.design.transform(df), fit.design.X)


def test_data_not_modified():
    df = frame()
    before = df.copy()
    ps.fit("y ~ x + site + flag + kind", df, lam=0.05)
    pd.testing.assert_frame_equal(df, before)
    assert type(df["site"].iloc[0]) is np.int64
