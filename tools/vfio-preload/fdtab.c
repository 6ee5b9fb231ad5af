/* SPDX-License-Identifier: MIT */
/*
 * fd -> object. Slots are read without a lock (an atomic load tells a foreign fd from ours, so
 * the program's own files pay one load); calls on our objects hold the calls lock shared for
 * their whole duration and a slot is only cleared under it exclusively, so an object found in a
 * slot cannot go away before its reference is taken. Objects carry a reference per fd slot, per
 * dependent object (a group's container, a device's group) and per call in flight; the last put
 * releases it as the kernel's file release would. fork takes the lock exclusively so that the
 * child starts with no call half done.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vp_int.h"

#define CHUNK_SHIFT 10
#define CHUNK	    (1u << CHUNK_SHIFT)
#define CHUNKS	    1024u /* fds up to 1M */

typedef _Atomic(struct vp_object *) slot_t;

static _Atomic(slot_t *) chunks[CHUNKS];
static pthread_rwlock_t calls_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t tab_lock = PTHREAD_MUTEX_INITIALIZER; /* slot writes, the live list */
static struct vp_object *live_head, **live_tail = &live_head;

static slot_t *slot_of(int fd, bool alloc)
{
	unsigned c, i;
	slot_t *chunk;

	if (fd < 0 || (unsigned)fd >= CHUNK * CHUNKS)
		return NULL;
	c = (unsigned)fd >> CHUNK_SHIFT;
	i = (unsigned)fd & (CHUNK - 1);
	chunk = atomic_load_explicit(&chunks[c], memory_order_acquire);
	if (!chunk && alloc) {
		chunk = calloc(CHUNK, sizeof(*chunk));
		if (!chunk)
			return NULL;
		atomic_store_explicit(&chunks[c], chunk, memory_order_release);
	}
	return chunk ? &chunk[i] : NULL;
}

bool vp_fd_known(int fd)
{
	slot_t *s = slot_of(fd, false);

	return s && atomic_load_explicit(s, memory_order_acquire) != NULL;
}

void vp_calls_enter(void)
{
	pthread_rwlock_rdlock(&calls_lock);
}

void vp_calls_leave(void)
{
	pthread_rwlock_unlock(&calls_lock);
}

void vp_object_get(struct vp_object *o)
{
	atomic_fetch_add_explicit(&o->refs, 1, memory_order_relaxed);
}

static void live_remove(struct vp_object *o)
{
	pthread_mutex_lock(&tab_lock);
	for (struct vp_object **p = &live_head; *p; p = &(*p)->live_next) {
		if (*p == o) {
			*p = o->live_next;
			if (live_tail == &o->live_next)
				live_tail = p;
			break;
		}
	}
	pthread_mutex_unlock(&tab_lock);
}

void vp_object_put(struct vp_object *o)
{
	if (atomic_fetch_sub_explicit(&o->refs, 1, memory_order_acq_rel) != 1)
		return;
	live_remove(o);
	switch (o->kind) {
	case VP_CONTAINER:
		vp_container_release((struct vp_container *)o);
		break;
	case VP_GROUP:
		vp_group_release((struct vp_group *)o);
		break;
	case VP_DEVICE:
		vp_device_release((struct vp_device *)o);
		break;
	}
}

struct vp_object *vp_fd_get(int fd)
{
	slot_t *s = slot_of(fd, false);
	struct vp_object *o = s ? atomic_load_explicit(s, memory_order_acquire) : NULL;

	if (o)
		vp_object_get(o);
	return o;
}

/* Puts @o (with a reference already counted for the slot) into @fd's slot. */
static int slot_set(int fd, struct vp_object *o)
{
	slot_t *s;
	struct vp_object *old;

	pthread_mutex_lock(&tab_lock);
	s = slot_of(fd, true);
	if (!s) {
		pthread_mutex_unlock(&tab_lock);
		return -EMFILE;
	}
	old = atomic_exchange(s, o);
	pthread_mutex_unlock(&tab_lock);
	/* A stale slot: the fd was closed behind our back (close_range, a raw syscall). */
	if (old)
		vp_object_put(old);
	return 0;
}

int vp_object_open(struct vp_object *o, enum vp_kind kind, const char *name, int flags)
{
	struct stat st;
	int fd = memfd_create(name, (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);

	if (fd < 0)
		return -errno;
	if (vp_real_fstat(fd, &st) != 0 ||
	    ((flags & O_NONBLOCK) && fcntl(fd, F_SETFL, O_NONBLOCK) != 0)) {
		int e = errno;

		vp_real_close(fd);
		return -e;
	}
	o->kind = kind;
	o->st_dev = st.st_dev;
	o->st_ino = st.st_ino;
	atomic_init(&o->refs, 1);
	o->live_next = NULL;
	pthread_mutex_lock(&tab_lock);
	*live_tail = o;
	live_tail = &o->live_next;
	pthread_mutex_unlock(&tab_lock);
	if (slot_set(fd, o) != 0) {
		live_remove(o); /* the caller frees @o */
		vp_real_close(fd);
		return -EMFILE;
	}
	return fd;
}

void vp_fd_forget(int fd)
{
	slot_t *s = slot_of(fd, false);
	struct vp_object *o;

	if (!s)
		return;
	pthread_rwlock_wrlock(&calls_lock);
	pthread_mutex_lock(&tab_lock);
	o = atomic_exchange(s, NULL);
	pthread_mutex_unlock(&tab_lock);
	pthread_rwlock_unlock(&calls_lock);
	if (o)
		vp_object_put(o);
}

void vp_fd_dup(int oldfd, int newfd)
{
	struct vp_object *o;

	if (oldfd == newfd)
		return;
	o = vp_fd_get(oldfd); /* the reference becomes the new slot's */
	if (o) {
		if (slot_set(newfd, o) != 0)
			vp_object_put(o);
	} else if (vp_fd_known(newfd)) {
		vp_fd_forget(newfd);
	}
}

void vp_fd_adopt(int fd)
{
	struct stat st;
	struct vp_object *found = NULL;

	if (vp_fd_known(fd) || vp_real_fstat(fd, &st) != 0)
		return;
	pthread_mutex_lock(&tab_lock);
	for (struct vp_object *o = live_head; o; o = o->live_next) {
		if (o->st_ino == st.st_ino && o->st_dev == st.st_dev) {
			found = o;
			vp_object_get(o);
			break;
		}
	}
	pthread_mutex_unlock(&tab_lock);
	if (found && slot_set(fd, found) != 0)
		vp_object_put(found);
}

void vp_objects_for_each(enum vp_kind kind, void (*fn)(struct vp_object *o, void *arg),
			 void *arg)
{
	pthread_mutex_lock(&tab_lock);
	for (struct vp_object *o = live_head; o; o = o->live_next)
		if (o->kind == kind)
			fn(o, arg);
	pthread_mutex_unlock(&tab_lock);
}

static void fork_prepare(void)
{
	pthread_rwlock_wrlock(&calls_lock);
	pthread_mutex_lock(&tab_lock);
}

static void fork_parent(void)
{
	pthread_mutex_unlock(&tab_lock);
	pthread_rwlock_unlock(&calls_lock);
}

static void fork_child(void)
{
	pthread_mutex_unlock(&tab_lock);
	pthread_rwlock_unlock(&calls_lock);
	vp_host_forked();
}

void vp_fdtab_init(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}
