/* SPDX-License-Identifier: MIT */
/* sim: the cost of a simulated DMA operation end to end, and of planning one device. */
#include <errno.h>

#include "bench.h"
#include "dmawin/sim.h"

/* The default scenario (every layer: guest DMA API, hcalls, TCE writes, device DMA through
 * the windows, byte checks), ns per simulated operation including machine build and boot. */
static double bench_sim_default(const struct bench_params *p)
{
	struct dmawin_sim_options o = {.seed_set = true, .seed = p->seed | 1};
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_report *r;
	uint64_t t0, ops;

	if (dmawin_sim_scenario_default(&sc) < 0)
		return -EINVAL;
	for (uint32_t i = 0; i < sc.nr_devices; i++)
		sc.devices[i].workload.ops = bench_ops(p, sc.devices[i].workload.ops);
	t0 = bench_now_ns();
	if (dmawin_sim_run(&sc, &o, &r, NULL, 0) < 0)
		return -EIO;
	ops = r->ops_total;
	dmawin_sim_report_destroy(r);
	return ops ? (double)(bench_now_ns() - t0) / (double)ops : -EIO;
}

BENCH_WORKLOAD(sim_default, .name = "sim_default_scenario",
	       .description = "dmawin sim of the default scenario, ns per simulated DMA operation",
	       .run = bench_sim_default)

/* The planner: ns per device of the default scenario (four candidates, real table geometry). */
static double bench_sim_plan(const struct bench_params *p)
{
	struct dmawin_sim_scenario sc;
	struct dmawin_sim_plan *plan;
	uint64_t n = bench_ops(p, 200), t0;

	if (dmawin_sim_scenario_default(&sc) < 0)
		return -EINVAL;
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < n; i++) {
		if (dmawin_sim_plan_create(&sc, &plan) < 0)
			return -EIO;
		bench_keep(plan->table_bytes_total);
		dmawin_sim_plan_destroy(plan);
	}
	return (double)(bench_now_ns() - t0) / (double)(n * sc.nr_devices);
}

BENCH_WORKLOAD(sim_plan, .name = "sim_plan_default",
	       .description = "dmawin plan of the default scenario, ns per device",
	       .run = bench_sim_plan)
