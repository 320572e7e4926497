"""Regularization paths on arrays: :func:`fit_path` and the engine behind it.

``fit_path`` checks the arrays and options once (a :class:`~penstat.spec.FitSpec`)
and calls :func:`solve`, which standardizes one Fortran-ordered copy of ``X``
(weighted mean and 1/n weighted standard deviation, as glmnet), builds glmnet's
lambda grid, runs a compiled coordinate-descent kernel over it and returns the
coefficients on the original scale. Inner fits (CV folds, resampling replicates)
call :func:`solve` directly.

>>> import numpy as np
>>> from penstat.solver import fit_path
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((50, 4))
>>> y = X[:, 0] - 2 * X[:, 1] + rng.standard_normal(50)
>>> path = fit_path(X, y, nlambda=20)
>>> path.coefs.shape  # glmnet's early stop ended the grid after 15 lambdas
(15, 4)
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse

from penstat._errors import ArgumentError, ConvergenceWarning, DataError, warn_user
from penstat._runner import limit_blas
from penstat._validation import as_design, as_response, check_two_classes
from penstat.family import get_family
from penstat.penalty import group_factors, group_weights
from penstat.solver._cd._binomial import binomial_path
from penstat.solver._cd._gaussian import gaussian_path
from penstat.solver._cd._group import group_binomial_path, group_gaussian_path
from penstat.solver._cd._sparse import (
    sparse_binomial_path,
    sparse_gaussian_path,
    sparse_gram,
)
from penstat.solver.grid import group_lambda_max, lambda_grid, lambda_max_of, null_residual
from penstat.solver.path import DEV_RATIO_MAX, EarlyStop, Path
from penstat.solver.separation import binomial_null_fit, warn_if_separated_at_zero
from penstat.spec import FitSpec

__all__ = [
    "CompactPath",
    "KernelScratch",
    "checked",
    "fit_path",
    "solve",
    "solve_compact",
    "take_rows",
]

# The separation check at lambda = 0 (binomial) works on a dense copy of the
# columns; a sparse X with more entries than this skips it (see fit_path's lambdas).
SEPARATION_DENSE_MAX = 20_000_000


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
    groups: Any = None,
    l1_within: float = 0.0,
) -> Path:
    """Fit a lasso / ridge / elastic-net path (glmnet's objective and lambda grid),
    or a group lasso / group elastic-net path (``groups``).

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
    X : (n, p) array of finite numbers, or a scipy.sparse matrix or array (CSC is
        used as it is; CSR and the other formats are converted to CSC once). A
        sparse ``X`` is never densified: the standardization is kept implicit
        (column means and scales), as in glmnet's sparse fits, and the path is the
        same as that of the dense array. Not modified.
    y : (n,) response; 0/1 (or bool) for ``family="binomial"``. Not modified.
    family : ``"gaussian"`` or ``"binomial"``.
    l1_ratio : L1 / L2 mix in [0, 1]; 1 = lasso, 0 = ridge.
    lambdas : strictly decreasing non-negative penalties, fitted in full. Lambdas in
        any other order are refused (an ``ArgumentError`` says how to sort them),
        so that results always line up with the grid passed. None: glmnet's grid.
        A binomial grid ending at 0 (the maximum likelihood estimate) warns with a
        ``SeparationWarning`` when the columns separate the classes, since that
        estimate then does not exist (checked on a dense copy of the columns; for a
        sparse X of more than 2e7 entries the check is skipped).
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
        optimum on every problem of the benchmark grid (see the solver notes of the
        docs).
        On most lambdas an exact solve on the support ends the iterations earlier
        with the solution to round-off. Binomial: the same kind of coordinate-change
        test on each Newton step (see ``penstat/solver/_cd/_binomial.pyx``).
    max_iter : maximum coordinate sweeps per lambda; a ``ConvergenceWarning`` is
        issued when it is reached (``Path.converged`` tells where).
    groups : (p,) group label per column, or None. With groups the penalty is
        ``lam * sum_g w_g (l1_ratio ||b_g||_2 + (1 - l1_ratio)/2 ||b_g||_2^2)``
        with ``w_g = sqrt(size_g) f_g`` (the factors must be equal inside a group;
        rescaled as above) on the standardized columns: a group's coefficients are
        zero together or nonzero together. Solved by block coordinate descent with
        the exact update of each group (``penstat/solver/_cd/_group.pyx``);
        lambda_max is ``max_g ||grad_g|| / (w_g max(l1_ratio, 1e-3))``. Limits
        are refused with groups.
    l1_within : the sparse-group lasso's L1 share ``a`` in [0, 1] (with groups and
        ``l1_ratio=1`` only): the penalty is
        ``lam * sum_g ((1 - a) w_g ||b_g||_2 + a f_g sum_{j in g} |b_j|)``
        (Simon, Friedman, Hastie & Tibshirani 2013), so that groups are selected and
        columns inside them too. 0 (default) is the group lasso, 1 the lasso.

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
    if type(X).__module__.startswith("dask"):
        # Dask arrays: the path by passes over their row blocks (declared call upwards)
        options = {k: v for k, v in locals().items() if k not in ("X", "y")}
        from penstat.distributed.arrays import fit_path_dask

        return fit_path_dask(X, y, **options)
    Xa, ya, spec = checked(
        X,
        y,
        family=family,
        l1_ratio=l1_ratio,
        lambdas=lambdas,
        nlambda=nlambda,
        lambda_min_ratio=lambda_min_ratio,
        penalty_factor=penalty_factor,
        lower_limits=lower_limits,
        upper_limits=upper_limits,
        weights=weights,
        offset=offset,
        standardize=standardize,
        fit_intercept=fit_intercept,
        tol=tol,
        max_iter=max_iter,
        groups=groups,
        l1_within=l1_within,
    )
    return solve(Xa, ya, spec)


def checked(X: Any, y: Any, family: Any = "gaussian", **options: Any):
    """``(X, y, spec)`` checked: the arrays as :func:`solve` takes them and the
    :class:`~penstat.spec.FitSpec` of :func:`fit_path`'s keyword ``options``.

    Examples
    --------
    >>> X, y, spec = checked([[1.0], [2.0], [4.0]], [1, 0, 1], family="binomial")
    >>> spec.family, y.tolist()
    ('binomial', [1.0, 0.0, 1.0])
    """
    fam = get_family(family)
    Xa = as_design(X, "X")
    n, p = Xa.shape
    if n == 0 or p == 0:
        raise DataError(f"X needs at least one row and one column, got shape {Xa.shape}")
    ya = as_response(y, n, fam.name)
    if options.get("groups") is not None and scipy.sparse.issparse(Xa):
        raise ArgumentError(
            "groups= needs a dense X (the group kernel works on dense columns); pass "
            "X.toarray(), or fit the sparse X without groups"
        )
    return Xa, ya, FitSpec.build(n, p, family=fam.name, **options)


@dataclass
class _Scaled:
    """The standardized problem the kernels solve, and the way back.

    ``Xs`` is the one Fortran copy of X, centred (with an intercept) and scaled by
    the weighted 1/n standard deviation ``xs`` (glmnet scales by the centred sd also
    without an intercept); for a sparse X it is X itself (CSC), the standardization
    kept implicit: column j is ``(x_j - xm_j) * xinv_j`` (``xinv`` 0 for a constant
    column); ``yk`` the response the kernel sees (gaussian: centred and
    scaled by ``ys``; binomial: 0/1), ``wn`` the weights summing to 1, ``sw`` their
    original sum.
    """

    Xs: np.ndarray
    xm: np.ndarray
    xs: np.ndarray
    constant: np.ndarray
    yk: np.ndarray | None
    ym: float
    ys: float
    wn: np.ndarray
    sw: float
    xinv: np.ndarray | None = None

    @property
    def sparse(self) -> bool:
        return self.xinv is not None

    def gradient(self, r: np.ndarray) -> np.ndarray:
        """``Xs' r`` (the standardized columns against ``r``)."""
        if not self.sparse:
            return self.Xs.T @ r
        return self.xinv * (self.Xs.T @ r - self.xm * r.sum())

    def columns(self, cols: np.ndarray) -> np.ndarray:
        """The standardized columns ``cols`` as a dense (n, k) array."""
        if not self.sparse:
            return self.Xs[:, cols]
        dense = self.Xs[:, cols].toarray()
        return (dense - self.xm[cols]) * self.xinv[cols]


def solve(X: np.ndarray, y: np.ndarray, spec: FitSpec, cut_grid=None, rows=None) -> Path:
    """The path of ``spec`` on checked arrays: nothing is validated again.

    ``X`` is a finite float64 (n, p) array, ``y`` the response as
    :func:`~penstat._validation.as_response` returns it, ``spec`` built for these
    rows (its weights and offset are theirs). Only what depends on the rows is
    checked (both classes present, unpenalized columns that fit y exactly). This is
    the entry point of every inner fit: CV folds, the ``l1_ratio`` search and the
    resampling replicates. ``cut_grid``, given with ``spec.lambdas`` None, maps the
    default grid (original scale) to the grid fitted in full (no early stop).

    ``rows`` (integer positions, repeats allowed) fits the rows ``X[rows]`` without
    copying them first: the one standardized copy the kernel needs is gathered from
    ``X`` directly (``y`` and ``spec`` are then those of the rows). BLAS runs on one
    thread (:func:`penstat._runner.limit_blas`): the kernels' products are small,
    and more threads made the path slower on a shared machine (see the performance
    page), and would make the last bits depend on the number of cores.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.5]])
    >>> path = solve(X, np.array([1.0, 0.0, 1.5, 2.0]), FitSpec(nlambda=5))
    >>> path.coefs.shape
    (5, 2)
    """
    n, p = y.shape[0], X.shape[1]
    if rows is not None:
        rows = np.asarray(rows, dtype=np.intp)
    # None: unit weights, never held as a vector of ones (each use below computes
    # what the ones would give, bit for bit)
    w = spec.weights
    pf = spec.penalty.factors(p)
    if spec.family == "binomial":
        check_two_classes(y, _unit_weights(w, n))
    with limit_blas(1):
        if scipy.sparse.issparse(X):
            X = _csc(X if rows is None else X[rows])
            rows = None
            scaled = _standardize_sparse(X, y, _ones_if_none(w, n), spec)
        else:
            scaled = _standardize(X, y, w, spec, rows)
        lams_orig, lams_k, early_stop = _grid(scaled, spec, pf, n, p, cut_grid)
        raw = _run_kernel(scaled, spec, pf, lams_k, early_stop)
        scaled.Xs = None  # the standardized copy is no longer needed
        if spec.family == "gaussian" and not scaled.sparse and not spec.is_group:
            scaled.yk = None  # the kernel's work space since (overwrite_y)
        path = _to_path(y, w, scaled, spec, pf, lams_orig, raw)
        _check_finite(path, scaled)
        if early_stop and path.lambdas.size < lams_k.size:
            path = dataclasses.replace(path, early_stop=_early_stop(path, lams_k.size))
        _warn(X, rows, scaled, spec, path, lams_k.size)
    return path


class CompactPath(NamedTuple):
    """A path kept on the columns that are nonzero somewhere on it (what a CV fold
    needs to predict its held-out rows; few columns when p >> n).

    ``coefs[:, t]`` is column ``cols[t]`` of the :class:`Path` that :func:`solve`
    returns for the same problem, number for number; every other column is 0 at
    every lambda. ``cols`` is sorted.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(4).standard_normal((20, 30))
    >>> path = solve(X, X[:, 7] + X[:, 2], FitSpec(nlambda=5))
    >>> small = CompactPath.of(path)
    >>> small.cols.tolist(), bool(np.array_equal(small.dense(), path.coefs))
    ([2, 7], True)
    """

    lambdas: np.ndarray
    intercepts: np.ndarray
    coefs: np.ndarray
    cols: np.ndarray
    p: int

    def dense(self) -> np.ndarray:
        """The (n_fit, p) coefficients of the whole path."""
        out = np.zeros((self.intercepts.shape[0], self.p))
        out[:, self.cols] = self.coefs
        return out

    @classmethod
    def of(cls, path: Path) -> CompactPath:
        """The compact form of a fitted :class:`Path`."""
        coefs = np.asarray(path.coefs, dtype=float)
        cols = np.flatnonzero(coefs.any(axis=0))
        return cls(
            np.asarray(path.lambdas, dtype=float),
            np.asarray(path.intercepts, dtype=float),
            coefs[:, cols],
            cols,
            coefs.shape[1],
        )


class KernelScratch:
    """Coefficient buffers of the kernels, reused by successive fits of one caller
    (the CV folds of a path) instead of a fresh (nlambda, p) array per fit, whose
    pages are faulted in and written at every fold. One buffer per concurrent fit:
    :meth:`take` hands out a free one (or a new one), :meth:`give` returns it.
    The kernels write every entry of each row they fit, so a reused buffer needs
    no clearing.

    Examples
    --------
    >>> import pickle
    >>> scratch = KernelScratch()
    >>> a = scratch.take(3, 4); scratch.give(a)
    >>> scratch.take(2, 4) is a
    True
    >>> pickle.loads(pickle.dumps(scratch)).take(2, 4) is a  # a process's own pool
    False
    """

    def __init__(self):
        self._free: list[np.ndarray] = []
        self._lock = threading.Lock()

    def take(self, nlam: int, p: int) -> np.ndarray:
        with self._lock:
            for k, buf in enumerate(self._free):
                if buf.shape[0] >= nlam and buf.shape[1] == p:
                    return self._free.pop(k)
        return np.empty((nlam, p))

    def give(self, buf: np.ndarray) -> None:
        with self._lock:
            self._free.append(buf)

    def __getstate__(self) -> dict:
        # a process worker gets an empty pool of its own (a lock does not pickle);
        # a state that is not empty, so that __setstate__ always runs
        return {"pool": "empty"}

    def __setstate__(self, state: dict) -> None:
        self.__init__()


def solve_compact(
    X: np.ndarray,
    y: np.ndarray,
    spec: FitSpec,
    rows=None,
    scratch: KernelScratch | None = None,
) -> CompactPath:
    """:func:`solve`, returning only the columns nonzero somewhere on the path.

    The same checks, warnings and numbers as :func:`solve` (the coefficients of the
    columns kept and the intercepts are identical bit for bit), without the
    (nlambda, p) coefficient array of the result: the kernel writes into a buffer of
    ``scratch`` (reused from fit to fit) and only the columns the path ever moves
    are scaled back and kept. A sparse ``X``, groups or coefficient limits go
    through :func:`solve` (and :meth:`CompactPath.of`).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((30, 50))
    >>> y = X[:, 3] + 0.1 * rng.standard_normal(30)
    >>> full = solve(X, y, FitSpec(nlambda=10))
    >>> small = solve_compact(X, y, FitSpec(nlambda=10))
    >>> bool(np.array_equal(small.dense(), full.coefs)), small.cols[:1].tolist()
    (True, [3])
    """
    if scipy.sparse.issparse(X) or spec.is_group or spec.has_limits:
        return CompactPath.of(solve(X, y, spec, rows=rows))
    n, p = y.shape[0], X.shape[1]
    if rows is not None:
        rows = np.asarray(rows, dtype=np.intp)
    w = spec.weights
    pf = spec.penalty.factors(p)
    if spec.family == "binomial":
        check_two_classes(y, _unit_weights(w, n))
    with limit_blas(1):
        scaled = _standardize(X, y, w, spec, rows)
        lams_orig, lams_k, early_stop = _grid(scaled, spec, pf, n, p, None)
        scratch = KernelScratch() if scratch is None else scratch
        buf = scratch.take(lams_k.size, p)
        # gaussian: the kernel writes each lambda's working set only (in order of
        # entry); the other coefficients are 0
        active = None
        if spec.family == "gaussian":
            active = (np.empty(p, dtype=np.int32), np.empty(lams_k.size, dtype=np.int32))
        try:
            raw = _run_kernel(
                scaled, spec, pf, lams_k, early_stop, coefs_out=buf, active=active
            )
            scaled.Xs = None
            compact = _to_compact(buf, active, raw, scaled, spec, lams_orig)
        finally:
            scratch.give(buf)
        n_fit, nz, sub, intercepts = (
            raw.n_fit,
            compact.cols,
            compact.coefs,
            compact.intercepts,
        )
        _check_finite_arrays(sub, nz, intercepts, compact.lambdas, scaled)
        last = None
        if spec.family == "binomial" and n_fit == lams_k.size and lams_orig[n_fit - 1] == 0:
            last = np.zeros((1, p))
            last[0, nz] = sub[-1]
        view = _PathView(compact.lambdas, intercepts, last, raw.conv[:n_fit].astype(bool))
        _warn(X, rows, scaled, spec, view, lams_k.size)
    return compact


def _to_compact(buf, active, raw: _KernelOut, s: _Scaled, spec: FitSpec, lams_orig):
    """The :class:`CompactPath` of the kernel's rows in ``buf`` (dense, or the
    gaussian kernel's compact rows with ``active``): :func:`_to_path`'s numbers on
    the columns the path moves."""
    n_fit, p = raw.n_fit, buf.shape[1]
    if active is None:
        nz, sub = _scaled_back(buf[:n_fit], s)
    else:
        cols, block = _active_block(buf, *active, n_fit)
        nz, sub = _scaled_back(block, s, cols)
    intercepts = _intercepts(s, spec, raw, sub, nz)
    keep = sub.any(axis=0)
    if not keep.all():
        # a kernel coefficient that the scale change took to 0
        nz, sub = nz[keep], sub[:, keep]
    return CompactPath(lams_orig[:n_fit].copy(), intercepts, sub, nz, p)


class _PathView(NamedTuple):
    """What :func:`_warn` reads of a path (``coefs``: its last row at least)."""

    lambdas: np.ndarray
    intercepts: np.ndarray
    coefs: np.ndarray | None
    converged: np.ndarray


def _unit_weights(w, n: int) -> np.ndarray:
    """``w``, or for None a read-only view of n ones that takes no memory (for the
    element-wise uses of the weights)."""
    return np.broadcast_to(1.0, (n,)) if w is None else w


def _ones_if_none(w, n: int) -> np.ndarray:
    """``w``, or for None a vector of n ones (for products with the weights, which
    must see the same vector as an explicit ``weights=np.ones(n)``)."""
    return np.ones(n) if w is None else w


def _normalized(w, n: int) -> tuple[np.ndarray, float]:
    """The weights summing to 1 and their sum: ``(w / w.sum(), w.sum())``, or for
    None ``1 / n`` in every row and ``n`` (the same numbers: the sum of ones is
    exact and each quotient is rounded once either way)."""
    if w is None:
        return np.full(n, 1.0 / n), float(n)
    sw = float(w.sum())
    return w / sw, sw


def _check_finite(path: Path, s: _Scaled) -> None:
    """A coefficient beyond float64 (a column of scale 1e-300 against a response of
    1e20) is refused naming the column (``DataError.column`` holds its position)."""
    _check_finite_arrays(path.coefs, None, path.intercepts, path.lambdas, s)


def _check_finite_arrays(coefs, cols, intercepts, lambdas, s: _Scaled) -> None:
    """:func:`_check_finite` on coefficients ``coefs`` of the columns ``cols``
    (sorted; None: all columns)."""
    if np.isfinite(coefs.sum()) and np.isfinite(intercepts).all():
        # (a NaN or an infinity makes the sum one; one read of the coefficients,
        # where the mask below is a second array; an overflowing sum looks closer)
        return
    bad = ~np.isfinite(coefs)
    if not bad.any() and np.isfinite(intercepts).all():
        return
    k, j = (
        np.argwhere(bad)[0] if bad.any() else (int(np.argmin(np.isfinite(intercepts))), -1)
    )
    if j >= 0 and cols is not None:
        j = int(cols[j])
    if j < 0:
        raise DataError(
            f"the intercept overflows float64 at lambda={lambdas[k]:.3g}; the "
            "columns or the response have values too large to combine: rescale them"
        )
    exponent = int(np.ceil(np.log10(s.ys) - np.log10(s.xs[j]))) if s.xs[j] > 0 else 0
    error = DataError(
        f"the coefficient of column {j} overflows float64 at lambda="
        f"{lambdas[k]:.3g}: its scale ({s.xs[j]:.3g}) is too small for the "
        f"response's ({s.ys:.3g}); rescale the column (e.g. multiply it by "
        f"1e{max(exponent - 150, 1)}) or the response"
    )
    error.column = int(j)
    raise error


def _early_stop(path: Path, n_grid: int) -> EarlyStop:
    """Which of glmnet's rules ended the path (the kernel tests the ratio first)."""
    rule = "dev_ratio" if path.dev_ratio[-1] > DEV_RATIO_MAX else "dev_change"
    return EarlyStop(rule, float(path.lambdas[-1]), path.lambdas.size, n_grid)


def take_rows(X, rows: np.ndarray):
    """Rows ``rows`` of a checked design (repeats allowed), in the form :func:`solve`
    takes: a Fortran-ordered array, or CSC for a sparse ``X`` (never densified).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> take_rows(sp.eye(3, format="csc"), np.array([2, 2])).toarray().tolist()
    [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
    """
    if scipy.sparse.issparse(X):
        return _csc(X[rows])
    return np.asfortranarray(X[rows])


def _csc(X):
    """A sparse X as CSC with sorted, unique indices (rows of a checked CSC matrix,
    as CV folds and resampling take them, keep that form: no copy then)."""
    Xc = X if X.format == "csc" else X.tocsc()
    if not Xc.has_canonical_format:
        Xc = Xc.copy()
        Xc.sum_duplicates()
    return Xc


def _standardize_sparse(X, y, w, spec: FitSpec) -> _Scaled:
    """:func:`_standardize` for a CSC ``X``, which is kept as it is: the weighted
    means and 1/n standard deviations are computed from the nonzeros (two passes:
    ``sum_nz w (x - m)^2 + m^2 sum_zero w``), and the kernel centres and scales
    implicitly."""
    n, p = X.shape
    sw = float(w.sum())
    wn = w / sw
    mean = X.T @ wn
    counts = np.diff(X.indptr)
    col = np.repeat(np.arange(p), counts)
    wnz = wn[X.indices]
    constant = _constant_columns_sparse(X, w, col)
    if spec.standardize:
        dev = X.data - mean[col]
        # (as floats: bincount of no entries at all gives integers)
        var = np.bincount(col, weights=wnz * dev * dev, minlength=p).astype(float)
        var += mean**2 * (1.0 - np.bincount(col, weights=wnz, minlength=p))
        xs = np.sqrt(np.maximum(var, 0.0))
    else:
        xs = np.ones(p)
    xs[constant | (xs <= 0)] = 1.0
    xinv = 1.0 / xs
    xinv[constant] = 0.0
    xm = mean if spec.fit_intercept else np.zeros(p)
    if spec.family == "gaussian":
        ya = y if spec.offset is None else y - spec.offset
        ym = float(wn @ ya) if spec.fit_intercept else 0.0
        ys = float(np.sqrt(wn @ (ya - ym) ** 2))
        if not ys > 0:
            ys = 1.0
        yk = (ya - ym) / ys
    else:
        ym, ys = 0.0, 1.0
        yk = np.ascontiguousarray(y)
    return _Scaled(X, xm, xs, constant, yk, ym, ys, wn, sw, xinv)


def _constant_columns_sparse(X, w, col) -> np.ndarray:
    """Columns constant over the rows of positive weight (implicit zeros count)."""
    n, p = X.shape
    pos = w > 0
    keep = pos[X.indices]
    vals, cols = X.data[keep], col[keep]
    n_pos = int(np.count_nonzero(pos))
    stored = np.bincount(cols, minlength=p)
    hi = np.full(p, -np.inf)
    lo = np.full(p, np.inf)
    # (the entries are in column order: one reduction per stored column)
    filled = stored > 0
    if filled.any():
        starts = (np.cumsum(stored) - stored)[filled]
        hi[filled] = np.maximum.reduceat(vals, starts)
        lo[filled] = np.minimum.reduceat(vals, starts)
    # a column with an implicit zero among those rows also takes the value 0
    has_zero = stored < n_pos
    hi = np.where(has_zero, np.maximum(hi, 0.0), hi)
    lo = np.where(has_zero, np.minimum(lo, 0.0), lo)
    return hi == lo


def _standardize(X, y, w, spec: FitSpec, rows=None) -> _Scaled:
    """The standardized problem (``w`` None: unit weights)."""
    n, p = y.shape[0], X.shape[1]
    wn, sw = _normalized(w, n)
    # the response first: its temporaries are gone before the copy of X is made
    if spec.family == "gaussian":
        ya = y if spec.offset is None else y - spec.offset  # glmnet: y - offset
        ym = float(wn @ ya) if spec.fit_intercept else 0.0
        seen = ya if w is None else ya[w > 0]
        if spec.fit_intercept and np.ptp(seen) == 0:
            # a constant y is fitted by the intercept alone; its weighted mean can
            # miss the value by round-off, and that residual set lambda_max near
            # 1e-17, so the columns fitted the round-off
            ym = float(seen[0])
        del seen
        yk = ya - ym
        del ya
        ys = float(np.sqrt(wn @ yk**2))
        if not ys > 0:
            ys = 1.0
        yk /= ys  # in place: yk is ours
    else:
        ym, ys = 0.0, 1.0
        yk = np.ascontiguousarray(y)
    Xs = np.empty((n, p), order="F")
    if rows is None:
        mean = wn @ X
        np.subtract(X, mean, out=Xs)
        constant = _constant_columns(X, w)
    elif spec.standardize:
        _gather_rows(X, rows, Xs)
        mean = wn @ Xs
        np.subtract(Xs, mean, out=Xs)
        xs = _column_sd(Xs, wn)
        constant = _constant_among(X, rows, w, mean, xs)
    else:
        _gather_rows(X, rows, Xs)
        mean = wn @ Xs
        constant = _constant_columns(Xs, w)
        np.subtract(Xs, mean, out=Xs)
    if rows is None or not spec.standardize:
        xs = _column_sd(Xs, wn) if spec.standardize else np.ones(p)
    if spec.fit_intercept:
        xm = mean
    else:
        xm = np.zeros(p)
        Xs += mean
    xs[constant | (xs <= 0)] = 1.0
    if spec.standardize:
        Xs /= xs
    if constant.any():
        Xs[:, constant] = 0.0
    return _Scaled(Xs, xm, xs, constant, yk, ym, ys, wn, sw)


def _grid(s: _Scaled, spec: FitSpec, pf, n: int, p: int, cut_grid):
    """(grid on the original scale, grid on the kernel's scale, early stop)."""
    lam_scale = s.ys  # 1 for binomial
    early_stop = spec.lambdas is None and cut_grid is None
    starts_at_max = spec.lambdas is None
    if spec.lambdas is None or not pf.all():
        unpen = np.flatnonzero(pf == 0)
        null_resid = null_residual(
            s.columns(unpen),
            s.yk,
            s.wn,
            pf[unpen],
            spec.family,
            spec.fit_intercept,
            spec.offset,
        )
    if spec.lambdas is None:
        if spec.is_group:
            wg = group_weights(spec.groups, pf)
            lam_max = group_lambda_max(
                s.Xs,
                null_resid,
                s.wn,
                spec.groups,
                wg,
                spec.penalty,
                spec.l1_within,
                group_factors(spec.groups, pf),
            )
        else:
            # in place: null_resid is not read again
            grad = s.gradient(np.multiply(s.wn, null_resid, out=null_resid))
            lam_max = lambda_max_of(grad, pf, spec.penalty)
        if not lam_max > 0:
            # nothing to select (e.g. y constant): any grid gives the null model
            lam_max = 1.0
        lams_orig = lambda_grid(lam_max, spec.nlambda, spec.lambda_min_ratio, n, p)
        lams_orig = lams_orig * lam_scale
        if cut_grid is not None:
            cut = np.asarray(cut_grid(lams_orig), float)
            starts_at_max = cut[0] == lams_orig[0]
            lams_orig = cut
    else:
        lams_orig = spec.lambdas
    lams_k = np.ascontiguousarray(lams_orig / lam_scale)
    if starts_at_max:
        # lambda_max zeroes every penalized coefficient exactly. The solution is the
        # same at every lam >= lambda_max, so the kernel is given a slightly larger
        # one: round-off in lam * l1_ratio * pf, and the solver's own tolerance on the
        # unpenalized coefficients that set the gradient, cannot let one through.
        lams_k[0] *= 1.0 + 1e-6
    return lams_orig, lams_k, early_stop


def _run_kernel(
    s: _Scaled, spec: FitSpec, pf, lams_k, early_stop, coefs_out=None, active=None
):
    """The kernel's path; ``coefs_out``: a (>= nlambda, p) C-ordered buffer for its
    coefficients (its rows beyond the lambdas fitted are left as they were);
    ``active``: the gaussian dense kernel's ``(active_out, n_active_out)`` for
    compact rows (see :func:`_active_block`)."""
    if spec.is_group:
        return _run_group_kernel(s, spec, pf, lams_k, early_stop)
    coefs, b0, dev, n_iter, conv = _outputs(
        lams_k.size, s.Xs.shape[1], with_coefs=coefs_out is None
    )
    if coefs_out is not None:
        coefs = coefs_out
    kernel = _kernel(spec.family)
    extra = {}
    if spec.offset is not None and spec.family == "binomial":
        extra["offset"] = np.ascontiguousarray(spec.offset, dtype=float)  # no copy
    limits_k = _limit_args(spec, s.xs, s.ys, extra)
    if active is not None:
        extra["active_out"], extra["n_active_out"] = active
    if s.sparse:
        kernel = _sparse_kernel(spec.family)
        n = s.Xs.shape[0]
        X_args = (
            s.Xs.data,
            s.Xs.indices.astype(np.intc, copy=False),
            s.Xs.indptr.astype(np.int64, copy=False),
            n,
            np.ascontiguousarray(s.xm),
            np.ascontiguousarray(s.xinv),
        )
        if spec.family == "gaussian" and _sparse_cov_mode(s.Xs):
            extra["gram"] = _sparse_gram(s.Xs, s.wn)
    else:
        X_args = (s.Xs,)
        if spec.family == "gaussian":
            # yk is this call's own (centred and scaled in _standardize) and not read
            # after the kernel: the kernel centres it in place and works in its
            # memory instead of copies of the response
            extra["overwrite_y"] = True
    n_fit = int(
        kernel(
            *X_args,
            np.ascontiguousarray(s.yk, dtype=float),
            np.ascontiguousarray(s.wn),
            np.ascontiguousarray(pf),
            spec.l1_ratio,
            lams_k,
            spec.fit_intercept,
            early_stop,
            spec.tol,
            spec.max_iter,
            coefs,
            b0,
            dev,
            n_iter,
            conv,
            **extra,
        )
    )
    return _KernelOut(coefs, b0, dev, n_iter, conv, n_fit, limits_k)


def _limit_args(spec: FitSpec, xs, ys, extra: dict):
    """The coefficient limits on the kernel's scale (coefficients there are
    ``b * xs / ys``), added to the kernel's keyword arguments ``extra``; None
    without limits."""
    if not spec.has_limits:
        return None
    limits_k = (
        np.ascontiguousarray(spec.lower_limits * (xs / ys)),
        np.ascontiguousarray(spec.upper_limits * (xs / ys)),
    )
    extra["lower"], extra["upper"] = limits_k
    # With limits the deviance can stay flat over a stretch of the grid (the first
    # lambdas when lambda_max, computed without limits, is too large; or every
    # column in the model held at a limit) and then move again, so only the
    # deviance-ratio part of the early stop is kept. glmnet does this (fdev = 0)
    # only when a limit is 0, and otherwise can stop a path after a few lambdas at
    # the null model or at the limits.
    extra["stop_on_change"] = False
    return limits_k


def _group_blocks(spec: FitSpec, pf):
    """The group kernels' layout: the column order that makes every group one
    block, the blocks' starts, the group weights and the sparse-group options."""
    groups = spec.groups
    order = np.argsort(groups, kind="stable")
    starts = np.zeros(groups.max() + 2, dtype=np.int32)
    np.cumsum(np.bincount(groups), out=starts[1:])
    sgl = {}
    if spec.l1_within > 0:
        sgl = {"l1_within": spec.l1_within, "pfg": group_factors(groups, pf)}
    return order, starts, group_weights(groups, pf), sgl


def _group_gaussian(Xk, yk, starts, wg, sgl, spec: FitSpec, lams_k, early_stop,
                    out, mode: int) -> int:  # fmt: skip
    """The gaussian group kernel on rows ``(Xk, yk)`` (columns in group blocks);
    fills ``out = (coefs, dev, n_iter, conv)`` and returns the lambdas fitted."""
    coefs, dev, n_iter, conv = out
    return int(
        group_gaussian_path(
            np.asfortranarray(Xk), np.ascontiguousarray(yk), np.ascontiguousarray(wg),
            starts, spec.l1_ratio, lams_k, early_stop, spec.tol, spec.max_iter,
            coefs, dev, n_iter, conv, mode, **sgl,
        )
    )  # fmt: skip


def _run_group_kernel(s: _Scaled, spec: FitSpec, pf, lams_k, early_stop):
    """The group kernel on the columns reordered so that every group is one block."""
    nlam, p = lams_k.size, s.Xs.shape[1]
    order, starts, wg, sgl = _group_blocks(spec, pf)
    identity = bool(np.all(order == np.arange(p)))
    Xk = s.Xs if identity else np.asfortranarray(s.Xs[:, order])
    coefs, b0, dev, n_iter, conv = _outputs(nlam, p)
    if spec.family == "gaussian":
        # rows scaled by sqrt(w): the loss is 1/2 ||y - X b||^2 (X is already centred
        # with the weighted means, so the intercept, the weighted mean of yk, is 0)
        root = np.sqrt(s.wn)
        # in place: Xk is the standardized copy (or its reordering), which solve()
        # drops after the kernel
        Xk *= root[:, None]
        yk = s.yk - (s.wn @ s.yk if spec.fit_intercept else 0.0)
        n_fit = _group_gaussian(
            Xk, root * yk, starts, wg, sgl, spec, lams_k, early_stop,
            (coefs, dev, n_iter, conv), _group_cov_mode(*Xk.shape),
        )  # fmt: skip
        if spec.fit_intercept:
            b0[:] = s.wn @ s.yk
    else:
        extra = {}
        if spec.offset is not None:
            extra["offset"] = np.ascontiguousarray(spec.offset, dtype=float)
        n_fit = int(
            group_binomial_path(
                Xk,
                np.ascontiguousarray(s.yk, dtype=float),
                np.ascontiguousarray(s.wn),
                np.ascontiguousarray(wg),
                starts,
                spec.l1_ratio,
                lams_k,
                spec.fit_intercept,
                early_stop,
                spec.tol,
                spec.max_iter,
                coefs,
                b0,
                dev,
                n_iter,
                conv,
                **extra,
                **sgl,
                cov=_group_binomial_cov_mode(*Xk.shape),
            )
        )
    if not identity:
        coefs[:, order] = coefs.copy()
    return _KernelOut(coefs, b0, dev, n_iter, conv, n_fit, None)


# The gaussian group kernel's covariance mode (Gram columns X'X_g, O(p k) block
# updates) pays when there are at least GROUP_COV_RATIO rows per column and the
# Gram matrix (p^2 doubles) stays small; see benchmarks/groups.py.
GROUP_COV_RATIO = 2
GROUP_COV_MAX_P = 4000


def _group_cov_mode(n: int, p: int) -> bool:
    """Whether the gaussian group kernel runs in covariance mode for (n, p)."""
    return n >= GROUP_COV_RATIO * p and p <= GROUP_COV_MAX_P


def _group_binomial_cov_mode(n: int, p: int) -> bool:
    """Whether the binomial group kernel starts in covariance mode over the strong
    set (it leaves the mode by itself once the strong set has more than half as
    many columns as there are rows, or more than 2000)."""
    return n >= 2 * GROUP_COV_RATIO


def _outputs(nlam: int, p: int, with_coefs: bool = True):
    """The kernels' output buffers: coefficients (None without ``with_coefs``),
    intercepts, deviances, iteration counts, convergence flags."""
    return (
        np.zeros((nlam, p)) if with_coefs else None,
        np.zeros(nlam),
        np.zeros(nlam),
        np.zeros(nlam, dtype=np.int32),
        np.zeros(nlam, dtype=np.uint8),
    )


class _KernelOut(NamedTuple):
    """The kernel's outputs (standardized scale) and the limits it was given."""

    coefs: np.ndarray
    b0: np.ndarray
    dev: np.ndarray
    n_iter: np.ndarray
    conv: np.ndarray
    n_fit: int
    limits_k: tuple[np.ndarray, np.ndarray] | None


def _gather_rows(X: np.ndarray, rows: np.ndarray, out: np.ndarray) -> None:
    """``out[:] = X[rows]`` (``out`` Fortran-ordered) without a second copy of the
    rows: long columns are taken one at a time straight into ``out`` (``mode="clip"``
    keeps ``np.take`` from buffering; the callers checked the positions), short ones
    in blocks of at most 1/16 of ``out`` (a column at a time costs more than the
    gather there). Blocks of 32 MB were 0.2 X to 0.4 X more at the peak of a CV fold
    of 200k x 100 or 50k x 200."""
    if rows.size >= 1 << 16:
        for j in range(X.shape[1]):
            np.take(X[:, j], rows, out=out[:, j], mode="clip")
        return
    if X.flags.f_contiguous:
        # the rows of a Fortran X are the columns of its C-ordered transpose: one
        # take straight into out's transpose (1.5x-2.5x the blocks below at 31 x 4088)
        np.take(X.T, rows, axis=1, out=out.T, mode="clip")
        return
    step = max(1, min((1 << 22) // max(1, rows.size), X.shape[1] // 16))
    for j in range(0, X.shape[1], step):
        out[:, j : j + step] = X[rows, j : j + step]


def _to_path(y, w, s: _Scaled, spec: FitSpec, pf, lams_orig, raw: _KernelOut) -> Path:
    """The kernel's solutions on the original scale, with their deviances."""
    n_fit = raw.n_fit
    if raw.limits_k is None:
        # the columns nonzero somewhere on the path (few when p >> n): the scale
        # change, the intercepts and the counts touch only those
        coefs = raw.coefs[:n_fit]
        if n_fit < raw.coefs.shape[0]:
            coefs = coefs.copy()  # a path that stopped early keeps only its rows
        nz, sub = _scaled_back(coefs, s)
        # in place (a constant column stays 0 in the kernel)
        if s.constant.any():
            coefs[:, s.constant] = 0.0
        coefs[:, nz] = sub
        return _path_from(y, w, s, spec, pf, lams_orig, raw, coefs, nz)
    with np.errstate(over="ignore", invalid="ignore"):
        coefs = raw.coefs[:n_fit] * (s.ys / s.xs)
        odd = ~np.isfinite(coefs)
        if odd.any():
            # ys / xs alone overflows for a column of scale ~1e-300: (b * ys) / xs
            coefs[odd] = (raw.coefs[:n_fit] * s.ys / s.xs)[odd]
    coefs[:, s.constant] = 0.0
    # a coefficient at its limit in the kernel is reported at exactly that limit (the
    # scale change would move it by an ulp or two)
    lo_k, hi_k = raw.limits_k
    lo, hi = spec.lower_limits, spec.upper_limits
    kern = raw.coefs[:n_fit]
    coefs = np.where((kern == lo_k) & (lo_k != 0), lo, coefs)
    coefs = np.where((kern == hi_k) & (hi_k != 0), hi, coefs)
    np.clip(coefs, lo, hi, out=coefs)
    return _path_from(y, w, s, spec, pf, lams_orig, raw, coefs, None)


def _active_block(buf, active, n_active, n_fit: int) -> tuple[np.ndarray, np.ndarray]:
    """(columns, C-ordered (n_fit, k) coefficients) of the gaussian kernel's compact
    rows in ``buf``: the columns of the final working set ``active[:k]``, sorted,
    with row m's entries beyond its working set ``n_active[m]`` set to 0."""
    k = int(n_active[n_fit - 1]) if n_fit > 0 else 0
    block = buf[:n_fit, :k].copy()
    block[np.arange(k)[None, :] >= n_active[:n_fit, None]] = 0.0
    order = np.argsort(active[:k], kind="stable")
    return active[:k][order].astype(np.intp), np.ascontiguousarray(block[:, order])


def _scaled_back(coefs: np.ndarray, s: _Scaled, cols=None) -> tuple[np.ndarray, np.ndarray]:
    """(the columns ``nz`` nonzero somewhere in the kernel's ``coefs`` (n_fit, p),
    or (n_fit, k) of the sorted columns ``cols``, constant ones left out; their
    coefficients on the original scale)."""
    # (!= 0 then any: the same columns as coefs.any, in one pass that is faster)
    local = np.flatnonzero((coefs != 0).any(axis=0))
    nz = local if cols is None else cols[local]
    keep = ~s.constant[nz]
    nz, local = nz[keep], local[keep]
    kern = coefs[:, local]
    with np.errstate(over="ignore", invalid="ignore"):
        sub = kern * (s.ys / s.xs[nz])
        odd = ~np.isfinite(sub)
        if odd.any():
            # ys / xs alone overflows for a column of scale ~1e-300: (b * ys) / xs
            sub[odd] = (kern * s.ys / s.xs[nz])[odd]
    return nz, sub


def _intercepts(s: _Scaled, spec: FitSpec, raw: _KernelOut, sub, nz) -> np.ndarray:
    """The intercepts on the original scale from the coefficients ``sub`` of the
    columns ``nz`` (None: all columns)."""
    if not spec.fit_intercept:
        return np.zeros(raw.n_fit)
    xm = s.xm if nz is None else s.xm[nz]
    return s.ym + s.ys * raw.b0[: raw.n_fit] - sub @ xm


def _path_from(y, w, s: _Scaled, spec: FitSpec, pf, lams_orig, raw: _KernelOut, coefs, nz):
    """The Path of the coefficients ``coefs`` (original scale), zero outside the
    columns ``nz`` when given."""
    n_fit = raw.n_fit
    sub = coefs if nz is None else coefs[:, nz]
    intercepts = _intercepts(s, spec, raw, sub, nz)
    deviance, null_dev = _deviances(y, w, s, spec, raw.dev[:n_fit])
    dev_ratio = 1.0 - deviance / null_dev if null_dev > 0 else np.zeros(n_fit)
    return Path(
        lambdas=lams_orig[:n_fit].copy(),
        intercepts=intercepts,
        coefs=coefs,
        df=np.count_nonzero(sub, axis=1),
        dev_ratio=dev_ratio,
        deviance=deviance,
        null_deviance=null_dev,
        n_iter=raw.n_iter[:n_fit].astype(np.int64),
        converged=raw.conv[:n_fit].astype(bool),
        spec=spec,
        penalty_factor=pf,
    )


def _deviances(y, w, s: _Scaled, spec: FitSpec, dev):
    """Deviance per lambda with the weights as given, and the null deviance."""
    n, off = y.shape[0], spec.offset
    w = _ones_if_none(w, n)
    if spec.family == "gaussian":
        ya = y if off is None else y - off
        return dev * (s.ys * s.ys * s.sw), float(w @ (ya - s.ym) ** 2)
    fam = get_family("binomial")
    if off is None:
        mu0 = float(s.wn @ y) if spec.fit_intercept else 0.5
        return dev * s.sw, fam.deviance(y, np.full(n, mu0), w)
    # from the linear predictor: an offset can put a row's probability beyond the
    # clip of fam.deviance (|eta| > 35), where only eta gives its deviance
    eta0 = binomial_null_fit(np.zeros((n, 0)), y, s.wn, spec.fit_intercept, offset=off)[0]
    return dev * s.sw, fam.deviance_from_eta(y, eta0, w)


def _warn(X, rows, s: _Scaled, spec: FitSpec, path: Path, nlam: int) -> None:
    """Warnings about the fitted path: no maximum likelihood estimate at lambda 0
    (separation), lambdas that reached ``max_iter``."""
    n_fit = path.lambdas.size
    if spec.family == "binomial" and n_fit == nlam and path.lambdas[-1] == 0.0:
        # centred as for the fit (xm: the weighted means, 0 without intercept), so that
        # a large offset (dates as seconds) cannot hide a separating direction in
        # round-off; constant columns keep coefficient 0
        keep = ~s.constant
        if rows is not None:
            X = X[rows]
        b = path.coefs[-1, keep]
        limits = None
        if spec.has_limits:
            limits = (spec.lower_limits[keep], spec.upper_limits[keep])
        if scipy.sparse.issparse(X):
            if X.shape[0] * int(keep.sum()) > SEPARATION_DENSE_MAX:
                return _warn_unconverged(spec, path)
            X = X.toarray()
        warn_if_separated_at_zero(
            X[:, keep] - s.xm[keep],
            s.yk,
            s.wn,
            path.intercepts[-1] + s.xm[keep] @ b,
            b,
            spec.fit_intercept,
            spec.offset,
            limits,
        )
    _warn_unconverged(spec, path)


def _warn_unconverged(spec: FitSpec, path: Path) -> None:
    n_fit = path.lambdas.size
    if not path.converged.all():
        bad = np.flatnonzero(~path.converged)
        warn_user(
            f"the solver reached max_iter={spec.max_iter} sweeps before tol={spec.tol:g} "
            f"at {bad.size} of {n_fit} lambdas (first at lambda="
            f"{path.lambdas[bad[0]]:.4g}); increase max_iter or tol",
            ConvergenceWarning,
        )


def _column_sd(Xc: np.ndarray, wn: np.ndarray) -> np.ndarray:
    """Weighted root mean square of each (centred) column. A column whose squares
    underflow or overflow (scale below ~1e-150 or above ~1e150) is divided by its
    largest absolute value before squaring, so that it keeps its true scale instead of
    0 (the column was then dropped) or inf."""
    sd = np.sqrt(np.einsum("i,ij,ij->j", wn, Xc, Xc))
    extreme = np.flatnonzero(~((sd > 1e-150) & (sd < 1e150)))
    for j in extreme:
        big = float(np.max(np.abs(Xc[:, j])))
        if big > 0:
            sd[j] = big * np.sqrt(wn @ (Xc[:, j] / big) ** 2)
    return sd


#: a column is tested for constancy only where its weighted sd after centring is at
#: most this share of its mean (see _constant_among)
CONSTANT_SD_SHARE = 1e-6
#: ... or where its mean is this small (products with the weights lose their
#: relative accuracy near the subnormal range)
CONSTANT_TINY_MEAN = 1e-250


def _constant_among(X, rows, w, mean, sd) -> np.ndarray:
    """:func:`_constant_columns` of ``X[rows]`` from the columns that can be constant.

    A column equal to ``c`` on every row of positive weight has the weighted mean
    ``m = c (1 + d)`` with ``|d| <= n eps`` (the weights sum to 1 up to round-off;
    rows of weight 0 add 0), so its centred values are all ``c - m`` and its
    weighted sd is at most ``|c - m| <= 2 n eps |m|``, far below
    ``CONSTANT_SD_SHARE * |m|`` for any n below 1e9. Only the columns at or below
    that (and those with a mean under ``CONSTANT_TINY_MEAN``, or a NaN sd) are
    compared row by row: the same answer as comparing every column, without a pass
    over all of them."""
    with np.errstate(invalid="ignore"):
        spread = sd > CONSTANT_SD_SHARE * np.abs(mean)
    maybe = np.flatnonzero(~spread | (np.abs(mean) < CONSTANT_TINY_MEAN))
    constant = np.zeros(sd.shape[0], dtype=bool)
    if maybe.size:
        constant[maybe] = _constant_columns(X[np.ix_(rows, maybe)], w)
    return constant


def _constant_columns(X: np.ndarray, w) -> np.ndarray:
    rows = X if w is None or np.all(w > 0) else X[w > 0]
    if rows.shape[0] == 0:
        return np.ptp(rows, axis=0) == 0  # (raises, as it did)
    # every row equal to the first: one pass where np.ptp makes two (max and min),
    # in blocks of rows so that the comparison's booleans stay small
    same = np.ones(rows.shape[1], dtype=bool)
    step = max(1, (1 << 20) // max(1, rows.shape[1]))
    for start in range(0, rows.shape[0], step):
        same &= (rows[start : start + step] == rows[0]).all(axis=0)
    return same


def _kernel(family: str):
    return gaussian_path if family == "gaussian" else binomial_path


# The sparse gaussian kernel's covariance mode (a sparse Gram X'WX, one Gram column
# per coordinate move, no pass over the rows) pays when the Gram has at most
# SPARSE_COV_RATIO times the design's nonzeros, as for one-hot blocks, whose levels
# never share a row; see benchmarks/sparse.py and the performance page.
SPARSE_COV_RATIO = 3.5
SPARSE_COV_MAX_NNZ = 50_000_000


def _sparse_cov_mode(X) -> bool:
    """Whether the sparse gaussian kernel runs in covariance mode for the CSC ``X``:
    the Gram's nonzeros, bounded by sum_i r_i^2 (r_i the nonzeros of row i), are at
    most SPARSE_COV_RATIO times nnz(X) and SPARSE_COV_MAX_NNZ."""
    if X.nnz == 0:
        return False
    r = np.bincount(X.indices, minlength=X.shape[0]).astype(np.float64)
    bound = float(r @ r)
    return bound <= SPARSE_COV_RATIO * X.nnz and bound <= SPARSE_COV_MAX_NNZ


def _sparse_gram(X, wn):
    """The CSC arrays of X'WX (W = diag(wn)) for the kernel's covariance mode."""
    return sparse_gram(
        X.data,
        X.indices.astype(np.intc, copy=False),
        X.indptr.astype(np.int64, copy=False),
        X.shape[0],
        np.ascontiguousarray(wn),
    )


def _sparse_kernel(family: str):
    return sparse_gaussian_path if family == "gaussian" else sparse_binomial_path
