// SPDX-License-Identifier: GPL-2.0-only
/* Category names, in enum pf_cat order: the names used in JSON and reports. */
#include <string.h>
#include "trace.h"
#include "categories.h"

static const char *const names[PF_CAT_MAX] = {
	[PF_CAT_CPU] = "cpu",
	[PF_CAT_FILE_IO] = "file_io",
	[PF_CAT_NET] = "net",
	[PF_CAT_EXEC] = "exec",
	[PF_CAT_CHILD_WAIT] = "child_wait",
	[PF_CAT_SLEEP] = "sleep",
	[PF_CAT_OTHER] = "other",
	[PF_CAT_ZIP_EXTRACT] = "zip_extract",
	[PF_CAT_VENV_CREATE] = "venv_create",
	[PF_CAT_IMPORT] = "import",
	[PF_CAT_RUNQUEUE] = "runqueue",
	[PF_CAT_FAULT_IO] = "fault_io",
	[PF_CAT_COMPILE] = "compile",
};

const char *pf_cat_name(unsigned int cat)
{
	return cat < PF_CAT_MAX && names[cat] ? names[cat] : "unknown";
}

int pf_cat_from_name(const char *name)
{
	for (int i = 0; i < PF_CAT_MAX; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return -1;
}
