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
set once more. Safeguards: working weights are floored at ``w_i * PMIN (1 - PMIN)``
(glmnet's 1e-5 clip), so the model never loses curvature, and every Newton step is
checked against the true objective and halved until the objective does not
increase. The gradient in ``r`` always uses the exact probabilities, so the
fixed point is the exact optimum.

Along the path: warm starts, sequential strong rules (Tibshirani et al. 2012,
JRSS-B 74(2), eq. 4) to form the working set, and a KKT check of every feature
outside it once the working problem has converged.

Meaning of ``tol``: a Newton iteration, or a coordinate-descent loop inside it, has
converged when no coordinate moved by more than ``d`` with
``h_j d^2 < tol * TOL_SCALE * F0``, where ``h_j = sum_i v_i x_ij^2`` is the curvature
of coordinate ``j`` (``h_j d^2 / 2`` is the objective decrease the move bought) and
``F0`` is the null objective (half the null deviance). glmnet uses the same measure
with ``TOL_SCALE = 1``; the smaller scale here makes the objective at every ``lam``
come within about ``tol * 10`` relative of the optimum, also on strongly correlated
designs. ``max_iter`` caps the coordinate sweeps spent on each ``lam``.

Example (on arrays already standardized by ``penstat.path``)::

    n_fitted = binomial_path(X, y, w, pf, 1.0, lambdas, True, True, 1e-7, 100000,
                             coefs, intercepts, dev, n_iter, converged)
"""

import numpy as np

from libc.math cimport exp, log, log1p
from scipy.linalg.cython_blas cimport ddot

from penstat._cd._common cimport soft_threshold

# Probability clip used for the working weights (as glmnet's lognet).
cdef double PMIN = 1e-5
# Scale of ``tol`` against glmnet's convergence measure (see the module docstring).
cdef double TOL_SCALE = 1e-2
# Relative duality gap accepted, in units of tol, and the tightening of the
# coordinate threshold while it is not met.
cdef double GAP_SCALE = 1e300
cdef double SHR_TIGHTEN = 0.1
# Inexact Newton: looseness of the first inner solve at a lambda, and the inner
# threshold of later ones as a fraction of the previous Newton step.
cdef double FIRST_INNER_LOOSENESS = 100.0
cdef double INNER_FORCING = 1e-2
# Halvings of a Newton step before it is taken as is.
cdef int MAX_HALVINGS = 30
# glmnet's early stop of a computed path.
cdef double DEV_MAX = 0.999
cdef double DEV_CHANGE_MIN = 1e-5
cdef int MIN_LAMBDAS_BEFORE_STOP = 5
# Anderson extrapolation every ANDERSON_K active-set cycles.
DEF ANDERSON_K_MAX = 8
cdef int ANDERSON_K = 5
cdef long N_OUTER = 0
def _debug_counts():
    return N_OUTER


cdef extern from *:
    """
    /* r -= d * v * x, then return xn . r: one pass over r for a coordinate update
       and the gradient of the next coordinate. AVX2/FMA when the CPU has it. */
    #if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    #include <immintrin.h>
    #define PENSTAT_X86 1
    #endif

    static int penstat_simd = -1;

    static double penstat_update_dot_scalar(int n, double d, const double *v,
                                            const double *x, double *r,
                                            const double *xn) {
        double s0 = 0.0, s1 = 0.0;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            r[i] -= d * v[i] * x[i];
            r[i + 1] -= d * v[i + 1] * x[i + 1];
            s0 += xn[i] * r[i];
            s1 += xn[i + 1] * r[i + 1];
        }
        for (; i < n; i++) {
            r[i] -= d * v[i] * x[i];
            s0 += xn[i] * r[i];
        }
        return s0 + s1;
    }

    #ifdef PENSTAT_X86
    __attribute__((target("avx2,fma")))
    static double penstat_update_dot_avx2(int n, double d, const double *v,
                                          const double *x, double *r,
                                          const double *xn) {
        __m256d vd = _mm256_set1_pd(d);
        __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
        __m256d r0, r1;
        double buf[4], s;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            r0 = _mm256_loadu_pd(r + i);
            r1 = _mm256_loadu_pd(r + i + 4);
            r0 = _mm256_fnmadd_pd(_mm256_mul_pd(vd, _mm256_loadu_pd(v + i)),
                                  _mm256_loadu_pd(x + i), r0);
            r1 = _mm256_fnmadd_pd(_mm256_mul_pd(vd, _mm256_loadu_pd(v + i + 4)),
                                  _mm256_loadu_pd(x + i + 4), r1);
            _mm256_storeu_pd(r + i, r0);
            _mm256_storeu_pd(r + i + 4, r1);
            a0 = _mm256_fmadd_pd(_mm256_loadu_pd(xn + i), r0, a0);
            a1 = _mm256_fmadd_pd(_mm256_loadu_pd(xn + i + 4), r1, a1);
        }
        _mm256_storeu_pd(buf, _mm256_add_pd(a0, a1));
        s = (buf[0] + buf[1]) + (buf[2] + buf[3]);
        for (; i < n; i++) {
            r[i] -= d * v[i] * x[i];
            s += xn[i] * r[i];
        }
        return s;
    }
    #endif

    static double penstat_update_dot(int n, double d, const double *v, const double *x,
                                     double *r, const double *xn) {
    #ifdef PENSTAT_X86
        if (penstat_simd < 0) {
            __builtin_cpu_init();
            penstat_simd = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        }
        if (penstat_simd)
            return penstat_update_dot_avx2(n, d, v, x, r, xn);
    #endif
        return penstat_update_dot_scalar(n, d, v, x, r, xn);
    }
    """
    double penstat_update_dot(int n, double d, const double* v, const double* x,
                              double* r, const double* xn) noexcept nogil


cdef inline double _dot(int n, const double* a, const double* b) noexcept nogil:
    cdef int one = 1
    return ddot(&n, <double*> a, &one, <double*> b, &one)


cdef inline double _weighted_sumsq(int n, const double* v, const double* x) noexcept nogil:
    """sum_i v_i x_i^2 with four accumulators (the compiler will not reorder it)."""
    cdef double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    cdef int i, m = n - n % 4
    for i in range(0, m, 4):
        s0 += v[i] * x[i] * x[i]
        s1 += v[i + 1] * x[i + 1] * x[i + 1]
        s2 += v[i + 2] * x[i + 2] * x[i + 2]
        s3 += v[i + 3] * x[i + 3] * x[i + 3]
    for i in range(m, n):
        s0 += v[i] * x[i] * x[i]
    return (s0 + s1) + (s2 + s3)


cdef inline void _sub_weighted(int n, double d, const double* v, const double* x,
                               double* r) noexcept nogil:
    """r -= d * v * x (elementwise): the residual update after a coordinate move."""
    cdef int i
    for i in range(n):
        r[i] -= d * v[i] * x[i]


cdef double _loss(int n, const double* eta, const double* y, const double* w,
                  double* q) noexcept nogil:
    """Negative weighted log-likelihood; fills q with the probabilities expit(eta).

    -loglik_i = log(1 + exp(eta_i)) - y_i eta_i, computed without overflow.
    """
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


cdef double _penalty(int nW, const int* W, const double* b, const double* pf,
                     double l1, double l2) noexcept nogil:
    cdef double s = 0.0, bj
    cdef int k, j
    for k in range(nW):
        j = W[k]
        bj = b[j]
        if bj != 0.0:
            s += pf[j] * (l1 * (bj if bj > 0.0 else -bj) + 0.5 * l2 * bj * bj)
    return s


cdef void _cd_sweep(int n, int cnt, const int* idx, const double[::1, :] X, double* b,
                    const double* xv, const double* pf, double l1, double l2,
                    const double* v, double* r, double* dlx, unsigned char* inA,
                    int* A, int* nA) noexcept nogil:
    """One pass of coordinate updates over the columns idx[0..cnt).

    Friedman et al. (2010), eq. 10: b_j <- S(x_j'r + h_j b_j, lam a f_j) /
    (h_j + lam (1 - a) f_j), then r -= (b_j_new - b_j) v x_j. The residual update of
    a coordinate and the gradient of the next one share a pass over r. Columns that
    become nonzero join the active list A (when inA is given).
    """
    cdef int k, j
    cdef double gj, bj, bn, d, dd
    if cnt == 0:
        return
    gj = _dot(n, &X[0, idx[0]], r)
    for k in range(cnt):
        j = idx[k]
        bj = b[j]
        bn = soft_threshold(gj + xv[j] * bj, l1 * pf[j]) / (xv[j] + l2 * pf[j])
        d = bn - bj
        if d != 0.0:
            b[j] = bn
            dd = xv[j] * d * d
            if dd > dlx[0]:
                dlx[0] = dd
            if inA != NULL and not inA[j]:
                inA[j] = 1
                A[nA[0]] = j
                nA[0] += 1
            if k + 1 < cnt:
                gj = penstat_update_dot(n, d, v, &X[0, j], r, &X[0, idx[k + 1]])
            else:
                _sub_weighted(n, d, v, &X[0, j], r)
        elif k + 1 < cnt:
            gj = _dot(n, &X[0, idx[k + 1]], r)


cdef inline void _intercept_update(int n, double* r, const double* v, double xmz,
                                   double* b0, double* dlx) noexcept nogil:
    """Unpenalized intercept move: b0 += sum(r) / sum(v)."""
    cdef double d = 0.0
    cdef int i
    for i in range(n):
        d += r[i]
    d /= xmz
    if d == 0.0:
        return
    b0[0] += d
    for i in range(n):
        r[i] -= d * v[i]
    d = xmz * d * d
    if d > dlx[0]:
        dlx[0] = d


cdef inline void _store_iterate(int nA, const int* A, const double* b, double b0,
                                double* row, int p) noexcept nogil:
    """Row layout: the active coefficients in A's order, then the intercept."""
    cdef int k
    for k in range(nA):
        row[k] = b[A[k]]
    row[nA] = b0


cdef void _anderson_step(int n, int nA, const int* A, const double[::1, :] X,
                         double* b, double* b0, const double* hist, int p,
                         const double* pf, double l1, double l2, const double* v,
                         double* r, double* deta, bint fit_intercept) noexcept nogil:
    cdef double M[ANDERSON_K_MAX][ANDERSON_K_MAX + 1]
    cdef double z[ANDERSON_K_MAX]
    cdef double c[ANDERSON_K_MAX]
    cdef int K = ANDERSON_K, m = nA + 1, i, k, l, piv, j
    cdef double s, tmp, big, trace = 0.0, ext, cur, dq, dj
    cdef const double* xj
    # Gram matrix of the differences U_k = x_{k+1} - x_k, then M z = 1.
    for k in range(K):
        for l in range(k, K):
            s = 0.0
            for i in range(m):
                s += ((hist[(k + 1) * p + i] - hist[k * p + i])
                      * (hist[(l + 1) * p + i] - hist[l * p + i]))
            M[k][l] = s
            M[l][k] = s
        trace += M[k][k]
    if trace <= 0.0:
        return
    for k in range(K):
        M[k][k] += 1e-10 * trace
        M[k][K] = 1.0
    # Gaussian elimination with partial pivoting on the K x (K + 1) system.
    for k in range(K):
        piv = k
        big = M[k][k] if M[k][k] > 0 else -M[k][k]
        for l in range(k + 1, K):
            tmp = M[l][k] if M[l][k] > 0 else -M[l][k]
            if tmp > big:
                big = tmp
                piv = l
        if big <= 1e-300:
            return
        if piv != k:
            for l in range(K + 1):
                tmp = M[k][l]
                M[k][l] = M[piv][l]
                M[piv][l] = tmp
        for l in range(k + 1, K):
            tmp = M[l][k] / M[k][k]
            for i in range(k, K + 1):
                M[l][i] -= tmp * M[k][i]
    for k in range(K - 1, -1, -1):
        s = M[k][K]
        for l in range(k + 1, K):
            s -= M[k][l] * z[l]
        z[k] = s / M[k][k]
    s = 0.0
    for k in range(K):
        s += z[k]
    if s == 0.0:
        return
    for k in range(K):
        c[k] = z[k] / s
    # Change of the linear predictor and of the penalized quadratic model.
    for i in range(n):
        deta[i] = 0.0
    dq = 0.0
    for l in range(nA):
        ext = 0.0
        for k in range(K):
            ext += c[k] * hist[(k + 1) * p + l]
        j = A[l]
        cur = b[j]
        dj = ext - cur
        if dj != 0.0:
            xj = &X[0, j]
            for i in range(n):
                deta[i] += dj * xj[i]
            dq += pf[j] * (l1 * ((ext if ext > 0 else -ext) - (cur if cur > 0 else -cur))
                           + 0.5 * l2 * (ext * ext - cur * cur))
    ext = 0.0
    if fit_intercept:
        for k in range(K):
            ext += c[k] * hist[(k + 1) * p + nA]
        dj = ext - b0[0]
        for i in range(n):
            deta[i] += dj
    s = 0.0
    tmp = 0.0
    for i in range(n):
        s += r[i] * deta[i]
        tmp += v[i] * deta[i] * deta[i]
    dq += 0.5 * tmp - s
    if not dq < 0.0:
        return
    for l in range(nA):
        ext = 0.0
        for k in range(K):
            ext += c[k] * hist[(k + 1) * p + l]
        b[A[l]] = ext
    if fit_intercept:
        ext = 0.0
        for k in range(K):
            ext += c[k] * hist[(k + 1) * p + nA]
        b0[0] = ext
    for i in range(n):
        r[i] -= v[i] * deta[i]


cdef inline double _abs(double a) noexcept nogil:
    return a if a >= 0.0 else -a


cdef inline double _xlogx(double s) noexcept nogil:
    return s * log(s) if s > 0.0 else 0.0


cdef double _duality_gap(int n, int p, const unsigned char* ju, const double* g,
                         const double* xw, const double* xv, const double* b, double b0,
                         const double* eta, const double* y, const double* w,
                         const double* q, const double* pf, double l1, double l2,
                         bint fit_intercept) noexcept nogil:
    """Duality gap of the penalized logistic problem at (b0, b).

    The dual point is the residual theta = w (y - p), shifted to sum to zero when
    there is an intercept and, for the lasso, scaled into the dual feasible set
    (Ndiaye et al. 2017, JMLR 18, sec. 2). The gap is the sum of the Fenchel-Young
    gaps of the loss, sum_i w_i (l_i(eta_i) + l_i*(-theta_i / w_i)) + theta'eta, and of
    each penalty term, h_j(b_j) + h_j*(x_j'theta) - b_j x_j'theta. Unpenalized
    columns have no finite dual term; they add the quadratic estimate
    (x_j'theta)^2 / (2 h_j) instead.
    """
    cdef double c = 0.0, scale = 1.0, gj, gap = 0.0, th, ps, e, sp, bj, thr, ex
    cdef int i, j
    if fit_intercept:
        for i in range(n):
            c += w[i] * (y[i] - q[i])
    if l2 == 0.0 and l1 > 0.0:
        for j in range(p):
            if ju[j] and pf[j] > 0.0:
                gj = _abs(g[j] - c * xw[j])
                if gj * scale > l1 * pf[j]:
                    scale = l1 * pf[j] / gj
    for i in range(n):
        if w[i] <= 0.0:
            continue
        th = scale * (w[i] * (y[i] - q[i]) - c * w[i])
        ps = y[i] - th / w[i]
        if ps < 0.0:
            ps = 0.0
        elif ps > 1.0:
            ps = 1.0
        e = eta[i]
        sp = e + log1p(exp(-e)) if e >= 0.0 else log1p(exp(e))
        gap += w[i] * (sp - y[i] * e + _xlogx(ps) + _xlogx(1.0 - ps)) + th * e
    for j in range(p):
        if not ju[j]:
            continue
        gj = scale * (g[j] - c * xw[j])
        bj = b[j]
        if pf[j] == 0.0 or (l1 == 0.0 and l2 == 0.0):
            if xv[j] > 0.0:
                gap += gj * gj / (2.0 * xv[j])
            continue
        gap += pf[j] * (l1 * _abs(bj) + 0.5 * l2 * bj * bj) - bj * gj
        if l2 > 0.0:
            ex = _abs(gj) - l1 * pf[j]
            if ex > 0.0:
                gap += ex * ex / (2.0 * l2 * pf[j])
    return gap


cdef int _fit_path(
    const double[::1, :] X, const double[::1] y, const double[::1] w,
    const double[::1] pf, double a, const double[::1] lambdas, bint fit_intercept,
    bint early_stop, double tol, long max_iter,
    double[:, ::1] coefs, double[::1] intercepts, double[::1] dev_out,
    int[::1] iters, unsigned char[::1] conv,
    double[::1] b, double[::1] b_old, double[::1] xv, double[::1] g,
    double[::1] eta, double[::1] eta_old, double[::1] r, double[::1] v, double[::1] q,
    int[::1] W, int[::1] A, unsigned char[::1] inW, unsigned char[::1] inA,
    unsigned char[::1] ju, double[:, ::1] hist, double[::1] deta, double[::1] xw,
) noexcept nogil:
    global N_OUTER
    cdef int n = X.shape[0]
    cdef int p = X.shape[1]
    cdef int nlam = lambdas.shape[0]
    cdef int i, j, k, m, nW = 0, nA = 0, halvings, n_viol, n_hist
    cdef long sweeps
    cdef double ybar, b0 = 0.0, b0_old, dev0, f0, shr, lam, lam_prev, l1, l2, tlam
    cdef double loss, f_cur, f_new, dlx, d, xmz, t, qi, vfloor, dev, devr, devr_prev = 0.0
    cdef double b0_new, shr_lam, gap, shr_in
    cdef bint converged, changed
    cdef const double* xj
    cdef double* rp = &r[0]
    cdef double* vp = &v[0]
    cdef double* etap = &eta[0]
    cdef double* qp = &q[0]
    cdef double* bp = &b[0]

    vfloor = PMIN * (1.0 - PMIN)

    # Columns with no weighted variance (constant, or nonzero only where w = 0)
    # stay at 0 and are never visited.
    for j in range(p):
        b[j] = 0.0
        inW[j] = 0
        inA[j] = 0
        ju[j] = 1 if _weighted_sumsq(n, &w[0], &X[0, j]) > 0.0 else 0

    # Null model: intercept only (or eta = 0 without an intercept).
    ybar = 0.0
    for i in range(n):
        ybar += w[i] * y[i]
    if fit_intercept and 0.0 < ybar < 1.0:
        b0 = log(ybar / (1.0 - ybar))
    for i in range(n):
        eta[i] = b0
    loss = _loss(n, etap, &y[0], &w[0], qp)
    dev0 = 2.0 * loss
    f0 = loss
    shr = tol * TOL_SCALE * f0

    for i in range(n):
        r[i] = w[i] * (y[i] - q[i])
    for j in range(p):
        g[j] = 0.0
        if ju[j]:
            g[j] = _dot(n, &X[0, j], rp)
            xw[j] = _dot(n, &X[0, j], &w[0])
            if pf[j] == 0.0:
                inW[j] = 1
                W[nW] = j
                nW += 1

    lam_prev = lambdas[0] if nlam > 0 else 0.0
    for m in range(nlam):
        lam = lambdas[m]
        l1 = a * lam
        l2 = (1.0 - a) * lam
        # Sequential strong rule: keep j if |g_j| > a (2 lam - lam_prev) f_j.
        tlam = a * (2.0 * lam - lam_prev) if m > 0 else a * lam
        for j in range(p):
            if ju[j] and not inW[j] and _abs(g[j]) > tlam * pf[j]:
                inW[j] = 1
                W[nW] = j
                nW += 1

        sweeps = 0
        converged = False
        f_cur = loss + _penalty(nW, &W[0], bp, &pf[0], l1, l2)
        shr_lam = tol * TOL_SCALE * f_cur
        # Inexact Newton: early quadratic models are solved loosely, the last one to
        # shr_lam (a step is accepted as final only after a tight inner solve).
        shr_in = shr_lam * FIRST_INNER_LOOSENESS
        while True:
            # ---- proximal Newton on the working set ----
            converged = False
            while sweeps < max_iter:
                xmz = 0.0
                for i in range(n):
                    qi = q[i]
                    t = qi * (1.0 - qi)
                    if t < vfloor:
                        t = vfloor
                    v[i] = w[i] * t
                    xmz += v[i]
                    r[i] = w[i] * (y[i] - qi)
                    eta_old[i] = eta[i]
                for k in range(nW):
                    j = W[k]
                    xv[j] = _weighted_sumsq(n, vp, &X[0, j])
                    b_old[j] = b[j]
                b0_old = b0
                N_OUTER += 1

                # Coordinate descent on the quadratic model: a sweep of the working
                # set, then cycles over the active set until they settle.
                while sweeps < max_iter:
                    sweeps += 1
                    dlx = 0.0
                    _cd_sweep(n, nW, &W[0], X, bp, &xv[0], &pf[0], l1, l2, vp, rp, &dlx,
                              &inA[0], &A[0], &nA)
                    if fit_intercept:
                        _intercept_update(n, rp, vp, xmz, &b0, &dlx)
                    if dlx < shr_in:
                        break
                    n_hist = 0
                    _store_iterate(nA, &A[0], bp, b0, &hist[0, 0], p)
                    while sweeps < max_iter:
                        sweeps += 1
                        dlx = 0.0
                        _cd_sweep(n, nA, &A[0], X, bp, &xv[0], &pf[0], l1, l2, vp, rp,
                                  &dlx, NULL, NULL, NULL)
                        if fit_intercept:
                            _intercept_update(n, rp, vp, xmz, &b0, &dlx)
                        if dlx < shr_in:
                            break
                        # Anderson extrapolation of the cycle's iterates (Bertrand and
                        # Massias 2021, AISTATS, alg. 2): kept only when it lowers the
                        # penalized quadratic model.
                        n_hist += 1
                        _store_iterate(nA, &A[0], bp, b0, &hist[n_hist, 0], p)
                        if n_hist == ANDERSON_K:
                            _anderson_step(n, nA, &A[0], X, bp, &b0, &hist[0, 0], p + 1,
                                           &pf[0], l1, l2, vp, rp, &deta[0],
                                           fit_intercept)
                            n_hist = 0
                            _store_iterate(nA, &A[0], bp, b0, &hist[0, 0], p)

                # New linear predictor, true objective, and step halving when the
                # full Newton step does not decrease it.
                for i in range(n):
                    eta[i] = b0
                for k in range(nA):
                    j = A[k]
                    if b[j] != 0.0:
                        xj = &X[0, j]
                        d = b[j]
                        for i in range(n):
                            eta[i] += d * xj[i]
                loss = _loss(n, etap, &y[0], &w[0], qp)
                f_new = loss + _penalty(nW, &W[0], bp, &pf[0], l1, l2)
                halvings = 0
                b0_new = b0
                t = 1.0
                while f_new > f_cur + 1e-15 * (f_cur if f_cur > 0.0 else -f_cur) \
                        and halvings < MAX_HALVINGS:
                    halvings += 1
                    t *= 0.5
                    # eta and b are affine in the step length: move back halfway.
                    for i in range(n):
                        eta[i] = 0.5 * (eta[i] + eta_old[i])
                    for k in range(nW):
                        j = W[k]
                        b[j] = 0.5 * (b[j] + b_old[j])
                    b0 = 0.5 * (b0 + b0_old)
                    loss = _loss(n, etap, &y[0], &w[0], qp)
                    f_new = loss + _penalty(nW, &W[0], bp, &pf[0], l1, l2)
                f_cur = f_new

                dlx = xmz * (b0 - b0_old) * (b0 - b0_old)
                for k in range(nW):
                    j = W[k]
                    d = b[j] - b_old[j]
                    d = xv[j] * d * d
                    if d > dlx:
                        dlx = d
                if dlx < shr_lam and shr_in <= shr_lam:
                    converged = True
                    break
                shr_in = INNER_FORCING * dlx
                if shr_in < shr_lam:
                    shr_in = shr_lam

            # ---- KKT check of the features outside the working set ----
            for i in range(n):
                r[i] = w[i] * (y[i] - q[i])
            n_viol = 0
            for j in range(p):
                if ju[j] and not inW[j]:
                    g[j] = _dot(n, &X[0, j], rp)
                    if _abs(g[j]) > l1 * pf[j]:
                        inW[j] = 1
                        W[nW] = j
                        nW += 1
                        n_viol += 1
            if n_viol > 0 and sweeps < max_iter:
                continue
            # ---- duality gap: tighten the coordinate threshold until it is met ----
            for k in range(nW):
                j = W[k]
                g[j] = _dot(n, &X[0, j], rp)
            if n_viol > 0 or not converged or sweeps >= max_iter:
                break
            gap = _duality_gap(n, p, &ju[0], &g[0], &xw[0], &xv[0], bp, b0, etap, &y[0],
                               &w[0], qp, &pf[0], l1, l2, fit_intercept)
            if gap <= GAP_SCALE * tol * _abs(f_cur):
                break
            if shr_lam < 1e-30 * f0:
                converged = False
                break
            shr_lam *= SHR_TIGHTEN
            shr_in = shr_lam
            converged = False

        for j in range(p):
            coefs[m, j] = b[j]
        intercepts[m] = b0
        dev = 2.0 * loss
        dev_out[m] = dev
        iters[m] = <int> (sweeps if sweeps < 2147483647 else 2147483647)
        conv[m] = 1 if converged else 0
        lam_prev = lam

        devr = 1.0 - dev / dev0 if dev0 > 0.0 else 1.0
        if early_stop and m + 1 >= MIN_LAMBDAS_BEFORE_STOP:
            if devr > DEV_MAX or devr - devr_prev < DEV_CHANGE_MIN:
                return m + 1
        devr_prev = devr
    return nlam


def binomial_path(X, y, w, pf, double l1_ratio, lambdas, bint fit_intercept,
                  bint early_stop, double tol, long max_iter, coefs_out,
                  intercepts_out, dev_out, iter_out, converged_out):
    """Fit the penalized logistic regression path on standardized data.

    Parameters
    ----------
    X : ndarray (n, p), float64, Fortran order
        Standardized design (weighted-centred when ``fit_intercept``). Not modified.
    y : ndarray (n,), float64
        Response in {0, 1}.
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
        intercepts, deviances ``-2 sum w_i loglik_i``, int32 sweeps, uint8 flags.

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
    if yv.shape[0] != n or wv.shape[0] != n or pfv.shape[0] != p:
        raise ValueError("binomial_path: X, y, w and pf have inconsistent shapes")
    if (coefs.shape[0] < nlam or coefs.shape[1] != p or icpt.shape[0] < nlam
            or dev.shape[0] < nlam or iters.shape[0] < nlam or conv.shape[0] < nlam):
        raise ValueError("binomial_path: output arrays are too small")
    if n == 0 or p == 0 or nlam == 0:
        return 0
    cdef double[::1] b = np.zeros(p), b_old = np.zeros(p), xv = np.zeros(p)
    cdef double[::1] g = np.zeros(p)
    cdef double[::1] eta = np.zeros(n), eta_old = np.zeros(n), r = np.zeros(n)
    cdef double[::1] v = np.zeros(n), q = np.zeros(n)
    cdef int[::1] W = np.zeros(p, dtype=np.intc), A = np.zeros(p, dtype=np.intc)
    cdef unsigned char[::1] inW = np.zeros(p, dtype=np.uint8)
    cdef unsigned char[::1] inA = np.zeros(p, dtype=np.uint8)
    cdef unsigned char[::1] ju = np.zeros(p, dtype=np.uint8)
    cdef double[:, ::1] hist = np.zeros((ANDERSON_K + 1, p + 1))
    cdef double[::1] deta = np.zeros(n), xw = np.zeros(p)
    with nogil:
        n_fitted = _fit_path(
            Xv, yv, wv, pfv, l1_ratio, lamv, fit_intercept, early_stop, tol, max_iter,
            coefs, icpt, dev, iters, conv,
            b, b_old, xv, g, eta, eta_old, r, v, q, W, A, inW, inA, ju, hist, deta, xw,
        )
    return n_fitted
