// SPDX-License-Identifier: GPL-2.0-only
/* perfanity report --html FILE: one self-contained page (no network): per
 * trace the breakdown and the process tree, the flame graph (inline SVG,
 * src/flame_svg.c) and, comparing, each trace's causes against the first as
 * bars. Its script marks the page (data-report-ready) once it has run. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "flame_svg.h"
#include "perfanity.h"
#include "report.h"

static void put_html(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char style[] = "body { font: 14px sans-serif; margin: 2em; color: #222; }\n"
			    "table { border-collapse: collapse; margin: 0.5em 0 1.5em; }\n"
			    "td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; text-align: right; }\n"
			    "td:first-child, th:first-child { text-align: left; }\n"
			    "ul.tree { font: 13px monospace; } ul.tree ul { margin: 0; padding-left: 1.5em; }\n"
			    ".cause { display: flex; align-items: center; margin: 2px 0; font: 13px monospace; }\n"
			    ".cause .name { width: 14em; } .cause .bar { height: 14px; margin-right: 8px; }\n"
			    ".up { background: #d9534f; } .down { background: #5cb85c; }\n"
			    ".why { color: #666; font: 12px sans-serif; margin-left: 14em; }\n";

/* Categories: all threads, and along the root's path as a share of wall. */
static void breakdown(FILE *f, const struct pf_rtrace *t, const struct pf_rcats *cats)
{
	uint64_t all = 0;
	char a[32], p[32], pa[32], pw[32];

	for (int c = 0; c < cats->n; c++)
		all += t->totals[c];
	fputs("<table class=\"breakdown\"><tr><th>category</th><th>all threads</th><th>share</th>"
	      "<th>root's path</th><th>of wall</th></tr>\n",
	      f);
	for (int c = 0; c < cats->n; c++) {
		if (!t->totals[c] && !t->path_ns[c])
			continue;
		fprintf(f, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", cats->name[c],
			pf_fmt_s(a, sizeof(a), (double)t->totals[c], 0), pf_fmt_pct(pa, sizeof(pa), t->totals[c], all),
			pf_fmt_s(p, sizeof(p), (double)t->path_ns[c], 0),
			pf_fmt_pct(pw, sizeof(pw), (double)t->path_ns[c], (double)t->wall_ns));
	}
	fprintf(f, "<tr><td>unattributed</td><td></td><td></td><td>%s</td><td></td></tr></table>\n",
		pf_fmt_s(p, sizeof(p), (double)t->unattributed_ns, 0));
}

static bool has_children(const struct pf_rtrace *t, int i)
{
	for (int k = 0; k < t->nprocs; k++)
		if (t->procs[k].parent == i && k != i)
			return true;
	return false;
}

/* A process and, nested, the processes it started. */
static void tree_node(FILE *f, const struct pf_rtrace *t, int i, int depth)
{
	const struct pf_rproc *pr = &t->procs[i];
	char name[256], span[32], th[32];

	pf_report_proc_name(pr, name, sizeof(name));
	fprintf(f, "<li>%d ", pr->pid);
	put_html(f, name);
	fprintf(f, " &mdash; %s span, %s thread time",
		pf_fmt_s(span, sizeof(span), (double)(pr->end_ns - pr->start_ns), 0),
		pf_fmt_s(th, sizeof(th), (double)pr->thread_ns, 0));
	if (pr->exit_code >= 0)
		fprintf(f, ", exit %lld", pr->exit_code);
	if (depth < 64 && has_children(t, i)) {
		fputs("<ul>\n", f);
		for (int k = 0; k < t->nprocs; k++)
			if (t->procs[k].parent == i && k != i)
				tree_node(f, t, k, depth + 1);
		fputs("</ul>", f);
	}
	fputs("</li>\n", f);
}

static void process_tree(FILE *f, const struct pf_rtrace *t)
{
	fputs("<ul class=\"tree\">\n", f);
	for (int i = 0; i < t->nprocs; i++)
		if (t->procs[i].parent < 0)
			tree_node(f, t, i, 0);
	fputs("</ul>\n", f);
}

/* The trace's folded stacks: those it carries ("folded_time", traced with
 * --flame or --perfetto), else process and category from its processes. */
static char *folded_of(const struct pf_rtrace *t, const struct pf_rcats *cats)
{
	json_t *lines = json_object_get(t->root, "folded_time"), *v;
	char *text = NULL;
	size_t len = 0, i;
	FILE *mem = open_memstream(&text, &len);

	if (!mem)
		return NULL;
	json_array_foreach(lines, i, v)
		if (json_is_string(v))
			fprintf(mem, "%s\n", json_string_value(v));
	for (int p = 0; !json_array_size(lines) && p < t->nprocs; p++) {
		const struct pf_rproc *pr = &t->procs[p];
		const char *comm = pr->comm && pr->comm[0] ? pr->comm : pf_base_name(pr->exe);

		for (int c = 0; c < cats->n; c++)
			if (pr->cat[c] >= 500)
				fprintf(mem, "%s (%d);%s %llu\n", comm, pr->pid, cats->name[c],
					(unsigned long long)((pr->cat[c] + 500) / 1000));
	}
	if (fclose(mem)) {
		free(text);
		return NULL;
	}
	return text;
}

static void flame(FILE *f, const struct pf_rtrace *t, const struct pf_rcats *cats)
{
	char *folded = folded_of(t, cats), title[256];

	snprintf(title, sizeof(title), "%s: thread time (us)", t->label);
	fputs("<div class=\"flame\">\n", f);
	if (!folded || pf_flame_svg(f, folded, title, "us"))
		fputs("<p>(no flame graph: out of memory)</p>", f);
	fputs("</div>\n", f);
	free(folded);
}

/* b's causes against a, as bars scaled to the largest. */
static void cause_bars(FILE *f, const struct pf_rtrace *a, const struct pf_rtrace *b, const struct pf_rcats *cats)
{
	struct pf_rcause k[PF_RCAT_MAX + 1];
	int n = pf_report_causes(a, b, cats, k);
	double max = 1;
	char d[32];

	for (int i = 0; i < n; i++)
		if (llabs(k[i].delta_ns) > max)
			max = (double)llabs(k[i].delta_ns);
	fprintf(f, "<h3>");
	put_html(f, b->label);
	fprintf(f, " vs ");
	put_html(f, a->label);
	fprintf(f, ": %s</h3>\n<div class=\"causes\">\n",
		pf_fmt_s(d, sizeof(d), (double)b->wall_ns - (double)a->wall_ns, 1));
	for (int i = 0; i < n; i++) {
		fprintf(f,
			"<div class=\"cause\"><span class=\"name\">%s</span>"
			"<span class=\"bar %s\" style=\"width: %.1fpx\"></span>%s</div>\n",
			k[i].cat < 0 ? "unattributed" : cats->name[k[i].cat], k[i].delta_ns >= 0 ? "up" : "down",
			2 + 400.0 * (double)llabs(k[i].delta_ns) / max,
			pf_fmt_s(d, sizeof(d), (double)k[i].delta_ns, 1));
		if (k[i].why[0]) {
			fputs("<div class=\"why\">", f);
			put_html(f, k[i].why);
			fputs("</div>\n", f);
		}
	}
	fputs("</div>\n", f);
}

static void one_trace(FILE *f, const struct pf_rtrace *t, const struct pf_rcats *cats)
{
	char w[32];

	fputs("<section class=\"trace\"><h2>", f);
	put_html(f, t->label);
	fputs("</h2>\n<p><code>", f);
	for (int i = 0; i < t->ncommand; i++) {
		put_html(f, i ? " " : "");
		put_html(f, t->command[i]);
	}
	fprintf(f, "</code> &mdash; wall %s, exit code %lld, backend ", pf_fmt_s(w, sizeof(w), (double)t->wall_ns, 0),
		t->exit_code);
	put_html(f, t->backend);
	fputs("</p>\n<h3>Breakdown</h3>\n", f);
	breakdown(f, t, cats);
	fputs("<h3>Process tree</h3>\n", f);
	process_tree(f, t);
	fputs("<h3>Flame graph</h3>\n", f);
	flame(f, t, cats);
	fputs("</section>\n", f);
}

void pf_report_html(FILE *f, const struct pf_rtrace *t, int n, const struct pf_rcats *cats)
{
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>perfanity report</title>\n<style>\n%s</style></head>\n<body>\n"
		"<h1>perfanity report</h1>\n",
		style);
	if (n > 1) {
		fputs("<h2>Why the wall times differ</h2>\n", f);
		for (int i = 1; i < n; i++)
			cause_bars(f, &t[0], &t[i], cats);
	}
	for (int i = 0; i < n; i++)
		one_trace(f, &t[i], cats);
	fputs("<script>\ndocument.documentElement.setAttribute('data-report-ready',\n"
	      "  String(document.querySelectorAll('svg[data-flame-ready]').length));\n</script>\n"
	      "</body></html>\n",
	      f);
}
