/* SPDX-License-Identifier: GPL-2.0-only */
/* `perfanity trace --perfetto FILE.json`: the trace as Chrome trace-event
 * JSON (ui.perfetto.dev, chrome://tracing): a track per thread with its
 * category runs, a track per process with its lifetime and exec'd images
 * (their pex role), a track per thread with its imports nested. */
#ifndef PF_TRACE_PERFETTO_H
#define PF_TRACE_PERFETTO_H
#include "trace_model.h"

/* Synthetic thread ids of the extra tracks (above any pid: pid_max <= 2^22). */
#define PF_PERFETTO_IMPORTS_TID 0x10000000u /* | tid: that thread's imports */
#define PF_PERFETTO_PROCESS_TID 0x20000000u /* | pid: the process's lifetime and images */

/* Writes it (sorts tr's timeline). 0, or -1 after one line saying why. */
int pf_trace_write_perfetto(struct pf_trace *tr, const char *path);

#endif
