#include "ck_internal.h"


// ------------------------------------------------------------- tiled batch path (K-quants)
// Repacked per superblock sb, chunk c (32 elements), row i (interleaved, one pointer):
//   q [((sb·8 + c)·RM + i)·32] unsigned values, sc[same·16] int16 scale per maddubs lane,
//   mn[(sb·RM + i)·16] int16 (Q4_K/Q5_K: min of each 16-element group; Q6_K: 32·scale),
//   d[sb·RM + i], dm[sb·RM + i] (Q4_K/Q5_K: −dmin).
typedef struct { uint8_t *q; int16_t *sc; int16_t *mn; float *d; float *dm; void *mem; size_t cap; } repackK_buf;
static _Thread_local repackK_buf tl_kbuf;

static repackK_buf *get_kbuf(int ncols) {
    const int nsb = ncols / 256;
    size_t need = (size_t)TRM * ncols * 2 + (size_t)TRM * nsb * (32 + 8) + 512;
    repackK_buf *r = &tl_kbuf;
    if (r->cap < need) {
        free(r->mem);
        r->mem = aligned_alloc(64, (need + 63) & ~(size_t)63);
        r->cap = need;
    }
    uint8_t *p = (uint8_t *)r->mem;
    r->q = p; p += (size_t)TRM * ncols;
    r->sc = (int16_t *)p; p += (size_t)TRM * ncols;
    r->mn = (int16_t *)p; p += (size_t)TRM * nsb * 32;
    r->d = (float *)p; r->dm = r->d + TRM * nsb;
    return r;
}

// kind: 0 = Q4_K, 1 = Q5_K, 2 = Q6_K
INLINE void repackK(const int kind, const uint8_t *w, size_t wstride, int rm, int ncols, repackK_buf *rb) {
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
            for (int c = 0; c < 8; c++) {
                const size_t o = ((size_t)(sb * 8 + c) * rm + i);
                _mm256_store_si256((__m256i *)(rb->q + o * 32), q[c]);
                _mm256_store_si256((__m256i *)(rb->sc + o * 16),
                                   _mm256_set_m128i(_mm_set1_epi16(scl[2 * c + 1]), _mm_set1_epi16(scl[2 * c])));
            }
        }
    }
}

INLINE void tileK(const int kind, const int RM, const int RN, const repackK_buf *rb, int ncols,
                  const uint8_t *act, size_t astride, float *out, size_t ostride) {
    const int nsb = ncols / 256;
    const int8_t *aq[TRN]; const float *ad[TRN]; const int16_t *abs_[TRN];
    for (int j = 0; j < RN; j++) {
        aq[j] = (const int8_t *)(act + j * astride);
        ad[j] = (const float *)(aq[j] + ncols); abs_[j] = (const int16_t *)(ad[j] + nsb);
    }
    __m256 acc[TRM][TRN];
    for (int i = 0; i < RM; i++) for (int j = 0; j < RN; j++) acc[i][j] = _mm256_setzero_ps();
    const uint8_t *wq = rb->q; const int16_t *ws = rb->sc;
    for (int sb = 0; sb < nsb; sb++) {
        __m256i isum[TRM][TRN];
        for (int i = 0; i < RM; i++) for (int j = 0; j < RN; j++) isum[i][j] = _mm256_setzero_si256();
        for (int c = 0; c < 8; c++, wq += RM * 32, ws += RM * 16) {
            for (int i = 0; i < RM; i++) {
                const __m256i w = _mm256_load_si256((const __m256i *)(wq + 32 * i));
                const __m256i sc = _mm256_load_si256((const __m256i *)(ws + 16 * i));
                for (int j = 0; j < RN; j++) {
                    const __m256i a = _mm256_loadu_si256((const __m256i *)(aq[j] + 256 * sb + 32 * c));
                    isum[i][j] = _mm256_add_epi32(isum[i][j], _mm256_madd_epi16(_mm256_maddubs_epi16(w, a), sc));
                }
            }
        }
        for (int i = 0; i < RM; i++) {
            const __m256i mn = _mm256_load_si256((const __m256i *)(rb->mn + ((size_t)sb * RM + i) * 16));
            const float d = rb->d[sb * RM + i], dm = rb->dm[sb * RM + i];
            for (int j = 0; j < RN; j++) {
                const __m256i mi = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(abs_[j] + 16 * sb)), mn);
                const float da = ad[j][sb];
                if (kind == 2) {
                    acc[i][j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(isum[i][j], mi)), _mm256_set1_ps(d * da), acc[i][j]);
                } else {
                    acc[i][j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[i][j]), _mm256_set1_ps(d * da), acc[i][j]);
                    acc[i][j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(mi), _mm256_set1_ps(dm * da), acc[i][j]);
                }
            }
        }
    }
    store_sums(RM, RN, acc, out, ostride);
}

#define KTILE_CASE(K, M, N) case (M) * 8 + (N): tileK(K, M, N, rb, ncols, act, astride, out, ostride); break;
#define KTILE_SWITCH(K) switch (rm * 8 + rn) { \
    KTILE_CASE(K, 1, 1) KTILE_CASE(K, 1, 2) KTILE_CASE(K, 1, 3) \
    KTILE_CASE(K, 2, 1) KTILE_CASE(K, 2, 2) KTILE_CASE(K, 2, 3) \
    KTILE_CASE(K, 3, 1) KTILE_CASE(K, 3, 2) KTILE_CASE(K, 3, 3) \
    KTILE_CASE(K, 4, 1) KTILE_CASE(K, 4, 2) KTILE_CASE(K, 4, 3) }
static void tileK_45(int rm, int rn, const repackK_buf *rb, int ncols, const uint8_t *act, size_t astride, float *out, size_t ostride) { KTILE_SWITCH(0) }
static void tileK_6(int rm, int rn, const repackK_buf *rb, int ncols, const uint8_t *act, size_t astride, float *out, size_t ostride) { KTILE_SWITCH(2) }

void ck_gemmK_tiled(const int kind, const uint8_t *W, size_t wstride, int nrows,
                        const uint8_t *A, size_t astride, int nact, int ncols, float *out, size_t ostride) {
    repackK_buf *rb = get_kbuf(ncols);
    int chunk = (int)((CK_CHUNK_KB * 1024) / astride);
    chunk = chunk < TRN ? TRN : chunk / TRN * TRN;
    for (int a0 = 0; a0 < nact; a0 += chunk) {
        const int a1 = a0 + chunk < nact ? a0 + chunk : nact;
        for (int r = 0; r < nrows; r += TRM) {
            const int rm = nrows - r < TRM ? nrows - r : TRM;
            switch (kind) {
            case 0: repackK(0, W + (size_t)r * wstride, wstride, rm, ncols, rb); break;
            case 1: repackK(1, W + (size_t)r * wstride, wstride, rm, ncols, rb); break;
            default: repackK(2, W + (size_t)r * wstride, wstride, rm, ncols, rb); break;
            }
            for (int a = a0; a < a1; a += TRN) {
                const int rn = a1 - a < TRN ? a1 - a : TRN;
                if (kind == 2) tileK_6(rm, rn, rb, ncols, A + (size_t)a * astride, astride, out + (size_t)a * ostride + r, ostride);
                else tileK_45(rm, rn, rb, ncols, A + (size_t)a * astride, astride, out + (size_t)a * ostride + r, ostride);
            }
        }
    }
}
