/* SPDX-License-Identifier: MIT */
/* Snapshot internals shared by snapshot.c (format), snapshot_io.c (files), restore.c. */
#ifndef DMAWIN_PAPR_SNAPSHOT_INT_H
#define DMAWIN_PAPR_SNAPSHOT_INT_H

#include "papr/papr_int.h"

#define SNAP_HEADER_SIZE 40

struct snap_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

struct snap_reader {
	const uint8_t *data;
	size_t len;
	size_t pos;
};

int snap_put(struct snap_buf *b, uint64_t v, unsigned bytes);
bool snap_get(struct snap_reader *r, unsigned bytes, uint64_t *v);
uint32_t snap_crc(const uint8_t *p, size_t len);
int snap_build(struct dmawin_papr *m, struct snap_buf *b);
int snap_check_header(const uint8_t *data, size_t len, struct snap_reader *r, char *why,
		      size_t wlen);
int snap_restore_payload(struct dmawin_papr *m, struct snap_reader *r, char *why, size_t wlen);

#endif
