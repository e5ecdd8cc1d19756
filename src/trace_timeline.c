// SPDX-License-Identifier: GPL-2.0-only
/* The trace as a timeline: runs, import spans, what was not sent (trace_timeline.h). */
#include <stdlib.h>
#include <string.h>
#include "perfanity.h"
#include "pf_util.h"
#include "trace_timeline.h"

static void room(void *arrayp, size_t *cap, size_t n, size_t size)
{
	if (pf_grow(arrayp, cap, n, size, 1024)) {
		pf_err("out of memory for the timeline");
		exit(PF_EXIT_FAIL);
	}
}

void pf_timeline_free(struct pf_timeline *tl)
{
	free(tl->runs);
	free(tl->spans);
	free(tl->drops);
	memset(tl, 0, sizeof(*tl));
}

void pf_timeline_add_run(struct pf_timeline *tl, const struct pf_run *r)
{
	room(&tl->runs, &tl->cap_runs, tl->nruns, sizeof(*tl->runs));
	tl->runs[tl->nruns++] = *r;
}

void pf_timeline_add_span(struct pf_timeline *tl, const struct pf_span *s)
{
	room(&tl->spans, &tl->cap_spans, tl->nspans, sizeof(*tl->spans));
	tl->spans[tl->nspans++] = *s;
}

void pf_timeline_add_drops(struct pf_timeline *tl, uint32_t pid, uint32_t cat, const struct pf_run_drops *d)
{
	for (size_t i = 0; i < tl->ndrops; i++) {
		struct pf_run_drops *o = &tl->drops[i].d;

		if (tl->drops[i].pid != pid || tl->drops[i].cat != cat)
			continue;
		o->short_ns += d->short_ns;
		o->short_runs += d->short_runs;
		o->lost_ns += d->lost_ns;
		o->lost_runs += d->lost_runs;
		return;
	}
	room(&tl->drops, &tl->cap_drops, tl->ndrops, sizeof(*tl->drops));
	tl->drops[tl->ndrops++] = (struct pf_run_drop_row){ .pid = pid, .cat = cat, .d = *d };
}

/* What the kernel's send_run() does, in user space. */
static void end_run(struct pf_timeline *tl, uint32_t pid, uint32_t tid, uint32_t cat, uint64_t start, uint64_t end,
		    uint64_t key)
{
	if (end <= start)
		return;
	if (end - start < tl->min_ns) {
		struct pf_run_drops d = { .short_ns = end - start, .short_runs = 1 };

		pf_timeline_add_drops(tl, pid, cat, &d);
		return;
	}
	pf_timeline_add_run(tl, &(struct pf_run){ pid, tid, cat, start, end, key });
}

void pf_timeline_close_thread(struct pf_timeline *tl, uint32_t pid, uint32_t tid, uint32_t iv_cat, uint64_t iv_start,
			      uint64_t iv_key, uint64_t last_ts, uint32_t cat, uint64_t now)
{
	if (!tl->on || cat >= PF_CAT_MAX)
		return;
	if (now < last_ts) /* the interval began a hair after now was read */
		now = last_ts;
	if (!iv_start) {
		end_run(tl, pid, tid, cat, last_ts, now, 0);
		return;
	}
	if (iv_cat == cat && !iv_key) {
		end_run(tl, pid, tid, iv_cat, iv_start, now, iv_key);
		return;
	}
	end_run(tl, pid, tid, iv_cat, iv_start, last_ts, iv_key);
	end_run(tl, pid, tid, cat, last_ts, now, 0);
}

static int by_tid_start(const void *a, const void *b)
{
	const struct pf_run *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int span_order(const void *a, const void *b)
{
	const struct pf_span *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->depth < y->depth ? -1 : x->depth > y->depth;
}

void pf_timeline_sort(struct pf_timeline *tl)
{
	if (tl->nruns)
		qsort(tl->runs, tl->nruns, sizeof(*tl->runs), by_tid_start);
	if (tl->nspans)
		qsort(tl->spans, tl->nspans, sizeof(*tl->spans), span_order);
}

struct pf_run_drops pf_timeline_drop_sums(const struct pf_timeline *tl)
{
	struct pf_run_drops s = { 0 };

	for (size_t i = 0; i < tl->ndrops; i++) {
		s.short_ns += tl->drops[i].d.short_ns;
		s.short_runs += tl->drops[i].d.short_runs;
		s.lost_ns += tl->drops[i].d.lost_ns;
		s.lost_runs += tl->drops[i].d.lost_runs;
	}
	return s;
}
