#!/bin/sh
# scripts/check-symtab-stable.sh: fails the build if linking the symbol table moved any symbol.
#
# Usage: check-symtab-stable.sh PASS1_IMAGE FINAL_IMAGE
# Every symbol except keel_sym* (the table itself) must have the same address and type in both.
# Symbols placed after the start of section .keel_symtab (e.g. an __image_end that follows the
# table) may move, as may nothing else; the section itself must start at the same address.
set -eu

[ $# -eq 2 ] || { echo "usage: $0 PASS1_IMAGE FINAL_IMAGE" >&2; exit 2; }
pass1=$1
final=$2
for f in "$pass1" "$final"; do
	[ -r "$f" ] || { echo "check-symtab-stable: cannot read '$f'" >&2; exit 1; }
done

LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-symtab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# Start address (16 hex digits) of .keel_symtab in image $1, or nothing if it has none.
symtab_start() {
	objdump -h "$1" | awk '$2 == ".keel_symtab" { print tolower($4) }'
}

# "NAME TYPE ADDR" per defined symbol before the table, sorted; undefined ones are dropped.
symbols() {
	nm "$1" | awk -v lim="$2" 'NF == 3 && $3 !~ /^keel_sym/ {
		a = tolower($1)
		if (lim != "" && length(a) == length(lim) && a > lim)
			next
		print $3, $2, a
	}' | sort
}

start1=$(symtab_start "$pass1")
start2=$(symtab_start "$final")
if [ "$start1" != "$start2" ]; then
	echo "check-symtab-stable: section .keel_symtab moved: '$start1' in $pass1, '$start2' in $final" >&2
	exit 1
fi
symbols "$pass1" "$start1" >"$tmp/pass1"
symbols "$final" "$start2" >"$tmp/final"

if ! diff -u "$tmp/pass1" "$tmp/final" >"$tmp/diff"; then
	echo "check-symtab-stable: adding the symbol table moved symbols between $pass1 and $final" >&2
	echo "check-symtab-stable: (.keel_symtab must be the image's last section; '-' pass1, '+' final)" >&2
	grep '^[-+][^-+]' "$tmp/diff" | head -n 20 >&2
	exit 1
fi
