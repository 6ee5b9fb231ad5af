/* SPDX-License-Identifier: MIT */
/*
 * Internals of the pe layer.
 *
 * The window set of a PE is an immutable snapshot (struct pe_winset) published with a release
 * store and read by devices with an acquire load, no lock. Every change (window set/unset, EEH
 * freeze, explicit invalidation) bumps pe->epoch after publishing; IOTLB entries carry the epoch
 * they were filled at and are served only while it is current and their table's generation is
 * unchanged.
 *
 * Reclamation is quiescent-state based: a device announces, at the end of each of its calls, the
 * epoch it reads then (release store to dev->quiescent). A snapshot replaced at epoch E (the
 * value after the bump) is freed, with its table references, once every device announced >= E:
 * each of them has finished every access that could have seen the old snapshot. Reclaim runs
 * under pe->lock from every locked PE call.
 *
 * In-flight DMA: a DMA call makes dev->dma_seq odd with a read-modify-write before its first
 * translation and even when it returns. pe_dma_barrier_locked() reads each counter with a
 * read-modify-write too (fetch_add 0) and waits while it stays odd. Two RMWs on one location are
 * totally ordered: if the device's comes first, the barrier sees it in flight and waits; if the
 * barrier's comes first, the device's RMW reads from it, so everything the remover wrote before
 * the barrier (the TCE, the window set, the EEH word) happens-before the device's translations.
 * No fence is needed (GCC's ThreadSanitizer does not support fences).
 */
#ifndef DMAWIN_PE_INT_H
#define DMAWIN_PE_INT_H

#include <pthread.h>

#include "common/compiler.h"
#include "dmawin/pe.h"

#define PE_PAGE_4K UINT64_C(4096)
#define PE_NO_SLOT 2 /* statistics bucket of accesses that selected no window */
#define PE_BUCKETS 3

/* EEH state word bits (pe->eeh, atomic). */
#define PE_EEH_ENABLED	    0x01u
#define PE_EEH_MMIO_FROZEN  0x02u
#define PE_EEH_DMA_FROZEN   0x04u
#define PE_EEH_RESET	    0x08u
#define PE_EEH_UNCONFIGURED 0x10u /* reset released, configure not yet done */
#define PE_EEH_ARMED	    0x20u /* an injected DMA error waits for a matching access */
#define PE_EEH_BLOCK	    (PE_EEH_DMA_FROZEN | PE_EEH_RESET | PE_EEH_UNCONFIGURED)

struct pe_win {
	bool active;
	enum dmawin_pe_window_kind kind;
	unsigned int page_shift; /* 0 for bypass */
	uint64_t bus_offset;
	uint64_t size;
	uint64_t start, last;		/* translated bus range, last inclusive */
	uint64_t ap_start, ap_last;	/* aperture, last inclusive */
	struct dmawin_tce_table *table; /* one reference held by the snapshot */
	const struct dmawin_tce_view *view;
};

struct pe_winset {
	struct pe_win win[DMAWIN_PE_MAX_WINDOWS];
	uint64_t retire_epoch;
	struct pe_winset *retired_next;
};

struct pe_iotlb_entry {
	uint64_t epoch; /* 0: empty (epochs start at 1) */
	uint64_t bus;	/* bus address of the IOMMU page */
	uint64_t mask;	/* page size - 1 */
	uint64_t gpa;	/* guest-physical address of the page */
	const uint64_t *gen_ptr;
	uint64_t gen;
	uint64_t tce;
	uint32_t perm;
	uint8_t slot;
	uint8_t page_shift;
};

struct pe_bucket {
	uint64_t translations;
	uint64_t iotlb_hits;
	uint64_t iotlb_misses;
	uint64_t faults[DMAWIN_PE_FAULT_COUNT];
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t dma_ops;
};

struct dmawin_pe_dev {
	struct dmawin_pe *pe;
	struct dmawin_mem *mem;
	struct pe_iotlb_entry *iotlb; /* NULL: no IOTLB */
	uint64_t iotlb_mask;
	uint64_t quiescent; /* atomic: epoch announced at the end of the last call */
	uint64_t dma_seq;   /* atomic: odd while a DMA call is in flight */
	struct dmawin_pe_dev *next;
	/* Single writer (the device's thread), relaxed atomics so that stats may read them. */
	struct pe_bucket st[PE_BUCKETS];
	struct dmawin_pe_fault_info last_fault;
	bool has_fault;
};

struct pe_eeh_counters {
	uint64_t freezes, fault_freezes, injections, injection_freezes;
	uint64_t thaws, resets, configures, dma_blocked;
};

struct dmawin_pe {
	/* Read by every device access: kept on their own lines. */
	uint64_t epoch __attribute__((aligned(64)));
	struct pe_winset *winset; /* atomic pointer */
	uint32_t eeh;		  /* atomic PE_EEH_* word */
	uint32_t freeze_on_fault; /* atomic bool */
	uint32_t inj_func;	  /* atomic; published before PE_EEH_ARMED */
	uint64_t inj_addr, inj_mask;

	struct dmawin_phb *phb __attribute__((aligned(64)));
	uint32_t number;
	pthread_mutex_t lock;
	struct pe_winset *retired; /* lock */
	/* lock: preallocated sets, at least one per set window, so that unset never allocates */
	struct pe_winset *spare[DMAWIN_PE_MAX_WINDOWS];
	unsigned int nspare;
	struct dmawin_pe_dev *devs;	   /* lock */
	unsigned int ndevs;		   /* lock */
	struct pe_bucket dead[PE_BUCKETS]; /* lock: gone devices, device-less calls */
	struct pe_bucket slot_base[DMAWIN_PE_MAX_WINDOWS]; /* lock: slot totals when it was set */
	struct pe_eeh_counters eehc;			   /* atomics */
};

struct dmawin_phb {
	struct dmawin_phb_config cfg;
	struct dmawin_mem *mem;
	pthread_mutex_t lock; /* PE table */
	struct dmawin_pe **pes;
};

/* ---- counters ---- */
static inline void pe_ctr_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

static inline void pe_atomic_inc(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

void pe_bucket_read(const struct pe_bucket *b, struct pe_bucket *sum);
void pe_bucket_to_stats(const struct pe_bucket *b, struct dmawin_pe_stats *out);

/* ---- window sets (window.c) ---- */
static inline const struct pe_winset *pe_winset_load(const struct dmawin_pe *pe)
{
	return __atomic_load_n(&pe->winset, __ATOMIC_ACQUIRE);
}

static inline uint64_t pe_epoch_load(const struct dmawin_pe *pe)
{
	return __atomic_load_n(&pe->epoch, __ATOMIC_ACQUIRE);
}

/* The slot whose aperture holds addr, or -1. */
static inline int pe_win_select(const struct pe_winset *ws, uint64_t addr)
{
	for (int i = 0; i < DMAWIN_PE_MAX_WINDOWS; i++) {
		const struct pe_win *w = &ws->win[i];

		if (w->active && addr - w->ap_start <= w->ap_last - w->ap_start)
			return i;
	}
	return -1;
}

/* Bump the epoch (after publishing a change); returns the new value. */
static inline uint64_t pe_epoch_bump(struct dmawin_pe *pe)
{
	return __atomic_add_fetch(&pe->epoch, 1, __ATOMIC_SEQ_CST);
}

void pe_reclaim_locked(struct dmawin_pe *pe);
void pe_winset_free(struct pe_winset *ws);
int pe_windows_init(struct dmawin_pe *pe);
void pe_windows_fini(struct dmawin_pe *pe);

/* ---- translation (xlate.c) ---- */
/* The slow path: EEH, injection, window selection, table walk. `epoch` is the value loaded
 * before `ws`; when `fill` is non-NULL and the result may be cached, it is filled. */
int pe_xlate_slow(struct dmawin_pe *pe, const struct pe_winset *ws, uint64_t epoch, uint64_t addr,
		  enum dmawin_pe_dir dir, struct dmawin_pe_xlate *out, struct pe_iotlb_entry *fill);
/* Count one translation (and its fault) in the bucket of its slot. */
void pe_count_xlate(struct pe_bucket *st, const struct dmawin_pe_xlate *xl, bool miss);
/* Freeze MMIO and DMA if EEH allows; true when this call made the PE frozen. */
bool pe_eeh_freeze_now(struct dmawin_pe *pe);

/* Device announces a quiescent state (end of each public device call). */
static inline void pe_dev_quiesce(struct dmawin_pe_dev *dev)
{
	__atomic_store_n(&dev->quiescent, pe_epoch_load(dev->pe), __ATOMIC_RELEASE);
}

/* A DMA call starts: the counter turns odd by a read-modify-write before any translation. */
static inline void pe_dev_dma_enter(struct dmawin_pe_dev *dev)
{
	__atomic_fetch_add(&dev->dma_seq, 1, __ATOMIC_ACQ_REL);
}

/* The barrier's read-modify-write only ever rewrites the value it read, so a plain increment
 * by the owner cannot lose it. */
static inline void pe_dev_dma_exit(struct dmawin_pe_dev *dev)
{
	__atomic_store_n(&dev->dma_seq, __atomic_load_n(&dev->dma_seq, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
}

/* Wait until no DMA call that may have seen the state before this call is still running. */
void pe_dma_barrier_locked(struct dmawin_pe *pe);

/* ---- checks (check.c), for tests ---- */
/* Whole-structure invariants of a PE; 0 or a negative number naming the broken rule. */
int dw_pe_check(struct dmawin_pe *pe);

#endif
