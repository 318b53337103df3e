# shellcheck shell=bash
# busybox_tree ROOT BUSYBOX OVERLAY...: the root tree shared by mkinitramfs.sh and mkrootdisk.sh:
# the usual directories, a static busybox with its applet links, then the overlays copied over
# the root in order. Source it from bash; it defines the function only.
busybox_tree() {
	local root=$1 busybox=$2 applet dir
	shift 2
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,etc}
	chmod 1777 "$root/tmp"
	cp "$busybox" "$root/bin/busybox"
	chmod 755 "$root/bin/busybox"
	# The static busybox runs on the build host and names its applets' usual paths.
	while IFS= read -r applet; do
		[ "$applet" != bin/busybox ] || continue
		ln -sf /bin/busybox "$root/$applet"
	done < <("$busybox" --list-full)
	for dir in "$@"; do
		cp -a "$dir/." "$root/"
	done
}
