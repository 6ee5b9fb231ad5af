/* SPDX-License-Identifier: MIT */
/*
 * trace workloads: `replay_lines` reads a plain-text QEMU trace from a file and replays every line
 * on the papr model (the `dmawin replay` inner loop), against the cost of only splitting the same
 * file into lines with memchr; `trace_parse_lines` parses the lines without replaying them.
 *
 * The synthetic trace has the shape of a 32-bit device in the default window (spec §7 formats):
 * per buffer one H_PUT_TCE, three translations, one H_STUFF_TCE(npages=1) and one unknown
 * device event, over 4096 pages.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "dmawin/papr.h"
#include "dmawin/trace.h"

#define CYCLE_LINES 6u

/* Writes the synthetic trace to a temporary file; returns its fd (unlinked) or -errno. */
static int make_trace(uint64_t lines)
{
	char path[] = "/tmp/dmawin-bench-trace-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	if (fd < 0)
		return -errno;
	unlink(path);
	f = fdopen(dup(fd), "w");
	if (!f) {
		close(fd);
		return -errno;
	}
	for (uint64_t i = 0; i < lines / CYCLE_LINES + 1; i++) {
		uint64_t ioba = ((i % 4096) + 1) << 12, page = ((i * 7) % 65536) << 12;
		fprintf(f,
			"11624@1795416263.%06u:spapr_iommu_pci_put liobn=0x80000000 ioba=0x%llx "
			"tce=0x%llx ret=0\n",
			(unsigned)(i % 1000000), (unsigned long long)ioba,
			(unsigned long long)(page | 3));
		for (unsigned x = 0; x < 3; x++)
			fprintf(f,
				"11620@1795416263.%06u:spapr_iommu_xlate liobn=0x80000000 0x%llx "
				"-> "
				"0x%llx perm=3 mask=0xfff\n",
				(unsigned)(i % 1000000), (unsigned long long)(ioba + x * 0x400),
				(unsigned long long)page);
		fprintf(f,
			"11620@1795416263.%06u:pci_nvme_io_cmd cid %u nsid 0x1 sqid 1 opc 0x2 "
			"opname 'pci_nvme_cmd_read'\n",
			(unsigned)(i % 1000000), (unsigned)i);
		fprintf(f,
			"11624@1795416263.%06u:spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x%llx "
			"tcevalue=0x0 npages=1 ret=0\n",
			(unsigned)(i % 1000000), (unsigned long long)(ioba + 0x1000));
	}
	if (fclose(f)) {
		close(fd);
		return -EIO;
	}
	return fd;
}

enum mode { MODE_REPLAY, MODE_PARSE, MODE_SPLIT };

static double run(const struct bench_params *p, enum mode mode)
{
	uint64_t lines = bench_ops(p, 3u << 20), n = 0, t0, t1;
	struct dmawin_trace_replay *rp = NULL;
	struct dmawin_trace_reader *r = NULL;
	struct dmawin_papr_config cfg;
	struct dmawin_trace_event ev;
	int fd = make_trace(lines), ret;
	const char *line;
	size_t len;

	if (fd < 0)
		return fd;
	dmawin_papr_config_init(&cfg);
	if (mode == MODE_REPLAY && dmawin_trace_replay_create(&cfg, NULL, &rp, NULL, 0)) {
		close(fd);
		return -ENOMEM;
	}
	lseek(fd, 0, SEEK_SET);
	t0 = bench_now_ns();
	if (dmawin_trace_reader_open_fd(fd, true, &r)) {
		close(fd);
		dmawin_trace_replay_destroy(rp);
		return -EIO;
	}
	while ((ret = dmawin_trace_reader_next(r, &line, &len)) == 1) {
		n++;
		if (mode == MODE_REPLAY)
			dmawin_trace_replay_line(rp, line, len, n);
		else if (mode == MODE_PARSE)
			bench_keep((uint64_t)dmawin_trace_parse_line(line, len, &ev, NULL, NULL,
								     NULL));
		else
			bench_keep(len);
	}
	if (mode == MODE_REPLAY)
		dmawin_trace_replay_finish(rp);
	t1 = bench_now_ns();
	if (mode == MODE_REPLAY && dmawin_trace_replay_report(rp)->mismatches)
		ret = -EPROTO; /* the synthetic trace is QEMU's truth: a mismatch is a bug */
	dmawin_trace_reader_destroy(r);
	dmawin_trace_replay_destroy(rp);
	if (ret < 0)
		return ret;
	return (double)(t1 - t0) / (double)(n ? n : 1);
}

static double replay_lines(const struct bench_params *p)
{
	return run(p, MODE_REPLAY);
}

static double parse_lines(const struct bench_params *p)
{
	return run(p, MODE_PARSE);
}

static double split_lines(const struct bench_params *p)
{
	return run(p, MODE_SPLIT);
}

BENCH_WORKLOAD(replay_lines, .name = "replay_lines",
	       .description = "dmawin replay of a plain-text trace file, ns per line",
	       .run = replay_lines, .baseline_name = "memchr_lines", .baseline = split_lines)
BENCH_WORKLOAD(trace_parse_lines, .name = "trace_parse_lines",
	       .description = "exact parsing of trace lines read from a file, ns per line",
	       .run = parse_lines, .baseline_name = "memchr_lines", .baseline = split_lines)
