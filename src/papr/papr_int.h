/* SPDX-License-Identifier: MIT */
/* Internals of the sPAPR machine: PHBs, window slots, notifier list, helpers shared by files. */
#ifndef DMAWIN_PAPR_INT_H
#define DMAWIN_PAPR_INT_H

#include <errno.h>
#include <pthread.h>

#include "common/compiler.h"
#include "dmawin/papr.h"

#define PAPR_TCE_PAGE_SHIFT	  12 /* SPAPR_TCE_PAGE_SHIFT: the default window and list pages */
#define PAPR_TCE_PAGE_SIZE	  (UINT64_C(1) << PAPR_TCE_PAGE_SHIFT)
#define PAPR_MAX_NB_TABLE	  UINT64_C(0xffffffff) /* QEMU's nb_table is a uint32_t */
#define PAPR_COMPAT_MIN		  200
#define PAPR_COMPAT_DDW_7_1	  701 /* 2M bit, 6-output query, auto-restore */
#define PAPR_QUERY5_LARGEST_BLOCK UINT64_C(0x80000000)
#define PAPR_QUERY6_LARGEST_BLOCK UINT64_C(0x2000000000) /* 1 << (58 - 21) */
#define PAPR_LIOBN_PCI		  0x80000000u
#define PAPR_MSI_WINDOW_SIZE	  UINT64_C(0x10000)
#define PAPR_LIMITED_ADDR_MIN	  UINT64_C(0x100000000) /* limited mode DDWs start above 4 GiB */

/* One slot of a PHB: LIOBN (index, n). Disabled when nb_table == 0. */
struct papr_window {
	uint32_t liobn;
	bool is_default; /* enabled by a DMA reset: this instance is the default window */
	uint64_t bus_offset;
	uint32_t page_shift;
	uint64_t nb_table;
	struct dmawin_tce_table *table; /* NULL when disabled */
};

struct papr_phb {
	struct dmawin_papr_phb_config cfg; /* buid filled in */
	struct papr_window win[DMAWIN_PAPR_MAX_WINDOWS];
	struct dmawin_phb *pe_phb; /* the pe layer's PHB ... */
	struct dmawin_pe *pe;	   /* ... and its only PE: QEMU's PE is the whole PHB */
	bool limited_addr;	   /* in limited addressing mode (cfg.ddw_limited_addr only) */
};

struct papr_notifier {
	dmawin_papr_notify_fn fn;
	void *opaque;
	int id; /* 0 = free slot */
};

struct dmawin_papr {
	struct dmawin_papr_config cfg;
	struct dmawin_mem *mem;
	bool own_mem;
	pthread_mutex_t lock; /* serialises hcalls, RTAS, reset, notifier changes, snapshots */
	struct papr_phb phbs[DMAWIN_PAPR_MAX_PHBS];
	int8_t pos_by_index[DMAWIN_PAPR_MAX_PHBS]; /* QEMU index -> position, -1 = none */
	struct papr_notifier notifiers[DMAWIN_PAPR_MAX_NOTIFIERS];
	unsigned nr_notifiers; /* live ones: the hot paths skip event building when 0 */
	int next_notifier_id;
	dmawin_papr_trace_fn trace_fn;
	void *trace_opaque;
};

/* config.c */
void papr_why(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* dimm.c: slots and DIMM placement of a configuration (dmawin_papr_config_check()). */
int papr_dimms_check(const struct dmawin_papr_config *cfg, char *why, size_t len);
uint64_t papr_phb_buid(const struct dmawin_papr_phb_config *phb);

/* pgsize.c: LoPAR query bit for a page shift (0 if none); the query mask of a PHB. */
uint32_t papr_page_shift_to_mask_bit(unsigned shift);
uint32_t papr_query_mask(const struct dmawin_papr *m, const struct papr_phb *phb);

/* machine.c: lookups (caller holds m->lock). */
struct papr_window *papr_find_liobn(struct dmawin_papr *m, uint64_t liobn, struct papr_phb **phb);
struct papr_phb *papr_find_buid(struct dmawin_papr *m, uint32_t buid_hi, uint32_t buid_lo);

/* window.c */
unsigned papr_phb_active_windows(const struct papr_phb *phb);
int papr_table_create(uint32_t page_shift, uint64_t nb_table, struct dmawin_tce_table **out);
int papr_window_enable(struct dmawin_papr *m, struct papr_phb *phb, struct papr_window *w,
		       struct dmawin_tce_table *table, uint64_t bus_offset, uint32_t page_shift,
		       uint64_t nb_table, bool is_default);
void papr_window_disable(struct dmawin_papr *m, struct papr_phb *phb, struct papr_window *w);
int papr_phb_dma_reset(struct dmawin_papr *m, struct papr_phb *phb);
int papr_phb_init(struct dmawin_papr *m, struct papr_phb *phb);
void papr_phb_fini(struct dmawin_papr *m, struct papr_phb *phb);

/* rtas.c: where a create would place a window in slot @w with @active windows enabled. */
uint64_t papr_window_start(const struct papr_phb *phb, const struct papr_window *w,
			   unsigned active);

/* notify.c (caller holds m->lock) */
void papr_notify(struct dmawin_papr *m, const struct dmawin_papr_event *ev);
void papr_notify_window(struct dmawin_papr *m, const struct papr_phb *phb,
			const struct papr_window *w, enum dmawin_papr_event_type type);
void papr_notify_entries(struct dmawin_papr *m, const struct papr_phb *phb,
			 const struct papr_window *w, uint64_t index, const uint64_t *tces,
			 uint64_t same_tce, uint64_t npages);
void papr_trace(struct dmawin_papr *m, struct dmawin_papr_trace *ev);

/* check.c: 0 when every invariant holds, else -(source line of the failed check). Tests only. */
int papr_check(struct dmawin_papr *m);

/* pe_glue.c: the PHB's PE in the pe layer mirrors the window slots. */
int papr_pe_init(struct dmawin_papr *m, struct papr_phb *phb);
void papr_pe_fini(struct dmawin_papr *m, struct papr_phb *phb);
int papr_pe_attach(struct dmawin_papr *m, struct papr_phb *phb, struct papr_window *w,
		   struct dmawin_tce_table *table, uint64_t bus_offset, uint32_t page_shift,
		   uint64_t nb_table);
void papr_pe_detach(struct dmawin_papr *m, struct papr_phb *phb, struct papr_window *w);
void papr_pe_eeh_reset(struct dmawin_papr *m, struct papr_phb *phb);
uint32_t papr_pe_eeh_state(struct dmawin_papr *m, const struct papr_phb *phb);
bool papr_pe_eeh_state_valid(uint32_t state);
int papr_pe_eeh_restore(struct dmawin_papr *m, struct papr_phb *phb, uint32_t state);
int papr_pe_config_check(const struct dmawin_papr_phb_config *c);

#endif
