/* Calls libyaml's C API: its version, and an emitted one-pair mapping. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include <yaml.h>

static PyObject *libyaml_version(PyObject *self, PyObject *args) {
    return PyUnicode_FromString(yaml_get_version_string());
}

/* emit(key, value) -> the YAML document libyaml writes for {key: value}. */
static PyObject *emit(PyObject *self, PyObject *args) {
    const char *key, *value;
    unsigned char out[1024];
    size_t written = 0;
    yaml_emitter_t emitter;
    yaml_event_t event;
    int ok = 1;
    if (!PyArg_ParseTuple(args, "ss", &key, &value)) return NULL;
    if (!yaml_emitter_initialize(&emitter)) return PyErr_NoMemory();
    yaml_emitter_set_output_string(&emitter, out, sizeof(out), &written);
    ok = ok && yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
            && yaml_emitter_emit(&emitter, &event);
    ok = ok && yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 1)
            && yaml_emitter_emit(&emitter, &event);
    ok = ok && yaml_mapping_start_event_initialize(&event, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE)
            && yaml_emitter_emit(&emitter, &event);
    ok = ok && yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *)key,
                                            (int)strlen(key), 1, 1, YAML_PLAIN_SCALAR_STYLE)
            && yaml_emitter_emit(&emitter, &event);
    ok = ok && yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *)value,
                                            (int)strlen(value), 1, 1, YAML_PLAIN_SCALAR_STYLE)
            && yaml_emitter_emit(&emitter, &event);
    ok = ok && yaml_mapping_end_event_initialize(&event) && yaml_emitter_emit(&emitter, &event);
    ok = ok && yaml_document_end_event_initialize(&event, 1) && yaml_emitter_emit(&emitter, &event);
    ok = ok && yaml_stream_end_event_initialize(&event) && yaml_emitter_emit(&emitter, &event);
    yaml_emitter_delete(&emitter);
    if (!ok) {
        PyErr_SetString(PyExc_RuntimeError, "libyaml could not emit the document");
        return NULL;
    }
    return PyUnicode_FromStringAndSize((const char *)out, (Py_ssize_t)written);
}

static PyMethodDef methods[] = {
    {"libyaml_version", libyaml_version, METH_NOARGS, "libyaml's version string."},
    {"emit", emit, METH_VARARGS, "The YAML document for {key: value}, written by libyaml."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
