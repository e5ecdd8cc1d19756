// SPDX-License-Identifier: GPL-2.0-only
/* pfcext.checksum(bytes) -> int: a byte sum, so the module does something testable.
 * One source for Python 2.7 and 3.x (their module initialisation differs). */
#define PY_SSIZE_T_CLEAN /* "s#" gives a Py_ssize_t length (an int without it on 2.7) */
#include <Python.h>

static PyObject *checksum(PyObject *self, PyObject *args)
{
	const char *buf;
	Py_ssize_t len, i;
	unsigned long sum = 0;
	(void)self;
	if (!PyArg_ParseTuple(args, "s#", &buf, &len))
		return NULL;
	for (i = 0; i < len; i++)
		sum += (unsigned char)buf[i];
	return PyLong_FromUnsignedLong(sum);
}

static PyMethodDef methods[] = {
	{ "checksum", checksum, METH_VARARGS, "Sum of the bytes." },
	{ NULL, NULL, 0, NULL },
};

#if PY_MAJOR_VERSION >= 3
static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "pfcext", NULL, -1, methods, NULL, NULL, NULL, NULL };

PyMODINIT_FUNC PyInit_pfcext(void)
{
	return PyModule_Create(&module);
}
#else
PyMODINIT_FUNC initpfcext(void)
{
	Py_InitModule("pfcext", methods);
}
#endif
