// SPDX-License-Identifier: GPL-2.0-only
/* perfanity recommend: read bench results, rank the configurations on what the user
 * values, say who wins by how much and why, and print the winner as pex options,
 * pex_binary fields and a Pants macro. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "perfanity.h"
#include "pf_json.h"
#include "bench_exec.h"
#include "bench_fs.h"
#include "bench_table.h"
#include "pf_paths.h"
#include "pf_cli.h"
#include "recommend.h"

#define DEFAULT_PREFER "package,run,test"
#define MAX_RESULTS 16

enum { OPT_CHECK = PF_OPT_LONG, OPT_PEX };

static const struct pf_opt recommend_opts[] = {
	{ "prefer", 'p', required_argument, "LIST", "what you value: PRIORITY[:WEIGHT],... (default " DEFAULT_PREFER ")" },
	{ "out", 'o', required_argument, "DIR", "write the macros there: pex.sh, BUILD.pex_binary, recommended_pex.py" },
	{ "check", OPT_CHECK, no_argument, NULL, "build the recommended pex line once, in a temporary directory" },
	{ "pex", OPT_PEX, required_argument, "PATH", "pex for --check (default: pex on PATH)" },
	{ "help", 'h', no_argument, NULL, "this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: perfanity recommend [OPTIONS] RESULT.json [RESULT.json...]\n"
"\n"
"Decide from bench results (perfanity bench --json) which configuration to use for what\n"
"you value: ranks the configurations, says which wins and by how much against the\n"
"runner-up and against pex's defaults (execution_mode zipapp, layout zipapp), and why\n"
"(from --explain data). A difference within the cells' spread (their min-max ranges\n"
"overlap) is a tie, not a win. Prints the winner as pex options, pex_binary(...) fields\n"
"and a Pants macro. With several results (machines), says where the best choice differs\n"
"and which choice is best in the worst case.\n"
"\n");
	pf_cli_options_help(f, recommend_opts);
	fprintf(f, "\n"
"Priorities:\n"
"  package, run, test  that goal's median seconds, summed over the steps benched\n"
"  STEP.GOAL           one cell, e.g. noop.run or clean.package\n"
"  artifact_size       the built artifact's bytes (artifact)\n"
"  pex_root_size       PEX_ROOT's bytes after running (pex_root)\n"
"  image_size          Docker image bytes (image; needs Docker results)\n"
"  push_bytes          bytes pushed to a registry (push; needs Docker results)\n"
"  network_bytes       bytes an installer downloaded (network; needs installer results)\n"
"\n"
"Weights make priorities in different units comparable: each is divided by its best\n"
"value, so 'run:2,artifact_size' weighs being 10%% slower to run twice as much as being\n"
"10%% larger.\n"
"\n"
"Examples:\n"
"  perfanity recommend r.json                         the best for package, run and test\n"
"  perfanity recommend r.json --prefer noop.run       the fastest start after a rebuild\n"
"  perfanity recommend linux.json wsl.json --prefer package\n"
"\n"
"Exit status: 0 a recommendation, 1 --check failed, 2 bad input.\n");
}

struct result {
	const char *path;
	char name[64]; /* file name without directory and extension, for tables */
	json_t *doc;
};

/* Anything but a bench result with at least one measured cell is refused in one line. */
static int load_result(const char *path, struct result *r)
{
	r->path = path;
	r->doc = pf_json_read(path);
	if (!r->doc)
		return -1;
	const char *kind = pf_json_str(r->doc, "kind", "");
	if (strcmp(kind, "bench")) {
		pf_err("%s: not a bench result (kind '%s'; expected a perfanity bench --json file without --sweep)",
		       path, kind[0] ? kind : "none");
		return -1;
	}
	size_t i, k, ok = 0;
	json_t *config, *cell;
	json_array_foreach(json_object_get(r->doc, "configs"), i, config)
		json_array_foreach(json_object_get(config, "cells"), k, cell)
			ok += !strcmp(pf_json_str(cell, "status", ""), "ok");
	if (!ok) {
		pf_err("%s: no measured cells (an empty bench result)", path);
		return -1;
	}
	char *copy = strdup(path);
	snprintf(r->name, sizeof(r->name), "%s", basename(copy));
	r->name[strcspn(r->name, ".")] = 0;
	free(copy);
	return 0;
}

static void describe_priority(const struct rec_priority *p, char *buf, size_t len)
{
	if (p->kind == REC_SIZE)
		snprintf(buf, len, "%s", p->what);
	else if (p->step[0])
		snprintf(buf, len, "%s/%s", p->step, p->goal);
	else
		snprintf(buf, len, "%s (every step)", p->goal);
}

static void format_value(const struct rec_priority *p, const struct rec_value *v, int range,
			 char *buf, size_t len)
{
	if (p->kind == REC_SIZE) {
		bench_human_bytes((long long)v->value, buf, len);
		return;
	}
	if (range && v->hi > v->lo)
		snprintf(buf, len, "%.2f s (%.2f-%.2f)", v->value, v->lo, v->hi);
	else
		snprintf(buf, len, "%.2f s", v->value);
}

/* Keep the priorities every result can score, and say in one line each what is left out
 * and why: on stdout when others remain, else as the error. Returns how many remain. */
static size_t usable_priorities(struct result *res, size_t nres, struct rec_priority *p, size_t np)
{
	size_t kept = 0, len = 0;
	char *notes = NULL;
	FILE *f = open_memstream(&notes, &len);
	for (size_t k = 0; k < np; k++) {
		int all = 1;
		for (size_t r = 0; r < nres && all; r++) {
			if (rec_result_has(res[r].doc, &p[k]))
				continue;
			all = 0;
			char what[96];
			describe_priority(&p[k], what, sizeof(what));
			fprintf(f, "%s%s: %s in %s", ftell(f) ? "\n" : "", what,
				p[k].kind == REC_SIZE ? p[k].missing : "not benched", res[r].path);
		}
		if (all)
			p[kept++] = p[k];
	}
	fclose(f);
	if (kept && len)
		printf("%s\n", notes);
	else if (!kept) {
		char *one = calloc(2 * len + 1, 1), *o = one; /* one line, whatever was asked */
		for (char *c = notes; *c; c++)
			o = *c == '\n' ? stpcpy(o, "; ") : (*o = *c, o + 1);
		pf_err("%s", one);
		free(one);
	}
	free(notes);
	return kept;
}

static void print_ranking(struct result *r, const struct rec_priority *p, size_t np,
			  const struct rec_entry *e, size_t n)
{
	char buf[96];
	printf("%s: %zu configuration(s) ranked; score = weighted value / best value (1.00 = best)\n",
	       r->path, n);
	for (size_t i = 0; i < n; i++) {
		printf("  %2zu. %-50s %5.2f ", i + 1, e[i].label, e[i].score);
		for (size_t k = 0; k < np; k++) {
			format_value(&p[k], &e[i].v[k], 1, buf, sizeof(buf));
			printf(" %s %s%s", p[k].kind == REC_SIZE ? p[k].key : p[k].goal, buf, k + 1 < np ? "," : "");
		}
		putchar('\n');
	}
}

/* "2.10x faster: run 0.95 s vs 2.00 s" or "tie: ... within noise". */
static void print_versus(const char *role, const struct rec_priority *p, size_t np,
			 const struct rec_entry *w, const struct rec_entry *o)
{
	char a[96], b[96];
	printf("  vs %s %s: ", role, o->label);
	if (rec_tie(w, o))
		printf("tie, within the cells' noise (scores %.2f-%.2f and %.2f-%.2f overlap)", w->lo, w->hi,
		       o->lo, o->hi);
	else /* sizes can differ by less than 1%: say so rather than "1.00x" */
		printf(o->score / w->score < 1.01 ? "%.4fx better" : "%.2fx better", o->score / w->score);
	for (size_t k = 0; k < np; k++) {
		format_value(&p[k], &w->v[k], 0, a, sizeof(a));
		format_value(&p[k], &o->v[k], 0, b, sizeof(b));
		if (p[k].kind == REC_SIZE && !strcmp(a, b)) { /* same in MiB: the bytes differ */
			snprintf(a, sizeof(a), "%.0f B", w->v[k].value);
			snprintf(b, sizeof(b), "%.0f B", o->v[k].value);
		}
		printf("%s %s %s vs %s", k ? "," : ":", p[k].kind == REC_SIZE ? p[k].key : p[k].goal, a, b);
	}
	putchar('\n');
}

/* Why, from --explain: the bench explained every cell against its column's fastest, so
 * when the winner was that fastest, the other configuration's cell says what its extra
 * time went to. own = 1: the winner's own main causes instead. Returns lines printed. */
static int print_why(json_t *doc, const struct rec_priority *p, size_t np, const struct rec_entry *w,
		     const struct rec_entry *o, int own)
{
	int lines = 0;
	size_t i;
	json_t *step;
	for (size_t k = 0; k < np; k++) {
		if (p[k].kind != REC_TIME)
			continue;
		json_array_foreach(json_object_get(json_object_get(doc, "matrix"), "steps"), i, step) {
			const char *s = pf_json_str(step, "name", "");
			if (p[k].step[0] && strcmp(s, p[k].step))
				continue;
			json_t *wc = rec_find_cell(w->config, s, p[k].goal), *oc = o ? rec_find_cell(o->config, s, p[k].goal) : NULL;
			json_t *vs = json_object_get(oc, "explain_vs_best");
			if (!own && vs && !strcmp(pf_json_str(vs, "best", ""), w->label)) {
				printf("  why %s/%s: %s takes %s\n", s, p[k].goal, o->label, pf_json_str(vs, "causes", ""));
				lines++;
			} else if (own && pf_json_str(wc, "explain", "")[0]) {
				printf("  why %s/%s: the winner's time goes to %s\n", s, p[k].goal, pf_json_str(wc, "explain", ""));
				lines++;
			}
		}
	}
	return lines;
}

static void print_decision(struct result *r, const struct rec_priority *p, size_t np,
			   const struct rec_entry *e, size_t n)
{
	if (n > 1 && rec_tie(&e[0], &e[1]))
		printf("tie: %s and %s are within the cells' noise\n", e[0].label, e[1].label);
	printf("winner: %s\n", e[0].label);
	if (n > 1)
		print_versus("runner-up", p, np, &e[0], &e[1]);
	json_t *dflt = rec_defaults_config(r->doc);
	const struct rec_entry *d = NULL;
	for (size_t i = 0; dflt && i < n; i++)
		if (e[i].config == dflt)
			d = &e[i];
	if (d == &e[0])
		printf("  pex's defaults (execution_mode zipapp, layout zipapp) are the winner\n");
	else if (d)
		print_versus("pex's defaults", p, np, &e[0], d);
	else
		printf("  pex's defaults (execution_mode zipapp, layout zipapp): not in %s\n", r->path);
	int why = n > 1 ? print_why(r->doc, p, np, &e[0], &e[1], 0) : 0;
	if (d && d != &e[0] && (n < 2 || d != &e[1]))
		why += print_why(r->doc, p, np, &e[0], d, 0);
	int timed = 0; /* sizes need no why: they are what they are */
	for (size_t k = 0; k < np; k++)
		timed |= p[k].kind == REC_TIME;
	if (timed && !why && !print_why(r->doc, p, np, &e[0], NULL, 1))
		printf("  why: no --explain data in %s (perfanity bench --explain records it)\n", r->path);
}

/* Several machines: where the best differs, and the choice that is never far from best. */
static const char *print_machines(struct result *res, size_t nres, struct rec_entry **ranks,
				  const size_t *n)
{
	int differs = 0;
	for (size_t m = 1; m < nres; m++)
		differs |= strcmp(ranks[m][0].label, ranks[0][0].label) != 0;
	printf("\nmachines: ");
	if (!differs)
		printf("the best choice is the same on every machine: %s\n", ranks[0][0].label);
	else {
		printf("the best choice differs:");
		for (size_t m = 0; m < nres; m++)
			printf("%s %s: %s%s", m ? ";" : "", res[m].name, ranks[m][0].label,
			       n[m] > 1 && rec_tie(&ranks[m][0], &ranks[m][1]) ? " (a tie)" : "");
		putchar('\n');
	}
	double worst = 0;
	size_t where = 0;
	const char *choice = rec_minimax(ranks, n, nres, &worst, &where);
	if (!choice) {
		printf("worst case: no configuration was ranked on every machine\n");
		return NULL;
	}
	printf("worst case: %s is best, at most %.2fx the best score on any machine (%s)\n", choice, worst,
	       res[where].name);
	return choice;
}

struct macros {
	char *pex_line, *build, *macro;
	const char *dockerfile; /* the winner's, when the results are the docker preset's */
};

static void make_macros(json_t *doc, json_t *config, const char *why, struct macros *mac)
{
	json_t *matrix = json_object_get(doc, "matrix"), *params = rec_config_params(config);
	const char *target = pf_json_str(matrix, "target", ""), *ep = pf_json_str(matrix, "entry_point", "");
	const char *colon = strrchr(target, ':');
	const char *name = colon ? colon + 1 : target[0] ? target : "app";
	char *opts = rec_pex_options(params), *fields = rec_build_fields(params, "    ");
	char epq[512] = "";
	if (ep[0])
		snprintf(epq, sizeof(epq), " -e %s", ep);
	if (asprintf(&mac->pex_line, "pex%s%s%s -o %s.pex", opts[0] ? " " : "", opts, epq, name) < 0)
		mac->pex_line = NULL;
	if (asprintf(&mac->build, "pex_binary(\n    name=\"%s\",\n%s%s%s%s)\n", name, ep[0] ? "    entry_point=\"" : "",
		     ep, ep[0] ? "\",\n" : "", fields) < 0)
		mac->build = NULL;
	mac->macro = rec_pants_macro(params, why);
	mac->dockerfile = json_string_value(json_object_get(config, "dockerfile"));
	json_decref(params);
	free(opts);
	free(fields);
}

static void free_macros(struct macros *mac)
{
	free(mac->pex_line);
	free(mac->build);
	free(mac->macro);
}

static void print_macros(const struct macros *mac)
{
	printf("\npex (add your requirements and sources, e.g. -r requirements.txt -D src):\n  %s\n",
	       mac->pex_line);
	printf("\nBUILD:\n%s", mac->build);
	printf("\nPants macro (recommended_pex.py; pants.toml: [GLOBAL] build_file_prelude_globs = "
	       "[\"recommended_pex.py\"]):\n%s", mac->macro);
	if (mac->dockerfile)
		printf("\nDockerfile (the winner's, as bench built it; its COPY sources are the PEX files above):\n%s",
		       mac->dockerfile);
	else
		printf("\nDockerfile: no Docker strategy in the results (bench's docker preset: perfanity bench "
		       "examples/docker)\n");
}

static int write_file(const char *dir, const char *name, const char *text, int mode)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		pf_err("cannot write %s", path);
		return -1;
	}
	return chmod(path, mode);
}

/* pex.sh runs the line with the project's own arguments appended ("$@"). */
static int write_macros(const char *dir, const struct macros *mac)
{
	char *sh = NULL;
	if (mkdir(dir, 0755) && errno != EEXIST) {
		pf_err("cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if (asprintf(&sh, "#!/bin/sh\n# Generated by perfanity recommend: the recommended pex options.\n"
		     "# Usage: pex.sh -r requirements.txt -D src\nexec %s \"$@\"\n", mac->pex_line) < 0)
		return -1;
	int rc = write_file(dir, "pex.sh", sh, 0755) || write_file(dir, "BUILD.pex_binary", mac->build, 0644) ||
		 write_file(dir, "recommended_pex.py", mac->macro, 0644);
	free(sh);
	return rc ? -1 : 0;
}

/* --check: the pex line, as printed (pex resolved, output and PEX_ROOT in a temporary
 * directory), must build; a directory layout's PEX-INFO is read back. */
static int check_pex_line(const struct macros *mac, const char *pex)
{
	char tmp[] = "/tmp/perfanity-recommend-XXXXXX", out[PATH_MAX], err[PATH_MAX], info[PATH_MAX + 16];
	char *cmd = NULL, *qpex = pf_which(pex);
	struct bench_exec_result r;
	int rc = PF_EXIT_FAIL;
	if (!qpex) {
		pf_err("--check: pex not found ('%s'): put pex on PATH, or pass --pex PATH", pex);
		return PF_EXIT_USAGE;
	}
	if (!mkdtemp(tmp)) {
		free(qpex);
		return PF_EXIT_FAIL;
	}
	const char *o = strstr(mac->pex_line, " -o ");
	snprintf(out, sizeof(out), "%s/%s", tmp, o ? o + 4 : "app.pex");
	snprintf(err, sizeof(err), "%s/stderr", tmp);
	if (asprintf(&cmd, "%s --pex-root %s/pex_root%.*s -o %s", qpex, tmp,
		     (int)((o ? o : mac->pex_line + strlen(mac->pex_line)) - (mac->pex_line + 3)), mac->pex_line + 3,
		     out) >= 0 && !bench_exec(cmd, tmp, NULL, NULL, err, 300, &r)) {
		if (r.exit_code) {
			char *tail = bench_file_tail(err, 512);
			pf_err("--check: the pex line failed (exit %d): %.*s", r.exit_code, (int)strcspn(tail, "\n"), tail);
			free(tail);
		} else {
			snprintf(info, sizeof(info), "%s/PEX-INFO", out);
			json_error_t e;
			json_t *pi = bench_is_dir(out) ? json_load_file(info, 0, &e) : NULL;
			printf("check: the pex line builds (%s)", bench_is_dir(out) ? "a directory" : "a zipapp file");
			if (pi)
				printf("; PEX-INFO: venv %s", json_is_true(json_object_get(pi, "venv")) ? "true" : "false");
			putchar('\n');
			json_decref(pi);
			rc = PF_EXIT_OK;
		}
	}
	bench_rm_rf(tmp);
	free(cmd);
	free(qpex);
	return rc;
}

struct opts {
	const char *prefer, *out, *pex;
	int check;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	struct pf_cli cli;
	int c;

	pf_cli_init(&cli, "recommend", recommend_opts);
	while ((c = pf_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'p': o->prefer = optarg; break;
		case 'o': o->out = optarg; break;
		case OPT_CHECK: o->check = 1; break;
		case OPT_PEX: o->pex = optarg; break;
		case 'h': usage(stdout); return 1;
		default: return -1;
		}
	}
	if (optind == argc) {
		pf_err("expected a bench result (RESULT.json from perfanity bench --json)");
		return -1;
	}
	if (argc - optind > MAX_RESULTS) {
		pf_err("at most %d results", MAX_RESULTS);
		return -1;
	}
	return 0;
}

/* Rank every result, print each decision, and return the configuration to recommend:
 * the winner of the one result, or over several the best in the worst case. */
static json_t *decide(struct result *res, size_t nres, const struct rec_priority *p, size_t np,
		      json_t **doc, char *why, size_t whylen)
{
	struct rec_entry *ranks[MAX_RESULTS] = { 0 };
	size_t n[MAX_RESULTS] = { 0 };
	json_t *chosen = NULL;
	char pri[256] = "", one[96];
	for (size_t k = 0; k < np; k++) {
		describe_priority(&p[k], one, sizeof(one));
		snprintf(pri + strlen(pri), sizeof(pri) - strlen(pri), "%s%s", k ? ", " : "", one);
		if (p[k].weight != 1)
			snprintf(pri + strlen(pri), sizeof(pri) - strlen(pri), " x%g", p[k].weight);
	}
	printf("priorities: %s\n", pri);
	for (size_t r = 0; r < nres; r++) {
		n[r] = rec_rank(res[r].doc, p, np, &ranks[r]);
		putchar('\n');
		if (!n[r]) {
			printf("%s: no configuration has every priority measured\n", res[r].path);
			continue;
		}
		print_ranking(&res[r], p, np, ranks[r], n[r]);
		print_decision(&res[r], p, np, ranks[r], n[r]);
	}
	const char *label = NULL;
	if (nres == 1 && n[0])
		label = ranks[0][0].label;
	else if (nres > 1)
		label = print_machines(res, nres, ranks, n);
	for (size_t r = 0; label && r < nres && !chosen; r++)
		for (size_t i = 0; i < n[r] && !chosen; i++)
			if (!strcmp(ranks[r][i].label, label)) {
				chosen = ranks[r][i].config;
				*doc = res[r].doc;
			}
	snprintf(why, whylen, "%s for %s", nres > 1 ? "the best in the worst case" : "the best", pri);
	for (size_t r = 0; r < nres; r++)
		free(ranks[r]);
	return chosen;
}

int do_recommend(int argc, char **argv)
{
	struct opts o = { .prefer = DEFAULT_PREFER, .pex = "pex" };
	struct rec_priority p[REC_MAX_PRIORITIES];
	struct result res[MAX_RESULTS] = { 0 };
	char err[512], why[512];
	size_t nres = 0;
	int rc = PF_EXIT_USAGE, np;
	int po = parse_opts(argc, argv, &o);
	if (po)
		return po > 0 ? PF_EXIT_OK : PF_EXIT_USAGE;
	np = rec_parse_prefer(o.prefer, p, REC_MAX_PRIORITIES, err, sizeof(err));
	if (np < 0) {
		pf_err("%s", err);
		return PF_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++, nres++)
		if (load_result(argv[i], &res[nres]))
			goto out;
	/* Machines are named by their files; the same name twice gets its position too. */
	for (size_t i = 0; i < nres; i++)
		for (size_t j = i + 1; j < nres; j++)
			if (!strcmp(res[i].name, res[j].name)) {
				char tmp[48];
				snprintf(tmp, sizeof(tmp), "%s", res[j].name);
				snprintf(res[j].name, sizeof(res[j].name), "%s#%u", tmp, (unsigned)(j + 1) % 100);
			}
	/* A priority no result can score is said in one line; with none left, that is all. */
	size_t kept = usable_priorities(res, nres, p, (size_t)np);
	if (!kept)
		goto out;
	json_t *doc = NULL, *chosen = decide(res, nres, p, kept, &doc, why, sizeof(why));
	if (!chosen) {
		rc = PF_EXIT_FAIL;
		goto out;
	}
	struct macros mac = { 0 };
	make_macros(doc, chosen, why, &mac);
	print_macros(&mac);
	rc = PF_EXIT_OK;
	if (o.out && write_macros(o.out, &mac))
		rc = PF_EXIT_FAIL;
	else if (o.out)
		printf("\nwritten: %s/pex.sh, %s/BUILD.pex_binary, %s/recommended_pex.py\n", o.out, o.out, o.out);
	fflush(stdout);
	if (rc == PF_EXIT_OK && o.check)
		rc = check_pex_line(&mac, o.pex);
	free_macros(&mac);
out:
	for (size_t i = 0; i < nres + 1 && i < MAX_RESULTS; i++)
		json_decref(res[i].doc);
	return rc;
}
