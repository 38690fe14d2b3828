#!/bin/sh
# scripts/bench-linux.sh: `make bench`'s Linux part: Debian's stock kernel as a 1-vCPU domain, start to /init.
#
# Usage: bench-linux.sh [--parse SERIAL_LOG]
# Boots the kernel of scripts/linux-cache.sh (stock flavour, with its busybox initramfs, whose
# /init powers off at once) under Bochs (scripts/run-bochs.sh: `clock: sync=none`, so the TSC
# advances one tick per emulated instruction, and by the ticks Bochs skips while a CPU halts)
# and prints, from the serial log alone (no hypervisor code of its own):
#   linux-boot: instructions to /init = N ...   TSC ticks from Keel's "domain: dN 'linux'
#       started" line to the "Run /init as init process" line reaching Keel's console (their
#       Keel timestamps times Keel's calibrated TSC rate, "tsc: F MHz"), and the same from the
#       guest's own clock (its "Run /init" timestamp times its "Detected F MHz TSC"), which starts
#       later than the domain (at the kernel's TSC setup) and so counts fewer
#   linux-boot: exits to /init = N (reason A, ...)   the VM exits Keel counted for the domain's
#       vCPU by reason, printed when it is destroyed: start to poweroff, which /init does at once
#   linux-boot: vLAPIC: ...   the virtual LAPIC's counters of the same lines
# If the kernel cannot be fetched it says so and exits 0 (the bench goes on without it); exit
# status 1 when the domain did not reach /init or the log lacks a figure. --parse only reads an
# existing serial log (e.g. build/tests/boot/bochs-linux-1vcpu/serial.log).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
dir=$BUILD/bench/linux
log=$dir/serial.txt

if [ "${1:-}" = "--parse" ]; then
	[ $# -eq 2 ] || { echo "usage: $0 [--parse SERIAL_LOG]" >&2; exit 2; }
	log=$2
else
	[ $# -eq 0 ] || { echo "usage: $0 [--parse SERIAL_LOG]" >&2; exit 2; }
	mkdir -p "$dir"
	if ! sh scripts/linux-cache.sh --flavour stock >"$dir/linux-cache.log" 2>&1; then
		echo "linux-boot: skipped: the kernel cannot be fetched ($(tail -n 1 "$dir/linux-cache.log"))"
		exit 0
	fi
	kernel=$(sh scripts/linux-cache.sh --flavour stock --print kernel)
	initrd=$(sh scripts/linux-cache.sh --flavour stock --print initramfs)
	sh scripts/mkiso.sh "$BUILD/keel" "$dir/linux.iso" "" \
		"$kernel name=linux mem=256M vcpus=1 -- console=hvc0 earlyprintk=xen" \
		"$initrd type=ramdisk" >/dev/null
	# 512 MiB: 256 for the domain, about 64 for the decompressed kernel while it is loaded.
	BOCHS_MEM_MB=512 sh scripts/run-bochs.sh "$dir/linux.iso" "$log" 1 600 >/dev/null 2>&1 || true
fi
[ -f "$log" ] || { echo "linux-boot: no serial log $log" >&2; exit 1; }

tr -d '\r' <"$log" | awk -v logfile="$log" '
function stamp(line) {	# Keel timestamp "[  123.456789] ..." in microseconds
	sub(/^[^[]*\[ */, "", line)
	split(line, p, /[].]/)
	return p[1] * 1000000 + p[2]
}
function mhz_khz(s) {	# "10.002" -> 10002
	split(s, p, ".")
	return p[1] * 1000 + substr(p[2] "000", 1, 3)
}
/tsc: [0-9.]+ MHz \(calibrated/ && !keel_khz {
	for (i = 1; i <= NF; i++) if ($i == "MHz") keel_khz = mhz_khz($(i - 1))
}
/domain: d[0-9]+ .linux. started:/ && !started {
	started = stamp($0)
	for (i = 1; i <= NF; i++) if ($i == "domain:") dom = $(i + 1)
}
/\(d[0-9]+\) .*tsc: Detected [0-9.]+ MHz TSC/ && !guest_khz {
	for (i = 1; i <= NF; i++) if ($i == "MHz") guest_khz = mhz_khz($(i - 1))
}
/\(d[0-9]+\) \[ *[0-9.]+\] Run \/init as init process/ && !init_keel {
	init_keel = stamp($0)
	g = $0
	sub(/^.*\(d[0-9]+\) \[ */, "", g)
	split(g, p, /[].]/)
	init_guest_us = p[1] * 1000000 + p[2]
}
dom != "" && index($0, "  " dom " vCPU ") && / x / {
	line = $0
	sub(/^.* vCPU [0-9]+: /, "", line)
	n = line + 0
	sub(/^[0-9]+ x /, "", line)
	if (line ~ /^vLAPIC /) {
		if (!(line in vl)) vorder[++nv] = line
		vl[line] += n
	} else {
		if (!(line in ex)) eorder[++ne] = line
		ex[line] += n
		exits += n
	}
}
END {
	if (!started || !init_keel) {
		printf "linux-boot: the domain did not reach /init; see %s\n", logfile > "/dev/stderr"
		exit 1
	}
	if (!keel_khz || !guest_khz || !exits) {
		printf "linux-boot: %s lacks the TSC rates or the exit counts\n", logfile > "/dev/stderr"
		exit 1
	}
	# Microseconds times kHz / 1000: TSC ticks, to within the microsecond of the timestamps.
	printf "linux-boot: instructions to /init = %.0f (TSC ticks, Keel: %s started to the guest'\''s \"Run /init\" line, %.6f s at %.3f MHz; the guest'\''s own clock says %.0f, %.6f s from its TSC setup)\n", \
		(init_keel - started) * keel_khz / 1000, dom, (init_keel - started) / 1e6, keel_khz / 1000, \
		init_guest_us * guest_khz / 1000, init_guest_us / 1e6
	# Largest first.
	for (i = 1; i <= ne; i++) for (j = i + 1; j <= ne; j++)
		if (ex[eorder[j]] > ex[eorder[i]]) { t = eorder[i]; eorder[i] = eorder[j]; eorder[j] = t }
	s = ""
	for (i = 1; i <= ne; i++) s = s (i > 1 ? ", " : "") eorder[i] " " ex[eorder[i]]
	printf "linux-boot: exits to /init = %d (%s; counted start to poweroff, which /init does at once)\n", exits, s
	s = ""
	for (i = 1; i <= nv; i++) { v = vorder[i]; sub(/^vLAPIC /, "", v); s = s (i > 1 ? ", " : "") v " " vl[vorder[i]] }
	if (nv) printf "linux-boot: vLAPIC: %s\n", s
}'
