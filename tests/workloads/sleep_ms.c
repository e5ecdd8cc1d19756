// SPDX-License-Identifier: GPL-2.0-only
/* sleep_ms [MS]: one nanosleep of MS milliseconds (default 500), nothing else.
 * Ground truth for the sleep category and for file_io staying near zero. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	long ms = argc > 1 ? strtol(argv[1], NULL, 10) : 500;
	struct timespec left = { ms / 1000, (ms % 1000) * 1000000L };
	/* Restart on EINTR with what is left, so the total is still MS. */
	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		;
	return 0;
}
