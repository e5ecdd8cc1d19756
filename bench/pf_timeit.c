// SPDX-License-Identifier: GPL-2.0-only
/* pf_timeit OUTFILE CMD [ARGS...]: run CMD, wait for it, write "WALL_NS STATUS"
 * to OUTFILE (wall time CLOCK_MONOTONIC from fork to reap; STATUS as a shell
 * reports it, 128+N for signal N) and exit with STATUS.
 *
 * Why: a tracer's own start-up and tear-down (loading BPF programs, ptrace
 * attach, printing a summary) is not overhead on the traced work. Running
 * `TRACER pf_timeit OUT CMD` measures CMD's wall time the same way under every
 * tracer and untraced, while the caller still measures end to end. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OUTFILE CMD [ARGS...]\n", argv[0]);
		return 2;
	}
	long long start = now_ns();
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 2;
	}
	long long elapsed = now_ns() - start;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	/* Recorded in a file, not printed: the tracer may crash after CMD ends
	 * (strace 6.1 sometimes does in its -c summary), and CMD's own result
	 * and timing stay known. */
	FILE *f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%lld %d\n", elapsed, code) < 0 || fclose(f) != 0) {
		perror(argv[1]);
		return 2;
	}
	return code;
}
