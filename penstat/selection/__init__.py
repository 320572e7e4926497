"""Stage 3, lambda selection: cross-validation (as ``cv.glmnet``), information
criteria (AIC, BIC, extended BIC) and the search over the L1 / L2 mix.

>>> import numpy as np
>>> from penstat.solver import fit_path
>>> from penstat.selection import select_lambda
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((80, 5))
>>> y = X[:, 0] + rng.standard_normal(80)
>>> select_lambda(fit_path(X, y), X, y, rule="cv_1se", seed=0).rule
'cv_1se'
"""

from penstat.selection.criteria import criteria_table, effective_df
from penstat.selection.cv import cross_validate
from penstat.selection.folds import make_folds
from penstat.selection.l1_ratio import select_l1_ratio
from penstat.selection.result import CVResult, L1RatioSearch, Selection
from penstat.selection.rules import select_lambda

__all__ = [
    "CVResult",
    "L1RatioSearch",
    "Selection",
    "criteria_table",
    "cross_validate",
    "effective_df",
    "make_folds",
    "select_l1_ratio",
    "select_lambda",
]
