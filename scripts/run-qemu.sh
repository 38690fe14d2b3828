#!/bin/sh
# scripts/run-qemu.sh: boots an ISO interactively in QEMU with COM1 on the terminal (`make run`).
#
# Usage: run-qemu.sh ISO [extra qemu args...]      (SMP=N sets the CPU count, default 2)
# Uses KVM (-enable-kvm -cpu host,+vmx) only when the host has usable nested VT-x: the vmx flag in
# /proc/cpuinfo plus a loaded kvm_intel with nested on, and /dev/kvm writable; the existence of
# /dev/kvm alone proves nothing (see docs on emulators). Otherwise TCG with -cpu max, which has
# no VMX: VT-x code needs scripts/run-bochs.sh. KEEL_QEMU_KVM=0 forces TCG.
# Quit QEMU with Ctrl-A x.
set -eu

[ $# -ge 1 ] || { echo "usage: $0 ISO [extra qemu args...]" >&2; exit 2; }
iso=$1
shift
[ -f "$iso" ] || { echo "run-qemu: ISO '$iso' not found" >&2; exit 1; }

have_nested_vmx() {
	grep -qw vmx /proc/cpuinfo 2>/dev/null || return 1
	[ -d /sys/module/kvm_intel ] || return 1
	case "$(cat /sys/module/kvm_intel/parameters/nested 2>/dev/null || echo N)" in
	Y | y | 1) ;;
	*) return 1 ;;
	esac
	[ -r /dev/kvm ] && [ -w /dev/kvm ]
}

if [ "${KEEL_QEMU_KVM:-auto}" != 0 ] && have_nested_vmx; then
	set -- -enable-kvm -cpu host,+vmx "$@"
	echo "run-qemu: KVM with nested VMX" >&2
else
	set -- -cpu max "$@"
	echo "run-qemu: TCG (no VMX; use scripts/run-bochs.sh for VT-x code); quit with Ctrl-A x" >&2
fi

exec qemu-system-x86_64 -M pc -m 256 -smp "${SMP:-2}" -cdrom "$iso" -nographic -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@"
