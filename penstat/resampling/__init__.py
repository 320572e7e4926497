"""Stage 4, resampling: the pairs bootstrap of a fit and stability selection.

Two answers to "would we pick the same features on another sample?":

* :func:`run_bootstrap` re-runs the whole fit on bootstrap resamples of the design
  rows and reports, per design column and per formula term, how often it was
  selected, with which sign, and the spread of its coefficient.
* :func:`run_stability_selection` follows Meinshausen & Bühlmann (2010) and
  Shah & Samworth (2013): lasso paths on subsamples of half the rows, the selection
  probability of each column along the path, the stable set and a bound on the
  expected number of falsely selected columns (:mod:`penstat.resampling.bounds`).

Both draw every replicate's random numbers up front from one
``numpy.random.SeedSequence(seed)`` and run through one parallel runner, so a seed
gives identical numbers for any ``n_jobs`` and any joblib backend (including Dask).

>>> import penstat as ps
>>> fit = ps.lasso("y ~ bmi + bp + s5", ps.datasets.load("diabetes"), lam=1.0)
>>> boot = fit.bootstrap(20, seed=1, progress=False)
>>> boot.columns["freq"].tolist()
[1.0, 1.0, 1.0]
"""

from penstat.resampling.bootstrap import run_bootstrap
from penstat.resampling.bounds import mb_bound, stability_parameters, unimodal_bound
from penstat.resampling.result import BootstrapResult, StabilitySelection
from penstat.resampling.stability import run_stability_selection

__all__ = [
    "BootstrapResult",
    "StabilitySelection",
    "mb_bound",
    "run_bootstrap",
    "run_stability_selection",
    "stability_parameters",
    "unimodal_bound",
]
