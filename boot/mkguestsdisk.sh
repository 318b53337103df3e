#!/usr/bin/env bash
# Builds `make run`'s guests disk: a raw ext4 image (label keel-guests) of a directory and files.
#
# Usage: boot/mkguestsdisk.sh OUT.img DIR [PATH=FILE...]
# The file system holds DIR's contents (guests/: the user's configs, kernels, initrds, disks)
# and each FILE at PATH (the build's shipped kernel, initrd and root disk), with room to spare:
# what it holds plus a quarter, plus 64 MiB. dom0's /init mounts it at /guests. Its size is a
# multiple of 16 heads x 63 sectors x 512 bytes (Bochs derives the geometry from it). mke2fs -d:
# no loop mount, no root; fixed UUID and dates, so the same inputs give the same image.
set -euo pipefail
out=$1 src=$2
shift 2
epoch=${SOURCE_DATE_EPOCH:-0}
uuid=6b65656c-6775-4573-8000-747330303031
cyl=$((16 * 63 * 512))

mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$out.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root"
cp -a "$src/." "$tmp/root/"
rm -f "$tmp/root/.gitignore"
for spec in "$@"; do
	path=${spec%%=*} file=${spec#*=}
	mkdir -p "$tmp/root/$(dirname "$path")"
	cp "$file" "$tmp/root/$path"
done
find "$tmp/root" -exec touch -h -d "@$epoch" {} +

used=$(du -s -B 1 "$tmp/root" | cut -f1)
size=$(((used + used / 4 + (64 << 20) + cyl - 1) / cyl * cyl))
truncate -s "$size" "$tmp/disk.img"
E2FSPROGS_FAKE_TIME=$((epoch ? epoch : 1)) mke2fs -q -F -t ext4 -b 4096 -L keel-guests \
	-U "$uuid" -E "hash_seed=$uuid,root_owner=0:0" -d "$tmp/root" "$tmp/disk.img"
mv "$tmp/disk.img" "$out"
echo "mkguestsdisk: $out: $((size >> 20)) MiB, ext4 keel-guests: $(cd "$tmp/root" &&
	find . -type f | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ')"
