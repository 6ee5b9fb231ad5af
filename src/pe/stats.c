/* SPDX-License-Identifier: MIT */
/* Statistics: per-device buckets (one per slot plus "no window") summed per PE and per slot. */
#include <errno.h>
#include <string.h>

#include "pe/pe_int.h"

void pe_bucket_read(const struct pe_bucket *b, struct pe_bucket *sum)
{
	sum->translations += __atomic_load_n(&b->translations, __ATOMIC_RELAXED);
	sum->iotlb_hits += __atomic_load_n(&b->iotlb_hits, __ATOMIC_RELAXED);
	sum->iotlb_misses += __atomic_load_n(&b->iotlb_misses, __ATOMIC_RELAXED);
	for (int i = 0; i < DMAWIN_PE_FAULT_COUNT; i++)
		sum->faults[i] += __atomic_load_n(&b->faults[i], __ATOMIC_RELAXED);
	sum->bytes_read += __atomic_load_n(&b->bytes_read, __ATOMIC_RELAXED);
	sum->bytes_written += __atomic_load_n(&b->bytes_written, __ATOMIC_RELAXED);
	sum->dma_ops += __atomic_load_n(&b->dma_ops, __ATOMIC_RELAXED);
}

void pe_bucket_to_stats(const struct pe_bucket *b, struct dmawin_pe_stats *out)
{
	*out = (struct dmawin_pe_stats){
		.translations = b->translations,
		.iotlb_hits = b->iotlb_hits,
		.iotlb_misses = b->iotlb_misses,
		.dma_ops = b->dma_ops,
		.bytes_read = b->bytes_read,
		.bytes_written = b->bytes_written,
	};
	memcpy(out->faults, b->faults, sizeof(out->faults));
}

static void bucket_sub(struct pe_bucket *a, const struct pe_bucket *b)
{
	a->translations -= b->translations;
	a->iotlb_hits -= b->iotlb_hits;
	a->iotlb_misses -= b->iotlb_misses;
	for (int i = 0; i < DMAWIN_PE_FAULT_COUNT; i++)
		a->faults[i] -= b->faults[i];
	a->bytes_read -= b->bytes_read;
	a->bytes_written -= b->bytes_written;
	a->dma_ops -= b->dma_ops;
}

int dmawin_pe_stats(struct dmawin_pe *pe, int slot, struct dmawin_pe_stats *out)
{
	struct pe_bucket sum = {0};

	if (!pe || !out || slot < DMAWIN_PE_ALL_SLOTS || slot >= DMAWIN_PE_MAX_WINDOWS)
		return -EINVAL;
	pthread_mutex_lock(&pe->lock);
	pe_reclaim_locked(pe);
	for (int i = 0; i < PE_BUCKETS; i++) {
		if (slot != DMAWIN_PE_ALL_SLOTS && slot != i)
			continue;
		pe_bucket_read(&pe->dead[i], &sum);
		for (struct dmawin_pe_dev *d = pe->devs; d; d = d->next)
			pe_bucket_read(&d->st[i], &sum);
	}
	if (slot != DMAWIN_PE_ALL_SLOTS) {
		if (pe->winset->win[slot].active)
			bucket_sub(&sum, &pe->slot_base[slot]);
		else
			memset(&sum, 0, sizeof(sum));
	}
	pthread_mutex_unlock(&pe->lock);
	pe_bucket_to_stats(&sum, out);
	return 0;
}
