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

