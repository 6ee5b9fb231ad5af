/* SPDX-License-Identifier: MIT */
/*
 * Threads: no device serves a translation once the call that removed or changed it has
 * returned (TCE unmap + dmawin_pe_dma_barrier, window unset, EEH freeze), and no transfer in
 * flight writes the page afterwards, while devices translate and DMA with IOTLBs in other
 * threads; window sets are reclaimed safely under concurrent DMA (ASan/TSan).
 */
#include <pthread.h>
#include <stdio.h>

#include "pe_test.h"

#define READERS	   2
#define ROUNDS	   2000 /* the round is encoded in the gpa: 2 pages each, in 16 MiB */
#define RW	   (DMAWIN_TCE_READ | DMAWIN_TCE_WRITE)
#define DDW	   (UINT64_C(1) << 59)
#define STABLE_GPA UINT64_C(0xfff000)
#define SENTINEL   0xee
#define GPA(k)	   ((uint64_t)(k) << 13) /* round k: guest pages 2k and 2k + 1 */

struct shared {
	struct pe_fix f;
	struct dmawin_tce_table *t;
	pthread_barrier_t installed, checked, removed_all;
	uint64_t removed; /* atomic: last round whose removal has returned (0: none) */
	int mode;	  /* 0 unmap, 1 unset window, 2 freeze */
};

struct reader {
	struct shared *sh;
	struct dmawin_pe_dev *dev;
	unsigned int
		index; /* devices write disjoint bytes: racing writers would be a C data race */
	uint64_t violations; /* an old translation served after its removal returned */
	uint64_t misses;     /* a fresh mapping not served */
	uint64_t raced;	     /* successful translations while the removal raced */
};

static uint64_t bus_of(const struct shared *sh)
{
	return sh->mode == 1 ? DDW : 0;
}

/* Each round: the mapping of round k appears (barrier), every reader sees it (barrier), readers
 * keep using it while the writer removes it, then (barrier) it must be gone for everybody.
 * Round k maps to guest page k. */
static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct shared *sh = r->sh;
	struct dmawin_pe_xlate xl;
	uint8_t b[16];

	memset(b, 0xab, sizeof(b));
	for (uint64_t k = 1; k <= ROUNDS; k++) {
		pthread_barrier_wait(&sh->installed);
		if (dmawin_pe_dev_translate(r->dev, bus_of(sh) + 8, DMAWIN_PE_DMA_READ, &xl) ||
		    xl.gpa != GPA(k) + 8)
			r->misses++;
		pthread_barrier_wait(&sh->checked);
		for (int i = 0; i < 64; i++) {
			uint64_t removed = __atomic_load_n(&sh->removed, __ATOMIC_ACQUIRE);

			if (dmawin_pe_dev_translate(r->dev, bus_of(sh) + 8, DMAWIN_PE_DMA_READ,
						    &xl) == 0) {
				r->raced++;
				if ((xl.gpa >> 13) <= removed)
					r->violations++;
			}
			/* Reader 0 crosses into bus page 1 (a two-page run), the others write
			 * their own bytes of page 0. */
			if (i % 16 == 0)
				dmawin_pe_dma_write(r->dev,
						    bus_of(sh) + (r->index ? 8 * r->index : 4088),
						    b, sizeof(b), NULL);
		}
		/* Changes of slot 1 never disturb slot 0 (mode 1 keeps page 1 of slot 0 mapped). */
		if (sh->mode == 1 &&
		    (dmawin_pe_dev_translate(r->dev, 0x1008, DMAWIN_PE_DMA_WRITE, &xl) ||
		     xl.gpa != STABLE_GPA + 8))
			r->violations++;
		pthread_barrier_wait(&sh->removed_all);
		/* The writer may already be installing round k + 1, never k again. */
		if (dmawin_pe_dev_translate(r->dev, bus_of(sh) + 8, DMAWIN_PE_DMA_READ, &xl) == 0 &&
		    (xl.gpa >> 13) <= k)
			r->violations++;
	}
	return NULL;
}

static void install(struct shared *sh, uint64_t k)
{
	struct dmawin_pe_window_config wc = {.kind = DMAWIN_PE_WINDOW_TABLE, .bus_offset = DDW};

	switch (sh->mode) {
	case 0:
		assert_int_equal(dmawin_tce_put(sh->t, 0, GPA(k) | RW), 0);
		assert_int_equal(dmawin_tce_put(sh->t, 1, (GPA(k) + 4096) | RW), 0);
		break;
	case 1:
		/* A fresh table each round, held only by the PE: reclaimed under the readers. */
		wc.table = pe_table(12, 1 * MiB, 0);
		assert_int_equal(dmawin_tce_put(wc.table, 0, GPA(k) | RW), 0);
		assert_int_equal(dmawin_tce_put(wc.table, 1, (GPA(k) + 4096) | RW), 0);
		assert_int_equal(dmawin_pe_set_window(sh->f.pe, 1, &wc), 0);
		dmawin_tce_destroy(wc.table);
		break;
	default:
		assert_int_equal(dmawin_tce_put(sh->t, 0, GPA(k) | RW), 0);
		assert_int_equal(dmawin_tce_put(sh->t, 1, (GPA(k) + 4096) | RW), 0);
		assert_int_equal(dmawin_pe_eeh_thaw(sh->f.pe, DMAWIN_PE_EEH_THAW_MMIO), 0);
		assert_int_equal(dmawin_pe_eeh_thaw(sh->f.pe, DMAWIN_PE_EEH_THAW_DMA), 0);
		break;
	}
}

static void remove_mapping(struct shared *sh)
{
	if (sh->mode == 0) {
		/* What a hypervisor does for H_PUT_TCE(0): the table write, then the barrier. */
		assert_int_equal(dmawin_tce_put(sh->t, 0, 0), 0);
		assert_int_equal(dmawin_tce_put(sh->t, 1, 0), 0);
		dmawin_pe_dma_barrier(sh->f.pe);
	} else if (sh->mode == 1)
		assert_int_equal(dmawin_pe_unset_window(sh->f.pe, 1), 0);
	else
		assert_int_equal(dmawin_pe_eeh_freeze(sh->f.pe), 0);
}

static void run_mode(int mode)
{
	struct dmawin_pe_dev_config dc = {.iotlb_entries = 64};
	struct reader rd[READERS];
	pthread_t th[READERS];
	struct shared sh;
	uint64_t raced = 0, late = 0;
	uint8_t *ram;
	void *host;

	memset(&sh, 0, sizeof(sh));
	sh.mode = mode;
	pthread_barrier_init(&sh.installed, NULL, READERS + 1);
	pthread_barrier_init(&sh.checked, NULL, READERS + 1);
	pthread_barrier_init(&sh.removed_all, NULL, READERS + 1);
	pe_fix_setup(&sh.f, DMAWIN_PE_PLACEMENT_CLASSIC, 16 * MiB, 1);
	assert_int_equal(dmawin_mem_translate(sh.f.mem, 0, 16 * MiB, &host), 0);
	ram = host;
	sh.t = pe_table(12, 1 * GiB, 0);
	assert_int_equal(pe_set_table(sh.f.pe, 0, sh.t, 0), 0);
	pe_map(sh.t, 1, STABLE_GPA, RW);
	for (int i = 0; i < READERS; i++) {
		rd[i] = (struct reader){.sh = &sh, .index = (unsigned int)i};
		assert_int_equal(dmawin_pe_dev_create(sh.f.pe, &dc, &rd[i].dev), 0);
		assert_int_equal(pthread_create(&th[i], NULL, reader_main, &rd[i]), 0);
	}
	for (uint64_t k = 1; k <= ROUNDS; k++) {
		install(&sh, k);
		pthread_barrier_wait(&sh.installed);
		pthread_barrier_wait(&sh.checked);
		remove_mapping(&sh);
		/* No transfer may write the page any more: a late device write would show here. */
		memset(ram + GPA(k), SENTINEL, 2 * 4096);
		__atomic_store_n(&sh.removed, k, __ATOMIC_RELEASE);
		pthread_barrier_wait(&sh.removed_all);
		for (int i = 0; i < 2 * 4096; i++)
			late += ram[GPA(k) + i] != SENTINEL;
	}
	assert_int_equal(late, 0);
	for (int i = 0; i < READERS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(rd[i].violations, 0);
		assert_int_equal(rd[i].misses, 0);
		raced += rd[i].raced;
		dmawin_pe_dev_destroy(rd[i].dev);
	}
	fprintf(stderr, "mode %d: %llu translations served while the removal raced\n", mode,
		(unsigned long long)raced);
	assert_int_equal(dw_pe_check(sh.f.pe), 0);
	pe_fix_teardown(&sh.f);
	dmawin_tce_destroy(sh.t);
	pthread_barrier_destroy(&sh.installed);
	pthread_barrier_destroy(&sh.checked);
	pthread_barrier_destroy(&sh.removed_all);
}

static void test_threads_unmap_never_served_after_return(void **state)
{
	(void)state;
	run_mode(0);
}

static void test_threads_unset_window_never_served_after_return(void **state)
{
	(void)state;
	run_mode(1);
}

static void test_threads_freeze_never_served_after_return(void **state)
{
	(void)state;
	run_mode(2);
}

struct inj {
	struct dmawin_pe_dev *dev;
	pthread_barrier_t *go, *done;
	uint64_t eio;
};

static void *inj_main(void *arg)
{
	struct inj *in = arg;
	uint8_t b[8] = {0};

	for (int k = 0; k < ROUNDS / 4; k++) {
		pthread_barrier_wait(in->go);
		if (dmawin_pe_dma_write(in->dev, 0x1000, b, sizeof(b), NULL) == -EIO)
			in->eio++;
		pthread_barrier_wait(in->done);
	}
	return NULL;
}

/* Two devices race into an armed injected DMA error: it fires exactly once per arming. */
static void test_threads_injection_fires_once(void **state)
{
	struct dmawin_pe_dev_config dc = {.iotlb_entries = 16};
	pthread_barrier_t go, done;
	struct dmawin_pe_eeh_stats es;
	struct inj in[READERS];
	pthread_t th[READERS];
	struct pe_fix f;
	struct dmawin_tce_table *t = pe_table(12, 1 * MiB, 0);

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_CLASSIC, 1 * MiB, 1);
	assert_int_equal(pe_set_table(f.pe, 0, t, 0), 0);
	pe_map(t, 1, 0x1000, RW);
	pthread_barrier_init(&go, NULL, READERS + 1);
	pthread_barrier_init(&done, NULL, READERS + 1);
	for (int i = 0; i < READERS; i++) {
		in[i] = (struct inj){.go = &go, .done = &done};
		assert_int_equal(dmawin_pe_dev_create(f.pe, &dc, &in[i].dev), 0);
		assert_int_equal(pthread_create(&th[i], NULL, inj_main, &in[i]), 0);
	}
	for (int k = 0; k < ROUNDS / 4; k++) {
		assert_int_equal(dmawin_pe_eeh_inject(f.pe, DMAWIN_PE_EEH_ERR_TYPE_64,
						      DMAWIN_PE_EEH_ERR_FUNC_DMA_WR_ADDR, 0x1000,
						      ~UINT64_C(0xfff)),
				 0);
		pthread_barrier_wait(&go);
		pthread_barrier_wait(&done);
		assert_int_equal(dmawin_pe_eeh_state(f.pe), DMAWIN_PE_EEH_STOPPED);
		assert_int_equal(dmawin_pe_eeh_thaw(f.pe, DMAWIN_PE_EEH_THAW_MMIO), 0);
		assert_int_equal(dmawin_pe_eeh_thaw(f.pe, DMAWIN_PE_EEH_THAW_DMA), 0);
	}
	for (int i = 0; i < READERS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		dmawin_pe_dev_destroy(in[i].dev);
	}
	assert_int_equal(dmawin_pe_eeh_stats(f.pe, &es), 0);
	assert_int_equal(es.injection_freezes, ROUNDS / 4);
	assert_int_equal(es.freezes, ROUNDS / 4);
	/* Both devices failed every round: one fired the trigger, the other met the freeze. */
	assert_int_equal(in[0].eio + in[1].eio, 2 * (ROUNDS / 4));
	pthread_barrier_destroy(&go);
	pthread_barrier_destroy(&done);
	pe_fix_teardown(&f);
	dmawin_tce_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_unmap_never_served_after_return),
		cmocka_unit_test(test_threads_unset_window_never_served_after_return),
		cmocka_unit_test(test_threads_freeze_never_served_after_return),
		cmocka_unit_test(test_threads_injection_fires_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
