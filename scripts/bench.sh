#!/bin/sh
# scripts/bench.sh: `make bench`: runs the benchmark guest under Bochs and prints its figures.
#
# Bochs runs with `clock: sync=none`, so the TSC advances one tick per emulated instruction and
# the guest-side TSC deltas are instruction counts of each round trip: exact and repeatable.
# First, if scripts/linux-cache.sh can fetch Debian's kernel, its boot as a domain to /init
# (scripts/bench-linux.sh: "linux-boot: instructions to /init = N", "linux-boot: exits to /init =
# N (...)"; KEEL_BENCH_LINUX=0 skips it). Then prints "bench: cpuid=N hypercall=N vmcall=N (TSC
# ticks, median of RUNS)", "evtchn-pingpong: round trip = N TSC ticks (median of 1000)" and the
# same as "bench: evtchn_rtt=N ..." (interdomain event-channel round trip). Exits 1 if a guest
# did not report (after the others have run). Last, the split drivers' throughput against dom0's
# own (scripts/bench-dom0.sh: "split-drivers: blk-read: guest X MiB/s, dom0 Y MiB/s, ratio R").
# Before that, a real-time domain's timer latency and the shared-memory figures
# (scripts/bench-rt.sh: "rt-latency: alone: ...", "rt-latency: noisy: ...", "shm: ...").
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-1000}
dir=$BUILD/bench
mkdir -p "$dir"
status=0

if [ "${KEEL_BENCH_LINUX:-1}" = 0 ]; then
	echo "linux-boot: skipped (KEEL_BENCH_LINUX=0)"
else
	BUILD=$BUILD sh scripts/bench-linux.sh || status=1
fi

sh scripts/mkiso.sh "$BUILD/keel" "$dir/bench.iso" "" \
	"$BUILD/guests/bench.elf name=bench mem=4M -- runs=$RUNS" >/dev/null
sh scripts/run-bochs.sh "$dir/bench.iso" "$dir/serial.txt" 1 300 >/dev/null 2>&1 || true
line=$(tr -d '\r' <"$dir/serial.txt" | sed -n 's/.*BENCH \(cpuid=[0-9]* hypercall=[0-9]* vmcall=[0-9]*\).*/\1/p' | tail -n 1)
if [ -z "$line" ]; then
	echo "bench: the benchmark guest did not report; see $dir/serial.txt" >&2
	exit 1
fi
echo "bench: $line (TSC ticks = instructions under Bochs, median of $RUNS runs)"

# Event-channel round trip between two domains on two CPUs (guests/evtchn_pingpong.c): the
# client's send, the server's upcall and reply, the client's upcall, halted in between. A fixed
# count of rounds, whatever RUNS is, so that the median is always taken over the same runs.
rounds=1000
sh scripts/mkiso.sh "$BUILD/keel" "$dir/evtchn.iso" "" \
	"$BUILD/guests/evtchn_pingpong.elf name=server mem=4M cpus.0=0 -- role=server peer=2 rounds=$rounds" \
	"$BUILD/guests/evtchn_pingpong.elf name=client mem=4M cpus.0=1 -- role=client peer=1 rounds=$rounds" >/dev/null
sh scripts/run-bochs.sh "$dir/evtchn.iso" "$dir/serial-evtchn.txt" 2 600 >/dev/null 2>&1 || true
rtt=$(tr -d '\r' <"$dir/serial-evtchn.txt" | sed -n 's/.*BENCH \(evtchn_rtt=[0-9]*\).*/\1/p' | tail -n 1)
if [ -z "$rtt" ]; then
	echo "bench: the event-channel ping-pong did not report; see $dir/serial-evtchn.txt" >&2
	exit 1
fi
echo "evtchn-pingpong: round trip = ${rtt#evtchn_rtt=} TSC ticks (median of $rounds)"
echo "bench: $rtt (TSC ticks of the client's CPU, two domains on two CPUs, median of $rounds)"

# A real-time domain's timer latency, alone and with noisy neighbours, and the shared-memory
# doorbell and copy figures (scripts/bench-rt.sh).
sh scripts/bench-rt.sh || status=1

# The split drivers against dom0's own I/O, and domain create to entry (scripts/bench-dom0.sh;
# KEEL_BENCH_DOM0=0 skips it: it boots dom0 and a guest, about 15 minutes).
if [ "${KEEL_BENCH_DOM0:-1}" = 0 ]; then
	echo "split-drivers: skipped (KEEL_BENCH_DOM0=0)"
else
	sh scripts/bench-dom0.sh || status=1
fi
exit "$status"
