#!/usr/bin/env bash
# Compiles every header on its own (as Jailhouse checks its headers): the hypervisor's and
# test guests' freestanding, dom0's tools hosted. Prints each failure with the compiler's
# first lines; with a results file, writes one PASS/FAIL line for the whole check.
#
# Usage: scripts/check-headers.sh [RESULTS_FILE]
set -uo pipefail
cd "$(dirname "$(realpath "$0")")/.."
results=${1:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

hv_flags=(-std=gnu11 -ffreestanding -nostdinc -fsyntax-only -Wall -Wextra -Werror
	-Wno-unused-parameter -Ihypervisor/include -Ihypervisor/arch/x86/include)
# dom0's tools: user space, Xen's public headers from libxen-dev.
tool_flags=(-std=gnu11 -D_GNU_SOURCE -fsyntax-only -Wall -Wextra -Werror -Wno-unused-parameter
	-Idom0-tools/lib -Ihypervisor/include)

failed=() checked=0
check() {	# header, flags...
	local h=$1
	shift
	printf '#include "%s"\n' "$PWD/$h" >"$tmp/h.c"
	checked=$((checked + 1))
	if ! gcc "$@" "$tmp/h.c" >"$tmp/err" 2>&1; then
		failed+=("$h")
		echo "check-headers: $h does not compile on its own:"
		head -5 "$tmp/err" | sed 's/^/    /'
	fi
}

while IFS= read -r h; do
	check "$h" "${hv_flags[@]}"
done < <(find hypervisor/include hypervisor/arch -name '*.h' -not -path '*/libfdt/*' | sort)
while IFS= read -r h; do
	check "$h" "${hv_flags[@]}" -Ifrontend-drivers/lib
done < <(find frontend-drivers -name '*.h' | sort)
while IFS= read -r h; do
	check "$h" "${tool_flags[@]}" "-I$(dirname "$h")"
done < <(find dom0-tools -name '*.h' | sort)
while IFS= read -r h; do
	check "$h" "${tool_flags[@]}" "-I$(dirname "$h")" -Ibackend-drivers/lib -Idom0-tools/keelctl
done < <(find backend-drivers -name '*.h' 2>/dev/null | sort)
# User space is told to include keel_domctl.h: it must compile hosted too.
check hypervisor/include/public/keel_domctl.h "${tool_flags[@]}"

echo "check-headers: $checked headers checked, ${#failed[@]} do not compile on their own"
if [[ -n $results ]]; then
	mkdir -p "$(dirname "$results")"
	if ((${#failed[@]})); then
		echo "FAIL headers-compile-alone (${failed[*]})" >"$results"
	else
		echo "PASS headers-compile-alone ($checked headers)" >"$results"
	fi
fi
((${#failed[@]} == 0))
