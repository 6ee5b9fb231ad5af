/* SPDX-License-Identifier: MIT */
/*
 * tce workloads: bulk writes against memcpy/memset of the same bytes, and lookups on 1-, 2- and
 * 3-level tables (a small hot set, and random offsets over a fully mapped 16 GiB window).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "dmawin/tce.h"

#define BULK_ENTRIES_SHIFT 18 /* 1 GiB of 4K pages: two levels of 512 entries */
#define BULK_ENTRIES	   (1u << BULK_ENTRIES_SHIFT)
#define INDIRECT_BATCH	   512u
#define STUFF_BATCH	   4096u

static struct dmawin_tce_table *bulk_table(void)
{
	struct dmawin_tce_geometry g = {.page_shift = 12, .entries = BULK_ENTRIES};
	struct dmawin_tce_table *t;

	if (dmawin_tce_create(&g, &t))
		return NULL;
	/* Steady state: every level exists before timing starts. */
	if (dmawin_tce_stuff(t, 0, BULK_ENTRIES, 0x1003)) {
		dmawin_tce_destroy(t);
		return NULL;
	}
	return t;
}

/* The memcpy/memset baselines write a flat table of the same entries, faulted in before timing. */
static uint64_t *flat_table(void)
{
	uint64_t *flat = calloc(BULK_ENTRIES, sizeof(uint64_t));

	if (flat)
		memset(flat, 1, BULK_ENTRIES * sizeof(uint64_t));
	return flat;
}

/* Two alternating batches, so that every put really changes the entries it writes. */
static void fill_batches(uint64_t *a, uint64_t *b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		a[i] = ((uint64_t)(i + 1) << 12) | 3;
		b[i] = ((uint64_t)(i + 1) << 24) | 1;
	}
}

static double put_indirect(const struct bench_params *p, bool baseline)
{
	static uint64_t a[INDIRECT_BATCH], b[INDIRECT_BATCH];
	uint64_t batches = bench_ops(p, 8u << 20) / INDIRECT_BATCH + 1, t0, t1;
	struct dmawin_tce_table *t = NULL;
	uint64_t *flat = NULL;

	fill_batches(a, b, INDIRECT_BATCH);
	if (baseline)
		flat = flat_table();
	else
		t = bulk_table();
	if (!t && !flat)
		return -ENOMEM;
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < batches; i++) {
		uint64_t index = (i * INDIRECT_BATCH) % BULK_ENTRIES;
		const uint64_t *src = (i / (BULK_ENTRIES / INDIRECT_BATCH)) & 1 ? b : a;

		if (baseline)
			memcpy(flat + index, src, INDIRECT_BATCH * sizeof(uint64_t));
		else
			dmawin_tce_put_array(t, index, src, INDIRECT_BATCH);
	}
	t1 = bench_now_ns();
	bench_keep(baseline ? flat[7] : dmawin_tce_generation(t));
	free(flat);
	dmawin_tce_destroy(t);
	return (double)(t1 - t0) / (double)(batches * INDIRECT_BATCH);
}

static double put_indirect_run(const struct bench_params *p)
{
	return put_indirect(p, false);
}

static double put_indirect_memcpy(const struct bench_params *p)
{
	return put_indirect(p, true);
}

static double stuff(const struct bench_params *p, bool baseline)
{
	uint64_t batches = bench_ops(p, 16u << 20) / STUFF_BATCH + 1, t0, t1;
	struct dmawin_tce_table *t = NULL;
	uint64_t *flat = NULL;

	if (baseline)
		flat = flat_table();
	else
		t = bulk_table();
	if (!t && !flat)
		return -ENOMEM;
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < batches; i++) {
		uint64_t index = (i * STUFF_BATCH) % BULK_ENTRIES;
		/* alternate two values; memset needs a byte pattern, the bytes count is the same */
		uint64_t value = (i & 1) ? 0x7f000003 : 0x5000001;

		if (baseline)
			memset(flat + index, (int)(value & 0xff), STUFF_BATCH * sizeof(uint64_t));
		else
			dmawin_tce_stuff(t, index, STUFF_BATCH, value);
	}
	t1 = bench_now_ns();
	bench_keep(baseline ? flat[7] : dmawin_tce_generation(t));
	free(flat);
	dmawin_tce_destroy(t);
	return (double)(t1 - t0) / (double)(batches * STUFF_BATCH);
}

static double stuff_run(const struct bench_params *p)
{
	return stuff(p, false);
}

static double stuff_memset(const struct bench_params *p)
{
	return stuff(p, true);
}

BENCH_WORKLOAD(tce_put_indirect_512, .name = "tce_put_indirect_512",
	       .description = "dmawin_tce_put_array of 512-entry batches (H_PUT_TCE_INDIRECT), "
			      "ns per TCE; baseline memcpy of the same 4 KiB",
	       .run = put_indirect_run, .baseline_name = "memcpy_4k",
	       .baseline = put_indirect_memcpy)
BENCH_WORKLOAD(tce_stuff, .name = "tce_stuff",
	       .description = "dmawin_tce_stuff of 4096 entries, ns per TCE; baseline memset of "
			      "the same 32 KiB",
	       .run = stuff_run, .baseline_name = "memset_32k", .baseline = stuff_memset)

/* ---- lookups ---------------------------------------------------------------------------- */

#define LOOKUP_ENTRIES_SHIFT 22 /* 16 GiB of 4K pages, 32 MiB of entries */

static struct dmawin_tce_table *lookup_table(unsigned int levels)
{
	struct dmawin_tce_geometry g = {
		.page_shift = 12, .entries = 1ull << LOOKUP_ENTRIES_SHIFT, .levels = levels};
	struct dmawin_tce_table *t;

	if (dmawin_tce_create(&g, &t))
		return NULL;
	if (dmawin_tce_stuff(t, 0, 1ull << LOOKUP_ENTRIES_SHIFT, 0x40000003)) {
		dmawin_tce_destroy(t);
		return NULL;
	}
	return t;
}

enum lookup_kind { LOOKUP_HIT, LOOKUP_RANDOM, VIEW_RANDOM };

static double lookup(const struct bench_params *p, unsigned int levels, enum lookup_kind kind)
{
	uint64_t ops = bench_ops(p, 20u << 20), rng = p->seed | 1, acc = 0, t0, t1, tce = 0;
	uint64_t mask = (1ull << (LOOKUP_ENTRIES_SHIFT + 12)) - 1;
	struct dmawin_tce_table *t = lookup_table(levels);
	const struct dmawin_tce_view *v;

	if (!t)
		return -ENOMEM;
	v = dmawin_tce_view(t);
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < ops; i++) {
		uint64_t offset;

		if (kind == LOOKUP_HIT) {
			offset = ((i & 63) << 12) | 0x80;
		} else {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			offset = rng & mask;
		}
		if (kind == VIEW_RANDOM)
			dmawin_tce_view_lookup(v, offset, &tce);
		else
			dmawin_tce_lookup(t, offset, &tce, NULL);
		acc += tce;
	}
	t1 = bench_now_ns();
	bench_keep(acc);
	dmawin_tce_destroy(t);
	return (double)(t1 - t0) / (double)ops;
}

#define LOOKUP_FNS(n)                                                                              \
	static double lookup_hit_##n(const struct bench_params *p)                                 \
	{                                                                                          \
		return lookup(p, n, LOOKUP_HIT);                                                   \
	}                                                                                          \
	static double lookup_random_##n(const struct bench_params *p)                              \
	{                                                                                          \
		return lookup(p, n, LOOKUP_RANDOM);                                                \
	}                                                                                          \
	static double view_random_##n(const struct bench_params *p)                                \
	{                                                                                          \
		return lookup(p, n, VIEW_RANDOM);                                                  \
	}

LOOKUP_FNS(1)
LOOKUP_FNS(2)
LOOKUP_FNS(3)

#define LOOKUP_WORKLOADS(n)                                                                        \
	BENCH_WORKLOAD(tce_lookup_hit_##n##l, .name = "tce_lookup_hit_" #n "l",                    \
		       .description = "dmawin_tce_lookup over 64 hot entries, " #n                 \
				      "-level table, ns per lookup",                               \
		       .run = lookup_hit_##n)                                                      \
	BENCH_WORKLOAD(tce_lookup_random_##n##l, .name = "tce_lookup_random_" #n "l",              \
		       .description = "dmawin_tce_lookup at random offsets of a mapped 16 GiB "    \
				      "window, " #n "-level table, ns per lookup",                 \
		       .run = lookup_random_##n)                                                   \
	BENCH_WORKLOAD(tce_view_lookup_random_##n##l, .name = "tce_view_lookup_random_" #n "l",    \
		       .description = "inline dmawin_tce_view_lookup, random offsets, " #n         \
				      "-level table, ns per lookup",                               \
		       .run = view_random_##n)

LOOKUP_WORKLOADS(1)
LOOKUP_WORKLOADS(2)
LOOKUP_WORKLOADS(3)
