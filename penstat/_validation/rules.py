"""The vocabulary of lambda rules, CV measures and folds, and the checks of the
arguments that name them (and of the report source and the formula namespace)."""

from __future__ import annotations

import numbers
import os
from typing import Any

import numpy as np

from penstat._errors import ArgumentError, DataError

__all__ = [
    "CRITERIA",
    "CV_GRIDS",
    "CV_RULES",
    "MEASURES",
    "MEASURE_NAMES",
    "MIN_FOLDS",
    "RULES",
    "check_cv_grid",
    "check_foldid",
    "check_formula_env",
    "check_measure",
    "check_na_action",
    "check_nfolds",
    "check_offset_not_response",
    "check_relax_penalty",
    "check_rule",
    "check_source",
    "check_stratify",
]

# -- vocabulary of the lambda rules and CV measures ---------------------------------

CRITERIA = ("aic", "bic", "ebic")
CV_RULES = ("cv_1se", "cv_min")
RULES = CV_RULES + CRITERIA
MEASURES = {
    "gaussian": ("mse", "mae"),
    "binomial": ("deviance", "class", "auc", "mse", "mae"),
}
MEASURE_NAMES = {
    "mse": "mean squared error",
    "mae": "mean absolute error",
    "deviance": "binomial deviance",
    "class": "misclassification error",
    "auc": "AUC",
}
MIN_FOLDS = 3  # cv.glmnet refuses fewer than three folds
CV_GRIDS = ("full", "glmnet")  # the lambdas a CV fold is fitted at


def check_cv_grid(cv_grid: Any) -> str:
    """``cv_grid``: ``"full"`` (folds fitted at the full data's lambdas) or
    ``"glmnet"`` (each fold on its own grid, as ``cv.glmnet`` by default).

    Examples
    --------
    >>> check_cv_grid("glmnet")
    'glmnet'
    """
    if cv_grid not in CV_GRIDS:
        raise ArgumentError(
            f"cv_grid={cv_grid!r}: use 'full' (every fold fitted at the full data's "
            "lambdas) or 'glmnet' (each fold on its own grid, cv.glmnet's default)"
        )
    return cv_grid


def check_rule(rule: Any) -> str | float:
    """The rule name, or the float lambda of a fixed rule.

    Examples
    --------
    >>> check_rule("bic"), check_rule(0.5)
    ('bic', 0.5)
    """
    if isinstance(rule, str):
        if rule not in RULES:
            raise ArgumentError(
                f"select={rule!r} is not a rule; use one of: {', '.join(RULES)}, "
                "or a number (a fixed lambda)"
            )
        return rule
    if isinstance(rule, numbers.Real) and not isinstance(rule, bool):
        lam = float(rule)
        if not np.isfinite(lam) or lam < 0:
            raise ArgumentError(
                f"a fixed lambda must be finite and >= 0, got select={rule!r}"
            )
        return lam
    raise ArgumentError(
        f"select={rule!r} is not a rule; use one of: {', '.join(RULES)}, "
        "or a number (a fixed lambda)"
    )


def check_measure(measure: Any, family: str) -> str:
    """``measure`` checked for ``family`` (default: mse or deviance).

    Examples
    --------
    >>> check_measure(None, "binomial")
    'deviance'
    """
    valid = MEASURES[family]
    if measure is None:
        return valid[0]
    if not isinstance(measure, str) or measure not in MEASURE_NAMES:
        raise ArgumentError(
            f"measure={measure!r} is not a CV measure; use one of: "
            + ", ".join(MEASURE_NAMES)
        )
    if measure not in valid:
        raise ArgumentError(
            f"measure={measure!r} is not available for the {family} family; "
            f"use one of: {', '.join(valid)}"
        )
    return measure


def check_nfolds(nfolds: Any, n: int) -> int:
    """``nfolds`` checked against the number of observations ``n``.

    Examples
    --------
    >>> check_nfolds(10, 100)
    10
    """
    if isinstance(nfolds, bool) or not isinstance(nfolds, numbers.Integral):
        raise ArgumentError(f"nfolds must be an integer, got {nfolds!r}")
    nfolds = int(nfolds)
    if nfolds < MIN_FOLDS:
        raise ArgumentError(
            f"nfolds={nfolds} is too small: cross-validation needs at least "
            f"{MIN_FOLDS} folds (10 is recommended)"
        )
    if nfolds > n:
        raise DataError(
            f"nfolds={nfolds} is larger than the number of observations ({n}): "
            f"too few rows for {nfolds}-fold cross-validation; use nfolds <= {n}, "
            "or an information criterion (select='bic')"
        )
    return nfolds


def check_foldid(foldid: Any, n: int) -> np.ndarray:
    """A user's fold labels, recoded to ``0 .. K-1``.

    Any labels are accepted (integers, strings); folds are ordered by sorted label.

    Examples
    --------
    >>> check_foldid([3, 1, 2, 3, 1, 2], 6).tolist()
    [2, 0, 1, 2, 0, 1]
    """
    labels = np.asarray(foldid)
    if labels.ndim != 1:
        raise ArgumentError(f"foldid must be one-dimensional, got shape {labels.shape}")
    if labels.shape[0] != n:
        raise ArgumentError(
            f"foldid has length {labels.shape[0]} but the data have {n} observations; "
            "give one fold label per row"
        )
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ArgumentError("foldid contains NaN or inf; give every row a fold label")
    if labels.dtype == object and any(v is None for v in labels):
        raise ArgumentError("foldid contains missing labels; give every row a fold label")
    try:
        _, codes = np.unique(labels, return_inverse=True)
    except TypeError as exc:
        raise ArgumentError(
            "foldid labels must be comparable (all numbers or all strings)"
        ) from exc
    codes = codes.astype(np.intp).ravel()
    k = int(codes.max()) + 1 if n else 0
    if k < MIN_FOLDS:
        raise ArgumentError(
            f"foldid has {k} distinct fold{'s' if k != 1 else ''}; cross-validation "
            f"needs at least {MIN_FOLDS}"
        )
    return codes


def check_stratify(stratify: Any, family: str) -> bool | None:
    """``stratify`` as None (the family's default) or a bool, checked against ``family``.

    Examples
    --------
    >>> check_stratify(None, "gaussian") is None, check_stratify(True, "binomial")
    (True, True)
    """
    if stratify is None:
        return None
    if not isinstance(stratify, (bool, np.bool_)):
        raise ArgumentError(f"stratify={stratify!r} must be True, False or None")
    if stratify and family != "binomial":
        raise ArgumentError(
            "stratify=True is for the binomial family only (it deals the two classes over "
            f"the folds); family={family!r} has no classes, so leave stratify=None"
        )
    return bool(stratify)


def check_source(source: Any) -> str | None:
    """``source`` (where a report's data came from) as a str, or None.

    A file name (a str or a path) or ``"dataset:<name>"``; the text is only shown,
    never opened.

    Examples
    --------
    >>> import pathlib
    >>> check_source(pathlib.Path("data") / "trial.csv")
    'data/trial.csv'
    >>> check_source(None) is None
    True
    """
    if source is None:
        return None
    if isinstance(source, (str, os.PathLike)):
        text = os.fspath(source)
        if isinstance(text, str) and text.strip():
            return text
    raise ArgumentError(
        f"source={source!r} must name the data: a file name (e.g. 'trial.csv') or "
        "'dataset:<name>' for a penstat dataset; leave it out if there is none"
    )


def check_formula_env(value: Any, eval_env: Any = None) -> str | None:
    """``formula_env``: None, ``"caller"`` or ``"safe"`` (not with an ``eval_env``).

    Examples
    --------
    >>> check_formula_env("safe"), check_formula_env(None)
    ('safe', None)
    """
    if value is not None and value not in ("caller", "safe"):
        raise ArgumentError(
            f"formula_env={value!r}; use 'caller' (names that are not columns are looked "
            "up where penstat was called, as in R) or 'safe' (only the columns and the "
            "listed formula functions; nothing else can run)"
        )
    if value is not None and eval_env is not None:
        raise ArgumentError(f"give eval_env= or formula_env={value!r}, not both")
    return value


def check_na_action(na_action: Any) -> str:
    """``na_action``: ``"drop"`` (rows with a missing value are left out) or
    ``"raise"``.

    Examples
    --------
    >>> check_na_action("drop")
    'drop'
    """
    if not isinstance(na_action, str) or na_action not in ("drop", "raise"):
        raise ArgumentError(f"na_action={na_action!r}; use 'drop' or 'raise'")
    return na_action


def check_offset_not_response(offset: Any, response_columns) -> None:
    """An offset column may not be a column of the response: the gaussian fit would
    model ``y - y = 0`` and the binomial one the response's own log-odds.

    Examples
    --------
    >>> check_offset_not_response("base", ["y"])
    """
    if isinstance(offset, str) and offset in list(response_columns):
        raise ArgumentError(
            f"offset={offset!r} is the response column of the formula: the fit would "
            "explain the response by itself (a gaussian fit models y - offset = 0); "
            "give the offset its own column (a known part of the linear predictor, "
            "e.g. the log of an exposure)"
        )


def check_relax_penalty(relax: bool, l1_ratio: Any) -> None:
    """``relax=True`` refits the active set of a path with an L1 part: a ridge path
    (``l1_ratio=0``) keeps every column at every lambda, so its relaxed fits would be
    one unpenalized least-squares fit, not a relaxed lasso.

    Examples
    --------
    >>> check_relax_penalty(True, 0.5)
    """
    mixes = l1_ratio if isinstance(l1_ratio, (tuple, list)) else (l1_ratio,)
    if relax and any(m is not None and float(m) == 0.0 for m in mixes):
        raise ArgumentError(
            "relax=True blends a path with the unpenalized refit of its active set, "
            "but a ridge path (l1_ratio=0) keeps every column at every lambda: every "
            "relaxed fit would be the same unpenalized fit of all columns. Use "
            "penalty='l1' or 'elasticnet' with relax, or drop relax"
        )
