"""Binomial (logistic) regularization path kernel.

Solves, for each ``lam`` of a decreasing grid, on standardized data,

    minimize  -sum_i w_i loglik_i(b0, b) + lam * sum_j pf_j (l1_ratio |b_j|
                                                 + (1 - l1_ratio) / 2 b_j^2)

with ``sum_i w_i = 1`` and the intercept ``b0`` unpenalized.

Algorithm (Friedman, Hastie & Tibshirani 2010, JSS 33(1), section 3): a proximal
Newton (IRLS) outer loop builds the quadratic approximation of the log-likelihood
with working weights ``v_i = w_i p_i (1 - p_i)`` and the working residual
``r_i = w_i (y_i - p_i)``; an inner coordinate-descent loop minimizes the penalized
quadratic, cycling on the active set until it settles, then sweeping the working
set once more. From 4000 rows on, where r and the weights no longer fit the
first-level cache, the active set is cycled four columns at a time: the same
updates in the same order, with one pass over r per block (_cd_cycle_blocks). When
the active-set cycles contract slowly (correlated columns), a few
conjugate-gradient iterations solve the model on the current support with the
signs held fixed (a step that changes signs is cut at the first change or projected
onto the orthant, whichever the model prefers), and coordinate descent resumes from
there. Early Newton steps are solved loosely (inexact Newton), the last one tightly.

Safeguards: working weights are floored at ``w_i * PMIN (1 - PMIN)`` (glmnet's
1e-5 clip), so the model never loses curvature, and every Newton step is checked
against the true objective and halved until the objective does not increase. The
gradient in ``r`` always uses the exact probabilities, so the fixed point is the
exact optimum; on separable data the coefficients grow as ``lam`` falls but stay
finite for ``lam > 0``.

Covariance mode (from 50 rows per working-set column): the quadratic model is
solved on the weighted Gram of the working set (BLAS dsyrk), kept while the working
weights move little and grown by the columns that join, with the exact gradient from
one pass (_gram_newton_step): sweeps of coordinate descent find the support, and a
Cholesky solve on the support with the signs held fixed (_gram_support_solve)
replaces the cycles on it.

The loss and the probabilities are evaluated four rows at a time where the CPU has
AVX2/FMA (penstat_loss in _simd.h, with its own exp and log1p), and the
probabilities only when they are next needed.

Along the path: warm starts extrapolated along the secant of the last two
solutions (from the stored linear predictors, without a product with every active
column), sequential strong rules (Tibshirani et al. 2012,
JRSS-B 74(2), eq. 4) to form the working set, and a KKT check of every feature
outside it once the working problem has converged. Columns with no weighted
variance stay at 0; unpenalized columns (``pf == 0``) are always in the working set.

A lambda usually needs one tightly solved Newton step from the warm start. When its
largest move is small (below 1e4 times the threshold below), the next Newton step is
not run: the exact gradient, computed anyway for the KKT check, gives the coordinate
moves a sweep from the new point would make (with the last curvatures), and the
lambda has converged when none reaches the threshold.

Meaning of ``tol``: at each ``lam`` the last Newton step, and the coordinate descent
inside it, have converged when no coordinate moved by ``d`` with
``h_j d^2 >= tol * TOL_SCALE * F``, where ``h_j = sum_i v_i x_ij^2`` is the
curvature of coordinate ``j`` (``h_j d^2 / 2`` is the decrease of the quadratic
model the move bought) and ``F`` is the objective at the warm start. glmnet uses
the same measure with ``TOL_SCALE = 1`` and the null objective in place of ``F``;
with the scale 5e-3 used here the objective at every ``lam`` came within 3e-7
(relative) of the optimum at ``tol = 1e-7`` on the equicorrelated designs of
Friedman et al. (2010) with correlation up to 0.9, n > p and p > n (glmnet's
default is 1e-6 to 3e-4 away there; docs/performance.md).
``max_iter`` caps the coordinate sweeps spent on each ``lam``; ``converged_out``
is 0 where it was reached.

Example (on arrays already standardized by ``penstat.path``)::

    n_fitted = binomial_path(X, y, w, pf, 1.0, lambdas, True, True, 1e-7, 100000,
                             coefs, intercepts, dev, n_iter, converged)
"""

import numpy as np

from libc.math cimport exp, log, log1p, sqrt
from libc.string cimport memcpy, memset
from scipy.linalg.cython_blas cimport daxpy, ddot, dgemm, dsyrk
from scipy.linalg.cython_lapack cimport dpotrf, dpotrs

from penstat.solver._cd._common cimport (
    clip,
    early_stop_reached,
    kkt_violated,
    movable,
    soft_threshold,
    strong_rule_cut,
)

# Probability clip used for the working weights (as glmnet's lognet).
cdef double PMIN = 1e-5
# Scale of ``tol`` against glmnet's convergence measure (see the module docstring).
cdef double TOL_SCALE = 5e-3
# Inexact Newton: looseness of the first inner solve at a lambda, and the inner
# threshold of later ones as a fraction of the previous Newton step.
cdef double FIRST_INNER_LOOSENESS = 1.0
cdef double INNER_FORCING = 1e-3
# Active-set cycles continue until their largest move is A_CYCLE_TIGHTENING times
# the threshold of the working-set sweep that must confirm them: the error left by
# slowly contracting cycles is larger than their last move, and a confirming sweep
# that fails costs a pass over the whole working set.
cdef double A_CYCLE_TIGHTENING = 0.1
# Conjugate gradients on the support: tried every CG_EVERY active-set cycles (counted
# over the Newton step) when more than CG_AFTER_SWEEPS further cycles are predicted;
# at most CG_MAX_IT iterations at first (doubled after each full step that needed them
# all, reset at each lambda and after a step cut by a sign change), stopped when the
# preconditioned residual r'M^-1 r is below CG_TOL times the coordinate threshold.
cdef int CG_EVERY = 2
cdef double CG_AFTER_SWEEPS = 3.0
cdef int CG_MAX_IT = 3
cdef double CG_TOL = 1e-2
# Coordinate moves cannot see the distance to the optimum along a badly conditioned
# direction: every coordinate's move is tiny while the distance is not. That happens
# when the support has at least as many columns as the rows that carry curvature
# (n_eff = (sum v)^2 / sum v^2, small near separation). There, once a lambda has
# taken more than SLOW_SWEEPS sweeps, a tight inner solve that ends in one sweep is
# followed by a conjugate-gradient step on the support (up to its size in
# iterations), which uses the inverse curvature; the Newton step then shows the
# distance the coordinates missed, and the iterations go on.
cdef long SLOW_SWEEPS = 8
# The linear predictor is carried from the residual (r = w (y - q) - v (eta_new -
# eta) gives eta_new in O(n)); it is recomputed from the coefficients, one pass over
# the active columns, at every EXACT_EVERY-th lambda and at the last, so rounding
# cannot accumulate.
cdef int EXACT_EVERY = 10
# Halvings of a Newton step before it is taken as is.
cdef int MAX_HALVINGS = 30
# A sixth of the largest third derivative of log(1 + exp(eta)): 1 / (36 sqrt 3).
cdef double LOGISTIC_C3 = 0.016037507477489607
# A tightly solved Newton step whose largest move is below VERIFY_BELOW times the
# threshold is checked with the exact gradient instead of a further Newton step.
cdef double VERIFY_BELOW = 1e4
# From this many rows on, r and v no longer fit the first-level cache and the
# active-set cycles run block by block (_cd_cycle_blocks); the default of
# binomial_path's blocked_min_n.
cdef int BLOCKED_MIN_N = 4000
# Covariance (Gram) mode of a Newton step (_gram_newton_step): used while the rows
# number at least GRAM_MIN_ROWS_PER_COL times the working set (by measurement: a sweep
# on the Gram costs |W| / n of a sweep over the rows, and it pays from about 50 rows
# a column on; see docs/developer/solver-binomial.md). The Gram is accumulated
# GRAM_ROW_BLOCK rows at a time.
cdef int GRAM_MIN_ROWS_PER_COL = 50
cdef int GRAM_ROW_BLOCK = 512
cdef double GRAM_DRIFT = 0.01
# Sweeps on a Gram cost O(|W|^2), not O(n |W|): covariance mode solves the model to
# GRAM_INNER_TIGHTEN times the threshold of residual mode (whose conjugate-gradient
# steps solve it more closely than the threshold on single moves says).
cdef double GRAM_INNER_TIGHTEN = 1e-2
# Covariance mode solves the model on the support with the signs held fixed (one
# Cholesky factorization of the support's Gram, _gram_support_solve) instead of
# cycling on it, up to GRAM_SOLVE_TRIES times in a row while the step is cut at a
# sign change; a support Gram whose smallest pivot is below GRAM_SOLVE_PIVOT times
# its largest diagonal entry is left to the cycles.
cdef int GRAM_SOLVE_TRIES = 4
cdef double GRAM_SOLVE_PIVOT = 1e-10
# After solves cut GRAM_SOLVE_TRIES times in a row, at most GRAM_CYCLES_AFTER_CUT
# cycles on the support before the next sweep of W and solve (a support that keeps
# changing signs made cycles to the threshold take thousands of cycles at rho 0.8).
cdef int GRAM_CYCLES_AFTER_CUT = 10
# binomial_path's gram_min_rows and gram_solve when they are not given
_GRAM_MIN_ROWS = None
_GRAM_SOLVE = None
# binomial_path's gram_max_k when it is not given (tests set it on the module)
_GRAM_MAX_K = None
# binomial_path's gram_drift when it is not given
_GRAM_DRIFT = None
# Newton steps taken in covariance mode, and Grams formed or grown (read and reset by
# _gram_steps)
cdef long n_gram_steps = 0
cdef long n_gram_builds = 0


def _gram_steps(builds=False):
    """Newton steps taken in covariance mode since the last call (for tests); with
    ``builds``, the pair (steps, Grams formed or grown)."""
    global n_gram_steps, n_gram_builds
    if builds:
        out = (n_gram_steps, n_gram_builds)
    else:
        out = n_gram_steps
    n_gram_steps = 0
    n_gram_builds = 0
    return out


# Timing (thread CPU time) and work counters of the path (docs/developer/solver-binomial.md), compiled
# in only with -DPENSTAT_BINOMIAL_PROFILE=1 (otherwise every use below is a constant
# false branch that the C compiler removes); read and reset by _profile_counters().
cdef extern from *:
    """
    #ifndef PENSTAT_BINOMIAL_PROFILE
    #define PENSTAT_BINOMIAL_PROFILE 0
    #endif
    #include <time.h>
    static double penstat_bprof[32];
    static double penstat_bclock(void) {
    #if PENSTAT_BINOMIAL_PROFILE
        struct timespec t;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
    #else
        return 0.0;
    #endif
    }
    """
    const int PROFILE "PENSTAT_BINOMIAL_PROFILE"
    double bprof "penstat_bprof"[32]
    double bclock "penstat_bclock"() noexcept nogil

# The counters' names, in the order of bprof (times in seconds, then counts).
PROFILE_FIELDS = (
    "t_weights", "t_ws_sweep", "t_cycles", "t_cg", "t_step", "t_exact_loss",
    "t_kkt", "t_extrapolate", "t_other",
    "newton_steps", "ws_sweeps", "cycles", "cg_calls", "halvings", "kkt_passes",
    "kkt_resolves", "cycle_columns", "ws_columns", "cg_iterations", "t_total",
    "t_gram", "gram_steps", "gram_sweeps", "gram_columns", "gram_solves",
)
cdef enum:
    T_WEIGHTS = 0
    T_WS_SWEEP = 1
    T_CYCLES = 2
    T_CG = 3
    T_STEP = 4
    T_EXACT = 5
    T_KKT = 6
    T_EXTRAP = 7
    T_OTHER = 8
    C_NEWTON = 9
    C_WS = 10
    C_CYCLES = 11
    C_CG = 12
    C_HALVINGS = 13
    C_KKT = 14
    C_RESOLVE = 15
    C_CYCLE_COLS = 16
    C_WS_COLS = 17
    C_CG_IT = 18
    T_TOTAL = 19
    T_GRAM = 20
    C_GRAM = 21
    C_GRAM_SWEEPS = 22
    C_GRAM_COLS = 23
    C_GRAM_SOLVES = 24


def _profile_counters():
    """The counters accumulated since the last call (then reset), as a dict; None
    when the kernel was built without -DPENSTAT_BINOMIAL_PROFILE=1."""
    if not PROFILE:
        return None
    out = {name: bprof[k] for k, name in enumerate(PROFILE_FIELDS)}
    for k in range(32):
        bprof[k] = 0.0
    return out


# The loops over rows (AVX2/FMA when the CPU has them, portable C otherwise).
# The first argument of each loop, avx2, picks the AVX2 version (P.avx2).
cdef extern from "_simd.h":
    int penstat_cpu_avx2() noexcept nogil
    double penstat_update_dot(int avx2, int n, double d, const double* v, const double* x,
                              double* r, const double* xn) noexcept nogil
    double penstat_wsumsq(int avx2, int n, const double* v, const double* x) noexcept nogil
    double penstat_update_dot_h(int avx2, int n, double d, const double* v, const double* x,
                                double* r, const double* xn, double* h) noexcept nogil
    void penstat_gather_t(int avx2, int n, int m, const double* X, const int* S,
                          const double* u, double* out) noexcept nogil
    void penstat_gather_n(int avx2, int n, int m, const double* X, const int* S,
                          const double* p, double* t) noexcept nogil
    void penstat_block_gram(int avx2, int n, int nb, const double* X, const int* S,
                            const double* v, double* H) noexcept nogil
    void penstat_block_update(int avx2, int n, int nb, const double* X, const int* S,
                              const double* d, const double* v, double* r) noexcept nogil
    double penstat_loss(int avx2, int n, const double* eta, const double* y,
                        const double* w, double* q) noexcept nogil
    void penstat_expit(int avx2, int n, const double* eta, double* q) noexcept nogil


cdef struct Problem:
    # The data, on the standardized scale (not modified).
    int n
    int p
    int nlam
    const double *X         # n x p, column-major
    const double *y         # in {0, 1}
    const double *w         # weights summing to 1
    const double *pf        # penalty factors
    const double *lambdas
    const double *offset    # NULL without an offset
    const double *lo        # coefficient limits, NULL without them
    const double *hi
    # Options.
    double a                # l1_ratio
    bint fit_intercept
    bint early_stop
    bint stop_change        # early stop also on a small deviance change (off: ratio only)
    double tol
    long max_iter
    bint blocked            # active-set cycles four columns at a time (_cd_cycle_blocks)
    bint avx2               # the AVX2/FMA loops of _simd.h (else the portable ones)
    # Outputs, one row or entry per lambda.
    double *coefs           # nlam x p, row m at coefs + m * coefs_ld
    Py_ssize_t coefs_ld
    double *intercepts
    double *dev_out
    int *iters
    unsigned char *conv
    # The state of the fit.
    double b0               # intercept
    double *b               # coefficients (p)
    double *b_old           # coefficients at the start of the Newton step
    double *xv              # curvatures h_j of the Newton step xv_stamp[j]
    long *xv_stamp
    long stamp              # Newton steps taken
    double *g               # gradients x_j' r
    double *eta             # linear predictor (n)
    double *eta_old         # at the start of the Newton step (copied when its model
                            # is solved: eta does not move while it is, so this
                            # memory is the model's length-n scratch cg_t until then)
    double *eta_lam         # at the solution of the previous lambda (_extrapolate)
    double *r               # working residual
    double *v               # working weights
    double xmz              # sum of v
    double *q               # probabilities
    bint q_stale            # q not yet updated to eta (computed when next needed)
    int *W                  # working set, in order of entry
    int nW
    unsigned char *inW
    int *A                  # active list (columns that have moved), in order of entry
    int nA
    unsigned char *inA
    unsigned char *ju       # usable columns (with weighted variance)
    # Scratch.
    double *cg_t            # n, the memory of eta_old (above)
    double *cg_vec          # 2 n
    int *cg_S               # p
    double *cg_work         # 7 (p + 1)
    double *h_gram          # weighted Gram of the blocks of A, 16 per block
    long *h_stamp           # Newton step of each block's Gram
    int *h_size             # columns in each block's Gram
    # Covariance mode (_gram_newton_step).
    int gram_max_k          # largest working set fitted in covariance mode (0: never)
    bint gram_always        # covariance mode whatever the number of rows (tests)
    double *gram            # gram_ld^2: [1, X_W]' Vg [1, X_W] (_gram_build)
    int gram_ld             # gram_max_k + 1
    int gram_k              # columns of W in it (-1: none yet)
    double *gram_v          # n: its weights Vg
    double gram_drift       # refreshed when sum |v - v_g| > gram_drift sum v_g
    double *gram_rows       # GRAM_ROW_BLOCK (gram_max_k + 1): a block of scaled rows
    double *gram_grad       # gram_max_k + 1: the model's gradients on b0 and W
    int gram_min_rows       # rows per working-set column from which the mode is used
    bint gram_solve         # solve the model on the support (_gram_support_solve)
    double *gram_sub        # gram_ld^2: the support's Gram, then its Cholesky factor
    double *gram_rhs        # gram_ld: the support solve's right-hand side, then step


cdef inline const double* _col(const double* X, int n, int j) noexcept nogil:
    """Column j of the column-major n-row X."""
    return X + <Py_ssize_t> j * n


cdef inline double _dot(int n, const double* a, const double* b) noexcept nogil:
    cdef int one = 1
    return ddot(&n, <double*> a, &one, <double*> b, &one)


cdef inline double _weighted_sumsq(bint avx2, int n, const double* v,
                                   const double* x) noexcept nogil:
    """sum_i v_i x_i^2."""
    return penstat_wsumsq(avx2, n, v, x)


cdef inline void _sub_weighted(int n, double d, const double* v, const double* x,
                               double* r) noexcept nogil:
    """r -= d * v * x (elementwise): the residual update after a coordinate move."""
    cdef int i
    for i in range(n):
        r[i] -= d * v[i] * x[i]


cdef inline double _loss(bint avx2, int n, const double* eta, const double* y,
                        const double* w, double* q) noexcept nogil:
    """Negative weighted log-likelihood; fills q with the probabilities expit(eta).

    -loglik_i = log(1 + exp(eta_i)) - y_i eta_i, computed without overflow
    (penstat_loss in _simd.h; the AVX2 loop with its own exp and log1p).
    """
    return penstat_loss(avx2, n, eta, y, w, q)


cdef double _saturated_loglik(int n, const double* y, const double* w) noexcept nogil:
    """sum_i w_i [y_i log y_i + (1 - y_i) log(1 - y_i)]: exactly 0 for 0/1 labels."""
    cdef double s = 0.0, yi
    cdef int i
    for i in range(n):
        yi = y[i]
        if 0.0 < yi < 1.0:
            s += w[i] * (yi * log(yi) + (1.0 - yi) * log1p(-yi))
    return s


cdef inline void _expit(bint avx2, int n, const double* eta, double* q) noexcept nogil:
    """q = 1 / (1 + exp(-eta)), without overflow (penstat_expit in _simd.h)."""
    penstat_expit(avx2, n, eta, q)


cdef double _null_intercept(bint avx2, int n, const double* off, const double* y,
                            const double* w,
                            double b0, double* eta, double* q) noexcept nogil:
    """The intercept of the model with the linear predictor ``off + b0`` (an offset):
    Newton's method from ``b0``, each step halved until the loss does not increase.
    The loss is strictly convex in b0 and grows without bound when both classes have
    weight, so the iterates converge. Leaves ``eta = off + b0`` and its ``q``."""
    cdef int i, it, h
    cdef double f, f_new, grad, hess, step, t
    for i in range(n):
        eta[i] = off[i] + b0
    f = _loss(avx2, n, eta, y, w, q)
    for it in range(100):
        grad = 0.0
        hess = 0.0
        for i in range(n):
            grad += w[i] * (y[i] - q[i])
            hess += w[i] * q[i] * (1.0 - q[i])
        if not hess > 0.0:
            break
        step = grad / hess
        t = 1.0
        for h in range(60):
            for i in range(n):
                eta[i] = off[i] + b0 + t * step
            f_new = _loss(avx2, n, eta, y, w, q)
            if f_new <= f:
                break
            t *= 0.5
        b0 += t * step
        f = f_new
        if _abs(t * step) <= 1e-13 * (1.0 + _abs(b0)):
            break
    for i in range(n):
        eta[i] = off[i] + b0
    _loss(avx2, n, eta, y, w, q)
    return b0


cdef double _penalty(const Problem* P, double l1, double l2) noexcept nogil:
    """The penalty of the working set's coefficients."""
    cdef double s = 0.0, bj
    cdef int k, j
    cdef const int* W = P.W
    cdef const double* b = P.b
    cdef const double* pf = P.pf
    for k in range(P.nW):
        j = W[k]
        bj = b[j]
        if bj != 0.0:
            s += pf[j] * (l1 * (bj if bj > 0.0 else -bj) + 0.5 * l2 * bj * bj)
    return s


cdef void _cd_sweep(Problem* P, int cnt, const int* idx, double l1, double l2,
                    double* dlx, bint grow) noexcept nogil:
    """One pass of coordinate updates over the columns idx[0..cnt).

    Friedman et al. (2010), eq. 10: b_j <- S(x_j'r + h_j b_j, lam a f_j) /
    (h_j + lam (1 - a) f_j), then r -= (b_j_new - b_j) v x_j. The residual update of
    a coordinate and the gradient of the next one share a pass over r. Columns that
    become nonzero join the active list A (when ``grow``). The curvature h_j is
    computed only when the column can move (it is stamped with the Newton iteration
    it belongs to): a zero coefficient with |x_j'r| <= lam a f_j stays zero.
    With limits (``lo``, ``hi`` not NULL) each update is clipped to [lo_j, hi_j].
    """
    cdef int n = P.n
    cdef const double* X = P.X
    cdef double* b = P.b
    cdef double* xv = P.xv
    cdef const double* pf = P.pf
    cdef const double* v = P.v
    cdef double* r = P.r
    cdef long* xv_stamp = P.xv_stamp
    cdef long stamp = P.stamp
    cdef const double* lo = P.lo
    cdef const double* hi = P.hi
    cdef int k, j, jn
    cdef double gj, bj, bn, d, dd
    if cnt == 0:
        return
    jn = idx[0]
    if b[jn] != 0.0 and xv_stamp[jn] != stamp:
        gj = penstat_update_dot_h(P.avx2, n, 0.0, v, _col(X, n, jn), r, _col(X, n, jn),
                                  &xv[jn])
        xv_stamp[jn] = stamp
    else:
        gj = _dot(n, _col(X, n, jn), r)
    for k in range(cnt):
        j = idx[k]
        bj = b[j]
        if bj == 0.0 and (gj if gj >= 0.0 else -gj) <= l1 * pf[j]:
            bn = 0.0
        else:
            if xv_stamp[j] != stamp:
                xv[j] = _weighted_sumsq(P.avx2, n, v, _col(X, n, j))
                xv_stamp[j] = stamp
            bn = soft_threshold(gj + xv[j] * bj, l1 * pf[j]) / (xv[j] + l2 * pf[j])
            if lo != NULL:
                bn = clip(bn, lo[j], hi[j])
        d = bn - bj
        if d != 0.0:
            b[j] = bn
            dd = xv[j] * d * d
            if dd > dlx[0]:
                dlx[0] = dd
            if grow and not P.inA[j]:
                P.inA[j] = 1
                P.A[P.nA] = j
                P.nA += 1
            if k + 1 >= cnt:
                _sub_weighted(n, d, v, _col(X, n, j), r)
                continue
        elif k + 1 >= cnt:
            continue
        # Gradient of the next coordinate, in the same pass as the residual update;
        # a nonzero coefficient will move, so its curvature is taken from that pass.
        jn = idx[k + 1]
        if b[jn] != 0.0 and xv_stamp[jn] != stamp:
            gj = penstat_update_dot_h(P.avx2, n, d, v, _col(X, n, j), r, _col(X, n, jn),
                                      &xv[jn])
            xv_stamp[jn] = stamp
        elif d != 0.0:
            gj = penstat_update_dot(P.avx2, n, d, v, _col(X, n, j), r, _col(X, n, jn))
        else:
            gj = _dot(n, _col(X, n, jn), r)


cdef inline void _intercept_update(Problem* P, double* dlx) noexcept nogil:
    """Unpenalized intercept move: b0 += sum(r) / sum(v)."""
    cdef int n = P.n
    cdef double* r = P.r
    cdef const double* v = P.v
    cdef double xmz = P.xmz
    cdef double d = 0.0
    cdef int i
    for i in range(n):
        d += r[i]
    d /= xmz
    if d == 0.0:
        return
    P.b0 += d
    for i in range(n):
        r[i] -= d * v[i]
    d = xmz * d * d
    if d > dlx[0]:
        dlx[0] = d


cdef inline double _abs(double a) noexcept nogil:
    return a if a >= 0.0 else -a


cdef inline double _tick(int k, double t0) noexcept nogil:
    """Profile build only: add the time since ``t0`` to counter k; the clock now."""
    cdef double t
    if PROFILE:
        t = bclock()
        bprof[k] += t - t0
        return t
    return 0.0


cdef inline void _count(int k, double c) noexcept nogil:
    """Profile build only: add c to counter k."""
    if PROFILE:
        bprof[k] += c


cdef void _cd_cycle_blocks(Problem* P, double l1, double l2, double* dlx) noexcept nogil:
    """One cycle over the active list A, four columns at a time.

    The same coordinate updates, in the same order, as _cd_sweep over A, with fewer
    passes over r: the gradients of a block come from one pass (X_B' r), the later
    ones corrected for the moves made before them in the block with the block's
    weighted Gram X_B' V X_B, and the residual takes the block's moves in one pass.
    The Gram of each block (``P.h_gram``, 16 entries per block) is kept while the Newton
    step (``stamp``) and the block's columns are the same; A only grows, so only
    its last block changes.
    """
    cdef int n = P.n
    cdef int nA = P.nA
    cdef const int* A = P.A
    cdef const double* X = P.X
    cdef double* b = P.b
    cdef double* xv = P.xv
    cdef const double* pf = P.pf
    cdef const double* v = P.v
    cdef double* r = P.r
    cdef long* xv_stamp = P.xv_stamp
    cdef long stamp = P.stamp
    cdef double* H = P.h_gram
    cdef long* h_stamp = P.h_stamp
    cdef int* h_size = P.h_size
    cdef const double* lo = P.lo
    cdef const double* hi = P.hi
    cdef int q, nb, c, c2, j
    cdef const int* S
    cdef double* Hq
    cdef double g[4]
    cdef double d[4]
    cdef double gj, bj, bn, e
    cdef bint moved
    for q in range((nA + 3) // 4):
        S = A + 4 * q
        nb = nA - 4 * q if nA - 4 * q < 4 else 4
        Hq = H + 16 * q
        if h_stamp[q] != stamp or h_size[q] != nb:
            penstat_block_gram(P.avx2, n, nb, X, S, v, Hq)
            h_stamp[q] = stamp
            h_size[q] = nb
            for c in range(nb):
                xv[S[c]] = Hq[5 * c]
                xv_stamp[S[c]] = stamp
        penstat_gather_t(P.avx2, n, nb, X, S, r, g)
        moved = False
        for c in range(nb):
            j = S[c]
            gj = g[c]
            for c2 in range(c):
                gj -= Hq[4 * c + c2] * d[c2]
            bj = b[j]
            d[c] = 0.0
            if bj == 0.0 and _abs(gj) <= l1 * pf[j]:
                continue
            bn = soft_threshold(gj + xv[j] * bj, l1 * pf[j]) / (xv[j] + l2 * pf[j])
            if lo != NULL:
                bn = clip(bn, lo[j], hi[j])
            d[c] = bn - bj
            if d[c] != 0.0:
                b[j] = bn
                moved = True
                e = xv[j] * d[c] * d[c]
                if e > dlx[0]:
                    dlx[0] = e
        if moved:
            penstat_block_update(P.avx2, n, nb, X, S, d, v, r)


cdef bint _projection_wins(Problem* P, int m, const int* S, double l1, double l2,
                           const double* g, const double* d, const double* u,
                           double step, double* delta, double* t) noexcept nogil:
    """Take the full CG step with the coordinates it carries across zero stopped at
    zero, when that lowers the quadratic model more than the step cut at the first
    crossing (the orthant projection of Andrew and Gao 2007, ICML, section 3.2).

    ``g`` holds X_S' r (and sum r) at the start of the CG step, ``d`` the step on S
    (and the intercept), ``u = X_S d`` (intercept included). Model change of a step
    e: -g'e + e'X'VXe / 2 + the change of the penalty. With limits (``lo`` not
    NULL) the projection also stops coordinates at their limits. Applies the
    projected step (b, b0, r) and returns True when it wins; ``delta`` and ``t`` are
    scratch of m and n doubles.
    """
    cdef int n = P.n
    cdef const double* X = P.X
    cdef double* b = P.b
    cdef bint fit_intercept = P.fit_intercept
    cdef const double* pf = P.pf
    cdef const double* v = P.v
    cdef double* r = P.r
    cdef const double* lo = P.lo
    cdef const double* hi = P.hi
    cdef int i, k, j, one = 1
    cdef double lin = 0.0, quad = 0.0, q_cut, bj, e, sgn, c
    for i in range(n):
        quad += v[i] * u[i] * u[i]
    for k in range(m):
        j = S[k]
        sgn = 1.0 if b[j] > 0.0 else -1.0
        lin -= (g[k] - l1 * pf[j] * sgn - l2 * pf[j] * b[j]) * d[k]
        quad += l2 * pf[j] * d[k] * d[k]
    if fit_intercept:
        lin -= g[m] * d[m]
    q_cut = step * lin + 0.5 * step * step * quad
    memcpy(t, u, n * sizeof(double))
    lin = 0.0
    quad = 0.0
    for k in range(m):
        j = S[k]
        bj = b[j]
        e = d[k]
        if l1 * pf[j] > 0.0 and bj * (bj + e) < 0.0:
            c = -(e + bj)
            daxpy(&n, &c, <double*> _col(X, n, j), &one, t, &one)
            e = -bj
        elif lo != NULL and (bj + e > hi[j] or bj + e < lo[j]):
            c = clip(bj + e, lo[j], hi[j]) - bj - e
            daxpy(&n, &c, <double*> _col(X, n, j), &one, t, &one)
            e += c
        delta[k] = e
        lin += (l2 * pf[j] * bj - g[k]) * e + l1 * pf[j] * (_abs(bj + e) - _abs(bj))
        quad += l2 * pf[j] * e * e
    if fit_intercept:
        lin -= g[m] * d[m]
    for i in range(n):
        quad += v[i] * t[i] * t[i]
    if not lin + 0.5 * quad < q_cut:
        return False
    for k in range(m):
        j = S[k]
        if lo != NULL and (b[j] + d[k] > hi[j] or b[j] + d[k] < lo[j]) \
                and not b[j] * (b[j] + d[k]) < 0.0:
            b[j] = hi[j] if b[j] + d[k] > hi[j] else lo[j]
        else:
            b[j] = 0.0 if delta[k] == -b[j] else b[j] + delta[k]
    if fit_intercept:
        P.b0 += d[m]
    for i in range(n):
        r[i] -= v[i] * t[i]
    return True


cdef int _newton_cg_step(Problem* P, double l1, double l2, double cg_tol,
                         int cg_max_it) noexcept nogil:
    """Solve the quadratic model on the current support with fixed signs.

    Once coordinate descent has found the support S and the signs s of the active
    coefficients, the model restricted to them is a smooth quadratic; its minimizer
    solves (X_S' V X_S + lam (1 - a) F_S) d = X_S' r - lam a F_S s - lam (1 - a) F_S b_S
    (with the intercept as a free coordinate). It is found by conjugate gradients
    preconditioned with the diagonal (Hestenes and Stiefel 1952; matrix-free, two
    passes over X_S per iteration), which needs about sqrt(cond) iterations where
    coordinate descent needs about cond sweeps. A step that changes signs is either
    cut at the first sign change or taken in full with the crossing coordinates
    stopped at zero, whichever lowers the model more (_projection_wins); coordinate
    descent then resumes. X_S d is accumulated from the products X_S p of the
    iterations, so applying the step to the residual needs no further pass over X_S.
    With limits (``lo`` not NULL) coefficients at a limit stay there (out of S), and
    the step is cut where a coefficient reaches a limit, as where one reaches 0.
    Scratch: ``P.cg_S`` (the support), ``P.cg_work`` (7 (m + 1) doubles) and
    ``P.cg_t`` and ``P.cg_vec`` (3 n doubles).

    Returns -1 when the step changed the support (or was not taken), 1 when
    the full step was taken but conjugate gradients stopped at ``cg_max_it``
    iterations before reaching ``cg_tol``, and 0 otherwise.
    """
    cdef int n = P.n
    cdef int nA = P.nA
    cdef const int* A = P.A
    cdef const double* X = P.X
    cdef double* b = P.b
    cdef bint fit_intercept = P.fit_intercept
    cdef const double* pf = P.pf
    cdef const double* v = P.v
    cdef double xmz = P.xmz
    cdef const double* xv = P.xv
    cdef double* r = P.r
    cdef int* S = P.cg_S
    cdef double* work = P.cg_work
    cdef double* t2 = P.cg_vec
    cdef const double* lo = P.lo
    cdef const double* hi = P.hi
    cdef int m = 0, i, k, l, j, it, one = 1, max_it, k_stop = -1
    cdef double rz, rz_new, alpha, beta, pHp, bj, step, tk, sgn, at_stop = 0.0
    cdef double* d
    cdef double* res
    cdef double* z
    cdef double* pd
    cdef double* hp
    cdef double* diag
    cdef double* g
    cdef double* t = P.cg_t
    cdef double* vt = t2
    cdef double* u = t2 + n
    for k in range(nA):
        bj = b[A[k]]
        if bj != 0.0 and (lo == NULL or (bj != lo[A[k]] and bj != hi[A[k]])):
            S[m] = A[k]
            m += 1
    if m == 0:
        return -1
    l = m + (1 if fit_intercept else 0)
    d = work
    res = work + l
    z = work + 2 * l
    pd = work + 3 * l
    hp = work + 4 * l
    diag = work + 5 * l
    g = work + 6 * l
    penstat_gather_t(P.avx2, n, m, X, S, r, res)
    for k in range(m):
        j = S[k]
        bj = b[j]
        sgn = 1.0 if bj > 0.0 else -1.0
        g[k] = res[k]
        res[k] -= l1 * pf[j] * sgn + l2 * pf[j] * bj
        diag[k] = xv[j] + l2 * pf[j]
    if fit_intercept:
        tk = 0.0
        for i in range(n):
            tk += r[i]
        res[m] = tk
        g[m] = tk
        diag[m] = xmz
    rz = 0.0
    for i in range(n):
        u[i] = 0.0
    for k in range(l):
        d[k] = 0.0
        z[k] = res[k] / diag[k]
        pd[k] = z[k]
        rz += res[k] * z[k]
    max_it = l if l < cg_max_it else cg_max_it
    for it in range(max_it):
        if rz <= cg_tol:
            break
        _count(C_CG_IT, 1)
        # hp = (X_S' V X_S + L2) pd
        tk = pd[m] if fit_intercept else 0.0
        for i in range(n):
            t[i] = tk
        penstat_gather_n(P.avx2, n, m, X, S, pd, t)
        for i in range(n):
            vt[i] = v[i] * t[i]
        penstat_gather_t(P.avx2, n, m, X, S, vt, hp)
        pHp = 0.0
        for k in range(m):
            hp[k] += l2 * pf[S[k]] * pd[k]
            pHp += pd[k] * hp[k]
        if fit_intercept:
            tk = 0.0
            for i in range(n):
                tk += vt[i]
            hp[m] = tk
            pHp += pd[m] * tk
        if not pHp > 0.0:
            break
        alpha = rz / pHp
        daxpy(&n, &alpha, t, &one, u, &one)
        rz_new = 0.0
        for k in range(l):
            d[k] += alpha * pd[k]
            res[k] -= alpha * hp[k]
            z[k] = res[k] / diag[k]
            rz_new += res[k] * z[k]
        beta = rz_new / rz
        rz = rz_new
        for k in range(l):
            pd[k] = z[k] + beta * pd[k]
    # Longest step in [0, 1] that keeps every penalized sign.
    step = 1.0
    for k in range(m):
        j = S[k]
        if l1 * pf[j] > 0.0 and b[j] * (b[j] + d[k]) < 0.0:
            tk = -b[j] / d[k]
            if tk < step:
                step = tk
                k_stop = -1
        elif lo != NULL and (b[j] + d[k] > hi[j] or b[j] + d[k] < lo[j]):
            bj = hi[j] if b[j] + d[k] > hi[j] else lo[j]
            tk = (bj - b[j]) / d[k]
            if tk < step:
                step = tk
                k_stop = k
                at_stop = bj
    if step < 1.0 and _projection_wins(P, m, S, l1, l2, g, d, u, step, z, t):
        return -1
    if step <= 0.0:
        return -1
    # The coordinate that stops the step lands on 0 (up to rounding, which the exact
    # recomputation of the linear predictor along the path removes).
    for k in range(m):
        j = S[k]
        bj = b[j] + step * d[k]
        if l1 * pf[j] > 0.0 and b[j] * bj <= 0.0:
            bj = 0.0
        elif lo != NULL:
            bj = clip(bj, lo[j], hi[j])
        b[j] = bj
    if k_stop >= 0:
        # the coefficient that stops the step lands on its limit
        b[S[k_stop]] = at_stop
    if fit_intercept:
        P.b0 += step * d[m]
    for i in range(n):
        r[i] -= step * v[i] * u[i]
    if step < 1.0:
        return -1
    return 1 if (rz > cg_tol and max_it < l) else 0


cdef inline void _gram_move(Problem* P, int c, int k, int ld, double l1, double l2,
                            double* dlx) noexcept nogil:
    """Covariance-mode coordinate update of W[c] (see _gram_newton_step)."""
    cdef int j = P.W[c], c2
    cdef const double* Mc = P.gram + <Py_ssize_t> (c + 1) * ld
    cdef double* gr = P.gram_grad
    cdef double bj = P.b[j], gj = gr[c + 1], h, bn, d, e
    cdef double pfj = P.pf[j]
    if bj == 0.0 and _abs(gj) <= l1 * pfj:
        return
    h = Mc[c + 1]
    bn = soft_threshold(gj + h * bj, l1 * pfj) / (h + l2 * pfj)
    if P.lo != NULL:
        bn = clip(bn, P.lo[j], P.hi[j])
    d = bn - bj
    if d == 0.0:
        return
    P.b[j] = bn
    for c2 in range(k + 1):
        gr[c2] -= d * Mc[c2]
    e = h * d * d
    if e > dlx[0]:
        dlx[0] = e
    if not P.inA[j]:
        P.inA[j] = 1
        P.A[P.nA] = j
        P.nA += 1


cdef inline void _gram_intercept(Problem* P, int k, double* dlx) noexcept nogil:
    """Covariance-mode move of the intercept (index 0 of the Gram)."""
    cdef const double* M0 = P.gram
    cdef double* gr = P.gram_grad
    cdef double d = gr[0] / M0[0], e
    cdef int c2
    if d == 0.0:
        return
    P.b0 += d
    for c2 in range(k + 1):
        gr[c2] -= d * M0[c2]
    e = M0[0] * d * d
    if e > dlx[0]:
        dlx[0] = e


cdef void _gram_build(Problem* P, int k, bint refresh) noexcept nogil:
    """The Gram M = Z'Z of Z = Vg^(1/2) [1, X_W] (index 0 the intercept, c + 1 the
    column W[c]; leading dimension P.gram_ld), Vg the weights of the last refresh
    (``P.gram_v``): all of it when ``refresh`` (Vg = V, BLAS dsyrk), else only the
    columns of W that joined since (BLAS dgemm against all of W). By blocks of
    GRAM_ROW_BLOCK rows, so the scaled rows need no copy of X."""
    cdef int n = P.n
    cdef int ld = P.gram_ld
    cdef int m = k + 1
    cdef int gk = P.gram_k
    cdef int nnew = k - gk
    cdef const int* W = P.W
    cdef double* M = P.gram
    cdef double* Z = P.gram_rows
    cdef double* vg = P.gram_v
    cdef int i, i0, nb, c, c2
    cdef double alpha = 1.0, beta = 0.0
    cdef const double* xj
    cdef double* zc
    cdef char uplo = b'U'
    cdef char tr = b'T'
    cdef char nt = b'N'
    if refresh:
        memcpy(vg, P.v, n * sizeof(double))
    i0 = 0
    while i0 < n:
        nb = n - i0 if n - i0 < GRAM_ROW_BLOCK else GRAM_ROW_BLOCK
        for i in range(nb):
            Z[i] = sqrt(vg[i0 + i])
        for c in range(k):
            xj = _col(P.X, n, W[c]) + i0
            zc = Z + <Py_ssize_t> (c + 1) * nb
            for i in range(nb):
                zc[i] = xj[i] * Z[i]
        if refresh:
            dsyrk(&uplo, &tr, &m, &nb, &alpha, Z, &nb, &beta, M, &ld)
        else:
            dgemm(&tr, &nt, &m, &nnew, &nb, &alpha, Z, &nb,
                  Z + <Py_ssize_t> (gk + 1) * nb, &nb, &beta,
                  M + <Py_ssize_t> (gk + 1) * ld, &ld)
        beta = 1.0
        i0 += nb
    # the lower triangle from the upper
    for c in range(1 if refresh else gk + 1, m):
        for c2 in range(c if refresh else gk + 1):
            M[<Py_ssize_t> c2 * ld + c] = M[<Py_ssize_t> c * ld + c2]
    P.gram_k = k


cdef int _gram_support_solve(Problem* P, int k, int ld, double l1, double l2,
                             const int* act, int na) noexcept nogil:
    """Minimize the covariance-mode model over its support (the columns W[act[a]],
    a < na, whose coefficients are nonzero, and the intercept) with their signs held
    fixed: on that face the model is a quadratic whose minimizer solves
    (M_SS + l2 diag pf) d = g_S - l2 pf b_S - l1 pf sign(b_S) (the intercept's row
    without penalty), by Cholesky. The step is cut where the first coefficient
    reaches zero (that one is set to 0); along the segment the convex model
    decreases. Returns 0 for the full step, 1 for a cut one, -1 when the support's
    Gram is singular to working precision (nothing moved)."""
    cdef int off = 1 if P.fit_intercept else 0
    cdef int m = na + off
    cdef double* S = P.gram_sub
    cdef double* d = P.gram_rhs
    cdef double* gr = P.gram_grad
    cdef const double* M = P.gram
    cdef double* b = P.b
    cdef const int* W = P.W
    cdef int a, a2, ia, ib, j, info = 0, one = 1, cut = -1, c2
    cdef double pfj, bj, t = 1.0, tc, dmax = 0.0, step
    cdef char uplo = b'U'
    if m == 0:
        return -1
    for a in range(m):
        ia = 0 if a < off else act[a - off] + 1
        for a2 in range(a + 1):
            ib = 0 if a2 < off else act[a2 - off] + 1
            S[<Py_ssize_t> a * m + a2] = M[<Py_ssize_t> ia * ld + ib]
        if a < off:
            d[a] = gr[0]
        else:
            j = W[act[a - off]]
            pfj = P.pf[j]
            bj = b[j]
            S[<Py_ssize_t> a * m + a] += l2 * pfj
            d[a] = gr[ia] - l2 * pfj * bj - (l1 * pfj if bj > 0.0 else -l1 * pfj)
        if S[<Py_ssize_t> a * m + a] > dmax:
            dmax = S[<Py_ssize_t> a * m + a]
    # S holds the lower triangle row by row: the upper one column by column
    dpotrf(&uplo, &m, S, &m, &info)
    if info != 0:
        return -1
    for a in range(m):
        if S[<Py_ssize_t> a * m + a] * S[<Py_ssize_t> a * m + a] < GRAM_SOLVE_PIVOT * dmax:
            return -1
    dpotrs(&uplo, &m, &one, S, &m, d, &m, &info)
    if info != 0:
        return -1
    for a in range(off, m):
        bj = b[W[act[a - off]]]
        if (bj > 0.0 and bj + d[a] < 0.0) or (bj < 0.0 and bj + d[a] > 0.0):
            tc = -bj / d[a]
            if tc < t:
                t = tc
                cut = a
    for a in range(m):
        ia = 0 if a < off else act[a - off] + 1
        if a < off:
            step = t * d[a]
            P.b0 += step
        else:
            j = W[act[a - off]]
            step = -b[j] if a == cut else t * d[a]
            b[j] = 0.0 if a == cut else b[j] + step
        if step == 0.0:
            continue
        for c2 in range(k + 1):
            gr[c2] -= step * M[<Py_ssize_t> ia * ld + c2]
    return 0 if cut < 0 else 1


cdef long _gram_newton_step(Problem* P, double l1, double l2, double shr_in,
                            double b0_old, long max_sweeps) noexcept nogil:
    """Minimize the Newton step's quadratic model over the working set W in covariance
    mode; return the sweeps made (at most ``max_sweeps``).

    The model, in the moves d = b_W - b_old_W and d0 of the intercept, is
    -g'(d0, d) + (d0, d)' M (d0, d) / 2 + the penalty of b_W, with the exact gradient
    g = (sum r, X_W'r) (one blocked pass) and M the weighted Gram of [1, X_W]
    (_gram_build). Coordinate descent on it needs no pass over the rows
    (covariance updates, Friedman, Hastie & Tibshirani 2010, JSS 33(1), section
    2.2): a move d_j changes the model's gradients by -M[:, j] d_j. The sweeps are
    those of residual mode: the working set, then cycles over its nonzero
    coefficients until their largest move is A_CYCLE_TIGHTENING times the
    threshold, until a sweep moves no coordinate by ``h_j d^2 >= shr_in``.

    M is formed with the weights of its last refresh and kept while the weights
    move little (sum |v - v_g| <= P.gram_drift sum v_g); columns that join W are
    appended. A Gram with older weights makes the step a quasi-Newton step with
    the exact gradient: the fixed point, the step control and the convergence
    check (the exact gradient with the diagonal of M) are those of residual mode.
    Then ``r -= V (X_W d + d0)`` with the current weights, one pass over the moved
    columns, as residual mode leaves it (the step control takes the new linear
    predictor from r).
    """
    cdef int n = P.n
    cdef int k = P.nW
    cdef int ld = P.gram_ld
    cdef const int* W = P.W
    cdef const double* X = P.X
    cdef double* b = P.b
    cdef const double* b_old = P.b_old
    cdef const double* v = P.v
    cdef const double* vg = P.gram_v
    cdef double* r = P.r
    cdef double* M = P.gram
    cdef double* gr = P.gram_grad
    cdef int* act = P.cg_S
    cdef double* vals = P.cg_work
    cdef double* t = P.cg_t
    cdef int i, c, j, na, nm, st, tries, ncyc
    cdef double s, sg, dlx, a_thr
    cdef long sweeps = 0
    cdef bint refresh = P.gram_k < 0
    cdef bint solve = P.gram_solve and P.lo == NULL
    global n_gram_steps, n_gram_builds
    n_gram_steps += 1
    if not refresh:
        s = 0.0
        sg = 0.0
        for i in range(n):
            s += _abs(v[i] - vg[i])
            sg += vg[i]
        refresh = s > P.gram_drift * sg
    if refresh or k > P.gram_k:
        _gram_build(P, k, refresh)
        n_gram_builds += 1
    penstat_gather_t(P.avx2, n, k, X, W, r, gr + 1)
    s = 0.0
    for i in range(n):
        s += r[i]
    gr[0] = s
    for c in range(k):
        j = W[c]
        P.xv[j] = M[<Py_ssize_t> (c + 1) * ld + c + 1]
        P.xv_stamp[j] = P.stamp
    if not M[0] > 0.0:
        return 0
    shr_in *= GRAM_INNER_TIGHTEN
    while sweeps < max_sweeps:
        sweeps += 1
        dlx = 0.0
        for c in range(k):
            _gram_move(P, c, k, ld, l1, l2, &dlx)
        if P.fit_intercept:
            _gram_intercept(P, k, &dlx)
        if dlx < shr_in:
            break
        if solve:
            st = 1
            tries = 0
            while st == 1 and tries < GRAM_SOLVE_TRIES:
                na = 0
                for c in range(k):
                    if b[W[c]] != 0.0:
                        act[na] = c
                        na += 1
                st = _gram_support_solve(P, k, ld, l1, l2, act, na)
                tries += 1
            sweeps += tries
            _count(C_GRAM_SOLVES, tries)
            if st == 0:
                continue  # a sweep of W confirms the support or lets columns in
            if st == -1:
                solve = False
        a_thr = shr_in * A_CYCLE_TIGHTENING
        na = 0
        for c in range(k):
            if b[W[c]] != 0.0:
                act[na] = c
                na += 1
        ncyc = 0
        while sweeps < max_sweeps:
            sweeps += 1
            dlx = 0.0
            for c in range(na):
                _gram_move(P, act[c], k, ld, l1, l2, &dlx)
            if P.fit_intercept:
                _gram_intercept(P, k, &dlx)
            if dlx < a_thr:
                break
            ncyc += 1
            if solve and ncyc >= GRAM_CYCLES_AFTER_CUT:
                break
    # r -= V (X_W d + d0)
    nm = 0
    for c in range(k):
        j = W[c]
        if b[j] != b_old[j]:
            act[nm] = j
            vals[nm] = b[j] - b_old[j]
            nm += 1
    s = P.b0 - b0_old
    for i in range(n):
        t[i] = s
    penstat_gather_n(P.avx2, n, nm, X, act, vals, t)
    for i in range(n):
        r[i] -= v[i] * t[i]
    return sweeps


cdef double _extrapolate(Problem* P, const double* b_prev, double b0_prev,
                         double lam_prev, double lam, double lam_next,
                         double loss) noexcept nogil:
    """Move the warm start for ``lam_next`` along the path; return its loss.

    Between changes of the support the solution is a smooth function of log lam,
    so the secant through the solutions at ``lam_prev`` and ``lam`` predicts the one
    at ``lam_next`` with an error of second order in the step instead of first
    order (on the equicorrelated designs of the benchmark, an objective 20 to 100
    times closer to the optimum than the plain warm start). Coordinates the secant
    would carry across zero are set to zero, and the prediction is kept only when
    it lowers the objective at ``lam_next``; otherwise b, b0 and eta are restored
    (and q marked stale).

    The secant's linear predictor is ``eta + t (eta - eta_lam)`` (``P.eta_lam``: the
    one at ``lam_prev``, kept by the last call), corrected by one product with the
    few columns whose move is not the secant's (those it would carry across zero or
    past a limit, and those that left the model), instead of a product with every
    active column. ``P.eta_lam`` then takes the linear predictor at ``lam``.
    ``b_prev``: the coefficients at ``lam_prev``. Scratch: P.eta_old and P.b_old
    (the saved point), P.cg_S and P.cg_work (the corrections).
    """
    cdef int n = P.n
    cdef int nA = P.nA
    cdef const int* A = P.A
    cdef const double* X = P.X
    cdef double* b = P.b
    cdef bint fit_intercept = P.fit_intercept
    cdef double a = P.a
    cdef const double* pf = P.pf
    cdef double* eta = P.eta
    cdef double* eta_save = P.eta_old
    cdef double* eta_lam = P.eta_lam
    cdef double* b_save = P.b_old
    cdef const double* y = P.y
    cdef const double* w = P.w
    cdef double* q = P.q
    cdef int* moved = P.cg_S
    cdef double* moves = P.cg_work
    cdef const double* lo = P.lo
    cdef const double* hi = P.hi
    cdef int i, k, j, n_moved = 0
    cdef double t, d, bj, l1, l2, f_old, loss_new, pen_new, b0_save, secant
    cdef bint avx2 = P.avx2
    t = log(lam_next / lam) / log(lam / lam_prev) if lam_prev > lam > lam_next > 0.0 \
        else 0.0
    if not 0.0 < t <= 2.0:
        memcpy(eta_lam, eta, n * sizeof(double))
        return loss
    l1 = a * lam_next
    l2 = (1.0 - a) * lam_next
    f_old = loss + _penalty(P, l1, l2)
    for k in range(nA):
        b_save[A[k]] = b[A[k]]
    b0_save = P.b0
    # eta - eta_lam = (b0 - b0_prev) + X (b - b_prev): the secant on every column
    # and the intercept (b0 does not move without one)
    if fit_intercept:
        P.b0 += t * (P.b0 - b0_prev)
    for i in range(n):
        eta_save[i] = eta[i]
        eta[i] += t * (eta[i] - eta_lam[i])
    for k in range(nA):
        j = A[k]
        bj = b[j]
        secant = t * (bj - b_prev[j])
        d = secant
        if bj == 0.0:
            d = 0.0
        elif l1 * pf[j] > 0.0 and bj * (bj + d) <= 0.0:
            d = -bj
        elif lo != NULL:
            d = clip(bj + d, lo[j], hi[j]) - bj
        if d != 0.0:
            b[j] = bj + d
        if d != secant:
            moved[n_moved] = j
            moves[n_moved] = d - secant
            n_moved += 1
    penstat_gather_n(P.avx2, n, n_moved, X, moved, moves, eta)
    memcpy(eta_lam, eta_save, n * sizeof(double))
    loss_new = _loss(avx2, n, eta, y, w, q)
    pen_new = _penalty(P, l1, l2)
    if loss_new + pen_new < f_old:
        return loss_new
    memcpy(eta, eta_save, n * sizeof(double))
    for k in range(nA):
        b[A[k]] = b_save[A[k]]
    P.b0 = b0_save
    P.q_stale = True
    return loss


cdef void _exact_eta(Problem* P, const double* bc, double b0c,
                     double* out) noexcept nogil:
    """out = offset + b0c + X bc, from the coefficients ``bc`` (nonzero only on A)."""
    cdef int n = P.n
    cdef int i, k, j, m = 0
    cdef int* S = P.cg_S
    cdef double* vals = P.cg_work
    for i in range(n):
        out[i] = b0c + (P.offset[i] if P.offset != NULL else 0.0)
    for k in range(P.nA):
        j = P.A[k]
        if bc[j] != 0.0:
            S[m] = j
            vals[m] = bc[j]
            m += 1
    penstat_gather_n(P.avx2, n, m, P.X, S, vals, out)


cdef int _fit_path(Problem* P) noexcept nogil:
    """Fit the path of P lambda by lambda into P's outputs; returns the number of
    lambdas fitted (fewer than P.nlam after an early stop)."""
    cdef int n = P.n
    cdef bint avx2 = P.avx2
    cdef int p = P.p
    cdef int nlam = P.nlam
    cdef const double* X = P.X
    cdef const double* y = P.y
    cdef const double* w = P.w
    cdef const double* pf = P.pf
    cdef const double* lambdas = P.lambdas
    cdef const double* offset = P.offset
    cdef const double* lop = P.lo
    cdef const double* hip = P.hi
    cdef double a = P.a
    cdef bint fit_intercept = P.fit_intercept
    cdef double tol = P.tol
    cdef long max_iter = P.max_iter
    cdef double* b = P.b
    cdef double* b_old = P.b_old
    cdef double* xv = P.xv
    cdef long* xv_stamp = P.xv_stamp
    cdef double* g = P.g
    cdef double* eta = P.eta
    cdef double* eta_old = P.eta_old
    cdef double* r = P.r
    cdef double* v = P.v
    cdef double* q = P.q
    cdef int* W = P.W
    cdef const int* A = P.A
    cdef unsigned char* inW = P.inW
    cdef unsigned char* inA = P.inA
    cdef unsigned char* ju = P.ju
    cdef int* cg_S = P.cg_S
    cdef double* cg_work = P.cg_work
    cdef int i, j, k, m, halvings, n_viol, n_cycles
    cdef int cg_cap, cg_status, n_chk
    cdef double a_thr
    cdef long sweeps, gram_sweeps
    cdef double ybar, b0_old, dev0, sat, lam, lam_prev, l1, l2, tlam
    cdef double loss, f_cur, f_new, dlx, d, xmz = 0.0, t, qi, vfloor, dev, devr
    cdef double devr_prev = 0.0
    cdef double shr_lam, shr_in, dlx_prev, bound, pen_new, pen_cur
    cdef bint slow
    cdef bint converged
    cdef bint verify = False
    cdef double bj, vsq
    cdef double tp = bclock(), t_start = tp

    vfloor = PMIN * (1.0 - PMIN)

    # Columns with no weighted variance (constant, or nonzero only where w = 0)
    # stay at 0 and are never visited.
    for j in range(p):
        b[j] = 0.0
        inW[j] = 0
        inA[j] = 0
        ju[j] = 1 if _weighted_sumsq(P.avx2, n, w, _col(X, n, j)) > 0.0 else 0

    # Null model: intercept only (or eta = 0 without an intercept), plus the offset.
    ybar = 0.0
    for i in range(n):
        ybar += w[i] * y[i]
    if fit_intercept and 0.0 < ybar < 1.0:
        P.b0 = log(ybar / (1.0 - ybar))
    if offset != NULL:
        if fit_intercept and 0.0 < ybar < 1.0:
            P.b0 = _null_intercept(P.avx2, n, offset, y, w, P.b0, eta, q)
        else:
            for i in range(n):
                eta[i] = offset[i] + P.b0
    else:
        for i in range(n):
            eta[i] = P.b0
    loss = _loss(avx2, n, eta, y, w, q)
    # deviances are taken from the saturated model, whose log-likelihood is 0 for
    # 0/1 labels and sum w [y log y + (1 - y) log(1 - y)] for proportions (glmnet)
    sat = _saturated_loglik(n, y, w)
    dev0 = 2.0 * (loss + sat)

    for i in range(n):
        r[i] = w[i] * (y[i] - q[i])
    for j in range(p):
        g[j] = 0.0
        if ju[j]:
            g[j] = _dot(n, _col(X, n, j), r)
            if pf[j] == 0.0:
                inW[j] = 1
                W[P.nW] = j
                P.nW += 1

    lam_prev = lambdas[0] if nlam > 0 else 0.0
    for m in range(nlam):
        tp = _tick(T_OTHER, tp)
        lam = lambdas[m]
        l1 = a * lam
        l2 = (1.0 - a) * lam
        # Sequential strong rule: keep j if |g_j| > a (2 lam - lam_prev) f_j (lam_prev
        # is lam at the first lambda).
        tlam = strong_rule_cut(a, lam, lam_prev)
        for j in range(p):
            if ju[j] and not inW[j] and movable(g[j], lop, hip, j) > tlam * pf[j]:
                inW[j] = 1
                W[P.nW] = j
                P.nW += 1

        sweeps = 0
        converged = False
        cg_cap = CG_MAX_IT
        pen_cur = _penalty(P, l1, l2)
        f_cur = loss + pen_cur
        shr_lam = tol * TOL_SCALE * f_cur
        # Inexact Newton: early quadratic models are solved loosely, the last one to
        # shr_lam (a step is accepted as final only after a tight inner solve).
        shr_in = shr_lam * FIRST_INNER_LOOSENESS
        while True:
            # ---- proximal Newton on the working set ----
            converged = False
            while sweeps < max_iter:
                if P.q_stale:
                    _expit(avx2, n, eta, q)
                    P.q_stale = False
                xmz = 0.0
                vsq = 0.0
                for i in range(n):
                    qi = q[i]
                    t = qi * (1.0 - qi)
                    if t < vfloor:
                        t = vfloor
                    v[i] = w[i] * t
                    xmz += v[i]
                    vsq += v[i] * v[i]
                    r[i] = w[i] * (y[i] - qi)
                P.xmz = xmz
                P.stamp += 1
                for k in range(P.nW):
                    j = W[k]
                    b_old[j] = b[j]
                b0_old = P.b0
                tp = _tick(T_WEIGHTS, tp)
                _count(C_NEWTON, 1)

                if (P.gram_max_k > 0 and P.nW <= P.gram_max_k
                        and (P.gram_always or n >= P.gram_min_rows * P.nW)):
                    # covariance mode: the model from one pass that forms its Gram
                    gram_sweeps = _gram_newton_step(P, l1, l2, shr_in, b0_old,
                                                    max_iter - sweeps)
                    sweeps += gram_sweeps
                    tp = _tick(T_GRAM, tp)
                    _count(C_GRAM_SWEEPS, gram_sweeps)
                    _count(C_GRAM, 1)
                    _count(C_GRAM_COLS, P.nW)
                else:
                    # Coordinate descent on the quadratic model: a sweep of the working
                    # set, then cycles over the active set until they settle.
                    n_cycles = 0
                    dlx_prev = 0.0
                    while sweeps < max_iter:
                        sweeps += 1
                        dlx = 0.0
                        if P.blocked:
                            # the active list by blocks, then the rest of the working set
                            _cd_cycle_blocks(P, l1, l2, &dlx)
                            n_chk = 0
                            for k in range(P.nW):
                                if not inA[W[k]]:
                                    cg_S[n_chk] = W[k]
                                    n_chk += 1
                            _cd_sweep(P, n_chk, cg_S, l1, l2, &dlx, True)
                        else:
                            _cd_sweep(P, P.nW, W, l1, l2, &dlx, True)
                        if fit_intercept:
                            _intercept_update(P, &dlx)
                        tp = _tick(T_WS_SWEEP, tp)
                        _count(C_WS, 1)
                        _count(C_WS_COLS, P.nW)
                        if dlx < shr_in:
                            # nA >= n_eff, without the division (see SLOW_SWEEPS)
                            if (shr_in <= shr_lam and sweeps > SLOW_SWEEPS and P.nA >= 2
                                    and xmz * xmz <= P.nA * vsq):
                                _newton_cg_step(P, l1, l2, CG_TOL * shr_in, p + 1)
                                tp = _tick(T_CG, tp)
                                _count(C_CG, 1)
                            break
                        a_thr = shr_in * A_CYCLE_TIGHTENING
                        while sweeps < max_iter:
                            sweeps += 1
                            dlx = 0.0
                            if P.blocked:
                                _cd_cycle_blocks(P, l1, l2, &dlx)
                            else:
                                _cd_sweep(P, P.nA, A, l1, l2, &dlx, False)
                            if fit_intercept:
                                _intercept_update(P, &dlx)
                            tp = _tick(T_CYCLES, tp)
                            _count(C_CYCLES, 1)
                            _count(C_CYCLE_COLS, P.nA)
                            if dlx < a_thr:
                                break
                            # Every CG_EVERY cycles, conjugate gradients on the support when
                            # the cycles converge slowly (more than CG_AFTER_SWEEPS further
                            # cycles predicted from the contraction of the last two).
                            n_cycles += 1
                            slow = dlx >= dlx_prev or (
                                log(a_thr / dlx) / log(dlx / dlx_prev) > CG_AFTER_SWEEPS)
                            dlx_prev = dlx
                            if n_cycles % CG_EVERY == 0 and slow:
                                cg_status = _newton_cg_step(P, l1, l2, CG_TOL * shr_in,
                                                            cg_cap)
                                # A full step that used every allowed iteration asks for
                                # more next time; a step cut by a sign change means the
                                # support is still moving, so CG stays short.
                                if cg_status == 1 and cg_cap <= p:
                                    cg_cap *= 2
                                elif cg_status == -1:
                                    cg_cap = CG_MAX_IT
                                dlx_prev = 0.0
                                tp = _tick(T_CG, tp)
                                _count(C_CG, 1)

                # eta has not moved since the step began: it is eta_old, whose memory
                # served the model's solvers as scratch (cg_t) until now
                memcpy(eta_old, eta, n * sizeof(double))
                # New linear predictor, true objective, and step halving when the
                # full Newton step does not decrease it. As r = w (y - q) - v (eta_new
                # - eta), the new linear predictor comes from the residual in O(n); it
                # is recomputed exactly once per lambda.
                #
                # Descent is certified without logarithms when Taylor's bound
                # F_new - F <= -r'd + v'd^2 / 2 + pen_new - pen + C3 sum w |d|^3 is <= 0
                # (d = eta_new - eta, v >= the true curvature, C3 bounds a sixth of the
                # third derivative of the logistic loss); F_new is then carried as that
                # upper bound. Otherwise the loss is evaluated.
                bound = 0.0
                for i in range(n):
                    if v[i] > 0.0:
                        d = (w[i] * (y[i] - q[i]) - r[i]) / v[i]
                        eta[i] += d
                        t = d if d >= 0.0 else -d
                        bound += (0.5 * v[i] * d - w[i] * (y[i] - q[i])) * d \
                            + LOGISTIC_C3 * w[i] * t * t * t
                pen_new = _penalty(P, l1, l2)
                bound += pen_new - pen_cur
                if bound <= 0.0:
                    # q is computed when needed: by the next Newton step, or with
                    # the exact loss once the lambda has converged
                    P.q_stale = True
                    f_new = f_cur + bound
                    pen_cur = pen_new
                else:
                    loss = _loss(avx2, n, eta, y, w, q)
                    f_new = loss + pen_new
                halvings = 0
                while f_new > f_cur + 1e-15 * (f_cur if f_cur > 0.0 else -f_cur) \
                        and halvings < MAX_HALVINGS:
                    halvings += 1
                    _count(C_HALVINGS, 1)
                    # eta and b are affine in the step length: move back halfway.
                    for i in range(n):
                        eta[i] = 0.5 * (eta[i] + eta_old[i])
                    for k in range(P.nW):
                        j = W[k]
                        b[j] = 0.5 * (b[j] + b_old[j])
                    P.b0 = 0.5 * (P.b0 + b0_old)
                    loss = _loss(avx2, n, eta, y, w, q)
                    f_new = loss + _penalty(P, l1, l2)
                if bound > 0.0:
                    pen_cur = _penalty(P, l1, l2)
                f_cur = f_new

                dlx = xmz * (P.b0 - b0_old) * (P.b0 - b0_old)
                for k in range(P.nW):
                    j = W[k]
                    d = b[j] - b_old[j]
                    if d == 0.0:
                        continue
                    d = xv[j] * d * d
                    if d > dlx:
                        dlx = d
                if shr_in <= shr_lam and dlx < VERIFY_BELOW * shr_lam:
                    # Small enough to expect convergence: it is checked against the
                    # exact gradient computed for the KKT check anyway.
                    converged = dlx < shr_lam
                    verify = not converged
                    break
                shr_in = INNER_FORCING * dlx
                if shr_in < shr_lam:
                    shr_in = shr_lam

            # ---- (exact) linear predictor, then KKT check outside the working set ----
            tp = _tick(T_STEP, tp)
            if m % EXACT_EVERY == 0 or m == nlam - 1:
                _exact_eta(P, b, P.b0, eta)
                if m >= 1:
                    # and the one at the previous lambda, which _extrapolate
                    # differences with this one: carried separately, their
                    # rounding errors would grow along the secants
                    _exact_eta(P, P.coefs + <Py_ssize_t> (m - 1) * P.coefs_ld,
                               P.intercepts[m - 1], P.eta_lam)
            loss = _loss(avx2, n, eta, y, w, q)
            P.q_stale = False
            pen_cur = _penalty(P, l1, l2)
            f_cur = loss + pen_cur
            for i in range(n):
                r[i] = w[i] * (y[i] - q[i])
            tp = _tick(T_EXACT, tp)
            # Gradients of every usable column (the CG scratch holds the list).
            n_chk = 0
            for k in range(P.nW):
                cg_S[n_chk] = W[k]
                n_chk += 1
            for j in range(p):
                if ju[j] and not inW[j]:
                    cg_S[n_chk] = j
                    n_chk += 1
            penstat_gather_t(P.avx2, n, n_chk, X, cg_S, r, cg_work)
            for k in range(n_chk):
                g[cg_S[k]] = cg_work[k]
            n_viol = 0
            for j in range(p):
                if ju[j] and not inW[j]:
                    if kkt_violated(g[j], lop, hip, j, l1, pf[j]):
                        inW[j] = 1
                        W[P.nW] = j
                        P.nW += 1
                        n_viol += 1
            # After a small Newton step, the gradients of the working set give a
            # convergence check: the coordinate moves a sweep from here would make,
            # with the curvatures of the last step.
            dlx = 0.0
            for k in range(P.nW if verify else 0):
                j = W[k]
                bj = b[j]
                if bj == 0.0 and _abs(g[j]) <= l1 * pf[j]:
                    continue
                if xv_stamp[j] != P.stamp:
                    xv[j] = _weighted_sumsq(P.avx2, n, v, _col(X, n, j))
                    xv_stamp[j] = P.stamp
                d = soft_threshold(g[j] + xv[j] * bj, l1 * pf[j]) / (xv[j] + l2 * pf[j])
                if lop != NULL:
                    d = clip(d, lop[j], hip[j])
                d = xv[j] * (d - bj) * (d - bj)
                if d > dlx:
                    dlx = d
            if verify:
                verify = False
                if fit_intercept:
                    d = 0.0
                    for i in range(n):
                        d += r[i]
                    d = d * d / xmz
                    if d > dlx:
                        dlx = d
                converged = dlx < shr_lam
            tp = _tick(T_KKT, tp)
            _count(C_KKT, 1)
            _count(C_RESOLVE, 1 if n_viol > 0 else 0)
            if (n_viol > 0 or not converged) and sweeps < max_iter:
                continue
            break

        for j in range(p):
            P.coefs[<Py_ssize_t> m * P.coefs_ld + j] = b[j]
        P.intercepts[m] = P.b0
        dev = 2.0 * (loss + sat)
        P.dev_out[m] = dev
        P.iters[m] = <int> (sweeps if sweeps < 2147483647 else 2147483647)
        P.conv[m] = 1 if converged else 0
        lam_prev = lam

        devr = 1.0 - dev / dev0 if dev0 > 0.0 else 1.0
        # glmnet's rule, with lognet's absolute change of the ratio
        if P.early_stop and early_stop_reached(m, devr, devr_prev, P.stop_change,
                                               False):
            _tick(T_TOTAL, t_start)
            return m + 1
        devr_prev = devr
        if m == 0:
            memcpy(P.eta_lam, eta, n * sizeof(double))
        elif m + 1 < nlam:
            loss = _extrapolate(P, P.coefs + <Py_ssize_t> (m - 1) * P.coefs_ld,
                                P.intercepts[m - 1], lambdas[m - 1], lam, lambdas[m + 1],
                                loss)
            tp = _tick(T_EXTRAP, tp)
    tp = _tick(T_OTHER, tp)
    _tick(T_TOTAL, t_start)
    return nlam


def _has_avx2():
    """Whether this CPU runs the kernel's AVX2/FMA loops (for tests)."""
    return penstat_cpu_avx2() != 0


def _logistic_loss(eta, y, w, bint simd=True):
    """The kernel's loss loop on its own (for tests): ``(sum_i w_i (log(1 +
    exp(eta_i)) - y_i eta_i), expit(eta))``, by the AVX2 loop when ``simd`` and the
    CPU has it, else by the C library.

    Examples
    --------
    >>> import numpy as np
    >>> loss, q = _logistic_loss(np.zeros(4), np.zeros(4), np.full(4, 0.25))
    >>> round(loss, 12), q.tolist()
    (0.69314718056, [0.5, 0.5, 0.5, 0.5])
    """
    cdef const double[::1] ev = np.ascontiguousarray(eta, dtype=float)
    cdef const double[::1] yv = np.ascontiguousarray(y, dtype=float)
    cdef const double[::1] wv = np.ascontiguousarray(w, dtype=float)
    cdef int n = ev.shape[0]
    if yv.shape[0] != n or wv.shape[0] != n or n == 0:
        raise ValueError("_logistic_loss: eta, y and w need the same positive length")
    q = np.empty(n)
    cdef double[::1] qv = q
    cdef bint avx2 = simd and penstat_cpu_avx2() != 0
    loss = _loss(avx2, n, &ev[0], &yv[0], &wv[0], &qv[0])
    return loss, q


def binomial_path(X, y, w, pf, double l1_ratio, lambdas, bint fit_intercept,
                  bint early_stop, double tol, long max_iter, coefs_out,
                  intercepts_out, dev_out, iter_out, converged_out, offset=None,
                  lower=None, upper=None, bint stop_on_change=True, *, bint simd=True,
                  int blocked_min_n=BLOCKED_MIN_N, gram_max_k=None,
                  gram_drift=None, gram_min_rows=None, gram_solve=None):
    """Fit the penalized logistic regression path on standardized data.

    Parameters
    ----------
    X : ndarray (n, p), float64, Fortran order
        Standardized design (weighted-centred when ``fit_intercept``). Not modified.
    y : ndarray (n,), float64
        Response in [0, 1]: 0/1 labels, or proportions of successes (grouped data,
        the trials in ``w``).
    w : ndarray (n,), float64
        Observation weights summing to 1.
    pf : ndarray (p,), float64
        Penalty factors (summing to p); 0 means unpenalized and always in the model.
    l1_ratio : float
        Mix of the L1 and L2 penalties, in [0, 1].
    lambdas : ndarray (nlam,), float64
        Decreasing penalty strengths.
    fit_intercept, early_stop : bool
        Fit an unpenalized intercept; stop the path by glmnet's rule (deviance ratio
        above 0.999 or its change below 1e-5, checked from the fifth lambda on).
    tol : float
        Convergence tolerance (see the module docstring).
    max_iter : int
        Coordinate sweeps allowed per lambda.
    coefs_out, intercepts_out, dev_out, iter_out, converged_out : ndarray
        Outputs, filled in place: (nlam, p) C-order float64 coefficients, (nlam,)
        intercepts, deviances ``2 sum w_i (loglik_sat_i - loglik_i)`` (the
        saturated log-likelihood is 0 for 0/1 labels), int32 sweeps, uint8 flags.
    offset : ndarray (n,), float64, optional
        Known part of the linear predictor (coefficient fixed at 1); the null model
        is then the intercept fitted with it.
    lower, upper : ndarray (p,), float64, optional
        Limits of the coefficients on this (standardized) scale, ``lower <= 0 <=
        upper``, infinite for none; both or neither. Every coordinate update is
        clipped to them; conjugate-gradient steps hold coefficients at a limit fixed
        and stop where one reaches a limit, and secant warm starts are clipped.
    stop_on_change : bool
        False keeps only the deviance-ratio part of the early stop (glmnet with a
        limit at 0).
    simd : bool
        Use the AVX2/FMA loops when the CPU has them (True), or the portable ones
        (False: as on a CPU without them). Both solve the same problem; the paths
        agree up to rounding.
    blocked_min_n : int
        Run the active-set cycles four columns at a time (``_cd_cycle_blocks``)
        from this many rows on (by default 4000, where r and the working weights
        no longer fit the first-level cache): the same updates in the same order,
        so the same problem, with the same results up to rounding.
    gram_max_k : int, optional
        Solve the quadratic model of a Newton step in covariance mode
        (``_gram_newton_step``: coordinate descent on the weighted Gram of the
        working set, kept while the weights move little) while the working set has at most this
        many columns and the rows number at least GRAM_MIN_ROWS_PER_COL (50) times
        as many; 0 never, -1 always (whatever the number of rows). By default the
        module's ``_GRAM_MAX_K`` when set, else p. The same problem in either mode.
    gram_drift : float, optional
        The Gram of covariance mode is formed again when the working weights have
        moved by more than this fraction (sum |v - v_g| / sum v_g) since it was
        formed; 0 forms it at every Newton step (exact Newton steps). By default
        the module's ``_GRAM_DRIFT`` when set, else GRAM_DRIFT.
    gram_min_rows : int, optional
        Covariance mode runs while the rows number at least this many times the
        working set. By default the module's ``_GRAM_MIN_ROWS`` when set, else
        GRAM_MIN_ROWS_PER_COL.
    gram_solve : bool, optional
        Whether covariance mode solves its model on the support by Cholesky
        (``_gram_support_solve``) before cycling on it. By default the module's
        ``_GRAM_SOLVE`` when set, else True.

    Returns
    -------
    int
        Number of lambdas fitted (fewer than ``len(lambdas)`` after an early stop).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.asfortranarray([[1.0], [-1.0], [1.0], [-1.0]])
    >>> y = np.array([1.0, 0.0, 0.0, 0.0]); w = np.full(4, 0.25)
    >>> lam = np.array([0.1, 0.01]); out = np.zeros((2, 1))
    >>> k = binomial_path(X, y, w, np.ones(1), 1.0, lam, True, False, 1e-7, 1000, out,
    ...                   np.zeros(2), np.zeros(2), np.zeros(2, np.int32),
    ...                   np.zeros(2, np.uint8))
    >>> k
    2
    """
    cdef const double[::1, :] Xv = X
    cdef const double[::1] yv = y, wv = w, pfv = pf, lamv = lambdas
    cdef double[:, ::1] coefs = coefs_out
    cdef double[::1] icpt = intercepts_out, dev = dev_out
    cdef int[::1] iters = iter_out
    cdef unsigned char[::1] conv = converged_out
    cdef int n = Xv.shape[0]
    cdef int p = Xv.shape[1]
    cdef int nlam = lamv.shape[0]
    cdef int n_fitted
    cdef bint has_offset = offset is not None
    cdef const double[::1] offv = offset if has_offset else np.zeros(1)
    if yv.shape[0] != n or wv.shape[0] != n or pfv.shape[0] != p:
        raise ValueError("binomial_path: X, y, w and pf have inconsistent shapes")
    if has_offset and offv.shape[0] != n:
        raise ValueError("binomial_path: offset has the wrong length")
    cdef bint bounded = lower is not None
    cdef const double[::1] lov = lower if bounded else np.zeros(1)
    cdef const double[::1] hiv = upper if bounded else np.zeros(1)
    cdef int jj
    if bounded:
        # lower <= 0 <= upper is checked once, by FitSpec (penstat._validation)
        if lov.shape[0] != p or hiv.shape[0] != p:
            raise ValueError("binomial_path: lower, upper need one value per column")
    if (coefs.shape[0] < nlam or coefs.shape[1] != p or icpt.shape[0] < nlam
            or dev.shape[0] < nlam or iters.shape[0] < nlam or conv.shape[0] < nlam):
        raise ValueError("binomial_path: output arrays are too small")
    if n == 0 or p == 0 or nlam == 0:
        return 0
    cdef double[::1] b = np.zeros(p), b_old = np.zeros(p), xv = np.zeros(p)
    cdef double[::1] g = np.zeros(p)
    cdef double[::1] eta = np.zeros(n), eta_old = np.zeros(n), r = np.zeros(n)
    cdef double[::1] eta_lam = np.zeros(n)
    cdef double[::1] v = np.zeros(n), q = np.zeros(n)
    cdef int[::1] W = np.zeros(p, dtype=np.intc), A = np.zeros(p, dtype=np.intc)
    cdef unsigned char[::1] inW = np.zeros(p, dtype=np.uint8)
    cdef unsigned char[::1] inA = np.zeros(p, dtype=np.uint8)
    cdef unsigned char[::1] ju = np.zeros(p, dtype=np.uint8)
    cdef double[::1] cg_vec = np.zeros(2 * n)
    cdef long[::1] xv_stamp = np.full(p, -1, dtype="l")
    cdef int[::1] cg_S = np.zeros(p, dtype=np.intc)
    cdef double[::1] cg_work = np.zeros(7 * (p + 1))
    cdef double[::1] h_gram = np.zeros(16 * (p // 4 + 1))
    cdef long[::1] h_stamp = np.full(p // 4 + 1, -1, dtype="l")
    cdef int[::1] h_size = np.zeros(p // 4 + 1, dtype=np.intc)
    if gram_max_k is None:
        gram_max_k = _GRAM_MAX_K if _GRAM_MAX_K is not None else p
    cdef bint gram_always = gram_max_k < 0
    # the largest working set covariance mode can see
    cdef int kmax = p if gram_max_k < 0 or gram_max_k > p else gram_max_k
    if gram_min_rows is None:
        gram_min_rows = _GRAM_MIN_ROWS if _GRAM_MIN_ROWS is not None else GRAM_MIN_ROWS_PER_COL
    cdef int min_rows = max(1, gram_min_rows)
    if gram_solve is None:
        gram_solve = _GRAM_SOLVE if _GRAM_SOLVE is not None else True
    if not gram_always and kmax > n // min_rows:
        kmax = n // min_rows
    cdef double[::1] gram = np.zeros((kmax + 1) * (kmax + 1))
    cdef double[::1] gram_sub = np.zeros((kmax + 1) * (kmax + 1) if gram_solve else 1)
    cdef double[::1] gram_rhs = np.zeros(kmax + 1)
    cdef double[::1] gram_rows = np.zeros(GRAM_ROW_BLOCK * (kmax + 1))
    cdef double[::1] gram_grad = np.zeros(kmax + 1)
    cdef double[::1] gram_v = np.zeros(n if kmax > 0 else 1)
    if gram_drift is None:
        gram_drift = _GRAM_DRIFT if _GRAM_DRIFT is not None else GRAM_DRIFT

    # Every count starts at 0, the intercept at 0 and the Newton step count at 0.
    cdef Problem P
    memset(&P, 0, sizeof(Problem))
    P.n = n
    P.p = p
    P.nlam = nlam
    P.X = &Xv[0, 0]
    P.y = &yv[0]
    P.w = &wv[0]
    P.pf = &pfv[0]
    P.lambdas = &lamv[0]
    P.offset = &offv[0] if has_offset else NULL
    P.lo = &lov[0] if bounded else NULL
    P.hi = &hiv[0] if bounded else NULL
    P.a = l1_ratio
    P.fit_intercept = fit_intercept
    P.early_stop = early_stop
    P.stop_change = stop_on_change
    P.tol = tol
    P.max_iter = max_iter
    P.blocked = n >= blocked_min_n
    P.avx2 = simd and penstat_cpu_avx2() != 0
    P.coefs = &coefs[0, 0]
    P.coefs_ld = coefs.strides[0] // sizeof(double)
    P.intercepts = &icpt[0]
    P.dev_out = &dev[0]
    P.iters = &iters[0]
    P.conv = &conv[0]
    P.b = &b[0]
    P.b_old = &b_old[0]
    P.xv = &xv[0]
    P.xv_stamp = &xv_stamp[0]
    P.g = &g[0]
    P.eta = &eta[0]
    P.eta_old = &eta_old[0]
    P.eta_lam = &eta_lam[0]
    P.r = &r[0]
    P.v = &v[0]
    P.q = &q[0]
    P.W = &W[0]
    P.inW = &inW[0]
    P.A = &A[0]
    P.inA = &inA[0]
    P.ju = &ju[0]
    P.cg_vec = &cg_vec[0]
    P.cg_t = &eta_old[0]
    P.cg_S = &cg_S[0]
    P.cg_work = &cg_work[0]
    P.h_gram = &h_gram[0]
    P.h_stamp = &h_stamp[0]
    P.h_size = &h_size[0]
    P.gram_max_k = kmax
    P.gram_always = gram_always
    P.gram_ld = kmax + 1
    P.gram_k = -1
    P.gram_v = &gram_v[0]
    P.gram_drift = gram_drift
    P.gram = &gram[0]
    P.gram_rows = &gram_rows[0]
    P.gram_grad = &gram_grad[0]
    P.gram_min_rows = min_rows
    P.gram_solve = gram_solve
    P.gram_sub = &gram_sub[0]
    P.gram_rhs = &gram_rhs[0]
    with nogil:
        n_fitted = _fit_path(&P)
    return n_fitted
