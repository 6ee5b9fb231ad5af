/* SPDX-License-Identifier: MIT */
/*
 * dmawin/pe.h - PHBs, Partitionable Endpoints, DMA windows, translation, device DMA, IOTLB, EEH.
 *
 * Concepts
 *  - A PHB (PCI host bridge, `struct dmawin_phb`) owns PEs and knows the guest RAM (`mem`) its
 *    devices DMA into. Its configuration fixes the window placement mode for every PE on it:
 *      DMAWIN_PE_PLACEMENT_CLASSIC  windows sit where they are put (QEMU, PowerNV mainline): the
 *        32-bit window at dma_win_addr (0), the 64-bit one at dma64_win_addr (default 1 << 59,
 *        any value QEMU's property accepts: page-aligned, above the 32-bit window);
 *      DMAWIN_PE_PLACEMENT_4GB  the "huge window at 4GB" of seed 000 (POWER9 GTE4GB): slot 0
 *        serves bus addresses below 4 GiB and slot 1 those at or above 4 GiB, whatever their
 *        tables' bus offsets; dma64_win_addr must be 4 GiB. Slot 1's table may be based at bus 0
 *        (the host's view: a table of roundup_pow_of_two(W + 4G) whose first 4 GiB are unused)
 *        or at 4 GiB (QEMU's guest view); both translate the same addresses the same way.
 *  - A PE (`struct dmawin_pe`, numbered 0 .. max_pes - 1 on its PHB; QEMU has one PE for the
 *    whole PHB) has DMAWIN_PE_MAX_WINDOWS (2) window slots, the TVEs. A slot is empty or holds:
 *      a table window: a TCE table (refcounted, possibly shared with other PEs, seed 002) whose
 *        entry 0 translates bus address `bus_offset`, covering `size` bytes (default: the
 *        table's whole window);
 *      a bypass window: no table; bus address A in [bus_offset, bus_offset + size) goes to
 *        guest-physical A - bus_offset with read and write allowed (PowerNV's TVE#1 real-mode
 *        bypass at 1 << 59, or PHB3's bypass at 4 GiB); `size` is its limit.
 *  - The aperture of a window is the bus range that selects it: the window itself for a table
 *    window in classic mode; [0, 4 GiB) or [4 GiB, 2^64) by slot in 4GB mode; for a bypass
 *    window in classic mode, from bus_offset up to the next window or the end of the bus space
 *    (hardware selects the bypass TVE by a high address bit, then checks the limit). An address
 *    inside no aperture faults with DMAWIN_PE_FAULT_NO_WINDOW; inside an aperture but outside
 *    what its window translates, with DMAWIN_PE_FAULT_BEYOND_WINDOW. Windows never overlap each
 *    other nor the PHB's MSI window.
 *  - Translation is QEMU's rule (spec §6): index = (addr - bus_offset) >> page_shift,
 *    gpa = (tce & ~(2^page_shift - 1)) | (addr & (2^page_shift - 1)); a device read of memory
 *    (DMAWIN_PE_DMA_READ) needs TCE bit 0 (DMAWIN_TCE_READ), a write needs bit 1. An entry with
 *    neither bit faults with DMAWIN_PE_FAULT_INVALID; one lacking the needed bit with
 *    DMAWIN_PE_FAULT_PERMISSION. TCE writes through the tce layer are visible to the next
 *    translation at once: pe keeps no copy of any entry except in an IOTLB, which is checked
 *    against the table generation on every hit.
 *  - A device handle (`struct dmawin_pe_dev`) is a DMA engine of one PE: it translates, moves
 *    bytes between a buffer and guest RAM page by page (crossing TCEs; a fault stops the transfer
 *    after the bytes of the pages before it), keeps per-device counters and, optionally, an IOTLB
 *    of `iotlb_entries` entries (0, the default, as QEMU: no cache). An IOTLB entry is served only
 *    while the PE's configuration epoch (bumped by every window change, EEH freeze and explicit
 *    invalidation) and the table generation (bumped by the tce layer whenever a mapping is
 *    removed or changed) are both unchanged: once an unmap, window removal or freeze has
 *    returned, no device serves the old translation; dmawin_pe_dma_barrier() also waits for
 *    transfers that translated before the change and are still copying.
 *  - EEH, per PE, modelled on PAPR/Linux (VFIO_EEH_PE_* ops): states NORMAL, STOPPED (MMIO and
 *    DMA frozen), STOPPED_DMA (MMIO thawed, DMA still frozen), RESET (reset asserted), UNAVAIL
 *    (EEH disabled, or MMIO frozen with DMA thawed). A freeze comes from dmawin_pe_eeh_freeze(),
 *    from an injected error (MMIO/config functions freeze at once; DMA functions arm a trigger
 *    that freezes the PE on the next matching DMA) or, when the PE's freeze_on_fault policy is on
 *    (PowerNV hardware behaviour; off by default because QEMU's emulated devices never freeze),
 *    from a DMA fault. While DMA is frozen, while reset is asserted and after a reset until
 *    dmawin_pe_eeh_configure(), every DMA of the PE fails with -EIO (DMAWIN_PE_FAULT_FROZEN).
 *  - Statistics: per device, per PE (every device that has existed plus device-less
 *    translations), per window slot (since the window was set): translations, IOTLB hits and
 *    misses, faults by reason, bytes moved each way.
 *
 * Concurrency
 *  - PHB create/destroy, PE create/destroy and device create/destroy are not concurrent with any
 *    use of the objects they create or destroy. dmawin_pe_find() may run concurrently with PE
 *    creation (PHB mutex).
 *  - Window set/unset, EEH operations, dmawin_pe_translate(), stats and info calls serialise on
 *    the PE's mutex and may run in any thread concurrently with DMA on that PE's devices.
 *  - A device handle is used by one thread at a time (it is a DMA engine: its IOTLB and counters
 *    have a single writer); use one handle per thread. Device translation and DMA take no lock:
 *    the window set is published copy-on-write and read with acquire loads; the old set (and its
 *    table references) is freed once every device of the PE has finished a call started before
 *    the change (quiescent-state reclamation), checked by every PE call that takes the mutex. A
 *    device that stays idle delays that until it makes a call or is destroyed; a PE with no
 *    device frees at once.
 *  - TCE tables may be written (tce layer) in any thread at any time, concurrently with DMA.
 */
#ifndef DMAWIN_PE_H
#define DMAWIN_PE_H

#include "dmawin/dmawin.h"
#include "dmawin/mem.h"
#include "dmawin/tce.h"

DMAWIN_BEGIN_DECLS

struct dmawin_phb;
struct dmawin_pe;
struct dmawin_pe_dev;

#define DMAWIN_PE_MAX_WINDOWS		 2     /* TVEs per PE (IOMMU_TABLE_GROUP_MAX_TABLES) */
#define DMAWIN_PE_MAX_PES		 65536 /* upper bound of dmawin_phb_config.max_pes */
#define DMAWIN_PE_MAX_IOTLB		 65536 /* upper bound of iotlb_entries */
#define DMAWIN_PE_4GB			 (UINT64_C(1) << 32)	 /* the 4GB mode's slot boundary */
#define DMAWIN_PE_DEFAULT_DMA_WIN_SIZE	 (UINT64_C(1) << 30)	 /* QEMU dma_win_size: 1 GiB */
#define DMAWIN_PE_DEFAULT_DMA64_WIN_ADDR (UINT64_C(1) << 59)	 /* QEMU dma64_win_addr */
#define DMAWIN_PE_DEFAULT_MSI_WIN_ADDR	 UINT64_C(0x40000000000) /* SPAPR_PCI_MSI_WINDOW, 4 TiB */
#define DMAWIN_PE_DEFAULT_MSI_WIN_SIZE	 UINT64_C(0x10000)
#define DMAWIN_PE_ALL_SLOTS		 (-1) /* dmawin_pe_stats(): the whole PE */

enum dmawin_pe_placement {
	DMAWIN_PE_PLACEMENT_CLASSIC = 0, /* windows where they are put (QEMU, PowerNV mainline) */
	DMAWIN_PE_PLACEMENT_4GB = 1,	 /* slot by address below / above 4 GiB (seed 000) */
};

/* Direction of a device access, as QEMU's `1 << is_write` permission test. */
enum dmawin_pe_dir {
	DMAWIN_PE_DMA_READ = 0,	 /* the device reads guest memory: needs DMAWIN_TCE_READ */
	DMAWIN_PE_DMA_WRITE = 1, /* the device writes guest memory: needs DMAWIN_TCE_WRITE */
};

enum dmawin_pe_fault {
	DMAWIN_PE_FAULT_NONE = 0,
	DMAWIN_PE_FAULT_NO_WINDOW = 1,	   /* the address is in no window's aperture */
	DMAWIN_PE_FAULT_BEYOND_WINDOW = 2, /* in an aperture, beyond its table or bypass limit */
	DMAWIN_PE_FAULT_INVALID = 3,	   /* the TCE has neither R nor W */
	DMAWIN_PE_FAULT_PERMISSION = 4,	   /* the TCE lacks the bit this direction needs */
	DMAWIN_PE_FAULT_FROZEN = 5,	   /* EEH: DMA frozen, reset asserted or not configured */
	DMAWIN_PE_FAULT_NOT_RAM = 6,	   /* the translated guest-physical page is not RAM */
};
#define DMAWIN_PE_FAULT_COUNT 7

enum dmawin_pe_window_kind {
	DMAWIN_PE_WINDOW_TABLE = 0,  /* translated by a TCE table */
	DMAWIN_PE_WINDOW_BYPASS = 1, /* gpa = bus address - bus_offset, up to the limit */
};

/* EEH states: the values of VFIO_EEH_PE_GET_STATE / Linux EEH_PE_STATE_*. */
enum dmawin_pe_eeh_state {
	DMAWIN_PE_EEH_NORMAL = 0,
	DMAWIN_PE_EEH_RESET = 1,
	DMAWIN_PE_EEH_STOPPED = 2,     /* MMIO and DMA frozen */
	DMAWIN_PE_EEH_STOPPED_DMA = 4, /* MMIO thawed, DMA frozen */
	DMAWIN_PE_EEH_UNAVAIL = 5,
};

/* dmawin_pe_eeh_thaw() options: Linux EEH_OPT_THAW_MMIO / EEH_OPT_THAW_DMA. */
enum dmawin_pe_eeh_thaw {
	DMAWIN_PE_EEH_THAW_MMIO = 2,
	DMAWIN_PE_EEH_THAW_DMA = 3,
};

/* dmawin_pe_eeh_reset() options: Linux EEH_RESET_*. */
enum dmawin_pe_eeh_reset {
	DMAWIN_PE_EEH_RESET_DEACTIVATE = 0,
	DMAWIN_PE_EEH_RESET_HOT = 1,
	DMAWIN_PE_EEH_RESET_FUNDAMENTAL = 3,
};

/* Error injection (Linux EEH_ERR_TYPE_* / EEH_ERR_FUNC_*, struct vfio_eeh_pe_err). */
#define DMAWIN_PE_EEH_ERR_TYPE_32	     0u
#define DMAWIN_PE_EEH_ERR_TYPE_64	     1u
#define DMAWIN_PE_EEH_ERR_FUNC_LD_MEM_ADDR   0u /* 0..11: MMIO, I/O and config loads/stores */
#define DMAWIN_PE_EEH_ERR_FUNC_ST_CFG_DATA   11u
#define DMAWIN_PE_EEH_ERR_FUNC_DMA_RD_ADDR   12u /* 12..15: device reads of memory */
#define DMAWIN_PE_EEH_ERR_FUNC_DMA_RD_TARGET 15u
#define DMAWIN_PE_EEH_ERR_FUNC_DMA_WR_ADDR   16u /* 16..19: device writes of memory */
#define DMAWIN_PE_EEH_ERR_FUNC_DMA_WR_TARGET 19u
#define DMAWIN_PE_EEH_ERR_FUNC_MAX	     19u

/**
 * struct dmawin_phb_config - a PHB's placement and policy. dmawin_pe_phb_config_init() fills
 * QEMU's defaults; a zeroed struct is not a valid configuration.
 */
struct dmawin_phb_config {
	enum dmawin_pe_placement placement;
	uint64_t dma_win_addr;	 /* the 32-bit window's bus address (QEMU dma_win_addr, 0) */
	uint64_t dma_win_size;	 /* its size (QEMU dma_win_size, 1 GiB) */
	uint64_t dma64_win_addr; /* the 64-bit window's bus address (1 << 59; 4GB mode: 4 GiB) */
	uint64_t msi_win_addr;	 /* bus range no window may cover; size 0: none */
	uint64_t msi_win_size;
	uint32_t max_pes;     /* PE numbers 0 .. max_pes - 1 (1 .. DMAWIN_PE_MAX_PES) */
	bool freeze_on_fault; /* default EEH policy of new PEs (QEMU: false) */
};

/**
 * struct dmawin_pe_window_config - what dmawin_pe_set_window() puts in a slot.
 * @kind: table or bypass.
 * @table: the TCE table (table kind; pe takes its own reference); NULL for bypass.
 * @bus_offset: bus address translated by entry 0 (table) or mapped to gpa 0 (bypass); aligned
 *   to the table's page size (table) or 4 KiB (bypass).
 * @size: bytes of bus space from @bus_offset the window translates: table kind, 0 = the table's
 *   whole window, else a multiple of its page size not above it; bypass, the limit (> 0,
 *   multiple of 4 KiB).
 */
struct dmawin_pe_window_config {
	enum dmawin_pe_window_kind kind;
	struct dmawin_tce_table *table;
	uint64_t bus_offset;
	uint64_t size;
};

/** struct dmawin_pe_window_info - a set window, as dmawin_pe_window_info() describes it. */
struct dmawin_pe_window_info {
	unsigned int slot;
	enum dmawin_pe_window_kind kind;
	struct dmawin_tce_table
		*table; /* borrowed: valid while the window stays set; NULL bypass */
	uint64_t bus_offset;
	uint64_t size;
	unsigned int page_shift; /* the table's; 0 for bypass */
	uint64_t entries;	 /* size >> page_shift; 0 for bypass */
	uint64_t start,
		last; /* bus range translated (last inclusive): the window in the aperture */
	uint64_t aperture_start, aperture_last; /* bus range selecting this slot (last inclusive) */
};

/**
 * struct dmawin_pe_xlate - the result of a translation.
 * @gpa: guest-physical address of the byte at the bus address.
 * @len: bytes from there to the end of its IOMMU page (bypass: to the window limit).
 * @tce: the entry used (0 for bypass, or when the fault came before reading one).
 * @slot: the window slot used (-1 when no window was selected).
 * @page_shift: the window's page shift (0 for bypass).
 * @fault: DMAWIN_PE_FAULT_NONE on success, else why not.
 */
struct dmawin_pe_xlate {
	uint64_t gpa;
	uint64_t len;
	uint64_t tce;
	int slot;
	unsigned int page_shift;
	enum dmawin_pe_fault fault;
};

/** struct dmawin_pe_fault_info - the last fault of a device (dmawin_pe_dev_last_fault()). */
struct dmawin_pe_fault_info {
	enum dmawin_pe_fault reason;
	enum dmawin_pe_dir dir;
	int slot;	   /* -1 when no window was selected */
	uint64_t bus_addr; /* the first byte that could not be moved */
	uint64_t tce;	   /* the entry read, when one was */
};

/** struct dmawin_pe_sg - one element of a scatter-gather list of bus ranges. */
struct dmawin_pe_sg {
	uint64_t bus_addr;
	uint64_t len;
};

/** struct dmawin_pe_dev_config - a device handle's options; NULL = all zero. */
struct dmawin_pe_dev_config {
	uint32_t iotlb_entries; /* 0 = no IOTLB; else a power of two <= DMAWIN_PE_MAX_IOTLB */
};

/** struct dmawin_pe_stats - counters (see the concepts). */
struct dmawin_pe_stats {
	uint64_t translations; /* every page translated, hits included, faults included */
	uint64_t iotlb_hits;
	uint64_t iotlb_misses; /* lookups of an IOTLB that did not hit (0 without IOTLB) */
	uint64_t faults[DMAWIN_PE_FAULT_COUNT]; /* by enum dmawin_pe_fault; [0] unused */
	uint64_t dma_ops;	/* dma read/write calls (an sg list counts once); 0 per slot */
	uint64_t bytes_read;	/* bytes devices read from guest memory */
	uint64_t bytes_written; /* bytes devices wrote to guest memory */
};

/** struct dmawin_pe_eeh_stats - EEH counters of a PE. */
struct dmawin_pe_eeh_stats {
	uint64_t freezes;	    /* transitions into a frozen state, whatever the cause */
	uint64_t fault_freezes;	    /* of which caused by a DMA fault (freeze_on_fault) */
	uint64_t injections;	    /* successful dmawin_pe_eeh_inject() calls */
	uint64_t injection_freezes; /* freezes caused by an injected error */
	uint64_t thaws;		    /* successful dmawin_pe_eeh_thaw() calls */
	uint64_t resets;	    /* resets asserted */
	uint64_t configures;	    /* successful dmawin_pe_eeh_configure() calls */
	uint64_t dma_blocked;	    /* DMA calls and translations refused with FROZEN */
};

/* ---- PHB ----------------------------------------------------------------------------------- */

/** dmawin_pe_phb_config_init - fill @cfg with QEMU's defaults (classic, 1 GiB at 0, 1 << 59, 1 PE).
 */
DMAWIN_API void dmawin_pe_phb_config_init(struct dmawin_phb_config *cfg);

/**
 * dmawin_pe_phb_config_check - validate a PHB configuration against its placement mode.
 *
 * Rules: max_pes 1..DMAWIN_PE_MAX_PES; dma_win_size > 0, dma_win_addr and dma_win_size 4 KiB
 * aligned and the window below 2^64; dma64_win_addr 4 KiB aligned and at or above the end of the
 * 32-bit window; the MSI window (if size > 0) inside the bus space and overlapping neither;
 * 4GB mode: dma_win_addr + dma_win_size <= 4 GiB and dma64_win_addr == 4 GiB.
 * Return: 0; -EINVAL (with NULL @cfg or an unknown placement too).
 */
DMAWIN_API int dmawin_pe_phb_config_check(const struct dmawin_phb_config *cfg);

/**
 * dmawin_pe_phb_create - create a PHB with no PE.
 * @cfg: NULL = QEMU's defaults; @mem: the guest RAM every DMA goes to (not owned).
 *
 * Return: 0; -EINVAL for a NULL @mem or @out or a configuration dmawin_pe_phb_config_check()
 * rejects; -ENOMEM.
 */
DMAWIN_API int dmawin_pe_phb_create(const struct dmawin_phb_config *cfg, struct dmawin_mem *mem,
				    struct dmawin_phb **out);

/**
 * dmawin_pe_phb_destroy - destroy @phb with its PEs and any device handle left on them (those
 * handles become invalid); drops every table reference the windows held. NULL is a no-op.
 */
DMAWIN_API void dmawin_pe_phb_destroy(struct dmawin_phb *phb);

/** dmawin_pe_phb_config - copy @phb's configuration to @out (nothing when either is NULL). */
DMAWIN_API void dmawin_pe_phb_config(const struct dmawin_phb *phb, struct dmawin_phb_config *out);

/** dmawin_pe_phb_mem - the guest RAM of @phb (NULL for a NULL @phb). */
DMAWIN_API struct dmawin_mem *dmawin_pe_phb_mem(const struct dmawin_phb *phb);

/**
 * dmawin_pe_window_placement - the bus offset the PHB's mode gives a new window in @slot:
 * classic, dma_win_addr for slot 0 and dma64_win_addr for slot 1; 4GB mode, 0 for slot 0 and
 * dma64_win_addr (4 GiB, QEMU's guest view) for slot 1.
 * Return: 0 and *@bus_offset; -EINVAL if @slot >= DMAWIN_PE_MAX_WINDOWS or an argument is NULL.
 */
DMAWIN_API int dmawin_pe_window_placement(const struct dmawin_phb *phb, unsigned int slot,
					  uint64_t *bus_offset);

/* ---- PEs ----------------------------------------------------------------------------------- */

/**
 * dmawin_pe_create - create PE @number on @phb, with no window, EEH enabled and NORMAL.
 * Return: 0; -EINVAL for NULL arguments or @number >= max_pes; -EEXIST if that PE exists;
 * -ENOMEM.
 */
DMAWIN_API int dmawin_pe_create(struct dmawin_phb *phb, uint32_t number, struct dmawin_pe **out);

/**
 * dmawin_pe_destroy - unset the PE's windows and free it (NULL is a no-op and returns 0).
 * Return: 0; -EBUSY while a device handle of the PE exists (nothing changes).
 */
DMAWIN_API int dmawin_pe_destroy(struct dmawin_pe *pe);

/** dmawin_pe_find - PE @number of @phb, or NULL. */
DMAWIN_API struct dmawin_pe *dmawin_pe_find(struct dmawin_phb *phb, uint32_t number);

/** dmawin_pe_number - the PE's number on its PHB (0 for a NULL @pe). */
DMAWIN_API uint32_t dmawin_pe_number(const struct dmawin_pe *pe);

/** dmawin_pe_phb - the PE's PHB (NULL for a NULL @pe). */
DMAWIN_API struct dmawin_phb *dmawin_pe_phb(const struct dmawin_pe *pe);

/* ---- Windows ------------------------------------------------------------------------------- */

/**
 * dmawin_pe_set_window - put a window in empty @slot; takes a reference on the table.
 *
 * Checks, in order: arguments; the slot is free; kind/table consistency, alignment and size
 * (see struct dmawin_pe_window_config); the translated range fits below 2^64; the mode's rule
 * (4GB: slot 0 must translate something below 4 GiB, slot 1 something at or above it); no
 * overlap with the other window's aperture or translated range, nor with the MSI window. The
 * PE's epoch is bumped, so no IOTLB serves a translation made before.
 * Return: 0; -EINVAL for a NULL argument, @slot >= DMAWIN_PE_MAX_WINDOWS, an unknown kind, a
 * missing or unexpected table, a misaligned offset, a bad size, a range past 2^64 or a mode
 * violation; -EBUSY if the slot holds a window; -EEXIST if it would overlap the other window or
 * the MSI window; -ENOMEM. On failure nothing changes.
 */
DMAWIN_API int dmawin_pe_set_window(struct dmawin_pe *pe, unsigned int slot,
				    const struct dmawin_pe_window_config *cfg);

/**
 * dmawin_pe_unset_window - empty @slot. When the call returns no device translates through the
 * window any more; the table reference is dropped once no device can still be reading it.
 * Never allocates (set_window reserved what it needs), so it cannot fail for want of memory.
 * Return: 0; -EINVAL if @pe is NULL or @slot >= DMAWIN_PE_MAX_WINDOWS; -ENOENT if it is empty.
 */
DMAWIN_API int dmawin_pe_unset_window(struct dmawin_pe *pe, unsigned int slot);

/**
 * dmawin_pe_window_info - describe the window in @slot.
 * Return: 0; -EINVAL for NULL arguments or a bad @slot; -ENOENT if the slot is empty.
 */
DMAWIN_API int dmawin_pe_window_info(struct dmawin_pe *pe, unsigned int slot,
				     struct dmawin_pe_window_info *out);

/**
 * dmawin_pe_window_find - the slot whose window translates @bus_addr (any address inside it, as
 * VFIO's TCE_REMOVE accepts).
 * Return: 0 and *@slot; -EINVAL for NULL arguments; -ENOENT if no window covers @bus_addr.
 */
DMAWIN_API int dmawin_pe_window_find(struct dmawin_pe *pe, uint64_t bus_addr, unsigned int *slot);

/** dmawin_pe_window_count - how many slots hold a window. */
DMAWIN_API unsigned int dmawin_pe_window_count(struct dmawin_pe *pe);

/**
 * dmawin_pe_translate - translate one access as a device of @pe would, without a device handle
 * (takes the PE's mutex: for hypervisor models, tools and tests, not for a device's data path).
 * Counts in the PE's statistics. Checks EEH like a device access.
 * Return: 0 with @out filled; -EFAULT with out->fault set (NO_WINDOW, BEYOND_WINDOW, INVALID,
 * PERMISSION); -EIO with out->fault = FROZEN; -EINVAL for NULL arguments or a bad @dir.
 */
DMAWIN_API int dmawin_pe_translate(struct dmawin_pe *pe, uint64_t bus_addr, enum dmawin_pe_dir dir,
				   struct dmawin_pe_xlate *out);

/**
 * dmawin_pe_dma_barrier - wait until every DMA call of @pe's devices that was in flight when this
 * call started has returned (a grace period; transfers never block, so it is short).
 *
 * A transfer translates a page, then copies it: without this, one that translated just before an
 * unmap could still write the page after the unmap returned. A hypervisor or container that
 * removes or changes mappings through the tce layer (H_PUT_TCE(0), H_STUFF_TCE, VFIO unmap) calls
 * this on every PE using the table before it returns to its caller; then no byte moves through
 * the old entry afterwards (QEMU gets the same from its big lock). unset_window, iotlb_invalidate,
 * eeh_freeze, eeh_reset (assert) and an MMIO eeh_inject do it themselves. Must not be called from
 * inside a device's DMA (it is never, since DMA takes no callback). NULL is a no-op.
 */
DMAWIN_API void dmawin_pe_dma_barrier(struct dmawin_pe *pe);

/**
 * dmawin_pe_iotlb_invalidate - bump the PE's epoch, so that every device IOTLB of the PE misses
 * next, and wait for DMA in flight (dmawin_pe_dma_barrier()). NULL is a no-op.
 */
DMAWIN_API void dmawin_pe_iotlb_invalidate(struct dmawin_pe *pe);

/**
 * dmawin_pe_stats - the PE's counters, or those of window @slot since it was set.
 * @slot: DMAWIN_PE_ALL_SLOTS or 0..DMAWIN_PE_MAX_WINDOWS - 1 (an empty slot reads all zero).
 * Return: 0; -EINVAL for NULL arguments or a bad @slot.
 */
DMAWIN_API int dmawin_pe_stats(struct dmawin_pe *pe, int slot, struct dmawin_pe_stats *out);

/* ---- Devices and DMA ------------------------------------------------------------------------ */

/**
 * dmawin_pe_dev_create - create a DMA engine on @pe.
 * @cfg: NULL = no IOTLB.
 * Return: 0; -EINVAL for NULL @pe/@out or an IOTLB size that is not 0 or a power of two up to
 * DMAWIN_PE_MAX_IOTLB; -ENOMEM.
 */
DMAWIN_API int dmawin_pe_dev_create(struct dmawin_pe *pe, const struct dmawin_pe_dev_config *cfg,
				    struct dmawin_pe_dev **out);

/** dmawin_pe_dev_destroy - free @dev; its counters stay in the PE's. NULL is a no-op. */
DMAWIN_API void dmawin_pe_dev_destroy(struct dmawin_pe_dev *dev);

/** dmawin_pe_dev_pe - the PE of @dev (NULL for a NULL @dev). */
DMAWIN_API struct dmawin_pe *dmawin_pe_dev_pe(const struct dmawin_pe_dev *dev);

/**
 * dmawin_pe_dev_translate - translate one access of @dev at @bus_addr (through its IOTLB).
 * Return: as dmawin_pe_translate(); a fault is also recorded as the device's last fault.
 */
DMAWIN_API int dmawin_pe_dev_translate(struct dmawin_pe_dev *dev, uint64_t bus_addr,
				       enum dmawin_pe_dir dir, struct dmawin_pe_xlate *out);

/**
 * dmawin_pe_dma_read - the device reads @len bytes of guest memory at @bus_addr into @dst.
 * Pages are translated and copied in order; a fault stops the transfer at the first byte of the
 * faulting page (earlier pages are copied; for a page that is only partly guest RAM, at the
 * first 4 KiB that is not) and is recorded as the device's last fault. When the
 * PE's freeze_on_fault policy is on, a translation fault also freezes the PE.
 * @done: bytes copied (may be NULL).
 * Return: 0 (all @len bytes); -EFAULT for a translation fault or a page that is not guest RAM;
 * -EIO if the PE's DMA is frozen, reset or unconfigured, or an injected error fired; -EINVAL for
 * a NULL @dev, a NULL buffer with @len > 0 or a range past 2^64 (nothing moved).
 */
DMAWIN_API int dmawin_pe_dma_read(struct dmawin_pe_dev *dev, uint64_t bus_addr, void *dst,
				  size_t len, size_t *done);

/** dmawin_pe_dma_write - the device writes @len bytes of @src to guest memory at @bus_addr; as
 * dmawin_pe_dma_read(). */
DMAWIN_API int dmawin_pe_dma_write(struct dmawin_pe_dev *dev, uint64_t bus_addr, const void *src,
				   size_t len, size_t *done);

/**
 * dmawin_pe_dma_read_sg - read the bus ranges of @sg[0..@nsg) in order into consecutive bytes of
 * @dst; stops at the first fault like dmawin_pe_dma_read().
 * @done: bytes copied over the whole list (may be NULL).
 * Return: as dmawin_pe_dma_read(); -EINVAL also for a NULL @sg with @nsg > 0, an element whose
 * range passes 2^64, or a total length that overflows size_t (nothing moved).
 */
DMAWIN_API int dmawin_pe_dma_read_sg(struct dmawin_pe_dev *dev, const struct dmawin_pe_sg *sg,
				     size_t nsg, void *dst, size_t *done);

/** dmawin_pe_dma_write_sg - write consecutive bytes of @src to the ranges of @sg; as
 * dmawin_pe_dma_read_sg(). */
DMAWIN_API int dmawin_pe_dma_write_sg(struct dmawin_pe_dev *dev, const struct dmawin_pe_sg *sg,
				      size_t nsg, const void *src, size_t *done);

/**
 * dmawin_pe_dev_last_fault - the last fault of @dev (from the device's own thread).
 * Return: 0; -EINVAL for NULL arguments; -ENOENT if the device never faulted.
 */
DMAWIN_API int dmawin_pe_dev_last_fault(const struct dmawin_pe_dev *dev,
					struct dmawin_pe_fault_info *out);

/** dmawin_pe_dev_iotlb_flush - drop every entry of @dev's IOTLB (the device's own thread). */
DMAWIN_API void dmawin_pe_dev_iotlb_flush(struct dmawin_pe_dev *dev);

/** dmawin_pe_dev_stats - @dev's counters. Return: 0; -EINVAL for NULL arguments. */
DMAWIN_API int dmawin_pe_dev_stats(const struct dmawin_pe_dev *dev, struct dmawin_pe_stats *out);

/* ---- EEH ------------------------------------------------------------------------------------- */

/** dmawin_pe_eeh_state - the PE's EEH state (enum dmawin_pe_eeh_state); -EINVAL for NULL @pe. */
DMAWIN_API int dmawin_pe_eeh_state(struct dmawin_pe *pe);

/**
 * dmawin_pe_eeh_set_enabled - VFIO_EEH_PE_ENABLE / _DISABLE. A disabled PE never freezes,
 * refuses injection and reads UNAVAIL.
 * Return: 0; -EINVAL for NULL @pe; -EBUSY to disable a PE that is not NORMAL.
 */
DMAWIN_API int dmawin_pe_eeh_set_enabled(struct dmawin_pe *pe, bool enabled);

/**
 * dmawin_pe_eeh_set_freeze_on_fault - whether a DMA translation fault freezes the PE.
 * Return: 0; -EINVAL for NULL @pe.
 */
DMAWIN_API int dmawin_pe_eeh_set_freeze_on_fault(struct dmawin_pe *pe, bool freeze);

/**
 * dmawin_pe_eeh_freeze - freeze MMIO and DMA of the PE (a detected error); already frozen is 0.
 * Return: 0; -EINVAL for NULL @pe; -EPERM if EEH is disabled; -EBUSY while reset is asserted.
 */
DMAWIN_API int dmawin_pe_eeh_freeze(struct dmawin_pe *pe);

/**
 * dmawin_pe_eeh_thaw - VFIO_EEH_PE_UNFREEZE_IO / _DMA: thaw MMIO or DMA (thawing what is not
 * frozen is 0).
 * Return: 0; -EINVAL for NULL @pe or an unknown @what; -EPERM if EEH is disabled; -EBUSY while
 * reset is asserted.
 */
DMAWIN_API int dmawin_pe_eeh_thaw(struct dmawin_pe *pe, enum dmawin_pe_eeh_thaw what);

/**
 * dmawin_pe_eeh_reset - VFIO_EEH_PE_RESET_*: HOT/FUNDAMENTAL assert reset (state RESET, DMA
 * refused); DEACTIVATE releases it, clears every freeze and leaves the PE needing
 * dmawin_pe_eeh_configure() before DMA works again (DEACTIVATE without reset asserted is 0).
 * Return: 0; -EINVAL for NULL @pe or an unknown @how; -EPERM if EEH is disabled.
 */
DMAWIN_API int dmawin_pe_eeh_reset(struct dmawin_pe *pe, enum dmawin_pe_eeh_reset how);

/**
 * dmawin_pe_eeh_configure - VFIO_EEH_PE_CONFIGURE: restore the PE after a reset.
 * Return: 0; -EINVAL for NULL @pe; -EPERM if EEH is disabled; -EBUSY while reset is asserted.
 */
DMAWIN_API int dmawin_pe_eeh_configure(struct dmawin_pe *pe);

/**
 * dmawin_pe_eeh_inject - VFIO_EEH_PE_INJECT_ERR. MMIO/config functions (0..11) freeze the PE at
 * once; DMA functions arm a trigger (replacing any armed one) that freezes the PE on the next
 * DMA of that direction (RD 12..15: device reads, WR 16..19: device writes) whose bus address
 * matches: (bus_addr & @mask) == (@addr & @mask); that DMA fails with -EIO and moves nothing of
 * the matching page. While a trigger is armed the devices' IOTLBs are bypassed.
 * Return: 0; -EINVAL for NULL @pe, @type not 0/1, @func above 19, or type 32 with @addr or @mask
 * above 32 bits; -EPERM if EEH is disabled; -EBUSY while reset is asserted.
 */
DMAWIN_API int dmawin_pe_eeh_inject(struct dmawin_pe *pe, uint32_t type, uint32_t func,
				    uint64_t addr, uint64_t mask);

/** dmawin_pe_eeh_stats - the PE's EEH counters. Return: 0; -EINVAL for NULL arguments. */
DMAWIN_API int dmawin_pe_eeh_stats(struct dmawin_pe *pe, struct dmawin_pe_eeh_stats *out);

/** dmawin_pe_fault_name - a short name for @fault ("no-window", ...; "?" if unknown). */
DMAWIN_API const char *dmawin_pe_fault_name(enum dmawin_pe_fault fault);

DMAWIN_END_DECLS

#endif
