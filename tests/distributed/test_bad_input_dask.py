"""Bad input to the Dask entry points (``ps.fit(..., data=ddf)``, ``ps.fit_path`` of
Dask arrays): a PenstatError naming the culprit, never a raw exception from a worker
or a silent fit; hostile formulas in the safe namespace run nothing on the workers."""

import os

import dask.array as da
import dask.dataframe as dd
import dask_testing
import numpy as np
import pandas as pd
import pytest

import penstat as ps

client = dask_testing.client  # the module's cluster (a fixture)

A, D, F = ps.ArgumentError, ps.DataError, ps.FormulaError


def _frame(n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "y": 2 * x + rng.normal(size=n),
            "x": x,
            "z": rng.normal(size=n),
            "g": rng.choice(["a", "b", "c"], size=n),
            "wt": rng.uniform(0.5, 2.0, size=n),
            "off": rng.normal(size=n) * 0.1,
            "s": ["t"] * n,
            "cx": np.zeros(n) + 1j,
            "flag": np.arange(n) % 2 == 0,
        }
    )


FRAME_CASES = [
    # each was accepted (and ignored) or failed inside a worker
    ("offset-text-column", {"offset": "s"}, D, r"offset column 's' is not a real number"),
    ("offset-factor-column", {"offset": "g"}, D, r"offset column 'g' is not a real number"),
    ("offset-complex-column", {"offset": "cx"}, D, r"offset column 'cx'"),
    ("offset-is-response", {"offset": "y"}, A, r"offset='y' is the response column"),
    (
        "weights-text-column",
        {"weights": "s"},
        D,
        r"weights column 's' is not a real number",
    ),
    # booleans (True read as 1) were accepted as weights
    (
        "weights-bool-column",
        {"weights": "flag"},
        D,
        r"weights column 'flag' holds booleans",
    ),
    ("offset-bool-column", {"offset": "flag"}, D, r"offset column 'flag' holds booleans"),
    ("l1_within", {"l1_within": 0.5}, A, r"l1_within=0.5 is the sparse-group lasso"),
    ("l1_within-text", {"l1_within": "a"}, A, r"l1_within='a'"),
    ("n_jobs-text", {"n_jobs": "two"}, A, r"n_jobs"),
    ("n_jobs-zero", {"n_jobs": 0}, A, r"n_jobs=0"),
    ("progress-text", {"progress": "yes"}, A, r"progress='yes'"),
    ("sparse-text", {"sparse": "yes"}, A, r"sparse='yes'"),
    ("na_action-unknown", {"na_action": "impute"}, A, r"na_action='impute'"),
    ("cv_grid-unknown", {"cv_grid": "half"}, A, r"cv_grid='half'"),
    ("relax-ridge", {"relax": True, "penalty": "l2", "lam": None}, A, r"ridge path"),
    # refused before these changes too
    ("offset-array", {"offset": np.zeros(200)}, A, r"must name a column"),
    ("offset-missing-column", {"offset": "nope"}, A, r"offset='nope'"),
    ("weights-array", {"weights": np.ones(200)}, A, r"must name a column"),
    ("foldid-array", {"foldid": np.zeros(200), "lam": None}, A, r"must name a column"),
    ("formula_env-unknown", {"formula_env": "global"}, A, r"formula_env='global'"),
    ("groups", {"groups": {"x": "A"}}, A, r"groups="),
    ("relax-text", {"relax": "yes"}, A, r"relax='yes'"),
    ("lam-negative", {"lam": -1}, A, r"lam=-1"),
    ("penalty_factor-unknown", {"penalty_factor": {"nope": 0}}, A, r"\['nope'\]"),
    ("lower_limits-text", {"lower_limits": "a"}, A, r"lower_limits='a'"),
    (
        "adaptive-gamma-negative",
        {"penalty_factor": "adaptive", "adaptive_gamma": -1},
        A,
        r"adaptive_gamma=-1.0",
    ),  # fmt: skip
    ("stratify", {"stratify": True}, A, r"stratify=True"),
    ("standardize-text", {"standardize": "no"}, A, r"standardize='no'"),
]


@pytest.mark.parametrize(
    ("options", "error", "match"), [pytest.param(*c[1:], id=c[0]) for c in FRAME_CASES]
)
def test_dask_frame_corpus(client, options, error, match):
    ddf = dd.from_pandas(_frame(), npartitions=3)
    options = {"lam": 0.1, **options}
    if options["lam"] is None:
        options.pop("lam")
        options.update(seed=0, nfolds=3, select="cv_min")
    with pytest.raises(error, match=match):
        ps.fit("y ~ x + z + g", ddf, **options)


@pytest.mark.parametrize("column", ["flag", "s"])
def test_dask_series_offset_of_booleans_or_text_is_refused(client, column):
    # booleans and text were cast to floats in the workers (True as 1, "1.5" as 1.5)
    ddf = dd.from_pandas(_frame(), npartitions=3)
    with pytest.raises(A, match=r"offset: the Dask offset holds (bool|object|str)"):
        ps.fit("y ~ x + z", ddf, offset=ddf[column], lam=0.1)


def test_dask_frame_formula_must_be_text(client):
    ddf = dd.from_pandas(_frame(), npartitions=2)
    with pytest.raises(A, match=r"formula must be a string"):
        ps.fit(123, ddf, lam=0.1)  # was an AttributeError inside patsy


HOSTILE = [
    "y ~ x + I(__import__('os').system('touch {c}'))",
    "I(__import__('os').system('touch {c}')) ~ x",
    "y ~ I(open('{c}', 'w').write('x')) + x",
    "y ~ Q(f\"{{__import__('os').system('touch {c}')}}\") + x",
    "y ~ C(x.__class__) + z",
    "y ~ x + I(sys.exit(0))",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_formulas_on_a_dask_frame_run_nothing_in_the_safe_namespace(
    client, tmp_path, template
):
    # the template and every partition's design are evaluated in the safe namespace
    canary = tmp_path / "canary"
    ddf = dd.from_pandas(_frame(), npartitions=3)
    with pytest.raises(F):
        ps.fit(template.format(c=canary), ddf, lam=0.1, formula_env="safe")
    assert not canary.exists()
    assert not os.path.exists("canary")


def _array_cases():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = X[:, 0] + rng.normal(size=200)
    dX, dy = da.from_array(X, chunks=(70, 4)), da.from_array(y, chunks=50)
    return [
        # a complex X lost its imaginary part; text raised a ValueError in a worker;
        # labels of 2 ran the IRLS passes without end; 1e300 raised a LinAlgError
        ("X-complex", (dX + 1j, dy), {}, D, r"X holds complex numbers"),
        ("y-complex", (dX, dy + 1j), {}, D, r"y holds complex numbers"),
        (
            "X-text",
            (da.from_array(np.full((200, 2), "a"), chunks=70), dy),
            {},
            D,
            r"X must hold numbers",
        ),  # fmt: skip
        (
            "binomial-labels",
            (dX, da.full(200, 2.0, chunks=50)),
            {"family": "binomial"},
            D,
            r"y must be 0/1 for family='binomial'.*found 2",
        ),  # fmt: skip
        ("X-overflow", (dX * 1e300, dy), {}, D, r"overflow float64"),
        # refused before these changes too
        ("y-short", (dX, da.from_array(y[:150], chunks=50)), {}, A, r"y has shape"),
        ("X-1d", (dX[:, 0], dy), {}, A, r"2-d Dask array"),
        ("weights-short", (dX, dy), {"weights": da.ones(10, chunks=5)}, A, r"weights"),
        ("groups-short", (dX, dy), {"groups": [0, 0, 1]}, A, r"groups"),
        ("offset", (dX, dy), {"offset": np.zeros(200)}, A, r"offset= is not available"),
        ("nlambda-zero", (dX, dy), {"nlambda": 0}, A, r"nlambda"),
        # booleans and text cast to 0 / 1 silently; refused in memory
        (
            "weights-bool",
            (dX, dy),
            {"weights": da.ones(200, dtype=bool, chunks=50)},
            A,
            r"weights holds booleans",
        ),  # fmt: skip
        (
            "weights-text",
            (dX, dy),
            {"weights": da.from_array(np.full(200, "1"), chunks=50)},
            A,
            r"weights holds text",
        ),  # fmt: skip
        ("weights-bool-numpy", (dX, dy), {"weights": [True] * 200}, A, r"holds booleans"),
    ]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [pytest.param(*c[1:], id=c[0]) for c in _array_cases()],
)
def test_dask_array_corpus(client, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        ps.fit_path(*args, **{"nlambda": 5, **kwargs})


def test_dask_weight_range_is_checked_as_in_memory(client):
    # a weight of 1e308 beside weights near 1: refused in memory, a silent all-zero
    # fit on Dask before
    df = _frame()
    df.loc[5, "wt"] = 1e308
    with pytest.raises(D, match=r"weights 'wt' span a ratio of .*largest 1e\+308"):
        ps.fit("y ~ x + z", df, weights="wt", lam=0.1)
    with pytest.raises(D, match=r"weights 'wt' span a ratio of .*largest 1e\+308"):
        ps.fit("y ~ x + z", dd.from_pandas(df, npartitions=3), weights="wt", lam=0.1)


def test_dask_weights_summing_past_float64_are_refused(client):
    df = _frame()
    df["wt"] = 1e307
    with pytest.raises(D, match=r"weights 'wt' sum to more than float64 holds"):
        ps.fit("y ~ x", dd.from_pandas(df, npartitions=3), weights="wt", lam=0.1)


@pytest.mark.parametrize("how", ["zero-row", "filtered-empty"])
def test_dask_frame_without_rows_says_so_as_in_memory(client, how):
    df = _frame()
    with pytest.raises(D, match=r"^data has no rows"):
        ps.fit("y ~ x", df.iloc[:0], lam=0.1)
    if how == "zero-row":
        ddf = dd.from_pandas(df.iloc[:0], npartitions=1)
    else:
        full = dd.from_pandas(df, npartitions=3)
        ddf = full[full.x > 1e9]
    with pytest.raises(D, match=r"^data has no rows; a model needs at least one row"):
        ps.fit("y ~ x", ddf, lam=0.1)


def test_dask_rows_all_missing_still_name_the_columns(client):
    df = _frame()
    df["x"] = np.nan
    with pytest.raises(D, match=r"no rows left after dropping rows with missing"):
        ps.fit("y ~ x", dd.from_pandas(df, npartitions=2), lam=0.1)


def test_dask_uncodable_term_in_the_caller_namespace_is_a_formula_error(client):
    ddf = dd.from_pandas(_frame(), npartitions=2)
    with pytest.raises(F, match=r"the term 'C\(x.__class__\)' could not be coded"):
        ps.fit("y ~ z + C(x.__class__)", ddf, lam=0.1)  # was a raw TypeError
