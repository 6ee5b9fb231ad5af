/* SPDX-License-Identifier: MIT */
/*
 * Snapshot file: what the machine's IOMMU state is, checksummed and versioned.
 *
 * Layout (all integers little-endian):
 *   header (40 bytes): magic "DWPAPRSN", u32 version, u32 flags (0), u64 payload bytes,
 *     u32 payload crc32, u32 reserved (0), u32 header crc32 (over the 32 bytes before it),
 *     u32 reserved (0)
 *   payload: u32 nr_phbs, then per PHB:
 *     u64 buid, u32 index, u32 eeh_state, then per slot (2):
 *       u8 enabled, u8 is_default, u16 0, u32 page_shift, u64 bus_offset, u64 nb_table,
 *       u64 nr_entries, then nr_entries × (u64 index, u64 tce), strictly increasing indexes,
 *       only the non-zero entries (a window may have 2^31 of them).
 * The header has its own checksum so that a damaged version field reads as "corrupt", and a
 * newer writer's intact header as "newer version".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dmawin/tce.h"
#include "papr/papr_int.h"
#include "papr/snapshot_int.h"

static const char snap_magic[8] = {'D', 'W', 'P', 'A', 'P', 'R', 'S', 'N'};

static int buf_grow(struct snap_buf *b, size_t more)
{
	size_t want = b->len + more, cap = b->cap ? b->cap : 4096;
	uint8_t *p;

	if (want <= b->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int snap_put(struct snap_buf *b, uint64_t v, unsigned bytes)
{
	int rc = buf_grow(b, bytes);

	if (rc)
		return rc;
	for (unsigned i = 0; i < bytes; i++)
		b->data[b->len++] = (uint8_t)(v >> (8 * i));
	return 0;
}

bool snap_get(struct snap_reader *r, unsigned bytes, uint64_t *v)
{
	if (r->len - r->pos < bytes)
		return false;
	*v = 0;
	for (unsigned i = 0; i < bytes; i++)
		*v |= (uint64_t)r->data[r->pos++] << (8 * i);
	return true;
}

uint32_t snap_crc(const uint8_t *p, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	while (len) {
		uInt chunk = len > 0x40000000 ? 0x40000000 : (uInt)len;
		crc = crc32(crc, p, chunk);
		p += chunk;
		len -= chunk;
	}
	return (uint32_t)crc;
}

struct entry_ctx {
	struct snap_buf *b;
	uint64_t count;
	int rc;
};

static int put_entry(uint64_t index, uint64_t tce, void *arg)
{
	struct entry_ctx *c = arg;

	c->count++;
	if (!c->rc)
		c->rc = snap_put(c->b, index, 8);
	if (!c->rc)
		c->rc = snap_put(c->b, tce, 8);
	return c->rc;
}

static int put_window(struct snap_buf *b, const struct papr_window *w)
{
	struct entry_ctx c = {.b = b};
	size_t count_at;
	int rc = 0;

	rc |= snap_put(b, w->nb_table != 0, 1);
	rc |= snap_put(b, w->nb_table && w->is_default, 1);
	rc |= snap_put(b, 0, 2);
	rc |= snap_put(b, w->page_shift, 4);
	rc |= snap_put(b, w->bus_offset, 8);
	rc |= snap_put(b, w->nb_table, 8);
	count_at = b->len;
	rc |= snap_put(b, 0, 8);
	if (rc)
		return -ENOMEM;
	if (w->nb_table) {
		rc = dmawin_tce_for_each(w->table, 0, w->nb_table, DMAWIN_TCE_ITER_NONZERO,
					 put_entry, &c);
		if (rc)
			return c.rc ? c.rc : -EIO;
	}
	for (unsigned i = 0; i < 8; i++)
		b->data[count_at + i] = (uint8_t)(c.count >> (8 * i));
	return 0;
}

/* Serialise the payload of @m (caller holds the lock) behind a placeholder header. */
int snap_build(struct dmawin_papr *m, struct snap_buf *b)
{
	int rc = buf_grow(b, SNAP_HEADER_SIZE);
	uint32_t crc;

	if (rc)
		return rc;
	memset(b->data, 0, SNAP_HEADER_SIZE);
	b->len = SNAP_HEADER_SIZE;
	rc = snap_put(b, m->cfg.nr_phbs, 4);
	for (uint32_t i = 0; !rc && i < m->cfg.nr_phbs; i++) {
		const struct papr_phb *phb = &m->phbs[i];
		rc = snap_put(b, phb->cfg.buid, 8);
		rc = rc ? rc : snap_put(b, phb->cfg.index, 4);
		rc = rc ? rc : snap_put(b, papr_pe_eeh_state(m, phb), 4);
		for (unsigned s = 0; !rc && s < DMAWIN_PAPR_MAX_WINDOWS; s++)
			rc = put_window(b, &phb->win[s]);
	}
	if (rc)
		return rc;
	memcpy(b->data, snap_magic, sizeof(snap_magic));
	crc = snap_crc(b->data + SNAP_HEADER_SIZE, b->len - SNAP_HEADER_SIZE);
	for (unsigned i = 0; i < 4; i++) {
		b->data[8 + i] = (uint8_t)(DMAWIN_PAPR_SNAPSHOT_VERSION >> (8 * i));
		b->data[24 + i] = (uint8_t)(crc >> (8 * i));
	}
	for (unsigned i = 0; i < 8; i++)
		b->data[16 + i] = (uint8_t)((uint64_t)(b->len - SNAP_HEADER_SIZE) >> (8 * i));
	crc = snap_crc(b->data, 32);
	for (unsigned i = 0; i < 4; i++)
		b->data[32 + i] = (uint8_t)(crc >> (8 * i));
	return 0;
}

/* Check the header; on success @r covers the payload. */
int snap_check_header(const uint8_t *data, size_t len, struct snap_reader *r, char *why,
		      size_t wlen)
{
	struct snap_reader h = {.data = data, .len = len};
	uint64_t version, flags, plen, pcrc, res, hcrc, res2;

	if (len < SNAP_HEADER_SIZE || memcmp(data, snap_magic, sizeof(snap_magic)) != 0) {
		papr_why(why, wlen, "not a dmawin papr snapshot (bad magic or truncated header)");
		return -EBADMSG;
	}
	h.pos = 8;
	snap_get(&h, 4, &version);
	snap_get(&h, 4, &flags);
	snap_get(&h, 8, &plen);
	snap_get(&h, 4, &pcrc);
	snap_get(&h, 4, &res);
	snap_get(&h, 4, &hcrc);
	snap_get(&h, 4, &res2);
	if (hcrc != snap_crc(data, 32) || res2 != 0) {
		papr_why(why, wlen, "snapshot header checksum mismatch (corrupt)");
		return -EBADMSG;
	}
	if (version > DMAWIN_PAPR_SNAPSHOT_VERSION) {
		papr_why(why, wlen, "snapshot format version %llu is newer than %d",
			 (unsigned long long)version, DMAWIN_PAPR_SNAPSHOT_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (version == 0 || flags != 0 || res != 0) {
		papr_why(why, wlen, "snapshot header has impossible version/flags");
		return -EBADMSG;
	}
	if (plen != len - SNAP_HEADER_SIZE) {
		papr_why(why, wlen, "snapshot is %s: payload %llu bytes, header says %llu",
			 plen > len - SNAP_HEADER_SIZE ? "truncated" : "too long",
			 (unsigned long long)(len - SNAP_HEADER_SIZE), (unsigned long long)plen);
		return -EBADMSG;
	}
	if (pcrc != snap_crc(data + SNAP_HEADER_SIZE, plen)) {
		papr_why(why, wlen, "snapshot payload checksum mismatch (corrupt)");
		return -EBADMSG;
	}
	r->data = data + SNAP_HEADER_SIZE;
	r->len = plen;
	r->pos = 0;
	return 0;
}
