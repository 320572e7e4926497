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

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError, DataError
from penstat._limits import both_sides, describe_limits, limit_side
from penstat._validation import as_lambdas
from penstat.design import Design, offset_values
from penstat.engine import EngineFit, run_rows
from penstat.engine import path_rows as engine_path_rows
from penstat.plots.path import plot_path
from penstat.resampling import BootstrapResult, StabilitySelection
from penstat.resampling.bootstrap import run_bootstrap
from penstat.resampling.stability import run_stability_selection
from penstat.results.summary import Summary, penalty_text, summarize
from penstat.solver import Path
from penstat.spec import FitSpec, SelectSpec, check_bool

__all__ = ["PenalizedFit"]


class PenalizedFit:
 -- resampling (docs/internals.md) ---*"""A penalized regression fitted from a formula; made by :func:`penstat.fit`.

 -- resampling (docs/internals.md) ---*Attributes
 -- resampling (docs/internals.md) ---*----------
 -- resampling (docs/internals.md) ---*coef : pandas.Series
 -- resampling (docs/internals.md) ---*    ``"Intercept"`` then the design columns, on the original scale, at ``lam``.
 -- resampling (docs/internals.md) ---*intercept : float
 -- resampling (docs/internals.md) ---*selected : list of str
 -- resampling (docs/internals.md) ---*    Design columns with a nonzero coefficient, in design order.
 -- resampling (docs/internals.md) ---*selected_terms : list of str
 -- resampling (docs/internals.md) ---*    Formula terms with at least one nonzero column.
 -- resampling (docs/internals.md) ---*lam : float
 -- resampling (docs/internals.md) ---*    The lambda of the fit (chosen by ``selection`` or fixed by the user).
 -- resampling (docs/internals.md) ---*l1_ratio : float
 -- resampling (docs/internals.md) ---*    The L1 / L2 mix of the fit (1 = lasso, 0 = ridge).
 -- resampling (docs/internals.md) ---*path : penstat.Path
 -- resampling (docs/internals.md) ---*    The regularization path, with ``column_names`` set.
 -- resampling (docs/internals.md) ---*design : penstat.Design
 -- resampling (docs/internals.md) ---*family : penstat.family.Family
 -- resampling (docs/internals.md) ---*selection : penstat.Selection or None
 -- resampling (docs/internals.md) ---*    How lambda was chosen (None for a fixed lambda).
 -- resampling (docs/internals.md) ---*cv : object or None
 -- resampling (docs/internals.md) ---*    ``selection.cv`` for the cross-validation rules.
 -- resampling (docs/internals.md) ---*spec : penstat.spec.FitSpec
 -- resampling (docs/internals.md) ---*    The path options of the fit (its weights and offset are the design rows').
 -- resampling (docs/internals.md) ---*select_spec : penstat.spec.SelectSpec
 -- resampling (docs/internals.md) ---*    How lambda was settled.
 -- resampling (docs/internals.md) ---*penalty : str
 -- resampling (docs/internals.md) ---*    ``"l1"``, ``"l2"`` or ``"elasticnet"``, as asked.
 -- resampling (docs/internals.md) ---*bootstrap_result, stability_result : None until :meth:`bootstrap` /
 -- resampling (docs/internals.md) ---*    :meth:`stability_selection` are run.

 -- resampling (docs/internals.md) ---*Examples
 -- resampling (docs/internals.md) ---*--------
 -- resampling (docs/internals.md) ---*>>> import penstat as ps
 -- resampling (docs/internals.md) ---*>>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=2.0)
 -- resampling (docs/internals.md) ---*>>> fit.predict(ps.datasets.load("diabetes").head(3)).round(1).tolist()
 -- resampling (docs/internals.md) ---*[202.8, 73.5, 175.4]
 -- resampling (docs/internals.md) ---*"""

 -- resampling (docs/internals.md) ---*def __init__(
 -- resampling (docs/internals.md) ---*    self,
 -- resampling (docs/internals.md) ---*    design: Design,
 -- resampling (docs/internals.md) ---*    result: EngineFit,
 -- resampling (docs/internals.md) ---*    spec: FitSpec,
 -- resampling (docs/internals.md) ---*    select_spec: SelectSpec,
 -- resampling (docs/internals.md) ---*    penalty: str = "l1",
 -- resampling (docs/internals.md) ---*    warnings: tuple[str, ...] = (),
 -- resampling (docs/internals.md) ---*):
 -- resampling (docs/internals.md) ---*    self.design = design
 -- resampling (docs/internals.md) ---*    self.path = result.path.with_names(design.columns)
 -- resampling (docs/internals.md) ---*    self.index = int(result.index)
 -- resampling (docs/internals.md) ---*    self.selection = result.selection
 -- resampling (docs/internals.md) ---*    self.l1_ratio = float(result.l1_ratio)
 -- resampling (docs/internals.md) ---*    self.l1_ratio_table = result.l1_ratio_table
 -- resampling (docs/internals.md) ---*    self.spec = spec
 -- resampling (docs/internals.md) ---*    self.select_spec = select_spec
 -- resampling (docs/internals.md) ---*    self.penalty = penalty
 -- resampling (docs/internals.md) ---*    self.bootstrap_result: BootstrapResult | None = None
 -- resampling (docs/internals.md) ---*    self.stability_result: StabilitySelection | None = None
 -- resampling (docs/internals.md) ---*    # penstat's warnings raised by the fit (separation, convergence); the summary
 -- resampling (docs/internals.md) ---*    # and the report repeat them
 -- resampling (docs/internals.md) ---*    self.warnings = tuple(warnings)

 -- resampling (docs/internals.md) ---*# -- coefficients ------------------------------------------------------------

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def family(self):
 -- resampling (docs/internals.md) ---*    return self.design.family

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def lam(self) -> float:
 -- resampling (docs/internals.md) ---*    return float(self.path.lambdas[self.index])

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def intercept(self) -> float:
 -- resampling (docs/internals.md) ---*    return float(self.path.intercepts[self.index])

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def coef(self) -> pd.Series:
 -- resampling (docs/internals.md) ---*    values = np.concatenate([[self.intercept], self.path.coefs[self.index]])
 -- resampling (docs/internals.md) ---*    return pd.Series(values, index=["Intercept", *self.design.columns], name="coef")

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def selected(self) -> list[str]:
 -- resampling (docs/internals.md) ---*    nonzero = self.path.coefs[self.index] != 0
 -- resampling (docs/internals.md) ---*    return [c for c, nz in zip(self.design.columns, nonzero, strict=True) if nz]

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def selected_terms(self) -> list[str]:
 -- resampling (docs/internals.md) ---*    chosen = set(self.selected)
 -- resampling (docs/internals.md) ---*    return [t for t, cols in self.design.terms.items() if chosen.intersection(cols)]

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def df(self) -> int:
 -- resampling (docs/internals.md) ---*    return int(np.count_nonzero(self.path.coefs[self.index]))

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def dev_ratio(self) -> float:
 -- resampling (docs/internals.md) ---*    return float(self.path.dev_ratio[self.index])

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def n_obs(self) -> int:
 -- resampling (docs/internals.md) ---*    return self.design.n_obs

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def n_dropped(self) -> int:
 -- resampling (docs/internals.md) ---*    return self.design.n_dropped

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def cv(self):
 -- resampling (docs/internals.md) ---*    """The CV curve (:class:`~penstat.selection.CVResult`) of a CV rule, else None."""
 -- resampling (docs/internals.md) ---*    return None if self.selection is None else self.selection.cv

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def limits(self) -> pd.DataFrame | None:
 -- resampling (docs/internals.md) ---*    """The coefficient limits: ``lower`` and ``upper`` per design column (original
 -- resampling (docs/internals.md) ---*    scale; -inf / inf where a side is free), or None for a fit without limits."""
 -- resampling (docs/internals.md) ---*    spec = self.spec
 -- resampling (docs/internals.md) ---*    if not spec.has_limits:
 -- resampling (docs/internals.md) ---*        return None
 -- resampling (docs/internals.md) ---*    lower, upper = both_sides(
 -- resampling (docs/internals.md) ---*        spec.lower_limits, spec.upper_limits, len(self.design.columns)
 -- resampling (docs/internals.md) ---*    )
 -- resampling (docs/internals.md) ---*    return pd.DataFrame(
 -- resampling (docs/internals.md) ---*        {"lower": lower, "upper": upper},
 -- resampling (docs/internals.md) ---*        index=pd.Index(self.design.columns, name="column"),
 -- resampling (docs/internals.md) ---*    )

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def at_limit(self) -> list[str]:
 -- resampling (docs/internals.md) ---*    """Design columns whose coefficient sits at a nonzero limit (held there by the
 -- resampling (docs/internals.md) ---*    constraint rather than estimated freely); empty without limits."""
 -- resampling (docs/internals.md) ---*    side = self.limit_sides()
 -- resampling (docs/internals.md) ---*    if side is None:
 -- resampling (docs/internals.md) ---*        return []
 -- resampling (docs/internals.md) ---*    return [c for c, s in zip(self.design.columns, side, strict=True) if s]

 -- resampling (docs/internals.md) ---*def limit_sides(self) -> np.ndarray | None:
 -- resampling (docs/internals.md) ---*    """Per design column, the limit its coefficient sits at (``"lower"``,
 -- resampling (docs/internals.md) ---*    ``"upper"`` or ``""``); None for a fit without limits."""
 -- resampling (docs/internals.md) ---*    spec = self.spec
 -- resampling (docs/internals.md) ---*    if not spec.has_limits:
 -- resampling (docs/internals.md) ---*        return None
 -- resampling (docs/internals.md) ---*    coef = self.path.coefs[self.index]
 -- resampling (docs/internals.md) ---*    return limit_side(coef, spec.lower_limits, spec.upper_limits)

 -- resampling (docs/internals.md) ---*def limits_text(self) -> str | None:
 -- resampling (docs/internals.md) ---*    """The limits in words (for the summary and the report), or None."""
 -- resampling (docs/internals.md) ---*    spec = self.spec
 -- resampling (docs/internals.md) ---*    if not spec.has_limits:
 -- resampling (docs/internals.md) ---*        return None
 -- resampling (docs/internals.md) ---*    pf = spec.penalty_factor
 -- resampling (docs/internals.md) ---*    penalized = None if pf is None else np.asarray(pf, dtype=float) > 0
 -- resampling (docs/internals.md) ---*    return describe_limits(
 -- resampling (docs/internals.md) ---*        self.design.columns,
 -- resampling (docs/internals.md) ---*        self.design.terms,
 -- resampling (docs/internals.md) ---*        spec.lower_limits,
 -- resampling (docs/internals.md) ---*        spec.upper_limits,
 -- resampling (docs/internals.md) ---*        penalized,
 -- resampling (docs/internals.md) ---*    )

 -- resampling (docs/internals.md) ---*# -- prediction --------------------------------------------------------------

 -- resampling (docs/internals.md) ---*def coef_at(self, lam: float | None = None) -> tuple[float, np.ndarray]:
 -- resampling (docs/internals.md) ---*    """Intercept and coefficients at ``lam``.

 -- resampling (docs/internals.md) ---*    At a lambda of the path the exact solution is returned; between two lambdas
 -- resampling (docs/internals.md) ---*    of the path, glmnet's linear interpolation (``exact=FALSE`` in
 -- resampling (docs/internals.md) ---*    ``predict.glmnet``), through ``Path.coef_at``.
 -- resampling (docs/internals.md) ---*    """
 -- resampling (docs/internals.md) ---*    if lam is None:
 -- resampling (docs/internals.md) ---*        return self.intercept, self.path.coefs[self.index].copy()
 -- resampling (docs/internals.md) ---*    lam = _check_lam(lam)
 -- resampling (docs/internals.md) ---*    hit = np.flatnonzero(np.isclose(self.path.lambdas, lam, rtol=1e-12, atol=0.0))
 -- resampling (docs/internals.md) ---*    if hit.size:
 -- resampling (docs/internals.md) ---*        k = int(hit[0])
 -- resampling (docs/internals.md) ---*        return float(self.path.intercepts[k]), self.path.coefs[k].copy()
 -- resampling (docs/internals.md) ---*    out = self.path.coef_at(lam)
 -- resampling (docs/internals.md) ---*    p = len(self.design.columns)
 -- resampling (docs/internals.md) ---*    if isinstance(out, tuple):
 -- resampling (docs/internals.md) ---*        b0, b = out
 -- resampling (docs/internals.md) ---*    else:
 -- resampling (docs/internals.md) ---*        out = np.asarray(out, dtype=float)
 -- resampling (docs/internals.md) ---*        b0, b = (out[0], out[1:]) if out.shape[0] == p + 1 else (0.0, out)
 -- resampling (docs/internals.md) ---*    return float(b0), np.asarray(b, dtype=float)

 -- resampling (docs/internals.md) ---*def predict(
 -- resampling (docs/internals.md) ---*    self,
 -- resampling (docs/internals.md) ---*    newdata: pd.DataFrame | None = None,
 -- resampling (docs/internals.md) ---*    type: str = "response",
 -- resampling (docs/internals.md) ---*    lam=None,
 -- resampling (docs/internals.md) ---*    offset=None,
 -- resampling (docs/internals.md) ---*):
 -- resampling (docs/internals.md) ---*    """Predict for new data through the training formula's DesignInfo.

 -- resampling (docs/internals.md) ---*    Parameters
 -- resampling (docs/internals.md) ---*    ----------
 -- resampling (docs/internals.md) ---*    newdata : pandas.DataFrame, optional
 -- resampling (docs/internals.md) ---*        Needs every column the right-hand side of the formula uses (the response
 -- resampling (docs/internals.md) ---*        is not needed), and the offset column when the fit took its offset from
 -- resampling (docs/internals.md) ---*        one. Default: the rows the model was fitted on (with their offset). Rows
 -- resampling (docs/internals.md) ---*        with a missing value give NaN.
 -- resampling (docs/internals.md) ---*    type : {"response", "link", "class"}
 -- resampling (docs/internals.md) ---*        ``"link"``: the linear predictor; ``"response"``: the mean (the
 -- resampling (docs/internals.md) ---*        probability of the positive class for binomial); ``"class"``: binomial
 -- resampling (docs/internals.md) ---*        only, the predicted label (positive when the probability > 0.5).
 -- resampling (docs/internals.md) ---*    lam : float, optional
 -- resampling (docs/internals.md) ---*        Predict at another lambda. On the path the solution is exact; between
 -- resampling (docs/internals.md) ---*        path lambdas it is linearly interpolated as in glmnet's ``predict``.
 -- resampling (docs/internals.md) ---*    offset : str or array, optional
 -- resampling (docs/internals.md) ---*        Only for a fit with an offset, whose predictions include it: a column
 -- resampling (docs/internals.md) ---*        name of ``newdata`` or one number per predicted row. Default: the
 -- resampling (docs/internals.md) ---*        fit's offset column read from ``newdata``; with ``newdata=None``, the
 -- resampling (docs/internals.md) ---*        training rows' own offset. A fit whose offset was an array needs
 -- resampling (docs/internals.md) ---*        ``offset=`` for new data. A missing offset gives NaN for its row.

 -- resampling (docs/internals.md) ---*    Returns
 -- resampling (docs/internals.md) ---*    -------
 -- resampling (docs/internals.md) ---*    pandas.Series
 -- resampling (docs/internals.md) ---*        Indexed like ``newdata``.

 -- resampling (docs/internals.md) ---*    Examples
 -- resampling (docs/internals.md) ---*    --------
 -- resampling (docs/internals.md) ---*    >>> import penstat as ps
 -- resampling (docs/internals.md) ---*    >>> df = ps.datasets.load("breast_cancer")
 -- resampling (docs/internals.md) ---*    >>> fit = ps.fit("diagnosis ~ radius_mean + texture_mean", df, family="binomial",
 -- resampling (docs/internals.md) ---*    ...              lam=0.01)
 -- resampling (docs/internals.md) ---*    >>> fit.predict(df.head(2), type="class").tolist()
 -- resampling (docs/internals.md) ---*    ['malignant', 'malignant']
 -- resampling (docs/internals.md) ---*    >>> bool(fit.predict(df.head(2), type="response").between(0, 1).all())
 -- resampling (docs/internals.md) ---*    True
 -- resampling (docs/internals.md) ---*    """
 -- resampling (docs/internals.md) ---*    if type not in ("response", "link", "class"):
 -- resampling (docs/internals.md) ---*        raise ArgumentError(f"type={type!r}; use 'response', 'link' or 'class'")
 -- resampling (docs/internals.md) ---*    if type == "class" and self.family.name != "binomial":
 -- resampling (docs/internals.md) ---*        raise ArgumentError("type='class' is only for family='binomial'")
 -- resampling (docs/internals.md) ---*    if newdata is None:
 -- resampling (docs/internals.md) ---*        X, index = self.design.X, self.design.row_index
 -- resampling (docs/internals.md) ---*    else:
 -- resampling (docs/internals.md) ---*        X = self.design.transform(newdata)
 -- resampling (docs/internals.md) ---*        index = newdata.index if isinstance(newdata, pd.DataFrame) else None
 -- resampling (docs/internals.md) ---*    off = self._predict_offset(newdata, offset, X.shape[0])
 -- resampling (docs/internals.md) ---*    b0, b = self.coef_at(lam)
 -- resampling (docs/internals.md) ---*    eta = X @ b + b0
 -- resampling (docs/internals.md) ---*    if off is not None:
 -- resampling (docs/internals.md) ---*        eta = eta + off
 -- resampling (docs/internals.md) ---*    if type == "link":
 -- resampling (docs/internals.md) ---*        return pd.Series(eta, index=index, name="link")
 -- resampling (docs/internals.md) ---*    mu = self.family.linkinv(eta)
 -- resampling (docs/internals.md) ---*    if type == "response":
 -- resampling (docs/internals.md) ---*        return pd.Series(mu, index=index, name="response")
 -- resampling (docs/internals.md) ---*    negative, positive = self.design.classes
 -- resampling (docs/internals.md) ---*    labels = np.where(mu > 0.5, positive, negative).astype(object)
 -- resampling (docs/internals.md) ---*    labels[np.isnan(mu)] = None
 -- resampling (docs/internals.md) ---*    return pd.Series(labels, index=index, name="class")

 -- resampling (docs/internals.md) ---*@property
 -- resampling (docs/internals.md) ---*def has_offset(self) -> bool:
 -- resampling (docs/internals.md) ---*    """Whether the fit has an offset (its predictions then include one)."""
 -- resampling (docs/internals.md) ---*    return self.spec.offset is not None

 -- resampling (docs/internals.md) ---*def _predict_offset(self, newdata, offset, n: int) -> np.ndarray | None:
 -- resampling (docs/internals.md) ---*    """The offset of the rows predicted (see :meth:`predict`), or None."""
 -- resampling (docs/internals.md) ---*    if not self.has_offset:
 -- resampling (docs/internals.md) ---*        if offset is not None:
 -- resampling (docs/internals.md) ---*            raise ArgumentError(
 -- resampling (docs/internals.md) ---*                "offset: this fit has no offset, so its predictions take none; "
 -- resampling (docs/internals.md) ---*                "refit with offset= to use one"
 -- resampling (docs/internals.md) ---*            )
 -- resampling (docs/internals.md) ---*        return None
 -- resampling (docs/internals.md) ---*    column = self.design.offset_column
 -- resampling (docs/internals.md) ---*    if offset is None:
 -- resampling (docs/internals.md) ---*        if newdata is None:
 -- resampling (docs/internals.md) ---*            return np.asarray(self.spec.offset, dtype=float)
 -- resampling (docs/internals.md) ---*        if column is None:
 -- resampling (docs/internals.md) ---*            raise ArgumentError(
 -- resampling (docs/internals.md) ---*                "offset: this fit's offset was given as an array, so predictions "
 -- resampling (docs/internals.md) ---*                "for newdata need offset= with one number per row of newdata "
 -- resampling (docs/internals.md) ---*                "(or refit with offset='<column>' to read it from newdata)"
 -- resampling (docs/internals.md) ---*            )
 -- resampling (docs/internals.md) ---*        offset = column
 -- resampling (docs/internals.md) ---*    if isinstance(offset, str):
 -- resampling (docs/internals.md) ---*        if newdata is not None and not isinstance(newdata, pd.DataFrame):
 -- resampling (docs/internals.md) ---*            newdata = pd.DataFrame(newdata)  # a dict of columns, as transform takes
 -- resampling (docs/internals.md) ---*        if newdata is None:
 -- resampling (docs/internals.md) ---*            raise ArgumentError(
 -- resampling (docs/internals.md) ---*                f"offset={offset!r} names a column of newdata, but no newdata was "
 -- resampling (docs/internals.md) ---*                "given; pass newdata, or offset= as one number per row used"
 -- resampling (docs/internals.md) ---*            )
 -- resampling (docs/internals.md) ---*        if offset not in newdata.columns:
 -- resampling (docs/internals.md) ---*            raise DataError(
 -- resampling (docs/internals.md) ---*                f"newdata has no column {offset!r}, the offset of this fit; add "
 -- resampling (docs/internals.md) ---*                "it, or pass offset= with one number per row of newdata"
 -- resampling (docs/internals.md) ---*            )
 -- resampling (docs/internals.md) ---*        values, name = offset_values(offset, newdata, where="newdata")
 -- resampling (docs/internals.md) ---*    else:
 -- resampling (docs/internals.md) ---*        values, name = offset_values(offset, None, "offset=", "newdata")
 -- resampling (docs/internals.md) ---*        if values.ndim != 1 or values.shape[0] != n:
 -- resampling (docs/internals.md) ---*            raise ArgumentError(
 -- resampling (docs/internals.md) ---*                f"offset= has shape {values.shape}; give one number per predicted "
 -- resampling (docs/internals.md) ---*                f"row ({n}), or the name of a column of newdata"
 -- resampling (docs/internals.md) ---*            )
 -- resampling (docs/internals.md) ---*    if np.isinf(values).any():
 -- resampling (docs/internals.md) ---*        raise DataError(f"{name} has infinite values; the offset must be finite")
 -- resampling (docs/internals.md) ---*    return values

 -- resampling (docs/internals.md) ---*# -- summary -----------------------------------------------------------------

 -- resampling (docs/internals.md) ---*def summary(self, all: bool = False) -> Summary:
 -- resampling (docs/internals.md) ---*    """A summary with a header, a coefficient table and a term table.

 -- resampling (docs/internals.md) ---*    Parameters
 -- resampling (docs/internals.md) ---*    ----------
 -- resampling (docs/internals.md) ---*    all : bool
 -- resampling (docs/internals.md) ---*        List every design column, not only the selected ones.

 -- resampling (docs/internals.md) ---*    Returns
 -- resampling (docs/internals.md) ---*    -------
 -- resampling (docs/internals.md) ---*    Summary
 -- resampling (docs/internals.md) ---*        ``print()`` it, show it in a notebook, or use ``.tables`` (DataFrames
 -- resampling (docs/internals.md) ---*        ``"header"``, ``"coefficients"`` and ``"terms"``).

 -- resampling (docs/internals.md) ---*    Examples
 -- resampling (docs/internals.md) ---*    --------
 -- resampling (docs/internals.md) ---*    >>> import penstat as ps
 -- resampling (docs/internals.md) ---*    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
 -- resampling (docs/internals.md) ---*    >>> fit.summary().tables["coefficients"].index.tolist()
 -- resampling (docs/internals.md) ---*    ['bmi', 'bp']
 -- resampling (docs/internals.md) ---*    """
 -- resampling (docs/internals.md) ---*    return summarize(self, all)

 -- resampling (docs/internals.md) ---*# -- resampling (docs/internals.md) -------------------------------------------

 -- resampling (docs/internals.md) ---*def refit_rows(self, rows, fixed_lam: bool = False, seed=None) -> np.ndarray:
 -- resampling (docs/internals.md) ---*    """Re-run the whole fit on design rows ``rows``; coefficients (p,).

 -- resampling (docs/internals.md) ---*    Parameters
 -- resampling (docs/internals.md) ---*    ----------
 -- resampling (docs/internals.md) ---*    rows : array of int
 -- resampling (docs/internals.md) ---*        Row positions in ``design.X`` (repeats allowed, e.g. a bootstrap draw).
 -- resampling (docs/internals.md) ---*    fixed_lam : bool
 -- resampling (docs/internals.md) ---*        False: the lambda rule is re-applied inside the replicate; True: it is
 -- resampling (docs/internals.md) ---*        fitted at this fit's ``lam`` (and ``l1_ratio``) exactly (always so for a
 -- resampling (docs/internals.md) ---*        fit at a fixed lambda).
 -- resampling (docs/internals.md) ---*    seed : optional
 -- resampling (docs/internals.md) ---*        Seed of the replicate's CV folds.

 -- resampling (docs/internals.md) ---*    Returns
 -- resampling (docs/internals.md) ---*    -------
 -- resampling (docs/internals.md) ---*    numpy.ndarray
 -- resampling (docs/internals.md) ---*        Coefficients on the original scale, without the intercept.

 -- resampling (docs/internals.md) ---*    Examples
 -- resampling (docs/internals.md) ---*    --------
 -- resampling (docs/internals.md) ---*    >>> import numpy as np, penstat as ps
 -- resampling (docs/internals.md) ---*    >>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0)
 -- resampling (docs/internals.md) ---*    >>> bool(np.allclose(fit.refit_rows(np.arange(fit.n_obs)), fit.coef[1:]))
 -- resampling (docs/internals.md) ---*    True
 -- resampling (docs/internals.md) ---*    """
 -- resampling (docs/internals.md) ---*    d = self.design
 -- resampling (docs/internals.md) ---*    fixed = None
 -- resampling (docs/internals.md) ---*    if check_bool(fixed_lam, "fixed_lam") or self.select_spec.lam is not None:
 -- resampling (docs/internals.md) ---*        fixed = (self.lam, self.l1_ratio, self.path.lambdas)
 -- resampling (docs/internals.md) ---*    out = run_rows(d.X, d.y, self.spec, self.select_spec, rows, fixed=fixed, seed=seed)
 -- resampling (docs/internals.md) ---*    return out.coef.copy()

 -- resampling (docs/internals.md) ---*def path_rows(self, rows, lambdas) -> Path:
 -- resampling (docs/internals.md) ---*    """The path of this fit's options on design rows ``rows`` at ``lambdas``.

 -- resampling (docs/internals.md) ---*    Examples
 -- resampling (docs/internals.md) ---*    --------
 -- resampling (docs/internals.md) ---*    >>> import numpy as np, penstat as ps
 -- resampling (docs/internals.md) ---*    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
 -- resampling (docs/internals.md) ---*    >>> fit.path_rows(np.arange(100), [10.0, 1.0]).df.tolist()
 -- resampling (docs/internals.md) ---*    [2, 2]
 -- resampling (docs/internals.md) ---*    """
 -- resampling (docs/internals.md) ---*    spec = self.spec.with_l1_ratio(self.l1_ratio)
 -- resampling (docs/internals.md) ---*    path = engine_path_rows(
 -- resampling (docs/internals.md) ---*        self.design.X, self.design.y, spec, rows, as_lambdas(lambdas)
 -- resampling (docs/internals.md) ---*    )
 -- resampling (docs/internals.md) ---*    return path.with_names(self.design.columns)

 -- resampling (docs/internals.md) ---*def bootstrap(
 -- resampling (docs/internals.md) ---*    self,
 -- resampling (docs/internals.md) ---*    n_boot: int = 200,
 -- resampling (docs/internals.md) ---*    fixed_lam: bool = False,
 -- resampling (docs/internals.md) ---*    seed=None,
 -- resampling (docs/internals.md) ---*    n_jobs: int | None = None,
 -- resampling (docs/internals.md) ---*    progress: bool | None = None,
 -- resampling (docs/internals.md) ---*    stratify: bool = False,
 -- resampling (docs/internals.md) ---*    level: float = 0.95,
 -- resampling (docs/internals.md) ---*) -> BootstrapResult:
 -- resampling (docs/internals.md) ---*    """Pairs bootstrap of the fit: selection frequency, sign and coefficient spread.

 -- resampling (docs/internals.md) ---*    Each replicate draws ``n`` design rows with replacement and re-runs the
 -- resampling (docs/internals.md) ---*    whole fit on them (the same penalty, limits, weights and offset; the same
 -- resampling (docs/internals.md) ---*    lambda rule, with CV folds drawn inside the replicate, unless
 -- resampling (docs/internals.md) ---*    ``fixed_lam``). The result is also kept in ``fit.bootstrap_result`` and
 -- resampling (docs/internals.md) ---*    shown by :meth:`summary` and the report.

 -- resampling (docs/internals.md) ---*    Parameters
 -- resampling (docs/internals.md) ---*    ----------
 -- resampling (docs/internals.md) ---*    n_boot : int
 -- resampling (docs/internals.md) ---*        Number of replicates (at least 2).
 -- resampling (docs/internals.md) ---*    fixed_lam : bool
 -- resampling (docs/internals.md) ---*        False (default): the lambda rule is re-applied inside each replicate;
 -- resampling (docs/internals.md) ---*        True: this fit's lambda is reused (faster; the spread then ignores the
 -- resampling (docs/internals.md) ---*        uncertainty of the choice of lambda).
 -- resampling (docs/internals.md) ---*    seed : int, numpy.random.SeedSequence or None
 -- resampling (docs/internals.md) ---*        Same seed, same numbers, for any ``n_jobs`` and joblib backend.
 -- resampling (docs/internals.md) ---*    n_jobs : int, optional
 -- resampling (docs/internals.md) ---*        joblib workers (``-1``: all cores); None follows
 -- resampling (docs/internals.md) ---*        ``joblib.parallel_config``.
 -- resampling (docs/internals.md) ---*    progress : bool, optional
 -- resampling (docs/internals.md) ---*        None: a progress bar when stderr is a terminal; False: never.
 -- resampling (docs/internals.md) ---*    stratify : bool
 -- resampling (docs/internals.md) ---*        Binomial only: resample within each class, keeping the class counts.
 -- resampling (docs/internals.md) ---*    level : float
 -- resampling (docs/internals.md) ---*        Coverage of the percentile interval of each coefficient (descriptive,
 -- resampling (docs/internals.md) ---*        not a confidence interval).

 -- resampling (docs/internals.md) ---*    Returns
 -- resampling (docs/internals.md) ---*    -------
 -- resampling (docs/internals.md) ---*    BootstrapResult

 -- resampling (docs/internals.md) ---*    Examples
 -- resampling (docs/internals.md) ---*    --------
 -- resampling (docs/internals.md) ---*    >>> import penstat as ps
 -- resampling (docs/internals.md) ---*    >>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0)
 -- resampling (docs/internals.md) ---*    >>> boot = fit.bootstrap(20, seed=0, progress=False)
 -- resampling (docs/internals.md) ---*    >>> boot.n_boot, fit.bootstrap_result is boot
 -- resampling (docs/internals.md) ---*    (20, True)
 -- resampling (docs/internals.md) ---*    """
 -- resampling (docs/internals.md) ---*    self.bootstrap_result = run_bootstrap(
 -- resampling (docs/internals.md) ---*        self,
 -- resampling (docs/internals.md) ---*        n_boot=n_boot,
 -- resampling (docs/internals.md) ---*        fixed_lam=fixed_lam,
 -- resampling (docs/internals.md) ---*        seed=seed,
 -- resampling (docs/internals.md) ---*        n_jobs=n_jobs,
 -- resampling (docs/internals.md) ---*        progress=progress,
 -- resampling (docs/internals.md) ---*        stratify=stratify,
 -- resampling (docs/internals.md) ---*        level=level,
 -- resampling (docs/internals.md) ---*    )
 -- resampling (docs/internals.md) ---*    return self.bootstrap_result

 -- resampling (docs/internals.md) ---*def stability_selection(
 -- resampling (docs/internals.md) ---*    self,
 -- resampling (docs/internals.md) ---*    n_subsamples: int = 50,
 -- resampling (docs/internals.md) ---*    cutoff: float | None = None,
 -- resampling (docs/internals.md) ---*    pfer: float | None = None,
 -- resampling (docs/internals.md) ---*    q: float | None = None,
 -- resampling (docs/internals.md) ---*    sampling: str = "complementary_pairs",
 -- resampling (docs/internals.md) ---*    lambdas=None,
 -- resampling (docs/internals.md) ---*    seed=None,
 -- resampling (docs/internals.md) ---*    n_jobs: int | None = None,
 -- resampling (docs/internals.md) ---*    progress: bool | None = None,
 -- resampling (docs/internals.md) ---*    assumption: str | None = None,
 -- resampling (docs/internals.md) ---*) -> StabilitySelection:
 -- resampling (docs/internals.md) ---*    """Stability selection with error control on this fit's lasso path.

 -- resampling (docs/internals.md) ---*    See :func:`penstat.resampling.run_stability_selection` for the parameters
 -- resampling (docs/internals.md) ---*    (two of ``cutoff``, ``pfer`` and ``q`` fix the third). The result is also
 -- resampling (docs/internals.md) ---*    kept in ``fit.stability_result``.

 -- resampling (docs/internals.md) ---*    Returns
 -- resampling (docs/internals.md) ---*    -------
 -- resampling (docs/internals.md) ---*    StabilitySelection

 -- resampling (docs/internals.md) ---*    Examples
 -- resampling (docs/internals.md) ---*    --------
 -- resampling (docs/internals.md) ---*    >>> import penstat as ps
 -- resampling (docs/internals.md) ---*    >>> fit = ps.lasso("y ~ .", ps.datasets.load("diabetes"), lam=1.0)
 -- resampling (docs/internals.md) ---*    >>> stab = fit.stability_selection(10, cutoff=0.75, pfer=1, seed=0, progress=False)
 -- resampling (docs/internals.md) ---*    >>> stab.stable
 -- resampling (docs/internals.md) ---*    ['bmi', 's5']
 -- resampling (docs/internals.md) ---*    """
 -- resampling (docs/internals.md) ---*    self.stability_result = run_stability_selection(
 -- resampling (docs/internals.md) ---*        self,
 -- resampling (docs/internals.md) ---*        n_subsamples=n_subsamples,
 -- resampling (docs/internals.md) ---*        cutoff=cutoff,
 -- resampling (docs/internals.md) ---*        pfer=pfer,
 -- resampling (docs/internals.md) ---*        q=q,
 -- resampling (docs/internals.md) ---*        sampling=sampling,
 -- resampling (docs/internals.md) ---*        lambdas=lambdas,
 -- resampling (docs/internals.md) ---*        seed=seed,
 -- resampling (docs/internals.md) ---*        n_jobs=n_jobs,
 -- resampling (docs/internals.md) ---*        progress=progress,
 -- resampling (docs/internals.md) ---*        assumption=assumption,
 -- resampling (docs/internals.md) ---*    )
 -- resampling (docs/internals.md) ---*    return self.stability_result

 -- resampling (docs/internals.md) ---*def report(self, path, title: str | None = None):
 -- resampling (docs/internals.md) ---*    """Write an HTML or Markdown report (by the file's extension); see
 -- resampling (docs/internals.md) ---*    :func:`penstat.report.write_report`.

 -- resampling (docs/internals.md) ---*    Examples
 -- resampling (docs/internals.md) ---*    --------
 -- resampling (docs/internals.md) ---*    >>> import tempfile, pathlib, penstat as ps
 -- resampling (docs/internals.md) ---*    >>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
 -- resampling (docs/internals.md) ---*    >>> out = fit.report(pathlib.Path(tempfile.mkdtemp()) / "fit.md")
 -- resampling (docs/internals.md) ---*    >>> out.suffix
 -- resampling (docs/internals.md) ---*    '.md'
 -- resampling (docs/internals.md) ---*    """
 -- resampling (docs/internals.md) ---*    # the report is a surface above this stage; this convenience hands the fit
 -- resampling (docs/internals.md) ---*    # to it (declared as the one allowed upward import in the layers contract)
 -- resampling (docs/internals.md) ---*    from penstat.report import write_report

 -- resampling (docs/internals.md) ---*    return write_report(self, path, title=title)

 -- resampling (docs/internals.md) ---*def plot(self, ax=None, **kwargs):
 -- resampling (docs/internals.md) ---*    """Coefficient paths against log lambda with this fit's lambda marked; see
 -- resampling (docs/internals.md) ---*    :func:`penstat.plots.path.plot_path`."""
 -- resampling (docs/internals.md) ---*    return plot_path(self.path, ax=ax, lam=self.lam, **kwargs)

 -- resampling (docs/internals.md) ---*def __repr__(self) -> str:
 -- resampling (docs/internals.md) ---*    return (
 -- resampling (docs/internals.md) ---*        f"<PenalizedFit {self.design.formula!r}, {self.family.name}, "
 -- resampling (docs/internals.md) ---*        f"{penalty_text(self.penalty, self.l1_ratio)}, lam={self.lam:.4g}, "
 -- resampling (docs/internals.md) ---*        f"{self.df} of {len(self.design.columns)} columns selected>"
 -- resampling (docs/internals.md) ---*    )


def _check_lam(lam) -> float:
 -- resampling (docs/internals.md) ---*try:
 -- resampling (docs/internals.md) ---*    value = float(lam)
 -- resampling (docs/internals.md) ---*except (TypeError, ValueError):
 -- resampling (docs/internals.md) ---*    raise ArgumentError(f"lam={lam!r} must be a number >= 0") from None
 -- resampling (docs/internals.md) ---*if not np.isfinite(value) or value < 0:
 -- resampling (docs/internals.md) ---*    raise ArgumentError(f"lam={lam!r} must be a finite number >= 0")
 -- resampling (docs/internals.md) ---*return value
