# Coordinate descent on a quadratic given by its Gram matrix (covariance updates,
# Friedman, Hastie & Tibshirani 2010, JSS 33(1), section 2.2):
#
#     min_b  1/2 b'G b - c'b + sum_j pf_j (l1 |b_j| + l2 / 2 b_j^2)
#
# over the coordinates of a working set, the others held where they are. The
# gradient g = c - G b is kept current over every column (O(p) per nonzero
# change), so the caller checks the KKT conditions outside the working set from it.
# Used by penstat.solver.gram for the IRLS models of the binomial path, whose G and c
# come from a pass over the data.

from penstat.solver._cd._common cimport clip, soft_threshold

import numpy as np


cdef inline double _update(const double[:, ::1] G, double[::1] b, double[::1] g,
                           int j, double gam, double l2j, bint bounded,
                           const double[::1] lo, const double[::1] hi) noexcept nogil:
    """Exact minimization over b_j; g updated; returns G_jj d^2 (d the move)."""
    cdef double hjj = G[j, j], bj = b[j], bnew, d
    cdef int k, p = G.shape[0]
    bnew = soft_threshold(g[j] + hjj * bj, gam) / (hjj + l2j)
    if bounded:
        bnew = clip(bnew, lo[j], hi[j])
    d = bnew - bj
    if d == 0.0:
        return 0.0
    b[j] = bnew
    for k in range(p):
        g[k] -= d * G[j, k]
    return hjj * d * d


def gram_cd(const double[:, ::1] G, const double[::1] pf, double l1, double l2,
            double[::1] b, double[::1] g, const int[::1] ws, double thr,
            long max_sweeps, lower=None, upper=None):
    """Coordinate descent over the columns ``ws`` until a full sweep moves no
    coordinate by ``d`` with ``G_jj d^2 >= thr``; ``b`` and ``g`` (= c - G b on
    entry, kept so) are updated in place. Between full sweeps the nonzero
    coordinates are cycled until they settle (glmnet's active-set cycling).
    ``pf_j`` 0: unpenalized. Columns with ``G_jj <= 0`` are skipped. ``lower``,
    ``upper``: (p,) limits (``lower <= 0 <= upper``), both or neither. Returns the
    number of sweeps (full or not); more than ``max_sweeps`` means not converged.

    Examples
    --------
    >>> import numpy as np
    >>> G = np.array([[2.0, 0.5], [0.5, 1.0]]); c = np.array([1.0, -0.2])
    >>> b = np.zeros(2); g = c.copy()
    >>> sweeps = gram_cd(G, np.ones(2), 0.1, 0.0, b, g, np.arange(2, dtype=np.intc),
    ...                  1e-20, 1000)
    >>> b.round(6).tolist(), bool(abs(g[0] - 0.1) < 1e-9)
    ([0.45, 0.0], True)
    """
    cdef int nw = ws.shape[0], t, j, na
    cdef long sweeps = 0
    cdef double dlx, step, gam, l2j
    cdef bint bounded = lower is not None
    cdef const double[::1] lo, hi
    if bounded:
        lo = lower
        hi = upper
    else:
        lo = pf
        hi = pf
    cdef int[::1] act = np.empty(max(nw, 1), dtype=np.intc)
    with nogil:
        while sweeps < max_sweeps:
            sweeps += 1
            dlx = 0.0
            na = 0
            for t in range(nw):
                j = ws[t]
                if G[j, j] <= 0.0:
                    continue
                gam = l1 * pf[j] if pf[j] > 0.0 else 0.0
                l2j = l2 * pf[j] if pf[j] > 0.0 else 0.0
                step = _update(G, b, g, j, gam, l2j, bounded, lo, hi)
                if step > dlx:
                    dlx = step
                if b[j] != 0.0:
                    act[na] = j
                    na += 1
            if dlx < thr:
                break
            # cycle on the nonzero coordinates until they settle
            while sweeps < max_sweeps:
                sweeps += 1
                dlx = 0.0
                for t in range(na):
                    j = act[t]
                    gam = l1 * pf[j] if pf[j] > 0.0 else 0.0
                    l2j = l2 * pf[j] if pf[j] > 0.0 else 0.0
                    step = _update(G, b, g, j, gam, l2j, bounded, lo, hi)
                    if step > dlx:
                        dlx = step
                if dlx < thr:
                    break
    return sweeps
