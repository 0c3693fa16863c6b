#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* setup.py measured these with Python introspection; the compiler knows the truth.
   A cross build that let setup.py see the build machine fails right here. */
#if CROSSDEMO_POINTER_SIZE != SIZEOF_VOID_P
#error "setup.py saw another pointer size than the compiler targets"
#endif

static PyObject *add(PyObject *self, PyObject *args) {
    long long a, b;
    if (!PyArg_ParseTuple(args, "LL", &a, &b)) {
        return NULL;
    }
    return PyLong_FromLongLong(a + b);
}

static PyObject *build_info(PyObject *self, PyObject *unused) {
    const unsigned int probe = 1;
    const int little = *(const unsigned char *)&probe == 1;
    return Py_BuildValue(
        "{s:s,s:i,s:s,s:s}",
        "build_machine", CROSSDEMO_BUILD_MACHINE,
        "pointer_bits", (int)(sizeof(void *) * 8),
        "byteorder", little ? "little" : "big",
        "setup_byteorder", CROSSDEMO_BIG_ENDIAN ? "big" : "little");
}

static PyMethodDef methods[] = {
    {"add", add, METH_VARARGS, "Add two integers in C."},
    {"build_info", build_info, METH_NOARGS, "What the build saw and what the binary is."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "crossdemo._native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
