/* spin_threads N MS: N extra threads each spin on the CPU for MS milliseconds
 * (no syscalls in the loop) while the main thread joins them. Ground truth for
 * the cpu category, the thread count (N+1) and thread_ns (the sum of thread
 * lifetimes, so at least N*MS). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long spin_ms;

static unsigned long long now_ns(void)
{
	struct timespec ts;
	/* vDSO: no syscall, so the loop stays on CPU outside the kernel. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static void *spin(void *arg)
{
	(void)arg;
	unsigned long long end = now_ns() + (unsigned long long)spin_ms * 1000000ull;
	volatile unsigned long sink = 0;
	while (now_ns() < end)
		for (int i = 0; i < 1000; i++)
			sink += (unsigned long)i;
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2;
	spin_ms = argc > 2 ? strtol(argv[2], NULL, 10) : 200;
	pthread_t *tids = calloc((size_t)n, sizeof(*tids));
	for (int i = 0; i < n; i++)
		if (pthread_create(&tids[i], NULL, spin, NULL)) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	for (int i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	return 0;
}
