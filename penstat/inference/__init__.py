"""Stage 4, inference after selection: p-values and confidence intervals that account
for the lasso having chosen the columns.

:func:`run_inference` (the method ``fit.inference(...)``) dispatches to one module
per method, each returning an :class:`InferenceResult` whose table, printout and
export name the method and what it conditions on:

* ``"selective"`` (:mod:`penstat.inference.selective`): exact inference conditional
  on the selected set and signs at a fixed lambda (Lee, Sun, Sun & Taylor 2016);
* ``"split"`` (:mod:`penstat.inference.split`): multi-sample-splitting p-values with
  family-wise error control (Meinshausen, Meier & Bühlmann 2009);
* ``"debiased"`` (:mod:`penstat.inference.debiased`): the de-sparsified lasso (Zhang
  & Zhang 2014; van de Geer, Bühlmann, Ritov & Dezeure 2014);
* ``"naive"`` (:mod:`penstat.inference.naive`): the refit on the selected columns,
  with a warning that its p-values ignore the selection.

The noise level of a gaussian fit comes from :func:`estimate_sigma`.
"""

from penstat.inference.request import METHODS, InferenceRequest
from penstat.inference.result import TABLE_COLUMNS, InferenceResult
from penstat.inference.run import run_inference
from penstat.inference.sigma import estimate_sigma

# the method modules register their functions in run.RUNNERS when imported
from penstat.inference import naive as _naive  # noqa: E402, F401  isort: skip
from penstat.inference import selective as _selective  # noqa: E402, F401  isort: skip
from penstat.inference import split as _split  # noqa: E402, F401  isort: skip
from penstat.inference import debiased as _debiased  # noqa: E402, F401  isort: skip

__all__ = [
    "METHODS",
    "TABLE_COLUMNS",
    "InferenceRequest",
    "InferenceResult",
    "estimate_sigma",
    "run_inference",
]
