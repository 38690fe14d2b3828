#!/bin/sh
# tests/tools/xenstored.sh: keel-xenstored on a temporary socket, driven by Debian's xenstore-utils.
# Usage: xenstored.sh DAEMON   Prints one "PASS name" / "FAIL name: why" line per check.
set -u

daemon=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/keel-xs.XXXXXX")
XENSTORED_PATH=$dir/socket
export XENSTORED_PATH
"$daemon" --foreground --no-domains --socket "$XENSTORED_PATH" --log-file "$dir/log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT INT TERM
i=0
while [ ! -S "$XENSTORED_PATH" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done

check() { # check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		echo "PASS $1"
	else
		echo "FAIL $1: expected '$2', got '$3'"
	fi
}

check socket-up yes "$([ -S "$XENSTORED_PATH" ] && echo yes || echo no)"
check domain0-name Domain-0 "$(xenstore-read /local/domain/0/name 2>&1)"
xenstore-write /test/a hello /test/b world
check write-read hello "$(xenstore-read /test/a 2>&1)"
check list "a b" "$(xenstore-list /test 2>&1 | tr '\n' ' ' | sed 's/ $//')"
check ls-shows-value 'b = "world"' "$(xenstore-ls /test 2>&1 | grep '^b')"
check exists yes "$(xenstore-exists /test/a && echo yes || echo no)"
check exists-missing no "$(xenstore-exists /test/nope 2>/dev/null && echo yes || echo no)"
xenstore-chmod /test/a r0 w5
check chmod "(r0,w5)" "$(xenstore-ls -p /test 2>&1 | grep '^a' | sed 's/.*(\(.*\))$/(\1)/')"
timeout 3 xenstore-watch -n 2 /test/w >"$dir/watch" 2>&1 &
wpid=$!
sleep 0.5
xenstore-write /test/w/x 1
wait "$wpid"
check watch-event "/test/w /test/w/x" "$(tr '\n' ' ' <"$dir/watch" | sed 's/ $//')"
xenstore-rm /test/a
check rm no "$(xenstore-exists /test/a 2>/dev/null && echo yes || echo no)"
check read-missing-fails failed "$(xenstore-read /test/a >/dev/null 2>&1 && echo ok || echo failed)"
check bad-path-rejected failed "$(xenstore-write '/bad//path' x >/dev/null 2>&1 && echo ok || echo failed)"
long=/$(printf '%04000d' 0)
check long-path-rejected failed "$(xenstore-write "$long" x >/dev/null 2>&1 && echo ok || echo failed)"
xenstore-write relative/node 5
check relative-path 5 "$(xenstore-read /local/domain/0/relative/node 2>&1)"
check ls-domain0 'name = "Domain-0"' "$(xenstore-ls /local/domain/0 2>&1 | grep '^name')"
check daemon-alive yes "$(kill -0 "$pid" 2>/dev/null && echo yes || echo no)"
