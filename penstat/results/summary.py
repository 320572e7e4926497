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

import numpy as np
import pandas as pd

from penstat.results.export import FitLike, fit_to_dict, format_number, header_rows

__all__ = [
    "Summary",
    "coef_table",
    "header_table",
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
    stability selection has run on the fit), ``.warnings`` the fit's warnings.

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
    ):
        self.tables = tables
        self.warnings = tuple(warnings)
        self.stability = tuple(stability)  # the lines of the stability section

    def __str__(self) -> str:
        header = self.tables["header"]
        width = int(header["value"].str.len().max())
        text = header.to_string(header=False, formatters={"value": f"{{:<{width}}}".format})
        coefs = self.tables["coefficients"]
        parts = ["Penalized regression", text, "", "Coefficients"]
        if len(coefs):
            parts.append(coefs.to_string(float_format=_g5))
        else:
            parts.append("(none: every coefficient is zero at this lambda)")
        terms = self.tables["terms"]
        # the term table adds information when a term has several columns
        if (terms["n_columns"] > 1).any() or "freq" in terms.columns:
            parts += ["", "Terms", terms.to_string(float_format=_g3)]
        if self.stability:
            parts += ["", "Stability selection", *self.stability]
        if self.warnings:
            parts += ["", "Warnings"]
            parts += [textwrap.fill(w, 88, initial_indent="- ", subsequent_indent="  ")
                      for w in self.warnings]  # fmt: skip
        return "\n".join(line.rstrip() for part in parts for line in part.split("\n"))

    def __repr__(self) -> str:
        return self.__str__()

    def _repr_html_(self) -> str:
        return (
            "<div><h4>Penalized regression</h4>"
            + self.tables["header"].to_html(header=False)
            + "<h4>Coefficients</h4>"
            + self.tables["coefficients"].to_html(float_format=_g5)
            + "<h4>Terms</h4>"
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


def summarize(fit: FitLike, all: bool = False) -> Summary:
    """A summary with a header, a coefficient table and a term table, read from the
    fit's export record (:func:`penstat.results.export.fit_to_dict`).

    Parameters
    ----------
    fit : FitLike
        A :class:`~penstat.results.PenalizedFit`.
    all : bool
        List every design column, not only the selected ones.

    Returns
    -------
    Summary
        ``print()`` it, show it in a notebook, or use ``.tables`` (DataFrames
        ``"header"``, ``"coefficients"`` and ``"terms"``).

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    >>> summarize(fit).tables["header"].loc["lambda chosen by", "value"]
    'fixed by the user'
    """
    record = fit_to_dict(fit)
    tables = {
        "header": header_table(record),
        "coefficients": coef_table(record, all),
        "terms": term_table(record),
    }
    if record["stability"] is not None:
        tables["stability"] = stability_table(record)
    return Summary(
        tables, warnings=tuple(record["warnings"]), stability=stability_lines(record)
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
    if not all:
        table = table[[c["selected"] for c in coefs]]
    return table


def term_table(record: dict) -> pd.DataFrame:
    """Per formula term: its number of columns, of selected columns and (with a
    bootstrap) its selection frequency.

    Examples
    --------
    >>> import penstat as ps
    >>> from penstat.results.export import fit_to_dict
    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    >>> term_table(fit_to_dict(fit))["n_selected"].tolist()
    [1, 1]
    """
    terms = record["terms"]
    table = pd.DataFrame(
        {
            "n_columns": [t["n_columns"] for t in terms],
            "n_selected": [t["n_selected"] for t in terms],
        },
        index=pd.Index([t["term"] for t in terms], name="term"),
    )
    boot = record["bootstrap"]
    if boot is not None:
        freq = {r["term"]: r.get("freq") for r in boot["terms"]}
        table["freq"] = _floats(freq.get(t["term"]) for t in terms)
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
    stable = ", ".join(stab["stable"]) or "none"
    return (
        f"stable columns (max selection probability >= {_g3(stab['cutoff'])}): " + stable,
        f"expected false selections <= {_g3(stab['pfer'])} (q = {_g3(stab['q'])}, "
        f"{stab['p']} penalized columns, {stab['assumption']} bound, seed "
        f"{stab['seed_entropy']})",
    )


def _floats(values) -> np.ndarray:
    """A float array of record values (None, a NaN of the record, back to NaN)."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)
