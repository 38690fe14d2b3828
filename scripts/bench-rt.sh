#!/bin/sh
# scripts/bench-rt.sh: `make bench`'s embedded figures: a real-time domain's timer latency alone
# and with noisy neighbours on its CPU, in TSC ticks (programmed TSC deadline to the guest's handler).
#
# Bochs runs at 100 MHz emulated (BOCHS_IPS=100000000) with `clock: sync=none`: the TSC counts
# instructions, so the figures are instruction path lengths and repeat exactly from run to run.
# guests/rt_deadline.c has a 1 ms period, 100 us of work, reservation 300us/1ms; the neighbours
# are two CPU-bound fair-share domains (weights 2:1) and a hypercall flooder, as in
# tests/boot/bochs-guests-rt.test. Prints "rt-latency: alone: median N p99 N max N (TSC ticks over
# P periods, misses M)" and the same for "noisy". Exits 1 if a run did not report.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PERIODS=${RT_PERIODS:-5000}
dir=$BUILD/bench
mkdir -p "$dir"
status=0
rt="$BUILD/guests/rt_deadline.elf name=rt mem=4M rt=300us/1ms prio=10 -- periods=$PERIODS warmup=300 work_us=100 name=rt max_misses=$PERIODS"
span=$((PERIODS + 800))

run() { # NAME MODULES...
	name=$1
	shift
	sh scripts/mkiso.sh "$BUILD/keel" "$dir/rt-$name.iso" "" "$@" >/dev/null
	BOCHS_IPS=100000000 sh scripts/run-bochs.sh "$dir/rt-$name.iso" "$dir/serial-rt-$name.txt" 1 900 \
		>/dev/null 2>&1 || true
	line=$(tr -d '\r' <"$dir/serial-rt-$name.txt" |
		sed -n 's/.*RT rt periods=\([0-9]*\) misses=\([0-9]*\) latency_ticks median=\([0-9]*\) p99=\([0-9]*\) max=\([0-9]*\).*/median \3 p99 \4 max \5 (TSC ticks over \1 periods, misses \2)/p' |
		tail -n 1)
	if [ -z "$line" ]; then
		echo "rt-latency: $name: the real-time guest did not report; see $dir/serial-rt-$name.txt" >&2
		status=1
		return
	fi
	echo "rt-latency: $name: $line"
}

run alone "$rt"
run noisy "$rt" \
	"$BUILD/guests/spin.elf name=heavy mem=4M weight=512 -- runtime_ms=$span report_ms=$span sti=1 name=heavy" \
	"$BUILD/guests/spin.elf name=light mem=4M weight=256 -- runtime_ms=$span report_ms=$span sti=1 name=light" \
	"$BUILD/guests/spin.elf name=flood mem=4M weight=256 -- runtime_ms=$span report_ms=$span sti=1 name=flood hypercalls=1"
exit "$status"
