#!/bin/sh
# tests/boot/judges/com2_bytes.sh: `com2_bytes.sh TEXT LOG` passes when Bochs' COM2 (the test's
# com2.out, next to LOG; boot tests with COM2=1) received exactly TEXT: what a domain that owns
# the UART sent reached the device.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 TEXT LOG" >&2; exit 2; }
out=$(dirname "$2")/com2.out
[ -f "$out" ] || { echo "no $out (is COM2=1 set?)"; exit 1; }
got=$(cat "$out")
[ "$got" = "$1" ] || { echo "COM2 received '$got', expected '$1'"; exit 1; }
