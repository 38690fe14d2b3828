#!/bin/sh
# scripts/boot-test.sh: runs one boot test (tests/boot/NAME.test) in QEMU or Bochs and judges it.
#
# Usage: boot-test.sh tests/boot/NAME.test        (or just NAME)
# A .test file is a shell fragment of KEY=VALUE lines:
#   EMU=qemu|bochs   CPUS=N (default 1)   CMDLINE="..."   TIMEOUT=seconds (default 120)
#   BOCHS_CPU=model  the Bochs CPU model (default corei7_skylake_x; see scripts/run-bochs.sh)
#   BOCHS_IPS=N      Bochs' emulated instructions per second (default 10000000: a 10 MHz clock)
#   BOCHS_TIME0=secs the time Bochs' CMOS clock starts at, in seconds since 1970 (UTC)
#   COM2=1           Bochs gets a second UART (COM2, ports 0x2f8-0x2ff, IRQ 3) writing to
#                    com2.out in the test's directory (default 0: none)
#   EXPECT='regex'      extended regexes (grep -E), one per line, that must all appear
#   FORBID='regex'      regexes, one per line, that must not appear
#                       (default: selftest FAIL, PANIC, BUG as a word)
#   EXPECT_CPUS=N       the last "keel: brought up N CPUs" line must say N
#   EXPECT_RAM=1        "keel: RAM X MiB, free Y MiB" must show 3/4*256 <= X <= 256, 0 < Y <= X
#   MUST_EXIT=1|0       the emulator must power off by itself before TIMEOUT (default 1)
#   MODULES='FILE args' multiboot2 modules, one per line: a file (e.g. $BUILD/guests/cpuid.elf,
#                       $BUILD is replaced) and its module command line (docs/boot-domains.md)
#   MEM=MiB             the machine's RAM (default 256): Bochs' guest and host memory, QEMU's -m
#   DISK=FILE           a raw disk image on the emulator's IDE bus ($BUILD and $DOM0_DISK are
#                       replaced): Bochs' ata0-slave (the ISO is ata0-master), a flat image of
#                       whole 16-head, 63-sector cylinders; QEMU's first IDE disk (the guest's
#                       sda). $DOM0_DISK: scripts/make-test-disk.sh's image (made when missing)
#                       (each run boots a fresh copy of it, in the test's own directory)
#   NEEDS=linux         the test boots Debian's Linux: scripts/linux-cache.sh runs first, and
#                       $LINUX_KERNEL (the bzImage) and $LINUX_INITRD (the busybox initramfs) are
#                       replaced in MODULES ($LINUX_SHELL_INITRD: the one whose /init runs a shell
#                       on the console; $LINUX_CLOUD_KERNEL: the cloud flavour's bzImage).
#                       LINUX_FLAVOUR=stock|cloud picks $LINUX_KERNEL (default stock; the
#                       environment's KEEL_LINUX_FLAVOUR overrides it). run-tests.sh runs these
#                       tests first; KEEL_LINUX_TESTS=0 skips them.
#   LINUX_INIT=FILE     with NEEDS=linux: $LINUX_INITRD gets FILE (a script in the tree) as its
#                       /init, in a second cpio archive after the busybox one, in the same gzip
#                       stream (Linux unpacks the archives in order; the later /init wins)
#   NEEDS=dom0          as NEEDS=linux, and scripts/dom0-rootfs.sh builds dom0's initramfs
#                       first: $DOM0_ROOTFS in MODULES is it (docs/dom0.md)
#   INPUT='REGEX=>TEXT' typing into Keel's UART (Bochs only), one step a line: once REGEX
#                       (grep -E) appears in the serial log, TEXT goes out with printf %b escapes
#                       (\x01 is Ctrl-A, \n Enter); see scripts/serial-bridge.bash
#   JUDGE='script args' an extra judge (tests/boot/judges/), run with the clean serial log as its
#                       last argument; a non-zero exit fails the test with the line it printed
# Judged from the serial log only. Output: "PASS boot/NAME (Ns)" or "FAIL boot/NAME: reasons"
# followed by the end of the serial log. Exit status 0 on pass, 1 on failure.
# Environment: BUILD (default build), KEEL (default $BUILD/keel), KEEL_CACHE (linux-cache.sh's
# cache, default ~/.cache/keel), KEEL_QEMU_KVM=1 (run QEMU tests
# with -enable-kvm -cpu host,+vmx, and the Bochs tests in that QEMU too, since it has VT-x; fails
# the test if the host has no nested VT-x).
# Files: $BUILD/tests/boot/NAME/{keel.iso,serial.log,emu.log,result} (+ Bochs' own files).
set -eu

[ $# -eq 1 ] || { echo "usage: $0 tests/boot/NAME.test" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
case "$1" in
/*) file=$1 ;;
*/* | *.test) file=$(pwd)/$1 ;;
*) file=$root/tests/boot/$1.test ;;
esac
cd "$root"
name=$(basename "$file" .test)
[ -r "$file" ] || { echo "FAIL boot/$name: no test file $1"; exit 1; }

BUILD=${BUILD:-build}
KEEL=${KEEL:-$BUILD/keel}
MEM=256

EMU=""
CPUS=1
CMDLINE=""
TIMEOUT=120
EXPECT=""
FORBID='selftest FAIL
PANIC
\bBUG\b'
EXPECT_CPUS=""
EXPECT_RAM=0
MUST_EXIT=1
MODULES=""
DISK=""
JUDGE=""
INPUT=""
BOCHS_CPU=""
BOCHS_IPS=""
NEEDS=""
LINUX_FLAVOUR=stock
LINUX_INIT=""
BOCHS_TIME0=""
COM2=0
# shellcheck disable=SC1090 # the test definition is chosen at run time
. "$file"

dir=$BUILD/tests/boot/$name
iso=$dir/keel.iso
serial=$dir/serial.log
emulog=$dir/emu.log
mkdir -p "$dir"
rm -f "$serial" "$emulog" "$dir/result" "$dir/serial.clean"

reasons=""
fail() {
	if [ -z "$reasons" ]; then reasons=$1; else reasons="$reasons; $1"; fi
}

finish() {
	if [ -z "$reasons" ]; then
		echo "PASS boot/$name (${elapsed}s)" | tee "$dir/result"
		exit 0
	fi
	echo "FAIL boot/$name: $reasons" | tee "$dir/result"
	if [ -s "$serial" ]; then
		echo "--- last 40 lines of $serial ---"
		tail -n 40 "$clean"
	else
		echo "--- $serial is empty ---"
	fi
	if [ -s "$emulog" ]; then
		echo "--- $emulog (last 10 lines) ---"
		tail -n 10 "$emulog"
	fi
	if [ -s "$dir/bochs.log" ] && grep -q '>>PANIC<<' "$dir/bochs.log"; then
		echo "--- Bochs panics ($dir/bochs.log) ---"
		grep '>>PANIC<<' "$dir/bochs.log" | grep -v 'Shutdown port' | tail -n 10 || true
	fi
	echo "---"
	exit 1
}

have_nested_vmx() {
	grep -qw vmx /proc/cpuinfo 2>/dev/null || return 1
	[ -d /sys/module/kvm_intel ] || return 1
	case "$(cat /sys/module/kvm_intel/parameters/nested 2>/dev/null || echo N)" in
	Y | y | 1) ;;
	*) return 1 ;;
	esac
	[ -r /dev/kvm ] && [ -w /dev/kvm ]
}

elapsed=0
clean=$dir/serial.clean
# With nested KVM, QEMU has VT-x: the tests written for Bochs (guests) run there instead.
if [ "${KEEL_QEMU_KVM:-0}" = 1 ] && [ "$EMU" = bochs ]; then
	EMU=qemu
fi
case "$EMU" in
qemu | bochs) ;;
*) fail "EMU must be qemu or bochs, not '$EMU'"; finish ;;
esac
case "$CPUS$TIMEOUT$MUST_EXIT$EXPECT_RAM$EXPECT_CPUS$MEM" in
*[!0-9]*) fail "CPUS, TIMEOUT, MUST_EXIT, EXPECT_RAM, EXPECT_CPUS and MEM must be numbers"; finish ;;
esac
case "$COM2" in
0 | 1) ;;
*) fail "COM2 must be 0 or 1, not '$COM2'"; finish ;;
esac
[ -f "$KEEL" ] || { fail "kernel $KEEL not built"; finish; }
linux_kernel=""
linux_initrd=""
linux_cloud_kernel=""
linux_shell_initrd=""
dom0_rootfs=""
case "$NEEDS" in
'') ;;
linux | dom0)
	LINUX_FLAVOUR=${KEEL_LINUX_FLAVOUR:-$LINUX_FLAVOUR}
	# One fetch at a time: boot tests run in parallel and share the cache.
	cache=${KEEL_CACHE:-$HOME/.cache/keel}
	mkdir -p "$cache"
	: >"$dir/linux-cache.log"
	fetch_linux() {
		if ! flock "$cache/.lock" sh scripts/linux-cache.sh --flavour "$1" \
			>>"$dir/linux-cache.log" 2>&1; then
			fail "scripts/linux-cache.sh --flavour $1 failed: $(tail -n 1 "$dir/linux-cache.log")"
			finish
		fi
	}
	fetch_linux "$LINUX_FLAVOUR"
	linux_kernel=$(sh scripts/linux-cache.sh --flavour "$LINUX_FLAVOUR" --print kernel)
	linux_initrd=$(sh scripts/linux-cache.sh --flavour "$LINUX_FLAVOUR" --print initramfs)
	# shellcheck disable=SC2016 # the literal text $LINUX_CLOUD_KERNEL, replaced below
	case "$MODULES" in
	*'$LINUX_CLOUD_KERNEL'*)
		fetch_linux cloud
		linux_cloud_kernel=$(sh scripts/linux-cache.sh --flavour cloud --print kernel)
		;;
	esac
	linux_shell_initrd=$(sh scripts/linux-cache.sh --flavour "$LINUX_FLAVOUR" \
		--print shell-initramfs)
	if [ -n "$LINUX_INIT" ]; then
		[ -f "$LINUX_INIT" ] || { fail "LINUX_INIT $LINUX_INIT not found"; finish; }
		rm -rf "$dir/init-overlay"
		mkdir -p "$dir/init-overlay"
		cp "$LINUX_INIT" "$dir/init-overlay/init"
		chmod 755 "$dir/init-overlay/init"
		(cd "$dir/init-overlay" && echo init | cpio -o -H newc -R 0:0 --quiet) \
			>"$dir/init-overlay.cpio"
		# One gzip stream: GRUB unzips a gzip module, sizing it by the last member alone.
		{ gzip -dc "$linux_initrd" && cat "$dir/init-overlay.cpio"; } | gzip -9n \
			>"$dir/initramfs.cpio.gz"
		linux_initrd=$dir/initramfs.cpio.gz
	fi
	if [ "$NEEDS" = dom0 ]; then
		dom0_rootfs=$BUILD/dom0/rootfs.cpio.gz
		if ! flock "$cache/.dom0.lock" env BUILD="$BUILD" sh scripts/dom0-rootfs.sh "$dom0_rootfs" \
			>>"$dir/linux-cache.log" 2>&1; then
			fail "scripts/dom0-rootfs.sh failed: $(tail -n 1 "$dir/linux-cache.log")"
			finish
		fi
	fi
	;;
*) fail "NEEDS must be empty, linux or dom0, not '$NEEDS'"; finish ;;
esac
# shellcheck disable=SC2016 # the literal text $DOM0_DISK, replaced here
case "$DISK" in
*'$DOM0_DISK'*)
	if [ ! -f "$BUILD/dom0/test-disk.img" ] &&
		! BUILD=$BUILD sh scripts/make-test-disk.sh >>"$emulog" 2>&1; then
		fail "scripts/make-test-disk.sh failed"
		finish
	fi
	;;
esac
DISK=$(printf '%s' "$DISK" | sed -e "s|[$]BUILD|$BUILD|g" -e "s|[$]DOM0_DISK|$BUILD/dom0/test-disk.img|g")
[ -z "$DISK" ] || [ -f "$DISK" ] || { fail "disk image $DISK not found"; finish; }
# Each run writes its own copy: the guest may change it, tests may run side by side, and a Bochs
# killed at a timeout leaves its lock file behind, which would keep the next run from opening it.
if [ -n "$DISK" ]; then
	rm -f "$dir/disk.img" "$dir/disk.img.lock"
	cp "$DISK" "$dir/disk.img" || { fail "cannot copy $DISK"; finish; }
	DISK=$dir/disk.img
fi
set --
while IFS= read -r mod; do
	[ -n "$mod" ] || continue
	mod=$(printf '%s' "$mod" |
		sed -e "s|[$]BUILD|$BUILD|g" -e "s|[$]LINUX_KERNEL|$linux_kernel|g" \
			-e "s|[$]LINUX_SHELL_INITRD|$linux_shell_initrd|g" \
			-e "s|[$]LINUX_INITRD|$linux_initrd|g" -e "s|[$]LINUX_CLOUD_KERNEL|$linux_cloud_kernel|g" \
			-e "s|[$]DOM0_ROOTFS|$dom0_rootfs|g")
	[ -f "${mod%% *}" ] || { fail "module ${mod%% *} not built"; finish; }
	set -- "$@" "$mod"
done <<MODEOF
$MODULES
MODEOF
if ! sh scripts/mkiso.sh "$KEEL" "$iso" "$CMDLINE" "$@" >"$emulog" 2>&1; then
	fail "mkiso failed"
	finish
fi

input_opt=""
if [ -n "$INPUT" ]; then
	[ "$EMU" = bochs ] || { fail "INPUT needs EMU=bochs (Bochs' COM1 socket)"; finish; }
	printf '%s\n' "$INPUT" >"$dir/input"
	input_opt="--feed $dir/input"
fi

start=$(date +%s)
timed_out=0
if [ "$EMU" = bochs ]; then
	# In the background so that a TERM/INT here reaches run-bochs.sh, which SIGKILLs Bochs.
	# shellcheck disable=SC2086 # $input_opt is an option and its file, or nothing
	BOCHS_CPU_MODEL=${BOCHS_CPU:-corei7_skylake_x} BOCHS_IPS=${BOCHS_IPS:-10000000} BOCHS_MEM_MB=$MEM BOCHS_TIME0=${BOCHS_TIME0:-946681200} \
		BOCHS_DISK=$DISK BOCHS_COM2=$COM2 \
		sh scripts/run-bochs.sh $input_opt "$iso" "$serial" "$CPUS" "$TIMEOUT" >"$emulog" 2>&1 </dev/null &
	pid=$!
	trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; exit 130' INT TERM
	status=0
	wait "$pid" || status=$?
	trap - INT TERM
	case $status in
	0) ;;
	124) timed_out=1 ;;
	*) fail "run-bochs.sh failed (status $status)" ;;
	esac
else
	accel="-cpu max"
	if [ "${KEEL_QEMU_KVM:-0}" = 1 ]; then
		if have_nested_vmx; then
			accel="-enable-kvm -cpu host,+vmx"
		else
			fail "KEEL_QEMU_KVM=1 but this host has no nested VT-x (vmx flag, kvm_intel nested=1)"
			finish
		fi
	fi
	: >"$serial"
	set --
	[ -z "$DISK" ] || set -- -drive "file=$DISK,format=raw,if=ide,index=0"
	# shellcheck disable=SC2086 # $accel is a list of options
	qemu-system-x86_64 -M pc -m "$MEM" -smp "$CPUS" $accel -display none -no-reboot \
		-serial "file:$serial" -monitor none -cdrom "$iso" "$@" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$emulog" 2>&1 &
	pid=$!
	trap 'kill -KILL "$pid" 2>/dev/null || true; exit 130' INT TERM
	ticks=$((TIMEOUT * 5))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$ticks" -le 0 ]; then
			kill -KILL "$pid" 2>/dev/null || true
			timed_out=1
			break
		fi
		sleep 0.2
		ticks=$((ticks - 1))
	done
	status=0
	wait "$pid" 2>/dev/null || status=$?
	trap - INT TERM
	echo "qemu exit status $status" >>"$emulog"
fi
elapsed=$(($(date +%s) - start))

# Judge from the serial log without carriage returns and terminal escape sequences.
esc=$(printf '\033')
tr -d '\r' <"$serial" | sed "s/$esc\[[0-9;?]*[A-Za-z]//g" >"$clean"

if [ "$timed_out" = 1 ]; then
	if [ "$MUST_EXIT" = 1 ]; then
		fail "timed out after ${TIMEOUT}s (did not power off)"
	fi
fi
while IFS= read -r re; do
	[ -n "$re" ] || continue
	grep -Eq -e "$re" "$clean" || fail "missing '$re'"
done <<EOF
$EXPECT
EOF
while IFS= read -r re; do
	[ -n "$re" ] || continue
	hit=$(grep -E -m 1 -e "$re" "$clean" || true)
	[ -z "$hit" ] || fail "forbidden '$re' seen: $hit"
done <<EOF
$FORBID
EOF
if [ -n "$JUDGE" ]; then
	# shellcheck disable=SC2086 # JUDGE is a script and its arguments
	verdict=$(sh tests/boot/judges/$JUDGE "$clean" 2>&1) || fail "judge: $verdict"
fi
if [ -n "$EXPECT_CPUS" ]; then
	n=$(sed -n 's/.*keel: brought up \([0-9][0-9]*\) CPUs\{0,1\}.*/\1/p' "$clean" | tail -n 1)
	if [ -z "$n" ]; then
		fail "no 'keel: brought up N CPUs' line"
	elif [ "$n" -ne "$EXPECT_CPUS" ]; then
		fail "brought up $n CPUs, expected $EXPECT_CPUS"
	fi
fi
if [ "$EXPECT_RAM" = 1 ]; then
	ram=$(sed -n 's/.*keel: RAM \([0-9][0-9]*\) MiB, free \([0-9][0-9]*\) MiB.*/\1 \2/p' "$clean" |
		tail -n 1)
	if [ -z "$ram" ]; then
		fail "no 'keel: RAM X MiB, free Y MiB' line"
	else
		total=${ram% *}
		free=${ram#* }
		if [ "$total" -lt $((MEM * 3 / 4)) ] || [ "$total" -gt "$MEM" ]; then
			fail "RAM $total MiB for a ${MEM} MiB machine"
		fi
		if [ "$free" -le 0 ] || [ "$free" -gt "$total" ]; then
			fail "free RAM $free MiB of $total MiB"
		fi
	fi
fi
boots=$(grep -c "Booting .Keel" "$clean" || true)
[ "$boots" -le 1 ] || fail "machine rebooted ($boots boots)"
finish
