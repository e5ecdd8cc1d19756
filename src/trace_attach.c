// SPDX-License-Identifier: GPL-2.0-only
/* Attaching to running process trees: what /proc says of them at the moment
 * of attaching becomes the start of their trace. A thread blocked in a
 * syscall (pantsd's threads mostly are) starts in that syscall's category,
 * by the same rule the BPF program applies at syscall entry. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <signal.h>
#include <stdint.h>
#include "perfanity.h"
#include "syscall_class.h"
#include "trace.h"
#include "trace_attach.h"
#include "trace_backend.h"

int pf_attach_parse_syscall(const char *line, long *nr, unsigned long long args[6])
{
	char *end;

	*nr = -1;
	if (!strncmp(line, "running", 7))
		return 0;
	*nr = strtol(line, &end, 10);
	if (end == line)
		return -1;
	if (*nr < 0)
		return 0;
	for (int i = 0; i < 6; i++) {
		char *p = end;

		args[i] = strtoull(p, &end, 16);
		if (end == p)
			return -1;
	}
	return 1;
}

int pf_attach_parse_pids(const char *list, pid_t *pids, size_t max, char *err, size_t errlen)
{
	size_t n = 0;
	const char *p = list;

	if (!list || !*list) {
		snprintf(err, errlen, "--pid needs a process id (or several: --pid 12,34)");
		return -1;
	}
	while (*p) {
		char *end;
		long v;

		if (!isdigit((unsigned char)*p)) {
			snprintf(err, errlen, "--pid takes process ids separated by commas, not '%s'", list);
			return -1;
		}
		v = strtol(p, &end, 10);
		if (v <= 0 || v > 4194304 || (*end && (*end != ',' || !end[1]))) {
			snprintf(err, errlen, "--pid takes process ids separated by commas, not '%s'", list);
			return -1;
		}
		if (n == max) {
			snprintf(err, errlen, "--pid takes at most %zu process ids", max);
			return -1;
		}
		pids[n++] = (pid_t)v;
		p = *end ? end + 1 : end;
	}
	return (int)n;
}

static uint32_t fd_mode(pid_t pid, int fd)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	return fd >= 0 && !stat(path, &st) ? (uint32_t)st.st_mode : 0;
}

/* Whether one of the first pollfds of a thread blocked in poll() is a socket. */
static int polls_socket(pid_t pid, unsigned long long pollfds, unsigned long long nfds)
{
	struct pollfd pf[PF_POLL_FDS_CHECKED];
	size_t n = nfds < PF_POLL_FDS_CHECKED ? nfds : PF_POLL_FDS_CHECKED;
	struct iovec local = { pf, n * sizeof(pf[0]) }, remote = { (void *)(uintptr_t)pollfds, n * sizeof(pf[0]) };

	if (!n || process_vm_readv(pid, &local, 1, &remote, 1, 0) != (ssize_t)local.iov_len)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((fd_mode(pid, pf[i].fd) & PF_S_IFMT) == PF_S_IFSOCK)
			return 1;
	return 0;
}

/* The thread's state from /proc/PID/task/TID/syscall, categorised by the
 * rule the BPF program applies at syscall entry. */
static void read_thread(pid_t pid, pid_t tid, const unsigned short *classes, struct pf_attach_thread *t)
{
	char path[64], line[256] = "";
	unsigned long long a[6];
	long nr;
	FILE *f;

	t->tid = tid;
	t->cat = PF_CAT_CPU;
	t->in_syscall = false;
	t->nr = PF_SC_NR_MAX;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && pf_attach_parse_syscall(line, &nr, a) == 1) {
		unsigned short sc = nr < PF_SC_NR_MAX ? classes[nr] : PF_SC_OTHER;
		unsigned cls = sc & PF_SC_CLASS_MASK;
		uint32_t mode = cls == PF_SC_FD || cls == PF_SC_CLOSE ? fd_mode(pid, (int)a[0]) : 0;
		int sock = cls == PF_SC_POLL && !(sc & PF_SC_SELECT) ? polls_socket(pid, a[0], a[1]) : 0;

		t->cat = pf_sc_category(sc, mode, sock);
		t->in_syscall = true;
		t->nr = nr >= 0 && nr < PF_SC_NR_MAX ? (uint32_t)nr : PF_SC_NR_MAX;
	}
	fclose(f);
}

/* ppid and comm from /proc/PID/stat ("PID (COMM) S PPID ..."; comm may hold spaces). */
static int read_stat(pid_t pid, pid_t *ppid, char *comm, size_t commlen)
{
	char path[64], buf[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	int pp;

	if (!open || !close || close < open || sscanf(close + 1, " %*c %d", &pp) != 1)
		return -1;
	snprintf(comm, commlen, "%.*s", (int)(close - open - 1), open + 1);
	*ppid = pp;
	return 0;
}

/* argv from /proc/PID/cmdline, NUL-separated as the kernel's exec event gives it. */
static size_t read_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, len);
	close(fd);
	return n > 0 ? (size_t)n : 0;
}

/* Take one process over: its threads into the backend, its row into the model. */
static int adopt(struct pf_trace *tr, const struct pf_backend_ops *ops, struct pf_backend *b,
		 pid_t pid, const char *how, uint64_t ts, const unsigned short *classes)
{
	char path[64], comm[64], exe[PF_PATH_MAX] = "", args[PF_ARGS_MAX];
	struct pf_attach_thread *th = NULL;
	size_t n = 0, cap = 0, alen;
	struct dirent *de;
	pid_t ppid;
	ssize_t el;
	DIR *d;

	if (read_stat(pid, &ppid, comm, sizeof(comm)))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n == cap) {
			struct pf_attach_thread *t = realloc(th, (cap = cap ? 2 * cap : 16) * sizeof(*th));

			if (!t)
				break;
			th = t;
		}
		read_thread(pid, (pid_t)atoi(de->d_name), classes, &th[n++]);
	}
	closedir(d);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	el = readlink(path, exe, sizeof(exe) - 1);
	exe[el > 0 ? el : 0] = 0;
	alen = read_cmdline(pid, args, sizeof(args));
	pf_trace_add_attached(tr, (uint32_t)pid, (uint32_t)ppid, ts, comm, exe, args, alen, how);
	int rc = ops->adopt(b, pid, th, n, ts);

	free(th);
	return rc;
}

/* Every process's parent, from /proc: a snapshot to find descendants in. */
struct ptable {
	pid_t *pid, *ppid;
	size_t n;
};

static void ptable_read(struct ptable *t)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t cap = 0;

	memset(t, 0, sizeof(*t));
	while (d && (de = readdir(d))) {
		char comm[64];
		pid_t pid, ppid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (read_stat(pid, &ppid, comm, sizeof(comm)))
			continue;
		if (t->n == cap) {
			cap = cap ? 2 * cap : 256;
			pid_t *a = realloc(t->pid, cap * sizeof(pid_t)), *b2 = a ? realloc(t->ppid, cap * sizeof(pid_t)) : NULL;

			if (!a || !b2) {
				t->pid = a ? a : t->pid;
				break;
			}
			t->pid = a;
			t->ppid = b2;
		}
		t->pid[t->n] = pid;
		t->ppid[t->n++] = ppid;
	}
	if (d)
		closedir(d);
}

static bool known(struct pf_trace *tr, pid_t pid)
{
	struct pf_proc *p = pf_trace_proc(tr, (uint32_t)pid);

	return p && !p->exited;
}

/* Adopt every not yet known descendant of an attached process, in tree order.
 * Returns how many were adopted. */
static size_t adopt_descendants(struct pf_trace *tr, const struct pf_backend_ops *ops, struct pf_backend *b,
				const char *how, uint64_t ts, const unsigned short *classes)
{
	struct ptable t;
	size_t adopted = 0;
	bool more = true;

	ptable_read(&t);
	while (more) {
		more = false;
		for (size_t i = 0; i < t.n; i++) {
			struct pf_proc *parent = pf_trace_proc(tr, (uint32_t)t.ppid[i]);

			if (!parent || !parent->attached || parent->exited || known(tr, t.pid[i]))
				continue;
			if (!adopt(tr, ops, b, t.pid[i], how, ts, classes)) {
				adopted++;
				more = true;
			}
		}
	}
	free(t.pid);
	free(t.ppid);
	return adopted;
}

int pf_attach_trees(struct pf_trace *tr, const struct pf_backend_ops *ops, struct pf_backend *b,
		    const pid_t *roots, size_t n, const char *how, uint64_t ts)
{
	static unsigned short classes[PF_SC_NR_MAX];
	static bool filled;

	if (!filled) {
		pf_syscall_class_fill(classes, PF_SC_NR_MAX);
		filled = true;
	}
	for (size_t i = 0; i < n; i++) {
		if (roots[i] == getpid()) {
			pf_err("--pid %d is perfanity itself", (int)roots[i]);
			return -1;
		}
		if (known(tr, roots[i]))
			continue;
		if (kill(roots[i], 0) && errno == ESRCH) {
			pf_err("--pid %d: no such process", (int)roots[i]);
			return -1;
		}
		if (adopt(tr, ops, b, roots[i], how, ts, classes)) {
			pf_err("cannot attach to pid %d: it exited, or its /proc entry is unreadable", (int)roots[i]);
			return -1;
		}
		pf_trace_add_attach_root(tr, (uint32_t)roots[i], how);
	}
	/* Twice: a child forked after the first look but before its parent was
	 * followed is in neither the first snapshot nor the kernel's fork events. */
	adopt_descendants(tr, ops, b, how, ts, classes);
	adopt_descendants(tr, ops, b, how, ts, classes);
	return 0;
}
