// SPDX-License-Identifier: GPL-2.0-only
/* perfanity trace --sample, user side (see trace_sample.h): loads
 * bpf/sample.bpf.c, puts it on a cpu-clock perf event per CPU, tells it
 * where each traced interpreter keeps its frames, and at the end turns the
 * kernel's counts into named stacks (src/samples.c). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "perfanity.h"
#include "pf_util.h"
#include "py_frames.h"
#include "py_layout.h"
#include "samples.h"
#include "stack_symbols.h"
#include "trace_sample.h"
#include "sample.skel.h"

/* What was found of a traced process's interpreter. */
struct py_proc {
	uint32_t pid;
	size_t nexecs; /* its exec count when last looked at: an exec looks again */
	bool found;
};

struct pf_sampler {
	struct sample_bpf *skel;
	unsigned hz;
	bool verbose;
	int ncpus;
	int *perf_fds;
	struct bpf_link **links;
	struct pf_symbols *syms;
	struct py_proc *py;
	size_t npy, cappy;
	double t_load, t_attach, t_stop, t_collect; /* seconds, for --verbose */
	pthread_t kallsyms;  /* reads the kernel's symbols while the command runs */
	bool kallsyms_started;
};

static void *read_kallsyms(void *arg)
{
	pf_symbols_read_kernel(arg);
	return NULL;
}

/* The kernel's symbols are read: the reading thread joined. */
static void kallsyms_done(struct pf_sampler *s)
{
	if (s->kallsyms_started)
		pthread_join(s->kallsyms, NULL);
	s->kallsyms_started = false;
}

struct pf_sampler *pf_sampler_new(unsigned hz, bool verbose)
{
	struct pf_sampler *s = calloc(1, sizeof(*s));

	if (!s || !(s->syms = pf_symbols_new())) {
		pf_err("--sample: out of memory; tracing without samples");
		free(s);
		return NULL;
	}
	s->hz = hz;
	s->verbose = verbose;
	s->kallsyms_started = !pthread_create(&s->kallsyms, NULL, read_kallsyms, s->syms);
	return s;
}

int pf_sampler_load(struct pf_sampler *s, int traced_fd)
{
	int err;

	s->t_load = pf_now_s();
	s->skel = sample_bpf__open();
	if (!s->skel) {
		pf_err("--sample: cannot open the sampling program: %s; tracing without samples", strerror(errno));
		return -1;
	}
	err = bpf_map__reuse_fd(s->skel->maps.traced, traced_fd);
	if (!err)
		err = sample_bpf__load(s->skel);
	if (err) {
		pf_err("--sample: cannot load the sampling program: %s; tracing without samples", strerror(-err));
		return -1;
	}
	s->t_load = pf_now_s() - s->t_load;
	return 0;
}

static int perf_event_open_cpu(unsigned hz, int cpu)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.size = sizeof(a),
		.sample_freq = hz,
		.freq = 1,
	};

	return (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Each possible CPU: one offline now gets no event, and none is missed but
 * what runs there (nothing, while it is offline). */
int pf_sampler_attach(struct pf_sampler *s)
{
	int n = libbpf_num_possible_cpus(), attached = 0;
	double t = pf_now_s();

	/* before the command runs, not beside it: the reading would take a CPU
	 * from it (begun before the main object's load, it is mostly done) */
	kallsyms_done(s);
	if (n <= 0 || !(s->perf_fds = calloc((size_t)n, sizeof(int))) ||
	    !(s->links = calloc((size_t)n, sizeof(*s->links)))) {
		pf_err("--sample: %s; tracing without samples", strerror(n < 0 ? -n : ENOMEM));
		return -1;
	}
	s->ncpus = n;
	for (int c = 0; c < n; c++) {
		s->perf_fds[c] = perf_event_open_cpu(s->hz, c);
		if (s->perf_fds[c] < 0) {
			if (errno == ENODEV || errno == ENOENT)
				continue; /* not online */
			pf_err("--sample: perf_event_open on CPU %d: %s; tracing without samples", c, strerror(errno));
			return -1;
		}
		s->links[c] = bpf_program__attach_perf_event(s->skel->progs.pf_sample, s->perf_fds[c]);
		if (!s->links[c]) {
			pf_err("--sample: cannot attach to CPU %d's perf event: %s; tracing without samples", c,
			       strerror(errno));
			return -1;
		}
		attached++;
	}
	s->t_attach = pf_now_s() - t;
	return attached ? 0 : -1;
}

void pf_sampler_stop(struct pf_sampler *s)
{
	double t = pf_now_s();

	for (int c = 0; s && c < s->ncpus; c++) {
		bpf_link__destroy(s->links[c]);
		s->links[c] = NULL;
		if (s->perf_fds[c] > 0)
			close(s->perf_fds[c]);
		s->perf_fds[c] = -1;
	}
	if (s)
		s->t_stop += pf_now_s() - t;
}

void pf_sampler_close(struct pf_sampler *s)
{
	if (!s)
		return;
	pf_sampler_stop(s);
	kallsyms_done(s);
	if (s->verbose)
		fprintf(stderr,
			"perfanity: trace: --sample cost: load+verify %.3f s, perf events %.3f s, stop %.3f s, "
			"reading and naming the stacks %.3f s\n",
			s->t_load, s->t_attach, s->t_stop, s->t_collect);
	free(s->perf_fds);
	free(s->links);
	sample_bpf__destroy(s->skel);
	pf_symbols_free(s->syms);
	free(s->py);
	free(s);
}

static struct py_proc *py_proc_of(struct pf_sampler *s, uint32_t pid)
{
	for (size_t i = 0; i < s->npy; i++)
		if (s->py[i].pid == pid)
			return &s->py[i];
	if (PF_GROW(s->py, s->cappy, s->npy, 32))
		return NULL;
	s->py[s->npy] = (struct py_proc){ .pid = pid, .nexecs = (size_t)-1 };
	return &s->py[s->npy++];
}

/* Where the file at path is mapped in pid: the start of its mapping at
 * file offset 0, less the page of its first loadable segment's address
 * (0 for a non-PIE executable, the load address for a shared object). */
static int load_bias(const char *maps_line_start, uint64_t *bias)
{
	unsigned long lo, off;

	if (sscanf(maps_line_start, "%lx-%*x %*4s %lx", &lo, &off) != 2 || off)
		return -1;
	*bias = lo;
	return 0;
}

/* A mapped file whose name says CPython (python3.X, libpython3.X.so):
 * its layout, and where it is loaded. 0 when the process runs one. */
static int find_interpreter(pid_t pid, struct pf_py_offsets *o)
{
	char maps[64], line[PATH_MAX + 256];
	FILE *f;
	int rc = -ENOENT;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	f = fopen(maps, "re");
	if (!f)
		return -errno;
	while (rc && fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/'), host[PATH_MAX + 64];
		const char *base;
		struct pf_py_layout l;
		uint64_t start;

		if (!path)
			continue;
		path[strcspn(path, "\n")] = 0;
		base = strrchr(path, '/') + 1;
		if (strncmp(base, "python", 6) && strncmp(base, "libpython", 9))
			continue;
		if (load_bias(line, &start))
			continue;
		snprintf(host, sizeof(host), "/proc/%d/root%s", (int)pid, path);
		if (pf_py_layout_read(host, &l))
			continue;
		rc = pf_py_frame_offsets(&l, start - l.load_va, o);
	}
	fclose(f);
	return rc;
}

void pf_sampler_scan_pid(struct pf_sampler *s, struct pf_trace *tr, pid_t pid)
{
	struct pf_proc *p = pf_trace_proc(tr, (uint32_t)pid);
	struct py_proc *pp = py_proc_of(s, (uint32_t)pid);
	struct pf_py_offsets o;
	__u32 key = (__u32)pid;

	pf_symbols_note_pid(s->syms, pid);
	if (!p || !pp || (pp->found && pp->nexecs == p->nexecs))
		return;
	if (pp->nexecs != p->nexecs)
		bpf_map_delete_elem(bpf_map__fd(s->skel->maps.py_procs), &key); /* a new image */
	pp->nexecs = p->nexecs;
	pp->found = !find_interpreter(pid, &o) &&
		    !bpf_map_update_elem(bpf_map__fd(s->skel->maps.py_procs), &key, &o, BPF_ANY);
}

void pf_sampler_scan(struct pf_sampler *s, struct pf_trace *tr)
{
	for (size_t i = 0; i < tr->nprocs; i++)
		if (!tr->procs[i].exited)
			pf_sampler_scan_pid(s, tr, (pid_t)tr->procs[i].pid);
}

/* A frame's name for a folded line: no ';' (the separator) and no newline. */
static void put_frame(FILE *m, const char *name, const char *suffix)
{
	if (ftell(m) > 0)
		putc(';', m);
	for (const char *c = name; *c; c++)
		putc(*c == ';' || *c == '\n' ? ':' : *c, m);
	fputs(suffix, m);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* A stack's addresses, innermost first; how many. */
static int stack_ips(struct pf_sampler *s, int id, __u64 *ips)
{
	int n = 0;

	if (id < 0 || bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.stacks), &id, ips))
		return 0;
	while (n < PF_STACK_DEPTH && ips[n])
		n++;
	return n;
}

/* The Python frames, outermost first; the innermost's name into *leaf.
 * Returns how many. */
static int python_frames(struct pf_sampler *s, uint32_t pid, __u64 h, FILE *m, char **leaf)
{
	struct pf_py_stack st;
	int n = 0;

	if (!h || bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.pystacks), &h, &st))
		return 0;
	for (int i = (int)(st.depth < PF_PY_DEPTH ? st.depth : PF_PY_DEPTH) - 1; i >= 0; i--) {
		struct pf_code_key k = { .tgid = pid, .code = st.code[i], .name = st.name[i] };
		struct pf_code_info ci;
		char name[PF_PY_NAME + PF_PY_FILE + 32];

		if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.codes), &k, &ci))
			snprintf(name, sizeof(name), "[python code 0x%llx]", (unsigned long long)k.code);
		else
			snprintf(name, sizeof(name), "%.*s (%.*s:%d)", PF_PY_NAME, ci.name, PF_PY_FILE,
				 base_name(ci.file), ci.firstlineno);
		put_frame(m, name, "");
		if (i == 0)
			*leaf = strdup(name);
		n++;
	}
	return n;
}

static bool is_eval_loop(const char *func)
{
	return !strncmp(func, "_PyEval_EvalFrame", 17);
}

/* The native frames: under Python frames only those the innermost Python
 * frame called (inside the innermost eval loop), else all of them. */
static void native_frames(struct pf_sampler *s, const struct pf_sample_key *k, bool python, FILE *m,
			  struct pf_sample_row *row)
{
	static __u64 ips[PF_STACK_DEPTH];
	static struct pf_frame_name names[PF_STACK_DEPTH];
	int n = stack_ips(s, k->ustack, ips), from;

	for (int i = 0; i < n; i++) /* a caller's frame holds a return address: the call is before it */
		pf_symbols_user(s->syms, (pid_t)k->tgid, k->image, i ? ips[i] - 1 : ips[i], &names[i]);
	if (!n)
		return;
	row->native_func = strdup(names[0].func);
	row->native_lib = strdup(names[0].lib);
	from = n - 1;
	for (int i = 0; python && i < n; i++)
		if (is_eval_loop(names[i].func)) {
			from = i - 1;
			break;
		}
	for (int i = from; i >= 0; i--)
		put_frame(m, names[i].func, "");
}

static bool is_entry(const char *f)
{
	return !strncmp(f, "entry_SYSCALL", 13) || !strcmp(f, "do_syscall_64") || !strcmp(f, "x64_sys_call");
}

/* The kernel frames (FlameGraph's "_[k]" marks them), and the path: the
 * first frame past the syscall entry, and the leaf. */
static void kernel_frames(struct pf_sampler *s, int id, FILE *m, struct pf_sample_row *row)
{
	static __u64 ips[PF_STACK_DEPTH];
	char name[128], first[128] = "", path[300];
	int n = stack_ips(s, id, ips);

	for (int i = n - 1; i >= 0; i--) {
		pf_symbols_kernel(s->syms, ips[i], name, sizeof(name));
		put_frame(m, name, "_[k]");
		if (!first[0] && !is_entry(name))
			snprintf(first, sizeof(first), "%s", name);
		if (i == 0) {
			if (!strcmp(first, name) || !first[0])
				snprintf(path, sizeof(path), "%s", name);
			else
				snprintf(path, sizeof(path), "%s -> %s", first, name);
			row->kernel_path = strdup(path);
		}
	}
}

static char *proc_frame(struct pf_trace *tr, uint32_t pid)
{
	struct pf_proc *p = pf_trace_proc(tr, pid);
	const char *name = "?";
	char *out = NULL;

	if (p && p->nexecs && p->execs[p->nexecs - 1].exe)
		name = base_name(p->execs[p->nexecs - 1].exe);
	else if (p && p->comm)
		name = p->comm;
	if (asprintf(&out, "%s (%u)", name, pid) < 0)
		return NULL;
	return out;
}

static void add_row(struct pf_sampler *s, struct pf_trace *tr, const struct pf_sample_key *k, uint64_t count)
{
	struct pf_sample_row row = { .pid = k->tgid, .count = count };
	size_t len = 0;
	FILE *m = open_memstream(&row.frames, &len);
	int py;

	if (!m)
		return;
	py = python_frames(s, k->tgid, k->pystack, m, &row.py_func);
	native_frames(s, k, py > 0, m, &row);
	kernel_frames(s, k->kstack, m, &row);
	fclose(m);
	row.proc = proc_frame(tr, k->tgid);
	if (pf_samples_add(tr->samples, &row))
		tr->samples->lost += count;
	free(row.proc);
	free(row.frames);
	free(row.py_func);
	free(row.native_func);
	free(row.native_lib);
	free(row.kernel_path);
}

void pf_sampler_collect(struct pf_sampler *s, struct pf_trace *tr)
{
	int fd = bpf_map__fd(s->skel->maps.counts);
	struct pf_sample_key key, next, *prev = NULL;
	double t = pf_now_s();

	kallsyms_done(s);
	tr->samples = calloc(1, sizeof(*tr->samples));
	if (!tr->samples) {
		pf_err("--sample: out of memory: the samples are lost");
		return;
	}
	pf_samples_init(tr->samples, s->hz);
	tr->samples->count = s->skel->bss->samples;
	tr->samples->lost = s->skel->bss->lost;
	tr->samples->lost_stacks = s->skel->bss->lost_stacks;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		__u64 count = 0;

		if (!bpf_map_lookup_elem(fd, &next, &count))
			add_row(s, tr, &next, count);
		key = next;
		prev = &key;
	}
	s->t_collect = pf_now_s() - t;
}
