"""The scikit-learn estimators: same results as the engine, as scikit-learn's own
estimators at matched objectives, and scikit-learn's estimator checks."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from penstat import PenstatError  # noqa: E402
from penstat.selection import select_l1_ratio, select_lambda  # noqa: E402
from penstat.sklearn import PenalizedClassifier, PenalizedRegressor  # noqa: E402
from penstat.solver import fit_path  # noqa: E402

TIGHT = 1e-12
ROOT = Path(__file__).resolve().parents[1]


def _regression(n=80, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + 1.0
    y = X[:, 0] - 2.0 * X[:, 1] + 0.5 * X[:, 2] + 2.0 * rng.standard_normal(n) + 3.0
    return X, y


def _classification(n=100, p=5, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p)
    y = (X[:, 0] - X[:, 1] + 1.5 * rng.logistic(size=n) > 0).astype(int)
    return X, y


# --------------------------------------------------------------------- the engine


def test_regressor_equals_fit_path_and_select_lambda():
    X, y = _regression()
    est = PenalizedRegressor(select="cv_1se", nfolds=5, seed=3).fit(X, y)
    path = fit_path(X, y)
    sel = select_lambda(path, X, y, rule="cv_1se", nfolds=5, seed=3)
    assert est.lam_ == sel.lam
    np.testing.assert_array_equal(est.coef_, path.coefs[sel.index])
    assert est.intercept_ == path.intercepts[sel.index]
    np.testing.assert_array_equal(est.path_.lambdas, path.lambdas)
    assert est.selection_.lam_min == sel.lam_min
    assert est.n_features_in_ == X.shape[1]
    np.testing.assert_allclose(est.predict(X), path.predict(X, lam=sel.lam), rtol=1e-12)


def test_classifier_equals_fit_path_and_select_lambda_with_labels_and_weights():
    X, y01 = _classification()
    labels = np.where(y01 == 1, "yes", "no")
    w = np.random.default_rng(2).uniform(0.5, 2.0, y01.size)
    clf = PenalizedClassifier(penalty="elasticnet", l1_ratio=0.7, select="bic")
    clf.fit(X, labels, sample_weight=w)
    path = fit_path(X, y01, family="binomial", l1_ratio=0.7, weights=w)
    sel = select_lambda(path, X, y01, rule="bic")
    assert clf.classes_.tolist() == ["no", "yes"]
    assert clf.lam_ == sel.lam
    np.testing.assert_array_equal(clf.coef_, path.coefs[sel.index])
    proba = path.predict(X, lam=sel.lam, type="response")
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], proba, rtol=1e-12)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X))
    assert set(clf.predict(X)) <= {"no", "yes"}
    np.testing.assert_array_equal(clf.predict(X) == "yes", proba > 0.5)


def test_l1_ratio_list_equals_select_l1_ratio():
    X, y = _regression(seed=4)
    est = PenalizedRegressor(
        penalty="elasticnet", l1_ratio=[0.2, 1.0], select="cv_min", nfolds=4, seed=5
    ).fit(X, y)
    found = select_l1_ratio(X, y, [0.2, 1.0], rule="cv_min", nfolds=4, seed=5)
    assert est.l1_ratio_ == found.l1_ratio
    assert est.lam_ == found.selection.lam
    np.testing.assert_array_equal(est.coef_, found.path.coefs[found.selection.index])
    assert len(est.l1_ratio_table_) == 2


def test_fixed_lam_path_ends_at_lam_and_select_number_is_lam():
    X, y = _regression()
    est = PenalizedRegressor(lam=0.37).fit(X, y)
    assert est.lam_ == 0.37 and est.path_.lambdas[-1] == 0.37
    assert est.selection_ is None
    same = PenalizedRegressor(select=0.37).fit(X, y)
    np.testing.assert_array_equal(same.coef_, est.coef_)
    # the solution at lam does not depend on the warm-start grid above it
    alone = fit_path(X, y, lambdas=[0.37], tol=TIGHT)
    tight = PenalizedRegressor(lam=0.37, tol=TIGHT).fit(X, y)
    np.testing.assert_allclose(tight.coef_, alone.coefs[0], atol=1e-9)


def test_inputs_not_modified_and_dataframe_names():
    X, y = _regression()
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    X0, y0, df0 = X.copy(), y.copy(), df.copy()
    by_name = PenalizedRegressor(lam=5.0, penalty_factor={"x5": 0}).fit(df, y)
    factors = np.ones(X.shape[1])
    factors[5] = 0
    by_array = PenalizedRegressor(lam=5.0, penalty_factor=factors).fit(X, y)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    pd.testing.assert_frame_equal(df, df0)
    assert by_name.feature_names_in_.tolist() == list(df.columns)
    assert by_name.path_.column_names == list(df.columns)
    assert by_name.coef_[5] != 0
    np.testing.assert_allclose(by_name.coef_, by_array.coef_, rtol=1e-12)
    assert not hasattr(by_array, "feature_names_in_")


# ------------------------------------------------- scikit-learn at matched objectives


def test_lasso_equals_sklearn_lasso_with_weights():
    X, y = _regression()
    w = np.random.default_rng(3).uniform(0.2, 2.0, y.size)
    for sample_weight in (None, w):
        est = PenalizedRegressor(lam=0.3, standardize=False, tol=TIGHT)
        est.fit(X, y, sample_weight=sample_weight)
        ref = Lasso(alpha=0.3, tol=1e-14, max_iter=1_000_000)
        ref.fit(X, y, sample_weight=sample_weight)
        np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-8)
        np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=1e-8)


def test_elastic_net_equals_sklearn_elastic_net_at_matched_objective():
    # glmnet (and penstat) solve the gaussian problem for y / sd(y), which divides the
    # ridge part of the penalty by sd(y) (1/n standard deviation): in scikit-learn's
    # terms alpha * l1_ratio = lam * a and alpha * (1 - l1_ratio) = lam * (1 - a) / sd.
    X, y = _regression(seed=5)
    lam, a = 0.3, 0.4
    est = PenalizedRegressor(
        penalty="elasticnet", l1_ratio=a, lam=lam, standardize=False, tol=TIGHT
    ).fit(X, y)
    sd = np.std(y)
    sk_alpha = lam * a + lam * (1 - a) / sd
    ref = ElasticNet(alpha=sk_alpha, l1_ratio=lam * a / sk_alpha, tol=1e-14)
    ref.set_params(max_iter=1_000_000).fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-7)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=1e-7)


@pytest.mark.parametrize(
    ("l1_ratio", "solver"), [(1.0, "saga"), (0.0, "lbfgs"), (0.5, "saga")]
)
def test_classifier_equals_sklearn_logistic_regression(l1_ratio, solver):
    # sklearn: C sum(loss) + l1_ratio |b|_1 + (1 - l1_ratio) / 2 |b|^2, so C = 1 / (n lam)
    X, y = _classification()
    lam = 0.02
    clf = PenalizedClassifier(
        penalty="elasticnet", l1_ratio=l1_ratio, lam=lam, standardize=False, tol=TIGHT
    ).fit(X, y)
    ref = LogisticRegression(
        C=1 / (y.size * lam), l1_ratio=l1_ratio, solver=solver, tol=1e-12, max_iter=100_000
    ).fit(X, y)
    np.testing.assert_allclose(clf.coef_, ref.coef_[0], atol=1e-6)
    np.testing.assert_allclose(clf.intercept_, ref.intercept_[0], atol=1e-6)
    np.testing.assert_allclose(clf.predict_proba(X), ref.predict_proba(X), atol=1e-7)
    np.testing.assert_array_equal(clf.predict(X), ref.predict(X))


def test_weighted_classifier_equals_sklearn_with_c_from_the_weight_sum():
    # sklearn does not normalize sample weights: C = 1 / (sum(w) lam)
    X, y = _classification(seed=6)
    w = np.random.default_rng(7).uniform(0.5, 3.0, y.size)
    lam = 0.02
    clf = PenalizedClassifier(lam=lam, standardize=False, tol=TIGHT)
    clf.fit(X, y, sample_weight=w)
    ref = LogisticRegression(
        C=1 / (w.sum() * lam), l1_ratio=1.0, solver="saga", tol=1e-12, max_iter=100_000
    ).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(clf.coef_, ref.coef_[0], atol=1e-6)
    np.testing.assert_allclose(clf.intercept_, ref.intercept_[0], atol=1e-6)


# ---------------------------------------------------------- pipelines and searches


def test_pipeline_with_standard_scaler_equals_internal_standardization():
    X, y = _regression()
    pipe = make_pipeline(
        StandardScaler(), PenalizedRegressor(lam=0.2, standardize=False, tol=TIGHT)
    ).fit(X, y)
    est = PenalizedRegressor(lam=0.2, standardize=True, tol=TIGHT).fit(X, y)
    scale = pipe[0].scale_
    np.testing.assert_allclose(pipe[-1].coef_ / scale, est.coef_, atol=1e-9)
    np.testing.assert_allclose(pipe.predict(X), est.predict(X), atol=1e-9)


def test_cross_val_score_equals_sklearn_lasso():
    X, y = _regression(n=100)
    folds = KFold(5, shuffle=True, random_state=0)
    ours = cross_val_score(
        PenalizedRegressor(lam=0.2, standardize=False, tol=TIGHT), X, y, cv=folds
    )
    ref = cross_val_score(Lasso(alpha=0.2, tol=1e-14, max_iter=1_000_000), X, y, cv=folds)
    np.testing.assert_allclose(ours, ref, rtol=1e-8)


def test_grid_search_over_lam_equals_sklearn_lasso_search():
    X, y = _regression(n=100, seed=7)
    lams = [0.01, 0.1, 0.5, 1.0, 2.0]
    folds = KFold(5, shuffle=True, random_state=1)
    ours = GridSearchCV(
        PenalizedRegressor(standardize=False, tol=TIGHT), {"lam": lams}, cv=folds
    ).fit(X, y)
    ref = GridSearchCV(Lasso(tol=1e-14, max_iter=1_000_000), {"alpha": lams}, cv=folds).fit(
        X, y
    )
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], rtol=1e-8
    )
    assert ours.best_params_["lam"] == ref.best_params_["alpha"]
    np.testing.assert_allclose(
        ours.best_estimator_.coef_, ref.best_estimator_.coef_, atol=1e-8
    )


def test_grid_search_over_lam_and_l1_ratio_for_the_classifier():
    # every training fold has 80 rows, so lam matches C = 1 / (80 lam) (ridge: lbfgs)
    X, y = _classification(n=100)
    lams = [0.005, 0.05, 0.5]
    folds = KFold(5, shuffle=True, random_state=2)
    ours = GridSearchCV(
        PenalizedClassifier(penalty="elasticnet", standardize=False, tol=TIGHT),
        {"lam": lams, "l1_ratio": [0.0, 0.6]},
        cv=folds,
        scoring="neg_log_loss",
    ).fit(X, y)
    ref = GridSearchCV(
        LogisticRegression(l1_ratio=0.0, tol=1e-12, max_iter=100_000),
        {"C": [1 / (80 * lam) for lam in lams]},
        cv=folds,
        scoring="neg_log_loss",
    ).fit(X, y)
    ridge = np.asarray(ours.cv_results_["param_l1_ratio"]) == 0.0
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"][ridge],
        ref.cv_results_["mean_test_score"],
        rtol=1e-6,
    )
    assert ours.best_params_["l1_ratio"] in (0.0, 0.6)


def test_clone_keeps_params_and_refits_identically():
    X, y = _classification()
    clf = PenalizedClassifier(select="cv_min", nfolds=3, seed=4, measure="class")
    fitted = clf.fit(X, y)
    copy = clone(fitted)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "coef_")
    np.testing.assert_array_equal(copy.fit(X, y).coef_, fitted.coef_)
    assert "alpha" not in " ".join(clf.get_params())


# ------------------------------------------------------------------------- errors


def test_more_than_two_classes_is_refused():
    X, _ = _classification()
    y = np.arange(X.shape[0]) % 3
    with pytest.raises(PenstatError, match="Only binary classification"):
        PenalizedClassifier(lam=0.1).fit(X, y)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"penalty": "lasso"}, "penalty="),
        ({"penalty": "l1", "l1_ratio": 0.5}, "elasticnet"),
        ({"penalty": "l2", "l1_ratio": 1.0}, "elasticnet"),
        ({"lam": -1.0}, "lam="),
        ({"select": "best"}, "cv_1se"),
        ({"l1_ratio": [0.5, 1.0], "penalty": "elasticnet", "lam": 0.1}, "selection rule"),
        ({"penalty_factor": {"x0": 0}}, "DataFrame"),
        ({"nfolds": 100}, "n_samples"),
    ],
)
def test_argument_errors_name_the_argument(params, match):
    X, y = _regression()
    with pytest.raises(PenstatError, match=match):
        PenalizedRegressor(**params).fit(X, y)


def test_import_penstat_does_not_import_sklearn(tmp_path):
    # run outside the source tree, so that the installed package (with its compiled
    # kernels) is imported, as a user's script imports it
    code = "import sys, penstat; penstat.fit_path; print('sklearn' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_missing_sklearn_gives_install_hint(tmp_path):
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "from penstat import PenstatError\n"
        "try:\n"
        "    import penstat.sklearn\n"
        "except PenstatError as exc:\n"
        "    print(isinstance(exc, ImportError), exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("True")
    assert "pip install scikit-learn" in out.stdout


# ------------------------------------------------------ scikit-learn's own checks

_CV_WEIGHTS = (
    "cross-validation folds are drawn over rows, so repeating a row is not the same "
    "as doubling its weight (see docs/user-guide/sklearn.md)"
)
_ESTIMATORS = [
    PenalizedRegressor(lam=0.05),
    PenalizedRegressor(penalty="elasticnet", l1_ratio=0.5, select="bic"),
    PenalizedRegressor(nfolds=3, seed=0),
    PenalizedClassifier(lam=0.01),
    PenalizedClassifier(penalty="l2", select="cv_min", nfolds=3, seed=0),
]


def _expected_failures(estimator):
    if estimator.lam is None and str(estimator.select).startswith("cv"):
        return {
            "check_sample_weight_equivalence_on_dense_data": _CV_WEIGHTS,
            "check_sample_weight_equivalence_on_sparse_data": _CV_WEIGHTS,
        }
    return {}


@parametrize_with_checks(_ESTIMATORS, expected_failed_checks=_expected_failures)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# --------------------------------------------------------------------- stratified folds


def _class_counts_per_fold(foldid, y):
    return np.array([[np.sum((foldid == k) & (y == c)) for c in (0, 1)] for k in range(5)])


def test_classifier_folds_are_stratified_unless_told_otherwise():
    X, y = _classification(n=103, seed=4)
    y = y.copy()
    y[:70] = 0  # unbalanced classes make unstratified folds uneven
    default = PenalizedClassifier(select="cv_min", nfolds=5, seed=3).fit(X, y)
    explicit = PenalizedClassifier(select="cv_min", nfolds=5, seed=3, stratify=True).fit(
        X, y
    )
    plain = PenalizedClassifier(select="cv_min", nfolds=5, seed=3, stratify=False).fit(X, y)

    counts = _class_counts_per_fold(default.selection_.cv.foldid, y)
    assert np.ptp(counts[:, 0]) <= 1 and np.ptp(counts[:, 1]) <= 1
    np.testing.assert_array_equal(
        default.selection_.cv.foldid, explicit.selection_.cv.foldid
    )
    # the same folds as select_lambda draws without stratification
    path = fit_path(X, y, family="binomial")
    reference = select_lambda(
        path, X, y, rule="cv_min", nfolds=5, seed=3, stratify=False, progress=False
    )
    np.testing.assert_array_equal(plain.selection_.cv.foldid, reference.cv.foldid)
    assert not np.array_equal(plain.selection_.cv.foldid, default.selection_.cv.foldid)


def test_regressor_refuses_stratified_folds():
    X, y = _regression()
    with pytest.raises(PenstatError, match="stratify=True"):
        PenalizedRegressor(nfolds=3, seed=0, stratify=True).fit(X, y)
    with pytest.raises(PenstatError, match="stratify='yes'"):
        PenalizedClassifier(nfolds=3, seed=0, stratify="yes").fit(*_classification())
