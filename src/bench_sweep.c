// SPDX-License-Identifier: GPL-2.0-only
/* perfanity bench --sweep (include/bench_sweep.h). */
#include <string.h>
#include "perfanity.h"
#include "pf_json.h"
#include "bench_exec.h"
#include "bench_stats.h"
#include "bench_sweep.h"

/* Slope of one cell's median over the swept variable: the points where it was measured. */
static json_t *cell_slope(json_t *points, size_t config, size_t cell, const struct bench_sweep *sw)
{
	double x[BENCH_MAX_SWEEP], y[BENCH_MAX_SWEEP];
	size_t n = 0;
	for (size_t p = 0; p < json_array_size(points); p++) {
		json_t *res = json_object_get(json_array_get(points, p), "result");
		json_t *conf = json_array_get(json_object_get(res, "configs"), config);
		json_t *c = json_array_get(json_object_get(conf, "cells"), cell);
		if (c && !strcmp(pf_json_str(c, "status", ""), "ok")) {
			x[n] = sw->values[p];
			y[n++] = json_number_value(json_object_get(c, "median"));
		}
	}
	return n >= 2 ? json_real(bench_slope(x, y, n)) : json_null();
}

/* Slope of each cell's median over the swept variable, per config. */
static json_t *sweep_slopes(json_t *points, const struct bench_sweep *sw)
{
	json_t *slopes = json_array();
	json_t *first = json_object_get(json_array_get(points, 0), "result");
	size_t i, k;
	json_t *config, *cell;
	json_array_foreach(json_object_get(first, "configs"), i, config) {
		json_t *row = json_object();
		json_t *per = json_object();
		json_object_set_new(row, "label", json_incref(json_object_get(config, "label")));
		json_array_foreach(json_object_get(config, "cells"), k, cell) {
			char key[128];
			snprintf(key, sizeof(key), "%s/%s", pf_json_str(cell, "step", ""),
				 pf_json_str(cell, "goal", ""));
			json_object_set_new(per, key, cell_slope(points, i, k, sw));
		}
		json_object_set_new(row, "seconds_per_unit", per);
		json_array_append_new(slopes, row);
	}
	return slopes;
}

json_t *bench_sweep_run(struct bench_matrix *m, const struct bench_env *env, const struct bench_sweep *sw)
{
	json_t *doc = json_object(), *points = json_array();
	json_object_set_new(doc, "perfanity_json_version", json_integer(PERFANITY_JSON_VERSION));
	json_object_set_new(doc, "kind", json_string("bench-sweep"));
	json_object_set_new(doc, "variable", json_string(sw->variable));
	json_object_set_new(doc, "unit",
			    json_string(!strcmp(sw->variable, "deps") ? "dependency" : "KB per dependency"));
	json_object_set_new(doc, "points", points);
	for (size_t i = 0; i < sw->n && !bench_interrupted; i++) {
		if (!strcmp(sw->variable, "deps"))
			m->deps = sw->values[i];
		else
			m->dep_size_kb = sw->values[i];
		if (!env->quiet)
			fprintf(stderr, "perfanity bench: sweep %s=%d\n", sw->variable, sw->values[i]);
		json_t *res = bench_run(m, env);
		if (!res) {
			json_decref(doc);
			return NULL;
		}
		json_t *pt = json_object();
		json_object_set_new(pt, sw->variable, json_integer(sw->values[i]));
		json_object_set_new(pt, "result", res);
		json_array_append_new(points, pt);
	}
	json_object_set_new(doc, "slopes", sweep_slopes(points, sw));
	json_object_set_new(doc, "interrupted", json_boolean(bench_interrupted));
	return doc;
}
