"""The per-partition work of a pass: missing rows, the numeric design built without
patsy, the fold statistics from one fold-ordered copy, the columns read and the
partitions' global starts in the fused (read + code) tasks; and numeric-only fits,
which take that path, equal to the in-memory fit."""

import dask.dataframe as dd
import dask_testing
import numpy as np
import pandas as pd
import pytest
from dask_testing import make_frame, same_cv, same_path, with_hash_folds

import penstat as ps
from penstat._errors import DataError
from penstat.design import build_design
from penstat.distributed import hash_folds
from penstat.distributed.design import DataFacts, make_partition_design, missing_rows
from penstat.distributed.passes import Scan, partition_fold_stats
from penstat.solver.gram import GramStats

client = dask_testing.client  # the module's cluster (a fixture)

NUMERIC = "y ~ x1 + x2 + x3 + x4"


def test_missing_rows_are_those_of_isna():
    n = 40
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "f": rng.standard_normal(n),
            "both_infs": rng.standard_normal(n),
            "big": np.full(n, 1e308),
            "o": rng.choice(["a", "b"], n).astype(object),
            "s": pd.array(rng.choice(["u", "v"], n), dtype="string"),
            "nullable": pd.array(rng.integers(0, 9, n), dtype="Int64"),
            "i": rng.integers(0, 9, n),
            "t": pd.date_range("2020-01-01", periods=n),
        }
    )
    df.loc[3, "f"] = np.nan
    df.loc[[4, 5], "both_infs"] = [np.inf, -np.inf]  # a NaN sum, no missing value
    df.loc[7, "o"] = None
    df.loc[9, "s"] = pd.NA
    df.loc[11, "nullable"] = pd.NA
    df.loc[13, "t"] = pd.NaT
    for cols in (list(df.columns), ["both_infs", "big", "i"], ["f"], ["o", "t"]):
        expected = df[cols].isna().any(axis=1).to_numpy()
        got = missing_rows(df, cols)
        if not expected.any():
            assert got is None, cols
        else:
            np.testing.assert_array_equal(got, expected)


def _numeric_design(df, nfolds=5, seed=3):
    used = ["y", "x1", "x2", "x3", "x4"]
    kept = df.dropna(subset=used)
    facts = DataFacts(np.array([len(df)]), {}, kept.head(8), len(kept))
    pdesign = make_partition_design(
        NUMERIC, df.iloc[:0], facts, "gaussian", used, None, None, None, None, None,
        nfolds, seed,
    )  # fmt: skip
    return pdesign


def test_numeric_block_equals_the_in_memory_design():
    df = make_frame()
    pdesign = _numeric_design(df)
    assert pdesign.direct == ["x1", "x2", "x3", "x4"]  # the path without patsy
    start = 1000
    b = pdesign.block(df, start)
    d = build_design(NUMERIC, df, "gaussian")
    np.testing.assert_array_equal(b["X"], d.X)
    np.testing.assert_array_equal(b["y"], d.y)
    assert b["X"].flags.f_contiguous
    assert b["n_dropped"] == 3  # the three rows missing x2
    np.testing.assert_array_equal(b["positions"], start + d.row_positions)
    np.testing.assert_array_equal(b["fold"], hash_folds(start + d.row_positions, 5, 3))


def test_numeric_block_refuses_infinite_values_naming_the_column():
    df = make_frame()
    pdesign = _numeric_design(df)
    df.loc[100, "x3"] = -np.inf
    with pytest.raises(DataError, match=r"\['x3'\]"):
        pdesign.block(df, 0)
    # values whose sum overflows are finite: kept
    df = make_frame()
    df.loc[[10, 11], "x4"] = 1.5e308
    b = pdesign.block(df, 0)
    assert b["X"][:, 3].max() == 1.5e308 and b["n_dropped"] == 3


def test_partition_fold_stats_equal_each_folds_masked_stats():
    rng = np.random.default_rng(5)
    n, p, k = 500, 4, 6
    X = np.asfortranarray(rng.standard_normal((n, p)) * [1.0, 1e3, 1e-3, 1.0] + 1e5)
    y = rng.standard_normal(n)
    w = rng.uniform(0.0, 2.0, n)
    w[rng.random(n) < 0.2] = 0.0
    fold = rng.integers(0, k - 1, n)  # fold k - 1 empty
    for weights in (None, w):
        got = partition_fold_stats(X, y, weights, fold, k)
        assert len(got) == k
        for j, s in enumerate(got):
            rows = fold == j
            wj = None if weights is None else weights[rows]
            assert s.n_rows == rows.sum()
            assert s.extra == (rows.sum() if wj is None else np.count_nonzero(wj > 0))
            if not rows.any():
                assert s.sum_w == 0
                continue
            ref = GramStats.from_arrays(X[rows], y[rows], wj)
            for name in ("x_mean", "xx", "xy", "x_min", "x_max"):
                np.testing.assert_allclose(
                    getattr(s, name), getattr(ref, name), rtol=1e-12, atol=0, err_msg=name
                )
            assert s.yy == pytest.approx(ref.yy, rel=1e-12)
            assert s.sum_w == pytest.approx(ref.sum_w, rel=1e-15)
    # no folds: one summary of every row
    (one,) = partition_fold_stats(X, y, None, None, 1)
    np.testing.assert_allclose(one.xx, GramStats.from_arrays(X, y).xx, rtol=1e-12)


def _columns_and_start(part, start, shared):
    return [(start, len(part), sorted(part.columns))]


def test_scan_reads_the_columns_asked_for_and_numbers_the_partitions(client, tmp_path):
    df = make_frame(n=900)
    dd.from_pandas(df, npartitions=6).to_parquet(tmp_path / "data")
    ddf = dd.read_parquet(tmp_path / "data")
    scan = Scan(ddf, client, columns=["x1", "y", "x1"])
    first = scan.run(_columns_and_start, None, lambda a, b: a + b)
    assert all(cols == ["x1", "y"] for _, _, cols in first)
    lengths = [n for _, n, _ in first]
    assert sum(lengths) == 900
    # a projection may join files into fewer partitions: the same list of columns
    # gives the same partitions in every scan, numbered by the starts given
    again = Scan(ddf, client, columns=["x1", "y"])
    again.starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    second = again.run(_columns_and_start, None, lambda a, b: a + b)
    assert [n for _, n, _ in second] == lengths
    assert [s for s, _, _ in second] == again.starts.tolist()


def test_numeric_gaussian_cv_equals_in_memory(client):
    df = make_frame(n=4000, seed=2)
    ddf = dd.from_pandas(df, npartitions=5)
    dfit = ps.fit(NUMERIC, ddf, weights="w", nfolds=5, seed=dask_testing.SEED)
    mfit = ps.fit(NUMERIC, with_hash_folds(df), weights="w", foldid="h")
    same_path(dfit, mfit)
    same_cv(dfit, mfit)


def test_numeric_binomial_cv_equals_in_memory(client):
    df = make_frame(n=3000, seed=4, family="binomial")
    ddf = dd.from_pandas(df, npartitions=4)
    # converged to round-off, as the other binomial comparisons
    options = {"family": "binomial", "select": "cv_min", "nlambda": 10, "tol": 1e-16}
    dfit = ps.fit(NUMERIC, ddf, nfolds=5, seed=dask_testing.SEED, **options)
    mfit = ps.fit(NUMERIC, with_hash_folds(df), foldid="h", **options)
    same_path(dfit, mfit)
    same_cv(dfit, mfit, rtol=1e-8)


def test_npartitions_counts_the_tasks_of_a_pass(client, tmp_path):
    # 6 small Parquet files of which a fit reads 3 columns: Dask may join files into
    # fewer partitions of that projection; the fit reports those it ran over
    rng = np.random.default_rng(3)
    frames = []
    for i in range(6):
        df = pd.DataFrame(rng.normal(size=(500, 30)), columns=[f"x{j}" for j in range(30)])
        df["y"] = df.x0 + rng.normal(size=500)
        df.to_parquet(tmp_path / f"part{i}.parquet")
        frames.append(df)
    ddf = dd.read_parquet(tmp_path)
    fit = ps.fit("y ~ x0 + x1", ddf, select="bic")
    assert fit.npartitions == len(fit.starts) <= ddf.npartitions
    sizes = np.diff(np.append(fit.starts, 3000))
    assert sizes.sum() == 3000 and (sizes > 0).all()
    ref = ps.fit("y ~ x0 + x1", pd.concat(frames, ignore_index=True), select="bic")
    np.testing.assert_allclose(fit.coef, ref.coef, rtol=1e-10, atol=1e-12)
