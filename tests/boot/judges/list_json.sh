#!/bin/sh
# tests/boot/judges/list_json.sh: parses what `keel list -j NAME` printed in dom0 (the lines
# "KEEL-DOM0: keel list -j: ...") as JSON with jq and checks the documented fields:
# `list_json.sh NAME STATE LOG` passes when it is an array of one object whose name is NAME,
# state STATE, domid a number above 0, vcpus, memory_kib, max_memory_kib and cpu_time_ns numbers,
# privileged false, and (STATE shutdown) shutdown_reason a number.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 NAME STATE LOG" >&2; exit 2; }
command -v jq >/dev/null 2>&1 || { echo "jq missing (scripts/deps.sh installs it)"; exit 1; }
# Its JSON lines only (the test's own "keel list -j: NAME gone" verdicts are not).
json=$(sed -n 's/.*KEEL-DOM0: keel list -j: //p' "$3" | grep -E '^[][{} ]' || true)
[ -n "$json" ] || { echo "no 'keel list -j' output in the log"; exit 1; }
if printf '%s\n' "$json" | jq -e --arg n "$1" --arg s "$2" '
	length == 1 and (.[0] | .name == $n and .state == $s and (.domid | type) == "number" and
	.domid > 0 and (.vcpus | type) == "number" and (.memory_kib | type) == "number" and
	(.max_memory_kib | type) == "number" and (.cpu_time_ns | type) == "number" and
	.privileged == false and ($s != "shutdown" or (.shutdown_reason | type) == "number"))' \
	>/dev/null 2>&1; then
	echo "keel list -j: $1 is $2, every documented field typed as documented"
else
	echo "keel list -j did not parse as documented: $(printf '%s' "$json" | tr -d '\n' | cut -c1-300)"
	exit 1
fi
