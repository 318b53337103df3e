#!/usr/bin/env bash
# Totals the PASS/FAIL lines of every results file and prints "N passed, N failed" (and
# ", N skipped" when SKIP lines are there).
set -uo pipefail
dir=${1:-build/test-results}
passed=0 failed=0 skipped=0
if compgen -G "$dir/*.txt" > /dev/null; then
	passed=$(cat "$dir"/*.txt | grep -c '^PASS ')
	failed=$(cat "$dir"/*.txt | grep -c '^FAIL ')
	skipped=$(cat "$dir"/*.txt | grep -c '^SKIP ')
fi
if [ "$failed" -gt 0 ]; then
	echo
	echo "Failed:"
	cat "$dir"/*.txt | grep '^FAIL ' | sed 's/^FAIL /  /'
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
	echo "no test results found in $dir" >&2
	failed=1
fi
if [ "$skipped" -gt 0 ]; then
	echo "Skipped: $skipped (cat $dir/*.txt | grep '^SKIP ' names them)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
