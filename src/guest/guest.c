/* SPDX-License-Identifier: MIT */
/* The guest object: configuration, devices, statistics. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/guest_int.h"

void dmawin_guest_config_init(struct dmawin_guest_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->kernel = DMAWIN_GUEST_KERNEL_NEWEST;
	cfg->max_physmem_bits = 51;
	cfg->allocator = DMAWIN_GUEST_ALLOC_POOL;
}

static const char *const kernel_names[] = {
	[DMAWIN_GUEST_KERNEL_6_1] = "6.1",
	[DMAWIN_GUEST_KERNEL_6_12] = "6.12",
};

const char *dmawin_guest_kernel_name(enum dmawin_guest_kernel kernel)
{
	return (unsigned)kernel < sizeof(kernel_names) / sizeof(kernel_names[0])
		       ? kernel_names[kernel]
		       : NULL;
}

int dmawin_guest_kernel_from_name(const char *name, enum dmawin_guest_kernel *kernel)
{
	for (unsigned i = 0; name && i < sizeof(kernel_names) / sizeof(kernel_names[0]); i++) {
		if (!strcmp(name, kernel_names[i])) {
			*kernel = (enum dmawin_guest_kernel)i;
			return 0;
		}
	}
	return -EINVAL;
}

int dmawin_guest_page_shift_from_name(const char *name, unsigned *shift)
{
	if (name && (!strcmp(name, "4K") || !strcmp(name, "4k")))
		*shift = 12;
	else if (name && (!strcmp(name, "64K") || !strcmp(name, "64k")))
		*shift = 16;
	else
		return -EINVAL;
	return 0;
}

static int check_config(struct dmawin_guest_config *c)
{
	if (!dmawin_guest_kernel_name(c->kernel))
		return -EINVAL;
	/* Debian's ppc64el kernels: 64 KiB pages up to 6.1, 4 KiB pages from 6.12 on */
	if (c->page_shift == 0)
		c->page_shift = c->kernel == DMAWIN_GUEST_KERNEL_6_1 ? 16 : 12;
	if (c->max_physmem_bits == 0)
		c->max_physmem_bits = 51;
	if (c->page_shift != 12 && c->page_shift != 16)
		return -EINVAL;
	if (c->max_physmem_bits < 32 || c->max_physmem_bits > 63)
		return -EINVAL;
	if (c->allocator != DMAWIN_GUEST_ALLOC_POOL && c->allocator != DMAWIN_GUEST_ALLOC_IOVA)
		return -EINVAL;
	return 0;
}

/*
 * ddw_memory_hotplug_max(): the highest address of the memory nodes and of ibm,lrdr-capacity,
 * which QEMU sets to the end of the hotplug area: ROUND_UP(ram_size, 1 GiB) + (maxmem -
 * ram_size) when maxmem > ram_size.
 */
uint64_t guest_hotplug_max(struct dmawin_guest *g)
{
	const struct dmawin_papr_config *mc = dmawin_papr_get_config(g->m);
	uint64_t top = dmawin_mem_top(g->mem);
	if (mc && mc->maxmem > mc->ram_size) {
		uint64_t gib = 1ull << 30;
		uint64_t lrdr =
			((mc->ram_size + gib - 1) & ~(gib - 1)) + (mc->maxmem - mc->ram_size);
		if (lrdr > top)
			top = lrdr;
	}
	return top;
}

int dmawin_guest_create(struct dmawin_papr *m, const struct dmawin_guest_config *cfg,
			struct dmawin_guest **out)
{
	if (!m || !out)
		return -EINVAL;
	struct dmawin_guest_config c;
	if (cfg)
		c = *cfg;
	else
		dmawin_guest_config_init(&c);
	int rc = check_config(&c);
	if (rc)
		return rc;
	struct dmawin_guest *g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->m = m;
	g->mem = dmawin_papr_mem(m);
	g->cfg = c;
	g->page_size = 1ull << c.page_shift;
	pthread_mutex_init(&g->list_lock, NULL);
	rc = guest_kmem_init(g);
	if (rc) {
		dmawin_guest_destroy(g);
		return rc;
	}
	g->nphbs = dmawin_papr_phb_count(m);
	for (unsigned i = 0; i < g->nphbs; i++) {
		struct guest_phb *p = &g->phbs[i];
		p->pos = i;
		p->present = true;
		rc = dmawin_papr_phb_dt(m, i, &p->dt);
		if (rc) {
			dmawin_guest_destroy(g);
			return rc;
		}
		p->index = (uint32_t)(p->dt.buid - DMAWIN_PAPR_BUID_BASE);
	}
	*out = g;
	return 0;
}

void dmawin_guest_destroy(struct dmawin_guest *g)
{
	if (!g)
		return;
	if (g->trace_fn)
		dmawin_papr_set_trace(g->m, NULL, NULL);
	for (unsigned i = 0; i < g->nphbs; i++) {
		guest_table_destroy(g->phbs[i].tbl0);
		guest_table_destroy(g->phbs[i].ddw.tbl);
	}
	for (unsigned i = 0; i < g->ndev; i++)
		free(g->devs[i]);
	dmawin_iova_destroy(g->kmem);
	pthread_mutex_destroy(&g->list_lock);
	free(g);
}

struct guest_phb *guest_phb_by_index(struct dmawin_guest *g, uint32_t index)
{
	for (unsigned i = 0; i < g->nphbs; i++)
		if (g->phbs[i].index == index)
			return &g->phbs[i];
	return NULL;
}

static int check_device(const struct dmawin_guest_device_config *cfg)
{
	if (cfg->dma_mask_bits < 32 || cfg->dma_mask_bits > 64)
		return -EINVAL;
	uint64_t b = cfg->seg_boundary_mask;
	if (b && (b < 4095 || (b & (b + 1))))
		return -EINVAL;
	if (cfg->max_seg_size && cfg->max_seg_size < 4096)
		return -EINVAL;
	return 0;
}

int dmawin_guest_device_add(struct dmawin_guest *g, const struct dmawin_guest_device_config *cfg,
			    unsigned *id)
{
	if (!g || !cfg)
		return -EINVAL;
	int rc = check_device(cfg);
	if (rc)
		return rc;
	struct guest_phb *p = guest_phb_by_index(g, cfg->phb_index);
	if (!p)
		return -ENODEV;
	for (unsigned i = 0; i < g->ndev; i++) {
		const struct guest_device *o = g->devs[i];
		if (o->present && o->phb == p && o->cfg.bus == cfg->bus &&
		    o->cfg.devfn == cfg->devfn)
			return -EEXIST;
	}
	if (g->ndev >= DMAWIN_GUEST_MAX_DEVICES)
		return -ENOSPC;
	struct guest_device *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->cfg = *cfg;
	if (!d->cfg.max_seg_size)
		d->cfg.max_seg_size = 65536;
	if (!d->cfg.seg_boundary_mask)
		d->cfg.seg_boundary_mask = 0xffffffffull;
	snprintf(d->name, sizeof(d->name), "%s", cfg->name ? cfg->name : "");
	d->cfg.name = d->name;
	d->phb = p;
	d->present = true;
	if (!p->present)
		p->present = true; /* a device added to an unplugged PHB plugs it back */
	g->devs[g->ndev] = d;
	if (id)
		*id = g->ndev;
	g->ndev++;
	return 0;
}

int dmawin_guest_device_info(struct dmawin_guest *g, unsigned id,
			     struct dmawin_guest_device_info *info)
{
	if (!g || !info || id >= g->ndev)
		return -ENOENT;
	const struct guest_device *d = g->devs[id];
	memset(info, 0, sizeof(*info));
	info->mode = d->mode;
	info->dma_mask_bits = d->mask_bits;
	if (d->mode == DMAWIN_GUEST_MODE_DIRECT) {
		const struct guest_ddw *w = &d->phb->ddw;
		info->liobn = w->liobn;
		info->window_start = w->start;
		info->window_size = w->window_shift < 64 ? 1ull << w->window_shift : 0;
		info->page_shift = w->page_shift;
		info->dma_offset = d->dma_offset;
		info->direct_limit = d->direct_limit;
	} else if (d->tbl) {
		info->liobn = d->tbl->liobn;
		info->window_start = d->tbl->offset << d->tbl->page_shift;
		info->window_size = d->tbl->size << d->tbl->page_shift;
		info->page_shift = d->tbl->page_shift;
	}
	return 0;
}

void dmawin_guest_get_stats(struct dmawin_guest *g, struct dmawin_guest_stats *stats)
{
	if (!stats)
		return;
	memset(stats, 0, sizeof(*stats));
	if (!g)
		return;
	uint64_t *v = (uint64_t *)(void *)stats;
	for (size_t i = 0; i < sizeof(*stats) / sizeof(uint64_t); i++)
		v[i] = atomic_load_explicit(&g->ctr.v[i], memory_order_relaxed);
}

static struct guest_table *table_by_liobn(struct dmawin_guest *g, uint32_t liobn, bool *direct,
					  const struct guest_ddw **ddw)
{
	for (unsigned i = 0; i < g->nphbs; i++) {
		struct guest_phb *p = &g->phbs[i];
		if (p->tbl0 && p->tbl0->liobn == liobn)
			return p->tbl0;
		if (p->ddw.present && p->ddw.liobn == liobn) {
			*direct = p->ddw.direct;
			*ddw = &p->ddw;
			return p->ddw.tbl;
		}
	}
	return NULL;
}

int dmawin_guest_window_stats(struct dmawin_guest *g, uint32_t liobn,
			      struct dmawin_guest_window_stats *ws)
{
	if (!g || !ws)
		return -ENOENT;
	bool direct = false;
	const struct guest_ddw *w = NULL;
	struct guest_table *t = table_by_liobn(g, liobn, &direct, &w);
	memset(ws, 0, sizeof(*ws));
	ws->liobn = liobn;
	if (t) {
		ws->entries = t->size;
		ws->used = atomic_load(&t->used);
		ws->reserved = t->reserved;
		return 0;
	}
	if (w && direct) {
		ws->direct = true;
		ws->entries = w->window_shift - w->page_shift < 64
				      ? 1ull << (w->window_shift - w->page_shift)
				      : 0;
		return 0;
	}
	return -ENOENT;
}

struct qemu_mask {
	const char *type;
	unsigned bits;
};

/* The masks Linux drivers set for QEMU's PCI device models (see the header). */
static const struct qemu_mask qemu_masks[] = {
	{"nvme", 64},		{"e1000", 32},		{"e1000-82544gc", 32},
	{"e1000-82545em", 32},	{"e1000e", 64},		{"igb", 64},
	{"virtio-net-pci", 64}, {"virtio-blk-pci", 64}, {"virtio-scsi-pci", 64},
	{"virtio-rng-pci", 64}, {"virtio-gpu-pci", 64}, {"virtio-balloon-pci", 64},
	{"qemu-xhci", 64},	{"nec-usb-xhci", 64},	{"megasas", 64},
	{"megasas-gen2", 64},	{"vfio-pci", 64},	{"rtl8139", 32},
	{"pcnet", 32},		{"ne2k_pci", 32},	{"pci-ohci", 32},
	{"usb-ehci", 32},	{"ich9-usb-ehci1", 32},
};

int dmawin_guest_mask_for_qemu_device(const char *type, unsigned *bits)
{
	if (!type || !bits)
		return -ENOENT;
	for (size_t i = 0; i < sizeof(qemu_masks) / sizeof(qemu_masks[0]); i++) {
		if (!strcmp(type, qemu_masks[i].type)) {
			*bits = qemu_masks[i].bits;
			return 0;
		}
	}
	return -ENOENT;
}
