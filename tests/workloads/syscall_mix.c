// SPDX-License-Identifier: GPL-2.0-only
/* syscall_mix PATH: a known set of syscalls, for the syscall table: 8
 * pread64(2)s of 100 bytes of PATH (which must hold at least 100 bytes) and 3
 * openat(2)s of a path that does not exist (ENOENT), beside one openat and one
 * close of PATH. Linked statically (see the Makefile), so no dynamic loader
 * adds calls of its own. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[100];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return 1;
	for (int i = 0; i < 8; i++)
		if (pread(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
			return 1;
	for (int i = 0; i < 3; i++)
		if (open("/nonexistent/perfanity-syscall-mix", O_RDONLY) >= 0)
			return 1;
	close(fd);
	return 0;
}
