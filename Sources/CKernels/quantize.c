// Activation quantization: 8-bit blocks of 32 (Q8_32, FP16-rounded scale and sum as in llama.cpp's
// Q8_0/Q8_1) and of 256 (Q8_K, float scale, 16-element sums).
#include "ck_internal.h"


size_t ck_act_stride_q8_32(int n) { size_t b = (size_t)n + (size_t)((n / 32 + 7) & ~7) * 8; return (b + 63) & ~(size_t)63; }
size_t ck_act_stride_q8_K(int n) { size_t b = (size_t)n + (size_t)(n / 256) * 4 + (size_t)(n / 16) * 2; return (b + 63) & ~(size_t)63; }

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
