// SPDX-License-Identifier: GPL-2.0-only
/* fork_readers N PREFIX: fork N children; child i reads PREFIX.i to the end in
 * 4 KiB reads and exits; the parent waits for all of them. Ground truth for
 * process rows, ppids and per-file bytes. Prints "child I PID" per child so a
 * test can match processes to files. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int read_all(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return n < 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s N PREFIX\n", argv[0]);
		return 2;
	}
	int n = atoi(argv[1]);
	for (int i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s.%d", argv[2], i);
		fflush(stdout); /* do not duplicate buffered output into the child */
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			_exit(read_all(path));
		printf("child %d %d\n", i, (int)pid);
	}
	int failed = 0, status;
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	return failed;
}
