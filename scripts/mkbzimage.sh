#!/bin/sh
# scripts/mkbzimage.sh: wraps a PVH ELF in a minimal Linux bzImage (boot protocol 2.15) for tests.
#
# Usage: mkbzimage.sh gzip|lz4|xz|zstd|gzip-corrupt ELF OUT
#   gzip          payload: `gzip -9 -n` of ELF (its ISIZE is the size trailer)
#   lz4           payload: `lz4 -l -9` of ELF, then its size (4 bytes, little-endian), as Linux does
#   xz            payload: `xz --check=crc32 --x86 --lzma2=dict=1MiB`, then its size, as Linux does
#   zstd          payload: `zstd -19`, then its size, as Linux does
#   gzip-corrupt  as gzip, with one byte in the middle of the deflate data flipped
# The image: boot sector and 4 setup sectors (setup_sects = 4) holding the setup header (boot flag,
# "HdrS", version 0x020f, payload_offset 0, payload_length), then the payload. No real-mode code:
# only a loader that takes the payload (Keel's PVH path) can start it.
set -eu

[ $# -eq 3 ] || { echo "usage: $0 gzip|lz4|xz|zstd|gzip-corrupt ELF OUT" >&2; exit 2; }
fmt=$1
elf=$2
out=$3
[ -f "$elf" ] || { echo "mkbzimage: '$elf' not found" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-bzimage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The bytes of @1 as a 32-bit little-endian number, as printf octal escapes.
le32() {
	printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) \
		$(($1 >> 24 & 255))
}

# Write the printf format @2 at byte @1 of the setup part.
patch() {
	# shellcheck disable=SC2059 # the format holds the escapes on purpose
	printf "$2" | dd of="$tmp/setup" bs=1 seek="$1" conv=notrunc 2>/dev/null
}

size=$(wc -c <"$elf")
case "$fmt" in
gzip | gzip-corrupt) gzip -9 -n -c <"$elf" >"$tmp/payload" ;;
lz4 | xz | zstd)
	case "$fmt" in
	lz4) lz4 -l -9 -q -f "$elf" "$tmp/payload" ;;
	xz) xz --check=crc32 --x86 --lzma2=dict=1MiB -c <"$elf" >"$tmp/payload" ;;
	zstd) zstd -19 -q -c <"$elf" >"$tmp/payload" ;;
	esac
	# shellcheck disable=SC2059 # the format holds the escapes on purpose
	printf "$(le32 "$size")" >>"$tmp/payload"
	;;
*) echo "mkbzimage: format '$fmt' (gzip, lz4, xz, zstd or gzip-corrupt)" >&2; exit 2 ;;
esac
plen=$(wc -c <"$tmp/payload")
if [ "$fmt" = gzip-corrupt ]; then
	mid=$((plen / 2))
	byte=$(od -An -tu1 -j "$mid" -N1 "$tmp/payload" | tr -d ' ')
	# shellcheck disable=SC2059 # the format holds the escape on purpose
	printf "\\$(printf %03o $((byte ^ 0x55)))" |
		dd of="$tmp/payload" bs=1 seek="$mid" conv=notrunc 2>/dev/null
fi

dd if=/dev/zero of="$tmp/setup" bs=512 count=5 2>/dev/null
patch $((0x1f1)) '\004'
patch $((0x1fe)) '\125\252'
patch $((0x202)) 'HdrS\017\002'
patch $((0x248)) "$(le32 0)$(le32 "$plen")"
mkdir -p "$(dirname "$out")"
cat "$tmp/setup" "$tmp/payload" >"$out.tmp"
mv "$out.tmp" "$out"
