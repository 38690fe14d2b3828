#!/bin/sh
# scripts/run-bochs.sh: runs an ISO headless in Bochs (the VT-x emulator) with COM1 in a file.
#
# Usage: run-bochs.sh [--follow | --feed FILE] ISO SERIAL_LOG [CPUS] [TIMEOUT_SECONDS]
#   --follow     also copy the serial log to the terminal as it grows, and send what is typed on
#                this terminal to Keel's UART (interactive use; a line at a time: the terminal
#                edits and echoes it, Enter sends it; Ctrl-C ends the run)
#   --feed FILE  type into Keel's UART from FILE's "REGEX=>TEXT" steps as the log shows REGEX
#                (scripts/serial-bridge.bash; boot tests' INPUT key)
# With either, COM1 is a TCP socket on 127.0.0.1 (Bochs' socket-server mode, on a free port from
# 20000 up) that scripts/serial-bridge.bash joins to SERIAL_LOG; without, COM1 writes the file.
# Writes next to SERIAL_LOG: bochsrc, bochs.rc (debugger script), bochs.log (Bochs' own log),
# bochs.out (its stdout/stderr). Exit status: 0 when Bochs exited by itself (Bochs' own status
# means nothing: judge from the serial log), 124 when it was killed at the timeout, 2 on usage.
# Environment: BOCHS_CPU_MODEL, the emulated CPU (default corei7_skylake_x; e.g.
# corei7_sandy_bridge_2600k: XSAVE and AVX without XSAVES or AVX-512, corei5_arrandale_m520: no XSAVE);
# BOCHS_MEM_MB, the machine's RAM in MiB (default 256; Bochs' guest and host memory alike).
# BOCHS_IPS, emulated instructions per second (default 10000000; sets the emulated clock, not the
# speed: at 100000000 a guest sees a 100 MHz CPU and emulated time runs about half as fast as wall time).
# BOCHS_COM2=1 adds a second UART (COM2: ports 0x2f8-0x2ff, IRQ 3) writing to com2.out next to
# SERIAL_LOG, for tests that give it to a domain (default: no COM2, as before).
# BOCHS_TIME0, the seconds since 1970 the CMOS clock starts at (default 946681200; Bochs is run
# with TZ=UTC so that its RTC holds UTC). BOCHS_DISK, a raw disk image for ata0-slave (flat
# mode; its size must be whole cylinders of 16 heads and 63 sectors: 516,096 bytes each).
set -eu

follow=0
feed=""
case "${1:-}" in
--follow)
	follow=1
	shift
	;;
--feed)
	[ $# -ge 2 ] || { echo "usage: $0 [--follow | --feed FILE] ISO SERIAL_LOG [CPUS] [TIMEOUT]" >&2; exit 2; }
	feed=$2
	[ -r "$feed" ] || { echo "run-bochs: feed file '$feed' not found" >&2; exit 2; }
	shift 2
	;;
esac
if [ $# -lt 2 ] || [ $# -gt 4 ]; then
	echo "usage: $0 [--follow | --feed FILE] ISO SERIAL_LOG [CPUS] [TIMEOUT_SECONDS]" >&2
	exit 2
fi
iso=$1
serial=$2
cpus=${3:-1}
timeout=${4:-180}
case "$cpus$timeout" in
*[!0-9]*)
	echo "run-bochs: CPUS and TIMEOUT must be numbers" >&2
	exit 2
	;;
esac
model=${BOCHS_CPU_MODEL:-corei7_skylake_x}
time0=${BOCHS_TIME0:-946681200}
case "$time0" in
'' | *[!0-9]*)
	echo "run-bochs: BOCHS_TIME0 '$time0' is not a number of seconds" >&2
	exit 2
	;;
esac
case "$model" in
'' | *[!a-z0-9_]*)
	echo "run-bochs: BOCHS_CPU_MODEL '$model' is not a Bochs CPU model name" >&2
	exit 2
	;;
esac
ips=${BOCHS_IPS:-10000000}
case "$ips" in
'' | *[!0-9]*)
	echo "run-bochs: BOCHS_IPS '$ips' is not a number of instructions per second" >&2
	exit 2
	;;
esac
mem=${BOCHS_MEM_MB:-256}
case "$mem" in
'' | *[!0-9]*)
	echo "run-bochs: BOCHS_MEM_MB '$mem' is not a number of MiB" >&2
	exit 2
	;;
esac
[ -f "$iso" ] || { echo "run-bochs: ISO '$iso' not found" >&2; exit 2; }
disk_line=""
disk=${BOCHS_DISK:-}
if [ -n "$disk" ]; then
	case "$disk" in
	*,* | *'"'*) echo "run-bochs: disk image path '$disk' has a comma or quote" >&2; exit 2 ;;
	esac
	[ -f "$disk" ] || { echo "run-bochs: disk image '$disk' not found" >&2; exit 2; }
	bytes=$(wc -c <"$disk")
	cylinder=$((16 * 63 * 512))
	if [ "$bytes" -eq 0 ] || [ $((bytes % cylinder)) -ne 0 ]; then
		echo "run-bochs: disk image '$disk' is $bytes bytes, not whole cylinders of $cylinder" >&2
		exit 2
	fi
	disk_line="ata0-slave: type=disk, mode=flat, path=$disk, cylinders=$((bytes / cylinder)), heads=16, spt=63"
fi
com2_line=""
case "${BOCHS_COM2:-0}" in
0) ;;
1) com2_line="com2: enabled=1, mode=file, dev=$(dirname "$serial")/com2.out" ;;
*)
	echo "run-bochs: BOCHS_COM2 '${BOCHS_COM2}' is not 0 or 1" >&2
	exit 2
	;;
esac
command -v bochs >/dev/null 2>&1 || { echo "run-bochs: bochs missing (run scripts/deps.sh)" >&2; exit 2; }

dir=$(dirname "$serial")
mkdir -p "$dir"
rm -f "$serial" "$dir/bochs.log" "$dir/bochs.out" "$dir/bridge.log" "$dir/com2.out"
: >"$serial"

# COM1: the file, or a socket that the bridge joins to the file (and to the terminal or a feed).
com1="mode=file, dev=$serial"
port=""
if [ "$follow" = 1 ] || [ -n "$feed" ]; then
	command -v bash >/dev/null 2>&1 || { echo "run-bochs: bash missing (for /dev/tcp)" >&2; exit 2; }
	# A port nothing answers on: start from one of this process's own, step past busy ones.
	port=$((20000 + $$ % 20000))
	tries=0
	while bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; do
		tries=$((tries + 1))
		[ "$tries" -lt 50 ] || { echo "run-bochs: no free TCP port for COM1" >&2; exit 2; }
		port=$((port + 1))
	done
	com1="mode=socket-server, dev=127.0.0.1:$port"
fi

# Bochs splits lines at commas before substituting variables, so write the values in directly.
# "sound: driver=dummy": without it Debian's Bochs can abort in its ALSA mixer thread
# ("buffer overflow detected") on machines without a sound card, even with the speaker off.
cat >"$dir/bochsrc" <<EOF
# Generated by scripts/run-bochs.sh
display_library: term
memory: guest=$mem, host=$mem
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
vga: extension=none
cpu: model=$model, count=$cpus, ips=$ips, reset_on_triple_fault=0
pci: enabled=1, chipset=i440fx
clock: sync=none, time0=$time0
ata0-master: type=cdrom, path=$iso, status=inserted
$disk_line
boot: cdrom
com1: enabled=1, $com1
$com2_line
log: $dir/bochs.log
panic: action=fatal
error: action=report, cpu0=ignore
debug: action=ignore
mouse: enabled=0
speaker: enabled=0
sound: driver=dummy
EOF
echo c >"$dir/bochs.rc"

TZ=UTC TERM=dumb bochs -q -f "$dir/bochsrc" -rc "$dir/bochs.rc" </dev/null >"$dir/bochs.out" 2>&1 &
pid=$!

# The bridge: its connect and waits end by the run's own deadline.
bridgepid=""
if [ -n "$feed" ]; then
	bash "$(dirname "$0")/serial-bridge.bash" "$port" "$serial" feed "$feed" \
		"$(($(date +%s) + timeout))" </dev/null 2>"$dir/bridge.log" &
	bridgepid=$!
elif [ "$follow" = 1 ]; then
	exec 4<&0 # an asynchronous command's stdin would be /dev/null
	bash "$(dirname "$0")/serial-bridge.bash" "$port" "$serial" stdin "" \
		"$(($(date +%s) + timeout))" <&4 2>"$dir/bridge.log" &
	bridgepid=$!
fi

tailpid=""
if [ "$follow" = 1 ]; then
	tail -n +1 -f "$serial" &
	tailpid=$!
fi
stop_tail() {
	if [ -n "$bridgepid" ]; then
		# Bochs is gone, so is its socket: the bridge's reader drains it and the bridge ends.
		wait "$bridgepid" 2>/dev/null || true
		bridgepid=""
	fi
	if [ -n "$tailpid" ]; then
		sleep 0.3
		kill "$tailpid" 2>/dev/null || true
		wait "$tailpid" 2>/dev/null || true
		tailpid=""
	fi
}
# Debian's Bochs ignores SIGTERM: an interrupted run is ended with SIGKILL.
trap 'kill -KILL "$pid" 2>/dev/null || true; stop_tail; exit 130' INT TERM

# Poll five times a second until Bochs exits or the deadline passes.
ticks=$((timeout * 5))
while kill -0 "$pid" 2>/dev/null; do
	if [ "$ticks" -le 0 ]; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		stop_tail
		echo "run-bochs: timed out after ${timeout}s, killed Bochs (pid $pid)" >&2
		exit 124
	fi
	sleep 0.2
	ticks=$((ticks - 1))
done
wait "$pid" 2>/dev/null || true
stop_tail
exit 0
