// SPDX-License-Identifier: GPL-2.0-only
/* The eBPF backend of `perfanity trace`: loads bpf/trace.bpf.c, follows the
 * tree, turns ring-buffer events and map aggregates into the trace model. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "perfanity.h"
#include "btf_cache.h"
#include "pf_paths.h"
#include "syscall_class.h"
#include "trace_backend.h"
#include "trace_probes.h"
#include "trace_sample.h"
#include "uprobe_multi.h"
#include "trace_compile.h"
#include "trace_verifier_log.h"
#include "u64map.h"
#include "trace.skel.h"

struct pf_backend {
	struct trace_bpf *skel;
	struct ring_buffer *rb;
	struct pf_trace *tr;
	struct pf_probes probes;
	struct pf_sampler *sampler; /* --sample, NULL without (or when it could not load) */
	uint64_t last_scan;     /* when the live processes' maps were last read */
	/* the live threads' per-file sums, added once the file rows are read */
	struct pf_thread_state *live;
	size_t nlive;
	bool verbose;
	/* what the fixed cost is made of, in seconds (shown with --verbose) */
	struct {
		double open, load, attach_tp, attach_up, collect, detach_tp, detach_up, destroy;
	} cost;
	/* The kernel's per-process sums (maps procs and cat_ns) are keyed by pid and
	 * never reset, so a reused pid adds to them. Each process gets them when it
	 * exits; `given` keeps, per (pid, slot), the sum handed out so far, and a
	 * later process of that pid gets only what came after. */
	struct u64map given;
};

#define SLOT_THREADS PF_CAT_MAX  /* slots past the categories: the procs map's two sums */
#define SLOT_THREAD_NS (PF_CAT_MAX + 1)

static bool verbose_libbpf;
static char last_libbpf_msg[512];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[512];
	va_list copy;

	va_copy(copy, ap);
	vsnprintf(buf, sizeof(buf), fmt, copy);
	va_end(copy);
	if (level != LIBBPF_DEBUG && strlen(buf) > 1) {
		snprintf(last_libbpf_msg, sizeof(last_libbpf_msg), "%s", buf);
		last_libbpf_msg[strcspn(last_libbpf_msg, "\n")] = 0;
	}
	if (verbose_libbpf)
		fputs(buf, stderr);
	return 0;
}

static bool is_python(const char *exe)
{
	return !strncmp(pf_base_name(exe), "python", 6);
}

static void attach_system_libz(struct pf_backend *b);

static size_t event_size(__u32 type)
{
	switch (type) {
	case PF_EV_FORK:
		return sizeof(struct pf_ev_fork);
	case PF_EV_EXEC:
		return sizeof(struct pf_ev_exec);
	case PF_EV_EXIT:
		return sizeof(struct pf_ev_exit);
	default:
		return sizeof(struct pf_ev_path);
	}
}

static uint64_t given_so_far(struct pf_backend *b, uint32_t pid, unsigned slot)
{
	uint64_t v = 0;

	u64map_get(&b->given, (uint64_t)pid << 8 | slot, &v);
	return v;
}

/* Of the kernel's running sum for (pid, slot), what no earlier process of that pid got. */
static uint64_t take_new(struct pf_backend *b, uint32_t pid, unsigned slot, uint64_t total)
{
	uint64_t before = given_so_far(b, pid, slot);

	if (total != before)
		u64map_put(&b->given, (uint64_t)pid << 8 | slot, total);
	return total > before ? total - before : 0;
}

/* The categories d (summing to more than ns) cut down to ns, each by its share of
 * the excess: what is cut stays in the kernel's sums for the later process. */
static void cut_to(uint64_t *d, uint64_t sum, uint64_t ns)
{
	uint64_t extra = sum - ns, cut = 0;

	for (int c = 0; c < PF_CAT_MAX; c++) {
		uint64_t share = (uint64_t)((unsigned __int128)extra * d[c] / sum);

		d[c] -= share;
		cut += share;
	}
	for (int c = 0; c < PF_CAT_MAX && cut < extra; c++) { /* the rounding: a few ns */
		uint64_t more = d[c] < extra - cut ? d[c] : extra - cut;

		d[c] -= more;
		cut += more;
	}
}

/* A process exited: its sums, now, before its pid can be reused; its thread time
 * comes with the event, exact. Its categories are read from the map: should a
 * later process of the pid (reused before this event was read) have added to
 * them, they sum to more than its thread time, and are cut down to it (counted,
 * the split between the two estimated; each one's identity still exact). */
static void give_exit_sums(struct pf_backend *b, uint32_t pid, const struct pf_ev_exit *e)
{
	int fd = bpf_map__fd(b->skel->maps.cat_ns);
	uint64_t d[PF_CAT_MAX], sum = 0, ns = take_new(b, pid, SLOT_THREAD_NS, e->thread_ns);

	for (unsigned c = 0; c < PF_CAT_MAX; c++) {
		struct pf_cat_key k = { .tgid = pid, .cat = c };
		__u64 total = 0;

		bpf_map_lookup_elem(fd, &k, &total);
		d[c] = total > given_so_far(b, pid, c) ? total - given_so_far(b, pid, c) : 0;
		sum += d[c];
	}
	if (sum > ns) {
		cut_to(d, sum, ns);
		b->tr->reuse_splits++;
	}
	for (unsigned c = 0; c < PF_CAT_MAX; c++) {
		take_new(b, pid, c, given_so_far(b, pid, c) + d[c]);
		pf_trace_add_cat(b->tr, pid, c, d[c]);
	}
	pf_trace_set_threads(b->tr, pid, (uint32_t)take_new(b, pid, SLOT_THREADS, e->threads), ns);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct pf_backend *b = ctx;
	struct pf_trace *tr = b->tr;
	const struct pf_event_hdr *h = data;

	/* fixed-size events must be whole */
	if (size < sizeof(*h) || (h->type != PF_EV_PATH && size < event_size(h->type)))
		return 0;
	switch (h->type) {
	case PF_EV_FORK: {
		const struct pf_ev_fork *e = data;
		char comm[PF_COMM_LEN + 1] = { 0 };

		memcpy(comm, e->comm, PF_COMM_LEN);
		if (e->adopted)
			pf_trace_on_adopt(tr, h->pid, e->ppid, h->ts, comm);
		else
			pf_trace_on_fork(tr, h->pid, e->ppid, h->ts, comm);
		break;
	}
	case PF_EV_EXEC: {
		const struct pf_ev_exec *e = data;
		char exe[PF_PATH_MAX + 1] = { 0 }, host[PF_PATH_MAX + 64];

		memcpy(exe, e->filename, PF_PATH_MAX);
		pf_trace_on_exec(tr, h->pid, h->ts, exe, e->args,
				 e->args_len < PF_ARGS_MAX ? e->args_len : PF_ARGS_MAX);
		if (is_python(exe)) /* first: a short run may end while probes attach */
			pf_trace_note_python_env(tr, (pid_t)h->pid);
		/* a static zlib in the new image; an interpreter's import probes and
		 * the zlib it links, before its first import */
		pf_probes_add(&b->probes, pf_probes_host_path((pid_t)h->pid, exe, host, sizeof(host)),
			      is_python(exe));
		if (is_python(exe))
			attach_system_libz(b);
		if (b->sampler) /* a static interpreter is mapped already: its stacks from now on */
			pf_sampler_scan_pid(b->sampler, tr, (pid_t)h->pid);
		break;
	}
	case PF_EV_EXIT: {
		const struct pf_ev_exit *e = data;

		give_exit_sums(b, h->pid, e);
		pf_trace_on_exit(tr, h->pid, h->ts, e->exit_code);
		break;
	}
	case PF_EV_PATH: {
		/* variable size: the string's bytes only */
		const struct pf_ev_path *e = data;
		char path[PF_PATH_MAX + 1] = { 0 };
		size_t n = size - offsetof(struct pf_ev_path, path);

		if (size < offsetof(struct pf_ev_path, path))
			break;
		memcpy(path, e->path, n < PF_PATH_MAX ? n : PF_PATH_MAX);
		pf_trace_on_path(tr, e->hash, path);
		break;
	}
	case PF_EV_MODULE: {
		const struct pf_ev_path *e = data;
		char name[PF_PATH_MAX + 1] = { 0 };

		memcpy(name, e->path, PF_PATH_MAX);
		pf_trace_on_module(tr, e->hash, name);
		break;
	}
	}
	return 0;
}

/* --perfetto, --flame: the runs ring buffer's events. */
static int on_run(void *ctx, void *data, size_t size)
{
	struct pf_backend *b = ctx;
	const struct pf_event_hdr *h = data;

	if (h->type == PF_EV_RUN && size >= sizeof(struct pf_ev_run)) {
		const struct pf_ev_run *e = data;

		pf_timeline_add_run(&b->tr->tl, &(struct pf_run){ h->pid, e->tid, e->cat, h->ts, e->end, e->key });
	} else if (h->type == PF_EV_IMPORT_SPAN && size >= sizeof(struct pf_ev_import_span)) {
		const struct pf_ev_import_span *e = data;

		pf_timeline_add_span(&b->tr->tl, &(struct pf_span){ h->pid, e->tid, e->depth, h->ts, e->end, e->key });
	}
	return 0;
}

/* The runs ring buffer: a page unless the timeline is wanted, then room
 * for about a million runs between two reads. */
static void size_runs(struct trace_bpf *skel, const struct pf_trace *tr)
{
	skel->rodata->emit_runs = tr->tl.on;
	skel->rodata->run_min_ns = tr->tl.min_ns;
	if (tr->tl.on)
		bpf_map__set_max_entries(skel->maps.runs, 32u << 20);
}

/* What the BPF programs need beyond BTF and tp_btf, probed when loading
 * them failed (probing costs a few programs' loads: not on every run), so
 * that an older kernel is told what it lacks rather than shown a verifier
 * error. Prints what is missing; false if something is. */
static bool kernel_has_what_we_use(void)
{
	static const struct {
		enum bpf_func_id id;
		const char *name, *since;
	} helpers[] = {
		{ BPF_FUNC_loop, "bpf_loop", "5.17" },
		{ BPF_FUNC_find_vma, "bpf_find_vma", "5.17" },
		{ BPF_FUNC_task_storage_get, "bpf_task_storage_get", "5.11" },
		{ BPF_FUNC_ringbuf_output, "bpf_ringbuf_output", "5.8" },
	};

	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++) {
		int r = libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, helpers[i].id, NULL);

		if (r == 0) {
			pf_err("this kernel lacks %s (Linux %s or later has it), which perfanity trace needs",
			       helpers[i].name, helpers[i].since);
			return false;
		}
	}
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 0) {
		pf_err("this kernel lacks task-local storage maps (Linux 5.11 or later), which perfanity trace needs");
		return false;
	}
	return true;
}

/* The hash maps get their rows' memory as rows appear (BPF's allocator),
 * not all up front: preallocating them zeroes megabytes on every run, about
 * 10 to 20 ms of the start-up, for tables mostly left empty. A row is
 * allocated once, when its key is first seen; lookups cost the same. */
static void allocate_rows_on_demand(struct trace_bpf *s)
{
	struct bpf_map *maps[] = { s->maps.files, s->maps.cat_ns, s->maps.procs, s->maps.traced,
				   s->maps.imports, s->maps.import_stacks, s->maps.archives, s->maps.peers,
				   s->maps.run_drops };

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		bpf_map__set_map_flags(maps[i], bpf_map__map_flags(maps[i]) | BPF_F_NO_PREALLOC);
}

/* The kernel BTF for CO-RE: the cached minimal one (btf_cache.h) in
 * $PERFANITY_BTF_CACHE (a directory; "off": none) or the cache's btf/;
 * NULL: the kernel's own. */
static const char *core_btf(char *buf, size_t len)
{
	const char *setting = getenv("PERFANITY_BTF_CACHE");
	const void *obj;
	struct pf_paths paths;
	char err[256], dir[4096];
	size_t size;
	int ok = -1;

	obj = trace_bpf__elf_bytes(&size);
	if (setting && setting[0])
		return strcmp(setting, "off") && !pf_btf_cache_get(setting, obj, size, buf, len) ? buf : NULL;
	if (pf_paths_find(&paths, err, sizeof(err)))
		return NULL;
	if (snprintf(dir, sizeof(dir), "%s/btf", paths.cache) < (int)sizeof(dir) &&
	    (!mkdir(paths.cache, 0755) || errno == EEXIST))
		ok = pf_btf_cache_get(dir, obj, size, buf, len);
	pf_paths_free(&paths);
	return ok ? NULL : buf;
}

/* The syscall tracepoints' programs: perfanity's, or for bench/overhead.py
 * --floor the ones that stop early (enum pf_bench_floor). */
static void choose_syscall_programs(struct trace_bpf *skel, int floor)
{
	skel->rodata->bench_floor = (__u8)floor;
	bpf_program__set_autoload(floor ? skel->progs.pf_sys_enter : skel->progs.pf_floor_sys_enter, false);
	bpf_program__set_autoload(floor ? skel->progs.pf_sys_exit : skel->progs.pf_floor_sys_exit, false);
}

/* Open the object, relocating against btf_path (NULL: the kernel's BTF), and
 * set what is known before loading: sizes, knobs, which programs load. */
static struct trace_bpf *open_skeleton(struct pf_trace *tr, bool verbose, const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct trace_bpf *skel = trace_bpf__open_opts(&opts);

	if (!skel)
		return NULL;
	if (tr->max_files)
		bpf_map__set_max_entries(skel->maps.files, tr->max_files);
	allocate_rows_on_demand(skel);
	size_runs(skel, tr);
	skel->rodata->cg_mode = tr->cg.mode;
	choose_syscall_programs(skel, tr->bench_floor);
	skel->rodata->cg_id = tr->cg.id;
	memcpy((char *)skel->rodata->cg_target, tr->cg.container, sizeof(tr->cg.container));
	if (verbose)
		pf_verifier_log_setup(skel->obj);
	/* the end-of-trace iterator is attached when summing up, not before */
	bpf_program__set_autoattach(skel->progs.pf_dump_threads, false);
	/* uprobe_multi programs only where the kernel has such links, and
	 * then not the perf-event ones: every program loaded is verified */
	if (pf_uprobe_multi_supported()) {
		struct bpf_program *unused[] = { skel->progs.pf_inflate_enter, skel->progs.pf_inflate_exit,
						 skel->progs.pf_inflate_init, skel->progs.pf_import_start,
						 skel->progs.pf_import_done };

		for (size_t i = 0; i < sizeof(unused) / sizeof(unused[0]); i++)
			bpf_program__set_autoload(unused[i], false);
		bpf_program__set_expected_attach_type(skel->progs.pf_uprobe_multi_entry,
						      (enum bpf_attach_type)PF_BPF_TRACE_UPROBE_MULTI);
		bpf_program__set_expected_attach_type(skel->progs.pf_uprobe_multi_return,
						      (enum bpf_attach_type)PF_BPF_TRACE_UPROBE_MULTI);
	} else {
		bpf_program__set_autoload(skel->progs.pf_uprobe_multi_entry, false);
		bpf_program__set_autoload(skel->progs.pf_uprobe_multi_return, false);
	}
	pf_syscall_class_fill((unsigned short *)skel->rodata->syscall_class,
			      sizeof(skel->rodata->syscall_class) / sizeof(skel->rodata->syscall_class[0]));
	return skel;
}

/* Open and load, against the cached minimal BTF if there is one; if that
 * fails, it is removed and the kernel's own BTF is tried. 0 or -errno. */
static int open_and_load(struct pf_backend *b, struct pf_trace *tr, bool verbose)
{
	double t = pf_now_s();
	char cached[4096];
	const char *btf = core_btf(cached, sizeof(cached));
	char errbuf[128];
	int err;

	b->cost.open = pf_now_s() - t;
	/* the sampler's slow start (the kernel's symbols) runs beside the load */
	if (tr->sample_hz)
		b->sampler = pf_sampler_new(tr->sample_hz, verbose);
	for (;;) {
		t = pf_now_s();
		b->skel = open_skeleton(tr, verbose, btf);
		if (!b->skel)
			return errno ? -errno : -EINVAL;
		b->cost.open += pf_now_s() - t;
		t = pf_now_s();
		err = trace_bpf__load(b->skel);
		b->cost.load += pf_now_s() - t;
		/* refused for want of privileges: the BTF is not the cause */
		if (!err || !btf || err == -EPERM || err == -EACCES)
			break;
		if (verbose)
			pf_err("loading against the cached BTF %s failed (%s): removed, trying the kernel's own",
			       btf, libbpf_strerror(err, errbuf, sizeof(errbuf)) ? strerror(-err) : errbuf);
		unlink(btf);
		trace_bpf__destroy(b->skel);
		btf = NULL;
	}
	if (verbose && btf)
		pf_err("CO-RE relocations against the cached minimal BTF %s", btf);
	if (err && verbose)
		pf_verifier_log_print_failure(b->skel->obj, stderr);
	else if (verbose)
		pf_verifier_log_print_costs(b->skel->obj, stderr);
	return err;
}

static struct pf_backend *bpf_open(struct pf_trace *tr, bool verbose, bool *privilege_error)
{
	struct pf_backend *b = calloc(1, sizeof(*b));
	int err;

	*privilege_error = false;
	if (!b)
		return NULL;
	b->tr = tr;
	b->verbose = verbose;
	u64map_init(&b->given);
	verbose_libbpf = verbose;
	libbpf_set_print(libbpf_print);
	err = open_and_load(b, tr, verbose);
	if (!b->skel) {
		pf_err("cannot open the BPF object: %s", strerror(-err));
		free(b);
		return NULL;
	}
	if (err) {
		err = -err;
		if (err == EPERM || err == EACCES) {
			*privilege_error = true;
			pf_err("loading eBPF programs was refused (%s): run as root, or with CAP_BPF, "
			       "CAP_PERFMON and CAP_DAC_READ_SEARCH (e.g. sudo perfanity trace ...)",
			       strerror(err));
		} else if (kernel_has_what_we_use()) {
			pf_err("cannot load the BPF programs: %s (%s); BTF at /sys/kernel/btf/vmlinux "
			       "and a kernel >= 5.17 are needed",
			       strerror(err), last_libbpf_msg[0] ? last_libbpf_msg : "no detail");
		}
		trace_bpf__destroy(b->skel);
		pf_sampler_close(b->sampler);
		free(b);
		return NULL;
	}
	pf_probes_init(&b->probes, b->skel, verbose);
	if (b->sampler && pf_sampler_load(b->sampler, bpf_map__fd(b->skel->maps.traced))) {
		pf_sampler_close(b->sampler);
		b->sampler = NULL;
	}
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_event, b, NULL);
	if (b->rb && tr->tl.on && ring_buffer__add(b->rb, bpf_map__fd(b->skel->maps.runs), on_run, b)) {
		ring_buffer__free(b->rb);
		b->rb = NULL;
	}
	if (!b->rb) {
		pf_err("cannot set up the BPF ring buffer: %s", strerror(errno));
		trace_bpf__destroy(b->skel);
		pf_sampler_close(b->sampler);
		free(b);
		return NULL;
	}
	return b;
}

static void attach_system_libz(struct pf_backend *b)
{
	static const char *const libz[] = {
		"/lib/x86_64-linux-gnu/libz.so.1", "/lib/aarch64-linux-gnu/libz.so.1",
		"/usr/lib64/libz.so.1", "/usr/lib/libz.so.1",
	};

	for (size_t i = 0; i < sizeof(libz) / sizeof(libz[0]); i++)
		if (pf_probes_add(&b->probes, libz[i], false))
			break;
}

/* Probes wanted before the command runs. Removing them costs at the end
 * (about 30 ms per uprobe_multi link, two per file; 0.1 s per perf-event
 * uprobe on kernels without them), so only a command that looks like Python (the command,
 * or any argument naming python or a .pex) gets them up front: its
 * interpreter's import probes, Debian's python3's and the system's zlib.
 * Anything else gets them when a traced process execs Python or maps a
 * zlib, which may miss an interpreter's first imports. */
static void attach_known_binaries(struct pf_backend *b, const char *cmd_path, char *const *argv)
{
	bool python = cmd_path && is_python(cmd_path);

	for (size_t i = 0; argv && argv[i] && !python; i++)
		python = strstr(argv[i], "python") || strstr(argv[i], ".pex");
	if (!python)
		return;
	if (cmd_path)
		pf_probes_add(&b->probes, cmd_path, is_python(cmd_path));
	pf_probes_add(&b->probes, "/usr/bin/python3", true);
	attach_system_libz(b);
}

static int bpf_attach(struct pf_backend *b, const char *cmd_path, char *const *argv)
{
	double t = pf_now_s();
	int err = trace_bpf__attach(b->skel);

	if (err) {
		pf_err("cannot attach the BPF programs: %s (%s)", strerror(-err),
		       last_libbpf_msg[0] ? last_libbpf_msg : "no detail");
		return -1;
	}
	if (b->sampler && pf_sampler_attach(b->sampler)) {
		pf_sampler_close(b->sampler);
		b->sampler = NULL;
	}
	b->cost.attach_tp = pf_now_s() - t;
	t = pf_now_s();
	attach_known_binaries(b, cmd_path, argv);
	b->cost.attach_up = pf_now_s() - t;
	return 0;
}

static int bpf_follow(struct pf_backend *b, pid_t pid)
{
	__u32 key = pid;
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(b->skel->maps.traced), &key, &one, BPF_ANY)) {
		pf_err("cannot follow pid %d: %s", (int)pid, strerror(errno));
		return -1;
	}
	return 0;
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9: a pidfd for one thread */
#endif

/* A thread's state into its task-local storage (the key is a pidfd). A
 * thread gone since /proc was read has nothing left to count. */
static void seed_thread(int map_fd, pid_t tid, const struct pf_thread_state *st)
{
	int pidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);

	if (pidfd < 0)
		return;
	bpf_map_update_elem(map_fd, &pidfd, st, BPF_NOEXIST);
	close(pidfd);
}

/* The process's row first, then its threads' states, then the traced set:
 * until the tgid is traced no BPF program creates a state for these
 * threads, so no count is lost to a race. A thread whose state is there
 * already (an event of it was seen) keeps it. */
static int bpf_adopt(struct pf_backend *b, pid_t tgid, const struct pf_attach_thread *th, size_t n,
		     uint64_t ts)
{
	struct pf_proc_stat ps = { .threads = (__u32)n };
	__u32 key = (__u32)tgid;

	bpf_map_update_elem(bpf_map__fd(b->skel->maps.procs), &key, &ps, BPF_NOEXIST);
	for (size_t i = 0; i < n; i++) {
		struct pf_thread_state st = {
			.start_ts = ts, .last_ts = ts, .tgid = (__u32)tgid, .cat = th[i].cat,
			.base = th[i].cat, .in_syscall = th[i].in_syscall, .dirfd = -100 /* AT_FDCWD */,
			.sc_start = ts, .nr = th[i].nr, .tid = (__u32)th[i].tid,
		};

		seed_thread(bpf_map__fd(b->skel->maps.threads), th[i].tid, &st);
	}
	return bpf_follow(b, tgid);
}

static int bpf_fd(struct pf_backend *b)
{
	return ring_buffer__epoll_fd(b->rb);
}

static int bpf_consume(struct pf_backend *b)
{
	int n = ring_buffer__consume(b->rb);

	uint64_t now;

	/* zlibs the live processes mapped (the system's, or bundled in a wheel):
	 * looked for at most every 100 ms, in /proc/PID/maps */
	now = pf_now_ns();
	if (now - b->last_scan >= 100000000ULL) {
		b->last_scan = now;
		for (size_t i = 0; i < b->tr->nprocs; i++)
			if (!b->tr->procs[i].exited)
				pf_probes_scan_pid(&b->probes, b->tr->procs[i].pid);
		if (b->sampler)
			pf_sampler_scan(b->sampler, b->tr);
	}
	return n < 0 ? -1 : 0;
}

/* Every (key, value) of a map, handed to fn. Keys and values here are small. */
typedef void (*row_fn)(struct pf_backend *b, const void *key, const void *val, uint64_t now);

static void for_each_row(struct bpf_map *map, struct pf_backend *b, row_fn fn, uint64_t now)
{
	struct pf_trace *tr = b->tr;
	int fd = bpf_map__fd(map);
	char key[16], next[16], val[512];
	void *prev = NULL;

	if (bpf_map__key_size(map) > sizeof(key) || bpf_map__value_size(map) > sizeof(val)) {
		/* the maps are ours: only a change to them that forgot this can get here */
		pf_err("internal: map %s is too large to read; its rows are lost", bpf_map__name(map));
		tr->map_full++;
		return;
	}
	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (!bpf_map_lookup_elem(fd, next, val))
			fn(b, next, val, now);
		memcpy(key, next, sizeof(key));
		prev = key;
	}
}

/* What a pid's latest process did not get when it exited (nothing, if it did):
 * that of a process still running, or of one whose exit event was lost. */
static void proc_row(struct pf_backend *b, const void *k, const void *v, uint64_t now)
{
	const struct pf_proc_stat *ps = v;
	uint32_t pid = *(const __u32 *)k, threads = (uint32_t)take_new(b, pid, SLOT_THREADS, ps->threads);
	uint64_t ns = take_new(b, pid, SLOT_THREAD_NS, ps->thread_ns);

	(void)now;
	if (threads || ns)
		pf_trace_set_threads(b->tr, pid, threads, ns);
}

static void cat_row(struct pf_backend *b, const void *k, const void *v, uint64_t now)
{
	const struct pf_cat_key *ck = k;

	(void)now;
	if (ck->cat < PF_CAT_MAX)
		pf_trace_add_cat(b->tr, ck->tgid, ck->cat, take_new(b, ck->tgid, ck->cat, *(const __u64 *)v));
}

/* a thread still alive: its sums, and its open interval closed at now in
 * the category the scheduler's view gives it */
static void close_thread(struct pf_trace *tr, const struct pf_thread_state *st, uint64_t now)
{
	unsigned cat = pf_sched_category(st->cat, st->sched, st->in_syscall);

	pf_trace_close_thread(tr, st->tgid, st->start_ts, cat, now, (const uint64_t *)st->cat_ns);
	pf_timeline_close_thread(&tr->tl, st->tgid, st->tid, st->iv_cat, st->iv_start, st->iv_key, st->last_ts,
				 cat, now);
}

static void keep_fd_sums(struct pf_backend *b, const struct pf_thread_state *st)
{
	struct pf_thread_state *grown;

	if (!st->acc_ops)
		return;
	grown = realloc(b->live, (b->nlive + 1) * sizeof(*b->live));
	if (!grown) {
		b->tr->map_full++;
		return;
	}
	b->live = grown;
	b->live[b->nlive++] = *st;
}

/* The states of the threads still alive, from the task iterator. Each is
 * claimed as it is written: a thread that exits from then on does not flush
 * it too, and the programs leave it alone. */
static void collect_live_threads(struct pf_backend *b, uint64_t now)
{
	struct bpf_link *link;
	struct pf_thread_state st;
	size_t have = 0;
	ssize_t n;
	int fd;

	b->skel->bss->collecting = 1; /* no new states while the iterator runs */
	link = bpf_program__attach_iter(b->skel->progs.pf_dump_threads, NULL);
	fd = link ? bpf_iter_create(bpf_link__fd(link)) : -1;
	if (fd < 0) {
		pf_err("cannot read the live threads' states (%s): their open intervals are lost",
		       strerror(errno));
		b->tr->map_full++;
		bpf_link__destroy(link);
		return;
	}
	while ((n = read(fd, (char *)&st + have, sizeof(st) - have)) > 0) {
		have += (size_t)n;
		if (have == sizeof(st)) {
			close_thread(b->tr, &st, now);
			keep_fd_sums(b, &st);
			have = 0;
		}
	}
	if (n < 0)
		pf_err("reading the live threads' states: %s", strerror(errno));
	close(fd);
	bpf_link__destroy(link);
}

static void file_row(struct pf_backend *b, const void *k, const void *v, uint64_t now)
{
	(void)now;
	pf_trace_add_file(b->tr, *(const __u64 *)k, v);
}

static void archive_row(struct pf_backend *b, const void *k, const void *v, uint64_t now)
{
	(void)now;
	pf_trace_add_archive(b->tr, *(const __u64 *)k, v);
}

static void import_row(struct pf_backend *b, const void *k, const void *v, uint64_t now)
{
	(void)now;
	pf_trace_add_import(b->tr, *(const __u64 *)k, v);
}

static void drops_row(struct pf_backend *b, const void *k, const void *v, uint64_t now)
{
	const struct pf_cat_key *ck = k;

	(void)now;
	pf_timeline_add_drops(&b->tr->tl, ck->tgid, ck->cat, v);
}

/* The per-CPU syscall table, added up over the CPUs. */
static void collect_syscalls(struct pf_backend *b)
{
	int fd = bpf_map__fd(b->skel->maps.syscalls), ncpu = libbpf_num_possible_cpus();
	struct pf_syscall_stat *v;

	if (ncpu <= 0 || !(v = calloc((size_t)ncpu, sizeof(*v)))) {
		pf_err("cannot read the syscall table: %s", strerror(ncpu < 0 ? -ncpu : ENOMEM));
		return;
	}
	for (__u32 nr = 0; nr < PF_SC_NR_MAX; nr++) {
		struct pf_syscall_stat *sum = &b->tr->syscalls[nr];

		if (bpf_map_lookup_elem(fd, &nr, v))
			continue;
		for (int c = 0; c < ncpu; c++) {
			sum->calls += v[c].calls;
			sum->errors += v[c].errors;
			sum->ns += v[c].ns;
			sum->bytes += v[c].bytes;
		}
	}
	free(v);
}

static int bpf_collect(struct pf_backend *b, uint64_t now)
{
	struct pf_trace *tr = b->tr;
	double t = pf_now_s(), t_detach;

	/* the tree has ended: no more samples (the live processes' mappings
	 * noted first, for naming their frames) */
	if (b->sampler) {
		pf_sampler_scan(b->sampler, tr);
		pf_sampler_stop(b->sampler);
	}
	/* the live threads first (claimed, so they change no more), then
	 * detach: nothing changes under us while we read the rest */
	collect_live_threads(b, now);
	t_detach = pf_now_s();
	trace_bpf__detach(b->skel);
	/* the uprobes' links go while the maps are read and the outputs
	 * written: each waits for a grace period */
	pf_probes_detach_start(&b->probes);
	b->cost.detach_tp = pf_now_s() - t_detach;
	ring_buffer__consume(b->rb);
	for_each_row(b->skel->maps.procs, b, proc_row, now);
	for_each_row(b->skel->maps.cat_ns, b, cat_row, now);
	for_each_row(b->skel->maps.files, b, file_row, now);
	for (size_t i = 0; i < b->nlive; i++) {
		const struct pf_thread_state *st = &b->live[i];

		pf_trace_add_file_sums(tr, st->acc_key, st->acc_ns, st->acc_ops, st->acc_read, st->acc_written);
	}
	for_each_row(b->skel->maps.archives, b, archive_row, now);
	for_each_row(b->skel->maps.imports, b, import_row, now);
	if (tr->tl.on)
		for_each_row(b->skel->maps.run_drops, b, drops_row, now);
	tr->tl.spans_lost = b->skel->bss->import_spans_lost;
	collect_syscalls(b);
	pf_trace_net_collect(tr, bpf_map__fd(b->skel->maps.peers));
	pf_probes_report(&b->probes, tr);
	tr->lost_events = b->skel->bss->lost_events;
	tr->map_full = b->skel->bss->map_full;
	tr->missed_switch_ins = b->skel->bss->missed_switch_ins;
	if (b->sampler)
		pf_sampler_collect(b->sampler, tr);
	b->cost.collect = pf_now_s() - t - b->cost.detach_tp;
	return 0;
}

/* --verbose: where the tracer's own start-up and tear-down went. */
static void print_costs(const struct pf_backend *b)
{
	fprintf(stderr,
		"perfanity: trace: fixed cost: open %.3f s, load+verify %.3f s, "
		"attach tracepoints %.3f s, attach uprobes %.3f s, final reads %.3f s, detach tracepoints %.3f s, "
		"detach uprobes %.3f s, unload %.3f s\n",
		b->cost.open, b->cost.load, b->cost.attach_tp, b->cost.attach_up, b->cost.collect,
		b->cost.detach_tp, b->cost.detach_up, b->cost.destroy);
}

static void bpf_close(struct pf_backend *b)
{
	double t = pf_now_s();

	if (!b)
		return;
	pf_probes_free(&b->probes);
	pf_sampler_close(b->sampler);
	b->cost.detach_up = pf_now_s() - t;
	u64map_free(&b->given);
	free(b->live);
	t = pf_now_s();
	ring_buffer__free(b->rb);
	trace_bpf__destroy(b->skel);
	b->cost.destroy = pf_now_s() - t;
	if (b->verbose)
		print_costs(b);
	free(b);
}

const struct pf_backend_ops pf_backend_bpf = {
	.name = "bpf",
	.open = bpf_open,
	.attach = bpf_attach,
	.follow = bpf_follow,
	.adopt = bpf_adopt,
	.fd = bpf_fd,
	.consume = bpf_consume,
	.collect = bpf_collect,
	.close = bpf_close,
};
