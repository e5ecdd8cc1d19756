/* SPDX-License-Identifier: GPL-2.0-only */
/* Attaching to processes that are already running (`trace --pid`, pantsd):
 * their threads are taken over from /proc at the moment of attaching, so
 * their lifetimes in the trace start then and the accounting identity holds
 * for them as for the processes the command starts. */
#ifndef PF_TRACE_ATTACH_H
#define PF_TRACE_ATTACH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "trace_model.h"

struct pf_backend;
struct pf_backend_ops;

/* A thread found at attach time, and what it was doing. */
struct pf_attach_thread {
	pid_t tid;
	uint32_t cat;     /* category of what it is in: a syscall's, or cpu */
	bool in_syscall;
	uint32_t nr;      /* the syscall it is in (PF_SC_NR_MAX: none, or unknown) */
};

/* Parse a /proc/TID/syscall line: "running", "-1 SP PC" (blocked outside a
 * syscall) or "NR ARG0 .. ARG5 SP PC" (args in hex). Returns 1 in a syscall
 * (*nr and args set), 0 not in one, -1 unparsable. */
int pf_attach_parse_syscall(const char *line, long *nr, unsigned long long args[6]);

/* Parse "123,456" into pids (at most max). Returns how many, or -1 with a
 * one-line reason in err. */
int pf_attach_parse_pids(const char *list, pid_t *pids, size_t max, char *err, size_t errlen);

/* Attach to the trees of roots: each root and every descendant it has now,
 * with their threads, marked attached (how: "pid", "pantsd"). Processes they
 * start later are followed by the backend like any other. Returns 0, or -1
 * after printing a one-line error (a root that does not exist). */
int pf_attach_trees(struct pf_trace *tr, const struct pf_backend_ops *ops, struct pf_backend *b,
		    const pid_t *roots, size_t n, const char *how, uint64_t ts);

#endif
