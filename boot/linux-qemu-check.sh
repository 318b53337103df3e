#!/usr/bin/env bash
# Boots the dom0 kernel and initramfs under plain QEMU (TCG, PVH entry): /init must run and power off.
#
# Usage: boot/linux-qemu-check.sh VMLINUX.elf INITRAMFS.cpio.gz [LOG]
# QEMU enters vmlinux.elf through its Xen PHYS32_ENTRY note, as keel will; the serial log
# (default: a temporary file) must show the initramfs marker and the kernel's power-down.
set -euo pipefail
kernel=$1 initrd=$2 log=${3:-}
if [ -z "$log" ]; then
	log=$(mktemp)
	trap 'rm -f "$log"' EXIT
fi
: > "$log"

start=$(date +%s%N)
rc=0
timeout 120 qemu-system-x86_64 -accel tcg -m 512 -kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 keel.test=poweroff" -serial "file:$log" -display none \
	-monitor none -no-reboot || rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
secs=$((ms / 1000)).$(printf %03d $((ms % 1000)))

if [ "$rc" -eq 0 ] && grep -q '^keel-initramfs: init reached' "$log" &&
	grep -q 'reboot: Power down' "$log"; then
	echo "PASS linux-qemu: init reached and powered off in ${secs}s"
	exit 0
fi
echo "FAIL linux-qemu: QEMU exit status $rc after ${secs}s; serial log tail:"
tail -n 30 "$log" | sed 's/^/    /'
exit 1
