# Gaussian elastic-net path by coordinate descent (Friedman, Hastie & Tibshirani 2010).
#
# Solves, for each lambda of a decreasing grid and with warm starts,
#
#     min_{b0, b}  1/2 sum_i w_i (y_i - b0 - x_i'b)^2
#                  + lam * sum_j pf_j (l1_ratio |b_j| + (1 - l1_ratio)/2 b_j^2)
#
# with sum_i w_i = 1 and X already centred (when fit_intercept) and scaled.
#
# Working set A (the ever-active variables, in order of entry). Coordinate descent
# runs on A only, with a compact copy H of the Gram block X_A'W X_A and the
# gradient gA = X_A'W r on A, so an update costs O(|A|) in both schemes:
#   covariance  (n >= 2p) full Gram columns X'W x_k are cached for the variables
#               of A (computed in blocks with dgemm; once a third of the columns
#               are cached, all the others at once by symmetry and dsyrk; up to
#               GRAM_WHOLE columns with uniform weights, all of them at the first
#               entry); the gradient over all columns, needed by the strong rule and
#               the KKT check, is g = c - G b, O(p|A|).
#   naive       (otherwise) H is filled by dgemm against a contiguous copy of A's
#               columns; the gradient outside A is recomputed from the residual,
#               O(np) per check (dgemv). Between such full gradients a check (the
#               strong rule's, the KKT one) reads only the columns whose |g_j| was
#               at least half the threshold at the last one, from a contiguous copy:
#               for every other column |g_j - gref_j| <= sqrt(v_j) ||r - rref||_W
#               (Cauchy-Schwarz), and while that bound keeps them all below the
#               check's threshold the check's decisions are those of the whole
#               gradient; otherwise the whole gradient is computed again
#               (`screened`, `refresh`). On a 31 x 4088 path of 93 lambdas this
#               left 27 full gradients (93 before) for 180 checks.
# Every ANDERSON_K sweeps the last iterates on A are extrapolated (Anderson
# acceleration of coordinate descent: Bertrand & Massias 2021, AISTATS, alg. 1)
# and the extrapolated point is kept only when it lowers the objective. Once the
# support and signs are stable, `polish` solves the quadratic on the support exactly
# and updates the support (a primal active-set method), with a Cholesky factor that
# is updated as variables join or leave and, with an L2 part, preconditions
# conjugate gradients at later lambdas.
#
# Each lambda starts from the previous solution or, when it has a lower objective, its
# secant extrapolation in log(lam) from the two previous solutions (`secant_start`).
# Per lambda: the sequential strong rule (Tibshirani et al. 2012, eq. 8) gives the
# strong set S; its KKT violators join A; CD on A until the largest weighted squared
# coordinate change of a sweep, max_j v_j db_j^2, is below STOP_FACTOR * tol * rss
# (rss: the smallest residual sum of squares reached so far on the path, yy at first)
# (or a polish leaves no such step); then the KKT conditions are checked on S (naive
# scheme), then on every column, and violators join A. See docs/solver.md.

from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy, memmove, memset
from scipy.linalg.cython_blas cimport daxpy, ddot, dgemm, dgemv, dsyrk, dtrsm, dtrsv
from scipy.linalg.cython_lapack cimport dpotrf

from libc.math cimport log, sqrt

from penstat.solver._cd._common cimport (
    clip,
    early_stop_reached,
    fabs,
    fmax,
    fmin,
    kkt_violated,
    movable,
    soft_threshold,
    strong_rule_cut,
)

import numpy as np

cdef extern from *:
    """
    #include <stdlib.h>
    #if defined(__linux__)
    #include <sys/mman.h>
    #endif
    /* The large work arrays (compact Gram, Cholesky factor, copies of columns, Gram
       columns) are fresh memory at every fit, and each first touch of a 4 KiB page is
       a page fault (about 1.5 us here: 7000 of them, 10 ms, in a fit at n = p = 1000).
       From 4 MiB on they are allocated in whole 2 MiB pages and advised for
       transparent huge pages, one fault per 2 MiB where the kernel has them enabled
       ('always' or 'madvise'; numpy advises its own large arrays the same way).
       Smaller ones are left to malloc, which reuses them from fit to fit (advised,
       the 2 MiB Gram scratch cost a fresh huge page per fit: 3% to 8% on fits of
       1 to 4 ms). */
    static void *penstat_big_alloc(size_t nbytes) {
    #if defined(__linux__) && defined(MADV_HUGEPAGE)
        const size_t huge = (size_t)2 << 20;
        void *p = NULL;
        if (nbytes >= ((size_t)4 << 20)) {
            nbytes = (nbytes + huge - 1) & ~(huge - 1);
            if (posix_memalign(&p, huge, nbytes) != 0)
                return NULL;
            madvise(p, nbytes, MADV_HUGEPAGE);
            return p;
        }
    #endif
        return malloc(nbytes);
    }
    """
    void *penstat_big_alloc(size_t nbytes) noexcept nogil

# Covariance updates need a p x p cache at worst; beyond this p the naive scheme is used.
GRAM_MAX_P = 4096

# Anderson extrapolation every ANDERSON_K sweeps, from the last ANDERSON_K iterates.
DEF ANDERSON_K = 5
# Gram columns are computed in blocks of at least GRAM_BLOCK, and at least a quarter
# of the number cached already (dgemm packs all of X once per block, so blocks grow
# geometrically; the extra columns are the likeliest next entrants). The weighted
# copies of the block's columns go through a scratch of GRAM_SCRATCH doubles, a slab
# of rows at a time.
DEF GRAM_BLOCK = 32
DEF GRAM_SCRATCH = 262144
# Once more than p / GRAM_COMPLETE variables would hold Gram columns, the columns of all
# the others are computed at once: their entries against the cached variables are
# already known by symmetry, and their block among themselves costs one dsyrk (half
# the flops of the dgemm blocks that would compute them one block at a time).
DEF GRAM_COMPLETE = 3
# Up to GRAM_WHOLE columns, with uniform weights, the whole Gram is computed at the
# first entry by one dsyrk on X (no weighted copies): the blocks and the completion
# above would compute all of it within the first two or three entries anyway.
DEF GRAM_WHOLE = 128
# Naive mode: the Gram entries of variables joining A are computed XA_CHUNK at a time
# with dgemm against the compact copy of A's columns; when fewer join, the variables
# with the largest |g_j| / pf_j >= ENTRY_MARGIN * lam * l1_ratio fill the chunk (the
# strong rule's own margin is about 0.9 on a log-spaced grid of 100 lambdas).
DEF XA_CHUNK = 32
cdef double ENTRY_MARGIN = 0.6
# Naive mode: the gradient outside A is computed by dgemv on runs of columns outside
# A; a stretch of A of fewer than RUN_GAP / n columns inside a run is computed through.
DEF RUN_GAP = 4096

# The inner stopping threshold is STOP_FACTOR * tol * rss (see run_path):
# glmnet's criterion made 1e-5 times tighter, chosen on the benchmark grid so that the
# default tol = 1e-7 puts every objective within 1e-6 of its optimum.
cdef double STOP_FACTOR = 1e-5
# Screening (naive mode): the columns kept for the checks between full gradients are
# those with |g_j| >= SCREEN_KEEP lam l1_ratio pf_j, at most SCREEN_SHARE of the columns
# and SCREEN_MAX doubles in all (else every check computes the whole gradient); the
# bound is widened by SCREEN_MARGIN (||r||_W + ||rref||_W) against rounding.
cdef double SCREEN_KEEP = 0.5
cdef double SCREEN_SHARE = 0.25
DEF SCREEN_MAX = 1048576
cdef double SCREEN_MARGIN = 1e-9

# Cholesky flops are weighted by this against coordinate-sweep flops when deciding
# whether a polish is worth trying (blocked dpotrf runs several times faster per flop).
cdef double POLISH_WEIGHT = 0.3
# With an L2 part the factor of H_SS + diag(l2_S) made at one lambda preconditions the
# system of a later lambda (`factor_solve`) while every diagonal entry's ratio stays
# within [FACTOR_STALE, 1 / FACTOR_STALE]; beyond that it is rebuilt.
cdef double FACTOR_STALE = 0.7
# A polish is repeated on the new support while coefficients leave it or variables at
# 0 join it (a primal active-set method), at most POLISH_REPEAT steps in all.
DEF POLISH_REPEAT = 16
# Before the first sweep at a lambda, a polish from the warm start is tried when it
# costs at most WARM_POLISH |A|^2 flops (about 8 sweeps over A).
cdef double WARM_POLISH = 16.0


cdef struct Problem:
    int n
    int p
    const double *X
    const double *w
    const double *pf
    double a          # l1_ratio
    double w0         # common weight when the weights are uniform
    bint uniform
    bint gram
    const double *yc
    double yy         # sum_i w_i yc_i^2
    double *v         # weighted column norms sum_i w_i x_ij^2
    double *c         # x_j' W yc
    double *g         # gradient x_j' W r (current after `full_gradient`)
    double *b         # coefficients (current for A after `scatter`)
    double *wr        # w * r (naive mode)
    bint wr_valid     # wr is current for the coefficients of A
    double *tmp       # length-n scratch
    # working set
    int nA
    int cap           # allocated size of the compact arrays
    int *act          # variables of A in order of entry
    int *pos          # position in act, -1 outside A
    double *H         # compact Gram, column t at H + t * cap
    double *gA
    double *bA
    double *cA
    double *vA
    double *l1A
    double *l2A
    double *hist      # Anderson history, ANDERSON_K + 1 iterates of length cap
    double *save_b
    double *save_g
    double *bprev     # coefficients of A at the previous lambda (secant warm start)
    double *M         # Cholesky factor of the polish system, cap x cap
    int *sidx         # positions in A of the nonzero coefficients
    int n_flips       # support or sign changes in the last sweep
    double lam        # current lambda
    int *fidx         # support (positions in A) of the Cholesky factor held in M,
                      # in the factor's order (M has leading dimension cap)
    int *fpos         # position in fidx of each position of A, -1 outside
    int fns
    double *fd        # diagonal (l2) added to H_SS in the factor, in the factor's order
    double *work      # 6 * cap scratch (conjugate gradients)
    bint fvalid
    # covariance mode: full Gram columns, slot s at G + s * p
    double *G
    int n_slots
    int slot_cap
    int *slot         # slot of column j, -1 when not cached
    int *slot_var     # variable of slot s
    double *bslot     # coefficients in slot order (scratch)
    double *block     # n x GRAM_BLOCK scratch for dgemm
    int *pick         # p scratch
    # naive mode: copies of the first nx columns of A (contiguous, for dgemm/dgemv)
    double *XA
    int nx
    int xa_cap        # columns allocated
    int xa_max        # at most this many (n * xa_max <= max(p^2, 64 n) doubles)
    double *xw        # n x XA_CHUNK scratch (weighted columns)
    double *hc        # xa_max x XA_CHUNK scratch (Gram entries)
    bint failed       # an allocation failed
    # coefficient limits (kernel scale), only when some are finite: every update is
    # clipped to [lo_j, hi_j]; the polish holds coefficients at a limit fixed and cuts
    # its step where a coefficient reaches one (as where one reaches 0); Anderson's
    # and the secant's points are clipped before their objective checks
    bint bounded
    bint stop_change  # glmnet's early stop on a small deviance change (off: ratio only)
    const double *lo
    const double *hi
    # naive mode, screening (`screen`): at each full gradient ("fresh": g exact for
    # every column at the current residual) the columns outside A with |g_j| >=
    # SCREEN_KEEP lam l1_ratio pf_j (and the unpenalized ones) are copied to XC
    # (cidx[0:nc], ascending); for every other column outside A, |g_j| / pf_j <=
    # cM + cS delta, with delta = ||r - rref||_W (Cauchy-Schwarz; rref the residual
    # of that full gradient, cS the largest sqrt(v_j) / pf_j). While that bound is
    # below a check's threshold, the check needs only XC' W r (nc = -1: no copy).
    bint screen
    bint fresh
    int nc
    # the kept columns' positions cidx[0:nk] of the last full gradient (nk -1: none
    # yet), kept at |g_j| >= keep_level pf_j: while g is that gradient ("fresh"), a
    # loop over the columns outside A for a threshold >= keep_level reads only these
    int nk
    double keep_level
    const double *sv  # sqrt(v_j) / pf_j (0 for an unpenalized column), for the bound
    int xc_cap
    int *cidx
    double *XC
    double *rref
    double *r
    double *tmp2      # length-p scratch
    double cM
    double cS
    double delta


cdef inline const double *col(Problem *P, int j) noexcept nogil:
    return P.X + <Py_ssize_t> j * P.n


# ---- memory -----------------------------------------------------------------------


cdef double *relaid(double *old, int old_ld, int k, int ld) noexcept nogil:
    """A new ld x ld array holding the leading k x k block of `old` (leading
    dimension old_ld), which is freed; NULL, with `old` kept, when out of memory."""
    cdef int t
    cdef double *new = <double *> penstat_big_alloc(<size_t> ld * ld * sizeof(double))
    if new == NULL:
        return NULL
    for t in range(k):
        memcpy(new + <Py_ssize_t> t * ld, old + <Py_ssize_t> t * old_ld, k * sizeof(double))
    free(old)
    return new


cdef bint grow_compact(Problem *P, int need) noexcept nogil:
    """Make room for `need` variables in the compact arrays (doubling; from nothing
    when P.cap is 0)."""
    cdef int cap = P.cap, t
    cdef double *H
    cdef double *M
    if need <= cap:
        return True
    if cap == 0:
        cap = need
    while cap < need:
        cap *= 2
    if cap > P.p:
        cap = P.p
    H = relaid(P.H, P.cap, P.nA, cap)
    if H == NULL:
        return False
    P.H = H
    P.gA = <double *> realloc(P.gA, cap * sizeof(double))
    P.bA = <double *> realloc(P.bA, cap * sizeof(double))
    P.cA = <double *> realloc(P.cA, cap * sizeof(double))
    P.vA = <double *> realloc(P.vA, cap * sizeof(double))
    P.l1A = <double *> realloc(P.l1A, cap * sizeof(double))
    P.l2A = <double *> realloc(P.l2A, cap * sizeof(double))
    P.save_b = <double *> realloc(P.save_b, cap * sizeof(double))
    P.save_g = <double *> realloc(P.save_g, cap * sizeof(double))
    P.bprev = <double *> realloc(P.bprev, cap * sizeof(double))
    P.hist = <double *> realloc(P.hist, <size_t> (ANDERSON_K + 1) * cap * sizeof(double))
    # the Cholesky factor moves to the new leading dimension
    M = relaid(P.M, P.cap, P.fns, cap)
    if M == NULL:
        return False
    P.M = M
    P.sidx = <int *> realloc(P.sidx, cap * sizeof(int))
    P.fidx = <int *> realloc(P.fidx, cap * sizeof(int))
    P.fpos = <int *> realloc(P.fpos, cap * sizeof(int))
    P.fd = <double *> realloc(P.fd, cap * sizeof(double))
    P.work = <double *> realloc(P.work, 7 * cap * sizeof(double))
    if P.fpos != NULL:
        for t in range(P.cap, cap):
            P.fpos[t] = -1
    P.cap = cap
    return not (P.gA == NULL or P.bA == NULL or P.cA == NULL or P.vA == NULL
                or P.l1A == NULL or P.l2A == NULL or P.save_b == NULL
                or P.save_g == NULL or P.bprev == NULL or P.hist == NULL or P.M == NULL
                or P.sidx == NULL
                or P.fidx == NULL or P.fpos == NULL or P.fd == NULL or P.work == NULL)


cdef void free_all(Problem *P) noexcept nogil:
    free(P.H)
    free(P.gA)
    free(P.bA)
    free(P.cA)
    free(P.vA)
    free(P.l1A)
    free(P.l2A)
    free(P.save_b)
    free(P.save_g)
    free(P.bprev)
    free(P.hist)
    free(P.M)
    free(P.sidx)
    free(P.fidx)
    free(P.fpos)
    free(P.fd)
    free(P.work)
    free(P.G)
    free(P.slot_var)
    free(P.bslot)
    free(P.block)
    free(P.XA)
    free(P.xw)
    free(P.hc)
    free(P.XC)


# ---- Gram columns (covariance mode) -----------------------------------------------


cdef bint cache_columns(Problem *P, const int *want, int m) noexcept nogil:
    """Cache the full Gram columns of variables want[0:m] (those without one), in
    one dgemm block topped up with the uncached variables of largest |g_j| / pf_j."""
    cdef int p = P.p, j, t, k, kb = 0, target, best
    cdef double sc, best_sc
    # slot -2 marks a variable picked for this block
    for t in range(m):
        k = want[t]
        if P.slot[k] == -1:
            P.pick[kb] = k
            P.slot[k] = -2
            kb += 1
    if kb == 0:
        return True
    if P.n_slots == 0 and P.uniform and p <= GRAM_WHOLE:
        return gram_whole(P)
    if GRAM_COMPLETE * (P.n_slots + kb) > p:
        for j in range(p):
            if P.slot[j] == -1 and P.v[j] > 0.0:
                P.pick[kb] = j
                P.slot[j] = -2
                kb += 1
        return gram_complete(P, kb)
    target = GRAM_BLOCK if P.n_slots < 4 * GRAM_BLOCK else P.n_slots // 4
    while kb < target:
        best = -1
        best_sc = -1.0
        for j in range(p):
            if P.slot[j] != -1 or P.v[j] <= 0.0:
                continue
            sc = movable(P.g[j], P.lo, P.hi, j) / P.pf[j] if P.pf[j] > 0.0 else 1e300
            if sc > best_sc:
                best_sc = sc
                best = j
        if best < 0:
            break
        P.pick[kb] = best
        P.slot[best] = -2
        kb += 1
    return gram_block(P, kb)


cdef bint slot_room(Problem *P, int kb) noexcept nogil:
    """Room for kb more Gram columns."""
    cdef int p = P.p, new_cap
    cdef double *G
    cdef int *sv
    cdef double *bs
    if P.n_slots + kb > P.slot_cap:
        new_cap = P.slot_cap
        while new_cap < P.n_slots + kb:
            new_cap *= 2
        if new_cap > p:
            new_cap = p
        G = <double *> penstat_big_alloc(<size_t> new_cap * p * sizeof(double))
        if G == NULL:
            return False
        memcpy(G, P.G, <size_t> P.n_slots * p * sizeof(double))
        free(P.G)
        P.G = G
        sv = <int *> realloc(P.slot_var, new_cap * sizeof(int))
        if sv == NULL:
            return False
        P.slot_var = sv
        bs = <double *> realloc(P.bslot, new_cap * sizeof(double))
        if bs == NULL:
            return False
        P.bslot = bs
        P.slot_cap = new_cap
    return True


cdef void weighted_slab(Problem *P, int kb, int r0, int nr, double wc,
                        const double *wv) noexcept nogil:
    """P.block (nr x kb) = rows r0 .. r0 + nr of the picked columns, each row times
    its weight: wc when the weights are uniform, else wv[row]."""
    cdef int t, i
    cdef const double *xk
    cdef double *dst
    for t in range(kb):
        xk = col(P, P.pick[t]) + r0
        dst = P.block + <Py_ssize_t> t * nr
        if P.uniform:
            for i in range(nr):
                dst[i] = wc * xk[i]
        else:
            for i in range(nr):
                dst[i] = wv[r0 + i] * xk[i]


cdef void assign_slots(Problem *P, int kb) noexcept nogil:
    cdef int t, k
    for t in range(kb):
        k = P.pick[t]
        P.slot[k] = P.n_slots
        P.slot_var[P.n_slots] = k
        P.n_slots += 1


cdef bint gram_whole(Problem *P) noexcept nogil:
    """Every Gram column at once (uniform weights): one dsyrk on X itself, no copies."""
    cdef int n = P.n, p = P.p, i, j
    cdef double zero_d = 0.0
    if not slot_room(P, p):
        return False
    dsyrk("L", "T", &p, &n, &P.w0, <double *> P.X, &n, &zero_d, P.G, &p)
    for j in range(p):
        for i in range(j + 1, p):
            P.G[<Py_ssize_t> i * p + j] = P.G[<Py_ssize_t> j * p + i]
        P.pick[j] = j
    assign_slots(P, p)
    return True


cdef bint gram_complete(Problem *P, int kb) noexcept nogil:
    """Gram columns of the kb variables in P.pick, which are all the uncached ones.

    Rows of cached variables are copied from their own columns (G is symmetric);
    the kb x kb block comes from dsyrk on slabs of sqrt(w) X_pick; the remaining rows
    belong to columns without variance (zero after centring) and are 0.
    """
    cdef int n = P.n, p = P.p, i, t, u, a, b, s, s0, r0, nr, rows
    cdef double one_d = 1.0, zero_d = 0.0, beta
    cdef double *dst
    cdef double *T
    if not slot_room(P, kb):
        return False
    T = <double *> penstat_big_alloc(<size_t> kb * kb * sizeof(double))
    if T == NULL:
        return False
    s0 = P.n_slots
    for t in range(kb):
        dst = P.G + <Py_ssize_t> (s0 + t) * p
        for i in range(p):
            dst[i] = 0.0
        u = P.pick[t]
        for s in range(s0):
            dst[P.slot_var[s]] = P.G[<Py_ssize_t> s * p + u]
    # square roots of the weights, once, in the length-n scratch
    if not P.uniform:
        for i in range(n):
            P.tmp[i] = sqrt(P.w[i])
    rows = GRAM_SCRATCH // kb
    if rows < 1:
        rows = 1
    r0 = 0
    while r0 < n:
        nr = n - r0 if n - r0 < rows else rows
        weighted_slab(P, kb, r0, nr, sqrt(P.w0), P.tmp)
        beta = zero_d if r0 == 0 else one_d
        dsyrk("U", "T", &kb, &nr, &one_d, P.block, &nr, &beta, T, &kb)
        r0 += nr
    for a in range(kb):
        dst = P.G + <Py_ssize_t> (s0 + a) * p
        for b in range(kb):
            if a <= b:
                dst[P.pick[b]] = T[a + <Py_ssize_t> b * kb]
            else:
                dst[P.pick[b]] = T[b + <Py_ssize_t> a * kb]
    free(T)
    assign_slots(P, kb)
    return True


cdef bint gram_block(Problem *P, int kb) noexcept nogil:
    """G[:, new slots] = X' W X_pick for the kb variables in P.pick."""
    cdef int n = P.n, p = P.p, r0, nr, rows
    cdef double one_d = 1.0, zero_d = 0.0, beta
    if not slot_room(P, kb):
        return False
    rows = GRAM_SCRATCH // kb
    if rows < 1:
        rows = 1
    r0 = 0
    while r0 < n:
        nr = n - r0 if n - r0 < rows else rows
        weighted_slab(P, kb, r0, nr, P.w0, P.w)
        beta = zero_d if r0 == 0 else one_d
        dgemm("T", "N", &p, &kb, &nr, &one_d, <double *> P.X + r0, &n, P.block, &nr,
              &beta, P.G + <Py_ssize_t> P.n_slots * p, &p)
        r0 += nr
    assign_slots(P, kb)
    return True


# ---- working set --------------------------------------------------------------------


cdef bint add_to_active(Problem *P, const int *new, int m, double lam) noexcept nogil:
    """Append variables new[0:m] to A (their gradient P.g[k] must be current)."""
    cdef int n = P.n, one = 1, t, s, k, kk, cap, nx0 = P.nx
    cdef double h
    cdef const double *Gk
    if m == 0:
        return True
    if P.gram:
        if not cache_columns(P, new, m):
            return False
    if not grow_compact(P, P.nA + m):
        return False
    cap = P.cap
    for t in range(m):
        k = new[t]
        kk = P.nA
        P.act[kk] = k
        P.pos[k] = kk
        P.bA[kk] = P.b[k]
        P.gA[kk] = P.g[k]
        P.cA[kk] = P.c[k]
        P.vA[kk] = P.v[k]
        P.l1A[kk] = lam * P.a * P.pf[k]
        P.l2A[kk] = lam * (1.0 - P.a) * P.pf[k]
        if P.gram:
            Gk = P.G + <Py_ssize_t> P.slot[k] * P.p
            for s in range(kk + 1):
                h = Gk[P.act[s]]
                P.H[<Py_ssize_t> kk * cap + s] = h
                P.H[<Py_ssize_t> s * cap + kk] = h
        elif P.nx == kk and P.nx < P.xa_max:
            # joins the compact copy; its Gram entries come from `xa_gram` below
            if not grow_xa(P, P.nx + 1):
                return False
            memcpy(P.XA + <Py_ssize_t> P.nx * n, col(P, k), n * sizeof(double))
            P.nx += 1
            P.H[<Py_ssize_t> kk * cap + kk] = P.v[k]
        else:
            if P.uniform:
                for s in range(kk):
                    h = P.w0 * ddot(&n, <double *> col(P, k), &one,
                                    <double *> col(P, P.act[s]), &one)
                    P.H[<Py_ssize_t> kk * cap + s] = h
                    P.H[<Py_ssize_t> s * cap + kk] = h
            else:
                for s in range(n):
                    P.tmp[s] = P.w[s] * col(P, k)[s]
                for s in range(kk):
                    h = ddot(&n, P.tmp, &one, <double *> col(P, P.act[s]), &one)
                    P.H[<Py_ssize_t> kk * cap + s] = h
                    P.H[<Py_ssize_t> s * cap + kk] = h
            P.H[<Py_ssize_t> kk * cap + kk] = P.v[k]
        P.nA += 1
    if P.nx > nx0:
        xa_gram(P, nx0)
    return True


cdef bint grow_xa(Problem *P, int need) noexcept nogil:
    cdef int c = P.xa_cap
    cdef double *XA
    if need <= c:
        return True
    c = 2 * c if c > 0 else 64
    if c < need:
        c = need
    if c > P.xa_max:
        c = P.xa_max
    XA = <double *> penstat_big_alloc(<size_t> c * P.n * sizeof(double))
    if XA == NULL:
        return False
    if P.nx > 0:
        memcpy(XA, P.XA, <size_t> P.nx * P.n * sizeof(double))
    free(P.XA)
    P.XA = XA
    P.xa_cap = c
    return True


cdef void xa_gram(Problem *P, int nx0) noexcept nogil:
    """H entries between the columns nx0..nx-1 of XA and columns 0..their own, by
    dgemm, XA_CHUNK new columns at a time (the diagonal stays v)."""
    cdef int n = P.n, cap = P.cap, c0, c1, mc, i, jj, s, kk
    cdef double alpha, zero_d = 0.0
    cdef const double *B
    cdef double *dst
    cdef double *src
    cdef double h
    c0 = nx0
    while c0 < P.nx:
        c1 = c0 + XA_CHUNK if c0 + XA_CHUNK < P.nx else P.nx
        mc = c1 - c0
        if P.uniform:
            B = P.XA + <Py_ssize_t> c0 * n
            alpha = P.w0
        else:
            for jj in range(mc):
                src = P.XA + <Py_ssize_t> (c0 + jj) * n
                dst = P.xw + <Py_ssize_t> jj * n
                for i in range(n):
                    dst[i] = P.w[i] * src[i]
            B = P.xw
            alpha = 1.0
        dgemm("T", "N", &c1, &mc, &n, &alpha, P.XA, &n, <double *> B, &n, &zero_d,
              P.hc, &c1)
        for jj in range(mc):
            kk = c0 + jj
            for s in range(kk):
                h = P.hc[<Py_ssize_t> jj * c1 + s]
                P.H[<Py_ssize_t> kk * cap + s] = h
                P.H[<Py_ssize_t> s * cap + kk] = h
        c0 = c1


cdef inline double sweep(Problem *P) noexcept nogil:
    """One pass of coordinate updates over A; returns max v_j d_j^2."""
    cdef int t, one = 1, nA = P.nA
    cdef double dlx = 0.0, bk, bnew, d, vk, step
    for t in range(nA):
        vk = P.vA[t]
        bk = P.bA[t]
        # Friedman et al. 2010, eq. 5 with the ridge part in the denominator
        bnew = soft_threshold(P.gA[t] + vk * bk, P.l1A[t]) / (vk + P.l2A[t])
        d = bnew - bk
        if d != 0.0:
            if (bnew > 0.0) != (bk > 0.0) or (bnew < 0.0) != (bk < 0.0):
                P.n_flips += 1
            P.bA[t] = bnew
            step = -d
            daxpy(&nA, &step, P.H + <Py_ssize_t> t * P.cap, &one, P.gA, &one)
            d = vk * d * d
            if d > dlx:
                dlx = d
    return dlx


cdef inline bint at_limit(Problem *P, int t, double bt) noexcept nogil:
    """Whether bt, the coefficient at position t of A, sits at a nonzero limit."""
    return bt != 0.0 and (bt == P.lo[P.act[t]] or bt == P.hi[P.act[t]])


cdef inline double clip_limits(Problem *P, int t, double bt) noexcept nogil:
    return clip(bt, P.lo[P.act[t]], P.hi[P.act[t]])


cdef double sweep_bounded(Problem *P) noexcept nogil:
    """`sweep` with each update clipped to its limits (glmnet's projection of the
    coordinate minimizer onto [lo_j, hi_j], exact for a box in one coordinate)."""
    cdef int t, k, one = 1, nA = P.nA
    cdef double dlx = 0.0, bk, bnew, d, vk, step
    for t in range(nA):
        k = P.act[t]
        vk = P.vA[t]
        bk = P.bA[t]
        bnew = soft_threshold(P.gA[t] + vk * bk, P.l1A[t]) / (vk + P.l2A[t])
        bnew = clip(bnew, P.lo[k], P.hi[k])
        d = bnew - bk
        if d != 0.0:
            if ((bnew > 0.0) != (bk > 0.0) or (bnew < 0.0) != (bk < 0.0)
                    or at_limit(P, t, bnew) != at_limit(P, t, bk)):
                P.n_flips += 1
            P.bA[t] = bnew
            step = -d
            daxpy(&nA, &step, P.H + <Py_ssize_t> t * P.cap, &one, P.gA, &one)
            d = vk * d * d
            if d > dlx:
                dlx = d
    return dlx


cdef double objective_A(Problem *P, const double *bA, const double *gA) noexcept nogil:
    """Objective at bA (gA = cA - H bA): 1/2 rr + penalty, rr = yy - b'c - b'g."""
    cdef int t
    cdef double bt, s = 0.0, pen = 0.0
    for t in range(P.nA):
        bt = bA[t]
        s += bt * (P.cA[t] + gA[t])
        pen += P.l1A[t] * fabs(bt) + 0.5 * P.l2A[t] * bt * bt
    return 0.5 * (P.yy - s) + pen


cdef void recompute_gA(Problem *P, const double *bA, double *gA) noexcept nogil:
    """gA = cA - H bA."""
    cdef int nA = P.nA, one = 1, ld = P.cap
    cdef double minus = -1.0, plus = 1.0
    memcpy(gA, P.cA, nA * sizeof(double))
    dgemv("N", &nA, &nA, &minus, P.H, &ld, <double *> bA, &one, &plus, gA, &one)


cdef bint anderson(Problem *P) noexcept nogil:
    """Extrapolate from the last ANDERSON_K + 1 iterates in P.hist (Bertrand &
    Massias 2021, alg. 1); keep the result when it lowers the objective."""
    cdef int K = ANDERSON_K, nA = P.nA, i, j, t, r, piv, one = 1
    cdef double C[ANDERSON_K][ANDERSON_K]
    cdef double z[ANDERSON_K]
    cdef double coef[ANDERSON_K]
    cdef double s, m, f_old, f_new, trace = 0.0
    cdef double *ui
    cdef double *uj
    # C = U U' with U_i = x_{i+1} - x_i; x_i = hist + i * cap
    for i in range(K):
        for j in range(i, K):
            s = 0.0
            ui = P.hist + <Py_ssize_t> i * P.cap
            uj = P.hist + <Py_ssize_t> j * P.cap
            for t in range(nA):
                s += (ui[t + P.cap] - ui[t]) * (uj[t + P.cap] - uj[t])
            C[i][j] = s
            C[j][i] = s
        trace += C[i][i]
    if not trace > 0.0:
        return False
    for i in range(K):
        z[i] = 1.0
    # Gaussian elimination with partial pivoting on C z = 1
    for i in range(K):
        piv = i
        for r in range(i + 1, K):
            if fabs(C[r][i]) > fabs(C[piv][i]):
                piv = r
        if fabs(C[piv][i]) <= 1e-14 * trace:
            return False
        if piv != i:
            for j in range(K):
                s = C[i][j]
                C[i][j] = C[piv][j]
                C[piv][j] = s
            s = z[i]
            z[i] = z[piv]
            z[piv] = s
        for r in range(i + 1, K):
            m = C[r][i] / C[i][i]
            for j in range(i, K):
                C[r][j] -= m * C[i][j]
            z[r] -= m * z[i]
    for i in range(K - 1, -1, -1):
        s = z[i]
        for j in range(i + 1, K):
            s -= C[i][j] * coef[j]
        coef[i] = s / C[i][i]
    s = 0.0
    for i in range(K):
        s += coef[i]
    if s == 0.0 or s != s:
        return False
    # extrapolated point sum_i coef_i x_{i+1} / sum coef
    for t in range(nA):
        P.save_b[t] = 0.0
    for i in range(K):
        m = coef[i] / s
        daxpy(&nA, &m, P.hist + <Py_ssize_t> (i + 1) * P.cap, &one, P.save_b, &one)
    if P.bounded:
        # coefficients at a limit stay exactly there (the weights' rounding would
        # move them off it by an ulp)
        for t in range(nA):
            if at_limit(P, t, P.bA[t]):
                P.save_b[t] = P.bA[t]
            else:
                P.save_b[t] = clip_limits(P, t, P.save_b[t])
    recompute_gA(P, P.save_b, P.save_g)
    f_old = objective_A(P, P.bA, P.gA)
    f_new = objective_A(P, P.save_b, P.save_g)
    if f_new < f_old:
        memcpy(P.bA, P.save_b, nA * sizeof(double))
        memcpy(P.gA, P.save_g, nA * sizeof(double))
        return True
    return False


cdef int support(Problem *P) noexcept nogil:
    """P.sidx[0:ns] = positions in A of the nonzero coefficients (with limits: those
    not at a limit, which stay fixed there); returns ns."""
    cdef int t, ns = 0
    for t in range(P.nA):
        if in_support(P, t):
            P.sidx[ns] = t
            ns += 1
    return ns


cdef inline bint in_support(Problem *P, int t) noexcept nogil:
    """Whether position t of A is in the polish's support: a nonzero coefficient,
    not held at a limit."""
    if P.bA[t] == 0.0:
        return False
    return not (P.bounded and at_limit(P, t, P.bA[t]))


cdef int factor_changes(Problem *P, int ns) noexcept nogil:
    """How many variables the factor in M must gain or lose to match the support
    P.sidx[0:ns] (nonzero coefficients of A), or -1 when it is better rebuilt: none
    is held, too many changes, or (with an L2 part) its diagonal was made at a lambda
    too far from the current one for it to precondition well (see `factor_solve`)."""
    cdef int s, kept = 0, t
    cdef double ratio
    if not P.fvalid:
        return -1
    for s in range(P.fns):
        t = P.fidx[s]
        if in_support(P, t):
            kept += 1
        if P.a < 1.0:
            ratio = P.l2A[t] / P.fd[s] if P.fd[s] > 0.0 else 1.0
            if ratio < FACTOR_STALE or ratio > 1.0 / FACTOR_STALE:
                return -1
    s = (ns - kept) + (P.fns - kept)
    if s > 4 + ns // 10:
        return -1
    return s


cdef bint factor_exact(Problem *P) noexcept nogil:
    """The factor's diagonal is the current one (it factors H_SS + diag(l2_S))."""
    cdef int s
    if P.a >= 1.0:
        return True
    for s in range(P.fns):
        if P.fd[s] != P.l2A[P.fidx[s]]:
            return False
    return True


cdef bint extend_factor(Problem *P, const int *ts, int m) noexcept nogil:
    """Append the variables ts[0:m] (positions in A) to the Cholesky factor L in M at
    once: L_new = [L 0; L21 L22] with L21 L' = H_NS (dtrsm) and L22 L22' = H_NN +
    diag(l2_N) - L21 L21' (dsyrk, dpotrf), O(|S|^2 m) through level-3 BLAS (the same
    factor as m single-row extensions by dtrsv). False (factor left as it was) when
    a pivot is not above 1e-10 of its diagonal entry."""
    cdef int k = P.fns, cap = P.cap, s, i, j, info = 0
    cdef double one_d = 1.0, minus = -1.0
    cdef double *L21 = P.M + k
    cdef double *L22 = P.M + <Py_ssize_t> k * cap + k
    cdef const double *h
    for i in range(m):
        h = P.H + <Py_ssize_t> ts[i] * cap
        for s in range(k):
            L21[<Py_ssize_t> s * cap + i] = h[P.fidx[s]]
        for j in range(i + 1):
            L22[<Py_ssize_t> j * cap + i] = h[ts[j]]
        L22[<Py_ssize_t> i * cap + i] += P.l2A[ts[i]]
    if k > 0:
        if m == 1:
            # one row: L l' = h_S by dtrsv on the row in place (dtrsm is slower here)
            dtrsv("L", "N", "N", &k, P.M, &cap, L21, &cap)
        else:
            dtrsm("R", "L", "T", "N", &m, &k, &one_d, P.M, &cap, L21, &cap)
        dsyrk("L", "N", &m, &k, &minus, L21, &cap, &one_d, L22, &cap)
    dpotrf("L", &m, L22, &cap, &info)
    if info != 0:
        return False
    for i in range(m):
        h = P.H + <Py_ssize_t> ts[i] * cap
        if not L22[<Py_ssize_t> i * cap + i] * L22[<Py_ssize_t> i * cap + i] > (
                1e-10 * (h[ts[i]] + P.l2A[ts[i]])):
            return False
    for i in range(m):
        P.fidx[k + i] = ts[i]
        P.fpos[ts[i]] = k + i
        P.fd[k + i] = P.l2A[ts[i]]
    P.fns = k + m
    return True


cdef void drop_from_factor(Problem *P, int k) noexcept nogil:
    """Remove position k from the Cholesky factor L in M, O(|S|^2): the trailing
    block becomes the factor of L22 L22' + l l' (l the part of column k below the
    diagonal), by the rank-one update with Givens-like rotations (Golub & Van Loan,
    Matrix Computations, 4th ed., sec. 6.5.4), then rows and columns close the gap."""
    cdef int m = P.fns, cap = P.cap, i, j
    cdef double *L = P.M
    cdef double *x = P.save_b
    cdef double r, c, sn, ljj, xj, lij
    cdef double *colj
    for i in range(k + 1, m):
        x[i] = L[<Py_ssize_t> k * cap + i]
    for j in range(k + 1, m):
        colj = L + <Py_ssize_t> j * cap
        ljj = colj[j]
        xj = x[j]
        r = sqrt(ljj * ljj + xj * xj)
        c = r / ljj
        sn = xj / ljj
        colj[j] = r
        for i in range(j + 1, m):
            lij = (colj[i] + sn * x[i]) / c
            colj[i] = lij
            x[i] = c * x[i] - sn * lij
    # close the gap: columns before k lose row k; later columns move left and up
    for j in range(k):
        colj = L + <Py_ssize_t> j * cap
        for i in range(k, m - 1):
            colj[i] = colj[i + 1]
    for j in range(k + 1, m):
        memmove(L + <Py_ssize_t> (j - 1) * cap + (j - 1), L + <Py_ssize_t> j * cap + j,
                (m - j) * sizeof(double))
    P.fpos[P.fidx[k]] = -1
    for i in range(k, m - 1):
        P.fidx[i] = P.fidx[i + 1]
        P.fd[i] = P.fd[i + 1]
        P.fpos[P.fidx[i]] = i
    P.fns = m - 1


cdef void reset_factor(Problem *P) noexcept nogil:
    cdef int s
    for s in range(P.fns):
        P.fpos[P.fidx[s]] = -1
    P.fns = 0
    P.fvalid = False


cdef bint ensure_factor(Problem *P, int ns) noexcept nogil:
    """Make M a Cholesky factor of H_SS + diag(d) for the support S in P.sidx[0:ns]
    (d = l2_S, or with an L2 part possibly a nearby lambda's: see `factor_solve`),
    updating the current factor when that is cheaper, and reorder P.sidx to the
    factor's order. False when H_SS + diag(l2_S) is numerically singular."""
    cdef int s, r, m, info = 0, cap = P.cap
    cdef const double *src
    cdef bint ok = factor_changes(P, ns) >= 0
    if ok:
        for s in range(P.fns - 1, -1, -1):
            if not in_support(P, P.fidx[s]):
                drop_from_factor(P, s)
        m = 0
        for s in range(ns):
            if P.fpos[P.sidx[s]] < 0:
                P.pick[m] = P.sidx[s]
                m += 1
        if m > 0:
            ok = extend_factor(P, P.pick, m)
    if not ok:
        reset_factor(P)
        for s in range(ns):
            src = P.H + <Py_ssize_t> P.sidx[s] * cap
            for r in range(s, ns):
                P.M[<Py_ssize_t> s * cap + r] = src[P.sidx[r]]
            P.M[<Py_ssize_t> s * cap + s] += P.l2A[P.sidx[s]]
        dpotrf("L", &ns, P.M, &cap, &info)
        if info != 0:
            return False
        for s in range(ns):
            P.fidx[s] = P.sidx[s]
            P.fpos[P.sidx[s]] = s
            P.fd[s] = P.l2A[P.sidx[s]]
        P.fns = ns
        P.fvalid = True
    memcpy(P.sidx, P.fidx, ns * sizeof(int))
    return True


cdef inline void chol_solve(Problem *P, int ns, double *x) noexcept nogil:
    """x <- (L L')^-1 x with L the factor in M: two triangular solves (dpotrs with one
    right-hand side goes through dtrsm, which copies the factor first: 2x slower)."""
    cdef int one = 1
    dtrsv("L", "N", "N", &ns, P.M, &P.cap, x, &one)
    dtrsv("L", "T", "N", &ns, P.M, &P.cap, x, &one)


cdef bint factor_solve(Problem *P, int ns, double thr) noexcept nogil:
    """Solve (H_SS + diag(l2_S)) x = rhs, rhs in P.save_g (factor order), in place.

    When the factor's diagonal is the current one, by two triangular solves.
    Otherwise (L2 part, factor made at an earlier lambda) by conjugate gradients
    preconditioned with the factor, started from the current coefficients: the
    preconditioned matrix has its eigenvalues between the ratios of the current to
    the factor's diagonal entries (both matrices are H_SS plus a diagonal), at most
    a factor 1 / FACTOR_STALE apart, so a few iterations reach round-off. They stop
    when r' K^-1 r (about twice the objective's distance to the quadratic's minimum)
    is far below the stopping threshold. False when they do not get there."""
    cdef int nA = P.nA, cap = P.cap, one = 1, s, t, it
    cdef double minus = -1.0, plus = 1.0, zero = 0.0
    cdef double rz, rz_new, pq, step, beta, lim
    cdef double *x = P.work
    cdef double *r = P.work + cap
    cdef double *z = P.work + 2 * cap
    cdef double *d = P.work + 3 * cap
    cdef double *full = P.work + 4 * cap
    cdef double *q = P.work + 5 * cap
    if factor_exact(P):
        chol_solve(P, ns, P.save_g)
        return True
    # residual at x = b_S: rhs - (H_SS + L2) b_S = g_S - l1_S sign(b_S) - l2_S b_S,
    # since b is zero outside S (so (H b)_S = c_S - g_S)
    for s in range(ns):
        t = P.sidx[s]
        x[s] = P.bA[t]
        r[s] = P.save_g[s] - P.cA[t] + P.gA[t] - P.l2A[t] * x[s]
        if P.bounded:
            # coefficients held at a limit are nonzero outside S: rhs holds -H_SF b_F,
            # which (H b)_S = c_S - g_S already contains
            r[s] = P.gA[t] - (P.l1A[t] if x[s] > 0.0 else -P.l1A[t]) - P.l2A[t] * x[s]
    memcpy(z, r, ns * sizeof(double))
    chol_solve(P, ns, z)
    rz = ddot(&ns, r, &one, z, &one)
    memcpy(d, z, ns * sizeof(double))
    for t in range(nA):
        full[t] = 0.0
    lim = 1e-3 * thr
    it = 0
    while rz > lim and it < 50:
        it += 1
        for s in range(ns):
            full[P.sidx[s]] = d[s]
        dgemv("N", &nA, &nA, &plus, P.H, &cap, full, &one, &zero, q + ns, &one)
        pq = 0.0
        for s in range(ns):
            t = P.sidx[s]
            q[s] = q[ns + t] + P.l2A[t] * d[s]
            pq += d[s] * q[s]
        if not pq > 0.0:
            return False
        step = rz / pq
        daxpy(&ns, &step, d, &one, x, &one)
        step = -step
        daxpy(&ns, &step, q, &one, r, &one)
        memcpy(z, r, ns * sizeof(double))
        chol_solve(P, ns, z)
        rz_new = ddot(&ns, r, &one, z, &one)
        beta = rz_new / rz
        rz = rz_new
        for s in range(ns):
            d[s] = z[s] + beta * d[s]
    memcpy(P.save_g, x, ns * sizeof(double))
    return rz <= lim


cdef double polish_cost(Problem *P, int ns) noexcept nogil:
    """Flops of a polish: an update of the factor, or a new one (weighted: the
    blocked Cholesky runs several times faster per flop than coordinate sweeps)."""
    cdef int changes = factor_changes(P, ns)
    if changes >= 0:
        if factor_exact(P):
            return (changes + 1.0) * ns * ns + 2.0 * P.nA * P.nA
        # a few preconditioned conjugate-gradient iterations
        return fmin((changes + 1.0) * ns * ns + 3.0 * (P.nA * P.nA + 2.0 * ns * ns),
                    POLISH_WEIGHT * ns * ns * ns / 3.0 + 2.0 * P.nA * P.nA)
    return POLISH_WEIGHT * ns * ns * ns / 3.0 + 2.0 * P.nA * P.nA


cdef int polish(Problem *P, double thr) noexcept nogil:
    """`polish_step`, repeated while the support changes: coefficients that reach 0
    leave it, and variables at 0 whose coordinate update moves them join it (a primal
    active-set method), at most POLISH_REPEAT steps. Returns 0 when nothing was
    done, 1 when the objective decreased, 2 when A's problem is solved (see
    `polish_step`)."""
    cdef int res = polish_step(P, thr), k = 1
    while (res == 1 or (res == 3 and enter_zeros(P) > 0)) and k < POLISH_REPEAT:
        res = polish_step(P, thr)
        k += 1
    if res == 0 and k > 1:
        return 1
    return res if res != 3 else 1


cdef int enter_zeros(Problem *P) noexcept nogil:
    """Coordinate updates on the variables of A at 0 (with limits: or at a limit)
    whose update moves them (they join the support of the next polish); returns
    how many moved."""
    cdef int t, one = 1, nA = P.nA, moved = 0
    cdef double bnew, step, bt
    for t in range(nA):
        bt = P.bA[t]
        if P.bounded and at_limit(P, t, bt):
            # with limits, likewise the coefficients held at a limit whose update
            # moves them back inside (they join the support too)
            bnew = clip_limits(P, t, soft_threshold(P.gA[t] + P.vA[t] * bt, P.l1A[t])
                               / (P.vA[t] + P.l2A[t]))
            if bnew != bt:
                P.bA[t] = bnew
                step = bt - bnew
                daxpy(&nA, &step, P.H + <Py_ssize_t> t * P.cap, &one, P.gA, &one)
                moved += 1
            continue
        if bt != 0.0 or fabs(P.gA[t]) <= P.l1A[t]:
            continue
        bnew = soft_threshold(P.gA[t], P.l1A[t]) / (P.vA[t] + P.l2A[t])
        if P.bounded:
            bnew = clip_limits(P, t, bnew)
            if bnew == 0.0:
                continue
        P.bA[t] = bnew
        step = -bnew
        daxpy(&nA, &step, P.H + <Py_ssize_t> t * P.cap, &one, P.gA, &one)
        moved += 1
    return moved


cdef int polish_step(Problem *P, double thr) noexcept nogil:
    """Solve the quadratic on the current support with its current signs
    (`factor_solve`). When signs would change, the full step with those coefficients
    set to 0 is taken if it lowers the objective, else the step stops where the first
    coefficient reaches 0. Returns 0 when nothing was done, 1 when the objective
    decreased and coefficients reached 0, 3 when it decreased otherwise, 2 when
    moreover no coordinate step from the new point is as large as the stopping
    threshold (for a well-conditioned support A's problem is then solved to
    round-off)."""
    cdef int nA = P.nA, cap = P.cap, ns = 0, t, s, r, info = 0, one = 1, hit = -1
    cdef double tau = 1.0, frac, bt, bn, f_old, f_new, hit_val = 0.0, lo_t, hi_t
    cdef const double *src
    cdef double *xb
    cdef double *xg
    cdef bint exact
    ns = support(P)
    if ns == 0:
        return 0
    if not ensure_factor(P, ns):
        return 0
    exact = factor_exact(P)
    # rhs = c_S - l1_S sign(b_S), in the factor's order
    for s in range(ns):
        t = P.sidx[s]
        P.save_g[s] = P.cA[t] - (P.l1A[t] if P.bA[t] > 0.0 else -P.l1A[t])
    if P.bounded:
        # coefficients held at a limit (outside S) move the right-hand side by
        # -H_SF b_F
        for r in range(nA):
            bt = P.bA[r]
            if at_limit(P, r, bt):
                for s in range(ns):
                    P.save_g[s] -= P.H[<Py_ssize_t> r * cap + P.sidx[s]] * bt
    if not factor_solve(P, ns, thr):
        # not reached by the iterations: the factor is rebuilt at the next polish
        reset_factor(P)
    for t in range(nA):
        P.save_b[t] = P.bA[t] if P.bounded and at_limit(P, t, P.bA[t]) else 0.0
    for s in range(ns):
        t = P.sidx[s]
        bt = P.bA[t]
        bn = P.save_g[s]
        if bn != bn:
            return 0
        P.save_b[t] = bn
        if (bt > 0.0 and bn <= 0.0) or (bt < 0.0 and bn >= 0.0):
            frac = bt / (bt - bn)
            if frac < tau:
                tau = frac
                hit = t
                hit_val = 0.0
        elif P.bounded:
            lo_t = P.lo[P.act[t]]
            hi_t = P.hi[P.act[t]]
            if bn > hi_t or bn < lo_t:
                # the step leaves the box: cut where this coefficient reaches it
                frac = ((hi_t if bn > hi_t else lo_t) - bt) / (bn - bt)
                if frac < tau:
                    tau = frac
                    hit = t
                    hit_val = hi_t if bn > hi_t else lo_t
    f_old = objective_A(P, P.bA, P.gA)
    if hit >= 0:
        # first try the full step with every coefficient that changed sign set to 0
        # (they all leave the support at once); kept when it lowers the objective
        xb = P.work
        xg = P.work + cap
        memcpy(xb, P.save_b, nA * sizeof(double))
        for s in range(ns):
            t = P.sidx[s]
            bt = P.bA[t]
            bn = xb[t]
            if (bt > 0.0 and bn <= 0.0) or (bt < 0.0 and bn >= 0.0):
                xb[t] = 0.0
            elif P.bounded:
                xb[t] = clip_limits(P, t, bn)
        recompute_gA(P, xb, xg)
        f_new = objective_A(P, xb, xg)
        if f_new < f_old:
            memcpy(P.bA, xb, nA * sizeof(double))
            memcpy(P.gA, xg, nA * sizeof(double))
            return 1
        if P.bounded and projected_steps(P, ns, f_old, xb, xg):
            return 1
    if hit >= 0:
        # stop where the first coefficient reaches 0 (objective convex along the step)
        for s in range(ns):
            t = P.sidx[s]
            P.save_b[t] = P.bA[t] + tau * (P.save_b[t] - P.bA[t])
            if P.bounded:
                P.save_b[t] = clip_limits(P, t, P.save_b[t])
        P.save_b[hit] = hit_val
    if hit < 0 and exact and 2 * (nA - ns) < nA and not P.bounded:
        gradient_at_solution(P, ns)
    else:
        recompute_gA(P, P.save_b, P.save_g)
    f_new = objective_A(P, P.save_b, P.save_g)
    if not f_new <= f_old + 1e-15 * fabs(f_old):
        return 0
    memcpy(P.bA, P.save_b, nA * sizeof(double))
    memcpy(P.gA, P.save_g, nA * sizeof(double))
    if hit >= 0:
        return 1
    # accept as solved when a sweep from here would pass the stopping test: every
    # coordinate step (zeros included) has v_t d_t^2 < thr
    for t in range(nA):
        bt = P.bA[t]
        bn = soft_threshold(P.gA[t] + P.vA[t] * bt, P.l1A[t]) / (P.vA[t] + P.l2A[t])
        if P.bounded:
            bn = clip_limits(P, t, bn)
        if P.vA[t] * (bn - bt) * (bn - bt) >= thr:
            return 3
    return 2


cdef bint projected_steps(Problem *P, int ns, double f_old, double *xb,
                          double *xg) noexcept nogil:
    """With limits, after the projected full step of `polish_step` failed: the
    projected steps of half, a quarter and an eighth of it (Bertsekas 1982's
    projected Newton search, here checked on the objective), where many
    coefficients reach a limit at once and cutting at the first one would take one
    polish each. Applies the first that lowers the objective."""
    cdef int nA = P.nA, s, t, k
    cdef double alpha = 0.5, bt, bn
    for k in range(3):
        memcpy(xb, P.bA, nA * sizeof(double))
        for s in range(ns):
            t = P.sidx[s]
            bt = P.bA[t]
            bn = bt + alpha * (P.save_b[t] - bt)
            if (bt > 0.0 and bn <= 0.0) or (bt < 0.0 and bn >= 0.0):
                bn = 0.0
            xb[t] = clip_limits(P, t, bn)
        recompute_gA(P, xb, xg)
        if objective_A(P, xb, xg) < f_old:
            memcpy(P.bA, xb, nA * sizeof(double))
            memcpy(P.gA, xg, nA * sizeof(double))
            return True
        alpha *= 0.5
    return False


cdef void gradient_at_solution(Problem *P, int ns) noexcept nogil:
    """save_g = cA - H save_b after `polish_step` solved (H_SS + diag(l2_S)) b_S =
    c_S - l1_S sign(b_S) exactly and no sign changed: on the support that is
    l1_S sign(b_S) + l2_S b_S, so only the zeros of A need their row of H:
    (|A| - |S|) |S| products instead of |A|^2, and far less of H read when most of A
    is in the support."""
    cdef int nA = P.nA, cap = P.cap, s, t
    cdef double bt, acc
    cdef const double *h
    for s in range(ns):
        t = P.sidx[s]
        bt = P.save_b[t]
        P.save_g[t] = (P.l1A[t] if bt > 0.0 else -P.l1A[t]) + P.l2A[t] * bt
    for t in range(nA):
        if P.save_b[t] != 0.0:
            continue
        h = P.H + <Py_ssize_t> t * cap
        acc = P.cA[t]
        for s in range(ns):
            acc -= h[P.sidx[s]] * P.save_b[P.sidx[s]]
        P.save_g[t] = acc


cdef int solve_active(Problem *P, double thr, int max_sweeps) noexcept nogil:
    """CD sweeps over A with Anderson extrapolation until max v_j d_j^2 < thr, or
    until `polish` solves A's problem; returns the number of sweeps (max_sweeps + 1
    when not converged).

    `polish` is tried once the support and signs have not changed for two sweeps and
    the sweeps since the last try cost as much as a polish (`polish_cost`), so it at
    most doubles the work when coordinate descent alone would have converged
    quickly; before the first sweep it is tried when the factor extends cheaply to
    the warm start's support."""
    cdef int sweeps = 0, k_hist = 0, stable = 0, t, ns, res
    cdef double dlx, work = 0.0, cost
    cdef size_t nbytes = P.nA * sizeof(double)
    if P.nA == 0:
        return 0
    if P.fvalid:
        ns = support(P)
        if ns > 0 and polish_cost(P, ns) <= WARM_POLISH * P.nA * P.nA:
            # the factor extends to the warm start's support: a few sweeps' cost
            if polish(P, thr) == 2:
                return 1
    memcpy(P.hist, P.bA, nbytes)
    k_hist = 1
    while sweeps < max_sweeps:
        P.n_flips = 0
        dlx = sweep_bounded(P) if P.bounded else sweep(P)
        sweeps += 1
        if dlx < thr:
            return sweeps
        work += 2.0 * P.nA * P.nA
        stable = stable + 1 if P.n_flips == 0 else 0
        if stable >= 2:
            ns = support(P)
            if work >= polish_cost(P, ns):
                work = 0.0
                res = polish(P, thr)
                if res == 2:
                    return sweeps
                stable = 0
                memcpy(P.hist, P.bA, nbytes)
                k_hist = 1
                continue
        memcpy(P.hist + <Py_ssize_t> k_hist * P.cap, P.bA, nbytes)
        k_hist += 1
        if k_hist == ANDERSON_K + 1:
            anderson(P)
            memcpy(P.hist, P.bA, nbytes)
            k_hist = 1
    return max_sweeps + 1


cdef void scatter(Problem *P) noexcept nogil:
    cdef int t
    for t in range(P.nA):
        P.b[P.act[t]] = P.bA[t]


cdef void full_gradient(Problem *P, const int *only, int n_only) noexcept nogil:
    """g = X'W r for every column (naive mode: only for the columns only[0:n_only]
    outside A, if given);
    A must be scattered to P.b. Covariance mode refreshes gA from it; naive mode
    computes the columns outside A only (gA, kept by the updates on A, fills in the
    rest), so a check streams n x p numbers whatever the size of A."""
    cdef int n = P.n, p = P.p, one = 1, j, j1, k, t, s, m
    cdef double minus = -1.0, plus = 1.0, zero = 0.0, step
    if P.gram:
        for s in range(P.n_slots):
            P.bslot[s] = P.b[P.slot_var[s]]
        memcpy(P.g, P.c, p * sizeof(double))
        if P.n_slots > 0:
            dgemv("N", &p, &P.n_slots, &minus, P.G, &p, P.bslot, &one, &plus, P.g, &one)
        for t in range(P.nA):
            P.gA[t] = P.g[P.act[t]]
        return
    update_residual(P)
    if only == NULL:
        # runs of columns outside A, one dgemv each; stretches of A shorter than
        # about RUN_GAP / n columns are computed through (cheaper than another call)
        j = 0
        while j < p:
            if P.pos[j] >= 0:
                j += 1
                continue
            j1 = j + 1
            while True:
                while j1 < p and P.pos[j1] < 0:
                    j1 += 1
                k = j1
                while k < p and P.pos[k] >= 0:
                    k += 1
                if k < p and (k - j1) * n < RUN_GAP:
                    j1 = k
                else:
                    break
            m = j1 - j
            if m == 1:
                P.g[j] = ddot(&n, <double *> col(P, j), &one, P.wr, &one)
            else:
                dgemv("T", &n, &m, &plus, <double *> col(P, j), &n, P.wr, &one, &zero,
                      P.g + j, &one)
            j = j1
        P.fresh = True
    else:
        for t in range(n_only):
            j = only[t]
            if P.pos[j] < 0 and P.v[j] > 0.0:
                P.g[j] = ddot(&n, <double *> col(P, j), &one, P.wr, &one)
    for t in range(P.nA):
        P.g[P.act[t]] = P.gA[t]


cdef void update_residual(Problem *P) noexcept nogil:
    """r = yc - X_A b_A and wr = W r, when the coefficients of A changed since
    (naive mode); with screening, delta for the new residual."""
    cdef int n = P.n, one = 1, i, t
    cdef double minus = -1.0, plus = 1.0, step, d, dd = 0.0, rr = 0.0, qq = 0.0
    if P.wr_valid:
        return
    memcpy(P.r, P.yc, n * sizeof(double))
    if P.nx > 0:
        dgemv("N", &n, &P.nx, &minus, P.XA, &n, P.bA, &one, &plus, P.r, &one)
    for t in range(P.nx, P.nA):
        step = -P.bA[t]
        if step != 0.0:
            daxpy(&n, &step, <double *> col(P, P.act[t]), &one, P.r, &one)
    if P.uniform:
        for i in range(n):
            P.wr[i] = P.w0 * P.r[i]
    else:
        for i in range(n):
            P.wr[i] = P.w[i] * P.r[i]
    P.wr_valid = True
    P.fresh = False
    if P.screen and P.nc >= 0:
        for i in range(n):
            d = P.r[i] - P.rref[i]
            dd += P.w[i] * d * d
            rr += P.w[i] * P.r[i] * P.r[i]
            qq += P.w[i] * P.rref[i] * P.rref[i]
        P.delta = sqrt(dd) + SCREEN_MARGIN * (sqrt(rr) + sqrt(qq))


cdef void keep_columns(Problem *P, double level) noexcept nogil:
    """After a full gradient (screening): copy the columns outside A with |g_j| >=
    level pf_j, or unpenalized, to XC, and set the bound's cM and cS for the others
    (nc = -1 when they are too many to copy)."""
    cdef int n = P.n, p = P.p, j, nc = 0, cap
    cdef double sc, a, cM = 0.0, cS = 0.0
    cdef const double *v = P.v
    cdef const double *pf = P.pf
    cdef const double *sv = P.sv
    cdef const int *pos = P.pos
    cdef const double *g = P.g
    cdef int *cidx = P.cidx
    for j in range(p):
        if pos[j] >= 0 or v[j] <= 0.0:
            continue
        a = fabs(g[j])
        if pf[j] <= 0.0 or a >= level * pf[j]:
            cidx[nc] = j
            nc += 1
        else:
            # (the quotient only where it can be a new maximum: the test's margin
            # covers its rounding, so cM is the same as over every column)
            if a > cM * pf[j] * (1.0 - 1e-14):
                sc = a / pf[j]
                if sc > cM:
                    cM = sc
            if sv[j] > cS:
                cS = sv[j]
    P.cM = cM
    P.cS = cS
    P.nk = nc
    P.keep_level = level
    P.nc = -1
    if nc > SCREEN_SHARE * p or <double> nc * n > SCREEN_MAX or not level > 0.0:
        return
    if nc > P.xc_cap:
        cap = 2 * nc if 2 * nc < p else p
        free(P.XC)
        P.XC = <double *> penstat_big_alloc(<size_t> cap * n * sizeof(double))
        if P.XC == NULL:
            P.xc_cap = 0
            return
        P.xc_cap = cap
    for j in range(nc):
        memcpy(P.XC + <Py_ssize_t> j * n, col(P, P.cidx[j]), n * sizeof(double))
    memcpy(P.rref, P.r, n * sizeof(double))
    P.delta = 0.0
    P.nc = nc


cdef inline bint kept_cover(Problem *P, double level) noexcept nogil:
    """Whether every column outside A with |g_j| >= level pf_j (g exact: fresh) is
    among the kept ones cidx[0:nk], so that a loop over these finds them all."""
    return P.screen and P.fresh and P.nk >= 0 and level >= P.keep_level


cdef bint screened(Problem *P, double level) noexcept nogil:
    """Whether, at the current residual, every column outside A and the kept ones
    has |g_j| < level pf_j by the bound; then g is made exact on the kept ones (one
    dgemv on their copies)."""
    cdef int n = P.n, one = 1
    cdef double plus = 1.0, zero = 0.0
    cdef int t
    if not P.screen or P.nc < 0:
        return False
    update_residual(P)
    if not P.cM + P.cS * P.delta < level:
        return False
    if P.nc > 0:
        dgemv("T", &n, &P.nc, &plus, P.XC, &n, P.wr, &one, &zero, P.tmp2, &one)
        for t in range(P.nc):
            P.g[P.cidx[t]] = P.tmp2[t]
    return True


cdef void refresh(Problem *P, double level) noexcept nogil:
    """The whole gradient at the current residual (unless it is already), and with
    screening the kept columns for `level`."""
    if not P.fresh or not P.wr_valid:
        full_gradient(P, NULL, 0)
        if P.screen:
            keep_columns(P, level)


cdef double residual_ss(Problem *P) noexcept nogil:
    """sum_i w_i r_i^2 from the compact quantities."""
    cdef int t
    cdef double s = 0.0
    for t in range(P.nA):
        s += P.bA[t] * (P.cA[t] + P.gA[t])
    return fmax(P.yy - s, 0.0)


cdef int likely_entrants(Problem *P, int *new, int n_new, double lam) noexcept nogil:
    """Top up the variables joining A (naive mode) to XA_CHUNK with the variables
    outside A closest to violating their KKT condition (|g_j| >= ENTRY_MARGIN lam
    l1_ratio pf_j; g is current for every column): their Gram entries then come from
    the same dgemm, which costs about as much for XA_CHUNK columns as for one (it
    streams all of XA). They may stay at 0; coordinate descent only visits them."""
    cdef int t, j, m, best = 0, nc = 0, target = XA_CHUNK
    cdef bint kept
    cdef double best_sc, cut = ENTRY_MARGIN * lam * P.a
    cdef int *cand = P.pick   # scratch (used by the covariance mode only otherwise)
    if n_new >= target:
        return n_new
    if P.screen:
        refresh(P, SCREEN_KEEP * lam * P.a)  # g everywhere
    for t in range(n_new):
        P.pos[new[t]] = -2
    # one pass for the candidates, then the largest |g_j| / pf_j among them (over
    # the kept columns when they hold every candidate)
    kept = kept_cover(P, cut)
    m = P.nk if kept else P.p
    for t in range(m):
        j = P.cidx[t] if kept else t
        if P.pos[j] == -1 and P.pf[j] > 0.0 and P.v[j] > 0.0 and movable(P.g[j], P.lo, P.hi, j) >= cut * P.pf[j]:
            cand[nc] = j
            nc += 1
    for t in range(n_new):
        P.pos[new[t]] = -1
    while n_new < target and nc > 0:
        if nc > target - n_new:
            best_sc = -1.0
            for t in range(nc):
                j = cand[t]
                if movable(P.g[j], P.lo, P.hi, j) / P.pf[j] > best_sc:
                    best_sc = movable(P.g[j], P.lo, P.hi, j) / P.pf[j]
                    best = t
        else:
            best = nc - 1
        new[n_new] = cand[best]
        n_new += 1
        nc -= 1
        cand[best] = cand[nc]
    return n_new


cdef bint secant_start(Problem *P, int nprev, double step) noexcept nogil:
    """Extrapolated warm start: along the path the solution is smooth in log(lam)
    between support changes, so from the solutions b at the previous lambda and
    bprev at the one before, try b + step (b - bprev) (step = ratio of the log-lambda
    increments, 1 on a log-spaced grid) on the nonzero coefficients of b (a
    coefficient the secant carries across 0 is set to 0). Kept when it lowers the
    objective at the current lambda (l1A, l2A already set). Variables of A from
    position nprev on were not in A at the lambda before: their bprev is 0. Leaves
    bprev = b (the previous lambda's solution)."""
    cdef int t, nA = P.nA, moved = 0
    cdef double bt, e
    cdef bint kept = False
    for t in range(nprev, nA):
        P.bprev[t] = 0.0
    for t in range(nA):
        bt = P.bA[t]
        e = bt
        if bt != 0.0 and bt != P.bprev[t]:
            e = bt + step * (bt - P.bprev[t])
            if (e > 0.0) != (bt > 0.0):
                e = 0.0
            elif P.bounded:
                e = clip_limits(P, t, e)
            moved += 1
        P.save_b[t] = e
    if moved > 0:
        recompute_gA(P, P.save_b, P.save_g)
        if objective_A(P, P.save_b, P.save_g) < objective_A(P, P.bA, P.gA):
            kept = True
    memcpy(P.bprev, P.bA, nA * sizeof(double))
    if kept:
        memcpy(P.bA, P.save_b, nA * sizeof(double))
        memcpy(P.gA, P.save_g, nA * sizeof(double))
        P.wr_valid = False
    return kept


cdef int strong_kept(Problem *P, double cut, double l1, int *strong,
                     unsigned char *in_strong, int *new, int *n_new_out) noexcept nogil:
    """The strong set when the screening bound puts every column outside A and the
    kept ones below `cut` (`screened`), or when g is exact and the kept columns hold
    every column at or above `cut` (`kept_cover`): A and the kept columns passing the rule,
    those violating their KKT condition at l1 into `new` (ascending, as the loop
    over all columns makes them)."""
    cdef int t, j, ns = 0, n_new = 0
    memset(in_strong, 0, P.p)
    for t in range(P.nA):
        j = P.act[t]
        if P.v[j] > 0.0:
            in_strong[j] = 1
            strong[ns] = j
            ns += 1
    for t in range(P.nk):
        j = P.cidx[t]
        if P.pos[j] >= 0 or P.v[j] <= 0.0:
            continue
        if P.pf[j] <= 0.0 or movable(P.g[j], P.lo, P.hi, j) >= cut * P.pf[j]:
            in_strong[j] = 1
            strong[ns] = j
            ns += 1
            if kkt_violated(P.g[j], P.lo, P.hi, j, l1, P.pf[j]):
                new[n_new] = j
                n_new += 1
    n_new_out[0] = n_new
    return ns


cdef int run_path(Problem *P, const double *lambdas, int nlam, bint early_stop,
                  double tol, int max_iter, int *strong, unsigned char *in_strong,
                  int *new, double *coefs_out, double *dev_out, int *iter_out,
                  unsigned char *converged_out, int *n_active_out) noexcept nogil:
    cdef int p = P.p, m, j, t, ns, iters, n_new, nprev = 0
    cdef double lam, lam_prev, cut, thr, dev, dev_ratio, dev_ratio_prev = 0.0
    cdef bint done, use_kept
    cdef double dev_prev = P.yy
    for m in range(nlam):
        # the threshold scales with the residual sum of squares reached so far, so
        # that the accuracy stays relative to the objective when the fit gets close
        # to interpolation (p > n, small lambda), where yy would be far too loose
        thr = STOP_FACTOR * tol * dev_prev
        lam = lambdas[m]
        P.lam = lam
        lam_prev = lambdas[m - 1] if m > 0 else lam
        for t in range(P.nA):
            P.l1A[t] = lam * P.a * P.pf[P.act[t]]
            P.l2A[t] = lam * (1.0 - P.a) * P.pf[P.act[t]]
        # strong set: ever active, unpenalized, or passing the sequential strong rule
        # (g is current: computed at the end of the previous lambda)
        cut = strong_rule_cut(P.a, lam, lam_prev)
        use_kept = False
        if P.screen and not P.fresh and screened(P, cut):
            use_kept = True
        elif P.screen:
            refresh(P, SCREEN_KEEP * lam * P.a)
            # g exact everywhere, and the kept columns hold every one the rule passes:
            # the same strong set and entrants as the loop below
            use_kept = kept_cover(P, cut)
        if use_kept:
            ns = strong_kept(P, cut, lam * P.a, strong, in_strong, new, &n_new)
        else:
            ns = 0
            n_new = 0
            for j in range(p):
                in_strong[j] = 0
                if P.v[j] <= 0.0:
                    continue
                if P.pos[j] >= 0 or P.pf[j] <= 0.0 or movable(P.g[j], P.lo, P.hi, j) >= cut * P.pf[j]:
                    in_strong[j] = 1
                    strong[ns] = j
                    ns += 1
                    if P.pos[j] < 0 and kkt_violated(P.g[j], P.lo, P.hi, j, lam * P.a, P.pf[j]):
                        new[n_new] = j
                        n_new += 1
        if n_new > 0 and P.nx == P.nA and P.nx < P.xa_max:
            n_new = likely_entrants(P, new, n_new, lam)
        if not add_to_active(P, new, n_new, lam):
            P.failed = True
            return m
        # (not for the lasso with a Cholesky factor at hand: the polish from the warm
        # start is then exact whatever the start, the secant's check a pure cost)
        if (m >= 2 and lambdas[m - 2] > lam_prev and lam_prev > lam
                and not (P.a >= 1.0 and P.fvalid)):
            secant_start(P, nprev, log(lam_prev / lam) / log(lambdas[m - 2] / lam_prev))
        else:
            memcpy(P.bprev, P.bA, P.nA * sizeof(double))
        nprev = P.nA
        iters = 0
        done = False
        while iters < max_iter:
            iters += solve_active(P, thr, max_iter - iters)
            P.wr_valid = False
            if iters > max_iter:
                # not converged within max_iter sweeps
                iters = max_iter
                break
            scatter(P)
            if not P.gram and 4 * ns < p:
                # KKT check on the strong set first (cheap when it is small), then
                # everywhere
                full_gradient(P, strong, ns)
                n_new = 0
                for t in range(ns):
                    j = strong[t]
                    if P.pos[j] < 0 and kkt_violated(P.g[j], P.lo, P.hi, j, lam * P.a,
                                                     P.pf[j]):
                        new[n_new] = j
                        n_new += 1
                if n_new > 0:
                    if not add_to_active(P, new, n_new, lam):
                        P.failed = True
                        return m
                    continue
            n_new = 0
            if screened(P, lam * P.a):
                # the bound rules out a violation outside the kept columns
                for t in range(P.nc):
                    j = P.cidx[t]
                    if P.pos[j] >= 0 or P.v[j] <= 0.0:
                        continue
                    if kkt_violated(P.g[j], P.lo, P.hi, j, lam * P.a, P.pf[j]):
                        new[n_new] = j
                        n_new += 1
                        if not in_strong[j]:
                            in_strong[j] = 1
                            strong[ns] = j
                            ns += 1
            else:
                if P.screen:
                    refresh(P, SCREEN_KEEP * lam * P.a)
                else:
                    full_gradient(P, NULL, 0)
                # (over the kept columns when they hold every possible violator)
                use_kept = kept_cover(P, lam * P.a)
                for t in range(P.nk if use_kept else p):
                    j = P.cidx[t] if use_kept else t
                    if P.pos[j] >= 0 or P.v[j] <= 0.0:
                        continue
                    if kkt_violated(P.g[j], P.lo, P.hi, j, lam * P.a, P.pf[j]):
                        new[n_new] = j
                        n_new += 1
                        if not in_strong[j]:
                            in_strong[j] = 1
                            strong[ns] = j
                            ns += 1
            if n_new > 0:
                if not add_to_active(P, new, n_new, lam):
                    P.failed = True
                    return m
                continue
            done = True
            break
        scatter(P)
        if not done:
            if P.screen:
                refresh(P, SCREEN_KEEP * lam * P.a)
            else:
                full_gradient(P, NULL, 0)
        dev = residual_ss(P)
        if dev > 0.0:
            dev_prev = fmin(dev_prev, dev)
        if n_active_out != NULL:
            # compact rows: the coefficients of A in order of entry (every other
            # coefficient is 0), and the size of A
            for t in range(P.nA):
                coefs_out[<Py_ssize_t> m * p + t] = P.b[P.act[t]]
            n_active_out[m] = P.nA
        else:
            for j in range(p):
                coefs_out[<Py_ssize_t> m * p + j] = P.b[j]
        dev_out[m] = dev
        iter_out[m] = iters
        converged_out[m] = done
        if P.yy > 0.0:
            # glmnet's rule, with elnet's fractional change of the deviance ratio
            dev_ratio = 1.0 - dev / P.yy
            if early_stop and early_stop_reached(m, dev_ratio, dev_ratio_prev,
                                                 P.stop_change, True):
                return m + 1
            dev_ratio_prev = dev_ratio
    return nlam


def gaussian_path(const double[::1, :] X, const double[::1] y, const double[::1] w,
                  const double[::1] pf, double l1_ratio, const double[::1] lambdas,
                  bint fit_intercept, bint early_stop, double tol, int max_iter,
                  double[:, ::1] coefs_out, double[::1] intercepts_out,
                  double[::1] dev_out, int[::1] iter_out,
                  unsigned char[::1] converged_out, int mode=-1, lower=None,
                  upper=None, bint stop_on_change=True, bint screen=True,
                  active_out=None, n_active_out=None):
    """Fit the gaussian elastic-net path on a standardized problem.

    See ``docs/internals.md`` (kernel contract). ``mode`` selects the update scheme:
    -1 automatic, 0 naive, 1 covariance. ``lower``, ``upper``: (p,) limits of the
    coefficients on the kernel's scale (``lower <= 0 <= upper``, infinite for none),
    both or neither. ``stop_on_change=False`` keeps only the deviance-ratio part of
    the early stop (glmnet with a limit at 0). ``screen`` (naive scheme): between
    full gradients, check only the columns whose gradient was large at the last
    one, while a bound on the others (Cauchy-Schwarz on the change of the residual)
    rules them out; False computes the whole gradient at every check (the same
    decisions; what the tests compare with). ``active_out`` (p,) and
    ``n_active_out`` (nlam,), int32, both or neither: compact rows. Row m of
    ``coefs_out`` then holds, in its first ``n_active_out[m]`` entries, the
    coefficients of the columns ``active_out[0:n_active_out[m]]`` (the working set
    in order of entry; it only grows along the path), every other coefficient being
    0; the rest of the row is not written. Returns the number of lambdas fitted.
    """
    cdef int n = X.shape[0], p = X.shape[1], nlam = lambdas.shape[0], i, j, one = 1
    cdef int n_fitted
    cdef double b0 = 0.0, yy = 0.0, plus = 1.0, zero = 0.0
    if y.shape[0] != n or w.shape[0] != n or pf.shape[0] != p:
        raise ValueError("gaussian_path: X, y, w, pf have inconsistent shapes")
    if (coefs_out.shape[0] < nlam or coefs_out.shape[1] != p
            or intercepts_out.shape[0] < nlam or dev_out.shape[0] < nlam
            or iter_out.shape[0] < nlam or converged_out.shape[0] < nlam):
        raise ValueError("gaussian_path: output arrays are too small")
    if max_iter < 1:
        max_iter = 1
    cdef int[::1] act_out_v, nact_out_v
    cdef int *nact_ptr = NULL
    if (active_out is None) != (n_active_out is None):
        raise ValueError("gaussian_path: active_out and n_active_out go together")
    if active_out is not None:
        act_out_v = active_out
        nact_out_v = n_active_out
        if act_out_v.shape[0] < p or nact_out_v.shape[0] < nlam:
            raise ValueError("gaussian_path: active_out or n_active_out is too small")
        if nlam > 0:
            nact_ptr = &nact_out_v[0]
    cdef const double[::1] lo_v, hi_v
    cdef bint bounded = lower is not None
    if bounded:
        lo_v = lower
        hi_v = upper
        # lower <= 0 <= upper is checked once, by FitSpec (penstat._validation)
        if lo_v.shape[0] != p or hi_v.shape[0] != p:
            raise ValueError("gaussian_path: lower, upper need one value per column")

    w_np = np.asarray(w)
    cdef bint uniform = n > 0 and bool(np.all(w_np == w_np[0]))
    cdef bint gram
    if mode < 0:
        gram = n >= 2 * p and p <= GRAM_MAX_P
    else:
        gram = mode == 1

    for i in range(n):
        b0 += w[i] * y[i]
    if not fit_intercept:
        b0 = 0.0
    cdef double[::1] yc = np.empty(max(n, 1))
    for i in range(n):
        yc[i] = y[i] - b0
        yy += w[i] * yc[i] * yc[i]

    cdef double[::1] v = np.zeros(max(p, 1))
    cdef double[::1] b = np.zeros(max(p, 1))
    cdef double[::1] g = np.zeros(max(p, 1))
    cdef double[::1] c = np.zeros(max(p, 1))
    cdef double[::1] wr = np.empty(max(n, 1))
    cdef double[::1] tmp = np.empty(max(n, 1))
    cdef double[::1] r = np.empty(max(n, 1))
    cdef double[::1] rref = np.empty(max(n, 1))
    cdef double[::1] tmp2 = np.empty(max(p, 1))
    cdef int[::1] cidx = np.empty(max(p, 1), dtype=np.int32)
    cdef double[::1] sv = np.zeros(max(p, 1))
    cdef int[::1] pick = np.empty(max(p, 1), dtype=np.int32)
    cdef int[::1] slot = np.full(max(p, 1), -1, dtype=np.int32)
    cdef int[::1] act = np.empty(max(p, 1), dtype=np.int32)
    cdef int[::1] pos = np.full(max(p, 1), -1, dtype=np.int32)
    cdef int[::1] strong = np.empty(max(p, 1), dtype=np.int32)
    cdef int[::1] new = np.empty(max(p, 1), dtype=np.int32)
    cdef unsigned char[::1] in_strong = np.zeros(max(p, 1), dtype=np.uint8)
    cdef Problem P

    if p == 0 or nlam == 0 or n == 0:
        for i in range(nlam):
            intercepts_out[i] = b0
            dev_out[i] = yy
            iter_out[i] = 0
            converged_out[i] = 1
            if nact_ptr != NULL:
                nact_ptr[i] = 0
        return nlam

    with nogil:
        for j in range(p):
            if uniform:
                v[j] = w[0] * ddot(&n, <double *> &X[0, j], &one, <double *> &X[0, j], &one)
            else:
                for i in range(n):
                    v[j] += w[i] * X[i, j] * X[i, j]
        for i in range(n):
            wr[i] = w[i] * yc[i]
        dgemv("T", &n, &p, &plus, <double *> &X[0, 0], &n, &wr[0], &one, &zero,
              &c[0], &one)
        for j in range(p):
            if v[j] <= 0.0:
                c[j] = 0.0
            g[j] = c[j]
            if pf[j] > 0.0:
                sv[j] = sqrt(v[j]) / pf[j]

    # Every pointer starts NULL (free_all and grow_compact rely on it), every count 0.
    memset(&P, 0, sizeof(Problem))
    P.n = n
    P.p = p
    P.X = &X[0, 0]
    P.w = &w[0]
    P.pf = &pf[0]
    P.a = l1_ratio
    P.w0 = w[0]
    P.uniform = uniform
    P.gram = gram
    P.yc = &yc[0]
    P.yy = yy
    P.v = &v[0]
    P.c = &c[0]
    P.g = &g[0]
    P.b = &b[0]
    P.wr = &wr[0]
    P.tmp = &tmp[0]
    # the null start: r = yc, wr = W r (above) and g = c, exact for every column
    P.r = &r[0]
    for i in range(n):
        r[i] = yc[i]
    P.wr_valid = True
    P.fresh = True
    P.rref = &rref[0]
    P.tmp2 = &tmp2[0]
    P.cidx = &cidx[0]
    P.nc = -1
    P.nk = -1
    P.sv = &sv[0]
    P.screen = screen and not gram
    P.act = &act[0]
    P.pos = &pos[0]
    P.slot = &slot[0]
    P.pick = &pick[0]
    P.bounded = bounded
    P.stop_change = stop_on_change
    if bounded:
        P.lo = &lo_v[0]
        P.hi = &hi_v[0]
    if not grow_compact(&P, min(p, 64)):
        free_all(&P)
        raise MemoryError("gaussian_path: cannot allocate the working-set arrays")
    if not gram:
        P.xa_max = min(p, max(64, (p // n) * p + (p % n) * p // n))
        P.xa_max = min(P.xa_max, max(64, n))
        P.hc = <double *> penstat_big_alloc(<size_t> P.xa_max * XA_CHUNK * sizeof(double))
        P.xw = <double *> penstat_big_alloc(<size_t> n * XA_CHUNK * sizeof(double))
        if P.hc == NULL or P.xw == NULL:
            free_all(&P)
            raise MemoryError("gaussian_path: cannot allocate the working-set arrays")
    if gram:
        P.slot_cap = min(p, 64)
        P.G = <double *> penstat_big_alloc(<size_t> P.slot_cap * p * sizeof(double))
        P.slot_var = <int *> malloc(P.slot_cap * sizeof(int))
        P.bslot = <double *> malloc(P.slot_cap * sizeof(double))
        P.block = <double *> penstat_big_alloc(GRAM_SCRATCH * sizeof(double))
        if P.G == NULL or P.slot_var == NULL or P.bslot == NULL or P.block == NULL:
            free_all(&P)
            raise MemoryError("gaussian_path: cannot allocate the Gram cache")

    with nogil:
        n_fitted = run_path(&P, &lambdas[0], nlam, early_stop, tol, max_iter,
                            &strong[0], &in_strong[0], &new[0], &coefs_out[0, 0],
                            &dev_out[0], &iter_out[0], &converged_out[0], nact_ptr)
    failed = P.failed
    if nact_ptr != NULL:
        for j in range(P.nA):
            act_out_v[j] = act[j]
    free_all(&P)
    if failed:
        raise MemoryError("gaussian_path: out of memory while growing the working set")
    for i in range(n_fitted):
        intercepts_out[i] = b0
    return n_fitted

