/* SPDX-License-Identifier: MIT */
/* Fixtures of the guest tests: a machine, a guest on it, and the trace lines it produced. */
#ifndef DMAWIN_GUEST_TEST_H
#define DMAWIN_GUEST_TEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dw_test.h"
#include "dmawin/guest.h"
#include "dmawin/papr.h"

#define LIOBN0 0x80000000u
#define LIOBN1 0x80000001u

struct gt_lines {
	char **v;
	size_t n, cap;
};

static inline void gt_line(void *opaque, const char *line)
{
	struct gt_lines *l = opaque;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		assert_non_null(l->v);
	}
	l->v[l->n++] = strdup(line);
}

static inline void gt_lines_free(struct gt_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Lines that start with @prefix. */
static inline size_t gt_count(const struct gt_lines *l, const char *prefix)
{
	size_t n = 0, k = strlen(prefix);
	for (size_t i = 0; i < l->n; i++)
		n += strncmp(l->v[i], prefix, k) == 0;
	return n;
}

/* Index of the first line starting with @prefix, or -1. */
static inline long gt_find(const struct gt_lines *l, const char *prefix)
{
	size_t k = strlen(prefix);
	for (size_t i = 0; i < l->n; i++)
		if (strncmp(l->v[i], prefix, k) == 0)
			return (long)i;
	return -1;
}

struct gt {
	struct dmawin_papr_config mc;
	struct dmawin_guest_config gc;
	struct dmawin_papr *m;
	struct dmawin_guest *g;
	struct gt_lines lines;
};

/* A 2 GiB pseries with QEMU defaults (the traces' machine) and a default 6.1 guest config. */
static inline void gt_defaults(struct gt *t, uint64_t ram)
{
	memset(t, 0, sizeof(*t));
	dmawin_papr_config_init(&t->mc);
	t->mc.ram_size = ram;
	dmawin_guest_config_init(&t->gc);
	/* these suites check Linux 6.1 (64 KiB pages), the kernel of the default traces */
	t->gc.kernel = DMAWIN_GUEST_KERNEL_6_1;
}

static inline void gt_start(struct gt *t)
{
	char why[160] = "";
	int rc = dmawin_papr_create(&t->mc, &t->m, why, sizeof(why));
	if (rc)
		fprintf(stderr, "papr_create: %d %s\n", rc, why);
	assert_int_equal(rc, 0);
	assert_int_equal(dmawin_guest_create(t->m, &t->gc, &t->g), 0);
	dmawin_guest_set_trace(t->g, gt_line, &t->lines);
}

static inline unsigned gt_dev(struct gt *t, const char *name, uint32_t phb, uint8_t slot,
			      unsigned bits)
{
	struct dmawin_guest_device_config dc = {.name = name,
						.phb_index = phb,
						.devfn = (uint8_t)(slot << 3),
						.dma_mask_bits = bits};
	unsigned id;
	assert_int_equal(dmawin_guest_device_add(t->g, &dc, &id), 0);
	return id;
}

static inline void gt_stop(struct gt *t)
{
	dmawin_guest_destroy(t->g);
	dmawin_papr_destroy(t->m);
	gt_lines_free(&t->lines);
}

static inline struct dmawin_guest_stats gt_stats(struct gt *t)
{
	struct dmawin_guest_stats s;
	dmawin_guest_get_stats(t->g, &s);
	return s;
}

#endif
