/* SPDX-License-Identifier: MIT */
/*
 * The machine's IOMMU events written as QEMU 7.2 trace lines (log backend, hw/ppc/trace-events
 * formats of spec papr-ddw.md §7), so a model run can be diffed against a real trace.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "guest/guest_int.h"

int dmawin_guest_format_trace(const struct dmawin_papr_trace *ev, char *buf, size_t len)
{
	const char *pfx = ev->pci ? "spapr_iommu_pci_" : "spapr_iommu_";
	switch (ev->type) {
	case DMAWIN_PAPR_TR_PUT:
		return snprintf(buf, len,
				"%sput liobn=0x%" PRIx64 " ioba=0x%" PRIx64 " tce=0x%" PRIx64
				" ret=%" PRId64,
				pfx, ev->liobn, ev->ioba, ev->tce, ev->ret);
	case DMAWIN_PAPR_TR_GET:
		return snprintf(buf, len,
				"%sget liobn=0x%" PRIx64 " ioba=0x%" PRIx64 " ret=%" PRId64
				" tce=0x%" PRIx64,
				pfx, ev->liobn, ev->ioba, ev->ret, ev->tce);
	case DMAWIN_PAPR_TR_INDIRECT:
		return snprintf(buf, len,
				"%sindirect liobn=0x%" PRIx64 " ioba=0x%" PRIx64
				" tcelist=0x%" PRIx64 " iobaN=0x%" PRIx64 " tceN=0x%" PRIx64
				" ret=%" PRId64,
				pfx, ev->liobn, ev->ioba, ev->tce, ev->iobaN, ev->tceN, ev->ret);
	case DMAWIN_PAPR_TR_STUFF:
		return snprintf(buf, len,
				"%sstuff liobn=0x%" PRIx64 " ioba=0x%" PRIx64 " tcevalue=0x%" PRIx64
				" npages=%" PRId64 " ret=%" PRId64,
				pfx, ev->liobn, ev->ioba, ev->tce, (int64_t)ev->npages, ev->ret);
	case DMAWIN_PAPR_TR_NEW_TABLE:
		return snprintf(buf, len,
				"spapr_iommu_new_table liobn=0x%" PRIx64 " table=(nil) fd=-1",
				ev->liobn);
	case DMAWIN_PAPR_TR_DDW_QUERY:
		return snprintf(buf, len,
				"spapr_iommu_ddw_query buid=0x%" PRIx64 " addr=0x%" PRIx32
				", %u windows available, max window size=0x%" PRIx64
				", mask=0x%" PRIx32,
				ev->buid, ev->cfgaddr, ev->windows_available, ev->max_window_size,
				ev->mask);
	case DMAWIN_PAPR_TR_DDW_CREATE:
		return snprintf(buf, len,
				"spapr_iommu_ddw_create buid=0x%" PRIx64 " addr=0x%" PRIx32
				", page size=0x%" PRIx64 ", requested=0x%" PRIx64
				", start addr=0x%" PRIx64 ", liobn=0x%" PRIx32,
				ev->buid, ev->cfgaddr, ev->page_size, ev->requested, ev->start,
				(uint32_t)ev->liobn);
	case DMAWIN_PAPR_TR_DDW_REMOVE:
		return snprintf(buf, len, "spapr_iommu_ddw_remove liobn=0x%" PRIx32,
				(uint32_t)ev->liobn);
	case DMAWIN_PAPR_TR_DDW_RESET:
		return snprintf(buf, len,
				"spapr_iommu_ddw_reset buid=0x%" PRIx64 " addr=0x%" PRIx32,
				ev->buid, ev->cfgaddr);
	}
	return -EINVAL;
}

static void on_trace(void *opaque, const struct dmawin_papr_trace *ev)
{
	struct dmawin_guest *g = opaque;
	char line[320];
	if (g->trace_fn && dmawin_guest_format_trace(ev, line, sizeof(line)) >= 0)
		g->trace_fn(g->trace_opaque, line);
}

void dmawin_guest_set_trace(struct dmawin_guest *g, dmawin_guest_line_fn fn, void *opaque)
{
	if (!g)
		return;
	g->trace_fn = fn;
	g->trace_opaque = opaque;
	dmawin_papr_set_trace(g->m, fn ? on_trace : NULL, fn ? g : NULL);
}
