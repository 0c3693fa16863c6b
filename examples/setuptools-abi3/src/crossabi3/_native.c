#include <Python.h>

static PyObject *mul(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a * b);
}

static PyObject *info(PyObject *self, PyObject *unused) {
    unsigned int one = 1;
    int little = *(unsigned char *)&one == 1;
    return Py_BuildValue("(is)", (int)sizeof(void *), little ? "little" : "big");
}

static PyMethodDef methods[] = {
    {"mul", mul, METH_VARARGS, "a * b"},
    {"info", info, METH_NOARGS, "(pointer size, byte order) of the machine it was built for"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
