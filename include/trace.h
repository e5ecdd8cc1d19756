/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared between bpf/trace.bpf.c (kernel) and src/trace*.c (user space):
 * categories, syscall classes, map keys/values and ring-buffer events. */
#ifndef PF_TRACE_H
#define PF_TRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Categories. Every nanosecond of a thread's life is in exactly one of them.
 * Append new ones before PF_CAT_MAX; names live in src/categories.c. */
enum pf_cat {
	PF_CAT_CPU = 0,     /* on a CPU outside syscalls */
	PF_CAT_FILE_IO,     /* syscalls on files and directories, path lookups */
	PF_CAT_NET,         /* socket syscalls, I/O and polls on sockets */
	PF_CAT_EXEC,        /* execve and the dynamic loader until the program runs */
	PF_CAT_CHILD_WAIT,  /* waiting for children (their time is counted in them) */
	PF_CAT_SLEEP,       /* futex, nanosleep, polls/reads on pipes: blocking waits */
	PF_CAT_OTHER,       /* any other syscall */
	PF_CAT_ZIP_EXTRACT, /* inflating zip members, reading archives, writing extracted files */
	PF_CAT_VENV_CREATE, /* filesystem mutations that build a virtualenv */
	PF_CAT_IMPORT,      /* inside a Python import, not otherwise classified */
	PF_CAT_RUNQUEUE,    /* runnable, waiting for a CPU (in or out of a syscall) */
	PF_CAT_FAULT_IO,    /* blocked outside a syscall: a page fault waiting for the disk */
	PF_CAT_COMPILE,     /* in CPython's compiler (Py_CompileStringObject): bytecode not cached */
	PF_CAT_MAX
};

/* Per-thread context flags that refine a base category (see pf_cat_resolve). */
#define PF_CTX_INFLATE   (1u << 0) /* inside zlib inflate() */
#define PF_CTX_ARCHIVE   (1u << 1) /* this syscall reads an archive or writes what is extracted from one */
#define PF_CTX_VENV      (1u << 2) /* this syscall mutates a virtualenv being built */
#define PF_CTX_IMPORT    (1u << 3) /* inside a Python import */
#define PF_CTX_LOADER    (1u << 4) /* after execve, until the first syscall made from outside ld.so */
#define PF_CTX_VENV_PROC (1u << 5) /* the process exists to create a venv (python -m venv, virtualenv, uv venv) */
#define PF_CTX_COMPILE   (1u << 6) /* inside CPython's Py_CompileStringObject() */
/* Flags that hold for one syscall only, cleared at its exit. */
#define PF_CTX_PER_SYSCALL (PF_CTX_ARCHIVE | PF_CTX_VENV)

/* Precedence: the packaging-aware categories win over the generic ones they
 * refine, and only over those: a wait for a child or a socket stays what it is.
 *   exec (loader)  > cpu, file_io, other: everything the dynamic loader does
 *   zip_extract    > cpu, file_io  (inflate() running; archive reads, extraction writes)
 *   venv_create    > file_io       (mutations under a venv)
 *   venv_create    > cpu, file_io  (in a process that exists to create a venv)
 *   compile        > cpu, file_io  (in CPython's compiler: an import's source had no usable .pyc)
 *   import         > cpu, file_io  (whatever is left inside an import)
 * So a zipimport read inside an import is zip_extract, a stat inside an import
 * is import, and a futex wait inside an import stays sleep.
 * Used by the BPF program and unit-tested in user space: one definition. */
static inline __u32 pf_cat_resolve(__u32 base, __u32 ctx)
{
	if (ctx & PF_CTX_LOADER)
		return (base == PF_CAT_CPU || base == PF_CAT_FILE_IO || base == PF_CAT_OTHER ||
			base == PF_CAT_EXEC) ? PF_CAT_EXEC : base;
	if (base != PF_CAT_CPU && base != PF_CAT_FILE_IO)
		return base;
	if (ctx & PF_CTX_INFLATE)
		return PF_CAT_ZIP_EXTRACT;
	if (base == PF_CAT_FILE_IO && (ctx & PF_CTX_ARCHIVE))
		return PF_CAT_ZIP_EXTRACT;
	if (base == PF_CAT_FILE_IO && (ctx & PF_CTX_VENV))
		return PF_CAT_VENV_CREATE;
	if (ctx & PF_CTX_VENV_PROC)
		return PF_CAT_VENV_CREATE;
	if (ctx & PF_CTX_COMPILE)
		return PF_CAT_COMPILE;
	if (ctx & PF_CTX_IMPORT)
		return PF_CAT_IMPORT;
	return base;
}

/* What the scheduler says of a thread (sched_switch, sched_wakeup). */
enum pf_sched {
	PF_SCHED_ON = 0,    /* running on a CPU */
	PF_SCHED_RUNNABLE,  /* preempted or woken, waiting for a CPU */
	PF_SCHED_BLOCKED_D, /* switched out uninterruptible (disk waits, page faults) */
	PF_SCHED_BLOCKED_S, /* switched out otherwise (interruptible, stopped) */
};

/* The category of an interval from the scheduler's view of it: waiting for a
 * CPU is runqueue wherever the thread was; blocked inside a syscall stays the
 * syscall's category; blocked outside one is a page fault's disk wait when
 * uninterruptible (fault_io) and a plain wait otherwise (sleep: stopped,
 * a signal's wait). On a CPU, the category as resolved. One rule, used by
 * the BPF program and unit-tested. */
static inline __u32 pf_sched_category(__u32 cat, __u32 sched, int in_syscall)
{
	if (sched == PF_SCHED_RUNNABLE)
		return PF_CAT_RUNQUEUE;
	if (sched == PF_SCHED_ON || in_syscall)
		return cat;
	return sched == PF_SCHED_BLOCKED_D ? PF_CAT_FAULT_IO : PF_CAT_SLEEP;
}

/* --cgroup and --container: which cgroup's processes are taken into the
 * trace when they exec there (a container's processes are children of the
 * container runtime, not of the command traced). */
enum pf_cg_mode {
	PF_CG_NONE = 0,
	PF_CG_ID,     /* --cgroup DIR: the cgroup whose kernfs id is DIR's inode */
	PF_CG_NAME,   /* --container ID: the cgroup Docker names after that container */
	PF_CG_DOCKER, /* --containers: the cgroup of any Docker container */
};
#define PF_CG_ID_LEN   64 /* a container's full id: hex digits */
#define PF_CG_NAME_MAX 96 /* a cgroup directory's name as read */

static inline int pf_cg_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Whether name[off..] holds a container id: target's digits, or any 64 hex
 * digits when target is empty. */
static inline int pf_cg_id_at(const char *name, int off, const char *target)
{
	for (int i = 0; i < PF_CG_ID_LEN; i++) {
		char c = name[off + i];

		if (target[0] ? c != target[i] : !pf_cg_hex(c))
			return 0;
	}
	return 1;
}

/* Whether a cgroup directory, by its name and its parent's, is the
 * container's: Docker names it by the container's full id (under "docker"
 * with the cgroupfs driver, or any --cgroup-parent) or "docker-ID.scope"
 * (systemd driver). target is the id (PF_CG_NAME) or empty (PF_CG_DOCKER:
 * any container, whose cgroupfs directory must then be under "docker").
 * One rule, used by the BPF program and unit-tested. */
static inline int pf_cgroup_name_matches(const char *name, const char *parent, const char *target)
{
	static const char scope_pre[] = "docker-", scope_suf[] = ".scope";
	static const char docker[] = "docker";
	int i;

	if (pf_cg_id_at(name, 0, target) && !name[PF_CG_ID_LEN]) {
		if (target[0])
			return 1;
		for (i = 0; i < (int)sizeof(docker); i++)
			if (parent[i] != docker[i])
				return 0;
		return 1;
	}
	for (i = 0; i < (int)sizeof(scope_pre) - 1; i++)
		if (name[i] != scope_pre[i])
			return 0;
	if (!pf_cg_id_at(name, sizeof(scope_pre) - 1, target))
		return 0;
	for (i = 0; i < (int)sizeof(scope_suf); i++) /* with its NUL */
		if (name[sizeof(scope_pre) - 1 + PF_CG_ID_LEN + i] != scope_suf[i])
			return 0;
	return 1;
}

/* File types (st_mode & PF_S_IFMT), as the kernel and stat(2) give them. */
#define PF_S_IFMT   0170000
#define PF_S_IFSOCK 0140000
#define PF_S_IFREG  0100000
#define PF_S_IFBLK  0060000
#define PF_S_IFDIR  0040000
#define PF_S_IFIFO  0010000

/* Category of an fd-based syscall from what the fd is (0: unknown). */
static inline __u32 pf_fd_category(__u32 mode)
{
	switch (mode & PF_S_IFMT) {
	case PF_S_IFREG:
	case PF_S_IFDIR:
	case PF_S_IFBLK:
		return PF_CAT_FILE_IO;
	case PF_S_IFSOCK:
		return PF_CAT_NET;
	case PF_S_IFIFO:
		return PF_CAT_SLEEP; /* a pipe read/write blocks on another process */
	default:
		return PF_CAT_OTHER; /* ttys, /dev/null, eventfds, ... */
	}
}

/* Syscall classes: one 16-bit word per syscall number, filled by user space
 * (src/syscall_class.c) into the BPF program's read-only table before load. */
#define PF_SC_CLASS_MASK 0x0f
enum pf_sc_class {
	PF_SC_OTHER = 0,
	PF_SC_PATH,       /* path-based file syscall (stat, access, mkdir, ...) */
	PF_SC_OPEN,       /* opens a file: the result fd gets the path */
	PF_SC_FD,         /* fd-based: category from the fd's type */
	PF_SC_NET,        /* socket-only syscalls */
	PF_SC_CHILD_WAIT, /* wait4, waitid */
	PF_SC_SLEEP,      /* futex, nanosleep, epoll_wait, ... */
	PF_SC_POLL,       /* poll/select: net if a socket is polled, else sleep */
	PF_SC_EXEC,       /* execve, execveat */
	PF_SC_CLOSE,      /* close: fd-typed, and forgets the fd's file */
};
#define PF_SC_READS     0x010 /* return value = bytes read */
#define PF_SC_WRITES    0x020 /* return value = bytes written */
#define PF_SC_DIRFD     0x080 /* PATH/OPEN: arg0 is a dirfd and arg1 the path (else arg0 is the path) */
#define PF_SC_SELECT    0x040 /* POLL: select-style fd_set at arg1 (else struct pollfd * at arg0) */
#define PF_SC_MUTATES   0x100 /* creates, links, renames or changes a file (venv building) */
#define PF_SC_SHIFT1    0x200 /* PATH: arguments start at arg1 (symlink: arg0 is the link's target) */
#define PF_SC_BUF1      0x400 /* FD: arg1 is the data buffer (read, pread64, write, pwrite64) */
#define PF_SC_FDS_GONE  0x800 /* may drop an open file (close, dup2, dup3, close_range) */
#define PF_SC_NR_MAX    512

/* Base category of a syscall from its class word (below): fd_mode is the
 * type of its fd for fd-based classes, polls_socket whether a poll/select
 * watches a socket. Used by the BPF program at syscall entry and by user
 * space for a thread found blocked in a syscall when a process is attached:
 * one definition. */
static inline __u32 pf_sc_category(__u16 sc, __u32 fd_mode, int polls_socket)
{
	switch (sc & PF_SC_CLASS_MASK) {
	case PF_SC_PATH:
	case PF_SC_OPEN:
		return PF_CAT_FILE_IO;
	case PF_SC_FD:
	case PF_SC_CLOSE:
		return pf_fd_category(fd_mode);
	case PF_SC_NET:
		return PF_CAT_NET;
	case PF_SC_CHILD_WAIT:
		return PF_CAT_CHILD_WAIT;
	case PF_SC_SLEEP:
		return PF_CAT_SLEEP;
	case PF_SC_POLL:
		return polls_socket ? PF_CAT_NET : PF_CAT_SLEEP;
	case PF_SC_EXEC:
		return PF_CAT_EXEC;
	default:
		return PF_CAT_OTHER;
	}
}

/* Sizes */
#define PF_PATH_MAX  1024   /* longest path recorded (longer ones are cut) */
#define PF_COMM_LEN  16
#define PF_ARGS_MAX  512    /* bytes of argv captured at exec */
#define PF_EXTRACT_WINDOW_NS 50000000ULL /* writes this soon after an inflate are extraction */
#define PF_POLL_FDS_CHECKED 8 /* pollfds looked at for a socket (poll is net if one is) */

/* Aggregation map keys and values. */
struct pf_cat_key {
	__u32 tgid;
	__u32 cat;
};

#define PF_FILE_ARCHIVE 1 /* .pex .zip .whl .egg */
#define PF_FILE_VENV    2 /* under a pex venvs/ cache directory */
struct pf_file_stat {
	__u64 ns;
	__u64 bytes_read;
	__u64 bytes_written;
	__u64 ops;
	__u64 mutations;   /* creates, links, renames, chmods */
	__u64 flags;       /* PF_FILE_* */
	__u64 faults;      /* page faults in a mapping of it (user space, traced threads) */
	__u64 fault_ns;    /* fault_io time: blocked in those faults */
};

/* Per archive (.pex, .zip, .whl, .egg), keyed like files by path hash. */
struct pf_archive_stat {
	__u64 ns;              /* zip_extract time attributed to it */
	__u64 bytes_inflated;  /* output of inflate() after reading it */
	__u64 members;         /* inflateInit2_() calls: members decompressed */
	__u64 bytes_read;
};

/* Per imported module, keyed by a hash of its name. */
struct pf_import_stat {
	__u64 ns;       /* inclusive: nested imports counted in their parents too */
	__u64 self_ns;  /* exclusive */
	__u64 count;
	__u64 compile_ns;    /* in the compiler while it was the innermost import */
	__u64 compiled;      /* Py_CompileStringObject() calls then: its source compiled */
};

/* Cookies of the user-space probes attached through uprobe_multi links:
 * one entry and one return program tell them apart by these. */
enum pf_uprobe_cookie {
	PF_UP_INFLATE = 1,     /* zlib inflate() */
	PF_UP_INFLATE_INIT,    /* zlib inflateInit2_() */
	PF_UP_COMPILE,         /* CPython Py_CompileStringObject() */
	PF_UP_EVAL,            /* CPython PyEval_EvalCode(): a module body (or any code object) run */
	PF_UP_IMPORT_STMT,     /* CPython PyImport_ImportModuleLevelObject(): an import statement */
};
/* A PyEval_EvalCode() (and Py_CompileStringObject()) cookie also carries, read from that interpreter at
 * attach time (src/py_layout.c), where the code object keeps co_filename
 * and where a str's characters start (ASCII, and compact non-ASCII). */
#define PF_UP_KIND(c)          ((c) & 0xff)
#define PF_UP_EVAL_COOKIE(kind, co_filename, ascii_hdr, compact_hdr) \
	((kind) | ((__u64)(co_filename) << 8) | ((__u64)(ascii_hdr) << 24) | ((__u64)(compact_hdr) << 32))
#define PF_UP_EVAL_FILENAME(c) (((c) >> 8) & 0xffff)
#define PF_UP_EVAL_ASCII(c)    (((c) >> 24) & 0xff)
#define PF_UP_EVAL_COMPACT(c)  (((c) >> 32) & 0xff)

#define PF_IMPORT_DEPTH 16
struct pf_import_frame {
	__u64 start;
	__u64 key;
	__u64 child_ns;
};
struct pf_import_stack {
	__u32 depth;
	__u32 stmts;       /* import statements in progress (PyImport_ImportModuleLevelObject) */
	struct pf_import_frame f[PF_IMPORT_DEPTH];
	/* PyEval_EvalCode() calls in progress, and for each (bit by depth)
	 * whether it runs a module being imported, so that its return pops it */
	__u32 evals;
	__u32 pad;
	__u64 eval_imports;
	__u64 compile_key;  /* the row of the module being compiled, 0 if not known */
};

/* Per-thread state, kept by the BPF program in task-local storage; user
 * space reads what is left of it at the end (an iterator) to close the
 * intervals of threads still running. */
struct pf_thread_state {
	__u64 start_ts;  /* first seen (fork, or first event) */
	__u64 last_ts;   /* start of the current interval */
	__u64 file_key;  /* file the syscall in progress works on, 0 if none */
	__u64 path_arg;  /* PATH/OPEN: user pointer to the path; CLOSE: the struct file */
	__u32 tgid;
	__u32 cat;       /* category of the current interval while on a CPU */
	__u32 ctx;       /* PF_CTX_* */
	__s32 dirfd;     /* dirfd argument of PATH/OPEN calls */
	__s32 fd;        /* fd argument of FD/CLOSE calls */
	__u16 sc;        /* class word of the syscall in progress */
	__u8 in_syscall;
	__u8 mutates;    /* the syscall in progress creates or changes a file */
	__u8 plain_exit; /* its exit only adds to sums (see exit_is_plain) */
	__u8 pad0[3];
	__u32 base;      /* base category of the syscall in progress */
	__u32 sched;     /* enum pf_sched */
	__u32 claimed;   /* PF_CLAIM_*: who summed this state up at the end */
	__u32 nr;        /* number of the syscall in progress */
	__u64 sc_start;  /* when the syscall in progress was entered */
	__u64 strm;      /* z_stream * of the inflate() in progress */
	__u64 total_out; /* its total_out when inflate() was entered */
	__u64 archive_key;     /* the archive this thread read last */
	__u64 last_extract_ts; /* when it last read an archive or inflated */
	__u64 buf;             /* FD calls with PF_SC_BUF1: the user buffer */
	__u64 loader_base;     /* where the ELF interpreter (ld.so) is mapped */
	__u64 loader_size;     /* and how far: syscalls from there are the loader's */
	/* The file of the last fd this thread used, valid while no traced
	 * thread dropped a file since (fd_gen): repeated calls on one fd skip
	 * the file's type and path lookups. */
	__u64 fc_file;   /* struct file * */
	__u64 fc_key;    /* its path key (0: not a file_io file) */
	__u64 fc_gen;
	__u32 fc_mode;
	__s32 fc_fd;     /* the fd it was read for */
	/* The last syscall's exit was plain (exit_is_plain): the same call
	 * again, on the same fd (fc_*, still valid) in the same context, is
	 * plain too, and is entered without being classified again (see
	 * repeats_plain_call). */
	__u32 rep;         /* its number + 1; 0: the last exit was not plain */
	__u32 rep_cat;     /* its category */
	__u32 rep_ctx;     /* ctx then */
	__u32 rep_cpu_cat; /* the category after its exit */
	__u64 rep_key;     /* its file_key */
	__u64 rep_extract_ts; /* last_extract_ts then */
	__u8 rep_fd;       /* an fd call: the fd must match too */
	__u8 pad1[7];
	/* Sums of the fd calls on one file (acc_key), kept here while the
	 * thread stays on it and added to the file's row when it moves to
	 * another, exits, or by user space at the end. */
	__u64 acc_key;
	__u64 acc_ns, acc_ops, acc_read, acc_written;
	__u64 acc_flags; /* the row's flags when the thread moved to it (or set since) */
	__u64 acc_seen;  /* the row's ops then: a file's first reads are looked at */
	/* The last page fault's mapping: faults in the same range skip the
	 * VMA lookup; fault_io time goes to fault_key's file. */
	__u64 fault_lo, fault_hi;
	__u64 fault_key;
	__u64 inflate_start;   /* when the inflate() in progress was entered */
	__u64 compile_start;   /* when the Py_CompileStringObject() in progress was */
	/* The kernel's own totals for the thread when it last left a CPU: its
	 * runqueue wait (sched_info.run_delay) and CPU time (sum_exec_runtime).
	 * They split the interval of a switch-in the tracepoint did not show. */
	__u64 run_delay_mark, exec_mark;
	/* Time per category, summed here on the hot path and added to the
	 * per-process counters when the thread exits (or read at the end). */
	__u64 cat_ns[PF_CAT_MAX];
	/* --perfetto, --flame only (bpf/intervals.bpf.h): the thread's id, and
	 * the run of consecutive intervals of one category (file_io: on one
	 * file, iv_key) in progress since iv_start. */
	__u32 tid;
	__u32 iv_cat;
	__u64 iv_start;
	__u64 iv_key;
};
#define PF_CLAIM_DUMPED 1 /* written out by the end-of-trace iterator */
#define PF_CLAIM_EXITED 2 /* flushed by the thread's exit */

/* PERFANITY_BENCH_FLOOR (bench/overhead.py --floor): where the syscall
 * programs stop, to measure what the tracer costs before its work. */
enum pf_bench_floor {
	PF_FLOOR_OFF = 0,
	PF_FLOOR_EMPTY, /* at once */
	PF_FLOOR_STATE, /* with the thread's state and the time */
};

/* Per syscall number, summed over the traced tree (a per-CPU array: no
 * atomics on the hot path; user space adds the CPUs up): strace -c's table. */
struct pf_syscall_stat {
	__u64 calls;   /* completed (exit and exit_group never return: not counted) */
	__u64 errors;  /* returned -4095..-1 */
	__u64 ns;      /* entry to exit */
	__u64 bytes;   /* returned by the calls that read or write */
};

struct pf_proc_stat {
	__u64 thread_ns; /* sum of finished threads' lifetimes */
	__u32 threads;   /* threads seen */
	__u32 pad;
};

/* Ring-buffer events: only what must reach user space. */
enum pf_event_type {
	PF_EV_FORK = 1,  /* a new process (not thread) in the tree */
	PF_EV_EXEC,      /* a traced process called exec successfully */
	PF_EV_EXIT,      /* the last thread of a process exited */
	PF_EV_PATH,      /* a path seen for the first time: hash -> string */
	PF_EV_MODULE,    /* a module name seen for the first time: hash -> name (in .path) */
	PF_EV_RUN,       /* --perfetto: a run of one category on one thread (ring buffer `runs`) */
	PF_EV_IMPORT_SPAN, /* --perfetto: one import's span on one thread (ring buffer `runs`) */
};

struct pf_event_hdr {
	__u32 type;
	__u32 pid;   /* tgid */
	__u64 ts;    /* CLOCK_MONOTONIC ns (bpf_ktime_get_ns) */
};

struct pf_ev_fork {
	struct pf_event_hdr h;
	__u32 ppid;
	__u32 adopted; /* 1: not a fork of a traced process but one that exec'd in the cgroup asked for */
	char comm[PF_COMM_LEN];
};

struct pf_ev_exec {
	struct pf_event_hdr h;
	__u32 args_len;       /* bytes of NUL-separated argv in args */
	__u32 pad;
	char filename[PF_PATH_MAX];
	char args[PF_ARGS_MAX];
};

struct pf_ev_exit {
	struct pf_event_hdr h;
	__s32 exit_code;      /* wait status: (code << 8) | signal */
	__u32 threads;        /* threads the process had over its life */
	__u64 thread_ns;      /* sum of its threads' lifetimes */
};

struct pf_ev_path {
	struct pf_event_hdr h;
	__u64 hash;
	char path[PF_PATH_MAX];
};

/* --perfetto: a run of consecutive intervals of one category; h.ts is its start. */
struct pf_ev_run {
	struct pf_event_hdr h;
	__u32 tid;
	__u32 cat;
	__u64 end;
	__u64 key;       /* file_io: the file's path key (0: not known) */
};

/* --perfetto: an import, from its module body's start to its end. */
struct pf_ev_import_span {
	struct pf_event_hdr h;
	__u32 tid;
	__u32 depth;     /* 0: outermost */
	__u64 end;
	__u64 key;       /* the module's row (imports map, PF_EV_MODULE) */
};

/* --perfetto: per (tgid, category), the runs not delivered: shorter than the
 * minimum (not sent), or the ring buffer full (lost). Their time is still in
 * the category's totals, so slices + these = totals, exactly. */
struct pf_run_drops {
	__u64 short_ns, short_runs;
	__u64 lost_ns, lost_runs;
};

#endif
