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
