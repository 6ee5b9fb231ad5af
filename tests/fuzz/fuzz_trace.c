/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer: the trace reader (plain, xz or gzip, detected from the bytes) and the replay of
 * whatever lines come out, on QEMU's default pseries machine. Nothing may crash, and the report
 * must add up: known + unknown + malformed lines never exceed the lines seen, events split
 * exactly into kinds, and mismatches exactly into mismatch kinds.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmawin/papr.h"
#include "dmawin/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_report(const struct dmawin_trace_report *rep)
{
	uint64_t kinds = 0, mm = 0;

	for (int k = 0; k < DMAWIN_TRACE_EV_NR; k++)
		kinds += rep->by_kind[k];
	for (int k = 0; k < DMAWIN_TRACE_MM_NR; k++)
		mm += rep->mismatches_by_kind[k];
	if (kinds != rep->events || mm != rep->mismatches ||
	    rep->events + rep->unknown_events + rep->malformed > rep->lines || !rep->finished)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmawin_trace_reader *reader;
	struct dmawin_trace_replay *rp;
	struct dmawin_papr_config cfg;
	const char *line;
	size_t len;
	int fd, ret;

	fd = memfd_create("fuzz-trace", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	if (dmawin_trace_reader_open_fd(fd, true, &reader)) {
		close(fd);
		return 0;
	}
	dmawin_papr_config_init(&cfg);
	if (dmawin_trace_replay_create(&cfg, NULL, &rp, NULL, 0))
		abort();
	while ((ret = dmawin_trace_reader_next(reader, &line, &len)) == 1)
		dmawin_trace_replay_line(rp, line, len, dmawin_trace_reader_line_number(reader));
	if (ret < 0 && !dmawin_trace_reader_error(reader) && ret == -EBADMSG)
		abort(); /* a refusal of the data always says why */
	if (dmawin_trace_replay_finish(rp))
		abort();
	check_report(dmawin_trace_replay_report(rp));
	dmawin_trace_replay_destroy(rp);
	dmawin_trace_reader_destroy(reader);
	return 0;
}
