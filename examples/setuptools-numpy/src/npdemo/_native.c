/* numpy's C API: the versions and sizes the headers gave at compile time, what the
 * numpy that loaded the module reports at run time, and a small array computation. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <numpy/arrayobject.h>

#ifndef NUMPY_DEPENDENCY_VERSION
#define NUMPY_DEPENDENCY_VERSION "" /* Meson's dependency('numpy').version() */
#endif

static PyObject *build_info(PyObject *self, PyObject *args) {
    (void)self;
    (void)args;
    return Py_BuildValue(
        "{s:I,s:I,s:I,s:i,s:i,s:i,s:s}",
        "compiled_api_version", (unsigned int)NPY_API_VERSION,
        "compiled_feature_version", (unsigned int)NPY_FEATURE_VERSION,
        "runtime_api_version", (unsigned int)PyArray_GetNDArrayCFeatureVersion(),
        "sizeof_npy_intp", (int)sizeof(npy_intp),
        "npy_sizeof_long", (int)NPY_SIZEOF_LONG,
        "sizeof_long", (int)sizeof(long),
        "dependency_version", NUMPY_DEPENDENCY_VERSION);
}

/* A new float64 array: each element of a 1-D array times a factor. */
static PyObject *scaled(PyObject *self, PyObject *args) {
    PyObject *input;
    double factor;
    (void)self;
    if (!PyArg_ParseTuple(args, "Od", &input, &factor)) {
        return NULL;
    }
    PyArrayObject *array = (PyArrayObject *)PyArray_FROMANY(
        input, NPY_DOUBLE, 1, 1, NPY_ARRAY_IN_ARRAY);
    if (array == NULL) {
        return NULL;
    }
    npy_intp size = PyArray_DIM(array, 0);
    PyArrayObject *result = (PyArrayObject *)PyArray_SimpleNew(1, &size, NPY_DOUBLE);
    if (result != NULL) {
        const double *in = (const double *)PyArray_DATA(array);
        double *out = (double *)PyArray_DATA(result);
        for (npy_intp i = 0; i < size; i++) {
            out[i] = in[i] * factor;
        }
    }
    Py_DECREF(array);
    return (PyObject *)result;
}

static PyMethodDef methods[] = {
    {"build_info", build_info, METH_NOARGS, "numpy's C-API versions and sizes, compiled and running."},
    {"scaled", scaled, METH_VARARGS, "A 1-D array times a factor, as a new float64 array."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__native(void) {
    import_array();
    return PyModule_Create(&module);
}
