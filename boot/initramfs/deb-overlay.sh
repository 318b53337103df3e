#!/usr/bin/env bash
# Builds an overlay tree of chosen files from Debian packages (dom0's xenstore-utils and bash).
#
# Usage: boot/initramfs/deb-overlay.sh OUTDIR 'PATH...' 'PROGRAM...' DEB...
# Every .deb is unpacked (dpkg-deb -x, nothing installed) into one tree; each PATH (relative to
# the root, shell globs allowed, symlinks kept as they are) is copied to OUTDIR. Each PROGRAM
# (a path in OUTDIR) must then find every shared library it needs inside OUTDIR: the tree's own
# dynamic loader lists them (ld.so --list), so a library left out fails the build, not dom0.
set -euo pipefail
out=$1 paths=$2 programs=$3
shift 3

tmp=$(realpath "$(mktemp -d "$out.XXXXXX")")
trap 'rm -rf "$tmp"' EXIT
for deb in "$@"; do
	dpkg-deb -x "$deb" "$tmp/all"
done
mkdir -p "$tmp/out"
files=()
for p in $paths; do
	found=0
	for f in "$tmp"/all/$p; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		files+=("${f#"$tmp/all/"}")
		found=1
	done
	if ((!found)); then
		echo "deb-overlay: no $p in $*" >&2
		exit 1
	fi
done
# One cp for all: hard links between the files (xenstore-read, -write... are one) stay links.
(cd "$tmp/all" && cp -a --parents "${files[@]}" "$tmp/out/")

ldso=$tmp/out/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
libs=$tmp/out/lib/x86_64-linux-gnu:$tmp/out/usr/lib/x86_64-linux-gnu
for prog in $programs; do
	if ! listing=$("$ldso" --library-path "$libs" --list "$tmp/out/$prog" 2>&1) ||
		grep -q 'not found' <<<"$listing" || grep -v "$tmp/out/\|linux-vdso" <<<"$listing" |
		grep -q '=>'; then
		echo "deb-overlay: $prog needs a library the overlay lacks:" >&2
		echo "$listing" >&2
		exit 1
	fi
done
rm -rf "$out"
mv "$tmp/out" "$out"
echo "deb-overlay: $out: $(du -sh "$out" | cut -f1)"
