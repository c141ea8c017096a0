// AVX-512 VNNI version of ck_gemm32_tiled (gemm_tiled32.c): same results bit for bit.
//
// One zmm accumulator holds two of the AVX2 path's 8-lane accumulators, interleaved by lane:
// lane 2k = lane k of (weight row i, activation row j) and lane 2k+1 = lane k of (i, j+1). So
//  - activation rows are prepared in pairs once per chunk: for block b, 64 bytes alternate the 4-byte
//    groups of row j and row j+1; their block scales d and sums s alternate the same way;
//  - weight rows are repacked with every 4-byte group duplicated (64 bytes per block), scales likewise;
//  - one vpdpbusd gives in lane 2k (2k+1) the integer sum of 4 products that AVX2's maddubs + madd gives
//    in lane k of (i, j) ((i, j+1)), and a 64-bit broadcast {d_w·d_a(j), d_w·d_a(j+1)} scales both.
// Each lane then sees the same float operations in the same order as in the AVX2 path.
// Q8_0 (signed weights): the activation bytes get +128 (xor 0x80) and the weights stay signed:
// Σ (a+128)·w − 128·Σ w = Σ a·w, the −128·Σ w of each 4-byte group precomputed at repack as the start value.
#include "ck_internal.h"

#define VRM 4   // weight rows per register tile (≤ 4: VTILE_SWITCH)
#define VRJ 3   // activation row pairs per register tile (6 rows; ≤ 3)
// Minimum activation rows per chunk: with very long rows (the trainer's transposed output head, 49152
// columns) fewer rows fit the chunk budget and the weight repacking would dominate.
#define VCHUNK_MIN (22 * VRJ)

typedef struct { uint8_t *mem; size_t cap; } vbuf;
static _Thread_local vbuf tl_w, tl_a;

static uint8_t *grow(vbuf *b, size_t need) {
    if (b->cap < need) {
        free(b->mem);
        b->mem = (uint8_t *)aligned_alloc(64, (need + 63) & ~(size_t)63);
        b->cap = need;
    }
    return b->mem;
}

typedef struct {
    const uint8_t *q;   // (b·rm + i)·64: row i, block b, 4-byte groups duplicated
    const int32_t *c;   // Q8_0: (b·rm + i)·16: −128·Σ w of each 4-byte group
    const float *d, *m; // row i at i·2·nbp: block b at 2b and 2b+1 (m: value = d·q + m)
    float *S;           // scale table: ((i·RJ + p)·TKB + b − b0)·2, a pair per block
    int nbp;
} vrepack;

// A pair of activation records (Q8_32) -> 64 bytes per block, then d and s pairs (2·nb8 floats each).
VINLINE size_t pair_stride(int ncols) { return ((size_t)ncols * 2 + (size_t)((ncols / 32 + 7) & ~7) * 16 + 63) & ~(size_t)63; }

VINLINE void prep_pair(const int sgnd, const uint8_t *r0, const uint8_t *r1, int ncols, uint8_t *dst) {
    const int nb = ncols / 32, nb8 = (nb + 7) & ~7;
    const __m512i ilv = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i flip = _mm512_set1_epi8(sgnd ? (char)0x80 : 0);
    for (int b = 0; b < nb; b++) {
        const __m512i x = _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(r0 + 32 * b)));
        const __m512i y = r1 ? _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(r1 + 32 * b))) : _mm512_setzero_si512();
        _mm512_store_si512(dst + 64 * b, _mm512_xor_si512(_mm512_permutex2var_epi32(x, ilv, y), flip));
    }
    const float *f0 = (const float *)(r0 + ncols), *f1 = r1 ? (const float *)(r1 + ncols) : NULL;
    float *o = (float *)(dst + (size_t)64 * nb);
    for (int b = 0; b < 2 * nb8; b += 8) {   // d then s (contiguous in the record: nb8 floats each)
        const __m512 x = _mm512_castps256_ps512(_mm256_loadu_ps(f0 + b));
        const __m512 y = f1 ? _mm512_castps256_ps512(_mm256_loadu_ps(f1 + b)) : _mm512_setzero_ps();
        _mm512_store_ps(o + 2 * b, _mm512_permutex2var_ps(x, ilv, y));
    }
}

// Unpacks rm rows (the same values and scales as repack32 in gemm_tiled32.c, laid out for the pairs).
VINLINE void vrepack32(const int kind, const uint8_t *w, size_t wstride, int rm, int ncols, uint8_t *q, int32_t *c, float *d, float *m, int nbp) {
    const int nb = ncols / 32, bpb = bpb32(kind);
    const __m512i dup = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    for (int i = 0; i < rm; i++) {
        const uint8_t *row = w + (size_t)i * wstride;
        float *di = d + (size_t)i * 2 * nbp, *mi = m + (size_t)i * 2 * nbp;
        for (int b = 0; b < nb; b++) {
            const uint8_t *p = row + (size_t)b * bpb;
            __m256i sgn;
            const __m256i v = kind == 4 ? _mm256_loadu_si256((const __m256i *)(p + 2)) : unpack32(kind, p, &sgn);
            const __m512i v2 = _mm512_permutexvar_epi32(dup, _mm512_castsi256_si512(v));
            _mm512_store_si512(q + ((size_t)b * rm + i) * 64, v2);
            if (kind == 4) {
                const __m512i s = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_set1_epi8((char)0x80), v2);
                _mm512_store_si512(c + ((size_t)b * rm + i) * 16, _mm512_sub_epi32(_mm512_setzero_si512(), s));
            }
            const float dw = h2f(ld16(p));
            const float mw = kind == 0 ? -8.0f * dw : kind == 2 ? -16.0f * dw : (kind == 1 || kind == 3) ? h2f(ld16(p + 2)) : 0.0f;
            di[2 * b] = di[2 * b + 1] = dw;
            mi[2 * b] = mi[2 * b + 1] = mw;
        }
        for (int b = 2 * nb; b < 2 * nbp; b++) { di[b] = 0; mi[b] = 0; }
    }
}

VINLINE __m512 bcast_pair(const float *p) { return _mm512_castpd_ps(_mm512_broadcastsd_pd(_mm_load_sd((const double *)p))); }

// RM weight rows x RJ activation pairs (nj ≤ 2·RJ real activation rows). `ap`: first prepared pair.
VINLINE void vtile32(const int sgnd, const int RM, const int RJ, const vrepack *rp, int ncols,
                     const uint8_t *ap, size_t pstride, int nj, float *out, size_t ostride) {
    const int nb = ncols / 32, nbp = rp->nbp;
    const uint8_t *aq[VRJ]; const float *ad[VRJ], *as[VRJ];
    for (int p = 0; p < RJ; p++) {
        aq[p] = ap + (size_t)p * pstride;
        ad[p] = (const float *)(aq[p] + (size_t)64 * nb); as[p] = ad[p] + 2 * ((nb + 7) & ~7);
    }
    __m512 acc[VRM][VRJ];
    for (int i = 0; i < RM; i++) for (int p = 0; p < RJ; p++) acc[i][p] = _mm512_setzero_ps();
    float *S = rp->S;
    for (int b0 = 0; b0 < nb; b0 += TKB) {
        const int b1 = b0 + TKB < nb ? b0 + TKB : nb;
        // scale pairs and offset terms (8 blocks per vector, as in the AVX2 path)
        for (int i = 0; i < RM; i++) {
            const float *d = rp->d + (size_t)i * 2 * nbp, *m = rp->m + (size_t)i * 2 * nbp;
            float *St = S + (size_t)i * RJ * TKB * 2 - 2 * b0;
            for (int b = b0; b < b1; b += 8) {
                const __m512 dv = _mm512_load_ps(d + 2 * b);
                const __m512 mv = sgnd ? _mm512_setzero_ps() : _mm512_load_ps(m + 2 * b);
                for (int p = 0; p < RJ; p++) {
                    _mm512_store_ps(St + p * TKB * 2 + 2 * b, _mm512_mul_ps(dv, _mm512_load_ps(ad[p] + 2 * b)));
                    if (!sgnd) acc[i][p] = _mm512_fmadd_ps(mv, _mm512_load_ps(as[p] + 2 * b), acc[i][p]);
                }
            }
        }
        const uint8_t *wq = rp->q + (size_t)b0 * RM * 64;
        const int32_t *wc = rp->c + (size_t)b0 * RM * 16;
        for (int b = b0; b < b1; b++, wq += RM * 64, wc += RM * 16) {
            const float *Sb = S + 2 * (b - b0);
            __m512i a[VRJ];
            for (int p = 0; p < RJ; p++) a[p] = _mm512_load_si512(aq[p] + (size_t)64 * b);
            for (int i = 0; i < RM; i++) {
                const __m512i w = _mm512_load_si512(wq + 64 * i);
                const __m512i c = sgnd ? _mm512_load_si512(wc + 16 * i) : _mm512_setzero_si512();
                for (int p = 0; p < RJ; p++) {
                    const __m512i t = sgnd ? _mm512_dpbusd_epi32(c, a[p], w) : _mm512_dpbusd_epi32(_mm512_setzero_si512(), w, a[p]);
                    acc[i][p] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(t), bcast_pair(Sb + (i * RJ + p) * TKB * 2), acc[i][p]);
                }
            }
        }
    }
    // de-interleave and sum the lanes exactly as store_sums does (hsum_ps of each 8-lane accumulator)
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
    for (int i = 0; i < RM; i++) {
        for (int p = 0; p < RJ; p++) {
            const __m512 v = _mm512_permutexvar_ps(even, acc[i][p]);
            out[(size_t)(2 * p) * ostride + i] = hsum_ps(_mm512_castps512_ps256(v));
            if (2 * p + 1 < nj) out[(size_t)(2 * p + 1) * ostride + i] = hsum_ps(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
        }
    }
}

#define VTILE_CASE(S, M, N) case (M) * 8 + (N): vtile32(S, M, N, rp, ncols, ap, pstride, nj, out, ostride); break;
#define VTILE_ROW(S, M) VTILE_CASE(S, M, 1) VTILE_CASE(S, M, 2) VTILE_CASE(S, M, 3)
#define VTILE_SWITCH(S) switch (rm * 8 + rj) { VTILE_ROW(S, 1) VTILE_ROW(S, 2) VTILE_ROW(S, 3) VTILE_ROW(S, 4) }
static VNNI_TARGET void vtile32_u(int rm, int rj, const vrepack *rp, int ncols, const uint8_t *ap, size_t pstride, int nj, float *out, size_t ostride) { VTILE_SWITCH(0) }
static VNNI_TARGET void vtile32_s(int rm, int rj, const vrepack *rp, int ncols, const uint8_t *ap, size_t pstride, int nj, float *out, size_t ostride) { VTILE_SWITCH(1) }

VNNI_TARGET
void ck_gemm32_tiled_vnni(const int kind, const uint8_t *W, size_t wstride, int nrows,
                          const uint8_t *A, size_t astride, int nact, int ncols, float *out, size_t ostride) {
    const int nb = ncols / 32, nbp = ((nb + 7) & ~7) + 8, sgnd = kind == 4;   // nbp: 64-byte aligned rows
    const size_t pstride = pair_stride(ncols);
    // activation chunk: ~CK_CHUNK_KB of prepared pairs (stays in L2 while the weight rows pass)
    int chunk = (int)((CK_CHUNK_KB * 1024) / pstride) * 2;
    chunk = chunk < VCHUNK_MIN ? VCHUNK_MIN : chunk / (2 * VRJ) * (2 * VRJ);
    if (chunk > nact) chunk = nact;
    const size_t qbytes = (size_t)nb * VRM * 64;
    uint8_t *wb = grow(&tl_w, qbytes * (sgnd ? 2 : 1) + (size_t)(4 * VRM * nbp + VRM * VRJ * TKB * 2) * sizeof(float) + 64);
    vrepack rp = { wb, (const int32_t *)(wb + qbytes), NULL, NULL, NULL, nbp };
    float *d = (float *)(wb + qbytes * (sgnd ? 2 : 1)), *m = d + 2 * VRM * nbp;
    rp.d = d; rp.m = m; rp.S = m + 2 * VRM * nbp;
    uint8_t *pairs = grow(&tl_a, (size_t)((chunk + 1) / 2) * pstride);
    for (int a0 = 0; a0 < nact; a0 += chunk) {
        const int n = a0 + chunk < nact ? chunk : nact - a0, np = (n + 1) / 2;
        for (int p = 0; p < np; p++) {
            const uint8_t *r0 = A + (size_t)(a0 + 2 * p) * astride, *r1 = 2 * p + 1 < n ? r0 + astride : NULL;
            prep_pair(sgnd, r0, r1, ncols, pairs + (size_t)p * pstride);
        }
        for (int r = 0; r < nrows; r += VRM) {
            const int rm = nrows - r < VRM ? nrows - r : VRM;
            const uint8_t *w = W + (size_t)r * wstride;
            int32_t *c = (int32_t *)(wb + qbytes);
            switch (kind) {
            case 0: vrepack32(0, w, wstride, rm, ncols, wb, c, d, m, nbp); break;
            case 1: vrepack32(1, w, wstride, rm, ncols, wb, c, d, m, nbp); break;
            case 2: vrepack32(2, w, wstride, rm, ncols, wb, c, d, m, nbp); break;
            case 3: vrepack32(3, w, wstride, rm, ncols, wb, c, d, m, nbp); break;
            default: vrepack32(4, w, wstride, rm, ncols, wb, c, d, m, nbp); break;
            }
            for (int p0 = 0; p0 < np; p0 += VRJ) {
                const int rj = np - p0 < VRJ ? np - p0 : VRJ;
                const int nj = n - 2 * p0 < 2 * rj ? n - 2 * p0 : 2 * rj;
                const uint8_t *ap = pairs + (size_t)p0 * pstride;
                float *o = out + (size_t)(a0 + 2 * p0) * ostride + r;
                if (sgnd) vtile32_s(rm, rj, &rp, ncols, ap, pstride, nj, o, ostride);
                else vtile32_u(rm, rj, &rp, ncols, ap, pstride, nj, o, ostride);
            }
        }
    }
}
