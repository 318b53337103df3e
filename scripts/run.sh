#!/usr/bin/env bash
# `make run`: boots build/keel.iso in QEMU/KVM when the host has nested VT-x, else in Bochs.
#
# Keel's console (COM1) comes out on this terminal; Ctrl-C stops the machine.
# Exits with keel's stop status (0 ok, 1 panic, 2 no-vmx, 3 bad-boot, 4 fault), or 1 when
# keel never said how it stopped.
# Environment:
#   KEEL_ISO       the image to boot (default build/keel.iso)
#   KEEL_RUN_EMU   kvm or bochs: skip the check and use that
#   KEEL_RUN_MEGS  guest memory in MiB (default 1024)
#   KEEL_RUN_CPUS  number of CPUs (default 2 under KVM, 1 under Bochs, where a second CPU
#                  makes everything about four times slower even while it idles)
# Bochs's own output and log go to build/run/.
set -euo pipefail

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
iso=$(realpath -m "${KEEL_ISO:-$root/build/keel.iso}")
cd "$root"
. tests/emu/lib.sh

megs=${KEEL_RUN_MEGS:-1024}
cpus=${KEEL_RUN_CPUS:-}
dir=$root/build/run

# nested_vmx_missing: print why QEMU/KVM can't give the guest VT-x; print nothing if it can.
nested_vmx_missing() {
	local nested
	if [[ ! -e /dev/kvm ]]; then
		echo "/dev/kvm absent"
	elif [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
		echo "no access to /dev/kvm"
	elif ! grep -qw vmx /proc/cpuinfo; then
		echo "the host CPU has no VT-x (no vmx flag in /proc/cpuinfo)"
	else
		nested=$(cat /sys/module/kvm_intel/parameters/nested 2>/dev/null || echo "absent")
		[[ $nested == [Y1] ]] ||
			echo "nested VMX is off (/sys/module/kvm_intel/parameters/nested: $nested)"
	fi
}

# status_from_console FILE: keel's stop status from its last "keel: stopped" line, or 1.
status_from_console() {
	local line
	line=$(grep -s -a -o -E 'keel: stopped, status [0-9]+' "$1" | tail -n 1 || true)
	if [[ -n $line ]]; then
		echo "${line##* }"
	else
		echo 1
	fi
}

run_kvm() {
	local rc=0
	mkdir -p "$dir"
	rm -f "$dir/serial.txt"
	# The console also goes to build/run/serial.txt, to read keel's stop status from.
	qemu-system-x86_64 -accel kvm -cpu host,+vmx -m "$megs" -smp "${cpus:-2}" -cdrom "$iso" \
		-chardev "stdio,id=com1,signal=on,logfile=$dir/serial.txt" -serial chardev:com1 \
		-display none -no-reboot -device isa-debug-exit,iobase=0x501,iosize=2 || rc=$?
	# keel writes its status N to port 0x501 and QEMU exits with (N << 1) | 1; 0 means the
	# machine reset (a triple fault, with -no-reboot) or powered off.
	if ((rc == 0)); then
		echo "make run: QEMU exited without keel's exit: triple fault, reset or power-off" >&2
	fi
	exit "$(status_from_console "$dir/serial.txt")"
}

run_bochs() {
	local rc=0 tee_pid status
	mkdir -p "$dir"
	rm -f "$dir/serial.txt"
	# COM1 goes to a file that is really a pipe to tee: this terminal, and serial.txt.
	# (Bochs's com1 "mode=term" is no good: Debian's Bochs 2.7 leaves the terminal with
	# zeroed settings, Ctrl-C disabled and no newline translation.)
	# port_e9_hack stays on although Bochs's copy of port 0xE9 goes only to bochs.out: keel
	# recognises Bochs by port 0xE9 reading back 0xE9, and only then writes "Shutdown".
	keel_bochsrc "$dir/bochsrc" "$iso" /dev/fd/3 "$dir/bochs.log" "$megs" "${cpus:-1}" 1
	trap keel_stop_xvfb EXIT
	if [[ -z ${DISPLAY:-} ]]; then
		keel_start_xvfb "$dir"
	fi
	echo "make run: Bochs's messages go to ${dir#"$root"/}/bochs.out and bochs.log; Ctrl-C stops it"
	exec 3> >(tee -i "$dir/serial.txt")
	tee_pid=$!
	# Debian's Bochs starts at its debugger prompt: "c" continues; at EOF it quits.
	bochs-bin -q -f "$dir/bochsrc" <<<c >"$dir/bochs.out" 2>&1 || rc=$?
	exec 3>&-
	wait "$tee_pid" 2>/dev/null || true
	[[ -z $(tail -c 1 "$dir/serial.txt" 2>/dev/null) ]] || echo # end a cut-off last line
	if grep -s -a -q 'with no resolution' "$dir/bochs.log"; then
		echo "make run: triple fault, Bochs reset the machine (see ${dir#"$root"/}/bochs.log)" >&2
	fi
	if ! grep -s -a -q -E 'keel: stopped, status [0-9]+' "$dir/serial.txt"; then
		echo "make run: Bochs exited ($rc) before keel stopped (see ${dir#"$root"/}/bochs.out)" >&2
	fi
	status=$(status_from_console "$dir/serial.txt")
	exit "$status"
}

# Runs after the emulator has ended, when Ctrl-C made it quit.
trap 'echo "make run: interrupted" >&2; exit 130' INT

if [[ ! -f $iso ]]; then
	echo "make run: $iso missing; build it first (make)" >&2
	exit 1
fi

case ${KEEL_RUN_EMU:-} in
kvm) echo "make run: KEEL_RUN_EMU=kvm — using QEMU/KVM with nested VT-x" && run_kvm ;;
bochs) echo "make run: KEEL_RUN_EMU=bochs — using Bochs (emulated VMX, slow)" && run_bochs ;;
"") ;;
*) echo "make run: KEEL_RUN_EMU must be kvm or bochs" >&2 && exit 2 ;;
esac

why=$(nested_vmx_missing)
if [[ -z $why ]]; then
	echo "make run: KVM with nested VT-x available — using QEMU/KVM (-cpu host,+vmx)"
	run_kvm
else
	echo "make run: $why — using Bochs (emulated VMX, slow)"
	run_bochs
fi
