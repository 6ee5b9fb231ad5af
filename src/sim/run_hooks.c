/* SPDX-License-Identifier: MIT */
/*
 * What the hypervisor tells the simulation: every hcall and RTAS call through the papr trace hook
 * (counted per device, and written as QEMU log-backend lines for --trace-out), every TCE write
 * through the IOMMU notifier.
 */
#include <time.h>
#include <unistd.h>

#include "dmawin/guest.h"
#include "sim/sim_run.h"

static void charge(struct sim_run *run, enum dmawin_sim_hcall_kind kind)
{
	run->r->hcalls_total[kind]++;
	if (run->current)
		run->current->hcalls[kind]++;
}

/* "PID@SECONDS.MICROS:" as QEMU's log backend prints it. */
static void trace_prefix(struct sim_run *run)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(run->trace, "%d@%lld.%06ld:", (int)getpid(), (long long)ts.tv_sec,
		ts.tv_nsec / 1000);
}

/* The guest layer owns QEMU's trace formats (spec §7); one line per event. */
static void trace_line(struct sim_run *run, const struct dmawin_papr_trace *ev)
{
	char line[512];

	if (dmawin_guest_format_trace(ev, line, sizeof(line)) < 0)
		return;
	trace_prefix(run);
	fprintf(run->trace, "%s\n", line);
}

void sim_trace_event(void *opaque, const struct dmawin_papr_trace *ev)
{
	struct sim_run *run = opaque;

	switch (ev->type) {
	case DMAWIN_PAPR_TR_PUT:
		charge(run, DMAWIN_SIM_HC_PUT_TCE);
		break;
	case DMAWIN_PAPR_TR_GET:
		charge(run, DMAWIN_SIM_HC_GET_TCE);
		break;
	case DMAWIN_PAPR_TR_INDIRECT:
		charge(run, DMAWIN_SIM_HC_PUT_TCE_INDIRECT);
		break;
	case DMAWIN_PAPR_TR_STUFF:
		charge(run, DMAWIN_SIM_HC_STUFF_TCE);
		break;
	case DMAWIN_PAPR_TR_DDW_QUERY:
	case DMAWIN_PAPR_TR_DDW_CREATE:
	case DMAWIN_PAPR_TR_DDW_REMOVE:
	case DMAWIN_PAPR_TR_DDW_RESET:
		charge(run, DMAWIN_SIM_HC_RTAS);
		break;
	case DMAWIN_PAPR_TR_NEW_TABLE:
		break;
	}
	if (run->trace)
		trace_line(run, ev);
	sim_vfio_flush(run); /* the hcall is over: its unmaps reach the host now */
}

static int64_t *liobn_slot(struct sim_run *run, uint32_t liobn)
{
	for (uint32_t i = 0; i < run->nr_liobns; i++)
		if (run->liobns[i].liobn == liobn)
			return &run->liobns[i].mapped;
	if (run->nr_liobns == SIM_MAX_LIOBNS)
		return NULL;
	run->liobns[run->nr_liobns].liobn = liobn;
	run->liobns[run->nr_liobns].mapped = 0;
	return &run->liobns[run->nr_liobns++].mapped;
}

void sim_notify_event(void *opaque, const struct dmawin_papr_event *ev)
{
	struct sim_run *run = opaque;
	int64_t *mapped;

	sim_vfio_event(run, ev);
	if (ev->type != DMAWIN_PAPR_EV_MAP && ev->type != DMAWIN_PAPR_EV_UNMAP)
		return;
	run->r->tces_written_total++;
	if (run->current)
		run->current->tces_written++;
	mapped = liobn_slot(run, ev->liobn);
	if (mapped)
		*mapped += ev->type == DMAWIN_PAPR_EV_MAP ? 1 : -1;
}

uint64_t sim_notify_mapped(const struct sim_run *run, uint32_t liobn)
{
	for (uint32_t i = 0; i < run->nr_liobns; i++)
		if (run->liobns[i].liobn == liobn)
			return run->liobns[i].mapped > 0 ? (uint64_t)run->liobns[i].mapped : 0;
	return 0;
}

/* --trace-out: the spapr_iommu_xlate line QEMU prints for every page a device access touches. */
void sim_trace_xlate(struct sim_run *run, uint32_t liobn, uint64_t window_start, uint64_t dma,
		     uint64_t len, unsigned page_shift)
{
	uint64_t page = UINT64_C(1) << page_shift;

	for (uint64_t a = dma & ~(page - 1); a < dma + len; a += page) {
		struct dmawin_papr_xlate x;

		if (dmawin_papr_xlate(run->m, liobn, a - window_start, &x) < 0)
			return;
		trace_prefix(run);
		fprintf(run->trace,
			"spapr_iommu_xlate liobn=0x%x 0x%llx -> 0x%llx perm=%u mask=0x%x\n", liobn,
			(unsigned long long)x.iova, (unsigned long long)x.translated_addr, x.perm,
			(unsigned)x.addr_mask);
	}
}
