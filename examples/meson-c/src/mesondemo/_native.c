#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a + b);
}

/* What Meson knew about the host machine when it configured the build. */
static PyObject *build_info(PyObject *self, PyObject *unused) {
    return Py_BuildValue("{s:s,s:s,s:i}",
                         "host_cpu_family", HOST_CPU_FAMILY,
                         "configure_run_machine", CONFIGURE_RUN_MACHINE,
                         "sizeof_void_p", SIZEOF_VOID_P);
}

static PyMethodDef methods[] = {
    {"add", add, METH_VARARGS, "Add two integers."},
    {"build_info", build_info, METH_NOARGS, "What the build configured for."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
