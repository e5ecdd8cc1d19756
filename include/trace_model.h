/* SPDX-License-Identifier: GPL-2.0-only */
/* The tracer's user-space model of one trace: processes, files, totals.
 * Backends feed it (events as they come, aggregates at the end); the JSON
 * writer and the summary read it. Times are CLOCK_MONOTONIC ns. */
#ifndef PF_TRACE_MODEL_H
#define PF_TRACE_MODEL_H
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "trace.h"
#include "trace_container.h"
#include "trace_net.h"
#include "trace_timeline.h"
#include "u64map.h"

struct pf_exec_rec {
	uint64_t ts;
	char *exe;
	char **argv; /* NULL-terminated */
};

struct pf_proc {
	uint32_t pid, ppid;
	char *comm;
	uint64_t start_ts, end_ts;    /* end_ts 0: still running at the end */
	bool exited;
	int wait_status;              /* raw, as from wait(2) */
	uint32_t threads;
	uint64_t thread_ns;           /* sum of its threads' lifetimes */
	uint64_t cat_ns[PF_CAT_MAX];
	struct pf_exec_rec *execs;    /* the exec chain; argv/exe are the last one's */
	size_t nexecs;
	char **inherited_argv;        /* argv before any exec: the parent's */
	char *inherited_exe;
	bool attached;                /* already running when attached to, or started by one that was */
};

/* A process tree attached to (--pid, pantsd) rather than started. */
struct pf_attach_root {
	uint32_t pid;
	char *how;                    /* "pid", "pantsd" */
};

struct pf_file_row {
	uint64_t hash;
	struct pf_file_stat st;
};

struct pf_archive_row {
	uint64_t hash;                /* path hash of the archive, 0: inflated without one */
	struct pf_archive_stat st;
};

struct pf_import_row {
	uint64_t hash;                /* module name hash */
	struct pf_import_stat st;
};

struct pf_interp {
	char *exe;
	bool usdt;                    /* its imports are timed by its USDT probes */
	char *imports;                /* how imports are timed: "PyEval_EvalCode", "usdt" or "none" */
	char *imports_file;           /* the file probed for them ("" if none) */
};

struct pf_probe_rec {
	char *kind;                   /* "inflate" */
	char *path;
};

struct pf_samples;

struct pf_trace {
	char **command;               /* NULL-terminated argv of the traced command */
	const char *backend;
	const char *const *unseen;    /* what the backend cannot see (NULL-terminated; NULL: nothing) */
	uint64_t t0, t_end;
	int cpus;                     /* CPUs online: what runqueue time is measured against */
	uint32_t max_files;           /* rows the kernel's file map holds (--max-files) */
	unsigned sample_hz;           /* --sample: CPU samples per second per CPU, 0: none */
	struct pf_samples *samples;   /* what they found (samples.h), NULL without */
	struct pf_cg_target cg;       /* --cgroup, --container(s): processes taken in where they exec */
	struct pf_syscall_stat syscalls[PF_SC_NR_MAX]; /* by number, the whole tree */
	uint32_t no_bytecode_writes_pid; /* a Python run with PYTHONDONTWRITEBYTECODE, 0 if none */
	int wait_status;              /* the root's, raw */
	bool root_reaped;
	uint64_t lost_events;         /* events that could not be delivered */
	uint64_t map_full;            /* aggregation entries that could not be stored */
	int bench_floor;              /* PERFANITY_BENCH_FLOOR: syscalls not followed (enum pf_bench_floor) */
	uint64_t reuse_splits;        /* processes of a reused pid whose categories were split by estimate */
	uint64_t missed_switch_ins;   /* switch-ins sched_switch did not show, recovered from the kernel's totals */
	struct pf_proc *procs;
	size_t nprocs, cap_procs;
	struct u64map proc_index;     /* pid -> index in procs (latest process of that pid) */
	struct u64map paths;          /* path hash -> char * */
	struct pf_file_row *files;
	size_t nfiles, cap_files;
	struct u64map modules;        /* module name hash -> char * */
	struct pf_archive_row *archives;
	size_t narchives, cap_archives;
	struct pf_import_row *imports;
	size_t nimports, cap_imports;
	struct pf_interp *interps;
	size_t ninterps, cap_interps;
	struct pf_probe_rec *probes;
	size_t nprobes, cap_probes;
	struct pf_attach_root *attach_roots;
	size_t nattach_roots, cap_attach_roots;
	struct pf_peer_row *peers;    /* socket bytes by peer (trace_net.h), BPF backend only */
	size_t npeers;
	struct pf_timeline tl;        /* --perfetto, --flame: runs and import spans (BPF backend) */
};

void pf_trace_init(struct pf_trace *tr, char **command, const char *backend);
void pf_trace_free(struct pf_trace *tr);

/* The root process, started (released) at t0. */
struct pf_proc *pf_trace_add_root(struct pf_trace *tr, uint32_t pid, uint32_t ppid, uint64_t t0);
struct pf_proc *pf_trace_proc(struct pf_trace *tr, uint32_t pid);
/* A running process attached to at ts: argv as NUL-separated args. */
struct pf_proc *pf_trace_add_attached(struct pf_trace *tr, uint32_t pid, uint32_t ppid, uint64_t ts,
				      const char *comm, const char *exe, const char *args, size_t args_len,
				      const char *how);
void pf_trace_add_attach_root(struct pf_trace *tr, uint32_t pid, const char *how);

/* Events. */
void pf_trace_on_fork(struct pf_trace *tr, uint32_t pid, uint32_t ppid, uint64_t ts, const char *comm);
/* A process taken in by its cgroup (pf_ev_fork.adopted): attached, a root. */
void pf_trace_on_adopt(struct pf_trace *tr, uint32_t pid, uint32_t ppid, uint64_t ts, const char *comm);
void pf_trace_on_exec(struct pf_trace *tr, uint32_t pid, uint64_t ts, const char *exe,
		      const char *args, size_t args_len);
void pf_trace_on_exit(struct pf_trace *tr, uint32_t pid, uint64_t ts, int wait_status);
void pf_trace_on_path(struct pf_trace *tr, uint64_t hash, const char *path);
void pf_trace_on_module(struct pf_trace *tr, uint64_t hash, const char *name);

/* Aggregates, at the end. */
void pf_trace_add_cat(struct pf_trace *tr, uint32_t pid, unsigned cat, uint64_t ns);
void pf_trace_set_threads(struct pf_trace *tr, uint32_t pid, uint32_t threads, uint64_t thread_ns);
/* A thread still alive at `now`: what it summed per category (cat_ns,
 * PF_CAT_MAX entries) plus its open interval in cat go to its process, and
 * its lifetime so far too. The open interval is what the lifetime leaves
 * after the closed ones (for a state read whole, [last_ts, now)): the
 * state is read while the thread may still run on another CPU, and one of
 * its intervals closing between the reads of last_ts and of cat_ns must not
 * count twice. Keeps the identity exact. */
void pf_trace_close_thread(struct pf_trace *tr, uint32_t pid, uint64_t start_ts, unsigned cat,
			   uint64_t now, const uint64_t *cat_ns);
void pf_trace_add_file(struct pf_trace *tr, uint64_t hash, const struct pf_file_stat *st);
void pf_trace_add_file_sums(struct pf_trace *tr, uint64_t hash, uint64_t ns, uint64_t ops,
			    uint64_t bytes_read, uint64_t bytes_written);
void pf_trace_add_archive(struct pf_trace *tr, uint64_t hash, const struct pf_archive_stat *st);
void pf_trace_add_import(struct pf_trace *tr, uint64_t hash, const struct pf_import_stat *st);
void pf_trace_add_interpreter(struct pf_trace *tr, const char *exe, const char *imports, const char *file);
void pf_trace_add_probe(struct pf_trace *tr, const char *kind, const char *path);
/* Finish: t_end, root status; processes still running end at t_end. */
void pf_trace_finish(struct pf_trace *tr, uint64_t t_end);

/* Derived. */
int pf_wait_status_to_exit_code(int status); /* code, or 128+signal */
uint64_t pf_proc_cat_sum(const struct pf_proc *p);
/* Processes whose categories do not add up to thread_ns (0 when all do). */
size_t pf_trace_identity_violations(const struct pf_trace *tr);
const char *pf_trace_path(const struct pf_trace *tr, uint64_t hash);
const char *pf_trace_module(const struct pf_trace *tr, uint64_t hash);
/* Files, archives and imports sorted by time, descending (arrays reordered). */
void pf_trace_sort_files(struct pf_trace *tr);
/* The files rolled up by directory (dir_group.h), by time descending;
 * returns how many groups (at most cap). */
struct pf_dir_sum;
size_t pf_trace_dirs(struct pf_trace *tr, struct pf_dir_sum *sums, size_t cap);
void pf_trace_sort_archives(struct pf_trace *tr);
void pf_trace_sort_imports(struct pf_trace *tr);

/* Output (src/trace_json.c, src/trace_summary.c). */
json_t *pf_trace_to_json(struct pf_trace *tr);
void pf_trace_print_summary(struct pf_trace *tr, FILE *out, int top_files);

#endif
