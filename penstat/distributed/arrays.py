"""The path of Dask arrays: :func:`fit_path` by passes over their row blocks.

``penstat.fit_path(X, y)`` comes here when ``X`` is a Dask array. The row blocks of
``X`` (one block of columns: ``X`` is rechunked to whole rows if needed), ``y`` and
the weights (rechunked to the rows of ``X``) are reduced to
:class:`~penstat.solver.gram.GramStats` on their workers and merged in a tree; the
gaussian path takes one pass, the binomial one a pass per IRLS step
(:func:`~penstat.solver.gram.binomial_paths_by_passes`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from penstat._errors import ArgumentError, DataError
from penstat._validation import as_response, real_values, refuse_text_or_bool
from penstat.distributed.passes import Scan
from penstat.solver import Path
from penstat.solver.gram import GramStats
from penstat.spec import FitSpec

__all__ = ["fit_path_dask"]


def is_dask_array(x) -> bool:
    """Whether ``x`` is a Dask array (without importing Dask)."""
    return type(x).__module__.startswith("dask") and hasattr(x, "to_delayed")


def _stats_task(block, start, family):
    X, y, w = block
    if family == "binomial":  # 0/1 (or proportions), checked where the rows are
        y = as_response(y, len(y), family)
    return [GramStats.from_arrays(np.asarray(X, dtype=float), np.asarray(y, float), w)]


def _irls_task(block, start, requests):
    from penstat.solver.gram import irls_pass_stats

    X, y, w = block
    X = np.asarray(X, dtype=float)
    return [
        irls_pass_stats(X, np.asarray(y, float), w, None, b0, b) for _, b0, b in requests
    ]


def _merge_list(a, b):
    return [x.merge(y) for x, y in zip(a, b, strict=True)]


def _blocks(X, y, weights):
    import dask
    import dask.array as da

    if X.ndim != 2:
        raise ArgumentError(f"X must be a 2-d Dask array, got {X.ndim} dimensions")
    for name, arr in (("X", X), ("y", y)):  # the dtypes are known before any pass
        real_values(arr, name)
        if getattr(arr, "dtype", np.dtype(float)).kind not in "biuf":
            raise DataError(f"{name} must hold numbers, not {arr.dtype}")
    X = X.rechunk({1: -1})
    rows = X.chunks[0]
    y = da.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ArgumentError(f"y has shape {y.shape} but X has {X.shape[0]} rows")
    y = y.rechunk((rows,))
    ws = None
    if weights is not None:
        kind = getattr(getattr(weights, "dtype", None), "kind", "")
        if not dask.is_dask_collection(weights):
            refuse_text_or_bool(weights, "weights")
        elif kind and kind in "bUS":  # read from the dtype: no pass over the data
            what = "booleans" if kind == "b" else "text"
            raise ArgumentError(
                f"weights holds {what} ({weights.dtype}); weights must be numbers: "
                "convert them first (e.g. weights.astype(float))"
            )
        w = da.asarray(weights, dtype=float)
        if w.shape != y.shape:
            raise ArgumentError(
                f"weights have shape {w.shape}; give one weight per row ({y.shape[0]})"
            )
        ws = w.rechunk((rows,)).to_delayed().ravel().tolist()
    xs = X.to_delayed().ravel().tolist()
    ys = y.to_delayed().ravel().tolist()
    return [
        dask.delayed(tuple)([xs[i], ys[i], None if ws is None else ws[i]])
        for i in range(len(xs))
    ]


def fit_path_dask(
    X: Any,
    y: Any,
    family: str = "gaussian",
    weights: Any = None,
    offset: Any = None,
    lower_limits: Any = None,
    upper_limits: Any = None,
    groups: Any = None,
    client=None,
    **options: Any,
) -> Path:
    """:func:`penstat.fit_path` of Dask arrays ``X`` (n, p), ``y`` and the weights,
    by passes over their row blocks; equal to the in-memory path (module
    docstring). The options are those of :func:`penstat.fit_path` (with
    ``groups`` the group lasso, with ``l1_within`` the sparse-group lasso); an
    offset and limits are refused.

    Examples
    --------
    >>> import dask.array as da
    >>> import penstat as ps
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((300, 4))
    >>> y = X[:, 0] + rng.standard_normal(300)
    >>> path = ps.fit_path(da.from_array(X, chunks=(100, 4)), da.from_array(y, chunks=100))
    >>> bool(np.allclose(path.coefs, ps.fit_path(X, y).coefs, rtol=1e-8, atol=1e-12))
    True
    """
    for name, value in (("offset", offset), ("lower_limits", lower_limits),
                        ("upper_limits", upper_limits)):  # fmt: skip
        if value is not None:
            raise ArgumentError(
                f"{name}= is not available for Dask arrays; fit in memory (numpy) "
                f"for it, or drop {name}"
            )
    scan = Scan(None, client, parts=_blocks(X, y, weights))
    (total,) = scan.run(_stats_task, family, _merge_list)
    if not (np.isfinite(total.xx).all() and np.isfinite(total.xy).all()) or not (
        np.isfinite(total.yy)
    ):
        raise DataError(
            "the sums of squares of X's columns (or their products with y) overflow "
            "float64: X or y has values too large; rescale them (the coefficients "
            "scale with them)"
        )
    n, p = total.n_rows, total.p
    spec = FitSpec.build(n, p, family=family, groups=groups, **options)
    if spec.family == "gaussian":
        from penstat.solver.gram import gaussian_path_from_stats

        return gaussian_path_from_stats(total, spec)
    from penstat.solver.gram import binomial_paths_by_passes

    paths, _ = binomial_paths_by_passes(
        [total], spec, lambda requests: scan.run(_irls_task, list(requests), _merge_list)
    )
    return paths[0]
