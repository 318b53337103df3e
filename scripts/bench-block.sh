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

# "blockbench: stat LABEL TEST dom0|domU NAME exits N hypercalls N cpu_us N x:REASON N ...",
# sampled as TEST starts: each interval's counts per diskbench request (1 MiB sequential,
# 4 KiB random), less the quiet "idle" interval's (the guest's 2 s pauses around each test).
{ grep -a -o -E 'diskbench: [^ ]+ (seq|rand)-(read|write) [0-9]+ ' "$dir/serial.txt"
  grep -a -o -E 'blockbench: stat .*' "$dir/serial.txt"; } | tr -d '\r' | awk -v detail="$out/block-stats.txt" '
	$1 == "diskbench:" { reqs[$2, $3] = $4; next }
	{
		label = $3; test = $4; who = $5; k = label SUBSEP who
		if (!(label in seen)) { seen[label] = 1; labels[++n] = label }
		if (k in prev) {
			t = prev[k]
			tseen[k, t] = 1
			for (i = 7; i < NF; i += 2) d[k, t, $i] = $(i + 1) - last[k, $i]
		}
		for (i = 7; i < NF; i += 2) { last[k, $i] = $(i + 1); names[$i] = 1 }
		prev[k] = test
	}
	function per(k, t, key, label,   r) {
		r = reqs[label, t]
		if (!r) return ""
		v = (d[k, t, key] - d[k, "idle", key]) / r
		return v < 0 ? 0 : v
	}
	END {
		split("seq-write seq-read rand-read rand-write", tests, " ")
		printf "\nVM exits, hypercalls and CPU time (us) per request (dom0 and the guest; the quiet\n"
		printf "interval'"'"'s subtracted)\n\n"
		printf "%-16s %-5s", "where", "dom"
		for (t = 1; t <= 4; t++) printf " %28s", tests[t] " exits/hcalls/us"
		printf "\n"
		for (i = 1; i <= n; i++) {
			label = labels[i]
			split("dom0 domU", ws, " ")
			for (w = 1; w <= 2; w++) {
				k = label SUBSEP ws[w]
				if (!((k, "idle") in tseen)) continue
				printf "%-16s %-5s", label, ws[w]
				for (t = 1; t <= 4; t++)
					printf " %10.1f %10.1f %6.0f", per(k, tests[t], "exits", label),
					       per(k, tests[t], "hypercalls", label),
					       per(k, tests[t], "cpu_us", label)
				printf "\n"
				for (t = 1; t <= 4; t++) {
					printf "%s %s %s per request:", label, ws[w], tests[t] >detail
					for (key in names) if (key != "exits" && key != "hypercalls") {
						v = per(k, tests[t], key, label)
						if (v >= 0.05) printf " %s %.1f", key, v >detail
					}
					printf "\n" >detail
				}
			}
		}
	}' | tee -a "$out/block.txt"
# "blockbench: bbstat LABEL TEST ... stats: requests N wakeups N syscalls N", sampled as TEST
# starts: keel-blkback's wake-ups and system calls per blkif request during each test.
grep -a -o -E 'blockbench: bbstat .*' "$dir/serial.txt" | tr -d '\r' | awk '
	{
		label = $3; test = $4
		for (i = 5; i <= NF && $i != "stats:"; i++) ;
		r = $(i + 2); w = $(i + 4); c = $(i + 6)
		if (label in prev && r > pr[label]) {
			if (!hdr++) {
				printf "\nkeel-blkback'"'"'s own counts per blkif request (its stats: lines)\n\n"
				printf "%-16s %-10s %10s %10s %10s\n", "where", "test", "requests", "wake-ups", "syscalls"
			}
			printf "%-16s %-10s %10d %10.2f %10.2f\n", label, prev[label], r - pr[label],
			       (w - pw[label]) / (r - pr[label]), (c - pc[label]) / (r - pr[label])
		}
		prev[label] = test; pr[label] = r; pw[label] = w; pc[label] = c
	}' | tee -a "$out/block.txt"
echo "report: ${out#"$root"/}/block.txt (counts by reason: ${out#"$root"/}/block-stats.txt)"
