// Kernels of the LoRA trainer's backward pass: gated activations' derivatives and the outer-product
// accumulation behind LoRA weight gradients.
#include "ck_internal.h"

INLINE __m256 sigmoid8(__m256 z) {
    return _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), exp8(_mm256_sub_ps(_mm256_setzero_ps(), z))));
}

// act = silu(g)·u with silu(g) = g·σ(g):  du = d·silu(g),  dg = d·u·σ(g)·(1 + g·(1 − σ(g))).
static void swiglu_backward8(const float *g, const float *u, const float *d, float *dg, float *du, int n) {
    const __m256 one = _mm256_set1_ps(1.0f);
    for (int i = 0; i < n; i += 8) {
        __m256 vg = _mm256_loadu_ps(g + i), vu = _mm256_loadu_ps(u + i), vd = _mm256_loadu_ps(d + i);
        __m256 s = sigmoid8(vg);
        __m256 silu = _mm256_mul_ps(vg, s);
        __m256 deriv = _mm256_mul_ps(s, _mm256_fmadd_ps(vg, _mm256_sub_ps(one, s), one));
        _mm256_storeu_ps(du + i, _mm256_mul_ps(vd, silu));
        _mm256_storeu_ps(dg + i, _mm256_mul_ps(_mm256_mul_ps(vd, vu), deriv));
    }
}

// act = gelu(g)·u with ggml's tanh GELU written as gelu(g) = g·σ(z), z = 2k(g + c·g³), k = √(2/π), c = 0.044715:
//   gelu'(g) = σ(z) + g·σ(z)(1 − σ(z))·2k(1 + 3c·g²).
static void geglu_backward8(const float *g, const float *u, const float *d, float *dg, float *du, int n) {
    const float k2 = 2.0f * 0.79788456080286535588f, c = 0.044715f;
    const __m256 one = _mm256_set1_ps(1.0f), vk2 = _mm256_set1_ps(k2), vc = _mm256_set1_ps(c), v3c = _mm256_set1_ps(3.0f * c);
    for (int i = 0; i < n; i += 8) {
        __m256 vg = _mm256_loadu_ps(g + i), vu = _mm256_loadu_ps(u + i), vd = _mm256_loadu_ps(d + i);
        __m256 g2 = _mm256_mul_ps(vg, vg);
        __m256 z = _mm256_mul_ps(vk2, _mm256_mul_ps(vg, _mm256_fmadd_ps(vc, g2, one)));
        __m256 s = sigmoid8(z);
        __m256 gelu = _mm256_mul_ps(vg, s);
        __m256 dz = _mm256_mul_ps(vk2, _mm256_fmadd_ps(v3c, g2, one));
        __m256 deriv = _mm256_fmadd_ps(_mm256_mul_ps(vg, _mm256_mul_ps(s, _mm256_sub_ps(one, s))), dz, s);
        _mm256_storeu_ps(du + i, _mm256_mul_ps(vd, gelu));
        _mm256_storeu_ps(dg + i, _mm256_mul_ps(_mm256_mul_ps(vd, vu), deriv));
    }
}

static void gated_backward(int gelu, const float *g, const float *u, const float *d, int n, float *dg, float *du) {
    int body = n & ~7;
    if (gelu) geglu_backward8(g, u, d, dg, du, body); else swiglu_backward8(g, u, d, dg, du, body);
    if (body < n) {
        float tg[8] = {0}, tu[8] = {0}, td[8] = {0}, og[8], ou[8];
        int rest = n - body;
        memcpy(tg, g + body, (size_t)rest * 4); memcpy(tu, u + body, (size_t)rest * 4); memcpy(td, d + body, (size_t)rest * 4);
        if (gelu) geglu_backward8(tg, tu, td, og, ou, 8); else swiglu_backward8(tg, tu, td, og, ou, 8);
        memcpy(dg + body, og, (size_t)rest * 4); memcpy(du + body, ou, (size_t)rest * 4);
    }
}

void ck_swiglu_backward(const float *g, const float *u, const float *d, int n, float *dg, float *du) { gated_backward(0, g, u, d, n, dg, du); }
void ck_geglu_backward(const float *g, const float *u, const float *d, int n, float *dg, float *du) { gated_backward(1, g, u, d, n, dg, du); }

// out[k·ldo + j] += Σ_t coef[t·ldc + k] · rows[t·ldr + j] for k < r, j in [j0, j1).
// Register tiles of 16 columns × 6 coefficients (12 accumulators) stream over t, so each row element
// is loaded once per tile and each coefficient broadcast once per 16 columns.
void ck_outer_accumulate(int count, int r, const float *coef, size_t ldc, const float *rows, size_t ldr,
                         int j0, int j1, float *out, size_t ldo) {
    if (ck_kernel_level() == CK_KERNELS_AVX512_VNNI) {
        ck_outer_accumulate_avx512(count, r, coef, ldc, rows, ldr, j0, j1, out, ldo);
        return;
    }
    int j = j0;
    for (; j + 16 <= j1; j += 16) {
        int k = 0;
        for (; k + 6 <= r; k += 6) {
            __m256 a[6][2];
            for (int q = 0; q < 6; q++) {
                a[q][0] = _mm256_loadu_ps(out + (size_t)(k + q) * ldo + j);
                a[q][1] = _mm256_loadu_ps(out + (size_t)(k + q) * ldo + j + 8);
            }
            for (int t = 0; t < count; t++) {
                const float *row = rows + (size_t)t * ldr + j, *c = coef + (size_t)t * ldc + k;
                __m256 x0 = _mm256_loadu_ps(row), x1 = _mm256_loadu_ps(row + 8);
                for (int q = 0; q < 6; q++) {
                    __m256 b = _mm256_broadcast_ss(c + q);
                    a[q][0] = _mm256_fmadd_ps(b, x0, a[q][0]);
                    a[q][1] = _mm256_fmadd_ps(b, x1, a[q][1]);
                }
            }
            for (int q = 0; q < 6; q++) {
                _mm256_storeu_ps(out + (size_t)(k + q) * ldo + j, a[q][0]);
                _mm256_storeu_ps(out + (size_t)(k + q) * ldo + j + 8, a[q][1]);
            }
        }
        for (; k < r; k++) {
            __m256 a0 = _mm256_loadu_ps(out + (size_t)k * ldo + j), a1 = _mm256_loadu_ps(out + (size_t)k * ldo + j + 8);
            for (int t = 0; t < count; t++) {
                const float *row = rows + (size_t)t * ldr + j;
                __m256 b = _mm256_broadcast_ss(coef + (size_t)t * ldc + k);
                a0 = _mm256_fmadd_ps(b, _mm256_loadu_ps(row), a0);
                a1 = _mm256_fmadd_ps(b, _mm256_loadu_ps(row + 8), a1);
            }
            _mm256_storeu_ps(out + (size_t)k * ldo + j, a0);
            _mm256_storeu_ps(out + (size_t)k * ldo + j + 8, a1);
        }
    }
    for (; j < j1; j++) {
        for (int k = 0; k < r; k++) {
            float s = out[(size_t)k * ldo + j];
            for (int t = 0; t < count; t++) s += coef[(size_t)t * ldc + k] * rows[(size_t)t * ldr + j];
            out[(size_t)k * ldo + j] = s;
        }
    }
}

// Column c of a tile of 32 rows (row stride `tile_stride` floats) becomes block `block` of row c of a
// Q8_0 matrix (rows `out_row_bytes` apart; block = f16 scale + 32 int8): the transpose of 32 rows of a
// weight matrix, quantized for the backward product dX = dY·W.
void ck_transpose_tile_q8_0(const float *tile, size_t tile_stride, int columns, void *out, size_t out_row_bytes, int block) {
    for (int c = 0; c < columns; c++) {
        float x[32];
        float amax = 0.0f;
        for (int i = 0; i < 32; i++) {
            x[i] = tile[(size_t)i * tile_stride + c];
            float a = fabsf(x[i]);
            if (a > amax) amax = a;
        }
        uint8_t *dst = (uint8_t *)out + (size_t)c * out_row_bytes + (size_t)block * 34;
        float d = amax / 127.0f, id = amax > 0 ? 127.0f / amax : 0.0f;
        uint16_t h = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
        memcpy(dst, &h, 2);
        int8_t *q = (int8_t *)(dst + 2);
        for (int i = 0; i < 32; i++) q[i] = (int8_t)lrintf(x[i] * id);
    }
}

// One row of the attention backward: p[j] = exp(p[j]·scale − lse) (the forward pass's probabilities, from the
// raw scores and the row's log-sum-exp) and ds[j] = p[j]·(ds[j] − d)·scale (∂L/∂score from ∂L/∂p = dO·Vᵀ and
// d = rowsum(dO ∘ O)). Vectorised with exp8, as the forward softmax.
void ck_attention_softmax_backward(float *p, float *ds, int n, float scale, float lse, float d) {
    const __m256 vs = _mm256_set1_ps(scale), vl = _mm256_set1_ps(lse), vd = _mm256_set1_ps(d);
    int j = 0;
    for (; j + 8 <= n; j += 8) {
        const __m256 e = exp8(_mm256_fmsub_ps(_mm256_loadu_ps(p + j), vs, vl));
        _mm256_storeu_ps(p + j, e);
        _mm256_storeu_ps(ds + j, _mm256_mul_ps(_mm256_mul_ps(e, _mm256_sub_ps(_mm256_loadu_ps(ds + j), vd)), vs));
    }
    for (; j < n; j++) {
        const float e = expf(p[j] * scale - lse);
        p[j] = e;
        ds[j] = e * (ds[j] - d) * scale;
    }
}
