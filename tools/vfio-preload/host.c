/* SPDX-License-Identifier: MIT */
/*
 * The machine the program runs on, built from DMAWIN_VFIO_MACHINE at the first use of a VFIO
 * name: the program's own memory is the host memory (an empty mem whose regions are the
 * buffers the program registers, with its real RLIMIT_MEMLOCK as the lock limit), one PHB per
 * PHB of the machine, one PE per IOMMU group, and the process memory context (mm).
 */
#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dmawin/pe.h"
#include "vp_int.h"
#include "vp_platform.h"

struct vp_host_group {
	struct dmawin_pe *pe;
	struct dmawin_vfio_group_config cfg;
};

static pthread_once_t host_once = PTHREAD_ONCE_INIT;
static struct vp_host *host;
static int host_errno;
static pthread_mutex_t mm_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dmawin_vfio_mm *child_mm; /* the mm of a fork child */
static pid_t child_pid;

/* account_locked_vm: no limit with CAP_IPC_LOCK or an infinite RLIMIT_MEMLOCK. */
static uint64_t memlock_limit(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	struct rlimit rl;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) == 0 && (data[0].effective & (1u << CAP_IPC_LOCK)))
		return UINT64_MAX;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return UINT64_MAX;
	return rl.rlim_cur ? (uint64_t)rl.rlim_cur : 1; /* 0 must still refuse everything */
}

static unsigned page_shift_of(uint64_t size)
{
	return size ? (unsigned)__builtin_ctzll(size) : 16;
}

static int host_build(struct vp_host *h)
{
	const char *path = getenv(VR_ENV_MACHINE);
	struct dmawin_mem_config mc = {0};
	char why[512];
	int rc;

	if (!path)
		return -ENOENT;
	if (vr_machine_read(path, &h->m, why, sizeof(why)) != 0)
		return -EINVAL;
	mc.lock_limit = memlock_limit();
	rc = dmawin_mem_create(&mc, &h->mem);
	if (rc)
		return rc;
	rc = dmawin_vfio_mm_create(h->mem, page_shift_of(h->m.page_size), &h->mm);
	if (rc)
		return rc;
	h->groups = calloc(h->m.nr_groups ? h->m.nr_groups : 1, sizeof(*h->groups));
	h->group_open = calloc(h->m.nr_groups ? h->m.nr_groups : 1, sizeof(*h->group_open));
	if (!h->groups || !h->group_open)
		return -ENOMEM;
	rc = vp_platform_create(h, &h->platform);
	for (unsigned g = 0; rc == 0 && g < h->m.nr_groups; g++)
		rc = vp_platform_group(h->platform, g, &h->groups[g].pe, &h->groups[g].cfg);
	h->pid = getpid();
	return rc;
}

static void host_init(void)
{
	struct vp_host *h = calloc(1, sizeof(*h));

	if (!h) {
		host_errno = ENOMEM;
		return;
	}
	host_errno = -host_build(h);
	if (host_errno == 0) {
		host = h;
		atexit(vp_report_at_exit);
	}
	/* on failure the pieces stay allocated: the process lives on without a machine */
}

struct vp_host *vp_host_get(void)
{
	pthread_once(&host_once, host_init);
	if (!host)
		errno = host_errno ? host_errno : ENODEV;
	return host;
}

struct vp_host *vp_host_peek(void)
{
	return host;
}

struct dmawin_vfio_mm *vp_host_mm(struct vp_host *h)
{
	struct dmawin_vfio_mm *mm;

	if (getpid() == h->pid)
		return h->mm;
	/* A fork child is another process: its own mm, so that a container bound to the
	 * parent's answers it with EPERM, as tce_iommu_ioctl does for a foreign mm. */
	pthread_mutex_lock(&mm_lock);
	if (child_pid != getpid()) {
		child_mm = NULL;
		if (dmawin_vfio_mm_create(h->mem, page_shift_of(h->m.page_size), &child_mm) == 0)
			child_pid = getpid();
	}
	mm = child_mm ? child_mm : h->mm;
	pthread_mutex_unlock(&mm_lock);
	return mm;
}

void vp_host_forked(void)
{
	pthread_mutex_init(&mm_lock, NULL);
}

struct dmawin_pe *vp_host_group_pe(struct vp_host *h, unsigned group,
				   const struct dmawin_vfio_group_config **cfg)
{
	if (group >= h->m.nr_groups)
		return NULL;
	*cfg = &h->groups[group].cfg;
	return h->groups[group].pe;
}

int vp_host_container_create(struct vp_host *h, struct dmawin_vfio_container **out)
{
	struct dmawin_vfio_config cfg = {.quirks = 0, .eeh = vp_host_eeh(h)};

	return dmawin_vfio_create(vp_host_mm(h), &cfg, out);
}

bool vp_host_eeh(const struct vp_host *h)
{
	return vp_platform_eeh(h->platform);
}
