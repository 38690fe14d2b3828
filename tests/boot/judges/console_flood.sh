#!/bin/sh
# tests/boot/judges/console_flood.sh: judges a console flood: `console_flood.sh TAG... LOG` passes
# when every bystander TAG printed each of its numbered lines exactly once and intact
# ("(dN) TAG seq=<n> <payload>" for n = 1..L of its "TAG done: lines=L" line) and no byte 0x7f
# or 0x80-0x9f reached the serial log.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 TAG... LOG" >&2; exit 2; }
eval "log=\${$#}"
payload=abcdefghijklmnopqrstuvwxyz-0123456789
bad=$(LC_ALL=C tr -d -c '\177\200-\237' <"$log" | wc -c)
[ "$bad" -eq 0 ] || { echo "$bad bytes 0x7f/0x80-0x9f reached the serial log"; exit 1; }
summary=""
while [ $# -gt 1 ]; do
	tag=$1
	shift
	lines=$(sed -n "s/.*) $tag done: lines=\([0-9][0-9]*\) .*/\1/p" "$log" | tail -n 1)
	[ -n "$lines" ] || { echo "no '$tag done' line"; exit 1; }
	[ "$lines" -gt 0 ] || { echo "$tag printed no numbered line"; exit 1; }
	missing=$(awk -v tag="$tag" -v payload="$payload" -v lines="$lines" '
		{
			i = index($0, ") " tag " seq=")
			if (!i) next
			rest = substr($0, i + length(tag) + 7)
			split(rest, w, " ")
			if (w[2] == payload && rest == w[1] " " payload) seen[w[1] + 0]++
		}
		END {
			for (n = 1; n <= lines; n++) if (seen[n] != 1) printf " %d(x%d)", n, seen[n] + 0
		}' "$log")
	[ -z "$missing" ] || { echo "$tag lines missing, cut or repeated:$missing"; exit 1; }
	summary="$summary $tag=$lines"
done
echo "intact:$summary lines; no DEL/C1 bytes"
