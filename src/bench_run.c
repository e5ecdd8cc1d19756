// SPDX-License-Identifier: GPL-2.0-only
/* The bench loop: for every config, a private copy of the project and private caches;
 * for every step, repetitions of its goals, each goal's commands timed. Results go into
 * the result document as they come, so an interrupted run still has what finished. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "perfanity.h"
#include "bench_exec.h"
#include "bench_fs.h"
#include "bench_trace.h"
#include "bench_run.h"
#include "bench_docker.h"
#include "pants.h"
#include "pf_paths.h"
#include "bench_stats.h"
#include "bench_template.h"

#define STDOUT_TAIL 1024
#define STDERR_TAIL 2048

struct progress {
	size_t total, done;
	double started;
	int tty;
	int quiet;
};

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static void progress_line(struct progress *p, const char *label, const char *step, int rep, int reps, int warm,
			  const char *goal, double secs, int exit_code)
{
	p->done++;
	if (p->quiet)
		return;
	double elapsed = pf_now_s() - p->started;
	double eta = p->done ? elapsed / p->done * (p->total - p->done) : 0;
	char status[32];
	if (exit_code)
		snprintf(status, sizeof(status), "FAILED (exit %d)", exit_code);
	else
		snprintf(status, sizeof(status), "%.2fs", secs);
	fprintf(stderr, "%s[%zu/%zu] %s %s %s%d/%d %s %s  ETA %dm%02ds%s", p->tty ? "\r\033[K" : "", p->done, p->total,
		label, step, warm ? "warmup " : "", rep, reps, goal, status, (int)eta / 60, (int)eta % 60,
		p->tty ? "" : "\n");
	fflush(stderr);
}

/* The Pants preset's: --pantsd / --no-pantsd from the "pantsd" parameter, and the
 * machine's offline settings (scripts/setup.d/60-pants.sh) when set-up wrote them. */
static void pants_vars(struct bench_vars *v, const struct bench_matrix *m, const struct bench_env *env,
		       const struct bench_config *c)
{
	char *offline = fmt("%s/pants/offline.toml", env->cache), *p;
	const char *args = "";

	for (size_t i = 0; i < m->n_params; i++)
		if (bench_param_is_option(m, m->params[i].name))
			args = !strcmp(c->values[i], "true") ? "--pantsd" : "--no-pantsd";
	bench_vars_set(v, "pants_args", args, 1);
	/* one value appends to Pants' default (pants.toml), and needs no shell to pass */
	p = fmt("--pants-config-files=%s", offline);
	char *q = access(offline, R_OK) ? strdup("") : bench_shell_quote(p);
	bench_vars_set(v, "pants_config", q, 1);
	free(q);
	free(p);
	free(offline);
}

/* Where `pants package` writes a pex_binary: dist/<spec path, '/' as '.'>/<name>[@<params>].pex */
static char *pants_artifact(const char *project, const char *target, const char *params)
{
	const char *colon = strrchr(target, ':');
	char *dir = colon ? strndup(target, colon - target) : strdup(target);
	const char *name = colon ? colon + 1 : target;
	for (char *x = dir; *x; x++)
		if (*x == '/')
			*x = '.';
	char *p = fmt("%s/dist/%s/%s%s%s.pex", project, dir, name, params[0] ? "@" : "", params);
	free(dir);
	return p;
}

/* A project path: absolute as given, else under the project copy. */
static void put_path(FILE *f, const char *opt, const char *project, const char *rel)
{
	char *p = rel[0] == '/' ? strdup(rel) : fmt("%s/%s", project, rel);
	char *q = bench_shell_quote(p);
	fprintf(f, " %s %s", opt, q);
	free(q);
	free(p);
}

/* An argument list being written, then set as a raw template variable. */
struct arglist {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *args_open(struct arglist *a)
{
	a->buf = NULL;
	a->f = open_memstream(&a->buf, &a->len);
	return a->f;
}

static void args_set(struct bench_vars *v, const char *name, struct arglist *a)
{
	fclose(a->f);
	bench_vars_set(v, name, a->buf && a->buf[0] == ' ' ? a->buf + 1 : a->buf ? a->buf : "", 1);
	free(a->buf);
}

static void put_workfile(FILE *f, const struct bench_env *env, const char *name)
{
	char *p = fmt("%s/%s", env->workdir, name);
	put_path(f, "-r", "", p);
	free(p);
}

/* {resolve_args}: where dependencies come from. */
static void resolve_args(struct bench_vars *v, const struct bench_matrix *m, const struct bench_env *env,
			 const char *project, const char *synthetic)
{
	struct arglist a;
	FILE *f = args_open(&a);
	if (bench_uses_wheel_cache(m)) {
		fprintf(f, " --no-pypi");
		put_path(f, "-f", project, env->wheel_cache);
	} else {
		fprintf(f, "%s", m->no_index ? " --no-pypi" : m->index_url ? "" : " --use-pip-config");
		if (m->index_url && !m->no_index) {
			char *q = bench_shell_quote(m->index_url); /* a URL, not a path */
			fprintf(f, " --index-url %s", q);
			free(q);
		}
	}
	for (size_t i = 0; i < m->n_find_links; i++)
		put_path(f, "-f", project, m->find_links[i]);
	if (m->deps > 0)
		put_path(f, "-f", project, synthetic);
	args_set(v, "resolve_args", &a);
}

/* {requirement_args} and {test_requirement_args}: what the dependencies are. */
static void requirement_args(struct bench_vars *v, const struct bench_matrix *m, const struct bench_env *env,
			     const char *project, const char *synthetic)
{
	struct arglist a;
	FILE *f = args_open(&a);
	for (size_t i = 0; i < m->n_requirement_files; i++)
		put_path(f, "-r", project, m->requirement_files[i]);
	if (m->n_dependencies)
		put_workfile(f, env, "dependencies.txt");
	if (m->deps > 0) {
		char *r = fmt("%s/requirements.txt", synthetic);
		put_path(f, "-r", project, r);
		free(r);
	}
	args_set(v, "requirement_args", &a);
	f = args_open(&a);
	for (size_t i = 0; i < m->n_test_requirement_files; i++)
		put_path(f, "-r", project, m->test_requirement_files[i]);
	if (m->n_test_dependencies)
		put_workfile(f, env, "test-dependencies.txt");
	args_set(v, "test_requirement_args", &a);
}

/* {source_args}: the project's own code; {run_args}: the run goal's arguments. */
static void source_and_run_args(struct bench_vars *v, const struct bench_matrix *m, const char *project)
{
	struct arglist a;
	FILE *f = args_open(&a);
	if (m->sources[0])
		put_path(f, "-D", project, m->sources);
	for (size_t i = 0; i < m->n_packages; i++) {
		char *spec = fmt("%s@%s", m->packages[i], project), *q = bench_shell_quote(spec);
		fprintf(f, " -P %s", q);
		free(q);
		free(spec);
	}
	args_set(v, "source_args", &a);
	f = args_open(&a);
	for (size_t i = 0; i < m->n_run_args; i++) {
		char *q = bench_shell_quote(m->run_args[i]);
		fprintf(f, " %s", q);
		free(q);
	}
	args_set(v, "run_args", &a);
}

/* The pex preset's argument lists: only what the matrix (or the project's files) has. */
static void pex_vars(struct bench_vars *v, const struct bench_matrix *m, const struct bench_env *env,
		     const char *project, const char *synthetic)
{
	resolve_args(v, m, env, project, synthetic);
	requirement_args(v, m, env, project, synthetic);
	source_and_run_args(v, m, project);
}

/* Index of a parameter (the docker preset's strategy, base_image), or -1: the matrix
 * keeps parameters in file order, so the preset looks them up by name. */
static int docker_param(const struct bench_matrix *m, const char *name)
{
	for (size_t i = 0; i < m->n_params; i++)
		if (!strcmp(m->params[i].name, name))
			return (int)i;
	return -1;
}

/* A template variable naming dir/rel. */
static void set_path(struct bench_vars *v, const char *name, const char *dir, const char *rel)
{
	char *p = fmt("%s/%s", dir, rel);

	bench_vars_set(v, name, p, 0);
	free(p);
}

static const char *docker_strategy(const struct bench_matrix *m, const struct bench_config *c)
{
	int k = docker_param(m, "strategy");
	return k < 0 ? "" : c->values[k];
}

/* A Pants strategy without Pants: its image goal fails with the reason. */
#define NO_PANTS                                                                                                 \
	"echo 'perfanity bench: Pants not found (pants = \"{pants}\"): this strategy builds its image "          \
	"with Pants; run make setup (it installs Pants 2.17 into .venv-pants), put pants on PATH, or set pants " \
	"in the matrix' >&2; exit 127"

/* The image goal's commands for a repetition: the strategy's host build (or `pants
 * package`), then `docker build` with the step's options (none for Pants strategies:
 * Pants runs docker). Rendered again at every repetition: the options and the Pants
 * strategies' cache key change with the step. */
static void docker_rep_vars(struct bench_vars *v, const struct bench_matrix *m, const struct bench_config *c)
{
	char err[256], *p, *pants = pf_which(m->pants);
	const char *strategy = docker_strategy(m, c);
	int uses_pants = bench_docker_uses_pants(strategy);
	if (uses_pants && !pants)
		p = bench_render(NO_PANTS, v, err, sizeof(err));
	else
		p = bench_docker_pex_build(strategy, v, err, sizeof(err));
	bench_vars_set(v, "docker_pex", p ? p : "false", 1);
	free(p);
	free(pants);
	p = uses_pants ? strdup("")
		       : bench_render("env DOCKER_BUILDKIT=0 docker build -q {docker_build_args} --label "
				      "perfanity-bench={image} -t {image} {context}",
				      v, err, sizeof(err));
	bench_vars_set(v, "docker_build", p ? p : "false", 1);
	free(p);
}

/* The docker preset's: the build context, the image's name (one per config directory, so
 * concurrent runs do not share it), the Pants strategies' options, the image goal. */
static void docker_vars(struct bench_vars *v, const struct bench_matrix *m, const struct bench_config *c,
			const char *cdir, const char *synthetic)
{
	char *p;
	unsigned h = 2166136261u; /* FNV-1a of the config directory */
	for (const char *s = cdir; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	set_path(v, "context", cdir, "context");
	p = fmt("perfanity-bench:%08x", h);
	bench_vars_set(v, "image", p, 0);
	free(p);
	bench_vars_set(v, "docker_build_args", "", 1);
	bench_vars_set(v, "docker_cache_key", "0", 0);
	/* the synthetic wheels, for Pants: its find-links option appended to (+[...]) */
	char *opt = m->deps > 0 ? fmt("--python-repos-find-links=+['file://%s']", synthetic) : strdup("");
	p = bench_shell_quote(opt);
	bench_vars_set(v, "pants_find_links", m->deps > 0 && p ? p : "", 1);
	free(p);
	free(opt);
	docker_rep_vars(v, m, c);
}

/* Everything a command template may refer to, for one config. */
static void config_vars(struct bench_vars *v, const struct bench_matrix *m, const struct bench_env *env,
			const struct bench_config *c, const char *cdir, const char *synthetic)
{
	char *p;
	char *project = fmt("%s/project", cdir);
	bench_vars_set(v, "target", m->target, 0);
	bench_vars_set(v, "params", c->label, 0);
	bench_vars_set(v, "pex", env->pex ? env->pex : "pex", 0);
	bench_vars_set(v, "python", env->python, 0);
	bench_vars_set(v, "pants", m->pants, 0);
	for (size_t i = 0; i < m->n_params; i++) {
		bench_vars_set(v, m->params[i].name, c->values[i], 0);
		if (!strcmp(m->params[i].name, "python"))
			bench_vars_set(v, "python", c->values[i], 0);
	}
	p = bench_pex_args(m, c);
	bench_vars_set(v, "pex_args", p ? p : "", 1);
	free(p);
	pants_vars(v, m, env, c);
	pex_vars(v, m, env, project, synthetic);
	bench_vars_set(v, "project", project, 0);
	set_path(v, "sources", project, m->sources);
	set_path(v, "tests", project, m->tests);
	set_path(v, "requirements", project, m->requirements);
	set_path(v, "test_requirements", project, m->test_requirements);
	bench_vars_set(v, "wheelhouse", env->wheelhouse, 0);
	bench_vars_set(v, "root", env->root, 0); /* scripts/, the installers preset's tools */
	bench_vars_set(v, "synthetic", synthetic, 0);
	set_path(v, "synthetic_requirements", synthetic, "requirements.txt");
	bench_vars_set(v, "entry_point", m->entry_point, 0);
	set_path(v, "out", cdir, "out");
	set_path(v, "artifact", cdir, "out/bin.pex");
	if (m->preset == BENCH_PRESET_PANTS) {
		p = pants_artifact(project, m->target, c->label);
		bench_vars_set(v, "artifact", p, 0);
		free(p);
	}
	set_path(v, "test_artifact", cdir, "out/test.pex");
	set_path(v, "build_cache", cdir, "build-cache");
	set_path(v, "pex_root", cdir, "pex-root");
	if (m->preset == BENCH_PRESET_DOCKER)
		docker_vars(v, m, c, cdir, synthetic);
	free(project);
}

/* The incremental step's edit: new content every time, valid Python for .py files. */
static int edit_source(const char *project, const char *rel, int n)
{
	char *path = fmt("%s/%s", project, rel);
	char line[128];
	size_t len = strlen(rel);
	if (len > 3 && !strcmp(rel + len - 3, ".py"))
		snprintf(line, sizeof(line), "PERFANITY_EDIT = %d  # perfanity bench incremental edit\n", n);
	else
		snprintf(line, sizeof(line), "# perfanity bench incremental edit %d\n", n);
	int rc = bench_append(path, line);
	if (rc)
		pf_err("cannot edit %s for the incremental step: %s", path, strerror(errno));
	free(path);
	return rc;
}

static json_t *new_cell(const char *step, const char *goal)
{
	json_t *cell = json_object();
	json_object_set_new(cell, "step", json_string(step));
	json_object_set_new(cell, "goal", json_string(goal));
	json_object_set_new(cell, "status", json_string("not run"));
	json_object_set_new(cell, "samples", json_array());
	return cell;
}

/* Where and how a list of commands runs. */
struct cmd_ctx {
	const struct bench_vars *vars;
	const char *cwd;
	char *const *envp; /* added to the inherited environment */
	const char *tmp;   /* their stdout and stderr files go here */
	double timeout;
	const char *tracer;    /* --trace: run each under this perfanity; NULL: not traced */
	const char *trace_dir; /* where the traces go */
	unsigned *trace_seq;   /* numbers them */
};

/* What a list of commands did: times and statuses summed, one record per command, the
 * last one's output tails. */
struct cmd_result {
	struct bench_exec_result sum;
	json_t *records;
	char *stdout_tail, *stderr_tail;
	int harness_error; /* a command could not be rendered or started */
};

static void cmd_result_free(struct cmd_result *r)
{
	json_decref(r->records);
	free(r->stdout_tail);
	free(r->stderr_tail);
	memset(r, 0, sizeof(*r));
}

/* A traced command's record: the command as run, and the trace's category totals. Adds
 * the traced wall to sum. */
static void record_trace(json_t *rec, const char *run, const char *tfile, struct bench_exec_result *sum)
{
	json_t *summary = bench_trace_summary(tfile);
	json_object_set_new(rec, "traced_command", json_string(run));
	if (summary) {
		double traced = json_integer_value(json_object_get(summary, "wall_ns")) / 1e9;
		sum->traced += traced;
		/* the command's own wall as traced: what the cell's time is */
		json_object_set_new(rec, "traced_seconds", json_real(traced));
		json_object_set_new(rec, "trace", summary);
	}
}

/* One command: rendered, run (under the tracer with --trace), recorded and summed into
 * out. Returns its exit code (124 timed out), or -1 on a harness error. */
static int run_command(const struct cmd_ctx *x, const char *tmpl, const char *out_path, const char *err_path,
		       struct cmd_result *out)
{
	char msg[256];
	char *cmd = bench_render(tmpl, x->vars, msg, sizeof(msg)), *tfile = NULL, *run = cmd;
	struct bench_exec_result r;
	if (!cmd) { /* checked at load time; cannot happen */
		pf_err("%s: %s", tmpl, msg);
		return -1;
	}
	if (!cmd[strspn(cmd, " ")]) { /* a step the configuration has not (a Pants image's docker build) */
		free(cmd);
		return 0;
	}
	if (x->tracer) { /* --trace: the same command, under perfanity trace */
		bench_mkdir_p(x->trace_dir);
		tfile = fmt("%s/t%06u.json", x->trace_dir, ++*x->trace_seq);
		run = bench_trace_wrap(x->tracer, tfile, cmd, bench_exec_needs_shell(cmd));
		run = run ? run : cmd;
	}
	int rc = bench_exec(run, x->cwd, x->envp, out_path, err_path, x->timeout, &r) ? -1 : 0;
	if (!rc) {
		json_t *rec = json_object();
		json_object_set_new(rec, "command", json_string(cmd));
		if (tfile)
			record_trace(rec, run, tfile, &out->sum);
		/* the harness's wall around it (under --trace, the tracer's start-up and
		 * tear-down included) */
		json_object_set_new(rec, "seconds", json_real(r.seconds));
		json_object_set_new(rec, "harness_seconds", json_real(r.seconds));
		json_object_set_new(rec, "exit_code", json_integer(r.exit_code));
		if (r.first_line >= 0)
			json_object_set_new(rec, "first_line_seconds", json_real(r.first_line));
		if (r.timed_out)
			json_object_set_new(rec, "timed_out", json_true());
		json_array_append_new(out->records, rec);
		out->sum.first_line = r.first_line; /* the last command's */
		out->sum.seconds += r.seconds;
		out->sum.user += r.user;
		out->sum.sys += r.sys;
		out->sum.interrupted |= r.interrupted;
		out->sum.timed_out |= r.timed_out;
		rc = out->sum.exit_code = r.exit_code ? r.exit_code : r.timed_out ? 124 : 0;
	}
	if (run != cmd)
		free(run);
	free(tfile);
	free(cmd);
	return rc;
}

/* Run a list of templates in order, recording each into out (records: a new array);
 * stop at the first failure. Returns the exit code of the failing command (0 when all
 * passed). */
static int run_commands(const struct cmd_ctx *x, char *const *tmpls, size_t n, struct cmd_result *out)
{
	char *out_path = fmt("%s/.stdout", x->tmp), *err_path = fmt("%s/.stderr", x->tmp);
	int rc = 0;
	memset(out, 0, sizeof(*out));
	out->records = json_array();
	for (size_t i = 0; i < n && !rc && !out->sum.interrupted; i++) {
		rc = run_command(x, tmpls[i], out_path, err_path, out);
		if (rc < 0) {
			out->harness_error = 1;
			rc = 0;
			break;
		}
		free(out->stdout_tail);
		free(out->stderr_tail);
		out->stdout_tail = bench_file_tail(out_path, STDOUT_TAIL);
		out->stderr_tail = bench_file_tail(err_path, STDERR_TAIL);
	}
	free(out_path);
	free(err_path);
	return rc;
}

struct config_run {
	const struct bench_matrix *m;
	const struct bench_env *env;
	const struct bench_config *c;
	struct progress *prog;
	int *edit_counter;
	unsigned *trace_seq;
	char *label;
	char *cdir;
	char *trace_dir; /* --trace: where this config's traces are kept */
	struct bench_vars vars;
};

/* One repetition of a step: its TMPDIR and environment, and its prepare commands. */
struct rep_run {
	const struct bench_step *st;
	size_t step; /* its index */
	int rep, warm;
	char *tmp, *env_root, *env_tmp;
	char *envp[3];
	int prep_failed;
	struct cmd_result prep;
};

static void dry_run_config(struct config_run *cr)
{
	printf("# %s\n", cr->label);
	for (size_t s = 0; s < cr->m->n_steps; s++) {
		const struct bench_step *st = &cr->m->steps[s];
		char err[256];
		for (size_t i = 0; i < st->n_prepare; i++) {
			char *cmd = bench_render(st->prepare[i], &cr->vars, err, sizeof(err));
			printf("%s prepare: %s\n", st->name, cmd ? cmd : err);
			free(cmd);
		}
	}
	for (size_t g = 0; g < cr->m->n_goals; g++) {
		for (size_t i = 0; i < cr->m->goals[g].n_commands; i++) {
			char err[256];
			char *cmd = bench_render(cr->m->goals[g].commands[i], &cr->vars, err, sizeof(err));
			printf("%s: %s\n", cr->m->goals[g].name, cmd ? cmd : err);
			free(cmd);
		}
	}
}

/* The Pants preset's (and the docker preset's Pants strategies') clean step starts
 * without pantsd, and no pantsd outlives its config. */
static void stop_pantsd(const struct bench_matrix *m, const char *project)
{
	if ((m->preset == BENCH_PRESET_PANTS || m->preset == BENCH_PRESET_DOCKER) && pf_pantsd_stop(project, 10))
		pf_err("the pantsd of %s would not stop", project);
}

/* How the commands of a repetition run; traced only for goals, never prepare. */
static struct cmd_ctx rep_commands(struct config_run *cr, struct rep_run *r, int traced)
{
	return (struct cmd_ctx){
		.vars = &cr->vars,
		.cwd = bench_vars_get(&cr->vars, "project"),
		.envp = r->envp,
		.tmp = r->tmp,
		.timeout = cr->m->timeout,
		.tracer = traced ? cr->env->tracer : NULL,
		.trace_dir = cr->trace_dir,
		.trace_seq = cr->trace_seq,
	};
}

/* A repetition starts: a fresh TMPDIR, its variables, the clean step's removals, the
 * incremental step's edit, then the step's prepare commands. */
static void rep_begin(struct config_run *cr, size_t s, int rep, struct rep_run *r)
{
	const struct bench_matrix *m = cr->m;
	const char *project = bench_vars_get(&cr->vars, "project");
	const char *outdir = bench_vars_get(&cr->vars, "out");
	char rep_s[16];
	memset(r, 0, sizeof(*r));
	r->st = &m->steps[s];
	r->step = s;
	r->rep = rep;
	r->warm = rep < m->warmup;
	r->tmp = fmt("%s/tmp/%s-%d", cr->cdir, r->st->name, rep);
	bench_rm_rf(r->tmp);
	bench_mkdir_p(r->tmp);
	snprintf(rep_s, sizeof(rep_s), "%d", rep);
	bench_vars_set(&cr->vars, "tmp", r->tmp, 0);
	bench_vars_set(&cr->vars, "rep", rep_s, 0);
	bench_vars_set(&cr->vars, "step", r->st->name, 0);
	r->envp[0] = r->env_root = fmt("PEX_ROOT=%s", bench_vars_get(&cr->vars, "pex_root"));
	r->envp[1] = r->env_tmp = fmt("TMPDIR=%s", r->tmp);
	if (r->st->kind == BENCH_STEP_CLEAN) {
		stop_pantsd(m, project);
		bench_rm_rf(bench_vars_get(&cr->vars, "build_cache"));
		bench_rm_rf(bench_vars_get(&cr->vars, "pex_root"));
		bench_rm_rf(outdir);
	}
	/* docker's clean: a build that uses no cached layer (the engine's cache is shared);
	 * a Pants strategy's new cache key has the same effect (bench_docker_pants.c) */
	if (m->preset == BENCH_PRESET_DOCKER) {
		int clean = r->st->kind == BENCH_STEP_CLEAN;
		bench_vars_set(&cr->vars, "docker_build_args", clean ? "--no-cache" : "", 1);
		if (clean) {
			char *key = fmt("%.6f-%d", pf_now_s(), rep);
			bench_vars_set(&cr->vars, "docker_cache_key", key, 0);
			free(key);
		}
		docker_rep_vars(&cr->vars, m, cr->c);
	}
	bench_mkdir_p(outdir);
	if (r->st->kind == BENCH_STEP_INCREMENTAL && edit_source(project, m->edit, ++*cr->edit_counter))
		r->prep_failed = 1;
	struct cmd_ctx x = rep_commands(cr, r, 0);
	if (r->prep_failed || !r->st->n_prepare)
		r->prep.records = json_array();
	else
		r->prep_failed = run_commands(&x, r->st->prepare, r->st->n_prepare, &r->prep) != 0;
}

static void rep_end(struct config_run *cr, struct rep_run *r)
{
	cmd_result_free(&r->prep);
	free(r->env_root);
	free(r->env_tmp);
	if (!cr->env->keep)
		bench_rm_rf(r->tmp);
	free(r->tmp);
}

/* The docker image goal's: the image's layers, its size, and the push cost against the
 * previous image this config built (kept as the config's "layers", warm-up included). */
static void record_image(struct config_run *cr, json_t *jconf, const struct rep_run *r, json_t *sample)
{
	char err[256];
	json_t *layers = bench_docker_layers(bench_vars_get(&cr->vars, "image"), err, sizeof(err));
	if (!layers) {
		pf_err("%s: %s", cr->label, err);
		return;
	}
	long long size = bench_docker_image_bytes(layers);
	long long push = bench_docker_push_bytes(layers, json_object_get(jconf, "layers"));
	json_object_set_new(sample, "image_bytes", json_integer(size));
	json_object_set_new(sample, "push_bytes", json_integer(push));
	json_object_set(sample, "layers", layers);
	if (!r->warm) {
		json_object_set_new(jconf, "image_bytes", json_integer(size));
		json_object_set_new(jconf, "push_bytes", json_integer(push));
	}
	json_object_set_new(jconf, "layers", layers);
	/* the Dockerfile as built: the packed strategy's build writes its COPY lines */
	char *df = fmt("%s/Dockerfile", bench_vars_get(&cr->vars, "context"));
	char *text = bench_docker_uses_pants(docker_strategy(cr->m, cr->c)) ? NULL : bench_file_tail(df, 1 << 20);
	if (text)
		json_object_set_new(jconf, "dockerfile", json_string(text));
	free(text);
	free(df);
}

/* What the goal left behind: the artifact it built, the PEX_ROOT it filled (in the
 * sample; in the config too when measured). */
static void record_leftovers(struct config_run *cr, json_t *jconf, const struct rep_run *r, const char *goal,
			     int exit_code, json_t *sample)
{
	const char *artifact = bench_vars_get(&cr->vars, "artifact");
	char hash[17];
	if (!strcmp(goal, "package") && !exit_code && !bench_tree_hash(artifact, hash)) {
		long long bytes = bench_tree_bytes(artifact);
		json_object_set_new(sample, "artifact_hash", json_string(hash));
		json_object_set_new(sample, "artifact_bytes", json_integer(bytes));
		if (!r->warm)
			json_object_set_new(jconf, "artifact_bytes", json_integer(bytes));
	}
	if (!strcmp(goal, "image") && !exit_code && cr->m->preset == BENCH_PRESET_DOCKER)
		record_image(cr, jconf, r, sample);
	if (!strcmp(goal, "run") && !exit_code) {
		long long bytes = bench_tree_bytes(bench_vars_get(&cr->vars, "pex_root"));
		json_object_set_new(sample, "pex_root_bytes", json_integer(bytes < 0 ? 0 : bytes));
		if (!r->warm)
			json_object_set_new(jconf, "pex_root_bytes", json_integer(bytes < 0 ? 0 : bytes));
	}
}

/* The docker preset's start goal is timed to the app's first output line, not to the
 * container's exit (its tear-down and removal are docker's, not the app's start-up); under
 * --trace, to its exit as traced. */
static int to_first_line(const struct config_run *cr, const char *goal)
{
	return cr->m->preset == BENCH_PRESET_DOCKER && !strcmp(goal, "start") && !cr->env->tracer;
}

/* A goal's sample: its times, status and commands (res's records move into it). */
static json_t *new_sample(struct config_run *cr, const struct rep_run *r, struct cmd_result *res, const char *goal)
{
	const struct bench_exec_result *t = &res->sum;
	json_t *sample = json_object();
	if (r->prep_failed)
		json_object_set_new(sample, "prepare_failed", json_true());
	json_object_set_new(sample, "rep", json_integer(r->rep - cr->m->warmup + 1));
	/* under --trace, the time is the commands' own wall as traced: the tracer's start-up
	 * and tear-down are not the command's */
	json_object_set_new(sample, "seconds", json_real(cr->env->tracer ? t->traced : t->seconds));
	if (to_first_line(cr, goal) && t->first_line >= 0) {
		json_object_set_new(sample, "seconds", json_real(t->first_line));
		json_object_set_new(sample, "exit_seconds", json_real(t->seconds));
	}
	if (cr->env->tracer)
		json_object_set_new(sample, "harness_seconds", json_real(t->seconds));
	json_object_set_new(sample, "user", json_real(t->user));
	json_object_set_new(sample, "sys", json_real(t->sys));
	json_object_set_new(sample, "exit_code", json_integer(t->exit_code));
	if (t->timed_out)
		json_object_set_new(sample, "timed_out", json_true());
	json_object_set_new(sample, "commands", res->records);
	res->records = NULL;
	if (r->st->n_prepare)
		json_object_set_new(sample, "prepare", json_deep_copy(r->prep.records));
	return sample;
}

/* One goal of a repetition: its commands (unless prepare failed: then the goal failed
 * too), its sample, the progress line. Returns 0, 1 when a command was interrupted, or
 * -1 on a harness error. */
static int run_goal(struct config_run *cr, json_t *jconf, struct rep_run *r, size_t g)
{
	const struct bench_matrix *m = cr->m;
	const struct bench_goal *goal = &m->goals[g];
	struct cmd_result res = { 0 };
	if (r->prep_failed) {
		res.records = json_array();
		res.sum.exit_code = r->prep.sum.exit_code ? r->prep.sum.exit_code : 1;
		res.stderr_tail = strdup(r->prep.stderr_tail ? r->prep.stderr_tail : "prepare failed");
	} else {
		struct cmd_ctx x = rep_commands(cr, r, 1);
		run_commands(&x, goal->commands, goal->n_commands, &res);
	}
	int rc = res.harness_error ? -1 : res.sum.interrupted ? 1 : 0;
	if (!rc) {
		json_t *sample = new_sample(cr, r, &res, goal->name);
		record_leftovers(cr, jconf, r, goal->name, res.sum.exit_code, sample);
		json_object_set_new(sample, "stdout_tail", json_string(res.stdout_tail ? res.stdout_tail : ""));
		if (res.sum.exit_code)
			json_object_set_new(sample, "stderr_tail", json_string(res.stderr_tail ? res.stderr_tail : ""));
		json_t *cell = json_array_get(json_object_get(jconf, "cells"), r->step * m->n_goals + g);
		if (!r->warm)
			json_array_append_new(json_object_get(cell, "samples"), sample);
		else
			json_decref(sample);
		progress_line(cr->prog, cr->label, r->st->name, r->warm ? r->rep + 1 : r->rep - m->warmup + 1,
			      r->warm ? m->warmup : m->repetitions, r->warm, goal->name,
			      to_first_line(cr, goal->name) && res.sum.first_line >= 0 ? res.sum.first_line
										       : res.sum.seconds,
			      res.sum.exit_code);
	}
	cmd_result_free(&res);
	return rc;
}

/* One repetition of a step, every goal. Returns -1 on a harness error, 1 when
 * interrupted, else 0. */
static int run_rep(struct config_run *cr, json_t *jconf, size_t s, int rep)
{
	struct rep_run r;
	rep_begin(cr, s, rep, &r);
	int rc = r.prep.harness_error ? -1 : 0;
	for (size_t g = 0; g < cr->m->n_goals && !rc && !bench_interrupted; g++)
		rc = run_goal(cr, jconf, &r, g);
	rep_end(cr, &r);
	return rc < 0 ? -1 : bench_interrupted ? 1 : 0;
}

/* One config, every step. Returns -1 on a harness error, 1 when interrupted, else 0. */
static int run_config(struct config_run *cr, json_t *jconf)
{
	const struct bench_matrix *m = cr->m;
	int rc = 0;
	for (size_t s = 0; s < m->n_steps && !rc; s++)
		for (int rep = 0; rep < m->warmup + m->repetitions && !rc; rep++)
			rc = bench_interrupted ? 1 : run_rep(cr, jconf, s, rep);
	return rc;
}

static char *iso_now(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return strdup(buf);
}

/* Requirement strings (dependencies = [...]) as files for pex -r and pip -r: pex takes
 * requirement arguments in one run only, and a file needs no shell quoting. */
static int write_requirement_list(const char *path, char **reqs, size_t n)
{
	FILE *f = n ? fopen(path, "w") : NULL;
	if (n && !f) {
		pf_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n", reqs[i]);
	return f && fclose(f) ? -1 : 0;
}

int bench_uses_wheel_cache(const struct bench_matrix *m)
{
	return BENCH_BUILDS_PEX(m) && !m->no_index && !m->network;
}

static void add_quoted(FILE *f, const char *opt, const char *arg)
{
	char *q = bench_shell_quote(arg);
	fprintf(f, " %s%s%s", opt, opt[0] ? " " : "", q);
	free(q);
}

/* The warm-up: every dependency of the project (and of its tests) built as a wheel into
 * env->wheel_cache, with the user's pip configuration (PIP_* variables included), so
 * measured resolves read a local directory. Not measured. */
static int warm_wheel_cache(const struct bench_matrix *m, const struct bench_env *env, const char *pristine)
{
	bench_rm_rf(env->wheel_cache);
	bench_mkdir_p(env->wheel_cache);
	if (!m->n_requirement_files && !m->n_test_requirement_files && !m->n_dependencies && !m->n_test_dependencies)
		return 0;
	char *cmd = NULL, *err = fmt("%s/warmup.stderr", env->workdir);
	size_t len = 0;
	FILE *f = open_memstream(&cmd, &len);
	char *py = bench_shell_quote(env->python);
	fprintf(f, "%s -m pip wheel -q --disable-pip-version-check", py);
	free(py);
	add_quoted(f, "-w", env->wheel_cache);
	for (size_t i = 0; i < m->n_find_links; i++)
		add_quoted(f, "-f", m->find_links[i]);
	if (m->index_url)
		add_quoted(f, "--index-url", m->index_url);
	for (size_t i = 0; i < m->n_requirement_files; i++)
		add_quoted(f, "-r", m->requirement_files[i]);
	for (size_t i = 0; i < m->n_test_requirement_files; i++)
		add_quoted(f, "-r", m->test_requirement_files[i]);
	char *dep_files[] = { fmt("%s/dependencies.txt", env->workdir), fmt("%s/test-dependencies.txt", env->workdir) };
	if (m->n_dependencies)
		add_quoted(f, "-r", dep_files[0]);
	if (m->n_test_dependencies)
		add_quoted(f, "-r", dep_files[1]);
	free(dep_files[0]);
	free(dep_files[1]);
	fclose(f);
	/* the user's pip configuration: measured commands do not inherit PIP_*, this one does */
	extern char **environ;
	size_t n = 0;
	for (char **e = environ; *e; e++)
		n += !strncmp(*e, "PIP_", 4);
	char **pip_env = calloc(n + 1, sizeof(char *));
	n = 0;
	for (char **e = environ; *e; e++)
		if (!strncmp(*e, "PIP_", 4))
			pip_env[n++] = *e;
	if (!env->quiet)
		fprintf(stderr, "perfanity: bench: warm-up (not measured): building the dependencies' wheels into %s\n",
			env->wheel_cache);
	struct bench_exec_result r;
	int rc = bench_exec(cmd, pristine, pip_env, NULL, err, 1800, &r);
	if (!rc && r.exit_code) {
		char *tail = bench_file_tail(err, 400);
		char *last = strrchr(tail, '\n');
		while (last && last > tail && !last[1]) {
			*last = 0;
			last = strrchr(tail, '\n');
		}
		pf_err("warm-up: pip wheel of the project's dependencies failed (exit %d): %s", r.exit_code,
		       last ? last + 1 : tail);
		free(tail);
		rc = -1;
	}
	free(pip_env);
	free(cmd);
	free(err);
	return rc;
}

/* Synthetic wheels and a pristine project copy whose entry point imports them: made once
 * per run, copied per config. */
static int prepare_fixtures(const struct bench_matrix *m, const struct bench_env *env, const char *synthetic,
			    const char *pristine)
{
	bench_rm_rf(pristine); /* a kept work directory may hold a previous run's (--sweep) */
	bench_rm_rf(synthetic);
	if (bench_copy_tree(m->project, pristine)) {
		pf_err("cannot copy the project %s to %s", m->project, pristine);
		return -1;
	}
	char *dep_files[] = { fmt("%s/dependencies.txt", env->workdir), fmt("%s/test-dependencies.txt", env->workdir) };
	int w = write_requirement_list(dep_files[0], m->dependencies, m->n_dependencies) ||
		write_requirement_list(dep_files[1], m->test_dependencies, m->n_test_dependencies);
	free(dep_files[0]);
	free(dep_files[1]);
	if (w || (bench_uses_wheel_cache(m) && warm_wheel_cache(m, env, pristine)))
		return -1;
	if (!BENCH_BUILDS_PEX(m) && m->deps == 0)
		return 0; /* only the pex preset's commands use the synthetic wheels */
	char *names = m->synthetic_names[0] ? fmt("%s/%s", pristine, m->synthetic_names) : strdup("");
	char *script = fmt("%s/scripts/bench_fixture.py", env->root);
	char *err = fmt("%s/fixture.stderr", env->workdir);
	struct bench_exec_result r;
	char *q_py = bench_shell_quote(env->python), *q_script = bench_shell_quote(script);
	char *q_syn = bench_shell_quote(synthetic), *q_names = bench_shell_quote(names);
	char *argcmd = fmt("%s %s wheels %s --deps %d --dep-size %d%s%s", q_py, q_script, q_syn, m->deps,
			   m->dep_size_kb, names[0] ? " --names-module " : "", names[0] ? q_names : "");
	free(q_py);
	free(q_script);
	free(q_syn);
	free(q_names);
	int rc = bench_exec(argcmd, env->workdir, NULL, NULL, err, 600, &r);
	if (!rc && r.exit_code) {
		char *tail = bench_file_tail(err, 300);
		pf_err("generating synthetic wheels failed (exit %d): %s", r.exit_code, tail);
		free(tail);
		rc = -1;
	}
	free(argcmd);
	free(err);
	free(names);
	free(script);
	return rc;
}

/* The result document before anything ran: what runs, where, and how. */
static json_t *new_result(const struct bench_matrix *m, const struct bench_env *env)
{
	json_t *doc = json_object();
	char *started = iso_now();
	json_object_set_new(doc, "perfanity_json_version", json_integer(PERFANITY_JSON_VERSION));
	json_object_set_new(doc, "kind", json_string("bench"));
	json_object_set_new(doc, "perfanity_version", json_string(PERFANITY_VERSION));
	json_object_set_new(doc, "started_at", json_string(started));
	free(started);
	json_object_set_new(doc, "machine", bench_machine_info(env->python, env->pex));
	json_object_set_new(doc, "matrix", bench_matrix_to_json(m));
	json_t *tools = json_object();
	json_object_set_new(tools, "pex", env->pex ? json_string(env->pex) : json_null());
	json_object_set_new(tools, "python", json_string(env->python));
	json_object_set_new(tools, "wheelhouse", json_string(env->wheelhouse));
	json_object_set_new(tools, "workdir", json_string(env->workdir));
	json_object_set_new(doc, "tools", tools);
	/* What measured commands do not inherit from our environment, so results can be
	 * reproduced (values kept: they explain a difference between two machines). */
	json_t *removed = json_object();
	extern char **environ;
	for (char **e = environ; *e; e++) {
		if (bench_env_inherited(*e))
			continue;
		char *name = strndup(*e, strcspn(*e, "="));
		json_object_set_new(removed, name, json_string(strchr(*e, '=') ? strchr(*e, '=') + 1 : ""));
		free(name);
	}
	json_t *environment = json_object();
	json_object_set_new(environment, "not_inherited", removed);
	json_object_set_new(environment, "set", json_pack("[s,s]", "PEX_ROOT={pex_root}", "TMPDIR={tmp}"));
	json_object_set_new(doc, "environment", environment);
	json_object_set_new(doc, "configs", json_array());
	json_object_set_new(doc, "interrupted", json_false());
	return doc;
}

/* A config's entry in the result: its label, parameters, directory and empty cells. */
static json_t *new_config_result(const struct config_run *cr)
{
	const struct bench_matrix *m = cr->m;
	json_t *jconf = json_object(), *params = json_object(), *cells = json_array();
	json_object_set_new(jconf, "label", json_string(cr->label));
	for (size_t p = 0; p < m->n_params; p++)
		json_object_set_new(params, m->params[p].name, json_string(cr->c->values[p]));
	json_object_set_new(jconf, "params", params);
	json_object_set_new(jconf, "workdir", json_string(cr->cdir));
	for (size_t s = 0; s < m->n_steps; s++)
		for (size_t g = 0; g < m->n_goals; g++)
			json_array_append_new(cells, new_cell(m->steps[s].name, m->goals[g].name));
	json_object_set_new(jconf, "cells", cells);
	return jconf;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = text ? fopen(path, "w") : NULL;
	int rc = !f || fputs(text, f) < 0;
	if (f && fclose(f))
		rc = 1;
	if (rc)
		pf_err("cannot write %s", path);
	return rc;
}

/* A Pants strategy's build root is the project copy: its targets in BUILD.perfanity
 * (kept in the result as "pants_build"), a pants.toml unless it has one, and the
 * synthetic wheels' requirements where a BUILD file can name them. */
static int pants_project(struct config_run *cr, json_t *jconf, const char *base)
{
	const char *project = bench_vars_get(&cr->vars, "project");
	char *toml = fmt("%s/pants.toml", project), *build_path = fmt("%s/BUILD.perfanity", project);
	char *syn_src = fmt("%s/requirements.txt", bench_vars_get(&cr->vars, "synthetic"));
	char *syn_dst = fmt("%s/perfanity-synthetic.txt", project), *syn_text = NULL;
	struct bench_docker_pants p = { .base = base,
					.image = bench_vars_get(&cr->vars, "image"),
					.entry_point = cr->m->entry_point,
					.synthetic = cr->m->deps > 0 ? "perfanity-synthetic.txt" : NULL };
	char *build = bench_docker_pants_build(docker_strategy(cr->m, cr->c), &p);
	int rc = (!bench_is_file(toml) && write_text(toml, bench_docker_pants_toml)) || write_text(build_path, build);
	if (!rc && p.synthetic)
		rc = !(syn_text = bench_file_tail(syn_src, 1 << 20)) || write_text(syn_dst, syn_text);
	if (!rc)
		json_object_set_new(jconf, "pants_build", json_string(build));
	free(toml);
	free(build_path);
	free(syn_src);
	free(syn_dst);
	free(syn_text);
	free(build);
	return rc;
}

/* The docker preset's build context: the strategy's Dockerfile (also in the result). */
static int docker_context(struct config_run *cr, json_t *jconf)
{
	const struct bench_matrix *m = cr->m;
	if (m->preset != BENCH_PRESET_DOCKER)
		return 0;
	int b = docker_param(m, "base_image");
	const char *base = b >= 0 ? cr->c->values[b] : getenv("PERFANITY_DOCKER_BASE");
	base = base && base[0] ? base : "perfanity-base:latest";
	char *text = bench_docker_file(docker_strategy(m, cr->c), base);
	const char *ctx = bench_vars_get(&cr->vars, "context");
	char *path = fmt("%s/Dockerfile", ctx);
	bench_mkdir_p(ctx);
	int rc = write_text(path, text);
	if (!rc)
		json_object_set_new(jconf, "dockerfile", json_string(text));
	if (!rc && bench_docker_uses_pants(docker_strategy(m, cr->c)))
		rc = pants_project(cr, jconf, base);
	free(text);
	free(path);
	return rc;
}

/* No bench image outlives its config (unless --keep): the tagged one and those its
 * rebuilds left untagged, found by the label the image goal gives them. */
static void docker_remove_image(struct config_run *cr)
{
	struct bench_exec_result r;
	if (cr->m->preset != BENCH_PRESET_DOCKER || cr->env->keep)
		return;
	char *q = bench_shell_quote(bench_vars_get(&cr->vars, "image"));
	char *cmd = fmt("docker images -q --filter label=perfanity-bench=%s | sort -u | xargs -r docker rmi -f", q);
	bench_exec(cmd, cr->cdir, NULL, "/dev/null", "/dev/null", 60, &r);
	free(cmd);
	free(q);
}

/* Config i (numbered from 1 in its directory's name): its own copy of the pristine
 * project, every step; with --dry-run, its commands printed. Returns as run_config. */
static int bench_config(struct config_run *cr, size_t i, const char *synthetic, const char *pristine, json_t *jconfigs)
{
	const struct bench_matrix *m = cr->m;
	const struct bench_config *c = cr->c;
	int rc = 0;
	cr->label =
		fmt("%s%s%s%s%s", m->target, c->label[0] ? "@" : "", c->label, c->options[0] ? " " : "", c->options);
	cr->cdir = fmt("%s/c%02zu", cr->env->workdir, i + 1);
	cr->trace_dir = fmt("%s/traces/c%02zu", cr->env->workdir, i + 1);
	config_vars(&cr->vars, m, cr->env, c, cr->cdir, synthetic);
	json_t *jconf = new_config_result(cr);
	json_array_append_new(jconfigs, jconf);
	if (cr->env->dry_run) {
		dry_run_config(cr);
	} else {
		char *proj = fmt("%s/project", cr->cdir);
		bench_rm_rf(cr->cdir);
		bench_mkdir_p(cr->cdir);
		if (bench_copy_tree(pristine, proj)) {
			pf_err("cannot copy the project into %s", cr->cdir);
			rc = -1;
		} else {
			rc = docker_context(cr, jconf) ? -1 : run_config(cr, jconf);
			stop_pantsd(m, proj);
			docker_remove_image(cr);
		}
		free(proj);
		if (!cr->env->keep)
			bench_rm_rf(cr->cdir);
	}
	bench_vars_free(&cr->vars);
	free(cr->label);
	free(cr->cdir);
	free(cr->trace_dir);
	return rc;
}

json_t *bench_run(const struct bench_matrix *m, const struct bench_env *env)
{
	struct bench_config *configs;
	size_t n = bench_matrix_configs(m, &configs);
	if (!n) {
		pf_err("%s: the excludes leave no configuration to run", m->source);
		free(configs);
		return NULL;
	}
	json_t *doc = new_result(m, env);
	char *synthetic = fmt("%s/synthetic", env->workdir);
	char *pristine = fmt("%s/project", env->workdir);
	double t0 = pf_now_s();
	struct progress prog = {
		.total = n * m->n_steps * (size_t)(m->warmup + m->repetitions) * m->n_goals,
		.tty = isatty(2),
		.quiet = env->quiet,
	};
	int fixtures_failed = !env->dry_run && prepare_fixtures(m, env, synthetic, pristine);
	int edit_counter = 0, rc = fixtures_failed ? -1 : 0;
	unsigned trace_seq = 0;
	prog.started = pf_now_s();
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct config_run cr = { .m = m,
					 .env = env,
					 .c = &configs[i],
					 .prog = &prog,
					 .edit_counter = &edit_counter,
					 .trace_seq = env->trace_seq ? env->trace_seq : &trace_seq };
		rc = bench_config(&cr, i, synthetic, pristine, json_object_get(doc, "configs"));
	}
	if (!fixtures_failed && prog.tty && !env->quiet && !env->dry_run) /* ends the progress line */
		fputc('\n', stderr);
	if (rc < 0) {
		json_decref(doc);
		doc = NULL;
	} else {
		json_object_set_new(doc, "interrupted", json_boolean(rc == 1 || bench_interrupted));
		json_object_set_new(doc, "wall_seconds", json_real(pf_now_s() - t0));
		bench_finalize_cells(doc);
	}
	if (!env->keep) {
		bench_rm_rf(synthetic);
		bench_rm_rf(pristine);
	}
	free(synthetic);
	free(pristine);
	bench_configs_free(configs, n);
	return doc;
}

void bench_finalize_cells(json_t *doc)
{
	size_t i, k, s;
	json_t *config, *cell, *sample;
	json_array_foreach(json_object_get(doc, "configs"), i, config) {
		json_array_foreach(json_object_get(config, "cells"), k, cell) {
			json_t *samples = json_object_get(cell, "samples");
			size_t n = json_array_size(samples), ok = 0;
			double *x = calloc(n + 1, sizeof(double)), *cpu = calloc(n + 1, sizeof(double));
			json_t *failed = NULL;
			json_array_foreach(samples, s, sample) {
				if (json_integer_value(json_object_get(sample, "exit_code")) == 0) {
					cpu[ok] = json_number_value(json_object_get(sample, "user")) +
						  json_number_value(json_object_get(sample, "sys"));
					x[ok++] = json_number_value(json_object_get(sample, "seconds"));
				} else if (!failed) {
					failed = sample;
				}
			}
			const char *status = !n ? "not run" : failed ? "failed" : "ok";
			json_object_set_new(cell, "status", json_string(status));
			json_object_set_new(cell, "n", json_integer(ok));
			if (ok) {
				struct bench_stats st;
				bench_stats_compute(x, ok, &st);
				json_object_set_new(cell, "median", json_real(st.median));
				/* user+sys of the commands' processes: moves far less with other load */
				struct bench_stats cs;
				bench_stats_compute(cpu, ok, &cs);
				json_object_set_new(cell, "cpu_median", json_real(cs.median));
				json_object_set_new(cell, "mean", json_real(st.mean));
				json_object_set_new(cell, "stddev", json_real(st.stddev));
				json_object_set_new(cell, "min", json_real(st.min));
				json_object_set_new(cell, "max", json_real(st.max));
				json_object_set_new(cell, "outliers", json_integer(st.outliers));
				char buf[128];
				const char *w = bench_stats_warning(&st, buf, sizeof(buf));
				json_object_set_new(cell, "warning", w ? json_string(w) : json_null());
			}
			if (failed) {
				json_object_set_new(cell, "exit_code",
						    json_incref(json_object_get(failed, "exit_code")));
				if (json_is_true(json_object_get(failed, "timed_out")))
					json_object_set_new(cell, "timed_out", json_true());
				json_t *tail = json_object_get(failed, "stderr_tail");
				json_object_set_new(cell, "stderr_tail", tail ? json_incref(tail) : json_string(""));
			}
			free(x);
			free(cpu);
		}
	}
}
