// SPDX-License-Identifier: GPL-2.0-only
/* The trace as Chrome trace-event JSON (trace_perfetto.h). Written as a
 * stream: a million runs need no JSON tree in memory. Times are µs with
 * three decimals, so each is the trace's nanoseconds exactly. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "categories.h"
#include "perfanity.h"
#include "py_module_name.h"
#include "trace_perfetto.h"
#include "trace_python.h"

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* ns since the trace's start as µs; before it (attached threads), negative. */
static void put_us(FILE *f, const char *key, const struct pf_trace *tr, uint64_t ts, bool relative)
{
	uint64_t v = relative ? (ts >= tr->t0 ? ts - tr->t0 : tr->t0 - ts) : ts;

	fprintf(f, ",\"%s\":%s%" PRIu64 ".%03u", key, relative && ts < tr->t0 ? "-" : "", v / 1000,
		(unsigned)(v % 1000));
}

/* The stream being written whose first event is out (reset per write). */
static const FILE *started;

/* Starts an event: the separator before all but the first. */
static void next_event(FILE *f)
{
	if (started == f)
		fputs(",\n", f);
	started = f;
}

/* A complete slice ("X"), args left open for the caller: ends with "}}". */
static void begin_slice(FILE *f, const struct pf_trace *tr, uint32_t pid, uint32_t tid, const char *cat,
			const char *name, uint64_t start, uint64_t end)
{
	next_event(f);
	fprintf(f, "{\"ph\":\"X\",\"pid\":%u,\"tid\":%u,\"cat\":\"%s\",\"name\":", pid, tid, cat);
	put_str(f, name);
	put_us(f, "ts", tr, start, true);
	put_us(f, "dur", tr, end > start ? end - start : 0, false);
	fputs(",\"args\":{", f);
}

static void name_track(FILE *f, const char *what, uint32_t pid, uint32_t tid, const char *name)
{
	next_event(f);
	fprintf(f, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":", what, pid, tid);
	put_str(f, name);
	fputs("}}", f);
}

static const char *base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path ? path : "?";
}

/* The threads' category runs, each thread's track named once. */
static void write_runs(FILE *f, const struct pf_trace *tr)
{
	const struct pf_timeline *tl = &tr->tl;

	for (size_t i = 0; i < tl->nruns; i++) {
		const struct pf_run *r = &tl->runs[i];
		const char *path = r->key ? pf_trace_path(tr, r->key) : NULL;

		if (!i || tl->runs[i - 1].tid != r->tid) {
			char name[64];

			snprintf(name, sizeof(name), r->tid == r->pid ? "main thread %u" : "thread %u", r->tid);
			name_track(f, "thread_name", r->pid, r->tid, name);
		}
		begin_slice(f, tr, r->pid, r->tid, "category", pf_cat_name(r->cat), r->start, r->end);
		if (path) {
			fputs("\"file\":", f);
			put_str(f, path);
		}
		fputs("}}", f);
	}
}

/* Each thread's imports, nested, on a track of their own beside it. */
static void write_spans(FILE *f, const struct pf_trace *tr)
{
	const struct pf_timeline *tl = &tr->tl;

	for (size_t i = 0; i < tl->nspans; i++) {
		const struct pf_span *s = &tl->spans[i];
		const char *key = pf_trace_module(tr, s->key);
		uint32_t track = PF_PERFETTO_IMPORTS_TID | s->tid;
		char name[256];

		if (!i || tl->spans[i - 1].tid != s->tid) {
			snprintf(name, sizeof(name), "imports of thread %u", s->tid);
			name_track(f, "thread_name", s->pid, track, name);
		}
		pf_py_module_name(key ? key : "?", name, sizeof(name));
		begin_slice(f, tr, s->pid, track, "import", name, s->start, s->end);
		fputs("\"file\":", f);
		put_str(f, key);
		fprintf(f, ",\"depth\":%u}}", s->depth);
	}
}

/* A process: its name, its lifetime, and inside it each exec'd image with
 * what pex did in it. images[first..] are its images (pf_trace_images). */
static size_t write_process(FILE *f, const struct pf_trace *tr, const struct pf_proc *p, const struct pf_pex_proc *im,
			    size_t nim, size_t first)
{
	uint32_t track = PF_PERFETTO_PROCESS_TID | p->pid;
	uint64_t end = p->end_ts ? p->end_ts : tr->t_end;
	char name[512];
	size_t i;

	snprintf(name, sizeof(name), "%s (%u)", base_name(p->comm), p->pid);
	name_track(f, "process_name", p->pid, 0, name);
	name_track(f, "thread_name", p->pid, track, "lifetime and images");
	begin_slice(f, tr, p->pid, track, "process", name, p->start_ts, end);
	fprintf(f, "\"ppid\":%u,\"exit_code\":", p->ppid);
	if (p->exited)
		fprintf(f, "%d}}", pf_wait_status_to_exit_code(p->wait_status));
	else
		fputs("null}}", f);
	for (i = first; i < nim && im[i].pid == (int)p->pid; i++) {
		char role[PF_PEX_NAME_MAX];
		uint64_t s = im[i].start_ns + tr->t0, e = im[i].end_ns + tr->t0;

		pf_pex_image_role(im, nim, i, role, sizeof(role));
		snprintf(name, sizeof(name), "%s%s%s", base_name(im[i].exe), role[0] ? ": " : "", role);
		/* inside the lifetime, or Perfetto would not nest it */
		begin_slice(f, tr, p->pid, track, "image", name, s < p->start_ts ? p->start_ts : s, e > end ? end : e);
		fputs("\"exe\":", f);
		put_str(f, im[i].exe);
		fputs("}}", f);
	}
	return i;
}

static void write_processes(FILE *f, const struct pf_trace *tr)
{
	size_t nim = 0, next = 0;
	struct pf_pex_proc *im = pf_trace_images(tr, &nim);

	for (size_t i = 0; i < tr->nprocs; i++)
		next = write_process(f, tr, &tr->procs[i], im, im ? nim : 0, next);
	free(im);
}

/* What was not sent as slices, so that slices + drops = the categories. */
static void write_other_data(FILE *f, const struct pf_trace *tr)
{
	const struct pf_timeline *tl = &tr->tl;
	struct pf_run_drops sum = pf_timeline_drop_sums(tl);

	fprintf(f,
		"],\n\"otherData\":{\"tool\":\"perfanity " PERFANITY_VERSION "\",\"run_min_ns\":%" PRIu64
		",\"slices\":%zu,\"import_spans\":%zu,\"import_spans_lost\":%" PRIu64 ",\"short_runs\":%" PRIu64
		",\"short_ns\":%" PRIu64 ",\"lost_runs\":%" PRIu64 ",\"lost_ns\":%" PRIu64
		",\"note\":\"a thread's consecutive intervals of one category are one slice; runs shorter than "
		"run_min_ns are not slices, their time is in drops (short_ns) with that of runs the ring buffer "
		"had no room for (lost_ns): per process and category, slices + drops = the trace's categories\""
		",\"drops\":[",
		tl->min_ns, tl->nruns, tl->nspans, tl->spans_lost, (uint64_t)sum.short_runs, (uint64_t)sum.short_ns,
		(uint64_t)sum.lost_runs, (uint64_t)sum.lost_ns);
	for (size_t i = 0; i < tl->ndrops; i++) {
		const struct pf_run_drop_row *d = &tl->drops[i];

		fprintf(f,
			"%s\n{\"pid\":%u,\"category\":\"%s\",\"short_runs\":%" PRIu64 ",\"short_ns\":%" PRIu64
			",\"lost_runs\":%" PRIu64 ",\"lost_ns\":%" PRIu64 "}",
			i ? "," : "", d->pid, pf_cat_name(d->cat), (uint64_t)d->d.short_runs, (uint64_t)d->d.short_ns,
			(uint64_t)d->d.lost_runs, (uint64_t)d->d.lost_ns);
	}
	fputs("]}}\n", f);
}

int pf_trace_write_perfetto(struct pf_trace *tr, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		pf_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	started = NULL;
	pf_timeline_sort(&tr->tl);
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", f);
	write_processes(f, tr);
	write_runs(f, tr);
	write_spans(f, tr);
	write_other_data(f, tr);
	if (ferror(f) | fclose(f)) {
		pf_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
