#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "answer.h"

/* facts() -> (host, sizeof(long) configure measured, big endian?, /dev/urandom?, answer) */
static PyObject *facts(PyObject *self, PyObject *args) {
    return Py_BuildValue("(siiii)", answer_host(), answer_sizeof_long(), answer_big_endian(),
                         answer_has_urandom(), answer_value());
}

static PyMethodDef methods[] = {{"facts", facts, METH_NOARGS, "what configure found"},
                                {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
