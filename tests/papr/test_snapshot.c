/* SPDX-License-Identifier: MIT */
/*
 * Snapshot and restore: round trip with byte-identical tables, atomic write, and every corrupt,
 * truncated, newer or incompatible file refused with the machine's state intact (spec §8,
 * seed 000's migration concern).
 */
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>

#include "papr_test.h"

struct fixture {
	char dir[64];
	char path[96];
	char other[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "%s/dw-papr-snap-XXXXXX", papr_test_tmpdir());
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/machine.snap", f->dir);
	snprintf(f->other, sizeof(f->other), "%s/other.snap", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char p[400];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *p;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_int_equal(fread(p, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return p;
}

static void spit(const char *path, const uint8_t *p, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, len, fp), len);
	fclose(fp);
}

static struct dmawin_papr *machine(uint64_t dma64_win_addr, uint64_t pgsz)
{
	struct dmawin_papr_config cfg;

	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 256 * MiB;
	cfg.phbs[0].dma64_win_addr = dma64_win_addr;
	cfg.phbs[0].pgsz = pgsz;
	return papr_test_machine_cfg(&cfg);
}

/* A machine with state in both windows: default entries, a 64K DDW, an EEH freeze. */
static struct dmawin_papr *busy_machine(uint64_t dma64_win_addr)
{
	struct dmawin_papr *m = machine(dma64_win_addr, DMAWIN_PAPR_DEFAULT_PGSZ);
	uint64_t tces[64];
	uint32_t liobn;
	uint64_t start;

	for (unsigned i = 0; i < 64; i++)
		tces[i] = (0x100000 + i * 4096) | (i % 4) | (i & 8 ? 0x400 : 0);
	put_list(m, 0x200000, tces, 64);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 0x30000000, 0x200000, 64), 0);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 1 * GiB - 4096, 0xfffffffffffff003ull),
			 0);
	assert_int_equal(create_ddw(m, 16, 28, &liobn, &start), 0);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, liobn, start + 65536 * 7, 0x8000003, 9), 0);
	return m;
}

static void expect_same_file(const char *a, const char *b)
{
	size_t la, lb;
	uint8_t *pa = slurp(a, &la), *pb = slurp(b, &lb);

	assert_int_equal(la, lb);
	assert_memory_equal(pa, pb, la);
	free(pa);
	free(pb);
}

/* Round trip: every entry of every window byte-identical, geometry and EEH state restored; the
 * restored machine saves to the very same bytes. */
static void test_snapshot_round_trip_identical(void **state)
{
	struct fixture *f = *state;
	struct dmawin_papr *a = busy_machine(DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR);
	struct dmawin_papr *b =
		machine(DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR, DMAWIN_PAPR_DEFAULT_PGSZ);
	struct dmawin_papr_window_info wa, wb;
	char why[200] = "";

	assert_int_equal(dmawin_pe_eeh_freeze(dmawin_papr_phb_pe(a, 0)), 0);
	assert_int_equal(dmawin_papr_h_put_tce(b, LIOBN0, 0x5000, 0x5003), 0);
	assert_int_equal(dmawin_papr_snapshot_save(a, f->path), 0);
	assert_int_equal(dmawin_papr_snapshot_restore(b, f->path, why, sizeof(why)), 0);
	for (uint32_t l = LIOBN0; l <= LIOBN1; l++) {
		assert_int_equal(dmawin_papr_window_info(a, l, &wa), 0);
		assert_int_equal(dmawin_papr_window_info(b, l, &wb), 0);
		assert_memory_equal(&wa, &wb, sizeof(wa));
		for (uint64_t i = 0; i < wa.nb_table; i++) {
			uint64_t ioba = wa.bus_offset + (i << wa.page_shift);
			assert_int_equal(get_tce(a, l, ioba), get_tce(b, l, ioba));
		}
	}
	assert_int_equal(get_tce(b, LIOBN0, 0x5000), 0);
	assert_int_equal(get_tce(b, LIOBN0, 1 * GiB - 4096), 0xfffffffffffff003ull);
	assert_int_equal(dmawin_pe_eeh_state(dmawin_papr_phb_pe(b, 0)), DMAWIN_PE_EEH_STOPPED);
	assert_int_equal(dmawin_papr_snapshot_save(b, f->other), 0);
	expect_same_file(f->path, f->other);
	dmawin_papr_destroy(a);
	dmawin_papr_destroy(b);
}

/* Restored windows are live: device DMA and hcalls work on them, the default flag travels (the
 * auto-restore still happens after removing the restored DDW). */
static void test_snapshot_restored_windows_live(void **state)
{
	struct fixture *f = *state;
	struct dmawin_papr *a =
		machine(DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR, DMAWIN_PAPR_DEFAULT_PGSZ);
	struct dmawin_papr *b =
		machine(DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR, DMAWIN_PAPR_DEFAULT_PGSZ);
	struct dmawin_papr_window_info w;
	uint32_t v = 0xfeedf00d, got = 0;

	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(a, LIOBN0), 0);
	assert_int_equal(create_ddw(a, 16, 28, NULL, NULL), 0);
	assert_int_equal(dmawin_papr_h_put_tce(a, LIOBN0, 0x10000, 0x20003), 0);
	assert_int_equal(dmawin_papr_snapshot_save(a, f->path), 0);
	assert_int_equal(dmawin_papr_snapshot_restore(b, f->path, NULL, 0), 0);
	assert_int_equal(dmawin_mem_write(dmawin_papr_mem(b), 0x20010, &v, 4), 0);
	assert_int_equal(dmawin_papr_dma_read(b, 0, 0x10010, &got, 4), 0);
	assert_int_equal(got, v);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(b, LIOBN0), 0);
	assert_int_equal(dmawin_papr_window_info(b, LIOBN0, &w), 0);
	assert_true(w.is_default);
	dmawin_papr_destroy(a);
	dmawin_papr_destroy(b);
}

/* Atomic write: no temporary file is left; an unwritable target leaves the old file alone. */
static void test_snapshot_save_atomic_no_leftovers(void **state)
{
	struct fixture *f = *state;
	struct dmawin_papr *a = busy_machine(DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR);
	char bad[200];
	unsigned files = 0;
	struct dirent *e;
	DIR *d;

	spit(f->path, (const uint8_t *)"old", 3);
	assert_int_equal(dmawin_papr_snapshot_save(a, f->path), 0);
	assert_int_equal(dmawin_papr_snapshot_save(a, f->path), 0);
	d = opendir(f->dir);
	while ((e = readdir(d)))
		files += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 1);
	snprintf(bad, sizeof(bad), "%s/no/such/dir/x.snap", f->dir);
	assert_int_equal(dmawin_papr_snapshot_save(a, bad), -ENOENT);
	assert_int_equal(dmawin_papr_snapshot_save(a, ""), -EINVAL);
	assert_int_equal(dmawin_papr_snapshot_save(a, NULL), -EINVAL);
	dmawin_papr_destroy(a);
}

/* Each refusal must leave the victim's fingerprint unchanged; the caller also compares a full
 * snapshot of it at the end. */
static void expect_refused(struct fixture *f, struct dmawin_papr *victim, const uint8_t *data,
			   size_t len, int want)
{
	char bad[128], why[256] = "";
	uint64_t before = fingerprint(victim);

	snprintf(bad, sizeof(bad), "%s/bad.snap", f->dir);
	spit(bad, data, len);
	assert_int_equal(dmawin_papr_snapshot_restore(victim, bad, why, sizeof(why)), want);
	assert_true(why[0] != 0);
	assert_int_equal(fingerprint(victim), before);
}

static void expect_victim_saved_as(struct fixture *f, struct dmawin_papr *victim,
				   const char *baseline)
{
	assert_int_equal(dmawin_papr_snapshot_save(victim, f->other), 0);
	expect_same_file(baseline, f->other);
}

static struct dmawin_papr *victim_with_baseline(struct fixture *f, char *baseline, size_t blen)
{
	struct dmawin_papr *v =
		machine(DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR, DMAWIN_PAPR_DEFAULT_PGSZ);

	assert_int_equal(dmawin_papr_h_put_tce(v, LIOBN0, 0x9000, 0x9003), 0);
	snprintf(baseline, blen, "%s/baseline.snap", f->dir);
	assert_int_equal(dmawin_papr_snapshot_save(v, baseline), 0);
	return v;
}

/* Every single-byte corruption anywhere in the file is refused (-EBADMSG), state intact. */
static void test_snapshot_every_corrupt_byte_refused(void **state)
{
	struct fixture *f = *state;
	struct dmawin_papr *a = busy_machine(DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR), *v;
	char baseline[128];
	size_t len;
	uint8_t *good;

	assert_int_equal(dmawin_papr_snapshot_save(a, f->path), 0);
	good = slurp(f->path, &len);
	v = victim_with_baseline(f, baseline, sizeof(baseline));
	for (size_t i = 0; i < len; i++) {
		good[i] ^= (uint8_t)(1u << (i % 8));
		expect_refused(f, v, good, len, -EBADMSG);
		good[i] ^= (uint8_t)(1u << (i % 8));
	}
	expect_victim_saved_as(f, v, baseline);
	free(good);
	dmawin_papr_destroy(a);
	dmawin_papr_destroy(v);
}

/* Every truncation (and trailing garbage) is refused (-EBADMSG), state intact. */
static void test_snapshot_every_truncation_refused(void **state)
{
	struct fixture *f = *state;
	struct dmawin_papr *a = busy_machine(DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR), *v;
	char baseline[128];
	size_t len;
	uint8_t *good;

	assert_int_equal(dmawin_papr_snapshot_save(a, f->path), 0);
	good = slurp(f->path, &len);
	v = victim_with_baseline(f, baseline, sizeof(baseline));
	for (size_t n = 0; n < len; n++)
		expect_refused(f, v, good, n, -EBADMSG);
	good = realloc(good, len + 1);
	good[len] = 0;
	expect_refused(f, v, good, len + 1, -EBADMSG);
	expect_victim_saved_as(f, v, baseline);
	free(good);
	dmawin_papr_destroy(a);
	dmawin_papr_destroy(v);
}

/* A file from a newer format version (intact header checksum) → -EPROTONOSUPPORT. */
static void test_snapshot_newer_version_refused(void **state)
{
	struct fixture *f = *state;
	struct dmawin_papr *a = busy_machine(DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR), *v;
	char baseline[128];
	size_t len;
	uint8_t *p;
	uint32_t crc;

	assert_int_equal(dmawin_papr_snapshot_save(a, f->path), 0);
	p = slurp(f->path, &len);
	p[8] = DMAWIN_PAPR_SNAPSHOT_VERSION + 1;
	crc = (uint32_t)crc32(0, p, 32);
	for (unsigned i = 0; i < 4; i++)
		p[32 + i] = (uint8_t)(crc >> (8 * i));
	v = victim_with_baseline(f, baseline, sizeof(baseline));
	expect_refused(f, v, p, len, -EPROTONOSUPPORT);
	expect_victim_saved_as(f, v, baseline);
	free(p);
	dmawin_papr_destroy(a);
	dmawin_papr_destroy(v);
}

/* Seed 000: a window placed at 4 GiB ("4GB mode", dma64_win_addr=0x100000000) cannot be
 * restored on a classic-placement PHB (1<<59), nor the reverse → -EXDEV, state intact. */
static void test_snapshot_4gb_window_on_classic_phb_refused(void **state)
{
	struct fixture *f = *state;
	struct dmawin_papr *a = busy_machine(DMAWIN_PAPR_DMA64_WIN_ADDR_4GB), *v;
	struct dmawin_papr *c = busy_machine(DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR);
	struct dmawin_papr *v4 = machine(DMAWIN_PAPR_DMA64_WIN_ADDR_4GB, DMAWIN_PAPR_DEFAULT_PGSZ);
	char baseline[128];
	size_t len;
	uint8_t *p;

	assert_int_equal(dmawin_papr_snapshot_save(a, f->path), 0);
	p = slurp(f->path, &len);
	v = victim_with_baseline(f, baseline, sizeof(baseline));
	expect_refused(f, v, p, len, -EXDEV);
	expect_victim_saved_as(f, v, baseline);
	free(p);
	/* the 4GB machine restores it, and refuses the classic one */
	assert_int_equal(dmawin_papr_snapshot_restore(v4, f->path, NULL, 0), 0);
	assert_int_equal(dmawin_papr_snapshot_save(c, f->path), 0);
	p = slurp(f->path, &len);
	expect_refused(f, v4, p, len, -EXDEV);
	free(p);
	dmawin_papr_destroy(a);
	dmawin_papr_destroy(c);
	dmawin_papr_destroy(v);
	dmawin_papr_destroy(v4);
}

static void refuse_on(struct fixture *f, struct dmawin_papr_config *cfg, const uint8_t *p,
		      size_t len)
{
	struct dmawin_papr *t = papr_test_machine_cfg(cfg);
	char base[128];

	snprintf(base, sizeof(base), "%s/base2.snap", f->dir);
	assert_int_equal(dmawin_papr_snapshot_save(t, base), 0);
	expect_refused(f, t, p, len, -EXDEV);
	expect_victim_saved_as(f, t, base);
	dmawin_papr_destroy(t);
}

/* Other configurations that cannot hold the saved windows → -EXDEV, state intact: the DDW's
 * page size not in pgsz, ddw off, max_windows 1, a different default window, a missing PHB,
 * a TCE budget too small. */
static void test_snapshot_incompatible_configs_refused(void **state)
{
	struct fixture *f = *state;
	struct dmawin_papr *a = busy_machine(DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR);
	struct dmawin_papr_config cfg, base;
	size_t len;
	uint8_t *p;

	assert_int_equal(dmawin_papr_snapshot_save(a, f->path), 0);
	p = slurp(f->path, &len);
	dmawin_papr_config_init(&base);
	base.ram_size = 256 * MiB;
	cfg = base;
	cfg.phbs[0].pgsz = (1 << 12) | (1 << 24); /* no 64K */
	refuse_on(f, &cfg, p, len);
	cfg = base;
	cfg.phbs[0].ddw = false;
	refuse_on(f, &cfg, p, len);
	cfg = base;
	cfg.phbs[0].max_windows = 1;
	refuse_on(f, &cfg, p, len);
	cfg = base;
	cfg.phbs[0].dma_win_size = 512 * MiB;
	refuse_on(f, &cfg, p, len);
	cfg = base;
	cfg.phbs[0].tce_budget = 1024;
	refuse_on(f, &cfg, p, len);
	cfg = base;
	cfg.phbs[0].placement = DMAWIN_PAPR_PLACE_SLOT;
	cfg.phbs[0].dma64_win_addr = 2ull << 59;
	refuse_on(f, &cfg, p, len);
	cfg = base;
	cfg.nr_phbs = 2;
	dmawin_papr_phb_config_init(&cfg.phbs[1], 1);
	refuse_on(f, &cfg, p, len);
	cfg = base;
	cfg.phbs[0].index = 3;
	refuse_on(f, &cfg, p, len);
	free(p);
	dmawin_papr_destroy(a);
}

static void test_snapshot_missing_file_and_bad_path(void **state)
{
	struct fixture *f = *state;
	struct dmawin_papr *a =
		machine(DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR, DMAWIN_PAPR_DEFAULT_PGSZ);
	char why[200] = "";

	assert_int_equal(dmawin_papr_snapshot_restore(a, f->path, why, sizeof(why)), -ENOENT);
	assert_true(why[0] != 0);
	assert_int_equal(dmawin_papr_snapshot_restore(a, "", NULL, 0), -EINVAL);
	assert_int_equal(dmawin_papr_snapshot_restore(a, f->dir, NULL, 0), -EINVAL);
	dmawin_papr_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_snapshot_round_trip_identical),
		T(test_snapshot_restored_windows_live),
		T(test_snapshot_save_atomic_no_leftovers),
		T(test_snapshot_every_corrupt_byte_refused),
		T(test_snapshot_every_truncation_refused),
		T(test_snapshot_newer_version_refused),
		T(test_snapshot_4gb_window_on_classic_phb_refused),
		T(test_snapshot_incompatible_configs_refused),
		T(test_snapshot_missing_file_and_bad_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
