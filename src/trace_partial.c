// SPDX-License-Identifier: GPL-2.0-only
/* Why a trace is partial (trace_partial.h). A command killed by a signal counts: what
 * the trace shows is the run up to the kill, not the run the command would have made. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include "trace_partial.h"

size_t pf_trace_partial(const struct pf_trace *tr, char why[PF_PARTIAL_MAX][PF_PARTIAL_LEN])
{
	size_t n = 0;

	if (tr->lost_events)
		snprintf(why[n++], PF_PARTIAL_LEN, "%llu events lost (ring buffer full)",
			 (unsigned long long)tr->lost_events);
	if (tr->map_full)
		snprintf(why[n++], PF_PARTIAL_LEN, "%llu aggregation entries not stored (map full)",
			 (unsigned long long)tr->map_full);
	if (tr->bench_floor)
		snprintf(why[n++], PF_PARTIAL_LEN, "PERFANITY_BENCH_FLOOR=%s: syscalls not followed",
			 tr->bench_floor == PF_FLOOR_EMPTY ? "empty" : "state");
	if (tr->reuse_splits)
		snprintf(why[n++], PF_PARTIAL_LEN, "%llu processes of a reused pid: categories split by estimate",
			 (unsigned long long)tr->reuse_splits);
	if (tr->root_reaped && WIFSIGNALED(tr->wait_status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(tr->wait_status));

		snprintf(why[n++], PF_PARTIAL_LEN, "the command was killed by SIG%s before it finished",
			 abbrev ? abbrev : "?");
	}
	if (tr->command && tr->command[0] && !tr->root_reaped)
		snprintf(why[n++], PF_PARTIAL_LEN, "the command was not reaped (the trace ended before it)");
	return n;
}

char *pf_trace_partial_line(const struct pf_trace *tr, char *buf, size_t len)
{
	char why[PF_PARTIAL_MAX][PF_PARTIAL_LEN];
	size_t n = pf_trace_partial(tr, why), used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "; " : "", why[i]);
	return buf;
}
