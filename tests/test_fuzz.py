"""Random frames and arguments through ``ps.fit`` and the command line: the only
outcomes allowed are a ``PenstatError`` (exit code 2 on the command line) or a fit
whose coefficients are finite; the caller's frame is never modified.

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
    return options


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


@pytest.mark.parametrize("profile", ["ci", "long"])
def test_both_profiles_are_registered(profile):
    from hypothesis import settings as s

    loaded = s.get_profile(profile)
    assert loaded.deadline is None
    assert loaded.max_examples >= (10 if profile == "ci" else 600)
