// SPDX-License-Identifier: GPL-2.0-only
/* The user-space model of a trace: built from backend events and aggregates. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "dir_group.h"
#include "pf_util.h"
#include "samples.h"
#include "trace_model.h"

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		abort();
	return p;
}

/* Room for one more element in a growable array; out of memory ends here, as xrealloc. */
static void room(void *arrayp, size_t *cap, size_t n, size_t elem)
{
	if (pf_grow(arrayp, cap, n, elem, 16))
		abort();
}

static void free_strmap(struct u64map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->used[i])
			free((char *)(uintptr_t)m->vals[i]);
	u64map_free(m);
}

static void put_str_once(struct u64map *m, uint64_t key, const char *s)
{
	if (u64map_get(m, key, NULL))
		return;
	if (u64map_put(m, key, (uint64_t)(uintptr_t)pf_xstrdup(s)))
		abort();
}

static char **argv_dup(char *const *argv)
{
	size_t n = 0;
	char **d;

	while (argv && argv[n])
		n++;
	d = xrealloc(NULL, (n + 1) * sizeof(*d));
	for (size_t i = 0; i < n; i++)
		d[i] = pf_xstrdup(argv[i]);
	d[n] = NULL;
	return d;
}

/* argv from the kernel's NUL-separated argument area. */
static char **argv_split(const char *args, size_t len)
{
	size_t n = 0, cap = 8;
	char **v = xrealloc(NULL, cap * sizeof(*v));

	for (size_t i = 0; i < len;) {
		size_t l = strnlen(args + i, len - i);

		if (n + 2 > cap)
			v = xrealloc(v, (cap *= 2) * sizeof(*v));
		v[n] = xrealloc(NULL, l + 1);
		memcpy(v[n], args + i, l);
		v[n++][l] = 0;
		i += l + 1;
	}
	v[n] = NULL;
	return v;
}

static void argv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void pf_trace_init(struct pf_trace *tr, char **command, const char *backend)
{
	memset(tr, 0, sizeof(*tr));
	tr->command = argv_dup(command);
	tr->backend = backend;
	tr->cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	u64map_init(&tr->proc_index);
	u64map_init(&tr->paths);
	u64map_init(&tr->modules);
}

void pf_trace_free(struct pf_trace *tr)
{
	for (size_t i = 0; i < tr->nprocs; i++) {
		struct pf_proc *p = &tr->procs[i];

		for (size_t j = 0; j < p->nexecs; j++) {
			free(p->execs[j].exe);
			argv_free(p->execs[j].argv);
		}
		free(p->execs);
		free(p->comm);
		argv_free(p->inherited_argv);
		free(p->inherited_exe);
	}
	free(tr->procs);
	free_strmap(&tr->paths);
	free_strmap(&tr->modules);
	u64map_free(&tr->proc_index);
	free(tr->files);
	free(tr->archives);
	free(tr->imports);
	pf_timeline_free(&tr->tl);
	for (size_t i = 0; i < tr->ninterps; i++) {
		free(tr->interps[i].exe);
		free(tr->interps[i].imports);
		free(tr->interps[i].imports_file);
	}
	free(tr->interps);
	for (size_t i = 0; i < tr->nprobes; i++) {
		free(tr->probes[i].kind);
		free(tr->probes[i].path);
	}
	free(tr->probes);
	for (size_t i = 0; i < tr->nattach_roots; i++)
		free(tr->attach_roots[i].how);
	free(tr->attach_roots);
	free(tr->peers);
	if (tr->samples)
		pf_samples_free(tr->samples);
	free(tr->samples);
	argv_free(tr->command);
	memset(tr, 0, sizeof(*tr));
}

struct pf_proc *pf_trace_proc(struct pf_trace *tr, uint32_t pid)
{
	uint64_t idx;

	return u64map_get(&tr->proc_index, pid, &idx) ? &tr->procs[idx] : NULL;
}

static struct pf_proc *new_proc(struct pf_trace *tr, uint32_t pid, uint32_t ppid, uint64_t ts)
{
	struct pf_proc *p;

	room(&tr->procs, &tr->cap_procs, tr->nprocs, sizeof(*tr->procs));
	p = &tr->procs[tr->nprocs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	p->start_ts = ts;
	if (u64map_put(&tr->proc_index, pid, tr->nprocs))
		abort();
	tr->nprocs++;
	return p;
}

struct pf_proc *pf_trace_add_root(struct pf_trace *tr, uint32_t pid, uint32_t ppid, uint64_t t0)
{
	struct pf_proc *p = new_proc(tr, pid, ppid, t0);

	tr->t0 = t0;
	p->inherited_argv = argv_dup(tr->command);
	p->inherited_exe = pf_xstrdup("");
	p->comm = pf_xstrdup(tr->command[0]);
	return p;
}

struct pf_proc *pf_trace_add_attached(struct pf_trace *tr, uint32_t pid, uint32_t ppid, uint64_t ts,
				      const char *comm, const char *exe, const char *args, size_t args_len,
				      const char *how)
{
	struct pf_proc *p = new_proc(tr, pid, ppid, ts);

	(void)how;
	p->comm = pf_xstrdup(comm);
	p->inherited_exe = pf_xstrdup(exe);
	p->inherited_argv = argv_split(args, args_len);
	p->attached = true;
	return p;
}

void pf_trace_add_attach_root(struct pf_trace *tr, uint32_t pid, const char *how)
{
	room(&tr->attach_roots, &tr->cap_attach_roots, tr->nattach_roots, sizeof(*tr->attach_roots));
	tr->attach_roots[tr->nattach_roots++] = (struct pf_attach_root){ .pid = pid, .how = pf_xstrdup(how) };
}

void pf_trace_on_fork(struct pf_trace *tr, uint32_t pid, uint32_t ppid, uint64_t ts, const char *comm)
{
	struct pf_proc *parent = pf_trace_proc(tr, ppid), *p = pf_trace_proc(tr, pid);
	char **pargv = NULL;
	const char *pexe = "";

	/* attaching found it in /proc before its fork event arrived */
	if (p && !p->exited && p->attached)
		return;

	/* read before new_proc(), which may move the array parent points into */
	bool attached = parent && parent->attached;

	/* the parent's argv and exe are what the child runs until it execs */
	if (parent) {
		if (parent->nexecs) {
			pargv = parent->execs[parent->nexecs - 1].argv;
			pexe = parent->execs[parent->nexecs - 1].exe;
		} else {
			pargv = parent->inherited_argv;
			pexe = parent->inherited_exe;
		}
	}
	p = new_proc(tr, pid, ppid, ts);
	p->comm = pf_xstrdup(comm);
	p->inherited_argv = argv_dup(pargv);
	p->inherited_exe = pf_xstrdup(pexe);
	p->attached = attached;
}

void pf_trace_on_adopt(struct pf_trace *tr, uint32_t pid, uint32_t ppid, uint64_t ts, const char *comm)
{
	struct pf_proc *p = new_proc(tr, pid, ppid, ts);

	p->comm = pf_xstrdup(comm);
	p->inherited_argv = argv_dup(NULL);
	p->inherited_exe = pf_xstrdup("");
	p->attached = true; /* someone else's: never signalled by trace */
	pf_trace_add_attach_root(tr, pid, tr->cg.how ? tr->cg.how : "cgroup");
}

void pf_trace_on_exec(struct pf_trace *tr, uint32_t pid, uint64_t ts, const char *exe,
		      const char *args, size_t args_len)
{
	struct pf_proc *p = pf_trace_proc(tr, pid);
	struct pf_exec_rec *e;

	if (!p)
		p = new_proc(tr, pid, 0, ts); /* its fork was lost: keep what we know */
	p->execs = xrealloc(p->execs, (p->nexecs + 1) * sizeof(*p->execs));
	e = &p->execs[p->nexecs++];
	e->ts = ts;
	e->exe = pf_xstrdup(exe);
	e->argv = argv_split(args, args_len);
}

void pf_trace_on_exit(struct pf_trace *tr, uint32_t pid, uint64_t ts, int wait_status)
{
	struct pf_proc *p = pf_trace_proc(tr, pid);

	if (!p)
		return;
	p->exited = true;
	p->end_ts = ts;
	p->wait_status = wait_status;
}

void pf_trace_on_path(struct pf_trace *tr, uint64_t hash, const char *path)
{
	put_str_once(&tr->paths, hash, path);
}

void pf_trace_on_module(struct pf_trace *tr, uint64_t hash, const char *name)
{
	put_str_once(&tr->modules, hash, name);
}

void pf_trace_add_cat(struct pf_trace *tr, uint32_t pid, unsigned cat, uint64_t ns)
{
	struct pf_proc *p = pf_trace_proc(tr, pid);

	if (p && cat < PF_CAT_MAX)
		p->cat_ns[cat] += ns;
}

void pf_trace_set_threads(struct pf_trace *tr, uint32_t pid, uint32_t threads, uint64_t thread_ns)
{
	struct pf_proc *p = pf_trace_proc(tr, pid);

	if (p) {
		p->threads = threads;
		p->thread_ns += thread_ns;
	}
}

void pf_trace_close_thread(struct pf_trace *tr, uint32_t pid, uint64_t start_ts, unsigned cat,
			   uint64_t now, const uint64_t *cat_ns)
{
	struct pf_proc *p = pf_trace_proc(tr, pid);
	uint64_t closed = 0, life = now > start_ts ? now - start_ts : 0;

	if (!p || cat >= PF_CAT_MAX)
		return;
	for (int c = 0; c < PF_CAT_MAX; c++) {
		p->cat_ns[c] += cat_ns[c];
		closed += cat_ns[c];
	}
	/* clamp: an interval may have closed a hair after `now` was read */
	if (life < closed)
		life = closed;
	p->cat_ns[cat] += life - closed;
	p->thread_ns += life;
}

void pf_trace_add_file(struct pf_trace *tr, uint64_t hash, const struct pf_file_stat *st)
{
	room(&tr->files, &tr->cap_files, tr->nfiles, sizeof(*tr->files));
	tr->files[tr->nfiles++] = (struct pf_file_row){ .hash = hash, .st = *st };
}

/* A thread's sums for a file it was still on at the end, into the file's row. */
void pf_trace_add_file_sums(struct pf_trace *tr, uint64_t hash, uint64_t ns, uint64_t ops,
			    uint64_t bytes_read, uint64_t bytes_written)
{
	for (size_t i = 0; i < tr->nfiles; i++) {
		struct pf_file_stat *st = &tr->files[i].st;

		if (tr->files[i].hash != hash)
			continue;
		st->ns += ns;
		st->ops += ops;
		st->bytes_read += bytes_read;
		st->bytes_written += bytes_written;
		return;
	}
	tr->map_full++; /* its row was lost when the map was full */
}

void pf_trace_add_archive(struct pf_trace *tr, uint64_t hash, const struct pf_archive_stat *st)
{
	room(&tr->archives, &tr->cap_archives, tr->narchives, sizeof(*tr->archives));
	tr->archives[tr->narchives++] = (struct pf_archive_row){ .hash = hash, .st = *st };
}

void pf_trace_add_import(struct pf_trace *tr, uint64_t hash, const struct pf_import_stat *st)
{
	room(&tr->imports, &tr->cap_imports, tr->nimports, sizeof(*tr->imports));
	tr->imports[tr->nimports++] = (struct pf_import_row){ .hash = hash, .st = *st };
}

void pf_trace_add_interpreter(struct pf_trace *tr, const char *exe, const char *imports, const char *file)
{
	room(&tr->interps, &tr->cap_interps, tr->ninterps, sizeof(*tr->interps));
	tr->interps[tr->ninterps++] = (struct pf_interp){ .exe = pf_xstrdup(exe), .usdt = !strcmp(imports, "usdt"),
							  .imports = pf_xstrdup(imports),
							  .imports_file = pf_xstrdup(file) };
}

void pf_trace_add_probe(struct pf_trace *tr, const char *kind, const char *path)
{
	room(&tr->probes, &tr->cap_probes, tr->nprobes, sizeof(*tr->probes));
	tr->probes[tr->nprobes++] = (struct pf_probe_rec){ .kind = pf_xstrdup(kind), .path = pf_xstrdup(path) };
}

void pf_trace_finish(struct pf_trace *tr, uint64_t t_end)
{
	tr->t_end = t_end;
	for (size_t i = 0; i < tr->nprocs; i++) {
		struct pf_proc *p = &tr->procs[i];

		if (!p->exited)
			p->end_ts = t_end;
		if (p->start_ts < tr->t0)
			p->start_ts = tr->t0;
	}
}

int pf_wait_status_to_exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

uint64_t pf_proc_cat_sum(const struct pf_proc *p)
{
	uint64_t sum = 0;

	for (int c = 0; c < PF_CAT_MAX; c++)
		sum += p->cat_ns[c];
	return sum;
}

size_t pf_trace_identity_violations(const struct pf_trace *tr)
{
	size_t bad = 0;

	for (size_t i = 0; i < tr->nprocs; i++)
		if (pf_proc_cat_sum(&tr->procs[i]) != tr->procs[i].thread_ns)
			bad++;
	return bad;
}

const char *pf_trace_path(const struct pf_trace *tr, uint64_t hash)
{
	uint64_t v;

	return u64map_get(&tr->paths, hash, &v) ? (const char *)(uintptr_t)v : NULL;
}

const char *pf_trace_module(const struct pf_trace *tr, uint64_t hash)
{
	uint64_t v;

	return u64map_get(&tr->modules, hash, &v) ? (const char *)(uintptr_t)v : NULL;
}

/* Rows start with (hash, ns): one comparison serves all three tables. */
static int cmp_ns_desc(uint64_t xh, uint64_t xns, uint64_t yh, uint64_t yns)
{
	if (xns != yns)
		return xns < yns ? 1 : -1;
	return xh < yh ? -1 : xh > yh;
}

static int file_cmp(const void *a, const void *b)
{
	const struct pf_file_row *x = a, *y = b;

	/* a file's time: its syscalls and the faults that waited for it */
	return cmp_ns_desc(x->hash, x->st.ns + x->st.fault_ns, y->hash, y->st.ns + y->st.fault_ns);
}

static int archive_cmp(const void *a, const void *b)
{
	const struct pf_archive_row *x = a, *y = b;

	return cmp_ns_desc(x->hash, x->st.ns, y->hash, y->st.ns);
}

static int import_cmp(const void *a, const void *b)
{
	const struct pf_import_row *x = a, *y = b;

	return cmp_ns_desc(x->hash, x->st.ns, y->hash, y->st.ns);
}

size_t pf_trace_dirs(struct pf_trace *tr, struct pf_dir_sum *sums, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < tr->nfiles; i++) {
		const struct pf_file_stat *st = &tr->files[i].st;
		const char *path = pf_trace_path(tr, tr->files[i].hash);

		if (path && (st->ops || st->faults))
			pf_dir_add(sums, &n, cap, path, st->ops, st->ns, st->fault_ns, st->bytes_read,
				   st->bytes_written);
	}
	pf_dir_sort(sums, n);
	return n;
}

void pf_trace_sort_files(struct pf_trace *tr)
{
	if (tr->nfiles) /* qsort(NULL, 0) is undefined */
		qsort(tr->files, tr->nfiles, sizeof(*tr->files), file_cmp);
}

void pf_trace_sort_archives(struct pf_trace *tr)
{
	if (tr->narchives)
		qsort(tr->archives, tr->narchives, sizeof(*tr->archives), archive_cmp);
}

void pf_trace_sort_imports(struct pf_trace *tr)
{
	if (tr->nimports)
		qsort(tr->imports, tr->nimports, sizeof(*tr->imports), import_cmp);
}
