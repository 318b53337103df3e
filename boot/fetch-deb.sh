#!/usr/bin/env bash
# Downloads one Debian package's .deb with `apt-get download` (never installs it).
#
# Usage: boot/fetch-deb.sh OUT.deb PACKAGE
#        boot/fetch-deb.sh --meta OUT.deb METAPACKAGE
# --meta fetches the package a kernel metapackage (linux-image-amd64) depends on, preferring its
# -unsigned twin (the same kernel without the Secure Boot signature). The package's name and
# version go to OUT.deb.pkg. apt-get update runs only when apt has no usable package lists.
set -euo pipefail

meta=0
if [ "${1:-}" = --meta ]; then
	meta=1
	shift
fi
if [ $# -ne 2 ]; then
	echo "usage: $0 [--meta] OUT.deb PACKAGE" >&2
	exit 2
fi
out=$1 want=$2

sudo=()
if ((EUID != 0)) && command -v sudo >/dev/null; then
	sudo=(sudo)
fi

apt_update() {
	echo "fetch-deb: no usable package lists; running apt-get update" >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
}

# The kernel package linux-image-amd64 depends on, e.g. linux-image-6.1.0-56-amd64.
resolve_meta() {
	apt-cache depends --no-recommends --no-suggests --no-enhances "$1" 2>/dev/null |
		awk '!found && $1 ~ /Depends:$/ && $2 ~ /^linux-image-[0-9]/ { print $2; found = 1 }'
}

known() {
	apt-cache show "$1" >/dev/null 2>&1
}

pkg=$want
if ((meta)); then
	pkg=$(resolve_meta "$want")
	if [ -z "$pkg" ]; then
		apt_update
		pkg=$(resolve_meta "$want")
	fi
	if [ -z "$pkg" ]; then
		echo "fetch-deb: cannot resolve $want to a kernel package" >&2
		exit 1
	fi
	if known "$pkg-unsigned"; then
		pkg=$pkg-unsigned
	fi
fi

mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$out.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

download() {
	(cd "$tmp" && apt-get download -q "$pkg") > "$tmp/log" 2>&1
}

echo "fetch-deb: apt-get download $pkg"
if ! download; then
	apt_update
	if ! download; then
		cat "$tmp/log" >&2
		echo "fetch-deb: cannot download $pkg" >&2
		exit 1
	fi
fi
debs=("$tmp"/*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
	echo "fetch-deb: apt-get download $pkg left no single .deb" >&2
	exit 1
fi
dpkg-deb -W --showformat='${Package} ${Version}\n' "${debs[0]}" > "$out.pkg"
mv "${debs[0]}" "$out"
echo "fetch-deb: $(cat "$out.pkg") -> $out ($(stat -c %s "$out") bytes)"
