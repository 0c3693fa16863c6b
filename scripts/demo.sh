#!/usr/bin/env bash
# Cross-build the bundled example for aarch64 and prove it on the target with
# `crosswheel test`: the wheel is installed for Debian's arm64 CPython (fetched once
# into ~/.cache/crosswheel), every extension module is imported there under
# qemu-aarch64, and a call into it runs. Needs scripts/setup-machine.sh first.
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
python3 -m crosswheel test "$WHEEL" --target "$TARGET" --test-command \
    "python -c 'import crossdemo, platform; print(\"on the target:\", platform.machine(), crossdemo.add(2, 40), crossdemo.build_info())'"
