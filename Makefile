# Keel: build the hypervisor, its boot images and tests. `make help` lists the targets.

BUILD ?= build
KEEL_CMDLINE ?= console=com1,e9 loglvl=info dom0_mem=256M dom0=virtual

CC := gcc
LD := ld
OBJCOPY := objcopy

ARCH := x86
HV := hypervisor
HV_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns \
	-fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -mcmodel=kernel \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -fcf-protection=none -nostdinc \
	-mindirect-branch=thunk -mindirect-branch-register \
	-I$(HV)/include -I$(HV)/arch/$(ARCH)/include
HV_ASFLAGS := -D__ASSEMBLER__ -I$(HV)/include -I$(HV)/arch/$(ARCH)/include
HV_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 \
	-z noexecstack -T $(HV)/arch/$(ARCH)/linker.ld --build-id=sha1

HV_SRCS := $(wildcard $(HV)/common/*.c $(HV)/mm/*.c \
	$(HV)/arch/$(ARCH)/*.c $(HV)/arch/$(ARCH)/*.S \
	$(HV)/arch/$(ARCH)/vmx/*.c $(HV)/arch/$(ARCH)/vmx/*.S \
	$(HV)/arch/$(ARCH)/svm/*.c $(HV)/arch/$(ARCH)/svm/*.S)
HV_OBJS := $(patsubst %,$(BUILD)/%.o,$(HV_SRCS))
# keel's objects are rebuilt when HV_CFLAGS change (retpolines must reach every one).
HV_FLAGS_STAMP := $(BUILD)/hv-cflags
$(HV_FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(HV_CFLAGS)' | cmp -s - $@ || echo '$(HV_CFLAGS)' >$@
$(HV_OBJS) $(BUILD)/compile_info.o: $(HV_FLAGS_STAMP)

.PHONY: all iso efi test test-images unit-test host-tests check run deps-build deps-test clean help

all: $(BUILD)/keel.elf $(BUILD)/dom0-tools/keelctl

help:
	@echo "make            build $(BUILD)/keel.elf (the hypervisor)"
	@echo "make iso        build $(BUILD)/keel.iso (GRUB, BIOS and UEFI): keel + Debian Linux as dom0"
	@echo "make efi        build $(BUILD)/keel.efi (native UEFI application)"
	@echo "make xenstored  build $(BUILD)/dom0-tools/xenstored (dom0's xenstore daemon, static)"
	@echo "make keelctl    build $(BUILD)/dom0-tools/keelctl (dom0's toolstack, static)"
	@echo "make run        boot keel: QEMU/KVM with nested VMX, else Bochs"
	@echo "make test       host unit tests and emulator boot tests"
	@echo "make check      compile every header on its own; keel's Spectre v2 checks"
	@echo "make fuzz       run every libFuzzer harness for FUZZ_TIME seconds (tests/fuzz/)"
	@echo "make bench      keel vs Xen 4.17 in Bochs (BENCH=micro,svm,boot,create,block,net,scale BENCH_XEN=0|1)"
	@echo "make fuzz-guest the guest-kit hypercall fuzzer for a million rounds in Bochs"
	@echo "make poc        the security audit's PoCs against today's sources (tests/security/)"

$(BUILD)/%.c.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.S.o: %.S
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(CC) $(HV_CFLAGS) $(HV_ASFLAGS) -MMD -MP -c $< -o $@

include $(HV)/libfdt.mk
include dom0-tools/keelctl/keelctl.mk

# What keel was built from and with (xen_version's compile_info and changeset): written on
# every make, replaced only when it changes.
HV_BUILD_INFO := $(BUILD)/compile_info.c
$(HV_BUILD_INFO): scripts/compile-info.sh FORCE
	@mkdir -p $(@D)
	@scripts/compile-info.sh "$(CC)" $@
$(BUILD)/compile_info.o: $(HV_BUILD_INFO) $(HV)/include/keel/build_info.h
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -c $< -o $@

$(BUILD)/keel.elf: $(HV_OBJS) $(BUILD)/compile_info.o $(HV)/arch/$(ARCH)/linker.ld $(LIBFDT_CHECKED)
	@echo "  LD      $@"
	@$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(BUILD)/compile_info.o $(LIBFDT_A)
	@size $@ | tail -1 | awk '{ printf "keel.elf: text %d, data %d, bss %d bytes\n", $$1, $$2, $$3 }'

# ---- boot images ----
iso: $(BUILD)/keel.iso

# The system users boot: keel with stock Debian Linux (busybox initramfs) as dom0.
$(BUILD)/keel.iso: $(BUILD)/keel.elf boot/mkiso.sh $(BUILD)/linux/vmlinux.elf \
		$(BUILD)/linux/initramfs.cpio.gz FORCE
	@echo "  ISO     $@"
	@boot/mkiso.sh $@ $(BUILD)/keel.elf "$(KEEL_CMDLINE)" $(LINUX_ISO_MODULES)

# ISO variants for emulator tests: $(BUILD)/keel-<name>.iso boots keel with
# ISO_CMDLINE_<name> and the modules ISO_MODULES_<name> ("file 'args'" pairs).
TEST_ISOS := selftest-fault bare
# keel alone: the VMXON test must stop after reporting VT-x, with no dom0.
ISO_CMDLINE_bare := console=com1,e9 dom0=virtual
ISO_CMDLINE_selftest-fault := console=com1,e9 selftest=fault dom0=virtual
# keel alone in QEMU q35 with VT-d and edu: the VT-d self-test, then "VT-x not available".
TEST_ISOS += selftest-vtd
ISO_CMDLINE_selftest-vtd := console=com1,e9 selftest=vtd dom0=virtual

-include frontend-drivers/guests.mk
include boot/domains.mk
# The test guests' runs are registered in tests/guests/<guest>/test (tests/guests/README.md);
# scripts/guest-tests.sh turns them into TEST_ISOS, ISO_CMDLINE_<run>, ISO_MODULES_<run> and
# each ISO's prerequisites. It runs every time (a test file added or removed counts too) and
# the fragment is replaced only when it changes.
GUEST_TESTS_MK := $(BUILD)/guest-tests.mk
ifneq ($(filter-out clean help,$(or $(MAKECMDGOALS),all)),)
include $(GUEST_TESTS_MK)
endif
$(GUEST_TESTS_MK): FORCE
	@mkdir -p $(@D)
	@scripts/guest-tests.sh --mk > $@.new || { rm -f $@.new; exit 1; }
	@if cmp -s $@.new $@; then rm -f $@.new; else echo "  GEN     $@"; mv $@.new $@; fi

# A dom0 kernel that is no PVH kernel (keel's own ELF): refused with a reason.
TEST_ISOS += badkernel
ISO_CMDLINE_badkernel := console=com1,e9 dom0_mem=32M dom0=virtual
ISO_MODULES_badkernel := $(BUILD)/keel.elf 'not a guest'

# Stock Debian Linux as dom0: to init, then power off through ACPI (make bench's boot).
TEST_ISOS += linux
ISO_CMDLINE_linux := console=com1,e9 dom0_mem=192M dom0=virtual
ISO_MODULES_linux = $(LINUX_TEST_ISO_MODULES)
$(BUILD)/keel-linux.iso: $(BUILD)/linux/vmlinux.elf $(BUILD)/linux/initramfs.cpio.gz

# The same kernel with two vCPUs on keel's one host CPU: /init prints nproc, takes a CPU offline
# and back, reads a sum typed on COM1 (keel.test=typing: the console input by interrupt), then
# powers off.
TEST_ISOS += linux-smp
ISO_CMDLINE_linux-smp := console=com1,e9 dom0_mem=192M dom0_max_vcpus=2 dom0=virtual
ISO_MODULES_linux-smp = $(LINUX_SMP_TEST_ISO_MODULES)
$(BUILD)/keel-linux-smp.iso: $(BUILD)/linux/vmlinux.elf $(BUILD)/linux/initramfs.cpio.gz

# dom0 Linux with the toolstack: xenstored, keelctl, a stock Linux guest to create
# (tests/emu/dom0/usr/libexec/keel/test-toolstack runs the scenario).
TEST_ISOS += toolstack
ISO_CMDLINE_toolstack := console=com1,e9 dom0_mem=384M dom0=virtual
ISO_MODULES_toolstack = $(LINUX_DIR)/vmlinux.elf \
	'$(LINUX_CMDLINE) keel.test=toolstack keel.test=poweroff' $(DOM0_TEST_INITRAMFS) ''
$(BUILD)/keel-toolstack.iso: $(BUILD)/linux/vmlinux.elf $(BUILD)/linux/dom0-test-initramfs.cpio.gz
# Its domU that prints numbered lines and powers off at once (DOM0_TEST_GUESTS, boot/linux.mk).
DOM0_TEST_GUESTS += $(GUEST_OUT)/lastwords.elf

# dom0 Linux with keel-blkback and keel's own block frontend guest as a domU, shipped in the
# test image (DOM0_TEST_GUESTS, boot/linux.mk): tests/emu/dom0/usr/libexec/keel/test-blockfront.
DOM0_TEST_GUESTS += $(GUEST_OUT)/blkfront.elf
# The same dom0 run also runs the net frontend's test (test-netfront, tests/guests/netfront).
DOM0_TEST_GUESTS += $(GUEST_OUT)/netfront.elf
TEST_ISOS += blockfront
ISO_CMDLINE_blockfront := console=com1,e9 dom0_mem=256M dom0=virtual
ISO_MODULES_blockfront = $(LINUX_DIR)/vmlinux.elf \
	'$(LINUX_CMDLINE) keel.test=blockfront keel.test=netfront keel.test=poweroff' $(DOM0_TEST_INITRAMFS) ''
$(BUILD)/keel-blockfront.iso: $(BUILD)/linux/vmlinux.elf $(BUILD)/linux/dom0-test-initramfs.cpio.gz

# dom0 Linux serving disks to stock Linux guests: keel-blkback and backendtype=phy, root on xvda,
# read-only, hot-plug, reboot, destroy mid-write (tests/emu/dom0/usr/libexec/keel/test-block).
# More keel.test= words for the same run go before poweroff.
TEST_ISOS += block
ISO_CMDLINE_block := console=com1,e9 dom0_mem=512M dom0=virtual
ISO_MODULES_block = $(LINUX_DIR)/vmlinux.elf \
	'$(LINUX_CMDLINE) keel.test=block keel.test=poweroff' $(DOM0_TEST_INITRAMFS) ''
$(BUILD)/keel-block.iso: $(BUILD)/linux/vmlinux.elf $(BUILD)/linux/dom0-test-initramfs.cpio.gz

# dom0 Linux serving vifs to stock Linux guests on xenbr0 (keel-netback, else Linux's
# xen-netback): pings, 8 MiB both ways (keel.net.mib=), guest to guest, hot-plug, destroy
# mid-stream (tests/emu/dom0/usr/libexec/keel/test-network; docs/network.md). network32: the
# same with 32 MiB, for QEMU (network-svm), where bulk bytes cost far less than under Bochs.
TEST_ISOS += network network32
ISO_CMDLINE_network := console=com1,e9 dom0_mem=512M dom0=virtual
ISO_MODULES_network = $(LINUX_DIR)/vmlinux.elf \
	'$(LINUX_CMDLINE) keel.test=network keel.net.mib=8 keel.test=poweroff' \
	$(DOM0_TEST_INITRAMFS) ''
ISO_CMDLINE_network32 := $(ISO_CMDLINE_network)
ISO_MODULES_network32 = $(LINUX_DIR)/vmlinux.elf \
	'$(LINUX_CMDLINE) keel.test=network keel.net.mib=32 keel.test=poweroff' \
	$(DOM0_TEST_INITRAMFS) ''
$(BUILD)/keel-network.iso $(BUILD)/keel-network32.iso: $(BUILD)/linux/vmlinux.elf \
	$(BUILD)/linux/dom0-test-initramfs.cpio.gz

# dom0 owns Bochs's machine (docs/hardware.md): the default dom0=pvh with the host's ACPI tables,
# an IDE disk and an e1000 on vnet. The disk is make run's guests disk (below: /init mounts it on
# /guests) plus a file of known content; the example guest boots from it with its vif on a
# bridge holding the e1000 (tests/emu/dom0/usr/libexec/keel/test-hardware, tests/emu/hardware/).
# iomem=relaxed lets /dev/mem reach ranges Linux marks busy: keel itself must refuse them.
TEST_ISOS += hardware
HW_DISK := $(BUILD)/hw-disk.img
ISO_CMDLINE_hardware := console=com1,e9 dom0_mem=384M
ISO_MODULES_hardware = $(LINUX_DIR)/vmlinux.elf \
	'$(LINUX_CMDLINE) iomem=relaxed keel.test=hardware keel.test=poweroff' \
	$(DOM0_TEST_INITRAMFS) ''
$(BUILD)/keel-hardware.iso: $(BUILD)/linux/vmlinux.elf $(BUILD)/linux/dom0-test-initramfs.cpio.gz \
	$(HW_DISK)
$(BUILD)/keel-%.iso: $(BUILD)/keel.elf boot/mkiso.sh
	@echo "  ISO     $@"
	@boot/mkiso.sh $@ $(BUILD)/keel.elf "$(ISO_CMDLINE_$*)" $(ISO_MODULES_$*)

test-images: iso efi $(TEST_ISOS:%=$(BUILD)/keel-%.iso)

efi: $(BUILD)/keel.efi $(BUILD)/esp

include dom0-tools/xenstored/xenstored.mk
include backend-drivers/lib/xenbe.mk
include backend-drivers/blkback/blkback.mk
include backend-drivers/netback/netback.mk
# What dom0's image carries in /usr/sbin (boot/linux.mk).
DOM0_TOOLS := $(XENSTORED) $(KEELCTL)
# diskbench (tests/bench/diskbench.c): make bench's disk workload, in dom0 and on guests' root disk.
DISKBENCH := $(BUILD)/tools/diskbench
DOM0_TOOLS += $(DISKBENCH)
ROOTDISK_TOOLS := $(DISKBENCH)
$(DISKBENCH): tests/bench/diskbench.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) -static -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<
# netbench (tests/bench/netbench.c): make bench's network workload, client in dom0, server in
# dom0 (loopback) and on guests' root disk.
NETBENCH := $(BUILD)/tools/netbench
DOM0_TOOLS += $(NETBENCH)
ROOTDISK_TOOLS += $(NETBENCH)
$(NETBENCH): tests/bench/netbench.c
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) -static -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<
DOM0_TOOLS += $(BLKBACK)
DOM0_TOOLS += $(NETBACK)
# keel-netpeer (tests/netpeer): dom0's end of the netfront guest's verified UDP streams.
NETPEER := $(BUILD)/tools/keel-netpeer
DOM0_TOOLS += $(NETPEER)
$(NETPEER): tests/netpeer/main.c tests/netpeer/peer.c tests/netpeer/peer.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) -static -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -o $@ \
		tests/netpeer/main.c tests/netpeer/peer.c
-include boot/efi/efi.mk
-include boot/linux.mk
include boot/xen.mk

FORCE:

# ---- tests ----
include tests/unit/unit.mk
include tests/fuzz/fuzz.mk

test: deps-test
	@rm -rf $(BUILD)/test-results && mkdir -p $(BUILD)/test-results
	@# Images first: they fetch Debian's kernel, which keelctl's builder test loads too.
	@$(MAKE) --no-print-directory test-images && touch $(BUILD)/test-results/.images || true
	@# The host tests run beside the emulator tests, which start at once (Bochs's guest time
	@# follows its instruction count, not the host's speed); their output comes after.
	@$(MAKE) --no-print-directory host-tests >$(BUILD)/test-results/host.log 2>&1 & \
		{ [ ! -e $(BUILD)/test-results/.images ] || \
		KEEL_RESULTS=$(BUILD)/test-results/emu.txt tests/emu/run-tests.sh; }; \
		wait; cat $(BUILD)/test-results/host.log
	@tests/summarize.sh $(BUILD)/test-results

# make test's host part: unit tests, the PoCs, header and Spectre checks, the fuzzers' smoke run.
host-tests:
	@$(MAKE) --no-print-directory unit-test || true
	@tests/security/poc-run.sh $(BUILD)/poc $(BUILD)/test-results/poc.txt || true
	@scripts/check-headers.sh $(BUILD)/test-results/headers.txt || true
	@scripts/check-spectre.sh $(BUILD)/keel.elf $(BUILD)/test-results/spectre.txt || true
	@$(MAKE) --no-print-directory fuzz-smoke || true

# Every header compiles on its own (a header user space includes must); keel's binary
# has no indirect branch a guest could train and overwrites the RSB on VM exit.
check: $(BUILD)/keel.elf
	@scripts/check-headers.sh
	@scripts/check-spectre.sh $(BUILD)/keel.elf

deps-test:
	@scripts/deps.sh test

# The security audit's host PoCs, built against today's sources: each must show the fix.
.PHONY: poc
poc: deps-test
	@tests/security/poc-run.sh $(BUILD)/poc

# `make fuzz-guest`: the guest-kit hypercall fuzzer for a long run (docs/security-guest-fuzz.md);
# FUZZ_GUEST_SEED (default: random), FUZZ_GUEST_ITERS, FUZZ_GUEST_ARGS (e.g. known=8).
FUZZ_GUEST_ITERS ?= 1000000
.PHONY: fuzz-guest
fuzz-guest: deps-test $(BUILD)/keel.elf $(BUILD)/guests/fuzz.elf $(BUILD)/guests/fuzzer.elf \
		$(BUILD)/guests/fuzzpeer.elf
	@mkdir -p $(BUILD)/test-results
	@scripts/fuzz-guest.sh $(BUILD) "$(ISO_CMDLINE_guest-fuzz)" $(FUZZ_GUEST_ITERS) \
		"$(FUZZ_GUEST_SEED)" "$(FUZZ_GUEST_ARGS)"

deps-build:
	@scripts/deps.sh build

# What `make run` boots: keel with stock Debian Linux as dom0, its bash shell on hvc0,
# which keel joins to COM1 (the terminal, both ways, under scripts/run.sh). No e9 copy of the
# console: under Bochs it would only go to build/run/bochs.out, and slow the console down.
# dom0 owns the emulated PC (dom0=pvh, docs/hardware.md) to drive the guests disk below.
ISO_CMDLINE_linux-run := console=com1 dom0_mem=384M
ISO_MODULES_linux-run = $(LINUX_DIR)/vmlinux.elf '$(LINUX_CMDLINE)' $(DOM0_INITRAMFS) ''
$(BUILD)/keel-linux-run.iso: $(BUILD)/linux/vmlinux.elf $(BUILD)/linux/dom0-initramfs.cpio.gz
RUN_ISO ?= $(BUILD)/keel-linux-run.iso

# The guests disk (guests/README): guests/ and the shipped Debian guest's files in debian/, an
# ext4 image the emulator's IDE disk holds and dom0's /init mounts at /guests.
GUESTS_DISK := $(BUILD)/guests.img
GUESTS_DISK_DEPS = boot/mkguestsdisk.sh $(shell find guests 2>/dev/null) $(LINUX_DIR)/vmlinuz \
	$(GUEST_INITRAMFS) $(ROOTDISK)
GUESTS_DISK_FILES = debian/vmlinuz=$(LINUX_DIR)/vmlinuz debian/initrd.gz=$(GUEST_INITRAMFS) \
	debian/root.img=$(ROOTDISK)
$(GUESTS_DISK): $(GUESTS_DISK_DEPS)
	@echo "  EXT4    $@"
	@boot/mkguestsdisk.sh $@ guests $(GUESTS_DISK_FILES)

# The hardware test's IDE disk: the guests disk plus a file whose sha256 dom0 knows.
$(BUILD)/hw-known.txt:
	@mkdir -p $(@D) && seq -w 1 150000 >$@
$(HW_DISK): $(GUESTS_DISK_DEPS) $(BUILD)/hw-known.txt
	@echo "  EXT4    $@"
	@boot/mkguestsdisk.sh $@ guests $(GUESTS_DISK_FILES) keel-test/known=$(BUILD)/hw-known.txt

run:
	@scripts/deps.sh run
	@$(MAKE) --no-print-directory $(RUN_ISO) $(GUESTS_DISK)
	@KEEL_ISO=$(RUN_ISO) KEEL_RUN_DISK=$(GUESTS_DISK) scripts/run.sh

# `make bench`: keel side by side with Xen 4.17 in Bochs (scripts/bench.sh, docs/performance.md):
# BENCH=micro,svm,boot,create,block,net,scale chooses parts (default all; svm: QEMU TCG with AMD
# SVM), BENCH_XEN=0 skips Xen's side.
# Report: $(BUILD)/bench/report.txt and report.png.
BENCH ?= micro,svm,boot,create,block,net,scale
BENCH_XEN ?= 1
bench_part = $(filter $(1),$(subst $(comma), ,$(BENCH)))
bench_xen = $(if $(filter 1,$(BENCH_XEN)),$(1))
comma := ,
BENCH_ISOS := \
	$(if $(call bench_part,micro svm),$(BUILD)/keel-guest-bench.iso \
		$(call bench_xen,$(BUILD)/xen-bench.iso)) \
	$(if $(call bench_part,boot),$(BUILD)/keel-linux-quiet.iso $(BUILD)/bare-linux.iso \
		$(call bench_xen,$(BUILD)/xen-linux.iso)) \
	$(if $(call bench_part,create),$(BUILD)/keel-createbench.iso) \
	$(if $(call bench_part,block),$(BUILD)/keel-blockbench.iso $(BUILD)/keel-blockdisk.iso) \
	$(if $(call bench_part,net),$(BUILD)/keel-netbench.iso) \
	$(if $(call bench_part,scale),$(BUILD)/keel-domctl.iso)
.PHONY: bench
bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory $(BENCH_ISOS)
	@BENCH=$(BENCH) BENCH_XEN=$(BENCH_XEN) KEEL_BENCH_DIR=$(BUILD)/bench scripts/bench.sh $(BUILD)

# The block and network benches' Linux kernels (dom0's, and its guests' through dom0's command
# line) run with BENCH_CLEARCPUID's CPUID bits cleared. Bochs counts each iteration of a string
# instruction as one instruction: with ERMS Linux copies with `rep movsb`, a tick a byte, eight
# times its `rep movsq` and far above a real CPU's cost, so byte copies would outweigh every
# other cost in the figures. Without ERMS and FSRM the kernels copy (and clear pages) eight
# bytes a tick, and glibc, told by GLIBC_TUNABLES, with vector moves. BENCH_CLEARCPUID= runs
# them on Bochs's CPU as it is (docs/performance.md, "Copies under Bochs").
BENCH_CLEARCPUID ?= erms,fsrm
BENCH_CPU_ARGS := $(if $(BENCH_CLEARCPUID),clearcpuid=$(BENCH_CLEARCPUID) \
	GLIBC_TUNABLES=glibc.cpu.hwcaps=-ERMS:glibc.cpu.x86_rep_movsb_threshold=1048576 )
# Rebuilds the ISOs below when BENCH_CLEARCPUID changes.
$(BUILD)/bench-cpu-args: FORCE
	@mkdir -p $(@D)
	@echo '$(BENCH_CPU_ARGS)' | cmp -s - $@ || echo '$(BENCH_CPU_ARGS)' >$@

# make bench's disks: diskbench in dom0 and in Linux domUs on keel-blkback and Linux's
# blkback (tests/emu/dom0/usr/libexec/keel/test-blockbench, scripts/bench-block.sh).
ISO_CMDLINE_blockbench := console=com1,e9 dom0_mem=512M dom0=virtual
ISO_MODULES_blockbench = $(LINUX_DIR)/vmlinux.elf \
	'$(LINUX_CMDLINE) $(BENCH_CPU_ARGS)keel.test=blockbench keel.test=poweroff' \
	$(DOM0_TEST_INITRAMFS) ''
$(BUILD)/keel-blockbench.iso: $(BUILD)/linux/vmlinux.elf $(BUILD)/linux/dom0-test-initramfs.cpio.gz \
	$(BUILD)/bench-cpu-args
# Its second boot: dom0 owns Bochs's PC (dom0=pvh) with the two IDE disks bench-block.sh adds,
# the second channel's master driven by bus-master DMA, its slave in PIO (test-blockbench).
ISO_CMDLINE_blockdisk := console=com1,e9 dom0_mem=512M
ISO_MODULES_blockdisk = $(LINUX_DIR)/vmlinux.elf \
	'$(LINUX_CMDLINE) $(BENCH_CPU_ARGS)keel.blockbench=disk keel.test=blockbench keel.test=poweroff' \
	$(DOM0_TEST_INITRAMFS) ''
$(BUILD)/keel-blockdisk.iso: $(BUILD)/linux/vmlinux.elf $(BUILD)/linux/dom0-test-initramfs.cpio.gz \
	$(BUILD)/bench-cpu-args

# make bench's network: netbench over dom0's loopback and from dom0 to Linux domUs on
# keel-netback and on Linux's xen-netback (tests/emu/dom0/usr/libexec/keel/test-netbench,
# scripts/bench-net.sh).
ISO_CMDLINE_netbench := console=com1,e9 dom0_mem=512M dom0=virtual
ISO_MODULES_netbench = $(LINUX_DIR)/vmlinux.elf \
	'$(LINUX_CMDLINE) $(BENCH_CPU_ARGS)keel.test=netbench keel.test=poweroff' $(DOM0_TEST_INITRAMFS) ''
$(BUILD)/keel-netbench.iso: $(BUILD)/linux/vmlinux.elf $(BUILD)/linux/dom0-test-initramfs.cpio.gz \
	$(BUILD)/bench-cpu-args

clean:
	rm -rf $(BUILD)

-include $(HV_OBJS:.o=.d)
