"""The checked arguments of an inference run: :class:`InferenceRequest`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from penstat._errors import ArgumentError
from penstat._validation import (
    check_int,
    check_lam,
    check_n_jobs,
    positive_number,
    real_number,
    resolve_seed,
)
from penstat.spec import check_bool

__all__ = [
    "ALTERNATIVES",
    "INITIAL",
    "METHODS",
    "NODEWISE",
    "TARGETS",
    "InferenceRequest",
]

#: The methods of :func:`~penstat.inference.run_inference`.
METHODS = ("selective", "split", "debiased", "naive")
#: ``alternative=``: two-sided p-values, or one-sided in the direction of the
#: estimate's sign (selectiveInference's convention).
ALTERNATIVES = ("two-sided", "sign")
#: ``target=`` of selective inference: the partial coefficient in the selected model,
#: or the coefficient in the full model (n > p).
TARGETS = ("partial", "full")
#: ``nodewise=`` of the debiased lasso: Zhang & Zhang's variance-bounded lambda, or
#: the cross-validated one.
NODEWISE = ("zz", "cv")
#: ``initial=`` of the debiased lasso: the fit's selected columns refitted without
#: penalty, or the fit's lasso coefficients themselves.
INITIAL = ("refit", "lasso")


def _one_of(value: Any, name: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ArgumentError(f"{name}={value!r} is not one of {options}")
    return value


@dataclass(frozen=True)
class InferenceRequest:
    """What the user asked of an inference method, each argument checked once.

    Attributes
    ----------
    method : str
        One of :data:`METHODS`.
    level : float
        Coverage of the intervals, in (0, 1).
    sigma : float or None
        The noise standard deviation (gaussian); None: estimated.
    lam : float or None
        Inference at this lambda instead of the fit's.
    alternative : str
        One of :data:`ALTERNATIVES`.
    target : str
        One of :data:`TARGETS` (selective only).
    n_splits : int
        Random half splits (split only).
    gamma_min : float
        Smallest quantile of the aggregation over splits, in (0, 1) (split only).
    seed : Any
        Root of the method's randomness (an int, settled from fresh entropy for None).
    n_jobs : int or None
    progress : bool or None
    nodewise : str
        One of :data:`NODEWISE` (debiased only).
    initial : str
        One of :data:`INITIAL` (debiased only).

    Examples
    --------
    >>> InferenceRequest.build("split", level=0.9, seed=1).n_splits
    50
    """

    method: str = "selective"
    level: float = 0.95
    sigma: float | None = None
    lam: float | None = None
    alternative: str = "two-sided"
    target: str = "partial"
    n_splits: int = 50
    gamma_min: float = 0.05
    seed: Any = None
    n_jobs: int | None = None
    progress: bool | None = None
    nodewise: str = "zz"
    initial: str = "refit"

    @classmethod
    def build(
        cls,
        method: Any = "selective",
        level: Any = 0.95,
        sigma: Any = None,
        lam: Any = None,
        alternative: Any = "two-sided",
        target: Any = "partial",
        n_splits: Any = 50,
        gamma_min: Any = 0.05,
        seed: Any = None,
        n_jobs: Any = None,
        progress: Any = None,
        nodewise: Any = "zz",
        initial: Any = "refit",
    ) -> InferenceRequest:
        """A request from the user's arguments, each checked.

        Examples
        --------
        >>> InferenceRequest.build(level=0.9).level
        0.9
        """
        method = _one_of(method, "method", METHODS)
        level = real_number(level, "level", "a number in (0, 1)")
        if not 0 < level < 1:
            raise ArgumentError(
                f"level={level!r} must be in (0, 1), e.g. 0.95 for 95% intervals"
            )
        if sigma is not None:
            sigma = positive_number(sigma, "sigma")
        gamma_min = real_number(gamma_min, "gamma_min", "a number in (0, 1)")
        if not 0 < gamma_min < 1:
            raise ArgumentError(f"gamma_min={gamma_min!r} must be in (0, 1)")
        request = cls(
            method=method,
            level=level,
            sigma=sigma,
            lam=None if lam is None else check_lam(lam, "lam"),
            alternative=_one_of(alternative, "alternative", ALTERNATIVES),
            target=_one_of(target, "target", TARGETS),
            n_splits=check_int(n_splits, "n_splits", 2),
            gamma_min=gamma_min,
            seed=resolve_seed(seed),
            n_jobs=check_n_jobs(n_jobs),
            progress=None if progress is None else check_bool(progress, "progress"),
            nodewise=_one_of(nodewise, "nodewise", NODEWISE),
            initial=_one_of(initial, "initial", INITIAL),
        )
        request._check_options_of_other_methods()
        return request

    def _check_options_of_other_methods(self) -> None:
        """An option of one method given to another is refused, not ignored: the
        user asked for something the result would not have."""
        default = InferenceRequest()
        owner = {
            "target": "selective",
            "n_splits": "split",
            "gamma_min": "split",
            "nodewise": "debiased",
            "initial": "debiased",
        }
        for name, method in owner.items():
            value = getattr(self, name)
            if self.method != method and value != getattr(default, name):
                raise ArgumentError(
                    f"{name}={value!r} applies to method={method!r} only, not "
                    f"method={self.method!r}; drop {name}, or use method={method!r}"
                )
