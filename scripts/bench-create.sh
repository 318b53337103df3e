#!/usr/bin/env bash
# make bench's domain creation, keel only (Xen's toolstack is not comparable, issue 17): dom0
# Linux runs test-createbench, `keelctl -v create -c` of the lastwords kit guest three times,
# each line stamped with dom0's clock. Rows of $KEEL_BENCH_DIR/create.fig (the median of the
# three) and create.txt (every step of each run).
#
# Usage: scripts/bench-create.sh ISO
# Figures, in ms of dom0's clock (emulated time: 1 ms is 200,000 ticks):
#   create_started  `keelctl create` started -> its "Started domain" line
#   create_to_line  `keelctl create` started -> the guest's first console line
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
iso=$(realpath -m "${1:?usage: $0 ISO}")
out=$(realpath -m "${KEEL_BENCH_DIR:-$root/build/bench}")
. "$root/scripts/bench-lib.sh"
trap keel_stop_xvfb EXIT

bench_run "$iso" "$out/create" 1 'keel: stopped'
lines=$out/create/lines
grep -a -o -E 'createbench: [0-9]+ [0-9]+ .*' "$out/create/serial.txt" | tr -d '\r' >"$lines" || true

# median PATTERN: the median over runs of the first line matching PATTERN, in ms.
median() {
	BENCH_PAT=$1 awk '$0 ~ ENVIRON["BENCH_PAT"] && !($2 in t) { t[$2] = $3 / 1000 }
		END { n = 0; for (r in t) v[++n] = t[r]
		      if (!n) { print "-"; exit }
		      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
		      printf "%.1f\n", v[int((n + 1) / 2)] }' "$lines"
}
{
	printf 'create_started\tms\t%s\t-\n' "$(median 'Started domain')"
	printf 'create_to_line\tms\t%s\t-\n' "$(median 'lastwords: ')"
} >"$out/create.fig"
{
	echo "create: keelctl -v create -c of the lastwords guest (16 MiB, 1 vCPU, one console line),"
	echo "  in dom0 Linux on keel; ms of dom0's clock since create started, each run"
	awk '{ r = $2; ms = $3 / 1000; $1 = $2 = $3 = ""; sub(/^ +/, "")
	       printf "  run %s %9.1f ms  %s\n", r, ms, $0 }' "$lines"
} >"$out/create.txt"
cat "$out/create.txt"
grep -q 'lastwords: ' "$lines"
