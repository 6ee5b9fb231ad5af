/* SPDX-License-Identifier: MIT */
/*
 * Window slots of a PE: validation against the placement mode, copy-on-write publication of
 * the window set, apertures, and quiescent-state reclamation of replaced sets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pe/pe_int.h"

int pe_windows_init(struct dmawin_pe *pe)
{
	struct pe_winset *ws = calloc(1, sizeof(*ws));

	if (!ws)
		return -ENOMEM;
	pe->winset = ws;
	return 0;
}

void pe_winset_free(struct pe_winset *ws)
{
	for (int i = 0; i < DMAWIN_PE_MAX_WINDOWS; i++)
		if (ws->win[i].active && ws->win[i].table)
			dmawin_tce_unref(ws->win[i].table);
	free(ws);
}

void pe_windows_fini(struct dmawin_pe *pe)
{
	for (unsigned int i = 0; i < DMAWIN_PE_MAX_WINDOWS; i++) {
		free(pe->spare[i]);
		pe->spare[i] = NULL;
	}
	pe->nspare = 0;
	struct pe_winset *r = pe->retired;

	while (r) {
		struct pe_winset *next = r->retired_next;

		pe_winset_free(r);
		r = next;
	}
	pe->retired = NULL;
	if (pe->winset)
		pe_winset_free(pe->winset);
	pe->winset = NULL;
}

/* Make sure spare[nspare] is allocated (the caller counts it in on success). */
static int reserve_spare_locked(struct dmawin_pe *pe)
{
	if (pe->nspare >= DMAWIN_PE_MAX_WINDOWS)
		return -ENOMEM;
	if (!pe->spare[pe->nspare])
		pe->spare[pe->nspare] = malloc(sizeof(struct pe_winset));
	return pe->spare[pe->nspare] ? 0 : -ENOMEM;
}

/* Each set holds one reference on the table of each of its windows. */
static void winset_ref_tables(struct pe_winset *ws)
{
	for (int i = 0; i < DMAWIN_PE_MAX_WINDOWS; i++)
		if (ws->win[i].active && ws->win[i].table)
			dmawin_tce_ref(ws->win[i].table);
}

/* Free every retired set no device can still be reading. */
void pe_reclaim_locked(struct dmawin_pe *pe)
{
	uint64_t min_q = UINT64_MAX;
	struct pe_winset **link = &pe->retired;

	for (struct dmawin_pe_dev *d = pe->devs; d; d = d->next) {
		uint64_t q = __atomic_load_n(&d->quiescent, __ATOMIC_ACQUIRE);

		min_q = DW_MIN(min_q, q);
	}
	while (*link) {
		struct pe_winset *ws = *link;

		if (ws->retire_epoch <= min_q) {
			*link = ws->retired_next;
			pe_winset_free(ws);
		} else {
			link = &ws->retired_next;
		}
	}
}

/* Publish `next` in place of the current set, retire the old one and bump the epoch. */
static void publish_locked(struct dmawin_pe *pe, struct pe_winset *next)
{
	struct pe_winset *old = pe->winset;

	__atomic_store_n(&pe->winset, next, __ATOMIC_RELEASE);
	old->retire_epoch = pe_epoch_bump(pe);
	old->retired_next = pe->retired;
	pe->retired = old;
	pe_reclaim_locked(pe);
}

static bool is_aligned(uint64_t v, uint64_t align)
{
	return (v & (align - 1)) == 0;
}

/* Fill w's kind, geometry and bus range from cfg; the aperture comes later. */
static int win_from_config(const struct dmawin_pe_window_config *cfg, struct pe_win *w)
{
	struct dmawin_tce_info info;
	uint64_t align = PE_PAGE_4K, size = cfg->size;

	memset(w, 0, sizeof(*w));
	if (cfg->kind == DMAWIN_PE_WINDOW_TABLE) {
		if (!cfg->table || dmawin_tce_info(cfg->table, &info))
			return -EINVAL;
		align = info.page_size;
		if (size == 0)
			size = info.window_size;
		if (size > info.window_size)
			return -EINVAL;
		w->page_shift = info.page_shift;
		w->table = cfg->table;
		w->view = dmawin_tce_view(cfg->table);
	} else if (cfg->kind == DMAWIN_PE_WINDOW_BYPASS) {
		if (cfg->table)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (size == 0 || !is_aligned(size, align) || !is_aligned(cfg->bus_offset, align))
		return -EINVAL;
	if (__builtin_add_overflow(cfg->bus_offset, size - 1, &w->last))
		return -EINVAL;
	w->active = true;
	w->kind = cfg->kind;
	w->bus_offset = cfg->bus_offset;
	w->size = size;
	w->start = cfg->bus_offset;
	return 0;
}

/* 4GB mode: each slot serves its half of the bus space; clip the window to it. */
static int clip_4gb(unsigned int slot, struct pe_win *w)
{
	w->ap_start = slot == 0 ? 0 : DMAWIN_PE_4GB;
	w->ap_last = slot == 0 ? DMAWIN_PE_4GB - 1 : UINT64_MAX;
	if (w->start > w->ap_last || w->last < w->ap_start)
		return -EINVAL;
	w->start = DW_MAX(w->start, w->ap_start);
	w->last = DW_MIN(w->last, w->ap_last);
	return 0;
}

static bool overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 <= b1 && b0 <= a1;
}

/* Classic mode apertures: a table window is its own aperture; a bypass window's runs from its
 * offset up to the next window above it. Then check the windows stay apart. */
static int classic_apertures(struct pe_winset *ws)
{
	for (int i = 0; i < DMAWIN_PE_MAX_WINDOWS; i++) {
		struct pe_win *w = &ws->win[i];

		if (!w->active)
			continue;
		w->ap_start = w->start;
		w->ap_last = w->last;
		if (w->kind != DMAWIN_PE_WINDOW_BYPASS)
			continue;
		w->ap_last = UINT64_MAX;
		for (int j = 0; j < DMAWIN_PE_MAX_WINDOWS; j++)
			if (j != i && ws->win[j].active && ws->win[j].start > w->start)
				w->ap_last = DW_MIN(w->ap_last, ws->win[j].start - 1);
		if (w->last > w->ap_last)
			return -EEXIST;
	}
	return 0;
}

static int check_layout(const struct dmawin_phb_config *cfg, struct pe_winset *ws)
{
	const struct pe_win *a = &ws->win[0], *b = &ws->win[1];
	uint64_t msi_last = cfg->msi_win_addr + (cfg->msi_win_size - 1);

	if (cfg->placement == DMAWIN_PE_PLACEMENT_CLASSIC && classic_apertures(ws))
		return -EEXIST;
	if (a->active && b->active && overlap(a->ap_start, a->ap_last, b->ap_start, b->ap_last))
		return -EEXIST;
	for (int i = 0; i < DMAWIN_PE_MAX_WINDOWS; i++) {
		const struct pe_win *w = &ws->win[i];

		if (w->active && cfg->msi_win_size &&
		    overlap(w->start, w->last, cfg->msi_win_addr, msi_last))
			return -EEXIST;
	}
	return 0;
}

static void slot_totals_locked(struct dmawin_pe *pe, unsigned int slot, struct pe_bucket *sum)
{
	pe_bucket_read(&pe->dead[slot], sum);
	for (struct dmawin_pe_dev *d = pe->devs; d; d = d->next)
		pe_bucket_read(&d->st[slot], sum);
}

int dmawin_pe_set_window(struct dmawin_pe *pe, unsigned int slot,
			 const struct dmawin_pe_window_config *cfg)
{
	const struct dmawin_phb_config *pcfg;
	struct pe_winset *next;
	struct pe_win w;
	int ret;

	if (!pe || !cfg || slot >= DMAWIN_PE_MAX_WINDOWS)
		return -EINVAL;
	pcfg = &pe->phb->cfg;
	pthread_mutex_lock(&pe->lock);
	ret = pe->winset->win[slot].active ? -EBUSY : win_from_config(cfg, &w);
	if (!ret && pcfg->placement == DMAWIN_PE_PLACEMENT_4GB)
		ret = clip_4gb(slot, &w);
	/* The new set, and the spare that a later unset of this window will use. */
	next = ret ? NULL : malloc(sizeof(*next));
	if (!ret && (!next || reserve_spare_locked(pe)))
		ret = -ENOMEM;
	if (!ret) {
		*next = *pe->winset;
		next->win[slot] = w;
		ret = check_layout(pcfg, next);
	}
	if (ret) {
		free(next);
		pthread_mutex_unlock(&pe->lock);
		return ret;
	}
	pe->nspare++;
	winset_ref_tables(next);
	memset(&pe->slot_base[slot], 0, sizeof(pe->slot_base[slot]));
	slot_totals_locked(pe, slot, &pe->slot_base[slot]);
	publish_locked(pe, next);
	pthread_mutex_unlock(&pe->lock);
	return 0;
}

int dmawin_pe_unset_window(struct dmawin_pe *pe, unsigned int slot)
{
	struct pe_winset *next;

	if (!pe || slot >= DMAWIN_PE_MAX_WINDOWS)
		return -EINVAL;
	pthread_mutex_lock(&pe->lock);
	if (!pe->winset->win[slot].active) {
		pthread_mutex_unlock(&pe->lock);
		return -ENOENT;
	}
	next = pe->spare[--pe->nspare];
	pe->spare[pe->nspare] = NULL;
	*next = *pe->winset;
	memset(&next->win[slot], 0, sizeof(next->win[slot]));
	winset_ref_tables(next);
	/* The slot's own classic aperture may widen a bypass window: recompute. */
	if (pe->phb->cfg.placement == DMAWIN_PE_PLACEMENT_CLASSIC)
		classic_apertures(next);
	publish_locked(pe, next);
	pe_dma_barrier_locked(pe);
	pthread_mutex_unlock(&pe->lock);
	return 0;
}

static void win_info(unsigned int slot, const struct pe_win *w, struct dmawin_pe_window_info *out)
{
	*out = (struct dmawin_pe_window_info){
		.slot = slot,
		.kind = w->kind,
		.table = w->table,
		.bus_offset = w->bus_offset,
		.size = w->size,
		.page_shift = w->page_shift,
		.entries = w->kind == DMAWIN_PE_WINDOW_TABLE ? w->size >> w->page_shift : 0,
		.start = w->start,
		.last = w->last,
		.aperture_start = w->ap_start,
		.aperture_last = w->ap_last,
	};
}

int dmawin_pe_window_info(struct dmawin_pe *pe, unsigned int slot,
			  struct dmawin_pe_window_info *out)
{
	int ret = -ENOENT;

	if (!pe || !out || slot >= DMAWIN_PE_MAX_WINDOWS)
		return -EINVAL;
	pthread_mutex_lock(&pe->lock);
	pe_reclaim_locked(pe);
	if (pe->winset->win[slot].active) {
		win_info(slot, &pe->winset->win[slot], out);
		ret = 0;
	}
	pthread_mutex_unlock(&pe->lock);
	return ret;
}

int dmawin_pe_window_find(struct dmawin_pe *pe, uint64_t bus_addr, unsigned int *slot)
{
	int ret = -ENOENT;

	if (!pe || !slot)
		return -EINVAL;
	pthread_mutex_lock(&pe->lock);
	for (unsigned int i = 0; i < DMAWIN_PE_MAX_WINDOWS; i++) {
		const struct pe_win *w = &pe->winset->win[i];

		if (w->active && bus_addr >= w->start && bus_addr <= w->last) {
			*slot = i;
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&pe->lock);
	return ret;
}

unsigned int dmawin_pe_window_count(struct dmawin_pe *pe)
{
	unsigned int n = 0;

	if (!pe)
		return 0;
	pthread_mutex_lock(&pe->lock);
	for (int i = 0; i < DMAWIN_PE_MAX_WINDOWS; i++)
		n += pe->winset->win[i].active;
	pthread_mutex_unlock(&pe->lock);
	return n;
}

void dmawin_pe_iotlb_invalidate(struct dmawin_pe *pe)
{
	if (!pe)
		return;
	pthread_mutex_lock(&pe->lock);
	pe_epoch_bump(pe);
	pe_dma_barrier_locked(pe);
	pe_reclaim_locked(pe);
	pthread_mutex_unlock(&pe->lock);
}
