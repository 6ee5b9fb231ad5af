/* SPDX-License-Identifier: MIT */
/*
 * Conformance with the real kernel: for every sample in ../shared/traces, configure the machine
 * from the QEMU command line (the papr QEMU-argument parser) and the guest from the kernel
 * command line, boot the model, and diff its boot-time IOMMU calls against the ones the real
 * Linux 6.1 guest made under QEMU 7.2 (traces README). Skipped (77) without the traces.
 *
 * "Boot-time calls" are recognised by the same rule in both traces, without knowing the model:
 *  - ibm,*-pe-dma-window calls (query, create, remove, reset);
 *  - clears (H_STUFF_TCE 0, or H_PUT_TCE 0) of a window nothing has been mapped in yet;
 *  - the direct map of a DDW: H_PUT_TCE / H_PUT_TCE_INDIRECT on a DDW LIOBN whose (last) TCE is
 *    exactly (bus address - window start) | 3, i.e. guest RAM mapped 1:1 read/write.
 * TCE list addresses are guest pages chosen by each kernel's allocator: they are masked.
 */
#include <ctype.h>
#include <inttypes.h>
#include <lzma.h>
#include <sys/stat.h>

#include "guest_test.h"
#include "dmawin/papr_qemu.h"

static const char *traces_dir;

/* ---- reading the samples ------------------------------------------------------------------ */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	*len = n;
	return buf;
}

static char *read_xz(const char *path)
{
	size_t in_len;
	char *in = read_file(path, &in_len);
	assert_non_null(in);
	lzma_stream s = LZMA_STREAM_INIT;
	assert_int_equal(lzma_stream_decoder(&s, UINT64_MAX, 0), LZMA_OK);
	size_t cap = in_len * 8 + 4096, n = 0;
	char *out = malloc(cap + 1);
	s.next_in = (const uint8_t *)in;
	s.avail_in = in_len;
	lzma_ret rc;
	do {
		if (n == cap)
			out = realloc(out, (cap *= 2) + 1);
		s.next_out = (uint8_t *)out + n;
		s.avail_out = cap - n;
		rc = lzma_code(&s, LZMA_FINISH);
		n = cap - s.avail_out;
	} while (rc == LZMA_OK);
	assert_int_equal(rc, LZMA_STREAM_END);
	lzma_end(&s);
	free(in);
	out[n] = '\0';
	return out;
}

/* The value of "key: ..." in a meta file (a malloc'd copy). */
static char *meta_value(const char *meta, const char *key)
{
	size_t k = strlen(key);
	for (const char *p = meta; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, k) && p[k] == ':') {
			const char *v = p + k + 1;
			while (*v == ' ')
				v++;
			const char *e = strchr(v, '\n');
			return strndup(v, e ? (size_t)(e - v) : strlen(v));
		}
	}
	return NULL;
}

static bool has_word(const char *cmdline, const char *word)
{
	size_t k = strlen(word);
	for (const char *p = strstr(cmdline, word); p; p = strstr(p + 1, word))
		if ((p == cmdline || isspace((unsigned char)p[-1])) &&
		    (!p[k] || isspace((unsigned char)p[k])))
			return true;
	return false;
}

/* ---- the boot-time classifier -------------------------------------------------------------- */

#define MAXL 64
struct liobn_state {
	uint64_t liobn;
	bool mapped; /* something dynamic was mapped since the window appeared */
	bool ddw;
	uint64_t start, page;
};

struct classifier {
	struct liobn_state l[MAXL];
	unsigned n;
};

static struct liobn_state *lst(struct classifier *c, uint64_t liobn)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->l[i].liobn == liobn)
			return &c->l[i];
	assert_true(c->n < MAXL);
	c->l[c->n] = (struct liobn_state){.liobn = liobn};
	return &c->l[c->n++];
}

static uint64_t field(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	assert_non_null(p);
	return strtoull(p + strlen(key), NULL, 0);
}

/* Is @line (an event without its "pid@time:" prefix) a boot-time IOMMU setup call? */
static bool is_setup(struct classifier *c, const char *line)
{
	if (!strncmp(line, "spapr_iommu_ddw_", 16)) {
		if (!strncmp(line, "spapr_iommu_ddw_create", 22)) {
			struct liobn_state *s = lst(c, field(line, "liobn="));
			*s = (struct liobn_state){.liobn = s->liobn,
						  .ddw = true,
						  .start = field(line, "start addr="),
						  .page = field(line, "page size=")};
		} else if (!strncmp(line, "spapr_iommu_ddw_reset", 21)) {
			for (unsigned i = 0; i < c->n; i++)
				c->l[i].mapped = false;
		}
		return true;
	}
	bool put = !strncmp(line, "spapr_iommu_pci_put ", 20);
	bool ind = !strncmp(line, "spapr_iommu_pci_indirect ", 25);
	bool stuff = !strncmp(line, "spapr_iommu_pci_stuff ", 22);
	if (!put && !ind && !stuff)
		return false;
	struct liobn_state *s = lst(c, field(line, "liobn="));
	if (stuff)
		return field(line, "tcevalue=") == 0 && !s->mapped;
	uint64_t ioba = field(line, "ioba=");
	if (put && field(line, "tce=") == 0)
		return !s->mapped;
	if (s->ddw) {
		uint64_t last = put ? ioba : ioba + field(line, "iobaN=") * s->page;
		uint64_t tce = put ? field(line, "tce=") : field(line, "tceN=");
		if (last >= s->start && tce == ((last - s->start) | 3))
			return true;
	}
	s->mapped = true;
	return false;
}

struct calls {
	struct gt_lines setup;
	struct classifier c;
};

/* Keep the setup calls, with the TCE list address masked. */
static void keep_setup(struct calls *k, const char *line)
{
	if (!is_setup(&k->c, line))
		return;
	char buf[400];
	snprintf(buf, sizeof(buf), "%s", line);
	char *p = strstr(buf, "tcelist=0x");
	if (p) {
		char *e = p + 10;
		while (isxdigit((unsigned char)*e))
			e++;
		memmove(p + 9, e, strlen(e) + 1);
		p[8] = '*';
	}
	gt_line(&k->setup, buf);
}

static void keep_model_line(void *opaque, const char *line)
{
	keep_setup(opaque, line);
}

static void real_calls(const char *trace, struct calls *k)
{
	for (const char *p = trace; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *line = strndup(p, len);
		char *ev = strchr(line, ':');
		if (ev && strchr(line, '@') && strchr(line, '@') < ev)
			keep_setup(k, ev + 1);
		free(line);
		p += len + (e ? 1 : 0);
	}
}

/* ---- the model run ------------------------------------------------------------------------- */

static void model_calls(const char *qemu_cmd, const char *kernel_cmd, struct calls *k)
{
	static struct dmawin_qemu_machine qm;
	char why[200] = "";
	int rc = dmawin_papr_qemu_parse(qemu_cmd, &qm, why, sizeof(why));
	if (rc)
		fprintf(stderr, "qemu_parse: %s\n", why);
	assert_int_equal(rc, 0);
	struct dmawin_papr *m;
	assert_int_equal(dmawin_papr_create(&qm.papr, &m, why, sizeof(why)), 0);
	struct dmawin_guest_config gc;
	dmawin_guest_config_init(&gc);
	gc.kernel = DMAWIN_GUEST_KERNEL_6_1;
	gc.disable_ddw = has_word(kernel_cmd, "disable_ddw");
	gc.multitce_off = has_word(kernel_cmd, "multitce=off");
	gc.novmerge = has_word(kernel_cmd, "iommu=novmerge");
	struct dmawin_guest *g;
	assert_int_equal(dmawin_guest_create(m, &gc, &g), 0);
	dmawin_guest_set_trace(g, keep_model_line, k);
	for (uint32_t i = 0; i < qm.nr_devices; i++) {
		const struct dmawin_qemu_device *qd = &qm.devices[i];
		/* at the PCI address the parser assigned as QEMU does */
		struct dmawin_guest_device_config dc = {.name = qd->name,
							.phb_index = qd->phb_index,
							.bus = qd->bus,
							.devfn = qd->devfn};
		if (qd->no_dma || qd->implicit)
			continue;
		assert_int_equal(dmawin_guest_mask_for_qemu_device(qd->driver, &dc.dma_mask_bits),
				 0);
		assert_int_equal(dmawin_guest_device_add(g, &dc, NULL), 0);
	}
	assert_int_equal(dmawin_guest_boot(g), 0);
	dmawin_guest_destroy(g);
	dmawin_papr_destroy(m);
}

static void compare_sample(const char *name, size_t min_calls)
{
	char path[4096];
	size_t len;
	snprintf(path, sizeof(path), "%s/%s.meta.txt", traces_dir, name);
	char *meta = read_file(path, &len);
	assert_non_null(meta);
	meta = realloc(meta, len + 1);
	meta[len] = '\0';
	char *qemu_cmd = meta_value(meta, "qemu_command");
	char *kernel_cmd = meta_value(meta, "kernel_append");
	assert_non_null(qemu_cmd);
	assert_non_null(kernel_cmd);
	snprintf(path, sizeof(path), "%s/%s.trace.xz", traces_dir, name);
	char *trace = read_xz(path);

	static struct calls real, model;
	memset(&real, 0, sizeof(real));
	memset(&model, 0, sizeof(model));
	real_calls(trace, &real);
	model_calls(qemu_cmd, kernel_cmd, &model);

	size_t n = real.setup.n < model.setup.n ? real.setup.n : model.setup.n;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(real.setup.v[i], model.setup.v[i])) {
			fprintf(stderr, "%s: boot call %zu differs\n  real:  %s\n  model: %s\n",
				name, i, real.setup.v[i], model.setup.v[i]);
			fail();
		}
	}
	if (real.setup.n != model.setup.n)
		fprintf(stderr, "%s: %zu boot calls in the real trace, %zu in the model\n", name,
			real.setup.n, model.setup.n);
	assert_int_equal(real.setup.n, model.setup.n);
	assert_true(real.setup.n >= min_calls);
	printf("%s: %zu boot-time calls identical\n", name, real.setup.n);
	gt_lines_free(&real.setup);
	gt_lines_free(&model.setup);
	free(trace);
	free(qemu_cmd);
	free(kernel_cmd);
	free(meta);
}

/* default: 512 clears, query, create, one direct-map batch. */
static void test_conformance_default_boot_calls_identical(void **state)
{
	(void)state;
	compare_sample("default", 515);
}

/* disable_ddw: the 512 clears and nothing else. */
static void test_conformance_disable_ddw_boot_calls_identical(void **state)
{
	(void)state;
	compare_sample("disable_ddw", 512);
}

/* The same path (parser, masks, boot) on a command line the samples do not cover: 4K|64K
 * pages, maxmem, a second PHB holding the nvme, the 64-bit window at 4 GiB. The expected calls
 * follow from the rules: both default windows cleared in PHB order, a 64K window of
 * order_base_2(4 GiB) = 32 at 0x100000000 on PHB 1, 2 GiB / 64K = 32768 TCEs in 64 batches.
 * The e1000 has no bus=: QEMU puts it on the newest PHB's bus (pci.1, slot 0; bus_add_child()
 * inserts at the head, qbus_find_recursive() takes the first), so the nvme is 01.0: 0x800. */
static void test_conformance_other_command_line_follows_rules(void **state)
{
	(void)state;
	static struct calls k;
	memset(&k, 0, sizeof(k));
	model_calls("qemu-system-ppc64 -M pseries -m 2G,maxmem=4G "
		    "-global spapr-pci-host-bridge.pgsz=0x11000 "
		    "-global spapr-pci-host-bridge.dma64_win_addr=0x100000000 "
		    "-device spapr-pci-host-bridge,index=1 -device e1000 -device nvme,bus=pci.1",
		    "console=hvc0", &k);
	assert_int_equal(k.setup.n, 512 + 512 + 2 + 64);
	assert_string_equal(k.setup.v[0], "spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x200000 "
					  "tcevalue=0x0 npages=512 ret=0");
	assert_string_equal(k.setup.v[512], "spapr_iommu_pci_stuff liobn=0x80000100 ioba=0x200000 "
					    "tcevalue=0x0 npages=512 ret=0");
	assert_string_equal(k.setup.v[1024],
			    "spapr_iommu_ddw_query buid=0x800000020000001 addr=0x800, "
			    "1 windows available, max window size=0x80000000, "
			    "mask=0x3");
	assert_string_equal(k.setup.v[1025],
			    "spapr_iommu_ddw_create buid=0x800000020000001 addr=0x800, "
			    "page size=0x10000, requested=0x100000000, start "
			    "addr=0x100000000, liobn=0x80000101");
	assert_string_equal(k.setup.v[1026],
			    "spapr_iommu_pci_indirect liobn=0x80000101 "
			    "ioba=0x100000000 tcelist=* iobaN=0x1ff tceN=0x1ff0003 "
			    "ret=0");
	assert_string_equal(k.setup.v[1089],
			    "spapr_iommu_pci_indirect liobn=0x80000101 "
			    "ioba=0x17e000000 tcelist=* iobaN=0x1ff tceN=0x7fff0003 "
			    "ret=0");
	gt_lines_free(&k.setup);
}

/* The classifier itself: a dynamic mapping on a DDW is not taken for a direct-map batch. */
static void test_conformance_classifier_dynamic_ddw_map_not_setup(void **state)
{
	(void)state;
	struct classifier c = {0};
	assert_true(is_setup(&c,
			     "spapr_iommu_ddw_create buid=0x800000020000000 addr=0x0, page "
			     "size=0x10000, requested=0x1000000000, start addr=0x800000000000000, "
			     "liobn=0x80000001"));
	assert_true(is_setup(&c, "spapr_iommu_pci_stuff liobn=0x80000001 ioba=0x800000002000000 "
				 "tcevalue=0x0 npages=512 ret=0"));
	assert_false(is_setup(&c, "spapr_iommu_pci_put liobn=0x80000001 ioba=0x800000000010000 "
				  "tce=0x5550003 ret=0"));
	assert_true(is_setup(&c, "spapr_iommu_pci_put liobn=0x80000001 ioba=0x800000000020000 "
				 "tce=0x20003 ret=0"));
	assert_false(is_setup(&c, "spapr_iommu_pci_stuff liobn=0x80000001 ioba=0x800000000020000 "
				  "tcevalue=0x0 npages=1 ret=0"));
}

/*
 * `test_conformance --compare REAL.trace.xz MODEL.log MIN`: the same rule on a log the tool
 * wrote (`dmawin sim --trace-out`), for the CLI tests. Exit 0 when the boot-time calls are
 * identical and at least MIN, else 1 naming the first difference.
 */
static int compare_files(const char *real_path, const char *model_path, size_t min_calls)
{
	static struct calls real, model;
	size_t len;
	char *trace = read_xz(real_path);
	char *log = read_file(model_path, &len);
	int rc = 0;

	if (!log) {
		fprintf(stderr, "%s: cannot read\n", model_path);
		return 1;
	}
	log = realloc(log, len + 1);
	log[len] = '\0';
	real_calls(trace, &real);
	real_calls(log, &model);
	for (size_t i = 0; i < real.setup.n && i < model.setup.n && !rc; i++)
		if (strcmp(real.setup.v[i], model.setup.v[i])) {
			fprintf(stderr, "boot call %zu differs\n  real:  %s\n  model: %s\n", i,
				real.setup.v[i], model.setup.v[i]);
			rc = 1;
		}
	if (!rc && real.setup.n != model.setup.n) {
		fprintf(stderr, "%zu boot calls in the real trace, %zu in the model\n",
			real.setup.n, model.setup.n);
		rc = 1;
	}
	if (!rc && real.setup.n < min_calls) {
		fprintf(stderr, "only %zu boot calls, want at least %zu\n", real.setup.n,
			min_calls);
		rc = 1;
	}
	if (!rc)
		printf("%zu boot-time calls identical\n", real.setup.n);
	gt_lines_free(&real.setup);
	gt_lines_free(&model.setup);
	free(trace);
	free(log);
	return rc;
}

int main(int argc, char **argv)
{
	struct stat st;
	if (argc == 5 && strcmp(argv[1], "--compare") == 0)
		return compare_files(argv[2], argv[3], strtoul(argv[4], NULL, 10));
	if (argc < 2 || stat(argv[1], &st) || !S_ISDIR(st.st_mode)) {
		printf("no traces directory: skipped\n");
		return 77;
	}
	traces_dir = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance_default_boot_calls_identical),
		cmocka_unit_test(test_conformance_disable_ddw_boot_calls_identical),
		cmocka_unit_test(test_conformance_other_command_line_follows_rules),
		cmocka_unit_test(test_conformance_classifier_dynamic_ddw_map_not_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
