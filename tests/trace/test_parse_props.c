/* SPDX-License-Identifier: MIT */
/*
 * Parser properties, seeded (DMAWIN_TEST_SEED, printed on failure):
 *  - round trip: lines written by an independent formatter of the same QEMU formats (the guest
 *    layer's dmawin_guest_format_trace) with random field values parse back to those values;
 *  - robustness: every truncation and random byte damage of such lines is either parsed,
 *    unknown or malformed with a column inside the line, never anything else.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dmawin/guest.h"
#include "dmawin/trace.h"
#include "dw_test.h"

#define ROUNDS 200000

static uint64_t seed;

/* Random 64-bit values biased to the edges (0, small, all ones) where parsers break. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t r = dw_test_rand(s);

	switch (r & 7) {
	case 0:
		return 0;
	case 1:
		return UINT64_MAX >> (r >> 58);
	case 2:
		return (r >> 8) & 0xfff;
	default:
		return dw_test_rand(s);
	}
}

static void random_trace(struct dmawin_papr_trace *tr, uint64_t *s)
{
	memset(tr, 0, sizeof(*tr));
	tr->type = (enum dmawin_papr_trace_type)(1 + dw_test_rand(s) % 9);
	tr->liobn = rnd(s);
	tr->pci = (tr->liobn & 0x80000000u) != 0;
	tr->ioba = rnd(s);
	tr->tce = rnd(s);
	tr->iobaN = rnd(s);
	tr->tceN = rnd(s);
	tr->npages = rnd(s);
	tr->ret = (int64_t)rnd(s);
	tr->buid = rnd(s);
	tr->cfgaddr = (uint32_t)rnd(s);
	tr->windows_available = (uint32_t)rnd(s);
	tr->max_window_size = rnd(s);
	tr->mask = (uint32_t)rnd(s);
	tr->page_size = rnd(s);
	tr->requested = rnd(s);
	tr->start = rnd(s);
	/* 32-bit in the format: the formatter prints the low half */
	if (tr->type == DMAWIN_PAPR_TR_DDW_CREATE || tr->type == DMAWIN_PAPR_TR_DDW_REMOVE)
		tr->liobn &= 0xffffffffu;
}

static void check_fields(const struct dmawin_papr_trace *tr, const struct dmawin_trace_event *ev)
{
	switch (tr->type) {
	case DMAWIN_PAPR_TR_PUT:
		assert_int_equal(ev->kind, DMAWIN_TRACE_EV_PUT);
		assert_true(ev->u.put.liobn == tr->liobn && ev->u.put.ioba == tr->ioba &&
			    ev->u.put.tce == tr->tce && ev->u.put.ret == tr->ret);
		assert_int_equal(ev->pci, tr->pci);
		break;
	case DMAWIN_PAPR_TR_GET:
		assert_int_equal(ev->kind, DMAWIN_TRACE_EV_GET);
		assert_true(ev->u.get.liobn == tr->liobn && ev->u.get.ioba == tr->ioba &&
			    ev->u.get.tce == tr->tce && ev->u.get.ret == tr->ret);
		break;
	case DMAWIN_PAPR_TR_INDIRECT:
		assert_int_equal(ev->kind, DMAWIN_TRACE_EV_INDIRECT);
		assert_true(ev->u.indirect.ioba == tr->ioba && ev->u.indirect.tcelist == tr->tce &&
			    ev->u.indirect.last_index == tr->iobaN &&
			    ev->u.indirect.last_tce == tr->tceN && ev->u.indirect.ret == tr->ret);
		break;
	case DMAWIN_PAPR_TR_STUFF:
		assert_int_equal(ev->kind, DMAWIN_TRACE_EV_STUFF);
		assert_true(ev->u.stuff.ioba_end == tr->ioba && ev->u.stuff.tce_value == tr->tce &&
			    ev->u.stuff.npages == tr->npages && ev->u.stuff.ret == tr->ret);
		break;
	case DMAWIN_PAPR_TR_NEW_TABLE:
		assert_int_equal(ev->kind, DMAWIN_TRACE_EV_NEW_TABLE);
		assert_true(ev->u.new_table.liobn == tr->liobn);
		break;
	case DMAWIN_PAPR_TR_DDW_QUERY:
		assert_int_equal(ev->kind, DMAWIN_TRACE_EV_DDW_QUERY);
		assert_true(ev->u.ddw_query.buid == tr->buid &&
			    ev->u.ddw_query.cfgaddr == tr->cfgaddr &&
			    ev->u.ddw_query.windows_available == tr->windows_available &&
			    ev->u.ddw_query.max_window_size == tr->max_window_size &&
			    ev->u.ddw_query.pgmask == tr->mask);
		break;
	case DMAWIN_PAPR_TR_DDW_CREATE:
		assert_int_equal(ev->kind, DMAWIN_TRACE_EV_DDW_CREATE);
		assert_true(ev->u.ddw_create.buid == tr->buid &&
			    ev->u.ddw_create.page_size == tr->page_size &&
			    ev->u.ddw_create.requested == tr->requested &&
			    ev->u.ddw_create.start == tr->start &&
			    ev->u.ddw_create.liobn == tr->liobn);
		break;
	case DMAWIN_PAPR_TR_DDW_REMOVE:
		assert_int_equal(ev->kind, DMAWIN_TRACE_EV_DDW_REMOVE);
		assert_true(ev->u.ddw_remove.liobn == tr->liobn);
		break;
	case DMAWIN_PAPR_TR_DDW_RESET:
		assert_int_equal(ev->kind, DMAWIN_TRACE_EV_DDW_RESET);
		assert_true(ev->u.ddw_reset.buid == tr->buid &&
			    ev->u.ddw_reset.cfgaddr == tr->cfgaddr);
		break;
	}
}

static void test_parse_props_formatter_round_trip(void **state)
{
	uint64_t s = seed;

	(void)state;
	for (unsigned i = 0; i < ROUNDS; i++) {
		struct dmawin_papr_trace tr;
		struct dmawin_trace_event ev;
		struct dmawin_trace_parse_error err;
		char line[512];
		int n, ret;

		random_trace(&tr, &s);
		n = dmawin_guest_format_trace(&tr, line, sizeof(line));
		assert_true(n > 0 && (size_t)n < sizeof(line));
		ret = dmawin_trace_parse_line(line, (size_t)n, &ev, &err, NULL, NULL);
		if (ret)
			fail_msg("seed %" PRIu64 " round %u: '%s' -> %d (%s at %zu)", seed, i, line,
				 ret, err.reason, err.column);
		assert_false(ev.has_stamp);
		check_fields(&tr, &ev);
	}
}

static void test_parse_props_damaged_lines_never_crash(void **state)
{
	uint64_t s = seed ^ 0x5bd1e995;

	(void)state;
	for (unsigned i = 0; i < ROUNDS; i++) {
		struct dmawin_papr_trace tr;
		struct dmawin_trace_event ev;
		struct dmawin_trace_parse_error err;
		char line[512];
		size_t len;
		int n, ret;

		random_trace(&tr, &s);
		n = snprintf(line, sizeof(line), "%u@%u.%06u:", (unsigned)(s & 0xffff),
			     (unsigned)(s >> 40), (unsigned)(s % 1000000));
		n += dmawin_guest_format_trace(&tr, line + n, sizeof(line) - (size_t)n);
		len = (size_t)n;
		switch (dw_test_rand(&s) % 3) {
		case 0:
			len = dw_test_rand(&s) % (len + 1); /* truncated */
			break;
		case 1:
			line[dw_test_rand(&s) % len] =
				(char)dw_test_rand(&s); /* one byte damaged */
			break;
		default:
			line[dw_test_rand(&s) % len] = ' ';
			break;
		}
		memset(&err, 0, sizeof(err));
		ret = dmawin_trace_parse_line(line, len, &ev, &err, NULL, NULL);
		assert_true(ret == 0 || ret == -ENOENT || ret == -EINVAL);
		if (ret == -EINVAL) {
			assert_non_null(err.reason);
			assert_true(err.column >= 1 && err.column <= len + 1);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_props_formatter_round_trip),
		cmocka_unit_test(test_parse_props_damaged_lines_never_crash),
	};
	const char *env = getenv("DMAWIN_TEST_SEED");

	seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) | 1;
	printf("seed %" PRIu64 "\n", seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
