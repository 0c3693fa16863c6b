/* Calls GEOS's reentrant C API: its version, a point, and the area of a buffer. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <geos_c.h>

static GEOSGeometry *make_point(GEOSContextHandle_t ctx, double x, double y) {
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(ctx, 1, 2);
    if (seq == NULL) return NULL;
    GEOSCoordSeq_setX_r(ctx, seq, 0, x);
    GEOSCoordSeq_setY_r(ctx, seq, 0, y);
    return GEOSGeom_createPoint_r(ctx, seq);
}

static PyObject *geos_version(PyObject *self, PyObject *args) {
    return PyUnicode_FromString(GEOSversion());
}

static PyObject *point_wkt(PyObject *self, PyObject *args) {
    double x, y;
    if (!PyArg_ParseTuple(args, "dd", &x, &y)) return NULL;
    GEOSContextHandle_t ctx = GEOS_init_r();
    GEOSGeometry *point = make_point(ctx, x, y);
    if (point == NULL) {
        GEOS_finish_r(ctx);
        return PyErr_Format(PyExc_RuntimeError, "GEOS could not make a point");
    }
    GEOSWKTWriter *writer = GEOSWKTWriter_create_r(ctx);
    GEOSWKTWriter_setTrim_r(ctx, writer, 1);
    char *wkt = GEOSWKTWriter_write_r(ctx, writer, point);
    PyObject *result = PyUnicode_FromString(wkt);
    GEOSFree_r(ctx, wkt);
    GEOSWKTWriter_destroy_r(ctx, writer);
    GEOSGeom_destroy_r(ctx, point);
    GEOS_finish_r(ctx);
    return result;
}

static PyObject *buffered_point_area(PyObject *self, PyObject *args) {
    double radius, area = 0;
    if (!PyArg_ParseTuple(args, "d", &radius)) return NULL;
    GEOSContextHandle_t ctx = GEOS_init_r();
    GEOSGeometry *point = make_point(ctx, 0, 0);
    GEOSGeometry *disc = GEOSBuffer_r(ctx, point, radius, 64);
    int ok = disc != NULL && GEOSArea_r(ctx, disc, &area) == 1;
    if (disc) GEOSGeom_destroy_r(ctx, disc);
    GEOSGeom_destroy_r(ctx, point);
    GEOS_finish_r(ctx);
    if (!ok) return PyErr_Format(PyExc_RuntimeError, "GEOS could not buffer a point");
    return PyFloat_FromDouble(area);
}

static PyMethodDef methods[] = {
    {"geos_version", geos_version, METH_NOARGS, "GEOSversion()"},
    {"point_wkt", point_wkt, METH_VARARGS, "The WKT of POINT (x y), written by GEOS."},
    {"buffered_point_area", buffered_point_area, METH_VARARGS, "The area of a buffered point."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "crossgeos._native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
