// SPDX-License-Identifier: GPL-2.0-only
/* The seccomp backend of `perfanity trace`, for where eBPF cannot load (no
 * root, no CAP_BPF, no BTF): the held child installs a seccomp filter that
 * stops only the syscalls the categories need (src/seccomp_filter.c), and
 * perfanity follows the tree with ptrace, as `strace --seccomp-bpf` does.
 * Each traced syscall is timed from its seccomp stop to its syscall-exit
 * stop (src/seccomp_syscalls.c); the time between is `cpu`. What it cannot
 * see is listed in the trace's "unseen", never guessed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include "perfanity.h"
#include "syscall_class.h"
#include "seccomp_filter.h"
#include "seccomp_backend.h"
#include "trace_backend.h"

/* Events handled per consume() call before the run loop gets a turn. */
#define SC_EVENTS_PER_CONSUME 4096

static const char *const unseen[] = {
	"runqueue",          /* no scheduler events: waiting for a CPU is cpu */
	"fault_io",          /* page faults are not syscalls */
	"untraced_syscalls", /* the syscalls the filter lets through run as cpu (BPF: other) */
	"import",            /* no uprobes or USDT: Python imports and compiles, */
	"compile",
	"zip_extract", /* zlib inflate() */
	NULL,
};

static struct sc_thread *thread_of(struct pf_backend *b, pid_t tid)
{
	uint64_t i;

	return u64map_get(&b->tids, (uint64_t)tid, &i) && i ? &b->th[i - 1] : NULL;
}

/* Tgid and PPid of a task, from /proc/TID/status. */
static void task_ids(pid_t tid, pid_t *tgid, pid_t *ppid)
{
	char p[64], line[256];
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/status", (int)tid);
	f = fopen(p, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Tgid:", 5))
			*tgid = (pid_t)atoi(line + 5);
		else if (!strncmp(line, "PPid:", 5))
			*ppid = (pid_t)atoi(line + 5);
	}
	fclose(f);
}

static void read_proc(pid_t pid, const char *what, char *buf, size_t len, size_t *got)
{
	char p[64];
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, what);
	*got = 0;
	f = fopen(p, "re");
	if (f) {
		*got = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[*got] = 0;
}

/* A task seen for the first time (its parent's fork event, or its own first
 * stop, whichever comes first): a new process unless it is a thread. */
static struct sc_thread *thread_add(struct pf_backend *b, pid_t tid, pid_t parent_tgid, uint64_t now)
{
	pid_t tgid = tid, ppid = parent_tgid;
	struct sc_thread *t;
	struct pf_proc *p;

	task_ids(tid, &tgid, &ppid);
	if (tgid == tid && tid != b->root) {
		char comm[32];
		size_t n;

		read_proc(tid, "comm", comm, sizeof(comm), &n);
		comm[strcspn(comm, "\n")] = 0;
		pf_trace_on_fork(b->tr, (uint32_t)tid, (uint32_t)ppid, now, comm);
	}
	b->th = pf_sc_grow(b->th, &b->cap_th, b->nth, sizeof(*b->th));
	t = &b->th[b->nth++];
	*t = (struct sc_thread){ .tid = tid, .tgid = tgid, .start = now, .last = now };
	if (u64map_put(&b->tids, (uint64_t)tid, b->nth))
		abort();
	p = pf_trace_proc(b->tr, (uint32_t)tgid);
	if (p)
		p->threads++;
	return t;
}

/* The thread's life ends: its open interval and its lifetime to its process. */
static void thread_close(struct pf_backend *b, struct sc_thread *t, uint64_t now)
{
	struct pf_proc *p = pf_trace_proc(b->tr, (uint32_t)t->tgid);

	if (t->gone)
		return;
	t->gone = true;
	if (now < t->last)
		now = t->last;
	pf_trace_add_cat(b->tr, (uint32_t)t->tgid, t->in_syscall ? t->cat : PF_CAT_CPU, now - t->last);
	if (p)
		p->thread_ns += now - t->start;
}

/* After exec. (A thread other than the leader that execs takes the
 * leader's tid: the stops then continue under that tid, whose state is the
 * old leader's; not handled, rare outside tests of it.) */
static void on_exec(struct pf_backend *b, struct sc_thread *t, uint64_t now)
{
	char exe[PF_PATH_MAX], args[PF_ARGS_MAX], p[64];
	ssize_t n;
	size_t len;

	snprintf(p, sizeof(p), "/proc/%d/exe", (int)t->tid);
	n = readlink(p, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	read_proc(t->tid, "cmdline", args, sizeof(args), &len);
	pf_trace_on_exec(b->tr, (uint32_t)t->tgid, now, exe, args, len);
	b->fd_gen++; /* its close-on-exec fds are gone */
}

/* A waited-for task ended: the thread, and with the leader its process. */
static void on_gone(struct pf_backend *b, pid_t tid, int status, uint64_t now)
{
	struct sc_thread *t = thread_of(b, tid);

	if (t)
		thread_close(b, t, now);
	if (!t || t->tgid == tid) {
		pf_trace_on_exit(b->tr, (uint32_t)tid, now, status);
		b->fd_gen++; /* its pid, and so its fd keys, may be reused */
	}
	if (tid == b->root) {
		b->root_reaped = true;
		b->root_status = status;
	}
	u64map_put(&b->tids, (uint64_t)tid, 0);
}

static void syscall_stop(struct pf_backend *b, struct sc_thread *t, bool entry, uint64_t now)
{
	struct __ptrace_syscall_info si;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof(si), &si) <= 0)
		return;
	if (entry && si.op == PTRACE_SYSCALL_INFO_SECCOMP)
		pf_sc_syscall_enter(b, t, (uint32_t)si.seccomp.nr, si.seccomp.args, now);
	else if (!entry && si.op == PTRACE_SYSCALL_INFO_EXIT && t->in_syscall)
		pf_sc_syscall_exit(b, t, si.exit.rval, now);
}

/* A ptrace stop: what it is, and how the tracee goes on. A thread in a
 * traced syscall is resumed to its syscall-exit stop (PTRACE_SYSCALL);
 * otherwise it runs untraced until the filter stops it (PTRACE_CONT). */
static void on_stop(struct pf_backend *b, pid_t tid, int status, uint64_t now)
{
	struct sc_thread *t = thread_of(b, tid);
	int sig = WSTOPSIG(status), ev = (unsigned)status >> 16, inject = 0;
	unsigned long msg = 0;

	if (!t)
		t = thread_add(b, tid, 0, now);
	switch (ev) {
	case PTRACE_EVENT_SECCOMP: syscall_stop(b, t, true, now); break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		if (!ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg) && !thread_of(b, (pid_t)msg))
			thread_add(b, (pid_t)msg, t->tgid, now);
		break;
	case PTRACE_EVENT_EXEC: on_exec(b, t, now); break;
	case PTRACE_EVENT_EXIT: thread_close(b, t, now); break;
	case PTRACE_EVENT_STOP:
		/* a group-stop stays stopped until SIGCONT; a new task's first stop does not */
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
			ptrace(PTRACE_LISTEN, tid, 0, 0);
			return;
		}
		break;
	case 0:
		if (sig == (SIGTRAP | 0x80))
			syscall_stop(b, t, false, now);
		else
			inject = sig; /* a signal for the tracee: delivered */
		break;
	}
	ptrace(t->in_syscall && !t->gone ? PTRACE_SYSCALL : PTRACE_CONT, tid, 0, inject);
}

static int sc_consume(struct pf_backend *b)
{
	struct signalfd_siginfo si;
	int status, n = 0;
	pid_t tid;

	while (read(b->sigfd, &si, sizeof(si)) == sizeof(si))
		;
	while ((tid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
		uint64_t now = pf_now_ns();

		if (WIFSTOPPED(status))
			on_stop(b, tid, status, now);
		else if (WIFEXITED(status) || WIFSIGNALED(status))
			on_gone(b, tid, status, now);
		if (++n == SC_EVENTS_PER_CONSUME) {
			/* the rest on the next turn: keep our fd readable for it */
			kill(getpid(), SIGCHLD);
			break;
		}
	}
	return 0;
}

static void sc_close(struct pf_backend *b);

static struct pf_backend *sc_open(struct pf_trace *tr, bool verbose, bool *privilege_error)
{
	struct pf_backend *b = calloc(1, sizeof(*b));
	sigset_t chld;

	(void)verbose;
	*privilege_error = false;
	if (!b)
		return NULL;
	b->tr = tr;
	b->sigfd = -1;
	u64map_init(&b->tids);
	u64map_init(&b->fds);
	u64map_init(&b->files);
	b->fd_gen = 1;
	pf_syscall_class_fill(b->classes, PF_SC_NR_MAX);
	if (pf_seccomp_build(b->classes, PF_SC_NR_MAX, &b->prog)) {
		sc_close(b);
		return NULL;
	}
	/* stops and exits are told by SIGCHLD, read from an fd like BPF's ring
	 * buffer (the child is started with the mask from before: unblocked) */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	b->sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (b->sigfd < 0) {
		pf_err("signalfd: %s", strerror(errno));
		sc_close(b);
		return NULL;
	}
	tr->unseen = unseen;
	return b;
}

static int sc_attach(struct pf_backend *b, const char *cmd_path, char *const *argv)
{
	(void)b;
	(void)cmd_path;
	(void)argv;
	return 0; /* the filter is the child's: installed when it is released */
}

static int sc_follow(struct pf_backend *b, pid_t pid)
{
	long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
		    PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL;

	if (ptrace(PTRACE_SEIZE, pid, 0, opts)) {
		pf_err("ptrace cannot follow the command (%s): is ptrace forbidden here (seccomp, "
		       "kernel.yama.ptrace_scope=3)?",
		       strerror(errno));
		return -1;
	}
	b->root = pid;
	return 0;
}

static int sc_fd(struct pf_backend *b)
{
	return b->sigfd;
}

/* Threads still alive (what the command left running) end at now; stops
 * not handled yet are left alone, so that nothing ends after now. */
static int sc_collect(struct pf_backend *b, uint64_t now)
{
	for (size_t i = 0; i < b->nth; i++)
		thread_close(b, &b->th[i], now);
	for (size_t i = 0; i < b->nrows; i++)
		pf_trace_add_file(b->tr, b->rows[i].hash, &b->rows[i].st);
	return 0;
}

static bool sc_reaped(struct pf_backend *b, pid_t pid, int *status)
{
	if (!b->root_reaped || pid != b->root)
		return false;
	*status = b->root_status;
	return true;
}

static const struct sock_fprog *sc_child_filter(struct pf_backend *b)
{
	return &b->prog;
}

/* Tracees still alive (orphans the command left) are killed when perfanity
 * exits (PTRACE_O_EXITKILL): without their tracer, the filter would fail
 * their traced syscalls with ENOSYS. */
static void sc_close(struct pf_backend *b)
{
	if (!b)
		return;
	if (b->sigfd >= 0)
		close(b->sigfd);
	free(b->prog.filter);
	u64map_free(&b->tids);
	u64map_free(&b->fds);
	u64map_free(&b->files);
	free(b->th);
	free(b->fd);
	free(b->rows);
	free(b);
}

const struct pf_backend_ops pf_backend_seccomp = {
	.name = "seccomp",
	.open = sc_open,
	.attach = sc_attach,
	.follow = sc_follow,
	.adopt = NULL, /* it follows what it starts: no --pid, pantsd, containers */
	.fd = sc_fd,
	.consume = sc_consume,
	.collect = sc_collect,
	.close = sc_close,
	.reaped = sc_reaped,
	.child_filter = sc_child_filter,
};
