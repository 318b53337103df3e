#!/usr/bin/env bash
# make bench's boot figures: Debian's kernel and initramfs (quiet, /init powers off) booted in
# Bochs, 1 CPU, one run after the other: as keel's PVH dom0, as Xen 4.17's PV dom0 and on the
# bare emulated machine (GRUB boots the bzImage). Rows of $KEEL_BENCH_DIR/boot.fig (figure,
# unit, keel, Xen) and boot.txt (the hypervisor's first line, /init, the bare run, keel's VM
# exits by reason).
#
# Usage: scripts/bench-boot.sh KEEL_ISO [XEN_ISO [BARE_ISO]]   (missing ones are skipped)
# Figures:
#   boot_wall      power-on (Bochs started) -> /init's marker on the console, wall seconds;
#   kernel_to_init Linux's own clock at "Run /init" times Bochs's ips: emulated ticks from
#                  the kernel's clock start to /init, hypervisor work on dom0's behalf included;
#   kernel_vs_bare kernel_to_init over the bare machine's (the limit is 1.0).
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
out=$(realpath -m "${KEEL_BENCH_DIR:-$root/build/bench}")
isos=("${1:?usage: $0 KEEL_ISO [XEN_ISO [BARE_ISO]]}" "${2:-}" "${3:-}")
sides=(keel xen bare)
marker='keel-initramfs: init reached'
. "$root/scripts/bench-lib.sh"
trap keel_stop_xvfb EXIT

# Each run stops once /init has printed Linux's clock (keel's goes on to its exit counts).
stops=('keel: stopped' 'keel-initramfs: .*Run /init' 'keel-initramfs: .*Run /init')
for i in 0 1 2; do
	d=$out/boot-${sides[i]}
	rm -rf "$d"
	[[ -n ${isos[i]} ]] || continue
	bench_run "$(realpath -m "${isos[i]}")" "$d" 1 "${stops[i]}"
done

declare -A wall init ticks
for s in "${sides[@]}"; do
	d=$out/boot-$s
	wall[$s]=- init[$s]=- ticks[$s]=-
	[[ -f $d/result ]] || continue
	wall[$s]=$(bench_secs "$d" "$marker")
	init[$s]=$(sed -n -E 's/.*\[ *([0-9]+\.[0-9]+)\] Run \/init as init process.*/\1/p' \
		"$d/serial.txt" | head -n 1)
	[[ -n ${init[$s]} ]] || init[$s]=-
	[[ ${init[$s]} == - ]] ||
		ticks[$s]=$(awk -v s="${init[$s]}" -v i="$(bench_get "$d" ips)" 'BEGIN { printf "%.0f", s * i }')
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b <= 0) print "-"; else printf "%.2f", a / b }'; }
mticks() { awk -v t="$1" 'BEGIN { if (t == "-") print "-"; else printf "%.0f", t / 1e6 }'; }
{
	printf 'boot_wall\ts\t%s\t%s\n' "${wall[keel]}" "${wall[xen]}"
	printf 'kernel_to_init\tMticks\t%s\t%s\n' "$(mticks "${ticks[keel]}")" "$(mticks "${ticks[xen]}")"
	printf 'kernel_vs_bare\tx\t%s\t%s\n' "$(ratio "${ticks[keel]}" "${ticks[bare]}")" \
		"$(ratio "${ticks[xen]}" "${ticks[bare]}")"
} >"$out/boot.fig"

{
	echo "boot: Debian $(cat "$root/build/linux/kernel-version" 2>/dev/null || echo Linux)," \
		"quiet, 1 CPU; wall seconds from starting Bochs; Linux's clock at \"Run /init\""
	printf '  %-6s %8s %8s %14s %16s  %s\n' run 'hv line' '/init' 'linux /init' \
		'kernel Mticks' note
	for s in "${sides[@]}"; do
		d=$out/boot-$s
		[[ -f $d/result ]] || continue
		printf '  %-6s %8s %8s %14s %16s  %s\n' "$s" \
			"$(bench_secs "$d" '^\(keel\) |^\(XEN\) ')" "${wall[$s]}" \
			"${init[$s]}" "$(mticks "${ticks[$s]}")" "$(bench_get "$d" note)"
	done
	[[ -f $out/boot-keel/result ]] || exit 0
	echo "  keel's VM exits by reason in that boot (its dNvM counts at the end):"
	grep -a -E '^\(keel\) d[0-9]+v[0-9]+: ' "$out/boot-keel/serial.txt" |
		sed -E 's/^\(keel\) d[0-9]+v[0-9]+: +//' |
		awk '/^[0-9]+ VM exits/ { total += $1; next }
			/ [0-9]+$/ { n = $NF; $NF = ""; sub(/ +$/, ""); if (!($0 in c)) o[++k] = $0; c[$0] += n }
			END { for (i = 1; i <= k; i++) printf "    %-22s %12d\n", o[i], c[o[i]]
			      printf "    %-22s %12d\n", "total", total }'
} >"$out/boot.txt"
cat "$out/boot.txt"
[[ ${wall[keel]} != - ]]
