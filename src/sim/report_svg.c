/* SPDX-License-Identifier: MIT */
/*
 * The report as an SVG picture: one row per PHB, its bus address space on a log2 axis from
 * 4 KiB to 2^64, each window drawn to scale on that axis with the share of its TCEs mapped
 * shaded, the MSI window marked, and a tick at each device's DMA mask limit.
 */
#include <math.h>
#include <string.h>

#include "sim/sim_int.h"

#define LEFT	150.0
#define WIDTH	900.0
#define ROW	90.0
#define TOP	60.0
#define AXIS_LO 12.0 /* log2 of the left edge: bus address 0 is drawn there too */
#define AXIS_HI 64.0

static double xpos(long double addr)
{
	double l = addr < 4096.0L ? AXIS_LO : (double)log2l(addr);

	return LEFT + (l - AXIS_LO) / (AXIS_HI - AXIS_LO) * WIDTH;
}

/* Text content and attribute values: names come from the scenario. */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, f);
		}
	}
}

static void axis(FILE *f, double y0, double height)
{
	static const struct {
		unsigned shift;
		const char *label;
	} ticks[] = {{12, "4K"}, {20, "1M"},   {30, "1G"},   {32, "4G"},   {40, "1T"},
		     {42, "4T"}, {48, "2^48"}, {52, "2^52"}, {59, "2^59"}, {64, "2^64"}};

	for (size_t i = 0; i < SIM_ARRAY_SIZE(ticks); i++) {
		double x = xpos(ldexpl(1.0L, (int)ticks[i].shift));

		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n"
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
			"text-anchor=\"middle\">%s</text>\n",
			x, y0, x, y0 + height, x, y0 + height + 14, ticks[i].label);
	}
}

static void window_rect(FILE *f, const struct dmawin_sim_window *w, double y)
{
	double x0 = xpos((long double)w->start);
	double x1 = xpos((long double)w->start + (long double)w->size);
	double used = w->tces ? (double)w->tces_mapped / (double)w->tces : 0.0;
	char sz[32];

	if (x1 - x0 < 6.0) /* a window high on the log axis is a sliver: keep it visible */
		x1 = x0 + 6.0;
	fprintf(f,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"30\" fill=\"%s\" "
		"fill-opacity=\"0.35\" stroke=\"#333\"><title>liobn 0x%x: 0x%llx + %s, 2^%u pages, "
		"%llu of %llu TCEs mapped</title></rect>\n",
		x0, y, x1 - x0, w->is_default ? "#4a90d9" : "#e08a2c", w->liobn,
		(unsigned long long)w->start, sim_fmt_size(w->size, sz, sizeof(sz)), w->page_shift,
		(unsigned long long)w->tces_mapped, (unsigned long long)w->tces);
	fprintf(f,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"8\" fill=\"#2a7a2a\"/>\n"
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\"%s>%s %s at 0x%llx, 2^%u pages: "
		"%llu/%llu TCEs mapped</text>\n",
		x0, y + 22, (x1 - x0) * used, x1 > LEFT + WIDTH - 200 ? x1 : x0 + 2, y - 3,
		x1 > LEFT + WIDTH - 200 ? " text-anchor=\"end\"" : "",
		w->is_default ? "default" : "DDW", sz, (unsigned long long)w->start, w->page_shift,
		(unsigned long long)w->tces_mapped, (unsigned long long)w->tces);
}

static void mask_ticks(FILE *f, const struct dmawin_sim_report *r, uint32_t phb, double y)
{
	for (uint32_t i = 0; i < r->nr_devices; i++) {
		const struct dmawin_sim_device_report *d = &r->devices[i];
		double x = xpos(ldexpl(1.0L, (int)d->dma_mask_bits));

		if (d->phb_index != phb || d->kind == DMAWIN_SIM_EP)
			continue;
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c00\" "
			"stroke-dasharray=\"3,2\"><title>",
			x, y - 6, x, y + 40);
		put_escaped(f, d->name);
		fprintf(f, ": %u-bit DMA mask reaches up to here</title></line>\n",
			d->dma_mask_bits);
	}
}

int dmawin_sim_report_print_svg(const struct dmawin_sim_report *r, FILE *f)
{
	double height = TOP + ROW * r->nr_phbs + 40;

	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"font-family=\"sans-serif\">\n<title>dmawin sim: ",
		LEFT + WIDTH + 40, height);
	put_escaped(f, r->scenario);
	fprintf(f, "</title>\n<text x=\"10\" y=\"24\" font-size=\"16\">Bus address space per PHB "
		   "(log scale), scenario '");
	put_escaped(f, r->scenario);
	fputs("'; green: TCEs mapped; red dashes: DMA mask limits</text>\n", f);
	axis(f, TOP - 10, ROW * r->nr_phbs);
	for (uint32_t i = 0; i < r->nr_phbs; i++) {
		double y = TOP + ROW * i + 20;
		double msi = xpos((long double)DMAWIN_PAPR_MSI_WINDOW);

		fprintf(f, "<text x=\"10\" y=\"%.1f\" font-size=\"13\">PHB %u</text>\n", y + 20,
			r->phbs[i].index);
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"2\" height=\"30\" fill=\"#888\">"
			"<title>MSI window 0x40000000000</title></rect>\n",
			msi, y);
		for (int s = 0; s < DMAWIN_PAPR_MAX_WINDOWS; s++)
			if (r->phbs[i].windows[s].enabled)
				window_rect(f, &r->phbs[i].windows[s], y);
		mask_ticks(f, r, r->phbs[i].index, y);
	}
	fputs("</svg>\n", f);
	return fflush(f) == EOF || ferror(f) ? -EIO : 0;
}
