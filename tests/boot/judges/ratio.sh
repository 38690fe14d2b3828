#!/bin/sh
# tests/boot/judges/ratio.sh: judges CPU shares: `ratio.sh A B WANT PCT LOG` passes when the final
# iteration counts of spin guests A and B (lines "SPIN <name> iterations=<n>") stand in the ratio
# B/A = WANT within PCT percent.
set -eu
[ $# -eq 5 ] || { echo "usage: $0 NAME_A NAME_B WANT PCT LOG" >&2; exit 2; }
a=$(sed -n "s/.*SPIN $1 iterations=\([0-9][0-9]*\).*/\1/p" "$5" | tail -n 1)
b=$(sed -n "s/.*SPIN $2 iterations=\([0-9][0-9]*\).*/\1/p" "$5" | tail -n 1)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" -gt 0 ] || { echo "no final SPIN lines for $1 and $2"; exit 1; }
# Integer arithmetic in per-mille: ratio = 1000 * b / a against 1000 * WANT +- PCT%.
ratio=$((1000 * b / a))
want=$((1000 * $3))
lo=$((want * (100 - $4) / 100))
hi=$((want * (100 + $4) / 100))
echo "$2/$1 = $ratio/1000 (want $want/1000 +-$4%: $lo..$hi; $1=$a $2=$b)"
[ "$ratio" -ge "$lo" ] && [ "$ratio" -le "$hi" ]
