/* SPDX-License-Identifier: GPL-2.0-only */
/* --cgroup DIR, --container NAME, --containers: the cgroup whose processes
 * trace takes in when they exec there, resolved before the programs load. */
#ifndef PF_TRACE_CONTAINER_H
#define PF_TRACE_CONTAINER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "trace.h"

struct pf_cg_target {
	uint32_t mode;                     /* enum pf_cg_mode */
	uint64_t id;                       /* PF_CG_ID: the directory's kernfs id (its inode) */
	char container[PF_CG_ID_LEN + 1];  /* PF_CG_NAME: the container's full id */
	const char *how;                   /* "cgroup" or "container": what the JSON's attached says */
};

/* DIR must be a cgroup directory (v1 or v2); its members now go to pids
 * (at most max; *npids set). Returns 0, or -1 after one line. */
int pf_cg_resolve_dir(const char *dir, struct pf_cg_target *t, pid_t *pids, size_t max, size_t *npids);

/* NAME (or id, or id prefix) of a Docker container, asked of `docker
 * inspect`; *pid is its main process if it runs, else 0. Returns 0, or -1
 * after one line (no docker, no daemon, no such container). */
int pf_cg_resolve_container(const char *name, struct pf_cg_target *t, pid_t *pid);

/* Any Docker container's processes. */
void pf_cg_any_container(struct pf_cg_target *t);

/* Whether s is a container's full id: 64 lowercase hex digits. */
int pf_cg_is_full_id(const char *s);

#endif
