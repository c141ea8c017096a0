#ifndef CKERNELS_H
#define CKERNELS_H
#include <stdint.h>
#include <stddef.h>

/// CPU spin-wait hint.
static inline void ck_pause(void) { __builtin_ia32_pause(); }

#endif
