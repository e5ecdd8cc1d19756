// SPDX-License-Identifier: GPL-2.0-only
/* perfanity report: the CPU samples of a trace taken with --sample, a few
 * lines per busiest process: where its cpu went by Python function, native
 * library and kernel path. Read from the trace's `samples` section as it is
 * (types checked: the report loads any JSON it is given). */
#include <stdio.h>
#include <string.h>
#include "report.h"

#define TOP_PROCS 3
#define TOP_ROWS 3

/* "a 76%, b 21%, c 2%": the first rows of a list of {key, share}. */
static void shares(FILE *f, json_t *list, const char *key, int md)
{
	size_t i, shown = 0;
	json_t *row;

	json_array_foreach(list, i, row) {
		const char *name = json_string_value(json_object_get(row, key));
		json_t *share = json_object_get(row, "share");
		char esc[512];

		if (!name || !json_is_number(share))
			continue;
		if (shown++ == TOP_ROWS)
			break;
		fprintf(f, "%s%s %.0f%%", shown > 1 ? ", " : "", pf_md_escape(esc, sizeof(esc), name, md),
			100.0 * json_number_value(share));
	}
	fputc('\n', f);
}

static json_int_t samples_of(json_t *p)
{
	return json_integer_value(json_object_get(p, "samples"));
}

void pf_report_samples(FILE *f, const struct pf_rtrace *t, int md)
{
	json_t *s = json_object_get(t->root, "samples"), *procs = json_object_get(s, "processes");
	json_t *order[TOP_PROCS] = { 0 }, *p;
	char title[128];
	size_t i;

	if (!json_is_array(procs))
		return;
	json_array_foreach(procs, i, p) { /* the busiest, by samples */
		for (int k = 0; k < TOP_PROCS; k++) {
			if (!json_is_object(p))
				break;
			if (!order[k] || samples_of(p) > samples_of(order[k])) {
				memmove(&order[k + 1], &order[k], (TOP_PROCS - k - 1) * sizeof(order[0]));
				order[k] = p;
				break;
			}
		}
	}
	snprintf(title, sizeof(title), "CPU samples (%lld Hz, %lld samples, %lld lost)",
		 (long long)json_integer_value(json_object_get(s, "hz")),
		 (long long)json_integer_value(json_object_get(s, "count")),
		 (long long)json_integer_value(json_object_get(s, "lost")));
	pf_heading(f, md, 2, title);
	for (int k = 0; k < TOP_PROCS && order[k]; k++) {
		const char *name = json_string_value(json_object_get(order[k], "process"));
		json_t *cpu = json_object_get(order[k], "cpu_ns");
		char esc[256], c[32];

		fprintf(f, "%s%s: %lld samples%s%s\n", md ? "- " : "  ",
			pf_md_escape(esc, sizeof(esc), name ? name : "?", md), (long long)samples_of(order[k]),
			json_is_integer(cpu) ? ", cpu " : "",
			json_is_integer(cpu) ? pf_fmt_s(c, sizeof(c), (double)json_integer_value(cpu), 0) : "");
		fprintf(f, "%sPython: ", md ? "  - " : "      ");
		shares(f, json_object_get(order[k], "python_functions"), "function", md);
		fprintf(f, "%snative: ", md ? "  - " : "      ");
		shares(f, json_object_get(order[k], "native_libraries"), "library", md);
		fprintf(f, "%skernel: ", md ? "  - " : "      ");
		shares(f, json_object_get(order[k], "kernel_paths"), "path", md);
	}
}
