/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer: snapshot restore from arbitrary bytes. A file that is refused must leave the machine
 * exactly as it was (windows and entries), and a refusal always says why; a file that is accepted
 * must leave a machine whose windows are consistent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmawin/papr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PROBE_ENTRIES 64

struct fingerprint {
	struct dmawin_papr_window_info w[2];
	uint64_t tce[2][PROBE_ENTRIES];
};

static struct dmawin_papr *machine;
static char path[64];

static void fingerprint(struct fingerprint *fp)
{
	memset(fp, 0, sizeof(*fp));
	for (uint32_t slot = 0; slot < 2; slot++) {
		if (dmawin_papr_window_info(machine, DMAWIN_PAPR_LIOBN(0, slot), &fp->w[slot]))
			abort();
		for (uint64_t i = 0; fp->w[slot].enabled && i < PROBE_ENTRIES; i++)
			dmawin_papr_h_get_tce(machine, DMAWIN_PAPR_LIOBN(0, slot),
					      fp->w[slot].bus_offset + (i << fp->w[slot].page_shift),
					      &fp->tce[slot][i]);
	}
}

/* A machine with a DDW and a few entries in both windows; its snapshot seeds the corpus. */
static void setup(void)
{
	struct dmawin_papr_config cfg;
	uint32_t liobn;
	uint64_t start;

	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 64ull << 20;
	if (dmawin_papr_create(&cfg, &machine, NULL, 0) ||
	    dmawin_papr_rtas_create_pe_dma_window(machine, 0, (uint32_t)(DMAWIN_PAPR_BUID(0) >> 32),
						  (uint32_t)DMAWIN_PAPR_BUID(0), 16, 26, &liobn,
						  &start))
		abort();
	for (uint64_t i = 0; i < 16; i++) {
		dmawin_papr_h_put_tce(machine, DMAWIN_PAPR_LIOBN(0, 0), i << 12, (i << 12) | 3);
		dmawin_papr_h_put_tce(machine, liobn, start + (i << 16), (i << 16) | 1);
	}
	snprintf(path, sizeof(path), "/tmp/dmawin-fuzz-snapshot.%d", (int)getpid());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fingerprint before, after;
	char why[256] = "";
	FILE *f;
	int ret;

	if (!machine)
		setup();
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	fingerprint(&before);
	ret = dmawin_papr_snapshot_restore(machine, path, why, sizeof(why));
	fingerprint(&after);
	if (ret) {
		if (memcmp(&before, &after, sizeof(before)) != 0 || why[0] == '\0')
			abort();
	} else {
		for (int s = 0; s < 2; s++)
			if (after.w[s].enabled &&
			    after.w[s].size != after.w[s].nb_table << after.w[s].page_shift)
				abort();
		/* put the reference state back for the next input */
		if (dmawin_papr_snapshot_save(machine, path) != 0)
			abort();
	}
	unlink(path);
	return 0;
}
