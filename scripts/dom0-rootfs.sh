#!/bin/sh
# scripts/dom0-rootfs.sh: builds dom0's initramfs from Debian packages (docs/dom0.md).
#
# Usage: dom0-rootfs.sh [OUTPUT]      (default $BUILD/dom0/rootfs.cpio.gz; `make dom0-rootfs`)
# The image holds busybox-static, pciutils' lspci, xenstore-utils' clients, the ELF loader and
# the shared libraries those programs name in their NEEDED entries (resolved against the unpacked
# packages, copied unchanged), the Xen dom0 and IDE-disk modules of the stock kernel the boot
# tests run (scripts/linux-cache.sh's stock flavour) with a modules.dep made by depmod, every
# executable in $BUILD/tools/ (in /usr/sbin, when there are any), the test guests dom0 builds
# domains from ($BUILD/guests/dom0_child.elf, in /usr/lib/keel/guests), the stock kernel and the
# Linux boot tests' initramfs as a guest for dom0 (/usr/lib/keel/linux), the guest configs of
# guests/linux/dom0/*.cfg (/etc/keel) and guests/linux/dom0/init.
# Packages come from `apt-get download` (never installed) and are unpacked with `dpkg-deb -x`
# into ${KEEL_CACHE:-$HOME/.cache/keel}/dom0/ (pkg/NAME/root, kernel/PACKAGE/root); a second
# run reuses them (delete that directory to fetch current versions). The packages' Depends are
# followed, so libraries come from the packages that really provide them.
# Environment: BUILD (default build), KEEL_CACHE, KEEL_DOM0_PACKAGES (more packages to unpack,
# e.g. for a tool's libraries). Exit status 0, or 1 with a message. Nothing here is committed.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
out=${1:-$BUILD/dom0/rootfs.cpio.gz}
cache=${KEEL_CACHE:-$HOME/.cache/keel}
dcache=$cache/dom0
multiarch=x86_64-linux-gnu
# The modules /init loads: Xen's dom0 devices and file system, an IDE disk on PIIX, and the
# block backend with the loop devices it serves image files through, the network backend and
# the bridge its interfaces join.
modules="xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs ata_piix ata_generic sd_mod
xen-blkback loop xen-netback bridge"
# The modules of the Linux guest's initramfs (guests/linux/dom0/guest-init): its disk and the
# file system dom0 made on it.
guest_modules="xen-blkfront crc32c_generic ext4 xen-netfront"
# The packages whose programs go in; their Depends come along.
# Keel's tools (build/tools) link GLib, Xen's device libraries, libxenstore and the kernel
# decompressors (tools/*/*.mk).
tools_packages="libglib2.0-0 libxenevtchn1 libxengnttab1 libxenforeignmemory1 libxenstore4
zlib1g liblzma5 libzstd1 liblz4-1 libjson-c5 libgcc-s1"
# Test guests dom0 builds domains from (keel-testdomain), from $BUILD/guests, when built.
dom0_guests="dom0_child"
packages="busybox-static pciutils xenstore-utils pci.ids e2fsprogs $tools_packages ${KEEL_DOM0_PACKAGES:-}"
xenstore_clients="xenstore-ls xenstore-read xenstore-write xenstore-rm xenstore-watch
xenstore-list xenstore-exists xenstore-chmod"

say() { echo "dom0-rootfs: $*"; }
die() {
	echo "dom0-rootfs: $*" >&2
	exit 1
}

for tool in apt-get dpkg-deb cpio gzip readelf depmod modprobe flock; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool missing (run scripts/deps.sh)"
done
mkdir -p "$dcache/pkg" "$dcache/kernel" "$(dirname "$out")"

# The stock kernel the boot tests boot: linux-cache.sh names it (and fetches it when needed).
flock "$cache/.lock" sh scripts/linux-cache.sh --flavour stock >"$dcache/linux-cache.log" 2>&1 ||
	die "scripts/linux-cache.sh failed: $(tail -n 1 "$dcache/linux-cache.log")"
kpkg=$(cat "$cache/linux/stock/package")

# Download package @1 and unpack it into @2/root; @2/version and @2/depends describe it.
fetch_unpack() {
	rm -rf "$2.tmp"
	mkdir -p "$2.tmp/deb"
	if ! (cd "$2.tmp/deb" && apt-get download -q "$1" >../download.log 2>&1); then
		if [ "$(id -u)" -eq 0 ] && apt-get update -qq >"$2.tmp/update.log" 2>&1 &&
			(cd "$2.tmp/deb" && apt-get download -q "$1" >../download.log 2>&1); then
			:
		else
			die "apt-get download $1 failed (see $2.tmp/download.log; apt-get update needs root)"
		fi
	fi
	set -- "$1" "$2" "$2.tmp"/deb/*.deb
	[ -f "$3" ] || die "apt-get download $1 left no .deb"
	dpkg-deb -x "$3" "$2.tmp/root"
	# shellcheck disable=SC2016 # dpkg-deb expands ${...}, not the shell
	dpkg-deb -W --showformat='${Package} ${Version}\n' "$3" >"$2.tmp/version"
	# shellcheck disable=SC2016
	dpkg-deb -W --showformat='${Pre-Depends}, ${Depends}\n' "$3" >"$2.tmp/depends"
	rm -rf "$2.tmp/deb" "$2"
	mv "$2.tmp" "$2"
}

# Each package once, with the first alternative of every dependency, until nothing is new.
roots=""
todo=$packages
done_pkgs=" "
while [ -n "$(printf '%s' "$todo" | tr -d ' \n')" ]; do
	next=""
	for p in $todo; do
		case "$done_pkgs" in *" $p "*) continue ;; esac
		done_pkgs="$done_pkgs$p "
		d=$dcache/pkg/$p
		if [ ! -f "$d/version" ]; then
			say "fetching $p"
			fetch_unpack "$p" "$d"
		fi
		roots="$roots $d/root"
		deps=$(tr ',' '\n' <"$d/depends" | sed -e 's/|.*//' -e 's/(.*)//' -e 's/:any//' -e 's/ //g')
		next="$next $deps"
	done
	todo=$next
done

# The kernel's modules, with a modules.dep for the whole package made once.
kdir=$dcache/kernel/$kpkg
if [ ! -f "$kdir/version" ]; then
	rm -rf "$dcache/kernel"
	mkdir -p "$dcache/kernel"
	say "fetching $kpkg (for its modules)"
	fetch_unpack "$kpkg" "$kdir"
	rm -rf "$kdir/root/boot"
fi
set -- "$kdir"/root/lib/modules/*/modules.order
[ -f "$1" ] || die "$kpkg holds no lib/modules/VERSION"
kver=$(basename "$(dirname "$1")")
[ -f "$kdir/root/lib/modules/$kver/modules.dep" ] || depmod -b "$kdir/root" "$kver"

# ---- the tree ----
tree=$out.tree
rm -rf "$tree"
mkdir -p "$tree/bin" "$tree/sbin" "$tree/usr/bin" "$tree/usr/sbin" "$tree/dev" "$tree/proc" \
	"$tree/sys" "$tree/run" "$tree/tmp" "$tree/var" "$tree/etc" "$tree/lib/modules/$kver"
ln -s ../run "$tree/var/run"

# Copy the path @1 (absolute, as seen in the image) from the first package root holding it,
# following symbolic links (each link and its target go in).
copy_path() {
	for r in $roots; do
		if [ -e "$r$1" ] || [ -L "$r$1" ]; then
			[ -e "$tree$1" ] || [ -L "$tree$1" ] && return 0
			mkdir -p "$tree$(dirname "$1")"
			cp -a "$r$1" "$tree$1"
			if [ -L "$r$1" ]; then
				target=$(readlink "$r$1")
				case "$target" in
				/*) copy_path "$target" ;;
				*) copy_path "$(dirname "$1")/$target" ;;
				esac
			fi
			return 0
		fi
	done
	return 1
}

# Where the loader looks for a library without ld.so.cache: Debian's multiarch directories.
libdirs="/lib/$multiarch /usr/lib/$multiarch /lib /usr/lib"
# Bring in the loader and the NEEDED libraries of the ELF file @1 (in the tree), recursively.
copy_needed() {
	interp=$(readelf -l "$1" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
	if [ -n "$interp" ]; then
		copy_path "$interp" || die "no unpacked package holds $interp (for $1)"
	fi
	for lib in $(readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		found=""
		for ld in $libdirs; do
			if [ -e "$tree$ld/$lib" ]; then
				found=1
				break
			fi
			if copy_path "$ld/$lib"; then
				found=1
				copy_needed "$(readlink -f "$tree$ld/$lib")"
				break
			fi
		done
		[ -n "$found" ] ||
			die "$1 needs $lib, which no unpacked package holds (name its package in KEEL_DOM0_PACKAGES)"
	done
}

copy_path /bin/busybox || die "busybox-static holds no /bin/busybox"
copy_path /usr/bin/lspci || die "pciutils holds no /usr/bin/lspci"
copy_path /usr/share/misc/pci.ids || say "pci.ids holds no /usr/share/misc/pci.ids: lspci prints numbers"
copy_path /usr/bin/xenstore || die "xenstore-utils holds no /usr/bin/xenstore"
# The clients are one program that looks at its name: links instead of Debian's hard links.
for c in $xenstore_clients; do
	ln -s xenstore "$tree/usr/bin/$c"
done
# glibc loads libgcc_s at run time for pthread_cancel (libxenstore's reader thread), unnamed in
# any NEEDED entry.
copy_path "/lib/$multiarch/libgcc_s.so.1" || copy_path "/usr/lib/$multiarch/libgcc_s.so.1" ||
	die "libgcc-s1 holds no libgcc_s.so.1"
copy_needed "$tree/usr/bin/lspci"
copy_needed "$tree/usr/bin/xenstore"
# e2fsprogs: dom0 makes the guest's ext4 disk and reads it back without mounting it.
for p in /sbin/mke2fs /sbin/debugfs /etc/mke2fs.conf; do
	copy_path "$p" || die "e2fsprogs holds no $p"
done
ln -sf mke2fs "$tree/sbin/mkfs.ext4"
copy_needed "$tree/sbin/mke2fs"
copy_needed "$tree/sbin/debugfs"

# Keel's dom0 tools, when they are built.
tools=""
for t in "$BUILD"/tools/*; do
	if [ ! -f "$t" ] || [ ! -x "$t" ]; then
		continue
	fi
	cp "$t" "$tree/usr/sbin/"
	copy_needed "$tree/usr/sbin/$(basename "$t")"
	tools="$tools $(basename "$t")"
done

# The test guests for dom0's tools to build domains from.
mkdir -p "$tree/usr/lib/keel/guests"
for g in $dom0_guests; do
	if [ -f "$BUILD/guests/$g.elf" ]; then
		cp "$BUILD/guests/$g.elf" "$tree/usr/lib/keel/guests/"
		tools="$tools $g.elf"
	fi
done

# A Linux guest for dom0 to create (guests/linux/dom0/linux.cfg): the same stock kernel, with the
# Linux boot tests' initramfs (report, then power off), from linux-cache.sh's cache.
# The kernel goes in as its vmlinux ELF compressed with zstd (made here, once per kernel, in the
# cache): dom0 decompresses XZ at Bochs speed in minutes, zstd in seconds; libkeel takes both.
mkdir -p "$tree/usr/lib/keel/linux"
vmlinuz=$cache/linux/stock/vmlinuz
vmlinux_zst=$dcache/vmlinux-$kpkg.zst
if [ -f "$vmlinuz" ] && [ ! -f "$vmlinux_zst" ] && command -v zstd >/dev/null 2>&1; then
	# The bzImage's payload (boot protocol: setup_sects at 0x1f1, payload_offset and
	# payload_length at 0x248): XZ, with the kernel's 4-byte size after the stream.
	sects=$(od -An -t u1 -j 497 -N 1 "$vmlinuz" | tr -d ' ')
	[ "$sects" -eq 0 ] && sects=4
	poff=$(od -An -t u4 -j 584 -N 4 "$vmlinuz" | tr -d ' ')
	plen=$(od -An -t u4 -j 588 -N 4 "$vmlinuz" | tr -d ' ')
	if tail -c +$(((sects + 1) * 512 + poff + 1)) "$vmlinuz" | head -c "$plen" |
		xz -dc --single-stream 2>/dev/null | zstd -q -10 -o "$vmlinux_zst.tmp"; then
		mv "$vmlinux_zst.tmp" "$vmlinux_zst"
	else
		rm -f "$vmlinux_zst.tmp"
		say "could not extract $kpkg's vmlinux (not an XZ bzImage?): no Linux guest in the image"
	fi
fi
if [ -f "$vmlinux_zst" ] && [ -f "$cache/linux/initramfs.cpio.gz" ]; then
	cp "$vmlinux_zst" "$tree/usr/lib/keel/linux/vmlinux.zst"
	cp "$cache/linux/initramfs.cpio.gz" "$tree/usr/lib/keel/linux/"
	tools="$tools linux-guest"
fi

# The modules @2.. and what they need, as modprobe resolves them, into tree @1; then depmod.
mroot=$kdir/root
copy_modules() {
	mtree=$1
	shift
	mkdir -p "$mtree/lib/modules/$kver"
	for m in "$@"; do
		deps=$(modprobe -d "$mroot" -S "$kver" --show-depends "$m" 2>&1) ||
			die "$kpkg has no module $m: $deps"
		for path in $(printf '%s\n' "$deps" | sed -n 's/^insmod \([^ ]*\).*/\1/p'); do
			rel=${path#"$mroot"}
			mkdir -p "$mtree$(dirname "$rel")"
			cp "$path" "$mtree$rel"
		done
	done
	# depmod and modprobe want to know what is built in; modules.order only for what is here.
	for f in modules.builtin modules.builtin.modinfo; do
		cp "$mroot/lib/modules/$kver/$f" "$mtree/lib/modules/$kver/"
	done
	(cd "$mtree/lib/modules/$kver" && find kernel -name '*.ko*' | LC_ALL=C sort) >"$mtree/have"
	grep -Fx -f "$mtree/have" "$mroot/lib/modules/$kver/modules.order" \
		>"$mtree/lib/modules/$kver/modules.order" || true
	rm "$mtree/have"
	depmod -b "$mtree" "$kver"
}
# shellcheck disable=SC2086 # word lists
copy_modules "$tree" $modules

# The same image as a cpio archive: reproducible (fixed times, sorted, owned by root).
pack() {
	find "$1" -exec touch -h -d @946684800 {} +
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet | gzip -9n) >"$2"
}

# The Linux guest's own initramfs (guests/linux/dom0/guest-init, busybox, its modules), for the
# guest of linux.cfg: it reports, writes a file on its disk and powers off.
if [ -f "$tree/usr/lib/keel/linux/vmlinux.zst" ]; then
	gtree=$out.guest-tree
	rm -rf "$gtree"
	mkdir -p "$gtree/bin" "$gtree/dev" "$gtree/proc" "$gtree/sys" "$gtree/mnt"
	cp "$tree/bin/busybox" "$gtree/bin/"
	cp guests/linux/dom0/guest-init "$gtree/init"
	chmod 755 "$gtree/init"
	# shellcheck disable=SC2086
	copy_modules "$gtree" $guest_modules
	pack "$gtree" "$tree/usr/lib/keel/linux/guest.cpio.gz"
	rm -rf "$gtree"
fi

cp guests/linux/dom0/init "$tree/init"
mkdir -p "$tree/etc/keel"
cp guests/linux/dom0/child.cfg guests/linux/dom0/bad.cfg guests/linux/dom0/linux.cfg \
	guests/linux/dom0/demo.cfg guests/linux/dom0/bench.cfg \
	"$tree/etc/keel/"
chmod 755 "$tree/init"
# The kernel opens /dev/console for /init; without root there is no node and /init reopens its
# output on devtmpfs' console instead.
if [ "$(id -u)" -eq 0 ]; then
	mknod -m 600 "$tree/dev/console" c 5 1
fi
cat "$dcache"/pkg/*/version "$kdir/version" | LC_ALL=C sort >"$tree/etc/keel-dom0-packages"

pack "$tree" "$out.tmp"
mv "$out.tmp" "$out"
nmods=$(find "$tree/lib/modules" -name '*.ko*' | wc -l)
size=$(du -sk "$tree" | cut -f1)
rm -rf "$tree"
say "$out: kernel $kver ($nmods modules), tools:${tools:- none}; ${size} KiB unpacked, $(($(wc -c <"$out") / 1024)) KiB"
