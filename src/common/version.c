/* SPDX-License-Identifier: MIT */
#include "dmawin/dmawin.h"

const char *dmawin_version(void)
{
	return DMAWIN_VERSION_STRING;
}
