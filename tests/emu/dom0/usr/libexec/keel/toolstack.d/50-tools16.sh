# shellcheck shell=sh
# tools16: Debian's xenstore-* in dom0 against the running debian guest's (d$id) nodes, and
# keelctl's bash completion in dom0's bash. Sourced by ../test-toolstack.
dom=/local/domain/$id
[ "$(xenstore-read $dom/name)" = debian ] || fail "xenstore-read $dom/name: not debian"
xenstore-ls -f $dom | grep -qx "$dom/name = \"debian\"" || fail "xenstore-ls -f $dom lacks its name"
xenstore-list $dom | grep -qx control || fail "xenstore-list $dom lacks control"
# What the guest's own kernel wrote once its xenbus connected.
[ "$(xenstore-read $dom/control/feature-poweroff)" = 1 ] ||
	fail "xenstore-read $dom/control/feature-poweroff: not 1"
xenstore-exists $dom/control/none-such && fail "xenstore-exists: a node that is not there"
xenstore-watch -n 2 $dom/data/tools16 >/tmp/xs-watch.out 2>&1 &
watcher=$!
sleep 2
xenstore-write $dom/data/tools16 written-by-dom0 || fail "xenstore-write $dom/data/tools16"
xenstore-chmod $dom/data/tools16 n0 r$id || fail "xenstore-chmod $dom/data/tools16"
i=0
while kill -0 $watcher 2>/dev/null && [ $i -lt 30 ]; do
	i=$((i + 1))
	sleep 1
done
kill $watcher 2>/dev/null && fail "xenstore-watch saw no 2 events: $(cat /tmp/xs-watch.out)"
[ "$(grep -c "^$dom/data/tools16\$" /tmp/xs-watch.out)" = 2 ] ||
	fail "xenstore-watch printed: $(cat /tmp/xs-watch.out)"
[ "$(xenstore-read $dom/data/tools16)" = written-by-dom0 ] || fail "xenstore-read after write"
xenstore-ls -p $dom/data | grep -q 'tools16 = "written-by-dom0" .*(n0,r'"$id"')' ||
	fail "xenstore-ls -p: $(xenstore-ls -p $dom/data)"
xenstore-rm $dom/data/tools16 && ! xenstore-exists $dom/data/tools16 || fail "xenstore-rm"
log "xenstore-utils: read (the guest's own nodes too), ls, list, exists, watch, write, chmod, rm on debian's d$id nodes"

# keelctl's completion in dom0's own bash: a domain name from keelctl list, a command.
got=$(bash -c '. /usr/share/bash-completion/completions/keelctl
	COMP_WORDS=(keelctl console deb); COMP_CWORD=2; _keelctl keelctl deb console
	echo "${COMPREPLY[*]}"; COMP_WORDS=(keelctl unp); COMP_CWORD=1; _keelctl keelctl unp
	echo "${COMPREPLY[*]}"')
[ "$got" = "debian
unpause" ] || fail "bash completion of 'keelctl console deb', 'keelctl unp': $got"
log "bash completion: 'keelctl console deb' gives debian, 'keelctl unp' unpause"
