"""Every argument check, in one package, so that each user mistake has one message.

Each function takes the value and the name the user gave it, and returns the value
in the form the pipeline uses, or raises a :class:`~penstat.PenstatError` subclass
that names the argument and says what to do.

>>> from penstat._validation import check_l1_ratio, positive_int
>>> check_l1_ratio(1)
1.0
>>> positive_int(3, "nlambda")
3
"""

from penstat._validation.arrays import (
    as_lambdas,
    as_limits,
    as_matrix,
    as_offset,
    as_response,
    as_weights,
    check_two_classes,
    row_values,
)
from penstat._validation.rules import (
    CRITERIA,
    CV_GRIDS,
    CV_RULES,
    MEASURE_NAMES,
    MEASURES,
    MIN_FOLDS,
    RULES,
    check_cv_grid,
    check_foldid,
    check_formula_env,
    check_measure,
    check_nfolds,
    check_rule,
    check_source,
    check_stratify,
)
from penstat._validation.scalars import (
    check_factor,
    check_gamma,
    check_int,
    check_l1_ratio,
    check_lam,
    check_n_jobs,
    check_nlambda,
    fresh_seed,
    limit_value,
    positive_int,
    positive_number,
    real_number,
    resolve_seed,
    seed_sequence,
)

__all__ = [
    "CRITERIA",
    "CV_GRIDS",
    "CV_RULES",
    "MEASURES",
    "MEASURE_NAMES",
    "MIN_FOLDS",
    "RULES",
    "as_lambdas",
    "as_limits",
    "as_matrix",
    "as_offset",
    "as_response",
    "as_weights",
    "check_cv_grid",
    "check_factor",
    "check_foldid",
    "check_formula_env",
    "check_gamma",
    "check_int",
    "check_l1_ratio",
    "check_lam",
    "check_measure",
    "check_n_jobs",
    "check_nlambda",
    "check_nfolds",
    "check_rule",
    "check_source",
    "check_stratify",
    "check_two_classes",
    "fresh_seed",
    "limit_value",
    "positive_int",
    "positive_number",
    "real_number",
    "resolve_seed",
    "row_values",
    "seed_sequence",
]
