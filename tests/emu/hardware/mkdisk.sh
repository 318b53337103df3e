#!/usr/bin/env bash
# Builds the hardware test's IDE disk: a raw ext4 image with a file of known content and a guest root.
#
# Usage: tests/emu/hardware/mkdisk.sh OUT.img GUEST_ROOT.img
# The file system (label keel-hw, no partition table: dom0 mounts /dev/sda) holds
#   /keel-test/known          1050000 bytes, `seq -w 1 150000`, whose sha256 dom0's test knows
#   /keel-test/guest-root.img a copy of GUEST_ROOT.img, the domU's disk (keel-blkback serves it)
# and room for what dom0 and the domU write. Its size is a multiple of 16 heads x 63 sectors x
# 512 bytes (Bochs derives the geometry from it). mke2fs -d, no loop mount, no root; the UUID,
# hash seed and dates are fixed, so the same inputs give the same image.
set -euo pipefail
out=$1 guest=$2
epoch=${SOURCE_DATE_EPOCH:-0}
uuid=6b65656c-6877-4f74-8000-786d64613032
# 130 cylinders: 67092480 bytes, 64 MiB less a little.
size=$((130 * 16 * 63 * 512))

tmp=$(mktemp -d "$out.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/keel-test"
seq -w 1 150000 >"$tmp/root/keel-test/known"
cp "$guest" "$tmp/root/keel-test/guest-root.img"
find "$tmp/root" -exec touch -h -d "@$epoch" {} +

truncate -s "$size" "$tmp/disk.img"
E2FSPROGS_FAKE_TIME=$((epoch ? epoch : 1)) mke2fs -q -F -t ext4 -b 4096 -L keel-hw \
	-U "$uuid" -E "hash_seed=$uuid,root_owner=0:0" -d "$tmp/root" "$tmp/disk.img"
mv "$tmp/disk.img" "$out"
echo "mkdisk: $out: $size bytes, ext4 with /keel-test/known and guest-root.img"
