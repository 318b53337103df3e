# Consoles (issue 16, cons16): debian's console log in dom0, keelctl console's replay and
# unfinished lines, keel's console flushing dom0's unfinished line, dmesg and dmesg -c.

# The monitor keeps the guest's console in dom0: its boot and what the console test typed.
cons16_log=/var/log/keel/console/guest-debian.log
[ -f $cons16_log ] || fail "cons16: no $cons16_log"
grep -q 'Linux version' $cons16_log || fail "cons16: $cons16_log misses the boot's first lines"
grep -q 'keel-initramfs: init reached' $cons16_log || fail "cons16: $cons16_log misses /init"
grep -q '^typed-on-the-console-42' $cons16_log || fail "cons16: $cons16_log misses typed output"
log "cons16: $cons16_log holds the boot and the typed output ($(wc -c <$cons16_log) bytes)"

# keelctl console without replay: the guest prints an unfinished line (a prompt) and nothing
# after it; it must be on the console before any newline is sent.
(printf 'echo cons16-$((6 * 7))-once; printf "cons16-%%s> " prompt\n'; sleep 8; printf '\035') |
	keelctl console -r 0 debian >/tmp/cons16.out 2>&1 || fail "cons16: console -r 0"
tr -d '\r' </tmp/cons16.out >/tmp/cons16.txt
[ "$(grep -c '^cons16-42-once$' /tmp/cons16.txt)" = 1 ] ||
	fail "cons16: console showed the output $(grep -c '^cons16-42-once$' /tmp/cons16.txt) times"
tail -n 1 /tmp/cons16.txt | grep -q 'cons16-prompt> ' ||
	fail "cons16: the unfinished line is not on the console: $(tail -c 80 /tmp/cons16.txt)"
log "cons16: console shows an unfinished line before its newline: $(tail -n 1 /tmp/cons16.txt)"

# Attached again with the default replay: the last lines once, then the live stream.
sleep 1
(printf 'echo cons16-live-$((6 * 7))\n'; sleep 8; printf '\035') |
	keelctl console debian >/tmp/cons16.out 2>&1 || fail "cons16: console"
tr -d '\r' </tmp/cons16.out >/tmp/cons16.txt
for line in cons16-42-once cons16-live-42; do
	[ "$(grep -c "^$line\$" /tmp/cons16.txt)" = 1 ] ||
		fail "cons16: replay and live stream show $line $(grep -c "^$line\$" /tmp/cons16.txt) times"
done
[ "$(sort /tmp/cons16.txt | uniq -d | grep -c cons16)" = 0 ] ||
	fail "cons16: a line shows twice: $(sort /tmp/cons16.txt | uniq -d | grep cons16)"
log "cons16: console replays the last lines and streams on, no line twice"

# keel's console: dom0's unfinished line is printed before keel's next line (a create's).
printf 'toolstack-test: cons16: an unfinished line on keel.s console>'
sleep 1
printf 'name = "cons16tiny"\nkernel = "/usr/share/keel/guest/lastwords.elf"\nmemory = 16\n' \
	>/tmp/cons16tiny.cfg
keelctl create -p -e /tmp/cons16tiny.cfg >/dev/null || fail "cons16: create cons16tiny"
keelctl destroy cons16tiny || fail "cons16: destroy cons16tiny"
echo ' (its rest, after keel.s lines)'

# dmesg: keel's own lines only (no guest_loglvl=: no guest's, and never dom0's).
keelctl dmesg >/tmp/cons16.dmesg || fail "cons16: dmesg"
grep -q 'created by the toolstack' /tmp/cons16.dmesg || fail "cons16: dmesg misses keel's lines"
# (The first line may be the rest of one the 64 KiB ring cut.)
if sed 1d /tmp/cons16.dmesg | grep -v '^(keel) ' | grep -q . ||
	grep -q '^(keel) (d[0-9]*) ' /tmp/cons16.dmesg; then
	fail "cons16: dmesg has more than keel's lines: $(grep -v '^(keel) [^(]' /tmp/cons16.dmesg | head -3)"
fi
log "cons16: dmesg shows keel's lines only ($(wc -l </tmp/cons16.dmesg) lines)"
keelctl dmesg -c >/tmp/cons16.dmesg || fail "cons16: dmesg -c"
grep -q 'created by the toolstack' /tmp/cons16.dmesg || fail "cons16: dmesg -c printed nothing"
keelctl dmesg >/tmp/cons16.dmesg || fail "cons16: dmesg after -c"
grep -q -e 'created by the toolstack' -e 'Keel hypervisor' /tmp/cons16.dmesg &&
	fail "cons16: dmesg -c left the log: $(head -3 /tmp/cons16.dmesg)"
log "cons16: dmesg -c cleared keel's log ($(wc -c </tmp/cons16.dmesg) bytes since)"
