"""penstat: penalized regression with inference.

Formula in, regularization path, lambda chosen by cross-validation or an
information criterion, selected features and their bootstrap stability out.

>>> import penstat as ps
>>> df = ps.datasets.load("diabetes")
>>> fit = ps.lasso("y ~ .", data=df, seed=0)
>>> fit.selection.rule, fit.lam > 0
('cv_1se', True)
>>> print(fit.summary())  # doctest: +ELLIPSIS
Penalized regression
formula ...
"""

from importlib import import_module

from penstat._errors import (
    ArgumentError,
    CollinearityWarning,
    ConvergenceWarning,
    DataError,
    FormulaError,
    PenstatError,
    SeparationWarning,
)
from penstat._version import __version__ as __version__

# Public names are imported on first use so that ``import penstat`` stays cheap
# (pandas, patsy and scipy are loaded only when a fit needs them).
_LAZY = {
    "fit": "penstat.api",
    "lasso": "penstat.api",
    "ridge": "penstat.api",
    "elastic_net": "penstat.api",
    "group_lasso": "penstat.api",
    "fit_path": "penstat.solver",
    "path_to_lam": "penstat.solver",
    "Path": "penstat.solver",
    "Design": "penstat.design",
    "build_design": "penstat.design",
    "FitSpec": "penstat.spec",
    "SelectSpec": "penstat.spec",
    "select_lambda": "penstat.selection",
    "select_l1_ratio": "penstat.selection",
    "cross_validate": "penstat.selection",
    "Selection": "penstat.selection",
    "CVResult": "penstat.selection",
    "L1RatioSearch": "penstat.selection",
    "run_bootstrap": "penstat.resampling",
    "run_stability_selection": "penstat.resampling",
    "BootstrapResult": "penstat.resampling",
    "StabilitySelection": "penstat.resampling",
    "run_inference": "penstat.inference",
    "InferenceResult": "penstat.inference",
    "PenalizedFit": "penstat.results",
    "Summary": "penstat.results",
    "fit_to_dict": "penstat.results.export",
    "datasets": "penstat.datasets",
}

__all__ = [
    "ArgumentError",
    "ConvergenceWarning",
    "SeparationWarning",
    "CollinearityWarning",
    "DataError",
    "FormulaError",
    "PenstatError",
    *_LAZY,
]


def __getattr__(name: str):
    if name in _LAZY:
        module = import_module(_LAZY[name])
        value = module if name == "datasets" else getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'penstat' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
