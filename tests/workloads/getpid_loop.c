// SPDX-License-Identifier: GPL-2.0-only
/* getpid_loop N: N getpid(2) syscalls, made directly (no libc caching):
 * syscalls a seccomp filter lets through untraced, for the overhead test. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	long sum = 0;

	for (long i = 0; i < n; i++)
		sum += syscall(SYS_getpid);
	printf("%ld\n", sum > 0 ? n : 0);
	return 0;
}
