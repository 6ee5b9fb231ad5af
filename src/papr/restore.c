/* SPDX-License-Identifier: MIT */
/*
 * Snapshot restore: parse and check everything, build every new table, and only then swap the
 * machine's windows over. Any error before the swap leaves the machine exactly as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dmawin/tce.h"
#include "papr/snapshot_int.h"

#define MAX_NB_TABLE_DDW (UINT64_C(1) << 31)

struct staged_window {
	bool enabled, is_default;
	uint32_t page_shift;
	uint64_t bus_offset, nb_table, nr_entries;
	size_t entries_pos;
	struct dmawin_tce_table *table;
};

struct staged_phb {
	struct papr_phb *phb;
	uint32_t eeh_state;
	struct staged_window win[DMAWIN_PAPR_MAX_WINDOWS];
};

#define BAD(...)                                                                                   \
	do {                                                                                       \
		papr_why(why, wlen, __VA_ARGS__);                                                  \
		return -EBADMSG;                                                                   \
	} while (0)
#define INCOMPATIBLE(...)                                                                          \
	do {                                                                                       \
		papr_why(why, wlen, __VA_ARGS__);                                                  \
		return -EXDEV;                                                                     \
	} while (0)

static int parse_entries(struct snap_reader *r, struct staged_window *sw, char *why, size_t wlen)
{
	uint64_t prev = 0, index, tce;

	if (sw->nr_entries > sw->nb_table || sw->nr_entries > (r->len - r->pos) / 16)
		BAD("snapshot entry count %llu impossible (corrupt or truncated)",
		    (unsigned long long)sw->nr_entries);
	sw->entries_pos = r->pos;
	for (uint64_t i = 0; i < sw->nr_entries; i++) {
		snap_get(r, 8, &index);
		snap_get(r, 8, &tce);
		if (index >= sw->nb_table || (i && index <= prev) || tce == 0)
			BAD("snapshot entry %llu out of order, out of range or zero",
			    (unsigned long long)i);
		prev = index;
	}
	return 0;
}

static int parse_window(struct snap_reader *r, struct staged_window *sw, char *why, size_t wlen)
{
	uint64_t en, def, pad, ps;

	if (!snap_get(r, 1, &en) || !snap_get(r, 1, &def) || !snap_get(r, 2, &pad) ||
	    !snap_get(r, 4, &ps) || !snap_get(r, 8, &sw->bus_offset) ||
	    !snap_get(r, 8, &sw->nb_table) || !snap_get(r, 8, &sw->nr_entries))
		BAD("snapshot truncated inside a window record");
	if (en > 1 || def > 1 || pad || ps > 63 ||
	    (!en && (def || sw->nb_table || sw->nr_entries)) || (en && !sw->nb_table))
		BAD("snapshot window record has impossible values");
	sw->enabled = en;
	sw->is_default = def;
	sw->page_shift = (uint32_t)ps;
	return parse_entries(r, sw, why, wlen);
}

static bool overlap(const struct staged_window *a, const struct staged_window *b)
{
	uint64_t a_last = a->bus_offset + (a->nb_table << a->page_shift) - 1;
	uint64_t b_last = b->bus_offset + (b->nb_table << b->page_shift) - 1;

	return a->bus_offset <= b_last && b->bus_offset <= a_last;
}

/* Could this PHB (configuration) hold window @sw in slot @slot? Seed 000: a window address
 * chosen on one machine must be where the other machine would put it. */
static int check_window(const struct papr_phb *phb, unsigned slot, const struct staged_window *sw,
			char *why, size_t wlen)
{
	const struct dmawin_papr_phb_config *c = &phb->cfg;
	uint64_t size, last;

	if (sw->is_default) {
		if (slot != 0 || sw->page_shift != PAPR_TCE_PAGE_SHIFT ||
		    sw->bus_offset != c->dma_win_addr ||
		    sw->nb_table != c->dma_win_size >> PAPR_TCE_PAGE_SHIFT)
			INCOMPATIBLE("phb %u: default window 0x%llx/%llu TCEs differs from this "
				     "PHB's dma_win_addr/dma_win_size",
				     c->index, (unsigned long long)sw->bus_offset,
				     (unsigned long long)sw->nb_table);
		return 0;
	}
	if (!c->ddw)
		INCOMPATIBLE("phb %u: snapshot has a DDW window but ddw is off", c->index);
	if (!(c->pgsz & (UINT64_C(1) << sw->page_shift)))
		INCOMPATIBLE("phb %u: page shift %u not offered by pgsz 0x%llx", c->index,
			     sw->page_shift, (unsigned long long)c->pgsz);
	if (sw->nb_table & (sw->nb_table - 1) || sw->nb_table > MAX_NB_TABLE_DDW ||
	    sw->page_shift + (unsigned)__builtin_ctzll(sw->nb_table) > DMAWIN_TCE_MAX_WINDOW_SHIFT)
		INCOMPATIBLE("phb %u: window of %llu TCEs cannot be created", c->index,
			     (unsigned long long)sw->nb_table);
	size = sw->nb_table << sw->page_shift;
	if (__builtin_add_overflow(sw->bus_offset, size - 1, &last) ||
	    (sw->bus_offset <= DMAWIN_PAPR_MSI_WINDOW + PAPR_MSI_WINDOW_SIZE - 1 &&
	     DMAWIN_PAPR_MSI_WINDOW <= last))
		INCOMPATIBLE("phb %u: window at 0x%llx wraps or covers the MSI window", c->index,
			     (unsigned long long)sw->bus_offset);
	if (c->placement == DMAWIN_PAPR_PLACE_SLOT
		    ? sw->bus_offset != (slot ? c->dma64_win_addr : c->dma_win_addr)
		    : sw->bus_offset != c->dma_win_addr && sw->bus_offset != c->dma64_win_addr)
		INCOMPATIBLE(
			"phb %u: window start 0x%llx cannot be placed here (dma_win_addr 0x%llx, "
			"dma64_win_addr 0x%llx)",
			c->index, (unsigned long long)sw->bus_offset,
			(unsigned long long)c->dma_win_addr, (unsigned long long)c->dma64_win_addr);
	return 0;
}

static int check_phb(const struct staged_phb *sp, char *why, size_t wlen)
{
	const struct dmawin_papr_phb_config *c = &sp->phb->cfg;
	const struct staged_window *w = sp->win;
	uint64_t ddw_tces = 0;
	unsigned active = 0;
	int rc;

	for (unsigned s = 0; s < DMAWIN_PAPR_MAX_WINDOWS; s++) {
		if (!w[s].enabled)
			continue;
		rc = check_window(sp->phb, s, &w[s], why, wlen);
		if (rc)
			return rc;
		active++;
		if (!w[s].is_default)
			ddw_tces += w[s].nb_table;
	}
	if (active > c->max_windows)
		INCOMPATIBLE("phb %u: %u windows, this PHB allows %u", c->index, active,
			     c->max_windows);
	if (w[0].enabled && w[1].enabled && overlap(&w[0], &w[1]))
		INCOMPATIBLE("phb %u: the two windows overlap", c->index);
	if (c->tce_budget && ddw_tces > c->tce_budget)
		INCOMPATIBLE("phb %u: %llu DDW TCEs exceed the budget %llu", c->index,
			     (unsigned long long)ddw_tces, (unsigned long long)c->tce_budget);
	if (!papr_pe_eeh_state_valid(sp->eeh_state))
		BAD("phb %u: EEH state %u unknown", c->index, sp->eeh_state);
	return 0;
}

static int parse_phb(struct dmawin_papr *m, struct snap_reader *r, struct staged_phb *sp,
		     bool *seen, char *why, size_t wlen)
{
	uint64_t buid, index, eeh;
	int pos, rc;

	if (!snap_get(r, 8, &buid) || !snap_get(r, 4, &index) || !snap_get(r, 4, &eeh))
		BAD("snapshot truncated inside a PHB record");
	sp->phb = papr_find_buid(m, (uint32_t)(buid >> 32), (uint32_t)buid);
	if (!sp->phb || sp->phb->cfg.index != index)
		INCOMPATIBLE("snapshot PHB buid 0x%llx index %llu is not on this machine",
			     (unsigned long long)buid, (unsigned long long)index);
	pos = (int)(sp->phb - m->phbs);
	if (seen[pos])
		BAD("snapshot lists PHB buid 0x%llx twice", (unsigned long long)buid);
	seen[pos] = true;
	sp->eeh_state = (uint32_t)eeh;
	for (unsigned s = 0; s < DMAWIN_PAPR_MAX_WINDOWS; s++) {
		rc = parse_window(r, &sp->win[s], why, wlen);
		if (rc)
			return rc;
	}
	return check_phb(sp, why, wlen);
}

static void free_staged(struct staged_phb *sp, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (unsigned s = 0; s < DMAWIN_PAPR_MAX_WINDOWS; s++)
			dmawin_tce_unref(sp[i].win[s].table);
}

static int build_table(const struct snap_reader *r, struct staged_window *sw)
{
	struct snap_reader er = {.data = r->data, .len = r->len, .pos = sw->entries_pos};
	uint64_t index, tce;
	int rc = papr_table_create(sw->page_shift, sw->nb_table, &sw->table);

	for (uint64_t i = 0; !rc && i < sw->nr_entries; i++) {
		snap_get(&er, 8, &index);
		snap_get(&er, 8, &tce);
		rc = dmawin_tce_put(sw->table, index, tce);
	}
	return rc ? -ENOMEM : 0;
}

struct replay_ctx {
	struct dmawin_papr *m;
	struct papr_phb *phb;
	struct papr_window *w;
};

static int replay_map(uint64_t index, uint64_t tce, void *arg)
{
	struct replay_ctx *c = arg;

	papr_notify_entries(c->m, c->phb, c->w, index, NULL, tce, 1);
	return 0;
}

/* The swap: nothing here can fail short of the pe layer refusing an attach. */
static int apply_phb(struct dmawin_papr *m, struct staged_phb *sp)
{
	struct papr_phb *phb = sp->phb;
	int rc = 0;

	for (unsigned s = 0; s < DMAWIN_PAPR_MAX_WINDOWS; s++)
		papr_window_disable(m, phb, &phb->win[s]);
	phb->limited_addr = false; /* not in the format: as after a reset */
	for (unsigned s = 0; s < DMAWIN_PAPR_MAX_WINDOWS; s++) {
		struct staged_window *sw = &sp->win[s];
		struct papr_window *w = &phb->win[s];
		struct replay_ctx c = {m, phb, w};
		if (!sw->enabled) {
			w->bus_offset = sw->bus_offset;
			w->page_shift = sw->page_shift;
			continue;
		}
		rc = papr_window_enable(m, phb, w, sw->table, sw->bus_offset, sw->page_shift,
					sw->nb_table, sw->is_default);
		if (rc)
			return rc;
		sw->table = NULL; /* owned by the slot now */
		if (m->nr_notifiers)
			dmawin_tce_for_each(w->table, 0, w->nb_table, 0, replay_map, &c);
	}
	return papr_pe_eeh_restore(m, phb, sp->eeh_state);
}

int snap_restore_payload(struct dmawin_papr *m, struct snap_reader *r, char *why, size_t wlen)
{
	struct staged_phb sp[DMAWIN_PAPR_MAX_PHBS];
	bool seen[DMAWIN_PAPR_MAX_PHBS] = {false};
	uint64_t nr;
	uint32_t parsed = 0;
	int rc = 0;

	memset(sp, 0, sizeof(sp));
	if (!snap_get(r, 4, &nr))
		BAD("snapshot payload truncated");
	if (nr != m->cfg.nr_phbs)
		INCOMPATIBLE("snapshot has %llu PHBs, this machine %u", (unsigned long long)nr,
			     m->cfg.nr_phbs);
	for (; parsed < nr && !rc; parsed++)
		rc = parse_phb(m, r, &sp[parsed], seen, why, wlen);
	if (!rc && r->pos != r->len) {
		papr_why(why, wlen, "snapshot has %zu bytes of trailing garbage", r->len - r->pos);
		rc = -EBADMSG;
	}
	for (uint32_t i = 0; !rc && i < parsed; i++)
		for (unsigned s = 0; !rc && s < DMAWIN_PAPR_MAX_WINDOWS; s++)
			if (sp[i].win[s].enabled)
				rc = build_table(r, &sp[i].win[s]);
	if (rc == -ENOMEM)
		papr_why(why, wlen, "out of memory building the restored tables");
	for (uint32_t i = 0; !rc && i < parsed; i++)
		rc = apply_phb(m, &sp[i]);
	free_staged(sp, parsed);
	return rc;
}
