#!/usr/bin/env bash
# Unpacks a Debian linux-image .deb: vmlinuz, config and the Xen modules with their dependencies.
#
# Usage: boot/linux-extract.sh LINUX-IMAGE.deb OUTDIR [BUSYBOX]
# Writes OUTDIR/vmlinuz (last, so it stands for the whole job), OUTDIR/config, OUTDIR/kernel-version
# and OUTDIR/modules/lib/modules/<version>/: the Xen drivers, blkfront,
# netfront, blkback, netback, ext4 (a guest's root on xvda) with the crc32c its checksums ask the
# crypto API for, loop (dom0's phy disks on image files), tun and bridge (dom0's vifs on xenbr0),
# ata_piix, sd_mod and e1000 (a hardware dom0's IDE disk and NIC, docs/hardware.md), what they
# depend on, and the package's
# modules.* files. With BUSYBOX
# (a static busybox that runs here), its depmod writes modules.dep and friends for that subset.
set -euo pipefail
deb=$1 out=$2 busybox=${3:-}

# Module paths under lib/modules/<version>/ to keep (a directory keeps all below it).
wanted=(kernel/drivers/xen kernel/drivers/block/xen-blkfront.ko kernel/drivers/net/xen-netfront.ko
	kernel/drivers/block/xen-blkback kernel/drivers/net/xen-netback
	kernel/fs/ext4 kernel/crypto/crc32c_generic.ko kernel/drivers/block/loop.ko
	kernel/drivers/net/tun.ko kernel/net/bridge/bridge.ko
	kernel/drivers/ata/ata_piix.ko kernel/drivers/scsi/sd_mod.ko
	kernel/drivers/net/ethernet/intel/e1000/e1000.ko)

mkdir -p "$out"
tmp=$(mktemp -d "$out/extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp/root"

vers=("$tmp"/root/lib/modules/*)
if [ ${#vers[@]} -ne 1 ] || [ ! -d "${vers[0]}" ]; then
	echo "linux-extract: expected one lib/modules/<version> in $deb" >&2
	exit 1
fi
ver=${vers[0]##*/}
src=${vers[0]}
dst=$tmp/modules/lib/modules/$ver
if [ ! -f "$tmp/root/boot/vmlinuz-$ver" ]; then
	echo "linux-extract: no boot/vmlinuz-$ver in $deb" >&2
	exit 1
fi

# The module a name refers to: modinfo's names use '_' where file names may have '-'.
declare -A path_of=()
while IFS= read -r f; do
	name=${f##*/}
	name=${name%%.ko*}
	path_of[${name//-/_}]=$f
done < <(cd "$src" && find kernel -name '*.ko*')

# A module's depends= list from its .modinfo section (compressed modules decompressed first).
depends_of() {
	local ko=$src/$1
	case $ko in
	*.ko.xz) xz -dc "$ko" > "$tmp/mod.ko" && ko=$tmp/mod.ko ;;
	*.ko.zst) zstd -qdc "$ko" > "$tmp/mod.ko" && ko=$tmp/mod.ko ;;
	*.ko.gz) gzip -dc "$ko" > "$tmp/mod.ko" && ko=$tmp/mod.ko ;;
	esac
	objcopy -O binary -j .modinfo "$ko" "$tmp/modinfo"
	tr '\0' '\n' < "$tmp/modinfo" | sed -n 's/^depends=//p' | tr ',' '\n'
}

queue=()
for w in "${wanted[@]}"; do
	while IFS= read -r f; do
		queue+=("$f")
	done < <(cd "$src" && find "$w" -name '*.ko*' 2>/dev/null)
done
if [ ${#queue[@]} -eq 0 ]; then
	echo "linux-extract: none of the Xen modules are in $deb" >&2
	exit 1
fi
declare -A keep=()
while [ ${#queue[@]} -gt 0 ]; do
	f=${queue[0]}
	queue=("${queue[@]:1}")
	[ -z "${keep[$f]:-}" ] || continue
	keep[$f]=1
	while IFS= read -r dep; do
		[ -n "$dep" ] || continue
		if [ -z "${path_of[${dep//-/_}]:-}" ]; then
			echo "linux-extract: $f depends on $dep, which is not in $deb" >&2
			exit 1
		fi
		queue+=("${path_of[${dep//-/_}]}")
	done < <(depends_of "$f")
done

mkdir -p "$dst"
for f in "${!keep[@]}"; do
	mkdir -p "$dst/${f%/*}"
	cp -p "$src/$f" "$dst/$f"
done
cp -p "$src"/modules.* "$dst/"
if [ -n "$busybox" ]; then
	"$busybox" depmod -b "$tmp/modules" "$ver"
fi

cp "$tmp/root/boot/config-$ver" "$tmp/config"
echo "$ver" > "$tmp/kernel-version"
rm -rf "$out/modules"
mv "$tmp/modules" "$out/modules"
mv "$tmp/config" "$tmp/kernel-version" "$out/"
mv "$tmp/root/boot/vmlinuz-$ver" "$out/vmlinuz"
# Dated now, not as packaged: make compares it with the .deb it came from.
touch "$out/vmlinuz"
echo "linux-extract: $ver: vmlinuz $(stat -c %s "$out/vmlinuz") bytes, ${#keep[@]} modules" \
	"($(du -sh "$out/modules" | cut -f1))"
