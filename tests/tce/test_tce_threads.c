/* SPDX-License-Identifier: MIT */
/*
 * Readers and writers at once (suite 'threads', also run under ThreadSanitizer).
 *
 * Each writer owns a block of entries and rewrites it in rounds: odd rounds map every entry to
 * a value encoding the round (with a check field, so a torn or misplaced read is visible), even
 * rounds clear it, each round through a random mix of put / xchg / stuff / put_array / clear.
 * Before a round touches an entry it publishes started[i] = round, after the call returned
 * done[i] = round. A reader that read done[i] = d before its lookup and started[i] = s after it
 * must see a value of a round in [d, s] (0 only if such a round clears): nothing torn, nothing
 * older than a write that had returned. It also checks the generation rule: when the generation
 * did not move across its lookup, no write that replaced the value it saw had returned.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>

#include "tce_test.h"

#define WRITERS	   2
#define READERS	   2
#define BLOCK	   300 /* not a multiple of the 32-entry levels: writers share levels */
#define ROUNDS	   2000
#define LOOKUPS	   1000000
#define PAGE_SHIFT 12

static struct dmawin_tce_table *table;
static uint64_t started[WRITERS * BLOCK];
static uint64_t done[WRITERS * BLOCK];
static pthread_barrier_t barrier;

static uint64_t check_field(uint64_t round)
{
	return ((round * 0x9e3779b97f4a7c15ull) >> 40) & 0xffffff;
}

/* bits 63..36: round, 35..12: check field, 1..0: R|W */
static uint64_t tce_of_round(uint64_t round)
{
	return round & 1 ? (round << 36) | (check_field(round) << 12) | 3 : 0;
}

struct writer {
	unsigned int id;
	uint64_t rng;
	int failures;
};

static int write_chunk(struct writer *w, uint64_t first, uint64_t n, uint64_t round)
{
	uint64_t value = tce_of_round(round), batch[BLOCK], old;
	int rc = 0;

	for (uint64_t i = 0; i < n; i++)
		__atomic_store_n(&started[first + i], round, __ATOMIC_RELEASE);
	switch (dw_test_rand(&w->rng) % 4) {
	case 0:
		for (uint64_t i = 0; i < n && !rc; i++) {
			rc = dmawin_tce_xchg(table, first + i, value, &old);
			/* the entry is ours: the old value is the previous round's */
			if (!rc && old != tce_of_round(round - 1))
				w->failures++;
		}
		break;
	case 1:
		rc = dmawin_tce_stuff(table, first, n, value);
		break;
	case 2:
		for (uint64_t i = 0; i < n; i++)
			batch[i] = value;
		rc = dmawin_tce_put_array(table, first, batch, n);
		break;
	default:
		rc = value ? dmawin_tce_put(table, first, value)
			   : dmawin_tce_clear(table, first, n, 0);
		if (value)
			n = 1;
		break;
	}
	if (rc)
		w->failures++;
	for (uint64_t i = 0; i < n; i++)
		__atomic_store_n(&done[first + i], round, __ATOMIC_RELEASE);
	return (int)n;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	uint64_t base = (uint64_t)w->id * BLOCK;

	pthread_barrier_wait(&barrier);
	for (uint64_t round = 1; round <= ROUNDS; round++) {
		for (uint64_t at = 0; at < BLOCK;) {
			uint64_t n = 1 + dw_test_rand(&w->rng) % 64;

			at += (uint64_t)write_chunk(w, base + at, DW_MIN(n, BLOCK - at), round);
		}
	}
	return NULL;
}

struct reader {
	uint64_t rng;
	uint64_t torn, stale, gen_missed, mapped_seen;
};

static void read_once(struct reader *r, const struct dmawin_tce_view *v)
{
	uint64_t i = dw_test_rand(&r->rng) % (WRITERS * BLOCK);
	uint64_t d = __atomic_load_n(&done[i], __ATOMIC_ACQUIRE);
	uint64_t g = dmawin_tce_view_generation(v), tce = 0;
	uint64_t d2, g2, s, round;

	if (r->rng & 1)
		tce = dmawin_tce_view_get(v, i);
	else if (dmawin_tce_lookup(table, (i << PAGE_SHIFT) | 0x7ff, &tce, NULL) != 0)
		r->torn++;
	d2 = __atomic_load_n(&done[i], __ATOMIC_ACQUIRE);
	g2 = dmawin_tce_view_generation(v);
	s = __atomic_load_n(&started[i], __ATOMIC_ACQUIRE);
	if (tce == 0) {
		if ((d & 1) && s == d) /* mapped by a returned write, nothing started since */
			r->stale++;
		return;
	}
	round = tce >> 36;
	r->mapped_seen++;
	if ((tce & 3) != 3 || ((tce >> 12) & 0xffffff) != check_field(round) || !(round & 1))
		r->torn++;
	else if (round < d || round > s)
		r->stale++;
	else if (g2 == g && d2 > round)
		r->gen_missed++;
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	const struct dmawin_tce_view *v = dmawin_tce_view(table);

	pthread_barrier_wait(&barrier);
	for (unsigned int n = 0; n < LOOKUPS; n++)
		read_once(r, v);
	return NULL;
}

static void test_tce_threads_readers_never_see_torn_or_stale(void **state)
{
	struct dmawin_tce_geometry g = {
		.page_shift = PAGE_SHIFT, .entries = 1ull << 15, .max_level_size = 256};
	pthread_t wt[WRITERS], rt[READERS];
	struct writer w[WRITERS];
	struct reader r[READERS];
	uint64_t mapped = 0;

	(void)state;
	assert_int_equal(dmawin_tce_create(&g, &table), 0);
	assert_int_equal(dmawin_tce_view(table)->levels, 3);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, WRITERS + READERS), 0);
	for (unsigned int k = 0; k < WRITERS; k++) {
		w[k] = (struct writer){.id = k, .rng = 0x1234567ull * (k + 1)};
		assert_int_equal(pthread_create(&wt[k], NULL, writer_main, &w[k]), 0);
	}
	for (unsigned int k = 0; k < READERS; k++) {
		r[k] = (struct reader){.rng = 0xabcdefull * (k + 3)};
		assert_int_equal(pthread_create(&rt[k], NULL, reader_main, &r[k]), 0);
	}
	for (unsigned int k = 0; k < WRITERS; k++) {
		assert_int_equal(pthread_join(wt[k], NULL), 0);
		assert_int_equal(w[k].failures, 0);
	}
	for (unsigned int k = 0; k < READERS; k++) {
		assert_int_equal(pthread_join(rt[k], NULL), 0);
		assert_int_equal(r[k].torn, 0);
		assert_int_equal(r[k].stale, 0);
		assert_int_equal(r[k].gen_missed, 0);
		mapped += r[k].mapped_seen;
	}
	print_message("readers saw %" PRIu64 " mapped entries\n", mapped);
	/* ROUNDS is even: every entry ends cleared; levels were never lost or leaked */
	for (uint64_t i = 0; i < WRITERS * BLOCK; i++)
		assert_int_equal(tce_test_get(table, i), 0);
	assert_int_equal(tce_table_check(table), 0);
	pthread_barrier_destroy(&barrier);
	dmawin_tce_destroy(table);
}

/* Many threads fill the same fresh levels at once: every CAS loser must free its copy. */
#define RACERS	    4
#define RACE_LEAVES 256

struct racer {
	unsigned int id;
	int rc;
};

static void *racer_main(void *arg)
{
	struct racer *rc = arg;

	pthread_barrier_wait(&barrier);
	for (uint64_t leaf = 0; leaf < RACE_LEAVES && !rc->rc; leaf++)
		rc->rc = dmawin_tce_put(table, leaf * 32 * 32 + rc->id, ((leaf + 1) << 12) | 3);
	return NULL;
}

static void test_tce_threads_level_allocation_race_no_leak(void **state)
{
	struct dmawin_tce_geometry g = {
		.page_shift = 12, .entries = 1ull << 18, .levels = 0, .max_level_size = 256};
	pthread_t th[RACERS];
	struct racer rc[RACERS];

	(void)state;
	assert_int_equal(dmawin_tce_create(&g, &table), 0);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, RACERS), 0);
	for (unsigned int k = 0; k < RACERS; k++) {
		rc[k] = (struct racer){.id = k};
		assert_int_equal(pthread_create(&th[k], NULL, racer_main, &rc[k]), 0);
	}
	for (unsigned int k = 0; k < RACERS; k++) {
		assert_int_equal(pthread_join(th[k], NULL), 0);
		assert_int_equal(rc[k].rc, 0);
	}
	for (uint64_t leaf = 0; leaf < RACE_LEAVES; leaf++)
		for (unsigned int k = 0; k < RACERS; k++)
			assert_int_equal(tce_test_get(table, leaf * 32 * 32 + k),
					 ((leaf + 1) << 12) | 3);
	/* 1 top, 8 levels of 32768 entries, a leaf and its parent per 1024-entry stride */
	assert_int_equal(tce_test_fp(table).levels_allocated, 1 + 8 + 2 * RACE_LEAVES);
	assert_int_equal(tce_table_check(table), 0);
	pthread_barrier_destroy(&barrier);
	dmawin_tce_destroy(table);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tce_threads_readers_never_see_torn_or_stale),
		cmocka_unit_test(test_tce_threads_level_allocation_race_no_leak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
