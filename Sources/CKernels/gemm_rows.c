// Per-row products (decode and small batches): one weight row against up to 4 activation rows,
// and the ck_gemm driver that picks the tiled path for prompt batches.
#include "ck_internal.h"

// One weight row against na activation rows. Scales are handled 8 blocks at a time as vectors:
// dd = d_w · d_a for 8 blocks (one multiply), broadcast per block with a lane permute; the offset/min
// term Σ m_w · s_a is one FMA per 8 blocks and is folded into the same accumulator.
INLINE void gemm32_row(const int kind, const int na, const int uniform, const uint8_t *w, const uint8_t *act, size_t astride,
                       int ncols, float *out, size_t ostride) {
    const int nb = ncols / 32;
    const int bpb = bpb32(kind);
    // A second accumulator set breaks the FMA dependency chain. With 3–4 rows the registers run short, so only
    // `uniform` (ck_gemm_uniform) uses it there: a row's sum is then the same whatever the number of rows, as
    // speculative verification needs to match single-row decoding.
    const int two = uniform || na <= 2;
    __m256 acc[MAXA], acc2[MAXA];
    const int8_t *aq[MAXA]; const float *ad[MAXA]; const float *as[MAXA];
    for (int j = 0; j < na; j++) {
        acc[j] = _mm256_setzero_ps(); acc2[j] = _mm256_setzero_ps();
        aq[j] = (const int8_t *)(act + j * astride);
        ad[j] = (const float *)(aq[j] + ncols); as[j] = ad[j] + ((nb + 7) & ~7);
    }
    int b = 0;
    for (; b + 8 <= nb; b += 8) {
        const uint8_t *p = w + (size_t)b * bpb;
        const __m256 dw = gather8_f16(p, bpb, 0);
        __m256 m;
        switch (kind) {
        case 0: m = _mm256_mul_ps(dw, _mm256_set1_ps(-8.0f)); break;
        case 2: m = _mm256_mul_ps(dw, _mm256_set1_ps(-16.0f)); break;
        case 1: case 3: m = gather8_f16(p, bpb, 2); break;
        default: m = _mm256_setzero_ps(); break;
        }
        // Per-block scales go through memory: a broadcast load costs a load port, not a shuffle µop,
        // which matters when 2–4 activation rows share each unpacked weight block.
        float dd[MAXA][8];
        for (int j = 0; j < na; j++) {
            _mm256_storeu_ps(dd[j], _mm256_mul_ps(dw, _mm256_loadu_ps(ad[j] + b)));
            if (kind != 4) acc[j] = _mm256_fmadd_ps(m, _mm256_loadu_ps(as[j] + b), acc[j]);
        }
        for (int k = 0; k < 8; k++) {
            __m256i sgn = _mm256_setzero_si256();
            const __m256i wq = unpack32(kind, p + k * bpb, &sgn);
            for (int j = 0; j < na; j++) {
                __m256i a = _mm256_loadu_si256((const __m256i *)(aq[j] + 32 * (b + k)));
                if (kind == 4) a = _mm256_sign_epi8(a, sgn);
                const __m256 sc = _mm256_broadcast_ss(&dd[j][k]);
                if (two && (k & 1)) acc2[j] = _mm256_fmadd_ps(dot_u8s8_ps(wq, a), sc, acc2[j]);
                else acc[j] = _mm256_fmadd_ps(dot_u8s8_ps(wq, a), sc, acc[j]);
            }
        }
    }
    float tail[MAXA] = {0};
    for (; b < nb; b++) {
        const uint8_t *p = w + (size_t)b * bpb;
        const float dw = h2f(ld16(p));
        const float m = kind == 0 ? -8.0f * dw : kind == 2 ? -16.0f * dw : (kind == 1 || kind == 3) ? h2f(ld16(p + 2)) : 0.0f;
        __m256i sgn = _mm256_setzero_si256();
        const __m256i wq = unpack32(kind, p, &sgn);
        for (int j = 0; j < na; j++) {
            __m256i a = _mm256_loadu_si256((const __m256i *)(aq[j] + 32 * b));
            if (kind == 4) a = _mm256_sign_epi8(a, sgn);
            acc[j] = _mm256_fmadd_ps(dot_u8s8_ps(wq, a), _mm256_set1_ps(dw * ad[j][b]), acc[j]);
            tail[j] += m * as[j][b];
        }
    }
    for (int j = 0; j < na; j++) out[j * ostride] = hsum_ps(_mm256_add_ps(acc[j], acc2[j])) + tail[j];
}
// kind: 0 = Q4_K, 1 = Q5_K
INLINE void gemm45k_row(const int kind, const int na, const uint8_t *w, const uint8_t *act, size_t astride,
                        int ncols, float *out, size_t ostride) {
    const int nb = ncols / 256;
    const int bpb = kind == 0 ? 144 : 176;
    __m256 acc[MAXA];
    const int8_t *aq[MAXA]; const float *ad[MAXA]; const int16_t *abs_[MAXA];
    for (int j = 0; j < na; j++) {
        acc[j] = _mm256_setzero_ps();
        aq[j] = (const int8_t *)(act + j * astride);
        ad[j] = (const float *)(aq[j] + ncols); abs_[j] = (const int16_t *)(ad[j] + nb);
    }
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const __m128i dup = _mm_setr_epi8(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    for (int b = 0; b < nb; b++) {
        const uint8_t *p = w + (size_t)b * bpb;
        const float d = h2f(ld16(p)), dmin = h2f(ld16(p + 2));
        uint32_t u[4];
        k_scales(p + 4, u);
        const uint8_t *sc = (const uint8_t *)u, *mn = sc + 8;
        const __m256i mins16 = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(_mm_loadl_epi64((const __m128i *)mn), dup));
        const uint8_t *qs = p + (kind == 0 ? 16 : 48);
        __m256i qh = kind == 1 ? _mm256_loadu_si256((const __m256i *)(p + 16)) : _mm256_setzero_si256();
        __m256i sumi[MAXA];
        for (int j = 0; j < na; j++) sumi[j] = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * c));
            __m256i lo = _mm256_and_si256(q, m4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
            if (kind == 1) {
                const __m256i one = _mm256_set1_epi8(1);
                lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c), one), 4));
                hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c + 1), one), 4));
            }
            const __m256i s0 = _mm256_set1_epi16(sc[2 * c]), s1 = _mm256_set1_epi16(sc[2 * c + 1]);
            for (int j = 0; j < na; j++) {
                __m256i a0 = _mm256_loadu_si256((const __m256i *)(aq[j] + 256 * b + 64 * c));
                __m256i a1 = _mm256_loadu_si256((const __m256i *)(aq[j] + 256 * b + 64 * c + 32));
                __m256i p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, a0), s0);
                __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, a1), s1);
                sumi[j] = _mm256_add_epi32(sumi[j], _mm256_add_epi32(p0, p1));
            }
        }
        for (int j = 0; j < na; j++) {
            __m256i bs = _mm256_loadu_si256((const __m256i *)(abs_[j] + 16 * b));
            __m256i mi = _mm256_madd_epi16(bs, mins16);
            const float da = ad[j][b];
            acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sumi[j]), _mm256_set1_ps(d * da), acc[j]);
            acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(mi), _mm256_set1_ps(-dmin * da), acc[j]);
        }
    }
    for (int j = 0; j < na; j++) out[j * ostride] = hsum_ps(acc[j]);
}

INLINE void gemm6k_row(const int na, const uint8_t *w, const uint8_t *act, size_t astride,
                       int ncols, float *out, size_t ostride) {
    const int nb = ncols / 256;
    __m256 acc[MAXA];
    const int8_t *aq[MAXA]; const float *ad[MAXA]; const int16_t *abs_[MAXA];
    for (int j = 0; j < na; j++) {
        acc[j] = _mm256_setzero_ps();
        aq[j] = (const int8_t *)(act + j * astride);
        ad[j] = (const float *)(aq[j] + ncols); abs_[j] = (const int16_t *)(ad[j] + nb);
    }
    const __m256i m4 = _mm256_set1_epi8(0x0F), m3 = _mm256_set1_epi8(3);
    for (int b = 0; b < nb; b++) {
        const uint8_t *p = w + (size_t)b * 210;
        const float d = h2f(ld16(p + 208));
        const int8_t *sc = (const int8_t *)(p + 192);
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)sc));
        __m256i sumi[MAXA];
        for (int j = 0; j < na; j++) sumi[j] = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            __m256i ql0 = _mm256_loadu_si256((const __m256i *)(p + 64 * h));
            __m256i ql1 = _mm256_loadu_si256((const __m256i *)(p + 64 * h + 32));
            __m256i qh = _mm256_loadu_si256((const __m256i *)(p + 128 + 32 * h));
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m3), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(ql1, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), m3), 4));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), m3), 4));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), m3), 4));
            for (int k = 0; k < 4; k++) {
                const int g = 8 * h + 2 * k;
                const __m256i s = _mm256_set_m128i(_mm_set1_epi16(sc[g + 1]), _mm_set1_epi16(sc[g]));
                for (int j = 0; j < na; j++) {
                    __m256i a = _mm256_loadu_si256((const __m256i *)(aq[j] + 256 * b + 128 * h + 32 * k));
                    sumi[j] = _mm256_add_epi32(sumi[j], _mm256_madd_epi16(_mm256_maddubs_epi16(q[k], a), s));
                }
            }
        }
        for (int j = 0; j < na; j++) {
            __m256i bs = _mm256_loadu_si256((const __m256i *)(abs_[j] + 16 * b));
            __m256i off = _mm256_slli_epi32(_mm256_madd_epi16(bs, sc16), 5);
            acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(sumi[j], off)), _mm256_set1_ps(d * ad[j][b]), acc[j]);
        }
    }
    for (int j = 0; j < na; j++) out[j * ostride] = hsum_ps(acc[j]);
}

// ------------------------------------------------------------- driver
INLINE void row_dispatch(int type, const int na, const int uniform, const uint8_t *w, const uint8_t *act, size_t astride, int ncols, float *out, size_t ostride) {
    switch (type) {
    case CK_Q4_0: gemm32_row(0, na, uniform, w, act, astride, ncols, out, ostride); break;
    case CK_Q4_1: gemm32_row(1, na, uniform, w, act, astride, ncols, out, ostride); break;
    case CK_Q5_0: gemm32_row(2, na, uniform, w, act, astride, ncols, out, ostride); break;
    case CK_Q5_1: gemm32_row(3, na, uniform, w, act, astride, ncols, out, ostride); break;
    case CK_Q8_0: gemm32_row(4, na, uniform, w, act, astride, ncols, out, ostride); break;
    case CK_Q4_K: gemm45k_row(0, na, w, act, astride, ncols, out, ostride); break;
    case CK_Q5_K: gemm45k_row(1, na, w, act, astride, ncols, out, ostride); break;
    case CK_Q6_K: gemm6k_row(na, w, act, astride, ncols, out, ostride); break;
    }
}

#define DEF_ROWS(NA) \
static void rows_##NA(int type, int uniform, const uint8_t *w, size_t wstride, int nrows, const uint8_t *act, size_t astride, int ncols, float *out, size_t ostride) { \
    for (int r = 0; r < nrows; r++) row_dispatch(type, NA, uniform, w + (size_t)r * wstride, act, astride, ncols, out + r, ostride); \
}
DEF_ROWS(1)
DEF_ROWS(2)
DEF_ROWS(3)
DEF_ROWS(4)

static int gemm(int type, const void *w, size_t wstride, int nrows, const void *act, size_t astride, int nact, int ncols,
                float *out, size_t ostride, int uniform) {
    switch (type) {
    case CK_Q4_0: case CK_Q4_1: case CK_Q5_0: case CK_Q5_1: case CK_Q8_0: case CK_Q4_K: case CK_Q5_K: case CK_Q6_K: break;
    default: return 0;
    }
    const uint8_t *W = (const uint8_t *)w, *A = (const uint8_t *)act;
    if (nact >= CK_TILED_MIN && type <= CK_Q8_0) {
        const int kind = type == CK_Q4_0 ? 0 : type == CK_Q4_1 ? 1 : type == CK_Q5_0 ? 2 : type == CK_Q5_1 ? 3 : 4;
        if (ck_kernel_level() == CK_KERNELS_AVX512_VNNI) ck_gemm32_tiled_vnni(kind, W, wstride, nrows, A, astride, nact, ncols, out, ostride);
        else ck_gemm32_tiled(kind, W, wstride, nrows, A, astride, nact, ncols, out, ostride);
        return 1;
    }
    if (nact >= CK_TILED_MIN) {
        const int kind = type == CK_Q4_K ? 0 : type == CK_Q5_K ? 1 : 2;
        if (ck_kernel_level() == CK_KERNELS_AVX512_VNNI) ck_gemmK_tiled_vnni(kind, W, wstride, nrows, A, astride, nact, ncols, out, ostride);
        else ck_gemmK_tiled(kind, W, wstride, nrows, A, astride, nact, ncols, out, ostride);
        return 1;
    }
    // Activation chunks keep the working set in L2; weight rows are re-read from L2/L3 per chunk.
    const int chunk = 64;
    for (int a0 = 0; a0 < nact; a0 += chunk) {
        const int a1 = a0 + chunk < nact ? a0 + chunk : nact;
        int a = a0;
        for (; a + 4 <= a1; a += 4) rows_4(type, uniform, W, wstride, nrows, A + (size_t)a * astride, astride, ncols, out + (size_t)a * ostride, ostride);
        switch (a1 - a) {
        case 3: rows_3(type, uniform, W, wstride, nrows, A + (size_t)a * astride, astride, ncols, out + (size_t)a * ostride, ostride); break;
        case 2: rows_2(type, uniform, W, wstride, nrows, A + (size_t)a * astride, astride, ncols, out + (size_t)a * ostride, ostride); break;
        case 1: rows_1(type, uniform, W, wstride, nrows, A + (size_t)a * astride, astride, ncols, out + (size_t)a * ostride, ostride); break;
        }
    }
    return 1;
}

int ck_gemm(int type, const void *w, size_t wstride, int nrows, const void *act, size_t astride, int nact, int ncols,
            float *out, size_t ostride) {
    return gemm(type, w, wstride, nrows, act, astride, nact, ncols, out, ostride, 0);
}

int ck_gemm_uniform(int type, const void *w, size_t wstride, int nrows, const void *act, size_t astride, int nact, int ncols,
                    float *out, size_t ostride) {
    return gemm(type, w, wstride, nrows, act, astride, nact, ncols, out, ostride, 1);
}

float ck_dot_f16(const uint16_t *w, const float *x, int n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i))), _mm256_loadu_ps(x + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i + 8))), _mm256_loadu_ps(x + i + 8), a1);
    }
    float s = hsum_ps(_mm256_add_ps(a0, a1));
    for (; i < n; i++) s += _cvtsh_ss(w[i]) * x[i];
    return s;
}
