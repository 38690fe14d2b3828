#!/bin/sh
# scripts/run-demo.sh: `make run`: boots Keel in Bochs with demo guests, the console on this terminal.
#
# The guests: the CPUID and timer checks, and two CPU-bound domains weighted 1:2 sharing CPU 0
# while a third spins on CPU 1. Keel powers the machine off when the last one has ended.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
G=$BUILD/guests
dir=$BUILD/run
mkdir -p "$dir"
sh scripts/mkiso.sh "$BUILD/keel" "$dir/keel-demo.iso" "${KEEL_CMDLINE:-}" \
	"$G/cpuid.elf name=cpuid mem=4M" \
	"$G/timer.elf name=timer mem=4M" \
	"$G/spin.elf name=light mem=4M weight=256 cpus=0 -- runtime_ms=3000 name=light" \
	"$G/spin.elf name=heavy mem=4M weight=512 cpus=0 -- runtime_ms=3000 name=heavy" \
	"$G/spin.elf name=alone mem=4M cpus=1 -- runtime_ms=3000 name=alone"
echo "run-demo: Keel in Bochs with 2 CPUs and 5 guests (serial log: $dir/serial.txt)" >&2
exec sh scripts/run-bochs.sh --follow "$dir/keel-demo.iso" "$dir/serial.txt" 2 600
