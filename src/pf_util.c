/* Small helpers used across subcommands (include/pf_util.h). */
#include <string.h>
#include "pf_util.h"

const char *pf_base_name(const char *path)
{
	const char *b = path ? strrchr(path, '/') : NULL;

	return b ? b + 1 : (path ? path : "");
}
