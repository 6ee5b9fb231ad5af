/* SPDX-License-Identifier: MIT */
/*
 * Differential test of device DMA: random reads and writes of random lengths through random
 * window layouts and TCEs (with guest RAM holes), against the reference model of
 * tests/ref/pe_ref.h moving bytes page by page into a shadow copy of RAM. Compares the return
 * code, the bytes moved, the fault and the memory. Seeded; the seed is printed on failure.
 */
#include <inttypes.h>
#include <stdio.h>

#include "pe_ref.h"
#include "pe_test.h"

#define OPS	60000
#define RAM_A	(1 * MiB) /* RAM: [0, 1M) and [1M + 64K, 2M): a hole between */
#define HOLE	(64 * KiB)
#define RAM_END (2 * MiB)
#define MAXLEN	(3 * 4096 + 100)

static uint64_t seed, rng, op;
static uint64_t seen[8]; /* outcomes by model fault + 1 (0: not RAM) */

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "pe_dma_diff: seed=%" PRIu64 " op=%" PRIu64 ": %s\n",      \
				seed, op, #c);                                                     \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

struct world {
	struct pe_fix f;
	struct pe_ref ref;
	struct dmawin_tce_table *t[2];
	struct dmawin_pe_dev *dev;
	uint8_t *ram0, *ram1; /* host memory of the two regions */
	uint8_t *shadow;      /* RAM_END bytes */
};

static uint64_t rnd(uint64_t n)
{
	return n ? dw_test_rand(&rng) % n : 0;
}

static bool is_ram(uint64_t gpa)
{
	return gpa < RAM_A || (gpa >= RAM_A + HOLE && gpa < RAM_END);
}

static void set_window(struct world *w, int s)
{
	static const unsigned int shifts[] = {12, 12, 16, 21};
	struct pe_ref_win rw = {.active = true, .bypass = rnd(4) == 0};
	struct dmawin_pe_window_config wc = {0};

	rw.shift = rw.bypass ? 12 : shifts[rnd(4)];
	rw.size = (UINT64_C(8) << rnd(4)) << rw.shift;
	rw.bus_offset = s == 0 ? 0 : UINT64_C(1) << 40;
	if (rw.bypass)
		rw.size = 4 * MiB; /* covers RAM, its hole and beyond */
	wc.kind = rw.bypass ? DMAWIN_PE_WINDOW_BYPASS : DMAWIN_PE_WINDOW_TABLE;
	wc.bus_offset = rw.bus_offset;
	wc.size = rw.bypass ? rw.size : 0;
	if (!rw.bypass) {
		w->t[s] = pe_table(rw.shift, rw.size, 0);
		wc.table = w->t[s];
		rw.tce = calloc(rw.size >> rw.shift, sizeof(uint64_t));
	}
	assert_int_equal(dmawin_pe_set_window(w->f.pe, (unsigned int)s, &wc), 0);
	w->ref.win[s] = rw;
}

static void clear_window(struct world *w, int s)
{
	assert_int_equal(dmawin_pe_unset_window(w->f.pe, (unsigned int)s), 0);
	dmawin_tce_destroy(w->t[s]);
	w->t[s] = NULL;
	free(w->ref.win[s].tce);
	memset(&w->ref.win[s], 0, sizeof(w->ref.win[s]));
}

/* Mostly contiguous runs (what merging exploits), sometimes scattered, unmapped or read-only. */
static void put_tces(struct world *w)
{
	int s = (int)rnd(2);
	struct pe_ref_win *rw = &w->ref.win[s];
	uint64_t n = rw->size >> rw->shift, idx, gpa;

	if (!rw->active || rw->bypass)
		return;
	idx = rnd(n);
	gpa = (rnd(RAM_END + 2 * HOLE) >> rw->shift) << rw->shift;
	for (uint64_t i = 0; i < 1 + rnd(6) && idx + i < n; i++) {
		uint64_t v = ((gpa + (i << rw->shift)) | (rnd(8) ? 3 : rnd(4)));

		if (rnd(10) == 0)
			v = ((rnd(RAM_END) >> rw->shift) << rw->shift) | 3;
		assert_int_equal(dmawin_tce_put(w->t[s], idx + i, v), 0);
		rw->tce[idx + i] = v;
	}
}

/* The model: page by page, 4 KiB pieces of guest memory, stop at the first fault. */
static int ref_dma(struct world *w, uint64_t addr, uint8_t *buf, size_t len, int write,
		   size_t *done, int *fault)
{
	*done = 0;
	while (*done < len) {
		struct pe_ref_result r = pe_ref_translate(&w->ref, addr + *done, write);
		size_t n;

		if (r.fault) {
			*fault = r.fault;
			return -EFAULT;
		}
		n = (size_t)DW_MIN((uint64_t)(len - *done), r.len);
		for (size_t off = 0; off < n;) {
			uint64_t gpa = r.gpa + off;
			size_t piece = (size_t)DW_MIN((uint64_t)(n - off), 4096 - (gpa & 4095));

			if (!is_ram(gpa)) {
				*fault = -1; /* not RAM */
				return -EFAULT;
			}
			if (write)
				memcpy(w->shadow + gpa, buf + *done, piece);
			else
				memcpy(buf + *done, w->shadow + gpa, piece);
			off += piece;
			*done += piece;
		}
	}
	return 0;
}

static int ref_fault_of(enum dmawin_pe_fault f)
{
	return f == DMAWIN_PE_FAULT_NOT_RAM	    ? -1
	       : f == DMAWIN_PE_FAULT_NO_WINDOW	    ? PE_REF_NO_WINDOW
	       : f == DMAWIN_PE_FAULT_BEYOND_WINDOW ? PE_REF_BEYOND
	       : f == DMAWIN_PE_FAULT_INVALID	    ? PE_REF_INVALID
	       : f == DMAWIN_PE_FAULT_PERMISSION    ? PE_REF_PERM
						    : -2;
}

static void compare_ram(struct world *w)
{
	CHECK(memcmp(w->ram0, w->shadow, RAM_A) == 0);
	CHECK(memcmp(w->ram1, w->shadow + RAM_A + HOLE, RAM_END - RAM_A - HOLE) == 0);
}

static void one_dma(struct world *w, uint64_t *moved)
{
	static uint8_t buf[MAXLEN], rbuf[MAXLEN], mbuf[MAXLEN];
	const struct pe_ref_win *rw = &w->ref.win[rnd(2)];
	uint64_t addr = rw->active ? rw->bus_offset + rnd(rw->size + 8192) : rnd(1 << 20);

	if (rw->bypass && rnd(2)) /* around the bypass limit */
		addr = rw->bus_offset + rw->size - 8192 + rnd(16384);
	size_t len = (size_t)rnd(MAXLEN), done, rdone;
	int write = (int)rnd(2), fault = 0, ret, rret;
	struct dmawin_pe_fault_info fi;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)dw_test_rand(&rng);
	memcpy(rbuf, buf, len);
	memcpy(mbuf, buf, len);
	ret = write ? dmawin_pe_dma_write(w->dev, addr, buf, len, &done)
		    : dmawin_pe_dma_read(w->dev, addr, mbuf, len, &done);
	rret = ref_dma(w, addr, rbuf, len, write, &rdone, &fault);
	CHECK(ret == rret);
	seen[rret ? fault + 1 : 7]++;
	CHECK(done == rdone);
	if (ret) {
		CHECK(dmawin_pe_dev_last_fault(w->dev, &fi) == 0);
		CHECK(ref_fault_of(fi.reason) == fault);
		CHECK(fi.bus_addr == addr + done);
	}
	if (!write)
		CHECK(memcmp(mbuf, rbuf, done) == 0);
	*moved += done;
}

static void test_pe_dma_diff_matches_model(void **state)
{
	struct dmawin_pe_dev_config dc = {.iotlb_entries = 32};
	uint64_t moved = 0;
	struct world w;
	void *h;

	(void)state;
	memset(&w, 0, sizeof(w));
	pe_fix_setup(&w.f, DMAWIN_PE_PLACEMENT_CLASSIC, RAM_A, 1);
	assert_int_equal(dmawin_mem_add_region(w.f.mem, RAM_A + HOLE, RAM_END - RAM_A - HOLE, NULL),
			 0);
	assert_int_equal(dmawin_mem_translate(w.f.mem, 0, RAM_A, &h), 0);
	w.ram0 = h;
	assert_int_equal(dmawin_mem_translate(w.f.mem, RAM_A + HOLE, 1, &h), 0);
	w.ram1 = h;
	w.shadow = calloc(1, RAM_END);
	assert_non_null(w.shadow);
	assert_int_equal(dmawin_pe_dev_create(w.f.pe, &dc, &w.dev), 0);
	set_window(&w, 0);
	set_window(&w, 1);
	for (op = 0; op < OPS; op++) {
		uint64_t r = rnd(100);

		if (r < 2) {
			int s = (int)rnd(2);

			clear_window(&w, s);
			set_window(&w, s);
		} else if (r < 30) {
			put_tces(&w);
		} else {
			one_dma(&w, &moved);
		}
		if (op % 4096 == 0)
			compare_ram(&w);
	}
	compare_ram(&w);
	fprintf(stderr, "pe_dma_diff: %" PRIu64 " bytes moved\n", moved);
	CHECK(moved > OPS * 100);
	fprintf(stderr,
		"pe_dma_diff: ok %" PRIu64 " not-ram %" PRIu64 " no-window %" PRIu64
		" beyond %" PRIu64 " invalid %" PRIu64 " permission %" PRIu64 "\n",
		seen[7], seen[0], seen[1 + PE_REF_NO_WINDOW], seen[1 + PE_REF_BEYOND],
		seen[1 + PE_REF_INVALID], seen[1 + PE_REF_PERM]);
	CHECK(seen[7] > OPS / 10 && seen[0] > OPS / 1000);
	for (int f = PE_REF_NO_WINDOW; f <= PE_REF_PERM; f++)
		CHECK(seen[1 + f] > OPS / 1000);
	dmawin_pe_dev_destroy(w.dev);
	clear_window(&w, 0);
	clear_window(&w, 1);
	pe_fix_teardown(&w.f);
	free(w.shadow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pe_dma_diff_matches_model),
	};
	const char *env = getenv("DW_SEED");

	seed = env ? strtoull(env, NULL, 0) : 0xd3a0d1ffull;
	rng = seed;
	fprintf(stderr, "pe_dma_diff: seed=%" PRIu64 "\n", seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
