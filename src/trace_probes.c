// SPDX-License-Identifier: GPL-2.0-only
/* Attaching the uprobes (inflate, inflateInit2_; CPython's
 * Py_CompileStringObject) and the CPython
 * USDT probes (import__find__load__start/done) to the binaries the traced
 * tree runs. Where the kernel has uprobe_multi links, a binary's uprobes are
 * two links (entry, return), whatever their number: removing a link waits
 * for a grace period, about 0.1 s for each perf-event uprobe.
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

/* Every probed function the binary defines, in two uprobe_multi links. */
static void attach_multi(struct pf_probes *p, struct pf_probe_bin *b)
{
	unsigned long offs[NTARGETS], roffs[NTARGETS], off;
	__u64 cookies[NTARGETS], rcookies[NTARGETS];
	size_t n = 0, rn = 0;

	for (size_t i = 0; i < NTARGETS; i++) {
		if (pf_elf_sym_offset(b->path, targets[i].sym, &off))
			continue;
		offs[n] = off;
		cookies[n++] = targets[i].cookie;
		if (targets[i].ret) {
			roffs[rn] = off;
			rcookies[rn++] = targets[i].cookie;
		}
		b->inflate |= targets[i].cookie == PF_UP_INFLATE;
		b->compile |= targets[i].cookie == PF_UP_COMPILE;
	}
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

static void attach_usdt(struct pf_probes *p, struct pf_probe_bin *b)
{
	struct bpf_link *start, *done;

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
		if (!b->path) {
			p->nbins--;
			return NULL;
		}
		if (p->multi)
			attach_multi(p, b);
		else
			attach_inflate(p, b);
	}
	if (want_usdt && b->usdt < 0)
		attach_usdt(p, b);
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
		if (b->usdt >= 0)
			pf_trace_add_interpreter(tr, b->path, b->usdt == 1);
	}
}

struct destroyer {
	struct pf_probes *p;
	size_t first, step;
};

static void *destroy_some(void *arg)
{
	struct destroyer *d = arg;

	for (size_t i = d->first; i < d->p->nlinks + d->p->nmulti; i += d->step)
		if (i < d->p->nlinks)
			bpf_link__destroy(d->p->links[i]);
		else
			close(d->p->multi_fds[i - d->p->nlinks]);
	return NULL;
}

/* Unregistering a uprobe waits for a grace period (about 0.1 s each here):
 * detach them all at once, in parallel, rather than one after another. */
static void destroy_links(struct pf_probes *p)
{
	enum { MAX_THREADS = 16 };
	pthread_t th[MAX_THREADS];
	struct destroyer d[MAX_THREADS];
	size_t all = p->nlinks + p->nmulti, n = all < MAX_THREADS ? all : MAX_THREADS, started = 0;

	for (size_t t = 0; t < n; t++) {
		d[t] = (struct destroyer){ p, t, n };
		if (pthread_create(&th[t], NULL, destroy_some, &d[t]))
			break;
		started++;
	}
	if (started < n) { /* no threads: the slow way, for what was not started */
		for (size_t t = started; t < n; t++)
			destroy_some(&d[t]);
	}
	for (size_t t = 0; t < started; t++)
		pthread_join(th[t], NULL);
}

void pf_probes_free(struct pf_probes *p)
{
	double t0 = pf_now_s();

	destroy_links(p);
	if (p->verbose) /* each perf-event uprobe waits for its own grace period */
		fprintf(stderr, "perfanity: trace: removed %zu perf-event probes and %zu uprobe_multi links in %.3f s\n",
			p->nlinks, p->nmulti, pf_now_s() - t0);
	for (size_t i = 0; i < p->nbins; i++)
		free(p->bins[i].path);
	free(p->links);
	free(p->multi_fds);
	free(p->bins);
	memset(p, 0, sizeof(*p));
}
