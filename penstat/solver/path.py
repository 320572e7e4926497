"""The regularization path a fit returns: :class:`Path`.

>>> import numpy as np
>>> from penstat.solver import fit_path
>>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.5]])
>>> path = fit_path(X, np.array([1.0, 0.0, 1.5, 2.0]), nlambda=5)
>>> path.to_frame().columns[:3].tolist()
['lam', 'df', 'dev_ratio']
"""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError, DataError
from penstat._validation import as_design, as_offset, refuse_text_or_bool
from penstat.family import get_family
from penstat.plots.path import plot_path
from penstat.spec import FitSpec

__all__ = ["EarlyStop", "Path"]


def _from_spec(name: str, doc: str) -> property:
    """A read-only attribute of the path that is its spec's ``name``."""
    return property(operator.attrgetter(f"spec.{name}"), doc=doc)


# glmnet.control()'s devmax, as the kernels apply it (its fdev is 1e-5)
DEV_RATIO_MAX = 0.999


@dataclass(frozen=True)
class EarlyStop:
    """Why a path on glmnet's grid ended before the grid's last lambda.

    Attributes
    ----------
    rule : {"dev_ratio", "dev_change"}
        ``"dev_ratio"``: the deviance ratio exceeded 0.999 (the model explains
        nearly all of the deviance); ``"dev_change"``: the deviance ratio changed by
        less than 1e-5 (relative for gaussian, absolute for binomial, as glmnet)
        from the previous lambda.
    lam : float
        The last lambda fitted.
    n_fitted, n_grid : int
        Lambdas fitted, and lambdas in the grid.

    Examples
    --------
    >>> EarlyStop("dev_change", 0.0123, 58, 100).describe()
    'at lambda 0.0123 (58 of 100 lambdas): deviance ratio changed by less than 1e-5'
    """

    rule: str
    lam: float
    n_fitted: int
    n_grid: int

    def describe(self) -> str:
        """One line: where the path ended and the rule that ended it."""
        why = (
            "deviance ratio above 0.999"
            if self.rule == "dev_ratio"
            else "deviance ratio changed by less than 1e-5"
        )
        where = f"{self.n_fitted} of {self.n_grid} lambdas"
        return f"at lambda {self.lam:.4g} ({where}): {why}"

    def to_dict(self) -> dict:
        """The fields as plain Python values (the export record's ``early_stop``).

        Examples
        --------
        >>> EarlyStop("dev_ratio", 0.5, 7, 100).to_dict()["rule"]
        'dev_ratio'
        """
        return {
            "rule": self.rule,
            "lam": float(self.lam),
            "n_fitted": int(self.n_fitted),
            "n_grid": int(self.n_grid),
        }


@dataclass(frozen=True, eq=False)
class Path:
    """A fitted regularization path (one row per lambda, decreasing).

    Attributes
    ----------
    lambdas : (nlam,) penalty strengths, decreasing.
    intercepts : (nlam,) intercepts on the original scale (0 without intercept).
    coefs : (nlam, p) coefficients on the original scale of ``X``.
    df : (nlam,) number of nonzero coefficients.
    dev_ratio : (nlam,) fraction of the null deviance explained.
    deviance : (nlam,) deviance with the weights as passed (gaussian
        ``sum w (y - eta)^2``, binomial ``-2 sum w loglik_i``).
    null_deviance : deviance of the intercept-only model (of 0 without intercept).
    n_iter : (nlam,) coordinate sweeps per lambda.
    converged : (nlam,) whether each lambda reached ``tol``.
    spec : the :class:`~penstat.spec.FitSpec` the path was fitted with; ``family``,
        ``l1_ratio``, ``fit_intercept``, ``standardize``, ``has_offset``,
        ``lower_limits`` and ``upper_limits`` read from it (the limits are (p,)
        arrays on the original scale, infinite where a side is free, or None for a
        fit without limits; with ``has_offset``, :meth:`predict` needs the offset of
        the new rows).
    penalty_factor : (p,) penalty factors rescaled to sum to p, as used.
    column_names : names of the columns (None at the array level).
    early_stop : an :class:`EarlyStop` when glmnet's rule ended the path before the
        last lambda of its grid (which rule, at which lambda), else None (the grid
        was fitted in full; a user grid always is).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.5]])
    >>> from penstat.solver import fit_path
    >>> path = fit_path(X, np.array([1.0, 0.0, 1.5, 2.0]), nlambda=5)
    >>> path.predict(X, lam=path.lambdas[-1]).shape
    (4,)
    """

    lambdas: np.ndarray
    intercepts: np.ndarray
    coefs: np.ndarray
    df: np.ndarray
    dev_ratio: np.ndarray
    deviance: np.ndarray
    null_deviance: float
    n_iter: np.ndarray
    converged: np.ndarray
    spec: FitSpec
    penalty_factor: np.ndarray
    column_names: list[str] | None = None
    early_stop: EarlyStop | None = None

    # read from the spec the path was fitted with
    family = _from_spec("family", '``"gaussian"`` or ``"binomial"``.')
    l1_ratio = _from_spec("l1_ratio", "The L1 / L2 mix.")
    fit_intercept = _from_spec("fit_intercept", "Whether an intercept was fitted.")
    standardize = _from_spec("standardize", "Whether columns were standardized.")
    has_offset = _from_spec("has_offset", "Whether the path was fitted with an offset.")
    lower_limits = _from_spec("lower_limits", "(p,) lower limits, or None without limits.")
    upper_limits = _from_spec("upper_limits", "(p,) upper limits, or None without limits.")

    def with_names(self, names) -> Path:
        """The same path with its columns named ``names``."""
        return dataclasses.replace(self, column_names=list(names))

    def coef_at(self, lam: float | np.ndarray) -> tuple[Any, np.ndarray]:
        """Intercept and coefficients at ``lam``, interpolated as glmnet does.

        Between two fitted lambdas the coefficients are interpolated linearly in
        lambda; outside the fitted range the nearest end of the path is used.

        Parameters
        ----------
        lam
            A penalty strength, or an array of them.

        Returns
        -------
        (intercept, coefs)
            A float and a (p,) array for a scalar ``lam``; (k,) and (k, p) arrays
            for an array of k values.

        Examples
        --------
        >>> import penstat as ps
        >>> df = ps.datasets.load("diabetes")
        >>> path = ps.fit_path(df[["bmi", "bp", "s5"]], df["y"], nlambda=5)
        >>> b0, b = path.coef_at(path.lambdas[2])  # on the grid: the solution there
        >>> bool(np.allclose(b, path.coefs[2]))
        True
        >>> path.coef_at([path.lambdas[1], path.lambdas[3]])[1].shape
        (2, 3)
        """
        scalar = np.ndim(lam) == 0
        s = np.atleast_1d(np.asarray(lam, dtype=float))
        if not np.all(np.isfinite(s)):
            raise ArgumentError("lam must be finite")
        lams = self.lambdas
        if lams.size == 1:
            b0 = np.repeat(self.intercepts, s.size)
            b = np.repeat(self.coefs, s.size, axis=0)
        else:
            s = np.clip(s, lams[-1], lams[0])
            # lams is decreasing: right is the first index with lams[right] <= s
            right = np.searchsorted(-lams, -s, side="left")
            right = np.clip(right, 1, lams.size - 1)
            left = right - 1
            span = lams[left] - lams[right]
            frac = np.where(span > 0, (s - lams[right]) / np.where(span > 0, span, 1), 1.0)
            b0 = frac * self.intercepts[left] + (1 - frac) * self.intercepts[right]
            b = frac[:, None] * self.coefs[left] + (1 - frac)[:, None] * self.coefs[right]
        if scalar:
            return float(b0[0]), b[0]
        return b0, b

    def predict(
        self,
        X: Any,
        lam: float | np.ndarray | None = None,
        type: str = "link",
        offset: Any = None,
    ) -> np.ndarray:
        """Linear predictor (``type="link"``) or mean (``"response"``) for rows of ``X``.

        ``X`` may be a scipy.sparse matrix. Returns (n, nlam) for the whole path,
        (n,) for a scalar ``lam`` and (n, k) for k values of ``lam`` (interpolated
        with :meth:`coef_at`). A path fitted with an ``offset`` needs the offset of
        these rows (added to the linear predictor); one fitted without refuses it.

        Examples
        --------
        >>> from penstat.solver import fit_path
        >>> X = np.random.default_rng(3).standard_normal((6, 2))
        >>> path = fit_path(X, (X[:, 0] > 0).astype(float), family="binomial", nlambda=4)
        >>> path.predict(X).shape, path.predict(X, lam=path.lambdas[-1]).shape
        ((6, 4), (6,))
        >>> mean = path.predict(X, type="response")
        >>> bool(((mean >= 0) & (mean <= 1)).all())
        True
        """
        if type not in ("link", "response"):
            raise ArgumentError(f"type must be 'link' or 'response', got {type!r}")
        X = as_design(X, "X")
        p = self.coefs.shape[1]
        if X.shape[1] != p:
            raise DataError(f"X has {X.shape[1]} columns but the path was fitted with {p}")
        if self.has_offset and offset is None:
            raise ArgumentError(
                "offset: this path was fitted with an offset; pass offset= with one "
                "value per row of X (the known part of each row's linear predictor)"
            )
        if not self.has_offset and offset is not None:
            raise ArgumentError(
                "offset: this path was fitted without an offset, so predictions take "
                "none; fit with offset= to use one"
            )
        if lam is None:
            eta = X @ self.coefs.T + self.intercepts
        else:
            b0, b = self.coef_at(lam)
            eta = X @ np.asarray(b).T + b0
        if offset is not None:
            off = as_offset(offset, X.shape[0])
            refuse_text_or_bool(offset, "offset")  # "1" and True pass the cast
            eta = eta + (off[:, None] if eta.ndim == 2 else off)
        if type == "response":
            eta = get_family(self.family).linkinv(eta)
        return eta

    def to_frame(self):
        """One row per lambda: ``lam``, ``df``, ``dev_ratio``, ``deviance``, ``n_iter``,
        ``converged``, ``intercept`` and one column per coefficient.

        Examples
        --------
        >>> from penstat.solver import fit_path
        >>> fit_path(np.eye(4)[:, :2], [1.0, 0.0, 1.5, 2.0], nlambda=3).to_frame().shape
        (3, 9)
        """
        names = self.column_names
        if names is None:
            names = tuple(f"x{j}" for j in range(self.coefs.shape[1]))
        frame = pd.DataFrame(
            {
                "lam": self.lambdas,
                "df": self.df,
                "dev_ratio": self.dev_ratio,
                "deviance": self.deviance,
                "n_iter": self.n_iter,
                "converged": self.converged,
                "intercept": self.intercepts,
            }
        )
        coefs = pd.DataFrame(self.coefs, columns=list(names))
        return pd.concat([frame, coefs], axis=1)

    def plot(self, **kwargs: Any):
        """Coefficient paths against log lambda (see ``penstat.plots.path.plot_path``)."""
        return plot_path(self, **kwargs)
