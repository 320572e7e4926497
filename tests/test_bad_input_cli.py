"""The command line against bad or heavy input: one-line errors naming the option,
checked before the data is read or any computation runs."""

from __future__ import annotations

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
