// SPDX-License-Identifier: GPL-2.0-only
/* Run one measured command: spawn (directly when possible, so a shell's start-up is
 * not in the number), wait with a timeout, and report wall and CPU time. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "perfanity.h"
#include "bench_exec.h"

volatile sig_atomic_t bench_interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	bench_interrupted = 1;
}

void bench_exec_install_interrupt(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt; /* no SA_RESTART: poll() must return EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int bench_exec_needs_shell(const char *cmdline)
{
	if (strpbrk(cmdline, "|&;<>()$`\\\"'*?[]#~\n{}!"))
		return 1;
	/* A leading VAR=value assignment is shell syntax too. */
	size_t first = strcspn(cmdline + strspn(cmdline, " \t"), " \t");
	const char *w = cmdline + strspn(cmdline, " \t");
	const char *eq = memchr(w, '=', first);
	return eq != NULL;
}

/* Split a shell-free command line on blanks, in place. */
static char **split_words(char *s)
{
	size_t cap = 8, n = 0;
	char **argv = malloc(cap * sizeof(*argv));
	if (!argv)
		return NULL;
	for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t")) {
		if (n + 2 > cap) {
			cap *= 2;
			char **na = realloc(argv, cap * sizeof(*argv));
			if (!na) {
				free(argv);
				return NULL;
			}
			argv = na;
		}
		argv[n++] = tok;
	}
	argv[n] = NULL;
	return argv;
}

extern char **environ;

int bench_env_inherited(const char *entry)
{
	/* PEX_*, PIP_* and PYTHON* change what pex resolves and how Python runs (bytecode
	 * caching, extra find-links, verbosity): a bench must not depend on the shell's. */
	return strncmp(entry, "PEX_", 4) && strncmp(entry, "PIP_", 4) && strncmp(entry, "PYTHON", 6);
}

/* environ without what bench_env_inherited() rejects, plus the additions. */
static char **merged_env(char *const *env_add)
{
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	while (env_add && env_add[k])
		k++;
	char **envp = calloc(n + k + 1, sizeof(char *));
	if (!envp)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int replaced = 0;
		for (size_t j = 0; j < k && !replaced; j++) {
			size_t len = strcspn(env_add[j], "=");
			replaced = !strncmp(environ[i], env_add[j], len) && environ[i][len] == '=';
		}
		if (!replaced && bench_env_inherited(environ[i]))
			envp[o++] = environ[i];
	}
	for (size_t j = 0; j < k; j++)
		envp[o++] = env_add[j];
	envp[o] = NULL;
	return envp;
}

/* The time to the command's first line on stdout, for the docker preset's start goal
 * (the app's first output, before the container's tear-down): stdout is a file, so its
 * writes are seen with inotify and the new bytes searched for a newline. */
struct first_line {
	int fd;        /* inotify; -1 once found or when not watched */
	int file;      /* the stdout file, read from off */
	off_t off;
};

static void first_line_open(struct first_line *w, const char *stdout_path)
{
	w->fd = w->file = -1;
	w->off = 0;
	if (!stdout_path || !strcmp(stdout_path, "/dev/null"))
		return;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w->file = open(stdout_path, O_RDONLY | O_CLOEXEC);
	if (w->fd < 0 || w->file < 0 || inotify_add_watch(w->fd, stdout_path, IN_MODIFY) < 0) {
		if (w->fd >= 0)
			close(w->fd);
		w->fd = -1;
	}
}

/* After a write: sets r->first_line when the file now holds a newline. */
static void first_line_check(struct first_line *w, double t0, struct bench_exec_result *r)
{
	char buf[4096];
	while (read(w->fd, buf, sizeof(buf)) > 0) /* drain the events */
		;
	ssize_t n;
	while ((n = pread(w->file, buf, sizeof(buf), w->off)) > 0) {
		w->off += n;
		if (memchr(buf, '\n', n)) {
			r->first_line = pf_now_s() - t0;
			close(w->fd);
			w->fd = -1;
			return;
		}
	}
}

static void first_line_close(struct first_line *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->file >= 0)
		close(w->file);
}

int bench_exec(const char *cmdline, const char *cwd, char *const *env_add,
	       const char *stdout_path, const char *stderr_path, double timeout_s,
	       struct bench_exec_result *r)
{
	memset(r, 0, sizeof(*r));
	r->first_line = -1;
	char *copy = strdup(cmdline);
	char **argv = NULL;
	char *sh_argv[] = { "/bin/sh", "-c", copy, NULL };
	if (!copy)
		return -1;
	if (!bench_exec_needs_shell(cmdline)) {
		argv = split_words(copy);
		if (!argv || !argv[0]) {
			free(argv);
			free(copy);
			pf_err("empty command");
			return -1;
		}
	}
	/* posix_spawn (vfork-like in glibc), as hyperfine spawns: no copy of our address
	 * space inside the timed region. The command gets its own process group so a
	 * timeout or Ctrl-C can kill everything it started. */
	char **envp = merged_env(env_add);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, stdout_path ? stdout_path : "/dev/null",
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, stderr_path ? stderr_path : "/dev/null",
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (cwd)
		posix_spawn_file_actions_addchdir_np(&fa, cwd);
	posix_spawnattr_init(&attr);
	sigset_t dflt;
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
	char **av = argv ? argv : sh_argv;
	pid_t pid;
	double t0 = pf_now_s();
	int serr = posix_spawnp(&pid, av[0], &fa, &attr, av, envp ? envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(envp);
	if (serr) {
		/* Not started: report it like a shell would (127 not found, 126 not executable). */
		r->seconds = pf_now_s() - t0;
		r->exit_code = serr == ENOENT ? PF_EXIT_NOTFOUND : PF_EXIT_NOEXEC;
		if (stderr_path) {
			FILE *f = fopen(stderr_path, "w");
			if (f) {
				fprintf(f, "perfanity bench: cannot run %s%s%s: %s\n", av[0],
					cwd ? " in " : "", cwd ? cwd : "", strerror(serr));
				fclose(f);
			}
		}
		free(argv);
		free(copy);
		return 0;
	}
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	double deadline = timeout_s > 0 ? t0 + timeout_s : 0;
	struct first_line fl;
	r->first_line = -1;
	first_line_open(&fl, pidfd >= 0 ? stdout_path : NULL);
	if (fl.fd >= 0) /* written before the watch was there: no event would tell */
		first_line_check(&fl, t0, r);
	int status = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	for (;;) {
		if (bench_interrupted && !r->interrupted) {
			r->interrupted = 1;
			kill(-pid, SIGKILL);
		}
		int ms = -1;
		if (deadline) {
			double left = deadline - pf_now_s();
			if (left <= 0 && !r->timed_out && !r->interrupted) {
				r->timed_out = 1;
				kill(-pid, SIGKILL);
				left = 0;
			}
			ms = r->timed_out ? -1 : (int)(left * 1000) + 1;
		}
		if (pidfd >= 0) {
			struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = fl.fd, .events = POLLIN } };
			int pr = poll(p, fl.fd >= 0 ? 2 : 1, ms);
			if (pr < 0 && errno == EINTR)
				continue;
			if (fl.fd >= 0 && p[1].revents)
				first_line_check(&fl, t0, r);
			if (!p[0].revents)
				continue; /* output, or the deadline: loop kills it */
		}
		pid_t w = wait4(pid, &status, 0, &ru);
		if (w == pid)
			break;
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			pf_err("wait: %s", strerror(errno));
			break;
		}
	}
	r->seconds = pf_now_s() - t0;
	if (fl.fd >= 0) /* written as it exited: seen now */
		first_line_check(&fl, t0, r);
	first_line_close(&fl);
	if (pidfd >= 0)
		close(pidfd);
	/* Whatever the group left behind (daemonised helpers) must not outlive the cell. */
	kill(-pid, SIGKILL);
	r->user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	r->sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	if (WIFEXITED(status))
		r->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->exit_code = 128 + WTERMSIG(status);
	free(argv);
	free(copy);
	return 0;
}
