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


# ---- the path driver ------------------------------------------------------------------

cdef inline double strong_rule_cut(double a, double lam, double lam_prev) noexcept nogil:
    """The sequential strong rule's threshold on |g_j| / pf_j at ``lam`` after a
    solution at ``lam_prev`` (Tibshirani et al. 2012, JRSS-B 74(2), eq. 4, with the
    elastic net's l1_ratio ``a``): a (2 lam - lam_prev). At the first lambda
    (``lam_prev == lam``) it is a lam exactly."""
    return a * (2.0 * lam - lam_prev)


cdef inline bint kkt_violated(double gj, const double *lo, const double *hi, int j,
                              double l1, double pfj) noexcept nogil:
    """Whether column j, at 0 and outside the working set, violates its KKT condition
    |g_j| <= l1 pf_j (l1 = lam l1_ratio), in a direction its limits allow (see
    `movable`)."""
    return movable(gj, lo, hi, j) > l1 * pfj


cdef inline bint early_stop_reached(int m, double dev_ratio, double dev_ratio_prev,
                                    bint stop_on_change, bint relative) noexcept nogil:
    """glmnet's early stop of a path on its default grid, checked after the solution
    at lambda ``m`` (0-based): stop when the deviance ratio ``dev_ratio`` exceeds
    DEV_MAX, or when its change from the previous lambda is below DEV_CHANGE_MIN,
    never before MIN_LAMBDAS_BEFORE_STOP lambdas (Friedman, Hastie & Tibshirani 2010,
    J. Stat. Softw. 33(1); glmnet.control()'s devmax = 0.999, fdev = 1e-5 and
    mnlam = 5). glmnet's gaussian elnet compares the change with fdev times
    the ratio (``relative``), its logistic lognet with fdev itself; each kernel keeps
    its family's form. ``stop_on_change`` False keeps only the ratio test (glmnet sets
    fdev = 0 when a limit is 0)."""
    cdef double DEV_MAX = 0.999
    cdef double DEV_CHANGE_MIN = 1e-5
    cdef int MIN_LAMBDAS_BEFORE_STOP = 5
    if m + 1 < MIN_LAMBDAS_BEFORE_STOP:
        return False
    if dev_ratio > DEV_MAX:
        return True
    if not stop_on_change:
        return False
    if relative:
        return dev_ratio - dev_ratio_prev < DEV_CHANGE_MIN * dev_ratio
    return dev_ratio - dev_ratio_prev < DEV_CHANGE_MIN
