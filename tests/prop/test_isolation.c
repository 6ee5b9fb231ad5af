/* SPDX-License-Identifier: MIT */
/*
 * Isolation property test: three PHBs (three PEs), each with a mapper thread driving H_PUT_TCE
 * and a device thread doing random DMA reads and writes through its own pe device. A device
 * must never touch a byte of guest RAM that is not mapped for its PE at the moment of the access:
 *  - every PE maps only pages of its own part of RAM, so its id may appear nowhere else;
 *  - canary pages are never mapped by anyone and must stay zero;
 *  - after H_PUT_TCE(0) has returned, the mapper fills the page with a sentinel and checks it is
 *    still intact before mapping it again: a device write that landed after the unmap returned
 *    would have overwritten it.
 * The shadow memory is the RAM itself: the device writes its PE id, so a foreign byte names the
 * culprit. DMAWIN_ISOLATION_OPS sets the number of mapper rounds per PE.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmawin/papr.h"
#include "dmawin/pe.h"
#include "dw_test.h"

#define NR_PE 3
#define PAGE 4096u
#define PAGES_PER_PE 64  /* RAM pages a PE may map */
#define SLOTS 32	 /* window entries a PE uses */
#define CANARY_PAGES 16
#define SENTINEL 0xee

struct shared {
	struct dmawin_papr *m;
	uint8_t *ram;
	atomic_bool stop;
	atomic_ulong dma_ok, dma_fault, rounds;
	atomic_int failures;
	char failure[256];
};

struct worker {
	struct shared *s;
	unsigned pe;
	uint64_t seed;
};

static uint64_t pe_page_gpa(unsigned pe, unsigned page)
{
	return (uint64_t)(CANARY_PAGES + pe * PAGES_PER_PE + page) * PAGE;
}

/* Keeps the first failure's message; the test reports it after joining the threads. */
#define report(s, ...)                                                                             \
	do {                                                                                       \
		if (atomic_fetch_add(&(s)->failures, 1) == 0)                                      \
			snprintf((s)->failure, sizeof((s)->failure), __VA_ARGS__);                 \
	} while (0)

static bool page_is(const uint8_t *p, uint8_t v)
{
	for (unsigned i = 0; i < PAGE; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Maps a random free page of its own into a random slot, or unmaps a slot, round after round. */
static void *mapper(void *arg)
{
	struct worker *w = arg;
	struct shared *s = w->s;
	uint64_t liobn = DMAWIN_PAPR_LIOBN(w->pe, 0), rs = w->seed;
	int slot_page[SLOTS];
	bool page_used[PAGES_PER_PE] = {false};
	const char *ops = getenv("DMAWIN_ISOLATION_OPS");
	unsigned long rounds = ops ? strtoul(ops, NULL, 0) : 20000;

	for (unsigned i = 0; i < SLOTS; i++)
		slot_page[i] = -1;
	for (unsigned long r = 0; r < rounds && !atomic_load(&s->failures); r++) {
		unsigned slot = (unsigned)(dw_test_rand(&rs) % SLOTS);
		int page = slot_page[slot];

		if (page >= 0) { /* unmap, then prove nobody writes the page any more */
			if (dmawin_papr_h_put_tce(s->m, liobn, slot * PAGE, 0))
				report(s, "pe %u: unmap of slot %u failed", w->pe, slot);
			memset(s->ram + pe_page_gpa(w->pe, (unsigned)page), SENTINEL, PAGE);
			slot_page[slot] = -1;
			page_used[page] = false;
			continue;
		}
		page = (int)(dw_test_rand(&rs) % PAGES_PER_PE);
		if (page_used[page])
			continue;
		if (!page_is(s->ram + pe_page_gpa(w->pe, (unsigned)page), SENTINEL) &&
		    !page_is(s->ram + pe_page_gpa(w->pe, (unsigned)page), 0))
			report(s, "pe %u: page %u written after its unmap returned (slot %u)",
			       w->pe, (unsigned)page, slot);
		memset(s->ram + pe_page_gpa(w->pe, (unsigned)page), 0, PAGE);
		if (dmawin_papr_h_put_tce(s->m, liobn, slot * PAGE,
					  pe_page_gpa(w->pe, (unsigned)page) | 3))
			report(s, "pe %u: map of slot %u failed", w->pe, slot);
		slot_page[slot] = page;
		page_used[page] = true;
		atomic_fetch_add(&s->rounds, 1);
	}
	for (unsigned i = 0; i < SLOTS; i++)
		if (slot_page[i] >= 0)
			dmawin_papr_h_put_tce(s->m, liobn, i * PAGE, 0);
	return NULL;
}

/* Random DMA through the PE's own device; writes carry the PE's id. */
static void *device(void *arg)
{
	struct worker *w = arg;
	struct shared *s = w->s;
	struct dmawin_pe_dev *dev;
	uint8_t buf[2 * PAGE];
	uint64_t rs = w->seed ^ 0x9e3779b97f4a7c15ull;

	memset(buf, (int)(w->pe + 1), sizeof(buf));
	if (dmawin_pe_dev_create(dmawin_papr_phb_pe(s->m, w->pe), NULL, &dev)) {
		report(s, "pe %u: no device", w->pe);
		return NULL;
	}
	while (!atomic_load(&s->stop)) {
		uint64_t x = dw_test_rand(&rs);
		uint64_t addr = (x % (SLOTS * PAGE)) & ~7ull;
		size_t len = 1 + (size_t)((x >> 20) % sizeof(buf)), done = 0;
		int ret = (x >> 40) % 4 ? dmawin_pe_dma_write(dev, addr, buf, len, &done)
					 : dmawin_pe_dma_read(dev, addr, buf + PAGE, len / 2, &done);

		atomic_fetch_add(ret ? &s->dma_fault : &s->dma_ok, 1);
		memset(buf + PAGE, (int)(w->pe + 1), PAGE);
	}
	dmawin_pe_dev_destroy(dev);
	return NULL;
}

static void check_final_memory(struct shared *s)
{
	for (unsigned p = 0; p < CANARY_PAGES; p++)
		if (!page_is(s->ram + (uint64_t)p * PAGE, 0))
			fail_msg("canary page %u was written", p);
	for (unsigned pe = 0; pe < NR_PE; pe++)
		for (unsigned p = 0; p < PAGES_PER_PE; p++) {
			const uint8_t *b = s->ram + pe_page_gpa(pe, p);

			for (unsigned i = 0; i < PAGE; i++)
				if (b[i] != 0 && b[i] != SENTINEL && b[i] != pe + 1)
					fail_msg("page %u of pe %u holds byte %#x of pe %d", p, pe,
						 b[i], b[i] - 1);
		}
}

static void test_isolation_random_map_unmap_dma_threads(void **state)
{
	static struct shared s;
	struct dmawin_papr_config cfg;
	struct worker w[NR_PE];
	pthread_t mt[NR_PE], dt[NR_PE];
	void *ram;

	(void)state;
	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 1ull << 20;
	cfg.nr_phbs = NR_PE;
	for (unsigned i = 0; i < NR_PE; i++) {
		dmawin_papr_phb_config_init(&cfg.phbs[i], i);
		cfg.phbs[i].dma_win_size = SLOTS * PAGE;
	}
	assert_int_equal(dmawin_papr_create(&cfg, &s.m, NULL, 0), 0);
	assert_int_equal(dmawin_mem_translate(dmawin_papr_mem(s.m), 0, cfg.ram_size, &ram), 0);
	s.ram = ram;
	for (unsigned i = 0; i < NR_PE; i++) {
		w[i] = (struct worker){.s = &s, .pe = i, .seed = 0x15011a7e + i};
		pthread_create(&dt[i], NULL, device, &w[i]);
		pthread_create(&mt[i], NULL, mapper, &w[i]);
	}
	for (unsigned i = 0; i < NR_PE; i++)
		pthread_join(mt[i], NULL);
	atomic_store(&s.stop, true);
	for (unsigned i = 0; i < NR_PE; i++)
		pthread_join(dt[i], NULL);
	print_message("isolation: %lu map rounds, %lu DMA ok, %lu DMA faulted\n",
		      (unsigned long)atomic_load(&s.rounds), (unsigned long)atomic_load(&s.dma_ok),
		      (unsigned long)atomic_load(&s.dma_fault));
	if (atomic_load(&s.failures))
		fail_msg("%s", s.failure);
	assert_true(atomic_load(&s.dma_ok) > 0); /* the devices really moved bytes */
	check_final_memory(&s);
	dmawin_papr_destroy(s.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_isolation_random_map_unmap_dma_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
