# Fuzz targets: libFuzzer harnesses (clang) of keel's parsers and hypercalls; make fuzz.
# Each tests/fuzz/<name>.c links the keel or dom0-tools sources it fuzzes, as
# tests/unit/unit.mk links them. `make fuzz` runs every target for FUZZ_TIME seconds with its
# corpus; `make fuzz-smoke` runs each briefly and writes $(BUILD)/test-results/fuzz.txt.
# docs/security.md, "Fuzzing" says what each target drives.

FUZZ_CC := clang
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_BIN := $(BUILD)/fuzz
FUZZ_TIME ?= 60
FUZZ_SMOKE_TIME ?= 4
FUZZ_COMMON_HDRS := tests/fuzz/fuzz_input.h

# Targets built by the rule below; other fuzz makefiles add to FUZZ_TARGETS with rules of their own.
KEEL_FUZZ_TARGETS := multiboot2 elf_loader bzimage2elf boot_domains xl_cfg madt cmdline \
	hypercall
KEEL_FUZZ_TARGETS += blkback_req
KEEL_FUZZ_TARGETS += netback_tx
KEEL_FUZZ_TARGETS += dmar
FUZZ_TARGETS := $(KEEL_FUZZ_TARGETS)

# Per target: <name>_FUZZ_SRCS to link, _FUZZ_DEFS for the compiler, _FUZZ_HDRS to depend on,
# _FUZZ_LIBS to link with.
multiboot2_FUZZ_SRCS := $(HV)/common/multiboot2.c $(HV)/common/bootinfo.c \
	tests/fuzz/stub_printk.c tests/unit/host_shims.c
multiboot2_FUZZ_DEFS := -DKEEL_HOSTED -I$(HV)/include

elf_loader_FUZZ_SRCS := $(HV)/common/elf_loader.c tests/fuzz/stub_printk.c
elf_loader_FUZZ_DEFS := -DKEEL_HOSTED -I$(HV)/include

bzimage2elf_FUZZ_SRCS := dom0-tools/bzimage2elf/bzimage2elf.c $(HV)/common/elf_loader.c \
	tests/fuzz/stub_printk.c
bzimage2elf_FUZZ_HDRS := dom0-tools/bzimage2elf/bzimage2elf.h
bzimage2elf_FUZZ_DEFS := -DKEEL_HOSTED -I$(HV)/include -Idom0-tools/bzimage2elf
bzimage2elf_FUZZ_LIBS := -llzma

boot_domains_FUZZ_SRCS := $(HV)/common/boot_domains.c tests/fuzz/stub_printk.c \
	tests/unit/host_shims.c
boot_domains_FUZZ_DEFS := -DKEEL_HOSTED -I$(HV)/include -I$(HV)/arch/x86/include
boot_domains_FUZZ_LIBS := -lfdt

xl_cfg_FUZZ_SRCS := $(addprefix $(KEELCTL_DIR)/,cfg_parse.c config.c diag.c util.c disk_spec.c \
	vif_spec.c cfg_suggest.c cpulist.c) \
	dom0-tools/lib/alloc.c
xl_cfg_FUZZ_HDRS := $(KEELCTL_HDRS)
xl_cfg_FUZZ_DEFS := $(KEELCTL_INCLUDES)

# keel-blkback's request validation (what a frontend puts in a ring slot and indirect pages).
blkback_req_FUZZ_SRCS := $(BLKBACK_DIR)/req.c
blkback_req_FUZZ_HDRS := $(BLKBACK_DIR)/req.h
blkback_req_FUZZ_DEFS := $(BLKBACK_INCLUDES)

# keel-netback's TX slot validation and the offload headers (what a frontend puts in its ring).
netback_tx_FUZZ_SRCS := $(NETBACK_DIR)/txparse.c $(NETBACK_DIR)/offload.c
netback_tx_FUZZ_HDRS := $(NETBACK_DIR)/txparse.h $(NETBACK_DIR)/offload.h
netback_tx_FUZZ_DEFS := $(NETBACK_INCLUDES)

madt_FUZZ_SRCS := $(HV)/arch/x86/madt.c $(HV)/arch/x86/acpi_walk.c tests/fuzz/stub_printk.c
madt_FUZZ_HDRS := $(HV)/arch/x86/include/asm/madt.h
madt_FUZZ_DEFS := -DKEEL_HOSTED -I$(HV)/include -I$(HV)/arch/x86/include

# The DMAR parser: units, device scopes through fake bridges, RMRRs, ATSRs.
dmar_FUZZ_SRCS := $(HV)/arch/x86/dmar.c tests/fuzz/stub_printk.c
dmar_FUZZ_HDRS := $(HV)/arch/x86/include/asm/vtd.h
dmar_FUZZ_DEFS := -DKEEL_HOSTED -I$(HV)/include -I$(HV)/arch/x86/include

# keel's own printk and vsnprintf, under names that do not clash with libc's.
cmdline_FUZZ_SRCS := $(addprefix $(HV)/common/,cmdline.c dom0_options.c printk.c text_ring.c \
	vsprintf.c selftest.c) tests/unit/host_shims.c
cmdline_FUZZ_DEFS := -DKEEL_HOSTED -I$(HV)/include -I$(HV)/arch/x86/include \
	-Dvsnprintf=keel_vsnprintf -Dsnprintf=keel_snprintf

# Real domains on a fake RAM arena with keel's page allocator (tests/fuzz/hv_*.c): the
# hypercall handlers, the domain lifecycle, grant tables, event channels, domctl.
hypercall_FUZZ_SRCS := $(addprefix $(HV)/common/,hypercall.c memory_op.c vcpu_op.c vcpu.c \
	guest_access.c domain.c domain_build.c domctl.c console_ring.c console_io.c \
	guest_console.c evtchn.c evtchn_2l.c evtchn_fifo.c grant_table.c foreign_map.c hvm_op.c \
	sched_op.c version.c timer.c vm_assist.c \
	pvh_layout.c elf_loader.c acpi_build.c cmdline.c dom0_options.c bootinfo.c printk.c \
	text_ring.c vsprintf.c sched_credit.c percpu.c time.c build_id.c) \
	$(addprefix $(HV)/mm/,pagetable.c page_alloc.c memory.c frame.c p2m.c) \
	$(addprefix $(HV)/arch/x86/,xen_caps.c hypercall_cont.c) \
	tests/fuzz/hv_env.c tests/fuzz/hv_sched.c tests/fuzz/hv_check.c tests/unit/host_shims.c \
	tests/unit/stub_domain.c
hypercall_FUZZ_HDRS := tests/fuzz/hv_env.h tests/unit/stub_domain.h tests/fuzz/hypercall_format.h \
	tests/fuzz/hypercall.ignorelist
# Every page keel allocates or frees passes through hv_env.c (ASan poisoning).
hypercall_FUZZ_LIBS := -Wl,--wrap=page_alloc_frames -Wl,--wrap=page_free_frames
hypercall_FUZZ_SRCS += $(HV)/common/console_keep.c $(HV)/common/platform.c
hypercall_FUZZ_SRCS += $(HV)/common/domain_stats.c $(HV)/arch/x86/vmexit_stats.c
hypercall_FUZZ_DEFS := -fsanitize-coverage-ignorelist=tests/fuzz/hypercall.ignorelist \
	-DKEEL_HOSTED -I$(HV)/include -I$(HV)/arch/x86/include \
	-Dvsnprintf=keel_vsnprintf -Dsnprintf=keel_snprintf -Dsched_yield=keel_sched_yield

define fuzz_rule
$(FUZZ_BIN)/$(1): tests/fuzz/$(1).c $$($(1)_FUZZ_SRCS) $$($(1)_FUZZ_HDRS) $(FUZZ_COMMON_HDRS) \
		$(wildcard $(HV)/include/keel/*.h $(HV)/include/public/*.h)
	@mkdir -p $$(@D)
	@echo "  FUZZCC  $$@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $$($(1)_FUZZ_DEFS) -Itests/fuzz -o $$@ tests/fuzz/$(1).c \
		$$($(1)_FUZZ_SRCS) $$($(1)_FUZZ_LIBS)
endef
$(foreach t,$(KEEL_FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

# xenstored's harnesses (their own rules; FUZZ_CC, FUZZ_CFLAGS and FUZZ_BIN are theirs to use).
-include tests/fuzz/xenstored.mk

.PHONY: fuzz fuzz-smoke fuzz-build
fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_BIN)/%)

# Each target in turn, on one core, for FUZZ_TIME seconds; its corpus grows in
# $(FUZZ_BIN)/corpus-<name> (seeded from tests/fuzz/corpus/<name>), crashes in artifacts-<name>.
fuzz: deps-test fuzz-build
	@tests/fuzz/run-fuzz.sh full $(FUZZ_TIME) $(FUZZ_BIN) $(FUZZ_BIN)/results.txt \
		$(FUZZ_TARGETS)

# Each target for FUZZ_SMOKE_TIME seconds from the committed corpus only: PASS/FAIL fuzz-<name>.
fuzz-smoke: deps-test
	@mkdir -p $(BUILD)/test-results
	@$(MAKE) --no-print-directory fuzz-build || \
		{ echo "FAIL fuzz-build" > $(BUILD)/test-results/fuzz.txt; exit 1; }
	@tests/fuzz/run-fuzz.sh smoke $(FUZZ_SMOKE_TIME) $(FUZZ_BIN) \
		$(BUILD)/test-results/fuzz.txt $(FUZZ_TARGETS)

# Regenerate the binary seeds (tests/fuzz/mkcorpus.c) and the boot trees (dtc, each after the
# byte that makes it module 3, after three kernel or ramdisk modules); the text seeds are
# written by hand. Run by hand, the results are committed.
FUZZ_CORPUS := tests/fuzz/corpus
FUZZ_DTS := boot/domains/example.dts $(wildcard tests/emu/domains/*.dts)
.PHONY: fuzz-corpus
fuzz-corpus: tests/fuzz/mkcorpus.c $(HV)/common/acpi_build.c tests/fuzz/hypercall_format.h
	@mkdir -p $(FUZZ_BIN) $(addprefix $(FUZZ_CORPUS)/,multiboot2 elf_loader bzimage2elf madt \
		boot_domains hypercall)
	@$(CC) -std=gnu11 -O1 -Wall -Wextra -Werror -Wno-missing-field-initializers -DKEEL_HOSTED \
		-I$(HV)/include -Itests/fuzz \
		-o $(FUZZ_BIN)/mkcorpus $(filter %.c,$^) -llzma
	@$(FUZZ_BIN)/mkcorpus $(FUZZ_CORPUS)
	@for dts in $(FUZZ_DTS); do \
		out=$(FUZZ_CORPUS)/boot_domains/$$(basename $$dts .dts); \
		printf '\003' > $$out && $(DTC) -I dts -O dtb -o - $$dts >> $$out || exit 1; \
	done
