// SPDX-License-Identifier: GPL-2.0-only
/* kill_self SIG: die of signal SIG (default SIGKILL), the way a crash or an
 * OOM kill ends a process. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int sig = argc > 1 ? atoi(argv[1]) : SIGKILL;
	signal(sig, SIG_DFL);
	kill(getpid(), sig);
	pause();
	return 1; /* not reached unless SIG was ignored or caught */
}
