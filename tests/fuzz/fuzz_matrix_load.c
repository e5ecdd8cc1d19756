// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the bench matrix loader. A matrix file's TOML is turned into JSON by
 * the interpreter's tomllib (src/bench_load.c); what perfanity's own code parses is that
 * JSON, so the input is the JSON. A loaded matrix is expanded into its configurations and
 * written back out, as `bench --dry-run` does. */
#include <stdint.h>
#include <jansson.h>
#include "bench_matrix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *root = json_loadb((const char *)data, size, 0, &e);
	if (!root)
		return 0;
	struct bench_matrix m;
	char err[512];
	if (!bench_matrix_from_json(&m, root, "fuzz.toml", "/nonexistent-fuzz-base", err, sizeof(err))) {
		struct bench_config *c = NULL;
		size_t n = bench_matrix_configs(&m, &c);
		json_t *out = bench_matrix_to_json(&m);
		json_decref(out);
		bench_configs_free(c, n);
		bench_matrix_free(&m);
	}
	json_decref(root);
	return 0;
}
