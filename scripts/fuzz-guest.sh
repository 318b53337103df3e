#!/usr/bin/env bash
# Runs the guest-kit hypercall fuzzer (tests/guests/fuzz) for a long time: `make fuzz-guest`.
#
# Usage: scripts/fuzz-guest.sh BUILD "KEEL CMDLINE" ITERS [SEED] [EXTRA]
#   ITERS  fuzzer rounds (about 5000 a minute under Bochs)
#   SEED   the fuzzer's seed (default: a random one, printed)
#   EXTRA  more words for dom0's command line: known=1,8 (leave out the triggers of those audit
#          findings), trace=N (print every call from round N on), limit=SECONDS
# The environment may set FUZZ_GUEST_TIMEOUT (seconds of wall clock) and FUZZ_GUEST_CPUS (keel's
# host CPUs, default 1). It builds BUILD/keel-fuzz-guest.iso (keel, the fuzz dom0, the fuzzer and
# the peer) and runs it under Bochs with guest-fuzz's patterns from tests/guests/fuzz/test; the
# log is in BUILD/emu/fuzz-guest/. docs/security-guest-fuzz.md says what to do with a failure.
set -euo pipefail
root=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
cd "$root"
build=${1:?build directory} cmdline=${2:?keel command line} iters=${3:?rounds}
seed=${4:-} extra=${5:-}
[[ $iters =~ ^[1-9][0-9]*$ ]] || { echo "fuzz-guest.sh: bad round count '$iters'" >&2; exit 2; }
[[ -n $seed ]] || seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
[[ $seed =~ ^[0-9]+$ ]] || { echo "fuzz-guest.sh: bad seed '$seed'" >&2; exit 2; }
# Bochs does about 300 rounds a second; a generous wall-clock limit, and dom0 gives the
# fuzzer an eighth of it in system time (which runs slower than the wall clock under Bochs).
timeout=${FUZZ_GUEST_TIMEOUT:-$((iters / 50 + 600))}
iso=$build/keel-fuzz-guest.iso
args="seed=$seed iters=$iters limit=$((timeout / 8)) $extra"

echo "fuzz-guest: seed $seed, $iters rounds${extra:+, $extra} (at most ${timeout}s)"
boot/mkiso.sh "$iso" "$build/keel.elf" "$cmdline" "$build/guests/fuzz.elf" "$args" \
	"$build/guests/fuzzer.elf" fuzzer "$build/guests/fuzzpeer.elf" fuzzpeer
list=$(mktemp)
trap 'rm -f "$list"' EXIT
line=$(scripts/guest-tests.sh --list -b "$build" | grep '^guest-fuzz ') ||
	{ echo "fuzz-guest.sh: no guest-fuzz in tests/guests/fuzz/test" >&2; exit 2; }
# name | emulator | image | timeout | the rest as the test file has it
IFS='|' read -r _ emu _ _ rest <<<"$line"
# FUZZ_GUEST_CPUS=N: keel on N host CPUs (the races of two CPUs); the options are the last field.
[[ -z ${FUZZ_GUEST_CPUS:-} ]] || rest="$rest cpus=$FUZZ_GUEST_CPUS"
echo "fuzz-guest |$emu| $iso | $timeout |$rest" >"$list"
if KEEL_TESTS=$list KEEL_GUEST_TESTS=none KEEL_EMU_JOBS=1 \
	KEEL_RESULTS=$build/test-results/fuzz-guest.txt tests/emu/run-tests.sh; then
	echo "fuzz-guest: seed $seed: $iters rounds passed"
else
	echo "fuzz-guest: seed $seed failed; the log is $build/emu/fuzz-guest/serial.txt" >&2
	exit 1
fi
