"""Every docstring example of the package runs as a doctest (against the installed
package, as users import it)."""

import doctest
import importlib
import inspect
import io
import pkgutil
import typing

import pytest

import penstat

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(penstat.__path__, "penstat.")
    # the compiled kernels (penstat.solver._cd.*) have no Python source to doctest
    if "._cd" not in info.name and info.name != "penstat.__main__"
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


def _is_protocol(cls) -> bool:
    """A typing.Protocol class (exempt: it only describes what a function reads)."""
    if hasattr(typing, "is_protocol"):  # Python >= 3.13
        return typing.is_protocol(cls)
    return bool(getattr(cls, "_is_protocol", False))


def test_public_names_have_examples():
    problems = []
    for name in ["penstat", *MODULES]:
        module = importlib.import_module(name)
        if not hasattr(module, "__all__"):
            problems.append(f"{name}: no __all__")
            continue
        for public in module.__all__:
            obj = getattr(module, public)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if obj.__module__ != name or (inspect.isclass(obj) and _is_protocol(obj)):
                continue
            if ">>>" not in (obj.__doc__ or ""):
                problems.append(f"{name}.{public}: no example in its docstring")
    assert not problems, "\n".join(problems)
