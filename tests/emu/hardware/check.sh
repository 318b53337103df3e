#!/usr/bin/env bash
# The hardware test's post-run check: what dom0 and the domU wrote, read from the IDE disk image.
#
# Usage: tests/emu/hardware/check.sh DIR (run-tests.sh's check= hook; DIR/disk.img is the disk
# as Bochs left it). Reads the ext4 image with debugfs (no mount, no root): dom0's
# /keel-test/from-dom0 must hold `seq -w 3000001 3100000`, and the domU's root image
# /debian/root.img (the guests disk's example guest) must hold the root-file its rootfile test wrote
# (tests/emu/rootdisk/usr/libexec/keel/test-rootfile). Prints one line per finding; exits
# nonzero on the first mismatch.
set -euo pipefail
dir=$1
disk=$dir/disk.img
dom0_sha=3e26834c07c6d6d3defe926a71212135dd2f5d0fd8a00982efe421c84f4e8d24
rootfile_sha=5f9539c91512bb0b44727cde52202ae4fec41b1a8b74274259e5cc8a0a354166
say() { echo "hardware-check: $*"; }
fail() { say "FAIL: $*"; exit 1; }

[ -f "$disk" ] || fail "no $disk"
e2fsck -f -n "$disk" >"$dir/check-fsck.txt" 2>&1 || fail "e2fsck finds errors in the IDE disk (check-fsck.txt)"
say "the IDE disk's ext4 is clean (dom0 unmounted /guests)"

got=$(debugfs -R 'cat /keel-test/from-dom0' "$disk" 2>/dev/null | sha256sum | cut -d' ' -f1)
[ "$got" = "$dom0_sha" ] || fail "/keel-test/from-dom0 has sha256 $got, want $dom0_sha"
say "dom0's /keel-test/from-dom0 is in the image: sha256 $got"

debugfs -R "dump /debian/root.img $dir/guest-root.img" "$disk" >/dev/null 2>&1 ||
	fail "cannot copy /debian/root.img out of the image"
e2fsck -f -n "$dir/guest-root.img" >>"$dir/check-fsck.txt" 2>&1 ||
	fail "e2fsck finds errors in the domU's root image (check-fsck.txt)"
got=$(debugfs -R 'cat /var/lib/keel-test/root-file' "$dir/guest-root.img" 2>/dev/null |
	sha256sum | cut -d' ' -f1)
rm -f "$dir/guest-root.img"
[ "$got" = "$rootfile_sha" ] || fail "the domU's root-file has sha256 $got, want $rootfile_sha"
say "the domU's root-file is in its image on the IDE disk: sha256 $got"
