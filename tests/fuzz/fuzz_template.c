// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the template renderer. Input: the template, then NUL-separated
 * "name=value" variables (a leading '!' marks one raw, as argument lists are). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "bench_template.h"

/* Set the variables of "name=value\0name=value..." (p..end). */
static void set_vars(struct bench_vars *vars, const char *p, const char *end)
{
	while (p < end) {
		size_t len = strnlen(p, end - p);
		char *item = strndup(p, len), *eq = item ? strchr(item, '=') : NULL;
		if (eq) {
			*eq = 0;
			int raw = item[0] == '!';
			bench_vars_set(vars, item + raw, eq + 1, raw);
		}
		free(item);
		p += len + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	size_t tlen = strnlen(p, size);
	char *tmpl = strndup(p, tlen), err[256];
	if (!tmpl)
		return 0;
	struct bench_vars vars = { .n = 0 };
	bench_vars_set(&vars, "python", "/usr/bin/python3", 0);
	set_vars(&vars, p + tlen + 1 < end ? p + tlen + 1 : end, end);
	free(bench_render(tmpl, &vars, err, sizeof(err)));
	free(bench_shell_quote(tmpl));
	bench_vars_free(&vars);
	free(tmpl);
	return 0;
}
