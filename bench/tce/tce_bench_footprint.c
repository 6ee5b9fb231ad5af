/* SPDX-License-Identifier: MIT */
/*
 * tce_footprint: a 2^44-byte window of 64K pages (2^28 entries, default 64 KiB levels) with 1% of
 * its entries mapped, measured against a flat table (QEMU) and a fully populated Linux table.
 * Two placements: every entry at its own random index (the worst case for a radix table: almost
 * every leaf level gets an entry), and runs of 1024 contiguous entries (64 MiB buffers) at random
 * starts, the way an IOMMU allocator hands out ranges. ns_per_op is the cost per mapped entry.
 */
#include <errno.h>
#include <jansson.h>

#include "bench.h"
#include "dmawin/tce.h"

#define FOOT_PAGE_SHIFT		16
#define FOOT_WINDOW_SHIFT	44
#define FOOT_QUICK_WINDOW_SHIFT 36
#define RUN			1024u

/* What the last repetition measured, for the JSON line. */
struct footprint_result {
	struct dmawin_tce_footprint fp;
	uint64_t window, mapped;
	unsigned int levels;
};

static struct footprint_result last_scattered, last_runs;

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double footprint(const struct bench_params *p, unsigned int run,
			struct footprint_result *out)
{
	unsigned int window_shift = p->quick ? FOOT_QUICK_WINDOW_SHIFT : FOOT_WINDOW_SHIFT;
	struct dmawin_tce_geometry g = {.page_shift = FOOT_PAGE_SHIFT,
					.window_size = 1ull << window_shift};
	uint64_t entries = g.window_size >> FOOT_PAGE_SHIFT, rng = p->seed | 1, t0, t1;
	uint64_t target = entries / 100, mapped = 0;
	struct dmawin_tce_table *t;
	struct dmawin_tce_info info;

	if (dmawin_tce_create(&g, &t))
		return -ENOMEM;
	t0 = bench_now_ns();
	while (mapped < target) {
		uint64_t index = next_rand(&rng) % (entries - run + 1), tce = 0, n = 0;

		/* count only entries that were unmapped: 1% of the window ends up mapped */
		for (uint64_t i = index; i < index + run; i++) {
			if (dmawin_tce_xchg(t, i, (i << FOOT_PAGE_SHIFT) | 3, &tce)) {
				dmawin_tce_destroy(t);
				return -ENOMEM;
			}
			n += tce == 0;
		}
		mapped += n;
	}
	t1 = bench_now_ns();
	dmawin_tce_footprint(t, &out->fp);
	dmawin_tce_info(t, &info);
	out->window = g.window_size;
	out->mapped = mapped;
	out->levels = info.levels;
	dmawin_tce_destroy(t);
	return (double)(t1 - t0) / (double)mapped;
}

static void footprint_json(json_t *o, const struct footprint_result *r)
{
	json_object_set_new(o, "window_bytes", json_integer((json_int_t)r->window));
	json_object_set_new(o, "page_size", json_integer(1 << FOOT_PAGE_SHIFT));
	json_object_set_new(o, "levels", json_integer(r->levels));
	json_object_set_new(o, "mapped_entries", json_integer((json_int_t)r->mapped));
	json_object_set_new(o, "allocated_bytes", json_integer((json_int_t)r->fp.allocated));
	json_object_set_new(o, "flat_bytes", json_integer((json_int_t)r->fp.flat));
	json_object_set_new(o, "linux_table_bytes", json_integer((json_int_t)r->fp.linux_table));
	json_object_set_new(o, "allocated_vs_flat",
			    json_real((double)r->fp.allocated / (double)r->fp.flat));
}

static double scattered_run(const struct bench_params *p)
{
	return footprint(p, 1, &last_scattered);
}

static double runs_run(const struct bench_params *p)
{
	return footprint(p, RUN, &last_runs);
}

static void scattered_json(void *o)
{
	footprint_json(o, &last_scattered);
}

static void runs_json(void *o)
{
	footprint_json(o, &last_runs);
}

BENCH_WORKLOAD(tce_footprint, .name = "tce_footprint",
	       .description = "2^44-byte window of 64K pages, 1% of entries mapped at random "
			      "indexes: bytes allocated vs a flat table; ns per mapped entry",
	       .run = scattered_run, .extra_json = scattered_json)
BENCH_WORKLOAD(tce_footprint_runs, .name = "tce_footprint_runs",
	       .description = "as tce_footprint, mapped in runs of 1024 entries at random starts",
	       .run = runs_run, .extra_json = runs_json)
