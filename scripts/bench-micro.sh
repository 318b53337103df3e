#!/usr/bin/env bash
# make bench's micro-benchmarks: tests/guests/bench as keel's dom0 and as Xen 4.17's PVH dom0,
# two CPUs each, one run after the other; its "bench: NAME min M median D ticks" lines become
# rows of $KEEL_BENCH_DIR/micro.fig (figure, unit, keel, Xen: the medians) and micro.txt.
#
# Usage: scripts/bench-micro.sh KEEL_ISO [XEN_ISO]   (no XEN_ISO: keel's side only)
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
keel_iso=$(realpath -m "${1:?usage: $0 KEEL_ISO [XEN_ISO]}")
xen_iso=${2:+$(realpath -m "$2")}
out=$(realpath -m "${KEEL_BENCH_DIR:-$root/build/bench}")
. "$root/scripts/bench-lib.sh"
trap keel_stop_xvfb EXIT

bench_run "$keel_iso" "$out/micro-keel" 2 'bench: done|keel: stopped'
bench_figures "$out/micro-keel" >"$out/micro-keel/figures"
rm -rf "$out/micro-xen" && mkdir -p "$out/micro-xen" && : >"$out/micro-xen/figures"
if [[ -n $xen_iso ]]; then
	bench_run "$xen_iso" "$out/micro-xen" 2 'bench: done|Panic|FATAL'
	bench_figures "$out/micro-xen" >"$out/micro-xen/figures"
fi

# One row per figure keel measured, Xen's median beside it ("-" when Xen has none).
bench_micro_fig '' "$out/micro-keel/figures" "$out/micro-xen/figures" >"$out/micro.fig"
{
	echo "micro-benchmarks (tests/guests/bench): TSC ticks, min / median of 256 rounds"
	printf '  %-16s %17s %17s\n' figure keel Xen
	bench_micro_rows "$out/micro-keel/figures" "$out/micro-xen/figures"
	for side in keel xen; do
		note=$(bench_get "$out/micro-$side" note 2>/dev/null || true)
		[[ -z $note ]] || echo "  $side: $note"
	done
} >"$out/micro.txt"
cat "$out/micro.txt"
[[ -s $out/micro-keel/figures ]]
