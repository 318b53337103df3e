# Helpers shared by tests/emu/run-tests.sh and scripts/run.sh: Bochs config and a private Xvfb.
# Source it from bash; it defines functions only.
# shellcheck shell=bash

KEEL_EMU_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# keel_bochsrc OUT ISO SERIAL LOG MEGS CPUS E9 [MODE]: write a Bochs config from bochsrc.in.
# MODE is COM1's Bochs mode: file (the default: output only, to the file SERIAL) or term
# (SERIAL is a terminal, a pty's slave, that COM1 both writes to and reads from).
keel_bochsrc() {
	local out=$1 iso=$2 serial=$3 log=$4 megs=$5 cpus=$6 e9=$7 mode=${8:-file}
	sed -e "s|@ISO@|$iso|g" -e "s|@SERIAL@|$serial|g" -e "s|@LOG@|$log|g" \
		-e "s|@MEGS@|$megs|g" -e "s|@CPUS@|$cpus|g" -e "s|@E9@|$e9|g" \
		-e "/^com1:/s|mode=file|mode=$mode|" \
		"$KEEL_EMU_LIB_DIR/bochsrc.in" >"$out"
	if ! grep -q "^com1: .*mode=$mode," "$out"; then
		echo "keel_bochsrc: no 'com1: ... mode=file, ...' line in bochsrc.in to set to $mode" >&2
		return 1
	fi
}

# keel_bochs_ticks LOG: the last emulated-time stamp in Bochs's log, in ticks (one per
# instruction, plus the time skipped while every CPU halts); empty if there is none.
keel_bochs_ticks() {
	grep -a -o -E '^[0-9]{11,}' "$1" 2>/dev/null | tail -n 1 | sed 's/^0*\([0-9]\)/\1/' || true
}

# keel_xvfb_free N: is X display N unused? Its lock file may be gone (a cleaned /tmp) while a
# server still holds its abstract socket, which a new server then fails to bind.
keel_xvfb_free() {
	[[ ! -e /tmp/.X$1-lock && ! -e /tmp/.X11-unix/X$1 ]] &&
		! grep -q -a "@/tmp/.X11-unix/X$1\$" /proc/net/unix 2>/dev/null
}

# keel_start_xvfb DIR: start an Xvfb on a free display number, export DISPLAY and set
# KEEL_XVFB_PID. Its log goes to DIR/xvfb.log. Call keel_stop_xvfb when done.
keel_start_xvfb() {
	local dir=$1 i n tries
	n=$((100 + $$ % 800))
	for ((tries = 0; tries < 20; tries++, n++)); do
		keel_xvfb_free "$n" || continue
		: >"$dir/xvfb.display"
		Xvfb ":$n" -displayfd 3 -nolisten tcp -screen 0 1024x768x24 \
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
		keel_stop_xvfb	# another server took the number meanwhile: the next one
	done
	echo "Xvfb did not start; see $dir/xvfb.log" >&2
	return 1
}

keel_stop_xvfb() {
	if [[ -n ${KEEL_XVFB_PID:-} ]]; then
		kill "$KEEL_XVFB_PID" 2>/dev/null || true
		wait "$KEEL_XVFB_PID" 2>/dev/null || true
		KEEL_XVFB_PID=
	fi
}
