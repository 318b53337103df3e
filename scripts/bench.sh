#!/usr/bin/env bash
# `make bench`: boots keel ISOs in Bochs (clock: sync=none, so runs repeat) and reports how long they take.
#
# Usage: scripts/bench.sh [ISO...]   (default: build/keel-linux.iso build/keel-guest-hello.iso)
# The first ISO is the benchmark: exits 0 when its console shows the marker
# "keel-initramfs: init reached", 1 otherwise (the others are baselines). For each ISO:
#   wall seconds from starting Bochs to keel's first console line, dom0's first line, the
#   marker, keel's "keel: stopped" line and Bochs's exit (COM1's lines are stamped as they come);
#   Linux's own timestamp on "Run /init as init process" (guest seconds since its boot);
#   Bochs's emulated time in ticks: one per instruction, plus whatever Bochs skipped while the
#   CPU halted (its log gives no separate instruction count), in guest seconds (ticks / ips)
#   and per wall second;
#   keel's stop status and its VM-exit counts by reason (summed over its dNvM lines).
# The runs go one after the other, never at once: each has the host to itself.
# Environment:
#   KEEL_BENCH_DIR      where the runs and report.txt go (default build/bench)
#   KEEL_BENCH_MEGS     guest memory in MiB (default 512, as the Linux boot test)
#   KEEL_BENCH_TIMEOUT  seconds before a run is stopped (default 900)
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
isos=()
for iso in "$@"; do
	isos+=("$(realpath -m "$iso")")
done
((${#isos[@]})) || isos=("$root/build/keel-linux.iso" "$root/build/keel-guest-hello.iso")
out=$(realpath -m "${KEEL_BENCH_DIR:-$root/build/bench}")
megs=${KEEL_BENCH_MEGS:-512}
limit=${KEEL_BENCH_TIMEOUT:-900}
marker='keel-initramfs: init reached'

cd "$root"
. tests/emu/lib.sh

die() { echo "bench.sh: $*" >&2; exit 2; }

command -v bochs-bin >/dev/null || die "bochs-bin not installed (scripts/deps.sh run)"
for iso in "${isos[@]}"; do
	[[ -f $iso ]] || die "$iso missing; build it first (make ${iso#"$root"/})"
done

mkdir -p "$out"
trap keel_stop_xvfb EXIT
trap 'echo "bench.sh: interrupted" >&2; exit 130' INT
if [[ -z ${DISPLAY:-} ]]; then
	keel_start_xvfb "$out"
fi

# stamp: copy lines from stdin to stdout, each after the wall-clock time it arrived at.
stamp() {
	local line
	while IFS= read -r line || [[ -n $line ]]; do
		printf '%s\t%s\n' "$EPOCHREALTIME" "${line%$'\r'}"
	done
}

# secs_since START FILE PATTERN: seconds from START to the first stamped line of FILE that
# matches PATTERN (an extended regex), or "-".
secs_since() {
	awk -F '\t' -v start="$1" -v pat="$3" '
		$2 ~ pat { printf "%.1f", $1 - start; found = 1; exit }
		END { if (!found) printf "-" }' "$2"
}

# run_one ISO NAME: boot ISO in Bochs into $out/NAME/ and write its results to NAME/result.
run_one() {
	local iso=$1 name=$2 dir=$out/$2 rc=0 start end stamp_pid
	rm -rf "$dir"
	mkdir -p "$dir"
	keel_bochsrc "$dir/bochsrc" "$iso" /dev/fd/3 "$dir/bochs.log" "$megs" 1 1
	grep -q '^clock: sync=none' "$dir/bochsrc" ||
		die "tests/emu/bochsrc.in has no 'clock: sync=none' line: the runs would not repeat"
	echo "bench: booting ${iso#"$root"/} in Bochs (up to ${limit}s)..." >&2
	# Other emulators on this host take CPU time from this one: say so next to its times.
	local others
	others=$(($(pgrep -c -x bochs-bin || true) + $(pgrep -c -x qemu-system-x86 || true)))
	exec 3> >(stamp >"$dir/serial.stamped")
	stamp_pid=$!
	start=$EPOCHREALTIME
	# Debian's Bochs starts at its debugger prompt: "c" continues; at EOF it quits.
	timeout -k 5 "$limit" bochs-bin -q -f "$dir/bochsrc" <<<c >"$dir/bochs.out" 2>&1 || rc=$?
	end=$EPOCHREALTIME
	exec 3>&-
	wait "$stamp_pid" 2>/dev/null || true
	cut -f 2- "$dir/serial.stamped" >"$dir/serial.txt"

	local to_keel to_dom0 to_marker to_stop total linux_init ticks ips status note=''
	to_keel=$(secs_since "$start" "$dir/serial.stamped" '^\(keel\) ')
	to_dom0=$(secs_since "$start" "$dir/serial.stamped" '^\(keel\) \(d[0-9]+\) ')
	to_marker=$(secs_since "$start" "$dir/serial.stamped" "$marker")
	to_stop=$(secs_since "$start" "$dir/serial.stamped" 'keel: stopped, status [0-9]+')
	total=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	linux_init=$(sed -n -E 's/.*\[ *([0-9]+\.[0-9]+)\] Run \/init as init process.*/\1/p' \
		"$dir/serial.txt" | head -n 1)
	ticks=$(keel_bochs_ticks "$dir/bochs.log")
	ips=$(sed -n -E 's/^cpu:.*ips=([0-9]+).*/\1/p' "$dir/bochsrc")
	status=$(grep -a -o -E 'keel: stopped, status [0-9]+( \([a-z -]+\))?' "$dir/serial.txt" |
		tail -n 1 | sed 's/keel: stopped, status //' || true)
	((others == 0)) || note="$others other emulator(s) were running: wall times are slower"
	((rc != 124 && rc != 137)) || note="timed out after ${limit}s"
	if grep -a -q 'with no resolution' "$dir/bochs.log" 2>/dev/null; then
		note="triple fault (Bochs reset the machine)"
	fi
	{
		echo "name=$name"
		echo "iso=${iso#"$root"/}"
		echo "to_keel=$to_keel"
		echo "to_dom0=$to_dom0"
		echo "to_marker=$to_marker"
		echo "to_stop=$to_stop"
		echo "total=$total"
		echo "linux_init=${linux_init:--}"
		echo "ticks=${ticks:--}"
		echo "ips=${ips:--}"
		echo "status=${status:-none}"
		echo "note=$note"
	} >"$dir/result"
	# VM exits: "(keel) dNvM:   <reason>   <count>" lines, summed over vCPUs and domain runs.
	grep -a -E '^\(keel\) d[0-9]+v[0-9]+: ' "$dir/serial.txt" |
		sed -E 's/^\(keel\) d[0-9]+v[0-9]+: +//' |
		awk '
			/^[0-9]+ VM exits/ { total += $1; next }
			/ [0-9]+$/ { n = $NF; $NF = ""; sub(/ +$/, ""); count[$0] += n; order[$0] = order[$0] ? order[$0] : ++k }
			END {
				for (r in count) printf "%d\t%s\t%d\n", order[r], r, count[r]
				if (total) printf "%d\ttotal\t%d\n", k + 1000, total
			}' | sort -n | cut -f 2- >"$dir/exits.tsv" || true
}

names=()
for iso in "${isos[@]}"; do
	name=$(basename "$iso" .iso)
	name=${name#keel-}
	names+=("$name")
	run_one "$iso" "$name"
done

# get NAME KEY: one value from NAME's result file.
get() { sed -n "s/^$2=//p" "$out/$1/result"; }

# group N: N with thousands separators.
group() { printf '%s' "$1" | sed -E ':a; s/^([0-9]+)([0-9]{3})/\1,\2/; ta'; }

report() {
	local name ticks ips total guest mips rev
	rev=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
	echo "keel bench: Bochs $(dpkg-query -W -f='${Version}' bochs 2>/dev/null || echo '?')," \
		"clock: sync=none, ${megs} MiB, 1 CPU; keel $rev; $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "keel, dom0, /init, stop, exit: wall seconds from starting Bochs to keel's first line"
	echo "  (after BIOS and GRUB), dom0's first line, \"$marker\", \"keel: stopped\", Bochs's exit"
	echo "linux /init: Linux's own clock at \"Run /init\"; ticks: Bochs's emulated time, one per"
	echo "  instruction plus time skipped in HLT, as guest seconds (ticks / ips) and per wall second"
	echo
	printf '%-12s %6s %6s %6s %6s %6s %11s %15s %8s %8s  %s\n' run keel dom0 /init stop \
		exit "linux /init" ticks "guest s" "Mticks/s" "keel status"
	for name in "${names[@]}"; do
		ticks=$(get "$name" ticks) ips=$(get "$name" ips) total=$(get "$name" total)
		guest=- mips=-
		if [[ $ticks != - && $ips != - ]]; then
			guest=$(awk -v t="$ticks" -v i="$ips" 'BEGIN { printf "%.2f", t / i }')
			mips=$(awk -v t="$ticks" -v w="$total" 'BEGIN { printf "%.0f", (w > 0 ? t / w / 1e6 : 0) }')
			ticks=$(group "$ticks")
		fi
		local linux_init
		linux_init=$(get "$name" linux_init)
		[[ $linux_init == - ]] || linux_init="${linux_init}s"
		printf '%-12s %6s %6s %6s %6s %6s %11s %15s %8s %8s  %s\n' "$name" \
			"$(get "$name" to_keel)" "$(get "$name" to_dom0)" "$(get "$name" to_marker)" \
			"$(get "$name" to_stop)" "$total" "$linux_init" "$ticks" "$guest" "$mips" \
			"$(get "$name" status)"
		[[ -z $(get "$name" note) ]] || echo "  $name: $(get "$name" note)"
	done
	echo
	echo "VM exits by reason (keel's dNvM counts at the end)"
	# One row per reason, in the order keel printed them, one column per run.
	local -a files=()
	for name in "${names[@]}"; do
		files+=("$out/$name/exits.tsv")
	done
	awk -F '\t' -v names="${names[*]}" '
		BEGIN { n = split(names, col, " "); printf "  %-22s", "reason"; for (i = 1; i <= n; i++) printf " %14s", col[i]; printf "\n" }
		FNR == 1 { f++ }
		{ if (!($1 in seen)) { seen[$1] = 1; if ($1 == "total") last = 1; else row[++r] = $1 } v[$1, f] = $2 }
		END {
			if (last) row[++r] = "total"
			for (j = 1; j <= r; j++) {
				printf "  %-22s", row[j]
				for (i = 1; i <= n; i++) printf " %14s", ((row[j], i) in v) ? v[row[j], i] : "-"
				printf "\n"
			}
			if (!r) print "  (no VM-exit counts on any console)"
		}' "${files[@]}"
	echo
	echo "runs: ${out#"$root"/}/<run>/ (serial.txt, serial.stamped, bochs.log, bochs.out)"
}

report | tee "$out/report.txt"

first=${names[0]}
if [[ $(get "$first" to_marker) == - ]]; then
	echo "bench: ${first}: the console never showed \"$marker\"" >&2
	exit 1
fi
