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
