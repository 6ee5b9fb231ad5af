/* SPDX-License-Identifier: MIT */
/* dmawin sim: run a scenario (or the embedded default) and report what happened. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dmawin/sim.h"
#include "guest_args.h"
#include "scenario_arg.h"

struct sim_args {
	const char *scenario;
	const char *qemu_args;
	const char *kernel_args;
	const char *svg;
	bool json;
	struct tool_guest_args guest;
	struct dmawin_sim_options opts;
};

static int parse_seed(const char *text, uint64_t *seed)
{
	char *end;

	errno = 0;
	*seed = strtoull(text, &end, 0);
	return errno || end == text || *end || text[0] == '-' ? -1 : 0;
}

static int need_value(int i, int argc, char **argv)
{
	if (i + 1 >= argc)
		return tool_usage_error("sim", "%s needs a value", argv[i]);
	return 0;
}

static int parse_args(int argc, char **argv, struct sim_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char **slot = strcmp(o, "--svg") == 0	      ? &a->svg
				    : strcmp(o, "--qemu-args") == 0   ? &a->qemu_args
				    : strcmp(o, "--kernel-args") == 0 ? &a->kernel_args
				    : strcmp(o, "--trace-out") == 0   ? &a->opts.trace_path
								      : NULL;
		int guest = tool_guest_arg("sim", argc, argv, &i, &a->guest);

		if (guest == 2)
			return 2;
		if (guest == 1) {
			continue;
		} else if (strcmp(o, "--json") == 0) {
			a->json = true;
		} else if (slot) {
			if (need_value(i, argc, argv))
				return 2;
			*slot = argv[++i];
		} else if (strcmp(o, "--seed") == 0) {
			if (need_value(i, argc, argv))
				return 2;
			if (parse_seed(argv[++i], &a->opts.seed) < 0)
				return tool_usage_error("sim", "--seed needs a number, not '%s'",
							argv[i]);
			a->opts.seed_set = true;
		} else if (o[0] == '-' && o[1]) {
			return tool_usage_error("sim", "unknown option '%s'", o);
		} else if (a->scenario) {
			return tool_usage_error("sim", "more than one scenario ('%s', '%s')",
						a->scenario, o);
		} else {
			a->scenario = o;
		}
	}
	if (a->scenario && a->qemu_args)
		return tool_usage_error("sim", "give a scenario or --qemu-args, not both");
	if (a->kernel_args && !a->qemu_args)
		return tool_usage_error("sim", "--kernel-args goes with --qemu-args");
	return 0;
}

static int write_svg(const struct dmawin_sim_report *r, const char *path)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f) {
		fprintf(stderr, "dmawin sim: %s: %s\n", path, strerror(errno));
		return 2;
	}
	rc = dmawin_sim_report_print_svg(r, f);
	if (fclose(f) != 0 || rc < 0) {
		fprintf(stderr, "dmawin sim: %s: write error\n", path);
		return 2;
	}
	return 0;
}

int cmd_sim(int argc, char **argv)
{
	struct sim_args a = {0};
	struct dmawin_sim_scenario *sc = malloc(sizeof(*sc));
	struct dmawin_sim_report *r = NULL;
	char why[256];
	int rc;

	if (!sc)
		return 2;
	rc = parse_args(argc, argv, &a);
	if (rc == 0)
		rc = tool_load_scenario("sim", a.scenario, a.qemu_args, a.kernel_args, sc);
	if (rc == 0)
		tool_guest_args_to_scenario(&a.guest, sc);
	if (rc == 0 && dmawin_sim_run(sc, &a.opts, &r, why, sizeof(why)) < 0) {
		fprintf(stderr, "dmawin sim: cannot build the machine: %s\n", why);
		rc = 2;
	}
	if (rc == 0 && a.svg)
		rc = write_svg(r, a.svg);
	if (rc == 0 && (a.json ? dmawin_sim_report_print_json(r, stdout)
			       : dmawin_sim_report_print(r, stdout)) < 0)
		rc = 2;
	dmawin_sim_report_destroy(r);
	free(sc);
	return rc;
}
