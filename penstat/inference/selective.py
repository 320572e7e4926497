"""Exact inference after the lasso at a fixed lambda: ``method="selective"``.

The lasso at a fixed ``lam`` selects the columns ``E`` with signs ``s``; the set of
responses giving that ``(E, s)`` is a polyhedron ``{y : A y <= b}`` (Lee, Sun, Sun &
Taylor 2016, Ann. Statist. 44(3), Lemma 4.1 and Theorem 4.3). For a contrast
``eta'y`` of ``y ~ N(mu, sigma^2 I)``, conditionally on ``(E, s)`` and on the part of
``y`` orthogonal to ``eta``, ``eta'y`` is normal truncated to ``[V-, V+]`` (their
Lemma 5.1), and the truncated-normal distribution function is a pivot
(:mod:`penstat.inference.truncnorm`; Tibshirani, Taylor, Lockhart & Tibshirani 2016,
JASA 111). p-values and intervals follow from it.

penstat's problem is put in the lemma's form as follows. The gaussian objective is
``1/(2 sum w) sum w_i (y_i - offset_i - b0 - x_i'b)^2 + lam sum_j f_j |beta_j|`` with
``beta_j = b_j sd_j`` (internal standardization, ``f_j`` the factors rescaled to
sum to p). Multiplying by ``sum w`` and writing ``y* = sqrt(w) (y - offset)``,
``X* = sqrt(w) X`` (rows), it is ``1/2 ||y* - ...||^2 + sum_j lam_j |b_j|`` with
``lam_j = (sum w) lam f_j sd_j`` on the original scale of the columns. The intercept
and the unpenalized columns (``f_j = 0``) are profiled out by projecting ``y*`` and
the penalized columns on the orthogonal complement of their span. The noise model is
``y_i ~ N(mu_i, sigma^2 / w_i)``.

Binomial fits use the approximation of Taylor & Tibshirani (2018, Canadian J.
Statist. 46(1)): one Newton step from the lasso solution gives an estimate that is
approximately gaussian with the inverse Fisher information as covariance, and the
sign constraints of the lasso solution are linear in it.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.linalg import cho_factor, cho_solve

from penstat._errors import ArgumentError, DataError
from penstat.inference.request import InferenceRequest
from penstat.inference.result import TABLE_COLUMNS, InferenceResult
from penstat.inference.run import RUNNERS
from penstat.inference.sigma import estimate_sigma
from penstat.inference.truncnorm import selective_intervals, selective_p_values
from penstat.solver.fixed_lam import lam_path

__all__ = ["polyhedral_bounds", "run_selective"]

# a KKT slack below -_SLACK_TOL (relative to lam_j) means the solution handed over is
# not accurate enough to read (E, s) from: it is refitted at _TIGHT_TOL
_SLACK_TOL = 1e-7
_TIGHT_TOL = 1e-13


def polyhedral_bounds(a_c: np.ndarray, slack: np.ndarray, t: float) -> tuple[float, float]:
    """The truncation bounds ``[V-, V+]`` of ``eta'y`` on the polyhedron ``A y <= b``.

    With ``c = Sigma eta / (eta' Sigma eta)`` and ``y = z + c (eta'y)``, the event is
    ``(A c) u <= slack + (A c) t`` in ``u = eta'y`` (Lee et al. 2016, Lemma 5.1),
    where ``slack = b - A y >= 0`` and ``t`` is the observed ``eta'y``.

    Parameters
    ----------
    a_c : numpy.ndarray
        ``A c`` (one entry per constraint).
    slack : numpy.ndarray
        ``b - A y`` at the observed ``y``.
    t : float
        The observed ``eta'y``.

    Returns
    -------
    (float, float)

    Examples
    --------
    >>> polyhedral_bounds(np.array([1.0, -2.0, 0.0]), np.array([1.0, 4.0, 3.0]), 0.5)
    (-1.5, 1.5)
    """
    slack = np.maximum(slack, 0.0)
    up, down = a_c > 0, a_c < 0
    vup = float(np.min(t + slack[up] / a_c[up])) if up.any() else math.inf
    vlo = float(np.max(t + slack[down] / a_c[down])) if down.any() else -math.inf
    return min(vlo, t), max(vup, t)


def _refuse(fit: Any, request: InferenceRequest) -> None:
    """The fits and requests selective inference cannot serve, each with the reason."""
    ratio = float(fit.l1_ratio)
    if ratio == 0.0:
        raise ArgumentError(
            "method='selective' conditions on the columns the lasso selects, but this "
            "is a ridge fit (l1_ratio=0), which keeps every column; use "
            "method='debiased' or method='split'"
        )
    if ratio < 1.0:
        raise ArgumentError(
            f"method='selective' needs a lasso fit (l1_ratio=1), this one has "
            f"l1_ratio={ratio:g}: with an L2 part the penalty is scaled by the standard "
            "deviation of y (glmnet's convention), so the selection event is not a "
            "polyhedron in y; refit with l1_ratio=1 (ps.lasso) or use "
            "method='debiased' or method='split'"
        )
    groups = fit.spec.groups
    if (
        groups is not None
        and fit.spec.l1_within < 1.0
        and np.bincount(np.asarray(groups)).max() > 1
    ):
        raise ArgumentError(
            "method='selective' is for the lasso: a group lasso selects terms whole, "
            "and that selection event is not the lasso's polyhedron of columns and "
            "signs; use method='split' (it selects again with the group lasso) or "
            "method='debiased', or refit with penalty='l1'"
        )
    if fit.spec.has_limits:
        raise ArgumentError(
            "method='selective' does not support coefficient limits (lower_limits / "
            "upper_limits): a coefficient held at a limit adds constraints the lasso's "
            "sign event does not describe; refit without limits or use method='split'"
        )
    family = fit.family.name
    if family == "binomial":
        if request.target == "full":
            raise ArgumentError(
                "target='full' of method='selective' is for gaussian fits; a binomial "
                "fit supports target='partial' (the approximate method of Taylor & "
                "Tibshirani 2018)"
            )
        if request.sigma is not None:
            raise ArgumentError(
                "sigma= is the noise level of a gaussian fit; a binomial fit has none, "
                "drop sigma="
            )
    elif family != "gaussian":
        raise ArgumentError(
            f"method='selective' supports gaussian and binomial fits, not {family!r}"
        )


def _solution(fit: Any, lam: float, tol: float | None = None) -> tuple[float, np.ndarray]:
    """(intercept, coefficients) of the fit's lasso at ``lam``: the fit's own when
    ``lam`` is on its path, else refitted exactly at ``lam`` (``tol``: tighter)."""
    if tol is None:
        hit = np.flatnonzero(np.isclose(fit.path.lambdas, lam, rtol=1e-12, atol=0.0))
        if hit.size:
            k = int(hit[0])
            return float(fit.path.intercepts[k]), np.asarray(fit.path.coefs[k], float)
    spec = fit.spec.with_l1_ratio(1.0).with_grid(None)
    if tol is not None:
        spec = dataclasses.replace(spec, tol=min(tol, spec.tol))
    path, index = lam_path(fit.design.X, fit.design.y, lam, spec)
    return float(path.intercepts[index]), np.asarray(path.coefs[index], float)


@dataclasses.dataclass
class _Problem:
    """penstat's problem in the form of the polyhedral lemma (see the module notes)."""

    X: np.ndarray  # (n, q) weighted, projected penalized columns, original scale
    y: np.ndarray  # (n,) weighted, projected response
    lam: np.ndarray  # (q,) per-column L1 penalty on the 1/2 RSS scale
    columns: np.ndarray  # (q,) positions of the penalized columns in the design
    unpenalized: np.ndarray  # positions of the unpenalized columns
    rank_u: int  # dimension of the span profiled out (intercept, unpenalized)


def _scales(X: np.ndarray, w: np.ndarray, standardize: bool):
    """The column scales the solver penalizes by and its constant columns."""
    wn = w / w.sum()
    mean = wn @ X
    rows = X if np.all(w > 0) else X[w > 0]
    constant = np.ptp(rows, axis=0) == 0
    if standardize:
        centred = X - mean
        xs = np.sqrt(np.einsum("i,ij,ij->j", wn, centred, centred))
    else:
        xs = np.ones(X.shape[1])
    xs[constant | (xs <= 0)] = 1.0
    return xs, constant


def _gaussian_problem(fit: Any, lam: float) -> _Problem:
    spec, d = fit.spec, fit.design
    X, n, p = d.X, d.X.shape[0], d.X.shape[1]
    w = np.ones(n) if spec.weights is None else np.asarray(spec.weights, float)
    ya = d.y if spec.offset is None else d.y - spec.offset
    sw = float(w.sum())
    sq = np.sqrt(w)
    pf = spec.penalty.factors(p)
    xs, constant = _scales(X, w, spec.standardize)
    penalized = np.flatnonzero((pf > 0) & ~constant)
    unpenalized = np.flatnonzero((pf == 0) & ~constant)
    Xt = X if penalized.size == p else X[:, penalized]
    yt = ya
    if spec.weights is not None:
        Xt, yt = sq[:, None] * Xt, sq * ya
    rank_u = 0
    if spec.fit_intercept and unpenalized.size == 0 and spec.weights is None:
        # the common case: projecting out the intercept is centring
        Xt, yt, rank_u = Xt - Xt.mean(axis=0), yt - yt.mean(), 1
    else:
        U = np.hstack(
            ([sq[:, None]] if spec.fit_intercept else [])
            + [sq[:, None] * X[:, unpenalized]]
        )
        if U.shape[1]:
            basis, sv, _ = np.linalg.svd(U, full_matrices=False)
            keep = sv > sv[0] * max(U.shape) * np.finfo(float).eps
            basis = basis[:, keep]
            rank_u = int(keep.sum())
            Xt = Xt - basis @ (basis.T @ Xt)
            yt = yt - basis @ (basis.T @ yt)
    lam_j = sw * lam * pf[penalized] * xs[penalized]
    return _Problem(Xt, yt, lam_j, penalized, unpenalized, rank_u)


def _inverse(gram: np.ndarray) -> np.ndarray | None:
    """The inverse of a symmetric positive definite matrix, None when it is singular
    to working precision (condition number above 1e12)."""
    if gram.shape[0] == 0:
        return np.zeros((0, 0))
    if not np.isfinite(gram).all():
        raise DataError(
            "the products of the selected columns overflow float64 (a column with "
            "values beyond ~1e150); method='selective' works on the columns as they "
            "are: rescale that column (e.g. divide it by a power of 10) and refit"
        )
    try:
        factor, lower = cho_factor(gram)
    except np.linalg.LinAlgError:
        return None
    diag = np.abs(np.diag(factor))
    if diag.min() ** 2 < 1e-12 * diag.max() ** 2:
        return None
    return cho_solve((factor, lower), np.eye(gram.shape[0]))


def _kkt(prob: _Problem, active: np.ndarray, signs: np.ndarray):
    """The lasso solution on ``active`` with ``signs`` from its KKT equations, and the
    slacks of the polyhedron: the sign constraints ``s_j b_j > 0`` and the inactive
    ones ``|x_j'(y - X_E b_E)| < lam_j``."""
    XE = prob.X[:, active]
    with np.errstate(over="ignore", invalid="ignore"):
        gram = XE.T @ XE
    inv_gram = _inverse(gram)
    if inv_gram is None:
        raise DataError(
            "the selected columns are linearly dependent (after the intercept and the "
            "unpenalized columns), so their partial coefficients are not defined; "
            "method='selective' needs linearly independent selected columns"
        )
    b_e = inv_gram @ (XE.T @ prob.y - prob.lam[active] * signs)
    inactive = np.setdiff1d(np.arange(prob.X.shape[1]), active)
    grad = ((prob.y - XE @ b_e) @ prob.X)[inactive]
    lam_in = prob.lam[inactive]
    slack_sign = signs * b_e
    slack_in = np.concatenate([lam_in - grad, lam_in + grad])
    return inv_gram, b_e, inactive, slack_sign, slack_in


def _violation(prob: _Problem, active, signs, slack_sign, slack_in, inactive) -> float:
    """The worst KKT violation relative to the penalty (0 when (E, s) is right)."""
    worst = 0.0
    if slack_sign.size:
        scale = np.abs(prob.lam[active]) + 1e-300
        worst = max(worst, float(np.max(-slack_sign / scale)))
    if slack_in.size:
        lam_in = np.concatenate([prob.lam[inactive], prob.lam[inactive]])
        worst = max(worst, float(np.max(-slack_in / (lam_in + 1e-300))))
    return worst


def _gaussian(fit, request, lam, b, notes):
    prob = _gaussian_problem(fit, lam)
    n = prob.X.shape[0]
    coef = b[prob.columns]

    def event(coef):
        active = np.flatnonzero(coef != 0)
        signs = np.sign(coef[active])
        return active, signs, _kkt(prob, active, signs)

    active, signs, out = event(coef)
    inv_gram, b_e, inactive, slack_sign, slack_in = out
    if _violation(prob, active, signs, slack_sign, slack_in, inactive) > _SLACK_TOL:
        # the solution is not accurate enough to read (E, s) from: solve again tightly
        _, b = _solution(fit, lam, tol=_TIGHT_TOL)
        coef = b[prob.columns]
        active, signs, out = event(coef)
        inv_gram, b_e, inactive, slack_sign, slack_in = out
        bad = _violation(prob, active, signs, slack_sign, slack_in, inactive)
        if bad > _SLACK_TOL:
            raise DataError(
                f"the lasso solution at lam={lam:.6g} does not satisfy its optimality "
                f"conditions to {_SLACK_TOL:g} (worst {bad:.2g}) even at tol="
                f"{_TIGHT_TOL:g}: the selected set is not determined precisely enough "
                "for selective inference; try a slightly different lam="
            )
    sigma, sigma_method = (
        (request.sigma, "given") if request.sigma is not None else estimate_sigma(fit)
    )
    XE = prob.X[:, active]
    if request.target == "partial":
        # eta_j = X_E (X_E'X_E)^{-1} e_j: the partial regression coefficient of j in
        # the model E (with the intercept and unpenalized columns); A eta lies in the
        # sign rows only, since the inactive rows are X_-E'(I - P_E) and eta is in
        # the span of X_E (Lee et al. 2016, eq. 4.8 and Section 5)
        est = inv_gram @ (XE.T @ prob.y)
        norms2 = np.diag(inv_gram).copy()
        # column k: A c of coefficient k (on the sign rows)
        a_c = -(signs[:, None] * inv_gram) / norms2
        vlo, vup = _bounds(a_c, slack_sign, est)
    else:
        q = prob.X.shape[1]
        if n - prob.rank_u <= q:
            raise ArgumentError(
                f"target='full' needs more rows than columns: the full model has {q} "
                f"penalized columns and {n - prob.rank_u} residual degrees of freedom "
                "after the intercept and the unpenalized columns; use target='partial'"
            )
        full_gram = prob.X.T @ prob.X
        inv_full = _inverse(full_gram)
        if inv_full is None:
            raise ArgumentError(
                "target='full' needs linearly independent design columns, and these "
                "are not; use target='partial'"
            )
        H = prob.X @ inv_full[:, active]  # eta_j of the full model's coefficient j
        est = H.T @ prob.y
        norms2 = np.einsum("ij,ij->j", H, H)
        a_sign = -(signs[:, None] * (inv_gram @ (XE.T @ H)))
        resid_H = H - XE @ (inv_gram @ (XE.T @ H))
        a_in = prob.X[:, inactive].T @ resid_H
        a_c = np.vstack([a_sign, a_in, -a_in]) / norms2
        vlo, vup = _bounds(a_c, np.concatenate([slack_sign, slack_in]), est)
    rows = _rows(est, sigma * np.sqrt(norms2), vlo, vup, signs, request)
    names = [fit.design.columns[j] for j in prob.columns[active]]
    lasso = coef[active]
    unpen = [fit.design.columns[j] for j in prob.unpenalized]
    if unpen:
        notes.append(
            "the unpenalized columns (" + ", ".join(unpen) + ") are in every model: "
            "they are adjusted for and conditioned on, not tested"
        )
    if request.sigma is None:
        notes.append(
            f"sigma is estimated ({sigma_method}); the guarantee is exact for a known sigma"
        )
    return names, lasso, rows, sigma, sigma_method, False


def _binomial(fit, request, lam, b0, b, notes):
    """Taylor & Tibshirani (2018, Canadian J. Statist. 46(1), Section 3): the Newton
    step ``bbar_M = bhat_M + I_M^{-1} (0, lam_E s_E)`` from the lasso solution, with
    ``M`` the intercept, the unpenalized and the selected columns, is approximately
    ``N(beta_M, I_M^{-1})``; the sign constraints ``s_E bhat_E > 0`` are linear in it."""
    spec, d = fit.spec, fit.design
    X = d.X
    n, p = X.shape
    w = np.ones(n) if spec.weights is None else np.asarray(spec.weights, float)
    sw = float(w.sum())
    pf = spec.penalty.factors(p)
    xs, constant = _scales(X, w, spec.standardize)
    active = np.flatnonzero((b != 0) & (pf > 0))
    unpen = np.flatnonzero((pf == 0) & ~constant)
    signs = np.sign(b[active])
    cols = np.concatenate([unpen, active])
    XM = X[:, cols]
    if spec.fit_intercept:
        XM = np.hstack([np.ones((n, 1)), XM])
    bhat = np.concatenate([[b0] if spec.fit_intercept else [], b[unpen], b[active]])
    offset = 0.0 if spec.offset is None else spec.offset
    # The Newton step is iterated to convergence: bbar is the maximum-likelihood fit
    # of the selected model (statsmodels, started at the lasso solution), and the
    # Fisher information is taken there. To first order this is Taylor & Tibshirani's
    # one-step estimator; centred at the MLE the gaussian approximation holds far
    # better at moderate n (a single step from the shrunken lasso fit falls short of
    # the MLE, and intervals centred there undercover: benchmarks/coverage.py).
    mle = _logistic_mle(XM, d.y, w, spec.offset, bhat)
    centre = bhat if mle is None else mle
    if mle is None:
        notes.append(
            "the selected model has no maximum-likelihood fit (separation): the "
            "estimate is one Newton step from the lasso solution"
        )
    eta = XM @ centre + offset
    prob = 1.0 / (1.0 + np.exp(-eta))
    info = XM.T @ ((w * prob * (1.0 - prob))[:, None] * XM)
    cov = _inverse(info)
    if cov is None:
        raise DataError(
            "the Fisher information of the selected model is singular (linearly "
            "dependent selected columns, or fitted probabilities of 0 or 1); "
            "method='selective' cannot be used here"
        )
    k0 = XM.shape[1] - active.size  # intercept and unpenalized columns come first
    shift = np.zeros(XM.shape[1])
    shift[k0:] = sw * lam * pf[active] * xs[active] * signs
    if mle is None:
        bbar = bhat + cov @ shift
    else:
        bbar = mle
    # the event: the lasso solution keeps its signs on E; it moves with bbar as
    # bbar - I^{-1} shift (to first order), from its observed margins s_E bhat_E
    slack = signs * b[active]
    var = np.diag(cov)[k0:].copy()
    est = bbar[k0:]
    vlo, vup = _bounds(-(signs[:, None] * cov[k0:, k0:]) / var, slack, est)
    rows = _rows(est, np.sqrt(var), vlo, vup, signs, request)
    names = [d.columns[j] for j in active]
    if unpen.size:
        notes.append(
            "the unpenalized columns ("
            + ", ".join(d.columns[j] for j in unpen)
            + ") are in every model: adjusted for, not tested"
        )
    notes.append(
        "binomial: approximate (Taylor & Tibshirani 2018): a Newton step from the lasso "
        "solution, gaussian with the inverse Fisher information; reliable when n is "
        "large relative to the selected model"
    )
    return names, b[active], rows, None, None, True


def _logistic_mle(XM, y, w, offset, start) -> np.ndarray | None:
    """The unpenalized logistic fit on the columns ``XM`` (statsmodels GLM started
    at ``start``), or None when it does not exist or does not converge."""
    import statsmodels.api as sm

    model = sm.GLM(
        np.asarray(y, float), XM, family=sm.families.Binomial(), var_weights=w,
        offset=offset,
    )  # fmt: skip
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = model.fit(start_params=start, tol=1e-12, maxiter=100)
    except (np.linalg.LinAlgError, ValueError, OverflowError):
        return None
    beta = np.asarray(res.params, dtype=float)
    if not (res.converged and np.all(np.isfinite(beta))):
        return None
    eta = XM @ beta + (0.0 if offset is None else offset)
    if np.max(np.abs(eta)) > 30:  # fitted probabilities of 0 or 1: separation
        return None
    return beta


def _bounds(a_c: np.ndarray, slack: np.ndarray, t: np.ndarray):
    """:func:`polyhedral_bounds` of every column of ``a_c`` (constraints x columns)
    at once: ``(vlo, vup)``, one entry per column, with ``t`` the observed values."""
    slack = np.maximum(slack, 0.0)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = slack / a_c
    up = np.where(a_c > 0, ratio, math.inf).min(axis=0, initial=math.inf)
    down = np.where(a_c < 0, ratio, -math.inf).max(axis=0, initial=-math.inf)
    t = np.asarray(t, dtype=float)
    return np.minimum(t + down, t), np.maximum(t + up, t)


def _rows(est, sd, vlo, vup, signs, request) -> list[dict]:
    """The table rows: p-values and intervals of every column at once."""
    if not len(est):
        return []
    p = selective_p_values(est, sd, vlo, vup, request.alternative, signs)
    lo, hi = selective_intervals(est, sd, vlo, vup, request.level)
    return [
        {
            "estimate": float(est[k]),
            "ci_lower": float(lo[k]),
            "ci_upper": float(hi[k]),
            "p_value": float(p[k]),
            "sd": float(sd[k]),
            "vlo": float(vlo[k]),
            "vup": float(vup[k]),
        }
        for k in range(len(est))
    ]


def run_selective(fit: Any, request: InferenceRequest) -> InferenceResult:
    """Selective inference for the lasso at a fixed lambda (``method="selective"``).

    For each column the lasso selects at ``lam`` (the fit's, or ``request.lam``), the
    p-value and interval are exact conditionally on the selected set and signs (Lee,
    Sun, Sun & Taylor 2016) for the target ``"partial"`` (the coefficient of the
    column in the least-squares model on the selected columns, the intercept and the
    unpenalized columns) or ``"full"`` (its coefficient in the model on every
    column; n > p). The estimate is the least-squares estimate of that target.
    Binomial fits use the approximation of Taylor & Tibshirani (2018).

    Parameters
    ----------
    fit : PenalizedFit
        A lasso fit (``l1_ratio=1``) without coefficient limits.
    request : InferenceRequest

    Returns
    -------
    InferenceResult
        ``details`` holds ``vlo`` / ``vup`` (the truncation bounds) and ``sd`` (the
        standard deviation of the estimate before truncation) per column.

    Examples
    --------
    >>> import penstat as ps
    >>> fit = ps.lasso("y ~ bmi + bp + s5 + age", ps.datasets.load("diabetes"), lam=5.0)
    >>> res = fit.inference("selective", sigma=55.0)
    >>> res.table.index.tolist()
    ['bmi', 'bp', 's5']
    >>> bool((res.p_values < 0.05).all())
    True
    """
    _refuse(fit, request)
    lam = fit.lam if request.lam is None else float(request.lam)
    b0, b = _solution(fit, lam)
    notes: list[str] = []
    if request.lam is None and fit.select_spec.lam is None:
        rule = fit.selection.rule if fit.selection is not None else "the end of the path"
        notes.append(
            f"lambda was chosen by {rule} from the same data; the selective guarantee "
            "holds for a lambda fixed before seeing the data: pass lam= to fix one"
        )
    if fit.family.name == "gaussian":
        names, lasso, rows, sigma, sigma_method, approx = _gaussian(
            fit, request, lam, b, notes
        )
        model = "lasso"
    else:
        names, lasso, rows, sigma, sigma_method, approx = _binomial(
            fit, request, lam, b0, b, notes
        )
        model = "logistic lasso"
    table = pd.DataFrame(rows, index=pd.Index(names, dtype=object))
    if not len(table):
        table = pd.DataFrame(columns=["estimate", "ci_lower", "ci_upper", "p_value"])
        notes.append(f"no column was selected at lambda={lam:.6g}: nothing to test")
    for col in TABLE_COLUMNS:
        if col not in table.columns:
            table[col] = np.nan
    table["lasso"] = np.asarray(lasso, float) if len(names) else np.array([], float)
    details = {
        "vlo": table.get("vlo", pd.Series(dtype=float)).astype(float),
        "vup": table.get("vup", pd.Series(dtype=float)).astype(float),
        "sd": table.get("sd", pd.Series(dtype=float)).astype(float),
        "target": request.target,
    }
    table = table[[*TABLE_COLUMNS, "lasso"]].astype(float)
    alternative = request.alternative
    if alternative == "sign":
        table["direction"] = ["> 0" if v > 0 else "< 0" for v in table["lasso"]]
    target = (
        "partial coefficient in the model on the selected columns"
        if request.target == "partial"
        else "coefficient in the model on every column"
    )
    conditioning = (
        f"the selected set E and signs s of the {model} at lambda={lam:.6g} "
        f"({len(names)} columns); target: each column's {target}"
    )
    return InferenceResult(
        method="selective",
        table=table,
        level=request.level,
        lam=lam,
        conditioning=conditioning,
        sigma=sigma,
        sigma_method=sigma_method,
        alternative=alternative,
        adjustment=None,
        approximate=approx,
        notes=tuple(notes),
        details=details,
    )


RUNNERS["selective"] = run_selective
