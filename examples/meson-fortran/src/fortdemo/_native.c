#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The Fortran kernels (kernels.f90, bind(c)). */
void fk_daxpy(int n, double a, const double *x, double *y);
double fk_dot(int n, const double *x, const double *y);
void fk_describe(char *buf, int size);

/* A sequence of floats as a C array (caller frees); *n gets its length. */
static double *as_doubles(PyObject *seq, Py_ssize_t *n) {
    PyObject *fast = PySequence_Fast(seq, "expected a sequence of floats");
    if (fast == NULL) return NULL;
    *n = PySequence_Fast_GET_SIZE(fast);
    double *out = PyMem_Malloc((size_t)(*n > 0 ? *n : 1) * sizeof(double));
    if (out == NULL) { Py_DECREF(fast); PyErr_NoMemory(); return NULL; }
    for (Py_ssize_t i = 0; i < *n; i++) {
        out[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, i));
        if (out[i] == -1.0 && PyErr_Occurred()) { PyMem_Free(out); Py_DECREF(fast); return NULL; }
    }
    Py_DECREF(fast);
    return out;
}

static int two_vectors(PyObject *xs, PyObject *ys, double **x, double **y, Py_ssize_t *n) {
    Py_ssize_t ny;
    if ((*x = as_doubles(xs, n)) == NULL) return -1;
    if ((*y = as_doubles(ys, &ny)) == NULL) { PyMem_Free(*x); return -1; }
    if (ny != *n || *n > INT_MAX) {
        PyMem_Free(*x); PyMem_Free(*y);
        PyErr_SetString(PyExc_ValueError, "vectors must have the same length");
        return -1;
    }
    return 0;
}

static PyObject *dot(PyObject *self, PyObject *args) {
    PyObject *xs, *ys;
    double *x, *y;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "OO", &xs, &ys)) return NULL;
    if (two_vectors(xs, ys, &x, &y, &n) < 0) return NULL;
    double r = fk_dot((int)n, x, y);
    PyMem_Free(x); PyMem_Free(y);
    return PyFloat_FromDouble(r);
}

static PyObject *daxpy(PyObject *self, PyObject *args) {
    PyObject *xs, *ys;
    double a, *x, *y;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "dOO", &a, &xs, &ys)) return NULL;
    if (two_vectors(xs, ys, &x, &y, &n) < 0) return NULL;
    fk_daxpy((int)n, a, x, y);
    PyObject *out = PyList_New(n);
    for (Py_ssize_t i = 0; out != NULL && i < n; i++) PyList_SET_ITEM(out, i, PyFloat_FromDouble(y[i]));
    PyMem_Free(x); PyMem_Free(y);
    return out;
}

static PyObject *fortran_info(PyObject *self, PyObject *unused) {
    char buf[64];
    fk_describe(buf, (int)sizeof buf);
    return PyUnicode_FromString(buf);
}

static PyMethodDef methods[] = {
    {"dot", dot, METH_VARARGS, "dot(x, y): the dot product, computed in Fortran."},
    {"daxpy", daxpy, METH_VARARGS, "daxpy(a, x, y): a*x + y, computed in Fortran."},
    {"fortran_info", fortran_info, METH_NOARGS, "What the Fortran code was compiled for."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
