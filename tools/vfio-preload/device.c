/* SPDX-License-Identifier: MIT */
/*
 * The device fd of a PCI function (vfio-pci, drivers/vfio/pci/vfio_pci_core.c): nine regions of
 * which only the config space is there (the BARs, ROM and VGA of a function the model has no
 * MMIO for are reported empty, as vfio-pci reports a BAR without resource), five interrupt
 * indexes (no INTx pin, no MSI/MSI-X capability; ERR for PCIe, REQ), no reset. The config space
 * holds the function's ids; writes keep the command register's I/O, memory, bus master and
 * INTx-disable bits, as vfio-pci's virtualisation lets them through, and drop the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "vp_int.h"

#define CFG_SIZE_PCI  256
#define CFG_SIZE_PCIE 4096
#define QEMU_SUBSYS_VENDOR 0x1af4 /* PCI_SUBVENDOR_ID_REDHAT_QUMRANET, QEMU's default */
#define QEMU_SUBSYS_ID	   0x1100

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void config_init(struct vp_device *d)
{
	const struct vr_function *f = d->fn;
	uint8_t *c = d->config;

	memset(c, 0, sizeof(d->config));
	put16(c + PCI_VENDOR_ID, f->vendor);
	put16(c + PCI_DEVICE_ID, f->device);
	c[PCI_REVISION_ID] = f->revision;
	c[PCI_CLASS_PROG] = (uint8_t)f->class_code;
	c[PCI_CLASS_DEVICE] = (uint8_t)(f->class_code >> 8);
	c[PCI_CLASS_DEVICE + 1] = (uint8_t)(f->class_code >> 16);
	c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	put16(c + PCI_SUBSYSTEM_VENDOR_ID, QEMU_SUBSYS_VENDOR);
	put16(c + PCI_SUBSYSTEM_ID, QEMU_SUBSYS_ID);
}

static unsigned cfg_size(const struct vp_device *d)
{
	return d->fn->pcie ? CFG_SIZE_PCIE : CFG_SIZE_PCI;
}

int vp_device_open(struct vp_group *g, const struct vr_function *fn)
{
	struct vp_device *d = calloc(1, sizeof(*d));
	int fd;

	if (!d)
		return -ENOMEM;
	d->group = g;
	d->fn = fn;
	pthread_mutex_init(&d->lock, NULL);
	config_init(d);
	vp_object_get(&g->o);
	/* vfio_group_ioctl_get_device_fd: get_unused_fd_flags(O_CLOEXEC) */
	fd = vp_object_open(&d->o, VP_DEVICE, "dmawin-vfio:device", O_CLOEXEC | O_RDWR);
	if (fd < 0) {
		vp_object_put(&g->o); /* the caller's reference keeps the group */
		free(d);
	}
	return fd;
}

void vp_device_release(struct vp_device *d)
{
	struct vp_group *g = d->group;

	pthread_mutex_lock(&g->lock);
	g->devices_open--;
	pthread_mutex_unlock(&g->lock);
	vp_object_put(&g->o);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static long get_info(unsigned long arg)
{
	const size_t minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;
	int ret = vp_copy_from_user(&info, arg, minsz);

	if (ret)
		return ret;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI; /* reset_works is false */
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return vp_copy_to_user(arg, &info, minsz);
}

static long get_region_info(const struct vp_device *d, unsigned long arg)
{
	const size_t minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;
	int ret = vp_copy_from_user(&info, arg, minsz);

	if (ret)
		return ret;
	if (info.argsz < minsz)
		return -EINVAL;
	switch (info.index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info.size = cfg_size(d);
		info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case VFIO_PCI_BAR0_REGION_INDEX ... VFIO_PCI_ROM_REGION_INDEX:
		info.size = 0; /* no resource: size 0, no flags */
		info.flags = 0;
		break;
	default: /* VGA without has_vga, or past num_regions */
		return -EINVAL;
	}
	info.offset = (uint64_t)info.index << 40; /* VFIO_PCI_INDEX_TO_OFFSET */
	info.cap_offset = 0;
	return vp_copy_to_user(arg, &info, minsz);
}

static uint32_t irq_count(const struct vp_device *d, uint32_t index)
{
	switch (index) {
	case VFIO_PCI_ERR_IRQ_INDEX:
		return d->fn->pcie ? 1 : 0;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	default: /* no interrupt pin, no MSI or MSI-X capability */
		return 0;
	}
}

static long get_irq_info(const struct vp_device *d, unsigned long arg)
{
	const size_t minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;
	int ret = vp_copy_from_user(&info, arg, minsz);

	if (ret)
		return ret;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	if (info.index == VFIO_PCI_ERR_IRQ_INDEX && !d->fn->pcie)
		return -EINVAL;
	info.flags = VFIO_IRQ_INFO_EVENTFD;
	info.count = irq_count(d, info.index);
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else
		info.flags |= VFIO_IRQ_INFO_NORESIZE;
	return vp_copy_to_user(arg, &info, minsz);
}

/* vfio_set_irqs_validate_and_prepare: with these counts only ERR and REQ can be set. */
static long set_irqs(const struct vp_device *d, unsigned long arg)
{
	const size_t minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	uint32_t max;
	int ret = vp_copy_from_user(&hdr, arg, minsz);

	if (ret)
		return ret;
	if (hdr.argsz < minsz || hdr.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	max = irq_count(d, hdr.index);
	if (hdr.start >= max || hdr.start + hdr.count > max)
		return -EINVAL;
	if (hdr.flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return -EINVAL;
	/* an eventfd the model never signals: no error or request event ever happens */
	return 0;
}

long vp_device_ioctl(struct vp_device *d, unsigned long req, unsigned long arg)
{
	switch (req) {
	case VFIO_DEVICE_GET_INFO:
		return get_info(arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return get_region_info(d, arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return get_irq_info(d, arg);
	case VFIO_DEVICE_SET_IRQS:
		return set_irqs(d, arg);
	case VFIO_DEVICE_RESET:
		return -EINVAL; /* !vdev->reset_works */
	default:
		return -ENOTTY;
	}
}

ssize_t vp_device_rw(struct vp_device *d, void *buf, size_t n, uint64_t off, bool write)
{
	uint64_t index = off >> 40, pos = off & ((UINT64_C(1) << 40) - 1);
	size_t size;
	int ret = 0;

	if (index != VFIO_PCI_CONFIG_REGION_INDEX)
		return -EINVAL; /* empty BARs and ROM, no VGA, no region past them */
	size = cfg_size(d);
	if (pos >= size)
		return -EINVAL;
	if (n > size - pos)
		n = size - (size_t)pos;
	pthread_mutex_lock(&d->lock);
	if (!write) {
		ret = vp_copy_to_user((unsigned long)(uintptr_t)buf, d->config + pos, n);
	} else {
		uint8_t tmp[CFG_SIZE_PCIE];
		const uint16_t keep = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
				      PCI_COMMAND_INTX_DISABLE;

		ret = vp_copy_from_user(tmp, (unsigned long)(uintptr_t)buf, n);
		for (size_t i = 0; ret == 0 && i < n; i++) {
			uint64_t at = pos + i;

			if (at == PCI_COMMAND)
				d->config[at] = tmp[i] & (uint8_t)keep;
			else if (at == PCI_COMMAND + 1)
				d->config[at] = tmp[i] & (uint8_t)(keep >> 8);
		}
	}
	pthread_mutex_unlock(&d->lock);
	return ret ? ret : (ssize_t)n;
}
