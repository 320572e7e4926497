"""The group lasso by formula term: ``ps.group_lasso`` and ``ps.fit(...,
penalty="group")`` (every formula term one group), ``groups=`` merging terms,
penalty factors by term, the summary, selection by CV and criteria, bootstrap
frequencies per term, and the mistakes a user can make."""

import numpy as np
import pandas as pd
import pytest
from conftest import make_group_frame

import penstat as ps
from penstat import ArgumentError
from penstat.selection.criteria import effective_df


@pytest.fixture(scope="module")
def frame():
    df = make_group_frame()
    df["b"] = df["b"].map({1: "yes", 0: "no"})
    return df


FORMULA = "y ~ x1 + x2 + x3 + C(region) + poly(age, 3)"


def group_nonzero(fit):
    """Per term: all its columns nonzero, or all zero (never a part)."""
    coefs = fit.path.coefs
    out = {}
    for term, cols in fit.design.terms.items():
        idx = [fit.design.columns.index(c) for c in cols]
        nz = coefs[:, idx] != 0
        assert np.all(nz.all(axis=1) | ~nz.any(axis=1)), term
        out[term] = nz.all(axis=1)
    return out


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_terms_enter_and_leave_whole(frame, family):
    formula = FORMULA if family == "gaussian" else FORMULA.replace("y ~", "b ~")
    fit = ps.group_lasso(formula, frame, family=family, select=None)
    entered = group_nonzero(fit)
    assert entered["C(region)"].any() and not entered["C(region)"][0]
    assert fit.spec.groups.max() + 1 == len(fit.design.terms)


def test_selected_terms_are_the_nonzero_groups_and_the_summary_says_so(frame):
    fit = ps.group_lasso(FORMULA, frame, lam=0.1)
    nonzero = group_nonzero(fit)
    expected = [t for t, nz in nonzero.items() if nz[fit.index]]
    assert fit.selected_terms == expected
    assert "C(region)" in expected and "x1" in expected
    text = str(fit.summary())
    assert f"selected terms                {', '.join(expected)}" in text
    assert "group lasso (l1_ratio = 1)" in text


def test_fit_with_penalty_group_is_group_lasso(frame):
    a = ps.group_lasso(FORMULA, frame, lam=0.05)
    b = ps.fit(FORMULA, frame, penalty="group", lam=0.05)
    np.testing.assert_array_equal(a.coef, b.coef)
    assert a.penalty == b.penalty == "group"


def test_groups_dict_merges_terms(frame):
    fit = ps.group_lasso(FORMULA, frame, groups={"x2": "noise", "x3": "noise"}, select=None)
    j2, j3 = fit.design.columns.index("x2"), fit.design.columns.index("x3")
    assert fit.spec.groups[j2] == fit.spec.groups[j3]
    nz2, nz3 = fit.path.coefs[:, j2] != 0, fit.path.coefs[:, j3] != 0
    np.testing.assert_array_equal(nz2, nz3)
    assert fit.spec.groups.max() + 1 == len(fit.design.terms) - 1


def test_penalty_factor_by_term(frame):
    fit = ps.group_lasso(FORMULA, frame, penalty_factor={"poly(age, 3)": 0}, select=None)
    cols = fit.design.terms["poly(age, 3)"]
    idx = [fit.design.columns.index(c) for c in cols]
    assert np.all(fit.path.coefs[:, idx] != 0)  # unpenalized: in from the start


def test_l1_ratio_below_one_is_the_group_elastic_net(frame):
    fit = ps.group_lasso(FORMULA, frame, l1_ratio=0.5, lam=0.05)
    assert fit.l1_ratio == 0.5
    group_nonzero(fit)


def test_cv_selects_with_the_same_engine(frame):
    a = ps.group_lasso(FORMULA, frame, select="cv_min", seed=3, nfolds=5)
    b = ps.group_lasso(FORMULA, frame, select="cv_min", seed=3, nfolds=5)
    assert a.lam == b.lam and a.selection.rule == "cv_min"
    assert "x1" in a.selected_terms and "C(region)" in a.selected_terms
    assert int(np.argmin(a.selection.table["cv_mean"])) == a.index


def test_criteria_use_yuan_and_lin_df(frame):
    fit = ps.group_lasso(FORMULA, frame, select="bic")
    table = fit.selection.table
    assert table["edf"].iloc[0] == 1.0  # the intercept alone
    df = effective_df(fit.path, fit.design.X, fit.design.y)
    # each nonzero group adds 1 plus at most (size - 1)
    sizes = np.bincount(fit.spec.groups)
    ng = sizes.size
    for k in range(df.size):
        norms = np.bincount(fit.spec.groups, weights=fit.path.coefs[k] ** 2, minlength=ng)
        on = norms > 0
        assert on.sum() <= df[k] <= sizes[on].sum() + 1e-9
    np.testing.assert_allclose(table["edf"], df + 1.0)


def test_yuan_lin_df_on_orthonormal_groups_is_the_closed_form():
    """On orthonormal groups b_g = (1 - lam w_g / ||z_g||)_+ z_g, so Yuan & Lin's df
    is sum over nonzero groups of 1 + (1 - lam w_g / ||z_g||) (p_g - 1)."""
    rng = np.random.default_rng(1)
    n, sizes = 80, (3, 2, 4)
    A = rng.normal(size=(n, sum(sizes)))
    A -= A.mean(axis=0)
    X = np.linalg.qr(A)[0] * np.sqrt(n)
    groups = np.repeat(np.arange(3), sizes)
    y = X @ np.r_[1.0, -1.0, 0.5, 0.3, 0.2, 0.0, 0.1, 0.0, 0.1] + rng.normal(size=n)
    path = ps.fit_path(X, y, groups=groups, nlambda=15, standardize=False)
    z = X.T @ (y - y.mean()) / n
    expected = []
    for lam in path.lambdas:
        total = 0.0
        for g, size in enumerate(sizes):
            shrink = 1 - lam * np.sqrt(size) / np.linalg.norm(z[groups == g])
            if shrink > 1e-9:  # lambda_max itself: the boundary, zero
                total += 1 + shrink * (size - 1)
        expected.append(total)
    np.testing.assert_allclose(effective_df(path, X, y), expected, rtol=1e-8, atol=1e-9)


def test_bootstrap_frequencies_per_term(frame):
    fit = ps.group_lasso(FORMULA, frame, lam=0.1)
    boot = fit.bootstrap(n_boot=8, fixed_lam=True, seed=0, progress=False)
    freq = boot.terms["freq"]
    assert freq["x1"] == 1.0 and freq["C(region)"] == 1.0
    assert set(freq.index) == set(fit.design.terms)


# ---- mistakes ------------------------------------------------------------------


def test_unknown_term_in_groups_is_named(frame):
    with pytest.raises(ArgumentError, match=r"groups names 'x9', which is not a formula"):
        ps.group_lasso(FORMULA, frame, groups={"x9": "a"}, lam=0.1)


def test_a_group_splitting_a_term_is_refused(frame):
    with pytest.raises(
        ArgumentError, match=r"column 'C\(region\)\[T.south\]'.*term 'C\(region\)'"
    ):
        ps.group_lasso(FORMULA, frame, groups={"C(region)[T.south]": "a"}, lam=0.1)


def test_per_column_penalty_factor_inside_a_group_is_refused(frame):
    with pytest.raises(
        ArgumentError, match=r"penalty_factor differs inside group 'C\(region\)'"
    ):
        ps.group_lasso(FORMULA, frame, penalty_factor={"C(region)[T.south]": 2}, lam=0.1)


def test_limits_are_refused_with_the_group_lasso(frame):
    with pytest.raises(ArgumentError, match="not available with groups"):
        ps.group_lasso(FORMULA, frame, lower_limits=0, lam=0.1)


def test_groups_without_penalty_group_is_refused(frame):
    with pytest.raises(ArgumentError, match="groups= is for the group lasso"):
        ps.fit(FORMULA, frame, groups={"x2": "a"}, lam=0.1)


def test_groups_must_be_a_dict(frame):
    with pytest.raises(ArgumentError, match="groups must be a dict"):
        ps.group_lasso(FORMULA, frame, groups=["x2", "x3"], lam=0.1)


def test_penalty_cannot_be_overridden(frame):
    with pytest.raises(ArgumentError, match="group_lasso\\(\\) sets penalty"):
        ps.group_lasso(FORMULA, frame, penalty="l1")


def test_sklearn_estimators_refuse_penalty_group():
    from penstat.sklearn import PenalizedRegressor

    X = np.random.default_rng(0).normal(size=(30, 3))
    with pytest.raises(ArgumentError, match="use penstat.group_lasso"):
        PenalizedRegressor(penalty="group", lam=0.1).fit(X, X[:, 0])


def test_user_frame_is_not_modified(frame):
    before = frame.copy()
    ps.group_lasso(FORMULA, frame, groups={"x2": "n", "x3": "n"}, lam=0.1)
    pd.testing.assert_frame_equal(frame, before)


def test_adaptive_per_term_is_refused_naming_the_groups():
    df = ps.datasets.load("diabetes")
    before = df.copy()
    with pytest.raises(ArgumentError, match=r"every group\) from one initial fit.*terms"):
        ps.group_lasso("y ~ bmi + bp + s5", df, penalty_factor={"bmi": "adaptive"})
    pd.testing.assert_frame_equal(df, before)


def test_adaptive_and_relax_together_with_groups():
    df = ps.datasets.load("diabetes")
    before = df.copy()
    fit = ps.group_lasso(
        "y ~ bmi + bp + s5 + poly(age, 2)",
        df,
        penalty_factor="adaptive",
        relax=True,
        seed=0,
        nfolds=5,
    )
    assert fit.adaptive_init.groups is not None and fit.gamma is not None
    pd.testing.assert_frame_equal(df, before)
