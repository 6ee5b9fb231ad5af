/* SPDX-License-Identifier: MIT */
/* Snapshot files: atomic write (temporary file, fsync, rename, directory fsync) and reading. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "papr/snapshot_int.h"

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		rc = -errno;
	else if (fsync(fd) != 0 && errno != EINVAL)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

static int write_atomic(const char *path, const struct snap_buf *b)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	int fd, rc;

	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", 12);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		free(tmp);
		return rc;
	}
	rc = write_all(fd, b->data, b->len);
	if (!rc && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	else
		rc = fsync_dir_of(path);
	free(tmp);
	return rc;
}

int dmawin_papr_snapshot_save(struct dmawin_papr *m, const char *path)
{
	struct snap_buf b = {0};
	int rc;

	if (!path || !*path)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	rc = snap_build(m, &b);
	pthread_mutex_unlock(&m->lock);
	if (!rc)
		rc = write_atomic(path, &b);
	free(b.data);
	return rc;
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
	struct stat st;
	size_t got = 0;
	uint8_t *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = fstat(fd, &st) != 0 ? -errno : -EINVAL;
		close(fd);
		return rc;
	}
	p = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!p) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : 0;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (rc) {
		free(p);
		return rc;
	}
	*data = p;
	*len = got; /* a file shrinking under us reads as truncated */
	return 0;
}

int dmawin_papr_snapshot_restore(struct dmawin_papr *m, const char *path, char *why, size_t len)
{
	struct snap_reader r;
	uint8_t *data = NULL;
	size_t size = 0;
	int rc;

	if (!path || !*path) {
		papr_why(why, len, "no snapshot path");
		return -EINVAL;
	}
	rc = read_file(path, &data, &size);
	if (rc) {
		papr_why(why, len, "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	rc = snap_check_header(data, size, &r, why, len);
	if (!rc) {
		pthread_mutex_lock(&m->lock);
		rc = snap_restore_payload(m, &r, why, len);
		pthread_mutex_unlock(&m->lock);
	}
	free(data);
	return rc;
}
