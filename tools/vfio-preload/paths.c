/* SPDX-License-Identifier: MIT */
/*
 * The file names of the simulated machine. /dev/vfio and the PCI functions' sysfs entries belong
 * to the machine: a name there that the machine lacks does not exist (the real host's devices
 * are hidden), everything else is the real file system.
 *   /dev/vfio/vfio                          the container device (char 10:196)
 *   /dev/vfio/N                             group N, when a function of it is bound to vfio-pci
 *   /sys/bus/pci/devices/BDF                -> ../../../devices/pciDDDD:00/BDF
 *   /sys/devices/pciDDDD:00/BDF/iommu_group -> ../../../kernel/iommu_groups/N
 *   /sys/kernel/iommu_groups/N              the group's directory
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "vp_int.h"

#define VFIO_MISC_MAJOR	 10
#define VFIO_MISC_MINOR	 196
#define VFIO_GROUP_MAJOR 511 /* dynamic in Linux (alloc_chrdev_region); a fixed stand-in */

static bool prefix(const char *s, const char *p, const char **rest)
{
	size_t n = strlen(p);

	if (strncmp(s, p, n) != 0)
		return false;
	*rest = s + n;
	return true;
}

/* "N" with nothing after it but slashes; -1 otherwise. */
static long number(const char *s, const char **rest)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	*rest = end;
	return v;
}

static bool only_slashes(const char *s)
{
	while (*s == '/')
		s++;
	return *s == '\0';
}

static enum vp_path classify_dev_vfio(const char *rest, unsigned *group)
{
	struct vp_host *h;
	const char *after;
	long n;

	if (only_slashes(rest))
		return VP_PATH_VFIO_DIR;
	if (*rest != '/')
		return VP_PATH_OTHER; /* /dev/vfioX */
	rest++;
	if (strcmp(rest, "vfio") == 0)
		return VP_PATH_CONTAINER;
	n = number(rest, &after);
	h = vp_host_get();
	if (n < 0 || *after != '\0' || !h || !vr_group_exists(&h->m, (unsigned)n))
		return VP_PATH_NOENT;
	*group = (unsigned)n;
	return VP_PATH_GROUP_DEV;
}

/* BDF[/iommu_group] after a devices directory. */
static enum vp_path classify_function(const char *rest, unsigned *group)
{
	struct vp_host *h = vp_host_get();
	char bdf[VR_BDF_LEN];
	const struct vr_function *f;
	size_t n = strcspn(rest, "/");

	if (n != VR_BDF_LEN - 1 || !h)
		return VP_PATH_NOENT;
	memcpy(bdf, rest, n);
	bdf[n] = '\0';
	f = vr_machine_function(&h->m, bdf);
	if (!f)
		return VP_PATH_NOENT;
	*group = f->group;
	rest += n;
	if (only_slashes(rest))
		return VP_PATH_PCI_DEV;
	while (*rest == '/')
		rest++;
	if (strncmp(rest, "iommu_group", 11) == 0 && only_slashes(rest + 11))
		return VP_PATH_GROUP_LINK;
	return VP_PATH_NOENT;
}

enum vp_path vp_path_classify(const char *path, unsigned *group)
{
	const char *rest;

	if (!path || path[0] != '/')
		return VP_PATH_OTHER;
	if (prefix(path, "/dev/vfio", &rest))
		return classify_dev_vfio(rest, group);
	if (prefix(path, "/sys/bus/pci/devices/", &rest) && *rest)
		return classify_function(rest, group);
	if (prefix(path, "/sys/devices/pci", &rest) && strlen(rest) > 8 && rest[4] == ':' &&
	    rest[7] == '/')
		return classify_function(rest + 8, group);
	if (prefix(path, "/sys/kernel/iommu_groups/", &rest) && *rest) {
		struct vp_host *h = vp_host_get();
		const char *after;
		long n = number(rest, &after);

		if (n < 0 || !only_slashes(after) || !h || (unsigned long)n >= h->m.nr_groups)
			return VP_PATH_NOENT;
		*group = (unsigned)n;
		return VP_PATH_GROUP_DIR;
	}
	return VP_PATH_OTHER;
}

int vp_path_stat(enum vp_path kind, unsigned group, bool follow, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_nlink = 1;
	st->st_blksize = 4096;
	switch (kind) {
	case VP_PATH_CONTAINER:
		st->st_mode = S_IFCHR | 0666;
		st->st_rdev = makedev(VFIO_MISC_MAJOR, VFIO_MISC_MINOR);
		return 0;
	case VP_PATH_GROUP_DEV:
		st->st_mode = S_IFCHR | 0600;
		st->st_rdev = makedev(VFIO_GROUP_MAJOR, group);
		return 0;
	case VP_PATH_PCI_DEV:
	case VP_PATH_GROUP_LINK:
		st->st_mode = follow ? (S_IFDIR | 0755) : (S_IFLNK | 0777);
		st->st_nlink = follow ? 2 : 1;
		return 0;
	case VP_PATH_VFIO_DIR:
	case VP_PATH_GROUP_DIR:
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	default:
		return -ENOENT;
	}
}

/* The PCI function's directory under /sys/devices. */
static void device_dir(const char *path, char *out, size_t len)
{
	const char *bdf = strstr(path, "/sys/bus/pci/devices/");

	if (bdf)
		bdf += strlen("/sys/bus/pci/devices/");
	else
		bdf = path + strlen("/sys/devices/pci0000:00/");
	snprintf(out, len, "/sys/devices/pci%.4s:00/%.12s", bdf, bdf);
}

ssize_t vp_path_readlink(enum vp_path kind, const char *path, unsigned group, char *buf,
			 size_t len)
{
	char target[64];
	size_t n;

	if (kind == VP_PATH_GROUP_LINK)
		snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%u", group);
	else if (kind == VP_PATH_PCI_DEV && strstr(path, "/sys/bus/pci/devices/") == path)
		snprintf(target, sizeof(target), "../../../devices/pci%.4s:00/%.12s",
			 path + 21, path + 21);
	else
		return kind == VP_PATH_NOENT ? -ENOENT : -EINVAL;
	n = strlen(target);
	if (n > len)
		n = len; /* readlink truncates silently */
	memcpy(buf, target, n);
	return (ssize_t)n;
}

int vp_path_realpath(enum vp_path kind, const char *path, unsigned group, char *out, size_t len)
{
	char dir[64];
	size_t n;

	switch (kind) {
	case VP_PATH_GROUP_LINK:
	case VP_PATH_GROUP_DIR:
		n = (size_t)snprintf(out, len, "/sys/kernel/iommu_groups/%u", group);
		break;
	case VP_PATH_PCI_DEV:
		device_dir(path, dir, sizeof(dir));
		n = (size_t)snprintf(out, len, "%s", dir);
		break;
	case VP_PATH_CONTAINER:
		n = (size_t)snprintf(out, len, "/dev/vfio/vfio");
		break;
	case VP_PATH_GROUP_DEV:
		n = (size_t)snprintf(out, len, "/dev/vfio/%u", group);
		break;
	case VP_PATH_VFIO_DIR:
		n = (size_t)snprintf(out, len, "/dev/vfio");
		break;
	default:
		return -ENOENT;
	}
	return n < len ? 0 : -ENAMETOOLONG;
}
