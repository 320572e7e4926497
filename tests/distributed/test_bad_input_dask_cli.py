"""``penstat fit --dask`` against bad input and hostile formulas: exit 2 with a
one-line error (a formula's error also shows the formula and a caret), nothing run
by the formula on the client or the workers (a canary file must not appear)."""

import re

import dask_testing
import numpy as np
import pandas as pd
import pytest

from penstat.cli import main

client = dask_testing.client  # the module's cluster (a fixture)


@pytest.fixture
def parts(tmp_path):
    rng = np.random.default_rng(1)
    n = 300
    df = pd.DataFrame(
        {
            "y": rng.normal(size=n),
            "x": rng.normal(size=n),
            "g": rng.choice(["a", "b", "c"], size=n),
            "s": ["t"] * n,
            "flag": np.arange(n) % 3 == 0,
        }
    )
    folder = tmp_path / "parts"
    folder.mkdir()
    for i in range(3):
        df.iloc[100 * i : 100 * (i + 1)].to_parquet(folder / f"part-{i}.parquet")
    return folder


CASES = [
    ("rhs-system", ["y ~ x + I(__import__('os').system('touch {c}'))"], r"not allowed"),
    ("lhs-system", ["I(__import__('os').system('touch {c}')) ~ x"], r"not allowed"),
    ("open-write", ["y ~ I(open('{c}', 'w').write('x')) + x"], r"'write' is not allowed"),
    ("q-fstring", ["y ~ Q(f\"{{__import__('os').system('touch {c}')}}\") + x"], r"Q\("),
    ("sys-exit", ["y ~ x + I(sys.exit(0))"], r"sys"),
    ("dunder-class", ["y ~ C(x.__class__)"], r"__class__"),
    # accepted before: l1_within was ignored, a text offset failed in a worker, the
    # response as its own offset gave a fit of zeros
    ("l1-within", ["y ~ x + g", "--l1-within", "0.5"], r"l1_within|--l1-within"),
    ("offset-text", ["y ~ x + g", "--offset", "s"], r"offset column 's'"),
    ("offset-response", ["y ~ x + g", "--offset", "y"], r"offset='y' is the response"),
    (
        "offset-bool",
        ["y ~ x + g", "--offset", "flag"],
        r"offset column 'flag' holds booleans",
    ),
]


@pytest.mark.parametrize(("argv", "match"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_dask_cli_corpus(client, capsys, tmp_path, parts, argv, match):
    canary = tmp_path / "canary"
    argv = [a.format(c=canary) for a in argv]
    code = main(
        ["fit", str(parts), *argv, "--dask", client.scheduler.address, "--select", "bic"]
    )
    out, err = capsys.readouterr()
    assert code == 2, (code, err)
    assert out == "" and err.startswith("penstat: error: ") and "Traceback" not in err
    assert err.count("\n") == 1 or err.count("\n") == 3 and "^" in err, err
    assert re.search(match, err), err
    assert not canary.exists()
