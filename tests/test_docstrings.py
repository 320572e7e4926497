"""Every docstring example of the package runs as a doctest (against the installed
package, as users import it)."""

import doctest
import importlib
import io
import pkgutil

import pytest

import penstat

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(penstat.__path__, "penstat.")
    if not info.name.split(".")[-1].startswith("_cd") and info.name != "penstat.__main__"
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_every_stage_is_collected():
    for stage in ("design", "solver", "selection", "resampling", "results", "engine"):
        assert any(
            m == f"penstat.{stage}" or m.startswith(f"penstat.{stage}.") for m in MODULES
        )


@pytest.mark.parametrize("name", ["penstat", *MODULES])
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    pytest.importorskip("matplotlib")
    module = importlib.import_module(name)
    tests = doctest.DocTestFinder().find(module, name)
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in tests:
        runner.run(test, out=out.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, out.getvalue()
