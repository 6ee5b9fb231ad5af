/* SPDX-License-Identifier: MIT */
/*
 * iova workloads: the six definitions of ../shared/bench-peers/README.md, under the same names and
 * parameters as the Linux iova.c harness (linux-iova/run.sh), so that bench/iova/compare.sh can
 * put the two side by side. Fast-path calls stand where Linux uses alloc_iova_fast/free_iova_fast,
 * the locked tree where it uses alloc_iova/__free_iova.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "bench.h"
#include "dmawin/iova.h"

#define G    UINT64_C(4096)
#define RING 256

/* One xorshift64 stream through the whole run, as the README asks. */
static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Linux's domain starts at pfn 1 and has no upper end; so does this space. */
static struct dmawin_iova_space *new_space(void)
{
	struct dmawin_iova_config cfg = {.granule_shift = 12, .start = G, .last = UINT64_MAX};
	struct dmawin_iova_space *s;

	return dmawin_iova_create(&cfg, &s) ? NULL : s;
}

static double run_1page(const struct bench_params *p)
{
	uint64_t n = bench_ops(p, 2000000), iova = 0;
	struct dmawin_iova_space *s = new_space();

	if (!s)
		return -ENOMEM;
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < n; i++) {
		if (dmawin_iova_alloc_fast(s, G, DMAWIN_IOVA_LAST_32BIT, &iova))
			break;
		dmawin_iova_free_fast(s, iova, G);
	}
	uint64_t t1 = bench_now_ns();
	dmawin_iova_destroy(s);
	return (double)(t1 - t0) / (double)n;
}

/* RING one-page allocations, then their frees in allocation order; returns 0 or -errno. */
static int ring(struct dmawin_iova_space *s, uint64_t rounds)
{
	uint64_t v[RING];

	for (uint64_t r = 0; r < rounds; r++) {
		for (int i = 0; i < RING; i++)
			if (dmawin_iova_alloc_fast(s, G, DMAWIN_IOVA_LAST_32BIT, &v[i]))
				return -ENOSPC;
		for (int i = 0; i < RING; i++)
			dmawin_iova_free_fast(s, v[i], G);
	}
	return 0;
}

static double ring_ns(uint64_t rounds)
{
	struct dmawin_iova_space *s = new_space();

	if (!s)
		return -ENOMEM;
	uint64_t t0 = bench_now_ns();
	int rc = ring(s, rounds);
	uint64_t t1 = bench_now_ns();
	dmawin_iova_destroy(s);
	return rc ? rc : (double)(t1 - t0) / (double)(rounds * RING);
}

static double run_ring(const struct bench_params *p)
{
	return ring_ns(bench_ops(p, 8000));
}

/* iova_mixed; @tree: through the locked tree (dmawin_iova_alloc/free) instead of the fast path. */
static double mixed(const struct bench_params *p, bool tree)
{
	enum { LIVE = 4096 };
	static uint64_t iova[LIVE], size[LIVE];
	uint64_t n = bench_ops(p, 1000000);
	struct dmawin_iova_space *s = new_space();
	int rc = 0;

	if (!s)
		return -ENOMEM;
	for (int i = 0; i < LIVE && !rc; i++) {
		size[i] = (1 + rnd() % 64) * G;
		rc = tree ? dmawin_iova_alloc(s, size[i], 0, DMAWIN_IOVA_LAST_48BIT, 0, &iova[i])
			  : dmawin_iova_alloc_fast(s, size[i], DMAWIN_IOVA_LAST_48BIT, &iova[i]);
	}
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < n && !rc; i++) {
		int k = (int)(rnd() % LIVE);
		if (tree)
			dmawin_iova_free(s, iova[k], 0);
		else
			dmawin_iova_free_fast(s, iova[k], size[k]);
		size[k] = (1 + rnd() % 64) * G;
		rc = tree ? dmawin_iova_alloc(s, size[k], 0, DMAWIN_IOVA_LAST_48BIT, 0, &iova[k])
			  : dmawin_iova_alloc_fast(s, size[k], DMAWIN_IOVA_LAST_48BIT, &iova[k]);
	}
	uint64_t t1 = bench_now_ns();
	dmawin_iova_destroy(s);
	return rc ? rc : (double)(t1 - t0) / (double)n;
}

static double run_mixed(const struct bench_params *p)
{
	return mixed(p, false);
}

static double run_tree_mixed(const struct bench_params *p)
{
	return mixed(p, true);
}

struct ring_thread {
	struct dmawin_iova_space *s;
	uint64_t rounds;
	int rc;
	double cpu_ns; /* this thread's CPU time */
};

static double thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void *ring_main(void *arg)
{
	struct ring_thread *t = arg;
	double c0 = thread_cpu_ns();

	t->rc = ring(t->s, t->rounds);
	t->cpu_ns = thread_cpu_ns() - c0;
	return NULL;
}

/* Wall-clock scaling needs two idle cores; the CPU time per pair of each thread, two threads
 * against one, shows contention (shared lines, locks) even on a loaded machine. */
static double two_thread_scaling, cpu_per_pair_two, cpu_per_pair_one;

static double run_2threads(const struct bench_params *p)
{
	uint64_t rounds = bench_ops(p, 4000);
	struct dmawin_iova_space *s = new_space();
	struct ring_thread t[2] = {{s, rounds, 0}, {s, rounds, 0}};
	pthread_t th[2];
	bool started[2];

	if (!s)
		return -ENOMEM;
	uint64_t t0 = bench_now_ns();
	for (int i = 0; i < 2; i++) {
		started[i] = !pthread_create(&th[i], NULL, ring_main, &t[i]);
		if (!started[i])
			t[i].rc = -EAGAIN;
	}
	for (int i = 0; i < 2; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	uint64_t t1 = bench_now_ns();
	dmawin_iova_destroy(s);
	if (t[0].rc || t[1].rc)
		return t[0].rc ? t[0].rc : t[1].rc;
	double ns = (double)(t1 - t0) / (2.0 * (double)rounds * RING);
	/* Aggregate throughput against one thread doing the same loop alone, measured alongside. */
	cpu_per_pair_two = (t[0].cpu_ns + t[1].cpu_ns) / (2.0 * (double)rounds * RING);
	struct ring_thread solo = {new_space(), rounds, 0, 0};
	if (!solo.s)
		return -ENOMEM;
	uint64_t t2 = bench_now_ns();
	ring_main(&solo);
	double one = (double)(bench_now_ns() - t2) / (double)(rounds * RING);
	dmawin_iova_destroy(solo.s);
	cpu_per_pair_one = solo.cpu_ns / ((double)rounds * RING);
	if (one > 0 && ns > 0)
		two_thread_scaling = one / ns;
	return solo.rc ? solo.rc : ns;
}

static void two_threads_json(void *obj)
{
	json_object_set_new(obj, "scaling_vs_1_thread", json_real(two_thread_scaling));
	json_object_set_new(obj, "cpu_ns_per_pair_2_threads", json_real(cpu_per_pair_two));
	json_object_set_new(obj, "cpu_ns_per_pair_1_thread", json_real(cpu_per_pair_one));
}

/* The fragmented 32-bit space of the README, one repetition; fills *ok and *fail (ns). */
struct frag_result {
	double ok, fail, ok_first_half, ok_second_half;
	double ok_octile[8]; /* mean ns per successful allocation in each eighth of the run */
};

static struct frag_result frag_last;

static int fill_32bit(struct dmawin_iova_space *s, uint64_t *live, size_t max, size_t *n)
{
	uint64_t iova;

	*n = 0;
	while (*n < max &&
	       !dmawin_iova_alloc(s, (1 + rnd() % 16) * G, 0, DMAWIN_IOVA_LAST_32BIT, 0, &iova))
		live[(*n)++] = iova;
	while (*n < max && !dmawin_iova_alloc(s, G, 0, DMAWIN_IOVA_LAST_32BIT, 0, &iova))
		live[(*n)++] = iova;
	for (size_t i = *n / 2; i > 0; i--) {
		size_t k = (size_t)(rnd() % *n);
		if (dmawin_iova_free(s, live[k], 0))
			return -EPROTO;
		live[k] = live[--*n];
	}
	return 0;
}

static int run_fragmented(const struct bench_params *p, struct frag_result *r)
{
	enum { MAXLIVE = 1 << 20, OPS = 2000 };
	static uint64_t live[MAXLIVE];
	struct dmawin_iova_space *s = new_space();
	double tok[2] = {0, 0}, tfail = 0, toct[8] = {0};
	uint64_t nok[2] = {0, 0}, noct[8] = {0}, ops = p->quick ? 200 : OPS, iova, big_iova;
	size_t n;
	int rc;

	if (!s)
		return -ENOMEM;
	/* even a quick run fills the space: the failing search needs it full */
	rc = fill_32bit(s, live, MAXLIVE, &n);
	for (uint64_t i = 0; i < ops && !rc && n; i++) {
		size_t k = (size_t)(rnd() % n);
		dmawin_iova_free(s, live[k], 0);
		uint64_t sz = (1 + rnd() % 16) * G;
		uint64_t t0 = bench_now_ns();
		int ok = dmawin_iova_alloc(s, sz, 0, DMAWIN_IOVA_LAST_32BIT, 0, &iova);
		uint64_t t1 = bench_now_ns();
		int big = dmawin_iova_alloc(s, 2048 * G, 0, DMAWIN_IOVA_LAST_32BIT, 0, &big_iova);
		uint64_t t2 = bench_now_ns();
		if (!ok) {
			live[k] = iova;
			tok[i >= ops / 2] += (double)(t1 - t0);
			nok[i >= ops / 2]++;
			toct[i * 8 / ops] += (double)(t1 - t0);
			noct[i * 8 / ops]++;
		} else {
			live[k] = live[--n];
		}
		if (big != -ENOSPC)
			rc = -EPROTO; /* the set-up is wrong: a 2048-page range must not fit */
		tfail += (double)(t2 - t1);
	}
	dmawin_iova_destroy(s);
	r->ok_first_half = nok[0] ? tok[0] / (double)nok[0] : 0;
	r->ok_second_half = nok[1] ? tok[1] / (double)nok[1] : 0;
	for (int o = 0; o < 8; o++)
		r->ok_octile[o] = noct[o] ? toct[o] / (double)noct[o] : 0;
	r->ok = nok[0] + nok[1] ? (tok[0] + tok[1]) / (double)(nok[0] + nok[1]) : -ENOSPC;
	r->fail = tfail / (double)ops;
	return rc;
}

static double run_frag_ok(const struct bench_params *p)
{
	int rc = run_fragmented(p, &frag_last);
	return rc ? rc : frag_last.ok;
}

static double run_frag_fail(const struct bench_params *p)
{
	int rc = run_fragmented(p, &frag_last);
	return rc ? rc : frag_last.fail;
}

static void frag_ok_json(void *obj)
{
	json_object_set_new(obj, "first_half_ns", json_real(frag_last.ok_first_half));
	json_object_set_new(obj, "second_half_ns", json_real(frag_last.ok_second_half));
	json_object_set_new(obj, "first_octile_ns", json_real(frag_last.ok_octile[0]));
	json_object_set_new(obj, "last_octile_ns", json_real(frag_last.ok_octile[7]));
	json_t *oct = json_array();
	for (int o = 0; o < 8; o++)
		json_array_append_new(oct, json_real(frag_last.ok_octile[o]));
	json_object_set_new(obj, "octiles_ns", oct);
}

/*
 * The locked path: dmawin_iova_alloc() with natural alignment (size rounded up to a power of two),
 * top-down, and dmawin_iova_free() by address, against Linux's alloc_iova(size_aligned) and
 * free_iova() in bench/iova/linux_locked.c (same definitions, same names).
 */
static int locked_alloc(struct dmawin_iova_space *s, uint64_t pages, uint64_t *iova)
{
	return dmawin_iova_alloc(s, pages * G, 0, DMAWIN_IOVA_LAST_32BIT, 0, iova);
}

static double run_locked_1page(const struct bench_params *p)
{
	uint64_t n = bench_ops(p, 2000000), iova = 0;
	struct dmawin_iova_space *s = new_space();
	int rc = 0;

	if (!s)
		return -ENOMEM;
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < n && !rc; i++) {
		rc = locked_alloc(s, 1, &iova);
		if (!rc)
			rc = dmawin_iova_free(s, iova, 0);
	}
	uint64_t t1 = bench_now_ns();
	dmawin_iova_destroy(s);
	return rc ? rc : (double)(t1 - t0) / (double)n;
}

/* Sizes 1 + rnd() % 64 pages, each freed at once (the draw is timed on both sides). */
static double run_locked_1_64(const struct bench_params *p)
{
	uint64_t n = bench_ops(p, 1000000), iova = 0;
	struct dmawin_iova_space *s = new_space();
	int rc = 0;

	if (!s)
		return -ENOMEM;
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < n && !rc; i++) {
		rc = locked_alloc(s, 1 + rnd() % 64, &iova);
		if (!rc)
			rc = dmawin_iova_free(s, iova, 0);
	}
	uint64_t t1 = bench_now_ns();
	dmawin_iova_destroy(s);
	return rc ? rc : (double)(t1 - t0) / (double)n;
}

static int locked_ring(struct dmawin_iova_space *s, uint64_t rounds)
{
	uint64_t v[RING];

	for (uint64_t r = 0; r < rounds; r++) {
		for (int i = 0; i < RING; i++)
			if (locked_alloc(s, 1, &v[i]))
				return -ENOSPC;
		for (int i = 0; i < RING; i++)
			if (dmawin_iova_free(s, v[i], 0))
				return -EPROTO;
	}
	return 0;
}

static double run_locked_ring(const struct bench_params *p)
{
	uint64_t rounds = bench_ops(p, 8000);
	struct dmawin_iova_space *s = new_space();

	if (!s)
		return -ENOMEM;
	uint64_t t0 = bench_now_ns();
	int rc = locked_ring(s, rounds);
	uint64_t t1 = bench_now_ns();
	dmawin_iova_destroy(s);
	return rc ? rc : (double)(t1 - t0) / (double)(rounds * RING);
}

struct locked_thread {
	struct dmawin_iova_space *s;
	uint64_t rounds;
	int rc;
};

static void *locked_ring_main(void *arg)
{
	struct locked_thread *t = arg;

	t->rc = locked_ring(t->s, t->rounds);
	return NULL;
}

static double run_locked_2threads(const struct bench_params *p)
{
	uint64_t rounds = bench_ops(p, 4000);
	struct dmawin_iova_space *s = new_space();
	struct locked_thread t[2] = {{s, rounds, 0}, {s, rounds, 0}};
	pthread_t th[2];
	bool started[2];

	if (!s)
		return -ENOMEM;
	uint64_t t0 = bench_now_ns();
	for (int i = 0; i < 2; i++) {
		started[i] = !pthread_create(&th[i], NULL, locked_ring_main, &t[i]);
		if (!started[i])
			t[i].rc = -EAGAIN;
	}
	for (int i = 0; i < 2; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	uint64_t t1 = bench_now_ns();
	dmawin_iova_destroy(s);
	if (t[0].rc || t[1].rc)
		return t[0].rc ? t[0].rc : t[1].rc;
	return (double)(t1 - t0) / (2.0 * (double)rounds * RING);
}

/* The fragmented 32-bit space of iova_fragmented_32bit, then the same 2048-page request below
 * 4 GiB over and over with nothing freed in between: every one must fail. */
static double run_locked_fail_32bit(const struct bench_params *p)
{
	enum { MAXLIVE = 1 << 20 };
	static uint64_t live[MAXLIVE];
	uint64_t n = bench_ops(p, 1000000), iova;
	struct dmawin_iova_space *s = new_space();
	size_t nlive;
	int rc;

	if (!s)
		return -ENOMEM;
	rc = fill_32bit(s, live, MAXLIVE, &nlive);
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < n && !rc; i++)
		if (locked_alloc(s, 2048, &iova) != -ENOSPC)
			rc = -EPROTO; /* the set-up is wrong: a 2048-page range must not fit */
	uint64_t t1 = bench_now_ns();
	dmawin_iova_destroy(s);
	return rc ? rc : (double)(t1 - t0) / (double)n;
}

BENCH_WORKLOAD(iova_locked_1page, .name = "iova_locked_1page",
	       .description = "locked path: alloc + free of one page below 4 GiB, ns per pair",
	       .run = run_locked_1page)
BENCH_WORKLOAD(
	iova_locked_1_64, .name = "iova_locked_1_64",
	.description =
		"locked path: alloc + free of 1..64 pages (size-aligned) below 4 GiB, ns per pair",
	.run = run_locked_1_64)
BENCH_WORKLOAD(iova_locked_ring_256, .name = "iova_locked_ring_256",
	       .description = "locked path: 256 one-page allocations then their frees in order, ns "
			      "per pair",
	       .run = run_locked_ring)
BENCH_WORKLOAD(
	iova_locked_2threads, .name = "iova_locked_2threads",
	.description = "two threads running iova_locked_ring_256 on one space, wall ns per pair",
	.run = run_locked_2threads)
BENCH_WORKLOAD(iova_locked_fail_32bit, .name = "iova_locked_fail_32bit",
	       .description = "full, half-freed 32-bit space: the same failing 2048-page request "
			      "repeated with nothing freed, ns per request",
	       .run = run_locked_fail_32bit)
BENCH_WORKLOAD(iova_1page, .name = "iova_1page",
	       .description = "alloc_fast + free_fast of one page below 4 GiB, ns per pair",
	       .run = run_1page)
BENCH_WORKLOAD(
	iova_ring_256, .name = "iova_ring_256",
	.description = "256 one-page fast allocations then their frees in order, ns per pair",
	.run = run_ring)
BENCH_WORKLOAD(iova_mixed, .name = "iova_mixed",
	       .description =
		       "4096 live ranges of 1..64 pages below 2^48, free one + allocate one, "
		       "ns per pair",
	       .run = run_mixed)
BENCH_WORKLOAD(iova_tree_mixed, .name = "iova_tree_mixed",
	       .description = "iova_mixed through the locked tree only (no magazines), ns per pair",
	       .run = run_tree_mixed)
BENCH_WORKLOAD(iova_2threads, .name = "iova_2threads",
	       .description = "two threads running iova_ring_256 on one space, wall ns per pair",
	       .run = run_2threads, .extra_json = two_threads_json)
BENCH_WORKLOAD(
	iova_fragmented_32bit_ok, .name = "iova_fragmented_32bit_ok",
	.description = "full, half-freed 32-bit space: ns per successful 1..16-page allocation",
	.run = run_frag_ok, .extra_json = frag_ok_json)
BENCH_WORKLOAD(iova_fragmented_32bit_fail, .name = "iova_fragmented_32bit_fail",
	       .description = "full, half-freed 32-bit space: ns per failing 2048-page allocation",
	       .run = run_frag_fail)
