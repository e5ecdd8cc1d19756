// SPDX-License-Identifier: GPL-2.0-only
/* Command templates: {variable} substitution with shell quoting, and the pex options a
 * configuration's parameters stand for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_template.h"

const char *const bench_template_var_names[] = {
	"target", "params", "pex", "python", "pex_args", "project", "sources", "tests",
	"requirements", "test_requirements", "synthetic_requirements", "wheelhouse",
	"synthetic", "entry_point", "out", "artifact", "test_artifact", "build_cache",
	"pex_root", "tmp", "rep", "step", "pants", "pants_args", "pants_config", "resolve_args",
	"requirement_args", "source_args", "test_requirement_args", "run_args", "context", "image",
	"docker_pex", "docker_build_args", "docker_build", "docker_cache_key", "pants_find_links", "root", NULL
};

void bench_vars_set(struct bench_vars *vars, const char *name, const char *value, int raw)
{
	for (size_t i = 0; i < vars->n; i++) {
		if (!strcmp(vars->v[i].name, name)) {
			free(vars->v[i].value);
			vars->v[i].value = strdup(value);
			vars->v[i].raw = raw;
			return;
		}
	}
	if (vars->n == BENCH_MAX_VARS)
		return;
	vars->v[vars->n].name = strdup(name);
	vars->v[vars->n].value = strdup(value);
	vars->v[vars->n].raw = raw;
	vars->n++;
}

const char *bench_vars_get(const struct bench_vars *vars, const char *name)
{
	for (size_t i = 0; i < vars->n; i++)
		if (!strcmp(vars->v[i].name, name))
			return vars->v[i].value;
	return NULL;
}

void bench_vars_free(struct bench_vars *vars)
{
	for (size_t i = 0; i < vars->n; i++) {
		free(vars->v[i].name);
		free(vars->v[i].value);
	}
	vars->n = 0;
}

static int shell_safe(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_@%+=:,./-", c);
}

char *bench_shell_quote(const char *s)
{
	int safe = *s != 0;
	for (const char *p = s; *p && safe; p++)
		safe = shell_safe(*p);
	if (safe)
		return strdup(s);
	size_t n = 3;
	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	char *q = malloc(n), *o = q;
	if (!q)
		return NULL;
	*o++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = 0;
	return q;
}

char *bench_render(const char *tmpl, const struct bench_vars *vars, char *err, size_t errlen)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (const char *p = tmpl; *p; p++) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			fputc(*p++, f);
			continue;
		}
		if (*p == '}') {
			snprintf(err, errlen, "unmatched '}' (write '}}' for a literal brace)");
			goto fail;
		}
		if (*p != '{') {
			fputc(*p, f);
			continue;
		}
		const char *end = strchr(p, '}');
		if (!end) {
			snprintf(err, errlen, "unclosed '{' (write '{{' for a literal brace)");
			goto fail;
		}
		char name[64];
		size_t n = end - p - 1;
		if (n == 0 || n >= sizeof(name)) {
			snprintf(err, errlen, "bad variable '%.*s'", (int)(end - p + 1), p);
			goto fail;
		}
		memcpy(name, p + 1, n);
		name[n] = 0;
		const struct bench_var *v = NULL;
		for (size_t i = 0; i < vars->n; i++)
			if (!strcmp(vars->v[i].name, name))
				v = &vars->v[i];
		if (!v) {
			snprintf(err, errlen, "unknown variable {%s}", name);
			goto fail;
		}
		if (v->raw) {
			fputs(v->value, f);
		} else {
			char *q = bench_shell_quote(v->value);
			fputs(q ? q : "", f);
			free(q);
		}
		p = end;
	}
	fclose(f);
	/* an empty argument list at the end ("{run_args}") leaves no trailing blank */
	for (size_t n = strlen(out); n && out[n - 1] == ' '; n--)
		out[n - 1] = 0;
	return out;
fail:
	fclose(f);
	free(out);
	return NULL;
}

/* How each known pex parameter maps to options; unknown ones pass through as --name value
 * (booleans as --name / --no-name), so any pex option can be put in the matrix. */
static void pex_arg(FILE *f, const char *name, enum bench_value_type type, const char *v)
{
	if (!strcmp(name, "python") || !strcmp(name, "strategy") || !strcmp(name, "base_image"))
		return; /* select the interpreter ({python}), the docker preset's strategy or base: not options */
	if (!strcmp(name, "execution_mode")) {
		if (!strcmp(v, "venv"))
			fputs(" --venv prepend", f); /* as Pants passes it */
		return;
	}
	char opt[128];
	snprintf(opt, sizeof(opt), "%s", name);
	for (char *c = opt; *c; c++)
		if (*c == '_')
			*c = '-';
	if (type == BENCH_BOOL) {
		if (!strcmp(name, "include_tools")) /* pex has no --no-include-tools */
			fprintf(f, "%s", !strcmp(v, "true") ? " --include-tools" : "");
		else
			fprintf(f, " --%s%s", !strcmp(v, "true") ? "" : "no-", opt);
		return;
	}
	char *q = bench_shell_quote(v);
	fprintf(f, " --%s %s", opt, q ? q : "");
	free(q);
}

char *bench_pex_args(const struct bench_matrix *m, const struct bench_config *c)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	for (size_t i = 0; i < m->n_params; i++)
		pex_arg(f, m->params[i].name, c->types[i], c->values[i]);
	fclose(f);
	if (out && out[0] == ' ')
		memmove(out, out + 1, strlen(out));
	return out;
}

void bench_vars_placeholders(struct bench_vars *vars, const struct bench_matrix *m)
{
	for (const char *const *n = bench_template_var_names; *n; n++)
		bench_vars_set(vars, *n, "x", 0);
	for (size_t i = 0; i < m->n_params; i++)
		bench_vars_set(vars, m->params[i].name, "x", 0);
}
