#!/usr/bin/env bash
# `make bench`'s disk half: boots the blockbench ISO in Bochs (dom0 runs test-blockbench) and
# reports the disk figures of one run side by side: dom0-local I/O on the image (the file, and a
# loop device with O_DIRECT), a Linux domU on that image through keel-blkback and through
# Linux's in-kernel xen-blkback (backendtype=phy), each with its ratio to dom0's loop device.
#
# Usage: scripts/bench-block.sh ISO        (report: $KEEL_BENCH_DIR/block.txt, default build/bench)
# Figures under Bochs measure the emulated machine (about 100 MIPS): compare them only with
# each other, within one run.
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
iso=$(realpath -m "${1:?usage: $0 ISO}")
out=$(realpath -m "${KEEL_BENCH_DIR:-$root/build/bench}")
dir=$out/block
limit=${KEEL_BENCH_TIMEOUT:-3600}

cd "$root"
. tests/emu/lib.sh
die() { echo "bench-block.sh: $*" >&2; exit 2; }
command -v bochs-bin >/dev/null || die "bochs-bin not installed (scripts/deps.sh run)"
[[ -f $iso ]] || die "$iso missing"

rm -rf "$dir" && mkdir -p "$dir"
trap keel_stop_xvfb EXIT
[[ -n ${DISPLAY:-} ]] || keel_start_xvfb "$dir"
keel_bochsrc "$dir/bochsrc" "$iso" "$dir/serial.txt" "$dir/bochs.log" 1024 1 1
echo "bench-block: booting $(basename "$iso") in Bochs (log: ${dir#"$root"/}/serial.txt)"
start=$EPOCHREALTIME
timeout -k 5 "$limit" bochs-bin -q -f "$dir/bochsrc" <<<c >"$dir/bochs.out" 2>&1 || true
secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')

grep -a -q 'blockbench: PASS' "$dir/serial.txt" ||
	{ grep -a 'blockbench\|diskbench' "$dir/serial.txt" | tail -5; die "the run did not finish (${secs}s)"; }

# "diskbench: LABEL TEST N unit S s VALUE UNIT" lines -> one table, ratios against dom0-loop.
grep -a -o -E 'diskbench: [^ ]+ (seq|rand)-(read|write) .*' "$dir/serial.txt" | tr -d '\r' | awk -v secs="$secs" '
	{ label = $2; test = $3; value[label, test] = $(NF - 1); unit[test] = $NF
	  if (!(label in seen)) { seen[label] = 1; labels[++n] = label } }
	END {
		split("seq-write seq-read rand-read rand-write", tests, " ")
		printf "keel bench, disks: one Bochs run (%s s wall; Bochs, so compare only within it), 16 MiB sequential in 1 MiB\n", secs
		printf "requests, 1000 random 4 KiB requests; (x) = ratio to dom0-loop in the same run\n\n"
		printf "%-16s", "where"
		for (t = 1; t <= 4; t++) printf " %22s", tests[t] " (" unit[tests[t]] ")"
		printf "\n"
		for (i = 1; i <= n; i++) {
			printf "%-16s", labels[i]
			for (t = 1; t <= 4; t++) {
				v = value[labels[i], tests[t]]; ref = value["dom0-loop", tests[t]]
				printf " %14s %7s", v, (ref > 0 ? sprintf("(%.2f)", v / ref) : "")
			}
			printf "\n"
		}
	}' | tee "$out/block.txt"
echo "report: ${out#"$root"/}/block.txt"
