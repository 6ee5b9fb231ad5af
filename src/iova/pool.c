/* SPDX-License-Identifier: MIT */
/*
 * Tree nodes come from chunks kept for the space's lifetime: in steady state an allocation or a
 * free recycles a node from the free list and never calls malloc.
 */
#include <errno.h>
#include <stdlib.h>

#include "iova/iova_int.h"

#define DW_POOL_CHUNK 256

struct dw_pool_chunk {
	struct dw_pool_chunk *next;
	struct dw_iova_node nodes[DW_POOL_CHUNK];
};

static int dw_pool_grow(struct dw_iova_pool *p)
{
	struct dw_pool_chunk *c = malloc(sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->next = p->chunks;
	p->chunks = c;
	for (int i = DW_POOL_CHUNK - 1; i >= 0; i--) {
		c->nodes[i].left = p->free;
		p->free = &c->nodes[i];
	}
	p->nfree += DW_POOL_CHUNK;
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
