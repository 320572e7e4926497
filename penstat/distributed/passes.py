"""Passes over the partitions of a Dask DataFrame: map, then tree-reduce.

A pass maps a function over every partition (each partition is read, coded by the
:class:`~penstat.distributed.design.PartitionDesign` and reduced to small summaries
on its worker, in one task: the partition itself is never stored, spilled or
moved) and merges the summaries pairwise in a tree (``GramStats.merge``), so only
summaries, never rows, travel to the caller. :class:`Scan` counts its passes.

The scheduler: a ``dask.distributed`` Client when one exists (the default client, or
the one given), else dask's default scheduler (threads, on this machine). For real
work start a cluster first, e.g. ``distributed.Client(distributed.LocalCluster())``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import dask
import numpy as np
import pandas as pd

from penstat._runner import limit_blas
from penstat.solver.gram import GramStats

__all__ = ["Scan", "partition_fold_stats"]

_SPLIT_EVERY = 8


def current_client(client=None):
    """The ``dask.distributed`` Client to run on: ``client`` if given, else the
    default client when one exists, else None (dask's default scheduler)."""
    if client is not None:
        return client
    try:
        from distributed import default_client
    except ImportError:  # pragma: no cover - distributed is part of the dask extra
        return None
    try:
        return default_client()
    except ValueError:
        return None


def tree_reduce(
    items: list, combine: Callable[[Any, Any], Any], split_every: int = _SPLIT_EVERY
):
    """Merge delayed ``items`` in a tree of fan-in ``split_every`` (order kept:
    ``combine`` sees left before right)."""
    level = list(items)
    while len(level) > 1:
        level = [
            dask.delayed(_combine_many, pure=True)(combine, *level[i : i + split_every])
            for i in range(0, len(level), split_every)
        ]
    return level[0]


def _combine_many(combine, *parts):
    out = parts[0]
    for part in parts[1:]:
        out = combine(out, part)
    return out


def partition_fold_stats(X, y, w, fold, nfold: int) -> list[GramStats]:
    """The statistics (:meth:`GramStats.from_arrays`) of the rows of each fold
    ``0 .. nfold - 1`` of one partition (``fold`` None or ``nfold`` 1: one "fold",
    every row), each with ``extra`` its rows of positive weight. The rows are put
    in fold order once (a stable sort: each fold's rows keep their order), so that
    every fold is a slice, not a masked copy of the rows.

    Examples
    --------
    >>> X = np.arange(12.0).reshape(6, 2)
    >>> y, fold = np.arange(6.0), np.array([1, 0, 1, 0, 2, 2])
    >>> stats = partition_fold_stats(X, y, None, fold, 3)
    >>> [(s.n_rows, s.x_mean.tolist(), s.extra) for s in stats]
    [(2, [4.0, 5.0], 2.0), (2, [2.0, 3.0], 2.0), (2, [9.0, 10.0], 2.0)]
    """
    p = X.shape[1]
    if fold is None or nfold == 1:
        bounds, Xs, ys, ws = np.array([0, y.shape[0]]), X, y, w
        nfold = 1
    else:
        order = np.argsort(fold, kind="stable")
        bounds = np.searchsorted(fold[order], np.arange(nfold + 1), side="left")
        Xs = np.empty(X.shape, order="F")
        for j in range(p):
            np.take(X[:, j], order, out=Xs[:, j])
        ys = y[order]
        ws = None if w is None else w[order]
    out = []
    for k in range(nfold):
        a, b = int(bounds[k]), int(bounds[k + 1])
        wk = None if ws is None else ws[a:b]
        npos = b - a if wk is None else int(np.count_nonzero(wk > 0))
        if b == a:
            out.append(GramStats.empty(p))
        else:
            out.append(GramStats.from_arrays(Xs[a:b], ys[a:b], wk, extra=float(npos)))
    return out


def _on_partition(part, start, func, shared):
    # one BLAS thread per task, as penstat's other parallel tasks: the workers' own
    # threads are the parallelism (several BLAS threads per task oversubscribe)
    with limit_blas(1):
        return func(part, int(start), shared)


def _on_numbered_partition(part, starts, func, shared, partition_info=None):
    return _on_partition(part, starts[partition_info["number"]], func, shared)


class Scan:
    """The partitions of a Dask DataFrame and the passes run over them.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame or None
    client : distributed.Client, optional
        Default: the current default client, else dask's default scheduler.
    parts : list of dask.delayed.Delayed, optional
        The partitions, instead of those of ``ddf`` (e.g. blocks of Dask arrays).
    columns : list of str, optional
        The columns the passes read (default all): the others are never read (a
        Parquet file's other columns are not loaded).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> ddf = dd.from_pandas(pd.DataFrame({"x": range(10)}), npartitions=3)
    >>> scan = Scan(ddf)
    >>> count = scan.run(lambda part, start, shared: len(part), None, lambda a, b: a + b)
    >>> count, scan.passes
    (10, 1)
    """

    def __init__(self, ddf, client=None, parts=None, columns=None):
        self.frame = None
        if parts is None:
            self.frame = ddf if columns is None else ddf[list(dict.fromkeys(columns))]
            self.parts = self.frame.to_delayed()
        else:
            self.parts = list(parts)
        self.client = current_client(client)
        self.passes = 0
        self.starts = None

    def run(self, func, shared, combine, starts=None):
        """One pass: ``func(partition, start, shared)`` on every partition
        (``start`` its global first row, 0 when unknown), merged by ``combine``."""
        starts = self.starts if starts is None else starts
        # named, not tokenized: a patsy DesignInfo cannot be hashed deterministically
        shared_d = dask.delayed(
            shared, name=f"penstat-shared-{uuid.uuid4().hex}", traverse=False
        )
        if self.frame is not None:
            # the function mapped over the frame's partitions: each partition is read
            # and coded in one task (the read fused with the function), so the
            # partition is never stored on a worker, spilled or moved between them
            starts = np.zeros(len(self.parts), np.int64) if starts is None else starts
            mapped = self.frame.map_partitions(
                _on_numbered_partition,
                np.asarray(starts, dtype=np.int64),
                func,
                shared_d,
                meta=pd.Series([], dtype=object),
                enforce_metadata=False,
                align_dataframes=False,
            )
            tasks = mapped.to_delayed()
        else:
            tasks = [
                dask.delayed(_on_partition, pure=True)(
                    part, 0 if starts is None else starts[i], func, shared_d
                )
                for i, part in enumerate(self.parts)
            ]
        total = tree_reduce(tasks, combine)
        self.passes += 1
        if self.client is not None:
            return self.client.compute(total).result()
        return total.compute()
