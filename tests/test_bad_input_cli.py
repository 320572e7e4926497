"""The command line against bad or heavy input: one-line errors naming the option,
checked before the data is read or any computation runs."""

from __future__ import annotations

import json

import pytest

import penstat.cli as cli
from penstat.cli import main


def cli_error(capsys, *argv) -> str:
    """The one-line error of a run that must fail with exit 2 and print nothing."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith("penstat: error: ") and err.count("\n") == 1, err
    return err.removeprefix("penstat: error: ").rstrip("\n")


@pytest.fixture
def no_fit(monkeypatch):
    """Fail the test if a fit would start: the checks must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("the fit started before the options were checked")

    monkeypatch.setattr(cli.api, "fit", refuse)


BASE = ["fit", "--dataset", "diabetes", "y ~ bmi + bp", "--select", "bic"]


@pytest.mark.parametrize("option", ["--pfer", "--cutoff"])
def test_a_stability_option_without_stability_is_a_usage_error(capsys, no_fit, option):
    # was silently ignored
    assert cli_error(capsys, *BASE, option, "0.8") == (
        f"{option} applies to stability selection only; add --stability, or drop " + option
    )


def test_bootstrap_fixed_lam_without_bootstrap_is_a_usage_error(capsys, no_fit):
    # was silently ignored (exit 0, no bootstrap)
    assert cli_error(capsys, *BASE, "--bootstrap-fixed-lam") == (
        "--bootstrap-fixed-lam applies to the bootstrap only; add --bootstrap N "
        "(N replicates), or drop --bootstrap-fixed-lam"
    )
    assert cli_error(capsys, *BASE, "--bootstrap-fixed-lam", "--stability") == (
        "--bootstrap-fixed-lam applies to the bootstrap only; add --bootstrap N "
        "(N replicates), or drop --bootstrap-fixed-lam"
    )


def test_jobs_zero_names_the_option(capsys, no_fit):
    # was the library's message naming n_jobs, after the data was read
    assert cli_error(capsys, *BASE, "--jobs", "0") == (
        "--jobs 0 runs nothing; use 1, a positive count, or -1 (all cores)"
    )


def test_a_negative_seed_names_the_option(capsys, no_fit):
    # was the library's message naming seed=, after the data was read
    assert cli_error(capsys, *BASE, "--seed", "-1") == (
        "--seed -1 must be an integer >= 0 (the seed a run prints repeats it)"
    )


@pytest.mark.parametrize("option", ["--report", "--json"])
def test_an_output_that_is_a_folder_is_refused_before_the_fit(
    capsys, tmp_path, no_fit, option
):
    # was a traceback (IsADirectoryError) after the whole computation
    folder = tmp_path / ("out.html" if option == "--report" else "out.json")
    folder.mkdir()
    assert cli_error(capsys, *BASE, option, folder) == (
        f"{option} {str(folder)!r} is a folder; give a file name"
    )


def test_an_unwritable_output_is_refused_before_the_fit(capsys, tmp_path, no_fit):
    blocker = tmp_path / "notes.txt"  # a file where a folder is needed
    blocker.write_text("keep me")
    target = blocker / "report.html"
    assert cli_error(capsys, *BASE, "--report", target) == (
        f"--report {str(target)!r} cannot be written: Not a directory"
    )
    assert blocker.read_text() == "keep me"


def test_the_check_leaves_outputs_as_they_were(tmp_path, no_fit):
    # an existing file is opened, not truncated; a new one is not left behind
    old = tmp_path / "old.json"
    old.write_text("previous run")
    new = tmp_path / "new.html"
    with pytest.raises(AssertionError, match="the fit started"):  # checks passed
        main([*BASE, "--json", str(old), "--report", str(new)])
    assert old.read_text() == "previous run"
    assert not new.exists()


def test_a_markdown_figure_folder_taken_by_a_file_is_refused_before_the_fit(
    capsys, tmp_path, no_fit
):
    # was an error after the whole computation
    report = tmp_path / "report.md"
    (tmp_path / "report_files").write_text("in the way")
    assert cli_error(capsys, *BASE, "--report", report) == (
        f"--report {str(report)!r} keeps its plots in "
        f"{str(tmp_path / 'report_files')!r}, which is a file; move it or choose "
        "another report name"
    )
    assert (tmp_path / "report_files").read_text() == "in the way"


def test_a_report_that_fails_to_write_keeps_the_json(capsys, tmp_path, monkeypatch):
    # the disk fills up (or the folder goes away) while the report is written
    from penstat.results.fit import PenalizedFit

    def full_disk(self, path, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(PenalizedFit, "report", full_disk)
    report = tmp_path / "report.md"
    json_path = tmp_path / "results.json"
    code = main([*BASE, "--report", str(report), "--json", str(json_path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Penalized regression" in out
    assert err.splitlines()[0] == f"JSON written to {json_path}"
    assert err.splitlines()[1] == (
        f"penstat: error: cannot write the report {str(report)!r}: No space left on "
        f"device (the JSON was written to {json_path})"
    )
    assert len(err.splitlines()) == 2
    assert json.loads(json_path.read_text())["schema"] == "penstat.fit/2"


# -- the corpus: every option and input against wrong values ---------------------
#
# Each case exits with code 2 and one error line on stderr (no traceback, nothing on
# stdout); the data file is unchanged.

import hashlib  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from cli_testing import run_refused  # noqa: E402


@pytest.fixture
def data_csv(tmp_path):
    rng = np.random.default_rng(2)
    n = 30
    frame = pd.DataFrame(
        {
            "y": rng.normal(size=n),
            "x": rng.normal(size=n),
            "z": rng.normal(size=n),
            "g": rng.choice(["a", "b", "c"], size=n),
            "b": np.tile(["no", "yes"], n // 2),
            "off": rng.normal(size=n),
            "s": ["t"] * n,
        }
    )
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


# options refused before the data is read (argparse or the option checks)
OPTION_CASES = [
    ("family-unknown", ["--family", "poisson"], r"--family"),
    ("penalty-unknown", ["--penalty", "l3"], r"--penalty"),
    ("l1-ratio-text", ["--l1-ratio", "half"], r"--l1-ratio"),
    ("select-unknown", ["--select", "cv_max"], r"select"),
    ("nfolds-text", ["--nfolds", "ten"], r"--nfolds"),
    ("nfolds-float", ["--nfolds", "2.5"], r"--nfolds"),
    ("seed-text", ["--seed", "abc"], r"--seed"),
    ("seed-negative", ["--seed", "-5"], r"--seed"),
    ("seed-float", ["--seed", "1.5"], r"--seed"),
    ("jobs-zero", ["--jobs", "0"], r"--jobs"),
    ("jobs-text", ["--jobs", "all"], r"--jobs"),
    ("bootstrap-one", ["--bootstrap", "1"], r"--bootstrap"),
    ("bootstrap-negative", ["--bootstrap", "-3"], r"--bootstrap"),
    ("bootstrap-text", ["--bootstrap", "many"], r"--bootstrap"),
    ("fixed-lam-alone", ["--bootstrap-fixed-lam"], r"--bootstrap-fixed-lam"),
    ("cutoff-alone", ["--cutoff", "0.8"], r"--cutoff"),
    ("pfer-alone", ["--pfer", "1"], r"--pfer"),
    ("cutoff-text", ["--stability", "--cutoff", "high"], r"--cutoff"),
    ("report-suffix", ["--report", "out.pdf"], r"--report"),
    ("json-suffix", ["--json", "out.txt"], r"--json"),
    ("report-no-folder", ["--report", "/no/such/dir/r.html"], r"does not exist"),
    ("json-no-folder", ["--json", "/no/such/dir/r.json"], r"does not exist"),
    ("unknown-option", ["--alpha", "0.5"], r"unrecognized|--alpha"),
    ("index-col-both", ["--index-col", "1", "--no-index-col"], r"not allowed|index"),
    ("alternative-unknown", ["--inference", "naive", "--alternative", "less"],
     r"--alternative"),
    ("alternative-alone", ["--alternative", "sign"], r"--alternative"),
    ("alternative-sign-split", ["--inference", "split", "--alternative", "sign"],
     r"--alternative"),
    ("target-unknown", ["--inference", "selective", "--target", "pop"], r"--target"),
    ("target-other-method", ["--inference", "naive", "--target", "full"], r"--target"),
    ("n-splits-one", ["--inference", "split", "--n-splits", "1"], r"--n-splits"),
    ("n-splits-float", ["--inference", "split", "--n-splits", "2.5"], r"--n-splits"),
    ("n-splits-other-method", ["--inference", "debiased", "--n-splits", "5"],
     r"--n-splits"),
    ("gamma-min-one", ["--inference", "split", "--gamma-min", "1"], r"--gamma-min"),
    ("gamma-min-text", ["--inference", "split", "--gamma-min", "low"], r"--gamma-min"),
    ("nodewise-unknown", ["--inference", "debiased", "--nodewise", "bic"],
     r"--nodewise"),
    ("nodewise-alone", ["--nodewise", "cv"], r"--nodewise"),
    ("initial-unknown", ["--inference", "debiased", "--initial", "ols"], r"--initial"),
    ("initial-other-method", ["--inference", "split", "--initial", "lasso"],
     r"--initial"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "match"), [pytest.param(*c[1:], id=c[0]) for c in OPTION_CASES]
)
def test_cli_corpus_options(capsys, no_fit, data_csv, extra, match):
    before = hashlib.sha256(data_csv.read_bytes()).hexdigest()
    run_refused(capsys, ["fit", data_csv, "y ~ x + z", "--select", "bic", *extra], match)
    assert hashlib.sha256(data_csv.read_bytes()).hexdigest() == before


# inputs refused once the data is read, or by the library (before any output)
INPUT_CASES = [
    ("missing-file", ["fit", "nope.csv", "y ~ x"], r"nope.csv"),
    ("folder-as-data", ["fit", "{tmp}", "y ~ x"], r"data|folder|read"),
    ("unknown-suffix", ["fit", "{tmp}/data.xlsx", "y ~ x"], r"data|suffix|read|\.xlsx"),
    ("unknown-dataset", ["fit", "--dataset", "nope", "y ~ x"], r"nope"),
    ("no-formula", ["fit", "{csv}"], r"formula|DATA FORMULA|arguments"),
    ("empty-formula", ["fit", "{csv}", ""], r"formula"),
    ("formula-missing-column", ["fit", "{csv}", "y ~ nope"], r"nope"),
    ("formula-missing-response", ["fit", "{csv}", "nope ~ x"], r"nope"),
    ("formula-unbalanced", ["fit", "{csv}", "y ~ log(x"], r"formula"),
    ("formula-no-tilde", ["fit", "{csv}", "y x"], r"formula|~"),
    ("formula-intercept-only", ["fit", "{csv}", "y ~ 1"], r"no predictors"),
    ("formula-code", ["fit", "{csv}", "y ~ I(__import__('os').getcwd())"], r"__import__"),
    ("formula-exit", ["fit", "{csv}", "y ~ I(sys.exit(0))"], r"sys"),
    ("formula-unknown-function", ["fit", "{csv}", "y ~ frob(x)"], r"frob"),
    ("text-response", ["fit", "{csv}", "s ~ x"], r"'s'"),
    (
        "binomial-three-classes",
        ["fit", "{csv}", "g ~ x", "--family", "binomial"],
        r"'g'|class|level",
    ),  # fmt: skip
    (
        "binomial-one-class",
        ["fit", "{csv}", "s ~ x", "--family", "binomial"],
        r"'s'|class|level",
    ),  # fmt: skip
    ("offset-missing", ["fit", "{csv}", "y ~ x", "--offset", "nope"], r"nope"),
    ("offset-text", ["fit", "{csv}", "y ~ x", "--offset", "s"], r"'s'|offset"),
    ("lower-limits-positive", ["fit", "{csv}", "y ~ x", "--lower-limits", "1"], r"lower"),
    (
        "lower-limits-unknown",
        ["fit", "{csv}", "y ~ x", "--lower-limits", "nope=0"],
        r"nope",
    ),  # fmt: skip
    (
        "lower-limits-text",
        ["fit", "{csv}", "y ~ x", "--lower-limits", "x=low"],
        r"lower|low",
    ),  # fmt: skip
    (
        "upper-limits-negative",
        ["fit", "{csv}", "y ~ x", "--upper-limits", "-1"],
        r"upper",
    ),  # fmt: skip
    (
        "nfolds-more-than-rows",
        ["fit", "{csv}", "y ~ x", "--nfolds", "500"],
        r"nfolds|fold",
    ),  # fmt: skip
    ("index-col-unknown", ["fit", "{csv}", "y ~ x", "--index-col", "nope"], r"nope"),
    ("index-col-out-of-range", ["fit", "{csv}", "y ~ x", "--index-col", "99"], r"99"),
    (
        "stability-cutoff-low",
        ["fit", "{csv}", "y ~ x + z", "--stability", "--cutoff", "0.3"],
        r"cutoff",
    ),  # fmt: skip
    (
        "stability-pfer-negative",
        ["fit", "{csv}", "y ~ x + z", "--stability", "--pfer", "-1"],
        r"pfer",
    ),  # fmt: skip
    (
        "l1-ratio-above-one",
        [
            "fit",
            "{csv}",
            "y ~ x",
            "--select",
            "bic",
            "--penalty",
            "elasticnet",
            "--l1-ratio",
            "2",
        ],
        r"l1.ratio",
    ),
    (
        "l1-ratio-negative",
        [
            "fit",
            "{csv}",
            "y ~ x",
            "--select",
            "bic",
            "--penalty",
            "elasticnet",
            "--l1-ratio",
            "-0.5",
        ],
        r"l1.ratio",
    ),
    ("select-negative", ["fit", "{csv}", "y ~ x", "--select", "-1"], r"select|lam"),
    ("select-nan", ["fit", "{csv}", "y ~ x", "--select", "nan"], r"select|lam"),
    ("select-inf", ["fit", "{csv}", "y ~ x", "--select", "inf"], r"select|lam"),
    (
        "nfolds-zero",
        ["fit", "{csv}", "y ~ x", "--nfolds", "0"],
        r"nfolds",
    ),
    (
        "nfolds-one",
        ["fit", "{csv}", "y ~ x", "--nfolds", "1"],
        r"nfolds",
    ),
    ("no-command", [], r""),
]


@pytest.mark.parametrize(
    ("argv", "match"), [pytest.param(*c[1:], id=c[0]) for c in INPUT_CASES]
)
def test_cli_corpus_inputs(capsys, tmp_path, data_csv, argv, match):
    before = hashlib.sha256(data_csv.read_bytes()).hexdigest()
    argv = [a.format(tmp=tmp_path, csv=data_csv) for a in argv]
    if not argv:  # no command: the help, and exit 2
        assert main([]) == 2
        assert "usage" in capsys.readouterr().out
        return
    if "xlsx" in argv[1]:
        pathlib_path = tmp_path / "data.xlsx"
        pathlib_path.write_text("not a spreadsheet")
    run_refused(capsys, argv, match)
    assert hashlib.sha256(data_csv.read_bytes()).hexdigest() == before


def test_cli_corpus_bad_data_file(capsys, tmp_path):
    # a CSV that is not a table, one without rows, one with a NaN response only
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x00\x01\x02\xff\xfe")
    empty = tmp_path / "empty.csv"
    empty.write_text("y,x\n")
    nan = tmp_path / "nan.csv"
    nan.write_text("y,x\n,1\n,2\n,3\n")
    run_refused(capsys, ["fit", garbage, "y ~ x"], r"garbage.csv|read|column|y")
    run_refused(capsys, ["fit", empty, "y ~ x"], r"no rows")
    run_refused(capsys, ["fit", nan, "y ~ x"], r"row")


# every value checkable without the data is refused before the data file is read: the
# file named here does not exist, so a check that came later would report that instead
EARLY_CASES = [
    ("l1-ratio-above-one", ["--penalty", "elasticnet", "--l1-ratio", "2"], r"--l1-ratio 2"),
    ("l1-ratio-negative", ["--penalty", "elasticnet", "--l1-ratio", "-0.5"], r"--l1-ratio"),
    ("l1-ratio-nan", ["--penalty", "elasticnet", "--l1-ratio", "nan"], r"--l1-ratio"),
    ("l1-ratio-with-l1", ["--l1-ratio", "0.5"], r"--l1-ratio applies to"),
    ("select-negative", ["--select", "-1"], r"--select -1"),
    ("select-nan", ["--select", "nan"], r"--select nan"),
    ("select-inf", ["--select", "inf"], r"--select inf"),
    ("nfolds-zero", ["--nfolds", "0"], r"--nfolds 0"),
    ("nfolds-one", ["--nfolds", "1"], r"--nfolds 1"),
    ("bootstrap-one", ["--bootstrap", "1"], r"--bootstrap"),
    ("cutoff-low", ["--stability", "--cutoff", "0.3"], r"--cutoff 0.3"),
    ("pfer-negative", ["--stability", "--pfer", "-1"], r"--pfer -1"),
    ("stability-ridge", ["--stability", "--penalty", "l2"], r"--stability needs an L1"),
    ("lower-limits-positive", ["--lower-limits", "1"], r"--lower-limits"),
    ("lower-limits-text", ["--lower-limits", "x=low"], r"--lower-limits"),
    ("upper-limits-negative", ["--upper-limits", "x=-1"], r"--upper-limits"),
    ("adaptive-gamma-alone", ["--adaptive-gamma", "2"], r"--adaptive-gamma applies"),
    (
        "adaptive-gamma-negative",
        ["--adaptive", "--adaptive-gamma", "-1"],
        r"--adaptive-gamma",
    ),
    ("relax-with-bic", ["--relax", "--select", "bic"], r"--relax"),
]


@pytest.mark.parametrize(
    ("extra", "match"), [pytest.param(*c[1:], id=c[0]) for c in EARLY_CASES]
)
def test_cli_corpus_values_checked_before_the_data(capsys, no_fit, tmp_path, extra, match):
    run_refused(capsys, ["fit", tmp_path / "absent.csv", "y ~ x", *extra], match)


def test_cli_nfolds_with_a_criterion_warns_naming_it(capsys, data_csv):
    code = main(["fit", str(data_csv), "y ~ x + z", "--select", "bic", "--nfolds", "5"])
    err = capsys.readouterr().err
    assert code == 0
    assert "--nfolds 5 is ignored with --select bic" in err
    assert "nfolds=5" not in err  # the option's name, not the library's


def test_cli_response_among_the_predictors_is_refused(capsys, data_csv):
    run_refused(capsys, ["fit", data_csv, "y ~ x + np.log(y)"], r"response column 'y'")


def test_cli_one_row_of_data_is_refused(capsys, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("y,x\n1.0,2.0\n")
    run_refused(capsys, ["fit", path, "y ~ x", "--select", "bic"], r"1 row to fit")
