/* SPDX-License-Identifier: MIT */
/*
 * libdmawin-vfio-preload internals. The library stands in for the kernel's VFIO files inside an
 * unmodified program:
 *   interpose.c  the libc entry points (open, close, dup, ioctl, read/write, mmap, stat, ...)
 *   fdtab.c      fd -> object table, object references, fork
 *   paths.c      /dev/vfio/..., /sys/bus/pci/devices/BDF/iommu_group, /sys/kernel/iommu_groups
 *   host.c       the machine: memory, PHBs and PEs, the process memory context
 *   container.c  /dev/vfio/vfio: the VFIO core's container ioctls, then the vfio layer
 *   group.c      /dev/vfio/N: the VFIO core's group ioctls
 *   device.c     the device fd: vfio-pci's GET_INFO, regions, config space, IRQs
 *   report.c     the exit report
 * Every handle is a real fd (a memfd) so that fd numbers, close-on-exec, dup and fd passing
 * behave as the kernel's; the object behind it is found by fd, or by the memfd's inode for an fd
 * that arrived some other way (SCM_RIGHTS).
 */
#ifndef DMAWIN_VP_INT_H
#define DMAWIN_VP_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "dmawin/mem.h"
#include "dmawin/vfio.h"
#include "vr_machine.h"

#define VP_EXPORT __attribute__((visibility("default")))

#ifndef offsetofend
#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))
#endif

enum vp_kind {
	VP_CONTAINER = 1,
	VP_GROUP = 2,
	VP_DEVICE = 3,
};

struct vp_object {
	enum vp_kind kind;
	_Atomic long refs; /* fd slots + dependent objects + calls in flight */
	dev_t st_dev;	   /* identity of the memfd behind the fds */
	ino_t st_ino;
	struct vp_object *live_next; /* the list of live objects (found by inode) */
};

struct vp_group;

struct vp_container {
	struct vp_object o;
	/* The VFIO core's container->group_lock: driver calls shared, SET_IOMMU and group
	 * attach/detach exclusive (the last detach replaces @c). */
	pthread_rwlock_t lock;
	struct dmawin_vfio_container *c;
	bool iommu_set;	  /* VFIO_SET_IOMMU done (iommu_driver) */
	unsigned ngroups; /* groups set into it */
	/* what close or the last detach tore down that the program never undid */
	uint64_t released_mappings, released_regions;
};

struct vp_group {
	struct vp_object o;
	pthread_mutex_t lock; /* group->group_lock */
	unsigned number;
	struct vp_container *container; /* NULL until SET_CONTAINER (holds a reference) */
	unsigned devices_open;		/* device fds of this group (container_users - 1) */
};

struct vp_device {
	struct vp_object o;
	struct vp_group *group; /* holds a reference */
	const struct vr_function *fn;
	pthread_mutex_t lock;
	uint8_t config[4096];
};

/* ---- host.c -------------------------------------------------------------------------------- */

struct vp_host {
	struct vr_machine m;
	struct dmawin_mem *mem;
	struct dmawin_vfio_mm *mm;
	pid_t pid; /* the process the host was built in (fork children are not it) */
	struct vp_host_group *groups;
	struct vp_platform *platform;
	/* opened_file of each group (one open at a time, EBUSY otherwise) */
	_Atomic bool *group_open;
};

/* The host, built at the first use of a VFIO path; NULL (errno set) if it cannot be. */
struct vp_host *vp_host_get(void);
/* The host if it was built, else NULL (never builds it). */
struct vp_host *vp_host_peek(void);
/* The memory context of the calling process (a fork child gets its own). */
struct dmawin_vfio_mm *vp_host_mm(struct vp_host *h);
/* The PE of IOMMU group @group, with its platform description. */
struct dmawin_pe *vp_host_group_pe(struct vp_host *h, unsigned group,
				   const struct dmawin_vfio_group_config **cfg);
/* A new container of this host's platform; 0 or a negative errno. */
int vp_host_container_create(struct vp_host *h, struct dmawin_vfio_container **out);
/* What CHECK_EXTENSION(VFIO_EEH) answers on this platform. */
bool vp_host_eeh(const struct vp_host *h);
/* Called after fork in the child. */
void vp_host_forked(void);

/* ---- fdtab.c ------------------------------------------------------------------------------- */

/* A new object of @kind behind a new memfd; returns the fd or -errno. @flags: O_CLOEXEC etc. */
int vp_object_open(struct vp_object *o, enum vp_kind kind, const char *name, int flags);
/* The object behind @fd with a reference taken, or NULL if the fd is not one of ours. */
struct vp_object *vp_fd_get(int fd);
void vp_object_get(struct vp_object *o);
void vp_object_put(struct vp_object *o);
/* Whether the slot of @fd holds an object (no lock, no reference). */
bool vp_fd_known(int fd);
/* The fd was closed (or replaced): drop its slot. */
void vp_fd_forget(int fd);
/* @newfd now refers to the same file as @oldfd. */
void vp_fd_dup(int oldfd, int newfd);
/* An fd received from elsewhere: adopt it if its inode is one of ours. */
void vp_fd_adopt(int fd);
/* Calls on objects hold this shared; fork holds it exclusively. */
void vp_calls_enter(void);
void vp_calls_leave(void);
void vp_fdtab_init(void);
/* Every live object of @kind, in creation order, under the table lock (for the report). */
void vp_objects_for_each(enum vp_kind kind, void (*fn)(struct vp_object *o, void *arg),
			 void *arg);

/* ---- the file types ------------------------------------------------------------------------ */

int vp_container_open(int flags);
long vp_container_ioctl(struct vp_container *c, unsigned long req, unsigned long arg);
void vp_container_release(struct vp_container *c);
/* Group @g joins / leaves container @c (SET/UNSET_CONTAINER, group close). */
int vp_container_attach(struct vp_container *c, struct vp_group *g);
void vp_container_detach(struct vp_container *c, struct vp_group *g);

int vp_group_open(unsigned number, int flags);
long vp_group_ioctl(struct vp_group *g, unsigned long req, unsigned long arg);
void vp_group_release(struct vp_group *g);

int vp_device_open(struct vp_group *g, const struct vr_function *fn);
long vp_device_ioctl(struct vp_device *d, unsigned long req, unsigned long arg);
ssize_t vp_device_rw(struct vp_device *d, void *buf, size_t n, uint64_t off, bool write);
void vp_device_release(struct vp_device *d);

/* ---- paths.c ------------------------------------------------------------------------------- */

enum vp_path {
	VP_PATH_OTHER = 0,  /* not ours: the real file system */
	VP_PATH_NOENT,	    /* in our name space, but no such file */
	VP_PATH_CONTAINER,  /* /dev/vfio/vfio */
	VP_PATH_GROUP_DEV,  /* /dev/vfio/N (N bound) */
	VP_PATH_VFIO_DIR,   /* /dev/vfio */
	VP_PATH_PCI_DEV,    /* /sys/bus/pci/devices/BDF */
	VP_PATH_GROUP_LINK, /* /sys/bus/pci/devices/BDF/iommu_group */
	VP_PATH_GROUP_DIR,  /* /sys/kernel/iommu_groups/N */
};

/* Classifies @path (absolute or relative to the cwd); @group gets N where there is one. */
enum vp_path vp_path_classify(const char *path, unsigned *group);
/* Fills @st for one of our paths (follow: stat rather than lstat). 0 or -ENOENT. */
int vp_path_stat(enum vp_path kind, unsigned group, bool follow, struct stat *st);
/* readlink of VP_PATH_GROUP_LINK (and the PCI_DEV link); -EINVAL for other kinds. */
ssize_t vp_path_readlink(enum vp_path kind, const char *path, unsigned group, char *buf,
			 size_t len);
/* The resolved path of one of ours. */
int vp_path_realpath(enum vp_path kind, const char *path, unsigned group, char *out, size_t len);

/* ---- report.c ------------------------------------------------------------------------------ */

void vp_report_at_exit(void);
/* A container closed with @pages mapped and @regions registered (what close tore down). */
void vp_report_closed(uint64_t pages, uint64_t regions);

/* ---- uaccess.c: the program's memory as the kernel reads it -------------------------------- */

/* copy_from_user / copy_to_user: 0, or -EFAULT for memory the process cannot access. */
int vp_copy_from_user(void *dst, unsigned long src, size_t n);
int vp_copy_to_user(unsigned long dst, const void *src, size_t n);
/* strndup_user(src, @max) into @dst[@max]: 0; -EFAULT; -EINVAL if no NUL within @max bytes. */
int vp_strndup_user(char *dst, unsigned long src, size_t max);

/* ---- the real libc functions (interpose.c) ------------------------------------------------- */

int vp_real_close(int fd);
int vp_real_fstat(int fd, struct stat *st);

#endif
