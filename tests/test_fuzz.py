"""Random frames and arguments through ``ps.fit``, ``fit.inference``, ``fit_path``
(dense, scipy.sparse, grouped) and the command line: the only outcomes allowed are a
``PenstatError`` (exit code 2 on the command line) or a fit whose coefficients
(and inference estimates) are finite; the caller's frame is never modified.

The examples come from hypothesis. The default profile ``ci`` is bounded (a few
dozen examples per test, no deadline); ``HYPOTHESIS_PROFILE=long`` runs about ten
minutes (see benchmarks/README.md). Both are registered in tests/conftest.py.
"""

from __future__ import annotations

import io
import json
import math
import warnings
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import pandas as pd
import pytest
from conftest import frame_fingerprint
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import penstat as ps
from penstat.cli import main

# -- frames ---------------------------------------------------------------------

# names with unicode, spaces, `$`, backslashes, quotes and operators
NAME_CHARS = st.sampled_from(list("abcxyzé_ $\\'\"+-*/:~.()[]{}%0129λ中") + [" "])
names = st.text(NAME_CHARS, min_size=1, max_size=8)

MAGNITUDES = [1e-300, 1e-170, 1e-20, 1e-3, 1.0, 1.0, 1.0, 1e3, 1e20, 1e140, 1e170, 1e300]


@st.composite
def float_column(draw, n: int) -> np.ndarray:
    scale = draw(st.sampled_from(MAGNITUDES))
    values = draw(st.lists(st.floats(-10, 10), min_size=n, max_size=n))
    col = np.asarray(values) * scale
    n_bad = draw(st.sampled_from([0, 0, 0, 1, 2]))
    for _ in range(n_bad):
        col[draw(st.integers(0, n - 1))] = draw(st.sampled_from([np.nan] * 4 + [np.inf]))
    return col


@st.composite
def column(draw, n: int):
    kind = draw(st.sampled_from(["float", "float", "int", "bool", "category", "object"]))
    if kind == "float":
        return draw(float_column(n))
    if kind == "int":
        return np.asarray(draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n)))
    if kind == "bool":
        return np.asarray(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    levels = draw(st.lists(st.text(NAME_CHARS, max_size=3), min_size=1, max_size=4))
    values = draw(st.lists(st.sampled_from(levels), min_size=n, max_size=n))
    if kind == "category":
        return pd.Categorical(values)
    if draw(st.booleans()):
        values[draw(st.integers(0, n - 1))] = None
    return np.asarray(values, dtype=object)


@st.composite
def frames(draw) -> pd.DataFrame:
    n = draw(st.integers(2, 25))
    cols = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    assume("y" not in cols)
    data = {"y": draw(float_column(n))}
    for name in cols:
        data[name] = draw(column(n))
    return pd.DataFrame(data)


def fit_options(draw) -> dict:
    """Random keyword arguments of ``ps.fit``, some of them invalid."""
    options: dict = {}
    choice = draw(st.sampled_from(["lam", "bic", "cv_min", "cv_1se", "aic", "ebic"]))
    if choice == "lam":
        options["lam"] = draw(
            st.sampled_from([0.0, 1e-3, 0.1, 0.1, 1.0, 1e300, -1.0, np.nan])
        )
    else:
        options["select"] = choice
        options["nlambda"] = draw(st.sampled_from([1, 2, 5, 8]))
    options["penalty"] = draw(st.sampled_from(["l1", "l2", "elasticnet"]))
    if draw(st.booleans()):
        options["l1_ratio"] = draw(st.sampled_from([None, 0.5, [0.2, 0.9], 1.5]))
        if options["l1_ratio"] is None or options["penalty"] != "elasticnet":
            del options["l1_ratio"]
    if draw(st.booleans()):
        options["seed"] = draw(st.sampled_from([0, 7, 7, 2**40, -1, 1.5, "x"]))
    if draw(st.booleans()):
        options["nfolds"] = draw(st.sampled_from([2, 3, 3, 5, 1, 100]))
    if draw(st.booleans()):
        options["n_jobs"] = draw(st.sampled_from([1, 1, 1, 0, -1]))
    if draw(st.booleans()):
        options["standardize"] = draw(st.booleans())
    if draw(st.booleans()):
        options["family"] = "binomial"
    if draw(st.booleans()):
        options.update(newer_options(draw, options))
    return options


def newer_options(draw, options: dict) -> dict:
    """The arguments added after the first fuzz suite: the group lasso and
    ``l1_within``, ``relax``, ``penalty_factor="adaptive"``, coefficient limits,
    offsets, ``sparse``, ``formula_env``; some of them invalid or in combinations
    that are refused."""
    out: dict = {}
    if draw(st.booleans()):
        out["penalty"] = "group"
        out["l1_within"] = draw(st.sampled_from([0.0, 0.0, 0.5, 1.0, -0.1, np.nan, "a"]))
        if draw(st.booleans()):
            out["groups"] = draw(st.sampled_from([{}, {"nope": "A"}, "g", ["x"]]))
    if draw(st.booleans()):
        out["relax"] = draw(st.sampled_from([True, True, False, "yes", 1]))
        if out["relax"] is True and "lam" in options:
            out["lam"] = None  # relax needs a CV rule; otherwise it is refused
            out["select"] = "cv_min"
    if draw(st.booleans()):
        out["penalty_factor"] = draw(st.sampled_from(["adaptive", "adaptive", "adaptiv"]))
        out["adaptive_gamma"] = draw(st.sampled_from([None, 0.5, 2.0, 0.0, np.inf]))
    if draw(st.booleans()):
        out[draw(st.sampled_from(["lower_limits", "upper_limits"]))] = draw(
            st.sampled_from([0.0, 0.0, -1.0, 1.0, np.nan, "a", {"nope": 0.0}, [0.0]])
        )
    if draw(st.booleans()):
        out["offset"] = draw(st.sampled_from(["y", "nope", "OFFSET", "OFFSET"]))
    if draw(st.booleans()):
        out["sparse"] = draw(st.sampled_from([True, True, False, "yes"]))
    if draw(st.booleans()):
        out["formula_env"] = draw(st.sampled_from(["safe", "safe", "caller", "SAFE"]))
    return out


def _binary(data: pd.DataFrame) -> pd.DataFrame:
    """``y`` as 0/1 (above its median) for the binomial family, NaN kept."""
    y = data["y"]
    return data.assign(y=np.where(y.isna(), np.nan, (y > y.median()).astype(float)))


# -- the API ----------------------------------------------------------------------


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=frames(), draw=st.data())
def test_fit_gives_a_penstat_error_or_finite_coefficients(data, draw):
    options = fit_options(draw.draw)
    if options.get("family") == "binomial":
        data = _binary(data)
    formula = draw.draw(st.sampled_from(["y ~ .", "y ~ . - 1", "y ~ .^2"]))
    if options.get("offset") == "OFFSET":  # an array: finite, huge, NaN or complex
        options["offset"] = draw.draw(_offsets(len(data)))
    before = frame_fingerprint(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ps.fit(formula, data, progress=False, **options)
    except ps.PenstatError as exc:
        event(f"refused: {type(exc).__name__}")
    else:
        event("fitted")
        assert np.all(np.isfinite(fit.coef.to_numpy())), fit.coef
        assert math.isfinite(fit.lam)
        assert np.all(np.isfinite(fit.predict(data.dropna())))
    assert frame_fingerprint(data) == before


@st.composite
def _offsets(draw, n: int):
    kind = draw(st.sampled_from(["small", "small", "huge", "nan", "complex", "short"]))
    base = np.asarray(draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n)))
    if kind == "huge":
        return base * 1e300
    if kind == "nan":
        return np.r_[np.nan, base[1:]]
    if kind == "complex":
        return base + 1j
    if kind == "short":
        return base[:-1]
    return base


# each list: two valid values, then invalid ones
INFERENCE_OPTIONS = {
    "level": [0.9, 0.95, 0.0, 1.5, "0.9"],
    "sigma": [None, 1.0, -1.0, np.nan],
    "lam": [None, 0.1, 1e300, -1.0],
    "alternative": ["two-sided", "sign", "up"],
    "target": ["partial", "full", "both"],
    "nodewise": ["zz", "cv", "CV"],
    "initial": ["refit", "lasso", "ols"],
    "n_splits": [4, 6, 1, 2.5],
    "gamma_min": [0.05, 0.2, 1.0],
}
METHODS = ["selective", "selective", "split", "debiased", "debiased", "naive", "Selective"]


@st.composite
def inference_kwargs(draw) -> dict:
    kwargs = {"seed": 0, "n_jobs": 1, "progress": False}
    kwargs["method"] = draw(st.sampled_from(METHODS))
    for name in draw(st.lists(st.sampled_from(list(INFERENCE_OPTIONS)), max_size=2)):
        values = INFERENCE_OPTIONS[name]
        valid = draw(st.integers(0, 3)) > 0  # three in four draws are valid values
        kwargs[name] = draw(st.sampled_from(values[:2] if valid else values[2:]))
    if kwargs["method"] == "split":
        kwargs.setdefault("n_splits", 4)
    return kwargs


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=frames(), draw=st.data())
def test_inference_gives_a_penstat_error_or_finite_estimates(data, draw):
    # valid fits of every kind, so that the draws reach inference
    options = {
        "penalty": draw.draw(st.sampled_from(["l1", "l1", "l1", "l2", "group"])),
        "family": draw.draw(st.sampled_from(["gaussian", "gaussian", "binomial"])),
        draw.draw(st.sampled_from(["lam", "select"])): draw.draw(
            st.sampled_from([0.01, 0.1, "bic"])
        ),
    }
    if options.get("lam") == "bic" or options.get("select") in (0.01, 0.1):
        options["select"] = options.pop("lam", options.get("select"))
    if options["family"] == "binomial":
        data = _binary(data)
    before = frame_fingerprint(data)
    kwargs = draw.draw(inference_kwargs())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ps.fit("y ~ .", data, progress=False, **options)
            res = fit.inference(**kwargs)
    except ps.PenstatError as exc:
        event(f"refused: {type(exc).__name__}")
    else:
        event(f"inference: {res.method}")
        table = res.table
        est, pval = (table[c].to_numpy(dtype=float) for c in ("estimate", "p_value"))
        # a column without inference (a constant one) is NaN with p = 1, and a note
        assert np.all(np.isfinite(est) | (np.isnan(est) & (pval == 1))), table
        assert np.isfinite(est).all() or any("no inference" in n for n in res.notes)
        assert not np.any(pval > 1 + 1e-12), table
    assert frame_fingerprint(data) == before


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(draw=st.data())
def test_fit_path_of_sparse_and_grouped_arrays(draw):
    import scipy.sparse as sparse

    n = draw.draw(st.integers(2, 30))
    p = draw.draw(st.integers(1, 6))
    values = st.sampled_from([0.0, 0.0, 0.0, 1.0, -2.5, 0.3])
    X = np.asarray(draw.draw(st.lists(values, min_size=n * p, max_size=n * p)))
    X = X.reshape(n, p)
    odd = draw.draw(st.sampled_from([None, None, None, np.nan, np.inf, 1e200, 1e-200]))
    if odd is not None:
        X[draw.draw(st.integers(0, n - 1)), draw.draw(st.integers(0, p - 1))] = odd
    y = np.asarray(draw.draw(st.lists(st.floats(-5, 5), min_size=n, max_size=n)))
    kwargs: dict = {"nlambda": 5}
    if draw.draw(st.booleans()):
        kwargs["family"] = "binomial"
        y = (y > 0).astype(float)
    if draw.draw(st.booleans()):
        X = draw.draw(st.sampled_from([sparse.csc_matrix, sparse.csr_matrix]))(X)
    if draw.draw(st.booleans()):
        kwargs["groups"] = draw.draw(
            st.sampled_from([list(range(p)), [0] * p, [0] * (p + 1), "a"])
        )
        kwargs["l1_within"] = draw.draw(st.sampled_from([0.0, 0.5, 2.0]))
    if draw.draw(st.booleans()):
        kwargs["offset"] = draw.draw(_offsets(n))
    if draw.draw(st.booleans()):
        kwargs["lower_limits"] = draw.draw(st.sampled_from([0.0, -1.0, 1.0, [0.0] * p]))
    before = X.toarray() if sparse.issparse(X) else X.copy()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            path = ps.fit_path(X, y, **kwargs)
    except ps.PenstatError as exc:
        event(f"refused: {type(exc).__name__}")
    else:
        event("fitted")
        assert np.all(np.isfinite(path.coefs)) and np.all(np.isfinite(path.intercepts))
    after = X.toarray() if sparse.issparse(X) else X
    np.testing.assert_array_equal(after, before)


# -- the command line ---------------------------------------------------------------


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=frames(), draw=st.data())
def test_cli_exits_2_or_writes_finite_coefficients(tmp_path_factory, data, draw):
    folder = tmp_path_factory.mktemp("fuzz")
    csv = folder / "data.csv"
    data.to_csv(csv, index=False)
    out = folder / "out.json"
    argv = ["fit", str(csv), "y ~ .", "--json", str(out), "--no-progress"]
    rule = draw.draw(st.sampled_from(["bic", "bic", "cv_min", "0.1", "0.1", "-1", "aic"]))
    argv += ["--select", rule]
    argv += draw.draw(
        st.sampled_from(
            [[], [], ["--family", "binomial"], ["--penalty", "l2"], ["--l1-ratio", "2"]]
        )
    )
    argv += draw.draw(st.sampled_from([[], ["--seed", "3"], ["--seed", "-2"]]))
    argv += draw.draw(
        st.sampled_from([[], ["--nfolds", "3"], ["--nfolds", "0"], ["--jobs", "0"]])
    )
    argv += draw.draw(
        st.sampled_from([[], ["--bootstrap", "2"], ["--bootstrap-fixed-lam"]])
    )
    if draw.draw(st.booleans()):  # the newer options, some invalid or conflicting
        argv += draw.draw(st.sampled_from(CLI_NEWER))
        argv += draw.draw(st.sampled_from(CLI_NEWER))
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(argv)
    assert code in (0, 2), (code, stderr.getvalue())
    event(f"exit {code}")
    if code == 2:
        assert stderr.getvalue().splitlines()[-1].startswith("penstat: error: ") or (
            "penstat: error: " in stderr.getvalue()
        ), stderr.getvalue()
        assert "Traceback" not in stderr.getvalue()
    else:
        record = json.loads(out.read_text())
        values = [row["coef"] for row in record["coefficients"]]
        assert values and all(math.isfinite(v) for v in values), record["coefficients"]
        assert math.isfinite(record["model"]["intercept"])


CLI_NEWER = [
    [],
    ["--penalty", "group"],
    ["--penalty", "group", "--l1-within", "0.5"],
    ["--l1-within", "2"],
    ["--relax"],
    ["--adaptive"],
    ["--adaptive", "--adaptive-gamma", "0"],
    ["--offset", "y"],
    ["--lower-limits", "0"],
    ["--upper-limits", "x=1"],
    ["--sparse"],
    ["--inference", "naive"],
    ["--inference", "selective", "--level", "0.9"],
    ["--inference", "debiased", "--sigma", "-1"],
    ["--inference", "split", "--inference-lam", "0.1"],
]


@pytest.mark.parametrize("profile", ["ci", "long"])
def test_both_profiles_are_registered(profile):
    from hypothesis import settings as s

    loaded = s.get_profile(profile)
    assert loaded.deadline is None
    assert loaded.max_examples >= (10 if profile == "ci" else 600)
