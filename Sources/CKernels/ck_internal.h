// Shared by the CKernels translation units (not part of the public header).
// AVX2 integer-dot kernels for quantized matrix products (activations quantized to 8 bit: Q8_32 for
// Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 weights, Q8_K for Q4_K/Q5_K/Q6_K).
// Measured in KernelBench (1 thread, decode dot, 896x4864): vs the portable Swift-SIMD versions
// (Kernels/SwiftSIMDDots.swift) the C kernels are ~130-600x faster for Q8_0 and ~400x for Q4_K
// (the Swift int8 widening code does not vectorise to maddubs/madd).
// Batches (ck_gemm with nact >= CK_TILED_MIN, i.e. prompt processing) use the tiled path: weight rows
// are unpacked once per activation chunk and multiplied in register tiles (gemm32_tiled, gemmK_tiled);
// 1 thread, count 512, vs the per-row path: Q5_0 2048x640 28 -> 16 ms, Q6_K 896x4864 57 -> 39 ms.
#pragma once
#include "CKernels.h"
#include <immintrin.h>
#include <string.h>
#include <math.h>
#include <stdlib.h>

#define INLINE static inline __attribute__((always_inline))

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

// Register-tile sizes of the tiled batch products (32-element types: TRM×TRN; signed: SRM×SRN).
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

// Blocks per column chunk of the 32-element tiled products (the offset terms of a chunk are added before
// its blocks: the AVX2 and VNNI versions must use the same value to stay bit-identical).
#define TKB 64

// Tiled batch products (gemm_tiled32.c, gemm_tiled_k.c), called by ck_gemm for prompt batches, and their
// AVX-512 VNNI versions (gemm_tiled32_vnni.c, gemm_tiled_k_vnni.c) with bit-identical results.
void ck_gemm32_tiled(const int kind, const uint8_t *W, size_t wstride, int nrows,
                     const uint8_t *A, size_t astride, int nact, int ncols, float *out, size_t ostride);
void ck_gemmK_tiled(const int kind, const uint8_t *W, size_t wstride, int nrows,
                    const uint8_t *A, size_t astride, int nact, int ncols, float *out, size_t ostride);
void ck_gemm32_tiled_vnni(const int kind, const uint8_t *W, size_t wstride, int nrows,
                          const uint8_t *A, size_t astride, int nact, int ncols, float *out, size_t ostride);
void ck_gemmK_tiled_vnni(const int kind, const uint8_t *W, size_t wstride, int nrows,
                         const uint8_t *A, size_t astride, int nact, int ncols, float *out, size_t ostride);

// AVX-512 versions of the trainer's float products (sgemm_avx512.c), bit-identical to the AVX2 ones.
void ck_sgemm_avx512(int M, int N, int K, const float *A, size_t lda, const float *B, size_t ldb, float *C, size_t ldc,
                     int accumulate, int mask, int diag);
void ck_outer_accumulate_avx512(int count, int r, const float *coef, size_t ldc, const float *rows, size_t ldr,
                                int j0, int j1, float *out, size_t ldo);

// Functions compiled for AVX-512 (F, BW, VL, VNNI) while the package is built for AVX2: called only
// after ck_kernel_level() chose the VNNI path.
#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define VINLINE static inline __attribute__((always_inline)) VNNI_TARGET
