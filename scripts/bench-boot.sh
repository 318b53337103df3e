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
#   kernel_to_init emulated ticks from the kernel's first instruction of its own to its
#                  "Run /init" (one per instruction, plus time skipped while the CPU halts),
#                  hypervisor work on dom0's behalf included: Bochs's debugger stops at both
#                  (kernel_breakpoints below) and says when;
#   kernel_vs_bare kernel_to_init over the bare machine's (the limit is 1.0).
# Linux's own clock at "Run /init" is shown too, but is no measure across the sides: it starts
# in setup_arch(), from the pvclock (keel, Xen) or the TSC (bare), not at the kernel's entry.
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
out=$(realpath -m "${KEEL_BENCH_DIR:-$root/build/bench}")
isos=("${1:?usage: $0 KEEL_ISO [XEN_ISO [BARE_ISO]]}" "${2:-}" "${3:-}")
sides=(keel xen bare)
marker='keel-initramfs: init reached'
. "$root/scripts/bench-lib.sh"
trap keel_stop_xvfb EXIT

# kernel_breakpoints: the linear addresses Bochs's debugger stops at, from vmlinux.elf (the
# bare machine's bzImage holds the same kernel): startup_64, the kernel's first instruction
# of its own, at the ELF entry (a physical address, mapped 1:1 when keel's PVH stub and the
# bare machine's decompressor jump there); Xen's PV dom0 starts at startup_xen instead (Xen's
# ELF note 1, virtual); keel's PVH stub at note 18 (its ticks before startup_64 are shown
# apart); the end is the instruction of run_init_process() that loads its "Run %s as init
# process" (found through that string), the same code on every side.
note_addr() {
	readelf -n "$1" | awk -v t="$2" '
		/^ +Xen / { want = (t == 1 && /NT_VERSION/) || index($0, sprintf("(0x%08x)", t)) }
		want && /description data:/ {
			for (i = 10; i >= 3; i--) printf "%s", $i; printf "\n"; exit }'
}
kernel_breakpoints() {
	local elf=$root/build/linux/vmlinux.elf off va
	[[ -r $elf ]] || return 1
	entry=$(readelf -h "$elf" | awk '/Entry point/ { print $NF }')
	pv_entry=0x$(note_addr "$elf" 1) pvh_entry=0x$(note_addr "$elf" 18)
	off=$(grep -a -b -o -m 1 $'\x016Run %s as init process' "$elf" | head -n 1 | cut -d: -f1)
	[[ -n $off ]] || return 1
	while read -r type a o n; do
		((off >= 0x$o && off < 0x$o + 0x$n)) || continue
		[[ $type != NOBITS ]] && printf -v va '%x' $((0x$a + off - 0x$o)) && break
	done < <(readelf -S -W "$elf" | sed -n -E 's/^ +\[ *[0-9]+\] +[^ ]+ +([A-Z_]+) +([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) .*/\1 \2 \3 \4/p')
	[[ -n ${va:-} ]] || return 1
	run_init=0x$(objdump -d --no-show-raw-insn -j .text "$elf" |
		awk -v va="$va" '/\tmov +\$0x/ && index($0, "$0x" va ",%rdi") {
			sub(/:.*/, ""); gsub(/ /, ""); print; exit }')
	[[ $run_init != 0x ]]
}
# debugger_cmds START [EXTRA]: breakpoint 1 at START, 2 at the end, 3 at EXTRA; then go on.
debugger_cmds() {
	printf 'lb %s\nlb %s\n' "$1" "$run_init"
	[[ -z ${2:-} ]] || printf 'lb %s\n' "$2"
	printf 'c\n%.0s' 1 2 3 4 5 6 7 8
}
# bp_ticks DIR: "start end pvh" ticks: breakpoint 1's last hit before breakpoint 2's first,
# that one, breakpoint 3's first ("-" for a missing one).
bp_ticks() {
	awk '/Breakpoint [0-9]+,/ { match($0, /Breakpoint [0-9]+/); n = substr($0, RSTART + 11, RLENGTH - 11) }
		/Next at t=[0-9]+/ && n { match($0, /t=[0-9]+/); t = substr($0, RSTART + 2, RLENGTH - 2)
			if (n == 1 && end == "") start = t
			if (n == 2 && end == "") end = t
			if (n == 3 && pvh == "") pvh = t
			n = "" }
		END { print (start == "" ? "-" : start), (end == "" ? "-" : end), (pvh == "" ? "-" : pvh) }' \
		"$1/bochs.out" 2>/dev/null || echo '- - -'
}
if kernel_breakpoints; then
	starts=("$entry $pvh_entry" "$pv_entry" "$entry")
else
	echo "bench-boot: no kernel addresses from build/linux/vmlinux.elf: kernel_to_init is -" >&2
	starts=()
fi

# Each run stops once /init has printed Linux's clock (keel's goes on to its exit counts).
stops=('keel: stopped' 'keel-initramfs: .*Run /init' 'keel-initramfs: .*Run /init')
for i in 0 1 2; do
	d=$out/boot-${sides[i]}
	rm -rf "$d"
	[[ -n ${isos[i]} ]] || continue
	dbg=c
	[[ -z ${starts[i]:-} ]] || dbg=$(debugger_cmds ${starts[i]})
	BENCH_DEBUGGER=$dbg bench_run "$(realpath -m "${isos[i]}")" "$d" 1 "${stops[i]}"
done

declare -A wall init ticks stub
for s in "${sides[@]}"; do
	d=$out/boot-$s
	wall[$s]=- init[$s]=- ticks[$s]=- stub[$s]=-
	[[ -f $d/result ]] || continue
	wall[$s]=$(bench_secs "$d" "$marker")
	init[$s]=$(sed -n -E 's/.*\[ *([0-9]+\.[0-9]+)\] Run \/init as init process.*/\1/p' \
		"$d/serial.txt" | head -n 1)
	[[ -n ${init[$s]} ]] || init[$s]=-
	read -r start end pvh < <(bp_ticks "$d")
	[[ $start == - || $end == - ]] || ticks[$s]=$((end - start))
	[[ $start == - || $pvh == - ]] || stub[$s]=$((start - pvh))
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
		"quiet, 1 CPU; wall seconds from starting Bochs; Linux's clock at \"Run /init\";" \
		"kernel Mticks from its first instruction (startup_64; Xen: startup_xen) to \"Run /init\""
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
	echo "  keel's PVH entry stub before startup_64: ${stub[keel]} ticks"
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
