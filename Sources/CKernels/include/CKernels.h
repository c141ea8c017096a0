#ifndef CKERNELS_H
#define CKERNELS_H
#include <stdint.h>
#include <stddef.h>

/// CPU spin-wait hint.
static inline void ck_pause(void) { __builtin_ia32_pause(); }

/// Activation formats (one record per activation row, `stride` bytes apart, 64-byte aligned):
///  Q8_32: int8 qs[n] | float d[n/32] | float s[n/32]      (s = d * Σqs of the block)
///  Q8_K : int8 qs[n] | float d[n/256] | int16 bsums[n/16] (Σqs of each 16 elements)
size_t ck_act_stride_q8_32(int n);
size_t ck_act_stride_q8_K(int n);
void ck_quantize_q8_32(const float *x, int n, void *record);
void ck_quantize_q8_K(const float *x, int n, void *record);

/// ggml type numbers understood by ck_gemm.
enum { CK_Q4_0 = 2, CK_Q4_1 = 3, CK_Q5_0 = 6, CK_Q5_1 = 7, CK_Q8_0 = 8, CK_Q4_K = 12, CK_Q5_K = 13, CK_Q6_K = 14 };

/// Integer kernel paths. Chosen once on first use: AVX-512 VNNI when the CPU and OS support it, unless
/// the environment variable GROUPQWEN_KERNELS=avx2 forces AVX2. Both give bit-identical results.
enum { CK_KERNELS_AVX2 = 0, CK_KERNELS_AVX512_VNNI = 1 };
int ck_kernel_level(void);

/// Sums `count` floats read sequentially (memory-bandwidth measurement; the sum only keeps the reads).
float ck_read_sum(const float *p, size_t count);
/// Whether this CPU can run `level`.
int ck_kernel_supported(int level);
/// Forces a path (tests, benchmarks; not while products run); an unsupported level selects AVX2.
/// Returns the level in effect.
int ck_set_kernel_level(int level);

/// Whether `type` uses Q8_K activations (else Q8_32).
static inline int ck_uses_q8_K(int type) { return type >= CK_Q4_K; }

/// out[a * ostride + r] = Σ_c W[r][c] · act[a][c] for r < nrows, a < nact.
/// w: row 0 of the quantized rows (wstride bytes apart); act: first activation record (astride bytes apart).
/// Returns 0 if the type is not supported.
int ck_gemm(int type, const void *w, size_t wstride, int nrows,
            const void *act, size_t astride, int nact, int ncols,
            float *out, size_t ostride);
/// ck_gemm, with each row's sum taken in the same order whatever nact is below 8 (a little slower for 3–4 rows).
int ck_gemm_uniform(int type, const void *w, size_t wstride, int nrows,
                    const void *act, size_t astride, int nact, int ncols,
                    float *out, size_t ostride);

/// F32 weights: out[a * ostride + r] = Σ_c w[r * ncols + c] · x[a * ncols + c]; ncols a multiple of 8.
void ck_gemm_f32(const float *w, int nrows, const float *x, int nact, int ncols, float *out, size_t ostride);
/// The same with F16 weights.
void ck_gemm_f16(const uint16_t *w, int nrows, const float *x, int nact, int ncols, float *out, size_t ostride);

/// Float dot of one F16 row with a float vector.
float ck_dot_f16(const uint16_t *w, const float *x, int n);

/// Element-wise activations (8 lanes with a polynomial exp, relative error ~1e-6). `out` may alias the inputs.
/// gelu: tanh approximation (ggml_gelu); geglu/swiglu: out = act(g) · u.
void ck_gelu(const float *x, int n, float *out);
void ck_silu(const float *x, int n, float *out);
void ck_geglu(const float *g, const float *u, int n, float *out);
void ck_swiglu(const float *g, const float *u, int n, float *out);
/// Backward of act = silu(g)·u (swiglu) or gelu(g)·u (geglu, tanh GELU): given d = ∂L/∂act, writes
/// dg = ∂L/∂g and du = ∂L/∂u.
void ck_swiglu_backward(const float *g, const float *u, const float *d, int n, float *dg, float *du);
void ck_geglu_backward(const float *g, const float *u, const float *d, int n, float *dg, float *du);
/// out[k·ldo + j] += Σ_t coef[t·ldc + k] · rows[t·ldr + j] for t < count, k < r, j in [j0, j1)
/// (LoRA weight gradients: a sum of outer products over tokens).
void ck_outer_accumulate(int count, int r, const float *coef, size_t ldc, const float *rows, size_t ldr,
                         int j0, int j1, float *out, size_t ldo);
/// Writes column c (c < columns) of a tile of 32 float rows as block `block` of row c of a Q8_0 matrix
/// whose rows are `out_row_bytes` apart: 32 rows of W become one block column of Wᵀ.
void ck_transpose_tile_q8_0(const float *tile, size_t tile_stride, int columns, void *out, size_t out_row_bytes, int block);
/// Row-major float product: C[i·ldc + j] = (accumulate ? C : 0) + Σ_k A[i·lda + k]·B[k·ldb + j] for i < M, j < N.
/// mask 0: everything; 1: row i needs only columns j ≤ i + diag (the rest of C is left as it was);
/// 2: A is lower triangular (A[i][k] = 0 for k > i + diag); 3: A is upper triangular (A[i][k] = 0 for k < i + diag).
void ck_sgemm(int M, int N, int K, const float *A, size_t lda, const float *B, size_t ldb, float *C, size_t ldc,
              int accumulate, int mask, int diag);
/// One row of the attention backward: p[j] = exp(p[j]·scale − lse), ds[j] = p[j]·(ds[j] − d)·scale for j < n.
void ck_attention_softmax_backward(float *p, float *ds, int n, float scale, float lse, float d);
/// x[i] = exp(x[i] - shift); returns the sum.
float ck_exp_shifted_sum(float *x, int n, float shift);
/// log Σ exp(x[i]), skipping NaNs: −inf when n = 0 or every element is −inf, +inf when one is +inf.
float ck_log_sum_exp(const float *x, int n);
/// Index of the largest element; the lowest index on ties; NaNs are skipped (0 if none is > −inf).
int ck_max_index(const float *x, int n);
#endif
