// AVX2 integer-dot kernels for quantized matrix products (activations quantized to 8 bit: Q8_32 for
// Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 weights, Q8_K for Q4_K/Q5_K/Q6_K).
// Measured in KernelBench (1 thread, decode dot, 896x4864): vs the portable Swift-SIMD versions
// (Kernels/SwiftSIMDDots.swift) the C kernels are ~130-600x faster for Q8_0 and ~400x for Q4_K
// (the Swift int8 widening code does not vectorise to maddubs/madd).
// Batches (ck_gemm with nact >= CK_TILED_MIN, i.e. prompt processing) use the tiled path: weight rows
// are unpacked once per activation chunk and multiplied in register tiles (gemm32_tiled, gemmK_tiled);
// 1 thread, count 512, vs the per-row path: Q5_0 2048x640 28 -> 16 ms, Q6_K 896x4864 57 -> 39 ms.
#include "CKernels.h"
#include <immintrin.h>
#include <string.h>
#include <math.h>
#include <stdlib.h>

#define INLINE static inline __attribute__((always_inline))

size_t ck_act_stride_q8_32(int n) { size_t b = (size_t)n + (size_t)((n / 32 + 7) & ~7) * 8; return (b + 63) & ~(size_t)63; }
size_t ck_act_stride_q8_K(int n) { size_t b = (size_t)n + (size_t)(n / 256) * 4 + (size_t)(n / 16) * 2; return (b + 63) & ~(size_t)63; }

INLINE float hsum_ps(__m256 v) {
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}
INLINE int hsum_i32(__m256i v) {
    __m128i r = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    r = _mm_add_epi32(r, _mm_shuffle_epi32(r, 0x4e));
    r = _mm_add_epi32(r, _mm_shuffle_epi32(r, 0xb1));
    return _mm_cvtsi128_si32(r);
}
INLINE float max_abs8(__m256 v) {
    __m128 r = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    r = _mm_max_ps(r, _mm_movehl_ps(r, r));
    r = _mm_max_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}
INLINE float h2f(uint16_t h) { return _cvtsh_ss(h); }
INLINE uint16_t ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

// Quantizes 32 floats with scale 1/id into int8 (round to nearest even), returns the 4 int32 sums... as int.
INLINE __m256i quant32(const float *x, __m256 vid) {
    __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x), vid));
    __m256i i1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8), vid));
    __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 16), vid));
    __m256i i3 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 24), vid));
    __m256i p01 = _mm256_packs_epi32(i0, i1), p23 = _mm256_packs_epi32(i2, i3);
    __m256i b = _mm256_packs_epi16(p01, p23);
    // undo the lane interleaving of the packs
    return _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}
INLINE float absmax(const float *x, int n) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    for (int i = 0; i < n; i += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + i)));
    return max_abs8(m);
}

INLINE float round_fp16(float x) {
    return _cvtsh_ss(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT));
}

void ck_quantize_q8_32(const float *x, int n, void *record) {
    int nb = n / 32, nb8 = (nb + 7) & ~7;
    int8_t *qs = (int8_t *)record;
    float *d = (float *)(qs + n), *s = d + nb8;
    for (int b = nb; b < nb8; b++) { d[b] = 0.0f; s[b] = 0.0f; }
    const __m256i ones16 = _mm256_set1_epi16(1);
    for (int b = 0; b < nb; b++) {
        float amax = absmax(x + 32 * b, 32);
        float dd = amax / 127.0f, id = amax > 0 ? 127.0f / amax : 0.0f;
        __m256i q = quant32(x + 32 * b, _mm256_set1_ps(id));
        _mm256_storeu_si256((__m256i *)(qs + 32 * b), q);
        __m256i s16 = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), q), ones16);
        // llama.cpp keeps the block scale and the block sum as FP16 (block_q8_0 / block_q8_1);
        // rounding them the same way keeps our logits within its rounding noise.
        d[b] = round_fp16(dd);
        s[b] = round_fp16(dd * (float)hsum_i32(s16));
    }
}

void ck_quantize_q8_K(const float *x, int n, void *record) {
    int nb = n / 256;
    int8_t *qs = (int8_t *)record;
    float *d = (float *)(qs + n);
    int16_t *bs = (int16_t *)(d + nb);
    for (int b = 0; b < nb; b++) {
        float amax = absmax(x + 256 * b, 256);
        float id = amax > 0 ? 127.0f / amax : 0.0f;
        __m256 vid = _mm256_set1_ps(id);
        d[b] = amax / 127.0f;
        for (int k = 0; k < 8; k++) {
            __m256i q = quant32(x + 256 * b + 32 * k, vid);
            _mm256_storeu_si256((__m256i *)(qs + 256 * b + 32 * k), q);
            // sums of each 16: maddubs with ones gives 16 pair-sums; hadd within 8-lanes groups
            __m256i p = _mm256_maddubs_epi16(_mm256_set1_epi8(1), q);          // 16 × int16 pair sums
            __m256i s32 = _mm256_madd_epi16(p, _mm256_set1_epi16(1));           // 8 × int32 (4 elements each)
            // lanes 0..3 = elements 0..15, lanes 4..7 = 16..31
            __m128i lo = _mm256_castsi256_si128(s32), hi = _mm256_extracti128_si256(s32, 1);
            int s0 = _mm_cvtsi128_si32(_mm_add_epi32(_mm_add_epi32(lo, _mm_shuffle_epi32(lo, 0x4e)), _mm_shuffle_epi32(_mm_add_epi32(lo, _mm_shuffle_epi32(lo, 0x4e)), 0xb1)));
            int s1 = _mm_cvtsi128_si32(_mm_add_epi32(_mm_add_epi32(hi, _mm_shuffle_epi32(hi, 0x4e)), _mm_shuffle_epi32(_mm_add_epi32(hi, _mm_shuffle_epi32(hi, 0x4e)), 0xb1)));
            bs[16 * b + 2 * k] = (int16_t)s0;
            bs[16 * b + 2 * k + 1] = (int16_t)s1;
        }
    }
}

// ---------------------------------------------------------------- helpers
INLINE __m256i unpack_nibbles(const uint8_t *q) {   // 16 bytes -> 32 values: low nibbles then high nibbles
    __m128i v = _mm_loadu_si128((const __m128i *)q);
    __m256i w = _mm256_set_m128i(_mm_srli_epi16(v, 4), v);
    return _mm256_and_si256(w, _mm256_set1_epi8(0x0F));
}
INLINE __m256i bits_to_bytes(const uint8_t *p) {   // 32 bits -> 0xFF where set
    uint32_t x; memcpy(&x, p, 4);
    const __m256i shuf = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0x0000000000000000);
    __m256i b = _mm256_shuffle_epi8(_mm256_set1_epi32((int)x), shuf);
    b = _mm256_or_si256(b, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe));
    return _mm256_cmpeq_epi8(b, _mm256_set1_epi64x(-1));
}
INLINE __m256 dot_u8s8_ps(__m256i u, __m256i s) {   // Σ over 32 (in 8 lanes) as float
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
}

#define MAXA 4
#ifndef CK_CHUNK_KB
#define CK_CHUNK_KB 256
#endif
#ifndef CK_TILED_MIN
#define CK_TILED_MIN 8
#endif

// ------------------------------------------------------------- 32-element block types
// kind: 0 = Q4_0, 1 = Q4_1, 2 = Q5_0, 3 = Q5_1, 4 = Q8_0
INLINE int bpb32(const int kind) { return kind == 0 ? 18 : kind == 1 ? 20 : kind == 2 ? 22 : kind == 3 ? 24 : 34; }

// Unpacks one weight block to unsigned (kinds 0-3) or |w| (kind 4, *sgn = w).
INLINE __m256i unpack32(const int kind, const uint8_t *p, __m256i *sgn) {
    switch (kind) {
    case 0: return unpack_nibbles(p + 2);
    case 1: return unpack_nibbles(p + 4);
    case 2: return _mm256_or_si256(unpack_nibbles(p + 6), _mm256_and_si256(bits_to_bytes(p + 2), _mm256_set1_epi8(0x10)));
    case 3: return _mm256_or_si256(unpack_nibbles(p + 8), _mm256_and_si256(bits_to_bytes(p + 4), _mm256_set1_epi8(0x10)));
    default: { __m256i w = _mm256_loadu_si256((const __m256i *)(p + 2)); *sgn = w; return _mm256_sign_epi8(w, w); }
    }
}

// Gathers the f16 at byte offset `off` of 8 consecutive blocks as floats.
INLINE __m256 gather8_f16(const uint8_t *p, const int bpb, const int off) {
    __m128i h = _mm_setr_epi16((short)ld16(p + off), (short)ld16(p + bpb + off), (short)ld16(p + 2 * bpb + off), (short)ld16(p + 3 * bpb + off),
                               (short)ld16(p + 4 * bpb + off), (short)ld16(p + 5 * bpb + off), (short)ld16(p + 6 * bpb + off), (short)ld16(p + 7 * bpb + off));
    return _mm256_cvtph_ps(h);
}

// One weight row against na activation rows. Scales are handled 8 blocks at a time as vectors:
// dd = d_w · d_a for 8 blocks (one multiply), broadcast per block with a lane permute; the offset/min
// term Σ m_w · s_a is one FMA per 8 blocks and is folded into the same accumulator.
INLINE void gemm32_row(const int kind, const int na, const uint8_t *w, const uint8_t *act, size_t astride,
                       int ncols, float *out, size_t ostride) {
    const int nb = ncols / 32;
    const int bpb = bpb32(kind);
    const int two = na <= 2;   // second accumulator set to break the FMA dependency chain
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
        __m256 dd[MAXA];
        for (int j = 0; j < na; j++) {
            dd[j] = _mm256_mul_ps(dw, _mm256_loadu_ps(ad[j] + b));
            if (kind != 4) acc[j] = _mm256_fmadd_ps(m, _mm256_loadu_ps(as[j] + b), acc[j]);
        }
        for (int k = 0; k < 8; k++) {
            __m256i sgn = _mm256_setzero_si256();
            const __m256i wq = unpack32(kind, p + k * bpb, &sgn);
            const __m256i idx = _mm256_set1_epi32(k);
            for (int j = 0; j < na; j++) {
                __m256i a = _mm256_loadu_si256((const __m256i *)(aq[j] + 32 * (b + k)));
                if (kind == 4) a = _mm256_sign_epi8(a, sgn);
                const __m256 sc = _mm256_permutevar8x32_ps(dd[j], idx);
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

// ------------------------------------------------------------- K-quants (Q8_K activations)
INLINE void k_scales(const uint8_t *s12, uint32_t utmp[4]) {
    const uint32_t kmask1 = 0x3f3f3f3f, kmask2 = 0x0f0f0f0f, kmask3 = 0x03030303;
    memcpy(utmp, s12, 12);
    utmp[3] = ((utmp[2] >> 4) & kmask2) | (((utmp[1] >> 6) & kmask3) << 4);
    const uint32_t uaux = utmp[1] & kmask1;
    utmp[1] = (utmp[2] & kmask2) | (((utmp[0] >> 6) & kmask3) << 4);
    utmp[2] = uaux;
    utmp[0] &= kmask1;
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

// ------------------------------------------------------------- tiled batch path (32-element types)
// For many activation rows, RM weight rows are first unpacked ("repacked") to bytes + float scales,
// then RM x RN tiles run with all accumulators in registers: per (weight block, activation row) pair
// one maddubs (activation as the memory operand), one madd, one convert and one FMA with the
// precomputed scale product d_w·d_a broadcast from a small table.
#ifndef TRM
#define TRM 4
#endif
#ifndef TRN
#define TRN 3
#endif
#ifndef SRM
#define SRM 3
#endif
#ifndef SRN
#define SRN 3
#endif

// out[j·ostride + i] = Σ lanes of acc[i][j]; four at a time with a horizontal-add tree.
INLINE void store_sums(const int RM, const int RN, __m256 acc[TRM][TRN], float *out, size_t ostride) {
    for (int i = 0; i < RM; i++) {
        if (RN == 4 && TRN >= 4) {
            const __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(acc[i][0], acc[i][1]), _mm256_hadd_ps(acc[i][2], acc[i][3]));
            const __m128 r = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
            float t[4];
            _mm_storeu_ps(t, r);
            for (int j = 0; j < 4; j++) out[j * ostride + i] = t[j];
        } else {
            for (int j = 0; j < RN; j++) out[j * ostride + i] = hsum_ps(acc[i][j]);
        }
    }
}

#define TKB 64   // blocks per column chunk (fixed scale-table stride: constant address offsets)

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

static void gemm32_tiled(const int kind, const uint8_t *W, size_t wstride, int nrows,
                         const uint8_t *A, size_t astride, int nact, int ncols, float *out, size_t ostride) {
    repack_buf *rb = get_buf(ncols);
    const int tm = kind == 4 ? SRM : TRM, tn = kind == 4 ? SRN : TRN;   // Q8_0: smaller tile (no spills with the sign trick)
    // activation chunk: ~256 KB of quantized activations (stays in L2 while the weight rows pass)
    int chunk = (int)((CK_CHUNK_KB * 1024) / astride);
    chunk = chunk < tn ? tn : chunk / tn * tn;
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

static void gemmK_tiled(const int kind, const uint8_t *W, size_t wstride, int nrows,
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

// ------------------------------------------------------------- driver
INLINE void row_dispatch(int type, const int na, const uint8_t *w, const uint8_t *act, size_t astride, int ncols, float *out, size_t ostride) {
    switch (type) {
    case CK_Q4_0: gemm32_row(0, na, w, act, astride, ncols, out, ostride); break;
    case CK_Q4_1: gemm32_row(1, na, w, act, astride, ncols, out, ostride); break;
    case CK_Q5_0: gemm32_row(2, na, w, act, astride, ncols, out, ostride); break;
    case CK_Q5_1: gemm32_row(3, na, w, act, astride, ncols, out, ostride); break;
    case CK_Q8_0: gemm32_row(4, na, w, act, astride, ncols, out, ostride); break;
    case CK_Q4_K: gemm45k_row(0, na, w, act, astride, ncols, out, ostride); break;
    case CK_Q5_K: gemm45k_row(1, na, w, act, astride, ncols, out, ostride); break;
    case CK_Q6_K: gemm6k_row(na, w, act, astride, ncols, out, ostride); break;
    }
}

#define DEF_ROWS(NA) \
static void rows_##NA(int type, const uint8_t *w, size_t wstride, int nrows, const uint8_t *act, size_t astride, int ncols, float *out, size_t ostride) { \
    for (int r = 0; r < nrows; r++) row_dispatch(type, NA, w + (size_t)r * wstride, act, astride, ncols, out + r, ostride); \
}
DEF_ROWS(1)
DEF_ROWS(2)
DEF_ROWS(3)
DEF_ROWS(4)

int ck_gemm(int type, const void *w, size_t wstride, int nrows,
            const void *act, size_t astride, int nact, int ncols,
            float *out, size_t ostride) {
    switch (type) {
    case CK_Q4_0: case CK_Q4_1: case CK_Q5_0: case CK_Q5_1: case CK_Q8_0: case CK_Q4_K: case CK_Q5_K: case CK_Q6_K: break;
    default: return 0;
    }
    const uint8_t *W = (const uint8_t *)w, *A = (const uint8_t *)act;
    if (nact >= CK_TILED_MIN && type <= CK_Q8_0) {
        const int kind = type == CK_Q4_0 ? 0 : type == CK_Q4_1 ? 1 : type == CK_Q5_0 ? 2 : type == CK_Q5_1 ? 3 : 4;
        gemm32_tiled(kind, W, wstride, nrows, A, astride, nact, ncols, out, ostride);
        return 1;
    }
    if (nact >= CK_TILED_MIN) {
        gemmK_tiled(type == CK_Q4_K ? 0 : type == CK_Q5_K ? 1 : 2, W, wstride, nrows, A, astride, nact, ncols, out, ostride);
        return 1;
    }
    // Activation chunks keep the working set in L2; weight rows are re-read from L2/L3 per chunk.
    const int chunk = 64;
    for (int a0 = 0; a0 < nact; a0 += chunk) {
        const int a1 = a0 + chunk < nact ? a0 + chunk : nact;
        int a = a0;
        for (; a + 4 <= a1; a += 4) rows_4(type, W, wstride, nrows, A + (size_t)a * astride, astride, ncols, out + (size_t)a * ostride, ostride);
        switch (a1 - a) {
        case 3: rows_3(type, W, wstride, nrows, A + (size_t)a * astride, astride, ncols, out + (size_t)a * ostride, ostride); break;
        case 2: rows_2(type, W, wstride, nrows, A + (size_t)a * astride, astride, ncols, out + (size_t)a * ostride, ostride); break;
        case 1: rows_1(type, W, wstride, nrows, A + (size_t)a * astride, astride, ncols, out + (size_t)a * ostride, ostride); break;
        }
    }
    return 1;
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

// ------------------------------------------------------------- activations (8 lanes, polynomial exp)
// exp(x): x = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial (Cephes expf coefficients), 2^n via the
// exponent bits. Relative error ~1e-7 for |x| ≤ 87; inputs are clamped to [-87.3, 88.3].
INLINE __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500E-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507E-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073E-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894E-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459E-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201E-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    // 2^n in two halves so that n = 128 (x near 88.3) does not overflow the exponent field
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i h = _mm256_srai_epi32(ni, 1);
    const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h, _mm256_set1_epi32(127)), 23));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, h), _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}
// x·sigmoid(k·x)-style: gelu_tanh(x) = x / (1 + exp(-2·√(2/π)·(x + 0.044715 x³)))
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
