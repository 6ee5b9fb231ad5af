/* SPDX-License-Identifier: MIT */
/*
 * The libc functions the library stands in for. Each first asks whether the name or fd is one of
 * ours (a prefix test on names, one atomic load on fds) and otherwise calls the next definition
 * (the real libc) unchanged, so every other file behaves as it would without the library.
 * Errors are returned the libc way: -1 with errno as the kernel would set it.
 *
 * This file defines both the plain and the 64 names: the headers must not rename one into the
 * other, so it is compiled without _FILE_OFFSET_BITS (on LP64 the two are the same functions).
 */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vp_int.h"

/* Resolves libc's own definition once; the pointer is published with release order. */
#define REAL(name, type)                                                                           \
	static type real_##name(void)                                                              \
	{                                                                                          \
		static _Atomic(type) fn;                                                           \
		type f = atomic_load_explicit(&fn, memory_order_acquire);                          \
		if (!f) {                                                                          \
			f = (type)dlsym(RTLD_NEXT, #name);                                         \
			atomic_store_explicit(&fn, f, memory_order_release);                       \
		}                                                                                  \
		return f;                                                                          \
	}

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*close_fn)(int);
typedef int (*dup_fn)(int);
typedef int (*dup2_fn)(int, int);
typedef int (*dup3_fn)(int, int, int);
typedef int (*fcntl_fn)(int, int, ...);
typedef int (*ioctl_fn)(int, unsigned long, ...);
typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pread_fn)(int, void *, size_t, off_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);
typedef ssize_t (*readlink_fn)(const char *, char *, size_t);
typedef ssize_t (*readlinkat_fn)(int, const char *, char *, size_t);
typedef char *(*realpath_fn)(const char *, char *);
typedef int (*stat_fn)(const char *, struct stat *);
typedef int (*fstatat_fn)(int, const char *, struct stat *, int);
typedef int (*fstat_fn)(int, struct stat *);
typedef int (*access_fn)(const char *, int);
typedef int (*faccessat_fn)(int, const char *, int, int);
typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);
typedef int (*close_range_fn)(unsigned int, unsigned int, int);

REAL(open, open_fn)
REAL(open64, open_fn)
REAL(openat, openat_fn)
REAL(openat64, openat_fn)
REAL(close, close_fn)
REAL(dup, dup_fn)
REAL(dup2, dup2_fn)
REAL(dup3, dup3_fn)
REAL(fcntl, fcntl_fn)
REAL(fcntl64, fcntl_fn)
REAL(ioctl, ioctl_fn)
REAL(read, read_fn)
REAL(write, write_fn)
REAL(pread, pread_fn)
REAL(pread64, pread_fn)
REAL(pwrite, pwrite_fn)
REAL(pwrite64, pwrite_fn)
REAL(mmap, mmap_fn)
REAL(mmap64, mmap_fn)
REAL(readlink, readlink_fn)
REAL(readlinkat, readlinkat_fn)
REAL(realpath, realpath_fn)
REAL(stat, stat_fn)
REAL(stat64, stat_fn)
REAL(lstat, stat_fn)
REAL(lstat64, stat_fn)
REAL(fstatat, fstatat_fn)
REAL(fstatat64, fstatat_fn)
REAL(fstat, fstat_fn)
REAL(access, access_fn)
REAL(faccessat, faccessat_fn)
REAL(recvmsg, recvmsg_fn)
REAL(close_range, close_range_fn)

int vp_real_close(int fd)
{
	return real_close()(fd);
}

int vp_real_fstat(int fd, struct stat *st)
{
	return real_fstat()(fd, st);
}

static long fail(long err)
{
	errno = (int)-err;
	return -1;
}

__attribute__((constructor)) static void vp_init(void)
{
	vp_fdtab_init();
}

/* ---- open --------------------------------------------------------------------------------- */

/* The open of one of our names; VP_PATH_OTHER is never passed. */
static int open_ours(enum vp_path kind, unsigned group, int flags)
{
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return (int)fail(-EEXIST);
	if (kind == VP_PATH_NOENT)
		return (int)fail(-ENOENT);
	if (flags & O_DIRECTORY)
		return (int)fail(kind == VP_PATH_CONTAINER || kind == VP_PATH_GROUP_DEV ? -ENOTDIR
										   : -ENOENT);
	if (kind == VP_PATH_CONTAINER) {
		int fd = vp_host_get() ? vp_container_open(flags) : -ENODEV;

		return fd < 0 ? (int)fail(fd) : fd;
	}
	if (kind == VP_PATH_GROUP_DEV) {
		int fd = vp_group_open(group, flags);

		return fd < 0 ? (int)fail(fd) : fd;
	}
	/* the sysfs directories can be stat'ed and resolved, not opened */
	return (int)fail(-ENOENT);
}

static enum vp_path classify(const char *path, unsigned *group)
{
	*group = 0;
	return vp_path_classify(path, group);
}

static bool needs_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

#define OPEN_BODY(realfn, ...)                                                                     \
	do {                                                                                       \
		unsigned group;                                                                    \
		enum vp_path kind = classify(path, &group);                                        \
		mode_t mode = 0;                                                                   \
		if (needs_mode(flags)) {                                                           \
			va_list ap;                                                                \
			va_start(ap, flags);                                                       \
			mode = (mode_t)va_arg(ap, int);                                            \
			va_end(ap);                                                                \
		}                                                                                  \
		if (kind != VP_PATH_OTHER && kind != VP_PATH_VFIO_DIR)                             \
			return open_ours(kind, group, flags);                                      \
		return realfn()(__VA_ARGS__, flags, mode);                                         \
	} while (0)

VP_EXPORT int open(const char *path, int flags, ...)
{
	OPEN_BODY(real_open, path);
}

VP_EXPORT int open64(const char *path, int flags, ...)
{
	OPEN_BODY(real_open64, path);
}

VP_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	OPEN_BODY(real_openat, dirfd, path);
}

VP_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	OPEN_BODY(real_openat64, dirfd, path);
}

/* _FORTIFY_SOURCE's checked opens (no mode argument), and the checked realpath. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
char *__realpath_chk(const char *path, char *resolved, size_t len);

VP_EXPORT int __open_2(const char *path, int flags)
{
	return open(path, flags);
}

VP_EXPORT int __open64_2(const char *path, int flags)
{
	return open64(path, flags);
}

VP_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return openat(dirfd, path, flags);
}

VP_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	return openat64(dirfd, path, flags);
}

/* ---- fd lifetime ---------------------------------------------------------------------------- */

VP_EXPORT int close(int fd)
{
	int ret = real_close()(fd);

	/* Linux closes the fd even when close() reports an error (EINTR, EIO). */
	if (vp_fd_known(fd) && !(ret < 0 && errno == EBADF))
		vp_fd_forget(fd);
	return ret;
}

VP_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	int ret = real_close_range() ? real_close_range()(first, last, flags) : (int)fail(-ENOSYS);

	if (ret == 0 && !(flags & CLOSE_RANGE_CLOEXEC))
		for (unsigned long fd = first; fd <= last && fd < (1u << 20); fd++)
			if (vp_fd_known((int)fd))
				vp_fd_forget((int)fd);
	return ret;
}

VP_EXPORT int dup(int fd)
{
	int n = real_dup()(fd);

	if (n >= 0 && (vp_fd_known(fd) || vp_fd_known(n)))
		vp_fd_dup(fd, n);
	return n;
}

VP_EXPORT int dup2(int fd, int nfd)
{
	int n = real_dup2()(fd, nfd);

	if (n >= 0 && (vp_fd_known(fd) || vp_fd_known(n)))
		vp_fd_dup(fd, n);
	return n;
}

VP_EXPORT int dup3(int fd, int nfd, int flags)
{
	int n = real_dup3()(fd, nfd, flags);

	if (n >= 0 && (vp_fd_known(fd) || vp_fd_known(n)))
		vp_fd_dup(fd, n);
	return n;
}

static int fcntl_common(fcntl_fn realfn, int fd, int cmd, va_list ap)
{
	/* every fcntl argument is an int or a pointer; a long carries both on LP64 */
	long arg = va_arg(ap, long);
	int ret = realfn(fd, cmd, arg);

	if (ret >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) &&
	    (vp_fd_known(fd) || vp_fd_known(ret)))
		vp_fd_dup(fd, ret);
	return ret;
}

VP_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	int ret;

	va_start(ap, cmd);
	ret = fcntl_common(real_fcntl(), fd, cmd, ap);
	va_end(ap);
	return ret;
}

VP_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	int ret;

	va_start(ap, cmd);
	ret = fcntl_common(real_fcntl64() ? real_fcntl64() : real_fcntl(), fd, cmd, ap);
	va_end(ap);
	return ret;
}

/* fds passed over a socket: they may be ours (the memfd's inode says). */
VP_EXPORT ssize_t recvmsg(int sock, struct msghdr *msg, int flags)
{
	ssize_t n = real_recvmsg()(sock, msg, flags);

	if (n < 0 || !msg || !vp_host_peek())
		return n;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			vp_fd_adopt(fd);
		}
	}
	return n;
}

/* ---- calls on the objects ------------------------------------------------------------------ */

static long object_ioctl(struct vp_object *o, unsigned long req, unsigned long arg)
{
	switch (o->kind) {
	case VP_CONTAINER:
		return vp_container_ioctl((struct vp_container *)o, req, arg);
	case VP_GROUP:
		return vp_group_ioctl((struct vp_group *)o, req, arg);
	case VP_DEVICE:
		return vp_device_ioctl((struct vp_device *)o, req, arg);
	}
	return -ENOTTY;
}

VP_EXPORT int ioctl(int fd, unsigned long req, ...)
{
	struct vp_object *o;
	unsigned long arg;
	va_list ap;
	long ret;

	va_start(ap, req);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	if (!vp_fd_known(fd)) {
		/* an fd that came another way (SCM_RIGHTS through recvmmsg, pidfd_getfd) */
		if (_IOC_TYPE(req) != VFIO_TYPE || !vp_host_peek())
			return real_ioctl()(fd, req, arg);
		vp_fd_adopt(fd);
		if (!vp_fd_known(fd))
			return real_ioctl()(fd, req, arg);
	}
	vp_calls_enter();
	o = vp_fd_get(fd);
	if (!o) {
		vp_calls_leave();
		return real_ioctl()(fd, req, arg);
	}
	ret = object_ioctl(o, req, arg);
	vp_object_put(o);
	vp_calls_leave();
	if (ret < 0)
		return (int)fail(ret);
	return (int)ret;
}

/* read/write/pread/pwrite: the device's regions; the container and group have no read/write. */
static ssize_t object_rw(int fd, void *buf, size_t n, off_t off, bool positioned, bool write)
{
	struct vp_object *o;
	ssize_t ret;

	vp_calls_enter();
	o = vp_fd_get(fd);
	if (!o) {
		vp_calls_leave();
		return -EBADF;
	}
	if (o->kind != VP_DEVICE) {
		ret = -EINVAL;
	} else {
		uint64_t pos = positioned ? (uint64_t)off : (uint64_t)lseek(fd, 0, SEEK_CUR);

		ret = vp_device_rw((struct vp_device *)o, buf, n, pos, write);
		if (!positioned && ret > 0)
			lseek(fd, (off_t)(pos + (uint64_t)ret), SEEK_SET);
	}
	vp_object_put(o);
	vp_calls_leave();
	return ret;
}

VP_EXPORT ssize_t read(int fd, void *buf, size_t n)
{
	ssize_t r;

	if (!vp_fd_known(fd))
		return real_read()(fd, buf, n);
	r = object_rw(fd, buf, n, 0, false, false);
	return r < 0 ? fail(r) : r;
}

VP_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t r;

	if (!vp_fd_known(fd))
		return real_write()(fd, buf, n);
	r = object_rw(fd, (void *)(uintptr_t)buf, n, 0, false, true);
	return r < 0 ? fail(r) : r;
}

#define PRW(name, realfn, constq, write)                                                           \
	VP_EXPORT ssize_t name(int fd, constq void *buf, size_t n, off_t off)                      \
	{                                                                                          \
		ssize_t r;                                                                         \
		if (!vp_fd_known(fd))                                                              \
			return realfn()(fd, buf, n, off);                                          \
		r = object_rw(fd, (void *)(uintptr_t)buf, n, off, true, write);                    \
		return r < 0 ? fail(r) : r;                                                        \
	}

PRW(pread, real_pread, , false)
PRW(pread64, real_pread64, , false)
PRW(pwrite, real_pwrite, const, true)
PRW(pwrite64, real_pwrite64, const, true)

/* No region of ours can be mmap'ed: the container and group have no mmap (ENODEV), the device
 * has no region with VFIO_REGION_INFO_FLAG_MMAP (EINVAL). */
static void *mmap_common(mmap_fn realfn, void *addr, size_t len, int prot, int flags, int fd,
			 off_t off)
{
	struct vp_object *o;
	long err;

	if ((flags & MAP_ANONYMOUS) || !vp_fd_known(fd))
		return realfn(addr, len, prot, flags, fd, off);
	vp_calls_enter();
	o = vp_fd_get(fd);
	err = !o ? -EBADF : o->kind == VP_DEVICE ? -EINVAL : -ENODEV;
	if (o)
		vp_object_put(o);
	vp_calls_leave();
	fail(err);
	return MAP_FAILED;
}

VP_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap_common(real_mmap(), addr, len, prot, flags, fd, off);
}

VP_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap_common(real_mmap64() ? real_mmap64() : real_mmap(), addr, len, prot, flags, fd,
			   off);
}

/* ---- names -------------------------------------------------------------------------------- */

VP_EXPORT ssize_t readlink(const char *path, char *buf, size_t len)
{
	unsigned group;
	enum vp_path kind = classify(path, &group);
	ssize_t n;

	if (kind == VP_PATH_OTHER)
		return real_readlink()(path, buf, len);
	n = vp_path_readlink(kind, path, group, buf, len);
	return n < 0 ? fail(n) : n;
}

VP_EXPORT ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	unsigned group;
	enum vp_path kind = classify(path, &group);
	ssize_t n;

	if (kind == VP_PATH_OTHER)
		return real_readlinkat()(dirfd, path, buf, len);
	n = vp_path_readlink(kind, path, group, buf, len);
	return n < 0 ? fail(n) : n;
}

VP_EXPORT char *realpath(const char *path, char *resolved)
{
	unsigned group;
	enum vp_path kind = classify(path, &group);
	char tmp[PATH_MAX];
	int rc;

	if (kind == VP_PATH_OTHER)
		return real_realpath()(path, resolved);
	rc = vp_path_realpath(kind, path, group, tmp, sizeof(tmp));
	if (rc < 0) {
		fail(rc);
		return NULL;
	}
	if (!resolved)
		return strdup(tmp);
	memcpy(resolved, tmp, strlen(tmp) + 1);
	return resolved;
}

VP_EXPORT char *__realpath_chk(const char *path, char *resolved, size_t len)
{
	(void)len;
	return realpath(path, resolved);
}

static int stat_ours(enum vp_path kind, unsigned group, bool follow, struct stat *st)
{
	int rc = vp_path_stat(kind, group, follow, st);

	return rc < 0 ? (int)fail(rc) : 0;
}

/* On LP64 struct stat64 is struct stat under another name. */
_Static_assert(sizeof(struct stat64) == sizeof(struct stat), "stat64 layout");

#define STAT_FN(name, realfn, stype, follow)                                                       \
	VP_EXPORT int name(const char *path, stype *st)                                            \
	{                                                                                          \
		unsigned group;                                                                    \
		enum vp_path kind = classify(path, &group);                                        \
		if (kind == VP_PATH_OTHER)                                                         \
			return realfn()(path, (struct stat *)st);                                  \
		return stat_ours(kind, group, follow, (struct stat *)st);                          \
	}

STAT_FN(stat, real_stat, struct stat, true)
STAT_FN(stat64, real_stat64, struct stat64, true)
STAT_FN(lstat, real_lstat, struct stat, false)
STAT_FN(lstat64, real_lstat64, struct stat64, false)

#define FSTATAT_FN(name, realfn, stype)                                                            \
	VP_EXPORT int name(int dirfd, const char *path, stype *st, int flags)                      \
	{                                                                                          \
		unsigned group;                                                                    \
		enum vp_path kind = classify(path, &group);                                        \
		if (kind == VP_PATH_OTHER)                                                         \
			return realfn()(dirfd, path, (struct stat *)st, flags);                    \
		return stat_ours(kind, group, !(flags & AT_SYMLINK_NOFOLLOW), (struct stat *)st);  \
	}

FSTATAT_FN(fstatat, real_fstatat, struct stat)
FSTATAT_FN(fstatat64, real_fstatat64, struct stat64)

VP_EXPORT int access(const char *path, int mode)
{
	unsigned group;
	enum vp_path kind = classify(path, &group);
	struct stat st;

	if (kind == VP_PATH_OTHER)
		return real_access()(path, mode);
	return stat_ours(kind, group, true, &st);
}

VP_EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	unsigned group;
	enum vp_path kind = classify(path, &group);
	struct stat st;

	if (kind == VP_PATH_OTHER)
		return real_faccessat()(dirfd, path, mode, flags);
	return stat_ours(kind, group, !(flags & AT_SYMLINK_NOFOLLOW), &st);
}
