// SPDX-License-Identifier: GPL-2.0-only
/* Attaching the uprobes (inflate, inflateInit2_; CPython's
 * Py_CompileStringObject, PyEval_EvalCode, PyImport_ImportModuleLevelObject)
 * and, for an interpreter without PyEval_EvalCode uprobes (kernels without
 * uprobe_multi), the CPython USDT probes (import__find__load__start/done) to
 * the binaries the traced tree runs. Where the kernel has uprobe_multi links,
 * a binary's uprobes are two links (entry, return), whatever their number:
 * removing a link waits for grace periods, about 30 ms a link, where a
 * perf-event uprobe costs about 0.1 s each.
 * Each is attached once per file, for every process (pid -1): the BPF side
 * filters by the traced set, and a probe attached after a process mapped the
 * file still fires in it. */
#include <errno.h>
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "perfanity.h"
#include "elf_syms.h"
#include "link_handoff.h"
#include "py_layout.h"
#include "trace_model.h"
#include "trace_probes.h"
#include "uprobe_multi.h"
#include "trace.skel.h"

void pf_probes_init(struct pf_probes *p, struct trace_bpf *skel, bool verbose)
{
	memset(p, 0, sizeof(*p));
	p->skel = skel;
	p->verbose = verbose;
	p->multi = bpf_program__fd(skel->progs.pf_uprobe_multi_entry) >= 0 &&
		   bpf_program__fd(skel->progs.pf_uprobe_multi_return) >= 0;
}

static void keep_link(struct pf_probes *p, struct bpf_link *l)
{
	struct bpf_link **v = realloc(p->links, (p->nlinks + 1) * sizeof(*v));

	if (!v) {
		bpf_link__destroy(l);
		return;
	}
	p->links = v;
	p->links[p->nlinks++] = l;
}

static struct bpf_link *uprobe(struct pf_probes *p, struct bpf_program *prog, bool ret,
			       const char *path, unsigned long off)
{
	struct bpf_link *l = bpf_program__attach_uprobe(prog, ret, -1, path, off);

	if (!l) {
		if (p->verbose)
			fprintf(stderr, "perfanity: trace: no uprobe on %s+0x%lx: %s\n", path, off,
				strerror(errno));
		return NULL;
	}
	keep_link(p, l);
	return l;
}

/* The functions probed, by symbol: the cookie tells the BPF program which
 * fired; ret: a return probe too. */
static const struct {
	const char *sym;
	__u64 cookie;
	bool ret;
} targets[] = {
	{ "inflate", PF_UP_INFLATE, true },
	{ "inflateInit2_", PF_UP_INFLATE_INIT, false },
	{ "Py_CompileStringObject", PF_UP_COMPILE, true },
	{ "PyEval_EvalCode", PF_UP_EVAL, true },
	{ "PyImport_ImportModuleLevelObject", PF_UP_IMPORT_STMT, true },
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

static void keep_multi(struct pf_probes *p, int prog_fd, const char *path, const unsigned long *offs,
		       const __u64 *cookies, size_t n, bool ret)
{
	int fd, *v;

	if (!n)
		return;
	fd = pf_uprobe_multi_attach(prog_fd, path, offs, cookies, n, ret);
	if (fd < 0) {
		if (p->verbose)
			fprintf(stderr, "perfanity: trace: no uprobe_multi link on %s: %s\n", path, strerror(-fd));
		return;
	}
	v = realloc(p->multi_fds, (p->nmulti + 1) * sizeof(*v));
	if (!v) {
		close(fd);
		return;
	}
	p->multi_fds = v;
	p->multi_fds[p->nmulti++] = fd;
}

/* A CPython defining PyEval_EvalCode: its layout, read from its file. */
static bool python_layout(struct pf_probes *p, const char *path, struct pf_py_layout *py)
{
	unsigned long off;
	int e;

	if (pf_elf_sym_offset(path, "PyEval_EvalCode", &off))
		return false;
	e = pf_py_layout_read(path, py);
	if (e && p->verbose)
		fprintf(stderr, "perfanity: trace: %s: no co_filename offset (%s): imports not timed there\n", path,
			strerror(-e));
	return !e;
}

/* Every probed function the binary defines, in two uprobe_multi links. */
static void attach_multi(struct pf_probes *p, struct pf_probe_bin *b)
{
	struct pf_py_layout py;
	unsigned long offs[NTARGETS], roffs[NTARGETS], off;
	__u64 cookies[NTARGETS], rcookies[NTARGETS];
	size_t n = 0, rn = 0;

	bool imports = python_layout(p, b->path, &py);

	for (size_t i = 0; i < NTARGETS; i++) {
		__u64 cookie = targets[i].cookie;

		if (pf_elf_sym_offset(b->path, targets[i].sym, &off))
			continue;
		if ((cookie == PF_UP_EVAL || cookie == PF_UP_IMPORT_STMT) && !imports)
			continue; /* the imports' probes need the code object's layout */
		if (imports && (cookie == PF_UP_EVAL || cookie == PF_UP_COMPILE))
			cookie = PF_UP_EVAL_COOKIE(cookie, py.co_filename, py.ascii_hdr, py.compact_hdr);
		offs[n] = off;
		cookies[n++] = cookie;
		if (targets[i].ret) {
			roffs[rn] = off;
			rcookies[rn++] = cookie;
		}
		b->inflate |= PF_UP_KIND(cookie) == PF_UP_INFLATE;
		b->compile |= PF_UP_KIND(cookie) == PF_UP_COMPILE;
	}
	b->eval = imports;
	keep_multi(p, bpf_program__fd(p->skel->progs.pf_uprobe_multi_entry), b->path, offs, cookies, n, false);
	keep_multi(p, bpf_program__fd(p->skel->progs.pf_uprobe_multi_return), b->path, roffs, rcookies, rn,
		   true);
}

/* Without uprobe_multi: inflate() alone, one perf-event uprobe per probe. */
static void attach_inflate(struct pf_probes *p, struct pf_probe_bin *b)
{
	unsigned long off_inflate, off_init;

	if (pf_elf_sym_offset(b->path, "inflate", &off_inflate))
		return;
	if (!uprobe(p, p->skel->progs.pf_inflate_enter, false, b->path, off_inflate) ||
	    !uprobe(p, p->skel->progs.pf_inflate_exit, true, b->path, off_inflate))
		return;
	if (!pf_elf_sym_offset(b->path, "inflateInit2_", &off_init))
		uprobe(p, p->skel->progs.pf_inflate_init, false, b->path, off_init);
	b->inflate = true;
}

static void attach_usdt(struct pf_probes *p, struct pf_probe_bin *b);

/* An interpreter's imports: PyEval_EvalCode uprobes in the executable, or
 * in the libpython it links (shared builds); else its USDT probes. */
static void probe_imports(struct pf_probes *p, size_t idx)
{
	char lib[PATH_MAX + 64];
	struct pf_probe_bin *l;

	p->bins[idx].imports_in = -1;
	if (p->bins[idx].eval) {
		p->bins[idx].imports_in = (int)idx;
		p->bins[idx].usdt = 0;
		return;
	}
	if (!pf_py_libpython(p->bins[idx].path, lib, sizeof(lib)) && (l = pf_probes_add(p, lib, false)) && l->eval) {
		p->bins[idx].imports_in = (int)(l - p->bins); /* p->bins may have moved */
		p->bins[idx].usdt = 0;
		return;
	}
	attach_usdt(p, &p->bins[idx]);
}

static void attach_usdt(struct pf_probes *p, struct pf_probe_bin *b)
{
	struct bpf_link *start, *done;

	if (bpf_program__fd(p->skel->progs.pf_import_start) < 0) { /* not loaded: uprobe_multi kernels */
		b->usdt = 0;
		return;
	}
	start = bpf_program__attach_usdt(p->skel->progs.pf_import_start, -1, b->path, "python",
					 "import__find__load__start", NULL);
	if (!start) {
		b->usdt = 0;
		return;
	}
	done = bpf_program__attach_usdt(p->skel->progs.pf_import_done, -1, b->path, "python",
					"import__find__load__done", NULL);
	if (!done) {
		bpf_link__destroy(start);
		b->usdt = 0;
		return;
	}
	keep_link(p, start);
	keep_link(p, done);
	b->usdt = 1;
}

struct pf_probe_bin *pf_probes_add(struct pf_probes *p, const char *path, bool want_usdt)
{
	struct pf_probe_bin *b = NULL, *v;
	struct stat st;

	if (!path || !*path || stat(path, &st) || !S_ISREG(st.st_mode))
		return NULL;
	for (size_t i = 0; i < p->nbins; i++)
		if (p->bins[i].dev == st.st_dev && p->bins[i].ino == st.st_ino)
			b = &p->bins[i];
	if (!b) {
		v = realloc(p->bins, (p->nbins + 1) * sizeof(*v));
		if (!v)
			return NULL;
		p->bins = v;
		b = &p->bins[p->nbins++];
		memset(b, 0, sizeof(*b));
		b->path = strdup(path);
		b->dev = st.st_dev;
		b->ino = st.st_ino;
		b->usdt = -1;
		b->imports_in = -1;
		if (!b->path) {
			p->nbins--;
			return NULL;
		}
		if (p->multi)
			attach_multi(p, b);
		else
			attach_inflate(p, b);
	}
	if (want_usdt && b->usdt < 0) {
		size_t idx = (size_t)(b - p->bins);

		probe_imports(p, idx);
		b = &p->bins[idx];
	}
	return b;
}

const char *pf_probes_host_path(pid_t pid, const char *path, char *buf, size_t len)
{
	static struct stat self;
	struct stat ns;
	char link[64];

	if (!self.st_ino && stat("/proc/self/ns/mnt", &self))
		return path;
	snprintf(link, sizeof(link), "/proc/%d/ns/mnt", (int)pid);
	if (stat(link, &ns) || (ns.st_dev == self.st_dev && ns.st_ino == self.st_ino) || path[0] != '/')
		return path;
	snprintf(buf, len, "/proc/%d/root%s", (int)pid, path);
	return buf;
}

void pf_probes_scan_pid(struct pf_probes *p, pid_t pid)
{
	char maps[64], line[PATH_MAX + 256];
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "r");
	if (!f)
		return;
	/* only names that look like zlib or a shared libpython: opening every
	 * mapped ELF would cost more */
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/'), *base;

		if (!path || !strstr(line, " r-xp ") )
			continue;
		path[strcspn(path, "\n")] = 0;
		base = strrchr(path, '/') + 1;
		if (strstr(base, "libz") || strstr(base, "zlib") || !strncmp(base, "libpython", 9)) {
			char host[PATH_MAX + 64];

			pf_probes_add(p, pf_probes_host_path(pid, path, host, sizeof(host)), false);
		}
	}
	fclose(f);
}

void pf_probes_report(const struct pf_probes *p, struct pf_trace *tr)
{
	for (size_t i = 0; i < p->nbins; i++) {
		const struct pf_probe_bin *b = &p->bins[i];

		if (b->inflate)
			pf_trace_add_probe(tr, "inflate", b->path);
		if (b->compile)
			pf_trace_add_probe(tr, "compile", b->path);
		if (b->usdt < 0)
			continue;
		if (b->imports_in >= 0)
			pf_trace_add_interpreter(tr, b->path, "PyEval_EvalCode", p->bins[b->imports_in].path);
		else
			pf_trace_add_interpreter(tr, b->path, b->usdt == 1 ? "usdt" : "none", b->usdt == 1 ? b->path : "");
	}
}

static void *destroy_some(void *arg)
{
	struct pf_probes_destroyer *d = arg;
	size_t multi = d->p->handoff > 0 ? 0 : d->p->nmulti;

	for (size_t i = d->first; i < d->p->nlinks + multi; i += d->step)
		if (i < d->p->nlinks)
			bpf_link__destroy(d->p->links[i]);
		else
			close(d->p->multi_fds[i - d->p->nlinks]);
	return NULL;
}

/* Unregistering a probe waits for grace periods (30 ms a link, 0.1 s a
 * perf-event uprobe): detach them all at once, in parallel, rather than one
 * after another, and
 * while the trace is read and written out (joined in pf_probes_free). */
void pf_probes_detach_start(struct pf_probes *p)
{
	size_t all, n;

	if (p->detach_t0)
		return;
	p->detach_t0 = pf_now_s();
	p->handoff = pf_link_handoff(p->multi_fds, p->nmulti);
	all = p->nlinks + (p->handoff > 0 ? 0 : p->nmulti);
	n = all < PF_PROBES_MAX_THREADS ? all : PF_PROBES_MAX_THREADS;
	for (size_t t = 0; t < n; t++) {
		p->destroyers[t] = (struct pf_probes_destroyer){ p, t, n };
		if (pthread_create(&p->threads[t], NULL, destroy_some, &p->destroyers[t]))
			break;
		p->nthreads++;
	}
	for (size_t t = p->nthreads; t < n; t++) /* no threads: the slow way, for what was not started */
		destroy_some(&p->destroyers[t]);
}

void pf_probes_free(struct pf_probes *p)
{
	double t_wait;

	pf_probes_detach_start(p);
	t_wait = pf_now_s();
	for (size_t t = 0; t < p->nthreads; t++)
		pthread_join(p->threads[t], NULL);
	if (p->verbose) /* each perf-event uprobe waits for its own grace period */
		fprintf(stderr, "perfanity: trace: removed %zu perf-event probes and %zu uprobe_multi links in %.3f s "
				"(%.3f s of it waited for at the end)%s\n",
			p->nlinks, p->nmulti, pf_now_s() - p->detach_t0, pf_now_s() - t_wait,
			p->handoff > 0 ? ": the uprobe_multi links are let go by a child, which waits for their "
					 "grace periods after perfanity exits"
				       : "");
	for (size_t i = 0; i < p->nbins; i++)
		free(p->bins[i].path);
	free(p->links);
	free(p->multi_fds);
	free(p->bins);
	memset(p, 0, sizeof(*p));
}
