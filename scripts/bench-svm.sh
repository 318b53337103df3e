#!/usr/bin/env bash
# make bench's SVM part (issue 18): the micro-benchmark guest (tests/guests/bench) as keel's dom0
# under AMD SVM with nested paging in QEMU TCG (-cpu qemu64,+svm,+npt, as run-tests.sh's qemu-svm
# kind), two CPUs, and Xen 4.17's PVH dom0 under the same QEMU when XEN_ISO is given. QEMU runs
# with -icount shift=0: time follows the instruction count (one ns each), so the TSC figures are
# path lengths that repeat, as Bochs's are, though on another scale (QEMU's TSC runs at its own
# rate per emulated ns). Rows svm_<figure> of $KEEL_BENCH_DIR/svm.fig, and svm.txt.
#
# Usage: scripts/bench-svm.sh KEEL_ISO [XEN_ISO]   (no XEN_ISO: keel's side only)
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
keel_iso=$(realpath -m "${1:?usage: $0 KEEL_ISO [XEN_ISO]}")
xen_iso=${2:+$(realpath -m "$2")}
out=$(realpath -m "${KEEL_BENCH_DIR:-$root/build/bench}")
limit=${KEEL_BENCH_TIMEOUT:-900}
. "$root/scripts/bench-lib.sh"

# qemu_run ISO DIR STOP: boot ISO in QEMU TCG with SVM into DIR; stop two seconds after a line
# matches STOP (Xen leaves the machine on), else when QEMU exits or after $limit seconds.
qemu_run() {
	local iso=$1 dir=$2 stop=$3 start pid rc note=''

	rm -rf "$dir" && mkdir -p "$dir"
	echo "bench: booting ${iso##*/} in QEMU TCG with SVM, 2 CPUs (up to ${limit}s)..." >&2
	start=$EPOCHREALTIME
	timeout -k 5 "$limit" qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -icount shift=0 \
		-m 512 -smp 2 -display none -monitor none -nic none -no-reboot \
		-serial "file:$dir/serial.txt" -device isa-debug-exit,iobase=0x501,iosize=2 \
		-cdrom "$iso" >"$dir/qemu.log" 2>&1 &
	pid=$!
	bench_stop_after "$pid" "$dir/serial.txt" "$stop"
	wait "$pid" 2>/dev/null && rc=0 || rc=$?
	((rc != 124 && rc != 137)) || note="timed out after ${limit}s"
	grep -a -q -E "$stop" "$dir/serial.txt" || note="${note:+$note; }no line matched '$stop'"
	{
		echo "total=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
		echo "note=$note"
	} >"$dir/result"
}

qemu_run "$keel_iso" "$out/svm-keel" 'bench: done|keel: stopped'
bench_figures "$out/svm-keel" >"$out/svm-keel/figures"
rm -rf "$out/svm-xen" && mkdir -p "$out/svm-xen" && : >"$out/svm-xen/figures"
if [[ -n $xen_iso ]]; then
	qemu_run "$xen_iso" "$out/svm-xen" 'bench: done|Panic|FATAL'
	bench_figures "$out/svm-xen" >"$out/svm-xen/figures"
fi

bench_micro_fig svm_ "$out/svm-keel/figures" "$out/svm-xen/figures" >"$out/svm.fig"
{
	echo "keel on SVM (QEMU TCG, -cpu qemu64,+svm,+npt -icount shift=0): the micro-benchmarks,"
	echo "TSC ticks, min / median of 256 rounds (not comparable with Bochs's ticks above)"
	printf '  %-16s %17s %17s\n' figure keel Xen
	bench_micro_rows "$out/svm-keel/figures" "$out/svm-xen/figures"
	for side in keel xen; do
		note=$(sed -n 's/^note=//p' "$out/svm-$side/result" 2>/dev/null || true)
		[[ -z $note ]] || echo "  $side: $note"
		[[ ! -s $out/svm-$side/result ]] ||
			echo "  $side: $(sed -n 's/^total=//p' "$out/svm-$side/result") s wall"
	done
} >"$out/svm.txt"
cat "$out/svm.txt"
[[ -s $out/svm-keel/figures ]]
