/* SPDX-License-Identifier: GPL-2.0-only */
/* Starting the traced command held, so probes are attached before it runs. */
#ifndef PF_LAUNCH_H
#define PF_LAUNCH_H
#include <stddef.h>
#include <sys/types.h>

struct pf_child {
	pid_t pid;
	int go_fd;   /* write a byte to let the child exec */
	int err_fd;  /* EOF when exec succeeded; the errno when it failed */
};

/* 0 if name can be executed (found in PATH when it has no '/'), else an
 * errno. On success *resolved (if not NULL) is the malloc'd path execvp will run. */
int pf_command_lookup(const char *name, char **resolved);
struct pf_run_as;
struct sock_fprog;

/* Fork a child that waits for pf_child_release() and then execs argv with
 * the signal mask `mask`, with the seccomp filter `filter` (NULL: none)
 * installed, as the user ra says (NULL: as we run). Returns 0, or -1 after
 * printing an error. */
int pf_child_spawn(struct pf_child *c, char **argv, const void *mask, const struct pf_run_as *ra,
		   const struct sock_fprog *filter);
/* Let it exec; returns 0 once exec succeeded, the errno of a failed exec,
 * or minus the errno of a failed set-up (filter, user). pump(arg), if not
 * NULL, is called while waiting (a tracer handling the child's stops). */
int pf_child_release(struct pf_child *c, void (*pump)(void *), void *arg);
/* It will never be released: it exits, and is reaped. */
void pf_child_abort(struct pf_child *c);

#endif
