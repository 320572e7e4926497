"""Transforms R users write in formulas: ``poly``, ``ns``, ``scale``.

Each remembers what it learned from the training rows (patsy's stateful transforms),
so :meth:`~penstat.design.Design.transform` codes new data the same way, as R's
``predict`` does.

>>> import numpy as np
>>> import patsy
>>> x = np.arange(1.0, 6.0)
>>> env = patsy.EvalEnvironment([{"poly": poly}])
>>> m = patsy.dmatrix("poly(x, 2) - 1", {"x": x}, eval_env=env)
>>> np.round(np.asarray(m)[:, 0] * np.sqrt(10), 6).tolist()
[-2.0, -1.0, 0.0, 1.0, 2.0]
"""

from __future__ import annotations

import numpy as np
import patsy
from patsy.mgcv_cubic_splines import CR
from patsy.state import Standardize

__all__ = ["ns", "poly", "scale"]


def _values(x) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError("poly() takes one numeric column")
    return arr


class _Poly:
    """R's ``poly(x, degree)``: orthogonal polynomials of the training ``x``.

    Fitted as R does (the QR decomposition of the centred powers); new data use R's
    three-term recurrence with the remembered ``alpha`` and ``norm2``
    (``predict.poly``), so the training rows get the same values either way.
    """

    def __init__(self):
        self._chunks: list[np.ndarray] = []
        self.alpha = self.norm2 = None

    def memorize_chunk(self, x, degree=1, raw=False):
        self._chunks.append(_values(x))

    def memorize_finish(self):
        self._x = np.concatenate(self._chunks)
        self._chunks = []

    def _fit(self, degree: int) -> None:
        x = self._x
        distinct = len(np.unique(x))
        if degree >= distinct:
            raise ValueError(
                f"poly() degree {degree} must be less than the number of distinct "
                f"values of x ({distinct})"
            )
        xbar = x.mean()
        xc = x - xbar
        q, r = np.linalg.qr(xc[:, None] ** np.arange(degree + 1))
        z = q * np.diag(r)  # R: qr.qy(QR, diag(R)), the same whatever the signs
        norm2 = (z**2).sum(axis=0)
        self.alpha = ((xc[:, None] * z**2).sum(axis=0) / norm2 + xbar)[:degree]
        self.norm2 = np.concatenate([[1.0], norm2])
        del self._x  # the state is alpha and norm2, as R's predict.poly

    def transform(self, x, degree=1, raw=False):
        x = _values(x)
        if isinstance(degree, bool) or int(degree) != degree or degree < 1:
            raise ValueError(f"poly() degree must be a positive integer, not {degree!r}")
        degree = int(degree)
        if raw:
            return x[:, None] ** np.arange(1, degree + 1)
        if self.alpha is None:
            self._fit(degree)
        z = np.ones((len(x), degree + 1))
        z[:, 1] = x - self.alpha[0]
        for i in range(1, degree):
            ratio = self.norm2[i + 1] / self.norm2[i]
            z[:, i + 1] = (x - self.alpha[i]) * z[:, i] - ratio * z[:, i - 1]
        return z[:, 1:] / np.sqrt(self.norm2[2:])


class _NaturalSpline(CR):
    """``ns(x, df)``: patsy's natural cubic regression spline ``cr`` centred, so that
    it spans what R's ``ns(x, df)`` spans together with the intercept."""

    def memorize_chunk(self, x, df=None, knots=None, lower_bound=None, upper_bound=None):
        super().memorize_chunk(
            x, df=df, knots=knots,
            lower_bound=lower_bound, upper_bound=upper_bound, constraints="center",
        )  # fmt: skip

    def transform(self, x, df=None, knots=None, lower_bound=None, upper_bound=None):
        return super().transform(
            x, df=df, knots=knots,
            lower_bound=lower_bound, upper_bound=upper_bound, constraints="center",
        )  # fmt: skip


class _Scale(Standardize):
    """R's ``scale(x)``: centred and divided by the standard deviation (n - 1)."""

    def memorize_chunk(self, x, center=True, rescale=True, ddof=1):
        super().memorize_chunk(x, center=center, rescale=rescale, ddof=ddof)

    def transform(self, x, center=True, rescale=True, ddof=1):
        return super().transform(x, center=center, rescale=rescale, ddof=ddof)


poly = patsy.stateful_transform(_Poly)
poly.__doc__ = """Orthogonal polynomials of degree 1 to ``degree``, as R's ``poly(x, k)``.

``raw=True`` gives the plain powers ``x, x**2, ...``. The columns are named
``poly(x, 2)[0]``, ``poly(x, 2)[1]``, ... (patsy numbers from 0; R names them 1, 2).

Examples
--------
>>> import numpy as np
>>> z = poly(np.array([1.0, 2.0, 3.0, 4.0]), 2)
>>> np.round(z.T @ z, 12).tolist()
[[1.0, 0.0], [0.0, 1.0]]
"""

ns = patsy.stateful_transform(_NaturalSpline)
ns.__doc__ = """A natural cubic spline of ``x`` with ``df`` columns (R's ``ns(x, df)``).

The basis is patsy's ``cr(x, df=df, constraints="center")``: the same knots as
R's ``ns`` (``df - 1`` interior knots at quantiles of ``x``, boundary knots at its
range) and, with the intercept, the same functions, but not R's columns.

Examples
--------
>>> import numpy as np
>>> ns(np.linspace(0.0, 1.0, 20), df=3).shape
(20, 3)
"""

scale = patsy.stateful_transform(_Scale)
scale.__doc__ = """``x`` centred and divided by its standard deviation (divisor n - 1),
as R's ``scale(x)``; new data use the training mean and standard deviation.

Examples
--------
>>> import numpy as np
>>> scale(np.array([1.0, 2.0, 3.0])).ravel().tolist()
[-1.0, 0.0, 1.0]
"""
