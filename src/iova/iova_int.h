/* SPDX-License-Identifier: MIT */
/*
 * iova internals.
 *
 * Everything inside the space is counted in pfns (granule numbers), inclusive [lo, hi].
 *
 * The range tree (`root`) holds every allocated, reserved and disallowed range plus one sentinel
 * node at pfn ap_hi + 1. Each node also owns the free gap right below it: `gap` free pfns, i.e.
 * [lo - gap, lo - 1] (the lowest node's gap starts at the aperture start), so free space is never
 * stored apart. The tree is an AVL tree augmented with, per subtree, the largest gap (`max_gap`)
 * and the largest naturally aligned power-of-two block inside one gap (`max_ord1`, order + 1,
 * 0 = none): a search skips every subtree that cannot hold the request.
 *
 * The mapping tree (`map_root`) holds mapping pieces keyed by IOVA pfn, with `phys` the physical
 * pfn of `lo`; it uses the same AVL code (its gaps are all 0).
 */
#ifndef DMAWIN_IOVA_INT_H
#define DMAWIN_IOVA_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "common/compiler.h"
#include "dmawin/iova.h"

enum dw_iova_node_kind {
	DW_KIND_ALLOC = DMAWIN_IOVA_ALLOCATED,
	DW_KIND_RESERVED = DMAWIN_IOVA_RESERVED,
	DW_KIND_HOLE = DMAWIN_IOVA_DISALLOWED,
	DW_KIND_SENTINEL = 4,
	DW_KIND_MAP = 5,
};

/* Per-subtree "usable length" tables cover alignments of 2^1 .. 2^DW_U_ORDERS pfns. */
#define DW_U_ORDERS 6
#define DW_U_MAX    UINT16_MAX

/* One cache line. Range nodes use max_gap/max_u/max_ord1; mapping nodes use phys/prot. */
struct dw_iova_node {
	struct dw_iova_node *left, *right;
	uint64_t lo, hi;
	uint64_t gap;
	union {
		uint64_t max_gap; /* range tree: the largest gap in the subtree */
		uint64_t phys;	  /* mapping tree: physical pfn of lo */
	};
	/* max_u[k - 1]: the largest (gap end - gap start aligned up to 2^k) in the subtree,
	 * saturated at DW_U_MAX: a request of s <= DW_U_MAX pfns aligned to 2^k fits in the
	 * subtree exactly when max_u[k - 1] >= s, so the search never enters a subtree in vain. */
	uint16_t max_u[DW_U_ORDERS];
	int8_t height;
	uint8_t max_ord1;
	uint8_t kind;
	uint8_t prot;
};
_Static_assert(sizeof(struct dw_iova_node) == 64, "a tree node is one cache line");

/* Node pool: nodes come from chunks and go back to a free list (no malloc in steady state). */
struct dw_iova_pool {
	struct dw_iova_node *free;
	void *chunks; /* singly linked through the chunk's first word */
	uint64_t nfree;
};

/* Per-thread magazines: sizes 2^0 .. 2^(DW_CACHE_ORDERS-1) granules. */
#define DW_CACHE_ORDERS 7
#define DW_MAG_SIZE	128
#define DW_DEPOT_MAX	32
#define DW_MAX_THREADS	64

struct dw_mag {
	unsigned n;
	uint64_t pfn[DW_MAG_SIZE];
};

struct dw_tcache {
	uint64_t owner; /* thread token; set before publication, never changed */
	struct dw_mag *loaded[DW_CACHE_ORDERS];
	struct dw_mag *prev[DW_CACHE_ORDERS];
};

struct dw_depot {
	unsigned nfull, nempty;
	struct dw_mag *full[DW_DEPOT_MAX];
	struct dw_mag *empty[DW_DEPOT_MAX];
};

struct dmawin_iova_space {
	/* Read by every fast-path call and never written after creation: a line of its own, so
	 * the lock and the counters below never bounce it between threads. */
	uint64_t id; /* unique for the process lifetime: per-thread hints compare it */
	unsigned shift;
	uint64_t ap_lo, ap_hi; /* aperture in pfns */
	_Alignas(64) pthread_mutex_t lock;
	struct dw_iova_node *root;
	struct dw_iova_node *map_root;
	struct dw_iova_pool pool;
	uint64_t nalloc, alloc_pfns, reserved_pfns, nmap, map_pfns;
	uint64_t *holes; /* lo of each disallowed node (set_allowed replaces them all) */
	size_t nholes;
	/* The last request the tree search could not place (fail_size 0: none). A request that is
	 * at least as hard (size >= fail_size, align a multiple of fail_align, lim <= fail_lim)
	 * cannot fit either as long as nothing was removed from the tree, so it fails without a
	 * search; every removal forgets it (dw_remove_range_locked). Like Linux's
	 * max32_alloc_size, for any limit and alignment. */
	uint64_t fail_size, fail_align, fail_lim;
	const struct dmawin_iova_pt_ops *pt_ops;
	void *pt_ctx;
	struct dw_depot depot[DW_CACHE_ORDERS];
	_Atomic(struct dw_tcache *) tcache[DW_MAX_THREADS];
};

static inline unsigned dw_floor_log2(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

static inline unsigned dw_ceil_log2(uint64_t v)
{
	return v <= 1 ? 0 : 64u - (unsigned)__builtin_clzll(v - 1);
}

/* The highest pfn a range may cover under the byte limit @last, clipped to the aperture. */
static inline bool dw_limit_pfn(const struct dmawin_iova_space *s, uint64_t last, uint64_t *lim)
{
	uint64_t mask = (UINT64_C(1) << s->shift) - 1;
	uint64_t l = last >> s->shift;

	if ((last & mask) != mask) {
		if (!l)
			return false;
		l--;
	}
	l = DW_MIN(l, s->ap_hi);
	*lim = l;
	return l >= s->ap_lo;
}

/* tree.c: AVL with gap augmentation. */
void dw_tree_update(struct dw_iova_node *n);
/* @touched: a node on the path whose gap the caller changed (recomputed even if its children
 * did not change), or NULL. */
struct dw_iova_node *dw_tree_insert(struct dw_iova_node *root, struct dw_iova_node *n,
				    const struct dw_iova_node *touched);
struct dw_iova_node *dw_tree_erase(struct dw_iova_node *root, uint64_t key,
				   const struct dw_iova_node *touched);
/* The node with the greatest lo <= @pfn, or NULL. */
struct dw_iova_node *dw_tree_floor(struct dw_iova_node *root, uint64_t pfn);
/* The node with the smallest lo > @pfn, or NULL. */
struct dw_iova_node *dw_tree_above(struct dw_iova_node *root, uint64_t pfn);
/* The node with lo == @key, or NULL. */
struct dw_iova_node *dw_tree_find(struct dw_iova_node *root, uint64_t key);
/* The same, and in one descent its in-order successor (NULL if none). */
struct dw_iova_node *dw_tree_find_succ(struct dw_iova_node *root, uint64_t key,
				       struct dw_iova_node **succ);
uint8_t dw_gap_ord1(uint64_t gap_lo, uint64_t gap_len);

struct dw_fit_req {
	uint64_t size;	/* pfns */
	uint64_t align; /* pfns, power of two */
	uint64_t lim;	/* highest pfn the range may cover */
	uint8_t need_ord1;
	uint8_t uidx; /* 1..DW_U_ORDERS: prune exactly with max_u[uidx - 1]; 0: max_gap/max_ord1 */
};
/* Fill need_ord1 and uidx from size and align. */
void dw_fit_req_prepare(struct dw_fit_req *req);
/* Highest (top_down) or lowest fitting position; returns the node whose gap holds it. */
struct dw_iova_node *dw_tree_fit(struct dw_iova_node *root, const struct dw_fit_req *req,
				 bool top_down, uint64_t *pfn);

/* pool.c */
struct dw_iova_node *dw_pool_get(struct dw_iova_pool *p);
void dw_pool_put(struct dw_iova_pool *p, struct dw_iova_node *n);
int dw_pool_reserve(struct dw_iova_pool *p, uint64_t n);
void dw_pool_destroy(struct dw_iova_pool *p);

/* space.c */
int dw_make_req(const struct dmawin_iova_space *s, uint64_t size, uint64_t align, uint64_t last,
		struct dw_fit_req *req);
int dw_range_pfns(const struct dmawin_iova_space *s, uint64_t iova, uint64_t size, uint64_t *lo,
		  uint64_t *hi);
/* (callers hold the lock) */
int dw_alloc_locked(struct dmawin_iova_space *s, const struct dw_fit_req *req, bool top_down,
		    uint64_t *pfn);
int dw_insert_range_locked(struct dmawin_iova_space *s, uint64_t lo, uint64_t hi, uint8_t kind);
/* @succ: n's successor if the caller has it, else NULL. */
void dw_remove_range_locked(struct dmawin_iova_space *s, struct dw_iova_node *n,
			    struct dw_iova_node *succ);
int dw_free_locked(struct dmawin_iova_space *s, uint64_t pfn, uint64_t npfns, unsigned flags);

/* map.c (callers hold the lock) */
bool dw_map_any_locked(struct dmawin_iova_space *s, uint64_t lo, uint64_t hi);
uint64_t dw_unmap_locked(struct dmawin_iova_space *s, uint64_t lo, uint64_t hi);
int dw_unmap_prepare_locked(struct dmawin_iova_space *s, uint64_t lo, uint64_t hi);

/* cache.c */
void dw_cache_destroy(struct dmawin_iova_space *s);
void dw_cache_flush_locked(struct dmawin_iova_space *s);
uint64_t dw_cache_count_locked(struct dmawin_iova_space *s);

/* check.c: whole-structure invariant checker for tests; 0 or -EUCLEAN with *why set. */
int dw_iova_check(struct dmawin_iova_space *s, const char **why);

#endif
