// SPDX-License-Identifier: GPL-2.0-only
/* fd_reuse A B N: runs of one call on one fd, whose fd number then names
 * another file: N pread(2)s of 16 bytes of A; A closed and B opened on the
 * same fd number, N preads of 32 bytes of B; then B moved onto A's fd
 * number by dup2(2) over a fresh open of A, N preads of 32 bytes there;
 * last, A and B open side by side, N preads of each, in turns of 10 (a
 * run of preads on one fd, then straight on to the other). N: a multiple
 * of 10; A and B must hold at least 32 bytes. Linked statically (see the Makefile), so the
 * only opens, reads and closes are these. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int reads(int fd, int n, size_t size)
{
	char buf[32];

	for (int i = 0; i < n; i++)
		if (pread(fd, buf, size, 0) != (ssize_t)size)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	int a, b, n;

	if (argc != 4 || (n = atoi(argv[3])) <= 0 || n % 10) {
		fprintf(stderr, "usage: %s A B N\n", argv[0]);
		return 2;
	}
	a = open(argv[1], O_RDONLY);
	if (a < 0 || reads(a, n, 16) || close(a))
		return 1;
	b = open(argv[2], O_RDONLY);
	if (b != a || reads(b, n, 32))
		return 1;
	a = open(argv[1], O_RDONLY);
	if (a < 0 || dup2(b, a) != a || close(b) || reads(a, n, 32) || close(a))
		return 1;
	a = open(argv[1], O_RDONLY);
	b = open(argv[2], O_RDONLY);
	if (a < 0 || b < 0)
		return 1;
	for (int i = 0; i < n; i += 10)
		if (reads(a, 10, 16) || reads(b, 10, 32))
			return 1;
	return close(a) || close(b);
}
