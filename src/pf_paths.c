// SPDX-License-Identifier: GPL-2.0-only
/* Finding perfanity's data and cache directories, and tools on PATH (see pf_paths.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pf_paths.h"

/* The marker of a data directory: a file only perfanity ships. */
#define DATA_MARKER "scripts/bench_fixture.py"

static char *join(const char *a, const char *b)
{
	char *s = NULL;
	return asprintf(&s, "%s/%s", a, b) < 0 ? NULL : s;
}

static int has_marker(const char *dir)
{
	char *probe = join(dir, DATA_MARKER);
	struct stat st;
	int ok = probe && !stat(probe, &st) && S_ISREG(st.st_mode);
	free(probe);
	return ok;
}

/* An installed copy's cache: per user, since the share directory is read-only. */
static char *user_cache(void)
{
	const char *c = getenv("PERFANITY_CACHE"), *x = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	if (c && c[0])
		return strdup(c);
	if (x && x[0] == '/')
		return join(x, "perfanity");
	return join(home && home[0] ? home : "/tmp", ".cache/perfanity");
}

static int found(struct pf_paths *p, const char *data, int installed)
{
	p->data = realpath(data, NULL);
	p->installed = installed;
	p->cache = !p->data ? NULL : installed ? user_cache() : join(p->data, ".cache");
	return p->data && p->cache ? 0 : -1;
}

int pf_paths_find(struct pf_paths *p, char *err, unsigned errlen)
{
	const char *env = getenv("PERFANITY_ROOT");
	char exe[PATH_MAX];
	memset(p, 0, sizeof(*p));
	if (env && env[0]) {
		if (has_marker(env))
			return found(p, env, 0);
		snprintf(err, errlen, "PERFANITY_ROOT=%s holds no %s (unset it, or point it at a "
			 "perfanity checkout)", env, DATA_MARKER);
		return -1;
	}
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(err, errlen, "cannot read /proc/self/exe to find perfanity's data directory");
		return -1;
	}
	exe[n] = 0;
	*strrchr(exe, '/') = 0; /* the kernel's path is absolute */
	char share[PATH_MAX + 32];
	snprintf(share, sizeof(share), "%s/../share/perfanity", exe);
	if (has_marker(share))
		return found(p, share, 1);
	/* not installed: build/perfanity (or build/x/perfanity) inside a checkout */
	for (char *slash = strrchr(exe, '/'); slash && slash != exe; slash = strrchr(exe, '/')) {
		*slash = 0;
		if (has_marker(exe))
			return found(p, exe, 0);
	}
	snprintf(err, errlen, "cannot find perfanity's data directory (%s, as 'make install' lays "
		 "it out); reinstall, or set PERFANITY_ROOT to a checkout", share);
	return -1;
}

void pf_paths_free(struct pf_paths *p)
{
	free(p->data);
	free(p->cache);
	p->data = p->cache = NULL;
}

char *pf_which(const char *name)
{
	if (strchr(name, '/'))
		return access(name, X_OK) ? NULL : strdup(name);
	const char *path = getenv("PATH");
	char *copy = strdup(path ? path : "/usr/bin:/bin"), *save = NULL, *hit = NULL;
	for (char *d = strtok_r(copy, ":", &save); d && !hit; d = strtok_r(NULL, ":", &save)) {
		char *p = join(d, name);
		struct stat st;
		if (p && !stat(p, &st) && S_ISREG(st.st_mode) && !access(p, X_OK))
			hit = p;
		else
			free(p);
	}
	free(copy);
	return hit;
}
