"""Bad input to the arguments added after the first bad-input corpus: the group lasso
(``groups=``, ``l1_within=``), ``relax=``, ``penalty_factor="adaptive"``, coefficient
limits, offsets, sparse designs, ``formula_env``, ``fit.inference(...)``, the
scikit-learn estimators' new parameters and ``fit_path``'s new arguments (dense and
scipy.sparse X). Each mistake gets a PenstatError naming the culprit; the caller's
frames and arrays are unchanged. (Dask frames and arrays: tests/distributed/
test_bad_input_dask.py.)"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from conftest import check_refused, corpus_frame, frame_fingerprint

import penstat as ps
from penstat.results.export import fit_to_dict
from penstat.sklearn import PenalizedClassifier, PenalizedRegressor
from penstat.solver import fit_path

A, D, F, E = ps.ArgumentError, ps.DataError, ps.FormulaError, ps.PenstatError


def _frame(n: int = 40) -> pd.DataFrame:
    return corpus_frame(n)


# -- the formula API: (id, formula, keyword arguments, error, message) --------------

GROUP = "group_lasso"

FIT_CASES = [
    # group lasso: groups=
    ("groups-str", GROUP, {"groups": "g"}, A, r"groups must be a dict .* got str"),
    ("groups-list", GROUP, {"groups": ["x", "z"]}, A, r"groups must be a dict .* list"),
    ("groups-array", GROUP, {"groups": np.array([0, 0, 1])}, A, r"got ndarray"),
    (
        "groups-unknown-term",
        GROUP,
        {"groups": {"nope": "A"}},
        A,
        r"'nope', which is not a formula term",
    ),
    ("groups-int-key", GROUP, {"groups": {1: "A"}}, A, r"groups names 1"),
    ("groups-none-name", GROUP, {"groups": {"x": None}}, A, r"groups\['x'\]=None"),
    ("groups-list-name", GROUP, {"groups": {"x": ["A"]}}, A, r"groups\['x'\]=\['A'\]"),
    ("groups-nan-name", GROUP, {"groups": {"x": np.nan}}, A, r"groups\['x'\]=nan"),
    ("groups-design-column", GROUP, {"groups": {"g[T.b]": "A"}}, A, r"name the term 'g'"),
    (
        "groups-with-lasso",
        "fit",
        {"groups": {"x": "A"}},
        A,
        r"groups= is for the group lasso",
    ),
    # l1_within
    (
        "l1_within-negative",
        GROUP,
        {"l1_within": -0.1},
        A,
        r"l1_within=-0.1 must be in \[0, 1\]",
    ),
    ("l1_within-above-one", GROUP, {"l1_within": 1.5}, A, r"l1_within=1.5"),
    ("l1_within-nan", GROUP, {"l1_within": np.nan}, A, r"l1_within=nan"),
    ("l1_within-inf", GROUP, {"l1_within": np.inf}, A, r"l1_within=inf"),
    ("l1_within-text", GROUP, {"l1_within": "a"}, A, r"l1_within='a' must be a number"),
    ("l1_within-none", GROUP, {"l1_within": None}, A, r"l1_within=None"),
    ("l1_within-list", GROUP, {"l1_within": [0.5]}, A, r"l1_within=\[0.5\]"),
    ("l1_within-bool", GROUP, {"l1_within": True}, A, r"l1_within=True"),
    ("l1_within-with-lasso", "fit", {"l1_within": 0.5}, A, r"needs groups"),
    (
        "l1_within-with-ridge",
        "fit",
        {"penalty": "l2", "l1_within": 0.5},
        A,
        r"needs groups",
    ),
    (
        "l1_within-group-enet",
        GROUP,
        {"l1_within": 0.5, "l1_ratio": 0.5},
        A,
        r"keep l1_ratio=1",
    ),
    # groups + other options
    ("group-limits", GROUP, {"lower_limits": 0.0}, A, r"not available with groups"),
    (
        "group-limits-dict",
        GROUP,
        {"upper_limits": {"x": 0.1}},
        A,
        r"not available with groups",
    ),
    (
        "group-pf-in-group",
        GROUP,
        {"penalty_factor": {"g[T.b]": 0}},
        A,
        r"differs inside group 'g'",
    ),
    (
        "group-pf-length",
        GROUP,
        {"penalty_factor": [1.0, 1.0]},
        A,
        r"penalty_factor has shape \(2,\)",
    ),
    (
        "group-pf-all-zero",
        GROUP,
        {"penalty_factor": {"x": 0, "z": 0, "g": 0}},
        A,
        r"zero for every column",
    ),
    ("group-l1_ratio-empty", GROUP, {"l1_ratio": []}, A, r"l1_ratio is an empty list"),
    ("group-sets-penalty", GROUP, {"penalty": "l1"}, A, r"group_lasso\(\) sets penalty"),
    (
        "group-lambdas-text",
        GROUP,
        {"lambdas": ["a"]},
        A,
        r"lambdas must be a sequence of numbers",
    ),
    # relax=
    ("relax-text", "fit", {"relax": "yes"}, A, r"relax='yes' must be True or False"),
    ("relax-int", "fit", {"relax": 1}, A, r"relax=1 must be True or False"),
    ("relax-none", "fit", {"relax": None}, A, r"relax=None"),
    ("relax-bic", "fit", {"relax": True, "select": "bic", "lam": None}, A, r"select='bic'"),
    ("relax-fixed-lam", "fit", {"relax": True}, A, r"has a fixed lambda"),
    (
        "relax-l1_ratio-list",
        "fit",
        {"relax": True, "lam": None, "penalty": "elasticnet", "l1_ratio": [0.5, 1.0]},
        A,
        r"single l1_ratio",
    ),  # fmt: skip
    (
        "relax-limits",
        "fit",
        {"relax": True, "lam": None, "lower_limits": 0.0},
        A,
        r"limits",
    ),
    (
        "relax-gamma-out-of-range",
        "fit",
        {"relax": True, "lam": None, "gamma": 5},
        A,
        r"gamma",
    ),
    # relax on a ridge path: was a silent unpenalized least-squares fit
    (
        "relax-ridge",
        "fit",
        {"relax": True, "lam": None, "penalty": "l2"},
        A,
        r"ridge path \(l1_ratio=0\) keeps every column",
    ),  # fmt: skip
    # penalty_factor="adaptive" and adaptive_gamma
    ("adaptive-case", "fit", {"penalty_factor": "Adaptive"}, A, r"give 'adaptive'"),
    ("adaptive-typo", "fit", {"penalty_factor": "adaptiv"}, A, r"penalty_factor='adaptiv'"),
    (
        "adaptive-gamma-negative",
        "fit",
        {"penalty_factor": "adaptive", "adaptive_gamma": -1},
        A,
        r"adaptive_gamma=-1.0",
    ),  # fmt: skip
    (
        "adaptive-gamma-zero",
        "fit",
        {"penalty_factor": "adaptive", "adaptive_gamma": 0},
        A,
        r"adaptive_gamma=0.0",
    ),  # fmt: skip
    (
        "adaptive-gamma-nan",
        "fit",
        {"penalty_factor": "adaptive", "adaptive_gamma": np.nan},
        A,
        r"adaptive_gamma=nan",
    ),  # fmt: skip
    (
        "adaptive-gamma-inf",
        "fit",
        {"penalty_factor": "adaptive", "adaptive_gamma": np.inf},
        A,
        r"adaptive_gamma=inf",
    ),  # fmt: skip
    (
        "adaptive-gamma-text",
        "fit",
        {"penalty_factor": "adaptive", "adaptive_gamma": "1"},
        A,
        r"adaptive_gamma='1'",
    ),  # fmt: skip
    (
        "adaptive-gamma-list",
        "fit",
        {"penalty_factor": "adaptive", "adaptive_gamma": [1, 2]},
        A,
        r"adaptive_gamma=\[1, 2\]",
    ),  # fmt: skip
    (
        "adaptive-gamma-alone",
        "fit",
        {"adaptive_gamma": 2.0},
        A,
        r"only with penalty_factor='adaptive'",
    ),
    # coefficient limits
    ("limits-text", "fit", {"lower_limits": "a"}, A, r"lower_limits='a' must be a number"),
    (
        "limits-length",
        "fit",
        {"lower_limits": [0.0, 0.0]},
        A,
        r"lower_limits has shape \(2,\)",
    ),
    ("limits-2d", "fit", {"lower_limits": np.zeros((2, 2))}, A, r"shape \(2, 2\)"),
    ("limits-column", "fit", {"upper_limits": [[1], [1], [1], [1]]}, A, r"shape \(4, 1\)"),
    ("limits-nan", "fit", {"lower_limits": np.nan}, A, r"lower_limits is NaN"),
    (
        "limits-nan-entry",
        "fit",
        {"upper_limits": [np.nan, 1, 1, 1]},
        A,
        r"upper_limits\['g\[T.b\]'\] is NaN",
    ),
    (
        "limits-dict-text",
        "fit",
        {"lower_limits": {"x": "a"}},
        A,
        r"lower_limits\['x'\]='a'",
    ),
    (
        "limits-dict-none",
        "fit",
        {"lower_limits": {"x": None}},
        A,
        r"lower_limits\['x'\]=None",
    ),
    (
        "limits-dict-nan",
        "fit",
        {"upper_limits": {"x": np.nan}},
        A,
        r"upper_limits\['x'\] is NaN",
    ),
    ("limits-bool", "fit", {"lower_limits": True}, A, r"lower_limits=True"),
    ("limits-complex", "fit", {"lower_limits": -1 + 1j}, A, r"lower_limits=\(-1\+1j\)"),
    (
        "limits-unknown-name",
        "fit",
        {"lower_limits": pd.Series({"nope": 0.0})},
        A,
        r"\['nope'\]",
    ),
    ("limits-int-name", "fit", {"lower_limits": {0: 0.0}}, A, r"names \[0\]"),
    ("limits-lower-plus-inf", "fit", {"lower_limits": np.inf}, A, r"limits must be <= 0"),
    ("limits-upper-minus-inf", "fit", {"upper_limits": -np.inf}, A, r"limits must be >= 0"),
    (
        "limits-unpenalized",
        "fit",
        {"lower_limits": {"x": 0.0}, "penalty_factor": {"x": 0}},
        A,
        r"unpenalized column\(s\) \['x'\]",
    ),  # fmt: skip
    # offsets
    ("offset-text-column", "fit", {"offset": "s"}, D, r"offset column 's' is not numeric"),
    (
        "offset-factor-column",
        "fit",
        {"offset": "g"},
        D,
        r"offset column 'g' is not numeric",
    ),
    ("offset-empty-name", "fit", {"offset": ""}, A, r"offset='' is not a column"),
    (
        "offset-inf",
        "fit",
        {"offset": np.r_[np.inf, np.zeros(39)]},
        D,
        r"offset has missing or infinite",
    ),
    ("offset-2d", "fit", {"offset": np.zeros((40, 2))}, A, r"offset has shape \(40, 2\)"),
    ("offset-column-vector", "fit", {"offset": np.zeros((40, 1))}, A, r"shape \(40, 1\)"),
    ("offset-scalar", "fit", {"offset": 1.0}, A, r"offset has shape \(\)"),
    ("offset-empty", "fit", {"offset": []}, A, r"offset has shape \(0,\)"),
    ("offset-long", "fit", {"offset": np.zeros(41)}, A, r"offset has shape \(41,\)"),
    ("offset-strings", "fit", {"offset": ["a"] * 40}, A, r"values that are not numbers"),
    # offsets that were accepted and silently gave a wrong fit
    ("offset-is-response", "fit", {"offset": "y"}, A, r"offset='y' is the response column"),
    (
        "offset-complex",
        "fit",
        {"offset": np.zeros(40) + 1j},
        D,
        r"offset holds complex numbers",
    ),
    (
        "offset-complex-column",
        "fit",
        {"offset": "cx"},
        D,
        r"offset column 'cx' holds complex",
    ),
    (
        "offset-dates",
        "fit",
        {"offset": pd.Series(pd.date_range("2020", periods=40))},
        D,
        r"offset holds dates .*days since an origin",
    ),  # fmt: skip
    (
        "offset-durations",
        "fit",
        {"offset": pd.to_timedelta(np.arange(40), "h").to_series()},
        D,
        r"offset holds durations .*total_seconds",
    ),  # fmt: skip
    (
        "offset-huge",
        "fit",
        {"offset": np.full(40, 1e300)},
        D,
        r"offset has values as large as 1e\+300",
    ),
    (
        "offset-huge-column",
        "fit",
        {"offset": "big"},
        D,
        r"offset column 'big' has values as large",
    ),
    ("weights-complex", "fit", {"weights": np.ones(40) + 0j}, D, r"weights holds complex"),
    (
        "weights-dates",
        "fit",
        {"weights": pd.Series(pd.date_range("2020", periods=40))},
        D,
        r"weights holds dates",
    ),  # fmt: skip
    # booleans (True read as 1) were accepted as weights; refused as text is
    (
        "weights-bool-column",
        "fit",
        {"weights": "flag"},
        D,
        r"weights column 'flag' holds booleans",
    ),
    (
        "weights-bool-array",
        "fit",
        {"weights": np.tile([True, False], 20)},
        A,
        r"weights holds booleans",
    ),
    (
        "weights-text-array",
        "fit",
        {"weights": ["1"] * 40},
        A,
        r"weights holds text \('1'\)",
    ),
    (
        "offset-bool-column",
        "fit",
        {"offset": "flag"},
        D,
        r"offset column 'flag' is not numeric \(bool\)",
    ),
    (
        "offset-bool-array",
        "fit",
        {"offset": np.tile([True, False], 20)},
        A,
        r"offset holds booleans",
    ),
    # sparse=
    ("sparse-text", "fit", {"sparse": "yes"}, A, r"sparse='yes' must be True or False"),
    ("sparse-int", "fit", {"sparse": 1}, A, r"sparse=1"),
    ("sparse-none", "fit", {"sparse": None}, A, r"sparse=None"),
    # formula_env=
    ("env-upper-case", "fit", {"formula_env": "SAFE"}, A, r"formula_env='SAFE'"),
    ("env-int", "fit", {"formula_env": 1}, A, r"formula_env=1"),
    ("env-list", "fit", {"formula_env": ["safe"]}, A, r"formula_env=\['safe'\]"),
    ("env-bytes", "fit", {"formula_env": b"safe"}, A, r"formula_env=b'safe'"),
]


def _entry(name):
    if name == GROUP:
        return ps.group_lasso
    return ps.fit


@pytest.mark.parametrize(
    ("entry", "options", "error", "match"),
    [pytest.param(*c[1:], id=c[0]) for c in FIT_CASES],
)
def test_corpus_new_options(entry, options, error, match):
    data = _frame().assign(
        cx=np.zeros(40) + 1j, big=np.full(40, 1e300), flag=np.tile([True, False], 20)
    )
    options = {"lam": 0.1, **options}
    if options["lam"] is None:
        options.pop("lam")
        options.update(seed=0, nfolds=3)
    objects = [data, *(v for v in options.values() if isinstance(v, np.ndarray))]
    check_refused(
        lambda: _entry(entry)("y ~ x + z + g", data, **options), error, match, *objects
    )


# -- hostile formulas through the new entry points (safe namespace) -----------------

HOSTILE = [
    "y ~ x + I(__import__('os').system('touch {canary}'))",
    "I(open('{canary}', 'w').write('x')) ~ x",
    "y ~ Q(f\"{{__import__('os').system('touch {canary}')}}\") + x",
    "y ~ C(x.__class__) + z",
    'y ~ h + I(exec(\'open("{canary}", "w")\'))',
]


@pytest.mark.parametrize("template", HOSTILE)
@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(
            lambda f, d: ps.fit(f, d, sparse=True, formula_env="safe", lam=0.1), id="sparse"
        ),  # fmt: skip
        pytest.param(
            lambda f, d: ps.group_lasso(f, d, formula_env="safe", lam=0.1), id="group"
        ),  # fmt: skip
        pytest.param(
            lambda f, d: ps.fit(f, d, formula_env="safe", relax=True, seed=0), id="relax"
        ),  # fmt: skip
        pytest.param(
            lambda f, d: ps.fit(
                f, d, formula_env="safe", offset="off", penalty_factor="adaptive", lam=0.1
            ),
            id="offset-adaptive",
        ),  # fmt: skip
    ],
)
def test_hostile_formulas_are_refused_by_the_new_entry_points(tmp_path, entry, template):
    canary = tmp_path / "canary"
    data = _frame().assign(h=[f"l{i % 60}" for i in range(40)])
    check_refused(lambda: entry(template.format(canary=canary), data), F, r"", data)
    assert not canary.exists()


# -- fit.inference(...) --------------------------------------------------------------


@pytest.fixture(scope="module")
def lasso_fit():
    return ps.lasso("y ~ x + z + g", _frame(), lam=0.2)


INFERENCE_CASES = [
    ("method-case", {"method": "Selective"}, r"method='Selective' is not one of"),
    ("method-none", {"method": None}, r"method=None"),
    ("level-text", {"level": "0.9"}, r"level='0.9' must be a number"),
    ("level-bool", {"level": True}, r"level=True"),
    ("sigma-negative", {"sigma": -1}, r"sigma=-1.0 must be a positive"),
    ("sigma-zero", {"sigma": 0}, r"sigma=0.0"),
    ("sigma-text", {"sigma": "a"}, r"sigma='a'"),
    ("sigma-nan", {"sigma": np.nan}, r"sigma=nan"),
    ("sigma-inf", {"sigma": np.inf}, r"sigma=inf"),
    ("lam-negative", {"lam": -1}, r"lam=-1 must be a finite lambda"),
    ("lam-text", {"lam": "a"}, r"lam='a'"),
    ("alternative-up", {"alternative": "up"}, r"alternative='up' is not one of"),
    ("alternative-greater", {"alternative": "greater"}, r"alternative='greater'"),
    ("target-both", {"target": "both"}, r"target='both' is not one of"),
    ("n_splits-one", {"method": "split", "n_splits": 1}, r"n_splits=1 must be an integer"),
    ("n_splits-float", {"method": "split", "n_splits": 1.5}, r"n_splits=1.5"),
    ("n_splits-text", {"method": "split", "n_splits": "5"}, r"n_splits='5'"),
    ("gamma_min-one", {"method": "split", "gamma_min": 1}, r"gamma_min=1.0 must be in"),
    ("gamma_min-text", {"method": "split", "gamma_min": "x"}, r"gamma_min='x'"),
    ("seed-negative", {"method": "split", "seed": -1}, r"seed=-1"),
    ("n_jobs-zero", {"n_jobs": 0}, r"n_jobs=0 runs nothing"),
    ("nodewise-case", {"method": "debiased", "nodewise": "CV"}, r"nodewise='CV'"),
    ("initial-unknown", {"method": "debiased", "initial": "ols"}, r"initial='ols'"),
    ("progress-text", {"progress": "yes"}, r"progress='yes'"),
    ("sign-split", {"method": "split", "alternative": "sign"}, r"two-sided p-values only"),
    # an option of another method was silently ignored
    (
        "nodewise-on-selective",
        {"nodewise": "cv"},
        r"nodewise='cv' applies to method='debiased' only, not method='selective'",
    ),  # fmt: skip
    (
        "initial-on-split",
        {"method": "split", "initial": "lasso"},
        r"initial='lasso' applies to method='debiased' only",
    ),  # fmt: skip
    (
        "target-on-debiased",
        {"method": "debiased", "target": "full"},
        r"target='full' applies to method='selective' only",
    ),  # fmt: skip
    ("n_splits-on-selective", {"n_splits": 4}, r"n_splits=4 applies to method='split'"),
    (
        "gamma_min-on-naive",
        {"method": "naive", "gamma_min": 0.1},
        r"gamma_min=0.1 applies to method='split'",
    ),  # fmt: skip
]


@pytest.mark.parametrize(
    ("kwargs", "match"), [pytest.param(*c[1:], id=c[0]) for c in INFERENCE_CASES]
)
def test_corpus_inference_arguments(lasso_fit, kwargs, match):
    check_refused(lambda: lasso_fit.inference(**kwargs), A, match)
    assert lasso_fit.inference_result is None  # a refused run keeps nothing


def _inference_fits():
    d = _frame()
    return [
        ("ridge", lambda: ps.ridge("y ~ x + z", d, lam=0.1), {}, r"ridge fit"),
        (
            "elastic-net",
            lambda: ps.elastic_net("y ~ x + z", d, lam=0.1),
            {},
            r"l1_ratio=0.5",
        ),
        ("group", lambda: ps.group_lasso("y ~ x + g", d, lam=0.1), {}, r"group lasso"),
        (
            "limits",
            lambda: ps.lasso("y ~ x + z", d, lam=0.1, lower_limits=0.0),
            {},
            r"coefficient limits",
        ),  # fmt: skip
        (
            "binomial-sigma",
            lambda: ps.lasso("b ~ x + z", d, family="binomial", lam=0.01),
            {"sigma": 1.0},
            r"a binomial fit has none",
        ),  # fmt: skip
    ]


@pytest.mark.parametrize(
    ("make", "kwargs", "match"), [pytest.param(*c[1:], id=c[0]) for c in _inference_fits()]
)
def test_corpus_inference_on_fits_it_does_not_support(make, kwargs, match):
    fit = make()
    check_refused(lambda: fit.inference(**kwargs), A, match)


# -- hostile names in the inference table and the group report -----------------------


def test_hostile_names_are_escaped_in_the_inference_and_group_report(tmp_path):
    pytest.importorskip("matplotlib")
    script = "<script>alert(1)</script>"
    data = _frame().rename(columns={"x": script, "z": "a|b`c*\n$d$"})
    kept = frame_fingerprint(data)
    fit = ps.group_lasso(
        "y ~ .", data[["y", script, "a|b`c*\n$d$", "g"]], lam=0.05,
        groups={f'Q("{script}")': "<b>grp</b>", "g": "<b>grp</b>"},
    )  # fmt: skip
    fit.inference("split", n_splits=4, seed=0, progress=False, n_jobs=1)
    assert frame_fingerprint(data) == kept
    html = fit.report(tmp_path / "r.html").read_text()
    assert "<script>alert" not in html and "<b>grp</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = fit.report(tmp_path / "r.md").read_text()
    rows = [line for line in md.splitlines() if line.startswith("|") and "a" in line]
    assert not any("a|b" in r for r in rows)  # a raw pipe would split the table row
    assert any("a\\|b" in r for r in rows)
    assert "\n$d$" not in md  # the newline does not break the row


# -- scikit-learn estimators: the new parameters --------------------------------------


def _sklearn_cases():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(30, 4)), rng.normal(size=30)
    yb = (y > 0).astype(int)
    S = sp.random(30, 4, density=0.5, random_state=0, format="csc")
    s_nan, s_inf = S.copy(), S.copy()
    s_nan.data[0], s_inf.data[0] = np.nan, np.inf
    R, C = PenalizedRegressor, PenalizedClassifier
    return [
        ("relax-text", lambda: R(relax="yes").fit(X, y), A, r"relax='yes'", (X, y)),
        ("relax-int", lambda: R(relax=1).fit(X, y), A, r"relax=1", (X, y)),
        (
            "relax-bic",
            lambda: R(relax=True, select="bic").fit(X, y),
            A,
            r"select='bic'",
            (X, y),
        ),
        ("relax-lam", lambda: R(relax=True, lam=0.1).fit(X, y), A, r"fixed lambda", (X, y)),
        (
            "relax-positive",
            lambda: R(relax=True, positive=True).fit(X, y),
            A,
            r"positive=True would constrain",
            (X, y),
        ),  # fmt: skip
        (
            "relax-ridge",
            lambda: R(relax=True, penalty="l2", seed=0, nfolds=3).fit(X, y),
            A,
            r"ridge path",
            (X, y),
        ),  # fmt: skip
        (
            "relax-l1-list",
            lambda: R(relax=True, penalty="elasticnet", l1_ratio=[0.5, 1]).fit(X, y),
            A,
            r"single l1_ratio",
            (X, y),
        ),  # fmt: skip
        (
            "positive-text",
            lambda: R(positive="yes", lam=0.1).fit(X, y),
            A,
            r"positive='yes'",
            (X, y),
        ),  # fmt: skip
        (
            "positive-int",
            lambda: R(positive=1, lam=0.1).fit(X, y),
            A,
            r"positive=1",
            (X, y),
        ),
        (
            "positive-pf-length",
            lambda: R(positive=True, lam=0.1, penalty_factor=[1, 1]).fit(X, y),
            A,
            r"penalty_factor",
            (X, y),
        ),  # fmt: skip
        (
            "pf-dict-arrays",
            lambda: R(lam=0.1, penalty_factor={"a": 0}).fit(X, y),
            A,
            r"needs X as a DataFrame",
            (X, y),
        ),  # fmt: skip
        (
            "pf-adaptive",
            lambda: R(penalty_factor="adaptive", lam=0.1).fit(X, y),
            A,
            r"penalty_factor",
            (X, y),
        ),  # fmt: skip
        (
            "penalty-group",
            lambda: R(penalty="group", lam=0.1).fit(X, y),
            A,
            r"penstat.group_lasso",
            (X, y),
        ),  # fmt: skip
        ("stratify-regressor", lambda: R(stratify=True).fit(X, y), A, r"stratify", (X, y)),
        ("stratify-text", lambda: C(stratify="yes").fit(X, yb), A, r"stratify", (X, yb)),
        ("sparse-nan", lambda: R(lam=0.1).fit(s_nan, y), E, r"NaN|nan|finite", (y,)),
        ("sparse-inf", lambda: R(lam=0.1).fit(s_inf, y), E, r"inf|finite", (y,)),
        (
            "sparse-complex",
            lambda: R(lam=0.1).fit(S.astype(complex) * 1j, y),
            E,
            r"complex",
            (S, y),
        ),  # fmt: skip
        (
            "sparse-predict-width",
            lambda: R(lam=0.1).fit(S, y).predict(S[:, :2]),
            E,
            r"features|columns",
            (S, y),
        ),  # fmt: skip
        (
            "sparse-predict-nan",
            lambda: R(lam=0.1).fit(S, y).predict(s_nan),
            E,
            r"NaN|nan|finite",
            (S, y),
        ),  # fmt: skip
        ("sparse-empty", lambda: R(lam=0.1).fit(S[:0], y[:0]), E, r"sample", (S, y)),
        ("nfolds-text", lambda: R(nfolds="3").fit(X, y), A, r"nfolds", (X, y)),
        (
            "fit_intercept-text",
            lambda: R(fit_intercept="no", lam=0.1).fit(X, y),
            A,
            r"fit_intercept",
            (X, y),
        ),  # fmt: skip
        # booleans and text cast to 0 / 1 silently; ps.fit refuses them
        *(
            (
                f"sample_weight-{kind}-{est.__name__}",
                lambda est=est, t=t, w=w: est(lam=0.1).fit(X, t, sample_weight=w),
                A,
                rf"sample_weight holds {kind.split('-')[0]}",
                (X, t) if isinstance(w, list) else (X, t, w),
            )
            for est, t in ((R, y), (C, yb))
            for kind, w in (
                ("booleans", np.ones(30, bool)),
                ("booleans-list", [True] * 30),
                ("text", np.array(["1"] * 30)),
            )
        ),
        (
            "sample_weight-bool-sparse",
            lambda: R(lam=0.1).fit(S, y, sample_weight=pd.Series([True] * 30)),
            A,
            r"sample_weight holds bool",
            (S, y),
        ),
    ]


@pytest.mark.parametrize(
    ("call", "error", "match", "arrays"),
    [pytest.param(*c[1:], id=c[0]) for c in _sklearn_cases()],
)
def test_corpus_sklearn_new_parameters(call, error, match, arrays):
    check_refused(call, error, match, *arrays)


# -- fit_path: groups, l1_within, offset, limits, scipy.sparse X ----------------------


def _fit_path_cases():
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(30, 4)), rng.normal(size=30)
    yb = (y > 0).astype(float)
    S = sp.random(30, 4, density=0.5, random_state=0, format="csc")
    s_nan, s_inf = S.copy(), S.copy()
    s_nan.data[0], s_inf.data[0] = np.nan, np.inf
    return [
        ("groups-short", (X, y), {"groups": [0, 0]}, A, r"groups"),
        ("groups-nan", (X, y), {"groups": [0, np.nan, 1, 1]}, E, r"groups"),
        ("groups-2d", (X, y), {"groups": [[0, 0], [1, 1]]}, E, r"groups"),
        ("groups-dict", (X, y), {"groups": {"a": [0, 1]}}, E, r"groups"),
        ("groups-scalar", (X, y), {"groups": 1}, E, r"groups"),
        ("groups-sparse-X", (S, y), {"groups": [0, 0, 1, 1]}, E, r"groups|sparse"),
        (
            "groups-limits",
            (X, y),
            {"groups": [0, 0, 1, 1], "lower_limits": 0.0},
            A,
            r"limits",
        ),
        (
            "l1_within-negative",
            (X, y),
            {"groups": [0, 0, 1, 1], "l1_within": -1},
            A,
            r"l1_within",
        ),  # fmt: skip
        (
            "l1_within-text",
            (X, y),
            {"groups": [0, 0, 1, 1], "l1_within": "a"},
            A,
            r"l1_within",
        ),
        ("l1_within-no-groups", (X, y), {"l1_within": 0.5}, A, r"l1_within"),
        ("offset-short", (X, y), {"offset": np.zeros(3)}, E, r"offset"),
        ("offset-nan", (X, y), {"offset": np.r_[np.nan, np.zeros(29)]}, D, r"offset"),
        ("offset-text", (X, y), {"offset": "off"}, D, r"offset"),
        ("offset-2d", (X, y), {"offset": np.zeros((30, 2))}, D, r"offset"),
        # accepted before, each a silently wrong path
        (
            "offset-complex",
            (X, y),
            {"offset": np.zeros(30) + 1j},
            D,
            r"offset holds complex",
        ),
        (
            "offset-huge",
            (X, y),
            {"offset": np.full(30, 1e300)},
            D,
            r"offset has values as large as 1e\+300",
        ),  # fmt: skip
        (
            "offset-huge-binomial",
            (X, yb),
            {"family": "binomial", "offset": np.full(30, 1e300)},
            D,
            r"offset has values as large",
        ),  # fmt: skip
        (
            "weights-complex",
            (X, y),
            {"weights": np.ones(30) + 1j},
            D,
            r"weights holds complex",
        ),
        ("y-complex", (X, y + 1j), {}, D, r"y holds complex"),
        ("limits-length", (X, y), {"lower_limits": [0, 0]}, A, r"lower_limits"),
        ("limits-text", (X, y), {"lower_limits": "a"}, A, r"lower_limits"),
        ("limits-2d", (X, y), {"upper_limits": np.ones((2, 2))}, A, r"upper_limits"),
        ("limits-nan", (X, y), {"upper_limits": [np.nan, 1, 1, 1]}, A, r"upper_limits"),
        ("limits-bool", (X, y), {"lower_limits": True}, A, r"lower_limits"),
        ("sparse-nan", (s_nan, y), {}, D, r"X"),
        ("sparse-inf", (s_inf, y), {}, D, r"X"),
        ("sparse-complex", (S.astype(complex) * 1j, y), {}, D, r"complex"),
        ("sparse-empty", (S[:0], y[:0]), {}, E, r"X|rows"),
        ("sparse-no-columns", (S[:, :0], y), {}, E, r"X|column"),
        ("sparse-y-short", (S, y[:3]), {}, E, r"y"),
        (
            "sparse-binomial-offset-nan",
            (S, yb),
            {"family": "binomial", "offset": np.full(30, np.nan)},
            D,
            r"offset",
        ),  # fmt: skip
        ("sparse-weights-zero", (S, y), {"weights": np.zeros(30)}, D, r"weights"),
        # booleans and text cast to 0 / 1 silently; ps.fit refuses them
        ("weights-bool", (X, y), {"weights": np.ones(30, bool)}, A, r"weights holds bool"),
        ("weights-bool-list", (X, y), {"weights": [True] * 30}, A, r"weights holds bool"),
        ("weights-all-false", (X, y), {"weights": np.zeros(30, bool)}, A, r"holds bool"),
        (
            "weights-bool-nullable",
            (X, y),
            {"weights": pd.array([True] * 30, dtype="boolean")},
            A,
            r"weights holds bool",
        ),  # fmt: skip
        ("weights-text", (X, y), {"weights": ["1"] * 30}, A, r"weights holds text"),
        (
            "weights-text-array",
            (X, y),
            {"weights": np.array(["2"] * 30)},
            A,
            r"weights holds text \('2'\)",
        ),  # fmt: skip
        ("sparse-weights-bool", (S, y), {"weights": np.ones(30, bool)}, A, r"weights"),
        ("offset-bool", (X, y), {"offset": np.zeros(30, bool)}, A, r"offset holds bool"),
        (
            "offset-bool-binomial",
            (X, yb),
            {"family": "binomial", "offset": [False] * 30},
            A,
            r"offset holds bool",
        ),  # fmt: skip
        ("offset-text-list", (X, y), {"offset": ["0.5"] * 30}, A, r"offset holds text"),
    ]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [pytest.param(*c[1:], id=c[0]) for c in _fit_path_cases()],
)
def test_corpus_fit_path_new_arguments(args, kwargs, error, match):
    arrays = [*args, *(v for v in kwargs.values() if isinstance(v, np.ndarray))]
    check_refused(lambda: fit_path(*args, nlambda=5, **kwargs), error, match, *arrays)


@pytest.mark.parametrize(
    ("offset", "match"),
    [
        (np.ones(30, bool), r"offset holds booleans"),
        ([True] * 30, r"offset holds booleans"),
        (["1"] * 30, r"offset holds text \('1'\)"),
    ],
)
def test_path_predict_refuses_boolean_or_text_offsets(offset, match):
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=30)
    path = fit_path(X, y, offset=np.zeros(30), nlambda=5)
    arrays = (X, offset) if isinstance(offset, np.ndarray) else (X,)
    check_refused(lambda: path.predict(X, offset=offset), A, match, *arrays)


# -- legal input near the refused cases keeps working ---------------------------------


def test_offsets_and_relax_that_are_legal_still_fit():
    d = _frame()
    big = ps.fit("y ~ x + z", d, offset=np.full(40, 1e140), lam=0.1)
    ref = ps.fit("y ~ x + z", d, lam=0.1)
    assert big.intercept == pytest.approx(ref.intercept - 1e140, rel=1e-12)
    assert ps.fit("y ~ x + z", d, offset="x", lam=0.1).coef.size == 3  # x in both
    relaxed = ps.elastic_net("y ~ x + z", d, l1_ratio=0.5, relax=True, seed=0, nfolds=3)
    assert relaxed.gamma in (0.0, 0.25, 0.5, 0.75, 1.0)
    res = ps.lasso("y ~ x + z", d, lam=0.2).inference("debiased", nodewise="cv")
    assert res.details["nodewise"] == "cv"


@pytest.mark.parametrize("scale", [1e300, 1e170, 1e-300])
def test_debiased_inference_on_a_column_of_extreme_scale(scale):
    # a column of scale 1e300 gave a NaN p-value and a raw ValueError; at 1e-300 the
    # OLS estimate of sigma saw a rank-deficient design and the p-values changed
    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    d = pd.DataFrame({"y": x + rng.normal(size=60), "x": x, "z": rng.normal(size=60)})
    ref = ps.lasso("y ~ x + z", d, lam=0.05).inference("debiased", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no rank-deficiency warning either
        got = ps.lasso("y ~ x + z", d.assign(z=d.z * scale), lam=0.05).inference(
            "debiased", seed=0
        )
    assert got.sigma == pytest.approx(ref.sigma, rel=1e-10)
    np.testing.assert_allclose(got.table["p_value"], ref.table["p_value"], rtol=1e-8)
    assert got.table.loc["z", "estimate"] * scale == pytest.approx(
        ref.table.loc["z", "estimate"], rel=1e-8
    )


def test_selective_inference_on_a_column_beyond_1e150_is_refused_naming_it():
    # the Gram of the selected columns overflowed: a ValueError from the Cholesky
    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    d = pd.DataFrame(
        {"y": x + rng.normal(size=60), "x": x * 1e170, "z": rng.normal(size=60)}
    )
    fit = ps.lasso("y ~ x + z", d, lam=0.05)
    check_refused(
        lambda: fit.inference("selective"), D, r"products of the selected columns overflow"
    )


# -- found by the fuzz suite's long profile --------------------------------------------


def test_binomial_fit_at_lambda_zero_with_a_column_of_scale_1e170():
    # the separation check at lambda=0 raised numpy's LinAlgError ("SVD did not
    # converge"): its Newton products overflowed
    y = np.r_[np.zeros(8), 1.0]
    data = pd.DataFrame({"y": y, "a": 0.0, "b": np.r_[np.zeros(8), 1e170]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = ps.fit("y ~ .", data, family="binomial", lam=0.0)
        except ps.PenstatError:
            return
    assert np.isfinite(fit.coef.to_numpy()).all()


@pytest.mark.parametrize("method", ["selective", "naive"])
def test_binomial_inference_on_columns_of_extreme_scale_is_refused(method):
    # selective: a ValueError from the Cholesky factorization of an overflowed
    # information matrix; naive: a NaN p-value and a ValueError
    rng = np.random.default_rng(1)
    n = 24
    x = rng.normal(size=n)
    data = pd.DataFrame(
        {"y": (x + rng.normal(size=n) > 0).astype(float), "x": x * 1e300,
         "z": rng.normal(size=n) * 1e-300}
    )  # fmt: skip
    fit = ps.fit("y ~ .", data, family="binomial", lam=0.001)
    try:
        res = fit.inference(method)
    except ps.PenstatError as exc:
        assert "rescale" in str(exc)
    else:
        assert not np.isnan(res.table["p_value"].to_numpy(dtype=float)).any()


# -- per-row arguments given as pandas Series: aligned by the data's index ---------


def _shuffled(df: pd.DataFrame) -> pd.DataFrame:
    return df.iloc[np.random.default_rng(5).permutation(len(df))]


@pytest.mark.parametrize("arg", ["weights", "offset"])
def test_series_argument_is_aligned_by_index_not_position(arg):
    # a Series in the frame's original order beside a reordered frame was taken by
    # position: a silent wrong answer
    df = _frame()
    data = _shuffled(df)
    col = "wt" if arg == "weights" else "off"
    by_name = ps.fit("y ~ x + z", data, lam=0.05, **{arg: col})
    series = df[col].copy()  # index 0..n-1, not the order of `data`
    before = series.copy()
    by_series = ps.fit("y ~ x + z", data, lam=0.05, **{arg: series})
    np.testing.assert_allclose(by_series.coef.to_numpy(), by_name.coef.to_numpy())
    assert by_series.intercept == pytest.approx(by_name.intercept)
    pd.testing.assert_series_equal(series, before)


@pytest.mark.parametrize("arg", ["weights", "offset"])
def test_series_argument_with_a_superset_index_takes_the_data_rows(arg):
    df = _frame()
    sub = df.iloc[5:30]
    col = "wt" if arg == "weights" else "off"
    by_name = ps.fit("y ~ x + z", sub, lam=0.05, **{arg: col})
    by_series = ps.fit("y ~ x + z", sub, lam=0.05, **{arg: df[col]})
    np.testing.assert_allclose(by_series.coef.to_numpy(), by_name.coef.to_numpy())


@pytest.mark.parametrize("arg", ["weights", "offset"])
def test_series_argument_missing_row_labels_is_refused(arg):
    df = _frame()
    col = "wt" if arg == "weights" else "off"
    part = df[col].iloc[:20]
    with pytest.raises(A, match=rf"^{arg} is a pandas Series without a value for 20 row"):
        ps.fit("y ~ x + z", df, lam=0.05, **{arg: part})
    padded = pd.concat([part, part.iloc[:20]]).set_axis(range(40))
    with pytest.raises(A, match=rf"^{arg} is a pandas Series"):
        ps.fit("y ~ x + z", df.set_axis(range(100, 140)), lam=0.05, **{arg: padded})


def test_series_with_duplicated_labels_is_refused():
    df = _frame()
    w = pd.Series(np.ones(40), index=[0] * 40)
    with pytest.raises(A, match=r"weights is a pandas Series .* duplicated labels"):
        ps.fit("y ~ x + z", df, lam=0.05, weights=w)


def test_predict_offset_series_is_aligned_to_newdata():
    df = _frame()
    fit = ps.fit("y ~ x + z", df, lam=0.05, offset=df["off"].to_numpy())
    new = _shuffled(df)
    by_position = fit.predict(new, offset=new["off"].to_numpy())
    by_label = fit.predict(new, offset=df["off"])  # df's order, aligned by label
    np.testing.assert_allclose(np.asarray(by_label), np.asarray(by_position))


# -- limits and offsets must be numbers -------------------------------------------


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"lower_limits": ["-1", "-2"]}, r"lower_limits holds text \('-1'\)"),
        ({"upper_limits": ["1", "2"]}, r"upper_limits holds text \('1'\)"),
        ({"upper_limits": np.array([True, True])}, r"upper_limits holds booleans"),
        ({"offset": np.ones(40, dtype=bool)}, r"offset holds booleans"),
        ({"offset": pd.Series(np.ones(40, dtype=bool))}, r"offset holds booleans"),
        ({"offset": ["0.5"] * 40}, r"offset holds text \('0.5'\)"),
    ],
)
def test_text_or_boolean_limits_and_offsets_are_refused(options, match):
    with pytest.raises(A, match=match):
        ps.fit("y ~ x + z", _frame(), lam=0.05, **options)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lower_limits": ["-1", "-2"]}, r"lower_limits holds text"),
        ({"upper_limits": [True, True]}, r"upper_limits holds booleans"),
    ],
)
def test_text_or_boolean_limits_are_refused_by_fit_path(kwargs, match):
    X = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(A, match=match):
        fit_path(X, X[:, 0], nlambda=5, **kwargs)


# -- a group label equal to another term's name -----------------------------------


def test_group_label_naming_another_term_is_refused():
    with pytest.raises(A, match=r"groups\['x'\]='z': 'z' is also a formula term"):
        ps.fit("y ~ x + z + g", _frame(), penalty="group", groups={"x": "z"}, lam=0.05)


def test_group_label_naming_another_term_mapped_to_it_merges_them():
    df = _frame()
    both = ps.fit(
        "y ~ x + z + g", df, penalty="group", groups={"x": "z", "z": "z"}, lam=0.05
    )
    named = ps.fit(
        "y ~ x + z + g", df, penalty="group", groups={"x": "xz", "z": "xz"}, lam=0.05
    )
    np.testing.assert_allclose(both.coef.to_numpy(), named.coef.to_numpy())


# -- collinear or constant columns: a penstat warning, not statsmodels' ------------


def _collinear(n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {"y": 2 * x + rng.normal(size=n), "x": x, "x2": 2 * x, "c": np.ones(n),
         "z": rng.normal(size=n)}
    )  # fmt: skip


def _caught(run):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = run()
    return out, caught


@pytest.mark.parametrize(
    ("formula", "method", "column"),
    [("y ~ x + x2 + z", "debiased", "x2"), ("y ~ x + c + z", "selective", "c")],
)
def test_sigma_estimate_with_dependent_columns_warns_naming_them(formula, method, column):
    fit = ps.fit(formula, _collinear(), lam=0.01)
    res, caught = _caught(lambda: fit.inference(method))
    kinds = {w.category.__name__ for w in caught}
    assert "SingularMatrixWarning" not in kinds
    ours = [w for w in caught if issubclass(w.category, ps.CollinearityWarning)]
    assert ours and f"['{column}']" in str(ours[0].message)
    assert np.isfinite(res.sigma) and res.sigma_method == "OLS residual"


def test_sigma_with_dependent_columns_is_the_residual_error_of_the_others():
    import statsmodels.api as sm

    df = _collinear()
    fit = ps.fit("y ~ x + x2 + z", df, lam=0.01)
    res, _ = _caught(lambda: fit.inference("debiased"))
    ols = sm.OLS(df["y"], sm.add_constant(df[["x", "z"]])).fit()
    assert res.sigma == pytest.approx(np.sqrt(ols.scale), rel=1e-10)


def test_adaptive_start_with_dependent_columns_warns_and_uses_ridge():
    fit, caught = _caught(
        lambda: ps.fit("y ~ x + x2 + z", _collinear(), penalty_factor="adaptive", lam=0.1)
    )
    kinds = {w.category.__name__ for w in caught}
    assert "SingularMatrixWarning" not in kinds
    ours = [w for w in caught if issubclass(w.category, ps.CollinearityWarning)]
    assert ours and "['x2']" in str(ours[0].message)
    assert fit.adaptive_init.method == "ridge"


# -- one vocabulary for the alternative -------------------------------------------


@pytest.mark.parametrize("method", ["selective", "debiased"])
def test_alternative_sign_is_the_api_value_in_result_and_json(method):
    df = _frame()
    fit = ps.fit("y ~ x + z", df, lam=0.05)
    res = fit.inference(method, alternative="sign")
    assert res.alternative == "sign"
    assert fit_to_dict(fit)["inference"]["alternative"] == "sign"
    assert "one-sided (towards the sign of each estimate) p-values" in res.header()[0]
    assert "one-sided (towards the sign of each estimate)" in " ".join(
        str(fit.summary()).split()
    )


def test_uncodable_term_is_a_formula_error_naming_it():
    with pytest.raises(F, match=r"the term 'C\(x.__class__\)' could not be coded"):
        ps.fit("y ~ z + C(x.__class__)", _frame(), lam=0.05)  # was a raw TypeError
