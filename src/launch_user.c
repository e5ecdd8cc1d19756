// SPDX-License-Identifier: GPL-2.0-only
/* Switching the held child to the invoking user before it execs. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "perfanity.h"
#include "launch_user.h"

extern char **environ;

/* A uid written in decimal; -1 if s is not one. */
static long parse_uid(const char *s)
{
	char *end;
	long n;

	if (!s || !*s)
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	return *end || errno || n < 0 || n >= (long)(uid_t)-1 ? -1 : n;
}

/* The passwd entry of --user's value: a name, else a numeric uid. */
static const struct passwd *lookup_user(const char *user)
{
	const struct passwd *pw = getpwnam(user);
	long uid;

	if (pw)
		return pw;
	uid = parse_uid(user);
	return uid >= 0 ? getpwuid((uid_t)uid) : NULL;
}

/* environ with HOME, USER and LOGNAME replaced by the user's: the three
 * strings made here come last, where pf_run_as_free() finds them. */
static char **user_environ(const struct passwd *pw)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 4, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "HOME=", 5) && strncmp(environ[i], "USER=", 5) &&
		    strncmp(environ[i], "LOGNAME=", 8))
			env[k++] = environ[i];
	if (asprintf(&env[k++], "HOME=%s", pw->pw_dir) < 0 || asprintf(&env[k++], "USER=%s", pw->pw_name) < 0 ||
	    asprintf(&env[k++], "LOGNAME=%s", pw->pw_name) < 0) {
		free(env);
		return NULL;
	}
	return env;
}

/* The user's groups, with gid first (getgrouplist() includes it). */
static int user_groups(const struct passwd *pw, gid_t gid, struct pf_run_as *ra)
{
	int n = 16;

	for (;;) {
		gid_t *g = realloc(ra->groups, (size_t)n * sizeof(*g));

		if (!g)
			return -1;
		ra->groups = g;
		if (getgrouplist(pw->pw_name, gid, g, &n) >= 0) {
			ra->ngroups = n;
			return 0;
		}
	}
}

/* Fill ra for pw with primary group gid. 0, or PF_EXIT_FAIL after one line. */
static int prepare(const struct passwd *pw, gid_t gid, struct pf_run_as *ra)
{
	ra->uid = pw->pw_uid;
	ra->gid = gid;
	if (user_groups(pw, gid, ra) || !(ra->envp = user_environ(pw))) {
		pf_err("cannot prepare to run as %s: out of memory", pw->pw_name);
		return PF_EXIT_FAIL;
	}
	ra->active = true;
	return 0;
}

/* sudo's SUDO_UID (and SUDO_GID, the group sudo was invoked with). */
static int resolve_sudo(struct pf_run_as *ra)
{
	const char *suid = getenv("SUDO_UID"), *sgid = getenv("SUDO_GID");
	long uid = parse_uid(suid), gid;
	const struct passwd *pw;

	if (!suid)
		return 0;
	if (uid < 0) {
		pf_err("SUDO_UID='%s' is not a uid (unset it, or give --user NAME)", suid);
		return PF_EXIT_USAGE;
	}
	if (uid == 0)
		return 0;
	pw = getpwuid((uid_t)uid);
	if (!pw) {
		pf_err("SUDO_UID=%ld has no passwd entry (give --user NAME, or --user root)", uid);
		return PF_EXIT_USAGE;
	}
	gid = sgid ? parse_uid(sgid) : (long)pw->pw_gid;
	if (gid < 0) {
		pf_err("SUDO_GID='%s' is not a gid (unset it, or give --user NAME)", sgid);
		return PF_EXIT_USAGE;
	}
	return prepare(pw, (gid_t)gid, ra);
}

int pf_run_as_resolve(const char *user, uid_t euid, struct pf_run_as *ra)
{
	const struct passwd *pw;

	memset(ra, 0, sizeof(*ra));
	if (!user)
		return euid == 0 ? resolve_sudo(ra) : 0;
	pw = lookup_user(user);
	if (!pw) {
		pf_err("--user %s: no such user", user);
		return PF_EXIT_USAGE;
	}
	if (pw->pw_uid == euid)
		return 0;
	if (euid != 0) {
		pf_err("--user %s needs root (perfanity runs as uid %u)", user, (unsigned)euid);
		return PF_EXIT_USAGE;
	}
	return prepare(pw, pw->pw_gid, ra);
}

/* Groups, then gid, then uid: each later one drops the right to do the others. */
int pf_run_as_apply(const struct pf_run_as *ra)
{
	if (!ra || !ra->active)
		return 0;
	if (setgroups((size_t)ra->ngroups, ra->groups) || setresgid(ra->gid, ra->gid, ra->gid) ||
	    setresuid(ra->uid, ra->uid, ra->uid))
		return errno;
	environ = ra->envp;
	return 0;
}

void pf_run_as_free(struct pf_run_as *ra)
{
	if (ra->envp) {
		/* the three strings user_environ() added are the last ones */
		size_t n = 0;

		while (ra->envp[n])
			n++;
		for (size_t i = n >= 3 ? n - 3 : 0; i < n; i++)
			free(ra->envp[i]);
		free(ra->envp);
	}
	free(ra->groups);
	memset(ra, 0, sizeof(*ra));
}
