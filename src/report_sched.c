// SPDX-License-Identifier: GPL-2.0-only
/* perfanity report: the scheduler's categories said as causes. runqueue
 * (runnable, waiting for a CPU) and fault_io (a page fault waiting for the
 * disk) are time a thread wanted to work and could not: the remedies are
 * fewer parallel jobs or more CPUs, and a warm page cache or smaller
 * mappings, not faster code. One wording for the single report, the
 * comparison and bench --explain. */
#include <string.h>
#include "report.h"

static int cat_index(const struct pf_rcats *cats, const char *name)
{
	for (int c = 0; c < cats->n; c++)
		if (!strcmp(cats->name[c], name))
			return c;
	return -1;
}

/* The file whose faults waited longest, or NULL. */
static const struct pf_rfile *top_fault_file(const struct pf_rtrace *t)
{
	const struct pf_rfile *best = NULL;

	for (int i = 0; i < t->nfiles; i++)
		if (t->files[i].fault_ns && (!best || t->files[i].fault_ns > best->fault_ns))
			best = &t->files[i];
	return best;
}

const char *pf_report_sched_cause(const struct pf_rtrace *t, const char *cat, double ns, char *buf,
				  size_t len)
{
	char s[32], n[32];

	buf[0] = 0;
	if (!strcmp(cat, "runqueue")) {
		char on[32] = "this machine";

		if (t->cpus > 0)
			snprintf(on, sizeof(on), "%d CPU%s", t->cpus, t->cpus == 1 ? "" : "s");
		snprintf(buf, len, "CPU-starved: %s waiting for a CPU on %s", pf_fmt_s(s, sizeof(s), ns, 0), on);
	} else if (!strcmp(cat, "fault_io")) {
		const struct pf_rfile *f = top_fault_file(t);

		snprintf(buf, len, "page faults: %s waiting for the disk%s%s%s%s%s", pf_fmt_s(s, sizeof(s), ns, 0),
			 f ? ", mostly in " : "", f ? f->path : "", f ? " (" : "",
			 f ? pf_fmt_count(n, sizeof(n), f->faults) : "", f ? " faults)" : "");
	}
	return buf;
}

const char *pf_report_sched_note(const struct pf_rtrace *t, const char *cat, char *buf, size_t len)
{
	buf[0] = 0;
	if (!strcmp(cat, "runqueue") && t->cpus > 0)
		snprintf(buf, len, " (CPU-starved on %d CPU%s)", t->cpus, t->cpus == 1 ? "" : "s");
	else if (!strcmp(cat, "runqueue"))
		snprintf(buf, len, " (CPU-starved)");
	else if (!strcmp(cat, "fault_io"))
		snprintf(buf, len, " (page faults waiting for the disk)");
	return buf;
}

/* "Waiting, not working": the scheduler's categories of one trace, all
 * threads and on the root's path, with the files faults waited for. */
void pf_report_sched(FILE *f, const struct pf_rtrace *t, const struct pf_rcats *cats, int md)
{
	int rq = cat_index(cats, "runqueue"), fio = cat_index(cats, "fault_io");
	uint64_t rq_ns = rq >= 0 ? t->totals[rq] : 0, fio_ns = fio >= 0 ? t->totals[fio] : 0;
	char line[1024], a[32], b[32], c[32];
	int shown = 0;

	/* under 1% of the wall time: nothing worth saying */
	if (rq_ns * 100 < t->wall_ns)
		rq_ns = 0;
	if (fio_ns * 100 < t->wall_ns)
		fio_ns = 0;
	if (!rq_ns && !fio_ns)
		return;
	pf_heading(f, md, 2, "Waiting, not working");
	if (rq_ns) {
		fprintf(f, "%s%s (all threads); %s of it on the root's path\n", md ? "- " : "  ",
			pf_report_sched_cause(t, "runqueue", (double)rq_ns, line, sizeof(line)),
			pf_fmt_s(a, sizeof(a), (double)t->path_ns[rq], 0));
	}
	if (!fio_ns)
		return;
	fprintf(f, "%s%s; %s of it on the root's path\n", md ? "- " : "  ",
		pf_report_sched_cause(t, "fault_io", (double)fio_ns, line, sizeof(line)),
		pf_fmt_s(a, sizeof(a), (double)t->path_ns[fio], 0));
	for (int i = 0; i < t->nfiles && shown < 5; i++) {
		const struct pf_rfile *r = &t->files[i];

		if (!r->fault_ns)
			continue;
		fprintf(f, "%s%s waiting, %s faults in %s\n", md ? "  - " : "    ",
			pf_fmt_s(b, sizeof(b), (double)r->fault_ns, 0), pf_fmt_count(c, sizeof(c), r->faults), r->path);
		shown++;
	}
}
