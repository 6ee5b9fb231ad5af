/* SPDX-License-Identifier: MIT */
/*
 * The Linux side of dmawin's locked-path workloads (iova_locked_* in iova_bench.c): Linux 6.1's
 * drivers/iommu/iova.c, unchanged, through alloc_iova(size_aligned = true) and free_iova(), the
 * calls a driver that manages its own IOVAs makes. Built by bench/iova/compare.sh with the shims
 * and the cached kernel source of ../shared/bench-peers/linux-iova (same compiler flags as its
 * build.sh). Same random stream, warm-up, 5 repetitions on a fresh domain and median as the
 * peer harness; one JSON line per workload, in its format.
 */
#define _GNU_SOURCE
#include <linux/iova.h>
#include <time.h>

__thread int kshim_cpu;
int kshim_nr_cpus = 2;

#define GRANULE 4096UL
#define LIMIT32 ((1UL << 32) / GRANULE - 1)
#define REPS	5
#define RING	256

static uint64_t rng_state = 88172645463325252ULL;

static inline uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void domain_init(struct iova_domain *d)
{
	init_iova_domain(d, GRANULE, 1);
	if (iova_domain_init_rcaches(d)) {
		fprintf(stderr, "rcache init failed\n");
		exit(1);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, double *ns, int n)
{
	qsort(ns, n, sizeof(*ns), cmp_double);
	double med = ns[n / 2];
	printf("{\"workload\": \"%s\", \"impl\": \"linux-iova.c\", \"ops_per_s\": %.0f, "
	       "\"ns_per_op\": %.2f, \"min_ns\": %.2f, \"max_ns\": %.2f}\n",
	       name, 1e9 / med, med, ns[0], ns[n - 1]);
	fflush(stdout);
}

static unsigned long locked_alloc(struct iova_domain *d, unsigned long pages)
{
	struct iova *v = alloc_iova(d, pages, LIMIT32, true);

	if (!v) {
		fprintf(stderr, "linux_locked: alloc_iova of %lu pages failed\n", pages);
		exit(1);
	}
	return v->pfn_lo;
}

static double run_1page(long n)
{
	struct iova_domain d;

	domain_init(&d);
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		free_iova(&d, locked_alloc(&d, 1));
	double t = (now_ns() - t0) / n;
	put_iova_domain(&d);
	return t;
}

static double run_1_64(long n)
{
	struct iova_domain d;

	domain_init(&d);
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		free_iova(&d, locked_alloc(&d, 1 + rnd() % 64));
	double t = (now_ns() - t0) / n;
	put_iova_domain(&d);
	return t;
}

static void ring(struct iova_domain *d, long rounds)
{
	unsigned long pfns[RING];

	for (long r = 0; r < rounds; r++) {
		for (int i = 0; i < RING; i++)
			pfns[i] = locked_alloc(d, 1);
		for (int i = 0; i < RING; i++)
			free_iova(d, pfns[i]);
	}
}

static double run_ring(long rounds)
{
	struct iova_domain d;

	domain_init(&d);
	double t0 = now_ns();
	ring(&d, rounds);
	double t = (now_ns() - t0) / (rounds * (double)RING);
	put_iova_domain(&d);
	return t;
}

struct thr {
	struct iova_domain *d;
	int cpu;
	long rounds;
};

static void *thr_main(void *arg)
{
	struct thr *t = arg;

	kshim_cpu = t->cpu;
	ring(t->d, t->rounds);
	return NULL;
}

static double run_2threads(long rounds)
{
	struct iova_domain d;
	pthread_t th[2];

	domain_init(&d);
	struct thr a[2] = {{&d, 0, rounds}, {&d, 1, rounds}};
	double t0 = now_ns();
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, thr_main, &a[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	double t = (now_ns() - t0) / (2.0 * rounds * RING);
	put_iova_domain(&d);
	return t;
}

/* The fragmented 32-bit space of the peer harness's iova_fragmented_32bit, then the same
 * 2048-page request below 4 GiB @n times with nothing freed: all must fail. */
static double run_fail_32bit(long n)
{
	enum { MAXLIVE = 1 << 20 };
	static struct iova *live[MAXLIVE];
	long nlive = 0;
	struct iova_domain d;

	domain_init(&d);
	for (struct iova *v;
	     nlive < MAXLIVE && (v = alloc_iova(&d, 1 + rnd() % 16, LIMIT32, true));)
		live[nlive++] = v;
	for (struct iova *v; nlive < MAXLIVE && (v = alloc_iova(&d, 1, LIMIT32, true));)
		live[nlive++] = v;
	for (long i = nlive / 2; i > 0; i--) {
		long k = (long)(rnd() % (unsigned long)nlive);
		__free_iova(&d, live[k]);
		live[k] = live[--nlive];
	}
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		if (alloc_iova(&d, 2048, LIMIT32, true)) {
			fprintf(stderr,
				"linux_locked: a 2048-page allocation succeeded; the set-up is "
				"wrong\n");
			exit(1);
		}
	}
	double t = (now_ns() - t0) / n;
	put_iova_domain(&d);
	return t;
}

static bool wanted(int argc, char **argv, const char *name)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

/* Warm-up with the full count, then REPS repetitions, as the dmawin side does. */
static void bench(int argc, char **argv, const char *name, double (*fn)(long), long n)
{
	double ns[REPS];

	if (!wanted(argc, argv, name))
		return;
	fn(n);
	for (int r = 0; r < REPS; r++)
		ns[r] = fn(n);
	report(name, ns, REPS);
}

int main(int argc, char **argv)
{
	if (iova_cache_get()) {
		fprintf(stderr, "iova_cache_get failed\n");
		return 1;
	}
	/* In the order of dmawin's registry (sorted by name), so both draw the same numbers. */
	bench(argc, argv, "iova_locked_1_64", run_1_64, 1000000);
	bench(argc, argv, "iova_locked_1page", run_1page, 2000000);
	bench(argc, argv, "iova_locked_2threads", run_2threads, 4000);
	bench(argc, argv, "iova_locked_fail_32bit", run_fail_32bit, 1000000);
	bench(argc, argv, "iova_locked_ring_256", run_ring, 8000);
	iova_cache_put();
	return 0;
}
