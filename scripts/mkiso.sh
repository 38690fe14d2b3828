#!/bin/sh
# scripts/mkiso.sh: builds a BIOS GRUB rescue ISO that boots a Keel image with multiboot2.
#
# Usage: mkiso.sh KERNEL OUT.iso "CMDLINE" ["MODULE_FILE [module args]"]...
# Each optional extra argument adds one multiboot2 module: its first word is a file (copied to
# /boot/modules/), the rest of the argument is that module's command line.
set -eu

usage() {
	echo "usage: $0 KERNEL OUT.iso \"CMDLINE\" [\"MODULE_FILE [args]\"]..." >&2
	exit 2
}

[ $# -ge 3 ] || usage
kernel=$1
out=$2
cmdline=$3
shift 3

[ -f "$kernel" ] || { echo "mkiso: kernel '$kernel' not found" >&2; exit 1; }
command -v grub-mkrescue >/dev/null 2>&1 || {
	echo "mkiso: grub-mkrescue missing (run scripts/deps.sh)" >&2
	exit 1
}

# GRUB's script syntax would interpret these characters; refuse instead of mangling.
case "$cmdline" in
*[\"\'\\\$\;\{\}\|\&\<\>]* | *"
"*)
	echo "mkiso: command line '$cmdline' has characters GRUB would interpret" >&2
	exit 1
	;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-iso.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/boot/grub" "$(dirname "$out")"
cp "$kernel" "$tmp/boot/keel"

{
	echo "set timeout=0"
	echo "set default=0"
	echo "serial --unit=0 --speed=115200"
	echo "terminal_input serial console"
	echo "terminal_output serial console"
	echo "set gfxpayload=text"
	echo "menuentry \"Keel\" {"
	echo "	multiboot2 /boot/keel $cmdline"
} >"$tmp/boot/grub/grub.cfg"

n=0
for mod in "$@"; do
	file=${mod%% *}
	if [ "$file" = "$mod" ]; then args=""; else args=" ${mod#* }"; fi
	[ -f "$file" ] || { echo "mkiso: module '$file' not found" >&2; exit 1; }
	mkdir -p "$tmp/boot/modules"
	name="$n-$(basename "$file")"
	cp "$file" "$tmp/boot/modules/$name"
	echo "	module2 /boot/modules/$name$args" >>"$tmp/boot/grub/grub.cfg"
	n=$((n + 1))
done

{
	echo "	boot"
	echo "}"
} >>"$tmp/boot/grub/grub.cfg"

# Deterministic output: fixed timestamps for the files and for xorriso's volume dates.
: "${SOURCE_DATE_EPOCH:=946684800}"
export SOURCE_DATE_EPOCH
find "$tmp" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# BIOS only (-d i386-pc), no fonts/locales/themes: small and fast. All GRUB modules stay in:
# restricting them makes GRUB print "file not found" for every partition map it probes.
log="$tmp.log"
if ! grub-mkrescue -d /usr/lib/grub/i386-pc -o "$out" \
	--fonts= --locales= --themes= --compress=no \
	"$tmp" -- -volume_date all_file_dates "=$SOURCE_DATE_EPOCH" \
	-volume_date uuid "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d%H%M%S00)" >"$log" 2>&1; then
	cat "$log" >&2
	rm -f "$log"
	echo "mkiso: grub-mkrescue failed" >&2
	exit 1
fi
rm -f "$log"
