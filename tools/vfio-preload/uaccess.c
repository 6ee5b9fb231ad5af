/* SPDX-License-Identifier: MIT */
/*
 * Reading and writing the caller's argument structs the way the kernel does: an address the
 * process cannot access gives EFAULT instead of a crash (process_vm_readv/writev on ourselves
 * check every page, as copy_from_user does).
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vp_int.h"

int vp_copy_from_user(void *dst, unsigned long src, size_t n)
{
	struct iovec local = {dst, n}, remote = {(void *)src, n};

	if (n == 0)
		return 0;
	if (!src)
		return -EFAULT;
	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)n ? 0 : -EFAULT;
}

int vp_copy_to_user(unsigned long dst, const void *src, size_t n)
{
	struct iovec local = {(void *)(uintptr_t)src, n}, remote = {(void *)dst, n};

	if (n == 0)
		return 0;
	if (!dst)
		return -EFAULT;
	return process_vm_writev(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)n ? 0 : -EFAULT;
}

int vp_strndup_user(char *dst, unsigned long src, size_t max)
{
	/* byte by byte up to the NUL, so that a name at the end of a mapping is fine */
	for (size_t i = 0; i < max; i++) {
		if (vp_copy_from_user(&dst[i], src + i, 1) != 0)
			return -EFAULT;
		if (dst[i] == '\0')
			return 0;
	}
	return -EINVAL;
}
