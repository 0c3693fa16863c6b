#!/bin/sh
# Opt-in, long (compiles numpy for armhf): numexpr and numpy for armv7l in one command,
# both cross-built, installed together offline and checked under qemu-arm; then a
# rerun that must rebuild nothing. See tests/test_wheelhouse_e2e.py.
set -e
cd "$(dirname "$0")/.."
CROSSWHEEL_NUMEXPR_E2E=1 exec python3 -m pytest -ra -m e2e tests/test_wheelhouse_e2e.py -k numexpr "$@"
