// SPDX-License-Identifier: GPL-2.0-only
/* The human summary of a trace, printed to stderr when the command ends. */
#include <stdbool.h>
#include <string.h>
#include "categories.h"
#include "dir_group.h"
#include "pf_util.h"
#include "trace_model.h"
#include "trace_python.h"

static double sec(uint64_t ns)
{
	return ns / 1e9;
}

/* procs[i] and, indented below it, its children (procs[0] is the root). */
static void print_node(struct pf_trace *tr, FILE *out, size_t i, int depth, int *budget)
{
	struct pf_proc *p = &tr->procs[i];
	char **argv = p->nexecs ? p->execs[p->nexecs - 1].argv : p->inherited_argv;
	char line[96] = "";
	int top = 0, width = 40 - depth * 2;

	for (size_t a = 0; argv && argv[a] && strlen(line) < sizeof(line) - 2; a++) {
		strncat(line, argv[a], sizeof(line) - strlen(line) - 2);
		strcat(line, " ");
	}
	for (int c = 1; c < PF_CAT_MAX; c++)
		if (p->cat_ns[c] > p->cat_ns[top])
			top = c;
	fprintf(out, "  %*s%-7u %-*.*s %8.3f s  %s %.3f s%s\n", depth * 2, "", p->pid, width, width, line,
		sec(p->end_ts - p->start_ts), pf_cat_name(top), sec(p->cat_ns[top]),
		p->exited ? "" : "  (still running)");
	(*budget)--;
	for (size_t j = 1; j < tr->nprocs && *budget > 0 && depth < 12; j++)
		if (j != i && tr->procs[j].ppid == p->pid && tr->procs[j].start_ts >= p->start_ts)
			print_node(tr, out, j, depth + 1, budget);
}

/* A process whose parent is not in the trace: the command, or an attached tree's root. */
static bool is_tree_root(struct pf_trace *tr, size_t i)
{
	struct pf_proc *parent = pf_trace_proc(tr, tr->procs[i].ppid);

	return i == 0 || !parent || parent == &tr->procs[i];
}

static void print_attached(struct pf_trace *tr, FILE *out)
{
	size_t started = 0, procs = 0;

	for (size_t i = 0; i < tr->nprocs; i++) {
		procs += tr->procs[i].attached;
		started += tr->procs[i].attached && tr->procs[i].start_ts > tr->t0;
	}
	for (size_t i = 0; i < tr->nattach_roots; i++) {
		struct pf_proc *p = pf_trace_proc(tr, tr->attach_roots[i].pid);

		fprintf(out, "attached to %s (pid %u, %s)%s\n", p && p->comm ? p->comm : "?",
			tr->attach_roots[i].pid, tr->attach_roots[i].how,
			!strcmp(tr->attach_roots[i].how, "pantsd") ? ": the work pantsd did for the command" : "");
	}
	if (tr->nattach_roots)
		fprintf(out, "  %zu attached processes, %zu of them started while traced; marked \"attached\" in the JSON\n",
			procs, started);
}

/* The largest directory roll-ups, when there are several directories. */
static void print_dirs(struct pf_trace *tr, FILE *out)
{
	static struct pf_dir_sum sums[PF_TRACE_DIRS_MAX];
	size_t n = pf_trace_dirs(tr, sums, PF_TRACE_DIRS_MAX);
	char rd[32];

	if (n < 2)
		return;
	fprintf(out, "top directories by time (syscalls on their files, and fault waits):\n");
	for (size_t i = 0; i < n && i < 5; i++) {
		pf_fmt_bytes_as(rd, sizeof(rd), sums[i].bytes_read, PF_BYTES_TENS);
		fprintf(out, "  %8.3f s %5llu files %7llu ops  read %-10s %s\n", sec(sums[i].ns + sums[i].fault_ns),
			sums[i].files, sums[i].ops, rd, sums[i].dir);
	}
}

void pf_trace_print_summary(struct pf_trace *tr, FILE *out, int top_files)
{
	uint64_t totals[PF_CAT_MAX] = { 0 }, all = 0;
	int budget = 40;

	for (size_t i = 0; i < tr->nprocs; i++)
		for (int c = 0; c < PF_CAT_MAX; c++)
			totals[c] += tr->procs[i].cat_ns[c];
	for (int c = 0; c < PF_CAT_MAX; c++)
		all += totals[c];

	char exit_s[32];

	if (tr->root_reaped)
		snprintf(exit_s, sizeof(exit_s), "exit %d", pf_wait_status_to_exit_code(tr->wait_status));
	else
		snprintf(exit_s, sizeof(exit_s), "%s", tr->command && tr->command[0] ? "not reaped" : "no command");
	fprintf(out, "\nperfanity trace (%s backend): wall %.3f s, %zu processes, %d CPUs, %s, lost events %llu\n",
		tr->backend, sec(tr->t_end - tr->t0), tr->nprocs, tr->cpus, exit_s,
		(unsigned long long)(tr->lost_events + tr->map_full));
	if (tr->unseen) {
		fprintf(out, "  not seen by this backend (their time is in cpu):");
		for (const char *const *w = tr->unseen; *w; w++)
			fprintf(out, " %s", *w);
		fputc('\n', out);
	}
	fprintf(out, "  %-12s %10s %6s   (time of all threads, %.3f s)\n", "category", "seconds", "%", sec(all));
	for (int c = 0; c < PF_CAT_MAX; c++)
		if (totals[c])
			fprintf(out, "  %-12s %10.3f %6.1f\n", pf_cat_name(c), sec(totals[c]),
				all ? 100.0 * totals[c] / all : 0.0);
	print_attached(tr, out);
	fprintf(out, "process tree (pid, command, wall, main category):\n");
	for (size_t i = 0; i < tr->nprocs && budget > 0; i++)
		if (is_tree_root(tr, i))
			print_node(tr, out, i, 0, &budget);
	if (budget <= 0)
		fprintf(out, "  ... (%zu processes in all; see the JSON)\n", tr->nprocs);

	pf_trace_sort_files(tr);
	fprintf(out, "top files by time:\n");
	for (size_t i = 0, shown = 0; i < tr->nfiles && (int)shown < top_files; i++) {
		const struct pf_file_row *f = &tr->files[i];
		const char *path = pf_trace_path(tr, f->hash);
		char rd[32], wr[32];

		if (!f->st.ops && !f->st.fault_ns)
			continue; /* faults that waited for nothing: in the JSON only */
		pf_fmt_bytes_as(rd, sizeof(rd), f->st.bytes_read, PF_BYTES_TENS);
		pf_fmt_bytes_as(wr, sizeof(wr), f->st.bytes_written, PF_BYTES_TENS);
		fprintf(out, "  %8.3f s %7llu ops  read %-10s written %-10s %s\n", sec(f->st.ns),
			(unsigned long long)f->st.ops, rd, wr, path ? path : "?");
		if (f->st.fault_ns)
			fprintf(out, "  %8.3f s %7llu page faults in its mapping waited for the disk (fault_io)\n",
				sec(f->st.fault_ns), (unsigned long long)f->st.faults);
		shown++;
	}
	print_dirs(tr, out);
	pf_trace_python_summary(tr, out, top_files);
	if (tr->lost_events + tr->map_full)
		fprintf(out, "warning: %llu events lost (ring buffer full) and %llu aggregation entries not stored"
			     " (map full): the numbers above are incomplete\n",
			(unsigned long long)tr->lost_events, (unsigned long long)tr->map_full);
	if (tr->max_files && tr->nfiles >= tr->max_files)
		fprintf(out, "warning: the kernel's file map is full (%u rows): files past it were not counted;"
			     " run again with --max-files %u\n", tr->max_files, tr->max_files * 4);
	if (pf_trace_identity_violations(tr))
		fprintf(out, "warning: %zu processes whose categories do not add up to their threads' lifetimes\n",
			pf_trace_identity_violations(tr));
}
