"""Formula parsing is serialized across threads (CPython 3.11's ast constructor keeps
one recursion counter per interpreter, gh-106905: two threads parsing at once can
fail with "AST constructor recursion depth mismatch", seen on threaded Dask
workers rebuilding a design)."""

import ast
import pickle
import threading

import numpy as np
import pandas as pd
import patsy
import pytest

from penstat._errors import FormulaError
from penstat.design.design import build_design
from penstat.design.namespace import FORMULA_LOCK, check_expression
from penstat.distributed.design import restore_design_info


def _held_by_other_thread() -> bool:
    """True when another thread holds FORMULA_LOCK (this one cannot take it)."""
    got = []

    def take():
        got.append(FORMULA_LOCK.acquire(blocking=False))
        if got[0]:
            FORMULA_LOCK.release()

    t = threading.Thread(target=take)
    t.start()
    t.join()
    return not got[0]


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {"y": rng.normal(size=30), "x": rng.normal(size=30), "z": rng.normal(size=30)}
    )


def _spy(monkeypatch, module, name):
    seen = []
    orig = getattr(module, name)

    def spy(*args, **kwargs):
        seen.append(_held_by_other_thread())
        return orig(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return seen


@pytest.mark.parametrize("formula_env", [None, "safe"])
def test_unpickled_design_rebuilds_under_the_lock(monkeypatch, frame, formula_env):
    d = build_design("y ~ x + np.log(z**2)" if formula_env is None else "y ~ x + log(z**2)",
                     frame, formula_env=formula_env)  # fmt: skip
    back = pickle.loads(pickle.dumps(d))
    seen = _spy(monkeypatch, patsy, "dmatrix")
    X = back.transform(frame)
    assert seen == [True]
    np.testing.assert_array_equal(X, d.transform(frame))


def test_check_expression_parses_under_the_lock(monkeypatch):
    seen = _spy(monkeypatch, ast, "parse")
    check_expression("log(x) + Q('a b')", ["x", "a b"])
    assert seen and all(seen)


def test_restore_design_info_under_the_lock(monkeypatch, frame):
    d = build_design("y ~ x + z", frame)
    back = pickle.loads(pickle.dumps(d))
    seen = _spy(monkeypatch, patsy, "dmatrix")
    restore_design_info(back, {"unused": 1})
    assert seen == [True]
    assert back.design_info is not None


def test_lock_is_free_after_a_failed_rebuild(frame):
    d = build_design("y ~ x", frame)
    back = pickle.loads(pickle.dumps(d))
    object.__setattr__(back, "_frame", frame.drop(columns="x"))
    with pytest.raises(FormulaError):
        back.transform(frame)
    assert not _held_by_other_thread()
