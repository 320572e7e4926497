"""Separation diagnostics of the binomial family: the null model's Newton fit, and
the linear programs that decide whether columns separate the classes (in which case
no finite maximum likelihood estimate exists).

>>> import numpy as np
>>> from penstat.solver.separation import separation
>>> separation(np.array([[1.0], [2.0], [-1.0]]), np.array([1.0, 1.0, -1.0]))
'complete'
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.special import expit

from penstat._errors import SeparationWarning, warn_user

__all__ = ["binomial_null_fit", "separation", "signed_rows", "warn_if_separated_at_zero"]


def binomial_null_fit(
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
    offset left out: it is finite and cannot separate anything).

    Examples
    --------
    >>> Xu, wn = np.array([[-2.0], [-1.0], [1.0], [2.0]]), np.full(4, 0.25)
    >>> eta, found = binomial_null_fit(Xu, np.array([0.0, 1.0, 0.0, 1.0]), wn, True)
    >>> eta.round(4).tolist(), found
    ([-0.8392, -0.4196, 0.4196, 0.8392], None)
    >>> binomial_null_fit(Xu, np.array([0.0, 0.0, 1.0, 1.0]), wn, True)[1]
    'complete'
    """
    # (vectors of length n are made in place where the numbers allow it: this fit
    # runs beside the standardized copy of X, at a resampling task's peak)
    cols = [np.ones((y.size, 1))] if fit_intercept else []
    Z = np.hstack(cols + [Xu]) if (cols or Xu.shape[1]) else np.zeros((y.size, 0))
    del cols
    if Z.shape[1] == 0:
        return (np.zeros(y.size) if offset is None else offset.copy()), None
    # no offset: zeros that take no memory (the same sums as a vector of zeros)
    off = np.broadcast_to(0.0, y.shape) if offset is None else offset
    pos = wn > 0
    # a proportion 0 < y < 1 is a success and a failure at the same linear predictor
    ones, zeros = pos & (y > 0), pos & (y < 1)

    def loss(eta):
        terms = np.logaddexp(0.0, eta)
        terms -= y * eta
        return float(wn @ terms)

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
        v = 1 - mu
        v *= mu
        np.maximum(v, 1e-10, out=v)
        v *= wn
        score = np.subtract(y, mu, out=mu)
        score *= wn
        step = np.linalg.lstsq(Z.T @ (v[:, None] * Z), Z.T @ score, rcond=None)[0]
        del v, score, mu
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
    labelled = pos & ((y == 0) | (y == 1))
    signed = eta - off
    signed *= np.where(y == 1, 1.0, -1.0)
    margin = float(np.max(signed[labelled], initial=0.0))
    del signed
    suspicious = not done or moved > 1e-3 or margin > 25.0
    return eta, (separation(*signed_rows(Z[pos], y[pos])) if suspicious else None)


def signed_rows(Z: np.ndarray, y: np.ndarray):
    """The rows and signs :func:`separation` takes: +1 for y = 1, -1 for y = 0, and
    both for a proportion 0 < y < 1 (a success and a failure at the same linear
    predictor), which no direction can separate.

    Examples
    --------
    >>> Z, sign = signed_rows(np.array([[1.0], [2.0]]), np.array([1.0, 0.5]))
    >>> Z.ravel().tolist(), sign.tolist()
    ([1.0, 2.0, 2.0], [1.0, -1.0, 1.0])
    """
    sign = np.where(y == 1, 1.0, -1.0)
    split = (y > 0) & (y < 1)
    if not split.any():
        return Z, sign
    return np.vstack([Z, Z[split]]), np.r_[sign, np.ones(int(split.sum()))]


def warn_if_separated_at_zero(
    X, y, wn, intercept, coef, fit_intercept: bool, offset=None, limits=None
) -> None:
    """At lambda = 0 the binomial fit is the maximum likelihood estimate, which does
    not exist when the columns separate the classes (generically so when there are
    at least as many columns as observations). Newton steps from the solver's
    solution (``intercept`` and ``coef`` for the columns ``X`` as given) tell
    (`binomial_null_fit`): a finite maximum stops them at once. With coefficient
    ``limits`` the estimate is taken over the box and fails to exist only along a
    separating direction the box leaves open (a column with both limits finite
    cannot move far; one with only a lower limit only upward): the linear programs
    decide, over those directions.

    Examples
    --------
    >>> import warnings
    >>> X, wn = np.array([[-2.0], [-1.0], [1.0], [2.0]]), np.full(4, 0.25)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_if_separated_at_zero(X, np.array([0.0, 0.0, 1.0, 1.0]), wn, 0.0,
    ...                               np.array([5.0]), True)
    >>> [w.category.__name__ for w in caught]
    ['SeparationWarning']
    """
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
        found = separation(*signed_rows(Z[pos], y[pos]), directions)
    else:
        try:
            fit = binomial_null_fit(X, y, wn, fit_intercept, start=start, offset=offset)
        except np.linalg.LinAlgError:  # Newton products overflow (columns of ~1e170)
            return
        found = fit[1]
    if found is None:
        return
    how = "completely" if found == "complete" else "on part of the observations"
    warn_user(
        f"lambdas: at lambda=0 the fit is unpenalized, and the columns separate the "
        f"two classes {how}: the maximum likelihood estimate does not exist, and the "
        "coefficients reported at lambda=0 are wherever the solver stopped (they grow "
        "with max_iter and a smaller tol). Make the smallest lambda positive",
        SeparationWarning,
    )


def separation(Z: np.ndarray, sign: np.ndarray, directions=None) -> str | None:
    """Whether some d gives ``sign_i z_i'd >= 0`` for every row, with at least one
    strict: "complete" when some d makes all strict, "quasi" otherwise, None when no
    such d exists (Albert & Anderson 1984). Decided by linear programs (Konis 2007):
    maximize ``sum_i sign_i z_i'd`` over the box ``|d_j| <= 1`` (columns scaled to
    unit maximum), then, if positive, the smallest margin; each solution is checked
    in floating point before it counts. ``directions``: (k, 2) bounds of d_j within
    [-1, 1] (e.g. [0, 1] for a coefficient with only a lower limit), default all
    [-1, 1].

    Examples
    --------
    An intercept column and x; the classes tie at x = 1, or overlap:

    >>> Z = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 1.0], [1.0, 2.0]])
    >>> separation(Z, np.array([-1.0, -1.0, 1.0, 1.0]))
    'quasi'
    >>> Z = np.array([[1.0, -1.0], [1.0, 1.0], [1.0, -2.0], [1.0, 2.0]])
    >>> separation(Z, np.array([-1.0, 1.0, 1.0, -1.0])) is None
    True
    """
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
