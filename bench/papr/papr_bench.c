/* SPDX-License-Identifier: MIT */
/*
 * papr workloads: the TCE hcalls as a guest issues them, on the default 1 GiB / 4K window,
 * after the window was populated once (steady state: every table level exists). ns per hcall;
 * the 512-entry calls also report ns per TCE and are compared with memcpy / a store loop of the
 * same 4 KiB (what QEMU's flat table costs at least).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bench.h"
#include "dmawin/papr.h"

#define LIOBN0	     0x80000000u
#define WINDOW_PAGES (1u << 18)
#define BATCH	     512u
#define LIST_GPA     0x100000ull

static struct dmawin_papr *bench_machine(void)
{
	struct dmawin_papr_config cfg;
	struct dmawin_papr *m;

	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 64ull << 20;
	if (dmawin_papr_create(&cfg, &m, NULL, 0) != 0)
		return NULL;
	/* populate every level once, then clear: the timed loop allocates nothing */
	if (dmawin_papr_h_stuff_tce(m, LIOBN0, 0, 0x1003, WINDOW_PAGES) != 0 ||
	    dmawin_papr_h_stuff_tce(m, LIOBN0, 0, 0, WINDOW_PAGES) != 0) {
		dmawin_papr_destroy(m);
		return NULL;
	}
	return m;
}

static double put_tce_run(const struct bench_params *p)
{
	uint64_t ops = bench_ops(p, 4u << 20), t0, t1, bad = 0;
	struct dmawin_papr *m = bench_machine();

	if (!m)
		return -ENOMEM;
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < ops; i++) {
		uint64_t page = (i * 7919) % WINDOW_PAGES;
		bad |= (uint64_t)dmawin_papr_h_put_tce(m, LIOBN0, page << 12, (page << 12) | 3);
	}
	t1 = bench_now_ns();
	bench_keep(bad);
	dmawin_papr_destroy(m);
	return bad ? -EIO : (double)(t1 - t0) / (double)ops;
}

static double last_indirect_ns, last_stuff_ns;

static double indirect_run(const struct bench_params *p)
{
	uint64_t calls = bench_ops(p, 16384), t0, t1, bad = 0, list[BATCH];
	struct dmawin_papr *m = bench_machine();

	if (!m)
		return -ENOMEM;
	for (unsigned i = 0; i < BATCH; i++)
		list[i] = __builtin_bswap64(((uint64_t)(i + 1) << 12) | 3);
	if (dmawin_mem_write(dmawin_papr_mem(m), LIST_GPA, list, sizeof(list)) != 0) {
		dmawin_papr_destroy(m);
		return -EFAULT;
	}
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < calls; i++) {
		uint64_t ioba = ((i * BATCH) % WINDOW_PAGES) << 12;
		bad |= (uint64_t)dmawin_papr_h_put_tce_indirect(m, LIOBN0, ioba, LIST_GPA, BATCH);
	}
	t1 = bench_now_ns();
	bench_keep(bad);
	dmawin_papr_destroy(m);
	last_indirect_ns = (double)(t1 - t0) / (double)calls;
	return bad ? -EIO : last_indirect_ns;
}

/* memcpy of the 4 KiB list plus the byte swap QEMU's ldq_be does, into a flat table */
static double indirect_baseline(const struct bench_params *p)
{
	uint64_t calls = bench_ops(p, 16384), t0, t1, list[BATCH];
	uint64_t *flat = calloc(WINDOW_PAGES, sizeof(uint64_t));

	if (!flat)
		return -ENOMEM;
	memset(flat, 1, WINDOW_PAGES * sizeof(uint64_t));
	for (unsigned i = 0; i < BATCH; i++)
		list[i] = __builtin_bswap64(((uint64_t)(i + 1) << 12) | 3);
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < calls; i++) {
		uint64_t *dst = flat + (i * BATCH) % WINDOW_PAGES;
		memcpy(dst, list, sizeof(list));
		for (unsigned k = 0; k < BATCH; k++)
			dst[k] = __builtin_bswap64(dst[k]);
	}
	t1 = bench_now_ns();
	bench_keep(flat[5]);
	free(flat);
	return (double)(t1 - t0) / (double)calls;
}

static double stuff_run(const struct bench_params *p)
{
	uint64_t calls = bench_ops(p, 16384), t0, t1, bad = 0;
	struct dmawin_papr *m = bench_machine();

	if (!m)
		return -ENOMEM;
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < calls; i++) {
		uint64_t ioba = ((i * BATCH) % WINDOW_PAGES) << 12;
		bad |= (uint64_t)dmawin_papr_h_stuff_tce(m, LIOBN0, ioba, i & 1 ? 0 : 0x5003,
							 BATCH);
	}
	t1 = bench_now_ns();
	bench_keep(bad);
	dmawin_papr_destroy(m);
	last_stuff_ns = (double)(t1 - t0) / (double)calls;
	return bad ? -EIO : last_stuff_ns;
}

/* a store loop of the same 512 values into a flat table */
static double stuff_baseline(const struct bench_params *p)
{
	uint64_t calls = bench_ops(p, 16384), t0, t1;
	uint64_t *flat = calloc(WINDOW_PAGES, sizeof(uint64_t));

	if (!flat)
		return -ENOMEM;
	memset(flat, 1, WINDOW_PAGES * sizeof(uint64_t));
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < calls; i++) {
		uint64_t *dst = flat + (i * BATCH) % WINDOW_PAGES;
		uint64_t v = i & 1 ? 0 : 0x5003;
		for (unsigned k = 0; k < BATCH; k++)
			dst[k] = v;
	}
	t1 = bench_now_ns();
	bench_keep(flat[5]);
	free(flat);
	return (double)(t1 - t0) / (double)calls;
}

static void indirect_json(void *obj)
{
	json_object_set_new(obj, "ns_per_tce", json_real(last_indirect_ns / BATCH));
}

static void stuff_json(void *obj)
{
	json_object_set_new(obj, "ns_per_tce", json_real(last_stuff_ns / BATCH));
}

BENCH_WORKLOAD(hcall_put_tce, .name = "hcall_put_tce",
	       .description = "H_PUT_TCE on the default window (lookup, mask, bounds, write), "
			      "ns per hcall = per TCE",
	       .run = put_tce_run)
BENCH_WORKLOAD(hcall_put_tce_indirect_512, .name = "hcall_put_tce_indirect_512",
	       .description = "H_PUT_TCE_INDIRECT of 512 TCEs read from guest RAM, ns per hcall "
			      "(ns_per_tce: per entry); baseline memcpy+bswap into a flat table",
	       .run = indirect_run, .baseline_name = "memcpy_bswap_4k",
	       .baseline = indirect_baseline, .extra_json = indirect_json)
BENCH_WORKLOAD(hcall_stuff_512, .name = "hcall_stuff_512",
	       .description = "H_STUFF_TCE of 512 entries, ns per hcall (ns_per_tce: per entry); "
			      "baseline a store loop into a flat table",
	       .run = stuff_run, .baseline_name = "store_loop_512", .baseline = stuff_baseline,
	       .extra_json = stuff_json)
