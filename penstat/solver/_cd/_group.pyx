"""Group lasso / group elastic-net path kernels (gaussian and binomial).

Solves, for each ``lam`` of a decreasing grid, on standardized data whose columns
are ordered so that every group is a contiguous block ``starts[g] .. starts[g+1]``,

    minimize  loss(b0, b) + lam * sum_g wg_g (l1_ratio ||b_g||_2
                                              + (1 - l1_ratio) / 2 ||b_g||_2^2)

with ``loss = 1/2 sum_i w_i (y_i - b0 - x_i'b)^2`` (gaussian) or
``-sum_i w_i loglik_i(b0, b)`` (binomial), ``sum_i w_i = 1``, and the intercept
unpenalized. ``wg`` are the group weights (sqrt(group size) times the penalty
factor, computed by the caller); ``wg == 0`` leaves a group unpenalized.

Algorithm: block coordinate descent over groups (Yuan & Lin 2006, JRSS-B 68(1);
the exact block update of adelie, Yang & Hastie 2024, arXiv:2405.08631, section 3).
The block update of group g minimizes the quadratic model in b_g exactly:
with H = X_g' Z X_g (Z the weights, the columns centred by their Z-weighted mean
when there is an intercept, which profiles the intercept out exactly) and
v = X_g' Z r + H b_g (r the current residual), the solution is 0 when
||v|| <= l1 = lam l1_ratio wg; otherwise b_g = (H + l2 I + l1/t I)^{-1} v with
t = ||b_g|| and l2 = lam (1 - l1_ratio) wg. In the eigenbasis H = Q diag(D) Q'
(LAPACK dsyev, computed once per group for gaussian and once per refresh of the
IRLS weights for binomial) t is the root of

    phi(t) = sum_i (Q'v)_i^2 / ((D_i + l2) t + l1)^2 - 1,

a convex decreasing function with phi(0) > 0; Newton's method started left of the
root at (||v|| - l1) / max_i(D_i + l2) increases monotonically to it.

Where block coordinate descent crawls (correlated columns, the end of the path where
the active groups nearly interpolate), every fifth sweep of the active groups is
preceded by one Newton step on them: the objective restricted to the nonzero groups
is smooth, its Newton system (the Gram plus the Hessian of the group norms,
lam w_g (a (I - b b'/||b||^2) / ||b|| + (1 - a) I)) is solved by conjugate gradients
to 1e-2 (relative residual) in at most 20 iterations (every iterate from 0 is a
descent direction; near interpolation the system is ill-conditioned and a longer
solve costs more than the sweeps it saves), and the step is halved until the
objective decreases
(otherwise nothing moves); coordinate descent then resumes and alone decides
convergence, so the step changes the speed, not the solution.

Sparse-group lasso (``l1_within`` = a > 0; Simon, Friedman, Hastie & Tibshirani
2013, JCGS 22(2)): the penalty is lam sum_g ((1 - a) wg_g ||b_g|| + a pf_g ||b_g||_1)
(with l1_ratio = 1). Group g is zero iff ||S(v, lam a pf_g)|| <= lam (1 - a) wg_g;
otherwise its block is solved by FISTA in the group's eigenbasis (_sgl_block). The
strong rule and KKT check use the same test on the soft-thresholded gradient. The
Newton step moves only the nonzero coordinates of the active groups (the zero ones
stay fixed): with the signs held, the L1 part there is the linear
lam a pf_g sign(b_j) b_j, so the objective restricted to them is smooth (the group
norm's share of the Hessian is scaled by 1 - a); the halving search reads the true
objective, L1 part included, so that coordinate descent still decides the fixed point.

Binomial: an IRLS (proximal Newton) outer loop with working weights
z_i = w_i p_i (1 - p_i) (floored at w_i PMIN (1 - PMIN)) and working residual
r_i = w_i (y_i - p_i) / z_i, so that the gradient z r is exact and the fixed point
is the exact optimum; each step is halved until the objective does not increase.
The block updates run on working columns sqrt(z) (x_j - m_j) (m_j the z-weighted
means) and the residual sqrt(z) r, so that the quadratic model is the gaussian
one, on BLAS. The weights z (and so the working columns and the groups'
eigen-decompositions) are computed at the first lambda, then kept from lambda to
lambda (the Hessian of the previous solution is close to the new one) and
refreshed only at the fifth and later IRLS steps of a lambda; r is always
recomputed with the kept z, so that z r stays the exact gradient and the fixed
point the exact optimum. Covariance mode over the strong set (``cov``; see
group_binomial_path): the Gram matrix of the strong groups' working columns,
recomputed when z is refreshed, makes a block update O(|S| k) instead of O(n k).

Along the path: warm starts, the sequential strong rule at group level
(Tibshirani et al. 2012, JRSS-B 74(2), eq. 4, on ||grad_g|| / wg) and a KKT check
of every group outside the working set (||grad_g|| <= lam l1_ratio wg) once the
working problem has converged.

Meaning of ``tol``: coordinate descent on a working set has converged when no group
moved by d with d' H d >= tol * TOL_SCALE * dev0 in a sweep (TOL_SCALE = 1e-7: at
the default tol = 1e-7 the group KKT conditions then hold to 1e-7 on the test
problems) (dev0 the null
deviance with the normalized weights); a binomial IRLS loop has converged when
its step moved the linear predictor by sum_i z_i (d eta_i)^2 below the same bound.
"""

from libc.math cimport sqrt, log, exp, fabs
from libc.stdlib cimport malloc, free, calloc, realloc
from libc.string cimport memset, memcpy
from scipy.linalg.cython_lapack cimport dsyev
from scipy.linalg.cython_blas cimport ddot, daxpy, dgemm, dgemv, dsyrk

from penstat.solver._cd._common cimport early_stop_reached

cdef double PMIN = 1e-5
cdef double TOL_SCALE = 1e-7
cdef int MAX_HALVINGS = 30
cdef int MAX_IRLS = 100
cdef int MAX_NEWTON = 100
# IRLS refreshes the Hessian weights z (and so every group's eigen-decomposition)
# at the first step of each lambda only, and at every step after this many
cdef int IRLS_FRESH_AFTER = 4


# Timing (thread CPU time) and work counters of the paths, compiled in only with
# -DPENSTAT_GROUP_PROFILE=1 (otherwise every use below is a constant false branch
# that the C compiler removes); read and reset by _profile_counters().
cdef extern from *:
    """
    #ifndef PENSTAT_GROUP_PROFILE
    #define PENSTAT_GROUP_PROFILE 0
    #endif
    #include <time.h>
    static double penstat_gprof[32];
    static double penstat_gclock(void) {
    #if PENSTAT_GROUP_PROFILE
        struct timespec t;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
    #else
        return 0.0;
    #endif
    }
    """
    const int PROFILE "PENSTAT_GROUP_PROFILE"
    double gprof "penstat_gprof"[32]
    double gclock "penstat_gclock"() noexcept nogil

# The counters' names, in the order of gprof (times in seconds, then counts).
PROFILE_FIELDS = (
    "t_total", "t_kkt", "t_eig", "t_update", "t_newton", "t_irls", "t_strong",
    "t_gram", "t_finish", "kkt_passes", "eigs", "updates", "newton_steps",
    "cg_iterations", "irls_steps", "refreshes", "strong_groups", "active_groups",
    "sweeps", "lambdas",
)
cdef enum:
    T_TOTAL = 0
    T_KKT = 1
    T_EIG = 2
    T_UPDATE = 3
    T_NEWTON = 4
    T_IRLS = 5
    T_STRONG = 6
    T_GRAM = 7
    T_FINISH = 8
    C_KKT = 9
    C_EIG = 10
    C_UPDATE = 11
    C_NEWTON = 12
    C_CG_IT = 13
    C_IRLS = 14
    C_REFRESH = 15
    C_STRONG = 16
    C_ACTIVE = 17
    C_SWEEPS = 18
    C_LAMBDAS = 19


def _profile_counters():
    """The counters accumulated since the last call (then reset), as a dict; None
    when the kernel was built without -DPENSTAT_GROUP_PROFILE=1."""
    if not PROFILE:
        return None
    out = {name: gprof[k] for k, name in enumerate(PROFILE_FIELDS)}
    for k in range(32):
        gprof[k] = 0.0
    return out


cdef inline double _tick(int k, double t0) noexcept nogil:
    """Profile build only: add the time since ``t0`` to counter k; the clock now."""
    cdef double t
    if PROFILE:
        t = gclock()
        gprof[k] += t - t0
        return t
    return 0.0


cdef inline double _now() noexcept nogil:
    return gclock() if PROFILE else 0.0


cdef inline void _count(int k, double c) noexcept nogil:
    """Profile build only: add c to counter k."""
    if PROFILE:
        gprof[k] += c


cdef inline double thr_for(double dev0, double tol) noexcept nogil:
    """The convergence bound: tol * TOL_SCALE times the null deviance (1 until the
    null model is fitted)."""
    return tol * TOL_SCALE * (dev0 if dev0 > 0.0 else 1.0)


cdef struct Work:
    int n
    int p
    int ng
    const double* X
    const int* starts
    const double* wg
    double* b          # (p,) coefficients
    double* b0         # intercept
    double* r          # (n,) residual: sqrt(z) times the working residual (binomial)
    const double* z    # (n,) weights of the quadratic (binomial)
    const double* sq   # (n,) their square roots (binomial)
    double sz          # sum z
    bint center
    bint scaled        # binomial: the block updates run on the working columns Xs
    double* Xs         # (n, cap) sqrt(z) (x_j - m_j) of the columns of groups met
    int* xcol          # (p,) column of Xs holding column j (-1: none yet)
    int* xsrc          # (p,) the column of X that column c of Xs holds
    long xs_cap        # Xs capacity and columns used
    long xs_used
    bint oom           # Xs could not grow: the path stops and raises MemoryError
    double* m          # (p,) z-weighted column means (0 without intercept)
    double* Q          # packed eigenvectors, group g at qstart[g], k x k column-major
    double* D          # (p,) eigenvalues, group g at starts[g]
    const long* qstart
    unsigned char* have_eig   # per group: eigen-decomposition current
    double* buf        # scratch of size 4 * kmax
    double* lwork      # LAPACK work (lwork_n doubles)
    int lwork_n
    double* nv         # Newton-CG scratch: 5 vectors of p (gradient, step, CG
    double* nu         # direction, H times it, residual) and 2 of n
    bint cov           # covariance mode (gaussian, n >> p): grad and G, no r
    double* G          # covariance mode: column-major, the column of coordinate j
    unsigned char* have_G  # (gaussian: X'x_j for all p rows, filled per group;
    double* grad       # binomial: Xs'xs_j over the strong set's working columns)
    long gld           # and the gradient X'r (Xs'r), kept up to date; gld is G's
    long gn            # leading dimension, gn its rows (p, or the columns of Xs)
    double* bstart     # binomial covariance mode: b when the working set was synced
    double sgl         # the sparse-group lasso's L1 share a (l1_within); 0 otherwise
    const double* pfg  # (ng,) penalty factor of each group (its columns' L1 weight)


cdef inline const double* _col(Work* W, int j) noexcept nogil:
    """Column j of the design the block updates run on: X (gaussian, rows already
    scaled by sqrt(w) and centred) or, for binomial, its working column
    sqrt(z) (x_j - m_j) in Xs (made by _working_columns)."""
    if W.scaled:
        return W.Xs + <long>W.xcol[j] * W.n
    return W.X + <long>j * W.n


cdef inline long _gi(Work* W, int j) noexcept nogil:
    """Covariance mode: the row of coordinate j in G and grad."""
    if W.scaled:
        return W.xcol[j]
    return j


cdef inline double* _gcol(Work* W, int j) noexcept nogil:
    """Covariance mode: G's column for coordinate j (W.gn rows)."""
    return W.G + _gi(W, j) * W.gld


cdef inline double _dot(Work* W, const double* a, const double* b) noexcept nogil:
    cdef int n = W.n, one = 1
    return ddot(&n, <double*>a, &one, <double*>b, &one)


cdef void _eig(Work* W, int g) noexcept nogil:
    """H_g = X_g' X_g over the group's (working) columns, and its
    eigen-decomposition into W.Q / W.D."""
    cdef int s = W.starts[g], k = W.starts[g + 1] - W.starts[g]
    cdef int a, c, i, n = W.n, info = 0
    cdef double acc, done = 1.0, dzero = 0.0
    cdef double* H = W.Q + W.qstart[g]
    cdef char jobz = b'V', uplo = b'L', tr = b'T'
    if W.cov:
        for a in range(k):
            for c in range(a + 1):
                H[a + c * k] = _gcol(W, s + c)[_gi(W, s + a)]
    else:
        # the group's columns are contiguous (in X, and in Xs)
        dsyrk(&uplo, &tr, &k, &n, &done, <double*>_col(W, s), &n, &dzero, H, &k)
    if k == 1:
        W.D[s] = H[0] if H[0] > 0.0 else 0.0
        H[0] = 1.0
    else:
        dsyev(&jobz, &uplo, &k, H, &k, W.D + s, W.lwork, &W.lwork_n, &info)
        for a in range(k):
            if W.D[s + a] < 0.0:  # round-off of a semi-definite matrix
                W.D[s + a] = 0.0
    W.have_eig[g] = 1


# Binomial covariance mode over the strong set (the "cov" method of adelie, Yang &
# Hastie 2024, section 3, with the Gram of the strong set's working columns only):
# kept while the strong set has at most this many columns and at most half as many
# columns as there are rows.
cdef long SCOV_MAX_COLS = 2000


cdef int _xs_reserve(Work* W, long need) noexcept nogil:
    """Room for ``need`` working columns in Xs (and, in covariance mode, in G and
    grad, which keep their first gn rows and columns); -1 when out of memory."""
    cdef long cap, c
    cdef double* grown
    cdef double* G2
    if need <= W.xs_cap:
        return 0
    cap = 2 * W.xs_cap
    if W.cov and cap > SCOV_MAX_COLS:
        # the Gram (cap^2 doubles) stays within SCOV_MAX_COLS^2
        cap = SCOV_MAX_COLS
    if cap < need:
        cap = need
    if cap > W.p:
        cap = W.p
    grown = <double*>realloc(W.Xs, cap * W.n * sizeof(double))
    if grown == NULL:
        return -1
    W.Xs = grown
    if W.cov:
        G2 = <double*>malloc(cap * cap * sizeof(double))
        grown = <double*>realloc(W.grad, cap * sizeof(double))
        if G2 == NULL or grown == NULL:
            free(G2)
            if grown != NULL:
                W.grad = grown
            return -1
        W.grad = grown
        for c in range(W.gn):
            memcpy(G2 + c * cap, W.G + c * W.gld, W.gn * sizeof(double))
        free(W.G)
        W.G = G2
        W.gld = cap
    W.xs_cap = cap
    return 0


cdef int _xs_assign(Work* W, int g) noexcept nogil:
    """Columns of Xs for group g if it has none yet; -1 when out of memory."""
    cdef int j
    if W.xcol[W.starts[g]] >= 0:
        return 0
    if _xs_reserve(W, W.xs_used + W.starts[g + 1] - W.starts[g]) != 0:
        return -1
    for j in range(W.starts[g], W.starts[g + 1]):
        W.xcol[j] = <int>W.xs_used
        W.xsrc[W.xs_used] = j
        W.xs_used += 1
    return 0


cdef void _fill_column(Work* W, int j) noexcept nogil:
    """Working column j: sqrt(z) (x_j - m_j) into Xs, m_j the z-weighted mean with
    an intercept (else 0)."""
    cdef int i, n = W.n
    cdef const double* x = W.X + <long>j * n
    cdef double* xs = W.Xs + <long>W.xcol[j] * n
    cdef double acc, mj = 0.0
    if W.center:
        acc = 0.0
        for i in range(n):
            acc += W.z[i] * x[i]
        mj = acc / W.sz
    W.m[j] = mj
    for i in range(n):
        xs[i] = W.sq[i] * (x[i] - mj)


cdef int _working_columns(Work* W, int g) noexcept nogil:
    """Binomial: group g's working columns sqrt(z) (x_j - m_j) into Xs, given room
    in Xs the first time the group is met; -1 when out of memory. Then the
    quadratic model's block updates run on BLAS as the gaussian's do:
    X_g' Z r_c = Xs_g' (sqrt(z) r) for the centred columns, and H_g = Xs_g' Xs_g."""
    cdef int j
    if _xs_assign(W, g) != 0:
        return -1
    for j in range(W.starts[g], W.starts[g + 1]):
        _fill_column(W, j)
    return 0


cdef void _scov_sync(Work* W, int nstrong, const int* strong, bint fresh) noexcept nogil:
    """Binomial covariance mode, before block coordinate descent on the working
    set: working columns for the strong groups met for the first time (for all of
    them when the IRLS weights are new), the Gram G = Xs'Xs grown by their columns
    (recomputed whole when the weights are new), the gradient Xs'r of every column
    from the current residual, and b kept to move the residual after the solve.
    Leaves covariance mode for good (the block updates then run on Xs and r) when
    the strong set outgrows SCOV_MAX_COLS or half the rows."""
    cdef int q, g, j, c, r, n = W.n, one = 1, first, used, nnew
    cdef long need = W.xs_used
    cdef double done = 1.0, dzero = 0.0
    cdef char lo = b'L', tr = b'T', nt = b'N'
    cdef int ld
    for q in range(nstrong):
        g = strong[q]
        if W.xcol[W.starts[g]] < 0:
            need += W.starts[g + 1] - W.starts[g]
    if need > SCOV_MAX_COLS or 2 * need > n:
        W.cov = False
        return
    first = <int>W.xs_used
    for q in range(nstrong):
        if _xs_assign(W, strong[q]) != 0:
            W.oom = True
            return
    used = <int>W.xs_used
    if fresh:
        first = 0
    for c in range(first, used):
        _fill_column(W, W.xsrc[c])
    ld = <int>W.gld
    nnew = used - first
    if nnew > 0:
        if first == 0:
            dsyrk(&lo, &tr, &used, &n, &done, W.Xs, &n, &dzero, W.G, &ld)
            for c in range(used):
                for r in range(c):
                    W.G[r + <long>c * ld] = W.G[c + <long>r * ld]
        else:
            # the new columns against all: G[:, first:used], then its transpose
            dgemm(&tr, &nt, &used, &nnew, &n, &done, W.Xs, &n,
                  W.Xs + <long>first * n, &n, &dzero, W.G + <long>first * ld, &ld)
            for c in range(first, used):
                for r in range(first):
                    W.G[c + <long>r * ld] = W.G[r + <long>c * ld]
    W.gn = used
    dgemv(&tr, &n, &used, &done, W.Xs, &n, W.r, &one, &dzero, W.grad, &one)
    for q in range(nstrong):
        g = strong[q]
        for j in range(W.starts[g], W.starts[g + 1]):
            W.bstart[j] = W.b[j]


cdef void _scov_finish(Work* W) noexcept nogil:
    """Binomial covariance mode, after the solve: the residual moved by the change
    of b since _scov_sync, r -= Xs (b - bstart)."""
    cdef int c, j, n = W.n, used = <int>W.xs_used, one = 1
    cdef double* delta = W.nv
    cdef double dmone = -1.0, done = 1.0
    cdef char nt = b'N'
    for c in range(used):
        j = W.xsrc[c]
        delta[c] = W.b[j] - W.bstart[j]
    dgemv(&nt, &n, &used, &dmone, W.Xs, &n, delta, &one, &done, W.r, &one)


cdef int GRAM_CHUNK = 256


cdef void _gram(Work* W, int g) noexcept nogil:
    """Covariance mode: the columns X'X_h of the Gram matrix for group g and the
    groups after it that lack them, up to GRAM_CHUNK columns, in one dgemm (each
    dgemm call packs all of X, so one call per group would cost more than the
    products)."""
    cdef int s = W.starts[g], h = g, k, n = W.n, p = W.p
    cdef double one = 1.0, zero = 0.0
    cdef char tr = b'T', nt = b'N'
    while h < W.ng and not W.have_G[h] and (h == g or W.starts[h + 1] - s <= GRAM_CHUNK):
        W.have_G[h] = 1
        h += 1
    k = W.starts[h] - s
    dgemm(&tr, &nt, &p, &k, &n, &one, <double*>W.X, &n, <double*>(W.X + <long>s * n),
          &n, &zero, W.G + <long>s * p, &p)


cdef double _grad_norm(Work* W, int g, double* grad) noexcept nogil:
    """grad = X_g' Z r (the negative gradient of the loss in b_g); returns its norm.
    With an intercept, sum z r = 0 is kept, so this is also the centred gradient.
    In covariance mode X'r is kept up to date and only read."""
    cdef int s = W.starts[g], e = W.starts[g + 1], j, i, n = W.n
    cdef const double* x
    cdef double acc, nrm = 0.0
    for j in range(s, e):
        if W.cov:
            acc = W.grad[_gi(W, j)]
        else:
            acc = _dot(W, _col(W, j), W.r)
        grad[j - s] = acc
        nrm += acc * acc
    return sqrt(nrm)


cdef void _full_grad(Work* W, double* gfull) noexcept nogil:
    """gfull = X' Z r over every column in one matrix-vector product (in covariance
    mode, the X'r kept up to date). With an intercept sum z r = 0 is kept, so this is
    also the centred gradient."""
    cdef int i, n = W.n, p = W.p, one = 1
    cdef double done = 1.0, dzero = 0.0
    cdef char tr = b'T'
    cdef double* u = W.r
    if W.cov and not W.scaled:
        memcpy(gfull, W.grad, p * sizeof(double))
        return
    if W.scaled:
        # z r = sqrt(z) (sqrt(z) r)
        u = W.nu
        for i in range(n):
            u[i] = W.sq[i] * W.r[i]
    dgemv(&tr, &n, &p, &done, <double*>W.X, &n, u, &one, &dzero, gfull, &one)


cdef double _solve_norm(int k, const double* vt, const double* D, double l1,
                        double l2) noexcept nogil:
    """The root t > 0 of sum vt_i^2 / ((D_i + l2) t + l1)^2 = 1 (Newton from the
    left on a convex decreasing function; see the module docstring)."""
    cdef int i, it
    cdef double vn = 0.0, emax = 0.0, e, den, phi, dphi, t, step
    for i in range(k):
        vn += vt[i] * vt[i]
        e = D[i] + l2
        if e > emax:
            emax = e
    vn = sqrt(vn)
    if emax <= 0.0:
        return 0.0
    t = (vn - l1) / emax
    for it in range(MAX_NEWTON):
        phi = -1.0
        dphi = 0.0
        for i in range(k):
            e = D[i] + l2
            den = e * t + l1
            phi += vt[i] * vt[i] / (den * den)
            dphi -= 2.0 * vt[i] * vt[i] * e / (den * den * den)
        if phi <= 0.0 or dphi >= 0.0:
            break
        step = -phi / dphi
        t += step
        if step <= 1e-15 * t:
            break
    return t


cdef int SGL_MAX_IT = 100000
cdef double SGL_TOL = 1e-15


cdef double _soft_norm(int k, const double* v, double c) noexcept nogil:
    """||S(v, c)||_2, S the soft-thresholding operator."""
    cdef int i
    cdef double acc = 0.0, e
    for i in range(k):
        e = fabs(v[i]) - c
        if e > 0.0:
            acc += e * e
    return sqrt(acc)


cdef void _sgl_block(Work* W, int g, int k, const double* grad, double* bnew,
                     double l1g, double l1c) noexcept nogil:
    """The exact block update of the sparse-group lasso (Simon, Friedman, Hastie &
    Tibshirani 2013, JCGS 22(2), section 3): minimize over u
    1/2 u'Hu - v'u + l1g ||u||_2 + l1c ||u||_1 with v = grad + H b_g. The group is
    zero iff ||S(v, l1c)||_2 <= l1g (their eq. 8); otherwise accelerated proximal
    gradient (FISTA, step 1/max eig H, restarted when the objective rises) from the
    current b_g, whose prox is the soft-threshold followed by the group shrinkage
    (their eq. 12), until no coordinate moves by more than 1e-15 of the largest."""
    cdef int s = W.starts[g], i, c2, it
    cdef const double* Q = W.Q + W.qstart[g]
    cdef const double* Dg = W.D + s
    cdef double* v = W.buf + 4 * k
    cdef double* x = W.buf + 5 * k
    cdef double* yk = W.buf + 6 * k
    cdef double* hx = W.buf + 7 * k
    cdef double* xo = W.buf + 8 * k
    cdef double* t = W.buf + 9 * k
    cdef double L = 0.0, acc, nrm, sh, mom = 1.0, mom_new, f, f_old = 1e300
    cdef double dmax, xmax
    for i in range(k):
        if Dg[i] > L:
            L = Dg[i]
    # v = grad + H b_g
    _hmul(k, Q, Dg, W.b + s, hx, t)
    for i in range(k):
        v[i] = grad[i] + hx[i]
    if L <= 0.0 or _soft_norm(k, v, l1c) <= l1g:
        for i in range(k):
            bnew[i] = 0.0
        return
    for i in range(k):
        x[i] = W.b[s + i]
        yk[i] = x[i]
    for it in range(SGL_MAX_IT):
        # gradient step from yk, then the prox of l1c |.|_1 + l1g ||.||_2
        _hmul(k, Q, Dg, yk, hx, t)
        nrm = 0.0
        for i in range(k):
            xo[i] = x[i]
            acc = yk[i] - (hx[i] - v[i]) / L
            sh = fabs(acc) - l1c / L
            x[i] = (sh if acc > 0.0 else -sh) if sh > 0.0 else 0.0
            nrm += x[i] * x[i]
        nrm = sqrt(nrm)
        sh = 1.0 - l1g / (L * nrm) if nrm > 0.0 else 0.0
        if sh < 0.0:
            sh = 0.0
        dmax = 0.0
        xmax = 0.0
        for i in range(k):
            x[i] *= sh
            if fabs(x[i] - xo[i]) > dmax:
                dmax = fabs(x[i] - xo[i])
            if fabs(x[i]) > xmax:
                xmax = fabs(x[i])
        f = _sgl_obj(k, Q, Dg, v, x, l1g, l1c, hx, t)
        if f > f_old:
            # restart the momentum (O'Donoghue & Candes 2015)
            mom = 1.0
            for i in range(k):
                yk[i] = x[i]
        else:
            mom_new = 0.5 * (1.0 + sqrt(1.0 + 4.0 * mom * mom))
            for i in range(k):
                yk[i] = x[i] + ((mom - 1.0) / mom_new) * (x[i] - xo[i])
            mom = mom_new
        f_old = f
        if dmax <= SGL_TOL * xmax or xmax == 0.0:
            break
    for i in range(k):
        bnew[i] = x[i]


cdef void _hmul(int k, const double* Q, const double* D, const double* u, double* out,
                double* t) noexcept nogil:
    """out = Q diag(D) Q' u."""
    cdef int i, c2
    cdef double acc
    for i in range(k):
        acc = 0.0
        for c2 in range(k):
            acc += Q[c2 + i * k] * u[c2]
        t[i] = D[i] * acc
    for c2 in range(k):
        acc = 0.0
        for i in range(k):
            acc += Q[c2 + i * k] * t[i]
        out[c2] = acc


cdef double _sgl_obj(int k, const double* Q, const double* D, const double* v,
                     const double* u, double l1g, double l1c, double* hu,
                     double* t) noexcept nogil:
    """1/2 u'Hu - v'u + l1g ||u||_2 + l1c ||u||_1 (hu, t scratch)."""
    cdef int i
    cdef double acc = 0.0, nrm = 0.0, l1n = 0.0
    _hmul(k, Q, D, u, hu, t)
    for i in range(k):
        acc += 0.5 * u[i] * hu[i] - v[i] * u[i]
        nrm += u[i] * u[i]
        l1n += fabs(u[i])
    return acc + l1g * sqrt(nrm) + l1c * l1n


cdef double _update(Work* W, int g, double lam, double l1_ratio) noexcept nogil:
    """The exact block update of group g; returns d' H d for its move d."""
    cdef int s = W.starts[g], k = W.starts[g + 1] - W.starts[g], a, c, i, n = W.n
    cdef int one = 1, gn = <int>W.gn
    cdef double* grad = W.buf
    cdef double* vt = W.buf + k
    cdef double* bnew = W.buf + 2 * k
    cdef double* d = W.buf + 3 * k
    cdef const double* Q = W.Q + W.qstart[g]
    cdef const double* Dg = W.D + s
    cdef double l1 = lam * l1_ratio * (1.0 - W.sgl) * W.wg[g]
    cdef double l2 = lam * (1.0 - l1_ratio) * W.wg[g]
    cdef double l1c = lam * W.sgl * W.pfg[g] if W.sgl > 0.0 else 0.0
    cdef double acc, vn2, t, e, change, db0, cut
    cdef const double* x
    cdef double t0 = _now()
    if W.cov and not W.scaled and not W.have_G[g]:
        _gram(W, g)
        t0 = _tick(T_GRAM, t0)
    if not W.have_eig[g]:
        if W.scaled and not W.cov and _working_columns(W, g) != 0:
            W.oom = True
            return 0.0
        _eig(W, g)
        _count(C_EIG, 1)
        t0 = _tick(T_EIG, t0)
    _grad_norm(W, g, grad)
    # vt = Q' (grad + H b_g), with H b_g = Q D Q' b_g
    vn2 = 0.0
    for a in range(k):
        acc = 0.0
        for c in range(k):
            acc += Q[c + a * k] * W.b[s + c]
        vt[a] = acc * Dg[a]
        acc = 0.0
        for c in range(k):
            acc += Q[c + a * k] * grad[c]
        vt[a] += acc
        vn2 += vt[a] * vt[a]
    if l1c > 0.0:
        _sgl_block(W, g, k, grad, bnew, l1, l1c)
    elif l1 > 0.0 and sqrt(vn2) <= l1:
        for a in range(k):
            bnew[a] = 0.0
    else:
        if l1 > 0.0:
            t = _solve_norm(k, vt, Dg, l1, l2)
            for a in range(k):
                e = Dg[a] + l2
                vt[a] = vt[a] * t / (e * t + l1) if e * t + l1 > 0.0 else 0.0
        else:
            # no L1 part (unpenalized group or ridge): (D + l2)^+ Q' v
            cut = 0.0
            for a in range(k):
                if Dg[a] > cut:
                    cut = Dg[a]
            cut *= 1e-12
            for a in range(k):
                e = Dg[a] + l2
                vt[a] = vt[a] / e if e > cut else 0.0
        for c in range(k):
            acc = 0.0
            for a in range(k):
                acc += Q[c + a * k] * vt[a]
            bnew[c] = acc
    change = 0.0
    db0 = 0.0
    for c in range(k):
        d[c] = bnew[c] - W.b[s + c]
    for a in range(k):
        # d' H d = sum_a D_a (Q'd)_a^2
        acc = 0.0
        for c in range(k):
            acc += Q[c + a * k] * d[c]
        change += Dg[a] * acc * acc
    for c in range(k):
        if d[c] == 0.0:
            continue
        acc = -d[c]
        if W.cov:
            # X'r moves by -X'X_g d
            daxpy(&gn, &acc, _gcol(W, s + c), &one, W.grad, &one)
        else:
            daxpy(&n, &acc, <double*>_col(W, s + c), &one, W.r, &one)
        db0 += d[c] * W.m[s + c]
        W.b[s + c] = bnew[c]
    # the intercept moves with the group (centred columns: the residual already
    # moved with it)
    W.b0[0] -= db0
    _tick(T_UPDATE, t0)
    _count(C_UPDATE, 1)
    return change


cdef double _sweep(Work* W, int cnt, const int* idx, double lam,
                   double l1_ratio) noexcept nogil:
    cdef int q
    cdef double ch, mx = 0.0
    for q in range(cnt):
        ch = _update(W, idx[q], lam, l1_ratio)
        if ch > mx:
            mx = ch
    return mx


cdef bint _nonzero(Work* W, int g) noexcept nogil:
    cdef int j
    for j in range(W.starts[g], W.starts[g + 1]):
        if W.b[j] != 0.0:
            return True
    return False


cdef int NEWTON_EVERY = 5
cdef int CG_MAX_IT = 20
cdef double CG_REL_TOL = 1e-2




cdef double _direction_image(Work* W, int na, const int* act, const double* d,
                             double* out, int size, bint gram) noexcept nogil:
    """out = sum_j d_j col_j over the active groups, with col_j the design column
    (length n; gram False) or the Gram column (length gn; gram True); returns
    sum_j m_j d_j, the intercept's share of the move."""
    cdef int q, g, j, one = 1
    cdef double c, md = 0.0
    memset(out, 0, size * sizeof(double))
    for q in range(na):
        g = act[q]
        for j in range(W.starts[g], W.starts[g + 1]):
            c = d[j]
            md += W.m[j] * c
            if c != 0.0:
                if gram:
                    daxpy(&size, &c, _gcol(W, j), &one, out, &one)
                else:
                    daxpy(&size, &c, <double*>_col(W, j), &one, out, &one)
    return md


cdef void _hess_vec(Work* W, int na, const int* act, const double* v, double* out,
                    double lam, double a) noexcept nogil:
    """out = H v on the active columns: X_A' X_A v (the working columns for
    binomial) plus the Hessian of the penalty,
    lam w_g (a (I - b_g b_g' / ||b_g||^2) / ||b_g|| + (1 - a) I) per group."""
    cdef int q, g, j, n = W.n, one = 1, gn = <int>W.gn
    cdef double* u = W.nu
    if W.cov:
        # out = G_AA v_A: u = sum_j v_j G[:, j] (gn rows), read on the active columns
        u = W.nv + 5 * W.p
        _direction_image(W, na, act, v, u, gn, True)
        for q in range(na):
            g = act[q]
            for j in range(W.starts[g], W.starts[g + 1]):
                out[j] = u[_gi(W, j)]
        _pen_hess_vec(W, na, act, v, out, lam, a)
        return
    _direction_image(W, na, act, v, u, n, False)
    for q in range(na):
        g = act[q]
        for j in range(W.starts[g], W.starts[g + 1]):
            out[j] = ddot(&n, <double*>_col(W, j), &one, u, &one)
    _pen_hess_vec(W, na, act, v, out, lam, a)


cdef inline void _mask_zeros(Work* W, int na, const int* act, double* v) noexcept nogil:
    """Sparse-group lasso: v_j = 0 on the zero coordinates of the active groups
    (the Newton step moves only the nonzero coordinates, where the L1 part is the
    smooth pf_g a lam sign(b_j) b_j)."""
    cdef int q, g, j
    if W.sgl == 0.0:
        return
    for q in range(na):
        g = act[q]
        for j in range(W.starts[g], W.starts[g + 1]):
            if W.b[j] == 0.0:
                v[j] = 0.0


cdef void _pen_hess_vec(Work* W, int na, const int* act, const double* v, double* out,
                        double lam, double a) noexcept nogil:
    """out += the Hessian of the penalty of the active groups times v."""
    cdef int q, g, j
    cdef double nb2, bv, nb
    for q in range(na):
        g = act[q]
        nb2 = 0.0
        bv = 0.0
        for j in range(W.starts[g], W.starts[g + 1]):
            nb2 += W.b[j] * W.b[j]
            bv += W.b[j] * v[j]
        if W.wg[g] == 0.0 or nb2 == 0.0:
            continue
        nb = sqrt(nb2)
        for j in range(W.starts[g], W.starts[g + 1]):
            out[j] += lam * W.wg[g] * (a * (1.0 - W.sgl) * (v[j] - W.b[j] * bv / nb2)
                                       / nb + (1.0 - a) * v[j])


cdef double _objective_at(Work* W, int na, const int* act, const double* d,
                          const double* xd, double step, double lam,
                          double a) noexcept nogil:
    """1/2 ||r - step X d||^2 + the penalty of the active groups at b + step d."""
    cdef int i, q, g, j
    cdef double acc = 0.0, e, nb2, l1n, pen = 0.0
    if W.cov:
        # the loss up to a constant: -step d'X'r + step^2/2 d'X'X d, with
        # xd[0] = d'X'r and xd[1] = d'X'X d (see _newton_active)
        acc = 2.0 * (-step * xd[0] + 0.5 * step * step * xd[1])
    else:
        for i in range(W.n):
            e = W.r[i] - step * xd[i]
            acc += e * e
    for q in range(na):
        g = act[q]
        nb2 = 0.0
        l1n = 0.0
        for j in range(W.starts[g], W.starts[g + 1]):
            e = W.b[j] + step * d[j]
            nb2 += e * e
            l1n += fabs(e)
        pen += W.wg[g] * (a * (1.0 - W.sgl) * sqrt(nb2) + 0.5 * (1.0 - a) * nb2)
        if W.sgl > 0.0:
            pen += W.sgl * W.pfg[g] * l1n
    return 0.5 * acc + lam * pen


cdef void _precondition(Work* W, int na, const int* act, const double* v, double* out,
                        double lam, double a) noexcept nogil:
    """out = M^{-1} v, M block diagonal: Q_g (D_g + c_g) Q_g' per active group with
    c_g = lam w_g (a / ||b_g|| + 1 - a) (positive definite; tiny eigenvalues of a
    singular block are lifted)."""
    cdef int q, g, s, k, i, c2
    cdef double nb2, cg, e, emax, acc
    cdef const double* Q
    cdef double* t = W.buf
    for q in range(na):
        g = act[q]
        s = W.starts[g]
        k = W.starts[g + 1] - s
        Q = W.Q + W.qstart[g]
        nb2 = 0.0
        for i in range(k):
            nb2 += W.b[s + i] * W.b[s + i]
        cg = 0.0
        if W.wg[g] > 0.0 and nb2 > 0.0:
            cg = lam * W.wg[g] * (a * (1.0 - W.sgl) / sqrt(nb2) + 1.0 - a)
        emax = 0.0
        for i in range(k):
            if W.D[s + i] + cg > emax:
                emax = W.D[s + i] + cg
        if not W.have_eig[g] or emax <= 0.0:
            for i in range(k):
                out[s + i] = v[s + i]
            continue
        for i in range(k):
            acc = 0.0
            for c2 in range(k):
                acc += Q[c2 + i * k] * v[s + c2]
            e = W.D[s + i] + cg
            if e < 1e-10 * emax:
                e = 1e-10 * emax
            t[i] = acc / e
        for c2 in range(k):
            acc = 0.0
            for i in range(k):
                acc += Q[c2 + i * k] * t[i]
            out[s + c2] = acc


cdef void _newton_active(Work* W, int na, const int* act, double lam,
                         double a) noexcept nogil:
    """One Newton step on the active groups of the quadratic model: where
    block coordinate descent crawls (correlated columns near the end of the path)
    the objective restricted to the active groups is smooth, so its Newton step,
    solved by conjugate gradients, goes most of the way at once. The step is halved
    until the true objective decreases (else nothing moves); coordinate descent
    then resumes and decides convergence."""
    cdef int p = W.p, n = W.n, q, g, j, it
    cdef double* gr = W.nv
    cdef double* d = W.nv + p
    cdef double* pd = W.nv + 2 * p
    cdef double* hp = W.nv + 3 * p
    cdef double* res = W.nv + 4 * p
    cdef double* pz = W.nv + 6 * p
    cdef double nb2, nb, rs, rr0, rr, rs_new, alpha, den
    for q in range(na):
        g = act[q]
        nb2 = 0.0
        for j in range(W.starts[g], W.starts[g + 1]):
            nb2 += W.b[j] * W.b[j]
        nb = sqrt(nb2)
        for j in range(W.starts[g], W.starts[g + 1]):
            if W.cov:
                gr[j] = -W.grad[_gi(W, j)]
            else:
                gr[j] = -_dot(W, _col(W, j), W.r)
            if W.wg[g] > 0.0 and nb > 0.0:
                gr[j] += lam * W.wg[g] * (a * (1.0 - W.sgl) * W.b[j] / nb
                                          + (1.0 - a) * W.b[j])
            if W.sgl > 0.0:
                if W.b[j] > 0.0:
                    gr[j] += lam * W.sgl * W.pfg[g]
                elif W.b[j] < 0.0:
                    gr[j] -= lam * W.sgl * W.pfg[g]
                else:
                    gr[j] = 0.0
            d[j] = 0.0
            res[j] = -gr[j]
    # conjugate gradients preconditioned by the block diagonal: each group's
    # eigen-decomposition H_g = Q D Q' with its penalty curvature
    # lam w_g (a / ||b_g|| + 1 - a) on the diagonal (the rank-one part dropped)
    _precondition(W, na, act, res, pz, lam, a)
    _mask_zeros(W, na, act, pz)
    rs = 0.0
    rr0 = 0.0
    for q in range(na):
        g = act[q]
        for j in range(W.starts[g], W.starts[g + 1]):
            pd[j] = pz[j]
            rs += res[j] * pz[j]
            rr0 += res[j] * res[j]
    if rr0 == 0.0 or rs <= 0.0:
        return
    for it in range(CG_MAX_IT):
        _count(C_CG_IT, 1)
        _hess_vec(W, na, act, pd, hp, lam, a)
        _mask_zeros(W, na, act, hp)
        den = 0.0
        for q in range(na):
            g = act[q]
            for j in range(W.starts[g], W.starts[g + 1]):
                den += pd[j] * hp[j]
        if den <= 0.0:
            break
        alpha = rs / den
        rr = 0.0
        for q in range(na):
            g = act[q]
            for j in range(W.starts[g], W.starts[g + 1]):
                d[j] += alpha * pd[j]
                res[j] -= alpha * hp[j]
                rr += res[j] * res[j]
        if rr <= CG_REL_TOL * CG_REL_TOL * rr0:
            break
        _precondition(W, na, act, res, pz, lam, a)
        _mask_zeros(W, na, act, pz)
        rs_new = 0.0
        for q in range(na):
            g = act[q]
            for j in range(W.starts[g], W.starts[g + 1]):
                rs_new += res[j] * pz[j]
        for q in range(na):
            g = act[q]
            for j in range(W.starts[g], W.starts[g + 1]):
                pd[j] = pz[j] + (rs_new / rs) * pd[j]
        rs = rs_new
    _newton_accept(W, na, act, d, lam, a)


cdef void _halve_and_apply(Work* W, int na, const int* act, const double* d,
                           const double* state, double* move, double* target, int m,
                           double md, double lam, double a) noexcept nogil:
    """Step halving along the Newton direction d (at most 30 halvings): the first
    step s that lowers the objective (_objective_at on ``state``) is applied to b,
    to the intercept (by -s md) and to ``target`` (m entries: the residual, or X'r
    in covariance mode), which moves by -s ``move``."""
    cdef int q, g, j, h, one = 1
    cdef double c, f, step = 1.0
    cdef double f0 = _objective_at(W, na, act, d, state, 0.0, lam, a)
    for h in range(30):
        f = _objective_at(W, na, act, d, state, step, lam, a)
        if f < f0:
            for q in range(na):
                g = act[q]
                for j in range(W.starts[g], W.starts[g + 1]):
                    W.b[j] += step * d[j]
            c = -step
            daxpy(&m, &c, move, &one, target, &one)
            W.b0[0] -= step * md
            return
        step *= 0.5


cdef void _newton_accept(Work* W, int na, const int* act, double* d, double lam,
                         double a) noexcept nogil:
    """The halving search along the Newton direction d (residual mode; covariance
    mode in _newton_accept_cov)."""
    cdef int n = W.n
    cdef double* xd = W.nu + n
    cdef double md
    if W.cov:
        _newton_accept_cov(W, na, act, d, lam, a)
        return
    md = _direction_image(W, na, act, d, xd, n, False)
    _halve_and_apply(W, na, act, d, xd, xd, W.r, n, md, lam, a)


cdef void _newton_accept_cov(Work* W, int na, const int* act, double* d, double lam,
                             double a) noexcept nogil:
    """The halving search of _newton_active in covariance mode: the loss change of
    the step is -s d'X'r + s^2/2 d'X'X d, and X'r moves by -s X'X d."""
    cdef int p = W.p, q, g, j, gn = <int>W.gn
    cdef double* Gd = W.nv + 5 * p
    cdef double two[2]
    cdef double md = _direction_image(W, na, act, d, Gd, gn, True)
    two[0] = 0.0
    two[1] = 0.0
    for q in range(na):
        g = act[q]
        for j in range(W.starts[g], W.starts[g + 1]):
            two[0] += d[j] * W.grad[_gi(W, j)]
            two[1] += d[j] * Gd[_gi(W, j)]
    _halve_and_apply(W, na, act, d, two, Gd, W.grad, gn, md, lam, a)


cdef long _solve_working(Work* W, int nstrong, const int* strong, int* active,
                         double lam, double l1_ratio, double thr, long max_iter,
                         bint* ok) noexcept nogil:
    """Block coordinate descent on the working set: sweep it, then cycle the groups
    that are nonzero until they settle, until a full sweep moves nothing."""
    cdef long sweeps = 0
    cdef int q, na, inner
    cdef double mx, t0
    ok[0] = True
    while True:
        mx = _sweep(W, nstrong, strong, lam, l1_ratio)
        sweeps += 1
        if mx < thr:
            return sweeps
        if sweeps >= max_iter:
            ok[0] = False
            return sweeps
        inner = 0
        while True:
            na = 0
            for q in range(nstrong):
                if _nonzero(W, strong[q]) or W.wg[strong[q]] == 0.0:
                    active[na] = strong[q]
                    na += 1
            inner += 1
            if inner % NEWTON_EVERY == 0:
                t0 = _now()
                _newton_active(W, na, active, lam, l1_ratio)
                _tick(T_NEWTON, t0)
                _count(C_NEWTON, 1)
            mx = _sweep(W, na, active, lam, l1_ratio)
            sweeps += 1
            if mx < thr:
                break
            if sweeps >= max_iter:
                ok[0] = False
                return sweeps


cdef double _excess(Work* W, int g, const double* grad, double lam,
                    double l1_ratio) noexcept nogil:
    """How far group g's gradient is outside its zero region at lam:
    ||S(grad_g, lam a pf_g)||_2 - lam l1_ratio (1 - a) w_g (a the sparse-group
    share; with a = 0 the group lasso's ||grad_g|| - lam l1_ratio w_g)."""
    cdef int k = W.starts[g + 1] - W.starts[g]
    cdef double c = lam if lam > 0.0 else 0.0
    return (_soft_norm(k, grad, c * W.sgl * W.pfg[g]) if W.sgl > 0.0
            else _soft_norm(k, grad, 0.0)) - lam * l1_ratio * (1.0 - W.sgl) * W.wg[g]


cdef int _strong_set(Work* W, const double* gfull, double l1_ratio, double lam,
                     double lam_prev, unsigned char* in_strong, int* strong) noexcept nogil:
    """The sequential strong rule at group level (Tibshirani et al. 2012, eq. 4,
    with the sparse-group lasso's zero test) on the gradients of the previous lambda."""
    cdef int g, cnt = 0
    cdef double cut = 2.0 * lam - lam_prev, ex, t0 = _now()
    for g in range(W.ng):
        if not in_strong[g]:
            ex = _excess(W, g, gfull + W.starts[g], cut, l1_ratio)
            if (W.wg[g] == 0.0 or _nonzero(W, g) or ex > 0.0
                    or (ex == 0.0 and W.sgl == 0.0)):
                in_strong[g] = 1
        if in_strong[g]:
            strong[cnt] = g
            cnt += 1
    _tick(T_STRONG, t0)
    return cnt


cdef int _kkt(Work* W, double* gfull, double lam, double l1_ratio,
              unsigned char* in_strong, int* strong, int nstrong) noexcept nogil:
    """Gradients of every group (kept for the next strong rule); groups outside
    the working set that are not zero by their zero test join it. Returns the new
    size."""
    cdef int g
    cdef double scale, t0 = _now()
    _count(C_KKT, 1)
    _full_grad(W, gfull)
    for g in range(W.ng):
        scale = lam * l1_ratio * (1.0 - W.sgl) * W.wg[g]
        if W.sgl > 0.0:
            scale += lam * W.sgl * W.pfg[g]
        if not in_strong[g] and (_excess(W, g, gfull + W.starts[g], lam, l1_ratio)
                                 > 1e-12 * scale):
            in_strong[g] = 1
            strong[nstrong] = g
            nstrong += 1
    _tick(T_KKT, t0)
    return nstrong


cdef int _alloc(Work* W, int n, int p, int ng, const int* starts, long* qstart):
    cdef int g, k, kmax = 1
    cdef long tot = 0
    W.Q = W.D = W.m = W.buf = W.lwork = W.nv = W.nu = NULL
    W.Xs = W.G = W.grad = W.bstart = NULL
    W.have_eig = W.have_G = NULL
    W.xcol = W.xsrc = NULL
    for g in range(ng):
        k = starts[g + 1] - starts[g]
        qstart[g] = tot
        tot += <long>k * k
        if k > kmax:
            kmax = k
    W.Q = <double*>malloc(max(tot, 1) * sizeof(double))
    W.D = <double*>calloc(max(p, 1), sizeof(double))
    W.m = <double*>calloc(max(p, 1), sizeof(double))
    W.have_eig = <unsigned char*>calloc(max(ng, 1), sizeof(unsigned char))
    W.buf = <double*>malloc(10 * kmax * sizeof(double))
    W.lwork_n = 3 * kmax + 1
    W.lwork = <double*>malloc(W.lwork_n * sizeof(double))
    W.nv = <double*>malloc(7 * max(p, 1) * sizeof(double))
    W.xs_cap = 0
    W.xs_used = 0
    W.oom = False
    W.gn = p
    W.gld = p
    if W.scaled:
        # room for the working columns of a few groups; grown as groups are met
        W.xs_cap = min(p, max(4 * kmax, 64))
        W.Xs = <double*>malloc(max(W.xs_cap * n, 1) * sizeof(double))
        W.xcol = <int*>malloc(max(p, 1) * sizeof(int))
        W.xsrc = <int*>malloc(max(p, 1) * sizeof(int))
        W.bstart = <double*>malloc(max(p, 1) * sizeof(double))
        if W.Xs == NULL or W.xcol == NULL or W.xsrc == NULL or W.bstart == NULL:
            return -1
        for k in range(p):
            W.xcol[k] = -1
        if W.cov:
            # the Gram of the strong set's working columns, grown with Xs
            W.gn = 0
            W.gld = W.xs_cap
            W.G = <double*>malloc(max(W.xs_cap * W.xs_cap, 1) * sizeof(double))
            W.grad = <double*>malloc(max(W.xs_cap, 1) * sizeof(double))
            if W.G == NULL or W.grad == NULL:
                return -1
    if W.cov and not W.scaled:
        W.G = <double*>malloc(max(<long>p * p, 1) * sizeof(double))
        W.have_G = <unsigned char*>calloc(max(ng, 1), sizeof(unsigned char))
        W.grad = <double*>malloc(max(p, 1) * sizeof(double))
        if W.G == NULL or W.have_G == NULL or W.grad == NULL:
            return -1
    W.nu = <double*>malloc(2 * max(n, 1) * sizeof(double))
    if (W.nv == NULL or W.nu == NULL or W.Q == NULL or W.D == NULL or W.m == NULL or W.have_eig == NULL
            or W.buf == NULL or W.lwork == NULL):
        return -1
    return 0


cdef void _release(Work* W):
    free(W.Q)
    free(W.D)
    free(W.m)
    free(W.have_eig)
    free(W.buf)
    free(W.lwork)
    free(W.nv)
    free(W.nu)
    free(W.G)
    free(W.have_G)
    free(W.grad)
    free(W.Xs)
    free(W.xcol)
    free(W.xsrc)
    free(W.bstart)


cdef void _init_work(Work* W, int n, int p, int ng, const double* X, const int* starts,
                     const double* wg, double* b, double* b0, double* r, const double* z,
                     const double* sq, const long* qstart, bint center, bint scaled,
                     bint cov, double l1_within, const double* pfg) noexcept:
    """The fields of W both paths set before _alloc: the problem, the state vectors
    (z, sq NULL for gaussian) and the mode."""
    W.n, W.p, W.ng = n, p, ng
    W.X = X
    W.starts = starts
    W.wg = wg
    W.b = b
    W.b0 = b0
    W.r = r
    W.z = z
    W.sq = sq
    W.sz = 1.0
    W.qstart = qstart
    W.center = center
    W.scaled = scaled
    W.cov = cov
    W.sgl = l1_within
    W.pfg = pfg


cdef inline void _profile_lambda(Work* W, int nstrong, long sweeps) noexcept nogil:
    """PROFILE counts at the end of one lambda."""
    cdef int g
    _count(C_LAMBDAS, 1)
    _count(C_STRONG, nstrong)
    _count(C_SWEEPS, sweeps)
    for g in range(W.ng):
        if _nonzero(W, g):
            _count(C_ACTIVE, 1)


cdef inline bint _end_lambda(int m, double dev, double dev0, long sweeps, bint ok,
                             bint early_stop, bint relative, double* dr_prev,
                             double* dev_out, int* iter_out,
                             unsigned char* converged_out) noexcept nogil:
    """Record lambda m's deviance, sweeps and convergence; True when glmnet's early
    stop ends the path there (``relative``: the gaussian form of the test)."""
    cdef double dr
    dev_out[m] = dev
    iter_out[m] = <int>sweeps
    converged_out[m] = ok
    dr = 1.0 - dev / dev0 if dev0 > 0.0 else 0.0
    if early_stop and early_stop_reached(m, dr, dr_prev[0], True, relative):
        return True
    dr_prev[0] = dr
    return False


def group_gaussian_path(const double[::1, :] X, const double[::1] y,
                        const double[::1] wg, const int[::1] starts, double l1_ratio,
                        const double[::1] lambdas, bint early_stop, double tol,
                        long max_iter, double[:, ::1] coefs_out, double[::1] dev_out,
                        int[::1] iter_out, unsigned char[::1] converged_out,
                        bint cov=False, double l1_within=0.0, pfg=None):
    """Gaussian group elastic-net path (see the module docstring); returns the
    number of lambdas fitted. ``X`` and ``y`` arrive with every row multiplied by
    sqrt(w_i) and, with an intercept, centred by the weighted means (the intercept
    is then the weighted mean of y and stays out of the kernel), so the loss is
    1/2 ||y - X b||^2 and the kernel runs on BLAS; ``wg`` (ng,) group weights,
    ``starts`` (ng + 1,).

    ``cov``: covariance mode (for n >> p; the Gram method of glmnet and adelie).
    The kernel keeps c = X'y and the gradient X'r = c - X'X b instead of the
    residual r; the columns X'X_g of the Gram matrix are computed (dgemm) when
    group g is first updated, so that a block update costs O(p k) instead of
    O(n k) and the KKT check of all groups O(p). The deviance is then
    ||y||^2 - b'c - b'X'r. The same iterations as the residual mode, to round-off."""
    cdef int n = X.shape[0], p = X.shape[1], ng = wg.shape[0], nlam = lambdas.shape[0]
    cdef Work W
    cdef double b0 = 0.0, dev0 = 0.0, dev, thr, lam, lam_prev, dr_prev = 0.0
    cdef double t_start
    cdef int i, j, g, m, nstrong, before, n_fit = 0, one = 1
    cdef double done = 1.0, dzero = 0.0
    cdef char tr = b'T'
    cdef double* c = NULL
    cdef const double[::1] pfg_v
    cdef long sweeps
    cdef bint ok
    cdef double* b = <double*>calloc(max(p, 1), sizeof(double))
    cdef double* r = <double*>malloc(max(n, 1) * sizeof(double))
    cdef double* gnorm = <double*>calloc(max(p, 1), sizeof(double))
    cdef unsigned char* in_strong = <unsigned char*>calloc(max(ng, 1), 1)
    cdef int* strong = <int*>malloc(max(ng, 1) * sizeof(int))
    cdef int* active = <int*>malloc(max(ng, 1) * sizeof(int))
    cdef long* qstart = <long*>malloc(max(ng, 1) * sizeof(long))
    cdef const double* pfg_p = NULL
    if l1_within > 0.0:
        pfg_v = pfg
        pfg_p = &pfg_v[0]
    _init_work(&W, n, p, ng, &X[0, 0], &starts[0], &wg[0], b, &b0, r, NULL, NULL,
               qstart, False, False, cov, l1_within, pfg_p)
    if cov:
        c = <double*>malloc(max(p, 1) * sizeof(double))
        if c == NULL:
            raise MemoryError()
    if (b == NULL or r == NULL or gnorm == NULL or in_strong == NULL or strong == NULL
            or active == NULL or qstart == NULL or _alloc(&W, n, p, ng, &starts[0],
                                                         qstart) != 0):
        raise MemoryError()
    try:
        with nogil:
            for i in range(n):
                r[i] = y[i]
            for i in range(n):
                dev0 += r[i] * r[i]
            thr = tol * TOL_SCALE * (dev0 if dev0 > 0.0 else 1.0)
            t_start = _now()
            if cov:
                dgemv(&tr, &n, &p, &done, <double*>W.X, &n, r, &one, &dzero, c, &one)
                memcpy(W.grad, c, p * sizeof(double))
            for g in range(ng):
                _grad_norm(&W, g, gnorm + starts[g])
            lam_prev = lambdas[0]
            for m in range(nlam):
                lam = lambdas[m]
                nstrong = _strong_set(&W, gnorm, l1_ratio, lam, lam_prev,
                                      in_strong, strong)
                sweeps = 0
                ok = True
                while True:
                    sweeps += _solve_working(&W, nstrong, strong, active, lam,
                                             l1_ratio, thr, max_iter - sweeps, &ok)
                    before = nstrong
                    nstrong = _kkt(&W, gnorm, lam, l1_ratio, in_strong, strong,
                                   nstrong)
                    if nstrong == before or not ok:
                        break
                if PROFILE:
                    _profile_lambda(&W, nstrong, sweeps)
                for j in range(p):
                    coefs_out[m, j] = b[j]
                dev = 0.0
                if cov:
                    dev = dev0
                    for j in range(p):
                        dev -= b[j] * (c[j] + W.grad[j])
                else:
                    for i in range(n):
                        dev += r[i] * r[i]
                n_fit = m + 1
                lam_prev = lam
                if _end_lambda(m, dev, dev0, sweeps, ok, early_stop, True, &dr_prev,
                               &dev_out[0], &iter_out[0], &converged_out[0]):
                    break
            _tick(T_TOTAL, t_start)
    finally:
        _release(&W)
        free(b)
        free(r)
        free(gnorm)
        free(in_strong)
        free(strong)
        free(active)
        free(qstart)
        free(c)
    return n_fit


cdef inline double _log1pexp(double x) noexcept nogil:
    if x > 0.0:
        return x + log(1.0 + exp(-x))
    return log(1.0 + exp(x))


cdef double _neg_loglik(int n, const double* eta, const double* y,
                        const double* w) noexcept nogil:
    cdef int i
    cdef double acc = 0.0
    for i in range(n):
        acc += w[i] * (_log1pexp(eta[i]) - y[i] * eta[i])
    return acc


cdef double _penalty(Work* W, double lam, double l1_ratio) noexcept nogil:
    cdef int g, j
    cdef double nrm2, acc = 0.0
    for g in range(W.ng):
        nrm2 = 0.0
        for j in range(W.starts[g], W.starts[g + 1]):
            nrm2 += W.b[j] * W.b[j]
        acc += W.wg[g] * (l1_ratio * (1.0 - W.sgl) * sqrt(nrm2)
                          + 0.5 * (1.0 - l1_ratio) * nrm2)
        if W.sgl > 0.0:
            for j in range(W.starts[g], W.starts[g + 1]):
                acc += W.sgl * W.pfg[g] * fabs(W.b[j])
    return lam * acc


cdef void _working(int n, const double* eta, const double* y, const double* w,
                   double* z, double* sq, double* r) noexcept nogil:
    """The IRLS weights z, their square roots sq and the scaled working residual
    sq (y - p) / v (v = p (1 - p) floored, z = w v)."""
    cdef int i
    cdef double pr, v, vmin = PMIN * (1.0 - PMIN)
    for i in range(n):
        pr = 1.0 / (1.0 + exp(-eta[i]))
        v = pr * (1.0 - pr)
        if v < vmin:
            v = vmin
        z[i] = w[i] * v
        sq[i] = sqrt(z[i])
        r[i] = sq[i] * (y[i] - pr) / v if w[i] > 0.0 else 0.0


cdef void _working_r(int n, const double* eta, const double* y, const double* w,
                     const double* sq, double* r) noexcept nogil:
    """The scaled working residual sq r = w (y - p) / sq for weights z = sq^2 kept
    from an earlier IRLS step: z r is the exact gradient, so the fixed point is
    still the optimum (the quadratic model's Hessian is then that of the earlier
    point)."""
    cdef int i
    for i in range(n):
        r[i] = w[i] * (y[i] - 1.0 / (1.0 + exp(-eta[i]))) / sq[i] if w[i] > 0.0 else 0.0


def group_binomial_path(const double[::1, :] X, const double[::1] y,
                        const double[::1] w, const double[::1] wg,
                        const int[::1] starts, double l1_ratio,
                        const double[::1] lambdas, bint fit_intercept,
                        bint early_stop, double tol, long max_iter,
                        double[:, ::1] coefs_out, double[::1] intercepts_out,
                        double[::1] dev_out, int[::1] iter_out,
                        unsigned char[::1] converged_out, offset=None,
                        double l1_within=0.0, pfg=None, bint cov=False):
    """Binomial group elastic-net path (see the module docstring); ``offset`` (n,)
    is added to the linear predictor. Returns the number of lambdas fitted.

    ``cov``: covariance mode over the strong set. At each refresh of the IRLS
    weights z the Gram matrix of the strong groups' working columns
    sqrt(z) (x_j - m_j) is computed (one dsyrk; grown by a dgemm when groups join),
    so that a block update costs O(|S| k) instead of O(n k); the gradient Xs'r is
    recomputed once per IRLS step and the residual moved once after the solve. The
    kernel leaves the mode for the rest of the path when the strong set outgrows
    SCOV_MAX_COLS columns or half the rows. The same iterations as without it, to
    round-off."""
    cdef int n = X.shape[0], p = X.shape[1], ng = wg.shape[0], nlam = lambdas.shape[0]
    cdef Work W
    cdef double b0 = 0.0, b0_old, dev, dev0, sat = 0.0, lam, lam_prev
    cdef double dr_prev = 0.0, f_old, f_new, step, acc, db0, t_start, t0
    cdef int i, j, g, m, q, nstrong, before, it, h, n_fit = 0
    cdef long sweeps
    cdef bint ok, accepted, refresh, fresh = True
    cdef const double[::1] off_v
    cdef const double[::1] pfg_v
    cdef const double* off = NULL
    cdef const double* yp = &y[0]
    cdef const double* wp = &w[0]
    cdef double* b = <double*>calloc(max(p, 1), sizeof(double))
    cdef double* b_old = <double*>calloc(max(p, 1), sizeof(double))
    cdef double* r = <double*>malloc(max(n, 1) * sizeof(double))
    cdef double* r0 = <double*>malloc(max(n, 1) * sizeof(double))
    cdef double* z = <double*>malloc(max(n, 1) * sizeof(double))
    cdef double* sq = <double*>malloc(max(n, 1) * sizeof(double))
    cdef double* eta = <double*>malloc(max(n, 1) * sizeof(double))
    cdef double* eta_old = <double*>malloc(max(n, 1) * sizeof(double))
    cdef double* gnorm = <double*>calloc(max(p, 1), sizeof(double))
    cdef unsigned char* in_strong = <unsigned char*>calloc(max(ng, 1), 1)
    cdef int* strong = <int*>malloc(max(ng, 1) * sizeof(int))
    cdef int* active = <int*>malloc(max(ng, 1) * sizeof(int))
    cdef long* qstart = <long*>malloc(max(ng, 1) * sizeof(long))
    if offset is not None:
        off_v = offset
        off = &off_v[0]
    cdef const double* pfg_p = NULL
    if l1_within > 0.0:
        pfg_v = pfg
        pfg_p = &pfg_v[0]
    _init_work(&W, n, p, ng, &X[0, 0], &starts[0], &wg[0], b, &b0, r, z, sq, qstart,
               fit_intercept, True, cov, l1_within, pfg_p)
    if (b == NULL or b_old == NULL or r == NULL or r0 == NULL or z == NULL or sq == NULL
            or eta == NULL or eta_old == NULL or gnorm == NULL or in_strong == NULL
            or strong == NULL or active == NULL or qstart == NULL
            or _alloc(&W, n, p, ng, &starts[0], qstart) != 0):
        raise MemoryError()
    try:
        with nogil:
            for i in range(n):
                eta[i] = off[i] if off != NULL else 0.0
                if 0.0 < y[i] < 1.0:  # proportions: the saturated log-likelihood
                    sat += w[i] * (y[i] * log(y[i]) + (1.0 - y[i]) * log(1.0 - y[i]))
            dev0 = -1.0
            lam_prev = lambdas[0]
            t_start = _now()
            for m in range(nlam):
                lam = lambdas[m]
                sweeps = 0
                ok = True
                if m > 0:
                    nstrong = _strong_set(&W, gnorm, l1_ratio, lam, lam_prev,
                                          in_strong, strong)
                else:
                    nstrong = 0
                    for g in range(ng):
                        if wg[g] == 0.0:
                            in_strong[g] = 1
                            strong[nstrong] = g
                            nstrong += 1
                # the IRLS weights are kept from the previous lambda (its
                # Hessian is close) and refreshed after IRLS_FRESH_AFTER steps
                refresh = m == 0
                while True:
                    # IRLS on the working set
                    for it in range(MAX_IRLS):
                        t0 = _now()
                        _count(C_IRLS, 1)
                        if refresh or it >= IRLS_FRESH_AFTER:
                            _count(C_REFRESH, 1)
                            # new Hessian weights: every group's eigen-decomposition
                            # (and weighted means) is recomputed when next needed
                            _working(n, eta, yp, wp, z, sq, r)
                            W.sz = 0.0
                            for i in range(n):
                                W.sz += z[i]
                            memset(W.have_eig, 0, ng * sizeof(unsigned char))
                            fresh = True
                            refresh = False
                        else:
                            _working_r(n, eta, yp, wp, sq, r)
                        b0_old = b0
                        memcpy(b_old, b, p * sizeof(double))
                        memcpy(eta_old, eta, n * sizeof(double))
                        f_old = _neg_loglik(n, eta, yp, wp) + _penalty(&W, lam, l1_ratio)
                        # (r0 - r) / sq is then the move of the linear predictor
                        memcpy(r0, r, n * sizeof(double))
                        if fit_intercept:
                            acc = 0.0
                            for i in range(n):
                                acc += sq[i] * r[i]
                            db0 = acc / W.sz
                            for i in range(n):
                                r[i] -= sq[i] * db0
                            b0 += db0
                        t0 = _tick(T_IRLS, t0)
                        if W.cov:
                            _scov_sync(&W, nstrong, strong, fresh)
                            fresh = False
                            t0 = _tick(T_GRAM, t0)
                        if W.oom:
                            break
                        sweeps += _solve_working(&W, nstrong, strong, active, lam,
                                                 l1_ratio, thr_for(dev0, tol),
                                                 max_iter - sweeps, &ok)
                        if W.cov:
                            t0 = _now()
                            _scov_finish(&W)
                            _tick(T_FINISH, t0)
                        if W.oom:
                            break
                        t0 = _now()
                        for i in range(n):
                            # rows of weight 0 (sq = 0) have no say in the fit
                            r0[i] = (r0[i] - r[i]) / sq[i] if sq[i] > 0.0 else 0.0
                        step = 1.0
                        accepted = False
                        for h in range(MAX_HALVINGS + 1):
                            for i in range(n):
                                eta[i] = eta_old[i] + step * r0[i]
                            f_new = (_neg_loglik(n, eta, yp, wp)
                                     + _penalty(&W, lam, l1_ratio))
                            if f_new <= f_old + 1e-12 * fabs(f_old):
                                accepted = True
                                break
                            step *= 0.5
                            b0 = b0_old + 0.5 * (b0 - b0_old)
                            for j in range(p):
                                b[j] = b_old[j] + 0.5 * (b[j] - b_old[j])
                        if not accepted:
                            # no descent left along the step: the optimum to round-off
                            b0 = b0_old
                            memcpy(b, b_old, p * sizeof(double))
                            memcpy(eta, eta_old, n * sizeof(double))
                            break
                        acc = 0.0
                        for i in range(n):
                            acc += z[i] * (eta[i] - eta_old[i]) * (eta[i] - eta_old[i])
                        _tick(T_IRLS, t0)
                        if acc < thr_for(dev0, tol) or not ok:
                            break
                    if W.oom:
                        break
                    if dev0 < 0.0:
                        dev0 = 2.0 * (_neg_loglik(n, eta, yp, wp) + sat)
                    # the exact gradient at the solution for the KKT check (z r is
                    # the gradient whatever z; z is kept for the model Hessian)
                    _working_r(n, eta, yp, wp, sq, r)
                    before = nstrong
                    nstrong = _kkt(&W, gnorm, lam, l1_ratio, in_strong, strong,
                                   nstrong)
                    if nstrong == before or not ok:
                        break
                if W.oom:
                    break
                if PROFILE:
                    _profile_lambda(&W, nstrong, sweeps)
                for j in range(p):
                    coefs_out[m, j] = b[j]
                intercepts_out[m] = b0
                dev = 2.0 * (_neg_loglik(n, eta, yp, wp) + sat)
                n_fit = m + 1
                lam_prev = lam
                if _end_lambda(m, dev, dev0, sweeps, ok, early_stop, False, &dr_prev,
                               &dev_out[0], &iter_out[0], &converged_out[0]):
                    break
            _tick(T_TOTAL, t_start)
        if W.oom:
            raise MemoryError("group_binomial_path: no memory for the working columns")
    finally:
        _release(&W)
        free(b)
        free(b_old)
        free(r)
        free(r0)
        free(z)
        free(sq)
        free(eta)
        free(eta_old)
        free(gnorm)
        free(in_strong)
        free(strong)
        free(active)
        free(qstart)
    return n_fit

