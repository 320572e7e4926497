"""Heavy lambda grids: ``nlambda`` is bounded, with a message that says why."""

from __future__ import annotations

import numpy as np
import pytest

import penstat as ps
from penstat import ArgumentError
from penstat.sklearn import PenalizedRegressor
from penstat.solver import fit_path
from penstat.solver.grid import lambda_grid
from penstat.spec import FitSpec

RNG = np.random.default_rng(3)
X = RNG.standard_normal((100, 5))
Y = X[:, 0] + 0.5 * X[:, 1] + 0.1 * RNG.standard_normal(100)


@pytest.mark.parametrize(
    "build",
    [
        lambda n: fit_path(X, Y, nlambda=n),
        lambda n: FitSpec.build(100, 5, nlambda=n),
        lambda n: lambda_grid(1.0, n, None, 100, 5),
        lambda n: ps.fit("y ~ .", ps.datasets.load("diabetes"), select="bic", nlambda=n),
        lambda n: PenalizedRegressor(nlambda=n).fit(X, Y),
    ],
    ids=["fit_path", "FitSpec", "lambda_grid", "ps.fit", "estimator"],
)
def test_a_million_lambdas_is_refused_with_the_reason(build):
    # such a grid stopped early (consecutive deviances barely differ) and dropped
    # the second true predictor; with many rows it exhausted memory
    with pytest.raises(ArgumentError) as info:
        build(10**6)
    message = str(info.value)
    assert message.startswith("nlambda=1000000 is too many lambdas (at most 10,000)")
    assert "lambdas=" in message


def test_the_bound_itself_is_accepted():
    assert FitSpec.build(100, 5, nlambda=10_000).nlambda == 10_000
    assert lambda_grid(1.0, 10_000, None, 100, 5).size == 10_000
    with pytest.raises(ArgumentError, match="nlambda=10001"):
        FitSpec.build(100, 5, nlambda=10_001)


def test_a_path_that_ends_early_says_why_and_where():
    path = fit_path(X, Y)  # stops on the deviance-change rule
    stop = path.early_stop
    assert stop.rule == "dev_change"
    assert (stop.lam, stop.n_fitted, stop.n_grid) == (
        path.lambdas[-1],
        path.lambdas.size,
        100,
    )
    assert path.lambdas.size < 100
    exact = fit_path(X, X[:, 0] + 1e-3 * Y)  # explains nearly all the deviance
    assert exact.early_stop.rule == "dev_ratio"
    assert exact.dev_ratio[-1] > 0.999
    # fitted in full: glmnet's grid to its end, a user grid
    assert fit_path(X, Y, nlambda=5).early_stop is None
    assert fit_path(X, Y, lambdas=path.lambdas[::10]).early_stop is None


def test_the_summary_and_the_record_show_the_early_stop():
    df = ps.datasets.load("diabetes")
    fit = ps.lasso("y ~ .", df, select="bic")
    record = ps.fit_to_dict(fit)
    stop = fit.path.early_stop
    assert record["model"]["early_stop"] == {
        "rule": "dev_change",
        "lam": stop.lam,
        "n_fitted": stop.n_fitted,
        "n_grid": 100,
    }
    header = fit.summary().tables["header"]["value"]
    assert header["path ended early"] == (
        f"at lambda {stop.lam:.4g} ({stop.n_fitted} of 100 lambdas): "
        "deviance ratio changed by less than 1e-5"
    )
    full = ps.fit_to_dict(ps.lasso("y ~ .", df, lam=1.0))
    assert full["model"]["early_stop"] is None
    assert (
        "path ended early"
        not in ps.lasso("y ~ .", df, lam=1.0).summary().tables["header"].index
    )
