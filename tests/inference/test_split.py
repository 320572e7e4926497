"""Multi-sample-splitting inference (method="split")."""

import json
import pathlib

import numpy as np
import pandas as pd
import pytest

import penstat as ps
from penstat.inference.split import (
    _one_split,
    aggregate_intervals,
    aggregate_pvalues,
)
from penstat.solver import fit_path
from penstat.spec import FitSpec, SelectSpec

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"


def _frame(n, p, beta, seed, family="gaussian"):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    eta = X[:, : len(beta)] @ np.asarray(beta, float)
    if family == "gaussian":
        y = eta + rng.standard_normal(n)
    else:
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    df["y"] = y
    return df


def _hdi():
    path = DATA / "hdi_split.json"
    ref = json.loads(path.read_text())
    for key in ("lci", "uci"):
        ref[key] = np.array([float(v) for v in ref[key]])
    return ref


def test_splits_and_aggregation_match_hdi_multi_split():
    # the same splits as hdi::multi.split (scripts/hdi_reference/split.R): the lasso
    # at a fixed lambda selects, least squares refits, quantiles aggregate
    ref = _hdi()
    X = np.asfortranarray(ref["X"], dtype=float)
    y = np.asarray(ref["y"], float)
    n, p = X.shape
    lam = ref["lam"]
    grid = fit_path(X, y).lambdas
    spec, select = FitSpec(), SelectSpec(rule=None, lam=lam)
    outs = []
    for sel in np.asarray(ref["splits"], dtype=int) - 1:
        rest = np.setdiff1d(np.arange(n), sel)
        outs.append(
            _one_split(
                X, y, spec, select, sel, rest, (lam, 1.0, grid), None, np.zeros(p, bool)
            )
        )
    assert not any(o.failed for o in outs)
    P = np.vstack([o.pvals for o in outs])
    got = aggregate_pvalues(P, ref["gamma_min"])
    np.testing.assert_allclose(got, ref["pval_corr"], rtol=1e-6, atol=1e-12)
    lo, hi = aggregate_intervals(
        np.vstack([o.centers for o in outs]),
        np.vstack([o.ses for o in outs]),
        np.array([o.df for o in outs]),
        ref["level"],
        ref["gamma_min"],
    )
    assert np.array_equal(np.isinf(lo), np.isinf(ref["lci"]))
    fin = np.isfinite(ref["lci"])
    assert fin.sum() >= 3
    np.testing.assert_allclose(lo[fin], ref["lci"][fin], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(hi[fin], ref["uci"][fin], rtol=1e-6, atol=1e-8)


def test_aggregation_formula_by_hand():
    # eq. 2.3 written out: min over gamma = k/B >= gamma_min of q_gamma(P)/gamma,
    # times (1 - log gamma_min)
    rng = np.random.default_rng(3)
    P = rng.random((10, 4)) ** 3
    gmin = 0.2
    expect = []
    for j in range(4):
        s = np.sort(P[:, j])
        vals = []
        for k in range(2, 11):
            g = k / 10
            h = (10 - 1) * g  # R's type 7: linear between order statistics
            lo = int(np.floor(h))
            q = s[lo] + (h - lo) * (s[min(lo + 1, 9)] - s[lo])
            vals.append(q / g)
        expect.append(min(1.0, (1 - np.log(gmin)) * min(vals)))
    np.testing.assert_allclose(aggregate_pvalues(P, gmin), expect, rtol=1e-12)


def test_pvalues_in_unit_interval_and_strong_signal_found():
    df = _frame(120, 40, [1.2, -1.0], seed=4)
    fit = ps.lasso("y ~ .", df, select="cv_min", seed=0)
    res = fit.inference("split", n_splits=20, seed=5, progress=False)
    t = res.table
    assert ((t["p_adjusted"] >= 0) & (t["p_adjusted"] <= 1)).all()
    assert (t["p_value"] == t["p_adjusted"]).all()
    assert (t["p_single"] <= t["p_adjusted"]).all()
    assert t.loc["x0", "p_adjusted"] < 1e-4 and t.loc["x1", "p_adjusted"] < 1e-4
    assert t.loc["x0", "ci_lower"] < 1.2 < t.loc["x0", "ci_upper"]
    assert t.loc["x0", "ci_lower"] > 0
    assert res.adjustment == "FWER (multi-split, Meinshausen et al. 2009)"
    assert res.approximate is False
    assert res.details["n_splits"] == 20 and res.details["n_failed"] == 0
    assert res.details["selection_frequency"]["x0"] == 1.0


def test_same_numbers_for_any_n_jobs():
    df = _frame(80, 15, [1.0], seed=6)
    fit = ps.lasso("y ~ .", df, select="cv_1se", seed=1)
    one = fit.inference("split", n_splits=6, seed=9, n_jobs=1, progress=False)
    two = fit.inference("split", n_splits=6, seed=9, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(one.table, two.table)
    other = fit.inference("split", n_splits=6, seed=10, n_jobs=1, progress=False)
    assert not one.table.equals(other.table)


def test_global_null_rejects_no_more_than_alpha():
    # y independent of every column: a family-wise error at 0.1 in no more than
    # 10% of the data sets (binomial bound: 3 of 20 would be rare, p ~ 0.32)
    alpha, hits = 0.1, 0
    for rep in range(20):
        df = _frame(60, 20, [], seed=100 + rep)
        fit = ps.lasso("y ~ .", df, lam=0.05)
        res = fit.inference("split", n_splits=10, seed=rep, progress=False)
        hits += bool((res.table["p_adjusted"] <= alpha).any())
    assert hits <= 3


def test_binomial_split_detects_signal_with_wald_refit():
    df = _frame(300, 10, [2.0], seed=8, family="binomial")
    fit = ps.lasso("y ~ .", df, family="binomial", select="bic")
    res = fit.inference("split", n_splits=10, seed=2, progress=False)
    assert res.table.loc["x0", "p_adjusted"] < 1e-6
    assert res.approximate is True


def test_unpenalized_column_always_refitted():
    df = _frame(100, 10, [1.0], seed=12)
    fit = ps.lasso("y ~ .", df, lam=0.5, penalty_factor={"x5": 0})
    res = fit.inference("split", n_splits=5, seed=0, progress=False)
    assert res.details["selection_frequency"]["x5"] == 1.0
    assert np.isfinite(res.table.loc["x5", "ci_lower"])


def test_impossible_refit_is_counted_and_all_failing_is_an_error():
    # a tiny lambda on p > n/2 columns selects more columns than the refit half has
    # rows: every split fails
    df = _frame(30, 40, [1.0], seed=13)
    fit = ps.lasso("y ~ .", df, lam=1e-3)
    with pytest.raises(ps.DataError, match="impossible in all 4 splits"):
        fit.inference("split", n_splits=4, seed=0, progress=False)


def test_failed_splits_give_p_one_and_are_counted():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 30))
    y = X[:, 0] + rng.standard_normal(40)
    lam = 1e-4  # selects about as many columns as the 20 rows of the half
    spec, select = FitSpec(), SelectSpec(rule=None, lam=lam)
    out = _one_split(
        np.asfortranarray(X),
        y,
        spec,
        select,
        np.arange(20),
        np.arange(20, 40),
        (lam, 1.0, fit_path(X, y).lambdas),
        None,
        np.zeros(30, bool),
    )
    assert out.failed and "refit rows" in out.reason
    assert (out.pvals == 1).all() and np.isnan(out.centers).all()


def test_sign_alternative_refused():
    df = _frame(50, 5, [1.0], seed=1)
    fit = ps.lasso("y ~ .", df, lam=0.1)
    with pytest.raises(ps.ArgumentError, match="alternative"):
        fit.inference("split", alternative="sign", seed=0, progress=False)


def test_too_few_rows_to_halve():
    df = _frame(4, 2, [1.0], seed=1)
    fit = ps.lasso("y ~ .", df, lam=0.1)
    with pytest.raises(ps.DataError, match="halve"):
        fit.inference("split", n_splits=2, seed=0, progress=False)


def test_user_frame_not_modified():
    df = _frame(60, 5, [1.0], seed=2)
    before = df.copy()
    fit = ps.lasso("y ~ .", df, lam=0.1)
    fit.inference("split", n_splits=3, seed=0, progress=False)
    pd.testing.assert_frame_equal(df, before)


def test_average_ranks_are_scipy_rankdata_with_ties_and_nan():
    from scipy import stats

    from penstat.inference.split import _average_ranks

    rng = np.random.default_rng(7)
    for trial in range(200):
        k, m = rng.integers(1, 5), rng.integers(1, 10)
        a = rng.integers(0, 3, (k, m)).astype(float) if trial % 2 else rng.random((k, m))
        if trial % 5 == 0:
            a[0, -1] = np.nan
        np.testing.assert_array_equal(_average_ranks(a), stats.rankdata(a, axis=1))
