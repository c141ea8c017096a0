// AVX-512 VNNI version of ck_gemmK_tiled (gemm_tiled_k.c): same results bit for bit.
//
// The AVX2 path sums each superblock in integers: lane k of isum = Σ_chunks scale(group) · (sum of the 4
// products of bytes 4k..4k+3), via maddubs (pair sums) and madd with the 16-bit group scale. Here one zmm
// covers two 32-element chunks: vpdpbusd gives the 4-product sums (|sum| ≤ 4·63·127 = 32004, so each
// fits the low 16 bits of its lane) and vpdpwssd multiplies that low half by the scale (the scale's high
// half is 0) and accumulates. Integer sums are exact, so folding the two chunk halves at the end of the
// superblock gives AVX2's isum exactly; the float part per superblock is then the AVX2 code unchanged.
#include "ck_internal.h"

#define KRM 3   // weight rows per register tile (≤ 3: VKTILE_SWITCH; 3x4 measured fastest of 4x3, 3x4, 4x2, 4x4, 2x4)
#define KRN 4   // activation rows per register tile (≤ 4)

// Repacked per superblock sb, chunk pair c2 (64 elements), row i (interleaved, one pointer):
//   q [((sb·4 + c2)·RM + i)·64] unsigned values, sc[same·16] int32 lanes holding the 16-bit group scale,
//   mn[(sb·RM + i)·16] int16 (Q4_K/Q5_K: min of each 16-element group; Q6_K: 32·scale),
//   d[sb·RM + i], dm[sb·RM + i] (Q4_K/Q5_K: −dmin)   (mn, d, dm as in gemm_tiled_k.c).
typedef struct { uint8_t *q; int32_t *sc; int16_t *mn; float *d; float *dm; void *mem; size_t cap; } vrepackK;
static _Thread_local vrepackK tl_vk;

static vrepackK *get_vk(int ncols) {
    const int nsb = ncols / 256;
    size_t need = (size_t)KRM * ncols * 2 + (size_t)KRM * nsb * (32 + 8) + 512;
    vrepackK *r = &tl_vk;
    if (r->cap < need) {
        free(r->mem);
        r->mem = aligned_alloc(64, (need + 63) & ~(size_t)63);
        r->cap = need;
    }
    uint8_t *p = (uint8_t *)r->mem;
    r->q = p; p += (size_t)KRM * ncols;
    r->sc = (int32_t *)p; p += (size_t)KRM * ncols;   // 16 int32 (64 bytes) per 64 elements
    r->mn = (int16_t *)p; p += (size_t)KRM * nsb * 32;
    r->d = (float *)p; r->dm = r->d + KRM * nsb;
    return r;
}

// kind: 0 = Q4_K, 1 = Q5_K, 2 = Q6_K (the unpacking of gemm_tiled_k.c's repackK).
VINLINE void vrepackK_rows(const int kind, const uint8_t *w, size_t wstride, int rm, int ncols, vrepackK *rb) {
    const int nsb = ncols / 256;
    const int bpb = kind == 0 ? 144 : kind == 1 ? 176 : 210;
    const __m256i m4 = _mm256_set1_epi8(0x0F), m3 = _mm256_set1_epi8(3);
    for (int i = 0; i < rm; i++) {
        for (int sb = 0; sb < nsb; sb++) {
            const uint8_t *p = w + (size_t)i * wstride + (size_t)sb * bpb;
            __m256i q[8];
            int16_t scl[16];   // scale of each 16-element group
            int16_t *mn = rb->mn + ((size_t)sb * rm + i) * 16;
            if (kind < 2) {
                rb->d[sb * rm + i] = h2f(ld16(p));
                rb->dm[sb * rm + i] = -h2f(ld16(p + 2));
                uint32_t u[4];
                k_scales(p + 4, u);
                const uint8_t *sc = (const uint8_t *)u, *mins = sc + 8;
                for (int g = 0; g < 16; g++) { scl[g] = sc[g / 2]; mn[g] = mins[g / 2]; }
                const uint8_t *qs = p + (kind == 0 ? 16 : 48);
                const __m256i qh = kind == 1 ? _mm256_loadu_si256((const __m256i *)(p + 16)) : _mm256_setzero_si256();
                for (int c = 0; c < 4; c++) {
                    const __m256i v = _mm256_loadu_si256((const __m256i *)(qs + 32 * c));
                    __m256i lo = _mm256_and_si256(v, m4), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
                    if (kind == 1) {
                        const __m256i one = _mm256_set1_epi8(1);
                        lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c), one), 4));
                        hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c + 1), one), 4));
                    }
                    q[2 * c] = lo; q[2 * c + 1] = hi;
                }
            } else {
                rb->d[sb * rm + i] = h2f(ld16(p + 208));
                rb->dm[sb * rm + i] = 0.0f;
                const int8_t *sc = (const int8_t *)(p + 192);
                for (int g = 0; g < 16; g++) { scl[g] = sc[g]; mn[g] = (int16_t)(32 * sc[g]); }
                for (int h = 0; h < 2; h++) {
                    const __m256i ql0 = _mm256_loadu_si256((const __m256i *)(p + 64 * h));
                    const __m256i ql1 = _mm256_loadu_si256((const __m256i *)(p + 64 * h + 32));
                    const __m256i qh = _mm256_loadu_si256((const __m256i *)(p + 128 + 32 * h));
                    q[4 * h + 0] = _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m3), 4));
                    q[4 * h + 1] = _mm256_or_si256(_mm256_and_si256(ql1, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), m3), 4));
                    q[4 * h + 2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), m3), 4));
                    q[4 * h + 3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), m3), 4));
                }
            }
            for (int c2 = 0; c2 < 4; c2++) {
                const size_t o = ((size_t)(sb * 4 + c2) * rm + i);
                _mm512_store_si512(rb->q + o * 64, _mm512_inserti64x4(_mm512_castsi256_si512(q[2 * c2]), q[2 * c2 + 1], 1));
                const __m128i s4 = _mm_setr_epi32((uint16_t)scl[4 * c2], (uint16_t)scl[4 * c2 + 1], (uint16_t)scl[4 * c2 + 2], (uint16_t)scl[4 * c2 + 3]);
                _mm512_store_si512(rb->sc + o * 16, _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3), _mm512_castsi128_si512(s4)));
            }
        }
    }
}

// acc + (16-bit low halves of t) · (16-bit low halves of s) per lane (vpdpwssd; the high halves of s are 0).
// Inline assembly: the compiler otherwise splits it into vpmaddwd + vpaddd.
VINLINE __m512i dpwssd(__m512i acc, __m512i t, __m512i s) {
    __asm__("vpdpwssd %2, %1, %0" : "+v"(acc) : "v"(t), "v"(s));
    return acc;
}

VINLINE void vtileK(const int kind, const int RM, const int RN, const vrepackK *rb, int ncols,
                    const uint8_t *act, size_t astride, float *out, size_t ostride) {
    const int nsb = ncols / 256, NP = (RN + 1) / 2;
    // activation rows in pairs (an odd last row is paired with itself; that half is discarded)
    const int8_t *aq[KRN + 1]; const float *ad[KRN + 1]; const int16_t *abs_[KRN + 1];
    for (int j = 0; j < 2 * NP; j++) {
        aq[j] = (const int8_t *)(act + (j < RN ? j : RN - 1) * astride);
        ad[j] = (const float *)(aq[j] + ncols); abs_[j] = (const int16_t *)(ad[j] + nsb);
    }
    __m512 acc[KRM][(KRN + 1) / 2];   // lanes 0-7: AVX2 accumulator of (i, 2p), lanes 8-15: of (i, 2p + 1)
    for (int i = 0; i < RM; i++) for (int p = 0; p < NP; p++) acc[i][p] = _mm512_setzero_ps();
    const uint8_t *wq = rb->q; const int32_t *ws = rb->sc;
    for (int sb = 0; sb < nsb; sb++) {
        __m512i isum[KRM][KRN + 1];
        for (int i = 0; i < RM; i++) for (int j = 0; j < 2 * NP; j++) isum[i][j] = _mm512_setzero_si512();
        for (int c2 = 0; c2 < 4; c2++, wq += RM * 64, ws += RM * 16) {
            __m512i a[KRN];
            for (int j = 0; j < RN; j++) a[j] = _mm512_loadu_si512(aq[j] + 256 * sb + 64 * c2);
            for (int i = 0; i < RM; i++) {
                const __m512i w = _mm512_load_si512(wq + 64 * i);
                const __m512i sc = _mm512_load_si512(ws + 16 * i);
                for (int j = 0; j < RN; j++)
                    isum[i][j] = dpwssd(isum[i][j], _mm512_dpbusd_epi32(_mm512_setzero_si512(), w, a[j]), sc);
            }
        }
        // From here on the AVX2 path's operations, for two activation rows at once (one per 256-bit half):
        // fold the chunk halves (exact), subtract or scale the mins, one FMA with d·d_a per lane.
        for (int p = 0; p < NP; p++) {
            const int j0 = 2 * p, j1 = 2 * p + 1;
            const __m512i bs = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(abs_[j0] + 16 * sb))),
                                                  _mm256_loadu_si256((const __m256i *)(abs_[j1] + 16 * sb)), 1);
            const __m512 da = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_set1_ps(ad[j0][sb])),
                                                                  _mm256_castps_pd(_mm256_set1_ps(ad[j1][sb])), 1));
            for (int i = 0; i < RM; i++) {
                const __m512i t = isum[i][j0], u = isum[i][j1];
                const __m512i is = _mm512_add_epi32(_mm512_shuffle_i64x2(t, u, 0x44), _mm512_shuffle_i64x2(t, u, 0xEE));
                const __m512i mn = _mm512_broadcast_i64x4(_mm256_load_si256((const __m256i *)(rb->mn + ((size_t)sb * RM + i) * 16)));
                const __m512i mi = _mm512_madd_epi16(bs, mn);
                const __m512 d = _mm512_set1_ps(rb->d[sb * RM + i]);
                if (kind == 2) {
                    acc[i][p] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(is, mi)), _mm512_mul_ps(d, da), acc[i][p]);
                } else {
                    acc[i][p] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(is), _mm512_mul_ps(d, da), acc[i][p]);
                    const __m512 dm = _mm512_set1_ps(rb->dm[sb * RM + i]);
                    acc[i][p] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(mi), _mm512_mul_ps(dm, da), acc[i][p]);
                }
            }
        }
    }
    for (int i = 0; i < RM; i++) {
        for (int p = 0; p < NP; p++) {
            out[(size_t)(2 * p) * ostride + i] = hsum_ps(_mm512_castps512_ps256(acc[i][p]));
            if (2 * p + 1 < RN) out[(size_t)(2 * p + 1) * ostride + i] = hsum_ps(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[i][p]), 1)));
        }
    }
}

#define VKTILE_CASE(K, M, N) case (M) * 8 + (N): vtileK(K, M, N, rb, ncols, act, astride, out, ostride); break;
#define VKTILE_ROW(K, M) VKTILE_CASE(K, M, 1) VKTILE_CASE(K, M, 2) VKTILE_CASE(K, M, 3) VKTILE_CASE(K, M, 4)
#define VKTILE_SWITCH(K) switch (rm * 8 + rn) { VKTILE_ROW(K, 1) VKTILE_ROW(K, 2) VKTILE_ROW(K, 3) }
static VNNI_TARGET void vtileK_45(int rm, int rn, const vrepackK *rb, int ncols, const uint8_t *act, size_t astride, float *out, size_t ostride) { VKTILE_SWITCH(0) }
static VNNI_TARGET void vtileK_6(int rm, int rn, const vrepackK *rb, int ncols, const uint8_t *act, size_t astride, float *out, size_t ostride) { VKTILE_SWITCH(2) }

VNNI_TARGET
void ck_gemmK_tiled_vnni(const int kind, const uint8_t *W, size_t wstride, int nrows,
                         const uint8_t *A, size_t astride, int nact, int ncols, float *out, size_t ostride) {
    vrepackK *rb = get_vk(ncols);
    int chunk = (int)((CK_CHUNK_KB * 1024) / astride);
    chunk = chunk < 8 * KRN ? 8 * KRN : chunk / KRN * KRN;
    for (int a0 = 0; a0 < nact; a0 += chunk) {
        const int a1 = a0 + chunk < nact ? a0 + chunk : nact;
        for (int r = 0; r < nrows; r += KRM) {
            const int rm = nrows - r < KRM ? nrows - r : KRM;
            switch (kind) {
            case 0: vrepackK_rows(0, W + (size_t)r * wstride, wstride, rm, ncols, rb); break;
            case 1: vrepackK_rows(1, W + (size_t)r * wstride, wstride, rm, ncols, rb); break;
            default: vrepackK_rows(2, W + (size_t)r * wstride, wstride, rm, ncols, rb); break;
            }
            for (int a = a0; a < a1; a += KRN) {
                const int rn = a1 - a < KRN ? a1 - a : KRN;
                if (kind == 2) vtileK_6(rm, rn, rb, ncols, A + (size_t)a * astride, astride, out + (size_t)a * ostride + r, ostride);
                else vtileK_45(rm, rn, rb, ncols, A + (size_t)a * astride, astride, out + (size_t)a * ostride + r, ostride);
            }
        }
    }
}
