"""ctypes calls that run on the target: a cross build's version probes get its answers.

A build script that loads a library to learn its version (h5py's
``H5get_libversion``) would load the target's file into the build machine's Python,
which cannot work. Where the target's CPython runs here (under qemu-user), the shim
turns such a ``CDLL`` into a ``TargetLibrary``: each question starts the target's
interpreter once, with JSON on stdin and no shell.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import Any

CTYPES_SCALARS = frozenset(
    {
        "c_bool", "c_byte", "c_ubyte", "c_short", "c_ushort", "c_int", "c_uint", "c_long",
        "c_ulong", "c_longlong", "c_ulonglong", "c_float", "c_double", "c_char",
    }
)  # fmt: skip
"""The ctypes types whose values cross to the target's CPython: arguments by value or by
reference (``byref``, ``pointer``), and results."""

TARGET_CALL = r"""
import ctypes, json, sys
SCALARS = set(json.loads(sys.argv[1]))
def decode(value):
    return bytes.fromhex(value["bytes"]) if isinstance(value, dict) else value
def encode(value):
    return {"bytes": value.hex()} if isinstance(value, bytes) else value
def kind(name):
    if name not in SCALARS:
        raise ValueError("not a simple ctypes type: %r" % name)
    return getattr(ctypes, name)
request = json.load(sys.stdin)
try:
    library = ctypes.CDLL(request["library"])
except OSError as exc:
    print(json.dumps({"error": str(exc)}))
    raise SystemExit(0)
name = request.get("function")
function = getattr(library, name, None) if name is not None else library
if function is None:
    print(json.dumps({"missing": name}))
elif request.get("args") is None:
    print(json.dumps({"found": name}))
else:
    args, refs = [], []
    for how, type_name, value in request["args"]:
        if how == "value":
            args.append(decode(value))
        elif how == "scalar":
            args.append(kind(type_name)(decode(value)))
        else:
            refs.append(kind(type_name)(decode(value)))
            args.append(ctypes.byref(refs[-1]))
    restype = request.get("restype")
    function.restype = kind(restype) if restype is not None else None
    result = function(*args)
    print(json.dumps({"result": encode(result), "refs": [encode(r.value) for r in refs]}))
"""
"""What the target's CPython runs for one question: load the library; answer whether a
function exists, or call it with the arguments given (JSON on stdin, JSON on stdout)."""


class TargetLibrary:
    """A target library whose functions run in the target's CPython (under qemu-user).

    What ``ctypes.CDLL`` of a target library becomes in a cross build: version probes
    (h5py's ``H5get_libversion(byref(major), ...)``) get the target's answers. Each
    question starts the target's interpreter once; arguments are ints, bytes, str,
    None and simple ctypes scalars (``CTYPES_SCALARS``), by value or by reference
    (their values are copied back); results are ``restype`` (``c_int`` by default).
    """

    def __init__(
        self,
        path: str,
        runtime: dict[str, Any],
        library_dirs: list[str],
        environ: Mapping[str, str],
    ) -> None:
        self.path = os.path.abspath(path)
        self.environ = dict(environ)
        """The environment the target's CPython starts from (the build's, unshimmed)."""
        self.runtime = runtime
        self.library_dirs = [os.path.dirname(self.path), *library_dirs]
        self._found: dict[str, bool] = {}

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """One question to the target's CPython; its JSON answer."""
        import subprocess

        env = {k: v for k, v in self.environ.items() if not k.startswith("PYTHON")}
        env.update(self.runtime.get("env") or {})
        env["LD_LIBRARY_PATH"] = os.pathsep.join(self.library_dirs)
        command = [*self.runtime["command"], "-c", TARGET_CALL, json.dumps(sorted(CTYPES_SCALARS))]
        done = subprocess.run(
            command,
            input=json.dumps({"library": self.path, **request}),
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        try:
            answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            detail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            answer = {"error": f"{self.runtime.get('describe')}: {detail}"}
        return answer

    def load(self) -> str | None:
        """None when the target's CPython loads the library, else why not."""
        answer = self.ask({"function": None})
        if "error" in answer:
            return str(answer["error"])
        sys.stderr.write(
            f"crosswheel: {os.path.basename(self.path)} is the target's library: its functions "
            f"run in the target's CPython, {self.runtime.get('describe')}\n"
        )
        return None

    def function(self, name: Any) -> TargetFunction:
        if not isinstance(name, str):
            raise AttributeError(f"{name!r}: only functions by name run on the target")
        if name not in self._found:
            answer = self.ask({"function": name})
            if "error" in answer:
                raise OSError(answer["error"])
            self._found[name] = "found" in answer
        if not self._found[name]:
            raise AttributeError(f"{self.path}: undefined symbol: {name}")
        return TargetFunction(self, name)


class TargetFunction:
    """One function of a ``TargetLibrary``; calling it runs it on the target."""

    def __init__(self, library: TargetLibrary, name: str) -> None:
        import ctypes

        self.library = library
        self.__name__ = name
        self.restype: Any = ctypes.c_int
        self.argtypes: Any = None
        self.errcheck: Any = None

    def __call__(self, *args: Any) -> Any:
        sent, refs = [], []
        for arg in args:
            how, type_name, value, ref = _argument(arg)
            sent.append([how, type_name, _encode(value)])
            if ref is not None:
                refs.append(ref)
        restype = None if self.restype is None else _scalar_name(self.restype)
        if self.restype is not None and restype is None:
            raise TypeError(f"{self.__name__}: restype {self.restype!r} cannot cross to the target")
        answer = self.library.ask({"function": self.__name__, "args": sent, "restype": restype})
        if "error" in answer or "missing" in answer:
            raise OSError(answer.get("error") or f"undefined symbol: {self.__name__}")
        for ref, value in zip(refs, answer["refs"]):
            ref.value = _decode(value)
        result = _decode(answer["result"])
        if self.errcheck is not None:
            return self.errcheck(result, self, args)
        return result


def _scalar_name(kind: Any) -> str | None:
    """The name of a simple ctypes type (``c_uint``), or None for any other."""
    import ctypes

    name = getattr(kind, "__name__", None)
    if name in CTYPES_SCALARS and getattr(ctypes, name) is kind:
        return str(name)
    return None


def _argument(arg: Any) -> tuple[str, str | None, Any, Any]:
    """``(how, ctypes type name, value, the object whose value comes back)`` for one argument."""
    import ctypes

    if arg is None or isinstance(arg, (int, bytes, str)):
        return "value", None, arg, None
    name = _scalar_name(type(arg))
    if name is not None:
        return "scalar", name, arg.value, None
    target = getattr(arg, "_obj", None)  # byref(x)
    if target is None and isinstance(arg, ctypes._Pointer):
        target = arg.contents
    name = _scalar_name(type(target)) if target is not None else None
    if target is not None and name is not None:
        return "ref", name, target.value, target
    raise TypeError(
        f"crosswheel: {arg!r} cannot cross to the target's CPython (ints, bytes, str, None and "
        "simple ctypes scalars, by value or by reference, do)"
    )


def _encode(value: Any) -> Any:
    return {"bytes": value.hex()} if isinstance(value, bytes) else value


def _decode(value: Any) -> Any:
    return bytes.fromhex(value["bytes"]) if isinstance(value, dict) else value
