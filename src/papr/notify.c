/* SPDX-License-Identifier: MIT */
/* IOMMU notifier list (VFIO-style mirrors of the tables) and the QEMU trace hook. */
#include <errno.h>
#include <string.h>

#include "dmawin/tce.h"
#include "papr/papr_int.h"

int dmawin_papr_notifier_add(struct dmawin_papr *m, dmawin_papr_notify_fn fn, void *opaque, int *id)
{
	int rc = -ENOSPC;

	if (!fn)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < ARRAY_SIZE(m->notifiers); i++) {
		struct papr_notifier *n = &m->notifiers[i];
		if (n->id)
			continue;
		n->fn = fn;
		n->opaque = opaque;
		n->id = m->next_notifier_id++;
		m->nr_notifiers++;
		if (id)
			*id = n->id;
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int dmawin_papr_notifier_remove(struct dmawin_papr *m, int id)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; id > 0 && i < ARRAY_SIZE(m->notifiers); i++) {
		if (m->notifiers[i].id == id) {
			memset(&m->notifiers[i], 0, sizeof(m->notifiers[i]));
			m->nr_notifiers--;
			rc = 0;
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* Slots are scanned in array order; a freed slot may be reused, so "registration order" holds
 * for the live notifiers as long as none is removed in between, which is all VFIO needs. */
void papr_notify(struct dmawin_papr *m, const struct dmawin_papr_event *ev)
{
	for (size_t i = 0; i < ARRAY_SIZE(m->notifiers); i++)
		if (m->notifiers[i].id)
			m->notifiers[i].fn(m->notifiers[i].opaque, ev);
}

void papr_notify_window(struct dmawin_papr *m, const struct papr_phb *phb,
			const struct papr_window *w, enum dmawin_papr_event_type type)
{
	struct dmawin_papr_event ev = {
		.type = type,
		.phb_index = phb->cfg.index,
		.liobn = w->liobn,
		.bus_offset = w->bus_offset,
		.page_shift = w->page_shift,
		.window_size = w->nb_table << w->page_shift,
		.addr_mask = (UINT64_C(1) << w->page_shift) - 1,
	};

	if (m->nr_notifiers)
		papr_notify(m, &ev);
}

/* One MAP/UNMAP per written entry, as QEMU's put_tce_emu does. */
void papr_notify_entries(struct dmawin_papr *m, const struct papr_phb *phb,
			 const struct papr_window *w, uint64_t index, const uint64_t *tces,
			 uint64_t same_tce, uint64_t npages)
{
	uint64_t mask = (UINT64_C(1) << w->page_shift) - 1;
	struct dmawin_papr_event ev = {
		.phb_index = phb->cfg.index,
		.liobn = w->liobn,
		.bus_offset = w->bus_offset,
		.page_shift = w->page_shift,
		.window_size = w->nb_table << w->page_shift,
		.addr_mask = mask,
	};

	for (uint64_t i = 0; i < npages; i++) {
		uint64_t tce = tces ? tces[i] : same_tce;
		ev.tce = tce;
		ev.perm = (uint32_t)(tce & DMAWIN_TCE_PERM_MASK);
		ev.type = ev.perm ? DMAWIN_PAPR_EV_MAP : DMAWIN_PAPR_EV_UNMAP;
		ev.translated_addr = ev.perm ? tce & ~mask : 0;
		ev.iova = (index + i) << w->page_shift;
		papr_notify(m, &ev);
	}
}

void dmawin_papr_set_trace(struct dmawin_papr *m, dmawin_papr_trace_fn fn, void *opaque)
{
	pthread_mutex_lock(&m->lock);
	m->trace_fn = fn;
	m->trace_opaque = opaque;
	pthread_mutex_unlock(&m->lock);
}

void papr_trace(struct dmawin_papr *m, struct dmawin_papr_trace *ev)
{
	if (!m->trace_fn)
		return;
	ev->pci = (ev->liobn & PAPR_LIOBN_PCI) != 0;
	m->trace_fn(m->trace_opaque, ev);
}
