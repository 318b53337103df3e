#!/usr/bin/env bash
# `make bench`'s disk half: two Bochs boots, each dom0 running test-blockbench, and one report
# of both scenarios side by side.
#  - tmpfs (keel-blockbench.iso, dom0=virtual): a 64 MiB image in dom0's tmpfs, used directly
#    and through a loop device with O_DIRECT (dom0-loop, the reference), by a Linux domU through
#    keel-blkback and through Linux's in-kernel xen-blkback (backendtype=phy), by keel's own
#    frontend guest and by the Linux domU on keel-blkback --map: dom0-local I/O is memory
#    speed there, so the ratios measure each backend's per-request cost.
#  - disk (keel-blockdisk.iso, dom0=pvh): dom0 owns Bochs's PIIX3 IDE and two 64 MiB ATA disks
#    this script makes, ata2.00 driven by bus-master DMA (labels dma-*) and ata2.01 in PIO
#    (pio-*, libata.force=2.01:pio4); diskbench runs with O_DIRECT on each in dom0 (dma-dom0,
#    pio-dom0, the references) and in a Linux domU whose xvdb is that disk, through keel-blkback
#    and, on the PIO disk only, through xen-blkback (test-blockbench says why).
#
# Usage: scripts/bench-block.sh ISO [DISK_ISO]   (report: $KEEL_BENCH_DIR/block.txt, default
#        build/bench; DISK_ISO defaults to keel-blockdisk.iso beside ISO)
#        KEEL_BENCH_BLOCK=tmpfs or =disk runs one scenario only (default both).
#        KEEL_BENCH_CPUS=N gives the emulated machine N CPUs (default 1: the guest's part and
#        dom0's are paid in series on one CPU; with 2 each can have a CPU, as on a real host).
# Figures under Bochs measure the emulated machine (200 MIPS, clock sync=none): compare them
# only with each other, within one run.
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
iso=$(realpath -m "${1:?usage: $0 ISO [DISK_ISO]}")
disk_iso=$(realpath -m "${2:-$(dirname "$iso")/keel-blockdisk.iso}")
out=$(realpath -m "${KEEL_BENCH_DIR:-$root/build/bench}")
dir=$out/block
limit=${KEEL_BENCH_TIMEOUT:-3600}
scenarios=${KEEL_BENCH_BLOCK:-tmpfs,disk}
cpus=${KEEL_BENCH_CPUS:-1}
# The disks' geometry: Bochs wants a flat image of exactly cylinders x heads x spt sectors.
disk_chs=(130 16 63)
disk_bytes=$((disk_chs[0] * disk_chs[1] * disk_chs[2] * 512))

cd "$root"
. scripts/bench-lib.sh
die() { echo "bench-block.sh: $*" >&2; exit 2; }
case ,$scenarios, in
*,tmpfs,* | *,disk,*) ;;
*) die "KEEL_BENCH_BLOCK=$scenarios: tmpfs, disk or tmpfs,disk" ;;
esac
[[ $cpus =~ ^[1-8]$ ]] || die "KEEL_BENCH_CPUS=$cpus: 1 to 8"
command -v bochs-bin >/dev/null || die "bochs-bin not installed (scripts/deps.sh run)"

rm -rf "$dir" && mkdir -p "$dir"
trap keel_stop_xvfb EXIT
[[ -n ${DISPLAY:-} ]] || keel_start_xvfb "$dir"

# boot NAME ISO: one Bochs run of ISO in $dir/NAME (serial.txt, bochs.log), with the disks of
# $dir/NAME/*.img already named in $dir/NAME/bochsrc.extra; its wall seconds in secs_NAME.
boot() {
	local d=$dir/$1 start
	[[ -f $2 ]] || die "$2 missing"
	keel_bochsrc "$d/bochsrc" "$2" "$d/serial.txt" "$d/bochs.log" 1024 "$cpus" 1
	[[ ! -f $d/bochsrc.extra ]] || cat "$d/bochsrc.extra" >>"$d/bochsrc"
	echo "bench-block: $1: booting $(basename "$2") in Bochs, $cpus CPU(s) (log: ${d#"$root"/}/serial.txt)"
	start=$EPOCHREALTIME
	timeout -k 5 "$limit" bochs-bin -q -f "$d/bochsrc" <<<c >"$d/bochs.out" 2>&1 || true
	printf -v "secs_$1" '%.0f' "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')"
	local secs_var=secs_$1
	grep -a -q 'blockbench: PASS' "$d/serial.txt" || {
		grep -a 'blockbench\|diskbench' "$d/serial.txt" | tail -5
		die "the $1 run did not finish (${!secs_var}s)"
	}
}

secs_tmpfs=- secs_disk=-
if [[ ,$scenarios, == *,tmpfs,* ]]; then
	mkdir -p "$dir/tmpfs"
	boot tmpfs "$iso"
fi
if [[ ,$scenarios, == *,disk,* ]]; then
	# Two sparse 64 MiB disks on the second IDE channel (the CD-ROM is the first's master).
	mkdir -p "$dir/disk"
	truncate -s "$disk_bytes" "$dir/disk/dma.img" "$dir/disk/pio.img"
	geo="mode=flat, cylinders=${disk_chs[0]}, heads=${disk_chs[1]}, spt=${disk_chs[2]}"
	printf '%s\n' "pci: enabled=1, chipset=i440fx" \
		"ata1-master: type=disk, path=$dir/disk/dma.img, $geo" \
		"ata1-slave: type=disk, path=$dir/disk/pio.img, $geo" >"$dir/disk/bochsrc.extra"
	boot disk "$disk_iso"
fi
serials=()
for s in tmpfs disk; do
	[[ ! -f $dir/$s/serial.txt ]] || serials+=("$dir/$s/serial.txt")
done
((${#serials[@]})) || die "no scenario ran"

# The scenario a label belongs to ("disk" for dma-* and pio-*, else "tmpfs") and its reference.
scenario_awk='
	function scenario(l) { return l ~ /^(dma|pio)-/ ? "disk" : "tmpfs" }
	function reference(l) { return l ~ /^(dma|pio)-/ ? substr(l, 1, 4) "dom0" : "dom0-loop" }'

# "diskbench: LABEL TEST N unit S s VALUE UNIT" lines -> one table per scenario, each figure
# with its ratio to the scenario's dom0-local reference.
{ grep -a -h -o -E 'diskbench: [^ ]+ (seq|rand)-(read|write)(-q[0-9]+)? .*' "${serials[@]}"
  grep -a -h -o -E 'blockbench: disk .*' "${serials[@]}" || true; } | tr -d '\r' |
	awk -v secs_tmpfs="$secs_tmpfs" -v secs_disk="$secs_disk" -v cpus="$cpus" "$scenario_awk"'
	$1 == "blockbench:" { $1 = ""; $2 = ""; disk[++nd] = substr($0, 3); next }
	{ label = $2; test = $3; value[label, test] = $(NF - 1); unit[test] = $NF
	  if (!(label in seen)) { seen[label] = 1; labels[++n] = label } }
	function table(sc, title,   i, t, v, ref, any) {
		for (i = 1; i <= n; i++) any += scenario(labels[i]) == sc
		if (!any) return
		printf "\n%s\n\n%-18s", title, "where"
		for (t = 1; t <= nt; t++) printf " %22s", tests[t] " (" unit[tests[t]] ")"
		printf "\n"
		for (i = 1; i <= n; i++) {
			if (scenario(labels[i]) != sc) continue
			printf "%-18s", labels[i]
			for (t = 1; t <= nt; t++) {
				v = value[labels[i], tests[t]]; ref = value[reference(labels[i]), tests[t]]
				printf " %14s %7s", v, (ref > 0 ? sprintf("(%.2f)", v / ref) : "")
			}
			printf "\n"
		}
	}
	END {
		nt = split("seq-write seq-read rand-read rand-write rand-read-q32 rand-write-q32", tests, " ")
		printf "keel bench, disks: two Bochs runs of %d CPU(s) (tmpfs %s s, disk %s s wall; Bochs, so compare only\n", cpus, secs_tmpfs, secs_disk
		printf "within them), 16 MiB sequential in 1 MiB requests, 1000 random 4 KiB requests one at a time\n"
		printf "and 32 in flight (-q32), O_DIRECT; "
		printf "(x) = ratio to the scenario'"'"'s dom0-local reference in the same run\n"
		table("tmpfs", "tmpfs: a 64 MiB image in dom0'"'"'s tmpfs (per-request cost; reference dom0-loop)")
		table("disk", "disk: dom0 owns Bochs'"'"'s IDE disks (a slow real device; reference dma-dom0 / pio-dom0)")
		for (i = 1; i <= nd; i++) printf "  %s\n", disk[i]
	}' | tee "$out/block.txt"
bench_cpu_note "${serials[@]}" | tee -a "$out/block.txt"

# "blockbench: stat LABEL TEST dom0|domU NAME exits N hypercalls N cpu_us N x:REASON N ...
# [ctxt N]" (dom0's: its kernel's context switches), sampled as TEST starts: each interval's counts per diskbench request (1 MiB sequential,
# 4 KiB random), less the quiet "idle" interval's (the guest's 2 s pauses around each test).
{ grep -a -h -o -E 'diskbench: [^ ]+ (seq|rand)-(read|write)(-q[0-9]+)? [0-9]+ ' "${serials[@]}"
  grep -a -h -o -E 'blockbench: stat .*' "${serials[@]}"; } | tr -d '\r' | awk -v detail="$out/block-stats.txt" '
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
		nt = split("seq-write seq-read rand-read rand-write rand-read-q32 rand-write-q32", tests, " ")
		printf "\nVM exits, hypercalls and CPU time (us) per request (dom0 and the guest; the quiet\n"
		printf "interval'"'"'s subtracted)\n\n"
		printf "%-18s %-5s", "where", "dom"
		for (t = 1; t <= nt; t++) printf " %28s", tests[t] " exits/hcalls/us"
		printf "\n"
		for (i = 1; i <= n; i++) {
			label = labels[i]
			split("dom0 domU", ws, " ")
			for (w = 1; w <= 2; w++) {
				k = label SUBSEP ws[w]
				if (!((k, "idle") in tseen)) continue
				printf "%-18s %-5s", label, ws[w]
				for (t = 1; t <= nt; t++)
					printf " %10.1f %10.1f %6.0f", per(k, tests[t], "exits", label),
					       per(k, tests[t], "hypercalls", label),
					       per(k, tests[t], "cpu_us", label)
				printf "\n"
				for (t = 1; t <= nt; t++) {
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
grep -a -h -o -E 'blockbench: bbstat .*' "${serials[@]}" | tr -d '\r' | awk '
	{
		label = $3; test = $4
		for (i = 5; i <= NF && $i != "stats:"; i++) ;
		r = $(i + 2); w = $(i + 4); c = $(i + 6)
		if (label in prev && r > pr[label]) {
			if (!hdr++) {
				printf "\nkeel-blkback'"'"'s own counts per blkif request (its stats: lines)\n\n"
				printf "%-18s %-10s %10s %10s %10s\n", "where", "test", "requests", "wake-ups", "syscalls"
			}
			printf "%-18s %-10s %10d %10.2f %10.2f\n", label, prev[label], r - pr[label],
			       (w - pw[label]) / (r - pr[label]), (c - pc[label]) / (r - pr[label])
		}
		prev[label] = test; pr[label] = r; pw[label] = w; pc[label] = c
	}' | tee -a "$out/block.txt"
echo "report: ${out#"$root"/}/block.txt (counts by reason: ${out#"$root"/}/block-stats.txt)"
