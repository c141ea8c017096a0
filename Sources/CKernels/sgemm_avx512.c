// AVX-512 version of ck_sgemm's register tiles (6 rows × 32 columns: 12 zmm accumulators, two loads of B's
// row and six broadcasts of A per k). Each output element sums its products over k in the same order as the
// AVX2 tiles, with the same fused multiply-adds, so both paths give bit-identical results.
#include "ck_internal.h"

#define SGEMM_TARGET __attribute__((target("avx512f")))

static inline __attribute__((always_inline)) SGEMM_TARGET
void tile512(const int rm, int nw, int k0, int k1, const float *A, size_t lda, const float *B, size_t ldb,
             float *C, size_t ldc, int accumulate) {
    __m512 acc[6][2];
    const __mmask16 m0 = (__mmask16)(nw >= 16 ? 0xFFFF : (1u << nw) - 1);
    const __mmask16 m1 = (__mmask16)(nw >= 32 ? 0xFFFF : nw > 16 ? (1u << (nw - 16)) - 1 : 0);
    for (int i = 0; i < rm; i++) {
        if (accumulate) {
            acc[i][0] = _mm512_maskz_loadu_ps(m0, C + i * ldc);
            acc[i][1] = _mm512_maskz_loadu_ps(m1, C + i * ldc + 16);
        } else {
            acc[i][0] = _mm512_setzero_ps();
            acc[i][1] = _mm512_setzero_ps();
        }
    }
    for (int k = k0; k < k1; k++) {
        const float *b = B + (size_t)k * ldb;
        const __m512 b0 = _mm512_maskz_loadu_ps(m0, b);
        const __m512 b1 = _mm512_maskz_loadu_ps(m1, b + 16);
        for (int i = 0; i < rm; i++) {
            const __m512 a = _mm512_set1_ps(A[i * lda + k]);
            acc[i][0] = _mm512_fmadd_ps(a, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(a, b1, acc[i][1]);
        }
    }
    for (int i = 0; i < rm; i++) {
        _mm512_mask_storeu_ps(C + i * ldc, m0, acc[i][0]);
        _mm512_mask_storeu_ps(C + i * ldc + 16, m1, acc[i][1]);
    }
}

SGEMM_TARGET
void ck_sgemm_avx512(int M, int N, int K, const float *A, size_t lda, const float *B, size_t ldb, float *C, size_t ldc,
                     int accumulate, int mask, int diag) {
    for (int i0 = 0; i0 < M; i0 += 6) {
        const int rm = M - i0 < 6 ? M - i0 : 6;
        const int last = i0 + rm - 1;
        int n1 = N, k0 = 0, k1 = K;
        if (mask == 1) { n1 = last + diag + 1; if (n1 > N) n1 = N; if (n1 < 0) n1 = 0; }
        if (mask == 2) { k1 = last + diag + 1; if (k1 > K) k1 = K; if (k1 < 0) k1 = 0; }
        if (mask == 3) { k0 = i0 + diag; if (k0 < 0) k0 = 0; if (k0 > K) k0 = K; }
        const float *a = A + (size_t)i0 * lda;
        float *c = C + (size_t)i0 * ldc;
        for (int j0 = 0; j0 < n1; j0 += 32) {
            const int nw = n1 - j0 < 32 ? n1 - j0 : 32;
            switch (rm) {
            case 6: tile512(6, nw, k0, k1, a, lda, B + j0, ldb, c + j0, ldc, accumulate); break;
            case 5: tile512(5, nw, k0, k1, a, lda, B + j0, ldb, c + j0, ldc, accumulate); break;
            case 4: tile512(4, nw, k0, k1, a, lda, B + j0, ldb, c + j0, ldc, accumulate); break;
            case 3: tile512(3, nw, k0, k1, a, lda, B + j0, ldb, c + j0, ldc, accumulate); break;
            case 2: tile512(2, nw, k0, k1, a, lda, B + j0, ldb, c + j0, ldc, accumulate); break;
            default: tile512(1, nw, k0, k1, a, lda, B + j0, ldb, c + j0, ldc, accumulate); break;
            }
        }
    }
}

// ck_outer_accumulate's AVX-512 version: out[k][j] += Σ_t coef[t][k]·rows[t][j] in tiles of up to 6 k × 32 j.
static inline __attribute__((always_inline)) SGEMM_TARGET
void outer_tile512(const int rm, int nw, int count, const float *coef, size_t ldc, const float *rows, size_t ldr,
                   float *out, size_t ldo) {
    __m512 acc[6][2];
    const __mmask16 m0 = (__mmask16)(nw >= 16 ? 0xFFFF : (1u << nw) - 1);
    const __mmask16 m1 = (__mmask16)(nw >= 32 ? 0xFFFF : nw > 16 ? (1u << (nw - 16)) - 1 : 0);
    for (int q = 0; q < rm; q++) {
        acc[q][0] = _mm512_maskz_loadu_ps(m0, out + (size_t)q * ldo);
        acc[q][1] = _mm512_maskz_loadu_ps(m1, out + (size_t)q * ldo + 16);
    }
    for (int t = 0; t < count; t++) {
        const float *row = rows + (size_t)t * ldr, *c = coef + (size_t)t * ldc;
        const __m512 x0 = _mm512_maskz_loadu_ps(m0, row), x1 = _mm512_maskz_loadu_ps(m1, row + 16);
        for (int q = 0; q < rm; q++) {
            const __m512 b = _mm512_set1_ps(c[q]);
            acc[q][0] = _mm512_fmadd_ps(b, x0, acc[q][0]);
            acc[q][1] = _mm512_fmadd_ps(b, x1, acc[q][1]);
        }
    }
    for (int q = 0; q < rm; q++) {
        _mm512_mask_storeu_ps(out + (size_t)q * ldo, m0, acc[q][0]);
        _mm512_mask_storeu_ps(out + (size_t)q * ldo + 16, m1, acc[q][1]);
    }
}

SGEMM_TARGET
void ck_outer_accumulate_avx512(int count, int r, const float *coef, size_t ldc, const float *rows, size_t ldr,
                                int j0, int j1, float *out, size_t ldo) {
    for (int j = j0; j < j1; j += 32) {
        const int nw = j1 - j < 32 ? j1 - j : 32;
        for (int k = 0; k < r; k += 6) {
            const int rm = r - k < 6 ? r - k : 6;
            const float *c = coef + k;
            float *o = out + (size_t)k * ldo + j;
            switch (rm) {
            case 6: outer_tile512(6, nw, count, c, ldc, rows + j, ldr, o, ldo); break;
            case 5: outer_tile512(5, nw, count, c, ldc, rows + j, ldr, o, ldo); break;
            case 4: outer_tile512(4, nw, count, c, ldc, rows + j, ldr, o, ldo); break;
            case 3: outer_tile512(3, nw, count, c, ldc, rows + j, ldr, o, ldo); break;
            case 2: outer_tile512(2, nw, count, c, ldc, rows + j, ldr, o, ldo); break;
            default: outer_tile512(1, nw, count, c, ldc, rows + j, ldr, o, ldo); break;
            }
        }
    }
}
