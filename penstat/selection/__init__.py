"""Stage 3, lambda selection: cross-validation (as ``cv.glmnet``), information
criteria (AIC, BIC, extended BIC) and the search over the L1 / L2 mix.

>>> import penstat as ps
>>> df = ps.datasets.load("diabetes")
>>> X, y = df.drop(columns="y").to_numpy(), df["y"].to_numpy()
>>> ps.select_lambda(ps.fit_path(X, y), X, y, rule="bic").rule
'bic'
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
