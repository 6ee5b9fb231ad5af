/* SPDX-License-Identifier: MIT */
/* PHBs and their PEs: creation, lookup, destruction. */
#include <errno.h>
#include <stdlib.h>

#include "pe/pe_int.h"

int dmawin_pe_phb_create(const struct dmawin_phb_config *cfg, struct dmawin_mem *mem,
			 struct dmawin_phb **out)
{
	struct dmawin_phb_config def;
	struct dmawin_phb *phb;

	if (!cfg) {
		dmawin_pe_phb_config_init(&def);
		cfg = &def;
	}
	if (!mem || !out || dmawin_pe_phb_config_check(cfg))
		return -EINVAL;
	phb = calloc(1, sizeof(*phb));
	if (!phb)
		return -ENOMEM;
	phb->pes = calloc(cfg->max_pes, sizeof(*phb->pes));
	if (!phb->pes) {
		free(phb);
		return -ENOMEM;
	}
	phb->cfg = *cfg;
	phb->mem = mem;
	pthread_mutex_init(&phb->lock, NULL);
	*out = phb;
	return 0;
}

static void pe_free(struct dmawin_pe *pe)
{
	struct dmawin_pe_dev *dev = pe->devs;

	while (dev) {
		struct dmawin_pe_dev *next = dev->next;

		free(dev->iotlb);
		free(dev);
		dev = next;
	}
	pe->devs = NULL;
	pe->ndevs = 0;
	pe_windows_fini(pe);
	pthread_mutex_destroy(&pe->lock);
	free(pe);
}

void dmawin_pe_phb_destroy(struct dmawin_phb *phb)
{
	if (!phb)
		return;
	for (uint32_t i = 0; i < phb->cfg.max_pes; i++)
		if (phb->pes[i])
			pe_free(phb->pes[i]);
	pthread_mutex_destroy(&phb->lock);
	free(phb->pes);
	free(phb);
}

void dmawin_pe_phb_config(const struct dmawin_phb *phb, struct dmawin_phb_config *out)
{
	if (phb && out)
		*out = phb->cfg;
}

struct dmawin_mem *dmawin_pe_phb_mem(const struct dmawin_phb *phb)
{
	return phb ? phb->mem : NULL;
}

int dmawin_pe_window_placement(const struct dmawin_phb *phb, unsigned int slot,
			       uint64_t *bus_offset)
{
	if (!phb || !bus_offset || slot >= DMAWIN_PE_MAX_WINDOWS)
		return -EINVAL;
	if (slot == 1)
		*bus_offset = phb->cfg.dma64_win_addr;
	else if (phb->cfg.placement == DMAWIN_PE_PLACEMENT_4GB)
		*bus_offset = 0;
	else
		*bus_offset = phb->cfg.dma_win_addr;
	return 0;
}

int dmawin_pe_create(struct dmawin_phb *phb, uint32_t number, struct dmawin_pe **out)
{
	struct dmawin_pe *pe;
	int ret;

	if (!phb || !out || number >= phb->cfg.max_pes)
		return -EINVAL;
	pe = aligned_alloc(64, sizeof(*pe));
	if (!pe)
		return -ENOMEM;
	*pe = (struct dmawin_pe){.phb = phb, .number = number, .epoch = 1};
	pe->eeh = PE_EEH_ENABLED;
	pe->freeze_on_fault = phb->cfg.freeze_on_fault;
	ret = pe_windows_init(pe);
	if (ret) {
		free(pe);
		return ret;
	}
	pthread_mutex_init(&pe->lock, NULL);
	pthread_mutex_lock(&phb->lock);
	if (phb->pes[number]) {
		pthread_mutex_unlock(&phb->lock);
		pe_windows_fini(pe);
		pthread_mutex_destroy(&pe->lock);
		free(pe);
		return -EEXIST;
	}
	phb->pes[number] = pe;
	pthread_mutex_unlock(&phb->lock);
	*out = pe;
	return 0;
}

int dmawin_pe_destroy(struct dmawin_pe *pe)
{
	struct dmawin_phb *phb;

	if (!pe)
		return 0;
	phb = pe->phb;
	pthread_mutex_lock(&pe->lock);
	if (pe->ndevs) {
		pthread_mutex_unlock(&pe->lock);
		return -EBUSY;
	}
	pthread_mutex_unlock(&pe->lock);
	pthread_mutex_lock(&phb->lock);
	phb->pes[pe->number] = NULL;
	pthread_mutex_unlock(&phb->lock);
	pe_free(pe);
	return 0;
}

struct dmawin_pe *dmawin_pe_find(struct dmawin_phb *phb, uint32_t number)
{
	struct dmawin_pe *pe = NULL;

	if (!phb || number >= phb->cfg.max_pes)
		return NULL;
	pthread_mutex_lock(&phb->lock);
	pe = phb->pes[number];
	pthread_mutex_unlock(&phb->lock);
	return pe;
}

uint32_t dmawin_pe_number(const struct dmawin_pe *pe)
{
	return pe ? pe->number : 0;
}

struct dmawin_phb *dmawin_pe_phb(const struct dmawin_pe *pe)
{
	return pe ? pe->phb : NULL;
}
