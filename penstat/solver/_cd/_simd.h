/* AVX2/FMA and portable C loops of the binomial coordinate-descent kernel
   (penstat/solver/_cd/_binomial.pyx, included there with `cdef extern from "_simd.h"`).

   Every function has a portable version (*_scalar) and, on x86 with GCC or Clang,
   an AVX2/FMA one (*_avx2) compiled for that target only; the dispatching function
   without suffix picks one by its first argument, avx2: nonzero for the AVX2
   loops, which the caller asks for only when penstat_cpu_avx2() says the CPU has
   them. The two give the same results up to rounding (the AVX2 loops sum in a
   different order and fuse multiply-adds). */
#ifndef PENSTAT_SIMD_H
#define PENSTAT_SIMD_H

/* r -= d * v * x, then return xn . r: one pass over r for a coordinate update
   and the gradient of the next coordinate. AVX2/FMA when the CPU has it. */
#include <stddef.h>
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define PENSTAT_X86 1
#endif

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

static double penstat_wsumsq_scalar(int n, const double *v, const double *x) {
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += v[i] * x[i] * x[i];
        s1 += v[i + 1] * x[i + 1] * x[i + 1];
        s2 += v[i + 2] * x[i + 2] * x[i + 2];
        s3 += v[i + 3] * x[i + 3] * x[i + 3];
    }
    for (; i < n; i++)
        s0 += v[i] * x[i] * x[i];
    return (s0 + s1) + (s2 + s3);
}

#ifdef PENSTAT_X86
__attribute__((target("avx2,fma")))
static double penstat_wsumsq_avx2(int n, const double *v, const double *x) {
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd(), x0, x1;
    double buf[4], s;
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        x0 = _mm256_loadu_pd(x + i);
        x1 = _mm256_loadu_pd(x + i + 4);
        a0 = _mm256_fmadd_pd(_mm256_mul_pd(_mm256_loadu_pd(v + i), x0), x0, a0);
        a1 = _mm256_fmadd_pd(_mm256_mul_pd(_mm256_loadu_pd(v + i + 4), x1), x1, a1);
    }
    _mm256_storeu_pd(buf, _mm256_add_pd(a0, a1));
    s = (buf[0] + buf[1]) + (buf[2] + buf[3]);
    for (; i < n; i++)
        s += v[i] * x[i] * x[i];
    return s;
}
#endif

/* Whether the CPU has AVX2 and FMA (it is asked once). */
static int penstat_cpu_avx2(void) {
#ifdef PENSTAT_X86
    static int has = -1;
    if (has < 0) {
        __builtin_cpu_init();
        has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return has;
#else
    return 0;
#endif
}

static double penstat_wsumsq(int avx2, int n, const double *v, const double *x) {
#ifdef PENSTAT_X86
    if (avx2)
        return penstat_wsumsq_avx2(n, v, x);
#endif
    return penstat_wsumsq_scalar(n, v, x);
}

static double penstat_update_dot(int avx2, int n, double d, const double *v,
                                 const double *x, double *r, const double *xn) {
#ifdef PENSTAT_X86
    if (avx2)
        return penstat_update_dot_avx2(n, d, v, x, r, xn);
#endif
    return penstat_update_dot_scalar(n, d, v, x, r, xn);
}
/* As penstat_update_dot (the update is skipped when d == 0), and also
   *h = sum_i v_i xn_i^2: the curvature of the next coordinate from the same pass
   over its column. */
static double penstat_update_dot_h_scalar(int n, double d, const double *v,
                                          const double *x, double *r,
                                          const double *xn, double *h) {
    double s0 = 0.0, s1 = 0.0, h0 = 0.0, h1 = 0.0;
    int i = 0;
    for (; i + 1 < n; i += 2) {
        if (d != 0.0) {
            r[i] -= d * v[i] * x[i];
            r[i + 1] -= d * v[i + 1] * x[i + 1];
        }
        s0 += xn[i] * r[i];
        s1 += xn[i + 1] * r[i + 1];
        h0 += v[i] * xn[i] * xn[i];
        h1 += v[i + 1] * xn[i + 1] * xn[i + 1];
    }
    for (; i < n; i++) {
        if (d != 0.0)
            r[i] -= d * v[i] * x[i];
        s0 += xn[i] * r[i];
        h0 += v[i] * xn[i] * xn[i];
    }
    *h = h0 + h1;
    return s0 + s1;
}

#ifdef PENSTAT_X86
__attribute__((target("avx2,fma")))
static double penstat_update_dot_h_avx2(int n, double d, const double *v,
                                        const double *x, double *r,
                                        const double *xn, double *h) {
    __m256d vd = _mm256_set1_pd(d);
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
    __m256d c0 = _mm256_setzero_pd(), c1 = _mm256_setzero_pd();
    __m256d r0, r1, x0, x1, v0, v1;
    double buf[4], s, hh;
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        r0 = _mm256_loadu_pd(r + i);
        r1 = _mm256_loadu_pd(r + i + 4);
        v0 = _mm256_loadu_pd(v + i);
        v1 = _mm256_loadu_pd(v + i + 4);
        if (d != 0.0) {
            r0 = _mm256_fnmadd_pd(_mm256_mul_pd(vd, v0), _mm256_loadu_pd(x + i), r0);
            r1 = _mm256_fnmadd_pd(_mm256_mul_pd(vd, v1), _mm256_loadu_pd(x + i + 4),
                                  r1);
            _mm256_storeu_pd(r + i, r0);
            _mm256_storeu_pd(r + i + 4, r1);
        }
        x0 = _mm256_loadu_pd(xn + i);
        x1 = _mm256_loadu_pd(xn + i + 4);
        a0 = _mm256_fmadd_pd(x0, r0, a0);
        a1 = _mm256_fmadd_pd(x1, r1, a1);
        c0 = _mm256_fmadd_pd(_mm256_mul_pd(v0, x0), x0, c0);
        c1 = _mm256_fmadd_pd(_mm256_mul_pd(v1, x1), x1, c1);
    }
    _mm256_storeu_pd(buf, _mm256_add_pd(a0, a1));
    s = (buf[0] + buf[1]) + (buf[2] + buf[3]);
    _mm256_storeu_pd(buf, _mm256_add_pd(c0, c1));
    hh = (buf[0] + buf[1]) + (buf[2] + buf[3]);
    for (; i < n; i++) {
        if (d != 0.0)
            r[i] -= d * v[i] * x[i];
        s += xn[i] * r[i];
        hh += v[i] * xn[i] * xn[i];
    }
    *h = hh;
    return s;
}
#endif

static double penstat_update_dot_h(int avx2, int n, double d, const double *v,
                                   const double *x, double *r, const double *xn,
                                   double *h) {
#ifdef PENSTAT_X86
    if (avx2)
        return penstat_update_dot_h_avx2(n, d, v, x, r, xn, h);
#endif
    return penstat_update_dot_h_scalar(n, d, v, x, r, xn, h);
}
/* Products with the columns S[0..m) of the column-major n-row X, eight columns
   per pass over the vector (each load of u or t serves eight columns, so the
   products run at the memory bandwidth of X instead of the load rate):
   out[k] = x_{S[k]}' u (gather_t), and t += sum_k p[k] x_{S[k]} (gather_n). */
static void penstat_gather_t_scalar(int n, int m, const double *X, const int *S,
                                    const double *u, double *out) {
    for (int k = 0; k < m; k++) {
        const double *x = X + (ptrdiff_t)S[k] * n;
        double s0 = 0.0, s1 = 0.0;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            s0 += x[i] * u[i];
            s1 += x[i + 1] * u[i + 1];
        }
        for (; i < n; i++)
            s0 += x[i] * u[i];
        out[k] = s0 + s1;
    }
}

static void penstat_gather_n_scalar(int n, int m, const double *X, const int *S,
                                    const double *p, double *t) {
    for (int k = 0; k < m; k++) {
        const double *x = X + (ptrdiff_t)S[k] * n;
        for (int i = 0; i < n; i++)
            t[i] += p[k] * x[i];
    }
}

/* A block of nb <= 4 columns S[0..nb): H = X_B' V X_B (the lower triangle, row c
   at H + 4 c), and the residual update r -= v * (X_B d). */
static void penstat_block_gram_scalar(int n, int nb, const double *X, const int *S,
                                      const double *v, double *H) {
    for (int c = 0; c < nb; c++)
        for (int c2 = 0; c2 <= c; c2++) {
            const double *x = X + (ptrdiff_t)S[c] * n, *x2 = X + (ptrdiff_t)S[c2] * n;
            double s = 0.0;
            for (int i = 0; i < n; i++)
                s += v[i] * x[i] * x2[i];
            H[4 * c + c2] = s;
        }
}

static void penstat_block_update_scalar(int n, int nb, const double *X, const int *S,
                                        const double *d, const double *v, double *r) {
    for (int c = 0; c < nb; c++) {
        const double *x = X + (ptrdiff_t)S[c] * n;
        for (int i = 0; i < n; i++)
            r[i] -= d[c] * v[i] * x[i];
    }
}

#ifdef PENSTAT_X86
/* w (8 or 4, a constant where it is inlined) dot products sharing each load of u */
__attribute__((target("avx2,fma"), always_inline))
static inline void penstat_dots_w(int n, int w, const double *X, const int *S,
                                  const double *u, double *out) {
    const double *x[8];
    __m256d a[8], uu;
    double buf[4];
    int i, c;
    for (c = 0; c < w; c++) {
        x[c] = X + (ptrdiff_t)S[c] * n;
        a[c] = _mm256_setzero_pd();
    }
    for (i = 0; i + 4 <= n; i += 4) {
        uu = _mm256_loadu_pd(u + i);
        for (c = 0; c < w; c++)
            a[c] = _mm256_fmadd_pd(uu, _mm256_loadu_pd(x[c] + i), a[c]);
    }
    for (c = 0; c < w; c++) {
        _mm256_storeu_pd(buf, a[c]);
        out[c] = (buf[0] + buf[1]) + (buf[2] + buf[3]);
    }
    for (; i < n; i++)
        for (c = 0; c < w; c++)
            out[c] += x[c][i] * u[i];
}

__attribute__((target("avx2,fma")))
static void penstat_gather_t_avx2(int n, int m, const double *X, const int *S,
                                  const double *u, double *out) {
    int k = 0;
    for (; k + 8 <= m; k += 8)
        penstat_dots_w(n, 8, X, S + k, u, out + k);
    for (; k + 4 <= m; k += 4)
        penstat_dots_w(n, 4, X, S + k, u, out + k);
    penstat_gather_t_scalar(n, m - k, X, S + k, u, out + k);
}

__attribute__((target("avx2,fma")))
static void penstat_gather_n_avx2(int n, int m, const double *X, const int *S,
                                  const double *p, double *t) {
    int k = 0, i, c;
    for (; k + 8 <= m; k += 8) {
        const double *x[8];
        __m256d pk[8], a0, a1;
        for (c = 0; c < 8; c++) {
            x[c] = X + (ptrdiff_t)S[k + c] * n;
            pk[c] = _mm256_set1_pd(p[k + c]);
        }
        for (i = 0; i + 4 <= n; i += 4) {
            a0 = _mm256_loadu_pd(t + i);
            a1 = _mm256_mul_pd(pk[4], _mm256_loadu_pd(x[4] + i));
            for (c = 0; c < 4; c++)
                a0 = _mm256_fmadd_pd(pk[c], _mm256_loadu_pd(x[c] + i), a0);
            for (c = 5; c < 8; c++)
                a1 = _mm256_fmadd_pd(pk[c], _mm256_loadu_pd(x[c] + i), a1);
            _mm256_storeu_pd(t + i, _mm256_add_pd(a0, a1));
        }
        for (; i < n; i++)
            for (c = 0; c < 8; c++)
                t[i] += p[k + c] * x[c][i];
    }
    penstat_gather_n_scalar(n, m - k, X, S + k, p + k, t);
}

__attribute__((target("avx2,fma")))
static void penstat_block_gram_avx2(int n, const double *X, const int *S,
                                    const double *v, double *H) {
    const double *x[4];
    __m256d h[10], a[4], vv, u;
    double buf[4];
    int i, c, c2, e;
    for (c = 0; c < 4; c++)
        x[c] = X + (ptrdiff_t)S[c] * n;
    for (e = 0; e < 10; e++)
        h[e] = _mm256_setzero_pd();
    for (i = 0; i + 4 <= n; i += 4) {
        vv = _mm256_loadu_pd(v + i);
        for (c = 0; c < 4; c++)
            a[c] = _mm256_loadu_pd(x[c] + i);
        for (c = 0, e = 0; c < 4; c++) {
            u = _mm256_mul_pd(vv, a[c]);
            for (c2 = 0; c2 <= c; c2++, e++)
                h[e] = _mm256_fmadd_pd(u, a[c2], h[e]);
        }
    }
    for (c = 0, e = 0; c < 4; c++)
        for (c2 = 0; c2 <= c; c2++, e++) {
            _mm256_storeu_pd(buf, h[e]);
            H[4 * c + c2] = (buf[0] + buf[1]) + (buf[2] + buf[3]);
            for (int t = i; t < n; t++)
                H[4 * c + c2] += v[t] * x[c][t] * x[c2][t];
        }
}

__attribute__((target("avx2,fma")))
static void penstat_block_update_avx2(int n, const double *X, const int *S,
                                      const double *d, const double *v, double *r) {
    const double *x0 = X + (ptrdiff_t)S[0] * n, *x1 = X + (ptrdiff_t)S[1] * n;
    const double *x2 = X + (ptrdiff_t)S[2] * n, *x3 = X + (ptrdiff_t)S[3] * n;
    __m256d d0 = _mm256_set1_pd(d[0]), d1 = _mm256_set1_pd(d[1]);
    __m256d d2 = _mm256_set1_pd(d[2]), d3 = _mm256_set1_pd(d[3]), s;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        s = _mm256_mul_pd(d0, _mm256_loadu_pd(x0 + i));
        s = _mm256_fmadd_pd(d1, _mm256_loadu_pd(x1 + i), s);
        s = _mm256_fmadd_pd(d2, _mm256_loadu_pd(x2 + i), s);
        s = _mm256_fmadd_pd(d3, _mm256_loadu_pd(x3 + i), s);
        _mm256_storeu_pd(r + i, _mm256_fnmadd_pd(_mm256_loadu_pd(v + i), s,
                                                 _mm256_loadu_pd(r + i)));
    }
    for (; i < n; i++)
        r[i] -= v[i] * (d[0] * x0[i] + d[1] * x1[i] + d[2] * x2[i] + d[3] * x3[i]);
}
#endif

static void penstat_gather_t(int avx2, int n, int m, const double *X, const int *S,
                             const double *u, double *out) {
#ifdef PENSTAT_X86
    if (avx2) {
        penstat_gather_t_avx2(n, m, X, S, u, out);
        return;
    }
#endif
    penstat_gather_t_scalar(n, m, X, S, u, out);
}

static void penstat_gather_n(int avx2, int n, int m, const double *X, const int *S,
                             const double *p, double *t) {
#ifdef PENSTAT_X86
    if (avx2) {
        penstat_gather_n_avx2(n, m, X, S, p, t);
        return;
    }
#endif
    penstat_gather_n_scalar(n, m, X, S, p, t);
}
static void penstat_block_gram(int avx2, int n, int nb, const double *X,
                               const int *S, const double *v, double *H) {
#ifdef PENSTAT_X86
    if (avx2 && nb == 4) {
        penstat_block_gram_avx2(n, X, S, v, H);
        return;
    }
#endif
    penstat_block_gram_scalar(n, nb, X, S, v, H);
}

static void penstat_block_update(int avx2, int n, int nb, const double *X,
                                 const int *S, const double *d, const double *v,
                                 double *r) {
#ifdef PENSTAT_X86
    if (avx2 && nb == 4) {
        penstat_block_update_avx2(n, X, S, d, v, r);
        return;
    }
#endif
    penstat_block_update_scalar(n, nb, X, S, d, v, r);
}

/* The logistic loss and probabilities, row by row: q_i = expit(eta_i), and
   sum_i w_i (log(1 + exp(eta_i)) - y_i eta_i), without overflow (through
   z = exp(-|eta|)). The scalar loops use the C library; the AVX2 ones evaluate
   exp by Cody and Waite's reduction and Cephes' rational approximation (Moshier
   1989, "Methods and programs for mathematical functions", exp.c), and log1p(z),
   0 <= z <= 1, as 2 atanh(s) = 2 (s + s^3/3 + ...) with s = u / (2 + u) and
   |s| < 0.2 (u = z, or (z - 1) / 2 plus log 2 from z = 1/2 on); both within a
   few units of the last place. */
#include <math.h>

static double penstat_loss_scalar(int n, const double *eta, const double *y,
                                  const double *w, double *q) {
    double s = 0.0, e, z, sp, qi;
    for (int i = 0; i < n; i++) {
        e = eta[i];
        if (e >= 0.0) {
            z = exp(-e);
            qi = 1.0 / (1.0 + z);
            sp = e + log1p(z);
        } else {
            z = exp(e);
            qi = z / (1.0 + z);
            sp = log1p(z);
        }
        q[i] = qi;
        s += w[i] * (sp - y[i] * e);
    }
    return s;
}

static void penstat_expit_scalar(int n, const double *eta, double *q) {
    double e, z;
    for (int i = 0; i < n; i++) {
        e = eta[i];
        if (e >= 0.0) {
            q[i] = 1.0 / (1.0 + exp(-e));
        } else {
            z = exp(e);
            q[i] = z / (1.0 + z);
        }
    }
}

#ifdef PENSTAT_X86
/* exp(x) for x <= 0 (0 below -708, where exp is subnormal or 0) */
__attribute__((target("avx2,fma"), always_inline))
static inline __m256d penstat_exp_neg_avx2(__m256d x) {
    const __m256d lo = _mm256_set1_pd(-708.0);
    __m256d xc = _mm256_max_pd(x, lo);
    __m256d k = _mm256_round_pd(_mm256_mul_pd(xc, _mm256_set1_pd(1.4426950408889634073599)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(k, _mm256_set1_pd(6.93145751953125e-1), xc);
    r = _mm256_fnmadd_pd(k, _mm256_set1_pd(1.42860682030941723212e-6), r);
    __m256d rr = _mm256_mul_pd(r, r);
    __m256d p = _mm256_fmadd_pd(_mm256_set1_pd(1.26177193074810590878e-4), rr,
                                _mm256_set1_pd(3.02994407707441961300e-2));
    p = _mm256_fmadd_pd(p, rr, _mm256_set1_pd(9.99999999999999999910e-1));
    p = _mm256_mul_pd(p, r);
    __m256d qq = _mm256_fmadd_pd(_mm256_set1_pd(3.00198505138664455042e-6), rr,
                                 _mm256_set1_pd(2.52448340349684104192e-3));
    qq = _mm256_fmadd_pd(qq, rr, _mm256_set1_pd(2.27265548208155028766e-1));
    qq = _mm256_fmadd_pd(qq, rr, _mm256_set1_pd(2.00000000000000000009e0));
    __m256d e = _mm256_div_pd(p, _mm256_sub_pd(qq, p));
    e = _mm256_fmadd_pd(_mm256_set1_pd(2.0), e, _mm256_set1_pd(1.0));
    /* times 2^k, k in [-1021, 0], through the exponent bits */
    __m128i k32 = _mm256_cvtpd_epi32(k);
    __m256i k64 = _mm256_cvtepi32_epi64(k32);
    k64 = _mm256_slli_epi64(_mm256_add_epi64(k64, _mm256_set1_epi64x(1023)), 52);
    e = _mm256_mul_pd(e, _mm256_castsi256_pd(k64));
    return _mm256_and_pd(e, _mm256_cmp_pd(x, lo, _CMP_GE_OQ));
}

/* log(1 + z) for 0 <= z <= 1 */
__attribute__((target("avx2,fma"), always_inline))
static inline __m256d penstat_log1p_unit_avx2(__m256d z) {
    const __m256d half = _mm256_set1_pd(0.5);
    __m256d big = _mm256_cmp_pd(z, half, _CMP_GE_OQ);
    /* z - 1 is exact for z in [1/2, 1] (Sterbenz) */
    __m256d u = _mm256_blendv_pd(z, _mm256_mul_pd(_mm256_sub_pd(z, _mm256_set1_pd(1.0)), half),
                                 big);
    __m256d s = _mm256_div_pd(u, _mm256_add_pd(_mm256_set1_pd(2.0), u));
    __m256d s2 = _mm256_mul_pd(s, s);
    __m256d p = _mm256_set1_pd(1.0 / 21.0);
    p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(1.0 / 19.0));
    p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(1.0 / 17.0));
    p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(1.0 / 15.0));
    p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(1.0 / 13.0));
    p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(1.0 / 11.0));
    p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(1.0 / 9.0));
    p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(1.0 / 7.0));
    p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(1.0 / 5.0));
    p = _mm256_fmadd_pd(p, s2, _mm256_set1_pd(1.0 / 3.0));
    /* 2 s (1 + s2 p) = 2 s + 2 s s2 p */
    __m256d two_s = _mm256_add_pd(s, s);
    __m256d l = _mm256_fmadd_pd(_mm256_mul_pd(two_s, s2), p, two_s);
    return _mm256_add_pd(l, _mm256_and_pd(big, _mm256_set1_pd(0.69314718055994530942)));
}

__attribute__((target("avx2,fma")))
static double penstat_loss_avx2(int n, const double *eta, const double *y,
                                const double *w, double *q) {
    const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
    const __m256d sign = _mm256_set1_pd(-0.0);
    __m256d acc = zero, e, z, pos, sp, qi;
    double buf[4];
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        e = _mm256_loadu_pd(eta + i);
        z = penstat_exp_neg_avx2(_mm256_or_pd(e, sign)); /* exp(-|e|) */
        pos = _mm256_cmp_pd(e, zero, _CMP_GE_OQ);
        qi = _mm256_div_pd(_mm256_blendv_pd(z, one, pos), _mm256_add_pd(one, z));
        _mm256_storeu_pd(q + i, qi);
        sp = _mm256_add_pd(_mm256_max_pd(e, zero), penstat_log1p_unit_avx2(z));
        acc = _mm256_fmadd_pd(_mm256_loadu_pd(w + i),
                              _mm256_fnmadd_pd(_mm256_loadu_pd(y + i), e, sp), acc);
    }
    _mm256_storeu_pd(buf, acc);
    return (buf[0] + buf[1]) + (buf[2] + buf[3])
           + penstat_loss_scalar(n - i, eta + i, y + i, w + i, q + i);
}

__attribute__((target("avx2,fma")))
static void penstat_expit_avx2(int n, const double *eta, double *q) {
    const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
    const __m256d sign = _mm256_set1_pd(-0.0);
    __m256d e, z;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        e = _mm256_loadu_pd(eta + i);
        z = penstat_exp_neg_avx2(_mm256_or_pd(e, sign));
        _mm256_storeu_pd(q + i, _mm256_div_pd(
            _mm256_blendv_pd(z, one, _mm256_cmp_pd(e, zero, _CMP_GE_OQ)),
            _mm256_add_pd(one, z)));
    }
    penstat_expit_scalar(n - i, eta + i, q + i);
}
#endif

static double penstat_loss(int avx2, int n, const double *eta, const double *y,
                           const double *w, double *q) {
#ifdef PENSTAT_X86
    if (avx2)
        return penstat_loss_avx2(n, eta, y, w, q);
#endif
    return penstat_loss_scalar(n, eta, y, w, q);
}

static void penstat_expit(int avx2, int n, const double *eta, double *q) {
#ifdef PENSTAT_X86
    if (avx2) {
        penstat_expit_avx2(n, eta, q);
        return;
    }
#endif
    penstat_expit_scalar(n, eta, q);
}

#endif /* PENSTAT_SIMD_H */
