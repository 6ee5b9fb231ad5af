/* SPDX-License-Identifier: MIT */
/*
 * The TCE hcalls as the pseries guest issues them (tce_build_pSeriesLP, tce_buildmulti_pSeriesLP,
 * tce_freemulti_pSeriesLP, tce_setrange_multi_pSeriesLP, tce_clearrange_multi_pSeriesLP): every
 * call is counted, and TCE lists are really written, big-endian, into the guest RAM page the
 * guest owns for that purpose.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "guest/guest_int.h"

static int64_t put_tce(struct dmawin_guest *g, uint32_t liobn, uint64_t ioba, uint64_t tce)
{
	int64_t rc = dmawin_papr_h_put_tce(g->m, liobn, ioba, tce);
	guest_count(g, GUEST_CTR(h_put_tce), 1);
	if (rc != DMAWIN_PAPR_H_SUCCESS)
		guest_count(g, GUEST_CTR(hcall_errors), 1);
	else if (tce & 3)
		guest_count(g, GUEST_CTR(tces_set), 1);
	else
		guest_count(g, GUEST_CTR(tces_cleared), 1);
	return rc;
}

static int64_t stuff_tce(struct dmawin_guest *g, uint32_t liobn, uint64_t ioba, uint64_t n)
{
	int64_t rc = dmawin_papr_h_stuff_tce(g->m, liobn, ioba, 0, n);
	guest_count(g, GUEST_CTR(h_stuff_tce), 1);
	if (rc != DMAWIN_PAPR_H_SUCCESS)
		guest_count(g, GUEST_CTR(hcall_errors), 1);
	else
		guest_count(g, GUEST_CTR(tces_cleared), n);
	return rc;
}

/* Fill the list page with @n TCEs starting at @first, stepping by @step, and send it. */
static int64_t put_list(struct dmawin_guest *g, uint32_t liobn, uint64_t ioba, uint64_t first,
			uint64_t step, uint64_t n)
{
	pthread_mutex_lock(&g->list_lock);
	uint64_t *list = (uint64_t *)(void *)g->list_host;
	for (uint64_t l = 0; l < n; l++)
		list[l] = htobe64(first + l * step);
	int64_t rc = dmawin_papr_h_put_tce_indirect(g->m, liobn, ioba, g->list_gpa, n);
	pthread_mutex_unlock(&g->list_lock);
	guest_count(g, GUEST_CTR(h_put_tce_indirect), 1);
	if (rc != DMAWIN_PAPR_H_SUCCESS)
		guest_count(g, GUEST_CTR(hcall_errors), 1);
	else
		guest_count(g, GUEST_CTR(tces_set), n);
	return rc;
}

/*
 * tce_free_pSeriesLP() without multi-TCE (H_PUT_TCE 0 per entry) or tce_freemulti_pSeriesLP()
 * (H_STUFF_TCE 0 in chunks of 512). @entry is absolute (bus address >> shift).
 */
int guest_tce_free(struct dmawin_guest *g, uint32_t liobn, unsigned shift, uint64_t entry,
		   uint64_t npages)
{
	int64_t rc = 0;
	if (!g->multitce) {
		for (uint64_t i = 0; i < npages; i++) {
			int64_t r = put_tce(g, liobn, (entry + i) << shift, 0);
			if (r && !rc)
				rc = r;
		}
		return rc ? -EIO : 0;
	}
	do {
		uint64_t limit = npages < GUEST_LIST_ENTRIES ? npages : GUEST_LIST_ENTRIES;
		rc = stuff_tce(g, liobn, entry << shift, limit);
		npages -= limit;
		entry += limit;
	} while (npages > 0 && rc == 0);
	return rc ? -EIO : 0;
}

/*
 * tce_buildmulti_pSeriesLP(): one page or no multi-TCE → H_PUT_TCE per page, else
 * H_PUT_TCE_INDIRECT per 512. Unlike Linux (which only undoes on H_NOT_ENOUGH_RESOURCES and
 * otherwise prints and leaves holes) any failure clears what was written and fails: a mapping
 * is either complete or absent.
 */
int guest_tce_build(struct dmawin_guest *g, uint32_t liobn, unsigned shift, uint64_t entry,
		    uint64_t npages, uint64_t phys, uint64_t proto)
{
	uint64_t rpn = phys >> shift;
	uint64_t done = 0;
	int64_t rc = 0;
	if (npages == 1 || !g->multitce) {
		for (; done < npages; done++) {
			rc = put_tce(g, liobn, (entry + done) << shift,
				     proto | ((rpn + done) << shift));
			if (rc)
				break;
		}
	} else {
		while (done < npages) {
			uint64_t left = npages - done;
			uint64_t limit = left < GUEST_LIST_ENTRIES ? left : GUEST_LIST_ENTRIES;
			rc = put_list(g, liobn, (entry + done) << shift,
				      proto | ((rpn + done) << shift), 1ull << shift, limit);
			done += limit; /* QEMU may have written part of the failed chunk */
			if (rc)
				break;
		}
	}
	if (!rc)
		return 0;
	if (done)
		guest_tce_free(g, liobn, shift, entry, done);
	return -EIO;
}

/*
 * The page count of tce_setrange/clearrange_multi_pSeriesLP: the range rounded back to the TCE
 * page start, then "num |= tce_size - 1; num >>= tce_shift" which rounds DOWN: a tail shorter
 * than one IOMMU page is not covered (as in Linux).
 */
static uint64_t range_tces(uint64_t *next, uint64_t len, unsigned tce_shift)
{
	uint64_t tce_size = 1ull << tce_shift;
	uint64_t num = len + (*next & (tce_size - 1));
	*next &= ~(tce_size - 1);
	return (num | (tce_size - 1)) >> tce_shift;
}

/* H_STUFF_TCE 0 over @ntces entries from @ioba, in chunks of 512 (do-while as Linux). */
int guest_tce_stuff_range(struct dmawin_guest *g, uint32_t liobn, uint64_t ioba, unsigned shift,
			  uint64_t ntces)
{
	int64_t rc;
	do {
		uint64_t limit = ntces < GUEST_LIST_ENTRIES ? ntces : GUEST_LIST_ENTRIES;
		rc = stuff_tce(g, liobn, ioba, limit);
		ioba += limit << shift;
		ntces -= limit;
	} while (ntces > 0 && rc == 0);
	return rc ? -EIO : 0;
}

/* tce_setrange_multi_pSeriesLP(): map RAM [phys, phys + len) 1:1 into the direct window @w. */
int guest_tce_setrange(struct dmawin_guest *g, const struct guest_ddw *w, uint64_t phys,
		       uint64_t len)
{
	const uint64_t proto = DMAWIN_PAPR_TCE_READ | DMAWIN_PAPR_TCE_WRITE;
	unsigned shift = w->page_shift;
	if (!g->multitce) {
		/* tce_build_pSeriesLP() with npages = bytes >> tce_shift, truncated */
		uint64_t entry = (phys + w->start) >> shift;
		return guest_tce_build(g, w->liobn, shift, entry, len >> shift, phys, proto) ? -EIO
											     : 0;
	}
	uint64_t next = phys;
	uint64_t num = range_tces(&next, len, shift);
	int64_t rc;
	do {
		uint64_t limit = num < GUEST_LIST_ENTRIES ? num : GUEST_LIST_ENTRIES;
		rc = put_list(g, w->liobn, next + w->start, proto | next, 1ull << shift, limit);
		next += limit << shift;
		num -= limit;
	} while (num > 0 && rc == 0);
	return rc ? -EIO : 0; /* the caller clears the whole window on error, as Linux does */
}

/* tce_clearrange_multi_pSeriesLP(): clear [phys, phys + len) of window @w (H_STUFF_TCE). */
int guest_tce_clearrange(struct dmawin_guest *g, const struct guest_ddw *w, uint64_t phys,
			 uint64_t len)
{
	uint64_t next = phys;
	uint64_t num = range_tces(&next, len, w->page_shift);
	return guest_tce_stuff_range(g, w->liobn, next + w->start, w->page_shift, num);
}
