#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <string>

namespace py = pybind11;

// What CMake knew about the target when it configured the build.
static std::map<std::string, py::object> build_info() {
    return {
        {"cmake_processor", py::str(CMAKE_PROCESSOR)},
        {"probe_machine", py::str(PROBE_MACHINE)},
        {"python_soabi", py::str(PYTHON_SOABI)},
        {"sizeof_void_p", py::int_(sizeof(void *))},
    };
}

PYBIND11_MODULE(_native, m) {
    m.def("add", [](long a, long b) { return a + b; }, "Add two integers.");
    m.def("build_info", &build_info, "What the build configured for.");
}
