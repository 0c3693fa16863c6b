#!/usr/bin/env bash
# Cross-build the bundled example for aarch64 and prove it on the target:
# install the wheel with pip running under qemu-aarch64 on Debian's arm64 CPython,
# import it and call into it. Needs scripts/setup-machine.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=aarch64-linux-gnu
python3 -m pip install --quiet --disable-pip-version-check -e .
# Frontends install build requirements into isolated environments: let them find
# this checkout's crosswheel (it is not on the package index).
WHEELHOUSE=.cache/wheelhouse
rm -rf "$WHEELHOUSE" && mkdir -p "$WHEELHOUSE"
python3 -m pip wheel --quiet --no-deps -w "$WHEELHOUSE" .
export PIP_FIND_LINKS="$PWD/$WHEELHOUSE${PIP_FIND_LINKS:+ $PIP_FIND_LINKS}"
rm -rf dist/example examples/setuptools-c/build
python3 -m build --wheel -o dist/example -C target="$TARGET" examples/setuptools-c
WHEEL=$(ls dist/example/*.whl)
echo "built $WHEEL"
python3 - "$WHEEL" <<'PY'
import sys
from pathlib import Path

sys.path.insert(0, "tests")
from targetpython import target_python

wheel = Path(sys.argv[1])
python = target_python("arm64")
site = Path("dist/example/site")
python.install(wheel.resolve(), site.resolve())
print("on the target:", python.call(
    "import crossdemo, platform; "
    "print(platform.machine(), crossdemo.add(2, 40), crossdemo.build_info())",
    site.resolve(),
).strip())
PY
