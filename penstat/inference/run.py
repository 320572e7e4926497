"""The entry point of the inference stage: :func:`run_inference` (the method
``fit.inference(...)``)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from penstat._errors import DataError
from penstat.inference.request import InferenceRequest
from penstat.inference.result import InferenceResult

__all__ = ["run_inference"]

#: method name -> ``function(fit, request) -> InferenceResult``; each method module
#: registers its function here.
RUNNERS: dict[str, Callable[[Any, InferenceRequest], InferenceResult]] = {}


def run_inference(
    fit: Any,
    method: str = "selective",
    level: float = 0.95,
    sigma: float | None = None,
    lam: float | None = None,
    alternative: str = "two-sided",
    target: str = "partial",
    n_splits: int = 50,
    gamma_min: float = 0.05,
    seed: Any = None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    nodewise: str = "zz",
    initial: str = "refit",
) -> InferenceResult:
    """P-values and confidence intervals after selection, by ``method``.

    Called as the method ``fit.inference(...)``, the result is also kept in
    ``fit.inference_result`` and shown by the summary, the report and the JSON.

    Parameters
    ----------
    fit : PenalizedFit
    method : {"selective", "split", "debiased", "naive"}
        See :mod:`penstat.inference` and the user guide's inference page for what
        each conditions on and guarantees.
    level : float
        Coverage of the intervals, in (0, 1).
    sigma : float, optional
        The noise standard deviation of a gaussian fit; None: estimated
        (:func:`~penstat.inference.estimate_sigma`), and the result says how.
    lam : float, optional
        Inference for the selection at this lambda instead of the fit's (the
        selective guarantee holds for a lambda fixed before seeing the data).
    alternative : {"two-sided", "sign"}
        Two-sided p-values, or one-sided in the direction of the estimate's sign.
    target : {"partial", "full"}
        Selective: the coefficient in the selected model, or in the full model
        (n > p).
    n_splits : int
        Split: the number of random half splits.
    gamma_min : float
        Split: the smallest quantile of the aggregation over splits.
    seed : int, optional
        Root of the method's randomness; the same seed gives the same numbers for
        any ``n_jobs``.
    n_jobs : int, optional
        joblib workers; None follows ``joblib.parallel_config``.
    progress : bool, optional
        None: a progress bar when stderr is a terminal.
    nodewise : {"zz", "cv"}
        Debiased: the lambda of the nodewise regressions, Zhang & Zhang's (the
        smallest below the cross-validated one with at most 1.25 times its variance;
        less bias, wider intervals) or the cross-validated minimum itself.
    initial : {"refit", "lasso"}
        Debiased: the initial estimate of the one-step correction, the fit's
        selected columns refitted without penalty (least squares or the logistic
        GLM; less shrinkage bias, the default) or the fit's lasso coefficients
        (hdi's ``lasso.proj`` given them).

    Returns
    -------
    InferenceResult

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0)
    >>> fit.inference(level=1.5)
    Traceback (most recent call last):
    ...
    penstat._errors.ArgumentError: level=1.5 must be in (0, 1), e.g. 0.95 for 95% intervals
    """
    request = InferenceRequest.build(
        method=method,
        level=level,
        sigma=sigma,
        lam=lam,
        alternative=alternative,
        target=target,
        n_splits=n_splits,
        gamma_min=gamma_min,
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
        nodewise=nodewise,
        initial=initial,
    )
    result = RUNNERS[request.method](_dense_design(fit), request)
    p_values = result.table["p_value"].to_numpy(dtype=float)
    if np.isnan(p_values).any():
        # a refit or covariance that failed numerically (columns of extreme scale)
        bad = list(result.table.index[np.isnan(p_values)])
        raise DataError(
            f"method={request.method!r} could not compute p-values for {bad}: its "
            "refit or covariance failed numerically, as it does for columns of "
            "extreme scale (beyond ~1e150 or below ~1e-150); rescale those columns "
            "and refit"
        )
    result._check()
    return result


#: The largest dense copy of a sparse design the inference methods make (bytes).
DENSE_LIMIT = 2**30


def _dense_design(fit: Any) -> Any:
    """``fit`` itself, or for a sparse design (``sparse=True``) a shallow copy whose
    design holds X dense: the methods' refits, events and nodewise regressions work
    on dense columns. Refused past :data:`DENSE_LIMIT`."""
    X = fit.design.X
    if not sp.issparse(X):
        return fit
    size = X.shape[0] * X.shape[1] * 8
    if size > DENSE_LIMIT:
        raise DataError(
            f"inference on this sparse design needs it dense ({size / 2**30:.1f} GiB "
            f"for {X.shape[0]} rows x {X.shape[1]} columns, above the "
            f"{DENSE_LIMIT / 2**30:.0f} GiB limit); fit the selected terms again without "
            "sparse=True on fewer rows or columns, or use the bootstrap / stability "
            "selection, which work on sparse designs"
        )
    view = copy.copy(fit)
    object.__setattr__(
        view, "design", dataclasses.replace(fit.design, X=X.toarray(order="F"))
    )
    return view
