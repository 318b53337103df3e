#!/usr/bin/env bash
# `make bench`'s network half: boots the netbench ISO in Bochs (dom0 runs test-netbench) and
# reports the network figures of one run side by side: dom0's loopback (the local reference),
# a Linux domU through keel-netback and through Linux's in-kernel xen-netback
# (backendtype=kernel), each with its ratio to the loopback; then VM exits, hypercalls and
# event-channel interrupts per packet.
#
# Usage: scripts/bench-net.sh ISO        (report: $KEEL_BENCH_DIR/net.txt, default build/bench)
# Figures under Bochs measure the emulated machine: compare them only with each other, within
# one run.
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
iso=$(realpath -m "${1:?usage: $0 ISO}")
out=$(realpath -m "${KEEL_BENCH_DIR:-$root/build/bench}")
dir=$out/net
limit=${KEEL_BENCH_TIMEOUT:-3600}

cd "$root"
. scripts/bench-lib.sh
die() { echo "bench-net.sh: $*" >&2; exit 2; }

# report SERIAL SECS: the tables from the "netbench:" lines of a run's serial output.
report() {
	# "netbench: LABEL TEST N unit S s VALUE UNIT" -> one table, ratios against dom0-lo.
	grep -a -o -E 'netbench: [^ ]+ (tcp-send|tcp-recv|udp-rr) [0-9]+ .*' "$1" | tr -d '\r' |
		awk -v secs="$2" '
	{ label = $2; test = $3; value[label, test] = $8; unit[test] = $9
	  if (!(label in seen)) { seen[label] = 1; labels[++n] = label } }
	END {
		split("tcp-send tcp-recv udp-rr", tests, " ")
		head["tcp-send"] = "dom0->domU"; head["tcp-recv"] = "domU->dom0"; head["udp-rr"] = "64 B UDP req/resp"
		printf "keel bench, network: one Bochs run (%s s wall; Bochs, so compare only within it); TCP 16 MiB\n", secs
		printf "each way, 2000 UDP transactions of 64 bytes each way; (x) = ratio to dom0-lo in the same run\n\n"
		printf "%-14s", "where"
		for (t = 1; t <= 3; t++) printf " %26s", head[tests[t]] " (" unit[tests[t]] ")"
		printf "\n"
		for (i = 1; i <= n; i++) {
			printf "%-14s", labels[i]
			for (t = 1; t <= 3; t++) {
				v = value[labels[i], tests[t]]; ref = value["dom0-lo", tests[t]]
				printf " %18s %7s", v, (ref > 0 ? sprintf("(%.2f)", v / ref) : "")
			}
			printf "\n"
		}
	}'

	bench_cpu_note "$1"

	# "netbench: stat LABEL TEST dom0|domU NAME exits N hypercalls N ... irqs N [pkts N]",
	# sampled as TEST starts: each interval's counts per packet (dom0's count of packets on
	# the vif, both ways, or on lo), less the quiet "idle" interval's.
	grep -a -o -E 'netbench: stat .*' "$1" | tr -d '\r' | awk -v detail="$3" '
	{
		label = $3; test = $4; who = $5; k = label SUBSEP who
		if (!(label in seen)) { seen[label] = 1; labels[++n] = label }
		if (who == "dom0") for (i = 7; i < NF; i += 2) if ($i == "pkts") pk[label, test] = $(i + 1)
		if (k in prev) {
			t = prev[k]
			tseen[k, t] = 1
			for (i = 7; i < NF; i += 2) d[k, t, $i] = $(i + 1) - last[k, $i]
		}
		for (i = 7; i < NF; i += 2) { last[k, $i] = $(i + 1); names[$i] = 1 }
		prev[k] = test
		if (who == "dom0") { order[label, test] = ++tn[label]; at[label, tn[label]] = test }
	}
	function packets(label, t,   nx) {
		nx = at[label, order[label, t] + 1]
		return pk[label, nx] - pk[label, t] - (pk[label, at[label, 2]] - pk[label, "idle"])
	}
	function per(k, t, key, label,   p, v) {
		p = packets(label, t)
		if (p <= 0) return 0
		v = (d[k, t, key] - d[k, "idle", key]) / p
		return v < 0 ? 0 : v
	}
	END {
		split("tcp-send tcp-recv udp-rr", tests, " ")
		printf "\nPer packet on the vif (lo), both ways: VM exits / hypercalls / event interrupts (xen-dyn);\n"
		printf "the quiet interval'"'"'s counts subtracted. Packets per test in brackets.\n\n"
		printf "%-14s %-5s", "where", "dom"
		for (t = 1; t <= 3; t++) printf " %28s", tests[t]
		printf "\n"
		for (i = 1; i <= n; i++) {
			label = labels[i]
			split("dom0 domU", ws, " ")
			for (w = 1; w <= 2; w++) {
				k = label SUBSEP ws[w]
				if (!((k, "idle") in tseen)) continue
				printf "%-14s %-5s", label, ws[w]
				for (t = 1; t <= 3; t++)
					printf " %6.1f / %5.1f / %4.2f (%5d)", per(k, tests[t], "exits", label),
					       per(k, tests[t], "hypercalls", label), per(k, tests[t], "irqs", label),
					       packets(label, tests[t])
				printf "\n"
				for (t = 1; t <= 3; t++) {
					printf "%s %s %s per packet:", label, ws[w], tests[t] >detail
					for (key in names) if (key != "pkts") {
						v = per(k, tests[t], key, label)
						if (v >= 0.05) printf " %s %.2f", key, v >detail
					}
					printf "\n" >detail
				}
			}
		}
	}'

	# "netbench: nbstat LABEL TEST ... stats: rx N frames N copies N notifies, tx N frames N
	# copies N notifies, N wakeups N syscalls; ...": keel-netback's counts as TEST starts (LABEL
	# keel-netback, and keel-gntdev: the same daemon and guest copying through gntdev).
	{ grep -a -o -E 'netbench: nbstat .*' "$1" || true; } | tr -d '\r' | awk '
	{
		for (i = 1; i <= NF && $i != "stats:"; i++) ;
		if (i > NF) next
		t[++n] = $4; lb[n] = $3
		rf[n] = $(i + 2); rc[n] = $(i + 4); rn[n] = $(i + 6)
		tf[n] = $(i + 9); tc[n] = $(i + 11); tn[n] = $(i + 13); w[n] = $(i + 15); s[n] = $(i + 17)
		for (j = i; j <= NF && $j != "switches"; j++) ;
		vc[n] = $(j + 1); ic[n] = $(j + 3)
		for (j = i; j <= NF && $j != "ticks"; j++) ;
		ct[n] = $(j + 2)
		for (j = i; j <= NF && $j != "segs"; j++) ;
		sg[n] = j < NF ? $(j + 1) + 0 : ""
		for (j = i; j <= NF && $j != "yields"; j++) ;
		yl[n] = $(j + 1) + 0; ym[n] = $(j + 3) == "" ? 0 : $(j + 3) + 0
	}
	function r(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
	END {
		if (n < 2) exit
		printf "\nkeel-netback'"'"'s own counts (its stats: lines): frames per grant copy and per\n"
		printf "notification each way, wake-ups, system calls and the daemon'"'"'s context switches\n"
		printf "(sleeps / preemptions) per frame (both ways), TSC ticks per grant-copy segment,\n"
		printf "yields to the guest and those after which its answer was not there (missed).\n\n"
		printf "%-22s %7s %9s %9s %7s %9s %9s %8s %7s %9s %7s %11s\n", "test", "rx fr",
		       "rx fr/cp", "rx fr/ev", "tx fr", "tx fr/cp", "tx fr/ev", "wake/fr", "sys/fr",
		       "csw/fr", "tk/seg", "yld/missed"
		for (j = 1; j < n; j++) {
			if (t[j] == "idle" || t[j] == "end" || lb[j] != lb[j + 1]) continue
			f = rf[j + 1] - rf[j] + tf[j + 1] - tf[j]
			ns = sg[j] == "" ? 0 : sg[j + 1] - sg[j]
			tps = ns > 0 ? sprintf("%.0f", (ct[j + 1] - ct[j]) / ns) : "-"
			printf "%-22s %7d %9s %9s %7d %9s %9s %8s %7s %9s %7s %11s\n", lb[j] " " t[j],
			       rf[j + 1] - rf[j],
			       r(rf[j + 1] - rf[j], rc[j + 1] - rc[j]), r(rf[j + 1] - rf[j], rn[j + 1] - rn[j]),
			       tf[j + 1] - tf[j], r(tf[j + 1] - tf[j], tc[j + 1] - tc[j]),
			       r(tf[j + 1] - tf[j], tn[j + 1] - tn[j]), r(w[j + 1] - w[j], f), r(s[j + 1] - s[j], f),
			       (vc[j] == "" ? "-" : r(vc[j + 1] - vc[j], f) "/" r(ic[j + 1] - ic[j], f)),
			       tps, (yl[j + 1] - yl[j]) "/" (ym[j + 1] - ym[j])
		}
	}'
}

if [[ ${KEEL_BENCH_REPORT:-} ]]; then	# tables from a serial log already there
	mkdir -p "$out"
	report "$KEEL_BENCH_REPORT" "?" "$out/net-stats.txt"
	exit
fi
command -v bochs-bin >/dev/null || die "bochs-bin not installed (scripts/deps.sh run)"
[[ -f $iso ]] || die "$iso missing"

rm -rf "$dir" && mkdir -p "$dir"
trap keel_stop_xvfb EXIT
[[ -n ${DISPLAY:-} ]] || keel_start_xvfb "$dir"
keel_bochsrc "$dir/bochsrc" "$iso" "$dir/serial.txt" "$dir/bochs.log" 1024 1 1
echo "bench-net: booting $(basename "$iso") in Bochs (log: ${dir#"$root"/}/serial.txt)"
start=$EPOCHREALTIME
timeout -k 5 "$limit" bochs-bin -q -f "$dir/bochsrc" <<<c >"$dir/bochs.out" 2>&1 || true
secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')

grep -a -q 'netbench: PASS' "$dir/serial.txt" ||
	{ grep -a 'netbench' "$dir/serial.txt" | tail -5; die "the run did not finish (${secs}s)"; }
report "$dir/serial.txt" "$secs" "$out/net-stats.txt" | tee "$out/net.txt"
echo "report: ${out#"$root"/}/net.txt (counts by reason: ${out#"$root"/}/net-stats.txt)"
