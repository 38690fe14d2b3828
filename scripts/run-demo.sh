#!/bin/sh
# scripts/run-demo.sh: `make run`: boots Keel in Bochs with Linux dom0 and leaves you at its
# shell, console here.
#
# Default (KEEL_DEMO=dom0): Debian 12's stock kernel as dom0 with Keel's dom0 image
# (scripts/dom0-rootfs.sh: keel, keel-xenstored, keel-consoled, blkback) in its shell mode; a
# guest config is ready at /etc/keel/demo.cfg: `keel create /etc/keel/demo.cfg -c` starts the
# guest "demo" (the same kernel, its ext4 disk xvda on /mnt, a shell on its console; Ctrl-]
# leaves it). `poweroff` in dom0 ends the run.
#
# KEEL_DEMO=partition: no dom0; boot-time domains: Debian 12's stock kernel with a busybox
# shell on its console (fetched by scripts/linux-cache.sh into ${KEEL_CACHE:-~/.cache/keel}),
# the CPUID and timer checks, and two
# CPU-bound domains weighted 1:2 sharing CPU 0 while a third spins on CPU 1. Keys typed here go to
# Keel's serial port a line at a time; Ctrl-A three times moves the input focus to the next
# domain (Linux first).
# When Linux cannot be fetched, the same demo runs without it. Keel powers the machine off when the
# last domain has ended (`exit` in Linux's shell); Ctrl-C ends the run at any time.
# Environment: KEEL_CMDLINE (Keel's command line), KEEL_RUN_TIMEOUT (seconds, default 3600),
# KEEL_NO_LINUX=1 (the demo without Linux).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
G=$BUILD/guests
dir=$BUILD/run
timeout=${KEEL_RUN_TIMEOUT:-3600}
mkdir -p "$dir"

if [ "${KEEL_DEMO:-dom0}" = dom0 ]; then
	echo "run-demo: fetching Debian's Linux kernel and building dom0's image" \
		"(scripts/linux-cache.sh, scripts/dom0-rootfs.sh)" >&2
	sh scripts/linux-cache.sh --flavour stock >"$dir/linux-cache.log" 2>&1 || {
		echo "run-demo: no Linux kernel: $(tail -n 1 "$dir/linux-cache.log")" >&2
		exit 1
	}
	kernel=$(sh scripts/linux-cache.sh --flavour stock --print kernel)
	export BUILD
	sh scripts/dom0-rootfs.sh "$BUILD/dom0/rootfs.cpio.gz" >"$dir/dom0-rootfs.log" 2>&1 || {
		echo "run-demo: dom0's image: $(tail -n 1 "$dir/dom0-rootfs.log")" >&2
		exit 1
	}
	sh scripts/mkiso.sh "$BUILD/keel" "$dir/keel-dom0.iso" "dom0_mem=256M ${KEEL_CMDLINE:-}" \
		"$kernel dom0 vcpus=2 -- console=hvc0 earlyprintk=xen keel.dom0=shell" \
		"$BUILD/dom0/rootfs.cpio.gz type=ramdisk"
	cat >&2 <<EOF
run-demo: Keel in Bochs with 2 CPUs and Debian's kernel as dom0 (serial log: $dir/serial.txt).
run-demo: dom0 takes about 5 to 10 minutes to boot under Bochs. When "KEEL-DOM0: shell ready"
run-demo: shows, each line you type (Enter sends it) goes to dom0's shell ("(d0) ..." lines):
run-demo:   keel list                              the domains
run-demo:   keel create /etc/keel/demo.cfg -c      a Debian guest with a disk, its shell here
run-demo:                                          (minutes to boot; Ctrl-] leaves its console)
run-demo:   keel top, keel uptime, keel destroy demo, keel dmesg, keel help
run-demo: 'poweroff' in dom0 ends the run; Ctrl-C at any time.
EOF
	BOCHS_MEM_MB=${BOCHS_MEM_MB:-512}
	export BOCHS_MEM_MB
	exec sh scripts/run-bochs.sh --follow "$dir/keel-dom0.iso" "$dir/serial.txt" 2 "$timeout"
fi


set -- \
	"$G/cpuid.elf name=cpuid mem=4M" \
	"$G/timer.elf name=timer mem=4M" \
	"$G/spin.elf name=light mem=4M weight=256 cpus=0 -- runtime_ms=3000 name=light" \
	"$G/spin.elf name=heavy mem=4M weight=512 cpus=0 -- runtime_ms=3000 name=heavy" \
	"$G/spin.elf name=alone mem=4M cpus=1 -- runtime_ms=3000 name=alone"

linux=0
if [ "${KEEL_NO_LINUX:-0}" != 1 ]; then
	echo "run-demo: fetching Debian's Linux kernel (scripts/linux-cache.sh)" >&2
	if sh scripts/linux-cache.sh >"$dir/linux-cache.log" 2>&1; then
		kernel=$(sh scripts/linux-cache.sh --print kernel)
		initrd=$(sh scripts/linux-cache.sh --print shell-initramfs)
		# Linux first: it is d1, the first domain Ctrl-A x3 reaches from Keel.
		set -- "$kernel name=linux mem=256M vcpus=1 -- console=hvc0" \
			"$initrd type=ramdisk" "$@"
		linux=1
	else
		echo "run-demo: no Linux kernel ($(tail -n 1 "$dir/linux-cache.log"));" \
			"running the demo without Linux" >&2
	fi
fi

sh scripts/mkiso.sh "$BUILD/keel" "$dir/keel-demo.iso" "${KEEL_CMDLINE:-}" "$@"
if [ "$linux" = 1 ]; then
	cat >&2 <<EOF
run-demo: Keel in Bochs with 2 CPUs: Linux (d1) and 5 test guests (serial log: $dir/serial.txt)
run-demo: Linux takes minutes to boot under Bochs. When "KEEL-LINUX: shell ready" shows,
run-demo: press Ctrl-A three times, then Enter: Keel says "console: input goes to d1 'linux'",
run-demo: and each line you type (Enter sends it) goes to Linux's shell; its output shows as
run-demo: "(d1) ..." lines. Ctrl-A x3 + Enter moves the input on; 'exit' ends Linux, Ctrl-C the run.
EOF
	BOCHS_MEM_MB=${BOCHS_MEM_MB:-512}
	export BOCHS_MEM_MB
else
	echo "run-demo: Keel in Bochs with 2 CPUs and 5 guests (serial log: $dir/serial.txt)" >&2
fi
exec sh scripts/run-bochs.sh --follow "$dir/keel-demo.iso" "$dir/serial.txt" 2 "$timeout"
