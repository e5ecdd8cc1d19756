// SPDX-License-Identifier: GPL-2.0-only
/* wait_child [MS]: fork a child that sleeps MS milliseconds (default 400)
 * while the parent blocks in waitpid(). Ground truth for child_wait: the
 * parent's wait is child_wait, not sleep, so the child's time is not counted
 * twice as the same kind of time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long ms = argc > 1 ? strtol(argv[1], NULL, 10) : 400;
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
		while (nanosleep(&d, &d) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
