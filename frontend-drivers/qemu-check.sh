#!/usr/bin/env bash
# Boots the test guests under plain QEMU (no hypervisor) to check the guest library itself.
#
# Usage: frontend-drivers/qemu-check.sh [GUEST_DIR]   (default build/guests)
# Without Xen CPUID leaves the guests print to port 0xE9 and end through
# isa-debug-exit, so QEMU exits with (reason << 1) | 1; a triple fault
# resets the machine, which -no-reboot turns into exit status 0.
set -uo pipefail
dir=${1:-build/guests}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0

# guest | command line | QEMU exit status | start of a line the console must show
cases=(
	"hello|hello=world foo=bar|1|guest: PASS hello"
	"exceptions||1|guest: PASS exceptions"
	"cpuid||7|guest: FAIL cpuid"	# no Xen leaves, AMD vendor under TCG
	"triplefault||0|guest: triple-faulting now"
	"shutdown|reason=poweroff|1|guest: shutting down with reason poweroff"
	"shutdown|reason=reboot|3|guest: shutting down with reason reboot"
	"shutdown|reason=suspend|5|guest: shutting down with reason suspend"
	"shutdown|reason=crash|7|guest: shutting down with reason crash"
)

for c in "${cases[@]}"; do
	IFS='|' read -r guest args want line <<<"$c"
	log=$out/$guest.txt
	rm -f "$log"
	timeout 30 qemu-system-x86_64 -machine q35 -accel tcg -m 128 \
		-kernel "$dir/$guest.elf" -append "$args" -display none \
		-serial none -debugcon "file:$log" -no-reboot \
		-device isa-debug-exit,iobase=0x501,iosize=2
	rc=$?
	if [[ $rc == "$want" ]] && grep -q "^$line" "$log"; then
		echo "PASS qemu $guest $args"
	else
		echo "FAIL qemu $guest $args: exit $rc (want $want), console:"
		sed 's/^/    /' "$log"
		failed=1
	fi
done
exit $failed
