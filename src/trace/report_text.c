/* SPDX-License-Identifier: MIT */
/* The replay report for humans. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/compiler.h"
#include "trace/trace_int.h"

static const char *const hcall_names[4] = {"put", "get", "indirect", "stuff"};

/* Return codes read better signed; everything else is an address or a value. */
bool report_field_signed(const char *field)
{
	return strcmp(field, "ret") == 0 || strcmp(field, "status") == 0;
}

static void print_value(FILE *out, const char *field, uint64_t v)
{
	if (report_field_signed(field))
		fprintf(out, "%" PRId64, (int64_t)v);
	else
		fprintf(out, "0x%" PRIx64, v);
}

static void text_counts(const struct dmawin_trace_report *rep, FILE *out)
{
	bool first = true;

	fprintf(out,
		"lines %" PRIu64 ", events %" PRIu64 ", unknown %" PRIu64 ", malformed %" PRIu64
		"\n",
		rep->lines, rep->events, rep->unknown_events, rep->malformed);
	fprintf(out, "events by type:");
	for (int k = 0; k < DMAWIN_TRACE_EV_NR; k++) {
		if (!rep->by_kind[k])
			continue;
		fprintf(out, "%s %s %" PRIu64, first ? "" : ",", dmawin_trace_kind_name(k),
			rep->by_kind[k]);
		first = false;
	}
	fprintf(out, "%s\n", first ? " none" : "");
	if (rep->n_unknown_names) {
		fprintf(out, "unknown events:");
		for (size_t i = 0; i < rep->n_unknown_names; i++)
			fprintf(out, "%s %s %" PRIu64, i ? "," : "", rep->unknown_names[i].name,
				rep->unknown_names[i].count);
		fprintf(out, "\n");
	}
	for (size_t i = 0; i < rep->n_malformed_examples; i++)
		fprintf(out, "  malformed line %" PRIu64 ":%zu: %s\n",
			rep->malformed_examples[i].line, rep->malformed_examples[i].column,
			rep->malformed_examples[i].message);
}

static void text_mismatches(const struct dmawin_trace_report *rep, FILE *out)
{
	fprintf(out, "replayed %" PRIu64 ", mismatches %" PRIu64 "\n", rep->replayed,
		rep->mismatches);
	for (int k = 0; k < DMAWIN_TRACE_MM_NR; k++) {
		if (!rep->mismatches_by_kind[k])
			continue;
		fprintf(out, "  %s: %" PRIu64 "\n", dmawin_trace_mismatch_kind_name(k),
			rep->mismatches_by_kind[k]);
		for (size_t i = 0; i < rep->n_mismatch_examples; i++) {
			const struct dmawin_trace_mismatch *m = &rep->mismatch_examples[i];
			if ((int)m->kind != k)
				continue;
			fprintf(out, "    line %" PRIu64 ": %s of 0x%" PRIx64 ": trace ", m->line,
				m->field, m->liobn);
			print_value(out, m->field, m->expected);
			fprintf(out, ", model ");
			print_value(out, m->field, m->got);
			fprintf(out, "\n");
		}
	}
}

static void text_windows(const struct dmawin_trace_report *rep, FILE *out)
{
	fprintf(out,
		"machine resets %" PRIu64 ", failed stuffs with unknown start %" PRIu64
		", QEMU sticky-default removes %" PRIu64
		", translations logged out of order %" PRIu64 "\n",
		rep->machine_resets, rep->stuff_partial, rep->sticky_default, rep->reordered);
	for (size_t i = 0; i < rep->n_windows; i++) {
		const struct dmawin_trace_window_stats *w = &rep->windows[i];
		uint64_t calls = w->hcalls[0] + w->hcalls[1] + w->hcalls[2] + w->hcalls[3];
		if (!w->enabled && !calls && !w->enables && !w->xlates)
			continue;
		fprintf(out,
			"window 0x%" PRIx64 " %s at 0x%" PRIx64 ", %" PRIu64 " x %" PRIu64
			" bytes (%" PRIu64 " bytes mappable), enabled %" PRIu64 " times\n",
			w->liobn, w->enabled ? "on" : "off", w->bus_offset, w->nb_table,
			UINT64_C(1) << w->page_shift, w->window_bytes, w->enables);
		fprintf(out, "  hcalls:");
		for (int h = 0; h < 4; h++)
			fprintf(out, " %s %" PRIu64, hcall_names[h], w->hcalls[h]);
		fprintf(out, " (failed %" PRIu64 "), TCEs written %" PRIu64 "\n", w->hcall_errors,
			w->tces_written);
		fprintf(out,
			"  mapped %" PRIu64 " (peak %" PRIu64 ", %" PRIu64
			" bytes), overwrites %" PRIu64 ", still mapped at removal %" PRIu64 "\n",
			w->mapped, w->peak_mapped, w->peak_mapped << w->page_shift, w->overwrites,
			w->removed_mapped);
		fprintf(out,
			"  translations %" PRIu64 ", faults %" PRIu64
			"; INDIRECT entries inferred %" PRIu64 ", confirmed %" PRIu64
			", corrected %" PRIu64 "\n",
			w->xlates, w->faults, w->inferred, w->confirmed, w->corrected);
	}
}

static void text_notes(const char *title, uint64_t count, const struct dmawin_trace_entry_note *v,
		       size_t n, bool leak, FILE *out)
{
	fprintf(out, "%s: %" PRIu64 "\n", title, count);
	for (size_t i = 0; i < n; i++) {
		if (leak)
			fprintf(out,
				"  0x%" PRIx64 " ioba 0x%" PRIx64 ": %" PRIu64
				" entries from tce 0x%" PRIx64 "\n",
				v[i].liobn, v[i].ioba, v[i].new_tce, v[i].old_tce);
		else
			fprintf(out,
				"  line %" PRIu64 ": 0x%" PRIx64 " ioba 0x%" PRIx64
				" tce 0x%" PRIx64 " -> 0x%" PRIx64 "\n",
				v[i].line, v[i].liobn, v[i].ioba, v[i].old_tce, v[i].new_tce);
	}
}

static void text_timeline(const struct dmawin_trace_report *rep, FILE *out)
{
	fprintf(out, "timeline (line, time, mapped TCEs):");
	for (size_t i = 0; i < rep->n_timeline; i++) {
		const struct dmawin_trace_timeline_point *p = &rep->timeline[i];
		fprintf(out, "%s%" PRIu64 " %" PRIu64 ".%06u %" PRIu64, i % 4 ? "; " : "\n  ",
			p->line, p->sec, p->usec, p->mapped);
	}
	fprintf(out, "\n");
}

DMAWIN_API int dmawin_trace_report_write_text(const struct dmawin_trace_report *rep,
					      const char *source, FILE *out)
{
	if (!rep || !out)
		return -EINVAL;
	fprintf(out, "dmawin replay%s%s%s\n", source ? " of " : "", source ? source : "",
		rep->finished ? "" : " (unfinished)");
	text_counts(rep, out);
	text_mismatches(rep, out);
	text_windows(rep, out);
	text_notes("still mapped at the end", rep->leaked_entries, rep->leak_ranges,
		   rep->n_leak_ranges, true, out);
	text_notes("overwrites of live entries", rep->overwrites, rep->overwrite_examples,
		   rep->n_overwrite_examples, false, out);
	text_notes("translation faults", rep->faults, rep->fault_examples, rep->n_fault_examples,
		   false, out);
	text_timeline(rep, out);
	fprintf(out, "result: %s\n", rep->mismatches ? "MISMATCH" : "ok");
	return fflush(out) || ferror(out) ? -EIO : 0;
}
