#!/usr/bin/env bash
# Builds a guest's root disk: a raw ext4 image made from directories with mke2fs -d.
#
# Usage: boot/rootdisk/mkrootdisk.sh OUT.img SIZE_MIB BUSYBOX OVERLAY_DIR...
# The file system holds a static busybox with its applet links (/sbin/init is busybox init) and
# the overlays copied over the root in order (boot/rootdisk/rootfs has /etc/inittab). No loop
# mount, no root: mke2fs writes the image from the directory. Files are owned by root and dated
# SOURCE_DATE_EPOCH (default 0), and the UUID and hash seed are fixed, so the same inputs give
# the same image.
set -euo pipefail
. "$(dirname "$0")/../initramfs/busybox-tree.sh"
out=$1 size=$2 busybox=$3
shift 3
epoch=${SOURCE_DATE_EPOCH:-0}
# The file system's UUID (its directory hash seed too): fixed, for a reproducible image.
uuid=6b65656c-726f-4f74-8000-786d64613031

mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$out.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

busybox_tree "$root" "$busybox" "$@"
mkdir -p "$root"/{mnt,run,var/lib}
if [ ! -L "$root/sbin/init" ] || [ ! -f "$root/etc/inittab" ]; then
	echo "mkrootdisk: no /sbin/init and /etc/inittab in ${*:-the overlays}" >&2
	exit 1
fi
find "$root" -exec touch -h -d "@$epoch" {} +

# 4 KiB blocks: a disk with 4096-byte sectors can carry it too.
# mke2fs dates the file system E2FSPROGS_FAKE_TIME, unless that is 0.
truncate -s "${size}M" "$tmp/disk.img"
E2FSPROGS_FAKE_TIME=$((epoch ? epoch : 1)) mke2fs -q -F -t ext4 -b 4096 -L keel-root \
	-U "$uuid" -E "hash_seed=$uuid,root_owner=0:0" -d "$root" "$tmp/disk.img"
# mke2fs -d copies each file's change time and owner as they are here: make them the epoch's and
# root's with debugfs (paths from find have no spaces: the overlays are ours).
(cd "$root" && find . -mindepth 1) | sed 's/^\.//' | while IFS= read -r path; do
	echo "sif $path ctime @$epoch"
	echo "sif $path uid 0"
	echo "sif $path gid 0"
done > "$tmp/fixup"
E2FSPROGS_FAKE_TIME=$((epoch ? epoch : 1)) debugfs -w -f "$tmp/fixup" "$tmp/disk.img" \
	>"$tmp/fixup.log" 2>&1
if grep -v '^debugfs\|^sif ' "$tmp/fixup.log" | grep -q .; then
	echo "mkrootdisk: debugfs:" >&2
	grep -v '^debugfs\|^sif ' "$tmp/fixup.log" | head >&2
	exit 1
fi
mv "$tmp/disk.img" "$out"
echo "mkrootdisk: $out: ${size} MiB ext4, $(du -sk "$root" | cut -f1) KiB of files"
