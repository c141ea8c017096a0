// Vectorised activations and softmax exponentials (8 lanes, polynomial exp from ck_internal.h).
#include "ck_internal.h"

INLINE __m256 gelu8(__m256 x) {
    const __m256 u = _mm256_mul_ps(x, _mm256_fmadd_ps(_mm256_mul_ps(x, x), _mm256_set1_ps(-2.0f * 0.79788456080286535588f * 0.044715f), _mm256_set1_ps(-2.0f * 0.79788456080286535588f)));
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), exp8(u)));
}
INLINE __m256 silu8(__m256 x) {
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}
INLINE __m256 load_n(const float *p, int n) {   // n < 8 floats, rest 0
    float t[8] = {0}; memcpy(t, p, (size_t)n * 4); return _mm256_loadu_ps(t);
}
INLINE void store_n(float *p, __m256 v, int n) { float t[8]; _mm256_storeu_ps(t, v); memcpy(p, t, (size_t)n * 4); }

void ck_gelu(const float *x, int n, float *out) {
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, gelu8(_mm256_loadu_ps(x + i)));
    if (i < n) store_n(out + i, gelu8(load_n(x + i, n - i)), n - i);
}
void ck_silu(const float *x, int n, float *out) {
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, silu8(_mm256_loadu_ps(x + i)));
    if (i < n) store_n(out + i, silu8(load_n(x + i, n - i)), n - i);
}
void ck_geglu(const float *g, const float *u, int n, float *out) {
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_mul_ps(gelu8(_mm256_loadu_ps(g + i)), _mm256_loadu_ps(u + i)));
    if (i < n) store_n(out + i, _mm256_mul_ps(gelu8(load_n(g + i, n - i)), load_n(u + i, n - i)), n - i);
}
void ck_swiglu(const float *g, const float *u, int n, float *out) {
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_mul_ps(silu8(_mm256_loadu_ps(g + i)), _mm256_loadu_ps(u + i)));
    if (i < n) store_n(out + i, _mm256_mul_ps(silu8(load_n(g + i, n - i)), load_n(u + i, n - i)), n - i);
}

// x[i] = exp(x[i] - shift) for i < n, returning the sum (the inner loop of a softmax). Vectorised with
// exp8; replaces a scalar expf call per attention score.
float ck_exp_shifted_sum(float *x, int n, float shift) {
    __m256 vs = _mm256_set1_ps(shift), acc = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vs));
        _mm256_storeu_ps(x + i, e);
        acc = _mm256_add_ps(acc, e);
    }
    float sum = hsum_ps(acc);
    for (; i < n; i++) {
        float e = expf(x[i] - shift);
        x[i] = e;
        sum += e;
    }
    return sum;
}


// log Σ exp(x[i]) over a whole vocabulary of logits (150k entries per generated token): a max pass, then
// exp8 of (x - max) into four accumulators. ~40× faster than a scalar expf loop; float partial sums of
// ~n/32 terms each keep the relative error near 1e-6.
float ck_log_sum_exp(const float *x, int n) {
    if (n <= 0) return -INFINITY;
    const float m = x[ck_max_index(x, n)];
    if (!(m > -INFINITY)) return -INFINITY;   // all -inf or NaN: nothing to sum
    if (m == INFINITY) return m;
    const __m256 vm = _mm256_set1_ps(m);
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_add_ps(a0, exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm)));
        a1 = _mm256_add_ps(a1, exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), vm)));
        a2 = _mm256_add_ps(a2, exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i + 16), vm)));
        a3 = _mm256_add_ps(a3, exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i + 24), vm)));
    }
    double sum = hsum_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < n; i++) sum += expf(x[i] - m);
    return m + (float)log(sum);
}

// Index of the largest element, the lowest index on ties (llama.cpp's greedy rule); NaNs are skipped,
// and 0 is returned when there is no larger-than--inf element.
int ck_max_index(const float *x, int n) {
    if (n <= 0) return 0;
    // Pass 1: the maximum, 8 lanes × 2 (max_ps drops NaN in the second operand's favour: keep acc second).
    __m256 m0 = _mm256_set1_ps(-INFINITY), m1 = m0;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        m0 = _mm256_max_ps(_mm256_loadu_ps(x + i), m0);
        m1 = _mm256_max_ps(_mm256_loadu_ps(x + i + 8), m1);
    }
    float m = max_abs8(_mm256_max_ps(m0, m1));
    for (; i < n; i++) if (x[i] > m) m = x[i];
    if (!(m > -INFINITY)) return 0;
    // Pass 2: the first index holding it.
    const __m256 vm = _mm256_set1_ps(m);
    for (i = 0; i + 8 <= n; i += 8) {
        const int mask = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), vm, _CMP_EQ_OQ));
        if (mask) return i + __builtin_ctz(mask);
    }
    for (; i < n; i++) if (x[i] == m) return i;
    return 0;
}

// Float-weight matrix product out[a*ostride + r] = Σ_c w[r][c]·x[a][c] for r < nrows, a < nact (rows ncols
// apart, ncols a multiple of 8), weights F32 (half = 0) or F16 (half = 1, converted with F16C on load).
// Register tiles of 4 weight rows × 3 activation rows: 7 loads feed 12 FMAs, where one dot product per
// (row, activation) needs 2 loads per FMA. Used for the BERT embedder's F16 layers and small F32/F16 tensors
// of LLMs; 2.3× faster than per-pair dots for a 10-token MiniLM query.
static inline __m256 load_w8(const int half, const void *w, size_t i) {
    return half ? _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)w + i)))
                : _mm256_loadu_ps((const float *)w + i);
}

static inline void float_tile(const int half, const int RM, const int RN, const void *w, size_t row0, const float *x,
                              int ncols, float *out, size_t ostride) {
    __m256 acc[4][3];
    for (int i = 0; i < RM; i++) for (int j = 0; j < RN; j++) acc[i][j] = _mm256_setzero_ps();
    for (int c = 0; c < ncols; c += 8) {
        __m256 xv[3];
        for (int j = 0; j < RN; j++) xv[j] = _mm256_loadu_ps(x + (size_t)j * ncols + c);
        for (int i = 0; i < RM; i++) {
            const __m256 wv = load_w8(half, w, (row0 + i) * (size_t)ncols + c);
            for (int j = 0; j < RN; j++) acc[i][j] = _mm256_fmadd_ps(wv, xv[j], acc[i][j]);
        }
    }
    for (int i = 0; i < RM; i++) for (int j = 0; j < RN; j++) out[(size_t)j * ostride + i] = hsum_ps(acc[i][j]);
}

static inline void gemm_float(const int half, const void *w, int nrows, const float *x, int nact, int ncols, float *out, size_t ostride) {
    for (int r = 0; r < nrows; r += 4) {
        const int rm = nrows - r < 4 ? nrows - r : 4;
        for (int a = 0; a < nact; a += 3) {
            const int rn = nact - a < 3 ? nact - a : 3;
            const float *xa = x + (size_t)a * ncols;
            float *o = out + (size_t)a * ostride + r;
            // Full tiles get constant sizes so the compiler keeps the 12 accumulators in registers.
            if (rm == 4 && rn == 3) float_tile(half, 4, 3, w, r, xa, ncols, o, ostride);
            else if (rm == 4 && rn == 1) float_tile(half, 4, 1, w, r, xa, ncols, o, ostride);   // decode (LoRA A·x)
            else if (rm == 4 && rn == 2) float_tile(half, 4, 2, w, r, xa, ncols, o, ostride);
            else float_tile(half, rm, rn, w, r, xa, ncols, o, ostride);
        }
    }
}

void ck_gemm_f32(const float *w, int nrows, const float *x, int nact, int ncols, float *out, size_t ostride) {
    gemm_float(0, w, nrows, x, nact, ncols, out, ostride);
}

void ck_gemm_f16(const uint16_t *w, int nrows, const float *x, int nact, int ncols, float *out, size_t ostride) {
    gemm_float(1, w, nrows, x, nact, ncols, out, ostride);
}
