"""One parallel runner for every repeated fit: CV folds, bootstrap replicates and
stability-selection subsamples.

Tasks run through joblib, so a user's ``joblib.parallel_config`` (a Dask cluster,
say) applies; results come back in task order whatever the backend, and each task's
randomness is drawn up front by its caller, so numbers do not depend on ``n_jobs``.
A progress bar (tqdm) is shown when asked, or by default when stderr is a terminal.

A task is ``func(shared, task)``: ``func`` a module-level function (so that every
backend can pickle it, the ``multiprocessing`` one included), ``shared`` the data
every task reads (the arrays, the specs), sent once per chunk of tasks (joblib's
process backends hand large arrays to their workers as one shared memory map), and
``task`` small (a fold number, a seed): each task builds its rows' data when it runs,
so no task's copy of the data exists before it starts. CV folds, bootstrap
replicates and stability subsamples ask for threads (``prefer="threads"``, a hint a
configured backend overrides): their time is spent in the compiled kernels, which
release the GIL, and threads read the caller's ``X`` where a process backend would
hold a second copy of it. On large data (``mapped=True``, see :func:`maps_arrays`)
numpy allocates a task's arrays of 128 KiB and more in their own memory mappings,
unmapped when freed (:mod:`penstat._taskmem`, set for the task's thread only): the
vectors of one value per row that a fit frees go back to the system at once instead
of staying in glibc's per-thread arenas. After a task that left more than
``TRIM_MIN`` (8 MB) more resident than it found, the rest of the memory it freed is
handed back too (glibc's ``malloc_trim``).

BLAS threads: every task runs with BLAS limited to one thread (threadpoolctl), in
the calling process and in every worker, whatever ``n_jobs`` and the backend. So
``n_jobs`` workers use at most ``n_jobs`` cores, and the numbers do not depend on
``n_jobs``: OpenBLAS splits some reductions (matrix-vector products, dot products)
over its threads, and their round-off depends on how many there are. A solver call
outside the runner (the full-data fit) also runs its BLAS on one thread
(:func:`penstat.solver.solve`), so ``n_jobs`` times BLAS threads never exceeds
``n_jobs``, and no more than the cores when ``n_jobs`` does not.

>>> from penstat._runner import run_tasks
>>> run_tasks(pow, 2, [1, 2, 3], n_jobs=1, progress=False, desc="powers of 2")
[2, 4, 8]
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import joblib
import numpy as np
from threadpoolctl import ThreadpoolController
from tqdm.auto import tqdm

try:
    from penstat import _taskmem
except ImportError:  # a source tree whose extensions are not built
    _taskmem = None
try:
    from numpy._core.multiarray import get_handler_name as _handler_name
except ImportError:
    try:
        from numpy.core.multiarray import get_handler_name as _handler_name
    except ImportError:
        _handler_name = None

__all__ = ["limit_blas", "mapped_arrays", "maps_arrays", "run_tasks", "show_progress"]

# Resampling tasks on data of at least this many bytes map their large arrays
# (mapped_arrays): from there every task's copy of its rows (half of X or more) is
# beyond 32 MiB, the size from which glibc maps every block itself, so the copy's
# page faults are paid either way and the mapped row vectors add about 1/p to them
# (0.88x to 1.08x the CPU time of a fit of 200k x 100 or 100k x 50, side by side). On
# small data glibc's reuse of freed blocks is faster: mapped, a 20k x 20 or 200k x 20
# fit took 1.6x to 2.6x its CPU time (docs/developer/performance.md).
MAPPED_MIN_BYTES = 64 << 20

_controller: tuple[int, ThreadpoolController] | None = None
_libc: Any = None


def show_progress(progress: bool | None) -> bool:
    """Whether to draw a progress bar: ``progress``, or (None) whether stderr is a
    terminal.

    Examples
    --------
    >>> show_progress(False)
    False
    """
    if progress is None:
        return bool(getattr(sys.stderr, "isatty", lambda: False)())
    return bool(progress)


def _blas() -> ThreadpoolController:
    """The BLAS libraries loaded in this process (found once per process)."""
    global _controller
    if _controller is None or _controller[0] != os.getpid():
        _controller = (os.getpid(), ThreadpoolController().select(user_api="blas"))
    return _controller[1]


@contextlib.contextmanager
def limit_blas(threads: int | None = None) -> Iterator[None]:
    """Limit the BLAS thread pools to ``threads`` (default: the number of cores)
    while the block runs, when they use more; restore them after.

    Examples
    --------
    >>> with limit_blas(1):
    ...     pass
    """
    if threads is not None and int(threads) <= 1:
        limit = 1  # no need to count the cores (joblib reads the cgroup files)
    else:
        cores = joblib.cpu_count()
        limit = cores if threads is None else min(int(threads), cores)
    blas = _blas()
    if all(lib.num_threads <= limit for lib in blas.lib_controllers):
        yield
        return
    with blas.limit(limits=limit):
        yield


def maps_arrays(X: Any) -> bool:
    """Whether resampling tasks on the design ``X`` (dense or scipy.sparse) should
    map their large arrays: ``X`` holds at least ``MAPPED_MIN_BYTES``.

    Examples
    --------
    >>> maps_arrays(np.zeros((10, 3))), maps_arrays(np.broadcast_to(0.0, (1 << 24, 1)))
    (False, True)
    """
    parts = [getattr(X, name, None) for name in ("data", "indices", "indptr")]
    if all(isinstance(a, np.ndarray) for a in parts):  # scipy.sparse compressed
        nbytes = sum(a.nbytes for a in parts)
    else:
        nbytes = int(np.prod(np.shape(X))) * 8
    return nbytes >= MAPPED_MIN_BYTES


def _run_chunk(
    func: Callable[[Any, Any], Any], shared: Any, chunk: list, mapped: bool = False
) -> list:
    """The results of ``func(shared, task)`` for the tasks of ``chunk``, with BLAS
    limited to one thread (in a worker process as in the caller) and, if ``mapped``,
    numpy's large arrays in their own mappings (:func:`mapped_arrays`)."""
    out = []
    with limit_blas(1), mapped_arrays() if mapped else contextlib.nullcontext():
        for task in chunk:
            before = _resident()
            out.append(func(shared, task))
            if before < 0 or _resident() - before > TRIM_MIN:
                _trim()
    return out


#: a task that leaves less than this many more bytes resident than it found does not
#: trim: handing back a small task's few megabytes costs more than it saves, since
#: the next task faults the same pages in again (a 31 x 4088 CV fold leaves about
#: 4.7 MB; its trim and the page faults after it took 15% of the fold's time)
TRIM_MIN = 8 << 20


def _resident() -> int:
    """The process's resident memory in bytes (Linux; -1 elsewhere, and then every
    task trims)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return -1


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@contextlib.contextmanager
def mapped_arrays() -> Iterator[None]:
    """While the block runs, numpy arrays of 128 KiB or more allocated in this thread
    (this context) are memory mappings of their own, returned to the system when
    freed (:mod:`penstat._taskmem`); other threads, and this one after the block,
    keep their allocator. Without the compiled module (a source tree not built), or
    with a numpy allocator set by the caller, nothing changes.

    Examples
    --------
    >>> import numpy as np
    >>> with mapped_arrays():
    ...     rows = np.zeros(1 << 20)
    >>> float(rows.sum())
    0.0
    """
    if _taskmem is None or _custom_allocator():
        yield
        return
    previous = _taskmem.use()
    try:
        yield
    finally:
        _taskmem.restore(previous)


def _custom_allocator() -> bool:
    """Whether the current context has a numpy allocator other than numpy's own
    (a caller's choice, which is kept)."""
    return _handler_name is not None and _handler_name() not in (
        "default_allocator",
        _taskmem.NAME,
    )


def _trim() -> None:
    """Hand the memory freed by the task back to the system (glibc's
    ``malloc_trim``; nothing elsewhere)."""
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL("libc.so.6")
            _libc.malloc_trim.argtypes = [ctypes.c_size_t]
        except (OSError, AttributeError):
            _libc = False
    if _libc:
        _libc.malloc_trim(0)


def run_tasks(
    func: Callable[[Any, Any], Any],
    shared: Any,
    tasks: Sequence[Any],
    n_jobs: int | None,
    progress: bool | None,
    desc: str,
    unit: str = "fit",
    prefer: str | None = None,
    mapped: bool = False,
) -> list:
    """``[func(shared, task) for task in tasks]``, in task order, run by joblib.

    ``prefer``: joblib's soft hint for the backend when the caller has not chosen
    one with ``joblib.parallel_config``. ``"threads"`` for tasks whose time is spent
    in the compiled kernels (they release the GIL): the workers then read the
    caller's ``X`` in place, where a process backend holds a second copy of it (its
    memory map) besides the caller's.

    ``mapped``: the tasks allocate numpy's large arrays in memory mappings of their
    own (:func:`mapped_arrays`); callers pass :func:`maps_arrays` of their design.

    With one worker every task is its own chunk (the bar moves per task); with more,
    a few chunks per worker keep pickling cheap and balance the load. Backends that
    cannot hand results back one chunk at a time (``multiprocessing``) return them
    all at the end; the bar then moves once.

    Examples
    --------
    >>> import operator
    >>> run_tasks(operator.sub, 10, range(4), None, False, "subtract")
    [10, 9, 8, 7]
    """
    tasks = list(tasks)
    show = show_progress(progress)
    workers = joblib.effective_n_jobs(n_jobs) if n_jobs != 1 else 1
    bar = _progress_bar(len(tasks), desc, unit) if show else None
    out: list = []
    with limit_blas(1):
        if workers <= 1:
            chunks = [[task] for task in tasks]
            results: Any = (_run_chunk(func, shared, chunk, mapped) for chunk in chunks)
        else:
            # a hint only when given: None would override a parallel_config(prefer=...)
            hint = {} if prefer is None else {"prefer": prefer}
            backend = joblib.parallel.get_active_backend(**hint)[0]
            # threads pickle nothing: one task per chunk balances the load best
            per = 1 if getattr(backend, "uses_threads", False) else 4 * workers
            n_chunks = len(tasks) if per == 1 else min(len(tasks), per)
            bounds = np.linspace(0, len(tasks), n_chunks + 1).astype(int)
            chunks = [
                tasks[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a
            ]
            stream = show and getattr(backend, "supports_return_generator", False)
            parallel = joblib.Parallel(
                n_jobs=n_jobs, return_as="generator" if stream else "list", **hint
            )
            results = parallel(
                joblib.delayed(_run_chunk)(func, shared, chunk, mapped) for chunk in chunks
            )
        for chunk, res in zip(chunks, results, strict=True):
            out.extend(res)
            if bar is not None:
                bar.update(len(chunk))
    if bar is not None:
        bar.close()
    return out


def _progress_bar(total: int, desc: str, unit: str):
    return tqdm(total=total, desc=desc, unit=unit, leave=False)
