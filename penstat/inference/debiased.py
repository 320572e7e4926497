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

from penstat._errors import ArgumentError, ConvergenceWarning, warn_user
from penstat._runner import run_tasks
from penstat._validation import seed_sequence
from penstat.engine import run
from penstat.inference.request import NODEWISE, InferenceRequest
from penstat.inference.result import InferenceResult
from penstat.inference.run import RUNNERS
from penstat.inference.sigma import estimate_sigma
from penstat.solver._cd._gaussian import gaussian_path
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
#: ``nodewise=``: the rule of the shared nodewise lambda (see :func:`nodewise_lambda`).
NODEWISE_RULES = NODEWISE
#: How the notes of the result say each rule chose the lambda.
NODEWISE_HOW = {
    "zz": "Zhang & Zhang's rule: the smallest lambda below the pooled 10-fold CV "
    "minimum with at most 1.25 times its variance",
    "cv": "10-fold CV minimum, pooled over the nodewise regressions",
}
#: Zhang & Zhang's bound on the variance factor, relative to the CV lambda's.
ZZ_INFLATION = 1.25
#: Lambdas per decade below the CV lambda at which the variance factor is computed.
ZZ_GRID = 20
#: Decades below the CV lambda searched at most.
ZZ_DECADES = 2
#: Columns per runner task of the nodewise fits.
BLOCK = 32
#: Penalty factor of the response's own column in its nodewise regression: its
#: coefficient stays 0 (see :func:`_lasso_path`).
EXCLUDED = 1e100
#: Convergence tolerance and iteration limit of the nodewise fits (FitSpec's defaults).
TOL = FitSpec.tol
MAX_ITER = FitSpec.max_iter


def run_debiased(
    fit: Any, request: InferenceRequest, nodewise_lam: float | None = None
) -> InferenceResult:
    """De-sparsified lasso estimates, normal intervals and p-values for every column
    (``method="debiased"``).

    The initial estimate comes from the fit (at ``request.lam`` when given, else
    the fit's lambda): by default (``request.initial="refit"``) its selected
    columns refitted without penalty, by least squares or the logistic GLM
    (:func:`_refit_initial`; the lasso's coefficients when that refit is
    impossible, with a note), which removes the lasso's shrinkage from the bias
    of the one-step estimate; with ``initial="lasso"`` the lasso's coefficients
    themselves (hdi's ``lasso.proj`` given them). The design is centred (weighted,
    when the fit has an intercept) and multiplied by the square root of the
    weights: the observation weights (gaussian), or ``w pi (1 - pi)`` at the
    initial estimate (binomial, van de Geer et al. section 3), and each column is
    scaled to unit mean square. Every
    column is regressed on the others by the lasso (penstat's gaussian kernel, no
    intercept: the centred columns are orthogonal to it) at one shared lambda
    (:func:`nodewise_lambda`): by default (``request.nodewise="zz"``) the rule of
    Zhang & Zhang (2014), the smallest lambda below the 10-fold cross-validation
    minimum of the nodewise prediction error whose variance factor is at most 1.25
    times the minimum's (hdi's ``do.ZnZ = TRUE``, recommended by Dezeure et al.
    2015); with ``nodewise="cv"`` the CV minimum itself (hdi's default
    ``lambda.min``). The residuals give the correction and the standard errors
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
        columns) instead of the one ``request.nodewise`` chooses.

    Returns
    -------
    InferenceResult
        ``details``: ``nodewise_lam`` (the shared lambda, on the unit-scaled
        columns), ``nodewise`` (its rule), ``nodewise_cv`` (its CV table),
        ``nodewise_variance`` (the variance table of ``nodewise="zz"``),
        ``initial`` (the initial coefficients), ``initial_method``
        (``"refit"``, or ``"lasso"`` when asked or when the refit was impossible),
        ``tau2`` (the nodewise ``Z_j' X_j / n`` before scaling).

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
    intercept, lasso_beta = _initial(fit, request.lam)
    w = np.ones(n) if spec.weights is None else np.asarray(spec.weights, dtype=float)
    initial_note = None
    if request.initial == "refit":
        intercept, beta, initial_note = _refit_initial(fit, intercept, lasso_beta, w)
    else:
        beta = lasso_beta
    refitted = request.initial == "refit" and initial_note is None
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
    # root mean squares by column, computed on the column divided by its largest
    # value (squares of columns beyond ~1e154 or below ~1e-154 overflow or underflow);
    # a column is constant when it is round-off beside its own values
    top = np.max(np.abs(Xt), axis=0) if n else np.zeros(p)
    unit = np.where(top > 0, top, 1.0)
    scale = np.where(top > 0, unit * np.sqrt(np.mean((Xt / unit) ** 2, axis=0)), 0.0)
    constant = scale <= 1e-12 * np.max(np.abs(X), axis=0)
    keep = np.flatnonzero(~constant)
    if keep.size == 0:
        raise ArgumentError("method='debiased' needs a column that is not constant")
    Xs = np.asfortranarray(Xt[:, keep] / scale[keep])

    seq = seed_sequence(request.seed)
    (cv_seed,) = seq.spawn(1)
    var_table = None
    if nodewise_lam is None:
        node_lam, cv_table, var_table = nodewise_lambda(
            Xs,
            seed=cv_seed,
            n_jobs=request.n_jobs,
            progress=request.progress,
            rule=request.nodewise,
        )
        how = NODEWISE_HOW[request.nodewise]
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
    p_adj = _holm(pval)
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
        "initial estimate: "
        + (
            "the fit's selected columns refitted without penalty ("
            + ("least squares" if family == "gaussian" else "logistic GLM")
            + ")"
            if refitted
            else "the lasso's coefficients"
        ),
        f"nodewise lasso at the shared lambda {node_lam:.4g} ({how}; on unit-scaled "
        "columns)",
        "the intervals are normal and asymptotic: they need a sparse truth, a "
        "sparse inverse covariance of the columns and n large enough",
    ]
    if initial_note is not None:
        notes.append(initial_note)
    if fit.l1_ratio < 1.0:
        notes.append(
            f"the fit is an elastic net (l1_ratio={fit.l1_ratio:g}); the theory is "
            "for the lasso"
        )
    if spec.has_limits:
        notes.append(
            "the refit of the initial estimate ignores the fit's coefficient limits"
            if refitted
            else "the initial estimate has coefficient limits; the theory has none"
        )
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
            "nodewise_variance": var_table,
            "nodewise": request.nodewise if nodewise_lam is None else "given",
            "initial": pd.Series(beta, index=list(design.columns), name="initial"),
            "initial_method": "refit" if refitted else "lasso",
            "tau2": tau2_full,
            "seed": request.seed,
        },
    )


def _holm(pvalues: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (Holm 1979), the numbers of statsmodels'
    ``multipletests(pvalues, method="holm")[1]`` bit for bit, without its full
    garbage collection (``gc.collect()``) on every call, which cost as much as the
    rest of the adjustment many times over in a process with many objects.

    Examples
    --------
    >>> import numpy as np
    >>> _holm(np.array([0.01, 0.04, 0.03])).tolist()
    [0.03, 0.06, 0.06]
    """
    pv = np.asarray(pvalues, dtype=float)
    order = np.argsort(pv)
    ranked = np.maximum.accumulate(pv[order] * np.arange(pv.size, 0, -1))
    ranked[ranked > 1] = 1
    out = np.empty_like(ranked)
    out[order] = ranked
    return out


def _initial(fit: Any, lam: float | None) -> tuple[float, np.ndarray]:
    """The intercept and coefficients of the fit, or of its refit at ``lam``."""
    if lam is None:
        return fit.intercept, np.asarray(fit.path.coefs[fit.index], dtype=float)
    d = fit.design
    spec = fit.spec.with_l1_ratio(fit.l1_ratio).with_grid(None)
    out = run(d.X, d.y, spec, SelectSpec(rule=None, lam=lam), full_grid=False)
    return float(out.path.intercepts[out.index]), out.coef.copy()


def _refit_initial(
    fit: Any, intercept: float, beta: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray, str | None]:
    """The lasso's nonzero columns refitted without penalty: weighted least squares
    (gaussian) or the logistic GLM (binomial) on ``[1, X_S]`` with the fit's weights
    and offset (statsmodels). Zero outside ``S``.

    Least squares after the lasso's selection (Belloni & Chernozhukov 2013,
    Bernoulli 19(2); glmnet's relaxed lasso at ``gamma = 0``) has the lasso's rate or
    better and none of its shrinkage of the selected coefficients, the main part of
    the bias ``Z_j' X_-j (beta - beta_init) / n`` of the one-step estimate when p > n.
    When the refit is impossible (as many parameters as rows, collinear selected
    columns, a separated or unconverged logistic fit) the lasso's own ``(intercept,
    beta)`` are returned, with a note saying why.
    """
    import warnings

    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning as SMConvergenceWarning,
    )
    from statsmodels.tools.sm_exceptions import (
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    design, spec = fit.design, fit.spec
    X = np.asarray(design.X, dtype=float)
    y = np.asarray(design.y, dtype=float)
    n = X.shape[0]
    S = np.flatnonzero(beta)
    exog = X[:, S]
    if spec.fit_intercept:
        exog = np.column_stack([np.ones(n), exog])
    offset = None if spec.offset is None else np.asarray(spec.offset, dtype=float)
    live = w > 0
    fallback = "the lasso's coefficients are the initial estimate: "
    if exog.shape[1] == 0:
        return intercept, beta, None
    if exog.shape[1] >= int(live.sum()):
        return (
            intercept,
            beta,
            fallback
            + (
                f"the refit of its {S.size} selected columns has as many parameters as "
                "rows with weight"
            ),
        )
    if np.linalg.matrix_rank(exog[live]) < exog.shape[1]:
        return intercept, beta, fallback + "its selected columns are collinear"
    if spec.family == "gaussian":
        target = y if offset is None else y - offset
        params = np.asarray(sm.WLS(target, exog, weights=w).fit().params)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PerfectSeparationWarning)
            warnings.simplefilter("error", SMConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                model = sm.GLM(y, exog, family=sm.families.Binomial(), offset=offset,
                               var_weights=w)  # fmt: skip
                params = np.asarray(model.fit().params)
            except (PerfectSeparationError, PerfectSeparationWarning,
                    SMConvergenceWarning, np.linalg.LinAlgError):  # fmt: skip
                return (
                    intercept,
                    beta,
                    fallback
                    + (
                        "the logistic refit of its selected columns did not converge "
                        "(separated classes?)"
                    ),
                )
    out = np.zeros_like(beta)
    if spec.fit_intercept:
        intercept, params = float(params[0]), params[1:]
    else:
        intercept = 0.0
    out[S] = params
    return intercept, out, None


def _lasso_path(
    X: np.ndarray, y: np.ndarray, j: int, lambdas: np.ndarray
) -> tuple[np.ndarray, bool]:
    """The lasso path of ``y`` on the columns of ``X`` other than ``j`` (no intercept,
    no standardization), on the gaussian kernel directly.

    ``X`` is used in place: column ``j`` stays in it with a penalty factor so large
    that its coefficient is 0 at every lambda (its gradient ``|X_j' r| / n`` is at
    most ``sqrt(mean X_j^2 mean r^2)``, far below ``lam * EXCLUDED``), which is the
    lasso on ``X_-j`` exactly, without a copy of ``X_-j``. Returns the coefficients
    ``(len(lambdas), p)`` and whether the kernel converged at every lambda.
    """
    n, p = X.shape
    pf = np.ones(p)
    pf[j] = EXCLUDED
    m = lambdas.size
    coefs, b0, dev = np.zeros((m, p)), np.zeros(m), np.zeros(m)
    n_iter, conv = np.zeros(m, dtype=np.int32), np.zeros(m, dtype=np.uint8)
    fitted = gaussian_path(
        X, np.ascontiguousarray(y), np.full(n, 1.0 / n), pf, 1.0, lambdas, False,
        False, TOL, MAX_ITER, coefs, b0, dev, n_iter, conv,
    )  # fmt: skip
    return coefs[:fitted], bool(conv[:fitted].all())


def _column_blocks(columns: Any) -> list[np.ndarray]:
    """Columns in blocks of ``BLOCK`` (one runner task each: the per-task overhead
    is paid once a block)."""
    columns = np.asarray(columns, dtype=np.intp)
    return [columns[k : k + BLOCK] for k in range(0, columns.size, BLOCK)]


def nodewise_lambda(
    Xs: np.ndarray,
    seed: Any = 0,
    n_jobs: int | None = None,
    progress: bool | None = False,
    nodes: int = CV_NODES,
    nfolds: int = CV_FOLDS,
    rule: str = "zz",
) -> tuple[float, pd.DataFrame, pd.DataFrame | None]:
    """The lambda shared by the nodewise lasso regressions.

    First the minimum ``lambda_cv`` of the K-fold cross-validated prediction error
    averaged over nodewise regressions (hdi's ``lambda.min`` in
    ``score.nodewiselasso``). With ``rule="cv"`` that is the lambda. With
    ``rule="zz"`` (the default) it is then lowered as Zhang & Zhang (2014, section
    3.3) propose and Dezeure, Bühlmann, Meier & Meinshausen (2015, Statist. Sci.
    30(4), section 2.1.1) recommend (hdi's ``do.ZnZ = TRUE``): the smallest lambda
    whose average variance factor ``V(lam) = mean_j n ||Z_j||^2 / (Z_j' X_j)^2``
    is below 1.25 times ``V(lambda_cv)``. A smaller nodewise lambda makes ``Z_j``
    closer to orthogonal to the other columns, which shrinks the bias term
    ``Z_j' X_-j (beta - beta_hat)_-j / n`` of the estimate, at the price of a
    variance at most 25% larger.

    Both steps run on ``nodes`` columns drawn at random (all when ``p <= nodes``),
    sharing the grid and the folds. The CV grid is geometric, ``CV_GRID`` values
    from the largest ``max_k |X_k' X_j| / n`` of those columns down to 5% of it
    (1e-4 when ``n > p``); ``V`` is computed on ``ZZ_GRID`` geometric values per
    decade below ``lambda_cv``, over at most ``ZZ_DECADES`` decades, a decade at a
    time until the variance bound is crossed.

    Parameters
    ----------
    Xs : (n, p) array
        Columns with unit mean square, orthogonal to the intercept direction.
    seed : int or numpy.random.SeedSequence
        Draws the columns and the folds.
    n_jobs, progress
        As the runner (:func:`penstat._runner.run_tasks`).
    nodes, nfolds : int
    rule : {"zz", "cv"}

    Returns
    -------
    (float, pandas.DataFrame, pandas.DataFrame or None)
        The lambda, the CV table (``lam``, ``cv_mean``, ``cv_se``) and, for
        ``rule="zz"``, the variance table (``lam``, ``variance``: ``V(lam)``,
        ``ratio``: ``V(lam) / V(lambda_cv)``).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5))
    >>> X = (X - X.mean(0)) / X.std(0)
    >>> lam, table, _ = nodewise_lambda(X, seed=1, rule="cv")
    >>> bool(lam == table["lam"][table["cv_mean"].idxmin()])
    True
    >>> lam_zz, _, var = nodewise_lambda(X, seed=1)
    >>> bool(lam_zz <= lam and var["ratio"][var["lam"] == lam_zz].item() < 1.25)
    True
    """
    if rule not in NODEWISE_RULES:
        options = ", ".join(repr(r) for r in NODEWISE_RULES)
        raise ArgumentError(f"nodewise={rule!r} is not one of {options}")
    Xs = np.asfortranarray(Xs, dtype=float)
    n, p = Xs.shape
    empty = pd.DataFrame({"lam": [], "cv_mean": [], "cv_se": []})
    if p < 2:
        return np.inf, empty, None
    seq = seed_sequence(seed)
    rng = np.random.default_rng(seq)
    cols = np.sort(rng.choice(p, size=min(p, nodes), replace=False))
    folds = rng.permutation(np.arange(n) % nfolds)
    gram = np.abs(Xs.T @ Xs[:, cols]) / n
    gram[cols, np.arange(cols.size)] = 0.0
    top = float(gram.max())
    if not top > 0:
        return np.inf, empty, None
    # glmnet's paths end near saturation when n <= p; these fits get slow and the
    # nodewise regressions then interpolate, so the grid stops at 5% of the top
    ratio = 0.05 if n <= p else 1e-4
    grid = np.geomspace(top, top * ratio, CV_GRID)

    shared = (Xs, folds, cols, grid)
    errs = np.array(
        run_tasks(
            _node_cv_task, shared, range(nfolds), n_jobs, progress, "nodewise CV", "fold"
        )
    )  # fmt: skip  (folds, columns, grid)
    by_fold = errs.mean(axis=1)  # (nfolds, grid): mean over the columns
    cv_mean = by_fold.mean(axis=0)
    cv_se = by_fold.std(axis=0, ddof=1) / np.sqrt(nfolds)
    table = pd.DataFrame({"lam": grid, "cv_mean": cv_mean, "cv_se": cv_se})
    lam_cv = float(grid[int(np.argmin(cv_mean))])
    if rule == "cv":
        return lam_cv, table, None

    above = grid[grid > lam_cv]
    lams, variance = [], []
    lo = lam_cv
    for decade in range(ZZ_DECADES):
        seg = np.geomspace(lo, lo / 10.0, ZZ_GRID + 1)
        seg = seg if decade == 0 else seg[1:]
        path = np.concatenate([above, np.asarray(lams), seg])
        rows = run_tasks(_node_variance_task, (Xs, path, seg.size),
                         _column_blocks(cols), n_jobs, progress, "nodewise variance",
                         "block")  # fmt: skip
        v = np.concatenate(rows).mean(axis=0)
        lams.extend(seg)
        variance.extend(v)
        if not v[-1] < ZZ_INFLATION * variance[0]:
            break
        lo = lo / 10.0
    lams_a, var_a = np.asarray(lams), np.asarray(variance)
    ratio_v = var_a / var_a[0]
    ok = np.flatnonzero(ratio_v < ZZ_INFLATION)
    lam = float(lams_a[ok].min())  # ok holds lambda_cv itself (ratio 1)
    var_table = pd.DataFrame({"lam": lams_a, "variance": var_a, "ratio": ratio_v})
    return lam, table, var_table


def nodewise_residuals(
    Xs: np.ndarray,
    lam: float,
    n_jobs: int | None = None,
    progress: bool | None = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The nodewise lasso residuals of every column at ``lam``, scaled so that
    ``Z_j' X_j / n = 1``.

    Column ``j`` is regressed on the others by penstat's gaussian kernel (no
    intercept, no further standardization, on ``Xs`` itself: no copy per column)
    along a geometric path of ``PATH_POINTS`` values from its own ``lambda_max``
    down to ``lam``; the kernel stops only when the KKT conditions hold at every
    lambda. ``tau_j^2 = X_j'(X_j - X_-j gamma_j) / n`` (van de Geer et al. 2014,
    eq. 9, equal at the optimum to ``||X_j - X_-j gamma_j||^2 / n + lam
    ||gamma_j||_1``) is the scaling. A :class:`~penstat.ConvergenceWarning` names
    the columns whose regression did not converge.

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
    Xs = np.asfortranarray(Xs, dtype=float)
    out = run_tasks(_node_residual_task, (Xs, float(lam)), _column_blocks(range(p)),
                    n_jobs, progress, "nodewise lasso", "block")  # fmt: skip
    R = np.column_stack([r for r, _ in out]) if p else np.zeros((n, 0))
    failed = np.concatenate([f for _, f in out]) if p else np.zeros(0, np.intp)
    if failed.size:
        warn_user(
            f"the nodewise lasso of {failed.size} column(s) (positions "
            f"{failed[:5].tolist()}{' ...' if failed.size > 5 else ''}) did not "
            f"converge in {MAX_ITER} iterations; their intervals are less reliable",
            ConvergenceWarning,
        )
    tau2 = np.einsum("ij,ij->j", Xs, R) / n
    return R / tau2, tau2


RUNNERS["debiased"] = run_debiased


def _node_cv_task(shared, k: int) -> np.ndarray:
    """The CV error (columns x grid) of the nodewise lasso of every sampled column,
    trained without fold ``k`` (a module-level task: picklable). The training rows
    are copied once for all the columns."""
    Xs, folds, cols, grid = shared
    test = folds == k
    Xtr = np.asfortranarray(Xs[~test])
    Xte = Xs[test]
    err = np.zeros((cols.size, grid.size))
    for c, j in enumerate(cols):
        coefs, _ = _lasso_path(Xtr, Xtr[:, j], int(j), grid)
        pred = Xte @ coefs.T
        e = (Xte[:, j][:, None] - pred) ** 2
        err[c, : e.shape[1]] = e.mean(axis=0)
    return err


def _node_variance_task(shared, block: np.ndarray) -> np.ndarray:
    """``n ||Z_j||^2 / (Z_j' X_j)^2`` at the last ``m`` lambdas of ``path`` for the
    columns of ``block`` (a module-level task)."""
    Xs, path, m = shared
    n = Xs.shape[0]
    out = np.empty((block.size, m))
    for c, j in enumerate(block):
        xj = Xs[:, j]
        coefs, _ = _lasso_path(Xs, xj, int(j), path)
        Zj = xj[:, None] - Xs @ coefs[-m:].T
        out[c] = n * np.einsum("ij,ij->j", Zj, Zj) / (xj @ Zj) ** 2
    return out


def _node_residual_task(shared, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nodewise lasso residuals at ``lam`` of the columns of ``block``, and those
    of them whose fit did not converge (a module-level task)."""
    Xs, lam = shared
    n, p = Xs.shape
    R = np.empty((n, block.size))
    failed = []
    for c, j in enumerate(block):
        j = int(j)
        xj = Xs[:, j]
        R[:, c] = xj
        if p == 1:
            continue
        g = np.abs(Xs.T @ xj) / n
        g[j] = 0.0
        top = float(g.max())
        if not top > lam:
            continue
        coefs, converged = _lasso_path(Xs, xj, j, np.geomspace(top, lam, PATH_POINTS))
        gamma = coefs[-1]
        nz = np.flatnonzero(gamma)
        R[:, c] = xj - Xs[:, nz] @ gamma[nz]
        if not converged:
            failed.append(j)
    return R, np.asarray(failed, dtype=np.intp)
