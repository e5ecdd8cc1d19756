/* SPDX-License-Identifier: GPL-2.0-only */
/* The user the traced command runs as: under sudo the invoking user (as
 * `strace -u` does), so root serves the tracer and never the command. */
#ifndef PF_LAUNCH_USER_H
#define PF_LAUNCH_USER_H
#include <stdbool.h>
#include <sys/types.h>

struct pf_run_as {
	bool active; /* false: the command runs as perfanity does */
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups, as initgroups() would set them */
	int ngroups;
	char **envp; /* the environment, HOME, USER and LOGNAME the user's */
};

/* Who runs the command: `user` (--user NAME or UID) if given, else, when
 * euid is root and sudo set SUDO_UID, that user. root (or nobody to switch
 * to) leaves ra inactive. Everything the child needs is prepared here: after
 * fork it only makes syscalls. 0, or PF_EXIT_USAGE after one line. */
int pf_run_as_resolve(const char *user, uid_t euid, struct pf_run_as *ra);
/* In the held child, before exec: become the user. 0 or an errno. */
int pf_run_as_apply(const struct pf_run_as *ra);
void pf_run_as_free(struct pf_run_as *ra);

#endif
