/* SPDX-License-Identifier: GPL-2.0-only */
/* `perfanity trace --perfetto F --flame F --folded-time F`: the pictures of a trace. */
#ifndef PF_TRACE_PICTURES_H
#define PF_TRACE_PICTURES_H
#include <stdio.h>
#include "trace_model.h"

/* The trace's folded stacks (trace_folded.h) as a flame graph, titled by
 * its command. 0, or -1 when out of memory or on a write error. */
int pf_trace_flame_svg(struct pf_trace *tr, FILE *out);

/* Each file given (NULL: not wanted). 0, or -1 after one line per file that
 * could not be written (the others are still written). */
int pf_trace_write_pictures(struct pf_trace *tr, const char *perfetto, const char *flame, const char *folded);

#endif
