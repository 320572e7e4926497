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
from typing import Any, Protocol

import pandas as pd

__all__ = ["Summary", "coef_table", "header_table", "summarize", "term_table"]

_RULE_TEXT = {
    "cv_1se": "cross-validation, largest lambda within 1 SE of the minimum",
    "cv_min": "cross-validation, minimum error",
    "aic": "AIC",
    "bic": "BIC",
    "ebic": "extended BIC",
}


class PenalizedFitLike(Protocol):
    """What a summary reads from a fit (:class:`~penstat.results.PenalizedFit`)."""

    design: Any
    path: Any
    index: int
    selection: Any
    select_spec: Any
    l1_ratio: float
    l1_ratio_table: Any
    bootstrap_result: Any
    warnings: tuple[str, ...]
    penalty: str


class Summary:
    """A fit summary: ``str()``, ``_repr_html_()`` and ``.tables`` (DataFrames)."""

    def __init__(self, tables: dict[str, pd.DataFrame], warnings: tuple[str, ...] = ()):
        self.tables = tables
        self.warnings = tuple(warnings)

    def __str__(self) -> str:
        header = self.tables["header"]
        width = int(header["value"].str.len().max())
        text = header.to_string(header=False, formatters={"value": f"{{:<{width}}}".format})
        coefs = self.tables["coefficients"]
        parts = ["Penalized regression", text, "", "Coefficients"]
        if len(coefs):
            parts.append(coefs.to_string(float_format=lambda v: f"{v:.5g}"))
        else:
            parts.append("(none: every coefficient is zero at this lambda)")
        terms = self.tables["terms"]
        # the term table adds information when a term has several columns
        if (terms["n_columns"] > 1).any() or "freq" in terms.columns:
            parts += ["", "Terms", terms.to_string(float_format="{:.3g}".format)]
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
            + self.tables["coefficients"].to_html(float_format=lambda v: f"{v:.5g}")
            + "<h4>Terms</h4>"
            + self.tables["terms"].to_html(float_format="{:.3g}".format)
            + (
                "<h4>Warnings</h4><ul>"
                + "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
                + "</ul>"
                if self.warnings
                else ""
            )
            + "</div>"
        )


def summarize(fit: PenalizedFitLike, all: bool = False) -> Summary:
    """A summary with a header, a coefficient table and a term table.

    Parameters
    ----------
    all : bool
        List every design column, not only the selected ones.

    Returns
    -------
    Summary
        ``print()`` it, show it in a notebook, or use ``.tables`` (DataFrames
        ``"header"``, ``"coefficients"`` and ``"terms"``).
    """
    return Summary(
        {
            "header": header_table(fit),
            "coefficients": coef_table(fit, all),
            "terms": term_table(fit),
        },
        warnings=fit.warnings,
    )


def header_table(fit: PenalizedFitLike) -> pd.DataFrame:
    d = fit.design
    rows: list[tuple[str, Any]] = [("formula", d.formula)]
    family = fit.family.name
    if family == "binomial":
        family += f" (logit link), positive class: {d.positive!r} of {d.response!r}"
    rows.append(("family", family))
    rows.append(("penalty", penalty_text(fit.penalty, fit.l1_ratio)))
    if fit.l1_ratio_table is not None:
        table = fit.l1_ratio_table
        ratios = table["l1_ratio"] if "l1_ratio" in table.columns else table.index
        rows.append(("l1_ratio chosen from", ", ".join(f"{v:g}" for v in ratios)))
    rows.append(("observations used", d.n_obs))
    rows.append(("rows dropped (missing values)", d.n_dropped))
    if d.weights is not None:
        rows.append(("weights", "yes"))
    if fit.has_offset:
        rows.append(("offset", _offset_text(fit.design.offset_column)))
    limits = fit.limits_text()
    if limits is not None:
        rows.append(("limits", limits))
    rows.append(("lambda", f"{fit.lam:.6g}"))
    rows.append(("lambda chosen by", _rule_text(fit)))
    rows.extend(_selection_rows(fit))
    rows.append(("intercept", f"{fit.intercept:.6g}" if d.has_intercept else "none"))
    nonzero = f"{fit.df} of {len(d.columns)}"
    if limits is not None:
        nonzero += f" ({len(fit.at_limit)} at a limit)"
    rows.append(("nonzero coefficients", nonzero))
    rows.append(("deviance explained", f"{fit.dev_ratio:.4f}"))
    frame = pd.DataFrame(
        {"value": [str(v) for _, v in rows]}, index=pd.Index([k for k, _ in rows])
    )
    return frame


def _rule_text(fit: PenalizedFitLike) -> str:
    sel = fit.selection
    if sel is None:
        if fit.select_spec.lam is not None:
            return "fixed by the user"
        return "smallest lambda of the path (no selection rule)"
    rule = sel.rule
    text = _RULE_TEXT.get(rule, rule)
    if rule.startswith("cv"):
        nfolds = fit.select_spec.nfolds if fit.select_spec.foldid is None else "user"
        measure = sel.measure
        text = f"{nfolds}-fold {text}" + (f" ({measure})" if measure else "")
    if rule == "ebic" and fit.select_spec.gamma is not None:
        text += f" (gamma = {fit.select_spec.gamma:g})"
    return text


def _selection_rows(fit: PenalizedFitLike) -> list[tuple[str, Any]]:
    sel = fit.selection
    if sel is None:
        return []
    rows = []
    row = sel.table.iloc[fit.index]
    if sel.cv is not None:
        rows.append((f"CV {sel.measure}", f"{row['cv_mean']:.6g} +- {row['cv_se']:.3g}"))
    elif sel.rule in row.index:
        rows.append((sel.rule.upper(), f"{row[sel.rule]:.6g}"))
    if sel.rule == "cv_1se":
        rows.append(("lambda (minimum CV error)", f"{sel.lam_min:.6g}"))
    elif sel.rule == "cv_min":
        rows.append(("lambda (1-SE rule)", f"{sel.lam_1se:.6g}"))
    return rows


def coef_table(fit: PenalizedFitLike, all: bool = False) -> pd.DataFrame:
    d = fit.design
    coef = fit.path.coefs[fit.index]
    table = pd.DataFrame(
        {
            "term": [d.term_of()[c] for c in d.columns],
            "coef": coef,
            "std_coef": coef * d.column_sd(),
        },
        index=pd.Index(d.columns, name="column"),
    )
    boot = fit.bootstrap_result
    if boot is not None:
        wanted = ["freq", "sign_consistency", "median", "lower", "upper"]
        extra = boot.columns.reindex(d.columns)
        table = table.join(extra[[c for c in wanted if c in extra.columns]])
    side = fit.limit_sides()
    if side is not None:
        # which coefficients the constraint holds at a (nonzero) limit
        table.insert(3, "at_limit", side)
    if not all:
        table = table[coef != 0]
    return table


def term_table(fit: PenalizedFitLike) -> pd.DataFrame:
    d = fit.design
    coef = fit.path.coefs[fit.index]
    nonzero = dict(zip(d.columns, coef != 0, strict=True))
    table = pd.DataFrame(
        {
            "n_columns": [len(cols) for cols in d.terms.values()],
            "n_selected": [sum(nonzero[c] for c in cols) for cols in d.terms.values()],
        },
        index=pd.Index(list(d.terms), name="term"),
    )
    boot = fit.bootstrap_result
    terms = getattr(boot, "terms", None)
    if isinstance(terms, pd.DataFrame) and "freq" in terms.columns:
        table["freq"] = terms["freq"].reindex(table.index)
    return table


def penalty_text(penalty: str, l1_ratio: float) -> str:
    name = {"l1": "lasso", "l2": "ridge", "elasticnet": "elastic net"}.get(penalty, penalty)
    return f"{name} (l1_ratio = {l1_ratio:g})"


def _offset_text(column: str | None) -> str:
    """How the summary names the offset: its column, or an array."""
    return "array" if column is None else f"column {column!r}"
