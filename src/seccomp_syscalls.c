// SPDX-License-Identifier: GPL-2.0-only
/* The seccomp backend's accounting of one traced syscall, from its seccomp
 * stop (entry) to its syscall-exit stop: its category, the file it works on
 * (fds resolved through /proc/TID/fd, path arguments read from the tracee),
 * the file rows and the syscall table. The rules are the BPF program's
 * (pf_sc_category() in include/trace.h), applied to what /proc shows. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "perfanity.h"
#include "pf_util.h"
#include "seccomp_backend.h"

void *pf_sc_grow(void *v, size_t *cap, size_t n, size_t elem)
{
	if (pf_grow(&v, cap, n, elem, 64))
		abort();
	return v;
}

/* A path's key (FNV-1a, never 0), told to the model with the path. */
static uint64_t path_key(struct pf_backend *b, const char *path)
{
	uint64_t h = 1469598103934665603ULL;

	if (path[0] != '/')
		return 0; /* sockets, pipes, anon inodes: no file row */
	for (const char *p = path; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h |= 1;
	pf_trace_on_path(b->tr, h, path);
	return h;
}

static struct pf_file_stat *file_row(struct pf_backend *b, uint64_t key)
{
	uint64_t i;

	if (u64map_get(&b->files, key, &i))
		return &b->rows[i - 1].st;
	b->rows = pf_sc_grow(b->rows, &b->cap_rows, b->nrows, sizeof(*b->rows));
	memset(&b->rows[b->nrows], 0, sizeof(*b->rows));
	b->rows[b->nrows].hash = key;
	if (u64map_put(&b->files, key, ++b->nrows))
		abort();
	return &b->rows[b->nrows - 1].st;
}

/* readlink of /proc/TID/<what>, NUL-terminated; 0 or -1. */
static int proc_link(pid_t tid, const char *what, char *buf, size_t len)
{
	char p[96];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%d/%s", (int)tid, what);
	n = readlink(p, buf, len - 1);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* What fd is in tid's process: its type, and its key if it is a file.
 * Cached until it is closed (or fds may have gone unseen: fd_gen). */
static struct sc_fd *fd_info(struct pf_backend *b, const struct sc_thread *t, int fd, bool fresh)
{
	uint64_t id = (uint64_t)(uint32_t)t->tgid << 32 | (uint32_t)fd, i;
	char p[64], path[PF_PATH_MAX];
	struct sc_fd *f;
	struct stat st;

	if (fd < 0)
		return NULL;
	if (u64map_get(&b->fds, id, &i) && i) {
		f = &b->fd[i - 1];
		if (!fresh && f->gen == b->fd_gen)
			return f;
	} else {
		b->fd = pf_sc_grow(b->fd, &b->cap_fd, b->nfd, sizeof(*b->fd));
		f = &b->fd[b->nfd++];
		if (u64map_put(&b->fds, id, b->nfd))
			abort();
	}
	snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)t->tid, fd);
	memset(f, 0, sizeof(*f));
	if (stat(p, &st))
		return NULL; /* not open (the syscall fails with EBADF) */
	f->mode = st.st_mode & S_IFMT;
	f->gen = b->fd_gen;
	snprintf(p, sizeof(p), "fd/%d", fd);
	if (pf_fd_category(f->mode) == PF_CAT_FILE_IO && !proc_link(t->tid, p, path, sizeof(path)))
		f->key = path_key(b, path);
	return f;
}

static void fd_forget(struct pf_backend *b, pid_t tgid, int fd)
{
	uint64_t i;

	if (u64map_get(&b->fds, (uint64_t)(uint32_t)tgid << 32 | (uint32_t)fd, &i) && i)
		b->fd[i - 1].gen = b->fd_gen - 1;
}

/* A NUL-terminated string of the tracee's, read page by page (the string
 * may end just before an unmapped page). Returns its length or -1. */
static ssize_t read_str(pid_t tid, uint64_t addr, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len - 1) {
		size_t page_left = 4096 - ((addr + got) & 4095), want = len - 1 - got;
		struct iovec l = { buf + got, want < page_left ? want : page_left };
		struct iovec r = { (void *)(uintptr_t)(addr + got), l.iov_len };
		ssize_t n = process_vm_readv(tid, &l, 1, &r, 1, 0);

		if (n <= 0)
			return -1;
		if (memchr(buf + got, 0, (size_t)n))
			return (ssize_t)strlen(buf);
		got += (size_t)n;
	}
	buf[got] = 0;
	return (ssize_t)got;
}

/* A path argument's key, made absolute against the dirfd or the working
 * directory as the process gave it (symlinks kept), as the BPF side does. */
static uint64_t user_path_key(struct pf_backend *b, const struct sc_thread *t)
{
	char user[PF_PATH_MAX], path[2 * PF_PATH_MAX + 2], base[PF_PATH_MAX], fdl[32];

	if (!t->path_arg || read_str(t->tid, t->path_arg, user, sizeof(user)) < 0)
		return 0;
	if (user[0] == '/')
		return path_key(b, user);
	snprintf(fdl, sizeof(fdl), "fd/%d", t->dirfd);
	if (proc_link(t->tid, t->dirfd == AT_FDCWD ? "cwd" : fdl, base, sizeof(base)))
		return 0;
	if (!user[0]) /* AT_EMPTY_PATH: the dirfd's own file */
		return path_key(b, base);
	snprintf(path, sizeof(path), "%s/%s", strcmp(base, "/") ? base : "", user);
	path[PF_PATH_MAX - 1] = 0;
	return path_key(b, path);
}

/* poll/ppoll: net if one of the first fds polled is a socket, as in BPF. */
static int polls_socket(struct pf_backend *b, const struct sc_thread *t, const uint64_t *args)
{
	struct pollfd pfds[PF_POLL_FDS_CHECKED];
	size_t n = args[1] < PF_POLL_FDS_CHECKED ? args[1] : PF_POLL_FDS_CHECKED;
	struct iovec l = { pfds, n * sizeof(*pfds) }, r = { (void *)(uintptr_t)args[0], l.iov_len };

	if (t->sc & PF_SC_SELECT || !n || process_vm_readv(t->tid, &l, 1, &r, 1, 0) != (ssize_t)l.iov_len)
		return 0; /* select's fd_set is not looked into: a select is sleep */
	for (size_t i = 0; i < n; i++) {
		struct sc_fd *f = fd_info(b, t, pfds[i].fd, false);

		if (f && f->mode == S_IFSOCK)
			return 1;
	}
	return 0;
}

/* The (dirfd, path) pair of a PATH/OPEN call, and whether an open creates. */
static void path_args(struct sc_thread *t, uint32_t nr, const uint64_t *a)
{
	uint64_t a0 = a[0], a1 = a[1], a2 = a[2];

	if (t->sc & PF_SC_SHIFT1) {
		a0 = a1;
		a1 = a2;
		a2 = a[3];
	}
	t->dirfd = (t->sc & PF_SC_DIRFD) ? (int)a0 : AT_FDCWD;
	t->path_arg = (t->sc & PF_SC_DIRFD) ? a1 : a0;
	if ((t->sc & PF_SC_CLASS_MASK) == PF_SC_OPEN && nr != SYS_openat2 &&
	    (((t->sc & PF_SC_DIRFD) ? a2 : a1) & O_CREAT))
		t->mutates = true;
}

void pf_sc_syscall_enter(struct pf_backend *b, struct sc_thread *t, uint32_t nr, const uint64_t *args, uint64_t now)
{
	uint32_t mode = 0;
	int polled = 0;

	pf_trace_add_cat(b->tr, (uint32_t)t->tgid, PF_CAT_CPU, now - t->last);
	t->last = now;
	t->in_syscall = true;
	t->nr = nr;
	t->sc = nr < PF_SC_NR_MAX ? b->classes[nr] : PF_SC_OTHER;
	t->key = 0;
	t->by_fd = false;
	t->mutates = !!(t->sc & PF_SC_MUTATES);
	switch (t->sc & PF_SC_CLASS_MASK) {
	case PF_SC_PATH:
	case PF_SC_OPEN: path_args(t, nr, args); break;
	case PF_SC_FD:
	case PF_SC_CLOSE: {
		struct sc_fd *f = fd_info(b, t, (int)args[0], false);

		mode = f ? f->mode : 0;
		t->key = f ? f->key : 0;
		t->by_fd = true;
		t->dirfd = (int)args[0]; /* CLOSE: the fd to forget */
		break;
	}
	case PF_SC_POLL: polled = polls_socket(b, t, args); break;
	}
	t->cat = pf_sc_category(t->sc, mode, polled);
}

/* Ops, time and bytes of a call on a file, into its row. */
static void count_file_call(struct pf_backend *b, const struct sc_thread *t, uint64_t key, int64_t ret, uint64_t delta)
{
	struct pf_file_stat *fs = file_row(b, key);

	fs->ns += delta;
	fs->ops++;
	if (ret > 0 && (t->sc & PF_SC_READS))
		fs->bytes_read += (uint64_t)ret;
	if (ret > 0 && (t->sc & PF_SC_WRITES))
		fs->bytes_written += (uint64_t)ret;
	if (ret >= 0 && t->mutates)
		fs->mutations++;
}

static void count_syscall(struct pf_backend *b, const struct sc_thread *t, int64_t ret, uint64_t delta)
{
	struct pf_syscall_stat *s;

	if (t->nr >= PF_SC_NR_MAX)
		return;
	s = &b->tr->syscalls[t->nr];
	s->calls++;
	s->ns += delta;
	if (ret < 0 && ret >= -4095)
		s->errors++;
	else if (ret > 0 && (t->sc & (PF_SC_READS | PF_SC_WRITES)))
		s->bytes += (uint64_t)ret;
}

void pf_sc_syscall_exit(struct pf_backend *b, struct sc_thread *t, int64_t ret, uint64_t now)
{
	uint16_t cls = t->sc & PF_SC_CLASS_MASK;
	uint64_t delta = now - t->last, key = t->key;

	if (cls == PF_SC_OPEN && ret >= 0) {
		struct sc_fd *f = fd_info(b, t, (int)ret, true);
		char path[PF_PATH_MAX], fdl[32];

		/* the opened file's own path (symlinks resolved), whatever its type */
		snprintf(fdl, sizeof(fdl), "fd/%d", (int)ret);
		key = f && f->key ? f->key : proc_link(t->tid, fdl, path, sizeof(path)) ? 0 : path_key(b, path);
	} else if (cls == PF_SC_OPEN || cls == PF_SC_PATH) {
		key = user_path_key(b, t);
	}
	pf_trace_add_cat(b->tr, (uint32_t)t->tgid, t->cat, delta);
	if (key)
		count_file_call(b, t, key, ret, delta);
	count_syscall(b, t, ret, delta);
	if (cls == PF_SC_CLOSE && ret == 0)
		fd_forget(b, t->tgid, t->dirfd);
	else if (t->sc & PF_SC_FDS_GONE)
		b->fd_gen++; /* dup2, dup3, close_range: which fds changed is not looked into */
	t->in_syscall = false;
	t->last = now;
}
