/* SPDX-License-Identifier: MIT */
/* Reading a fuzzer's input as a stream of small values (shared by the harnesses). */
#ifndef DMAWIN_FUZZ_INPUT_H
#define DMAWIN_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fuzz_input {
	const uint8_t *data;
	size_t size;
	size_t pos;
};

static inline bool fuzz_more(const struct fuzz_input *in)
{
	return in->pos < in->size;
}

/* The next @bytes bytes as a little-endian number; missing bytes read as 0. */
static inline uint64_t fuzz_take(struct fuzz_input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->pos < in->size; i++)
		v |= (uint64_t)in->data[in->pos++] << (8 * i);
	return v;
}

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
	return (uint8_t)fuzz_take(in, 1);
}

/* A value from a small set of interesting ones, or raw bytes. */
static inline uint64_t fuzz_u64(struct fuzz_input *in, const uint64_t *interesting, size_t count)
{
	uint8_t sel = fuzz_u8(in);

	if (count && sel < 128)
		return interesting[sel % count] + (fuzz_take(in, 1) & 0xf) * 0x1000;
	return fuzz_take(in, 8);
}

#endif
