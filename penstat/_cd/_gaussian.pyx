# Gaussian elastic-net path by coordinate descent (Friedman, Hastie & Tibshirani 2010).
#
# Solves, for each lambda of a decreasing grid and with warm starts,
#
#     min_{b0, b}  1/2 sum_i w_i (y_i - b0 - x_i'b)^2
#                  + lam * sum_j pf_j (l1_ratio |b_j| + (1 - l1_ratio)/2 b_j^2)
#
# with sum_i w_i = 1 and X already centred (when fit_intercept) and scaled.
#
# Two update schemes (Friedman et al. 2010, section 2.2):
#   naive       keeps wr = w * r (r the residual); a coordinate update costs O(n).
#   covariance  keeps the gradient g = X'W r for every column and a cache of the
#               Gram columns X'W x_k of the variables that have entered; an update
#               costs O(p) and the KKT check over all columns is free.
# The covariance scheme is used when n >= p (and p <= GRAM_MAX_P), the naive one
# otherwise.
#
# Per lambda: sequential strong rule (Tibshirani et al. 2012, eq. 8) picks the
# strong set; sweeps over the strong set alternate with sweeps over the ever-active
# set until the largest weighted squared change max_j v_j d_j^2 is below `thr`;
# then a KKT check over all columns adds violators, and a duality-gap check
# (gap <= tol primal) decides convergence, tightening `thr` tenfold when it fails.

from scipy.linalg.cython_blas cimport daxpy, ddot

from penstat._cd._common cimport fabs, fmax, fmin, soft_threshold

import numpy as np

# Covariance updates need a p x p cache at worst; beyond this p the naive scheme is used.
GRAM_MAX_P = 4096

# Floor of the gap test, relative to the null objective: below it round-off dominates.
cdef double GAP_FLOOR = 1e-14
# The duality gap may be at most GAP_FACTOR * tol * primal: at tol = 1e-7 every
# objective is certified within 1e-7 relative of its optimum.
cdef double GAP_FACTOR = 1.0


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
    double *v         # weighted column norms sum_i w_i x_ij^2
    double *b
    double *g         # gradient x_j' W r (current for every column in gram mode)
    double *c         # x_j' W yc (gram mode)
    double *wr        # w * r (naive mode)
    double *tmp       # length-n scratch
    double *G         # Gram cache, column slot s at G + s * p
    int *slot         # cache slot of column j, -1 when not cached
    int n_slots
    int *active       # ever-active list
    int n_active
    unsigned char *is_active
    double dev        # sum_i w_i r_i^2, tracked through the updates
    double yy         # sum_i w_i yc_i^2


cdef inline const double *col(Problem *P, int j) noexcept nogil:
    return P.X + <Py_ssize_t> j * P.n


cdef void cache_gram_column(Problem *P, int k) noexcept nogil:
    """G[:, slot(k)] = X' W x_k (column by column: threaded BLAS-2 stalls when the
    machine is busy, and the columns are short)."""
    cdef int n = P.n, p = P.p, one = 1, i, j
    cdef double *out = P.G + <Py_ssize_t> P.n_slots * p
    cdef const double *xk = col(P, k)
    cdef const double *u = xk
    cdef double scale = 1.0
    if P.uniform:
        scale = P.w0
    else:
        for i in range(n):
            P.tmp[i] = P.w[i] * xk[i]
        u = P.tmp
    for j in range(p):
        if P.v[j] > 0.0:
            out[j] = scale * ddot(&n, <double *> col(P, j), &one, <double *> u, &one)
        else:
            out[j] = 0.0
    P.slot[k] = P.n_slots
    P.n_slots += 1


cdef double sweep(Problem *P, const int *idx, int m, double lam) noexcept nogil:
    """One pass of coordinate updates over columns idx[0:m]; returns max v_j d_j^2."""
    cdef int n = P.n, p = P.p, one = 1, t, k, i
    cdef double dlx = 0.0, gk, bk, bnew, d, l1, l2, vk, step
    cdef const double *xk
    for t in range(m):
        k = idx[t]
        vk = P.v[k]
        bk = P.b[k]
        l1 = lam * P.a * P.pf[k]
        l2 = lam * (1.0 - P.a) * P.pf[k]
        if P.gram:
            gk = P.g[k]
        else:
            gk = ddot(&n, <double *> col(P, k), &one, P.wr, &one)
        # Friedman et al. 2010, eq. 5 with the ridge part in the denominator
        bnew = soft_threshold(gk + vk * bk, l1) / (vk + l2)
        d = bnew - bk
        if d == 0.0:
            if not P.gram:
                P.g[k] = gk
            continue
        P.b[k] = bnew
        P.dev += d * (d * vk - 2.0 * gk)
        dlx = fmax(dlx, vk * d * d)
        if not P.is_active[k]:
            P.is_active[k] = 1
            P.active[P.n_active] = k
            P.n_active += 1
        if P.gram:
            if P.slot[k] < 0:
                cache_gram_column(P, k)
            step = -d
            daxpy(&p, &step, P.G + <Py_ssize_t> P.slot[k] * p, &one, P.g, &one)
        else:
            xk = col(P, k)
            if P.uniform:
                step = -d * P.w0
                daxpy(&n, &step, <double *> xk, &one, P.wr, &one)
            else:
                for i in range(n):
                    P.wr[i] -= d * P.w[i] * xk[i]
            P.g[k] = gk - d * vk
    return dlx


cdef void full_gradient(Problem *P) noexcept nogil:
    """g = X' W r for every column (naive mode; gram mode keeps g current)."""
    cdef int n = P.n, j, one = 1
    if P.gram:
        return
    for j in range(P.p):
        if P.v[j] > 0.0:
            P.g[j] = ddot(&n, <double *> col(P, j), &one, P.wr, &one)


cdef double residual_dot_y(Problem *P, const double *yc) noexcept nogil:
    """sum_i w_i yc_i r_i."""
    cdef int n = P.n, p = P.p, one = 1, j
    cdef double s
    if P.gram:
        s = 0.0
        for j in range(P.n_active):
            s += P.b[P.active[j]] * P.c[P.active[j]]
        return P.yy - s
    return ddot(&n, <double *> yc, &one, P.wr, &one)


cdef double rss(Problem *P, double yr) noexcept nogil:
    """sum_i w_i r_i^2 = sum_i w_i yc_i r_i - b'g (g current)."""
    cdef int j
    cdef double bg = 0.0
    for j in range(P.n_active):
        bg += P.b[P.active[j]] * P.g[P.active[j]]
    return fmax(yr - bg, 0.0)


cdef void objective_and_gap(Problem *P, double yr, double lam, double *primal,
                            double *gap) noexcept nogil:
    """Primal objective and duality gap at the current b (g must be current).

    Dual of the standardized problem (residual r as dual variable, scaled by s):
        D = s yr - s^2/2 rr - sum_j h_j*(s g_j),
        h_j*(z) = (|z| - l1_j)_+^2 / (2 l2_j)       (l2_j > 0),
    and for the lasso s in [0, min_j l1_j/|g_j|] makes every |s g_j| <= l1_j.
    Unpenalized columns add their one-step decrease g_j^2 / (2 v_j).
    """
    cdef int j, p = P.p
    cdef double rr, pen = 0.0, hstar = 0.0, unpen = 0.0, s = 1.0, l1, l2, bj, z, ag
    rr = rss(P, yr)
    for j in range(P.n_active):
        bj = P.b[P.active[j]]
        pen += P.pf[P.active[j]] * (P.a * fabs(bj) + 0.5 * (1.0 - P.a) * bj * bj)
    pen *= lam
    if P.a >= 1.0:
        for j in range(p):
            if P.v[j] <= 0.0 or P.pf[j] <= 0.0:
                continue
            ag = fabs(P.g[j])
            l1 = lam * P.pf[j]
            if ag * s > l1:
                s = l1 / ag
        if rr > 0.0:
            s = fmin(s, yr / rr)
        if s < 0.0:
            s = 0.0
    for j in range(p):
        if P.v[j] <= 0.0:
            continue
        if P.pf[j] <= 0.0:
            unpen += P.g[j] * P.g[j] / (2.0 * P.v[j])
            continue
        if P.a < 1.0:
            l1 = lam * P.a * P.pf[j]
            l2 = lam * (1.0 - P.a) * P.pf[j]
            z = fabs(s * P.g[j]) - l1
            if z > 0.0:
                hstar += z * z / (2.0 * l2)
    primal[0] = 0.5 * rr + pen
    gap[0] = primal[0] - (s * yr - 0.5 * s * s * rr - hstar) + unpen


cdef int run_path(Problem *P, const double *yc, double yy, const double *lambdas,
                  int nlam, bint early_stop, double tol, int max_iter, int *strong,
                  unsigned char *in_strong, double *coefs_out, double *dev_out,
                  int *iter_out, unsigned char *converged_out) noexcept nogil:
    cdef int p = P.p, m, j, ns, iters, n_new
    cdef double lam, lam_prev, cut, dlx, thr, yr, primal, gap, dev_ratio
    cdef double dev_ratio_prev = 0.0, thr_path = tol
    cdef bint done
    for m in range(nlam):
        lam = lambdas[m]
        lam_prev = lambdas[m - 1] if m > 0 else lam
        # strong set: ever active, unpenalized, or passing the sequential strong rule
        cut = P.a * (2.0 * lam - lam_prev)
        ns = 0
        for j in range(p):
            in_strong[j] = 0
            if P.v[j] <= 0.0:
                continue
            if P.is_active[j] or P.pf[j] <= 0.0 or fabs(P.g[j]) >= cut * P.pf[j]:
                in_strong[j] = 1
                strong[ns] = j
                ns += 1
        thr = fmin(tol, thr_path * 10.0)
        iters = 0
        done = False
        while iters < max_iter:
            dlx = sweep(P, strong, ns, lam)
            iters += 1
            if dlx >= thr * yy:
                while iters < max_iter:
                    dlx = sweep(P, P.active, P.n_active, lam)
                    iters += 1
                    if dlx < thr * yy:
                        break
                continue
            full_gradient(P)
            # KKT check over the columns outside the strong set
            n_new = 0
            for j in range(p):
                if in_strong[j] or P.v[j] <= 0.0:
                    continue
                if fabs(P.g[j]) > lam * P.a * P.pf[j]:
                    in_strong[j] = 1
                    strong[ns] = j
                    ns += 1
                    n_new += 1
            if n_new > 0:
                continue
            yr = residual_dot_y(P, yc)
            objective_and_gap(P, yr, lam, &primal, &gap)
            if gap <= fmax(GAP_FACTOR * tol * primal, GAP_FLOOR * yy):
                done = True
                break
            thr *= 0.1
        thr_path = thr
        # exact residual sum of squares from the converged gradient
        yr = residual_dot_y(P, yc)
        objective_and_gap(P, yr, lam, &primal, &gap)
        P.dev = rss(P, yr)
        for j in range(p):
            coefs_out[<Py_ssize_t> m * p + j] = P.b[j]
        dev_out[m] = P.dev
        iter_out[m] = iters
        converged_out[m] = done
        if early_stop and m >= 4 and yy > 0.0:
            # glmnet's rule: fractional change of the deviance ratio, or ratio > 0.999
            dev_ratio = 1.0 - P.dev / yy
            if dev_ratio - dev_ratio_prev < 1e-5 * dev_ratio or dev_ratio > 0.999:
                return m + 1
        if yy > 0.0:
            dev_ratio_prev = 1.0 - P.dev / yy
    return nlam


def gaussian_path(const double[::1, :] X, const double[::1] y, const double[::1] w,
                  const double[::1] pf, double l1_ratio, const double[::1] lambdas,
                  bint fit_intercept, bint early_stop, double tol, int max_iter,
                  double[:, ::1] coefs_out, double[::1] intercepts_out,
                  double[::1] dev_out, int[::1] iter_out,
                  unsigned char[::1] converged_out, int mode=-1):
    """Fit the gaussian elastic-net path on a standardized problem.

    See ``docs/internals.md`` (kernel contract). ``mode`` selects the update scheme:
    -1 automatic, 0 naive, 1 covariance. Returns the number of lambdas fitted.
    """
    cdef int n = X.shape[0], p = X.shape[1], nlam = lambdas.shape[0], i, j, one = 1
    cdef int n_fitted
    cdef double b0 = 0.0, yy = 0.0, alpha = 1.0, zero = 0.0
    if y.shape[0] != n or w.shape[0] != n or pf.shape[0] != p:
        raise ValueError("gaussian_path: X, y, w, pf have inconsistent shapes")
    if (coefs_out.shape[0] < nlam or coefs_out.shape[1] != p
            or intercepts_out.shape[0] < nlam or dev_out.shape[0] < nlam
            or iter_out.shape[0] < nlam or converged_out.shape[0] < nlam):
        raise ValueError("gaussian_path: output arrays are too small")
    if max_iter < 1:
        max_iter = 1

    w_np = np.asarray(w)
    cdef bint uniform = n > 0 and bool(np.all(w_np == w_np[0]))
    cdef bint gram
    if mode < 0:
        gram = n >= p and p <= GRAM_MAX_P
    else:
        gram = mode == 1

    for i in range(n):
        b0 += w[i] * y[i]
    if not fit_intercept:
        b0 = 0.0
    cdef double[::1] yc = np.empty(n)
    for i in range(n):
        yc[i] = y[i] - b0
        yy += w[i] * yc[i] * yc[i]

    cdef double[::1] v = np.zeros(p)
    cdef double[::1] b = np.zeros(p)
    cdef double[::1] g = np.zeros(p)
    cdef double[::1] c = np.zeros(p)
    cdef double[::1] wr = np.empty(n)
    cdef double[::1] tmp = np.empty(max(n, 1))
    cdef double[::1] G = np.empty(p * p if gram else 1)
    cdef int[::1] slot = np.full(p, -1, dtype=np.int32)
    cdef int[::1] active = np.empty(max(p, 1), dtype=np.int32)
    cdef int[::1] strong = np.empty(max(p, 1), dtype=np.int32)
    cdef unsigned char[::1] is_active = np.zeros(max(p, 1), dtype=np.uint8)
    cdef unsigned char[::1] in_strong = np.zeros(max(p, 1), dtype=np.uint8)
    cdef Problem P

    with nogil:
        for j in range(p):
            for i in range(n):
                v[j] += w[i] * X[i, j] * X[i, j]
        for i in range(n):
            wr[i] = w[i] * yc[i]
            tmp[i] = wr[i]
        for j in range(p):
            if n > 0:
                g[j] = ddot(&n, <double *> &X[0, j], &one, &wr[0], &one)
        for j in range(p):
            c[j] = g[j]

    P.n = n
    P.p = p
    P.X = &X[0, 0] if n > 0 and p > 0 else NULL
    P.w = &w[0]
    P.pf = &pf[0] if p > 0 else NULL
    P.a = l1_ratio
    P.w0 = w[0] if n > 0 else 0.0
    P.uniform = uniform
    P.gram = gram
    P.v = &v[0] if p > 0 else NULL
    P.b = &b[0] if p > 0 else NULL
    P.g = &g[0] if p > 0 else NULL
    P.c = &c[0] if p > 0 else NULL
    P.wr = &wr[0]
    P.tmp = &tmp[0]
    P.G = &G[0]
    P.slot = &slot[0] if p > 0 else NULL
    P.n_slots = 0
    P.active = &active[0]
    P.n_active = 0
    P.is_active = &is_active[0]
    P.dev = yy
    P.yy = yy

    if p == 0 or nlam == 0:
        for i in range(nlam):
            intercepts_out[i] = b0
            dev_out[i] = yy
            iter_out[i] = 0
            converged_out[i] = 1
        return nlam

    with nogil:
        n_fitted = run_path(&P, &yc[0], yy, &lambdas[0], nlam, early_stop, tol,
                            max_iter, &strong[0], &in_strong[0], &coefs_out[0, 0],
                            &dev_out[0], &iter_out[0], &converged_out[0])
    for i in range(n_fitted):
        intercepts_out[i] = b0
    return n_fitted
