#include "ck_internal.h"


// ------------------------------------------------------------- tiled batch path (32-element types)
// For many activation rows, RM weight rows are first unpacked ("repacked") to bytes + float scales,
// then RM x RN tiles run with all accumulators in registers: per (weight block, activation row) pair
// one maddubs (activation as the memory operand), one madd, one convert and one FMA with the
// precomputed scale product d_w·d_a broadcast from a small table.
// TKB (ck_internal.h): blocks per column chunk (fixed scale-table stride: constant address offsets)

typedef struct {
    uint8_t *q;      // RM rows of ncols bytes (unsigned values, or signed for Q8_0)
    float *d;        // RM rows of nbp block scales
    float *m;        // RM rows of nbp block offsets (value = d·q + m)
    float *S;        // scale table: (i·RN + j)·nbp + b
    size_t cap;
} repack_buf;

static _Thread_local repack_buf tl_buf;

static repack_buf *get_buf(int ncols) {
    const int nbp = (ncols / 32 + 8);
    size_t need = (size_t)TRM * ncols + (size_t)(2 * TRM * nbp + TRM * TRN * TKB) * sizeof(float) + 256;
    repack_buf *r = &tl_buf;
    if (r->cap < need) {
        free(r->q);
        r->q = (uint8_t *)aligned_alloc(64, (need + 63) & ~(size_t)63);
        r->cap = need;
    }
    uint8_t *p = r->q + (((size_t)TRM * ncols + 63) & ~(size_t)63);
    r->d = (float *)p; r->m = r->d + TRM * nbp; r->S = r->m + TRM * nbp;
    return r;
}

// Unpacks rm rows of 32-element blocks; q is interleaved by block: q[(b·rm + i)·32].
INLINE void repack32(const int kind, const uint8_t *w, size_t wstride, int rm, int ncols, repack_buf *rb) {
    const int nb = ncols / 32, nbp = nb + 8, bpb = bpb32(kind);
    for (int i = 0; i < rm; i++) {
        const uint8_t *row = w + (size_t)i * wstride;
        float *d = rb->d + i * nbp, *m = rb->m + i * nbp;
        for (int b = 0; b < nb; b++) {
            const uint8_t *p = row + (size_t)b * bpb;
            __m256i sgn;
            __m256i v = kind == 4 ? _mm256_loadu_si256((const __m256i *)(p + 2)) : unpack32(kind, p, &sgn);
            _mm256_store_si256((__m256i *)(rb->q + ((size_t)b * rm + i) * 32), v);
            const float dw = h2f(ld16(p));
            d[b] = dw;
            m[b] = kind == 0 ? -8.0f * dw : kind == 2 ? -16.0f * dw : (kind == 1 || kind == 3) ? h2f(ld16(p + 2)) : 0.0f;
        }
        for (int b = nb; b < nb + 8; b++) { d[b] = 0; m[b] = 0; }
    }
}



INLINE void tile32(const int sgnd, const int RM, const int RN, const repack_buf *rb, int ncols,
                   const uint8_t *act, size_t astride, float *out, size_t ostride) {
    const int nb = ncols / 32, nbp = nb + 8, nb8 = (nb + 7) & ~7;
    const int8_t *aq[TRN]; const float *ad[TRN]; const float *as[TRN];
    for (int j = 0; j < RN; j++) {
        aq[j] = (const int8_t *)(act + j * astride);
        ad[j] = (const float *)(aq[j] + ncols); as[j] = ad[j] + nb8;
    }
    __m256 acc[TRM][TRN];
    for (int i = 0; i < RM; i++) for (int j = 0; j < RN; j++) acc[i][j] = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1);
    float *S = rb->S;
    for (int b0 = 0; b0 < nb; b0 += TKB) {
        const int b1 = b0 + TKB < nb ? b0 + TKB : nb;
        // scale table S[(i·RN + j)·TKB + (b − b0)] = d_w · d_a, and the offset terms Σ_b m_w·s_a
        // (8 blocks per FMA, folded into the accumulators), in one pass
        for (int i = 0; i < RM; i++) {
            const float *d = rb->d + i * nbp, *m = rb->m + i * nbp;
            float *St = S + i * RN * TKB - b0;
            for (int b = b0; b < b1; b += 8) {
                const __m256 dv = _mm256_loadu_ps(d + b);
                const __m256 mv = sgnd ? _mm256_setzero_ps() : _mm256_loadu_ps(m + b);
                for (int j = 0; j < RN; j++) {
                    _mm256_storeu_ps(St + j * TKB + b, _mm256_mul_ps(dv, _mm256_loadu_ps(ad[j] + b)));
                    if (!sgnd) acc[i][j] = _mm256_fmadd_ps(mv, _mm256_loadu_ps(as[j] + b), acc[i][j]);
                }
            }
        }
        const uint8_t *wq = rb->q + (size_t)b0 * RM * 32;
#define TILE32_BLOCK \
            const float *Sb = S + (b - b0); \
            for (int i = 0; i < RM; i++) { \
                const __m256i w = _mm256_load_si256((const __m256i *)(wq + 32 * i)); \
                const __m256i wu = sgnd ? _mm256_sign_epi8(w, w) : w; \
                for (int j = 0; j < RN; j++) { \
                    __m256i a = _mm256_loadu_si256((const __m256i *)(aq[j] + 32 * b)); \
                    if (sgnd) a = _mm256_sign_epi8(a, w); \
                    const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(wu, a), ones); \
                    acc[i][j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_broadcast_ss(Sb + (i * RN + j) * TKB), acc[i][j]); \
                } \
            }
        if (sgnd) {
            for (int b = b0; b < b1; b++, wq += RM * 32) { TILE32_BLOCK }
        } else {
            // unrolled twice: ~6% faster for the unsigned kinds (slower for Q8_0's larger body)
            _Pragma("clang loop unroll_count(2)")
            for (int b = b0; b < b1; b++, wq += RM * 32) { TILE32_BLOCK }
        }
#undef TILE32_BLOCK
    }
    store_sums(RM, RN, acc, out, ostride);
}

#define TILE_CASE(S, M, N) case (M) * 8 + (N): tile32(S, M, N, rb, ncols, act, astride, out, ostride); break;
#define TILE_SWITCH(S) switch (rm * 8 + rn) { \
    TILE_CASE(S, 1, 1) TILE_CASE(S, 1, 2) TILE_CASE(S, 1, 3) TILE_CASE(S, 1, 4) \
    TILE_CASE(S, 2, 1) TILE_CASE(S, 2, 2) TILE_CASE(S, 2, 3) TILE_CASE(S, 2, 4) \
    TILE_CASE(S, 3, 1) TILE_CASE(S, 3, 2) TILE_CASE(S, 3, 3) TILE_CASE(S, 3, 4) \
    TILE_CASE(S, 4, 1) TILE_CASE(S, 4, 2) TILE_CASE(S, 4, 3) TILE_CASE(S, 4, 4) }
static void tile32_u(int rm, int rn, const repack_buf *rb, int ncols, const uint8_t *act, size_t astride, float *out, size_t ostride) { TILE_SWITCH(0) }
static void tile32_s(int rm, int rn, const repack_buf *rb, int ncols, const uint8_t *act, size_t astride, float *out, size_t ostride) { TILE_SWITCH(1) }

void ck_gemm32_tiled(const int kind, const uint8_t *W, size_t wstride, int nrows,
                         const uint8_t *A, size_t astride, int nact, int ncols, float *out, size_t ostride) {
    repack_buf *rb = get_buf(ncols);
    const int tm = kind == 4 ? SRM : TRM, tn = kind == 4 ? SRN : TRN;   // Q8_0: smaller tile (no spills with the sign trick)
    // activation chunk: ~256 KB of quantized activations (stays in L2 while the weight rows pass), but at
    // least 22 tiles: with very long rows (the trainer's transposed output head, 49152 columns: 4 rows in
    // 256 KB) repacking the weights once per tiny chunk took more than half of the time (576x49152, 256 rows, Xeon
    // Sapphire Rapids: 518 -> 233 ms with 66-row chunks; the chunk size does not change any result).
    int chunk = (int)((CK_CHUNK_KB * 1024) / astride);
    chunk = chunk < 22 * tn ? 22 * tn : chunk / tn * tn;
    for (int a0 = 0; a0 < nact; a0 += chunk) {
        const int a1 = a0 + chunk < nact ? a0 + chunk : nact;
        for (int r = 0; r < nrows; r += tm) {
            const int rm = nrows - r < tm ? nrows - r : tm;
            switch (kind) {
            case 0: repack32(0, W + (size_t)r * wstride, wstride, rm, ncols, rb); break;
            case 1: repack32(1, W + (size_t)r * wstride, wstride, rm, ncols, rb); break;
            case 2: repack32(2, W + (size_t)r * wstride, wstride, rm, ncols, rb); break;
            case 3: repack32(3, W + (size_t)r * wstride, wstride, rm, ncols, rb); break;
            default: repack32(4, W + (size_t)r * wstride, wstride, rm, ncols, rb); break;
            }
            for (int a = a0; a < a1; a += tn) {
                const int rn = a1 - a < tn ? a1 - a : tn;
                if (kind == 4) tile32_s(rm, rn, rb, ncols, A + (size_t)a * astride, astride, out + (size_t)a * ostride + r, ostride);
                else tile32_u(rm, rn, rb, ncols, A + (size_t)a * astride, astride, out + (size_t)a * ostride + r, ostride);
            }
        }
    }
}
