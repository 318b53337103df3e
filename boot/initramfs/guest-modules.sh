#!/usr/bin/env bash
# Picks a guest's modules (and what they depend on) out of the extracted module tree.
#
# Usage: boot/initramfs/guest-modules.sh MODULES_DIR OUT_DIR BUSYBOX MODULE...
# MODULES_DIR is boot/linux-extract.sh's modules/ (lib/modules/<version>/ below it, with its
# modules.dep); OUT_DIR gets the same layout with only the named modules, their dependencies as
# modules.dep lists them, the modules.builtin* files, and the static BUSYBOX's depmod output for
# that subset. A guest's initramfs carries OUT_DIR as an overlay.
set -euo pipefail
in=$1 out=$2 busybox=$3
shift 3

vers=("$in"/lib/modules/*)
if [ ${#vers[@]} -ne 1 ] || [ ! -f "${vers[0]}/modules.dep" ]; then
	echo "guest-modules: expected one lib/modules/<version> with modules.dep in $in" >&2
	exit 1
fi
src=${vers[0]}
ver=${src##*/}

tmp=$(mktemp -d "$out.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dst=$tmp/lib/modules/$ver
mkdir -p "$dst"

count=0
for name in "$@"; do
	name=${name//-/_}
	# modules.dep: "kernel/path/name.ko: dep.ko dep.ko ...", the closure of its dependencies.
	line=$(awk -v n="$name" '{ m = $1; sub(/:$/, "", m); f = m; sub(/.*\//, "", f);
		sub(/\.ko.*/, "", f); gsub(/-/, "_", f); if (f == n) { print; exit } }' \
		"$src/modules.dep" < /dev/null)
	if [ -z "$line" ]; then
		echo "guest-modules: no module $name in $src/modules.dep" >&2
		exit 1
	fi
	for f in $line; do
		f=${f%:}
		[ ! -e "$dst/$f" ] || continue
		mkdir -p "$dst/${f%/*}"
		cp -p "$src/$f" "$dst/$f"
		count=$((count + 1))
	done
done
cp -p "$src"/modules.builtin* "$src/modules.order" "$dst/"
"$busybox" depmod -b "$tmp" "$ver"

rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "guest-modules: $out: $count modules ($(du -sh "$out" | cut -f1))"
