/* SPDX-License-Identifier: MIT */
/*
 * dmawin - the POWER (sPAPR) IOMMU stack as a userspace library, plus explicit IOVA management.
 *
 * Concepts: the library is split in layers, one public header each (mem, tce, iova, pe, papr,
 * vfio, guest, ep, trace, sim). This header holds what they share: the export macro, the version
 * and the conventions.
 *
 * Conventions every layer follows:
 *  - Functions return 0 or a negative errno; they never print, exit or abort on bad input, and a
 *    call that fails leaves the object as it was (a layer documents any exception). The PAPR layer
 *    returns PAPR H_* / RTAS codes instead, exactly as a guest sees them.
 *  - Ranges: "end" is exclusive, "last" is inclusive (a 64-bit window may end at 2^64, so its
 *    last byte is the only representable bound).
 *  - Objects are opaque handles created by dmawin_<layer>_create() and freed by _destroy().
 */
#ifndef DMAWIN_DMAWIN_H
#define DMAWIN_DMAWIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define DMAWIN_BEGIN_DECLS extern "C" {
#define DMAWIN_END_DECLS }
#else
#define DMAWIN_BEGIN_DECLS
#define DMAWIN_END_DECLS
#endif

#define DMAWIN_API __attribute__((visibility("default")))

#define DMAWIN_VERSION_MAJOR 0
#define DMAWIN_VERSION_MINOR 1
#define DMAWIN_VERSION_PATCH 0

DMAWIN_BEGIN_DECLS

/** dmawin_version - the library's version string, e.g. "0.1.0". */
DMAWIN_API const char *dmawin_version(void);

DMAWIN_END_DECLS

#endif
