/* Event sources for `perfanity trace`. The BPF backend is the only one now;
 * an unprivileged backend can be added behind the same interface. */
#ifndef PF_TRACE_BACKEND_H
#define PF_TRACE_BACKEND_H
#include <stdbool.h>
#include <sys/types.h>
#include "trace_model.h"
#include "trace_attach.h"

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
};

extern const struct pf_backend_ops pf_backend_bpf;

#endif
