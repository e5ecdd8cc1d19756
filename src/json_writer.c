// SPDX-License-Identifier: GPL-2.0-only
/* The one JSON writer/reader used by every subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>
#include "perfanity.h"
#include "pf_json.h"

#define PF_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

/* Straight into a stream: stdout, or a path that is not a regular file. */
static int write_stream(json_t *root, FILE *f, const char *name)
{
	if (json_dumpf(root, f, PF_JSON_FLAGS) || fputc('\n', f) == EOF || fflush(f)) {
		pf_err("cannot write JSON to %s", name);
		return -1;
	}
	return 0;
}

int pf_json_write(json_t *root, const char *path)
{
	struct stat st;

	if (!strcmp(path, "-"))
		return write_stream(root, stdout, "stdout");
	/* A device or FIFO (-o /dev/null, -o /dev/stdout) is written to, never
	 * replaced: the temp-file-and-rename below is for regular files only. */
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		FILE *f = fopen(path, "w");
		int rc;

		if (!f) {
			pf_err("cannot write %s: %s", path, strerror(errno));
			return -1;
		}
		rc = write_stream(root, f, path);
		return fclose(f) ? -1 : rc;
	}
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	if (!tmp)
		return -1;
	snprintf(tmp, n, "%s.tmp.%d", path, (int)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f) {
		pf_err("cannot write %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	int bad = json_dumpf(root, f, PF_JSON_FLAGS) || fputc('\n', f) == EOF;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path)) {
		pf_err("cannot write %s: %s", path, strerror(errno ? errno : EIO));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

json_t *pf_json_read(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	if (!j)
		pf_err("%s:%d:%d: %s", path, e.line, e.column, e.text);
	return j;
}

long long pf_json_int(json_t *obj, const char *key, long long dflt)
{
	json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

const char *pf_json_str(json_t *obj, const char *key, const char *dflt)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : dflt;
}
