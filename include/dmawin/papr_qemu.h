/* SPDX-License-Identifier: MIT */
/*
 * dmawin/papr_qemu.h - build a pseries machine description from a QEMU command line.
 *
 * Concepts
 *  - `dmawin replay --qemu-args`, `dmawin sim --qemu-args` and the guest model's conformance tests
 *    all start from the command line a real trace came from. This parser reads the options that
 *    shape the IOMMU and ignores the rest (display, serial, drives, netdevs, ...):
 *      -m SIZE | -m [size=]SIZE[,slots=N][,maxmem=SIZE]       RAM size and hotplug span
 *      -M | -machine pseries[-X.Y][,prop=value...]             machine type and version
 *      -global spapr-pci-host-bridge.PROP=VALUE                default for every PHB
 *      -device spapr-pci-host-bridge,index=N[,PROP=VALUE...]   an extra PHB
 *      -device DRIVER[,bus=BUS][,addr=SLOT[.FN]][,id=ID]...    a PCI device (kept for the guest)
 *    PHB properties understood: index, dma_win_addr, dma_win_size, dma64_win_addr, pgsz, ddw,
 *    numa_node; the others QEMU has (mem_win_*, io_win_*, ...) are accepted and ignored.
 *  - Values are QEMU's: numbers in decimal or 0x hex, sizes with an optional K/M/G/T/P/E suffix
 *    (-m without a suffix means MiB), booleans on/off/true/false/yes/no.
 *  - Words before the first option (the program, a `timeout 600` wrapper) are skipped. Quoting
 *    follows the shell: '...', "..." and backslash escapes.
 *  - Devices are attached to PHBs by bus name: "pci.0" (QEMU's name for the default PHB's bus),
 *    "<phb id>.0" or "<phb id>", or "pci.<index>". A device without bus= is on PHB 0.
 */
#ifndef DMAWIN_PAPR_QEMU_H
#define DMAWIN_PAPR_QEMU_H

#include "dmawin/dmawin.h"
#include "dmawin/papr.h"

DMAWIN_BEGIN_DECLS

#define DMAWIN_QEMU_MAX_DEVICES 64
#define DMAWIN_QEMU_NAME_MAX 48

/* One `-device` that is not a PHB. */
struct dmawin_qemu_device {
	char driver[DMAWIN_QEMU_NAME_MAX]; /* e.g. "nvme", "e1000", "virtio-net-pci", "vfio-pci" */
	char id[DMAWIN_QEMU_NAME_MAX];     /* "" when not given */
	uint32_t phb_index;                /* QEMU index of the PHB it sits on */
	int32_t slot;                      /* addr= slot, or -1 when QEMU picks the next free one */
	int32_t function;                  /* addr= function, 0 when not given */
};

struct dmawin_qemu_machine {
	struct dmawin_papr_config papr;
	uint32_t nr_devices;
	struct dmawin_qemu_device devices[DMAWIN_QEMU_MAX_DEVICES];
	/* What the parser skipped, for a caller who wants to tell the user. */
	uint32_t ignored_options;
};

/**
 * dmawin_papr_qemu_parse - parse a QEMU command line into a machine description.
 * @cmdline: the whole command line, as a shell would read it.
 * @out: filled with QEMU's defaults overridden by the options; untouched on failure.
 * @why: receives a one-line message naming the option and what is wrong (may be NULL).
 *
 * The result has passed dmawin_papr_config_check().
 * Return: 0; -EINVAL for a malformed or unsupported option (a machine other than pseries, a bad
 * size or number, an unknown PHB bus, an unterminated quote, an option missing its value, an
 * invalid resulting configuration); -E2BIG past DMAWIN_PAPR_MAX_PHBS PHBs or
 * DMAWIN_QEMU_MAX_DEVICES devices.
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
