// Row-major float matrix product C (+)= A·B for the trainer's attention and LoRA pieces. Register tiles of
// 6 rows × 16 columns (12 accumulators): per k, two loads of B's row and six broadcasts of A feed 12 FMAs,
// with no horizontal sums. Causal masks skip the tiles that are known to be zero or not needed.
#include "ck_internal.h"

static inline __m256i tail_mask(int n) {   // first n (0..8) lanes set
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

// One tile of rm ≤ 6 rows and nw ≤ 16 columns over k in [k0, k1).
static inline void tile(const int rm, int nw, int k0, int k1, const float *A, size_t lda, const float *B, size_t ldb,
                        float *C, size_t ldc, int accumulate) {
    __m256 acc[6][2];
    const __m256i m0 = tail_mask(nw >= 8 ? 8 : nw), m1 = tail_mask(nw > 8 ? nw - 8 : 0);
    const int full = nw == 16;
    for (int i = 0; i < rm; i++) {
        if (accumulate) {
            acc[i][0] = full ? _mm256_loadu_ps(C + i * ldc) : _mm256_maskload_ps(C + i * ldc, m0);
            acc[i][1] = full ? _mm256_loadu_ps(C + i * ldc + 8) : _mm256_maskload_ps(C + i * ldc + 8, m1);
        } else {
            acc[i][0] = _mm256_setzero_ps();
            acc[i][1] = _mm256_setzero_ps();
        }
    }
    for (int k = k0; k < k1; k++) {
        const float *b = B + (size_t)k * ldb;
        const __m256 b0 = full ? _mm256_loadu_ps(b) : _mm256_maskload_ps(b, m0);
        const __m256 b1 = full ? _mm256_loadu_ps(b + 8) : _mm256_maskload_ps(b + 8, m1);
        for (int i = 0; i < rm; i++) {
            const __m256 a = _mm256_broadcast_ss(A + i * lda + k);
            acc[i][0] = _mm256_fmadd_ps(a, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(a, b1, acc[i][1]);
        }
    }
    for (int i = 0; i < rm; i++) {
        if (full) {
            _mm256_storeu_ps(C + i * ldc, acc[i][0]);
            _mm256_storeu_ps(C + i * ldc + 8, acc[i][1]);
        } else {
            _mm256_maskstore_ps(C + i * ldc, m0, acc[i][0]);
            _mm256_maskstore_ps(C + i * ldc + 8, m1, acc[i][1]);
        }
    }
}

void ck_sgemm(int M, int N, int K, const float *A, size_t lda, const float *B, size_t ldb, float *C, size_t ldc,
              int accumulate, int mask, int diag) {
    if (ck_kernel_level() == CK_KERNELS_AVX512_VNNI) {
        ck_sgemm_avx512(M, N, K, A, lda, B, ldb, C, ldc, accumulate, mask, diag);
        return;
    }
    for (int i0 = 0; i0 < M; i0 += 6) {
        const int rm = M - i0 < 6 ? M - i0 : 6;
        const int last = i0 + rm - 1;
        // Columns and reduction range this block of rows needs.
        int n1 = N, k0 = 0, k1 = K;
        if (mask == 1) { n1 = last + diag + 1; if (n1 > N) n1 = N; if (n1 < 0) n1 = 0; }
        if (mask == 2) { k1 = last + diag + 1; if (k1 > K) k1 = K; if (k1 < 0) k1 = 0; }
        if (mask == 3) { k0 = i0 + diag; if (k0 < 0) k0 = 0; if (k0 > K) k0 = K; }
        const float *a = A + (size_t)i0 * lda;
        float *c = C + (size_t)i0 * ldc;
        for (int j0 = 0; j0 < n1; j0 += 16) {
            const int nw = n1 - j0 < 16 ? n1 - j0 : 16;
            if (rm == 6) tile(6, nw, k0, k1, a, lda, B + j0, ldb, c + j0, ldc, accumulate);
            else tile(rm, nw, k0, k1, a, lda, B + j0, ldb, c + j0, ldc, accumulate);
        }
    }
}
