#!/usr/bin/env bash
# Runs libFuzzer targets one after another (one core) and records "PASS fuzz-<name>" or
# "FAIL fuzz-<name>" per target in RESULTS, the format tests/summarize.sh counts.
#
# Usage: run-fuzz.sh smoke|full SECONDS BINDIR RESULTS TARGET...
#   smoke: from the committed corpus tests/fuzz/corpus/<name> only, into a fresh scratch
#          directory, so each run is short and alike.
#   full:  into BINDIR/corpus-<name>, seeded from the committed corpus, kept between runs.
# A crash, leak, sanitizer report or timeout fails the target; its input is left in
# BINDIR/artifacts-<name>/ and the log in BINDIR/<name>.log.
set -uo pipefail
mode=$1 seconds=$2 bindir=$3 results=$4
shift 4
: > "$results"
status=0
for t in "$@"; do
	bin=$bindir/$t seeds=tests/fuzz/corpus/$t log=$bindir/$t.log
	artifacts=$bindir/artifacts-$t
	mkdir -p "$artifacts"
	if [ "$mode" = smoke ]; then
		corpus=$bindir/smoke-$t
		rm -rf "$corpus"
		mkdir -p "$corpus"
	else
		corpus=$bindir/corpus-$t
		mkdir -p "$corpus"
		[ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null
	fi
	dirs=("$corpus")
	[ "$mode" = smoke ] && [ -d "$seeds" ] && dirs+=("$seeds")
	"$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$artifacts/" "${dirs[@]}" \
		> "$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		echo "PASS fuzz-$t" >> "$results"
		echo "PASS fuzz-$t (${runs:-0} runs in ${seconds}s, ${cov:-cov: ?})"
	else
		echo "FAIL fuzz-$t" >> "$results"
		echo "FAIL fuzz-$t (exit status $rc after ${runs:-?} runs; input in $artifacts/)"
		echo "--- $t log ($log) ---"
		grep -v '^#[0-9]' "$log" | tail -n 40
		status=1
	fi
	if [ "$mode" = full ]; then
		printf '%s %s runs=%s %s status=%s\n' "$(date -u +%FT%TZ)" "$t" "${runs:-0}" \
			"${cov:-}" "$rc" >> "$bindir/history.txt"
	else
		rm -rf "$corpus"
	fi
done
exit $status
