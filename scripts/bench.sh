#!/usr/bin/env bash
# `make bench`: keel side by side with Xen 4.17 under the same Bochs (issue 17), part by part,
# one emulator run after another, then one report (scripts/bench-report.sh).
#
# Usage: scripts/bench.sh [BUILD]   (default build; the ISOs must be built: make bench does it)
#        scripts/bench.sh KEEL_ISO [XEN_ISO [BARE_ISO]]   only the boot part, of those ISOs
# Environment:
#   BENCH           the parts, comma-separated (default micro,svm,boot,create,block,net,scale):
#                   micro  the bench guest on keel and Xen (scripts/bench-micro.sh)
#                   svm    the same under AMD SVM in QEMU TCG, keel and Xen (bench-svm.sh)
#                   boot   Linux to /init on keel, Xen and the bare machine (bench-boot.sh)
#                   create keelctl create to a small guest's first line, keel only
#                   block  disk figures (bench-block.sh), net  network figures (bench-net.sh)
#                   scale  keel's memory and limits (bench-scale.sh)
#   BENCH_XEN       0: keel's side only (no Xen package needed), default 1
#   KEEL_BENCH_DIR  where the runs and the report go (default BUILD/bench)
# Exits 1 when a part failed (the report still has the others).
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
# The old usage, scripts/bench.sh ISO...: keel's boot of those ISOs, as bench-boot.sh does.
[[ ${1:-} != *.iso ]] || exec "$root/scripts/bench-boot.sh" "$@"
build=$(realpath -m "${1:-$root/build}")
export KEEL_BENCH_DIR=${KEEL_BENCH_DIR:-$build/bench}
parts=${BENCH:-micro,svm,boot,create,block,net,scale}
xen=${BENCH_XEN:-1}
mkdir -p "$KEEL_BENCH_DIR"

xen_iso() { ((xen)) && echo "$build/$1" || true; }

failed=()
for part in ${parts//,/ }; do
	# Stale figures of a part that does not run now must not reach the report.
	rm -f "$KEEL_BENCH_DIR/$part.fig"
	echo "bench: part $part" >&2
	case $part in
	micro) cmd=("$root/scripts/bench-micro.sh" "$build/keel-guest-bench.iso" $(xen_iso xen-bench.iso)) ;;
	svm) cmd=("$root/scripts/bench-svm.sh" "$build/keel-guest-bench.iso" $(xen_iso xen-bench.iso)) ;;
	boot) cmd=("$root/scripts/bench-boot.sh" "$build/keel-linux-quiet.iso"
		"$(xen_iso xen-linux.iso)" "$build/bare-linux.iso") ;;
	create) cmd=("$root/scripts/bench-create.sh" "$build/keel-createbench.iso") ;;
	block) cmd=("$root/scripts/bench-block.sh" "$build/keel-blockbench.iso"
		"$build/keel-blockdisk.iso") ;;
	net) cmd=("$root/scripts/bench-net.sh" "$build/keel-netbench.iso") ;;
	scale) cmd=("$root/scripts/bench-scale.sh" "$build/keel-domctl.iso") ;;
	*) echo "bench: unknown part '$part' (micro, svm, boot, create, block, net, scale)" >&2; exit 2 ;;
	esac
	"${cmd[@]}" || failed+=("$part")
done
"$root/scripts/bench-report.sh" "$KEEL_BENCH_DIR"
((${#failed[@]} == 0)) || { echo "bench: failed: ${failed[*]}" >&2; exit 1; }
