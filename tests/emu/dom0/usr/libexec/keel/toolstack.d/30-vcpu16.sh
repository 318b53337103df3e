# vCPUs and the scheduler (sourced by test-toolstack): debian (d$id, created with vcpus=2 on
# keel's one CPU) loses and regains vCPU 1 through vcpu-set (keel parks it at INIT, restarts it
# at SIPI), vcpu-list shows it, vcpu-pin takes masks (CPUs keel lacks ignored, as Xen) and
# refuses one of none of its CPUs, sched-credit round-trips.

# Runs $1 in debian's shell through its console; its output in /tmp/vcpu16.out.
vcpu16_guest() {
	(printf '%s\n' "$1"; sleep 8; printf '\035') |
		keelctl console debian >/tmp/vcpu16.out 2>&1 || fail "console: $1"
}

# Waits up to 6 tries for debian's online CPU list to be $1 (as /sys/.../cpu/online says it).
vcpu16_online() {
	n=0
	until vcpu16_guest 'echo cpus-online-$(cat /sys/devices/system/cpu/online)-end' &&
		grep -q "cpus-online-$1-end" /tmp/vcpu16.out; do
		n=$((n + 1))
		[ $n -lt 6 ] || fail "debian's online CPUs are not $1: $(tr -d '\r' </tmp/vcpu16.out)"
	done
}

keelctl vcpu-list debian
[ "$(keelctl vcpu-list debian | grep -c '^debian ')" = 2 ] || fail "vcpu-list: not 2 vCPUs"
vcpu16_online 0-1

keelctl vcpu-set debian 1 || fail "vcpu-set debian 1"
vcpu16_online 0
vcpu16_state1() { keelctl vcpu-list debian | awk '$1 == "debian" && $3 == 1 { print $5 }'; }
[ "$(vcpu16_state1)" = "--p" ] ||
	fail "vcpu-list: vCPU 1 is not down: $(keelctl vcpu-list debian)"
log "vcpu-set 1: debian has CPUs 0, its vCPU 1 is down"

keelctl vcpu-set debian 2 || fail "vcpu-set debian 2"
# Linux makes the vCPU present again; onlining it is the guest's (udev's) job, as on Xen.
n=0
until vcpu16_guest 'echo 1 > /sys/devices/system/cpu/cpu1/online; echo cpu1-now-$(cat /sys/devices/system/cpu/cpu1/online)-end' &&
	grep -q 'cpu1-now-1-end' /tmp/vcpu16.out; do
	n=$((n + 1))
	[ $n -lt 6 ] || fail "debian's CPU 1 does not come online: $(tr -d '\r' </tmp/vcpu16.out)"
done
vcpu16_online 0-1
case $(vcpu16_state1) in
[r-][b-]-) ;;
*) fail "vcpu-list: vCPU 1 is not up: $(keelctl vcpu-list debian)" ;;
esac
log "vcpu-set 2: debian has CPUs 0-1 again"

keelctl vcpu-set debian 3 2>/tmp/vcpu16.err && fail "vcpu-set 3 beyond maxvcpus succeeded"
keelctl vcpu-pin debian all 0 || fail "vcpu-pin debian all 0"
# As Xen: CPUs keel lacks are ignored (CPU 0 is in force), a list of none of its CPUs refused.
keelctl vcpu-pin debian all 0-7 || fail "vcpu-pin debian all 0-7 (CPUs keel lacks) refused"
keelctl vcpu-pin debian 1 1 2>/tmp/vcpu16.err && fail "vcpu-pin to a CPU keel lacks succeeded"
log "vcpu-pin: $(cat /tmp/vcpu16.err)"
keelctl vcpu-list debian |
	awk '$1 == "debian" { n++; if ($7 != "all" || $8 != "/") exit 1 } END { exit n == 2 ? 0 : 1 }' ||
	fail "vcpu-list: affinities: $(keelctl vcpu-list debian)"
log "vcpu-pin: all 0 and all 0-7 taken (CPU 0 in force), CPU 1 alone refused"

keelctl sched-credit -d debian -w 512 -c 50 || fail "sched-credit -d debian -w 512 -c 50"
keelctl sched-credit -d debian | awk 'NR == 2 { exit $3 == 512 && $4 == 50 ? 0 : 1 }' ||
	fail "sched-credit: $(keelctl sched-credit -d debian)"
keelctl sched-credit -d debian -w 256 -c 0 || fail "sched-credit back to 256, no cap"
keelctl sched-credit | grep -q '^Cpupool Pool-0:' || fail "sched-credit has no pool line"
log "sched-credit: weight 512 cap 50 set, read back and undone"
