// SPDX-License-Identifier: GPL-2.0-only
/* sleep_read MS FILE: print "ready", sleep MS milliseconds, then read FILE
 * whole in 64 KiB reads and print the byte count. Ground truth for attaching
 * to a running process (trace --pid): the file, its bytes, the sleep. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[65536];
	long ms = argc > 2 ? strtol(argv[1], NULL, 10) : 0, total = 0;
	struct timespec left = { ms / 1000, (ms % 1000) * 1000000L };
	ssize_t n;
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: sleep_read MS FILE\n");
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		;
	fd = open(argv[2], O_RDONLY);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
	printf("%ld\n", total);
	return 0;
}
