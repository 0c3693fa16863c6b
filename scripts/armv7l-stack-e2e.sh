#!/bin/sh
# Opt-in, long (24 min on 2 cores, from empty): pandas, scipy and scikit-learn for armv7l with
# every compiled dependency (numpy too) in one `crosswheel build --deps` against Debian's
# armhf CPython in a sysroot, OpenBLAS for the target fetched with
# -C target-system-packages=libopenblas-dev; the wheels are installed together offline on
# that CPython, which has neither OpenBLAS nor libgfortran, and checked under qemu-arm;
# then a rerun that must rebuild nothing. See tests/test_armv7l_stack_e2e.py.
# Needs scripts/setup-machine.sh (the armhf cross gcc, g++ and gfortran, qemu-user, the
# armhf architecture known to apt). CROSSWHEEL_ARMV7L_STACK_OUT=DIR keeps the wheelhouse.
set -e
cd "$(dirname "$0")/.."
export CROSSWHEEL_ARMV7L_STACK_E2E=1 CROSSWHEEL_REQUIRE_E2E=1
exec python3 -m pytest -s -ra -m e2e tests/test_armv7l_stack_e2e.py "$@"
