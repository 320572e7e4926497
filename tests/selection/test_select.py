"""select_lambda and select_l1_ratio: CV bookkeeping, rules, reproducibility, errors."""

import matplotlib
import numpy as np
import pytest
from sklearn.linear_model import LassoCV
from sklearn.model_selection import PredefinedSplit

from penstat._errors import ArgumentError, DataError, PenstatError
from penstat.selection import Selection, select_l1_ratio, select_lambda
from penstat.solver import fit_path

matplotlib.use("Agg")

TOL = 1e-12


def gaussian_data(n=100, p=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = 1.5 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2] + 1.0 + rng.normal(size=n) * 1.5
    return X, y


def binomial_data(n=150, p=6, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    eta = X[:, 0] - 0.7 * X[:, 1] - 0.2
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y


def test_cv_mse_matches_scikit_learn_lasso_cv():
    # With unit weights and equal fold sizes cv.glmnet's fold-weighted mean is the plain
    # mean of the fold MSEs, which LassoCV reports; the unstandardized lasso objective
    # is scikit-learn's.
    X, y = gaussian_data()
    foldid = np.arange(100) % 5
    path = fit_path(X, y, nlambda=30, standardize=False, tol=TOL)
    sel = select_lambda(path, X, y, rule="cv_min", foldid=foldid)
    ref = LassoCV(
        alphas=path.lambdas, cv=PredefinedSplit(foldid), tol=1e-14, max_iter=10**6
    )
    ref.fit(X, y)
    np.testing.assert_allclose(ref.alphas_, path.lambdas)
    mse = ref.mse_path_
    np.testing.assert_allclose(sel.cv.cvm, mse.mean(axis=1), rtol=1e-8)
    # cvsd: the weighted sd of the fold values over sqrt(K - 1) (equal weights)
    sd = np.sqrt(((mse - mse.mean(axis=1, keepdims=True)) ** 2).mean(axis=1) / 4)
    np.testing.assert_allclose(sel.cv.cvsd, sd, rtol=1e-6)
    assert sel.lam == pytest.approx(ref.alpha_)


def test_cv_mse_p_much_larger_than_n_matches_scikit_learn_lasso_cv():
    # p >> n: each fold predicts its held-out rows from the columns nonzero somewhere
    # on its path; the fold MSEs must still be scikit-learn's
    rng = np.random.default_rng(11)
    X = rng.normal(size=(40, 2500))
    y = X[:, :3] @ np.array([2.0, -1.5, 1.0]) + rng.normal(size=40)
    foldid = np.arange(40) % 4
    path = fit_path(X, y, nlambda=50, standardize=False, tol=TOL)
    assert path.lambdas.size * X.shape[1] >= 100_000  # the nonzero-columns branch
    sel = select_lambda(path, X, y, rule="cv_min", foldid=foldid)
    ref = LassoCV(
        alphas=path.lambdas, cv=PredefinedSplit(foldid), tol=1e-14, max_iter=10**6
    )
    ref.fit(X, y)
    np.testing.assert_allclose(sel.cv.fold_values, ref.mse_path_.T, rtol=1e-7)
    assert sel.lam == pytest.approx(ref.alpha_)


def test_rules_and_table():
    X, y = gaussian_data()
    path = fit_path(X, y, nlambda=40)
    sel = select_lambda(path, X, y, seed=0)
    assert isinstance(sel, Selection) and sel.rule == "cv_1se"
    assert sel.lam == sel.lam_1se and sel.lam_1se >= sel.lam_min
    assert path.lambdas[sel.index] == sel.lam
    assert list(sel.table.columns) == [
        "lam",
        "df",
        "cv_mean",
        "cv_se",
        "cv_lo",
        "cv_up",
        "n_folds",
    ]
    cv = sel.cv
    # the 1-SE rule: largest lambda with cvm within one SE of the minimum
    bound = cv.cvm[cv.index_min] + cv.cvsd[cv.index_min]
    assert cv.lam_1se == path.lambdas[cv.cvm <= bound].max()
    assert cv.cvm[cv.index_min] == cv.cvm.min()
    assert cv.fold_values.shape == (10, path.lambdas.size)
    assert np.all(cv.n_folds == 10)
    sel_min = select_lambda(path, X, y, rule="cv_min", seed=0)
    assert sel_min.lam == cv.lam_min
    text = sel.describe()
    assert text.startswith("10-fold CV, 1-SE rule, mse") and "lambda.min" in text
    for rule in ("aic", "bic", "ebic"):
        ic = select_lambda(path, X, y, rule=rule)
        assert ic.rule == rule and ic.cv is None
        assert ic.table[rule].iloc[ic.index] == ic.table[rule].min()
        assert ic.describe().startswith(rule.upper())
    fixed = select_lambda(path, X, y, rule=0.05)
    assert fixed.rule == "fixed" and fixed.lam == 0.05
    assert abs(np.log(path.lambdas[fixed.index] / 0.05)) == np.min(
        np.abs(np.log(path.lambdas / 0.05))
    )


def test_same_seed_same_folds_and_choice_for_any_n_jobs():
    X, y = binomial_data()
    path = fit_path(X, y, family="binomial", nlambda=25)
    one = select_lambda(path, X, y, seed=11, nfolds=5, n_jobs=1)
    two = select_lambda(path, X, y, seed=11, nfolds=5, n_jobs=2)
    np.testing.assert_array_equal(one.cv.foldid, two.cv.foldid)
    np.testing.assert_array_equal(one.cv.cvm, two.cv.cvm)
    np.testing.assert_array_equal(one.cv.cvsd, two.cv.cvsd)
    assert one.lam == two.lam and one.lam_min == two.lam_min
    other = select_lambda(path, X, y, seed=12, nfolds=5)
    assert not np.array_equal(one.cv.foldid, other.cv.foldid)


def test_binomial_folds_are_stratified_by_default():
    X, y = binomial_data()
    path = fit_path(X, y, family="binomial", nlambda=10)
    sel = select_lambda(path, X, y, seed=0, nfolds=10, measure="class")
    positives = np.bincount(sel.cv.foldid, weights=y)
    assert positives.max() - positives.min() <= 1
    assert sel.measure == "class"


def test_stratified_folds_use_only_weighted_rows():
    X, y = binomial_data(n=120)
    w = np.ones(y.size)
    positives = np.flatnonzero(y == 1)
    w[positives[5:]] = 0.0  # five positives keep weight: one per fold at most
    path = fit_path(X, y, family="binomial", weights=w, nlambda=8)
    sel = select_lambda(path, X, y, rule="cv_min", nfolds=5, seed=3)
    search = select_l1_ratio(
        X, y, [0.5, 1.0], weights=w, family="binomial", nlambda=8, nfolds=5, seed=3
    )
    for folds in (sel.cv.foldid, search.selection.cv.foldid):
        weighted_positives = np.bincount(folds, weights=(w > 0) * y, minlength=5)
        np.testing.assert_array_equal(weighted_positives, np.ones(5))
        assert np.bincount(folds, weights=(w > 0) * (1 - y)).min() >= 1


def test_auc_with_small_folds_falls_back_to_deviance():
    X, y = binomial_data(n=60)
    path = fit_path(X, y, family="binomial", nlambda=10)
    with pytest.warns(UserWarning, match="measure='deviance' instead"):
        sel = select_lambda(path, X, y, seed=0, measure="auc")
    assert sel.cv.measure == "deviance"


def test_auc_prefers_the_largest_value():
    X, y = binomial_data(n=200)
    path = fit_path(X, y, family="binomial", nlambda=20)
    sel = select_lambda(path, X, y, rule="cv_min", seed=0, nfolds=5, measure="auc")
    assert sel.cv.cvm[sel.index] == sel.cv.cvm.max()
    assert 0.5 < sel.cv.cvm.max() <= 1.0


def test_inputs_are_not_modified():
    X, y = gaussian_data()
    w = np.random.default_rng(0).uniform(0.5, 2, y.size)
    copies = X.copy(), y.copy(), w.copy()
    path = fit_path(X, y, weights=w, nlambda=10)
    select_lambda(path, X, y, seed=0, nfolds=4)
    select_lambda(path, X, y, rule="bic")
    for a, b in zip((X, y, w), copies, strict=True):
        np.testing.assert_array_equal(a, b)


def test_select_l1_ratio_uses_shared_folds():
    X, y = gaussian_data(n=90, p=6)
    foldid = np.arange(90) % 5
    search = select_l1_ratio(X, y, [0.2, 0.6, 1.0], foldid=foldid, nlambda=20)
    table = search.table
    assert list(table["l1_ratio"]) == [0.2, 0.6, 1.0]
    assert table["chosen"].sum() == 1
    assert table.loc[table["chosen"], "cv_best"].item() == table["cv_best"].min()
    assert search.l1_ratio == table.loc[table["chosen"], "l1_ratio"].item()
    # each mix equals an independent select_lambda on its own path with the same folds
    for _, row in table.iterrows():
        path = fit_path(X, y, l1_ratio=row["l1_ratio"], nlambda=20)
        sel = select_lambda(path, X, y, rule="cv_min", foldid=foldid)
        assert sel.lam == row["lam"] and sel.cv.cvm.min() == row["cv_best"]
    np.testing.assert_array_equal(search.selection.cv.foldid, foldid)
    assert search.path.l1_ratio == search.l1_ratio
    bic = select_l1_ratio(X, y, [0.5, 1.0], rule="bic", nlambda=20)
    assert bic.table.loc[bic.table["chosen"], "bic"].item() == bic.table["bic"].min()


def test_plots_return_axes():
    X, y = gaussian_data()
    path = fit_path(X, y, nlambda=20)
    from penstat.plots.selection import plot_criteria, plot_cv

    cv_sel = select_lambda(path, X, y, seed=0, nfolds=5)
    ax = plot_cv(cv_sel.cv)
    assert ax.get_xscale() == "log" and len(ax.lines) >= 2
    ic = select_lambda(path, X, y, rule="bic")
    ax = ic.plot()
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"AIC", "BIC", "EBIC"}
    with pytest.raises(ArgumentError, match="plot_cv"):
        plot_criteria(cv_sel)
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def small_path():
    X, y = gaussian_data(n=40, p=4)
    return fit_path(X, y, nlambda=8), X, y


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"rule": "cv"}, ArgumentError, "select='cv'.*cv_1se, cv_min, aic, bic, ebic"),
        ({"rule": -1.0}, ArgumentError, "fixed lambda must be finite and >= 0"),
        ({"rule": None}, ArgumentError, "select=None"),
        ({"measure": "rmse"}, ArgumentError, "measure='rmse'.*mse, mae, deviance"),
        ({"measure": "auc"}, ArgumentError, "not available for the gaussian.*mse, mae"),
        ({"nfolds": 2}, ArgumentError, "nfolds=2"),
        ({"nfolds": 41}, DataError, "nfolds=41 is larger than the number"),
        ({"foldid": np.arange(39) % 3}, ArgumentError, "foldid has length 39"),
        ({"foldid": np.zeros(40)}, ArgumentError, "foldid has 1 distinct fold"),
        ({"stratify": True}, ArgumentError, "stratify=True is for the binomial"),
        ({"rule": "ebic", "gamma": 2.0}, ArgumentError, r"gamma must be in \[0, 1\]"),
    ],
)
def test_errors_name_the_argument(small_path, kwargs, error, pattern):
    path, X, y = small_path
    with pytest.raises(error, match=pattern) as info:
        select_lambda(path, X, y, **kwargs)
    assert isinstance(info.value, PenstatError) and isinstance(info.value, ValueError)


def test_binomial_errors():
    X, y = binomial_data(n=60)
    y = np.zeros(60)
    y[:3] = 1
    path = fit_path(X, y, family="binomial", nlambda=5)
    with pytest.raises(DataError, match="3 positives"):
        select_lambda(path, X, y, nfolds=5)
    # without stratification the folds are drawn as for gaussian (no refusal)
    sel = select_lambda(path, X, y, nfolds=3, stratify=False, seed=2, measure="class")
    assert sel.cv.nfolds == 3


def test_select_l1_ratio_errors():
    X, y = gaussian_data(n=40, p=4)
    with pytest.raises(ArgumentError, match="l1_ratio=1.5 must be in \\[0, 1\\]"):
        select_l1_ratio(X, y, [0.5, 1.5])
    with pytest.raises(ArgumentError, match="l1_ratio='half' must be a number"):
        select_l1_ratio(X, y, [0.5, "half"])
    for bad in ([], [[0.5, 1.0]]):
        with pytest.raises(ArgumentError, match="must be a non-empty list of numbers"):
            select_l1_ratio(X, y, bad)
    with pytest.raises(ArgumentError, match="fixed lambda cannot be combined"):
        select_l1_ratio(X, y, [0.5, 1.0], rule=0.1)
    with pytest.raises(ArgumentError, match="repeat"):
        select_l1_ratio(X, y, [0.5, 0.5])
