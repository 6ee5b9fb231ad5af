/* SPDX-License-Identifier: MIT */
/*
 * dmawin/guest.h - a Linux pseries guest's DMA policy (arch/powerpc/platforms/pseries/iommu.c,
 * Linux 5.15 .. 6.x, "mid" in ../shared/spec/papr-ddw.md §5), driving a `struct dmawin_papr`
 * only through hcalls and RTAS calls, as a real guest does.
 *
 * Concepts
 *  - A `struct dmawin_guest` is the IOMMU part of one guest kernel on one machine. It reads the
 *    machine's "device tree" (ibm,dma-window, ibm,ddw-applicable, ibm,ddw-extensions,
 *    hcall-multi-tce, the memory nodes and ibm,lrdr-capacity) and owns a small part of guest
 *    RAM, the "kernel memory" (kmem), for its TCE list page and coherent DMA buffers.
 *  - Devices are added with a PHB index, a bus/devfn and the DMA mask their driver asks for.
 *    The PE is the whole PHB (as on QEMU): every device of a PHB shares its windows.
 *  - Boot (dmawin_guest_boot()) does what the kernel does, in the same order: for every PHB in
 *    configuration order it sets up an IOMMU table for the default window and clears it
 *    (H_STUFF_TCE 0 in chunks of 512, or H_PUT_TCE 0 per TCE without multi-TCE); then it
 *    probes the devices in the order they were added. A probe sets the device's DMA mask:
 *      * below 64 bits, or with disable_ddw: the device uses the default window (dynamic TCEs),
 *        unless ddw_for_masks_above_32 mirrors a 2025 kernel (limited addressing, see there);
 *      * 64 bits: Dynamic DMA Window. Query (6 outputs when ibm,ddw-extensions says so), take
 *        the biggest page size offered, size the window to cover the highest memory address
 *        including hotpluggable memory (or MAX_PHYSMEM_BITS with ibm,pmemory), create it and
 *        map all RAM into it once (H_PUT_TCE_INDIRECT of <= 512 TCEs from a list page written
 *        into guest RAM, or H_PUT_TCE per TCE); later DMA maps are an address computation
 *        ("direct"). If the largest block cannot cover that, the biggest window the block allows
 *        is created and used like the default window ("indirect DDW", seed 001). With no window
 *        available the default window is cleared and removed first, and restored with
 *        ibm,reset-pe-dma-windows if anything fails. A PE whose DDW failed is never retried; a
 *        PE with a DDW gives it to its next 64-bit device.
 *  - Indirect mapping allocates IOVAs in the window with Linux's pool allocator (bitmap, four
 *    pools plus the top-quarter large pool, hint bumped to 16-entry blocks; spec vfio note §7)
 *    or with the `iova` layer, then writes TCEs (H_PUT_TCE for one page, H_PUT_TCE_INDIRECT for
 *    more) and clears them on unmap (H_STUFF_TCE, or H_PUT_TCE 0 without multi-TCE).
 *  - The DMA API works on guest physical addresses: map/unmap a single range or a
 *    scatter-gather list (contiguous runs merged up to the device's max segment size), and
 *    coherent allocations (zeroed pages of kmem, mapped bidirectionally). When the window is
 *    exhausted the call fails with -ENOSPC and nothing stays mapped.
 *  - Every hcall and RTAS call is counted (struct dmawin_guest_stats). With a trace sink the
 *    calls are also written as QEMU trace lines (spec §7 formats), so a run can be diffed
 *    against a real QEMU trace.
 *
 * Concurrency: the DMA API (map/unmap/sg/coherent) may be called from several threads at once;
 * each IOMMU table has its own lock (as Linux has per-pool locks) and a direct-mapped device
 * takes no lock at all. Boot, probe, mask changes, device/PHB removal, memory online/offline,
 * the trace sink and destroy must not run concurrently with any other call on the same guest.
 * The machine (papr) serialises the hcalls themselves.
 *
 * Ranges: "end" is exclusive, "last" is inclusive. DMA addresses returned are bus addresses.
 */
#ifndef DMAWIN_GUEST_H
#define DMAWIN_GUEST_H

#include "dmawin/dmawin.h"
#include "dmawin/papr.h"

DMAWIN_BEGIN_DECLS

struct dmawin_guest;

/* Linux's enum dma_data_direction values. */
enum dmawin_guest_dir {
	DMAWIN_GUEST_BIDIRECTIONAL = 0,
	DMAWIN_GUEST_TO_DEVICE = 1,   /* the device reads memory: TCE read bit only */
	DMAWIN_GUEST_FROM_DEVICE = 2, /* the device writes memory: TCE read and write bits */
};

/* How IOVAs are allocated in a window used for indirect mapping. */
enum dmawin_guest_allocator {
	DMAWIN_GUEST_ALLOC_POOL = 0, /* Linux's arch/powerpc/kernel/iommu.c bitmap and pools */
	DMAWIN_GUEST_ALLOC_IOVA = 1, /* the dmawin iova layer (top-down, naturally aligned) */
};

/* How a probed device does DMA. */
enum dmawin_guest_mode {
	DMAWIN_GUEST_MODE_NONE = 0,	 /* not probed, or no usable window (maps fail -ENODEV) */
	DMAWIN_GUEST_MODE_DEFAULT = 1,	 /* dynamic TCEs in the default 32-bit window */
	DMAWIN_GUEST_MODE_DIRECT = 2,	 /* DDW mapping all RAM: dma = phys + window start */
	DMAWIN_GUEST_MODE_DDW_TABLE = 3, /* DDW too small for all RAM: dynamic TCEs in it */
};

/*
 * The Linux generation whose pseries DMA set-up (arch/powerpc/platforms/pseries/iommu.c) the
 * guest follows; doc/guest.md lists what differs. Zero is 6.1, the only kernel this layer knew
 * before the setting existed, so a zero-filled config keeps its meaning;
 * dmawin_guest_config_init() picks DMAWIN_GUEST_KERNEL_NEWEST.
 */
enum dmawin_guest_kernel {
	DMAWIN_GUEST_KERNEL_6_1 = 0,  /* Linux 6.1 (Debian 12) */
	DMAWIN_GUEST_KERNEL_6_12 = 1, /* Linux 6.12 (Debian 13, Debian 12 backports) */
};
#define DMAWIN_GUEST_KERNEL_NEWEST DMAWIN_GUEST_KERNEL_6_12

struct dmawin_guest_config {
	enum dmawin_guest_kernel kernel;
	/* Kernel PAGE_SHIFT, 12 or 16; 0 = the generation's Debian ppc64el build: 16 (64 KiB
	 * pages) for 6.1, 12 (4 KiB pages) for 6.12. */
	unsigned page_shift;
	bool disable_ddw;  /* kernel parameter "disable_ddw" */
	bool multitce_off; /* kernel parameter "multitce=off" (also off without hcall-multi-tce) */
	bool novmerge;	   /* kernel parameter "iommu=novmerge": no merging of SG segments */
	bool pmem_present; /* the device tree has an ibm,pmemory node */
	/* An option on top of @kernel, whichever it is: the limited-addressing rule of a 2025
	 * kernel (Linux commit 67dfc11982f7, PAPR 2.13, after 6.12): a mask of 33..63 bits also
	 * asks for a DDW. It needs the PHB to advertise the
	 * limited-addressing extension (ibm,ddw-extensions cell 3 = 1, papr's ddw_limited_addr):
	 * the guest resets the PE with the 4-input ibm,reset-pe-dma-windows (limited mode), caps
	 * the window at fls64(mask) = the mask's bits and uses it only if it lies within the mask
	 * (direct: the whole window; dynamic TCEs: its start). Otherwise the PE is on the failed
	 * list (and reset back to normal mode if it got that far) and the device stays on the
	 * default window. Off (default): only a 64-bit mask asks, as in 6.1 and 6.12. */
	bool ddw_for_masks_above_32;
	/* MAX_PHYSMEM_BITS of the kernel; 0 = 51 (ppc64 book3s, Linux 6.1). */
	unsigned max_physmem_bits;
	enum dmawin_guest_allocator allocator;
	/* Guest RAM [kmem_start, kmem_start + kmem_size) owned by the model's kernel: the TCE list
	 * page and coherent buffers come from it. kmem_size 0 = the last 8 MiB of the RAM at 0
	 * (or of the whole RAM when smaller than 16 MiB, half of it). Must be kernel-page aligned
	 * RAM. */
	uint64_t kmem_start;
	uint64_t kmem_size;
};

struct dmawin_guest_device_config {
	const char *name;   /* e.g. "nvme"; copied, for messages only; NULL = "" */
	uint32_t phb_index; /* QEMU PHB index the device sits behind */
	uint8_t bus;
	uint8_t devfn; /* slot << 3 | function */
	/* The mask the driver passes to dma_set_mask(): 32..64 bits. */
	unsigned dma_mask_bits;
	/* dma_parms: max segment size (0 = 65536, the PCI default) and segment boundary mask
	 * (0 = 0xffffffff, the PCI default). */
	uint64_t max_seg_size;
	uint64_t seg_boundary_mask;
};

struct dmawin_guest_device_info {
	enum dmawin_guest_mode mode;
	unsigned dma_mask_bits;
	uint32_t liobn;	       /* the window the device uses (0 when mode NONE) */
	uint64_t window_start; /* its bus address */
	uint64_t window_size;  /* bytes */
	unsigned page_shift;   /* its IOMMU page shift */
	uint64_t dma_offset;   /* DIRECT: bus address = phys + dma_offset */
	uint64_t direct_limit; /* DIRECT with ibm,pmemory too big: phys below it go direct */
};

/* One entry of a scatter-gather list (Linux's struct scatterlist, reduced). */
struct dmawin_guest_sg {
	uint64_t phys;	      /* in: guest physical address */
	uint64_t len;	      /* in: bytes, > 0 */
	uint64_t dma_address; /* out: bus address of the output segment starting here */
	uint64_t dma_len;     /* out: its length (0 for entries merged into a previous one) */
};

struct dmawin_guest_stats {
	uint64_t h_put_tce;	     /* H_PUT_TCE calls */
	uint64_t h_put_tce_indirect; /* H_PUT_TCE_INDIRECT calls */
	uint64_t h_stuff_tce;	     /* H_STUFF_TCE calls */
	uint64_t hcall_errors;	     /* hcalls that returned anything but H_SUCCESS */
	uint64_t rtas_query, rtas_create, rtas_remove, rtas_reset;
	uint64_t rtas_errors;
	uint64_t tces_set;     /* TCEs written with permission bits */
	uint64_t tces_cleared; /* TCEs written as 0 */
	uint64_t maps;	       /* successful map_single / sg segment / coherent maps */
	uint64_t unmaps;
	uint64_t direct_maps;	  /* maps served by address computation (no hcall) */
	uint64_t map_failures;	  /* maps refused: window exhausted, mask, hcall error */
	uint64_t ddw_created;	  /* DDWs created (direct or indirect) */
	uint64_t ddw_reused;	  /* probes that found their PE's DDW */
	uint64_t ddw_failed;	  /* PEs put on the failed list */
	uint64_t default_removed; /* default windows removed to make room for a DDW */
};

struct dmawin_guest_window_stats {
	uint32_t liobn;
	uint64_t entries;  /* TCEs in the window */
	uint64_t used;	   /* entries allocated by the DMA API (occupancy) */
	uint64_t reserved; /* entries never allocated (entry 0 at bus 0, the 32-bit MMIO hole) */
	bool direct;	   /* a direct window: all RAM mapped, no allocator */
};

/**
 * dmawin_guest_config_init - fill @cfg with the defaults: the newest modelled kernel
 * (DMAWIN_GUEST_KERNEL_NEWEST) with its page size, DDW on, multi-TCE on, merging on, no pmem,
 * MAX_PHYSMEM_BITS 51, the pool allocator, kmem at the end of RAM.
 */
DMAWIN_API void dmawin_guest_config_init(struct dmawin_guest_config *cfg);

/**
 * dmawin_guest_kernel_from_name - the generation called @name ("6.1", "6.12").
 *
 * Return: 0 and *@kernel; -EINVAL for any other text (or NULL).
 */
DMAWIN_API int dmawin_guest_kernel_from_name(const char *name, enum dmawin_guest_kernel *kernel);

/** dmawin_guest_kernel_name - "6.1", "6.12", or NULL for a value that is no generation. */
DMAWIN_API const char *dmawin_guest_kernel_name(enum dmawin_guest_kernel kernel);

/**
 * dmawin_guest_page_shift_from_name - the kernel PAGE_SHIFT for @name: "4K" 12, "64K" 16
 * (a lower-case k too).
 *
 * Return: 0 and *@shift; -EINVAL for any other text (or NULL).
 */
DMAWIN_API int dmawin_guest_page_shift_from_name(const char *name, unsigned *shift);

/**
 * dmawin_guest_create - a guest kernel on machine @m (which must outlive it).
 * @cfg: NULL = dmawin_guest_config_init() defaults.
 *
 * Nothing is called on the machine yet (see dmawin_guest_boot()).
 * Return: 0; -EINVAL if the kernel is no generation, page_shift is not 0, 12 or 16,
 * max_physmem_bits is out of 32..63, the allocator is unknown, or kmem is not kernel-page aligned
 * RAM of at least two pages; -ENOMEM.
 */
DMAWIN_API int dmawin_guest_create(struct dmawin_papr *m, const struct dmawin_guest_config *cfg,
				   struct dmawin_guest **out);

/** dmawin_guest_destroy - free @g (NULL is a no-op). No hcall is made: TCEs stay as they are. */
DMAWIN_API void dmawin_guest_destroy(struct dmawin_guest *g);

/**
 * dmawin_guest_mask_for_qemu_device - the DMA mask Linux's driver for QEMU device type @type
 * sets: nvme, virtio-*-pci, e1000e, qemu-xhci, megasas, vfio-pci... 64 bits; e1000 (82540EM on
 * a conventional PCI bus, its driver asks for 64 bits only on PCI-X), rtl8139, pcnet 32 bits.
 *
 * Return: 0 and *@bits; -ENOENT for a type the table does not know.
 */
DMAWIN_API int dmawin_guest_mask_for_qemu_device(const char *type, unsigned *bits);

/**
 * dmawin_guest_device_add - declare a device (before or after boot; after boot it is probed
 * by dmawin_guest_probe()).
 * @id: receives the device's number (0, 1, ... in the order of addition).
 *
 * Return: 0; -EINVAL for a NULL @cfg, a mask outside 32..64, or a max_seg_size / boundary
 * mask that is not usable (boundary mask + 1 not a power of two, or below 4 KiB); -ENODEV if
 * the machine has no PHB with that index; -EEXIST if bus/devfn is taken on that PHB; -ENOSPC
 * past DMAWIN_GUEST_MAX_DEVICES; -ENOMEM.
 */
DMAWIN_API int dmawin_guest_device_add(struct dmawin_guest *g,
				       const struct dmawin_guest_device_config *cfg, unsigned *id);

#define DMAWIN_GUEST_MAX_DEVICES 256

/**
 * dmawin_guest_boot - the kernel's PCI/IOMMU bring-up: a table per PHB default window,
 * cleared, then every device added so far probed in order (dmawin_guest_probe()).
 *
 * A device whose probe fails stays in mode NONE; boot goes on (as the kernel does).
 * Return: 0; -EALREADY if already booted; -ENOMEM; -EIO if an hcall of the clearing failed.
 */
DMAWIN_API int dmawin_guest_boot(struct dmawin_guest *g);

/**
 * dmawin_guest_probe - driver probe of device @id: dma_set_mask() with its configured mask
 * (then dma_set_coherent_mask(), which finds the same window).
 *
 * Return: 0 (the device has a window; see dmawin_guest_device_info()); -ENOENT for an unknown
 * @id; -EAGAIN before boot; -EALREADY if probed and not removed; -EIO if no window can serve
 * the mask (the default window was removed, or lies above the mask).
 */
DMAWIN_API int dmawin_guest_probe(struct dmawin_guest *g, unsigned id);

/**
 * dmawin_guest_set_dma_mask - dma_set_mask(@bits) again on a probed device (e.g. a driver that
 * falls back from 64 to 32 bits). The device must have no live mapping.
 *
 * Return: 0; -EINVAL for @bits outside 32..64; -ENOENT; -EAGAIN if not probed; -EBUSY with
 * live mappings; -EIO as dmawin_guest_probe() (the old mode is kept then).
 */
DMAWIN_API int dmawin_guest_set_dma_mask(struct dmawin_guest *g, unsigned id, unsigned bits);

/**
 * dmawin_guest_device_info - how device @id does DMA now.
 *
 * Return: 0; -ENOENT for an unknown @id.
 */
DMAWIN_API int dmawin_guest_device_info(struct dmawin_guest *g, unsigned id,
					struct dmawin_guest_device_info *info);

/**
 * dmawin_guest_device_remove - hot-unplug of device @id (driver unbound first). Its PE keeps
 * its windows (they belong to the PHB); the number can be probed again.
 *
 * Return: 0; -ENOENT; -EBUSY while the device has live mappings (nothing changes).
 */
DMAWIN_API int dmawin_guest_device_remove(struct dmawin_guest *g, unsigned id);

/**
 * dmawin_guest_phb_remove - hot-unplug of PHB @phb_index (OF_RECONFIG_DETACH_NODE): every
 * device on it must be removed; its DDW, if any, is cleared (H_STUFF_TCE) and removed
 * (ibm,remove-pe-dma-window), its tables freed and its failed-DDW mark dropped. Adding
 * devices to it and dmawin_guest_phb_setup() bring it back.
 *
 * Return: 0; -ENODEV for an unknown or already removed PHB; -EBUSY while a device is still on
 * it; -EIO if the machine refused the remove (the guest forgets the window anyway).
 */
DMAWIN_API int dmawin_guest_phb_remove(struct dmawin_guest *g, uint32_t phb_index);

/**
 * dmawin_guest_phb_setup - set up (again) the default-window table of PHB @phb_index and
 * clear it, as boot does; for a PHB hot-plugged or reset (ibm,reset-pe-dma-windows) by the
 * machine. Not needed after dmawin_guest_boot() for the PHBs present then.
 *
 * Return: 0; -ENODEV for an unknown PHB; -EBUSY if its table exists; -EAGAIN before boot;
 * -ENOMEM; -EIO if clearing failed.
 */
DMAWIN_API int dmawin_guest_phb_setup(struct dmawin_guest *g, uint32_t phb_index);

/**
 * dmawin_guest_memory_online - memory hotplug (MEM_GOING_ONLINE): map [@gpa, @gpa + @size),
 * which must be guest RAM, into every direct DDW that covers it.
 *
 * Return: 0; -EINVAL for a zero, misaligned (kernel page) or overflowing range; -EFAULT if not
 * RAM; -EIO if an hcall failed (what was mapped is cleared again).
 */
DMAWIN_API int dmawin_guest_memory_online(struct dmawin_guest *g, uint64_t gpa, uint64_t size);

/**
 * dmawin_guest_memory_offline - MEM_OFFLINE: clear [@gpa, @gpa + @size) in every direct DDW.
 *
 * Return: 0; -EINVAL as dmawin_guest_memory_online(); -EIO if an hcall failed.
 */
DMAWIN_API int dmawin_guest_memory_offline(struct dmawin_guest *g, uint64_t gpa, uint64_t size);

/* ---- DMA API ------------------------------------------------------------------------------- */

/**
 * dmawin_guest_map_single - dma_map_single(): make [@phys, @phys + @len) reachable by device
 * @id in direction @dir.
 * @dma: the bus address of @phys.
 *
 * Return: 0; -EINVAL for @len 0, an overflowing range or a bad @dir; -ENOENT for an unknown
 * device; -ENODEV if it has no window; -ERANGE if a direct address would exceed its mask or the
 * range is outside the direct window; -ENOSPC if the window has no room (or none below the
 * mask); -EIO if the machine refused the TCEs (nothing stays mapped).
 */
DMAWIN_API int dmawin_guest_map_single(struct dmawin_guest *g, unsigned id, uint64_t phys,
				       uint64_t len, enum dmawin_guest_dir dir, uint64_t *dma);

/**
 * dmawin_guest_unmap_single - dma_unmap_single() of a mapping made by map_single.
 *
 * Return: 0; -EINVAL for @len 0 or an overflowing range; -ENOENT for an unknown device or a
 * range that is not (entirely) mapped in its window; -ENODEV if it has no window; -EIO if the
 * clearing hcall failed (the IOVAs are not reused then).
 */
DMAWIN_API int dmawin_guest_unmap_single(struct dmawin_guest *g, unsigned id, uint64_t dma,
					 uint64_t len, enum dmawin_guest_dir dir);

/**
 * dmawin_guest_map_sg - dma_map_sg(): map every entry of @sg; entries that land right after
 * the previous one in bus space are merged (up to max_seg_size, unless novmerge).
 * @nents: the number of output segments (entries with dma_len > 0).
 *
 * Return: 0; -EINVAL for @n 0, NULL @sg, an empty or overflowing entry or a bad @dir; others as
 * dmawin_guest_map_single(). On failure nothing stays mapped.
 */
DMAWIN_API int dmawin_guest_map_sg(struct dmawin_guest *g, unsigned id, struct dmawin_guest_sg *sg,
				   size_t n, enum dmawin_guest_dir dir, size_t *nents);

/**
 * dmawin_guest_unmap_sg - dma_unmap_sg() of a list mapped by dmawin_guest_map_sg().
 *
 * Return: 0; as dmawin_guest_unmap_single() for each output segment (it stops at the first
 * segment that is not mapped, leaving the earlier ones unmapped).
 */
DMAWIN_API int dmawin_guest_unmap_sg(struct dmawin_guest *g, unsigned id,
				     const struct dmawin_guest_sg *sg, size_t n,
				     enum dmawin_guest_dir dir);

/**
 * dmawin_guest_alloc_coherent - dma_alloc_coherent(): zeroed kmem pages (the size rounded up to
 * a power-of-two number of kernel pages), mapped bidirectionally.
 * @phys: guest physical address of the buffer; @dma: its bus address.
 *
 * Return: 0; -EINVAL for @size 0 or above 2^13 kernel pages (Linux's IOMAP_MAX_ORDER); -ENOMEM
 * if kmem is exhausted; others as dmawin_guest_map_single().
 */
DMAWIN_API int dmawin_guest_alloc_coherent(struct dmawin_guest *g, unsigned id, uint64_t size,
					   uint64_t *phys, uint64_t *dma);

/**
 * dmawin_guest_free_coherent - dma_free_coherent() of a buffer from alloc_coherent.
 *
 * Return: 0; -EINVAL for @size 0; -ENOENT if @phys/@dma are not such a buffer of device @id;
 * -EIO as dmawin_guest_unmap_single().
 */
DMAWIN_API int dmawin_guest_free_coherent(struct dmawin_guest *g, unsigned id, uint64_t size,
					  uint64_t phys, uint64_t dma);

/* ---- Statistics and tracing ------------------------------------------------------------------ */

/** dmawin_guest_get_stats - copy the counters into @stats. */
DMAWIN_API void dmawin_guest_get_stats(struct dmawin_guest *g, struct dmawin_guest_stats *stats);

/**
 * dmawin_guest_window_stats - occupancy of the guest's table for window @liobn.
 *
 * Return: 0; -ENOENT if the guest has no table for @liobn.
 */
DMAWIN_API int dmawin_guest_window_stats(struct dmawin_guest *g, uint32_t liobn,
					 struct dmawin_guest_window_stats *ws);

/** A sink for QEMU-format trace lines (no "pid@time:" prefix, no newline). */
typedef void (*dmawin_guest_line_fn)(void *opaque, const char *line);

/**
 * dmawin_guest_set_trace - write every IOMMU event of the machine as a QEMU trace line to
 * @fn (NULL removes it). This installs the machine's trace hook (dmawin_papr_set_trace()),
 * replacing any other.
 */
DMAWIN_API void dmawin_guest_set_trace(struct dmawin_guest *g, dmawin_guest_line_fn fn,
				       void *opaque);

/**
 * dmawin_guest_format_trace - format @ev as QEMU 7.2's log backend prints it (event name and
 * fields, spec §7; no prefix, no newline). new_table lines print "table=(nil) fd=-1".
 *
 * Return: the length of the line (as snprintf, it may exceed @len - 1: then it is truncated);
 * -EINVAL for an unknown event type.
 */
DMAWIN_API int dmawin_guest_format_trace(const struct dmawin_papr_trace *ev, char *buf, size_t len);

DMAWIN_END_DECLS

#endif
