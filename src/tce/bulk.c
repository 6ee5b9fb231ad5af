/* SPDX-License-Identifier: MIT */
/*
 * Bulk entry stores (stuff, put_array, clear): write a run of entries of one level and say
 * whether the generation must move (an old entry was mapped and its value changes).
 *
 * Readers load entries concurrently (acquire), so every entry must change in one 64-bit piece.
 * The portable loop does one relaxed load and one release store per entry; that is the C11 way
 * to say it, and it runs at a quarter of memset. On x86-64 with AVX2 the middle of the run,
 * from the first 32-byte aligned entry, goes through one inline asm loop instead that loads the
 * old values, compares and stores the new ones 32 bytes at a time. Why that is correct:
 *  - Single-copy atomicity: an aligned 32-byte store never crosses a cache line, and x86 commits
 *    a store to one line at once; each of its aligned qwords is written whole, as aligned 8-byte
 *    MOVs are (SDM vol. 3 "Guaranteed Atomic Operations"). A reader's 8-byte load sees an entry
 *    either old or new, never torn, exactly as with the atomic stores. The loads of the old
 *    values are aligned qwords of aligned 32-byte loads likewise.
 *  - Ordering: x86 (TSO) keeps stores in program order and loads are not reordered with older
 *    loads, so at the hardware level every store is a release store and every load an acquire
 *    load, vector moves included (no non-temporal or string stores are used). The asm has a
 *    "memory" clobber, so the compiler neither moves earlier accesses after it nor later ones
 *    before it. The generation bump that follows is a locked RMW (release) and orders all of
 *    these stores before itself: a reader who sees the new generation sees the new entries.
 *  - What C11 does not see: the asm is opaque to the memory model; to the compiler it is an
 *    unknown function that reads and writes memory, so there is no C-level data race with the
 *    readers' atomic loads, and the compiler cannot assume anything about these words. TSan
 *    instruments only compiled C accesses, so it does not see the asm stores either (it sees
 *    the atomic head and tail entries; the threaded test still checks values and generations).
 *  - The bump decision reads each old value right before the same entry's store (same as the
 *    portable loop), so it is exact whenever no other writer writes the same entries at the
 *    same time, the contract of dmawin/tce.h.
 * Without AVX2 (checked once per call via the compiler's CPU model) and on other
 * architectures, the portable loop runs.
 */
#include "tce/tce_int.h"

/* Non-zero (in the permission bits) when replacing @old by @new_tce must bump the generation. */
static inline uint64_t changed_mapping(uint64_t old, uint64_t new_tce)
{
	return (old & DMAWIN_TCE_PERM_MASK) & -(uint64_t)(old != new_tce);
}

/* The portable loop: accumulated without branches, unrolled to keep several stores in flight. */
static uint64_t fill_atomic(uint64_t *p, uint64_t n, uint64_t tce)
{
	uint64_t bump = 0, i = 0;

	for (; i + 4 <= n; i += 4) {
		uint64_t o0 = tce_load_relaxed(&p[i]), o1 = tce_load_relaxed(&p[i + 1]);
		uint64_t o2 = tce_load_relaxed(&p[i + 2]), o3 = tce_load_relaxed(&p[i + 3]);

		bump |= changed_mapping(o0, tce) | changed_mapping(o1, tce) |
			changed_mapping(o2, tce) | changed_mapping(o3, tce);
		tce_store(&p[i], tce);
		tce_store(&p[i + 1], tce);
		tce_store(&p[i + 2], tce);
		tce_store(&p[i + 3], tce);
	}
	for (; i < n; i++) {
		bump |= changed_mapping(tce_load_relaxed(&p[i]), tce);
		tce_store(&p[i], tce);
	}
	return bump;
}

static uint64_t copy_atomic(uint64_t *p, const uint64_t *tces, uint64_t n)
{
	uint64_t bump = 0, i = 0;

	for (; i + 4 <= n; i += 4) {
		uint64_t o0 = tce_load_relaxed(&p[i]), o1 = tce_load_relaxed(&p[i + 1]);
		uint64_t o2 = tce_load_relaxed(&p[i + 2]), o3 = tce_load_relaxed(&p[i + 3]);

		bump |= changed_mapping(o0, tces[i]) | changed_mapping(o1, tces[i + 1]) |
			changed_mapping(o2, tces[i + 2]) | changed_mapping(o3, tces[i + 3]);
		tce_store(&p[i], tces[i]);
		tce_store(&p[i + 1], tces[i + 1]);
		tce_store(&p[i + 2], tces[i + 2]);
		tce_store(&p[i + 3], tces[i + 3]);
	}
	for (; i < n; i++) {
		bump |= changed_mapping(tce_load_relaxed(&p[i]), tces[i]);
		tce_store(&p[i], tces[i]);
	}
	return bump;
}

#if defined(__x86_64__)
#define BLOCK_ENTRIES 16u /* one loop iteration: four 32-byte vectors */

/*
 * Per vector: eq = (old == new) per qword; acc |= old & ~eq. The permission bits of acc end up
 * non-zero exactly when some old entry was mapped and changes (changed_mapping() per lane).
 */
#define BULK_REDUCE                                                                                \
	"vextracti128 $1, %%ymm3, %%xmm1\n\t"                                                      \
	"vpor %%xmm1, %%xmm3, %%xmm3\n\t"                                                          \
	"vpshufd $0x4e, %%xmm3, %%xmm1\n\t"                                                        \
	"vpor %%xmm1, %%xmm3, %%xmm3\n\t"                                                          \
	"vmovq %%xmm3, %[acc]\n\t"                                                                 \
	"vzeroupper\n\t"

/* Store @tce in @blocks * 16 entries from @p (32-byte aligned); returns the accumulated bits. */
static uint64_t fill_avx2(uint64_t *p, uint64_t blocks, uint64_t tce)
{
	uint64_t acc;

	__asm__ volatile("vmovq %[tce], %%xmm0\n\t"
			 "vpbroadcastq %%xmm0, %%ymm0\n\t"
			 "vpxor %%xmm3, %%xmm3, %%xmm3\n\t"
			 "1:\n\t"
			 "vmovdqa (%[p]), %%ymm1\n\t"
			 "vmovdqa 32(%[p]), %%ymm2\n\t"
			 "vmovdqa 64(%[p]), %%ymm6\n\t"
			 "vmovdqa 96(%[p]), %%ymm7\n\t"
			 "vpcmpeqq %%ymm0, %%ymm1, %%ymm4\n\t"
			 "vpcmpeqq %%ymm0, %%ymm2, %%ymm5\n\t"
			 "vpcmpeqq %%ymm0, %%ymm6, %%ymm8\n\t"
			 "vpcmpeqq %%ymm0, %%ymm7, %%ymm9\n\t"
			 "vpandn %%ymm1, %%ymm4, %%ymm4\n\t"
			 "vpandn %%ymm2, %%ymm5, %%ymm5\n\t"
			 "vpandn %%ymm6, %%ymm8, %%ymm8\n\t"
			 "vpandn %%ymm7, %%ymm9, %%ymm9\n\t"
			 "vmovdqa %%ymm0, (%[p])\n\t"
			 "vmovdqa %%ymm0, 32(%[p])\n\t"
			 "vmovdqa %%ymm0, 64(%[p])\n\t"
			 "vmovdqa %%ymm0, 96(%[p])\n\t"
			 "vpor %%ymm4, %%ymm5, %%ymm4\n\t"
			 "vpor %%ymm8, %%ymm9, %%ymm8\n\t"
			 "vpor %%ymm4, %%ymm3, %%ymm3\n\t"
			 "vpor %%ymm8, %%ymm3, %%ymm3\n\t"
			 "sub $-128, %[p]\n\t"
			 "dec %[n]\n\t"
			 "jnz 1b\n\t" BULK_REDUCE
			 : [p] "+r"(p), [n] "+r"(blocks), [acc] "=r"(acc)
			 : [tce] "r"(tce)
			 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
			   "xmm9", "cc", "memory");
	return acc;
}

/* Store @src[0..@blocks * 16) in the entries from @p (32-byte aligned; @src any alignment). */
static uint64_t copy_avx2(uint64_t *p, const uint64_t *src, uint64_t blocks)
{
	uint64_t acc;

	__asm__ volatile("vpxor %%xmm3, %%xmm3, %%xmm3\n\t"
			 "1:\n\t"
			 "vmovdqu (%[s]), %%ymm0\n\t"
			 "vmovdqu 32(%[s]), %%ymm6\n\t"
			 "vmovdqu 64(%[s]), %%ymm10\n\t"
			 "vmovdqu 96(%[s]), %%ymm11\n\t"
			 "vmovdqa (%[p]), %%ymm1\n\t"
			 "vmovdqa 32(%[p]), %%ymm2\n\t"
			 "vmovdqa 64(%[p]), %%ymm7\n\t"
			 "vmovdqa 96(%[p]), %%ymm8\n\t"
			 "vpcmpeqq %%ymm0, %%ymm1, %%ymm4\n\t"
			 "vpcmpeqq %%ymm6, %%ymm2, %%ymm5\n\t"
			 "vpcmpeqq %%ymm10, %%ymm7, %%ymm9\n\t"
			 "vpcmpeqq %%ymm11, %%ymm8, %%ymm12\n\t"
			 "vpandn %%ymm1, %%ymm4, %%ymm4\n\t"
			 "vpandn %%ymm2, %%ymm5, %%ymm5\n\t"
			 "vpandn %%ymm7, %%ymm9, %%ymm9\n\t"
			 "vpandn %%ymm8, %%ymm12, %%ymm12\n\t"
			 "vmovdqa %%ymm0, (%[p])\n\t"
			 "vmovdqa %%ymm6, 32(%[p])\n\t"
			 "vmovdqa %%ymm10, 64(%[p])\n\t"
			 "vmovdqa %%ymm11, 96(%[p])\n\t"
			 "vpor %%ymm4, %%ymm5, %%ymm4\n\t"
			 "vpor %%ymm9, %%ymm12, %%ymm9\n\t"
			 "vpor %%ymm4, %%ymm3, %%ymm3\n\t"
			 "vpor %%ymm9, %%ymm3, %%ymm3\n\t"
			 "sub $-128, %[s]\n\t"
			 "sub $-128, %[p]\n\t"
			 "dec %[n]\n\t"
			 "jnz 1b\n\t" BULK_REDUCE
			 : [p] "+r"(p), [s] "+r"(src), [n] "+r"(blocks), [acc] "=r"(acc)
			 :
			 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
			   "xmm9", "xmm10", "xmm11", "xmm12", "cc", "memory");
	return acc;
}

/*
 * The release fence after the vector stores, before the caller bumps the generation or returns.
 * On x86 (TSO) a release fence emits no instruction, it only stops the compiler from moving
 * later accesses before it; this is that, written as an empty asm because GCC rejects
 * __atomic_thread_fence() under -fsanitize=thread.
 */
static inline void release_after_asm(void)
{
	__asm__ volatile("" ::: "memory");
}

/*
 * The run [p, p + n) as an atomic head up to 32-byte alignment, @blocks whole blocks for the
 * asm, and an atomic tail. Returns false (all atomic) for short runs or without AVX2.
 */
static bool vector_split(const uint64_t *p, uint64_t n, uint64_t *head, uint64_t *blocks)
{
	uint64_t h = ((32u - ((uintptr_t)p & 31u)) & 31u) / sizeof(uint64_t);

	if (n < h + BLOCK_ENTRIES || !__builtin_cpu_supports("avx2"))
		return false;
	*head = h;
	*blocks = (n - h) / BLOCK_ENTRIES;
	return true;
}

bool tce_bulk_fill(uint64_t *p, uint64_t n, uint64_t tce)
{
	uint64_t head, blocks, bump, done;

	if (!vector_split(p, n, &head, &blocks))
		return fill_atomic(p, n, tce) != 0;
	bump = fill_atomic(p, head, tce);
	bump |= fill_avx2(p + head, blocks, tce);
	done = head + blocks * BLOCK_ENTRIES;
	bump |= fill_atomic(p + done, n - done, tce);
	release_after_asm();
	return (bump & DMAWIN_TCE_PERM_MASK) != 0;
}

bool tce_bulk_copy(uint64_t *p, const uint64_t *tces, uint64_t n)
{
	uint64_t head, blocks, bump, done;

	if (!vector_split(p, n, &head, &blocks))
		return copy_atomic(p, tces, n) != 0;
	bump = copy_atomic(p, tces, head);
	bump |= copy_avx2(p + head, tces + head, blocks);
	done = head + blocks * BLOCK_ENTRIES;
	bump |= copy_atomic(p + done, tces + done, n - done);
	release_after_asm();
	return (bump & DMAWIN_TCE_PERM_MASK) != 0;
}

#else

bool tce_bulk_fill(uint64_t *p, uint64_t n, uint64_t tce)
{
	return fill_atomic(p, n, tce) != 0;
}

bool tce_bulk_copy(uint64_t *p, const uint64_t *tces, uint64_t n)
{
	return copy_atomic(p, tces, n) != 0;
}

#endif
