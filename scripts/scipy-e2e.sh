#!/usr/bin/env bash
# Cross-build scipy 1.17.1's unmodified sdist for aarch64 and check it under qemu.
#
# Slow (the build compiles C, C++, Cython, Pythran and Fortran for many minutes),
# so it is not part of the normal test run. Needs scripts/setup-machine.sh first and
# `pip install -e ".[dev]"`; installs OpenBLAS for the target (multiarch arm64) here.
# CROSSWHEEL_SCIPY=scipy==X.Y.Z picks another release.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if [ ! -f /usr/lib/aarch64-linux-gnu/pkgconfig/openblas.pc ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
        libopenblas-dev:arm64
fi
export CROSSWHEEL_SCIPY_E2E=1 CROSSWHEEL_REQUIRE_E2E=1
exec python3 -m pytest -s -ra tests/test_scipy_e2e.py "$@"
