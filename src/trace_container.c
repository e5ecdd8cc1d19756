// SPDX-License-Identifier: GPL-2.0-only
/* --cgroup, --container and --containers resolved: the cgroup's kernfs id
 * and members, or the container's full id and main process from `docker
 * inspect` (run without a shell; its own error line is passed on). */
#include "trace_container.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "perfanity.h"

#define CGROUP_V1_MAGIC 0x27e0eb
#define CGROUP_V2_MAGIC 0x63677270

extern char **environ;

int pf_cg_is_full_id(const char *s)
{
	size_t n = strlen(s);

	return n == PF_CG_ID_LEN && pf_cg_id_at(s, 0, "");
}

static size_t read_members(const char *dir, pid_t *pids, size_t max)
{
	char path[4096];
	size_t n = 0;
	long pid;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "r");
	while (f && n < max && fscanf(f, "%ld", &pid) == 1)
		pids[n++] = (pid_t)pid;
	if (f)
		fclose(f);
	return n;
}

int pf_cg_resolve_dir(const char *dir, struct pf_cg_target *t, pid_t *pids, size_t max, size_t *npids)
{
	struct statfs fs;
	struct stat st;

	if (stat(dir, &st)) {
		pf_err("--cgroup %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || statfs(dir, &fs) || (fs.f_type != CGROUP_V1_MAGIC && fs.f_type != CGROUP_V2_MAGIC)) {
		pf_err("--cgroup %s: not a cgroup directory (one under /sys/fs/cgroup)", dir);
		return -1;
	}
	memset(t, 0, sizeof(*t));
	t->mode = PF_CG_ID;
	t->id = (uint64_t)st.st_ino; /* a cgroup's kernfs id is its directory's inode */
	t->how = "cgroup";
	*npids = read_members(dir, pids, max);
	return 0;
}

/* argv's standard output (up to len bytes) and exit status; its standard
 * error's last line in err. Returns -1 with errno if it could not run. */
static int capture(char *const argv[], char *out, size_t len, char *err, size_t errlen, int *status)
{
	int o[2], e[2];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	if (pipe(o))
		return -1;
	if (pipe(e)) {
		close(o[0]), close(o[1]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, o[1], 1);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	posix_spawn_file_actions_addclose(&fa, o[0]);
	posix_spawn_file_actions_addclose(&fa, e[0]);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(o[1]), close(e[1]);
	if (rc) {
		close(o[0]), close(e[0]);
		errno = rc;
		return -1;
	}
	ssize_t n = read(o[0], out, len - 1);
	out[n > 0 ? n : 0] = 0;
	n = read(e[0], err, errlen - 1);
	err[n > 0 ? n : 0] = 0;
	close(o[0]), close(e[0]);
	waitpid(pid, status, 0);
	/* the last line only */
	err[strcspn(err, "\n")] = 0;
	return 0;
}

int pf_cg_resolve_container(const char *name, struct pf_cg_target *t, pid_t *pid)
{
	char *argv[] = { "docker", "inspect", "--type", "container", "--format", "{{.Id}} {{.State.Pid}}",
			 (char *)name, NULL };
	char out[256], err[512], id[PF_CG_ID_LEN + 2];
	long p;
	int status;

	if (capture(argv, out, sizeof(out), err, sizeof(err), &status)) {
		pf_err("--container %s: %s", name,
		       errno == ENOENT ? "docker is not installed (no docker on PATH)" : strerror(errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		pf_err("--container %s: docker inspect failed: %s", name, err[0] ? err : "no message");
		return -1;
	}
	if (sscanf(out, "%65s %ld", id, &p) != 2 || !pf_cg_is_full_id(id)) {
		pf_err("--container %s: docker inspect gave no container id ('%.60s')", name, out);
		return -1;
	}
	memset(t, 0, sizeof(*t));
	t->mode = PF_CG_NAME;
	memcpy(t->container, id, PF_CG_ID_LEN);
	t->how = "container";
	*pid = (pid_t)p;
	return 0;
}

void pf_cg_any_container(struct pf_cg_target *t)
{
	memset(t, 0, sizeof(*t));
	t->mode = PF_CG_DOCKER;
	t->how = "container";
}
