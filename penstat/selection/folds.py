"""Cross-validation folds: random, stratified by class, or given by the user.

Folds are labelled ``0 .. K-1`` internally. Random folds follow ``cv.glmnet``
(a random permutation of ``rep(1:K, length = n)``, so fold sizes differ by at
most one), drawn from a :class:`numpy.random.Generator`.

>>> import numpy as np
>>> from penstat.selection.folds import make_folds
>>> folds = make_folds(12, nfolds=3, seed=0)
>>> sorted(np.bincount(folds).tolist())
[4, 4, 4]
"""

from __future__ import annotations

import numpy as np

from penstat._errors import ArgumentError, DataError
from penstat._validation import check_foldid, check_nfolds, check_stratify

__all__ = ["make_folds", "resolve_folds"]


def make_folds(
    n: int,
    nfolds: int = 10,
    y: np.ndarray | None = None,
    stratify: bool = False,
    seed: int | np.random.Generator | None = None,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Assign ``n`` observations to ``nfolds`` folds at random.

    Parameters
    ----------
    n : int
        Number of observations.
    nfolds : int
        Number of folds, ``3 <= nfolds <= n``.
    y : array of 0/1 or of proportions in [0, 1], optional
        Binary response, needed when ``stratify`` is true.
    stratify : bool
        Spread each class evenly over the folds, so that every fold holds both
        classes. The observations are ordered by class, randomly within class, and
        dealt to the folds in turn; fold sizes still differ by at most one.
        Proportions (grouped data) are ordered by their value, randomly among
        equal ones, and dealt likewise, so every fold gets a like spread of them;
        the check that every fold holds both classes applies to 0/1 labels only.
    seed : int, Generator or None
        Source of randomness (``numpy.random.default_rng(seed)``). ``None`` draws
        fresh entropy, so the folds differ from run to run.
    weights : array, optional
        Observation weights. With ``stratify``, only rows of positive weight are
        counted and dealt by class (a row of weight 0 adds nothing to a fit or to a
        fold's error), so every fold holds both classes among its weighted rows;
        the rows of weight 0 are dealt afterwards in random order, keeping the fold
        sizes within one of each other.

    Returns
    -------
    numpy.ndarray of int
        Fold label in ``0 .. nfolds-1`` of each observation.

    Examples
    --------
    >>> y = np.array([0, 1] * 6)
    >>> f = make_folds(12, nfolds=3, y=y, stratify=True, seed=1)
    >>> [sorted(set(y[f == k].tolist())) for k in range(3)]
    [[0, 1], [0, 1], [0, 1]]
    """
    nfolds = check_nfolds(nfolds, n)
    rng = np.random.default_rng(seed)
    if not stratify:
        return rng.permutation(np.arange(n) % nfolds)
    if y is None:
        raise ArgumentError("stratify=True needs the response y")
    y = np.asarray(y)
    counted = np.ones(n, dtype=bool) if weights is None else _weighted_rows(weights, n)
    if not np.all((y == 0) | (y == 1)):  # proportions: dealt in order of value
        groups = [np.flatnonzero(counted & (y == v)) for v in np.unique(y[counted])]
        return _deal(groups + [np.flatnonzero(~counted)], n, nfolds, rng)
    among = "" if weights is None else " among the rows of positive weight"
    positives = int(np.sum(counted & (y == 1)))
    negatives = int(np.sum(counted & (y != 1)))
    smallest = min(positives, negatives)
    for count, name in (
        (positives, "positives (y == 1)"),
        (negatives, "negatives (y == 0)"),
    ):
        if count < nfolds:
            raise DataError(
                f"y has {count} {name}{among} but nfolds={nfolds}: stratified folds "
                f"need at least one of each class per fold; use nfolds <= {smallest}, "
                "pass foldid=, or stratify=False"
            )
    # deal the observations, ordered by class and shuffled within class, to the folds;
    # rows of weight 0 come last, so the classes are spread over the weighted rows
    groups = [
        np.flatnonzero(counted & (y != 1)),
        np.flatnonzero(counted & (y == 1)),
        np.flatnonzero(~counted),
    ]
    return _deal(groups, n, nfolds, rng)


def _deal(groups, n: int, nfolds: int, rng) -> np.ndarray:
    """Fold labels dealing the rows in turn: group after group, each in random order."""
    order = np.concatenate([rng.permutation(g) for g in groups if g.size])
    labels = rng.permutation(nfolds)[np.arange(n) % nfolds]
    folds = np.empty(n, dtype=np.intp)
    folds[order] = labels
    return folds


def _weighted_rows(weights, n: int) -> np.ndarray:
    """Mask of the rows with a positive weight."""
    w = np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise ArgumentError(
            f"weights have shape {w.shape} but there are {n} observations; give one "
            "weight per row"
        )
    return w > 0


def resolve_folds(
    n, y, family, nfolds=10, foldid=None, stratify=None, seed=None, weights=None
) -> np.ndarray:
    """Fold labels ``0 .. K-1``: the user's ``foldid``, or random (stratified) folds.

    Stratified folds deal the classes over the rows of positive weight only (see
    :func:`make_folds`); random folds are stratified by default for binomial.

    Examples
    --------
    >>> resolve_folds(6, np.zeros(6), "gaussian", foldid=[1, 1, 2, 2, 3, 3]).tolist()
    [0, 0, 1, 1, 2, 2]
    """
    if foldid is not None:
        return check_foldid(foldid, n)
    nfolds = check_nfolds(nfolds, n)
    stratify = check_stratify(stratify, family)
    if stratify is None:
        stratify = family == "binomial"
    return make_folds(n, nfolds, y=y, stratify=bool(stratify), seed=seed, weights=weights)
