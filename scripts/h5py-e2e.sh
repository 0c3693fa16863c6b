#!/usr/bin/env bash
# Cross-build h5py's unmodified sdist for aarch64 and armhf and check it under qemu.
#
# Slow (h5py compiles two dozen Cython modules), so it is not part of the normal test
# run. Needs scripts/setup-machine.sh first and `pip install -e ".[dev]"`. The target's
# HDF5 is fetched by the build itself (-C target-system-packages=libhdf5-dev).
# CROSSWHEEL_H5PY=h5py==X.Y.Z picks another release.
set -euo pipefail
cd "$(dirname "$0")/.."
export CROSSWHEEL_H5PY_E2E=1 CROSSWHEEL_REQUIRE_E2E=1
exec python3 -m pytest -s -ra tests/test_h5py_e2e.py "$@"
