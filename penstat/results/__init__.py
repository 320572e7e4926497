"""Stage 5, results: the fit a user holds (:class:`PenalizedFit`), its
:class:`Summary`, and the export of a fit into plain data (:mod:`penstat.results.export`).

>>> import penstat as ps
>>> fit = ps.lasso("y ~ bmi + bp", ps.datasets.load("diabetes"), lam=1.0)
>>> type(fit).__name__
'PenalizedFit'
"""

from penstat.results.fit import PenalizedFit
from penstat.results.summary import Summary

__all__ = ["PenalizedFit", "Summary"]
