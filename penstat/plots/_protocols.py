"""What the plots read from the objects they draw, declared as :class:`typing.Protocol`.

The plots are a bottom layer: every stage's ``.plot()`` calls them, so they import
nothing from penstat but :mod:`penstat._errors`. Instead of importing the classes
they draw (:class:`~penstat.solver.Path`, :class:`~penstat.selection.CVResult`,
:class:`~penstat.selection.Selection`, :class:`~penstat.resampling.BootstrapResult`,
:class:`~penstat.resampling.StabilitySelection`) they declare here what they read.
The report reads the same protocols when it draws its figures.

>>> from penstat.plots._protocols import PathLike
>>> import penstat as ps
>>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
>>> isinstance(fit.path, PathLike)
True
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["BootstrapLike", "CVLike", "CriteriaLike", "PathLike", "StabilityLike"]


@runtime_checkable
class PathLike(Protocol):
    """A regularization path: (nlam,) ``lambdas`` and ``dev_ratio``, (nlam, p)
    ``coefs`` on the original scale, and the ``column_names`` (or None)."""

    lambdas: Any
    coefs: Any
    dev_ratio: Any
    column_names: list[str] | None


@runtime_checkable
class CVLike(Protocol):
    """A cross-validation curve: mean error ``cvm`` with its band ``cvlo`` /
    ``cvup`` and the number of nonzero coefficients ``df`` at each of ``lambdas``,
    the two CV choices ``lam_min`` / ``lam_1se`` and the error ``measure``."""

    lambdas: Any
    cvm: Any
    cvlo: Any
    cvup: Any
    df: Any
    lam_min: float
    lam_1se: float
    measure: str


@runtime_checkable
class CriteriaLike(Protocol):
    """A lambda chosen along a path: its ``table`` (columns ``lam``, ``df`` and the
    criteria), the chosen ``lam``, and the CV curve ``cv`` of a CV rule (or None)."""

    table: Any
    lam: float
    cv: CVLike | None


@runtime_checkable
class BootstrapLike(Protocol):
    """Bootstrap selection: ``columns`` (a DataFrame indexed by column with ``freq``
    and ``median``) over ``n_boot`` replicates."""

    columns: Any
    n_boot: int


@runtime_checkable
class StabilityLike(Protocol):
    """Stability selection: ``probabilities`` (a DataFrame, rows indexed by lambda,
    one column per design column), the ``stable`` columns, the ``cutoff``, the
    smallest lambda of the region used (``region_end``) and the error bound ``pfer``."""

    probabilities: Any
    stable: list
    cutoff: float
    region_end: float
    pfer: float
