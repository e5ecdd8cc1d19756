// SPDX-License-Identifier: GPL-2.0-only
/* Pants' build root and daemon, as the tracer and the bench need them. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "pants.h"
#include "pf_util.h"

static bool is_false(const char *v)
{
	return v && (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no"));
}

bool pf_pants_uses_pantsd(char *const *argv)
{
	bool pants;
	size_t i = 1;

	if (!argv || !argv[0])
		return false;
	pants = !strcmp(pf_base_name(argv[0]), "pants");
	if (!pants && !strncmp(pf_base_name(argv[0]), "python", 6) && argv[1] && argv[2] &&
	    !strcmp(argv[1], "-m") && !strcmp(argv[2], "pants")) {
		pants = true;
		i = 3;
	}
	if (!pants || is_false(getenv("PANTS_PANTSD")))
		return false;
	for (; argv[i]; i++) {
		if (!strcmp(argv[i], "--no-pantsd") || (!strncmp(argv[i], "--pantsd=", 9) && is_false(argv[i] + 9)))
			return false;
	}
	return true;
}

int pf_pants_buildroot(const char *dir, char *out, size_t len)
{
	char cur[PATH_MAX], probe[PATH_MAX + 16];

	if (!realpath(dir, cur))
		return -1;
	for (;;) {
		static const char *const marks[] = { "pants.toml", "BUILDROOT", "BUILD_ROOT" };

		for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
			snprintf(probe, sizeof(probe), "%s/%s", strcmp(cur, "/") ? cur : "", marks[i]);
			if (!access(probe, F_OK)) {
				if (strlen(cur) >= len)
					return -1;
				strcpy(out, cur);
				return 0;
			}
		}
		char *slash = strrchr(cur, '/');

		if (!slash || slash == cur)
			return -1;
		*slash = 0;
	}
}

/* Whether pid is alive and a pantsd (its process title names it). */
static bool is_pantsd(pid_t pid)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	for (ssize_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[n] = 0;
	return strstr(buf, "pantsd") != NULL;
}

pid_t pf_pantsd_find(const char *buildroot)
{
	char pattern[PATH_MAX + 32];
	pid_t found = 0;
	glob_t g;

	/* <buildroot>/.pids/<fingerprint>/pantsd/pid, as Pants 2.x writes it */
	snprintf(pattern, sizeof(pattern), "%s/.pids/*/pantsd/pid", buildroot);
	if (glob(pattern, 0, NULL, &g))
		return 0;
	for (size_t i = 0; i < g.gl_pathc && !found; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		int pid = 0;

		if (!f)
			continue;
		if (fscanf(f, "%d", &pid) == 1 && pid > 0 && is_pantsd(pid))
			found = pid;
		fclose(f);
	}
	globfree(&g);
	return found;
}

int pf_pantsd_stop(const char *buildroot, double timeout_s)
{
	pid_t pid = pf_pantsd_find(buildroot);
	double deadline = pf_now_s() + timeout_s;
	int sig = SIGTERM;

	if (pid <= 0)
		return 0;
	kill(pid, sig);
	/* pantsd is not our child: poll until its pid is gone (or a zombie of init's) */
	while (is_pantsd(pid)) {
		if (pf_now_s() > deadline) {
			if (sig == SIGKILL)
				return -1;
			sig = SIGKILL;
			kill(pid, sig);
			deadline = pf_now_s() + 5;
		}
		usleep(20000);
	}
	return 0;
}
