"""The summary of a fit: a header, a coefficient table and a term table.

:func:`summarize` builds a :class:`Summary` from a fit; ``print()`` shows it as
text, a notebook as HTML, and ``.tables`` holds the DataFrames.

>>> import penstat as ps
>>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0)
>>> summary = fit.summary()
>>> list(summary.tables)
['header', 'coefficients', 'terms']
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError
from penstat.inference import METHODS, InferenceResult, run_inference
from penstat.inference.result import alternative_words
from penstat.inference.run import RUNNERS
from penstat.results.export import (
    FitLike,
    fit_to_dict,
    format_number,
    header_rows,
    inference_to_dict,
)
from penstat.spec import check_bool

__all__ = [
    "Summary",
    "coef_table",
    "header_table",
    "inference_lines",
    "inference_table",
    "stability_lines",
    "stability_table",
    "summarize",
    "term_table",
]


def _g5(value) -> str:
    return format_number(value, ".5g")


def _g3(value) -> str:
    return format_number(value, ".3g")


class Summary:
    """A fit summary: ``str()``, ``_repr_html_()`` and ``.tables`` (DataFrames).

    ``.stability`` holds the lines of the "Stability selection" section (empty until
    stability selection has run on the fit), ``.inference`` those of the "Inference
    after selection" section (the method, what it conditions on, sigma, level,
    alternative, adjustment and notes; empty without inference), ``.warnings`` the
    fit's warnings.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    >>> summary = fit.summary()
    >>> print(summary)  # doctest: +ELLIPSIS
    Penalized regression
    formula ...
    >>> summary.tables["coefficients"].index.tolist()
    ['bmi', 'bp']
    """

    def __init__(
        self,
        tables: dict[str, pd.DataFrame],
        warnings: tuple[str, ...] = (),
        stability: tuple[str, ...] = (),
        inference: tuple[str, ...] = (),
    ):
        self.tables = tables
        self.warnings = tuple(warnings)
        self.stability = tuple(stability)  # the lines of the stability section
        self.inference = tuple(inference)  # the lines of the inference section

    def __str__(self) -> str:
        header = self.tables["header"]
        width = int(header["value"].str.len().max())
        text = header.to_string(header=False, formatters={"value": f"{{:<{width}}}".format})
        coefs = self.tables["coefficients"]
        parts = ["Penalized regression", text]
        if self.inference:
            parts += ["", *(_wrap(line) for line in self.inference)]
        parts += ["", "Coefficients"]
        if len(coefs):
            parts.append(coefs.to_string(float_format=_g5))
        else:
            parts.append("(none: every coefficient is zero at this lambda)")
        terms = self.tables["terms"]
        title = terms.attrs.get("title")
        if title is not None:  # the group lasso: the terms with their group norms
            scale = terms.attrs.get("scale", "standardized")
            parts += ["", f"{title} (group norm ||b_g|| on the {scale} scale)"]
            parts.append(
                terms.to_string(float_format=_g5) if len(terms) else "(none selected)"
            )
        # the term table adds information when a term has several columns
        elif (terms["n_columns"] > 1).any() or "freq" in terms.columns:
            parts += ["", "Terms", terms.to_string(float_format=_g3)]
        if self.stability:
            parts += ["", "Stability selection", *self.stability]
        if self.warnings:
            parts += ["", "Warnings"]
            parts += [_wrap(w, "- ") for w in self.warnings]
        return "\n".join(line.rstrip() for part in parts for line in part.split("\n"))

    def __repr__(self) -> str:
        return self.__str__()

    def _repr_html_(self) -> str:
        return (
            "<div><h4>Penalized regression</h4>"
            + self.tables["header"].to_html(header=False)
            + (
                "<h4>Inference after selection</h4>"
                + "".join(f"<p>{html.escape(line)}</p>" for line in self.inference)
                if self.inference
                else ""
            )
            + "<h4>Coefficients</h4>"
            + self.tables["coefficients"].to_html(float_format=_g5)
            + f"<h4>{html.escape(self.tables['terms'].attrs.get('title', 'Terms'))}</h4>"
            + self.tables["terms"].to_html(float_format=_g3)
            + (
                "<h4>Stability selection</h4>"
                + "".join(f"<p>{html.escape(line)}</p>" for line in self.stability)
                if self.stability
                else ""
            )
            + (
                "<h4>Warnings</h4><ul>"
                + "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
                + "</ul>"
                if self.warnings
                else ""
            )
            + "</div>"
        )


def summarize(fit: FitLike, all: bool = False, inference: Any = None) -> Summary:
    """A summary with a header, a coefficient table and a term table, read from the
    fit's export record (:func:`penstat.results.export.fit_to_dict`).

    Parameters
    ----------
    fit : FitLike
        A :class:`~penstat.results.PenalizedFit`.
    all : bool
        List every design column, not only the selected ones.
    inference : str, InferenceResult, None or False
        Inference after selection to show: an
        :class:`~penstat.inference.InferenceResult`; a method name (the fit's
        ``inference_result`` when it is of that method, else that method run with
        its defaults, which the fit does not keep); None: ``fit.inference_result``
        when :meth:`~penstat.results.PenalizedFit.inference` has run; False: none.
        The summary then has an "Inference after selection" section naming the
        method and what it conditions on, and the coefficient table has the
        method's columns, each named after the method (``"naive p_value"``).

    Returns
    -------
    Summary
        ``print()`` it, show it in a notebook, or use ``.tables`` (DataFrames
        ``"header"``, ``"coefficients"``, ``"terms"``, and ``"inference"`` with
        inference).

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    >>> summarize(fit).tables["header"].loc["lambda chosen by", "value"]
    'fixed by the user'
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     summary = summarize(fit, inference="naive")
    >>> summary.inference[0]
    'Inference after selection: naive, 95% intervals, two-sided p-values'
    >>> summary.tables["coefficients"].columns.tolist()[3:6]
    ['naive estimate', 'naive std_error', 'naive ci_lower']
    """
    all = check_bool(all, "all")
    record = fit_to_dict(fit)
    result = _inference_result(fit, inference)
    record["inference"] = None if result is False else inference_to_dict(result)
    tables = {
        "header": header_table(record),
        "coefficients": coef_table(record, all),
        "terms": term_table(record, all),
    }
    if record["stability"] is not None:
        tables["stability"] = stability_table(record)
    if record["inference"] is not None:
        tables["inference"] = inference_table(record)
    return Summary(
        tables,
        warnings=tuple(record["warnings"]),
        stability=stability_lines(record),
        inference=inference_lines(record),
    )


def _inference_result(fit: FitLike, inference: Any):
    """The result ``summary(inference=...)`` shows; False for none."""
    kept = getattr(fit, "inference_result", None)
    if inference is None:
        return False if kept is None else kept
    if inference is False:
        return False
    if isinstance(inference, InferenceResult):
        return inference
    if isinstance(inference, str) and inference in METHODS:
        if kept is not None and kept.method == inference:
            return kept
        if inference not in RUNNERS:
            raise ArgumentError(
                f"inference={inference!r}: this penstat has no such method; "
                f"available: {', '.join(sorted(RUNNERS))}"
            )
        return run_inference(fit, method=inference)
    options = ", ".join(repr(m) for m in METHODS)
    raise ArgumentError(
        f"inference={inference!r}: give one of {options}, an InferenceResult (from "
        "fit.inference(...)), None (the fit's own, when run) or False (none)"
    )


def header_table(record: dict) -> pd.DataFrame:
    """The settings of a fit (one ``value`` column of text), from its export record.

    Examples
    --------
    >>> import penstat as ps
    >>> from penstat.results.export import fit_to_dict
    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    >>> header_table(fit_to_dict(fit)).loc["observations used", "value"]
    '442'
    """
    rows = header_rows(record)
    return pd.DataFrame(
        {"value": [v for _, v in rows]}, index=pd.Index([k for k, _ in rows])
    )


_BOOT_COLUMNS = ["freq", "sign_consistency", "median", "lower", "upper"]


def coef_table(record: dict, all: bool = False) -> pd.DataFrame:
    """Coefficients (original and standardized scale) of the design columns, with the
    bootstrap columns and ``at_limit`` when the record has them.

    Examples
    --------
    >>> import penstat as ps
    >>> from penstat.results.export import fit_to_dict
    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    >>> coef_table(fit_to_dict(fit)).columns.tolist()
    ['term', 'coef', 'std_coef']
    """
    coefs = record["coefficients"]
    columns = [c["column"] for c in coefs]
    table = pd.DataFrame(
        {
            "term": [c["term"] for c in coefs],
            "coef": _floats(c["coef"] for c in coefs),
            "std_coef": _floats(c["std_coef"] for c in coefs),
        },
        index=pd.Index(columns, name="column"),
    )
    boot = record["bootstrap"]
    if boot is not None:
        by_column = {r["column"]: r for r in boot["columns"]}
        wanted = [k for k in _BOOT_COLUMNS if any(k in r for r in boot["columns"])]
        for key in wanted:
            table[key] = _floats(by_column.get(c, {}).get(key) for c in columns)
    if record["model"]["limits"] is not None:
        # which coefficients the constraint holds at a (nonzero) limit
        sides = np.array([c["at_limit"] or "" for c in coefs], dtype=object)
        table.insert(3, "at_limit", sides)
    shown = np.array([c["selected"] for c in coefs], dtype=bool)
    if record.get("inference") is not None:
        block = record["inference"]
        inference = inference_table(record)
        # the method's columns, named after it, next to the coefficients; the
        # columns it reports on are shown even when not selected
        for key in inference.columns:
            values = inference[key].reindex(columns)
            if inference[key].notna().any():
                table[f"{block['method']} {key}"] = values.to_numpy()
        shown |= np.isin(columns, inference.index)
    if not all:
        table = table[shown]
    return table


def inference_table(record: dict) -> pd.DataFrame:
    """The inference record's table: one row per reported column (the estimate,
    standard error, interval, p-value and adjusted p-value, NaN where the method
    defines none or an interval side is unbounded); ``.attrs["method"]`` names the
    method.

    Examples
    --------
    >>> import pandas as pd
    >>> from penstat.inference import InferenceResult
    >>> from penstat.results.export import inference_to_dict
    >>> table = pd.DataFrame({"estimate": [1.0], "std_error": [0.5],
    ...                       "ci_lower": [0.0], "ci_upper": [2.0],
    ...                       "p_value": [0.05], "p_adjusted": [float("nan")]},
    ...                      index=["x1"])
    >>> res = InferenceResult("naive", table, 0.95, 0.1, "nothing")
    >>> float(inference_table({"inference": inference_to_dict(res)}).loc["x1", "p_value"])
    0.05
    """
    block = record["inference"]
    rows = block["columns"]
    keys = [k for k in (rows[0] if rows else {}) if k != "column"]
    table = pd.DataFrame(
        {k: _values([r.get(k) for r in rows]) for k in keys},
        index=pd.Index([r["column"] for r in rows], name="column"),
    )
    table.attrs["method"] = block["method"]
    return table


def inference_lines(record: dict) -> tuple[str, ...]:
    """The inference after selection in words (empty without it), as the summary
    shows them: the method, its level and alternative, what it conditions on, sigma
    and how it was obtained, the adjustment and the notes.

    Examples
    --------
    >>> import pandas as pd
    >>> from penstat.inference import InferenceResult
    >>> from penstat.results.export import inference_to_dict
    >>> res = InferenceResult("split", pd.DataFrame(), 0.9, 0.5, "the random splits",
    ...                       adjustment="Holm")
    >>> for line in inference_lines({"inference": inference_to_dict(res)}):
    ...     print(line)
    Inference after selection: split, 90% intervals, two-sided p-values
    Conditioning: the random splits
    lambda of the selection: 0.5
    p_adjusted: Holm
    P-values and intervals in the coefficient table are those of this method.
    """
    block = record.get("inference")
    if block is None:
        return ()
    kind = "approximate " if block["approximate"] else ""
    lines = [
        f"Inference after selection: {block['method']}, {kind}"
        f"{format_number(100 * block['level'], '.3g')}% intervals, "
        f"{alternative_words(block['alternative'])} p-values",
        f"Conditioning: {block['conditioning']}",
        f"lambda of the selection: {format_number(block['lam'], '.6g')}",
    ]
    if block["sigma"] is not None:
        lines.append(f"sigma = {_g5(block['sigma'])} ({block['sigma_method']})")
    if block["adjustment"] is not None:
        lines.append(f"p_adjusted: {block['adjustment']}")
    lines.extend(f"Note: {note}" for note in block["notes"])
    lines.append(
        "P-values and intervals in the coefficient table are those of this method."
    )
    return tuple(lines)


def term_table(record: dict, all: bool = True) -> pd.DataFrame:
    """Per formula term: its number of columns, of selected columns and (with a
    bootstrap) its selection frequency.

    For a group lasso fit the table holds the selected terms (every term with
    ``all=True``, the summary's ``all``) with the name of each term's penalty
    group, its size (columns) and its norm ``||b_g||_2`` at the fit's lambda on the
    penalized scale (``record["model"]["groups"]["scale"]``), and for the adaptive
    group lasso the group's factor ``adaptive_factor``;
    ``.attrs["title"]`` is then "Selected terms".

    Examples
    --------
    >>> import penstat as ps
    >>> from penstat.results.export import fit_to_dict
    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    >>> term_table(fit_to_dict(fit))["n_selected"].tolist()
    [1, 1]
    >>> fit = ps.group_lasso("y ~ bmi + poly(age, 2)", ps.datasets.load("diabetes"),
    ...                      lam=5.0)
    >>> term_table(fit_to_dict(fit), all=False).columns.tolist()
    ['n_columns', 'n_selected', 'group', 'group_size', 'group_norm']
    """
    terms = record["terms"]
    table = pd.DataFrame(
        {
            "n_columns": [t["n_columns"] for t in terms],
            "n_selected": [t["n_selected"] for t in terms],
        },
        index=pd.Index([t["term"] for t in terms], name="term"),
    )
    grouped = record["model"].get("groups") is not None
    if grouped:
        table["group"] = [t["group_name"] for t in terms]
        table["group_size"] = [t["group_size"] for t in terms]
        table["group_norm"] = _floats(t["group_norm"] for t in terms)
        init = record["model"].get("adaptive_init")
        if init is not None and init.get("terms"):
            factor = {r["term"]: r["penalty_factor"] for r in init["terms"]}
            table["adaptive_factor"] = _floats(factor.get(t["term"]) for t in terms)
    boot = record["bootstrap"]
    if boot is not None:
        freq = {r["term"]: r.get("freq") for r in boot["terms"]}
        table["freq"] = _floats(freq.get(t["term"]) for t in terms)
    if grouped:
        if not all:
            table = table[table["group_norm"].to_numpy() > 0]
        table.attrs["title"] = "Selected terms" if not all else "Terms"
        table.attrs["scale"] = record["model"]["groups"]["scale"]
    return table


def stability_table(record: dict) -> pd.DataFrame:
    """Per design column: ``max_probability`` and ``stable`` of stability selection.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
    >>> fit.stability_selection(10, seed=0, progress=False).stable
    ['bmi', 's5']
    >>> fit.summary().tables["stability"].columns.tolist()
    ['max_probability', 'stable']
    """
    rows = record["stability"]["columns"]
    return pd.DataFrame(
        {
            "max_probability": _floats(r["max_probability"] for r in rows),
            "stable": [bool(r["stable"]) for r in rows],
        },
        index=pd.Index([r["column"] for r in rows], name="column"),
    )


def stability_lines(record: dict) -> tuple[str, ...]:
    """The stability selection results in words (empty without them), as the
    summary shows them.

    Examples
    --------
    >>> import penstat as ps
    >>> from penstat.results.export import fit_to_dict
    >>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
    >>> stability_lines(fit_to_dict(fit))
    ()
    >>> stab = fit.stability_selection(10, seed=0, progress=False)
    >>> print("\\n".join(stability_lines(fit_to_dict(fit))))
    stable columns (max selection probability >= 0.75): bmi, s5
    expected false selections <= 1 (q = 3, 10 penalized columns, unimodal bound, seed 0)
    """
    stab = record["stability"]
    if stab is None:
        return ()
    if stab.get("unit") == "group":  # the group lasso: groups are selected and counted
        kept = [r["group"] for r in stab["groups"] if r["stable"]]
        lines = (
            f"stable groups (max selection probability >= {_g3(stab['cutoff'])}): "
            + (", ".join(kept) or "none"),
            f"expected false selections <= {_g3(stab['pfer'])} groups (q = "
            f"{_g3(stab['q'])} groups, {stab['p']} penalized groups, "
            f"{stab['assumption']} bound, seed {stab['seed_entropy']})",
        )
    else:
        stable = ", ".join(stab["stable"]) or "none"
        lines = (
            f"stable columns (max selection probability >= {_g3(stab['cutoff'])}): "
            + stable,
            f"expected false selections <= {_g3(stab['pfer'])} (q = {_g3(stab['q'])}, "
            f"{stab['p']} penalized columns, {stab['assumption']} bound, seed "
            f"{stab['seed_entropy']})",
        )
    used = _pairs_used(stab)
    return lines if used is None else (*lines, used)


def _pairs_used(stab: dict) -> str | None:
    """``"pairs used: B of N ..."`` when complementary pairs with a failed half were
    left out, else None."""
    n_pairs = stab.get("n_pairs")
    if n_pairs is None or n_pairs >= stab["n_subsamples"]:
        return None
    return (
        f"pairs used: {n_pairs} of {stab['n_subsamples']} (a pair with a half that "
        "could not be fitted is left out)"
    )


def _wrap(line: str, indent: str = "") -> str:
    return textwrap.fill(
        line, 88, initial_indent=indent, subsequent_indent=" " * max(len(indent), 2)
    )


def _values(values: list) -> np.ndarray:
    """Floats, or the record's words as they are (selective's one-sided
    ``direction``, ``"> 0"`` or ``"< 0"``)."""
    if any(isinstance(v, str) for v in values):
        return np.array(["" if v is None else v for v in values], dtype=object)
    return _floats(values)


def _floats(values) -> np.ndarray:
    """A float array of record values (None, a NaN of the record, back to NaN)."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)
