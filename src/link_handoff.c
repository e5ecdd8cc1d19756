// SPDX-License-Identifier: GPL-2.0-only
/* Removing links after perfanity exits (see link_handoff.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "link_handoff.h"

#define MAX_KEPT 64

static int by_value(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* In the child: close every fd but the sorted keep[0..n), with close_range
 * over the gaps (no allocation: the parent may have other threads). */
static void close_all_but(const int *keep, size_t n)
{
	unsigned int lo = 0;

	for (size_t i = 0; i < n; i++) {
		if ((unsigned int)keep[i] > lo)
			syscall(SYS_close_range, lo, (unsigned int)keep[i] - 1, 0);
		lo = (unsigned int)keep[i] + 1;
	}
	syscall(SYS_close_range, lo, ~0U, 0);
}

/* Wait for end of file on fd: perfanity has exited (its end of the pipe closed). */
static void wait_for_exit(int fd)
{
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
}

/* The child: one process per link, each the last holder of its own link, so
 * that the links' grace periods run side by side, not one after another. */
static _Noreturn void child(const int *keep, size_t nkeep, int wait_fd, const int *fds, size_t n)
{
	size_t own = 0;

	close_all_but(keep, nkeep);
	/* not the terminal's: a ^C meant for the traced command is not for us */
	setsid();
	for (size_t k = 1; k < n; k++)
		if (fork() == 0) {
			own = k;
			break;
		}
	for (size_t k = 0; k < n; k++)
		if (k != own)
			close(fds[k]);
	wait_for_exit(wait_fd);
	close(fds[own]);
	_exit(0);
}

pid_t pf_link_handoff(const int *fds, size_t n)
{
	int keep[MAX_KEPT + 1], pipefd[2];
	pid_t pid;

	if (!n || n > MAX_KEPT || pipe2(pipefd, O_CLOEXEC))
		return -1;
	memcpy(keep, fds, n * sizeof(*fds));
	keep[n] = pipefd[0];
	qsort(keep, n + 1, sizeof(*keep), by_value);
	pid = fork();
	if (pid == 0)
		child(keep, n + 1, pipefd[0], fds, n);
	close(pipefd[0]);
	if (pid < 0) {
		close(pipefd[1]);
		return -1;
	}
	/* pipefd[1] stays open (close-on-exec) until this process exits */
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	return pid;
}
