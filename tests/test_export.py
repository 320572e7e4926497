"""The export layer: the penstat.fit/2 record, and the summary and report reading it."""

from __future__ import annotations

import ast
import json
import math
import re
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from conftest import HalfFailingPaths

matplotlib.use("Agg")

import penstat as ps  # noqa: E402
from penstat.plots._protocols import (  # noqa: E402
    BootstrapLike,
    CriteriaLike,
    CVLike,
    PathLike,
    StabilityLike,
)
from penstat.report import render_report  # noqa: E402
from penstat.results.export import SCHEMA, fit_to_dict, header_rows  # noqa: E402

PACKAGE = Path(ps.__file__).resolve().parent

KEYS = {
    "": {
        "schema", "penstat_version", "data", "model", "selection", "coefficients",
        "terms", "selected", "selected_terms", "warnings", "bootstrap", "stability",
        "inference",
    },
    "data": {
        "source", "formula", "expanded_formula", "response", "response_kind",
        "response_label", "n_obs", "n_rows", "n_dropped", "missing", "n_no_trials",
        "weights", "offset", "offset_kind", "n_columns", "n_terms", "sparse_density",
        "backend",
    },
    "model": {
        "family", "positive_class", "penalty", "penalty_name", "l1_ratio",
        "l1_ratio_candidates", "lam", "lam_fixed", "lam_chosen_by", "intercept",
        "has_intercept", "dev_ratio", "n_selected", "seed", "limits", "limits_text",
        "n_at_limit", "n_lambdas", "n_unconverged", "early_stop", "estimator", "relax",
        "adaptive_init", "groups",
    },
    "selection": {
        "rule", "lam", "lam_min", "lam_1se", "measure", "nfolds", "foldid_given",
        "gamma", "cv_mean", "cv_se", "criterion", "description",
    },
    "bootstrap": {
        "n_boot", "fixed_lam", "level", "stratify", "n_failed", "unit",
        "seed_entropy", "columns", "terms", "model_size",
    },
    "stability": {
        "sampling", "n_subsamples", "n_fits", "n_pairs", "cutoff", "q", "q_observed",
        "pfer", "pfer_mb", "pfer_unimodal", "assumption", "region_end", "p", "stable",
        "columns", "terms", "notes", "seed_entropy", "unit", "groups",
    },
    "inference": {
        "method", "level", "lam", "conditioning", "sigma", "sigma_method",
        "alternative", "adjustment", "approximate", "notes", "details", "columns",
    },
}  # fmt: skip
COEFFICIENT_KEYS = {"column", "term", "coef", "sd", "std_coef", "selected", "at_limit"}
TERM_KEYS = {"term", "columns", "n_columns", "n_selected", "group"}


def _everything(fit):
    fit.bootstrap(n_boot=6, seed=1, progress=False)
    fit.stability_selection(n_subsamples=5, pfer=1.0, seed=2, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fit.inference("naive", alternative="sign")  # one-sided: infinite bounds
    return fit


@pytest.fixture(scope="module")
def gaussian_fit():
    data = ps.datasets.load("diabetes")
    data.loc[[1, 7], "bp"] = np.nan
    data["base"] = 0.1 * data["s1"]
    fit = ps.fit(
        "y ~ age + sex + bmi + bp + s3 + s5", data, offset="base", nfolds=4, seed=0,
        lower_limits=0, upper_limits={"bmi": 4}, weights=np.linspace(1, 2, len(data)),
    )  # fmt: skip
    return _everything(fit)


@pytest.fixture(scope="module")
def binomial_fit():
    data = ps.datasets.load("breast_cancer")
    offset = np.linspace(-0.2, 0.2, len(data))
    fit = ps.fit(
        "diagnosis ~ radius_mean + texture_mean + smoothness_mean + area_mean",
        data, family="binomial", select="bic", offset=offset, lower_limits=0,
    )  # fmt: skip
    return _everything(fit)


@pytest.fixture(params=["gaussian", "binomial"])
def fit(request, gaussian_fit, binomial_fit):
    return gaussian_fit if request.param == "gaussian" else binomial_fit


def _plain_values(value, where="record"):
    """Every value of a record, with where it is; fails on a non-JSON type."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), where
            yield from _plain_values(item, f"{where}.{key}")
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from _plain_values(item, f"{where}[{k}]")
    else:
        assert value is None or type(value) in (bool, int, float, str), (where, value)
        yield where, value


def test_record_keys_and_types(fit):
    record = fit_to_dict(fit, source="test")
    assert record["schema"] == SCHEMA == "penstat.fit/2"
    assert set(record) == KEYS[""]
    for section in ("data", "model", "selection", "bootstrap", "stability", "inference"):
        assert set(record[section]) == KEYS[section], section
    for entry in record["coefficients"]:
        assert set(entry) == COEFFICIENT_KEYS
    assert [t["term"] for t in record["terms"]] == list(fit.design.terms)
    for entry in record["terms"]:
        assert set(entry) == TERM_KEYS
    for where, value in _plain_values(record):
        assert not (isinstance(value, float) and not math.isfinite(value)), where
    json.dumps(record, allow_nan=False)  # no NaN or inf anywhere


def test_inference_block_states_the_result(fit):
    record = fit_to_dict(fit)
    block, result = record["inference"], fit.inference_result
    assert block["method"] == "naive" and block["alternative"] == "sign"
    assert block["conditioning"] == result.conditioning
    assert block["notes"] == list(result.notes)
    assert block["level"] == result.level and block["lam"] == result.lam
    assert (block["sigma"] is None) == (fit.family.name == "binomial")
    rows = {r["column"]: r for r in block["columns"]}
    assert list(rows) == result.table.index.tolist()
    for name, row in result.table.iterrows():
        for key in ps.inference.TABLE_COLUMNS:
            value = float(row[key])
            if math.isfinite(value):
                assert rows[name][key] == value, (name, key)
            else:  # NaN (no adjustment) and the open side of a one-sided interval
                assert rows[name][key] is None, (name, key)
    assert any(r["ci_upper"] is None or r["ci_lower"] is None for r in rows.values())
    assert all(r["p_adjusted"] is None for r in rows.values())
    # JSON through a file and back: the same numbers
    again = json.loads(json.dumps(record, allow_nan=False))
    assert again["inference"] == block


def test_a_fit_without_inference_records_null():
    fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    assert fit_to_dict(fit)["inference"] is None


def test_record_states_the_fit(fit):
    record = fit_to_dict(fit)
    data, model = record["data"], record["model"]
    assert data["offset_kind"] == ("column" if fit.design.offset_column else "array")
    assert data["weights"] is (fit.design.weights is not None)
    assert data["n_rows"] == data["n_obs"] + data["n_dropped"]
    assert model["lam"] == fit.lam and model["n_selected"] == fit.df
    assert model["limits_text"] == fit.limits_text()
    assert model["n_at_limit"] == len(fit.at_limit)
    assert model["n_lambdas"] == len(fit.path.lambdas)
    assert record["selection"]["description"] == fit.selection.describe()
    sd = fit.design.column_sd()
    for entry, s, b in zip(record["coefficients"], sd, fit.coef.iloc[1:], strict=True):
        assert entry["coef"] == b and entry["sd"] == s and entry["std_coef"] == b * s
    assert record["warnings"] == list(fit.warnings)
    assert record["stability"]["notes"] == fit.stability_result.notes


def test_gaussian_record_reads_rows_weights_and_offset(gaussian_fit):
    record = fit_to_dict(gaussian_fit)
    assert record["data"]["n_dropped"] == 2 and record["data"]["offset"] == "base"
    assert record["data"]["missing"] == {"bp": 2}
    assert record["selection"]["nfolds"] == 4 and record["selection"]["cv_mean"] > 0


def test_summary_header_and_report_say_what_the_record_says(fit):
    record = fit_to_dict(fit)
    model = record["model"]
    header = fit.summary().tables["header"]["value"]
    assert list(header.items()) == header_rows(record)
    assert float(header["lambda"]) == pytest.approx(model["lam"], rel=1e-5)
    assert header["lambda chosen by"] == model["lam_chosen_by"]
    assert header["nonzero coefficients"].startswith(
        f"{model['n_selected']} of {record['data']['n_columns']}"
    )
    assert header["observations used"] == str(record["data"]["n_obs"])

    text = render_report(fit, fmt="md")
    assert f"lambda = **{model['lam']:.5g}**" in text
    assert record["selection"]["description"] in text
    assert f"selected **{model['n_selected']}** column" in text
    assert f"Observations used | {record['data']['n_obs']}" in text
    stable = record["stability"]["stable"]
    assert f"Stable columns ({len(stable)} of {record['stability']['p']}" in text
    assert f"Across {record['bootstrap']['n_boot']} bootstrap resamples" in text
    # the settings table of the report is the summary's header
    for name, value in header_rows(record):
        assert f"| {_md(name)} | {_md(value)} |" in text, name


def _md(value: str) -> str:
    # the Markdown report escapes markup characters, and "<" before a tag
    return re.sub(r"([\\`*_\[\]|~]|<(?=[A-Za-z/!?]))", r"\\\1", value)


def test_fit_objects_meet_the_plot_protocols(gaussian_fit):
    assert isinstance(gaussian_fit.path, PathLike)
    assert isinstance(gaussian_fit.selection, CriteriaLike)
    assert isinstance(gaussian_fit.cv, CVLike)
    assert isinstance(gaussian_fit.bootstrap_result, BootstrapLike)
    assert isinstance(gaussian_fit.stability_result, StabilityLike)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_layers_of_the_export_report_and_plots():
    export = _imports(PACKAGE / "results" / "export.py")
    assert not any(name.startswith("penstat.results") for name in export)
    report = {n for n in _imports(PACKAGE / "report.py") if n.startswith("penstat.")}
    assert {n for n in report if n.startswith("penstat.results")} == {
        "penstat.results.export"
    }
    for path in (PACKAGE / "plots").glob("*.py"):
        inside = {n for n in _imports(path) if n.startswith("penstat")}
        assert all(n == "penstat._errors" or n.startswith("penstat.plots") for n in inside)
    assert not re.search(r"\bgetattr\(", (PACKAGE / "report.py").read_text())


def test_terms_carry_their_penalty_group():
    df = ps.datasets.load("diabetes")
    df["band"] = pd.qcut(df["age"], 3, labels=["a", "b", "c"]).astype(str)
    fit = ps.group_lasso(
        "y ~ bmi + bp + band + s5", df, groups={"bp": "pressure", "s5": "pressure"}, lam=1.0
    )
    terms = {t["term"]: t for t in fit_to_dict(fit)["terms"]}
    assert terms["bp"]["group"] == terms["s5"]["group"]
    assert len({terms[t]["group"] for t in ("bmi", "bp", "band")}) == 3
    assert terms["band"]["n_columns"] == 2
    plain = fit_to_dict(ps.lasso("y ~ bmi + bp", df, lam=1.0))["terms"]
    assert all(t["group"] is None for t in plain)


def test_pairs_used_shown_only_when_a_subsample_failed():
    fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
    fit.stability_selection(n_subsamples=12, pfer=1.0, seed=1, progress=False)
    record = fit_to_dict(fit)
    assert record["stability"]["n_pairs"] == 12
    assert not any("pairs used" in line for line in fit.summary().stability)
    assert "Pairs used" not in render_report(fit, fmt="md")

    paths = fit.subpaths()
    fit.subpaths = lambda: HalfFailingPaths(paths)  # on this instance only
    with pytest.warns(UserWarning, match="could not be fitted|failed"):
        stab = fit.stability_selection(n_subsamples=12, pfer=1.0, seed=1, progress=False)
    assert 0 < stab.n_pairs < 12
    record = fit_to_dict(fit)
    assert record["stability"]["n_pairs"] == stab.n_pairs
    assert record["stability"]["n_fits"] == 2 * stab.n_pairs
    json.dumps(record)
    used = f"pairs used: {stab.n_pairs} of 12"
    assert [line for line in fit.summary().stability if line.startswith(used)]
    assert f"Pairs used: {stab.n_pairs} of 12" in render_report(fit, fmt="md")
    html = render_report(fit, fmt="html")
    assert f"Pairs used: {stab.n_pairs} of 12" in html


def test_n_pairs_is_null_for_independent_subsamples():
    fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
    fit.stability_selection(
        n_subsamples=10, sampling="subsample", pfer=1.0, seed=0, progress=False
    )
    assert fit_to_dict(fit)["stability"]["n_pairs"] is None
    assert not any("pairs used" in line for line in fit.summary().stability)
