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
# A mirror caught mid-sync fails some index files: retry, then go on with what came;
# apt-get install below says what is missing.
for attempt in 1 2 3; do
    if $SUDO apt-get update -q 2>&1 | tee /tmp/apt-update.log | grep -q '^E:'; then
        echo "apt-get update: some indexes failed (attempt $attempt)" >&2
        sleep 5
    else
        break
    fi
done
PACKAGES=(
    gcc g++ make pkg-config patchelf qemu-user libyaml-dev libgeos-dev
    gcc-aarch64-linux-gnu g++-aarch64-linux-gnu gfortran-aarch64-linux-gnu
    gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf gfortran-arm-linux-gnueabihf
    gcc-i686-linux-gnu g++-i686-linux-gnu
    gcc-s390x-linux-gnu g++-s390x-linux-gnu
    gcc-powerpc64le-linux-gnu g++-powerpc64le-linux-gnu
    gcc-riscv64-linux-gnu
    libpython3.11-dev:arm64 libyaml-dev:arm64
    emscripten clang-19 lld-19 llvm-19
    wine64 gcc-mingw-w64-x86-64
)
if ! $SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"; then
    # Multi-Arch: same packages must have one version on every architecture. When the
    # machine's own copy is newer than what the index offers for arm64 (a lagging
    # mirror), align both on the version the index has.
    ALIGN=()
    for pkg in linux-libc-dev libc6 libc6-dev libgcc-s1 libstdc++6 zlib1g libexpat1 libssl3 libffi8; do
        want=$(apt-cache policy "$pkg:arm64" | awk '/Candidate:/ {print $2}')
        have=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || true)
        if [ -n "$have" ] && [ -n "$want" ] && [ "$want" != "(none)" ] && [ "$have" != "$want" ]; then
            ALIGN+=("$pkg:$(dpkg --print-architecture)=$want" "$pkg:arm64=$want")
        fi
    done
    $SUDO apt-get install -y -q --no-install-recommends --allow-downgrades \
        "${ALIGN[@]}" "${PACKAGES[@]}"
fi
