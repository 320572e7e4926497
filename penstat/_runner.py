"""One parallel runner for every repeated fit: CV folds, bootstrap replicates and
stability-selection subsamples.

Tasks run through joblib, so a user's ``joblib.parallel_config`` (a Dask cluster,
say) applies; results come back in task order whatever the backend, and each task's
randomness is drawn up front by its caller, so numbers do not depend on ``n_jobs``.
A progress bar (tqdm) is shown when asked, or by default when stderr is a terminal.

>>> from penstat._runner import run_chunks
>>> run_chunks(lambda chunk: [t * t for t in chunk], [1, 2, 3], n_jobs=1, progress=False,
...            desc="squares")
[1, 4, 9]
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import joblib
import numpy as np
from tqdm.auto import tqdm

__all__ = ["run_chunks", "show_progress"]


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


def run_chunks(
    job: Callable[[list], list],
    tasks: Sequence[Any],
    n_jobs: int | None,
    progress: bool | None,
    desc: str,
    unit: str = "fit",
) -> list:
    """Run ``job`` over chunks of ``tasks``; its results in task order, as one list.

    ``job`` takes a list of tasks and returns one result per task. With one worker
    every task is its own chunk (the bar moves per task); with more, a few chunks per
    worker keep pickling cheap and balance the load.

    Examples
    --------
    >>> run_chunks(lambda chunk: [-t for t in chunk], range(4), None, False, "negate")
    [0, -1, -2, -3]
    """
    tasks = list(tasks)
    show = show_progress(progress)
    workers = joblib.effective_n_jobs(n_jobs) if n_jobs != 1 else 1
    if workers <= 1:
        chunks = [[task] for task in tasks]
        results: Any = (job(chunk) for chunk in chunks)
    else:
        n_chunks = min(len(tasks), 4 * workers)
        bounds = np.linspace(0, len(tasks), n_chunks + 1).astype(int)
        chunks = [tasks[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
        parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator" if show else "list")
        results = parallel(joblib.delayed(job)(chunk) for chunk in chunks)
    bar = _progress_bar(len(tasks), desc, unit) if show else None
    out: list = []
    for chunk, res in zip(chunks, results, strict=True):
        out.extend(res)
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    return out


def _progress_bar(total: int, desc: str, unit: str):
    return tqdm(total=total, desc=desc, unit=unit, leave=False)
