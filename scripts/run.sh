#!/usr/bin/env bash
# `make run`: boots keel (default build/keel.iso) in QEMU/KVM when the host offers nested VT-x
# (Intel) or nested SVM (AMD), else in QEMU's TCG with AMD SVM and nested paging emulated
# (-cpu qemu64,+svm,+npt), which boots make run's system several times faster than Bochs
# (README, "Booting"; docs/hardware.md), else, without QEMU, in Bochs (emulated VT-x).
#
# Keel's console (COM1) is this terminal, both ways: what you type goes to COM1, which keel
# hands to dom0's console (Linux's hvc0 shell under `make run`). Under QEMU, Ctrl-C stops the
# machine. Under Bochs, when stdin and stdout are terminals, the terminal is raw (Ctrl-C goes
# to the guest) and Ctrl-\ ends the run; otherwise COM1 is output only and Ctrl-C stops it.
# Exits with keel's stop status (0 ok, 1 panic, 2 no-vmx, 3 bad-boot, 4 fault), 1 when keel
# never said how it stopped, or 130 when Ctrl-\ or Ctrl-C ended the run first.
# Environment:
#   KEEL_ISO       the image to boot (default build/keel.iso)
#   KEEL_RUN_EMU   kvm, tcg or bochs: skip the check and use that
#   KEEL_RUN_MEGS  guest memory in MiB (default 1024)
#   KEEL_RUN_CPUS  number of CPUs (default 2 under KVM, 1 under TCG and Bochs, where a second
#                  CPU makes everything slower even while it idles)
#   KEEL_RUN_TERM  0: under Bochs, COM1 output only even on a terminal (no socat)
#   KEEL_RUN_DISK  a raw disk image to attach as the PC's IDE disk (make run: build/guests.img,
#                  which dom0 mounts at /guests); dom0 writes to it
# The emulator's own output and log go to build/run/, with COM1's output in serial.txt.
set -euo pipefail

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
iso=$(realpath -m "${KEEL_ISO:-$root/build/keel.iso}")
cd "$root"
. tests/emu/lib.sh

megs=${KEEL_RUN_MEGS:-1024}
disk=${KEEL_RUN_DISK:+$(realpath -m "$KEEL_RUN_DISK")}
if [[ -n $disk && ! -f $disk ]]; then
	echo "make run: disk image $disk missing" >&2
	exit 1
fi
cpus=${KEEL_RUN_CPUS:-}
dir=$root/build/run

# The host's extension by CPU vendor: AMD's SVM, else Intel's VT-x (KVM's module for it).
kvm_cpu=vmx kvm_module=kvm_intel
if grep -q -m1 AuthenticAMD /proc/cpuinfo; then
	kvm_cpu=svm kvm_module=kvm_amd
fi

# nested_missing: print why QEMU/KVM can't give the guest VT-x or AMD SVM (kvm_cpu says which);
# print nothing if it can.
nested_missing() {
	local nested
	if [[ ! -e /dev/kvm ]]; then
		echo "/dev/kvm absent"
	elif [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
		echo "no access to /dev/kvm"
	elif ! grep -qw "$kvm_cpu" /proc/cpuinfo; then
		echo "the host CPU shows no ${kvm_cpu^^} (no $kvm_cpu flag in /proc/cpuinfo)"
	else
		nested=$(cat /sys/module/$kvm_module/parameters/nested 2>/dev/null || echo "absent")
		[[ $nested == [Y1] ]] ||
			echo "nested ${kvm_cpu^^} is off (/sys/module/$kvm_module/parameters/nested: $nested)"
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

# run_qemu ACCEL CPU: QEMU with KVM (-cpu host,+vmx or +svm) or TCG (qemu64,+svm,+npt).
run_qemu() {
	local rc=0
	mkdir -p "$dir"
	rm -f "$dir/serial.txt"
	# The console also goes to build/run/serial.txt, to read keel's stop status from.
	# No NIC: dom0 owns the PC's devices, and nothing here is to reach the host's network.
	# As under Bochs: the CD-ROM on the first IDE channel, the disk the second's master.
	qemu-system-x86_64 -accel "$1" -cpu "$2" -m "$megs" -smp "${cpus:-$3}" \
		-drive "file=$iso,media=cdrom,if=ide,index=0,readonly=on" -boot d \
		${disk:+-drive "file=$disk,format=raw,if=ide,index=2"} -nic none \
		-chardev "stdio,id=com1,signal=on,logfile=$dir/serial.txt" -serial chardev:com1 \
		-display none -no-reboot -device isa-debug-exit,iobase=0x501,iosize=2 || rc=$?
	# keel writes its status N to port 0x501 and QEMU exits with (N << 1) | 1; 0 means the
	# machine reset (a triple fault, with -no-reboot) or powered off.
	if ((rc == 0)); then
		echo "make run: QEMU exited without keel's exit: triple fault, reset or power-off" >&2
	fi
	exit "$(status_from_console "$dir/serial.txt")"
}

run_kvm() {
	run_qemu kvm "host,+$kvm_cpu" 2
}

run_tcg() {
	run_qemu tcg qemu64,+svm,+npt 1
}

# bochs_result RC: report how a Bochs run ended and exit with keel's status.
bochs_result() {
	local rc=$1
	if grep -s -a -q 'with no resolution' "$dir/bochs.log"; then
		echo "make run: triple fault, Bochs reset the machine (see ${dir#"$root"/}/bochs.log)" >&2
	fi
	if ! grep -s -a -q -E 'keel: stopped, status [0-9]+' "$dir/serial.txt"; then
		echo "make run: Bochs exited ($rc) before keel stopped (see ${dir#"$root"/}/bochs.out)" >&2
	fi
	exit "$(status_from_console "$dir/serial.txt")"
}

# bochs_disk: KEEL_RUN_DISK as the IDE disk of Bochs's second channel (the CD-ROM is ata0's).
bochs_disk() {
	[[ -z $disk ]] || echo "ata1-master: type=disk, path=$disk, mode=flat" >>"$dir/bochsrc"
}

# Bochs with COM1 in a file that is really a pipe to tee: this terminal (or whatever stdout
# is), and serial.txt. Output only: for pipes, CI, or KEEL_RUN_TERM=0.
run_bochs_pipe() {
	local rc=0 tee_pid
	# (Bochs's com1 "mode=term" on this terminal is no good: Debian's Bochs 2.7 leaves the
	# terminal with zeroed settings, Ctrl-C disabled and no newline translation.)
	# port_e9_hack stays on although Bochs's copy of port 0xE9 goes only to bochs.out: keel
	# recognises Bochs by port 0xE9 reading back 0xE9, and only then writes "Shutdown".
	keel_bochsrc "$dir/bochsrc" "$iso" /dev/fd/3 "$dir/bochs.log" "$megs" "${cpus:-1}" 1
	bochs_disk
	echo "make run: Bochs's messages go to ${dir#"$root"/}/bochs.out and bochs.log; Ctrl-C stops it"
	exec 3> >(tee -i "$dir/serial.txt")
	tee_pid=$!
	# Debian's Bochs starts at its debugger prompt: "c" continues; at EOF it quits.
	bochs-bin -q -f "$dir/bochsrc" <<<c >"$dir/bochs.out" 2>&1 || rc=$?
	exec 3>&-
	wait "$tee_pid" 2>/dev/null || true
	[[ -z $(tail -c 1 "$dir/serial.txt" 2>/dev/null) ]] || echo # end a cut-off last line
	bochs_result "$rc"
}

# pace: copy stdin to stdout at most 8 bytes per 40 ms. Bochs's UART takes bytes from its pty
# whether or not its 16-byte FIFO has room, and keel empties that FIFO every 20 ms of guest
# time, so a paste arriving at once loses all but its first 16 bytes. A FIFO nobody writes
# to, held open in fd 7, makes read -t a sleep without a fork.
pace() {
	local chunk rc
	exec 7<>"$dir/pace.sleep"
	while :; do
		rc=0
		IFS= read -r -N 8 -t 0.02 chunk || rc=$?
		[[ -z $chunk ]] || printf '%s' "$chunk"
		((rc == 0 || rc > 128)) || return 0 # end of input
		[[ -z $chunk ]] || read -r -t 0.04 -u 7 _ || true
	done
}

# hint_after_grub: GRUB clears the screen, and the line saying how to quit with it; say it
# again once GRUB has printed its "Booting" line, while it loads the ISO's modules (seconds
# in Bochs) and before keel prints anything. Nothing if keel has started already.
hint_after_grub() {
	local i
	for ((i = 0; i < 600; i++)); do
		if grep -s -a -q '(keel) ' "$dir/serial.txt"; then
			return 0
		elif grep -s -a -q 'Booting `' "$dir/serial.txt"; then
			printf '\r\nmake run: Ctrl-\\ quits\r\n'
			return 0
		fi
		sleep 0.1
	done
}

# Bochs with COM1 on a pty (its "term" mode, which makes the pty raw, not this terminal):
#   terminal -> socat (raw, Ctrl-\ is end of input) -> keys fifo -> pace -> paced fifo
#   -> socat -> pty -> Bochs's COM1 -> socat -> terminal, and serial.txt (socat -r).
# The run ends when Bochs exits (socat's pty side closes) or on Ctrl-\; either way the rest
# are stopped and the terminal's settings are put back.
term_pids=() bochs_pid='' stty_saved=''
run_bochs_term() {
	local rc=0 i ended_by_user=0 pid='' keys_pid
	stty_saved=$(stty -g)
	trap bochs_term_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 143' TERM
	rm -f "$dir/com1" "$dir/keys" "$dir/paced" "$dir/pace.sleep"
	mkfifo "$dir/keys" "$dir/paced" "$dir/pace.sleep"
	# Said before socat makes this terminal raw (no newline translation after that).
	echo "make run: COM1 is this terminal (raw: Ctrl-C goes to the guest); Ctrl-\\ quits;" \
		"Bochs's messages: ${dir#"$root"/}/bochs.out, bochs.log"
	# wait-slave holds socat until Bochs opens the pty (reading the pty before that would
	# end socat at once).
	socat -r "$dir/serial.txt" "PTY,link=$dir/com1,raw,echo=0,wait-slave" STDIO \
		<"$dir/paced" 2>"$dir/socat-pty.log" &
	term_pids+=($!)
	pace <"$dir/keys" >"$dir/paced" &
	term_pids+=($!)
	# The terminal is this socat's stdin explicitly (fd 4): a background job's stdin would
	# otherwise be /dev/null.
	exec 4<&0
	socat -u STDIN,raw,echo=0,escape=0x1c "OPEN:$dir/keys,wronly" <&4 2>"$dir/socat-keys.log" &
	keys_pid=$!
	term_pids+=("$keys_pid")
	exec 4<&-
	for ((i = 0; i < 100; i++)); do
		[[ ! -e $dir/com1 ]] || break
		sleep 0.05
	done
	if [[ ! -e $dir/com1 ]]; then
		echo "make run: socat made no pty (see ${dir#"$root"/}/socat-pty.log)" >&2
		exit 1
	fi
	keel_bochsrc "$dir/bochsrc" "$iso" "$dir/com1" "$dir/bochs.log" "$megs" "${cpus:-1}" 1 term
	bochs_disk
	# Debian's Bochs starts at its debugger prompt: "c" continues; at EOF it quits.
	bochs-bin -q -f "$dir/bochsrc" <<<c >"$dir/bochs.out" 2>&1 &
	bochs_pid=$!
	hint_after_grub &
	term_pids+=($!)
	wait -n -p pid "$keys_pid" "$bochs_pid" || true
	if [[ $pid == "$keys_pid" ]]; then
		# Ctrl-\ (or the terminal went away) while the machine still runs.
		ended_by_user=1
		stop_pid "$bochs_pid"
		bochs_pid=
	else
		wait "$bochs_pid" 2>/dev/null || rc=$?
		bochs_pid=
		# The pty's socat ends by itself once Bochs has closed it and it has copied the rest.
		for ((i = 0; i < 40; i++)); do
			kill -0 "${term_pids[0]}" 2>/dev/null || break
			sleep 0.05
		done
	fi
	bochs_term_cleanup
	trap - EXIT
	if ((ended_by_user)); then
		echo "make run: ended by Ctrl-\\ before keel stopped" >&2
		exit 130
	fi
	bochs_result "$rc"
}

# stop_pid PID: TERM, then KILL after two seconds, and reap it.
stop_pid() {
	local pid=$1 i
	[[ -n $pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 40; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

bochs_term_cleanup() {
	local pid
	stop_pid "$bochs_pid"
	bochs_pid=
	for pid in "${term_pids[@]}"; do
		stop_pid "$pid"
	done
	term_pids=()
	if [[ -n $stty_saved ]]; then
		stty "$stty_saved" 2>/dev/null || true
		stty_saved=
	fi
	rm -f "$dir/keys" "$dir/paced" "$dir/pace.sleep"
	[[ -z $(tail -c 1 "$dir/serial.txt" 2>/dev/null) ]] || printf '\r\n' # end a cut-off line
	keel_stop_xvfb
}

run_bochs() {
	mkdir -p "$dir"
	rm -f "$dir/serial.txt"
	trap keel_stop_xvfb EXIT
	if [[ -z ${DISPLAY:-} ]]; then
		keel_start_xvfb "$dir"
	fi
	if [[ -t 0 && -t 1 && ${KEEL_RUN_TERM:-1} != 0 ]]; then
		if command -v socat >/dev/null; then
			run_bochs_term
		fi
		echo "make run: socat missing (scripts/deps.sh run): COM1 is output only" >&2
	fi
	run_bochs_pipe
}

# Runs after the emulator has ended, when Ctrl-C made it quit.
trap 'echo "make run: interrupted" >&2; exit 130' INT

if [[ ! -f $iso ]]; then
	echo "make run: $iso missing; build it first (make)" >&2
	exit 1
fi

case ${KEEL_RUN_EMU:-} in
kvm) echo "make run: KEEL_RUN_EMU=kvm — using QEMU/KVM with nested ${kvm_cpu^^}" && run_kvm ;;
tcg) echo "make run: KEEL_RUN_EMU=tcg — using QEMU's TCG with AMD SVM emulated" && run_tcg ;;
bochs) echo "make run: KEEL_RUN_EMU=bochs — using Bochs (emulated VMX, slow)" && run_bochs ;;
"") ;;
*) echo "make run: KEEL_RUN_EMU must be kvm, tcg or bochs" >&2 && exit 2 ;;
esac

why=$(nested_missing)
if [[ -z $why ]]; then
	echo "make run: KVM with nested ${kvm_cpu^^} available — using QEMU/KVM (-cpu host,+$kvm_cpu)"
	run_kvm
elif command -v qemu-system-x86_64 >/dev/null; then
	echo "make run: $why — using QEMU's TCG with AMD SVM emulated (-cpu qemu64,+svm,+npt; faster than Bochs)"
	run_tcg
else
	echo "make run: $why, and no QEMU — using Bochs (emulated VMX, slow)"
	run_bochs
fi
