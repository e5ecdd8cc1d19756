/* SPDX-License-Identifier: GPL-2.0-only */
/* The trace as a timeline (--perfetto, --flame): each thread's runs of one
 * category and its imports' spans, as the kernel sent them, and per process
 * and category what it did not send (runs shorter than the minimum, runs the
 * ring buffer had no room for). Times are CLOCK_MONOTONIC ns. */
#ifndef PF_TRACE_TIMELINE_H
#define PF_TRACE_TIMELINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "trace.h"

struct pf_run {
	uint32_t pid, tid, cat;
	uint64_t start, end;
	uint64_t key; /* file_io: the file's path key, 0 if not known */
};

struct pf_span {
	uint32_t pid, tid, depth;
	uint64_t start, end;
	uint64_t key; /* the module's row */
};

struct pf_run_drop_row {
	uint32_t pid, cat;
	struct pf_run_drops d;
};

struct pf_timeline {
	bool on;         /* runs asked of the kernel */
	uint64_t min_ns; /* runs shorter than this are counted, not sent */
	struct pf_run *runs;
	size_t nruns, cap_runs;
	struct pf_span *spans;
	size_t nspans, cap_spans;
	struct pf_run_drop_row *drops;
	size_t ndrops, cap_drops;
	uint64_t spans_lost;
};

void pf_timeline_free(struct pf_timeline *tl);
void pf_timeline_add_run(struct pf_timeline *tl, const struct pf_run *r);
void pf_timeline_add_span(struct pf_timeline *tl, const struct pf_span *s);
void pf_timeline_add_drops(struct pf_timeline *tl, uint32_t pid, uint32_t cat, const struct pf_run_drops *d);
/* A thread still alive at now: its run in progress (iv_cat since iv_start,
 * 0: none yet) up to last_ts and its open interval [last_ts, now) in cat,
 * sent or counted as the kernel would have at its exit. */
void pf_timeline_close_thread(struct pf_timeline *tl, uint32_t pid, uint32_t tid, uint32_t iv_cat, uint64_t iv_start,
			      uint64_t iv_key, uint64_t last_ts, uint32_t cat, uint64_t now);
/* Runs, then spans, by (tid, start); spans of one start outer first. */
void pf_timeline_sort(struct pf_timeline *tl);
/* Sums over all rows: short_ns, short_runs, lost_ns, lost_runs. */
struct pf_run_drops pf_timeline_drop_sums(const struct pf_timeline *tl);

#endif
