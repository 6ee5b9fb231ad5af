/* SPDX-License-Identifier: MIT */
/*
 * PHBs, PCI devices, their bus names and slots as QEMU 7.2 assigns them (hw/pci/pci.c
 * do_pci_register_device() and pci_init_multifunction(), hw/core/qdev.c / bus.c for bus names
 * and the bus a device without bus= lands on), and the default devices spapr_machine_init()
 * creates. See dmawin/papr_qemu.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "papr/qemu_int.h"

enum device_class {
	CLASS_UNKNOWN,	  /* taken as a 64-bit PCI device, with a warning */
	CLASS_PCI,	  /* a PCI device that does DMA */
	CLASS_PCI_NO_DMA, /* a PCI device that takes a slot but never does DMA */
	CLASS_NOT_PCI,	  /* on another bus (USB, SCSI, IDE, virtio-serial, ...): no slot, no DMA */
	CLASS_VIO,	  /* a VIO device: DMA through a VIO TCE window dmawin does not model */
};

struct device_type {
	const char *name;
	enum device_class cls;
	bool prefix; /* name is a prefix of the type */
};

/* QEMU 7.2 device types; exact names first, then families by prefix. The PCI ones with DMA are
 * the ones the guest layer knows the Linux driver's DMA mask of (guest.h). */
static const struct device_type device_types[] = {
	{"nvme", CLASS_PCI, false},
	{"e1000", CLASS_PCI, false},
	{"e1000-82544gc", CLASS_PCI, false},
	{"e1000-82545em", CLASS_PCI, false},
	{"e1000e", CLASS_PCI, false},
	{"igb", CLASS_PCI, false},
	{"virtio-net-pci", CLASS_PCI, false},
	{"virtio-blk-pci", CLASS_PCI, false},
	{"virtio-scsi-pci", CLASS_PCI, false},
	{"virtio-rng-pci", CLASS_PCI, false},
	{"virtio-gpu-pci", CLASS_PCI, false},
	{"virtio-balloon-pci", CLASS_PCI, false},
	{"qemu-xhci", CLASS_PCI, false},
	{"nec-usb-xhci", CLASS_PCI, false},
	{"megasas", CLASS_PCI, false},
	{"megasas-gen2", CLASS_PCI, false},
	{"vfio-pci", CLASS_PCI, false},
	{"rtl8139", CLASS_PCI, false},
	{"pcnet", CLASS_PCI, false},
	{"ne2k_pci", CLASS_PCI, false},
	{"pci-ohci", CLASS_PCI, false},
	{"usb-ehci", CLASS_PCI, false},
	{"ich9-usb-ehci1", CLASS_PCI, false},
	{"VGA", CLASS_PCI_NO_DMA, false},
	{"secondary-vga", CLASS_PCI_NO_DMA, false},
	{"bochs-display", CLASS_PCI_NO_DMA, false},
	{"spapr-vscsi", CLASS_VIO, false},
	{"spapr-vlan", CLASS_VIO, false},
	{"ibmveth", CLASS_VIO, false},
	{"spapr-vty", CLASS_NOT_PCI, false},
	{"spapr-nvram", CLASS_NOT_PCI, false},
	{"spapr-rng", CLASS_NOT_PCI, false},
	{"spapr-tpm-proxy", CLASS_NOT_PCI, false},
	{"tpm-spapr", CLASS_VIO, false},
	{"nvme-ns", CLASS_NOT_PCI, false},
	{"nvme-subsys", CLASS_NOT_PCI, false},
	{"virtconsole", CLASS_NOT_PCI, false},
	{"virtserialport", CLASS_NOT_PCI, false},
	{"usb-", CLASS_NOT_PCI, true},
	{"scsi-", CLASS_NOT_PCI, true},
	{"ide-", CLASS_NOT_PCI, true},
	{"hda-", CLASS_NOT_PCI, true},
	{"ccid-card-", CLASS_NOT_PCI, true},
	{"isa-", CLASS_NOT_PCI, true},
	{"i2c-", CLASS_NOT_PCI, true},
};

static enum device_class classify(const char *driver)
{
	for (size_t i = 0; i < sizeof(device_types) / sizeof(device_types[0]); i++) {
		const struct device_type *t = &device_types[i];

		if (t->prefix ? strncmp(driver, t->name, strlen(t->name)) == 0
			      : strcmp(driver, t->name) == 0)
			return t->cls;
	}
	return CLASS_UNKNOWN;
}

/* ---- PHBs ---------------------------------------------------------------------------------- */

static int parse_u64(struct qemu_parse *p, const char *what, const char *text, uint64_t *value)
{
	if (dmawin_papr_qemu_parse_size(text, 0, value))
		return qemu_fail(p, -EINVAL, "%s: '%s' is not a number", what, text);
	return 0;
}

int qemu_set_phb_prop(struct qemu_parse *p, struct dmawin_papr_phb_config *phb, const char *key,
		      const char *value)
{
	static const struct {
		const char *name;
		size_t offset;
	} u64_props[] = {
		{"dma_win_addr", offsetof(struct dmawin_papr_phb_config, dma_win_addr)},
		{"dma_win_size", offsetof(struct dmawin_papr_phb_config, dma_win_size)},
		{"dma64_win_addr", offsetof(struct dmawin_papr_phb_config, dma64_win_addr)},
		{"pgsz", offsetof(struct dmawin_papr_phb_config, pgsz)},
	};
	uint64_t v;
	int ret;

	if (strcmp(key, "ddw") == 0) {
		if (qemu_parse_bool(value, &phb->ddw))
			return qemu_fail(p, -EINVAL, QEMU_PHB_DRIVER ".ddw: '%s' is not on/off",
					 value);
		return 0;
	}
	if (strcmp(key, "numa_node") == 0) {
		char *end;
		long n = strtol(value, &end, 0);

		if (*value == '\0' || *end || n < -1 || n > INT32_MAX)
			return qemu_fail(p, -EINVAL,
					 QEMU_PHB_DRIVER ".numa_node: '%s' is not a node", value);
		phb->numa_node = (int32_t)n;
		return 0;
	}
	if (strcmp(key, "index") == 0) {
		ret = parse_u64(p, QEMU_PHB_DRIVER ".index", value, &v);
		if (ret)
			return ret;
		if (v >= DMAWIN_PAPR_MAX_PHBS)
			return qemu_fail(p, -EINVAL, QEMU_PHB_DRIVER ".index: %s is above %d",
					 value, DMAWIN_PAPR_MAX_PHBS - 1);
		phb->index = (uint32_t)v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(u64_props) / sizeof(u64_props[0]); i++) {
		if (strcmp(key, u64_props[i].name) != 0)
			continue;
		ret = parse_u64(p, key, value, &v);
		if (ret)
			return ret;
		memcpy((char *)phb + u64_props[i].offset, &v, sizeof(v));
		return 0;
	}
	p->m.ignored_options++; /* mem_win_*, io_win_*, ... do not shape the IOMMU */
	return 0;
}

/* The root bus of a new PHB, named by qbus_init_internal(): "<id>.0", or "pci.N" from the
 * root-bus type's own counter when the PHB has no id. */
static void add_bus(struct qemu_parse *p, const char *phb_id, uint32_t index)
{
	struct qemu_bus *b = &p->buses[p->nr_buses++];

	if (phb_id[0])
		snprintf(b->name, sizeof(b->name), "%s.0", phb_id);
	else
		snprintf(b->name, sizeof(b->name), "pci.%u", p->nr_anonymous_phbs++);
	b->phb_index = index;
	memset(b->holder, -1, sizeof(b->holder));
}

int qemu_pci_init(struct qemu_parse *p)
{
	p->globals.index = p->m.papr.phbs[0].index;
	p->m.papr.phbs[0] = p->globals;
	add_bus(p, "", p->globals.index); /* spapr_machine_init()'s default PHB: "pci.0" */
	return 0;
}

int qemu_add_phb(struct qemu_parse *p, char *props)
{
	struct dmawin_papr_config *cfg = &p->m.papr;
	struct dmawin_papr_phb_config phb = p->globals;
	char *item, *value, id[DMAWIN_QEMU_NAME_MAX] = "";
	bool have_index = false;
	int ret;

	if (cfg->nr_phbs >= DMAWIN_PAPR_MAX_PHBS)
		return qemu_fail(p, -E2BIG, "-device " QEMU_PHB_DRIVER ": more than %d PHBs",
				 DMAWIN_PAPR_MAX_PHBS);
	while ((item = qemu_next_item(&props))) {
		value = qemu_split_kv(item);
		if (!value)
			return qemu_fail(p, -EINVAL,
					 "-device " QEMU_PHB_DRIVER ": '%s' has no value", item);
		if (strcmp(item, "id") == 0) {
			snprintf(id, sizeof(id), "%s", value);
			continue;
		}
		have_index |= strcmp(item, "index") == 0;
		ret = qemu_set_phb_prop(p, &phb, item, value);
		if (ret)
			return ret;
	}
	if (!have_index)
		return qemu_fail(p, -EINVAL, "-device " QEMU_PHB_DRIVER ": index= is required");
	for (uint32_t i = 0; i < cfg->nr_phbs; i++)
		if (cfg->phbs[i].index == phb.index)
			return qemu_fail(p, -EINVAL,
					 "-device " QEMU_PHB_DRIVER ": index %u is already used",
					 phb.index);
	cfg->phbs[cfg->nr_phbs++] = phb;
	add_bus(p, id, phb.index);
	return 0;
}

/* ---- devices ------------------------------------------------------------------------------- */

static struct qemu_bus *find_bus(struct qemu_parse *p, const char *driver, const char *name)
{
	if (!name) /* qbus_find_recursive() meets the newest PHB's bus first */
		return &p->buses[p->nr_buses - 1];
	for (uint32_t i = 0; i < p->nr_buses; i++)
		if (strcmp(p->buses[i].name, name) == 0)
			return &p->buses[i];
	qemu_fail(p, -EINVAL,
		  "-device %s: bus '%s' is not a PCI host bridge's bus of this machine (QEMU names "
		  "them pci.N, or ID.0 for a bridge with id=ID)",
		  driver, name);
	return NULL;
}

/* QEMU's PCI address property: SLOT or SLOT.FN, both hex (set_pci_devfn()). */
static int parse_addr(struct qemu_parse *p, const char *driver, const char *text, int *devfn)
{
	unsigned slot, fn = 0;
	int n = 0;

	if (sscanf(text, "%x.%x%n", &slot, &fn, &n) != 2) {
		fn = 0;
		n = 0;
		if (sscanf(text, "%x%n", &slot, &n) != 1)
			n = -1;
	}
	if (n <= 0 || text[n] != '\0' || slot > 31 || fn > 7 || text[0] == '-' || text[0] == '+')
		return qemu_fail(p, -EINVAL, "-device %s: addr '%s' is not SLOT[.FN]", driver,
				 text);
	*devfn = (int)(slot << 3 | fn);
	return 0;
}

/* do_pci_register_device(): the devfn for @devfn (-1 = automatic), or an error as QEMU's. */
static int claim_devfn(struct qemu_parse *p, struct qemu_bus *b, const char *driver, int devfn)
{
	const struct dmawin_qemu_device *holder;

	if (devfn < 0) {
		/* steps over whole slots: only function 0 of each has to be free */
		for (devfn = 0; devfn < 256; devfn += 8)
			if (b->holder[devfn] < 0)
				return devfn;
		return qemu_fail(p, -EINVAL,
				 "-device %s: PCI: no slot/function available for %s on %s, all "
				 "in use",
				 driver, driver, b->name);
	}
	if (b->holder[devfn] >= 0) {
		holder = &p->m.devices[b->holder[devfn]];
		return qemu_fail(p, -EINVAL,
				 "-device %s: PCI: slot %d function %d not available for %s, in "
				 "use by %s%s%s",
				 driver, devfn >> 3, devfn & 7, driver, holder->driver,
				 holder->id[0] ? ",id=" : "", holder->id);
	}
	return devfn;
}

/* pci_init_multifunction(): the multifunction bit of function 0 rules its slot. */
static int check_multifunction(struct qemu_parse *p, const struct qemu_bus *b, const char *driver,
			       int devfn, bool multifunction)
{
	int slot = devfn >> 3;

	if (devfn & 7) {
		int f0 = b->holder[devfn & ~7];

		if (f0 >= 0 && !p->m.devices[f0].multifunction)
			return qemu_fail(p, -EINVAL,
					 "-device %s: PCI: single function device can't be "
					 "populated in function %x.%x",
					 driver, slot, devfn & 7);
		return 0;
	}
	if (multifunction)
		return 0;
	for (int fn = 1; fn < 8; fn++)
		if (b->holder[devfn | fn] >= 0)
			return qemu_fail(p, -EINVAL,
					 "-device %s: PCI: %x.0 indicates single function, but "
					 "%x.%x is already populated (multifunction=on is needed)",
					 driver, slot, slot, fn);
	return 0;
}

struct pci_request {
	const char *driver;
	const char *id;
	const char *bus; /* NULL = QEMU's choice */
	int devfn;	 /* -1 = automatic */
	bool multifunction;
	bool implicit;
};

static int place_device(struct qemu_parse *p, const struct pci_request *rq, enum device_class cls)
{
	struct dmawin_qemu_device *d;
	struct qemu_bus *b;
	int devfn, ret;

	if (p->m.nr_devices >= DMAWIN_QEMU_MAX_DEVICES)
		return qemu_fail(p, -E2BIG, "-device %s: more than %d PCI devices", rq->driver,
				 DMAWIN_QEMU_MAX_DEVICES);
	b = find_bus(p, rq->driver, rq->bus);
	if (!b)
		return -EINVAL;
	devfn = claim_devfn(p, b, rq->driver, rq->devfn);
	if (devfn < 0)
		return devfn;
	ret = check_multifunction(p, b, rq->driver, devfn, rq->multifunction);
	if (ret)
		return ret;
	d = &p->m.devices[p->m.nr_devices];
	memset(d, 0, sizeof(*d));
	snprintf(d->driver, sizeof(d->driver), "%s", rq->driver);
	snprintf(d->id, sizeof(d->id), "%s", rq->id ? rq->id : "");
	d->phb_index = b->phb_index;
	d->devfn = (uint8_t)devfn;
	d->slot = devfn >> 3;
	d->function = devfn & 7;
	d->addr_given = rq->devfn >= 0;
	d->multifunction = rq->multifunction;
	d->known = cls != CLASS_UNKNOWN;
	d->no_dma = cls == CLASS_PCI_NO_DMA;
	d->implicit = rq->implicit;
	b->holder[devfn] = (int16_t)p->m.nr_devices++;
	return 0;
}

int qemu_add_device(struct qemu_parse *p, const char *driver, char *props)
{
	struct pci_request rq = {.driver = driver, .devfn = -1};
	enum device_class cls = classify(driver);
	char *item, *value;
	int ret;

	if (strcmp(driver, "help") == 0 || strchr(driver, '='))
		return qemu_fail(p, -EINVAL, "-device %s: not a device type", driver);
	if (cls == CLASS_NOT_PCI) {
		p->m.ignored_options++;
		return 0;
	}
	if (cls == CLASS_VIO) {
		qemu_warn(p,
			  "-device %s: a VIO device; dmawin models PCI DMA only, so it is "
			  "left out",
			  driver);
		return 0;
	}
	while ((item = qemu_next_item(&props))) {
		value = qemu_split_kv(item);
		if (!value)
			continue; /* a bare flag: not IOMMU-relevant */
		if (strcmp(item, "id") == 0)
			rq.id = value;
		else if (strcmp(item, "bus") == 0)
			rq.bus = value;
		else if (strcmp(item, "addr") == 0 &&
			 (ret = parse_addr(p, driver, value, &rq.devfn)))
			return ret;
		else if (strcmp(item, "multifunction") == 0 &&
			 qemu_parse_bool(value, &rq.multifunction))
			return qemu_fail(p, -EINVAL, "-device %s: multifunction '%s' is not on/off",
					 driver, value);
	}
	if (cls == CLASS_UNKNOWN)
		qemu_warn(p,
			  "-device %s: a device type dmawin does not know; modelled as a PCI "
			  "device whose driver sets a 64-bit DMA mask",
			  driver);
	return place_device(p, &rq, cls);
}

/* -nic TYPE[,model=M] and -net nic[,model=M][,addr=SLOT]: a NIC created in machine init,
 * on the default PHB; without a model (or as ibmveth) it is the VIO spapr-vlan. */
int qemu_add_nic(struct qemu_parse *p, const char *option, char *arg)
{
	struct pci_request rq = {.devfn = -1, .bus = p->buses[0].name};
	char *cursor = arg, *type = qemu_next_item(&cursor), *item, *value, *model = NULL;
	unsigned slot;
	char tail;

	if (!type || strcmp(type, "none") == 0 ||
	    (strcmp(option, "-net") == 0 && strcmp(type, "nic") != 0))
		return 0;
	while ((item = qemu_next_item(&cursor))) {
		value = qemu_split_kv(item);
		if (value && strcmp(item, "model") == 0)
			model = value;
		else if (value && strcmp(item, "addr") == 0 && strcmp(option, "-net") == 0) {
			if (sscanf(value, "%x%c", &slot, &tail) != 1 || slot > 31)
				return qemu_fail(p, -EINVAL, "-net nic: addr '%s' is not a slot",
						 value);
			rq.devfn = (int)(slot << 3);
		}
	}
	if (model && strcmp(model, "help") == 0)
		return qemu_fail(p, -EINVAL, "%s: model=help lists models; it is not one", option);
	if (!model || strcmp(model, "ibmveth") == 0 || strcmp(model, "spapr-vlan") == 0) {
		qemu_warn(p,
			  "%s %s: a VIO NIC (ibmveth); dmawin models PCI DMA only, so it is "
			  "left out",
			  option, type);
		return 0;
	}
	rq.driver = model;
	if (classify(model) == CLASS_UNKNOWN)
		qemu_warn(p,
			  "%s model=%s: a device type dmawin does not know; modelled as a PCI "
			  "device whose driver sets a 64-bit DMA mask",
			  option, model);
	return place_device(p, &rq, classify(model));
}

/* spapr_machine_init() after the NICs: the VGA of -vga (default "std" unless -nodefaults or a
 * display device is given), then the USB controller when a VGA exists and defaults are on, or
 * when usb=on asks for it. */
int qemu_add_default_devices(struct qemu_parse *p)
{
	struct pci_request rq = {.devfn = -1, .implicit = true, .bus = p->buses[0].name};
	bool has_vga = !p->vga_none;
	bool usb = p->usb_set ? p->usb : has_vga && !p->nodefaults;
	int ret;

	if (p->vga_model[0] || (!p->nodefaults && !p->vga_device_given && !p->vga_none)) {
		rq.driver = p->vga_model[0] ? p->vga_model : "VGA";
		ret = place_device(p, &rq,
				   classify(rq.driver) == CLASS_UNKNOWN ? CLASS_PCI
									: classify(rq.driver));
		if (ret)
			return ret;
	}
	if (!usb)
		return 0;
	/* pseries-2.7 and older default to OHCI (use_ohci_by_default) */
	rq.driver = p->m.papr.compat <= 207 ? "pci-ohci" : "nec-usb-xhci";
	return place_device(p, &rq, CLASS_PCI);
}

static bool name_taken(const struct qemu_parse *p, const char *name, uint32_t upto)
{
	for (uint32_t i = 0; i < p->m.nr_devices; i++)
		if ((p->m.devices[i].id[0] && strcmp(p->m.devices[i].id, name) == 0) ||
		    (i < upto && strcmp(p->m.devices[i].name, name) == 0))
			return true;
	return false;
}

void qemu_name_devices(struct qemu_parse *p)
{
	for (uint32_t i = 0; i < p->m.nr_devices; i++) {
		struct dmawin_qemu_device *d = &p->m.devices[i];
		char driver[DMAWIN_QEMU_NAME_MAX];
		unsigned k = 0;

		if (d->id[0]) {
			memcpy(d->name, d->id, sizeof(d->name));
			continue;
		}
		memcpy(driver, d->driver, sizeof(driver));
		/* TYPE, TYPE.1, TYPE.2 ... in command-line order among devices of that type */
		for (uint32_t j = 0; j < i; j++)
			k += !p->m.devices[j].id[0] &&
			     strcmp(p->m.devices[j].driver, d->driver) == 0;
		for (;; k++) {
			if (k == 0)
				snprintf(d->name, sizeof(d->name), "%s", driver);
			else
				snprintf(d->name, sizeof(d->name), "%.*s.%u",
					 DMAWIN_QEMU_NAME_MAX - 12, driver, k);
			if (!name_taken(p, d->name, i))
				break;
		}
	}
}
