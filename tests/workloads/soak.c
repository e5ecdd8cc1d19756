// SPDX-License-Identifier: GPL-2.0-only
/* soak PROCS THREADS SYSCALLS REUSES FILE: a tracer's load test. THREADS threads of this
 * process make getppid(2) calls while PROCS short-lived children, forked a few at a time,
 * make pread(2)s of FILE's first byte (FILE opened once, before the
 * forks: an inherited fd); SYSCALLS of both in all, half each. REUSES
 * times a child is forked with the pid of an earlier child of this run, already reaped
 * (by writing the pid before it to /proc/sys/kernel/ns_last_pid, as CRIU does: root
 * only), so one trace holds two processes of one pid.
 *
 * Prints one line per child, "child PID", then
 *   "done GETPPID_CALLS PREAD_CALLS CPU_NS REUSED"
 * with CPU_NS the kernel's own account (getrusage: user + system) of this process
 * and its children, after every thread was joined and every child reaped. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define CONCURRENT 4 /* children alive at once */
#define MAX_THREADS 256

static long per_thread;
static long spawned; /* children forked, retries of spawn_as included */

static void *thread_main(void *arg)
{
	(void)arg;
	for (long i = 0; i < per_thread; i++)
		syscall(SYS_getppid);
	return NULL;
}

/* The child: n one-byte preads of fd, then gone without libc's exit handlers. */
static pid_t spawn(int fd, long n)
{
	pid_t pid = fork();
	char c;

	spawned += pid > 0;

	if (pid == 0) {
		for (long i = 0; i < n; i++)
			if (pread(fd, &c, 1, 0) != 1)
				_exit(1);
		_exit(0);
	}
	return pid;
}

/* Fork with the pid `want` (free again: its process was reaped). Other processes of
 * the machine may take it first: a few tries; returns the pid the child got. */
static pid_t spawn_as(int fd, long n, pid_t want)
{
	pid_t pid;

	for (int tries = 1;; tries++) {
		int lp = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
		char buf[32];
		int len = snprintf(buf, sizeof(buf), "%d", (int)want - 1);

		if (lp < 0 || write(lp, buf, len) != len) {
			fprintf(stderr, "soak: cannot set ns_last_pid: %s\n", strerror(errno));
			if (lp >= 0)
				close(lp);
			return spawn(fd, n);
		}
		close(lp);
		pid = spawn(fd, n);
		if (pid == want || pid < 0 || tries == 5)
			return pid;    /* the caller prints it and waits for it */
		waitpid(pid, NULL, 0); /* another pid: this child counts, try again */
		printf("child %d\n", (int)pid);
	}
}

static unsigned long long tv_ns(struct timeval tv)
{
	return tv.tv_sec * 1000000000ULL + tv.tv_usec * 1000ULL;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: %s PROCS THREADS SYSCALLS REUSES FILE\n", argv[0]);
		return 2;
	}
	long procs = atol(argv[1]), threads = atol(argv[2]), total = atol(argv[3]), reuses = atol(argv[4]);
	if (procs < 1 || threads < 1 || threads > MAX_THREADS || total < 2 || reuses < 0 || reuses * 2 > procs) {
		fprintf(stderr, "soak: PROCS >= 1, 1 <= THREADS <= %d, SYSCALLS >= 2, 0 <= REUSES <= PROCS/2\n",
			MAX_THREADS);
		return 2;
	}
	int fd = open(argv[5], O_RDONLY);
	long per_child = total / 2 / procs, reused = 0;
	pthread_t tid[MAX_THREADS];
	pid_t *pids = calloc(procs, sizeof(*pids));

	per_thread = total / 2 / threads;
	if (fd < 0 || !pids)
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0); /* a child's line is out before the next fork */
	for (long t = 0; t < threads; t++)
		if (pthread_create(&tid[t], NULL, thread_main, NULL)) {
			fprintf(stderr, "soak: pthread_create failed\n");
			return 1;
		}
	/* every procs/reuses-th child (after the first few) takes an earlier child's pid */
	long every = reuses ? procs / reuses : 0, alive = 0;
	for (long i = 0; i < procs; i++) {
		if (alive == CONCURRENT) {
			if (wait(NULL) < 0)
				return 1;
			alive--;
		}
		int reuse = every && i >= CONCURRENT && i % every == every - 1;
		if (reuse) {
			while (alive && wait(NULL) > 0) /* reap all: pids[i - CONCURRENT] is free */
				alive--;
		}
		pids[i] = reuse ? spawn_as(fd, per_child, pids[i - CONCURRENT]) : spawn(fd, per_child);
		if (pids[i] < 0) {
			fprintf(stderr, "soak: fork: %s\n", strerror(errno));
			return 1;
		}
		reused += reuse && pids[i] == pids[i - CONCURRENT];
		alive++;
		printf("child %d\n", (int)pids[i]);
	}
	while (wait(NULL) > 0)
		;
	for (long t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);
	struct rusage self, kids;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	printf("done %ld %ld %llu %ld\n", per_thread * threads, spawned * per_child,
	       tv_ns(self.ru_utime) + tv_ns(self.ru_stime) + tv_ns(kids.ru_utime) + tv_ns(kids.ru_stime), reused);
	free(pids);
	return 0;
}
