// SPDX-License-Identifier: GPL-2.0-only
/* The pictures of a trace, each to its file (trace_pictures.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "flame_svg.h"
#include "perfanity.h"
#include "trace_folded.h"
#include "trace_perfetto.h"
#include "trace_pictures.h"

int pf_trace_flame_svg(struct pf_trace *tr, FILE *out)
{
	char *folded = NULL, title[512];
	size_t len = 0, n = 0;
	FILE *mem = open_memstream(&folded, &len);
	int rc;

	if (!mem)
		return -1;
	rc = pf_model_folded(tr, mem);
	if (fclose(mem) || rc) {
		free(folded);
		return -1;
	}
	n = (size_t)snprintf(title, sizeof(title), "perfanity trace:");
	for (char **a = tr->command; a && *a && n < sizeof(title); a++)
		n += (size_t)snprintf(title + n, sizeof(title) - n, " %s", *a);
	if (n < sizeof(title))
		snprintf(title + n, sizeof(title) - n, "  (thread time, µs)");
	rc = pf_flame_svg(out, folded, title, "us");
	free(folded);
	return rc;
}

/* path written by fn; one line if it could not be. */
static int write_file(struct pf_trace *tr, const char *path, int (*fn)(struct pf_trace *, FILE *))
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f) {
		pf_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	rc = fn(tr, f);
	if (rc | ferror(f) | fclose(f)) {
		pf_err("cannot write %s: %s", path, errno ? strerror(errno) : "out of memory");
		return -1;
	}
	return 0;
}

int pf_trace_write_pictures(struct pf_trace *tr, const char *perfetto, const char *flame, const char *folded)
{
	int rc = 0;

	if (perfetto && pf_trace_write_perfetto(tr, perfetto))
		rc = -1;
	if (flame && write_file(tr, flame, pf_trace_flame_svg))
		rc = -1;
	if (folded && write_file(tr, folded, pf_model_folded))
		rc = -1;
	return rc;
}
