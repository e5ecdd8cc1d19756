// SPDX-License-Identifier: GPL-2.0-only
/* pipe_wait [MS]: the parent blocks in read(2) on a pipe until its child,
 * after sleeping MS milliseconds (default 300), writes one byte. A blocking
 * read on a pipe is a wait (sleep), not file I/O and not net. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long ms = argc > 1 ? strtol(argv[1], NULL, 10) : 300;
	int p[2];
	if (pipe(p) < 0) {
		perror("pipe");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
		while (nanosleep(&d, &d) < 0 && errno == EINTR)
			;
		_exit(write(p[1], "x", 1) != 1);
	}
	close(p[1]);
	char c;
	ssize_t n = read(p[0], &c, 1);
	int status;
	waitpid(pid, &status, 0);
	return n == 1 ? 0 : 1;
}
