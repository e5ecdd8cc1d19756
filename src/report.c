// SPDX-License-Identifier: GPL-2.0-only
/* perfanity report TRACE.json [TRACE.json ...] [--markdown] [--label NAME]...
 * One trace: a breakdown. Several: each compared with the first, the
 * wall-time difference explained as ranked causes that add up. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "perfanity.h"
#include "pf_cli.h"
#include "pf_json.h"
#include "report.h"

#define MAX_TRACES 64

static const struct pf_opt report_opts[] = {
	{ "markdown", 'm', no_argument, NULL, "Markdown instead of text" },
	{ "html", 'H', required_argument, "FILE",
	  "write one self-contained HTML page to FILE instead:\n"
	  "breakdown, process tree, flame graph (searchable,\n"
	  "click to zoom), and comparing, the causes as bars" },
	{ "label", 'l', required_argument, "NAME",
	  "name of the next trace (in order; default: from the file\n"
	  "name, or the command when file names clash)" },
	{ "help", 'h', no_argument, NULL, "this help" },
	{ NULL, 0, 0, NULL, NULL }
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s report [--markdown | --html FILE] [--label NAME]... TRACE.json [TRACE.json ...]\n"
		"\n"
		"One trace: where the time went (categories, process tree and re-exec chains,\n"
		"pex phases, top files, archives, venvs, imports). Several: each compared with\n"
		"the first; the wall-time difference as a ranked list of causes that add up.\n"
		"\n",
		pf_progname);
	pf_cli_options_help(f, report_opts);
	fprintf(f, "\n"
		   "Examples:\n"
		   "  perfanity report t.json                       where one command's time went\n"
		   "  perfanity report zipapp.json venv.json        why the second differs from the first\n"
		   "  perfanity report -l cold a.json -l warm b.json --markdown\n"
		   "  perfanity report --html why.html zipapp.json venv.json\n"
		   "\n"
		   "Exit status: 0 reported, 1 the report could not be written, 2 bad input (an\n"
		   "option, or a trace that cannot be read).\n");
}

/* --html FILE: the page, or one line and PF_EXIT_FAIL. */
static int write_html(const char *path, const struct pf_rtrace *t, int n, const struct pf_rcats *cats)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		pf_err("cannot write %s: %s", path, strerror(errno));
		return PF_EXIT_FAIL;
	}
	pf_report_html(f, t, n, cats);
	if (ferror(f) | fclose(f)) {
		pf_err("cannot write %s: %s", path, strerror(errno));
		return PF_EXIT_FAIL;
	}
	return PF_EXIT_OK;
}

int do_report(int argc, char **argv)
{
	const char *labels[MAX_TRACES] = { 0 };
	int nlabels = 0, md = 0, c;
	const char *html = NULL;
	struct pf_cli cli;

	pf_cli_init(&cli, "report", report_opts);
	while ((c = pf_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'm':
			md = 1;
			break;
		case 'H':
			html = optarg;
			break;
		case 'l':
			if (nlabels == MAX_TRACES) {
				pf_err("at most %d labels", MAX_TRACES);
				return PF_EXIT_USAGE;
			}
			labels[nlabels++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return PF_EXIT_OK;
		default:
			return PF_EXIT_USAGE;
		}
	}
	int n = argc - optind;
	if (n < 1) {
		pf_err("no trace given (usage: %s report TRACE.json [TRACE.json ...])", pf_progname);
		return PF_EXIT_USAGE;
	}
	if (n > MAX_TRACES) {
		pf_err("at most %d traces", MAX_TRACES);
		return PF_EXIT_USAGE;
	}
	if (nlabels > n) {
		pf_err("%d labels for %d traces", nlabels, n);
		return PF_EXIT_USAGE;
	}
	struct pf_rtrace *t = calloc(n, sizeof(*t));
	struct pf_rcats cats = { .child_wait = -1, .sleep = -1 };
	int rc = PF_EXIT_OK, loaded = 0;
	if (!t) {
		pf_err("out of memory");
		return PF_EXIT_FAIL;
	}
	for (int i = 0; i < n; i++, loaded++) {
		const char *path = argv[optind + i];
		char err[256];
		FILE *probe = fopen(path, "r");
		if (!probe) {
			pf_err("cannot read %s: %s", path, strerror(errno));
			rc = PF_EXIT_USAGE;
			break;
		}
		fclose(probe);
		json_t *root = pf_json_read(path); /* prints "path:line:col: why" */
		if (!root) {
			rc = PF_EXIT_USAGE;
			break;
		}
		int bad = pf_report_load(root, path, i < nlabels ? labels[i] : NULL, &cats, &t[i], err, sizeof(err));
		json_decref(root); /* t[i] holds its own reference */
		if (bad) {
			pf_err("%s: %s", path, err);
			rc = PF_EXIT_USAGE;
			loaded++;
			break;
		}
	}
	if (rc == PF_EXIT_OK) {
		pf_report_label(t, n);
		for (int i = 0; i < n; i++)
			pf_report_path(&t[i], &cats);
		if (html)
			rc = write_html(html, t, n, &cats);
		else if (n == 1)
			pf_report_single(stdout, &t[0], &cats, md);
		else
			pf_report_compare(stdout, t, n, &cats, md);
		if (fflush(stdout) || ferror(stdout)) {
			pf_err("cannot write the report to stdout");
			rc = PF_EXIT_FAIL;
		}
	}
	for (int i = 0; i < loaded && i < n; i++)
		pf_report_free(&t[i]);
	free(t);
	return rc;
}
