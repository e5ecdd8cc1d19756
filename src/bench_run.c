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
#include "pants.h"
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

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

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

static void progress_line(struct progress *p, const char *label, const char *step, int rep,
			  int reps, int warm, const char *goal, double secs, int exit_code)
{
	p->done++;
	if (p->quiet)
		return;
	double elapsed = now() - p->started;
	double eta = p->done ? elapsed / p->done * (p->total - p->done) : 0;
	char status[32];
	if (exit_code)
		snprintf(status, sizeof(status), "FAILED (exit %d)", exit_code);
	else
		snprintf(status, sizeof(status), "%.2fs", secs);
	fprintf(stderr, "%s[%zu/%zu] %s %s %s%d/%d %s %s  ETA %dm%02ds%s",
		p->tty ? "\r\033[K" : "", p->done, p->total, label, step, warm ? "warmup " : "",
		rep, reps, goal, status, (int)eta / 60, (int)eta % 60, p->tty ? "" : "\n");
	fflush(stderr);
}

/* The Pants preset's: --pantsd / --no-pantsd from the "pantsd" parameter, and the
 * machine's offline settings (scripts/setup.d/60-pants.sh) when set-up wrote them. */
static void pants_vars(struct bench_vars *v, const struct bench_matrix *m,
		       const struct bench_env *env, const struct bench_config *c)
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

/* Everything a command template may refer to, for one config. */
static void config_vars(struct bench_vars *v, const struct bench_matrix *m,
			const struct bench_env *env, const struct bench_config *c,
			const char *cdir, const char *synthetic)
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
#define SETP(name, rel) do { p = fmt("%s/%s", project, rel); bench_vars_set(v, name, p, 0); free(p); } while (0)
	SETP("sources", m->sources);
	SETP("tests", m->tests);
	SETP("requirements", m->requirements);
	SETP("test_requirements", m->test_requirements);
#undef SETP
	bench_vars_set(v, "wheelhouse", env->wheelhouse, 0);
	bench_vars_set(v, "synthetic", synthetic, 0);
	p = fmt("%s/requirements.txt", synthetic);
	bench_vars_set(v, "synthetic_requirements", p, 0);
	free(p);
	bench_vars_set(v, "entry_point", m->entry_point, 0);
#define SETD(name, rel) do { p = fmt("%s/%s", cdir, rel); bench_vars_set(v, name, p, 0); free(p); } while (0)
	SETD("out", "out");
	SETD("artifact", "out/bin.pex");
	if (m->preset == BENCH_PRESET_PANTS) {
		p = pants_artifact(project, m->target, c->label);
		bench_vars_set(v, "artifact", p, 0);
		free(p);
	}
	SETD("test_artifact", "out/test.pex");
	SETD("build_cache", "build-cache");
	SETD("pex_root", "pex-root");
#undef SETD
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

/* Run a list of templates in order, recording each; stop at the first failure.
 * Returns the exit code of the failing command (0 when all passed); *secs etc. summed. */
static int run_commands(char *const *tmpls, size_t n, const struct bench_vars *vars,
			const char *cwd, char *const *envp, const char *tmp, double timeout,
			json_t *records, struct bench_exec_result *sum, char **stdout_tail,
			char **stderr_tail, int *harness_error, const char *tracer, const char *trace_dir)
{
	static int trace_seq;
	memset(sum, 0, sizeof(*sum));
	char *out = fmt("%s/.stdout", tmp), *err = fmt("%s/.stderr", tmp);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		char msg[256];
		char *cmd = bench_render(tmpls[i], vars, msg, sizeof(msg));
		if (!cmd) { /* checked at load time; cannot happen */
			pf_err("%s: %s", tmpls[i], msg);
			*harness_error = 1;
			break;
		}
		struct bench_exec_result r;
		char *tfile = NULL, *run = cmd;
		if (tracer) { /* --trace: the same command, under perfanity trace */
			bench_mkdir_p(trace_dir);
			tfile = fmt("%s/t%06d.json", trace_dir, ++trace_seq);
			run = bench_trace_wrap(tracer, tfile, cmd, bench_exec_needs_shell(cmd));
			if (!run)
				run = cmd;
		}
		if (bench_exec(run, cwd, envp, out, err, timeout, &r)) {
			*harness_error = 1;
			if (run != cmd)
				free(run);
			free(tfile);
			free(cmd);
			break;
		}
		json_t *rec = json_object();
		json_object_set_new(rec, "command", json_string(cmd));
		if (tfile) {
			json_t *summary = bench_trace_summary(tfile);
			json_object_set_new(rec, "traced_command", json_string(run));
			if (summary) {
				double traced = json_integer_value(json_object_get(summary, "wall_ns")) / 1e9;

				sum->traced += traced;
				/* the command's own wall as traced: what the cell's time is */
				json_object_set_new(rec, "traced_seconds", json_real(traced));
				json_object_set_new(rec, "trace", summary);
			}
			free(tfile);
		}
		if (run != cmd)
			free(run);
		/* the harness's wall around it (under --trace, the tracer's start-up
		 * and tear-down included) */
		json_object_set_new(rec, "seconds", json_real(r.seconds));
		json_object_set_new(rec, "harness_seconds", json_real(r.seconds));
		json_object_set_new(rec, "exit_code", json_integer(r.exit_code));
		if (r.timed_out)
			json_object_set_new(rec, "timed_out", json_true());
		json_array_append_new(records, rec);
		sum->seconds += r.seconds;
		sum->user += r.user;
		sum->sys += r.sys;
		sum->interrupted |= r.interrupted;
		sum->timed_out |= r.timed_out;
		rc = r.exit_code ? r.exit_code : r.timed_out ? 124 : 0;
		sum->exit_code = rc;
		free(*stdout_tail);
		free(*stderr_tail);
		*stdout_tail = bench_file_tail(out, STDOUT_TAIL);
		*stderr_tail = bench_file_tail(err, STDERR_TAIL);
		free(cmd);
		if (r.interrupted)
			break;
	}
	free(out);
	free(err);
	return rc;
}

struct config_run {
	const struct bench_matrix *m;
	const struct bench_env *env;
	const struct bench_config *c;
	struct progress *prog;
	int *edit_counter;
	char *label;
	char *cdir;
	char *trace_dir;          /* --trace: where this config's traces are kept */
	struct bench_vars vars;
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

/* The Pants preset's clean step starts without pantsd, and no pantsd outlives its config. */
static void stop_pantsd(const struct bench_matrix *m, const char *project)
{
	if (m->preset == BENCH_PRESET_PANTS && pf_pantsd_stop(project, 10))
		pf_err("the pantsd of %s would not stop", project);
}

/* One config, every step. Returns -1 on a harness error, 1 when interrupted, else 0. */
static int run_config(struct config_run *cr, json_t *jconf)
{
	const struct bench_matrix *m = cr->m;
	json_t *cells = json_object_get(jconf, "cells");
	const char *project = bench_vars_get(&cr->vars, "project");
	const char *build_cache = bench_vars_get(&cr->vars, "build_cache");
	const char *pex_root = bench_vars_get(&cr->vars, "pex_root");
	const char *outdir = bench_vars_get(&cr->vars, "out");
	const char *artifact = bench_vars_get(&cr->vars, "artifact");
	int reps_total = m->warmup + m->repetitions;
	for (size_t s = 0; s < m->n_steps; s++) {
		const struct bench_step *st = &m->steps[s];
		for (int rep = 0; rep < reps_total; rep++) {
			int warm = rep < m->warmup;
			if (bench_interrupted)
				return 1;
			/* A fresh temporary directory per repetition (TMPDIR of every command). */
			char *tmp = fmt("%s/tmp/%s-%d", cr->cdir, st->name, rep);
			bench_rm_rf(tmp);
			bench_mkdir_p(tmp);
			bench_vars_set(&cr->vars, "tmp", tmp, 0);
			char rep_s[16];
			snprintf(rep_s, sizeof(rep_s), "%d", rep);
			bench_vars_set(&cr->vars, "rep", rep_s, 0);
			bench_vars_set(&cr->vars, "step", st->name, 0);
			char *env_root = fmt("PEX_ROOT=%s", pex_root), *env_tmp = fmt("TMPDIR=%s", tmp);
			char *envp[] = { env_root, env_tmp, NULL };
			if (st->kind == BENCH_STEP_CLEAN) {
				stop_pantsd(m, project);
				bench_rm_rf(build_cache);
				bench_rm_rf(pex_root);
				bench_rm_rf(outdir);
			}
			bench_mkdir_p(outdir);
			int prep_failed = 0;
			if (st->kind == BENCH_STEP_INCREMENTAL && edit_source(project, m->edit, ++*cr->edit_counter))
				prep_failed = 1;
			char *so = NULL, *se = NULL;
			json_t *prep_records = json_array();
			struct bench_exec_result pr = { 0 };
			int harness = 0;
			if (!prep_failed && st->n_prepare)
				prep_failed = run_commands(st->prepare, st->n_prepare, &cr->vars, project, envp,
							   tmp, m->timeout, prep_records, &pr, &so, &se, &harness,
							   NULL, NULL) != 0;
			if (harness) {
				free(tmp); free(env_root); free(env_tmp); free(so); free(se);
				json_decref(prep_records);
				return -1;
			}
			for (size_t g = 0; g < m->n_goals && !bench_interrupted; g++) {
				const struct bench_goal *goal = &m->goals[g];
				json_t *sample = json_object();
				json_t *records = json_array();
				struct bench_exec_result r = { 0 };
				char *gso = NULL, *gse = NULL;
				if (prep_failed) {
					r.exit_code = pr.exit_code ? pr.exit_code : 1;
					gse = strdup(se ? se : "prepare failed");
					json_object_set_new(sample, "prepare_failed", json_true());
				} else {
					run_commands(goal->commands, goal->n_commands, &cr->vars, project, envp,
						     tmp, m->timeout, records, &r, &gso, &gse, &harness,
						     cr->env->tracer, cr->trace_dir);
				}
				if (harness || r.interrupted) {
					json_decref(sample); json_decref(records); free(gso); free(gse);
					break;
				}
				json_object_set_new(sample, "rep", json_integer(rep - m->warmup + 1));
				/* under --trace, the time is the commands' own wall as traced:
				 * the tracer's start-up and tear-down are not the command's */
				json_object_set_new(sample, "seconds", json_real(cr->env->tracer ? r.traced : r.seconds));
				if (cr->env->tracer)
					json_object_set_new(sample, "harness_seconds", json_real(r.seconds));
				json_object_set_new(sample, "user", json_real(r.user));
				json_object_set_new(sample, "sys", json_real(r.sys));
				json_object_set_new(sample, "exit_code", json_integer(r.exit_code));
				if (r.timed_out)
					json_object_set_new(sample, "timed_out", json_true());
				json_object_set_new(sample, "commands", records);
				if (st->n_prepare)
					json_object_set_new(sample, "prepare", json_deep_copy(prep_records));
				/* What the goal left behind: the artifact it built, the PEX_ROOT it filled. */
				if (!strcmp(goal->name, "package")) {
					char hash[17];
					if (!r.exit_code && !bench_tree_hash(artifact, hash)) {
						long long bytes = bench_tree_bytes(artifact);
						json_object_set_new(sample, "artifact_hash", json_string(hash));
						json_object_set_new(sample, "artifact_bytes", json_integer(bytes));
						if (!warm)
							json_object_set_new(jconf, "artifact_bytes", json_integer(bytes));
					}
				}
				if (!strcmp(goal->name, "run") && !r.exit_code) {
					long long bytes = bench_tree_bytes(pex_root);
					json_object_set_new(sample, "pex_root_bytes", json_integer(bytes < 0 ? 0 : bytes));
					if (!warm)
						json_object_set_new(jconf, "pex_root_bytes", json_integer(bytes < 0 ? 0 : bytes));
				}
				json_object_set_new(sample, "stdout_tail", json_string(gso ? gso : ""));
				if (r.exit_code)
					json_object_set_new(sample, "stderr_tail", json_string(gse ? gse : ""));
				if (!warm)
					json_array_append_new(json_object_get(json_array_get(cells, s * m->n_goals + g), "samples"), sample);
				else
					json_decref(sample);
				progress_line(cr->prog, cr->label, st->name, warm ? rep + 1 : rep - m->warmup + 1,
					      warm ? m->warmup : m->repetitions, warm, goal->name, r.seconds, r.exit_code);
				free(gso);
				free(gse);
			}
			json_decref(prep_records);
			free(so);
			free(se);
			free(env_root);
			free(env_tmp);
			if (!cr->env->keep)
				bench_rm_rf(tmp);
			free(tmp);
			if (harness)
				return -1;
			if (bench_interrupted)
				return 1;
		}
	}
	return 0;
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
	return m->preset == BENCH_PRESET_PEX && !m->no_index && !m->network;
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
static int prepare_fixtures(const struct bench_matrix *m, const struct bench_env *env,
			    const char *synthetic, const char *pristine)
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
	if (m->preset != BENCH_PRESET_PEX && m->deps == 0)
		return 0; /* only the pex preset's commands use the synthetic wheels */
	char *names = m->synthetic_names[0] ? fmt("%s/%s", pristine, m->synthetic_names) : strdup("");
	char *script = fmt("%s/scripts/bench_fixture.py", env->root);
	char *err = fmt("%s/fixture.stderr", env->workdir);
	struct bench_exec_result r;
	char *q_py = bench_shell_quote(env->python), *q_script = bench_shell_quote(script);
	char *q_syn = bench_shell_quote(synthetic), *q_names = bench_shell_quote(names);
	char *argcmd = fmt("%s %s wheels %s --deps %d --dep-size %d%s%s", q_py, q_script, q_syn,
			   m->deps, m->dep_size_kb, names[0] ? " --names-module " : "", names[0] ? q_names : "");
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

json_t *bench_run(const struct bench_matrix *m, const struct bench_env *env)
{
	struct bench_config *configs;
	size_t n = bench_matrix_configs(m, &configs);
	if (!n) {
		pf_err("%s: the excludes leave no configuration to run", m->source);
		free(configs);
		return NULL;
	}
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
	json_t *jconfigs = json_array();
	json_object_set_new(doc, "configs", jconfigs);
	json_object_set_new(doc, "interrupted", json_false());

	char *synthetic = fmt("%s/synthetic", env->workdir);
	char *pristine = fmt("%s/project", env->workdir);
	double t0 = now();
	if (!env->dry_run && prepare_fixtures(m, env, synthetic, pristine)) {
		json_decref(doc);
		doc = NULL;
		goto out;
	}
	struct progress prog = {
		.total = n * m->n_steps * (size_t)(m->warmup + m->repetitions) * m->n_goals,
		.started = now(), .tty = isatty(2), .quiet = env->quiet,
	};
	int edit_counter = 0, rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct config_run cr = { .m = m, .env = env, .c = &configs[i], .prog = &prog,
					 .edit_counter = &edit_counter };
		cr.label = fmt("%s%s%s%s%s", m->target, configs[i].label[0] ? "@" : "", configs[i].label,
			       configs[i].options[0] ? " " : "", configs[i].options);
		cr.cdir = fmt("%s/c%02zu", env->workdir, i + 1);
		cr.trace_dir = fmt("%s/traces/c%02zu", env->workdir, i + 1);
		config_vars(&cr.vars, m, env, &configs[i], cr.cdir, synthetic);
		json_t *jconf = json_object();
		json_object_set_new(jconf, "label", json_string(cr.label));
		json_t *params = json_object();
		for (size_t p = 0; p < m->n_params; p++)
			json_object_set_new(params, m->params[p].name, json_string(configs[i].values[p]));
		json_object_set_new(jconf, "params", params);
		json_object_set_new(jconf, "workdir", json_string(cr.cdir));
		json_t *cells = json_array();
		for (size_t s = 0; s < m->n_steps; s++)
			for (size_t g = 0; g < m->n_goals; g++)
				json_array_append_new(cells, new_cell(m->steps[s].name, m->goals[g].name));
		json_object_set_new(jconf, "cells", cells);
		json_array_append_new(jconfigs, jconf);
		if (env->dry_run) {
			dry_run_config(&cr);
		} else {
			char *proj = fmt("%s/project", cr.cdir);
			bench_rm_rf(cr.cdir);
			bench_mkdir_p(cr.cdir);
			if (bench_copy_tree(pristine, proj)) {
				pf_err("cannot copy the project into %s", cr.cdir);
				rc = -1;
			} else {
				rc = run_config(&cr, jconf);
				stop_pantsd(m, proj);
			}
			free(proj);
			if (!env->keep)
				bench_rm_rf(cr.cdir);
		}
		bench_vars_free(&cr.vars);
		free(cr.label);
		free(cr.cdir);
		free(cr.trace_dir);
	}
	if (prog.tty && !env->quiet && !env->dry_run)
		fputc('\n', stderr);
	if (rc < 0) {
		json_decref(doc);
		doc = NULL;
		goto out;
	}
	json_object_set_new(doc, "interrupted", json_boolean(rc == 1 || bench_interrupted));
	json_object_set_new(doc, "wall_seconds", json_real(now() - t0));
	bench_finalize_cells(doc);
out:
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
				json_object_set_new(cell, "exit_code", json_incref(json_object_get(failed, "exit_code")));
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
