/* SPDX-License-Identifier: MIT */
/*
 * dmawin/tce.h - TCE tables: the IOMMU page table of POWER (sPAPR / PowerNV).
 *
 * Concepts
 *  - A TCE table translates one DMA window. The window is 2^window_shift bytes of bus address
 *    space cut into pages of 2^page_shift bytes; entry i (the "entry index", 0 <= i < entries)
 *    translates window-relative bytes [i << page_shift, (i + 1) << page_shift). The window's
 *    bus start address (ioba of entry 0) belongs to the caller (pe): this table only ever sees
 *    window-relative entry indexes or window-relative byte offsets, never a bus address.
 *  - Which unit a function takes is in its name and parameter names:
 *      index, npages     entry indexes / counts of entries: put, get, xchg, stuff, put_array,
 *                        clear, next, for_each;
 *      offset            window-relative byte offset: lookup, view_lookup.
 *    Ranges: [index, index + npages) (end exclusive). npages == 0 is a valid empty range.
 *  - An entry (a "TCE") is 64 bits: the page's address in the high bits, aligned to the page
 *    size, bit 0 DMAWIN_TCE_READ (the device may read memory), bit 1 DMAWIN_TCE_WRITE (the device
 *    may write memory). An entry is "mapped" when R or W is set; 0 is the unmapped value of a
 *    fresh table. The table stores values verbatim (like QEMU, which returns the stored value to
 *    H_GET_TCE, ignored low bits included); the entry helpers at the end of this header build and
 *    check entries, the table itself does not reject any 64-bit value.
 *  - Geometry: page_shift is one of the PAPR sizes (12, 16, 21, 24, 25, 26, 27, 28, 34); the
 *    window is a power of two from one page up to 2^59 bytes; 1..5 levels. With L levels, each
 *    lower level holds 2^level_bits entries (level_bits = ceil(entries_shift / L)) and the top
 *    level holds the remaining 2^top_bits (0 <= top_bits <= level_bits; as in Linux the levels
 *    may together span more than the window, the extra indexes are never used). levels == 0
 *    picks the fewest levels whose largest level stays within max_level_size (default 64 KiB,
 *    Linux's PAGE_SIZE levels). The geometry never changes after creation.
 *  - Sparse storage: the top level is allocated at creation; every lower level is allocated on
 *    the first write of a non-zero value below it. Reading below a missing level gives 0.
 *    Levels are kept when their entries are cleared (as Linux does), unless clear() is asked to
 *    free them with DMAWIN_TCE_CLEAR_FREE_LEVELS, which needs a quiescent table (see there).
 *  - Generation: a per-table counter that only grows. It is bumped after every write that
 *    removes a mapping or changes a mapped entry (old entry mapped and new value different);
 *    writing an entry that was unmapped does not bump it. A translation cache reads the
 *    generation (acquire) before looking up, stores the pair, and may serve the cached entry only
 *    while the generation is unchanged: then it never serves an entry whose removal has returned.
 *  - Lifetime: a table is refcounted because several PEs share one (VFIO containers with several
 *    groups). create() returns one reference; ref() adds one; unref() drops one and the last one
 *    frees the table and all its levels.
 *
 * Concurrency
 *  - Readers (get, lookup, view_*, next, for_each, generation, footprint, info) take no lock and
 *    may run in any number of threads, concurrently with each other and with writers. Every entry
 *    is read and written as one 64-bit atomic: a reader sees either the old or the new value of
 *    an entry, never a mix, and a value whose write has returned (or anything written later).
 *  - Writers (put, xchg, stuff, put_array, clear without FREE_LEVELS) may run concurrently with
 *    readers and with each other. Allocation of a missing level is race-free (compare-and-swap;
 *    the loser frees its copy). put and xchg use an atomic exchange per entry, so the generation is
 *    exact even when writers race on one entry. The bulk writers (stuff, put_array, clear) store
 *    each entry atomically but decide the generation bump from the value they loaded just before
 *    storing: they are exact as long as no other writer writes the same entries at the same time
 *    (QEMU runs hcalls under its global lock; two racing writers of one entry are a caller
 *    bug whose outcome is arbitrary anyway). Readers are always safe.
 *  - ref/unref are atomic. The caller must not use a table after dropping its last reference.
 *
 * Bad input: a NULL table makes every int-returning function return -EINVAL (listed below as "a
 * NULL argument"); ref() and view() return NULL, generation() 0, unref()/destroy() do nothing.
 */
#ifndef DMAWIN_TCE_H
#define DMAWIN_TCE_H

#include "dmawin/dmawin.h"

DMAWIN_BEGIN_DECLS

struct dmawin_tce_table;

/* Entry bits (LoPAR "Page Mapping and Control"; Linux TCE_PCI_READ / TCE_PCI_WRITE). */
#define DMAWIN_TCE_READ	     0x1ull /* the device may read memory (DMA to device) */
#define DMAWIN_TCE_WRITE     0x2ull /* the device may write memory (DMA from device) */
#define DMAWIN_TCE_PERM_MASK 0x3ull

#define DMAWIN_TCE_MAX_LEVELS		  5
#define DMAWIN_TCE_MAX_WINDOW_SHIFT	  59		/* a window is at most 2^59 bytes */
#define DMAWIN_TCE_DEFAULT_MAX_LEVEL_SIZE (64ull << 10) /* bytes, one 64 KiB kernel page */

/* Flags of dmawin_tce_clear(). */
#define DMAWIN_TCE_CLEAR_FREE_LEVELS 0x1u

/* Flags of dmawin_tce_next() and dmawin_tce_for_each(). */
#define DMAWIN_TCE_ITER_NONZERO 0x1u /* visit every non-zero entry, not only mapped ones (R|W) */

/** struct dmawin_tce_geometry - what dmawin_tce_create() builds. */
struct dmawin_tce_geometry {
	unsigned int page_shift; /* 12, 16, 21, 24, 25, 26, 27, 28 or 34 */
	/* Give exactly one of the two (the other 0): the window size in bytes (a power of two,
	 * one page .. 2^59), or the number of entries (a power of two, window <= 2^59 bytes). */
	uint64_t window_size;
	uint64_t entries;
	unsigned int levels; /* 1..5; 0 = automatic (fewest levels within max_level_size) */
	/* Automatic levels only: the largest level, in bytes (>= 8; 0 = 64 KiB). Explicit levels
	 * are taken as asked, whatever their size (a 1-level table of 2^20 entries is 8 MiB). */
	uint64_t max_level_size;
};

/** struct dmawin_tce_info - a table's geometry as built. */
struct dmawin_tce_info {
	unsigned int page_shift;
	unsigned int levels;
	unsigned int level_bits; /* index bits resolved by each lower level */
	unsigned int top_bits;	 /* index bits resolved by the top level */
	uint64_t page_size;
	uint64_t window_size;	/* bytes */
	uint64_t entries;	/* window_size >> page_shift */
	uint64_t level_entries; /* entries of one lower level (1 << level_bits); top for 1 level */
	uint64_t top_entries;	/* 1 << top_bits */
};

/** struct dmawin_tce_footprint - memory of a table, now and in other layouts. */
struct dmawin_tce_footprint {
	uint64_t allocated;	   /* bytes of levels allocated now (top level included) */
	uint64_t levels_allocated; /* number of levels allocated now (top level included) */
	uint64_t flat;		   /* entries * 8: one flat array, QEMU's layout */
	/* Linux PowerNV table of the same page size, window and levels, 64 KiB kernel pages,
	 * fully populated: pnv_pci_ioda2_get_table_size() without and with the userspace copy. */
	uint64_t linux_table;
	uint64_t linux_locked;
};

/**
 * struct dmawin_tce_powernv - what Linux PowerNV (pci-ioda-tce.c) does with a window request.
 * Filled by dmawin_tce_powernv_query(); callers modelling a Linux host apply these limits.
 */
struct dmawin_tce_powernv {
	bool accepted;		    /* pnv_pci_ioda2_table_alloc_pages() would accept it */
	unsigned int max_levels;    /* POWERNV_IOMMU_MAX_LEVELS: 5 */
	unsigned int max_windows;   /* IOMMU_TABLE_GROUP_MAX_TABLES: 2 */
	unsigned int level_shift;   /* log2 of the bytes of one level (>= kernel page shift) */
	unsigned int geometry_bits; /* (level_shift - 3) * levels + page_shift; must be < 55 */
	uint64_t level_entries;	    /* it_level_size */
	uint64_t it_size;	    /* entries the kernel bounds accesses by (>= PAGE_SIZE / 8) */
	uint64_t effective_window;  /* it_size << page_shift: a small window is enlarged */
	uint64_t table_bytes;	    /* pnv_pci_ioda2_get_table_size(), hardware table only */
	uint64_t locked_bytes; /* what mainline charges to locked_vm (table + userspace copy) */
};

/**
 * struct dmawin_tce_view - the read-only part of a table, for inline lock-free translation.
 *
 * Why public: translation (pe) reads one entry per DMA page; an out-of-line call per lookup
 * costs about as much as the walk itself. The table embeds this struct, so a view stays valid
 * exactly as long as the caller holds a reference to its table. Callers only read it, through
 * the dmawin_tce_view_*() inline functions below; the layout (levels are arrays of 64-bit
 * words, an indirect word holds the address of the lower level or 0 when it is missing) is part
 * of this header's contract. `size` is sizeof(struct dmawin_tce_view) of the library that filled
 * it; the reserved fields keep the size for later additions. The generation sits on its own
 * cache line so that writers bumping it do not evict the geometry from readers' caches.
 * The inline functions use the GCC/Clang __atomic builtins (the C11 memory model), which, unlike
 * <stdatomic.h>, also compile in C++.
 */
struct dmawin_tce_view {
	uint32_t size;
	uint8_t page_shift;
	uint8_t levels;
	uint8_t level_bits;
	uint8_t top_bits;
	uint64_t entries;
	uint64_t window_size;
	uint64_t level_mask;	/* (1 << level_bits) - 1 */
	uint64_t top;		/* address of the top level (uint64_t[1 << top_bits]) */
	unsigned int top_shift; /* (levels - 1) * level_bits */
	uint32_t reserved32;
	uint64_t reserved[2];
	uint64_t generation __attribute__((aligned(64)));
	uint64_t reserved_gen[7];
};

/**
 * dmawin_tce_create - create an empty table (every entry 0) with one reference.
 * @geometry: page size, window size or entries, levels, maximum level size.
 * @out: the new table.
 *
 * Return: 0; -EINVAL for a NULL argument, an unsupported page shift, a window that is not a power
 * of two, smaller than one page or larger than 2^59 bytes, both or neither of window_size and
 * entries, levels above 5 or above the index bits (a level must resolve at least one bit; a
 * one-page window has exactly one level), max_level_size between 1 and 7, or levels == 0 when
 * even 5 levels would exceed max_level_size; -ENOMEM (the top level is allocated here).
 */
DMAWIN_API int dmawin_tce_create(const struct dmawin_tce_geometry *geometry,
				 struct dmawin_tce_table **out);

/** dmawin_tce_ref - take one more reference on @table; returns @table (NULL for NULL). */
DMAWIN_API struct dmawin_tce_table *dmawin_tce_ref(struct dmawin_tce_table *table);

/**
 * dmawin_tce_unref - drop one reference; the last one frees the table and all its levels.
 * @table: the table (NULL is a no-op).
 *
 * Return: true when this call freed the table.
 */
DMAWIN_API bool dmawin_tce_unref(struct dmawin_tce_table *table);

/** dmawin_tce_destroy - the creator's drop of its reference: same as dmawin_tce_unref(). */
DMAWIN_API void dmawin_tce_destroy(struct dmawin_tce_table *table);

/**
 * dmawin_tce_info - the table's geometry.
 * Return: 0; -EINVAL if an argument is NULL.
 */
DMAWIN_API int dmawin_tce_info(const struct dmawin_tce_table *table, struct dmawin_tce_info *out);

/**
 * dmawin_tce_view - the read-only view used by the inline dmawin_tce_view_*() functions.
 * Valid while the caller holds a reference on @table. Return: the view; NULL if @table is NULL.
 */
DMAWIN_API const struct dmawin_tce_view *dmawin_tce_view(const struct dmawin_tce_table *table);

/**
 * dmawin_tce_get - read entry @index.
 * Return: 0 and *@tce (0 below a missing level); -EINVAL for a NULL argument; -ERANGE if @index
 * is not below the table's entries.
 */
DMAWIN_API int dmawin_tce_get(const struct dmawin_tce_table *table, uint64_t index, uint64_t *tce);

/**
 * dmawin_tce_put - write @tce to entry @index (atomic exchange).
 * Writing 0 below a missing level allocates nothing.
 * Return: 0; -EINVAL if @table is NULL; -ERANGE if @index is not below the entries; -ENOMEM
 * (entry unchanged).
 */
DMAWIN_API int dmawin_tce_put(struct dmawin_tce_table *table, uint64_t index, uint64_t tce);

/**
 * dmawin_tce_xchg - write @tce to entry @index and return the value it replaced (atomic).
 * @old: the previous value (may be NULL).
 * Return: 0; -EINVAL if @table is NULL; -ERANGE if @index is not below the entries; -ENOMEM
 * (entry unchanged, *@old not set).
 */
DMAWIN_API int dmawin_tce_xchg(struct dmawin_tce_table *table, uint64_t index, uint64_t tce,
			       uint64_t *old);

/**
 * dmawin_tce_stuff - write the same @tce to the @npages entries from @index (H_STUFF_TCE).
 * Each entry is stored atomically; the whole range is not one atomic step. Missing levels are
 * allocated first (none when @tce is 0), so -ENOMEM leaves every entry unchanged.
 * Return: 0; -EINVAL if @table is NULL; -ERANGE if the range does not fit in the table (or
 * overflows); -ENOMEM.
 */
DMAWIN_API int dmawin_tce_stuff(struct dmawin_tce_table *table, uint64_t index, uint64_t npages,
				uint64_t tce);

/**
 * dmawin_tce_put_array - write @tces[0..@npages) to the entries from @index
 * (the H_PUT_TCE_INDIRECT shape). Levels are allocated first, only where a non-zero value goes,
 * so -ENOMEM leaves every entry unchanged.
 * Return: 0; -EINVAL if @table is NULL, or @tces is NULL and @npages is not 0; -ERANGE if the range
 * does not fit in the table (or overflows); -ENOMEM.
 */
DMAWIN_API int dmawin_tce_put_array(struct dmawin_tce_table *table, uint64_t index,
				    const uint64_t *tces, uint64_t npages);

/**
 * dmawin_tce_clear - write 0 to the @npages entries from @index; never allocates.
 * @flags: 0, or DMAWIN_TCE_CLEAR_FREE_LEVELS: also free every lower level whose whole span lies
 *   inside the range. That flag needs a quiescent table: no other thread may read or write it
 *   during the call (a lock-free reader could still hold the level being freed).
 * Return: 0; -EINVAL for a NULL @table or unknown flags; -ERANGE if the range does not fit in the
 * table.
 */
DMAWIN_API int dmawin_tce_clear(struct dmawin_tce_table *table, uint64_t index, uint64_t npages,
				unsigned int flags);

/**
 * dmawin_tce_next - find the first mapped entry at or after @index, skipping missing levels.
 * @flags: 0 (entries with R or W set) or DMAWIN_TCE_ITER_NONZERO (every non-zero entry).
 * @found: its index; @tce: its value (either may be NULL).
 * Return: 0; -ENOENT if there is none (also when @index >= entries); -EINVAL for a NULL @table or
 * unknown flags.
 */
DMAWIN_API int dmawin_tce_next(const struct dmawin_tce_table *table, uint64_t index,
			       unsigned int flags, uint64_t *found, uint64_t *tce);

/**
 * dmawin_tce_for_each - call @fn for every mapped entry of [@index, @index + @npages), in index
 * order, skipping missing levels. Stops at the first non-zero return of @fn.
 * @flags: as for dmawin_tce_next().
 * Return: 0 after the whole range; the non-zero value @fn returned; -EINVAL for a NULL @table or
 * @fn or unknown flags; -ERANGE if the range does not fit in the table.
 */
DMAWIN_API int dmawin_tce_for_each(const struct dmawin_tce_table *table, uint64_t index,
				   uint64_t npages, unsigned int flags,
				   int (*fn)(uint64_t index, uint64_t tce, void *arg), void *arg);

/**
 * dmawin_tce_lookup - translate a window-relative byte @offset: the entry covering it.
 * @tce: the entry (0 when unmapped); @page_size: the table's page size in bytes (may be NULL).
 * Return: 0; -EINVAL for a NULL @table or @tce; -ERANGE if @offset is not inside the window.
 */
DMAWIN_API int dmawin_tce_lookup(const struct dmawin_tce_table *table, uint64_t offset,
				 uint64_t *tce, uint64_t *page_size);

/** dmawin_tce_generation - the table's generation (acquire load; 0 for NULL); see the concepts. */
DMAWIN_API uint64_t dmawin_tce_generation(const struct dmawin_tce_table *table);

/**
 * dmawin_tce_footprint - memory now allocated and what other layouts would take.
 * Return: 0; -EINVAL if an argument is NULL.
 */
DMAWIN_API int dmawin_tce_footprint(const struct dmawin_tce_table *table,
				    struct dmawin_tce_footprint *out);

/**
 * dmawin_tce_powernv_query - the Linux PowerNV limits for a window request (spec §4-5).
 * @page_shift: IOMMU page shift; @window_size: bytes; @levels: as asked (Linux rejects 0);
 * @kernel_page_shift: 12 or 16 (0 = 16, the usual ppc64le kernel).
 * @out: filled for every input the formulas can evaluate; out->accepted says whether Linux
 *   would create the table (levels 1..5, power-of-two window, the 55-bit geometry rule).
 * Return: 0; -EINVAL if @out is NULL, @page_shift is 0 or above 63, @window_size is 0 or not a
 * power of two, @levels is above 63 or @kernel_page_shift is not 0, 12 or 16.
 */
DMAWIN_API int dmawin_tce_powernv_query(unsigned int page_shift, uint64_t window_size,
					unsigned int levels, unsigned int kernel_page_shift,
					struct dmawin_tce_powernv *out);

/* ---- Entries ---------------------------------------------------------------------------- */

/** dmawin_tce_page_shift_valid - whether @page_shift is one of the PAPR page sizes. */
DMAWIN_API bool dmawin_tce_page_shift_valid(unsigned int page_shift);

/**
 * dmawin_tce_build - build an entry from a page address and permissions.
 * @addr: the page address, aligned to 1 << @page_shift; @perm: DMAWIN_TCE_READ/WRITE bits.
 * Return: 0 and *@tce; -EINVAL if @tce is NULL, @page_shift is invalid (see
 * dmawin_tce_page_shift_valid()), @addr is not aligned or @perm has other bits.
 */
DMAWIN_API int dmawin_tce_build(uint64_t addr, uint64_t perm, unsigned int page_shift,
				uint64_t *tce);

/**
 * dmawin_tce_format - print an entry as "0x<addr> <r|-><w|->" ("0 --" for 0), with
 * " low=0x<bits>" appended when ignored bits between the permissions and the page are set.
 * @page_shift: the table's page shift (1..63).
 * Return: the length of the whole text (snprintf semantics: truncated when >= @len, always
 * NUL-terminated when @len > 0); -EINVAL if @buf is NULL with @len > 0 or @page_shift is 0 or
 * above 63.
 */
DMAWIN_API int dmawin_tce_format(uint64_t tce, unsigned int page_shift, char *buf, size_t len);

/** dmawin_tce_perm - the permission bits (DMAWIN_TCE_READ | DMAWIN_TCE_WRITE) of @tce. */
static inline uint64_t dmawin_tce_perm(uint64_t tce)
{
	return tce & DMAWIN_TCE_PERM_MASK;
}

/** dmawin_tce_mapped - whether @tce grants any access (R or W set). */
static inline bool dmawin_tce_mapped(uint64_t tce)
{
	return (tce & DMAWIN_TCE_PERM_MASK) != 0;
}

/** dmawin_tce_addr - the page address of @tce for pages of 1 << @page_shift bytes (< 64). */
static inline uint64_t dmawin_tce_addr(uint64_t tce, unsigned int page_shift)
{
	return tce & ~((1ull << page_shift) - 1);
}

/* ---- Inline lock-free reads through a view ---------------------------------------------- */

/**
 * dmawin_tce_view_get - read entry @index; the caller guarantees @index < @v->entries.
 * Acquire loads all the way down, no lock, no call: the translation fast path.
 */
static inline uint64_t dmawin_tce_view_get(const struct dmawin_tce_view *v, uint64_t index)
{
	const uint64_t *level = (const uint64_t *)(uintptr_t)v->top;
	unsigned int shift = v->top_shift;

	for (unsigned int l = v->levels; l > 1; l--) {
		uint64_t next =
			__atomic_load_n(&level[(index >> shift) & v->level_mask], __ATOMIC_ACQUIRE);
		if (next == 0)
			return 0;
		level = (const uint64_t *)(uintptr_t)next;
		shift -= v->level_bits;
	}
	return __atomic_load_n(&level[index & v->level_mask], __ATOMIC_ACQUIRE);
}

/**
 * dmawin_tce_view_lookup - the entry covering window-relative byte @offset.
 * Return: true and *@tce (0 when unmapped); false if @offset is outside the window.
 */
static inline bool dmawin_tce_view_lookup(const struct dmawin_tce_view *v, uint64_t offset,
					  uint64_t *tce)
{
	if (offset >= v->window_size)
		return false;
	*tce = dmawin_tce_view_get(v, offset >> v->page_shift);
	return true;
}

/** dmawin_tce_view_generation - the table's generation (acquire load). */
static inline uint64_t dmawin_tce_view_generation(const struct dmawin_tce_view *v)
{
	return __atomic_load_n(&v->generation, __ATOMIC_ACQUIRE);
}

DMAWIN_END_DECLS

#endif
