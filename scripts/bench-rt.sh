#!/bin/sh
# scripts/bench-rt.sh: `make bench`'s embedded figures: a real-time domain's timer latency alone
# and with noisy neighbours on its CPU, in TSC ticks (programmed TSC deadline to the guest's handler),
# and the doorbell round trip and copy rate through a region two domains share.
#
# Bochs runs at 100 MHz emulated (BOCHS_IPS=100000000) with `clock: sync=none`: the TSC counts
# instructions, so the figures are instruction path lengths and repeat exactly from run to run.
# guests/rt_deadline.c has a 1 ms period, 100 us of work, reservation 300us/1ms; the neighbours
# are two CPU-bound fair-share domains (weights 2:1) and a hypercall flooder, as in
# tests/boot/bochs-guests-rt.test. Prints "rt-latency: alone: median N p99 N max N (TSC ticks over
# P periods, misses M)" and the same for "noisy". Then the shared-memory figures of
# guests/shm_pair.c on two CPUs (tests/boot/bochs-guests-shm.test without its intruder, 100 pings): "shm:
# doorbell round trip N TSC ticks (median of 100); copy into the region N, inside RAM N bytes per
# 1000 ticks, ratio R". Exits 1 if a run did not report.
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
sh scripts/mkiso.sh "$BUILD/keel" "$dir/shm.iso" "" \
	"$BUILD/guests/shm_pair.elf name=a mem=4M cpus=0 shm=ring:64K@0xe0000000:rw,peek:16K@0xe0100000:rw -- role=a rounds=10 pings=100" \
	"$BUILD/guests/shm_pair.elf name=b mem=4M cpus=1 shm=ring:64K@0xd0000000:rw -- role=b rounds=10 pings=100" \
	"$BUILD/guests/shm_pair.elf name=reader mem=4M cpus=1 on_crash=restart shm=peek:16K@0xc0000000:ro -- role=reader" >/dev/null
sh scripts/run-bochs.sh "$dir/shm.iso" "$dir/serial-shm.txt" 2 600 >/dev/null 2>&1 || true
rtt=$(tr -d '\r' <"$dir/serial-shm.txt" | sed -n 's/.*BENCH shm_doorbell_rtt=\([0-9]*\).*/\1/p' | tail -n 1)
copy=$(tr -d '\r' <"$dir/serial-shm.txt" |
	sed -n 's/.*BENCH shm_copy_region=\([0-9]*\) shm_copy_ram=\([0-9]*\) shm_copy_ratio=\([0-9.]*\).*/copy into the region \1, inside RAM \2 bytes per 1000 ticks, ratio \3/p' |
	tail -n 1)
if [ -z "$rtt" ] || [ -z "$copy" ]; then
	echo "shm: the shared-memory pair did not report; see $dir/serial-shm.txt" >&2
	status=1
else
	echo "shm: doorbell round trip $rtt TSC ticks (median of 100); $copy"
fi
exit "$status"
