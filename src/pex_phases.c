// SPDX-License-Identifier: GPL-2.0-only
/* pex phase recognition: turn PEX_ROOT paths and re-execs into named phases.
 * pex caches everything as PEX_ROOT/<area>/<format version>/<key>/..., builds
 * each entry in "<key>.lck.work" and renames it into place, so the area tells
 * what pex was doing and written bytes tell a cold (building) from a warm
 * (reusing) run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include "pex_phases.h"
#include "pf_util.h"

static const char *const area_names[PF_PEX_AREA_MAX] = {
	[PF_PEX_BOOTSTRAPS] = "bootstraps",
	[PF_PEX_INSTALLED_WHEELS] = "installed_wheels",
	[PF_PEX_USER_CODE] = "user_code",
	[PF_PEX_UNZIPPED_PEXES] = "unzipped_pexes",
	[PF_PEX_VENVS] = "venvs",
	[PF_PEX_INTERPRETERS] = "interpreters",
	[PF_PEX_ISOLATED] = "isolated",
};

const char *pf_pex_area_name(int area)
{
	return area >= 0 && area < PF_PEX_AREA_MAX ? area_names[area] : "?";
}

/* Length of the path component starting at s. */
static size_t comp_len(const char *s)
{
	const char *e = strchr(s, '/');
	return e ? (size_t)(e - s) : strlen(s);
}

static int all_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Copy component [s, s+n) to entry, minus pex's staging/lock decorations:
 * "<key>.lck.work" (staging dir) and ".<key>.atomic_directory.lck" (lock). */
static void copy_entry(const char *s, size_t n, char *entry, size_t len)
{
	static const char work[] = ".lck.work", lck[] = ".atomic_directory.lck";
	if (n > sizeof(work) - 1 && !memcmp(s + n - (sizeof(work) - 1), work, sizeof(work) - 1))
		n -= sizeof(work) - 1;
	else if (n > sizeof(lck) && s[0] == '.' &&
		 !memcmp(s + n - (sizeof(lck) - 1), lck, sizeof(lck) - 1)) {
		s++;
		n -= sizeof(lck);
	}
	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(entry, s, n);
	entry[n] = 0;
}

int pf_pex_classify(const char *path, size_t *root_len, char *entry, size_t entry_len)
{
	if (!path || path[0] != '/')
		return -1;
	/* Try every "/" as the end of PEX_ROOT; the first that is followed by
	 * AREA/DIGITS/KEY wins (PEX_ROOT itself may contain anything). */
	for (const char *p = path; (p = strchr(p, '/')) != NULL; p++) {
		if (p == path)
			continue; /* PEX_ROOT is never "/" itself */
		const char *a = p + 1;
		size_t alen = comp_len(a);
		int area = -1;
		for (int i = 0; i < PF_PEX_AREA_MAX; i++)
			if (strlen(area_names[i]) == alen && !memcmp(a, area_names[i], alen))
				area = i;
		if (area < 0 || a[alen] != '/')
			continue;
		const char *v = a + alen + 1;
		size_t vlen = comp_len(v);
		if (!all_digits(v, vlen) || v[vlen] != '/')
			continue;
		const char *k = v + vlen + 1;
		size_t klen = comp_len(k);
		if (!klen)
			continue;
		/* installed_wheels/<v>/<hash>/<name>.whl: the wheel names the entry. */
		if (area == PF_PEX_INSTALLED_WHEELS && k[klen] == '/' && comp_len(k + klen + 1)) {
			k += klen + 1;
			klen = comp_len(k);
		}
		if (root_len)
			*root_len = (size_t)(p - path);
		copy_entry(k, klen, entry, entry_len);
		return area;
	}
	return -1;
}

/* A tiny set of strings (cache entries per area: tens at most). */
struct strset {
	char **v;
	size_t n, cap;
};

static int strset_add(struct strset *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], str))
			return 0;
	if (PF_GROW(s->v, s->cap, s->n, 8))
		return -1;
	if (!(s->v[s->n] = strdup(str)))
		return -1;
	s->n++;
	return 0;
}

static void strset_free(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Whether a cache entry counts as one: an installed wheel is its .whl
 * directory; its hash directory alone (pex stats it, locks it) is the same
 * wheel again. */
static int names_entry(int area, const char *entry)
{
	size_t n = strlen(entry);

	return area != PF_PEX_INSTALLED_WHEELS || (n > 4 && !strcmp(entry + n - 4, ".whl"));
}

struct area_agg {
	uint64_t ns, files, files_written, bytes_written, bytes_read;
	struct strset entries, written;
};

static struct pf_pex_phase *phase_add(struct pf_pex_phases *ph)
{
	if (PF_GROW(ph->v, ph->cap, ph->n, 8))
		return NULL;
	struct pf_pex_phase *p = &ph->v[ph->n++];
	memset(p, 0, sizeof(*p));
	return p;
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Name of an area's phase: building (something written) or reusing. */
static void area_phase_name(int area, const struct area_agg *a, char *buf, size_t len)
{
	int cold = a->files_written > 0;
	uint64_t nw = cold ? a->written.n : a->entries.n;
	switch (area) {
	case PF_PEX_BOOTSTRAPS:
		snprintf(buf, len, cold ? "extract pex bootstrap into PEX_ROOT/bootstraps"
					: "load pex bootstrap from PEX_ROOT/bootstraps");
		break;
	case PF_PEX_INSTALLED_WHEELS:
		snprintf(buf, len, cold ? "install %llu %s into PEX_ROOT/installed_wheels"
					: "use %llu installed %s from PEX_ROOT/installed_wheels",
			 (unsigned long long)nw, plural(nw, "wheel", "wheels"));
		break;
	case PF_PEX_USER_CODE:
		snprintf(buf, len, cold ? "extract user code into PEX_ROOT/user_code"
					: "load user code from PEX_ROOT/user_code");
		break;
	case PF_PEX_UNZIPPED_PEXES:
		snprintf(buf, len, cold ? "unzip pex into PEX_ROOT/unzipped_pexes"
					: "use unzipped pex in PEX_ROOT/unzipped_pexes");
		break;
	case PF_PEX_VENVS:
		snprintf(buf, len, cold ? "populate %llu %s in PEX_ROOT/venvs"
					: "run from %llu %s in PEX_ROOT/venvs",
			 (unsigned long long)nw, plural(nw, "venv", "venvs"));
		break;
	case PF_PEX_INTERPRETERS:
		snprintf(buf, len, cold ? "cache interpreter identity in PEX_ROOT/interpreters"
					: "read cached interpreter identity from PEX_ROOT/interpreters");
		break;
	default:
		snprintf(buf, len, cold ? "isolate pex code into PEX_ROOT/isolated"
					: "use isolated pex code from PEX_ROOT/isolated");
		break;
	}
}

static uint64_t proc_ns(const struct pf_pex_proc *p)
{
	return p->end_ns > p->start_ns ? p->end_ns - p->start_ns : 0;
}

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcmp(s + n - m, suf);
}

/* Does this image run something from PEX_ROOT? Returns the area or -1. */
static int proc_pex_area(const struct pf_pex_proc *p)
{
	int a = pf_pex_classify(p->exe, NULL, NULL, 0);
	for (int i = 0; a < 0 && i < p->argc; i++)
		a = pf_pex_classify(p->argv[i], NULL, NULL, 0);
	return a;
}

/* "python -m venv DIR" / "virtualenv DIR" / "uv venv DIR": the venv dir, or NULL. */
static const char *venv_target(const struct pf_pex_proc *p)
{
	int start = -1;
	for (int i = 0; i + 1 < p->argc; i++)
		if (!strcmp(p->argv[i], "-m") && !strcmp(p->argv[i + 1], "venv"))
			start = i + 2;
	const char *b0 = p->argc ? pf_base_name(p->argv[0]) : "";
	if (start < 0 && !strcmp(b0, "virtualenv"))
		start = 1;
	if (start < 0 && !strcmp(b0, "uv") && p->argc > 1 && !strcmp(p->argv[1], "venv"))
		start = 2;
	if (start < 0)
		return NULL;
	for (int i = start; i < p->argc; i++) {
		if (p->argv[i][0] != '-')
			return p->argv[i];
		if (!strcmp(p->argv[i], "--prompt")) /* the one venv option with a value */
			i++;
	}
	return "";
}

/* pex identifies each interpreter by running a "-c" script using PythonIdentity. */
static int is_interp_identify(const struct pf_pex_proc *p)
{
	for (int i = 0; i + 1 < p->argc; i++)
		if (!strcmp(p->argv[i], "-c") &&
		    (strstr(p->argv[i + 1], "PythonIdentity") ||
		     strstr(p->argv[i + 1], "from pex import interpreter")))
			return 1;
	return 0;
}

static void join_argv(const struct pf_pex_proc *p, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < p->argc && o + 1 < len; i++) {
		int n = snprintf(buf + o, len - o, "%s%s", i ? " " : "", p->argv[i]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	/* multi-line -c scripts: keep the phase detail on one line */
	for (char *c = buf; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
}

static int cmp_phase(const void *a, const void *b)
{
	const struct pf_pex_phase *x = a, *y = b;
	if (x->ns != y->ns)
		return x->ns < y->ns ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int file_phases(const struct pf_pex_file *files, size_t nfiles,
		       const struct pf_pex_archive *archives, size_t narchives,
		       int pid, struct pf_pex_phases *out)
{
	struct area_agg agg[PF_PEX_AREA_MAX];
	char entry[256];
	int rc = -1;
	memset(agg, 0, sizeof(agg));
	for (size_t i = 0; i < nfiles; i++) {
		size_t rl;
		int a = pf_pex_classify(files[i].path, &rl, entry, sizeof(entry));
		if (a < 0)
			continue;
		if (!out->pex_root[0] && rl < sizeof(out->pex_root)) {
			memcpy(out->pex_root, files[i].path, rl);
			out->pex_root[rl] = 0;
		}
		struct area_agg *g = &agg[a];
		g->ns += files[i].ns;
		g->files++;
		g->bytes_read += files[i].bytes_read;
		if (names_entry(a, entry) && strset_add(&g->entries, entry))
			goto out;
		if (files[i].bytes_written) {
			g->files_written++;
			g->bytes_written += files[i].bytes_written;
			if (names_entry(a, entry) && strset_add(&g->written, entry))
				goto out;
		}
	}
	uint64_t arch_ns = 0, written = 0;
	for (size_t i = 0; i < narchives; i++)
		arch_ns += archives[i].ns;
	for (int a = 0; a < PF_PEX_AREA_MAX; a++)
		written += agg[a].bytes_written;
	for (int a = 0; a < PF_PEX_AREA_MAX; a++) {
		struct area_agg *g = &agg[a];
		if (!g->files)
			continue;
		struct pf_pex_phase *ph = phase_add(out);
		if (!ph)
			goto out;
		ph->pid = pid;
		area_phase_name(a, g, ph->name, sizeof(ph->name));
		/* integer share, computed in long double to avoid overflow */
		uint64_t share = written ? (uint64_t)((long double)arch_ns * g->bytes_written / written) : 0;
		ph->ns = g->ns + share;
		int o = snprintf(ph->detail, sizeof(ph->detail), "%s/%s: %llu %s",
				 out->pex_root, area_names[a], (unsigned long long)g->files,
				 plural(g->files, "file", "files"));
		if (g->files_written && o > 0 && (size_t)o < sizeof(ph->detail))
			o += snprintf(ph->detail + o, sizeof(ph->detail) - o,
				      ", %llu written (%llu bytes)",
				      (unsigned long long)g->files_written,
				      (unsigned long long)g->bytes_written);
		if (share >= 500000 && o > 0 && (size_t)o < sizeof(ph->detail))
			o += snprintf(ph->detail + o, sizeof(ph->detail) - o,
				      ", incl. ~%.1f ms inflating archives", share / 1e6);
		/* name the entries: which wheels, which venv */
		struct strset *names = g->files_written ? &g->written : &g->entries;
		for (size_t i = 0; i < names->n && o > 0 && (size_t)o < sizeof(ph->detail); i++)
			o += snprintf(ph->detail + o, sizeof(ph->detail) - o, "%s%s",
				      i ? ", " : "; ", names->v[i]);
	}
	rc = 0;
out:
	for (int a = 0; a < PF_PEX_AREA_MAX; a++) {
		strset_free(&agg[a].entries);
		strset_free(&agg[a].written);
	}
	return rc;
}

static const char *venv_tool(const struct pf_pex_proc *p)
{
	const char *b = pf_base_name(p->argc ? p->argv[0] : p->exe);

	return !strcmp(b, "uv") ? "uv venv" : !strcmp(b, "virtualenv") ? "virtualenv" : "python -m venv";
}

void pf_pex_image_role(const struct pf_pex_proc *procs, size_t nprocs, size_t i, char *buf, size_t len)
{
	const struct pf_pex_proc *p = &procs[i], *next = NULL;

	buf[0] = 0;
	for (size_t j = i + 1; j < nprocs && !next; j++)
		if (procs[j].pid == p->pid)
			next = &procs[j];
	if (next && proc_pex_area(next) >= 0)
		snprintf(buf, len, "bootstrap, then re-exec into PEX_ROOT/%s", area_names[proc_pex_area(next)]);
	else if (venv_target(p))
		snprintf(buf, len, "create venv (%s)", venv_tool(p));
	else if (is_interp_identify(p))
		snprintf(buf, len, "identify interpreter");
	else if (proc_pex_area(p) >= 0)
		snprintf(buf, len, "run from PEX_ROOT/%s", area_names[proc_pex_area(p)]);
}

static int proc_phases(const struct pf_pex_proc *procs, size_t nprocs, struct pf_pex_phases *out)
{
	char args[PF_PEX_DETAIL_MAX], args2[PF_PEX_DETAIL_MAX];
	/* index, not pointer: phase_add may move the array */
	size_t ident_at = (size_t)-1;
	uint64_t nident = 0;
	for (size_t i = 0; i < nprocs; i++) {
		const struct pf_pex_proc *p = &procs[i];
		/* A re-exec: the next image of the same pid runs from PEX_ROOT.
		 * The time of this image is pex's bootstrap before the re-exec. */
		const struct pf_pex_proc *next = NULL;
		for (size_t j = i + 1; j < nprocs && !next; j++)
			if (procs[j].pid == p->pid)
				next = &procs[j];
		int na = next ? proc_pex_area(next) : -1;
		if (na >= 0) {
			struct pf_pex_phase *ph = phase_add(out);
			if (!ph)
				return -1;
			ph->pid = p->pid;
			snprintf(ph->name, sizeof(ph->name),
				 "bootstrap, then re-exec into PEX_ROOT/%s", area_names[na]);
			uint64_t end = p->end_ns > p->start_ns ? p->end_ns : next->start_ns;
			ph->ns = end > p->start_ns ? end - p->start_ns : 0;
			join_argv(p, args, sizeof(args));
			join_argv(next, args2, sizeof(args2));
			snprintf(ph->detail, sizeof(ph->detail), "pid %d: %.200s -> %.200s",
				 p->pid, args, args2);
		}
		const char *vt = venv_target(p);
		if (vt) {
			struct pf_pex_phase *ph = phase_add(out);
			if (!ph)
				return -1;
			ph->pid = p->pid;
			int a = pf_pex_classify(vt, NULL, NULL, 0);
			snprintf(ph->name, sizeof(ph->name), "create venv (%s)%s", venv_tool(p),
				 a == PF_PEX_VENVS ? " in PEX_ROOT/venvs" : "");
			ph->ns = proc_ns(p);
			snprintf(ph->detail, sizeof(ph->detail), "pid %d: %s", p->pid,
				 vt[0] ? vt : "(directory not in argv)");
		}
		if (is_interp_identify(p)) {
			if (ident_at == (size_t)-1) {
				if (!phase_add(out))
					return -1;
				ident_at = out->n - 1;
				out->v[ident_at].pid = p->pid;
			}
			struct pf_pex_phase *ident = &out->v[ident_at];
			nident++;
			ident->ns += proc_ns(p);
			size_t o = strlen(ident->detail);
			if (o + 1 < sizeof(ident->detail))
				snprintf(ident->detail + o, sizeof(ident->detail) - o, "%s%s (pid %d)",
					 o ? ", " : "", p->argc ? p->argv[0] : p->exe, p->pid);
			snprintf(ident->name, sizeof(ident->name), "identify %llu %s",
				 (unsigned long long)nident, plural(nident, "interpreter", "interpreters"));
		}
	}
	return 0;
}

int pf_pex_phases_compute(const struct pf_pex_file *files, size_t nfiles,
			  const struct pf_pex_proc *procs, size_t nprocs,
			  const struct pf_pex_archive *archives, size_t narchives,
			  struct pf_pex_phases *out)
{
	memset(out, 0, sizeof(*out));
	/* File phases belong to the process running the pex: the first image
	 * whose argv names a .pex or a PEX_ROOT path (else the root). */
	int pid = nprocs ? procs[0].pid : 0;
	for (size_t i = 0; i < nprocs; i++) {
		int hit = proc_pex_area(&procs[i]) >= 0;
		for (int k = 0; !hit && k < procs[i].argc; k++)
			hit = ends_with(procs[i].argv[k], ".pex") || ends_with(procs[i].argv[k], ".pex/");
		if (hit) {
			pid = procs[i].pid;
			break;
		}
	}
	if (file_phases(files, nfiles, archives, narchives, pid, out) ||
	    proc_phases(procs, nprocs, out)) {
		pf_pex_phases_free(out);
		return -1;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_phase);
	return 0;
}

void pf_pex_phases_free(struct pf_pex_phases *ph)
{
	free(ph->v);
	ph->v = NULL;
	ph->n = ph->cap = 0;
}
