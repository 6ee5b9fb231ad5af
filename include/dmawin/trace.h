/* SPDX-License-Identifier: MIT */
/*
 * dmawin trace: reading QEMU sPAPR IOMMU trace logs and replaying them on the papr model.
 *
 * Concepts:
 *  - A *reader* streams the lines of a QEMU log-backend trace file (`PID@SEC.USEC:event args`,
 *    or `event args` when QEMU logged without timestamps): plain text, xz or gzip (recognised by
 *    their magic bytes, so a pipe on stdin works), or a caller's memory buffer. A line is returned
 *    as a pointer into the reader's buffer, valid until the next call; no allocation per line.
 *  - An *event* is one parsed line of a kind listed in spec/papr-ddw.md §7 (the sPAPR IOMMU,
 *    DDW RTAS, PCI MSI/LSI and CAS events). Each kind has its own struct inside
 *    struct dmawin_trace_event; names follow the QEMU format strings (liobn, ioba, tce, buid).
 *    Parsing is exact: a line of a known event that does not match its format is *malformed*
 *    and reported with the column and what was expected; lines of other events are *unknown*.
 *  - A *replay* (struct dmawin_trace_replay) feeds events to a fresh papr machine built from a
 *    machine config, compares every answer the trace shows (return codes, H_GET_TCE values, query
 *    outputs, create start and LIOBN, device translations) and keeps a report: counts, mismatches
 *    with their line, per-LIOBN statistics, leaks, overwrites, faults and a timeline.
 *  - What QEMU does not trace is inferred, and marked so: H_PUT_TCE_INDIRECT lists (only the last
 *    entry is traced) are rebuilt as the linear run of pages ending at that entry; a later
 *    `spapr_iommu_xlate` of such an entry confirms it or corrects it (a correction is counted,
 *    not a mismatch: the guest's list simply was not linear). Calls QEMU rejects silently
 *    (unknown LIOBN, npages > 512, failed creates) leave no line and nothing to replay.
 *
 * Concurrency: every object here belongs to one thread at a time; distinct objects are
 * independent. Ranges: "end" is exclusive, "last" inclusive.
 */
#ifndef DMAWIN_TRACE_H
#define DMAWIN_TRACE_H

#include <stdio.h>

#include "dmawin/dmawin.h"

DMAWIN_BEGIN_DECLS

/* ------------------------------------------------------------------ reader */

struct dmawin_trace_reader;

enum dmawin_trace_compression {
	DMAWIN_TRACE_PLAIN = 0,
	DMAWIN_TRACE_XZ,
	DMAWIN_TRACE_GZIP,
};

/**
 * dmawin_trace_reader_open - open a trace file for reading line by line.
 * @path: file name, or "-" for standard input. Compression is detected from the content.
 * @out: receives the reader.
 *
 * Return: 0; -EINVAL for a NULL argument; -ENOMEM; or the -errno of open(2)/read(2).
 */
DMAWIN_API int dmawin_trace_reader_open(const char *path, struct dmawin_trace_reader **out);

/**
 * dmawin_trace_reader_open_fd - read a trace from an open file descriptor (pipe or file).
 * @own_fd: close @fd when the reader is destroyed.
 *
 * Return: 0; -EINVAL (fd < 0 or @out NULL); -ENOMEM; the -errno of read(2). On failure @fd is
 * left open.
 */
DMAWIN_API int dmawin_trace_reader_open_fd(int fd, bool own_fd, struct dmawin_trace_reader **out);

/**
 * dmawin_trace_reader_open_memory - read plain-text trace lines from a buffer (not copied; it
 * must outlive the reader).
 *
 * Return: 0; -EINVAL (@data NULL with @len > 0, or @out NULL); -ENOMEM.
 */
DMAWIN_API int dmawin_trace_reader_open_memory(const void *data, size_t len,
					       struct dmawin_trace_reader **out);

/** dmawin_trace_reader_destroy - close the reader (NULL is ignored). */
DMAWIN_API void dmawin_trace_reader_destroy(struct dmawin_trace_reader *r);

/**
 * dmawin_trace_reader_next - the next line, without its '\n' (a final line without one counts).
 * @line: receives a pointer to the line (not NUL-terminated), valid until the next call.
 * @len: receives its length.
 *
 * Return: 1 with a line; 0 at the end; -EINVAL for NULL arguments; -EBADMSG when compressed
 * data is corrupt or truncated (dmawin_trace_reader_error() says which); -E2BIG for a line
 * over 64 MiB; -ENOMEM; the -errno of read(2). Lines returned before an error stay valid input.
 */
DMAWIN_API int dmawin_trace_reader_next(struct dmawin_trace_reader *r, const char **line,
					size_t *len);

/** dmawin_trace_reader_line_number - number of lines returned so far (= current line's number). */
DMAWIN_API uint64_t dmawin_trace_reader_line_number(const struct dmawin_trace_reader *r);

/** dmawin_trace_reader_bytes_in - bytes consumed from the file so far (compressed size). */
DMAWIN_API uint64_t dmawin_trace_reader_bytes_in(const struct dmawin_trace_reader *r);

/** dmawin_trace_reader_compression - the compression detected. */
DMAWIN_API enum dmawin_trace_compression
dmawin_trace_reader_compression(const struct dmawin_trace_reader *r);

/** dmawin_trace_reader_error - a static description of the last -EBADMSG/-E2BIG. */
DMAWIN_API const char *dmawin_trace_reader_error(const struct dmawin_trace_reader *r);

/* ------------------------------------------------------------------ events */

enum dmawin_trace_kind {
	DMAWIN_TRACE_EV_PUT = 0,  /* spapr_iommu_put, spapr_iommu_pci_put: H_PUT_TCE */
	DMAWIN_TRACE_EV_GET,	  /* spapr_iommu_(pci_)get: H_GET_TCE */
	DMAWIN_TRACE_EV_INDIRECT, /* spapr_iommu_(pci_)indirect: H_PUT_TCE_INDIRECT */
	DMAWIN_TRACE_EV_STUFF,	  /* spapr_iommu_(pci_)stuff: H_STUFF_TCE */
	DMAWIN_TRACE_EV_XLATE,	  /* spapr_iommu_xlate: one device translation */
	DMAWIN_TRACE_EV_NEW_TABLE,
	DMAWIN_TRACE_EV_PRE_SAVE,
	DMAWIN_TRACE_EV_POST_LOAD,
	DMAWIN_TRACE_EV_DDW_QUERY,
	DMAWIN_TRACE_EV_DDW_CREATE,
	DMAWIN_TRACE_EV_DDW_REMOVE,
	DMAWIN_TRACE_EV_DDW_RESET,
	DMAWIN_TRACE_EV_CAS_PVR,
	DMAWIN_TRACE_EV_CAS_CONTINUE,
	DMAWIN_TRACE_EV_PCI_MSI,
	DMAWIN_TRACE_EV_PCI_MSI_SETUP,
	DMAWIN_TRACE_EV_PCI_CHANGE_MSI,
	DMAWIN_TRACE_EV_PCI_QUERY_IRQ,
	DMAWIN_TRACE_EV_PCI_MSI_WRITE,
	DMAWIN_TRACE_EV_PCI_LSI_SET,
	DMAWIN_TRACE_EV_PCI_MSI_RETRY,
	DMAWIN_TRACE_EV_NR
};

struct dmawin_trace_put {
	uint64_t liobn, ioba, tce; /* ioba: already masked to the page size by QEMU */
	int64_t ret;
};

struct dmawin_trace_get {
	uint64_t liobn, ioba;
	int64_t ret;
	uint64_t tce;
};

struct dmawin_trace_indirect {
	uint64_t liobn, ioba, tcelist;
	uint64_t last_index; /* printed as "iobaN": the index of the last entry processed */
	uint64_t last_tce;   /* "tceN": the value read for that entry (or the failing one) */
	int64_t ret;
};

struct dmawin_trace_stuff {
	uint64_t liobn;
	uint64_t ioba_end; /* printed as "ioba": the loop variable after the loop (range end) */
	uint64_t tce_value, npages;
	int64_t ret;
};

struct dmawin_trace_xlate {
	uint64_t liobn;
	uint64_t offset; /* bus address minus window start */
	uint64_t target; /* tce & page mask */
	uint32_t perm;	 /* 0 none, 1 read, 2 write, 3 both */
	uint32_t mask;	 /* page size - 1, truncated to 32 bits; 0xffffffff for a miss */
};

struct dmawin_trace_new_table {
	uint64_t liobn, table; /* table: a host pointer, meaningless */
	int32_t fd;
};

struct dmawin_trace_pre_save {
	uint64_t liobn;
	uint32_t nb;
	uint64_t bus_offset;
	uint32_t ps;
};

struct dmawin_trace_post_load {
	uint64_t liobn;
	uint32_t pre_nb, post_nb;
	uint64_t bus_offset;
	uint32_t ps;
};

struct dmawin_trace_ddw_query {
	uint64_t buid;
	uint32_t cfgaddr, windows_available;
	uint64_t max_window_size; /* a constant (0x80000000) in QEMU's trace call */
	uint32_t pgmask;
};

struct dmawin_trace_ddw_create {
	uint64_t buid;
	uint32_t cfgaddr;
	uint64_t page_size, requested, start; /* bytes: 1 << page_shift, 1 << window_shift */
	uint32_t liobn;
};

struct dmawin_trace_ddw_remove {
	uint32_t liobn;
};

struct dmawin_trace_ddw_reset {
	uint64_t buid;
	uint32_t cfgaddr;
};

struct dmawin_trace_cas_pvr {
	uint32_t current_pvr, explicit_match, new_pvr;
};

struct dmawin_trace_cas_continue {
	int64_t bytes;
};

/* The PCI interrupt events: their strings (device/bus names, messages) are not kept. */
struct dmawin_trace_pci_msi {
	uint32_t cfg;
};

struct dmawin_trace_pci_msi_setup {
	uint32_t vector;
	uint64_t addr;
};

struct dmawin_trace_pci_change_msi {
	uint32_t cfg, func, req, first;
};

struct dmawin_trace_pci_query_irq {
	uint32_t ioa, intr;
};

struct dmawin_trace_pci_msi_write {
	uint64_t addr, data;
	uint32_t irq;
};

struct dmawin_trace_pci_lsi_set {
	int32_t pin;
	uint32_t irq;
};

struct dmawin_trace_pci_msi_retry {
	uint32_t config_addr, req_num, max_irqs;
};

struct dmawin_trace_event {
	enum dmawin_trace_kind kind;
	bool pci;	/* put/get/indirect/stuff: the spapr_iommu_pci_* name was used */
	bool has_stamp; /* the line had the `PID@SEC.USEC:` prefix */
	uint32_t pid;
	uint32_t usec;
	uint64_t sec;
	union {
		struct dmawin_trace_put put;
		struct dmawin_trace_get get;
		struct dmawin_trace_indirect indirect;
		struct dmawin_trace_stuff stuff;
		struct dmawin_trace_xlate xlate;
		struct dmawin_trace_new_table new_table;
		struct dmawin_trace_pre_save pre_save;
		struct dmawin_trace_post_load post_load;
		struct dmawin_trace_ddw_query ddw_query;
		struct dmawin_trace_ddw_create ddw_create;
		struct dmawin_trace_ddw_remove ddw_remove;
		struct dmawin_trace_ddw_reset ddw_reset;
		struct dmawin_trace_cas_pvr cas_pvr;
		struct dmawin_trace_cas_continue cas_continue;
		struct dmawin_trace_pci_msi pci_msi;
		struct dmawin_trace_pci_msi_setup pci_msi_setup;
		struct dmawin_trace_pci_change_msi pci_change_msi;
		struct dmawin_trace_pci_query_irq pci_query_irq;
		struct dmawin_trace_pci_msi_write pci_msi_write;
		struct dmawin_trace_pci_lsi_set pci_lsi_set;
		struct dmawin_trace_pci_msi_retry pci_msi_retry;
	} u;
};

/* Why a line of a known event was rejected. */
struct dmawin_trace_parse_error {
	const char *reason;   /* static text, e.g. "expected", "number out of range" */
	const char *expected; /* the literal text expected at @column (not NUL-terminated) */
	size_t expected_len;
	size_t column; /* 1-based column in the line */
};

/**
 * dmawin_trace_parse_line - parse one trace line.
 * @line: the line (need not be NUL-terminated; a trailing '\r' is ignored).
 * @ev: receives the event (on success only).
 * @err: receives the reason of a malformed line (may be NULL).
 * @name: receives the event name as it appears in the line, for the 0, -ENOENT and -EINVAL
 *        results (pointer into @line, may be NULL); empty for a blank line.
 *
 * Return: 0 for a known event; -ENOENT for a blank line or an event not in §7 (also a line
 * with no event name); -EINVAL for a malformed line of a known event (@err filled).
 */
DMAWIN_API int dmawin_trace_parse_line(const char *line, size_t len, struct dmawin_trace_event *ev,
				       struct dmawin_trace_parse_error *err, const char **name,
				       size_t *name_len);

/** dmawin_trace_kind_name - short name of an event kind ("put", "ddw_create", ...). */
DMAWIN_API const char *dmawin_trace_kind_name(enum dmawin_trace_kind kind);

/* ------------------------------------------------------------------ replay */

struct dmawin_trace_replay;
struct dmawin_papr_config;

/* What disagreed between the trace (what QEMU did) and the model. */
enum dmawin_trace_mismatch_kind {
	DMAWIN_TRACE_MM_RET = 0,  /* hcall or RTAS return code */
	DMAWIN_TRACE_MM_GET_TCE,  /* the value H_GET_TCE returned */
	DMAWIN_TRACE_MM_HCALL,	  /* other traced hcall fields: ioba, iobaN, tceN, stuff end */
	DMAWIN_TRACE_MM_UNTRACED, /* the model would not trace this call (silent early return) */
	DMAWIN_TRACE_MM_QUERY,	  /* ibm,query-pe-dma-window outputs */
	DMAWIN_TRACE_MM_CREATE,	  /* ibm,create-pe-dma-window start address or LIOBN */
	DMAWIN_TRACE_MM_TABLE,	  /* table (re)allocations: new_table / auto-restore reset */
	DMAWIN_TRACE_MM_XLATE_TARGET,
	DMAWIN_TRACE_MM_XLATE_PERM,
	DMAWIN_TRACE_MM_XLATE_MASK,
	DMAWIN_TRACE_MM_XLATE_WINDOW,  /* a translation in a window the model does not have */
	DMAWIN_TRACE_MM_INDIRECT_LIST, /* the rebuilt INDIRECT list cannot be placed or sized */
	DMAWIN_TRACE_MM_NR
};

struct dmawin_trace_mismatch {
	uint64_t line;
	enum dmawin_trace_mismatch_kind kind;
	const char *field; /* static: "ret", "tce", "windows_available", "target", ... */
	uint64_t liobn;	   /* or the BUID for the PHB-level RTAS calls */
	uint64_t expected; /* what the trace shows (QEMU's answer) */
	uint64_t got;	   /* what the model answered */
};

struct dmawin_trace_malformed {
	uint64_t line;
	size_t column;
	char message[96]; /* "spapr_iommu_pci_put: expected \" tce=0x\"" */
};

/* One entry event worth showing: an overwrite of a live entry, a fault, or a leaked range. */
struct dmawin_trace_entry_note {
	uint64_t line; /* 0 for leaks (end of trace) */
	uint64_t liobn;
	uint64_t ioba;	  /* bus address (window start + offset) */
	uint64_t old_tce; /* overwrite: the live entry; fault: 0; leak: the first entry */
	uint64_t new_tce; /* overwrite: the new value; leak: number of consecutive pages */
};

/* Per-LIOBN statistics; geometry is the last one the window had. */
struct dmawin_trace_window_stats {
	uint64_t liobn;
	bool enabled; /* at the end of the trace */
	uint64_t bus_offset;
	uint32_t page_shift;
	uint64_t nb_table;
	uint64_t window_bytes; /* nb_table << page_shift: bytes mappable */
	uint64_t enables;      /* times the window was created or restored */
	uint64_t hcalls[4];    /* put, get, indirect, stuff (traced calls) */
	uint64_t hcall_errors; /* of those, calls the trace shows failing */
	uint64_t tces_written;
	uint64_t mapped, peak_mapped; /* entries with permission bits: now and at most */
	uint64_t overwrites;	      /* live entry replaced by another live value */
	uint64_t removed_mapped;      /* entries still live when the window was disabled */
	uint64_t xlates, faults;      /* translations; those with perm 0 */
	uint64_t inferred, confirmed, corrected; /* INDIRECT entries rebuilt, and their fate */
};

struct dmawin_trace_timeline_point {
	uint64_t line;
	uint64_t sec;
	uint32_t usec;
	uint64_t mapped; /* live entries over every window */
};

struct dmawin_trace_name_count {
	char name[64];
	uint64_t count;
};

struct dmawin_trace_report {
	uint64_t lines;	 /* lines seen (blank ones included) */
	uint64_t events; /* lines of known events */
	uint64_t by_kind[DMAWIN_TRACE_EV_NR];
	uint64_t replayed;   /* hcall and RTAS events replayed on the model, xlates checked */
	uint64_t mismatches; /* all of them; the first few per kind are kept */
	uint64_t mismatches_by_kind[DMAWIN_TRACE_MM_NR];
	const struct dmawin_trace_mismatch *mismatch_examples;
	size_t n_mismatch_examples;
	uint64_t unknown_events; /* lines of events not in §7 (and lines that are not events) */
	const struct dmawin_trace_name_count *unknown_names;
	size_t n_unknown_names; /* distinct names kept (at most 64) */
	uint64_t malformed;
	const struct dmawin_trace_malformed *malformed_examples;
	size_t n_malformed_examples;
	uint64_t machine_resets; /* tables re-created with no DDW call: boot or guest reboot */
	uint64_t stuff_partial;	 /* failed H_STUFF_TCE whose start the trace cannot tell */
	/* Removes of a DDW on LIOBN#0 that QEMU did not follow by an auto-restore (its "default"
	 * flag sticks to LIOBN#0) where the model, which tracks the default per window, did: the
	 * replay undoes the model's restore to follow QEMU (spec/papr-ddw.md §9.8). */
	uint64_t sticky_default;
	/* Translations that disagreed with the model at their line but match the entry just
	 * before or just after a nearby hcall of another thread: the two threads' lines were
	 * logged out of order. */
	uint64_t reordered;
	const struct dmawin_trace_window_stats *windows;
	size_t n_windows;
	uint64_t overwrites;
	const struct dmawin_trace_entry_note *overwrite_examples;
	size_t n_overwrite_examples;
	uint64_t faults;
	const struct dmawin_trace_entry_note *fault_examples;
	size_t n_fault_examples;
	uint64_t leaked_entries; /* live entries at the end of the trace */
	const struct dmawin_trace_entry_note *leak_ranges;
	size_t n_leak_ranges;
	const struct dmawin_trace_timeline_point *timeline;
	size_t n_timeline;
	bool finished; /* dmawin_trace_replay_finish() was called */
};

struct dmawin_trace_replay_options {
	unsigned examples;	  /* examples kept per list (mismatches per kind, ...); 0 = 5 */
	unsigned timeline_points; /* at most this many timeline points; 0 = 64 */
};

/**
 * dmawin_trace_replay_create - a replay on a fresh machine built from @cfg.
 * @opts: may be NULL for the defaults.
 * @why: receives a one-line reason when the machine cannot be built (may be NULL).
 *
 * Return: 0; -EINVAL for an invalid @cfg (see dmawin_papr_config_check()); -ENOMEM; an error
 * of dmawin_papr_create().
 */
DMAWIN_API int dmawin_trace_replay_create(const struct dmawin_papr_config *cfg,
					  const struct dmawin_trace_replay_options *opts,
					  struct dmawin_trace_replay **out, char *why, size_t len);

/** dmawin_trace_replay_destroy - free the replay and its machine (NULL is ignored). */
DMAWIN_API void dmawin_trace_replay_destroy(struct dmawin_trace_replay *rp);

/**
 * dmawin_trace_replay_line - parse one line and replay it.
 * @line_no: the line's number in its file, used in the report.
 *
 * Return: 0 when the line was a known event (replayed or counted), unknown or blank (counted);
 * -EINVAL when it is a malformed line of a known event (counted, kept as an example, and the
 * replay goes on if the caller wants), or for a NULL @rp or a NULL @line with @len > 0;
 * -EALREADY after dmawin_trace_replay_finish().
 */
DMAWIN_API int dmawin_trace_replay_line(struct dmawin_trace_replay *rp, const char *line,
					size_t len, uint64_t line_no);

/**
 * dmawin_trace_replay_event - replay one parsed event (what dmawin_trace_replay_line() does
 * after parsing).
 *
 * Return: 0; -EINVAL for a NULL argument or an event kind out of range; -EALREADY after
 * finish.
 */
DMAWIN_API int dmawin_trace_replay_event(struct dmawin_trace_replay *rp,
					 const struct dmawin_trace_event *ev, uint64_t line_no);

/**
 * dmawin_trace_replay_finish - the end of the trace: checks what is still pending (a table
 * allocation the trace announced but never used, an auto-restore it never showed) and collects
 * leaks. Further lines are refused.
 *
 * Return: 0; -EINVAL for a NULL @rp; -EALREADY if already finished; -ENOMEM (collecting the
 * leak ranges).
 */
DMAWIN_API int dmawin_trace_replay_finish(struct dmawin_trace_replay *rp);

/**
 * dmawin_trace_replay_report - the report so far (complete after finish); it is updated in
 * place by later calls and stays valid, with every array it points to, until destroy.
 *
 * Return: the report; NULL if @rp is NULL.
 */
DMAWIN_API const struct dmawin_trace_report *
dmawin_trace_replay_report(const struct dmawin_trace_replay *rp);

/** dmawin_trace_mismatch_kind_name - short name ("ret", "xlate_target", ...). */
DMAWIN_API const char *dmawin_trace_mismatch_kind_name(enum dmawin_trace_mismatch_kind kind);

/**
 * dmawin_trace_report_write_text - print @rep for a human to @out.
 * @source: the input's name for the header line (may be NULL).
 *
 * Return: 0; -EINVAL for a NULL @rep or @out; -EIO if writing failed.
 */
DMAWIN_API int dmawin_trace_report_write_text(const struct dmawin_trace_report *rep,
					      const char *source, FILE *out);

/**
 * dmawin_trace_report_to_json - @rep as one JSON object (malloc'ed NUL-terminated text, the
 * caller frees it). 64-bit addresses are strings "0x..." so no precision is lost.
 *
 * Return: 0; -EINVAL for a NULL @rep or @json; -ENOMEM.
 */
DMAWIN_API int dmawin_trace_report_to_json(const struct dmawin_trace_report *rep,
					   const char *source, char **json);

DMAWIN_END_DECLS

#endif
