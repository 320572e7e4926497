# Small inline helpers shared by the coordinate-descent kernels.

cdef inline double soft_threshold(double z, double gamma) noexcept nogil:
    """S(z, gamma) = sign(z) max(|z| - gamma, 0) (Friedman et al. 2010, eq. 6)."""
    if z > gamma:
        return z - gamma
    if z < -gamma:
        return z + gamma
    return 0.0

cdef inline double fmax(double a, double b) noexcept nogil:
    return a if a > b else b

cdef inline double fmin(double a, double b) noexcept nogil:
    return a if a < b else b

cdef inline double fabs(double a) noexcept nogil:
    return a if a >= 0.0 else -a

cdef inline double clip(double a, double lo, double hi) noexcept nogil:
    """a clipped to [lo, hi] (a coefficient's limits)."""
    return lo if a < lo else (hi if a > hi else a)

cdef inline double movable(double gj, const double *lo, const double *hi,
                           int j) noexcept nogil:
    """|g_j| for a column at 0, as the strong rule and the KKT check compare it; with
    limits (lo not NULL) only in a direction they allow (0 otherwise: with
    lower_limits = 0 a column with g_j < 0 cannot move and never joins the working
    set)."""
    if lo == NULL:
        return fabs(gj)
    if gj > 0.0:
        return gj if hi[j] > 0.0 else 0.0
    return -gj if lo[j] < 0.0 else 0.0
