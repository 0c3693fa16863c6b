#!/usr/bin/env bash
# Install what cross builds and their end-to-end tests need on Debian/Ubuntu (run as root).
# Cross compilers, qemu-user to run target binaries, and the arm64 libpython through
# multiarch; other architectures' CPythons come as sysroots made by the tests.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
for arch in arm64 armhf i386 s390x ppc64el; do
    $SUDO dpkg --add-architecture "$arch"
done
# One lagging mirror index must not stop the rest: apt-get install below says what is missing.
$SUDO apt-get update -q || true
$SUDO apt-get install -y -q --no-install-recommends \
    gcc g++ make pkg-config patchelf qemu-user \
    gcc-aarch64-linux-gnu g++-aarch64-linux-gnu \
    gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf \
    gcc-i686-linux-gnu g++-i686-linux-gnu \
    gcc-s390x-linux-gnu g++-s390x-linux-gnu \
    gcc-powerpc64le-linux-gnu g++-powerpc64le-linux-gnu \
    gcc-riscv64-linux-gnu \
    libpython3.11-dev:arm64
