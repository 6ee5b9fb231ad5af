/* SPDX-License-Identifier: MIT */
/*
 * dmawin replay: replay a QEMU sPAPR IOMMU trace on the papr model and report what the guest did
 * and where the model disagrees. Exit status: 0 no mismatch, 1 mismatches, 2 usage or input
 * errors (unreadable or damaged file, bad --qemu-args, a malformed line with --strict).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "scenario_arg.h"
#include "dmawin/papr.h"
#include "dmawin/papr_qemu.h"
#include "dmawin/trace.h"

#define MALFORMED_SHOWN 20

struct replay_args {
	bool json, strict, quiet;
	const char *qemu_args;
	unsigned examples;
	const char *path;
};

static int parse_args(int argc, char **argv, struct replay_args *a)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"strict", no_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},
		{"qemu-args", required_argument, NULL, 'a'},
		{"examples", required_argument, NULL, 'e'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'j':
			a->json = true;
			break;
		case 's':
			a->strict = true;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'a':
			a->qemu_args = optarg;
			break;
		case 'e':
			errno = 0;
			a->examples = (unsigned)strtoul(optarg, &end, 10);
			if (errno || *end || !a->examples || a->examples > 10000)
				return tool_usage_error(
					"replay", "--examples wants 1..10000, not '%s'", optarg);
			break;
		default:
			return tool_usage_error("replay", "unknown option");
		}
	}
	if (optind != argc - 1)
		return tool_usage_error("replay", "expected one trace file (or - for stdin)");
	a->path = argv[optind];
	return 0;
}

static int machine_config(const struct replay_args *a, struct dmawin_papr_config *cfg)
{
	struct dmawin_qemu_machine *mach;
	char why[256];
	int ret;

	if (!a->qemu_args) {
		dmawin_papr_config_init(cfg);
		return 0;
	}
	mach = malloc(sizeof(*mach));
	if (!mach)
		return tool_usage_error("replay", "out of memory");
	ret = dmawin_papr_qemu_parse(a->qemu_args, mach, why, sizeof(why));
	if (ret) {
		free(mach);
		return tool_usage_error("replay", "--qemu-args: %s", why);
	}
	tool_print_qemu_warnings("replay", &mach->warnings);
	*cfg = mach->papr;
	free(mach);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress {
	bool on;
	double start, last;
};

static void progress_tick(struct progress *p, const struct dmawin_trace_reader *r)
{
	double t = now_s();

	if (t - p->last < 0.5 || t - p->start < 1.0)
		return;
	p->last = t;
	fprintf(stderr, "\rdmawin replay: %" PRIu64 " lines, %.1f MB read, %.0f lines/s ",
		dmawin_trace_reader_line_number(r), (double)dmawin_trace_reader_bytes_in(r) / 1e6,
		(double)dmawin_trace_reader_line_number(r) / (t - p->start));
}

static void print_malformed(const struct replay_args *a, const struct dmawin_trace_report *rep)
{
	const struct dmawin_trace_malformed *m;

	if (a->quiet || rep->malformed > MALFORMED_SHOWN + 1)
		return;
	if (rep->malformed == MALFORMED_SHOWN + 1) {
		fprintf(stderr, "%s: further malformed lines are counted, not shown\n", a->path);
		return;
	}
	if (rep->n_malformed_examples < rep->malformed) {
		fprintf(stderr, "%s: malformed line\n", a->path);
		return;
	}
	m = &rep->malformed_examples[rep->n_malformed_examples - 1];
	fprintf(stderr, "%s:%" PRIu64 ":%zu: %s\n", a->path, m->line, m->column, m->message);
}

/* Feeds every line; returns 0, or 2 after printing why the input cannot be read on. */
static int replay_stream(const struct replay_args *a, struct dmawin_trace_reader *r,
			 struct dmawin_trace_replay *rp)
{
	struct progress prog = {.on = isatty(STDERR_FILENO) && !a->quiet};
	const char *line;
	size_t len;
	int ret;

	prog.start = prog.last = now_s();
	while ((ret = dmawin_trace_reader_next(r, &line, &len)) == 1) {
		uint64_t no = dmawin_trace_reader_line_number(r);
		int rc = dmawin_trace_replay_line(rp, line, len, no);
		if (rc == -EINVAL) {
			print_malformed(a, dmawin_trace_replay_report(rp));
			if (a->strict) {
				fprintf(stderr, "%s:%" PRIu64 ": stopping (--strict)\n", a->path,
					no);
				return 2;
			}
		} else if (rc) {
			fprintf(stderr, "%s:%" PRIu64 ": %s\n", a->path, no, strerror(-rc));
			return 2;
		}
		if (prog.on && (no & 0xfffff) == 0)
			progress_tick(&prog, r);
	}
	if (prog.on && prog.last != prog.start)
		fprintf(stderr, "\r\033[K");
	if (ret < 0) {
		fprintf(stderr, "%s: after line %" PRIu64 ": %s\n", a->path,
			dmawin_trace_reader_line_number(r),
			ret == -EBADMSG || ret == -E2BIG ? dmawin_trace_reader_error(r)
							 : strerror(-ret));
		return 2;
	}
	return 0;
}

static int print_report(const struct replay_args *a, const struct dmawin_trace_report *rep)
{
	char *json;

	if (!a->json)
		return dmawin_trace_report_write_text(rep, a->path, stdout) ? 2 : 0;
	if (dmawin_trace_report_to_json(rep, a->path, &json))
		return 2;
	printf("%s\n", json);
	free(json);
	return fflush(stdout) ? 2 : 0;
}

int cmd_replay(int argc, char **argv)
{
	struct dmawin_trace_replay_options opts = {0};
	struct dmawin_trace_reader *r = NULL;
	struct dmawin_trace_replay *rp = NULL;
	struct dmawin_papr_config cfg;
	struct replay_args a;
	char why[256] = "";
	int ret, status;

	ret = parse_args(argc, argv, &a);
	if (!ret)
		ret = machine_config(&a, &cfg);
	if (ret)
		return ret;
	opts.examples = a.examples;
	ret = dmawin_trace_replay_create(&cfg, &opts, &rp, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "dmawin replay: cannot build the machine: %s\n",
			why[0] ? why : strerror(-ret));
		return 2;
	}
	ret = dmawin_trace_reader_open(a.path, &r);
	if (ret) {
		fprintf(stderr, "dmawin replay: %s: %s\n", a.path, strerror(-ret));
		dmawin_trace_replay_destroy(rp);
		return 2;
	}
	status = replay_stream(&a, r, rp);
	if (dmawin_trace_replay_finish(rp))
		status = 2;
	if (print_report(&a, dmawin_trace_replay_report(rp)))
		status = 2;
	if (!status && dmawin_trace_replay_report(rp)->mismatches)
		status = 1;
	dmawin_trace_reader_destroy(r);
	dmawin_trace_replay_destroy(rp);
	return status;
}
