#!/usr/bin/env bash
# Installs the Debian packages Keel needs to build (default), to `make run`, or to `make test`.
#
# Usage: scripts/deps.sh [build|run|bench|test]
# Does nothing, quickly, when everything is there. Otherwise runs apt-get update and
# apt-get install (through sudo when not root); without root or sudo it prints the command
# to run and exits 1.
set -euo pipefail

# liblzma-dev, xz-utils, cpio: dom0's kernel and initramfs (boot/linux.mk; the kernel and
# busybox-static packages themselves are downloaded, not installed). libfdt-dev: keel links its
# libfdt.a (boot-domain trees); device-tree-compiler: dtc builds those trees (boot/domains.mk).
# libxen-dev: Xen's public headers (xenstored's wire protocol and /dev/xen ioctls).
# dom0's static tools (xenstored, keelctl) link libc6-dev's libc.a; keelctl also liblzma-dev's
# liblzma.a (it unpacks bzImages). e2fsprogs: mke2fs -d and debugfs make the guests' ext4 root
# disk (boot/rootdisk/mkrootdisk.sh).
build_pkgs=(gcc make binutils libc6-dev grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools
	gnu-efi libfdt-dev device-tree-compiler liblzma-dev xz-utils cpio libxen-dev e2fsprogs)
run_pkgs=(bochs bochs-x bochsbios vgabios xvfb xauth qemu-system-x86 socat)
# xenstore-utils: Debian's xenstore-read/write/ls, run against our xenstored.
# clang: libFuzzer and its sanitizers for the fuzz harnesses (tests/fuzz/).
# python3: its json.tool checks keelctl list -l's JSON (test_keelctl_xenstore).
# gnuplot-nox: make bench's chart (build/bench/report.png).
bench_pkgs=("${run_pkgs[@]}" gnuplot-nox)
test_pkgs=(libcmocka-dev "${bench_pkgs[@]}" ovmf xenstore-utils clang python3)

job=${1:-build}
case $job in
build) want=("${build_pkgs[@]}") ;;
run) want=("${build_pkgs[@]}" "${run_pkgs[@]}") ;;
bench) want=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
test) want=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
*)
	echo "usage: $0 [build|run|bench|test]" >&2
	exit 2
	;;
esac

if ! command -v dpkg-query >/dev/null; then
	echo "deps.sh: not a Debian system; make sure these are installed: ${want[*]}" >&2
	exit 0
fi

# One dpkg-query for all of them; packages it has never heard of are simply not listed.
declare -A installed=()
while read -r pkg state; do
	[[ $state != installed ]] || installed[$pkg]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${want[@]}" 2>/dev/null || true)

missing=()
for pkg in "${want[@]}"; do
	[[ -n ${installed[$pkg]:-} ]] || missing+=("$pkg")
done
((${#missing[@]})) || exit 0

echo "deps.sh: installing for '$job': ${missing[*]}"
if ((EUID == 0)); then
	sudo=()
elif command -v sudo >/dev/null; then
	sudo=(sudo)
else
	echo "deps.sh: not root and no sudo; as root run:" >&2
	echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
	exit 1
fi
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
