// SPDX-License-Identifier: GPL-2.0-only
/* Pants' parts of a traced run. A Pants command is a client; with pantsd the
 * work happens in the daemon (attached to when it was already running, a
 * descendant when the command starts it) and in the processes it runs in its
 * sandboxes. Each direct child of pantsd is one process execution: named by
 * what it runs, and charged its whole tree's share of the wall time, which
 * report_path.c computed (an attached pantsd hangs under the command's root,
 * so these shares add up within the wall time). Caches: bytes the local store
 * (lmdb) and the named caches were read (hits) and written (new entries). */
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "report_pants.h"
#include "pf_util.h"

void pf_pants_exec_label(const char *const *argv, int argc, char *buf, size_t len)
{
	if (!argc) {
		snprintf(buf, len, "?");
		return;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--output-file") && i + 1 < argc) {
			snprintf(buf, len, "pex: build %s", argv[i + 1]);
			return;
		}
		if (strstr(argv[i], "pytest_runner")) {
			snprintf(buf, len, "pytest: %s", pf_base_name(argv[argc - 1]));
			return;
		}
		if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			snprintf(buf, len, "interpreter check (%s)", pf_base_name(argv[0]));
			return;
		}
		if (strstr(argv[i], "pyenv")) {
			snprintf(buf, len, "pyenv lookup");
			return;
		}
	}
	const char *prog = pf_base_name(argv[0]);
	if (!strcmp(prog, "ldd") || !strcmp(prog, "uname") || !strncmp(prog, "ld-linux", 8))
		snprintf(buf, len, "platform probe (%s)", prog);
	else
		snprintf(buf, len, "%s%s%s", prog, argc > 1 ? " " : "", argc > 1 ? pf_base_name(argv[1]) : "");
}

static int has_arg(const struct pf_rproc *p, const char *needle)
{
	for (int i = 0; i < p->argc; i++)
		if (strstr(p->argv[i], needle))
			return 1;
	for (int j = 0; j < p->nimages; j++)
		for (int i = 0; p->images[j].argv && i < p->images[j].argc; i++)
			if (strstr(p->images[j].argv[i], needle))
				return 1;
	return 0;
}

/* The command's value of --NAME=VALUE, else dflt. */
static void pants_option(const struct pf_rtrace *t, const char *name, const char *dflt, char *buf, size_t len)
{
	size_t n = strlen(name);
	snprintf(buf, len, "%s", dflt);
	for (int i = 0; i < t->ncommand; i++)
		if (!strncmp(t->command[i], name, n) && t->command[i][n] == '=')
			snprintf(buf, len, "%s", t->command[i] + n + 1);
}

static void cache_sum(const struct pf_rtrace *t, struct pf_pants_cache *c)
{
	size_t n = strlen(c->prefix);
	for (int i = 0; i < t->nfiles && n; i++) {
		const struct pf_rfile *f = &t->files[i];
		if (strncmp(f->path, c->prefix, n) || (f->path[n] && f->path[n] != '/'))
			continue;
		c->bytes_read += f->bytes_read;
		c->bytes_written += f->bytes_written;
		c->ops += f->ops;
		c->files++;
	}
}

static int count_sandboxes(const struct pf_rtrace *t)
{
	char (*seen)[32] = calloc(t->nfiles + 1, sizeof(*seen));
	int n = 0;
	for (int i = 0; seen && i < t->nfiles; i++) {
		const char *s = strstr(t->files[i].path, "pants-sandbox-");
		if (!s)
			continue;
		char id[32];
		snprintf(id, sizeof(id), "%.*s", (int)strcspn(s, "/"), s);
		int dup = 0;
		for (int j = 0; j < n && !dup; j++)
			dup = !strcmp(seen[j], id);
		if (!dup)
			snprintf(seen[n++], sizeof(seen[0]), "%s", id);
	}
	free(seen);
	return n;
}

/* The process whose tree pid i belongs to just under ancestor a, or -1. */
static int child_of(const struct pf_rtrace *t, int i, int a)
{
	for (int guard = 0; i >= 0 && guard < t->nprocs; guard++) {
		int h = t->procs[i].chain_head, par = t->procs[h].parent;
		if (par == a)
			return h;
		i = par;
	}
	return -1;
}

static void add_exec(struct pf_pants_run *r, const struct pf_rtrace *t, int proc)
{
	const struct pf_rproc *p = &t->procs[proc];
	const char *const *argv = p->nimages && p->images[0].argv ? p->images[0].argv : p->argv;
	int argc = p->nimages && p->images[0].argv ? p->images[0].argc : p->argc;
	struct pf_pants_exec *e = NULL;
	char label[192];
	pf_pants_exec_label(argv, argc, label, sizeof(label));
	for (int k = 0; k < r->nexecs && !e; k++)
		if (!strcmp(r->execs[k].label, label))
			e = &r->execs[k];
	if (!e && r->nexecs == PF_PANTS_EXECS_MAX) {
		r->more_execs++;
		return;
	}
	if (!e) {
		e = &r->execs[r->nexecs++];
		memset(e, 0, sizeof(*e));
		e->proc = proc;
		snprintf(e->label, sizeof(e->label), "%s", label);
	}
	e->count++;
	e->lifetime_ns += p->end_ns - p->start_ns;
	if (!r->first_exec_ns || p->start_ns < r->first_exec_ns)
		r->first_exec_ns = p->start_ns;
}

static int cmp_exec(const void *a, const void *b)
{
	const struct pf_pants_exec *x = a, *y = b;
	return x->path_ns < y->path_ns ? 1 : x->path_ns > y->path_ns ? -1 : 0;
}

void pf_pants_analyse(const struct pf_rtrace *t, struct pf_pants_run *r)
{
	memset(r, 0, sizeof(*r));
	r->pantsd = -1;
	r->is_pants = t->ncommand && (!strcmp(pf_base_name(t->command[0]), "pants") ||
				      (t->ncommand > 2 && !strcmp(t->command[1], "-m") && !strcmp(t->command[2], "pants")));
	/* pantsd: retitled "pantsd [buildroot]" when attached to; when the command
	 * starts it, a daemonized re-run of the pants script still running at the end */
	for (int i = 0; i < t->nprocs && r->pantsd < 0; i++) {
		const struct pf_rproc *p = &t->procs[i];
		int daemon = r->is_pants && p->exit_code < 0 && p->argc > 1 && !strcmp(pf_base_name(p->argv[1]), "pants");
		if (p->chain_head == i && i != t->root_proc && (has_arg(p, "pantsd") || daemon))
			r->pantsd = i;
	}
	r->is_pants |= r->pantsd >= 0;
	if (!r->is_pants)
		return;
	if (r->pantsd >= 0) {
		r->pantsd_attached = t->procs[r->pantsd].attached;
		r->pantsd_start_ns = t->procs[r->pantsd].start_ns;
	}
	/* Without pantsd the client runs the processes itself. */
	int owner = r->pantsd >= 0 ? r->pantsd : t->root_proc;
	for (int i = 0; i < t->nprocs && owner >= 0; i++) {
		if (t->procs[i].chain_head == i && t->procs[i].parent == owner)
			add_exec(r, t, i);
	}
	for (int i = 0; i < t->nprocs && owner >= 0; i++) {
		int top = child_of(t, i, owner);
		if (top < 0)
			continue;
		for (int k = 0; k < r->nexecs; k++) {
			/* the exec group whose label the top process has */
			char label[192];
			const struct pf_rproc *p = &t->procs[top];
			const char *const *argv = p->nimages && p->images[0].argv ? p->images[0].argv : p->argv;
			int argc = p->nimages && p->images[0].argv ? p->images[0].argc : p->argc;
			pf_pants_exec_label(argv, argc, label, sizeof(label));
			if (strcmp(label, r->execs[k].label))
				continue;
			for (int c = 0; c < PF_RCAT_MAX; c++)
				r->execs[k].path_ns += t->procs[i].path_cat[c];
			break;
		}
	}
	qsort(r->execs, r->nexecs, sizeof(r->execs[0]), cmp_exec);
	r->sandboxes = count_sandboxes(t);
	const char *home = getenv("HOME");
	char dflt[512];
	snprintf(dflt, sizeof(dflt), "%s/.cache/pants/lmdb_store", home ? home : "");
	pants_option(t, "--local-store-dir", dflt, r->store.prefix, sizeof(r->store.prefix));
	snprintf(dflt, sizeof(dflt), "%s/.cache/pants/named_caches", home ? home : "");
	pants_option(t, "--named-caches-dir", dflt, r->named.prefix, sizeof(r->named.prefix));
	cache_sum(t, &r->store);
	cache_sum(t, &r->named);
}

static double pantsd_own_path(const struct pf_rtrace *t, int i)
{
	double s = 0;
	for (int c = 0; i >= 0 && c < PF_RCAT_MAX; c++)
		s += t->procs[i].path_cat[c];
	return s;
}

int pf_pants_oneline(const struct pf_rtrace *t, char *buf, size_t len)
{
	struct pf_pants_run r;
	char a[32], b[32], c[32];
	pf_pants_analyse(t, &r);
	if (!r.is_pants)
		return -1;
	int n = 0;
	for (int k = 0; k < r.nexecs; k++)
		n += r.execs[k].count;
	snprintf(buf, len, "%s; %d process executions in %d sandboxes; local store read %s, wrote %s; named caches wrote %s",
		 r.pantsd < 0 ? "no pantsd" : r.pantsd_attached ? "pantsd warm (attached)" : "pantsd started by the command",
		 n, r.sandboxes, pf_fmt_bytes(a, sizeof(a), r.store.bytes_read),
		 pf_fmt_bytes(b, sizeof(b), r.store.bytes_written), pf_fmt_bytes(c, sizeof(c), r.named.bytes_written));
	return 0;
}

/* "was started by the command at +1.2 s; 19.3 s to its first process execution (its
 * start-up and scheduler initialisation)" */
static const char *started(const struct pf_pants_run *r, char *buf, size_t len)
{
	char a[32], b[32];
	int n = snprintf(buf, len, "was started by the command at +%s",
			 pf_fmt_s(a, sizeof(a), (double)r->pantsd_start_ns, 0));
	if (r->first_exec_ns > r->pantsd_start_ns && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, "; %s to its first process execution (start-up, scheduler initialisation)",
			 pf_fmt_s(b, sizeof(b), (double)(r->first_exec_ns - r->pantsd_start_ns), 0));
	return buf;
}

void pf_report_pants(FILE *f, const struct pf_rtrace *t, int md)
{
	struct pf_pants_run r;
	char s[32], b1[32], b2[32], esc[512];
	pf_pants_analyse(t, &r);
	if (!r.is_pants)
		return;
	pf_heading(f, md, 2, "Pants");
	if (r.pantsd < 0)
		fprintf(f, "%sno pantsd: the client ran the work itself\n", md ? "- " : "  ");
	else
		fprintf(f, "%spantsd (pid %d) %s; its own threads (engine, scheduler) on the path: %s\n", md ? "- " : "  ",
			t->procs[r.pantsd].pid,
			r.pantsd_attached ? "was already running: attached to, warm" : started(&r, esc, sizeof(esc)),
			pf_fmt_s(s, sizeof(s), pantsd_own_path(t, r.pantsd), 0));
	fprintf(f, "%slocal store %s: read %s (hits), wrote %s (new entries) in %llu files\n", md ? "- " : "  ",
		pf_md_escape(esc, sizeof(esc), r.store.prefix, md), pf_fmt_bytes(b1, sizeof(b1), r.store.bytes_read),
		pf_fmt_bytes(b2, sizeof(b2), r.store.bytes_written), (unsigned long long)r.store.files);
	fprintf(f, "%snamed caches %s: read %s, wrote %s in %llu files\n", md ? "- " : "  ",
		pf_md_escape(esc, sizeof(esc), r.named.prefix, md), pf_fmt_bytes(b1, sizeof(b1), r.named.bytes_read),
		pf_fmt_bytes(b2, sizeof(b2), r.named.bytes_written), (unsigned long long)r.named.files);
	fprintf(f, "%s%d sandboxes (pants-sandbox-*) used; process executions by what they run:\n\n",
		md ? "- " : "  ", r.sandboxes);
	struct pf_table *tb = pf_table_new(4, "lrrr", "process execution", "count", "lifetime", "on path");
	for (int k = 0; k < r.nexecs; k++) {
		char cnt[32], l[32], p[32];
		pf_table_add(tb, r.execs[k].label, pf_fmt_count(cnt, sizeof(cnt), r.execs[k].count),
			     pf_fmt_s(l, sizeof(l), (double)r.execs[k].lifetime_ns, 0),
			     pf_fmt_s(p, sizeof(p), r.execs[k].path_ns, 0));
	}
	pf_table_print(f, tb, md, "  ");
	pf_table_free(tb);
	if (r.more_execs)
		fprintf(f, "  (%d more)\n", r.more_execs);
}
