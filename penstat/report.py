"""A feature-selection report for a reader who did not run the analysis.

:func:`write_report` renders a fit (and its bootstrap and stability selection, when
they were run) as one self-contained HTML file, plots embedded as inline SVG and no
external resources, or as Markdown with the plots written as SVG files next to it.

>>> import penstat as ps
>>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), seed=0, nfolds=5)
>>> boot = fit.bootstrap(n_boot=10, seed=1, progress=False)
>>> fit.report("diabetes-report.html").name
'diabetes-report.html'
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
import pathlib
import re
import warnings
from collections.abc import Callable
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from penstat._errors import ArgumentError, PenstatError
from penstat._validation import check_source
from penstat.inference.result import alternative_words
from penstat.plots import require_matplotlib
from penstat.plots.inference import plot_intervals
from penstat.plots.path import plot_group_path, plot_path
from penstat.plots.selection import plot_lambda_choice
from penstat.plots.stability import plot_selection_frequency, plot_stability_path
from penstat.results.export import FitLike, fit_to_dict, header_rows

__all__ = ["render_report", "report_context", "write_report"]


def write_report(
    fit: FitLike,
    path: str | os.PathLike,
    title: str | None = None,
    source: str | None = None,
) -> pathlib.Path:
    """Write a report of ``fit`` to ``path`` (``.html``/``.htm`` or ``.md``).

    The report states the data (its source, the rows read and dropped), the
    formula as given, the date and the penstat version, the model and how lambda was chosen
    (with the CV or criterion plot), the selected features with their coefficients
    and, when ``fit.bootstrap()`` was run, their bootstrap selection frequency and
    interval, the term table, the coefficient path, the stability plots, the
    inference after selection (when ``fit.inference()`` was run: the method, what
    it conditions on and guarantees, its intervals and p-values next to the
    bootstrap frequencies, and a forest plot), and notes on dropped rows,
    convergence and what the intervals mean.

    Parameters
    ----------
    fit : FitLike
        A :class:`~penstat.results.PenalizedFit`.
    path : str or path-like
        ``.html`` or ``.htm``: one self-contained HTML file. ``.md``: Markdown, with
        the plots as SVG files in a folder ``<name>_files`` next to it.
    title : str, optional
        Default: "Feature selection for <response>", followed by "in <file or
        dataset>" when ``source`` is given.
    source : str, optional
        Where the data came from: a file name, or ``"dataset:<name>"`` for a
        :mod:`penstat.datasets` dataset (what ``penstat fit`` passes). Stated at the
        top of the report; without it the report says that no source was given.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0)
    >>> written = write_report(fit, "report.md", source="dataset:diabetes")
    >>> written.name, written.with_name("report_files").is_dir()
    ('report.md', True)
    >>> written.read_text().splitlines()[0]
    '# Feature selection for y in diabetes'
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ArgumentError(
            f"report path must be a file name (str or pathlib.Path), not "
            f"{type(path).__name__}; e.g. fit.report('report.html')"
        )
    target = pathlib.Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".html", ".htm", ".md"):
        raise ArgumentError(
            f"report path {str(path)!r} must end in .html, .htm or .md (Markdown)"
        )
    fmt = "md" if suffix == ".md" else "html"
    figure_dir = target.with_name(target.stem + "_files") if fmt == "md" else None
    check_writable(target, figure_dir)
    text = render_report(fit, fmt=fmt, title=title, figure_dir=figure_dir, source=source)
    target.write_text(text, encoding="utf-8")
    return target


def check_writable(target: pathlib.Path, figure_dir: pathlib.Path | None = None) -> None:
    """Refuse, before anything is drawn, a report path that cannot be written: its
    folder missing or not a folder, the path itself a folder, no permission, or the
    Markdown figure folder ``figure_dir`` taken by a file. The file is opened for
    appending, so an existing one is not changed and a new one is removed again.

    Examples
    --------
    >>> import tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_writable(folder / "fine.html")
    >>> check_writable(folder)
    Traceback (most recent call last):
    ...
    penstat._errors.ArgumentError: report path ... is a folder; give a file name ...
    """
    parent = target.parent
    if not parent.exists():
        raise ArgumentError(f"folder {str(parent)!r} of the report does not exist")
    if not parent.is_dir():
        raise ArgumentError(
            f"report path {str(target)!r}: {str(parent)!r} is a file, not a folder"
        )
    if target.is_dir():
        raise ArgumentError(
            f"report path {str(target)!r} is a folder; give a file name inside it "
            "(e.g. report.html)"
        )
    if figure_dir is not None and figure_dir.exists() and not figure_dir.is_dir():
        raise ArgumentError(
            f"the Markdown report keeps its plots in {str(figure_dir)!r}, which is a "
            "file; move it or choose another report name"
        )
    existed = target.exists()
    try:
        with open(target, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise ArgumentError(
            f"report path {str(target)!r} cannot be written: {exc.strerror}"
        ) from None
    if not existed:
        target.unlink()


def render_report(
    fit: FitLike,
    fmt: str = "html",
    title: str | None = None,
    figure_dir=None,
    source: str | None = None,
) -> str:
    """The report as a string (``fmt`` ``"html"`` or ``"md"``); see :func:`write_report`.

    The text is built from the fit's export record
    (:func:`penstat.results.export.fit_to_dict`, see :func:`report_context`); the
    figures from the path, selection, bootstrap and stability results of the fit.
    For Markdown the figures are written to ``figure_dir`` (omitted when None).
    ``source`` names the data, as in :func:`write_report`.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    >>> render_report(fit, fmt="md").startswith("# Feature selection for y")
    True
    """
    if fmt not in ("html", "md"):
        raise ArgumentError(f"fmt must be 'html' or 'md', not {fmt!r}")
    record = fit_to_dict(fit, source=check_source(source))
    context = report_context(record, title)
    context["figures"] = _figures(fit, record, fmt, figure_dir, context["notes"])
    env = _environment()
    template = env.get_template("report.html.j2" if fmt == "html" else "report.md.j2")
    return template.render(**context)


# ----------------------------------------------------------------------------------
# the content, from the export record


def report_context(record: dict, title: str | None = None) -> dict[str, Any]:
    """What the report templates show (all but the figures), read from a record.

    Parameters
    ----------
    record : dict
        From :func:`penstat.results.export.fit_to_dict`.
    title : str, optional
        Default: "Feature selection for <response>".

    Returns
    -------
    dict
        ``title``, ``version``, ``created``, ``data``, ``model``, ``header_rows``,
        ``selected_rows``, ``near_rows``, ``all_rows``, ``unselected``, ``terms``,
        ``bootstrap``, ``stability``, ``inference``, ``notes`` and ``seed``.

    Examples
    --------
    >>> import penstat as ps
    >>> from penstat.results.export import fit_to_dict
    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
    >>> context = report_context(fit_to_dict(fit))
    >>> context["title"], context["model"]["n_selected"]
    ('Feature selection for y', 2)
    """
    rows = _column_rows(record)
    selected = sorted((r for r in rows if r["selected"]), key=_by_std_coef)
    # columns the fit left out but the bootstrap often picks: worth a reader's eye
    near = []
    if record["bootstrap"] is not None:
        near = [r for r in rows if not r["selected"] and r["freq"] >= 0.5]
        near.sort(key=lambda r: -r["freq"])
    bootstrap = _bootstrap_context(record["bootstrap"])
    data = _data_context(record)
    if title is None:
        title = f"Feature selection for {data['response']}"
        if data["source_name"]:
            title += f" in {data['source_name']}"
    return {
        "title": title,
        "version": record["penstat_version"],
        "created": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "data": data,
        "model": _model_context(record),
        "header_rows": header_rows(record),
        "selected_rows": selected,
        "near_rows": near,
        "all_rows": rows,
        "unselected": [r["column"] for r in rows if not r["selected"]],
        "terms": _term_rows(record),
        "bootstrap": bootstrap,
        "stability": _stability_context(record["stability"]),
        "inference": _inference_context(record, rows),
        "notes": _notes(record, bootstrap),
        "seed": record["model"]["seed"],
    }


def _data_context(record: dict) -> dict[str, Any]:
    data, model = record["data"], record["model"]
    offset = None
    if data["offset_kind"] == "array":
        offset = "an array given with the fit"
    elif data["offset_kind"] == "column":
        offset = f"column {data['offset']}"
    source = data["source"]
    if source is None:
        name = described = None
    elif source.startswith("dataset:"):
        name = source.removeprefix("dataset:")
        described = f"penstat dataset {name} (penstat.datasets.load({name!r}))"
    else:
        name = pathlib.PurePath(source).name or source
        described = f"file {source}"
    missing = data.get("missing") or {}
    why = ", ".join(f"{c} ({k} row{'' if k == 1 else 's'})" for c, k in missing.items())
    return {
        **data,
        "dropped_why": f"a missing value in {why}" if why else "a missing value",
        "source_name": name,
        "source_text": described,
        "family": model["family"],
        "positive": model["positive_class"] if model["family"] == "binomial" else None,
        "offset": offset,
    }


def _model_context(record: dict) -> dict[str, Any]:
    model = record["model"]
    return {
        "penalty": model["penalty_name"],
        "l1_ratio": model["l1_ratio"],
        "lam": model["lam"],
        "how": _how_lambda(record),
        "n_selected": model["n_selected"],
        "limits": model["limits_text"],
        # the group lasso: the scale of the group norms (None without groups)
        "group_scale": None if model.get("groups") is None else model["groups"]["scale"],
    }


_SIZE_BAR_REM = 8.0  # the longest model-size bar, in rem

_LAMBDA_NOTE = (
    "In every plot lambda decreases from left to right (log scale): the sparsest "
    "model is on the left and the model grows to the right, the order in which the "
    "path is fitted. glmnet's plots in R draw the mirror image."
)

_RULE_WORDS = {
    "cv_1se": "cross-validation: the largest lambda whose error is within one "
    "standard error of the minimum (a sparser, more conservative choice)",
    "cv_min": "cross-validation: the lambda with the smallest cross-validated error",
    "aic": "Akaike's information criterion (AIC) along the path",
    "bic": "the Bayesian information criterion (BIC) along the path",
    "ebic": "the extended BIC of Chen & Chen (2008), which penalizes large models "
    "more when there are many candidate columns",
}


def _how_lambda(record: dict) -> str:
    """How lambda was chosen, in words for a reader who did not run the analysis."""
    selection = record["selection"]
    if selection is None:
        if record["model"]["lam_fixed"]:
            return "fixed by the analyst (no data-driven choice)"
        return "the smallest lambda of the path (no selection rule)"
    words = _RULE_WORDS.get(selection["rule"], selection["rule"])
    return f"{words} — {selection['description']}"


def _column_rows(record: dict) -> list[dict[str, Any]]:
    """One row per design column: coefficient, bootstrap and stability figures."""
    boot, stab = record["bootstrap"], record["stability"]
    boot_of = {} if boot is None else {r["column"]: r for r in boot["columns"]}
    stab_of = {} if stab is None else {r["column"]: r for r in stab["columns"]}
    rows = []
    for c in record["coefficients"]:
        name = c["column"]
        row = {
            "column": name,
            "term": c["term"] or "",
            "coef": c["coef"],
            "std_coef": c["std_coef"],
            "selected": c["selected"],
            "at_limit": c.get("at_limit") or "",
        }
        if boot is not None:
            b = boot_of[name]
            row.update(
                freq=b["freq"],
                sign=b["sign_consistency"],
                median=b["median"],
                lower=b["lower"],
                upper=b["upper"],
            )
        if stab is not None:
            row["stab_prob"] = stab_of.get(name, {}).get("max_probability")
            row["stable"] = name in stab["stable"]
        rows.append(row)
    return rows


def _by_std_coef(row: dict) -> float:
    """Sort key: the largest standardized coefficient first."""
    return 0.0 if row["std_coef"] is None else -abs(row["std_coef"])


def _term_rows(record: dict) -> list[dict[str, Any]]:
    boot, stab = record["bootstrap"], record["stability"]
    freq = {} if boot is None else {t["term"]: t["freq"] for t in boot["terms"]}
    stable = {} if stab is None else {t["term"]: t["stable"] for t in stab["terms"]}
    rows = []
    for t in record["terms"]:
        entry = {
            "term": t["term"],
            "n_columns": t["n_columns"],
            "n_selected": t["n_selected"],
            "columns": ", ".join(t["columns"]),
        }
        if "group_name" in t:  # the group lasso
            entry.update(
                group=t["group_name"],
                group_size=t["group_size"],
                group_norm=t["group_norm"],
            )
        if t["term"] in freq:
            entry["freq"] = freq[t["term"]]
        if t["term"] in stable:
            entry["stable"] = bool(stable[t["term"]])
        rows.append(entry)
    return rows


def _bootstrap_context(boot: dict | None) -> dict[str, Any] | None:
    if boot is None:
        return None
    sizes = [(int(k), int(v)) for k, v in boot["model_size"].items()]
    drawn = np.repeat([k for k, _ in sizes], [v for _, v in sizes])
    freq = np.array([r["freq"] for r in boot["columns"]], dtype=float)
    most = max((v for _, v in sizes), default=1)
    n_failed = int(boot.get("n_failed", 0))
    return {
        "n_boot": boot["n_boot"] - n_failed,
        "n_failed": n_failed,
        "fixed_lam": boot["fixed_lam"],
        "level": boot["level"],
        "level_pct": f"{100 * boot['level']:g}",
        "stratify": boot["stratify"],
        "seed": boot["seed_entropy"],
        "n_ge_90": int((freq >= 0.9).sum()),
        "n_ge_50": int((freq >= 0.5).sum()),
        "sizes": sizes,
        # bars scaled to the most common size, so the smallest share stays visible
        "size_bars": [round(_SIZE_BAR_REM * v / most, 2) for _, v in sizes],
        "mean_size": float(sum(k * v for k, v in sizes) / (boot["n_boot"] - n_failed)),
        "size_lo": int(np.quantile(drawn, 0.05)),
        "size_hi": int(np.quantile(drawn, 0.95)),
    }


#: What each inference method guarantees, in words for a reader of the report.
INFERENCE_GUARANTEES = {
    "selective": "Selective inference (Lee, Sun, Sun & Taylor 2016) conditions on "
    "the event that the lasso, at this lambda, selected exactly these columns with "
    "these signs. Among data sets that would have led to the same selection, each "
    "interval covers its target (the column's coefficient in the regression on the "
    "selected columns) with the stated probability, and each p-value is uniform "
    "when that coefficient is zero. The guarantee assumes gaussian noise with the "
    "stated sigma and a lambda fixed before seeing the data; a lambda chosen by "
    "cross-validation on the same rows makes it approximate.",
    "split": "Multi-sample splitting (Meinshausen, Meier & Bühlmann 2009) selects "
    "columns on a random half of the rows and tests them by least squares on the "
    "other half, over many random splits, and aggregates the p-values across "
    "splits. The adjusted p-values control the family-wise error rate over all "
    "columns (the chance of declaring any null column significant) without "
    "conditioning on one selection; they rely on the selection screening the "
    "relevant columns on half of the rows.",
    "debiased": "The de-sparsified (debiased) lasso (Zhang & Zhang 2014; van de "
    "Geer, Bühlmann, Ritov & Dezeure 2014) corrects the lasso's shrinkage for every "
    "column and treats the corrected estimate as normal. Its intervals and p-values "
    "are asymptotic, for the coefficients of the model with all columns, and do not "
    "depend on which columns the fit selected; they need a sparse true model and a "
    "well-behaved design, and can be off in small samples.",
    "naive": "The naive refit fits the selected columns again without a penalty and "
    "reports the textbook intervals and p-values, as if the columns had been chosen "
    "before seeing the data. It guarantees nothing after selection: the same data "
    "chose the columns, so its p-values are too small and its intervals too narrow. "
    "It is shown only for comparison.",
}


def _inference_context(record: dict, rows: list[dict]) -> dict[str, Any] | None:
    """The inference section: the method block, its table (with the coefficients
    and the bootstrap figures), and what the method guarantees."""
    block = record["inference"]
    if block is None:
        return None
    by_column = {r["column"]: r for r in rows}
    columns = []
    for entry in block["columns"]:
        fit_row = by_column.get(entry["column"], {})
        columns.append(
            {
                **fit_row,
                "column": entry["column"],
                "term": fit_row.get("term", ""),
                "estimate": entry.get("estimate"),
                "std_error": entry.get("std_error"),
                "ci_lower": entry.get("ci_lower"),
                "ci_upper": entry.get("ci_upper"),
                "p_value": entry.get("p_value"),
                "p_adjusted": entry.get("p_adjusted"),
            }
        )
    has = {
        key: any(c[key] is not None for c in columns) for key in ("std_error", "p_adjusted")
    }
    method = block["method"]
    guarantee = INFERENCE_GUARANTEES.get(method)
    if guarantee is None:
        guarantee = f"The method conditions on {block['conditioning']}."
    return {
        **block,
        "level_pct": f"{100 * block['level']:g}",
        "alternative_words": alternative_words(block["alternative"]),
        "kind": "approximate " if block["approximate"] else "",
        "rows": columns,
        "has_std_error": has["std_error"],
        "has_adjusted": has["p_adjusted"],
        "guarantee": guarantee,
        "naive": method == "naive",
    }


def _stability_context(stab: dict | None) -> dict[str, Any] | None:
    if stab is None:
        return None
    grouped = stab.get("unit") == "group"
    return {
        **stab,
        "sampling": stab["sampling"].replace("_", " "),
        # complementary pairs with a half that failed were left out whole
        "pairs_dropped": stab.get("n_pairs") is not None
        and stab["n_pairs"] < stab["n_subsamples"],
        # what is selected and counted: columns, or the group lasso's groups
        "units": "groups" if grouped else "columns",
        "kept": [r["group"] for r in stab["groups"] if r["stable"]]
        if grouped
        else list(stab["stable"]),
    }


# ----------------------------------------------------------------------------------
# notes for the reader


def _notes(record: dict, bootstrap: dict | None) -> list[str]:
    data, model = record["data"], record["model"]
    notes: list[str] = []
    if data["n_dropped"]:
        notes.append(
            f"{data['n_dropped']} of {data['n_rows']} rows were dropped because a "
            "variable used by the formula was missing; the analysis uses the remaining "
            f"{data['n_obs']} rows."
        )
    if data["n_no_trials"]:
        notes.append(
            f"{data['n_no_trials']} rows had no trials (successes + failures = 0) and "
            "were left out, as glmnet does: they carry no information."
        )
    if model["n_unconverged"]:
        notes.append(
            f"The solver did not reach its tolerance at {model['n_unconverged']} of "
            f"{model['n_lambdas']} lambdas of the path; results there are approximate."
        )
    if model["l1_ratio"] == 0:
        notes.append(
            "Ridge regression keeps every column: 'selected' here means every column, "
            "and selection frequencies carry no information."
        )
    notes += _bootstrap_notes(bootstrap)
    notes.append(_LAMBDA_NOTE)
    notes.append(
        "Coefficients are on the original scale of the design columns; 'std. coef' "
        "multiplies by the column's standard deviation so effects can be compared."
    )
    if model["limits_text"]:
        notes.append(_limits_note(model["limits_text"], model["n_at_limit"]))
    return notes + list(record["warnings"])


def _bootstrap_notes(bootstrap: dict | None) -> list[str]:
    if bootstrap is None:
        return [
            "No bootstrap was run, so the report cannot say how stable the selection "
            "is. Run fit.bootstrap() (or penstat fit --bootstrap 200) before the report."
        ]
    how = (
        ", at the lambda of the original fit."
        if bootstrap["fixed_lam"]
        else ", with lambda chosen again by the same rule inside each replicate."
    )
    return [
        f"Bootstrap intervals are {bootstrap['level_pct']}% percentile intervals of "
        "the bootstrap coefficients, zeros included. They describe how much the "
        "penalized estimate moves between resamples; they are not confidence "
        "intervals for the true coefficients (the lasso is biased towards zero, and "
        "percentile intervals are not valid for coefficients at or near zero).",
        "A selection frequency is the share of bootstrap replicates in which the "
        "column had a nonzero coefficient"
        + how
        + " It is not a probability that the column has a real effect.",
    ]


def _limits_note(limits: str, held: int) -> str:
    if not held:
        return (
            f"The coefficients were constrained to limits ({limits}). "
            "No coefficient sits at a nonzero limit at this lambda."
        )
    one = held == 1
    return (
        f"The coefficients were constrained to limits ({limits}). "
        f"{held} coefficient{' sits' if one else 's sit'} at a limit "
        "(marked 'at limit'): the constraint, not the data alone, sets "
        + ("its value" if one else "their values")
        + ", and the information criteria do not count "
        + ("it as a free parameter." if one else "them as free parameters.")
    )


# ----------------------------------------------------------------------------------
# figures


def _drawers(fit: FitLike, record: dict) -> dict[str, Callable]:
    """The plots of the report by name, each a function of the Axes to draw in."""
    drawers: dict[str, Callable] = {}
    selection = record["selection"]
    if selection is not None and selection["rule"] != "fixed":
        drawers["selection"] = lambda ax: plot_lambda_choice(fit.selection, ax=ax)
    groups = record["model"].get("groups")
    if groups is not None:
        # the group lasso: one line per group, its norm on the penalized scale
        norms = fit.group_norm_path()
        drawers["path"] = lambda ax: plot_group_path(
            norms, ax=ax, lam=record["model"]["lam"], scale=groups["scale"]
        )
    else:
        drawers["path"] = lambda ax: plot_path(fit.path, ax=ax, lam=record["model"]["lam"])
    if fit.bootstrap_result is not None:
        boot = fit.bootstrap_result
        drawers["bootstrap"] = lambda ax: plot_selection_frequency(boot, ax=ax)
    if fit.stability_result is not None:
        stab = fit.stability_result
        drawers["stability"] = lambda ax: plot_stability_path(stab, ax=ax)
    if record["inference"] is not None and record["inference"]["columns"]:
        table, scale = _inference_frame(record)
        method, level = record["inference"]["method"], record["inference"]["level"]
        drawers["inference"] = lambda ax: plot_intervals(
            table, ax=ax, method=method, level=level, scale=scale
        )
    return drawers


def _inference_frame(record: dict) -> tuple[pd.DataFrame, pd.Series]:
    """The inference table of the record (None, an open or undefined side, as NaN;
    the open side of a one-sided interval as infinite) and the columns' standard
    deviations."""
    rows = record["inference"]["columns"]
    names = [r["column"] for r in rows]

    def values(key: str, fill: float) -> np.ndarray:
        return np.array([fill if r[key] is None else r[key] for r in rows], dtype=float)

    one_sided = record["inference"]["alternative"] != "two-sided"
    table = pd.DataFrame(
        {
            "estimate": values("estimate", math.nan),
            "ci_lower": values("ci_lower", -math.inf if one_sided else math.nan),
            "ci_upper": values("ci_upper", math.inf if one_sided else math.nan),
        },
        index=names,
    )
    sd = {c["column"]: c["sd"] for c in record["coefficients"]}
    scale = pd.Series({n: math.nan if sd.get(n) is None else sd[n] for n in names})
    return table, scale


def _figures(fit: FitLike, record: dict, fmt, figure_dir, notes) -> dict[str, str]:
    """SVG markup (HTML) or relative file names (Markdown) of each plot, by name."""
    try:
        plt = require_matplotlib()
    except PenstatError:
        notes.append("matplotlib is not installed, so the report has no plots.")
        return {}
    if figure_dir is not None and fmt == "md":
        pathlib.Path(figure_dir).mkdir(exist_ok=True)
    out = {}
    n_freq = record["data"]["n_columns"]
    for name, draw in _drawers(fit, record).items():
        height = 4.0
        if name == "bootstrap":
            height = max(2.6, 0.28 * min(n_freq, 40) + 1.3)
        elif name == "inference":
            n_rows = len(record["inference"]["columns"])
            height = max(2.4, 0.32 * min(n_rows, 40) + 1.3)
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
            target = pathlib.Path(figure_dir) / f"{name}.svg"
            target.write_text(svg, encoding="utf-8")
            out[name] = f"{pathlib.Path(figure_dir).name}/{name}.svg"
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
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("penstat", "templates"),
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = _num
    env.filters["pvalue"] = _pvalue
    env.filters["bound"] = _bound
    env.filters["pct"] = _pct
    env.filters["md"] = _md_text
    env.filters["code"] = _md_code
    env.filters["fenced"] = _md_fenced
    return env


def _num(value, digits: int = 4) -> str:
    value = _maybe_float(value)
    if value is None or math.isnan(value):
        return "–"
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"


def _pvalue(value) -> str:
    """A p-value: 3 significant digits, ``< 1e-16`` below double precision's reach."""
    value = _maybe_float(value)
    if value is None or math.isnan(value):
        return "–"
    if value < 1e-16:
        return "< 1e-16"
    return f"{value:.3g}"


def _bound(value, side: str, alternative: str) -> str:
    """An interval's end: a number; a missing end of a one-sided interval is the
    open side (-inf / inf), of a two-sided one undefined (–)."""
    if value is None and alternative != "two-sided":
        return "−∞" if side == "lower" else "∞"
    return _num(value)


def _pct(value) -> str:
    value = _maybe_float(value)
    if value is None or math.isnan(value):
        return "–"
    return f"{100 * value:.0f}%"


# Markdown reads these as markup anywhere in a line: emphasis, code, links, table
# cells, strikethrough, escapes; "<" only before a tag, autolink or comment, "&" only
# before an entity
_MD_MARKUP = re.compile(r"[\\`*_\[\]|~]|<(?=[A-Za-z/!?])|&(?=#?\w+;)")


def _one_line(value) -> str:
    return " ".join(str(value).splitlines())


def _md_text(value) -> str:
    """``value`` as literal Markdown text on one line (a table cell or prose)."""
    return _MD_MARKUP.sub(lambda m: "\\" + m.group(0), _one_line(value))


def _md_code(value, cell: bool = True) -> str:
    """``value`` as a Markdown code span, delimited by more backticks than it holds;
    in a table ``cell`` its "|" are escaped (GitHub reads them first)."""
    text = _one_line(value)
    if cell:
        text = text.replace("|", "\\|")
    ticks = max(map(len, re.findall("`+", text)), default=0)
    pad = " " if ticks else ""
    return f"{'`' * (ticks + 1)}{pad}{text}{pad}{'`' * (ticks + 1)}"


def _md_fenced(value) -> str:
    """``value`` in a fenced code block longer than any run of backticks in it."""
    ticks = max(map(len, re.findall("`+", str(value))), default=0)
    fence = "`" * max(3, ticks + 1)
    return f"{fence}\n{value}\n{fence}"


def _maybe_float(value):
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
