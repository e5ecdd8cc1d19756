/* SPDX-License-Identifier: GPL-2.0-only */
/* Event sources for `perfanity trace`: eBPF (src/trace_backend_bpf.c), and
 * seccomp + ptrace where eBPF cannot load (src/trace_backend_seccomp.c). */
#ifndef PF_TRACE_BACKEND_H
#define PF_TRACE_BACKEND_H
#include <stdbool.h>
#include <sys/types.h>
#include "trace_model.h"
#include "trace_attach.h"

struct sock_fprog;

struct pf_backend;

struct pf_backend_ops {
	const char *name;
	/* Load (but not attach). Returns NULL after printing a one-line error;
	 * *privilege_error is set when the cause is missing privileges. */
	struct pf_backend *(*open)(struct pf_trace *tr, bool verbose, bool *privilege_error);
	/* Start the probes; cmd_path is the executable the command resolves
	 * to and argv the command (they tell which probes to put in first). */
	int (*attach)(struct pf_backend *b, const char *cmd_path, char *const *argv);
	/* Follow pid and all its descendants from now on. Called last, just
	 * before the held child is released, so its wait is not traced. */
	int (*follow)(struct pf_backend *b, pid_t pid);
	/* Take over a running process from ts on: its threads as found in /proc
	 * (trace_attach.h), then follow it and its descendants. */
	int (*adopt)(struct pf_backend *b, pid_t tgid, const struct pf_attach_thread *threads, size_t n,
		     uint64_t ts);
	/* A file descriptor that becomes readable when events are waiting. */
	int (*fd)(struct pf_backend *b);
	/* Deliver waiting events to the model. */
	int (*consume)(struct pf_backend *b);
	/* Drain events, read the aggregates into the model, close open intervals at now. */
	int (*collect)(struct pf_backend *b, uint64_t now);
	/* Detach and release everything. */
	void (*close)(struct pf_backend *b);
	/* Optional (NULL: not needed). A backend that waits for the command's
	 * tree itself (ptrace) reaps the root too: whether it reaped pid, and
	 * its wait status. */
	bool (*reaped)(struct pf_backend *b, pid_t pid, int *status);
	/* A seccomp filter the held child installs before exec. */
	const struct sock_fprog *(*child_filter)(struct pf_backend *b);
};

extern const struct pf_backend_ops pf_backend_bpf;
extern const struct pf_backend_ops pf_backend_seccomp;

#endif
