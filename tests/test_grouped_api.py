"""Grouped binomial data through ps.fit: ``cbind(s, f) ~ x`` and a proportion with
``weights=`` trials give glmnet's fit on the two-column y; the summary, report and
JSON record say what the response is."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import penstat as ps
from penstat.report import render_report

DATA = __import__("pathlib").Path(__file__).parent / "data"


def reference(name="binomial_grouped"):
    case = json.loads((DATA / f"glmnet_path_{name}.json").read_text())
    X = np.asarray(case["X"], dtype=float)
    df = pd.DataFrame(X, columns=[f"x{j + 1}" for j in range(X.shape[1])])
    df["s"], df["f"] = case["successes"], case["failures"]
    return case, df


def fit_counts(df, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the rows without trials
        return ps.fit("cbind(s, f) ~ .", df, family="binomial", **kwargs)


def test_cbind_fit_is_glmnets_two_column_fit():
    case, df = reference()
    fit = fit_counts(df, select="cv_min", seed=0, tol=1e-14)
    beta = np.asarray(case["beta"]).reshape(len(case["lambda"]), -1)
    np.testing.assert_allclose(fit.path.lambdas, case["lambda"], rtol=1e-10)
    np.testing.assert_allclose(fit.path.coefs, beta, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(fit.path.dev_ratio, case["dev_ratio"], atol=1e-9)
    assert fit.n_obs == case["n"] - 2 and fit.design.n_no_trials == 2


def test_weights_multiply_the_counts():
    case, df = reference("binomial_grouped_weights_enet")
    df["w"] = case["count_weights"]
    fit = ps.fit(
        "cbind(s, f) ~ . - w", df, family="binomial", weights="w", l1_ratio=0.5,
        penalty="elasticnet", lambdas=case["lambda"], tol=1e-14, select="aic",
    )  # fmt: skip
    beta = np.asarray(case["beta"]).reshape(len(case["lambda"]), -1)
    np.testing.assert_allclose(fit.path.coefs, beta, rtol=1e-6, atol=1e-6)


def test_proportion_with_trials_equals_counts():
    _, df = reference()
    df = df[df.s + df.f > 0].assign(n=lambda d: d.s + d.f, p=lambda d: d.s / d.n)
    rhs = " + ".join(f"x{j}" for j in range(1, 9))
    prop = ps.fit(f"p ~ {rhs}", df, family="binomial", weights="n", select="bic")
    counts = fit_counts(df.drop(columns=["n", "p"]), select="bic")
    np.testing.assert_allclose(prop.path.coefs, counts.path.coefs, rtol=1e-12)
    assert prop.lam == counts.lam
    assert ps.fit_to_dict(prop)["data"]["response_kind"] == "proportions"


def test_summary_report_and_json_say_what_the_response_is():
    _, df = reference()
    fit = fit_counts(df, select="bic")
    header = str(fit.summary()).splitlines()
    assert any("successes s of trials s + f" in line for line in header)
    assert any("rows without trials (left out)" in line and line.endswith("2")
               for line in header)  # fmt: skip
    record = ps.fit_to_dict(fit)
    assert record["data"]["response_kind"] == "counts"
    assert record["data"]["n_no_trials"] == 2
    assert record["data"]["response_label"] == "successes s of trials s + f"
    assert record["data"]["n_rows"] == record["data"]["n_obs"] + 2
    for fmt in ("html", "md"):
        text = render_report(fit, fmt=fmt)
        assert "successes s of trials s + f" in text and "no trials" in text
    labels = ps.fit(
        "ok ~ x1", df.assign(ok=df.s > df.f), family="binomial", lam=0.01
    )  # fmt: skip
    assert ps.fit_to_dict(labels)["data"]["response_kind"] == "classes"


def test_predict_bootstrap_and_cv():
    _, df = reference()
    fit = fit_counts(df, seed=1)
    assert fit.select_spec.stratify is None and fit.cv.measure == "deviance"
    prob = fit.predict(df.head(5))
    assert prob.between(0, 1).all()
    np.testing.assert_array_equal(
        fit.predict(df.head(5), type="class"),
        np.where(prob > 0.5, "success", "failure"),
    )
    boot = fit.bootstrap(n_boot=8, seed=2, progress=False)
    assert boot.coefs.shape == (8, len(fit.design.columns))
    assert boot.columns["freq"].between(0, 1).all()
    with pytest.raises(ps.ArgumentError, match="grouped data"):
        fit.bootstrap(n_boot=8, seed=2, progress=False, stratify=True)


@pytest.mark.parametrize("measure", ["auc", "class", "mse"])
def test_cv_measures_run(measure):
    _, df = reference()
    fit = fit_counts(df, seed=1, measure=measure, nfolds=5)
    assert fit.cv.measure == measure and np.isfinite(fit.cv.cvm).all()


def test_star98_as_statsmodels_glm():
    """statsmodels' star98: the counts of students above and below the national
    median per school district. At lambda = 0 the fit is the unpenalized GLM."""
    sm = pytest.importorskip("statsmodels.api")
    d = sm.datasets.star98.load_pandas().data
    cols = ["LOWINC", "PERASIAN", "PERBLACK", "PERHISP"]
    glm = sm.GLM(
        d[["NABOVE", "NBELOW"]], sm.add_constant(d[cols]), family=sm.families.Binomial()
    ).fit(tol=1e-12)
    rhs = " + ".join(cols)
    options = dict(family="binomial", lambdas=[1e-3, 0.0], tol=1e-14, select="aic")
    counts = ps.fit(f"cbind(NABOVE, NBELOW) ~ {rhs}", d, **options)
    np.testing.assert_allclose(counts.path.intercepts[-1], glm.params.iloc[0], rtol=1e-8)
    np.testing.assert_allclose(counts.path.coefs[-1], glm.params.iloc[1:], rtol=1e-6)
    props = d.assign(n=d.NABOVE + d.NBELOW, p=d.NABOVE / (d.NABOVE + d.NBELOW))
    prop = ps.fit(f"p ~ {rhs}", props, weights="n", **options)
    np.testing.assert_allclose(prop.path.coefs, counts.path.coefs, rtol=1e-10)
    d_before = sm.datasets.star98.load_pandas().data
    pd.testing.assert_frame_equal(d, d_before)
