#!/bin/sh
# scripts/deps.sh: installs the Debian 12 packages Keel's build, tests and checks need, if missing.
set -eu

PKGS="grub-pc-bin grub-common xorriso mtools qemu-system-x86 bochs bochs-term bochsbios vgabios kmod
libcmocka-dev libglib2.0-dev libxen-dev xenstore-utils zlib1g-dev liblzma-dev libzstd-dev liblz4-dev libjson-c-dev jq pkg-config lz4 xz-utils zstd cpio clang libclang-rt-14-dev cppcheck clang-tidy clang-format shellcheck gcc make binutils"

# One dpkg-query for all: prints "NAME STATUS" for the packages dpkg knows about.
# shellcheck disable=SC2086 # word splitting of the package list is intended
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $PKGS 2>/dev/null || true)
missing=""
for p in $PKGS; do
	if ! printf '%s\n' "$installed" | grep -qx "$p installed"; then
		missing="$missing $p"
	fi
done
[ -n "$missing" ] || exit 0

echo "deps: missing packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run as root:"
	echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
	exit 1
fi
apt-get update
# shellcheck disable=SC2086 # word splitting of the package list is intended
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
