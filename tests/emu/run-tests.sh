#!/usr/bin/env bash
# Runs Keel's emulator tests under Bochs and QEMU, two at a time, longest time limit first:
# tests/emu/tests.list and the test guests' runs from tests/guests/*/test (scripts/guest-tests.sh
# turns them into that format).
#
# Usage: tests/emu/run-tests.sh [-j N] [-l] [TEST...]
#   TEST...  run only these tests (default: all of them)
#   -j N     run N tests at once (default: $KEEL_EMU_JOBS, else 2)
#   -l       list the tests and exit
# Environment:
#   KEEL_ISO      the image called "iso" in the list (default build/keel.iso)
#   KEEL_ESP      the image called "esp" in the list (default build/esp)
#   KEEL_TESTS    the test list (default tests/emu/tests.list)
#   KEEL_GUEST_TESTS  the test guests' list, read after it (default: generated from
#                 tests/guests/*/test now; "none" for none)
#   KEEL_EMU_DIR  where the tests' directories go (default build/emu)
#   KEEL_RESULTS  gets one "PASS name" / "FAIL name" line per test (default
#                 build/test-results/emu.txt, emptied first)
# Each test runs in $KEEL_EMU_DIR/<name>/: serial.txt (COM1), console.txt (what the patterns
# are matched against), the emulator's log, the command line in cmd.txt, and timeline.txt
# (serial.txt's lines, each after the wall-clock seconds it came at).
set -euo pipefail
export LC_ALL=C

self=$(realpath "$0")
root=$(cd "$(dirname "$self")/../.." && pwd)

# Paths from the environment are relative to where we were started.
iso=$(realpath -m "${KEEL_ISO:-$root/build/keel.iso}")
esp=$(realpath -m "${KEEL_ESP:-$root/build/esp}")
list=$(realpath -m "${KEEL_TESTS:-$root/tests/emu/tests.list}")
guest_list=${KEEL_GUEST_TESTS:-}
[[ -z $guest_list || $guest_list == none ]] || guest_list=$(realpath -m "$guest_list")
results=$(realpath -m "${KEEL_RESULTS:-$root/build/test-results/emu.txt}")
work=$(realpath -m "${KEEL_EMU_DIR:-$root/build/emu}")
jobs=${KEEL_EMU_JOBS:-2}

cd "$root"
. tests/emu/lib.sh
ovmf=/usr/share/ovmf/OVMF.fd
tail_lines=30

die() { echo "run-tests.sh: $*" >&2; exit 2; }
usage() { sed -n '5,17s/^# \{0,1\}//p' "$self"; exit "$1"; }

trim() {
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	s=${s%"${s##*[![:space:]]}"}
	printf '%s' "$s"
}

# --- read the test list ---------------------------------------------------------------

names=() emus=() images=() limits=() statuses=() requireds=() forbiddens=() megss=() cpuss=()
wheres=() disks=() nics=() checks=() iommus=() types=()

# parse_list WHERE: read a list in tests.list's format from stdin (WHERE names it in errors).
parse_list() {
	local list=$1 line lineno=0 name emu image limit status req forb opts opt megs cpus i
	local disk nic check iommu type
	while IFS= read -r line || [[ -n $line ]]; do
		lineno=$((lineno + 1))
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		IFS='|' read -r name emu image limit status req forb opts <<<"$line"
		name=$(trim "$name") emu=$(trim "$emu") image=$(trim "${image:-}")
		limit=$(trim "${limit:-}") status=$(trim "${status:-}")
		req=$(trim "${req:-}") forb=$(trim "${forb:-}") opts=$(trim "${opts:-}")
		local where="$list:$lineno"
		[[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die "$where: bad test name '$name'"
		case $emu in
		bochs | qemu-bios | qemu-svm | qemu-ovmf-iso | qemu-ovmf-efi | qemu-q35-vtd) ;;
		*) die "$where: unknown emulator '$emu'" ;;
		esac
		[[ -n $image ]] || die "$where: no image"
		[[ $limit =~ ^[1-9][0-9]*$ ]] || die "$where: bad timeout '$limit'"
		[[ $status =~ ^([0-7]|-)$ ]] || die "$where: bad status '$status'"
		megs=256 cpus=1 disk= nic= check= type= iommu=intremap=on,aw-bits=48
		for opt in $opts; do
			case $opt in
			megs=[1-9]*) megs=${opt#megs=} ;;
			cpus=[1-9]*) cpus=${opt#cpus=} ;;
			disk=?*) disk=${opt#disk=} ;;
			nic=vnet | nic=e1000) nic=${opt#nic=} ;;
			check=?*) check=${opt#check=} ;;
			iommu=?*) iommu=${opt#iommu=} ;;
			type=?*) type=${opt#type=} ;;
			*) die "$where: bad option '$opt' (or a stray '|')" ;;
			esac
		done
		for ((i = 0; i < ${#names[@]}; i++)); do
			[[ ${names[i]} != "$name" ]] || die "$where: test '$name' listed twice (first in ${wheres[i]})"
		done
		[[ -z $disk$nic || $emu == bochs || $emu == qemu-svm ]] ||
			die "$where: disk= and nic= are Bochs and qemu-svm options"
		[[ $nic != vnet || $emu == bochs ]] || die "$where: nic=vnet is Bochs's; QEMU's is nic=e1000"
		[[ $nic != e1000 || $emu == qemu-svm ]] || die "$where: nic=e1000 is QEMU's; Bochs's is nic=vnet"
		[[ $opts != *iommu=* || $emu == qemu-q35-vtd ]] || die "$where: iommu= is a qemu-q35-vtd option"
		[[ $req != - ]] || req=
		[[ $forb != - ]] || forb=
		names+=("$name") emus+=("$emu") images+=("$image") limits+=("$limit")
		statuses+=("$status") requireds+=("$req") forbiddens+=("$forb")
		megss+=("$megs") cpuss+=("$cpus") wheres+=("$where")
		disks+=("$disk") nics+=("$nic") checks+=("$check") iommus+=("$iommu")
		types+=("$type")
	done
}

# read_lists: tests/emu/tests.list (or $KEEL_TESTS), then the test guests' list.
read_lists() {
	local generated
	[[ -r $list ]] || die "cannot read $list"
	parse_list "$list" <"$list"
	if [[ -z $guest_list ]]; then
		generated=$(scripts/guest-tests.sh --list -b build) ||
			die "tests/guests/*/test: see the errors above"
		parse_list "tests/guests/*/test (scripts/guest-tests.sh --list)" <<<"$generated"
	elif [[ $guest_list != none ]]; then
		[[ -r $guest_list ]] || die "cannot read $guest_list"
		parse_list "$guest_list" <"$guest_list"
	fi
}

# --- one test ---------------------------------------------------------------------------

# clean: drop carriage returns, terminal escape sequences (GRUB clears the screen) and other
# control characters, so logs match patterns simply and print safely.
clean() {
	sed -E 's/\x1b\[[0-9;?]*[A-Za-z]//g' | tr -d '\000-\010\013-\037'
}

# split_patterns "a ; b": print each ';'-separated pattern, trimmed, on its own line.
split_patterns() {
	local p
	local -a parts
	IFS=';' read -r -a parts <<<"$1"
	for p in "${parts[@]}"; do
		p=$(trim "$p")
		[[ -z $p ]] || printf '%s\n' "$p"
	done
}

# verdict DIR SECONDS LOG [REASON...]: write DIR/result: PASS (no reasons) or FAIL, the
# seconds, the reasons joined by "; ", and the log to show on failure.
verdict() {
	local dir=$1 secs=$2 log=$3 r
	shift 3
	{
		if (($# == 0)); then echo PASS; else echo FAIL; fi
		echo "$secs"
		r=$(printf '%s; ' "$@")
		echo "${r%; }"
		echo "$log"
	} >"$dir/result"
}

# copy_disk I DIR: test I's disk image to DIR/disk.img, which the run may write and its check
# reads. Sets REPLY and fails on an error.
copy_disk() {
	local disk=${disks[$1]}

	[[ $disk == /* ]] || disk=$root/$disk
	[[ -f $disk ]] || { REPLY="disk image $disk missing (build it first)"; return 1; }
	cp "$disk" "$2/disk.img"
}

# bochs_devices I DIR: add test I's disk and NIC to DIR/bochsrc. The disk image is copied to
# DIR/disk.img, which the run may write and its check reads. Sets REPLY and fails on an error.
bochs_devices() {
	local i=$1 dir=$2
	if [[ -n ${disks[i]} ]]; then
		copy_disk "$i" "$dir" || return 1
		echo "ata1-master: type=disk, path=$dir/disk.img, mode=flat" >>"$dir/bochsrc"
	fi
	if [[ ${nics[i]} == vnet ]]; then
		# vnet's TFTP root; it writes its packet log to the working directory (DIR).
		mkdir -p "$dir/vnet"
		printf '%s\n' "pci: enabled=1, chipset=i440fx, slot1=e1000" \
			"e1000: enabled=1, mac=52:54:00:12:34:56, ethmod=vnet, ethdev=$dir/vnet" \
			>>"$dir/bochsrc"
	fi
}

# typist DIR FILE: COM1's keyboard (options type=FILE). For each "REGEX<TAB>TEXT" line of FILE
# wait until DIR/serial.txt has a line matching REGEX, then type TEXT and Enter (a carriage
# return) into the pipe DIR/keys, a byte every 20 ms as a person types; then keep the pipe open
# (socat would end at its EOF) until killed.
typist() {
	local dir=$1 file=$2 re text i
	exec 3<>"$dir/keys"
	while IFS=$'\t' read -r re text; do
		[[ -n $re && $re != '#'* ]] || continue
		until clean <"$dir/serial.txt" | grep -a -q -E -e "$re"; do
			sleep 0.2
		done
		for ((i = 0; i < ${#text}; i++)); do
			printf '%s' "${text:i:1}" >&3
			sleep 0.02
		done
		printf '\r' >&3
	done <"$file"
	exec sleep infinity
}

# keyboard DIR FILE: COM1 on a pty (DIR/com1) for the emulator: socat copies what it writes
# to DIR/serial.txt and what typist types to it. Sets REPLY to socat's and typist's pids.
keyboard() {
	local dir=$1 file=$2 socat_pid typist_pid tries
	rm -f "$dir/keys" "$dir/com1"
	mkfifo "$dir/keys"
	typist "$dir" "$file" &
	typist_pid=$!
	socat "PTY,link=$dir/com1,raw,echo=0,wait-slave" STDIO <"$dir/keys" >"$dir/serial.txt" \
		2>"$dir/socat.log" &
	socat_pid=$!
	for ((tries = 0; tries < 50; tries++)); do
		[[ ! -e $dir/com1 ]] || break
		sleep 0.1
	done
	REPLY="$socat_pid $typist_pid"
	[[ -e $dir/com1 ]]
}

# timeline DIR START PID: copy DIR/serial.txt's lines to DIR/timeline.txt as they come, each
# after the wall-clock seconds since START (where a long test spends its time), until PID ends.
timeline() {
	local line
	tail -s 0.5 -n +1 -F --pid="$3" "$1/serial.txt" 2>/dev/null |
		while IFS= read -r line; do
			printf '%s %s\n' "$(awk -v a="$2" -v b="$EPOCHREALTIME" 'BEGIN { printf "%7.1f", b - a }')" "${line%$'\r'}"
		done >"$1/timeline.txt"
}

# run_test I: run test number I in its own directory and write its verdict there.
run_test() {
	local i=$1
	local name=${names[i]} emu=${emus[i]} image=${images[i]} limit=${limits[i]}
	local status=${statuses[i]} megs=${megss[i]} cpus=${cpuss[i]}
	local dir=$work/$name
	local -a cmd reasons=()
	local emu_log stdin=/dev/null serial kbd=

	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$dir/serial.txt"

	case $image in
	iso) image=$iso ;;
	esp) image=$esp ;;
	/*) ;;
	*) image=$root/$image ;;
	esac

	if [[ $emu == qemu-ovmf-efi ]]; then
		[[ -d $image ]] || { verdict "$dir" 0 "" "ESP directory $image missing (build it first)"; return; }
	else
		[[ -f $image ]] || { verdict "$dir" 0 "" "image $image missing (build it first)"; return; }
	fi

	# COM1: output to serial.txt, or (type=FILE) a pty that a typist types on too.
	serial=$dir/serial.txt
	if [[ -n ${types[i]} ]]; then
		command -v socat >/dev/null || { verdict "$dir" 0 "" "socat not installed (type= needs it)"; return; }
		if ! keyboard "$dir" "$root/${types[i]}"; then
			kill $REPLY 2>/dev/null || true
			verdict "$dir" 0 "" "socat made no pty for COM1 (see socat.log)"
			return
		fi
		kbd=$REPLY serial=$dir/com1
	fi

	case $emu in
	bochs)
		command -v bochs-bin >/dev/null || { verdict "$dir" 0 "" "bochs-bin not installed (scripts/deps.sh test)"; return; }
		[[ -n ${DISPLAY:-} ]] || { verdict "$dir" 0 "" "no X display for Bochs (Xvfb did not start)"; return; }
		keel_bochsrc "$dir/bochsrc" "$image" "$serial" "$dir/bochs.log" "$megs" "$cpus" 1 \
			"$([[ -n $kbd ]] && echo term || echo file)"
		bochs_devices "$i" "$dir" || { verdict "$dir" 0 "" "$REPLY"; return; }
		# Debian's Bochs waits at its debugger prompt: "c" continues, and EOF on stdin makes
		# it quit if it ever returns there.
		echo c >"$dir/debugger-input"
		stdin=$dir/debugger-input
		emu_log=$dir/bochs.out
		cmd=(bochs-bin -q -f "$dir/bochsrc")
		;;
	qemu-*)
		command -v qemu-system-x86_64 >/dev/null ||
			{ verdict "$dir" 0 "" "qemu-system-x86_64 not installed (scripts/deps.sh test)"; return; }
		emu_log=$dir/qemu.log
		cmd=(qemu-system-x86_64 -accel tcg -m "$megs" -smp "$cpus"
			-display none -monitor none -nic none -no-reboot
			-chardev "$([[ -n $kbd ]] && echo serial || echo file),id=com1,path=$serial"
			-serial chardev:com1
			-device "isa-debug-exit,iobase=0x501,iosize=2"
			-D "$dir/qemu-debug.log" -d cpu_reset)
		# AMD SVM with nested paging, as QEMU's TCG emulates it (no NRIP save).
		[[ $emu != qemu-svm ]] || cmd+=(-cpu qemu64,+svm,+npt)
		if [[ $emu == qemu-ovmf-* ]]; then
			[[ -f $ovmf ]] || { verdict "$dir" 0 "" "$ovmf missing (scripts/deps.sh test)"; return; }
			cmd+=(-bios "$ovmf")
		fi
		if [[ $emu == qemu-q35-vtd ]]; then
			# The IOMMU before the devices it translates: a device's DMA address
			# space is chosen when QEMU creates it. edu (1234:11e8) has a DMA engine.
			cmd+=(-machine q35 -device "intel-iommu,${iommus[i]}" -device edu,addr=05.0)
		fi
		if [[ $emu == qemu-ovmf-efi ]]; then
			# vvfat with rw writes back into the directory: give each run its own copy.
			cp -r "$image" "$dir/esp"
			cmd+=(-drive "format=raw,file=fat:rw:$dir/esp")
		elif [[ -n ${disks[i]} ]]; then
			# As Bochs: the CD-ROM on the first IDE channel, the disk the second's
			# master (ata1, IRQ 15).
			copy_disk "$i" "$dir" || { verdict "$dir" 0 "" "$REPLY"; return; }
			cmd+=(-drive "file=$image,media=cdrom,if=ide,index=0,readonly=on"
				-drive "file=$dir/disk.img,format=raw,if=ide,index=2" -boot d)
		else
			cmd+=(-cdrom "$image")
		fi
		# An e1000 on no network: no host end (no user, tap or socket backend).
		[[ ${nics[i]} != e1000 ]] || cmd+=(-device "e1000,mac=52:54:00:12:34:56")
		;;
	esac
	printf '%q ' "${cmd[@]}" >"$dir/cmd.txt"
	echo >>"$dir/cmd.txt"

	# $BASHPID here, not in timeline's arguments: those expand in the background child, whose
	# tail would wait for itself and hold the emulator slot's lock forever.
	local start=$EPOCHREALTIME rc=0 self=$BASHPID
	timeline "$dir" "$start" "$self" &
	(cd "$dir" && exec timeout --foreground -k 5 "$limit" "${cmd[@]}" <"$stdin" >"$emu_log" 2>&1) || rc=$?
	local secs
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	if [[ -n $kbd ]]; then
		# socat ends once the emulator has closed the pty and it copied the rest.
		kill "${kbd#* }" 2>/dev/null || true
		local t
		for ((t = 0; t < 20; t++)); do
			kill -0 "${kbd% *}" 2>/dev/null || break
			sleep 0.1
		done
		kill "${kbd% *}" 2>/dev/null || true
	fi

	# The console: COM1, plus what keel wrote to port 0xE9 (Bochs prints it on stdout).
	{
		clean <"$dir/serial.txt"
		echo # the serial log may end in the middle of a line
		if [[ $emu == bochs ]]; then
			grep -a -o '(keel) .*' "$emu_log" | clean || true
		fi
	} >"$dir/console.txt"
	local console=$dir/console.txt

	# The post-run check (options check=SCRIPT): what it prints is matched like the console.
	if [[ -n ${checks[i]} ]]; then
		if ! "$root/${checks[i]}" "$dir" >"$dir/check.txt" 2>&1; then
			reasons+=("post-run check ${checks[i]} failed: $(tail -n 1 "$dir/check.txt")")
		fi
		clean <"$dir/check.txt" >>"$console"
	fi

	if ((rc == 124 || rc == 137)); then
		reasons+=("timed out after ${limit}s")
	fi

	local pat line
	while IFS= read -r pat; do
		grep -a -E -q -e "$pat" "$console" || reasons+=("missing /$pat/")
	done < <(split_patterns "${requireds[i]}")

	local forbidden=${forbiddens[i]}
	[[ $status == [14] ]] || forbidden+=";stopped, status [14]"
	while IFS= read -r pat; do
		if line=$(grep -a -E -m1 -e "$pat" "$console"); then
			reasons+=("forbidden /$pat/ matched: $line")
		fi
	done < <(split_patterns "$forbidden")

	if [[ $status != - ]]; then
		line=$(grep -a -E -o 'keel: stopped, status [0-9]+.*' "$console" | tail -n 1 || true)
		if [[ -z $line ]]; then
			reasons+=("no \"keel: stopped, status $status\" line")
		elif ! [[ $line =~ ^"keel: stopped, status $status"([^0-9]|$) ]]; then
			reasons+=("expected status $status, got \"$line\"")
		fi
	fi

	if [[ $emu == qemu-* ]] && ((rc != 124 && rc != 137)); then
		local want=$rc
		[[ $status == - ]] || want=$(((status << 1) | 1))
		if ((rc != want)); then
			if ((rc == 0)); then
				reasons+=("QEMU exited 0: the guest reset or powered off without writing port 0x501 (triple fault? see qemu-debug.log)")
			elif ((rc & 1)) && ((rc > 1)); then
				reasons+=("QEMU exit status $rc (keel status $((rc >> 1))), expected $want")
			else
				reasons+=("QEMU exit status $rc, expected $want (see qemu.log)")
			fi
		fi
	fi

	# Bochs logs keel's "Shutdown" as a panic too: that one is the normal end.
	if [[ $emu == bochs ]] &&
		line=$(grep -a '>>PANIC<<' "$dir/bochs.log" 2>/dev/null | grep -v -m1 'Shutdown port'); then
		reasons+=("Bochs panic: ${line#*>>PANIC<< }")
	fi
	if [[ $emu == bochs ]] && ((${#reasons[@]} > 0)); then
		local msg
		msg=$(grep -a -A1 'Bochs is exiting with the following message' "$emu_log" | tail -n 1 || true)
		[[ -z $msg || $msg == *"Shutdown port"* ]] || reasons+=("Bochs exited: $(trim "$msg")")
		# A triple fault resets the machine, and Debian's Bochs stops at its debugger there.
		if grep -a -q 'with no resolution' "$dir/bochs.log" 2>/dev/null; then
			reasons+=("triple fault: Bochs reset the machine (see bochs.log)")
		elif grep -a -q 'fgets() returned ERROR' "$emu_log"; then
			reasons+=("Bochs stopped at its debugger prompt (see bochs.out)")
		fi
	fi

	local show=$dir/serial.txt
	[[ -s $show ]] || show=$console
	[[ -s $show ]] || show=$emu_log
	verdict "$dir" "$secs" "$show" "${reasons[@]}"
}

# --- scheduling and clean-up --------------------------------------------------------------

declare -A running=() # job pid (= its process group) -> test index
passed=0 failed=0

# Each test job gets its own process group (set -m), so killing the group takes the
# emulator and timeout with it; Ctrl-C reaches only this script, which then cleans up.
set -m

stop_jobs() {
	local pid n
	for pid in "${!running[@]}"; do
		disown "$pid" 2>/dev/null || true # no "Terminated" notices from bash
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	done
	for ((n = 0; n < 50; n++)); do
		local alive=0
		for pid in "${!running[@]}"; do
			! kill -0 -- "-$pid" 2>/dev/null || alive=1
		done
		((alive)) || break
		sleep 0.1
	done
	for pid in "${!running[@]}"; do
		kill -KILL -- "-$pid" 2>/dev/null || true
	done
	running=()
}

cleanup() {
	trap - INT TERM HUP
	stop_jobs
	keel_stop_xvfb
}
trap cleanup EXIT
trap 'echo "run-tests.sh: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

report() {
	local i=$1 name=${names[$1]} dir=$work/${names[$1]} verdict secs reason log
	if [[ -f $dir/result ]]; then
		{ read -r verdict; read -r secs; read -r reason; read -r log; } <"$dir/result"
	else
		verdict=FAIL secs='?' reason="the test job died" log=
	fi
	if [[ $verdict == PASS ]]; then
		passed=$((passed + 1))
		echo "PASS $name (${secs}s)"
	else
		failed=$((failed + 1))
		echo "FAIL $name: $reason"
		if [[ -n $log && -s $log ]]; then
			echo "  --- last $tail_lines lines of ${log#"$root"/} ---"
			tail -n "$tail_lines" "$log" | clean | awk '{ print "  | " $0 }'
		fi
	fi
	echo "$verdict $name" >>"$results"
}

# reap_one: wait for a test job to end and report it.
reap_one() {
	local pid=
	wait -n -p pid "${!running[@]}" || true
	if [[ -z $pid ]]; then
		# bash no longer knew the job: find the one that has gone.
		for pid in "${!running[@]}"; do
			! kill -0 "$pid" 2>/dev/null && break
			pid=
		done
		[[ -n $pid ]] || { sleep 0.1; return; }
	fi
	report "${running[$pid]}"
	unset "running[$pid]"
}

# --- main ---------------------------------------------------------------------------------

only=()
while (($#)); do
	case $1 in
	-j) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "-j wants a number"; jobs=$2; shift 2 ;;
	-j*) jobs=${1#-j}; shift ;;
	-l) list_only=1; shift ;;
	-h | --help) usage 0 ;;
	-*) usage 2 >&2 ;;
	*) only+=("$1"); shift ;;
	esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "bad job count '$jobs'"

read_lists
if [[ -n ${list_only:-} ]]; then
	printf '%s\n' "${names[@]}"
	exit 0
fi

selected=()
if ((${#only[@]})); then
	for want in "${only[@]}"; do
		found=
		for i in "${!names[@]}"; do
			[[ ${names[i]} != "$want" ]] || { selected+=("$i"); found=1; }
		done
		[[ -n $found ]] || die "no test named '$want' in $list or tests/guests/*/test"
	done
else
	selected=("${!names[@]}")
fi
((${#selected[@]})) || die "no tests in $list"
# Longest first (by time limit, the list's order among equals): with two at a time, a long
# test started last would run alone at the end and stretch the whole run.
mapfile -t selected < <(for i in "${selected[@]}"; do echo "${limits[i]} $i"; done |
	sort -s -k1,1nr | cut -d' ' -f2)

mkdir -p "$work" "$(dirname "$results")"
: >"$results"

for i in "${selected[@]}"; do
	if [[ ${emus[i]} == bochs ]]; then
		keel_start_xvfb "$work" || true
		break
	fi
done

for i in "${selected[@]}"; do
	while ((${#running[@]} >= jobs)); do reap_one; done
	run_test "$i" &
	running[$!]=$i
done
while ((${#running[@]})); do reap_one; done

echo "emu: $passed passed, $failed failed"
((failed == 0))
