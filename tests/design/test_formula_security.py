"""A formula never runs code in the safe mode (the command line's and
``formula_env="safe"``): hostile formulas are refused before anything is evaluated,
and none of them leaves its mark."""

import ast
import pathlib
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import penstat as ps
from penstat import FormulaError
from penstat.cli import main
from penstat.design import build_design

# {c} is the canary file each formula would create, {c!r} its quoted path
HOSTILE = [
    "y ~ I(__import__('os').system('touch {c}')) + x",
    "__import__('os').system('touch {c}') ~ x",
    "open('{c}', 'w').write('1') ~ x",
    "I(open('{c}', 'w').write('1')) ~ x",
    "y ~ x + I(open('{c}', 'w').write('1'))",
    "y ~ x + I(sys.exit(0))",
    "y ~ x + I(exit(0))",
    "y ~ Q(f\"{{open('{c}', 'w')}}\")",
    "y ~ x + Q(f\"{{__import__('os').system('touch {c}')}}\")",
    "y ~ Q('x' + str(open('{c}', 'w')))",
    "y ~ C(__import__('os').system('touch {c}'))",
    "y ~ C(x, __import__('os').system('touch {c}'))",
    "y ~ C(x, Treatment(reference=open('{c}', 'w')))",
    "y ~ I(eval(\"open('{c}', 'w')\"))",
    "y ~ I(exec(\"open('{c}', 'w')\"))",
    "y ~ I(compile(\"open('{c}', 'w')\", 'f', 'exec'))",
    "y ~ I(getattr(__builtins__, 'open')('{c}', 'w'))",
    "y ~ I(vars()['__builtins__'])",
    "y ~ I(globals())",
    "y ~ I(x.__class__.__mro__[-1].__subclasses__())",
    "y ~ I(().__class__.__base__.__subclasses__())",
    "y ~ I(Q.__globals__['sys'].modules['os'].system('touch {c}'))",
    "y ~ I(np.__dict__['__builtins__']['open']('{c}', 'w'))",
    "y ~ np.lib.npyio.savetxt('{c}', x)",
    "y ~ np.save('{c}', x)",
    "y ~ I(np.log.__call__)",
    "y ~ I((lambda: open('{c}', 'w'))())",
    "y ~ I([open('{c}', 'w') for _ in [1]])",
    "y ~ I(list(open('{c}', 'w') for _ in [1]))",
    "y ~ I({{open('{c}', 'w')}})",
    "y ~ I({{'k': open('{c}', 'w')}})",
    "y ~ I((f := open('{c}', 'w')))",
    "y ~ I(x if open('{c}', 'w') else x)",
    "y ~ I(x[open('{c}', 'w')])",
    "y ~ I(log(*[open('{c}', 'w')]))",
    "y ~ log(x, **{{'out': open('{c}', 'w')}})",
    "y ~ log(x, out=x)",
    "y ~ bs(x, df=open('{c}', 'w'))",
    "y ~ poly(x, __import__('os').system('touch {c}'))",
    "y ~ I(ｏｐｅｎ('{c}', 'w'))",
    "y ~ I(__ｉｍｐｏｒｔ__('os').system('touch {c}'))",
    "y ~ I(__іmport__('os').system('touch {c}'))",
    "y ~ I(ᵒpen('{c}', 'w'))",
    "y ~ I(print(open('{c}', 'w')))",
    "y ~ I(breakpoint())",
    "y ~ I(__builtins__)",
    "y ~ I(type(x).__subclasses__())",
    "y ~ I(setattr(x, 'a', open('{c}', 'w')))",
    "y ~ I(x) + I(2 ** 10 ** 10)",
    "y ~ I('{c}' * 10 ** 9)",
    "y ~ I(np)",
]


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"y": rng.normal(size=30), "x": rng.uniform(1, 2, size=30)})


def test_the_corpus_is_large_and_distinct():
    assert len(HOSTILE) >= 40 and len(set(HOSTILE)) == len(HOSTILE)


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_formula_is_refused_by_the_api(template, data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    canary = tmp_path / "canary"
    formula = template.format(c=canary)
    with pytest.raises(FormulaError):
        ps.fit(formula, data, lam=0.1, formula_env="safe")
    with pytest.raises(FormulaError):
        build_design(formula, data, formula_env="safe")
    assert not canary.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_formula_is_refused_by_the_cli(template, data, tmp_path, capsys):
    csv = tmp_path / "data.csv"
    data.to_csv(csv, index=False)
    canary = tmp_path / "canary"
    code = main(["fit", str(csv), template.format(c=canary), "--select", "0.1"])
    assert code == 2
    assert "penstat: error:" in capsys.readouterr().err
    assert not canary.exists()


def test_refusal_names_the_offending_name(data):
    cases = {
        "y ~ I(__import__('os'))": "'__import__'",
        "y ~ I(ｅｖａｌ('1'))": "'ｅｖａｌ' (Python reads it as 'eval')",
        "y ~ I(x.__class__)": "the attribute '__class__'",
        "y ~ I((lambda: 1)())": "lambda",
        "y ~ Q(f'{x}')": 'Q("...") in the safe mode takes one column name',
        "y ~ I([v for v in x])": "a comprehension",
        "y ~ I((v := x))": "the walrus operator",
        "y ~ log(x, out=x)": "the keyword argument 'out'",
        "y ~ I(x[0])": "indexing",
    }
    for formula, pattern in cases.items():
        with pytest.raises(FormulaError, match=re.escape(pattern)):
            build_design(formula, data, formula_env="safe")


def test_safe_mode_keeps_ordinary_formulas(data):
    data = data.assign(g=["a", "b", "c"] * 10, **{"my col": data.x * 2})
    fit = ps.fit(
        'y ~ log(x) + I(x ** 2) + C(g, Treatment("b")) + Q("my col") + I(g == "a")'
        " + poly(x, 2) + np.sqrt(x) + scale(x) + x:C(g)",
        data,
        lam=0.01,
        formula_env="safe",
    )
    assert 'C(g, Treatment("b"))[T.a]' in fit.design.columns
    assert fit.design.formula_env == "safe"


def test_the_default_api_mode_still_reads_the_callers_names(data):
    shift = 3.0
    fit = ps.fit("y ~ I(x + shift)", data, lam=0.1)
    np.testing.assert_allclose(fit.design.X[:, 0], data.x + shift)


def test_penstat_never_calls_eval_or_exec():
    root = pathlib.Path(ps.__file__).parent
    calls = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("eval", "exec", "compile", "__import__")
            ):
                calls.append(f"{path.name}:{node.lineno}")
    assert calls == []


def test_the_issue_commands_leave_no_mark(data, tmp_path):
    data.to_csv(tmp_path / "data.csv", index=False)
    commands = [
        "y ~ I(__import__('os').system('touch pwned')) + x",
        "open('pwned', 'w').write('1') ~ x",
        "y ~ x + I(sys.exit(0))",
    ]
    for formula in commands:
        done = subprocess.run(
            [sys.executable, "-m", "penstat", "fit", "data.csv", formula, "--select", "1"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("penstat: error:")
        assert not (tmp_path / "pwned").exists()


def test_cli_shows_a_formula_error_with_a_caret(data, tmp_path, capsys):
    data.to_csv(tmp_path / "data.csv", index=False)
    assert main(["fit", str(tmp_path / "data.csv"), "y ~ log(x", "--select", "1"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("penstat: error: cannot read the formula")
    assert err[1].strip() == "y ~ log(x" and err[2].strip().startswith("^")


def test_cli_returns_130_when_interrupted(monkeypatch, capsys):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ps.api, "fit", interrupt)
    assert main(["fit", "--dataset", "diabetes", "y ~ bmi", "--select", "1"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_cli_does_not_turn_a_system_exit_during_the_fit_into_success(monkeypatch):
    def leave(*args, **kwargs):
        raise SystemExit(0)

    monkeypatch.setattr(ps.api, "fit", leave)
    with pytest.raises(SystemExit):
        main(["fit", "--dataset", "diabetes", "y ~ bmi", "--select", "1"])


@pytest.mark.parametrize("entry", [ps.lasso, ps.ridge, ps.elastic_net])
def test_every_entry_point_takes_formula_env(entry, data, tmp_path):
    canary = tmp_path / "canary"
    with pytest.raises(FormulaError, match="calling 'open'"):
        entry(f"y ~ I(open('{canary}', 'w'))", data, lam=0.1, formula_env="safe")
    assert not canary.exists()


def test_formula_env_is_checked(data):
    with pytest.raises(ps.ArgumentError, match="formula_env='sandbox'; use 'caller'"):
        ps.fit("y ~ x", data, lam=0.1, formula_env="sandbox")
    with pytest.raises(ps.ArgumentError, match="not both"):
        build_design("y ~ x", data, eval_env=object(), formula_env="safe")
