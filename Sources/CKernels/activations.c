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

