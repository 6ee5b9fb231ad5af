/* SPDX-License-Identifier: MIT */
/* The QEMU command-line parser's shared state (qemu_args.c, qemu_pci.c, qemu_mem.c). */
#ifndef DMAWIN_PAPR_QEMU_INT_H
#define DMAWIN_PAPR_QEMU_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "dmawin/papr_qemu.h"

#define QEMU_PHB_DRIVER	  "spapr-pci-host-bridge"
#define QEMU_MAX_BACKENDS 32

/* A PCI root bus: its name as QEMU shows it and who holds each devfn. */
struct qemu_bus {
	char name[DMAWIN_QEMU_NAME_MAX + 4];
	uint32_t phb_index;
	int16_t holder[256]; /* index into the machine's devices, -1 = free */
};

/* A -object memory-backend-*, for pc-dimm/nvdimm memdev=. */
struct qemu_backend {
	char id[DMAWIN_QEMU_NAME_MAX];
	uint64_t size;
	bool used;
};

/* Parser state: the machine being built plus what is needed to resolve names. */
struct qemu_parse {
	struct dmawin_qemu_machine m;
	char *why;
	size_t why_len;
	struct dmawin_papr_phb_config globals; /* -global spapr-pci-host-bridge.* */
	struct qemu_bus buses[DMAWIN_PAPR_MAX_PHBS];
	uint32_t nr_buses;
	uint32_t nr_anonymous_phbs; /* the next "pci.N" */
	struct qemu_backend backends[QEMU_MAX_BACKENDS];
	uint32_t nr_backends;
	/* Machine-init defaults (-nodefaults, -vga, usb=, -nic ...). */
	bool nodefaults, vga_none, vga_device_given, usb_set, usb;
	bool nvdimm_enabled; /* -M ...,nvdimm=on */
	bool slots_given, maxmem_given;
	char vga_model[DMAWIN_QEMU_NAME_MAX];
};

int qemu_fail(struct qemu_parse *p, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void qemu_warn(struct qemu_parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "a=b" split in place: the value, or NULL without '='. */
char *qemu_split_kv(char *item);
/* The next comma-separated item of *cursor, in place (",," is an escaped comma). */
char *qemu_next_item(char **cursor);
int qemu_parse_bool(const char *text, bool *value);

/* qemu_pci.c */
int qemu_pci_init(struct qemu_parse *p);
int qemu_add_phb(struct qemu_parse *p, char *props);
int qemu_add_device(struct qemu_parse *p, const char *driver, char *props);
int qemu_add_nic(struct qemu_parse *p, const char *option, char *arg);
int qemu_add_default_devices(struct qemu_parse *p);
int qemu_set_phb_prop(struct qemu_parse *p, struct dmawin_papr_phb_config *phb, const char *key,
		      const char *value);
void qemu_name_devices(struct qemu_parse *p);

/* qemu_mem.c */
int qemu_add_backend(struct qemu_parse *p, const char *type, char *props);
int qemu_add_dimm(struct qemu_parse *p, const char *driver, char *props);
bool qemu_is_memory_device(const char *driver);

#endif
