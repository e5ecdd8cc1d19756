// SPDX-License-Identifier: GPL-2.0-only
/* Module names from import rows' keys (see py_module_name.h). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "py_module_name.h"

bool pf_py_is_module_file(const char *key)
{
	return strchr(key, '/') || !strncmp(key, "<frozen ", 8);
}

/* A file imported from a zip archive (zipimport: a .pex, a zipapp, an egg):
 * where its dotted path starts, after the archive and any hidden
 * directory or wheel in it (".bootstrap/", ".deps/X.whl/"), or NULL if path is not
 * inside an archive. Packages inside are not looked up: every directory
 * in it below that counts as one. */
static const char *archive_root(const char *path)
{
	char prefix[PATH_MAX];
	const char *p, *slash, *root = NULL;
	struct stat st;

	if (!access(path, F_OK))
		return NULL;
	for (p = strchr(path + 1, '/'); p && !root; p = strchr(p + 1, '/')) {
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(p - path), path);
		if (!stat(prefix, &st) && S_ISREG(st.st_mode))
			root = p + 1;
	}
	/* directories that are sys.path entries, not packages: hidden ones
	 * and the wheels pex keeps in .deps/ */
	for (p = root; p && (slash = strchr(p, '/')); p = slash + 1) {
		size_t n = (size_t)(slash - p);

		if (p[0] == '.' || (n > 4 && !strncmp(slash - 4, ".whl", 4)))
			root = slash + 1;
	}
	return root;
}

/* Where the module's dotted path starts in path: after the last
 * site-packages/ or dist-packages/, else after lib/pythonX.Y/, else inside
 * a zip archive (archive_root), else after the last directory up that
 * holds no __init__.py. */
static const char *import_root(const char *path)
{
	static const char *const roots[] = { "/site-packages/", "/dist-packages/" };
	const char *best = NULL, *p, *slash;
	char probe[PATH_MAX];

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		for (p = strstr(path, roots[i]); p; p = strstr(p + 1, roots[i]))
			if (!best || p + strlen(roots[i]) > best)
				best = p + strlen(roots[i]);
	if (best)
		return best;
	for (p = strstr(path, "/lib/python"); p; p = strstr(p + 1, "/lib/python"))
		if ((slash = strchr(p + 11, '/')))
			best = slash + 1;
	if (best || (best = archive_root(path)))
		return best;
	/* packages up from the file's directory */
	slash = strrchr(path, '/');
	while (slash && slash > path) {
		snprintf(probe, sizeof(probe), "%.*s/__init__.py", (int)(slash - path), path);
		if (access(probe, F_OK))
			return slash + 1;
		for (p = slash - 1; p > path && *p != '/'; p--)
			;
		slash = *p == '/' ? p : NULL;
	}
	return path;
}

void pf_py_module_name(const char *key, char *out, size_t len)
{
	const char *rel, *dot, *base;
	size_t n;

	if (!strncmp(key, "<frozen ", 8)) {
		snprintf(out, len, "%.*s", (int)strcspn(key + 8, ">"), key + 8);
		return;
	}
	if (!strchr(key, '/')) {
		snprintf(out, len, "%s", key);
		return;
	}
	rel = import_root(key);
	base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	dot = strchr(base, '.');
	n = dot ? (size_t)(dot - rel) : strlen(rel);
	if (!strncmp(base, "__init__", 8) && (!base[8] || base[8] == '.'))
		n = base > rel ? (size_t)(base - 1 - rel) : 0;
	snprintf(out, len, "%.*s", (int)n, rel);
	for (char *c = out; *c; c++)
		if (*c == '/')
			*c = '.';
}
