// SPDX-License-Identifier: GPL-2.0-only
/* map_touch PATH: maps PATH read-only and reads one byte of every page, so
 * that every page is brought in by a page fault, never by a syscall. Prints
 * the pages touched and the page faults the kernel counted for the loop
 * (getrusage: minor + major), which are all in the mapping. Ground truth for fault_io and the per-file
 * fault counts (with the page cache dropped first, the faults wait for the
 * disk). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage before, after;
	struct stat st;
	long page = sysconf(_SC_PAGESIZE);
	volatile unsigned char sink = 0;
	unsigned char *p;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || st.st_size == 0) {
		perror(argv[1]);
		return 1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	close(fd);
	getrusage(RUSAGE_SELF, &before);
	for (off_t off = 0; off < st.st_size; off += page)
		sink += p[off];
	getrusage(RUSAGE_SELF, &after);
	printf("%lld %ld\n", (long long)((st.st_size + page - 1) / page),
	       (after.ru_minflt + after.ru_majflt) - (before.ru_minflt + before.ru_majflt));
	return 0;
}
