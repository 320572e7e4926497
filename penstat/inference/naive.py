"""``method="naive"``: the classical refit on the selected columns, for comparison.

The selected columns (and the unpenalized ones) are refitted without a penalty on
the same rows with statsmodels (least squares for a gaussian fit, the logistic GLM
for a binomial one), and statsmodels' standard errors, intervals and p-values are
reported. They treat the selected set as if it had been fixed before seeing the
data; after selection they are too small, too narrow and too optimistic (Berk,
Brown, Buja, Zhang & Zhao 2013; Lee, Sun, Sun & Taylor 2016, section 1). The method
is there to show that, next to the methods that account for the selection.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from penstat._errors import DataError, warn_user
from penstat.engine import run
from penstat.inference.request import InferenceRequest
from penstat.inference.result import TABLE_COLUMNS, InferenceResult
from penstat.inference.run import RUNNERS
from penstat.spec import SelectSpec

__all__ = ["NAIVE_CONDITIONING", "NAIVE_WARNING", "naive_inference"]

#: The conditioning statement of the naive method.
NAIVE_CONDITIONING = (
    "nothing: the classical refit on the selected columns treats the selected set "
    "as fixed in advance; these p-values and intervals ignore the selection and are "
    "not valid after it"
)

#: The warning the naive method raises, and the note its result carries.
NAIVE_WARNING = (
    "naive inference: the p-values and intervals of the unpenalized refit on the "
    "selected columns ignore that the lasso chose those columns from the same data; "
    "after selection they are too small / too narrow (invalid). Use "
    "method='selective', 'split' or 'debiased' for valid inference"
)


def naive_inference(fit: Any, request: InferenceRequest) -> InferenceResult:
    """The unpenalized refit on the selected columns (``fit.inference("naive")``).

    Gaussian fits are refitted by weighted least squares (``statsmodels.WLS``, t
    intervals; z intervals with a given ``sigma``), binomial fits by the logistic
    GLM (``statsmodels.GLM``, z intervals), with the fit's weights, offset and
    intercept, on the columns nonzero at the lambda (and the unpenalized columns).
    The result's p-values ignore the selection: a ``UserWarning`` says so, and so
    do its conditioning statement and notes.

    Parameters
    ----------
    fit : PenalizedFit
    request : InferenceRequest
        ``level``, ``sigma`` (gaussian: fixes the noise level), ``lam`` and
        ``alternative`` are used.

    Returns
    -------
    InferenceResult
        One row per refitted column.

    Examples
    --------
    >>> import warnings
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = fit.inference("naive")
    >>> res.table.index.tolist()
    ['bmi', 'bp', 's5']
    >>> res.method, round(float(res.table.loc["bmi", "estimate"]), 3)
    ('naive', 6.5)
    """
    design = fit.design
    X, y = np.asarray(design.X, dtype=float), np.asarray(design.y, dtype=float)
    n = X.shape[0]
    lam = fit.lam if request.lam is None else request.lam
    coef = _coef_at(fit, X, y, request.lam)
    keep = coef != 0
    pf = fit.spec.penalty_factor
    if pf is not None:
        keep |= np.asarray(pf) == 0
    columns = [c for c, k in zip(design.columns, keep, strict=True) if k]
    exog = X[:, keep]
    intercept = bool(fit.spec.fit_intercept)
    n_params = exog.shape[1] + int(intercept)
    gaussian = fit.family.name == "gaussian"
    if n_params >= n:
        raise DataError(
            f"the naive refit needs more rows than parameters: {len(columns)} selected "
            f"columns{' and the intercept' if intercept else ''} on {n} rows; use a "
            "larger lambda (lam=) or method='debiased'"
        )
    warn_user(NAIVE_WARNING, UserWarning)
    weights = np.ones(n) if fit.spec.weights is None else np.asarray(fit.spec.weights)
    offset = None if fit.spec.offset is None else np.asarray(fit.spec.offset)
    notes = [NAIVE_WARNING + "."]
    if gaussian:
        est, se, dist, sigma, sigma_method = _ols(exog, y, weights, offset, intercept,
                                                  request.sigma)  # fmt: skip
    else:
        est, se, dist, caught = _logistic(exog, y, weights, offset, intercept)
        sigma = sigma_method = None
        notes += caught
    table = _table(columns, est, se, dist, request)
    return InferenceResult(
        method="naive",
        table=table,
        level=request.level,
        lam=float(lam),
        conditioning=NAIVE_CONDITIONING,
        sigma=sigma,
        sigma_method=sigma_method,
        alternative=request.alternative,
        adjustment=None,
        approximate=not gaussian,
        notes=tuple(notes),
        details={
            "refit": "WLS" if gaussian else "logistic GLM",
            "n_params": n_params,
            "df_resid": n - n_params if gaussian else None,
        },
    )


def _coef_at(fit: Any, X: np.ndarray, y: np.ndarray, lam: float | None) -> np.ndarray:
    """The coefficients at the fit's lambda, or solved exactly at ``lam``."""
    if lam is None:
        return np.asarray(fit.path.coefs[fit.index], dtype=float)
    out = run(X, y, fit.spec.with_grid(None), SelectSpec(rule=None, lam=lam), False)
    return np.asarray(out.coef, dtype=float)


def _with_intercept(exog: np.ndarray, intercept: bool) -> np.ndarray:
    if not intercept:
        return exog
    return np.column_stack([np.ones(exog.shape[0]), exog])


def _ols(exog, y, weights, offset, intercept, sigma):
    import statsmodels.api as sm

    target = y if offset is None else y - offset
    model = sm.WLS(target, _with_intercept(exog, intercept), weights=weights)
    if sigma is None:
        res = model.fit()
        scale = float(np.sqrt(res.scale))
        dist = stats.t(df=res.df_resid)
        how = "residual of the refit on the selected columns"
    else:
        # the noise level given by the user: z intervals with that variance
        res = model.fit(cov_type="fixed scale", cov_kwds={"scale": sigma**2})
        scale, dist, how = float(sigma), stats.norm(), "given"
    k = int(intercept)
    return res.params[k:], res.bse[k:], dist, scale, how


def _logistic(exog, y, weights, offset, intercept):
    import statsmodels.api as sm

    model = sm.GLM(
        y,
        _with_intercept(exog, intercept),
        family=sm.families.Binomial(),
        var_weights=weights,
        offset=offset,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = model.fit()
    notes = []
    if any("separation" in str(w.message).lower() for w in caught):
        notes.append(
            "the logistic refit found (quasi-)complete separation: some estimates and "
            "standard errors are not finite or not reliable"
        )
    elif any("converge" in str(w.message).lower() for w in caught):
        notes.append("the logistic refit did not converge; its numbers are unreliable")
    k = int(intercept)
    return res.params[k:], res.bse[k:], stats.norm(), notes


def _table(columns, est, se, dist, request: InferenceRequest) -> pd.DataFrame:
    est, se = np.asarray(est, dtype=float), np.asarray(se, dtype=float)
    stat = est / se
    if request.alternative == "two-sided":
        q = dist.ppf(0.5 + request.level / 2)
        lower, upper = est - q * se, est + q * se
        p = 2 * dist.sf(np.abs(stat))
    else:
        # one-sided in the direction of the estimate's sign: H0 beta = 0 against
        # sign(beta) = sign(estimate); the matching one-sided interval
        q = dist.ppf(request.level)
        positive = est >= 0
        lower = np.where(positive, est - q * se, -np.inf)
        upper = np.where(positive, np.inf, est + q * se)
        p = dist.sf(np.abs(stat))
    values = {
        "estimate": est,
        "std_error": se,
        "ci_lower": lower,
        "ci_upper": upper,
        "p_value": p,
        "p_adjusted": np.full(est.size, np.nan),
    }
    return pd.DataFrame(
        {c: values[c] for c in TABLE_COLUMNS}, index=pd.Index(columns, name="column")
    )


RUNNERS["naive"] = naive_inference
