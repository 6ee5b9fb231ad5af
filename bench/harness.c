/* SPDX-License-Identifier: MIT */
/* The benchmark harness: registry, warm-up, median of repetitions, JSON lines. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "harness.h"

static struct bench_workload *registry;

void bench_register(struct bench_workload *w)
{
	struct bench_workload **pos = &registry;

	/* Sorted by name so that listings and runs are in a stable order. */
	while (*pos && strcmp((*pos)->name, w->name) < 0)
		pos = &(*pos)->next;
	w->next = *pos;
	*pos = w;
}

const struct bench_workload *bench_first(void)
{
	return registry;
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Warm-up, then `reps` repetitions; the median ns/op, or a negative errno. */
static double median_of(bench_fn fn, const struct bench_params *p, unsigned reps)
{
	double samples[BENCH_MAX_REPS];
	double v = fn(p);

	if (v < 0)
		return v;
	for (unsigned i = 0; i < reps; i++) {
		samples[i] = fn(p);
		if (samples[i] < 0)
			return samples[i];
	}
	qsort(samples, reps, sizeof(samples[0]), compare_double);
	return reps % 2 ? samples[reps / 2] : (samples[reps / 2 - 1] + samples[reps / 2]) / 2;
}

int bench_run_one(const struct bench_workload *w, const struct bench_params *p, unsigned reps,
		  FILE *out)
{
	double ns = median_of(w->run, p, reps), base_ns;
	json_t *o;

	if (ns < 0) {
		fprintf(stderr, "dmawin bench: %s failed: %s\n", w->name, strerror((int)-ns));
		return -1;
	}
	o = json_object();
	json_object_set_new(o, "workload", json_string(w->name));
	json_object_set_new(o, "ops_per_s", json_real(ns > 0 ? 1e9 / ns : INFINITY));
	json_object_set_new(o, "ns_per_op", json_real(ns));
	if (w->baseline) {
		base_ns = median_of(w->baseline, p, reps);
		if (base_ns < 0) {
			fprintf(stderr, "dmawin bench: baseline %s of %s failed\n", w->baseline_name,
				w->name);
			json_decref(o);
			return -1;
		}
		json_object_set_new(o, "baseline", json_string(w->baseline_name));
		json_object_set_new(o, "baseline_ns_per_op", json_real(base_ns));
		json_object_set_new(o, "ratio", json_real(ns > 0 ? base_ns / ns : 0));
	}
	if (w->extra_json)
		w->extra_json(o);
	json_dumpf(o, out, JSON_COMPACT | JSON_REAL_PRECISION(6));
	fputc('\n', out);
	fflush(out);
	json_decref(o);
	return 0;
}
