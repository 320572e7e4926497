"""numpy's allocator for resampling tasks (penstat._taskmem, set by the runner)."""

import threading

import numpy as np
import pytest

from penstat import _runner

taskmem = pytest.importorskip("penstat._taskmem")
get_handler_name = _runner._handler_name


def _mapping_starts() -> set[int]:
    with open("/proc/self/maps") as maps:
        return {int(line.split("-", 1)[0], 16) for line in maps}


def _is_own_mapping(arr: np.ndarray) -> bool:
    """Whether ``arr``'s block (64 bytes of header before its data) starts a mapping."""
    return (arr.ctypes.data - 64) in _mapping_starts()


def _probe(_shared, size):
    big = np.zeros(size)
    small = np.ones(8)
    return (
        get_handler_name(),
        get_handler_name(big),
        get_handler_name(small),
        _is_own_mapping(big),
        _is_own_mapping(small),
        threading.get_ident(),
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_task_arrays_use_the_mapping_allocator_then_the_default_returns(n_jobs):
    before = get_handler_name()
    out = _runner.run_tasks(_probe, None, [1 << 17] * 4, n_jobs, False, "probe")
    for current, big, small, big_mapped, small_mapped, _ in out:
        assert current == big == small == taskmem.NAME
        assert big_mapped and not small_mapped
    assert get_handler_name() == before == "default_allocator"


def test_other_threads_keep_their_allocator():
    seen = []
    started, release = threading.Event(), threading.Event()

    def other():
        started.wait()
        seen.append(get_handler_name(np.zeros(1 << 17)))
        release.set()

    def task(_shared, _):
        started.set()
        release.wait(10)
        return get_handler_name()

    thread = threading.Thread(target=other)
    thread.start()
    assert _runner.run_tasks(task, None, [0], 1, False, "probe") == [taskmem.NAME]
    thread.join()
    assert seen == ["default_allocator"]


def test_a_callers_allocator_is_kept(monkeypatch):
    monkeypatch.setattr(_runner, "_handler_name", lambda *a: "the_callers_allocator")
    with _runner.mapped_arrays():
        assert get_handler_name() == "default_allocator"


def test_allocator_contents_resize_and_free():
    with _runner.mapped_arrays():
        zeros = np.zeros(1 << 16)
        grown = np.arange(100.0)
        grown.resize(1 << 16, refcheck=False)  # realloc: malloc block to a mapping
        shrunk = np.arange(float(1 << 16))
        shrunk.resize(10, refcheck=False)  # realloc: a mapping to a malloc block
        joined = np.concatenate([zeros + 1.0, shrunk])
    assert not zeros.any()
    np.testing.assert_array_equal(grown[:100], np.arange(100.0))
    assert not grown[100:].any()
    np.testing.assert_array_equal(shrunk, np.arange(10.0))
    assert joined.sum() == (1 << 16) + 45.0
    assert _is_own_mapping(grown) and not _is_own_mapping(shrunk)
    start = zeros.ctypes.data - 64
    del zeros  # unmapped when freed, after the block as inside it
    assert start not in _mapping_starts()
