"""Coefficient limits above the array level: which coefficients sit at a limit, and
how summaries, reports and the JSON name the limits.

:func:`penstat.fit_path` takes glmnet's ``lower.limits`` / ``upper.limits`` as
``lower_limits`` / ``upper_limits`` and keeps them on the ``Path`` ((p,) arrays on the
original scale, infinite where a side is free; None for a fit without limits).

``fit_path`` reports a coefficient held at its limit at exactly that limit;
:func:`at_limit` still compares with a relative tolerance far below the solver's,
so that coefficients interpolated between lambdas (``Path.coef_at``) or passed in
from elsewhere are classified the same way.

>>> import numpy as np
>>> at_limit(np.array([0.5, 0.2, 0.0]), np.array([-np.inf, 0.0, 0.0]),
...          np.array([0.5, np.inf, np.inf])).tolist()
[True, False, False]
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "at_limit",
    "both_sides",
    "describe_limits",
    "interval_text",
    "limit_records",
    "limit_side",
]

# |b - limit| <= AT_LIMIT_RTOL * |limit| counts as sitting at the limit
AT_LIMIT_RTOL = 1e-9


def both_sides(lower, upper, p: int) -> tuple[np.ndarray, np.ndarray]:
    """``(lower, upper)`` as new (p,) float arrays, infinite for a side given as None.

    Examples
    --------
    >>> both_sides(None, [1.0, 2.0], 2)
    (array([-inf, -inf]), array([1., 2.]))
    """
    lower = np.full(p, -np.inf) if lower is None else np.array(lower, dtype=float)
    upper = np.full(p, np.inf) if upper is None else np.array(upper, dtype=float)
    return lower, upper


def at_limit(coefs, lower, upper) -> np.ndarray:
    """Where a nonzero coefficient sits at a finite, nonzero limit (either side).

    ``coefs`` is (p,) or (nlam, p); ``lower`` / ``upper`` are (p,) arrays, or None
    for a free side. Returns a boolean array shaped like ``coefs``.

    Examples
    --------
    >>> at_limit(np.array([[0.5, 0.1], [0.2, 0.0]]), None, np.array([0.5, 0.1])).tolist()
    [[True, True], [False, False]]
    """
    coefs = np.asarray(coefs, dtype=float)
    out = np.zeros(coefs.shape, dtype=bool)
    for limit in (lower, upper):
        if limit is None:
            continue
        limit = np.asarray(limit, dtype=float)
        finite = np.isfinite(limit) & (limit != 0)
        if not finite.any():
            continue
        bound = np.where(finite, limit, 0.0)
        with np.errstate(invalid="ignore"):
            close = np.abs(coefs - bound) <= AT_LIMIT_RTOL * np.abs(bound)
        out |= close & finite & (coefs != 0)
    return out


def limit_side(coefs, lower, upper) -> np.ndarray:
    """Per coefficient: ``"lower"`` or ``"upper"`` when it sits at that (nonzero)
    limit, else ``""``; ``coefs`` (p,).

    Examples
    --------
    >>> limit_side(np.array([0.5, 0.0, -1.0]), np.full(3, -1.0), np.full(3, 0.5)).tolist()
    ['upper', '', 'lower']
    """
    coefs = np.asarray(coefs, dtype=float)
    out = np.full(coefs.shape, "", dtype=object)
    if lower is not None:
        out[at_limit(coefs, lower, None)] = "lower"
    if upper is not None:
        out[at_limit(coefs, None, upper)] = "upper"
    return out


def interval_text(lo: float, hi: float) -> str:
    """``">= 0"``, ``"<= 2"`` or ``"in [-1, 0.5]"`` for one column's limits.

    Examples
    --------
    >>> interval_text(0.0, np.inf), interval_text(-1.0, 0.5)
    ('>= 0', 'in [-1, 0.5]')
    """
    if np.isfinite(lo) and np.isfinite(hi):
        return f"in [{lo:g}, {hi:g}]"
    if np.isfinite(lo):
        return f">= {lo:g}"
    return f"<= {hi:g}"


def describe_limits(columns, terms, lower, upper, penalized=None, max_names: int = 6):
    """One readable line naming the bounded columns, or None without limits.

    A side with the same limit on every penalized column (more than one) is stated
    once ("every penalized column >= 0"); the other columns with limits are grouped
    by their interval, a formula term whose columns all share it named by the term,
    and a long group shortened to its first names.

    Examples
    --------
    >>> import numpy as np
    >>> describe_limits(["x1", "x2"], {"x1": ["x1"], "x2": ["x2"]},
    ...                 np.array([0.0, -1.0]), np.array([np.inf, 0.5]))
    'x1 >= 0; x2 in [-1, 0.5]'
    >>> describe_limits(["x1", "x2", "x3"], {}, np.zeros(3), np.array([np.inf, 5, np.inf]))
    'every penalized column >= 0; x2 <= 5'
    """
    if lower is None and upper is None:
        return None
    columns = list(columns)
    p = len(columns)
    lower, upper = both_sides(lower, upper, p)  # copies: the uniform sides are cleared
    if not (np.isfinite(lower) | np.isfinite(upper)).any():
        return None
    penalized = np.ones(p, dtype=bool) if penalized is None else np.asarray(penalized)
    parts = []
    # a side uniform over the penalized columns is said once
    common = [-np.inf, np.inf]
    for k, side in enumerate((lower, upper)):
        values = np.unique(side[penalized])
        if penalized.sum() > 1 and values.size == 1 and np.isfinite(values[0]):
            if np.isinf(side[~penalized]).all():
                common[k] = float(values[0])
                side[penalized] = -np.inf if k == 0 else np.inf
    if np.isfinite(common).any():
        parts.append(f"every penalized column {interval_text(*common)}")
    bounded = np.isfinite(lower) | np.isfinite(upper)
    groups: dict[tuple[float, float], list[int]] = {}
    for j in np.flatnonzero(bounded):
        groups.setdefault((float(lower[j]), float(upper[j])), []).append(int(j))
    for (lo, hi), members in groups.items():
        names = _names(members, columns, terms)
        if len(names) > max_names:
            names = names[: max_names - 1] + [f"... ({len(members)} columns)"]
        parts.append(f"{', '.join(names)} {interval_text(lo, hi)}")
    return "; ".join(parts)


def _names(members, columns, terms) -> list[str]:
    """Column names of ``members``, a whole multi-column term named by its term."""
    chosen = {columns[j] for j in members}
    names, covered = [], set()
    for term, cols in (terms or {}).items():
        if len(cols) > 1 and set(cols) <= chosen:
            names.append(term)
            covered.update(cols)
    order = {c: j for j, c in enumerate(columns)}
    rest = sorted(chosen - covered, key=order.__getitem__)
    # keep design order: terms where their first column is
    keyed = [(order[(terms[n])[0]], n) for n in names] + [(order[c], c) for c in rest]
    return [n for _, n in sorted(keyed)]


def limit_records(columns, lower, upper) -> list[dict] | None:
    """The bounded columns as JSON records (``null`` for a free side), or None.

    Examples
    --------
    >>> limit_records(["a", "b"], [0.0, -np.inf], None)
    [{'column': 'a', 'lower': 0.0, 'upper': None}]
    """
    if lower is None and upper is None:
        return None
    columns = list(columns)
    lower, upper = both_sides(lower, upper, len(columns))
    records = [
        {
            "column": c,
            "lower": float(lo) if np.isfinite(lo) else None,
            "upper": float(hi) if np.isfinite(hi) else None,
        }
        for c, lo, hi in zip(columns, lower, upper, strict=True)
        if np.isfinite(lo) or np.isfinite(hi)
    ]
    return records or None
