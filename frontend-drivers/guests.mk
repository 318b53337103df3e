# Test guests (included by the Makefile): the guest library and $(BUILD)/guests/<name>.elf.

BUILD ?= build
GUEST_CC ?= $(CC)
GUEST_LD ?= $(LD)
GUEST_LIB := frontend-drivers/lib
GUEST_SRC := tests/guests
GUEST_HV := hypervisor
GUEST_OUT := $(BUILD)/guests
# Frontends linked into every guest next to the library: frontend-drivers/<dir>/*.c.
GUEST_DRIVERS := frontend-drivers/xenbus frontend-drivers/blkfront frontend-drivers/netfront

# Keep the includer's default goal: this file must not change it.
guests_saved_goal := $(.DEFAULT_GOAL)

GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -fcf-protection=none -nostdinc \
	-I$(GUEST_LIB) $(GUEST_DRIVERS:%=-I%) -I$(GUEST_HV)/include -I$(GUEST_HV)/arch/x86/include
GUEST_ASFLAGS := -D__ASSEMBLER__
GUEST_LDS := $(GUEST_LIB)/guest.lds
GUEST_LDFLAGS := -m elf_x86_64 -nostdlib -static -no-pie \
	-z max-page-size=0x1000 -z noexecstack -T $(GUEST_LDS)

# The library, plus the hypervisor's own formatting and string helpers.
GUEST_HV_SRCS := common/vsprintf.c common/string.c common/elf_loader.c
GUEST_LIB_OBJS := \
	$(patsubst $(GUEST_LIB)/%,$(GUEST_OUT)/lib/%,$(patsubst %.S,%.o,$(patsubst %.c,%.o, \
		$(wildcard $(GUEST_LIB)/*.S $(GUEST_LIB)/*.c)))) \
	$(addprefix $(GUEST_OUT)/hv/,$(notdir $(GUEST_HV_SRCS:.c=.o))) \
	$(patsubst frontend-drivers/%.c,$(GUEST_OUT)/drivers/%.o,$(wildcard $(GUEST_DRIVERS:%=%/*.c)))

# A guest is a directory under tests/guests/ with a main.c; all its .c/.S are linked.
GUESTS := $(sort $(patsubst $(GUEST_SRC)/%/main.c,%,$(wildcard $(GUEST_SRC)/*/main.c)))
GUEST_ELFS := $(GUESTS:%=$(GUEST_OUT)/%.elf)
guest_objs = $(patsubst $(GUEST_SRC)/%,$(GUEST_OUT)/tests/%,$(patsubst %.S,%.o, \
	$(patsubst %.c,%.o,$(wildcard $(GUEST_SRC)/$(1)/*.c $(GUEST_SRC)/$(1)/*.S))))
GUEST_OBJS := $(GUEST_LIB_OBJS) $(foreach g,$(GUESTS),$(call guest_objs,$(g)))

.PHONY: guests

guests: $(GUEST_ELFS)

$(GUEST_OUT)/lib/%.o: $(GUEST_LIB)/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_OUT)/lib/%.o: $(GUEST_LIB)/%.S
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_ASFLAGS) -MMD -MP -c $< -o $@

$(GUEST_OUT)/drivers/%.o: frontend-drivers/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_OUT)/hv/%.o: $(GUEST_HV)/common/%.c
	@mkdir -p $(@D)
	@echo "  CC      $< (guest)"
	@$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_OUT)/tests/%.o: $(GUEST_SRC)/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_OUT)/tests/%.o: $(GUEST_SRC)/%.S
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(GUEST_CC) $(GUEST_CFLAGS) $(GUEST_ASFLAGS) -MMD -MP -c $< -o $@

# A guest whose directory holds a file elf32 is linked as every guest is, then put into an
# ELF32 container (64-bit code, entered in 32-bit mode as every PVH kernel is), as XTF and
# several PVH kernels ship.
GUEST_OBJCOPY ?= objcopy
define guest_rule
$(GUEST_OUT)/$(1).elf: $(GUEST_LIB_OBJS) $(call guest_objs,$(1)) $(GUEST_LDS) \
		$(wildcard $(GUEST_SRC)/$(1)/elf32)
	@echo "  LD      $$@"
	@$(GUEST_LD) $(GUEST_LDFLAGS) -o $$@ $(GUEST_LIB_OBJS) $(call guest_objs,$(1))
	$(if $(wildcard $(GUEST_SRC)/$(1)/elf32),@$(GUEST_OBJCOPY) -O elf32-i386 $$@ $$@)
endef
$(foreach g,$(GUESTS),$(eval $(call guest_rule,$(g))))

# Rebuild everything when these rules change.
$(GUEST_OBJS): frontend-drivers/guests.mk

-include $(GUEST_OBJS:.o=.d)

.DEFAULT_GOAL := $(guests_saved_goal)
