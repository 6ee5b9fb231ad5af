/* SPDX-License-Identifier: MIT */
/*
 * dmawin/papr.h - the sPAPR hypervisor interface as a pseries guest sees it (QEMU 7.2 by default).
 *
 * Concepts
 *  - A `struct dmawin_papr` is one pseries machine: guest RAM (a `struct dmawin_mem`, at guest
 *    physical 0) and up to DMAWIN_PAPR_MAX_PHBS PCI host bridges (PHBs). It is described by a
 *    plain `struct dmawin_papr_config` that names things as QEMU does (`-m`, `maxmem`, and the
 *    `spapr-pci-host-bridge` properties index, dma_win_addr, dma_win_size, dma64_win_addr, pgsz,
 *    ddw); dmawin_papr_config_init() fills QEMU's defaults, a command-line parser overrides them.
 *  - As in QEMU, the partitionable endpoint (PE) is the whole PHB: every device behind it shares
 *    its DMA windows, and the config_addr argument of the RTAS calls is accepted but unused.
 *  - A PHB owns two window slots (TCE tables). Slot n has LIOBN
 *    DMAWIN_PAPR_LIOBN(index, n) = 0x80000000 | index << 8 | n and is either disabled or enabled
 *    with a bus offset, a page shift and nb_table entries. At reset slot 0 is the default 32-bit
 *    window: dma_win_addr (0), dma_win_size (1 GiB) of 4 KiB pages. The PHB's BUID is
 *    0x800000020000000 + index.
 *  - The hcalls take the guest's registers (liobn, ioba, tce, tce_list guest-physical address,
 *    npages) and return the H_* code a guest would find in r3. The RTAS calls take the input
 *    cells and return the RTAS status. Both follow QEMU 7.2's order of checks, codes and partial
 *    effects (../shared/spec/papr-ddw.md §2, §3, §10): misaligned ioba is truncated, npages == 0
 *    is H_PARAMETER, H_PUT_TCE_INDIRECT and H_STUFF_TCE stop at the first bad entry leaving the
 *    earlier ones written, H_STUFF_TCE has no 512 limit. `strict_papr` in the configuration
 *    selects the stricter KVM/PAPR checks instead (see struct dmawin_papr_config).
 *  - Where QEMU would crash or misbehave dmawin does the safe thing (spec §9, §10):
 *      * create with window_shift - page_shift >= 32 returns -1 like QEMU, but leaves no half
 *        enabled table behind (QEMU's later enable of that table would assert);
 *      * page_shift > 63 (undefined behaviour in QEMU) returns -3;
 *      * "is the default window" is a property of the window instance, not a sticky per-LIOBN
 *        flag: removing a DDW that landed on LIOBN#0 after the default window was removed does
 *        restore the default window when it was the last one (LoPAR R1-3), where QEMU does not;
 *      * a window that would overlap the other window or the MSI window (0x40000000000) is
 *        refused with -3 (QEMU does not check).
 *  - Each PHB owns a pe PHB with one PE whose window slot n holds LIOBN n's table, so device DMA
 *    translated by pe sees every TCE an hcall writes at once. Each written entry also raises an
 *    IOMMU notifier event (MAP when the permission bits are non-zero, else UNMAP) with the
 *    window-relative IOVA, as QEMU does for VFIO; window enable/disable raise WINDOW_ADD /
 *    WINDOW_DEL.
 *  - Snapshots save the IOMMU state of the whole machine (per PHB: windows, geometry, entries, EEH
 *    state) to a versioned, checksummed file written atomically; restore refuses a corrupt,
 *    truncated, newer or incompatible file and then changes nothing.
 *
 * Concurrency: hcalls (H_GET_TCE included), RTAS calls, reset, xlate, notifier registration
 * and snapshots serialise on a per-machine mutex, as QEMU's hcalls do on its big lock, and may
 * be called from any number of threads (vCPUs): that keeps a window from being removed under an
 * hcall that is writing its table. Notifier and trace callbacks run under that mutex: they must
 * not call back into the machine. Device DMA through the PHB's pe objects (dmawin_papr_phb_pe(),
 * dmawin_pe_dev_create()) takes no lock and may run concurrently with all of it; it reads the
 * very tce table the hcalls write (shared by reference), so a TCE is visible to the next device
 * access once the hcall returns, and pe's IOTLB never serves a removed one.
 *
 * Ranges: "end" is exclusive, "last" inclusive, as everywhere in dmawin.
 */
#ifndef DMAWIN_PAPR_H
#define DMAWIN_PAPR_H

#include "dmawin/dmawin.h"
#include "dmawin/mem.h"

DMAWIN_BEGIN_DECLS

struct dmawin_papr;

/* ---- Constants (values as in QEMU include/hw/ppc/spapr.h and Linux asm/hvcall.h) ---------- */

/* hcall opcodes */
#define DMAWIN_PAPR_H_GET_TCE	       0x1c
#define DMAWIN_PAPR_H_PUT_TCE	       0x20
#define DMAWIN_PAPR_H_STUFF_TCE	       0x138
#define DMAWIN_PAPR_H_PUT_TCE_INDIRECT 0x13c
#define DMAWIN_PAPR_H_RTAS	       0xf000 /* KVMPPC_H_RTAS: r4 = guest address of the RTAS buffer */

/* hcall return codes (r3) */
#define DMAWIN_PAPR_H_SUCCESS		   0
#define DMAWIN_PAPR_H_PARTIAL		   5
#define DMAWIN_PAPR_H_HARDWARE		   (-1)
#define DMAWIN_PAPR_H_FUNCTION		   (-2)
#define DMAWIN_PAPR_H_PRIVILEGE		   (-3)
#define DMAWIN_PAPR_H_PARAMETER		   (-4)
#define DMAWIN_PAPR_H_NOT_ENOUGH_RESOURCES (-44)
#define DMAWIN_PAPR_H_RESCINDED		   (-46)
#define DMAWIN_PAPR_H_P2		   (-55)
#define DMAWIN_PAPR_H_P3		   (-56)
#define DMAWIN_PAPR_H_P4		   (-57)

/* RTAS status codes */
#define DMAWIN_PAPR_RTAS_SUCCESS     0
#define DMAWIN_PAPR_RTAS_HW_ERROR    (-1)
#define DMAWIN_PAPR_RTAS_BUSY	     (-2)
#define DMAWIN_PAPR_RTAS_PARAM_ERROR (-3)

/* RTAS tokens (QEMU: RTAS_TOKEN_BASE 0x2000 + ...) */
#define DMAWIN_PAPR_RTAS_QUERY_PE_DMA_WINDOW  0x2026
#define DMAWIN_PAPR_RTAS_CREATE_PE_DMA_WINDOW 0x2027
#define DMAWIN_PAPR_RTAS_REMOVE_PE_DMA_WINDOW 0x2028
#define DMAWIN_PAPR_RTAS_RESET_PE_DMA_WINDOW  0x2029

/* Query "IO Page Sizes" bits (LoPAR, LSB-0; 2M is the out-of-order 0x100) */
#define DMAWIN_PAPR_PGSIZE_4K	0x001u
#define DMAWIN_PAPR_PGSIZE_64K	0x002u
#define DMAWIN_PAPR_PGSIZE_16M	0x004u
#define DMAWIN_PAPR_PGSIZE_32M	0x008u
#define DMAWIN_PAPR_PGSIZE_64M	0x010u
#define DMAWIN_PAPR_PGSIZE_128M 0x020u
#define DMAWIN_PAPR_PGSIZE_256M 0x040u
#define DMAWIN_PAPR_PGSIZE_16G	0x080u
#define DMAWIN_PAPR_PGSIZE_2M	0x100u

/* TCE permission bits (low two bits of a TCE) */
#define DMAWIN_PAPR_TCE_READ  0x1u /* the device may read memory */
#define DMAWIN_PAPR_TCE_WRITE 0x2u /* the device may write memory */

#define DMAWIN_PAPR_MAX_PHBS	    31	/* QEMU SPAPR_MAX_PHBS; index 0..30 */
#define DMAWIN_PAPR_MAX_WINDOWS	    2	/* SPAPR_PCI_DMA_MAX_WINDOWS */
#define DMAWIN_PAPR_INDIRECT_MAX    512 /* H_PUT_TCE_INDIRECT entries per call */
#define DMAWIN_PAPR_MSI_WINDOW	    0x40000000000ull
#define DMAWIN_PAPR_BUID_BASE	    0x800000020000000ull
#define DMAWIN_PAPR_LIOBN(index, n) (0x80000000u | ((uint32_t)(index) << 8) | (uint32_t)(n))
#define DMAWIN_PAPR_BUID(index)	    (DMAWIN_PAPR_BUID_BASE + (uint64_t)(index))

/* QEMU defaults of spapr-pci-host-bridge (hw/ppc/spapr_pci.c) */
#define DMAWIN_PAPR_DEFAULT_DMA_WIN_ADDR   0x0ull
#define DMAWIN_PAPR_DEFAULT_DMA_WIN_SIZE   0x40000000ull
#define DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR 0x800000000000000ull /* 1 << 59 */
#define DMAWIN_PAPR_DMA64_WIN_ADDR_4GB	   0x100000000ull	/* seed 000's "4GB mode" */
/* pgsz is a mask of (1 << page_shift): 4K | 64K | 2M | 16M; pseries <= 4.1 used 4K | 64K. */
#define DMAWIN_PAPR_DEFAULT_PGSZ     0x1211000ull
#define DMAWIN_PAPR_PGSZ_PRE_4_2     0x11000ull
#define DMAWIN_PAPR_DEFAULT_RAM_SIZE (512ull << 20) /* pseries default_ram_size */
#define DMAWIN_PAPR_COMPAT_DEFAULT   702	    /* QEMU machine version 7.2 */
#define DMAWIN_PAPR_MAX_DIMMS	     32		    /* SPAPR_MAX_RAM_SLOTS under TCG */
#define DMAWIN_PAPR_LMB_SIZE	     (256ull << 20) /* SPAPR_MEMORY_BLOCK_SIZE */
#define DMAWIN_PAPR_DEVICE_MEM_ALIGN (1ull << 30)   /* SPAPR_DEVICE_MEM_ALIGN */

/* ---- Machine configuration ------------------------------------------------------------- */

/* Where ibm,create-pe-dma-window places a window. */
enum dmawin_papr_placement {
	/* QEMU: at dma_win_addr when no window of the PHB is active, else at dma64_win_addr. */
	DMAWIN_PAPR_PLACE_QEMU = 0,
	/* Fixed by slot, as PowerNV hardware/VFIO do: slot 0 at dma_win_addr, slot 1 at
	 * dma64_win_addr; create takes the lowest free slot. */
	DMAWIN_PAPR_PLACE_SLOT = 1,
};

/* A pc-dimm or nvdimm in the device memory region (QEMU's memory hotplug area). */
struct dmawin_papr_dimm {
	uint64_t addr; /* guest physical, inside dmawin_papr_device_memory() */
	uint64_t size; /* multiple of DMAWIN_PAPR_LMB_SIZE */
	bool nvdimm;   /* persistent memory (ibm,pmemory), not RAM: no mem region */
};

/* One spapr-pci-host-bridge, with QEMU's property names. */
struct dmawin_papr_phb_config {
	uint32_t index;		 /* "index", 0..DMAWIN_PAPR_MAX_PHBS-1; unique per machine */
	uint64_t buid;		 /* 0 = DMAWIN_PAPR_BUID(index), QEMU's only choice */
	uint64_t dma_win_addr;	 /* "dma_win_addr": default window start (4K-aligned) */
	uint64_t dma_win_size;	 /* "dma_win_size": default window bytes (4K multiple, may be 0) */
	uint64_t dma64_win_addr; /* "dma64_win_addr": second window start */
	uint64_t pgsz;		 /* "pgsz": mask of 1 << page_shift offered to DDW, shifts 12..63 */
	bool ddw;		 /* "ddw": DDW RTAS calls answered (off: they return -3) */
	enum dmawin_papr_placement placement;
	/* Windows one PHB may have at once, 1..2 (QEMU: 2). 1 models a hypervisor that offers
	 * "0 windows available" at boot, so a guest must remove the default window first. */
	uint32_t max_windows;
	/* PowerVM/SR-IOV-like limit on the TCEs of the windows created by DDW (the default window
	 * is not counted); 0 = none (QEMU). With a budget the query's largest block is
	 * min(QEMU's value, budget - TCEs of the active DDWs) and a larger create returns -3. */
	uint64_t tce_budget;
	int32_t numa_node; /* "numa_node": recorded, otherwise ignored; -1 = none */
	/* Limited addressing mode for DDW (PAPR 2.13, as PowerVM offers it; QEMU 7.2 lacks it, so
	 * off by default; needs ddw on and dma64_win_addr at or above 4 GiB). On:
	 * ibm,ddw-extensions gains a fourth extension, the cell 1 ("supported"): <3 0x2029 1 1> (<3
	 * 0x2029 0 1> below compat 701), and ibm,reset-pe-dma-window also takes a fourth input, 1
	 * to put the PHB in limited addressing mode, 0 to leave it (see
	 * dmawin_papr_rtas_reset_pe_dma_window_mode()). In that mode every DDW is created at
	 * dma64_win_addr with QEMU placement, never at dma_win_addr, so its start is above 4 GiB
	 * and (with dma64_win_addr = 4 GiB) reachable by a device with a 33..63-bit mask. */
	bool ddw_limited_addr;
};

struct dmawin_papr_config {
	uint64_t ram_size; /* "-m": RAM at guest physical 0 (multiple of 64 KiB) */
	uint64_t maxmem;   /* "-m ...,maxmem=": hotplug span (>= ram_size; 0 = ram_size) */
	uint32_t ram_slots; /* "-m ...,slots=": DIMM slots (0..DMAWIN_PAPR_MAX_DIMMS) */
	/* Cold-plugged DIMMs ("-device pc-dimm"/"nvdimm"); dmawin_papr_dimm_plug() adds more. */
	uint32_t nr_dimms;
	struct dmawin_papr_dimm dimms[DMAWIN_PAPR_MAX_DIMMS];
	/* QEMU machine version major*100+minor of "-M pseries-X.Y" (default 702). Below 701: no
	 * 2M bit in the query mask, ibm,ddw-extensions = <1 0x2029> (a 6-output query returns -3)
	 * and no auto-restore of the default window on remove. */
	uint32_t compat;
	/* Stricter KVM/PAPR hcall checks instead of QEMU's (spec §2 "Stricter", §9):
	 *  - an ioba not aligned to the window page size, or a range that does not fit, is
	 *    H_PARAMETER before anything is written;
	 *  - H_PUT_TCE / H_PUT_TCE_INDIRECT: a TCE with permission bits whose page is not guest RAM
	 *    or not aligned to the page size is H_PARAMETER; INDIRECT validates the whole list
	 *    first (all-or-nothing);
	 *  - H_STUFF_TCE: npages == 0 is H_SUCCESS, npages > 512 is H_P4, a tce_value with
	 *    permission bits is H_PARAMETER;
	 *  - INDIRECT and STUFF return H_FUNCTION when multitce is off. */
	bool strict_papr;
	/* "hcall-multi-tce" in ibm,hypertas-functions (QEMU: on under TCG). */
	bool multitce;
	/* Guest RAM to use (must cover [0, ram_size)); NULL = the machine allocates anonymous
	 * RAM of ram_size at 0 and frees it on destroy. Not owned when given. */
	struct dmawin_mem *mem;
	uint32_t nr_phbs;
	struct dmawin_papr_phb_config phbs[DMAWIN_PAPR_MAX_PHBS];
};

/**
 * dmawin_papr_phb_config_init - fill @phb with QEMU 7.2's defaults for PHB @index.
 *
 * buid 0 (derived), dma_win_addr 0, dma_win_size 1 GiB, dma64_win_addr 1 << 59,
 * pgsz 0x1211000, ddw on, QEMU placement, max_windows 2, no TCE budget, numa_node -1,
 * ddw_limited_addr off.
 */
DMAWIN_API void dmawin_papr_phb_config_init(struct dmawin_papr_phb_config *phb, uint32_t index);

/**
 * dmawin_papr_config_init - fill @cfg with `qemu-system-ppc64 -M pseries` defaults.
 *
 * 512 MiB RAM, maxmem = ram_size, compat 702, QEMU hcall behaviour, multitce on, the machine's
 * own RAM, and the default PHB 0 (which QEMU creates even with -nodefaults).
 */
DMAWIN_API void dmawin_papr_config_init(struct dmawin_papr_config *cfg);

/**
 * dmawin_papr_config_set_compat - apply "-M pseries-X.Y" to @cfg: sets compat and, for
 * versions below 4.2, the pgsz of every PHB whose pgsz is still the 7.2 default.
 *
 * Return: 0; -EINVAL if @compat is below 200 or above the newest known (702).
 */
DMAWIN_API int dmawin_papr_config_set_compat(struct dmawin_papr_config *cfg, uint32_t compat);

/**
 * dmawin_papr_config_check - validate @cfg without creating anything.
 * @why: if not NULL, receives a one-line reason on failure (NUL-terminated, truncated to @len).
 *
 * Checks: ram_size a non-zero multiple of 64 KiB; maxmem 0 or >= ram_size; 1..31 PHBs with
 * unique index < 31 and unique BUID; dma_win_addr and dma_win_size 4 KiB aligned, the default
 * window non-empty, not wrapping past 2^64 nor overlapping the MSI window (QEMU does not require
 * it below 4 GiB, so neither does dmawin); dma64_win_addr 4 KiB aligned and at or above the end
 * of the default window (the pe layer's rule); pgsz non-zero, naming only page sizes a TCE table
 * supports (4K, 64K, 2M, 16M, 32M, 64M, 128M, 256M, 16G); max_windows 1..2; placement known;
 * ddw_limited_addr only with ddw on and dma64_win_addr >= 4 GiB; compat 200..702.
 * Return: 0; -EINVAL naming the first problem in @why.
 */
DMAWIN_API int dmawin_papr_config_check(const struct dmawin_papr_config *cfg, char *why,
					size_t len);

/**
 * dmawin_papr_device_memory - QEMU's device memory region of @cfg (spapr_machine_init()): with
 * maxmem above ram_size it starts at ROUND_UP(ram_size, DMAWIN_PAPR_DEVICE_MEM_ALIGN) and is
 * maxmem - ram_size long.
 *
 * Return: 0 and *@base, *@size; -ENOENT when the machine has none (maxmem <= ram_size).
 */
DMAWIN_API int dmawin_papr_device_memory(const struct dmawin_papr_config *cfg, uint64_t *base,
					 uint64_t *size);

/**
 * dmawin_papr_lrdr_capacity - the maximum address in ibm,lrdr-capacity as QEMU 7.2 writes it
 * (spapr_dt_rtas()): the end of the device memory region, or 0 without one.
 */
DMAWIN_API uint64_t dmawin_papr_lrdr_capacity(const struct dmawin_papr_config *cfg);

/**
 * dmawin_papr_dimm_place - where QEMU puts a new DIMM of @size on @cfg
 * (memory_device_get_free_addr(): the lowest free address of the device memory region, or
 * @hint, which must not overlap another DIMM).
 * @hint: the requested address ("addr="), or UINT64_MAX for QEMU's choice.
 * @why: a one-line reason on failure (may be NULL).
 *
 * Return: 0 and *@addr; -EINVAL for a size that is zero or not a multiple of
 * DMAWIN_PAPR_LMB_SIZE, a hint that is not LMB-aligned, outside the region or overlapping;
 * -ENOSPC when no slot or no room is left; -ENOENT without a device memory region.
 */
DMAWIN_API int dmawin_papr_dimm_place(const struct dmawin_papr_config *cfg, uint64_t size,
				      uint64_t hint, uint64_t *addr, char *why, size_t len);

/**
 * dmawin_papr_dimm_plug - hot-add a pc-dimm (@nvdimm false) or nvdimm to running machine @m:
 * placed by dmawin_papr_dimm_place(); a pc-dimm becomes RAM (a region of the machine's mem,
 * which must be the machine's own). The guest then onlines it (dmawin_guest_memory_online()).
 * @addr: receives its guest physical address.
 *
 * Return: 0; the errors of dmawin_papr_dimm_place(); -EOPNOTSUPP when the machine was given
 * caller-owned RAM; -ENOMEM.
 */
DMAWIN_API int dmawin_papr_dimm_plug(struct dmawin_papr *m, uint64_t size, bool nvdimm,
				     uint64_t hint, uint64_t *addr);

/**
 * dmawin_papr_create - build a machine from @cfg and reset it (default windows enabled).
 * @why: as for dmawin_papr_config_check(); may be NULL.
 *
 * Return: 0; -EINVAL if the configuration is invalid; -ENOMEM; or an error of the mem/pe layers
 * (negative errno) while creating RAM or PHBs. Nothing is left allocated on failure.
 */
DMAWIN_API int dmawin_papr_create(const struct dmawin_papr_config *cfg, struct dmawin_papr **out,
				  char *why, size_t len);

/** dmawin_papr_destroy - free @m, its PHBs and (if it allocated it) its RAM; NULL is a no-op. */
DMAWIN_API void dmawin_papr_destroy(struct dmawin_papr *m);

/** dmawin_papr_get_config - the configuration @m was created with (buid filled in). */
DMAWIN_API const struct dmawin_papr_config *dmawin_papr_get_config(const struct dmawin_papr *m);

/** dmawin_papr_mem - the machine's guest RAM. */
DMAWIN_API struct dmawin_mem *dmawin_papr_mem(struct dmawin_papr *m);

/**
 * dmawin_papr_reset - machine reset: on every PHB disable every window and re-enable the
 * default one, zeroed (QEMU spapr_phb_dma_reset; LoPAR R1-5). EEH state is cleared.
 *
 * Return: 0; -ENOMEM if a default table cannot be allocated (the PHB is then left without
 * windows, as after a failed reset on hardware).
 */
DMAWIN_API int dmawin_papr_reset(struct dmawin_papr *m);

/* ---- Inspecting PHBs and windows --------------------------------------------------------- */

struct dmawin_papr_window_info {
	uint32_t liobn;
	uint32_t phb_index;
	uint32_t slot;	     /* 0 or 1: LIOBN & 0xff */
	bool enabled;	     /* nb_table != 0 */
	bool is_default;     /* this instance was enabled by a reset (the default window) */
	uint64_t bus_offset; /* window start on the PCI bus */
	uint32_t page_shift; /* IOMMU page size 2^page_shift */
	uint64_t nb_table;   /* number of TCEs */
	uint64_t size;	     /* nb_table << page_shift; 0 when disabled */
};

/**
 * dmawin_papr_window_info - describe the table of @liobn (enabled or not).
 *
 * Return: 0; -ENOENT if @liobn is not a table of this machine; -EINVAL if @info is NULL.
 */
DMAWIN_API int dmawin_papr_window_info(struct dmawin_papr *m, uint64_t liobn,
				       struct dmawin_papr_window_info *info);

/** dmawin_papr_phb_count - number of PHBs; they are numbered 0..count-1 in config order. */
DMAWIN_API unsigned dmawin_papr_phb_count(const struct dmawin_papr *m);

/**
 * dmawin_papr_phb_find - position of the PHB with QEMU index @index.
 *
 * Return: the position (>= 0); -ENOENT if there is none.
 */
DMAWIN_API int dmawin_papr_phb_find(const struct dmawin_papr *m, uint32_t index);

/** The device-tree view of one PHB (qemu spapr_dt_phb) and the hypertas functions. */
struct dmawin_papr_phb_dt {
	uint64_t buid;
	uint32_t dma_window[5];	    /* ibm,dma-window: liobn, addr hi, lo, size hi (always 0), lo */
	bool has_ddw;		    /* the two ibm,ddw-* properties are present */
	uint32_t ddw_applicable[3]; /* query, create, remove tokens */
	/* cells used in ddw_extensions: 3, or 2 for compat < 701; 4 with ddw_limited_addr */
	uint32_t n_ddw_extensions;
	/* <count, reset token, 1 = query may have 6 outputs, 1 = limited addressing supported>
	 * (Linux's DDW_EXT_* indexes; LoPAR counts the same cells from 1) */
	uint32_t ddw_extensions[4];
	bool hcall_multi_tce; /* "hcall-multi-tce" in /rtas/ibm,hypertas-functions */
};

/**
 * dmawin_papr_phb_dt - the properties a guest reads for PHB position @pos.
 *
 * The ibm,dma-window cells describe the default window as configured (reset-time values).
 * Return: 0; -ENOENT if @pos is out of range; -EINVAL if @dt is NULL.
 */
DMAWIN_API int dmawin_papr_phb_dt(struct dmawin_papr *m, unsigned pos,
				  struct dmawin_papr_phb_dt *dt);

/* ---- The TCE hcalls ----------------------------------------------------------------------- */

/**
 * dmawin_papr_h_put_tce - H_PUT_TCE: store @tce in the entry of @liobn covering @ioba.
 *
 * QEMU order: LIOBN lookup, ioba masked down to the page size, bounds, store (any value), notify.
 * Return: H_SUCCESS; H_PARAMETER if @liobn is unknown (or has bits above 32 set), the window is
 * disabled or @ioba is outside it; strict mode: also H_PARAMETER for a misaligned @ioba or a
 * mapping TCE whose page is not guest RAM or has bits set between the permission bits and the
 * page size; H_HARDWARE if a table level cannot be allocated (nothing written). The multi-TCE
 * calls below return H_HARDWARE likewise.
 */
DMAWIN_API int64_t dmawin_papr_h_put_tce(struct dmawin_papr *m, uint64_t liobn, uint64_t ioba,
					 uint64_t tce);

/**
 * dmawin_papr_h_get_tce - H_GET_TCE: read the raw stored entry of @liobn covering @ioba.
 * @tce: r4 on success; not written on failure.
 *
 * Return: H_SUCCESS; H_PARAMETER as dmawin_papr_h_put_tce(), and for a NULL @tce.
 */
DMAWIN_API int64_t dmawin_papr_h_get_tce(struct dmawin_papr *m, uint64_t liobn, uint64_t ioba,
					 uint64_t *tce);

/**
 * dmawin_papr_h_put_tce_indirect - H_PUT_TCE_INDIRECT: store @npages big-endian TCEs read from
 * guest RAM at @tce_list into consecutive entries from @ioba.
 *
 * QEMU order: lookup; npages > 512 or @tce_list not 4 KiB aligned; ioba masked; then entry by
 * entry, stopping at the first failure with the earlier entries left written (partial update).
 * Return: H_SUCCESS; H_PARAMETER for an unknown LIOBN, npages > 512, npages == 0, a misaligned
 * list, or an entry outside the window (entries before it are written). Strict mode: npages ==
 * 0 is H_SUCCESS (KVM). A list entry that is not
 * guest RAM reads as 0, as QEMU's unassigned memory does. Strict mode: the whole range and the
 * list (which must be guest RAM) are validated first and nothing is written on any error.
 */
DMAWIN_API int64_t dmawin_papr_h_put_tce_indirect(struct dmawin_papr *m, uint64_t liobn,
						  uint64_t ioba, uint64_t tce_list,
						  uint64_t npages);

/**
 * dmawin_papr_h_stuff_tce - H_STUFF_TCE: store @tce_value in @npages consecutive entries.
 *
 * QEMU order: lookup; npages > nb_table; ioba masked; write until the window ends (partial).
 * Return: H_SUCCESS; H_PARAMETER for an unknown LIOBN or disabled window, npages > nb_table,
 * npages == 0, or a range running past the window (the entries inside it are written). Strict
 * mode: npages == 0 → H_SUCCESS, npages > 512 → H_P4, tce_value with permission bits or a range
 * not inside the window → H_PARAMETER with nothing written.
 */
DMAWIN_API int64_t dmawin_papr_h_stuff_tce(struct dmawin_papr *m, uint64_t liobn, uint64_t ioba,
					   uint64_t tce_value, uint64_t npages);

/**
 * dmawin_papr_hcall - dispatch hcall @opcode with @args (r4..r7) as a vCPU would.
 * @rets: r4.. outputs (H_GET_TCE writes rets[0]); may be NULL for calls without outputs.
 *
 * Handles H_PUT_TCE, H_GET_TCE, H_PUT_TCE_INDIRECT, H_STUFF_TCE and H_RTAS (args[0] = guest
 * address of the RTAS buffer, see dmawin_papr_rtas_buffer()).
 * Return: the hcall's code; H_FUNCTION for any other opcode (and in strict mode for the
 * multi-TCE calls when multitce is off); H_SUCCESS for H_RTAS (the RTAS status is in the
 * buffer), H_PARAMETER for H_RTAS with an unreadable buffer and for a NULL @args.
 */
DMAWIN_API int64_t dmawin_papr_hcall(struct dmawin_papr *m, uint64_t opcode, const uint64_t args[4],
				     uint64_t rets[1]);

/* ---- The DDW RTAS calls -------------------------------------------------------------------- */

/**
 * dmawin_papr_rtas - call RTAS @token with @nargs input cells and @nret output cells.
 * @rets: rets[0] receives the status, rets[1..nret-1] the outputs; at least @nret cells.
 *
 * Handles the four DDW tokens (0x2026..0x2029); the reset token takes 3 inputs, or 4 on a PHB
 * with ddw_limited_addr. Return: the status (also in rets[0] when @nret >= 1): -3 for an
 * unknown token, a wrong count of inputs or outputs, and as each call below says.
 */
DMAWIN_API int32_t dmawin_papr_rtas(struct dmawin_papr *m, uint32_t token, uint32_t nargs,
				    const uint32_t *args, uint32_t nret, uint32_t *rets);

/**
 * dmawin_papr_rtas_buffer - RTAS entered with KVMPPC_H_RTAS: the guest buffer at @gpa holds
 * big-endian cells token, nargs, nret, args[nargs], rets[nret]; rets are written back.
 *
 * Return: the RTAS status; -EFAULT (as a negative errno, not an RTAS status) if the buffer is
 * not readable/writable guest RAM or nargs + nret > 16.
 */
DMAWIN_API int32_t dmawin_papr_rtas_buffer(struct dmawin_papr *m, uint64_t gpa);

/* Outputs of ibm,query-pe-dma-window, decoded. */
struct dmawin_papr_ddw_query {
	uint32_t windows_available;
	uint64_t largest_block;	 /* TCEs; 5 outputs: 0x80000000, 6 outputs: 0x2000000000 (QEMU) */
	uint32_t page_size_mask; /* DMAWIN_PAPR_PGSIZE_* bits; 0x107 with the default pgsz */
	uint32_t migration_capable; /* always 0 */
};

/**
 * dmawin_papr_rtas_query_pe_dma_window - ibm,query-pe-dma-window with @nret outputs (5 or 6).
 * @rets: the raw output cells (rets[0] = status), at least @nret cells; may be NULL.
 * @out: decoded outputs on success; may be NULL.
 *
 * Windows available = max_windows - enabled windows of the PHB.
 * Return: 0; -3 if @nret is not 5 or 6, 6 outputs are not advertised (compat < 701), or the
 * BUID is not a PHB with ddw on.
 */
DMAWIN_API int32_t dmawin_papr_rtas_query_pe_dma_window(struct dmawin_papr *m, uint32_t config_addr,
							uint32_t buid_hi, uint32_t buid_lo,
							uint32_t nret, uint32_t *rets,
							struct dmawin_papr_ddw_query *out);

/**
 * dmawin_papr_rtas_create_pe_dma_window - ibm,create-pe-dma-window.
 * @page_shift: log2 of the IOMMU page size, must be offered by pgsz.
 * @window_shift: log2 of the window size in bytes.
 * @liobn, @start: the new window's LIOBN and bus address, written only on success.
 *
 * The new window takes the first free slot (LIOBN n) and is zeroed; placement: see enum
 * dmawin_papr_placement (in limited addressing mode always dma64_win_addr with QEMU placement).
 * Return: 0; -3 if the PHB is unknown or ddw off, page_shift > 63, the page size is not offered
 * or window_shift < page_shift; -1 if no slot is free or max_windows windows are active; -1 if
 * window_shift - page_shift >= 32 (QEMU's uint32 table size); -3 if the window would wrap past
 * 2^64, overlap the other window or the MSI window, or exceed the TCE budget; -1 if the table
 * cannot be allocated (also for a window above 2^59 bytes). Nothing changes on failure.
 */
DMAWIN_API int32_t dmawin_papr_rtas_create_pe_dma_window(struct dmawin_papr *m,
							 uint32_t config_addr, uint32_t buid_hi,
							 uint32_t buid_lo, uint32_t page_shift,
							 uint32_t window_shift, uint32_t *liobn,
							 uint64_t *start);

/**
 * dmawin_papr_rtas_remove_pe_dma_window - ibm,remove-pe-dma-window: disable the window @liobn
 * (no check that it is empty). When that leaves the PHB without windows and the removed one
 * was not the default window, the default window is restored (LoPAR R1-3, QEMU >= 7.1).
 *
 * Return: 0; -3 if @liobn is unknown, its PHB has ddw off, or the window is not enabled; -1 if
 * the window was removed but the default window could not be allocated again (the PHB is then
 * left without windows).
 */
DMAWIN_API int32_t dmawin_papr_rtas_remove_pe_dma_window(struct dmawin_papr *m, uint32_t liobn);

/**
 * dmawin_papr_rtas_reset_pe_dma_window - ibm,reset-pe-dma-window: disable every window of the
 * PHB and restore the default one, zeroed. The PE's EEH state is left as it is.
 *
 * Return: 0; -3 if the BUID is not a PHB with ddw on; -1 if the default table cannot be
 * allocated.
 */
DMAWIN_API int32_t dmawin_papr_rtas_reset_pe_dma_window(struct dmawin_papr *m, uint32_t config_addr,
							uint32_t buid_hi, uint32_t buid_lo);

/**
 * dmawin_papr_rtas_reset_pe_dma_window_mode - ibm,reset-pe-dma-window with the fourth input of
 * the limited-addressing extension (PAPR 2.13): reset as the 3-input call does, then put the
 * PHB in limited addressing mode (@limited_addr 1) or take it out (0).
 *
 * The 3-input call, machine reset and snapshot restore take the PHB out of the mode (the
 * snapshot format does not hold it); the auto-restore of the default window by remove keeps it.
 * Return: 0; -3 if the BUID is not a PHB with ddw on and ddw_limited_addr (QEMU answers any
 * 4-input reset with -3), or @limited_addr is neither 0 nor 1 (nothing changes then); -1 if the
 * default table cannot be allocated (the mode is unchanged).
 */
DMAWIN_API int32_t dmawin_papr_rtas_reset_pe_dma_window_mode(struct dmawin_papr *m,
							     uint32_t config_addr, uint32_t buid_hi,
							     uint32_t buid_lo,
							     uint32_t limited_addr);

/**
 * dmawin_papr_phb_limited_addr - whether PHB position @pos is in limited addressing mode.
 *
 * Return: 1 in the mode, 0 not; -ENOENT if @pos is out of range.
 */
DMAWIN_API int dmawin_papr_phb_limited_addr(struct dmawin_papr *m, unsigned pos);

/* ---- Device-side view ----------------------------------------------------------------------- */

/* QEMU's spapr_iommu_xlate fields for one access. */
struct dmawin_papr_xlate {
	uint64_t iova;		  /* the window-relative address, masked to the page */
	uint64_t translated_addr; /* tce & ~(page_size - 1); 0 on a miss */
	uint64_t addr_mask;	  /* page_size - 1; ~0 on a miss */
	uint32_t perm;		  /* tce & 3; 0 on a miss */
};

/**
 * dmawin_papr_xlate - translate the window-relative address @addr of @liobn as QEMU's
 * spapr_tce_translate_iommu does (no permission check: the caller compares @out->perm).
 *
 * Return: 0 (a miss outside the table gives perm 0 and mask ~0); -ENOENT if @liobn is unknown;
 * -EINVAL if @out is NULL.
 */
DMAWIN_API int dmawin_papr_xlate(struct dmawin_papr *m, uint64_t liobn, uint64_t addr,
				 struct dmawin_papr_xlate *out);

/**
 * dmawin_papr_dma_read - a device behind PHB position @pos reads @len bytes at bus address
 * @bus_addr: the window is chosen by address, every page must be mapped with read permission.
 *
 * A convenience for tests and tools (it makes a pe device handle per call); a device model
 * wanting speed creates its own with dmawin_pe_dev_create() on dmawin_papr_phb_pe().
 * Return: 0; -EFAULT if a page misses a window, is unmapped, lacks the permission or targets no
 * guest RAM (the pages before it are moved, as pe does); -EIO if the PE's DMA is frozen (EEH);
 * -ENOENT if @pos is out of range; -ENOMEM.
 */
DMAWIN_API int dmawin_papr_dma_read(struct dmawin_papr *m, unsigned pos, uint64_t bus_addr,
				    void *dst, size_t len);

/** dmawin_papr_dma_write - as dmawin_papr_dma_read(), writing; needs write permission. */
DMAWIN_API int dmawin_papr_dma_write(struct dmawin_papr *m, unsigned pos, uint64_t bus_addr,
				     const void *src, size_t len);

struct dmawin_pe;

/** dmawin_papr_phb_pe - the pe layer's PE behind PHB position @pos (NULL if out of range). */
DMAWIN_API struct dmawin_pe *dmawin_papr_phb_pe(struct dmawin_papr *m, unsigned pos);

/* ---- IOMMU notifier -------------------------------------------------------------------------- */

enum dmawin_papr_event_type {
	DMAWIN_PAPR_EV_MAP = 1,	       /* an entry was written with permission bits */
	DMAWIN_PAPR_EV_UNMAP = 2,      /* an entry was written without permission bits */
	DMAWIN_PAPR_EV_WINDOW_ADD = 3, /* a window was enabled (create, reset, restore) */
	DMAWIN_PAPR_EV_WINDOW_DEL = 4, /* a window was disabled (remove, reset, restore) */
};

struct dmawin_papr_event {
	enum dmawin_papr_event_type type;
	uint32_t phb_index;
	uint32_t liobn;
	uint64_t bus_offset; /* window start */
	uint32_t page_shift;
	uint64_t window_size;	  /* bytes */
	uint64_t iova;		  /* MAP/UNMAP: window-relative address of the page */
	uint64_t translated_addr; /* MAP: tce & ~(page_size - 1); UNMAP: 0 */
	uint64_t addr_mask;	  /* page_size - 1 */
	uint32_t perm;		  /* tce & 3 */
	uint64_t tce;		  /* MAP/UNMAP: the raw value stored */
};

typedef void (*dmawin_papr_notify_fn)(void *opaque, const struct dmawin_papr_event *ev);

/**
 * dmawin_papr_notifier_add - call @fn for every event (notifiers are called in registration
 * order; a slot freed by a removal is reused by the next registration).
 * @id: receives a handle for dmawin_papr_notifier_remove().
 *
 * Return: 0; -EINVAL if @fn is NULL; -ENOSPC past DMAWIN_PAPR_MAX_NOTIFIERS.
 */
DMAWIN_API int dmawin_papr_notifier_add(struct dmawin_papr *m, dmawin_papr_notify_fn fn,
					void *opaque, int *id);

#define DMAWIN_PAPR_MAX_NOTIFIERS 16

/** dmawin_papr_notifier_remove - unregister @id. Return: 0; -ENOENT if not registered. */
DMAWIN_API int dmawin_papr_notifier_remove(struct dmawin_papr *m, int id);

/* ---- Trace hook (QEMU trace events, for replay and comparison) ------------------------------ */

enum dmawin_papr_trace_type {
	DMAWIN_PAPR_TR_PUT = 1,	   /* spapr_iommu_[pci_]put */
	DMAWIN_PAPR_TR_GET,	   /* spapr_iommu_[pci_]get */
	DMAWIN_PAPR_TR_INDIRECT,   /* spapr_iommu_[pci_]indirect */
	DMAWIN_PAPR_TR_STUFF,	   /* spapr_iommu_[pci_]stuff */
	DMAWIN_PAPR_TR_NEW_TABLE,  /* spapr_iommu_new_table */
	DMAWIN_PAPR_TR_DDW_QUERY,  /* spapr_iommu_ddw_query */
	DMAWIN_PAPR_TR_DDW_CREATE, /* spapr_iommu_ddw_create */
	DMAWIN_PAPR_TR_DDW_REMOVE, /* spapr_iommu_ddw_remove */
	DMAWIN_PAPR_TR_DDW_RESET,  /* spapr_iommu_ddw_reset */
};

/*
 * One event with the fields QEMU prints, emitted exactly when QEMU would emit it (spec §7):
 * put/get always; indirect/stuff not on their early H_PARAMETER returns; create only on success.
 */
struct dmawin_papr_trace {
	enum dmawin_papr_trace_type type;
	bool pci; /* liobn & 0x80000000: QEMU uses the spapr_iommu_pci_* name */
	uint64_t liobn;
	uint64_t ioba;	 /* put/get: masked ioba (raw if the LIOBN is unknown); indirect: as
			  * passed; stuff: the ioba after the loop */
	uint64_t tce;	 /* put/get: tce; indirect: tcelist; stuff: tcevalue */
	uint64_t iobaN;	 /* indirect: index of the last entry processed */
	uint64_t tceN;	 /* indirect: the last value read */
	uint64_t npages; /* stuff */
	int64_t ret;	 /* hcall return code */
	uint64_t buid;	 /* ddw query/create/reset */
	uint32_t cfgaddr;
	uint32_t windows_available; /* query */
	uint64_t max_window_size;   /* query: QEMU prints the constant 0x80000000 */
	uint32_t mask;		    /* query: page-size mask */
	uint64_t page_size;	    /* create: 1 << page_shift */
	uint64_t requested;	    /* create: 1 << window_shift */
	uint64_t start;		    /* create: bus address */
};

typedef void (*dmawin_papr_trace_fn)(void *opaque, const struct dmawin_papr_trace *ev);

/** dmawin_papr_set_trace - install (or with NULL remove) the trace callback. */
DMAWIN_API void dmawin_papr_set_trace(struct dmawin_papr *m, dmawin_papr_trace_fn fn, void *opaque);

/* ---- Snapshot and restore ------------------------------------------------------------------ */

#define DMAWIN_PAPR_SNAPSHOT_VERSION 1

/**
 * dmawin_papr_snapshot_save - write the IOMMU state of every PHB (windows: LIOBN, bus offset,
 * page shift, nb_table, default flag, all entries; EEH state) to @path.
 *
 * Written to a temporary file in the same directory, fsync()ed, then renamed over @path (and
 * the directory fsync()ed): a crash leaves either the old file or the new one.
 * Return: 0; -errno of the failing system call (the temporary file is removed); -EINVAL for a
 * NULL/empty @path.
 */
DMAWIN_API int dmawin_papr_snapshot_save(struct dmawin_papr *m, const char *path);

/**
 * dmawin_papr_snapshot_restore - replace the IOMMU state of @m with the one saved in @path.
 * @why: receives a one-line reason on failure; may be NULL.
 *
 * Everything is read and checked before anything changes: on any error @m is unchanged.
 * Return: 0; -EINVAL for a NULL/empty @path or one that is not a regular file; -errno if @path
 * cannot be read; -EBADMSG if the file is truncated, corrupt
 * (bad magic, checksum mismatch, impossible values); -EPROTONOSUPPORT if it comes from a newer
 * format version; -EXDEV if it cannot be placed on this machine: a PHB (by BUID) missing, a
 * window whose start address is not where this PHB's configuration (dma_win_addr,
 * dma64_win_addr, placement) would put a window of that slot, a page size not offered by pgsz,
 * a size this PHB cannot create, or more windows than max_windows; -ENOMEM.
 */
DMAWIN_API int dmawin_papr_snapshot_restore(struct dmawin_papr *m, const char *path, char *why,
					    size_t len);

DMAWIN_END_DECLS

#endif
