"""The path at a fixed lambda: glmnet's grid down to ``lam``, with ``lam`` on it.

Solving at one lambda from a cold start is slow and less accurate than following
the path from lambda_max with warm starts, so a fixed ``lam`` is fitted as part of
a path whose grid contains ``lam`` exactly.

>>> import numpy as np
>>> from penstat.solver import path_to_lam
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((50, 4))
>>> y = X[:, 0] + rng.standard_normal(50)
>>> path, index = path_to_lam(X, y, 0.1, l1_ratio=1.0)
>>> float(path.lambdas[index]), index == len(path.lambdas) - 1
(0.1, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from penstat._validation import check_lam
from penstat.solver.fit import checked, solve
from penstat.solver.path import Path
from penstat.spec import FitSpec

__all__ = ["lam_path", "path_to_lam"]

# grid values within this relative distance above lam are dropped in favour of lam
_ABOVE = 1e-10
# a grid value this close to lam (relative) is taken as lam itself
_ON_GRID = 1e-12


def path_to_lam(
    X: Any, y: Any, lam: float, *, full_grid: bool = False, **options: Any
) -> tuple[Path, int]:
    """Fit a path whose grid holds ``lam``; return it and the position of ``lam``.

    Parameters
    ----------
    X, y
        As :func:`penstat.fit_path`.
    lam : float
        The lambda wanted exactly (>= 0).
    full_grid : bool
        False: the grid is cut at ``lam`` and ends with ``lam`` (the index is the
        last). True: the whole path is fitted (the default grid as ``fit_path``
        makes it, early stop included, or ``lambdas``) and ``lam`` is inserted
        where it falls, unless it is already on the grid; the path then shows what
        lies on both sides of ``lam``.
    **options
        :func:`penstat.fit_path`'s keyword arguments (``l1_ratio``, ``weights``,
        ``lambdas``, ``nlambda``, ...); ``lambdas`` replaces glmnet's grid.

    Returns
    -------
    (Path, int)
        The path and the index of ``lam`` in ``path.lambdas``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> X = rng.standard_normal((40, 3))
    >>> y = X[:, 1] + rng.standard_normal(40)
    >>> path, index = path_to_lam(X, y, 0.05, l1_ratio=1.0, full_grid=True)
    >>> float(path.lambdas[index]), bool(path.lambdas[-1] < 0.05)
    (0.05, True)
    """
    Xa, ya, spec = checked(X, y, **options)
    return lam_path(Xa, ya, check_lam(lam), spec, full_grid=full_grid)


def lam_path(
    X: np.ndarray,
    y: np.ndarray,
    lam: float,
    spec: FitSpec,
    full_grid: bool = False,
    rows=None,
) -> tuple[Path, int]:
    """:func:`path_to_lam` on checked arrays and a spec (``spec.lambdas``: the grid
    to use instead of glmnet's); nothing is validated again. ``rows``: fit the rows
    ``X[rows]`` (``y`` and ``spec`` are theirs), as :func:`~penstat.solver.solve`.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.5]])
    >>> path, index = lam_path(X, np.array([1.0, 0.0, 1.5, 2.0]), 0.1, FitSpec())
    >>> float(path.lambdas[index])
    0.1
    """

    def cut_at_lam(grid):
        grid = np.asarray(grid, float)
        return np.append(grid[grid > lam * (1 + _ABOVE)], lam)

    if full_grid:
        base = solve(X, y, spec, rows=rows)
        grid = np.asarray(base.lambdas, float)
        close = np.flatnonzero(np.isclose(grid, lam, rtol=_ON_GRID, atol=0.0))
        if close.size:
            return base, int(close[0])
        path = solve(X, y, spec.with_grid(np.sort(np.append(grid, lam))[::-1]), rows=rows)
    elif spec.lambdas is None:
        # glmnet's grid, computed inside the one fit, down to lam and ending on it
        path = solve(X, y, spec, cut_grid=cut_at_lam, rows=rows)
    else:
        path = solve(X, y, spec.with_grid(cut_at_lam(spec.lambdas)), rows=rows)
    return path, int(np.flatnonzero(np.asarray(path.lambdas) == lam)[0])
