#!/bin/sh
# tests/boot/judges/count.sh: judges how often a line occurs: `count.sh REGEX MIN MAX LOG` passes
# when the number of lines of LOG matching the extended regex REGEX (no spaces: JUDGE is split at
# them, write . instead) is between MIN and MAX.
set -eu
[ $# -eq 4 ] || { echo "usage: $0 REGEX MIN MAX LOG" >&2; exit 2; }
n=$(grep -cE -e "$1" "$4" || true)
echo "$n lines match '$1' (want $2..$3)"
[ "$n" -ge "$2" ] && [ "$n" -le "$3" ]
