/* SPDX-License-Identifier: GPL-2.0-only */
/* The module an import row stands for. Rows from CPython's USDT probes are
 * keyed by the module's name; rows from PyEval_EvalCode by the code's
 * co_filename: a file, or "<frozen NAME>" for the stdlib modules frozen
 * into the interpreter (3.11+). */
#ifndef PF_PY_MODULE_NAME_H
#define PF_PY_MODULE_NAME_H
#include <stdbool.h>
#include <stddef.h>

/* Whether an import row's key is a file name (else it is a module name). */
bool pf_py_is_module_file(const char *key);

/* The dotted module name of key into out: "<frozen os>" is "os"; a file is
 * named relative to the nearest import root on its path: site-packages or
 * dist-packages, else lib/pythonX.Y (the stdlib), else the first directory
 * up that is not a package (has no __init__.py, looked up on disk); a
 * package's __init__.py names the package. A module name is itself. */
void pf_py_module_name(const char *key, char *out, size_t len);

#endif
