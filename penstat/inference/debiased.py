"""The de-sparsified (debiased) lasso: :func:`run_debiased` (``method="debiased"``).

Zhang & Zhang (2014), "Confidence intervals for low dimensional parameters in high
dimensional linear models", JRSS-B 76, 217-242; van de Geer, Bühlmann, Ritov &
Dezeure (2014), "On asymptotically optimal confidence regions and tests for
high-dimensional models", Ann. Statist. 42(3), 1166-1202.

The fit's coefficients ``beta`` are corrected by one step along an approximate
inverse ``Theta`` of the (weighted) Gram matrix, built from nodewise lasso
regressions of every column on the others:
``b = beta + Theta X' W r / n`` (van de Geer et al. eq. 5), with standard errors
``sigma sqrt((Theta Sigma_hat Theta')_jj / n)``. Written with the nodewise residuals
``Z_j = X_j - X_-j gamma_j``, scaled so that ``Z_j' X_j / n = 1`` (so ``Theta_j X' =
Z_j'``, hdi's ``lasso.proj``), this is ``b_j = beta_j + Z_j' r / n`` and
``se_j = sigma ||Z_j|| / n``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from penstat._errors import ArgumentError
from penstat._runner import run_tasks
from penstat._validation import seed_sequence
from penstat.engine import run
from penstat.inference.request import InferenceRequest
from penstat.inference.result import InferenceResult
from penstat.inference.run import RUNNERS
from penstat.inference.sigma import estimate_sigma
from penstat.solver import solve
from penstat.spec import FitSpec, SelectSpec

__all__ = ["nodewise_lambda", "nodewise_residuals", "run_debiased"]

#: Nodewise regressions cross-validated to choose their shared lambda (all when p is
#: at most this).
CV_NODES = 50
#: Folds of that cross-validation (hdi's K).
CV_FOLDS = 10
#: Size of its geometric lambda grid.
CV_GRID = 30
#: Points of the path each final nodewise fit follows down to the shared lambda.
PATH_POINTS = 20


def run_debiased(
    fit: Any, request: InferenceRequest, nodewise_lam: float | None = None
) -> InferenceResult:
    """De-sparsified lasso estimates, normal intervals and p-values for every column
    (``method="debiased"``).

    The fit's own coefficients (at ``request.lam`` when given, else the fit's
    lambda) are the initial estimate. The design is centred (weighted, when the fit
    has an intercept) and multiplied by the square root of the weights: the
    observation weights (gaussian), or ``w pi (1 - pi)`` at the fit (binomial, van
    de Geer et al. section 3), and each column is scaled to unit mean square. Every
    column is regressed on the others by the lasso (penstat's solver, no intercept:
    the centred columns are orthogonal to it) at one shared lambda, the
    10-fold cross-validation minimum of the prediction error pooled over the
    nodewise regressions (hdi's ``lambda.min``; :func:`nodewise_lambda`). The
    residuals give the correction and the standard errors
    (:func:`nodewise_residuals`).

    Gaussian: ``sigma`` is ``request.sigma`` or
    :func:`~penstat.inference.estimate_sigma`. Binomial: ``sigma = 1`` and the
    residual is the score ``w (y - pi) / sqrt(w pi (1 - pi))``; the result is
    asymptotic and labelled approximate. Intervals are ``b +- z se``; p-values test
    ``beta_j = 0`` (two-sided, or one-sided in the direction of ``b_j``'s sign);
    ``p_adjusted`` is Holm's adjustment over all columns.

    Parameters
    ----------
    fit : PenalizedFit
    request : InferenceRequest
    nodewise_lam : float, optional
        A fixed shared lambda for the nodewise regressions (on the unit-scaled
        columns) instead of the cross-validated one.

    Returns
    -------
    InferenceResult
        ``details``: ``nodewise_lam`` (the shared lambda, on the unit-scaled
        columns), ``nodewise_cv`` (its CV table), ``initial`` (the fit's
        coefficients), ``tau2`` (the nodewise ``Z_j' X_j / n`` before scaling).

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp + s5 + age", ps.datasets.load("diabetes"),
    ...                select="bic")
    >>> res = fit.inference("debiased", seed=0, progress=False)
    >>> res.approximate, bool(res.table.loc["bmi", "p_value"] < 1e-10)
    (True, True)
    """
    design = fit.design
    X = np.asarray(design.X, dtype=float)
    y = np.asarray(design.y, dtype=float)
    n, p = X.shape
    spec = fit.spec
    family = spec.family
    lam = fit.lam if request.lam is None else request.lam
    intercept, beta = _initial(fit, request.lam)
    w = np.ones(n) if spec.weights is None else np.asarray(spec.weights, dtype=float)
    eta = intercept + X @ beta
    if spec.offset is not None:
        eta = eta + np.asarray(spec.offset)
    if family == "gaussian":
        W = w.copy()
        if request.sigma is not None:
            sigma, sigma_method = float(request.sigma), "given"
        else:
            sigma, sigma_method = estimate_sigma(fit, seed=request.seed)
    else:
        mu = expit(eta)
        W = w * mu * (1.0 - mu)
        sigma, sigma_method = 1.0, None
    live = W > 0
    root = np.sqrt(W)
    resid = np.zeros(n)
    if family == "gaussian":
        resid[live] = root[live] * (y - eta)[live]
    else:
        resid[live] = (w * (y - mu))[live] / root[live]
    Xt = X - (W @ X) / W.sum() if spec.fit_intercept else X.copy()
    Xt *= root[:, None]
    scale = np.sqrt(np.mean(Xt * Xt, axis=0))
    constant = scale <= 1e-12 * max(1.0, float(np.max(np.abs(X))))
    keep = np.flatnonzero(~constant)
    if keep.size == 0:
        raise ArgumentError("method='debiased' needs a column that is not constant")
    Xs = np.asfortranarray(Xt[:, keep] / scale[keep])

    seq = seed_sequence(request.seed)
    (cv_seed,) = seq.spawn(1)
    if nodewise_lam is None:
        node_lam, cv_table = nodewise_lambda(
            Xs, seed=cv_seed, n_jobs=request.n_jobs, progress=request.progress
        )
        how = "10-fold CV minimum, pooled over the nodewise regressions"
    else:
        node_lam, cv_table, how = float(nodewise_lam), None, "given"
    Z, tau2 = nodewise_residuals(
        Xs, node_lam, n_jobs=request.n_jobs, progress=request.progress
    )
    est = np.full(p, np.nan)
    se = np.full(p, np.nan)
    est[keep] = beta[keep] + (Z.T @ resid / n) / scale[keep]
    se[keep] = sigma * np.linalg.norm(Z, axis=0) / n / scale[keep]

    z = est / se
    two_sided = request.alternative == "two-sided"
    pval = np.ones(p)
    pval[keep] = (2.0 if two_sided else 1.0) * stats.norm.sf(np.abs(z[keep]))
    q = stats.norm.ppf(0.5 + request.level / 2.0)
    lower = np.where(constant, -np.inf, est - q * se)
    upper = np.where(constant, np.inf, est + q * se)
    from statsmodels.stats.multitest import multipletests

    p_adj = multipletests(pval, method="holm")[1]
    table = pd.DataFrame(
        {
            "estimate": est,
            "std_error": se,
            "ci_lower": lower,
            "ci_upper": upper,
            "p_value": pval,
            "p_adjusted": p_adj,
        },
        index=pd.Index(list(design.columns), name="column"),
    )
    notes = [
        f"nodewise lasso at the shared lambda {node_lam:.4g} ({how}; on unit-scaled "
        "columns)",
        "the intervals are normal and asymptotic: they need a sparse truth, a "
        "sparse inverse covariance of the columns and n large enough",
    ]
    if fit.l1_ratio < 1.0:
        notes.append(
            f"the initial estimate is an elastic net (l1_ratio={fit.l1_ratio:g}); the "
            "theory is for the lasso"
        )
    if spec.has_limits:
        notes.append("the initial estimate has coefficient limits; the theory has none")
    if constant.any():
        names = [design.columns[j] for j in np.flatnonzero(constant)]
        notes.append(f"constant columns get no inference (p = 1): {', '.join(names)}")
    tau2_full = np.full(p, np.nan)
    tau2_full[keep] = tau2
    return InferenceResult(
        method="debiased",
        table=table,
        level=request.level,
        lam=float(lam),
        conditioning=(
            "nothing: the de-sparsified lasso targets every coefficient of the full "
            "model, with asymptotically normal estimates"
        ),
        sigma=sigma if family == "gaussian" else None,
        sigma_method=sigma_method,
        alternative=request.alternative,
        adjustment="Holm",
        approximate=True,
        notes=tuple(notes),
        details={
            "nodewise_lam": float(node_lam),
            "nodewise_cv": cv_table,
            "initial": pd.Series(beta, index=list(design.columns), name="initial"),
            "tau2": tau2_full,
            "seed": request.seed,
        },
    )


def _initial(fit: Any, lam: float | None) -> tuple[float, np.ndarray]:
    """The intercept and coefficients of the fit, or of its refit at ``lam``."""
    if lam is None:
        return fit.intercept, np.asarray(fit.path.coefs[fit.index], dtype=float)
    d = fit.design
    spec = fit.spec.with_l1_ratio(fit.l1_ratio).with_grid(None)
    out = run(d.X, d.y, spec, SelectSpec(rule=None, lam=lam), full_grid=False)
    return float(out.path.intercepts[out.index]), out.coef.copy()


def _node_spec(lambdas: np.ndarray) -> FitSpec:
    return FitSpec(fit_intercept=False, standardize=False, lambdas=lambdas)


def _others(Xs: np.ndarray, j: int) -> np.ndarray:
    return np.asfortranarray(np.delete(Xs, j, axis=1))


def nodewise_lambda(
    Xs: np.ndarray,
    seed: Any = 0,
    n_jobs: int | None = None,
    progress: bool | None = False,
    nodes: int = CV_NODES,
    nfolds: int = CV_FOLDS,
) -> tuple[float, pd.DataFrame]:
    """The lambda shared by the nodewise lasso regressions: the minimum of the
    K-fold cross-validated prediction error averaged over nodewise regressions
    (hdi's ``lambda.min`` in ``score.nodewiselasso``).

    The CV runs on ``nodes`` columns drawn at random (all when ``p <= nodes``):
    every nodewise regression shares the grid and the folds. The grid is
    geometric, ``CV_GRID`` values from the largest ``max_k |X_k' X_j| / n`` of
    those columns down to 5% of it (1e-4 when ``n > p``).

    Parameters
    ----------
    Xs : (n, p) array
        Columns with unit mean square, orthogonal to the intercept direction.
    seed : int or numpy.random.SeedSequence
        Draws the columns and the folds.
    n_jobs, progress
        As the runner (:func:`penstat._runner.run_tasks`).
    nodes, nfolds : int

    Returns
    -------
    (float, pandas.DataFrame)
        The lambda, and the CV table (``lam``, ``cv_mean``, ``cv_se``).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5))
    >>> X = (X - X.mean(0)) / X.std(0)
    >>> lam, table = nodewise_lambda(X, seed=1)
    >>> bool(lam == table["lam"][table["cv_mean"].idxmin()])
    True
    """
    n, p = Xs.shape
    if p < 2:
        return np.inf, pd.DataFrame({"lam": [], "cv_mean": [], "cv_se": []})
    seq = seed_sequence(seed)
    rng = np.random.default_rng(seq)
    cols = np.sort(rng.choice(p, size=min(p, nodes), replace=False))
    folds = rng.permutation(np.arange(n) % nfolds)
    gram = np.abs(Xs.T @ Xs[:, cols]) / n
    gram[cols, np.arange(cols.size)] = 0.0
    top = float(gram.max())
    if not top > 0:
        return np.inf, pd.DataFrame({"lam": [], "cv_mean": [], "cv_se": []})
    # glmnet's paths end near saturation when n <= p; these fits get slow and the
    # nodewise regressions then interpolate, so the grid stops at 5% of the top
    ratio = 0.05 if n <= p else 1e-4
    grid = np.geomspace(top, top * ratio, CV_GRID)
    spec = _node_spec(grid)

    shared = (Xs, folds, nfolds, grid, spec)
    errs = np.array(
        run_tasks(_node_cv_task, shared, cols, n_jobs, progress, "nodewise CV", "column")
    )
    by_fold = errs.mean(axis=0)  # (nfolds, grid): mean over the columns
    cv_mean = by_fold.mean(axis=0)
    cv_se = by_fold.std(axis=0, ddof=1) / np.sqrt(nfolds)
    table = pd.DataFrame({"lam": grid, "cv_mean": cv_mean, "cv_se": cv_se})
    return float(grid[int(np.argmin(cv_mean))]), table


def nodewise_residuals(
    Xs: np.ndarray,
    lam: float,
    n_jobs: int | None = None,
    progress: bool | None = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The nodewise lasso residuals of every column at ``lam``, scaled so that
    ``Z_j' X_j / n = 1``.

    Column ``j`` is regressed on the others by penstat's solver (no intercept, no
    further standardization) along a geometric path of ``PATH_POINTS`` values from
    its own ``lambda_max`` down to ``lam``. ``tau_j^2 = X_j'(X_j - X_-j gamma_j) / n``
    (van de Geer et al. 2014, eq. 9, equal at the optimum to
    ``||X_j - X_-j gamma_j||^2 / n + lam ||gamma_j||_1``) is the scaling.

    Parameters
    ----------
    Xs : (n, p) array
    lam : float
    n_jobs, progress
        As the runner.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``Z`` (n, p) and ``tau2`` (p,).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 3))
    >>> Z, tau2 = nodewise_residuals(X, 1e-8)
    >>> bool(np.allclose(Z.T @ X / 200, np.eye(3), atol=1e-5))
    True
    """
    n, p = Xs.shape
    R = np.column_stack(
        run_tasks(
            _node_residual_task, (Xs, lam), range(p), n_jobs, progress, "nodewise lasso",
            "column",
        )
    )  # fmt: skip
    tau2 = np.einsum("ij,ij->j", Xs, R) / n
    return R / tau2, tau2


RUNNERS["debiased"] = run_debiased


def _node_cv_task(shared, j: int) -> np.ndarray:
    """The CV error (folds x grid) of the nodewise lasso of column ``j`` (a
    module-level task: picklable)."""
    Xs, folds, nfolds, grid, spec = shared
    err = np.zeros((nfolds, grid.size))
    Xo = _others(Xs, j)
    for k in range(nfolds):
        test = folds == k
        train = ~test
        path = solve(np.asfortranarray(Xo[train]), Xs[train, j], spec)
        pred = Xo[test] @ path.coefs.T
        e = (Xs[test, j][:, None] - pred) ** 2
        err[k, : e.shape[1]] = e.mean(axis=0)
    return err


def _node_residual_task(shared, j: int) -> np.ndarray:
    """The nodewise lasso residual of column ``j`` at ``lam`` (a module-level task)."""
    Xs, lam = shared
    n, p = Xs.shape
    xj = Xs[:, j]
    if p == 1:
        return xj.copy()
    Xo = _others(Xs, j)
    top = float(np.max(np.abs(Xo.T @ xj))) / n
    if not top > lam:
        return xj.copy()
    grid = np.geomspace(top, lam, PATH_POINTS)
    path = solve(Xo, xj, _node_spec(grid))
    return xj - Xo @ path.coefs[-1]
