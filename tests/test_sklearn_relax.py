"""``relax=True`` on the scikit-learn estimators: the same relaxed fit as the engine."""

from __future__ import annotations

import numpy as np
import pytest

from penstat import ArgumentError
from penstat.engine import run
from penstat.sklearn import PenalizedClassifier, PenalizedRegressor
from penstat.spec import FitSpec, SelectSpec


def _data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(120, 5))
    y = X[:, 0] - 2 * X[:, 1] + rng.normal(size=120)
    return X, y


def test_regressor_relaxed_matches_engine():
    X, y = _data()
    est = PenalizedRegressor(relax=True, seed=2, nfolds=5).fit(X, y)
    out = run(X, y, FitSpec(), SelectSpec.build("gaussian", nfolds=5, seed=2, relax=True))
    assert est.relax_gamma_ == out.relax.gamma
    np.testing.assert_array_equal(est.coef_, out.coef)
    assert est.intercept_ == out.intercept
    np.testing.assert_allclose(est.predict(X), X @ out.coef + out.intercept)
    assert PenalizedRegressor(seed=2, nfolds=5).fit(X, y).relax_gamma_ is None


def test_classifier_relaxed():
    X, y = _data(1)
    labels = np.where(y > 0, "b", "a")
    clf = PenalizedClassifier(relax=True, seed=0, nfolds=5).fit(X, labels)
    assert clf.relax_gamma_ in (0.0, 0.25, 0.5, 0.75, 1.0)
    assert clf.get_params()["relax"] is True


@pytest.mark.parametrize("options", [{"select": "bic"}, {"positive": True}])
def test_bad_input(options):
    X, y = _data()
    with pytest.raises(ArgumentError, match="relax"):
        PenalizedRegressor(relax=True, **options).fit(X, y)
