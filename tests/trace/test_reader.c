/* SPDX-License-Identifier: MIT */
/* The streaming reader: plain, xz, gzip, stdin-like pipes, memory, long lines, damaged input. */
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "dmawin/trace.h"
#include "dw_test.h"

/* A text of @n numbered lines "line <i> ...", the last one without '\n' when @open_end. */
static char *make_text(unsigned n, bool open_end, size_t *len)
{
	size_t cap = (size_t)n * 64 + 1, off = 0;
	char *t = malloc(cap);

	assert_non_null(t);
	for (unsigned i = 0; i < n; i++)
		off += (size_t)snprintf(t + off, cap - off, "line %u spapr_iommu_xlate padding%s",
					i, (open_end && i + 1 == n) ? "" : "\n");
	*len = off;
	return t;
}

static char *write_temp(const void *data, size_t len)
{
	char *path = strdup("/tmp/dmawin-trace-test-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void *xz_encode(const void *data, size_t len, size_t *out_len)
{
	size_t cap = len + len / 2 + 4096, pos = 0;
	uint8_t *out = malloc(cap);

	assert_non_null(out);
	assert_int_equal(
		lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, data, len, out, &pos, cap),
		LZMA_OK);
	*out_len = pos;
	return out;
}

static void *gz_encode(const void *data, size_t len, size_t *out_len)
{
	z_stream z = {0};
	size_t cap = len + len / 2 + 4096;
	uint8_t *out = malloc(cap);

	assert_non_null(out);
	assert_int_equal(deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

/* Reads every line and checks it is "line <i> ..." in order; returns the final status. */
static int read_all(struct dmawin_trace_reader *r, unsigned *count)
{
	const char *line;
	size_t len;
	int ret;

	*count = 0;
	while ((ret = dmawin_trace_reader_next(r, &line, &len)) == 1) {
		char want[32];
		int n = snprintf(want, sizeof(want), "line %u ", *count);
		assert_true(len >= (size_t)n);
		assert_memory_equal(line, want, (size_t)n);
		assert_memory_equal(line + len - 7, "padding", 7);
		(*count)++;
		assert_int_equal(dmawin_trace_reader_line_number(r), *count);
	}
	return ret;
}

static void check_file(const void *data, size_t len, enum dmawin_trace_compression want,
		       unsigned lines)
{
	char *path = write_temp(data, len);
	struct dmawin_trace_reader *r = NULL;
	unsigned count;

	assert_int_equal(dmawin_trace_reader_open(path, &r), 0);
	assert_int_equal(dmawin_trace_reader_compression(r), want);
	assert_int_equal(read_all(r, &count), 0);
	assert_int_equal(count, lines);
	assert_int_equal(dmawin_trace_reader_bytes_in(r), len);
	dmawin_trace_reader_destroy(r);
	unlink(path);
	free(path);
}

static void test_reader_plain_many_lines_in_order(void **state)
{
	size_t len;
	/* 100k lines: several refills of the 1 MiB buffer, lines split across reads. */
	char *text = make_text(100000, false, &len);

	(void)state;
	check_file(text, len, DMAWIN_TRACE_PLAIN, 100000);
	free(text);
}

static void test_reader_last_line_without_newline_returned(void **state)
{
	size_t len;
	char *text = make_text(3, true, &len);

	(void)state;
	check_file(text, len, DMAWIN_TRACE_PLAIN, 3);
	free(text);
}

static void test_reader_xz_decoded(void **state)
{
	size_t len, zlen;
	char *text = make_text(50000, true, &len);
	void *z = xz_encode(text, len, &zlen);

	(void)state;
	check_file(z, zlen, DMAWIN_TRACE_XZ, 50000);
	free(z);
	free(text);
}

static void test_reader_gzip_and_concatenated_members_decoded(void **state)
{
	size_t len, zlen;
	char *text = make_text(40000, false, &len);
	uint8_t *z = gz_encode(text, len, &zlen);
	uint8_t *two = malloc(2 * zlen);
	size_t half_len;
	char *first_half;

	(void)state;
	check_file(z, zlen, DMAWIN_TRACE_GZIP, 40000);
	/* `cat a.gz b.gz` where a holds lines 0..19999 and b lines 20000..39999 */
	first_half = make_text(20000, false, &half_len);
	free(z);
	z = gz_encode(first_half, half_len, &zlen);
	memcpy(two, z, zlen);
	{
		size_t zlen2;
		uint8_t *z2 = gz_encode(text + half_len, len - half_len, &zlen2);
		two = realloc(two, zlen + zlen2);
		memcpy(two + zlen, z2, zlen2);
		check_file(two, zlen + zlen2, DMAWIN_TRACE_GZIP, 40000);
		free(z2);
	}
	free(first_half);
	free(two);
	free(z);
	free(text);
}

static void test_reader_truncated_xz_ebadmsg_after_good_lines(void **state)
{
	size_t len, zlen;
	char *text = make_text(200000, false, &len);
	void *z = xz_encode(text, len, &zlen);
	char *path = write_temp(z, zlen / 2);
	struct dmawin_trace_reader *r = NULL;
	unsigned count;

	(void)state;
	assert_int_equal(dmawin_trace_reader_open(path, &r), 0);
	assert_int_equal(read_all(r, &count), -EBADMSG);
	assert_true(count > 0 && count < 200000);
	assert_non_null(strstr(dmawin_trace_reader_error(r), "xz"));
	dmawin_trace_reader_destroy(r);
	unlink(path);
	free(path);
	free(z);
	free(text);
}

static void test_reader_truncated_and_corrupt_gzip_ebadmsg(void **state)
{
	size_t len, zlen;
	char *text = make_text(20000, false, &len);
	uint8_t *z = gz_encode(text, len, &zlen);
	struct dmawin_trace_reader *r = NULL;
	unsigned count;
	char *path = write_temp(z, zlen - 100);

	(void)state;
	assert_int_equal(dmawin_trace_reader_open(path, &r), 0);
	assert_int_equal(read_all(r, &count), -EBADMSG);
	assert_non_null(strstr(dmawin_trace_reader_error(r), "truncated gzip"));
	dmawin_trace_reader_destroy(r);
	unlink(path);
	free(path);

	memset(z + 20, 0xff, 64); /* inside the deflate data */
	path = write_temp(z, zlen);
	assert_int_equal(dmawin_trace_reader_open(path, &r), 0);
	assert_int_equal(read_all(r, &count), -EBADMSG);
	assert_non_null(strstr(dmawin_trace_reader_error(r), "gzip"));
	dmawin_trace_reader_destroy(r);
	unlink(path);
	free(path);
	free(z);
	free(text);
}

static void test_reader_pipe_fd_like_stdin(void **state)
{
	int fds[2];
	struct dmawin_trace_reader *r = NULL;
	size_t len, zlen;
	char *text = make_text(100, false, &len);
	void *z = xz_encode(text, len, &zlen);
	unsigned count;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_true(zlen < 4096); /* fits in the pipe buffer: no writer thread needed */
	assert_int_equal(write(fds[1], z, zlen), (ssize_t)zlen);
	close(fds[1]);
	assert_int_equal(dmawin_trace_reader_open_fd(fds[0], true, &r), 0);
	assert_int_equal(dmawin_trace_reader_compression(r), DMAWIN_TRACE_XZ);
	assert_int_equal(read_all(r, &count), 0);
	assert_int_equal(count, 100);
	dmawin_trace_reader_destroy(r);
	free(z);
	free(text);
}

static void test_reader_line_longer_than_buffer_returned_whole(void **state)
{
	size_t big = (3u << 20) + 17;
	char *text = malloc(big + 32);
	struct dmawin_trace_reader *r = NULL;
	const char *line;
	size_t len;
	char *path;

	(void)state;
	memset(text, 'a', big);
	memcpy(text + big, "\nshort\n", 7);
	path = write_temp(text, big + 7);
	assert_int_equal(dmawin_trace_reader_open(path, &r), 0);
	assert_int_equal(dmawin_trace_reader_next(r, &line, &len), 1);
	assert_int_equal(len, big);
	assert_int_equal(line[big - 1], 'a');
	assert_int_equal(dmawin_trace_reader_next(r, &line, &len), 1);
	assert_int_equal(len, 5);
	assert_memory_equal(line, "short", 5);
	assert_int_equal(dmawin_trace_reader_next(r, &line, &len), 0);
	dmawin_trace_reader_destroy(r);
	unlink(path);
	free(path);
	free(text);
}

static void test_reader_memory_and_empty(void **state)
{
	static const char text[] = "a\n\nb";
	struct dmawin_trace_reader *r = NULL;
	const char *line;
	size_t len;

	(void)state;
	assert_int_equal(dmawin_trace_reader_open_memory(text, strlen(text), &r), 0);
	assert_int_equal(dmawin_trace_reader_next(r, &line, &len), 1);
	assert_int_equal(len, 1);
	assert_int_equal(dmawin_trace_reader_next(r, &line, &len), 1);
	assert_int_equal(len, 0);
	assert_int_equal(dmawin_trace_reader_next(r, &line, &len), 1);
	assert_int_equal(line[0], 'b');
	assert_int_equal(dmawin_trace_reader_next(r, &line, &len), 0);
	assert_int_equal(dmawin_trace_reader_next(r, &line, &len), 0);
	dmawin_trace_reader_destroy(r);

	assert_int_equal(dmawin_trace_reader_open_memory(NULL, 0, &r), 0);
	assert_int_equal(dmawin_trace_reader_next(r, &line, &len), 0);
	dmawin_trace_reader_destroy(r);
}

static void test_reader_bad_arguments_einval_enoent(void **state)
{
	struct dmawin_trace_reader *r = NULL;
	const char *line;
	size_t len;

	(void)state;
	assert_int_equal(dmawin_trace_reader_open("/nonexistent/dmawin.trace", &r), -ENOENT);
	assert_int_equal(dmawin_trace_reader_open(NULL, &r), -EINVAL);
	assert_int_equal(dmawin_trace_reader_open_fd(-1, false, &r), -EINVAL);
	assert_int_equal(dmawin_trace_reader_open_memory(NULL, 3, &r), -EINVAL);
	assert_int_equal(dmawin_trace_reader_next(NULL, &line, &len), -EINVAL);
	dmawin_trace_reader_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_plain_many_lines_in_order),
		cmocka_unit_test(test_reader_last_line_without_newline_returned),
		cmocka_unit_test(test_reader_xz_decoded),
		cmocka_unit_test(test_reader_gzip_and_concatenated_members_decoded),
		cmocka_unit_test(test_reader_truncated_xz_ebadmsg_after_good_lines),
		cmocka_unit_test(test_reader_truncated_and_corrupt_gzip_ebadmsg),
		cmocka_unit_test(test_reader_pipe_fd_like_stdin),
		cmocka_unit_test(test_reader_line_longer_than_buffer_returned_whole),
		cmocka_unit_test(test_reader_memory_and_empty),
		cmocka_unit_test(test_reader_bad_arguments_einval_enoent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
