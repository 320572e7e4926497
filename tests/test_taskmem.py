"""numpy's allocator for resampling tasks (penstat._taskmem, set by the runner)."""

import ctypes
import mmap
import threading

import numpy as np
import pytest

from penstat import _runner

taskmem = pytest.importorskip("penstat._taskmem")
get_handler_name = _runner._handler_name


MAPPED, MALLOC = 0x6D6D6170, 0x6D616C6C  # the kinds in a block's header


def _kind(arr: np.ndarray) -> int:
    """How the handler obtained ``arr``'s block: the kind in its 64-byte header."""
    return (ctypes.c_size_t * 2).from_address(arr.ctypes.data - 64)[1]


def _is_own_mapping(arr: np.ndarray) -> bool:
    """Whether ``arr``'s block (64 bytes of header before its data) is a mapping of
    its own: so marked, and starting on a page."""
    return _kind(arr) == MAPPED and (arr.ctypes.data - 64) % mmap.PAGESIZE == 0


def _mapped(address: int) -> bool:
    """Whether ``address`` lies in a mapping of this process."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            lo, hi = (int(x, 16) for x in line.split(None, 1)[0].split("-"))
            if lo <= address < hi:
                return True
    return False


def _probe(_shared, size):
    big = np.zeros(size)
    small = np.ones(8)
    ours = get_handler_name(big) == get_handler_name(small) == taskmem.NAME
    return (
        get_handler_name(),
        get_handler_name(big),
        get_handler_name(small),
        ours and _is_own_mapping(big),  # (only our blocks have the header)
        ours and _is_own_mapping(small),
        threading.get_ident(),
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_task_arrays_use_the_mapping_allocator_then_the_default_returns(n_jobs):
    before = get_handler_name()
    out = _runner.run_tasks(
        _probe, None, [1 << 17] * 4, n_jobs, False, "probe", mapped=True
    )
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
    assert _runner.run_tasks(task, None, [0], 1, False, "probe", mapped=True) == [
        taskmem.NAME
    ]
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
    assert _is_own_mapping(grown) and _kind(shrunk) == MALLOC
    start = zeros.ctypes.data - 64
    assert _mapped(start)
    del zeros  # unmapped when freed, after the block as inside it
    assert not _mapped(start)


def test_small_data_keeps_numpys_allocator():
    out = _runner.run_tasks(_probe, None, [1 << 17] * 2, 2, False, "probe")
    assert {row[1] for row in out} == {"default_allocator"}
    assert not _runner.maps_arrays(np.zeros((1000, 10)))
    assert _runner.maps_arrays(np.broadcast_to(0.0, (1 << 20, 8)))


def _handler_in_fold(monkeypatch, family):
    """The allocator names seen by the kernel calls of a CV, with the threshold of
    large data set to 0 bytes."""
    import penstat.solver.fit as fit_module
    from penstat.selection import cross_validate
    from penstat.solver import fit_path

    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 5))
    y = X[:, 0] + rng.standard_normal(300)
    if family == "binomial":
        y = (y > 0).astype(float)
    path = fit_path(X, y, family=family, nlambda=10)
    seen = []
    kernel = fit_module._kernel

    def spy(name):
        inner = kernel(name)

        def call(*args, **kwargs):
            seen.append(get_handler_name())
            return inner(*args, **kwargs)

        return call

    monkeypatch.setattr(fit_module, "_kernel", spy)
    monkeypatch.setattr(_runner, "MAPPED_MIN_BYTES", 0)
    cv = cross_validate(path, X, y, nfolds=3, seed=0, n_jobs=2, progress=False)
    return seen, cv


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_cv_folds_on_large_data_map_their_arrays(family):
    with pytest.MonkeyPatch.context() as patch:
        seen, mapped = _handler_in_fold(patch, family)
    assert seen == [taskmem.NAME] * 3
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_runner, "_taskmem", None)  # numpy's allocator throughout
        seen, default = _handler_in_fold(patch, family)
    assert seen == ["default_allocator"] * 3
    for name in ("cvm", "cvsd", "fold_values"):  # the same numbers either way
        np.testing.assert_array_equal(getattr(mapped, name), getattr(default, name))
