#!/usr/bin/env bash
# `make bench`'s scale figures: boots the domctl test ISO in Bochs (one CPU, as its test) and
# reports keel's resident memory with dom0 alone (its boot log: image, page bitmap and frame
# table, what it allocated) and what one more domain costs it (the guest's 200 live domains of
# one vCPU, no RAM), with keel's limits beside them.
#
# Usage: scripts/bench-scale.sh ISO        (report: $KEEL_BENCH_DIR/scale.txt, default build/bench)
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
iso=$(realpath -m "${1:?usage: $0 ISO}")
out=$(realpath -m "${KEEL_BENCH_DIR:-$root/build/bench}")
dir=$out/scale
limit=${KEEL_BENCH_TIMEOUT:-900}

cd "$root"
. tests/emu/lib.sh
die() { echo "bench-scale.sh: $*" >&2; exit 2; }
command -v bochs-bin >/dev/null || die "bochs-bin not installed (scripts/deps.sh run)"
[[ -f $iso ]] || die "$iso missing"

rm -rf "$dir" && mkdir -p "$dir"
trap keel_stop_xvfb EXIT
[[ -n ${DISPLAY:-} ]] || keel_start_xvfb "$dir"
keel_bochsrc "$dir/bochsrc" "$iso" "$dir/serial.txt" "$dir/bochs.log" 256 1 1
echo "bench-scale: booting $(basename "$iso") in Bochs (log: ${dir#"$root"/}/serial.txt)"
timeout -k 5 "$limit" bochs-bin -q -f "$dir/bochsrc" <<<c >"$dir/bochs.out" 2>&1 || true

log=$dir/serial.txt
grep -a -q 'guest: PASS domctl' "$log" || { tail -5 "$log"; die "the domctl guest did not pass"; }
resident=$(grep -a -o -m1 'mm: keel resident .*' "$log" | tr -d '\r') ||
	die "no 'mm: keel resident' line"
many=$(grep -a -o -m1 'domctl: [0-9]* domains at once, [0-9]* pages each' "$log") ||
	die "no 'domains at once' line"
cpus=$(grep -a -o -m1 'smp: [0-9]* CPUs* online' "$log" | tr -d '\r')
hdr=$(sed -n 's/^#define \(MAX_CPUS\|DOMAIN_MAX_VCPUS\) *\([0-9]*\).*/\1 \2/p' \
	hypervisor/include/keel/percpu.h hypervisor/include/keel/domain.h)

# "mm: keel resident N KiB: image A, page bitmap and frame table B, allocated C"
read -r total image tables alloc < <(sed -E 's/.*resident ([0-9]+) KiB: image ([0-9]+), page bitmap and frame table ([0-9]+), allocated ([0-9]+).*/\1 \2 \3 \4/' <<<"$resident")
read -r ndoms pages < <(sed -E 's/domctl: ([0-9]+) domains at once, ([0-9]+) pages each/\1 \2/' <<<"$many")
{
	echo "Scale: keel's memory and limits (Bochs, 256 MiB, ${cpus#smp: }; dom0 = the domctl test guest, 32 MiB)"
	echo
	printf '%-44s %10s\n' "keel resident with dom0 alone" "$total KiB"
	printf '%-44s %10s\n' "  image (code, data, static per-CPU/domain)" "$image KiB"
	printf '%-44s %10s\n' "  page bitmap and frame table (8 B/frame)" "$tables KiB"
	printf '%-44s %10s\n' "  allocated (CPUs' stacks, dom0's state)" "$alloc KiB"
	printf '%-44s %10s\n' "per domain (1 vCPU, no RAM; $ndoms live)" "$((pages * 4)) KiB"
	echo
	echo "Limits: $(awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }' <<<"$hdr"), domain ids 1-32751 all live at once"
	echo "(per-CPU and per-domain state is allocated as CPUs come up and domains are created)"
} | tee "$out/scale.txt"
