# Helpers shared by tests/emu/run-tests.sh and scripts/run.sh: Bochs config and a private Xvfb.
# Source it from bash; it defines functions only.
# shellcheck shell=bash

KEEL_EMU_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# keel_bochsrc OUT ISO SERIAL LOG MEGS CPUS E9: write a Bochs config from bochsrc.in.
keel_bochsrc() {
	local out=$1 iso=$2 serial=$3 log=$4 megs=$5 cpus=$6 e9=$7
	sed -e "s|@ISO@|$iso|g" -e "s|@SERIAL@|$serial|g" -e "s|@LOG@|$log|g" \
		-e "s|@MEGS@|$megs|g" -e "s|@CPUS@|$cpus|g" -e "s|@E9@|$e9|g" \
		"$KEEL_EMU_LIB_DIR/bochsrc.in" >"$out"
}

# keel_start_xvfb DIR: start an Xvfb on a free display number, export DISPLAY and set
# KEEL_XVFB_PID. Its log goes to DIR/xvfb.log. Call keel_stop_xvfb when done.
keel_start_xvfb() {
	local dir=$1 i
	: >"$dir/xvfb.display"
	Xvfb -displayfd 3 -nolisten tcp -screen 0 1024x768x24 \
		3>"$dir/xvfb.display" >"$dir/xvfb.log" 2>&1 </dev/null &
	KEEL_XVFB_PID=$!
	for ((i = 0; i < 100; i++)); do
		if [[ -s $dir/xvfb.display ]]; then
			DISPLAY=":$(tr -dc 0-9 <"$dir/xvfb.display")"
			export DISPLAY
			return 0
		fi
		kill -0 "$KEEL_XVFB_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "Xvfb did not start; see $dir/xvfb.log" >&2
	keel_stop_xvfb
	return 1
}

keel_stop_xvfb() {
	if [[ -n ${KEEL_XVFB_PID:-} ]]; then
		kill "$KEEL_XVFB_PID" 2>/dev/null || true
		wait "$KEEL_XVFB_PID" 2>/dev/null || true
		KEEL_XVFB_PID=
	fi
}
