"""Penalized paths on Dask DataFrames and arrays, by passes over the partitions.

The formula layer codes every partition with one ``DesignInfo``
(:mod:`penstat.distributed.design`); a pass maps a function over the partitions and
merges the results in a tree (:mod:`penstat.distributed.passes`); the gaussian path
and its CV need two passes, the binomial one a pass per IRLS step
(:mod:`penstat.distributed.fit`). ``penstat.fit(formula, data=ddf)`` runs here when
``data`` is a Dask DataFrame; see the user guide's Dask page.
"""

from penstat.distributed.design import hash_folds

__all__ = ["hash_folds"]
