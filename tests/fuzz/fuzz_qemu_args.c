/* SPDX-License-Identifier: MIT */
/* libFuzzer: the QEMU command-line parser. Accepted lines give a valid machine; refused ones say why. */
#include <stdlib.h>
#include <string.h>

#include "dmawin/papr_qemu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dmawin_qemu_machine machine;
	char why[256] = "";
	char *line = malloc(size + 1);
	int ret;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	ret = dmawin_papr_qemu_parse(line, &machine, why, sizeof(why));
	if (ret == 0) {
		if (dmawin_papr_config_check(&machine.papr, NULL, 0) != 0)
			abort();
		if (machine.nr_devices > DMAWIN_QEMU_MAX_DEVICES)
			abort();
		for (uint32_t d = 0; d < machine.nr_devices; d++) {
			bool found = false;

			for (uint32_t p = 0; p < machine.papr.nr_phbs; p++)
				found |= machine.papr.phbs[p].index == machine.devices[d].phb_index;
			if (!found)
				abort();
		}
	} else if (ret == -22 /* EINVAL */ && why[0] == '\0') {
		abort(); /* every refusal of input names what is wrong */
	}
	free(line);
	return 0;
}
