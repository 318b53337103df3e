# make bench's runner (sourced by scripts/bench-*.sh): one Bochs boot of an ISO, timed.
#
# bench_run ISO DIR CPUS STOP [MEGS]: boot ISO in Bochs (clock: sync=none) into DIR, with
# CPUS emulated CPUs; stop it two seconds after a console line matches the extended regex
# STOP (hypervisors that leave the machine on at power-off), else when Bochs exits or after
# $KEEL_BENCH_TIMEOUT seconds (default 900). COM1 lines are stamped with the wall clock as
# they come (DIR/serial.stamped, DIR/serial.txt); DIR/result gets start=, total=, ticks=
# (Bochs's emulated time at its last log line: one per instruction plus what HLT skipped),
# ips= and note= (other emulators running, a timeout). With BENCH_DEBUGGER set, Bochs's
# debugger runs its commands (one a line) instead of "c": breakpoints, whose hits it prints to
# DIR/bochs.out with their emulated time ("Next at t=TICKS").
# bench_secs DIR PATTERN: wall seconds from DIR's start to its first line matching PATTERN.
# bench_get DIR KEY: one value of DIR/result.
# bench_stop_after PID FILE STOP: wait while PID runs; two seconds after a line of FILE
# matches STOP, stop it (bench_run's and bench-svm.sh's QEMU runs).
# bench_figures DIR: "NAME MIN MEDIAN" per "bench: NAME min M median D ticks" line of DIR's
# console (the micro-benchmark guest's, under Bochs or QEMU).
# bench_micro_fig PREFIX KEEL XEN: one .fig row per figure in KEEL (a bench_figures file), named
# PREFIX NAME, Xen's median from XEN beside it ("-" when Xen has none).
# bench_micro_rows KEEL XEN: the same figures as table rows, "min / median" on each side.
# bench_cpu_note SERIAL...: one line saying how the run's Linux kernels copied (make bench's
# BENCH_CLEARCPUID; docs/performance.md, "Copies under Bochs").
. "$(dirname "${BASH_SOURCE[0]}")/../tests/emu/lib.sh"

bench_stamp() {
	local line
	while IFS= read -r line || [[ -n $line ]]; do
		printf '%s\t%s\n' "$EPOCHREALTIME" "${line%$'\r'}"
	done
}

bench_stop_after() {
	local pid=$1 file=$2 stop=$3

	while kill -0 "$pid" 2>/dev/null; do
		if grep -a -q -E "$stop" "$file" 2>/dev/null; then
			sleep 2
			kill "$pid" 2>/dev/null || true
			break
		fi
		sleep 1
	done
}

bench_figures() {
	{ grep -a -o -E 'bench: [a-z_]+ min [0-9]+ median [0-9]+ ticks' "$1/serial.txt" || true; } |
		awk '{ print $2, $4, $6 }'
}

bench_micro_fig() {
	awk -v prefix="$1" -v xen="$3" 'FILENAME == xen { xmed[$1] = $3; next }
		{ printf "%s%s\tticks\t%s\t%s\n", prefix, $1, $3, ($1 in xmed ? xmed[$1] : "-") }' \
		"$3" "$2"
}

bench_micro_rows() {
	awk -v xen="$2" 'FILENAME == xen { x[$1] = $2 " / " $3; next }
		{ printf "  %-16s %17s %17s\n", $1, $2 " / " $3, ($1 in x ? x[$1] : "-") }' "$2" "$1"
}

bench_run() {
	local iso=$1 dir=$2 cpus=$3 stop=$4 megs=${5:-512} limit=${KEEL_BENCH_TIMEOUT:-900}
	local start end pid stamp_pid others rc note=''

	rm -rf "$dir" && mkdir -p "$dir"
	[[ -n ${DISPLAY:-} ]] || keel_start_xvfb "$dir"
	keel_bochsrc "$dir/bochsrc" "$iso" /dev/fd/3 "$dir/bochs.log" "$megs" "$cpus" 1
	grep -q '^clock: sync=none' "$dir/bochsrc" ||
		{ echo "bench: bochsrc.in has no 'clock: sync=none': runs would not repeat" >&2; return 2; }
	echo "bench: booting ${iso##*/} in Bochs, $cpus CPU(s) (up to ${limit}s)..." >&2
	others=$(($(pgrep -c -x bochs-bin || true) + $(pgrep -c -x qemu-system-x86 || true)))
	exec 3> >(bench_stamp >"$dir/serial.stamped")
	stamp_pid=$!
	start=$EPOCHREALTIME
	# Debian's Bochs starts at its debugger prompt: "c" continues, or $BENCH_DEBUGGER's
	# commands run (breakpoints; each hit prints "Next at t=TICKS" to DIR/bochs.out).
	timeout -k 5 "$limit" bochs-bin -q -f "$dir/bochsrc" <<<"${BENCH_DEBUGGER:-c}" \
		>"$dir/bochs.out" 2>&1 &
	pid=$!
	bench_stop_after "$pid" "$dir/serial.stamped" "$stop"
	wait "$pid" 2>/dev/null && rc=0 || rc=$?
	end=$EPOCHREALTIME
	exec 3>&-
	wait "$stamp_pid" 2>/dev/null || true
	cut -f 2- "$dir/serial.stamped" >"$dir/serial.txt"
	((others == 0)) || note="$others other emulator(s) were running: wall times are slower"
	((rc != 124 && rc != 137)) || note="timed out after ${limit}s"
	grep -a -q -E "$stop" "$dir/serial.txt" || note="${note:+$note; }no line matched '$stop'"
	{
		echo "start=$start"
		echo "total=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')"
		echo "ticks=$(keel_bochs_ticks "$dir/bochs.log")"
		echo "ips=$(sed -n -E 's/^cpu:.*ips=([0-9]+).*/\1/p' "$dir/bochsrc")"
		echo "note=$note"
	} >"$dir/result"
}

bench_get() { sed -n "s/^$2=//p" "$1/result"; }

bench_secs() {
	# The pattern through the environment: -v would eat its backslashes.
	BENCH_PAT=$2 awk -F '\t' -v start="$(bench_get "$1" start)" '
		$2 ~ ENVIRON["BENCH_PAT"] { printf "%.1f", $1 - start; found = 1; exit }
		END { if (!found) printf "-" }' "$1/serial.stamped"
}

bench_cpu_note() {
	local bits
	bits=$(grep -a -h -o 'Clearing CPUID bits: .*' "$@" | head -1 | tr -d '\r')
	if [[ -n $bits ]]; then
		echo "Linux kernels: ${bits#Clearing CPUID bits: } cleared (copies 8 bytes a Bochs tick; BENCH_CLEARCPUID)"
	else
		echo "Linux kernels on Bochs's CPU as it is: ERMS, copies a byte a Bochs tick (BENCH_CLEARCPUID=)"
	fi
}
