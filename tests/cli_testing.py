"""What the command-line bad-input corpora share (tests/test_bad_input_cli.py and
tests/test_bad_input_cli_features.py): a run that must be refused."""

import re

from penstat.cli import main


def run_refused(capsys, argv, match):
    """``main(argv)`` exits 2, writes nothing to stdout, and writes to stderr one
    error line matching ``match`` (for a formula: the formula and a caret under the
    culprit, three lines), without a traceback."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 2, (code, err)
    assert out == ""
    assert err.startswith("penstat: error: "), err
    assert err.count("\n") == 1 or err.count("\n") == 3 and "^" in err, err
    assert "Traceback" not in err
    assert re.search(match, err), err
