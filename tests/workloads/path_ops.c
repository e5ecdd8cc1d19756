// SPDX-License-Identifier: GPL-2.0-only
/* path_ops PATH [COUNT] [OP]: COUNT (default 100,000) path-based syscalls on
 * PATH: OP "stat" (newfstatat), "open" (openat + close) or "missing" (stat of
 * PATH + "-missing", failing with ENOENT, as import path searches do). A
 * tracer pays for these more than for fd-based reads: each carries a path to
 * copy and look up. Used to measure that per-syscall cost. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s PATH [COUNT] [stat|open|missing]\n", argv[0]);
		return 2;
	}
	long count = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;
	const char *op = argc > 3 ? argv[3] : "stat";
	char missing[4096];
	snprintf(missing, sizeof(missing), "%s-missing", argv[1]);
	struct stat st;
	long failures = 0;
	for (long i = 0; i < count; i++) {
		if (!strcmp(op, "open")) {
			int fd = open(argv[1], O_RDONLY);
			failures += fd < 0;
			if (fd >= 0)
				close(fd);
		} else if (!strcmp(op, "missing")) {
			failures += stat(missing, &st) == 0; /* it must not exist */
		} else {
			failures += stat(argv[1], &st) != 0;
		}
	}
	if (failures)
		fprintf(stderr, "%ld unexpected results\n", failures);
	return failures != 0;
}
