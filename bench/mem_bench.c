/* SPDX-License-Identifier: MIT */
/* mem workloads: copying 64 KiB into and out of guest RAM, against memcpy of the same bytes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "dmawin/mem.h"

#define COPY_BYTES (64u * 1024u)
#define RAM_BYTES (64ull << 20)
#define SLOTS (RAM_BYTES / COPY_BYTES)

enum copy_kind { COPY_IN, COPY_OUT, COPY_MEMCPY_IN, COPY_MEMCPY_OUT };

/* Copies 64 KiB to or from consecutive slots of a 64 MiB guest (or plain buffer). */
static double copy_64k(const struct bench_params *p, enum copy_kind kind)
{
	static uint8_t buf[COPY_BYTES];
	uint64_t ops = bench_ops(p, 200000), t0, t1;
	struct dmawin_mem *mem;
	uint8_t *plain = NULL;
	void *host;

	if (dmawin_mem_create(NULL, &mem) || dmawin_mem_add_region(mem, 0, RAM_BYTES, NULL))
		return -ENOMEM;
	dmawin_mem_translate(mem, 0, RAM_BYTES, &host);
	memset(host, 1, RAM_BYTES); /* fault everything in before timing */
	plain = host;
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < ops; i++) {
		uint64_t gpa = (i % SLOTS) * COPY_BYTES;

		switch (kind) {
		case COPY_IN:
			dmawin_mem_write(mem, gpa, buf, COPY_BYTES);
			break;
		case COPY_OUT:
			dmawin_mem_read(mem, gpa, buf, COPY_BYTES);
			break;
		case COPY_MEMCPY_IN:
			memcpy(plain + gpa, buf, COPY_BYTES);
			break;
		case COPY_MEMCPY_OUT:
			memcpy(buf, plain + gpa, COPY_BYTES);
			break;
		}
		bench_keep(buf[i % COPY_BYTES]);
	}
	t1 = bench_now_ns();
	dmawin_mem_destroy(mem);
	return (double)(t1 - t0) / (double)ops;
}

static double copy_in(const struct bench_params *p)
{
	return copy_64k(p, COPY_IN);
}

static double copy_out(const struct bench_params *p)
{
	return copy_64k(p, COPY_OUT);
}

static double memcpy_in(const struct bench_params *p)
{
	return copy_64k(p, COPY_MEMCPY_IN);
}

static double memcpy_out(const struct bench_params *p)
{
	return copy_64k(p, COPY_MEMCPY_OUT);
}

BENCH_WORKLOAD(mem_copy_in_64k, .name = "mem_copy_in_64k",
	       .description = "dmawin_mem_write of 64 KiB into guest RAM, ns per copy",
	       .run = copy_in, .baseline_name = "memcpy_64k", .baseline = memcpy_in)
BENCH_WORKLOAD(mem_copy_out_64k, .name = "mem_copy_out_64k",
	       .description = "dmawin_mem_read of 64 KiB out of guest RAM, ns per copy",
	       .run = copy_out, .baseline_name = "memcpy_64k", .baseline = memcpy_out)
