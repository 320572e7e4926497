"""The result of a penalized fit: :class:`PenalizedFit`.

A fit joins the stages below it: the :class:`~penstat.design.Design` (formula and
data), the :class:`~penstat.solver.Path` and, when lambda was chosen by a rule, the
:class:`~penstat.selection.Selection`. It keeps the :class:`~penstat.spec.FitSpec`
and :class:`~penstat.spec.SelectSpec` it was run with, so that resampling
(bootstrap, stability selection) re-runs it through the same engine exactly as it
was run on the full data.

>>> import penstat as ps
>>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
>>> fit.selected
['sex', 'bmi', 'bp', 's1', 's3', 's5', 's6']
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError, DataError
from penstat._limits import both_sides, describe_limits, limit_side
from penstat._validation import as_lambdas, check_lam
from penstat.design import Design, offset_values
from penstat.engine import EngineFit, RowPaths, RowRefit
from penstat.inference import InferenceResult, run_inference
from penstat.plots.path import plot_group_path, plot_path
from penstat.resampling import BootstrapResult, StabilitySelection
from penstat.resampling.bootstrap import run_bootstrap
from penstat.resampling.stability import run_stability_selection
from penstat.results.export import penalty_text
from penstat.results.summary import summarize
from penstat.solver import Path
from penstat.solver.relax import deviance
from penstat.spec import FitSpec, SelectSpec, check_bool

__all__ = ["PenalizedFit"]


def _method(function: Callable, name: str, keep: str | None = None) -> Callable:
    """``function(fit, ...)`` offered as the method ``fit.<name>(...)``: one signature
    and one docstring for both (``help(fit.bootstrap)`` shows them); the result is
    also kept in the attribute ``keep`` of the fit."""

    @functools.wraps(function)
    def method(self, *args, **kwargs):
        result = function(self, *args, **kwargs)
        if keep is not None:
            setattr(self, keep, result)
        return result

    method.__name__ = name
    method.__qualname__ = f"PenalizedFit.{name}"
    return method


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
    spec : penstat.spec.FitSpec
        The path options of the fit (its weights and offset are the design rows').
    select_spec : penstat.spec.SelectSpec
        How lambda was settled.
    penalty : str
        ``"l1"``, ``"l2"`` or ``"elasticnet"``, as asked.
    gamma : float or None
        The relaxed lasso's gamma (``relax=True``): ``coef``, ``predict`` and the
        summary use ``gamma * lasso + (1 - gamma) * unpenalized refit`` on the active
        set; None for a fit that is not relaxed.
    relax : penstat.selection.relax.RelaxedFit or None
        The refits of the path, the chosen gamma and the CV over (lambda, gamma).
    adaptive_init : penstat.engine.AdaptiveInit or None
        The initial fit of the adaptive lasso (``penalty_factor="adaptive"``): its
        method, coefficients, lambda and the penalty factors made from them.
    seed : int or None
        The seed of the fit's random CV folds (drawn from fresh entropy when none was
        given); ``seed=fit.seed`` repeats the fit. None for a fit that draws no
        folds and was given no seed.
    bootstrap_result, stability_result, inference_result : None until
        :meth:`bootstrap`, :meth:`stability_selection` / :meth:`inference` are run.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=2.0)
    >>> fit.predict(ps.datasets.load("diabetes").head(3)).round(1).tolist()
    [202.8, 73.5, 175.4]
    """

    def __init__(
        self,
        design: Design,
        result: EngineFit,
        spec: FitSpec,
        select_spec: SelectSpec,
        penalty: str = "l1",
        warnings: tuple[str, ...] = (),
        adaptive_init=None,
        group_labels=None,
    ):
        self.design = design
        self.path = result.path.with_names(design.columns)
        self.index = int(result.index)
        self.selection = result.selection
        self.l1_ratio = float(result.l1_ratio)
        self.l1_ratio_table = result.l1_ratio_table
        self.relax = result.relax
        self.adaptive_init = (
            None
            if adaptive_init is None
            else adaptive_init.with_names(design.columns, design.terms)
        )
        # the group lasso: the group name of each design column (a term, or the
        # name given in groups=)
        self.group_labels = None if group_labels is None else list(group_labels)
        self.spec = spec
        self.select_spec = select_spec
        self.penalty = penalty
        self.bootstrap_result: BootstrapResult | None = None
        self.stability_result: StabilitySelection | None = None
        self.inference_result: InferenceResult | None = None
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
    def seed(self):
        """The seed of the fit's CV folds; ``seed=fit.seed`` repeats the fit."""
        return self.select_spec.seed

    @property
    def gamma(self) -> float | None:
        """The relaxed lasso's gamma, or None for a fit that is not relaxed."""
        return None if self.relax is None else float(self.relax.gamma)

    @property
    def intercept(self) -> float:
        if self.relax is not None:
            return self.relax.intercept
        return float(self.path.intercepts[self.index])

    def _coefs(self) -> np.ndarray:
        """(p,) coefficients at the fit's lambda (and gamma)."""
        if self.relax is not None:
            return self.relax.coef
        return np.asarray(self.path.coefs[self.index], dtype=float)

    @property
    def coef(self) -> pd.Series:
        values = np.concatenate([[self.intercept], self._coefs()])
        return pd.Series(values, index=["Intercept", *self.design.columns], name="coef")

    @property
    def selected(self) -> list[str]:
        nonzero = self._coefs() != 0
        return [c for c, nz in zip(self.design.columns, nonzero, strict=True) if nz]

    @property
    def selected_terms(self) -> list[str]:
        chosen = set(self.selected)
        return [t for t, cols in self.design.terms.items() if chosen.intersection(cols)]

    @property
    def df(self) -> int:
        return int(np.count_nonzero(self._coefs()))

    @property
    def dev_ratio(self) -> float:
        if self.relax is None:
            return float(self.path.dev_ratio[self.index])
        # the relaxed coefficients' own deviance (glmnet blends the two ratios)
        d = self.design
        eta = d.X @ self._coefs() + self.intercept
        if self.spec.offset is not None:
            eta = eta + self.spec.offset
        w = np.ones(d.y.shape[0]) if self.spec.weights is None else self.spec.weights
        dev = deviance(self.family.name, d.y, w, eta)
        null = float(self.path.null_deviance)
        return float("nan") if null <= 0 else 1.0 - dev / null

    @property
    def n_obs(self) -> int:
        return self.design.n_obs

    @property
    def n_dropped(self) -> int:
        return self.design.n_dropped

    @property
    def cv(self):
        """The CV curve (:class:`~penstat.selection.CVResult`) of a CV rule, else None."""
        return None if self.selection is None else self.selection.cv

    @property
    def limits(self) -> pd.DataFrame | None:
        """The coefficient limits: ``lower`` and ``upper`` per design column (original
        scale; -inf / inf where a side is free), or None for a fit without limits."""
        spec = self.spec
        if not spec.has_limits:
            return None
        lower, upper = both_sides(
            spec.lower_limits, spec.upper_limits, len(self.design.columns)
        )
        return pd.DataFrame(
            {"lower": lower, "upper": upper},
            index=pd.Index(self.design.columns, name="column"),
        )

    @property
    def at_limit(self) -> list[str]:
        """Design columns whose coefficient sits at a nonzero limit (held there by the
        constraint rather than estimated freely); empty without limits."""
        side = self.limit_sides()
        if side is None:
            return []
        return [c for c, s in zip(self.design.columns, side, strict=True) if s]

    def limit_sides(self) -> np.ndarray | None:
        """Per design column, the limit its coefficient sits at (``"lower"``,
        ``"upper"`` or ``""``); None for a fit without limits."""
        spec = self.spec
        if not spec.has_limits:
            return None
        return limit_side(self._coefs(), spec.lower_limits, spec.upper_limits)

    def limits_text(self) -> str | None:
        """The limits in words (for the summary and the report), or None."""
        spec = self.spec
        if not spec.has_limits:
            return None
        pf = spec.penalty_factor
        penalized = None if pf is None else np.asarray(pf, dtype=float) > 0
        return describe_limits(
            self.design.columns,
            self.design.terms,
            spec.lower_limits,
            spec.upper_limits,
            penalized,
        )

    # -- groups (the group lasso) -------------------------------------------------

    @property
    def group_names(self) -> list[str] | None:
        """The name of each penalty group (index ``0 .. G-1`` of ``spec.groups``): its
        formula term, or the name ``groups=`` gave to merged terms; None for a fit
        without groups."""
        groups = self.spec.groups
        if groups is None:
            return None
        first = np.unique(groups, return_index=True)[1]
        if self.group_labels is None:
            return [f"group {g}" for g in range(first.size)]
        return [str(self.group_labels[j]) for j in first]

    def _penalized_scale(self) -> np.ndarray:
        """(p,) the factor from the original scale of each column to the scale the
        penalty acts on: its weighted 1/n standard deviation (``standardize=True``;
        1 for a constant column) or 1."""
        if not self.spec.standardize:
            return np.ones(len(self.design.columns))
        sd = np.asarray(self.design.column_sd(), dtype=float)
        return np.where(sd > 0, sd, 1.0)

    def _norms(self, coefs: np.ndarray) -> np.ndarray:
        """(..., G) the group norms of ``coefs`` (..., p) on the penalized scale."""
        groups = self.spec.groups
        b = np.asarray(coefs, dtype=float) * self._penalized_scale()
        return np.stack(
            [np.linalg.norm(b[..., groups == g], axis=-1) for g in range(groups.max() + 1)],
            axis=-1,
        )

    def group_norm_path(self) -> pd.DataFrame | None:
        """The norm ``||b_g||_2`` of every group's coefficients along the path, on
        the scale the penalty acts on (the standardized columns with
        ``standardize=True``, else the columns as given): rows indexed by lambda,
        one column per group (named by :attr:`group_names`). None without groups.

        Examples
        --------
        >>> import penstat as ps
        >>> fit = ps.group_lasso("y ~ bmi + poly(age, 2)", ps.datasets.load("diabetes"),
        ...                      lam=10.0)
        >>> table = fit.group_norm_path()
        >>> table.columns.tolist(), len(table) == len(fit.path.lambdas)
        (['bmi', 'poly(age, 2)'], True)
        >>> table.loc[fit.lam].round(2).tolist()
        [35.16, 0.0]
        """
        if self.spec.groups is None:
            return None
        return pd.DataFrame(
            self._norms(self.path.coefs),
            index=pd.Index(np.asarray(self.path.lambdas, dtype=float), name="lam"),
            columns=self.group_names,
        )

    def group_table(self) -> pd.DataFrame | None:
        """One row per penalty group at the fit's lambda: its ``terms``, ``size``
        (columns), ``penalty_factor`` (rescaled as the solver uses it), ``weight``
        ``w_g = sqrt(size) * penalty_factor``, ``norm`` (``||b_g||_2`` on the scale
        the penalty acts on, as :meth:`group_norm_path`; the relaxed coefficients of
        a relaxed fit) and ``selected``. None for a fit without groups.

        Examples
        --------
        >>> import penstat as ps
        >>> fit = ps.group_lasso("y ~ bmi + poly(age, 2)", ps.datasets.load("diabetes"),
        ...                      lam=10.0)
        >>> fit.group_table()[["size", "selected"]].values.tolist()
        [[1, True], [2, False]]
        """
        groups = self.spec.groups
        if groups is None:
            return None
        names = self.group_names
        position = {c: j for j, c in enumerate(self.design.columns)}
        terms: list[list[str]] = [[] for _ in names]
        for term, cols in self.design.terms.items():
            if cols:
                terms[int(groups[position[cols[0]]])].append(term)
        sizes = np.bincount(groups)
        first = np.unique(groups, return_index=True)[1]
        pf = np.asarray(self.path.penalty_factor, dtype=float)[first]
        norm = self._norms(self._coefs())
        return pd.DataFrame(
            {
                "terms": [", ".join(t) for t in terms],
                "size": sizes,
                "penalty_factor": pf,
                "weight": np.sqrt(sizes) * pf,
                "norm": norm,
                "selected": norm > 0,
            },
            index=pd.Index(names, name="group"),
        )

    # -- prediction --------------------------------------------------------------

    def coef_at(self, lam: float | str | None = None) -> pd.Series:
        """The coefficients at ``lam``, labelled as :attr:`coef` (R's
        ``coef(cv, s = ...)``).

        Parameters
        ----------
        lam : float, "lambda.min", "lambda.1se" or None
            A penalty strength, or (CV fits only) the CV minimum or the 1-SE lambda;
            None: the fit's own lambda. At a lambda of the path the solution is
            exact; between two lambdas of the path it is glmnet's linear
            interpolation (``exact=FALSE`` in ``predict.glmnet``).

        Returns
        -------
        pandas.Series
            ``"Intercept"`` then the design columns, original scale.

        Examples
        --------
        >>> import penstat as ps
        >>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), seed=1)
        >>> fit.coef_at("lambda.min").index.tolist()
        ['Intercept', 'bmi', 'bp', 's5']
        >>> bool((fit.coef_at() == fit.coef).all())
        True
        """
        b0, b = self._coef_vector(lam)
        values = np.concatenate([[b0], b])
        return pd.Series(values, index=["Intercept", *self.design.columns], name="coef")

    def _coef_vector(self, lam) -> tuple[float, np.ndarray]:
        """Intercept and (p,) coefficients at ``lam`` (see :meth:`coef_at`)."""
        gamma = self.gamma
        if isinstance(lam, str):
            lam, gamma = self._cv_lambda(lam)
        if lam is None:
            return self.intercept, self._coefs().copy()
        lam = check_lam(lam)
        if self.relax is not None:
            b0, b = self.relax.relaxed.at(lam, gamma)
            return float(b0), np.asarray(b, dtype=float)
        hit = np.flatnonzero(np.isclose(self.path.lambdas, lam, rtol=1e-12, atol=0.0))
        if hit.size:
            k = int(hit[0])
            return float(self.path.intercepts[k]), self.path.coefs[k].copy()
        b0, b = self.path.coef_at(lam)
        return float(b0), np.asarray(b, dtype=float)

    def _cv_lambda(self, name: str) -> tuple[float, float | None]:
        """``"lambda.min"`` / ``"lambda.1se"`` of a CV fit, and its gamma (relaxed
        fits: the pair chosen together; otherwise None)."""
        if name not in ("lambda.min", "lambda.1se"):
            raise ArgumentError(
                f"lam={name!r}: give a number, 'lambda.min' or 'lambda.1se'"
            )
        if self.cv is None:
            raise ArgumentError(
                f"lam={name!r} names a lambda of cross-validation, but this fit's lambda "
                "was not chosen by CV; refit with select='cv_1se' or 'cv_min', or give "
                "a number"
            )
        if self.relax is not None:
            rcv = self.relax.cv
            if name == "lambda.min":
                return self.selection.lam_min, rcv.gamma_min
            return self.selection.lam_1se, rcv.gamma_1se
        return (self.cv.lam_min if name == "lambda.min" else self.cv.lam_1se), None

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
        lam : float, "lambda.min" or "lambda.1se", optional
            Predict at another lambda (the names: CV fits only). On the path the
            solution is exact; between path lambdas it is linearly interpolated as
            in glmnet's ``predict``.
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
        >>> import penstat as ps
        >>> df = ps.datasets.load("breast_cancer")
        >>> fit = ps.fit("diagnosis ~ radius_mean + texture_mean", df, family="binomial",
        ...              lam=0.01)
        >>> fit.predict(df.head(2), type="class").tolist()
        ['malignant', 'malignant']
        >>> bool(fit.predict(df.head(2), type="response").between(0, 1).all())
        True
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
        b0, b = self._coef_vector(lam)
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
        return self.spec.offset is not None

    def _predict_offset(self, newdata, offset, n: int) -> np.ndarray | None:
        """The offset of the rows predicted (see :meth:`predict`), or None."""
        if not self.has_offset:
            if offset is not None:
                raise ArgumentError(
                    "offset: this fit has no offset, so its predictions take none; "
                    "refit with offset= to use one"
                )
            return None
        column = self.design.offset_column
        if offset is None:
            if newdata is None:
                return np.asarray(self.spec.offset, dtype=float)
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
            frame = newdata if isinstance(newdata, pd.DataFrame) else None
            values, name = offset_values(offset, frame, "offset=", "newdata")
            if values.ndim != 1 or values.shape[0] != n:
                raise ArgumentError(
                    f"offset= has shape {values.shape}; give one number per predicted "
                    f"row ({n}), or the name of a column of newdata"
                )
        if np.isinf(values).any():
            raise DataError(f"{name} has infinite values; the offset must be finite")
        return values

    # -- summary -----------------------------------------------------------------

    summary = _method(summarize, "summary")

    # -- resampling -------------------------------------------------------------

    def refit_rows(self, rows, fixed_lam: bool = False, seed=None) -> np.ndarray:
        """Re-run the whole fit on design rows ``rows``; coefficients (p,).

        Parameters
        ----------
        rows : array of int
            Row positions in ``design.X`` (repeats allowed, e.g. a bootstrap draw).
        fixed_lam : bool
            False: the lambda rule is re-applied inside the replicate; True: it is
            fitted at this fit's ``lam`` (and ``l1_ratio``) exactly (always so for a
            fit at a fixed lambda).
        seed : optional
            Seed of the replicate's CV folds.

        Returns
        -------
        numpy.ndarray
            Coefficients on the original scale, without the intercept.

        Examples
        --------
        >>> import numpy as np, penstat as ps
        >>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0)
        >>> bool(np.allclose(fit.refit_rows(np.arange(fit.n_obs)), fit.coef[1:]))
        True
        """
        rows = _row_positions(rows, self.design.X.shape[0])
        return self.refitter(fixed_lam)(rows, seed=seed)

    def refitter(self, fixed_lam: bool = False) -> RowRefit:
        """The picklable function ``(rows, seed) -> coefficients`` behind
        :meth:`refit_rows`: the design's arrays and this fit's specs, without the
        data frame (what a bootstrap task sends to a worker).

        Examples
        --------
        >>> import numpy as np, penstat as ps
        >>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0)
        >>> refit = fit.refitter()
        >>> bool(np.array_equal(refit(np.arange(100)), fit.refit_rows(np.arange(100))))
        True
        """
        d = self.design
        fixed = None
        if check_bool(fixed_lam, "fixed_lam") or self.select_spec.lam is not None:
            fixed = (self.lam, self.l1_ratio, self.path.lambdas)
            if self.relax is not None:
                fixed = (*fixed, self.gamma)
        return RowRefit(d.X, d.y, self.spec, self.select_spec, fixed)

    def subpaths(self) -> RowPaths:
        """The picklable function ``(rows, lambdas) -> Path`` behind
        :meth:`path_rows` (without column names), as :meth:`refitter`.

        Examples
        --------
        >>> import numpy as np, penstat as ps
        >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
        >>> fit.subpaths()(np.arange(100), np.array([10.0, 1.0])).df.tolist()
        [2, 2]
        """
        spec = self.spec.with_l1_ratio(self.l1_ratio)
        return RowPaths(self.design.X, self.design.y, spec)

    def path_rows(self, rows, lambdas) -> Path:
        """The path of this fit's options on design rows ``rows`` at ``lambdas``.

        Examples
        --------
        >>> import numpy as np, penstat as ps
        >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
        >>> fit.path_rows(np.arange(100), [10.0, 1.0]).df.tolist()
        [2, 2]
        """
        path = self.subpaths()(rows, as_lambdas(lambdas))
        return path.with_names(self.design.columns)

    bootstrap = _method(run_bootstrap, "bootstrap", keep="bootstrap_result")
    stability_selection = _method(
        run_stability_selection, "stability_selection", keep="stability_result"
    )

    # -- inference after selection ----------------------------------------------

    inference = _method(run_inference, "inference", keep="inference_result")

    def report(self, path, title: str | None = None, source: str | None = None):
        """Write an HTML or Markdown report (by the file's extension); see
        :func:`penstat.report.write_report`.

        ``source`` names the data (a file name, or ``"dataset:<name>"``); the report
        states it at the top.

        Examples
        --------
        >>> import tempfile, pathlib, penstat as ps
        >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
        >>> out = fit.report(pathlib.Path(tempfile.mkdtemp()) / "fit.md",
        ...                  source="dataset:diabetes")
        >>> out.suffix
        '.md'
        """
        # the report is a surface above this stage; this convenience hands the fit
        # to it (declared as the one allowed upward import in the layers contract)
        from penstat.report import write_report

        return write_report(self, path, title=title, source=source)

    def plot(self, ax=None, **kwargs):
        """Coefficient paths against log lambda with this fit's lambda marked; see
        :func:`penstat.plots.path.plot_path`. A group lasso fit draws one line per
        penalty group instead, its norm ``||b_g||_2`` on the penalized (standardized)
        scale (:meth:`group_norm_path`), labelled by its term; see
        :func:`penstat.plots.path.plot_group_path`.

        Examples
        --------
        >>> import penstat as ps
        >>> fit = ps.group_lasso("y ~ bmi + poly(age, 2)", ps.datasets.load("diabetes"),
        ...                      lam=5.0)
        >>> fit.plot().get_ylabel()
        'group norm ||b_g|| (standardized scale)'
        """
        norms = self.group_norm_path()
        if norms is not None:
            scale = "standardized" if self.spec.standardize else "original"
            return plot_group_path(norms, ax=ax, lam=self.lam, scale=scale, **kwargs)
        return plot_path(self.path, ax=ax, lam=self.lam, **kwargs)

    def __repr__(self) -> str:
        return (
            f"<PenalizedFit {self.design.formula!r}, {self.family.name}, "
            f"{penalty_text(self.penalty, self.l1_ratio)}, lam={self.lam:.4g}, "
            + ("" if self.relax is None else f"{self.relax.describe()}, ")
            + f"{self.df} of {len(self.design.columns)} columns selected>"
        )


def _row_positions(rows, n: int) -> np.ndarray:
    """``rows`` as integer positions in [0, n), else an ``ArgumentError``."""
    arr = np.asarray(rows)
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer):
        raise ArgumentError(
            f"rows must be a non-empty 1-D array of integer row positions, got "
            f"{arr.dtype} of shape {arr.shape}"
        )
    if arr.min() < 0 or arr.max() >= n:
        raise ArgumentError(
            f"rows must be positions in [0, {n}) (the design's rows), found "
            f"{arr.min() if arr.min() < 0 else arr.max()}"
        )
    return arr
