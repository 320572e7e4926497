"""The entry point of the inference stage: :func:`run_inference` (the method
``fit.inference(...)``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
    )
    result = RUNNERS[request.method](fit, request)
    result._check()
    return result
