"""Bootstrap and stability selection of the group lasso: per-term frequencies, and
the error bound of stability selection with q and p counted in groups
(Meinshausen & Bühlmann 2010, Theorem 1: E(V) <= q^2 / ((2 cutoff - 1) p))."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REGION_EFFECT, make_region_frame

import penstat as ps
from penstat.resampling.bounds import mb_bound, stability_parameters
from penstat.results.export import fit_to_dict

FORMULA = "y ~ x1 + x2 + x3 + x4 + C(region) + poly(age, 3)"


@pytest.fixture(scope="module")
def frame():
    n = 160
    df, rng = make_region_frame(n, seed=7, scales=(1.0,) * 4)
    effect = df["region"].map(REGION_EFFECT)
    df["y"] = 1.5 * df["x1"] + effect + 0.4 * df["x2"] + rng.normal(size=n)
    return df


@pytest.fixture(scope="module")
def fit(frame):
    # x3 and x4 in one group, x2 unpenalized: 5 groups, 4 of them penalized
    return ps.group_lasso(
        FORMULA,
        frame,
        groups={"x3": "noise", "x4": "noise"},
        penalty_factor={"x2": 0},
        lam=0.05,
    )


def _group_columns(fit):
    groups = fit.spec.groups
    return [np.flatnonzero(groups == g) for g in range(groups.max() + 1)]


def test_stability_counts_q_p_and_the_bound_in_groups(fit):
    B, seed = 6, 11
    stab = fit.stability_selection(
        B, cutoff=0.75, pfer=1.0, seed=seed, progress=False, assumption="none"
    )
    members = _group_columns(fit)
    penalized = np.array([fit.path.penalty_factor[j[0]] > 0 for j in members])
    assert stab.unit == "group" and stab.p == penalized.sum() == 4
    # the bound with p counted in groups (9 columns, 8 of them penalized, would
    # give another q)
    expected = stability_parameters(4, cutoff=0.75, pfer=1.0, n_pairs=B, assumption="none")
    assert stab.q == expected["q"]
    assert stab.pfer_mb == pytest.approx(mb_bound(stab.q, 4, 0.75), rel=1e-15)
    assert stab.pfer_mb == pytest.approx(stab.q**2 / (0.5 * 4), rel=1e-15)
    # by hand: the same complementary halves, each path's groups ever selected
    n, half = fit.n_obs, fit.n_obs // 2
    lambdas = stab.lambdas
    supports = []
    for child in np.random.SeedSequence(seed).spawn(B):
        perm = np.random.default_rng(child).permutation(n)
        for k in (0, 1):
            rows = np.sort(perm[half * k : half * (k + 1)])
            coefs = fit.path_rows(rows, lambdas).coefs
            supports.append(
                np.column_stack([np.any(coefs[:, j] != 0, axis=1) for j in members])
            )
    support = np.array(supports)  # (fits, nlam, groups)
    ever = np.logical_or.accumulate(support[:, :, penalized], axis=1).sum(axis=2)
    mean_ever = ever.mean(axis=0)
    stop = int(np.flatnonzero(mean_ever <= stab.q + 1e-12)[-1])
    assert stab.region_end == lambdas[stop]
    assert stab.q_observed == pytest.approx(mean_ever[stop], rel=1e-15)
    np.testing.assert_allclose(stab.group_probabilities, support.mean(axis=0), rtol=1e-15)
    max_prob = support.mean(axis=0)[: stop + 1].max(axis=0)
    np.testing.assert_allclose(stab.groups["max_probability"], max_prob, rtol=1e-15)
    stable = (max_prob >= 0.75) & penalized
    np.testing.assert_array_equal(stab.groups["stable"], stable)
    names = fit.group_names
    assert stab.groups.index.tolist() == names
    # per term: its group's probability; the stable columns are the stable groups'
    for term, row in stab.terms.iterrows():
        g = names.index({"x3": "noise", "x4": "noise"}.get(term, term))
        assert row["max_probability"] == max_prob[g] and row["stable"] == stable[g]
    want = [fit.design.columns[j] for g in np.flatnonzero(stable) for j in members[g]]
    assert sorted(stab.stable) == sorted(want)


def test_stability_in_groups_in_json_and_summary(fit):
    stab = fit.stability_selection(5, seed=3, progress=False)
    record = fit_to_dict(fit)["stability"]
    assert record["unit"] == "group" and record["p"] == 4
    assert [r["group"] for r in record["groups"]] == fit.group_names
    lines = fit.summary().stability
    kept = [g for g, s in zip(fit.group_names, stab.groups["stable"], strict=True) if s]
    assert lines[0].startswith("stable groups (max selection probability >= 0.75): ")
    assert lines[0].endswith(", ".join(kept) or "none")
    assert "4 penalized groups" in lines[1] and f"q = {stab.q:g} groups" in lines[1]
    from penstat.report import render_report

    text = render_report(fit, fmt="md")
    assert "the group lasso path was fitted on 10 subsamples" in text
    assert f"Stable groups ({len(kept)} of 4 penalized)" in text


def test_lasso_stability_still_counts_columns():
    fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
    stab = fit.stability_selection(5, seed=0, progress=False)
    assert stab.unit == "column" and stab.groups is None and stab.p == 10


def test_bootstrap_frequencies_per_term_are_the_groups(fit):
    boot = fit.bootstrap(n_boot=6, fixed_lam=True, seed=5, progress=False)
    members = _group_columns(fit)
    nonzero = boot.coefs != 0
    group_on = np.column_stack([nonzero[:, j].any(axis=1) for j in members])
    # whole groups: every column of a group in or out together
    for j in members:
        assert np.all(nonzero[:, j].all(axis=1) == nonzero[:, j].any(axis=1))
    names = fit.group_names
    for term, freq in boot.terms["freq"].items():
        g = names.index({"x3": "noise", "x4": "noise"}.get(term, term))
        assert freq == group_on[:, g].mean()
    assert group_on[:, names.index("C(region)")].any() and not group_on.all()
    # the first replicate by hand: the same rows of the design (a formula refitted
    # on the rows would recompute the poly basis), the path down to the fit's lambda
    child = np.random.SeedSequence(5).spawn(6)[0]
    rows = np.random.default_rng(child).integers(0, fit.n_obs, size=fit.n_obs)
    X, y = fit.design.X[rows], fit.design.y[rows]
    grid = fit.path.lambdas[: fit.index + 1]
    again = ps.fit_path(
        X, y, groups=fit.spec.groups, penalty_factor=fit.spec.penalty_factor, lambdas=grid
    )
    np.testing.assert_allclose(boot.coefs[0], again.coefs[-1], rtol=0, atol=1e-6)


def test_stability_plot_draws_one_line_per_group(fit):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stab = fit.stability_selection(4, seed=2, progress=False)
    ax = stab.plot()
    try:
        curves = [ln for ln in ax.lines if len(ln.get_xdata()) == stab.lambdas.size]
        assert len(curves) == len(fit.group_names)
        for line, name in zip(curves, fit.group_names, strict=True):
            np.testing.assert_array_equal(line.get_ydata(), stab.group_probabilities[name])
        legend = [t.get_text() for t in ax.get_legend().get_texts()] if stab.stable else []
        assert legend == stab.stable_groups
    finally:
        plt.close("all")
