/* SPDX-License-Identifier: MIT */
/*
 * Several driver threads use the DMA API of one guest at once (as several CPUs do): each maps
 * and unmaps its own buffers, checks that the TCEs the machine holds for its mapping point at
 * its own pages (an allocator race would hand the same IOVA to two threads and one would see
 * the other's page), and that device DMA lands in its buffer.
 */
#include <inttypes.h>
#include <pthread.h>

#include "guest_test.h"

#define THREADS 4
#define ITERS	3000

struct worker {
	struct gt *t;
	unsigned dev;
	unsigned idx;
	uint64_t rng;
	unsigned bad;
};

static void one_round(struct worker *w)
{
	uint64_t phys = (64 + w->idx * 64) * MiB + ((dw_test_rand(&w->rng) % 1024) << 16);
	uint64_t len = 4096 * (1 + dw_test_rand(&w->rng) % 20);
	uint64_t dma;
	int rc = dmawin_guest_map_single(w->t->g, w->dev, phys, len, DMAWIN_GUEST_BIDIRECTIONAL,
					 &dma);
	if (rc) {
		w->bad += rc != -ENOSPC;
		return;
	}
	struct dmawin_guest_device_info di;
	dmawin_guest_device_info(w->t->g, w->dev, &di);
	if (di.mode != DMAWIN_GUEST_MODE_DIRECT) {
		for (uint64_t off = 0; off < len; off += 4096) {
			struct dmawin_papr_xlate x;
			dmawin_papr_xlate(w->t->m, di.liobn, dma + off - di.window_start, &x);
			w->bad += x.translated_addr != ((phys + off) & ~0xfffull) || x.perm != 3;
		}
	}
	uint64_t stamp = w->rng, back = 0;
	w->bad += dmawin_papr_dma_write(w->t->m, 0, dma + len - 8, &stamp, 8) != 0;
	dmawin_mem_read(dmawin_papr_mem(w->t->m), phys + len - 8, &back, 8);
	w->bad += back != stamp;
	w->bad += dmawin_guest_unmap_single(w->t->g, w->dev, dma, len, 0) != 0;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	for (unsigned i = 0; i < ITERS; i++)
		one_round(w);
	return NULL;
}

static void run_threads(struct gt *t, unsigned dev)
{
	pthread_t th[THREADS];
	struct worker w[THREADS];
	for (unsigned i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.t = t, .dev = dev, .idx = i, .rng = 0x1234567ull * (i + 1)};
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (unsigned i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].bad, 0);
	}
}

static void test_threads_default_window_no_shared_iova(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	gt_start(&t);
	dmawin_guest_set_trace(t.g, NULL, NULL);
	unsigned e = gt_dev(&t, "e1000", 0, 1, 32);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	run_threads(&t, e);
	struct dmawin_guest_window_stats ws;
	assert_int_equal(dmawin_guest_window_stats(t.g, LIOBN0, &ws), 0);
	assert_int_equal(ws.used, 0);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.maps, s.unmaps);
	gt_stop(&t);
}

static void test_threads_direct_device_lock_free(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	gt_start(&t);
	dmawin_guest_set_trace(t.g, NULL, NULL);
	unsigned n = gt_dev(&t, "nvme", 0, 0, 64);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	uint64_t hcalls = gt_stats(&t).h_put_tce_indirect;
	run_threads(&t, n);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.h_put_tce_indirect, hcalls);
	assert_int_equal(s.direct_maps, THREADS * ITERS);
	gt_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_default_window_no_shared_iova),
		cmocka_unit_test(test_threads_direct_device_lock_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
