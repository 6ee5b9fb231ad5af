/* SPDX-License-Identifier: MIT */
/* Compiler helpers shared by every layer (internal, never installed). */
#ifndef DMAWIN_COMMON_COMPILER_H
#define DMAWIN_COMMON_COMPILER_H

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define noinline __attribute__((noinline))
#define always_inline inline __attribute__((always_inline))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define DW_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DW_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Power-of-two alignment helpers on 64-bit values; `align` must be a power of two. */
#define DW_ALIGN_DOWN(x, align) ((x) & ~((uint64_t)(align)-1))
#define DW_ALIGN_UP(x, align) (((x) + ((uint64_t)(align)-1)) & ~((uint64_t)(align)-1))
#define DW_IS_ALIGNED(x, align) (((x) & ((uint64_t)(align)-1)) == 0)

#endif
