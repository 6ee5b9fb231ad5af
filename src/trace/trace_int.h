/* SPDX-License-Identifier: MIT */
/* Internal declarations of the trace layer, grouped by source file. */
#ifndef DMAWIN_TRACE_INT_H
#define DMAWIN_TRACE_INT_H

#include <lzma.h>
#include <zlib.h>

#include "dmawin/trace.h"

/* reader.c */
struct dmawin_trace_reader {
	int fd;
	bool own_fd;
	enum dmawin_trace_compression compression;
	/* raw input (file bytes) */
	unsigned char *in;
	size_t in_len, in_pos;
	bool in_eof;
	uint64_t bytes_in;
	/* decoded text; lines are handed out from buf[buf_pos..buf_len) */
	unsigned char *buf;
	size_t buf_cap, buf_len, buf_pos;
	bool out_eof;
	/* in-memory source */
	bool memory;
	const void *mem;
	size_t mem_len, mem_pos;
	uint64_t line_no;
	lzma_stream xz;
	z_stream gz;
	bool gz_ready;
	const char *error;
};

/* shadow.c: the entries of one window as the model wrote them, for statistics and leaks. */
#define SHADOW_CHUNK_SHIFT   9
#define SHADOW_CHUNK_ENTRIES (1u << SHADOW_CHUNK_SHIFT)

struct shadow_chunk {
	uint64_t key; /* entry index >> SHADOW_CHUNK_SHIFT */
	uint32_t mapped;
	uint64_t tce[SHADOW_CHUNK_ENTRIES];
	uint64_t inferred[SHADOW_CHUNK_ENTRIES / 64];
};

/* Open addressing on the chunk key; never shrinks until cleared. */
struct shadow {
	struct shadow_chunk **slots;
	size_t cap, used;
};

int shadow_set(struct shadow *s, uint64_t index, uint64_t tce, uint64_t *old);
uint64_t shadow_get(const struct shadow *s, uint64_t index, bool *inferred);
void shadow_set_inferred(struct shadow *s, uint64_t index, bool inferred);
void shadow_clear(struct shadow *s);
/* The chunks holding live entries, sorted by key; *out is malloc'ed. Return: count or -ENOMEM. */
long shadow_live_chunks(const struct shadow *s, struct shadow_chunk ***out);

/* replay*.c */
#include "dmawin/papr.h"

#define REPLAY_MAX_NAMES   64
#define REPLAY_MAX_PENDING 64
#define REPLAY_MAX_CAPTURE 16

/* A LIOBN of the machine: its statistics (in the report's array) and its shadow. */
struct window_rec {
	struct dmawin_trace_window_stats *st;
	struct shadow shadow;
};

/* The entries the latest hcall wrote and what they held before (replay_reorder.c). */
#define REORDER_JOURNAL 512
#define REORDER_PENDING 16
#define REORDER_LINES	64 /* how far apart two threads' lines may be logged out of order */

struct reorder_journal {
	bool valid;
	uint64_t liobn, line, first;
	uint32_t pid, count;
	uint64_t old[REORDER_JOURNAL];
};

struct pending_xlate {
	struct dmawin_trace_xlate x;
	struct dmawin_papr_xlate out; /* the model's answer at the translation's line */
	uint32_t pid;
	uint64_t line;
};

struct pending_set {
	uint64_t v[REPLAY_MAX_PENDING];
	unsigned n;
};

struct dmawin_trace_replay {
	struct dmawin_papr *m;
	unsigned examples, timeline_max;
	struct dmawin_trace_report rep;
	uint64_t line;			     /* line being replayed */
	const struct dmawin_trace_event *ev; /* event being replayed */
	uint64_t last_sec;		     /* time stamp of the latest event */
	uint32_t last_usec;
	bool finished;
	bool fixup; /* writes done to correct an inferred entry: not the guest's */
	/* a new_table line was seen: the trace has that event enabled, so an allocation the
	 * model makes and the trace does not show is a difference, not a disabled event */
	bool seen_new_table;

	struct window_rec *win;
	size_t n_win;
	size_t last_win; /* lookup cache */
	uint64_t mapped; /* live entries over all windows */

	/* translations and hcalls logged out of order by different threads */
	struct reorder_journal journal;
	struct pending_xlate pending_xlates[REORDER_PENDING];
	unsigned n_pending_xlates;

	/* what the model traced during the current call */
	struct dmawin_papr_trace cap[REPLAY_MAX_CAPTURE];
	unsigned n_cap;

	/* table allocations seen on one side only, waiting for the other */
	struct pending_set trace_tables, model_tables, model_resets;

	/* The report's arrays, allocated once at create (fixed capacities). */
	struct dmawin_trace_window_stats *stats;
	struct dmawin_trace_mismatch *mm; /* examples * DMAWIN_TRACE_MM_NR */
	unsigned mm_kept[DMAWIN_TRACE_MM_NR];
	struct dmawin_trace_malformed *mal;
	struct dmawin_trace_name_count names[REPLAY_MAX_NAMES];
	unsigned last_name;
	struct dmawin_trace_entry_note *overwrites, *faults, *leaks;
	struct dmawin_trace_timeline_point *tl;
	uint64_t tl_stride, tl_since;
};

/* replay_record.c: the report's bookkeeping */
void record_mismatch(struct dmawin_trace_replay *rp, enum dmawin_trace_mismatch_kind kind,
		     const char *field, uint64_t liobn, uint64_t expected, uint64_t got);
/* Records a mismatch when expected != got; returns whether they were equal. */
bool check_field(struct dmawin_trace_replay *rp, enum dmawin_trace_mismatch_kind kind,
		 const char *field, uint64_t liobn, uint64_t expected, uint64_t got);
void record_malformed(struct dmawin_trace_replay *rp, const char *name, size_t name_len,
		      const struct dmawin_trace_parse_error *err);
void record_unknown(struct dmawin_trace_replay *rp, const char *name, size_t name_len);
void record_note(struct dmawin_trace_replay *rp, struct dmawin_trace_entry_note *list, size_t *n,
		 const struct dmawin_trace_entry_note *note);
void timeline_tick(struct dmawin_trace_replay *rp, bool force);
int collect_leaks(struct dmawin_trace_replay *rp);

/* report_text.c */
bool report_field_signed(const char *field);

/* replay.c */
struct window_rec *window_find(struct dmawin_trace_replay *rp, uint64_t liobn);
void model_capture_begin(struct dmawin_trace_replay *rp);
const struct dmawin_papr_trace *model_captured(struct dmawin_trace_replay *rp,
					       enum dmawin_papr_trace_type type);

/* replay_reorder.c */
void journal_open(struct dmawin_trace_replay *rp, uint64_t liobn, uint32_t pid);
void journal_entry(struct dmawin_trace_replay *rp, uint64_t liobn, uint64_t index, uint64_t old);
/* A translation the model disagrees with: explained by log order, deferred, or a mismatch. */
void xlate_disagrees(struct dmawin_trace_replay *rp, struct window_rec *w,
		     const struct dmawin_trace_xlate *x, const struct dmawin_papr_xlate *out);
/* After an hcall: deferred translations the model now agrees with were logged early. */
void pending_xlates_recheck(struct dmawin_trace_replay *rp, bool flush_all);

/* replay_hcall.c */
void replay_put(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev);
void replay_get(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev);
void replay_indirect(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev);
void replay_stuff(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev);
void replay_xlate(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev);

/* replay_rtas.c */
void replay_new_table(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev);
void replay_query(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev);
void replay_create(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev);
void replay_remove(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev);
void replay_reset(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev);
/* Resolves table allocations left on one side before an event that needs a settled model. */
void tables_settle(struct dmawin_trace_replay *rp);
/* Matches what the model traced in its last call against the trace's pending allocations. */
void tables_match_model(struct dmawin_trace_replay *rp, bool auto_restore_possible);

#endif
