#!/bin/sh
# scripts/linux-cache.sh: fetches Debian 12's Linux kernel and busybox into a cache outside the tree.
#
# Usage: linux-cache.sh [--flavour stock|cloud] [--print DIR|kernel|initramfs|shell-initramfs]
#   stock  the kernel linux-image-amd64 depends on (linux-image-6.1.0-N-amd64; XZ payload)
#   cloud  the one linux-image-cloud-amd64 depends on (linux-image-6.1.0-N-cloud-amd64; LZ4)
# Leaves in ${KEEL_CACHE:-$HOME/.cache/keel}/linux/:
#   FLAVOUR/vmlinuz       the kernel's bzImage as Debian ships it (FLAVOUR/package: its name)
#   initramfs.cpio.gz     busybox-static and an /init that mounts proc, sys and devtmpfs, prints
#                         "KEEL-LINUX: init reached", "KEEL-LINUX: online CPUs: <online list>",
#                         "KEEL-LINUX: uname -r: ...", "KEEL-LINUX: date: ...", then `poweroff -f`
#   initramfs-shell.cpio.gz the same lines, then "KEEL-LINUX: shell ready on hvc0 ...", then an
#                         interactive busybox shell (prompt "linux#") on the console as its
#                         controlling terminal; `poweroff -f` when it exits (`make run`)
# Packages come from `apt-get download` (never installed) and are unpacked with `dpkg-deb -x`.
# A second run reuses what is there (the kernel is fetched again only when the metapackage now
# names another one). apt's package lists are updated first when they are missing (needs root).
# --print prints only that path (after fetching what is missing). Exit status 0, or 1 with a
# message saying what to do. Nothing here is ever committed to the tree.
set -eu

flavour=stock
print=""
while [ $# -gt 0 ]; do
	case "$1" in
	--flavour)
		[ $# -ge 2 ] || { echo "usage: $0 [--flavour stock|cloud] [--print WHAT]" >&2; exit 2; }
		flavour=$2
		shift 2
		;;
	--print)
		[ $# -ge 2 ] || { echo "usage: $0 [--flavour stock|cloud] [--print WHAT]" >&2; exit 2; }
		print=$2
		shift 2
		;;
	*)
		echo "usage: $0 [--flavour stock|cloud] [--print DIR|kernel|initramfs|shell-initramfs]" >&2
		exit 2
		;;
	esac
done
case "$flavour" in
stock) meta=linux-image-amd64 ;;
cloud) meta=linux-image-cloud-amd64 ;;
*) echo "linux-cache: unknown flavour '$flavour' (stock or cloud)" >&2; exit 2 ;;
esac
case "$print" in
'' | DIR | kernel | initramfs | shell-initramfs) ;;
*) echo "linux-cache: --print DIR, kernel, initramfs or shell-initramfs, not '$print'" >&2; exit 2 ;;
esac

cache=${KEEL_CACHE:-$HOME/.cache/keel}/linux
kdir=$cache/$flavour
initramfs=$cache/initramfs.cpio.gz
shell_initramfs=$cache/initramfs-shell.cpio.gz
mkdir -p "$kdir"

say() {
	[ -n "$print" ] || echo "linux-cache: $*"
}

die() {
	echo "linux-cache: $*" >&2
	exit 1
}

need_root_hint() {
	if [ "$(id -u)" -ne 0 ]; then
		die "$1; run as root (apt-get update needs it) or fetch once as root with KEEL_CACHE=$(dirname "$cache")"
	fi
	die "$1"
}

updated=0
apt_update() {
	[ "$updated" = 0 ] || return 1
	updated=1
	[ "$(id -u)" -eq 0 ] || return 1
	say "apt-get update (package lists missing or stale)"
	apt-get update -qq >"$cache/apt-update.log" 2>&1 || die "apt-get update failed (see $cache/apt-update.log)"
}

# The package a metapackage depends on (the current ABI's kernel), from apt's lists.
resolve_depends() {
	apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
		--no-enhances "$1" 2>/dev/null |
		sed -n "s/^ *Depends: \\($2\\)\$/\\1/p" | head -n 1
}

# Fetch @1 (a package name) into @2 (an empty or stale directory) and unpack it there.
fetch_unpack() {
	pkg=$1
	dest=$2
	rm -rf "$dest.tmp"
	mkdir -p "$dest.tmp/deb"
	if ! (cd "$dest.tmp/deb" && apt-get download -q "$pkg" >../download.log 2>&1); then
		if apt_update; then
			(cd "$dest.tmp/deb" && apt-get download -q "$pkg" >../download.log 2>&1) ||
				die "apt-get download $pkg failed (see $dest.tmp/download.log)"
		else
			need_root_hint "apt-get download $pkg failed (see $dest.tmp/download.log)"
		fi
	fi
	for deb in "$dest.tmp"/deb/*.deb; do
		[ -f "$deb" ] || die "apt-get download $pkg left no .deb"
		dpkg-deb -x "$deb" "$dest.tmp/root"
	done
	rm -rf "$dest"
	mv "$dest.tmp" "$dest"
}

command -v apt-cache >/dev/null 2>&1 || die "apt-cache missing: this script needs Debian's apt"
command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb missing: this script needs Debian's dpkg"

# ---- the kernel ----
pkg=$(resolve_depends "$meta" 'linux-image-[0-9][^ ]*')
if [ -z "$pkg" ] && apt_update; then
	pkg=$(resolve_depends "$meta" 'linux-image-[0-9][^ ]*')
fi
have=""
[ -f "$kdir/package" ] && [ -f "$kdir/vmlinuz" ] && have=$(cat "$kdir/package")
if [ -z "$pkg" ]; then
	[ -n "$have" ] || need_root_hint "apt knows no $meta (no package lists?)"
	say "apt cannot resolve $meta now; reusing the cached $have"
	pkg=$have
fi
if [ "$have" = "$pkg" ]; then
	say "kernel: $pkg (cached)"
else
	say "kernel: fetching $pkg (the kernel $meta depends on)"
	fetch_unpack "$pkg" "$kdir/pkg"
	set -- "$kdir"/pkg/root/boot/vmlinuz-*
	[ -f "$1" ] || die "$pkg holds no /boot/vmlinuz-*"
	cp "$1" "$kdir/vmlinuz.tmp"
	mv "$kdir/vmlinuz.tmp" "$kdir/vmlinuz"
	# Keep the bzImage only: the modules are not needed by these tests (about 400 MB unpacked).
	rm -rf "$kdir/pkg"
	echo "$pkg" >"$kdir/package"
fi

# ---- busybox and the initramfs images ----
# Unpack busybox-static into $cache/busybox/root (fetched once; its .deb is kept).
busybox_root() {
	[ -x "$cache/busybox/root/bin/busybox" ] && return 0
	set -- "$cache"/busybox/deb/*.deb
	if [ -f "$1" ]; then
		dpkg-deb -x "$1" "$cache/busybox/root"
	else
		say "initramfs: fetching busybox-static"
		fetch_unpack busybox-static "$cache/busybox"
	fi
	[ -x "$cache/busybox/root/bin/busybox" ] || die "busybox-static holds no /bin/busybox"
	# shellcheck disable=SC2016 # dpkg-deb expands ${Package}, not the shell
	dpkg-deb -W --showformat='${Package} ${Version}\n' "$cache"/busybox/deb/*.deb \
		>"$cache/busybox/package"
}

# What both /init scripts start with: busybox's links, /dev, /proc, /sys, the report.
init_head() {
	cat <<'EOF'
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "KEEL-LINUX: init reached"
echo "KEEL-LINUX: online CPUs: $(cat /sys/devices/system/cpu/online)"
echo "KEEL-LINUX: uname -r: $(uname -r)"
echo "KEEL-LINUX: date: $(date)"
EOF
}

init_report() {
	echo '#!/bin/busybox sh'
	echo "# /init of Keel's Linux boot tests (scripts/linux-cache.sh): report, then power off."
	init_head
	cat <<'EOF'
echo "KEEL-LINUX: powering off"
poweroff -f
EOF
}

# The shell runs on the console (hvc0) as its controlling terminal (setsid + cttyhack), so job
# control and Ctrl-C work. With the tty's echo off, busybox's shell leaves its line editing (and
# its cursor queries, which Keel's line-by-line console would show as "?[6n") to the kernel's
# line mode; the typist's own terminal echoes. The prompt ends its line.
init_shell() {
	echo '#!/bin/busybox sh'
	echo "# /init of Keel's interactive Linux domain (scripts/linux-cache.sh): report, a shell on"
	echo "# the console, power off when it exits."
	init_head
	cat <<'EOF'
tty=$(cat /sys/class/tty/console/active)
tty=${tty##* }
stty -echo <"/dev/$tty"
export HOME=/ TERM=dumb PS1='linux#
'
echo "KEEL-LINUX: shell ready on $tty (exit powers off)"
setsid cttyhack sh
echo "KEEL-LINUX: shell exited; powering off"
poweroff -f
EOF
}

# Build the initramfs @1 with the /init that function @2 prints.
build_initramfs() {
	out=$1
	tree=$out.tree
	command -v cpio >/dev/null 2>&1 || die "cpio missing (run scripts/deps.sh)"
	busybox_root
	rm -rf "$tree"
	mkdir -p "$tree/bin" "$tree/dev" "$tree/proc" "$tree/sys"
	cp "$cache/busybox/root/bin/busybox" "$tree/bin/busybox"
	# The kernel opens /dev/console for /init; without root there is no node and /init
	# reopens its output on devtmpfs' console instead.
	if [ "$(id -u)" -eq 0 ]; then
		mknod -m 600 "$tree/dev/console" c 5 1
	fi
	"$2" >"$tree/init"
	chmod 755 "$tree/init"
	find "$tree" -exec touch -h -d @946684800 {} +
	(cd "$tree" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet | gzip -9n) >"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$tree"
	say "initramfs: $out ($(cat "$cache/busybox/package"))"
}

if [ -f "$initramfs" ] && [ -f "$cache/busybox/package" ]; then
	say "initramfs: $initramfs (cached, $(cat "$cache/busybox/package"))"
else
	build_initramfs "$initramfs" init_report
fi
if [ -f "$shell_initramfs" ] && [ -f "$cache/busybox/package" ]; then
	say "initramfs: $shell_initramfs (cached, $(cat "$cache/busybox/package"))"
else
	build_initramfs "$shell_initramfs" init_shell
fi
rm -rf "$cache/busybox/root"

case "$print" in
DIR) echo "$cache" ;;
kernel) echo "$kdir/vmlinuz" ;;
initramfs) echo "$initramfs" ;;
shell-initramfs) echo "$shell_initramfs" ;;
*)
	say "kernel $kdir/vmlinuz"
	say "initramfs $initramfs"
	say "shell initramfs $shell_initramfs"
	;;
esac
