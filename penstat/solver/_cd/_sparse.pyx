# Gaussian and binomial elastic-net paths on a sparse (CSC) design.
#
# The same problems as _gaussian.pyx and _binomial.pyx (see their headers), on a
# design given by its CSC arrays (data, indices, indptr) on the original scale, with
# the standardization kept implicit as in glmnet's sparse elnet / lognet (Friedman,
# Hastie & Tibshirani 2010, JSS 33(1), section 2.6): column j of the standardized
# design is  xt_j = (x_j - m_j) * s_j  with m_j its weighted mean (0 without an
# intercept) and s_j the inverse of its scale (0 for a constant column, which then
# stays at 0). X is never centred in memory: with the residual split as
# r = q + c (q updated on the nonzeros of a column only, c a scalar),
#
#     xt_j'W r = s_j (sum_{i: x_ij != 0} w_i x_ij q_i - m_j sum_i w_i q_i)
#
# (the terms in c cancel because m_j is the weighted mean), so an update costs the
# nonzeros of its column. The binomial working residual carries a scalar shift the
# same way (see `bin_grad`).
#
# Algorithm per lambda (glmnet's): the sequential strong rule (Tibshirani et al.
# 2012, JRSS-B 74(2), eq. 4) gives the strong set; coordinate descent sweeps it and
# then cycles on the columns that have been nonzero until the largest weighted
# squared change is below the threshold; then the KKT conditions of every other
# column are checked with exact gradients and violators join the strong set.
# Convergence thresholds are those of the dense kernels (same meaning of tol).
# Coefficient limits clip every coordinate update (glmnet's rule).
#
# Covariance mode (gaussian; glmnet's type.gaussian = "covariance", Friedman et al.
# 2010, section 2.2, on a sparse Gram): given G = X'WX (original scale, CSC, sparse
# when the columns rarely share rows, as the indicators of one factor never do), the
# kernel keeps z = X'Wq instead of q. Moving b_k by d changes q by -d s_k x_k, so
# z -= d s_k G[:, k] (the nonzeros of one Gram column) and sq -= d s_k m_k; the
# gradient s_j (z_j - m_j sq) of every column then costs O(1), so a KKT check costs
# O(p) and no pass over the rows is made. The centring stays analytic (the rank-one
# m m' term is the scalar sq). With r = y0 - Xt b and g0 = Xt'W y0,
# r'Wr = y0'Wy0 - b'(g0 + g) (as Xt'W Xt b = g0 - g), in O(active).

import numpy as np

from libc.math cimport exp, log, log1p
from scipy.linalg.cython_lapack cimport dposv


cdef extern from *:
    void __builtin_prefetch(const void *addr) noexcept nogil

from penstat.solver._cd._common cimport (
    clip,
    early_stop_reached,
    fabs,
    fmin,
    kkt_violated,
    movable,
    soft_threshold,
    strong_rule_cut,
)

# the dense gaussian kernel's STOP_FACTOR, and the binomial kernel's PMIN and
# TOL_SCALE (see _gaussian.pyx and _binomial.pyx)
cdef double STOP_FACTOR = 1e-5
cdef double PMIN = 1e-5
cdef double TOL_SCALE = 5e-3
cdef int MAX_HALVINGS = 30
# gaussian: after this many cycles on the active set without convergence, the
# quadratic is solved on the support (signs held) once per this many cycles, for
# supports of at most POLISH_MAX columns (see `gauss_polish`)
cdef int POLISH_EVERY = 10
cdef int POLISH_MAX = 1000
# covariance mode: a sweep is skipped when no move it would make reaches this
# fraction of the threshold (see `gauss_sweep`)
cdef double PENDING_FACTOR = 1e-2
# sparse_gram: rows fetched this many nonzeros ahead
cdef long long GRAM_AHEAD = 8


cdef struct Sp:
    int n
    int p
    const double *x        # CSC data
    const double *xw       # data times the row weights (x itself with uniform weights)
    double wscale          # w0 with uniform weights (xw is x), else 1
    const int *ix          # CSC row indices
    const long long *ip    # CSC column pointers
    const double *m        # centring means
    const double *s        # inverse scales (0: constant column)
    const double *w
    const double *pf
    const double *lo       # limits on the kernel's scale, or NULL
    const double *hi
    double a               # l1_ratio
    double *b
    double *v              # gaussian: v_j; binomial: curvature h_j of the Newton step
    double *g              # gradients (exact at the last KKT check)
    int *strong
    unsigned char *in_strong
    int ns
    int *act               # columns ever nonzero, in order of entry
    unsigned char *in_act
    int na
    # covariance mode (z not NULL): the Gram G = X'WX in CSC, z = X'Wq, the
    # gradients g0 at b = 0, sum w q at b = 0 and y0'Wy0
    const double *gx
    const int *gi
    const long long *gp
    double *z
    const double *g0
    double sq0
    double yy


cdef inline bint add_strong(Sp *P, int j) noexcept nogil:
    if P.in_strong[j]:
        return False
    P.in_strong[j] = 1
    P.strong[P.ns] = j
    P.ns += 1
    return True


cdef inline void add_active(Sp *P, int j) noexcept nogil:
    if not P.in_act[j]:
        P.in_act[j] = 1
        P.act[P.na] = j
        P.na += 1


cdef inline double penalty_value(Sp *P, double l1, double l2) noexcept nogil:
    cdef double s = 0.0, bj
    cdef int k, j
    for k in range(P.na):
        j = P.act[k]
        bj = P.b[j]
        if bj != 0.0:
            s += P.pf[j] * (l1 * fabs(bj) + 0.5 * l2 * bj * bj)
    return s


# ---- gaussian ---------------------------------------------------------------------

cdef inline double gauss_grad(Sp *P, int j, const double *q, double sq) noexcept nogil:
    """xt_j'W r from q (or z) and sq = sum w q (see the header)."""
    cdef long long k
    cdef double d = 0.0
    if P.z != NULL:
        return P.s[j] * (P.z[j] - P.m[j] * sq)
    for k in range(P.ip[j], P.ip[j + 1]):
        d += P.xw[k] * q[P.ix[k]]
    return P.s[j] * (P.wscale * d - P.m[j] * sq)


cdef inline void gauss_move(Sp *P, int j, double d, double *q, double *sq) noexcept nogil:
    """The residual (q and sq, or z and sq in covariance mode) after b_j += d."""
    cdef long long k
    cdef double f = d * P.s[j]
    if P.z != NULL:
        for k in range(P.gp[j], P.gp[j + 1]):
            P.z[P.gi[k]] -= f * P.gx[k]
    else:
        for k in range(P.ip[j], P.ip[j + 1]):
            q[P.ix[k]] -= f * P.x[k]
    sq[0] -= f * P.m[j]


cdef double gauss_pending(Sp *P, const int *cols, int cnt, double l1, double l2,
                          double sq, bint skip_active) noexcept nogil:
    """max v_j d_j^2 over the moves that coordinate descent would make from the current
    point over cols[0:cnt], none applied (covariance mode: the gradients cost O(1))."""
    cdef int t, j
    cdef double gj, bn, d, dlx = 0.0
    for t in range(cnt):
        j = cols[t]
        if P.v[j] <= 0.0 or (skip_active and P.in_act[j]):
            continue
        gj = gauss_grad(P, j, NULL, sq)
        P.g[j] = gj
        bn = soft_threshold(gj + P.v[j] * P.b[j], l1 * P.pf[j]) / (P.v[j] + l2 * P.pf[j])
        if P.lo != NULL:
            bn = clip(bn, P.lo[j], P.hi[j])
        d = bn - P.b[j]
        d = P.v[j] * d * d
        if d > dlx:
            dlx = d
    return dlx


cdef double gauss_sweep(Sp *P, const int *cols, int cnt, double l1, double l2,
                        double *q, double *sq, bint skip_active,
                        double thr) noexcept nogil:
    """One pass of coordinate updates over cols[0:cnt] (without the active columns
    when ``skip_active``); returns max v_j d_j^2. In covariance mode, when no move
    would reach PENDING_FACTOR * ``thr`` (see `gauss_pending`), none is made: checking
    costs O(cnt) against the Gram columns of every move, and the point is then as
    close as a sweep whose moves are below ``thr`` would leave it (the factor stands
    for the contraction of the sweep it replaces)."""
    cdef int t, j
    cdef double gj, bj, bn, d, dlx = 0.0
    if P.z != NULL:
        dlx = gauss_pending(P, cols, cnt, l1, l2, sq[0], skip_active)
        if dlx < PENDING_FACTOR * thr or dlx == 0.0:
            return dlx
        dlx = 0.0
    for t in range(cnt):
        j = cols[t]
        if P.v[j] <= 0.0 or (skip_active and P.in_act[j]):
            continue
        bj = P.b[j]
        gj = gauss_grad(P, j, q, sq[0])
        P.g[j] = gj
        bn = soft_threshold(gj + P.v[j] * bj, l1 * P.pf[j]) / (P.v[j] + l2 * P.pf[j])
        if P.lo != NULL:
            bn = clip(bn, P.lo[j], P.hi[j])
        if bn == bj:
            continue
        d = bn - bj
        P.b[j] = bn
        gauss_move(P, j, d, q, sq)
        if bn != 0.0:
            add_active(P, j)
        d = P.v[j] * d * d
        if d > dlx:
            dlx = d
    return dlx


cdef double gauss_rss(Sp *P, const double *q, double *sq) noexcept nogil:
    """sum w r^2 with r = q + c, c = sum_j b_j s_j m_j; refreshes sq exactly (in
    covariance mode as sq0 - c, and r'Wr = y0'Wy0 - b'(g0 + g), see the header)."""
    cdef int i, t, j
    cdef double c = 0.0, s = 0.0, s1 = 0.0, ri
    for t in range(P.na):
        j = P.act[t]
        c += P.b[j] * P.s[j] * P.m[j]
    if P.z != NULL:
        sq[0] = P.sq0 - c
        s = P.yy
        for t in range(P.na):
            j = P.act[t]
            if P.b[j] != 0.0:
                s -= P.b[j] * (P.g0[j] + P.s[j] * (P.z[j] - P.m[j] * sq[0]))
        return s
    for i in range(P.n):
        ri = q[i] + c
        s += P.w[i] * ri * ri
        s1 += P.w[i] * q[i]
    sq[0] = s1
    return s


cdef bint gauss_polish(Sp *P, double *q, double *sq, double l1, double l2, double *H,
                       double *rhs, double *scratch, int *S, int cap) noexcept nogil:
    """The exact minimizer on the support with its signs held: one Newton step
    (H_SS + diag(l2 pf_S)) d = g_S - l1 pf_S s - l2 pf_S b_S, where
    H_jk = xt_j'W xt_k = s_j s_k (sum w x_j x_k - m_j m_k) (sum w = 1). Kept only
    when no sign changes and no limit is crossed; returns whether it was kept.
    Costs |S| times the nonzeros of the support, and a Cholesky factorization."""
    cdef int ns = 0, t, u, j, k, info = 0, one = 1
    cdef long long kk
    cdef double bj, d, acc
    cdef char uplo = b'L'
    for t in range(P.na):
        j = P.act[t]
        bj = P.b[j]
        if bj == 0.0 or P.v[j] <= 0.0:
            continue
        if P.lo != NULL and (bj == P.lo[j] or bj == P.hi[j]):
            continue
        if ns == cap:
            return False
        S[ns] = j
        ns += 1
    if ns == 0:
        return False
    for t in range(ns):
        j = S[t]
        if P.z != NULL:
            # (sum w x_j x_k = G_jk: column j of the Gram scattered over p)
            for kk in range(P.gp[j], P.gp[j + 1]):
                scratch[P.gi[kk]] = P.gx[kk]
            for u in range(t, ns):
                k = S[u]
                H[<Py_ssize_t> t * ns + u] = P.s[j] * P.s[k] * (scratch[k]
                                                                - P.m[j] * P.m[k])
            for kk in range(P.gp[j], P.gp[j + 1]):
                scratch[P.gi[kk]] = 0.0
        else:
            for kk in range(P.ip[j], P.ip[j + 1]):
                scratch[P.ix[kk]] = P.w[P.ix[kk]] * P.x[kk]
            for u in range(t, ns):
                k = S[u]
                acc = 0.0
                for kk in range(P.ip[k], P.ip[k + 1]):
                    acc += P.x[kk] * scratch[P.ix[kk]]
                H[<Py_ssize_t> t * ns + u] = P.s[j] * P.s[k] * (acc - P.m[j] * P.m[k])
            for kk in range(P.ip[j], P.ip[j + 1]):
                scratch[P.ix[kk]] = 0.0
        H[<Py_ssize_t> t * ns + t] += l2 * P.pf[j]
        bj = P.b[j]
        rhs[t] = (gauss_grad(P, j, q, sq[0]) - l1 * P.pf[j] * (1.0 if bj > 0.0 else -1.0)
                  - l2 * P.pf[j] * bj)
    # row-major upper triangle = column-major lower triangle
    dposv(&uplo, &ns, &one, H, &ns, rhs, &ns, &info)
    if info != 0:
        return False
    for t in range(ns):
        j = S[t]
        bj = P.b[j]
        d = bj + rhs[t]
        if (d > 0.0) != (bj > 0.0) or d == 0.0:
            return False
        if P.lo != NULL and (d < P.lo[j] or d > P.hi[j]):
            return False
    for t in range(ns):
        j = S[t]
        d = rhs[t]
        P.b[j] += d
        gauss_move(P, j, d, q, sq)
    return True


cdef void gauss_shift(Sp *P, const double *delta, double *q, double *sq) noexcept nogil:
    """b += delta on the active columns, with the residual."""
    cdef int t, j
    for t in range(P.na):
        j = P.act[t]
        if delta[t] == 0.0:
            continue
        P.b[j] += delta[t]
        gauss_move(P, j, delta[t], q, sq)


cdef void gauss_secant_cov(Sp *P, const double *delta, double f0, double l1, double l2,
                           double *sq, double *w) noexcept nogil:
    """`gauss_secant`'s trial in covariance mode: w = G (s delta) (w: p zeros, left
    zero), the objective at b + delta from z - w (see the header), and b, z, sq moved
    only when it is lower."""
    cdef int u, j
    cdef long long k
    cdef double f, bn, c = 0.0, dsq = 0.0, sqn, rss, pen = 0.0
    for u in range(P.na):
        if delta[u] == 0.0:
            continue
        j = P.act[u]
        f = delta[u] * P.s[j]
        for k in range(P.gp[j], P.gp[j + 1]):
            w[P.gi[k]] += f * P.gx[k]
        dsq += f * P.m[j]
    for u in range(P.na):
        j = P.act[u]
        c += (P.b[j] + delta[u]) * P.s[j] * P.m[j]
    sqn = P.sq0 - c
    rss = P.yy
    for u in range(P.na):
        j = P.act[u]
        bn = P.b[j] + delta[u]
        if bn != 0.0:
            rss -= bn * (P.g0[j] + P.s[j] * (P.z[j] - w[j] - P.m[j] * sqn))
            pen += P.pf[j] * (l1 * fabs(bn) + 0.5 * l2 * bn * bn)
    if 0.5 * rss + pen < f0:
        for u in range(P.na):
            P.b[P.act[u]] += delta[u]
        for j in range(P.p):
            P.z[j] -= w[j]
        sq[0] -= dsq
    for j in range(P.p):
        w[j] = 0.0


cdef void gauss_secant(Sp *P, const double *b1, const double *b2, double t, double l1,
                       double l2, double *q, double *sq, double *delta,
                       double *scratch) noexcept nogil:
    """Warm start on the secant of the last two solutions b1 (previous lambda) and b2
    (the one before), b1 + t (b1 - b2) on the nonzeros of b1 (0 where it would cross
    0; clipped to the limits), kept only when it lowers the objective at this lambda
    (as the dense kernel's `secant_start`, see docs/developer/solver.md)."""
    cdef int u, j
    cdef double f0, f1, bn, bj
    cdef bint any_move = False
    f0 = 0.5 * gauss_rss(P, q, sq) + penalty_value(P, l1, l2)
    for u in range(P.na):
        j = P.act[u]
        bj = P.b[j]
        delta[u] = 0.0
        if bj == 0.0:
            continue
        bn = bj + t * (b1[j] - b2[j])
        if (bn > 0.0) != (bj > 0.0):
            bn = 0.0
        if P.lo != NULL:
            bn = clip(bn, P.lo[j], P.hi[j])
        delta[u] = bn - bj
        if delta[u] != 0.0:
            any_move = True
    if not any_move:
        return
    if P.z != NULL:
        gauss_secant_cov(P, delta, f0, l1, l2, sq, scratch)
        return
    gauss_shift(P, delta, q, sq)
    f1 = 0.5 * gauss_rss(P, q, sq) + penalty_value(P, l1, l2)
    if f1 < f0:
        return
    for u in range(P.na):
        delta[u] = -delta[u]
    gauss_shift(P, delta, q, sq)


cdef int gauss_run(Sp *P, double *q, const double *lambdas, int nlam, double yy,
                   bint early_stop, bint stop_change, double tol, int max_iter,
                   double *coefs_out, double *dev_out, int *iter_out,
                   unsigned char *conv_out, double *H, double *rhs, double *scratch,
                   int *S, int cap, double *delta) noexcept nogil:
    cdef int p = P.p, m, j, t, iters, n_new, cycles
    cdef double lam, lam_prev, cut, thr, l1, l2, dlx, dev, sq = 0.0
    cdef double dev_prev = yy, dev_ratio, dev_ratio_prev = 0.0
    cdef bint done, settled
    gauss_rss(P, q, &sq)
    for j in range(p):
        if P.v[j] > 0.0:
            P.g[j] = gauss_grad(P, j, q, sq)
    for m in range(nlam):
        lam = lambdas[m]
        lam_prev = lambdas[m - 1] if m > 0 else lam
        l1 = lam * P.a
        l2 = lam * (1.0 - P.a)
        thr = STOP_FACTOR * tol * dev_prev
        cut = strong_rule_cut(P.a, lam, lam_prev)
        for j in range(p):
            if P.v[j] > 0.0 and not P.in_strong[j] and (
                    P.pf[j] <= 0.0 or movable(P.g[j], P.lo, P.hi, j) >= cut * P.pf[j]):
                add_strong(P, j)
        if m >= 2 and lambdas[m - 2] > lam_prev and lam_prev > lam:
            gauss_secant(P, coefs_out + <Py_ssize_t> (m - 1) * p,
                         coefs_out + <Py_ssize_t> (m - 2) * p,
                         log(lam_prev / lam) / log(lambdas[m - 2] / lam_prev), l1, l2,
                         q, &sq, delta, scratch)
        iters = 0
        done = False
        settled = False
        while iters < max_iter:
            # sweep the strong set, then cycle on the active columns until they settle;
            # once they have, the strong set's other columns alone are swept to
            # confirm (the active ones just moved less than the threshold)
            iters += 1
            dlx = gauss_sweep(P, P.strong, P.ns, l1, l2, q, &sq, settled, thr)
            # (dlx > 0: with y constant, yy and the threshold are 0 and nothing moves)
            if dlx >= thr and dlx > 0.0:
                cycles = 0
                while iters < max_iter:
                    iters += 1
                    dlx = gauss_sweep(P, P.act, P.na, l1, l2, q, &sq, False, thr)
                    if dlx < thr or dlx == 0.0:
                        settled = True
                        break
                    cycles += 1
                    if cycles % POLISH_EVERY == 0:
                        gauss_polish(P, q, &sq, l1, l2, H, rhs, scratch, S, cap)
                continue
            # KKT check of every other column, with exact gradients
            gauss_rss(P, q, &sq)
            n_new = 0
            for j in range(p):
                if P.v[j] <= 0.0 or P.in_act[j]:
                    continue
                P.g[j] = gauss_grad(P, j, q, sq)
                if not P.in_strong[j] and kkt_violated(P.g[j], P.lo, P.hi, j, l1,
                                                       P.pf[j]):
                    add_strong(P, j)
                    n_new += 1
            if n_new == 0:
                done = True
                break
        dev = gauss_rss(P, q, &sq)
        if not done:
            for j in range(p):
                if P.v[j] > 0.0 and not P.in_act[j]:
                    P.g[j] = gauss_grad(P, j, q, sq)
        if dev > 0.0:
            dev_prev = fmin(dev_prev, dev)
        for j in range(p):
            coefs_out[<Py_ssize_t> m * p + j] = P.b[j]
        dev_out[m] = dev
        iter_out[m] = iters
        conv_out[m] = done
        if yy > 0.0:
            dev_ratio = 1.0 - dev / yy
            if early_stop and early_stop_reached(m, dev_ratio, dev_ratio_prev,
                                                 stop_change, True):
                return m + 1
            dev_ratio_prev = dev_ratio
    return nlam


# ---- binomial ---------------------------------------------------------------------

cdef double bin_loss(int n, const double *eta, const double *y, const double *w,
                     double *q) noexcept nogil:
    """-sum w loglik; fills q = expit(eta) (as _binomial.pyx's _loss)."""
    cdef double s = 0.0, e, z, sp, qi
    cdef int i
    for i in range(n):
        e = eta[i]
        if e >= 0.0:
            z = exp(-e)
            qi = 1.0 / (1.0 + z)
            sp = e + log1p(z)
        else:
            z = exp(e)
            qi = z / (1.0 + z)
            sp = log1p(z)
        q[i] = qi
        s += w[i] * (sp - y[i] * e)
    return s


cdef struct Bin:
    const double *y
    const double *off      # or NULL
    double *eta
    double *eta_old
    double *q
    double *vw             # working weights v_i
    double *rq             # working residual, without the scalar shift (see bin_grad)
    double *xv1            # sum_i v_i x_ij of the Newton step
    long *stamp            # the Newton step xv1 / h were computed at
    double *b_old
    double b0
    double o               # scalar shift: residual = rq + vw * o
    double srq             # sum rq
    double sv              # sum vw
    long step


cdef inline void bin_curv(Sp *P, Bin *B, int j) noexcept nogil:
    """xv1_j and the curvature h_j = xt_j'V xt_j of the current Newton step."""
    cdef long long k
    cdef double s1 = 0.0, s2 = 0.0, xk, vk, mj = P.m[j], sj = P.s[j]
    if B.stamp[j] == B.step:
        return
    for k in range(P.ip[j], P.ip[j + 1]):
        xk = P.x[k]
        vk = B.vw[P.ix[k]] * xk
        s1 += vk
        s2 += vk * xk
    B.xv1[j] = s1
    P.v[j] = sj * sj * (s2 - 2.0 * mj * s1 + mj * mj * B.sv)
    if P.v[j] < 0.0:
        P.v[j] = 0.0
    B.stamp[j] = B.step


cdef inline double bin_grad(Sp *P, Bin *B, int j) noexcept nogil:
    """xt_j' rho for the working residual rho = rq + v o of the quadratic model:
    s_j (sum_nz x rq + o sum_nz v x - m_j (sum rq + o sum v))."""
    cdef long long k
    cdef double d = 0.0
    for k in range(P.ip[j], P.ip[j + 1]):
        d += P.x[k] * B.rq[P.ix[k]]
    return P.s[j] * (d + B.o * B.xv1[j] - P.m[j] * (B.srq + B.o * B.sv))


cdef double bin_sweep(Sp *P, Bin *B, const int *cols, int cnt, double l1,
                      double l2, bint fit_intercept) noexcept nogil:
    cdef int t, j
    cdef long long k
    cdef double gj, bj, bn, d, f, h, dlx = 0.0
    for t in range(cnt):
        j = cols[t]
        if P.s[j] == 0.0:
            continue
        bin_curv(P, B, j)
        h = P.v[j]
        if h <= 0.0:
            continue
        bj = P.b[j]
        gj = bin_grad(P, B, j)
        bn = soft_threshold(gj + h * bj, l1 * P.pf[j]) / (h + l2 * P.pf[j])
        if P.lo != NULL:
            bn = clip(bn, P.lo[j], P.hi[j])
        if bn == bj:
            continue
        d = bn - bj
        P.b[j] = bn
        f = d * P.s[j]
        for k in range(P.ip[j], P.ip[j + 1]):
            B.rq[P.ix[k]] -= f * B.vw[P.ix[k]] * P.x[k]
        B.srq -= f * B.xv1[j]
        B.o += f * P.m[j]
        if bn != 0.0:
            add_active(P, j)
        d = h * d * d
        if d > dlx:
            dlx = d
    if fit_intercept and B.sv > 0.0:
        d = (B.srq + B.o * B.sv) / B.sv
        if d != 0.0:
            B.b0 += d
            B.o -= d
            d = B.sv * d * d
            if d > dlx:
                dlx = d
    return dlx


cdef void bin_eta(Sp *P, Bin *B) noexcept nogil:
    """The linear predictor from the coefficients (one pass over the active columns)."""
    cdef int i, t, j
    cdef long long k
    cdef double c = B.b0, f
    for t in range(P.na):
        j = P.act[t]
        c -= P.b[j] * P.s[j] * P.m[j]
    for i in range(P.n):
        B.eta[i] = c + (B.off[i] if B.off != NULL else 0.0)
    for t in range(P.na):
        j = P.act[t]
        f = P.b[j] * P.s[j]
        if f == 0.0:
            continue
        for k in range(P.ip[j], P.ip[j + 1]):
            B.eta[P.ix[k]] += f * P.x[k]


cdef double bin_exact_grad(Sp *P, Bin *B, int j, double sr) noexcept nogil:
    """xt_j'(w (y - q)), with rq holding w (y - q) and sr its sum."""
    cdef long long k
    cdef double d = 0.0
    for k in range(P.ip[j], P.ip[j + 1]):
        d += P.x[k] * B.rq[P.ix[k]]
    return P.s[j] * (d - P.m[j] * sr)


cdef double null_intercept(Sp *P, Bin *B, double b0) noexcept nogil:
    """Intercept of the model with linear predictor off + b0 (Newton, halved steps)."""
    cdef int n = P.n, i, it, h
    cdef double f, f_new = 0.0, grad, hess, step, t
    for i in range(n):
        B.eta[i] = B.off[i] + b0
    f = bin_loss(n, B.eta, B.y, P.w, B.q)
    for it in range(100):
        grad = 0.0
        hess = 0.0
        for i in range(n):
            grad += P.w[i] * (B.y[i] - B.q[i])
            hess += P.w[i] * B.q[i] * (1.0 - B.q[i])
        if not hess > 0.0:
            break
        step = grad / hess
        t = 1.0
        for h in range(60):
            for i in range(n):
                B.eta[i] = B.off[i] + b0 + t * step
            f_new = bin_loss(n, B.eta, B.y, P.w, B.q)
            if f_new <= f:
                break
            t *= 0.5
        b0 += t * step
        f = f_new
        if fabs(t * step) <= 1e-13 * (1.0 + fabs(b0)):
            break
    return b0


cdef int bin_run(Sp *P, Bin *B, const double *lambdas, int nlam, bint fit_intercept,
                 bint early_stop, bint stop_change, double tol, long max_iter,
                 double *coefs_out, double *b0_out, double *dev_out, int *iter_out,
                 unsigned char *conv_out) noexcept nogil:
    cdef int n = P.n, p = P.p, m, i, j, t, n_new, halvings
    cdef long sweeps
    cdef double ybar = 0.0, sat = 0.0, yi, loss, dev0, dev, devr, devr_prev = 0.0
    cdef double lam, lam_prev, l1, l2, cut, f_cur, f_new, shr, dlx, d, sr, qi, vfloor
    cdef double b0_old
    cdef bint converged
    vfloor = PMIN * (1.0 - PMIN)

    for i in range(n):
        ybar += P.w[i] * B.y[i]
        yi = B.y[i]
        if 0.0 < yi < 1.0:
            sat += P.w[i] * (yi * log(yi) + (1.0 - yi) * log1p(-yi))
    B.b0 = 0.0
    if fit_intercept and 0.0 < ybar < 1.0:
        B.b0 = log(ybar / (1.0 - ybar))
        if B.off != NULL:
            B.b0 = null_intercept(P, B, B.b0)
    bin_eta(P, B)
    loss = bin_loss(n, B.eta, B.y, P.w, B.q)
    dev0 = 2.0 * (loss + sat)
    sr = 0.0
    for i in range(n):
        B.rq[i] = P.w[i] * (B.y[i] - B.q[i])
        sr += B.rq[i]
    for j in range(p):
        if P.s[j] != 0.0:
            P.g[j] = bin_exact_grad(P, B, j, sr)

    for m in range(nlam):
        lam = lambdas[m]
        lam_prev = lambdas[m - 1] if m > 0 else lam
        l1 = lam * P.a
        l2 = lam * (1.0 - P.a)
        cut = strong_rule_cut(P.a, lam, lam_prev)
        for j in range(p):
            if P.s[j] != 0.0 and not P.in_strong[j] and (
                    P.pf[j] <= 0.0 or movable(P.g[j], P.lo, P.hi, j) >= cut * P.pf[j]):
                add_strong(P, j)
        f_cur = loss + penalty_value(P, l1, l2)
        shr = tol * TOL_SCALE * f_cur
        sweeps = 0
        converged = False
        while sweeps < max_iter:
            # ---- a Newton step: the quadratic model at eta, solved by CD ----
            B.sv = 0.0
            B.srq = 0.0
            B.o = 0.0
            for i in range(n):
                qi = B.q[i]
                d = qi * (1.0 - qi)
                if d < vfloor:
                    d = vfloor
                B.vw[i] = P.w[i] * d
                B.sv += B.vw[i]
                B.rq[i] = P.w[i] * (B.y[i] - qi)
                B.srq += B.rq[i]
                B.eta_old[i] = B.eta[i]
            B.step += 1
            for t in range(P.ns):
                j = P.strong[t]
                B.b_old[j] = P.b[j]
            b0_old = B.b0
            while sweeps < max_iter:
                sweeps += 1
                if bin_sweep(P, B, P.strong, P.ns, l1, l2, fit_intercept) < shr:
                    break
                while sweeps < max_iter:
                    sweeps += 1
                    if bin_sweep(P, B, P.act, P.na, l1, l2, fit_intercept) < shr:
                        break
            # ---- the step, halved until the objective does not increase ----
            bin_eta(P, B)
            loss = bin_loss(n, B.eta, B.y, P.w, B.q)
            f_new = loss + penalty_value(P, l1, l2)
            halvings = 0
            while f_new > f_cur + 1e-15 * fabs(f_cur) and halvings < MAX_HALVINGS:
                halvings += 1
                for t in range(P.ns):
                    j = P.strong[t]
                    P.b[j] = 0.5 * (P.b[j] + B.b_old[j])
                B.b0 = 0.5 * (B.b0 + b0_old)
                for i in range(n):
                    B.eta[i] = 0.5 * (B.eta[i] + B.eta_old[i])
                loss = bin_loss(n, B.eta, B.y, P.w, B.q)
                f_new = loss + penalty_value(P, l1, l2)
            f_cur = f_new
            dlx = B.sv * (B.b0 - b0_old) * (B.b0 - b0_old)
            for t in range(P.ns):
                j = P.strong[t]
                d = P.b[j] - B.b_old[j]
                d = P.v[j] * d * d
                if d > dlx:
                    dlx = d
            if dlx >= shr:
                continue
            # ---- KKT check of every other column, with exact gradients ----
            sr = 0.0
            for i in range(n):
                B.rq[i] = P.w[i] * (B.y[i] - B.q[i])
                sr += B.rq[i]
            n_new = 0
            for j in range(p):
                if P.s[j] == 0.0 or P.in_act[j]:
                    continue
                P.g[j] = bin_exact_grad(P, B, j, sr)
                if not P.in_strong[j] and kkt_violated(P.g[j], P.lo, P.hi, j, l1,
                                                       P.pf[j]):
                    add_strong(P, j)
                    n_new += 1
            if n_new == 0:
                converged = True
                break
        if not converged:
            sr = 0.0
            for i in range(n):
                B.rq[i] = P.w[i] * (B.y[i] - B.q[i])
                sr += B.rq[i]
            for j in range(p):
                if P.s[j] != 0.0 and not P.in_act[j]:
                    P.g[j] = bin_exact_grad(P, B, j, sr)
        for j in range(p):
            coefs_out[<Py_ssize_t> m * p + j] = P.b[j]
        b0_out[m] = B.b0
        dev = 2.0 * (loss + sat)
        dev_out[m] = dev
        iter_out[m] = <int> (sweeps if sweeps < 2147483647 else 2147483647)
        conv_out[m] = converged
        devr = 1.0 - dev / dev0 if dev0 > 0.0 else 1.0
        if early_stop and early_stop_reached(m, devr, devr_prev, stop_change, False):
            return m + 1
        devr_prev = devr
    return nlam


# ---- entry points -----------------------------------------------------------------

cdef void setup(Sp *P, const double[::1] data, const int[::1] indices,
                const long long[::1] indptr, const double[::1] xm,
                const double[::1] xinv, const double[::1] w, const double[::1] pf,
                double l1_ratio, int n, int p, lower, upper, double[::1] b,
                double[::1] v, double[::1] g, int[::1] strong, int[::1] act,
                unsigned char[::1] in_strong, unsigned char[::1] in_act):
    """P for both families: the design, the limits (``lower`` / ``upper`` or None,
    arrays the caller keeps alive) and the state vectors (p each), strong and active
    sets empty, covariance mode off."""
    cdef const double[::1] lo_v, hi_v
    P.n = n
    P.p = p
    P.x = &data[0] if data.shape[0] > 0 else NULL
    P.ix = &indices[0] if indices.shape[0] > 0 else NULL
    P.ip = &indptr[0]
    P.m = &xm[0]
    P.s = &xinv[0]
    P.w = &w[0]
    P.pf = &pf[0]
    P.a = l1_ratio
    P.lo = NULL
    P.hi = NULL
    P.ns = 0
    P.na = 0
    P.z = NULL
    P.gx = NULL
    P.gi = NULL
    P.gp = NULL
    P.g0 = NULL
    if lower is not None:
        lo_v = lower
        hi_v = upper
        P.lo = &lo_v[0]
        P.hi = &hi_v[0]
    P.b = &b[0]
    P.v = &v[0]
    P.g = &g[0]
    P.strong = &strong[0]
    P.in_strong = &in_strong[0]
    P.act = &act[0]
    P.in_act = &in_act[0]


def _check_outputs(name, nlam, p, coefs_out, intercepts_out, dev_out, iter_out,
                   converged_out):
    if (coefs_out.shape[0] < nlam or coefs_out.shape[1] != p
            or intercepts_out.shape[0] < nlam or dev_out.shape[0] < nlam
            or iter_out.shape[0] < nlam or converged_out.shape[0] < nlam):
        raise ValueError(f"{name}: output arrays are too small")


def _check(data, indices, indptr, n, xm, xinv, y, w, pf, lower, upper, name):
    p = indptr.shape[0] - 1
    if (xm.shape[0] != p or xinv.shape[0] != p or pf.shape[0] != p
            or y.shape[0] != n or w.shape[0] != n or data.shape[0] != indices.shape[0]
            or indptr[p] != data.shape[0]):
        raise ValueError(f"{name}: inconsistent shapes")
    if (lower is None) != (upper is None):
        raise ValueError(f"{name}: give both lower and upper, or neither")
    if lower is not None and (lower.shape[0] != p or upper.shape[0] != p):
        raise ValueError(f"{name}: lower, upper need one value per column")
    return p


def sparse_gaussian_path(const double[::1] data, const int[::1] indices,
                         const long long[::1] indptr, int n, const double[::1] xm,
                         const double[::1] xinv, const double[::1] y,
                         const double[::1] w, const double[::1] pf, double l1_ratio,
                         const double[::1] lambdas, bint fit_intercept,
                         bint early_stop, double tol, int max_iter,
                         double[:, ::1] coefs_out, double[::1] intercepts_out,
                         double[::1] dev_out, int[::1] iter_out,
                         unsigned char[::1] converged_out, lower=None, upper=None,
                         bint stop_on_change=True, gram=None):
    """The gaussian path of ``_gaussian.gaussian_path`` on a CSC design.

    ``data``, ``indices`` (int32), ``indptr`` (int64) are the CSC arrays of X on its
    original scale (n rows); column j of the standardized design is
    ``(x_j - xm[j]) * xinv[j]`` (``xm`` the weighted means, 0 without an intercept;
    ``xinv`` the inverse scales, 0 for constant columns). ``y``, ``w`` (summing to
    1), ``pf``, ``lambdas``, the outputs, ``lower`` / ``upper`` and
    ``stop_on_change`` as for the dense kernel. ``gram``, a tuple ``(data,
    indices (int32), indptr (int64))``, is the CSC form of ``X'WX`` (original scale,
    ``W = diag(w)``); with it the kernel runs in covariance mode (see the header).
    Returns the number of lambdas fitted.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> X = sp.csc_matrix(np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 0.0], [0.0, 0.0]]))
    >>> xm, xinv = np.array([0.5, 0.5]), np.array([2.0, 1 / np.sqrt(0.75)])
    >>> y, w = np.array([1.0, -1.0, 1.0, -1.0]), np.full(4, 0.25)
    >>> out = np.zeros((2, 2))
    >>> sparse_gaussian_path(X.data, X.indices, X.indptr.astype(np.int64), 4, xm, xinv,
    ...     y, w, np.ones(2), 1.0, np.array([1.0, 0.1]), True, False, 1e-7, 1000,
    ...     out, np.zeros(2), np.zeros(2), np.zeros(2, np.int32), np.zeros(2, np.uint8))
    2
    >>> out[1].round(6).tolist()
    [0.9, 0.0]
    """
    cdef int p = _check(data, indices, indptr, n, xm, xinv, y, w, pf, lower, upper,
                        "sparse_gaussian_path")
    cdef int nlam = lambdas.shape[0], i, j, n_fit
    cdef long long k
    cdef double b0 = 0.0, yy = 0.0, sxw, sx2, mj
    _check_outputs("sparse_gaussian_path", nlam, p, coefs_out, intercepts_out, dev_out,
                   iter_out, converged_out)
    if max_iter < 1:
        max_iter = 1
    for i in range(n):
        b0 += w[i] * y[i]
    if not fit_intercept:
        b0 = 0.0
    cdef double[::1] q = np.empty(max(n, 1))
    for i in range(n):
        q[i] = y[i] - b0
        yy += w[i] * q[i] * q[i]
    for i in range(nlam):
        intercepts_out[i] = b0
    if p == 0 or n == 0 or nlam == 0:
        for i in range(nlam):
            dev_out[i] = yy
            iter_out[i] = 0
            converged_out[i] = 1
        return nlam
    w_np = np.asarray(w)
    uniform = bool(np.all(w_np == w_np[0]))
    cdef const double[::1] xw
    cdef double wscale = 1.0
    if uniform:
        xw = data
        wscale = w[0]
    else:
        xw = np.asarray(data) * w_np[np.asarray(indices)]
    cdef const double[::1] gx_v
    cdef const int[::1] gi_v
    cdef const long long[::1] gp_v
    cdef double[::1] b = np.zeros(p), v = np.zeros(p), g = np.zeros(p)
    cdef double[::1] z = np.zeros(p), g0 = np.zeros(p)
    cdef int[::1] strong = np.zeros(p, dtype=np.intc), act = np.zeros(p, dtype=np.intc)
    cdef unsigned char[::1] in_strong = np.zeros(p, dtype=np.uint8)
    cdef unsigned char[::1] in_act = np.zeros(p, dtype=np.uint8)
    cdef int cap = min(p, n, POLISH_MAX)
    cdef double[::1] H = np.empty(cap * cap), rhs = np.empty(cap)
    cdef double[::1] scratch = np.zeros(max(n, p)), delta = np.zeros(p)
    cdef int[::1] S = np.empty(cap, dtype=np.intc)
    cdef Sp P
    setup(&P, data, indices, indptr, xm, xinv, w, pf, l1_ratio, n, p, lower, upper, b, v,
          g, strong, act, in_strong, in_act)
    P.xw = &xw[0] if xw.shape[0] > 0 else NULL
    P.wscale = wscale
    if gram is not None:
        gx_v, gi_v, gp_v = gram
        if gp_v.shape[0] != p + 1 or gx_v.shape[0] != gi_v.shape[0] or (
                gp_v[p] != gx_v.shape[0]):
            raise ValueError("sparse_gaussian_path: gram has inconsistent shapes")
        P.gx = &gx_v[0] if gx_v.shape[0] > 0 else NULL
        P.gi = &gi_v[0] if gi_v.shape[0] > 0 else NULL
        P.gp = &gp_v[0]
    with nogil:
        if P.gp != NULL:
            # z = X'Wq at b = 0, and the gradients there
            P.sq0 = 0.0
            for i in range(n):
                P.sq0 += w[i] * q[i]
            for j in range(p):
                sxw = 0.0
                for k in range(indptr[j], indptr[j + 1]):
                    sxw += P.xw[k] * q[indices[k]]
                z[j] = wscale * sxw
            P.z = &z[0]
            P.yy = yy
            for j in range(p):
                g0[j] = gauss_grad(&P, j, &q[0], P.sq0)
            P.g0 = &g0[0]
        # v_j = xt_j'W xt_j = s_j^2 (sum w x^2 - 2 m_j sum w x + m_j^2), sum w = 1
        for j in range(p):
            if xinv[j] == 0.0:
                continue
            sxw = 0.0
            sx2 = 0.0
            for k in range(indptr[j], indptr[j + 1]):
                sxw += w[indices[k]] * data[k]
                sx2 += w[indices[k]] * data[k] * data[k]
            mj = xm[j]
            v[j] = xinv[j] * xinv[j] * (sx2 - 2.0 * mj * sxw + mj * mj)
            if v[j] < 0.0:
                v[j] = 0.0
        n_fit = gauss_run(&P, &q[0], &lambdas[0], nlam, yy, early_stop, stop_on_change,
                          tol, max_iter, &coefs_out[0, 0], &dev_out[0], &iter_out[0],
                          &converged_out[0], &H[0], &rhs[0], &scratch[0], &S[0], cap,
                          &delta[0])
    return n_fit


def sparse_binomial_path(const double[::1] data, const int[::1] indices,
                         const long long[::1] indptr, int n, const double[::1] xm,
                         const double[::1] xinv, const double[::1] y,
                         const double[::1] w, const double[::1] pf, double l1_ratio,
                         const double[::1] lambdas, bint fit_intercept,
                         bint early_stop, double tol, long max_iter,
                         double[:, ::1] coefs_out, double[::1] intercepts_out,
                         double[::1] dev_out, int[::1] iter_out,
                         unsigned char[::1] converged_out, offset=None, lower=None,
                         upper=None, bint stop_on_change=True):
    """The binomial path of ``_binomial.binomial_path`` on a CSC design (arguments as
    :func:`sparse_gaussian_path`, plus ``offset``). IRLS with coordinate descent on
    each quadratic model (glmnet's lognet); the intercept returned is that of the
    centred problem, as the dense kernel's.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> X = sp.csc_matrix(np.array([[1.0], [0.0], [1.0], [0.0]]))
    >>> y, w = np.array([1.0, 0.0, 0.0, 0.0]), np.full(4, 0.25)
    >>> out = np.zeros((2, 1))
    >>> sparse_binomial_path(X.data, X.indices, X.indptr.astype(np.int64), 4,
    ...     np.array([0.5]), np.array([2.0]), y, w, np.ones(1), 1.0,
    ...     np.array([0.1, 0.01]), True, False, 1e-7, 1000, out, np.zeros(2),
    ...     np.zeros(2), np.zeros(2, np.int32), np.zeros(2, np.uint8))
    2
    """
    cdef int p = _check(data, indices, indptr, n, xm, xinv, y, w, pf, lower, upper,
                        "sparse_binomial_path")
    cdef int nlam = lambdas.shape[0], n_fit
    _check_outputs("sparse_binomial_path", nlam, p, coefs_out, intercepts_out, dev_out,
                   iter_out, converged_out)
    if offset is not None and offset.shape[0] != n:
        raise ValueError("sparse_binomial_path: offset has the wrong length")
    if max_iter < 1:
        max_iter = 1
    if n == 0 or p == 0 or nlam == 0:
        return 0
    cdef const double[::1] off_v
    cdef double[::1] b = np.zeros(p), v = np.zeros(p), g = np.zeros(p)
    cdef double[::1] xv1 = np.zeros(p), b_old = np.zeros(p)
    cdef long[::1] stamp = np.full(p, -1, dtype="l")
    cdef double[::1] eta = np.zeros(n), eta_old = np.zeros(n), q = np.zeros(n)
    cdef double[::1] vw = np.zeros(n), rq = np.zeros(n)
    cdef int[::1] strong = np.zeros(p, dtype=np.intc), act = np.zeros(p, dtype=np.intc)
    cdef unsigned char[::1] in_strong = np.zeros(p, dtype=np.uint8)
    cdef unsigned char[::1] in_act = np.zeros(p, dtype=np.uint8)
    cdef Sp P
    cdef Bin B
    setup(&P, data, indices, indptr, xm, xinv, w, pf, l1_ratio, n, p, lower, upper, b, v,
          g, strong, act, in_strong, in_act)
    P.xw = P.x
    P.wscale = 1.0
    B.y = &y[0]
    B.off = NULL
    if offset is not None:
        off_v = offset
        B.off = &off_v[0]
    B.eta = &eta[0]
    B.eta_old = &eta_old[0]
    B.q = &q[0]
    B.vw = &vw[0]
    B.rq = &rq[0]
    B.xv1 = &xv1[0]
    B.stamp = &stamp[0]
    B.b_old = &b_old[0]
    B.step = 0
    # unpenalized columns are always in the model: in the strong set from the start
    for j in range(p):
        if xinv[j] != 0.0 and pf[j] <= 0.0:
            add_strong(&P, j)
    with nogil:
        n_fit = bin_run(&P, &B, &lambdas[0], nlam, fit_intercept, early_stop,
                        stop_on_change, tol, max_iter, &coefs_out[0, 0],
                        &intercepts_out[0], &dev_out[0], &iter_out[0],
                        &converged_out[0])
    return n_fit


def sparse_gram(const double[::1] data, const int[::1] indices,
                const long long[::1] indptr, int n, const double[::1] w):
    """The CSC arrays ``(data, indices (int32), indptr (int64))`` of ``X'WX``
    (``W = diag(w)``) for a CSC design of ``n`` rows, as the covariance mode of
    :func:`sparse_gaussian_path` takes them. Column k gathers, over the rows i of
    column k, w_i x_ik times row i (a row-major copy of X): sum_i r_i^2 products for
    r_i the nonzeros of row i, in one pass.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> X = sp.csc_matrix(np.array([[1.0, 0.0], [1.0, 2.0], [0.0, 3.0]]))
    >>> gx, gi, gp = sparse_gram(X.data, X.indices, X.indptr.astype(np.int64), 3,
    ...                          np.ones(3))
    >>> sp.csc_matrix((gx, gi, gp), shape=(2, 2)).toarray().tolist()
    [[2.0, 2.0], [2.0, 13.0]]
    """
    cdef int p = indptr.shape[0] - 1, i, j, k
    cdef long long nnz = indptr[p], kk, t, pos = 0, total = 0
    if w.shape[0] != n or data.shape[0] != indices.shape[0] or nnz != data.shape[0]:
        raise ValueError("sparse_gram: inconsistent shapes")
    cdef long long[::1] rp = np.zeros(n + 1, dtype=np.int64)
    cdef long long[::1] nxt = np.empty(n, dtype=np.int64)
    cdef int[::1] rj = np.empty(nnz, dtype=np.intc)
    cdef double[::1] rx = np.empty(nnz)
    cdef double f
    cdef long long ahead
    with nogil:
        for kk in range(nnz):
            rp[indices[kk] + 1] += 1
        for i in range(n):
            rp[i + 1] += rp[i]
            nxt[i] = rp[i]
        for j in range(p):
            for kk in range(indptr[j], indptr[j + 1]):
                i = indices[kk]
                rj[nxt[i]] = j
                rx[nxt[i]] = data[kk]
                nxt[i] += 1
        for j in range(p):
            for kk in range(indptr[j], indptr[j + 1]):
                i = indices[kk]
                total += rp[i + 1] - rp[i]
    cdef double[::1] gx = np.empty(total), acc = np.zeros(max(p, 1))
    cdef int[::1] gi = np.empty(total, dtype=np.intc)
    cdef int[::1] mark = np.full(max(p, 1), -1, dtype=np.intc)
    cdef long long[::1] gp = np.zeros(p + 1, dtype=np.int64)
    with nogil:
        for k in range(p):
            gp[k] = pos
            for kk in range(indptr[k], indptr[k + 1]):
                # (the rows are read out of order: fetch a few ahead)
                ahead = kk + GRAM_AHEAD
                if ahead < nnz:
                    __builtin_prefetch(&rj[rp[indices[ahead]]])
                    __builtin_prefetch(&rx[rp[indices[ahead]]])
                ahead = kk + 2 * GRAM_AHEAD
                if ahead < nnz:
                    __builtin_prefetch(&rp[indices[ahead]])
                i = indices[kk]
                f = w[i] * data[kk]
                for t in range(rp[i], rp[i + 1]):
                    j = rj[t]
                    if mark[j] != k:
                        mark[j] = k
                        gi[pos] = j
                        pos += 1
                        acc[j] = 0.0
                    acc[j] += f * rx[t]
            for t in range(gp[k], pos):
                gx[t] = acc[gi[t]]
        gp[p] = pos
    return np.asarray(gx)[:pos].copy(), np.asarray(gi)[:pos].copy(), np.asarray(gp)
