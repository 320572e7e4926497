"""Stage 2, the solver: lasso / ridge / elastic-net paths on arrays.

:func:`fit_path` fits glmnet's objective along a lambda grid with compiled
coordinate-descent kernels (``_cd/``) and returns a :class:`Path`;
:func:`path_to_lam` fits a path that ends exactly at a fixed lambda.

>>> import numpy as np
>>> from penstat.solver import fit_path
>>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.5]])
>>> fit_path(X, np.array([1.0, 0.0, 1.5, 2.0]), nlambda=5).lambdas.size
5
"""

from penstat.solver.fit import fit_path, solve, take_rows
from penstat.solver.fixed_lam import path_to_lam
from penstat.solver.grid import lambda_grid
from penstat.solver.path import Path

__all__ = ["Path", "fit_path", "lambda_grid", "path_to_lam", "solve", "take_rows"]
