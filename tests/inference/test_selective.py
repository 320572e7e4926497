"""Selective inference for the lasso at a fixed lambda, checked by brute force: the
truncation bounds are where the selected set and signs change when y moves along
the lemma's direction (each refit from scratch), the estimates are statsmodels'
least-squares coefficients, and the p-values are uniform under the null."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from sklearn.linear_model import Lasso

import penstat as ps
from penstat.inference.truncnorm import truncnorm_cdf, truncnorm_sf
from penstat.solver import path_to_lam

COLS = [f"x{j}" for j in range(6)]


def _data(n=40, seed=0, scale=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, len(COLS))) * (scale if scale is not None else 1.0)
    y = 1.0 + X[:, 0] - 0.8 * X[:, 1] + 0.5 * X[:, 2] + rng.standard_normal(n)
    df = pd.DataFrame(X, columns=COLS)
    df["y"] = y
    df["w"] = rng.uniform(0.3, 2.0, n)
    df["off"] = rng.normal(0, 0.5, n)
    return df


def _event_penstat(X, y, lam, penalized, options):
    path, k = path_to_lam(X, y, lam, tol=1e-14, l1_ratio=1.0, **options)
    return tuple(np.sign(path.coefs[k])[penalized])


def _direction(XM, w, j):
    """The lemma's direction c = Sigma eta / (eta' Sigma eta) in y's coordinates for
    the weighted least-squares coefficient j of y on XM (Var y = sigma^2 / w)."""
    ginv = np.linalg.inv(XM.T @ (w[:, None] * XM))
    return XM @ ginv[:, j] / ginv[j, j]


def _boundary(event_at, t, sign, scale):
    """Where the event changes moving from t in direction sign: doubling then
    bisection, to 1e-11 of scale; inf when it never changes within 1e5 scales."""
    base = event_at(t)
    inside, step = t, scale / 8
    while True:
        outside = t + sign * step
        if event_at(outside) != base:
            break
        inside, step = outside, step * 2
        if step > 1e5 * scale:
            return sign * np.inf
    while abs(outside - inside) > 1e-11 * scale:
        mid = 0.5 * (inside + outside)
        if event_at(mid) == base:
            inside = mid
        else:
            outside = mid
    return 0.5 * (inside + outside)


CASES = {
    "intercept": ({}, "y ~ " + " + ".join(COLS), 0.12, "partial"),
    "weights_offset_pf0": (
        {"weights": "w", "offset": "off", "penalty_factor": {"x3": 0, "x4": 2}},
        "y ~ " + " + ".join(COLS),
        0.1,
        "partial",
    ),
    "full_target": (
        {"weights": "w", "penalty_factor": {"x3": 0}},
        "y ~ " + " + ".join(COLS),
        0.1,
        "full",
    ),
    "no_intercept_unstandardized": (
        {"standardize": False},
        "y ~ " + " + ".join(COLS) + " - 1",
        0.15,
        "partial",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_truncation_bounds_are_where_the_selection_changes(case):
    options, formula, lam, target = CASES[case]
    df = _data(scale=np.array([1.0, 3.0, 0.5, 1.0, 2.0, 1.0]))
    fit = ps.lasso(formula, df, lam=lam, tol=1e-12, **options)
    res = fit.inference("selective", sigma=1.0, target=target)
    assert len(res.table) >= 2
    X = df[COLS].to_numpy()
    y = df["y"].to_numpy()
    n = len(y)
    w = df["w"].to_numpy() if "weights" in options else np.ones(n)
    solver_opts = {"standardize": options.get("standardize", True)}
    solver_opts["fit_intercept"] = " - 1" not in formula
    if "weights" in options:
        solver_opts["weights"] = w
    if "offset" in options:
        solver_opts["offset"] = df["off"].to_numpy()
    pf = np.ones(len(COLS))
    for name, value in options.get("penalty_factor", {}).items():
        pf[COLS.index(name)] = value
    solver_opts["penalty_factor"] = pf
    penalized = pf > 0
    unpen = list(np.flatnonzero(~penalized))
    target_y = y - solver_opts.get("offset", 0.0)
    for name, row in res.table.iterrows():
        j = COLS.index(name)
        if target == "partial":
            in_model = unpen + [COLS.index(c) for c in res.table.index]
        else:
            in_model = list(range(len(COLS)))
        XM = X[:, in_model]
        if solver_opts["fit_intercept"]:
            XM = np.column_stack([np.ones(n), XM])
        pos = in_model.index(j) + int(solver_opts["fit_intercept"])
        wls = sm.WLS(target_y, XM, weights=w).fit()
        assert row["estimate"] == pytest.approx(wls.params[pos], rel=1e-9, abs=1e-12)
        c = _direction(XM, w, pos)
        t = row["estimate"]

        def event_at(u, c=c, t=t):
            return _event_penstat(X, y + (u - t) * c, lam, penalized, solver_opts)

        sd = res.details["sd"][name]
        assert sd == pytest.approx(
            np.sqrt(np.linalg.inv(XM.T @ (w[:, None] * XM))[pos, pos])
        )
        for side, key in ((-1, "vlo"), (1, "vup")):
            brute = _boundary(event_at, t, side, sd)
            got = res.details[key][name]
            if np.isinf(brute):
                assert np.isinf(got) and np.sign(got) == side
            else:
                assert got == pytest.approx(brute, abs=1e-6 * sd), (name, key)


def test_bounds_against_scikit_learn_with_weights_and_standardization():
    """The same check with scikit-learn's Lasso as the refit: columns divided by their
    weighted (1/n) standard deviations, as penstat's docs define the penalty."""
    df = _data(seed=3, scale=np.array([1.0, 3.0, 0.5, 1.0, 2.0, 1.0]))
    lam = 0.1
    fit = ps.lasso("y ~ " + " + ".join(COLS), df, lam=lam, weights="w", tol=1e-12)
    res = fit.inference("selective", sigma=1.0)
    X, y, w = df[COLS].to_numpy(), df["y"].to_numpy(), df["w"].to_numpy()
    wn = w / w.sum()
    sd_cols = np.sqrt(wn @ (X - wn @ X) ** 2)
    Xs = X / sd_cols

    def event(yy):
        model = Lasso(alpha=lam, tol=1e-14, max_iter=10**6).fit(Xs, yy, sample_weight=w)
        return tuple(np.sign(model.coef_))

    n = len(y)
    chosen = [COLS.index(c) for c in res.table.index]
    XM = np.column_stack([np.ones(n), X[:, chosen]])
    for k, name in enumerate(res.table.index):
        c = _direction(XM, w, k + 1)
        t = res.table.loc[name, "estimate"]
        sd = res.details["sd"][name]
        for side, key in ((-1, "vlo"), (1, "vup")):
            brute = _boundary(lambda u, c=c, t=t: event(y + (u - t) * c), t, side, sd)
            got = res.details[key][name]
            if np.isinf(brute):
                assert np.isinf(got)
            else:
                assert got == pytest.approx(brute, abs=1e-6 * sd)


def _null_p_values(reps, n, p, lam, seed):
    rng = np.random.default_rng(seed)
    cols = [f"z{j}" for j in range(p)]
    formula = "y ~ " + " + ".join(cols)
    pvals = []
    for _ in range(reps):
        df = pd.DataFrame(rng.standard_normal((n, p)), columns=cols)
        df["y"] = rng.standard_normal(n)
        fit = ps.lasso(formula, df, lam=lam)
        res = fit.inference("selective", sigma=1.0)
        pvals.extend(res.p_values.tolist())
    return np.array(pvals)


def test_null_p_values_are_uniform():
    pvals = _null_p_values(reps=150, n=40, p=8, lam=0.12, seed=11)
    assert pvals.size > 100
    assert stats.kstest(pvals, "uniform").pvalue > 0.01


def test_intervals_cover_the_partial_target():
    rng = np.random.default_rng(5)
    n, p, level = 50, 6, 0.9
    cols = [f"z{j}" for j in range(p)]
    X = rng.standard_normal((n, p))
    beta = np.array([1.0, -0.5, 0.3, 0.0, 0.0, 0.0])
    mu = X @ beta
    hits = []
    for _ in range(100):
        df = pd.DataFrame(X, columns=cols)
        df["y"] = mu + rng.standard_normal(n)
        fit = ps.lasso("y ~ " + " + ".join(cols), df, lam=0.1)
        res = fit.inference("selective", sigma=1.0, level=level)
        chosen = [cols.index(c) for c in res.table.index]
        if not chosen:
            continue
        XM = np.column_stack([np.ones(n), X[:, chosen]])
        target = np.linalg.lstsq(XM, mu, rcond=None)[0][1:]
        inside = (res.table["ci_lower"] <= target) & (target <= res.table["ci_upper"])
        hits.extend(inside.tolist())
    coverage = np.mean(hits)
    assert len(hits) > 250
    assert 0.86 <= coverage <= 0.94, coverage


def test_sign_alternative_is_one_sided_towards_the_sign():
    df = _data(seed=2)
    fit = ps.lasso("y ~ " + " + ".join(COLS), df, lam=0.1)
    two = fit.inference("selective", sigma=1.0)
    one = fit.inference("selective", sigma=1.0, alternative="sign")
    assert one.alternative == "sign"  # the API's value; the printout words it
    assert "one-sided (towards the sign" in one.header()[0]
    assert (one.table["direction"] == np.where(one.table["lasso"] > 0, "> 0", "< 0")).all()
    # one-sided towards the sign: at most the two-sided p-value and at least half of it
    assert (one.p_values <= two.p_values + 1e-15).all()
    assert (one.p_values >= two.p_values / 2 - 1e-15).all()


def test_estimated_sigma_and_lambda_from_cv_are_said():
    df = _data(n=60, seed=4)
    fit = ps.lasso("y ~ " + " + ".join(COLS), df, seed=1)
    res = fit.inference("selective")
    assert res.sigma_method == "OLS residual"
    assert any("lam=" in note and "fixed" in note for note in res.notes)
    assert "selected set E and signs s" in res.conditioning
    fixed = fit.inference("selective", lam=fit.lam, sigma=1.0)
    assert not any("lam=" in note for note in fixed.notes)
    assert fixed.sigma_method == "given"


def test_lambda_off_the_path_is_refitted_exactly():
    df = _data(seed=6)
    fit = ps.lasso("y ~ " + " + ".join(COLS), df, lam=0.1)
    lam = 0.0731
    res = fit.inference("selective", lam=lam, sigma=1.0)
    other = ps.lasso("y ~ " + " + ".join(COLS), df, lam=lam).inference(
        "selective", sigma=1.0
    )
    assert res.lam == lam
    pd.testing.assert_frame_equal(res.table, other.table, rtol=1e-6)


def test_no_selected_column_gives_an_empty_table_with_a_note():
    df = _data(seed=7)
    res = ps.lasso("y ~ " + " + ".join(COLS), df, lam=100.0).inference(
        "selective", sigma=1.0
    )
    assert len(res.table) == 0
    assert list(res.table.columns[:6]) == list(ps.inference.TABLE_COLUMNS)
    assert any("no column was selected" in note for note in res.notes)


def test_binomial_is_centred_at_the_selected_model_mle():
    rng = np.random.default_rng(8)
    n = 400
    df = pd.DataFrame(rng.standard_normal((n, 4)), columns=["a", "b", "c", "d"])
    eta = 0.3 + 1.0 * df["a"] - 0.7 * df["b"]
    df["y"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    for lam in (0.05, 1e-3):
        fit = ps.lasso("y ~ a + b + c + d", df, family="binomial", lam=lam, tol=1e-12)
        res = fit.inference("selective")
        assert res.approximate and res.sigma is None
        assert "logistic lasso" in res.conditioning
        chosen = list(res.table.index)
        mle = sm.GLM(
            df["y"], sm.add_constant(df[chosen]), family=sm.families.Binomial()
        ).fit(tol=1e-12)
        # Taylor & Tibshirani's Newton step iterated to convergence: the MLE of the
        # selected model, with the inverse Fisher information there
        np.testing.assert_allclose(res.table["estimate"], mle.params[chosen], rtol=1e-6)
        np.testing.assert_allclose(res.details["sd"], mle.bse[chosen], rtol=1e-6)
        # the lasso estimate is shrunken: the event is read from its signs
        lasso = res.table["lasso"].abs()
        assert np.all(lasso < np.abs(mle.params[chosen]))


@pytest.mark.parametrize(
    ("kwargs", "inference", "words"),
    [
        ({"penalty": "l2", "lam": 0.1}, {}, ["method", "ridge", "debiased", "split"]),
        ({"penalty": "elasticnet", "l1_ratio": 0.5, "lam": 0.1}, {}, ["l1_ratio=1"]),
        ({"lam": 0.1, "lower_limits": 0}, {}, ["limits"]),
        (
            {"lam": 0.1, "penalty": "group", "groups": {COLS[0]: "a", COLS[1]: "a"}},
            {},
            ["group lasso", "split", "debiased"],
        ),
        ({"lam": 0.1}, {"sigma": 0}, ["sigma"]),
        ({"lam": 0.1}, {"sigma": -2.0}, ["sigma"]),
        ({"lam": 0.1, "family": "binomial"}, {"target": "full"}, ["target='full'"]),
        ({"lam": 0.1, "family": "binomial"}, {"sigma": 1.0}, ["sigma="]),
    ],
)
def test_refusals_name_the_argument(kwargs, inference, words):
    df = _data(seed=9)
    if kwargs.get("family") == "binomial":
        df["y"] = (df["y"] > 1).astype(float)
    fit = ps.fit("y ~ " + " + ".join(COLS), df, **kwargs)
    with pytest.raises(ps.ArgumentError) as err:
        fit.inference("selective", **inference)
    for word in words:
        assert word in str(err.value)


def test_full_target_needs_more_rows_than_columns():
    rng = np.random.default_rng(10)
    cols = [f"z{j}" for j in range(30)]
    df = pd.DataFrame(rng.standard_normal((20, 30)), columns=cols)
    df["y"] = df["z0"] + rng.standard_normal(20)
    fit = ps.lasso("y ~ .", df, lam=0.2)
    assert fit.selected
    with pytest.raises(ps.ArgumentError, match="target='full' needs more rows"):
        fit.inference("selective", target="full", sigma=1.0)
    assert len(fit.inference("selective", sigma=1.0).table) == len(fit.selected)


# -- against R selectiveInference::fixedLassoInf (tests/data/selective_*.json, made by
# scripts/selective_reference/fixedLassoInf.R) -------------------------------------

R_CASES = sorted(
    (Path(__file__).parent.parent / "data").glob("selective_*.json"),
)


def _r_case(path):
    case = json.loads(path.read_text())
    X = np.array(case["X"], dtype=float)
    cols = [f"v{j}" for j in range(X.shape[1])]
    df = pd.DataFrame(X, columns=cols)
    df["y"] = np.array(case["y"], dtype=float)
    fit = ps.lasso(
        "y ~ " + " + ".join(cols), df, family=case["family"], lam=case["lam"], tol=1e-13
    )
    sigma = None if case["sigma"] is None else case["sigma"]
    res = fit.inference(
        "selective",
        sigma=sigma,
        level=case["level"],
        target=case["type"],
        alternative="sign",
    )
    return case, cols, fit, res


@pytest.mark.parametrize("path", R_CASES, ids=[p.stem for p in R_CASES])
def test_matches_r_selective_inference(path):
    case, cols, fit, res = _r_case(path)
    chosen = [cols[v - 1] for v in case["vars"]]
    assert list(res.table.index) == chosen
    np.testing.assert_allclose(
        fit.coef[1:].to_numpy(), np.array(case["glmnet_coef"][1:]), atol=1e-8
    )
    sign = np.array(case["sign"], dtype=float)
    np.testing.assert_array_equal(np.sign(res.table["lasso"]), sign)
    if fit.family.name == "binomial":
        # fixedLassoInf takes one Newton step from the lasso solution; penstat centres
        # at the selected model's MLE (the step iterated; the user guide says why), so
        # only the selection event is shared with R here
        return
    np.testing.assert_allclose(res.table["estimate"], np.ravel(case["coef0"]), rtol=1e-6)
    np.testing.assert_allclose(res.details["sd"], case["sd"], rtol=1e-6)
    # R reports the bounds of sign * eta'y
    vlo = np.where(sign > 0, res.details["vlo"], -res.details["vup"])
    vup = np.where(sign > 0, res.details["vup"], -res.details["vlo"])
    r_vlo = np.array([float(v) for v in case["vlo"]])
    r_vup = np.array([float(v) for v in case["vup"]])
    np.testing.assert_allclose(vlo, r_vlo, rtol=1e-6)
    np.testing.assert_allclose(vup, r_vup, rtol=1e-6)
    # one-sided p-values towards the sign, as fixedLassoInf's
    np.testing.assert_allclose(res.p_values, case["pv"], rtol=1e-5, atol=1e-12)
    # fixedLassoInf searches interval ends on a grid (100 points over +-100 sd, two
    # refinements) and reports the tail area it reached at each end. Where that area
    # is within 10% of the nominal one, the pivot at its end reproduces it and its
    # end lies just outside ours (a conservative grid point). Where it reports an
    # area of 0 its own pivot failed (gaussian_full, v1: the 50-digit pivot at its
    # end is 0.0528, at ours 0.05): that end is not compared.
    ci = np.array(case["ci"], dtype=float)
    tail = np.array(case["tailarea"], dtype=float)
    nominal = (1 - case["level"]) / 2
    failed = 0
    for k, name in enumerate(res.table.index):
        t, sd = sign[k] * res.table.loc[name, "estimate"], res.details["sd"][name]
        ours = res.table.loc[name, ["ci_lower", "ci_upper"]].to_numpy(dtype=float)
        # on R's scale, sign * eta'y: ends and areas swap for a negative sign
        r_ends, r_tail = (ci[k], tail[k]) if sign[k] > 0 else (-ci[k][::-1], tail[k][::-1])
        ours = ours if sign[k] > 0 else -ours[::-1]
        pivots = (
            truncnorm_sf(t, r_ends[0], sd, vlo[k], vup[k]),
            truncnorm_cdf(t, r_ends[1], sd, vlo[k], vup[k]),
        )
        for side in (0, 1):
            if not 0.9 * nominal <= r_tail[side] <= nominal:
                failed += 1
                continue
            assert pivots[side] == pytest.approx(r_tail[side], rel=1e-4)
            outward = -1 if side == 0 else 1
            assert outward * (r_ends[side] - ours[side]) >= -1e-12
            assert abs(r_ends[side] - ours[side]) < 0.05 * sd
    assert failed <= 1


def test_an_inaccurate_solution_is_refitted_before_reading_the_event(monkeypatch):
    """A solution that violates the optimality conditions (here: a selected column
    dropped, as an early stop could leave it) is not read as the event: the
    inference refits at a tight tolerance and gives the exact answer."""
    from penstat.inference import selective

    df = _data(seed=12)
    fit = ps.lasso("y ~ " + " + ".join(COLS), df, lam=0.05, tol=1e-13)
    want = fit.inference("selective", sigma=1.0)
    assert len(want.table) >= 3
    calls = []
    original = selective._solution

    def inaccurate(fit, lam, tol=None):
        calls.append(tol)
        b0, b = original(fit, lam, tol)
        if tol is None:
            b = b.copy()
            b[np.flatnonzero(b)[-1]] = 0.0
        return b0, b

    monkeypatch.setattr(selective, "_solution", inaccurate)
    got = fit.inference("selective", sigma=1.0)
    assert calls[0] is None and calls[-1] is not None
    pd.testing.assert_frame_equal(got.table, want.table, rtol=1e-8)


def test_bounds_of_all_columns_are_polyhedral_bounds_of_each():
    from penstat.inference.selective import _bounds, polyhedral_bounds

    rng = np.random.default_rng(11)
    A = rng.standard_normal((30, 6))
    A[rng.random(A.shape) < 0.2] = 0.0
    A[:, 5] = np.abs(A[:, 5])  # no constraint from below: V- is -inf
    slack = np.abs(rng.standard_normal(30))
    t = rng.standard_normal(6)
    vlo, vup = _bounds(A, slack, t)
    for k in range(6):
        assert (vlo[k], vup[k]) == polyhedral_bounds(A[:, k], slack, float(t[k]))
    assert vlo[5] == -np.inf
