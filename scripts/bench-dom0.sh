#!/bin/sh
# scripts/bench-dom0.sh: `make bench`'s split-driver figures (docs/benchmarks.md): Keel with
# Debian's stock kernel as dom0 (keel.dom0=bench, scripts/dom0-rootfs.sh's image) in Bochs; dom0
# times its own read and write of a 32 MiB image and a 16 MiB HTTP fetch over loopback, then
# `keel create /etc/keel/bench.cfg` (create to unpause timed) starts a guest that does the same
# through blkfront/blkback and netfront/netback over the bridge. Prints dom0's "bench: ..." lines:
# "bench: blk-read: guest X MiB/s, dom0 Y MiB/s, ratio R", blk-write, net-get, and the create
# time. Times are Bochs' emulated time (/proc/uptime, 10 ms), so only the ratios carry over to
# hardware. Exit status 1 when a figure is missing.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
dir=$BUILD/bench
mkdir -p "$dir"
export BUILD

if ! sh scripts/linux-cache.sh --flavour stock >"$dir/linux-cache.log" 2>&1; then
	echo "split-drivers: skipped: the kernel cannot be fetched ($(tail -n 1 "$dir/linux-cache.log"))"
	exit 0
fi
kernel=$(sh scripts/linux-cache.sh --flavour stock --print kernel)
sh scripts/dom0-rootfs.sh "$BUILD/dom0/rootfs.cpio.gz" >"$dir/dom0-rootfs.log" 2>&1 || {
	echo "split-drivers: dom0's image: $(tail -n 1 "$dir/dom0-rootfs.log")" >&2
	exit 1
}
sh scripts/mkiso.sh "$BUILD/keel" "$dir/dom0.iso" "dom0_mem=256M" \
	"$kernel dom0 vcpus=2 -- console=hvc0 earlyprintk=xen keel.dom0=bench" \
	"$BUILD/dom0/rootfs.cpio.gz type=ramdisk" >/dev/null
BOCHS_MEM_MB=512 sh scripts/run-bochs.sh "$dir/dom0.iso" "$dir/dom0-serial.txt" 2 2400 \
	>/dev/null 2>&1 || true
tr -d '\r' <"$dir/dom0-serial.txt" | sed -n 's/.*KEEL-DOM0: bench: /split-drivers: /p' >"$dir/dom0-bench.txt"
cat "$dir/dom0-bench.txt"
for f in blk-read blk-write net-get; do
	grep -q "split-drivers: $f: guest .* ratio" "$dir/dom0-bench.txt" || {
		echo "split-drivers: no $f figure; see $dir/dom0-serial.txt" >&2
		exit 1
	}
done
