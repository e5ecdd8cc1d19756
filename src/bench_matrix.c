// SPDX-License-Identifier: GPL-2.0-only
/* The bench matrix: validated from the JSON form of a matrix file (perfanity.toml or
 * [tool.perfanity]), or built in. Every schema error names the key and what it expects. */
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <fnmatch.h>
#include <strings.h>
#include <sys/stat.h>
#include "bench_matrix.h"
#include "bench_template.h"
#include "bench_docker.h"
#include "pf_util.h"

/* The pex preset: what `pants package/run/test` would do for a pex_binary, spelled out.
 * The test PEX holds the requirements, the sources and pytest, like Pants' pytest runner. */
/* {resolve_args} says where dependencies come from, {requirement_args} what they are and
 * {source_args} where the project's own code is: each rendered from the matrix
 * (bench_run.c), so only what the project has is passed. */
#define PEX_BUILD "{pex} --python {python} --pex-root {build_cache} {resolve_args} {requirement_args} {source_args}"
static const char *const pex_package[] = { PEX_BUILD " -e {entry_point} {pex_args} -o {artifact}", NULL };
static const char *const pex_run[] = { "{python} {artifact} {run_args}", NULL };
static const char *const pex_test[] = {
	PEX_BUILD " {test_requirement_args} -e pytest {pex_args} -o {test_artifact}",
	"{python} {test_artifact} {tests} -q -p no:cacheprovider", NULL
};
/* The Pants preset: the BUILD file parametrizes the target with the matrix's parameters. */
/* Its caches and sandboxes live in {build_cache}, so that clean starts cold (the bench
 * also stops the build root's pantsd first), and the sandboxes' directory does not
 * follow the per-repetition TMPDIR, which would restart pantsd at every run.
 * {pants_args} is --pantsd or --no-pantsd from the "pantsd" parameter; {pants_config}
 * adds the machine's offline settings written by set-up, when there are any. */
#define PANTS "{pants} {pants_config} --local-store-dir={build_cache}/lmdb " \
	"--named-caches-dir={build_cache}/named --local-execution-root-dir={build_cache}/sandboxes {pants_args} "
static const char *const pants_package[] = { PANTS "package {target}@{params}", NULL };
static const char *const pants_run[] = { PANTS "run {target}@{params}", NULL };
static const char *const pants_test[] = { PANTS "test ::", NULL };
static const char *const pants_clean[] = { "rm -rf dist .pants.d", "mkdir -p {build_cache}/sandboxes", NULL };

struct preset_goal { const char *name; const char *const *commands; };
static const struct preset_goal pex_goals[] = {
	{ "package", pex_package }, { "run", pex_run }, { "test", pex_test }, { 0 }
};
/* The docker preset: the strategy's PEX(es) built on the host, then the image; the
 * container run to its exit; the tests run in a container of the image with the test PEX
 * and the tests mounted (bench_run.c sets {docker_pex}, {docker_build}, {context}, {image}:
 * `env DOCKER_BUILDKIT=0 docker build -q {docker_build_args} --label perfanity-bench={image}
 * -t {image} {context}`, nothing for the Pants strategies, whose `pants package` runs
 * docker; the label lets it remove every image the config built, the untagged earlier ones
 * too). The legacy builder on purpose: its layer cache is the engine's, so `--no-cache`
 * (the clean step's {docker_build_args}) is the whole of a cold build. */
static const char *const docker_image[] = { "{docker_pex}", "{docker_build}", NULL };
static const char *const docker_start[] = { "docker run --rm {image} {run_args}", NULL };
static const char *const docker_test[] = {
	PEX_BUILD " {test_requirement_args} -e pytest -o {test_artifact}",
	"docker run --rm -v {out}:/out:ro -v {tests}:/tests:ro --entrypoint python3 {image} /out/test.pex /tests "
	"-q -p no:cacheprovider",
	NULL
};
static const struct preset_goal docker_goals[] = {
	{ "image", docker_image }, { "start", docker_start }, { "test", docker_test }, { 0 }
};
static const struct preset_goal pants_goals[] = {
	{ "package", pants_package }, { "run", pants_run }, { "test", pants_test }, { 0 }
};

static const char *const top_keys[] = {
	"project", "target", "entry_point", "sources", "packages", "tests", "requirements",
	"test_requirements", "dependencies", "test_dependencies", "find_links", "index_url",
	"no_index", "network", "run_args", "wheelhouse", "edit", "synthetic_names", "preset", "pants", "repetitions",
	"warmup", "timeout", "deps", "dep_size", "parameters", "exclude", "goals", "steps",
	"inferred", NULL
};

struct known_param { const char *name; enum bench_value_type type; const char *choices; };
static const struct known_param pex_params[] = {
	{ "execution_mode", BENCH_STR, "zipapp, venv" },
	{ "layout", BENCH_STR, "zipapp, packed, loose" },
	{ "compress", BENCH_BOOL, NULL },
	{ "include_tools", BENCH_BOOL, NULL },
	{ "venv_site_packages_copies", BENCH_BOOL, NULL },
	{ "pre_install_wheels", BENCH_BOOL, NULL },
	{ "max_install_jobs", BENCH_INT, NULL },
	{ "sh_boot", BENCH_BOOL, NULL },
	{ "python", BENCH_STR, NULL },
	{ 0 }
};

struct ctx {
	const char *source;
	char *err;
	size_t errlen;
};

static int fail(struct ctx *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct ctx *c, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s: %s: %s", c->source, key, msg);
	return -1;
}

static const char *type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "a table";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a float";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static char *path_join(const char *base, const char *rel)
{
	char *p;
	if (rel[0] == '/' || !base)
		return strdup(rel);
	if (!strcmp(rel, "."))
		return strdup(base);
	if (asprintf(&p, "%s/%s", base, rel) < 0)
		return NULL;
	return p;
}

static int get_string(struct ctx *c, json_t *root, const char *key, const char *dflt, char **out)
{
	json_t *v = json_object_get(root, key);
	if (!v) {
		*out = dflt ? pf_xstrdup(dflt) : NULL;
		return 0;
	}
	if (!json_is_string(v))
		return fail(c, key, "expected a string, got %s", type_name(v));
	*out = strdup(json_string_value(v));
	return 0;
}

static int get_int(struct ctx *c, json_t *root, const char *key, int dflt, int min, int *out)
{
	json_t *v = json_object_get(root, key);
	if (!v) {
		*out = dflt;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > 1000000)
		return fail(c, key, "expected an integer >= %d, got %s", min,
			    json_is_integer(v) ? "a smaller one" : type_name(v));
	*out = (int)json_integer_value(v);
	return 0;
}

static void free_list(char **l, size_t n);

static int get_bool(struct ctx *c, json_t *root, const char *key, int dflt, int *out)
{
	json_t *v = json_object_get(root, key);
	if (!v) {
		*out = dflt;
		return 0;
	}
	if (!json_is_boolean(v))
		return fail(c, key, "expected true or false, got %s", type_name(v));
	*out = json_is_true(v);
	return 0;
}

/* A string or an array of strings (possibly empty), as a NULL-terminated list; dflt
 * (one string, or NULL for none) when the key is absent. */
static int get_list(struct ctx *c, json_t *root, const char *key, const char *dflt, char ***out, size_t *n)
{
	json_t *v = json_object_get(root, key);
	*n = 0;
	*out = calloc((json_is_array(v) ? json_array_size(v) : 1) + 1, sizeof(char *));
	if (!v) {
		if (dflt)
			(*out)[(*n)++] = strdup(dflt);
		return 0;
	}
	if (json_is_string(v)) {
		if (json_string_value(v)[0])
			(*out)[(*n)++] = strdup(json_string_value(v));
		return 0;
	}
	if (!json_is_array(v))
		return fail(c, key, "expected a string or an array of strings, got %s", type_name(v));
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return fail(c, key, "expected strings, got %s at index %zu", type_name(e), i);
		(*out)[(*n)++] = strdup(json_string_value(e));
	}
	return 0;
}

/* A string or an array of strings, as a NULL-terminated list. */
static int get_commands(struct ctx *c, json_t *v, const char *key, char ***out, size_t *n)
{
	if (json_is_string(v)) {
		*out = calloc(2, sizeof(char *));
		(*out)[0] = strdup(json_string_value(v));
		*n = 1;
		return 0;
	}
	if (!json_is_array(v) || !json_array_size(v))
		return fail(c, key, "expected a command string or a non-empty array of them, got %s",
			    json_is_array(v) ? "an empty array" : type_name(v));
	*out = calloc(json_array_size(v) + 1, sizeof(char *));
	*n = 0;
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return fail(c, key, "expected command strings, got %s at index %zu",
				    type_name(e), i);
		(*out)[(*n)++] = strdup(json_string_value(e));
	}
	return 0;
}

static char **copy_list(const char *const *src, size_t *n)
{
	size_t k = 0;
	while (src[k])
		k++;
	char **out = calloc(k + 1, sizeof(char *));
	for (size_t i = 0; i < k; i++)
		out[i] = strdup(src[i]);
	*n = k;
	return out;
}

static int value_from_json(struct ctx *c, const char *key, json_t *v, struct bench_value *out)
{
	char buf[64];
	if (json_is_string(v)) {
		out->type = BENCH_STR;
		out->text = strdup(json_string_value(v));
	} else if (json_is_integer(v)) {
		out->type = BENCH_INT;
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		out->text = strdup(buf);
	} else if (json_is_boolean(v)) {
		out->type = BENCH_BOOL;
		out->text = strdup(json_is_true(v) ? "true" : "false");
	} else {
		return fail(c, key, "expected strings, integers or booleans, got %s", type_name(v));
	}
	if (out->type == BENCH_STR && (!out->text[0] || strpbrk(out->text, ",=")))
		return fail(c, key, "expected a non-empty value without ',' or '=', got '%s'", out->text);
	return 0;
}

static int check_pex_param(struct ctx *c, const struct bench_param *p)
{
	char key[160];
	snprintf(key, sizeof(key), "parameters.%s", p->name);
	for (const struct known_param *k = pex_params; k->name; k++) {
		if (strcmp(k->name, p->name))
			continue;
		for (size_t i = 0; i < p->n_values; i++) {
			const struct bench_value *v = &p->values[i];
			if (v->type != k->type)
				return fail(c, key, "expected %s values, got '%s'",
					    k->type == BENCH_BOOL ? "boolean" :
					    k->type == BENCH_INT ? "integer" : "string", v->text);
			if (k->choices) {
				/* choices is "a, b, c": match whole words */
				int ok = 0;
				size_t len = strlen(v->text);
				for (const char *s = k->choices; *s; ) {
					size_t w = strcspn(s, ",");
					ok |= w == len && !strncmp(s, v->text, len);
					s += w;
					s += strspn(s, ", ");
				}
				if (!ok)
					return fail(c, key, "expected one of %s, got '%s'", k->choices, v->text);
			}
		}
	}
	return 0;
}

/* The docker preset's strategy must be one it knows; other parameters are pex options. */
static int check_docker_param(struct ctx *c, const struct bench_param *p)
{
	if (strcmp(p->name, "strategy"))
		return 0;
	for (size_t k = 0; k < p->n_values; k++)
		if (!bench_docker_strategy_ok(p->values[k].text))
			return fail(c, "parameters.strategy", "expected one of %s, got '%s'", bench_docker_strategies,
				    p->values[k].text);
	return 0;
}

static int parse_params(struct ctx *c, struct bench_matrix *m, json_t *v)
{
	if (!json_is_object(v))
		return fail(c, "parameters", "expected a table of name = [values], got %s", type_name(v));
	m->params = calloc(json_object_size(v) + 1, sizeof(*m->params));
	const char *name;
	json_t *vals;
	json_object_foreach(v, name, vals) {
		char key[160];
		snprintf(key, sizeof(key), "parameters.%s", name);
		struct bench_param *p = &m->params[m->n_params++];
		p->name = strdup(name);
		if (!name[0] || strpbrk(name, ",={} "))
			return fail(c, key, "expected a parameter name without ',', '=', braces or spaces");
		if (json_is_array(vals) && !json_array_size(vals))
			return fail(c, key, "expected at least one value, got an empty array");
		size_t n = json_is_array(vals) ? json_array_size(vals) : 1;
		p->values = calloc(n, sizeof(*p->values));
		for (size_t i = 0; i < n; i++) {
			json_t *e = json_is_array(vals) ? json_array_get(vals, i) : vals;
			if (value_from_json(c, key, e, &p->values[p->n_values++]))
				return -1;
		}
		if (m->preset == BENCH_PRESET_PANTS && bench_param_is_option(m, p->name))
			for (size_t k = 0; k < p->n_values; k++)
				if (p->values[k].type != BENCH_BOOL)
					return fail(c, key, "expected boolean values (pantsd on or off), got '%s'",
						    p->values[k].text);
		if (m->preset == BENCH_PRESET_PEX && check_pex_param(c, p))
			return -1;
		if (m->preset == BENCH_PRESET_DOCKER && check_docker_param(c, p))
			return -1;
	}
	return 0;
}

static int param_index(const struct bench_matrix *m, const char *name)
{
	for (size_t i = 0; i < m->n_params; i++)
		if (!strcmp(m->params[i].name, name))
			return (int)i;
	return -1;
}

static int parse_excludes(struct ctx *c, struct bench_matrix *m, json_t *v)
{
	if (!json_is_array(v))
		return fail(c, "exclude", "expected an array of tables like {layout = \"loose\"}, got %s",
			    type_name(v));
	m->excludes = calloc(json_array_size(v) + 1, sizeof(*m->excludes));
	size_t i;
	json_t *rule;
	json_array_foreach(v, i, rule) {
		char key[160];
		snprintf(key, sizeof(key), "exclude[%zu]", i);
		if (!json_is_object(rule) || !json_object_size(rule))
			return fail(c, key, "expected a non-empty table of parameter = value, got %s",
				    type_name(rule));
		struct bench_exclude *x = &m->excludes[m->n_excludes++];
		x->names = calloc(json_object_size(rule), sizeof(char *));
		x->values = calloc(json_object_size(rule), sizeof(char *));
		const char *name;
		json_t *val;
		json_object_foreach(rule, name, val) {
			snprintf(key, sizeof(key), "exclude[%zu].%s", i, name);
			if (param_index(m, name) < 0)
				return fail(c, key, "expected the name of a parameter");
			struct bench_value bv = { 0 };
			if (value_from_json(c, key, val, &bv))
				return -1;
			x->names[x->n] = strdup(name);
			x->values[x->n++] = bv.text;
		}
	}
	return 0;
}

static const struct preset_goal *preset_goals(enum bench_preset p)
{
	return p == BENCH_PRESET_PEX      ? pex_goals
	       : p == BENCH_PRESET_PANTS  ? pants_goals
	       : p == BENCH_PRESET_DOCKER ? docker_goals
					  : NULL;
}

static int parse_goals(struct ctx *c, struct bench_matrix *m, json_t *v)
{
	const struct preset_goal *pg = preset_goals(m->preset);
	if (!v) { /* the preset's goals */
		if (!pg)
			return fail(c, "goals", "expected a table of goal = command template(s) (preset \"none\" has no goals)");
		size_t n = 0;
		while (pg[n].name)
			n++;
		m->goals = calloc(n, sizeof(*m->goals));
		for (size_t i = 0; i < n; i++) {
			m->goals[i].name = strdup(pg[i].name);
			m->goals[i].commands = copy_list(pg[i].commands, &m->goals[i].n_commands);
		}
		m->n_goals = n;
		return 0;
	}
	if (json_is_array(v)) { /* a selection of the preset's goals, in this order */
		if (!json_array_size(v))
			return fail(c, "goals", "expected at least one goal, got an empty array");
		m->goals = calloc(json_array_size(v), sizeof(*m->goals));
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			const struct preset_goal *g = NULL;
			for (const struct preset_goal *p = pg; p && p->name; p++)
				if (json_is_string(e) && !strcmp(p->name, json_string_value(e)))
					g = p;
			if (!g)
				return fail(c, "goals", "expected names of the preset's goals (package, run, test), got %s%s%s",
					    json_is_string(e) ? "'" : "",
					    json_is_string(e) ? json_string_value(e) : type_name(e),
					    json_is_string(e) ? "'" : "");
			m->goals[m->n_goals].name = strdup(g->name);
			m->goals[m->n_goals].commands = copy_list(g->commands, &m->goals[m->n_goals].n_commands);
			m->n_goals++;
		}
		return 0;
	}
	if (!json_is_object(v) || !json_object_size(v))
		return fail(c, "goals", "expected a table of goal = command template(s) or an array of goal names, got %s",
			    json_is_object(v) ? "an empty table" : type_name(v));
	m->goals = calloc(json_object_size(v), sizeof(*m->goals));
	const char *name;
	json_t *cmds;
	json_object_foreach(v, name, cmds) {
		char key[160];
		snprintf(key, sizeof(key), "goals.%s", name);
		struct bench_goal *g = &m->goals[m->n_goals++];
		g->name = strdup(name);
		if (get_commands(c, cmds, key, &g->commands, &g->n_commands))
			return -1;
	}
	return 0;
}

static int step_kind(const char *s, enum bench_step_kind *k)
{
	if (!strcmp(s, "clean"))
		*k = BENCH_STEP_CLEAN;
	else if (!strcmp(s, "noop"))
		*k = BENCH_STEP_NOOP;
	else if (!strcmp(s, "incremental"))
		*k = BENCH_STEP_INCREMENTAL;
	else
		return -1;
	return 0;
}

static void add_step(struct bench_matrix *m, const char *name, enum bench_step_kind kind)
{
	struct bench_step *s = &m->steps[m->n_steps++];
	s->name = strdup(name);
	s->kind = kind;
	if (m->preset == BENCH_PRESET_PANTS && kind == BENCH_STEP_CLEAN)
		s->prepare = copy_list(pants_clean, &s->n_prepare);
	else
		s->prepare = calloc(1, sizeof(char *));
}

static int parse_steps(struct ctx *c, struct bench_matrix *m, json_t *v)
{
	static const char *const dflt[] = { "clean", "noop", "incremental" };
	if (!v) {
		m->steps = calloc(3, sizeof(*m->steps));
		for (int i = 0; i < 3; i++) {
			enum bench_step_kind k;
			step_kind(dflt[i], &k);
			add_step(m, dflt[i], k);
		}
		return 0;
	}
	if (json_is_array(v)) {
		if (!json_array_size(v))
			return fail(c, "steps", "expected at least one step, got an empty array");
		m->steps = calloc(json_array_size(v), sizeof(*m->steps));
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			enum bench_step_kind k;
			if (!json_is_string(e) || step_kind(json_string_value(e), &k))
				return fail(c, "steps", "expected step names among clean, noop, incremental, got %s%s%s",
					    json_is_string(e) ? "'" : "",
					    json_is_string(e) ? json_string_value(e) : type_name(e),
					    json_is_string(e) ? "'" : "");
			add_step(m, json_string_value(e), k);
		}
		return 0;
	}
	if (!json_is_object(v) || !json_object_size(v))
		return fail(c, "steps", "expected an array of step names or a table of steps, got %s",
			    json_is_object(v) ? "an empty table" : type_name(v));
	m->steps = calloc(json_object_size(v), sizeof(*m->steps));
	const char *name;
	json_t *st;
	json_object_foreach(v, name, st) {
		char key[160];
		snprintf(key, sizeof(key), "steps.%s", name);
		if (!json_is_object(st))
			return fail(c, key, "expected a table (kind, prepare), got %s", type_name(st));
		const char *sk;
		json_t *sv;
		json_object_foreach(st, sk, sv)
			if (strcmp(sk, "kind") && strcmp(sk, "prepare"))
				return fail(c, key, "unknown key '%s' (expected kind or prepare)", sk);
		enum bench_step_kind k;
		json_t *kv = json_object_get(st, "kind");
		const char *kind = kv ? json_string_value(kv) : name;
		snprintf(key, sizeof(key), "steps.%s.kind", name);
		if (!kind || step_kind(kind, &k))
			return fail(c, key, "expected one of clean, noop, incremental%s",
				    kv ? "" : " (the step's name is not one, so give its kind)");
		add_step(m, name, k);
		json_t *pv = json_object_get(st, "prepare");
		if (pv) {
			struct bench_step *s = &m->steps[m->n_steps - 1];
			free(s->prepare);
			snprintf(key, sizeof(key), "steps.%s.prepare", name);
			if (get_commands(c, pv, key, &s->prepare, &s->n_prepare))
				return -1;
		}
	}
	return 0;
}

/* Render every template with placeholders so a typo in a variable fails at load time. */
static int check_templates(struct ctx *c, const struct bench_matrix *m)
{
	struct bench_vars vars = { .n = 0 };
	bench_vars_placeholders(&vars, m);
	char err[256], key[160];
	int rc = 0;
	for (size_t g = 0; g < m->n_goals && !rc; g++) {
		for (size_t i = 0; i < m->goals[g].n_commands && !rc; i++) {
			char *r = bench_render(m->goals[g].commands[i], &vars, err, sizeof(err));
			if (!r) {
				snprintf(key, sizeof(key), "goals.%s", m->goals[g].name);
				rc = fail(c, key, "%s", err);
			}
			free(r);
		}
	}
	for (size_t s = 0; s < m->n_steps && !rc; s++) {
		for (size_t i = 0; i < m->steps[s].n_prepare && !rc; i++) {
			char *r = bench_render(m->steps[s].prepare[i], &vars, err, sizeof(err));
			if (!r) {
				snprintf(key, sizeof(key), "steps.%s.prepare", m->steps[s].name);
				rc = fail(c, key, "%s", err);
			}
			free(r);
		}
	}
	bench_vars_free(&vars);
	return rc;
}

static void add_skipped(struct bench_matrix *m, const char *line)
{
	m->skipped = realloc(m->skipped, (m->n_skipped + 2) * sizeof(char *));
	m->skipped[m->n_skipped++] = strdup(line);
	m->skipped[m->n_skipped] = NULL;
}

/* What this project cannot run is left out with a line saying why, not an error:
 * the incremental step without a file to edit, the pex preset's test goal without tests. */
static void skip_what_cannot_run(struct bench_matrix *m, int own_goals)
{
	size_t k = 0;
	for (size_t i = 0; i < m->n_steps; i++) {
		if (m->steps[i].kind == BENCH_STEP_INCREMENTAL && !m->edit[0]) {
			char line[256];
			snprintf(line, sizeof(line), "step %s: no first-party file to edit (set edit = \"path/in/project.py\")",
				 m->steps[i].name);
			add_skipped(m, line);
			free(m->steps[i].name);
			free_list(m->steps[i].prepare, m->steps[i].n_prepare);
			continue;
		}
		m->steps[k++] = m->steps[i];
	}
	m->n_steps = k;
	if (own_goals || !BENCH_BUILDS_PEX(m) || m->tests[0])
		return;
	k = 0;
	for (size_t g = 0; g < m->n_goals; g++) {
		if (!strcmp(m->goals[g].name, "test")) {
			add_skipped(m, "goal test: the project has no tests/ directory (set tests = \"dir\" to run pytest on one)");
			free(m->goals[g].name);
			free_list(m->goals[g].commands, m->goals[g].n_commands);
			continue;
		}
		m->goals[k++] = m->goals[g];
	}
	m->n_goals = k;
}

/* Whether the project has rel (a directory if dir, else a file). */
static int project_has(const struct bench_matrix *m, const char *rel, int dir)
{
	char *p = path_join(m->project, rel);
	struct stat st;
	int ok = p && !stat(p, &st) && (dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
	free(p);
	return ok;
}

/* Whether one of the test requirement files already names pytest (pip refuses a
 * requirement given twice). */
static int files_name_pytest(const struct bench_matrix *m)
{
	int found = 0;
	for (size_t i = 0; i < m->n_test_requirement_files && !found; i++) {
		char *p = path_join(m->project, m->test_requirement_files[i]), line[512];
		FILE *f = p ? fopen(p, "r") : NULL;
		while (f && !found && fgets(line, sizeof(line), f)) {
			const char *l = line + strspn(line, " \t");
			found = !strncasecmp(l, "pytest", 6) && !(isalnum((unsigned char)l[6]) || l[6] == '-' || l[6] == '_');
		}
		if (f)
			fclose(f);
		free(p);
	}
	return found;
}

/* Paths of find_links made absolute against base_dir (URLs kept): one spelling, the
 * real path, when the directory exists. */
static void absolute_find_links(struct bench_matrix *m, const char *base_dir)
{
	for (size_t i = 0; i < m->n_find_links; i++) {
		if (strstr(m->find_links[i], "://"))
			continue;
		char *abs = path_join(base_dir, m->find_links[i]);
		char *real = abs ? realpath(abs, NULL) : NULL;
		free(m->find_links[i]);
		m->find_links[i] = real ? real : abs;
		if (real)
			free(abs);
	}
}

/* find_links, and wheelhouse = "dir" as one more of them. */
static int get_find_links(struct ctx *c, json_t *root, const char *base_dir, struct bench_matrix *m)
{
	int rc = get_list(c, root, "find_links", NULL, &m->find_links, &m->n_find_links);
	/* wheelhouse = "dir": one more find_links directory, and (by default) no index */
	json_t *wh = json_object_get(root, "wheelhouse");
	if (!rc && wh && !json_is_string(wh))
		rc = fail(c, "wheelhouse", "expected a directory of wheels, got %s", type_name(wh));
	if (!rc && wh) {
		m->find_links = realloc(m->find_links, (m->n_find_links + 2) * sizeof(char *));
		m->find_links[m->n_find_links++] = strdup(json_string_value(wh));
		m->find_links[m->n_find_links] = NULL;
	}
	if (!rc)
		absolute_find_links(m, base_dir);
	return rc;
}

int bench_matrix_set_wheelhouse(struct bench_matrix *m, const char *dir)
{
	for (size_t i = 0; i < m->n_find_links; i++)
		free(m->find_links[i]);
	free(m->find_links);
	m->find_links = calloc(2, sizeof(char *));
	if (!m->find_links || !(m->find_links[0] = strdup(dir)))
		return -1;
	m->n_find_links = 1;
	absolute_find_links(m, NULL);
	return 0;
}

static void default_params(struct bench_matrix *m)
{
	static const char *const modes[] = { "venv", "zipapp" };
	static const char *const layouts[] = { "loose", "packed", "zipapp" };
	m->params = calloc(2, sizeof(*m->params));
	m->n_params = 2;
	m->params[0].name = strdup("execution_mode");
	m->params[0].values = calloc(2, sizeof(struct bench_value));
	for (int i = 0; i < 2; i++)
		m->params[0].values[m->params[0].n_values++] = (struct bench_value){ BENCH_STR, strdup(modes[i]) };
	m->params[1].name = strdup("layout");
	m->params[1].values = calloc(3, sizeof(struct bench_value));
	for (int i = 0; i < 3; i++)
		m->params[1].values[m->params[1].n_values++] = (struct bench_value){ BENCH_STR, strdup(layouts[i]) };
}

int bench_matrix_from_json(struct bench_matrix *m, json_t *root, const char *source,
			   const char *base_dir, char *err, size_t errlen)
{
	struct ctx c = { source, err, errlen };
	memset(m, 0, sizeof(*m));
	m->source = strdup(c.source);
	int rc = -1;
	if (!json_is_object(root)) {
		fail(&c, "(top level)", "expected a table, got %s", type_name(root));
		goto out;
	}
	const char *key;
	json_t *val;
	json_object_foreach(root, key, val) {
		int known = 0;
		for (const char *const *k = top_keys; *k; k++)
			known |= !strcmp(*k, key);
		if (!known) {
			fail(&c, key, "unknown key (expected one of project, target, entry_point, sources, packages, tests, requirements, test_requirements, dependencies, test_dependencies, find_links, index_url, no_index, network, run_args, wheelhouse, edit, synthetic_names, preset, pants, repetitions, warmup, timeout, deps, dep_size, parameters, exclude, goals, steps)");
			goto out;
		}
	}
	char *preset = NULL;
	if (get_string(&c, root, "preset", "pex", &preset))
		goto out;
	if (!strcmp(preset, "pex"))
		m->preset = BENCH_PRESET_PEX;
	else if (!strcmp(preset, "pants"))
		m->preset = BENCH_PRESET_PANTS;
	else if (!strcmp(preset, "none"))
		m->preset = BENCH_PRESET_NONE;
	else if (!strcmp(preset, "docker"))
		m->preset = BENCH_PRESET_DOCKER;
	else {
		fail(&c, "preset", "expected one of pex, pants, docker, none, got '%s'", preset);
		free(preset);
		goto out;
	}
	free(preset);

	char *project = NULL;
	if (get_string(&c, root, "project", ".", &project))
		goto out;
	m->project = path_join(base_dir, project);
	free(project);
	char dflt_target[256];
	const char *dir_name = pf_base_name(m->project);
	snprintf(dflt_target, sizeof(dflt_target), "%s:bin", dir_name[0] ? dir_name : m->project);
	/* Defaults are the project's own files where it has them (documented in
	 * examples/simple/perfanity.toml), never the example's. */
	if (get_string(&c, root, "target", dflt_target, &m->target) ||
	    get_string(&c, root, "entry_point", NULL, &m->entry_point) ||
	    get_string(&c, root, "sources", project_has(m, "src", 1) ? "src" : "", &m->sources) ||
	    get_list(&c, root, "packages", NULL, &m->packages, &m->n_packages) ||
	    get_string(&c, root, "tests", project_has(m, "tests", 1) ? "tests" : "", &m->tests) ||
	    get_list(&c, root, "requirements", project_has(m, "requirements.txt", 0) ? "requirements.txt" : NULL,
		     &m->requirement_files, &m->n_requirement_files) ||
	    get_list(&c, root, "test_requirements",
		     project_has(m, "test-requirements.txt", 0) ? "test-requirements.txt" : NULL,
		     &m->test_requirement_files, &m->n_test_requirement_files) ||
	    get_list(&c, root, "dependencies", NULL, &m->dependencies, &m->n_dependencies) ||
	    get_list(&c, root, "test_dependencies", files_name_pytest(m) ? NULL : "pytest",
		     &m->test_dependencies, &m->n_test_dependencies) ||
	    get_find_links(&c, root, base_dir, m) ||
	    get_string(&c, root, "index_url", NULL, &m->index_url) ||
	    get_bool(&c, root, "no_index", json_object_get(root, "wheelhouse") != NULL, &m->no_index) ||
	    get_bool(&c, root, "network", 0, &m->network) ||
	    get_list(&c, root, "run_args", NULL, &m->run_args, &m->n_run_args) ||
	    get_string(&c, root, "edit", "", &m->edit) ||
	    get_string(&c, root, "synthetic_names", "", &m->synthetic_names) ||
	    get_string(&c, root, "pants", "pants", &m->pants) ||
	    get_int(&c, root, "repetitions", 3, 1, &m->repetitions) ||
	    get_int(&c, root, "warmup", 0, 0, &m->warmup) ||
	    get_int(&c, root, "deps", 0, 0, &m->deps) ||
	    get_int(&c, root, "dep_size", 16, 1, &m->dep_size_kb))
		goto out;
	/* {requirements} and {test_requirements}: the first file of each, for templates */
	m->requirements = strdup(m->n_requirement_files ? m->requirement_files[0] : "");
	m->test_requirements = strdup(m->n_test_requirement_files ? m->test_requirement_files[0] : "");
	json_t *inf = json_object_get(root, "inferred");
	if (inf && !json_is_object(inf)) {
		fail(&c, "inferred", "expected a table (written by perfanity bench --init), got %s", type_name(inf));
		goto out;
	}
	m->inferred = inf ? json_incref(inf) : NULL;
	json_t *t = json_object_get(root, "timeout");
	m->timeout = 600;
	if (t) {
		if (!json_is_number(t) || json_number_value(t) <= 0) {
			fail(&c, "timeout", "expected a number of seconds > 0, got %s",
			     json_is_number(t) ? "a smaller one" : type_name(t));
			goto out;
		}
		m->timeout = json_number_value(t);
	}
	if (BENCH_BUILDS_PEX(m) && !m->entry_point) {
		fail(&c, "entry_point", "expected a string like 'pkg.module:function' (the %s preset needs it)",
		     bench_preset_name(m->preset));
		goto out;
	}
	if (!m->entry_point)
		m->entry_point = strdup("");
	json_t *params = json_object_get(root, "parameters");
	if (params) {
		if (parse_params(&c, m, params))
			goto out;
	} else if (m->preset != BENCH_PRESET_NONE && m->preset != BENCH_PRESET_DOCKER) {
		default_params(m); /* the seed's matrix; a "none" matrix has one unnamed config */
	}
	if (m->preset == BENCH_PRESET_DOCKER && param_index(m, "strategy") < 0) {
		fail(&c, "parameters.strategy", "expected a list of strategies (%s): the docker preset needs it",
		     bench_docker_strategies);
		goto out;
	}
	json_t *ex = json_object_get(root, "exclude");
	if (ex && parse_excludes(&c, m, ex))
		goto out;
	if (parse_goals(&c, m, json_object_get(root, "goals")) ||
	    parse_steps(&c, m, json_object_get(root, "steps")))
		goto out;
	skip_what_cannot_run(m, json_object_get(root, "goals") != NULL);
	if (!m->n_steps || !m->n_goals) {
		snprintf(err, errlen, "%s: nothing left to run (%s)", c.source, !m->n_steps ? "no step" : "no goal");
		goto out;
	}
	if (check_templates(&c, m))
		goto out;
	rc = 0;
out:
	if (rc) { /* nothing half-built is left to the caller (a second free is harmless) */
		bench_matrix_free(m);
		memset(m, 0, sizeof(*m));
	}
	return rc;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		free(l[i]);
	free(l);
}

void bench_matrix_free(struct bench_matrix *m)
{
	free(m->source);
	free(m->project);
	free(m->target);
	free(m->entry_point);
	free(m->sources);
	free(m->tests);
	free(m->requirements);
	free(m->test_requirements);
	free(m->edit);
	free(m->synthetic_names);
	free(m->pants);
	free_list(m->requirement_files, m->n_requirement_files);
	free_list(m->test_requirement_files, m->n_test_requirement_files);
	free_list(m->dependencies, m->n_dependencies);
	free_list(m->test_dependencies, m->n_test_dependencies);
	free_list(m->packages, m->n_packages);
	free_list(m->find_links, m->n_find_links);
	free_list(m->skipped, m->n_skipped);
	free_list(m->selects, m->n_selects);
	free_list(m->run_args, m->n_run_args);
	free(m->index_url);
	json_decref(m->inferred);
	for (size_t i = 0; i < m->n_params; i++) {
		free(m->params[i].name);
		for (size_t j = 0; j < m->params[i].n_values; j++)
			free(m->params[i].values[j].text);
		free(m->params[i].values);
	}
	free(m->params);
	for (size_t i = 0; i < m->n_excludes; i++) {
		free_list(m->excludes[i].names, m->excludes[i].n);
		free_list(m->excludes[i].values, m->excludes[i].n);
	}
	free(m->excludes);
	for (size_t i = 0; i < m->n_goals; i++) {
		free(m->goals[i].name);
		free_list(m->goals[i].commands, m->goals[i].n_commands);
	}
	free(m->goals);
	for (size_t i = 0; i < m->n_steps; i++) {
		free(m->steps[i].name);
		free_list(m->steps[i].prepare, m->steps[i].n_prepare);
	}
	free(m->steps);
	memset(m, 0, sizeof(*m));
}

static int excluded(const struct bench_matrix *m, const size_t *idx)
{
	for (size_t e = 0; e < m->n_excludes; e++) {
		const struct bench_exclude *x = &m->excludes[e];
		size_t hit = 0;
		for (size_t k = 0; k < x->n; k++) {
			int p = param_index(m, x->names[k]);
			hit += p >= 0 && !strcmp(m->params[p].values[idx[p]].text, x->values[k]);
		}
		if (hit == x->n)
			return 1;
	}
	return 0;
}

/* Whether the config at idx matches "name=glob,name=glob" (every term). */
static int config_matches(const struct bench_matrix *m, const size_t *idx, const char *pattern)
{
	char *copy = strdup(pattern), *save = NULL;
	int ok = 1;
	for (char *term = strtok_r(copy, ",", &save); term && ok; term = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(term, '=');
		ok = 0;
		for (size_t i = 0; eq && i < m->n_params; i++)
			if (!strncmp(m->params[i].name, term, eq - term) && !m->params[i].name[eq - term])
				ok = !fnmatch(eq + 1, m->params[i].values[idx[i]].text, 0);
	}
	free(copy);
	return ok;
}

static int select_names(char **names, size_t n, const char *const *want, size_t nwant, const char *what,
			char *err, size_t errlen)
{
	for (size_t w = 0; w < nwant; w++) {
		int found = 0;
		for (size_t i = 0; i < n && !found; i++)
			found = !strcmp(names[i], want[w]);
		if (!found) {
			size_t o = snprintf(err, errlen, "--%s %s: the matrix has no such %s (it has", what, want[w], what);
			for (size_t i = 0; i < n && o < errlen; i++)
				o += snprintf(err + o, errlen - o, "%s %s", i ? "," : "", names[i]);
			if (o < errlen)
				snprintf(err + o, errlen - o, ")");
			return -1;
		}
	}
	return 0;
}

static int wanted(const char *name, const char *const *want, size_t nwant)
{
	for (size_t w = 0; w < nwant; w++)
		if (!strcmp(name, want[w]))
			return 1;
	return !nwant;
}

int bench_matrix_select(struct bench_matrix *m, const char *const *configs, size_t n_configs,
			const char *const *steps, size_t n_steps, const char *const *goals, size_t n_goals,
			char *err, size_t errlen)
{
	char *names[64];
	size_t n = 0;
	for (size_t i = 0; i < m->n_steps && n < 64; i++)
		names[n++] = m->steps[i].name;
	if (select_names(names, n, steps, n_steps, "step", err, errlen))
		return -1;
	n = 0;
	for (size_t i = 0; i < m->n_goals && n < 64; i++)
		names[n++] = m->goals[i].name;
	if (select_names(names, n, goals, n_goals, "goal", err, errlen))
		return -1;
	for (size_t c = 0; c < n_configs; c++) {
		char *copy = strdup(configs[c]), *save = NULL;
		for (char *term = strtok_r(copy, ",", &save); term; term = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(term, '=');
			int known = 0;
			for (size_t i = 0; eq && i < m->n_params && !known; i++)
				known = !strncmp(m->params[i].name, term, eq - term) && !m->params[i].name[eq - term];
			if (!known) {
				snprintf(err, errlen, "--config %s: '%s' is not NAME=VALUE with NAME a parameter of the matrix",
					 configs[c], term);
				free(copy);
				return -1;
			}
		}
		free(copy);
	}
	/* the pex preset's run goal runs what package built, the docker preset's start and
	 * test the image: without the building goal, the build becomes each step's
	 * (untimed) preparation, so "noop run" still means the run after an unchanged rebuild */
	const char *build = m->preset == BENCH_PRESET_PEX ? "package" : m->preset == BENCH_PRESET_DOCKER ? "image" : NULL;
	int uses_build = m->preset == BENCH_PRESET_PEX ? wanted("run", goals, n_goals)
						       : wanted("start", goals, n_goals) || wanted("test", goals, n_goals);
	if (build && n_goals && uses_build && !wanted(build, goals, n_goals)) {
		for (size_t g = 0; g < m->n_goals; g++) {
			if (strcmp(m->goals[g].name, build))
				continue;
			for (size_t i = 0; i < m->n_steps; i++) {
				struct bench_step *st = &m->steps[i];
				st->prepare = realloc(st->prepare, (st->n_prepare + m->goals[g].n_commands + 1) * sizeof(char *));
				for (size_t k = 0; k < m->goals[g].n_commands; k++)
					st->prepare[st->n_prepare++] = strdup(m->goals[g].commands[k]);
				st->prepare[st->n_prepare] = NULL;
			}
		}
	}
	size_t k = 0;
	for (size_t i = 0; i < m->n_steps; i++) {
		if (wanted(m->steps[i].name, steps, n_steps)) {
			m->steps[k++] = m->steps[i];
			continue;
		}
		free(m->steps[i].name);
		free_list(m->steps[i].prepare, m->steps[i].n_prepare);
	}
	m->n_steps = k;
	k = 0;
	for (size_t g = 0; g < m->n_goals; g++) {
		if (wanted(m->goals[g].name, goals, n_goals)) {
			m->goals[k++] = m->goals[g];
			continue;
		}
		free(m->goals[g].name);
		free_list(m->goals[g].commands, m->goals[g].n_commands);
	}
	m->n_goals = k;
	m->selects = calloc(n_configs + 1, sizeof(char *));
	for (size_t c = 0; c < n_configs; c++)
		m->selects[m->n_selects++] = strdup(configs[c]);
	struct bench_config *cfg;
	size_t left = bench_matrix_configs(m, &cfg);
	bench_configs_free(cfg, left);
	if (!left || !m->n_steps || !m->n_goals) {
		snprintf(err, errlen, "%s: nothing left to run (%s)", m->source,
			 !left ? "no configuration matches --config, or the excludes drop them all" :
			 !m->n_steps ? "no step" : "no goal");
		return -1;
	}
	return 0;
}

static void print_list(FILE *f, char **l, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\"%s\"", i ? ", " : "", l[i]);
	fputc(']', f);
}

void bench_matrix_print_sources(const struct bench_matrix *m, FILE *f, const char *prefix)
{
	if (!m->inferred) {
		fprintf(f, "%svalues from %s; keys it does not set take the defaults documented in "
			   "examples/simple/perfanity.toml\n", prefix, m->source);
		return;
	}
	const char *key;
	json_t *why;
	json_object_foreach(m->inferred, key, why) {
		fprintf(f, "%sinferred %s = ", prefix, key);
		if (!strcmp(key, "packages"))
			print_list(f, m->packages, m->n_packages);
		else if (!strcmp(key, "dependencies"))
			print_list(f, m->dependencies, m->n_dependencies);
		else if (!strcmp(key, "test_dependencies"))
			print_list(f, m->test_dependencies, m->n_test_dependencies);
		else if (!strcmp(key, "run_args"))
			print_list(f, m->run_args, m->n_run_args);
		else if (!strcmp(key, "requirements"))
			print_list(f, m->requirement_files, m->n_requirement_files);
		else if (!strcmp(key, "test_requirements"))
			print_list(f, m->test_requirement_files, m->n_test_requirement_files);
		else
			fprintf(f, "\"%s\"", !strcmp(key, "entry_point") ? m->entry_point : !strcmp(key, "sources") ? m->sources :
				!strcmp(key, "tests") ? m->tests : !strcmp(key, "edit") ? m->edit :
				!strcmp(key, "target") ? m->target : !strcmp(key, "project") ? m->project : "?");
		fprintf(f, "  (%s)\n", json_string_value(why) ? json_string_value(why) : "");
	}
}

int bench_param_is_option(const struct bench_matrix *m, const char *name)
{
	return m->preset == BENCH_PRESET_PANTS && !strcmp(name, "pantsd");
}

size_t bench_matrix_configs(const struct bench_matrix *m, struct bench_config **out)
{
	size_t total = 1;
	for (size_t i = 0; i < m->n_params; i++)
		total *= m->params[i].n_values;
	*out = calloc(total ? total : 1, sizeof(**out));
	size_t *idx = calloc(m->n_params + 1, sizeof(size_t));
	size_t n = 0;
	for (size_t k = 0; k < total; k++) {
		/* Odometer over the parameters, the last one fastest (declaration order). */
		size_t rest = k;
		for (size_t i = m->n_params; i-- > 0;) {
			idx[i] = rest % m->params[i].n_values;
			rest /= m->params[i].n_values;
		}
		if (excluded(m, idx))
			continue;
		int selected = !m->n_selects;
		for (size_t sel = 0; sel < m->n_selects && !selected; sel++)
			selected = config_matches(m, idx, m->selects[sel]);
		if (!selected)
			continue;
		struct bench_config *c = &(*out)[n++];
		c->values = calloc(m->n_params + 1, sizeof(char *));
		c->types = calloc(m->n_params + 1, sizeof(*c->types));
		char *label = NULL, *options = NULL;
		size_t len = 0, olen = 0;
		FILE *f = open_memstream(&label, &len), *fo = open_memstream(&options, &olen);
		for (size_t i = 0; i < m->n_params; i++) {
			const struct bench_value *v = &m->params[i].values[idx[i]];
			int opt = bench_param_is_option(m, m->params[i].name);
			FILE *to = opt ? fo : f;
			c->values[i] = v->text;
			c->types[i] = v->type;
			fprintf(to, "%s%s=%s", ftell(to) ? "," : "", m->params[i].name, v->text);
		}
		fclose(f);
		fclose(fo);
		c->label = label;
		c->options = options;
	}
	free(idx);
	return n;
}

void bench_configs_free(struct bench_config *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].label);
		free(c[i].options);
		free(c[i].values);
		free(c[i].types);
	}
	free(c);
}

const char *bench_step_kind_name(enum bench_step_kind k)
{
	return k == BENCH_STEP_CLEAN ? "clean" : k == BENCH_STEP_NOOP ? "noop" : "incremental";
}

const char *bench_preset_name(enum bench_preset p)
{
	return p == BENCH_PRESET_PEX ? "pex" : p == BENCH_PRESET_PANTS ? "pants" : p == BENCH_PRESET_DOCKER ? "docker" : "none";
}

static json_t *string_list(char **l, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(l[i]));
	return a;
}

json_t *bench_matrix_to_json(const struct bench_matrix *m)
{
	json_t *j = json_object();
	json_object_set_new(j, "source", json_string(m->source));
	json_object_set_new(j, "preset", json_string(bench_preset_name(m->preset)));
	json_object_set_new(j, "project", json_string(m->project));
	json_object_set_new(j, "target", json_string(m->target));
	json_object_set_new(j, "entry_point", json_string(m->entry_point));
	json_object_set_new(j, "repetitions", json_integer(m->repetitions));
	json_object_set_new(j, "warmup", json_integer(m->warmup));
	json_object_set_new(j, "timeout", json_real(m->timeout));
	json_object_set_new(j, "deps", json_integer(m->deps));
	json_object_set_new(j, "dep_size_kb", json_integer(m->dep_size_kb));
	json_object_set_new(j, "edit", json_string(m->edit));
	json_t *params = json_object();
	for (size_t i = 0; i < m->n_params; i++) {
		json_t *vals = json_array();
		for (size_t k = 0; k < m->params[i].n_values; k++) {
			const struct bench_value *v = &m->params[i].values[k];
			json_array_append_new(vals, v->type == BENCH_BOOL ? json_boolean(!strcmp(v->text, "true")) :
					      v->type == BENCH_INT ? json_integer(atoll(v->text)) : json_string(v->text));
		}
		json_object_set_new(params, m->params[i].name, vals);
	}
	json_object_set_new(j, "parameters", params);
	json_t *ex = json_array();
	for (size_t i = 0; i < m->n_excludes; i++) {
		json_t *rule = json_object();
		for (size_t k = 0; k < m->excludes[i].n; k++)
			json_object_set_new(rule, m->excludes[i].names[k], json_string(m->excludes[i].values[k]));
		json_array_append_new(ex, rule);
	}
	json_object_set_new(j, "exclude", ex);
	json_t *goals = json_array();
	for (size_t i = 0; i < m->n_goals; i++) {
		json_t *g = json_object();
		json_object_set_new(g, "name", json_string(m->goals[i].name));
		json_object_set_new(g, "commands", string_list(m->goals[i].commands, m->goals[i].n_commands));
		json_array_append_new(goals, g);
	}
	json_object_set_new(j, "goals", goals);
	json_t *steps = json_array();
	for (size_t i = 0; i < m->n_steps; i++) {
		json_t *s = json_object();
		json_object_set_new(s, "name", json_string(m->steps[i].name));
		json_object_set_new(s, "kind", json_string(bench_step_kind_name(m->steps[i].kind)));
		json_object_set_new(s, "prepare", string_list(m->steps[i].prepare, m->steps[i].n_prepare));
		json_array_append_new(steps, s);
	}
	json_object_set_new(j, "steps", steps);
	return j;
}
