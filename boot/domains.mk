# Boot-domain device trees (docs/boot-domains.md) and the emulator-test ISOs that carry one.
# build/domains/<name>.dtb comes from boot/domains/<name>.dts, build/test-domains/<name>.dtb from
# tests/emu/domains/<name>.dts, both with dtc (Debian device-tree-compiler).

DTC ?= dtc

$(BUILD)/domains/%.dtb: boot/domains/%.dts
	@mkdir -p $(@D)
	@echo "  DTC     $@"
	@$(DTC) -I dts -O dtb -o $@ $<

$(BUILD)/test-domains/%.dtb: tests/emu/domains/%.dts
	@mkdir -p $(@D)
	@echo "  DTC     $@"
	@$(DTC) -I dts -O dtb -o $@ $<

# boot/domains/example.dts with test guests for kernels and its own source as a stand-in
# ramdisk: keel prints the two domains and builds both.
TEST_ISOS += domains
ISO_CMDLINE_domains := console=com1,e9 dom0_mem=32M guest_loglvl=all dom0=virtual
ISO_MODULES_domains := $(BUILD)/guests/hello.elf '' boot/domains/example.dts 'ramdisk' \
	$(BUILD)/guests/hello.elf 'guest kernel' $(BUILD)/domains/example.dtb 'boot domains'
$(BUILD)/keel-domains.iso: $(BUILD)/guests/hello.elf $(BUILD)/domains/example.dtb \
	boot/domains/example.dts

# Three domains from a tree: dom0 watches a guest that passes and one that crashes.
TEST_ISOS += domains-three
ISO_CMDLINE_domains-three := console=com1,e9 guest_loglvl=all dom0=virtual
ISO_MODULES_domains-three := $(BUILD)/guests/watch.elf '' $(BUILD)/guests/hello.elf 'hello' \
	$(BUILD)/guests/triplefault.elf '' $(BUILD)/test-domains/three.dtb 'boot domains'
$(BUILD)/keel-domains-three.iso: $(BUILD)/guests/watch.elf $(BUILD)/guests/hello.elf \
	$(BUILD)/guests/triplefault.elf $(BUILD)/test-domains/three.dtb

# A tree naming a module that is not there: keel must stop with bad-boot before VMXON.
TEST_ISOS += domains-bad
ISO_CMDLINE_domains-bad := console=com1,e9 dom0_mem=32M dom0=virtual
ISO_MODULES_domains-bad := $(BUILD)/guests/hello.elf '' $(BUILD)/guests/hello.elf 'guest kernel' \
	$(BUILD)/test-domains/bad-module-index.dtb 'boot domains'
$(BUILD)/keel-domains-bad.iso: $(BUILD)/guests/hello.elf \
	$(BUILD)/test-domains/bad-module-index.dtb
