"""Lambda selection on grouped binomial data (proportions with their trials as
weights): stratified folds for proportions, and the information criteria on the
binomial log-likelihood of the counts (statsmodels' GLM as the reference)."""

import numpy as np
import statsmodels.api as sm
from scipy.special import gammaln

from penstat.selection import criteria_table
from penstat.selection.folds import make_folds
from penstat.solver import fit_path


def grouped(seed=0, n=60, p=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    trials = rng.integers(1, 15, size=n)
    s = rng.binomial(trials, 1 / (1 + np.exp(-(0.8 * X[:, 0] - 0.3))))
    return X, s, trials


def test_stratified_folds_deal_proportions_in_order():
    y = np.r_[np.zeros(10), np.linspace(0.05, 0.95, 20), np.ones(10)]
    folds = make_folds(40, nfolds=5, y=y, stratify=True, seed=3)
    assert np.bincount(folds).tolist() == [8] * 5
    for k in range(5):
        # dealt in order of y: each fold has two of the 0s, two of the 1s, and one
        # proportion from each run of five consecutive ones
        assert np.sum(y[folds == k] == 0) == 2 and np.sum(y[folds == k] == 1) == 2
        inside = np.sort(y[(folds == k) & (y > 0) & (y < 1)])
        assert [int(np.searchsorted(np.linspace(0.05, 0.95, 20)[::5], v, "right")) - 1
                for v in inside] == [0, 1, 2, 3]  # fmt: skip


def test_stratified_folds_of_labels_unchanged():
    y = np.array([0, 1] * 10, dtype=float)
    folds = make_folds(20, nfolds=4, y=y, stratify=True, seed=0)
    assert all(sorted(set(y[folds == k])) == [0.0, 1.0] for k in range(4))


def test_criteria_loglik_is_that_of_the_counts():
    X, s, trials = grouped()
    y = s / trials
    path = fit_path(X, y, family="binomial", weights=trials, lambdas=[0.05, 0.0], tol=1e-14)
    table = criteria_table(path, X, y)
    glm = sm.GLM(np.c_[s, trials - s], sm.add_constant(X), family=sm.families.Binomial())
    ref = glm.fit(tol=1e-12)
    np.testing.assert_allclose(path.coefs[-1], ref.params[1:], rtol=1e-6)
    # statsmodels includes sum log C(trials, s), which does not depend on lambda
    log_choose = np.sum(gammaln(trials + 1) - gammaln(s + 1) - gammaln(trials - s + 1))
    np.testing.assert_allclose(table["loglik"].iloc[-1] + log_choose, ref.llf, rtol=1e-9)
    np.testing.assert_allclose(table["aic"].iloc[-1] - 2 * log_choose, ref.aic, rtol=1e-9)
    # n of BIC: the groups (rows), as statsmodels' nobs
    assert ref.nobs == len(s)
    np.testing.assert_allclose(
        table["bic"].iloc[-1] - table["aic"].iloc[-1],
        (np.log(len(s)) - 2) * table["edf"].iloc[-1],
    )
