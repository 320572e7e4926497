"""The command line against bad input to the options added after the first CLI
corpus: --penalty group, --l1-within, --relax, --adaptive, --adaptive-gamma,
--offset, --lower-limits / --upper-limits, --sparse, --inference and its options.
Each run exits 2 with a one-line error naming the culprit (a formula's error
also shows the formula with a caret) and writes nothing to stdout; the data file is
unchanged. (--dask: tests/distributed/test_bad_input_dask_cli.py.)"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from cli_testing import run_refused


@pytest.fixture
def data_csv(tmp_path):
    rng = np.random.default_rng(0)
    n = 60
    x = rng.normal(size=n)
    df = pd.DataFrame(
        {
            "y": 2 * x + rng.normal(size=n),
            "x": x,
            "z": rng.normal(size=n),
            "g": rng.choice(["a", "b", "c"], size=n),
            "b": np.tile([0, 1], n // 2),
            "s": ["t"] * n,
            "big": np.full(n, 1e300),
            "flag": np.arange(n) % 3 == 0,
        }
    )
    path = tmp_path / "data.csv"
    df.to_csv(path, index=False)
    return path


CASES = [
    (
        "l1-within-text",
        ["y ~ x + g", "--penalty", "group", "--l1-within", "half"],
        r"--l1-within: invalid float value: 'half'",
    ),  # fmt: skip
    (
        "l1-within-above-one",
        ["y ~ x + g", "--penalty", "group", "--l1-within", "2"],
        r"l1_within=2.0 must be in \[0, 1\]",
    ),  # fmt: skip
    (
        "l1-within-nan",
        ["y ~ x + g", "--penalty", "group", "--l1-within", "nan"],
        r"l1_within=nan",
    ),  # fmt: skip
    ("l1-within-without-group", ["y ~ x + g", "--l1-within", "0.5"], r"needs groups"),
    (
        "l1-within-group-enet",
        ["y ~ x + g", "--penalty", "group", "--l1-within", "0.5", "--l1-ratio", "0.5"],
        r"keep l1_ratio=1",
    ),  # fmt: skip
    (
        "group-limits",
        ["y ~ x + g", "--penalty", "group", "--lower-limits", "0"],
        r"not available with groups",
    ),  # fmt: skip
    (
        "group-selective",
        ["y ~ x + g", "--penalty", "group", "--select", "bic", "--inference", "selective"],
        r"group lasso selects terms whole",
    ),  # fmt: skip
    (
        "ridge-selective",
        ["y ~ x + g", "--penalty", "l2", "--select", "bic", "--inference", "selective"],
        r"this is a ridge fit",
    ),  # fmt: skip
    # was exit 0: the relaxed ridge fit is one unpenalized least-squares fit
    (
        "ridge-relax",
        ["y ~ x + g", "--penalty", "l2", "--relax", "--nfolds", "3"],
        r"ridge path \(l1_ratio=0\) keeps every column",
    ),  # fmt: skip
    ("relax-limits", ["y ~ x + z", "--relax", "--lower-limits", "0"], r"limits would"),
    ("relax-fixed-lambda", ["y ~ x + z", "--relax", "--select", "0.1"], r"--relax"),
    (
        "inference-unknown",
        ["y ~ x + z", "--inference", "bayes"],
        r"invalid choice: 'bayes'",
    ),
    ("level-two", ["y ~ x + z", "--inference", "naive", "--level", "2"], r"--level 2"),
    ("level-text", ["y ~ x + z", "--inference", "naive", "--level", "high"], r"--level"),
    ("level-alone", ["y ~ x + z", "--level", "0.9"], r"--level applies to inference"),
    (
        "sigma-negative",
        ["y ~ x + z", "--inference", "naive", "--sigma", "-1"],
        r"--sigma -1",
    ),
    ("sigma-nan", ["y ~ x + z", "--inference", "naive", "--sigma", "nan"], r"--sigma nan"),
    ("sigma-alone", ["y ~ x + z", "--sigma", "1"], r"--sigma applies to inference"),
    (
        "sigma-binomial",
        ["b ~ x + z", "--family", "binomial", "--inference", "naive", "--sigma", "1"],
        r"--sigma is the noise level",
    ),  # fmt: skip
    (
        "inference-lam-negative",
        ["y ~ x + z", "--inference", "selective", "--inference-lam", "-1"],
        r"--inference-lam -1",
    ),  # fmt: skip
    (
        "inference-lam-text",
        ["y ~ x + z", "--inference", "selective", "--inference-lam", "big"],
        r"--inference-lam",
    ),  # fmt: skip
    (
        "inference-lam-alone",
        ["y ~ x + z", "--inference-lam", "0.1"],
        r"applies to inference",
    ),
    ("offset-factor", ["y ~ x + z", "--offset", "g"], r"offset column 'g' is not numeric"),
    ("offset-empty", ["y ~ x + z", "--offset", ""], r"offset='' is not a column"),
    ("offset-bool", ["y ~ x + z", "--offset", "flag"], r"offset column 'flag' .*\(bool\)"),
    # were exit 0 with a meaningless fit
    ("offset-is-response", ["y ~ x + z", "--offset", "y"], r"offset='y' is the response"),
    ("offset-huge", ["y ~ x + z", "--offset", "big"], r"offset column 'big' has values as"),
    (
        "adaptive-gamma-text",
        ["y ~ x + z", "--adaptive", "--adaptive-gamma", "two"],
        r"--adaptive-gamma: invalid float value",
    ),  # fmt: skip
    (
        "adaptive-gamma-zero",
        ["y ~ x + z", "--adaptive", "--adaptive-gamma", "0"],
        r"--adaptive-gamma 0",
    ),  # fmt: skip
    ("limits-key-without-value", ["y ~ x + z", "--lower-limits", "x="], r"'' for 'x'"),
    ("limits-twice", ["y ~ x + z", "--lower-limits", "x=0,x=-1"], r"'x' is given twice"),
    ("limits-nan", ["y ~ x + z", "--lower-limits", "nan"], r"got nan"),
    ("limits-no-name", ["y ~ x + z", "--lower-limits", "=0"], r"NAME=VALUE"),
    # were exit 0 with no limit at all
    ("limits-empty", ["y ~ x + z", "--lower-limits", ""], r"'' gives no limit"),
    ("limits-commas", ["y ~ x + z", "--upper-limits", ",,"], r"',,' gives no limit"),
    (
        "sparse-hostile-formula",
        ["y ~ x + I(__import__('os').system('touch {canary}'))", "--sparse"],
        r"'system' is not allowed",
    ),  # fmt: skip
    (
        "group-hostile-formula",
        ["y ~ x + I(open('{canary}', 'w').write('x'))", "--penalty", "group"],
        r"'write' is not allowed",
    ),  # fmt: skip
    (
        "relax-hostile-lhs",
        ["I(__import__('os').system('touch {canary}')) ~ x", "--relax"],
        r"not allowed",
    ),  # fmt: skip
]


@pytest.mark.parametrize(("argv", "match"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_cli_corpus_new_options(capsys, tmp_path, data_csv, argv, match):
    canary = tmp_path / "canary"
    before = hashlib.sha256(data_csv.read_bytes()).hexdigest()
    argv = [a.format(canary=canary) for a in argv]
    run_refused(capsys, ["fit", data_csv, *argv], match)
    assert hashlib.sha256(data_csv.read_bytes()).hexdigest() == before
    assert not canary.exists()
