"""The result of a penalized fit: coefficients, predictions, summary, plots.

:class:`PenalizedFit` joins the three stages below it: the :class:`~penstat.design.Design`
(formula and data), the :class:`~penstat.path.Path` (the regularization path) and,
when lambda was chosen by a rule, the :class:`~penstat.select.Selection`. It keeps
a frozen :class:`FitRecipe` of every option so that resampling (bootstrap,
stability selection) re-runs the fit exactly as it was run on the full data.

>>> import penstat as ps
>>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)  # doctest: +SKIP
>>> fit.selected  # doctest: +SKIP
>>> print(fit.summary())  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import html
import textwrap
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError, DataError
from penstat._limits import both_sides, describe_limits, limit_side
from penstat.design import offset_values

__all__ = ["FitRecipe", "PenalizedFit", "Summary"]

_RULE_TEXT = {
    "cv_1se": "cross-validation, largest lambda within 1 SE of the minimum",
    "cv_min": "cross-validation, minimum error",
    "aic": "AIC",
    "bic": "BIC",
    "ebic": "extended BIC",
}


@dataclass(frozen=True)
class FitRecipe:
    """Every option of a fit, resolved (arrays are per design row / column).

    ``lam`` is the user's fixed lambda (None when a rule chose it); ``select`` the
    rule (None for a fixed lambda or the smallest lambda of the path); ``l1_ratio``
    a float or a tuple of candidates; ``foldid``, ``weights`` and ``offset`` are
    aligned with the rows of the design; ``stratify`` chooses stratified CV folds
    (None: stratified for binomial), in the fit and in its resampling replicates;
    ``offset_column`` names the data column the offset came from (None when it was
    given as an array, or there is none); ``lower_limits`` / ``upper_limits`` are
    the coefficient limits per design column (original scale, infinite where free;
    None when that side limits nothing), passed to every path of the fit, its CV
    folds and its resampling replicates.
    """

    formula: str
    family: str
    penalty: str
    l1_ratio: float | tuple[float, ...]
    lam: float | None
    select: str | None
    nlambda: int
    lambda_min_ratio: float | None
    lambdas: tuple[float, ...] | None
    penalty_factor: np.ndarray | None
    weights: np.ndarray | None
    standardize: bool
    fit_intercept: bool
    na_action: str
    positive: Any
    nfolds: int
    foldid: np.ndarray | None
    measure: str | None
    gamma: float | None
    seed: Any
    n_jobs: int | None
    progress: bool | None
    tol: float
    max_iter: int
    stratify: bool | None = None
    offset: np.ndarray | None = None
    offset_column: str | None = None
    lower_limits: np.ndarray | None = None
    upper_limits: np.ndarray | None = None

    def path_options(self) -> dict:
        """The ``fit_path`` keyword arguments other than the data, grid and l1_ratio
        (the coefficient limits only when the fit has some)."""
        options = {
            "family": self.family,
            "penalty_factor": self.penalty_factor,
            "standardize": self.standardize,
            "fit_intercept": self.fit_intercept,
            "tol": self.tol,
            "max_iter": self.max_iter,
        }
        if self.has_limits:
            options["lower_limits"] = self.lower_limits
            options["upper_limits"] = self.upper_limits
        return options

    @property
    def has_limits(self) -> bool:
        """Whether the fit has coefficient limits."""
        return self.lower_limits is not None or self.upper_limits is not None


class PenalizedFit:
    """A penalized regression fitted from a formula; made by :func:`penstat.fit`.

    Attributes
    ----------
    coef : pandas.Series
        ``"Intercept"`` then the design columns, on the original scale, at ``lam``.
    intercept : float
    selected : list of str
        Design columns with a nonzero coefficient, in design order.
    selected_terms : list of str
        Formula terms with at least one nonzero column.
    lam : float
        The lambda of the fit (chosen by ``selection`` or fixed by the user).
    l1_ratio : float
        The L1 / L2 mix of the fit (1 = lasso, 0 = ridge).
    path : penstat.Path
        The regularization path, with ``column_names`` set.
    design : penstat.Design
    family : penstat.family.Family
    selection : penstat.Selection or None
        How lambda was chosen (None for a fixed lambda).
    cv : object or None
        ``selection.cv`` for the cross-validation rules.
    recipe : FitRecipe
    bootstrap_result, stability_result : None until :meth:`bootstrap` /
        :meth:`stability_selection` are run.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=2.0)  # doctest: +SKIP
    >>> fit.predict(ps.datasets.load("diabetes").head(3))  # doctest: +SKIP
    """

    def __init__(
        self,
        design,
        path,
        index: int,
        recipe: FitRecipe,
        selection=None,
        l1_ratio: float | None = None,
        l1_ratio_table: pd.DataFrame | None = None,
        warnings: tuple[str, ...] = (),
    ):
        self.design = design
        self.path = path
        self.index = int(index)
        self.recipe = recipe
        self.selection = selection
        self.l1_ratio = float(path.l1_ratio if l1_ratio is None else l1_ratio)
        self.l1_ratio_table = l1_ratio_table
        self.bootstrap_result = None
        self.stability_result = None
        # penstat's warnings raised by the fit (separation, convergence); the summary
        # and the report repeat them
        self.warnings = tuple(warnings)

    # -- coefficients ------------------------------------------------------------

    @property
    def family(self):
        return self.design.family

    @property
    def lam(self) -> float:
        return float(self.path.lambdas[self.index])

    @property
    def intercept(self) -> float:
        return float(self.path.intercepts[self.index])

    @property
    def coef(self) -> pd.Series:
        values = np.concatenate([[self.intercept], self.path.coefs[self.index]])
        return pd.Series(values, index=["Intercept", *self.design.columns], name="coef")

    @property
    def selected(self) -> list[str]:
        nonzero = self.path.coefs[self.index] != 0
        return [c for c, nz in zip(self.design.columns, nonzero, strict=True) if nz]

    @property
    def selected_terms(self) -> list[str]:
        chosen = set(self.selected)
        return [t for t, cols in self.design.terms.items() if chosen.intersection(cols)]

    @property
    def df(self) -> int:
        return int(np.count_nonzero(self.path.coefs[self.index]))

    @property
    def dev_ratio(self) -> float:
        return float(self.path.dev_ratio[self.index])

    @property
    def n_obs(self) -> int:
        return self.design.n_obs

    @property
    def n_dropped(self) -> int:
        return self.design.n_dropped

    @property
    def cv(self):
        return None if self.selection is None else getattr(self.selection, "cv", None)

    @property
    def penalty(self) -> str:
        return self.recipe.penalty

    @property
    def limits(self) -> pd.DataFrame | None:
        """The coefficient limits: ``lower`` and ``upper`` per design column (original
        scale; -inf / inf where a side is free), or None for a fit without limits."""
        recipe = self.recipe
        if not getattr(recipe, "has_limits", False):
            return None
        lower, upper = both_sides(
            recipe.lower_limits, recipe.upper_limits, len(self.design.columns)
        )
        return pd.DataFrame(
            {"lower": lower, "upper": upper},
            index=pd.Index(self.design.columns, name="column"),
        )

    @property
    def at_limit(self) -> list[str]:
        """Design columns whose coefficient sits at a nonzero limit (held there by the
        constraint rather than estimated freely); empty without limits."""
        side = self._limit_side()
        if side is None:
            return []
        return [c for c, s in zip(self.design.columns, side, strict=True) if s]

    def _limit_side(self):
        recipe = self.recipe
        if not getattr(recipe, "has_limits", False):
            return None
        coef = self.path.coefs[self.index]
        return limit_side(coef, recipe.lower_limits, recipe.upper_limits)

    def _limits_text(self) -> str | None:
        recipe = self.recipe
        if not getattr(recipe, "has_limits", False):
            return None
        pf = recipe.penalty_factor
        penalized = None if pf is None else np.asarray(pf, dtype=float) > 0
        return describe_limits(
            self.design.columns,
            self.design.terms,
            recipe.lower_limits,
            recipe.upper_limits,
            penalized,
        )

    # -- prediction --------------------------------------------------------------

    def coef_at(self, lam: float | None = None) -> tuple[float, np.ndarray]:
        """Intercept and coefficients at ``lam``.

        At a lambda of the path the exact solution is returned; between two lambdas
        of the path, glmnet's linear interpolation (``exact=FALSE`` in
        ``predict.glmnet``), through ``Path.coef_at``.
        """
        if lam is None:
            return self.intercept, self.path.coefs[self.index].copy()
        lam = _check_lam(lam)
        hit = np.flatnonzero(np.isclose(self.path.lambdas, lam, rtol=1e-12, atol=0.0))
        if hit.size:
            k = int(hit[0])
            return float(self.path.intercepts[k]), self.path.coefs[k].copy()
        out = self.path.coef_at(lam)
        p = len(self.design.columns)
        if isinstance(out, tuple):
            b0, b = out
        else:
            out = np.asarray(out, dtype=float)
            b0, b = (out[0], out[1:]) if out.shape[0] == p + 1 else (0.0, out)
        return float(b0), np.asarray(b, dtype=float)

    def predict(
        self,
        newdata: pd.DataFrame | None = None,
        type: str = "response",
        lam=None,
        offset=None,
    ):
        """Predict for new data through the training formula's DesignInfo.

        Parameters
        ----------
        newdata : pandas.DataFrame, optional
            Needs every column the right-hand side of the formula uses (the response
            is not needed), and the offset column when the fit took its offset from
            one. Default: the rows the model was fitted on (with their offset). Rows
            with a missing value give NaN.
        type : {"response", "link", "class"}
            ``"link"``: the linear predictor; ``"response"``: the mean (the
            probability of the positive class for binomial); ``"class"``: binomial
            only, the predicted label (positive when the probability > 0.5).
        lam : float, optional
            Predict at another lambda. On the path the solution is exact; between
            path lambdas it is linearly interpolated as in glmnet's ``predict``.
        offset : str or array, optional
            Only for a fit with an offset, whose predictions include it: a column
            name of ``newdata`` or one number per predicted row. Default: the
            fit's offset column read from ``newdata``; with ``newdata=None``, the
            training rows' own offset. A fit whose offset was an array needs
            ``offset=`` for new data. A missing offset gives NaN for its row.

        Returns
        -------
        pandas.Series
            Indexed like ``newdata``.

        Examples
        --------
        >>> fit.predict(df.head(), type="link")  # doctest: +SKIP
        >>> fit.predict(new, offset="score_logit")  # doctest: +SKIP
        """
        if type not in ("response", "link", "class"):
            raise ArgumentError(f"type={type!r}; use 'response', 'link' or 'class'")
        if type == "class" and self.family.name != "binomial":
            raise ArgumentError("type='class' is only for family='binomial'")
        if newdata is None:
            X, index = self.design.X, self.design.row_index
        else:
            X = self.design.transform(newdata)
            index = newdata.index if isinstance(newdata, pd.DataFrame) else None
        off = self._predict_offset(newdata, offset, X.shape[0])
        b0, b = self.coef_at(lam)
        eta = X @ b + b0
        if off is not None:
            eta = eta + off
        if type == "link":
            return pd.Series(eta, index=index, name="link")
        mu = self.family.linkinv(eta)
        if type == "response":
            return pd.Series(mu, index=index, name="response")
        negative, positive = self.design.classes
        labels = np.where(mu > 0.5, positive, negative).astype(object)
        labels[np.isnan(mu)] = None
        return pd.Series(labels, index=index, name="class")

    @property
    def has_offset(self) -> bool:
        """Whether the fit has an offset (its predictions then include one)."""
        return self.recipe.offset is not None

    def _predict_offset(self, newdata, offset, n: int) -> np.ndarray | None:
        """The offset of the rows predicted (see :meth:`predict`), or None."""
        if not self.has_offset:
            if offset is not None:
                raise ArgumentError(
                    "offset: this fit has no offset, so its predictions take none; "
                    "refit with offset= to use one"
                )
            return None
        column = self.recipe.offset_column
        if offset is None:
            if newdata is None:
                return np.asarray(self.recipe.offset, dtype=float)
            if column is None:
                raise ArgumentError(
                    "offset: this fit's offset was given as an array, so predictions "
                    "for newdata need offset= with one number per row of newdata "
                    "(or refit with offset='<column>' to read it from newdata)"
                )
            offset = column
        if isinstance(offset, str):
            if newdata is not None and not isinstance(newdata, pd.DataFrame):
                newdata = pd.DataFrame(newdata)  # a dict of columns, as transform takes
            if newdata is None:
                raise ArgumentError(
                    f"offset={offset!r} names a column of newdata, but no newdata was "
                    "given; pass newdata, or offset= as one number per row used"
                )
            if offset not in newdata.columns:
                raise DataError(
                    f"newdata has no column {offset!r}, the offset of this fit; add "
                    "it, or pass offset= with one number per row of newdata"
                )
            values, name = offset_values(offset, newdata, where="newdata")
        else:
            values, name = offset_values(offset, None, "offset=", "newdata")
            if values.ndim != 1 or values.shape[0] != n:
                raise ArgumentError(
                    f"offset= has shape {values.shape}; give one number per predicted "
                    f"row ({n}), or the name of a column of newdata"
                )
        if np.isinf(values).any():
            raise DataError(f"{name} has infinite values; the offset must be finite")
        return values

    # -- summary -----------------------------------------------------------------

    def summary(self, all: bool = False) -> Summary:
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
                "header": self._header(),
                "coefficients": self._coef_table(all),
                "terms": self._term_table(),
            },
            warnings=getattr(self, "warnings", ()),
        )

    def _header(self) -> pd.DataFrame:
        d = self.design
        rows: list[tuple[str, Any]] = [("formula", d.formula)]
        family = self.family.name
        if family == "binomial":
            family += f" (logit link), positive class: {d.positive!r} of {d.response!r}"
        rows.append(("family", family))
        rows.append(("penalty", _penalty_text(self.recipe.penalty, self.l1_ratio)))
        if self.l1_ratio_table is not None:
            table = self.l1_ratio_table
            ratios = table["l1_ratio"] if "l1_ratio" in table.columns else table.index
            rows.append(("l1_ratio chosen from", ", ".join(f"{v:g}" for v in ratios)))
        rows.append(("observations used", d.n_obs))
        rows.append(("rows dropped (missing values)", d.n_dropped))
        if d.weights is not None:
            rows.append(("weights", "yes"))
        if self.has_offset:
            rows.append(("offset", _offset_text(self.recipe.offset_column)))
        limits = self._limits_text()
        if limits is not None:
            rows.append(("limits", limits))
        rows.append(("lambda", f"{self.lam:.6g}"))
        rows.append(("lambda chosen by", self._rule_text()))
        rows.extend(self._selection_rows())
        rows.append(("intercept", f"{self.intercept:.6g}" if d.has_intercept else "none"))
        nonzero = f"{self.df} of {len(d.columns)}"
        if limits is not None:
            nonzero += f" ({len(self.at_limit)} at a limit)"
        rows.append(("nonzero coefficients", nonzero))
        rows.append(("deviance explained", f"{self.dev_ratio:.4f}"))
        frame = pd.DataFrame(
            {"value": [str(v) for _, v in rows]}, index=pd.Index([k for k, _ in rows])
        )
        return frame

    def _rule_text(self) -> str:
        sel = self.selection
        if sel is None:
            if self.recipe.lam is not None:
                return "fixed by the user"
            return "smallest lambda of the path (no selection rule)"
        rule = str(getattr(sel, "rule", self.recipe.select))
        text = _RULE_TEXT.get(rule, rule)
        if rule.startswith("cv"):
            nfolds = self.recipe.nfolds if self.recipe.foldid is None else "user"
            measure = getattr(sel, "measure", None)
            text = f"{nfolds}-fold {text}" + (f" ({measure})" if measure else "")
        if rule == "ebic" and self.recipe.gamma is not None:
            text += f" (gamma = {self.recipe.gamma:g})"
        return text

    def _selection_rows(self) -> list[tuple[str, Any]]:
        sel = self.selection
        if sel is None:
            return []
        rows = []
        table = getattr(sel, "table", None)
        rule = str(getattr(sel, "rule", ""))
        if isinstance(table, pd.DataFrame) and len(table) > self.index:
            row = table.iloc[self.index] if len(table) == len(self.path.lambdas) else None
            if row is not None:
                mean_col = _first_present(row.index, ("cv_mean", "mean", "cvm", "error"))
                se_col = _first_present(row.index, ("cv_se", "se", "cvsd", "sd"))
                if rule.startswith("cv") and mean_col is not None:
                    value = f"{row[mean_col]:.6g}"
                    if se_col is not None:
                        value += f" +- {row[se_col]:.3g}"
                    rows.append((f"CV {getattr(sel, 'measure', None) or 'error'}", value))
                elif rule in row.index:
                    rows.append((rule.upper(), f"{row[rule]:.6g}"))
        if rule == "cv_1se" and getattr(sel, "lam_min", None) is not None:
            rows.append(("lambda (minimum CV error)", f"{sel.lam_min:.6g}"))
        elif rule == "cv_min" and getattr(sel, "lam_1se", None) is not None:
            rows.append(("lambda (1-SE rule)", f"{sel.lam_1se:.6g}"))
        return rows

    def _coef_table(self, all: bool) -> pd.DataFrame:
        d = self.design
        coef = self.path.coefs[self.index]
        table = pd.DataFrame(
            {
                "term": [d.term_of()[c] for c in d.columns],
                "coef": coef,
                "std_coef": coef * d.column_sd(),
            },
            index=pd.Index(d.columns, name="column"),
        )
        boot = self.bootstrap_result
        if boot is not None and isinstance(getattr(boot, "columns", None), pd.DataFrame):
            wanted = ["freq", "sign_consistency", "median", "lower", "upper"]
            extra = boot.columns.reindex(d.columns)
            table = table.join(extra[[c for c in wanted if c in extra.columns]])
        side = self._limit_side()
        if side is not None:
            # which coefficients the constraint holds at a (nonzero) limit
            table.insert(3, "at_limit", side)
        if not all:
            table = table[coef != 0]
        return table

    def _term_table(self) -> pd.DataFrame:
        d = self.design
        coef = self.path.coefs[self.index]
        nonzero = dict(zip(d.columns, coef != 0, strict=True))
        table = pd.DataFrame(
            {
                "n_columns": [len(cols) for cols in d.terms.values()],
                "n_selected": [sum(nonzero[c] for c in cols) for cols in d.terms.values()],
            },
            index=pd.Index(list(d.terms), name="term"),
        )
        boot = self.bootstrap_result
        terms = getattr(boot, "terms", None)
        if isinstance(terms, pd.DataFrame) and "freq" in terms.columns:
            table["freq"] = terms["freq"].reindex(table.index)
        return table

    # -- resampling (docs/internals.md) -------------------------------------------

    def refit_rows(self, rows, select: str = "same", seed=None) -> np.ndarray:
        """Re-run the whole recipe on design rows ``rows``; coefficients (p,).

        Parameters
        ----------
        rows : array of int
            Row positions in ``design.X`` (repeats allowed, e.g. a bootstrap draw).
        select : {"same", "fixed"}
            ``"same"`` re-applies the lambda rule inside the replicate; ``"fixed"``
            fits at this fit's ``lam`` (and ``l1_ratio``) exactly.
        seed : optional
            Seed of the replicate's CV folds.

        Returns
        -------
        numpy.ndarray
            Coefficients on the original scale, without the intercept.
        """
        from penstat.api import fit_arrays

        rows = np.asarray(rows, dtype=np.intp)
        X, y, w, foldid, off = self._rows(rows)
        recipe = self.recipe
        if select == "fixed" or recipe.lam is not None:
            recipe = dataclasses.replace(
                recipe, lam=self.lam, l1_ratio=self.l1_ratio, select=None
            )
            grid = self.path.lambdas
        elif select == "same":
            grid = None
        else:
            raise ArgumentError(f"select={select!r}; use 'same' or 'fixed'")
        if recipe.lam is None:
            recipe = dataclasses.replace(recipe, seed=seed, n_jobs=1, progress=False)
        out = fit_arrays(X, y, w, foldid, recipe, grid=grid, offset=off)
        return np.asarray(out.path.coefs[out.index], dtype=float).copy()

    def path_rows(self, rows, lambdas):
        """The path of this fit's options on design rows ``rows`` at ``lambdas``."""
        from penstat.path import fit_path

        rows = np.asarray(rows, dtype=np.intp)
        X, y, w, _, off = self._rows(rows)
        path = fit_path(
            X,
            y,
            l1_ratio=self.l1_ratio,
            lambdas=np.asarray(lambdas, dtype=float),
            weights=w,
            offset=off,
            **self.recipe.path_options(),
        )
        return dataclasses.replace(path, column_names=list(self.design.columns))

    def _rows(self, rows):
        d = self.design
        X = np.asfortranarray(d.X[rows])
        w = None if d.weights is None else d.weights[rows]
        foldid = None if self.recipe.foldid is None else self.recipe.foldid[rows]
        off = None if self.recipe.offset is None else self.recipe.offset[rows]
        return X, d.y[rows], w, foldid, off

    def bootstrap(self, **kwargs):
        """Bootstrap selection frequencies; see :func:`penstat.stability.run_bootstrap`.

        The result is also stored in ``fit.bootstrap_result`` (and shown by
        :meth:`summary`).
        """
        from penstat.stability import run_bootstrap

        self.bootstrap_result = run_bootstrap(self, **kwargs)
        return self.bootstrap_result

    def stability_selection(self, **kwargs):
        """Stability selection; see :func:`penstat.stability.run_stability_selection`.

        The result is also stored in ``fit.stability_result``.
        """
        from penstat.stability import run_stability_selection

        self.stability_result = run_stability_selection(self, **kwargs)
        return self.stability_result

    def report(self, path, **kwargs):
        """Write an HTML or Markdown report; see :func:`penstat.report.write_report`."""
        from penstat.report import write_report

        return write_report(self, path, **kwargs)

    def plot(self, ax=None, **kwargs):
        """Coefficient paths against log lambda with this fit's lambda marked."""
        from penstat.plots.path import plot_path

        return plot_path(self.path, ax=ax, lam=self.lam, **kwargs)

    def __repr__(self) -> str:
        return (
            f"<PenalizedFit {self.design.formula!r}, {self.family.name}, "
            f"{_penalty_text(self.recipe.penalty, self.l1_ratio)}, lam={self.lam:.4g}, "
            f"{self.df} of {len(self.design.columns)} columns selected>"
        )


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


def _penalty_text(penalty: str, l1_ratio: float) -> str:
    name = {"l1": "lasso", "l2": "ridge", "elasticnet": "elastic net"}.get(penalty, penalty)
    return f"{name} (l1_ratio = {l1_ratio:g})"


def _offset_text(column: str | None) -> str:
    """How the summary names the offset: its column, or an array."""
    return "array" if column is None else f"column {column!r}"


def _first_present(index, names):
    for name in names:
        if name in index:
            return name
    return None


def _check_lam(lam) -> float:
    try:
        value = float(lam)
    except (TypeError, ValueError):
        raise ArgumentError(f"lam={lam!r} must be a number >= 0") from None
    if not np.isfinite(value) or value < 0:
        raise ArgumentError(f"lam={lam!r} must be a finite number >= 0")
    return value
