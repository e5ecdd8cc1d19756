// SPDX-License-Identifier: GPL-2.0-only
/* read_file PATH [CHUNK]: read PATH to the end in CHUNK-byte read(2)s (default
 * 4096) and print the byte and call counts. Ground truth for the tracer's
 * per-file bytes_read / ops and for file_io dominating a process. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s PATH [CHUNK]\n", argv[0]);
		return 2;
	}
	size_t chunk = argc == 3 ? strtoul(argv[2], NULL, 10) : 4096;
	char *buf = malloc(chunk ? chunk : 1);
	int fd = open(argv[1], O_RDONLY);
	if (!buf || fd < 0) {
		perror(argv[1]);
		return 1;
	}
	unsigned long long total = 0, calls = 0;
	for (;;) {
		ssize_t n = read(fd, buf, chunk);
		calls++;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("read");
			return 1;
		}
		if (n == 0)
			break;
		total += (unsigned long long)n;
	}
	close(fd);
	free(buf);
	printf("read %llu bytes in %llu calls\n", total, calls);
	return 0;
}
