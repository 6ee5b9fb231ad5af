/* SPDX-License-Identifier: MIT */
/* The state of one simulation run, shared by run.c, run_hooks.c and run_devices.c. */
#ifndef DMAWIN_SIM_RUN_H
#define DMAWIN_SIM_RUN_H

#include "dmawin/mem.h"
#include "sim/sim_int.h"

struct sim_host;
struct dmawin_vfio_mm;

#define SIM_MAX_LIOBNS (2 * DMAWIN_PAPR_MAX_PHBS)

struct sim_run {
	const struct dmawin_sim_scenario *sc;
	struct dmawin_sim_report *r;
	struct dmawin_mem *mem;
	void *ram; /* guest RAM's host mapping (owned by the run) */
	size_t ram_len;
	struct dmawin_papr *m;
	int notifier;
	FILE *trace;	 /* --trace-out, or NULL */
	bool probe_only; /* probe the devices, run no workload */
	double trace_t0; /* seconds printed in trace lines count from here */
	/* The device whose driver is calling the hypervisor now: hcalls, RTAS calls and TCE
	 * writes are charged to it. NULL while the machine is being set up. */
	struct dmawin_sim_device_report *current;
	/* Net mapped entries per LIOBN from the notifier (for windows too big to read back). */
	uint32_t nr_liobns;
	struct {
		uint32_t liobn;
		int64_t mapped;
	} liobns[SIM_MAX_LIOBNS];
	void *devices;		/* run_devices.c's per-device state */
	struct sim_host *hosts; /* run_vfio.c: the host side of PHBs with VFIO devices */
	uint32_t nr_hosts;
	struct dmawin_vfio_mm *vfio_mm; /* the VMM process's memory context */
};

/* run_hooks.c: the papr trace hook and IOMMU notifier. */
void sim_trace_event(void *opaque, const struct dmawin_papr_trace *ev);
void sim_notify_event(void *opaque, const struct dmawin_papr_event *ev);
uint64_t sim_notify_mapped(const struct sim_run *run, uint32_t liobn);
void sim_trace_xlate(struct sim_run *run, uint32_t liobn, uint64_t window_start, uint64_t dma,
		     uint64_t len, unsigned page_shift);

/* run_vfio.c: the host of passed-through devices, mirrored from the guest's IOMMU. */
int sim_vfio_setup(struct sim_run *run, char *why, size_t len);
void sim_vfio_event(struct sim_run *run, const struct dmawin_papr_event *ev);
struct sim_host *sim_vfio_host(struct sim_run *run, uint32_t phb_index);
int sim_vfio_dma(struct sim_run *run, struct sim_host *h, bool read, uint64_t bus, void *buf,
		 size_t len);
void sim_vfio_flush(struct sim_run *run);
const char *sim_vfio_note(struct sim_host *h);
void sim_vfio_release(struct sim_run *run);

/* run_ep.c: create a PCIe endpoint over the run's RAM, run device @i's workload through it. */
int sim_ep_run(struct sim_run *run, unsigned i, uint64_t area, uint64_t *rng, uint8_t *buf,
	       uint8_t *chk);

/* run_devices.c: probe and run every device with the layers in this build; free their state. */
void sim_devices_run(struct sim_run *run);
void sim_devices_release(struct sim_run *run);

#endif
