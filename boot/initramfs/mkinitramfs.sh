#!/usr/bin/env bash
# Builds a gzip'ed newc initramfs: a static busybox with its applet links, plus overlay directories.
#
# Usage: boot/initramfs/mkinitramfs.sh OUT.cpio.gz BUSYBOX OVERLAY_DIR...
# Each overlay is copied over the root in order (boot/initramfs/rootfs has /init). /dev/console is
# a character-device entry written into the archive directly, so no root, mknod or fakeroot is
# needed. Files are owned by root and dated SOURCE_DATE_EPOCH (default 0): the same inputs give
# the same archive.
set -euo pipefail
. "$(dirname "$0")/busybox-tree.sh"
out=$1 busybox=$2
shift 2
epoch=${SOURCE_DATE_EPOCH:-0}

mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$out.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

busybox_tree "$root" "$busybox" "$@"
if [ ! -x "$root/init" ]; then
	echo "mkinitramfs: no executable /init in ${*:-the overlays}" >&2
	exit 1
fi

find "$root" -exec touch -h -d "@$epoch" {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) > "$tmp/root.cpio"

# One newc entry: name, mode, device major:minor. Header and name are padded to 4 bytes.
newc_entry() {
	local name=$1 mode=$2 rmaj=$3 rmin=$4
	local namesize=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 "$mode" 0 0 1 "$epoch" 0 0 0 "$rmaj" "$rmin" "$namesize" 0
	printf '%s\0' "$name"
	printf '%*s' $(((4 - (110 + namesize) % 4) % 4)) '' | tr ' ' '\0'
}
# A second archive after the first: the kernel unpacks them one after the other.
{
	newc_entry dev/console $((0020600)) 5 1
	newc_entry TRAILER!!! 0 0 0
} > "$tmp/dev.cpio"

cat "$tmp/root.cpio" "$tmp/dev.cpio" | gzip -n -9 > "$tmp/initramfs.cpio.gz"
mv "$tmp/initramfs.cpio.gz" "$out"
echo "mkinitramfs: $out: $(stat -c %s "$out") bytes" \
	"($(stat -c %s "$tmp/root.cpio") uncompressed)"
