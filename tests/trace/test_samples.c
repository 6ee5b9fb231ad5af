/* SPDX-License-Identifier: MIT */
/*
 * Every real QEMU trace in ../shared/traces replays with 0 mismatches on a machine configured
 * from its own QEMU command line (the meta file's qemu_command). Skips (77) without the traces.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmawin/papr.h"
#include "dmawin/papr_qemu.h"
#include "dmawin/trace.h"
#include "dw_test.h"

static const char *traces_dir(void)
{
	const char *d = getenv("DMAWIN_TRACES");
	return d && *d ? d : NULL;
}

/* The qemu_command line of <dir>/<name>.meta.txt, malloc'ed. */
static char *qemu_command(const char *dir, const char *name)
{
	char path[4096], *line = NULL, *cmd = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.meta.txt", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "qemu_command: ", 14) == 0) {
			line[strcspn(line, "\n")] = '\0';
			cmd = strdup(line + 14);
			break;
		}
	}
	free(line);
	fclose(f);
	assert_non_null(cmd);
	return cmd;
}

static struct dmawin_trace_replay *replay_file(const char *dir, const char *name)
{
	struct dmawin_qemu_machine *mach = malloc(sizeof(*mach));
	struct dmawin_trace_replay *rp = NULL;
	struct dmawin_trace_reader *r = NULL;
	char *cmd = qemu_command(dir, name), why[256] = "", path[4096];
	const char *line;
	size_t len;
	int ret;

	assert_non_null(mach);
	ret = dmawin_papr_qemu_parse(cmd, mach, why, sizeof(why));
	if (ret)
		fail_msg("%s: --qemu-args: %s", name, why);
	assert_int_equal(dmawin_trace_replay_create(&mach->papr, NULL, &rp, why, sizeof(why)), 0);
	snprintf(path, sizeof(path), "%s/%s.trace.xz", dir, name);
	assert_int_equal(dmawin_trace_reader_open(path, &r), 0);
	while ((ret = dmawin_trace_reader_next(r, &line, &len)) == 1)
		assert_int_equal(
			dmawin_trace_replay_line(rp, line, len, dmawin_trace_reader_line_number(r)),
			0);
	assert_int_equal(ret, 0);
	assert_int_equal(dmawin_trace_replay_finish(rp), 0);
	dmawin_trace_reader_destroy(r);
	free(cmd);
	free(mach);
	return rp;
}

static void print_mismatches(const char *name, const struct dmawin_trace_report *rep)
{
	for (size_t i = 0; i < rep->n_mismatch_examples; i++) {
		const struct dmawin_trace_mismatch *m = &rep->mismatch_examples[i];
		print_message("%s:%llu: %s %s: trace 0x%llx model 0x%llx\n", name,
			      (unsigned long long)m->line, dmawin_trace_mismatch_kind_name(m->kind),
			      m->field, (unsigned long long)m->expected,
			      (unsigned long long)m->got);
	}
}

static const struct dmawin_trace_window_stats *window(const struct dmawin_trace_report *rep,
						      uint64_t liobn)
{
	static const struct dmawin_trace_window_stats none;

	for (size_t i = 0; i < rep->n_windows; i++)
		if (rep->windows[i].liobn == liobn)
			return &rep->windows[i];
	fail_msg("no window 0x%llx", (unsigned long long)liobn);
	return &none;
}

static void test_samples_every_trace_zero_mismatches(void **state)
{
	const char *dir = traces_dir();
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char name[256];
		struct dmawin_trace_replay *rp;
		const struct dmawin_trace_report *rep;

		if (l < 10 || l >= sizeof(name) || strcmp(e->d_name + l - 9, ".trace.xz"))
			continue;
		memcpy(name, e->d_name, l - 9);
		name[l - 9] = '\0';
		rp = replay_file(dir, name);
		rep = dmawin_trace_replay_report(rp);
		print_mismatches(name, rep);
		print_message("%s: %llu events, %llu replayed, %llu unknown\n", name,
			      (unsigned long long)rep->events, (unsigned long long)rep->replayed,
			      (unsigned long long)rep->unknown_events);
		assert_int_equal(rep->mismatches, 0);
		assert_int_equal(rep->malformed, 0);
		assert_true(rep->replayed > 1000);
		dmawin_trace_replay_destroy(rp);
		n++;
	}
	closedir(d);
	assert_true(n >= 2);
}

/* The facts the traces README lists for the default scenario. */
static void test_samples_default_ddw_direct_mapping(void **state)
{
	struct dmawin_trace_replay *rp = replay_file(traces_dir(), "default");
	const struct dmawin_trace_report *rep = dmawin_trace_replay_report(rp);
	const struct dmawin_trace_window_stats *def = window(rep, 0x80000000);
	const struct dmawin_trace_window_stats *ddw = window(rep, 0x80000001);

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(rep->by_kind[DMAWIN_TRACE_EV_DDW_CREATE], 1);
	assert_int_equal(rep->machine_resets, 1);
	/* boot: the whole default window cleared by 512 x H_STUFF_TCE(512) */
	assert_true(def->hcalls[3] >= 512);
	assert_true(def->tces_written >= 262144);
	/* DDW: 16 MiB pages at 1 << 59, all 2 GiB of RAM mapped by one INDIRECT of 128 */
	assert_true(ddw->enabled);
	assert_int_equal(ddw->bus_offset, 0x800000000000000ull);
	assert_int_equal(ddw->page_shift, 24);
	assert_int_equal(ddw->hcalls[2], 1);
	assert_int_equal(ddw->mapped, 128);
	assert_int_equal(ddw->inferred, 127);
	assert_true(ddw->confirmed > 0);
	assert_int_equal(ddw->corrected, 0);
	assert_true(ddw->xlates > 1000);
	dmawin_trace_replay_destroy(rp);
}

static void test_samples_disable_ddw_default_window_only(void **state)
{
	struct dmawin_trace_replay *rp = replay_file(traces_dir(), "disable_ddw");
	const struct dmawin_trace_report *rep = dmawin_trace_replay_report(rp);
	const struct dmawin_trace_window_stats *def = window(rep, 0x80000000);

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(rep->by_kind[DMAWIN_TRACE_EV_DDW_CREATE], 0);
	assert_false(window(rep, 0x80000001)->enabled);
	/* nvme multi-page mappings by INDIRECT, confirmed by the device's translations */
	assert_true(def->hcalls[2] > 250);
	assert_true(def->confirmed > 1000);
	assert_int_equal(rep->faults, 0);
	dmawin_trace_replay_destroy(rp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_every_trace_zero_mismatches),
		cmocka_unit_test(test_samples_default_ddw_direct_mapping),
		cmocka_unit_test(test_samples_disable_ddw_default_window_only),
	};
	const char *dir = traces_dir();
	DIR *d;

	if (!dir || !(d = opendir(dir))) {
		printf("skip: no traces (DMAWIN_TRACES=%s)\n", dir ? dir : "");
		return 77;
	}
	closedir(d);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
