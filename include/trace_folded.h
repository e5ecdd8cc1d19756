/* SPDX-License-Identifier: GPL-2.0-only */
/* The trace model as folded stacks ("frame;frame;... count", one a line), the
 * input of flame graphs (src/flame_svg.c, FlameGraph, speedscope), weighted
 * in microseconds of thread time: process "comm (pid)" -> category -> the
 * imports in progress, nested -> the file (file_io). */
#ifndef PF_TRACE_FOLDED_H
#define PF_TRACE_FOLDED_H
#include <stdio.h>
#include <jansson.h>
#include "trace_model.h"

/* Writes the stacks, sorted; what the timeline does not split (no runs, or
 * runs not sent) is "comm (pid);category", so that each process's stacks add
 * up to its categories (within a microsecond a line). Sorts tr's timeline.
 * Returns 0, or -1 when out of memory. */
int pf_model_folded(struct pf_trace *tr, FILE *out);
/* The same lines as a JSON array of strings (the trace JSON's "folded_time"). */
json_t *pf_model_folded_json(struct pf_trace *tr);

#endif
