"""Per-column options named by formula term or design column: penalty factors and
coefficient limits given as a dict (or a pandas Series labelled by name), a number
or an array, resolved to one value per design column.

>>> import pandas as pd
>>> from penstat.design import build_design
>>> from penstat.design.named import resolve_penalty_factor
>>> df = pd.DataFrame({"y": [1.0, 2, 3, 5], "x": [1.0, 0, 2, 3], "g": ["a", "b", "c", "a"]})
>>> resolve_penalty_factor({"g": 0}, build_design("y ~ x + g", df)).tolist()
[0.0, 0.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError
from penstat._validation import check_factor, limit_value, refuse_text_or_bool

__all__ = ["resolve_groups", "resolve_limits", "resolve_penalty_factor"]


def resolve_penalty_factor(penalty_factor, design) -> np.ndarray | None:
    """Penalty factors per design column from a dict (columns or terms) or an array.

    Examples
    --------
    >>> import pandas as pd
    >>> from penstat.design import build_design
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 5], "x": [1.0, 0, 2, 3],
    ...                    "g": ["a", "b", "c", "a"]})
    >>> d = build_design("y ~ x + g", df)
    >>> resolve_penalty_factor({"g": 0, "x": 2}, d).tolist()
    [0.0, 0.0, 2.0]
    """
    if penalty_factor is None:
        return None
    p = len(design.columns)
    penalty_factor = _labels_as_dict(penalty_factor)
    if isinstance(penalty_factor, dict):
        pf = np.ones(p)
        for key, cols in _named_columns(penalty_factor, design, "penalty_factor"):
            value = check_factor(penalty_factor[key], f"penalty_factor[{key!r}]")
            for j, _ in cols:
                pf[j] = value
        return pf
    try:
        arr = np.asarray(penalty_factor, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"penalty_factor={penalty_factor!r} is not numbers; give one value per "
            f"design column ({p}: {design.columns}) or a dict of column / term names"
        ) from None
    if arr.shape != (p,):
        raise ArgumentError(
            f"penalty_factor has shape {arr.shape}; give one value per design column "
            f"({p}: {design.columns}) or a dict of column / term names"
        )
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ArgumentError("penalty_factor values must be finite and >= 0")
    return arr


def _named_columns(mapping, design, name: str) -> list[tuple[str, list[tuple[int, str]]]]:
    """The keys of a dict naming formula terms or design columns, each with its
    columns as (position, name): terms first, then columns, so that a column's own
    entry, applied last, wins over its term's. Unknown names are refused."""
    position = {c: j for j, c in enumerate(design.columns)}
    unknown = [k for k in mapping if k not in design.terms and k not in position]
    if unknown:
        valid = list(dict.fromkeys([*design.terms, *design.columns]))
        raise ArgumentError(
            f"{name} names {unknown} that are neither formula terms nor design "
            f"columns; valid names: {valid}"
        )
    keys = sorted(mapping, key=lambda k: k in position and k not in design.terms)
    return [(k, [(position[c], c) for c in design.terms.get(k, [k])]) for k in keys]


def _labels_as_dict(value):
    """A pandas Series labelled by names (not by position) as the dict it means, so
    that its values go to the columns or terms its labels name, whatever its order."""
    if isinstance(value, pd.Series) and not pd.api.types.is_integer_dtype(value.index):
        return value.to_dict()
    return value


def resolve_limits(lower_limits, upper_limits, design, penalty_factor=None):
    """Coefficient limits per design column: ``(lower, upper)``, each a (p,) array or
    None when that side limits nothing.

    A number applies to the penalized columns (``penalty_factor`` > 0; unpenalized
    columns and the intercept stay free); a dict names formula terms (all their
    columns) or design columns (a column's own entry wins over its term's), others
    are free; an array has one value per design column. ``-inf`` / ``inf`` leave a
    side free. A finite limit named for an unpenalized column is refused.

    Examples
    --------
    >>> import penstat as ps
    >>> d = ps.build_design("y ~ bmi + sex + bp", ps.datasets.load("diabetes"))
    >>> lower, upper = resolve_limits({"bmi": 0}, {"bp": 2.5}, d)
    >>> lower.tolist(), upper.tolist()
    ([0.0, -inf, -inf], [inf, inf, 2.5])
    """
    p = len(design.columns)
    pf = np.ones(p) if penalty_factor is None else np.asarray(penalty_factor, float)
    penalized = pf > 0
    out = []
    for value, name, side in (
        (lower_limits, "lower_limits", -1.0),
        (upper_limits, "upper_limits", 1.0),
    ):
        arr = _limit_side(value, name, side, design, penalized)
        out.append(None if arr is None or np.isinf(arr).all() else arr)
    return out[0], out[1]


def _limit_side(value, name, side, design, penalized) -> np.ndarray | None:
    """One side of the limits as a (p,) array (see :func:`resolve_limits`)."""
    if value is None:
        return None
    value = _labels_as_dict(value)
    columns = list(design.columns)
    p = len(columns)
    free = side * np.inf
    if isinstance(value, Mapping):
        arr = np.full(p, free)
        source = {}
        for key, cols in _named_columns(value, design, name):
            limit = limit_value(value[key], f"{name}[{key!r}]", side)
            for j, c in cols:
                arr[j] = limit
                source[c] = key
        _refuse_unpenalized(arr, name, columns, penalized, source)
        return arr
    if np.ndim(value) == 0:
        if isinstance(value, str):
            raise ArgumentError(
                f"{name}={value!r} must be a number, a dict of term / column names, "
                "or one number per design column"
            )
        limit = limit_value(value, name, side)
        return np.where(penalized, limit, free)
    refuse_text_or_bool(value, name)
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"{name} must be a number, a dict of term / column names, or one number "
            f"per design column ({p}: {columns})"
        ) from None
    if arr.shape != (p,):
        raise ArgumentError(
            f"{name} has shape {arr.shape}; give one value per design column "
            f"({p}: {columns}), a number, or a dict of column / term names"
        )
    for j, c in enumerate(columns):
        limit_value(arr[j], f"{name}[{c!r}]", side)
    _refuse_unpenalized(arr, name, columns, penalized, {})
    return arr


def _refuse_unpenalized(arr, name, columns, penalized, source) -> None:
    bad = [c for j, c in enumerate(columns) if not penalized[j] and np.isfinite(arr[j])]
    if not bad:
        return
    given = {source.get(c, c) for c in bad}
    via = "" if given <= set(bad) else f" (through {sorted(given)})"
    raise ArgumentError(
        f"{name} gives a finite limit to unpenalized column(s) {bad}{via}; limits "
        "apply to penalized columns only: leave them out, give -inf / inf there, or "
        "give them a penalty_factor > 0"
    )


def resolve_groups(groups, design) -> list[str]:
    """The group of each design column for the group lasso: every formula term is
    one group (all the columns of a factor, a spline basis, a polynomial or an
    interaction enter or leave together), named by the term; ``groups``, a dict
    term -> group name, puts terms into shared groups (terms it does not name keep
    their own).

    A key that is not a formula term is refused: a design column of a term with
    several columns would split the term, and an unknown name is a mistake.

    Examples
    --------
    >>> import pandas as pd
    >>> from penstat.design import build_design
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 5], "x": [1.0, 0, 2, 3],
    ...                    "z": [0.0, 1, 1, 2], "g": ["a", "b", "c", "a"]})
    >>> d = build_design("y ~ x + z + g", df)
    >>> resolve_groups(None, d)
    ['g', 'g', 'x', 'z']
    >>> resolve_groups({"x": "xz", "z": "xz"}, d)
    ['g', 'g', 'xz', 'xz']
    """
    term_of = design.term_of()
    out = {term: term for term in design.terms}
    if groups is not None:
        groups = _labels_as_dict(groups)
        if not isinstance(groups, Mapping):
            raise ArgumentError(
                f"groups must be a dict of formula term -> group name, got "
                f"{type(groups).__name__}; terms it does not name are groups of their own"
            )
        for key, name in groups.items():
            if key in design.terms:
                if not isinstance(name, (str, int)) or isinstance(name, bool):
                    raise ArgumentError(
                        f"groups[{key!r}]={name!r}: a group name must be a string"
                    )
                out[key] = str(name)
            elif key in term_of:
                term = term_of[key]
                raise ArgumentError(
                    f"groups names the column {key!r}, one of the "
                    f"{len(design.terms[term])} columns of the term {term!r}: a group "
                    f"holds whole terms; name the term {term!r} instead"
                )
            else:
                raise ArgumentError(
                    f"groups names {key!r}, which is not a formula term; valid "
                    f"terms: {list(design.terms)}"
                )
        for key in groups:
            label = out.get(key)
            if label != key and label in design.terms and out[label] == label:
                # the label is another term's own group name: merging into that
                # term only by coincidence of names is ambiguous
                if label not in groups:
                    raise ArgumentError(
                        f"groups[{key!r}]={label!r}: {label!r} is also a formula term, "
                        f"so this would silently merge term {key!r} into term "
                        f"{label!r}'s group. Give the group a name that is not a term "
                        f"(e.g. groups={{{key!r}: 'g1', {label!r}: 'g1'}}), or map "
                        f"{label!r} too ({label!r}: {label!r}) to merge them on purpose"
                    )
    return [out[term_of[c]] for c in design.columns]
