"""The path at a fixed lambda: glmnet's grid down to ``lam``, with ``lam`` on it.

Solving at one lambda from a cold start is slow and less accurate than following
the path from lambda_max with warm starts, so a fixed ``lam`` is fitted as part of
a path whose grid contains ``lam`` exactly.

>>> import numpy as np
>>> from penstat._fixed_lam import path_to_lam
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((50, 4))
>>> y = X[:, 0] + rng.standard_normal(50)
>>> path, index = path_to_lam(X, y, 0.1, l1_ratio=1.0)
>>> float(path.lambdas[index]), index == len(path.lambdas) - 1
(0.1, True)
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

# grid values within this relative distance above lam are dropped in favour of lam
_ABOVE = 1e-10
# a grid value this close to lam (relative) is taken as lam itself
_ON_GRID = 1e-12


def path_to_lam(
    X: Any,
    y: Any,
    lam: float,
    *,
    l1_ratio: float,
    weights: Any = None,
    path_options: dict | None = None,
    nlambda: int = 100,
    lambda_min_ratio: float | None = None,
    lambdas: Any = None,
    full_grid: bool = False,
    offset: Any = None,
) -> tuple[Any, int]:
    """Fit a path whose grid holds ``lam``; return it and the position of ``lam``.

    Parameters
    ----------
    X, y, weights, offset
        As :func:`penstat.fit_path` (``offset``: the known part of each row's
        linear predictor, fixed coefficient 1).
    lam : float
        The lambda wanted exactly (>= 0, already checked).
    l1_ratio : float
        The L1 / L2 mix.
    path_options : dict, optional
        Further :func:`penstat.fit_path` keywords (family, penalty_factor,
        standardize, fit_intercept, tol, max_iter).
    nlambda, lambda_min_ratio
        glmnet's default grid, used when ``lambdas`` is None.
    lambdas : array, optional
        A decreasing grid to use instead of the default one.
    full_grid : bool
        False: the grid is cut at ``lam`` and ends with ``lam`` (the index is the
        last). True: the whole path is fitted (the default grid as ``fit_path``
        makes it, early stop included, or ``lambdas``) and ``lam`` is inserted
        where it falls, unless it is already on the grid; the path then shows what
        lies on both sides of ``lam``.

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
    from penstat.path import _fit_path, fit_path

    options = {
        name: param.default
        for name, param in inspect.signature(fit_path).parameters.items()
        if param.default is not inspect.Parameter.empty
    }
    own = {"l1_ratio", "weights", "nlambda", "lambda_min_ratio", "lambdas", "offset"}
    clash = sorted(own.intersection(path_options or {}))
    if clash:
        names = ", ".join(clash)
        raise TypeError(f"path_to_lam: pass {names} as arguments, not in path_options")
    options.update(path_options or {})
    options.update(
        l1_ratio=l1_ratio,
        weights=weights,
        offset=offset,
        nlambda=nlambda,
        lambda_min_ratio=lambda_min_ratio,
    )

    def fit(grid, cut_grid=None):
        return _fit_path(X, y, **{**options, "lambdas": grid}, cut_grid=cut_grid)

    def cut_at_lam(grid):
        grid = np.asarray(grid, float)
        return np.append(grid[grid > lam * (1 + _ABOVE)], lam)

    if full_grid:
        base = fit(lambdas)
        grid = np.asarray(base.lambdas, float)
        close = np.flatnonzero(np.isclose(grid, lam, rtol=_ON_GRID, atol=0.0))
        if close.size:
            return base, int(close[0])
        path = fit(np.sort(np.append(grid, lam))[::-1])
    elif lambdas is None:
        # glmnet's grid, computed inside the one fit, down to lam and ending on it
        path = fit(None, cut_grid=cut_at_lam)
    else:
        path = fit(cut_at_lam(lambdas))
    return path, int(np.flatnonzero(np.asarray(path.lambdas) == lam)[0])
