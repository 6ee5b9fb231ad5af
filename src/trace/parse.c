/* SPDX-License-Identifier: MIT */
/*
 * Exact parser for the trace events of spec/papr-ddw.md §7.
 *
 * Each event's QEMU format string is transcribed into a small pattern language and matched by
 * one table-driven routine, so a format is checked character for character and a new event is
 * one table row. Pattern conversions (the letter says the printed form and the stored width):
 *   %X %x  hexadecimal digits, 64 / 32 bits       %D %d  signed decimal, 64 / 32 bits
 *   %U %u  unsigned decimal, 64 / 32 bits         %p     "%p": "0x<hex>" or "(nil)", 64 bits
 *   %s     any text up to the next literal of the pattern (not stored)
 * Every other pattern character must appear literally in the line.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "common/compiler.h"
#include "trace/trace_int.h"

#define NAME(s)	       s, sizeof(s) - 1
#define EV_OFF(member) ((uint16_t)offsetof(struct dmawin_trace_event, u.member))

struct event_format {
	const char *name;
	size_t name_len;
	enum dmawin_trace_kind kind;
	bool pci;
	const char *pattern;
	uint16_t off[6]; /* where each stored conversion goes, in order */
};

#define IOMMU_PUT   "liobn=0x%X ioba=0x%X tce=0x%X ret=%D"
#define IOMMU_GET   "liobn=0x%X ioba=0x%X ret=%D tce=0x%X"
#define IOMMU_IND   "liobn=0x%X ioba=0x%X tcelist=0x%X iobaN=0x%X tceN=0x%X ret=%D"
#define IOMMU_STUFF "liobn=0x%X ioba=0x%X tcevalue=0x%X npages=%D ret=%D"
#define PUT_OFF                                                                                    \
	{                                                                                          \
		EV_OFF(put.liobn), EV_OFF(put.ioba), EV_OFF(put.tce), EV_OFF(put.ret)              \
	}
#define GET_OFF                                                                                    \
	{                                                                                          \
		EV_OFF(get.liobn), EV_OFF(get.ioba), EV_OFF(get.ret), EV_OFF(get.tce)              \
	}
#define IND_OFF                                                                                    \
	{                                                                                          \
		EV_OFF(indirect.liobn), EV_OFF(indirect.ioba), EV_OFF(indirect.tcelist),           \
			EV_OFF(indirect.last_index), EV_OFF(indirect.last_tce),                    \
			EV_OFF(indirect.ret)                                                       \
	}
#define STUFF_OFF                                                                                  \
	{                                                                                          \
		EV_OFF(stuff.liobn), EV_OFF(stuff.ioba_end), EV_OFF(stuff.tce_value),              \
			EV_OFF(stuff.npages), EV_OFF(stuff.ret)                                    \
	}

/* Hot events first: the lookup is a scan by length then memcmp. */
static const struct event_format formats[] = {
	{NAME("spapr_iommu_xlate"),
	 DMAWIN_TRACE_EV_XLATE,
	 false,
	 "liobn=0x%X 0x%X -> 0x%X perm=%u mask=0x%x",
	 {EV_OFF(xlate.liobn), EV_OFF(xlate.offset), EV_OFF(xlate.target), EV_OFF(xlate.perm),
	  EV_OFF(xlate.mask)}},
	{NAME("spapr_iommu_pci_put"), DMAWIN_TRACE_EV_PUT, true, IOMMU_PUT, PUT_OFF},
	{NAME("spapr_iommu_pci_stuff"), DMAWIN_TRACE_EV_STUFF, true, IOMMU_STUFF, STUFF_OFF},
	{NAME("spapr_iommu_pci_indirect"), DMAWIN_TRACE_EV_INDIRECT, true, IOMMU_IND, IND_OFF},
	{NAME("spapr_iommu_pci_get"), DMAWIN_TRACE_EV_GET, true, IOMMU_GET, GET_OFF},
	{NAME("spapr_iommu_put"), DMAWIN_TRACE_EV_PUT, false, IOMMU_PUT, PUT_OFF},
	{NAME("spapr_iommu_stuff"), DMAWIN_TRACE_EV_STUFF, false, IOMMU_STUFF, STUFF_OFF},
	{NAME("spapr_iommu_indirect"), DMAWIN_TRACE_EV_INDIRECT, false, IOMMU_IND, IND_OFF},
	{NAME("spapr_iommu_get"), DMAWIN_TRACE_EV_GET, false, IOMMU_GET, GET_OFF},
	{NAME("spapr_iommu_new_table"),
	 DMAWIN_TRACE_EV_NEW_TABLE,
	 false,
	 "liobn=0x%X table=%p fd=%d",
	 {EV_OFF(new_table.liobn), EV_OFF(new_table.table), EV_OFF(new_table.fd)}},
	{NAME("spapr_iommu_pre_save"),
	 DMAWIN_TRACE_EV_PRE_SAVE,
	 false,
	 "liobn=%X %x bus_offset=0x%X ps=%u",
	 {EV_OFF(pre_save.liobn), EV_OFF(pre_save.nb), EV_OFF(pre_save.bus_offset),
	  EV_OFF(pre_save.ps)}},
	{NAME("spapr_iommu_post_load"),
	 DMAWIN_TRACE_EV_POST_LOAD,
	 false,
	 "liobn=%X %x => 0x%x bus_offset=0x%X ps=%u",
	 {EV_OFF(post_load.liobn), EV_OFF(post_load.pre_nb), EV_OFF(post_load.post_nb),
	  EV_OFF(post_load.bus_offset), EV_OFF(post_load.ps)}},
	{NAME("spapr_iommu_ddw_query"),
	 DMAWIN_TRACE_EV_DDW_QUERY,
	 false,
	 "buid=0x%X addr=0x%x, %u windows available, max window size=0x%X, mask=0x%x",
	 {EV_OFF(ddw_query.buid), EV_OFF(ddw_query.cfgaddr), EV_OFF(ddw_query.windows_available),
	  EV_OFF(ddw_query.max_window_size), EV_OFF(ddw_query.pgmask)}},
	{NAME("spapr_iommu_ddw_create"),
	 DMAWIN_TRACE_EV_DDW_CREATE,
	 false,
	 "buid=0x%X addr=0x%x, page size=0x%X, requested=0x%X, start addr=0x%X, liobn=0x%x",
	 {EV_OFF(ddw_create.buid), EV_OFF(ddw_create.cfgaddr), EV_OFF(ddw_create.page_size),
	  EV_OFF(ddw_create.requested), EV_OFF(ddw_create.start), EV_OFF(ddw_create.liobn)}},
	{NAME("spapr_iommu_ddw_remove"),
	 DMAWIN_TRACE_EV_DDW_REMOVE,
	 false,
	 "liobn=0x%x",
	 {EV_OFF(ddw_remove.liobn)}},
	{NAME("spapr_iommu_ddw_reset"),
	 DMAWIN_TRACE_EV_DDW_RESET,
	 false,
	 "buid=0x%X addr=0x%x",
	 {EV_OFF(ddw_reset.buid), EV_OFF(ddw_reset.cfgaddr)}},
	{NAME("spapr_cas_pvr"),
	 DMAWIN_TRACE_EV_CAS_PVR,
	 false,
	 "current=0x%x, explicit_match=%u, new=0x%x",
	 {EV_OFF(cas_pvr.current_pvr), EV_OFF(cas_pvr.explicit_match), EV_OFF(cas_pvr.new_pvr)}},
	{NAME("spapr_cas_continue"),
	 DMAWIN_TRACE_EV_CAS_CONTINUE,
	 false,
	 "Copy changes to the guest: %D bytes",
	 {EV_OFF(cas_continue.bytes)}},
	{NAME("spapr_pci_msi"),
	 DMAWIN_TRACE_EV_PCI_MSI,
	 false,
	 "%s (cfg=0x%x)",
	 {EV_OFF(pci_msi.cfg)}},
	{NAME("spapr_pci_msi_setup"),
	 DMAWIN_TRACE_EV_PCI_MSI_SETUP,
	 false,
	 "dev\"%s\" vector %u, addr=0x%X",
	 {EV_OFF(pci_msi_setup.vector), EV_OFF(pci_msi_setup.addr)}},
	{NAME("spapr_pci_rtas_ibm_change_msi"),
	 DMAWIN_TRACE_EV_PCI_CHANGE_MSI,
	 false,
	 "cfgaddr 0x%x func %u, requested %u, first irq %u",
	 {EV_OFF(pci_change_msi.cfg), EV_OFF(pci_change_msi.func), EV_OFF(pci_change_msi.req),
	  EV_OFF(pci_change_msi.first)}},
	{NAME("spapr_pci_rtas_ibm_query_interrupt_source_number"),
	 DMAWIN_TRACE_EV_PCI_QUERY_IRQ,
	 false,
	 "queries for #%u, IRQ%u",
	 {EV_OFF(pci_query_irq.ioa), EV_OFF(pci_query_irq.intr)}},
	{NAME("spapr_pci_msi_write"),
	 DMAWIN_TRACE_EV_PCI_MSI_WRITE,
	 false,
	 "@0x%X<=0x%X IRQ %u",
	 {EV_OFF(pci_msi_write.addr), EV_OFF(pci_msi_write.data), EV_OFF(pci_msi_write.irq)}},
	{NAME("spapr_pci_lsi_set"),
	 DMAWIN_TRACE_EV_PCI_LSI_SET,
	 false,
	 "%s PIN%d IRQ %u",
	 {EV_OFF(pci_lsi_set.pin), EV_OFF(pci_lsi_set.irq)}},
	{NAME("spapr_pci_msi_retry"),
	 DMAWIN_TRACE_EV_PCI_MSI_RETRY,
	 false,
	 "Guest device at 0x%x asked %u, have only %u",
	 {EV_OFF(pci_msi_retry.config_addr), EV_OFF(pci_msi_retry.req_num),
	  EV_OFF(pci_msi_retry.max_irqs)}},
};

static const char *const kind_names[DMAWIN_TRACE_EV_NR] = {
	[DMAWIN_TRACE_EV_PUT] = "put",
	[DMAWIN_TRACE_EV_GET] = "get",
	[DMAWIN_TRACE_EV_INDIRECT] = "indirect",
	[DMAWIN_TRACE_EV_STUFF] = "stuff",
	[DMAWIN_TRACE_EV_XLATE] = "xlate",
	[DMAWIN_TRACE_EV_NEW_TABLE] = "new_table",
	[DMAWIN_TRACE_EV_PRE_SAVE] = "pre_save",
	[DMAWIN_TRACE_EV_POST_LOAD] = "post_load",
	[DMAWIN_TRACE_EV_DDW_QUERY] = "ddw_query",
	[DMAWIN_TRACE_EV_DDW_CREATE] = "ddw_create",
	[DMAWIN_TRACE_EV_DDW_REMOVE] = "ddw_remove",
	[DMAWIN_TRACE_EV_DDW_RESET] = "ddw_reset",
	[DMAWIN_TRACE_EV_CAS_PVR] = "cas_pvr",
	[DMAWIN_TRACE_EV_CAS_CONTINUE] = "cas_continue",
	[DMAWIN_TRACE_EV_PCI_MSI] = "pci_msi",
	[DMAWIN_TRACE_EV_PCI_MSI_SETUP] = "pci_msi_setup",
	[DMAWIN_TRACE_EV_PCI_CHANGE_MSI] = "pci_change_msi",
	[DMAWIN_TRACE_EV_PCI_QUERY_IRQ] = "pci_query_irq",
	[DMAWIN_TRACE_EV_PCI_MSI_WRITE] = "pci_msi_write",
	[DMAWIN_TRACE_EV_PCI_LSI_SET] = "pci_lsi_set",
	[DMAWIN_TRACE_EV_PCI_MSI_RETRY] = "pci_msi_retry",
};

DMAWIN_API const char *dmawin_trace_kind_name(enum dmawin_trace_kind kind)
{
	if ((unsigned)kind >= DMAWIN_TRACE_EV_NR)
		return "invalid";
	return kind_names[kind];
}

static const struct event_format *format_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		if (formats[i].name_len == len && memcmp(formats[i].name, name, len) == 0)
			return &formats[i];
	}
	return NULL;
}

static inline int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

struct cursor {
	const char *p, *end, *start;
	struct dmawin_trace_parse_error *err;
};

static int fail(struct cursor *c, const char *reason, const char *expected, size_t expected_len)
{
	if (c->err) {
		c->err->reason = reason;
		c->err->expected = expected;
		c->err->expected_len = expected_len;
		c->err->column = (size_t)(c->p - c->start) + 1;
	}
	return -EINVAL;
}

static int scan_hex(struct cursor *c, unsigned bits, uint64_t *v)
{
	uint64_t x = 0;
	const char *p = c->p;
	int d;

	if (p == c->end || hex_value((unsigned char)*p) < 0)
		return fail(c, "expected a hexadecimal number", NULL, 0);
	for (; p < c->end && (d = hex_value((unsigned char)*p)) >= 0; p++) {
		if (x >> (bits - 4)) {
			c->p = p;
			return fail(c, "number out of range", NULL, 0);
		}
		x = x << 4 | (uint64_t)d;
	}
	c->p = p;
	*v = x;
	return 0;
}

static int scan_dec(struct cursor *c, bool is_signed, unsigned bits, uint64_t *v)
{
	bool neg = false;
	uint64_t x = 0, limit;
	const char *p = c->p;

	if (is_signed && p < c->end && *p == '-') {
		neg = true;
		p++;
	}
	if (p == c->end || *p < '0' || *p > '9') {
		c->p = p;
		return fail(c, "expected a decimal number", NULL, 0);
	}
	limit = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	if (is_signed)
		limit = (limit >> 1) + (neg ? 1 : 0);
	for (; p < c->end && *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');
		if (x > (limit - d) / 10) {
			c->p = p;
			return fail(c, "number out of range", NULL, 0);
		}
		x = x * 10 + d;
	}
	c->p = p;
	*v = neg ? (uint64_t)0 - x : x;
	return 0;
}

/* The pattern's literal text starting at pat, up to the next conversion or its end. */
static size_t literal_len(const char *pat)
{
	const char *pct = strchr(pat, '%');
	return pct ? (size_t)(pct - pat) : strlen(pat);
}

static int scan_string(struct cursor *c, const char *pat)
{
	size_t lit = literal_len(pat);
	const char *hit;

	if (lit == 0) {
		c->p = c->end;
		return 0;
	}
	hit = memmem(c->p, (size_t)(c->end - c->p), pat, lit);
	if (!hit) {
		c->p = c->end;
		return fail(c, "expected", pat, lit);
	}
	c->p = hit;
	return 0;
}

static int scan_pointer(struct cursor *c, uint64_t *v)
{
	static const char nil[] = "(nil)";

	if ((size_t)(c->end - c->p) >= sizeof(nil) - 1 && memcmp(c->p, nil, sizeof(nil) - 1) == 0) {
		c->p += sizeof(nil) - 1;
		*v = 0;
		return 0;
	}
	if (c->end - c->p < 2 || c->p[0] != '0' || c->p[1] != 'x')
		return fail(c, "expected", "0x", 2);
	c->p += 2;
	return scan_hex(c, 64, v);
}

static void store(struct dmawin_trace_event *ev, uint16_t off, bool wide, uint64_t v)
{
	char *dst = (char *)ev + off;

	if (wide) {
		memcpy(dst, &v, sizeof(v));
	} else {
		uint32_t v32 = (uint32_t)v;
		memcpy(dst, &v32, sizeof(v32));
	}
}

static int scan_conversion(struct cursor *c, char conv, const char *rest, uint64_t *v)
{
	switch (conv) {
	case 'X':
		return scan_hex(c, 64, v);
	case 'x':
		return scan_hex(c, 32, v);
	case 'D':
		return scan_dec(c, true, 64, v);
	case 'd':
		return scan_dec(c, true, 32, v);
	case 'U':
		return scan_dec(c, false, 64, v);
	case 'u':
		return scan_dec(c, false, 32, v);
	case 'p':
		return scan_pointer(c, v);
	default:
		return scan_string(c, rest);
	}
}

static int match_args(struct cursor *c, const struct event_format *f, struct dmawin_trace_event *ev)
{
	const char *pat = f->pattern;
	const char *lit_line = c->p, *lit_pat = pat;
	unsigned field = 0;

	while (*pat) {
		if (pat == f->pattern || (pat - f->pattern >= 2 && pat[-2] == '%')) {
			/* a literal run starts: errors inside it point at its beginning */
			lit_line = c->p;
			lit_pat = pat;
		}
		if (*pat == '%') {
			char conv = pat[1];
			uint64_t v = 0;
			int ret = scan_conversion(c, conv, pat + 2, &v);
			if (ret)
				return ret;
			pat += 2;
			if (conv != 's') {
				bool wide =
					conv == 'X' || conv == 'D' || conv == 'U' || conv == 'p';
				store(ev, f->off[field++], wide, v);
			}
			continue;
		}
		if (c->p == c->end || *c->p != *pat) {
			const char *why = c->p == c->end ? "line ends early, expected" : "expected";
			c->p = lit_line;
			return fail(c, why, lit_pat, literal_len(lit_pat));
		}
		c->p++;
		pat++;
	}
	if (c->p != c->end)
		return fail(c, "unexpected text after the event", NULL, 0);
	return 0;
}

static bool scan_u64_digits(const char **pp, const char *end, uint64_t *v)
{
	const char *p = *pp;
	uint64_t x = 0;

	if (p == end || *p < '0' || *p > '9')
		return false;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	*pp = p;
	*v = x;
	return true;
}

/* `PID@SEC.USEC:`; leaves *pp untouched when the line has no such prefix. */
static void parse_stamp(const char **pp, const char *end, struct dmawin_trace_event *ev)
{
	const char *p = *pp;
	uint64_t pid, sec, usec;

	ev->has_stamp = false;
	ev->pid = 0;
	ev->sec = 0;
	ev->usec = 0;
	if (!scan_u64_digits(&p, end, &pid) || p == end || *p++ != '@')
		return;
	if (!scan_u64_digits(&p, end, &sec) || p == end || *p++ != '.')
		return;
	if (!scan_u64_digits(&p, end, &usec) || p == end || *p++ != ':')
		return;
	if (pid > UINT32_MAX || usec > 999999)
		return;
	ev->has_stamp = true;
	ev->pid = (uint32_t)pid;
	ev->sec = sec;
	ev->usec = (uint32_t)usec;
	*pp = p;
}

DMAWIN_API int dmawin_trace_parse_line(const char *line, size_t len, struct dmawin_trace_event *ev,
				       struct dmawin_trace_parse_error *err, const char **name,
				       size_t *name_len)
{
	struct dmawin_trace_event tmp;
	const char *end, *p, *n;
	const struct event_format *f;
	struct cursor c;
	int ret;

	if (!line || !ev)
		return -EINVAL;
	end = line + len;
	if (end > line && end[-1] == '\r')
		end--;
	p = line;
	parse_stamp(&p, end, &tmp);
	n = p;
	while (p < end && *p != ' ')
		p++;
	if (name) {
		*name = n;
		*name_len = (size_t)(p - n);
	}
	f = p > n ? format_lookup(n, (size_t)(p - n)) : NULL;
	if (!f)
		return -ENOENT;
	memset(&tmp.u, 0, sizeof(tmp.u));
	tmp.kind = f->kind;
	tmp.pci = f->pci;
	c = (struct cursor){.p = p, .end = end, .start = line, .err = err};
	if (c.p == c.end || *c.p != ' ')
		return fail(&c, "line ends early, expected", " ", 1);
	c.p++;
	ret = match_args(&c, f, &tmp);
	if (ret)
		return ret;
	*ev = tmp;
	return 0;
}
