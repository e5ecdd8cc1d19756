// SPDX-License-Identifier: GPL-2.0-only
/* write_file PATH BYTES: create PATH and write BYTES zero bytes to it in 4 KiB
 * write(2)s. Ground truth for per-file bytes_written. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s PATH BYTES\n", argv[0]);
		return 2;
	}
	unsigned long long left = strtoull(argv[2], NULL, 10);
	static char buf[4096];
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	while (left > 0) {
		size_t chunk = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		ssize_t n = write(fd, buf, chunk);
		if (n < 0) {
			perror("write");
			return 1;
		}
		left -= (unsigned long long)n;
	}
	return close(fd) != 0;
}
