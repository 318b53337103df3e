# Host unit tests (cmocka): each test links the hypervisor sources it exercises.

UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-DKEEL_HOSTED -I$(HV)/include -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_LIBS := -lcmocka
UNIT_BIN := $(BUILD)/tests/unit

UNIT_COMMON := tests/unit/host_shims.c

UNIT_TESTS := test_multiboot2 test_page_alloc test_pagetable test_cmdline test_efi_boot \
	test_pvh_boot test_abi_layout test_evtchn test_timer test_acpi test_bzimage2elf \
	test_sched_credit test_grant_table test_boot_domains test_madt test_xenstored_tree \
	test_xenstored_txn test_xenstored_ring test_xenstored_daemon test_xenstored_utils \
	test_text_ring
UNIT_TESTS += test_vcpu_op
# The hardware dom0's memory map from the host's (common/hwdom_memmap.c).
UNIT_TESTS += test_hwdom_memmap
test_hwdom_memmap_SRCS := $(HV)/common/hwdom_memmap.c

test_multiboot2_SRCS := $(HV)/common/multiboot2.c $(HV)/common/bootinfo.c \
	tests/unit/stub_printk.c
test_page_alloc_SRCS := $(HV)/mm/page_alloc.c $(HV)/mm/memory.c $(HV)/common/bootinfo.c \
	$(HV)/mm/frame.c tests/unit/stub_printk.c
test_pagetable_SRCS := $(HV)/mm/pagetable.c
test_timer_SRCS := $(HV)/common/timer.c
test_vcpu_op_SRCS := $(HV)/common/vcpu_op.c
test_vcpu_op_DEFS := -I$(HV)/arch/x86/include
test_sched_credit_SRCS := $(HV)/common/sched_credit.c
# libc has a sched_yield() of its own, which the sanitizers call.
test_sched_credit_DEFS := -Dsched_yield=keel_sched_yield
# Debian's libfdt, for the parser and for building the test trees (its sequential-write API).
test_boot_domains_SRCS := $(HV)/common/boot_domains.c tests/unit/stub_printk.c
test_boot_domains_DEFS := -I$(HV)/arch/x86/include
test_boot_domains_LIBS := -lfdt
test_acpi_SRCS := $(HV)/common/acpi_build.c
test_madt_SRCS := $(HV)/arch/x86/madt.c $(HV)/arch/x86/acpi_walk.c $(HV)/common/acpi_build.c tests/unit/stub_printk.c
test_madt_DEFS := -I$(HV)/arch/x86/include
test_madt_HDRS := $(HV)/arch/x86/include/asm/madt.h
test_cmdline_SRCS := $(HV)/common/cmdline.c $(HV)/common/dom0_options.c \
	$(HV)/common/printk.c $(HV)/common/text_ring.c $(HV)/common/vsprintf.c
test_text_ring_SRCS := $(HV)/common/text_ring.c
# The VPID allocator (arch/x86/vmx/vpid.c): a locked bitmap, two threads as two CPUs.
UNIT_TESTS += test_arch_string
test_arch_string_DEFS := -I$(HV)/arch/x86/include

UNIT_TESTS += test_vpid
test_vpid_SRCS := $(HV)/arch/x86/vmx/vpid.c
test_vpid_DEFS := -I$(HV)/arch/x86/include
test_vpid_HDRS := $(HV)/arch/x86/include/asm/vpid.h
test_vpid_LIBS := -lpthread
# VM-exit answers that hang on guest state (arch/x86/vmx/vmexit.c on a VMCS in memory).
UNIT_TESTS += test_vmexit
test_vmexit_SRCS := $(HV)/arch/x86/vmx/vmexit.c $(HV)/arch/x86/exc_combine.c tests/unit/stub_printk.c
test_vmexit_DEFS := -I$(HV)/arch/x86/include
test_vmexit_HDRS := $(HV)/arch/x86/include/asm/vmcs.h $(HV)/arch/x86/include/asm/vmx_internal.h
# The CPUID view (arch/x86/cpuid.c): the frequency leaf.
UNIT_TESTS += test_cpuid
test_cpuid_SRCS := $(HV)/arch/x86/cpuid.c
test_cpuid_DEFS := -I$(HV)/arch/x86/include
# AMD nested paging (arch/x86/svm/npt.c): leaf bits, the builder in its format, flushes
# (arch/x86/p2m_kick.c, both backends' wait).
UNIT_TESTS += test_npt
test_npt_SRCS := $(HV)/arch/x86/svm/npt.c $(HV)/arch/x86/p2m_kick.c $(HV)/mm/pagetable.c
test_npt_DEFS := -DKEEL_HOSTED -I$(HV)/arch/x86/include
test_npt_HDRS := $(HV)/arch/x86/include/asm/hvm.h $(HV)/arch/x86/include/asm/svm_internal.h
# An exception raised while another is delivered (arch/x86/exc_combine.c): #DF, triple fault.
UNIT_TESTS += test_exc_combine
test_exc_combine_SRCS := $(HV)/arch/x86/exc_combine.c
test_exc_combine_DEFS := -I$(HV)/arch/x86/include
test_exc_combine_HDRS := $(HV)/arch/x86/include/asm/hvm.h
# A vCPU's VMCB (arch/x86/svm/vmcb.c): what a guest's instructions exit on.
UNIT_TESTS += test_svm_vmcb
test_svm_vmcb_SRCS := $(HV)/arch/x86/svm/vmcb.c
test_svm_vmcb_DEFS := -I$(HV)/arch/x86/include
test_svm_vmcb_HDRS := $(HV)/arch/x86/include/asm/svm.h $(HV)/arch/x86/include/asm/svm_internal.h
# SVM #VMEXIT handling (arch/x86/svm/svm_exit.c): the event an exit interrupted, IOIO, NPF.
UNIT_TESTS += test_svm_exit
test_svm_exit_SRCS := $(HV)/arch/x86/svm/svm_exit.c tests/unit/stub_printk.c
test_svm_exit_DEFS := -I$(HV)/arch/x86/include
test_svm_exit_HDRS := $(HV)/arch/x86/include/asm/svm.h $(HV)/arch/x86/include/asm/svm_internal.h
# Speculative-execution policy (arch/x86/spec_policy.c): what keel flushes, from what the CPU says.
UNIT_TESTS += test_spec_ctrl
test_spec_ctrl_SRCS := $(HV)/arch/x86/spec_policy.c
test_spec_ctrl_DEFS := -I$(HV)/arch/x86/include
test_spec_ctrl_HDRS := $(HV)/arch/x86/include/asm/spec_ctrl.h
test_efi_boot_SRCS := boot/efi/cfg.c boot/efi/loadopt.c boot/efi/elfload.c \
	boot/efi/efi_memtype.c boot/efi/pagetable.c $(HV)/mm/pagetable.c \
	$(HV)/common/bootinfo.c
test_efi_boot_DEFS := -Iboot/efi
test_pvh_boot_SRCS := $(HV)/common/elf_loader.c $(HV)/common/pvh_layout.c \
	tests/unit/stub_printk.c
test_abi_layout_SRCS :=
test_evtchn_SRCS := $(HV)/common/evtchn.c $(HV)/common/evtchn_2l.c $(HV)/common/evtchn_fifo.c
test_evtchn_DEFS := -I$(HV)/arch/x86/include
# Real domains on a fake host RAM arena, with keel's own page allocator.
test_grant_table_SRCS := $(HV)/common/grant_table.c $(HV)/common/domain.c \
	$(HV)/common/memory_op.c $(HV)/common/foreign_map.c $(HV)/common/evtchn.c \
	$(HV)/common/evtchn_2l.c $(HV)/common/evtchn_fifo.c $(HV)/common/pvh_layout.c $(HV)/common/cmdline.c $(HV)/common/bootinfo.c \
	$(HV)/mm/pagetable.c $(HV)/mm/page_alloc.c $(HV)/mm/memory.c \
	$(HV)/mm/frame.c $(HV)/mm/p2m.c tests/unit/stub_printk.c tests/unit/stub_domain.c
test_grant_table_HDRS := tests/unit/stub_domain.h
test_grant_table_DEFS := -I$(HV)/arch/x86/include
test_abi_layout_DEFS := -D__XEN_INTERFACE_VERSION__=0x00040e00
# A host tool (dom0-tools/): libc and liblzma, no hypervisor code.
test_bzimage2elf_SRCS := dom0-tools/bzimage2elf/bzimage2elf.c
test_bzimage2elf_HDRS := dom0-tools/bzimage2elf/bzimage2elf.h
test_bzimage2elf_DEFS := -Idom0-tools/bzimage2elf
test_bzimage2elf_LIBS := -llzma
# xen_version's sub-ops against a fake guest memory, build information and build-id note.
UNIT_TESTS += test_xen_version
test_xen_version_SRCS := $(HV)/common/version.c $(HV)/common/build_id.c \
	$(HV)/arch/x86/xen_caps.c
test_xen_version_DEFS := -I$(HV)/arch/x86/include
# dom0's toolstack (dom0-tools/keelctl/keelctl.mk): its code linked in, keel replaced by a
# fake (fake_hv.c), xenstore the real daemon (the sanitizer build below) on a temporary socket.
# (Recursive '=' where the daemon's path is used: XENSTORED_ASAN is defined further down.)
UNIT_TESTS += test_keelctl_config test_keelctl_builder test_keelctl_xenstore test_keelctl_cli
KEELCTL_TEST_SRCS := $(KEELCTL_CORE_SRCS) tests/unit/keelctl_test.c tests/unit/fake_hv.c
KEELCTL_TEST_HDRS := $(KEELCTL_HDRS) tests/unit/keelctl_test.h tests/unit/fake_hv.h
test_keelctl_config_SRCS := $(KEELCTL_TEST_SRCS)
test_keelctl_config_HDRS := $(KEELCTL_TEST_HDRS) boot/examples/debian-guest.cfg
test_keelctl_config_DEFS := $(KEELCTL_INCLUDES)
test_keelctl_config_LIBS := -llzma
# The Debian kernel, when `make linux` fetched it: loaded too (skipped otherwise).
test_keelctl_builder_SRCS := $(KEELCTL_TEST_SRCS)
test_keelctl_builder_HDRS := $(KEELCTL_TEST_HDRS)
test_keelctl_builder_DEFS := $(KEELCTL_INCLUDES) -DDEBIAN_VMLINUZ='"$(BUILD)/linux/vmlinuz"'
test_keelctl_builder_LIBS := -llzma
# keelctl's cache of unpacked bzImages (kernel_cache.c), in a temporary directory.
UNIT_TESTS += test_keelctl_kernel_cache
test_keelctl_kernel_cache_SRCS := $(KEELCTL_TEST_SRCS)
test_keelctl_kernel_cache_HDRS := $(KEELCTL_TEST_HDRS)
test_keelctl_kernel_cache_DEFS := $(KEELCTL_INCLUDES)
test_keelctl_kernel_cache_LIBS := -llzma
test_keelctl_xenstore_SRCS := $(KEELCTL_TEST_SRCS) tests/unit/xs_client.c
test_keelctl_xenstore_HDRS = $(KEELCTL_TEST_HDRS) tests/unit/xs_client.h $(XENSTORED_ASAN)
test_keelctl_xenstore_DEFS = $(KEELCTL_INCLUDES) -DXENSTORED_BIN='"$(XENSTORED_ASAN)"'
# Its xenstored and fake backends are other processes and threads, slow on a loaded host (two
# emulators beside it under make test): keelctl waits on the condition, for up to 60 s.
test_keelctl_xenstore_DEFS += -DXS_DEVICE_TIMEOUT_MS=60000 -DXS_REPLY_TIMEOUT_MS=60000
test_keelctl_xenstore_LIBS := -llzma
# Disk specifications and vbd device ids (dom0-tools/keelctl/disk_spec.c).
UNIT_TESTS += test_keelctl_disk
test_keelctl_disk_SRCS := $(KEELCTL_TEST_SRCS)
test_keelctl_disk_HDRS := $(KEELCTL_TEST_HDRS)
test_keelctl_disk_DEFS := $(KEELCTL_INCLUDES)
test_keelctl_disk_LIBS := -llzma
# vif specifications, MACs, vif ids (dom0-tools/keelctl/vif_spec.c, vifs.c).
UNIT_TESTS += test_keelctl_vif
test_keelctl_vif_SRCS := $(KEELCTL_TEST_SRCS)
test_keelctl_vif_HDRS := $(KEELCTL_TEST_HDRS)
test_keelctl_vif_DEFS := $(KEELCTL_INCLUDES)
test_keelctl_vif_LIBS := -llzma
# mem-set and mem-max: sizes, the balloon's xenstore nodes, keel's limit (cmd_mem.c).
UNIT_TESTS += test_keelctl_mem
test_keelctl_mem_SRCS := $(KEELCTL_TEST_SRCS) tests/unit/xs_client.c
test_keelctl_mem_HDRS = $(KEELCTL_TEST_HDRS) tests/unit/xs_client.h $(XENSTORED_ASAN)
test_keelctl_mem_DEFS = $(KEELCTL_INCLUDES) -DXENSTORED_BIN='"$(XENSTORED_ASAN)"'
test_keelctl_mem_LIBS := -llzma
# Argument errors in process, and the static binary itself.
test_keelctl_cli_SRCS := $(KEELCTL_TEST_SRCS)
test_keelctl_cli_HDRS := $(KEELCTL_TEST_HDRS) $(KEELCTL)
test_keelctl_cli_DEFS := $(KEELCTL_INCLUDES) -DKEELCTL_BIN='"$(KEELCTL)"'
test_keelctl_cli_LIBS := -llzma
# keelctl's bash completion, run by bash against the binary (dom0-tools/keelctl/completion.bash).
UNIT_TESTS += test_keelctl_completion
test_keelctl_completion_SRCS := $(KEELCTL_TEST_SRCS)
test_keelctl_completion_HDRS := $(KEELCTL_TEST_HDRS) $(KEELCTL) $(KEELCTL_COMPLETION)
test_keelctl_completion_DEFS := $(KEELCTL_INCLUDES) -DKEELCTL_BIN='"$(KEELCTL)"'
test_keelctl_completion_LIBS := -llzma

# dom0's xenstored (dom0-tools/xenstored/xenstored.mk): its pure logic linked in, and the
# daemon itself, built with the sanitizers, run by the integration tests.
XENSTORED_TREE_SRCS := dom0-tools/lib/alloc.c $(addprefix $(XENSTORED_DIR)/,strmap.c path.c \
	perms.c quota.c tree.c transaction.c)
XENSTORED_TEST_DEFS := -D_GNU_SOURCE -I$(XENSTORED_DIR) $(XENSTORED_INCLUDES)
XENSTORED_ASAN := $(UNIT_BIN)/xenstored-asan
test_xenstored_tree_SRCS := $(XENSTORED_TREE_SRCS)
test_xenstored_tree_HDRS := $(XENSTORED_HDRS)
test_xenstored_tree_DEFS := $(XENSTORED_TEST_DEFS)
test_xenstored_txn_SRCS := $(XENSTORED_TREE_SRCS)
test_xenstored_txn_HDRS := $(XENSTORED_HDRS)
test_xenstored_txn_DEFS := $(XENSTORED_TEST_DEFS)
test_xenstored_ring_SRCS := $(XENSTORED_CORE_SRCS) tests/unit/xs_client.c
test_xenstored_ring_HDRS := $(XENSTORED_HDRS) tests/unit/xs_client.h
test_xenstored_ring_DEFS := $(XENSTORED_TEST_DEFS) -DXENSTORED_BIN='"$(XENSTORED_ASAN)"'
test_xenstored_daemon_SRCS := tests/unit/xs_client.c
test_xenstored_daemon_HDRS := tests/unit/xs_client.h $(XENSTORED_ASAN)
test_xenstored_daemon_DEFS := -D_GNU_SOURCE -DXENSTORED_BIN='"$(XENSTORED_ASAN)"'
test_xenstored_utils_SRCS := tests/unit/xs_client.c
test_xenstored_utils_HDRS := tests/unit/xs_client.h $(XENSTORED_ASAN)
test_xenstored_utils_DEFS := $(test_xenstored_daemon_DEFS)

$(XENSTORED_ASAN): $(XENSTORED_SRCS) $(XENSTORED_HDRS)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) $(UNIT_CFLAGS) -D_GNU_SOURCE $(XENSTORED_INCLUDES) -o $@ $(XENSTORED_SRCS)

# Memory: the allocator and frame table from threads; the p2m with real domains on a fake arena.
UNIT_TESTS += test_mm_smp test_p2m
test_mm_smp_SRCS := $(HV)/mm/page_alloc.c $(HV)/mm/memory.c $(HV)/mm/frame.c \
	tests/unit/stub_printk.c
test_mm_smp_LIBS := -lpthread
test_p2m_SRCS := $(HV)/mm/p2m.c $(HV)/mm/frame.c $(HV)/mm/pagetable.c $(HV)/mm/page_alloc.c \
	$(HV)/mm/memory.c $(HV)/common/domain.c $(HV)/common/memory_op.c \
	$(HV)/common/foreign_map.c $(HV)/common/grant_table.c $(HV)/common/guest_access.c \
	$(HV)/common/vcpu_op.c $(HV)/common/version.c $(HV)/common/hypercall.c \
	$(HV)/common/vm_assist.c \
	$(HV)/common/evtchn.c $(HV)/common/evtchn_2l.c $(HV)/common/evtchn_fifo.c \
	$(HV)/common/pvh_layout.c $(HV)/common/cmdline.c $(HV)/common/bootinfo.c \
	$(HV)/arch/x86/hwdom.c $(HV)/common/hwdom_memmap.c $(HV)/common/platform.c \
	$(HV)/common/elf_loader.c tests/unit/stub_printk.c tests/unit/stub_domain.c
test_p2m_HDRS := tests/unit/stub_domain.h
test_p2m_DEFS := -I$(HV)/arch/x86/include
test_p2m_LIBS := -lpthread

# The hypervisor's own formatting under names that do not clash with libc's.
test_cmdline_DEFS := -Dvsnprintf=keel_vsnprintf -Dsnprintf=keel_snprintf -I$(HV)/arch/x86/include

# Lifetimes and preemption (docs/internals-lifecycle.md): what a domain's console puts on
# keel's; destroy, timers and hypercall continuations on real domains (a fake RAM arena).
UNIT_TESTS += test_guest_console test_domain_life
test_guest_console_SRCS := $(HV)/common/guest_console.c
test_domain_life_SRCS := $(addprefix $(HV)/common/,domain.c vcpu.c timer.c console_ring.c \
	console_io.c guest_console.c text_ring.c grant_table.c memory_op.c foreign_map.c evtchn.c \
	evtchn_2l.c evtchn_fifo.c pvh_layout.c cmdline.c bootinfo.c hvm_op.c vm_assist.c) \
	$(HV)/mm/pagetable.c $(HV)/mm/page_alloc.c \
	$(HV)/mm/memory.c $(HV)/mm/frame.c $(HV)/mm/p2m.c $(HV)/common/vcpu_op.c \
	tests/unit/stub_printk.c tests/unit/stub_domain.c
test_domain_life_HDRS := tests/unit/stub_domain.h
test_domain_life_DEFS := -I$(HV)/arch/x86/include
test_domain_life_SRCS += $(HV)/common/console_keep.c
test_domain_life_SRCS += $(HV)/common/domain_stats.c $(HV)/arch/x86/vmexit_stats.c

# The guest kit's xenstore client against keel's xenstored core in process, and a scripted daemon.
UNIT_TESTS += test_guest_xenstore
test_guest_xenstore_SRCS := $(XENSTORED_CORE_SRCS) frontend-drivers/xenbus/xenstore.c \
	frontend-drivers/xenbus/xs_ring.c
test_guest_xenstore_HDRS := $(XENSTORED_HDRS) $(wildcard frontend-drivers/xenbus/*.h)
test_guest_xenstore_DEFS := $(XENSTORED_TEST_DEFS) -Ifrontend-drivers/xenbus -Ifrontend-drivers/lib

# keel-blkback (backend-drivers/blkback/blkback.mk): the real backend against a simulated
# frontend (bb_fake.c: xenstore, grant table on a memfd, event channels), real AIO on /tmp.
UNIT_TESTS += test_blkback
test_blkback_SRCS := $(BLKBACK_CORE_SRCS) tests/unit/bb_fake.c
test_blkback_HDRS := $(BLKBACK_HDRS) tests/unit/bb_fake.h
test_blkback_DEFS := $(BLKBACK_INCLUDES)

# keel-netback (backend-drivers/netback/netback.mk): the real backend against a simulated
# netfront and TAP (nb_fake.c: xenstore, grant table on a memfd, event channels, TAP queues).
UNIT_TESTS += test_netback
test_netback_SRCS := $(NETBACK_CORE_SRCS) tests/unit/nb_fake.c
test_netback_HDRS := $(NETBACK_HDRS) tests/unit/nb_fake.h
test_netback_DEFS := $(NETBACK_INCLUDES)
# keel-netback attacked: hostile netfront, racing toolstack, restarts (same simulation).
UNIT_TESTS += test_netback_hostile
test_netback_hostile_SRCS := $(NETBACK_CORE_SRCS) tests/unit/nb_fake.c
test_netback_hostile_HDRS := $(NETBACK_HDRS) tests/unit/nb_fake.h
test_netback_hostile_DEFS := $(NETBACK_INCLUDES)

# The guest kit's block frontend and the blkfront guest's cases against keel-blkback's core.
UNIT_TESTS += test_blkfront_blkback
test_blkfront_blkback_SRCS := $(BLKBACK_CORE_SRCS) tests/unit/bb_fake.c tests/unit/kfront_world.c \
	$(wildcard frontend-drivers/blkfront/*.c) frontend-drivers/xenbus/grefs.c \
	frontend-drivers/lib/test.c $(addprefix tests/guests/blkfront/,crc32.c disk.c hostile.c \
	hostile_block.c hostile_ring.c hostile_xenbus.c)
test_blkfront_blkback_HDRS := $(BLKBACK_HDRS) tests/unit/bb_fake.h tests/unit/kfront_world.h \
	$(wildcard frontend-drivers/blkfront/*.h frontend-drivers/xenbus/*.h tests/guests/blkfront/*.h)
test_blkfront_blkback_DEFS := -Ifrontend-drivers/lib -Ifrontend-drivers/xenbus \
	-Ifrontend-drivers/blkfront -Itests/guests/blkfront -I$(HV)/arch/x86/include $(BLKBACK_INCLUDES)

# The guest kit's net frontend and the netfront guest's stack, stream and hostile cases against
# a simulated backend and dom0 host (nf_sim.c, on Xen's io/netif.h) with keel-netpeer's core.
UNIT_TESTS += test_netfront
test_netfront_SRCS := tests/unit/nf_world.c tests/unit/nf_sim.c tests/unit/nf_host.c tests/netpeer/peer.c \
	$(wildcard frontend-drivers/netfront/*.c) frontend-drivers/xenbus/grefs.c \
	frontend-drivers/lib/test.c $(addprefix tests/guests/netfront/,net.c stream.c hostile.c \
	hostile_tx.c hostile_rx.c hostile_xenbus.c)
test_netfront_HDRS := tests/unit/nf_world.h tests/unit/nf_host.h tests/netpeer/peer.h \
	$(wildcard frontend-drivers/netfront/*.h tests/guests/netfront/*.h)
test_netfront_DEFS := -Ifrontend-drivers/lib -Ifrontend-drivers/xenbus -Ifrontend-drivers/netfront \
	-Itests/guests/netfront -Itests/netpeer -I$(HV)/arch/x86/include

# The same frontend and guest code against keel-netback's real core (nb_fake.c, a bridge of its
# TAP devices and dom0's simulated host).
UNIT_TESTS += test_netfront_netback
test_netfront_netback_SRCS := $(NETBACK_CORE_SRCS) tests/unit/nb_fake.c tests/unit/nbw_world.c \
	tests/unit/nf_host.c tests/netpeer/peer.c $(wildcard frontend-drivers/netfront/*.c) \
	frontend-drivers/xenbus/grefs.c frontend-drivers/lib/test.c \
	$(addprefix tests/guests/netfront/,net.c stream.c hostile.c hostile_tx.c hostile_rx.c \
	hostile_xenbus.c)
test_netfront_netback_HDRS := $(NETBACK_HDRS) tests/unit/nb_fake.h tests/unit/nbw_world.h \
	tests/unit/nf_host.h tests/netpeer/peer.h \
	$(wildcard frontend-drivers/netfront/*.h tests/guests/netfront/*.h)
test_netfront_netback_DEFS := -Ifrontend-drivers/lib -Ifrontend-drivers/xenbus \
	-Ifrontend-drivers/netfront -Itests/guests/netfront -Itests/netpeer \
	-I$(HV)/arch/x86/include $(NETBACK_INCLUDES)

# The guest kit's netif layouts and constants against Xen's public io/netif.h.
UNIT_TESTS += test_netif_abi
test_netif_abi_SRCS :=
test_netif_abi_HDRS := frontend-drivers/netfront/netif_abi.h
test_netif_abi_DEFS := -Ifrontend-drivers/netfront

# The guest kit's blkif layouts and constants against Xen's public io/blkif.h.
UNIT_TESTS += test_blkif_abi
test_blkif_abi_SRCS :=
test_blkif_abi_HDRS := frontend-drivers/blkfront/blkif_abi.h
test_blkif_abi_DEFS := -Ifrontend-drivers/blkfront

# The host FADT reader and dom0's ACPI composer (arch/x86/fadt.c, hwdom_acpi.c) on captured tables.
UNIT_TESTS += test_hwdom_acpi
test_hwdom_acpi_SRCS := $(HV)/arch/x86/hwdom_acpi.c $(HV)/arch/x86/fadt.c \
	$(HV)/arch/x86/acpi_walk.c $(HV)/arch/x86/madt.c tests/unit/stub_printk.c
test_hwdom_acpi_DEFS := -I$(HV)/arch/x86/include
test_hwdom_acpi_HDRS := $(HV)/arch/x86/include/asm/hwdom_acpi.h $(HV)/arch/x86/include/asm/fadt.h \
	$(HV)/arch/x86/include/asm/acpi_walk.h

# A hardware dom0's I/O bitmap and port policy (arch/x86/port_policy.c) on fake ports.
UNIT_TESTS += test_hwdom_ports
test_hwdom_ports_SRCS := $(HV)/arch/x86/port_policy.c
test_hwdom_ports_DEFS := -I$(HV)/arch/x86/include
test_hwdom_ports_HDRS := $(HV)/arch/x86/include/asm/hwdom_ports.h $(HV)/arch/x86/include/asm/fadt.h

# The MMIO MOV decoder (arch/x86/mmio_decode.c): Linux's loads and stores, hostile byte strings.
UNIT_TESTS += test_mmio_decode
test_mmio_decode_SRCS := $(HV)/arch/x86/mmio_decode.c
test_mmio_decode_DEFS := -I$(HV)/arch/x86/include
test_mmio_decode_HDRS := $(HV)/arch/x86/include/asm/mmio.h

# The hardware domain's vIOAPIC state machine (arch/x86/vioapic.c) against a recorded host side.
UNIT_TESTS += test_vioapic
test_vioapic_SRCS := $(HV)/arch/x86/vioapic.c tests/unit/stub_printk.c
test_vioapic_DEFS := -I$(HV)/arch/x86/include
test_vioapic_HDRS := $(HV)/arch/x86/include/asm/vioapic.h $(HV)/arch/x86/include/asm/ioapic.h

# vPCI (arch/x86/vpci.c, vmsi.c): CF8/CFC forwarding, MSI and MSI-X shadowing on a fake host.
UNIT_TESTS += test_vpci
test_vpci_SRCS := $(HV)/arch/x86/vpci.c $(HV)/arch/x86/vmsi.c tests/unit/stub_printk.c
test_vpci_DEFS := -I$(HV)/arch/x86/include
test_vpci_HDRS := $(HV)/arch/x86/include/asm/vpci.h $(HV)/arch/x86/include/asm/hwdom_irq.h

# MMIO emulation (arch/x86/mmio.c): claims, register write-back, refusals, crashes, on a fake VMCS.
UNIT_TESTS += test_mmio
test_mmio_SRCS := $(HV)/arch/x86/mmio.c $(HV)/arch/x86/mmio_decode.c tests/unit/stub_printk.c
test_mmio_DEFS := -I$(HV)/arch/x86/include
test_mmio_HDRS := $(HV)/arch/x86/include/asm/mmio.h

# The DMAR parser (arch/x86/dmar.c): QEMU- and server-like tables, truncated and hostile ones.
UNIT_TESTS += test_dmar
test_dmar_SRCS := $(HV)/arch/x86/dmar.c tests/unit/stub_printk.c
test_dmar_DEFS := -I$(HV)/arch/x86/include
test_dmar_HDRS := $(HV)/arch/x86/include/asm/vtd.h
# VT-d's pure parts (vtd_qi.c, vtd_decode.c) and page-table syncs for non-coherent units.
UNIT_TESTS += test_vtd
test_vtd_SRCS := $(HV)/arch/x86/vtd_qi.c $(HV)/arch/x86/vtd_decode.c \
	$(HV)/arch/x86/vtd_mirror.c $(HV)/mm/pagetable.c tests/unit/stub_printk.c
test_vtd_DEFS := -I$(HV)/arch/x86/include -DVTD_SPIN_MAX=1000UL
test_vtd_HDRS := $(HV)/arch/x86/include/asm/vtd.h $(HV)/arch/x86/include/asm/vtd_regs.h
# The VT-d self-test's edu driver (arch/x86/edu.c) on a fake device.
UNIT_TESTS += test_edu
test_edu_SRCS := $(HV)/arch/x86/edu.c
test_edu_DEFS := -I$(HV)/arch/x86/include
test_edu_HDRS := $(HV)/arch/x86/include/asm/edu.h

# VT-d interrupt remapping (arch/x86/vtd_irte.c, vtd_ir.c) on fake units.
UNIT_TESTS += test_intremap
test_intremap_SRCS := $(HV)/arch/x86/vtd_irte.c $(HV)/arch/x86/vtd_ir.c tests/unit/stub_printk.c
test_intremap_DEFS := -I$(HV)/arch/x86/include
test_intremap_HDRS := $(HV)/arch/x86/include/asm/intremap.h $(HV)/arch/x86/include/asm/vtd.h

# Per test: <test>_SRCS to link, <test>_DEFS for the compiler, <test>_HDRS to depend on,
# <test>_LIBS to link with besides cmocka.
define unit_rule
$(UNIT_BIN)/$(1): tests/unit/$(1).c $$($(1)_SRCS) $$($(1)_HDRS) $(UNIT_COMMON) tests/unit/host.h \
		$(wildcard $(HV)/include/keel/*.h $(HV)/include/public/*.h)
	@mkdir -p $$(@D) && rm -f $$@
	@echo "  HOSTCC  $$@"
	@$(CC) $(UNIT_CFLAGS) $$($(1)_DEFS) -o $$@ tests/unit/$(1).c \
		$$($(1)_SRCS) $(UNIT_COMMON) $(UNIT_LIBS) $$($(1)_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

# Runs every unit test with TAP output; results go to $(BUILD)/test-results/unit.txt. A test
# that does not build (its old binary removed first) is a FAIL there, and the others still run.
unit-test:
	@$(MAKE) --no-print-directory -k $(addprefix $(UNIT_BIN)/,$(UNIT_TESTS)) || true
	@mkdir -p $(BUILD)/test-results
	@tests/unit/run-unit-tests.sh $(UNIT_BIN) $(BUILD)/test-results/unit.txt \
		$(UNIT_TESTS)
