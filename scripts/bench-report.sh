#!/usr/bin/env bash
# make bench's report: the figures of every part that ran (DIR/micro.fig, boot.fig,
# create.fig: "figure<TAB>unit<TAB>keel<TAB>Xen" rows, "-" where a side has none) as one table
# with the ratio keel/Xen (below 1: keel is ahead), the issue 17 aims each met or not, then
# every other DIR/*.txt; to DIR/report.txt and stdout. DIR/report.png (gnuplot) shows each
# figure of keel as a share of Xen's.
#
# Usage: scripts/bench-report.sh [DIR]   (default $KEEL_BENCH_DIR, else build/bench)
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
out=$(realpath -m "${1:-${KEEL_BENCH_DIR:-$root/build/bench}}")
figs=()
for part in micro svm boot create; do
	[[ ! -f $out/$part.fig ]] || figs+=("$out/$part.fig")
done

# table: "figure unit keel xen ratio" with ratio keel/Xen or "-".
table() {
	((${#figs[@]})) || return 0
	awk -F '\t' 'NF >= 4 {
		r = ($3 != "-" && $4 != "-" && $4 + 0 > 0) ? sprintf("%.2f", $3 / $4) : "-"
		printf "%s\t%s\t%s\t%s\t%s\n", $1, $2, $3, $4, r }' "${figs[@]}"
}

# aim NAME FIELD OP LIMIT TEXT: "met" or "NOT met" for FIELD (3 keel, 5 ratio) of NAME.
aim() {
	table | awk -F '\t' -v n="$1" -v f="$2" -v op="$3" -v lim="$4" -v text="$5" '
		$1 == n { v = $f; seen = 1 }
		END {
			if (!seen || v == "-") { printf "  %-46s not measured\n", text; exit }
			ok = (op == "<=") ? v + 0 <= lim + 0 : v + 0 >= lim + 0
			printf "  %-46s %s (%s)\n", text, ok ? "met" : "NOT met", v
		}'
}

{
	rev=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
	echo "keel bench: Bochs $(dpkg-query -W -f='${Version}' bochs 2>/dev/null || echo '?')," \
		"clock: sync=none (one TSC tick per instruction); keel $rev;" \
		"$(cat "$root/build/xen/xen-hypervisor.deb.pkg" 2>/dev/null || echo 'no Xen')"
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'); keel/Xen below 1: keel is ahead"
	echo
	printf '%-18s %-7s %12s %12s %9s\n' figure unit keel Xen keel/Xen
	table | awk -F '\t' '{ printf "%-18s %-7s %12s %12s %9s\n", $1, $2, $3, $4, $5 }'
	echo
	echo "issue 17's aims:"
	aim null 3 '<=' 150 'null hypercall <= 150 ticks'
	aim kernel_vs_bare 3 '<=' 1.1 'dom0 kernel to /init <= 1.1x bare'
	aim boot_wall 5 '<=' 0.25 'power-on -> /init <= 0.25x Xen'
	aim pingpong 5 '<=' 0.5 'event-channel ping-pong <= 0.5x Xen'
	aim grant_copy 5 '<=' 0.5 'grant copy <= 0.5x Xen'
	for f in "$out"/*.txt; do
		[[ -f $f && $f != "$out/report.txt" ]] || continue
		echo
		echo "== ${f##*/}"
		cat "$f"
	done
} >"$out/report.txt.new"
mv "$out/report.txt.new" "$out/report.txt"
cat "$out/report.txt"

# The chart: keel's figure as a percentage of Xen's, for each figure both measured.
table | awk -F '\t' '$5 != "-" && $2 != "x" { printf "%s %.1f\n", $1, 100 * $5 }' >"$out/report.dat"
if [[ ! -s $out/report.dat ]]; then
	echo "bench-report: no figure with both sides: no chart"
elif ! command -v gnuplot >/dev/null; then
	echo "bench-report: gnuplot not installed (scripts/deps.sh bench): no chart"
else
	ymax=$(awk 'BEGIN { m = 100 } $2 > m { m = $2 } END { printf "%.0f", m * 1.2 }' "$out/report.dat")
	gnuplot <<GP
set terminal pngcairo size 900,500 noenhanced
set output "$out/report.png"
set title "keel as a percentage of Xen 4.17 (Bochs, same machine; lower is better)"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.7
set yrange [0:$ymax]
set ylabel "keel / Xen (%)"
set xtics rotate by -30
set grid ytics
plot "$out/report.dat" using 2:xtic(1) title "keel", 100 with lines lw 2 title "Xen = 100%"
GP
	echo "bench-report: chart ${out#"$root"/}/report.png"
fi
