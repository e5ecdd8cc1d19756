/* SPDX-License-Identifier: GPL-2.0-only */
/* The seccomp backend's state, shared by its two halves: the ptrace loop
 * that follows the tree (src/trace_backend_seccomp.c) and the accounting of
 * each traced syscall (src/seccomp_syscalls.c). */
#ifndef PF_SECCOMP_BACKEND_H
#define PF_SECCOMP_BACKEND_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/filter.h>
#include "trace_model.h"
#include "u64map.h"

struct sc_thread {
	pid_t tid, tgid;
	uint64_t start;  /* first seen */
	uint64_t last;   /* start of the current interval */
	bool in_syscall; /* between its seccomp stop and its syscall-exit stop */
	bool gone;       /* exited: its time is in its process */
	bool started;    /* its first stop (a new thread's) was seen */
	uint32_t nr;     /* the syscall in progress */
	uint16_t sc;     /* its class word */
	uint32_t cat;    /* its category */
	uint64_t key;    /* the file it works on, 0: none */
	bool by_fd;      /* ... through an fd */
	bool mutates;
	uint64_t path_arg; /* PATH/OPEN: the tracee's pointer to the path */
	int dirfd;
};

struct sc_fd {
	uint64_t key;  /* path key of a file_io file, 0 otherwise */
	uint32_t mode; /* st_mode & S_IFMT */
	uint64_t gen;  /* valid while equal to the backend's fd_gen */
};

struct pf_backend {
	struct pf_trace *tr;
	unsigned short classes[PF_SC_NR_MAX];
	struct sock_fprog prog;
	int sigfd; /* SIGCHLD: a tracee stopped or exited */
	pid_t root;
	bool root_reaped;
	int root_status;
	struct u64map tids; /* tid -> index in th (+1; 0: none) */
	struct sc_thread *th;
	size_t nth, cap_th;
	struct u64map fds; /* tgid << 32 | fd -> index in fd (+1) */
	struct sc_fd *fd;
	size_t nfd, cap_fd;
	uint64_t fd_gen;     /* bumped when fds may have gone unseen (dup2, close_range, exec, exit) */
	struct u64map files; /* path key -> index in rows (+1) */
	struct pf_file_row *rows;
	size_t nrows, cap_rows;
};

/* src/seccomp_syscalls.c */
void pf_sc_syscall_enter(struct pf_backend *b, struct sc_thread *t, uint32_t nr, const uint64_t *args, uint64_t now);
void pf_sc_syscall_exit(struct pf_backend *b, struct sc_thread *t, int64_t ret, uint64_t now);
void *pf_sc_grow(void *v, size_t *cap, size_t n, size_t elem);

#endif
