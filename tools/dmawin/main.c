/* SPDX-License-Identifier: MIT */
/* dmawin: the command line. Subcommands are dispatched from one table. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "dmawin/dmawin.h"
#include "guest_args.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *usage;
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{"help", cmd_help, "show help for dmawin or one subcommand", "dmawin help [COMMAND]"},
	{"info", cmd_info, "print the build and what the library supports", "dmawin info [--json]"},
	{"bench", cmd_bench, "run benchmarks (JSON lines)",
	 "dmawin bench [--list] [--quick] [--reps N] [NAME-PREFIX...]"},
	{"sim", cmd_sim, "run a scenario (default: the embedded one) and report",
	 "dmawin sim [SCENARIO.json | --qemu-args ARGS [--kernel-args ARGS]] [--json] [--svg FILE]"
	 " " TOOL_GUEST_ARGS_USAGE " [--seed N] [--trace-out FILE]"},
	{"plan", cmd_plan, "which DMA window serves each device, at what cost",
	 "dmawin plan [SCENARIO.json | --qemu-args ARGS [--kernel-args ARGS]] [--json]"
	 " " TOOL_GUEST_ARGS_USAGE " [--target OTHER.json]"},
	{"replay", cmd_replay, "replay a QEMU sPAPR IOMMU trace on the model and compare",
	 "dmawin replay [--json] [--strict] [--quiet] [--examples N] [--qemu-args \"QEMU CMDLINE\"]"
	 " FILE|-\n  FILE: QEMU log-backend trace, plain, .xz or .gz; - reads stdin.\n"
	 "  exit status: 0 no mismatch, 1 mismatches, 2 usage or input errors"},
	{"vfio-run", cmd_vfio_run, "run a program's VFIO sPAPR calls on a simulated machine",
	 "dmawin vfio-run [SCENARIO.json | --qemu-args ARGS [--kernel-args ARGS]]"
	 " [--guest-kernel 6.12] [--guest-page-size 4K|64K] [--device BDF]... [--trace-out FILE]"
	 " [--report FILE.json] [-v] -- PROGRAM [ARGS...]\n"
	 "  exit status: the program's; 2 for bad input (machine, BDF, a program that is not"
	 " dynamically linked)"},
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_usage(FILE *out)
{
	fprintf(out, "usage: dmawin [--help] [--version] COMMAND [ARGS...]\n\n"
		     "The POWER (sPAPR) IOMMU stack as a library and tool.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'dmawin help COMMAND' for a command's options.\n");
}

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		print_usage(stdout);
		return 0;
	}
	c = find_command(argv[1]);
	if (!c)
		return tool_usage_error(NULL, "unknown command '%s'", argv[1]);
	printf("usage: %s\n\n%s\n", c->usage, c->summary);
	return 0;
}

int tool_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dmawin%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'dmawin %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
	return 2;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("dmawin %s\n", dmawin_version());
		return 0;
	}
	if (argv[1][0] == '-')
		return tool_usage_error(NULL, "unknown option '%s'", argv[1]);
	c = find_command(argv[1]);
	if (!c)
		return tool_usage_error(NULL, "unknown command '%s'", argv[1]);
	if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
		static char help_word[] = "help";
		char *help_argv[] = {help_word, argv[1], NULL};

		return cmd_help(2, help_argv);
	}
	return c->run(argc - 1, argv + 1);
}
