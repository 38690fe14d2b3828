#!/bin/sh
# scripts/make-test-disk.sh: writes the raw disk image dom0's boot tests read (docs/dom0.md).
#
# Usage: make-test-disk.sh [IMAGE]     (default $BUILD/dom0/test-disk.img; `make dom0-disk`)
# The image is 8 cylinders of 16 heads and 63 sectors (4,128,768 bytes: Bochs wants a flat
# image of exactly C*H*S*512 bytes; scripts/run-bochs.sh derives C from the size). Sector 0 is
# zeros (no partition table); sector 1 begins with the line
#   KEEL-DISK: sector 1 of the dom0 test disk
# which dom0's /init prints back ("KEEL-DOM0: disk sda sector 1: KEEL-DISK: ..."); the last
# sector begins with "KEEL-DISK: last sector". Everything else is zeros.
set -eu

BUILD=${BUILD:-build}
img=${1:-$BUILD/dom0/test-disk.img}
sectors=$((8 * 16 * 63))
mkdir -p "$(dirname "$img")"
dd if=/dev/zero of="$img.$$" bs=512 count="$sectors" status=none
printf 'KEEL-DISK: sector 1 of the dom0 test disk\n' |
	dd of="$img.$$" bs=512 seek=1 conv=notrunc status=none
printf 'KEEL-DISK: last sector\n' |
	dd of="$img.$$" bs=512 seek=$((sectors - 1)) conv=notrunc status=none
mv "$img.$$" "$img" # a whole image or none, even when boot tests make it side by side
echo "make-test-disk: $img ($sectors sectors)"
