#!/usr/bin/env bash
# The guests test's post-run check: the guests disk as Bochs left it, read with debugfs.
#
# Usage: tests/emu/guests/check.sh DIR (run-tests.sh's check= hook; DIR/disk.img is the disk).
# Its ext4 must be clean (dom0 unmounted it) and hold dom0's /from-dom0, `seq 1 1000`.
set -euo pipefail
disk=$1/disk.img
say() { echo "guests-check: $*"; }
fail() { say "FAIL: $*"; exit 1; }

[ -f "$disk" ] || fail "no $disk"
e2fsck -f -n "$disk" >"$1/check-fsck.txt" 2>&1 || fail "e2fsck finds errors (check-fsck.txt)"
say "the guests disk's ext4 is clean"
got=$(debugfs -R 'cat /from-dom0' "$disk" 2>/dev/null | sha256sum | cut -d' ' -f1)
want=$(seq 1 1000 | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] || fail "/from-dom0 has sha256 $got, want $want"
say "dom0's /from-dom0 is on the guests disk"
