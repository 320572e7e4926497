"""A feature-selection report for a reader who did not run the analysis.

:func:`write_report` renders a fit (and its bootstrap and stability selection, when
they were run) as one self-contained HTML file, plots embedded as inline SVG and no
external resources, or as Markdown with the plots written as SVG files next to it.

>>> import penstat as ps
>>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), seed=0)  # doctest: +SKIP
>>> fit.bootstrap(n_boot=200, seed=1)  # doctest: +SKIP
>>> fit.report("diabetes-report.html")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
import re
import warnings
from pathlib import Path as _FilePath
from typing import Any

import numpy as np

from penstat._errors import ArgumentError, PenstatError

__all__ = ["write_report", "render_report"]


def write_report(fit, path: str | os.PathLike, title: str | None = None) -> _FilePath:
    """Write a report of ``fit`` to ``path`` (``.html``/``.htm`` or ``.md``).

    The report states the data and formula, the model and how lambda was chosen
    (with the CV or criterion plot), the selected features with their coefficients
    and, when ``fit.bootstrap()`` was run, their bootstrap selection frequency and
    interval, the term table, the coefficient path, the stability plots, and notes
    on dropped rows, convergence and what the intervals mean.

    Parameters
    ----------
    fit : PenalizedFit
    path : str or path-like
        ``.html`` or ``.htm``: one self-contained HTML file. ``.md``: Markdown, with
        the plots as SVG files in a folder ``<name>_files`` next to it.
    title : str, optional
        Default: "Feature selection for <response>".

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> fit.report("report.html")  # doctest: +SKIP
    PosixPath('report.html')
    """
    target = _FilePath(path)
    suffix = target.suffix.lower()
    if suffix not in (".html", ".htm", ".md"):
        raise ArgumentError(
            f"report path {str(path)!r} must end in .html, .htm or .md (Markdown)"
        )
    fmt = "md" if suffix == ".md" else "html"
    if not target.parent.exists():
        raise ArgumentError(f"folder {str(target.parent)!r} of the report does not exist")
    figure_dir = target.with_name(target.stem + "_files") if fmt == "md" else None
    text = render_report(fit, fmt=fmt, title=title, figure_dir=figure_dir)
    target.write_text(text, encoding="utf-8")
    return target


def render_report(fit, fmt: str = "html", title: str | None = None, figure_dir=None) -> str:
    """The report as a string (``fmt`` ``"html"`` or ``"md"``); see :func:`write_report`.

    For Markdown the figures are written to ``figure_dir`` (omitted when None).
    """
    if fmt not in ("html", "md"):
        raise ArgumentError(f"fmt must be 'html' or 'md', not {fmt!r}")
    context = _context(fit, title)
    context["figures"] = _figures(fit, fmt, figure_dir, context["notes"])
    env = _environment()
    template = env.get_template("report.html.j2" if fmt == "html" else "report.md.j2")
    return template.render(**context)


# ----------------------------------------------------------------------------------
# the content


def _offset_description(fit) -> str | None:
    """How the report names the offset (None without one)."""
    if not fit.has_offset:
        return None
    column = fit.design.offset_column
    return "an array given with the fit" if column is None else f"column {column}"


def _limits_description(fit) -> str | None:
    """The coefficient limits as the summary states them (None without limits)."""
    text = getattr(fit, "limits_text", None)
    return text() if callable(text) else None


def _at_limit_sides(fit, p: int) -> list[str]:
    """Per column ``"lower"`` / ``"upper"`` when its coefficient sits at that limit."""
    side = getattr(fit, "limit_sides", None)
    side = side() if callable(side) else None
    return [""] * p if side is None else [str(s) for s in side]


def _context(fit, title) -> dict[str, Any]:
    import penstat

    design = fit.design
    family = _family_name(fit)
    response = getattr(design, "response", None) or design.formula.split("~")[0].strip()
    boot = getattr(fit, "bootstrap_result", None)
    stab = getattr(fit, "stability_result", None)
    columns = list(design.columns)
    coef = np.asarray(fit.path.coefs[fit.index], dtype=float)
    notes: list[str] = []

    header_rows = []
    try:
        header = fit.summary().tables["header"]
        header_rows = [(str(k), str(v)) for k, v in header["value"].items()]
    except (AttributeError, KeyError):
        pass

    n_obs = int(getattr(design, "n_obs", np.asarray(design.y).shape[0]))
    n_dropped = int(getattr(design, "n_dropped", 0) or 0)
    data = {
        "formula": design.formula,
        "expanded_formula": getattr(design, "expanded_formula", None),
        "response": response,
        "family": family,
        "positive": getattr(design, "positive", None) if family == "binomial" else None,
        "n_obs": n_obs,
        "n_rows": int(getattr(design, "n_data_rows", 0) or (n_obs + n_dropped)),
        "n_dropped": n_dropped,
        "n_columns": len(columns),
        "n_terms": len(design.terms),
        "weights": getattr(design, "weights", None) is not None,
        "offset": _offset_description(fit),
        "input_columns": list(getattr(design, "input_columns", []) or []),
    }

    selection = getattr(fit, "selection", None)
    rule = getattr(selection, "rule", None)
    model = {
        "penalty": _penalty_name(getattr(fit, "penalty", None), fit.l1_ratio),
        "l1_ratio": float(getattr(fit, "l1_ratio", 1.0)),
        "lam": float(fit.lam),
        "rule": rule,
        "how": _how_lambda(fit, selection),
        "n_selected": int(np.count_nonzero(coef)),
        "dev_ratio": _maybe_float(getattr(fit, "dev_ratio", None)),
        "intercept": _maybe_float(getattr(fit, "intercept", None)),
        "limits": _limits_description(fit),
    }

    term_of = {c: t for t, cols in design.terms.items() for c in cols}
    sd = _column_sd(design)
    at_limit = _at_limit_sides(fit, len(columns))
    boot_cols = boot.columns.reindex(columns) if boot is not None else None
    rows = []
    for j, name in enumerate(columns):
        row = {
            "column": name,
            "term": term_of.get(name, ""),
            "coef": coef[j],
            "std_coef": coef[j] * sd[j] if sd is not None else float("nan"),
            "selected": coef[j] != 0,
            "at_limit": at_limit[j],
        }
        if boot_cols is not None:
            b = boot_cols.iloc[j]
            row.update(
                freq=b["freq"],
                sign=b["sign_consistency"],
                median=b["median"],
                lower=b["lower"],
                upper=b["upper"],
            )
        if stab is not None:
            row["stab_prob"] = float(stab.max_probability.get(name, float("nan")))
            row["stable"] = name in stab.stable
        rows.append(row)
    selected_rows = [r for r in rows if r["selected"]]
    selected_rows.sort(
        key=lambda r: -abs(r["std_coef"]) if np.isfinite(r["std_coef"]) else 0
    )
    # columns the fit left out but the bootstrap often picks: worth a reader's eye
    near = []
    if boot is not None:
        near = sorted(
            (r for r in rows if not r["selected"] and r["freq"] >= 0.5),
            key=lambda r: -r["freq"],
        )
    unselected = [r["column"] for r in rows if not r["selected"]]

    terms = []
    nonzero = dict(zip(columns, coef != 0, strict=True))
    for term, cols in design.terms.items():
        entry = {
            "term": term,
            "n_columns": len(cols),
            "n_selected": int(sum(bool(nonzero.get(c, False)) for c in cols)),
            "columns": ", ".join(cols),
        }
        if boot is not None and term in boot.terms.index:
            entry["freq"] = float(boot.terms.loc[term, "freq"])
        if stab is not None and term in stab.terms.index:
            entry["stable"] = bool(stab.terms.loc[term, "stable"])
        terms.append(entry)

    bootstrap = None
    if boot is not None:
        sizes = boot.model_size
        mean_size = float(np.dot(sizes.index.to_numpy(), sizes.to_numpy()) / boot.n_boot)
        freq = boot.columns["freq"]
        bootstrap = {
            "n_boot": boot.n_boot,
            "fixed_lam": boot.fixed_lam,
            "level": boot.level,
            "level_pct": f"{100 * boot.level:g}",
            "stratify": getattr(boot, "stratify", False),
            "seed": getattr(boot, "seed_entropy", None),
            "n_ge_90": int((freq >= 0.9).sum()),
            "n_ge_50": int((freq >= 0.5).sum()),
            "sizes": [(int(k), int(v)) for k, v in sizes.items()],
            "mean_size": mean_size,
            "size_lo": int(np.quantile(np.repeat(sizes.index, sizes.to_numpy()), 0.05)),
            "size_hi": int(np.quantile(np.repeat(sizes.index, sizes.to_numpy()), 0.95)),
        }

    stability = None
    if stab is not None:
        stability = {
            "sampling": stab.sampling.replace("_", " "),
            "n_subsamples": stab.n_subsamples,
            "n_fits": stab.n_fits,
            "cutoff": stab.cutoff,
            "q": stab.q,
            "q_observed": stab.q_observed,
            "pfer": stab.pfer,
            "pfer_mb": stab.pfer_mb,
            "pfer_unimodal": stab.pfer_unimodal,
            "assumption": stab.assumption,
            "region_end": stab.region_end,
            "p": stab.p,
            "stable": list(stab.stable),
            "notes": list(getattr(stab, "notes", [])),
        }

    # notes for the reader
    if n_dropped:
        notes.append(
            f"{n_dropped} of {data['n_rows']} rows were dropped because a variable used "
            "by the formula was missing; the analysis uses the remaining "
            f"{n_obs} rows."
        )
    converged = getattr(fit.path, "converged", None)
    if converged is not None and not np.all(np.asarray(converged, dtype=bool)):
        bad = int(np.sum(~np.asarray(converged, dtype=bool)))
        notes.append(
            f"The solver did not reach its tolerance at {bad} of "
            f"{len(converged)} lambdas of the path; results there are approximate."
        )
    if model["l1_ratio"] == 0:
        notes.append(
            "Ridge regression keeps every column: 'selected' here means every column, "
            "and selection frequencies carry no information."
        )
    if boot is not None:
        notes.append(
            f"Bootstrap intervals are {bootstrap['level_pct']}% percentile intervals of "
            "the bootstrap coefficients, zeros included. They describe how much the "
            "penalized estimate moves between resamples; they are not confidence "
            "intervals for the true coefficients (the lasso is biased towards zero, and "
            "percentile intervals are not valid for coefficients at or near zero)."
        )
        notes.append(
            "A selection frequency is the share of bootstrap replicates in which the "
            "column had a nonzero coefficient"
            + (
                ", with lambda chosen again by the same rule inside each replicate."
                if not boot.fixed_lam
                else ", at the lambda of the original fit."
            )
            + " It is not a probability that the column has a real effect."
        )
    else:
        notes.append(
            "No bootstrap was run, so the report cannot say how stable the selection "
            "is. Run fit.bootstrap() (or penstat fit --bootstrap 200) before the report."
        )
    notes.append(
        "Coefficients are on the original scale of the design columns; 'std. coef' "
        "multiplies by the column's standard deviation so effects can be compared."
    )
    if model["limits"]:
        held = sum(1 for r in rows if r["at_limit"])
        notes.append(
            "The coefficients were constrained to limits ("
            + model["limits"]
            + "). "
            + (
                f"{held} coefficient{' sits' if held == 1 else 's sit'} at a limit "
                "(marked 'at limit'): the constraint, not the data alone, sets "
                + ("its value" if held == 1 else "their values")
                + ", and the information criteria do not count "
                + ("it as a free parameter." if held == 1 else "them as free parameters.")
                if held
                else "No coefficient sits at a nonzero limit at this lambda."
            )
        )
    for warning_text in getattr(fit, "warnings", []) or []:
        notes.append(str(warning_text))

    if title is None:
        title = f"Feature selection for {response}"
    return {
        "title": title,
        "version": penstat.__version__,
        "created": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "data": data,
        "model": model,
        "header_rows": header_rows,
        "selected_rows": selected_rows,
        "near_rows": near,
        "all_rows": rows,
        "unselected": unselected,
        "terms": terms,
        "bootstrap": bootstrap,
        "stability": stability,
        "notes": notes,
        "seed": fit.select_spec.seed,
    }


def _how_lambda(fit, selection) -> str:
    if selection is None:
        if fit.select_spec.lam is not None:
            return "fixed by the analyst (no data-driven choice)"
        return "the smallest lambda of the path (no selection rule)"
    describe = getattr(selection, "describe", None)
    text = None
    if callable(describe):
        try:
            text = describe()
        except (KeyError, IndexError, AttributeError, TypeError, ValueError):
            text = None
    rule = getattr(selection, "rule", "")
    plain = {
        "cv_1se": "cross-validation: the largest lambda whose error is within one "
        "standard error of the minimum (a sparser, more conservative choice)",
        "cv_min": "cross-validation: the lambda with the smallest cross-validated error",
        "aic": "Akaike's information criterion (AIC) along the path",
        "bic": "the Bayesian information criterion (BIC) along the path",
        "ebic": "the extended BIC of Chen & Chen (2008), which penalizes large models "
        "more when there are many candidate columns",
    }.get(rule, str(rule))
    return plain + (f" — {text}" if text else "")


# ----------------------------------------------------------------------------------
# figures


def _figures(fit, fmt, figure_dir, notes) -> dict[str, str]:
    """SVG markup (HTML) or relative file names (Markdown) of each plot, by name."""
    try:
        from penstat.plots import require_matplotlib

        plt = require_matplotlib()
    except PenstatError:
        notes.append("matplotlib is not installed, so the report has no plots.")
        return {}

    drawers = {}
    selection = getattr(fit, "selection", None)
    if selection is not None and getattr(selection, "rule", "fixed") != "fixed":
        drawers["selection"] = lambda ax: selection.plot(ax=ax)
    drawers["path"] = lambda ax: fit.plot(ax=ax)
    if getattr(fit, "bootstrap_result", None) is not None:
        drawers["bootstrap"] = lambda ax: fit.bootstrap_result.plot(ax=ax)
    if getattr(fit, "stability_result", None) is not None:
        drawers["stability"] = lambda ax: fit.stability_result.plot(ax=ax)

    if figure_dir is not None and fmt == "md":
        _FilePath(figure_dir).mkdir(exist_ok=True)
    out = {}
    n_freq = len(fit.design.columns)
    for name, draw in drawers.items():
        height = 4.0
        if name == "bootstrap":
            height = max(2.6, 0.28 * min(n_freq, 40) + 1.3)
        fig, ax = plt.subplots(figsize=(7.0, height))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                draw(ax)
            fig.tight_layout()
            svg = _svg(fig, plt)
        except (ImportError, AttributeError, PenstatError) as exc:
            notes.append(f"The {name} plot could not be drawn: {exc}")
            continue
        finally:
            plt.close(fig)
        if fmt == "html":
            out[name] = svg
        elif figure_dir is not None:
            target = _FilePath(figure_dir) / f"{name}.svg"
            target.write_text(svg, encoding="utf-8")
            out[name] = f"{_FilePath(figure_dir).name}/{name}.svg"
    return out


def _svg(fig, plt) -> str:
    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    # inline SVG: drop the XML prolog and doctype, keep the <svg> element
    start = text.find("<svg")
    text = text[start:] if start >= 0 else text
    # fixed pt sizes -> scale with the page (viewBox stays)
    text = re.sub(r'(<svg[^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r"\1", text, count=1)
    return text


# ----------------------------------------------------------------------------------
# templating


def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("penstat", "templates"),
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    env.filters["md"] = _md_cell
    return env


def _num(value, digits: int = 4) -> str:
    value = _maybe_float(value)
    if value is None or math.isnan(value):
        return "–"
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"


def _pct(value) -> str:
    value = _maybe_float(value)
    if value is None or math.isnan(value):
        return "–"
    return f"{100 * value:.0f}%"


def _md_cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _maybe_float(value):
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _family_name(fit) -> str:
    family = getattr(fit, "family", "gaussian")
    return str(getattr(family, "name", family))


def _penalty_name(penalty, l1_ratio) -> str:
    if penalty is None:
        penalty = "l1" if l1_ratio == 1 else "l2" if l1_ratio == 0 else "elasticnet"
    name = {"l1": "lasso", "l2": "ridge", "elasticnet": "elastic net"}.get(penalty, penalty)
    return name


def _column_sd(design):
    column_sd = getattr(design, "column_sd", None)
    if callable(column_sd):
        try:
            return np.asarray(column_sd(), dtype=float)
        except (TypeError, ValueError):
            pass
    X = np.asarray(design.X, dtype=float)
    return X.std(axis=0)
