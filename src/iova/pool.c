/* SPDX-License-Identifier: MIT */
/*
 * Tree nodes come from chunks kept for the space's lifetime: in steady state an allocation or a
 * free recycles a node from the free list and never calls malloc.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "iova/iova_int.h"

/*
 * Chunks grow geometrically from 256 nodes (16 KiB) to 32768 (2 MiB): a small space stays small,
 * and a big tree (a full 32-bit space holds about 260k ranges) lives in 2 MiB chunks that the
 * kernel can back with transparent huge pages, so a search down the tree misses the TLB less.
 */
#define DW_POOL_FIRST_CHUNK 256u
#define DW_POOL_MAX_CHUNK   32768u
#define DW_POOL_HUGE_BYTES  (2u << 20)

struct dw_pool_chunk {
	struct dw_pool_chunk *next;
	uint64_t count;
	struct dw_iova_node nodes[];
};

static uint64_t next_chunk_nodes(const struct dw_iova_pool *p)
{
	const struct dw_pool_chunk *last = p->chunks;

	if (!last)
		return DW_POOL_FIRST_CHUNK;
	return last->count * 2 < DW_POOL_MAX_CHUNK ? last->count * 2 : DW_POOL_MAX_CHUNK;
}

static struct dw_pool_chunk *chunk_alloc(uint64_t nodes)
{
	size_t bytes = sizeof(struct dw_pool_chunk) + nodes * sizeof(struct dw_iova_node);
	struct dw_pool_chunk *c;

	if (bytes < DW_POOL_HUGE_BYTES)
		return malloc(bytes);
	/* round up to whole huge pages so the madvise covers the chunk */
	bytes = (bytes + DW_POOL_HUGE_BYTES - 1) & ~(size_t)(DW_POOL_HUGE_BYTES - 1);
	c = aligned_alloc(DW_POOL_HUGE_BYTES, bytes);
	if (c)
		madvise(c, bytes, MADV_HUGEPAGE); /* a hint: failure only costs TLB misses */
	return c;
}

static int dw_pool_grow(struct dw_iova_pool *p)
{
	uint64_t nodes = next_chunk_nodes(p);
	struct dw_pool_chunk *c = chunk_alloc(nodes);

	if (!c)
		return -ENOMEM;
	c->next = p->chunks;
	c->count = nodes;
	p->chunks = c;
	for (uint64_t i = nodes; i-- > 0;) {
		c->nodes[i].left = p->free;
		p->free = &c->nodes[i];
	}
	p->nfree += nodes;
	return 0;
}

/* Make sure @n nodes can be taken without failing, so a change can be validated up front. */
int dw_pool_reserve(struct dw_iova_pool *p, uint64_t n)
{
	while (p->nfree < n) {
		int rc = dw_pool_grow(p);
		if (rc)
			return rc;
	}
	return 0;
}

struct dw_iova_node *dw_pool_get(struct dw_iova_pool *p)
{
	if (unlikely(!p->free) && dw_pool_grow(p))
		return NULL;
	struct dw_iova_node *n = p->free;
	p->free = n->left;
	p->nfree--;
	*n = (struct dw_iova_node){0};
	return n;
}

void dw_pool_put(struct dw_iova_pool *p, struct dw_iova_node *n)
{
	n->left = p->free;
	p->free = n;
	p->nfree++;
}

void dw_pool_destroy(struct dw_iova_pool *p)
{
	struct dw_pool_chunk *c = p->chunks;

	while (c) {
		struct dw_pool_chunk *next = c->next;
		free(c);
		c = next;
	}
	p->chunks = NULL;
	p->free = NULL;
	p->nfree = 0;
}
