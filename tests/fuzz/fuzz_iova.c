/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer: IOVA operation sequences (allocations of any size, alignment, limit and direction,
 * fixed allocations, reservations, frees, scatter-gather maps, partial unmaps, lookups) on a small
 * aperture, answered by the library and by the sorted-list reference model of tests/ref. Every
 * answer must match and the whole-structure checker must pass after every step.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../ref/iova_ref.h"
#include "dmawin/iova.h"
#include "fuzz_input.h"
#include "iova/iova_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SHIFT 12
#define G (UINT64_C(1) << SHIFT)
#define AP_START (UINT64_C(0x100000) + 3 * G)
#define AP_PAGES 256
#define AP_LAST (AP_START + AP_PAGES * G - 1)

static struct ref_iova ref;

static void expect(long long lib, long long model, const char *what)
{
	if (lib != model) {
		fprintf(stderr, "%s: library %lld, reference %lld\n", what, lib, model);
		abort();
	}
}

/* An address near the aperture: sometimes outside it, usually inside, granule-aligned. */
static uint64_t pick_iova(struct fuzz_input *in)
{
	return AP_START - 4 * G + (fuzz_take(in, 2) % (AP_PAGES + 8)) * G;
}

static void op_alloc(struct dmawin_iova_space *sp, struct fuzz_input *in)
{
	uint64_t size = (1 + fuzz_u8(in) % 24) * G, align = 0, last = DMAWIN_IOVA_LAST_ANY;
	uint64_t a = 0, b = 0;
	uint8_t mode = fuzz_u8(in);
	bool bottom = mode & 1;

	if (mode & 2)
		align = G << (fuzz_u8(in) % 8);
	if (mode & 4)
		last = AP_START + fuzz_take(in, 2) % (AP_PAGES * G + 4 * G);
	expect(dmawin_iova_alloc(sp, size, align, last, bottom ? DMAWIN_IOVA_BOTTOM_UP : 0, &a),
	       ref_iova_alloc(&ref, size, align, last, !bottom, &b), "alloc rc");
	expect((long long)a, (long long)b, "alloc iova");
}

static void op_map(struct dmawin_iova_space *sp, struct fuzz_input *in)
{
	struct dmawin_iova_sg sg[3];
	uint64_t phys[3], lens[3], iova = pick_iova(in);
	size_t n = 1 + fuzz_u8(in) % 3;
	unsigned prot = 1 + fuzz_u8(in) % 3;

	for (size_t k = 0; k < n; k++) {
		lens[k] = (1 + fuzz_u8(in) % 8) * G;
		phys[k] = fuzz_take(in, 3) * G;
		sg[k] = (struct dmawin_iova_sg){phys[k], lens[k]};
	}
	expect(dmawin_iova_map_sg(sp, iova, sg, n, prot), ref_iova_map(&ref, iova, phys, lens, n, prot),
	       "map_sg");
}

static void step(struct dmawin_iova_space *sp, struct fuzz_input *in)
{
	uint64_t iova = pick_iova(in), size = (1 + fuzz_u8(in) % 16) * G, a = 0, p1 = 0, p2 = 0;
	unsigned pr1 = 0, pr2 = 0;
	bool force;

	switch (fuzz_u8(in) % 8) {
	case 0:
	case 1:
		op_alloc(sp, in);
		break;
	case 2:
		force = fuzz_u8(in) & 1;
		expect(dmawin_iova_free(sp, iova, force ? DMAWIN_IOVA_FORCE : 0),
		       ref_iova_free(&ref, iova, force), "free");
		break;
	case 3:
		expect(dmawin_iova_alloc_fixed(sp, iova, size),
		       ref_iova_add(&ref, iova, size, DMAWIN_IOVA_ALLOCATED), "alloc_fixed");
		break;
	case 4:
		if (fuzz_u8(in) & 1)
			expect(dmawin_iova_reserve(sp, iova, size),
			       ref_iova_add(&ref, iova, size, DMAWIN_IOVA_RESERVED), "reserve");
		else
			expect(dmawin_iova_unreserve(sp, iova, size),
			       ref_iova_unreserve(&ref, iova, size), "unreserve");
		break;
	case 5:
		op_map(sp, in);
		break;
	case 6:
		if (iova < AP_START || iova + size - 1 > AP_LAST)
			break; /* the reference model counts inside the aperture only */
		expect(dmawin_iova_unmap(sp, iova, size, &a), 0, "unmap rc");
		expect((long long)a,
		       (long long)(ref_iova_unmap_pfns(&ref, iova >> SHIFT, (iova + size - 1) >> SHIFT)
				   << SHIFT),
		       "unmapped bytes");
		break;
	default:
		iova += fuzz_u8(in) * 16u;
		expect(dmawin_iova_lookup(sp, iova, &p1, &pr1), ref_iova_lookup(&ref, iova, &p2, &pr2),
		       "lookup rc");
		expect((long long)p1, (long long)p2, "lookup phys");
		expect(pr1, pr2, "lookup prot");
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmawin_iova_config cfg = {.granule_shift = SHIFT, .start = AP_START, .last = AP_LAST};
	struct fuzz_input in = {.data = data, .size = size};
	struct dmawin_iova_space *sp;
	const char *why = NULL;

	if (dmawin_iova_create(&cfg, &sp))
		abort();
	ref_iova_init(&ref, SHIFT, AP_START, AP_LAST);
	for (unsigned steps = 0; fuzz_more(&in) && steps < 200; steps++) {
		step(sp, &in);
		if (dw_iova_check(sp, &why)) {
			fprintf(stderr, "invariant: %s\n", why);
			abort();
		}
	}
	dmawin_iova_destroy(sp);
	return 0;
}
