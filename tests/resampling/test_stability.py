"""Bootstrap selection frequencies and stability selection.

The resampling code is exercised on a stand-in fit built here from scikit-learn's
lasso (the contract of ``PenalizedFit.refit_rows`` / ``path_rows``), so these tests
check the resampling and the arithmetic, not the solver. The error bounds are
checked against values computed by hand from the formulas of Meinshausen &
Bühlmann (2010) and Shah & Samworth (2013, eq. 8).
"""

from __future__ import annotations

import math
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import HalfFailingPaths
from sklearn.linear_model import Lasso, lasso_path

from penstat._errors import ArgumentError, PenstatError
from penstat.resampling import (
    mb_bound,
    run_bootstrap,
    run_stability_selection,
    stability_parameters,
    unimodal_bound,
)

# ----------------------------------------------------------------------------------
# stand-in fit


class StandInFit:
    """The resampling contract of PenalizedFit, with scikit-learn's lasso inside."""

    def __init__(self, X, y, lam, family="gaussian", terms=None):
        n, p = X.shape
        columns = [f"x{j}" for j in range(p)]
        self.design = SimpleNamespace(
            X=X,
            y=y,
            weights=None,
            columns=columns,
            terms=terms or {c: [c] for c in columns},
            formula="y ~ .",
        )
        self.family = SimpleNamespace(name=family) if isinstance(family, str) else family
        self.lam = lam
        self.path = self.path_rows(np.arange(n), np.geomspace(1.0, 0.005, 60))

    def refit_rows(self, rows, fixed_lam=False, seed=None):
        X, y = self.design.X[rows], self.design.y[rows]
        return Lasso(alpha=self.lam, tol=1e-8).fit(X, y).coef_.copy()

    def refitter(self, fixed_lam=False):
        return self.refit_rows

    def subpaths(self):
        return self.path_rows

    def path_rows(self, rows, lambdas):
        X, y = self.design.X[rows], self.design.y[rows]
        X = X - X.mean(axis=0)
        y = y - y.mean()
        lambdas = np.asarray(lambdas, dtype=float)
        _, coefs, _ = lasso_path(X, y, alphas=lambdas, tol=1e-8)
        return SimpleNamespace(
            lambdas=lambdas,
            coefs=coefs.T,
            l1_ratio=1.0,
            penalty_factor=np.ones(X.shape[1]),
        )


def simulate(seed, n=500, p=50, k=5, effect=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    beta = np.zeros(p)
    beta[:k] = effect * np.array([1, -1, 1, -1, 1])[:k]
    y = X @ beta + rng.standard_normal(n)
    return X, y


@pytest.fixture(scope="module")
def sim_fit():
    X, y = simulate(0)
    return StandInFit(X, y, lam=0.1)


# ----------------------------------------------------------------------------------
# error bounds by hand


def test_mb_bound_by_hand():
    # q^2 / ((2 cutoff - 1) p) = 25 / (0.5 * 50)
    assert mb_bound(5, 50, 0.75) == pytest.approx(1.0)
    assert mb_bound(8, 100, 0.9) == pytest.approx(64 / 80)


def test_unimodal_bound_by_hand():
    # cutoff > 3/4: C = 4 (1 - cutoff + 1/(2B)) / (1 + 1/B); B = 50
    c = 4 * (1 - 0.9 + 0.01) / 1.02
    assert unimodal_bound(10, 100, 0.9, 50) == pytest.approx(c * 100 / 100)
    # cutoff <= 3/4: C = 1 / (2 (2 cutoff - 1 - 1/(2B)))
    assert unimodal_bound(10, 100, 0.6, 50) == pytest.approx(1 / (2 * (0.2 - 0.01)))
    # continuous at 3/4 as B grows, and below the MB bound there
    assert unimodal_bound(10, 100, 0.75, 10**6) == pytest.approx(1.0, rel=1e-5)
    assert unimodal_bound(10, 100, 0.75, 50) < mb_bound(10, 100, 0.75)
    # below 1/2 + min(theta^2, 1/(2B) + 3/4 theta^2) the bound does not hold
    assert math.isnan(unimodal_bound(10, 100, 0.505, 50))


def test_parameters_mb_two_determine_third():
    got = stability_parameters(100, cutoff=0.9, pfer=1.0, assumption="none")
    assert got["q"] == math.floor(math.sqrt(1.0 * 0.8 * 100)) == 8
    assert got["pfer"] == pytest.approx(64 / 80)
    got = stability_parameters(100, q=8, pfer=1.0, assumption="none")
    assert got["cutoff"] == pytest.approx((64 / 100 + 1) / 2)
    got = stability_parameters(50, cutoff=0.75, q=5, assumption="none")
    assert got["pfer"] == pytest.approx(1.0)


def test_parameters_unimodal_two_determine_third():
    # q: largest integer with q^2/p * C <= pfer; C(0.9, 50) = 0.44 / 1.02
    c = 0.44 / 1.02
    got = stability_parameters(100, cutoff=0.9, pfer=1.0, n_pairs=50)
    assert got["q"] == math.floor(math.sqrt(100 / c)) == 15
    assert got["pfer"] == pytest.approx(225 / 100 * c)
    # cutoff: smallest 1/2 + k/(2B) with bound < pfer. 0.88 gives 4 * 0.13 / 1.02
    # = 0.5098 > 0.5, and 0.89 gives 4 * 0.12 / 1.02 = 0.4706.
    got = stability_parameters(100, q=10, pfer=0.5, n_pairs=50)
    assert got["cutoff"] == pytest.approx(0.89)
    assert got["pfer"] == pytest.approx(4 * 0.12 / 1.02)
    assert got["pfer_mb"] == pytest.approx(100 / 100 / (2 * 0.89 - 1))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"q": 10, "pfer": 0.01},
        {"q": 10, "pfer": 0.01, "assumption": "none"},
        {"cutoff": 0.95, "pfer": 1e-4},
        {"cutoff": 0.5, "q": 3},
        {"cutoff": 1.2, "q": 3},
        {"cutoff": 0.8, "q": 3, "pfer": 1.0},
        {"cutoff": 0.8},
        {"cutoff": 0.8, "q": 200},
    ],
)
def test_parameters_errors(kwargs):
    with pytest.raises(ArgumentError):
        stability_parameters(100, **kwargs)


# ----------------------------------------------------------------------------------
# bootstrap


def test_bootstrap_true_features_selected(sim_fit):
    boot = run_bootstrap(sim_fit, n_boot=40, fixed_lam=True, seed=3, progress=False)
    freq = boot.columns["freq"].to_numpy()
    assert boot.coefs.shape == (40, 50)
    assert np.all(freq[:5] >= 0.9)
    assert np.mean(freq[5:] < 0.5) >= 0.9
    # signs of the true effects are stable and right
    assert np.all(boot.columns["sign_consistency"].to_numpy()[:5] == 1.0)
    assert np.all(np.sign(boot.columns["median"].to_numpy()[:5]) == [1, -1, 1, -1, 1])


def test_bootstrap_summaries_match_coefs(sim_fit):
    boot = run_bootstrap(sim_fit, n_boot=20, fixed_lam=True, seed=5, progress=False)
    coefs = boot.coefs
    np.testing.assert_allclose(boot.columns["freq"], (coefs != 0).mean(axis=0))
    np.testing.assert_allclose(boot.columns["median"], np.median(coefs, axis=0))
    np.testing.assert_allclose(boot.columns["lower"], np.quantile(coefs, 0.025, axis=0))
    np.testing.assert_allclose(boot.columns["upper"], np.quantile(coefs, 0.975, axis=0))
    sizes = (coefs != 0).sum(axis=1)
    assert boot.model_size.sum() == 20
    for size, count in boot.model_size.items():
        assert count == np.sum(sizes == size)
    j = 7  # a null column: majority sign share among its selections
    nz = coefs[:, j][coefs[:, j] != 0]
    if nz.size:
        share = max(np.mean(nz > 0), np.mean(nz < 0))
        assert boot.columns["sign_consistency"].iloc[j] == pytest.approx(share)
    else:
        assert np.isnan(boot.columns["sign_consistency"].iloc[j])


def test_bootstrap_term_frequency_any_column():
    X, y = simulate(1, n=200, p=6, k=2)
    terms = {"a": ["x0"], "b": ["x1", "x2"], "c": ["x3", "x4", "x5"]}
    fit = StandInFit(X, y, lam=0.05, terms=terms)
    boot = run_bootstrap(fit, n_boot=15, fixed_lam=True, seed=0, progress=False)
    nz = boot.coefs != 0
    assert list(boot.terms.index) == ["a", "b", "c"]
    assert boot.terms.loc["b", "freq"] == pytest.approx(nz[:, 1:3].any(axis=1).mean())
    assert boot.terms.loc["c", "freq"] == pytest.approx(nz[:, 3:].any(axis=1).mean())


def test_bootstrap_stratified_keeps_class_counts():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((60, 3))
    y = (np.arange(60) < 15).astype(float)
    seen = []

    class Recorder(StandInFit):
        def refit_rows(self, rows, fixed_lam=False, seed=None):
            seen.append(np.asarray(rows))
            return np.zeros(3)

    fit = Recorder(X, y, lam=0.1, family=SimpleNamespace(name="binomial"))
    run_bootstrap(fit, n_boot=5, stratify=True, seed=1, progress=False)
    assert len(seen) == 5
    for rows in seen:
        assert rows.size == 60 and y[rows].sum() == 15


def test_bootstrap_same_seed_same_numbers_and_seeds_differ(sim_fit):
    a = run_bootstrap(sim_fit, n_boot=6, fixed_lam=True, seed=11, progress=False)
    b = run_bootstrap(sim_fit, n_boot=6, fixed_lam=True, seed=11, progress=False)
    c = run_bootstrap(sim_fit, n_boot=6, fixed_lam=True, seed=12, progress=False)
    np.testing.assert_array_equal(a.coefs, b.coefs)
    assert not np.array_equal(a.coefs, c.coefs)
    again = run_bootstrap(
        sim_fit, n_boot=6, fixed_lam=True, seed=a.seed_entropy, progress=False
    )
    np.testing.assert_array_equal(a.coefs, again.coefs)


def test_bootstrap_identical_across_n_jobs_and_dask(sim_fit):
    kw = {"n_boot": 8, "fixed_lam": True, "seed": 7, "progress": False}
    one = run_bootstrap(sim_fit, n_jobs=1, **kw)
    two = run_bootstrap(sim_fit, n_jobs=2, **kw)
    np.testing.assert_array_equal(one.coefs, two.coefs)

    pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    import joblib

    with (
        distributed.LocalCluster(
            n_workers=1, processes=False, threads_per_worker=2, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_config(backend="dask"),
    ):
        dask_run = run_bootstrap(sim_fit, **kw)
        dask_stab = run_stability_selection(
            sim_fit, n_subsamples=3, cutoff=0.75, pfer=1.0, seed=2, progress=False
        )
    np.testing.assert_array_equal(one.coefs, dask_run.coefs)
    local = run_stability_selection(
        sim_fit, n_subsamples=3, cutoff=0.75, pfer=1.0, seed=2, n_jobs=1, progress=False
    )
    np.testing.assert_array_equal(local.probabilities, dask_stab.probabilities)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_boot": 1},
        {"n_boot": 2.5},
        {"fixed_lam": "cv"},
        {"level": 1.5},
        {"stratify": True},
    ],
)
def test_bootstrap_errors(sim_fit, kwargs):
    with pytest.raises(PenstatError):
        run_bootstrap(sim_fit, progress=False, **kwargs)


# ----------------------------------------------------------------------------------
# stability selection


class StaircaseFit:
    """Every subsample selects column k from lambda index k on (deterministic)."""

    def __init__(self, p=10, n=40, nlam=8):
        columns = [f"c{j}" for j in range(p)]
        self.design = SimpleNamespace(
            X=np.zeros((n, p)),
            y=np.zeros(n),
            columns=columns,
            terms={c: [c] for c in columns},
        )
        self.lam = 0.1
        self.path = SimpleNamespace(
            lambdas=np.geomspace(1, 0.01, nlam), l1_ratio=1.0, penalty_factor=np.ones(p)
        )

    def subpaths(self):
        return self.path_rows

    def path_rows(self, rows, lambdas):
        nlam, p = len(lambdas), len(self.design.columns)
        coefs = np.zeros((nlam, p))
        for k in range(nlam):
            coefs[k, : k + 1] = 1.0
        return SimpleNamespace(coefs=coefs)


def test_stability_region_and_bound_arithmetic():
    fit = StaircaseFit()
    # q = 3: the region stops where 3 columns have been selected (lambda index 2)
    stab = run_stability_selection(fit, n_subsamples=5, q=3, cutoff=0.8, progress=False)
    assert stab.region_end == pytest.approx(fit.path.lambdas[2])
    assert stab.q_observed == 3
    assert stab.stable == ["c0", "c1", "c2"]
    assert stab.n_fits == 10
    assert stab.pfer_mb == pytest.approx(9 / ((2 * 0.8 - 1) * 10))
    assert stab.pfer_unimodal == pytest.approx(9 / 10 * 4 * (1 - 0.8 + 0.1) / 1.2)
    assert stab.pfer == stab.pfer_unimodal
    # pfer and cutoff given (MB with subsampling): q = floor(sqrt(pfer (2c-1) p))
    stab = run_stability_selection(
        fit, n_subsamples=4, cutoff=0.9, pfer=2.0, sampling="subsample", progress=False
    )
    assert stab.q == math.floor(math.sqrt(2.0 * 0.8 * 10)) == 4
    assert stab.stable == ["c0", "c1", "c2", "c3"]
    assert math.isnan(stab.pfer_unimodal)
    # neither q nor pfer: pfer = 1 and cutoff 0.75, q the largest integer with a
    # bound <= 1: floor(sqrt(p C)) with C = 2 (2 * 0.75 - 1 - 1/(2B)), B = 3
    stab = run_stability_selection(fit, n_subsamples=3, progress=False)
    const = 2 * (2 * 0.75 - 1 - 1 / 6)
    assert stab.cutoff == 0.75 and stab.q == math.floor(math.sqrt(10 * const)) == 2
    assert stab.pfer == pytest.approx(4 / 10 / const) and stab.pfer <= 1
    assert stab.stable == ["c0", "c1"] and stab.region_end == fit.path.lambdas[1]
    # only the cutoff: pfer = 1 still
    stab = run_stability_selection(fit, n_subsamples=3, cutoff=0.9, progress=False)
    assert stab.cutoff == 0.9 and stab.pfer <= 1 and stab.q == 3


def test_stability_warns_when_the_bound_exceeds_the_number_kept():
    fit = StaircaseFit()
    # q = 3 at cutoff 0.6: bound 9 / (10 * 2 (2 * 0.6 - 1 - 1/10)) = 4.5 > 3 kept
    with pytest.warns(UserWarning, match="kept 3 column.*at most 4.5 expected false"):
        stab = run_stability_selection(fit, n_subsamples=5, q=3, cutoff=0.6, progress=False)
    assert stab.pfer == pytest.approx(4.5) and len(stab.stable) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run_stability_selection(fit, n_subsamples=5, q=3, cutoff=0.8, progress=False)


def test_default_stability_on_diabetes_has_an_informative_bound():
    import penstat as ps

    fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), seed=0)
    stab = fit.stability_selection(n_subsamples=20, seed=1, progress=False)
    assert stab.pfer <= 1.0 and stab.q == 3
    assert stab.pfer <= max(len(stab.stable), 1)


def test_stability_selection_finds_true_set():
    hits = 0
    for seed in range(3):
        X, y = simulate(100 + seed)
        fit = StandInFit(X, y, lam=0.1)
        stab = run_stability_selection(
            fit, n_subsamples=10, cutoff=0.75, pfer=1.0, seed=seed, progress=False
        )
        assert stab.q == 6  # floor(sqrt(pfer p / C)) = floor(sqrt(50 * 2 (0.5 - 1/20)))
        hits += stab.stable == [f"x{j}" for j in range(5)]
        assert stab.probabilities.shape == (60, 50)
        assert stab.q_observed <= stab.q
    assert hits >= 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_subsamples": 1},
        {"cutoff": 0.5},
        {"cutoff": 1.01},
        {"cutoff": 0.8, "q": 3, "pfer": 1},
        {"q": 3, "pfer": 1e-3},
        {"sampling": "bootstrap"},
        {"q": 0.5},
    ],
)
def test_stability_errors(kwargs):
    with pytest.raises(ArgumentError):
        run_stability_selection(StaircaseFit(), progress=False, **kwargs)


def test_stability_refuses_ridge():
    fit = StaircaseFit()
    fit.path.l1_ratio = 0.0
    with pytest.raises(ArgumentError, match="L1"):
        run_stability_selection(fit, progress=False)


# ----------------------------------------------------------------------------------
# the real fit


def _frame(seed, **kw):
    import pandas as pd

    X, y = simulate(seed, **kw)
    return pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])]).assign(y=y)


@pytest.fixture(scope="module")
def real_fit():
    import penstat as ps

    return ps.lasso("y ~ .", _frame(21), nfolds=5, seed=0)


def test_real_fit_bootstrap_and_stability(real_fit):
    boot = real_fit.bootstrap(n_boot=30, fixed_lam=True, seed=4, progress=False)
    assert real_fit.bootstrap_result is boot
    freq = boot.columns["freq"]
    truth = [f"x{j}" for j in range(5)]
    assert (freq[truth] >= 0.9).all()
    assert (freq.drop(truth) < 0.5).mean() >= 0.9
    # the summary shows the bootstrap columns (contract with results.py)
    table = real_fit.summary().tables["coefficients"]
    assert {"freq", "lower", "upper"} <= set(table.columns)
    stab = real_fit.stability_selection(n_subsamples=10, pfer=1.0, seed=5, progress=False)
    assert stab.stable == truth
    assert stab.q_observed <= stab.q


def test_real_fit_nested_cv_identical_across_n_jobs():
    import penstat as ps

    fit = ps.lasso("y ~ .", _frame(3, n=120, p=8, k=2), nfolds=3, seed=0)
    kw = {"n_boot": 4, "fixed_lam": False, "seed": 9, "progress": False}
    one = run_bootstrap(fit, n_jobs=1, **kw)
    two = run_bootstrap(fit, n_jobs=2, **kw)
    np.testing.assert_array_equal(one.coefs, two.coefs)
    # nested CV really re-chooses lambda: replicates differ from the fixed-lambda run
    fixed = run_bootstrap(fit, n_jobs=1, **{**kw, "fixed_lam": True})
    assert not np.array_equal(one.coefs, fixed.coefs)


def test_progress_bar_only_when_asked_or_interactive(sim_fit, capsys):
    run_bootstrap(sim_fit, n_boot=3, fixed_lam=True, seed=0)  # stderr is not a terminal
    assert capsys.readouterr().err == ""
    run_bootstrap(sim_fit, n_boot=3, fixed_lam=True, seed=0, progress=True)
    assert "bootstrap" in capsys.readouterr().err
    run_bootstrap(sim_fit, n_boot=3, fixed_lam=True, seed=0, progress=False)
    assert capsys.readouterr().err == ""


def test_seed_entropy_list_repeats_run(sim_fit):
    a = run_bootstrap(sim_fit, n_boot=3, fixed_lam=True, seed=[5, 1], progress=False)
    assert a.seed_entropy == [5, 1]
    b = run_bootstrap(
        sim_fit, n_boot=3, fixed_lam=True, seed=a.seed_entropy, progress=False
    )
    np.testing.assert_array_equal(a.coefs, b.coefs)


class HalfFailingFit(StandInFit):
    def subpaths(self):
        return HalfFailingPaths(self.path_rows)


def test_stability_bound_counts_whole_pairs_when_fits_fail():
    X, y = simulate(0, n=200, p=20)
    fit = HalfFailingFit(X, y, lam=0.1)
    with pytest.warns(UserWarning, match="could not be fitted|failed"):
        stab = run_stability_selection(
            fit, n_subsamples=12, q=3, cutoff=0.9, seed=1, progress=False
        )
    assert 0 < stab.n_pairs < 12
    # the failed halves' partners are left out with them: whole pairs only
    assert stab.n_fits == 2 * stab.n_pairs
    assert stab.n_failed == 12 - stab.n_pairs
    counts = stab.probabilities.to_numpy() * stab.n_fits
    np.testing.assert_allclose(counts, np.round(counts), atol=1e-9)
    # the unimodal bound with B = the whole pairs, not the 12 drawn
    expected = stability_parameters(20, cutoff=0.9, q=3, n_pairs=stab.n_pairs)
    assert stab.pfer == pytest.approx(expected["pfer"], rel=1e-12)
    nominal = stability_parameters(20, cutoff=0.9, q=3, n_pairs=12)
    assert stab.pfer != pytest.approx(nominal["pfer"], rel=1e-6)
    assert any("whole pairs" in note for note in stab.notes)


class _RowZeroFailing(HalfFailingPaths):
    """Fails on any half holding row 0: one half of every complementary pair."""

    def __call__(self, rows, lambdas):
        from penstat._errors import DataError

        if 0 in rows:
            raise DataError("row 0")
        return self.paths(rows, lambdas)


class RowZeroFailingFit(StandInFit):
    def subpaths(self):
        return _RowZeroFailing(self.path_rows)


def test_stability_without_a_whole_pair_is_refused():
    from penstat._errors import DataError

    X, y = simulate(0, n=200, p=20)
    fit = RowZeroFailingFit(X, y, lam=0.1)
    with pytest.raises(DataError, match="no complementary pair"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run_stability_selection(
                fit, n_subsamples=3, q=3, cutoff=0.9, seed=0, progress=False
            )
