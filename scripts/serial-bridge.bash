#!/bin/bash
# scripts/serial-bridge.bash: joins Bochs' COM1 socket to the serial log, and types into it.
#
# Usage: serial-bridge.bash PORT SERIAL_LOG stdin|feed [FEED_FILE] [DEADLINE]
# Connects to Bochs' com1 (mode=socket-server on 127.0.0.1:PORT; Bochs waits for this before it
# starts), appends everything Keel writes to SERIAL_LOG, and sends Keel's UART:
#   stdin  this script's standard input, a line at a time (interactive use: `make run`; a
#          terminal stays in its line mode: the line is edited and echoed there, Enter sends it)
#   feed   the steps of FEED_FILE, one a line, "REGEX=>TEXT": wait until the extended regex
#          REGEX (grep -E) appears in SERIAL_LOG (carriage returns removed; the whole log so
#          far), then send TEXT with printf's %b escapes (\n, \t, \\, \xHH, \0NNN)
# Bytes go out one every 20 ms: the emulated 16550 has a 16-byte receive FIFO and Keel empties it
# every 20 ms, so a burst would overflow it. DEADLINE (seconds since 1970, default: an hour from
# now) bounds the connect and every wait. Bash, not sh: it needs bash's /dev/tcp.
# Exit status: 0 when Bochs closed the port (or a feed's deadline passed: the judge decides),
# 1 when it could not connect, 2 on usage.
set -u

if [ $# -lt 3 ] || [ $# -gt 5 ]; then
	echo "usage: $0 PORT SERIAL_LOG stdin|feed [FEED_FILE] [DEADLINE]" >&2
	exit 2
fi
port=$1
serial=$2
mode=$3
feed=${4:-}
deadline=${5:-$(($(date +%s) + 3600))}
case "$mode" in
stdin) ;;
feed) [ -r "$feed" ] || { echo "serial-bridge: no feed file '$feed'" >&2; exit 2; } ;;
*) echo "serial-bridge: mode must be stdin or feed, not '$mode'" >&2; exit 2 ;;
esac

connected=0
while [ "$(date +%s)" -lt "$deadline" ]; do
	if exec 3<>"/dev/tcp/127.0.0.1/$port"; then
		connected=1
		break
	fi 2>/dev/null
	sleep 0.2
done
[ "$connected" = 1 ] || { echo "serial-bridge: could not connect to 127.0.0.1:$port" >&2; exit 1; }

cat <&3 >>"$serial" &
reader=$!

# Send @1's bytes (already unescaped in a file) one at a time, paced.
send_paced() {
	local byte
	while IFS= read -r -d '' -n 1 byte; do
		if [ -z "$byte" ]; then
			printf '\0' >&3 # read gives an empty string for NUL
		else
			printf '%s' "$byte" >&3
		fi
		sleep 0.02
	done || true
}

if [ "$mode" = stdin ]; then
	# Whole lines: `read -n` would switch a terminal out of its line mode. An asynchronous
	# command's stdin would be /dev/null: hand it this one's. The writer is killed when the
	# reader ends (Bochs has gone).
	exec 4<&0
	send_lines() {
		local line
		while IFS= read -r line || [ -n "$line" ]; do
			printf '%s\n' "$line" | send_paced
		done
	}
	LC_ALL=C send_lines <&4 &
	writer=$!
	wait "$reader"
	kill "$writer" 2>/dev/null
	exit 0
fi

while IFS= read -r step || [ -n "$step" ]; do
	[ -n "$step" ] || continue
	case "$step" in
	*'=>'*) ;;
	*) echo "serial-bridge: feed step '$step' has no '=>'" >&2; continue ;;
	esac
	re=${step%%=>*}
	text=${step#*=>}
	until tr -d '\r' <"$serial" | grep -Eq -e "$re"; do
		if ! kill -0 "$reader" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; then
			echo "serial-bridge: '$re' never appeared; stopped feeding" >&2
			kill "$reader" 2>/dev/null
			exit 0
		fi
		sleep 0.2
	done
	echo "serial-bridge: '$re' seen; sending '$text'" >&2
	# shellcheck disable=SC2059 # the step's text is meant to hold escapes
	printf '%b' "$text" | LC_ALL=C send_paced
done <"$feed"
wait "$reader"
exit 0
