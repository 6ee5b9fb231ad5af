/* SPDX-License-Identifier: MIT */
/*
 * dmawin/sim.h - scenarios, the window planner and the simulation reports.
 *
 * Concepts
 *  - A scenario (`struct dmawin_sim_scenario`) describes one pseries machine and its devices: guest
 *    RAM (size, hotplug maximum, backing page size), the PHBs with QEMU's property names (inside
 *    the embedded `struct dmawin_papr_config`), the guest kernel's DMA options (`disable_ddw`,
 *    multi-TCE), and the devices (name, kind, DMA mask, PHB, VFIO or not) each with a workload.
 *    Scenarios are JSON files (doc/scenarios.md has the schema) read with jansson; an embedded
 *    default tells the story of seeds 000 and 001. A scenario that loaded passed every check,
 *    including dmawin_papr_config_check().
 *  - Errors while loading name the file, the JSON path ($.devices[2].dma_mask) and the problem;
 *    syntax errors also give line and column. Unknown keys are errors, as is any out-of-range
 *    value: a scenario is all good or it is refused.
 *  - The planner (dmawin_sim_plan_create()) answers, without running anything, which window
 *    serves each device: for each candidate (the default window, a DDW at 1<<59, a DDW in the
 *    4GB mode of seed 000, the host's TCE bypass) whether the DMA mask reaches it, the biggest
 *    usable IOMMU page, direct or indirect mapping, TCEs and table bytes (measured on real `tce`
 *    tables of that geometry), and the recommendation with its reason. dmawin_sim_plan_target()
 *    checks that every live window can be placed at the same bus address on another machine
 *    (hotplug of a VFIO device, migration: seed 000).
 *  - The simulation (dmawin_sim_run()) builds the machine with the real layers, probes the devices
 *    as the guest would, runs the workloads with real DMA into guest RAM and fills a
 *    `struct dmawin_sim_report`. A device whose layer is not in this build is reported as not run,
 *    with the reason, never with made-up numbers.
 *  - Output: reports and plans print as text, as one JSON object, or (reports) as an SVG picture
 *    of each PHB's bus address space on a log axis. The printers write only to the FILE given.
 *
 * Concurrency: scenarios, plans and reports are plain data; functions on distinct objects may run
 * in parallel. A run uses its own machine.
 */
#ifndef DMAWIN_SIM_H
#define DMAWIN_SIM_H

#include <stdio.h>

#include "dmawin/dmawin.h"
#include "dmawin/guest.h"
#include "dmawin/papr.h"
#include "dmawin/papr_qemu.h"

DMAWIN_BEGIN_DECLS

#define DMAWIN_SIM_NAME_MAX    48
#define DMAWIN_SIM_TEXT_MAX    256
#define DMAWIN_SIM_MAX_DEVICES 64

/* ---- Scenarios ---------------------------------------------------------------------------- */

enum dmawin_sim_kind {
	DMAWIN_SIM_NIC = 0,
	DMAWIN_SIM_NVME = 1,
	DMAWIN_SIM_GPU = 2,
	DMAWIN_SIM_VF = 3, /* an SR-IOV virtual function */
	/* A PCIe endpoint controller (seed 004): its driver exposes buffers through an ATU into
	 * its own IOMMU domain; no PHB window, no hypervisor. */
	DMAWIN_SIM_EP = 4,
};

enum dmawin_sim_pattern {
	DMAWIN_SIM_RING = 0,   /* a ring of `buffers` buffers of `size` bytes, mapped once */
	DMAWIN_SIM_SG = 1,     /* streaming scatter-gather: `segments` x `size`, map/unmap per op */
	DMAWIN_SIM_RANDOM = 2, /* map/unmap of random sizes in [min_size, max_size] per op */
};

enum dmawin_sim_dir {
	DMAWIN_SIM_TO_DEVICE = 1,     /* the device reads guest RAM */
	DMAWIN_SIM_FROM_DEVICE = 2,   /* the device writes guest RAM */
	DMAWIN_SIM_BIDIRECTIONAL = 3, /* both, alternating */
};

struct dmawin_sim_workload {
	enum dmawin_sim_pattern pattern;
	enum dmawin_sim_dir direction;
	uint32_t buffers;  /* ring: entries */
	uint32_t segments; /* sg: segments per operation */
	uint64_t size;	   /* ring/sg: bytes per buffer or segment */
	uint64_t min_size; /* random */
	uint64_t max_size; /* random */
	uint64_t ops;	   /* simulated operations (DMA transfers) */
};

struct dmawin_sim_device {
	char name[DMAWIN_SIM_NAME_MAX];
	enum dmawin_sim_kind kind;
	unsigned dma_mask_bits; /* 32..64: the mask the driver sets with dma_set_mask() */
	uint32_t phb_index;	/* QEMU index of the PHB it sits on */
	bool vfio;		/* passed through: behind a VFIO sPAPR container on the host */
	struct dmawin_sim_workload workload;
	/* PCI address below its PHB. Set by dmawin_sim_scenario_from_qemu() as QEMU assigned it;
	 * when not set (JSON scenarios) the run gives it QEMU's automatic one: the k-th device of
	 * its PHB gets slot k % 32 on bus k / 32, function 0. */
	bool pci_addr_set;
	uint8_t bus;
	uint8_t devfn; /* slot << 3 | function */
};

struct dmawin_sim_scenario {
	char name[DMAWIN_SIM_NAME_MAX];
	char description[DMAWIN_SIM_TEXT_MAX];
	uint64_t seed; /* workload randomness; dmawin_sim_options.seed overrides it */
	/* RAM, maxmem, machine version and PHBs, with QEMU's names. */
	struct dmawin_papr_config papr;
	uint64_t backing_page_size; /* guest RAM backing page (4K, 64K, 2M, 16M, 1G, 16G) */
	bool phb_bypass[DMAWIN_PAPR_MAX_PHBS]; /* by config position: the host offers TCE bypass */
	/* The guest kernel: its generation ("guest.kernel", DMAWIN_GUEST_KERNEL_NEWEST when not
	 * given) and PAGE_SHIFT ("guest.page_size"; 0 = the generation's, guest.h page_shift). */
	enum dmawin_guest_kernel guest_kernel;
	unsigned guest_page_shift;
	/* The guest kernel's command line. */
	bool disable_ddw;    /* "disable_ddw" */
	bool guest_multitce; /* false for "multitce=off" */
	/* IOVAs of on-demand mappings from the iova layer instead of Linux's pool allocator. */
	bool iova_allocator;
	/* On top of guest_kernel, a 2025 kernel's limited addressing (PAPR 2.13): masks of
	 * 33..63 bits also ask for a DDW, on PHBs with ddw_limited_addr (guest.h
	 * ddw_for_masks_above_32). */
	bool ddw_for_masks_above_32;
	uint32_t nr_devices;
	struct dmawin_sim_device devices[DMAWIN_SIM_MAX_DEVICES];
};

/* Where and why a scenario was refused. */
struct dmawin_sim_error {
	char file[128]; /* the file name, or "<default>", "<qemu-args>" */
	char path[128]; /* JSON path such as "$.phbs[1].pgsz"; "" for syntax errors */
	int line;	/* 1-based for syntax errors; 0 otherwise */
	int column;	/* 1-based for syntax errors; 0 otherwise */
	char text[DMAWIN_SIM_TEXT_MAX]; /* what is wrong */
};

/**
 * dmawin_sim_scenario_load - read and check the scenario in the JSON file @path.
 * @err: filled on failure (may be NULL).
 *
 * Return: 0; -ENOENT/-EACCES/... (negative errno) if the file cannot be read; -EINVAL if it is
 * not valid JSON or not a valid scenario. @out is untouched on failure.
 */
DMAWIN_API int dmawin_sim_scenario_load(const char *path, struct dmawin_sim_scenario *out,
					struct dmawin_sim_error *err);

/**
 * dmawin_sim_scenario_parse - as dmawin_sim_scenario_load() from @len bytes of @text.
 * @file: the name to use in error messages.
 *
 * Return: 0; -EINVAL if the text is not a valid scenario; -ENOMEM.
 */
DMAWIN_API int dmawin_sim_scenario_parse(const char *text, size_t len, const char *file,
					 struct dmawin_sim_scenario *out,
					 struct dmawin_sim_error *err);

/** dmawin_sim_default_json - the embedded default scenario (scenarios/default.json),
 * NUL-terminated. */
DMAWIN_API const char *dmawin_sim_default_json(void);

/**
 * dmawin_sim_scenario_default - load the embedded default scenario.
 * Return: 0; -EINVAL if the embedded text is broken (a build error); -ENOMEM.
 */
DMAWIN_API int dmawin_sim_scenario_default(struct dmawin_sim_scenario *out);

/**
 * dmawin_sim_scenario_from_qemu - a scenario from a QEMU pseries command line and the guest
 * kernel's command line (`disable_ddw`, `multitce=off`; other words are ignored).
 * @kernel_args: may be NULL.
 *
 * Each PCI device that does DMA (`-device`, and QEMU's own defaults without -nodefaults)
 * becomes a device named as dmawin/papr_qemu.h names it, at the PCI address QEMU gives it: nvme
 * an NVMe, anything else a NIC (vfio-pci passed through), with the DMA mask Linux's driver sets
 * (dmawin_guest_mask_for_qemu_device(); 64 bits for a model it does not know) and the default
 * workload of its kind. DIMMs and maxmem become the machine's memory hotplug area.
 * @warnings: receives the parser's warnings (unknown device types, ...) for the caller to
 * print; may be NULL.
 * Return: 0; -EINVAL with @err->text naming the option (from dmawin_papr_qemu_parse()); -E2BIG.
 */
DMAWIN_API int dmawin_sim_scenario_from_qemu(const char *qemu_args, const char *kernel_args,
					     struct dmawin_sim_scenario *out,
					     struct dmawin_qemu_warnings *warnings,
					     struct dmawin_sim_error *err);

/**
 * dmawin_sim_error_format - "FILE:LINE:COL: PATH: TEXT" (line/column and path only when known).
 * Return: the length of the whole text (snprintf semantics).
 */
DMAWIN_API int dmawin_sim_error_format(const struct dmawin_sim_error *err, char *buf, size_t len);

/** dmawin_sim_kind_name - "nic", "nvme", "gpu", "vf", "ep"; "?" for anything else. */
DMAWIN_API const char *dmawin_sim_kind_name(enum dmawin_sim_kind kind);

/* ---- The planner ----------------------------------------------------------------------------- */

enum dmawin_sim_candidate {
	DMAWIN_SIM_CAND_DEFAULT = 0, /* the default 32-bit window (dma_win_addr, 4K pages) */
	DMAWIN_SIM_CAND_DDW = 1,     /* a DDW at 1<<59, QEMU's dma64_win_addr default */
	DMAWIN_SIM_CAND_DDW_4GB = 2, /* a DDW at 4 GiB (dma64_win_addr=0x100000000, seed 000) */
	DMAWIN_SIM_CAND_BYPASS = 3,  /* the host's TCE bypass: all RAM at 1<<59, no TCEs */
	DMAWIN_SIM_NR_CANDIDATES = 4,
};

struct dmawin_sim_plan_option {
	bool configured;      /* the scenario's PHB is set up this way */
	bool offered;	      /* the platform can give it (ddw on, page sizes, budget, bypass) */
	bool reachable;	      /* the DMA mask covers the window's last byte */
	bool direct;	      /* all RAM (up to maxmem) mapped once; else mapped on demand */
	uint64_t start;	      /* bus address */
	uint64_t size;	      /* bytes */
	unsigned page_shift;  /* the biggest usable IOMMU page */
	unsigned levels;      /* TCE table levels (64 KiB levels, as Linux builds them) */
	uint64_t tces;	      /* entries of the table */
	uint64_t table_bytes; /* QEMU's flat table (entries * 8), from tce_footprint */
	uint64_t host_table_bytes;     /* a Linux PowerNV host's table, fully populated */
	char why[DMAWIN_SIM_TEXT_MAX]; /* why not offered / not reachable / indirect, or "" */
};

struct dmawin_sim_plan_device {
	char name[DMAWIN_SIM_NAME_MAX];
	enum dmawin_sim_kind kind;
	unsigned dma_mask_bits;
	uint32_t phb_index;
	bool vfio;
	struct dmawin_sim_plan_option options[DMAWIN_SIM_NR_CANDIDATES];
	/* What the guest gets with the PHB as configured: an enum dmawin_sim_candidate, or -1. */
	int current;
	/* The best choice, possibly after reconfiguring the PHB (then @reason says how), or -1
	 * if nothing reaches the device. */
	int recommended;
	char reason[DMAWIN_SIM_TEXT_MAX];
};

/* A window the planned configuration keeps live on a PHB (what migration must preserve). */
struct dmawin_sim_plan_window {
	uint32_t phb_index;
	uint32_t liobn;
	uint64_t start;
	uint64_t size;
	unsigned page_shift;
	uint64_t tces;
	bool is_default;
};

struct dmawin_sim_plan {
	char scenario[DMAWIN_SIM_NAME_MAX];
	uint64_t ram_size;
	uint64_t maxmem;
	uint32_t nr_devices;
	struct dmawin_sim_plan_device devices[DMAWIN_SIM_MAX_DEVICES];
	uint32_t nr_windows;
	struct dmawin_sim_plan_window windows[2 * DMAWIN_PAPR_MAX_PHBS];
	uint64_t table_bytes_total; /* of the live windows, QEMU layout */
};

/**
 * dmawin_sim_plan_create - plan the windows of every device of @sc.
 * Return: 0; -EINVAL if @sc or @out is NULL or @sc fails its checks; -ENOMEM.
 */
DMAWIN_API int dmawin_sim_plan_create(const struct dmawin_sim_scenario *sc,
				      struct dmawin_sim_plan **out);

/** dmawin_sim_plan_destroy - free @plan (NULL is a no-op). */
DMAWIN_API void dmawin_sim_plan_destroy(struct dmawin_sim_plan *plan);

#define DMAWIN_SIM_MAX_PROBLEMS 64

/* The answer to "can these windows live on that machine?". */
struct dmawin_sim_target_check {
	bool safe;
	/* Filled by the caller from dmawin_sim_migrate_check() when it ran it (the printers show
	 * it): whether papr's restore on the target accepted the source's windows. */
	bool restore_checked;
	int restore_rc;
	char restore_why[DMAWIN_SIM_TEXT_MAX];
	uint32_t nr_problems;
	struct {
		uint32_t phb_index;
		uint64_t start; /* the live window's bus address */
		char text[DMAWIN_SIM_TEXT_MAX];
	} problems[DMAWIN_SIM_MAX_PROBLEMS];
};

/**
 * dmawin_sim_plan_target - whether every live window of @plan can be placed at the same bus
 * address, with the same page size and size, on the machine of @target (hotplug, migration).
 * Return: 0 (the answer is in @out); -EINVAL for a NULL argument.
 */
DMAWIN_API int dmawin_sim_plan_target(const struct dmawin_sim_plan *plan,
				      const struct dmawin_sim_scenario *target,
				      struct dmawin_sim_target_check *out);

/**
 * dmawin_sim_migrate_check - the target check done by the real layers: build @src's machine,
 * boot its guest and probe its devices, save the IOMMU state (papr snapshot), build @dst's
 * machine and restore the state there, as a migration would.
 * @why: papr's reason when the target refuses (or the failing step); may be NULL.
 *
 * Return: 0 if the target accepted every window; -EXDEV if it cannot place one (@why says
 * which); -EINVAL for a NULL or invalid scenario; another negative errno if a machine could not
 * be built or the snapshot not written (also explained in @why).
 */
DMAWIN_API int dmawin_sim_migrate_check(const struct dmawin_sim_scenario *src,
					const struct dmawin_sim_scenario *dst, char *why,
					size_t len);

/** dmawin_sim_plan_print - the plan as text. Return: 0; -EIO if writing failed. */
DMAWIN_API int dmawin_sim_plan_print(const struct dmawin_sim_plan *plan,
				     const struct dmawin_sim_target_check *target, FILE *f);

/** dmawin_sim_plan_print_json - the plan as one JSON object. Return: 0; -EIO; -ENOMEM. */
DMAWIN_API int dmawin_sim_plan_print_json(const struct dmawin_sim_plan *plan,
					  const struct dmawin_sim_target_check *target, FILE *f);

/** dmawin_sim_candidate_name - "default", "ddw", "ddw-4gb", "bypass"; "?" otherwise. */
DMAWIN_API const char *dmawin_sim_candidate_name(int candidate);

/* ---- Simulation runs and reports --------------------------------------------------------- */

enum dmawin_sim_hcall_kind {
	DMAWIN_SIM_HC_PUT_TCE = 0,
	DMAWIN_SIM_HC_GET_TCE = 1,
	DMAWIN_SIM_HC_PUT_TCE_INDIRECT = 2,
	DMAWIN_SIM_HC_STUFF_TCE = 3,
	DMAWIN_SIM_HC_RTAS = 4, /* the DDW RTAS calls */
	DMAWIN_SIM_NR_HCALL_KINDS = 5,
};

struct dmawin_sim_window {
	bool enabled;
	bool is_default;
	uint32_t liobn;
	uint64_t start;
	uint64_t size;
	unsigned page_shift;
	unsigned levels;
	uint64_t tces;	      /* entries */
	uint64_t tces_mapped; /* entries with R or W at the end of the run */
	uint64_t table_bytes; /* bytes allocated by the table now */
};

struct dmawin_sim_device_report {
	char name[DMAWIN_SIM_NAME_MAX];
	enum dmawin_sim_kind kind;
	unsigned dma_mask_bits;
	uint32_t phb_index;
	uint8_t bus, devfn;		 /* its PCI address: domain (= PHB index):bus:slot.fn */
	bool ran;			 /* false: see note */
	char note[DMAWIN_SIM_TEXT_MAX];	 /* why it did not run, or what is worth knowing */
	bool direct;			 /* direct map (DDW covering RAM) vs on-demand TCEs */
	struct dmawin_sim_window window; /* the window its DMA went through */
	uint64_t hcalls[DMAWIN_SIM_NR_HCALL_KINDS];
	uint64_t tces_written;
	uint64_t map_failures;
	uint64_t faults; /* DMA that did not translate */
	uint64_t eeh_events;
	uint64_t ops;	     /* DMA transfers done */
	uint64_t bytes;	     /* bytes moved and verified */
	uint64_t mismatches; /* bytes that did not arrive as sent */
};

struct dmawin_sim_report {
	char scenario[DMAWIN_SIM_NAME_MAX];
	uint64_t seed;
	uint64_t ram_size;
	uint64_t maxmem;
	enum dmawin_guest_kernel guest_kernel;
	unsigned guest_page_shift; /* the kernel's PAGE_SHIFT (the generation's when not given) */
	uint32_t nr_phbs;
	struct {
		uint32_t index;
		uint64_t dma64_win_addr;
		uint64_t tce_budget;
		struct dmawin_sim_window windows[DMAWIN_PAPR_MAX_WINDOWS];
	} phbs[DMAWIN_PAPR_MAX_PHBS];
	uint32_t nr_devices;
	struct dmawin_sim_device_report devices[DMAWIN_SIM_MAX_DEVICES];
	uint64_t table_bytes_total; /* every enabled window's table */
	uint64_t locked_bytes;	    /* guest RAM's locked-memory counter at the end */
	/* Every call of the run, the devices' and the guest's own (boot: clearing the default
	 * windows), so total - sum over devices = what no device caused. */
	uint64_t hcalls_total[DMAWIN_SIM_NR_HCALL_KINDS];
	uint64_t tces_written_total;
	uint64_t ops_total;
	double wall_seconds;
	double ops_per_second;
	char note[DMAWIN_SIM_TEXT_MAX]; /* machine-wide remark (layers missing), or "" */
};

struct dmawin_sim_options {
	bool seed_set;
	uint64_t seed;		/* used when seed_set, else the scenario's */
	const char *trace_path; /* --trace-out: QEMU log-backend lines; NULL = none */
	/* Probe the devices (windows created, RAM direct-mapped) but run no workload. */
	bool probe_only;
	/* Save the machine's IOMMU state there at the end (dmawin_papr_snapshot_save()); NULL =
	 * none. A failure to save fails the run. */
	const char *snapshot_path;
};

/**
 * dmawin_sim_run - build the machine of @sc, probe its devices, run their workloads.
 * @opts: may be NULL.
 * @why: a one-line reason on failure (may be NULL).
 *
 * Return: 0 and a report to free with dmawin_sim_report_destroy(); -EINVAL if @sc fails its
 * checks; -ENOMEM; a negative errno of the layer that failed to build the machine (in @why).
 */
DMAWIN_API int dmawin_sim_run(const struct dmawin_sim_scenario *sc,
			      const struct dmawin_sim_options *opts, struct dmawin_sim_report **out,
			      char *why, size_t len);

/** dmawin_sim_report_destroy - free @r (NULL is a no-op). */
DMAWIN_API void dmawin_sim_report_destroy(struct dmawin_sim_report *r);

/** dmawin_sim_report_print - the report as text, one screen. Return: 0; -EIO. */
DMAWIN_API int dmawin_sim_report_print(const struct dmawin_sim_report *r, FILE *f);

/** dmawin_sim_report_print_json - the report as one JSON object. Return: 0; -EIO; -ENOMEM. */
DMAWIN_API int dmawin_sim_report_print_json(const struct dmawin_sim_report *r, FILE *f);

/**
 * dmawin_sim_report_print_svg - an SVG picture: one row per PHB, its bus address space on a
 * log axis with each window drawn to scale and its occupancy (mapped TCEs) shaded.
 * Return: 0; -EIO.
 */
DMAWIN_API int dmawin_sim_report_print_svg(const struct dmawin_sim_report *r, FILE *f);

DMAWIN_END_DECLS

#endif
