# Lifecycle and xl parity (issue 16, life16): --version, uptime, list -v and -l, rename, pauses
# that nest, a paused create's vCPU, ids that are not reused, create -v's steps, and configs
# refused before anything is built. debian (d$id) runs throughout.

out=$(keelctl --version) || fail "life16: keelctl --version: $out"
echo "$out" | grep -q '^keelctl 0.1, built from ' || fail "life16: --version: $out"
echo "$out" | grep -q '^keel: Xen 4\.17\.0-keel interface, built from .*git:' ||
	fail "life16: --version does not tell keel's: $out"
log "life16: --version: $(echo "$out" | sed -n 2p)"

up=$(keelctl uptime debian | awk 'NR == 2')
echo "$up" | grep -Eq "^debian +$id +([0-9]+ days?, +)?[0-9]+:[0-9]{2}:[0-9]{2}\$" ||
	fail "life16: uptime: $up"
log "life16: uptime: $up"

uuid=$(keelctl list -v debian | awk 'NR == 2 { print $7 }')
echo "$uuid" | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' ||
	fail "life16: list -v shows no UUID: $(keelctl list -v debian)"
keelctl list -l >/tmp/life16.json || fail "life16: list -l"
for want in '"name": "Domain-0"' '"name": "debian"' "\"uuid\": \"$uuid\"" \
	'"on_reboot": "restart"' '"kernel": "/usr/share/keel/guest/vmlinuz"'; do
	grep -qF "$want" /tmp/life16.json || fail "life16: list -l misses $want: $(cat /tmp/life16.json)"
done
log "life16: list -v and list -l show debian's UUID and config ($(wc -l </tmp/life16.json) lines of JSON)"

# Pauses nest: two pauses need two unpauses; a third unpause is refused.
paused() { keelctl list "$1" | awk 'NR == 2 { exit $5 ~ /p/ ? 0 : 1 }'; }
keelctl pause debian && keelctl pause debian || fail "life16: pause twice"
keelctl unpause debian || fail "life16: first unpause"
paused debian || fail "life16: one unpause undid two pauses"
keelctl unpause debian || fail "life16: second unpause"
paused debian && fail "life16: debian is still paused after two unpauses"
keelctl unpause debian 2>/tmp/life16.err && fail "life16: unpause of a running domain succeeded"
grep -q 'not paused: each unpause undoes one pause' /tmp/life16.err ||
	fail "life16: unpause of a running domain: $(cat /tmp/life16.err)"
log "life16: two pauses took two unpauses; a third: $(cat /tmp/life16.err)"

# A paused create lists vCPU 0 as up; its id comes after every earlier one, and a destroyed
# domain's id is not given out again at once. create -v says what it does.
printf 'name = "held"\nkernel = "/usr/share/keel/guest/lastwords.elf"\nmemory = 16\nvcpus = 2\n' \
	>/tmp/held.cfg
keelctl -v create -p /tmp/held.cfg 2>/tmp/life16.steps || fail "life16: create -p held"
for step in 'reading the kernel' 'creating the domain (2 vCPUs)' 'building its memory (16 MiB)' \
	'loading the kernel' 'writing its xenstore entries'; do
	grep -qF "keelctl: held: $step" /tmp/life16.steps ||
		fail "life16: create -v did not say '$step': $(cat /tmp/life16.steps)"
done
held=$(domid_of held)
[ "$(keelctl list held | awk 'NR == 2 { print $4 }')" = 1 ] ||
	fail "life16: a paused create lists $(keelctl list held | awk 'NR == 2 { print $4 }') vCPUs"
[ "$held" -gt "$id" ] || fail "life16: held is d$held, not after debian's d$id"
keelctl destroy held || fail "life16: destroy held"
keelctl create -p /tmp/held.cfg >/dev/null || fail "life16: create -p held again"
again=$(domid_of held)
[ "$again" -gt "$held" ] || fail "life16: held came back as d$again after d$held"
keelctl destroy held || fail "life16: destroy held again"
log "life16: create -p lists 1 vCPU, ids d$held then d$again after debian's d$id, create -v told $(wc -l </tmp/life16.steps) steps"

# Debian's bzImage was unpacked once, for debian's first create: later creates read it from
# keelctl's cache (an xz unpacking is ~3.7 G instructions, most of a create under Bochs).
keelctl -v create -p /etc/keel/debian-guest.cfg 'name="cached"' "disk=[]" "vif=[]" 'root=""' \
	2>/tmp/life16.cache || fail "life16: create -p cached: $(cat /tmp/life16.cache)"
keelctl destroy cached || fail "life16: destroy cached"
grep -qF "keelctl: cached: the kernel /usr/share/keel/guest/vmlinuz, unpacked before (keelctl's cache)" \
	/tmp/life16.cache || fail "life16: the second create unpacked the kernel again: $(cat /tmp/life16.cache)"
log "life16: kernel cache: the create read debian's unpacked kernel from" \
	"$(ls /var/cache/keel/kernels | grep -c '\.elf$') entry in /var/cache/keel/kernels"

# rename: a collision is refused, the new name is what list finds, and back again.
keelctl rename debian Domain-0 2>/dev/null && fail "life16: rename to Domain-0 succeeded"
keelctl rename debian deb16 || fail "life16: rename debian deb16"
[ "$(domid_of deb16)" = "$id" ] || fail "life16: deb16 is not d$id"
keelctl list debian >/dev/null 2>&1 && fail "life16: debian is still listed after the rename"
keelctl rename deb16 debian || fail "life16: rename back"
log "life16: rename: debian (d$id) became deb16 and debian again"

# Configs that cannot work fail at once, saying why, and leave nothing.
printf 'name = "typo"\nkernl = "/usr/share/keel/guest/vmlinuz"\nmemory = lots\nvcpus = 0\n' \
	>/tmp/typo.cfg
keelctl create /tmp/typo.cfg 2>/tmp/life16.err && fail "life16: the typo'd config was created"
for want in "/tmp/typo.cfg:2: warning: unknown key 'kernl' ignored: did you mean 'kernel'?" \
	"/tmp/typo.cfg:3: memory: a number is expected, not 'lots'" \
	"/tmp/typo.cfg:4: vcpus: 0 cannot boot a domain"; do
	grep -qF "$want" /tmp/life16.err || fail "life16: typo.cfg: no \"$want\": $(cat /tmp/life16.err)"
done
printf 'name = "small"\nkernel = "/usr/share/keel/guest/vmlinuz"\nmemory = 32\n' >/tmp/small.cfg
t0=$(date +%s)
keelctl create /tmp/small.cfg 2>/tmp/life16.err && fail "life16: a 32 MiB Debian guest was created"
t1=$(date +%s)
grep -q 'small: the kernel .* needs [0-9]* MiB (up to its end); memory is 32 MiB: raise memory' \
	/tmp/life16.err || fail "life16: small.cfg: $(cat /tmp/life16.err)"
[ $((t1 - t0)) -le 5 ] || fail "life16: refusing small.cfg took $((t1 - t0)) s"
keelctl list small >/dev/null 2>&1 && fail "life16: a refused config left a domain behind"
log "life16: refused at once: $(cat /tmp/life16.err)"
