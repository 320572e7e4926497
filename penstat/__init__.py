"""penstat: penalized regression with inference.

Formula in, regularization path, lambda chosen by cross-validation or an
information criterion, selected features and their bootstrap stability out.

>>> import penstat as ps
>>> df = ps.datasets.load("diabetes")
>>> fit = ps.lasso("y ~ .", data=df, seed=0)  # doctest: +SKIP
>>> print(fit.summary())  # doctest: +SKIP
"""

from importlib import import_module

from penstat._errors import (
    ArgumentError,
    ConvergenceWarning,
    DataError,
    FormulaError,
    PenstatError,
    SeparationWarning,
)

__version__ = "0.1.0"

# Public names are imported on first use so that ``import penstat`` stays cheap
# (pandas, patsy and scipy are loaded only when a fit needs them).
_LAZY = {
    "fit_path": "penstat.path",
    "Path": "penstat.path",
    "fit": "penstat.api",
    "lasso": "penstat.api",
    "ridge": "penstat.api",
    "elastic_net": "penstat.api",
    "PenalizedFit": "penstat.results",
    "Design": "penstat.design",
    "Selection": "penstat.select",
    "datasets": "penstat.datasets",
}

__all__ = [
    "ArgumentError",
    "ConvergenceWarning",
    "SeparationWarning",
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
