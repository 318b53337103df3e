# make bench's other side: Debian's Xen 4.17 (fetched with apt-get download, never installed)
# booting keel's bench guest as PVH dom0 and the same Linux as PV dom0; and that Linux on the
# bare emulated machine (included by the Makefile; scripts/bench.sh runs them).
XEN_DIR := $(BUILD)/xen
XEN_PKG ?= xen-hypervisor-4.17-amd64
XEN_GZ := $(XEN_DIR)/xen.gz
# Xen's serial console on COM1; no reboot on a crash (the run stops and says why); x2APIC
# physical mode: in cluster mode Xen 4.17 hits a BUG (x2apic.c:163) starting CPU1 in Bochs.
XEN_CMDLINE := console=com1 com1=115200,8n1 loglvl=info noreboot x2apic_phys=1
# The bench guest as PVH dom0: Bochs has no IOMMU, so none for dom0 (issue 17).
XEN_CMDLINE_bench := $(XEN_CMDLINE) dom0=pvh dom0-iommu=none dom0_mem=64M dom0_max_vcpus=2
# Linux as PV dom0 (Xen 4.17's PVH dom0 needs an IOMMU), the kernel and initramfs keel boots.
XEN_CMDLINE_linux := $(XEN_CMDLINE) dom0_mem=192M,max:192M dom0_max_vcpus=1
# Linux's console quiet on every side of the boot comparison: /init prints its /init time.
BENCH_LINUX_CMDLINE := quiet keel.test=poweroff

$(XEN_DIR)/xen-hypervisor.deb: | boot/fetch-deb.sh
	@boot/fetch-deb.sh $@ $(XEN_PKG)

$(XEN_GZ): $(XEN_DIR)/xen-hypervisor.deb
	@echo "  EXTRACT $@"
	@rm -rf $@.d && mkdir -p $@.d && dpkg-deb -x $< $@.d
	@mv $@.d/boot/xen-*.gz $@ && rm -rf $@.d && touch $@

$(BUILD)/xen-bench.iso: $(XEN_GZ) $(GUEST_OUT)/bench.elf boot/mkiso.sh boot/xen.mk
	@echo "  ISO     $@"
	@boot/mkiso.sh $@ $(XEN_GZ) "$(XEN_CMDLINE_bench)" $(GUEST_OUT)/bench.elf ''

$(BUILD)/xen-linux.iso: $(XEN_GZ) $(LINUX_FILES) boot/mkiso.sh boot/xen.mk
	@echo "  ISO     $@"
	@boot/mkiso.sh $@ $(XEN_GZ) "$(XEN_CMDLINE_linux)" $(LINUX_DIR)/vmlinux.elf \
		'console=hvc0 $(BENCH_LINUX_CMDLINE)' $(LINUX_DIR)/initramfs.cpio.gz ''

# keel's side of the same boot: PVH dom0, quiet as above.
ISO_CMDLINE_linux-quiet := console=com1,e9 dom0_mem=192M dom0=virtual
ISO_MODULES_linux-quiet = $(LINUX_DIR)/vmlinux.elf 'console=hvc0 $(BENCH_LINUX_CMDLINE)' \
	$(LINUX_DIR)/initramfs.cpio.gz ''
$(BUILD)/keel-linux-quiet.iso: $(LINUX_FILES)

# No hypervisor: GRUB boots the bzImage itself (the limit for dom0's instructions to /init),
# with dom0's 192 MiB, and at the addresses the ELF gives (no KASLR, as a PVH or PV boot of
# vmlinux.elf has none): scripts/bench-boot.sh's breakpoints are there.
$(BUILD)/bare-linux.iso: $(LINUX_DIR)/vmlinuz $(LINUX_DIR)/initramfs.cpio.gz boot/mkiso.sh boot/xen.mk
	@echo "  ISO     $@"
	@boot/mkiso.sh --linux $@ $(LINUX_DIR)/vmlinuz \
		'console=ttyS0 nokaslr mem=192M $(BENCH_LINUX_CMDLINE)' \
		$(LINUX_DIR)/initramfs.cpio.gz ''

# Domain creation on keel alone (scripts/bench-create.sh): dom0 runs test-createbench.
ISO_CMDLINE_createbench := console=com1,e9 dom0_mem=256M dom0=virtual
ISO_MODULES_createbench = $(LINUX_DIR)/vmlinux.elf \
	'$(LINUX_CMDLINE) keel.test=createbench keel.test=poweroff' $(DOM0_TEST_INITRAMFS) ''
$(BUILD)/keel-createbench.iso: $(BUILD)/linux/vmlinux.elf $(BUILD)/linux/dom0-test-initramfs.cpio.gz
