// SPDX-License-Identifier: GPL-2.0-only
/* perfanity bench --trace / --explain: each measured command runs as
 * `perfanity trace -q -o FILE -- CMD`; the sample keeps the trace's category
 * totals, and --explain turns the median sample's traces into causes, per
 * cell and against the fastest cell of the same column. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "perfanity.h"
#include "pf_json.h"
#include "report.h"
#include "bench_template.h"
#include "bench_trace.h"

int bench_runs_containers(const char *cmd)
{
	static const char *const verbs[] = { "docker run ", "docker start ", "docker exec ", "docker compose " };

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		const char *at = strstr(cmd, verbs[i]);

		/* the word docker, not the end of another one (mydocker run) */
		if (at && (at == cmd || at[-1] == ' ' || at[-1] == '/' || at[-1] == ';' || at[-1] == '&'))
			return 1;
	}
	return 0;
}

char *bench_trace_wrap(const char *tracer, const char *trace_file, const char *cmd, int needs_shell)
{
	char *q = needs_shell ? bench_shell_quote(cmd) : NULL, *out = NULL;

	if (needs_shell && !q)
		return NULL;
	/* a container's processes are not the docker client's children */
	if (asprintf(&out, "%s trace -q -o %s%s -- %s%s", tracer, trace_file,
		     bench_runs_containers(cmd) ? " --containers" : "", needs_shell ? "/bin/sh -c " : "",
		     needs_shell ? q : cmd) < 0)
		out = NULL;
	free(q);
	return out;
}

json_t *bench_trace_summary(const char *trace_file)
{
	json_error_t e;
	json_t *t = json_load_file(trace_file, 0, &e), *s;

	if (!t)
		return NULL;
	s = json_pack("{s:s, s:O, s:O, s:O}", "file", trace_file, "wall_ns", json_object_get(t, "wall_ns"),
		      "exit_code", json_object_get(t, "exit_code"), "totals", json_object_get(t, "totals"));
	json_decref(t);
	return s;
}

/* Of a cell's samples, the one closest to its median. */
static json_t *median_sample(json_t *cell)
{
	double median = json_number_value(json_object_get(cell, "median")), dist = -1;
	json_t *best = NULL, *sample;
	size_t i;

	json_array_foreach(json_object_get(cell, "samples"), i, sample) {
		double d = json_number_value(json_object_get(sample, "seconds")) - median;

		if (json_integer_value(json_object_get(sample, "exit_code")))
			continue;
		d = d < 0 ? -d : d;
		if (dist < 0 || d < dist) {
			dist = d;
			best = sample;
		}
	}
	return best;
}

/* The trace of command *index of the cell's median sample, loaded; with
 * *index < 0, of its longest command (a goal may run several: building the
 * test PEX, then pytest), whose index is returned in *index. */
static json_t *cell_trace(json_t *cell, int *index)
{
	json_t *cmds = json_object_get(median_sample(cell), "commands"), *rec, *tr;
	long long wall = -1;
	size_t i;

	if (*index < 0) {
		json_array_foreach(cmds, i, rec) {
			long long w = json_integer_value(json_object_get(json_object_get(rec, "trace"), "wall_ns"));

			if (json_object_get(rec, "trace") && w > wall) {
				wall = w;
				*index = (int)i;
			}
		}
	}
	tr = json_object_get(json_array_get(cmds, *index < 0 ? 0 : (size_t)*index), "trace");
	if (*index < 0 || !tr)
		return NULL;
	json_error_t e;
	return json_load_file(pf_json_str(tr, "file", ""), 0, &e);
}

/* Whether two cells' medians differ by less than their runs do: their
 * [min, max] ranges overlap; with one run each, nothing tells the noise, and
 * a difference under BENCH_ONE_RUN_NOISE of the faster median is taken as
 * noise. A difference within noise is said to be, not decomposed. */
#define BENCH_ONE_RUN_NOISE 0.02
static bool within_noise(json_t *cell, json_t *best)
{
	double lo = json_number_value(json_object_get(cell, "min")), hi = json_number_value(json_object_get(cell, "max"));
	double blo = json_number_value(json_object_get(best, "min")), bhi = json_number_value(json_object_get(best, "max"));
	double m = json_number_value(json_object_get(cell, "median")), bm = json_number_value(json_object_get(best, "median"));

	if (pf_json_int(cell, "n", 0) < 2 || pf_json_int(best, "n", 0) < 2)
		return m - bm < BENCH_ONE_RUN_NOISE * bm;
	return lo <= bhi && blo <= hi;
}

/* The cell against the column's fastest, like for like: the same command
 * (numbered from 1, in the JSON as in the text), as causes that add up to
 * the difference of their traced walls, unless it is within noise. */
static json_t *explain_vs(json_t *cell, json_t *t, json_t *best, json_t *bt, const char *best_label, int index)
{
	json_int_t delta = pf_json_int(t, "wall_ns", 0) - pf_json_int(bt, "wall_ns", 0);
	char buf[512];

	if (within_noise(cell, best))
		return json_pack("{s:s, s:i, s:I, s:b, s:s}", "best", best_label, "command", index + 1, "delta_ns", delta,
				 "within_noise", 1, "causes", "within the cells' noise: their runs overlap (not decomposed)");
	if (pf_report_explain_diff(bt, t, 3, buf, sizeof(buf)))
		return NULL;
	return json_pack("{s:s, s:i, s:I, s:b, s:s}", "best", best_label, "command", index + 1, "delta_ns", delta,
			 "within_noise", 0, "causes", buf);
}

void bench_explain(json_t *doc)
{
	json_t *configs = json_object_get(doc, "configs"), *config, *cell;
	size_t ncells = json_array_size(json_object_get(json_array_get(configs, 0), "cells")), i, k;
	char buf[512];

	for (k = 0; k < ncells; k++) {
		json_t *best = NULL;
		const char *best_label = NULL;

		/* the column's fastest measured cell */
		json_array_foreach(configs, i, config) {
			cell = json_array_get(json_object_get(config, "cells"), k);
			if (!cell || strcmp(pf_json_str(cell, "status", ""), "ok"))
				continue;
			if (!best || json_number_value(json_object_get(cell, "median")) <
				     json_number_value(json_object_get(best, "median"))) {
				best = cell;
				best_label = pf_json_str(config, "label", "?");
			}
		}
		json_array_foreach(configs, i, config) {
			int index = -1;
			json_t *t, *bt;

			cell = json_array_get(json_object_get(config, "cells"), k);
			if (!cell || strcmp(pf_json_str(cell, "status", ""), "ok"))
				continue;
			t = cell_trace(cell, &index);
			if (!t)
				continue;
			if (!pf_report_explain_one(t, 3, buf, sizeof(buf)))
				json_object_set_new(cell, "explain", json_string(buf));
			/* against the best cell's same command: like for like */
			bt = cell != best ? cell_trace(best, &index) : NULL;
			json_t *vs = bt ? explain_vs(cell, t, best, bt, best_label, index) : NULL;
			if (vs)
				json_object_set_new(cell, "explain_vs_best", vs);
			json_decref(bt);
			json_decref(t);
		}
	}
}

void bench_explain_print(FILE *f, json_t *doc)
{
	json_t *config, *cell;
	size_t i, k;

	fprintf(f, "\nwhy (--explain): the median run's main causes; against the column's fastest\n");
	json_array_foreach(json_object_get(doc, "configs"), i, config) {
		fprintf(f, "%s\n", pf_json_str(config, "label", "?"));
		json_array_foreach(json_object_get(config, "cells"), k, cell) {
			json_t *vs = json_object_get(cell, "explain_vs_best");
			const char *why = pf_json_str(cell, "explain", NULL);
			char where[64];

			if (!why)
				continue;
			snprintf(where, sizeof(where), "%s/%s", pf_json_str(cell, "step", "?"), pf_json_str(cell, "goal", "?"));
			fprintf(f, "  %-22s %s\n", where, why);
			if (vs)
				fprintf(f, "  %-22s vs %s (command %lld): %s\n", "", pf_json_str(vs, "best", "?"),
					pf_json_int(vs, "command", 0), pf_json_str(vs, "causes", ""));
		}
	}
}
