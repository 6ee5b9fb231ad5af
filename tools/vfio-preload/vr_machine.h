/* SPDX-License-Identifier: MIT */
/*
 * The machine of `dmawin vfio-run`, shared by the tool (which checks the user's choices and
 * writes the description) and the preload library (which reads it and builds the machine):
 *  - where it comes from: a scenario file (a PowerNV host by default) or a QEMU pseries command
 *    line with a guest kernel (the program is then a process in that guest);
 *  - its PCI functions, numbered as the kernel numbers them (domain = PHB index, bus 0, the
 *    slot QEMU gives: first device on PHB 0 = 0000:00:00.0), their IOMMU groups (pseries: one
 *    per PHB, the PE is the PHB; PowerNV: one PE and group per function) and which of them are
 *    bound to vfio-pci (--device; all when none is named);
 *  - the outputs (report, trace) and options.
 * The description travels to the preload as a small JSON file named by DMAWIN_VFIO_MACHINE.
 */
#ifndef DMAWIN_VR_MACHINE_H
#define DMAWIN_VR_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmawin/sim.h"

#define VR_ENV_MACHINE	 "DMAWIN_VFIO_MACHINE"
#define VR_MAX_FUNCTIONS DMAWIN_SIM_MAX_DEVICES
#define VR_PATH_MAX	 1024
#define VR_BDF_LEN	 13 /* "0000:00:00.0" + NUL */

enum vr_platform {
	VR_POWERNV = 0, /* the program runs on a PowerNV host (IODA2 PEs, vfio layer defaults) */
	VR_PSERIES = 1, /* the program runs in a pseries guest (Linux 6.12's pseries IOMMU ops) */
};

struct vr_function {
	char bdf[VR_BDF_LEN];
	char model[DMAWIN_SIM_NAME_MAX]; /* the QEMU device model its ids come from */
	uint32_t phb_index;		 /* QEMU index of its PHB */
	unsigned phb_pos;		 /* position of that PHB in the machine's configuration */
	unsigned group;			 /* IOMMU group number */
	unsigned dma_mask_bits;		 /* what its guest driver set before vfio-pci took it */
	uint16_t vendor, device;
	uint32_t class_code; /* 24 bits: base class, subclass, prog-if */
	uint8_t revision;
	bool pcie;  /* 4 KiB config space and the ERR interrupt */
	bool bound; /* bound to vfio-pci (else to its own driver) */
};

struct vr_machine {
	enum vr_platform platform;
	char scenario[VR_PATH_MAX]; /* "" with --qemu-args */
	char *qemu_args;	    /* NULL with a scenario */
	char *kernel_args;	    /* may be NULL */
	char guest_kernel[16];	    /* pseries: "6.12" */
	uint64_t page_size;	    /* PAGE_SIZE of the kernel the container runs in */
	char report[VR_PATH_MAX];   /* "" = no report */
	char trace_out[VR_PATH_MAX];
	bool verbose;
	unsigned nr_groups;
	unsigned nr_functions;
	struct vr_function functions[VR_MAX_FUNCTIONS];
	struct dmawin_sim_scenario *sc; /* the machine's scenario (owned) */
};

/*
 * Loads the machine's scenario from m->scenario or m->qemu_args and derives its functions,
 * all bound. Returns 0, or -EINVAL with a one-line reason in @why.
 */
int vr_machine_load(struct vr_machine *m, char *why, size_t len);

/* Frees what vr_machine_load() and vr_machine_read() allocated. */
void vr_machine_free(struct vr_machine *m);

/* The function with this BDF, or NULL. Accepts the domain-less form "00:01.0" too. */
struct vr_function *vr_machine_function(struct vr_machine *m, const char *bdf);

/*
 * Binds exactly the functions named in @bdfs (the --device list) to vfio-pci, the others stay
 * with their drivers. Returns 0, or -ENOENT with the bad BDF in @why.
 */
int vr_machine_bind_only(struct vr_machine *m, char *const *bdfs, unsigned n, char *why,
			 size_t len);

/* Whether group @group has at least one function bound to vfio-pci (/dev/vfio/N exists). */
bool vr_group_exists(const struct vr_machine *m, unsigned group);

/* Whether every function of @group is bound to vfio-pci (VFIO_GROUP_FLAGS_VIABLE). */
bool vr_group_viable(const struct vr_machine *m, unsigned group);

/* Writes the description as JSON to @path. Returns 0 or a negative errno. */
int vr_machine_write(const struct vr_machine *m, const char *path);

/* Reads a description written by vr_machine_write() and loads its machine. 0 or -EINVAL. */
int vr_machine_read(const char *path, struct vr_machine *m, char *why, size_t len);

#endif
