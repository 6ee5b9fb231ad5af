/* SPDX-License-Identifier: MIT */
/*
 * dmawin/papr_qemu.h - build a pseries machine description from a QEMU command line.
 *
 * Concepts
 *  - `dmawin replay --qemu-args`, `dmawin sim --qemu-args`, `dmawin plan --qemu-args` and the
 *    guest model's conformance tests all start from the command line a real trace came from,
 *    pasted whole (a `timeout 600 qemu-system-ppc64` prefix is skipped). This one parser reads
 *    the options that shape the IOMMU:
 *      -m SIZE | -m [size=]SIZE[,slots=N][,maxmem=SIZE]       RAM size and hotplug span
 *      -M | -machine pseries[-X.Y][,prop=value...]             machine type and version
 *      -global spapr-pci-host-bridge.PROP=VALUE                default for every PHB
 *      -device spapr-pci-host-bridge,index=N[,id=ID][,...]     an extra PHB
 *      -device DRIVER[,bus=BUS][,addr=SLOT[.FN]][,multifunction=on][,id=ID]   a PCI device
 *      -object memory-backend-{ram,file,memfd},id=ID,size=SIZE  memory for a DIMM
 *      -device pc-dimm,memdev=ID[,addr=A] | nvdimm,memdev=ID,label-size=S   cold-plugged DIMMs
 *      -nic / -net nic,model=M                                 a PCI NIC unless model is VIO
 *      -nodefaults, -vga none, -usb, -M ...,usb=on|off         QEMU's default PCI devices
 *    Every other QEMU 7.2 option is accepted and skipped (-netdev, -chardev, -drive, -trace,
 *    -kernel, -append, -serial, -smp, -cpu, -accel, -display, -object of other types, ...).
 *  - PHB properties understood: index, dma_win_addr, dma_win_size, dma64_win_addr, pgsz, ddw,
 *    numa_node; the others QEMU has (mem_win_*, io_win_*, ...) are accepted and ignored.
 *  - Values are QEMU's: numbers in decimal or 0x hex, sizes with an optional K/M/G/T/P/E suffix
 *    (-m without a suffix means MiB), booleans on/off/true/false/yes/no. Quoting follows the
 *    shell: '...', "..." and backslash escapes.
 *  - PCI buses are named as QEMU 7.2 names them: a PHB created without id= has root bus
 *    "pci.N", N counting such PHBs from 0 in creation order (the default PHB is "pci.0"); a PHB
 *    with id=X has "X.0" (qbus_init_internal()). A device without bus= goes on the root bus of
 *    the newest PHB created before it (qbus_find_recursive() walks the system bus's children,
 *    which bus_add_child() inserts at the head).
 *  - Slots follow do_pci_register_device() and pci_init_multifunction(): a device without addr=
 *    takes function 0 of the lowest slot whose function 0 is free, in command-line order per
 *    bus, after QEMU's own default devices (-nic models, then "VGA" and "nec-usb-xhci" unless
 *    -nodefaults); addr= must name a free function; a function other than 0 next to a
 *    function 0 without multifunction=on, or a function 0 without it where other functions
 *    are in use, is refused as QEMU refuses it.
 *  - Devices are named by id= when given, else by type: the first device of a type without id=
 *    is "TYPE", the next "TYPE.1", "TYPE.2", ... (skipping a name an id= already took).
 *  - Device types dmawin does not know are kept as 64-bit PCI devices with a warning in
 *    `warnings` (the library never prints; the tool does). VIO devices (spapr-vscsi,
 *    spapr-vlan) are not modelled and get a warning too.
 *  - Memory hotplug follows spapr_machine_init(): with maxmem > RAM the device memory region
 *    starts at ROUND_UP(ram_size, 1 GiB) and is maxmem - ram_size long; ibm,lrdr-capacity is
 *    its end (dmawin_papr_lrdr_capacity()). A pc-dimm takes the lowest free address there
 *    (memory_device_get_free_addr()) or its addr=, and is RAM from boot; an nvdimm also takes
 *    device memory but is persistent memory (an ibm,pmemory node), not RAM.
 */
#ifndef DMAWIN_PAPR_QEMU_H
#define DMAWIN_PAPR_QEMU_H

#include "dmawin/dmawin.h"
#include "dmawin/papr.h"

DMAWIN_BEGIN_DECLS

#define DMAWIN_QEMU_MAX_DEVICES	 64
#define DMAWIN_QEMU_NAME_MAX	 48
#define DMAWIN_QEMU_MAX_WARNINGS 16
#define DMAWIN_QEMU_WARNING_MAX	 192

/* One PCI `-device` (or a default device QEMU creates itself). */
struct dmawin_qemu_device {
	char driver[DMAWIN_QEMU_NAME_MAX]; /* e.g. "nvme", "e1000", "virtio-net-pci", "vfio-pci" */
	char id[DMAWIN_QEMU_NAME_MAX];	   /* "" when not given */
	char name[DMAWIN_QEMU_NAME_MAX];   /* id, or TYPE / TYPE.N (see above) */
	uint32_t phb_index;		   /* QEMU index of the PHB it sits on */
	uint8_t bus;			   /* bus number below the PHB: 0, the root bus */
	uint8_t devfn;			   /* slot << 3 | function, as QEMU assigned it */
	int32_t slot;			   /* PCI_SLOT(devfn) */
	int32_t function;		   /* PCI_FUNC(devfn) */
	bool addr_given;		   /* addr= was on the command line */
	bool multifunction;		   /* multifunction=on */
	bool known;    /* a type dmawin knows; false: modelled as a 64-bit device (warned) */
	bool no_dma;   /* a device that does no DMA (QEMU's "VGA"): takes a slot, nothing else */
	bool implicit; /* QEMU's default VGA or USB controller (no -nodefaults): slot only */
};

/* What the caller should tell the user; one line each, no newline. */
struct dmawin_qemu_warnings {
	uint32_t count;	  /* entries in text[] */
	uint32_t dropped; /* further warnings that did not fit */
	char text[DMAWIN_QEMU_MAX_WARNINGS][DMAWIN_QEMU_WARNING_MAX];
};

struct dmawin_qemu_machine {
	struct dmawin_papr_config papr; /* with ram_slots and the cold-plugged DIMMs */
	uint32_t nr_devices;
	struct dmawin_qemu_device devices[DMAWIN_QEMU_MAX_DEVICES];
	struct dmawin_qemu_warnings warnings;
	/* What the parser skipped as not shaping the IOMMU, for a caller who wants to count. */
	uint32_t ignored_options;
};

/**
 * dmawin_papr_qemu_parse - parse a QEMU command line into a machine description.
 * @cmdline: the whole command line, as a shell would read it.
 * @out: filled with QEMU's defaults overridden by the options; untouched on failure.
 * @why: receives a one-line message naming the option and what is wrong (may be NULL).
 *
 * The result has passed dmawin_papr_config_check(). Warnings (unknown device types) are in
 * @out->warnings; they do not fail the parse.
 * Return: 0; -EINVAL for a malformed or unsupported option (a machine other than pseries, a bad
 * size or number, an unknown bus, a PCI address QEMU would refuse, an unterminated quote, an
 * option missing its value, a DIMM QEMU would refuse, an invalid resulting configuration);
 * -E2BIG past DMAWIN_PAPR_MAX_PHBS PHBs, DMAWIN_QEMU_MAX_DEVICES devices or
 * DMAWIN_PAPR_MAX_DIMMS DIMMs; -ENOMEM.
 */
DMAWIN_API int dmawin_papr_qemu_parse(const char *cmdline, struct dmawin_qemu_machine *out,
				      char *why, size_t len);

/**
 * dmawin_papr_qemu_parse_size - parse a QEMU size ("2G", "512M", "0x1000", "65536").
 * @default_shift: the unit of a bare number as a power of two (0 = bytes, 20 = MiB for -m).
 *
 * Return: 0; -EINVAL if malformed; -ERANGE if it does not fit in 64 bits.
 */
DMAWIN_API int dmawin_papr_qemu_parse_size(const char *text, unsigned default_shift,
					   uint64_t *value);

DMAWIN_END_DECLS

#endif
