"""Short reprs of Selection and CVResult (R's print(cv.glmnet) shows a summary)."""

import numpy as np

import penstat as ps


def test_cv_selection_and_result_reprs_are_short():
    fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), seed=0, nfolds=5)
    sel, cv = fit.selection, fit.cv
    text = repr(sel)
    first = text.splitlines()[0]
    assert (
        first
        == f"Selection: rule cv_1se, lambda {sel.lam:.4g} (index {sel.index}), measure mse"
    )
    assert f"lambda.min {cv.lam_min:.4g} (index {cv.index_min}, mse" in text
    assert f"lambda.1se {cv.lam_1se:.4g} (index {cv.index_1se}, mse" in text
    assert "cv_mean" in text and f"... {cv.lambdas.size - 5} more rows" in text
    assert len(text.splitlines()) <= 10
    cv_text = repr(cv)
    assert cv_text.startswith(f"CVResult: 5-fold CV, mse, {cv.lambdas.size} lambdas")
    assert len(cv_text.splitlines()) <= 10
    # no array dump
    assert "array(" not in text + cv_text and "fold_values" not in text + cv_text


def test_criterion_selection_repr():
    fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), select="bic")
    text = repr(fit.selection)
    assert text.startswith("Selection: rule bic, lambda")
    assert "bic" in text.splitlines()[1] and len(text.splitlines()) <= 8
    assert np.isfinite(fit.selection.lam)
