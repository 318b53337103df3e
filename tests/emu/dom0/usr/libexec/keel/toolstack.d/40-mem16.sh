# mem-set and mem-max against the running debian (d$id), sourced by test-toolstack: its balloon
# driver gives memory back and keel's free pages rise by as much, then takes it back; mem-set
# above the maximum and mem-max below the target are refused as xl refuses them.

# MiB debian has now (keelctl list's Mem).
mem_now() { keelctl list debian | awk 'NR == 2 { print $3 }'; }
# debian's MemTotal (kB), through its console: $1 tags the answer among older output.
memtotal() {
	(printf 'echo mt-%s $(grep MemTotal /proc/meminfo)\n' "$1"; sleep 6; printf '\035') |
		keelctl console debian 2>&1 | tr -d '\r' |
		awk -v tag="mt-$1" '$1 == tag && $2 == "MemTotal:" { v = $3 } END { print v }'
}
# Waits up to $2 seconds for debian's Mem to be $1 MiB, give or take one.
wait_mem() {
	i=0
	until m=$(mem_now) && [ -n "$m" ] && [ "$m" -ge $(($1 - 1)) ] && [ "$m" -le $(($1 + 1)) ]
	do
		i=$((i + 1))
		[ $i -le "$2" ] || return 1
		sleep 1
	done
}

mem0=$(mem_now)
total0=$(memtotal 0)
free0=$(free_pages)
[ -n "$mem0" ] && [ -n "$total0" ] || fail "mem: debian's memory unknown ('$mem0' MiB, MemTotal '$total0')"
drop=32
keelctl mem-set debian $((mem0 - drop)) || fail "mem-set debian $((mem0 - drop))"
wait_mem $((mem0 - drop)) 120 || fail "mem: debian has $(mem_now) MiB, not $((mem0 - drop))"
total1=$(memtotal 1)
free1=$(free_pages)
log "mem: debian set to $((mem0 - drop)) MiB: MemTotal $total0 -> $total1 kB, keel's free pages $free0 -> $free1"
# MemTotal drops by the pages the balloon gave back; keel gets them all but the few p2m tables
# that splitting its 2 MiB leaves took.
[ $((total0 - total1)) -ge $((drop * 1024 - 1024)) ] && [ $((total0 - total1)) -le $((drop * 1024 + 1024)) ] ||
	fail "mem: MemTotal dropped by $((total0 - total1)) kB, not $((drop * 1024))"
[ $((free1 - free0)) -ge $((drop * 256 - 256)) ] && [ $((free1 - free0)) -le $((drop * 256)) ] ||
	fail "mem: keel's free pages rose by $((free1 - free0)), not $((drop * 256))"
log "mem: debian gave back $drop MiB, keel's free pages rose by $((free1 - free0))"

keelctl mem-set debian "${mem0}m" || fail "mem-set debian ${mem0}m"
wait_mem "$mem0" 120 || fail "mem: debian has $(mem_now) MiB, not $mem0 again"
total2=$(memtotal 2)
free2=$(free_pages)
[ "$total2" = "$total0" ] || fail "mem: MemTotal $total2 kB after growing back, not $total0"
[ $((free1 - free2)) -ge $((drop * 256)) ] && [ $((free1 - free2)) -le $((drop * 256 + 256)) ] ||
	fail "mem: keel's free pages fell by $((free1 - free2)) growing back, not $((drop * 256))"
log "mem: debian took back $drop MiB: MemTotal $total2 kB, free pages $free2"

keelctl mem-set debian $((mem0 + 1)) 2>/tmp/memset.err && fail "mem-set above the maximum succeeded"
grep -q "is above its maximum" /tmp/memset.err || fail "mem-set above the maximum: $(cat /tmp/memset.err)"
log "mem: $(cat /tmp/memset.err)"
keelctl mem-max debian $((mem0 - 1)) 2>/tmp/memmax.err && fail "mem-max below the target succeeded"
grep -q "is below its memory target" /tmp/memmax.err || fail "mem-max below the target: $(cat /tmp/memmax.err)"
log "mem: $(cat /tmp/memmax.err)"
keelctl mem-max debian $((mem0 + 64)) && keelctl mem-max debian "$mem0" || fail "mem-max debian"
[ "$(mem_now)" = "$mem0" ] || fail "mem: debian has $(mem_now) MiB after mem-max"
log "mem: mem-max and mem-set refusals as xl's"
