#!/usr/bin/env bash
# Checks that Debian's libfdt.a can run inside keel, whose own code is built with
# -mgeneral-regs-only -mno-red-zone -mcmodel=kernel -fno-stack-protector (Makefile):
#   - no SSE/AVX registers: keel does not save a guest's vector state;
#   - no red zone (stores below %rsp): keel's own code never needs one;
#   - no segment use but the stack protector's canary at %fs:0x28 (which
#     arch/x86/stack_guard.c provides) and none of %gs, keel's per-CPU base;
#   - only relocations a static link at -2 GiB resolves: PC-relative, or
#     absolute 64-bit / sign-extended 32-bit; no GOT, no TLS.
# Usage: scripts/check-libfdt.sh LIBFDT.a STAMP (the stamp is written on success).
set -euo pipefail
lib=$1 stamp=$2

fail() {
	echo "check-libfdt: $lib: $*" >&2
	echo "check-libfdt: keel cannot link it as it is; see docs/boot-domains.md" >&2
	exit 1
}

[ -f "$lib" ] || fail "not found (install libfdt-dev: scripts/deps.sh build)"
asm=$(objdump -d --no-show-raw-insn "$lib")
vector=$(grep -E '%[xyz]mm[0-9]' <<< "$asm" | head -3 || true)
[ -z "$vector" ] || fail "uses vector registers:"$'\n'"$vector"
redzone=$(grep -E -- '-0x[0-9a-f]+\(%rsp[,)]' <<< "$asm" | head -3 || true)
[ -z "$redzone" ] || fail "uses the red zone below %rsp:"$'\n'"$redzone"
segment=$(grep -E '%gs:|%fs:' <<< "$asm" | grep -vE '%fs:0x28,' | head -3 || true)
[ -z "$segment" ] || fail "uses segment bases other than the %fs:0x28 canary:"$'\n'"$segment"
relocs=$(readelf -rW "$lib" | awk '
	/^Relocation section/ { skip = ($3 ~ /eh_frame/) }
	!skip && $3 ~ /^R_X86_64_/ &&
	$3 !~ /^R_X86_64_(PC32|PLT32|64|32S)$/ { print $3 }' | sort -u)
[ -z "$relocs" ] || fail "has relocations keel's static link cannot take: $relocs"
mkdir -p "$(dirname "$stamp")"
echo "$lib checked" > "$stamp"
