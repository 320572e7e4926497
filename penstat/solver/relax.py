"""The relaxed lasso (Meinshausen 2007; glmnet's ``relax = TRUE``): at every lambda of
a path, the unpenalized fit on that lambda's active set, and the blend

    beta(gamma) = gamma * beta_lasso + (1 - gamma) * beta_unpenalized

(Hastie, Tibshirani & Tibshirani 2020, eq. 2; the intercept is blended the same
way). ``gamma = 1`` is the lasso, ``gamma = 0`` the unpenalized refit. As glmnet's
``blend.relaxed``, a gamma below :data:`GAMMA_FLOOR` (1e-5) is evaluated at it: at
``gamma = 0`` neighbouring lambdas with the same active set would give the same
coefficients, and the lasso's small share decides the tie in CV as in glmnet.

The unpenalized fits are statsmodels' (weighted least squares; the binomial GLM with
a logit link), with the path's weights and offset and an intercept when the path has
one, once per distinct active set. As in ``relax.glmnet``, an active set of more than
``n - 3`` columns is not refitted; neither is (binomial) an active set that separates
the classes, where no finite maximum likelihood estimate exists (glmnet's ``lambda =
0`` fit would return large coefficients of a non-converged fit there). At such a
lambda the refit of the last lambda of the path that has one is used (glmnet's
``extend`` rule in ``blend.relaxed``; an empty active set counts, its refit is the
intercept-only model), or the lasso's own coefficients when no lambda has one; a
warning says so. A lambda whose active set is empty has the intercept-only model,
which is the lasso's there.

>>> import numpy as np
>>> from penstat.solver import fit_path
>>> from penstat.solver.relax import relax_path
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((50, 4))
>>> y = X[:, 0] + rng.standard_normal(50)
>>> path = fit_path(X, y, nlambda=10)
>>> rel = relax_path(path, X, y)
>>> ols = np.linalg.lstsq(np.column_stack([np.ones(50), X]), y, rcond=None)[0]
>>> bool(np.allclose(rel.coefs[-1], ols[1:]))
True
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse
import statsmodels.api as sm

from penstat._errors import SeparationWarning, warn_user
from penstat.family import saturated_loglik
from penstat.solver.path import Path
from penstat.solver.separation import binomial_null_fit

__all__ = ["GAMMA_FLOOR", "RELAX_GAMMAS", "RelaxedPath", "blend", "relax_path"]

#: glmnet's default grid of gamma (``cv.glmnet(relax = TRUE)``)
RELAX_GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0)
#: the smallest gamma blended (``blend.relaxed``'s ``epsilon``)
GAMMA_FLOOR = 1e-5


@dataclass(frozen=True, eq=False)
class RelaxedPath:
    """The unpenalized refits of a path, one per lambda.

    Attributes
    ----------
    path : Path
        The lasso (or elastic-net) path.
    intercepts : numpy.ndarray
        (nlam,) intercepts of the unpenalized refits.
    coefs : numpy.ndarray
        (nlam, p) coefficients of the refits (original scale; 0 off the active set).
    refitted : numpy.ndarray
        (nlam,) bool: whether the lambda's own active set was refitted (False: an
        empty active set, more than ``n - 3`` columns, or separated classes).
    skipped : str or None
        Why some active sets were not refitted (``"size"``, ``"separation"``,
        ``"failed"`` joined by ``", "``), or None.

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> X = np.random.default_rng(1).standard_normal((30, 3))
    >>> rel = relax_path(fit_path(X, X[:, 0] + 1.0, nlambda=5), X, X[:, 0] + 1.0)
    >>> rel.coefs.shape
    (5, 3)
    """

    path: Path
    intercepts: np.ndarray
    coefs: np.ndarray
    refitted: np.ndarray
    skipped: str | None = None

    def blend(self, gamma: float) -> tuple[np.ndarray, np.ndarray]:
        """Intercepts (nlam,) and coefficients (nlam, p) of the relaxed fit at
        ``gamma``: ``gamma`` times the path's plus ``1 - gamma`` times the refits'.

        Examples
        --------
        >>> from penstat.solver import fit_path
        >>> X = np.random.default_rng(1).standard_normal((30, 3))
        >>> path = fit_path(X, X[:, 0] + 1.0, nlambda=5)
        >>> rel = relax_path(path, X, X[:, 0] + 1.0)
        >>> bool(np.array_equal(rel.blend(1.0)[1], path.coefs))
        True
        """
        return blend(
            gamma, self.path.intercepts, self.path.coefs, self.intercepts, self.coefs
        )

    def at(self, lam, gamma: float) -> tuple[np.ndarray, np.ndarray]:
        """The relaxed intercept and coefficients at ``lam`` (scalar or array), linear
        in lambda between the path's lambdas (glmnet's ``predict(..., s, gamma)``).

        Examples
        --------
        >>> from penstat.solver import fit_path
        >>> X = np.random.default_rng(1).standard_normal((30, 3))
        >>> path = fit_path(X, X[:, 0] + 1.0, nlambda=5)
        >>> rel = relax_path(path, X, X[:, 0] + 1.0)
        >>> bool(np.allclose(rel.at(path.lambdas[2], 0.5)[1], rel.blend(0.5)[1][2]))
        True
        """
        b0, b = self.blend(gamma)
        blended = dataclasses.replace(self.path, intercepts=b0, coefs=b)
        return blended.coef_at(lam)


def blend(gamma: float, b0_lasso, b_lasso, b0_refit, b_refit):
    """``gamma * lasso + (1 - gamma) * refit`` for intercepts and coefficients
    (``gamma`` at least :data:`GAMMA_FLOOR`).

    Examples
    --------
    >>> blend(0.25, np.array([1.0]), np.array([[2.0]]), np.array([0.0]),
    ...       np.array([[4.0]]))[1].tolist()
    [[3.5]]
    """
    g = max(float(gamma), GAMMA_FLOOR)
    b0 = g * np.asarray(b0_lasso, dtype=float) + (1.0 - g) * np.asarray(b0_refit)
    b = g * np.asarray(b_lasso, dtype=float) + (1.0 - g) * np.asarray(b_refit)
    return b0, b


def relax_path(
    path: Path, X: np.ndarray, y: np.ndarray, rows: np.ndarray | None = None
) -> RelaxedPath:
    """The unpenalized refit of every lambda's active set of ``path`` (fitted on
    ``X``, ``y``); see the module's description.

    Parameters
    ----------
    path : Path
        Fitted on ``X``, ``y`` (its weights and offset are used).
    X, y : numpy.ndarray
        The checked arrays of the path.
    rows : numpy.ndarray, optional
        Integer positions (repeats allowed): ``path`` was fitted on the rows
        ``X[rows]`` (``y`` and the path's weights and offset are theirs). Each refit
        reads its active columns of those rows from ``X``; the rows are not copied.

    Returns
    -------
    RelaxedPath

    Examples
    --------
    >>> from penstat.solver import fit_path
    >>> X = np.random.default_rng(4).standard_normal((40, 3))
    >>> y = (X[:, 0] + np.random.default_rng(5).standard_normal(40) > 0) * 1.0
    >>> path = fit_path(X, y, family="binomial", nlambda=8)
    >>> bool(relax_path(path, X, y).refitted[-1])
    True
    """
    spec = path.spec
    n = y.shape[0]
    w = np.ones(n) if spec.weights is None else np.asarray(spec.weights, dtype=float)
    off = None if spec.offset is None else np.asarray(spec.offset, dtype=float)
    keep = w > 0
    positions = np.flatnonzero(keep) if rows is None else np.asarray(rows)[keep]
    return _relax_active_sets(
        path,
        n - 3,  # relax.glmnet's maxp
        lambda mask: _refit(
            _active_columns(X, positions, mask),
            y[keep],
            w[keep],
            None if off is None else off[keep],
            path.family,
            spec.fit_intercept,
        ),
    )


def _relax_active_sets(path: Path, maxp: int, refit) -> RelaxedPath:
    """The :class:`RelaxedPath` of ``path``: ``refit(mask)`` (an unpenalized refit
    of the active set ``mask``: ``(intercept, coefs)``, or a reason string when it
    fails) once per distinct active set of at most ``maxp`` columns, and
    relax.glmnet's extend rule for the lambdas without a refit. Shared by the
    in-memory refits and the refits from sufficient statistics."""
    coefs = np.asarray(path.coefs, dtype=float)
    nlam = coefs.shape[0]
    active = coefs != 0
    out_b0 = np.asarray(path.intercepts, dtype=float).copy()
    out_b = np.zeros_like(coefs)
    refitted = np.zeros(nlam, dtype=bool)
    have = np.zeros(nlam, dtype=bool)  # a refit of some active set is in place
    cache: dict[bytes, tuple[float, np.ndarray] | str] = {}
    reasons: list[str] = []
    for k in range(nlam):
        mask = active[k]
        if not mask.any():
            have[k] = True  # the intercept-only model: the lasso's own
            continue
        key = mask.tobytes()
        if key not in cache:
            cache[key] = "size" if mask.sum() > maxp else refit(mask)
        found = cache[key]
        if isinstance(found, str):
            if found not in reasons:
                reasons.append(found)
            continue
        out_b0[k] = found[0]
        out_b[k, mask] = found[1]
        refitted[k] = have[k] = True
    # blend.relaxed's extend rule: a lambda without a refit takes the refit of the
    # last lambda of the path that has one
    missing = ~have
    if missing.any():
        if have.any():
            last = int(np.flatnonzero(have)[-1])
            out_b0[missing], out_b[missing] = out_b0[last], out_b[last]
        else:
            out_b0[missing], out_b[missing] = path.intercepts[missing], coefs[missing]
    if reasons:
        _warn_skipped(reasons)
    return RelaxedPath(
        path=path,
        intercepts=out_b0,
        coefs=out_b,
        refitted=refitted,
        skipped=", ".join(reasons) if reasons else None,
    )


def _active_columns(X, positions, mask) -> np.ndarray:
    """The dense block of X at the row positions ``positions`` (repeats allowed) and
    the active columns ``mask`` (of a sparse X: only that block is made dense, for
    the unpenalized refit)."""
    if scipy.sparse.issparse(X):
        return X[:, np.flatnonzero(mask)][positions].toarray()
    return X[np.ix_(positions, np.flatnonzero(mask))]


def _refit(Xa, y, w, off, family: str, fit_intercept: bool):
    """(intercept, coefficients) of the unpenalized fit on the columns ``Xa``, or the
    reason it has none (``"separation"``, ``"failed"``)."""
    Z = sm.add_constant(Xa, has_constant="add") if fit_intercept else Xa
    if family == "gaussian":
        target = y if off is None else y - off
        res = sm.WLS(target, Z, weights=w).fit()
        beta = np.asarray(res.params, dtype=float)
    else:
        wn = w / w.sum()
        if binomial_null_fit(Xa, y, wn, fit_intercept, offset=off)[1] is not None:
            return "separation"
        model = sm.GLM(y, Z, family=sm.families.Binomial(), var_weights=w, offset=off)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = model.fit(tol=1e-13, maxiter=200)
        except (np.linalg.LinAlgError, ValueError):
            return "failed"
        beta = np.asarray(res.params, dtype=float)
        if not (res.converged and np.all(np.isfinite(beta))):
            return "failed"
    if not np.all(np.isfinite(beta)):
        return "failed"
    if fit_intercept:
        return float(beta[0]), beta[1:]
    return 0.0, beta


def _warn_skipped(reasons: list[str]) -> None:
    why = {
        "size": "has more than n - 3 columns (n the rows fitted)",
        "separation": "separates the classes (no finite unpenalized estimate exists)",
        "failed": "could not be fitted without a penalty",
    }
    text = "; or ".join(why[r] for r in reasons)
    category = SeparationWarning if "separation" in reasons else UserWarning
    warn_user(
        f"relaxed fit: at some lambdas the active set {text}; there the unpenalized "
        "part of the relaxed coefficients is the refit of the last lambda of the path "
        "that has one (glmnet's rule for large active sets). "
        "fit.relax.relaxed.refitted says which lambdas were refitted.",
        category,
    )


def deviance(family: str, y, w, eta) -> float:
    """The deviance of the linear predictor ``eta`` (offset included), with the
    weights as passed (as :attr:`Path.deviance`).

    Examples
    --------
    >>> deviance("gaussian", np.array([1.0, 2.0]), np.ones(2), np.zeros(2))
    5.0
    """
    if family == "gaussian":
        return float(w @ (y - eta) ** 2)
    loglik = y * eta - np.logaddexp(0.0, eta)
    return float(2.0 * (w @ (saturated_loglik(y) - loglik)))
