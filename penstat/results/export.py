"""The one export layer: a fit as plain data (:func:`fit_to_dict`).

A fit is flattened once, here, into a record of plain values. The JSON the command
line writes is this record; the summary (:mod:`penstat.results.summary`) and the
report (:mod:`penstat.report`) read every fact they show from it, so that every
surface says the same thing. :func:`header_rows` is the settings table both show.

The layout is versioned by :data:`SCHEMA` and documented field by field in the
docs' export reference (``docs/user-guide/export.md``). Within a version fields are
only added; a rename or a removal bumps the version.

This module reads a fit through the :class:`FitLike` protocol and imports nothing
from :mod:`penstat.results.fit`, so that the report (a layer above) can import it
without a cycle.

>>> import penstat as ps
>>> from penstat.results.export import fit_to_dict
>>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
>>> sorted(fit_to_dict(fit))[:4]
['bootstrap', 'coefficients', 'data', 'inference']
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np

from penstat._limits import limit_records
from penstat._version import __version__
from penstat.plots._protocols import BootstrapLike, CriteriaLike, StabilityLike
from penstat.solver.path import EarlyStop

__all__ = [
    "SCHEMA",
    "INFERENCE_FIELDS",
    "FitLike",
    "InferenceResultLike",
    "fit_to_dict",
    "format_number",
    "header_rows",
    "inference_to_dict",
    "penalty_text",
    "plain",
]

#: Name and version of the layout of :func:`fit_to_dict`.
SCHEMA = "penstat.fit/2"

_PENALTY_NAMES = {
    "l1": "lasso",
    "l2": "ridge",
    "elasticnet": "elastic net",
    "group": "group lasso",
}

_RULE_TEXT = {
    "cv_1se": "cross-validation, largest lambda within 1 SE of the minimum",
    "cv_min": "cross-validation, minimum error",
    "aic": "AIC",
    "bic": "BIC",
    "ebic": "extended BIC",
}


class SelectionLike(CriteriaLike, Protocol):
    """What the export reads from ``fit.selection`` (a
    :class:`~penstat.selection.Selection`), besides what its plot reads."""

    rule: str
    lam_min: float | None
    lam_1se: float | None
    measure: str | None
    gamma: float | None

    def describe(self) -> str: ...


class BootstrapResultLike(BootstrapLike, Protocol):
    """What the export reads from ``fit.bootstrap_result`` (a
    :class:`~penstat.resampling.BootstrapResult`), besides what its plot reads."""

    fixed_lam: bool
    level: float
    stratify: bool
    n_failed: int
    seed_entropy: Any
    terms: Any
    model_size: Any


class StabilityResultLike(StabilityLike, Protocol):
    """What the export reads from ``fit.stability_result`` (a
    :class:`~penstat.resampling.StabilitySelection`), besides what its plot reads."""

    sampling: str
    n_subsamples: int
    n_fits: int
    q: float
    q_observed: float
    pfer_mb: float
    pfer_unimodal: float
    assumption: str
    p: int
    table: Any
    terms: Any
    notes: list
    seed_entropy: Any


class InferenceResultLike(Protocol):
    """What the export reads from ``fit.inference_result`` (a
    :class:`~penstat.inference.InferenceResult`)."""

    method: str
    table: Any
    level: float
    lam: float
    conditioning: str
    sigma: float | None
    sigma_method: str | None
    alternative: str
    adjustment: str | None
    approximate: bool
    notes: tuple[str, ...]
    details: dict


class FitLike(Protocol):
    """What the export reads from a fit (a :class:`~penstat.results.PenalizedFit`).

    ``design`` is a :class:`~penstat.design.Design`, ``path`` a
    :class:`~penstat.solver.Path` (read: ``coefs``, ``lambdas``, ``dev_ratio``,
    ``column_names``, ``converged``: a :class:`~penstat.plots._protocols.PathLike`
    with ``converged``), ``spec`` / ``select_spec`` the
    :class:`~penstat.spec.FitSpec` / :class:`~penstat.spec.SelectSpec` of the fit.
    """

    design: Any
    path: Any
    index: int
    family: Any
    penalty: str
    l1_ratio: float
    l1_ratio_table: Any
    spec: Any
    select_spec: Any
    selection: SelectionLike | None
    bootstrap_result: BootstrapResultLike | None
    stability_result: StabilityResultLike | None
    inference_result: InferenceResultLike | None
    warnings: tuple[str, ...]
    relax: Any
    adaptive_init: Any

    def group_table(self) -> Any: ...

    def group_norm_path(self) -> Any: ...

    @property
    def lam(self) -> float: ...

    @property
    def coef(self) -> Any: ...

    @property
    def intercept(self) -> float: ...

    @property
    def dev_ratio(self) -> float: ...

    @property
    def has_offset(self) -> bool: ...

    @property
    def selected(self) -> list[str]: ...

    @property
    def selected_terms(self) -> list[str]: ...

    def limits_text(self) -> str | None: ...

    def limit_sides(self) -> Any: ...


def fit_to_dict(fit: FitLike, source: str | None = None) -> dict:
    """A JSON-ready dict of a fit: data, model, selection, coefficients, terms,
    warnings, bootstrap, stability and inference after selection (schema
    :data:`SCHEMA`, described in the docs' export reference).

    NaN becomes ``None`` (JSON ``null``); every value is a plain Python number,
    string, bool, list or dict, so ``json.dumps(..., allow_nan=False)`` succeeds.

    Parameters
    ----------
    fit : FitLike
        A :class:`~penstat.results.PenalizedFit`.
    source : str, optional
        Where the data came from (a file or dataset name), recorded as is.

    Returns
    -------
    dict
        The record; ``record["schema"]`` names its layout.

    Examples
    --------
    >>> import json, penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    >>> record = fit_to_dict(fit, source="diabetes")
    >>> record["schema"], record["selected"]
    ('penstat.fit/2', ['bmi', 'bp'])
    >>> record["model"]["lam_chosen_by"], record["model"]["n_selected"]
    ('fixed by the user', 2)
    >>> len(json.dumps(record, allow_nan=False)) > 0
    True
    """
    coefficients = _coefficients(fit)
    return {
        "schema": SCHEMA,
        "penstat_version": __version__,
        "data": _data(fit, source),
        "model": _model(fit, coefficients),
        "selection": None if fit.selection is None else _selection(fit),
        "coefficients": coefficients,
        "terms": _terms(fit),
        "selected": list(fit.selected),
        "selected_terms": list(fit.selected_terms),
        "warnings": [str(w) for w in fit.warnings],
        "bootstrap": None if fit.bootstrap_result is None else _bootstrap(fit),
        "stability": None if fit.stability_result is None else _stability(fit),
        "inference": inference_to_dict(getattr(fit, "inference_result", None)),
    }


# ----------------------------------------------------------------------------------
# the sections of the record


def _data(fit: FitLike, source) -> dict:
    d = fit.design
    offset_kind = None
    if fit.has_offset:
        offset_kind = "array" if d.offset_column is None else "column"
    return {
        "source": source,
        "formula": d.formula,
        "expanded_formula": d.expanded_formula,
        "response": d.response,
        "response_kind": _response_kind(fit),
        "response_label": getattr(d, "response_label", None),
        "n_obs": int(d.n_obs),
        "n_rows": int(d.n_data_rows or (d.n_obs + d.n_dropped)),
        "n_dropped": int(d.n_dropped),
        "missing": {str(c): int(k) for c, k in d.missing.items()},
        "n_no_trials": int(getattr(d, "n_no_trials", 0)),
        "weights": d.weights is not None,
        "offset": None if offset_kind is None else d.offset_column or "array",
        "offset_kind": offset_kind,
        "n_columns": len(d.columns),
        "n_terms": len(d.terms),
        "sparse_density": _sparse_density(d.X),
        "backend": _backend(fit),
    }


def _backend(fit) -> dict | None:
    """A fit computed by passes over a Dask collection: the scheduler, its
    partitions and the passes made so far; None for a fit in memory."""
    passes = getattr(fit, "passes", None)
    if passes is None:
        return None
    return {
        "name": "dask",
        "scheduler": str(getattr(fit, "scheduler", "")),
        "npartitions": int(getattr(fit, "npartitions", 0)),
        "passes": int(passes),
    }


def _sparse_density(X) -> float | None:
    """The share of stored entries of a sparse design (``sparse=True``), else None."""
    if not hasattr(X, "nnz"):
        return None
    size = X.shape[0] * X.shape[1]
    return float(X.nnz / size) if size else 0.0


def _response_kind(fit: FitLike) -> str:
    """``"numeric"`` (gaussian), ``"classes"`` (a binomial response of two values),
    ``"counts"`` (``cbind(successes, failures)``) or ``"proportions"`` (with the
    trials as weights)."""
    kind = getattr(fit.design, "response_kind", None)
    if kind is not None:
        return kind
    return "numeric" if fit.family.name == "gaussian" else "classes"


def _model(fit: FitLike, coefficients: list[dict]) -> dict:
    converged = np.asarray(fit.path.converged, dtype=bool)
    limits = _limits_entry(fit)
    table = fit.l1_ratio_table
    candidates = None
    if table is not None:
        ratios = table["l1_ratio"] if "l1_ratio" in table.columns else table.index
        candidates = [float(v) for v in ratios]
    return {
        "family": fit.family.name,
        "positive_class": plain(fit.design.positive),
        "penalty": fit.penalty,
        "penalty_name": _penalty_name(fit),
        "l1_ratio": float(fit.l1_ratio),
        "l1_ratio_candidates": candidates,
        "lam": float(fit.lam),
        "lam_fixed": fit.select_spec.lam is not None,
        "lam_chosen_by": _rule_text(fit),
        "intercept": float(fit.intercept),
        "has_intercept": bool(fit.design.has_intercept),
        "dev_ratio": _num(fit.dev_ratio),
        "n_selected": sum(c["selected"] for c in coefficients),
        "seed": plain(fit.select_spec.seed),
        "limits": limits,
        "limits_text": fit.limits_text(),
        "n_at_limit": None
        if limits is None
        else sum(bool(c.get("at_limit")) for c in coefficients),
        "n_lambdas": int(converged.size),
        "n_unconverged": int((~converged).sum()),
        "early_stop": _early_stop(fit.path),
        "estimator": "lasso path" if fit.relax is None else fit.relax.describe(),
        "relax": _relax(fit),
        "adaptive_init": _adaptive(fit),
        "groups": _groups(fit),
    }


def _groups(fit: FitLike) -> dict | None:
    """The group lasso's groups: the group of each term, and per group its terms,
    size, rescaled factor, weight ``w_g`` and norm at the fit's lambda; or None."""
    table = fit.group_table()
    if table is None:
        return None
    names = [str(name) for name in table.index]
    position = {c: j for j, c in enumerate(fit.design.columns)}
    term_group = {
        term: names[int(fit.spec.groups[position[cols[0]]])]
        for term, cols in fit.design.terms.items()
        if cols
    }
    return {
        "scale": "standardized" if fit.spec.standardize else "original",
        "term_group": term_group,
        "groups": [
            {
                "group": str(name),
                "index": int(k),
                "terms": [t for t, g in term_group.items() if g == str(name)],
                "size": int(row["size"]),
                "penalty_factor": _num(row["penalty_factor"]),
                "weight": _num(row["weight"]),
                "norm": _num(row["norm"]),
                "selected": bool(row["selected"]),
            }
            for k, (name, row) in enumerate(table.iterrows())
        ],
    }


def _relax(fit: FitLike) -> dict | None:
    """The relaxed lasso's gamma and choice, or None."""
    rel = fit.relax
    if rel is None:
        return None
    refitted = np.asarray(rel.relaxed.refitted, dtype=bool)
    cv = rel.cv
    return {
        "gamma": float(rel.gamma),
        "gammas": None if cv is None else [float(g) for g in cv.gammas],
        "gamma_min": None if cv is None else float(cv.gamma_min),
        "gamma_1se": None if cv is None else float(cv.gamma_1se),
        "refitted": bool(refitted[rel.index]),
        "n_refitted": int(refitted.sum()),
        "not_refitted_because": rel.relaxed.skipped,
    }


def _adaptive(fit: FitLike) -> dict | None:
    """The adaptive lasso's initial fit, or None."""
    init = fit.adaptive_init
    if init is None:
        return None
    grouped = getattr(init, "groups", None) is not None
    terms = None
    if grouped:
        terms = [
            {
                "term": str(term),
                "group": plain(row["group"]),
                "init_norm": _num(row["init_norm"]),
                "penalty_factor": _num(row["penalty_factor"]),
                "capped": bool(row["capped"]),
            }
            for term, row in init.term_frame().iterrows()
        ]
    return {
        "unit": "group" if grouped else "column",
        "terms": terms,
        "method": init.method,
        "reason": init.reason,
        "lam": _num(init.lam),
        "gamma": float(init.gamma),
        "seed": plain(init.seed),
        "intercept": _num(init.intercept),
        "description": init.describe(),
        "columns": [
            {
                "column": c,
                "init_coef": _num(b),
                "penalty_factor": _num(f),
                "capped": bool(k),
            }
            for c, b, f, k in zip(
                fit.design.columns, init.coef, init.penalty_factor, init.capped, strict=True
            )
        ],
    }


def _early_stop(path: Any) -> dict | None:
    """Where and why glmnet's rule ended the path, or None (the grid in full)."""
    stop = getattr(path, "early_stop", None)
    return None if stop is None else stop.to_dict()


def _rule_text(fit: FitLike) -> str:
    """How lambda was chosen, in the words of the summary's header."""
    sel, spec = fit.selection, fit.select_spec
    if sel is None:
        if spec.lam is not None:
            return "fixed by the user"
        return "smallest lambda of the path (no selection rule)"
    rule = sel.rule
    text = _RULE_TEXT.get(rule, rule)
    if rule.startswith("cv"):
        nfolds = spec.nfolds if spec.foldid is None else "user"
        text = f"{nfolds}-fold {text}" + (f" ({sel.measure})" if sel.measure else "")
    if rule == "ebic" and spec.gamma is not None:
        text += f" (gamma = {spec.gamma:g})"
    return text


def _selection(fit: FitLike) -> dict:
    sel = fit.selection
    row = sel.table.iloc[fit.index]
    is_cv = sel.cv is not None
    return {
        "rule": sel.rule,
        "lam": float(sel.lam),
        "lam_min": _num(sel.lam_min),
        "lam_1se": _num(sel.lam_1se),
        "measure": sel.measure,
        "nfolds": int(sel.cv.nfolds) if is_cv else None,
        "foldid_given": fit.select_spec.foldid is not None,
        "gamma": _num(sel.gamma),
        "cv_mean": _num(row["cv_mean"]) if is_cv else None,
        "cv_se": _num(row["cv_se"]) if is_cv else None,
        "criterion": _num(row[sel.rule]) if not is_cv and sel.rule in row.index else None,
        "description": sel.describe(),
    }


def _coefficients(fit: FitLike) -> list[dict]:
    d = fit.design
    coef = np.asarray(fit.coef, dtype=float)[1:]  # relaxed ones for a relaxed fit
    sd = np.asarray(d.column_sd(), dtype=float)
    term_of = d.term_of()
    return [
        {
            "column": c,
            "term": term_of.get(c),
            "coef": float(b),
            "sd": _num(s),
            "std_coef": _num(b * s),
            "selected": bool(b != 0),
            **({} if side is None else {"at_limit": side or None}),
        }
        for c, b, s, side in zip(d.columns, coef, sd, _limit_sides(fit), strict=True)
    ]


def _penalty_name(fit: FitLike) -> str:
    """The penalty's name; the sparse-group lasso says its L1 share."""
    a = getattr(fit.spec, "l1_within", 0.0)
    if fit.penalty == "group" and a > 0:
        return f"sparse-group lasso (l1_within={a:g})"
    return _PENALTY_NAMES.get(fit.penalty, fit.penalty)


def _selected_terms_text(record: dict) -> str:
    """The selected terms; a term of which only some columns are nonzero (the
    sparse-group lasso) lists them."""
    chosen = set(record["selected_terms"])
    selected = set(record["selected"])
    parts = []
    for t in record["terms"]:
        if t["term"] not in chosen:
            continue
        if t["n_selected"] < t["n_columns"]:
            cols = ", ".join(c for c in t["columns"] if c in selected)
            parts.append(f"{t['term']} ({t['n_selected']} of {t['n_columns']}: {cols})")
        else:
            parts.append(t["term"])
    return ", ".join(parts) if parts else "none"


def _terms(fit: FitLike) -> list[dict]:
    coef = np.asarray(fit.coef, dtype=float)[1:]  # relaxed ones for a relaxed fit
    nonzero = dict(zip(fit.design.columns, coef != 0, strict=True))
    # the group lasso: the penalty group of each term (terms merged by groups= share
    # one), its name, size and norm at the fit's lambda
    groups = fit.spec.groups
    position = {c: j for j, c in enumerate(fit.design.columns)}
    table = fit.group_table()
    rows = []
    for term, cols in fit.design.terms.items():
        g = None if groups is None or not cols else int(groups[position[cols[0]]])
        entry = {
            "term": term,
            "columns": list(cols),
            "n_columns": len(cols),
            "n_selected": int(sum(bool(nonzero[c]) for c in cols)),
            "group": g,
        }
        if table is not None:
            row = None if g is None else table.iloc[g]
            entry["group_name"] = None if row is None else str(table.index[g])
            entry["group_size"] = None if row is None else int(row["size"])
            entry["group_norm"] = None if row is None else _num(row["norm"])
        rows.append(entry)
    return rows


def _bootstrap(fit: FitLike) -> dict:
    boot = fit.bootstrap_result
    return {
        "n_boot": int(boot.n_boot),
        "fixed_lam": bool(boot.fixed_lam),
        "level": float(boot.level),
        "stratify": bool(boot.stratify),
        "n_failed": int(boot.n_failed),
        "unit": str(getattr(boot, "unit", "column")),
        "seed_entropy": plain(boot.seed_entropy),
        "columns": _records(boot.columns, "column"),
        "terms": _records(boot.terms, "term"),
        "model_size": {str(int(k)): int(v) for k, v in boot.model_size.items()},
    }


def _stability(fit: FitLike) -> dict:
    stab = fit.stability_result
    return {
        "sampling": stab.sampling,
        "n_subsamples": int(stab.n_subsamples),
        "n_fits": int(stab.n_fits),
        # complementary pairs: the whole pairs used (a pair with a failed half is
        # left out); None for independent subsamples
        "n_pairs": None if getattr(stab, "n_pairs", None) is None else int(stab.n_pairs),
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
        "terms": _records(stab.terms, "term"),
        "notes": [str(n) for n in stab.notes],
        "seed_entropy": plain(stab.seed_entropy),
        # the group lasso counts q, p and the bound in groups
        "unit": getattr(stab, "unit", "column"),
        "groups": None
        if getattr(stab, "groups", None) is None
        else _records(stab.groups, "group"),
    }


#: The fields of the method block of an inference record, in order.
INFERENCE_FIELDS = (
    "method",
    "level",
    "lam",
    "conditioning",
    "sigma",
    "sigma_method",
    "alternative",
    "adjustment",
    "approximate",
    "notes",
)


def inference_to_dict(result: InferenceResultLike | None) -> dict | None:
    """The ``"inference"`` block of the record: the method block (what the numbers
    mean) and one entry per reported column (``estimate``, ``std_error``,
    ``ci_lower``, ``ci_upper``, ``p_value``, ``p_adjusted`` and any column the method
    adds; ``null`` for NaN and for an unbounded side of a one-sided interval).

    Parameters
    ----------
    result : InferenceResultLike or None
        A :class:`~penstat.inference.InferenceResult`; None gives None.

    Returns
    -------
    dict or None

    Examples
    --------
    >>> import pandas as pd
    >>> from penstat.inference import InferenceResult
    >>> table = pd.DataFrame({"estimate": [1.0], "std_error": [0.5],
    ...                       "ci_lower": [0.0], "ci_upper": [2.0],
    ...                       "p_value": [0.05], "p_adjusted": [float("nan")]},
    ...                      index=["x1"])
    >>> block = inference_to_dict(InferenceResult("naive", table, 0.95, 0.1, "nothing"))
    >>> block["method"], block["columns"][0]["p_adjusted"]
    ('naive', None)
    """
    if result is None:
        return None
    out: dict[str, Any] = {
        "method": str(result.method),
        "level": float(result.level),
        "lam": _num(result.lam),
        "conditioning": str(result.conditioning),
        "sigma": _num(result.sigma),
        "sigma_method": None if result.sigma_method is None else str(result.sigma_method),
        "alternative": str(result.alternative),
        "adjustment": None if result.adjustment is None else str(result.adjustment),
        "approximate": bool(result.approximate),
        "notes": [str(n) for n in result.notes],
    }
    out["details"] = {
        str(k): plain(v)
        for k, v in result.details.items()
        if v is None or isinstance(v, (str, bool, int, float, np.generic))
    }
    out["columns"] = _records(result.table, "column")
    return out


def _limits_entry(fit: FitLike):
    """The coefficient limits for the JSON: the bounded columns as records
    ``{"column", "lower", "upper"}`` (``null`` for a free side), or None."""
    spec = fit.spec
    if not spec.has_limits:
        return None
    return limit_records(fit.design.columns, spec.lower_limits, spec.upper_limits)


def _limit_sides(fit: FitLike) -> list:
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


# ----------------------------------------------------------------------------------
# the settings table of the summary and the report


def header_rows(record: dict) -> list[tuple[str, str]]:
    """The fit's settings as ``(name, value)`` text pairs, read from a record.

    The summary's header table (:func:`penstat.results.summary.header_table`) and
    the report's "All fit settings" table show these rows.

    Parameters
    ----------
    record : dict
        From :func:`fit_to_dict`.

    Returns
    -------
    list of (str, str)

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    >>> dict(header_rows(fit_to_dict(fit)))["nonzero coefficients"]
    '2 of 2'
    """
    data, model = record["data"], record["model"]
    rows = [("formula", data["formula"]), ("family", _family_text(record))]
    if model["penalty_name"].startswith("sparse-group"):
        rows.append(("penalty", model["penalty_name"]))
    else:
        rows.append(("penalty", penalty_text(model["penalty"], model["l1_ratio"])))
    if model.get("relax") is not None:
        rows.append(("estimator", model["estimator"]))
    if model.get("adaptive_init") is not None:
        rows.append(("penalty factors", model["adaptive_init"]["description"]))
    if model["l1_ratio_candidates"] is not None:
        candidates = ", ".join(f"{v:g}" for v in model["l1_ratio_candidates"])
        rows.append(("l1_ratio chosen from", candidates))
    rows.append(("observations used", data["n_obs"]))
    backend = data.get("backend")
    if backend is not None:
        rows.append(
            (
                "computed on",
                f"Dask ({backend['scheduler']}), {backend['npartitions']} partitions, "
                f"{backend['passes']} passes over the data",
            )
        )
    if data.get("sparse_density") is not None:
        rows.append(("design", f"sparse, {100 * data['sparse_density']:.3g}% stored"))
    rows.append(("rows dropped (missing values)", data["n_dropped"]))
    if data["n_no_trials"]:
        rows.append(("rows without trials (left out)", data["n_no_trials"]))
    if data["weights"]:
        rows.append(("weights", "yes"))
    if data["offset_kind"] is not None:
        column = data["offset"] if data["offset_kind"] == "column" else None
        rows.append(("offset", "array" if column is None else f"column {column!r}"))
    if model["limits_text"] is not None:
        rows.append(("limits", model["limits_text"]))
    rows.append(("lambda", _fmt(model["lam"], ".6g")))
    rows.append(("lambda chosen by", model["lam_chosen_by"]))
    rows.extend(_selection_rows(record["selection"]))
    intercept = _fmt(model["intercept"], ".6g") if model["has_intercept"] else "none"
    rows.append(("intercept", intercept))
    nonzero = f"{model['n_selected']} of {data['n_columns']}"
    if model["limits_text"] is not None:
        nonzero += f" ({model['n_at_limit']} at a limit)"
    rows.append(("nonzero coefficients", nonzero))
    if model["penalty"] == "group":
        rows.append(("selected terms", _selected_terms_text(record)))
    rows.append(("deviance explained", _fmt(model["dev_ratio"], ".4f")))
    stop = model.get("early_stop")
    if stop is not None:
        rows.append(("path ended early", EarlyStop(**stop).describe()))
    if model["seed"] is not None:
        rows.append(("seed", model["seed"]))
    boot = record.get("bootstrap")
    if boot is not None and boot.get("n_failed"):
        rows.append(
            (
                "bootstrap replicates left out",
                f"{boot['n_failed']} of {boot['n_boot']} (could not be fitted)",
            )
        )
    return [(name, str(value)) for name, value in rows]


def _family_text(record: dict) -> str:
    family = record["model"]["family"]
    if family == "binomial" and record["data"]["response_label"] is not None:
        family += f" (logit link), {record['data']['response_label']}"
    elif family == "binomial":
        positive, response = record["model"]["positive_class"], record["data"]["response"]
        family += f" (logit link), positive class: {positive!r} of {response!r}"
    return family


def _selection_rows(sel: dict | None) -> list[tuple[str, str]]:
    if sel is None:
        return []
    rows = []
    if sel["nfolds"] is not None:
        score = f"{_fmt(sel['cv_mean'], '.6g')} +- {_fmt(sel['cv_se'], '.3g')}"
        rows.append((f"CV {sel['measure']}", score))
    elif sel["criterion"] is not None:
        rows.append((sel["rule"].upper(), _fmt(sel["criterion"], ".6g")))
    if sel["rule"] == "cv_1se":
        rows.append(("lambda (minimum CV error)", _fmt(sel["lam_min"], ".6g")))
    elif sel["rule"] == "cv_min":
        rows.append(("lambda (1-SE rule)", _fmt(sel["lam_1se"], ".6g")))
    return rows


def penalty_text(penalty: str, l1_ratio: float) -> str:
    """The penalty in words with its mix.

    Examples
    --------
    >>> penalty_text("elasticnet", 0.5)
    'elastic net (l1_ratio = 0.5)'
    """
    return f"{_PENALTY_NAMES.get(penalty, penalty)} (l1_ratio = {l1_ratio:g})"


# ----------------------------------------------------------------------------------
# plain values


def plain(value):
    """A JSON value: numpy scalars to Python, NaN to None, big ints kept exact.

    Examples
    --------
    >>> import numpy as np
    >>> plain(np.float64("nan")), plain(np.int64(3)), plain(np.bool_(True))
    (None, 3, True)
    """
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _num(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (list, dict)):
        return value
    if isinstance(value, np.random.SeedSequence):
        return plain(value.entropy)
    return str(value)


def _num(value):
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _fmt(value, spec: str) -> str:
    """``value`` formatted by ``spec``; None (a NaN of the record) as ``nan``."""
    return format_number(math.nan if value is None else value, spec)


def format_number(value, spec: str) -> str:
    """``value`` formatted by ``spec``, never as a negative zero: a value that rounds
    to zero (``-1e-17`` with ``.4f``) is shown without its sign.

    Examples
    --------
    >>> format_number(-1e-17, ".4f"), format_number(-0.0, ".5g"), format_number(-2.5, "g")
    ('0.0000', '0', '-2.5')
    """
    text = format(value, spec)
    if text.startswith("-") and text.strip("-0.e+") == "":
        return text[1:]
    return text
