#!/usr/bin/env bash
# Runs the host unit-test binaries with cmocka's TAP output and records PASS/FAIL per test case
# (a skipped case, which cmocka reports as "not ok N # SKIP name", is listed as SKIP).
set -uo pipefail
bindir=$1 results=$2
shift 2
: > "$results"
status=0
for t in "$@"; do
	if [ ! -x "$bindir/$t" ]; then
		echo "FAIL $t (does not build)" | tee -a "$results"
		status=1
		continue
	fi
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$bindir/$t" 2>&1)
	rc=$?
	while IFS= read -r line; do
		case "$line" in
		*" # SKIP "*) name=${line##* # SKIP }; echo "SKIP $t/$name" >> "$results"
			echo "SKIP $t/$name" ;;
		"ok "*) name=${line#ok * - }; echo "PASS $t/$name" >> "$results"
			echo "PASS $t/$name" ;;
		"not ok "*) name=${line#not ok * - }; echo "FAIL $t/$name" >> "$results"
			echo "FAIL $t/$name"; status=1 ;;
		esac
	done <<< "$out"
	if [ $rc -ne 0 ]; then
		status=1
		if ! grep -q '^not ok' <<< "$out"; then
			echo "FAIL $t (exit status $rc)" | tee -a "$results"
		fi
		echo "--- $t output ---"; tail -n 40 <<< "$out"
	fi
done
exit $status
