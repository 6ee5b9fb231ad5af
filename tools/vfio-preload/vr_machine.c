/* SPDX-License-Identifier: MIT */
/* The vfio-run machine description: functions, groups, binding, and its JSON form. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmawin/papr_qemu.h"
#include "vr_machine.h"

/* Identity of the QEMU device models a function can be (their pci_device ids in QEMU 7.2). */
struct vr_model {
	const char *name;
	uint16_t vendor, device;
	uint32_t class_code;
	uint8_t revision;
	bool pcie;
};

static const struct vr_model models[] = {
	{"nvme", 0x1b36, 0x0010, 0x010802, 0x02, true},
	{"e1000", 0x8086, 0x100e, 0x020000, 0x03, false},
	{"e1000e", 0x8086, 0x10d3, 0x020000, 0x00, true},
	{"virtio-net-pci", 0x1af4, 0x1000, 0x020000, 0x00, false},
	{"virtio-blk-pci", 0x1af4, 0x1001, 0x010000, 0x00, false},
	{"rtl8139", 0x10ec, 0x8139, 0x020000, 0x20, false},
	{"pcnet", 0x1022, 0x2000, 0x020000, 0x10, false},
	{"bochs-display", 0x1234, 0x1111, 0x038000, 0x02, false},
	/* a model dmawin does not know: QEMU's pci-testdev ids, class "unassigned" */
	{"", 0x1b36, 0x0005, 0xff0000, 0x00, false},
};

static const struct vr_model *model_find(const char *name)
{
	size_t i;

	for (i = 0; i + 1 < sizeof(models) / sizeof(models[0]); i++)
		if (strcmp(models[i].name, name) == 0)
			return &models[i];
	return &models[i];
}

/* The model a scenario device kind stands for on a PowerNV host. */
static const char *kind_model(enum dmawin_sim_kind kind)
{
	switch (kind) {
	case DMAWIN_SIM_NVME:
		return "nvme";
	case DMAWIN_SIM_GPU:
		return "bochs-display";
	case DMAWIN_SIM_NIC:
	case DMAWIN_SIM_VF:
	default:
		return "e1000e";
	}
}

static int phb_pos(const struct dmawin_papr_config *papr, uint32_t index)
{
	for (unsigned i = 0; i < papr->nr_phbs; i++)
		if (papr->phbs[i].index == index)
			return (int)i;
	return -1;
}

static void function_set(struct vr_function *f, const char *model, uint32_t phb_index,
			 unsigned pos, unsigned slot, unsigned fn)
{
	const struct vr_model *md = model_find(model);

	memset(f, 0, sizeof(*f));
	snprintf(f->bdf, sizeof(f->bdf), "%04x:00:%02x.%u", phb_index & 0xffff, slot & 0x1f,
		 fn & 7);
	snprintf(f->model, sizeof(f->model), "%s", model);
	f->phb_index = phb_index;
	f->phb_pos = pos;
	f->vendor = md->vendor;
	f->device = md->device;
	f->class_code = md->class_code;
	f->revision = md->revision;
	f->pcie = md->pcie;
	f->bound = true;
}

/* QEMU places a device without addr= in the lowest free slot of its bus. */
static unsigned next_free_slot(const bool *used)
{
	unsigned s = 0;

	while (s < 32 && used[s])
		s++;
	return s;
}

static int functions_from_qemu(struct vr_machine *m, char *why, size_t len)
{
	struct dmawin_qemu_machine *q = malloc(sizeof(*q));
	bool used[DMAWIN_PAPR_MAX_PHBS][32];
	int rc;

	if (!q)
		return -ENOMEM;
	rc = dmawin_papr_qemu_parse(m->qemu_args, q, why, len);
	memset(used, 0, sizeof(used));
	for (uint32_t i = 0; rc == 0 && i < q->nr_devices; i++) {
		const struct dmawin_qemu_device *d = &q->devices[i];
		int pos = phb_pos(&q->papr, d->phb_index);
		unsigned slot;

		if (pos < 0 || m->nr_functions == VR_MAX_FUNCTIONS)
			continue;
		slot = d->slot >= 0 ? (unsigned)d->slot : next_free_slot(used[pos]);
		if (slot >= 32) {
			snprintf(why, len, "-device %s: no free slot on PHB %u", d->driver,
				 d->phb_index);
			rc = -EINVAL;
			break;
		}
		used[pos][slot] = true;
		function_set(&m->functions[m->nr_functions], d->driver, d->phb_index,
			     (unsigned)pos, slot, (unsigned)d->function);
		/* pseries: the PE is the PHB, one IOMMU group per PHB in probe order */
		m->functions[m->nr_functions].group = (unsigned)pos;
		m->functions[m->nr_functions].dma_mask_bits =
			i < m->sc->nr_devices ? m->sc->devices[i].dma_mask_bits : 64;
		m->nr_functions++;
	}
	m->nr_groups = q->papr.nr_phbs;
	free(q);
	return rc;
}

static void functions_from_scenario(struct vr_machine *m)
{
	unsigned slots[DMAWIN_PAPR_MAX_PHBS] = {0};

	for (uint32_t i = 0; i < m->sc->nr_devices && m->nr_functions < VR_MAX_FUNCTIONS; i++) {
		const struct dmawin_sim_device *d = &m->sc->devices[i];
		int pos = phb_pos(&m->sc->papr, d->phb_index);
		struct vr_function *f = &m->functions[m->nr_functions];

		if (pos < 0 || d->kind == DMAWIN_SIM_EP || slots[pos] >= 32)
			continue;
		function_set(f, kind_model(d->kind), d->phb_index, (unsigned)pos, slots[pos]++, 0);
		f->dma_mask_bits = d->dma_mask_bits;
		/* pseries: one group per PHB; PowerNV: one PE (and group) per function */
		f->group = m->platform == VR_PSERIES ? (unsigned)pos : m->nr_functions;
		m->nr_functions++;
	}
	m->nr_groups = m->platform == VR_PSERIES ? m->sc->papr.nr_phbs : m->nr_functions;
}

int vr_machine_load(struct vr_machine *m, char *why, size_t len)
{
	struct dmawin_sim_error err = {0};
	int rc;

	m->sc = calloc(1, sizeof(*m->sc));
	if (!m->sc)
		return -ENOMEM;
	m->nr_functions = 0;
	if (m->qemu_args)
		rc = dmawin_sim_scenario_from_qemu(m->qemu_args, m->kernel_args, m->sc, NULL, &err);
	else if (m->scenario[0])
		rc = dmawin_sim_scenario_load(m->scenario, m->sc, &err);
	else
		rc = dmawin_sim_scenario_default(m->sc);
	if (rc < 0) {
		dmawin_sim_error_format(&err, why, len);
		return -EINVAL;
	}
	if (m->qemu_args)
		return functions_from_qemu(m, why, len) < 0 ? -EINVAL : 0;
	functions_from_scenario(m);
	return 0;
}

void vr_machine_free(struct vr_machine *m)
{
	free(m->sc);
	free(m->qemu_args);
	free(m->kernel_args);
	m->sc = NULL;
	m->qemu_args = NULL;
	m->kernel_args = NULL;
}

struct vr_function *vr_machine_function(struct vr_machine *m, const char *bdf)
{
	for (unsigned i = 0; i < m->nr_functions; i++) {
		const char *b = m->functions[i].bdf;

		if (strcmp(b, bdf) == 0 || (strlen(bdf) == 7 && strcmp(b + 5, bdf) == 0))
			return &m->functions[i];
	}
	return NULL;
}

int vr_machine_bind_only(struct vr_machine *m, char *const *bdfs, unsigned n, char *why,
			 size_t len)
{
	for (unsigned i = 0; i < n; i++) {
		if (!vr_machine_function(m, bdfs[i])) {
			snprintf(why, len, "--device %s: no such PCI function in this machine",
				 bdfs[i]);
			return -ENOENT;
		}
	}
	if (n == 0)
		return 0;
	for (unsigned i = 0; i < m->nr_functions; i++)
		m->functions[i].bound = false;
	for (unsigned i = 0; i < n; i++)
		vr_machine_function(m, bdfs[i])->bound = true;
	return 0;
}

bool vr_group_exists(const struct vr_machine *m, unsigned group)
{
	for (unsigned i = 0; i < m->nr_functions; i++)
		if (m->functions[i].group == group && m->functions[i].bound)
			return true;
	return false;
}

bool vr_group_viable(const struct vr_machine *m, unsigned group)
{
	for (unsigned i = 0; i < m->nr_functions; i++)
		if (m->functions[i].group == group && !m->functions[i].bound)
			return false;
	return vr_group_exists(m, group);
}

int vr_machine_write(const struct vr_machine *m, const char *path)
{
	json_t *o = json_object(), *bound = json_array();
	int rc;

	if (!o || !bound) {
		json_decref(o);
		json_decref(bound);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < m->nr_functions; i++)
		if (m->functions[i].bound)
			json_array_append_new(bound, json_string(m->functions[i].bdf));
	json_object_set_new(o, "platform",
			    json_string(m->platform == VR_PSERIES ? "pseries" : "powernv"));
	if (m->qemu_args)
		json_object_set_new(o, "qemu_args", json_string(m->qemu_args));
	else
		json_object_set_new(o, "scenario", json_string(m->scenario));
	if (m->kernel_args)
		json_object_set_new(o, "kernel_args", json_string(m->kernel_args));
	json_object_set_new(o, "guest_kernel", json_string(m->guest_kernel));
	json_object_set_new(o, "page_size", json_integer((json_int_t)m->page_size));
	json_object_set_new(o, "report", json_string(m->report));
	json_object_set_new(o, "trace_out", json_string(m->trace_out));
	json_object_set_new(o, "verbose", json_boolean(m->verbose));
	json_object_set_new(o, "bound", bound);
	rc = json_dump_file(o, path, JSON_COMPACT) == 0 ? 0 : -EIO;
	json_decref(o);
	return rc;
}

static void copy_str(json_t *o, const char *key, char *dst, size_t len)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(dst, len, "%s", s ? s : "");
}

static char *dup_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? strdup(s) : NULL;
}

int vr_machine_read(const char *path, struct vr_machine *m, char *why, size_t len)
{
	json_error_t jerr;
	json_t *o = json_load_file(path, 0, &jerr), *bound;
	char *bdfs[VR_MAX_FUNCTIONS];
	unsigned n = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	if (!o) {
		snprintf(why, len, "%s: %s", path, jerr.text);
		return -EINVAL;
	}
	m->platform = strcmp(json_string_value(json_object_get(o, "platform")) ?: "", "pseries") == 0
			      ? VR_PSERIES
			      : VR_POWERNV;
	copy_str(o, "scenario", m->scenario, sizeof(m->scenario));
	m->qemu_args = dup_str(o, "qemu_args");
	m->kernel_args = dup_str(o, "kernel_args");
	copy_str(o, "guest_kernel", m->guest_kernel, sizeof(m->guest_kernel));
	copy_str(o, "report", m->report, sizeof(m->report));
	copy_str(o, "trace_out", m->trace_out, sizeof(m->trace_out));
	m->page_size = (uint64_t)json_integer_value(json_object_get(o, "page_size"));
	m->verbose = json_is_true(json_object_get(o, "verbose"));
	rc = vr_machine_load(m, why, len);
	bound = json_object_get(o, "bound");
	for (size_t i = 0; rc == 0 && i < json_array_size(bound) && n < VR_MAX_FUNCTIONS; i++)
		if (json_string_value(json_array_get(bound, i)))
			bdfs[n++] = (char *)(uintptr_t)json_string_value(json_array_get(bound, i));
	if (rc == 0) {
		for (unsigned i = 0; i < m->nr_functions; i++)
			m->functions[i].bound = false;
		for (unsigned i = 0; i < n; i++)
			if (vr_machine_function(m, bdfs[i]))
				vr_machine_function(m, bdfs[i])->bound = true;
	}
	json_decref(o);
	return rc;
}
