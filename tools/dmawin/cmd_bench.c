/* SPDX-License-Identifier: MIT */
/* dmawin bench: run the registered benchmark workloads, one JSON line each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "harness.h"

static bool selected(const struct bench_workload *w, char **names, int count)
{
	if (count == 0)
		return true;
	for (int i = 0; i < count; i++)
		if (strncmp(w->name, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

static int parse_reps(const char *s, unsigned *reps)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > BENCH_MAX_REPS)
		return -1;
	*reps = (unsigned)v;
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	struct bench_params params = {.seed = 88172645463325252ull};
	unsigned reps = 5;
	bool list = false;
	char **names = calloc((size_t)argc, sizeof(*names));
	int count = 0, status = 0, matched = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--list") == 0) {
			list = true;
		} else if (strcmp(argv[i], "--quick") == 0) {
			params.quick = true;
		} else if (strcmp(argv[i], "--json") == 0) {
			/* the output is always JSON lines */
		} else if (strcmp(argv[i], "--reps") == 0) {
			if (i + 1 >= argc || parse_reps(argv[++i], &reps)) {
				free(names);
				return tool_usage_error("bench", "--reps needs a number in 1..%d",
							BENCH_MAX_REPS);
			}
		} else if (argv[i][0] == '-') {
			free(names);
			return tool_usage_error("bench", "unknown option '%s'", argv[i]);
		} else {
			names[count++] = argv[i];
		}
	}
	if (params.quick)
		reps = 1;
	for (const struct bench_workload *w = bench_first(); w; w = w->next) {
		if (!selected(w, names, count))
			continue;
		matched++;
		if (list)
			printf("%-32s %s\n", w->name, w->description ? w->description : "");
		else if (bench_run_one(w, &params, reps, stdout))
			status = 1;
	}
	free(names);
	if (!matched && count)
		return tool_usage_error("bench", "no workload matches '%s'", argv[argc - 1]);
	return status;
}
