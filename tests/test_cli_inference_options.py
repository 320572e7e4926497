"""The command line's options of the inference methods (--alternative, --target,
--n-splits, --gamma-min, --nodewise, --initial): each reaches ``fit.inference`` and
gives the API's numbers; each is refused with the wrong method or a bad value."""

from __future__ import annotations

import json

import numpy as np
import pytest

import penstat as ps
from penstat.cli import main

FORMULA = "y ~ bmi + bp + s5 + s1 + s3"
SEED = 7


def cli_inference(capsys, tmp_path, *argv) -> tuple[dict, str]:
    """The JSON inference block and stdout of a CLI run at lam = 2 with ``argv``."""
    target = tmp_path / "out.json"
    code = main(
        [
            "fit", "--dataset", "diabetes", FORMULA, "--select", "2.0", "--seed",
            str(SEED), "--no-progress", "--json", str(target), *map(str, argv),
        ]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(target.read_text())["inference"], out


def api_inference(method: str, **options):
    """The same inference through the API, with the CLI's inference seed."""
    fit = ps.lasso(FORMULA, ps.datasets.load("diabetes"), lam=2.0)
    seed = np.random.SeedSequence([SEED, 3])  # the CLI's seed of inference
    return fit.inference(method, seed=seed, progress=False, **options)


def assert_same_table(block: dict, expected) -> None:
    got = {row["column"]: row for row in block["columns"]}
    assert list(got) == expected.table.index.tolist()
    for column, row in expected.table.iterrows():
        for key in ("estimate", "ci_lower", "ci_upper", "p_value"):
            assert got[column][key] == pytest.approx(row[key], rel=1e-12), (column, key)


# an option's command line, the method and options it must reach, the details the
# JSON must record, and words the printout must hold (None: nothing checked)
ACCEPTED = [
    pytest.param(
        "--inference debiased --initial lasso --nodewise cv --alternative sign".split(),
        "debiased",
        {"initial": "lasso", "nodewise": "cv", "alternative": "sign"},
        {"initial_method": "lasso", "nodewise": "cv"},
        "95% intervals, one-sided (towards the",
        id="debiased",
    ),
    pytest.param(
        "--inference split --n-splits 6 --gamma-min 0.3".split(),
        "split",
        {"n_splits": 6, "gamma_min": 0.3},
        {"n_splits": 6, "gamma_min": 0.3},
        None,
        id="split",
    ),
    # the one-sided p-values' direction ("> 0", "< 0") is a column of words: the
    # summary printed it (it raised ValueError converting it to float)
    pytest.param(
        "--inference selective --target full --alternative sign --sigma 55".split(),
        "selective",
        {"target": "full", "alternative": "sign", "sigma": 55.0},
        {"target": "full"},
        "one-sided (towards the sign",
        id="selective",
    ),
    # without the options, the API's defaults
    pytest.param(
        "--inference debiased".split(),
        "debiased",
        {},
        {"initial_method": "refit"},
        None,
        id="debiased-defaults",
    ),
]


@pytest.mark.parametrize(("argv", "method", "options", "details", "printed"), ACCEPTED)
def test_method_options_reach_the_method(
    capsys, tmp_path, argv, method, options, details, printed
):
    block, out = cli_inference(capsys, tmp_path, *argv)
    expected = api_inference(method, **options)
    assert_same_table(block, expected)
    # the JSON holds the API's value of alternative, the printout its words
    assert block["alternative"] == options.get("alternative", "two-sided")
    assert {key: block["details"][key] for key in details} == details
    if printed is not None:
        assert printed in out
    if "alternative" in options and method == "selective":
        directions = {row["column"]: row["direction"] for row in block["columns"]}
        assert directions == {
            c: "> 0" if v > 0 else "< 0" for c, v in expected.table["lasso"].items()
        }
        assert "selective direction" in out


def test_debiased_options_change_the_numbers():
    # the options reach the method only if they can change its intervals
    default = api_inference("debiased")
    chosen = api_inference("debiased", initial="lasso", nodewise="cv", alternative="sign")
    assert not np.allclose(default.table["ci_lower"], chosen.table["ci_lower"])


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--nodewise", "cv"],
            "--nodewise applies to inference after selection only; add --inference "
            "debiased, or drop --nodewise",
        ),
        (
            ["--n-splits", "10"],
            "--n-splits applies to inference after selection only; add --inference "
            "split, or drop --n-splits",
        ),
        (
            ["--alternative", "sign"],
            "--alternative applies to inference after selection only; add --inference "
            "METHOD (selective, split, debiased, naive), or drop --alternative",
        ),
        (
            ["--inference", "selective", "--initial", "lasso"],
            "--initial applies to --inference debiased only; use that method, or drop "
            "--initial",
        ),
        (
            ["--inference", "debiased", "--target", "full"],
            "--target applies to --inference selective only; use that method, or drop "
            "--target",
        ),
        (
            ["--inference", "naive", "--gamma-min", "0.1"],
            "--gamma-min applies to --inference split only; use that method, or drop "
            "--gamma-min",
        ),
        (
            ["--inference", "split", "--alternative", "sign"],
            "--alternative sign: --inference split gives two-sided p-values only; drop "
            "--alternative",
        ),
        (
            ["--inference", "split", "--n-splits", "1"],
            "--n-splits 1 must be an integer >= 2",
        ),
        (
            ["--inference", "split", "--gamma-min", "0"],
            "--gamma-min 0 must be in (0, 1), e.g. 0.05",
        ),
        (
            ["--inference", "split", "--gamma-min", "nan"],
            "--gamma-min nan must be in (0, 1), e.g. 0.05",
        ),
        (
            ["--inference", "debiased", "--initial", "ols"],
            "argument --initial: invalid choice: 'ols' (choose from 'refit', 'lasso') "
            "(see: penstat fit --help)",
        ),
        (
            ["--inference", "split", "--n-splits", "ten"],
            "argument --n-splits: invalid int value: 'ten' (see: penstat fit --help)",
        ),
    ],
)
def test_bad_method_options_name_the_flag(capsys, monkeypatch, argv, expected):
    import penstat.cli as cli

    def refuse(*args, **kwargs):
        raise AssertionError("the fit started before the options were checked")

    monkeypatch.setattr(cli.api, "fit", refuse)
    code = main(["fit", "--dataset", "diabetes", "y ~ bmi", "--select", "bic", *argv])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"penstat: error: {expected}\n"
