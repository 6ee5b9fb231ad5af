/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer: the scenario parser on random and mutated JSON. A refused scenario says where and
 * what and leaves the output untouched; an accepted one has sane counts and plans without error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dmawin/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmawin_sim_scenario sc, untouched;
	struct dmawin_sim_error err;
	struct dmawin_sim_plan *plan;
	int ret;

	memset(&sc, 0xa5, sizeof(sc));
	memcpy(&untouched, &sc, sizeof(sc));
	memset(&err, 0, sizeof(err));
	ret = dmawin_sim_scenario_parse((const char *)data, size, "fuzz.json", &sc, &err);
	if (ret) {
		if (err.text[0] == '\0' || memcmp(&sc, &untouched, sizeof(sc)) != 0)
			abort();
		return 0;
	}
	if (sc.nr_devices > DMAWIN_SIM_MAX_DEVICES)
		abort();
	ret = dmawin_sim_plan_create(&sc, &plan);
	if (ret != 0 && ret != -ENOMEM)
		abort(); /* an accepted scenario can always be planned */
	if (ret == 0)
		dmawin_sim_plan_destroy(plan);
	return 0;
}
