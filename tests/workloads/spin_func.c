// SPDX-License-Identifier: GPL-2.0-only
/* spin_func MS: spins MS milliseconds (default 800) in one known function,
 * pf_spin_here, whose name the CPU samples must find (elfutils, from this
 * file's symbol table). It makes no syscall while spinning: its time is
 * cpu, its samples in user mode. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* noinline and global: a frame, and a symbol, of its own */
__attribute__((noinline)) unsigned long pf_spin_here(double until)
{
	volatile unsigned long n = 0; /* each step done: not folded into a formula */

	do {
		for (int i = 0; i < 1000000; i++)
			n += (unsigned long)i * 2654435761u;
	} while (now_s() < until);
	return n;
}

int main(int argc, char **argv)
{
	double ms = argc > 1 ? atof(argv[1]) : 800;

	printf("%lu\n", pf_spin_here(now_s() + ms / 1000) % 7);
	return 0;
}
