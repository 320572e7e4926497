"""The one export layer: a fit as plain data (:func:`fit_to_dict`).

The JSON the command line writes, the report and the summary header read from this
record, so that every surface says the same thing. Its layout is versioned by
:data:`SCHEMA`; a change that renames or removes a field bumps the version.

>>> import penstat as ps
>>> from penstat.results.export import fit_to_dict
>>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
>>> sorted(fit_to_dict(fit))[:4]
['bootstrap', 'coefficients', 'data', 'model']
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from penstat._limits import limit_records
from penstat._version import __version__
from penstat.results.fit import PenalizedFit

__all__ = ["SCHEMA", "fit_to_dict", "plain"]

#: Name and version of the layout of :func:`fit_to_dict`.
SCHEMA = "penstat.fit/2"


def fit_to_dict(fit: PenalizedFit, source: str | None = None) -> dict:
    """A JSON-ready dict of a fit: data, model, selection, coefficients, bootstrap,
    stability (schema :data:`SCHEMA`, described in the docs' export reference).

    NaN becomes ``None`` (JSON ``null``); every value is a plain Python number,
    string, bool, list or dict, so ``json.dumps(..., allow_nan=False)`` succeeds.

    Parameters
    ----------
    fit : PenalizedFit
    source : str, optional
        Where the data came from (a file or dataset name), recorded as is.

    Examples
    --------
    >>> import json, penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    >>> record = fit_to_dict(fit, source="diabetes")
    >>> record["schema"], record["selected"]
    ('penstat.fit/2', ['bmi', 'bp'])
    >>> len(json.dumps(record, allow_nan=False)) > 0
    True
    """

    design = fit.design
    columns = list(design.columns)
    coef = np.asarray(fit.path.coefs[fit.index], dtype=float)
    term_of = {c: t for t, cols in design.terms.items() for c in cols}
    selection = fit.selection
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "penstat_version": __version__,
        "data": {
            "source": source,
            "formula": design.formula,
            "response": design.response,
            "n_obs": int(design.n_obs),
            "n_dropped": int(design.n_dropped),
            "offset": _offset_entry(fit),
        },
        "model": {
            "family": fit.family.name,
            "positive_class": plain(design.positive),
            "penalty": fit.penalty,
            "l1_ratio": float(fit.l1_ratio),
            "lam": float(fit.lam),
            "intercept": float(fit.intercept),
            "dev_ratio": _num(fit.dev_ratio),
            "seed": plain(fit.select_spec.seed),
            "limits": _limits_entry(fit),
        },
        "selection": None
        if selection is None
        else {
            "rule": selection.rule,
            "lam": float(selection.lam),
            "lam_min": _num(selection.lam_min),
            "lam_1se": _num(selection.lam_1se),
            "measure": selection.measure,
            "nfolds": None if selection.cv is None else int(selection.cv.nfolds),
        },
        "coefficients": [
            {
                "column": c,
                "term": term_of.get(c),
                "coef": float(b),
                "selected": bool(b != 0),
                **({} if side is None else {"at_limit": side or None}),
            }
            for c, b, side in zip(columns, coef, _limit_sides(fit), strict=True)
        ],
        "selected": list(fit.selected),
        "selected_terms": list(fit.selected_terms),
        "bootstrap": None,
        "stability": None,
    }
    boot = fit.bootstrap_result
    if boot is not None:
        out["bootstrap"] = {
            "n_boot": int(boot.n_boot),
            "fixed_lam": bool(boot.fixed_lam),
            "level": float(boot.level),
            "stratify": bool(boot.stratify),
            "seed_entropy": plain(boot.seed_entropy),
            "columns": _records(boot.columns, "column"),
            "terms": _records(boot.terms, "term"),
            "model_size": {str(int(k)): int(v) for k, v in boot.model_size.items()},
        }
    stab = fit.stability_result
    if stab is not None:
        out["stability"] = {
            "sampling": stab.sampling,
            "n_subsamples": int(stab.n_subsamples),
            "n_fits": int(stab.n_fits),
            "cutoff": float(stab.cutoff),
            "q": float(stab.q),
            "q_observed": float(stab.q_observed),
            "pfer": float(stab.pfer),
            "pfer_mb": float(stab.pfer_mb),
            "pfer_unimodal": _num(stab.pfer_unimodal),
            "assumption": stab.assumption,
            "region_end": float(stab.region_end),
            "p": int(stab.p),
            "stable": list(stab.stable),
            "columns": _records(stab.table, "column"),
            "seed_entropy": plain(stab.seed_entropy),
        }
    return out


def _offset_entry(fit):
    """The offset for the JSON: its column name, ``"array"``, or None."""
    if not fit.has_offset:
        return None
    column = fit.design.offset_column
    return "array" if column is None else column


def _limits_entry(fit):
    """The coefficient limits for the JSON: the bounded columns as records
    ``{"column", "lower", "upper"}`` (``null`` for a free side), or None."""
    spec = fit.spec
    if not spec.has_limits:
        return None
    return limit_records(fit.design.columns, spec.lower_limits, spec.upper_limits)


def _limit_sides(fit) -> list:
    """Per column ``"lower"`` / ``"upper"`` / ``""`` (at a limit or not) for a fit
    with limits; None for each column of a fit without."""
    sides = fit.limit_sides()
    return [None] * len(fit.design.columns) if sides is None else list(sides)


def _records(frame, key: str) -> list[dict]:
    rows = []
    for name, row in frame.iterrows():
        entry = {key: str(name)}
        for col, value in row.items():
            entry[str(col)] = plain(value)
        rows.append(entry)
    return rows


def plain(value):
    """A JSON value: numpy scalars to Python, NaN to None, big ints kept exact."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _num(value)
    if isinstance(value, (str, list, dict)):
        return value
    if isinstance(value, np.random.SeedSequence):
        return plain(value.entropy)
    return str(value)


def _num(value):
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value
