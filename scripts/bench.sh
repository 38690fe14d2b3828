#!/bin/sh
# scripts/bench.sh: `make bench`: runs the benchmark guest under Bochs and prints its figures.
#
# Bochs runs with `clock: sync=none`, so the TSC advances one tick per emulated instruction and
# the guest-side TSC deltas are instruction counts of each round trip: exact and repeatable.
# Prints "bench: cpuid=N hypercall=N vmcall=N (TSC ticks, median of RUNS)" and exits 1 if the
# guest did not report.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-1000}
dir=$BUILD/bench
mkdir -p "$dir"
sh scripts/mkiso.sh "$BUILD/keel" "$dir/bench.iso" "" \
	"$BUILD/guests/bench.elf name=bench mem=4M -- runs=$RUNS" >/dev/null
sh scripts/run-bochs.sh "$dir/bench.iso" "$dir/serial.txt" 1 300 >/dev/null 2>&1 || true
line=$(tr -d '\r' <"$dir/serial.txt" | sed -n 's/.*BENCH \(cpuid=[0-9]* hypercall=[0-9]* vmcall=[0-9]*\).*/\1/p' | tail -n 1)
if [ -z "$line" ]; then
	echo "bench: the benchmark guest did not report; see $dir/serial.txt" >&2
	exit 1
fi
echo "bench: $line (TSC ticks = instructions under Bochs, median of $RUNS runs)"
