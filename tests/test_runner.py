"""The parallel runner: identical numbers on every joblib backend and any n_jobs,
BLAS limited inside tasks, and resampling that survives replicates it cannot fit."""

from __future__ import annotations

import operator
import os
import threading
import warnings
from types import SimpleNamespace

import joblib
import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_info

import penstat as ps
from penstat._errors import DataError
from penstat._runner import limit_blas, run_tasks
from penstat.engine import run
from penstat.resampling import run_bootstrap
from penstat.solver import solve
from penstat.solver.fit import checked
from penstat.spec import SelectSpec


def _blas_threads(_shared, _task) -> int:
    return max(
        info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"
    )


def _frame(n=240, p=8, family="gaussian", seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    eta = X[:, 0] - 0.8 * X[:, 1] + 0.5 * X[:, 2]
    if family == "gaussian":
        y = eta + rng.standard_normal(n)
    else:
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    df["y"] = y
    return df


def _results(n_jobs: int) -> dict:
    """CV curve (array level), bootstrap coefficients and stability frequencies."""
    df = _frame()
    X = df.drop(columns="y").to_numpy()
    Xa, ya, spec = checked(X, df["y"].to_numpy(), nlambda=30)
    select = SelectSpec(rule="cv_min", nfolds=5, seed=1, n_jobs=n_jobs, progress=False)
    cv = run(Xa, ya, spec, select).selection.cv
    fit = ps.lasso("y ~ .", df, select="cv_1se", nfolds=5, seed=2, progress=False)
    boot = fit.bootstrap(6, seed=3, n_jobs=n_jobs, progress=False)
    stab = fit.stability_selection(
        4, cutoff=0.75, pfer=1, seed=4, n_jobs=n_jobs, progress=False
    )
    return {
        "cvm": cv.cvm,
        "fold_values": cv.fold_values,
        "boot": boot.coefs,
        "stab": stab.probabilities.to_numpy(),
    }


def _assert_identical(a: dict, b: dict) -> None:
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.fixture(scope="module")
def serial():
    return _results(1)


@pytest.mark.parametrize("backend", ["loky", "threading", "multiprocessing"])
def test_backends_give_identical_numbers(serial, backend):
    with joblib.parallel_config(backend=backend):
        _assert_identical(serial, _results(1))
        _assert_identical(serial, _results(2))


def test_dask_backend_gives_identical_numbers(serial):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_config("dask"),
    ):
        _assert_identical(serial, _results(2))


def test_multiprocessing_backend_with_progress_bar():
    # the multiprocessing backend cannot return a generator: results come at the end
    with joblib.parallel_config(backend="multiprocessing"):
        out = run_tasks(operator.mul, 3, range(7), 2, True, "times three")
    assert out == [0, 3, 6, 9, 12, 15, 18]


@pytest.mark.parametrize("backend", ["loky", "threading", "multiprocessing"])
def test_tasks_run_with_one_blas_thread(backend):
    with joblib.parallel_config(backend=backend):
        assert run_tasks(_blas_threads, None, range(4), 2, False, "threads") == [1] * 4
    assert run_tasks(_blas_threads, None, range(2), 1, False, "threads") == [1, 1]


def test_limit_blas_caps_at_the_cores_and_restores():
    before = _blas_threads(None, None)
    with limit_blas(1):
        assert _blas_threads(None, None) == 1
    with limit_blas(10_000):
        assert _blas_threads(None, None) <= joblib.cpu_count()
    assert _blas_threads(None, None) == before


def test_rows_fit_equals_the_fit_of_the_copied_rows():
    # solve(X, rows=...) gathers the Fortran copy itself: the same numbers as the
    # copy made by hand
    rng = np.random.default_rng(5)
    X = np.asfortranarray(rng.standard_normal((300, 12)))
    y = X[:, 0] + rng.standard_normal(300)
    rows = np.sort(rng.integers(0, 300, 300))
    X0 = X.copy()
    _, _, spec = checked(X, y, nlambda=20)
    spec_r = spec.take(rows)
    a = solve(np.asfortranarray(X[rows]), y[rows], spec_r)
    b = solve(X, y[rows], spec_r, rows=rows)
    np.testing.assert_array_equal(a.coefs, b.coefs)
    np.testing.assert_array_equal(a.intercepts, b.intercepts)
    np.testing.assert_array_equal(X, X0)


def _where(_shared, _task):
    return os.getpid(), threading.get_ident()


def test_threads_preferred_unless_a_backend_is_configured():
    # with no backend chosen, the resampling tasks run in threads of the caller
    # (they read its X in place); a configured backend wins over the hint
    out = run_tasks(_where, None, range(4), 2, False, "where", prefer="threads")
    assert {pid for pid, _ in out} == {os.getpid()}
    assert threading.get_ident() not in {ident for _, ident in out}
    with joblib.parallel_config(backend="loky"):
        out = run_tasks(_where, None, range(4), 2, False, "where", prefer="threads")
    assert os.getpid() not in {pid for pid, _ in out}


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
@pytest.mark.parametrize("fixed", [False, True])
def test_relaxed_rows_fit_equals_the_fit_of_the_copied_rows(family, fixed):
    # the relaxed refits and their CV read the rows from X: the same numbers as a
    # fit of the rows copied by hand (a bootstrap draw: repeats)
    df = _frame(n=200, p=6, family=family, seed=7)
    X = np.asfortranarray(df.drop(columns="y").to_numpy())
    y = df["y"].to_numpy()
    rows = np.sort(np.random.default_rng(8).integers(0, 200, 200))
    _, _, spec = checked(X, y, family=family, nlambda=15)
    if fixed:
        select = SelectSpec(rule=None, lam=0.05, relax=True, relax_gamma=0.5)
    else:
        select = SelectSpec(rule="cv_min", nfolds=4, seed=3, relax=True, progress=False)
    X0 = X.copy()
    spec_r = spec.take(rows)
    a = run(X, y[rows], spec_r, select, full_grid=not fixed, rows=rows)
    b = run(np.asfortranarray(X[rows]), y[rows], spec_r, select, full_grid=not fixed)
    np.testing.assert_array_equal(a.relax.relaxed.coefs, b.relax.relaxed.coefs)
    np.testing.assert_array_equal(a.relax.relaxed.intercepts, b.relax.relaxed.intercepts)
    np.testing.assert_array_equal(a.coef, b.coef)
    assert a.relax.gamma == b.relax.gamma
    if not fixed:
        for cv_a, cv_b in zip(a.relax.cv.cvs, b.relax.cv.cvs, strict=True):
            np.testing.assert_array_equal(cv_a.cvm, cv_b.cvm)
    np.testing.assert_array_equal(X, X0)


# -- rare events ----------------------------------------------------------------


def _rare_events(n=1000, events=15, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.standard_normal((n, 4)), columns=["a", "b", "c", "d"])
    y = np.zeros(n)
    y[rng.choice(n, events, replace=False)] = 1.0
    df["y"] = y
    return df


@pytest.fixture(scope="module")
def rare_fit():
    df = _rare_events()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ps.lasso("y ~ .", df, family="binomial", seed=0, nlambda=20, progress=False)


def test_rare_event_bootstrap_is_stratified_by_default(rare_fit):
    boot = rare_fit.bootstrap(200, seed=1, progress=False, n_jobs=1)
    assert boot.stratify is True
    assert boot.n_failed == 0
    assert boot.coefs.shape == (200, 4)
    record = ps.results.export.fit_to_dict(rare_fit)
    assert record["bootstrap"]["n_failed"] == 0


def test_unfittable_replicates_are_counted_not_fatal(rare_fit):
    # without stratification some replicates hold fewer than 10 events, too few for
    # stratified 10-fold CV: they are left out and counted, the others kept
    with pytest.warns(UserWarning, match="15 events .y == 1. and 985 non-events"):
        boot = rare_fit.bootstrap(60, seed=1, stratify=False, progress=False)
    assert 0 < boot.n_failed < 60
    assert len(boot.failures) == boot.n_failed
    assert boot.coefs.shape == (60 - boot.n_failed, 4)
    assert boot.n_boot == 60
    assert "n_failed" in repr(boot)
    header = rare_fit.summary().tables["header"]
    text = header.loc["bootstrap replicates left out", "value"]
    assert text.startswith(f"{boot.n_failed} of 60")
    assert ps.results.export.fit_to_dict(rare_fit)["bootstrap"]["n_failed"] == boot.n_failed
    # frequencies are over the replicates fitted
    freq = (boot.coefs != 0).mean(axis=0)
    np.testing.assert_array_equal(boot.columns["freq"].to_numpy(), freq)


class _NeverFits:
    """A binomial fit whose every replicate fails (as one with too few events)."""

    def __init__(self, df):
        self.design = SimpleNamespace(
            X=df[["a", "b"]].to_numpy(),
            y=df["y"].to_numpy(),
            columns=["a", "b"],
            terms={"a": ["a"], "b": ["b"]},
        )
        self.family = SimpleNamespace(name="binomial")

    def refitter(self, fixed_lam=False):
        return _fail


def _fail(rows, seed=None):
    raise DataError(f"y has {int(rows.size)} rows in the resample")


def test_all_replicates_failing_raises_with_the_data_counts():
    fit = _NeverFits(_rare_events(n=200, events=4, seed=3))
    with pytest.raises(DataError, match="4 events .y == 1. and 196 non-events") as err:
        run_bootstrap(fit, 5, seed=0, progress=False)
    assert "none of the 5 bootstrap replicates" in str(err.value)


def test_rare_event_stability_selection_is_stratified(rare_fit):
    stab = rare_fit.stability_selection(
        20,
        cutoff=0.75,
        pfer=1,
        lambdas=np.geomspace(1.0, 0.001, 30),
        seed=2,
        progress=False,
        n_jobs=1,
    )
    assert stab.stratify is True
    assert stab.n_failed == 0
    assert stab.n_fits == 40
