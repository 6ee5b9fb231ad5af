/* SPDX-License-Identifier: MIT */
/*
 * The benchmark harness behind `dmawin bench` (contract: ../shared/DESIGN.md).
 *
 * A workload is a function that runs ONE repetition and returns its cost in nanoseconds per
 * operation (it times itself with bench_now_ns(), so its setup is not counted). The harness runs
 * one warm-up repetition, then `reps` repetitions, and reports the median as a JSON line:
 *   {"workload": NAME, "ops_per_s": N, "ns_per_op": N}
 * and, when the workload has a baseline measured in the same run (memset, memcpy, ...):
 *   "baseline": NAME, "baseline_ns_per_op": N, "ratio": baseline_ns_per_op / ns_per_op.
 *
 * Workloads register themselves from their own file with BENCH_WORKLOAD(); `dmawin bench NAME`
 * selects every workload whose name starts with NAME.
 */
#ifndef DMAWIN_BENCH_H
#define DMAWIN_BENCH_H

#include <stdbool.h>
#include <stdint.h>

struct bench_params {
	bool quick; /* smoke run (tests): a small fraction of the usual operation count */
	uint64_t seed;
};

/* One repetition: returns ns per operation, or a negative value (a -errno) on failure. */
typedef double (*bench_fn)(const struct bench_params *params);

struct bench_workload {
	const char *name;
	const char *description;
	bench_fn run;
	const char *baseline_name; /* NULL: no baseline */
	bench_fn baseline;
	/* Extra key/value pairs for the JSON line, filled by the last repetition (e.g. "ratio to
	 * flat table" for a footprint workload); may be NULL. */
	void (*extra_json)(void *json_object);
	struct bench_workload *next;
};

void bench_register(struct bench_workload *w);

/* Monotonic clock in nanoseconds. */
uint64_t bench_now_ns(void);

/* Keeps the compiler from optimising a computed value away. */
static inline void bench_keep(uint64_t v)
{
	__asm__ volatile("" : : "r"(v) : "memory");
}

/* Scale an operation count for quick (smoke) runs. */
static inline uint64_t bench_ops(const struct bench_params *p, uint64_t full)
{
	uint64_t n = p->quick ? full / 100 : full;
	return n ? n : 1;
}

#define BENCH_WORKLOAD(ident, ...)                                                                 \
	static struct bench_workload bench_workload_##ident = {__VA_ARGS__};                       \
	__attribute__((constructor)) static void bench_register_##ident(void)                      \
	{                                                                                          \
		bench_register(&bench_workload_##ident);                                           \
	}

#endif
