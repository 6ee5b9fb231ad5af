/* SPDX-License-Identifier: MIT */
/* What `dmawin bench` needs from the harness beyond bench.h. */
#ifndef DMAWIN_BENCH_HARNESS_H
#define DMAWIN_BENCH_HARNESS_H

#include <stdio.h>

#include "bench.h"

#define BENCH_MAX_REPS 31

const struct bench_workload *bench_first(void);

/* Runs one workload (and its baseline) and prints its JSON line; 0 or -1 on failure. */
int bench_run_one(const struct bench_workload *w, const struct bench_params *p, unsigned reps,
		  FILE *out);

#endif
