/* SPDX-License-Identifier: MIT */
/* Internal declarations of the trace layer, grouped by source file. */
#ifndef DMAWIN_TRACE_INT_H
#define DMAWIN_TRACE_INT_H

#include <lzma.h>
#include <zlib.h>

#include "dmawin/trace.h"

/* reader.c */
struct dmawin_trace_reader {
	int fd;
	bool own_fd;
	enum dmawin_trace_compression compression;
	/* raw input (file bytes) */
	unsigned char *in;
	size_t in_len, in_pos;
	bool in_eof;
	uint64_t bytes_in;
	/* decoded text; lines are handed out from buf[buf_pos..buf_len) */
	unsigned char *buf;
	size_t buf_cap, buf_len, buf_pos;
	bool out_eof;
	/* in-memory source */
	bool memory;
	const void *mem;
	size_t mem_len, mem_pos;
	uint64_t line_no;
	lzma_stream xz;
	z_stream gz;
	bool gz_ready;
	const char *error;
};

#endif
