/* SPDX-License-Identifier: GPL-2.0-only */
/* Why a trace does not cover its whole run: events the kernel could not deliver or
 * store, a command killed before it finished, a command never reaped, categories of
 * a reused pid's processes split by estimate (src/trace_backend_bpf.c). The JSON lists
 * the reasons ("partial") and perfanity trace says them in one line. */
#ifndef PF_TRACE_PARTIAL_H
#define PF_TRACE_PARTIAL_H
#include <stddef.h>
#include "trace_model.h"

#define PF_PARTIAL_MAX 5
#define PF_PARTIAL_LEN 128

/* The reasons, in why[0..n); returns n (0: the trace is complete). */
size_t pf_trace_partial(const struct pf_trace *tr, char why[PF_PARTIAL_MAX][PF_PARTIAL_LEN]);

/* The reasons joined with "; " into buf (empty when complete); returns buf. */
char *pf_trace_partial_line(const struct pf_trace *tr, char *buf, size_t len);

#endif
