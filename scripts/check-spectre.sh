#!/usr/bin/env bash
# Checks keel's binary for what keeps a guest from steering keel's own speculation
# (Spectre v2, as Xen's retpoline and DO_OVERWRITE_RSB): no indirect CALL or JMP outside
# the allowed boot-time code (every other one goes through a retpoline thunk), and a VM
# exit that overwrites the return stack buffer before keel's first RET. With a results
# file, writes one PASS/FAIL line for each of the two.
#
# Usage: scripts/check-spectre.sh [KEEL_ELF [RESULTS_FILE]]
set -uo pipefail
cd "$(dirname "$(realpath "$0")")/.."
elf=${1:-build/keel.elf}
results=${2:-}
# Run before any guest: the 32-to-64-bit jump at boot, and Debian's libfdt.a (linked as
# Debian built it), which only parses the boot device tree.
allowed='^(start64_low|fdt_[a-z_0-9]+)$'

if [[ ! -r $elf ]]; then
	echo "check-spectre: no $elf (make $elf first)" >&2
	exit 2
fi
dis=$(objdump -d --no-show-raw-insn "$elf") || exit 2

# "function: instruction" for every indirect call or jump outside the allowed functions.
indirect=$(awk -v allowed="$allowed" '
	/^[0-9a-f]+ <.*>:$/ { fn = substr($2, 2, length($2) - 3); next }
	/\t(call|jmp)q? +\*/ && fn !~ allowed { sub(/^[ \t]*[0-9a-f]+:[ \t]*/, ""); print fn ": " $0 }
' <<<"$dis")
# The instructions of each VM-exit path up to its first RET (VT-x exits to vmx_exit_entry; SVM
# returns after svm_enter's VMRUN): 32 CALLs, the first one first (asm/rsb.h's OVERWRITE_RSB).
# On SVM an NMI taken while the guest ran is delivered at STGI, into keel's handler and its
# RETs: the buffer is overwritten before STGI too (as Xen's SPEC_CTRL_ENTRY_FROM_SVM).
exit_path() {
	awk -v fn="$1" -v after="$2" '
		/^[0-9a-f]+ <.*>:$/ { if (on) exit; in_fn = $2 == "<" fn ">:"; on = in_fn && after == ""; next }
		in_fn && !on && $0 ~ "\t" after { on = 1; next }
		on && /\tret/ { print "ret"; exit }
		on && /\tcall/ { print "call" }
		on && /\tstgi/ { print "stgi" }
	' <<<"$dis"
}
rsb_overwritten() {
	local before
	before=$(sed '/^stgi$/,$d' <<<"$1")	# what runs before an NMI can
	[[ $(head -1 <<<"$before") == call && $(grep -c '^call$' <<<"$before") -ge 32 ]]
}

failed=0
if [[ -n $indirect ]]; then
	echo "check-spectre: indirect branches a guest could train (build with retpolines):"
	sed 's/^/    /' <<<"$indirect"
	line="FAIL spectre-no-indirect-branches ($(wc -l <<<"$indirect") found)"
	failed=1
else
	line="PASS spectre-no-indirect-branches"
fi
# The buffer holds 32 entries on the parts keel runs on: all of them are overwritten.
if ! rsb_overwritten "$(exit_path vmx_exit_entry "")" ||
   ! rsb_overwritten "$(exit_path svm_enter vmrun)"; then
	echo "check-spectre: a VM-exit path (vmx_exit_entry, or svm_enter after VMRUN) reaches RET without overwriting the return stack buffer"
	line2="FAIL spectre-rsb-overwritten-on-vm-exit"
	failed=1
else
	line2="PASS spectre-rsb-overwritten-on-vm-exit"
fi
echo "check-spectre: $line; $line2"
if [[ -n $results ]]; then
	mkdir -p "$(dirname "$results")"
	printf '%s\n%s\n' "$line" "$line2" >"$results"
fi
exit $failed
