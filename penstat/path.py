"""Regularization paths on arrays: ``fit_path`` and the ``Path`` it returns.

``fit_path`` validates the arrays, standardizes one Fortran-ordered copy of ``X``
(weighted mean and 1/n weighted standard deviation, as glmnet), builds glmnet's
lambda grid, runs a compiled coordinate-descent kernel over it and returns the
coefficients on the original scale.

>>> import numpy as np
>>> from penstat.path import fit_path
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((50, 4))
>>> y = X[:, 0] - 2 * X[:, 1] + rng.standard_normal(50)
>>> path = fit_path(X, y, nlambda=20)
>>> path.coefs.shape  # glmnet's early stop ended the grid after 15 lambdas
(15, 4)
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from penstat._errors import (
    ArgumentError,
    ConvergenceWarning,
    DataError,
    SeparationWarning,
    warn_user,
)
from penstat.family import get_family
from penstat.penalty import Penalty

# glmnet's defaults for the computed grid and its early stop
LAMBDA_MIN_RATIO_TALL = 1e-4  # n >= p (glmnet: 1e-2 only when n < p)
LAMBDA_MIN_RATIO_WIDE = 1e-2  # n < p


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
    family, l1_ratio, penalty_factor (rescaled, as used), fit_intercept, standardize,
    column_names (None at the array level).
    has_offset : whether the fit had an ``offset``; :meth:`predict` then needs the
        offset of the new rows.
    lower_limits, upper_limits : (p,) limits of the coefficients (original scale,
        infinite where a side is free), or None for a fit without limits.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.5]])
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
    family: str
    l1_ratio: float
    penalty_factor: np.ndarray
    fit_intercept: bool
    standardize: bool
    column_names: tuple[str, ...] | None = None
    has_offset: bool = False
    lower_limits: np.ndarray | None = None
    upper_limits: np.ndarray | None = None

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
        >>> import numpy as np
        >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.5]])
        >>> path = fit_path(X, np.array([1.0, 0.0, 1.5, 2.0]), nlambda=5)
        >>> b0, b = path.coef_at(path.lambdas[2])
        >>> bool(np.allclose(b, path.coefs[2]))
        True
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

        Returns (n, nlam) for the whole path, (n,) for a scalar ``lam`` and (n, k)
        for k values of ``lam`` (interpolated with :meth:`coef_at`). A path fitted
        with an ``offset`` needs the offset of these rows (added to the linear
        predictor); one fitted without refuses it.

        Examples
        --------
        >>> import numpy as np
        >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.5]])
        >>> path = fit_path(X, np.array([1.0, 0.0, 1.5, 2.0]), nlambda=5)
        >>> path.predict(X).shape
        (4, 5)
        """
        if type not in ("link", "response"):
            raise ArgumentError(f"type must be 'link' or 'response', got {type!r}")
        X = _as_matrix(X, "X")
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
            off = _as_offset(offset, X.shape[0])
            eta = eta + (off[:, None] if eta.ndim == 2 else off)
        if type == "response":
            eta = get_family(self.family).linkinv(eta)
        return eta

    def to_frame(self):
        """One row per lambda: ``lam``, ``df``, ``dev_ratio``, ``deviance``, ``n_iter``,
        ``converged``, ``intercept`` and one column per coefficient.

        Examples
        --------
        >>> import numpy as np
        >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.5]])
        >>> fit_path(X, np.array([1.0, 0.0, 1.5, 2.0]), nlambda=3).to_frame().shape
        (3, 9)
        """
        import pandas as pd

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
        from penstat.plots.path import plot_path

        return plot_path(self, **kwargs)


def fit_path(
    X: Any,
    y: Any,
    family: str = "gaussian",
    l1_ratio: float = 1.0,
    lambdas: Any = None,
    nlambda: int = 100,
    lambda_min_ratio: float | None = None,
    penalty_factor: Any = None,
    weights: Any = None,
    standardize: bool = True,
    fit_intercept: bool = True,
    tol: float = 1e-7,
    max_iter: int = 100_000,
    offset: Any = None,
    lower_limits: Any = None,
    upper_limits: Any = None,
) -> Path:
    """Fit a lasso / ridge / elastic-net path (glmnet's objective and lambda grid).

    Minimizes, for every lambda,
    ``1/(2 sum w) sum w_i (y_i - b0 - x_i'b)^2`` (gaussian) or
    ``-1/(sum w) loglik`` (binomial) plus
    ``lam * sum_j f_j (l1_ratio |b_j| + (1 - l1_ratio)/2 b_j^2)``.
    The gaussian problem is solved, as in glmnet, for ``y`` scaled to unit weighted
    standard deviation (``sd_y``) with penalty ``lam / sd_y`` and mapped back, so
    results equal glmnet's number for number (for the lasso this is exactly the
    objective above; with an L2 part the ridge term is effectively divided by
    ``sd_y``, glmnet's convention).

    Parameters
    ----------
    X : (n, p) array of finite numbers. Not modified.
    y : (n,) response; 0/1 (or bool) for ``family="binomial"``. Not modified.
    family : ``"gaussian"`` or ``"binomial"``.
    l1_ratio : L1 / L2 mix in [0, 1]; 1 = lasso, 0 = ridge.
    lambdas : strictly decreasing non-negative penalties, fitted in full. Lambdas in
        any other order are refused (an ``ArgumentError`` says how to sort them),
        so that results always line up with the grid passed. None: glmnet's grid.
        A binomial grid ending at 0 (the maximum likelihood estimate) warns with a
        ``SeparationWarning`` when the columns separate the classes, since that
        estimate then does not exist.
    nlambda : size of the computed grid: ``nlambda`` values log-spaced from
        lambda_max (smallest lambda with all penalized coefficients 0; computed with
        ``max(l1_ratio, 1e-3)``) down to ``lambda_min_ratio * lambda_max``. The path
        stops early, as glmnet's, when the deviance ratio changes by less than 1e-5
        (relative) or exceeds 0.999.
    lambda_min_ratio : default 1e-4 if n >= p else 1e-2 (glmnet).
    penalty_factor : (p,) non-negative factors, rescaled to sum to p; 0 means
        unpenalized (always in the model). Unpenalized columns that, with the
        intercept, fit y exactly (gaussian) or separate its classes (binomial) are
        refused with an ``ArgumentError``: their coefficients would not be
        determined. When they separate only part of the observations by class
        (quasi-complete separation) a ``SeparationWarning`` says so: those
        coefficients have no finite estimate and are reported at a large value.
    weights : (n,) non-negative observation weights, not all zero; default ones.
    offset : (n,) finite numbers added to each row's linear predictor with a fixed
        coefficient of 1 (glmnet's ``offset``): the gaussian fit is of
        ``y - offset``; the binomial one adds it to the log-odds (a known log odds
        ratio, or the predictions of another model). The null model and lambda_max
        include it. :meth:`Path.predict` then needs the offset of the new rows.
    lower_limits, upper_limits : limits of the coefficients on the original scale of
        ``X`` (glmnet's ``lower.limits`` / ``upper.limits``): one number for every
        column or one per column; ``-np.inf`` / ``np.inf`` leave a side free.
        ``lower_limits <= 0 <= upper_limits``, so that 0 stays feasible and the lasso
        grid keeps its meaning; ``lower_limits=0`` gives a non-negative (positive)
        lasso. Columns with ``penalty_factor`` 0 cannot take finite limits. Each
        coordinate update is clipped to its limits, as in glmnet; the grid's
        lambda_max is computed without them, as glmnet's, so the first lambdas may
        all give the null model. With limits the early stop keeps only its
        deviance-ratio rule (> 0.999): the deviance can stay flat over part of the
        grid and move again. (glmnet drops the other rule only when a limit is 0.)
    standardize : scale columns to unit weighted variance (1/n) inside the fit;
        coefficients are always reported on the original scale.
    fit_intercept : fit an unpenalized intercept. Without it, as glmnet, columns are
        not centred but still scaled by their centred weighted standard deviation,
        and a gaussian ``y`` is scaled by its uncentred weighted root mean square.
    tol : convergence tolerance. Gaussian: at every lambda coordinate descent stops
        when no coordinate step of a sweep has ``v_j * db_j**2`` (``v_j`` the weighted
        squared norm of the scaled column) above ``1e-5 * tol`` times the smallest
        residual sum of squares reached so far on the path (the null deviance at the
        first lambda), and no column violates its KKT condition.
        This is glmnet's criterion, 1e-5 times tighter; it is a heuristic, chosen so
        that at the default every objective was within 1e-6 (relative) of the
        optimum on every problem of the benchmark grid (see ``docs/solver.md``).
        On most lambdas an exact solve on the support ends the iterations earlier
        with the solution to round-off. Binomial: the same kind of coordinate-change
        test on each Newton step (see ``penstat/_cd/_binomial.pyx``).
    max_iter : maximum coordinate sweeps per lambda; a ``ConvergenceWarning`` is
        issued when it is reached (``Path.converged`` tells where).

    Returns
    -------
    Path

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> X = rng.standard_normal((100, 5))
    >>> y = 2 * X[:, 0] + rng.standard_normal(100)
    >>> path = fit_path(X, y, l1_ratio=0.5, nlambda=10)
    >>> int(path.df[0]), int(path.df[-1])
    (0, 5)
    """
    return _fit_path(
        X,
        y,
        family=family,
        l1_ratio=l1_ratio,
        lambdas=lambdas,
        nlambda=nlambda,
        lambda_min_ratio=lambda_min_ratio,
        penalty_factor=penalty_factor,
        weights=weights,
        standardize=standardize,
        fit_intercept=fit_intercept,
        tol=tol,
        max_iter=max_iter,
        offset=offset,
        lower_limits=lower_limits,
        upper_limits=upper_limits,
    )


def _fit_path(
    X,
    y,
    *,
    family,
    l1_ratio,
    lambdas,
    nlambda,
    lambda_min_ratio,
    penalty_factor,
    weights,
    standardize,
    fit_intercept,
    tol,
    max_iter,
    offset=None,
    cut_grid=None,
    lower_limits=None,
    upper_limits=None,
) -> Path:
    """:func:`fit_path`; ``cut_grid``, when given with ``lambdas=None``, maps the
    default grid (original scale) to the grid fitted, in full (no early stop)."""
    fam = get_family(family)
    Xa = _as_matrix(X, "X")
    n, p = Xa.shape
    if n == 0 or p == 0:
        raise DataError(f"X needs at least one row and one column, got shape {Xa.shape}")
    ya = _as_response(y, n, fam.name)
    w = _as_weights(weights, n)
    off = None if offset is None else _as_offset(offset, n)
    penalty = Penalty(l1_ratio, penalty_factor)
    pf = penalty.factors(p)
    limits = _as_limits(lower_limits, upper_limits, p, pf)
    tol = _positive_number(tol, "tol")
    max_iter = _positive_int(max_iter, "max_iter")
    standardize = bool(standardize)
    fit_intercept = bool(fit_intercept)

    if fam.name == "binomial":
        _check_two_classes(ya, w)

    # --- one standardized Fortran copy of X ---------------------------------------
    sw = float(w.sum())
    wn = w / sw
    # glmnet scales by the centred weighted sd, also when no intercept is fitted
    mean = wn @ Xa
    Xs = np.empty((n, p), order="F")
    np.subtract(Xa, mean, out=Xs)
    constant = _constant_columns(Xa, w)
    xs = np.sqrt(np.einsum("i,ij,ij->j", wn, Xs, Xs)) if standardize else np.ones(p)
    if fit_intercept:
        xm = mean
    else:
        xm = np.zeros(p)
        Xs += mean
    xs[constant | (xs <= 0)] = 1.0
    if standardize:
        Xs /= xs
    if constant.any():
        Xs[:, constant] = 0.0

    if fam.name == "gaussian":
        if off is not None:
            # y - offset is the response (glmnet); ya is a new array, y is untouched
            ya = ya - off
        ym = float(wn @ ya) if fit_intercept else 0.0
        ys = float(np.sqrt(wn @ (ya - ym) ** 2))
        if not ys > 0:
            ys = 1.0
        yk = (ya - ym) / ys
        lam_scale = ys
    else:
        ym, ys = 0.0, 1.0
        yk = np.ascontiguousarray(ya)
        lam_scale = 1.0

    # --- lambda grid ---------------------------------------------------------------
    early_stop = lambdas is None and cut_grid is None
    starts_at_max = lambdas is None
    if lambdas is None or not pf.all():
        null_resid = _null_residual(Xs, yk, wn, pf, fam.name, fit_intercept, off)
    if lambdas is None:
        lam_max = _lambda_max(Xs, null_resid, wn, pf, penalty)
        if not lam_max > 0:
            # nothing to select (e.g. y constant): any grid gives the null model
            lam_max = 1.0
        lams_orig = lambda_grid(lam_max, nlambda, lambda_min_ratio, n, p) * lam_scale
        if cut_grid is not None:
            cut = np.asarray(cut_grid(lams_orig), float)
            starts_at_max = cut[0] == lams_orig[0]
            lams_orig = cut
    else:
        lams_orig = _as_lambdas(lambdas)
    lams_k = np.ascontiguousarray(lams_orig / lam_scale)
    if starts_at_max:
        # lambda_max zeroes every penalized coefficient exactly. The solution is the
        # same at every lam >= lambda_max, so the kernel is given a slightly larger
        # one: round-off in lam * l1_ratio * pf, and the solver's own tolerance on the
        # unpenalized coefficients that set the gradient, cannot let one through.
        lams_k[0] *= 1.0 + 1e-6

    # --- kernel ------------------------------------------------------------------------
    nlam = lams_k.size
    coefs = np.zeros((nlam, p))
    b0 = np.zeros(nlam)
    dev = np.zeros(nlam)
    n_iter = np.zeros(nlam, dtype=np.int32)
    conv = np.zeros(nlam, dtype=np.uint8)
    kernel = _kernel(fam.name)
    extra = {} if off is None or fam.name == "gaussian" else {"offset": off}
    if limits is not None:
        # on the kernel's scale: coefficients there are b * xs / ys
        extra["lower"] = np.ascontiguousarray(limits[0] * (xs / ys))
        extra["upper"] = np.ascontiguousarray(limits[1] * (xs / ys))
        # With limits the deviance can stay flat over a stretch of the grid (the
        # first lambdas when lambda_max, computed without limits, is too large; or
        # every column in the model held at a limit) and then move again, so only
        # the deviance-ratio part of the early stop is kept. glmnet does this
        # (fdev = 0) only when a limit is 0, and otherwise can stop a path after a
        # few lambdas at the null model or at the limits.
        extra["stop_on_change"] = False
    n_fit = int(
        kernel(
            Xs,
            np.ascontiguousarray(yk, dtype=float),
            np.ascontiguousarray(wn),
            np.ascontiguousarray(pf),
            penalty.l1_ratio,
            lams_k,
            fit_intercept,
            early_stop,
            tol,
            max_iter,
            coefs,
            b0,
            dev,
            n_iter,
            conv,
            **extra,
        )
    )
    del Xs

    # --- back to the original scale ---------------------------------------------
    coefs_k = coefs
    coefs = coefs[:n_fit] * (ys / xs)
    coefs[:, constant] = 0.0
    if limits is not None:
        # a coefficient at its limit in the kernel is reported at exactly that
        # limit (the scale change would move it by an ulp or two)
        lo_k, hi_k = extra["lower"], extra["upper"]
        kern = coefs_k[:n_fit]
        coefs = np.where((kern == lo_k) & (lo_k != 0), limits[0], coefs)
        coefs = np.where((kern == hi_k) & (hi_k != 0), limits[1], coefs)
        np.clip(coefs, limits[0], limits[1], out=coefs)
    if fit_intercept:
        intercepts = ym + ys * b0[:n_fit] - coefs @ xm
    else:
        intercepts = np.zeros(n_fit)
    if fam.name == "gaussian":
        deviance = dev[:n_fit] * (ys * ys * sw)
        null_dev = float(w @ (ya - ym) ** 2)
    else:
        deviance = dev[:n_fit] * sw
        if off is None:
            mu0 = float(wn @ ya) if fit_intercept else 0.5
            null_dev = fam.deviance(ya, np.full(n, mu0), w)
        else:
            # from the linear predictor: an offset can put a row's probability beyond
            # the clip of fam.deviance (|eta| > 35), where only eta gives its deviance
            none = np.zeros((n, 0))
            eta0 = _binomial_null_fit(none, ya, wn, fit_intercept, offset=off)[0]
            null_dev = fam.deviance_from_eta(ya, eta0, w)
    dev_ratio = 1.0 - deviance / null_dev if null_dev > 0 else np.zeros(n_fit)
    converged = conv[:n_fit].astype(bool)
    if fam.name == "binomial" and n_fit == nlam and lams_orig[-1] == 0.0:
        # centred as for the fit (xm: the weighted means, 0 without intercept), so that
        # a large offset (dates as seconds) cannot hide a separating direction in
        # round-off; constant columns keep coefficient 0
        keep = ~constant
        b = coefs[-1, keep]
        _warn_if_separated_at_zero(
            Xa[:, keep] - xm[keep],
            yk,
            wn,
            intercepts[-1] + xm[keep] @ b,
            b,
            fit_intercept,
            off,
            None if limits is None else (limits[0][keep], limits[1][keep]),
        )
    if not converged.all():
        bad = np.flatnonzero(~converged)
        warn_user(
            f"the solver reached max_iter={max_iter} sweeps before tol={tol:g} at "
            f"{bad.size} of {n_fit} lambdas (first at lambda={lams_orig[bad[0]]:.4g}); "
            "increase max_iter or tol",
            ConvergenceWarning,
        )
    return Path(
        lambdas=lams_orig[:n_fit].copy(),
        intercepts=intercepts,
        coefs=coefs,
        df=np.count_nonzero(coefs, axis=1),
        dev_ratio=dev_ratio,
        deviance=deviance,
        null_deviance=null_dev,
        n_iter=n_iter[:n_fit].astype(np.int64),
        converged=converged,
        family=fam.name,
        l1_ratio=penalty.l1_ratio,
        penalty_factor=pf,
        fit_intercept=fit_intercept,
        standardize=standardize,
        has_offset=off is not None,
        lower_limits=None if limits is None else limits[0],
        upper_limits=None if limits is None else limits[1],
    )


def lambda_grid(lam_max: float, nlambda: Any, lambda_min_ratio: Any, n: int, p: int):
    """glmnet's default grid: ``nlambda`` values log-spaced from ``lam_max`` down to
    ``lambda_min_ratio * lam_max`` (None: 1e-4 when n >= p, else 1e-2).

    Examples
    --------
    >>> lambda_grid(1.0, 3, 0.01, 10, 5).tolist()
    [1.0, 0.1, 0.01]
    """
    nlambda = _positive_int(nlambda, "nlambda")
    ratio = lambda_min_ratio
    if ratio is None:
        ratio = LAMBDA_MIN_RATIO_TALL if n >= p else LAMBDA_MIN_RATIO_WIDE
    ratio = _positive_number(ratio, "lambda_min_ratio")
    if ratio >= 1:
        raise ArgumentError(f"lambda_min_ratio={lambda_min_ratio!r} must be in (0, 1)")
    if nlambda == 1:
        return np.array([lam_max])
    return lam_max * ratio ** (np.arange(nlambda) / (nlambda - 1))


# --- helpers ---------------------------------------------------------------------------


def _kernel(family: str):
    if family == "gaussian":
        from penstat._cd._gaussian import gaussian_path

        return gaussian_path
    try:
        from penstat._cd._binomial import binomial_path
    except ImportError as exc:
        raise NotImplementedError(
            "family='binomial': the binomial kernel is not available in this build"
        ) from exc
    return binomial_path


def _null_residual(Xs, yk, wn, pf, family: str, fit_intercept: bool, offset=None):
    """y minus the fit of the null model: the intercept and the unpenalized columns
    (pf == 0), least squares or logistic (standardized scale); a binomial ``offset``
    is part of its linear predictor (a gaussian one is already subtracted from yk).

    Raises an ``ArgumentError`` when unpenalized columns fit y exactly (gaussian) or
    separate its classes (binomial) while the intercept alone does not: the penalized
    columns then have nothing left to explain, the unpenalized coefficients are not
    determined (or infinite), and coordinate descent would only crawl along them.
    """
    unpen = np.flatnonzero(pf == 0)
    Xu = Xs[:, unpen]
    if family == "gaussian":
        resid = yk - (wn @ yk if fit_intercept else 0.0)
        if unpen.size:
            spread = float(wn @ resid**2)
            sq = np.sqrt(wn)
            beta = np.linalg.lstsq(Xu * sq[:, None], resid * sq, rcond=None)[0]
            resid = resid - Xu @ beta
            exact = spread > 0 and float(wn @ resid**2) <= 1e-20 * spread
    else:
        from scipy.special import expit

        eta, separation = _binomial_null_fit(Xu, yk, wn, fit_intercept, offset=offset)
        resid = yk - expit(eta)
        exact = separation == "complete"
        if separation == "quasi":
            warn_user(
                f"penalty_factor: the unpenalized columns (penalty_factor 0)"
                f"{' with the intercept' if fit_intercept else ''} separate the two "
                "classes on part of the observations, the rest tie (quasi-complete "
                "separation, as from an unpenalized factor level whose observations "
                "all have one class): those coefficients have no finite estimate and "
                "are reported at a large value set by tol; the other coefficients fit "
                "the tied observations. Give those columns a positive penalty_factor "
                "for finite estimates",
                SeparationWarning,
            )
    if unpen.size and exact:
        what = "fit y exactly" if family == "gaussian" else "separate the two classes"
        raise ArgumentError(
            f"penalty_factor: the {unpen.size} unpenalized columns (penalty_factor 0)"
            f"{' with the intercept' if fit_intercept else ''} {what} on the "
            f"{int(np.count_nonzero(wn))} observations with positive weight, so the "
            "penalized columns have nothing left to explain and the unpenalized "
            "coefficients are not determined; give fewer columns penalty_factor 0 "
            "(far fewer than there are observations)"
        )
    return resid


def _lambda_max(Xs, resid, wn, pf, penalty: Penalty):
    """Smallest lambda with every penalized coefficient at 0 (standardized scale):
    the gradient of the loss at the null model (``resid`` from `_null_residual`),
    divided by pf_j and max(l1_ratio, 1e-3).
    """
    grad = np.abs(Xs.T @ (wn * resid))
    penalized = pf > 0
    return float(np.max(grad[penalized] / pf[penalized])) / penalty.lambda_max_divisor


def _binomial_null_fit(
    Xu, y, wn, fit_intercept: bool, n_steps: int = 100, start=None, offset=None
):
    """Linear predictor of the logistic model fitted on the intercept and ``Xu``
    (plus ``offset``, a fixed part of it), and
    whether its columns separate the classes among rows of positive weight: None,
    "complete" or "quasi" (ordered with ties); with either no finite maximum exists.
    Newton steps (from the intercept-only fit, or ``start``: the intercept, if any,
    then the coefficients) are halved until the loss decreases, so that under
    separation the iterates move toward a separating direction; they stop at the
    first linear predictor that orders the classes strictly (with the intercept;
    without it, that has their signs), which proves complete separation (the
    offset left out: it is finite and cannot separate anything)."""
    from scipy.special import expit

    cols = [np.ones(y.size)] if fit_intercept else []
    Z = np.column_stack(cols + [Xu]) if (cols or Xu.shape[1]) else np.zeros((y.size, 0))
    off = np.zeros(y.size) if offset is None else offset
    if Z.shape[1] == 0:
        return off.copy(), None
    pos = wn > 0
    ones, zeros = pos & (y == 1), pos & (y == 0)

    def loss(eta):
        return float(wn @ (np.logaddexp(0.0, eta) - y * eta))

    def separates(eta):
        lo, hi = eta[ones].min(), eta[zeros].max()
        return lo > hi if fit_intercept else (lo > 0 and hi < 0)

    beta = np.zeros(Z.shape[1])
    if start is not None:
        beta[:] = start
    elif fit_intercept:
        ybar = float(wn @ y)
        beta[0] = np.log(ybar / (1.0 - ybar))
    eta = off + Z @ beta
    f = loss(eta)
    done, moved = False, np.inf
    for _ in range(n_steps):
        mu = expit(eta)
        v = np.maximum(mu * (1 - mu), 1e-10) * wn
        step = np.linalg.lstsq(Z.T @ (v[:, None] * Z), Z.T @ (wn * (y - mu)), rcond=None)[0]
        t = 1.0
        for _ in range(40):
            eta_new = off + Z @ (beta + t * step)
            f_new = loss(eta_new)
            if f_new <= f:
                break
            t *= 0.5
        else:
            break
        moved = float(np.max(np.abs(eta_new[pos] - eta[pos])))
        beta, eta = beta + t * step, eta_new
        if separates(eta - off):
            return eta, "complete"
        done = f - f_new <= 1e-15 * f
        f = f_new
        if done:
            break
    # Quasi-complete separation (classes ordered with ties) drives the iterates off to
    # infinity more slowly. Newton converges quadratically to a finite maximum, so its
    # last step is tiny there; under separation every step still moves the linear
    # predictor by about 1 on the separated rows, and the loss stops decreasing
    # measurably before their margins are large (one such row in 20000). A step that
    # still moves, no convergence, or a row fitted almost perfectly (which a finite
    # maximum can also give) sends the question to the exact check.
    sign = np.where(y == 1, 1.0, -1.0)
    margin = float(np.max(sign[pos] * (eta[pos] - off[pos])))
    suspicious = not done or moved > 1e-3 or margin > 25.0
    return eta, (_separation(Z[pos], sign[pos]) if suspicious else None)


def _warn_if_separated_at_zero(
    X, y, wn, intercept, coef, fit_intercept: bool, offset=None, limits=None
) -> None:
    """At lambda = 0 the binomial fit is the maximum likelihood estimate, which does
    not exist when the columns separate the classes (generically so when there are
    at least as many columns as observations). Newton steps from the solver's
    solution (``intercept`` and ``coef`` for the columns ``X`` as given) tell
    (`_binomial_null_fit`): a finite maximum stops them at once. With coefficient
    ``limits`` the estimate is taken over the box and fails to exist only along a
    separating direction the box leaves open (a column with both limits finite
    cannot move far; one with only a lower limit only upward): the linear programs
    decide, over those directions."""
    pos = wn > 0
    start = np.r_[intercept, coef] if fit_intercept else coef
    if limits is not None or X.shape[1] + fit_intercept >= np.count_nonzero(pos):
        # Newton's k x k systems would be the cost here; the programs are cheap
        Z = np.column_stack([np.ones(y.size), X]) if fit_intercept else X
        directions = None
        if limits is not None:
            lo = np.where(np.isfinite(limits[0]), 0.0, -1.0)
            hi = np.where(np.isfinite(limits[1]), 0.0, 1.0)
            directions = np.column_stack([lo, hi])
            if fit_intercept:
                directions = np.vstack([[-1.0, 1.0], directions])
        separation = _separation(Z[pos], np.where(y[pos] == 1, 1.0, -1.0), directions)
    else:
        fit = _binomial_null_fit(X, y, wn, fit_intercept, start=start, offset=offset)
        separation = fit[1]
    if separation is None:
        return
    how = "completely" if separation == "complete" else "on part of the observations"
    warn_user(
        f"lambdas: at lambda=0 the fit is unpenalized, and the columns separate the "
        f"two classes {how}: the maximum likelihood estimate does not exist, and the "
        "coefficients reported at lambda=0 are wherever the solver stopped (they grow "
        "with max_iter and a smaller tol). Make the smallest lambda positive",
        SeparationWarning,
    )


def _separation(Z: np.ndarray, sign: np.ndarray, directions=None) -> str | None:
    """Whether some d gives ``sign_i z_i'd >= 0`` for every row, with at least one
    strict: "complete" when some d makes all strict, "quasi" otherwise, None when no
    such d exists (Albert & Anderson 1984). Decided by linear programs (Konis 2007):
    maximize ``sum_i sign_i z_i'd`` over the box ``|d_j| <= 1`` (columns scaled to
    unit maximum), then, if positive, the smallest margin; each solution is checked
    in floating point before it counts. ``directions``: (k, 2) bounds of d_j within
    [-1, 1] (e.g. [0, 1] for a coefficient with only a lower limit), default all
    [-1, 1]."""
    from scipy.optimize import linprog

    scale = np.max(np.abs(Z), axis=0)
    keep = scale > 0
    if directions is not None:
        keep &= directions[:, 0] < directions[:, 1]
    A = sign[:, None] * (Z[:, keep] / scale[keep])
    if A.shape[1] == 0:
        return None
    box = [(-1.0, 1.0)] * A.shape[1]
    if directions is not None:
        box = [(float(a), float(b)) for a, b in directions[keep]]
    res = linprog(-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(A.shape[0]), bounds=box)
    if res.status != 0 or res.x is None:
        return None
    # margins are at most the number of columns; a few times k * 1e-16 they are
    # round-off of a direction in the null space of Z (duplicated columns)
    margin = A @ res.x
    top = float(np.max(margin))
    if top <= 1e-12 * A.shape[1] or np.any(margin < -1e-9 * top):
        return None
    # complete when some d has every margin positive: maximize the smallest margin t
    m, k = A.shape
    res = linprog(
        np.r_[np.zeros(k), -1.0],
        A_ub=np.c_[-A, np.ones(m)],
        b_ub=np.zeros(m),
        bounds=box + [(None, 1)],
    )
    if res.status == 0 and res.x is not None:
        margin = A @ res.x[:k]
        if np.min(margin) > 1e-9 * float(np.max(np.abs(margin))) > 0:
            return "complete"
    return "quasi"


def _constant_columns(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    rows = X if np.all(w > 0) else X[w > 0]
    return np.ptp(rows, axis=0) == 0


def _as_matrix(X: Any, name: str) -> np.ndarray:
    if hasattr(X, "toarray") and not isinstance(X, np.ndarray):
        raise ArgumentError(f"{name} is a sparse matrix; pass a dense array (X.toarray())")
    try:
        Xa = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be a numeric 2-D array: {exc}") from exc
    if Xa.ndim != 2:
        raise DataError(f"{name} must be 2-dimensional (n, p), got shape {Xa.shape}")
    if not np.all(np.isfinite(Xa)):
        bad = np.argwhere(~np.isfinite(Xa))[0]
        raise DataError(
            f"{name} contains NaN or inf (first at row {bad[0]}, column {bad[1]}); "
            "remove or impute those values"
        )
    return Xa


def _as_response(y: Any, n: int, family: str) -> np.ndarray:
    try:
        ya = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"y must be a numeric 1-D array: {exc}") from exc
    if ya.ndim == 2 and ya.shape[1] == 1:
        ya = ya[:, 0]
    if ya.ndim != 1:
        raise DataError(f"y must be 1-dimensional, got shape {ya.shape}")
    if ya.shape[0] != n:
        raise DataError(f"y has {ya.shape[0]} values but X has {n} rows; they must match")
    if not np.all(np.isfinite(ya)):
        raise DataError(
            f"y contains NaN or inf (first at row {int(np.argmin(np.isfinite(ya)))}); "
            "remove those rows"
        )
    if family == "binomial" and not np.all((ya == 0) | (ya == 1)):
        bad = ya[(ya != 0) & (ya != 1)][0]
        raise DataError(
            f"y must be 0/1 for family='binomial', found {bad:g}; recode the response "
            "as 0 and 1"
        )
    return ya


def _check_two_classes(y: np.ndarray, w: np.ndarray) -> None:
    seen = y[w > 0]
    if np.all(seen == seen[0]):
        raise DataError(
            f"y has only one class ({seen[0]:g}) among rows with positive weight; "
            "family='binomial' needs both 0 and 1"
        )


def _as_weights(weights: Any, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = _row_values(weights, n, "weights")
    if not np.all(np.isfinite(w)):
        raise DataError("weights contain NaN or inf; use finite non-negative weights")
    if np.any(w < 0):
        raise DataError(
            f"weights must be non-negative, found {w.min():g} at row {int(np.argmin(w))}"
        )
    if not np.any(w > 0):
        raise DataError("weights are all zero; at least one row needs a positive weight")
    return w


def _row_values(values: Any, n: int, name: str) -> np.ndarray:
    """``values`` as n floats, one per row (weights, offset), else a DataError."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be numeric: {exc}") from exc
    if arr.ndim != 1 or arr.shape[0] != n:
        raise DataError(f"{name} must have shape ({n},) like y, got {arr.shape}")
    return arr


def _as_limits(lower: Any, upper: Any, p: int, pf: np.ndarray):
    """(lower, upper) as (p,) arrays, or None when neither limits anything."""
    if lower is None and upper is None:
        return None
    out = []
    for value, name, side in ((lower, "lower_limits", -1.0), (upper, "upper_limits", 1.0)):
        if value is None:
            out.append(np.full(p, side * np.inf))
            continue
        try:
            arr = np.array(value, dtype=float)
        except (TypeError, ValueError):
            raise ArgumentError(
                f"{name} must be a number or one number per column"
            ) from None
        if arr.ndim == 0:
            arr = np.full(p, float(arr))
        if arr.shape != (p,):
            raise ArgumentError(
                f"{name} has shape {arr.shape}; give one number, or one per column "
                f"of X ({p})"
            )
        if np.isnan(arr).any():
            j = int(np.flatnonzero(np.isnan(arr))[0])
            raise ArgumentError(
                f"{name} has NaN at column {j}; use -inf / inf for no limit"
            )
        bad = np.flatnonzero(side * arr < 0)
        if bad.size:
            word = "<= 0" if side < 0 else ">= 0"
            raise ArgumentError(
                f"{name}[{int(bad[0])}]={float(arr[bad[0]])!r}: limits must be {word} "
                "(as glmnet's), "
                "so that a coefficient of 0 stays allowed; use -inf / inf for no limit"
            )
        out.append(arr)
    lo, hi = out
    if np.isinf(lo).all() and np.isinf(hi).all():
        return None
    bound_free = np.flatnonzero((pf == 0) & (np.isfinite(lo) | np.isfinite(hi)))
    if bound_free.size:
        j = int(bound_free[0])
        name = "lower_limits" if np.isfinite(lo[j]) else "upper_limits"
        raise ArgumentError(
            f"{name}[{j}]: column {j} is unpenalized (penalty_factor 0) and has a finite "
            "limit; limits apply to penalized columns only: give -inf / inf there"
        )
    return lo, hi


def _as_offset(offset: Any, n: int) -> np.ndarray:
    off = _row_values(offset, n, "offset")
    if not np.all(np.isfinite(off)):
        bad = int(np.flatnonzero(~np.isfinite(off))[0])
        raise DataError(
            f"offset contains NaN or inf (first at row {bad}); it must be finite"
        )
    return off


def _as_lambdas(lambdas: Any) -> np.ndarray:
    try:
        lam = np.array(lambdas, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"lambdas must be a sequence of numbers: {exc}") from exc
    if lam.size == 0:
        raise ArgumentError("lambdas is empty; give at least one value or None")
    if not np.all(np.isfinite(lam)):
        raise ArgumentError("lambdas contain NaN or inf")
    if np.any(lam < 0):
        raise ArgumentError(f"lambdas must be non-negative, found {lam.min():g}")
    if lam.size > 1 and not np.all(np.diff(lam) < 0):
        raise ArgumentError(
            "lambdas must be strictly decreasing (warm starts run from large to small); "
            "pass np.unique(lambdas)[::-1]"
        )
    return lam


def _positive_number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentError(f"{name}={value!r} must be a number > 0")
    value = float(value)
    if not (value > 0 and np.isfinite(value)):
        raise ArgumentError(f"{name}={value!r} must be a positive finite number")
    return value


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ArgumentError(f"{name}={value!r} must be a positive integer")
    return int(value)
