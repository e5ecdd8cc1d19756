// SPDX-License-Identifier: GPL-2.0-only
/* perfanity report, one trace: where the time went (all threads, and along
 * the root's path), the process tree with re-exec chains, top files,
 * archives, venvs, imports and pex phases. */
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "report_pants.h"
#include "report_install.h"
#include "dir_group.h"

#define TREE_MAX_ROWS 60
#define TOP_FILES 10
#define TOP_IMPORTS 15

/* argv joined and cut to max display characters (cut marked with "..."). */
static void join_args(const char **argv, int argc, char *buf, size_t len, size_t max)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < argc && o + 1 < len; i++) {
		int k = snprintf(buf + o, len - o, "%s%s", i ? " " : "", argv[i]);
		if (k < 0)
			break;
		o += (size_t)k;
	}
	for (char *c = buf; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
	if (strlen(buf) > max && max > 3 && max < len)
		strcpy(buf + max - 3, "...");
}

static void header(FILE *f, const struct pf_rtrace *t, int md)
{
	char title[256], cmd[512], esc[1024], w[32];
	long long threads = 0;
	for (int i = 0; i < t->nprocs; i++)
		threads += t->procs[i].threads;
	snprintf(title, sizeof(title), "perfanity report: %s", t->label);
	pf_heading(f, md, 1, title);
	join_args(t->command, t->ncommand, cmd, sizeof(cmd), 200);
	const char *bq = md ? "`" : "";
	fprintf(f, "%scommand: %s%s%s\n", md ? "- " : "", bq, cmd, bq);
	if (t->path[0])
		fprintf(f, "%strace: %s\n", md ? "- " : "", pf_md_escape(esc, sizeof(esc), t->path, md));
	char ex[32];
	if (t->exit_code >= 0)
		snprintf(ex, sizeof(ex), "%lld", t->exit_code);
	else
		snprintf(ex, sizeof(ex), "unknown (still running)");
	fprintf(f, "%swall %s, exit code %s, %d processes, %lld threads, backend %s",
		md ? "- " : "", pf_fmt_s(w, sizeof(w), (double)t->wall_ns, 0), ex,
		t->nprocs, threads, t->backend);
	if (t->cpus > 0)
		fprintf(f, ", %d CPUs", t->cpus);
	if (t->lost_events)
		fprintf(f, ", %llu LOST EVENTS (numbers are lower bounds)", (unsigned long long)t->lost_events);
	fputc('\n', f);
	if (t->nunseen) {
		/* said, not guessed: those times are in cpu */
		fprintf(f, "%snot seen by the %s backend (their time is in cpu):", md ? "- " : "", t->backend);
		for (int i = 0; i < t->nunseen; i++)
			fprintf(f, " %s", t->unseen[i]);
		fputc('\n', f);
	}
	if (t->npartial) {
		fprintf(f, "%spartial trace:", md ? "- " : "");
		for (int i = 0; i < t->npartial; i++)
			fprintf(f, "%s %s", i ? ";" : "", t->partial[i]);
		fputc('\n', f);
	}
}

static void categories(FILE *f, const struct pf_rtrace *t, const struct pf_rcats *cats, int md)
{
	char a[32], b[32], c[32], d[32];
	pf_heading(f, md, 2, "Where the time went");
	fprintf(f, "%s\"all threads\" sums every thread's time (exceeds wall time when work runs in parallel);\n"
		"\"on the root's path\" is the wall time: the root's own time, with its waits for children\n"
		"replaced by what those children did. It adds up to the wall time.%s\n\n",
		md ? "" : "", md ? "" : "");
	struct pf_table *tb = pf_table_new(5, "lrrrr", "category", "all threads", "% of wall",
					   "on the root's path", "% of wall");
	uint64_t tt = 0;
	for (int i = 0; i < cats->n; i++) {
		tt += t->totals[i];
		if (!t->totals[i] && !t->path_ns[i])
			continue;
		pf_table_add(tb, cats->name[i], pf_fmt_s(a, sizeof(a), (double)t->totals[i], 0),
			     pf_fmt_pct(b, sizeof(b), (double)t->totals[i], (double)t->wall_ns),
			     pf_fmt_s(c, sizeof(c), (double)t->path_ns[i], 0),
			     pf_fmt_pct(d, sizeof(d), (double)t->path_ns[i], (double)t->wall_ns));
	}
	pf_table_add(tb, "unattributed", "", "", pf_fmt_s(c, sizeof(c), (double)t->unattributed_ns, 0),
		     pf_fmt_pct(d, sizeof(d), (double)t->unattributed_ns, (double)t->wall_ns));
	pf_table_add(tb, "total", pf_fmt_s(a, sizeof(a), (double)tt, 0),
		     pf_fmt_pct(b, sizeof(b), (double)tt, (double)t->wall_ns),
		     pf_fmt_s(c, sizeof(c), (double)t->wall_ns, 0), "100.0%");
	pf_table_print(f, tb, md, "  ");
	pf_table_free(tb);
}

/* The three largest own categories of a process. */
static void top_cats(const struct pf_rproc *p, const struct pf_rcats *cats, char *buf, size_t len)
{
	int used[PF_RCAT_MAX] = { 0 };
	size_t o = 0;
	buf[0] = 0;
	for (int k = 0; k < 3; k++) {
		int best = -1;
		for (int c = 0; c < cats->n; c++)
			if (!used[c] && p->cat[c] && (best < 0 || p->cat[c] > p->cat[best]))
				best = c;
		if (best < 0 || o + 1 >= len)
			break;
		used[best] = 1;
		char s[32];
		o += snprintf(buf + o, len - o, "%s%s %s", k ? ", " : "", cats->name[best],
			      pf_fmt_s(s, sizeof(s), (double)p->cat[best], 0));
	}
}

struct tree_ctx {
	FILE *f;
	const struct pf_rtrace *t;
	const struct pf_rcats *cats;
	struct pf_table *tb;
	int rows, hidden;
	uint64_t hidden_ns;
	int *order; /* processes sorted by start */
};

static int cmp_start_ctx(const void *a, const void *b, void *arg)
{
	const struct pf_rtrace *t = arg;
	const struct pf_rproc *x = &t->procs[*(const int *)a], *y = &t->procs[*(const int *)b];
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return x->pid - y->pid;
}

static void tree_node(struct tree_ctx *x, int i, int depth)
{
	const struct pf_rtrace *t = x->t;
	const struct pf_rproc *p = &t->procs[i];
	uint64_t life = 0;
	double on_path = 0;
	/* a re-exec chain written as separate entries is one node */
	for (int j = i; j >= 0; j = t->procs[j].next_same_pid)
		life += t->procs[j].end_ns - t->procs[j].start_ns;
	for (int c = 0; c < x->cats->n; c++)
		on_path += p->path_cat[c];
	/* Short-lived leaves off the path would drown the tree (pex runs ldd,
	 * uname, ... per interpreter): list the big ones, count the rest. */
	int show = depth == 0 || life * 100 >= t->wall_ns || on_path * 100 >= (double)t->wall_ns;
	if (x->rows >= TREE_MAX_ROWS)
		show = 0;
	if (show) {
		char name[256], args[200], l[32], op[32], tc[160], ex[24], pid[16];
		join_args(p->argv, p->argc, args, sizeof(args), 70);
		snprintf(name, sizeof(name), "%*s%s", depth * 2, "", args[0] ? args : p->comm);
		top_cats(p, x->cats, tc, sizeof(tc));
		snprintf(pid, sizeof(pid), "%d", p->pid);
		if (p->exit_code >= 0)
			snprintf(ex, sizeof(ex), "%lld", p->exit_code);
		else
			snprintf(ex, sizeof(ex), "running");
		pf_table_add(x->tb, pid, name, pf_fmt_s(l, sizeof(l), (double)life, 0),
			     pf_fmt_s(op, sizeof(op), on_path, 0), tc, ex);
		x->rows++;
	} else {
		x->hidden++;
		x->hidden_ns += life;
	}
	for (int k = 0; k < t->nprocs; k++) {
		int c = x->order[k];
		if (t->procs[c].parent == i && t->procs[c].chain_head == c)
			tree_node(x, c, depth + 1);
	}
}

static void tree(FILE *f, const struct pf_rtrace *t, const struct pf_rcats *cats, int md)
{
	pf_heading(f, md, 2, "Processes");
	fprintf(f, "Children under their parent; \"lifetime\" is wall time from start to exit, \"on path\" what\n"
		   "the process contributes to the wall time (see above).\n\n");
	struct tree_ctx x = { f, t, cats, NULL, 0, 0, 0, calloc(t->nprocs + 1, sizeof(int)) };
	if (!x.order)
		return;
	for (int i = 0; i < t->nprocs; i++)
		x.order[i] = i;
	qsort_r(x.order, t->nprocs, sizeof(int), cmp_start_ctx, (void *)t);
	x.tb = pf_table_new(6, "llrrll", "pid", "process", "lifetime", "on path", "top categories (own)", "exit");
	for (int k = 0; k < t->nprocs; k++) {
		int i = x.order[k];
		if (t->procs[i].parent < 0 && t->procs[i].chain_head == i)
			tree_node(&x, i, 0);
	}
	pf_table_print(f, x.tb, md, "  ");
	pf_table_free(x.tb);
	if (x.hidden) {
		char s[32];
		fprintf(f, "%s(%d more processes under 1%% of the wall time each, %s in all)\n", md ? "\n" : "  ",
			x.hidden, pf_fmt_s(s, sizeof(s), (double)x.hidden_ns, 0));
	}

	/* Re-exec chains: an "execs" list with several images, or entries of one pid. */
	int any = 0;
	for (int k = 0; k < t->nprocs; k++) {
		int i = x.order[k];
		const struct pf_rproc *p = &t->procs[i];
		int chained = p->next_same_pid >= 0 && p->chain_head == i;
		if (p->nimages < 2 && !chained)
			continue;
		if (!any++)
			fprintf(f, "%sRe-exec chains (the same pid exec'ing again):\n", md ? "\n" : "\n  ");
		fprintf(f, "%spid %d: ", md ? "- " : "    ", p->pid);
		int step = 0;
		for (int j = i; j >= 0; j = chained ? t->procs[j].next_same_pid : -1) {
			const struct pf_rproc *q = &t->procs[j];
			for (int m = 0; m < q->nimages; m++) {
				const struct pf_rimage *im = &q->images[m];
				char a[200], s[32], e[400];
				join_args(im->argv ? im->argv : q->argv, im->argc, a, sizeof(a), 90);
				fprintf(f, "%s%s%s%s (%s)", step++ ? " -> " : "", md ? "`" : "",
					md ? a : pf_md_escape(e, sizeof(e), a, 0), md ? "`" : "",
					pf_fmt_s(s, sizeof(s), (double)(im->end_ns - im->start_ns), 0));
			}
		}
		fputc('\n', f);
	}
	free(x.order);
}

static void files(FILE *f, const struct pf_rtrace *t, int md)
{
	if (!t->nfiles)
		return;
	int faults = 0; /* fault columns only for a trace that recorded faults */
	for (int i = 0; i < t->nfiles; i++)
		faults |= t->files[i].faults > 0;
	pf_heading(f, md, 2, faults ? "Top files (by time in file syscalls and page faults)"
				    : "Top files (by time in file syscalls)");
	struct pf_table *tb = faults ? pf_table_new(7, "rrrrrrl", "time", "ops", "read", "written", "faults",
						    "fault wait", "path")
				     : pf_table_new(5, "rrrrl", "time", "ops", "read", "written", "path");
	for (int i = 0, shown = 0; i < t->nfiles && shown < TOP_FILES; i++) {
		const struct pf_rfile *r = &t->files[i];
		char a[32], b[32], c[32], d[32], e[32], g[32];
		if (!r->ops && !r->fault_ns)
			continue; /* only faults that waited for nothing */
		shown++;
		pf_fmt_s(a, sizeof(a), (double)r->ns, 0);
		pf_fmt_count(b, sizeof(b), r->ops);
		pf_fmt_bytes(c, sizeof(c), r->bytes_read);
		pf_fmt_bytes(d, sizeof(d), r->bytes_written);
		if (faults)
			pf_table_add(tb, a, b, c, d, pf_fmt_count(e, sizeof(e), r->faults),
				     pf_fmt_s(g, sizeof(g), (double)r->fault_ns, 0), r->path);
		else
			pf_table_add(tb, a, b, c, d, r->path);
	}
	pf_table_print(f, tb, md, "  ");
	pf_table_free(tb);
	if (t->nfiles > TOP_FILES)
		fprintf(f, "%s(%d files in all)\n", md ? "\n" : "  ", t->nfiles);
}

/* Files rolled up by directory: the summary's view, for a whole area of
 * small files (a PEX_ROOT cache, site-packages) that no single row shows. */
static void dirs(FILE *f, const struct pf_rtrace *t, int md)
{
	static struct pf_dir_sum sums[PF_TRACE_DIRS_MAX];
	size_t n = 0;

	for (int i = 0; i < t->nfiles; i++)
		pf_dir_add(sums, &n, PF_TRACE_DIRS_MAX, t->files[i].path, t->files[i].ops, t->files[i].ns,
			   t->files[i].fault_ns, t->files[i].bytes_read, t->files[i].bytes_written);
	if (n < 2)
		return;
	pf_dir_sort(sums, n);
	pf_heading(f, md, 2, "Top directories (their files' syscalls and fault waits)");
	struct pf_table *tb = pf_table_new(5, "rrrrl", "time", "files", "ops", "read", "directory");
	for (size_t i = 0; i < n && i < TOP_FILES; i++) {
		char a[32], b[32], c[32], d[32];
		pf_table_add(tb, pf_fmt_s(a, sizeof(a), (double)(sums[i].ns + sums[i].fault_ns), 0),
			     pf_fmt_count(b, sizeof(b), sums[i].files), pf_fmt_count(c, sizeof(c), sums[i].ops),
			     pf_fmt_bytes(d, sizeof(d), sums[i].bytes_read), sums[i].dir);
	}
	pf_table_print(f, tb, md, "  ");
	pf_table_free(tb);
}

static void archives(FILE *f, const struct pf_rtrace *t, int md)
{
	if (!t->narchives)
		return;
	pf_heading(f, md, 2, "Archives (zip extraction)");
	struct pf_table *tb = pf_table_new(4, "rrrl", "time", "members", "inflated", "archive");
	for (int i = 0; i < t->narchives && i < TOP_FILES; i++) {
		const struct pf_rarchive *r = &t->archives[i];
		char a[32], b[32], c[32];
		pf_table_add(tb, pf_fmt_s(a, sizeof(a), (double)r->ns, 0), pf_fmt_count(b, sizeof(b), r->members),
			     pf_fmt_bytes(c, sizeof(c), r->bytes_inflated), r->path);
	}
	pf_table_print(f, tb, md, "  ");
	pf_table_free(tb);
}

static void venvs(FILE *f, const struct pf_rtrace *t, int md)
{
	if (!t->nvenvs)
		return;
	pf_heading(f, md, 2, "Virtualenvs created");
	struct pf_table *tb = pf_table_new(3, "rrl", "time", "files created", "venv");
	for (int i = 0; i < t->nvenvs; i++) {
		char a[32], b[32];
		pf_table_add(tb, pf_fmt_s(a, sizeof(a), (double)t->venvs[i].ns, 0),
			     pf_fmt_count(b, sizeof(b), t->venvs[i].files_created), t->venvs[i].path);
	}
	pf_table_print(f, tb, md, "  ");
	pf_table_free(tb);
}

static void imports(FILE *f, const struct pf_rtrace *t, int md)
{
	char note[700] = "";
	if (t->imports_note[0])
		snprintf(note, sizeof(note), "not timed in %s (neither PyEval_EvalCode uprobes nor CPython USDT probes)",
			 t->imports_note);
	if (!t->has_imports || (!t->nimports && !note[0])) { /* not Python, or not traced */
		if (note[0])
			fprintf(f, "\nImports: %s\n", note);
		return;
	}
	char title[64];
	snprintf(title, sizeof(title), "Top imports (%d modules)", t->nimports);
	pf_heading(f, md, 2, title);
	if (note[0])
		fprintf(f, "%s%s\n\n", md ? "" : "  ", note);
	if (t->modules_compiled) {
		char c[32];
		fprintf(f, "%s%s modules compiled from source%s%s\n\n", md ? "" : "  ",
			pf_fmt_count(c, sizeof(c), t->modules_compiled), t->compile_reason[0] ? ": " : "",
			t->compile_reason);
	}
	if (!t->nimports) {
		fprintf(f, "%snone recorded\n", md ? "" : "  ");
		return;
	}
	/* "with nested" includes the imports a module's import triggered */
	struct pf_table *tb = pf_table_new(4, "rrrl", "with nested", "self", "count", "module");
	for (int i = 0; i < t->nimports && i < TOP_IMPORTS; i++) {
		char a[32], b[32], c[32];
		const struct pf_rimport *r = &t->imports[i];
		pf_table_add(tb, pf_fmt_s(a, sizeof(a), (double)r->ns, 0),
			     r->self_ns ? pf_fmt_s(b, sizeof(b), (double)r->self_ns, 0) : "-",
			     pf_fmt_count(c, sizeof(c), r->count), r->module);
	}
	pf_table_print(f, tb, md, "  ");
	pf_table_free(tb);
}

static void phases(FILE *f, const struct pf_rtrace *t, int md)
{
	if (!t->nphases)
		return;
	pf_heading(f, md, 2, t->phases_computed ? "pex phases (recognised from PEX_ROOT paths and re-execs)"
						: "pex phases");
	for (int i = 0; i < t->nphases; i++) {
		const struct pf_rphase *p = &t->phases[i];
		char s[32], n[512], d[1200];
		fprintf(f, "%s%s: %s (pid %d)\n%s%s\n", md ? "- " : "  ",
			pf_md_escape(n, sizeof(n), p->name, md), pf_fmt_s(s, sizeof(s), (double)p->ns, 0), p->pid,
			md ? "  " : "      ", pf_md_escape(d, sizeof(d), p->detail, md));
	}
}

void pf_report_single(FILE *f, const struct pf_rtrace *t, const struct pf_rcats *cats, int md)
{
	header(f, t, md);
	categories(f, t, cats, md);
	pf_report_sched(f, t, cats, md);
	pf_report_samples(f, t, md);
	tree(f, t, cats, md);
	pf_report_pants(f, t, md);
	pf_report_install(f, t, cats, md);
	pf_report_phase_tree(f, t, md);
	phases(f, t, md);
	files(f, t, md);
	dirs(f, t, md);
	archives(f, t, md);
	venvs(f, t, md);
	imports(f, t, md);
}
