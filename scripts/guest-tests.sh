#!/usr/bin/env bash
# Turns the test guests' test files (tests/guests/*/test) into a make fragment or a test list.
#
# Usage: scripts/guest-tests.sh --mk|--list [-b BUILD]
#   --mk     print the make fragment the Makefile includes: TEST_ISOS, ISO_CMDLINE_<name>,
#            ISO_MODULES_<name> and each ISO's prerequisites (the guests' ELFs, the test file)
#   --list   print the emulator tests in tests/emu/tests.list's format (run-tests.sh reads
#            them after tests/emu/tests.list)
#   -b DIR   the build directory the list's image paths start with (default: build)
# The format is in tests/guests/README.md. Any error (unknown key, bad value, a section without
# 'require', a module naming no guest, a name used twice here or in tests/emu/tests.list) is
# reported as file:line and nothing is printed; the exit status is then 1.
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
mode= build=build
while (($#)); do
	case $1 in
	--mk | --list) mode=${1#--}; shift ;;
	-b) [[ -n ${2:-} ]] || { echo "guest-tests.sh: -b wants a directory" >&2; exit 2; }
		build=$2; shift 2 ;;
	*) sed -n '4,9s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
[[ -n $mode ]] || { sed -n '4,9s/^# \{0,1\}//p' "$0" >&2; exit 2; }

cd "$root"
shopt -s nullglob
guests=$(for f in tests/guests/*/main.c; do basename "$(dirname "$f")"; done)
files=(tests/guests/*/test)
((${#files[@]})) || files=(/dev/null) # no test files: an empty fragment and list
# Names tests/emu/tests.list already uses, as tests or as images (build/keel-<name>.iso).
reserved=$(awk -F'|' '!/^[[:space:]]*(#|$)/ {
	n = $1; gsub(/[[:space:]]/, "", n); print n
	i = $3; gsub(/[[:space:]]/, "", i)
	if (i ~ /(^|\/)keel-[^\/]*\.iso$/) { sub(/.*\/keel-/, "", i); sub(/\.iso$/, "", i); print i }
}' tests/emu/tests.list)

awk -v mode="$mode" -v build="$build" -v guests="$guests" -v reserved="$reserved" '
function err(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	errors++
}
function trim(s) {
	sub(/^[[:space:]]+/, "", s)
	sub(/[[:space:]]+$/, "", s)
	return s
}
# A value for make: "$" and "#" would be expanded or start a comment there.
function mkquote(s) {
	gsub(/\$/, "$$", s)
	gsub(/#/, "\\#", s)
	return s
}
function guest_module(g, args) {
	return "$(BUILD)/guests/" g ".elf '"'"'" mkquote(args) "'"'"'"
}
function end_section() {
	if (cur == "")
		return
	ne = split(emus[cur], el, /[[:space:]]+/)
	for (e = 1; e <= ne; e++) {
		n = 0
		for (k = 1; k <= nreq[cur]; k++)
			n += reqemu[cur, k] == "" || reqemu[cur, k] == el[e]
		if (n == 0) {
			printf "%s:%d: [%s] has no require line for %s\n", sfile[cur], sline[cur],
				cur, el[e] > "/dev/stderr"
			errors++
		}
	}
	for (k = 1; k <= nreq[cur]; k++)
		if (reqemu[cur, k] != "" && index(" " emus[cur] " ", " " reqemu[cur, k] " ") == 0) {
			printf "%s:%d: [%s] has require.%s but does not run on %s\n", sfile[cur],
				sline[cur], cur, reqemu[cur, k], reqemu[cur, k] > "/dev/stderr"
			errors++
		}
	cur = ""
}
BEGIN {
	split(guests, gl, "\n")
	for (i in gl)
		if (gl[i] != "")
			is_guest[gl[i]] = 1
	split(reserved, rl, "\n")
	for (i in rl)
		if (rl[i] != "")
			is_reserved[rl[i]] = 1
	single["keel"] = single["args"] = single["timeout"] = single["status"] = 1
	single["options"] = single["emulators"] = 1
	multi["module"] = multi["require"] = multi["forbid"] = 1
	multi["require.bochs"] = multi["require.qemu-svm"] = 1
	nsec = 0
}
FNR == 1 {
	end_section()
	skipping = 0
	guest = FILENAME
	sub(/\/test$/, "", guest)
	sub(/.*\//, "", guest)
	if (!is_guest[guest])
		err("tests/guests/" guest "/ has no main.c: no guest to boot")
	files[++nfiles] = FILENAME
}
{
	line = $0
	sub(/\r$/, "", line)
	# A "#" at the start of a line or after a blank starts a comment.
	if (line ~ /^[[:space:]]*#/)
		next
	sub(/[[:space:]]+#.*$/, "", line)
	line = trim(line)
	if (line == "")
		next
}
line ~ /^\[/ {
	end_section()
	# After a bad header its keys are skipped, not reported again.
	skipping = 1
	if (line !~ /^\[[A-Za-z0-9._-]+\]$/) {
		err("bad section header \"" line "\" (want [name], name of A-Za-z0-9._-)")
		next
	}
	name = substr(line, 2, length(line) - 2)
	if (name in sfile) {
		err("test \"" name "\" already defined at " sfile[name] ":" sline[name])
		next
	}
	if (is_reserved[name]) {
		err("test \"" name "\" clashes with a test or image in tests/emu/tests.list")
		next
	}
	skipping = 0
	cur = name
	order[++nsec] = name
	sfile[name] = FILENAME
	sline[name] = FNR
	sguest[name] = guest
	keel[name] = "console=com1,e9 dom0_mem=32M dom0_restarts=1"
	args[name] = ""
	timeout[name] = 120
	status[name] = 0
	options[name] = ""
	emus[name] = "bochs"
	nmod[name] = nreq[name] = nforb[name] = 0
	next
}
{
	eq = index(line, "=")
	if (!eq) {
		err("not \"key = value\" nor \"[name]\": " line)
		next
	}
	key = trim(substr(line, 1, eq - 1))
	val = trim(substr(line, eq + 1))
	if (!(key in single) && !(key in multi)) {
		err("unknown key \"" key "\" (keel, args, module, timeout, status, require, require.bochs, require.qemu-svm, forbid, options, emulators)")
		next
	}
	if (cur == "") {
		if (!skipping)
			err("\"" key "\" before any [name] section")
		next
	}
	if (key in single) {
		if ((cur, key) in seen) {
			err("\"" key "\" given twice in [" cur "]")
			next
		}
		seen[cur, key] = 1
	}
	if (val == "" && key != "args") {
		err("\"" key "\" has no value")
		next
	}
	if (key == "keel") {
		if (val ~ /["`\\$]/)
			err("keel: a command line with \", `, \\ or $ cannot go through boot/mkiso.sh")
		keel[cur] = val
	} else if (key == "args") {
		if (val ~ /'"'"'/)
			err("args: no single quotes (the ISO rule quotes arguments with them)")
		args[cur] = val
	} else if (key == "module") {
		g = val
		sub(/[[:space:]].*/, "", g)
		margs = trim(substr(val, length(g) + 1))
		if (!is_guest[g])
			err("module: no guest \"" g "\" (no tests/guests/" g "/main.c)")
		if (margs ~ /'"'"'/)
			err("module: no single quotes in its arguments")
		n = ++nmod[cur]
		modg[cur, n] = g
		moda[cur, n] = margs
	} else if (key == "timeout") {
		if (val !~ /^[1-9][0-9]*$/)
			err("timeout: \"" val "\" is not a number of seconds")
		timeout[cur] = val
	} else if (key == "status") {
		if (val !~ /^([0-7]|-)$/)
			err("status: \"" val "\" is not 0..7 or -")
		status[cur] = val
	} else if (key == "options") {
		no = split(val, ol, /[[:space:]]+/)
		for (i = 1; i <= no; i++)
			if (ol[i] !~ /^(megs|cpus)=[1-9][0-9]*$/)
				err("options: \"" ol[i] "\" is not megs=N or cpus=N")
		options[cur] = val
	} else if (key == "emulators") {
		if (val !~ /^(bochs|qemu-svm)([[:space:]]+(bochs|qemu-svm))*$/)
			err("emulators: \"" val "\" is not a list of bochs and qemu-svm")
		emus[cur] = val
	} else {
		if (val ~ /[|;]/)
			err(key ": a pattern cannot contain \"|\" or \";\" (tests.list separates with them)")
		if (key ~ /^require/) {
			req[cur, ++nreq[cur]] = val
			reqemu[cur, nreq[cur]] = substr(key, 9)	# "" or the emulator after "require."
		} else
			forb[cur, ++nforb[cur]] = val
	}
}
END {
	end_section()
	if (errors)
		exit 1
	if (mode == "mk") {
		print "# Generated by scripts/guest-tests.sh from tests/guests/*/test: do not edit."
		printf "GUEST_TEST_FILES :="
		for (i = 1; i <= nfiles; i++)
			printf " %s", files[i]
		print ""
		for (i = 1; i <= nsec; i++) {
			t = order[i]
			print ""
			print "TEST_ISOS += " t
			print "ISO_CMDLINE_" t " := " mkquote("dom0=virtual " keel[t])
			mods = guest_module(sguest[t], args[t])
			deps = "$(BUILD)/guests/" sguest[t] ".elf"
			for (m = 1; m <= nmod[t]; m++) {
				mods = mods " " guest_module(modg[t, m], moda[t, m])
				d = "$(BUILD)/guests/" modg[t, m] ".elf"
				if (index(" " deps " ", " " d " ") == 0)
					deps = deps " " d
			}
			print "ISO_MODULES_" t " := " mods
			print "$(BUILD)/keel-" t ".iso: " deps " " sfile[t]
		}
	} else {
		print "# Generated by scripts/guest-tests.sh from tests/guests/*/test: do not edit."
		for (i = 1; i <= nsec; i++) {
			t = order[i]
			f = ""
			for (k = 1; k <= nforb[t]; k++)
				f = f (k > 1 ? " ; " : "") forb[t, k]
			if (nforb[t] == 0)
				f = "guest: FAIL"
			# Under SVM (QEMU TCG) the same run is <name>-svm.
			ne = split(emus[t], el, /[[:space:]]+/)
			for (e = 1; e <= ne; e++) {
				r = ""
				for (k = 1; k <= nreq[t]; k++)
					if (reqemu[t, k] == "" || reqemu[t, k] == el[e])
						r = r (r != "" ? " ; " : "") req[t, k]
				printf "%s | %s | %s/keel-%s.iso | %d | %s | %s | %s | %s\n",
					t (el[e] == "bochs" ? "" : "-svm"), el[e], build, t,
					timeout[t], status[t], r, f, options[t] == "" ? "" : options[t]
			}
		}
	}
}' "${files[@]}"
