/* Attaching the uprobes (inflate, inflateInit2_) and the CPython USDT probes
 * (import__find__load__start/done) to the binaries the traced tree runs.
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
#include <bpf/libbpf.h>
#include "perfanity.h"
#include "elf_syms.h"
#include "trace_model.h"
#include "trace_probes.h"
#include "trace.skel.h"

void pf_probes_init(struct pf_probes *p, struct trace_bpf *skel, bool verbose)
{
	memset(p, 0, sizeof(*p));
	p->skel = skel;
	p->verbose = verbose;
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
		attach_inflate(p, b);
	}
	if (want_usdt && b->usdt < 0)
		attach_usdt(p, b);
	return b;
}

void pf_probes_scan_pid(struct pf_probes *p, pid_t pid)
{
	char maps[64], line[PATH_MAX + 256];
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "r");
	if (!f)
		return;
	/* only names that look like zlib: opening every mapped ELF would cost more */
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/'), *base;

		if (!path || !strstr(line, " r-xp ") )
			continue;
		path[strcspn(path, "\n")] = 0;
		base = strrchr(path, '/') + 1;
		if (strstr(base, "libz") || strstr(base, "zlib"))
			pf_probes_add(p, path, false);
	}
	fclose(f);
}

void pf_probes_report(const struct pf_probes *p, struct pf_trace *tr)
{
	for (size_t i = 0; i < p->nbins; i++) {
		const struct pf_probe_bin *b = &p->bins[i];

		if (b->inflate)
			pf_trace_add_probe(tr, "inflate", b->path);
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

	for (size_t i = d->first; i < d->p->nlinks; i += d->step)
		bpf_link__destroy(d->p->links[i]);
	return NULL;
}

/* Unregistering a uprobe waits for a grace period (about 0.1 s each here):
 * detach them all at once, in parallel, rather than one after another. */
static void destroy_links(struct pf_probes *p)
{
	enum { MAX_THREADS = 16 };
	pthread_t th[MAX_THREADS];
	struct destroyer d[MAX_THREADS];
	size_t n = p->nlinks < MAX_THREADS ? p->nlinks : MAX_THREADS, started = 0;

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
	destroy_links(p);
	for (size_t i = 0; i < p->nbins; i++)
		free(p->bins[i].path);
	free(p->links);
	free(p->bins);
	memset(p, 0, sizeof(*p));
}
