/* SPDX-License-Identifier: MIT */
/*
 * Streaming line reader for QEMU log-backend trace files: plain, xz or gzip (detected from the
 * first bytes, so stdin works too), or an in-memory buffer.
 *
 * Lines are handed out as pointers into one large buffer, so steady-state reading allocates
 * nothing: the buffer only grows when a single line is longer than it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/compiler.h"
#include "trace/trace_int.h"

#define READER_BUF_SIZE (1u << 20)
#define READER_IN_SIZE	(256u << 10)
#define READER_MAX_LINE (64u << 20)

static const unsigned char xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
static const unsigned char gz_magic[2] = {0x1f, 0x8b};

static void reader_free(struct dmawin_trace_reader *r)
{
	if (r->compression == DMAWIN_TRACE_XZ)
		lzma_end(&r->xz);
	else if (r->compression == DMAWIN_TRACE_GZIP && r->gz_ready)
		inflateEnd(&r->gz);
	if (r->fd >= 0 && r->own_fd)
		close(r->fd);
	free(r->in);
	free(r->buf);
	free(r);
}

/* read(2) until `len` bytes or EOF; returns bytes read or -errno. */
static ssize_t read_full(int fd, unsigned char *p, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int reader_fill_in(struct dmawin_trace_reader *r)
{
	ssize_t n;

	if (r->in_eof)
		return 0;
	n = read_full(r->fd, r->in, READER_IN_SIZE);
	if (n < 0)
		return (int)n;
	if ((size_t)n < READER_IN_SIZE)
		r->in_eof = true;
	r->in_len = (size_t)n;
	r->in_pos = 0;
	r->bytes_in += (uint64_t)n;
	return 0;
}

static int reader_start_decoder(struct dmawin_trace_reader *r)
{
	if (r->in_len >= sizeof(xz_magic) && memcmp(r->in, xz_magic, sizeof(xz_magic)) == 0) {
		lzma_stream init = LZMA_STREAM_INIT;
		r->xz = init;
		if (lzma_stream_decoder(&r->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
			return -ENOMEM;
		r->xz.next_in = r->in;
		r->xz.avail_in = r->in_len;
		r->compression = DMAWIN_TRACE_XZ;
	} else if (r->in_len >= sizeof(gz_magic) &&
		   memcmp(r->in, gz_magic, sizeof(gz_magic)) == 0) {
		memset(&r->gz, 0, sizeof(r->gz));
		/* 15 + 32: any window size, zlib or gzip header detected automatically. */
		if (inflateInit2(&r->gz, 15 + 32) != Z_OK)
			return -ENOMEM;
		r->gz.next_in = r->in;
		r->gz.avail_in = (uInt)r->in_len;
		r->gz_ready = true;
		r->compression = DMAWIN_TRACE_GZIP;
	} else {
		r->compression = DMAWIN_TRACE_PLAIN;
	}
	return 0;
}

static int reader_alloc(struct dmawin_trace_reader **out)
{
	struct dmawin_trace_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->fd = -1;
	r->buf_cap = READER_BUF_SIZE;
	r->buf = malloc(r->buf_cap);
	if (!r->buf) {
		free(r);
		return -ENOMEM;
	}
	*out = r;
	return 0;
}

DMAWIN_API int dmawin_trace_reader_open_fd(int fd, bool own_fd, struct dmawin_trace_reader **out)
{
	struct dmawin_trace_reader *r;
	int ret;

	if (fd < 0 || !out)
		return -EINVAL;
	ret = reader_alloc(&r);
	if (ret)
		return ret;
	r->fd = fd;
	r->in = malloc(READER_IN_SIZE);
	if (!r->in) {
		free(r->buf);
		free(r);
		return -ENOMEM;
	}
	ret = reader_fill_in(r);
	if (!ret)
		ret = reader_start_decoder(r);
	if (ret) {
		reader_free(r);
		return ret;
	}
	r->own_fd = own_fd;
	*out = r;
	return 0;
}

DMAWIN_API int dmawin_trace_reader_open(const char *path, struct dmawin_trace_reader **out)
{
	int fd, ret;

	if (!path || !out)
		return -EINVAL;
	if (strcmp(path, "-") == 0)
		return dmawin_trace_reader_open_fd(STDIN_FILENO, false, out);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = dmawin_trace_reader_open_fd(fd, true, out);
	if (ret)
		close(fd);
	return ret;
}

DMAWIN_API int dmawin_trace_reader_open_memory(const void *data, size_t len,
					       struct dmawin_trace_reader **out)
{
	struct dmawin_trace_reader *r;

	if ((!data && len) || !out)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = -1;
	r->memory = true;
	r->mem = data;
	r->mem_len = len;
	r->bytes_in = len;
	r->compression = DMAWIN_TRACE_PLAIN;
	*out = r;
	return 0;
}

DMAWIN_API void dmawin_trace_reader_destroy(struct dmawin_trace_reader *r)
{
	if (r)
		reader_free(r);
}

/* Decompress into buf[buf_len..buf_cap); sets r->out_eof at the end of the stream. */
static int reader_decode_xz(struct dmawin_trace_reader *r)
{
	lzma_ret lr;

	if (r->xz.avail_in == 0 && !r->in_eof) {
		int ret = reader_fill_in(r);
		if (ret)
			return ret;
		r->xz.next_in = r->in;
		r->xz.avail_in = r->in_len;
	}
	r->xz.next_out = r->buf + r->buf_len;
	r->xz.avail_out = r->buf_cap - r->buf_len;
	lr = lzma_code(&r->xz, r->in_eof && r->xz.avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
	r->buf_len = r->buf_cap - r->xz.avail_out;
	if (lr == LZMA_STREAM_END) {
		r->out_eof = true;
		return 0;
	}
	if (lr == LZMA_OK)
		return 0;
	r->error = lr == LZMA_BUF_ERROR ? "truncated xz data" : "corrupt xz data";
	return -EBADMSG;
}

static int reader_decode_gz(struct dmawin_trace_reader *r)
{
	int zr;

	if (r->gz.avail_in == 0) {
		int ret;
		if (r->in_eof) {
			r->error = "truncated gzip data";
			return -EBADMSG;
		}
		ret = reader_fill_in(r);
		if (ret)
			return ret;
		r->gz.next_in = r->in;
		r->gz.avail_in = (uInt)r->in_len;
		if (r->in_len == 0) {
			r->error = "truncated gzip data";
			return -EBADMSG;
		}
	}
	r->gz.next_out = r->buf + r->buf_len;
	r->gz.avail_out = (uInt)(r->buf_cap - r->buf_len);
	zr = inflate(&r->gz, Z_NO_FLUSH);
	r->buf_len = r->buf_cap - r->gz.avail_out;
	if (zr == Z_STREAM_END) {
		/* Concatenated gzip members (e.g. `cat a.gz b.gz`) continue the stream. */
		if (r->gz.avail_in == 0) {
			int ret;
			if (r->in_eof) {
				r->out_eof = true;
				return 0;
			}
			ret = reader_fill_in(r);
			if (ret)
				return ret;
			if (r->in_len == 0) {
				r->out_eof = true;
				return 0;
			}
			r->gz.next_in = r->in;
			r->gz.avail_in = (uInt)r->in_len;
		}
		return inflateReset(&r->gz) == Z_OK ? 0 : -EBADMSG;
	}
	if (zr == Z_OK || zr == Z_BUF_ERROR)
		return 0;
	r->error = "corrupt gzip data";
	return -EBADMSG;
}

/* Plain text: the bytes read for format detection first, then read(2) straight into buf. */
static int reader_decode_plain(struct dmawin_trace_reader *r)
{
	size_t room = r->buf_cap - r->buf_len;
	ssize_t n;

	if (r->in_pos < r->in_len) {
		size_t k = DW_MIN(room, r->in_len - r->in_pos);
		memcpy(r->buf + r->buf_len, r->in + r->in_pos, k);
		r->in_pos += k;
		r->buf_len += k;
		return 0;
	}
	if (r->in_eof) {
		r->out_eof = true;
		return 0;
	}
	n = read_full(r->fd, r->buf + r->buf_len, room);
	if (n < 0)
		return (int)n;
	if (n == 0)
		r->in_eof = r->out_eof = true;
	r->buf_len += (size_t)n;
	r->bytes_in += (uint64_t)n;
	return 0;
}

/* Makes room at the end of buf by dropping consumed bytes, or grows it for a very long line. */
static int reader_make_room(struct dmawin_trace_reader *r)
{
	unsigned char *nb;

	if (r->buf_pos > 0) {
		memmove(r->buf, r->buf + r->buf_pos, r->buf_len - r->buf_pos);
		r->buf_len -= r->buf_pos;
		r->buf_pos = 0;
	}
	if (r->buf_len < r->buf_cap)
		return 0;
	if (r->buf_cap >= READER_MAX_LINE) {
		r->error = "line longer than 64 MiB";
		return -E2BIG;
	}
	nb = realloc(r->buf, r->buf_cap * 2);
	if (!nb)
		return -ENOMEM;
	r->buf = nb;
	r->buf_cap *= 2;
	return 0;
}

static int reader_refill(struct dmawin_trace_reader *r)
{
	int ret = reader_make_room(r);

	if (ret)
		return ret;
	switch (r->compression) {
	case DMAWIN_TRACE_XZ:
		return reader_decode_xz(r);
	case DMAWIN_TRACE_GZIP:
		return reader_decode_gz(r);
	default:
		return reader_decode_plain(r);
	}
}

static int reader_next_memory(struct dmawin_trace_reader *r, const char **line, size_t *len)
{
	const char *p = (const char *)r->mem + r->mem_pos;
	size_t left = r->mem_len - r->mem_pos;
	const char *nl;

	if (left == 0)
		return 0;
	nl = memchr(p, '\n', left);
	*line = p;
	*len = nl ? (size_t)(nl - p) : left;
	r->mem_pos += nl ? *len + 1 : left;
	r->line_no++;
	return 1;
}

/* Slow path: the buffered bytes hold no complete line. */
static noinline int reader_next_slow(struct dmawin_trace_reader *r, const char **line, size_t *len)
{
	for (;;) {
		size_t scanned = r->buf_len - r->buf_pos;
		const unsigned char *nl;
		int ret;

		if (r->out_eof) {
			if (r->buf_pos == r->buf_len)
				return 0;
			*line = (const char *)r->buf + r->buf_pos;
			*len = r->buf_len - r->buf_pos;
			r->buf_pos = r->buf_len;
			r->line_no++;
			return 1;
		}
		ret = reader_refill(r);
		if (ret)
			return ret;
		nl = memchr(r->buf + r->buf_pos + scanned, '\n', r->buf_len - r->buf_pos - scanned);
		if (nl) {
			*line = (const char *)r->buf + r->buf_pos;
			*len = (size_t)(nl - (r->buf + r->buf_pos));
			r->buf_pos += *len + 1;
			r->line_no++;
			return 1;
		}
	}
}

DMAWIN_API int dmawin_trace_reader_next(struct dmawin_trace_reader *r, const char **line,
					size_t *len)
{
	const unsigned char *nl;

	if (unlikely(!r || !line || !len))
		return -EINVAL;
	if (unlikely(r->memory))
		return reader_next_memory(r, line, len);
	nl = memchr(r->buf + r->buf_pos, '\n', r->buf_len - r->buf_pos);
	if (likely(nl != NULL)) {
		*line = (const char *)r->buf + r->buf_pos;
		*len = (size_t)(nl - (r->buf + r->buf_pos));
		r->buf_pos += *len + 1;
		r->line_no++;
		return 1;
	}
	return reader_next_slow(r, line, len);
}

DMAWIN_API uint64_t dmawin_trace_reader_line_number(const struct dmawin_trace_reader *r)
{
	return r ? r->line_no : 0;
}

DMAWIN_API uint64_t dmawin_trace_reader_bytes_in(const struct dmawin_trace_reader *r)
{
	return r ? r->bytes_in : 0;
}

DMAWIN_API enum dmawin_trace_compression
dmawin_trace_reader_compression(const struct dmawin_trace_reader *r)
{
	return r ? r->compression : DMAWIN_TRACE_PLAIN;
}

DMAWIN_API const char *dmawin_trace_reader_error(const struct dmawin_trace_reader *r)
{
	return r && r->error ? r->error : "no error";
}
