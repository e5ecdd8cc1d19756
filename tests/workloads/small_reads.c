// SPDX-License-Identifier: GPL-2.0-only
/* small_reads PATH [COUNT] [SIZE]: COUNT (default 1,000,000) pread(2)s of SIZE
 * bytes (default 16) at offset 0 of PATH. Nearly all of its time is syscall
 * entry/exit, so it is the worst case for a syscall tracer's overhead. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s PATH [COUNT] [SIZE]\n", argv[0]);
		return 2;
	}
	long count = argc > 2 ? strtol(argv[2], NULL, 10) : 1000000;
	size_t size = argc > 3 ? strtoul(argv[3], NULL, 10) : 16;
	char buf[4096];
	if (size > sizeof(buf))
		size = sizeof(buf);
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	unsigned long long total = 0;
	for (long i = 0; i < count; i++) {
		ssize_t n = pread(fd, buf, size, 0);
		if (n < 0) {
			perror("pread");
			return 1;
		}
		total += (unsigned long long)n;
	}
	close(fd);
	printf("%llu\n", total);
	return 0;
}
