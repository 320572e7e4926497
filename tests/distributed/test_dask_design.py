import dask.dataframe as dd
import dask_testing
import numpy as np
import pandas as pd
import pytest
from dask_testing import make_frame

from penstat._errors import ArgumentError, FormulaError
from penstat.design import build_design
from penstat.distributed import hash_folds
from penstat.distributed.design import DataFacts, make_partition_design, plan_design
from penstat.distributed.fit import (
    _facts_task,
    _fold_stats_task,
    _merge_facts_task,
    _merge_list,
)
from penstat.distributed.passes import Scan
from penstat.solver.gram import GramStats

client = dask_testing.client  # the module's cluster (a fixture)

FORMULA = "y ~ x1 + x2 + x3 + g + x1:g"


def _plan(ddf, formula=FORMULA, family="gaussian", weights="w", foldid=None, client=None):
    used, level_cols = plan_design(formula, ddf._meta, family, weights, None, foldid, None)
    scan = Scan(ddf, client)
    lengths, levels, sample, kept = scan.run(
        _facts_task, (used, level_cols), _merge_facts_task
    )
    facts = DataFacts(np.asarray(lengths), levels, sample, kept)
    scan.starts = facts.starts
    pdesign = make_partition_design(
        formula, ddf._meta, facts, family, used, weights, None, foldid, None, None, 5, 3
    )
    return scan, facts, pdesign


def _blocks(part, start, pdesign):
    b = pdesign.block(part, start)
    return [(b["X"], b["y"], b["w"], b["fold"])]


def test_partitions_coded_as_the_whole_frame(client):
    df = make_frame()
    ddf = dd.from_pandas(df, npartitions=5)
    scan, facts, pdesign = _plan(ddf, client=client)
    assert facts.lengths.tolist() == [600] * 5
    assert facts.n_kept == len(df) - 5
    d = build_design(FORMULA, df, "gaussian", weights="w", exclude=["w"])
    assert pdesign.design.columns == d.columns
    blocks = scan.run(_blocks, pdesign, lambda a, b: a + b)
    X = np.vstack([b[0] for b in blocks])
    np.testing.assert_array_equal(X, d.X)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in blocks]), d.y)
    np.testing.assert_array_equal(np.concatenate([b[2] for b in blocks]), d.weights)
    # the folds: a hash of the row position in the whole frame
    folds = np.concatenate([b[3] for b in blocks])
    np.testing.assert_array_equal(folds, hash_folds(d.row_positions, 5, 3))
    assert scan.passes == 2


def test_folds_do_not_depend_on_the_partitions(client):
    df = make_frame()
    f3 = _plan(dd.from_pandas(df, npartitions=3), client=client)
    f7 = _plan(dd.from_pandas(df, npartitions=7), client=client)
    a = np.concatenate([b[3] for b in f3[0].run(_blocks, f3[2], lambda a, b: a + b)])
    b = np.concatenate([b[3] for b in f7[0].run(_blocks, f7[2], lambda a, b: a + b)])
    np.testing.assert_array_equal(a, b)
    assert np.bincount(a).min() > 0.15 * a.size


def test_fold_stats_merge_to_the_in_memory_stats(client):
    df = make_frame()
    ddf = dd.from_pandas(df, npartitions=4)
    scan, _, pdesign = _plan(ddf, client=client)
    *stats, span = scan.run(_fold_stats_task, (pdesign, 5, True), _merge_list)
    d = build_design(FORMULA, df, "gaussian", weights="w", exclude=["w"])
    # the weights' summary of the weight-range check, as the in-memory weights'
    positive = d.weights[d.weights > 0]
    assert (span.largest, span.smallest) == (positive.max(), positive.min())
    assert span.total == pytest.approx(d.weights.sum(), rel=1e-12)
    folds = hash_folds(d.row_positions, 5, 3)
    for k in range(5):
        rows = folds == k
        ref = GramStats.from_arrays(d.X[rows], d.y[rows], d.weights[rows])
        assert stats[k].n_rows == ref.n_rows
        np.testing.assert_allclose(stats[k].xx, ref.xx, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(stats[k].xy, ref.xy, rtol=1e-12, atol=1e-12)
    total = GramStats.merge_all(stats)
    ref = GramStats.from_arrays(d.X, d.y, d.weights)
    np.testing.assert_allclose(total.xx, ref.xx, rtol=1e-12)
    np.testing.assert_allclose(total.x_mean, ref.x_mean, rtol=1e-13)


def test_levels_on_the_rows_kept_only(client):
    # a level seen only in a row dropped for a missing value is not a level, as in
    # memory
    df = make_frame(600)
    df.loc[10, "g"] = "west"
    df.loc[10, "x1"] = np.nan
    scan, facts, pdesign = _plan(dd.from_pandas(df, npartitions=3), client=client)
    d = build_design(FORMULA, df, "gaussian", weights="w", exclude=["w"])
    assert pdesign.design.columns == d.columns
    assert "west" not in facts.levels["g"]


def test_stateful_transform_refused(client):
    ddf = dd.from_pandas(make_frame(300), npartitions=2)
    with pytest.raises(FormulaError, match=r"center\(x1\)"):
        _plan(ddf, "y ~ center(x1) + x2", client=client)
    with pytest.raises(FormulaError, match=r"ns\(x1"):
        _plan(ddf, "y ~ ns(x1, df=3) + x2", client=client)


def test_response_and_columns_by_name(client):
    ddf = dd.from_pandas(make_frame(300), npartitions=2)
    with pytest.raises(FormulaError, match="response"):
        _plan(ddf, "np.log(x4 + 10) ~ x1", client=client)
    with pytest.raises(ArgumentError, match="weights='wt'"):
        plan_design("y ~ x1", ddf._meta, "gaussian", "wt", None, None, None)
    with pytest.raises(ArgumentError, match="foldid= on a Dask DataFrame"):
        plan_design("y ~ x1", ddf._meta, "gaussian", None, None, np.arange(3), None)


def test_binomial_classes_from_all_partitions(client):
    df = make_frame(600, family="binomial").sort_values("y", kind="stable")
    ddf = dd.from_pandas(df, npartitions=3, sort=False)
    scan, _, pdesign = _plan(ddf, family="binomial", client=client)
    d = build_design(FORMULA, df, "binomial", weights="w", exclude=["w"])
    assert pdesign.design.classes == d.classes == ("no", "yes")
    blocks = scan.run(_blocks, pdesign, lambda a, b: a + b)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in blocks]), d.y)
    assert isinstance(df, pd.DataFrame)


def test_numeric_columns_read_directly_as_patsy_codes_them(client):
    df = make_frame(900)
    ddf = dd.from_pandas(df, npartitions=3)
    formula = "y ~ x3 + x1 + x2"
    scan, _, pdesign = _plan(ddf, formula, client=client)
    assert pdesign.direct == ["x3", "x1", "x2"]
    d = build_design(formula, df, "gaussian", weights="w", exclude=["w"])
    blocks = scan.run(_blocks, pdesign, lambda a, b: a + b)
    np.testing.assert_array_equal(np.vstack([b[0] for b in blocks]), d.X)
    # a transform or a factor goes through patsy
    assert _plan(ddf, "y ~ x1 + I(x2 ** 2)", client=client)[2].direct is None
