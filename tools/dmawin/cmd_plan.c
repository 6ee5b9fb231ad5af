/* SPDX-License-Identifier: MIT */
/* dmawin plan: which window serves each device, at what cost; hotplug/migration check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dmawin/sim.h"
#include "guest_args.h"
#include "scenario_arg.h"

struct plan_args {
	const char *scenario;
	const char *target;
	const char *qemu_args;
	const char *kernel_args;
	bool json;
	struct tool_guest_args guest;
};

static int parse_args(int argc, char **argv, struct plan_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char **slot = strcmp(o, "--target") == 0	      ? &a->target
				    : strcmp(o, "--qemu-args") == 0   ? &a->qemu_args
				    : strcmp(o, "--kernel-args") == 0 ? &a->kernel_args
								      : NULL;
		int guest = tool_guest_arg("plan", argc, argv, &i, &a->guest);

		if (guest == 2)
			return 2;
		if (guest == 1) {
			continue;
		} else if (strcmp(o, "--json") == 0) {
			a->json = true;
		} else if (slot) {
			if (i + 1 >= argc)
				return tool_usage_error("plan", "%s needs a value", o);
			*slot = argv[++i];
		} else if (o[0] == '-' && o[1]) {
			return tool_usage_error("plan", "unknown option '%s'", o);
		} else if (a->scenario) {
			return tool_usage_error("plan", "more than one scenario ('%s', '%s')",
						a->scenario, o);
		} else {
			a->scenario = o;
		}
	}
	if (a->scenario && a->qemu_args)
		return tool_usage_error("plan", "give a scenario or --qemu-args, not both");
	if (a->kernel_args && !a->qemu_args)
		return tool_usage_error("plan", "--kernel-args goes with --qemu-args");
	return 0;
}

/* Exit status: 0, or 1 when --target was given and some live window cannot move. */
static int plan(const struct plan_args *a, const struct dmawin_sim_scenario *sc,
		const struct dmawin_sim_scenario *target)
{
	struct dmawin_sim_target_check *check = NULL;
	struct dmawin_sim_plan *p;
	int rc = 0;

	if (dmawin_sim_plan_create(sc, &p) < 0) {
		fprintf(stderr, "dmawin plan: cannot plan this scenario\n");
		return 2;
	}
	if (target) {
		check = malloc(sizeof(*check));
		if (!check || dmawin_sim_plan_target(p, target, check) < 0) {
			dmawin_sim_plan_destroy(p);
			free(check);
			return 2;
		}
		/* the layers' own answer: save the probed machine, restore it on the target */
		check->restore_checked = true;
		check->restore_rc = dmawin_sim_migrate_check(sc, target, check->restore_why,
							     sizeof(check->restore_why));
		rc = check->safe && check->restore_rc == 0 ? 0 : 1;
	}
	if ((a->json ? dmawin_sim_plan_print_json(p, check, stdout)
		     : dmawin_sim_plan_print(p, check, stdout)) < 0)
		rc = 2;
	free(check);
	dmawin_sim_plan_destroy(p);
	return rc;
}

int cmd_plan(int argc, char **argv)
{
	struct plan_args a = {0};
	struct dmawin_sim_scenario *sc = malloc(2 * sizeof(*sc));
	int rc;

	if (!sc)
		return 2;
	rc = parse_args(argc, argv, &a);
	if (rc == 0)
		rc = tool_load_scenario("plan", a.scenario, a.qemu_args, a.kernel_args, sc);
	if (rc == 0 && a.target)
		rc = tool_load_scenario("plan", a.target, NULL, NULL, &sc[1]);
	if (rc == 0) {
		/* the same guest kernel on both machines */
		tool_guest_args_to_scenario(&a.guest, &sc[0]);
		tool_guest_args_to_scenario(&a.guest, &sc[1]);
		rc = plan(&a, sc, a.target ? &sc[1] : NULL);
	}
	free(sc);
	return rc;
}
