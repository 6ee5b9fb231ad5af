/* SPDX-License-Identifier: MIT */
/* A scenario from a QEMU pseries command line (papr_qemu.h) and the guest kernel's options. */
#include <stdlib.h>
#include <string.h>

#include "dmawin/guest.h"
#include "dmawin/papr_qemu.h"
#include "sim/sim_int.h"

/* The mask comes from the guest layer's table of Linux drivers for QEMU device models (e1000,
 * rtl8139 and pcnet stay 32-bit); a model it does not know is taken as 64-bit. */
static void device_from_qemu(const struct dmawin_qemu_device *q, struct dmawin_sim_device *d)
{
	unsigned bits = 64;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", q->name);
	d->phb_index = q->phb_index;
	d->pci_addr_set = true;
	d->bus = q->bus;
	d->devfn = q->devfn;
	if (dmawin_guest_mask_for_qemu_device(q->driver, &bits) < 0)
		bits = 64;
	d->dma_mask_bits = bits;
	d->kind = strcmp(q->driver, "nvme") == 0 ? DMAWIN_SIM_NVME : DMAWIN_SIM_NIC;
	d->vfio = strcmp(q->driver, "vfio-pci") == 0;
	sim_workload_defaults(d->kind, &d->workload);
}

/* Whole words of the kernel command line only: "nodisable_ddw" is not "disable_ddw". */
static bool has_word(const char *line, const char *word)
{
	size_t n = strlen(word);

	for (const char *s = line; (s = strstr(s, word)); s += n)
		if ((s == line || s[-1] == ' ') && (s[n] == '\0' || s[n] == ' ' || s[n] == '='))
			return true;
	return false;
}

int dmawin_sim_scenario_from_qemu(const char *qemu_args, const char *kernel_args,
				  struct dmawin_sim_scenario *out,
				  struct dmawin_qemu_warnings *warnings,
				  struct dmawin_sim_error *err)
{
	struct sim_parse p = {err, "<qemu-args>"};
	struct dmawin_qemu_machine *m;
	struct dmawin_sim_scenario *sc;
	char why[DMAWIN_SIM_TEXT_MAX] = "";
	int rc;

	if (!qemu_args || !out)
		return sim_fail(&p, "", "no command line");
	m = malloc(sizeof(*m));
	sc = calloc(1, sizeof(*sc));
	if (!m || !sc) {
		free(m);
		free(sc);
		sim_fail(&p, "", "out of memory");
		return -ENOMEM;
	}
	rc = dmawin_papr_qemu_parse(qemu_args, m, why, sizeof(why));
	if (rc < 0) {
		sim_fail(&p, "", "%s", why);
		goto out;
	}
	if (warnings)
		*warnings = m->warnings;
	snprintf(sc->name, sizeof(sc->name), "qemu-args");
	snprintf(sc->description, sizeof(sc->description), "from a QEMU command line");
	sc->seed = 1;
	sc->papr = m->papr;
	sc->papr.maxmem = sc->papr.maxmem ? sc->papr.maxmem : sc->papr.ram_size;
	sc->backing_page_size = 64 << 10;
	sc->guest_multitce = true;
	sc->guest_kernel = DMAWIN_GUEST_KERNEL_NEWEST;
	if (kernel_args) {
		sc->disable_ddw = has_word(kernel_args, "disable_ddw");
		sc->guest_multitce = !has_word(kernel_args, "multitce=off");
	}
	for (uint32_t i = 0; i < m->nr_devices && sc->nr_devices < DMAWIN_SIM_MAX_DEVICES; i++)
		/* QEMU's default VGA/USB take their slots but get no workload */
		if (!m->devices[i].no_dma && !m->devices[i].implicit)
			device_from_qemu(&m->devices[i], &sc->devices[sc->nr_devices++]);
	rc = sim_scenario_check(&p, sc);
	if (rc == 0)
		*out = *sc;
out:
	free(m);
	free(sc);
	return rc;
}
