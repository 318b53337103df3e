# Debian's stock kernel as keel's dom0, with a busybox initramfs (included by the Makefile).
#
# `make linux` fetches linux-image-amd64's kernel package and busybox-static with apt-get download
# (never installed; fetched once and kept in $(BUILD)/linux/), and builds:
#   $(BUILD)/linux/vmlinux.elf         the bzImage's ELF vmlinux, with Xen's PHYS32_ENTRY note
#   $(BUILD)/linux/initramfs.cpio.gz   busybox + boot/initramfs/rootfs (/init)
#   $(BUILD)/linux/modules/            lib/modules/<version>/ with the Xen drivers only
#   $(BUILD)/linux/vmlinuz, config, kernel-version   from the package
# `make linux-check` boots vmlinux.elf under plain QEMU (PVH entry, no keel) to check both.

BUILD ?= build
CC ?= gcc

# Keep the includer's default goal: this file must not change it.
linux_saved_goal := $(.DEFAULT_GOAL)

LINUX_DIR := $(BUILD)/linux
# The kernel metapackage whose kernel we boot (its -unsigned twin when there is one).
LINUX_META ?= linux-image-amd64
# dom0's command line; keel.test=poweroff makes /init power off once it runs, keel.test=nproc
# makes it print the number of CPUs online first.
LINUX_CMDLINE ?= console=hvc0
# 1: put $(LINUX_DIR)/modules (Xen block/net drivers) into the initramfs too.
LINUX_INITRAMFS_MODULES ?= 0

# "file 'args'" pairs for boot/mkiso.sh: dom0's kernel, then its initrd.
LINUX_ISO_MODULES := $(LINUX_DIR)/vmlinux.elf '$(LINUX_CMDLINE)' \
	$(LINUX_DIR)/initramfs.cpio.gz ''
LINUX_TEST_ISO_MODULES := $(LINUX_DIR)/vmlinux.elf '$(LINUX_CMDLINE) keel.test=poweroff' \
	$(LINUX_DIR)/initramfs.cpio.gz ''
LINUX_SMP_TEST_ISO_MODULES := $(LINUX_DIR)/vmlinux.elf \
	'$(LINUX_CMDLINE) keel.test=nproc keel.test=typing keel.test=poweroff' $(LINUX_DIR)/initramfs.cpio.gz ''
LINUX_FILES := $(LINUX_DIR)/vmlinux.elf $(LINUX_DIR)/initramfs.cpio.gz

BZIMAGE2ELF := $(BUILD)/tools/bzimage2elf
BZIMAGE2ELF_SRCS := dom0-tools/bzimage2elf/bzimage2elf.c dom0-tools/bzimage2elf/main.c
BZIMAGE2ELF_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter

INITRAMFS_OVERLAYS := boot/initramfs/rootfs \
	$(if $(filter 1,$(LINUX_INITRAMFS_MODULES)),$(LINUX_DIR)/modules)
INITRAMFS_FILES := $(shell find boot/initramfs/rootfs 2>/dev/null)
# The image builders, with the busybox tree they share: what their outputs depend on.
MKINITRAMFS := boot/initramfs/mkinitramfs.sh boot/initramfs/busybox-tree.sh
MKROOTDISK := boot/rootdisk/mkrootdisk.sh boot/initramfs/busybox-tree.sh

.PHONY: linux linux-check linux-clean

linux: $(LINUX_FILES)

$(BZIMAGE2ELF): $(BZIMAGE2ELF_SRCS) dom0-tools/bzimage2elf/bzimage2elf.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) $(BZIMAGE2ELF_CFLAGS) -o $@ $(BZIMAGE2ELF_SRCS) -llzma

# The downloads depend on nothing that changes: each is fetched once.
$(LINUX_DIR)/linux-image.deb: | boot/fetch-deb.sh
	@boot/fetch-deb.sh --meta $@ $(LINUX_META)

$(LINUX_DIR)/busybox-static.deb: | boot/fetch-deb.sh
	@boot/fetch-deb.sh $@ busybox-static

$(LINUX_DIR)/busybox: $(LINUX_DIR)/busybox-static.deb
	@echo "  EXTRACT $@"
	@rm -rf $@.d && mkdir -p $@.d
	@dpkg-deb -x $< $@.d
	@$@.d/bin/busybox true
	@mv $@.d/bin/busybox $@ && rm -rf $@.d && touch $@

# Also writes modules/, config and kernel-version; vmlinuz comes last.
$(LINUX_DIR)/vmlinuz: $(LINUX_DIR)/linux-image.deb $(LINUX_DIR)/busybox boot/linux-extract.sh
	@echo "  EXTRACT $@"
	@boot/linux-extract.sh $< $(LINUX_DIR) $(LINUX_DIR)/busybox

$(LINUX_DIR)/vmlinux.elf: $(LINUX_DIR)/vmlinuz $(BZIMAGE2ELF)
	@echo "  VMLINUX $@"
	@$(BZIMAGE2ELF) $< $@

$(LINUX_DIR)/initramfs.cpio.gz: $(LINUX_DIR)/busybox $(MKINITRAMFS) \
		$(INITRAMFS_FILES) $(if $(filter 1,$(LINUX_INITRAMFS_MODULES)),$(LINUX_DIR)/vmlinuz)
	@echo "  CPIO    $@"
	@boot/initramfs/mkinitramfs.sh $@ $(LINUX_DIR)/busybox $(INITRAMFS_OVERLAYS)

# A guest's boot files: the initramfs with the modules its root disk needs (blkfront, ext4) and
# its vifs (netfront), and
# that root disk, an ext4 image of boot/rootdisk/rootfs (busybox init) plus the guest halves of
# the emulator tests (tests/emu/rootdisk/), made with mke2fs -d (boot/rootdisk/mkrootdisk.sh).
GUEST_MODULES := xen-blkfront crc32c_generic ext4 xen-netfront
GUEST_MODULES_DIR := $(LINUX_DIR)/guest-modules
GUEST_INITRAMFS := $(LINUX_DIR)/guest-initramfs.cpio.gz
ROOTDISK := $(LINUX_DIR)/rootdisk.img
ROOTDISK_MIB ?= 32
# Built programs for the root disk's /usr/bin: ROOTDISK_TOOLS, set by the includer.
ROOTDISK_TOOLS_DIR := $(LINUX_DIR)/rootdisk-tools
ROOTDISK_FILES := $(shell find boot/rootdisk/rootfs tests/emu/rootdisk 2>/dev/null)
ROOTDISK_OVERLAYS := boot/rootdisk/rootfs tests/emu/rootdisk $(ROOTDISK_TOOLS_DIR)

$(GUEST_MODULES_DIR).stamp: $(LINUX_DIR)/vmlinuz $(LINUX_DIR)/busybox \
		boot/initramfs/guest-modules.sh
	@echo "  MODULES $(GUEST_MODULES_DIR)"
	@boot/initramfs/guest-modules.sh $(LINUX_DIR)/modules $(GUEST_MODULES_DIR) \
		$(LINUX_DIR)/busybox $(GUEST_MODULES)
	@touch $@

$(GUEST_INITRAMFS): $(GUEST_MODULES_DIR).stamp $(LINUX_DIR)/busybox \
		$(MKINITRAMFS) $(INITRAMFS_FILES)
	@echo "  CPIO    $@"
	@boot/initramfs/mkinitramfs.sh $@ $(LINUX_DIR)/busybox boot/initramfs/rootfs \
		$(GUEST_MODULES_DIR)

$(ROOTDISK_TOOLS_DIR).stamp: $(ROOTDISK_TOOLS)
	@rm -rf $(ROOTDISK_TOOLS_DIR) && mkdir -p $(ROOTDISK_TOOLS_DIR)/usr/bin
	@$(if $(ROOTDISK_TOOLS),cp $(ROOTDISK_TOOLS) $(ROOTDISK_TOOLS_DIR)/usr/bin/)
	@touch $@

$(ROOTDISK): $(LINUX_DIR)/busybox $(MKROOTDISK) $(ROOTDISK_FILES) \
		$(ROOTDISK_TOOLS_DIR).stamp
	@echo "  EXT4    $@"
	@boot/rootdisk/mkrootdisk.sh $@ $(ROOTDISK_MIB) $(LINUX_DIR)/busybox $(ROOTDISK_OVERLAYS)

# dom0's image (`make run`, the toolstack test): the initramfs above plus the Xen modules,
# the dom0 tools (DOM0_TOOLS, set by the includer: built binaries, to /usr/sbin) and a guest
# to start: this same kernel as Debian ships it (the bzImage), the guest initramfs and root disk
# (below) in /usr/share/keel/guest/, with the example configs of boot/examples/ in /etc/keel/.
# The test variant adds tests/emu/dom0/ (test scripts /init runs on keel.test=NAME).
DOM0_INITRAMFS := $(LINUX_DIR)/dom0-initramfs.cpio.gz
DOM0_TEST_INITRAMFS := $(LINUX_DIR)/dom0-test-initramfs.cpio.gz
DOM0_OVERLAY := $(LINUX_DIR)/dom0-overlay
DOM0_EXAMPLES := $(wildcard boot/examples/*.cfg)
DOM0_TEST_FILES := $(shell find tests/emu/dom0 2>/dev/null)
# Files only dom0's image has: bash's start-up file, /var/run.
DOM0_ROOTFS_FILES := $(shell find boot/initramfs/dom0-rootfs 2>/dev/null)

# Debian's own programs in dom0 (docs/keelctl.md, "dom0 as a place to work"): xenstore-utils'
# xenstore-read, -write, -ls, -watch... (one multi-call binary, through libxenstore to xenstored's
# socket), and bash for keelctl's completion, with just the libraries they load and a few
# terminfo entries. Fetched with apt-get download, never installed (boot/initramfs/deb-overlay.sh).
DOM0_DEB_OVERLAY := $(LINUX_DIR)/dom0-debs
DOM0_DEBS := xenstore-utils libxenstore4 libxentoolcore1 libc6 bash libtinfo6 ncurses-base
DOM0_DEB_FILES := $(patsubst %,$(LINUX_DIR)/debs/%.deb,$(DOM0_DEBS))
DOM0_DEB_PATHS := usr/bin/xenstore $(patsubst %,usr/bin/xenstore-%,chmod exists list ls read rm \
	watch write) usr/lib/x86_64-linux-gnu/libxenstore.so.4* \
	usr/lib/x86_64-linux-gnu/libxentoolcore.so.1* lib/x86_64-linux-gnu/libc.so.6 \
	lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 lib64/ld-linux-x86-64.so.2 bin/bash \
	lib/x86_64-linux-gnu/libtinfo.so.6* $(patsubst %,lib/terminfo/%,d/dumb l/linux v/vt100 \
	v/vt220 x/xterm s/screen)

$(LINUX_DIR)/debs/%.deb: | boot/fetch-deb.sh
	@boot/fetch-deb.sh $@ $*

$(DOM0_DEB_OVERLAY).stamp: $(DOM0_DEB_FILES) boot/initramfs/deb-overlay.sh
	@echo "  DEBS    $(DOM0_DEB_OVERLAY)"
	@boot/initramfs/deb-overlay.sh $(DOM0_DEB_OVERLAY) '$(DOM0_DEB_PATHS)' \
		'usr/bin/xenstore bin/bash' $(DOM0_DEB_FILES)
	@touch $@

$(DOM0_OVERLAY).stamp: $(DOM0_TOOLS) $(LINUX_DIR)/vmlinuz $(GUEST_INITRAMFS) $(ROOTDISK) \
		$(DOM0_EXAMPLES) $(KEELCTL_COMPLETION)
	@echo "  OVERLAY $(DOM0_OVERLAY)"
	@rm -rf $(DOM0_OVERLAY)
	@mkdir -p $(DOM0_OVERLAY)/usr/sbin $(DOM0_OVERLAY)/usr/share/keel/guest \
		$(DOM0_OVERLAY)/etc/keel
	@cp $(DOM0_TOOLS) $(DOM0_OVERLAY)/usr/sbin/
	@cp $(LINUX_DIR)/vmlinuz $(DOM0_OVERLAY)/usr/share/keel/guest/vmlinuz
	@cp $(GUEST_INITRAMFS) $(DOM0_OVERLAY)/usr/share/keel/guest/initrd.gz
	@cp $(ROOTDISK) $(DOM0_OVERLAY)/usr/share/keel/guest/root.img
	@$(if $(DOM0_EXAMPLES),cp $(DOM0_EXAMPLES) $(DOM0_OVERLAY)/etc/keel/)
	@mkdir -p $(DOM0_OVERLAY)/usr/share/bash-completion/completions
	@cp $(KEELCTL_COMPLETION) $(DOM0_OVERLAY)/usr/share/bash-completion/completions/keelctl
	@touch $@

DOM0_IMAGE_OVERLAYS := boot/initramfs/rootfs $(LINUX_DIR)/modules $(DOM0_OVERLAY) \
	$(DOM0_DEB_OVERLAY) boot/initramfs/dom0-rootfs

$(DOM0_INITRAMFS): $(DOM0_OVERLAY).stamp $(LINUX_DIR)/busybox $(MKINITRAMFS) \
		$(INITRAMFS_FILES) $(DOM0_DEB_OVERLAY).stamp $(DOM0_ROOTFS_FILES)
	@echo "  CPIO    $@"
	@boot/initramfs/mkinitramfs.sh $@ $(LINUX_DIR)/busybox $(DOM0_IMAGE_OVERLAYS)

# Test guests (tests/guests/<g>) that dom0's test scripts start as domUs, in
# /usr/share/keel/guest/<g>.elf of the test image: DOM0_TEST_GUESTS, set by the includer.
# The network test's data is the guest's bzImage repeated (what it sends: the first 4 MiB of
# it, and 8 or 32 MiB by keel.net.mib=); their sha256 are worked out here, as Bochs hashes at a
# few hundred KiB/s.
DOM0_TEST_GUEST_DIR := $(LINUX_DIR)/dom0-test-guests

$(DOM0_TEST_GUEST_DIR).stamp: $(DOM0_TEST_GUESTS) $(LINUX_DIR)/vmlinuz boot/linux.mk
	@rm -rf $(DOM0_TEST_GUEST_DIR)
	@mkdir -p $(DOM0_TEST_GUEST_DIR)/usr/share/keel/guest
	@$(if $(DOM0_TEST_GUESTS),cp $(DOM0_TEST_GUESTS) $(DOM0_TEST_GUEST_DIR)/usr/share/keel/guest/)
	@for n in 4 8 32; do \
		for i in 1 2 3 4 5; do cat $(LINUX_DIR)/vmlinuz; done | head -c $$((n << 20)) | \
			sha256sum | cut -d' ' -f1 >$(DOM0_TEST_GUEST_DIR)/usr/share/keel/guest/net$$n.sha256; \
	done
	@touch $@

$(DOM0_TEST_INITRAMFS): $(DOM0_OVERLAY).stamp $(LINUX_DIR)/busybox \
		$(MKINITRAMFS) $(INITRAMFS_FILES) $(DOM0_TEST_FILES) \
		$(DOM0_DEB_OVERLAY).stamp $(DOM0_ROOTFS_FILES) \
		$(DOM0_TEST_GUEST_DIR).stamp
	@echo "  CPIO    $@"
	@boot/initramfs/mkinitramfs.sh $@ $(LINUX_DIR)/busybox $(DOM0_IMAGE_OVERLAYS) \
		tests/emu/dom0 $(DOM0_TEST_GUEST_DIR)

linux-check: $(LINUX_FILES)
	@boot/linux-qemu-check.sh $(LINUX_FILES)

linux-clean:
	rm -rf $(LINUX_DIR) $(BZIMAGE2ELF)

.DEFAULT_GOAL := $(linux_saved_goal)
