// SPDX-License-Identifier: GPL-2.0-only
/* exit_code N: exit with status N. */
#include <stdlib.h>

int main(int argc, char **argv)
{
	return argc > 1 ? atoi(argv[1]) : 0;
}
