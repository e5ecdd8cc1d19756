// SPDX-License-Identifier: GPL-2.0-only
/* spin_threads N MS: N extra threads each spin on the CPU for MS milliseconds
 * (no syscalls in the loop) while the main thread joins them. Ground truth for
 * the cpu category, the thread count (N+1) and thread_ns (the sum of thread
 * lifetimes, so at least N*MS). With more threads than CPUs they also wait
 * for a CPU: it prints the kernel's own account of the process, "CPU_NS
 * RUN_DELAY_NS": CPU time from getrusage (user + system, all threads) and
 * the time its threads waited on a runqueue, from each thread's
 * /proc/thread-self/schedstat read as it ends; and "STEAL_NS", the time the
 * hypervisor took the machine's CPUs meanwhile (/proc/stat, all CPUs), which
 * the kernel's CPU time leaves out and a tracer's time on a CPU cannot. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static long spin_ms;
static unsigned long long run_delay_ns; /* summed over threads, under the lock */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned long long now_ns(void)
{
	struct timespec ts;
	/* vDSO: no syscall, so the loop stays on CPU outside the kernel. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* This thread's time waiting on a runqueue so far (schedstat's second field). */
static void add_own_run_delay(void)
{
	unsigned long long run = 0, delay = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (f && fscanf(f, "%llu %llu", &run, &delay) == 2) {
		pthread_mutex_lock(&lock);
		run_delay_ns += delay;
		pthread_mutex_unlock(&lock);
	}
	if (f)
		fclose(f);
}

static void *spin(void *arg)
{
	(void)arg;
	unsigned long long end = now_ns() + (unsigned long long)spin_ms * 1000000ull;
	volatile unsigned long sink = 0;
	while (now_ns() < end)
		for (int i = 0; i < 1000; i++)
			sink += (unsigned long)i;
	add_own_run_delay();
	return NULL;
}

/* Steal time of all CPUs so far (/proc/stat's first line, eighth value). */
static unsigned long long steal_ns(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	if (f && fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			&v[6], &v[7]) != 8)
		v[7] = 0;
	if (f)
		fclose(f);
	return v[7] * (1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK));
}

static unsigned long long tv_ns(struct timeval tv)
{
	return (unsigned long long)tv.tv_sec * 1000000000ull + (unsigned long long)tv.tv_usec * 1000ull;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2;
	spin_ms = argc > 2 ? strtol(argv[2], NULL, 10) : 200;
	pthread_t *tids = calloc((size_t)n, sizeof(*tids));
	unsigned long long steal0 = steal_ns();
	struct rusage ru;

	for (int i = 0; i < n; i++)
		if (pthread_create(&tids[i], NULL, spin, NULL)) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	for (int i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	add_own_run_delay();
	getrusage(RUSAGE_SELF, &ru);
	printf("%llu %llu %llu\n", tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime), run_delay_ns, steal_ns() - steal0);
	return 0;
}
