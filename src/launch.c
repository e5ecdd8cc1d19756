// SPDX-License-Identifier: GPL-2.0-only
/* A child held before exec: perfanity forks it, attaches the probes to its
 * pid, and only then lets it exec the command, so nothing is missed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "perfanity.h"
#include "launch.h"
#include "launch_user.h"
#include "seccomp_filter.h"

static int can_exec(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return errno;
	if (S_ISDIR(st.st_mode))
		return EACCES;
	return access(path, X_OK) ? errno : 0;
}

int pf_command_lookup(const char *name, char **resolved)
{
	const char *path = getenv("PATH");
	int err = ENOENT;

	if (resolved)
		*resolved = NULL;
	if (!name || !*name)
		return ENOENT;
	if (strchr(name, '/')) {
		err = can_exec(name);
		if (!err && resolved)
			*resolved = strdup(name);
		return err;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dl = end - p;
		char *full = malloc(dl + strlen(name) + 2);
		int e;

		if (!full)
			return ENOMEM;
		if (dl)
			memcpy(full, p, dl);
		else
			full[dl++] = '.'; /* an empty PATH entry is the current directory */
		full[dl] = '/';
		strcpy(full + dl + 1, name);
		e = can_exec(full);
		if (!e) {
			if (resolved)
				*resolved = full;
			else
				free(full);
			return 0;
		}
		free(full);
		if (e == EACCES)
			err = EACCES; /* like execvp: remember, keep looking */
		if (!*end)
			return err;
		p = end;
	}
}

int pf_child_spawn(struct pf_child *c, char **argv, const void *mask, const struct pf_run_as *ra,
		   const struct sock_fprog *filter)
{
	int go[2], errp[2];

	if (pipe2(go, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		pf_err("pipe: %s", strerror(errno));
		return -1;
	}
	c->pid = fork();
	if (c->pid < 0) {
		pf_err("fork: %s", strerror(errno));
		return -1;
	}
	if (c->pid == 0) {
		char b;
		int e;

		close(go[1]);
		close(errp[0]);
		sigprocmask(SIG_SETMASK, mask, NULL);
		if (read(go[0], &b, 1) != 1)
			_exit(PF_EXIT_NOTFOUND); /* perfanity gave up before releasing us */
		/* the filter first: as root it needs no no_new_privs (below: the user's
		 * setuid programs keep working). Negated: the parent tells a failed
		 * set-up from a failed exec. */
		e = filter ? -pf_seccomp_install(filter) : 0;
		if (!e)
			e = -pf_run_as_apply(ra);
		if (!e) {
			execvp(argv[0], argv);
			e = errno;
		}
		if (write(errp[1], &e, sizeof(e)) < 0)
			_exit(PF_EXIT_NOEXEC);
		_exit(e == ENOENT ? PF_EXIT_NOTFOUND : PF_EXIT_NOEXEC);
	}
	close(go[0]);
	close(errp[1]);
	c->go_fd = go[1];
	c->err_fd = errp[0];
	return 0;
}

int pf_child_release(struct pf_child *c, void (*pump)(void *), void *arg)
{
	struct pollfd pfd = { .fd = c->err_fd, .events = POLLIN };
	int e = 0;
	ssize_t n;

	if (write(c->go_fd, "g", 1) != 1)
		return errno;
	close(c->go_fd);
	c->go_fd = -1;
	/* a ptrace backend must let the child through its stops meanwhile */
	while (pump && poll(&pfd, 1, 5) <= 0)
		pump(arg);
	do
		n = read(c->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(c->err_fd);
	c->err_fd = -1;
	return n == sizeof(e) ? e : 0;
}

void pf_child_abort(struct pf_child *c)
{
	if (c->go_fd >= 0)
		close(c->go_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	c->go_fd = c->err_fd = -1;
	while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
		;
}
