// SPDX-License-Identifier: GPL-2.0-only
/* perfanity report, several traces: each trace against the first, the
 * wall-time difference as a ranked list of causes. A cause is a category's
 * change along the root's path (report_path.c), so the causes add up to the
 * difference exactly, with "unattributed" as the residual. Each cause
 * carries its evidence from the detail lists: archives and members for
 * zip_extract, venvs for venv_create, modules for import, files for file_io,
 * and the processes whose path time changed most for the rest. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "report_pants.h"
#include "report_install.h"
#include "pex_phases.h"
#include "pf_util.h"

/* "PEX_ROOT/<area>" as a string that lives as long as the program. */
static const char *area_key(const char *key)
{
	static char keys[PF_PEX_AREA_MAX][32];
	for (int a = 0; a < PF_PEX_AREA_MAX; a++) {
		snprintf(keys[a], sizeof(keys[a]), "PEX_ROOT/%s", pf_pex_area_name(a));
		if (!strcmp(keys[a], key))
			return keys[a];
	}
	return "PEX_ROOT";
}

#define TOP_EVIDENCE 3

static int cat_is(const struct pf_rcats *cats, int c, const char *name)
{
	return c >= 0 && !strcmp(cats->name[c], name);
}

/* Append printf-style to why (bounded). */
static void add(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *why, size_t len, const char *fmt, ...)
{
	size_t o = strlen(why);
	if (o + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why + o, len - o, fmt, ap);
	va_end(ap);
}

/* A name -> (a, b) pair of amounts, for matching things across traces. */
struct pair {
	const char *key;
	double a, b;
};

struct pairs {
	struct pair *v;
	int n, cap;
};

static void pair_add(struct pairs *p, const char *key, double a, double b)
{
	for (int i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].key, key)) {
			p->v[i].a += a;
			p->v[i].b += b;
			return;
		}
	if (p->n == p->cap) {
		int cap = p->cap ? p->cap * 2 : 32;
		struct pair *v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = (struct pair){ key, a, b };
}

/* Largest change in the direction of the cause's delta (*sign) first. */
static int cmp_pair(const void *x, const void *y, void *sign)
{
	const struct pair *p = x, *q = y;
	double s = *(const double *)sign;
	double dp = (p->b - p->a) * s, dq = (q->b - q->a) * s;
	return dp == dq ? strcmp(p->key, q->key) : (dp < dq ? 1 : -1);
}

static void add_top_n(char *why, size_t len, struct pairs *p, double delta, int max);

/* "name +0.40 s, other +0.10 s": the top entries changing the same way as delta
 * (at most max of them; each frees p). */
static void add_top(char *why, size_t len, struct pairs *p, double delta)
{
	add_top_n(why, len, p, delta, TOP_EVIDENCE);
}

static void add_top_n(char *why, size_t len, struct pairs *p, double delta, int max)
{
	double sort_sign = delta < 0 ? -1 : 1;
	if (p->n)
		qsort_r(p->v, p->n, sizeof(*p->v), cmp_pair, &sort_sign);
	int shown = 0;
	for (int i = 0; i < p->n && shown < max; i++) {
		double d = p->v[i].b - p->v[i].a;
		if (d * sort_sign <= 0 || fabs(d) < 5e5) /* same direction, >= 0.5 ms */
			break;
		char s[32];
		add(why, len, "%s%s %s", shown++ ? ", " : "", p->v[i].key, pf_fmt_s(s, sizeof(s), d, 1));
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static void why_zip(char *why, size_t len, const struct pf_rtrace *a, const struct pf_rtrace *b, double delta)
{
	const struct pf_rtrace *more = delta >= 0 ? b : a, *less = delta >= 0 ? a : b;
	uint64_t m[2] = { 0, 0 }, by[2] = { 0, 0 };
	for (int i = 0; i < more->narchives; i++) {
		m[0] += more->archives[i].members;
		by[0] += more->archives[i].bytes_inflated;
	}
	for (int i = 0; i < less->narchives; i++) {
		m[1] += less->archives[i].members;
		by[1] += less->archives[i].bytes_inflated;
	}
	if (more->narchives) {
		char c[32], c2[32], bb[32];
		add(why, len, "%s: inflating %s members (%s) of ", more->label, pf_fmt_count(c, sizeof(c), m[0]),
		    pf_fmt_bytes(bb, sizeof(bb), by[0]));
		for (int i = 0; i < more->narchives && i < 2; i++)
			add(why, len, "%s%s", i ? ", " : "", pf_base_name(more->archives[i].path));
		if (more->narchives > 2)
			add(why, len, " and %d more archives", more->narchives - 2);
		add(why, len, " vs %s members in %s", pf_fmt_count(c2, sizeof(c2), m[1]), less->label);
	}
	/* where the extracted files went: pex's extraction phases */
	int shown = 0;
	for (int i = 0; i < more->nphases && shown < 2; i++) {
		const char *n = more->phases[i].name;
		if (strncmp(n, "install ", 8) && strncmp(n, "unzip ", 6) && strncmp(n, "extract ", 8))
			continue;
		char s[32];
		add(why, len, "%s%s %s", shown++ || more->narchives ? "; " : "", n,
		    pf_fmt_s(s, sizeof(s), (double)more->phases[i].ns, 0));
	}
}

static void why_venv(char *why, size_t len, const struct pf_rtrace *a, const struct pf_rtrace *b, double delta)
{
	const struct pf_rtrace *more = delta >= 0 ? b : a, *less = delta >= 0 ? a : b;
	uint64_t files[2] = { 0, 0 };
	for (int i = 0; i < more->nvenvs; i++)
		files[0] += more->venvs[i].files_created;
	for (int i = 0; i < less->nvenvs; i++)
		files[1] += less->venvs[i].files_created;
	if (more->nvenvs) {
		char c[32], c2[32];
		add(why, len, "%s: creating %d venv%s (%s files) at %s", more->label, more->nvenvs,
		    more->nvenvs == 1 ? "" : "s", pf_fmt_count(c, sizeof(c), files[0]), more->venvs[0].path);
		add(why, len, " vs %d venvs (%s files) in %s", less->nvenvs, pf_fmt_count(c2, sizeof(c2), files[1]),
		    less->label);
	}
	int shown = 0;
	for (int i = 0; i < more->nphases && shown < 2; i++) {
		const char *n = more->phases[i].name;
		if (strncmp(n, "create venv", 11) && strncmp(n, "populate ", 9))
			continue;
		char s[32];
		add(why, len, "%s%s %s", shown++ || more->nvenvs ? "; " : "", n,
		    pf_fmt_s(s, sizeof(s), (double)more->phases[i].ns, 0));
	}
}

/* Waiting for a CPU or for the disk in a fault: said as what it is, with
 * the files whose faults changed most. */
static void why_sched(char *why, size_t len, const struct pf_rtrace *a, const struct pf_rtrace *b, int c,
		      const char *cat, double delta)
{
	const struct pf_rtrace *more = delta >= 0 ? b : a;
	char s[512];

	add(why, len, "%s: %s", more->label, pf_report_sched_cause(more, cat, (double)more->totals[c], s, sizeof(s)));
	if (strcmp(cat, "fault_io"))
		return;
	struct pairs p = { 0 };
	for (int i = 0; i < a->nfiles; i++)
		if (a->files[i].fault_ns)
			pair_add(&p, a->files[i].path, (double)a->files[i].fault_ns, 0);
	for (int i = 0; i < b->nfiles; i++)
		if (b->files[i].fault_ns)
			pair_add(&p, b->files[i].path, 0, (double)b->files[i].fault_ns);
	size_t before = strlen(why);
	add(why, len, "; fault waits ");
	size_t mid = strlen(why);
	add_top(why, len, &p, delta);
	if (strlen(why) == mid)
		why[before] = 0; /* no file's faults changed by 0.5 ms or more */
}

/* Compiling bytecode: how many modules, and why they had no usable .pyc. */
static void why_compile(char *why, size_t len, const struct pf_rtrace *a, const struct pf_rtrace *b, double delta)
{
	const struct pf_rtrace *more = delta >= 0 ? b : a, *less = delta >= 0 ? a : b;
	char c[32], c2[32];

	add(why, len, "%s: compiling %s modules vs %s in %s", more->label, pf_fmt_count(c, sizeof(c), more->modules_compiled),
	    pf_fmt_count(c2, sizeof(c2), less->modules_compiled), less->label);
	if (more->compile_reason && more->compile_reason[0])
		add(why, len, " (%s)", more->compile_reason);
}

static void why_import(char *why, size_t len, const struct pf_rtrace *a, const struct pf_rtrace *b, double delta)
{
	if (!a->nimports && !b->nimports) {
		add(why, len, "no per-module import data in these traces");
		return;
	}
	/* self time: the modules' deltas add up (inclusive times nest, so a
	 * package and its submodules would count the same time twice); the
	 * largest inclusive change is shown apart, labelled */
	struct pairs self = { 0 }, incl = { 0 };
	int have_self = 0;
	for (int i = 0; i < a->nimports; i++)
		have_self |= a->imports[i].self_ns > 0;
	for (int i = 0; i < b->nimports; i++)
		have_self |= b->imports[i].self_ns > 0;
	for (int i = 0; i < a->nimports; i++) {
		pair_add(&self, a->imports[i].module, (double)(have_self ? a->imports[i].self_ns : a->imports[i].ns), 0);
		pair_add(&incl, a->imports[i].module, (double)a->imports[i].ns, 0);
	}
	for (int i = 0; i < b->nimports; i++) {
		pair_add(&self, b->imports[i].module, 0, (double)(have_self ? b->imports[i].self_ns : b->imports[i].ns));
		pair_add(&incl, b->imports[i].module, 0, (double)b->imports[i].ns);
	}
	add(why, len, "%d vs %d modules imported; %s ", b->nimports, a->nimports,
	    have_self ? "self time" : "with nested imports");
	add_top(why, len, &self, delta);
	if (!have_self) {
		free(incl.v);
		return;
	}
	size_t before = strlen(why);
	add(why, len, "; with nested imports ");
	size_t mid = strlen(why);
	add_top_n(why, len, &incl, delta, 1);
	if (strlen(why) == mid)
		why[before] = 0;
}

/* Files under PEX_ROOT are grouped by cache area: their names carry hashes
 * and differ between runs, the area is what explains the time. */
static const char *file_key(const char *path, char *buf, size_t len)
{
	int area = pf_pex_classify(path, NULL, NULL, 0);
	if (area < 0)
		return path;
	snprintf(buf, len, "PEX_ROOT/%s", pf_pex_area_name(area));
	return buf;
}

static void why_files(char *why, size_t len, const struct pf_rtrace *a, const struct pf_rtrace *b, double delta)
{
	struct pairs p = { 0 };
	uint64_t ops[2] = { 0, 0 };
	char k[64];
	/* pair keys must outlive the loop: area names are static, paths are the JSON's */
	for (int i = 0; i < a->nfiles; i++) {
		const char *key = file_key(a->files[i].path, k, sizeof(k));
		pair_add(&p, key == k ? area_key(key) : key, (double)a->files[i].ns, 0);
		ops[0] += a->files[i].ops;
	}
	for (int i = 0; i < b->nfiles; i++) {
		const char *key = file_key(b->files[i].path, k, sizeof(k));
		pair_add(&p, key == k ? area_key(key) : key, 0, (double)b->files[i].ns);
		ops[1] += b->files[i].ops;
	}
	char c[32], c2[32], c3[32], c4[32];
	add(why, len, "%s vs %s files, %s vs %s ops; ", pf_fmt_count(c3, sizeof(c3), b->nfiles),
	    pf_fmt_count(c4, sizeof(c4), a->nfiles), pf_fmt_count(c, sizeof(c), ops[1]),
	    pf_fmt_count(c2, sizeof(c2), ops[0]));
	add_top(why, len, &p, delta);
}

/* Processes matched by name (program and what it runs), summed. */
static void why_procs(char *why, size_t len, const struct pf_rtrace *a, const struct pf_rtrace *b, int c,
		      double delta, int count_execs)
{
	struct pairs p = { 0 };
	int ex[2] = { 0, 0 };
	/* The roots run different commands by design: match them as roots. */
	for (int i = 0; i < a->nprocs; i++) {
		pair_add(&p, i == a->root_proc ? "root process" : a->procs[i].key, a->procs[i].path_cat[c], 0);
		ex[0] += a->procs[i].nimages;
	}
	for (int i = 0; i < b->nprocs; i++) {
		pair_add(&p, i == b->root_proc ? "root process" : b->procs[i].key, 0, b->procs[i].path_cat[c]);
		ex[1] += b->procs[i].nimages;
	}
	if (count_execs)
		add(why, len, "%d vs %d execs, %d vs %d processes; ", ex[1], ex[0], b->nprocs, a->nprocs);
	size_t before = strlen(why);
	add_top(why, len, &p, delta);
	if (strlen(why) == before && before >= 2 && !strcmp(why + before - 2, "; "))
		why[before - 2] = 0;
}

static int cmp_cause(const void *x, const void *y)
{
	const struct pf_rcause *p = x, *q = y;
	int64_t a = llabs(p->delta_ns), b = llabs(q->delta_ns);
	if (a != b)
		return a < b ? 1 : -1;
	return p->cat - q->cat;
}

int pf_report_causes(const struct pf_rtrace *a, const struct pf_rtrace *b, const struct pf_rcats *cats,
		     struct pf_rcause *out)
{
	int n = 0;
	for (int c = 0; c < cats->n; c++) {
		int64_t d = b->path_ns[c] - a->path_ns[c];
		if (!d)
			continue;
		struct pf_rcause *k = &out[n++];
		k->cat = c;
		k->delta_ns = d;
		k->why[0] = 0;
		if (cat_is(cats, c, "zip_extract"))
			why_zip(k->why, sizeof(k->why), a, b, (double)d);
		else if (cat_is(cats, c, "venv_create"))
			why_venv(k->why, sizeof(k->why), a, b, (double)d);
		else if (cat_is(cats, c, "import"))
			why_import(k->why, sizeof(k->why), a, b, (double)d);
		else if (cat_is(cats, c, "file_io"))
			why_files(k->why, sizeof(k->why), a, b, (double)d);
		else if (cat_is(cats, c, "compile"))
			why_compile(k->why, sizeof(k->why), a, b, (double)d);
		else if (cat_is(cats, c, "runqueue") || cat_is(cats, c, "fault_io"))
			why_sched(k->why, sizeof(k->why), a, b, c, cats->name[c], (double)d);
		else
			why_procs(k->why, sizeof(k->why), a, b, c, (double)d, cat_is(cats, c, "exec"));
		/* every cause also names the processes it happened in */
		if (!cat_is(cats, c, "exec") && strcmp(cats->name[c], "cpu") && strcmp(cats->name[c], "sleep") &&
		    strcmp(cats->name[c], "other") && strcmp(cats->name[c], "net") &&
		    strcmp(cats->name[c], "child_wait")) {
			char procs[256] = "";
			why_procs(procs, sizeof(procs), a, b, c, (double)d, 0);
			if (procs[0])
				add(k->why, sizeof(k->why), "%sin %s", k->why[0] ? "; " : "", procs);
		}
	}
	int64_t d = b->unattributed_ns - a->unattributed_ns;
	if (d) {
		struct pf_rcause *k = &out[n++];
		k->cat = -1;
		k->delta_ns = d;
		snprintf(k->why, sizeof(k->why),
			 "wall time not on the root process's path (tracer start/stop, clock resolution)");
	}
	qsort(out, n, sizeof(*out), cmp_cause);
	return n;
}

static const char *cause_name(const struct pf_rcats *cats, const struct pf_rcause *k)
{
	return k->cat < 0 ? "unattributed" : cats->name[k->cat];
}

/* Categories side by side: wall time on the path per trace. */
static void side_by_side(FILE *f, const struct pf_rtrace *t, int n, const struct pf_rcats *cats, int md)
{
	/* at most 8 traces per table, as columns */
	for (int from = 0; from < n; from += 7) {
		int m = n - from < 7 ? n - from : 7;
		int cols = m + 1 + (from > 0);
		char align[16] = "l";
		for (int i = 1; i < cols; i++)
			strcat(align, "r");
		const char *hdr[9] = { "category" };
		int h = 1;
		if (from)
			hdr[h++] = t[0].label;
		for (int i = 0; i < m; i++)
			hdr[h++] = t[from + i].label;
		struct pf_table *tb = pf_table_new(cols, align, hdr[0], hdr[1], hdr[2], hdr[3], hdr[4], hdr[5],
						   hdr[6], hdr[7], hdr[8]);
		for (int c = -1; c <= cats->n; c++) {
			char cell[9][32];
			const char *row[9];
			int any = 0;
			row[0] = c < 0 ? "wall" : c == cats->n ? "unattributed" : cats->name[c];
			for (int j = 1; j < cols; j++) {
				const struct pf_rtrace *x = from && j == 1 ? &t[0] : &t[from + j - 1 - (from > 0)];
				int64_t v = c < 0 ? (int64_t)x->wall_ns : c == cats->n ? x->unattributed_ns : x->path_ns[c];
				any |= v != 0;
				row[j] = pf_fmt_s(cell[j], sizeof(cell[j]), (double)v, 0);
			}
			if (!any && c >= 0)
				continue;
			for (int j = cols; j < 9; j++)
				row[j] = NULL;
			pf_table_add(tb, row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8]);
		}
		pf_table_print(f, tb, md, "  ");
		pf_table_free(tb);
	}
}

/* pex phases matched by name: what pex did differently, largest change first. */
/* The pairs that changed most (at least 0.5 ms), largest change first. Frees p. */
static void print_changes(FILE *f, const char *title, struct pairs *p, int md)
{
	if (!p->n)
		return;
	fprintf(f, "%s%s:\n", md ? "\n" : "\n  ", title);
	/* by |change|: sort twice would be clumsy, so select */
	for (int shown = 0; shown < 6; shown++) {
		int best = -1;
		for (int i = 0; i < p->n; i++)
			if (p->v[i].key && (best < 0 || fabs(p->v[i].b - p->v[i].a) > fabs(p->v[best].b - p->v[best].a)))
				best = i;
		if (best < 0 || fabs(p->v[best].b - p->v[best].a) < 5e5)
			break;
		char d[32], x[32], y[32], esc[400];
		fprintf(f, "%s%s %s (%s vs %s)\n", md ? "- " : "    ", pf_fmt_s(d, sizeof(d), p->v[best].b - p->v[best].a, 1),
			pf_md_escape(esc, sizeof(esc), p->v[best].key, md),
			p->v[best].b ? pf_fmt_s(x, sizeof(x), p->v[best].b, 0) : "none",
			p->v[best].a ? pf_fmt_s(y, sizeof(y), p->v[best].a, 0) : "none");
		p->v[best].key = NULL;
	}
	free(p->v);
}

static void phase_changes(FILE *f, const struct pf_rtrace *a, const struct pf_rtrace *b, int md)
{
	struct pairs p = { 0 };
	for (int i = 0; i < a->nphases; i++)
		pair_add(&p, a->phases[i].name, (double)a->phases[i].ns, 0);
	for (int i = 0; i < b->nphases; i++)
		pair_add(&p, b->phases[i].name, 0, (double)b->phases[i].ns);
	print_changes(f, "pex phases that changed", &p, md);
}

/* Pants' process executions of two runs, by what they run (on-path time); the
 * outputs' parameters are left out of the key, so two configurations pair up:
 * "pex: build simple/bin@layout=loose.pex" and "...@layout=packed.pex" are one. */
static void pants_changes(FILE *f, const struct pf_rtrace *a, const struct pf_rtrace *b, int md)
{
	static struct pf_pants_run ra, rb; /* large: not on the stack */
	struct pairs p = { 0 };
	char keys[2 * PF_PANTS_EXECS_MAX][192];
	int nk = 0;
	pf_pants_analyse(a, &ra);
	pf_pants_analyse(b, &rb);
	if (!ra.is_pants || !rb.is_pants)
		return;
	for (int side = 0; side < 2; side++) {
		const struct pf_pants_run *r = side ? &rb : &ra;
		for (int k = 0; k < r->nexecs && nk < 2 * PF_PANTS_EXECS_MAX; k++) {
			const char *l = r->execs[k].label, *at = strchr(l, '@'), *dot = at ? strrchr(at, '.') : NULL;
			if (at && dot)
				snprintf(keys[nk], sizeof(keys[nk]), "%.*s%s", (int)(at - l), l, dot);
			else
				snprintf(keys[nk], sizeof(keys[nk]), "%s", l);
			pair_add(&p, keys[nk++], side ? 0 : r->execs[k].path_ns, side ? r->execs[k].path_ns : 0);
		}
	}
	print_changes(f, "Pants process executions that changed (their share of the wall time)", &p, md);
}

void pf_report_compare(FILE *f, const struct pf_rtrace *t, int n, const struct pf_rcats *cats, int md)
{
	char title[512];
	snprintf(title, sizeof(title), "perfanity report: %d traces, compared with %s", n, t[0].label);
	pf_heading(f, md, 1, title);
	for (int i = 0; i < n; i++) {
		char w[32], esc[1024];
		char pants[512];
		fprintf(f, "%s%s: wall %s, %d processes (%s)\n", md ? "- " : "  ",
			pf_md_escape(esc, sizeof(esc), t[i].label, md), pf_fmt_s(w, sizeof(w), (double)t[i].wall_ns, 0),
			t[i].nprocs, t[i].path[0] ? t[i].path : "in memory");
		if (!pf_pants_oneline(&t[i], pants, sizeof(pants)))
			fprintf(f, "%sPants: %s\n", md ? "  - " : "      ", pf_md_escape(esc, sizeof(esc), pants, md));
		char inst[1024];
		if (!pf_install_oneline(&t[i], cats, inst, sizeof(inst)))
			fprintf(f, "%sinstaller terms: %s\n", md ? "  - " : "      ", pf_md_escape(esc, sizeof(esc), inst, md));
	}
	pf_heading(f, md, 2, "Wall time along the root's path, by category");
	side_by_side(f, t, n, cats, md);

	for (int i = 1; i < n; i++) {
		struct pf_rcause k[PF_RCAT_MAX + 1];
		int nk = pf_report_causes(&t[0], &t[i], cats, k);
		int64_t dw = (int64_t)t[i].wall_ns - (int64_t)t[0].wall_ns;
		char s[32], pct[32], line[2048], esc[2048];
		/* The equation lists the causes worth reading (>= 1% of the
		 * difference or 5 ms); the rest are summed into one term so it
		 * still adds up. */
		int64_t small = 0;
		int nsmall = 0, o;
		o = snprintf(line, sizeof(line), "%s vs %s: %s", t[i].label, t[0].label, pf_fmt_s(s, sizeof(s), (double)dw, 1));
		if (t[0].wall_ns)
			o += snprintf(line + o, sizeof(line) - o, " (%s%s)", dw >= 0 ? "+" : "",
				      pf_fmt_pct(pct, sizeof(pct), (double)dw, (double)t[0].wall_ns));
		o += snprintf(line + o, sizeof(line) - o, " =");
		int shown = 0;
		for (int j = 0; j < nk; j++) {
			int64_t d = k[j].delta_ns;
			if (llabs(d) * 100 < llabs(dw) && llabs(d) < 5000000) {
				small += d;
				nsmall++;
				continue;
			}
			pf_fmt_s(s, sizeof(s), (double)llabs(d), 0);
			o += snprintf(line + o, sizeof(line) - o, " %s%s %s", shown++ ? (d < 0 ? "- " : "+ ") : (d < 0 ? "-" : "+"),
				      s, cause_name(cats, &k[j]));
			if (o >= (int)sizeof(line))
				break;
		}
		if (nsmall && o < (int)sizeof(line))
			o += snprintf(line + o, sizeof(line) - o, " %s%s (%d smaller)", small < 0 ? "- " : "+ ",
				      pf_fmt_s(s, sizeof(s), (double)llabs(small), 0), nsmall);
		if (!nk && o < (int)sizeof(line))
			snprintf(line + o, sizeof(line) - o, " no difference");
		char title2[300];
		snprintf(title2, sizeof(title2), "%s vs %s", t[i].label, t[0].label);
		pf_heading(f, md, 2, title2);
		fprintf(f, "%s%s%s\n\n", md ? "**" : "", pf_md_escape(esc, sizeof(esc), line, md), md ? "**" : "");
		for (int j = 0, r = 1; j < nk; j++) {
			if (llabs(k[j].delta_ns) * 100 < llabs(dw) && llabs(k[j].delta_ns) < 5000000)
				continue;
			char why[1600], cn[128];
			fprintf(f, "%s%d. %s %s%s%s\n", md ? "" : "  ", r++,
				pf_fmt_s(s, sizeof(s), (double)k[j].delta_ns, 1),
				pf_md_escape(cn, sizeof(cn), cause_name(cats, &k[j]), md),
				k[j].why[0] ? ": " : "", pf_md_escape(why, sizeof(why), k[j].why, md));
		}
		phase_changes(f, &t[0], &t[i], md);
		pants_changes(f, &t[0], &t[i], md);
	}
}
