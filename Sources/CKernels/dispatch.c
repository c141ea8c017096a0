// Run-time choice of the integer kernels: AVX-512 VNNI (vpdpbusd) when the CPU and the OS support it,
// else AVX2. Decided once, on first use; GROUPQWEN_KERNELS=avx2 forces the AVX2 path (to compare both on
// one host). Both paths give bit-identical results (same integer sums, same float operation order).
#include "ck_internal.h"
#include <cpuid.h>
#include <stdlib.h>
#include <string.h>

static int cpu_has_vnni512(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return 0;
    // XCR0: SSE, AVX, opmask, ZMM_Hi256 and Hi16_ZMM state must all be enabled by the OS.
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xE6) != 0xE6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    const int f = (b >> 16) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1, vnni = (c >> 11) & 1;
    return f && bw && vl && vnni;
}

static int ck_level = -1;   // -1: not decided; else CK_KERNELS_*

int ck_kernel_supported(int level) {
    return level == CK_KERNELS_AVX2 || (level == CK_KERNELS_AVX512_VNNI && cpu_has_vnni512());
}

int ck_kernel_level(void) {
    int l = __atomic_load_n(&ck_level, __ATOMIC_RELAXED);
    if (l >= 0) return l;
    const char *env = getenv("GROUPQWEN_KERNELS");
    l = (env && strcmp(env, "avx2") == 0) ? CK_KERNELS_AVX2
      : cpu_has_vnni512() ? CK_KERNELS_AVX512_VNNI : CK_KERNELS_AVX2;
    __atomic_store_n(&ck_level, l, __ATOMIC_RELAXED);
    return l;
}

int ck_set_kernel_level(int level) {
    const int l = ck_kernel_supported(level) ? level : CK_KERNELS_AVX2;
    __atomic_store_n(&ck_level, l, __ATOMIC_RELAXED);
    return l;
}
