// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: the report's trace loader. Input is a trace JSON file's bytes; a
 * loaded trace goes on through the critical path, the single-trace report and the
 * one-line explanation, as `perfanity report` and `bench --explain` take it. */
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *root = json_loadb((const char *)data, size, 0, &e);
	if (!root)
		return 0;
	struct pf_rcats cats = { .child_wait = -1, .sleep = -1 };
	struct pf_rtrace t;
	char err[256], line[512];
	if (!pf_report_load(root, "fuzz.json", NULL, &cats, &t, err, sizeof(err))) {
		FILE *devnull = fopen("/dev/null", "w");
		pf_report_label(&t, 1);
		pf_report_path(&t, &cats);
		if (devnull) {
			pf_report_single(devnull, &t, &cats, 0);
			pf_report_single(devnull, &t, &cats, 1);
			fclose(devnull);
		}
		pf_report_explain_one(root, 5, line, sizeof(line));
	}
	pf_report_free(&t);
	json_decref(root);
	return 0;
}
