"""The penstat command: exit codes, one-line messages, outputs and the JSON."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import penstat as ps
from penstat.cli import main
from penstat.results.export import fit_to_dict


@pytest.fixture(scope="module")
def diabetes_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "diabetes.csv"
    ps.datasets.load("diabetes").to_csv(path, index=False)
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err, expected):
    assert err == f"penstat: error: {expected}\n"
    assert "Traceback" not in err


# ---------------------------------------------------------------------------------
# bad input: golden messages


def test_missing_file(capsys, tmp_path):
    missing = tmp_path / "nope.csv"
    code, out, err = run(capsys, "fit", missing, "y ~ .")
    assert code == 2 and out == ""
    assert_one_line_error(err, f"data file '{missing}' does not exist")


def test_unparsable_file(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,4,5,6\n")
    code, _, err = run(capsys, "fit", bad, "a ~ b")
    assert code == 2
    assert_one_line_error(
        err,
        f"cannot parse data file '{bad}': Error tokenizing data. "
        "C error: Expected 2 fields in line 3, saw 4",
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, _, err = run(capsys, "fit", empty, "a ~ b")
    assert code == 2
    assert_one_line_error(
        err, f"cannot parse data file '{empty}': No columns to parse from file"
    )


def test_missing_column_lists_close_match(capsys, diabetes_csv):
    code, out, err = run(capsys, "fit", diabetes_csv, "y ~ bmii + bp")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "'bmii'" in err and "'bmi'" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--penalty", "l3"],
            "argument --penalty: invalid choice: 'l3' (choose from 'l1', 'l2', "
            "'elasticnet', 'group') (see: penstat fit --help)",
        ),
        (
            ["--select", "best"],
            "--select 'best': use one of cv_1se, cv_min, aic, bic, ebic or a number "
            "(a fixed lambda)",
        ),
        (["--bootstrap", "1"], "--bootstrap needs at least 2 replicates (0: no bootstrap)"),
        (["--report", "out.pdf"], "--report 'out.pdf' must end in .html or .htm or .md"),
        (
            ["--nfolds", "many"],
            "argument --nfolds: invalid int value: 'many' (see: penstat fit --help)",
        ),
    ],
)
def test_bad_options(capsys, diabetes_csv, argv, expected):
    code, out, err = run(capsys, "fit", diabetes_csv, "y ~ bmi", *argv)
    assert code == 2 and out == ""
    assert_one_line_error(err, expected)


def test_bad_command_and_arguments(capsys):
    code, _, err = run(capsys, "bogus")
    assert code == 2
    assert_one_line_error(
        err,
        "argument COMMAND: invalid choice: 'bogus' (choose from 'fit', 'datasets') "
        "(see: penstat --help)",
    )
    code, _, err = run(capsys, "fit", "y ~ .")
    assert code == 2
    assert_one_line_error(
        err,
        'give a data file and a formula, e.g. penstat fit data.csv "y ~ .", or '
        "--dataset NAME and a formula",
    )
    code, _, err = run(capsys, "fit", "--dataset", "nope", "y ~ .")
    assert code == 2
    assert_one_line_error(
        err,
        "unknown dataset 'nope'; the datasets shipped with penstat are: "
        "breast_cancer, diabetes",
    )


def test_user_errors_from_the_library_are_one_line(capsys, diabetes_csv):
    code, _, err = run(capsys, "fit", diabetes_csv, "y ~ bmi", "--family", "binomial")
    assert code == 2 and err.count("\n") == 1 and "binomial" in err
    code, _, err = run(
        capsys,
        "fit",
        diabetes_csv,
        "y ~ bmi",
        "--penalty",
        "l2",
        "--select",
        "bic",
        "--stability",
    )
    assert code == 2 and err.count("\n") == 1 and "L1 penalty" in err


def test_help_and_datasets(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "fit" in out
    code, out, _ = run(capsys, "datasets")
    assert code == 0
    assert out.splitlines()[0].startswith("breast_cancer")
    assert "diabetes" in out


# ---------------------------------------------------------------------------------
# success: summary, JSON, report


def test_fit_csv_prints_summary_and_matches_library(capsys, diabetes_csv):
    code, out, err = run(capsys, "fit", diabetes_csv, "y ~ .", "--select", "bic")
    assert code == 0, err
    reference = ps.fit("y ~ .", ps.datasets.load("diabetes"), select="bic")
    assert out.strip() == str(reference.summary()).strip()


def test_parquet_input(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "d.parquet"
    ps.datasets.load("diabetes").to_parquet(path)
    code, out, err = run(capsys, "fit", path, "y ~ bmi + bp + s5", "--select", "2.0")
    assert code == 0, err
    assert "bmi" in out


def test_json_round_trip(capsys, tmp_path):
    target = tmp_path / "out.json"
    code, _, err = run(
        capsys,
        "fit",
        "--dataset",
        "diabetes",
        "y ~ .",
        "--select",
        "bic",
        "--seed",
        "3",
        "--bootstrap",
        "6",
        "--bootstrap-fixed-lam",
        "--stability",
        "--pfer",
        "1",
        "--json",
        target,
        "--no-progress",
    )
    assert code == 0, err
    text = target.read_text()
    payload = json.loads(text)
    # the file is plain JSON (no NaN) and re-serializes to the same text
    assert json.dumps(payload, indent=2, allow_nan=False) + "\n" == text
    assert payload["schema"] == "penstat.fit/2"

    reference = ps.fit("y ~ .", ps.datasets.load("diabetes"), select="bic", seed=3)
    coefs = {c["column"]: c["coef"] for c in payload["coefficients"]}
    assert coefs == reference.coef.drop("Intercept").to_dict()
    assert payload["model"]["lam"] == reference.lam
    assert payload["model"]["intercept"] == reference.intercept
    assert payload["selected"] == reference.selected
    assert payload["selection"]["rule"] == "bic"

    boot = payload["bootstrap"]
    assert boot["n_boot"] == 6 and sum(boot["model_size"].values()) == 6
    freq = {c["column"]: c["freq"] for c in boot["columns"]}
    assert set(freq) == set(coefs) and all(0 <= f <= 1 for f in freq.values())
    stab = payload["stability"]
    assert stab["n_fits"] == 100
    assert set(stab["stable"]) == {c["column"] for c in stab["columns"] if c["stable"]}


def test_fit_to_dict_matches_results(tmp_path):
    fit = ps.fit("y ~ bmi + bp + s5 + age", ps.datasets.load("diabetes"), select="aic")
    fit.bootstrap(n_boot=4, fixed_lam=True, seed=0, progress=False)
    payload = json.loads(json.dumps(fit_to_dict(fit, source="x")))
    table = fit.bootstrap_result.columns
    for row in payload["bootstrap"]["columns"]:
        for key in ("freq", "median", "lower", "upper"):
            assert row[key] == table.loc[row["column"], key]
        expected = table.loc[row["column"], "sign_consistency"]
        assert row["sign_consistency"] == (None if np.isnan(expected) else expected)


def test_report_outputs(capsys, tmp_path):
    html = tmp_path / "r.html"
    md = tmp_path / "r.md"
    for target in (html, md):
        code, _, err = run(
            capsys,
            "fit",
            "--dataset",
            "diabetes",
            "y ~ bmi + bp + s5 + age",
            "--select",
            "bic",
            "--bootstrap",
            "4",
            "--bootstrap-fixed-lam",
            "--report",
            target,
        )
        assert code == 0, err
        assert f"report written to {target}" in err
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert md.read_text().startswith("# Feature selection for y")
    assert (tmp_path / "r_files" / "path.svg").exists()


def test_stratify_and_folds_options(capsys, tmp_path):
    from penstat.selection.folds import make_folds

    df = ps.datasets.load("breast_cancer")
    formula = "diagnosis ~ radius_mean + texture_mean + smoothness_mean + concavity_mean"
    common = ["--family", "binomial", "--select", "cv_min", "--nfolds", "4", "--seed", "7"]
    lam_min = {}
    for flag in ("", "--stratify", "--no-stratify"):
        target = tmp_path / f"out{flag}.json"
        argv = ["fit", "--dataset", "breast_cancer", formula, *common, "--json", target]
        code, _, err = run(capsys, *argv, *([flag] if flag else []))
        assert code == 0, err
        lam_min[flag] = json.loads(target.read_text())["selection"]["lam_min"]
    # the same folds drawn by hand give the same choice: stratified is the default
    y = (df["diagnosis"] == "malignant").to_numpy(float)
    for flag, stratify in (("--stratify", True), ("--no-stratify", False)):
        folds = make_folds(len(df), nfolds=4, y=y, stratify=stratify, seed=7)
        reference = ps.fit(formula, df, family="binomial", select="cv_min", foldid=folds)
        assert lam_min[flag] == reference.selection.lam_min
    assert lam_min[""] == lam_min["--stratify"] != lam_min["--no-stratify"]


def test_stratify_refused_for_gaussian(capsys, diabetes_csv):
    code, out, err = run(capsys, "fit", diabetes_csv, "y ~ bmi", "--stratify")
    assert code == 2 and out == ""
    assert err.startswith("penstat: error: stratify=True") and "family='gaussian'" in err


def test_offset_column_end_to_end(capsys, tmp_path):
    rng = np.random.default_rng(0)
    n = 80
    frame = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    frame["exposure"] = rng.uniform(0.5, 3.0, size=n)
    frame["log_exp"] = np.log(frame["exposure"])
    eta = -0.5 + frame["a"] - frame["b"] + frame["log_exp"] * 1.0
    frame["event"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    frame = frame.drop(columns="exposure")
    data = tmp_path / "events.csv"
    frame.to_csv(data, index=False)
    target = tmp_path / "out.json"
    argv = ["fit", data, "event ~ .", "--family", "binomial", "--offset", "log_exp"]
    code, out, err = run(capsys, *argv, "--select", "bic", "--json", target)
    assert code == 0, err
    reference = ps.fit(
        "event ~ .", pd.read_csv(data), family="binomial", offset="log_exp", select="bic"
    )
    assert out.strip() == str(reference.summary()).strip()
    assert "offset" in out and "column 'log_exp'" in out
    payload = json.loads(target.read_text())
    assert payload["data"]["offset"] == "log_exp"
    coefs = {c["column"]: c["coef"] for c in payload["coefficients"]}
    assert coefs == reference.coef.drop("Intercept").to_dict()
    assert set(coefs) == {"a", "b", "c"}  # the offset column is not a predictor
    without = ps.fit("event ~ . - log_exp", pd.read_csv(data), family="binomial",
                     select="bic")  # fmt: skip
    assert payload["model"]["intercept"] != without.intercept

    code, _, err = run(capsys, *argv[:-1], "log_exposure")
    assert code == 2
    assert_one_line_error(
        err, "offset='log_exposure' is not a column of the data; did you mean 'log_exp'?"
    )


def test_json_offset_is_null_without_one():
    fit = ps.fit("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    assert fit_to_dict(fit)["data"]["offset"] is None


# ---------------------------------------------------------------------------------
# coefficient limits


def test_lower_limits_number_is_the_non_negative_lasso(capsys, tmp_path):
    target = tmp_path / "out.json"
    argv = ["fit", "--dataset", "diabetes", "y ~ .", "--select", "bic"]
    code, out, err = run(capsys, *argv, "--lower-limits", "0", "--json", target)
    assert code == 0, err
    data = ps.datasets.load("diabetes")
    reference = ps.fit("y ~ .", data, select="bic", lower_limits=0)
    assert out.strip() == str(reference.summary()).strip()
    assert "every penalized column >= 0" in out
    payload = json.loads(target.read_text())
    coefs = {c["column"]: c["coef"] for c in payload["coefficients"]}
    assert coefs == reference.coef.drop("Intercept").to_dict()
    assert min(coefs.values()) == 0.0
    limits = payload["model"]["limits"]
    assert len(limits) == 10
    assert limits[0] == {"column": "age", "lower": 0.0, "upper": None}
    assert all(c["at_limit"] is None for c in payload["coefficients"])
    # without the option the fit is another one
    assert ps.fit("y ~ .", data, select="bic").coef["s1"] < 0


def test_limits_by_name_end_to_end(capsys, tmp_path):
    rng = np.random.default_rng(1)
    n = 90
    frame = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    frame["site"] = rng.choice(["p", "q", "r"], size=n)
    frame["y"] = 2 * frame["a"] - frame["b"] + (frame["site"] == "q") + rng.normal(size=n)
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    target = tmp_path / "out.json"
    argv = ["fit", data, "y ~ a + b + c + C(site, Treatment('r'))", "--select", "0.01"]
    limits = ["--lower-limits", "b=-0.5, C(site, Treatment('r'))=0", "--upper-limits=a=1"]
    code, out, err = run(capsys, *argv, *limits, "--json", target)
    assert code == 0, err
    reference = ps.fit(
        "y ~ a + b + c + C(site, Treatment('r'))", pd.read_csv(data), lam=0.01,
        lower_limits={"b": -0.5, "C(site, Treatment('r'))": 0}, upper_limits={"a": 1},
    )  # fmt: skip
    assert out.strip() == str(reference.summary()).strip()
    assert "limits" in out and "b >= -0.5" in out and "a <= 1" in out
    payload = json.loads(target.read_text())
    by_column = {c["column"]: c for c in payload["coefficients"]}
    assert by_column["a"]["coef"] == reference.coef["a"]
    assert by_column["a"]["at_limit"] == "upper" and by_column["b"]["at_limit"] == "lower"
    assert by_column["c"]["at_limit"] is None
    assert {r["column"] for r in payload["model"]["limits"]} == {
        "a", "b", "C(site, Treatment('r'))[T.p]", "C(site, Treatment('r'))[T.q]"
    }  # fmt: skip


def test_limit_option_errors_are_one_line(capsys, diabetes_csv):
    argv = ["fit", diabetes_csv, "y ~ bmi + bp", "--select", "1"]
    code, out, err = run(capsys, *argv, "--lower-limits", "bmj=0")
    assert code == 2 and out == ""
    assert_one_line_error(
        err,
        "lower_limits names ['bmj'] that are neither formula terms nor design columns; "
        "valid names: ['bmi', 'bp']",
    )
    code, _, err = run(capsys, *argv, "--upper-limits", "-1")
    assert code == 2
    assert err.startswith(
        "penstat: error: --upper-limits: each limit must be a number >= 0"
    )
    code, _, err = run(capsys, *argv, "--lower-limits", "bmi=low")
    assert_one_line_error(
        err, "--lower-limits: 'low' for 'bmi' is not a number (inf / -inf for no limit)"
    )
    code, _, err = run(capsys, *argv, "--lower-limits", "bmi")
    assert code == 2 and "--lower-limits 'bmi': give a number, or NAME=VALUE" in err


def test_parse_limits_splits_outside_parentheses():
    from penstat.cli import parse_limits

    assert parse_limits(None, "--lower-limits") is None
    assert parse_limits("-inf", "--lower-limits") == -np.inf
    assert parse_limits("bs(t, df=4)=0, x = -1,", "--lower-limits") == {
        "bs(t, df=4)": 0.0,
        "x": -1.0,
    }
    assert parse_limits('Q("a,b")=2', "--upper-limits") == {'Q("a,b")': 2.0}


def test_json_limits_are_null_without_them():
    fit = ps.fit("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    payload = fit_to_dict(fit)
    assert payload["model"]["limits"] is None
    assert "at_limit" not in payload["coefficients"][0]


# ---------------------------------------------------------------------------------
# reproducible runs


def _json_run(capsys, tmp_path, name, *extra):
    out = tmp_path / f"{name}.json"
    code, text, err = run(
        capsys, "fit", "--dataset", "diabetes", "y ~ .", "--nfolds", "5",
        "--bootstrap", "4", "--stability", "--no-progress", "--json", out, *extra,
    )  # fmt: skip
    assert code == 0, err
    return json.loads(out.read_text()), text, err


def test_cli_draws_prints_and_records_a_seed_that_repeats_the_run(capsys, tmp_path):
    a, text_a, err_a = _json_run(capsys, tmp_path, "a")
    b, _, _ = _json_run(capsys, tmp_path, "b")
    seed = a["model"]["seed"]
    assert isinstance(seed, int) and seed != b["model"]["seed"]
    assert re.search(rf"\nseed +{seed}\n", text_a)  # printed in the summary header
    assert err_a == f"JSON written to {tmp_path / 'a.json'}\n"
    again, _, _ = _json_run(capsys, tmp_path, "again", "--seed", seed)
    assert again["model"]["seed"] == seed
    for section in ("model", "selection", "coefficients", "bootstrap", "stability"):
        assert again[section] == a[section], section
    # the stability results are printed once, by the summary
    assert text_a.count("Stability selection") == 1


def test_cli_prints_no_negative_zero(capsys, tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({k: rng.standard_normal(50) for k in ("y", "a", "b")})
    path = tmp_path / "noise.csv"
    frame.to_csv(path, index=False)
    code, out, err = run(capsys, "fit", path, "y ~ a + b", "--select", "100", "--all")
    assert code == 0, err
    assert "deviance explained" in out and "-0.0000" not in out


# ---------------------------------------------------------------------------------
# inference after selection


def test_inference_end_to_end(capsys, tmp_path):
    target, report = tmp_path / "out.json", tmp_path / "r.html"
    code, out, err = run(
        capsys, "fit", "--dataset", "diabetes", "y ~ .", "--select", "2.0",
        "--bootstrap", "5", "--seed", "4", "--inference", "naive", "--level",
        "0.8", "--json", target, "--report", report, "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    # a warning is one line on stderr, not Python's source location
    (line,) = [x for x in err.splitlines() if "ignore that the lasso chose" in x]
    assert line.startswith("penstat: warning: ") and "runpy" not in err
    fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=2.0)
    with pytest.warns(UserWarning):
        expected = fit.inference("naive", level=0.8)
    # printed: the method's section and its columns, named after it
    assert "Inference after selection: naive, 80% intervals, two-sided p-values" in out
    assert "Conditioning: nothing" in out and "naive p_value" in out
    block = json.loads(target.read_text())["inference"]
    assert block["method"] == "naive" and block["level"] == 0.8
    got = {r["column"]: r for r in block["columns"]}
    assert list(got) == expected.table.index.tolist()
    for column, row in expected.table.iterrows():
        assert got[column]["p_value"] == pytest.approx(row["p_value"], rel=1e-12)
        assert got[column]["ci_lower"] == pytest.approx(row["ci_lower"], rel=1e-12)
    html = report.read_text()
    assert '<section id="inference"' in html and "naive 80% interval" in html


def test_inference_at_another_lambda_and_with_sigma(capsys, tmp_path):
    target = tmp_path / "out.json"
    code, _, err = run(
        capsys, "fit", "--dataset", "diabetes", "y ~ .", "--select", "bic",
        "--inference", "naive", "--sigma", "50", "--inference-lam", "5",
        "--json", target,
    )  # fmt: skip
    assert code == 0, err
    assert "penstat: warning: " in err
    block = json.loads(target.read_text())["inference"]
    assert block["lam"] == 5.0 and block["sigma"] == 50.0
    assert block["sigma_method"] == "given"
    selected = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=5.0).selected
    assert [r["column"] for r in block["columns"]] == selected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--level", "0.9"],
            "--level applies to inference after selection only; add --inference "
            "METHOD (selective, split, debiased, naive), or drop --level",
        ),
        (
            ["--sigma", "2"],
            "--sigma applies to inference after selection only; add --inference "
            "METHOD (selective, split, debiased, naive), or drop --sigma",
        ),
        (
            ["--inference", "bayes"],
            "argument --inference: invalid choice: 'bayes' (choose from 'selective', "
            "'split', 'debiased', 'naive') (see: penstat fit --help)",
        ),
        (
            ["--inference", "naive", "--level", "95"],
            "--level 95 must be in (0, 1), e.g. 0.95 for 95% intervals",
        ),
        (
            ["--inference", "naive", "--level", "nan"],
            "--level nan must be in (0, 1), e.g. 0.95 for 95% intervals",
        ),
        (
            ["--inference", "naive", "--sigma", "-1"],
            "--sigma -1 must be a positive number",
        ),
        (
            ["--inference", "naive", "--sigma", "1", "--family", "binomial"],
            "--sigma is the noise level of a gaussian fit; a binomial fit has none, "
            "drop --sigma",
        ),
        (
            ["--inference", "naive", "--inference-lam", "0"],
            "--inference-lam 0 must be a positive number",
        ),
        (
            ["--inference", "naive", "--level", "high"],
            "argument --level: invalid float value: 'high' (see: penstat fit --help)",
        ),
    ],
)
def test_bad_inference_options(capsys, diabetes_csv, argv, expected):
    code, out, err = run(capsys, "fit", diabetes_csv, "y ~ bmi", *argv)
    assert code == 2 and out == ""
    assert_one_line_error(err, expected)


def test_an_inference_method_that_is_not_installed_is_a_usage_error(
    capsys, diabetes_csv, monkeypatch
):
    from penstat.inference import run as inference_run

    monkeypatch.delitem(inference_run.RUNNERS, "naive")
    code, out, err = run(capsys, "fit", diabetes_csv, "y ~ bmi", "--inference", "naive")
    assert code == 2 and out == ""
    assert err.startswith("penstat: error: --inference naive: this penstat has no")


def test_group_penalty_selects_terms(capsys, tmp_path):
    # a four-level factor with an effect and one without: each enters or leaves whole
    rng = np.random.default_rng(3)
    n = 300
    frame = pd.DataFrame(
        {
            "region": rng.choice(["a", "b", "c", "d"], n),
            "shop": rng.choice(["p", "q", "r"], n),
            "x": rng.standard_normal(n),
        }
    )
    frame["y"] = frame["region"].map({"a": 0.0, "b": 1.0, "c": -1.0, "d": 0.5})
    frame["y"] += 0.5 * frame["x"] + rng.standard_normal(n)
    path, target = tmp_path / "shops.csv", tmp_path / "out.json"
    frame.to_csv(path, index=False)
    code, out, err = run(
        capsys, "fit", path, "y ~ region + shop + x", "--penalty", "group",
        "--select", "bic", "--json", target,
    )  # fmt: skip
    assert code == 0, err
    expected = ps.group_lasso("y ~ region + shop + x", frame, select="bic")
    coef = json.loads(target.read_text())["coefficients"]
    got = {c["column"]: c["coef"] for c in coef}
    assert got == pytest.approx(expected.coef.drop("Intercept").to_dict(), rel=1e-12)
    for term in ("region", "shop"):
        nonzero = {v != 0 for k, v in expected.coef.items() if k.startswith(term + "[")}
        assert len(nonzero) == 1  # all of the term's columns in, or all out
    assert "region" in expected.selected_terms


def test_group_penalty_with_adaptive_and_relax(capsys, tmp_path):
    rng = np.random.default_rng(4)
    n = 200
    frame = pd.DataFrame(
        {"region": rng.choice(["a", "b", "c", "d"], n), "x": rng.standard_normal(n)}
    )
    frame["y"] = frame["region"].map({"a": 0.0, "b": 1.0, "c": -1.0, "d": 0.5})
    frame["y"] += 0.5 * frame["x"] + rng.standard_normal(n)
    path, target = tmp_path / "shops.csv", tmp_path / "out.json"
    frame.to_csv(path, index=False)
    code, out, err = run(
        capsys, "fit", path, "y ~ region + x", "--penalty", "group", "--adaptive",
        "--relax", "--seed", "3", "--nfolds", "5", "--json", target,
    )  # fmt: skip
    assert code == 0, err
    record = json.loads(target.read_text())
    expected = ps.group_lasso(
        "y ~ region + x", frame, penalty_factor="adaptive", relax=True, seed=3, nfolds=5
    )
    assert record["model"]["adaptive_init"]["unit"] == "group"
    assert record["model"]["relax"]["gamma"] == expected.gamma
    got = {c["column"]: c["coef"] for c in record["coefficients"]}
    assert got == pytest.approx(expected.coef.drop("Intercept").to_dict(), rel=1e-12)


def test_nfolds_without_cross_validation_warns_naming_the_option(capsys):
    argv = ["fit", "--dataset", "diabetes", "y ~ bmi + bp + s5", "--no-progress"]
    for select in ("bic", "2.0"):
        code, out, err = run(capsys, *argv, "--select", select, "--nfolds", "5")
        assert code == 0, err
        (line,) = [x for x in err.splitlines() if "is ignored" in x]
        assert line == (
            f"penstat: warning: --nfolds 5 is ignored with --select {select}: only "
            "the CV rules (--select cv_1se or cv_min) use folds; drop --nfolds or "
            "use a CV rule"
        )
        assert "nfolds=" not in err
        # the fit is the one without --nfolds
        code, out_plain, err_plain = run(capsys, *argv, "--select", select)
        assert code == 0 and "is ignored" not in err_plain
        assert out == out_plain
    # a CV rule uses the folds: no warning
    code, _, err = run(capsys, *argv, "--nfolds", "3", "--seed", "1")
    assert code == 0 and "is ignored" not in err
