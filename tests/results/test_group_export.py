"""The group lasso in the export record, the summary and the report: the group map
(term -> group, sizes, weights w_g) and the group norms at the chosen lambda."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import REGION_EFFECT, make_region_frame

import penstat as ps
from penstat.results.export import fit_to_dict

FORMULA = "y ~ x1 + x2 + x3 + C(region) + poly(age, 3)"


@pytest.fixture(scope="module")
def frame():
    n = 200
    df, rng = make_region_frame(n, seed=0, scales=(1.0, 3.0, 1.0))
    effect = df["region"].map(REGION_EFFECT)
    df["y"] = 2 * df["x1"] + 0.3 * df["x2"] + effect + 0.5 * rng.normal(size=n)
    return df


@pytest.fixture(scope="module")
def merged(frame):
    return ps.group_lasso(
        FORMULA,
        frame,
        groups={"x2": "noise", "x3": "noise"},
        penalty_factor={"poly(age, 3)": 2.0},
        lam=0.05,
    )


def _by_hand_norms(fit, coefs):
    """||b_g * sd_g||_2 per group name, sd the 1/n standard deviation of each column."""
    X = fit.design.X
    sd = X.std(axis=0)
    names = {}
    for term, cols in fit.design.terms.items():
        j = [fit.design.columns.index(c) for c in cols]
        names.setdefault({"x2": "noise", "x3": "noise"}.get(term, term), []).extend(j)
    return {g: float(np.linalg.norm(coefs[j] * sd[j])) for g, j in names.items()}, names


def test_record_has_the_group_map_sizes_weights_and_norms(merged):
    record = json.loads(json.dumps(fit_to_dict(merged), allow_nan=False))
    groups = record["model"]["groups"]
    assert groups["scale"] == "standardized"
    assert groups["term_group"] == {
        "x1": "x1",
        "x2": "noise",
        "x3": "noise",
        "C(region)": "C(region)",
        "poly(age, 3)": "poly(age, 3)",
    }
    by_name = {g["group"]: g for g in groups["groups"]}
    assert by_name["noise"]["terms"] == ["x2", "x3"]
    assert {g: e["size"] for g, e in by_name.items()} == {
        "x1": 1,
        "noise": 2,
        "C(region)": 3,
        "poly(age, 3)": 3,
    }
    # factors rescaled to sum to the number of columns (9): 2 for the poly's three
    # columns, 1 for the six others -> 9 / 12 and 18 / 12; w_g = sqrt(size) * factor
    assert by_name["x1"]["penalty_factor"] == pytest.approx(9 / 12)
    assert by_name["poly(age, 3)"]["penalty_factor"] == pytest.approx(18 / 12)
    for entry in groups["groups"]:
        assert entry["weight"] == pytest.approx(
            np.sqrt(entry["size"]) * entry["penalty_factor"]
        )
    coefs = merged.coef.to_numpy()[1:]
    norms, _ = _by_hand_norms(merged, coefs)
    for name, norm in norms.items():
        assert by_name[name]["norm"] == pytest.approx(norm, rel=1e-12, abs=1e-300)
        assert by_name[name]["selected"] == (norm > 0)
    assert any(e["norm"] == 0 for e in groups["groups"])  # a group left out
    # the term entries carry their group's name, size and norm
    for t in record["terms"]:
        name = groups["term_group"][t["term"]]
        assert t["group_name"] == name
        assert t["group_size"] == by_name[name]["size"]
        assert t["group_norm"] == by_name[name]["norm"]


def test_group_norms_with_weights_use_the_weighted_scale(frame):
    w = np.random.default_rng(3).uniform(0.2, 2.0, size=len(frame))
    fit = ps.group_lasso(FORMULA, frame, weights=w, lam=0.05)
    X = fit.design.X
    wn = w / w.sum()
    sd = np.sqrt(wn @ (X - wn @ X) ** 2)
    coefs = fit.coef.to_numpy()[1:]
    j = [fit.design.columns.index(c) for c in fit.design.terms["C(region)"]]
    record = fit_to_dict(fit)["model"]["groups"]["groups"]
    got = next(g["norm"] for g in record if g["group"] == "C(region)")
    assert got == pytest.approx(np.linalg.norm(coefs[j] * sd[j]), rel=1e-10)


def test_unstandardized_norms_are_on_the_original_scale(frame):
    fit = ps.group_lasso(FORMULA, frame, standardize=False, lam=0.05)
    groups = fit_to_dict(fit)["model"]["groups"]
    assert groups["scale"] == "original"
    coefs = fit.coef.to_numpy()[1:]
    j = [fit.design.columns.index(c) for c in fit.design.terms["C(region)"]]
    got = next(g["norm"] for g in groups["groups"] if g["group"] == "C(region)")
    assert got == pytest.approx(np.linalg.norm(coefs[j]), rel=1e-12)


def test_no_groups_in_the_record_of_a_lasso(frame):
    record = fit_to_dict(ps.lasso(FORMULA, frame, lam=0.05))
    assert record["model"]["groups"] is None
    assert "group_norm" not in record["terms"][0]


def test_summary_selected_terms_table_shows_group_norm_and_size(merged):
    summary = merged.summary()
    table = summary.tables["terms"]
    record = fit_to_dict(merged)
    chosen = record["selected_terms"]
    assert table.index.tolist() == chosen
    by_name = {g["group"]: g for g in record["model"]["groups"]["groups"]}
    for term in chosen:
        name = record["model"]["groups"]["term_group"][term]
        assert table.loc[term, "group"] == name
        assert table.loc[term, "group_size"] == by_name[name]["size"]
        assert table.loc[term, "group_norm"] == by_name[name]["norm"]
    text = str(summary)
    assert "Selected terms (group norm ||b_g|| on the standardized scale)" in text
    every = merged.summary(all=True).tables["terms"]
    assert every.index.tolist() == list(merged.design.terms)


def test_report_term_table_has_the_groups(merged, tmp_path):
    html = merged.report(tmp_path / "g.html").read_text()
    assert "<th>penalty group</th>" in html and "Group norm path" in html
    md = merged.report(tmp_path / "g.md").read_text()
    assert "| penalty group | group size | group norm (standardized) |" in md
    assert "`noise`" in md
